/**
 * A read of a binary trace cache lets the event loop turn between its blocks: the file is read
 * synchronously, and without the turns a replay from it, or the check of a whole cache, ran
 * deaf to Ctrl-C and kill (their handlers only run when the event loop turns).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK_ROWS, readCacheBlocks, sourceIdentity, verifyCache } from '../traces/cache.ts';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import { OP_NAMES, type TraceRow } from '../traces/types.ts';

/** A cache of three blocks. */
function threeBlocks(): string {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-cache-turns-'));
  const src = join(d, 'src.csv');
  writeFileSync(src, 'x');
  const path = join(d, 'c.sst');
  const w = new TraceCacheWriter(path, sourceIdentity(src));
  const rows: TraceRow[] = [];
  for (let i = 0; i < BLOCK_ROWS * 2 + 5; i++) rows.push({ line: i + 2, tNs: i * 1000, task: 't', op: OP_NAMES[i % 7]!, addr: i * 4096, len: 4096, flags: 0, object: '', offset: 0 });
  for (let i = 0; i < rows.length; i += 4096) w.add(rows.slice(i, i + 4096));
  w.close();
  return path;
}

describe('a read of a binary trace cache', () => {
  it('lets the event loop turn between two blocks it yields: what waits for a turn runs before the next block comes', async () => {
    const path = threeBlocks();
    const turnsSeen: number[] = [];
    let turns = 0;
    const count = () => {
      turns++;
      if (turns < 1000) setImmediate(count);
    };
    setImmediate(count);
    for await (const b of readCacheBlocks(path)) {
      turnsSeen.push(turns);
      b.release();
    }
    turns = 1000; // stop counting
    expect(turnsSeen).toHaveLength(3);
    expect(turnsSeen[1]!).toBeGreaterThan(turnsSeen[0]!);
    expect(turnsSeen[2]!).toBeGreaterThan(turnsSeen[1]!);
  });

  it('checking a whole cache (verifyCache) lets it turn before it ends', async () => {
    const path = threeBlocks();
    let settled = false;
    let ranBefore: boolean | undefined;
    setImmediate(() => (ranBefore = !settled));
    await verifyCache(path).then(() => (settled = true));
    expect(ranBefore).toBe(true);
  });
});
