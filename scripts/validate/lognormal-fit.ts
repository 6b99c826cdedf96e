/**
 * Lognormal spreads from quantiles: the cv of a command's latency (through
 * p50 and p99) and the FLUSH's spread, a floor and a lognormal through its
 * p50, p90 and p99 (else the lognormal through p50 and p99), with its mean
 * over its median, as calibration fits them (fit.ts, flush-level.ts).
 */
import { FLOOR_MAX } from '../../sim/config.ts';

/** The 90th percentile of the standard normal: a lognormal's p90 / p50 = e^(σ · Z90). */
export const Z90 = 1.2815515655446004;
/** The 99th percentile of the standard normal: a lognormal's p99 / p50 = e^(σ · Z99). */
export const Z99 = 2.3263478740408408;

/**
 * The cv of the lognormal through a median `p50Us` and an upper quantile
 * `upperUs` at `z` standard deviations (Z90, Z99): σ = ln(upper / p50) / z,
 * cv = √(e^σ² − 1), rounded to 3 decimals. 0 when a quantile is missing or
 * upper ≤ p50; at most {@link FLUSH_CV_MAX}.
 */
export function lognormalCv(p50Us: number | null, upperUs: number | null, z: number): number {
  if (p50Us === null || upperUs === null || !(p50Us > 0) || !(upperUs > p50Us)) return 0;
  const sigma = Math.log(upperUs / p50Us) / z;
  // at most 100, the key's limit: the cv grows as e^(σ²/2), so an upper quantile a few hundred times the p50 (a probe of stalls) would pass it
  return Math.min(FLUSH_CV_MAX, Math.round(Math.sqrt(Math.expm1(sigma * sigma)) * 1000) / 1000);
}

/**
 * The spread of a command's latency as a lognormal's cv, from the median and
 * the 99th percentile of a latency step ({@link lognormalCv} at Z99), as for
 * a FLUSH ({@link flushCv}): quantiles, not the standard deviation, which a
 * few stalls dominate; the 99th, not the 90th (until 2026-12-04), since the
 * host's I/O has a longer tail than the lognormal through its p90 (one
 * calibration's 4 KiB writes: p50 45.8, p90 48.4, p99 70.1 µs; σ 0.043 from
 * the p90, 0.183 from the p99), the split of the host's share (`host_cv`) is
 * bounded by this spread, and the validation judges p99. Paired replays of
 * the three validations of 2026-12-04 10:35–10:46 UTC: summed demerit 1059.0
 * → 1030.7 %, jobs meeting the targets 6 → 9 of 30.
 */
export function latencyCv(p50Us: number | null, p99Us: number | null): number {
  return lognormalCv(p50Us, p99Us, Z99);
}

/**
 * The spread of a FLUSH's time as the cv of a lognormal, from the median and
 * the 99th percentile of the FLUSH level's fdatasync times ({@link
 * lognormalCv} at Z99). The 99th, not the 90th: a msync's tail is its
 * FLUSH's, the host's FLUSH has a longer tail than the lognormal through its
 * p90 (one session: p50 186, p90 252, p99 367 µs, where that lognormal puts
 * the p99 at 326), and the validation judges p99. Replaying the three
 * validations of 2026-12-03 09:14–09:30 UTC with the p99 fit lowered the
 * demerit of 25 of their 30 jobs and brought 28 p99s closer.
 */
export function flushCv(p50Us: number | null, p99Us: number | null): number {
  return lognormalCv(p50Us, p99Us, Z99);
}

/** The largest floor a fit gives: the configuration's limit for device.flush_floor and the other floors. */
export { FLOOR_MAX };

/** The largest flush_cv calibration writes (the configuration's limit for device.flush_cv). */
export const FLUSH_CV_MAX = 100;

/**
 * A spread as the model draws it (sim/device/service.ts, shiftedLognormal):
 * `floor` × the mean never varies, the rest is a lognormal; the whole has
 * coefficient of variation `cv`. `meanOverP50` is its mean over its median.
 */
export interface FloorSpread {
  cv: number;
  floor: number;
  meanOverP50: number;
}

/**
 * The shifted lognormal, x = c + e^(μ + σZ), through three quantiles: the
 * median, the p90 and the p99 (null when they do not fit one: no p90 or
 * p99, p90 ≤ p50, or p99 / p50 not above what the p90 with σ → 0 allows).
 * The host's times have a tight body and a long tail: one session's FLUSH
 * level p50 110, p90 139, p99 227 µs; the lognormal through the p50 and the
 * p99 puts the p10 at 0.67 × the median, the msyncs measured had theirs at
 * 0.87–0.97 (docs/configuration.md, "A tight body and a long tail"). With the median
 * normalised to 1, r90 = 1 − a + a e^(σ Z90) and r99 = 1 − a + a e^(σ Z99):
 * (r99 − 1) / (r90 − 1) gives σ (bisection, the ratio grows with σ), then a.
 */
export function shiftedSpread(p50Us: number | null, p90Us: number | null, p99Us: number | null): FloorSpread | null {
  if (p50Us === null || p90Us === null || p99Us === null || !(p50Us > 0) || !(p90Us > p50Us) || !(p99Us > p90Us)) return null;
  const r90 = p90Us / p50Us, r99 = p99Us / p50Us;
  const target = (r99 - 1) / (r90 - 1);
  const ratio = (s: number) => Math.expm1(Z99 * s) / Math.expm1(Z90 * s);
  let lo = 1e-6, hi = 8;
  // the ratio's least value (σ → 0) is Z99 / Z90: a tail no longer than the lognormal's has no floor
  if (!(ratio(lo) < target) || !(ratio(hi) > target)) return null;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (ratio(mid) < target) lo = mid; else hi = mid;
  }
  const sigma = (lo + hi) / 2;
  const a = (r90 - 1) / Math.expm1(Z90 * sigma);
  if (!(a > 0 && a < 1)) return null;
  const lnMean = a * Math.exp(sigma * sigma / 2);
  const meanOverP50 = 1 - a + lnMean;
  const cv = lnMean * Math.sqrt(Math.expm1(sigma * sigma)) / meanOverP50;
  const floor = Math.round((1 - a) / meanOverP50 * 1000) / 1000, cvOut = Math.round(cv * 1000) / 1000;
  // a floor the configuration refuses (above 0.99), or a spread or floor that rounds away: no shifted form worth the name
  if (!(cvOut > 0) || cvOut > FLUSH_CV_MAX || !(floor > 0) || floor > FLOOR_MAX) return null;
  return { cv: cvOut, floor, meanOverP50 };
}

/**
 * The FLUSH level's spread: the shifted lognormal through its p50, p90 and
 * p99 ({@link shiftedSpread}) when they fit one, else the lognormal through
 * the p50 and p99 ({@link flushCv}, no floor).
 */
export function flushSpread(level: { p50_us: number | null; p90_us: number | null; p99_us: number | null }): FloorSpread {
  const s = shiftedSpread(level.p50_us, level.p90_us, level.p99_us);
  if (s) return s;
  const cv = flushCv(level.p50_us, level.p99_us);
  return { cv, floor: 0, meanOverP50: Math.sqrt(1 + cv * cv) };
}
