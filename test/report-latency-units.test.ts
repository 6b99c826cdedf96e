/**
 * A new user's finding (stop 87, helper 197): latency-percentiles and latency-cdf wrote µs on axes reaching
 * 1.5 s (ticks of 1,500,000) where the sweep charts switch to ms, and the CDF of 8 msyncs marked a `p99 ≈ p99.9`
 * without the small-sample note the percentiles chart gives. Both log-latency charts now draw in the unit the
 * values read best in (durationUnit, with a log axis's looser floor of 0.01), and the CDF says when its tail
 * markers rest on too few msyncs.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { durationUnit, LARGEST_IN_UNIT, LOG_AXIS, SMALLEST_IN_UNIT } from '../reports/duration-unit.ts';
import { aggSweep, chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

/** A figure's note as one line (it is wrapped into lines of text). */
const noteOf = (spec: VlSpec) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');

type Enc = { field: string; title?: string; scale?: { domain: [number, number] }; axis?: { values?: number[] } };
type Layer = { data?: { values: Record<string, unknown>[] }; encoding: Record<string, Enc> };

/** A run whose msyncs took `lats` µs, one a millisecond. */
function runOf(lats: number[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-units-')), 'run');
  writeRun(dir, { syncs: lats.map((lat, i) => ({ t: (i + 1) * 1000, lat, pages: 1 })) });
  return dir;
}

describe('durationUnit on a log axis', () => {
  it('50 µs to 1.5 s: ms on a log axis (0.05 to 1,500), µs under the linear rule (0.05 ms too small)', () => {
    expect(durationUnit('µs', [50, 1_500_000], LOG_AXIS)).toEqual({ unit: 'ms', div: 1000 });
    expect(durationUnit('µs', [50, 1_500_000], { smallest: SMALLEST_IN_UNIT, largest: LARGEST_IN_UNIT })).toEqual({ unit: 'µs', div: 1 });
    expect(durationUnit('µs', [50, 1_500_000])).toEqual({ unit: 'µs', div: 1 });
  });

  it('5 µs to 1.5 s stays µs (0.005 ms would be the smallest label)', () => {
    expect(durationUnit('µs', [5, 1_500_000], LOG_AXIS)).toEqual({ unit: 'µs', div: 1 });
  });

  it('20 µs to 10.6 ms stays µs on a log axis (labels up to 10,000), ms under the linear rule', () => {
    expect(durationUnit('µs', [20, 10_600], LOG_AXIS)).toEqual({ unit: 'µs', div: 1 });
    expect(durationUnit('µs', [200, 10_600])).toEqual({ unit: 'ms', div: 1000 });
  });
});

describe('the log-latency charts draw in the unit their values read in', () => {
  it('msyncs of 96 to 107 ms: both charts in ms, every drawn value divided, tooltips in ms', async () => {
    const lats = [95_700, 96_200, 96_900, 98_100, 99_500, 99_800, 101_100, 102_400, 104_000, 107_050];
    const charts = await chartsOf(runOf(lats));
    const cdf = chartNamed(charts, 'latency-cdf').spec(300, 200);
    const [curve, marks] = cdf.layer as Layer[];
    expect(curve!.encoding.x!.title).toBe('msync latency (ms, log scale)');
    expect(curve!.encoding.x!.field).toBe('latency_ms');
    const xs = curve!.data!.values.map((p) => p.latency_ms as number);
    expect(Math.min(...xs)).toBeCloseTo(95.7, 9);
    expect(Math.max(...xs)).toBeCloseTo(107.05, 9);
    const [lo, hi] = curve!.encoding.x!.scale!.domain;
    expect(lo).toBeLessThanOrEqual(95.7);
    expect(hi).toBeGreaterThanOrEqual(107.05);
    expect(hi).toBeLessThan(1000);
    expect(marks!.encoding.x!.field).toBe('latency_ms');
    const p50 = marks!.data!.values.find((m) => m.percentile === 'p50')!;
    // the median of ten values: between the 5th and 6th, 99.5 and 99.8 ms
    expect(p50.latency_ms as number).toBeCloseTo(99.65, 9);
    expect(JSON.stringify(cdf)).not.toContain('µs, log scale');

    const pct = chartNamed(charts, 'latency-percentiles').spec(300, 200);
    const dots = (pct.data as { values: Record<string, number>[] }).values;
    const y = (pct.layer as Layer[]).map((l) => l.encoding.y!).find((e) => e.axis)!;
    expect(y.title).toBe('msync latency (ms, log scale)');
    expect(y.field).toBe('latency_ms');
    expect(dots.find((d) => (d as unknown as { percentile: string }).percentile === 'p50')!.value_ms).toBeCloseTo(99.65, 9);
    expect(y.axis!.values!.every((v) => v >= 50 && v <= 200)).toBe(true);
  });

  it('msyncs of 60 µs to 1.5 s: ms from 0.06 to 1,500 on the CDF, not ticks of 1,500,000', async () => {
    const lats = [60, 80, 120, 400, 2_000, 9_000, 40_000, 200_000, 900_000, 1_500_000];
    const cdf = chartNamed(await chartsOf(runOf(lats)), 'latency-cdf').spec(300, 200);
    const curve = (cdf.layer as Layer[])[0]!;
    expect(curve.encoding.x!.title).toBe('msync latency (ms, log scale)');
    const ticks = curve.encoding.x!.axis!.values!;
    expect(Math.max(...ticks)).toBeLessThanOrEqual(2000);
    expect(Math.min(...ticks)).toBeLessThanOrEqual(0.06);
  });

  it('msyncs of 100 to 900 µs stay in µs, their fields as before', async () => {
    const charts = await chartsOf(runOf([100, 200, 300, 400, 500, 600, 700, 800, 900, 850]));
    const curve = (chartNamed(charts, 'latency-cdf').spec(300, 200).layer as Layer[])[0]!;
    expect(curve.encoding.x!.title).toBe('msync latency (µs, log scale)');
    expect(curve.encoding.x!.field).toBe('latency_us');
    const pct = chartNamed(charts, 'latency-percentiles').spec(300, 200);
    expect((pct.data as { values: Record<string, number>[] }).values[0]!.value_us).toBeGreaterThan(0);
  });
});

describe('the CDF says when its tail markers rest on too few msyncs', () => {
  it('8 msyncs: the note that p99 and p99.9 are the largest msyncs or near them', async () => {
    const cdf = chartNamed(await chartsOf(runOf([100, 120, 130, 150, 170, 200, 260, 400])), 'latency-cdf');
    expect(noteOf(cdf.spec(300, 200))).toContain('p99 and p99.9 of 8 msyncs (fewer than 100) are its largest msyncs or near them');
  });

  it('counts the msyncs drawn, after the warm-up (review 198: 200 msyncs, 73 after the warm-up, were said to be 200)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-units-')), 'run');
    // 200 msyncs a ms apart, the first 127 in the warm-up: the curve and its markers rest on the last 73
    writeRun(dir, { warmup: 127_500, syncs: Array.from({ length: 200 }, (_, i) => ({ t: (i + 1) * 1000, lat: 100 + i, pages: 1 })) });
    const note = noteOf(chartNamed(await chartsOf(dir), 'latency-cdf').spec(300, 200));
    expect(note).toContain('p99 and p99.9 of 73 msyncs (fewer than 100) are its largest msyncs or near them');
  });

  it('150 msyncs: only the p99.9 is named; 1,200: nothing', async () => {
    const few = chartNamed(await chartsOf(runOf(Array.from({ length: 150 }, (_, i) => 100 + i))), 'latency-cdf');
    expect(noteOf(few.spec(300, 200))).toContain('p99.9 of 150 msyncs (fewer than 1,000) is near its largest msync');
    const many = chartNamed(await chartsOf(runOf(Array.from({ length: 1200 }, (_, i) => 100 + (i % 300)))), 'latency-cdf');
    expect(noteOf(many.spec(300, 200))).toContain('kernel freebsd');
    expect(noteOf(many.spec(300, 200))).not.toContain('largest msync');
  });
});

describe('latency-percentiles says when error bars are hidden under their dots', () => {
  const metrics = ['sync.latency_us.p50', 'sync.latency_us.p99', 'sync.latency_us.p999'];
  /** A sweep of two kernels whose percentiles have CIs of `ci` (fractions of the mean), per percentile. */
  const sweep = (ci: [number, number, number]) => aggSweep(['personality'], metrics, ['freebsd', 'linux'].map((k, i) => ({
    values: [k],
    stats: Object.fromEntries(metrics.map((m, j) => {
      const mean = [200, 2000, 9000][j]! * (1 + i * 0.3);
      return [m, [mean, mean * ci[j]!, 3] as [number, number, number]];
    })),
  })));

  it('p50 bars of 0.1 % hidden, p99 and p99.9 bars of 40 % drawn: the note names the p50s', async () => {
    const note = noteOf(chartNamed(await chartsOf(sweep([0.001, 0.4, 0.4])), 'latency-percentiles').spec(300, 200));
    expect(note).toContain('the error bars of 2 of 6 dots (p50) are shorter than the dots and hidden under them (each CI within ±0.1 % of its mean)');
  });

  it('every bar hidden: said so; none hidden: nothing said', async () => {
    expect(noteOf(chartNamed(await chartsOf(sweep([0.001, 0.001, 0.001])), 'latency-percentiles').spec(300, 200)))
      .toContain('every error bar is shorter than its dot and hidden under it (each CI within ±0.1 % of its mean)');
    const wide = noteOf(chartNamed(await chartsOf(sweep([0.4, 0.4, 0.4])), 'latency-percentiles').spec(300, 200));
    expect(wide).toContain('95 % CI of the mean');
    expect(wide).not.toContain('hidden under');
  });

  it("seeds that gave one value (CIs 0 wide): the note and index.html's caption both say no bars are drawn (a user's sweep, 2026-12-08)", async () => {
    const chart = chartNamed(await chartsOf(sweep([0, 0, 0])), 'latency-percentiles');
    expect(noteOf(chart.spec(300, 200))).toContain('no spread, no bars to draw');
    // before: the caption said '..., with error bars for the 95 % confidence interval of the mean (Student t, aggregate.csv)'
    expect(chart.caption).not.toContain('with error bars');
    expect(chart.caption).toContain('the seeds gave the same value in every configuration, so the 95 % confidence interval of the mean is 0 wide and no error bars are drawn');
    expect(chartNamed(await chartsOf(sweep([0.4, 0.4, 0.4])), 'latency-percentiles').caption).toContain('with error bars for the 95 % confidence interval of the mean');
  });
});

describe('one msync of 0 µs, in the singular (review 198)', () => {
  it('latency-vs-pages and latency-cdf', async () => {
    const charts = await chartsOf(runOf([0, 120, 150, 300]));
    const vp = chartNamed(charts, 'latency-vs-pages');
    expect(noteOf(vp.spec(300, 200))).toContain('1 msync of 0 µs drawn at the axis floor');
    expect(vp.caption).toContain('1 that took 0 µs cannot sit on the log axis and is drawn at its floor');
    expect(chartNamed(charts, 'latency-cdf').caption).toContain('1 of 4 msyncs took 0 µs, drawn at the axis floor');
  });
});
