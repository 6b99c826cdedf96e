/**
 * Holes: with `fs.preallocated: false` a file page has no block on disk
 * until its first writeback, and a page-in of such a page (or of such pages
 * in a read-ahead window) zero-fills it in memory without a device read, as
 * ext4's read path does for a sparse file (sim/pager/pagein.ts,
 * sim/fs/fs.ts BlockMap). The device serves every I/O in a constant 100 µs.
 */
import { describe, expect, it } from 'vitest';
import { objOf, simulate, TraceBuilder } from './helpers.ts';
import { BlockMap } from '../sim/fs/fs.ts';
import { Page, PageCounters, VmObject } from '../sim/vm/object.ts';
import { WaitQueue } from '../sim/vm/process.ts';
import { Engine } from '../sim/engine/queue.ts';

const A = 0x10000000;
const PS = 4096;
const cfg = (preallocated: boolean, kind = 'ext4-nojournal') => ({
  personality: 'linux', pagein: true, fs: { kind, preallocated }, device: { service: { dist: 'constant', mean_us: 100 } },
});

describe('page-in of holes', () => {
  for (const kind of ['ext4-nojournal', 'ext4-ordered']) {
    it(`${kind}: a load of a never-written page of a sparse file reads nothing and leaves the page resident, clean`, () => {
      const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').op(1, 'read', A + 5 * PS, PS).rows;
      const o = simulate(rows, cfg(false, kind));
      expect(o.reads).toEqual([]);
      expect(objOf(o, 'f').state(5) & (Page.RESIDENT | Page.DIRTY)).toBe(Page.RESIDENT);
      // the same trace over a laid-out file: the fault reads its window from the device
      const laid = simulate(rows, cfg(true, kind));
      expect(laid.reads.length).toBeGreaterThan(0);
      expect(laid.reads.some((r) => r.offset / PS <= 5 && 5 < r.offset / PS + r.pages)).toBe(true);
    });
  }

  it('a page written back has its block: the file system says so, and its neighbours stay holes', () => {
    const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').op(1, 'write', A + 5 * PS, PS).op(2, 'msync', A, 64 * PS, 'SYNC').rows;
    const o = simulate(rows, cfg(false));
    const fs = o.sim.kernel.fs;
    const obj = objOf(o, 'f');
    expect([fs.hasBlock!(obj, 5), fs.hasBlock!(obj, 4), fs.hasBlock!(obj, 6)]).toEqual([true, false, false]);
    // the store to the hole read nothing either
    expect(o.reads).toEqual([]);
    expect(o.writebacks.filter((w) => w.object === 'f').map((w) => [w.offset / PS, w.pages])).toEqual([[5, 1]]);
  });

  it('BlockMap: preallocated has every block; otherwise only those allocated', () => {
    const obj = new VmObject(0, 'f', 'vnode', new PageCounters(), new WaitQueue(new Engine()));
    expect(new BlockMap(true).has(obj, 7)).toBe(true);
    // no holes to ask about: the file system offers page-in no hasBlock, so a read is not walked page by page
    expect(new BlockMap(true).holes()).toBeUndefined();
    expect(new BlockMap(false).holes()!(obj, 7)).toBe(false);
    const m = new BlockMap(false);
    expect(m.has(obj, 7)).toBe(false);
    expect(m.allocate(obj, 6, 3)).toBe(3);
    expect([5, 6, 7, 8, 9].map((i) => m.has(obj, i))).toEqual([false, true, true, true, false]);
    expect(m.allocate(obj, 7, 3)).toBe(1);
  });
});
