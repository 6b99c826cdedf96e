/**
 * Fitting syncsim's device models to measurements. Pure: no I/O, no clock.
 *
 * The storage model (sim/device/media.ts; `syncsim calibrate` fits it, see
 * the second half of this file): per-command latency + bytes / bandwidth
 * per direction, `channels` command slots, FLUSH cost, read-ahead window.
 *
 * The queueing model (sim/device/device.ts, `device.profile: queue`; kept
 * for fitting it by hand): an I/O of `n` pages is served by one of
 * `channels` identical servers in `s + per_page_us × n` µs, `s` a draw from
 * the `device.service` distribution. Calibration measures the latency of
 * synchronous writes of a few sizes one at a time (queue depth 1), so each
 * sample is one service time, and the throughput of small writes at growing
 * queue depths. From these:
 * - `per_page_us`: the slope of the least-squares line through
 *   (pages, median latency) of the sizes (medians, because the tails of real
 *   devices would otherwise swing the line; for s + b·n the median at every
 *   size is median(s) + b·n, so the slope is still b);
 * - `device.service`: an `empirical` distribution of every queue-depth-1
 *   sample minus its per-page part, `latency − per_page_us × pages` (a result
 *   below 0 is clamped to 0 and counted);
 * - `channels`: how many depth-1 servers deliver the peak measured
 *   throughput, round(peak IOPS × mean depth-1 latency) by Little's law (with
 *   c servers of service time S the throughput saturates at c / S).
 */
export { FLUSH_CV_MAX, flushCv, flushSpread, latencyCv, lognormalCv, shiftedSpread, Z90, Z99, type FloorSpread } from './lognormal-fit.ts';
import { latencyCv } from './lognormal-fit.ts';
import { MAX_MBPS } from '../../sim/config.ts';

/** A least-squares line y = intercept + slope · x, with its coefficient of determination. */
export interface Line {
  intercept: number;
  slope: number;
  /** R² of the fit (1 when every point is on the line; NaN when all y are equal). */
  r2: number;
}

/** The ordinary least-squares line through `points` (at least two distinct x). */
export function leastSquares(points: readonly { x: number; y: number }[]): Line {
  const k = points.length;
  if (k < 2) throw new Error('a line needs at least two points');
  let sx = 0, sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / k, my = sy / k;
  let sxx = 0, sxy = 0, syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) throw new Error('a line needs at least two distinct x');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (const p of points) sse += (p.y - intercept - slope * p.x) ** 2;
  return { intercept, slope, r2: syy === 0 ? NaN : 1 - sse / syy };
}

/** The median of the samples (mean of the two middle ones for an even count). */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('median of no samples');
  const s = Float64Array.from(values).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Latency samples (µs) of synchronous writes of one size, one at a time. */
export interface SizeSamples {
  pages: number;
  latencies_us: ArrayLike<number>;
}

/** What was fitted for one size. */
export interface SizeFit {
  pages: number;
  samples: number;
  median_us: number;
  mean_us: number;
  /** The line's value at this size: intercept + per_page_us × pages. */
  fitted_us: number;
}

/** The fitted service-time model. */
export interface ServiceFit {
  /** Slope of the line, clamped at 0 (the model has no negative per-page time). */
  per_page_us: number;
  /** The raw slope and intercept of the line, and its R². */
  line: Line;
  sizes: SizeFit[];
  /** Every sample minus its per-page part: the `empirical` service distribution, in the order given. */
  service_us: Float64Array;
  /** Samples whose per-page part exceeded them (their service time was clamped to 0). */
  clamped: number;
}

/**
 * Fits `per_page_us` (least squares over the sizes' medians) and the
 * empirical service distribution (the samples minus their per-page part).
 * Needs at least two sizes with samples. `round` is applied to per_page_us
 * before the service samples are derived from it (so that a rounded value
 * written to a configuration and the samples agree).
 */
export function fitService(sizes: readonly SizeSamples[], round: (perPageUs: number) => number = (v) => v): ServiceFit {
  const used = sizes.filter((s) => s.latencies_us.length > 0);
  if (new Set(used.map((s) => s.pages)).size < 2) throw new Error('fitting the per-page time needs samples of at least two sizes');
  const medians = used.map((s) => ({ x: s.pages, y: median(s.latencies_us) }));
  const line = leastSquares(medians);
  const perPage = round(Math.max(0, line.slope));
  let total = 0;
  for (const s of used) total += s.latencies_us.length;
  const service = new Float64Array(total);
  let k = 0, clamped = 0;
  for (const s of used) {
    for (let i = 0; i < s.latencies_us.length; i++) {
      const v = s.latencies_us[i]! - perPage * s.pages;
      if (v < 0) clamped++;
      service[k++] = Math.max(0, v);
    }
  }
  const sizeFits = used.map((s, i) => {
    let sum = 0;
    for (let j = 0; j < s.latencies_us.length; j++) sum += s.latencies_us[j]!;
    return { pages: s.pages, samples: s.latencies_us.length, median_us: medians[i]!.y, mean_us: sum / s.latencies_us.length, fitted_us: line.intercept + perPage * s.pages };
  });
  return { per_page_us: perPage, line, sizes: sizeFits, service_us: service, clamped };
}

/** Throughput and latency of small writes at one queue depth. */
export interface DepthProbe {
  depth: number;
  iops: number;
  mean_latency_us: number;
}

/** The fitted channel count and what it came from. */
export interface ChannelFit {
  channels: number;
  /** The highest IOPS of the probes and the depth that reached it. */
  peak_iops: number;
  peak_depth: number;
  /** Mean latency at queue depth 1 (µs): the service time of one server. */
  depth1_latency_us: number;
  /** peak_iops × depth1_latency_us / 10⁶, before rounding. */
  estimate: number;
}

/**
 * channels = round(peak IOPS × mean depth-1 latency), at least 1 and at most
 * `maxChannels`. `probes` must include depth 1.
 */
export function fitChannels(probes: readonly DepthProbe[], maxChannels = 4096): ChannelFit {
  const one = probes.find((p) => p.depth === 1);
  if (!one || !(one.mean_latency_us > 0)) throw new Error('fitting the channel count needs a probe at queue depth 1 with a positive latency');
  let peak = one;
  for (const p of probes) if (p.iops > peak.iops) peak = p;
  const estimate = (peak.iops * one.mean_latency_us) / 1e6;
  return {
    channels: Math.min(maxChannels, Math.max(1, Math.round(estimate))),
    peak_iops: peak.iops,
    peak_depth: peak.depth,
    depth1_latency_us: one.mean_latency_us,
    estimate,
  };
}

// ---------------------------------------------------------------------------
// The storage model (sim/device/media.ts): per-command latency + bytes / bandwidth.

/** Mean latency of QD1 I/Os of one size (fio's report of one microbenchmark). */
export interface SizePoint {
  bytes: number;
  mean_us: number;
  /** Standard deviation of the latencies (µs). */
  stddev_us: number;
  /** Median and 99th percentile of the latencies (µs), when fio gave them: the spread is taken from them. */
  p50_us?: number | null;
  p99_us?: number | null;
  /** I/Os measured. */
  count: number;
}

/** A per-command latency and a bandwidth fitted to latency vs size. */
export interface LatencyBandwidthFit {
  /** Per-command latency distribution (µs): see {@link latencyDist}. */
  latency: { dist: 'constant'; mean_us: number } | { dist: 'lognormal'; mean_us: number; cv: number };
  /** 1 / slope in bytes per µs = MB/s (10^6 B/s); 0 (unlimited) when the slope is not positive. */
  bandwidth_mbps: number;
  /** The least-squares line mean_us = intercept + slope · bytes, and its R². */
  intercept_us: number;
  slope_us_per_byte: number;
  r2: number;
  /** Sizes fitted, and I/Os behind them. */
  n: number;
  ios: number;
}

/**
 * The per-command latency distribution of the model for a fitted intercept
 * (clamped at 0) and the standard deviation of the smallest size's
 * latencies (fitLatencyBandwidth passes cv(p50, p99) × intercept when fio
 * gave the quantiles: see {@link latencyCv}): the transfer part of a latency
 * is deterministic in the model (bytes / bandwidth), so all of the measured
 * spread belongs to the command latency: lognormal with mean = intercept and cv = sd / intercept
 * (constant when the spread or the intercept is 0; cv at most 100, the
 * schema's bound).
 */
export function latencyDist(interceptUs: number, smallestSdUs: number): LatencyBandwidthFit['latency'] {
  const mean = Math.max(0, interceptUs);
  if (!(mean > 0) || !(smallestSdUs > 0)) return { dist: 'constant', mean_us: mean };
  return { dist: 'lognormal', mean_us: mean, cv: Math.min(100, smallestSdUs / mean) };
}

/**
 * Least squares of mean latency over bytes: latency = c + bytes / bw.
 * Needs at least two distinct sizes. `round` shapes the fitted figures
 * (e.g. to 0.01 µs) before they are reported.
 */
export function fitLatencyBandwidth(points: readonly SizePoint[], round: (v: number) => number = (v) => v): LatencyBandwidthFit {
  const line = leastSquares(points.map((p) => ({ x: p.bytes, y: p.mean_us })));
  const smallest = points.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  // the spread from the quantiles when fio gave them (as for the FLUSH: a few stalls of milliseconds make the standard deviation), else the standard deviation
  const quantiles = smallest.p50_us != null && smallest.p99_us != null;
  const sd = quantiles ? latencyCv(smallest.p50_us!, smallest.p99_us!) * Math.max(0, line.intercept) : smallest.stddev_us;
  const lat = latencyDist(round(line.intercept), sd);
  return {
    latency: lat.dist === 'lognormal' ? { ...lat, cv: Math.round(lat.cv * 1000) / 1000 } : lat,
    bandwidth_mbps: line.slope > 0 ? round(1 / line.slope) : 0,
    intercept_us: line.intercept,
    slope_us_per_byte: line.slope,
    r2: line.r2,
    n: points.length,
    ios: points.reduce((s, p) => s + p.count, 0),
  };
}

/** How flush_us and write_cache were inferred. */
export interface FlushFit {
  write_cache: boolean;
  flush_us: number;
  /** Where write_cache came from: sysfs, or inferred from the flush time. */
  write_cache_source: 'sysfs' | 'inferred';
}

/**
 * flush_us and write_cache from the mean fdatasync time after a 4 KiB
 * O_DIRECT overwrite (on ext4 with no metadata to commit that fdatasync is
 * one cache FLUSH: ext4_sync_file → blkdev_issue_flush) and sysfs's
 * `queue/write_cache` (null when unreadable).
 *
 * - write through: Linux completes the FLUSH without sending it
 *   (blk-flush.c), so the device has no flush cost: flush_us 0.
 * - write back: flush_us = the measured mean (the model adds the drain of
 *   what the cache holds, nothing here: the 4 KiB left it while fio
 *   prepared the fdatasync).
 * - unknown: a FLUSH that reaches a device costs at least a command round
 *   trip; one cheaper than half a 4 KiB write's per-command latency
 *   (`writeLatencyUs`) never left the kernel: no write cache.
 */
export function fitFlush(fdatasyncMeanUs: number, sysfsWriteCache: boolean | null, writeLatencyUs: number): FlushFit {
  const wc = sysfsWriteCache ?? fdatasyncMeanUs > writeLatencyUs / 2;
  return { write_cache: wc, flush_us: wc ? fdatasyncMeanUs : 0, write_cache_source: sysfsWriteCache === null ? 'inferred' : 'sysfs' };
}

/** One flush step: fdatasync after `writes` 4 KiB O_DIRECT overwrites. */
export interface FlushPoint {
  writes: number;
  /** The step's typical fdatasync (µs): calibrate passes its median. */
  mean_us: number;
  count: number;
}

/** When the write cache destages, fitted from how the FLUSH time grows with the writes before it. */
export interface DestageFit {
  destage: 'continuous' | 'on_flush';
  /** Per-command media time of a write (µs): the slope less the transfer of 4 KiB at media_mbps; 0 for `continuous`. */
  media_write_us: number;
  /** The line's intercept, floored at 0 (the FLUSH with nothing to destage); calibration takes flush_us from the FLUSH level instead (less the slope), this stays as a check. */
  flush_us: number;
  slope_us_per_write: number;
  intercept_us: number;
  r2: number;
  n: number;
}

/** The rate a FLUSH destages at: fdatasync after one write, against that write's size. */
export interface DestageRateFit {
  /**
   * MB/s (10^6 bytes/s): 1 / the slope of the fdatasync's median over the bytes written before it,
   * at most {@link MAX_MBPS}; {@link MAX_MBPS} too when the fdatasync did not grow with the size
   * (`flat`): the bytes' destage was too small to measure.
   */
  media_mbps: number;
  slope_us_per_byte: number;
  intercept_us: number;
  r2: number;
  /** The slope was not positive: no time a byte could be measured (absent in reports written before 2026-12-05, evening). */
  flat?: boolean;
  /** The points: bytes of the one write, the median fdatasync (µs). */
  points: { bytes: number; p50_us: number }[];
}

/**
 * The destage rate of a cache that destages when flushed (pure): least
 * squares of the median fdatasync after one O_DIRECT write over that write's
 * size (the `flush` step's 4 KiB and the flush-size steps'); a slope that is
 * not positive gives no cost a byte (the largest rate a device key takes);
 * null with fewer than two sizes or a slope that is not a number.
 */
export function fitDestageRate(points: readonly { bytes: number; p50_us: number }[], round: (v: number) => number = (v) => v): DestageRateFit | null {
  if (new Set(points.map((p) => p.bytes)).size < 2) return null;
  const line = leastSquares(points.map((p) => ({ x: p.bytes, y: p.p50_us })));
  if (!Number.isFinite(line.slope)) return null;
  const flat = !(line.slope > 0);
  // at least 0.01 MB/s: a rate rounded to 0 would read as unlimited
  const mediaMbps = flat ? MAX_MBPS : Math.min(MAX_MBPS, Math.max(0.01, round(1 / line.slope)));
  return { media_mbps: mediaMbps, slope_us_per_byte: line.slope, intercept_us: line.intercept, r2: line.r2, flat, points: points.map((p) => ({ ...p })) };
}

/** The media transfer time of one 4 KiB write at `mediaMbps` (µs; 0 when the rate is unlimited): what media_write_us leaves out of a destage slope. */
export const pageTransferUs = (mediaMbps: number): number => (mediaMbps > 0 ? 4096 / mediaMbps : 0);

/**
 * Least squares of fdatasync time over the number of writes before it. The
 * writes go one at a time, a write command apart: a cache that destages
 * while writes come in (a drive) keeps up unless destaging a write takes
 * longer than a write command, so the FLUSH finds at most a write or two and
 * its time does not grow with their number; a cache that destages only when
 * flushed (a host page cache under a virtual disk, whose FLUSH is an fsync
 * of the backing file) makes it grow by each write's destage time.
 * `on_flush` when the line explains the points (R² ≥ 0.9) and grows over
 * the measured range by more than a quarter of its intercept; then
 * media_write_us = slope − 4096 B / media_mbps and flush_us = the intercept.
 * Null with fewer than two distinct counts.
 */
export function fitDestage(points: readonly FlushPoint[], mediaMbps: number, round: (v: number) => number = (v) => v): DestageFit | null {
  const counts = points.map((p) => p.writes);
  if (new Set(counts).size < 2) return null;
  const line = leastSquares(points.map((p) => ({ x: p.writes, y: p.mean_us })));
  const growth = line.slope * (Math.max(...counts) - Math.min(...counts));
  const onFlush = line.r2 >= 0.9 && growth > 0.25 * Math.max(0, line.intercept);
  const transferUs = pageTransferUs(mediaMbps);
  return {
    destage: onFlush ? 'on_flush' : 'continuous',
    media_write_us: onFlush ? round(Math.max(0, line.slope - transferUs)) : 0,
    flush_us: round(Math.max(0, line.intercept)),
    slope_us_per_write: line.slope,
    intercept_us: line.intercept,
    r2: line.r2,
    n: points.length,
  };
}

/** readahead.pages from the block queue's read_ahead_kb (the ra_pages of a file on it: read_ahead_kb × 1024 / page size). */
export function readaheadPagesFromKb(readAheadKb: number, pageSize = 4096): number {
  return Math.floor((readAheadKb * 1024) / pageSize);
}

/** Faults of a cold sequential mmap read, split into those that waited for the device (misses) and those that did not (hits). */
export interface PageinSplit {
  faults: number;
  misses: number;
  /** A fault slower than this waited for a read (µs). */
  threshold_us: number;
  hit_p50_us: number;
  miss_mean_us: number | null;
  /** Pages read per miss: faults ÷ misses (the read-ahead window seen by a sequential reader); null without misses. */
  pages_per_miss: number | null;
}

/**
 * Splits page-access latencies (µs, one per page, in any order) into hits
 * and misses. A miss waits for at least one device read, which costs at
 * least the per-command read latency; so a fault is a miss when it exceeds
 * the median (a hit: sequential read-ahead makes most faults hits) by more
 * than half the fitted read latency `readLatencyUs`.
 */
export function splitPagein(latenciesUs: ArrayLike<number>, readLatencyUs: number): PageinSplit {
  const p50 = median(latenciesUs);
  const threshold = p50 + Math.max(readLatencyUs, 1) / 2;
  let misses = 0, sum = 0;
  for (let i = 0; i < latenciesUs.length; i++) {
    if (latenciesUs[i]! > threshold) {
      misses++;
      sum += latenciesUs[i]!;
    }
  }
  return {
    faults: latenciesUs.length, misses, threshold_us: threshold, hit_p50_us: p50,
    miss_mean_us: misses ? sum / misses : null,
    pages_per_miss: misses ? latenciesUs.length / misses : null,
  };
}
