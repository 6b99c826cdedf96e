/**
 * A device's volatile write cache: writes complete once their data is in it.
 * Each entry's destage takes the media time its write would take (transfer at
 * the media rate, a per-command media cost, and positioning on a disk). When
 * it destages (`device.destage`):
 * - `continuous` (a drive's cache): in arrival order, as soon as the media is
 *   free;
 * - `on_flush` (a host page cache under a virtual disk, e.g. a Firecracker or
 *   QEMU virtio-blk drive in writeback mode, whose FLUSH is an fsync of the
 *   backing file): only when a FLUSH asks for it, or when the cache is full.
 * FLUSH completes when everything in it at that moment is on the media.
 *
 * The media is one server shared by the destage and by writes that bypass the
 * cache (FUA, or no cache at all), in arrival order: `mediaFree` is when it
 * finishes the last job given to it.
 */

import type { DestageMode } from './profiles.ts';

export type { DestageMode };

/** One cached write not yet on the media. */
interface Entry {
  bytes: number;
  /** When its destage ends (ns); Infinity until it is scheduled (`on_flush`). */
  end: number;
  /** Its media time (ns) when its destage starts at `start`. */
  mediaNs: (start: number) => number;
}

/** The volatile write cache and the media queue behind it. */
export class WriteCache {
  private entries: Entry[] = [];
  private head = 0;
  /** First entry whose destage is not scheduled yet (`on_flush`; = entries.length under `continuous`). */
  private unscheduled = 0;
  /** Bytes in the cache (not yet destaged at the last `settle`). */
  private held = 0;
  /** When the last scheduled destage ends (ns). */
  private lastEnd = 0;
  /** When the media finishes its last queued job (ns). */
  mediaFree = 0;

  constructor(private readonly capacityBytes: number, private readonly mode: DestageMode = 'continuous') {}

  /** Forgets entries destaged by `t` (called with non-decreasing `t`: inserts come in pipe order). */
  private settle(t: number): void {
    while (this.head < this.entries.length && this.entries[this.head].end <= t) {
      this.held -= this.entries[this.head++].bytes;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.unscheduled -= this.head;
      this.head = 0;
    }
  }

  /** Schedules the destage of the unscheduled entries up to index `last` (inclusive), in order, from `t`. */
  private schedule(last: number, t: number): void {
    for (; this.unscheduled <= last; this.unscheduled++) {
      const e = this.entries[this.unscheduled];
      const start = Math.max(t, this.mediaFree);
      e.end = start + e.mediaNs(start);
      this.mediaFree = e.end;
      this.lastEnd = e.end;
    }
  }

  /** Whether anything accepted is not yet on the media at `t` (ns): an entry held for a FLUSH, or a destage still running. */
  holds(t: number): boolean {
    return this.unscheduled < this.entries.length || this.lastEnd > t;
  }

  /** Bytes in the cache at `t` (ns), counting writes accepted for a time up to `t`. */
  occupancy(t: number): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i++) if (this.entries[i].end > t) n += this.entries[i].bytes;
    return n;
  }

  /**
   * A FLUSH at `t`: destages what is not yet on its way (`on_flush`) and
   * returns when everything the cache holds or has accepted is on the media
   * (ns, >= t). (A write still crossing the pipe at `t` counts: a FLUSH waits for it too.)
   */
  drain(t: number): number {
    this.schedule(this.entries.length - 1, t);
    return Math.max(t, this.lastEnd);
  }

  /**
   * Puts a write of `bytes` arriving at `t` into the cache: it waits for room
   * (the oldest entries to destage, which a full `on_flush` cache starts now),
   * then its own destage of `mediaNs(start)` is queued on the media
   * (`continuous`) or held for the next FLUSH (`on_flush`). Returns when the
   * write is in the cache (its completion).
   */
  insert(t: number, bytes: number, mediaNs: (start: number) => number): number {
    this.settle(t);
    let inAt = t;
    const room = Math.max(0, this.capacityBytes - Math.min(bytes, this.capacityBytes));
    let i = this.head;
    let held = this.held;
    while (held > room && i < this.entries.length) {
      if (i >= this.unscheduled) this.schedule(i, t);
      held -= this.entries[i].bytes;
      inAt = Math.max(inAt, this.entries[i].end);
      i++;
    }
    this.entries.push({ bytes, end: Infinity, mediaNs });
    this.held += bytes;
    if (this.mode === 'continuous') this.schedule(this.entries.length - 1, inAt);
    return inAt;
  }

  /** Queues a write that bypasses the cache on the media from `t`; returns when it is on the media (ns). */
  bypass(t: number, mediaNs: (start: number) => number): number {
    const start = Math.max(t, this.mediaFree);
    this.mediaFree = start + mediaNs(start);
    return this.mediaFree;
  }
}
