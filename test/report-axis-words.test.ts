/**
 * A new user's look at the figures of two small sweeps (2026-12-07):
 * x ticks of msync intervals of 10 and 50 ms read `1e+1` and `5e+1`
 * (an axis `format: ',~g'`, which vega narrows to the ticks' step); and
 * linear y axes from 5 MiB or 400 µs said nothing of not starting at 0,
 * where one of values 0.12 % apart did. Every sweep line whose linear y axis
 * does not start at 0 now says so, by one rule (`offZeroWords`), in its note
 * and caption; ticks are written as plain numbers, comma-grouped.
 */
import { describe, expect, it } from 'vitest';
import { COUNT_LABELS } from '../reports/chart.ts';
import { layoutChart } from '../reports/render.ts';
import { linearAxis, linearFromZero, offZeroWords } from '../reports/linear-axis.ts';
import { sweepX, xAxisLabels as xAxisOf } from '../reports/sweep-x.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, xAxisLabels, type AggPoint } from './report-fixtures.ts';

const paper = THEMES.paper;
type Layer = { encoding?: { y?: { scale?: { domain?: number[]; type?: string } }; x?: { axis?: Record<string, unknown> } } };
const noteOf = (spec: Record<string, unknown>) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');
const yDomain = (spec: Record<string, unknown>) => (spec.layer as Layer[]).find((l) => l.encoding?.y?.scale?.domain)!.encoding!.y!.scale!;

/** The user's sweep: trace.set.sync_interval_us [10000, 50000] × sync_every [0], p99 and bytes written back. */
function intervalSweep(bytes: [number, number], p99: [number, number]): string {
  const metrics = ['sync.latency_us.p99', 'writeback.bytes'];
  const points: AggPoint[] = [10000, 50000].map((x, i) => ({ values: [x, 0], stats: { 'sync.latency_us.p99': [p99[i]!, p99[i]! * 0.1, 2], 'writeback.bytes': [bytes[i]!, bytes[i]! * 0.1, 2] } }));
  return aggSweep(['trace.set.sync_interval_us', 'trace.set.sync_every'], metrics, points);
}

describe('sweep x ticks in a larger unit', () => {
  it('are written by the expression format of a count axis, never an axis format (,~g wrote 1e+1)', () => {
    const axis = xAxisOf(sweepX([10, 50], undefined), true, { widthPx: 200, padding: 10, fontSize: 8 });
    expect(axis).toEqual({ values: [10, 50], ...COUNT_LABELS });
    expect(JSON.stringify(axis)).not.toContain('~g');
  });

  it('msync intervals of 10,000 and 50,000 µs are labelled 10 and 50 (ms) in the drawn figure; 1.5 to 4.5 s plain numbers', async () => {
    const dir = intervalSweep([5.5 * 2 ** 20, 9 * 2 ** 20], [600, 2500]);
    for (const name of ['sweep-p99-vs-sync-interval-us', 'sweep-bytes-vs-sync-interval-us']) {
      const laid = await layoutChart(chartNamed(await chartsOf(dir), name), paper.widths.single, paper.padding);
      expect(laid.spec).not.toMatchObject({ encoding: { x: { axis: { format: expect.anything() } } } });
      expect(xAxisLabels(laid.svg, paper.fontSize.label).map((l) => l.text)).toEqual(['10', '50']);
    }
    const wide = aggSweep(['trace.set.sync_interval_us'], ['sync.latency_us.p99'], [1_500_000, 3_000_000, 4_500_000].map((x) => ({ values: [x], stats: { 'sync.latency_us.p99': [x / 1000, 10, 2] } })));
    const laid = await layoutChart(chartNamed(await chartsOf(wide), 'sweep-p99-vs-sync-interval-us'), paper.widths.single, paper.padding);
    const texts = xAxisLabels(laid.svg, paper.fontSize.label).map((l) => l.text);
    expect(texts).toEqual(['1.5', '3', '4.5']);
  });
});

describe('offZeroWords: one rule for a linear y axis that does not start at 0', () => {
  it('names an axis from above 0 whatever the spread, and how close the values are below 5 %', () => {
    expect(offZeroWords(5.5, 9)).toEqual({ note: 'the y axis does not start at 0', caption: 'the y axis does not start at 0' });
    expect(offZeroWords(400, 900).note).toBe('the y axis does not start at 0');
    expect(offZeroWords(697.853, 698.668)).toEqual({
      note: 'the y axis does not start at 0: the values drawn lie within 0.12 % of one another',
      caption: 'the y axis does not start at 0: the values drawn lie within 0.12 % of one another, so their differences look larger than they are',
    });
  });

  it('says nothing of an axis from 0: 0 among the values, near enough to add, always (a fraction), or a count below 1', () => {
    for (const [lo, hi, zero, integer] of [[-2, 5, true, false], [194, 1918, true, false], [40, 50, 'always', false], [0.2, 0.4, false, true]] as const) {
      expect(offZeroWords(lo, hi, zero, integer)).toEqual({ note: '', caption: '' });
    }
  });

  it('agrees with the axis drawn, on plots of any height', () => {
    const cases: [number, number, boolean, boolean][] = [[5.5, 9, true, false], [400, 900, true, false], [194, 1918, true, false], [1, 3, true, true], [0.3, 0.6, true, true], [1, 1.2, false, true], [97, 103, true, false], [-9, -5.5, true, false]];
    for (const [lo, hi, zero, integer] of cases) {
      for (const h of [40, 80, 120, 300]) {
        const ax = linearAxis(lo, hi, h, 8, 4, zero, integer);
        const fromZero = ax.domain[0] === 0 || ax.domain[1] === 0 || (ax.domain[0] < 0 && ax.domain[1] > 0);
        expect([lo, hi, h, fromZero]).toEqual([lo, hi, h, linearFromZero(lo, hi, zero, integer)]);
      }
    }
  });
});

describe("the user's sweep lines: every figure whose y axis does not start at 0 says so", () => {
  it('bytes written back of 5.5 and 9 MiB: the caption and the figure say so, and the axis is above 0', async () => {
    const chart = chartNamed(await chartsOf(intervalSweep([5.5 * 2 ** 20, 9 * 2 ** 20], [600, 2500])), 'sweep-bytes-vs-sync-interval-us');
    const spec = chart.spec(200, 120);
    expect(yDomain(spec).domain![0]).toBeGreaterThan(0);
    expect(chart.caption).toContain('; the y axis does not start at 0.');
    expect(noteOf(spec)).toContain('the y axis does not start at 0');
  });

  it('p99 of 420 to 900 µs against the write rate too; p99 of 600 to 2,500 µs, whose axis starts at 0, does not', async () => {
    const rate = aggSweep(['trace.set.rate'], ['sync.latency_us.p99'], [1000, 2000, 4000, 8000].map((x, i) => ({ values: [x], stats: { 'sync.latency_us.p99': [420 + i * 160, 20, 3] } })));
    const chart = chartNamed(await chartsOf(rate), 'sweep-p99-vs-rate');
    expect(yDomain(chart.spec(200, 120)).domain![0]).toBeGreaterThan(0);
    expect(chart.caption).toContain('the y axis does not start at 0');
    const fromZero = chartNamed(await chartsOf(intervalSweep([5.5 * 2 ** 20, 9 * 2 ** 20], [600, 2500])), 'sweep-p99-vs-sync-interval-us');
    expect(yDomain(fromZero.spec(200, 120)).domain![0]).toBe(0);
    expect(fromZero.caption).not.toContain('does not start at 0');
  });

  it('over many sweeps and sizes: the caption says so exactly when a linear y axis starts above 0', async () => {
    const spans: [number, number][] = [[100, 140], [100, 400], [5, 9], [1000, 1010], [30, 31], [2, 50], [0.5, 1.5]];
    for (const [a, b] of spans) {
      const dir = aggSweep(['trace.set.rate'], ['sync.latency_us.mean', 'writeback.bytes'], [1, 2, 3].map((x, i) => ({ values: [x * 1000], stats: { 'sync.latency_us.mean': [a + ((b - a) * i) / 2, (b - a) / 10, 3], 'writeback.bytes': [(a + ((b - a) * i) / 2) * 2 ** 20, 0, 3] } })));
      for (const chart of await chartsOf(dir)) {
        for (const [w, h] of [[200, 80], [200, 120], [400, 300]] as const) {
          const scale = yDomain(chart.spec(w, h));
          if (scale.type === 'log') continue;
          expect([chart.name, a, b, h, chart.caption.includes('does not start at 0')]).toEqual([chart.name, a, b, h, scale.domain![0]! > 0]);
        }
      }
    }
  });
});
