/**
 * Latency summaries in bounded memory for stores that may see a sample per
 * page of a 100 M-row trace (the durability lag): exact, as {@link LatencyStats},
 * up to a number of samples, then from a log-linear histogram (HDR-style:
 * 2048 buckets per power of two) whose percentiles are within 2^-12 (0.025 %)
 * of the exact ones. Count, mean and max stay exact.
 */
import { EMPTY_SUMMARY, LatencyStats, QUANTILES, summaryUs, type LatencySummary } from './latency.ts';

/** Sub-buckets per power of two, as bits: integers below 2^SUB_BITS each have a bucket of their own. */
const SUB_BITS = 11;
const SUB = 1 << SUB_BITS;
/** Powers of two covered: samples up to 2^64 ns. */
const BUCKETS = (64 - SUB_BITS + 1) * SUB;

/**
 * The bucket of a non-negative sample `v`, given the high 32 bits of its IEEE 754 double (`hi`):
 * below 2^SUB_BITS its integer part; above, (exponent − SUB_BITS + 1) · SUB plus the top SUB_BITS
 * bits of its mantissa, which are ⌊v / 2^(exponent − SUB_BITS)⌋ − SUB exactly. Read from the bits, so
 * no logarithm and no power is computed and no rounding can move a sample across a power of two.
 * @internal exported for tests.
 */
export function bucketOfBits(v: number, hi: number): number {
  if (v < SUB) return Math.floor(v);
  const e = ((hi >>> 20) & 0x7ff) - 1023;
  const i = (e - SUB_BITS + 1) * SUB + ((hi >>> (20 - SUB_BITS)) & (SUB - 1));
  return i < BUCKETS ? i : BUCKETS - 1;
}

/**
 * Reads the high 32 bits of a double: one 8-byte buffer seen as a double and as two words, the
 * high word's index found once from the platform's byte order.
 */
export class DoubleBits {
  private readonly f = new Float64Array(1);
  private readonly w = new Uint32Array(this.f.buffer);
  private readonly hiIndex: number;
  constructor() {
    this.f[0] = 1; // 0x3ff00000_00000000
    this.hiIndex = this.w[1] === 0x3ff00000 ? 1 : 0;
  }
  /** The high word (sign, exponent and the top 20 bits of the mantissa) of `v`. */
  hi(v: number): number {
    this.f[0] = v;
    return this.w[this.hiIndex]!;
  }
}

/**
 * The value a bucket stands for: below 2^SUB_BITS its integer; above, the middle
 * of the integers it holds (its width is a power of two, so the error of any
 * integer in it is at most half a width, 2^-(SUB_BITS+1) of its lower bound).
 */
function bucketValue(i: number): number {
  if (i < SUB) return i;
  const shift = Math.floor(i / SUB) - 1;
  const low = (SUB + (i % SUB)) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

/** A log-linear histogram of non-negative samples (ns). */
export class LogHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private readonly bits = new DoubleBits();
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = 0;

  /** Adds one sample (ns, >= 0). */
  add(v: number): void {
    this.counts[bucketOfBits(v, this.bits.hi(v))]++;
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  get count(): number {
    return this.n;
  }

  /** The sample of rank `r` (0-based, ascending), as its bucket's value, kept within [min, max]. */
  private ranked(r: number): number {
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen > r) return Math.min(this.max, Math.max(this.min, bucketValue(i)));
    }
    return this.max;
  }

  /** Quantile p as {@link LatencyStats} defines it (numpy type 7: between the ranks floor and ceil of (n − 1)p). */
  quantile(p: number): number {
    const idx = (this.n - 1) * p, lo = Math.floor(idx);
    const xl = this.ranked(lo);
    return idx === lo ? xl : xl + (idx - lo) * (this.ranked(lo + 1) - xl);
  }

  /** The summary, in µs rounded to the ns. */
  summary(): LatencySummary {
    if (this.n === 0) return EMPTY_SUMMARY;
    return summaryUs(this.sum / this.n, QUANTILES.map((p) => this.quantile(p)), this.max);
  }
}

/**
 * Latencies whose summary is exact up to `exactUpTo` samples (default 2^20, 4–8 MiB of them) and
 * comes from a {@link LogHistogram} beyond: the store no longer grows with the run.
 */
export class BoundedLatencyStats {
  private exact: LatencyStats | undefined = new LatencyStats();
  private hist: LogHistogram | undefined;

  constructor(readonly exactUpTo = 1 << 20) {}

  /** Adds one latency (ns, >= 0). */
  add(ns: number): void {
    if (this.hist) {
      this.hist.add(ns);
      return;
    }
    this.exact!.add(ns);
    if (this.exact!.count > this.exactUpTo) {
      const h = new LogHistogram();
      for (const v of this.exact!.samples()) h.add(v);
      this.hist = h;
      this.exact = undefined;
    }
  }

  get count(): number {
    return this.hist ? this.hist.count : this.exact!.count;
  }

  /** Whether the percentiles are exact (false once the samples went into the histogram). */
  get exactPercentiles(): boolean {
    return this.hist === undefined;
  }

  summary(): LatencySummary {
    return this.hist ? this.hist.summary() : this.exact!.summary();
  }
}
