/**
 * A grid value that means no limit (`memory.pages` 0: unlimited) is never
 * drawn or written as 0: a new user's sweep of 4 kernels × memory.pages
 * [0, 1500, 3000, 8000] drew the unlimited memory at 0 pages, joined by a
 * line to 1,500, and compare's legend read `A: memory 0`. Also one unit
 * for one key within a report (a memlock limit in MiB on the sweep chart
 * and in bytes in the other charts' legends).
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { vlToSvg } from '../reports/render.ts';
import { loadResults } from '../reports/data.ts';
import { chooseConfigurations } from '../reports/select.ts';
import { noLimitWord } from '../reports/no-limit.ts';
import { valueWithUnit } from '../reports/labels.ts';
import { sweepX } from '../reports/sweep-x.ts';
import { differenceText } from '../scripts/compare/config-diff.ts';
import { aggSweep, chartNamed, chartsOf, scalesOf, type AggPoint } from './report-fixtures.ts';

const KERNELS = ['freebsd', 'xnu', 'linux', 'mach'];
const PAGES = [0, 1500, 3000, 8000];
const P99 = 'sync.latency_us.p99';

/** The trial's grid, p99 from aggregate.csv: unlimited memory (0) fastest, each kernel its own level. */
function memorySweep(): string {
  const points: AggPoint[] = KERNELS.flatMap((k, ki) => PAGES.map((m) => ({ values: [k, m], stats: { [P99]: [1000 * (ki + 1) + (m === 0 ? 0 : 20_000 / m), 10, 3] as [number, number, number] } })));
  return aggSweep(['personality', 'memory.pages'], [P99], points);
}

type Layer = { transform?: unknown[]; mark: { type: string } | string; data?: { values: { x: number }[] }; encoding?: Record<string, unknown> };
const layers = (spec: VlSpec) => spec.layer as Layer[];
const markType = (l: Layer) => (typeof l.mark === 'string' ? l.mark : l.mark.type);
type Row = { x: number; x_text: string; apart?: number; series: string; mean: number };

/** The text of the labels of the rendered spec's axis whose aria-label starts with `which` (`X-axis`). */
async function axisLabels(spec: VlSpec, which: string): Promise<string[]> {
  const { svg } = await vlToSvg(spec);
  const out: string[] = [];
  for (const part of svg.split('<g class="mark-group role-axis"').slice(1)) {
    if (!new RegExp(`^[^>]*aria-label="${which}`).test(part)) continue;
    const g = /<g class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/.exec(part);
    for (const t of g?.[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g) ?? []) out.push(t[1]!);
  }
  return out;
}

describe('a grid value that means no limit', () => {
  it('is drawn apart, right of the largest limit, labelled unlimited and not joined to the line', async () => {
    const spec = chartNamed(await chartsOf(memorySweep()), 'sweep-p99-vs-pages').spec(200, 150);
    const rows = (spec.data as { values: Row[] }).values;
    const unlimited = rows.filter((r) => r.apart === 1);
    expect(unlimited.map((r) => r.series)).toEqual(KERNELS);
    expect(new Set(unlimited.map((r) => r.x_text))).toEqual(new Set(['unlimited']));
    // the limits at their own places, the unlimited point beyond the largest
    const at = unlimited[0]!.x;
    expect(at).toBeGreaterThan(8000);
    expect(rows.filter((r) => r.apart !== 1).map((r) => r.x).sort((a, b) => a - b)).toEqual([1500, 1500, 1500, 1500, 3000, 3000, 3000, 3000, 8000, 8000, 8000, 8000]);
    // every line leaves it out; a point layer per series draws it
    const lines = layers(spec).filter((l) => markType(l) === 'line');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(JSON.stringify(l.transform)).toContain('datum.apart != 1');
    expect(layers(spec).filter((l) => markType(l) === 'point' && JSON.stringify(l.transform).includes('datum.apart == 1'))).toHaveLength(4);
    // a dashed break between 8,000 and it
    const rule = layers(spec).find((l) => markType(l) === 'rule' && l.data !== undefined)!;
    expect(rule.data!.values[0]!.x).toBeGreaterThan(8000);
    expect(rule.data!.values[0]!.x).toBeLessThan(at);
    // on the plot: right of 8,000, by more than the gap between 3,000 and 8,000 takes a third of
    const { x } = await scalesOf(spec);
    expect(x(at) - x(8000)).toBeGreaterThan((x(8000) - x(1500)) / 5);
    expect(x(1500)).toBeLessThan(x(3000));
    // the axis writes its limits and the word, never 0
    const labels = await axisLabels(spec, 'X-axis');
    expect(labels).toEqual(expect.arrayContaining(['1,500', '3,000', '8,000', 'unlimited']));
    expect(labels).not.toContain('0');
    const note = (spec.title as { text: string[] }).text.join(' ');
    expect(note).toContain('memory unlimited (memory.pages 0) stands apart at the right, past the dashed break, not joined to the lines');
  });

  it('on a crowded axis (eight limits, a band) the word is labelled, and no two labels meet', async () => {
    const grid = [0, 1000, 1500, 2000, 3000, 4000, 6000, 8000];
    const points: AggPoint[] = KERNELS.flatMap((k, ki) => grid.map((m) => ({ values: [k, m], stats: { [P99]: [1000 * (ki + 1) + m / 10, 10, 3] as [number, number, number] } })));
    const spec = chartNamed(await chartsOf(aggSweep(['personality', 'memory.pages'], [P99], points)), 'sweep-p99-vs-pages').spec(180, 120);
    const labels = await axisLabels(spec, 'X-axis');
    expect(labels).toContain('unlimited');
    expect(labels).toContain('1,000');
    expect(labels).not.toContain('0');
    // the labels kept stand apart: vega's own thinning (every other label) would have dropped none of them
    expect(labels.length).toBeGreaterThanOrEqual(3);
    const values = (spec.encoding as { x: { axis: { values: number[] } } }).x.axis.values;
    expect(values).toHaveLength(labels.length);
  });

  it('one limit and unlimited, each a series of its own: drawn, with no empty layer for vega to warn of', async () => {
    const points: AggPoint[] = [{ values: ['freebsd', 0], stats: { [P99]: [1000, 10, 3] } }, { values: ['mach', 1500], stats: { [P99]: [1200, 10, 3] } }];
    const spec = chartNamed(await chartsOf(aggSweep(['personality', 'memory.pages'], [P99], points)), 'sweep-p99-vs-pages').spec(200, 150);
    expect(layers(spec).filter((l) => markType(l) === 'line')).toHaveLength(1);
    expect((await vlToSvg(spec)).warnings).toEqual([]);
    expect(await axisLabels(spec, 'X-axis')).toEqual(['1,500', 'unlimited']);
  });

  it('names the configurations by its word, and --configs still takes the grid values as written', async () => {
    const dir = memorySweep();
    const results = await loadResults(dir);
    expect(results.configTitle).toBe('kernel, memory (pages)');
    expect(results.configurations.slice(0, 4).map((c) => c.label)).toEqual(['freebsd, unlimited', 'freebsd, 1500', 'freebsd, 3000', 'freebsd, 8000']);
    expect(chooseConfigurations(results, ['freebsd, unlimited,mach, 1500'])).toEqual(['freebsd, unlimited', 'mach, 1500']);
    expect(chooseConfigurations(results, ['freebsd, 0,mach, 1500'])).toEqual(['freebsd, unlimited', 'mach, 1500']);
    // the other charts' legends: latency-percentiles names it so
    const spec = chartNamed(await chartsOf(dir), 'latency-percentiles').spec(200, 150);
    expect(JSON.stringify(spec)).toContain('"xnu, unlimited');
    expect(JSON.stringify(spec)).not.toMatch(/"(freebsd|xnu|linux|mach), 0[",= ]/);
  });

  it('the keys whose 0 means no limit, each by its word; a 0 of any other key is a quantity', () => {
    expect(noLimitWord('memory.pages', '0')).toBe('unlimited');
    expect(noLimitWord('memory.pages', 0)).toBe('unlimited');
    expect(noLimitWord('memory.pages', '1500')).toBeUndefined();
    expect(noLimitWord('memory.max_user_wired_pages', '0')).toBe('kernel default');
    expect(noLimitWord('device.bandwidth_mbps', '0')).toBe('unlimited');
    expect(noLimitWord('device.max_segments', '0')).toBe('unlimited');
    expect(noLimitWord('device.ring_descriptors', '0')).toBe('no ring');
    expect(noLimitWord('writeback.delay_ms', '0')).toBeUndefined();
    expect(noLimitWord('memory.pages', '')).toBeUndefined();
    // a grid of the limit alone and unlimited: the limit at the left, unlimited as far again to its right
    const one = sweepX([0, 1500], 'unlimited');
    expect(one.sorted).toEqual([1500]);
    expect(one.apart!.at).toBe(3000);
    // no 0 in the grid: as before
    expect(sweepX([1500, 3000], 'unlimited').apart).toBeUndefined();
  });
});

describe('compare names it and gives units', () => {
  it('A: memory unlimited, B: memory 1500 pages (was memory 0 / memory 1500)', () => {
    const grid = ['0', '1500', '3000', '8000'];
    expect(valueWithUnit('memory.pages', '0', grid)).toBe('unlimited');
    expect(valueWithUnit('memory.pages', '1500', grid)).toBe('1500 pages');
    expect(valueWithUnit('memory.memlock_limit_bytes', '2097152', ['2097152', '8388608'])).toBe('2 MiB');
    expect(valueWithUnit('personality', 'freebsd', ['freebsd'])).toBe('freebsd');
    const d = differenceText([{ key: 'memory.pages', a: '0', b: '1500', byKernel: false }, { key: 'pager.cluster_pages', a: '32', b: '8', byKernel: false }]);
    expect([d.a, d.b]).toEqual(['memory unlimited, write cluster 32 pages', 'memory 1500 pages, write cluster 8 pages']);
    const more = differenceText([{ key: 'pager.cluster_pages', a: '32', b: '8', byKernel: false }, { key: 'fs.kind', a: 'ufs', b: 'apfs', byKernel: false }, { key: 'memory.pages', a: '0', b: '1500', byKernel: false }]);
    expect(more.note).toBe('also differing (A / B): memory unlimited / 1500 pages');
  });
});

describe('one unit for one key within a report', () => {
  it('a memlock limit of 2 and 8 MiB: MiB on the sweep chart\'s axis and in the other charts\' legend', async () => {
    const points: AggPoint[] = ['linux', 'xnu'].flatMap((k, ki) => [2097152, 8388608].map((b) => ({ values: [k, b], stats: { [P99]: [100 * (ki + 1) + b / 2 ** 20, 5, 3] as [number, number, number] } })));
    const dir = aggSweep(['personality', 'memory.memlock_limit_bytes'], [P99], points);
    const results = await loadResults(dir);
    expect(results.configTitle).toBe('kernel, memlock limit (MiB)');
    expect(results.configurations.map((c) => c.label)).toEqual(['linux, 2', 'linux, 8', 'xnu, 2', 'xnu, 8']);
    const charts = await chartsOf(dir);
    const sweep = chartNamed(charts, 'sweep-p99-vs-memlock-limit-bytes').spec(200, 150);
    expect((sweep.encoding as { x: { title: string } }).x.title).toBe('memlock limit (MiB)');
    const pct = chartNamed(charts, 'latency-percentiles').spec(200, 150);
    expect(JSON.stringify(pct)).not.toContain('2097152');
    expect(JSON.stringify(pct)).not.toContain('(bytes)');
  });
});
