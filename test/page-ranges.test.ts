/**
 * PageRanges (sim/vm/page-ranges.ts): a set of [start, end) ranges kept
 * sorted, disjoint and coalesced. Checked against a plain set of pages.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PageRanges } from '../sim/vm/page-ranges.ts';

describe('PageRanges', () => {
  it('add joins ranges that meet or touch; take cuts them and returns what it removed', () => {
    const r = new PageRanges();
    r.add(10, 20);
    r.add(30, 40);
    r.add(20, 25); // touches [10,20)
    expect(r.ranges()).toEqual([[10, 25], [30, 40]]);
    r.add(24, 31); // meets both
    expect(r.ranges()).toEqual([[10, 40]]);
    expect(r.take(15, 18)).toEqual([[15, 18]]);
    expect(r.ranges()).toEqual([[10, 15], [18, 40]]);
    expect(r.take(0, 12)).toEqual([[10, 12]]);
    expect(r.take(12, 100)).toEqual([[12, 15], [18, 40]]);
    expect(r.empty).toBe(true);
  });

  it('has and overlaps: ends are exclusive; empty ranges add and meet nothing', () => {
    const r = new PageRanges();
    r.add(5, 5);
    expect(r.empty).toBe(true);
    r.add(10, 20);
    expect([9, 10, 19, 20].map((a) => r.has(a))).toEqual([false, true, true, false]);
    expect([r.overlaps(0, 10), r.overlaps(0, 11), r.overlaps(19, 30), r.overlaps(20, 30), r.overlaps(12, 12)]).toEqual([false, true, true, false, false]);
  });

  it('property: after any sequence of adds and takes it holds exactly the pages a plain set holds, as sorted disjoint ranges that do not touch', () => {
    const opArb = fc.record({ add: fc.boolean(), s: fc.integer({ min: 0, max: 60 }), n: fc.integer({ min: 0, max: 20 }) });
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
      const r = new PageRanges();
      const set = new Set<number>();
      for (const { add, s, n } of ops) {
        if (add) {
          r.add(s, s + n);
          for (let p = s; p < s + n; p++) set.add(p);
        } else {
          const removed = r.take(s, s + n).flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));
          const expected = [...set].filter((p) => p >= s && p < s + n).sort((x, y) => x - y);
          expect(removed).toEqual(expected);
          for (const p of expected) set.delete(p);
        }
        // each range non-empty, each after the one before with a gap: the ranges that break this, none
        // (one assertion per op, not per range and page: the same checks, without the cost of an expect each)
        const rs = r.ranges();
        expect(rs.filter(([a, b], i) => !(a < b && (i === 0 || rs[i - 1][1] < a)))).toEqual([]);
        expect(Array.from({ length: 82 }, (_, p) => r.has(p))).toEqual(Array.from({ length: 82 }, (_, p) => set.has(p)));
        expect(r.empty).toBe(set.size === 0);
      }
    }), { numRuns: 300 });
  });
});
