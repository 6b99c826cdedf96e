/**
 * A timeline panel whose count rises and falls more often than the plot can draw a line (a
 * reviewer's trace with an msync every 64 stores: dirty pages 0 → 64 → 0 → 64) was a solid block
 * of vertical strokes, or, once each drawn point was the most of several rows, a flat line at 64
 * as if the pages stayed dirty. Such a panel is drawn as a band from the least to the most of
 * each stretch of a few swings, with a line at the mean; timeline.csv and the rows of the chart's
 * data (`values`) keep their columns and names, the bands are a dataset of their own. Since
 * 2026-12-07 every panel is drawn so, at every run length (a slow count in stretches as narrow as
 * the figure draws): a short run's line was the peak of each row, a long run's the mean.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bandRows, chooseBands, FineBuckets, swings, tooDense, type FineTimeline } from '../reports/timeline-band.ts';
import { THEMES } from '../reports/theme.ts';
import { layoutChart } from '../reports/render.ts';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';
import { vegaLiteValidator } from './vega-schema.ts';

/** Fine buckets of `rows` rows from dirty-page samples `dirty` (peaks `peak`, default the samples), the other counts 0. */
function fineOf(dirty: readonly number[], rows: number, peak: readonly number[] = dirty): FineTimeline {
  const f = new FineBuckets(rows);
  dirty.forEach((v, i) => f.add(i * 1000, [v, 0, 0, 0], [peak[i]!, 0, 0, 0]));
  return f.done();
}

/** 0, 64, 0, 64, ...: `n` samples. */
const alternating = (n: number) => Array.from({ length: n }, (_, i) => (i % 2) * 64);

describe('fine buckets and bands', () => {
  it('bands of four rows of 0, 64, 0, 64 go from 0 to 64 with a mean of 32; the last row is a band of its own', () => {
    const fine = fineOf(alternating(10), 2);
    expect(fine.t_ms).toEqual([0, 2, 4, 6, 8]);
    expect(fine.lo.dirty_pages).toEqual([0, 0, 0, 0, 0]);
    expect(fine.hi.dirty_pages).toEqual([64, 64, 64, 64, 64]);
    const bands = bandRows(fine, 2, ['dirty_pages']);
    expect(bands.map((b) => [b.t_ms, b.dirty_pages_min, b.dirty_pages_max, b.dirty_pages_mean])).toEqual([
      [0, 0, 64, 32], [4, 0, 64, 32], [8, 0, 64, 32],
      // the run's end, row 9: its sample alone
      [9, 64, 64, 64],
    ]);
  });

  it("the most is the peak column's, the least and the mean the samples'", () => {
    // samples 10, 20, 30, 40; a peak of 90 between the second and third
    const bands = bandRows(fineOf([10, 20, 30, 40], 1, [10, 90, 30, 40]), 4, ['dirty_pages']);
    expect(bands[0]).toMatchObject({ dirty_pages_min: 10, dirty_pages_max: 90, dirty_pages_mean: 25 });
  });

  it('counts a swing at each move between the low and the high quarter of the range, not the wiggles within one', () => {
    expect(swings(fineOf(alternating(100), 1), 'dirty_pages', 64)).toBe(99);
    // a sawtooth 0, 8, ..., 64 (9 rows a tooth), 10 teeth: up and down each
    const saw = Array.from({ length: 90 }, (_, i) => (i % 9) * 8);
    expect(swings(fineOf(saw, 1), 'dirty_pages', 64)).toBe(19);
    // 60, 64, 60, 64: wiggles of 4 in a panel up to 64 are a line, not a swing
    expect(swings(fineOf(alternating(100).map((v) => 60 + v / 16), 1), 'dirty_pages', 64)).toBe(0);
    // rows of both quarters in one fine bucket (every bucket 0 and 64): a swing each way
    expect(swings(fineOf(alternating(100), 4), 'dirty_pages', 64)).toBe(2 * 25 - 1);
  });

  it('too dense: a swing narrower than two line widths', () => {
    expect(tooDense(100, 200, 1.25)).toBe(true);
    expect(tooDense(50, 200, 1.25)).toBe(false);
    expect(tooDense(0, 200, 1.25)).toBe(false);
  });

  it('bands every series, in stretches set by those too dense to draw, of one width for runs on one time axis', () => {
    const a = fineOf(alternating(2000), 1), b = fineOf(alternating(1000), 1);
    const panels = [{ field: 'dirty_pages' as const, max: 64 }, { field: 'queue_depth' as const, max: 1 }];
    const c = chooseBands([{ label: 'a', fine: a }, { label: 'b', fine: b }], panels, 200, 1.25, true);
    expect(c.series).toEqual(['dirty_pages', 'queue_depth']);
    expect(c.dense).toEqual(['dirty_pages']);
    expect(c.swings).toBe(1999);
    // 8 swings a band would be 8 rows, but a band is at least 2 px: 100 bands over 200 px of the longer run's
    // 2,000 rows, 20 rows each; the shorter run's bands as wide, on one axis
    expect(c.runs.map((r) => r.rows)).toEqual([20, 20]);
    expect(c.runs.map((r) => r.bands.length)).toEqual([100 + 1, 50 + 1]);
    for (const r of c.runs) for (const band of r.bands.slice(0, -1)) expect(band).toMatchObject({ config: r.label, dirty_pages_min: 0, dirty_pages_max: 64, dirty_pages_mean: 32 });
    // a slow rise and fall (one swing up, one down) is not too dense: banded all the same (until 2026-12-07 a line of
    // its peaks, no bands), in stretches as narrow as the figure draws, 2 px: 20 of its 2,000 rows over 200 px
    const slow = fineOf(Array.from({ length: 2000 }, (_, i) => (i < 1000 ? i : 2000 - i) / 16), 1);
    const s = chooseBands([{ label: 'a', fine: slow }], panels, 200, 1.25, false);
    expect([s.series, s.dense, s.swings]).toEqual([['dirty_pages', 'queue_depth'], [], 0]);
    expect(s.runs[0]!.rows).toBe(20);
    expect(s.runs[0]!.bands[1]).toMatchObject({ t_ms: 20, dirty_pages_min: 20 / 16, dirty_pages_max: 39 / 16, dirty_pages_mean: 29.5 / 16 });
  });
});

describe('the timeline chart of a count that alternates 0, 64, 0, 64 at every row', () => {
  /** A run of 2,000 rows: dirty pages alternating 0 and 64, one page under writeback at every row (a flat line). */
  const alternatingRun = () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-band-')), 'run');
    writeRun(dir, { syncs: [{ t: 1, lat: 100, pages: 64 }], timeline: alternating(2000).map((d) => [d, 1, 0, 0]) });
    return dir;
  };
  /** The parts of a timeline's spec looked at here. */
  type Spec = {
    title: { text: string[] }; data: { values: Record<string, number | string>[] }; datasets?: { bands: Record<string, number | string>[] };
    concat: { title: { text: string }; data?: { name: string }; mark?: { type: string }; layer?: { mark: { type: string }; encoding: Record<string, { field?: string }> }[]; encoding?: { y: { field: string } } }[];
  };
  /** The timeline chart of `dir` and its spec at a plot of 200 × 60 px. */
  const chartAndSpec = async (dir: string) => {
    const chart = chartNamed(await chartsOf(dir), 'timeline');
    return { chart, spec: chart.spec(200, 60) as Spec };
  };
  const specOf = async (dir: string) => (await chartAndSpec(dir)).spec;

  it('draws dirty pages as a band from 0 to 64 at every bucket with its mean, 32, as the line', async () => {
    const { chart, spec } = await chartAndSpec(alternatingRun());
    expect(vegaLiteValidator()(spec)).toBe(true);
    const bands = spec.datasets!.bands;
    // bands of equal width (rows of 1 ms) of at least 8 swings, at least 2 px each (the figure is 238 px wide), then the run's end
    const width = (bands[1]!.t_ms as number) - (bands[0]!.t_ms as number);
    expect(width).toBeGreaterThanOrEqual(8);
    expect(bands.length - 1).toBeLessThanOrEqual(238 / 2);
    expect(bands.slice(0, -1).every((b, i) => b.t_ms === i * width)).toBe(true);
    expect(bands.at(-1)!.t_ms).toBe(1999);
    // each band from 0 to 64, its mean that of its rows: 64 at every odd one
    for (const b of bands.slice(0, -1)) {
      const rows = Array.from({ length: Math.min(width, 2000 - (b.t_ms as number)) }, (_, j) => (b.t_ms as number) + j);
      expect([b.dirty_pages_min, b.dirty_pages_max, b.dirty_pages_mean]).toEqual([0, 64, (64 * rows.filter((r) => r % 2 === 1).length) / rows.length]);
    }
    // the panel: shading from the least to the most, a line at the mean, from the bands
    const panel = spec.concat.find((p) => p.title.text === 'dirty pages')!;
    expect(panel.data).toEqual({ name: 'bands' });
    expect(panel.layer!.map((l) => [l.mark.type, l.encoding.y!.field, l.encoding.y2?.field])).toEqual([
      ['area', 'dirty_pages_min', 'dirty_pages_max'],
      ['line', 'dirty_pages_mean', undefined],
    ]);
    // the steady count is drawn the same way, in the same stretches (until 2026-12-07 a line of each 4 rows' most)
    const steady = spec.concat.find((p) => p.title.text === 'pages under writeback')!;
    expect([steady.data, steady.layer!.map((l) => l.encoding.y!.field)]).toEqual([{ name: 'bands' }, ['writeback_pages_min', 'writeback_pages_mean']]);
    // the figure says what the shading and the line are (a file of samples alone: no peaks)
    const note = spec.title.text.join(' ');
    expect(note).toContain(`line: mean of the samples in each ${width} ms; shaded: least to most sample`);
    expect(note).not.toContain('largest');
    // the caption, what and why
    expect(chart.caption).toContain(`In each panel the line is the mean of the samples of timeline.csv in each ${width} ms of simulated time (${width} rows, a row every 1000 µs)`);
    expect(chart.caption).toContain('dirty pages rise and fall (between the lower and the upper quarter of their range) up to 1,999 times, more often than a line can be drawn (a rise or fall under 2 line widths wide), so each stretch holds about 8 of those rises and falls');
  });

  it("keeps the chart's rows (values) as they were: t_ms and each count's largest per point, under the same names", async () => {
    const spec = await specOf(alternatingRun());
    const rows = spec.data.values;
    expect(Object.keys(rows[0]!).sort()).toEqual(['config', 'dirty_pages', 'queue_depth', 't_ms', 'wired_pages', 'writeback_pages']);
    // 2,000 rows in points of 4: 500, and the end row
    expect(rows.length).toBe(501);
    expect(rows.slice(0, -1).every((r) => r.dirty_pages === 64)).toBe(true);
  });

  it('with timeline.csv\'s *_max columns: the most from the peak column (a sample of 0, 64 pages dirty between rows)', async () => {
    const dir = alternatingRun();
    // every sample 0 dirty pages, every interval up to 64 (dirtied and cleaned between two rows)
    writeFileSync(join(dir, 'timeline.csv'), 't_us,dirty_pages,writeback_pages,wired_pages,resident_pages,queue_depth,dirty_pages_max,writeback_pages_max,wired_pages_max,resident_pages_max,queue_depth_max\n'
      + Array.from({ length: 2000 }, (_, i) => `${i * 1000},0,1,0,0,0,${i === 1999 ? 0 : 64},1,0,0,0\n`).join(''));
    const spec = await specOf(dir);
    const bands = spec.datasets!.bands;
    expect(bands.length).toBeGreaterThan(10);
    for (const b of bands.slice(0, -1)) expect([b.dirty_pages_min, b.dirty_pages_max, b.dirty_pages_mean]).toEqual([0, 64, 0]);
  });

  it('a count that changes slowly is drawn as any other: its line the mean of the samples, not the most of each point', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-band-')), 'run');
    writeRun(dir, { syncs: [{ t: 1, lat: 100, pages: 64 }], timeline: Array.from({ length: 2000 }, (_, i) => [Math.floor(i / 100) % 2 ? 64 : 0, 1, 0, 0]) });
    const spec = await specOf(dir);
    // until 2026-12-07 a line of each 4 rows' most, no bands, and no word of it in the figure
    expect(spec.concat.map((p) => p.layer!.find((l) => l.mark.type === 'line')!.encoding.y!.field)).toEqual(['dirty_pages_mean', 'writeback_pages_mean']);
    const bands = spec.datasets!.bands;
    const width = (bands[1]!.t_ms as number) - (bands[0]!.t_ms as number);
    expect(bands.slice(0, -1).every((b) => b.dirty_pages_mean === (Math.floor((b.t_ms as number) / 100) % 2 ? 64 : 0) || b.dirty_pages_min !== b.dirty_pages_max)).toBe(true);
    expect(spec.title.text.join(' ')).toContain(`line: mean of the samples in each ${width} ms; shaded: least to most sample`);
  });

  it('lays out in a few passes although its note is wider than the first guess of its plot (it took 10)', async () => {
    const chart = chartNamed(await chartsOf(alternatingRun()), 'timeline');
    const laid = await layoutChart(chart, THEMES.paper.widths.single, THEMES.paper.padding);
    expect(laid.width).toBe(THEMES.paper.widths.single);
    expect(laid.passes).toBeLessThanOrEqual(7);
  });
});
