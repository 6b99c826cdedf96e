/**
 * The real system's own run-to-run noise: the same fio job run several times
 * never gives the same latency distribution twice, so a model's distance from
 * the measurements means something only beside the distance between the
 * measurements themselves.
 *
 * - noise floor: the demerit between every pair of measured runs, each pair
 *   taken both ways (each run in turn the reference whose mean normalises the
 *   RMS horizontal distance) and averaged, then averaged over the pairs;
 * - noise ratio: the model's demerit against the pooled runs divided by that
 *   floor (1 = the model is as close to the kernel as the kernel to itself);
 * - quantile noise: how far apart the runs' own p50s and p99s are, each run
 *   in turn the reference (|other − run| / run), both ways averaged, then
 *   averaged over the pairs: how far the kernel is from itself at the
 *   quantiles the targets judge. Not the same test as the model's, which is
 *   held to the runs pooled (a pool lies between its runs), so a yardstick
 *   beside the 20 % the targets allow, not a bound.
 */
import { demerit, percentile, sortedCopy } from './demerit.ts';

/** The demerit between two measured runs (both ascending), averaged over both directions. */
export function pairDemerit(a: Float64Array, b: Float64Array): number {
  return (demerit(a, b).demerit_pct + demerit(b, a).demerit_pct) / 2;
}

/** One pair of runs and their demerit. */
export interface RunPair {
  /** Run numbers, from 1. */
  a: number;
  b: number;
  demerit_pct: number;
  /** How far apart the two runs' p50s are ({@link quantileNoise}), %; absent in reports of versions before it. */
  p50_noise_pct?: number;
  /** The same for their p99s. */
  p99_noise_pct?: number;
}

/**
 * How far apart two runs (both ascending) are at quantile `q`, in %: each
 * run's value taken as the reference in turn, |b − a| / a and |a − b| / b,
 * averaged (0 when both are 0).
 */
export function quantileNoise(a: Float64Array, b: Float64Array, q: number): number {
  const x = percentile(a, q), y = percentile(b, q);
  if (x === y) return 0;
  const rel = (ref: number) => (ref > 0 ? (100 * Math.abs(x - y)) / ref : Infinity);
  return (rel(x) + rel(y)) / 2;
}

/** The noise between measured runs: the demerit floor and the p50 and p99 noise, each the mean over the pairs (null with fewer than two runs). */
export interface RunNoise {
  noise_floor_pct: number | null;
  p50_noise_pct: number | null;
  p99_noise_pct: number | null;
  pairs: RunPair[];
}

/** The noise between `runs` (each ascending, none empty): null figures with fewer than two runs. */
export function noiseFloor(runs: readonly Float64Array[]): RunNoise {
  const pairs: RunPair[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const a = runs[i]!, b = runs[j]!;
      pairs.push({ a: i + 1, b: j + 1, demerit_pct: pairDemerit(a, b), p50_noise_pct: quantileNoise(a, b, 0.5), p99_noise_pct: quantileNoise(a, b, 0.99) });
    }
  }
  const meanOf = (f: (p: RunPair) => number) => (pairs.length ? pairs.reduce((s, p) => s + f(p), 0) / pairs.length : null);
  return { noise_floor_pct: meanOf((p) => p.demerit_pct), p50_noise_pct: meanOf((p) => p.p50_noise_pct!), p99_noise_pct: meanOf((p) => p.p99_noise_pct!), pairs };
}

/** demerit ÷ noise floor; null when there is no floor or it is 0. */
export function noiseRatio(demeritPct: number, noiseFloorPct: number | null): number | null {
  return noiseFloorPct !== null && noiseFloorPct > 0 ? demeritPct / noiseFloorPct : null;
}

/** Every run's samples in one ascending array. */
export function pooled(runs: readonly ArrayLike<number>[]): Float64Array {
  const n = runs.reduce((s, r) => s + r.length, 0);
  const out = new Float64Array(n);
  let at = 0;
  for (const r of runs) for (let i = 0; i < r.length; i++) out[at++] = r[i]!;
  return sortedCopy(out);
}
