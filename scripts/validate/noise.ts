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
 *   floor (1 = the model is as close to the kernel as the kernel to itself).
 */
import { demerit, sortedCopy } from './demerit.ts';

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
}

/** The noise floor of `runs` (each ascending): null with fewer than two runs. */
export function noiseFloor(runs: readonly Float64Array[]): { noise_floor_pct: number | null; pairs: RunPair[] } {
  const pairs: RunPair[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) pairs.push({ a: i + 1, b: j + 1, demerit_pct: pairDemerit(runs[i]!, runs[j]!) });
  }
  const noise = pairs.length ? pairs.reduce((s, p) => s + p.demerit_pct, 0) / pairs.length : null;
  return { noise_floor_pct: noise, pairs };
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
