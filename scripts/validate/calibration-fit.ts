/**
 * The fits of `syncsim calibrate` from its steps' figures (calibration.ts
 * runs the steps and writes the profile). Pure: no I/O, no clock.
 */
import { fitCompletion } from './completion-fit.ts';
import type { FioLatency } from './fio.ts';
import { fitChannels, fitDestage, fitDestageRate, fitFlush, fitLatencyBandwidth, flushSpread, pageTransferUs, readaheadPagesFromKb, type DepthProbe } from './fit.ts';
import type { Microbench } from './microbench.ts';
import { fitSubmission } from './submission-fit.ts';
import { InputError } from '../errors.ts';
import { MAX_MBPS } from '../../sim/config.ts';

/** A figure to two decimals, as the profile writes it. */
export const round2 = (v: number) => Math.round(v * 100) / 100;

/** What one microbenchmark measured (fio's report of its direction, or of its syncs). */
export interface StepReport {
  name: string;
  kind: Microbench['kind'];
  bytes: number;
  depth: number;
  /** Writes before each fdatasync (flush steps). */
  writes?: number;
  iops: number;
  latency: FioLatency | null;
  /** fdatasync latency (flush, journal). */
  sync: FioLatency | null;
  /** Mean completion latency (µs) of a batch step's writes: from their submission, as a block trace times them (fio's clat). */
  clat_us?: number;
  /** fio's iodepth_complete of a reap step (FioJobReport.iodepth_complete). */
  reaped?: Record<string, number>;
}

/** Faults the pagein step must have timed for its rate to be used: 4 MiB of 4 KiB pages. */
export const PAGEIN_RATE_MIN_FAULTS = 1024;

/**
 * The rate (MB/s) at which the pagein step (a cold sequential read through
 * mmap, 4 KiB an access, the kernel's own read-ahead) read its file: fio's
 * accesses a second × 4 KiB; null without the step or with fewer than
 * {@link PAGEIN_RATE_MIN_FAULTS} accesses. Why (pure): a sequential reader
 * waits on read-ahead, which the block layer sends as requests of one folio
 * batch each (on the development machine 1 MiB split at 254 segments, one
 * such request in the virtqueue at a time: tracefs, 2026-12-05 03:14 UTC,
 * about 690 µs a MiB), far slower a byte than O_DIRECT reads of a large user
 * buffer (`lat-read-*`: 1962–9791 MB/s in six calibrations, against
 * 1309–2165 MB/s through the page cache).
 */
export function pageinRate(steps: readonly StepReport[]): { mbps: number; faults: number } | null {
  const p = steps.find((s) => s.kind === 'pagein');
  const faults = p?.latency?.count ?? 0;
  if (!p || faults < PAGEIN_RATE_MIN_FAULTS || !(p.iops > 0)) return null;
  return { mbps: round2((p.iops * p.bytes) / 1e6), faults };
}

/** Reads the segment step (seg-read-*) must have timed, and its baseline (lat-read-* of the same size), for a segment's cost to be fitted. */
export const SEGMENT_MIN_READS = 20;

/** What a scatter-gather segment of a read costs (calibration: `device.segment_us`), from the figures it came from. */
export interface SegmentFit {
  segment_us: number;
  /** Median latency (µs) of the O_DIRECT reads into 4 KiB pages (lat-read-SIZE). */
  pages_p50_us: number;
  /** Median latency (µs) of the same reads into huge pages (seg-read-SIZE). */
  huge_p50_us: number;
  /** The segments the reads into 4 KiB pages have more: a page each, less the one of a huge page. */
  segments: number;
  bytes: number;
}

/**
 * A segment's cost (µs): how much longer the median 1 MiB O_DIRECT read
 * takes into a buffer of 4 KiB pages (lat-read-1m: a segment a page, 256)
 * than into one huge page (seg-read-1m: one), over the 255 segments more.
 * Null without both steps, with fewer than {@link SEGMENT_MIN_READS} reads
 * in either, or when the huge pages made no read faster (the kernel gave
 * none): then `reason` says which. Why: each segment is a descriptor the
 * device (under a virtual disk, its host) handles on its own; on the
 * development machine 1 MiB reads took 449 µs into 4 KiB pages and 191 µs
 * into huge pages, 4 MiB 1876 and 668 µs (fio, 2026-12-05 04:55 UTC), about
 * 1.0–1.2 µs a segment, and read-ahead in 2 MiB folios read 16 MiB in
 * 3.0–6.8 ms where 4 KiB folios took about 690 µs a MiB (tracefs).
 */
export function segmentFit(steps: readonly StepReport[]): SegmentFit | { reason: string } {
  const huge = steps.find((s) => s.kind === 'segment');
  if (!huge) return { reason: 'no seg-read step' };
  const pages = steps.find((s) => s.kind === 'latency' && s.name === `lat-read-${huge.name.slice('seg-read-'.length)}`);
  if (!pages) return { reason: `no lat-read step of ${huge.bytes} bytes to compare ${huge.name} with` };
  const p50 = (s: StepReport) => ((s.latency?.count ?? 0) >= SEGMENT_MIN_READS ? s.latency?.p50_us ?? null : null);
  const a = p50(pages), b = p50(huge);
  if (a === null || b === null) return { reason: `fewer than ${SEGMENT_MIN_READS} reads timed in ${a === null ? pages.name : huge.name}` };
  const segments = huge.bytes / 4096 - 1;
  if (!(segments > 0) || !(a > b)) return { reason: `reads into huge pages no faster (${huge.name} median ${round2(b)} µs, ${pages.name} ${round2(a)} µs): no huge page to read into (transparent huge pages off, glibc before 2.35) or no cost a segment` };
  return { segment_us: round2((a - b) / segments), pages_p50_us: a, huge_p50_us: b, segments, bytes: huge.bytes };
}

/**
 * The read rate (MB/s) of bytes alone, when a read also costs `segmentUs`
 * per segment: `mbps` was measured reading 4 KiB pages, a segment each, so
 * 4096 / mbps = 4096 / rate + segmentUs. Null when the segment would take
 * more than {@link SEGMENT_MAX_SHARE} of a page's time (a figure the pages'
 * rate cannot hold: fit none).
 */
export function rateLessSegments(mbps: number, segmentUs: number): number | null {
  if (!(mbps > 0)) return null;
  const pageUs = 4096 / mbps;
  if (segmentUs > SEGMENT_MAX_SHARE * pageUs) return null;
  return round2(Math.min(MAX_MBPS, 4096 / (pageUs - segmentUs)));
}

/** The largest share of a 4 KiB page's read time a segment may take for the rate of bytes alone to be fitted. */
export const SEGMENT_MAX_SHARE = 0.9;

/** Fits the steps' figures (pure); `readAheadKb` / `writeCache` from sysfs (null: unknown). */
export function fitCalibration(steps: readonly StepReport[], sys: { writeCache: boolean | null; readAheadKb: number | null }, maxDepth: number, flushLevel?: FioLatency) {
  const lat = (dir: 'read' | 'write') => {
    const pts = steps.filter((s) => s.kind === 'latency' && s.name.startsWith(`lat-${dir}-`) && s.latency);
    if (pts.length < 2) throw new InputError(`calibration: fio measured fewer than two sizes of ${dir}s (a longer --runtime?)`);
    return fitLatencyBandwidth(pts.map((s) => ({ bytes: s.bytes, mean_us: s.latency!.mean_us, stddev_us: s.latency!.stddev_us, p50_us: s.latency!.p50_us, p99_us: s.latency!.p99_us, count: s.latency!.count })), round2);
  };
  const read = lat('read'), write = lat('write');
  // page-cache writeback (buffered write + sync_file_range): its time vs size gives the write bandwidth msync's writeback sees
  const wbPts = steps.filter((s) => s.kind === 'writeback' && s.sync);
  const writeback = wbPts.length >= 2 ? fitLatencyBandwidth(wbPts.map((s) => ({ bytes: s.bytes, mean_us: s.sync!.mean_us, stddev_us: s.sync!.stddev_us, count: s.sync!.count })), round2) : null;
  const probe = (dir: 'read' | 'write'): DepthProbe[] => steps.filter((s) => s.kind === 'depth' && s.name.startsWith(`qd-${dir}-`) && s.latency)
    .map((s) => ({ depth: s.depth, iops: s.iops, mean_latency_us: s.latency!.mean_us }));
  const channelsRead = fitChannels(probe('read'), Math.min(4096, maxDepth));
  const channelsWrite = fitChannels(probe('write'), Math.min(4096, maxDepth));
  // the serial submission stage: batched writes against the unbatched peak
  const batches = steps.filter((s) => s.kind === 'batch' && s.latency).map((s) => ({ batch: s.depth, mean_latency_us: s.clat_us ?? s.latency!.mean_us, iops: s.iops }));
  // judged against the QD1 latency of a 4 KiB write (its command time plus its transfer)
  const submission = fitSubmission(batches, probe('write'), round2, write.latency.mean_us + (write.bandwidth_mbps > 0 ? 4096 / write.bandwidth_mbps : 0));
  const { flush, destage, destage_rate } = fitFlushLevel(steps, sys.writeCache, write, flushLevel);
  const completion = fitCompletion(steps);
  return { read, write, writeback, channels_read: channelsRead, channels_write: channelsWrite, submission, completion, flush, destage, destage_rate, readahead: sys.readAheadKb === null ? null : readaheadPagesFromKb(sys.readAheadKb) };
}

/**
 * The FLUSH and destage fits of the flush steps (pure): flush_us from the
 * FLUSH level `flushLevel` (calibrate passes the quietest step's 1-write
 * fdatasyncs after writes; npm run validate its session probes; else the
 * flush step's) as a lognormal fitted to its quantiles, less one write's
 * destage when the cache destages on FLUSH. `write`: the write latency fit
 * (its mean infers the write cache when sysfs did not say; its bandwidth
 * is the transfer taken off the destage slope). `destageScale` multiplies
 * the destage slope (a session's writes cost more or less than the
 * calibration's: destage-session.ts).
 */
export function fitFlushLevel(steps: readonly StepReport[], writeCache: boolean | null, write: { latency: { mean_us: number }; bandwidth_mbps: number }, flushLevel?: FioLatency, destageScale = 1) {
  const flushStep = steps.find((s) => s.kind === 'flush');
  if (!flushStep?.sync) throw new InputError('calibration: fio timed no fdatasync in the flush step');
  const level = flushLevel ?? flushStep.sync;
  // the mean of the level's spread (a floor and a lognormal through its p50, p90, p99) of the measured median: the model's median FLUSH is the measured one
  const levelUs = level.p50_us !== null && level.p50_us > 0 ? level.p50_us * flushSpread(level).meanOverP50 : level.mean_us;
  const flush = fitFlush(round2(levelUs), writeCache, write.latency.mean_us);
  // each step's median, not its mean: one stall of milliseconds in a step of a few hundred fdatasyncs moves its mean past the next step's
  // (12:26 UTC 2026-12-03: flush-8 mean 1223.7 µs, median 444.4, between 169.0 and 741.4; the line's R² fell to 0.62 and the cache was judged continuous)
  const flushPoints = steps.filter((s) => s.kind === 'flush' && s.sync).map((s) => ({ writes: s.writes ?? 1, mean_us: s.sync!.p50_us ?? s.sync!.mean_us, count: s.sync!.count }));
  // the rate a FLUSH destages at, from one write of each size before it (the flush step's 4 KiB and the flush-size steps'); else the O_DIRECT writes'
  const sized = steps.filter((s) => (s.kind === 'flush-size' || (s.kind === 'flush' && (s.writes ?? 1) === 1)) && s.sync && s.sync.count > 0);
  const fitted = flush.write_cache ? fitDestageRate(sized.map((s) => ({ bytes: s.bytes, p50_us: s.sync!.p50_us ?? s.sync!.mean_us })), round2) : null;
  // a line through three sizes or more that explains them poorly (the host's level moved between the steps), or a rate past what the
  // configuration takes, is not used: the O_DIRECT writes' rate stands
  const rate = fitted && fitted.media_mbps <= MAX_MBPS && (fitted.points.length < 3 || fitted.r2 >= 0.9) ? fitted : null;
  const mediaMbps = rate?.media_mbps ?? write.bandwidth_mbps;
  const destage = flush.write_cache ? fitDestage(flushPoints, mediaMbps, round2) : null;
  if (destage?.destage === 'on_flush' && destageScale !== 1) {
    destage.slope_us_per_write *= destageScale;
    destage.media_write_us = round2(Math.max(0, destage.slope_us_per_write - pageTransferUs(mediaMbps)));
  }
  // a cache that destages when flushed: the level less the one write's destage (the slope from the contiguous flush-N steps)
  if (destage?.destage === 'on_flush') flush.flush_us = round2(Math.max(0, levelUs - destage.slope_us_per_write));
  return { flush, destage, destage_rate: destage?.destage === 'on_flush' ? rate : null };
}
