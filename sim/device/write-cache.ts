/**
 * A device's volatile write cache: writes complete once their data is in it;
 * it destages to the media in arrival order, each entry taking the media time
 * its write would take (transfer at the media rate, plus positioning on a
 * disk). FLUSH completes when everything in it at that moment is on the media.
 *
 * The media is one server shared by the destage and by writes that bypass the
 * cache (FUA, or no cache at all), in arrival order: `mediaFree` is when it
 * finishes the last job given to it.
 */

/** One cached write not yet on the media. */
interface Entry {
  bytes: number;
  /** When its destage ends (ns). */
  end: number;
}

/** The volatile write cache and the media queue behind it. */
export class WriteCache {
  private entries: Entry[] = [];
  private head = 0;
  /** Bytes in the cache (not yet destaged at the last `settle`). */
  private held = 0;
  /** When the last cached write's destage ends (ns). */
  private lastEnd = 0;
  /** When the media finishes its last queued job (ns). */
  mediaFree = 0;

  constructor(private readonly capacityBytes: number) {}

  /** Forgets entries destaged by `t` (called with non-decreasing `t`: inserts come in pipe order). */
  private settle(t: number): void {
    while (this.head < this.entries.length && this.entries[this.head].end <= t) {
      this.held -= this.entries[this.head++].bytes;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Bytes in the cache at `t` (ns), counting writes accepted for a time up to `t`. */
  occupancy(t: number): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i++) if (this.entries[i].end > t) n += this.entries[i].bytes;
    return n;
  }

  /**
   * When everything the cache holds or has accepted is on the media (ns, >= t).
   * (A write still crossing the pipe at `t` counts: a FLUSH waits for it too.)
   */
  drainedAt(t: number): number {
    return Math.max(t, this.lastEnd);
  }

  /**
   * Puts a write of `bytes` arriving at `t` into the cache: it waits for room
   * (the oldest entries to destage), then its own destage of `mediaNs(start)`
   * is queued on the media. Returns when the write is in the cache (its completion).
   */
  insert(t: number, bytes: number, mediaNs: (start: number) => number): number {
    this.settle(t);
    let inAt = t;
    const room = Math.max(0, this.capacityBytes - Math.min(bytes, this.capacityBytes));
    let i = this.head;
    let held = this.held;
    while (held > room && i < this.entries.length) {
      held -= this.entries[i].bytes;
      inAt = Math.max(inAt, this.entries[i].end);
      i++;
    }
    const start = Math.max(inAt, this.mediaFree);
    const end = start + mediaNs(start);
    this.mediaFree = end;
    this.entries.push({ bytes, end });
    this.held += bytes;
    this.lastEnd = end;
    return inAt;
  }

  /** Queues a write that bypasses the cache on the media from `t`; returns when it is on the media (ns). */
  bypass(t: number, mediaNs: (start: number) => number): number {
    const start = Math.max(t, this.mediaFree);
    this.mediaFree = start + mediaNs(start);
    return this.mediaFree;
  }
}
