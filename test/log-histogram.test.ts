/**
 * The bounded latency store of the durability lag (sim/stats/log-histogram.ts):
 * exact up to its bound, then percentiles within 2^-12 of the exact ones
 * (checked against a sort and simple-statistics' quantileSorted), count, mean
 * and max exact. (Its memory: `npm run bench`, the replay's RSS from 1 M to 10 M rows.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quantileSorted } from 'simple-statistics';
import { BoundedLatencyStats, LogHistogram } from '../sim/stats/log-histogram.ts';
import { LatencyStats } from '../sim/stats/latency.ts';

/** The exact summary of integer samples `xs` (ns) in µs: sort + quantileSorted, the definition LatencyStats follows. */
function exact(xs: number[]) {
  const v = [...xs].sort((a, b) => a - b);
  const ps = [0.5, 0.9, 0.99, 0.999];
  // the larger of the two samples a quantile lies between bounds its error
  return { mean: xs.reduce((s, x) => s + x, 0) / xs.length, q: ps.map((p) => quantileSorted(v, p)), hi: ps.map((p) => v[Math.ceil((v.length - 1) * p)]!), max: v.at(-1)! };
}

/** Latency-like integers: a few exact small ones, most microseconds to milliseconds, a tail to seconds. */
const sample = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 3000, max: 5_000_000 }), fc.integer({ min: 5_000_000, max: 2 ** 36 }));

describe('LogHistogram', () => {
  it('percentiles within 2^-12 of the exact ones (and exact below 2048 ns); count, mean and max exact', () => {
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 3000 }), (xs) => {
        const h = new LogHistogram();
        for (const x of xs) h.add(x);
        const want = exact(xs);
        const s = h.summary();
        expect(h.count).toBe(xs.length);
        expect(s.mean).toBe(Math.round(want.mean) / 1000);
        expect(s.max).toBe(Math.round(want.max) / 1000);
        [s.p50, s.p90, s.p99, s.p999].forEach((got, i) => {
          const q = want.q[i]!, hi = want.hi[i]!;
          // the bucket's error (≤ 2^-12 of the value, none below 2048) plus the µs rounding of the summary
          expect(Math.abs(got! * 1000 - q)).toBeLessThanOrEqual(hi < 2048 ? 0.5 : hi * 2 ** -12 + 0.5);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a value on each side of every power of two lands in a bucket that holds it', () => {
    for (let e = 11; e < 60; e++) {
      for (const v of [2 ** e - 1, 2 ** e, 2 ** e + 1]) {
        const h = new LogHistogram();
        h.add(v);
        h.add(v);
        const q = h.quantile(0.5);
        expect(Math.abs(q - v)).toBeLessThanOrEqual(Math.max(1, v * 2 ** -12));
      }
    }
  });
});

describe('BoundedLatencyStats', () => {
  it('up to its bound, the summary is LatencyStats\' own; past it, the histogram\'s, flagged', () => {
    const xs = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 1_000_003 * 37);
    const b = new BoundedLatencyStats(4000), ls = new LatencyStats();
    for (const x of xs.slice(0, 4000)) {
      b.add(x);
      ls.add(x);
    }
    expect(b.exactPercentiles).toBe(true);
    expect(b.summary()).toEqual(ls.summary());
    // exactly the bound: still exact; one more: the histogram
    for (const x of xs.slice(4000)) b.add(x);
    expect(b.exactPercentiles).toBe(false);
    expect(b.count).toBe(5000);
    const h = new LogHistogram();
    for (const x of xs) h.add(x);
    expect(b.summary()).toEqual(h.summary());
  });
});
