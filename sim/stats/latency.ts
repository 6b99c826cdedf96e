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
    const v = sortedCopy(this.values, this.n);
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i];
    // quantileSorted only indexes its argument: the typed array serves as it is
    const arr = v as unknown as number[];
    const us = (ns: number) => Math.round(ns) / 1000;
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
