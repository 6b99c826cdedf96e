/**
 * What the two validation figures (validation-cdf, one job; validation-grid,
 * every job) share: the names and looks of their curves, each measured run a
 * curve of its own in one blue with a dash of its own and the simulated seeds
 * pooled in one orange, and the steps of the tail view (the fraction of msyncs
 * slower than a latency, 1 − F, on a log axis), thinned so that the tail keeps
 * its detail.
 */
import { CONFIG_PALETTE } from '../theme.ts';

/** Colour of the measured runs (the palette's blue) and of the simulated curve (its vermilion). */
export const MEASURED_COLOR = CONFIG_PALETTE[0]!;
export const SIMULATED_COLOR = CONFIG_PALETTE[1]!;

/** Dashes of measured runs 1, 2, 3, … (solid, dashed, dotted, dash-dot, then again); the simulated curve is solid. */
export const RUN_DASHES: readonly (readonly number[])[] = [[1, 0], [4, 2], [1.5, 1.5], [6, 2, 1.5, 2]];

/** The legend names of `runs` measured runs: `measured`, or `measured, run 1`, `measured, run 2`, … when there are several. */
export function runLabels(measured: string, runs: number): string[] {
  return runs <= 1 ? [measured] : Array.from({ length: runs }, (_, i) => `${measured}, run ${i + 1}`);
}

/**
 * The colour and dash scales of the curves `runs` (their labels, from {@link runLabels}) and `simulated`:
 * every run the same blue with its own dash, the simulated curve orange and solid.
 */
export function curveScales(runs: readonly string[], simulated: string): { color: { domain: string[]; range: string[] }; dash: { domain: string[]; range: number[][] } } {
  const domain = [...runs, simulated];
  return {
    color: { domain, range: [...runs.map(() => MEASURED_COLOR), SIMULATED_COLOR] },
    dash: { domain, range: [...runs.map((_, i) => [...RUN_DASHES[i % RUN_DASHES.length]!]), [1, 0]] },
  };
}

/** One step of a tail curve: the fraction of msyncs slower than latency_us (1 − F), > 0. */
export interface TailStep {
  series: string;
  latency_us: number;
  slower: number;
}

/** The index just past the last copy of `sorted[i]` in ascending `sorted` (a binary search from `i`). */
export function pastLastCopy(sorted: Float64Array, i: number): number {
  let lo = i, hi = sorted.length;
  const v = sorted[i]!;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The complementary ECDF (1 − F) of ascending `sorted` at its positive values, for a log y axis:
 * steps at about `maxPoints` levels, half of them evenly spaced in F (the body) and half evenly
 * spaced in log(1 − F) down to 1/n (the tail, which even spacing in F would leave with a few
 * points); it starts at the fastest positive msync with the share of msyncs not faster than it,
 * and ends at the slowest with the level the one before it left (1 − F is 0 there, which a log
 * axis cannot draw), so that its last step reaches the slowest msync.
 */
export function tailSteps(sorted: Float64Array, series: string, maxPoints = 400): TailStep[] {
  const n = sorted.length;
  const firstPos = sorted.findIndex((v) => v > 0);
  if (firstPos < 0) return [];
  const upper = (i: number) => pastLastCopy(sorted, i);
  const positives = n - firstPos;
  const half = Math.max(1, Math.floor(maxPoints / 2));
  const picks = new Set<number>();
  for (let s = 1; s <= Math.min(half, positives); s++) picks.add(firstPos + Math.ceil((s * positives) / Math.min(half, positives)) - 1);
  const decades = Math.log10(n);
  for (let s = 0; s <= half; s++) {
    // the first sample at or past F = 1 − 10^(−decades · s / half)
    const slower = 10 ** (-(decades * s) / half);
    picks.add(Math.max(firstPos, Math.min(n - 1, Math.ceil(n * (1 - slower) - 1e-9) - 1)));
  }
  const out: TailStep[] = [{ series, latency_us: sorted[firstPos]!, slower: 1 - firstPos / n }];
  let last = -1;
  for (const i of [...picks].sort((a, b) => a - b)) {
    const end = upper(i);
    if (end - 1 <= last) continue;
    last = end - 1;
    if (end < n) out.push({ series, latency_us: sorted[i]!, slower: (n - end) / n });
  }
  const slowest = sorted[n - 1]!;
  const tail = out[out.length - 1]!;
  if (tail.latency_us < slowest) out.push({ series, latency_us: slowest, slower: tail.slower });
  return out;
}

/** The power of ten at or below `v` (> 0), exact (`10 ** -4` is 0.00009999999999999999). */
export function decadeBelow(v: number): number {
  return Number(`1e${Math.floor(Math.log10(v) + 1e-9)}`);
}
