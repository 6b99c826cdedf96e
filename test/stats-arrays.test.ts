/**
 * The typed-array containers of the statistics: the durability tracker's
 * page → time table and the latency summary's sort.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PageTimes } from '../sim/stats/page-times.ts';
import { LatencyStats, sortedCopy } from '../sim/stats/latency.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { quantileSorted } from 'simple-statistics';

describe('PageTimes', () => {
  it('get/has/set/delete/size: a new index is absent, a set one reads back, a deleted one is gone', () => {
    const m = new PageTimes();
    expect(m.get(7)).toBeUndefined();
    expect(m.has(7)).toBe(false);
    m.set(7, 100);
    m.set(2 ** 40 + 7, 200); // a page index above 32 bits
    m.set(7, 150);
    expect([m.get(7), m.get(2 ** 40 + 7), m.size]).toEqual([150, 200, 2]);
    expect(m.delete(7)).toBe(true);
    expect(m.delete(7)).toBe(false);
    expect([m.has(7), m.get(2 ** 40 + 7), m.size]).toEqual([false, 200, 1]);
  });

  it('a table that empties and fills again answers as new', () => {
    const m = new PageTimes();
    expect(m.delete(3)).toBe(false);
    m.set(3, 30);
    expect(m.delete(3)).toBe(true);
    expect([m.size, m.has(3), m.get(3), m.delete(3)]).toEqual([0, false, undefined, false]);
    m.set(5, 50);
    m.set(3, 31);
    expect([m.size, m.get(3), m.get(5)]).toEqual([2, 31, 50]);
  });

  it('setNew and set keep the time of a key whose insertion grows the table', () => {
    for (const put of ['setNew', 'set'] as const) {
      const m = new PageTimes();
      for (let i = 0; i < 5000; i++) m[put](i * 7, 1000 + i);
      const wrong = Array.from({ length: 5000 }, (_, i) => i).filter((i) => m.get(i * 7) !== 1000 + i);
      expect([put, wrong.length, m.size]).toEqual([put, 0, 5000]);
    }
  });

  it('agrees with a Map through growth and deletions that shift colliding entries back (set, setNew, delete, take)', () => {
    const m = new PageTimes(), ref = new Map<number, number>();
    const r = new RandomStreams(5).get('t');
    const rng = () => r.uniform();
    let disagreed = 0;
    for (let i = 0; i < 20000; i++) {
      const idx = Math.floor(rng() * 300) * 16; // many collisions in a small table
      const u = rng();
      if (u < 0.25) {
        if (m.delete(idx) !== ref.delete(idx)) disagreed++;
      } else if (u < 0.45) {
        // take: the time and the deletion in one lookup (-1 when absent)
        const want = ref.get(idx) ?? -1;
        ref.delete(idx);
        if (m.take(idx) !== want) disagreed++;
      } else if (u < 0.7) {
        // setNew: sets only an absent index
        const absent = !ref.has(idx);
        if (absent) ref.set(idx, i);
        if (m.setNew(idx, i) !== absent) disagreed++;
      } else {
        m.set(idx, i);
        ref.set(idx, i);
      }
    }
    for (let idx = 0; idx < 300 * 16; idx += 16) if (m.get(idx) !== ref.get(idx)) disagreed++;
    expect([disagreed, m.size]).toEqual([0, ref.size]);
  });

  it('pages stored in ascending order (a dense table lengthened as they pass its end), then a far page (hashed again): every time reads back', () => {
    const m = new PageTimes();
    for (let i = 0; i < 200; i++) expect(m.setNew(i * 20, 1000 + i)).toBe(true);
    expect([m.size, m.get(0), m.get(3980), m.get(3981), m.has(20 * 199)]).toEqual([200, 1000, 1199, undefined, true]);
    m.set(2 ** 40, 5);
    expect(m.take(20 * 100)).toBe(1100);
    const wrong = Array.from({ length: 200 }, (_, i) => i).filter((i) => m.get(i * 20) !== (i === 100 ? undefined : 1000 + i));
    expect([wrong, m.size, m.get(2 ** 40)]).toEqual([[], 200, 5]);
    // a far page that comes and goes while close ones are stored and taken (the hashed form keeps room:
    // it does not turn dense again at once), and indices no dense array holds (a fraction, a negative)
    for (let r = 0; r < 50; r++) {
      expect(m.take(2 ** 40)).toBe(r === 0 ? 5 : 7);
      m.set(1, r);
      m.set(3, r);
      expect([m.take(1), m.take(3)]).toEqual([r, r]);
      m.set(2 ** 40, 7);
    }
    expect([m.size, m.get(20), m.has(1.5), m.get(-20), m.take(0.5)]).toEqual([200, 1001, false, undefined, -1]);
  });

  it('an index no dense array can hold (a fraction, a negative other than -1) turns a dense table hashed and is kept like any other', () => {
    const m = new PageTimes();
    for (let i = 0; i < 100; i++) m.set(i, i);
    m.set(2.5, 25);
    expect(m.setNew(-3, 30)).toBe(true);
    expect([m.size, m.get(2.5), m.get(-3), m.get(2), m.take(99), m.has(2.5)]).toEqual([102, 25, 30, 2, 99, true]);
  });

  it('agrees with a Map whichever form it holds: many close indices (dense), then far ones (back to hashed), and indices past the highest so far', () => {
    // ops: [kind 0..3 (delete, take, setNew, set), index class 0..9, offset]; classes 0..7: a page of a
    // 4096-page file, 8: just past the highest index so far, 9: a page far away (2^40 + offset), only in
    // the second half of the ops so that the table has grown dense first
    const op = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 9 }), fc.nat({ max: 8191 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 400, maxLength: 3000 }), (ops) => {
        const m = new PageTimes(), ref = new Map<number, number>();
        // every answer compared with the Map's (Object.is, as toBe), the disagreements asserted empty at the
        // end: the same checks as an expect per answer, without the cost of some 10^5 expects a run
        const wrong: string[] = [];
        const same = (what: string, got: unknown, want: unknown) => void (Object.is(got, want) || wrong.push(`${what}: ${String(got)}, the Map's ${String(want)}`));
        let top = 0, t = 0;
        for (const [i, [kind, cls, off]] of ops.entries()) {
          const idx = cls === 9 && 2 * i > ops.length ? 2 ** 40 + off : cls === 8 ? top + 1 + (off % 256) : off % 4096;
          top = Math.max(top, idx < 2 ** 40 ? idx : 0);
          t++;
          if (kind === 0) same(`op ${i} delete(${idx})`, m.delete(idx), ref.delete(idx));
          else if (kind === 1) {
            const want = ref.get(idx) ?? -1;
            ref.delete(idx);
            same(`op ${i} take(${idx})`, m.take(idx), want);
          } else if (kind === 2) {
            const absent = !ref.has(idx);
            if (absent) ref.set(idx, t);
            same(`op ${i} setNew(${idx})`, m.setNew(idx, t), absent);
          } else {
            m.set(idx, t);
            ref.set(idx, t);
          }
          same(`op ${i} size`, m.size, ref.size);
        }
        for (const [k, v] of ref) same(`get(${k})`, m.get(k), v);
        for (let i = 0; i < 4096; i++) same(`has(${i})`, m.has(i), ref.has(i));
        expect(wrong).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('sortedCopy', () => {
  it('sorts small and large sets of integers of every digit count ascending, leaving the source alone', () => {
    for (const top of [10, 2 ** 20, 2 ** 40, 2 ** 53 - 1]) {
      const n = 5000; // above the radix threshold
      const src = new Float64Array(n + 3);
      for (let i = 0; i < n; i++) src[i] = (i * 7919) % n === 0 ? top : Math.floor(((i * 2654435761) % 1e9) / 1e9 * top);
      const before = src.slice();
      const got = sortedCopy(src, n);
      expect(got.length).toBe(n);
      let descents = 0, changed = 0;
      for (let i = 1; i < n; i++) if (got[i - 1] > got[i]) descents++;
      for (let i = 0; i < src.length; i++) if (src[i] !== before[i]) changed++;
      expect([descents, got[n - 1], changed]).toEqual([0, top, 0]);
    }
  });

  it('fractions and negatives fall back to a comparison sort', () => {
    const v = new Float64Array([3.5, -1, 2, 0.25]);
    expect(Array.from(sortedCopy(v, 4))).toEqual([-1, 0.25, 2, 3.5]);
  });
});

describe('LatencyStats.summary', () => {
  it('quantiles by linear interpolation (type 7) over 10,000 samples 1..10,000 µs added in reverse', () => {
    const s = new LatencyStats();
    for (let i = 10000; i >= 1; i--) s.add(i * 1000);
    // position (n-1)p: p50 → 4999.5 → between 5000 and 5001 µs; p99.9 → 9989.001 → 9990.001 µs
    expect(s.summary()).toEqual({ mean: 5000.5, p50: 5000.5, p90: 9000.1, p99: 9900.01, p999: 9990.001, max: 10000 });
  });

  it('above 4,096 samples (counted into buckets: selected, or sorted by buckets when the sum passes 2^53): the same figures as a full sort and quantileSorted, ties and spread alike', () => {
    const rng = new RandomStreams(7).get('latency-select');
    const shapes: Record<string, (i: number) => number> = {
      constant: () => 100_000,
      'few values': () => 1000 * (1 + rng.int(5)),
      uniform: () => rng.int(1e9),
      'heavy tail': () => Math.floor(rng.exponential(1e6) ** 1.5),
      ascending: (i) => i * 1000,
      'above 2^32': () => 2 ** 33 + rng.int(2 ** 20),
      'one above 2^32, then small': (i) => (i === 4000 ? 2 ** 40 : rng.int(1e6)),
      'fractions (sorted instead)': () => rng.int(1e6) + 0.5,
      'sum past 2^53 (sorted by buckets)': () => 2 ** 45 + rng.int(2 ** 30),
      'sum past 2^53, spread and heavy-tailed': () => Math.floor(rng.exponential(2 ** 38) ** 1.2),
      'sum past 2^53, most samples tied': (i) => (i % 10 === 0 ? 2 ** 44 + rng.int(2 ** 36) : 2 ** 43),
    };
    for (const [name, draw] of Object.entries(shapes)) {
      for (const n of [4097, 10_000, 100_003, 200_000]) {
        const s = new LatencyStats(); // one chunk (4097, 10,000), several (100,003, 200,000)
        const all: number[] = [];
        for (let i = 0; i < n; i++) {
          const x = draw(i);
          s.add(x);
          all.push(x);
        }
        const sorted = all.slice().sort((a, b) => a - b);
        const us = (ns: number) => Math.round(ns) / 1000;
        const sum = sorted.reduce((a, b) => a + b, 0);
        const want = {
          mean: us(sum / n), p50: us(quantileSorted(sorted, 0.5)), p90: us(quantileSorted(sorted, 0.9)),
          p99: us(quantileSorted(sorted, 0.99)), p999: us(quantileSorted(sorted, 0.999)), max: us(sorted[n - 1]),
        };
        expect([name, n, s.summary()]).toEqual([name, n, want]);
      }
    }
  });

  it('keeps every sample in the order added, across chunks and after a sample wider than 32 bits', () => {
    for (const wideAt of [-1, 70_000, 199_999]) {
      const s = new LatencyStats();
      const want = new Float64Array(200_000);
      for (let i = 0; i < want.length; i++) {
        want[i] = i === wideAt ? 2 ** 40 + 0.5 : (i * 2654435761) % 2 ** 32;
        s.add(want[i]);
      }
      // as toEqual([want.length, want]) checks them, the 200,000 samples compared here (Object.is) for speed
      const got = s.samples();
      expect([s.count, got.constructor, got.length]).toEqual([want.length, Float64Array, want.length]);
      expect(want.findIndex((x, i) => !Object.is(got[i], x))).toBe(-1);
    }
  });
});
