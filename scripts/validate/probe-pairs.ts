/**
 * The FLUSH probe's pairs (a 4 KiB O_DIRECT write and the fdatasync after
 * it) and the rank correlation the host's fits take of them
 * (host-spread.ts, host-drift-fit.ts). Pure.
 */

/** One write of the probe and the fdatasync after it (µs). */
export interface WriteSyncPair {
  write_us: number;
  sync_us: number;
  /** When the write was issued (µs, fio's I/O log clock): the pairs' order in time (host-drift-fit.ts). */
  at_us?: number;
}

/** Fewer pairs than this in all give no fit. */
export const MIN_PAIRS = 100;
/** A probe with fewer pairs than this gives no correlation of its own. */
export const MIN_GROUP_PAIRS = 20;

/** Ranks 0..n−1, ties given their mean rank. */
function ranks(a: readonly number[]): number[] {
  const order = a.map((_, i) => i).sort((i, j) => a[i]! - a[j]!);
  const r = new Array<number>(a.length);
  for (let k = 0; k < order.length;) {
    let e = k;
    while (e + 1 < order.length && a[order[e + 1]!] === a[order[k]!]) e++;
    for (let q = k; q <= e; q++) r[order[q]!] = (k + e) / 2;
    k = e + 1;
  }
  return r;
}

/** Spearman's rank correlation of `x` and `y` (equal lengths, at least 2; 0 when either is constant). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const rx = ranks(x), ry = ranks(y), n = x.length, m = (n - 1) / 2;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const a = rx[i]! - m, b = ry[i]! - m;
    sxy += a * b; sxx += a * a; syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
