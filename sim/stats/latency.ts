/**
 * Sync-latency statistics: every sample kept (8 bytes each) so percentiles
 * are exact, summarised as mean, p50, p90, p99, p99.9 and max in µs.
 */
import { quantileSorted } from 'simple-statistics';

/** Latency summary in µs; null fields when there were no samples. */
export interface LatencySummary {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** A growable store of latencies in ns. */
export class LatencyStats {
  private values = new Float64Array(1024);
  private n = 0;

  /** Adds one latency (ns). */
  add(ns: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = ns;
  }

  /** Number of samples. */
  get count(): number {
    return this.n;
  }

  /** A copy of the samples (ns), in the order they were added. */
  samples(): Float64Array {
    return this.values.slice(0, this.n);
  }

  /** The summary, in µs rounded to the ns. */
  summary(): LatencySummary {
    if (this.n === 0) return { mean: null, p50: null, p90: null, p99: null, p999: null, max: null };
    const us = (ns: number) => Math.round(ns) / 1000;
    const fast = this.n > RADIX_ABOVE ? selectedSummary(this.values, this.n) : undefined;
    if (fast) return { mean: us(fast.mean), p50: us(fast.q[0]), p90: us(fast.q[1]), p99: us(fast.q[2]), p999: us(fast.q[3]), max: us(fast.max) };
    const v = sortedCopy(this.values, this.n);
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i];
    // quantileSorted only indexes its argument: the typed array serves as it is
    const arr = v as unknown as number[];
    return {
      mean: us(sum / v.length),
      p50: us(quantileSorted(arr, 0.5)),
      p90: us(quantileSorted(arr, 0.9)),
      p99: us(quantileSorted(arr, 0.99)),
      p999: us(quantileSorted(arr, 0.999)),
      max: us(v[v.length - 1]),
    };
  }
}

/** The quantiles of {@link LatencyStats.summary}, ascending. */
const QUANTILES = [0.5, 0.9, 0.99, 0.999];

/**
 * The mean, quantiles ({@link QUANTILES}) and max of the first `n` values,
 * exactly as a full sort and `quantileSorted` give them, found by selection
 * (no sort): for non-negative integers whose sum is exact in any order
 * (max × n ≤ 2^53); undefined for anything else (the caller sorts).
 */
function selectedSummary(values: Float64Array, n: number): { mean: number; q: number[]; max: number } | undefined {
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (!(x >= 0 && Math.floor(x) === x)) return undefined;
    if (x > max) max = x;
  }
  if (max * n > Number.MAX_SAFE_INTEGER) return undefined;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]; // every partial sum is an exact integer: the order does not matter
  const a = values.slice(0, n);
  const q: number[] = [];
  let left = 0;
  for (const p of QUANTILES) {
    // quantileSorted (simple-statistics, numpy type 7): between ranks floor and ceil of (n − 1)p
    const idx = (n - 1) * p;
    const lo = Math.floor(idx);
    select(a, lo, left, n - 1);
    left = lo;
    const xl = a[lo];
    if (idx % 1 === 0) {
      q.push(xl);
      continue;
    }
    let xu = a[lo + 1];
    for (let i = lo + 2; i < n; i++) if (a[i] < xu) xu = a[i]; // rank lo + 1: the least of what lies above rank lo
    q.push(xl + (idx - lo) * (xu - xl));
  }
  return { mean: sum / n, q, max };
}

/**
 * Rearranges a[left..right] so that a[k] holds the value of rank k, smaller
 * values before it and larger after (Floyd–Rivest selection).
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      // recurse on a sample to bring a good pivot to k
      const n = right - left + 1, m = k - left + 1, z = Math.log(n), s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      select(a, k, Math.max(left, Math.floor(k - (m * s) / n + sd)), Math.min(right, Math.floor(k + ((n - m) * s) / n + sd)));
    }
    const t = a[k];
    let i = left, j = right;
    swap(a, left, k);
    if (a[right] > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Sample counts above which a sort of non-negative integers goes by radix rather than comparison. */
const RADIX_ABOVE = 4096;

/**
 * The first `n` values of `values`, sorted ascending (the order of
 * `Float64Array.prototype.sort`). Non-negative integers below 2^53 (latencies
 * in ns) are sorted by a least-significant-digit radix sort on 16-bit digits.
 */
export function sortedCopy(values: Float64Array, n: number): Float64Array {
  let a = values.slice(0, n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (!(x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x)) return a.sort();
    if (x > max) max = x;
  }
  if (n <= RADIX_ABOVE) return a.sort();
  let b = new Float64Array(n);
  const count = new Uint32Array(65536);
  // digit p of x: bits [16p, 16p+16); `>>> 0` keeps an integer's low 32 bits exactly
  const passes = max < 2 ** 16 ? 1 : max < 2 ** 32 ? 2 : max < 2 ** 48 ? 3 : 4;
  for (let p = 0; p < passes; p++) {
    const shift = 16 * (p & 1), high = p >= 2;
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const w = high ? (a[i] / 4294967296) >>> 0 : a[i] >>> 0;
      count[(w >>> shift) & 0xffff]++;
    }
    let sum = 0;
    for (let k = 0; k < 65536; k++) {
      const c = count[k];
      count[k] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const w = high ? (x / 4294967296) >>> 0 : x >>> 0;
      b[count[(w >>> shift) & 0xffff]++] = x;
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}
