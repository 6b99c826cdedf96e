/**
 * The fits of `syncsim calibrate` from its steps' figures (calibration.ts
 * runs the steps and writes the profile). Pure: no I/O, no clock.
 */
import { fitCompletion } from './completion-fit.ts';
import type { FioLatency } from './fio.ts';
import { fitChannels, fitDestage, fitDestageRate, fitFlush, fitLatencyBandwidth, flushSpread, median, pageTransferUs, readaheadPagesFromKb, type DepthProbe } from './fit.ts';
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

/** Reads of each kind the segment probe must have timed for a segment's cost to be fitted. */
export const SEGMENT_MIN_READS = 20;

/** The largest ratio of the huge-page reads' median to the pages' for a segment's cost to be fitted: a gain of 10 % at least. */
export const SEGMENT_MAX_RATIO = 0.9;

/** What the segment probe (segment-read.c) timed: reads of `pages` 4 KiB pages into separate pages and into one huge page (µs). */
export interface SegmentSamples {
  pages: number;
  /** Segments the reads into the huge page make (1 unless the queue's max_segment_size cuts them). */
  huge_segments: number;
  /** AnonHugePages (kB) of the huge buffer's mapping: 2048 when a huge page backs it. */
  thp_kb: number;
  pages_us: number[];
  huge_us: number[];
}

/** What a scatter-gather segment of a read costs (calibration: `device.segment_us`), and the figures it came from. */
export interface SegmentFit {
  segment_us: number;
  /** Median (µs) of the reads into separate 4 KiB pages, a segment each. */
  pages_p50_us: number;
  /** Median (µs) of the same reads into one huge page, one segment. */
  huge_p50_us: number;
  /** Pages a read (its size / 4 KiB). */
  pages: number;
  /** Segments the reads into pages have more: a page each, less the huge page's (huge_segments). */
  segments: number;
  /** Reads of each kind. */
  count: number;
}

/**
 * A segment's cost (µs): how much longer the median O_DIRECT read takes
 * into separate 4 KiB pages than into one huge page, over the segments it
 * has more (pages − huge_segments). Null, with the reason, without the probe's samples,
 * without a huge page behind its buffer, with fewer than
 * {@link SEGMENT_MIN_READS} reads of a kind, when the huge page made the
 * read less than 10 % faster ({@link SEGMENT_MAX_RATIO}: noise, not a cost),
 * or when the cost rounds to 0. Why: each segment is a descriptor the device
 * (under a virtual disk, its host) handles on its own; on the development
 * machine the probe's reads of 254 and 128 pages took 384.3 and 189.7 µs
 * into pages and 229.1 and 115.4 µs into a huge page (medians of 400,
 * 2026-12-05 05:53 UTC), 0.61 and 0.59 µs a segment, and read-ahead in 2 MiB
 * folios read 16 MiB in 3.0–6.8 ms where 4 KiB folios took about 690 µs a
 * MiB (tracefs).
 */
export function segmentFit(s: SegmentSamples | null, note = 'the probe did not run'): SegmentFit | { reason: string } {
  if (!s) return { reason: note };
  if (s.thp_kb < 2048) return { reason: `no transparent huge page behind the probe's buffer (AnonHugePages ${s.thp_kb} kB: transparent huge pages off, or no free 2 MiB block)` };
  const count = Math.min(s.pages_us.length, s.huge_us.length);
  if (count < SEGMENT_MIN_READS) return { reason: `fewer than ${SEGMENT_MIN_READS} reads of each kind timed (${count})` };
  const a = median(s.pages_us), b = median(s.huge_us), segments = s.pages - s.huge_segments;
  if (!(segments > 0)) return { reason: `reads of ${s.pages} pages make as many segments into the huge page (${s.huge_segments}) as into pages` };
  if (!(b <= SEGMENT_MAX_RATIO * a)) return { reason: `reads into a huge page less than 10 % faster (median ${round2(b)} µs against ${round2(a)} µs into pages): no cost a segment to tell from noise` };
  const segmentUs = round2((a - b) / segments);
  if (!(segmentUs > 0)) return { reason: `the difference (${round2(a - b)} µs over ${segments} segments) rounds to 0 µs a segment` };
  return { segment_us: segmentUs, pages_p50_us: round2(a), huge_p50_us: round2(b), pages: s.pages, segments, count };
}

/**
 * The read rate (MB/s) of bytes alone, when a read also costs `segmentUs`
 * per segment: `mbps` was measured reading 4 KiB pages, a segment each, so
 * 4096 / mbps = 4096 / rate + segmentUs. Null when the segment would take
 * more than {@link SEGMENT_MAX_SHARE} of a page's time (a figure the pages'
 * rate cannot hold: fit none).
 */
export function rateLessSegments(mbps: number, segmentUs: number): number | null {
  if (!(mbps > 0) || !(segmentUs >= 0)) return null;
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
 * calibration's: destage-session.ts). `profileMediaMbps`: the media rate of
 * the profile being refitted, whose transfer the write's destage leaves out
 * (a profile written by an earlier rule keeps its own rate); by default the
 * rate these steps give.
 */
export function fitFlushLevel(steps: readonly StepReport[], writeCache: boolean | null, write: { latency: { mean_us: number }; bandwidth_mbps: number }, flushLevel?: FioLatency, destageScale = 1, profileMediaMbps?: number) {
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
  // the line whatever its R²: the O_DIRECT writes' rate is a different thing (4 KiB segments crossing the pipe), which an fdatasync
  // that grows by tens of µs from 4 KiB to 1 MiB refutes (outside jobs of 16:47 UTC, 2026-12-05: medians 56.1, 57.1, 51.5 µs,
  // and that rate, 2187 MB/s, charged each FLUSH 479 µs a MiB: docs/configuration.md, "The FLUSH's destage rate")
  const rate = flush.write_cache ? fitDestageRate(sized.map((s) => ({ bytes: s.bytes, p50_us: s.sync!.p50_us ?? s.sync!.mean_us })), round2) : null;
  const mediaMbps = profileMediaMbps ?? rate?.media_mbps ?? write.bandwidth_mbps;
  const destage = flush.write_cache ? fitDestage(flushPoints, mediaMbps, round2) : null;
  if (destage?.destage === 'on_flush' && destageScale !== 1) {
    destage.slope_us_per_write *= destageScale;
    destage.media_write_us = round2(Math.max(0, destage.slope_us_per_write - pageTransferUs(mediaMbps)));
  }
  // a cache that destages when flushed: the level less the one write's destage (the slope from the contiguous flush-N steps)
  if (destage?.destage === 'on_flush') flush.flush_us = round2(Math.max(0, levelUs - destage.slope_us_per_write));
  return { flush, destage, destage_rate: destage?.destage === 'on_flush' ? rate : null };
}

/**
 * Throws (an InputError: exit 2, nothing written) when a number of the
 * profile `fragment` is not finite (a fit divided by a spread or a median that
 * the measurements left at 0), naming the key, its value and, from
 * `fitted`, what it was fitted from: a profile `--config` would refuse is
 * never written.
 */
export function requireFiniteFit(fragment: Record<string, unknown>, fitted: Readonly<Record<string, { from: string }>>): void {
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        const from = (fitted[key] ?? fitted[key.replace(/\[\d+\]$/, '')])?.from;
        throw new InputError(`calibrate: ${key} came out ${v}${from ? ` (${from})` : ''}: the measurements were too noisy to fit it; nothing was written; run the calibration again on a quieter machine`);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${key}[${i}]`));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
  };
  walk(fragment, '');
}
