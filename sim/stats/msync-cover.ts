/**
 * Which file pages the msyncs of a run covered, how the last one covering
 * each page ended, and the latest trace line of an msync covering it: what
 * tells why a page version never became durable (summary.json
 * `durability.never_durable_by`, sim/stats/durability.ts). A version on a
 * page no msync covered was never asked to be; one stored at or after the
 * issue of the last msync covering its page was stored too late for it —
 * because the trace has no msync of that page after the store, or because
 * the replay ran the store after an msync the trace has after it; one stored
 * before it, and still not written at the end, was left by that msync: it
 * failed, it was an MS_ASYNC that writes nothing at once (linux), or the
 * page was wired and dirty when it ended (xnu's msync skips wired pages), or
 * otherwise.
 *
 * Each object keeps the msyncs' page ranges in the order they ended, each
 * with its issue time, kind and trace line: an msync covering every range so
 * far from a trace line at or past theirs (a whole-mapping msync, the common
 * case) replaces them all, and a log that grows past twice its last
 * compacted size is compacted into disjoint ranges (per page, the last msync
 * and the latest line), so the memory follows the distinct ranges, not the
 * msyncs.
 */
import { Flag } from '../../traces/types.ts';
import { Page, type VmObject } from '../vm/object.ts';
import type { Vm } from '../vm/vm.ts';
import type { VmMap } from '../vm/map.ts';

/** How the last msync covering a page ended, as far as a version stored before it and never written goes. */
export const COVER = {
  /** It succeeded (and was not MS_ASYNC alone). */
  ok: 0,
  /** It succeeded, with MS_ASYNC and not MS_SYNC. */
  async: 1,
  /** It failed. */
  failed: 2,
  /** The page was wired and dirty when it ended. */
  wired: 3,
} as const;

/** The {@link COVER} kind of an msync with `flags` that succeeded (`ok`) or not, before its wired pages are looked at. */
export function coverKind(flags: number, ok: boolean): number {
  if (!ok) return COVER.failed;
  return (flags & Flag.ASYNC) !== 0 && (flags & Flag.SYNC) === 0 ? COVER.async : COVER.ok;
}

/** Numbers a range of the log holds: first page, end page (exclusive), issue time (ns), kind, trace line. */
const W = 5;
/** Ranges a log holds before it is first compacted. */
const MIN_LOG = 64;

/**
 * The msyncs that covered pages of one object: per page, the issue time and {@link COVER} kind of
 * the last to end, and the latest trace line of any of them.
 */
export class MsyncCover {
  private seg = new Float64Array(W * 8);
  private n = 0;
  /** The extent of the ranges held: an msync covering it covers every range. */
  private lo = Infinity;
  private hi = -Infinity;
  /** The latest trace line of the ranges held: an msync from a line before it does not replace them all. */
  private lineMax = -Infinity;
  /** Ranges past which the log is compacted. */
  private limit = MIN_LOG;
  /** The ranges are disjoint and sorted (compacted, nothing added since). */
  private sorted = true;

  /**
   * An msync of trace line `line` (0 when unknown), issued at `tNs`, covered pages [first, end) and
   * ended as `kind`; it takes the place of earlier ones there (of their line, when its own is later).
   */
  add(first: number, end: number, tNs: number, kind: number, line = 0): void {
    if (end <= first) return;
    if (first <= this.lo && end >= this.hi && line >= this.lineMax) this.n = 0;
    if (this.n === 0) {
      this.lo = first;
      this.hi = end;
      this.lineMax = line;
    } else {
      if (first < this.lo) this.lo = first;
      if (end > this.hi) this.hi = end;
      if (line > this.lineMax) this.lineMax = line;
    }
    if (W * (this.n + 1) > this.seg.length) {
      const bigger = new Float64Array(this.seg.length * 2);
      bigger.set(this.seg);
      this.seg = bigger;
    }
    const o = W * this.n++;
    this.seg[o] = first; this.seg[o + 1] = end; this.seg[o + 2] = tNs; this.seg[o + 3] = kind; this.seg[o + 4] = line;
    this.sorted = this.n === 1;
    if (this.n > this.limit) {
      this.compact();
      this.limit = Math.max(MIN_LOG, 2 * this.n);
    }
  }

  /**
   * The issue time and kind of the last msync covering page `idx` (`out[0]`, `out[1]`) and the
   * latest trace line of those covering it (`out[2]`), true; false when none covered it. Compacts
   * the log first when something was added since.
   */
  find(idx: number, out: [number, number, number]): boolean {
    if (!this.sorted) this.compact();
    const s = this.seg;
    let lo = 0, hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, o = W * mid;
      if (idx < s[o]) hi = mid - 1;
      else if (idx >= s[o + 1]) lo = mid + 1;
      else {
        out[0] = s[o + 2];
        out[1] = s[o + 3];
        out[2] = s[o + 4];
        return true;
      }
    }
    return false;
  }

  /**
   * Rewrites the log as disjoint ranges sorted by page, each page under the last range that
   * covered it and with the latest line of those, like neighbours merged.
   */
  private compact(): void {
    const s = this.seg, n = this.n;
    // the ends of the ranges, sorted (a typed array sorts numerically), once each
    const points = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      points[2 * i] = s[W * i];
      points[2 * i + 1] = s[W * i + 1];
    }
    points.sort();
    let distinct = 0;
    for (let k = 0; k < points.length; k++) if (distinct === 0 || points[distinct - 1] !== points[k]) points[distinct++] = points[k];
    const b = points.subarray(0, distinct);
    const m = b.length - 1;
    // the last range first: each elementary range takes the latest that covers it
    const byEnd = new Int32Array(n);
    for (let i = 0; i < n; i++) byEnd[i] = n - 1 - i;
    const owner = claim(s, n, b, byEnd);
    // the latest line first (of two of one line, the later to end): each elementary range takes the line of
    // the latest msync of the trace that covers it. Lines that never fall from one range to the next (msyncs
    // ending in trace order, the common case) are in that order already, the last range first.
    let inOrder = true;
    for (let i = 1; i < n && inOrder; i++) inOrder = s[W * i + 4] >= s[W * (i - 1) + 4];
    const byLine = inOrder ? byEnd : Int32Array.from(byEnd).sort((x, y) => s[W * y + 4] - s[W * x + 4] || y - x);
    const lineOwner = claim(s, n, b, byLine);
    const out = new Float64Array(W * Math.max(8, m));
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = owner[k];
      if (i < 0) continue;
      const t = s[W * i + 2], kind = s[W * i + 3], line = s[W * lineOwner[k] + 4];
      const p = W * (c - 1);
      if (c > 0 && out[p + 1] === b[k] && out[p + 2] === t && out[p + 3] === kind && out[p + 4] === line) out[p + 1] = b[k + 1];
      else {
        const o = W * c++;
        out[o] = b[k]; out[o + 1] = b[k + 1]; out[o + 2] = t; out[o + 3] = kind; out[o + 4] = line;
      }
    }
    this.seg = out;
    this.n = c;
    this.sorted = true;
  }
}

/**
 * For each elementary range [b[k], b[k+1]) of the `n` ranges of log `s` (whose ends `b` holds,
 * sorted, once each), the first range in `order` that covers it, or -1.
 */
function claim(s: Float64Array, n: number, b: ArrayLike<number>, order: ArrayLike<number>): Int32Array {
  const m = b.length - 1;
  const owner = new Int32Array(Math.max(m, 0)).fill(-1);
  // next[k]: the first elementary range at or after k with no owner yet (path-halving union-find)
  const next = new Int32Array(m + 1);
  for (let k = 0; k <= m; k++) next[k] = k;
  const find = (k: number) => {
    while (next[k] !== k) {
      next[k] = next[next[k]];
      k = next[k];
    }
    return k;
  };
  const at = (p: number) => {
    let lo = 0, hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let r = 0; r < n; r++) {
    const i = order[r];
    const j = at(s[W * i + 1]);
    for (let k = find(at(s[W * i])); k < j; k = find(k + 1)) {
      owner[k] = i;
      next[k] = k + 1;
    }
  }
  return owner;
}

/**
 * Calls `fn(obj, first, end)` for each piece of a file object behind [addr, addr + len) of `map`
 * (through one level of sub-map, as vm.resolve goes), skipping what is not mapped.
 */
export function forEachFilePiece(vm: Vm, map: VmMap, addr: number, len: number, fn: (obj: VmObject, first: number, end: number) => void): void {
  const stop = addr + len;
  let a = vm.trunc(addr);
  while (a < stop) {
    const r = vm.resolve(map, a, false);
    if (r === undefined) {
      a = vm.nextMapped(map, a); // not mapped here
      continue;
    }
    const end = Math.min(r.end, vm.round(stop));
    const obj = r.obj, first = r.idx;
    const count = Math.ceil((end - a) / vm.pageSize);
    if (obj.kind === 'vnode') fn(obj, first, first + count);
    a = end;
  }
}

/**
 * Records an msync of [addr, addr + len) of `map`, of trace line `line`, issued at `tNs`, ended as `kind`, in the
 * cover of each file object behind it (`coverOf`); when some page of the run is wired, its
 * pages wired and still dirty at its end are recorded as {@link COVER}.wired.
 */
export function recordMsync(vm: Vm, map: VmMap, addr: number, len: number, tNs: number, kind: number, line: number, coverOf: (obj: VmObject) => MsyncCover): void {
  forEachFilePiece(vm, map, addr, len, (obj, first, end) => {
    const cover = coverOf(obj);
    cover.add(first, end, tNs, kind, line);
    if (vm.counters.wired === 0) return;
    // the dirty pages only: a version stored before the msync and never written is on a page still dirty now
    for (let p = obj.next(first, end, Page.DIRTY); p >= 0; p = obj.next(p + 1, end, Page.DIRTY)) {
      if (obj.wireCount(p) === 0) continue;
      let q = p + 1;
      while (q < end && obj.wireCount(q) > 0 && (obj.state(q) & Page.DIRTY) !== 0) q++;
      cover.add(p, q, tNs, COVER.wired, line);
      p = q - 1;
    }
  });
}
