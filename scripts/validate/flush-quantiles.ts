/**
 * The FLUSH's spread as measured (`device.flush_quantiles`): the FLUSH
 * level's fdatasyncs as quantiles of a factor of the model's FLUSH time,
 * and the FLUSH's own share of them when the host's speed factor is split
 * off (host-spread.ts).
 *
 * Why not a fitted shape alone: a block trace of the `sweep-fsync1` job
 * shape (2026-12-04, 17:25 UTC; the 3813 of its 4095 msyncs that wrote one
 * block) split each msync into its write, its FLUSH and the kernel's time
 * around them. Drawing the three independently from their own samples gave
 * the msyncs' p50, p90 and p99 within 1 % (160, 190, 1408 µs against 159,
 * 191, 1396); lognormals through each part's p50 and p99 gave 164, 390 and
 * 917 µs, and shifted lognormals through each part's p50, p90 and p99 (the
 * shape of `flush_floor`) 159, 189 and 919 µs: that FLUSH had a tight body
 * (p50 103, p90 124 µs) and stalls past its p99 (850 µs; p99.9 2970 µs)
 * that three quantiles do not place.
 */
import { probit } from 'simple-statistics';
import { quantileOfSorted } from '../measure/cpu-fit.ts';
import { shiftedLognormalShape } from '../../sim/device/service.ts';

/** Points of a table at least (the last at p99.9), and fdatasyncs timed at least for a table. */
export const FLUSH_QUANTILES = 500;
/** Points of a table at most (the last at p99.975). */
export const FLUSH_QUANTILES_MAX = 2000;
/** Fdatasyncs that lie past a table's last point, at least: the table goes no further into the tail than the samples do. */
const TAIL_SAMPLES = 5;

/**
 * Points of the table of `count` fdatasyncs: as many as leave at least
 * {@link TAIL_SAMPLES} of them past the last point, at (n − ½) / n (so
 * count / 10), within {@link FLUSH_QUANTILES} … {@link FLUSH_QUANTILES_MAX}.
 * Each FLUSH draws its factor between the table's points, and none beyond
 * its last: a table of 500 points stops at the p99.9, and a FLUSH level
 * whose stalls are rarer than that had them cut off at its last point (on
 * the development machine, 2026-12-05: FLUSHes of 1.0–16.6 ms in 28 of
 * 12,285 traced msyncs of one page each, in spells, against a median of
 * 93 µs, and none over 426 µs in 4,095 traced fdatasyncs of the probe).
 */
export function tablePoints(count: number): number {
  return Math.min(FLUSH_QUANTILES_MAX, Math.max(FLUSH_QUANTILES, Math.floor(count / (2 * TAIL_SAMPLES))));
}

/** `n` quantiles of `xs` at (i + ½) / n, i = 0 … n − 1 (interpolated, type 7): the distribution of `xs` at a fixed weight. */
export function evenQuantiles(xs: readonly number[], n: number): number[] {
  const s = [...xs].sort((a, b) => a - b);
  return Array.from({ length: n }, (_, i) => quantileOfSorted(s, (i + 0.5) / n));
}

/**
 * `device.flush_quantiles` from the FLUSH level's fdatasyncs `us` (µs; after
 * one 4k write each), `count` of them timed (`us` may be a pool of even
 * quantiles standing for them): their {@link tablePoints}(count) quantiles,
 * each less one write's destage `destageUs` (which the model adds to the
 * FLUSH unscaled), over `flushUs`, so that the model's FLUSH after one
 * write, `flush_us` × a factor drawn from the table + the destage, has the
 * level's quantiles. 4 decimals; empty (no table) when fewer than
 * {@link FLUSH_QUANTILES} fdatasyncs were timed, `flushUs` is not positive,
 * or the table's median point would be 0 (half the fdatasyncs took no longer
 * than one write's destage: nothing of a fixed cost is left to draw a factor
 * for, and the empty FLUSH, priced over the table's median, would have none).
 */
export function flushQuantiles(us: readonly number[], count: number, flushUs: number, destageUs: number): number[] {
  if (count < FLUSH_QUANTILES || us.length === 0 || !(flushUs > 0)) return [];
  const table = evenQuantiles(us, tablePoints(count)).map((x) => round4(Math.max(0, x - destageUs) / flushUs));
  return tableMedian(table) > 0 ? table : [];
}

/** Points of the host's factor in {@link ownQuantiles}' products. */
const HOST_POINTS = 200;
/** Rounds of {@link ownQuantiles}' fixed point. */
const OWN_ROUNDS = 12;

/**
 * The host's speed factor as the simulator draws it (`host_cv` above the
 * floor `host_floor`; sim/device/service.ts, shiftedLognormal): its
 * quantiles at (j + ½) / m.
 */
export function hostFactorQuantiles(cv: number, floor: number, m: number): number[] {
  const { base, mu, sigma } = shiftedLognormalShape(1, cv, floor);
  return Array.from({ length: m }, (_, j) => base + Math.exp(mu + sigma * probit((j + 0.5) / m)));
}

/**
 * The FLUSH's own share of the table `q` when the host's speed factor
 * (`hostCv` above `hostFloor`) also multiplies each FLUSH: the table whose
 * product with that factor, drawn independently, has the quantiles of `q`
 * (the FLUSH as measured). A fixed point: from `q`, each round takes the
 * quantiles of every point times every one of {@link HOST_POINTS} quantiles
 * of the factor, multiplies each point by the measured quantile over that
 * one, and sorts. 4 decimals; `q` itself when the host has no spread.
 */
export function ownQuantiles(q: readonly number[], hostCv: number, hostFloor: number): number[] {
  if (q.length === 0 || !(hostCv > 0)) return [...q];
  const host = hostFactorQuantiles(hostCv, hostFloor, HOST_POINTS);
  const n = q.length;
  let own = Float64Array.from(q);
  const prod = new Float64Array(n * HOST_POINTS);
  for (let round = 0; round < OWN_ROUNDS; round++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < HOST_POINTS; j++) prod[i * HOST_POINTS + j] = own[i]! * host[j]!;
    prod.sort();
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const at = prod[Math.min(prod.length - 1, Math.floor(((i + 0.5) / n) * prod.length))]!;
      next[i] = at > 0 ? (own[i]! * q[i]!) / at : q[i]!;
    }
    own = next.sort();
  }
  return Array.from(own, round4);
}

/** The median point of a non-empty table (its point at index ⌊n / 2⌋). */
export function tableMedian(q: readonly number[]): number {
  return q[Math.floor(q.length / 2)]!;
}

/** A table in a few words, for reports: its size, its median and its last point (or "none"). */
export function quantilesText(q: readonly number[]): string {
  return q.length === 0 ? 'none' : `${q.length} quantiles, median ${tableMedian(q)}, last ${q.at(-1)}`;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
