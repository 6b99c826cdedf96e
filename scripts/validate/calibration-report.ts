/**
 * What `syncsim calibrate` writes beside its profile (device.calibration.json):
 * every fitted key with its provenance, the fits and checks, and each step.
 */
import type { ReportingRecord } from './page-reporting.ts';
import type { pageinProbeCheck } from './model-check.ts';
import type { WritebackStage } from './writeback-stage.ts';
import type { CompletionFit } from './completion-fit.ts';
import type { FioLatency } from './fio.ts';
import type { ChannelFit, DestageFit, DestageRateFit, FlushFit, LatencyBandwidthFit, PageinSplit } from './fit.ts';
import type { FlushGapFit, GapGrowth } from './flush-gap.ts';
import type { BlockDevice } from './blockdev.ts';
import type { CpuFigures } from '../measure/cpu-fit.ts';
import type { PageinProbeFit } from './pagein-probe.ts';
import type { SegmentFit, StepReport } from './calibration-fit.ts';
import type { Rerun } from './step-rerun.ts';
import type { NoSubmissionFit, SubmissionFit } from './submission-fit.ts';
import type { SessionLevel } from './flush-level.ts';
import type { HostSpreadReport } from './host-spread.ts';
import type { Settle } from './sync-steps.ts';

/** One fitted key: its value, how well it fits and where it came from. */
export interface FittedValue {
  value: unknown;
  /** R² of the line (latency fits), or null. */
  r2: number | null;
  /** Points (sizes, depths) or samples behind it. */
  n: number;
  /** The microbenchmarks it came from and how. */
  from: string;
}

/** Everything a calibration measured and fitted (device.calibration.json). */
export interface Calibration {
  syncsim_version: string;
  fio_version: string;
  dir: string;
  filesystem: string;
  block_device: BlockDevice | null;
  quick: boolean;
  size_bytes: number;
  runtime_s: number;
  step_ms: number;
  /** Wall time of the whole calibration (s). */
  wall_s: number;
  /** The wait, before the first step, for the device to settle. */
  settle: Settle;
  /** What the calibration warned of (the FLUSH probes far apart: sync-steps.ts flushSpreadWarning); absent when nothing, and in reports before 2026-12-07. */
  warnings?: string[];
  /** The guest's free page reporting while it measured (null: none; absent in reports before 2026-12-07). */
  page_reporting?: ReportingRecord;
  /** The fragment's keys: device.*, readahead.pages (when sysfs gave read_ahead_kb), fs.*, cpu.* (when the CPU probe ran). */
  fragment: { device: Record<string, unknown>; readahead?: { pages: number }; fs?: Record<string, unknown>; cpu?: Record<string, number> };
  /** Each fitted key (dotted) and its provenance. */
  fitted: Record<string, FittedValue>;
  fits: {
    read: LatencyBandwidthFit; write: LatencyBandwidthFit;
    /** Page-cache writeback time vs size (wb-* steps); null when fio timed fewer than two sizes. */
    writeback: LatencyBandwidthFit | null;
    channels_read: ChannelFit; channels_write: ChannelFit;
    /** Steps run again because they lay far above the line of their group (step-rerun.ts). */
    reruns: Rerun[];
    /** The serial submission stage (qb-write-* against qd-write-*), or why there is none. */
    submission: SubmissionFit | NoSubmissionFit;
    /** Whether a submitted batch completes at once (qr-write-16: `device.submit_completion`), or why it was not judged; absent in reports of earlier versions. */
    completion?: CompletionFit | { reason: string };
    flush: FlushFit;
    destage: DestageFit | null;
    /** The rate a FLUSH destages at (flush, flush-size-*: `device.media_mbps`), when the cache destages on FLUSH and the steps gave two sizes; null or absent (reports of earlier versions) otherwise. */
    destage_rate?: DestageRateFit | null;
    /** The FLUSH-gap probe's fit (flush-gap.ts): a device.flush_gap table and the destage per write with the time between FLUSHes taken out, reported and not put in the profile (docs/validation-notes.md, "What is still off", "The FLUSH grows with the time since the previous one"); null when it could not run (`flush_gap_note` says why). Absent in reports of earlier versions. */
    flush_gap?: FlushGapFit | null;
    flush_gap_note?: string;
    /** Whether the FLUSH-gap table went in the profile: the FLUSH after the long gaps clearly above the back-to-back one (flush-gap.ts, gapGrowth); null without a table. Absent in reports of earlier versions. */
    flush_gap_growth?: GapGrowth | null;
    /** fdatasync with nothing written (a FLUSH of an empty cache), timed by syncsim: flush_empty_us. */
    flush_empty: FioLatency;
    /** The FLUSH level flush_us and flush_cv were fitted to: the 1-write fdatasyncs of the quietest flush-probe-K or flush step (lowest median) among those right after a write step; null when fio's I/O logs gave no timed syncs (fio < 3.31; then the flush step's own figures). */
    flush_level: FioLatency | null;
    /** Every 1-write fdatasync of the steps after writes pooled (reported, not fitted); null as flush_level. */
    flush_level_pooled: FioLatency | null;
    /** Only in a session profile of `npm run validate` (flush-level.ts): the FLUSH probes run between the jobs' runs, pooled, that flush_us, flush_empty_us and flush_cv were refitted to. */
    flush_level_session?: SessionLevel;
    /** The host's speed shared by the times of one msync (host-spread.ts), fitted to the FLUSH-level steps after writes, with the device keys before the split (`marginal`); absent in reports of earlier versions. */
    host_spread?: HostSpreadReport;
    /** The CPU probe's figures on the file system under --dir; null when it could not run (`cpu_note` says why). */
    cpu: CpuFigures | null;
    cpu_note: string;
    /** What the CPU probe's writeback samples make of the stage's cost a write (writeback-stage.ts), reported beside the batch fit, which the profile keeps; null without a stage or writeback samples; absent in reports of earlier versions. */
    writeback_stage?: WritebackStage | null;
    /** A read's cost per scatter-gather segment (the probe segment-read.c: `device.segment_us`), or why none was fitted; absent in reports of earlier versions. */
    segment?: SegmentFit | { reason: string };
    /** The page-in probe's cold reads through a mapping (pagein-read.c: `device.read_bandwidth_mbps`, the rate of its later windows), or why none; absent in reports of earlier versions. */
    pagein_probe?: PageinProbeFit & { note: string };
  };
  checks: {
    journal: {
      measured_mean_us: number | null; measured_count: number; predicted_mean_us: number; predicted_syncs: number;
      /** The medians (µs): fio's, which rare stalls of the host move less than its mean, and the model's; absent in reports of earlier versions. */
      measured_p50_us?: number | null; predicted_p50_us?: number;
      /** Whether the file system under --dir runs a jbd2 journal (/proc/fs/jbd2/NAME-*); null when unknown. */
      jbd2_journal: boolean | null;
      /**
       * The appended file's extents (filefrag -v) and the share of its appends after the fourth began, whose
       * fdatasyncs also wrote an extent tree block (the prediction pools both kinds in these shares); the
       * reason when filefrag could not say. Absent in reports of earlier versions.
       */
      file_extents?: { extents: number; blocks: number; extent_leaf_share: number } | { reason: string };
      note: string;
    };
    pagein: PageinSplit & { readahead_pages: number | null; predicted_miss_us: number | null; note: string };
    /**
     * The page-in probe's cold read against the model's replay of it with the fitted profile
     * (model-check.ts, predictPageinProbe): the median time of the whole read and of its first
     * window, measured and simulated (µs); null without a probe rate. Absent in reports of earlier versions.
     */
    pagein_probe?: ReturnType<typeof pageinProbeCheck> | null;
  };
  steps: StepReport[];
  files: { fragment: string; calibration: string };
}
