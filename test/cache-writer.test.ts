/**
 * The cache writer's two doors (traces/cache-writer.ts): rows, or blocks of
 * columns as the CSV reader's block pass yields them, must give the same
 * bytes; and the caches built from blocks (ensureCache, convert, a run that
 * writes the cache as it reads the CSV) are those a build from rows gives.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BLOCK_ROWS, readCache, sourceIdentity } from '../traces/cache.ts';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import { Flag, OP_NAMES, RowBlock, type TraceRow } from '../traces/types.ts';
import { cachePathFor, ensureCache, openTrace } from '../traces/open.ts';
import { readTrace, readTraceBlocks } from '../traces/reader.ts';
import { formatHeader, formatRow } from '../traces/writer.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
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
  /** A trace of `n` rows over `objects` objects and three tasks, with an x_ column. */
  function trace(dir: string, n: number, objects: number): string {
    const lines = [formatHeader(['x_note']).trimEnd()];
    for (let i = 0; i < objects; i++) lines.push(formatRow({ tNs: i * 1000, task: `t${i % 3}`, op: 'map', addr: 0x10000000 + i * 0x100000, len: 65536, object: `obj "${i}", data`, offset: 0, extra: { x_note: '' } } as never, ['x_note']).trimEnd());
    for (let i = 0; i < n; i++) {
      const o = i % objects;
      lines.push(formatRow({ tNs: (objects + i) * 1000, task: `t${o % 3}`, op: i % 5 === 4 ? 'msync' : 'write', addr: 0x10000000 + o * 0x100000 + (i % 16) * 4096, len: 4096, flags: i % 5 === 4 ? Flag.SYNC : 0, extra: { x_note: i % 7 === 0 ? `n${i}` : '' } } as never, ['x_note']).trimEnd());
    }
    const path = join(dir, 'trace.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  }

  it('ensureCache, convert and a run reading the CSV write the cache a build from rows writes', async () => {
    const dir = tmp();
    const src = trace(dir, 9000, 300);
    const reference = await (async () => {
      const path = join(dir, 'ref.sst');
      const w = new TraceCacheWriter(path, sourceIdentity(src));
      for await (const batch of readTrace(src, { batchSize: 777 })) w.add(batch);
      w.close();
      return readFileSync(path);
    })();
    // ensureCache
    expect(await ensureCache(src, join(dir, 'c1'))).toBe('csv+cache');
    expect(readFileSync(cachePathFor(src, join(dir, 'c1'))).equals(reference)).toBe(true);
    // openTrace's batches, as a run reads them
    const o = await openTrace(src, { cacheDir: join(dir, 'c2') });
    expect(o.kind).toBe('csv+cache');
    let n = 0;
    for await (const b of o.batches) n += b.length;
    o.finish(true);
    expect(n).toBe(9300);
    expect(readFileSync(cachePathFor(src, join(dir, 'c2'))).equals(reference)).toBe(true);
    // syncsim convert
    const r = spawnSync(process.execPath, [BIN, 'convert', src, '-o', join(dir, 'conv.sst')], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/: 9300 rows\n$/);
    expect(readFileSync(join(dir, 'conv.sst')).equals(reference)).toBe(true);
  });

  it('the reader\'s block pass, at any batch size and with or without its fast pass, feeds the same cache', async () => {
    const dir = tmp();
    const src = trace(dir, 3000, 40);
    const ref = readFileSync(await (async () => {
      const p = join(dir, 'ref.sst');
      const w = new TraceCacheWriter(p, sourceIdentity(src));
      for await (const batch of readTrace(src)) w.add(batch);
      w.close();
      return p;
    })());
    for (const [batchSize, fast] of [[1, true], [64, false], [1000, true], [5000, false]] as const) {
      const p = join(dir, `b${batchSize}${fast}.sst`);
      const w = new TraceCacheWriter(p, sourceIdentity(src));
      for await (const b of readTraceBlocks(src, { batchSize, fast, chunkBytes: 4096 })) {
        w.addBlock(b);
        b.release();
      }
      w.close();
      expect([batchSize, fast, readFileSync(p).equals(ref)]).toEqual([batchSize, fast, true]);
    }
  });

  it('a bad row leaves no cache behind, and its error names the file, line and field', async () => {
    const dir = tmp();
    const src = trace(dir, 100, 4);
    writeFileSync(src, readFileSync(src, 'utf8').replace(/\n([^\n]*),write,/, '\n$1,scribble,'));
    await expect(ensureCache(src, join(dir, 'c'))).rejects.toThrow(/trace\.csv:\d+: column op: unknown op .*'scribble'/);
    // no cache and no half-written temporary file (the directory, made for it, is gone too)
    expect(existsSync(join(dir, 'c')) ? readdirSync(join(dir, 'c')) : []).toEqual([]);
  });
});
