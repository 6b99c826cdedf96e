/**
 * Memory objects and their pages. A page's state is a few bits (resident,
 * dirty, under writeback, precious) plus a wire count, kept in chunked typed
 * arrays so sparse objects (a whole disk mapped) cost memory only where
 * touched.
 */
import type { WaitQueue } from './process.ts';
import type { PageLru } from './lru.ts';

/** Page-state bits. */
export const Page = {
  RESIDENT: 1,
  DIRTY: 2,
  /** Writeback in flight (FreeBSD shared-busy, Linux PG_writeback). */
  WB: 4,
  PRECIOUS: 8,
} as const;

/** Pages per chunk (a power of two). */
export const CHUNK_PAGES = 4096;
const CHUNK_MASK = CHUNK_PAGES - 1;

/** One chunk of page state, with counts that let scans skip idle chunks. */
export class PageChunk {
  readonly state = new Uint8Array(CHUNK_PAGES);
  readonly wire = new Int32Array(CHUNK_PAGES);
  /** LRU node of each resident page (0 = none); allocated only with a finite memory. */
  lru: Int32Array | undefined;
  resident = 0;
  dirty = 0;
  wb = 0;
  /** Page index of the chunk's first page. */
  constructor(readonly base: number) {}
}

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
  /** Pages whose wire count is above zero. */
  wired = 0;
  /** Peak of `wired`. */
  peakWired = 0;
  /** The simulated clock (the engine). */
  clock: { readonly now: number } = { now: 0 };
  /** LRU of resident pages, when memory is finite. */
  lru: PageLru | undefined;
  /** Called when an object's first dirty page appears (it starts ageing for background writeback). */
  onObjectDirty: ((obj: VmObject) => void) | undefined;
}

/** Kind of object: a named file/segment with a pager, or anonymous COW memory. */
export type ObjectKind = 'vnode' | 'anon';

/** A memory object: the pages of one file or segment, shared by every mapping of it. */
export class VmObject {
  private chunks: (PageChunk | undefined)[] = [];
  /** Size in pages: the largest extent any mapping has given it. */
  sizePages = 0;
  /** Pages of this object under writeback. */
  wbPages = 0;
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
  /** The object's pager wants every page back, clean or dirty (a mapping said PRECIOUS): pages come in precious. */
  precious = false;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly kind: ObjectKind,
    private readonly counters: PageCounters,
    /** Writeback completions on this object wake these sleepers. */
    readonly waitQueue: WaitQueue,
  ) {}

  private becameResident(ch: PageChunk, i: number): void {
    ch.resident++;
    const c = this.counters;
    c.resident++;
    c.pageins++;
    if (c.resident > c.peakResident) c.peakResident = c.resident;
    if (c.lru) {
      if (!ch.lru) ch.lru = new Int32Array(CHUNK_PAGES);
      ch.lru[i] = c.lru.insert(this, ch.base + i);
    }
  }

  private becameDirty(ch: PageChunk): void {
    ch.dirty++;
    this.counters.dirty++;
    if (this.dirtyPages++ === 0) {
      this.dirtySince = this.counters.clock.now;
      this.counters.onObjectDirty?.(this);
    }
  }

  private becameClean(ch: PageChunk): void {
    ch.dirty--;
    this.counters.dirty--;
    if (--this.dirtyPages === 0) this.dirtySince = -1;
  }

  /** Marks page `idx` as just used (moves it to the LRU tail). */
  touch(idx: number): void {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    const lru = this.counters.lru;
    if (ch && ch.lru && lru) {
      const id = ch.lru[idx & CHUNK_MASK];
      if (id) lru.touch(id);
    }
  }

  /** The chunk holding page `idx`, if any page of it was ever touched. */
  chunkOf(idx: number): PageChunk | undefined {
    return this.chunks[Math.floor(idx / CHUNK_PAGES)];
  }

  private chunkFor(idx: number): PageChunk {
    const c = Math.floor(idx / CHUNK_PAGES);
    let ch = this.chunks[c];
    if (!ch) ch = this.chunks[c] = new PageChunk(c * CHUNK_PAGES);
    return ch;
  }

  /** State bits of page `idx` (0 when never touched). */
  state(idx: number): number {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    return ch ? ch.state[idx & CHUNK_MASK] : 0;
  }

  /** Wire count of page `idx`. */
  wireCount(idx: number): number {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    return ch ? ch.wire[idx & CHUNK_MASK] : 0;
  }

  /** Makes page `idx` resident (a fault). Returns true if it was not resident. */
  fault(idx: number): boolean {
    const ch = this.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state[i];
    if (s & Page.RESIDENT) {
      if (ch.lru) this.counters.lru?.touch(ch.lru[i]);
      return false;
    }
    ch.state[i] = s | Page.RESIDENT | (this.precious ? Page.PRECIOUS : 0);
    this.becameResident(ch, i);
    return true;
  }

  /**
   * Stores to page `idx`: faults it in and marks it dirty. The caller has made
   * sure it is not under writeback. Returns true if it went clean -> dirty.
   */
  dirty(idx: number): boolean {
    const ch = this.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state[i];
    let n = s | Page.RESIDENT;
    if (!(s & Page.RESIDENT)) {
      if (this.precious) n |= Page.PRECIOUS;
      ch.state[i] = n;
      this.becameResident(ch, i);
    } else if (ch.lru) this.counters.lru?.touch(ch.lru[i]);
    if (s & Page.DIRTY) {
      ch.state[i] = n;
      return false;
    }
    ch.state[i] = n | Page.DIRTY;
    this.becameDirty(ch);
    this.generation++;
    return true;
  }

  /** Starts cleaning page `idx`: dirty -> under writeback (clean copy being written). */
  startWriteback(idx: number): void {
    const ch = this.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    const s = ch.state[i];
    if (s & Page.DIRTY) this.becameClean(ch);
    if (!(s & Page.WB)) {
      ch.wb++;
      this.wbPages++;
      this.counters.wb++;
    }
    ch.state[i] = (s & ~Page.DIRTY) | Page.WB;
  }

  /**
   * Ends writeback of page `idx`. On success the page stays clean; on an I/O
   * error it is dirty again (FreeBSD reactivates it).
   */
  endWriteback(idx: number, ok: boolean): void {
    const ch = this.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    let s = ch.state[i];
    if (s & Page.WB) {
      ch.wb--;
      this.wbPages--;
      this.counters.wb--;
      s &= ~Page.WB;
    }
    if (!ok && !(s & Page.DIRTY)) {
      s |= Page.DIRTY;
      this.becameDirty(ch);
    }
    ch.state[i] = s;
  }

  /** Clears the precious bit of page `idx` (its data went back to the manager). */
  clearPrecious(idx: number): void {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    if (ch) ch.state[idx & CHUNK_MASK] &= ~Page.PRECIOUS;
  }

  /** Drops the dirty bit of page `idx` without writing it (XNU KILLPAGES discards the data). */
  discard(idx: number): void {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    if (!ch) return;
    const i = idx & CHUNK_MASK;
    const s = ch.state[i];
    if (!(s & Page.DIRTY)) return;
    ch.state[i] = s & ~Page.DIRTY;
    this.becameClean(ch);
  }

  /** Frees page `idx` (it becomes non-resident). Only for clean, idle, unwired pages. */
  free(idx: number): void {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    if (!ch) return;
    const i = idx & CHUNK_MASK;
    const s = ch.state[i];
    if (!(s & Page.RESIDENT)) return;
    if (s & Page.DIRTY) this.becameClean(ch);
    ch.state[i] = 0;
    ch.resident--;
    this.counters.resident--;
    if (ch.lru && ch.lru[i]) {
      this.counters.lru?.remove(ch.lru[i]);
      ch.lru[i] = 0;
    }
  }

  /** Adds `delta` (+1 or -1) to the wire count of page `idx`, faulting it in when wiring. */
  wire(idx: number, delta: number): void {
    const ch = this.chunkFor(idx);
    const i = idx & CHUNK_MASK;
    if (delta > 0) this.fault(idx);
    const before = ch.wire[i];
    const after = before + delta;
    if (after < 0) return; // a sub-map changed under a wired entry: nothing left to unwire
    ch.wire[i] = after;
    if (before === 0 && after > 0) {
      this.counters.wired++;
      if (this.counters.wired > this.counters.peakWired) this.counters.peakWired = this.counters.wired;
    } else if (before > 0 && after === 0) this.counters.wired--;
  }

  /**
   * The first page index in [from, to) whose state has any bit of `mask`
   * (a combination of DIRTY, WB, RESIDENT), or -1. Chunks whose counters show
   * no such page are skipped whole.
   */
  next(from: number, to: number, mask: number): number {
    let idx = from;
    while (idx < to) {
      const c = Math.floor(idx / CHUNK_PAGES);
      const chunkEnd = Math.min(to, (c + 1) * CHUNK_PAGES);
      const ch = this.chunks[c];
      if (ch && (((mask & Page.DIRTY) && ch.dirty > 0) || ((mask & Page.WB) && ch.wb > 0) || ((mask & Page.RESIDENT) && ch.resident > 0))) {
        const st = ch.state;
        for (; idx < chunkEnd; idx++) if (st[idx & CHUNK_MASK] & mask) return idx;
      }
      idx = chunkEnd;
    }
    return -1;
  }
}
