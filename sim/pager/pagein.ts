/**
 * Page-in (`pagein: true`): a load or store to a non-resident page of a file
 * object faults it in with a device read and the faulting task waits for it.
 * The kernel's fault read policy (./readahead.ts) chooses the pages read with
 * it (read-around, read-ahead); pages already in memory are never read again,
 * and a fault on a page being read waits for that read instead of issuing
 * another. Anonymous objects are zero-filled, never read.
 */
import type { Kernel } from '../kernel.ts';
import { Page, type VmObject } from '../vm/object.ts';
import type { KernelPath, WaitQueue } from '../vm/process.ts';
import { READAHEAD, type FaultSite, type ReadPolicy, type ReadWindow } from './readahead.ts';
import { RA_BITS } from '../vm/page-store.ts';

/** Pages in memory or on their way: a read never covers them. */
const PRESENT = Page.RESIDENT | Page.READING;
/** Bits that make a fault on a page in memory interesting to the policy. */
export { RA_BITS };

/** The page-in path of one run, with its wait-time total. */
export class PageIn {
  /** Total time faulting tasks waited for reads, ns. */
  waitNs = 0;

  constructor(private readonly k: Kernel, private readonly policy: ReadPolicy) {}

  /**
   * Faults page `site.idx` of file object `obj` in: reads it (with what the
   * policy adds) unless it is being read, then waits until it is resident.
   * Returns false when the read failed (the process would take SIGBUS).
   */
  *fault(obj: VmObject, site: FaultSite): KernelPath<boolean> {
    const idx = site.idx;
    let window: ReadWindow | undefined;
    let ownReadFailed = false;
    for (;;) {
      const s = obj.state(idx);
      if (s & Page.RESIDENT) return true;
      if (s & Page.READING) {
        if (s & RA_BITS) this.hitPage(obj, site, s);
        yield* this.waitRead(obj, idx);
        if (obj.state(idx) & Page.RESIDENT) return true;
        if (ownReadFailed) return false;
        continue; // someone else's read failed: read it ourselves
      }
      if (window === undefined) {
        window = this.policy.major(site, obj);
        const po = this.k.pageout;
        if (po) {
          yield* po.reserve(Math.min(this.absentIn(obj, window, idx), po.limit));
          continue; // the page may have come in (or started) while we slept
        }
      }
      // the window's pages are allocated like any page: when reclaim could not make room for all of them, the read is cut to the room there is
      const po = this.k.pageout;
      let own = this.issue(obj, po ? this.fit(obj, window, idx, Math.max(1, po.room())) : window, idx, 'pagein');
      if (!(obj.state(idx) & PRESENT)) {
        // the window missed the faulting page (it lies past the object's size): read it alone
        this.read(obj, idx, 1, idx, 'pagein');
        own = { first: idx, count: 1 };
      }
      this.policy.issued(site, obj, own.first, own.count);
      ownReadFailed = true; // if the wait ends with the page absent, it was our read that failed
      window = undefined;
      yield* this.waitRead(obj, idx);
      return (obj.state(idx) & Page.RESIDENT) !== 0;
    }
  }

  /**
   * Waits until page `idx` of `obj` is no longer being read, the faulting
   * task staying on its CPU ({@link WaitQueue.onCpu}): a major fault is
   * mostly the kernel's own work, and a read of a few tens of µs does not
   * leave the vCPU idle (docs/configuration.md, "Page-in keeps the task on its CPU").
   */
  private *waitRead(obj: VmObject, idx: number): KernelPath<void> {
    const t0 = this.k.engine.now;
    while (obj.state(idx) & Page.READING) yield obj.waitQueue.onCpu;
    this.waitNs += this.k.engine.now - t0;
  }

  /**
   * A fault on page `site.idx`, resident and carrying RA_MARK or PREFETCHED
   * (first use of a read-ahead page): the policy may start the next
   * asynchronous read-ahead window. Never sleeps.
   */
  touched(obj: VmObject, site: FaultSite): void {
    this.hitPage(obj, site, obj.state(site.idx));
  }

  private hitPage(obj: VmObject, site: FaultSite, s: number): void {
    obj.clearBits(site.idx, RA_BITS);
    const w = this.policy.hit(site, obj, (s & Page.PREFETCHED) !== 0, (s & Page.RA_MARK) !== 0,
      (from, max) => this.nextAbsent(obj, from, max));
    if (!w) return;
    const po = this.k.pageout;
    if (!po) {
      this.issue(obj, w, -1, 'readahead');
      return;
    }
    // asynchronous read-ahead allocates without waiting for reclaim (readahead_gfp_mask: __GFP_NORETRY), and
    // page_cache_ra_unbounded stops at the first folio it cannot allocate: the window is cut to the room reclaim
    // makes without sleeping (never freeing the page the fault holds), from its start; none left, no read
    const room = po.makeRoom(this.absentAhead(obj, w), obj, site.idx);
    if (room > 0) this.issue(obj, this.fit(obj, w, -1, room), -1, 'readahead');
  }

  /** Absent pages of asynchronous window `w` (a bridging window: every absent page in it, within the file). */
  private absentAhead(obj: VmObject, w: ReadWindow): number {
    const end = Math.min(w.start + w.size, obj.sizePages);
    let n = 0;
    for (let i = w.start; i < end; i++) if (!(obj.state(i) & PRESENT)) n++;
    return n;
  }

  /**
   * Window `w` cut so that its read brings in at most `budget` pages (`w` itself when it
   * fits). For a fault (`idx` ≥ 0) the faulting page stays, then the pages after it are
   * kept, then those before it; for asynchronous read-ahead (`idx` -1) the pages from the
   * window's start, ascending, as page_cache_ra_unbounded allocates them. A window that
   * does not bridge pages in memory is cut within the run it reads. RA_MARK stays only
   * on a page still in the window.
   */
  private fit(obj: VmObject, w: ReadWindow, idx: number, budget: number): ReadWindow {
    const wEnd = Math.min(w.start + w.size, Math.max(obj.sizePages, idx + 1));
    if (idx >= 0 && (idx < w.start || idx >= wEnd)) return w; // the window misses the page: issue() reads it alone
    const absent = (i: number): boolean => !(obj.state(i) & PRESENT);
    let lo: number, hi: number, n: number;
    if (idx < 0) {
      lo = hi = w.start;
      n = 0;
      while (hi < wEnd && (n < budget || !absent(hi))) {
        if (absent(hi)) n++;
        hi++;
      }
    } else {
      lo = idx;
      hi = idx + 1;
      n = 1;
      while (hi < wEnd && (w.bridge || absent(hi)) && (n < budget || !absent(hi))) {
        if (absent(hi)) n++;
        hi++;
      }
      while (lo > w.start && (w.bridge || absent(lo - 1)) && (n < budget || !absent(lo - 1))) {
        if (absent(lo - 1)) n++;
        lo--;
      }
    }
    const whole = idx < 0 ? hi >= wEnd : (hi >= wEnd || (!w.bridge && !absent(hi))) && (lo <= w.start || (!w.bridge && !absent(lo - 1)));
    if (whole) return w;
    return { ...w, start: lo, size: hi - lo, mark: w.mark >= lo && w.mark < hi ? w.mark : -1 };
  }

  /** The first page at or after `from` (at most `max` pages on) that is neither resident nor being read. */
  private nextAbsent(obj: VmObject, from: number, max: number): number {
    let i = from;
    while (i < from + max && obj.state(i) & PRESENT) i++;
    return i;
  }

  /** Pages of `w` a read would cover (for a run: the run grown from `idx`). */
  private absentIn(obj: VmObject, w: ReadWindow, idx: number): number {
    if (!w.bridge) {
      const r = this.run(obj, w, idx);
      return r.count;
    }
    let n = 0;
    for (let i = w.start; i < w.start + w.size; i++) if (!(obj.state(i) & PRESENT)) n++;
    return n;
  }

  /** The run of absent pages of `w` around `idx`, stopping at the first page in memory on each side. */
  private run(obj: VmObject, w: ReadWindow, idx: number): { first: number; count: number } {
    let first = idx, last = idx;
    while (first > w.start && !(obj.state(first - 1) & PRESENT)) first--;
    while (last + 1 < w.start + w.size && !(obj.state(last + 1) & PRESENT)) last++;
    return { first, count: last - first + 1 };
  }

  /**
   * Reads pages [first, first+count) in requests of at most
   * `readahead.request_pages`, in ascending order; with `cause` pagein, only
   * the request holding the faulting page `idx` is the fault's (urgent), the
   * others are read-ahead. Each request reads folios of `folioPages` pages.
   * A page in a hole (no block on disk) is made resident, zero-filled, instead.
   */
  private read(obj: VmObject, first: number, count: number, idx: number, cause: 'pagein' | 'readahead', folioPages = 1): void {
    const fs = this.k.fs;
    if (!fs.hasBlock) return this.readRun(obj, first, count, idx, cause, folioPages);
    // a hole has no block to read: the kernel's read_pages zero-fills it in memory (ext4's mpage_readpages)
    const end = first + count;
    for (let i = first; i < end;) {
      if (!fs.hasBlock(obj, i)) {
        obj.fault(i);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < end && fs.hasBlock(obj, j)) j++;
      this.readRun(obj, i, j - i, idx, cause, folioPages);
      i = j;
    }
  }

  /**
   * Reads the pages [first, first+count), all with blocks, as {@link read}
   * says; a request of more folios than `device.max_segments` goes as
   * several, split at that many (the block layer's bio split: 256 pages in
   * 4 KiB folios under 254 segments go as 254 + 2).
   */
  private readRun(obj: VmObject, first: number, count: number, idx: number, cause: 'pagein' | 'readahead', folioPages: number): void {
    const max = this.k.config.readahead.request_pages > 0 ? this.k.config.readahead.request_pages : count;
    const segments = this.k.config.device.max_segments;
    const piece = segments > 0 ? segments * folioPages : max;
    for (let at = first; at < first + count; at += max) {
      const end = Math.min(at + max, first + count);
      for (let p = at; p < end; p += piece) {
        const n = Math.min(piece, end - p);
        this.k.pager.read(obj, p, n, cause === 'pagein' && idx >= p && idx < p + n ? 'pagein' : 'readahead', folioPages);
      }
    }
  }

  /**
   * Reads the absent pages of window `w` (`idx`: the faulting page, -1 for
   * asynchronous read-ahead). Returns the run read for the faulting page.
   */
  private issue(obj: VmObject, w: ReadWindow, idx: number, cause: 'pagein' | 'readahead'): { first: number; count: number } {
    const end = Math.min(w.start + w.size, Math.max(obj.sizePages, idx + 1));
    let own = { first: idx, count: 1 };
    // a window read in PMD-sized folios (Linux read-ahead at order 9)
    let order = w.order ?? 0;
    let large = order >= READAHEAD.linux.pmdOrder ? Page.PMD_FOLIO : 0;
    let folioPages = 2 ** order;
    const flag = (first: number, count: number, cut = false) => {
      // the folios the read allocates: dirtied and written whole (sim/vm/folios.ts); none past `largeEnd`
      const largeEnd = obj.readIntoFolios(first, count, order, cut);
      for (let i = first; i < first + count; i++) {
        const bits = (i !== idx ? Page.PREFETCHED : 0) | (i === w.mark ? Page.RA_MARK : 0) | (i < largeEnd ? large : 0);
        if (bits) obj.addBits(i, bits);
      }
    };
    if (!w.bridge) {
      if (idx < 0) return own;
      own = this.run(obj, { ...w, size: end - w.start }, idx);
      this.read(obj, own.first, own.count, idx, cause, folioPages);
      flag(own.first, own.count);
      return own;
    }
    for (let i = w.start; i < end;) {
      if (obj.state(i) & PRESENT) {
        // page_cache_ra_order stops at the folio that would overlap a page in the cache; do_page_cache_ra reads the
        // rest in 4 KiB folios (from that folio's start: FolioTable.allocate, `cut`)
        order = 0;
        large = 0;
        folioPages = 1;
        i++;
        continue;
      }
      let j = i + 1;
      while (j < end && !(obj.state(j) & PRESENT)) j++;
      const mine = idx >= i && idx < j;
      this.read(obj, i, j - i, idx, mine ? 'pagein' : 'readahead', folioPages);
      flag(i, j - i, j < end);
      if (mine) own = { first: i, count: j - i };
      i = j;
    }
    return own;
  }
}
