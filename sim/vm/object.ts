/**
 * Memory objects and their pages. A page's state is a few bits (resident,
 * dirty, under writeback, precious) plus a wire count, kept in a
 * {@link PageStore} whose memory follows the pages touched, not their spread
 * (a whole disk mapped costs memory only where written).
 */
import { WaitQueue } from './process.ts';
import type { PageLru } from './lru.ts';
import { CHUNK_PAGES, Page, PageStore, type PageChunk, type PageStoreOptions } from './page-store.ts';
import { FolioTable } from './folios.ts';

const CHUNK_MASK = CHUNK_PAGES - 1;

export { Page, CHUNK_PAGES, PageChunk } from './page-store.ts';

/**
 * Whole-VM page counters shared by all objects (the timeline samples them),
 * with the clock and, under memory pressure, the LRU list they update.
 */
export class PageCounters {
  resident = 0;
  /** Peak of `resident`. */
  peakResident = 0;
  /** Pages that became resident (page-ins, including first touches). */
  pageins = 0;
  dirty = 0;
  wb = 0;
  /** Pages being read in (page-in I/O in flight; not resident yet, but memory is taken). */
  reading = 0;
  /** Pages whose wire count is above zero. */
  wired = 0;
  /** Peak of `wired`. */
  peakWired = 0;
  /** The most of `resident`, `dirty`, `wb`, `wired` since the timeline last took them (sim/stats/timeline.ts, TimelineRows): its `*_max` columns. */
  windowResident = 0; windowDirty = 0; windowWb = 0; windowWired = 0;
  /** The simulated clock (the engine). */
  clock: { readonly now: number } = { now: 0 };
  /** LRU of resident pages, when memory is finite. */
  lru: PageLru<VmObject> | undefined;
  /** Called when an object's first dirty page appears (it starts ageing for background writeback). */
  onObjectDirty: ((obj: VmObject) => void) | undefined;
  /** Told of every page version's way to the device (the durability statistics). */
  versions: PageVersionObserver | undefined;
  /**
   * The wire or unwire call running now (set by the replay around each step of its kernel path):
   * `pages` gains every change of a page's wire count made meanwhile (+1 a wiring, -1 an unwiring).
   */
  wireTally: { pages: number } | undefined;
}

/** What happens to a page's data on its way to stable storage (sim/stats/durability.ts listens). */
export interface PageVersionObserver {
  /** The page went clean -> dirty (a new version); `behindWrite`: under a write that carries no version of it. */
  stored(obj: VmObject, idx: number, behindWrite?: boolean): void;
  /** The dirty page went under writeback. */
  writing(obj: VmObject, idx: number): void;
  /** Its writeback ended (`ok`: the data reached the device). */
  written(obj: VmObject, idx: number, ok: boolean): void;
  /** It was handed to a memory manager, which writes it later (Mach data_return). */
  handedOff(obj: VmObject, idx: number): void;
  /** Its dirty data was dropped unwritten. */
  discarded(obj: VmObject, idx: number): void;
}

/** Kind of object: a named file/segment with a pager, or anonymous COW memory. */
export type ObjectKind = 'vnode' | 'anon';

/** A memory object: the pages of one file or segment, shared by every mapping of it. */
export class VmObject {
  private readonly pages: PageStore;
  /** Size in pages: the largest extent any mapping has given it. */
  sizePages = 0;
  /** Pages of this object under writeback. */
  wbPages = 0;
  /**
   * Sleepers waiting for every write of the object to end (FreeBSD
   * bufobj_wwait on `bo_numoutput`): woken once, by {@link wakeDrained} after
   * the completion that brought {@link wbPages} to 0 (bufobj_wdrop), not by
   * each completion as {@link waitQueue} is.
   */
  readonly wbDrain: WaitQueue;
  /**
   * Write generation (FreeBSD `object->generation`, bumped by a write fault on
   * a write-protected page): counts stores that made a clean page dirty. A
   * cleaning scan that slept compares it to decide whether to restart.
   */
  generation = 0;
  /** Dirty pages of this object. */
  dirtyPages = 0;
  /** When the object went from clean to dirty (ns), -1 while clean (Linux inode dirtied_when). */
  dirtySince = -1;
  /** The durability statistics' record of this object's page versions (sim/stats/durability.ts), once one was stored. */
  durability: object | undefined = undefined;
  /** The object's pager wants every page back, clean or dirty (a mapping said PRECIOUS): pages come in precious. */
  precious = false;
  /** Its large folios (Linux read-ahead at order > 0), once it has had one: a store dirties the whole folio (./folios.ts). */
  folios: FolioTable | undefined = undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly kind: ObjectKind,
    private readonly counters: PageCounters,
    /** Writeback completions on this object wake these sleepers. */
    readonly waitQueue: WaitQueue,
    /** How the page state is stored (sparse/dense switching); the results do not depend on it. */
    pageStore: PageStoreOptions = {},
  ) {
    this.pages = new PageStore(pageStore);
    this.wbDrain = new WaitQueue(waitQueue.engine);
  }

  private becameResident(ch: PageChunk, i: number): void {
    const c = this.counters;
    c.resident++;
    c.pageins++;
    if (c.resident > c.peakResident) c.peakResident = c.resident;
    if (c.resident > c.windowResident) c.windowResident = c.resident;
    if (c.lru) ch.setLru(i, c.lru.insert(this, ch.base + i));
  }

  private becameDirty(): void {
    const c = this.counters;
    if (++c.dirty > c.windowDirty) c.windowDirty = c.dirty;
    if (this.dirtyPages++ === 0) {
      this.dirtySince = this.counters.clock.now;
      this.counters.onObjectDirty?.(this);
    }
  }

  private becameClean(): void {
    this.counters.dirty--;
    if (--this.dirtyPages === 0) this.dirtySince = -1;
  }

  /** Moves the LRU node of offset `i` of `ch`, if any, to the tail. */
  private touchIn(ch: PageChunk, i: number): void {
    const lru = this.counters.lru;
    if (lru) {
      const id = ch.lru(i);
      if (id) lru.touch(id);
    }
  }

  /** Marks page `idx` as just used (moves it to the LRU tail). */
  touch(idx: number): void {
    const ch = this.pages.chunkAt(idx);
    if (ch) this.touchIn(ch, idx & CHUNK_MASK);
  }

  /** The chunk holding page `idx`, if any page of it was ever touched. */
  chunkOf(idx: number): PageChunk | undefined {
    return this.pages.chunkAt(idx);
  }

  /** How the object's page state is held: chunks, dense chunks, pages in use (tests, benchmark). */
  pageShape(): { chunks: number; dense: number; pagesInUse: number } {
    return this.pages.shape();
  }

  /** State bits of page `idx` (0 when never touched). */
  state(idx: number): number {
    return this.pages.state(idx);
  }

  /** Wire count of page `idx`. */
  wireCount(idx: number): number {
    return this.pages.wire(idx);
  }

  /** Makes page `idx` resident (a fault). Returns true if it was not resident. */
  fault(idx: number): boolean {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state(i);
    if (s & Page.RESIDENT) {
      this.touchIn(ch, i);
      return false;
    }
    ch.setState(i, s | Page.RESIDENT | (this.precious ? Page.PRECIOUS : 0));
    this.becameResident(ch, i);
    return true;
  }

  /**
   * Stores to page `idx`: faults it in and marks it dirty. The caller has made
   * sure it is not under writeback. Returns the pages that went clean -> dirty:
   * 0, 1, or, when the page is part of a large folio, 1 and the other pages of
   * the folio it dirtied too ({@link FolioTable.dirtySiblings}).
   */
  dirty(idx: number): number {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state(i);
    let n = s | Page.RESIDENT;
    if (!(s & Page.RESIDENT)) {
      if (this.precious) n |= Page.PRECIOUS;
      ch.setState(i, n);
      this.becameResident(ch, i);
    } else this.touchIn(ch, i);
    if (s & Page.DIRTY) {
      ch.setState(i, n);
      // dirty by its folio until now: this store is its first new data
      if (this.folios !== undefined && this.folios.stored(idx)) this.counters.versions?.stored(this, idx, (s & Page.WB) !== 0);
      return 0;
    }
    ch.setState(i, n | Page.DIRTY);
    this.becameDirty();
    this.generation++;
    if (this.folios === undefined) {
      this.counters.versions?.stored(this, idx);
      return 1;
    }
    // under a write of its folio's that carries no data of its own: the store's data waits for the next write
    this.counters.versions?.stored(this, idx, (s & Page.WB) !== 0 && this.folios.isUnstored(idx));
    return 1 + this.folios.dirtySiblings(this, idx);
  }

  /** Marks resident page `idx` dirty because its folio was stored to (no data of its own changed). Returns true if it went clean -> dirty. */
  dirtyByFolio(idx: number): boolean {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state(i);
    if (s & Page.DIRTY || !(s & Page.RESIDENT)) return false;
    ch.setState(i, s | Page.DIRTY);
    this.becameDirty();
    return true;
  }

  /**
   * Pages [first, first+count) were read into folios of order `order` (Linux read-ahead; 0: order-0 pages); `cut`: they
   * stop at a page in memory. Returns the first page read in a 4 KiB folio because of that ({@link FolioTable.allocate}).
   */
  readIntoFolios(first: number, count: number, order: number, cut = false): number {
    if (order > 0) this.folios ??= new FolioTable();
    return this.folios === undefined ? first + count : this.folios.allocate(first, count, order, cut);
  }

  /** Starts cleaning page `idx`: dirty -> under writeback (clean copy being written). */
  startWriteback(idx: number): void {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state(i);
    if (s & Page.DIRTY) {
      this.becameClean();
      this.counters.versions?.writing(this, idx);
    }
    if (!(s & Page.WB)) {
      this.wbPages++;
      if (++this.counters.wb > this.counters.windowWb) this.counters.windowWb = this.counters.wb;
    }
    ch.setState(i, (s & ~Page.DIRTY) | Page.WB);
    this.folios?.writeStarted(idx);
  }

  /**
   * Ends writeback of page `idx`. On success the page stays clean; on an I/O
   * error it is dirty again (FreeBSD reactivates it). `handedOff`: the data
   * went to a memory manager (Mach), not to the device.
   */
  endWriteback(idx: number, ok: boolean, handedOff = false): void {
    const v = this.counters.versions;
    if (v) {
      if (handedOff && ok) v.handedOff(this, idx);
      else v.written(this, idx, ok);
    }
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    let s = ch.state(i);
    if (s & Page.WB) {
      this.wbPages--;
      this.counters.wb--;
      s &= ~Page.WB;
    }
    if (!ok && !(s & Page.DIRTY)) {
      s |= Page.DIRTY;
      this.becameDirty();
    }
    ch.setState(i, s);
    this.folios?.writeEnded(idx, ok, (s & Page.DIRTY) !== 0);
  }

  /**
   * The end of a write completion's work on this object: when no write of it
   * is left in flight, wakes the sleepers of {@link wbDrain}. Called after the
   * completion has woken the sleepers on its pages, as FreeBSD's bufdone()
   * calls bufobj_wdrop last, after b_iodone has unbusied the pages.
   */
  wakeDrained(): void {
    if (this.wbPages === 0 && this.wbDrain.size > 0) this.wbDrain.wakeAll();
  }

  /**
   * Starts a page-in read of non-resident page `idx`: it goes to READING with
   * the extra bits `bits` (RA_MARK, PREFETCHED), which it keeps when the read
   * completes.
   */
  startRead(idx: number, bits = 0): void {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    ch.setState(i, Page.READING | bits);
    this.counters.reading++;
  }

  /** Adds the bits `bits` (RA_MARK, PREFETCHED) to page `idx` (resident or being read). */
  addBits(idx: number, bits: number): void {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    ch.setState(i, ch.state(i) | bits);
  }

  /** Clears the bits `mask` (RA_MARK, PREFETCHED) of page `idx`. */
  clearBits(idx: number, mask: number): void {
    const ch = this.pages.chunkAt(idx);
    if (!ch) return;
    const i = idx & CHUNK_MASK;
    ch.setState(i, ch.state(i) & ~mask);
  }

  /**
   * Ends the page-in read of page `idx`: on success it becomes resident and
   * clean (a page-in); on an I/O error it is not resident again.
   */
  endRead(idx: number, ok: boolean): void {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state(i);
    if (!(s & Page.READING)) return;
    this.counters.reading--;
    if (s & Page.RESIDENT) {
      // faulted in meanwhile without the read (a wiring): it stays as it is
      ch.setState(i, s & ~Page.READING);
      this.folios?.readEnded(this, idx, ok);
      return;
    }
    if (!ok) {
      ch.setState(i, 0);
      this.folios?.readEnded(this, idx, false);
      return;
    }
    ch.setState(i, (s & ~Page.READING) | Page.RESIDENT | (this.precious ? Page.PRECIOUS : 0));
    this.becameResident(ch, i);
    // a page of a folio stored to while this part of it was still being read (Linux dirties the folio whole)
    this.folios?.readEnded(this, idx, true);
  }

  /** Clears the precious bit of page `idx` (its data went back to the manager). */
  clearPrecious(idx: number): void {
    const ch = this.pages.chunkAt(idx);
    if (!ch) return;
    const i = idx & CHUNK_MASK;
    ch.setState(i, ch.state(i) & ~Page.PRECIOUS);
  }

  /** Drops the dirty bit of page `idx` without writing it (XNU KILLPAGES discards the data). */
  discard(idx: number): void {
    const ch = this.pages.chunkAt(idx);
    if (!ch) return;
    const i = idx & CHUNK_MASK;
    const s = ch.state(i);
    if (!(s & Page.DIRTY)) return;
    ch.setState(i, s & ~Page.DIRTY);
    this.becameClean();
    this.counters.versions?.discarded(this, idx);
    this.folios?.cleaned(idx);
  }

  /** Frees page `idx` (it becomes non-resident). Only for clean, idle, unwired pages. */
  free(idx: number): void {
    const ch = this.pages.chunkAt(idx);
    if (!ch) return;
    const i = idx & CHUNK_MASK;
    const s = ch.state(i);
    if (!(s & Page.RESIDENT)) return;
    if (s & Page.DIRTY) {
      this.becameClean();
      this.counters.versions?.discarded(this, idx);
    }
    if (s & Page.READING) this.counters.reading--;
    ch.setState(i, 0);
    this.folios?.freed(idx);
    this.counters.resident--;
    const id = ch.lru(i);
    if (id) {
      this.counters.lru?.remove(id);
      ch.setLru(i, 0);
    }
  }

  /** Adds `delta` (+1 or -1) to the wire count of page `idx`, faulting it in when wiring. */
  wire(idx: number, delta: number): void {
    const ch = this.pages.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    if (delta > 0) this.fault(idx);
    const before = ch.wire(i);
    const after = before + delta;
    if (after < 0) return; // a sub-map changed under a wired entry: nothing left to unwire
    ch.setWire(i, after);
    const tally = this.counters.wireTally;
    if (tally !== undefined) tally.pages += delta;
    if (before === 0 && after > 0) {
      const c = this.counters;
      c.wired++;
      if (c.wired > c.peakWired) c.peakWired = c.wired;
      if (c.wired > c.windowWired) c.windowWired = c.wired;
    } else if (before > 0 && after === 0) this.counters.wired--;
  }

  /**
   * The first page index in [from, to) whose state has any bit of `mask`
   * (a combination of DIRTY, WB, RESIDENT), or -1. Chunks with no such page
   * are skipped whole.
   */
  next(from: number, to: number, mask: number): number {
    return this.pages.next(from, to, mask);
  }
}
