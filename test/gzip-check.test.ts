/**
 * Damaged gzip traces (traces/gzip-check.ts): where the file stops being a
 * whole gzip stream, and how the readers report it — the native trace reader
 * and the importers' line reader.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { gzipDamage } from '../traces/gzip-check.ts';
import { readTrace } from '../traces/reader.ts';
import { readLines } from '../traces/import/lines.ts';
import { TraceError } from '../traces/trace-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-gzip-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const put = (b: Buffer): string => {
  const f = join(dir, `t${n++}.csv.gz`);
  writeFileSync(f, b);
  return f;
};

const HEADER = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n';
/** A native trace of `rows` reads: line 2 + i holds row i (line 1 the version comment, line 2 the header). */
const trace = (rows: number): string => HEADER + Array.from({ length: rows }, (_, i) => `${i},a,read,0,1,,,\n`).join('');

async function readError(path: string): Promise<TraceError> {
  try {
    for await (const _ of readTrace(path)) { /* read on */ }
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    return e as TraceError;
  }
  throw new Error(`${path}: read without an error`);
}

describe('gzipDamage', () => {
  it('finds none in a whole file, in members one after the other, and with trailing zero bytes (gzip -t takes all three)', async () => {
    const gz = gzipSync(trace(500));
    expect(await gzipDamage(put(gz))).toBeNull();
    expect(await gzipDamage(put(Buffer.concat([gz, gzipSync('more\n'), gzipSync('')])))).toBeNull();
    expect(await gzipDamage(put(Buffer.concat([gz, Buffer.alloc(100)])))).toBeNull();
  });

  it('names the byte where trailing garbage starts and the last line of the text before it', async () => {
    const gz = gzipSync(trace(3000)); // 3002 lines
    const d = await gzipDamage(put(Buffer.concat([gz, Buffer.from('garbage!!\n')])));
    expect(d).toEqual({ line: 3002, byte: gz.length, problem: `10 bytes of trailing garbage after the end of its gzip data at byte ${gz.length} (not a gzip member)` });
    // a text whose last line has no line break: that line
    const g2 = gzipSync('a\nb\nc');
    expect((await gzipDamage(put(Buffer.concat([g2, Buffer.from('x')]))))!.line).toBe(3);
  });

  it('names the line a truncated file ends in', async () => {
    const text = trace(3000);
    const gz = gzipSync(text);
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const d = (await gzipDamage(put(cut)))!;
    expect(d.problem).toBe(`the file ends inside its gzip data at byte ${cut.length} (truncated)`);
    expect(d.byte).toBe(cut.length);
    // the line holding the last byte that the cut file decompresses to
    expect(d.line).toBeGreaterThan(2);
    expect(d.line).toBeLessThan(3002);
    // without its CRC and length
    const d2 = (await gzipDamage(put(gz.subarray(0, gz.length - 3))))!;
    expect(d2).toEqual({ line: 3002, byte: gz.length - 3, problem: `the file ends at byte ${gz.length - 3}, before the CRC and length that close its gzip data (truncated)` });
  });

  it('finds a CRC and a length that do not match the text', async () => {
    const gz = gzipSync(trace(100));
    const crc = Buffer.from(gz);
    crc[gz.length - 8] ^= 0xff;
    expect((await gzipDamage(put(crc)))!.problem).toBe(`CRC error at byte ${gz.length - 8}: the data does not decompress to the text that was compressed`);
    const len = Buffer.from(gz);
    len[gz.length - 4] ^= 1;
    expect((await gzipDamage(put(len)))!.problem).toMatch(new RegExp(`^length error at byte ${gz.length - 4}: the data decompresses to \\d+ bytes`));
  });

  it('reads a large file with backpressure and leaves no listener behind (no MaxListenersExceededWarning)', async () => {
    const { randomBytes } = await import('node:crypto');
    const big = gzipSync(randomBytes(4 << 20)); // incompressible: about 4 MiB of compressed data, many reads
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const d = await gzipDamage(put(Buffer.concat([big, Buffer.from('junk')])));
      expect(d!.byte).toBe(big.length);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).toEqual([]);
  });

  it('tells a file that is not gzip and a header cut short', async () => {
    expect(await gzipDamage(put(Buffer.from('plain text\n')))).toEqual({ line: 1, byte: 0, problem: 'not gzip data (no gzip magic bytes at its start)' });
    expect((await gzipDamage(put(Buffer.from([0x1f, 0x8b, 8, 0]))))!.problem).toBe('the file ends inside a gzip header (byte 0; truncated)');
  });

  it('never throws, and finds no damage only in a file gzip would read whole (fuzz: random cuts, flips and tails)', async () => {
    const text = trace(400);
    const gz = gzipSync(text);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: gz.length }), fc.integer({ min: 0, max: gz.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 12 }),
      async (keep, at, flip, tail) => {
        const b = Buffer.concat([gz.subarray(0, keep), Buffer.from(tail)]);
        if (at < b.length) b[at] ^= flip;
        const d = await gzipDamage(put(b));
        if (d === null) {
          // whole: then every byte of the text came back, or the change was in bytes gzip ignores (the header's name, MTIME, OS, trailing zeros)
          expect(keep === gz.length || tail.every((x) => x === 0)).toBe(true);
        } else {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.byte).toBeGreaterThanOrEqual(0);
          expect(d.byte).toBeLessThanOrEqual(b.length);
        }
      }), { numRuns: 120, seed: 52 });
  });
});

describe('the readers of a damaged gzip trace', () => {
  it('trailing garbage: the trace reader names the last line of the text and the byte, not the line it had reached', async () => {
    const gz = gzipSync(trace(20_000));
    const e = await readError(put(Buffer.concat([gz, Buffer.from('garbage!!\n')])));
    expect(e.line).toBe(20_002);
    expect(e.column).toBe('-');
    expect(e.problem).toBe(`corrupt gzip data: 10 bytes of trailing garbage after the end of its gzip data at byte ${gz.length} (not a gzip member)`);
  });

  it('a truncated file: the reader names the line and the byte where it stops, and no text of zlib\'s as if it were the file\'s', async () => {
    const gz = gzipSync(trace(3000));
    const cut = gz.subarray(0, 150);
    const e = await readError(put(cut));
    expect(e.column).toBe('-');
    expect(e.problem).toBe(`corrupt gzip data: the file ends inside its gzip data at byte ${cut.length} (truncated)`);
    expect(e.message).toMatch(new RegExp(`:${e.line}: corrupt gzip data: the file ends inside its gzip data at byte 150 \\(truncated\\)$`));
    expect(e.message).not.toMatch(/got '/);
  });

  it('damaged data that decompressed to a malformed row: the row\'s error, with the damage after it', async () => {
    // a malformed row early in a long file whose CRC is damaged (the row is read before gunzip reaches the CRC)
    const rows = trace(50_000).split('\n');
    rows.splice(52, 0, 'not,a,row');
    const bad = gzipSync(rows.join('\n'));
    const crc = Buffer.from(bad);
    crc[bad.length - 8] ^= 0xff;
    const e = await readError(put(crc));
    expect(e.line).toBe(53);
    expect(e.problem).toMatch(/^wrong number of fields: expected 8, found 3; the file's gzip data is damaged, so this text may not be what was compressed: CRC error at byte \d+: /);
    // the same row in a whole file: the row's error alone
    const e2 = await readError(put(bad));
    expect(e2.problem).toBe('wrong number of fields: expected 8, found 3');
  });

  it('the importers\' line reader reports trailing garbage the same way', async () => {
    const gz = gzipSync(Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join(''));
    const f = put(Buffer.concat([gz, Buffer.from('xyz')]));
    let caught: unknown;
    try {
      for await (const _ of readLines(f)) { /* read on */ }
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TraceError);
    expect((caught as TraceError).line).toBe(50_000);
    expect((caught as TraceError).problem).toBe(`corrupt gzip data: 3 bytes of trailing garbage after the end of its gzip data at byte ${gz.length} (not a gzip member)`);
  });
});
