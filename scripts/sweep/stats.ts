/**
 * Summary statistics of the replications of one grid point: n, mean, sample standard deviation,
 * the half-width of the 95 % confidence interval of the mean (Student t), and the median.
 */
import { tQuantile } from './student-t.ts';

/** Statistics of one metric at one grid point; null where undefined (sd and ci95 need n >= 2). */
export interface PointStats {
  n: number;
  mean: number | null;
  sd: number | null;
  ci95: number | null;
  median: number | null;
}

/** Statistics of `values` (nulls, i.e. runs without a value, are left out of n). */
export function pointStats(values: readonly (number | null)[]): PointStats {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, ci95: null, median: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  if (n === 1) return { n, mean, sd: null, ci95: null, median };
  // every replication gave one value: that value, spread 0 (the sum's rounding would leave 1.4400000000000002 and an sd of 3e-16)
  if (sorted[0] === sorted[n - 1]) return { n, mean: sorted[0]!, sd: 0, ci95: 0, median };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  return { n, mean, sd, ci95: tQuantile(0.975, n - 1) * (sd / Math.sqrt(n)), median };
}
