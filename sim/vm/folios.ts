/**
 * The large folios of a file object's page cache (Linux). Read-ahead at
 * order k > 0 reads a window into folios of 2^k pages (mm/readahead.c,
 * page_cache_ra_order), and a folio is dirtied and written back whole: a
 * store to one page through its mapping marks the whole folio dirty
 * (folio_mark_dirty), and writeback writes every page of it
 * (write_cache_pages). On Linux 6.18 ext4, one-byte stores to 8 random pages of
 * a 64 MiB file that had been read through its mapping wrote 6.8 MiB an msync
 * (6.5 ms at the median) against 32.5 KiB (0.21–0.26 ms) without the read
 * (docs/configuration.md, "Large folios: a store dirties the whole folio").
 *
 * Only read-ahead makes large folios here: pages faulted in alone or by
 * read-around are order 0, as are pages the trace finds already resident.
 */

/** Largest folio order read-ahead allocates (MAX_PAGECACHE_ORDER = HPAGE_PMD_ORDER with 4 KiB pages). */
export const MAX_FOLIO_ORDER = 9;

/** The pages whose state the folio table reads and changes (a {@link VmObject}). */
export interface FolioPages {
  state(idx: number): number;
  /** Marks page `idx` dirty as part of its folio (no store of its own); returns true if it went clean -> dirty. */
  dirtyByFolio(idx: number): boolean;
}

/** Page-state bits the table reads (sim/vm/page-store.ts `Page`). */
const RESIDENT = 1, DIRTY = 2, READING = 16;

/** The large folios of one object and the pages they dirtied without a store. */
export class FolioTable {
  /** First page of each large folio → its order (1 .. MAX_FOLIO_ORDER). Folios are naturally aligned. */
  private readonly orders = new Map<number, number>();
  /**
   * Pages dirty only because their folio was (no store to them since they were
   * last clean): writeback has no page-table entry of theirs to write-protect,
   * and their write carries no new data of theirs. A page keeps the mark
   * through its write, until it is clean after one.
   */
  private readonly unstored = new Set<number>();
  /** First pages of folios stored to while part of them was still being read: those pages go dirty as they arrive. */
  private readonly pending = new Set<number>();
  /** Pages whose write in flight started while they were dirty by their folio only: it carries no data of theirs. */
  private readonly carryingNone = new Set<number>();

  /** Number of folios with pages still being read that go dirty when they arrive. */
  get awaiting(): number {
    return this.pending.size;
  }

  /** Number of large folios known. */
  get size(): number {
    return this.orders.size;
  }

  /**
   * The folios a read of pages [first, first+count) at `order` allocates, as
   * page_cache_ra_order does: folios of 2^order pages, naturally aligned, a
   * smaller one where the index is not aligned (order = its lowest set bit)
   * or where a whole one would pass the window's (or file's) last page. When
   * the pages stop at one already in memory (`cut`), the folio that would
   * overlap it cannot be added (ra_alloc_folio: -EEXIST) and the pages from
   * its start are read in 4 KiB folios (do_page_cache_ra). Folios known
   * before that overlap the pages are forgotten (the pages were read again).
   * Returns the first page read in a 4 KiB folio for that reason (`first +
   * count` when none).
   */
  allocate(first: number, count: number, order: number, cut = false): number {
    if (this.orders.size > 0) this.forget(first, count);
    const end = first + count;
    if (order <= 0) return end;
    for (let index = first; index < end;) {
      let o = Math.min(order, MAX_FOLIO_ORDER);
      if (index % 2 ** o !== 0) o = lowestSetBit(index);
      if (cut && index + 2 ** o > end) return index;
      while (o > 0 && index + 2 ** o > end) o--;
      if (o > 0) this.orders.set(index, o);
      index += 2 ** o;
    }
    return end;
  }

  /** Forgets every folio that overlaps pages [first, first+count). */
  private forget(first: number, count: number): void {
    const end = first + count;
    for (let o = 1; o <= MAX_FOLIO_ORDER; o++) {
      const n = 2 ** o;
      for (let s = first - (first % n); s < end; s += n) {
        if (this.orders.get(s) === o) {
          this.orders.delete(s);
          this.pending.delete(s);
        }
      }
    }
  }

  /**
   * Pages [first, end) widened to whole folios: from the first page of the
   * folio holding `first` to the end of the folio holding `end - 1` (folios
   * are naturally aligned). Writeback tags and waits for a range by folio.
   */
  wholeFolios(first: number, end: number): { first: number; end: number } {
    if (this.orders.size === 0) return { first, end };
    const head = 2 ** this.orderOf(first), tail = 2 ** this.orderOf(end - 1);
    return { first: first - (first % head), end: end + ((tail - (end % tail)) % tail) };
  }

  /** The order of the folio holding page `idx` (0: an order-0 page, or none known). */
  orderOf(idx: number): number {
    for (let o = 1; o <= MAX_FOLIO_ORDER; o++) {
      const n = 2 ** o;
      if (this.orders.get(idx - (idx % n)) === o) return o;
    }
    return 0;
  }

  /**
   * Page `idx` was just stored to and went clean -> dirty: every other
   * resident page of its folio goes dirty too, and the pages of it still
   * being read go dirty when they arrive ({@link readDone}; Linux reads a
   * folio whole before a fault maps it, the model in requests that may cut
   * one). A folio with a page no longer in memory (neither resident nor
   * being read) was broken up and is forgotten. Returns the pages it
   * dirtied now besides `idx`.
   */
  dirtySiblings(pages: FolioPages, idx: number): number {
    this.unstored.delete(idx);
    const o = this.orderOf(idx);
    if (o === 0) return 0;
    const n = 2 ** o, start = idx - (idx % n);
    for (let p = start; p < start + n; p++) {
      if (!(pages.state(p) & (RESIDENT | READING))) {
        this.orders.delete(start);
        this.pending.delete(start);
        return 0;
      }
    }
    let dirtied = 0;
    for (let p = start; p < start + n; p++) {
      const s = pages.state(p);
      if (s & READING) this.pending.add(start);
      if (p === idx || (s & (RESIDENT | DIRTY)) !== RESIDENT) continue;
      if (pages.dirtyByFolio(p)) {
        this.unstored.add(p);
        dirtied++;
      }
    }
    return dirtied;
  }

  /**
   * Page `idx`'s read ended (`ok`: it is resident): if its folio was stored to
   * meanwhile, it goes dirty too (not counted for the dirty-page rate limit,
   * which Linux charges the whole folio at the store). A failed read breaks
   * the folio up.
   */
  readEnded(pages: FolioPages, idx: number, ok: boolean): void {
    if (this.pending.size === 0 && ok) return;
    const o = this.orderOf(idx);
    if (o === 0) return;
    const n = 2 ** o, start = idx - (idx % n);
    if (!ok) {
      this.orders.delete(start);
      this.pending.delete(start);
      return;
    }
    if (!this.pending.has(start)) return;
    if (pages.dirtyByFolio(idx)) this.unstored.add(idx);
    let reading = false;
    for (let p = start; p < start + n && !reading; p++) if (pages.state(p) & READING) reading = true;
    if (!reading) this.pending.delete(start);
  }

  /** Page `idx` left memory: its folio no longer exists. */
  freed(idx: number): void {
    this.unstored.delete(idx);
    this.carryingNone.delete(idx);
    const o = this.orderOf(idx);
    if (o === 0) return;
    const start = idx - (idx % 2 ** o);
    this.orders.delete(start);
    this.pending.delete(start);
  }

  /** Page `idx`, already dirty, was stored to: returns true if it had been dirty only by its folio (its data is new now). */
  stored(idx: number): boolean {
    return this.unstored.delete(idx);
  }

  /** Whether page `idx` is dirty only by its folio. */
  isUnstored(idx: number): boolean {
    return this.unstored.has(idx);
  }

  /** Page `idx`'s data was discarded unwritten: it is clean. */
  cleaned(idx: number): void {
    this.unstored.delete(idx);
  }

  /** Page `idx` went under writeback. */
  writeStarted(idx: number): void {
    if (this.unstored.has(idx)) this.carryingNone.add(idx);
  }

  /**
   * Page `idx`'s write ended (`ok`), leaving it dirty or not: clean, it is no
   * longer dirty by its folio; dirty again after a failed write that carried
   * a version of its own, that version is what it holds (not its folio's).
   */
  writeEnded(idx: number, ok: boolean, dirty: boolean): void {
    const carriedNone = this.carryingNone.delete(idx);
    if (!dirty || (!ok && !carriedNone)) this.unstored.delete(idx);
  }
}

/** The index of the lowest set bit of a positive integer below 2^53 (__ffs). */
function lowestSetBit(x: number): number {
  let o = 0;
  while (x % 2 === 0) {
    x /= 2;
    o++;
  }
  return o;
}
