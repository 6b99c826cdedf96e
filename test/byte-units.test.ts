/**
 * One table of binary byte units (reports/byte-units.ts) for a grid key's axis
 * (labels.ts axisUnit, up to TiB) and a y axis of byte counts (a sweep's metric,
 * writeback by cause: GiB at most, as they drew before sharing the table).
 */
import { describe, expect, it } from 'vitest';
import { BYTE_UNITS, byteUnit } from '../reports/byte-units.ts';
import { axisUnit } from '../reports/labels.ts';
import { inYUnit, type SweepRow } from '../reports/sweep-rows.ts';

const TiB = 2 ** 40, GiB = 2 ** 30, MiB = 2 ** 20;
const row = (bytes: number): SweepRow => ({ x: 1, x_text: '1', series: 's', mean: bytes, lo: bytes, hi: bytes, ci_lo: bytes, n: 1 });

describe('byte units', () => {
  it('byteUnit: the largest unit held `times` times, `largest` at most; bytes when none', () => {
    expect(BYTE_UNITS.map(([n]) => n)).toEqual(['bytes', 'KiB', 'MiB', 'GiB', 'TiB']);
    expect(byteUnit(1.5 * MiB, 2)).toEqual(['KiB', 1024]);
    expect(byteUnit(2 * MiB, 2)).toEqual(['MiB', MiB]);
    expect(byteUnit(1.5 * MiB, 1)).toEqual(['MiB', MiB]);
    expect(byteUnit(3 * TiB, 1)).toEqual(['TiB', TiB]);
    expect(byteUnit(3 * TiB, 2, 'GiB')).toEqual(['GiB', GiB]);
    expect(byteUnit(1, 2)).toEqual(['bytes', 1]);
    expect(byteUnit(0, 1)).toEqual(['bytes', 1]);
    expect(byteUnit(-Infinity, 2)).toEqual(['bytes', 1]);
  });

  it('a grid key of byte counts: the largest unit its smallest value holds, TiB included', () => {
    expect(axisUnit('bytes', [MiB, 16 * MiB])).toEqual({ unit: 'MiB', div: MiB });
    expect(axisUnit('bytes', [2 * TiB, 4 * TiB])).toEqual({ unit: 'TiB', div: TiB });
    expect(axisUnit('bytes', [512, 4 * TiB])).toEqual({ unit: 'bytes', div: 1 });
  });

  it('a sweep metric of bytes: the largest unit its largest value holds twice, GiB at most', () => {
    const rows = [row(3 * TiB)];
    expect(inYUnit(rows, 'writeback.bytes', {}).unit).toBe(' (GiB)');
    expect(rows[0].mean).toBe(3072);
    const small = [row(1.5 * MiB)];
    expect(inYUnit(small, 'writeback.bytes', {}).unit).toBe(' (KiB)');
    expect(small[0].mean).toBe(1536);
  });
});
