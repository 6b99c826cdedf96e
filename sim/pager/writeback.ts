/**
 * Background writeback (`writeback.policy`):
 * - `syncer` (FreeBSD-style): every `interval_ms`, the dirty pages of every
 *   object dirty for longer than `delay_ms` are written (asynchronous
 *   clusters, like vfs_msync's vm_object_page_clean with OBJPC_NOSYNC).
 * - `flusher` (Linux-style): every `interval_ms`, objects dirtied longer ago
 *   than `expire_ms` are written (kupdate); with a finite memory, background
 *   writeback starts when dirty pages exceed `background_ratio` % of
 *   `memory.pages`, and writers are throttled (balance_dirty_pages) above the
 *   freerun ceiling, with pauses growing to `max_pause_ms` as dirty pages
 *   approach `dirty_ratio` %, and held there until they fall below it.
 * An object still dirty after a pass starts ageing again from that pass.
 * All these writes carry cause `syncer`.
 */
import type { EventTarget } from '../engine/queue.ts';
import type { Config } from '../config-types.ts';
import type { Kernel, ThrottleTotals } from '../kernel.ts';
import { Page, type VmObject } from '../vm/object.ts';
import type { VmMap } from '../vm/map.ts';
import type { KernelPath } from '../vm/process.ts';
import { collectCluster } from './cluster.ts';

/** The background writeback daemon of one run. */
export class BackgroundWriteback implements EventTarget {
  readonly throttle: ThrottleTotals = { count: 0, totalNs: 0, maxNs: 0 };
  private readonly intervalNs: number;
  private readonly ageNs: number;
  private readonly bgThresh: number;
  private readonly limit: number;
  private readonly freerun: number;
  private readonly maxPauseNs: number;
  private armed = false;

  constructor(
    private readonly k: Kernel,
    cfg: Config['writeback'],
    memoryPages: number,
  ) {
    this.intervalNs = Math.round(cfg.interval_ms * 1e6);
    this.ageNs = Math.round((cfg.policy === 'syncer' ? cfg.delay_ms : cfg.expire_ms) * 1e6);
    const throttled = cfg.policy === 'flusher' && memoryPages > 0;
    this.bgThresh = throttled ? (cfg.background_ratio / 100) * memoryPages : Infinity;
    this.limit = throttled ? (cfg.dirty_ratio / 100) * memoryPages : Infinity;
    this.freerun = (this.bgThresh + this.limit) / 2;
    this.maxPauseNs = Math.round(cfg.max_pause_ms * 1e6);
  }

  /** Whether writers are throttled (flusher with a finite memory). */
  get throttles(): boolean {
    return this.limit !== Infinity;
  }

  /** Schedules the next wake-up (no-op when one is pending); as a daemon event it does not keep a finished replay going. */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.k.engine.afterDaemon(this.intervalNs, this);
  }

  /** A periodic wake-up. */
  fire(): void {
    this.armed = false;
    const now = this.k.engine.now;
    for (const obj of this.k.vm.objects.values()) {
      if (obj.dirtyPages > 0 && obj.dirtySince >= 0 && now - obj.dirtySince >= this.ageNs) this.writeObject(obj);
    }
    this.backgroundFlush();
    this.arm();
  }

  /** Writes every dirty page of `obj` not already under writeback, in clusters. */
  private writeObject(obj: VmObject): number {
    let idx = 0, issued = 0;
    const end = Math.max(obj.sizePages, 1);
    for (;;) {
      idx = obj.next(idx, end, Page.DIRTY);
      if (idx < 0) break;
      if (obj.state(idx) & Page.WB) {
        idx++; // re-dirtied during writeback (Linux WBD): wait for the next pass
        continue;
      }
      const run = collectCluster(obj, idx, this.k.clusterPages);
      this.k.pager.write(obj, run.first, run.count, 'syncer', false);
      issued += run.count;
      idx = run.first + run.count;
    }
    if (obj.dirtyPages > 0) obj.dirtySince = this.k.engine.now;
    return issued;
  }

  /** Above the background threshold: write the longest-dirty objects until below it. */
  private backgroundFlush(): number {
    const c = this.k.vm.counters;
    if (c.dirty <= this.bgThresh) return 0;
    const objs = [...this.k.vm.objects.values()].filter((o) => o.dirtyPages > 0 && o.kind === 'vnode');
    objs.sort((a, b) => a.dirtySince - b.dirtySince || a.id - b.id);
    let issued = 0;
    for (const o of objs) {
      if (c.dirty <= this.bgThresh) break;
      issued += this.writeObject(o);
    }
    return issued;
  }

  /**
   * balance_dirty_pages, called by a writer every RATELIMIT_PAGES (vm/ratelimit.ts) pages
   * it dirties. Dirty memory here is dirty plus under-writeback pages, as in
   * Linux. Above the freerun ceiling the writer pauses in proportion to how
   * close dirty memory is to the limit; at or above the limit it pauses
   * `max_pause_ms` at a time until below it (or until no writeback can make
   * progress). Whenever dirty (reclaimable) pages exceed the background
   * threshold, background writeback is started.
   */
  *balance(map: VmMap): KernelPath<void> {
    map.dirtiedSinceCheck = 0;
    const c = this.k.vm.counters;
    let stalled = 0;
    for (;;) {
      const dirty = c.dirty + c.wb;
      if (dirty <= this.freerun) break;
      const issued = this.backgroundFlush();
      if (issued === 0 && c.wb === 0) break; // nothing can clean pages: do not stall forever
      const pos = Math.min(1, (dirty - this.freerun) / (this.limit - this.freerun));
      const pause = Math.max(1, Math.round(this.maxPauseNs * pos));
      yield pause;
      stalled += pause;
      if (dirty < this.limit && c.dirty + c.wb < this.limit) break;
    }
    this.backgroundFlush();
    if (stalled > 0) {
      this.throttle.count++;
      this.throttle.totalNs += stalled;
      if (stalled > this.throttle.maxNs) this.throttle.maxNs = stalled;
    }
  }
}
