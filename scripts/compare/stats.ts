/**
 * The statistics of `syncsim compare`: bootstrap confidence intervals of a
 * difference and a ratio of means (paired by seed when both sides have the
 * same seeds), and the Mann–Whitney U test of two latency distributions.
 * Randomness is a seeded stream (the model's own RandomStream), so a
 * comparison is reproducible.
 */
import { turn } from '../../traces/turn.ts';
import { RandomStream } from '../../sim/engine/random.ts';
import { pointStats } from '../sweep/stats.ts';
import { tQuantile } from '../sweep/student-t.ts';
import { resampleBlocks } from './block-length.ts';

const mean = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / v.length;
};

/** The `q` quantile (0..1) of ascending `sorted`, linear between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** A difference and a ratio of `stat(B)` over `stat(A)`, each with a percentile-bootstrap CI. */
export interface Contrast {
  a: number;
  b: number;
  diff: number;
  ratio: number | null;
  /** [low, high] of the CI (null when there is nothing to resample: one value per side). */
  diff_ci: [number, number] | null;
  ratio_ci: [number, number] | null;
  /** How the CI was drawn: `paired seeds`, `independent seeds`, `msyncs`, `msyncs in blocks of A/B` (see {@link bootstrapContrast}'s `blocks`), `msyncs paired` (`… in blocks of N`: `pairBlock`) or `none`; `…, Student t (n < 5)` for a mean of too few to resample, `…, too few to resample (n < 5)` (no CI) for another statistic. */
  resampled: string;
}

/**
 * Bounds of a bootstrap's resample count, the same for `run --ci-reps`, the
 * library's `ci.reps` and `compare --reps`: below 10 the percentile interval
 * is read off one or two resamples (one resample gives [x, x], a value of
 * one resampled difference that need not lie anywhere near the estimate).
 */
export const BOOTSTRAP_REPS = { min: 10, max: 1_000_000 } as const;

/**
 * Values a side (pairs when paired) below which the difference's CI is
 * Student t's, not a bootstrap's: a percentile bootstrap of two or three
 * seeds can only return values between the few differences seen, far
 * narrower than their uncertainty (two seeds: the range of the two
 * differences, where t gives about 13 times its half-width); and the ratio
 * then has none. A statistic other than the mean (a quantile) then has no
 * CI at all.
 */
export const MIN_RESAMPLE = 5;

/**
 * The `level` CI of mean(b) − mean(a) by Student t (pure): of the paired
 * differences when `paired`, else Welch's, with the Welch–Satterthwaite
 * degrees of freedom; null when it has no spread to scale.
 */
export function tInterval(a: Float64Array, b: Float64Array, paired: boolean, level: number): [number, number] | null {
  const p = 1 - (1 - level) / 2;
  // the sweep tables' statistics of each side (or of the paired differences): mean and sample sd
  let center: number, se: number, df: number;
  if (paired) {
    const d = pointStats(Array.from(b, (x, i) => x - a[i]!));
    center = d.mean!;
    se = d.sd! / Math.sqrt(d.n);
    df = d.n - 1;
  } else {
    const sa = pointStats(Array.from(a)), sb = pointStats(Array.from(b));
    const va = sa.sd! ** 2 / sa.n, vb = sb.sd! ** 2 / sb.n;
    center = sb.mean! - sa.mean!;
    se = Math.sqrt(va + vb);
    df = (va + vb) ** 2 / (va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1));
  }
  if (se === 0) return [center, center];
  if (!(se > 0) || !(df > 0)) return null;
  const h = tQuantile(p, df) * se;
  return [center - h, center + h];
}

/**
 * Bootstrap of stat(B) − stat(A) and stat(B) / stat(A), `reps` resamples:
 * `paired` resamples pair indices (a[i] with b[i]), in circular blocks of
 * `pairBlock` consecutive pairs when given; otherwise each side is
 * resampled on its own, in circular blocks of `blocks` values (A's, B's;
 * default 1 each: value by value) when the values are series in time order
 * whose neighbours move together (scripts/compare/block-length.ts); the
 * label then says `in blocks of A/B` when either is above 1. Percentile interval at `level` (e.g. 0.95); none
 * (`resampled: 'none'`) when a side has fewer than two values. A statistic
 * other than the mean gets none below `minN` values a side (at least
 * {@link MIN_RESAMPLE}): a tail quantile of fewer than 1 / (1 − q) values
 * is the sample's largest, and resampling it says nothing of its spread.
 */
export function bootstrapContrast(a: Float64Array, b: Float64Array, stat: (v: Float64Array) => number, opts: ContrastOptions): Contrast {
  const slices = contrastSlices(a, b, stat, opts);
  for (;;) {
    const x = slices.next();
    if (x.done) return x.value;
  }
}

/** {@link bootstrapContrast}, letting the event loop run between slices of resamples, so that a long one (many msyncs, many reps) still answers Ctrl-C and SIGTERM. */
export function bootstrapContrastYielding(a: Float64Array, b: Float64Array, stat: (v: Float64Array) => number, opts: ContrastOptions): Promise<Contrast> {
  return yieldingBetween(contrastSlices(a, b, stat, opts));
}

/** Runs `slices` (work that pauses at each `yield`) to its end, letting the event loop run at each pause. */
async function yieldingBetween<T>(slices: Generator<void, T>): Promise<T> {
  for (;;) {
    const x = slices.next();
    if (x.done) return x.value;
    await turn();
  }
}

/** The options of {@link bootstrapContrast}. */
export interface ContrastOptions {
  paired: boolean;
  reps: number;
  level: number;
  seed: number;
  label: string;
  minN?: number;
  /** Unpaired: the block length each side's values are resampled in (A's, B's; default 1 each). */
  blocks?: readonly [number, number];
  /**
   * Paired: the block length the pairs are resampled in, consecutive pairs together (default 1:
   * pair by pair), when the pairs are a series in time whose differences' neighbours move
   * together; the label then says `in blocks of N` when above 1.
   */
  pairBlock?: number;
  /**
   * Told how far the resampling is: resamples drawn of `total` (the reps), each time the work
   * pauses (about every {@link SLICE_SAMPLES} resampled values) and once at its end. Not told
   * when there is nothing to resample (no CI, or Student t's).
   */
  onProgress?: (done: number, total: number) => void;
}

/** {@link bootstrapContrast}'s work, pausing (a `yield`) after about {@link SLICE_SAMPLES} resampled values. */
function* contrastSlices(a: Float64Array, b: Float64Array, stat: (v: Float64Array) => number, opts: ContrastOptions): Generator<void, Contrast> {
  if (!(Number.isInteger(opts.reps) && opts.reps >= BOOTSTRAP_REPS.min && opts.reps <= BOOTSTRAP_REPS.max)) {
    throw new RangeError(`bootstrap reps must be a whole number from ${BOOTSTRAP_REPS.min} to ${BOOTSTRAP_REPS.max} (got ${String(opts.reps)})`);
  }
  const sa = stat(a), sb = stat(b);
  const base = { a: sa, b: sb, diff: sb - sa, ratio: sa !== 0 ? sb / sa : null };
  // a side of one value has no spread to resample: an interval from the other side's alone would claim a certainty it has not
  if (opts.paired ? a.length < 2 : a.length < 2 || b.length < 2) return { ...base, diff_ci: null, ratio_ci: null, resampled: 'none' };
  const n = opts.paired ? a.length : Math.min(a.length, b.length);
  // a mean has Student t below 5; a quantile below its own least n has no interval worth giving (a bootstrap's would be far too narrow)
  if (stat === meanStat && n < MIN_RESAMPLE) return { ...base, diff_ci: tInterval(a, b, opts.paired, opts.level), ratio_ci: null, resampled: `${opts.label}, Student t (n < ${MIN_RESAMPLE})` };
  const least = Math.max(MIN_RESAMPLE, opts.minN ?? 0);
  if (stat !== meanStat && n < least) return { ...base, diff_ci: null, ratio_ci: null, resampled: `${opts.label}, too few to resample (n < ${least})` };
  const [blockA, blockB] = opts.paired ? [1, 1] : opts.blocks ?? [1, 1];
  const pairBlock = opts.paired ? opts.pairBlock ?? 1 : 1;
  const label = pairBlock > 1 ? `${opts.label} in blocks of ${pairBlock}` : blockA > 1 || blockB > 1 ? `${opts.label} in blocks of ${blockA}/${blockB}` : opts.label;
  const stream = new RandomStream(opts.seed, 'compare.bootstrap');
  const u = () => stream.uniform();
  const ra = new Float64Array(a.length), rb = new Float64Array(b.length);
  // paired: the pairs' indices resampled (in blocks of pairBlock; one by one, the same draws as value by value)
  const order = opts.paired ? Float64Array.from(a, (_, i) => i) : null, pick = new Float64Array(order?.length ?? 0);
  const diffs = new Float64Array(opts.reps), ratios: number[] = [];
  const slice = Math.max(1, Math.floor(SLICE_SAMPLES / (a.length + b.length)));
  for (let r = 0; r < opts.reps; r++) {
    if (r > 0 && r % slice === 0) {
      opts.onProgress?.(r, opts.reps);
      yield;
    }
    if (order) {
      resampleBlocks(order, pick, pairBlock, u);
      for (let i = 0; i < a.length; i++) {
        ra[i] = a[pick[i]!]!;
        rb[i] = b[pick[i]!]!;
      }
    } else {
      resampleBlocks(a, ra, blockA, u);
      resampleBlocks(b, rb, blockB, u);
    }
    const x = stat(ra), y = stat(rb);
    diffs[r] = y - x;
    if (x !== 0) ratios.push(y / x);
  }
  opts.onProgress?.(opts.reps, opts.reps);
  diffs.sort();
  const rs = Float64Array.from(ratios).sort();
  const lo = (1 - opts.level) / 2, hi = 1 - lo;
  return {
    ...base,
    diff_ci: [quantile(diffs, lo), quantile(diffs, hi)],
    ratio_ci: rs.length ? [quantile(rs, lo), quantile(rs, hi)] : null,
    resampled: label,
  };
}

/** Resampled values a slice of {@link bootstrapCi} draws before it lets the event loop run (a few tens of ms). */
const SLICE_SAMPLES = 2_000_000;

/**
 * A percentile-bootstrap CI of `stat` over the samples `v`: [low, high] at `level`, `reps`
 * resamples (in circular blocks of `block` samples, default 1: see scripts/compare/block-length.ts),
 * or null with fewer than 2 samples. It lets the event loop run between slices of
 * resamples, so that a long bootstrap (many msyncs, many reps) still answers Ctrl-C and SIGTERM.
 */
export function bootstrapCi(v: Float64Array, stat: (x: Float64Array) => number, opts: { reps: number; level: number; seed: number; block?: number }): Promise<[number, number] | null> {
  return yieldingBetween(ciSlices(v, stat, opts));
}

/** {@link bootstrapCi}'s work, pausing (a `yield`) after about {@link SLICE_SAMPLES} resampled values. */
function* ciSlices(v: Float64Array, stat: (x: Float64Array) => number, opts: { reps: number; level: number; seed: number; block?: number }): Generator<void, [number, number] | null> {
  if (v.length < 2) return null;
  const stream = new RandomStream(opts.seed, 'ci.bootstrap');
  const u = () => stream.uniform();
  const r = new Float64Array(v.length), stats = new Float64Array(opts.reps);
  const slice = Math.max(1, Math.floor(SLICE_SAMPLES / v.length));
  for (let k = 0; k < opts.reps; k++) {
    if (k > 0 && k % slice === 0) yield;
    resampleBlocks(v, r, opts.block ?? 1, u);
    stats[k] = stat(r);
  }
  stats.sort();
  const lo = (1 - opts.level) / 2;
  return [quantile(stats, lo), quantile(stats, 1 - lo)];
}

/** The mean of the values (a bootstrap statistic). */
export const meanStat = (v: Float64Array) => mean(v);

/** Values a side a quantile `q` needs before its bootstrap interval means anything: 1 / (1 − q), so that one value at least lies beyond it (p99: 100), and at least {@link MIN_RESAMPLE}. */
export function leastForQuantile(q: number): number {
  return Math.max(MIN_RESAMPLE, Math.ceil(1 / (1 - q) - 1e-9));
}

/** The `q` quantile of the values (a bootstrap statistic over msyncs). */
export const quantileStat = (q: number) => (v: Float64Array) => quantile(Float64Array.from(v).sort(), q);

/** Standard normal upper tail, P(Z > z) (Abramowitz & Stegun 7.1.26 through erfc). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * Largest n_a × n_b for which {@link mannWhitney} gives the exact p-value (samples without ties):
 * 50 and 50 msyncs, where the normal approximation is already close; a table of n_a × n_b + 1
 * counts, built in about (n_a × n_b)² / 4 additions.
 */
export const MW_EXACT_MAX_PAIRS = 2500;

/**
 * The number of orderings of `n1` values of A among `n2` of B (no ties) in which U, the pairs
 * (a, b) with a > b, is 0, 1, ..., n1 × n2: C(n1 + n2, n1) orderings in all. The recurrence on
 * the largest value: from A it is above all `j` of B (U gains j), from B it adds nothing;
 * N(i, j, u) = N(i − 1, j, u − j) + N(i, j − 1, u). Additions only, so the counts (as doubles,
 * exact below 2^53) keep their relative precision.
 */
export function mannWhitneyCounts(n1: number, n2: number): Float64Array {
  let prev: Float64Array[] = Array.from({ length: n2 + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= n1; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n2; j++) {
      const c = new Float64Array(i * j + 1);
      const fromA = prev[j]!, fromB = cur[j - 1]!;
      for (let k = 0; k < fromA.length; k++) c[k + j] += fromA[k]!;
      for (let k = 0; k < fromB.length; k++) c[k] += fromB[k]!;
      cur.push(c);
    }
    prev = cur;
  }
  return prev[n2]!;
}

/** Two-sided exact p-value of U = `u` (a whole number) for samples of `n1` and `n2` without ties: twice the smaller tail, at most 1. */
export function mannWhitneyExactP(u: number, n1: number, n2: number): number {
  const counts = mannWhitneyCounts(Math.min(n1, n2), Math.max(n1, n2)); // U's law is the same either way round
  let total = 0, below = 0, above = 0;
  for (let k = 0; k < counts.length; k++) {
    total += counts[k]!;
    if (k <= u) below += counts[k]!;
    if (k >= u) above += counts[k]!;
  }
  return Math.min(1, (2 * Math.min(below, above)) / total);
}

/**
 * Two-sided Mann–Whitney U test of `a` against `b`: U of `a` (pairs a > b, ties counting
 * half) and the p-value. Exact (`method: 'exact'`, the distribution of U over all orderings)
 * for samples without ties and n_a × n_b ≤ {@link MW_EXACT_MAX_PAIRS}; otherwise the normal
 * approximation (`'normal'`) with tie-corrected variance and continuity correction (p = 1 when
 * both samples are constant and equal). `z` is the normal approximation's statistic either way.
 */
export function mannWhitney(a: ArrayLike<number>, b: ArrayLike<number>): { u: number; z: number; p: number; method: 'exact' | 'normal' } {
  const n1 = a.length, n2 = b.length;
  const all: { v: number; s: 0 | 1 }[] = [];
  for (let i = 0; i < n1; i++) all.push({ v: a[i]!, s: 0 });
  for (let i = 0; i < n2; i++) all.push({ v: b[i]!, s: 1 });
  all.sort((x, y) => x.v - y.v);
  let rankSumA = 0, tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.v === all[i]!.v) j++;
    const rank = (i + 1 + j) / 2; // ranks i+1 .. j share their mean
    for (let k = i; k < j; k++) if (all[k]!.s === 0) rankSumA += rank;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const d = u - mu;
  const z = variance > 0 ? (d - Math.sign(d) * 0.5) / Math.sqrt(variance) : 0;
  if (tieTerm === 0 && n1 > 0 && n2 > 0 && n1 * n2 <= MW_EXACT_MAX_PAIRS) return { u, z, p: mannWhitneyExactP(u, n1, n2), method: 'exact' };
  if (!(variance > 0)) return { u, z: 0, p: 1, method: 'normal' };
  return { u, z, p: Math.min(1, 2 * normalTail(Math.abs(z))), method: 'normal' };
}
