/**
 * Memory pressure: with `memory.pages` > 0 a pageout daemon keeps resident
 * pages under the limit. Before a page is brought in, the oldest clean,
 * unwired, idle page (LRU order) is freed; dirty pages met on the way are
 * cleaned first (writeback cause `pageout`) and freed when their write
 * completes (Dy → WB → C → NR). Wired pages are never freed. Anonymous
 * (private copy-on-write) dirty pages have no swap to go to and stay.
 * When nothing can be freed now but laundering is under way, the faulting
 * thread sleeps until a write completes; when nothing can be freed at all
 * (everything wired or anonymous), the limit is exceeded rather than
 * deadlocking; pages being read in count as becoming freeable (the thread
 * sleeps until a read completes). Read-ahead pages are allocated like any page: a fault's
 * window is reserved before its read (and trimmed to the room there is when
 * nothing more can be freed), an asynchronous read-ahead window takes only
 * the room reclaim can make without sleeping (../pager/pagein.ts).
 */
import type { Io } from '../device/device.ts';
import type { Kernel } from '../kernel.ts';
import { Page, type VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import { WaitQueue } from '../vm/process.ts';
import { PageLru } from '../vm/lru.ts';
import { collectCluster } from './cluster.ts';

/** How many LRU pages one reclaim looks at before giving up. */
const SCAN_MAX = 1024;

/** The pageout daemon of a finite memory. */
export class Pageout {
  /** Pages freed to make room. */
  evictions = 0;
  /** Pages under pageout writeback. */
  private laundering = 0;
  readonly lru = new PageLru<VmObject>();
  private readonly waiters: WaitQueue;

  constructor(private readonly k: Kernel, readonly limit: number) {
    this.waiters = new WaitQueue(k.engine);
    k.vm.counters.lru = this.lru;
  }

  /**
   * Makes room for `pages` more resident pages (pages being read in count as
   * taken); may sleep until laundering frees some.
   */
  *reserve(pages = 1): KernelPath<void> {
    const c = this.k.vm.counters;
    while (c.resident + c.reading + pages > this.limit) {
      if (this.reclaim()) continue;
      // nothing freeable and nothing being cleaned or read in (pages that would become freeable): overcommit
      if (this.laundering === 0 && c.reading === 0) return;
      yield this.waiters;
    }
  }

  /** See {@link PageoutDaemon.makeRoom}. */
  makeRoom(pages: number, keep?: VmObject, keepIdx = -1): number {
    const c = this.k.vm.counters;
    while (c.resident + c.reading + pages > this.limit && this.reclaim(keep, keepIdx)) {
      // freed one; go on
    }
    return Math.min(pages, this.room());
  }

  /** See {@link PageoutDaemon.room}. */
  room(): number {
    const c = this.k.vm.counters;
    return Math.max(0, this.limit - c.resident - c.reading);
  }

  /**
   * The daemon's own pass, without sleeping: frees (or starts cleaning) pages
   * until resident pages are back under the limit, e.g. after wiring faulted
   * pages in past it.
   */
  trim(): void {
    const c = this.k.vm.counters;
    while (c.resident > this.limit && this.reclaim()) {
      // freed one; go on
    }
  }

  /**
   * Frees the oldest freeable page, laundering dirty ones on the way; true if a page was freed.
   * A wired page met on the way is moved to the tail and not counted in the scan (wired pages
   * are off the queues the kernels reclaim from: Linux's unevictable list, FreeBSD's and XNU's
   * wired pages), so wired pages gathered at the head never hide the freeable ones behind them.
   */
  private reclaim(keep?: VmObject, keepIdx = -1): boolean {
    const lru = this.lru;
    let id = lru.head;
    let wired = 0;
    for (let scanned = 0; id !== 0 && scanned < SCAN_MAX && wired < lru.size; scanned++) {
      const nextId = lru.after(id);
      const { obj, idx } = lru.page(id);
      const st = obj.state(idx);
      if (obj.wireCount(idx) > 0) {
        lru.touch(id);
        wired++;
        scanned--;
      } else if (st & Page.WB || (obj === keep && idx === keepIdx)) {
        // being written, or the page the asking fault holds: not a candidate now
      } else if (st & Page.DIRTY) {
        if (obj.kind === 'vnode') this.launder(obj, idx);
      } else {
        obj.free(idx);
        this.evictions++;
        return true;
      }
      id = nextId;
    }
    return false;
  }

  private launder(obj: Parameters<typeof collectCluster>[0], idx: number): void {
    const run = collectCluster(obj, idx, this.k.clusterPages);
    this.laundering += run.count;
    this.k.pager.write(obj, run.first, run.count, 'pageout', false);
  }

  /** An I/O completed: a pageout's write frees its pages that are still clean, idle and unwired; any completion (reads too) wakes waiters. */
  completed(io: Io): void {
    if (io.cause === 'pageout') {
      this.laundering -= io.pages;
      const obj = io.object;
      for (let i = io.first; i < io.first + io.pages; i++) {
        if ((obj.state(i) & (Page.RESIDENT | Page.DIRTY | Page.WB)) === Page.RESIDENT && obj.wireCount(i) === 0) {
          obj.free(i);
          this.evictions++;
        }
      }
      this.trim();
    }
    this.waiters.wakeAll();
  }
}
