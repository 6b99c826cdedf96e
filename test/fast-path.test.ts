/**
 * The replay's fast paths change no result: a store that cannot sleep done
 * without a kernel path (storeNoWait), XNU and Mach msync scans jumping over
 * idle pages (Kernel.skipIdlePages), rows delivered and issued, and an op's
 * CPU time ended, without an event when nothing would fire before them
 * (Simulator.inlineEvents), and
 * rows taken as blocks of columns (from the binary cache, or made from
 * parsed rows) instead of row objects.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import { storeNoWait } from '../sim/vm/ops.ts';
import { Page } from '../sim/vm/object.ts';
import { ResultsDir } from '../scripts/results.ts';
import type { ResultSink } from '../sim/stats/records.ts';
import { readCacheBlocks } from '../traces/cache.ts';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import { RowBlock, type RowBatch, type TraceRow } from '../traces/types.ts';
import { randomWriter } from '../workloads/random-writer.ts';
import { TraceBuilder } from './helpers.ts';

/** Replays `batches` into a results directory `out` and returns it. */
async function replay(out: string, config: Record<string, unknown>, batches: Iterable<RowBatch> | AsyncIterable<RowBatch>, fastStores: boolean): Promise<string> {
  const rd = new ResultsDir(out);
  // the general path also gets a new record object per writeback, read and timeline row (a sink that keeps them);
  // the fast path, the results directory itself, one reused object per kind
  const sink: ResultSink = fastStores ? rd : {
    sync: (r) => rd.sync(r), writeback: (r) => rd.writeback({ ...r }), read: (r) => rd.read({ ...r }),
    timeline: (r) => rd.timeline({ ...r }), durability: (r) => rd.durability({ ...r }),
  };
  const sim = new Simulator(resolveConfig(config), sink, { fastStores, skipIdlePages: fastStores, inlineEvents: fastStores });
  for await (const b of batches) {
    sim.feed(b);
    sim.run();
  }
  sim.end();
  sim.run();
  rd.writeTasks(sim.taskStats.records());
  rd.commit(JSON.stringify(sim.result(), null, 2) + '\n');
  return out;
}

/** Result files of `a` whose bytes differ in `b` (every file of `a` is compared). */
function differing(a: string, b: string): string[] {
  return readdirSync(a).filter((f) => !readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

describe('fast paths', () => {
  it("the bench trace's first 100k rows: general path from row objects and fast path from cache blocks write byte-identical result files (closed and open replay)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-fast-'));
    try {
      // bench/run.ts's 1 M-row random-writer trace, cut at 100k rows
      const rows = [...randomWriter({ seed: 1, rows: 100_000, pages: 4096, syncEvery: 100, writeRateUs: 200 })];
      const sst = join(dir, 'trace.sst');
      const w = new TraceCacheWriter(sst, { size: 0, mtimeMs: 0, fingerprint: 0 });
      w.add(rows);
      w.close();
      const blocks: RowBlock[] = [];
      for await (const b of readCacheBlocks(sst)) blocks.push(b); // kept: none is released
      // FreeBSD on the bench's queue device (stores wait for writeback) over all of it; Linux on the default NVMe with ext4 and page-in
      // (stores re-dirty pages under writeback, join the journal) over its first 20k rows
      // and FreeBSD in open replay (ops issued at their trace times, straight from the pump) over its first 20k rows
      for (const [name, config, n] of [
        ['freebsd', { device: { profile: 'queue' } }, 100_000], ['linux', { personality: 'linux' }, 20_000],
        ['freebsd-open', { device: { profile: 'queue' }, replay: 'open' }, 20_000],
        // XNU and Mach, whose msync scans judge every resident page (the fast path jumps over idle ones), over its first 20k rows
        ['xnu', { personality: 'xnu', device: { profile: 'queue' } }, 20_000], ['mach', { personality: 'mach', device: { profile: 'queue' } }, 20_000],
      ] as const) {
        const batches: TraceRow[][] = [];
        for (let i = 0; i < n; i += 4096) batches.push(rows.slice(i, Math.min(n, i + 4096)));
        const general = await replay(join(dir, `${name}-general`), config, batches, false);
        // all of it: blocks as the reader yields them, each buffer reused once the simulator released its block
        const fast = await replay(join(dir, `${name}-fast`), config, n === rows.length ? readCacheBlocks(sst) : [blocks[0].slice(0, n)], true);
        expect(readdirSync(fast).sort()).toEqual(readdirSync(general).sort());
        expect(differing(general, fast)).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('RowBlock.fromRows gives back every row as it was (tasks, objects, x_ columns interned per block)', () => {
    const rows: TraceRow[] = [
      { line: 3, tNs: 0, task: 'a', op: 'map', addr: 0x1000, len: 8192, flags: 0, object: 'f', offset: 4096, extra: { x_txn: '', x_n: '1' } },
      { line: 4, tNs: 2 ** 40, task: 'b', op: 'write', addr: 2 ** 52, len: 1, flags: 0, object: '', offset: 0, extra: { x_txn: 't1', x_n: '' } },
      { line: 5, tNs: 2 ** 40 + 1, task: 'a', op: 'msync', addr: 0x1000, len: 8192, flags: 5, object: '', offset: 0, extra: { x_txn: 't1', x_n: '2' } },
    ];
    const block = RowBlock.fromRows(rows);
    expect([block.length, block.strings.tasks, block.strings.objects]).toEqual([3, ['a', 'b'], ['f', '']]);
    expect(block.rows()).toEqual(rows);
    expect(RowBlock.fromRows(rows.map(({ extra: _, ...r }) => r)).rows()).toEqual(rows.map(({ extra: _, ...r }) => r));
  });

  it('storeNoWait: done at once on resident pages; refused, changing nothing, on an unmapped, non-resident or (when stores block) under-writeback page', () => {
    const PAGE = 4096, A = 0x10000000;
    const sim = new Simulator(resolveConfig({ device: { profile: 'queue' } }), { sync() {}, writeback() {}, timeline() {} });
    // map 4 pages and store to the first two through the general path (they fault in)
    sim.feed(new TraceBuilder('a').map(0, A, 4 * PAGE, 'f').op(1, 'write', A, 2 * PAGE).rows);
    sim.end();
    sim.run();
    const k = sim.kernel, map = k.vm.map('a'), obj = k.vm.objects.get('f')!;
    const bytes = k.dirtiedBytes; // 2 pages stored
    expect(bytes).toBe(2 * PAGE);
    // resident pages 0 and 1, 100 bytes straddling them: done, both stay dirty, 100 bytes stored
    expect(storeNoWait(k, map, A + PAGE - 50, 100, true)).toBe(true);
    expect(k.dirtiedBytes).toBe(2 * PAGE + 100);
    // page 2 was never touched (not resident); an address past the mapping is unmapped
    expect(storeNoWait(k, map, A + PAGE, 2 * PAGE, true)).toBe(false);
    expect(storeNoWait(k, map, A + 4 * PAGE, 8, true)).toBe(false);
    expect([obj.state(2), k.faults.unmapped_write, k.dirtiedBytes]).toEqual([0, 0, 2 * PAGE + 100]);
    // page 0 under writeback: a blocking store must sleep (refused), a non-blocking one re-dirties it
    obj.startWriteback(0);
    expect(storeNoWait(k, map, A, 8, true)).toBe(false);
    expect(obj.state(0) & Page.DIRTY).toBe(0);
    expect(storeNoWait(k, map, A, 8, false)).toBe(true);
    expect(obj.state(0) & (Page.DIRTY | Page.WB)).toBe(Page.DIRTY | Page.WB);
  });
});
