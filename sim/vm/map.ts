/**
 * A task's address space (vm_map): non-overlapping entries sorted by address,
 * each mapping [start, end) to an object at an offset, or to a sub-map.
 * Entries carry FreeBSD-style wiring state (a user-wired flag plus a wired
 * count) and an in-transition mark that makes other wirers wait.
 */
import type { VmObject } from './object.ts';
import type { PageRanges } from './page-ranges.ts';
import type { WaitQueue } from './process.ts';

/** One map entry. Addresses and offsets are in bytes, page aligned. */
export class MapEntry {
  /** wired_count: system wirings + 1 if user wired. */
  wiredCount = 0;
  /** MAP_ENTRY_USER_WIRED: user wiring is a flag, not a count (FreeBSD); Linux VM_LOCKED. */
  userWired = false;
  /** Counted user wirings (XNU user_wired_count). */
  userWiredCount = 0;
  /** MAP_ENTRY_IN_TRANSITION: a wire/unwire is working on this entry. */
  inTransition = false;
  /** For a wired sub-map entry (XNU): whether the wiring that went down into the sub-map's entries was a user wiring. */
  nestedUser: boolean | undefined = undefined;

  constructor(
    public start: number,
    public end: number,
    /** The backing object (the named object; for a sub-map entry, undefined). */
    readonly object: VmObject | undefined,
    /** Byte offset of `start` in the object (or in the sub-map). */
    public offset: number,
    /** Map flags (Flag.SUBMAP | Flag.PRECIOUS | Flag.PRIVATE, and the access advice Flag.RANDOM or Flag.SEQUENTIAL). */
    readonly flags: number,
    /** Name of the sub-map (the task whose map it is), for SUBMAP entries. */
    readonly submap: string | undefined,
    /** Anonymous copy-on-write object receiving writes of a PRIVATE mapping. */
    readonly shadow: VmObject | undefined,
  ) {}

  /** A copy of this entry for [start, end) (clipping), sharing objects and wiring state. */
  slice(start: number, end: number): MapEntry {
    const e = new MapEntry(start, end, this.object, this.offset + (start - this.start), this.flags, this.submap, this.shadow);
    e.wiredCount = this.wiredCount;
    e.userWired = this.userWired;
    e.userWiredCount = this.userWiredCount;
    e.inTransition = this.inTransition;
    e.nestedUser = this.nestedUser;
    return e;
  }

  /** The system wirings of this entry (wired count less the user bit). */
  get systemWired(): number {
    return this.wiredCount - (this.userWired ? 1 : 0);
  }
}

/** A vm_map: the sorted entries of one task or sub-map. */
export class VmMap {
  /** Entries sorted by start, non-overlapping. */
  readonly entries: MapEntry[] = [];
  /** Bumped on every structural change (vm_map timestamp). */
  timestamp = 0;
  /** Pages this task dirtied since its last dirty-throttle check (Linux ratelimit). */
  dirtiedSinceCheck = 0;
  /**
   * Addresses of VM_LOCKED entries whose pages are not wired yet (Linux, after an mlock whose
   * populate failed: ./lock-pending.ts); undefined when there are none.
   */
  lockPending: PageRanges | undefined = undefined;
  private last = -1;

  constructor(
    readonly name: string,
    /** Sleepers waiting for an in-transition entry to settle. */
    readonly transition: WaitQueue,
  ) {}

  /** Index of the entry containing `addr`, or -1. */
  indexOf(addr: number): number {
    const es = this.entries;
    const l = this.last;
    if (l >= 0 && l < es.length && es[l].start <= addr && addr < es[l].end) return l;
    let lo = 0, hi = es.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = es[mid];
      if (addr < e.start) hi = mid - 1;
      else if (addr >= e.end) lo = mid + 1;
      else {
        this.last = mid;
        return mid;
      }
    }
    return -1;
  }

  /** The entry containing `addr`, if any. */
  lookup(addr: number): MapEntry | undefined {
    const i = this.indexOf(addr);
    return i >= 0 ? this.entries[i] : undefined;
  }

  /** Index of the first entry whose end is above `addr` (the one containing it or the next), or entries.length. */
  indexFrom(addr: number): number {
    const es = this.entries;
    let lo = 0, hi = es.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (es[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The entry containing `addr`, or else the first entry after it. */
  lookupFrom(addr: number): MapEntry | undefined {
    return this.entries[this.indexFrom(addr)];
  }

  /** The entry after `e` in address order. */
  next(e: MapEntry): MapEntry | undefined {
    const i = this.indexFrom(e.end);
    return this.entries[i];
  }

  /** The entry that overlaps [start, end), if any. */
  overlapping(start: number, end: number): MapEntry | undefined {
    const e = this.lookupFrom(start);
    return e && e.start < end ? e : undefined;
  }

  /** Inserts an entry; the caller has checked it overlaps nothing. */
  insert(e: MapEntry): void {
    const i = this.indexFrom(e.start);
    this.entries.splice(i, 0, e);
    this.timestamp++;
    this.last = -1;
  }

  /**
   * Clips so that an entry boundary falls at `addr` (vm_map_clip_start/end);
   * returns the entry that starts at `addr`, if `addr` is mapped.
   */
  clip(addr: number): MapEntry | undefined {
    const i = this.indexOf(addr);
    if (i < 0) return undefined;
    const e = this.entries[i];
    if (e.start === addr) return e;
    const tail = e.slice(addr, e.end);
    e.end = addr;
    this.entries.splice(i + 1, 0, tail);
    this.timestamp++;
    this.last = -1;
    return tail;
  }

  /** Removes `e` from the map. */
  remove(e: MapEntry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) {
      this.entries.splice(i, 1);
      this.timestamp++;
      this.last = -1;
    }
  }
}
