/**
 * The trace reader's fast tokenizer and fast pass against csv-parse:
 * - scanLine's records and line numbers equal csv-parse's (LineParser, the reader's CSV layer) on
 *   random bytes — quotes, CR, CR LF, BOM, comments, blank and empty fields, bad UTF-8, NUL —
 *   for every line before the first one it declines;
 * - readTrace with the fast pass gives exactly the rows, or the error message, of readTrace with
 *   csv-parse alone, on random trace-like files cut into random read sizes, plain and gzip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LineParser, TRACE_CSV_OPTIONS, type ParsedChunk } from '../traces/csv-lines.ts';
import { bomLength, FieldSpans, LineKind, NOT_SIMPLE, recordOf, scanLine } from '../traces/simple-lines.ts';
import { isCleanText } from '../traces/utf8.ts';
import { readTrace } from '../traces/reader.ts';
import { FastPass } from '../traces/fast-pass.ts';
import { ReadState } from '../traces/read-state.ts';
import { parseTimeNs, parseTimeNsBytes, parseUint, parseUintBytes } from '../traces/fields.ts';
import type { TraceRow } from '../traces/types.ts';

let dir = '';
let seq = 0;
beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'syncsim-simple-lines-'));
});
afterAll(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

/** csv-parse's records, their lines and its error (if any), the input fed in pieces of `piece` bytes. */
async function csvParse(buf: Buffer, piece: number): Promise<{ records: string[][]; lines: number[]; error?: string }> {
  const p = new LineParser(TRACE_CSV_OPTIONS);
  const out = { records: [] as string[][], lines: [] as number[], error: undefined as string | undefined };
  const done = (async () => {
    for await (const c of p as AsyncIterable<ParsedChunk>) {
      if (c.error !== undefined) {
        out.error = c.error.message;
        break;
      }
      out.records.push(...c.records);
      out.lines.push(...c.lines);
    }
  })();
  for (let i = 0; i < buf.length; i += piece) p.write(buf.subarray(i, i + piece));
  p.end();
  await done;
  return out;
}

/** What the tokenizer makes of all of `buf`: records and lines up to the first line it declines, and whether it got to the end. */
function tokenize(buf: Buffer): { records: string[][]; lines: number[]; whole: boolean } {
  const spans = new FieldSpans();
  const records: string[][] = [];
  const lines: number[] = [];
  let pos = bomLength(buf);
  let line = 0;
  while (pos < buf.length) {
    const next = scanLine(buf, pos, buf.length, true, spans);
    if (next === NOT_SIMPLE) return { records, lines, whole: false };
    line++;
    if (spans.kind === LineKind.Record) {
      records.push(recordOf(buf, spans));
      lines.push(line);
    }
    pos = next;
  }
  return { records, lines, whole: true };
}

const byteUnit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', '1', '0x1f', '.', ',', ',', ' ', '\t', '#', '\n', '\n', 'é', '|') },
  { weight: 2, arbitrary: fc.constantFrom('"', '""', '\r', '\r\n', '\n\n', ' \n', '\uFEFF') },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\xff', '\xc3') }, // NUL, and bytes that are not UTF-8 (latin1-encoded below)
);
/** Random input bytes: units joined, the invalid ones written as single bytes. */
const bytesArb = fc.tuple(fc.boolean(), fc.array(byteUnit, { maxLength: 60 })).map(([bom, units]) => {
  const parts = units.map((u) => (u === '\xff' || u === '\xc3' ? Buffer.from([u.charCodeAt(0)]) : Buffer.from(u, 'utf8')));
  return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), ...parts]);
});

describe('scanLine against csv-parse', () => {
  it('gives csv-parse records and lines for every line before the first it declines (random bytes)', async () => {
    let whole = 0;
    let declined = 0;
    await fc.assert(
      fc.asyncProperty(bytesArb, fc.integer({ min: 1, max: 16 }), async (buf, piece) => {
        if (!isCleanText(buf)) return; // the fast pass never tokenizes such a chunk
        const ref = await csvParse(buf, piece);
        const mine = tokenize(buf);
        if (mine.whole) whole++;
        else declined++;
        expect(mine.records).toEqual(ref.records.slice(0, mine.records.length));
        expect(mine.lines).toEqual(ref.lines.slice(0, mine.lines.length));
        if (mine.whole) expect({ n: mine.records.length, error: undefined }).toEqual({ n: ref.records.length, error: ref.error });
      }),
      { numRuns: 3000 },
    );
    // both outcomes were exercised
    expect(whole).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(100);
  });
});

/** What a field of decimal or 0x-hex digits is worth, by BigInt; undefined when malformed. */
function uintOracle(s: string): bigint | undefined {
  return /^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(s) ? BigInt(s) : undefined;
}
/** Microseconds in decimal to ns by BigInt: three fraction digits, the fourth rounding half up; undefined when malformed. */
function timeOracle(s: string): bigint | undefined {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(s);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(4, '0');
  return BigInt(m[1]!) * 1000n + BigInt(frac.slice(0, 3)) + (frac.charCodeAt(3) >= 53 ? 1n : 0n);
}

describe('field parsers, on strings and on bytes, against BigInt arithmetic', () => {
  it('parseTimeNs, parseUint and their byte forms', () => {
    // \u0130 and \u0139 end in the bytes of '0' and '9': a copy that kept only the low byte would accept them
    const digits = (min: number) => fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: min, maxLength: 18 });
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('0', '1', '9', '.', 'x', 'X', 'a', 'F', 'g', '-', ' ', '\u0130', '\u0139', 'é'), maxLength: 24 }),
      fc.tuple(digits(1), fc.option(digits(0))).map(([w, f]) => (f === null ? w : `${w}.${f}`)),
      fc.string({ unit: fc.constantFrom('0', '7', 'a', 'F', 'f'), minLength: 0, maxLength: 15 }).map((h) => `0x${h}`),
    );
    const exact = (v: number, want: bigint | undefined) => {
      if (want === undefined) expect(v).toBeNaN();
      else if (want < 2n ** 53n) expect(v).toBe(Number(want));
      else expect(v).toBeGreaterThanOrEqual(2 ** 53);
    };
    let valid = 0;
    fc.assert(
      fc.property(text, (s) => {
        const t = timeOracle(s), u = uintOracle(s);
        if (t !== undefined || u !== undefined) valid++;
        exact(parseTimeNs(s), t);
        exact(parseUint(s), u);
        const b = Buffer.from(`,${s},`, 'utf8');
        if (/^[\x00-\x7f]*$/.test(s)) {
          exact(parseTimeNsBytes(b, 1, b.length - 1), t);
          exact(parseUintBytes(b, 1, b.length - 1), u);
        }
      }),
      { numRuns: 3000 },
    );
    expect(valid).toBeGreaterThan(100);
    for (const [s, ns] of [['0.0005', 1], ['0.0004999', 0], ['12.3456', 12346], ['7.', NaN], ['.5', NaN]] as const) expect(parseTimeNs(s)).toBe(ns);
    expect(parseUint('x'.repeat(100))).toBeNaN(); // longer than the parsers' first scratch buffer
    expect(parseUint('1'.repeat(70))).toBeGreaterThanOrEqual(2 ** 53);
  });
});

// ---- whole reader: fast pass vs csv-parse alone

const HEADERS = ['t_us,task,op,addr,len,flags,object,offset', 't_us,op,addr,len', 'op,t_us,len,addr,task,x_a', 't_us,task,op,addr,len,flags,object,offset,x_b'];
const fieldUnit = fc.constantFrom('0', '1', '7', '12.5', '0x1000', '4096', 'w', 'r2', 'write', 'read', 'msync', 'map', 'unmap', 'wire', 'SYNC', 'ASYNC|INVALIDATE',
  'USER', 'BOGUS', 'f.dat', '', '', '', ' ', 'é', '9007199254740993', '-1', '3.0001');
const oddUnit = fc.constantFrom('"', '"q,uo""ted"', '\r\n', '\r', '\n', '#', '\uFEFF', '\u0000', '\xff');
/** One line of a trace-like file: a comment, a blank line, or fields (mostly plausible, sometimes odd). */
const lineArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('# a comment "with quotes"', '', '   ', '#', '10,w,map,0x100000,4096,,"a,""b""",0') },
  { weight: 1, arbitrary: fc.array(fc.oneof({ weight: 12, arbitrary: fieldUnit }, { weight: 1, arbitrary: oddUnit }), { minLength: 1, maxLength: 10 }).map((f) => f.join(',')) },
);
/** A plausible row for header 0, `dt` ns after the one before (now and then before it: time going backwards). */
const rowArb = fc.record({
  op: fc.constantFrom('write', 'read', 'msync', 'map', 'unmap'), k: fc.nat(99), task: fc.constantFrom('', 'w', 'task-2'),
  dt: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(0, 1500, 2001) }, { weight: 1, arbitrary: fc.constant(-1000) }),
}).map(({ op, k, task, dt }) => ({
  dt,
  make: (t: number) => `${t / 1000},${task},${op},0x${(0x10000 + k * 4096).toString(16)},4096,${op === 'msync' ? 'SYNC' : ''},${op === 'map' ? 'f.dat' : ''},${op === 'map' ? '0' : ''}`,
}));

const fileArb = fc.record({
  bom: fc.boolean(),
  pre: fc.array(fc.constantFrom('', '   ', '# c', '\t', ' ,'), { maxLength: 3 }),
  header: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(HEADERS.length - 1) }),
  body: fc.array(fc.oneof({ weight: 8, arbitrary: rowArb }, { weight: 1, arbitrary: lineArb }), { maxLength: 40 }),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  gzip: fc.boolean(),
  chunk: fc.integer({ min: 1, max: 80 }),
}).map(({ bom, pre, header, body, crlf, finalNewline, gzip, chunk }) => {
  let t = 5000;
  const lines = ['# syncsim-trace v1', ...pre, HEADERS[header]!, ...body.map((b) => (typeof b === 'string' ? b : b.make((t += b.dt))))];
  const eol = crlf ? '\r\n' : '\n';
  const text = lines.join(eol) + (finalNewline ? eol : '');
  // a lone 0xff byte (not UTF-8) where the text has \xff, the rest UTF-8
  const withBad = Buffer.concat(text.split('\xff').flatMap((part, i) => (i === 0 ? [Buffer.from(part, 'utf8')] : [Buffer.from([0xff]), Buffer.from(part, 'utf8')])));
  const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), withBad]);
  return { bytes: gzip ? gzipSync(bytes) : bytes, chunk };
});

/** The rows (batches of 5) or the error message of readTrace on `file`. */
async function outcome(file: string, fast: boolean, chunkBytes?: number): Promise<{ rows: TraceRow[]; batches: number[]; error?: string }> {
  const rows: TraceRow[] = [];
  const batches: number[] = [];
  try {
    for await (const b of readTrace(file, { batchSize: 5, fast, chunkBytes })) {
      rows.push(...b);
      batches.push(b.length);
    }
  } catch (e) {
    return { rows, batches, error: (e as Error).message };
  }
  return { rows, batches };
}

describe('readTrace: fast pass against csv-parse alone', () => {
  it('same rows, batches and error messages on random trace-like files (quotes, CR LF, BOM, bad bytes; any read size; gzip)', async () => {
    let ok = 0;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ bytes, chunk }) => {
        const file = join(dir, `f${++seq}.csv`);
        await fsp.writeFile(file, bytes);
        const ref = await outcome(file, false);
        const mine = await outcome(file, true, chunk);
        expect(mine).toEqual(ref);
        if (ref.error === undefined) ok++;
        else failed++;
        await fsp.rm(file);
      }),
      { numRuns: 600 },
    );
    expect(ok).toBeGreaterThan(50);
    expect(failed).toBeGreaterThan(50);
  });

  it('names the previous row\'s time as written when time goes backwards in a later read of the file (the read buffer is reused)', async () => {
    const file = join(dir, 'backwards.csv');
    await fsp.writeFile(file, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n5,,write,0x10000,4096,,,\n4,,write,0x10000,4096,,,');
    // 43 bytes a read: the row of time 5 is parsed from one read and the row of time 4 from the next
    for (const chunk of [43, 17, 1 << 20]) {
      const r = await outcome(file, true, chunk);
      expect(r.error).toBe(`${file}:4: column t_us: time goes backwards (previous 5) (got '4')`);
    }
  });

  it('reads a trace without quotes or CR in the fast pass alone, and hands csv-parse the rest from the first quoted line', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},w,write,0x${(4096 * i).toString(16)},4096,,,`);
    const plain = join(dir, 'plain.csv');
    await fsp.writeFile(plain, ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset', ...rows, ''].join('\n'));
    const a = new FastPass(plain, false, new ReadState(plain, 8), 64);
    let n = 0;
    for await (const b of a.blocks()) n += b.length;
    expect({ complete: a.complete, records: a.records, n }).toEqual({ complete: true, records: 21, n: 16 });

    const quoted = join(dir, 'quoted.csv');
    await fsp.writeFile(quoted, ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset', ...rows.slice(0, 10), '10,w,map,0x100000,4096,,"a,b",0', ...rows.slice(10), ''].join('\n'));
    const b = new FastPass(quoted, false, new ReadState(quoted, 8), 64);
    for await (const x of b.blocks()) void x;
    expect({ complete: b.complete, records: b.records }).toEqual({ complete: false, records: 11 });
    const all = (await outcome(quoted, true)).rows;
    expect(all.map((r) => r.line)).toEqual(Array.from({ length: 21 }, (_, i) => i + 3));
    expect(all[10]).toMatchObject({ op: 'map', object: 'a,b', line: 13 });
  });
});
