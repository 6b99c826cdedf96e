/**
 * Calibration: fitting the storage model (sim/device/media.ts) and the
 * read-ahead window to a real device from microbenchmarks only
 * (microbench.ts; never the validation jobs of workloads/fio/), and
 * writing a profile file that `--config` and `device.profile: FILE` accept.
 *
 * Fits (fit.ts, from the steps' figures by calibration-fit.ts):
 * - read_latency, read_bandwidth_mbps / write_latency, bandwidth_mbps:
 *   least squares of QD1 mean latency over size per direction
 *   (latency = c + bytes / bw); lognormal at c with the 4 KiB spread;
 *   read_bandwidth_mbps then the page cache's read rate (the read path
 *   page-in waits on): the page-in probe's later windows when it ran
 *   (pagein-probe.ts pageCacheReadRate), else the pagein step's
 *   (calibration-fit.ts pageinRate), less a segment a page.
 * - channels: round(peak IOPS × QD1 latency) of the 4 KiB depth probe,
 *   the larger of the read and write estimates; or, when the batched writes
 *   fit a serial submission stage (submission-fit.ts: submit_us,
 *   submit_command_us, submit_overlap; taken off both latencies when the
 *   latency follows its turn in the stage), the deepest queue probed.
 * - write_cache: sysfs `queue/write_cache` of the device under --dir
 *   (blockdev.ts), else inferred from the flush time; flush_us: the mean
 *   fdatasync after an O_DIRECT overwrite (a bare FLUSH); flush_cv: its
 *   spread (p99 / p50) as a lognormal's cv; flush_empty_us: the mean
 *   fdatasync of a file with nothing written (empty-flush.ts).
 * - destage, media_write_us: how the fdatasync time grows with the number
 *   of writes before it (flush-N steps, fitDestage); with `on_flush`,
 *   flush_us is that line's intercept.
 * - fs.kind: ext4 with a jbd2 journal (/proc/fs/jbd2/NAME-*) →
 *   ext4-ordered, without → ext4-nojournal; fs.timestamp_tick_us = 10^6 /
 *   CONFIG_HZ of the running kernel (kernel-hz.ts).
 * - bandwidth_mbps: 1 / slope of page-cache writeback time vs size
 *   (buffered sequential writes + sync_file_range, wb-* steps): the path of
 *   msync's writeback, whose whole folios cost less per byte than O_DIRECT's
 *   pinned 4 KiB user pages; media_mbps: with a cache that destages on
 *   FLUSH, 1 / slope of the median fdatasync after one O_DIRECT write vs
 *   its size (flush, flush-size-*: the rate the FLUSH destages at), else
 *   the O_DIRECT write rate.
 * - readahead.pages = read_ahead_kb / 4 (sysfs).
 * - cpu.syscall_us, fault_page_us, clean_page_us, clean_page_busy_us, wire_page_us: medians of
 *   the CPU probe of `npm run measure:cpu` run on the file system under
 *   --dir (cpu-calibration.ts); skipped without a C compiler.
 * Checks (reported, not fitted): the journal step (append + fdatasync)
 * against the simulator's ext4-ordered prediction (model-check.ts); the
 * page-in step's misses against the read-ahead window; the page-in probe's
 * read against the simulator's replay of it (model-check.ts).
 *
 * Output, for `-o device.yaml`: `device.yaml` (the fragment: the `device`
 * keys, each with a comment naming its fit and microbenchmark; the base
 * profile for the keys not fitted) and `device.calibration.json` (every
 * fitted value with its fit quality and source, every step's figures, the
 * checks). Each is written atomically, the fragment last.
 */
import type { ReportingHold, ReportingRecord } from './page-reporting.ts';
import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkMeasurementDir } from './filesystem.ts';
import { fioVersion } from './fio.ts';
import { median, splitPagein } from './fit.ts';
import { pageCacheReadRate } from './pagein-probe.ts';
import { queueLimitsOf, segmentProvenance, withSegments } from './segment-probe.ts';
import { sizeLabel } from './microbench.ts';
import { blockDeviceOfDir, hasJbd2Journal } from './blockdev.ts';
import { requestRingFit } from './request-ring.ts';
import { pageinProbeCheck, predictAppendSync, replayWindowRequestRate } from './model-check.ts';
import { appendsPastInodeExtents, extentBlocks } from './file-extents.ts';
import { kernelHz } from './kernel-hz.ts';
import { READ_REQUEST_PAGES } from '../../sim/config.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import { writeFileAtomic, makeDirs } from '../../traces/files.ts';
import { checkOutFile } from '../../traces/out-dir.ts';
import { stampState, stampText } from '../../traces/text-stamp.ts';
import { VERSION } from '../version.ts';
import { fragmentText, r2Text } from './calibration-text.ts';
import { busyDeviceKeys } from './cpu-calibration.ts';
import { writebackLatency, writebackStage } from './writeback-stage.ts';
import { fitCalibration, PAGEIN_RATE_MIN_FAULTS, pageinRate, requireFiniteFit, round2, segmentFit, type StepReport } from './calibration-fit.ts';
import { isCompletionFit } from './completion-fit.ts';
import { isSubmissionFit, lessSerial, submissionProvenance } from './submission-fit.ts';
import { flushLevelKeys } from './flush-level.ts';
import { annotateSplit, splitHostSpread } from './host-spread.ts';
import { quietestLevel, flushSpreadWarning } from './sync-steps.ts';
import { measureDevice, type MeasureOptions } from './calibration-measure.ts';
import type { Calibration, FittedValue } from './calibration-report.ts';

export { fitCalibration, type StepReport } from './calibration-fit.ts';

/** What to measure and where to write it. */
export interface CalibrateOptions extends MeasureOptions {
  /** The fragment to write (YAML). */
  out: string;
  /** Progress lines (e.g. to standard error), or undefined for none. */
  log?: (line: string) => void;
  /** sysfs root (tests); default /sys. */
  sysfs?: string;
  /** The guest's free page reporting during the measurement (page-reporting.ts), recorded in the report: given by a measurement this one runs inside (validate's). */
  pageReporting?: ReportingRecord;
  /**
   * Starts the hold on the guest's free page reporting (page-reporting.ts: paused, or warned of) once fio and
   * `dir` are checked, so that bad input is refused before anything is paused or warned of; ended when calibrate
   * ends. Its state is the one recorded. Unused when `pageReporting` is given.
   */
  reporting?: () => ReportingHold;
}

export type { Calibration, FittedValue } from './calibration-report.ts';

/** The sibling files of fragment `out` (absolute): device.yaml → device.calibration.json. */
export function calibrationFiles(out: string): Calibration['files'] {
  const abs = resolve(out);
  const base = join(dirname(abs), basename(abs).replace(/\.(ya?ml|json)$/i, ''));
  return { fragment: abs, calibration: `${base}.calibration.json` };
}

/** How each file of a calibration starts, so that `syncsim calibrate` replaces only files it wrote. */
const CALIBRATION_HEADS: Record<keyof Calibration['files'], RegExp> = {
  fragment: /^# syncsim calibrate /,
  calibration: /^\{\s*"syncsim_version":/,
};

/**
 * Checks, before anything is measured, that the files of fragment `out` may
 * be written: each is missing or a file an earlier calibration wrote.
 */
export function checkCalibrationTargets(out: string, flag?: string): void {
  if (out === '') checkOutFile(out, out, () => false, flag);
  const files = calibrationFiles(out);
  for (const k of Object.keys(CALIBRATION_HEADS) as (keyof Calibration['files'])[]) {
    const edited = k === 'fragment' && profileEdited(files[k]);
    checkOutFile(files[k], out, (text) => !edited && CALIBRATION_HEADS[k].test(text), flag, edited ? PROFILE_EDITED : undefined);
  }
}

/** The refusal of a profile a calibration wrote and a user edited since. */
const PROFILE_EDITED = {
  why: 'was written by syncsim calibrate and has been edited since (its stamp line is gone or no longer matches the other lines), so it holds changes of yours',
  advice: 'choose a new file, or move it away first',
};

/**
 * Whether the file at `path` is a profile a calibration wrote with a stamp
 * (traces/text-stamp.ts) that no longer matches: edited since. A file
 * without a stamp (written before stamps, 2026-12-07) cannot tell, and is
 * replaced as before; one that cannot be read is left to checkOutFile.
 */
function profileEdited(path: string): boolean {
  let text: string;
  try {
    if (!lstatSync(path).isFile()) return false;
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  return CALIBRATION_HEADS.fragment.test(text) && stampState(text) === 'edited';
}


/** The write counts of the flush steps, for a provenance line: '1, 8, 32, 128'. */
const flushPoints = (steps: readonly StepReport[]) => steps.filter((s) => s.kind === 'flush').map((s) => s.writes ?? 1).join(', ');

/** Measures the device under `opts.dir`, fits it and writes the fragment and its report. */
export async function calibrate(opts: CalibrateOptions): Promise<Calibration> {
  const started = process.hrtime.bigint();
  const log = opts.log ?? (() => {});
  const version = fioVersion();
  const filesystem = checkMeasurementDir(opts.dir, '--dir');
  const blockDev = blockDeviceOfDir(opts.dir, opts.sysfs);
  const files = calibrationFiles(opts.out);
  const work = mkdtempSync(join(opts.dir, 'syncsim-calibrate-'));
  const release = cleanupOnInterrupt(() => rmSync(work, { recursive: true, force: true }));
  let hold: ReportingHold | undefined;
  try {
    // the measurement from here: free page reporting paused, or warned of (its input checked above)
    hold = opts.pageReporting === undefined ? opts.reporting?.() : undefined;
    const pageReporting = opts.pageReporting ?? hold?.record;
    const { stepMs, settle, steps, pageinLatencies, flushSamples, hostPairs, reruns, segRun, pageinRun, pageinProbe, gap, gapNote, growth, flushEmpty, where, cpuRun, cpuFit, journalExtents } = await measureDevice(opts, work, filesystem, blockDev, log);
    // the FLUSH level of the quietest of the steps that sampled it (the lowest median): the host's slow spells only add time, and last tens of seconds
    // only steps right after writes: after the read steps alone the host has none of the guest's writes to flush, and its FLUSH is far cheaper than any syncing job meets
    const levelSteps = (flushSamples ?? []).filter((x) => x.afterWrites);
    const levels = quietestLevel(levelSteps.map((x) => x.us));
    const skipped = (flushSamples ?? []).filter((x) => !x.afterWrites).map((x) => `${x.name}, after read steps only: median ${round2(median(x.us.length ? x.us : [0]))} µs`);
    const pooledLevel = levels?.pooled ?? null, quietLevel = levels?.quiet ?? null;
    const warnings = [levels ? flushSpreadWarning(levels.medians) : undefined].filter((w): w is string => w !== undefined);
    for (const w of warnings) log(`calibrate: warning: ${w}`);
    const fit = fitCalibration(steps, { writeCache: blockDev?.write_cache ?? null, readAheadKb: blockDev?.read_ahead_kb ?? null }, opts.maxDepth, quietLevel ?? undefined);
    const pagein = pageinRate(steps);
    // a read's segments (one a folio) apart from its bytes, when the huge-page reads gave their cost: the rate of bytes alone
    const segment = segmentFit(segRun.samples, segRun.note);
    if ('reason' in segment) log(`calibrate: no device.segment_us: ${segment.reason}`);
    // device.read_bandwidth_mbps: the probe's later windows as they are, else fio's or the O_DIRECT rate less a segment a page (pagein-probe.ts)
    const segFit = 'segment_us' in segment ? segment : null;
    const readRate = pageCacheReadRate(pageinProbe, pagein?.mbps ?? null, fit.read.bandwidth_mbps, segFit?.segment_us ?? null);
    const kept = readRate.segmentKept ? segFit : null;
    const segmentUs = kept?.segment_us ?? 0;
    const readMbps = readRate.mbps;
    // one read alone, and the queue's segments and ring (request-ring.ts)
    const sizesOf = (keep: (s: StepReport) => boolean) => steps.filter(keep).map((s) => sizeLabel(s.bytes)).join(', ');
    const sizes = (d: string) => sizesOf((s) => s.kind === 'latency' && s.name.startsWith(`lat-${d}-`));
    const flushStep = steps.find((s) => s.kind === 'flush')!;
    // the figures the level was fitted to
    const level = quietLevel ?? flushStep.sync!;
    const levelFrom = quietLevel
      ? `flush-probe-*, flush: ${level.count} fdatasyncs after a 4k O_DIRECT overwrite of the quietest of the ${levels!.medians.length} steps that follow write steps, spread over the calibration (the lowest median; their medians ${levels!.medians.map(round2).join(', ')} µs; all ${pooledLevel!.count} pooled: median ${round2(pooledLevel!.p50_us!)} µs${skipped.length ? `; left out: ${skipped.join('; ')}` : ''})`
      : 'flush: fdatasync after a 4k O_DIRECT overwrite (the flush step alone: its I/O logs gave no timed syncs, e.g. fio before 3.31 writes no timestamps)';
    const flushKeys = flushLevelKeys(fit, level, flushEmpty, levelFrom, levels?.quietSamples ?? []);
    const channels = fit.channels_read.channels >= fit.channels_write.channels ? fit.channels_read : fit.channels_write;
    const base = fit.flush.write_cache ? 'sata-ssd' : 'nvme';
    const serial = isSubmissionFit(fit.submission) ? fit.submission : null;
    // what writeback's own line would make of the stage's cost a write, reported beside the batches' (writeback-stage.ts)
    const wbStage = serial ? writebackStage(serial, cpuRun.figures?.writeback ?? null, round2) : null;
    // a write's latency as writeback meets it, the CPU of fio's O_DIRECT path left out (writeback-stage.ts)
    const sideBySide = serial?.overlap?.overlap === true;
    const wbLatency = writebackLatency(fit.write.latency, cpuRun.figures?.writeback ?? null, serial && !sideBySide ? serial.serial_us : 0, round2);
    const completion = isCompletionFit(fit.completion) ? fit.completion : null;
    // with the stage, the slots are the deepest queue the probes had in flight (a batch holds its writes at once)
    const serialChannels = Math.max(opts.maxDepth, ...steps.filter((s) => s.kind === 'batch').map((s) => s.depth));
    // side by side (submit_overlap) the measured QD1 latencies stand as they are; one after the other the stage comes off them
    const readLatency = serial && !sideBySide ? lessSerial(fit.read.latency, serial.serial_us, round2) : fit.read.latency;
    const firstWindow = pageinProbe?.window ? { window: pageinProbe.window, reads: pageinProbe.reads, requestPages: READ_REQUEST_PAGES,
      costs: { latency_us: readLatency.mean_us, submit_us: serial?.submit_us ?? 0, submit_command_us: serial?.submit_command_us ?? 0 } } : null;
    const request = requestRingFit(fit.read, sizes('read'), segmentUs, queueLimitsOf(blockDev?.sysfs ?? null), blockDev, firstWindow);
    const marginal: Record<string, unknown> = {
      profile: base,
      channels: serial ? serialChannels : channels.channels,
      read_latency: readLatency,
      write_latency: wbLatency ? wbLatency.latency : serial && !sideBySide ? lessSerial(fit.write.latency, serial.serial_us, round2) : fit.write.latency,
      ...(serial ? { submit_us: serial.submit_us, submit_command_us: serial.submit_command_us, ...(serial.overlap ? { submit_overlap: sideBySide } : {}), ...(completion ? { submit_completion: completion.submit_completion } : {}) } : {}),
      // the page cache's read rate, which page-in waits on: the page-in probe's, else the pagein step's; else the O_DIRECT reads' (pagein-probe.ts, calibration-fit.ts)
      read_bandwidth_mbps: readMbps,
      ...(kept ? { segment_us: segmentUs } : {}),
      ...request.device,
      bandwidth_mbps: fit.writeback ? fit.writeback.bandwidth_mbps : fit.write.bandwidth_mbps,
      // the rate a FLUSH destages at when the flush-size steps ran (a cache that destages on FLUSH; unlimited when the FLUSH did not grow with the size), else the O_DIRECT writes'
      media_mbps: fit.destage_rate?.media_mbps ?? fit.write.bandwidth_mbps,
      write_cache: fit.flush.write_cache,
      ...flushKeys.device,
      ...(fit.destage ? { destage: fit.destage.destage, media_write_us: fit.destage.media_write_us } : {}),
      // the FLUSH's growth with the time since the previous one, a FLUSH alone timed (the flush-N slope stays the destage: with the
      // probe's destage instead, two validations replayed worse; docs/validation-notes.md, "The FLUSH grows with the time since the previous one")
      ...(gap && growth?.clear && fit.flush.write_cache ? { flush_gap: gap.table } : {}),
    };
    // the host's speed shared by a write and its FLUSH: split off each time's spread (host-spread.ts)
    const host = splitHostSpread(marginal, hostPairs, 'flush-probe-*, flush (the steps after writes)');
    // a device's round trip beside a busy CPU (cpu-costs.c's device samples): added to each command a task submits while another runs
    const busy = cpuRun.figures ? busyDeviceKeys(cpuRun.figures, where) : null;
    const device = busy ? { ...host.device, ...busy.device } : host.device;
    const jbd2 = blockDev ? hasJbd2Journal(blockDev.name) : null;
    const hz = kernelHz();
    const fsKind = filesystem !== 'ext4' || jbd2 === null ? null : jbd2 ? 'ext4-ordered' : 'ext4-nojournal';
    const fs: Record<string, unknown> = { ...(fsKind ? { kind: fsKind } : {}), ...(hz ? { timestamp_tick_us: 1e6 / hz.hz } : {}) };
    const fragment: Calibration['fragment'] = {
      device, ...(fit.readahead === null ? {} : { readahead: { pages: fit.readahead } }), ...(Object.keys(fs).length ? { fs } : {}), ...(cpuFit ? { cpu: cpuFit.cpu } : {}),
    };
    const depths = (d: string) => steps.filter((s) => s.kind === 'depth' && s.name.startsWith(`qd-${d}-`)).map((s) => s.depth).join(', ');
    const lessNote = serial && !sideBySide ? `, less submit_us + submit_command_us (${serial.serial_us} µs), the sd kept` : serial ? ', as measured (the latency runs beside the submission stage: device.submit_overlap)' : '';
    const fitted: Record<string, FittedValue> = {
      'device.profile': { value: base, r2: null, n: 0, from: `base profile for the keys not fitted (cache_mb): ${base === 'sata-ssd' ? 'a volatile write cache' : 'no volatile write cache'}` },
      ...submissionProvenance(fit.submission, channels, serialChannels, depths('write')),
      ...(serial && completion ? { 'device.submit_completion': { value: completion.submit_completion, r2: null, n: 1, from: completion.from } } : {}),
      'device.read_latency': { value: device.read_latency, r2: fit.read.r2, n: fit.read.n, from: `lat-read-*: intercept of mean latency vs size of O_DIRECT QD1 random reads (${sizes('read')}); cv from the 4k p99 / p50 as a lognormal's spread${lessNote}` },
      'device.read_bandwidth_mbps': pageinProbe
        ? { value: readMbps, r2: null, n: pageinProbe.reads, from: `pagein-probe: ${readRate.source === 'probe-later-windows' ? `the median rate of the bytes after the first window (${pageinProbe.window!.pages} pages, in 4 KiB folios) of ${pageinProbe.reads} cold sequential reads of the ${sizeLabel(opts.sizeBytes)} data file through a mapping (${pageinProbe.later_rates_mbps!.join(', ')} MB/s; the whole reads ${pageinProbe.rates_mbps.join(', ')} MB/s), one load a 4 KiB page, the kernel's read-ahead bringing the pages in (probe pagein-read.c), in folios of up to 2 MiB, a segment each: the rate of the bytes` : `the median rate of ${pageinProbe.reads} cold sequential reads of the ${sizeLabel(opts.sizeBytes)} data file through a mapping (${pageinProbe.rates_mbps.join(', ')} MB/s; their first windows not timed), one load a 4 KiB page, the kernel's read-ahead bringing the pages in (probe pagein-read.c), most of them in folios of up to 2 MiB: taken as the rate of the bytes`}, which page-in waits on (fio's pagein step, which copies 4 KiB an access: ${pagein ? `${pagein.mbps} MB/s` : 'not timed'}; O_DIRECT reads of a user buffer, lat-read-*: ${fit.read.bandwidth_mbps} MB/s)` }
        : withSegments(pagein ? { value: pagein.mbps, r2: null, n: pagein.faults, from: `pagein: the rate of a cold sequential read through mmap (fio's ${pagein.faults} 4 KiB accesses, their read-ahead as the kernel sends it): the page cache's read path, which page-in waits on (O_DIRECT reads of a user buffer, lat-read-*: ${fit.read.bandwidth_mbps} MB/s, 1 / slope of mean latency vs size (${sizes('read')}), ${r2Text(fit.read.r2, fit.read.n)})` }
        : { value: fit.read.bandwidth_mbps, r2: fit.read.r2, n: fit.read.n, from: `lat-read-*: 1 / slope of mean latency vs size (${sizes('read')}) (no pagein step with ${PAGEIN_RATE_MIN_FAULTS} accesses or more)` }, readMbps, segmentUs),
      ...(kept ? { 'device.segment_us': segmentProvenance(kept) } : {}),
      ...request.fitted,
      'device.write_latency': wbLatency ? { value: device.write_latency, r2: null, n: cpuRun.figures!.writeback!.cpu_page_us.reps, from: wbLatency.provenance } : { value: device.write_latency, r2: fit.write.r2, n: fit.write.n, from: `lat-write-*: intercept of mean latency vs size of O_DIRECT QD1 random writes (${sizes('write')}); cv from the 4k p99 / p50 as a lognormal's spread${lessNote}` },
      'device.bandwidth_mbps': fit.writeback
        ? { value: fit.writeback.bandwidth_mbps, r2: fit.writeback.r2, n: fit.writeback.n, from: `wb-*: 1 / slope of the mean sync_file_range time vs size of buffered sequential writes (${sizesOf((s) => s.kind === 'writeback')}): page-cache writeback, the path of msync (O_DIRECT: ${fit.write.bandwidth_mbps} MB/s)` }
        : { value: fit.write.bandwidth_mbps, r2: fit.write.r2, n: fit.write.n, from: `lat-write-*: 1 / slope of mean latency vs size (${sizes('write')}) (fio timed fewer than two writeback sizes)` },
      'device.media_mbps': fit.destage_rate
        ? { value: fit.destage_rate.media_mbps, r2: fit.destage_rate.r2, n: fit.destage_rate.points.length, from: `flush, flush-size-*: ${fit.destage_rate.flat ? 'the median fdatasync after one O_DIRECT overwrite did not grow with its size' : '1 / slope of the median fdatasync after one O_DIRECT overwrite vs its size'} (${fit.destage_rate.points.map((p) => `${sizeLabel(p.bytes)} ${round2(p.p50_us)} µs`).join(', ')}): ${fit.destage_rate.flat ? 'no destage time a byte, the largest rate a device key takes' : 'the rate the cache destages at when flushed'} (the O_DIRECT writes themselves: ${fit.write.bandwidth_mbps} MB/s)` }
        : { value: fit.write.bandwidth_mbps, r2: fit.write.r2, n: fit.write.n, from: `lat-write-*: 1 / slope of O_DIRECT QD1 write latency vs size (${sizes('write')}) (QD1 writes cannot tell destage from intake)` },
      ...(serial ? {} : { 'device.channels': { value: channels.channels, r2: null, n: depths('read').split(',').length + depths('write').split(',').length, from: `qd-read-*, qd-write-*: round(peak IOPS × QD1 latency), the larger of reads (${fit.channels_read.estimate.toFixed(2)}: ${Math.round(fit.channels_read.peak_iops)} IOPS at QD${fit.channels_read.peak_depth}) and writes (${fit.channels_write.estimate.toFixed(2)}: ${Math.round(fit.channels_write.peak_iops)} IOPS at QD${fit.channels_write.peak_depth}); depths ${depths('read')}` } }),
      'device.write_cache': { value: fit.flush.write_cache, r2: null, n: fit.flush.write_cache_source === 'sysfs' ? 1 : flushStep.sync!.count, from: fit.flush.write_cache_source === 'sysfs' ? `sysfs ${blockDev!.sysfs}/queue/write_cache` : 'flush: inferred (an fdatasync dearer than half a write command reached the device)' },
      ...flushKeys.fitted,
      ...(fit.destage ? {
        'device.destage': { value: fit.destage.destage, r2: fit.destage.r2, n: fit.destage.n, from: `flush, flush-*: fdatasync after ${flushPoints(steps)} 4k O_DIRECT overwrites: ${fit.destage.slope_us_per_write.toFixed(2)} µs more per write (${fit.destage.destage === 'on_flush' ? 'growing by more than a quarter of the bare FLUSH: the cache destages only when flushed' : 'about flat: the cache keeps up with the writes'})` },
        'device.media_write_us': { value: fit.destage.media_write_us, r2: fit.destage.r2, n: fit.destage.n, from: fit.destage.destage === 'on_flush' ? 'flush, flush-*: slope per write less the transfer of 4 KiB at media_mbps' : 'flush, flush-*: 0 (a cache that keeps up shows no per-write cost)' },
      } : {}),
      ...(gap && growth?.clear && fit.flush.write_cache ? { 'device.flush_gap': { value: gap.table, r2: null, n: gap.samples, from: `flush-gap: the probe flush-gap.c, the median FLUSH alone (fdatasync of an untouched side file) after one write at ${gap.table.gap_us.length} busy gaps since the previous FLUSH, each over the back-to-back median (${gap.points.filter((p) => p.writes === 1).map((p) => `${round2(p.since_us)} µs: ${round2(p.sync_us)}`).join(', ')})` } } : {}),
      ...(fsKind ? { 'fs.kind': { value: fsKind, r2: null, n: 1, from: `statfs: ext4; /proc/fs/jbd2/${blockDev!.name}-*: ${jbd2 ? 'a jbd2 journal' : 'none (made without a journal)'}` } } : {}),
      ...(hz ? { 'fs.timestamp_tick_us': { value: 1e6 / hz.hz, r2: null, n: 1, from: `${hz.source}: CONFIG_HZ=${hz.hz} (timestamps advance once per jiffy)` } } : {}),
      ...(fit.readahead === null ? {} : { 'readahead.pages': { value: fit.readahead, r2: null, n: 1, from: `sysfs ${blockDev!.sysfs}/queue/read_ahead_kb = ${blockDev!.read_ahead_kb} → ÷ 4 KiB pages` } }),
      ...(cpuFit ? cpuFit.fitted : {}),
      ...host.fitted,
      ...(busy ? busy.fitted : {}),
    };
    annotateSplit(fitted, device, host.report);
    // one read's rate from the probe's first window, made exact: the rate at which the model's replay of that window takes its measured time
    const requestFit = fitted['device.read_request_mbps'];
    if (pageinProbe?.window && requestFit?.from.startsWith('pagein-probe') && typeof device.read_request_mbps === 'number') {
      log('calibrate: fitting one read\'s rate to the page-in probe\'s first window through the model ...');
      const replayed = replayWindowRequestRate(fragment as Record<string, unknown>, pageinProbe.window, device.read_request_mbps);
      if (replayed) {
        device.read_request_mbps = replayed.mbps;
        fitted['device.read_request_mbps'] = { ...requestFit, value: replayed.mbps, from: `${requestFit.from}; that rate (${requestFit.value} MB/s) made the model's replay of the window ${replayed.at_start_us} µs, so the rate is the one at which the replay takes the measured ${pageinProbe.window.p50_us} µs (bisection; model-check.ts)` };
      } else fitted['device.read_request_mbps'] = { ...requestFit, from: `${requestFit.from}; kept as it is: no rate from a sixteenth to 16 times it brings the model's replay of the window to the measured time` };
    }
    requireFiniteFit(fragment as Record<string, unknown>, fitted);

    // checks: the journal step against the model, the page-in misses against the window
    log(`calibrate: checking the journal step against the model (${fsKind ?? 'ext4-ordered'}, linux) ...`);
    const journalStep = steps.find((s) => s.kind === 'journal')!;
    const fileExtents = 'extents' in journalExtents
      ? { extents: journalExtents.extents.length, blocks: extentBlocks(journalExtents.extents), extent_leaf_share: Math.round(appendsPastInodeExtents(journalExtents.extents) * 1e4) / 1e4 }
      : journalExtents;
    const predicted = predictAppendSync(fragment as Record<string, unknown>, undefined, 'extent_leaf_share' in fileExtents ? fileExtents.extent_leaf_share : 0);
    const split = splitPagein(pageinLatencies.length ? pageinLatencies : [0], fit.read.latency.mean_us);
    const ra = fit.readahead;
    const probeCheck = pageinProbe ? pageinProbeCheck(fragment as Record<string, unknown>, opts.sizeBytes, pageinProbe) : null;
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const cal: Calibration = {
      syncsim_version: VERSION,
      fio_version: version,
      dir: resolve(opts.dir),
      filesystem,
      block_device: blockDev,
      quick: opts.quick,
      size_bytes: opts.sizeBytes,
      runtime_s: opts.runtimeS,
      step_ms: stepMs,
      wall_s: Math.round(wall * 10) / 10,
      settle,
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(pageReporting !== undefined ? { page_reporting: pageReporting } : {}),
      fragment,
      fitted,
      fits: { ...fit, segment, pagein_probe: { ...pageinRun.fit, note: pageinRun.note }, reruns, flush_level: quietLevel, flush_level_pooled: pooledLevel, flush_empty: flushEmpty, flush_gap: gap, flush_gap_note: gapNote, flush_gap_growth: growth, cpu: cpuRun.figures, cpu_note: cpuRun.note, host_spread: host.report, writeback_stage: wbStage },
      checks: {
        journal: {
          measured_mean_us: journalStep.sync?.mean_us ?? null, measured_count: journalStep.sync?.count ?? 0,
          predicted_mean_us: predicted.mean_us, predicted_syncs: predicted.syncs,
          measured_p50_us: journalStep.sync?.p50_us ?? null, predicted_p50_us: predicted.p50_us,
          jbd2_journal: jbd2,
          file_extents: fileExtents,
          note: `4k appends to a new file + fdatasync (fio) vs msync of each appended page with fs.preallocated false (syncsim, linux, ${fsKind ?? 'ext4-ordered'}): ${fsKind === 'ext4-nojournal' ? 'data write, inode block, FLUSH (the block bitmap and group descriptor are left to background writeback); once the file has four extents, the extent tree block before the inode block' : 'data write, jbd2 commit, FLUSH'}`,
        },
        pagein: {
          ...split, readahead_pages: ra,
          predicted_miss_us: ra === null ? null : fit.read.latency.mean_us + Math.min(ra, READ_REQUEST_PAGES) * ((readMbps > 0 ? 4096 / readMbps : 0) + segmentUs),
          note: 'cold sequential mmap read, 4k per access: pages_per_miss is the window a blocking miss brought in (Linux also reads ahead asynchronously, so it may exceed readahead.pages); predicted_miss_us = read_latency + min(readahead.pages, readahead.request_pages) × (4 KiB / read_bandwidth_mbps + segment_us) (the fault waits for the request holding its page, of 4 KiB folios)',
        },
        pagein_probe: probeCheck,
      },
      steps,
      files: { fragment: basename(files.fragment), calibration: basename(files.calibration) },
    };
    makeDirs(dirname(files.fragment));
    // checked again now, after the minutes the benchmarks took: a file made at either place meanwhile is never replaced
    const mayReplace = () => checkCalibrationTargets(opts.out);
    mayReplace();
    writeFileAtomic(files.calibration, JSON.stringify(cal, null, 2) + '\n', undefined, mayReplace);
    // stamped: a later calibration replaces it only while nobody has edited it (traces/text-stamp.ts)
    writeFileAtomic(files.fragment, stampText(fragmentText(cal)), undefined, mayReplace);
    log(`calibrate: done in ${cal.wall_s.toFixed(1)} s`);
    return cal;
  } finally {
    rmSync(work, { recursive: true, force: true });
    release();
    hold?.end();
  }
}
