/**
 * Sync-latency statistics: every sample kept (4 bytes each, 8 once one is not
 * an integer below 2^32 ns) so percentiles
 * are exact, summarised as mean, p50, p90, p99, p99.9 and max in µs.
 */
import { quantileSorted } from 'simple-statistics';
import { integerQuantiles } from './quantile-select.ts';

/** Latency summary in µs; null fields when there were no samples. */
export interface LatencySummary {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** Samples per chunk of a store past its first 65,536 (chunks are never copied to grow). */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/** The samples of a store: 4 bytes each while every one is an integer below 2^32 ns (4.3 s), else 8. */
type Samples = Uint32Array | Float64Array;

/**
 * A growable store of latencies in ns, in chunks: the first grows by
 * doubling up to 65,536 samples, the others hold 65,536 each, so growing
 * never copies more than 65,536 samples (nor holds the old and the new copy
 * of millions at once). Samples take 4 bytes while all are integers below
 * 2^32 ns, 8 from the first one that is not.
 */
export class LatencyStats {

  private chunks: Samples[] = [new Uint32Array(1024)];
  /** Chunks are Float64Array (a sample that is not a 32-bit unsigned integer was added). */
  private wide = false;
  private n = 0;

  /** Adds one latency (ns). */
  add(ns: number): void {
    if (!this.wide && !(ns >= 0 && ns <= 0xffffffff && Math.floor(ns) === ns)) this.widen();
    const n = this.n, c = n >>> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      chunk = this.wide ? new Float64Array(CHUNK) : new Uint32Array(CHUNK);
      this.chunks.push(chunk);
    } else if (c === 0 && n === chunk.length) {
      const bigger = this.wide ? new Float64Array(2 * n) : new Uint32Array(2 * n);
      bigger.set(chunk);
      this.chunks[0] = chunk = bigger;
    }
    chunk[n & (CHUNK - 1)] = ns;
    this.n = n + 1;
  }

  /** Makes every chunk a Float64Array (a sample does not fit 32 bits). */
  private widen(): void {
    this.wide = true;
    this.chunks = this.chunks.map((c) => Float64Array.from(c));
  }

  /** Number of samples. */
  get count(): number {
    return this.n;
  }

  /** A copy of the samples (ns), in the order they were added, as one Float64Array of its own (selection may reorder it). */
  samples(): Float64Array {
    const out = new Float64Array(this.n);
    let off = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, this.n - off);
      if (k <= 0) break;
      out.set(k === c.length ? c : c.subarray(0, k), off);
      off += k;
    }
    return out;
  }

  /** The summary, in µs rounded to the ns. */
  summary(): LatencySummary {
    if (this.n === 0) return EMPTY_SUMMARY;
    // large stores of integers: exact figures by counting into buckets over the chunks as they are (sim/stats/quantile-select.ts)
    const fast = this.n > RADIX_ABOVE ? integerQuantiles(this.chunks, this.n, QUANTILES) : undefined;
    if (fast) return summaryUs(fast.mean, fast.q, fast.max);
    const v = sortedCopy(this.samples(), this.n);
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i];
    // quantileSorted only indexes its argument: the typed array serves as it is
    const arr = v as unknown as number[];
    return summaryUs(sum / v.length, QUANTILES.map((p) => quantileSorted(arr, p)), v[v.length - 1]);
  }
}

/** The quantiles of a {@link LatencySummary} (p50, p90, p99, p999), ascending. */
export const QUANTILES: readonly number[] = [0.5, 0.9, 0.99, 0.999];

/** The summary of no samples. */
export const EMPTY_SUMMARY: LatencySummary = Object.freeze({ mean: null, p50: null, p90: null, p99: null, p999: null, max: null });

/** A summary from its figures in ns (`q`: the {@link QUANTILES}), in µs rounded to the ns. */
export function summaryUs(meanNs: number, q: readonly number[], maxNs: number): LatencySummary {
  const us = (ns: number) => Math.round(ns) / 1000;
  return { mean: us(meanNs), p50: us(q[0]!), p90: us(q[1]!), p99: us(q[2]!), p999: us(q[3]!), max: us(maxNs) };
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
