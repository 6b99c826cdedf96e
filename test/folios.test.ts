/**
 * Large folios (Linux): read-ahead at order k reads a window into naturally
 * aligned folios of 2^k pages (mm/readahead.c page_cache_ra_order), a store
 * to one page dirties its whole folio (folio_mark_dirty) and writeback writes
 * every page of it. The expected folio layout of a sequential read is the one
 * /proc/kpageflags showed on Linux 6.18 ext4 (read_ahead_kb 8192, a 64 MiB
 * file read through its mapping): 2048 order-0 pages, then 8 MiB each in
 * folios of 4, 16, 64 and 256 pages, and the last 24 MiB in folios of 512.
 */
import { describe, expect, it } from 'vitest';
import { objOf, simulate, TraceBuilder } from './helpers.ts';
import { resolveConfig } from '../sim/config.ts';
import { identityConfig } from '../scripts/sweep/identity.ts';
import { FolioTable } from '../sim/vm/folios.ts';
import { Page, PageCounters, VmObject } from '../sim/vm/object.ts';
import { WaitQueue } from '../sim/vm/process.ts';
import { Engine } from '../sim/engine/queue.ts';
import { DurabilityTracker } from '../sim/stats/durability.ts';

const A = 0x10000000;
const PS = 4096;

/** An object whose pages [0, n) are resident and clean. */
function residentObject(n: number, counters = new PageCounters()): VmObject {
  const obj = new VmObject(0, 'f', 'vnode', counters, new WaitQueue(new Engine()));
  for (let i = 0; i < n; i++) obj.fault(i);
  return obj;
}

/** One 8-page folio of resident pages, its page versions followed by a durability tracker (no write cache). */
function trackedFolio(): { engine: Engine; tracker: DurabilityTracker; obj: VmObject } {
  const engine = new Engine();
  const counters = new PageCounters();
  counters.clock = engine;
  const tracker = new DurabilityTracker(engine, false);
  counters.versions = tracker;
  const obj = residentObject(8, counters);
  obj.readIntoFolios(0, 8, 3);
  return { engine, tracker, obj };
}

describe('the folios a read allocates (page_cache_ra_order)', () => {
  it('an aligned run: folios of 2^order pages', () => {
    const t = new FolioTable();
    t.allocate(0, 64, 4);
    expect(t.size).toBe(4);
    expect([0, 15, 16, 17, 63].map((i) => t.orderOf(i))).toEqual([4, 4, 4, 4, 4]);
    expect(t.orderOf(64)).toBe(0);
  });

  it('an unaligned start takes the order of its lowest set bit; the end takes smaller folios rather than pass the run', () => {
    const t = new FolioTable();
    // index 6: __ffs(6) = 1 → [6, 8); 8: __ffs(8) = 3 → [8, 16); 16: order 4 would pass 26 → 3, [16, 24); 24: → 1, [24, 26)
    t.allocate(6, 20, 4);
    expect([6, 7, 8, 15, 16, 23, 24, 25].map((i) => t.orderOf(i))).toEqual([1, 1, 3, 3, 3, 3, 1, 1]);
    expect(t.size).toBe(4);
    // an odd start: an order-0 page first
    const u = new FolioTable();
    u.allocate(3, 5, 2);
    expect([3, 4, 5, 6, 7].map((i) => u.orderOf(i))).toEqual([0, 2, 2, 2, 2]);
  });

  it('a range widened to whole folios: from the start of the first page\'s folio to the end of the last page\'s', () => {
    const t = new FolioTable();
    expect(t.wholeFolios(5, 9)).toEqual({ first: 5, end: 9 }); // no folios: as given
    t.allocate(6, 20, 4); // [6, 8) order 1, [8, 16) order 3, [16, 24) order 3, [24, 26) order 1
    expect(t.wholeFolios(7, 10)).toEqual({ first: 6, end: 16 });
    expect(t.wholeFolios(9, 17)).toEqual({ first: 8, end: 24 });
    expect(t.wholeFolios(16, 24)).toEqual({ first: 16, end: 24 }); // already whole
    expect(t.wholeFolios(2, 4)).toEqual({ first: 2, end: 4 }); // order-0 pages
    expect(t.wholeFolios(25, 30)).toEqual({ first: 24, end: 30 });
  });

  it('pages read again forget the folios they were in; order 0 leaves none', () => {
    const t = new FolioTable();
    t.allocate(0, 1024, 9);
    expect(t.size).toBe(2);
    t.allocate(600, 4, 0);
    expect(t.orderOf(0)).toBe(9);
    expect(t.orderOf(600)).toBe(0);
    expect(t.orderOf(1023)).toBe(0);
    expect(t.size).toBe(1);
  });
});

describe('a store to a page of a large folio', () => {
  it('dirties every resident page of the folio; the others count as dirty by their folio only', () => {
    const counters = new PageCounters();
    const obj = residentObject(32, counters);
    obj.readIntoFolios(0, 32, 3);
    expect(obj.dirty(10)).toBe(8); // pages 8..15
    expect(counters.dirty).toBe(8);
    expect(obj.dirtyPages).toBe(8);
    for (let i = 8; i < 16; i++) expect(obj.state(i) & Page.DIRTY).toBe(Page.DIRTY);
    expect(obj.state(16) & Page.DIRTY).toBe(0);
    expect(obj.folios?.isUnstored(10)).toBe(false);
    expect(obj.folios?.isUnstored(11)).toBe(true);
    // a store to a page its folio dirtied: no page goes dirty, it is stored now
    expect(obj.dirty(11)).toBe(0);
    expect(obj.folios?.isUnstored(11)).toBe(false);
    // a good write cleans them: no longer dirty by the folio (through the write, they still are)
    obj.startWriteback(12);
    expect(obj.folios?.isUnstored(12)).toBe(true);
    obj.endWriteback(12, true);
    expect(obj.folios?.isUnstored(12)).toBe(false);
  });

  it('an order-0 page, or an object without large folios, dirties only itself', () => {
    const obj = residentObject(16);
    expect(obj.dirty(3)).toBe(1);
    expect(obj.dirty(3)).toBe(0);
    obj.readIntoFolios(8, 8, 0);
    expect(obj.folios).toBeUndefined();
    expect(obj.dirty(9)).toBe(1);
  });

  it('a folio with a page no longer in memory was broken up: forgotten, the store dirties its own page', () => {
    const obj = residentObject(16);
    obj.readIntoFolios(0, 16, 2);
    obj.free(5);
    expect(obj.dirty(6)).toBe(1);
    expect(obj.folios?.orderOf(6)).toBe(0);
    expect(obj.folios?.orderOf(0)).toBe(2); // the others stay
  });

  it('pages of the folio still being read go dirty as they arrive', () => {
    const obj = residentObject(4);
    for (let i = 4; i < 8; i++) obj.startRead(i);
    obj.readIntoFolios(0, 8, 3);
    expect(obj.dirty(1)).toBe(4); // pages 0..3 now
    for (let i = 4; i < 8; i++) obj.endRead(i, true);
    expect(obj.dirtyPages).toBe(8);
    expect(obj.folios?.isUnstored(6)).toBe(true);
    expect(obj.folios?.awaiting).toBe(0);
  });

  it('a page dirty by its folio stays so through a failed write; clean after a good one, it no longer is', () => {
    const obj = residentObject(8);
    obj.readIntoFolios(0, 8, 3);
    obj.dirty(0);
    obj.startWriteback(1);
    expect(obj.folios?.isUnstored(1)).toBe(true); // through its write
    obj.endWriteback(1, false);
    expect(obj.state(1) & Page.DIRTY).toBe(Page.DIRTY);
    expect(obj.folios?.isUnstored(1)).toBe(true);
    obj.startWriteback(1);
    obj.endWriteback(1, true);
    expect(obj.folios?.isUnstored(1)).toBe(false);
  });

  it('a page freed breaks its folio up: made resident again without a read, it is a 4 KiB page', () => {
    const obj = residentObject(8);
    obj.readIntoFolios(0, 8, 3);
    obj.free(2);
    obj.fault(2);
    expect(obj.dirty(3)).toBe(1);
  });

  it('durability: a page dirty by its folio has no version until a store reaches it', () => {
    const { tracker, obj } = trackedFolio();
    obj.dirty(0);
    expect(tracker.summary().never_durable_pages).toBe(1); // page 0's version, still dirty
    obj.dirty(1); // dirty by the folio until now: a new version
    expect(tracker.summary().never_durable_pages).toBe(2);
    obj.dirty(1); // already stored: the same version
    expect(tracker.summary().never_durable_pages).toBe(2);
  });

  it('durability: a store to a page under a write of its folio (no data of its own) is durable after the next write, not that one', () => {
    const { engine, tracker, obj } = trackedFolio();
    obj.dirty(0); // page 1 dirty by its folio
    obj.startWriteback(1);
    engine.now = 1000;
    obj.dirty(1); // stored while its folio's write of it is in flight
    obj.endWriteback(1, true);
    expect(tracker.summary().durable_pages).toBe(0);
    expect(obj.state(1) & Page.DIRTY).toBe(Page.DIRTY);
    engine.now = 5000;
    obj.startWriteback(1);
    obj.endWriteback(1, true);
    expect(tracker.summary().durable_pages).toBe(1);
    expect(tracker.summary().lag_us.max).toBe(4); // stored at 1 µs, written at 5 µs
  });

  it('durability: a page made dirty again by its folio during its write, then stored to, is durable only with the next write', () => {
    const { engine, tracker, obj } = trackedFolio();
    obj.dirty(0); // page 1 dirty by its folio, no version
    obj.startWriteback(1); // its write carries no data of its own
    engine.now = 1000;
    obj.startWriteback(0);
    obj.endWriteback(0, true);
    obj.dirty(0); // page 0 clean again: a store dirties the folio, page 1 (under its write) with it
    expect(obj.state(1) & (Page.DIRTY | Page.WB)).toBe(Page.DIRTY | Page.WB);
    obj.dirty(1); // the store that matters: behind page 1's write in flight
    obj.endWriteback(1, true);
    const durable = tracker.summary().durable_pages;
    expect(durable).toBe(1); // page 0's first version only, not page 1's store
    engine.now = 9000;
    obj.startWriteback(1);
    obj.endWriteback(1, true);
    expect(tracker.summary().durable_pages).toBe(durable + 1);
  });

  it('durability: a failed write that carried a version, of a page its folio made dirty again meanwhile, leaves that version, and no second one on the next store', () => {
    const { tracker, obj } = trackedFolio();
    obj.dirty(3); // page 3's version; pages 0..2, 4..7 dirty by the folio
    obj.startWriteback(3); // its write carries its version
    obj.startWriteback(0);
    obj.endWriteback(0, true);
    obj.dirty(0); // dirties the folio again: page 3, under its write, too
    obj.endWriteback(3, false); // the write fails: page 3 holds its version again, not its folio's
    expect(obj.folios?.isUnstored(3)).toBe(false);
    const pending = tracker.summary().never_durable_pages;
    obj.dirty(3); // the same version (already dirty with it)
    expect(tracker.summary().never_durable_pages).toBe(pending);
    obj.startWriteback(3);
    obj.endWriteback(3, true);
    expect(tracker.summary().never_durable_pages).toBe(pending - 1);
  });

  it('a failed read of a page of a folio breaks it up: nothing of it goes dirty later without a store', () => {
    const obj = residentObject(4);
    for (let i = 4; i < 8; i++) obj.startRead(i);
    obj.readIntoFolios(0, 8, 3);
    expect(obj.dirty(1)).toBe(4);
    obj.endRead(4, false);
    for (let i = 5; i < 8; i++) obj.endRead(i, true);
    expect(obj.dirtyPages).toBe(4);
    expect(obj.folios?.awaiting).toBe(0);
    expect(obj.folios?.orderOf(5)).toBe(0);
  });

  it('durability: a failed write of a page dirty by its folio leaves a store behind it pending, not lost', () => {
    const { tracker, obj } = trackedFolio();
    obj.dirty(0);
    obj.startWriteback(2);
    obj.endWriteback(2, false);
    obj.dirty(2); // dirty again after the error, by its folio only: this store is new data
    expect(tracker.summary().never_durable_pages).toBe(2);
    obj.startWriteback(2);
    obj.endWriteback(2, true);
    expect(tracker.summary().durable_pages).toBe(1);
  });
});

describe('a sequential read through the mapping, then one-page stores with an msync each (linux)', () => {
  // 64 MiB; read_ahead_kb 8192 (2048 pages), as on the machine whose kpageflags gave the layout above
  const pages = 16384;
  const stores = [100, 3000, 5000, 7000, 9000, 12000];
  const run = (extra: Record<string, unknown> = {}) => {
    const b = new TraceBuilder('a').map(0, A, pages * PS, 'f');
    for (let i = 0; i < pages; i++) b.op(1 + i, 'read', A + i * PS, 1);
    let t = 1_000_000;
    for (const p of stores) {
      b.op(t, 'write', A + p * PS + 123, 1);
      b.op(t + 1, 'msync', A, pages * PS, 'SYNC');
      t += 100_000;
    }
    return simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: 2048, request_pages: 256, ...extra } });
  };
  /** Pages each msync wrote. */
  const written = (o: ReturnType<typeof simulate>) => o.syncs.map((s) => s.pagesWritten);

  it('each msync writes the folio its store fell in: 1, 4, 16, 64, 256 and 512 pages', () => {
    const o = run();
    expect(written(o)).toEqual([1, 4, 16, 64, 256, 512]);
    // the stores' pages were dirtied by the store, the rest by their folio
    expect(o.result.writeback.pages).toBe(1 + 4 + 16 + 64 + 256 + 512);
  });

  it('readahead.max_folio_order 0 (a kernel without large folios for the file): one page each', () => {
    expect(written(run({ max_folio_order: 0 }))).toEqual([1, 1, 1, 1, 1, 1]);
    // capped at 4: the windows of order 6, 8 and 9 are read in folios of 16
    expect(written(run({ max_folio_order: 4 }))).toEqual([1, 4, 16, 16, 16, 16]);
  });

  it('an msync of part of a folio writes the whole folio', () => {
    const b = new TraceBuilder('a').map(0, A, pages * PS, 'f');
    for (let i = 0; i < pages; i++) b.op(1 + i, 'read', A + i * PS, 1);
    // page 12000 lies in the 512-page folio [11776, 12288): store two pages of it, msync one
    b.op(1_000_000, 'write', A + 12000 * PS, 1).op(1_000_001, 'write', A + 12200 * PS, 1).op(1_000_002, 'msync', A + 12000 * PS, PS, 'SYNC');
    const o = simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: 2048, request_pages: 256 } });
    expect(o.syncs.map((s) => s.pagesWritten)).toEqual([512]);
    expect(objOf(o, 'f').dirtyPages).toBe(0);
  });

  it('a window with a page in memory already: large folios up to the one that would hold it, 4 KiB folios from there (page_cache_ra_order, do_page_cache_ra)', () => {
    // readahead.pages 64. Page 102 comes in alone first (a load through a second mapping advised RANDOM). The load
    // of page 0 reads around [0, 64) at order 0, PG_readahead on 48; the load of 48 starts [64, 128) at order 2:
    // pages 64..99 in folios of 4; the folio [100, 104) would hold page 102 (-EEXIST), so 100, 101 and 103..127 are
    // read in 4 KiB folios.
    const B = A + 0x10000000;
    const b = new TraceBuilder('a').map(0, A, 1024 * PS, 'f').map(0, B, 1024 * PS, 'f', 0, 'RANDOM').op(1, 'read', B + 102 * PS, 1);
    for (let i = 0; i < 128; i++) b.op(10 + i, 'read', A + i * PS, 1);
    let t = 100_000;
    for (const p of [105, 100, 101, 97]) {
      b.op(t, 'write', A + p * PS, 1).op(t + 1, 'msync', A, 1024 * PS, 'SYNC');
      t += 100_000;
    }
    const o = simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: 64 } });
    expect(o.syncs.map((s) => s.pagesWritten)).toEqual([1, 1, 1, 4]);
  });

  it('FolioTable.allocate with `cut`: no folio overlaps the page in memory after the run; the pages from the folio that would are 4 KiB', () => {
    const t = new FolioTable();
    expect(t.allocate(64, 38, 2, true)).toBe(100); // [64, 102): folios up to 100, [100, 104) would hold 102
    expect([64, 99, 100, 101].map((i) => t.orderOf(i))).toEqual([2, 2, 0, 0]);
    const u = new FolioTable();
    expect(u.allocate(0, 812, 9, true)).toBe(512); // an order-9 window with a page in memory at 812: one folio of 512, the rest 4 KiB
    expect([0, 511, 512, 700].map((i) => u.orderOf(i))).toEqual([9, 9, 0, 0]);
    // at the window's end (no cut) the last folios shrink instead
    const w = new FolioTable();
    expect(w.allocate(64, 38, 2)).toBe(102);
    expect(w.orderOf(100)).toBe(1);
  });

  it('a window under 4 pages is read in 4 KiB folios', () => {
    // readahead.pages 2, advised SEQUENTIAL: [0, 2) with PG_readahead on 1, then [2, 4) and [4, 6), each of order
    // min(2 more, log2 2 = 1) were it not for the rule: a store to page 4 would write [4, 6)
    const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f', 0, 'SEQUENTIAL');
    for (let i = 0; i < 8; i++) b.op(10 + i, 'read', A + i * PS, 1);
    b.op(100_000, 'write', A + 4 * PS, 1).op(100_001, 'msync', A, 64 * PS, 'SYNC');
    const o = simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: 2 } });
    expect(o.syncs.map((s) => s.pagesWritten)).toEqual([1]);
  });

  it('cleaning a page dirty only by its folio costs cpu.clean_pmd_page_us, a stored one cpu.clean_page_us', () => {
    // the 16-page folio of page 5000 ([4992, 5008)): 1 stored page and 15 by the folio
    const cpu = { clean_page_us: 10, clean_pmd_page_us: 1, clean_io_us: 0, writeback_call_us: 0 };
    const b = new TraceBuilder('a').map(0, A, pages * PS, 'f');
    for (let i = 0; i < pages; i++) b.op(1 + i, 'read', A + i * PS, 1);
    b.op(1_000_000, 'write', A + 5000 * PS, 1).op(1_000_001, 'msync', A, pages * PS, 'SYNC');
    const one = simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: 2048 }, cpu });
    const zero = simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: 2048 }, cpu: { ...cpu, clean_page_us: 0, clean_pmd_page_us: 0 } });
    expect(one.syncs[0].pagesWritten).toBe(16);
    expect((one.syncs[0].tDoneNs - one.syncs[0].tIssueNs - (zero.syncs[0].tDoneNs - zero.syncs[0].tIssueNs)) / 1000).toBeCloseTo(10 + 15 * 1, 6);
  });
});

describe('readahead.max_folio_order', () => {
  it('defaults to 9, accepts 0 .. 9, and is left out of a sweep run\'s identity at 9 (the orders read-ahead used before it)', () => {
    expect(resolveConfig({ personality: 'linux' }).readahead.max_folio_order).toBe(9);
    expect(resolveConfig({ readahead: { max_folio_order: 0 } }).readahead.max_folio_order).toBe(0);
    expect(() => resolveConfig({ readahead: { max_folio_order: 10 } })).toThrow(/readahead.max_folio_order/);
    expect(() => resolveConfig({ readahead: { max_folio_order: 1.5 } })).toThrow(/readahead.max_folio_order/);
    const id = identityConfig(resolveConfig({ personality: 'linux' })) as { readahead: Record<string, unknown> };
    expect('max_folio_order' in id.readahead).toBe(false);
    const id4 = identityConfig(resolveConfig({ personality: 'linux', readahead: { max_folio_order: 4 } })) as { readahead: Record<string, unknown> };
    expect(id4.readahead.max_folio_order).toBe(4);
  });
});
