/**
 * Kernel looks (a new user's paper, 2026-12-06): configurations that differ by
 * personality are drawn in their kernel's colour in every chart of every
 * report, whatever the grid's order (`linux` was green in one report and
 * black or pink in another, and a 4-line sweep chart gave `mach` the dashed
 * violet meant for configuration 10); a kernel's configurations are told apart
 * by shape and dash.
 *
 * Expected looks are written out from the table in reports/README.md: freebsd
 * #0072B2, linux #D55E00, xnu #009E73, mach #CC79A7; a kernel's second, third and
 * fourth configuration a triangle and dotted line (1.5 1.5), a cross and dashed
 * line (3 3), a right triangle and long dashes (10 3).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { sideColours } from '../reports/charts/compare-cdf.ts';
import { kernelLooksRefused, kernelStyles } from '../reports/kernel-looks.ts';
import { makeReport } from '../reports/report.ts';
import { configStyle, THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, writeRun, type AggPoint } from './report-fixtures.ts';

const KERNEL = { freebsd: '#0072B2', linux: '#D55E00', xnu: '#009E73', mach: '#CC79A7' } as const;
const METRIC = 'sync.latency_us.mean';
type Enc = Record<string, { scale?: { domain: string[]; range: unknown[] } }>;

/** Label → colour of a chart spec's `color` encoding (top level or its first layer with one). */
function colours(spec: VlSpec): Record<string, string> {
  const enc = ((spec.encoding as Enc | undefined)?.color ? spec.encoding : (spec.layer as { encoding?: Enc }[]).find((l) => l.encoding?.color)!.encoding) as Enc;
  const { domain, range } = enc.color.scale!;
  return Object.fromEntries(domain.map((d, i) => [d, range[i] as string]));
}

/** A sweep of `kernels` × msync interval, means by kernel and interval. */
function kernelSweep(kernels: string[]): string {
  const points: AggPoint[] = [];
  for (const k of kernels) for (const x of [1000, 10000]) points.push({ values: [k, x], stats: { [METRIC]: [100 * (kernels.indexOf(k) + 1) + x / 100, 1, 3] } });
  return aggSweep(['personality', 'trace.set.sync_interval_us'], [METRIC], points);
}

describe('kernelStyles', () => {
  it("gives each kernel its colour of the table, whatever the items' order", () => {
    expect(kernelStyles(['freebsd', 'linux', 'xnu', 'mach'].map((personality) => ({ personality, others: [] })))!.map((n) => configStyle(n).color))
      .toEqual([KERNEL.freebsd, KERNEL.linux, KERNEL.xnu, KERNEL.mach]);
    expect(kernelStyles(['mach', 'linux'].map((personality) => ({ personality, others: [] })))!.map((n) => configStyle(n).color)).toEqual([KERNEL.mach, KERNEL.linux]);
  });

  it("tells a kernel's items apart by shape and dash, in the order of their other values (numbers by size)", () => {
    const items = [['freebsd', '32'], ['freebsd', '8'], ['linux', '8'], ['freebsd', '128']].map(([personality, v]) => ({ personality, others: [v!] }));
    const looks = kernelStyles(items)!.map(configStyle);
    expect(looks.map((l) => l.color)).toEqual([KERNEL.freebsd, KERNEL.freebsd, KERNEL.linux, KERNEL.freebsd]);
    expect(looks.map((l) => [l.shape, l.dash])).toEqual([['triangle-up', [1.5, 1.5]], ['circle', [1, 0]], ['circle', [1, 0]], ['cross', [3, 3]]]);
  });

  it('leaves items of one kernel, or of a kernel not in the table, to the looks of their order', () => {
    expect(kernelStyles([{ personality: 'linux', others: ['a'] }, { personality: 'linux', others: ['b'] }])).toBeUndefined();
    expect(kernelStyles([{ personality: 'linux', others: [] }, { personality: 'hurd', others: [] }])).toBeUndefined();
    expect(kernelLooksRefused([{ personality: 'linux', others: [] }])).toBe('');
  });

  it('leaves a kernel of more than four items to the looks of their order, and says why', () => {
    const items = [...['1', '2', '3', '4', '5'].map((v) => ({ personality: 'freebsd', others: [v] })), { personality: 'linux', others: ['1'] }];
    expect(kernelStyles(items)).toBeUndefined();
    expect(kernelLooksRefused(items)).toBe("colours follow the configurations' order, not their kernel: freebsd has 5 configurations, more than the 4 looks a kernel has");
  });
});

describe('kernel colours across reports', () => {
  it('a sweep of four kernels and one of two in another order draw each kernel in one colour, none dashed', async () => {
    const four = chartNamed(await chartsOf(kernelSweep(['freebsd', 'linux', 'xnu', 'mach'])), 'sweep-mean-vs-sync-interval-us').spec(200, 150);
    const two = chartNamed(await chartsOf(kernelSweep(['mach', 'linux'])), 'sweep-mean-vs-sync-interval-us').spec(200, 150);
    expect(colours(four)).toEqual(KERNEL);
    expect(colours(two)).toEqual({ mach: KERNEL.mach, linux: KERNEL.linux });
    expect(JSON.stringify(four)).not.toContain('strokeDash":{"field');
  });

  it("a sweep's lines of kernel × policy: a kernel's two lines in its colour, told apart by dash", async () => {
    const points: AggPoint[] = [];
    for (const k of ['linux', 'freebsd']) for (const p of ['syncer', 'flusher']) for (const x of [1000, 10000]) points.push({ values: [k, p, x], stats: { [METRIC]: [(k === 'linux' ? 100 : 300) + (p === 'syncer' ? 50 : 0) + x / 100, 1, 3] } });
    const spec = chartNamed(await chartsOf(aggSweep(['personality', 'writeback.policy', 'trace.set.sync_interval_us'], [METRIC], points)), 'sweep-mean-vs-sync-interval-us').spec(200, 150);
    expect(colours(spec)).toEqual({ 'linux, syncer': KERNEL.linux, 'linux, flusher': KERNEL.linux, 'freebsd, syncer': KERNEL.freebsd, 'freebsd, flusher': KERNEL.freebsd });
    const line = (spec.layer as { mark: { type: string }; encoding: Enc }[]).find((l) => l.mark.type === 'line')!;
    const dash = line.encoding.strokeDash!.scale!;
    // flusher before syncer: solid, then dotted
    expect(Object.fromEntries(dash.domain.map((d, i) => [d, dash.range[i]]))).toEqual({ 'linux, syncer': [1.5, 1.5], 'linux, flusher': [1, 0], 'freebsd, syncer': [1.5, 1.5], 'freebsd, flusher': [1, 0] });
  });

  it("latency-cdf of two freebsd runs and a linux one: freebsd's curves blue, dashed apart, the swatches alike", async () => {
    const base = join(mkdtempSync(join(tmpdir(), 'syncsim-kernels-')), 'runs');
    const runs: [string, string, number][] = [['a-linux', 'linux', 100], ['b-freebsd', 'freebsd', 300], ['c-freebsd', 'freebsd', 900]];
    for (const [name, personality, lat] of runs) writeRun(join(base, name), { syncs: [{ t: 1, lat, pages: 1 }, { t: 2, lat: 3 * lat, pages: 2 }], config: { personality } });
    const out = join(base, '..', 'report');
    const r = await makeReport({ dir: base, out, formats: ['html'], theme: THEMES.paper, width: 238, charts: ['latency-cdf'] });
    const spec = JSON.parse(readFileSync(join(out, 'latency-cdf.vl.json'), 'utf8')) as VlSpec;
    expect(colours(spec)).toEqual({ 'a-linux': KERNEL.linux, 'b-freebsd': KERNEL.freebsd, 'c-freebsd': KERNEL.freebsd });
    const curve = (spec.layer as { encoding: Enc }[])[0]!.encoding;
    expect(curve.strokeDash!.scale!.range).toEqual([[1, 0], [1, 0], [1.5, 1.5]]);
    expect(r.notes.join(' ')).not.toContain('not their kernel');
    // index.html's swatch of each run as its curve is drawn: c-freebsd blue and dotted
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const swatch = (name: string) => new RegExp(`<line [^>]*stroke="([^"]*)"[^>]*?(?: stroke-dasharray="([^"]*)")?/><path [^>]*/></svg>${name}<`).exec(html)?.slice(1);
    expect([swatch('a-linux'), swatch('b-freebsd'), swatch('c-freebsd')]).toEqual([[KERNEL.linux, undefined], [KERNEL.freebsd, undefined], [KERNEL.freebsd, '1.5 1.5']]);
  });

  it("compare's two sides of two kernels in their kernels' colours; of one kernel, A blue and B vermillion", () => {
    expect(sideColours({ personality: 'linux' }, { personality: 'freebsd' }, ['A', 'B']).range).toEqual([KERNEL.linux, KERNEL.freebsd]);
    expect(sideColours({ personality: 'linux' }, { personality: 'linux' }, ['A', 'B']).range).toEqual(['#0072B2', '#D55E00']);
    expect(sideColours({}, { personality: 'mach' }, ['A', 'B']).range).toEqual(['#0072B2', '#D55E00']);
  });
});
