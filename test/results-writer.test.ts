/**
 * The result CSV writer (scripts/csv-file.ts CsvFile): every field it encodes
 * byte by byte reads exactly as JavaScript's own `String()` of the value, for
 * any value, so the result files are the same text a template literal gives.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFile, nsToUsText } from '../scripts/csv-file.ts';
import { COLUMN_FILES, FILE } from '../scripts/result-columns.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-csvfile-'));
let n = 0;

/** What `fill` writes through a CsvFile, read back from the file. */
function written(fill: (f: CsvFile) => void): string {
  const path = join(dir, `f${n++}.csv`);
  const f = new CsvFile(path, 'h');
  fill(f);
  f.close();
  return readFileSync(path, 'utf8');
}

const quoteField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Integers over every magnitude, and the edges of the digit-by-digit range. */
const anyInt = fc.oneof(
  fc.integer({ min: 0, max: 999 }),
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 9, 10, 999, 1000, 1001, 1e15 - 1, 1e15, 1e15 + 1, 2 ** 53 - 1, 2 ** 53),
);
/** Any number at all: integers, fractions, negatives, huge, NaN, infinities. */
const anyNumber = fc.oneof(anyInt, fc.double(), fc.integer({ min: -1e6, max: -1 }));

describe('CsvFile', () => {
  it('writes numbers as String(n) and ns as nsToUsText(ns), row by row', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyNumber, anyNumber, anyInt), { maxLength: 50 }), (rows) => {
        const text = written((f) => {
          for (const [a, b, c] of rows) f.num(a).comma().us(b).comma().us(c).comma().num(c).end();
        });
        expect(text).toBe('h\n' + rows.map(([a, b, c]) => `${String(a)},${nsToUsText(b)},${nsToUsText(c)},${String(c)}\n`).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('the row printers of writeback.csv, reads.csv, timeline.csv and durability.csv (one reservation per run of numbers) write what the field methods write', () => {
    const us = nsToUsText, num = (x: number) => String(x);
    // each file's fields: µs, a number, or a string id into the table below
    const kinds: Record<string, ('us' | 'num' | 'str' | 'ok')[]> = {
      [FILE.writeback]: ['us', 'us', 'us', 'str', 'num', 'num', 'num', 'str'],
      [FILE.reads]: ['us', 'us', 'us', 'str', 'num', 'num', 'num', 'str', 'ok'],
      [FILE.timeline]: ['us', 'num', 'num', 'num', 'num', 'num', 'num', 'num', 'num', 'num', 'num'],
      [FILE.durability]: ['us', 'num', 'us', 'us', 'num', 'num', 'num', 'num'],
    };
    const strings = ['rand.0.dat', 'a,b', 'msync', 'q"uote', 'ünï'];
    for (const [file, fields] of Object.entries(kinds)) {
      const cf = COLUMN_FILES[Number(file)]!;
      fc.assert(
        fc.property(fc.array(fc.array(anyNumber, { minLength: fields.length, maxLength: fields.length }), { maxLength: 30 }), fc.nat(), (rows, pick) => {
          const d = new Float64Array(rows.length * cf.width);
          rows.forEach((r, i) => r.forEach((x, j) => (d[i * cf.width + j] = fields[j] === 'str' ? (pick + i + j) % strings.length : x)));
          const text = written((f) => {
            for (let i = 0; i < rows.length; i++) cf.print(f, d, i * cf.width, strings);
          });
          const want = rows.map((_, i) => fields.map((k, j) => {
            const x = d[i * cf.width + j]!;
            if (k === 'ok') return x ? 'true' : 'false';
            return k === 'us' ? us(x) : k === 'num' ? num(x) : j === 3 ? quoteField(strings[x]!) : strings[x]!;
          }).join(',') + '\n').join('');
          expect(text).toBe('h\n' + want);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('writes µs with their three decimals, trailing zeros dropped', () => {
    expect(written((f) => f.us(0).comma().us(1).comma().us(10).comma().us(100).comma().us(1000).comma().us(1500).comma().us(1234567).comma().us(999_999_999_999_999).end()))
      .toBe('h\n0,0.001,0.01,0.1,1,1.5,1234.567,999999999999.999\n');
  });

  it('writes integers and µs from 2^31 up (the last eight digits zero-padded) as String() does', () => {
    const big = [2 ** 31, 2 ** 31 + 1, 1e8 * 30, 3000000007, 100000000000, 123400000056, 999999999999999, 10 ** 14, 2934704708291];
    expect(written((f) => big.forEach((x) => f.num(x).comma().us(x).end())))
      .toBe('h\n' + big.map((x) => `${String(x)},${nsToUsText(x)}\n`).join(''));
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 31, max: 1e15 - 1 }), (x) => {
        expect(written((f) => f.num(x).comma().us(x).end())).toBe(`h\n${String(x)},${nsToUsText(x)}\n`);
      }),
      { numRuns: 300 },
    );
  });

  it('writes hex addresses as 0x plus toString(16)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyInt, fc.double({ min: 0, max: 1e20 })), { maxLength: 30 }), (xs) => {
        expect(written((f) => xs.forEach((x) => f.hex(x).end()))).toBe('h\n' + xs.map((x) => `0x${x.toString(16)}\n`).join(''));
      }),
      { numRuns: 200 },
    );
  });

  it('writes text as UTF-8 and quotes a field holding a comma, quote or line break', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 20 }), (ss) => {
        expect(written((f) => ss.forEach((s) => f.field(s).comma().text(s.replace(/[",\n\r]/g, '')).end())))
          .toBe('h\n' + ss.map((s) => `${quoteField(s)},${s.replace(/[",\n\r]/g, '')}\n`).join(''));
      }),
      { numRuns: 200 },
    );
  });

  it('rows longer than its buffer and many rows across flushes come out whole and in order', () => {
    const long = 'x'.repeat(3 << 20) + 'é';
    const many = Array.from({ length: 200_000 }, (_, i) => i * 7919);
    const text = written((f) => {
      f.text(long).end();
      for (const x of many) f.us(x).comma().num(x).end();
    });
    expect(text).toBe('h\n' + long + '\n' + many.map((x) => `${nsToUsText(x)},${x}\n`).join(''));
  });
});
