/**
 * Durability lag: for every version of a file page (its first store since it
 * was last durable), the time from that store to the moment the data is on
 * stable storage:
 * - written back, when the device has no volatile write cache;
 * - written back and then covered by a completed FLUSH (a FLUSH submitted
 *   after the write completed), when it has one;
 * - Mach: handed to the memory manager (data_return) and then written by the
 *   manager's own I/O, under the same cache rule.
 * A filesystem's journal commit is not waited for (the data of allocated
 * blocks is durable once written and flushed; metadata of new blocks is not
 * modelled here). Pages of anonymous memory have no stable storage and are
 * not counted. A version still dirty, in flight, held by a manager or
 * waiting for a FLUSH at the end, or discarded unwritten (XNU KILLPAGES,
 * Mach flush), is never durable.
 */
import type { PageVersionObserver, VmObject } from '../vm/object.ts';
import type { Vm } from '../vm/vm.ts';
import type { VmMap } from '../vm/map.ts';
import type { LatencySummary } from './latency.ts';
import { BoundedLatencyStats } from './log-histogram.ts';
import { PageTimes } from './page-times.ts';
import { COVER, MsyncCover, recordMsync } from './msync-cover.ts';

/** One sampling interval of durability.csv: the page versions made durable in (t - sample, t]. */
export interface DurabilityRecord {
  /** End of the interval (ns). */
  tNs: number;
  pages: number;
  /** Sum and largest lag of those pages (ns). */
  lagSumNs: number;
  lagMaxNs: number;
  /** How many were made durable by their own write, by a later FLUSH, by a Mach manager's write. */
  viaWrite: number;
  viaFlush: number;
  viaManager: number;
  /** Page versions stored and not yet durable at tNs (dirty, in flight, held, awaiting a FLUSH). */
  pendingPages: number;
}

/** summary.json `durability`. */
export interface DurabilitySummary {
  lag_us: LatencySummary;
  /** Whether lag_us's percentiles are exact: false past 2^20 page versions, when they come from a histogram within 0.025 % (sim/stats/log-histogram.ts). */
  lag_percentiles_exact: boolean;
  /** Page versions made durable. */
  durable_pages: number;
  /** Page versions never made durable (see the module comment). */
  never_durable_pages: number;
  /** The versions never durable by why: these add up to never_durable_pages ({@link NeverDurableBy}). */
  never_durable_by: NeverDurableBy;
}

/**
 * Why page versions were never durable, each counted once (README "Result files"). A version
 * left dirty at the end is on a page no msync covered (`no_msync`), or was stored at or after
 * the issue of the last msync covering its page: with no msync of that page after the store in
 * the trace (`after_last_msync`), or with one, which the replay ran before the store
 * (`replay_order`: in closed replay a task runs late by the time its own msyncs took, and a
 * store can wait for a page-in); or it was stored before that msync, which then
 * left it unwritten: the page was wired and dirty when that msync ended (`msync_wired`: xnu's
 * msync skips wired pages), it failed (`msync_failed`), it was MS_ASYNC (`msync_async`: linux
 * writes nothing at once), or otherwise (`msync_unwritten`). Others were written to a volatile
 * write cache with no FLUSH after (`no_flush`), dropped unwritten (`dropped`: INVALIDATE,
 * KILLPAGES, a Mach flush), or held by a Mach memory manager that had not written them
 * (`held_by_manager`).
 */
export interface NeverDurableBy {
  no_msync: number;
  after_last_msync: number;
  replay_order: number;
  msync_wired: number;
  msync_failed: number;
  msync_async: number;
  msync_unwritten: number;
  no_flush: number;
  dropped: number;
  held_by_manager: number;
}

type Times = PageTimes;

/**
 * The versions of one object's pages on their way (kept on the object: no
 * lookup by object per page). A page's oldest undurable version stays in
 * `at` from its store through its writeback (no move per state change);
 * only a page stored again while its write is in flight has a second
 * version, in `redirtied`.
 */
interface ObjectVersions {
  /** Page → store time of its oldest version not yet on the device (dirty, or under writeback). */
  at: Times;
  /** Page → store time of the newer version of a page stored while under writeback. */
  redirtied: Times;
  /** Page → store time of the version a memory manager holds. */
  handed: Times;
  /** Page → trace line of the store of its version in `at` (of `redirtied`'s in `redirtiedLine`): which msyncs the trace has after it. */
  atLine: Times;
  redirtiedLine: Times;
  /** The msyncs that covered the object's pages, once one did. */
  cover: MsyncCover | undefined;
}

/** The versions record of `obj`, made on first use. */
function versionsOf(obj: VmObject): ObjectVersions {
  const o = obj as VmObject & { durability?: ObjectVersions };
  // `cover` is there from the start (undefined), so that the record keeps one shape when an msync first covers the object
  return (o.durability ??= { at: new PageTimes(), redirtied: new PageTimes(), handed: new PageTimes(), atLine: new PageTimes(), redirtiedLine: new PageTimes(), cover: undefined });
}

/** The versions record of `obj`, if any of its pages was ever stored. */
function existingVersions(obj: VmObject): ObjectVersions | undefined {
  return (obj as VmObject & { durability?: ObjectVersions }).durability;
}

/** A page's newer version (stored under writeback) became its oldest: its store's line goes with it. */
function promoteLine(v: ObjectVersions, idx: number): void {
  const line = v.redirtiedLine.take(idx);
  if (line >= 0) v.atLine.set(idx, line);
  else v.atLine.delete(idx);
}

/** Follows every page version of file objects to its durability. */
export class DurabilityTracker implements PageVersionObserver {
  /** Objects with versions (for the count at the end). */
  private readonly objects = new Set<VmObject>();
  /** Versions on the device awaiting a FLUSH, in write order: store and write times in slots [awaitHead, awaitTail). */
  private awaitStore = new Float64Array(64);
  private awaitWritten = new Float64Array(64);
  private awaitHead = 0;
  private awaitTail = 0;
  /** One sample per page version made durable: exact up to 2^20 of them, then a histogram (a 100 M-row trace makes ~10^8). */
  private readonly lags = new BoundedLatencyStats();
  private lost = 0;
  private durable = 0;
  /** Versions stored and neither durable nor lost. */
  private pending = 0;
  private interval = { pages: 0, lagSumNs: 0, lagMaxNs: 0, viaWrite: 0, viaFlush: 0, viaManager: 0 };

  constructor(
    private readonly clock: { readonly now: number },
    /** The device acknowledges writes from a volatile cache: data is durable only after a FLUSH. */
    private readonly volatileCache: boolean,
    /** The trace line of the op running now (the store's, when a page is stored). */
    private readonly op: { readonly opLine: number } = { opLine: 0 },
  ) {}

  /**
   * @internal a file page went clean -> dirty (the VM reports only that transition). `behindWrite`: the page is
   * under a write that carries no version of it (its folio's, sim/vm/folios.ts): this version waits for the next one.
   */
  stored(obj: VmObject, idx: number, behindWrite = false): void {
    if (obj.kind !== 'vnode') return;
    let v = existingVersions(obj);
    if (!v) {
      v = versionsOf(obj);
      this.objects.add(obj);
    }
    // a version already on its way means the page is under writeback: this is a newer one
    if (behindWrite || !v.at.setNew(idx, this.clock.now)) {
      v.redirtied.set(idx, this.clock.now);
      v.redirtiedLine.set(idx, this.op.opLine);
    } else v.atLine.set(idx, this.op.opLine);
    this.pending++;
  }

  /**
   * An msync of [addr, addr + len) of `map`, of trace line `line`, issued at `tNs`, ended as `kind`
   * (msync-cover.ts's coverKind): the file pages it covered, for why a version is never durable.
   */
  covered(vm: Vm, map: VmMap, addr: number, len: number, tNs: number, kind: number, line = 0): void {
    recordMsync(vm, map, addr, len, tNs, kind, line, (obj) => {
      this.objects.add(obj);
      return (versionsOf(obj).cover ??= new MsyncCover());
    });
  }

  /** @internal a dirty page went under writeback: its version stays where it is. */
  writing(_obj: VmObject, _idx: number): void {}

  /** The version in flight for `idx` is done with: a newer one, if any, takes its place. */
  private settle(v: ObjectVersions, idx: number): void {
    const newer = v.redirtied.size > 0 ? v.redirtied.get(idx) : undefined;
    if (newer === undefined) {
      v.at.delete(idx);
      v.atLine.delete(idx);
    } else {
      v.at.set(idx, newer);
      v.redirtied.delete(idx);
      promoteLine(v, idx);
    }
  }

  /** @internal the writeback of a page ended (`ok`: its data reached the device). */
  written(obj: VmObject, idx: number, ok: boolean): void {
    const v = existingVersions(obj);
    if (v === undefined) return;
    if (v.redirtied.size > 0 && !v.at.has(idx)) {
      // the write carried no version (a page dirty by its folio): one stored behind it waits for the next write
      const newer = v.redirtied.take(idx);
      if (newer >= 0) {
        v.at.set(idx, newer);
        promoteLine(v, idx);
      }
      return;
    }
    if (!ok) {
      // dirty again with the older store time (and line); a newer version merges into it
      if (v.at.has(idx) && v.redirtied.delete(idx)) {
        v.redirtiedLine.delete(idx);
        this.pending--;
      }
      return;
    }
    // settle(), with the version's time taken out in the same lookup
    const t = v.at.take(idx);
    if (t < 0) return;
    v.atLine.delete(idx);
    if (v.redirtied.size > 0) {
      const newer = v.redirtied.take(idx);
      if (newer >= 0) {
        v.at.set(idx, newer);
        promoteLine(v, idx);
      }
    }
    this.reached(t, 'write');
  }

  /** @internal a page under writeback was handed to a memory manager (Mach data_return): durable when the manager writes it. */
  handedOff(obj: VmObject, idx: number): void {
    const v = existingVersions(obj);
    const t = v?.at.get(idx);
    if (t === undefined) return;
    this.settle(v!, idx);
    v!.handed.set(idx, t);
  }

  /** @internal a dirty page was dropped without being written. */
  discarded(obj: VmObject, idx: number): void {
    const v = existingVersions(obj);
    if (!v) return;
    // the dirty version is the newer one when the page was stored again under writeback
    let gone = v.redirtied.delete(idx);
    if (gone) v.redirtiedLine.delete(idx);
    else if ((gone = v.at.delete(idx))) v.atLine.delete(idx);
    if (gone) {
      this.lost++;
      this.pending--;
    }
  }

  /** A manager's copy write of pages [first, first+count) of `obj` completed. */
  managerWrote(obj: VmObject, first: number, count: number, ok: boolean): void {
    const h = existingVersions(obj)?.handed;
    if (!h || h.size === 0 || !ok) return;
    for (let i = first; i < first + count; i++) {
      const t = h.get(i);
      if (t === undefined) continue;
      h.delete(i);
      this.reached(t, 'manager');
    }
  }

  /** Data is on the device: durable now, or once a later FLUSH completes. */
  private reached(storeNs: number, via: 'write' | 'manager'): void {
    if (this.volatileCache) this.await(storeNs, this.clock.now);
    else this.made(storeNs, via);
  }

  /** Queues a version written at `writtenNs` (never earlier than the last queued) for the next FLUSH. */
  private await(storeNs: number, writtenNs: number): void {
    if (this.awaitTail === this.awaitStore.length) {
      const live = this.awaitTail - this.awaitHead;
      const cap = live * 2 > this.awaitStore.length ? this.awaitStore.length * 2 : this.awaitStore.length;
      const st = new Float64Array(cap), wr = new Float64Array(cap);
      st.set(this.awaitStore.subarray(this.awaitHead, this.awaitTail));
      wr.set(this.awaitWritten.subarray(this.awaitHead, this.awaitTail));
      this.awaitStore = st;
      this.awaitWritten = wr;
      this.awaitHead = 0;
      this.awaitTail = live;
    }
    this.awaitStore[this.awaitTail] = storeNs;
    this.awaitWritten[this.awaitTail++] = writtenNs;
  }

  /** A FLUSH submitted at `submitNs` completed: what was written before it is durable. */
  flushed(submitNs: number): void {
    // write times only grow along the queue: what the FLUSH covers is a prefix of it
    let h = this.awaitHead;
    const tail = this.awaitTail, wr = this.awaitWritten, st = this.awaitStore;
    for (; h < tail && wr[h] <= submitNs; h++) this.made(st[h], 'flush');
    if (h === tail) this.awaitHead = this.awaitTail = 0;
    else this.awaitHead = h;
  }

  private made(storeNs: number, via: 'write' | 'flush' | 'manager'): void {
    const lag = this.clock.now - storeNs;
    this.lags.add(lag);
    this.durable++;
    this.pending--;
    const iv = this.interval;
    iv.pages++;
    iv.lagSumNs += lag;
    if (lag > iv.lagMaxNs) iv.lagMaxNs = lag;
    if (via === 'write') iv.viaWrite++;
    else if (via === 'flush') iv.viaFlush++;
    else iv.viaManager++;
  }

  /** Page versions made durable in the interval so far. */
  get intervalPages(): number {
    return this.interval.pages;
  }

  /** The interval ending at `tNs` (a row of durability.csv), and a new one begins. */
  sample(tNs: number): DurabilityRecord {
    const iv = this.interval;
    const r: DurabilityRecord = {
      tNs, pages: iv.pages, lagSumNs: iv.lagSumNs, lagMaxNs: iv.lagMaxNs,
      viaWrite: iv.viaWrite, viaFlush: iv.viaFlush, viaManager: iv.viaManager, pendingPages: this.pending,
    };
    if (iv.pages === 0) return r; // nothing made durable: the interval's counts are all still zero
    iv.pages = iv.lagSumNs = iv.lagMaxNs = iv.viaWrite = iv.viaFlush = iv.viaManager = 0;
    return r;
  }

  /** summary.json `durability`. */
  summary(): DurabilitySummary {
    const by: NeverDurableBy = {
      no_msync: 0, after_last_msync: 0, replay_order: 0, msync_wired: 0, msync_failed: 0, msync_async: 0, msync_unwritten: 0,
      no_flush: this.awaitTail - this.awaitHead, dropped: this.lost, held_by_manager: 0,
    };
    const last: [number, number, number] = [0, 0, 0];
    for (const o of this.objects) {
      const v = versionsOf(o);
      by.held_by_manager += v.handed.size;
      const why = (idx: number, t: number, line: number | undefined) => {
        if (v.cover === undefined || !v.cover.find(idx, last)) by.no_msync++;
        // stored after the last msync covering it started: one the trace has after the store ran before it in the replay
        else if (t >= last[0]) {
          if (line !== undefined && last[2] > line) by.replay_order++;
          else by.after_last_msync++;
        } else if (last[1] === COVER.wired) by.msync_wired++;
        else if (last[1] === COVER.failed) by.msync_failed++;
        else if (last[1] === COVER.async) by.msync_async++;
        else by.msync_unwritten++;
      };
      v.at.forEach((idx, t) => why(idx, t, v.atLine.get(idx)));
      v.redirtied.forEach((idx, t) => why(idx, t, v.redirtiedLine.get(idx)));
    }
    let never = 0;
    for (const n of Object.values(by)) never += n;
    return { lag_us: this.lags.summary(), lag_percentiles_exact: this.lags.exactPercentiles, durable_pages: this.durable, never_durable_pages: never, never_durable_by: by };
  }
}
