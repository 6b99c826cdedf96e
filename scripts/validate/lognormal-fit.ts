/**
 * Lognormal spreads from quantiles: the cv of a command's latency and of a
 * FLUSH (both through p50 and p99), and the mean of a lognormal of a given
 * median, as calibration fits them (fit.ts, flush-level.ts).
 */
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

/** The largest flush_cv calibration writes (the configuration's limit for device.flush_cv). */
export const FLUSH_CV_MAX = 100;

/**
 * The mean of the lognormal whose median is `p50Us` and whose spread is that
 * of {@link flushCv} (p99 / p50): p50 · √(1 + cv²). The FLUSH level is fitted
 * this way, from quantiles only, so that the model's median FLUSH is the
 * measured median: the sample mean, which a few stalls of milliseconds
 * inflate (on the development machine a mean of 414.6 µs over a median of
 * 288.8 µs), would shift the whole lognormal up. Null without a median.
 */
export function lognormalMeanFromQuantiles(p50Us: number | null, p99Us: number | null): number | null {
  if (p50Us === null || !(p50Us > 0)) return null;
  return lognormalMean(p50Us, flushCv(p50Us, p99Us));
}

/** The mean of a lognormal of median `p50Us` and coefficient of variation `cv`: p50 · √(1 + cv²) (e^(σ²/2) with cv² = e^σ² − 1). */
export function lognormalMean(p50Us: number, cv: number): number {
  return p50Us * Math.sqrt(1 + cv * cv);
}
