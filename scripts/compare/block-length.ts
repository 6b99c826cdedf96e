/**
 * How long a block a bootstrap of a time series must resample so that its
 * intervals account for values that are not independent: the msyncs of one
 * run, in the order they completed, are such a series (an msync queued
 * behind a slow one is slow too; one that wrote everything leaves the next
 * little to do). Resampling them one by one, as if independent, gives
 * intervals too narrow when neighbours are alike, too wide when they
 * alternate.
 */
import { turn } from '../../traces/turn.ts';

/** Lags whose autocorrelations must all be insignificant to take a series as independent (Politis 2003, K_N; at least 5). */
const QUIET_LAGS = 5;

/** The multiple of √(log10 n / n) above which an autocorrelation counts as significant (Politis 2003, c = 2). */
const SIGNIFICANT_C = 2;

/** Fewest values for which a block length is estimated: shorter series are resampled value by value. */
export const BLOCK_MIN_VALUES = 20;

/** The flat-top lag window of Politis & Romano: 1 up to half the bandwidth, falling linearly to 0 at it. */
function flatTop(t: number): number {
  const a = Math.abs(t);
  return a < 0.5 ? 1 : a <= 1 ? 2 * (1 - a) : 0;
}

/**
 * The lag-k autocovariances of `x` about its mean (divided by n), computed
 * as they are asked for, so that a series whose dependence ends early costs
 * O(n × the lags looked at), not O(n^1.5).
 */
class Autocovariance {
  private readonly mean: number;
  private readonly cache: number[] = [];
  constructor(private readonly x: ArrayLike<number>) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]!;
    this.mean = s / x.length;
  }
  /** Whether lag k is already computed. */
  has(k: number): boolean {
    return this.cache[k] !== undefined;
  }
  /** The lag-k autocovariance. */
  at(k: number): number {
    const hit = this.cache[k];
    if (hit !== undefined) return hit;
    const { x, mean } = this;
    let s = 0;
    for (let i = 0; i + k < x.length; i++) s += (x[i]! - mean) * (x[i + k]! - mean);
    return (this.cache[k] = s / x.length);
  }
}

/** How a bootstrap resamples one series: its block length, and whether its values were found dependent. */
export interface BlockPlan {
  /** Whole values a block holds (1: one by one). */
  block: number;
  /**
   * Whether one of the first five autocorrelations is significant: the values are not independent
   * (positively, neighbours alike, or negatively, neighbours alternating), even when the block
   * length rounds to 1 because lags of both signs cancel in it.
   */
  dependent: boolean;
  /**
   * Whether every value is the same (and there are two or more): such a series has no spread,
   * hence no autocorrelation to estimate (taken as independent, block 1); every resample of it
   * is that value.
   */
  constant: boolean;
}

/** Multiply-adds of autocovariance {@link blockPlan} does before it lets the event loop run (a few tens of ms). */
const SLICE_WORK = 20_000_000;

/**
 * How a circular block bootstrap of the series `x` (in time order)
 * resamples it. A constant series is taken as it is ({@link BlockPlan.constant}). The screen for dependence is conservative, taken from
 * Politis's bandwidth rule (2003), not a 5 % test: the values are taken as
 * independent (block 1, `dependent` false) when none of their first five
 * autocorrelations reaches 2 √(log10 n / n) (z ≈ 2.8 at 100 values, 3.5 at
 * 1,000, 4.5 at 100,000), or when there are fewer than
 * {@link BLOCK_MIN_VALUES}. Otherwise the block is the estimate of Politis &
 * White (2004, "Automatic block-length selection for the dependent
 * bootstrap", Econometric Reviews 23(1)) for the circular bootstrap, as
 * corrected by Patton, Politis & White (2009, Econometric Reviews 28(4)):
 * b = (2 G² / D)^(1/3) n^(1/3), with G = Σ λ(k/M) |k| R(k) and
 * D = 4/3 (Σ λ(k/M) R(k))² over lags |k| ≤ M, R the autocovariances, λ the
 * flat-top window, and M = 2 m̂ (at most ⌈√n⌉ + 5), m̂ the first lag from
 * which five autocorrelations in a row (m̂ .. m̂ + 4) are insignificant;
 * rounded, at least 1, at most ⌈min(3 √n, n / 3)⌉. Its cost is n times the
 * lags it looks at (up to √n + 5 when the dependence never dies out), so it
 * lets the event loop run between slices of that work, and a long one still
 * answers Ctrl-C.
 */
export async function blockPlan(x: ArrayLike<number>): Promise<BlockPlan> {
  const n = x.length;
  if (n >= 2 && isConstant(x)) return { block: 1, dependent: false, constant: true };
  const independent = { block: 1, dependent: false, constant: false };
  if (n < BLOCK_MIN_VALUES) return independent;
  const acv = new Autocovariance(x);
  const r0 = acv.at(0);
  if (!(r0 > 0)) return independent; // a non-finite value: nothing to tell
  const threshold = SIGNIFICANT_C * Math.sqrt(Math.log10(n) / n);
  const kn = Math.max(QUIET_LAGS, Math.ceil(Math.sqrt(Math.log10(n))));
  const mmax = Math.min(n - 1, Math.ceil(Math.sqrt(n)) + kn);
  let work = 0;
  const at = async (k: number) => {
    if (!acv.has(k) && (work += n) > SLICE_WORK) {
      work = 0;
      await turn();
    }
    return acv.at(k);
  };
  // the first lag m (from 1) at which m .. m + kn − 1 are all insignificant: the dependence has ended before m
  let mhat = -1, lastSignificant = 0;
  for (let m = 1; m + kn - 1 <= mmax && mhat < 0; m++) {
    let quiet = true;
    for (let k = m; k < m + kn; k++) {
      if (Math.abs((await at(k)) / r0) >= threshold) {
        quiet = false;
        lastSignificant = Math.max(lastSignificant, k);
        m = k; // no start at or before k can be quiet
        break;
      }
    }
    if (quiet) mhat = m;
  }
  if (mhat === 1) return independent;
  if (mhat < 0) mhat = Math.max(1, lastSignificant);
  const bw = Math.min(2 * mhat, mmax);
  let g = 0, s = r0;
  for (let k = 1; k <= bw; k++) {
    const w = flatTop(k / bw) * (await at(k));
    g += 2 * k * w;
    s += 2 * w;
  }
  const d = (4 / 3) * s * s;
  if (!(d > 0)) return { block: 1, dependent: true, constant: false };
  const b = Math.cbrt((2 * g * g) / d) * Math.cbrt(n);
  const cap = Math.ceil(Math.min(3 * Math.sqrt(n), n / 3));
  return { block: Math.max(1, Math.min(cap, Math.round(b))), dependent: true, constant: false };
}

/**
 * Whether every value of `x` is the same. Tested as such, not from the autocovariance: the mean
 * of equal values is not always that value in floating point, so a constant series has a
 * variance of rounding errors (1e-33 for forty msyncs of 1.44 µs) whose autocorrelations are
 * noise, and would be found dependent.
 */
export function isConstant(x: ArrayLike<number>): boolean {
  const v = x[0];
  for (let i = 1; i < x.length; i++) if (x[i] !== v) return false;
  return true;
}

/**
 * Fills `out` (its whole length) with a circular block resample of `src`:
 * blocks of `block` consecutive values (wrapping past the end), each from a
 * start drawn by `u` (uniform in [0, 1)), the last block cut to fit. With
 * `block` 1 it draws one value per place, as an ordinary bootstrap does,
 * with the same draws.
 */
export function resampleBlocks(src: ArrayLike<number>, out: Float64Array, block: number, u: () => number): void {
  const n = src.length;
  for (let i = 0; i < out.length;) {
    let k = Math.floor(u() * n);
    const end = Math.min(out.length, i + block);
    for (; i < end; i++) {
      out[i] = src[k]!;
      if (++k === n) k = 0;
    }
  }
}
