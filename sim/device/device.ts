/**
 * The storage device: `channels` identical servers fed from a queue ordered by
 * an I/O scheduler (`device.discipline`: `fifo`, `sync_first` or a plugin,
 * sim/device/scheduler.ts). Service time of a command is a draw from the
 * service distribution plus `per_page_us` per page (of all its I/Os, when the
 * scheduler merged several).
 */
import { DeviceLoad } from './load.ts';
import type { Engine, EventTarget } from '../engine/queue.ts';
import { usToNs } from '../engine/queue.ts';
import type { RandomStream } from '../engine/random.ts';
import type { ServiceSampler } from './service.ts';
import type { VmObject } from '../vm/object.ts';
import { DispatchQueue } from './dispatch.ts';
import { builtinScheduler } from './schedulers.ts';
import type { IoSchedulerPlugin } from './scheduler.ts';
import type { LoadedPlugin } from '../plugin/plugin.ts';

/** Why a page run was written back (`journal` / `metadata`: a filesystem's own blocks, sim/fs). */
export type WritebackCause = 'msync' | 'syncer' | 'pageout' | 'journal' | 'metadata';

/** Why a page run was read: a fault waits for it (`pagein`), or read-ahead nobody waits for yet (`readahead`). */
export type ReadCause = 'pagein' | 'readahead';

/** What a device command does: transfer pages from memory, into memory, or FLUSH the device's write cache. */
export type IoKind = 'read' | 'write' | 'flush';

/**
 * One device command: a contiguous run of pages of one object (a writeback or a page-in read; none for a flush).
 * The pager makes them, and reuses one its issuer has released once completed ({@link Io.reuse}, sim/pager/pager.ts `release`).
 */
export class Io {
  /** What the command does (`write` unless set after construction). */
  kind: IoKind = 'write';
  /** Forced unit access: the write completes once on the media, bypassing a volatile write cache. */
  fua = false;
  /** REQ_PREFLUSH: the write cache is drained (a FLUSH) before this write starts. */
  preflush = false;
  tSubmit = -1;
  tStart = -1;
  tDone = -1;
  done = false;
  ok = true;
  /** Queued in the sync-first queue (a synchronous msync waits on it). */
  urgent: boolean;
  /** Writes a copy of the pages (Mach data_return): page state is not touched when it ends. */
  copy = false;
  /**
   * Pages per folio of a page-cache read (1: order-0 pages): each folio is
   * one scatter-gather segment of the command (`device.segment_us`).
   */
  folioPages = 1;
  /** @internal its slot in the device queue while queued (sim/device/dispatch.ts). */
  qslot = -1;
  /** @internal its next step in a command slot of the media device (sim/device/media.ts, STAGE; 0 when it has none). */
  mstage = 0;
  /** @internal when its latency, run beside the submission stage, ends (ns; -1: none) while it waits for the stage to drain (sim/device/media.ts). */
  mready = -1;
  /** @internal another task was running on another CPU when it was submitted (sim/device/media.ts: `busy_latency_us`, `busy_flush_us`). */
  busyPeer = false;
  // id, object, first, pages, cause: set by the constructor and by reuse() alone (read-only to everyone else, as QueuedIo shows them)
  constructor(
    public id: number,
    public object: VmObject,
    /** First page index in the object. */
    public first: number,
    public pages: number,
    public cause: WritebackCause | ReadCause,
    urgent: boolean,
  ) {
    this.urgent = urgent;
  }

  /** @internal makes this completed, released command a new one, every field as the constructor sets it (sim/pager/pager.ts). */
  reuse(id: number, object: VmObject, first: number, pages: number, cause: WritebackCause | ReadCause, urgent: boolean): this {
    this.kind = 'write';
    this.fua = false;
    this.preflush = false;
    this.tSubmit = -1;
    this.tStart = -1;
    this.tDone = -1;
    this.done = false;
    this.ok = true;
    this.urgent = urgent;
    this.copy = false;
    this.folioPages = 1;
    this.qslot = -1;
    this.mstage = 0;
    this.mready = -1;
    this.busyPeer = false;
    this.id = id;
    this.object = object;
    this.first = first;
    this.pages = pages;
    this.cause = cause;
    return this;
  }
}

/** Device parameters. */
export interface DeviceParams {
  channels: number;
  /** A built-in discipline; a plugin is passed to the device instead. */
  discipline: string;
  per_page_us: number;
  error_rate: number;
}

/** Device statistics of a run. */
export interface DeviceStats {
  utilization: number;
  mean_queue_depth: number;
  max_queue_depth: number;
  /** FLUSH commands completed (present when there were any, or under a device profile other than `queue`). */
  flushes?: number;
}

/**
 * What a device tells of each command it completes (the pager). An object, not a closure: a new
 * run's is then the call target the last run's was, and code V8 optimised for it stays valid.
 */
export interface IoCompletion {
  /** `io` completed now (`io.ok` says whether it succeeded). */
  complete(io: Io): void;
}

/** What the kernel sees of a device: submit commands, expedite one, read its statistics. */
export interface BlockDevice {
  /** Commands submitted and not completed (queued + in service). */
  readonly outstanding: number;
  /** The most commands outstanding at any moment since the last call (since the start for the first), now included; the next window starts now (the timeline's `queue_depth_max`). */
  takeWindowPeak(): number;
  /** The queue of commands waiting for a channel (what writeback policies see of the device). */
  readonly queue: DispatchQueue<Io>;
  /** Queues `io` now. */
  submit(io: Io): void;
  /** Queues the I/Os of `ios` now, as one submission (a block plug's list). */
  submitAll(ios: readonly Io[]): void;
  /** A synchronous waiter now depends on `io`: under `sync_first` it moves to the front queue. */
  expedite(io: Io): void;
  /** Utilisation, mean and max queue depth over [0, now], and flush count. */
  stats(): DeviceStats;
}

export { IoFifo } from './io-fifo.ts';

/**
 * The queueing device (`device.profile: queue`) with its queue, servers and
 * utilisation statistics. Reads cost what writes cost; a FLUSH costs nothing
 * (the model has no write cache) and draws no random number.
 */
export class Device implements EventTarget, BlockDevice {
  readonly queue: DispatchQueue<Io>;
  private readonly load: DeviceLoad;
  private flushes = 0;

  constructor(
    private readonly engine: Engine,
    private readonly params: DeviceParams,
    private readonly service: ServiceSampler,
    private readonly errors: RandomStream,
    private readonly completion: IoCompletion,
    scheduler: LoadedPlugin<IoSchedulerPlugin> = builtinScheduler(params.discipline),
  ) {
    this.queue = new DispatchQueue(engine, params.channels, 'queue', scheduler, () => this.dispatch());
    this.load = new DeviceLoad(engine, this.queue, params.channels);
  }

  /** I/Os submitted and not completed (queued + in service). */
  get outstanding(): number {
    return this.load.outstanding;
  }

  /** See {@link BlockDevice.takeWindowPeak}. */
  takeWindowPeak(): number {
    return this.load.takeWindowPeak();
  }

  /** Queues `io` now. */
  submit(io: Io): void {
    this.load.arrive();
    io.tSubmit = this.engine.now;
    if (io.kind === 'flush') {
      // this queue model has no write cache: a FLUSH has nothing to wait for and takes no server
      // (blk-flush dispatches it ahead of queued requests); it completes at once
      io.tStart = this.engine.now;
      this.engine.after(0, this, io);
      return;
    }
    this.queue.add(io);
    this.dispatch();
  }

  /** Queues the I/Os of `ios` now, one by one (this model has no submission cost). */
  submitAll(ios: readonly Io[]): void {
    for (const io of ios) this.submit(io);
  }

  /** A synchronous waiter now depends on `io`: the scheduler is told (`sync_first` moves it to the front queue). */
  expedite(io: Io): void {
    this.queue.expedite(io);
  }

  private dispatch(): void {
    const q = this.queue;
    while (q.busy < this.params.channels) {
      const io = q.take();
      if (!io) return;
      q.busy++;
      const now = this.engine.now;
      const group = q.group(io);
      let pages = io.pages;
      io.tStart = now;
      if (group) for (let i = 1; i < group.length; i++) { group[i].tStart = now; pages += group[i].pages; }
      const us = this.service() + this.params.per_page_us * pages;
      if (this.params.error_rate > 0 && this.errors.uniform() < this.params.error_rate) {
        io.ok = false;
        if (group) for (const m of group) m.ok = false;
      }
      this.engine.after(Math.max(0, usToNs(us)), this, io);
    }
  }

  /** Completion of a command (engine callback): every I/O of a merged command completes. */
  fire(arg: unknown): void {
    const io = arg as Io;
    this.load.account();
    const flush = io.kind === 'flush';
    if (!flush) this.queue.busy--;
    const group = flush ? undefined : this.queue.group(io);
    if (group) {
      this.queue.endGroup(io);
      for (const m of group) this.finish(m);
    } else this.finish(io);
    if (!flush) this.dispatch();
  }

  private finish(io: Io): void {
    this.load.outstanding--;
    io.tDone = this.engine.now;
    io.done = true;
    if (io.kind === 'flush') this.flushes++;
    this.completion.complete(io);
  }

  /** Utilisation, mean and max queue depth over [0, now] (and the flush count when there were flushes). */
  stats(): DeviceStats {
    const s: DeviceStats = this.load.stats();
    if (this.flushes > 0) s.flushes = this.flushes;
    return s;
  }
}
