/**
 * Every legend label a chart cuts short is given whole in its note: a new
 * user's latency-percentiles legend read `freebsd, 0 = freebsd, 3000 =
 * freebsd, 8000 = mach, 0 …`, hiding that mach 1500, 3000 and 8000 were in
 * the group, and sweep charts cut plugin names
 * (`freebsd, ./write-old.ts, interval_ms=50, age_ms…`) with the full text
 * nowhere in the figure.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { cutLegendLabels } from '../reports/cut-labels.ts';
import { textWidth } from '../reports/fonts.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartsOf, writeRun, type AggPoint } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-cut-'));
/** A note's words as one line, whatever its wrapping. */
const noteOf = (spec: VlSpec) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ').replace(/\s+/g, ' ');

/** Lays out every chart of `dir` at `width` and checks that each legend label it cuts is in full in its note; returns the labels cut, by chart. */
async function checkAll(dir: string, width: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const chart of await chartsOf(dir, width)) {
    const laid = await layoutChart(chart, width, paper.padding);
    expect(laid.warnings.filter((w) => w.startsWith('does not fit')), chart.name).toEqual([]);
    const cut = cutLegendLabels(laid.spec);
    if (cut.length) expect(noteOf(laid.spec), chart.name).toContain('cut short, in full: ');
    // wrapped to the figure (a word longer than a line broken where it reaches the edge): compared without white space
    for (const label of cut) expect(noteOf(laid.spec).replace(/\s/g, ''), `${chart.name}: ${label}`).toContain(label.replace(/\s/g, ''));
    out.set(chart.name, cut);
  }
  return out;
}

describe('legend labels cut short are given whole in the note', () => {
  it('latency-percentiles of a sweep whose joined configurations make a label wider than the plot', async () => {
    // freebsd's four sizes and mach's four alike (one series), linux's alike, xnu's 1500 apart
    const points: AggPoint[] = [];
    for (const k of ['freebsd', 'xnu', 'linux', 'mach']) {
      for (const m of [0, 1500, 3000, 8000]) {
        const v = k === 'freebsd' || k === 'mach' ? 3700 : k === 'linux' ? 9100 : m === 1500 ? 1.6 : 1.44;
        points.push({ values: [k, m], stats: { 'sync.latency_us.p50': [v, 0, 3], 'sync.latency_us.p99': [v * 1.07, 0, 3], 'sync.latency_us.p999': [v * 1.08, 0, 3] } });
      }
    }
    const dir = aggSweep(['personality', 'memory.pages'], ['sync.latency_us.p50', 'sync.latency_us.p99', 'sync.latency_us.p999'], points);
    const cut = await checkAll(dir, paper.widths.single);
    const group = 'freebsd, unlimited = freebsd, 1500 = freebsd, 3000 = freebsd, 8000 = mach, unlimited = mach, 1500 = mach, 3000 = mach, 8000';
    // since 2026-12-07 the legend writes it as its first members and how many more (never a member cut mid-word, as
    // `... = mach, 1…` was), and the note gives it whole
    expect(cut.get('latency-percentiles')).toEqual([]);
    const chart = (await chartsOf(dir, paper.widths.single)).find((c) => c.name === 'latency-percentiles')!;
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    const json = JSON.stringify(laid.spec);
    const short = /"labelExpr":"datum\.label === \\"freebsd, unlimited = [^"]*?\\" \? \\"(freebsd, unlimited( = [a-z]+, [0-9a-z]+)* = (\d+) more)\\"/.exec(json);
    expect(short, json.slice(0, 400)).not.toBeNull();
    const [, label, , more] = short!;
    // whole members only, the count right: the members named and the N more make the group's 8
    expect(label!.split(' = ').length - 1 + Number(more)).toBe(8);
    expect(group.startsWith(label!.replace(/ = \d+ more$/, ''))).toBe(true);
    const limit = Number(/"labelLimit":(\d+(\.\d+)?)/.exec(json)![1]);
    expect(textWidth(label!, 8)).toBeLessThanOrEqual(limit);
    expect(noteOf(laid.spec)).toContain("'= N more': legend labels shortened, in full: ");
    expect(noteOf(laid.spec).replace(/\s/g, '')).toContain(group.replace(/\s/g, ''));
    // at double width the legend has room: nothing cut, nothing added
    const wide = await checkAll(dir, paper.widths.double);
    expect(wide.get('latency-percentiles')).toEqual([]);
  });

  it('sweep lines named by plugin parameters, and runs with long names', async () => {
    const group = (age: number) => JSON.stringify({ policy: './write-old.ts', params: { interval_ms: 50, age_ms: age, batch_pages: 64 } });
    const points: AggPoint[] = [];
    for (const k of ['freebsd', 'linux']) {
      for (const age of [100, 1000]) for (const c of [1, 2, 4]) points.push({ values: [k, `"${group(age).replace(/"/g, '""')}"`, c], stats: { 'sync.latency_us.p99': [100 + age / 10 + c + (k === 'linux' ? 50 : 0), 2, 3] } });
    }
    const dir = aggSweep(['personality', 'writeback', 'device.channels'], ['sync.latency_us.p99'], points);
    const cut = await checkAll(dir, paper.widths.single);
    const names = cut.get('sweep-p99-vs-channels')!;
    expect(names.some((n) => n.startsWith('freebsd, ./write-old.ts, interval_ms=50, age_ms=100'))).toBe(true);
    const base = tmp();
    for (const n of ['a-run-directory-named-after-everything-that-was-set-for-it-freebsd-cluster-8', 'another-run-directory-named-after-everything-that-was-set-linux-cluster-32']) {
      writeRun(join(base, n), { syncs: [{ t: 1, lat: n.length, pages: 1 }, { t: 2, lat: n.length * 3, pages: 2 }], timeline: [[0, 0, 0, 0], [3, 1, 2, 1]] });
    }
    const runs = await checkAll(base, paper.widths.single);
    expect([...runs.values()].flat().length).toBeGreaterThan(0);
  });

  it('latency-cdf: a label that fits above the plot and its markers\' legend beside it is not cut', async () => {
    // a researcher's trial: 4 kernels × 2 devices, whose `freebsd, sata-ssd` was cut at the plot's width (`freebsd,
    // sata-…`) while the markers' legend beside the plot left it room to spare
    const base = tmp();
    ['freebsd', 'linux', 'xnu', 'mach'].forEach((k, ki) => ['nvme', 'sata-ssd'].forEach((d, di) => {
      const lat = 40 + 30 * ki + 300 * di;
      writeRun(join(base, `${k}, ${d}, 8`), { syncs: Array.from({ length: 50 }, (_, i) => ({ t: i, lat: lat + i * (1 + ki), pages: 1 })) });
    }));
    const width = paper.widths.single;
    const chart = (await chartsOf(base, width)).find((c) => c.name === 'latency-cdf')!;
    const laid = await layoutChart(chart, width, paper.padding);
    expect(laid.warnings.filter((w) => w.startsWith('does not fit'))).toEqual([]);
    expect(laid.width).toBe(width);
    expect(chart.besidePlot).toBeGreaterThan(30);
    expect(cutLegendLabels(laid.spec)).toEqual([]);
    expect(noteOf(laid.spec)).not.toContain('cut short');
  });

  it('the labels cut are those wider than their legend\'s limit', () => {
    const spec = {
      config: { legend: { labelFontSize: 8 } },
      encoding: {
        color: { field: 'config', type: 'nominal', scale: { domain: ['short', 'a label much longer than forty px'] }, legend: { labelLimit: 40 } },
        shape: { field: 'config', type: 'nominal', scale: { domain: ['short', 'a label much longer than forty px'] }, legend: { labelLimit: 40 } },
      },
    };
    expect(textWidth('a label much longer than forty px', 8)).toBeGreaterThan(40);
    expect(cutLegendLabels(spec)).toEqual(['a label much longer than forty px']);
    // a legend that writes other text (compare's labelExpr) is its chart's business
    expect(cutLegendLabels({ encoding: { color: { field: 's', scale: { domain: ['x'.repeat(80)] }, legend: { labelLimit: 40, labelExpr: 'datum.label' } } } })).toEqual([]);
  });
});
