/**
 * Comparing two latency distributions, measured and simulated: their summary
 * statistics and Ruemmler & Wilkes's demerit figure ("An introduction to
 * disk drive modeling", IEEE Computer 27(3), 1994): the root-mean-square
 * horizontal distance between the two cumulative distribution curves,
 * expressed as a percentage of the measured mean. Pure: no I/O.
 *
 * Definitions used throughout (x sorted ascending, m samples):
 * - Empirical CDF: F(v) = #{i : x_i <= v} / m.
 * - Quantile function (the CDF's left-continuous inverse):
 *   F⁻¹(p) = inf{v : F(v) >= p} = x_(⌈m·p⌉) for p in (0, 1], with x_(k) the
 *   k-th smallest sample (1-based). It is a step function, constant on each
 *   interval ((k−1)/m, k/m].
 * - RMS horizontal distance between F (m samples x) and G (n samples y):
 *   R = sqrt( ∫₀¹ (F⁻¹(p) − G⁻¹(p))² dp ).
 *   The integration grid is the union of the two step grids,
 *   {k/m : k = 0..m} ∪ {j/n : j = 0..n}: on each interval between consecutive
 *   grid points both quantile functions are constant, so the integral is the
 *   exact finite sum Σ (interval length) × (x_(k) − y_(j))², no approximation.
 *   (R is the 2-Wasserstein distance between the two empirical distributions.)
 * - Demerit = 100 × R / mean(x), mean(x) the measured mean.
 *
 * Percentiles reported beside it (p50, p90, p99) are the usual interpolated
 * ones (linear between order statistics, numpy's default, type 7), the same
 * definition as summary.json's.
 */
import { quantileSorted } from 'simple-statistics';

/** Summary of one latency distribution, in µs. */
export interface DistStats {
  count: number;
  mean_us: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  min_us: number;
  max_us: number;
}

/** The samples sorted ascending, as a new array. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Mean of the samples (NaN when there are none). */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** The interpolated percentile `p` in [0, 1] of ascending `sorted` (type 7). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  return quantileSorted(sorted as unknown as number[], p);
}

/** count, mean, p50, p90, p99, min and max of ascending `sorted` (at least one sample). */
export function distStats(sorted: Float64Array): DistStats {
  if (sorted.length === 0) throw new Error('statistics of no samples');
  return {
    count: sorted.length,
    mean_us: mean(sorted),
    p50_us: percentile(sorted, 0.5),
    p90_us: percentile(sorted, 0.9),
    p99_us: percentile(sorted, 0.99),
    min_us: sorted[0]!,
    max_us: sorted[sorted.length - 1]!,
  };
}

/** F⁻¹(p) = x_(⌈m·p⌉) of ascending `sorted`, for p in (0, 1] (see the module comment). */
export function quantileStep(sorted: Float64Array, p: number): number {
  const m = sorted.length;
  if (m === 0) throw new Error('quantile of no samples');
  if (!(p > 0 && p <= 1)) throw new Error(`quantile level must be in (0, 1] (got ${p})`);
  return sorted[Math.min(m, Math.max(1, Math.ceil(m * p - 1e-12))) - 1]!;
}

/**
 * R = sqrt(∫₀¹ (F⁻¹(p) − G⁻¹(p))² dp) for ascending samples `a` (F) and `b`
 * (G), integrated exactly over the union of their step grids.
 */
export function rmsHorizontalDistance(a: Float64Array, b: Float64Array): number {
  const m = a.length, n = b.length;
  if (m === 0 || n === 0) throw new Error('demerit needs samples on both sides');
  if (m * n > Number.MAX_SAFE_INTEGER) throw new Error('too many samples for an exact demerit');
  let i = 0, j = 0;
  let prev = 0;
  let sum = 0;
  // Interval ends: (i+1)/m for a, (j+1)/n for b; compared exactly as (i+1)·n vs (j+1)·m.
  while (i < m && j < n) {
    const ea = (i + 1) * n, eb = (j + 1) * m;
    const next = ea <= eb ? (i + 1) / m : (j + 1) / n;
    const d = a[i]! - b[j]!;
    sum += (next - prev) * d * d;
    prev = next;
    if (ea <= eb) i++;
    if (eb <= ea) j++;
  }
  return Math.sqrt(sum);
}

/** The demerit of simulated `sim` against measured `meas` (both ascending), with R in µs. */
export function demerit(meas: Float64Array, sim: Float64Array): { demerit_pct: number; rms_distance_us: number } {
  const r = rmsHorizontalDistance(meas, sim);
  const mu = mean(meas);
  if (!(mu > 0)) throw new Error('demerit needs a positive measured mean');
  return { demerit_pct: (100 * r) / mu, rms_distance_us: r };
}

/** One statistic measured against simulated: values, simulated − measured, and simulated ÷ measured. */
export interface StatComparison {
  measured_us: number;
  simulated_us: number;
  diff_us: number;
  ratio: number | null;
}

/** The four statistics validation compares. */
export const COMPARED_STATS = ['mean', 'p50', 'p90', 'p99'] as const;

/** mean, p50, p90 and p99 side by side. */
export function compareStats(meas: DistStats, sim: DistStats): Record<(typeof COMPARED_STATS)[number], StatComparison> {
  const one = (m: number, s: number): StatComparison => ({ measured_us: m, simulated_us: s, diff_us: s - m, ratio: m > 0 ? s / m : null });
  return {
    mean: one(meas.mean_us, sim.mean_us),
    p50: one(meas.p50_us, sim.p50_us),
    p90: one(meas.p90_us, sim.p90_us),
    p99: one(meas.p99_us, sim.p99_us),
  };
}
