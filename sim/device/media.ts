/**
 * The storage device of the named profiles (nvme, sata-ssd, hdd, ram).
 *
 * A command waits in the queue (ordered by the I/O scheduler, `device.discipline`:
 * `fifo`, `sync_first` or a plugin) for one of `channels` command slots
 * (commands the scheduler merged take one slot and move their pages together), which it holds until it completes. In its slot:
 * 1. a `preflush` write first waits for the write cache to drain, plus `flush_us`;
 * 1b. the commands started by one dispatch (a plug's list, or those a
 *    completion lets start) form one submission, which one serial stage
 *    takes in: `submit_us` for the submission (the doorbell, the virtqueue
 *    kick), then `submit_command_us` per read or write, one after the other,
 *    after earlier submissions (0 and 0: no such stage, as on the named
 *    profiles; calibrate fits it on a virtual disk, where the host's I/O
 *    thread takes 32 writes handed over in one kick far faster than 32
 *    kicked one by one). A FLUSH and a `preflush` write skip it. Under
 *    `submit_overlap` the latency of step 2 runs from the dispatch, beside
 *    the stage, and the command goes on when both are done. Under
 *    `submit_completion: drained` the commands of one busy spell of the
 *    stage go on together when it has none left (their data crosses the
 *    pipe, step 3, in their turn), and a FLUSH takes its turn in the stage
 *    (submission-stage.ts);
 * 2. the per-command latency (a draw from `read_latency` / `write_latency`) runs,
 *    in parallel with the other slots;
 * 3. the data crosses one pipe shared by all slots, in arrival order, at
 *    `bandwidth_mbps` (writes) or `read_bandwidth_mbps` (reads), a read plus
 *    `segment_us` per folio it fills (one scatter-gather segment each): more channels
 *    raise IOPS, never MB/s beyond the cap; a read also takes at least its
 *    bytes at `read_request_mbps` from the end of its latency (one request's
 *    own rate, below the pipe's when several overlap; 0: no such bound);
 * 4. a write then completes into the volatile write cache (`write_cache`, not
 *    `fua`; it waits for room when `cache_mb` is full), which destages to the
 *    media behind it (`destage`: continuously, or only on FLUSH as a host page
 *    cache under a virtual disk does: write-cache.ts); a FUA write, or any write without a cache, completes once
 *    on the media (its media transfer streams with the pipe transfer). A disk
 *    read also comes off the media. The media serves in arrival order at
 *    `media_mbps` plus `media_write_us` per write, after seek + rotation on a
 *    disk (medium.ts, hdd.ts).
 * Under `ring_descriptors` a command also needs room in the request queue's
 * descriptor ring (ring.ts: its segments plus two) before it takes a slot;
 * the first that does not fit waits, and those behind it too.
 * A FLUSH completes when what the cache holds has reached the media, plus
 * `flush_us` (times the `flush_gap` factor of the time since the previous
 * FLUSH completed: flush-gap.ts); one FLUSH is in flight at a time, and those submitted meanwhile
 * wait and complete with the next one (flush-sequence.ts); without a write cache it completes at once (Linux completes a
 * flush to a device without a write-back cache without sending it:
 * block/blk-flush.c). A rate of 0 means unlimited (no transfer time).
 * Under `flush_cv_scope: host` every time above that starts is multiplied by
 * the host's speed factor of the moment (host-speed.ts), and a FLUSH draws no
 * spread of its own.
 */
import { DeviceLoad } from './load.ts';
import type { Engine, EventTarget } from '../engine/queue.ts';
import { usToNs } from '../engine/queue.ts';
import type { RandomStream } from '../engine/random.ts';
import type { ServiceSampler } from './service.ts';
import type { BlockDevice, DeviceStats, Io, IoCompletion } from './device.ts';
import { DispatchQueue } from './dispatch.ts';
import { builtinScheduler } from './schedulers.ts';
import type { IoSchedulerPlugin } from './scheduler.ts';
import type { LoadedPlugin } from '../plugin/plugin.ts';
import type { MediaKeys } from './profiles.ts';
import { WriteCache } from './write-cache.ts';
import { FlushSequence } from './flush-sequence.ts';
import { flushGapFactor } from './flush-gap.ts';
import { diskAddress } from './hdd.ts';
import type { HostSpeed } from './host-speed.ts';
import { DescriptorRing } from './ring.ts';
import { Medium, transferNs } from './medium.ts';
import { SubmissionStage } from './submission-stage.ts';

/** Parameters of the storage device: the profile keys plus queueing and error keys. */
export interface MediaParams extends MediaKeys {
  /** A built-in discipline; a plugin is passed to the device instead. */
  discipline: string;
  error_rate: number;
}

/** Samplers and streams the device draws from. */
export interface MediaRandom {
  readLatency: ServiceSampler;
  writeLatency: ServiceSampler;
  /** The factor of one FLUSH's fixed cost: 1, or a draw of mean 1 (`flush_cv`). */
  flushJitter: ServiceSampler;
  /** Rotational position on arrival (hdd). */
  rotation: RandomStream;
  /** The host's speed factor, which multiplies every device time that starts (host-speed.ts; 1 unless `flush_cv_scope: host`). */
  host: HostSpeed;
  errors: RandomStream;
}

/** The next step of a command in its slot (kept on the command, {@link Io.mstage}). */
const STAGE = { command: 1, transfer: 2, done: 3, turn: 4 } as const;

/** The storage device with its queue, command slots, shared pipe, write cache and media. */
export class MediaDevice implements EventTarget, BlockDevice {
  readonly queue: DispatchQueue<Io>;
  private readonly load: DeviceLoad;
  private flushes = 0;
  /** When the shared pipe finishes its last transfer (ns). */
  private pipeFree = 0;
  private readonly cache: WriteCache;
  /** The medium behind the cache, with a disk's head. */
  private readonly medium: Medium;
  /** At most one FLUSH in flight; the others wait and share the next (blk-flush). */
  private readonly flushSeq = new FlushSequence();
  /** The serial submission stage (`submit_us`, `submit_command_us`); off when both are 0. */
  private readonly stage: SubmissionStage;
  /** When the last FLUSH started completes (ns): `flush_gap` is measured from it (0: from the start). */
  private lastFlushDone = 0;
  /** `busy_latency_us` or `busy_flush_us` is set: a command notes at its submission whether another task runs. */
  private readonly busyAware: boolean;
  /** The request queue's descriptor ring (`ring_descriptors`; size 0: none). */
  private readonly ring: DescriptorRing;
  /** A command taken from the queue that waits for room in the ring (the driver's BLK_STS_DEV_RESOURCE: it goes first once a completion frees some). */
  private ringWaiting: Io | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly params: MediaParams,
    private readonly pageSize: number,
    private readonly random: MediaRandom,
    private readonly completion: IoCompletion,
    scheduler: LoadedPlugin<IoSchedulerPlugin> = builtinScheduler(params.discipline),
  ) {
    this.queue = new DispatchQueue(engine, params.channels, params.rpm > 0 ? 'hdd' : 'media', scheduler, () => this.dispatch());
    this.load = new DeviceLoad(engine, this.queue, params.channels);
    this.cache = new WriteCache(params.cache_mb * 1024 * 1024, params.destage);
    this.medium = new Medium(params, random.rotation, random.host);
    this.stage = new SubmissionStage(params);
    this.busyAware = params.busy_latency_us > 0 || params.busy_flush_us > 0;
    this.ring = new DescriptorRing(params.ring_descriptors);
  }

  /** I/Os submitted and not completed (queued + in service). */
  get outstanding(): number {
    return this.load.outstanding;
  }

  /** See {@link BlockDevice.takeWindowPeak}. */
  takeWindowPeak(): number {
    return this.load.takeWindowPeak();
  }

  /** Queues `io` now (a FLUSH while another is in flight waits for the next one: {@link flushes}). */
  submit(io: Io): void {
    this.enqueue(io);
    this.dispatch();
  }

  /** Queues every I/O of `ios` now, then dispatches once: those that start form one submission (a plug's list). */
  submitAll(ios: readonly Io[]): void {
    for (const io of ios) this.enqueue(io);
    this.dispatch();
  }

  private enqueue(io: Io): void {
    this.load.arrive();
    io.tSubmit = this.engine.now;
    io.busyPeer = this.busyAware && this.random.host.peerBusy();
    if (io.kind === 'flush' && this.params.write_cache && !this.flushSeq.admit(io)) return;
    this.queue.add(io);
  }

  /** A synchronous waiter now depends on `io`: the scheduler is told (`sync_first` moves it to the front queue). */
  expedite(io: Io): void {
    this.queue.expedite(io);
  }

  /**
   * When everything now in the write cache is on the media, plus the FLUSH's
   * fixed cost (ns): `flush_us`, or `flush_empty_us` when the cache held
   * nothing at `now`, times the `flush_gap` factor of the time since the
   * previous FLUSH completed; plus `busy_flush_us` when `busy` (another
   * task was running as it was submitted).
   */
  private flushDoneAt(now: number, busy: boolean): number {
    const p = this.params;
    const fixedUs = (this.cache.holds(now) ? p.flush_us : p.flush_empty_us) * flushGapFactor(p.flush_gap, Math.max(0, now - this.lastFlushDone) / 1000);
    const done = this.cache.drain(now) + usToNs((fixedUs * this.random.flushJitter() + (busy ? p.busy_flush_us : 0)) * this.random.host.factor);
    // a PREFLUSH write's flush is not sequenced with FLUSHes and may end before one in flight: the latest end counts
    this.lastFlushDone = Math.max(this.lastFlushDone, done);
    return done;
  }

  private dispatch(): void {
    const q = this.queue;
    /** When this submission's serial stage has taken in its commands so far (ns); -1 before the first. */
    let taken = -1;
    while (q.busy < this.params.channels) {
      const io = this.ringWaiting ?? q.take();
      if (!io) return;
      const group = q.group(io);
      if (!this.ring.admit(io, group)) {
        this.ringWaiting = io; // a completion frees room (the ring is never too small for one command alone)
        return;
      }
      this.ringWaiting = undefined;
      q.busy++;
      const now = this.engine.now;
      io.tStart = now;
      if (group) for (const m of group) m.tStart = now;
      if (this.params.error_rate > 0 && this.random.errors.uniform() < this.params.error_rate) {
        io.ok = false;
        if (group) for (const m of group) m.ok = false;
      }
      if (io.kind === 'flush' && this.stage.drained && this.params.write_cache) {
        // the backend runs the FLUSH in its turn (an fsync of the backing file): later commands wait for it
        this.stage.free = this.flushDoneAt(Math.max(now, this.stage.free), io.busyPeer);
        taken = -1;
        io.mready = -1;
        io.mstage = STAGE.turn;
        this.engine.at(this.stage.free, this, io);
      } else if (io.kind === 'flush') {
        io.mstage = STAGE.done;
        this.engine.at(this.params.write_cache ? this.flushDoneAt(now, io.busyPeer) : now, this, io);
      } else if (io.kind === 'write' && io.preflush && this.params.write_cache) {
        io.mstage = STAGE.command;
        this.engine.at(this.flushDoneAt(now, io.busyPeer), this, io);
      } else if (this.stage.on) {
        taken = this.stage.take(taken, now, this.random.host);
        if (this.stage.drained) this.turn(io, now, taken);
        else if (this.params.submit_overlap) this.command(io, now, taken);
        else this.command(io, taken);
      } else {
        this.command(io, now);
      }
    }
  }

  /** Step 2: the per-command latency, from `start`, ending no earlier than `notBefore` (ns: the end of its turn in the submission stage under `submit_overlap`). */
  private command(io: Io, start: number, notBefore = 0): void {
    const us = this.latencyUs(io);
    io.mstage = STAGE.transfer;
    this.engine.at(Math.max(notBefore, start + Math.max(0, usToNs(us * this.random.host.factor))), this, io);
  }

  /**
   * `submit_completion: drained`: `io`'s turn in the stage ends at `taken`
   * (ns), where it waits until the stage has no command left. Under
   * `submit_overlap` its latency runs from the dispatch meanwhile.
   */
  private turn(io: Io, now: number, taken: number): void {
    io.mready = this.params.submit_overlap ? now + Math.max(0, usToNs(this.latencyUs(io) * this.random.host.factor)) : -1;
    io.mstage = STAGE.turn;
    this.engine.at(taken, this, io);
  }

  /**
   * A turn ended (engine callback): a read or write moves its data now (the
   * backend copies it in its turn); the command then waits while the stage
   * has more, and the last one releases all that wait. They complete after
   * one latency, drawn once for the reads and once for the writes among
   * them (the backend's one interrupt; under `submit_overlap` each its own
   * latency from the dispatch), and not before their data has moved; a
   * FLUSH at once.
   */
  private turnOver(io: Io): void {
    const now = this.engine.now;
    if (io.kind !== 'flush') io.mready = Math.max(io.mready, this.transfer(io));
    const drained = this.stage.release(io, now);
    if (drained === undefined) return;
    // one interrupt completes them all: one latency draw for the reads and one for the writes of the spell
    let readNs = -1, writeNs = -1;
    for (const m of drained) {
      let done = now;
      if (m.kind !== 'flush') {
        let after = now;
        if (!this.params.submit_overlap) {
          if (m.kind === 'read') after += readNs < 0 ? (readNs = Math.max(0, usToNs(this.random.readLatency() * this.random.host.factor))) : readNs;
          else after += writeNs < 0 ? (writeNs = Math.max(0, usToNs(this.random.writeLatency() * this.random.host.factor))) : writeNs;
          if (m.busyPeer) after += usToNs(this.params.busy_latency_us * this.random.host.factor);
        }
        done = Math.max(after, m.mready);
      }
      m.mready = -1;
      m.mstage = STAGE.done;
      this.engine.at(done, this, m);
    }
  }

  /** A draw of `io`'s per-command latency (µs), plus `busy_latency_us` when another task was running as it was submitted. */
  private latencyUs(io: Io): number {
    return (io.kind === 'read' ? this.random.readLatency() : this.random.writeLatency()) + (io.busyPeer ? this.params.busy_latency_us : 0);
  }

  /** Steps 3–4: the shared pipe, then the cache or the media; returns the completion time (ns). */
  private transfer(io: Io): number {
    const p = this.params;
    const now = this.engine.now;
    const group = this.queue.group(io);
    // a read's scatter-gather segments: a folio each (a part of a folio its part)
    let pages = io.pages, folios = io.pages / io.folioPages;
    if (group) {
      for (let i = 1; i < group.length; i++) {
        pages += group[i].pages;
        folios += group[i].pages / group[i].folioPages;
      }
    }
    const bytes = pages * this.pageSize;
    const pipeStart = Math.max(now, this.pipeFree);
    const read = io.kind === 'read';
    const segmentsNs = read ? Math.round(folios * p.segment_us * 1000) : 0;
    const pipeNs = read ? transferNs(bytes, p.read_bandwidth_mbps) + segmentsNs : transferNs(bytes, p.bandwidth_mbps);
    const pipeEnd = pipeStart + this.random.host.scale(pipeNs);
    this.pipeFree = pipeEnd;
    const addr = p.rpm > 0 ? diskAddress(io.object.id, io.first, this.pageSize, p.region_gb * 1e9, p.capacity_gb * 1e9) : 0;
    const media = () => this.medium.jobNs(addr, bytes, io.kind !== 'read');
    if (read) {
      // one read alone moves no faster than `read_request_mbps`, however free the pipe
      const own = p.read_request_mbps > 0 ? now + this.random.host.scale(transferNs(bytes, p.read_request_mbps) + segmentsNs) : 0;
      const end = Math.max(pipeEnd, own);
      return p.rpm > 0 ? Math.max(end, this.cache.bypass(now, media)) : end;
    }
    if (p.write_cache && !io.fua) return this.cache.insert(pipeEnd, bytes, media);
    return Math.max(pipeEnd, this.cache.bypass(pipeStart, media));
  }

  /** Engine callback: the next stage of `io`. */
  fire(arg: unknown): void {
    const io = arg as Io;
    const stage = io.mstage;
    if (stage === STAGE.command) return this.command(io, this.engine.now);
    if (stage === STAGE.turn) return this.turnOver(io);
    if (stage === STAGE.transfer) {
      io.mstage = STAGE.done;
      this.engine.at(this.transfer(io), this, io);
      return;
    }
    io.mstage = 0;
    this.load.account();
    this.queue.busy--;
    const group = this.queue.group(io);
    this.ring.complete(io, group);
    if (group) {
      this.queue.endGroup(io);
      for (const m of group) this.finish(m);
    } else this.finish(io);
    this.dispatch();
  }

  private finish(io: Io): void {
    this.load.outstanding--;
    io.tDone = this.engine.now;
    io.done = true;
    if (io.kind === 'flush' && this.params.write_cache) this.flushes++; // without a cache the block layer completed it unsent
    this.completion.complete(io);
    if (io.kind === 'flush' && this.params.write_cache) {
      const { riders, next } = this.flushSeq.done(io);
      for (const r of riders) {
        r.tStart = io.tStart;
        r.tDone = io.tDone;
        r.ok = io.ok;
        r.done = true;
        this.load.outstanding--;
        this.completion.complete(r);
      }
      if (next) this.queue.add(next);
    }
  }

  /** Utilisation (busy slots ÷ channels), mean and max queue depth over [0, now], and flushes. */
  stats(): DeviceStats {
    return { ...this.load.stats(), flushes: this.flushes };
  }

  /** Bytes in the write cache now. */
  cachedBytes(): number {
    return this.cache.occupancy(this.engine.now);
  }
}
