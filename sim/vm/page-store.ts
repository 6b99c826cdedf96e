/**
 * Per-object page state (state bits, wire count, LRU node of each page),
 * stored so that memory follows the pages touched, not their spread: pages
 * are grouped in chunks of {@link CHUNK_PAGES}; a chunk with few pages in use
 * keeps them in small sorted arrays (sparse), one with many in typed arrays
 * indexed by page (dense). A chunk switches to dense when more than
 * `denseAbove` of its pages are in use and back to sparse when fewer than a
 * quarter of that remain. Both forms answer every query identically.
 */

import { insertAt, scanBits, scanDense, search } from './page-scan.ts';

/** Page-state bits. */
export const Page = {
  RESIDENT: 1,
  DIRTY: 2,
  /** Writeback in flight (FreeBSD shared-busy, Linux PG_writeback). */
  WB: 4,
  PRECIOUS: 8,
  /**
   * A page-in read is in flight (Linux locked !uptodate folio, FreeBSD
   * exclusive-busy page being filled): not resident yet; a second fault waits
   * for the same read.
   */
  READING: 16,
  /** Linux PG_readahead: a fault on this page starts the next asynchronous read-ahead window. */
  RA_MARK: 32,
  /** Brought in by read-ahead and not used since: its first touch is a read-ahead hit. */
  PREFETCHED: 64,
  /**
   * Part of a PMD-sized folio (Linux read-ahead at order 9, mapped by one
   * PMD): write-protecting it for cleaning is one entry for 512 pages, so its
   * pages cost far less CPU than others (`cpu.clean_pmd_page_us`).
   */
  PMD_FOLIO: 128,
} as const;

/** The read-ahead bits of a page: the PG_readahead marker and 'brought in by read-ahead, not yet used'. */
export const RA_BITS = Page.RA_MARK | Page.PREFETCHED;

/** Pages per chunk (a power of two). */
export const CHUNK_PAGES = 4096;
const CHUNK_MASK = CHUNK_PAGES - 1;

/** Default of {@link PageStoreOptions.denseAbove}. */
export const DEFAULT_DENSE_ABOVE = 128;

/** Options of a {@link PageStore}. */
export interface PageStoreOptions {
  /**
   * A chunk with more pages in use than this goes dense (0: every chunk is
   * dense from the start; Infinity: chunks stay sparse). Default
   * {@link DEFAULT_DENSE_ABOVE}.
   */
  denseAbove?: number;
}

/**
 * The state of {@link CHUNK_PAGES} consecutive pages, with counts of pages
 * resident, dirty and under writeback (kept from the state bits) that let
 * scans skip idle chunks. Offsets `i` are within the chunk.
 */
export class PageChunk {
  resident = 0;
  dirty = 0;
  wb = 0;
  /** Pages with a non-zero state, wire count or LRU node. */
  used = 0;
  /** Dense form: state bits by offset (undefined while sparse). Read-only outside this class. */
  st: Uint8Array | undefined;
  /** The same bytes as {@link st}, four pages a word: scans test four pages at once. */
  st32: Uint32Array | undefined;
  /** Dense form: a bit per page, set while its state has DIRTY or WB: scans for those bits test 32 pages at once. Read-only outside this class. */
  dw: Int32Array | undefined;
  // dense form: wire counts and LRU nodes by offset, allocated on first non-zero value
  private wr: Int32Array | undefined;
  private lr: Int32Array | undefined;
  // sparse form (st undefined): sorted offsets of the pages in use and parallel values
  private keys: number[] = [];
  private sst: number[] = [];
  private swr: number[] | undefined;
  private slr: number[] | undefined;

  /** Page index of the chunk's first page; `denseAbove` as in {@link PageStoreOptions}. */
  constructor(readonly base: number, private readonly denseAbove: number) {
    if (denseAbove <= 0) this.denseState();
  }

  /** Whether the chunk holds its pages in typed arrays by offset. */
  get dense(): boolean {
    return this.st !== undefined;
  }

  /** State bits of page `i`. */
  state(i: number): number {
    const st = this.st;
    if (st !== undefined) return st[i];
    const k = search(this.keys, i);
    return k >= 0 ? this.sst[k] : 0;
  }

  /** Wire count of page `i`. */
  wire(i: number): number {
    if (this.st !== undefined) return this.wr !== undefined ? this.wr[i] : 0;
    if (this.swr === undefined) return 0;
    const k = search(this.keys, i);
    return k >= 0 ? this.swr[k] : 0;
  }

  /** LRU node of page `i` (0 = none). */
  lru(i: number): number {
    if (this.st !== undefined) return this.lr !== undefined ? this.lr[i] : 0;
    if (this.slr === undefined) return 0;
    const k = search(this.keys, i);
    return k >= 0 ? this.slr[k] : 0;
  }

  private counts(old: number, s: number): void {
    const d = old ^ s;
    if (d & Page.RESIDENT) this.resident += s & Page.RESIDENT ? 1 : -1;
    if (d & Page.DIRTY) this.dirty += s & Page.DIRTY ? 1 : -1;
    if (d & Page.WB) this.wb += s & Page.WB ? 1 : -1;
  }

  /** Sets the state bits of page `i`. */
  setState(i: number, s: number): void {
    const st = this.st;
    if (st !== undefined) {
      const old = st[i];
      if (old === s) return;
      st[i] = s;
      if (((old | s) & DIRTY_WB) !== 0) {
        const dw = this.dw as Int32Array, m = 1 << (i & 31);
        if (s & DIRTY_WB) dw[i >> 5] |= m;
        else dw[i >> 5] &= ~m;
      }
      this.counts(old, s);
      if ((old === 0 || s === 0) && this.wire(i) === 0 && this.lru(i) === 0) this.denseUse(s !== 0);
      return;
    }
    const k = search(this.keys, i);
    if (k >= 0) {
      const old = this.sst[k];
      this.sst[k] = s;
      this.counts(old, s);
      if (s === 0) this.dropIfIdle(k);
    } else if (s !== 0) {
      this.insert(-k - 1, i, s, 0, 0);
      this.counts(0, s);
      this.grew();
    }
  }

  /** Sets the wire count of page `i`. */
  setWire(i: number, w: number): void {
    if (this.st !== undefined) {
      const old = this.wire(i);
      if (old === w) return;
      if (this.wr === undefined) this.wr = new Int32Array(CHUNK_PAGES);
      this.wr[i] = w;
      if ((old === 0 || w === 0) && this.st[i] === 0 && this.lru(i) === 0) this.denseUse(w !== 0);
      return;
    }
    const k = search(this.keys, i);
    if (k >= 0) {
      if (this.swr === undefined) this.swr = new Array<number>(this.keys.length).fill(0);
      this.swr[k] = w;
      if (w === 0) this.dropIfIdle(k);
    } else if (w !== 0) {
      this.insert(-k - 1, i, 0, w, 0);
      this.grew();
    }
  }

  /** Sets the LRU node of page `i`. */
  setLru(i: number, id: number): void {
    if (this.st !== undefined) {
      const old = this.lru(i);
      if (old === id) return;
      if (this.lr === undefined) this.lr = new Int32Array(CHUNK_PAGES);
      this.lr[i] = id;
      if ((old === 0 || id === 0) && this.st[i] === 0 && this.wire(i) === 0) this.denseUse(id !== 0);
      return;
    }
    const k = search(this.keys, i);
    if (k >= 0) {
      if (this.slr === undefined) this.slr = new Array<number>(this.keys.length).fill(0);
      this.slr[k] = id;
      if (id === 0) this.dropIfIdle(k);
    } else if (id !== 0) {
      this.insert(-k - 1, i, 0, 0, id);
      this.grew();
    }
  }

  /** The first offset in [from, to) whose state has a bit of `mask`, or -1. */
  next(from: number, to: number, mask: number): number {
    const st = this.st;
    if (st !== undefined) {
      for (let i = from; i < to; i++) if (st[i] & mask) return i;
      return -1;
    }
    const keys = this.keys, sst = this.sst;
    let k = search(keys, from);
    if (k < 0) k = -k - 1;
    for (; k < keys.length && keys[k] < to; k++) if (sst[k] & mask) return keys[k];
    return -1;
  }

  // ---- sparse form
  private insert(at: number, i: number, s: number, w: number, id: number): void {
    const n = this.keys.length;
    if (w !== 0 && this.swr === undefined) this.swr = new Array<number>(n).fill(0);
    if (id !== 0 && this.slr === undefined) this.slr = new Array<number>(n).fill(0);
    insertAt(this.keys, at, i);
    insertAt(this.sst, at, s);
    if (this.swr !== undefined) insertAt(this.swr, at, w);
    if (this.slr !== undefined) insertAt(this.slr, at, id);
    this.used++;
  }

  /** Removes entry `k` if its page holds nothing any more. */
  private dropIfIdle(k: number): void {
    if (this.sst[k] !== 0 || (this.swr !== undefined && this.swr[k] !== 0) || (this.slr !== undefined && this.slr[k] !== 0)) return;
    this.keys.splice(k, 1);
    this.sst.splice(k, 1);
    this.swr?.splice(k, 1);
    this.slr?.splice(k, 1);
    this.used--;
  }

  /** Allocates the dense state bytes (all 0), their word view and the DIRTY/WB bits. */
  private denseState(): Uint8Array {
    const st32 = new Uint32Array(CHUNK_PAGES / 4);
    this.st32 = st32;
    this.dw = new Int32Array(CHUNK_PAGES / 32);
    return (this.st = new Uint8Array(st32.buffer));
  }

  private grew(): void {
    if (this.used <= this.denseAbove) return;
    const st = this.denseState();
    const keys = this.keys;
    const dw = this.dw as Int32Array;
    for (let k = 0; k < keys.length; k++) {
      const i = keys[k];
      st[i] = this.sst[k];
      if (st[i] & DIRTY_WB) dw[i >> 5] |= 1 << (i & 31);
    }
    if (this.swr !== undefined) {
      const wr = (this.wr = new Int32Array(CHUNK_PAGES));
      for (let k = 0; k < keys.length; k++) wr[keys[k]] = this.swr[k];
    }
    if (this.slr !== undefined) {
      const lr = (this.lr = new Int32Array(CHUNK_PAGES));
      for (let k = 0; k < keys.length; k++) lr[keys[k]] = this.slr[k];
    }
    this.keys = [];
    this.sst = [];
    this.swr = this.slr = undefined;
  }

  // ---- dense form
  /** A page came into use (`up`) or went out of use. */
  private denseUse(up: boolean): void {
    if (up) {
      this.used++;
      return;
    }
    this.used--;
    if (this.used * 4 >= this.denseAbove) return;
    const st = this.st as Uint8Array, wr = this.wr, lr = this.lr;
    const keys: number[] = [], sst: number[] = [];
    const swr: number[] | undefined = wr && [], slr: number[] | undefined = lr && [];
    for (let i = 0; i < CHUNK_PAGES; i++) {
      const w = wr ? wr[i] : 0, id = lr ? lr[i] : 0;
      if (st[i] === 0 && w === 0 && id === 0) continue;
      keys.push(i);
      sst.push(st[i]);
      swr?.push(w);
      slr?.push(id);
    }
    this.keys = keys;
    this.sst = sst;
    this.swr = swr;
    this.slr = slr;
    this.st = this.wr = this.lr = undefined;
    this.st32 = undefined;
    this.dw = undefined;
  }
}

/** The bits of a page whose dense chunk sets its bit in {@link PageChunk.dw}. */
const DIRTY_WB = Page.DIRTY | Page.WB;

/** State bits that chunks keep no count of. */
const UNCOUNTED = ~(Page.DIRTY | Page.WB | Page.RESIDENT) & 0xff;

/** The page state of one object: chunks by page index, created on first use. */
export class PageStore {
  private readonly chunks: (PageChunk | undefined)[] = [];
  /** The numbers of the chunks created, ascending: a scan over a range far wider than the object's pages jumps between them. */
  private readonly created: number[] = [];
  private readonly denseAbove: number;

  constructor(options: PageStoreOptions = {}) {
    this.denseAbove = options.denseAbove ?? DEFAULT_DENSE_ABOVE;
  }

  /** The chunk holding page `idx`, if one was ever created. */
  chunkAt(idx: number): PageChunk | undefined {
    return this.chunks[Math.floor(idx / CHUNK_PAGES)];
  }

  /** The chunk holding page `idx`, created if needed. */
  chunkFor(idx: number): PageChunk {
    const c = Math.floor(idx / CHUNK_PAGES);
    let ch = this.chunks[c];
    if (!ch) {
      ch = this.chunks[c] = new PageChunk(c * CHUNK_PAGES, this.denseAbove);
      const n = this.created.length;
      if (n === 0 || this.created[n - 1] < c) this.created.push(c);
      else insertAt(this.created, -search(this.created, c) - 1, c); // not there yet: its insertion point
    }
    return ch;
  }

  /** State bits of page `idx` (0 when never touched). */
  state(idx: number): number {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    if (ch === undefined) return 0;
    const st = ch.st;
    return st !== undefined ? st[idx & CHUNK_MASK] : ch.state(idx & CHUNK_MASK);
  }

  /** Wire count of page `idx`. */
  wire(idx: number): number {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    return ch ? ch.wire(idx & CHUNK_MASK) : 0;
  }

  /** LRU node of page `idx` (0 = none). */
  lru(idx: number): number {
    const ch = this.chunks[Math.floor(idx / CHUNK_PAGES)];
    return ch ? ch.lru(idx & CHUNK_MASK) : 0;
  }

  /** Sets the state bits of page `idx`. */
  setState(idx: number, s: number): void {
    if (s === 0 && !this.chunkAt(idx)) return;
    this.chunkFor(idx).setState(idx & CHUNK_MASK, s);
  }

  /** Sets the wire count of page `idx`. */
  setWire(idx: number, w: number): void {
    if (w === 0 && !this.chunkAt(idx)) return;
    this.chunkFor(idx).setWire(idx & CHUNK_MASK, w);
  }

  /** Sets the LRU node of page `idx`. */
  setLru(idx: number, id: number): void {
    if (id === 0 && !this.chunkAt(idx)) return;
    this.chunkFor(idx).setLru(idx & CHUNK_MASK, id);
  }

  /**
   * The first page index in [from, to) whose state has any bit of `mask`, or
   * -1. Chunks whose counts show no such page are skipped whole (for bits
   * they count: DIRTY, WB, RESIDENT).
   */
  next(from: number, to: number, mask: number): number {
    let idx = from;
    while (idx < to) {
      const c = Math.floor(idx / CHUNK_PAGES);
      const chunkEnd = Math.min(to, (c + 1) * CHUNK_PAGES);
      const ch = this.chunks[c];
      // a chunk is skipped by its counts of the bits counted; a bit not counted (PRECIOUS, ...) has it scanned while it holds pages
      if (ch && (((mask & Page.DIRTY) && ch.dirty > 0) || ((mask & Page.WB) && ch.wb > 0) || ((mask & Page.RESIDENT) && ch.resident > 0) || ((mask & UNCOUNTED) && ch.used > 0))) {
        const st = ch.st;
        if (st !== undefined) {
          const base = c * CHUNK_PAGES;
          const i = (mask & 0xff & ~DIRTY_WB) === 0 ? scanBits(st, ch.dw as Int32Array, idx - base, chunkEnd - base, mask)
            : scanDense(st, ch.st32 as Uint32Array, idx - base, chunkEnd - base, mask);
          if (i >= 0) return base + i;
        } else {
          const base = c * CHUNK_PAGES;
          const i = ch.next(idx - base, chunkEnd - base, mask);
          if (i >= 0) return base + i;
        }
      }
      idx = chunkEnd;
      // no chunk in the next stretch: go on at the next chunk created (a range of 2^40 pages is 2^28 chunks)
      if (idx < to && this.chunks[c + 1] === undefined) {
        const found = search(this.created, c + 1);
        const at = found >= 0 ? found : -found - 1;
        if (at === this.created.length) return -1;
        idx = Math.max(idx, this.created[at] * CHUNK_PAGES);
      }
    }
    return -1;
  }

  /** Chunks allocated, and how many of them are dense (for tests and the benchmark). */
  shape(): { chunks: number; dense: number; pagesInUse: number } {
    let chunks = 0, dense = 0, pagesInUse = 0;
    for (const c of this.created) {
      const ch = this.chunks[c]!;
      chunks++;
      if (ch.dense) dense++;
      pagesInUse += ch.used;
    }
    return { chunks, dense, pagesInUse };
  }
}
