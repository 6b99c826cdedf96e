/**
 * A set of address ranges: sorted, disjoint, coalesced [start, end) intervals
 * of page-aligned addresses. A map keeps the pages of its VM_LOCKED entries
 * that are not wired yet in one (Linux, ./lock-pending.ts).
 */

/** A set of [start, end) address ranges. */
export class PageRanges {
  /** Bounds, flat: [s0, e0, s1, e1, ...], sorted, with e_i < s_(i+1). */
  private readonly b: number[] = [];

  /** Whether the set holds nothing. */
  get empty(): boolean {
    return this.b.length === 0;
  }

  /** Index (even) of the first range whose end is above `addr`, or the length. */
  private from(addr: number): number {
    const b = this.b;
    let lo = 0, hi = b.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b[2 * mid + 1] <= addr) lo = mid + 1;
      else hi = mid;
    }
    return 2 * lo;
  }

  /** Whether `addr` lies in a range of the set. */
  has(addr: number): boolean {
    const i = this.from(addr);
    return i < this.b.length && this.b[i] <= addr;
  }

  /** Whether any range of the set meets [start, end). */
  overlaps(start: number, end: number): boolean {
    const i = this.from(start);
    return start < end && i < this.b.length && this.b[i] < end;
  }

  /** Adds [start, end), joining the ranges it meets or touches. */
  add(start: number, end: number): void {
    if (start >= end) return;
    const b = this.b;
    let i = this.from(start);
    if (i > 0 && b[i - 1] === start) i -= 2; // the range before ends where this one starts
    let j = i;
    while (j < b.length && b[j] <= end) j += 2;
    const s = i < j ? Math.min(start, b[i]) : start;
    const e = i < j ? Math.max(end, b[j - 1]) : end;
    b.splice(i, j - i, s, e);
  }

  /** Removes [start, end) from the set; returns the ranges removed, in address order. */
  take(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    if (start >= end) return out;
    const b = this.b;
    const i = this.from(start);
    let j = i;
    while (j < b.length && b[j] < end) {
      out.push([Math.max(start, b[j]), Math.min(end, b[j + 1])]);
      j += 2;
    }
    if (i === j) return out;
    const keep: number[] = [];
    if (b[i] < start) keep.push(b[i], start);
    if (b[j - 1] > end) keep.push(end, b[j - 1]);
    b.splice(i, j - i, ...keep);
    return out;
  }

  /** The ranges, in address order (a copy). */
  ranges(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.b.length; i += 2) out.push([this.b[i], this.b[i + 1]]);
    return out;
  }
}
