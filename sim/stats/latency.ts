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
    const v = this.values.slice(0, this.n).sort();
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i];
    const arr = Array.from(v);
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
