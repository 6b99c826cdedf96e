/**
 * Fuzz of the binary trace cache reader: a cache with bytes flipped,
 * removed, inserted or cut off is either refused with a CacheError or read
 * as exactly the rows written (a byte nothing reads, such as a block
 * header's spare word, may change). Every byte the reader uses is checked
 * before it is used, so no other error and no other rows can come out; and
 * `syncsim run` on such a file exits 0 or 2, never leaving half a result
 * (the first such run spawned, the others in this process).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CacheError, readCache, sourceIdentity } from '../traces/cache.ts';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import { OP_NAMES, type TraceRow } from '../traces/types.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'syncsim-cache-fuzz-'));

/** 300 rows of two tasks over three objects, with x_ columns. */
function original(): TraceRow[] {
  const rows: TraceRow[] = [];
  for (let i = 0; i < 300; i++) {
    rows.push({ line: i + 3, tNs: i * 1000, task: i % 2 ? 'db' : 'log', op: OP_NAMES[i % OP_NAMES.length], addr: 4096 * (i % 50), len: 8 + i, flags: 0, object: ['', 'a.db', 'b.log'][i % 3], offset: 0, extra: { x_req: `r${i}`, x_note: i % 7 ? '' : 'seven' } });
  }
  return rows;
}

const ROWS = original();
const GOOD = (() => {
  const src = join(dir, 'src.csv');
  writeFileSync(src, 'x');
  const p = join(dir, 'good.sst');
  const w = new TraceCacheWriter(p, sourceIdentity(src));
  w.add(ROWS);
  w.close();
  return readFileSync(p);
})();

/** A byte position: anywhere, or (more often than by chance) in the file and block headers or the string table at the end (negative: from the end). */
const position = fc.oneof(fc.nat(), fc.integer({ min: 0, max: 127 }), fc.integer({ min: -160, max: -1 }));

/** A mutation of the cache's bytes. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: position }),
  fc.record({ kind: fc.constant('delete' as const), at: position, n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

type Mutation = { kind: 'flip'; at: number; mask: number } | { kind: 'cut'; at: number } | { kind: 'delete'; at: number; n: number } | { kind: 'insert'; at: number; bytes: Uint8Array };

/** `buf` with mutations `ms` applied in turn (positions taken modulo the length, a negative one from the end). */
function mutate(buf: Buffer, ms: readonly Mutation[]): Buffer {
  let b = Buffer.from(buf);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : (((m.at % b.length) + b.length) % b.length);
    if (m.kind === 'flip') {
      if (b.length > 0) b[at] ^= m.mask;
    } else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
    else b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
  }
  return b;
}

describe('binary trace cache reader, fuzzed', () => {
  it('a mutated cache is refused with a CacheError or read as exactly the rows written', async () => {
    let refused = 0, same = 0;
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
      const p = join(dir, 'm.sst');
      writeFileSync(p, mutate(GOOD, ms));
      const out: TraceRow[] = [];
      try {
        for await (const b of readCache(p)) out.push(...b);
      } catch (e) {
        expect(e).toBeInstanceOf(CacheError);
        expect((e as Error).message.startsWith(`${p}: `)).toBe(true);
        refused++;
        return;
      }
      expect(out).toEqual(ROWS);
      same++;
    }), { numRuns: 400, seed: 4242 });
    expect(refused).toBeGreaterThan(300);
    expect(refused + same).toBe(400);
  });

  it('syncsim run on a mutated cache exits 0 or 2 (naming the file), and leaves no results when it fails', async () => {
    const runs = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 2 }), { numRuns: 4, seed: 77 });
    for (const [i, ms] of runs.entries()) {
      const p = join(dir, `cli${i}.sst`);
      writeFileSync(p, mutate(GOOD, ms));
      const out = join(dir, `out${i}`);
      // the first in a process of its own, end to end (what the real command prints and exits with); the others in this one
      const r = i === 0 ? spawnSync(process.execPath, [BIN, 'run', p, '--out', out], { encoding: 'utf8' }) : await syncsimHere(['run', p, '--out', out]);
      const status = 'status' in r ? r.status : r.code;
      expect([0, 2]).toContain(status);
      if (status === 2) {
        expect(r.stderr).toContain(p);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(existsSync(out)).toBe(false);
      }
    }
  });
});
