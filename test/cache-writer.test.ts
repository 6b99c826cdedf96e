/**
 * The cache writer's two doors (traces/cache-writer.ts): rows, or blocks of
 * columns as the CSV reader's block pass yields them, must give the same
 * bytes; and the caches built from blocks (ensureCache, convert, a run that
 * writes the cache as it reads the CSV) are those a build from rows gives.
 * The CLI calls under a file size limit run one after the other in one
 * process of their own (test/workers/cli-cases.mjs), the others in this one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK_ROWS, HEADER_BYTES, readCache, sourceIdentity } from '../traces/cache.ts';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import { Flag, OP_NAMES, RowBlock, type TraceRow } from '../traces/types.ts';
import { cachePathFor, ensureCache, openTrace } from '../traces/open.ts';
import { readTrace, readTraceBlocks } from '../traces/reader.ts';
import { FastPass } from '../traces/fast-pass.ts';
import { ReadState } from '../traces/read-state.ts';
import { formatHeader, formatRow } from '../traces/writer.ts';
import { syncsimHere } from './cli-here.ts';
import { cliCases } from './cli-cases.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-cache-writer-'));

/** The bytes of a cache of `src`'s identity built by `fill`. */
function build(dir: string, name: string, src: string, fill: (w: TraceCacheWriter) => void): Buffer {
  const path = join(dir, name);
  const w = new TraceCacheWriter(path, sourceIdentity(src));
  fill(w);
  w.close();
  return readFileSync(path);
}

const rowArb = (extra: boolean): fc.Arbitrary<TraceRow> => fc.record({
  line: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  tNs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  task: fc.constantFrom('a', 'b', 'c', 'task-d'),
  op: fc.constantFrom(...OP_NAMES),
  addr: fc.integer({ min: 0, max: 2 ** 52 }),
  len: fc.integer({ min: 0, max: 2 ** 52 }),
  flags: fc.integer({ min: 0, max: 2 ** 13 - 1 }),
  object: fc.constantFrom('', 'f', 'g', 'h,with "quotes"'),
  offset: fc.integer({ min: 0, max: 2 ** 52 }),
}).chain((r) => (extra ? fc.record({ x_a: fc.string(), x_b: fc.string() }).map((x) => ({ ...r, extra: x })) : fc.constant(r)));

/** `rows` cut at the given points (sorted, deduplicated, within the length). */
function cut(rows: TraceRow[], at: number[]): TraceRow[][] {
  const points = [...new Set(at.map((p) => p % (rows.length + 1)))].sort((a, b) => a - b);
  const out: TraceRow[][] = [];
  let from = 0;
  for (const p of [...points, rows.length]) {
    out.push(rows.slice(from, p));
    from = p;
  }
  return out;
}

describe('TraceCacheWriter.addBlock', () => {
  it('writes the bytes adding the same rows as objects writes, however the rows are cut into blocks (property)', () => {
    const dir = tmp();
    const src = join(dir, 'src.csv');
    writeFileSync(src, 'x');
    fc.assert(fc.property(fc.boolean().chain((x) => fc.array(rowArb(x), { maxLength: 200 })), fc.array(fc.nat(), { maxLength: 6 }), (rows, at) => {
      const fromRows = build(dir, 'r.sst', src, (w) => w.add(rows));
      const fromBlocks = build(dir, 'b.sst', src, (w) => {
        for (const part of cut(rows, at)) w.addBlock(RowBlock.fromRows(part));
      });
      expect(fromBlocks.equals(fromRows)).toBe(true);
    }), { numRuns: 80 });
  });

  it('writes an x_ value a row lacks as an empty one, as adding the rows does', () => {
    const dir = tmp();
    const src = join(dir, 'src.csv');
    writeFileSync(src, 'x');
    const base = { tNs: 0, task: 'a', op: 'write', addr: 0, len: 4096, flags: 0, object: '', offset: 0 } as const;
    const rows: TraceRow[] = [
      { ...base, line: 3, extra: { x_a: '1', x_b: '2' } },
      { ...base, line: 4, extra: { x_a: '3' } },
      { ...base, line: 5 },
    ];
    const fromRows = build(dir, 'r.sst', src, (w) => w.add(rows));
    expect(build(dir, 'b.sst', src, (w) => w.addBlock(RowBlock.fromRows(rows))).equals(fromRows)).toBe(true);
    expect(fromRows.includes(Buffer.from('[["1","2"],["3",""],["",""]]'))).toBe(true);
  });

  it('refuses a block whose row names a task or object its table does not have', () => {
    const dir = tmp();
    const src = join(dir, 'src.csv');
    writeFileSync(src, 'x');
    const b = RowBlock.fromRows([{ line: 3, tNs: 0, task: 'a', op: 'write', addr: 0, len: 4096, flags: 0, object: '', offset: 0 }]);
    b.task[0] = 5;
    const w = new TraceCacheWriter(join(dir, 'x.sst'), sourceIdentity(src));
    expect(() => w.addBlock(b)).toThrow(/entry 5 of a table of 1/);
    w.abort();
  });

  it('fills the cache\'s blocks of BLOCK_ROWS across the blocks added, mixing rows and blocks', async () => {
    const dir = tmp();
    const src = join(dir, 'src.csv');
    writeFileSync(src, 'x');
    const rows: TraceRow[] = [];
    for (let i = 0; i < BLOCK_ROWS + 5000; i++) rows.push({ line: i + 3, tNs: i * 1000, task: `t${i % 3}`, op: OP_NAMES[i % 7], addr: i * 4096, len: 4096, flags: 0, object: `o${i % 11}`, offset: i });
    const fromRows = build(dir, 'r.sst', src, (w) => w.add(rows));
    const mixed = build(dir, 'm.sst', src, (w) => {
      w.add(rows.slice(0, 3000));
      w.addBlock(RowBlock.fromRows(rows.slice(3000, 40000)));
      w.addBlock(RowBlock.fromRows(rows.slice(40000, BLOCK_ROWS + 10)));
      w.add(rows.slice(BLOCK_ROWS + 10));
    });
    expect(mixed.equals(fromRows)).toBe(true);
    const back: TraceRow[] = [];
    for await (const b of readCache(join(dir, 'm.sst'))) back.push(...b);
    expect(back).toEqual(rows);
  });
});

describe('caches built from the CSV reader\'s blocks', () => {
  /**
   * A trace of `n` rows over `objects` objects and three tasks, with an x_ column, all in
   * the plain form the reader's fast pass takes; with `quotedAt`, one more map row there whose
   * object name needs quotes, where the fast pass stops and csv-parse reads the rest.
   */
  function trace(dir: string, name: string, n: number, objects: number, quotedAt = -1): string {
    const lines = [formatHeader(['x_note']).trimEnd()];
    const row = (r: object) => lines.push(formatRow(r as never, ['x_note']).trimEnd());
    for (let i = 0; i < objects; i++) row({ tNs: i * 1000, task: `t${i % 3}`, op: 'map', addr: 0x10000000 + i * 0x100000, len: 65536, object: `obj${i}`, offset: 0, extra: { x_note: '' } });
    for (let i = 0; i < n; i++) {
      const o = i % objects, t = (objects + i) * 1000;
      if (i === quotedAt) row({ tNs: t, task: 't0', op: 'map', addr: 0x80000000, len: 4096, object: 'obj "q", data', offset: 0, extra: { x_note: 'a, b' } });
      row({ tNs: t, task: `t${o % 3}`, op: i % 5 === 4 ? 'msync' : 'write', addr: 0x10000000 + o * 0x100000 + (i % 16) * 4096, len: 4096, flags: i % 5 === 4 ? Flag.SYNC : 0, extra: { x_note: i % 7 === 0 ? `n${i}` : '' } });
    }
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  }

  /** Whether the reader's fast pass takes the whole of `path`. */
  async function fastPassTakesAll(path: string): Promise<boolean> {
    const pass = new FastPass(path, false, new ReadState(path, 4096), 4096);
    for await (const b of pass.blocks()) void b;
    return pass.complete;
  }

  /** The cache of `src` written row by row from the reader's row objects (the writer as it was). */
  async function byRows(dir: string, src: string): Promise<Buffer> {
    const path = join(dir, 'by-rows.sst');
    const w = new TraceCacheWriter(path, sourceIdentity(src));
    for await (const batch of readTrace(src, { batchSize: 777 })) w.add(batch);
    w.close(createHash('sha256').update(readFileSync(src)).digest('hex')); // the CSV's SHA-256, as a read of it records
    return readFileSync(path);
  }

  it('ensureCache, convert and a run reading the CSV write the cache a build from rows writes (the fast pass alone, and the fast pass then csv-parse)', async () => {
    const dir = tmp();
    for (const [name, quotedAt, rows] of [['plain.csv', -1, 9300], ['mixed.csv', 4000, 9301]] as const) {
      const src = trace(dir, name, 9000, 300, quotedAt);
      expect([name, await fastPassTakesAll(src)]).toEqual([name, quotedAt < 0]);
      const reference = await byRows(dir, src);
      // ensureCache
      expect(await ensureCache(src, join(dir, `c1-${name}`))).toBe('csv+cache');
      expect([name, readFileSync(cachePathFor(src, join(dir, `c1-${name}`))).equals(reference)]).toEqual([name, true]);
      // openTrace's batches, as a run reads them
      const o = await openTrace(src, { cacheDir: join(dir, `c2-${name}`) });
      expect(o.kind).toBe('csv+cache');
      let n = 0;
      for await (const b of o.batches) n += b.length;
      o.finish(true);
      expect(n).toBe(rows);
      expect([name, readFileSync(cachePathFor(src, join(dir, `c2-${name}`))).equals(reference)]).toEqual([name, true]);
      // syncsim convert
      const out = join(dir, `conv-${name}.sst`);
      const r = await syncsimHere(['convert', src, '-o', out]);
      expect([r.code, r.stderr, r.stdout]).toEqual([0, '', `${out}: ${rows} rows\n`]);
      expect([name, readFileSync(out).equals(reference)]).toEqual([name, true]);
    }
  });

  it('the reader\'s block pass, at any batch size and with or without its fast pass, feeds the same cache', async () => {
    const dir = tmp();
    for (const [name, quotedAt] of [['plain.csv', -1], ['mixed.csv', 1500]] as const) {
      const src = trace(dir, name, 3000, 40, quotedAt);
      const ref = await byRows(dir, src);
      for (const [batchSize, fast] of [[1, true], [64, false], [1000, true], [5000, false]] as const) {
        const p = join(dir, `b${batchSize}${fast}.sst`);
        const w = new TraceCacheWriter(p, sourceIdentity(src));
        for await (const b of readTraceBlocks(src, { batchSize, fast, chunkBytes: 4096 })) {
          w.addBlock(b);
          b.release();
        }
        w.close(createHash('sha256').update(readFileSync(src)).digest('hex'));
        expect([name, batchSize, fast, readFileSync(p).equals(ref)]).toEqual([name, batchSize, fast, true]);
      }
    }
  });

  it('a bad row leaves no cache behind, and its error names the file, line and field', async () => {
    const dir = tmp();
    const src = trace(dir, 'bad.csv', 100, 4);
    writeFileSync(src, readFileSync(src, 'utf8').replace(/\n([^\n]*),write,/, '\n$1,scribble,'));
    await expect(ensureCache(src, join(dir, 'c'))).rejects.toThrow(/bad\.csv:\d+: column op: unknown op .*'scribble'/);
    // no cache and no half-written temporary file (the directory, made for it, is gone too)
    expect(existsSync(join(dir, 'c')) ? readdirSync(join(dir, 'c')) : []).toEqual([]);
  });
});

describe('a cache that cannot be written', () => {
  /** A 70,001-row trace: its cache writes a block (65,536 rows) while the CSV is read. */
  function bigTrace(dir: string): string {
    const rows = Array.from({ length: 70_000 }, (_, i) => `${i + 3},db,write,0x10000000,100,,,\n`).join('');
    const path = join(dir, 'big.csv');
    writeFileSync(path, 't_us,task,op,addr,len,flags,object,offset\n0,db,map,0x10000000,8192,,data.db,0\n' + rows);
    return path;
  }

  /** What a CLI call under the file size limit ended with. */
  type Limited = { status: number; stdout: string; stderr: string };
  /** The three cases under the limit below: each test's directory, trace, and what its call ended with. */
  const cases = {} as Record<'run' | 'corrupted' | 'sweep', { dir: string; src: string; r: Limited; cachePath?: string }>;
  beforeAll(async () => {
    // the run's: a cache directory to make
    const run = tmp();
    const runSrc = bigTrace(run);
    // the corrupted cache's: a whole cache, made here, with its second block damaged
    const corrupted = tmp();
    const corruptedSrc = bigTrace(corrupted);
    const cacheDir = join(corrupted, 'cache');
    expect((await syncsimHere(['run', corruptedSrc, '--out', join(corrupted, 'first'), '--cache-dir', cacheDir])).code).toBe(0);
    const [name] = readdirSync(cacheDir);
    const cachePath = join(cacheDir, name!);
    const bytes = readFileSync(cachePath);
    bytes[HEADER_BYTES + 16 + bytes.readUInt32LE(HEADER_BYTES + 4) + 16 + 7] ^= 0x20; // in the second block
    writeFileSync(cachePath, bytes);
    // the sweep's: an existing cache directory, holding a file of the user's
    const sweep = tmp();
    const sweepSrc = bigTrace(sweep);
    mkdirSync(join(sweep, 'cache'));
    writeFileSync(join(sweep, 'cache', 'mine.txt'), 'kept\n');
    writeFileSync(join(sweep, 'exp.yaml'), `name: e\ntrace: { path: ${sweepSrc} }\ngrid:\n  device.channels: [1, 2]\n`);
    // RLIMIT_FSIZE of 2 MiB (bash's ulimit -f counts KiB): the cache's first block (about 3.2 MiB) is written
    // in part, then the rest of it fails with EFBIG (node ignores SIGXFSZ) while the CSV is read; the results are small.
    // The three calls one after the other in one such process (test/workers/cli-cases.mjs: the CLI's main, as the syncsim command runs it)
    const args = [
      ['run', runSrc, '--out', join(run, 'out'), '--cache-dir', join(run, 'cache', 'a', 'b')],
      ['run', corruptedSrc, '--out', join(corrupted, 'out'), '--cache-dir', cacheDir],
      ['sweep', join(sweep, 'exp.yaml'), '--out', join(sweep, 'sw'), '--cache-dir', join(sweep, 'cache'), '--jobs', '1'],
    ];
    const [r1, r2, r3] = cliCases(args.map((a) => ({ args: a })), { fileLimitKiB: 2048 }).map((x): Limited => ({ status: x.code, stdout: x.stdout, stderr: x.stderr }));
    cases.run = { dir: run, src: runSrc, r: r1! };
    cases.corrupted = { dir: corrupted, src: corruptedSrc, r: r2!, cachePath };
    cases.sweep = { dir: sweep, src: sweepSrc, r: r3! };
  }, 120_000);

  it('a run whose cache hits a file size limit warns once, keeps its results (those of a run without a cache) and leaves no cache file nor the directories it made', async () => {
    const { dir, src, r } = cases.run;
    expect(r.status, r.stderr).toBe(0);
    // the cache's one warning, beside the run's own about its trace (which has no msync)
    const cacheLines = r.stderr.split('\n').filter((l) => l.includes('trace cache'));
    expect(cacheLines).toHaveLength(1);
    expect(cacheLines[0]).toMatch(/^syncsim: warning: cannot write the trace cache .*big-[0-9a-f]{16}\.sst \(EFBIG[^)]*\): nothing was cached, the trace was read from its CSV$/);
    expect(r.stderr).toContain('the trace has no msync');
    expect(existsSync(join(dir, 'cache'))).toBe(false);
    const plain = await syncsimHere(['run', src, '--out', join(dir, 'plain'), '--no-cache']);
    expect(plain.code).toBe(0);
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv', 'durability.csv']) {
      expect([f, readFileSync(join(dir, 'out', f), 'utf8') === readFileSync(join(dir, 'plain', f), 'utf8')]).toEqual([f, true]);
    }
  });

  it('a cache found corrupted part way whose new copy hits the file size limit: two warnings that say which rows came from the CSV, the results of a run without a cache, no cache file left', async () => {
    const { dir, src, r, cachePath } = cases.corrupted;
    const cacheDir = join(dir, 'cache');
    expect(r.status, r.stderr).toBe(0);
    // the cache's two warnings, beside the run's own about its trace (which has no msync)
    const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.includes('the trace has no msync'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`syncsim: warning: the trace cache ${cachePath}: block 1: corrupted (checksum): rows 65537 on are read from ${src}, and the cache is made again from it`);
    expect(lines[1]).toMatch(/^syncsim: warning: cannot write the trace cache .*big-[0-9a-f]{16}\.sst \(EFBIG[^)]*\): nothing was cached, rows 65537 on were read from the CSV$/);
    expect(readdirSync(cacheDir)).toEqual([]);
    const plain = await syncsimHere(['run', src, '--out', join(dir, 'plain'), '--no-cache']);
    expect(plain.code).toBe(0);
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv', 'durability.csv']) {
      expect([f, readFileSync(join(dir, 'out', f), 'utf8') === readFileSync(join(dir, 'plain', f), 'utf8')]).toEqual([f, true]);
    }
  });

  it('a sweep whose trace cannot be cached warns once and its runs read the CSV; an existing cache directory is kept, only the temporary file goes', () => {
    const { dir, r } = cases.sweep;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/syncsim: warning: cannot write the trace cache .*\(EFBIG[^)]*\)/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/2 runs \(0 already done, 2 run now\), 0 failed/);
    expect(readdirSync(join(dir, 'cache'))).toEqual(['mine.txt']);
  });

  it('a cache directory that cannot be made: the run warns and reads the CSV; ensureCache throws an error that is not bad input', async () => {
    const dir = tmp();
    const src = trace0(dir);
    const notADir = join(dir, 'file-not-dir');
    writeFileSync(notADir, 'mine\n');
    const r = await syncsimHere(['run', src, '--out', join(dir, 'out'), '--cache-dir', notADir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^syncsim: warning: cannot write the trace cache .*file-not-dir\/.*\.sst \(EEXIST.*\): the trace is read from its CSV$/);
    expect(r.stderr.match(/cannot write the trace cache/g)).toHaveLength(1);
    expect(readFileSync(notADir, 'utf8')).toBe('mine\n');
    const e = await ensureCache(src, notADir).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toMatch(/^cannot write the trace cache /);
    expect((await import('../scripts/exit-code.ts')).exitCodeOf(e)).toBe(1);
  });
});

/** A small valid trace in `dir`. */
function trace0(dir: string): string {
  const path = join(dir, 'small.csv');
  writeFileSync(path, 't_us,task,op,addr,len,flags,object,offset\n0,db,map,0x10000000,8192,,data.db,0\n1,db,write,0x10000000,100,,,\n2,db,msync,0x10000000,8192,SYNC,,\n');
  return path;
}
