/**
 * The bounded latency store of the durability lag (sim/stats/log-histogram.ts):
 * exact up to its bound, then percentiles within 2^-12 of the exact ones
 * (checked against a sort and simple-statistics' quantileSorted), count, mean
 * and max exact. (Its memory: `npm run bench`, the replay's RSS from 1 M to 10 M rows.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quantileSorted } from 'simple-statistics';
import { BoundedLatencyStats, bucketOfBits, DoubleBits, LogHistogram } from '../sim/stats/log-histogram.ts';
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

/**
 * The bucket of sample `v` by the definition, in exact integer arithmetic: below 2048 its integer
 * part; above, with e the position of the highest set bit of ⌊v⌋ and shift = e − 11,
 * (shift + 1) · 2048 + ⌊v / 2^shift⌋ − 2048, the last bucket for anything from 2^64 on.
 */
function referenceBucket(v: number): number {
  if (v < 2048) return Math.floor(v);
  const x = BigInt(Math.floor(v));
  const e = x.toString(2).length - 1;
  const shift = e - 11;
  const i = (shift + 1) * 2048 + Number(x >> BigInt(shift)) - 2048;
  return Math.min(i, (64 - 11 + 1) * 2048 - 1);
}

describe('bucketOfBits', () => {
  const bits = new DoubleBits();
  const bucket = (v: number) => bucketOfBits(v, bits.hi(v));
  it('reads the high word of a double (1.0 is 0x3ff00000 00000000, -2.5 is 0xc0040000 ...)', () => {
    expect(bits.hi(1)).toBe(0x3ff00000);
    expect(bits.hi(-2.5)).toBe(0xc0040000);
    expect(bits.hi(2 ** 40 + 2 ** 20)).toBe((0x3ff + 40) * 2 ** 20 + 1);
  });
  it('is the bucket the definition gives, for integers and fractions, at every power of two and between', () => {
    const edges: number[] = [];
    for (let e = 0; e < 70; e++) for (const d of [-1, -0.5, 0, 0.25, 1]) if (2 ** e + d >= 0) edges.push(2 ** e + d);
    for (const v of [0, 0.5, 2047.999, 2048, 4095.5, 2 ** 53 - 1, 2 ** 63, 2 ** 64 - 2 ** 11, 2 ** 64, 1e300, ...edges]) expect(bucket(v), String(v)).toBe(referenceBucket(v));
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: 0, max: 2 ** 70, noNaN: true }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), (v) => {
        expect(bucket(v)).toBe(referenceBucket(v));
      }),
      { numRuns: 20_000 },
    );
  });
});

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
