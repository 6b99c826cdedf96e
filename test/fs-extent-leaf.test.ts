/**
 * The extent tree block an allocation dirties once a file's extents no longer
 * fit in its inode (sim/fs/fs.ts dirtiesExtentLeaf, `fs.extent_leaf`): written
 * before the inode block by ext4 without a journal, journalled with the
 * transaction by ext4 with jbd2. Expected times are worked out by hand from
 * the test device (one channel, FIFO, 100 µs per I/O; a FLUSH costs nothing).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlockMap, dirtiesExtentLeaf, INODE_EXTENTS } from '../sim/fs/fs.ts';
import type { VmObject } from '../sim/vm/object.ts';
import { resolveConfig } from '../sim/config.ts';
import { idleKeyReasons } from '../scripts/idle-keys.ts';
import { doneAt, simulate, TraceBuilder, type SimOutput } from './helpers.ts';

const PS = 4096;
const A = 0x10000000;

/** Metadata writes as [object, submit µs, done µs]. */
function metadata(o: SimOutput): [string, number, number][] {
  return o.writebacks.filter((w) => w.cause === 'metadata').map((w) => [w.object, w.tSubmitNs / 1000, w.tDoneNs / 1000]);
}

/** A trace that writes then msyncs each of `pages` (page indexes of one 16-page file) in turn, 1000 µs apart. */
function storesAndSyncs(pages: number[]): TraceBuilder {
  const b = new TraceBuilder().map(0, A, 16 * PS, 'f');
  pages.forEach((p, i) => b.op(1000 * i, 'write', A + p * PS, 1).op(1000 * i + 10, 'msync', A, 16 * PS, 'SYNC'));
  return b;
}

describe('the rule: when an allocation dirties an extent tree block', () => {
  it('an ext4 inode holds four extents itself', () => {
    expect(INODE_EXTENTS).toBe(4);
  });

  it('with fs.extent_leaf every allocation does; without, only once the file has four extents', () => {
    expect([0, 1, 3, 4, 9].map((n) => dirtiesExtentLeaf(true, n))).toEqual([true, true, true, true, true]);
    expect([0, 1, 3, 4, 9].map((n) => dirtiesExtentLeaf(false, n))).toEqual([false, false, false, true, true]);
  });

  it('BlockMap counts the separate runs of a file\'s allocated pages, whatever order they are allocated in', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(60), fc.integer({ min: 1, max: 6 })), { maxLength: 40 }), (allocs) => {
      const m = new BlockMap(false);
      const obj = {} as VmObject;
      const set = new Set<number>();
      for (const [first, count] of allocs) {
        m.allocate(obj, first, count);
        for (let i = first; i < first + count; i++) set.add(i);
      }
      const runs = [...set].filter((i) => !set.has(i - 1)).length;
      expect(m.extents(obj)).toBe(runs);
    }));
  });

  it('a laid-out file (fs.preallocated) allocates nothing and has no runs', () => {
    const m = new BlockMap(true);
    const obj = {} as VmObject;
    expect(m.allocate(obj, 0, 8)).toBe(0);
    expect(m.extents(obj)).toBe(0);
  });
});

describe('ext4-nojournal: the extent tree block before the inode block', () => {
  const nojournal = (extra: Record<string, unknown> = {}) => ({ personality: 'linux', replay: 'open', fs: { kind: 'ext4-nojournal', preallocated: false, ...extra } });

  it('fs.extent_leaf: an msync that allocated writes the data, the extent tree block, then the inode block, one after the other', () => {
    const o = simulate(storesAndSyncs([0]).rows, nojournal({ extent_leaf: true }));
    // data 10→110, extent block 110→210, inode block 210→310
    expect(metadata(o)).toEqual([['ext4-extents', 110, 210], ['ext4-metadata', 210, 310]]);
    expect(doneAt(o, 5)).toBe(310);
    expect(o.result.fs).toMatchObject({ flushes: 1, metadata_bytes: 2 * PS });
  });

  it('without it, a file whose pages were allocated in four separate runs writes the block from its next allocation on, not before', () => {
    // pages 0, 2, 4, 6: the fourth msync makes the fourth run; page 8 (the fifth) is the first allocation of a four-run file
    const o = simulate(storesAndSyncs([0, 2, 4, 6, 8]).rows, nojournal());
    const leaves = metadata(o).filter(([obj]) => obj === 'ext4-extents').map(([, at]) => at);
    expect(leaves).toEqual([4110]);
    expect(doneAt(o, 13)).toBe(4310);
    expect(doneAt(o, 11)).toBe(3210);
  });

  it('appends in order stay one run: no extent tree block', () => {
    const o = simulate(storesAndSyncs([0, 1, 2, 3, 4, 5]).rows, nojournal());
    expect(metadata(o).filter(([obj]) => obj === 'ext4-extents')).toEqual([]);
  });

  it('an msync that allocated nothing writes no extent tree block, even with fs.extent_leaf', () => {
    // the second store rewrites page 0 in a later tick: the inode block (mtime), no allocation
    const o = simulate(storesAndSyncs([0, 0, 0, 0, 0]).rows, nojournal({ extent_leaf: true, timestamp_tick_us: 1 }));
    expect(metadata(o).filter(([obj]) => obj === 'ext4-extents').map(([, at]) => at)).toEqual([110]);
  });
});

describe('ext4-ordered: the extent tree block journalled with the transaction', () => {
  const ext4 = (extra: Record<string, unknown> = {}) => ({ personality: 'linux', fs: { kind: 'ext4-ordered', preallocated: false, ...extra } });

  it('fs.extent_leaf: the commit logs one more block (descriptor + inode + bitmap + group descriptor + extent block)', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').rows;
    const without = simulate(rows, ext4()), withLeaf = simulate(rows, ext4({ extent_leaf: true }));
    const journal = (o: SimOutput) => o.writebacks.filter((w) => w.cause === 'journal').map((w) => w.pages);
    expect(journal(without)).toEqual([4, 1]);
    expect(journal(withLeaf)).toEqual([5, 1]);
    expect(withLeaf.result.fs).toMatchObject({ commits: 1, journal_bytes: 6 * PS });
  });

  it('after the commit the extent block is written home by background writeback, like the inode block', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').op(60_000_000, 'read', A, 1).rows;
    const o = simulate(rows, { ...ext4({ extent_leaf: true }), writeback: { policy: 'flusher' } });
    const homes = o.writebacks.filter((w) => w.cause === 'metadata').map((w) => w.object).sort();
    expect(homes).toEqual(['ext4-extents', 'ext4-metadata', 'ext4-metadata', 'ext4-metadata']);
  });
});

describe('fs.extent_leaf where it has no effect', () => {
  const reasons = (fs: Record<string, unknown>) => idleKeyReasons(new Set(['fs.extent_leaf']), resolveConfig({ personality: 'linux', fs: { extent_leaf: true, ...fs } }));

  it('is idle on laid-out files (fs.preallocated true), and outside the ext4 kinds', () => {
    expect(reasons({ kind: 'ext4-nojournal' }).get('fs.extent_leaf')).toBe('with fs.preallocated true (the files are laid out: no writeback allocates a block)');
    expect(reasons({ kind: 'ufs', preallocated: false }).get('fs.extent_leaf')).toMatch(/ext4-ordered.*ext4-nojournal|ext4-nojournal.*ext4-ordered/);
  });

  it('is read by either ext4 kind on files that are not laid out', () => {
    expect(reasons({ kind: 'ext4-nojournal', preallocated: false }).has('fs.extent_leaf')).toBe(false);
    expect(reasons({ kind: 'ext4-ordered', preallocated: false }).has('fs.extent_leaf')).toBe(false);
  });
});
