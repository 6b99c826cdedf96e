/**
 * Axes and layouts of figures a paper reviewer reads: log-axis ticks whose labels stand apart
 * (vertical and horizontal, none at a floor holding 0 values), CDF ends at round values, a
 * layout of many whole-pixel cells that fits its size, and the in-figure notes on tail
 * percentiles of few msyncs and on faint points.
 */
import { describe, expect, it } from 'vitest';
import { coincidingCurves } from '../reports/charts/latency-cdf.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutChart } from '../reports/render.ts';
import { THEMES, vegaLiteConfig } from '../reports/theme.ts';
import { logTicks, logTicksAcross, snapLogDomain, type Chart, type VlSpec } from '../reports/chart.ts';
import { chartsOf, writeRun } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-axes-'));
const find = (charts: Chart[], name: string) => {
  const c = charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c;
};

describe('layout of many cells', () => {
  it('a figure whose cells take whole pixels (its total moves 16 px a step) still fits its size exactly', async () => {
    // 16 stacked cells, each rounded up to a whole pixel as vega rounds a facet's: the passes that move the
    // cell by a fraction of a pixel all overshoot, so the layout must shrink the cells by whole pixels (323 px is
    // one of the heights, 307, 323, 339 and 355 between 300 and 420, where the passes alone ended a pixel over)
    const cell = (cw: number, ch: number): VlSpec => ({
      width: Math.ceil(cw), height: Math.ceil(ch), mark: 'point',
      encoding: { x: { field: 'x', type: 'quantitative', axis: null }, y: { field: 'y', type: 'quantitative', axis: null } },
    });
    const chart: Chart = {
      name: 'cells', family: 'cells', title: 'cells', caption: 'cells', cells: { x: 1, y: 16 },
      height: () => 323,
      spec: (cw, ch) => ({ config: vegaLiteConfig(paper), data: { values: [{ x: 1, y: 1 }] }, spacing: 0, vconcat: Array.from({ length: 16 }, () => cell(cw, ch)) }),
    };
    const laid = await layoutChart(chart, 200, paper.padding);
    expect(laid.warnings).toEqual([]);
    expect([laid.width, laid.height]).toEqual([200, 323]);
  });
});

describe('log axes whose labels stand apart', () => {
  it('tick 1, 2 and 5 per decade only when labels a factor 2 apart stand 2.2 label heights apart; else powers of ten', () => {
    // 2.6 decades in 110 px: 42 px a decade, 12.7 px between 1 and 2 × 10^k (less than 2.2 × 8 px)
    expect(logTicks([5000, 2e6], 110, 8)).toEqual([1e4, 1e5, 1e6]);
    // 2.6 decades in 400 px: 153 px a decade, 46 px between 1 and 2
    expect(logTicks([50, 20000], 400, 8)).toEqual([50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]);
    // 12 decades in 100 px: 8.3 px a decade, so every third power of ten (25 px apart)
    expect(logTicks([1, 1e12], 100, 8)).toEqual([1, 1e3, 1e6, 1e9, 1e12]);
    // less than a decade: 1-2-5 steps have room
    expect(logTicks([200, 500], 100, 8)).toEqual([200, 500]);
    // no two 1-2-5 steps inside: finer steps, as many as stand apart (never vega's 70, 80, 90, 100 and nothing above)
    expect(logTicks([300, 400], 100, 8)).toEqual([300, 400]);
    expect(logTicks([68, 190], 200, 11)).toEqual([70, 100, 150]);
    expect(logTicks([68, 190], 60, 11)).toEqual([70, 150]);
    expect(logTicks([101, 180], 200, 11)).toEqual([120, 150]);
    // 1-2-5 ticks that leave the top third unlabelled: the finer ones; those that reach both ends stay
    expect(logTicks([40, 180], 200, 11)).toEqual([50, 70, 100, 150]);
    expect(logTicks([45, 110], 200, 11)).toEqual([50, 100]);
    // a decade or more: never the finer steps (vega chooses when the 1-2-5 ones are too few)
    expect(logTicks([1, 1000], 25, 11, true)).toBeUndefined();
    expect(logTicks([1, 10], 30, 11, true)).toBeUndefined();
    // nothing at all fits: vega chooses
    expect(logTicks([301, 309], 100, 8)).toBeUndefined();
    expect(logTicks([0, 10], 100, 8)).toBeUndefined();
    expect(logTicks([1, Infinity], 100, 8)).toBeUndefined();
    // every third power of ten over 4 decades in 30 px: the phase with two ticks, not the one with one
    expect(logTicks([1, 1e4], 30, 8)).toEqual([10, 1e4]);
    // no tick at the floor where 0 values are drawn
    expect(logTicks([50, 20000], 400, 8, true)).toEqual([100, 200, 500, 1000, 2000, 5000, 10000, 20000]);
  });

  it('a horizontal log axis keeps its labels a label width and a label height apart (no "400500")', () => {
    // 100 to 2000 µs in 250 px: 192 px a decade, 58 px between 1 and 2 × 10^k, "2,000" about 20 px wide at 8 px
    expect(logTicksAcross([100, 2000], 250, 8)).toEqual([100, 200, 500, 1000, 2000]);
    // in 80 px: 61 px a decade, 18 px between 1 and 2 × 10^k: powers of ten only
    expect(logTicksAcross([100, 2000], 80, 8)).toEqual([100, 1000]);
    // ends moved out to 1-2-5 values when that stretches them by 1.5 times or less
    expect(snapLogDomain([115, 1800])).toEqual([100, 2000]);
    expect(snapLogDomain([140, 260])).toEqual([100, 260]);
  });

  it('latency-cdf ticks its log x axis with labels apart, its ends at round values; latency-vs-pages draws a few msyncs nearly opaque', async () => {
    const base = tmp();
    writeRun(join(base, 'a'), { syncs: [{ t: 1, lat: 115, pages: 1 }, { t: 2, lat: 130, pages: 1 }, { t: 3, lat: 480, pages: 2 }, { t: 4, lat: 1800, pages: 3 }] });
    const charts = await chartsOf(base);
    const cdf = find(charts, 'latency-cdf').spec(200, 150);
    const x = ((cdf.layer as VlSpec[])[0].encoding as { x: { scale: { domain: number[] }; axis: { values: number[] } } }).x;
    expect(x.scale.domain).toEqual([100, 2000]);
    expect(x.axis.values).toEqual([100, 200, 500, 1000, 2000]);
    const scatter = find(charts, 'latency-vs-pages');
    expect((scatter.spec(200, 150).mark as { opacity: number }).opacity).toBe(0.8);
    expect(scatter.caption).not.toContain('darker points');
    // one configuration: filled circles, no shape of its own
    expect((scatter.spec(200, 150).encoding as Record<string, unknown>).shape).toBeUndefined();
  });

  it('latency-vs-pages draws several configurations hollow, a shape each, so that points they share show both', async () => {
    const base = tmp();
    writeRun(join(base, 'a'), { syncs: [{ t: 1, lat: 50, pages: 2 }, { t: 2, lat: 60, pages: 3 }] });
    writeRun(join(base, 'b'), { syncs: [{ t: 1, lat: 50, pages: 2 }, { t: 2, lat: 180, pages: 9 }] });
    const scatter = find(await chartsOf(base), 'latency-vs-pages');
    const spec = scatter.spec(300, 200);
    expect(spec.mark).toMatchObject({ type: 'point', filled: false });
    const enc = spec.encoding as { shape: { field: string; scale: { domain: string[]; range: string[] } }; color: { legend: unknown } };
    expect(enc.shape.field).toBe('config');
    expect(enc.shape.scale).toEqual({ domain: ['a', 'b'], range: ['circle', 'square'] });
    expect(scatter.caption).toContain('each configuration has a shape of its own, hollow');
    expect(scatter.caption).toContain('. 4 msyncs of positive latency drawn');
    // a configuration joined to another's series is drawn, and counted, once
    writeRun(join(base, 'c'), { syncs: [{ t: 1, lat: 50, pages: 2 }, { t: 2, lat: 60, pages: 3 }] });
    const joined = find(await chartsOf(base), 'latency-vs-pages');
    expect(joined.caption).toContain('. 4 msyncs of positive latency drawn');
  });

  it('latency-percentiles spans data of less than a decade closely (214-241 µs: not 200-500), and a wider span out to 1-2-5 ends', async () => {
    const base = tmp();
    writeRun(join(base, 'a'), { syncs: Array.from({ length: 20 }, (_, i) => ({ t: i + 1, lat: 214 + (i * 27) / 19, pages: 1 })) });
    const spec = find(await chartsOf(base), 'latency-percentiles').spec(300, 200);
    type Y = { scale?: { domain: [number, number] }; axis?: { values?: number[]; tickCount?: number } };
    const y = (spec.layer as VlSpec[]).map((l) => (l.encoding as { y: Y }).y).find((e) => e.axis)!;
    expect(y.scale!.domain[0]).toBeGreaterThanOrEqual(200);
    expect(y.scale!.domain[1]).toBeLessThanOrEqual(250);
    // too narrow for two 1-2-5 steps: until 2026-12-06 vega's own ticks (200, 210, ... 240), the p99.9 of 241 µs above the
    // last; now labels in steps of 5 from one at or below the p50 (227.5 µs) to one at or above the p99.9
    expect(y.axis!.values).toEqual([225, 230, 235, 240, 245]);
    expect(y.scale!.domain).toEqual([225, 245]);
    const wide = tmp();
    // p50 1,874 µs, p99 1,070,000: out to 1,000 and 2,000,000 µs, drawn in ms since 2026-12-08 (1 to 2,000)
    writeRun(join(wide, 'a'), { syncs: Array.from({ length: 60 }, (_, i) => ({ t: i + 1, lat: i < 40 ? 1874 : 1_070_000, pages: 1 })) });
    const yw = ((find(await chartsOf(wide), 'latency-percentiles').spec(300, 200).layer as VlSpec[]).map((l) => (l.encoding as { y: Y & { title?: string } }).y).find((e) => e.axis))!;
    expect(yw.scale!.domain).toEqual([1, 2000]);
    expect(yw.title).toBe('msync latency (ms, log scale)');
  });

  it('latency-percentiles puts no labelled tick at the floor where its hollow 0 µs dots are', async () => {
    const base = tmp();
    writeRun(join(base, 'slow'), { syncs: [{ t: 1, lat: 200, pages: 1 }, { t: 2, lat: 3000, pages: 1 }] });
    writeRun(join(base, 'instant'), { syncs: [{ t: 1, lat: 0, pages: 1 }, { t: 2, lat: 0, pages: 1 }] });
    const chart = find(await chartsOf(base, 504), 'latency-percentiles');
    const spec = chart.spec(400, 300);
    type Y = { scale?: { domain: [number, number] }; axis?: { values: number[] } };
    const y = (spec.layer as VlSpec[]).map((l) => (l.encoding as { y: Y }).y).find((e) => e.axis)!;
    expect(y.axis!.values.length).toBeGreaterThan(1);
    expect(Math.min(...y.axis!.values)).toBeGreaterThan(y.scale!.domain[0]);
  });

  it('latency-percentiles spanning 5 ms to 2 s at single width labels its ends and powers of ten between that stand apart', async () => {
    const base = tmp();
    writeRun(join(base, 'slow'), { syncs: [{ t: 1, lat: 2e6, pages: 1 }, { t: 2, lat: 1e6, pages: 1 }] });
    writeRun(join(base, 'fast'), { syncs: [{ t: 1, lat: 5000, pages: 1 }, { t: 2, lat: 6000, pages: 1 }] });
    const chart = find(await chartsOf(base), 'latency-percentiles');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    const layers = laid.spec.layer as VlSpec[];
    const axis = (layers[layers.length - 1].encoding as { y: { axis: { values?: number[] } } }).y.axis;
    // until 2026-12-06 powers of ten only, 10,000 to 1,000,000, the 5 ms and 2 s dots beyond them: now the 1-2-5 ends of the
    // data (5 and 2,000 ms; µs until 2026-12-08) and the powers of ten between that do not crowd them
    expect(axis.values![0]).toBe(5);
    expect(axis.values![axis.values!.length - 1]).toBe(2000);
    expect(axis.values!.slice(1, -1).every((v) => Number.isInteger(Math.log10(v)))).toBe(true);
    expect(axis.values!.length).toBeGreaterThanOrEqual(3);
  });
});

describe('tail percentiles of few msyncs', () => {
  it('latency-percentiles says when a run had fewer msyncs than p99 or p99.9 needs; not when it had enough', async () => {
    const noteOf = (c: Chart) => ((c.spec(200, 150).title as { text?: string[] } | undefined)?.text ?? []).join(' ');
    const few = tmp();
    writeRun(join(few, 'a'), { syncs: Array.from({ length: 8 }, (_, i) => ({ t: i + 1, lat: 100 + i, pages: 1 })) });
    expect(noteOf(find(await chartsOf(few), 'latency-percentiles'))).toContain('p99 and p99.9 of 8 msyncs (fewer than 100) are its largest msyncs or near them');
    const some = tmp();
    writeRun(join(some, 'a'), { syncs: Array.from({ length: 200 }, (_, i) => ({ t: i + 1, lat: 100 + i, pages: 1 })) });
    expect(noteOf(find(await chartsOf(some), 'latency-percentiles'))).toContain('p99.9 of 200 msyncs (fewer than 1,000) is near its largest msync');
    const many = tmp();
    writeRun(join(many, 'a'), { syncs: Array.from({ length: 1000 }, (_, i) => ({ t: i + 1, lat: 100 + (i % 50), pages: 1 })) });
    expect(noteOf(find(await chartsOf(many), 'latency-percentiles'))).not.toContain('largest msync');
  });
});

describe('horizontal log axes below 1', () => {
  it('measure the labels as written (0.05, not 0): 0.01 to 0.9 in 90 px gets powers of ten only', () => {
    expect(logTicksAcross([0.01, 0.9], 90, 8)).toEqual([0.01, 0.1]);
  });
});

describe('coincidingCurves', () => {
  it('names the pairs of CDF curves whose p50 and p99 are each within 2 %, which a reader would take for one', () => {
    const c = (label: string, p50: number | null, p99: number | null) => ({ label, p50, p99 });
    expect(coincidingCurves([c('a', 1883.8, 2000), c('b', 1874.6, 1990), c('c', 1000, 2000)])).toEqual(['a and b']);
    // p50 close but not p99, or a percentile missing: apart
    expect(coincidingCurves([c('a', 100, 200), c('b', 101, 260)])).toEqual([]);
    expect(coincidingCurves([c('a', null, null), c('b', null, null)])).toEqual([]);
  });
});
