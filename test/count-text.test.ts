import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupedCount } from '../sim/stats/count-text.ts';
import { countText } from '../scripts/progress.ts';

describe('groupedCount: a whole number with its thousands grouped', () => {
  it('writes what toLocaleString("en-US") writes, for every safe integer', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: -1e6, max: 1e6 })), (n) => {
      expect(groupedCount(n)).toBe(n.toLocaleString('en-US'));
    }), { numRuns: 2000 });
    for (const n of [0, -0, 1, 999, 1000, -1000, 999_999, 1_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(groupedCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });

  it('leaves fractions, infinities, NaN and numbers past 2^53 to toLocaleString', () => {
    for (const n of [1234.5678, -0.25, Infinity, -Infinity, NaN, 2 ** 60, 1e21]) expect(groupedCount(n)).toBe(n.toLocaleString('en-US'));
  });

  it("is progress's countText, which rounds first", () => {
    expect([countText(1234567.4), countText(999.5), countText(-1500.6)]).toEqual(['1,234,567', '1,000', '-1,501']);
  });
});
