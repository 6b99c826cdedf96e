/**
 * Statistics of a metric over the seeds of a configuration, for metrics a
 * sweep did not aggregate: the mean with Student t's 95 % confidence interval
 * (moved out of data.ts, which re-exports them).
 */
import type { MetricStats } from './data.ts';

/** 0.975 quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
  2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: a table to
 * 30, then the Cornish-Fisher expansion around the normal quantile (error < 1e-5).
 */
export function t975(df: number): number {
  if (df <= 30) return T975[df - 1];
  const z = 1.959963985;
  const z3 = z ** 3, z5 = z ** 5, z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/**
 * Statistics of a metric's values over seeds (nulls left out), for metrics a
 * sweep did not aggregate: mean, sample sd, CI95 half-width t(0.975, n−1)·sd/√n, median.
 */
export function metricStats(values: readonly (number | null)[]): MetricStats {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, ci95: null, median: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? xs[n >> 1] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
  if (n === 1) return { n, mean, sd: null, ci95: null, median };
  // every seed gave one value: that value, spread 0 (as the sweep's aggregate.csv says it)
  if (xs[0] === xs[n - 1]) return { n, mean: xs[0]!, sd: 0, ci95: 0, median };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, ci95: (t975(n - 1) * sd) / Math.sqrt(n), median };
}
