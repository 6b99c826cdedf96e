/**
 * Configurations that all collapse into one series (figure defect B): a chart
 * of one series has no legend, and the note said only "'=' joins
 * configurations with identical ...", so nothing visible named them (only
 * the SVG's hidden aria labels). The figure must name each member in text a
 * reader sees: the SVG's <text> elements, not its attributes.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-merged-'));

/** The text a reader of the SVG sees: the contents of its <text> elements (their <tspan> lines included), in order, runs of white space as one. */
function visibleText(svg: string): string {
  return [...svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ')).join(' ')
    .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');
}

/** A directory of `names.length` runs with identical msyncs, writeback and timelines: every chart draws one series for them all. */
function identicalRuns(names: readonly string[], distinct: readonly string[] = []): string {
  const dir = tmp();
  const syncs = Array.from({ length: 30 }, (_, i) => ({ t: 10 + i * 5, lat: 200 + 13 * i, pages: 5 + (i % 7) }));
  const timeline = [[0, 0, 0, 0], [4, 2, 0, 1], [6, 0, 0, 0], [1, 0, 0, 0]];
  for (const n of names) writeRun(join(dir, n), { syncs, timeline, writeback: [{ cause: 'msync', bytes: 8192 }], dirtied: 8192 });
  // configurations that differ from the others: several series
  for (const [k, n] of distinct.entries()) writeRun(join(dir, n), { syncs: syncs.map((s) => ({ ...s, lat: s.lat * (3 + k) })), timeline: timeline.map((r) => r.map((v) => v * (3 + k))), writeback: [{ cause: 'msync', bytes: 4096 }], dirtied: 8192 });
  return dir;
}

const NAMES = ['alpha-kernel', 'bravo-kernel', 'charlie-kernel', 'delta-kernel'];
const CHARTS = ['latency-cdf', 'latency-percentiles', 'latency-vs-pages', 'timeline'];

describe('one series standing for several configurations names them in the figure (defect B)', () => {
  for (const name of CHARTS) {
    it(`${name}: every member of the one merged series is in the figure's visible text`, async () => {
      const chart = chartNamed(await chartsOf(identicalRuns(NAMES)), name);
      const laid = await layoutChart(chart, paper.widths.single, paper.padding);
      expect(laid.warnings).toEqual([]);
      const text = visibleText(laid.svg);
      for (const n of NAMES) expect(text, `${name}: ${n}`).toContain(n);
      // and as one series: they are said to be identical, joined by '='
      expect(text).toContain(NAMES.join(' = '));
    });
  }

  it('a chart of several series still names the merged ones in its legend, not in a list of members in the note', async () => {
    const chart = chartNamed(await chartsOf(identicalRuns(NAMES.slice(0, 2), ['echo-kernel'])), 'latency-percentiles');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    const text = visibleText(laid.svg);
    expect(text).toContain('alpha-kernel = bravo-kernel');
    expect(text).toContain('echo-kernel');
    expect(text).toContain("'=' joins configurations with identical percentiles");
    expect(text).not.toContain('one series for all');
  });

  it('a sweep whose grid points all gave the same results: the note names the grid keys and every point', async () => {
    // the user's case: slurm-smoke, personality [freebsd, linux] × pager.cluster_pages [8, 32] on a device that made them all alike
    const dir = tmp();
    const keys = ['personality', 'pager.cluster_pages'];
    const points = [['freebsd', 8], ['freebsd', 32], ['linux', 8], ['linux', 32]] as const;
    let results = `run_id,point,${keys.join(',')},seed,status,sync.latency_us.p99,error\n`;
    const syncs = Array.from({ length: 30 }, (_, i) => ({ t: 10 + i * 5, lat: 200 + 13 * i, pages: 5 }));
    for (const [i, [p, c]] of points.entries()) {
      const s = writeRun(join(dir, 'runs', `r${i}`), { syncs, config: { personality: p } });
      results += `r${i},${i + 1},${p},${c},1,ok,${s.sync.latency_us.p99},\n`;
    }
    writeFileSync(join(dir, 'results.csv'), results);
    writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ name: 'smoke', keys, metrics: ['sync.latency_us.p99'], seeds: [1] }));
    for (const name of ['latency-percentiles', 'latency-cdf']) {
      const laid = await layoutChart(chartNamed(await chartsOf(dir), name), paper.widths.single, paper.padding);
      const text = visibleText(laid.svg);
      expect(text, name).toContain('freebsd, 8 = freebsd, 32 = linux, 8 = linux, 32');
      // the grid keys by their titles (personality is the kernel), so that '8' and '32' mean something
      expect(text, name).toMatch(/one series for all 4 configurations \(kernel, [^)]*cluster[^)]*\)/);
    }
  });
});
