/**
 * A reviewer's look at the PNGs of a run, a compare and a sweep (helper-67):
 * each block names the defect the figures showed and checks what a reader
 * sees instead. Expected values are worked out here from the documented
 * rules and the theme's sizes, not taken from the code.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { compareCdfChart } from '../reports/charts/compare-cdf.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, writeRun, type AggPoint } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-review-'));
const noteOf = (spec: VlSpec) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');

/** Every view of a laid-out spec that has its own width and height (a plot cell): their heights. */
function cellHeights(spec: VlSpec): number[] {
  const out: number[] = [];
  JSON.stringify(spec, (_k, v) => {
    if (v && typeof v === 'object' && v !== spec && typeof v.height === 'number' && typeof v.width === 'number') out.push(v.height);
    return v;
  });
  return out;
}

describe('timeline strips (the height estimate overshot: strips stretched 30–100 % into empty space)', () => {
  /** A runs directory of `n` runs, run `i` lasting `len(i)` samples of 1 ms; wired pages only with `wired`. */
  const runs = (n: number, len: (i: number) => number, wired: boolean): string => {
    const base = tmp();
    for (let i = 0; i < n; i++) {
      const timeline = Array.from({ length: len(i) }, (_, j) => [(j % 10) + 1 + i, j % 3, wired ? 5 : 0, j % 4]);
      writeRun(join(base, `run${i}`), { syncs: [{ t: 1, lat: 100 + i, pages: 1 }], timeline });
    }
    return base;
  };

  it('are drawn at their least height, 26 pt in a single column and 32 pt wider, shared or own time axes, three or four panels', async () => {
    const cases = [
      runs(5, () => 100, false), // five overlaid would hide one another: strips, three panels
      runs(4, () => 100, true), // four panels
      runs(4, (i) => (i % 2 ? 3000 : 30), false), // runs 100× apart in length: a time axis per strip
    ];
    for (const dir of cases) {
      for (const width of [150, 238, 504]) {
        const charts = (await chartsOf(dir, width)).filter((c) => c.family === 'timeline');
        expect(charts.length).toBeGreaterThan(0);
        for (const chart of charts) {
          const laid = await layoutChart(chart, width, paper.padding);
          expect(laid.warnings).toEqual([]);
          expect(laid.width).toBe(width);
          // STRIP_HEIGHT: 26 pt below 400 pt wide, 32 from there (3.2 label heights, 25.6 pt, is less)
          const want = width >= 400 ? 32 : 26;
          for (const h of cellHeights(laid.spec)) expect(h, `${chart.name} at ${width} pt`).toBeCloseTo(want, 1);
          // the bound that split the figures holds the figure, and is near it (a few pt a strip)
          expect(laid.height).toBeLessThanOrEqual(Math.round(chart.height(width)));
          expect(chart.height(width) - laid.height).toBeLessThanOrEqual(2 * chart.cells.y + 2);
          expect(laid.height).toBeLessThanOrEqual(paper.maxFigureHeight);
        }
      }
    }
  });

  it('four runs 100× apart in length fit one single-column figure (the estimate split them into two)', async () => {
    const charts = (await chartsOf(runs(4, (i) => (i % 2 ? 3000 : 30), false), 238)).filter((c) => c.family === 'timeline');
    expect(charts.map((c) => c.name)).toEqual(['timeline']);
    const laid = await layoutChart(charts[0], 238, paper.padding);
    expect(laid.height).toBeLessThanOrEqual(paper.maxFigureHeight);
  });
});

describe('a horizontal log axis whose end is not a round value', () => {
  it('labels every power of ten (compare-cdf of 1.44 to 5,505 µs showed 10 and 1,000 only)', async () => {
    const a = Float64Array.from([1.5, 43, 44, 45, 46, 2447]);
    const b = Float64Array.from([1.44, 1.45, 1.46, 90, 300, 5505]);
    const chart = compareCdfChart({ a: { tag: 'A', label: 'demo', latencies: a }, b: { tag: 'B', label: 'demo-linux', latencies: b }, p: 1e-3 }, paper);
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    const x = ((laid.spec.layer as VlSpec[])[0].encoding as { x: { scale: { domain: number[] }; axis: { values: number[] } } }).x;
    // the samples and a tenth beyond, 1 to 6,055.5, left 5,505 µs above the last label (1,000) until 2026-12-06: the
    // axis now ends at a label at or above it, 10,000
    expect(x.scale.domain).toEqual([1, 10000]);
    // 4 decades over a plot of about 200 pt: about 50 pt a decade, where "10,000" is 22 pt wide at 8 pt
    expect(x.axis.values).toEqual([1, 10, 100, 1000, 10000]);
    for (const v of [1, 10, 100, 1000, 10000]) expect(laid.svg).toContain(`>${v.toLocaleString('en-US')}</text>`);
  });
});

describe('a vertical log axis labelled at powers of ten only', () => {
  it('labels its 1-2-5 ends too where they stand apart, as the README says of latency-percentiles', async () => {
    const dir = join(tmp(), 'r');
    // p50 43 µs, p99.9 about 2,300 µs (the demo's run): an axis from 20 to 5,000
    const syncs = Array.from({ length: 643 }, (_, i) => ({ t: i + 1, lat: i < 600 ? 43 : i < 640 ? 500 : 2300, pages: 1 }));
    writeRun(dir, { syncs });
    const chart = chartNamed(await chartsOf(dir), 'latency-percentiles');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    const y = ((laid.spec.layer as VlSpec[])[0].encoding as { y: { scale: { domain: number[] }; axis: { values: number[] } } }).y;
    expect(y.scale.domain).toEqual([20, 5000]);
    // 2.4 decades over a plot of about 135 pt: 2 × 10^k steps are 17 pt apart, less than 2.2 label heights (17.6 pt)
    expect(y.axis.values).toEqual([20, 100, 1000, 5000]);
    for (const t of ['>20<', '>100<', '>1,000<', '>5,000<']) expect(laid.svg).toContain(t);
  });
});

describe('sweep x axes of bytes and times, and a utilization', () => {
  const sweep = (key: string, xs: number[], metric = 'sync.latency_us.p99', value = (k: string, x: number) => (k === 'linux' ? 500 : 400) + Math.log2(x)) => {
    const points: AggPoint[] = [];
    for (const k of ['linux', 'xnu']) for (const x of xs) points.push({ values: [k, x], stats: { [metric]: [value(k, x), value(k, x) * 0.1, 3] } });
    return aggSweep(['personality', key], [metric], points);
  };
  const xOf = (chart: Chart) => (chart.spec(200, 150).encoding as { x: { title: string; axis: { values: number[]; format?: string } } }).x;

  it('a footprint of 1, 4 and 16 MiB in bytes reads 1, 4, 16 in MiB, not 1.048576M', async () => {
    const chart = chartNamed(await chartsOf(sweep('trace.set.footprint', [1048576, 4194304, 16777216])), 'sweep-p99-vs-footprint');
    const x = xOf(chart);
    expect(x.title).toBe('footprint (MiB, log scale)');
    expect(x.axis.values).toEqual([1, 4, 16]);
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    for (const t of ['>1<', '>4<', '>16<']) expect(laid.svg).toContain(t);
    expect(laid.svg).not.toMatch(/\d\.\d{3,}M/);
    // 4 KiB to 1 MiB: in KiB, the smallest a whole one
    expect(xOf(chartNamed(await chartsOf(sweep('trace.set.write_size', [4096, 65536, 1048576])), 'sweep-p99-vs-write-size')).axis.values).toEqual([4, 64, 1024]);
  });

  it('an msync interval of 1,000 to 16,000 µs reads 1, 4, 16 in ms; one from 100 µs stays in µs', async () => {
    const chart = chartNamed(await chartsOf(sweep('trace.set.sync_interval_us', [1000, 4000, 16000])), 'sweep-p99-vs-sync-interval-us');
    expect(xOf(chart).title).toBe('msync interval (ms, log scale)');
    expect(xOf(chart).axis.values).toEqual([1, 4, 16]);
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect(laid.svg).not.toContain('>4k<');
    const us = xOf(chartNamed(await chartsOf(sweep('trace.set.sync_interval_us', [100, 400, 1600])), 'sweep-p99-vs-sync-interval-us'));
    expect(us.title).toBe('msync interval (µs, log scale)');
    expect(us.axis.values).toEqual([100, 400, 1600]);
  });

  it('device utilization is drawn in percent (0.0005 is 0.05 %)', async () => {
    const chart = chartNamed(await chartsOf(sweep('device.channels', [1, 2, 4, 8], 'device.utilization', (k, x) => (k === 'linux' ? 0.0006 : 0.0005) / x)), 'sweep-utilization-vs-channels');
    const spec = chart.spec(200, 150);
    const rows = (spec.data as { values: { series: string; x: number; mean: number }[] }).values;
    expect(rows.find((r) => r.series === 'xnu' && r.x === 1)!.mean).toBeCloseTo(0.05, 12);
    expect(JSON.stringify(spec)).toContain('"title":"device utilization (%)"');
  });
});

describe('writeback-by-cause', () => {
  it('lists in its legend only the causes that wrote something, and names the others in its note', async () => {
    const dir = join(tmp(), 'r');
    writeRun(dir, { syncs: [{ t: 1, lat: 10, pages: 1 }], writeback: [{ cause: 'msync', bytes: 8192 }, { cause: 'pageout', bytes: 4096 }], dirtied: 8192 });
    const spec = chartNamed(await chartsOf(dir), 'writeback-by-cause').spec(200, 150);
    const color = ((spec.layer as VlSpec[])[0].encoding as { color: { scale: { domain: string[] } } }).color;
    expect(color.scale.domain).toEqual(['msync', 'pageout']);
    expect(noteOf(spec)).toContain('nothing written back by syncer');
  });

  it('keeps a cause too small to see in its data and legend, the legend giving its share of all bytes written back', async () => {
    const dir = join(tmp(), 'r');
    const MiB = 2 ** 20;
    // 12 and 20 KiB of 20 MiB: segments of a tenth of a pixel, and the legend listed them as plainly as msync
    writeRun(dir, {
      syncs: [{ t: 1, lat: 10, pages: 1 }],
      writeback: [{ cause: 'msync', bytes: 12 * MiB }, { cause: 'syncer', bytes: 8 * MiB }, { cause: 'journal', bytes: 20 * 1024 }, { cause: 'metadata', bytes: 12 * 1024 }],
      dirtied: 20 * MiB,
    });
    const spec = chartNamed(await chartsOf(dir), 'writeback-by-cause').spec(200, 150);
    const layer = (spec.layer as VlSpec[])[0];
    const color = (layer.encoding as { color: { scale: { domain: string[] }; legend: { labelExpr?: string } } }).color;
    expect(color.scale.domain).toEqual(['msync', 'syncer', 'journal', 'metadata']);
    expect((layer.data as { values: { cause: string; bytes: number }[] }).values.filter((p) => p.bytes < MiB).map((p) => [p.cause, p.bytes])).toEqual([['journal', 20480], ['metadata', 12288]]);
    // 20 / (20 · 1024 + 32) = 0.0975 %: under 0.1; 12 / 20512 = 0.0585 %
    // two entries a row: three left each label 40 px, and `journal (< 0.1 %)` ended in an ellipsis (`journal (< 0.…`)
    expect((color.legend as { columns?: number }).columns).toBe(2);
    expect(color.legend.labelExpr).toBe('{"journal":"journal (< 0.1 %)","metadata":"metadata (< 0.1 %)"}[datum.label] || datum.label');
    expect(noteOf(spec)).toContain("(N %) in the legend: a cause's share of all bytes written back, too small to see in the bars");
  });

  it('names the share to a tenth of a percent, and leaves a cause that can be seen as it is', async () => {
    const { unseenCauseNames } = await import('../reports/charts/writeback-by-cause.ts');
    const parts = [{ cause: 'msync', bytes: 996 }, { cause: 'metadata', bytes: 4 }, { cause: 'msync', bytes: 1000 }];
    // px: 0.1 px per byte, so 4 bytes are 0.4 px, under the 1 px a segment needs to be seen
    expect(unseenCauseNames(['msync', 'metadata'], parts, (b) => b / 10)).toEqual(new Map([['metadata', 'metadata (0.2 %)']]));
    expect(unseenCauseNames(['msync', 'metadata'], parts, (b) => b)).toEqual(new Map());
  });
});
