/**
 * Validation against a real kernel: run a fio mmap job that syncs, replay
 * its I/O log with the `linux` personality and a calibrated device, and
 * compare the measured and simulated msync latency distributions.
 *
 * 1. The job file is checked and rewritten (jobfile.ts; fio-parse.ts: fio's
 *    own parse) so that fio writes its I/O log, per-I/O latency log and JSON
 *    report into the output, its data files into a scratch directory under `dir`.
 * 2. Measured msync latencies: each `sync` / `datasync` entry of the I/O log,
 *    timed to the next entry (fio.ts); fio's JSON `sync` statistics are kept
 *    as a check. (fio's latency log has no sync entries.)
 * 3. The I/O log is imported (the fio-iolog importer: every sync becomes an
 *    msync SYNC of the file's whole mapping), with each msync's measured
 *    latency in an `x_measured_us` column, and replayed with `runTrace`.
 * 4. The k-th measured sync is matched with the k-th simulated msync (in
 *    issue order); a last sync with no log entry after it has no measured
 *    latency and is left out on both sides.
 * 5. Statistics, the demerit figure (demerit.ts), pairs.csv, the CDF chart and
 *    validation.json are written; the whole output directory appears at once
 *    when everything has succeeded (output.ts).
 */
import type { ReportingHold, ReportingRecord } from './page-reporting.ts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { release as osRelease, type as osType } from 'node:os';
import { loadConfig } from '../config-file.ts';
import { runTrace } from '../run.ts';
import { InputError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { deviceSummary } from './device-summary.ts';
import { figureContext } from './validation-table.ts';
import { importWithMeasured } from './sim-side.ts';
import { Flag } from '../../traces/types.ts';
import { comparisonReport, compareReplay } from './compare.ts';
import { DEFAULT_SIM_SEEDS, replayFurtherSeeds, simSeeds, simulatedLabel } from './sim-seeds.ts';

export { validationTable } from './validation-table.ts';
import { pooled, type RunPair } from './noise.ts';
import { calibrate } from './calibration.ts';
import { distStats, type DistStats, type StatComparison } from './demerit.ts';
import { checkMeasurementDir } from './filesystem.ts';
import { fioVersion, iologLatencies, latLogSummary, readFioJson, runFio, SYNC_ACTIONS, type FioLatency, type IologLatencies } from './fio.ts';
import { parseJobFile, prepareJob, type PreparedJob } from './jobfile.ts';
import { checkWithFio } from './fio-parse.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import { StagingDir } from '../../traces/files.ts';
import { validationWriteFailure, writingOut } from './out-failure.ts';
import { warnIfBusy } from './machine-state.ts';
import { settleDevice, settleLimitMs, unsettledWarning } from './sync-steps.ts';
import { takeTurn, type JobTurns } from './rounds.ts';
import { FlushSession, type SessionReport } from './flush-session.ts';

/** Calibration settings used when no calibration file is given. */
export interface AutoCalibration {
  sizeBytes: number;
  runtimeS: number;
  maxDepth: number;
  quick: boolean;
}

/** What to validate and where. */
export interface ValidateOptions {
  /** The fio job file. */
  jobFile: string;
  /** A configuration file with the calibrated device (`syncsim calibrate -o`), or undefined to calibrate first into OUT/calibration/ (the command checks that it exists before claiming OUT). */
  calibration?: string;
  autoCalibration: AutoCalibration;
  /** Output directory (replaced whole when the validation succeeds). */
  out: string;
  /** Directory on the device under test for fio's data files (a scratch directory is made inside and removed). */
  dir: string;
  /** `--set key=value` overrides, applied after `personality=linux`. */
  sets: string[];
  /** Matched msyncs left out at the start, on both sides (warm-up); default 0. */
  warmup?: number;
  /** fio runs of the job (default 2): the measured side pools them, and their spread is the noise floor. */
  repeat?: number;
  /** Replays pooled on the simulated side, with seeds `seed`, `seed + 1`, … (default {@link DEFAULT_SIM_SEEDS}). */
  simSeeds?: number;
  /** Longest wait for the device to settle before run 1 (ms; 0: none); default SETTLE.quickMaxMs. */
  settleMs?: number;
  /** Turns shared with other validations (`npm run validate`: runs in rounds, see rounds.ts); default: this job's runs back to back. */
  turns?: JobTurns;
  log?: (line: string) => void;
  /** Warnings that must be seen (a busy machine), always shown; default none. */
  warn?: (line: string) => void;
  /** No FLUSH probes around the runs: replay with the calibration as it is (alone, validate otherwise refits its FLUSH level: flush-session.ts). */
  calibrationOnly?: boolean;
  /**
   * Starts the hold on the guest's free page reporting (page-reporting.ts: paused, or warned of) once the job and a
   * given profile are checked, so that bad input is refused alone; its state is recorded in the report. Ended by validate.
   */
  reporting?: () => ReportingHold;
}

/** The measured side of validation.json. */
export interface MeasuredReport extends DistStats {
  source: string;
  /** Syncs with no log entry after them (left out). */
  unmatched: number;
  /** fio's own statistics of the same syncs (JSON report, `sync` section). */
  fio_report: FioLatency | null;
  /** Mean of the log-derived latencies minus fio's mean, as % of fio's mean. */
  log_vs_fio_pct: number | null;
  /** Entries of fio's latency log (write_lat_log) per data direction: 0 read, 1 write, 2 sync. */
  lat_log: Record<string, { count: number; mean_us: number }>;
  /** Each run's statistics after the warm-up, and when it started (ISO 8601). */
  runs: ({ run: number; dir: string; syncs: number; started_at?: string } & DistStats)[];
  /** How the runs were ordered: 'back-to-back' (this job alone), or 'rounds' (every job's run r before any job's run r+1: `npm run validate`). */
  run_order?: 'back-to-back' | 'rounds';
}

/** The simulated side of validation.json. */
export interface SimulatedReport extends DistStats {
  /** msyncs that failed in the simulation (left out of the distribution), by result, over every seed replayed. */
  errors: Record<string, number>;
  /**
   * The seeds replayed, their msyncs pooled into the distribution (`--sim-seeds`; sim-seeds.ts): the
   * first wrote `results`; absent in reports written before 2026-12-05, which replayed one seed.
   */
  seeds?: number[];
  /** The replay's results directory (the first seed's), relative to the output. */
  results: string;
}

/** validation.json. */
export interface ValidationReport {
  syncsim_version: string;
  job: {
    file: string;
    name: string;
    /** Jobs fio ran at once (numjobs) or tasks of a trace: one task each. */
    jobs: number;
    /** fio's sync interval, version, data directory and its filesystem (null for a trace). */
    sync_every: number | null;
    fio_version: string | null;
    data_dir: string | null;
    filesystem: string | null;
    /** The program a recorded trace came from (null for fio jobs and other traces). */
    command: string[] | null;
    /** The access advice fio's mmap engine gave the mappings, written on the trace's map rows (null for a trace: its own rows say). */
    advice: 'random' | 'sequential' | null;
  };
  calibration: {
    file: string;
    /** The device model as one line (profile, channels, latencies, bandwidths, cache, flush, read-ahead). */
    device: string;
    channels: number;
    /** The queue model's per-page time and service distribution (null for the other device profiles). */
    per_page_us: number | null;
    service: { dist: string; samples: number | null; mean_us: number } | null;
    /**
     * `syncsim validate` alone: the FLUSH level refitted to probes run before each of its runs and
     * before its replay (device-session.yaml, what it replayed with); null under npm run validate
     * (whose profile is the session's), with --calibration-only, or with nothing to refit.
     */
    session: SessionReport | null;
  };
  config: { personality: string; overrides: string[] };
  /** fio runs of the job (--repeat); the measured side pools them. */
  repeat: number;
  /** The guest's free page reporting while fio ran (null: none; absent for a trace and in reports before 2026-12-07). */
  page_reporting?: ReportingRecord;
  matched_syncs: number;
  /** The first matched msyncs left out of the comparison (--warmup). */
  warmup_syncs: number;
  measured: MeasuredReport;
  simulated: SimulatedReport;
  comparison: Record<'mean' | 'p50' | 'p90' | 'p99', StatComparison>;
  demerit_pct: number;
  rms_distance_us: number;
  /** Demerit between the measured runs, mean over pairs (null with one run). */
  noise_floor_pct: number | null;
  /** demerit_pct / noise_floor_pct (null without a floor). */
  noise_ratio: number | null;
  /**
   * How far apart the measured runs' own p50s are: each run in turn the
   * reference (|other − run| / run), both ways averaged,
   * mean over pairs (%; null with one run; absent in reports written before
   * it). The kernel's own error at the quantile the p50 target judges.
   */
  noise_p50_pct?: number | null;
  /** The same for the p99s. */
  noise_p99_pct?: number | null;
  /** Each pair of measured runs and their demerit. */
  noise_pairs: RunPair[];
  files: Record<string, string | string[]>;
}

/** One fio run of the job as measured (run 1 in the output directory itself, run r in repeat-r/). */
interface MeasuredRun {
  dir: string;
  /** Each concurrent job's syncs. */
  clones: IologLatencies[];
  /** The latencies of every job after the warm-up, pooled, ascending. */
  compared: Float64Array;
  /** Wall-clock start (ISO 8601). */
  startedAt: string;
}

/** fio's own sync statistics of several jobs pooled (count-weighted mean; fio's percentiles do not pool), or null when a job has none. */
function pooledFioSync(stats: readonly (FioLatency | null)[]): FioLatency | null {
  if (stats.length === 1) return stats[0]!;
  if (stats.some((x) => x === null)) return null;
  const all = stats as FioLatency[];
  const count = all.reduce((n, x) => n + x.count, 0);
  if (count === 0) return null;
  const mean = all.reduce((m, x) => m + x.mean_us * x.count, 0) / count;
  // pooled variance: within-job variances plus the spread of the job means
  const variance = all.reduce((v, x) => v + x.count * (x.stddev_us ** 2 + (x.mean_us - mean) ** 2), 0) / count;
  return { count, mean_us: mean, stddev_us: Math.sqrt(variance), p50_us: null, p90_us: null, p99_us: null };
}

/** The keys of validation.json, in order (the tests check every one is there). */
export const VALIDATION_KEYS: readonly (keyof ValidationReport)[] = [
  'syncsim_version', 'job', 'calibration', 'config', 'repeat', 'matched_syncs', 'warmup_syncs', 'measured', 'simulated', 'comparison', 'demerit_pct',
  'rms_distance_us', 'noise_floor_pct', 'noise_ratio', 'noise_p50_pct', 'noise_p99_pct', 'noise_pairs', 'files',
];

/** The report and where it was written. */
export interface ValidationOutcome {
  report: ValidationReport;
  out: string;
}

/** Runs one validation (see the module comment). */
export async function validate(opts: ValidateOptions): Promise<ValidationOutcome> {
  const log = opts.log ?? (() => {});
  const jobPath = opts.jobFile;
  let jobText: Buffer; // bytes: a binary file is named as what it is (parseJobFile)
  try {
    jobText = readFileSync(jobPath);
  } catch (e) {
    throw new InputError(`cannot read fio job file ${jobPath}: ${(e as Error).message}`);
  }
  const parsed = parseJobFile(jobText, jobPath);
  const version = fioVersion();
  let dataDir: string | null = null;
  let stage: StagingDir | undefined; // the handler is in place before the directory exists
  let session: FlushSession | null = null;
  const release = cleanupOnInterrupt(() => {
    stage?.abort();
    // fio, stopped by the same Ctrl-C, may still be making a file in it: tried again then
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  });
  stage = await writingOut(opts.out, () => new StagingDir(opts.out, 'validate'));
  // whether every write now goes into the staging directory (not fio's data directory or a calibration's scratch files)
  let intoStage = false;
  let hold: ReportingHold | undefined;
  try {
    const S = stage.path;
    // checked first: a bad job file fails before anything runs
    const checked = prepareJob(parsed, { iolog: join(S, 'fio.iolog'), latLog: join(S, 'fio'), dataDir: resolve(opts.dir) });
    // then the filesystem the job's files go to (a tmpfs is refused), and fio's own parse of the job (a misspelt option), before any waiting
    const filesystem = checkMeasurementDir(opts.dir, '--dir');
    checkWithFio(parsed, checked.text);
    for (const u of checked.unmodelled) opts.warn?.(`validate: warning: ${u}`);
    let calibrationFile = opts.calibration;
    const sets = ['personality=linux', ...opts.sets];
    // a given profile checked now: a bad one fails before anything is measured (one calibrated here, once it is)
    if (calibrationFile !== undefined) loadConfig(calibrationFile, sets);
    // the measurement from here: free page reporting paused, or warned of
    hold = opts.reporting?.();
    const pageReporting: ReportingRecord | undefined = hold?.record;
    if (calibrationFile === undefined) {
      mkdirSync(join(S, 'calibration'));
      log(`validate: no --calibration: calibrating ${opts.dir} first`);
      await calibrate({ ...opts.autoCalibration, settleMs: opts.settleMs, dir: opts.dir, out: join(S, 'calibration', 'device.yaml'), log, pageReporting });
      calibrationFile = join(S, 'calibration', 'device.yaml');
      loadConfig(calibrationFile, sets); // checked now: a bad profile fails before fio runs
    }
    // alone (not under npm run validate, whose session probes between every job's runs), the FLUSH level of its own runs (flush-session.ts)
    session = opts.turns || opts.calibrationOnly ? null : await FlushSession.start(calibrationFile, join(S, 'device-session.yaml'), opts.dir, (l) => log(l.replace(/^== /, 'validate: ')));

    // 1. fio, `repeat` times: run 1 into S, run r into S/repeat-r/
    // absolute: fio runs in it and the job names it (a relative one was named from inside itself)
    const data = (dataDir = mkdtempSync(join(resolve(opts.dir), 'syncsim-validate-')));
    const repeat = opts.repeat ?? 2;
    const warmup = opts.warmup ?? 0;
    const runs: MeasuredRun[] = [];
    let prepared: PreparedJob | undefined;
    for (let r = 1; r <= repeat; r++) {
      await takeTurn(opts.turns, r, async () => {
        if (r === 1) {
          warnIfBusy(opts.warn);
          // the device of the scratch data directory
          const settle = settleDevice(data, settleLimitMs(opts.settleMs, true));
          const unsettled = unsettledWarning('validate', settle);
          if (unsettled) opts.warn?.(unsettled);
        }
        await session?.probe(`before run ${r}`);
        const R = r === 1 ? S : join(S, `repeat-${r}`);
        if (r > 1) mkdirSync(R);
        const p = prepareJob(parsed, { iolog: join(R, 'fio.iolog'), latLog: join(R, 'fio'), dataDir: data });
        prepared ??= p;
        writeFileSync(join(R, 'job.fio'), p.text);
        log(`validate: running fio job ${p.name}${p.clones.length > 1 ? ` (${p.clones.length} jobs at once)` : ''} (${jobPath})${repeat > 1 ? `, run ${r} of ${repeat}` : ''}`);
        const startedAt = new Date().toISOString();
        await runFio(['--output-format=json', `--output=${join(R, 'fio.json')}`, join(R, 'job.fio')], data);
        const clones: IologLatencies[] = [];
        for (const c of p.clones) {
          const m = await iologLatencies(c.iolog, SYNC_ACTIONS);
          if (m.latencies_us.length === 0) throw new InputError(`${jobPath}: fio logged no timed sync (job ${c.name}): does it write at least ${p.sync_every + 1} blocks?`);
          if (warmup >= m.latencies_us.length) throw new InputError(`--warmup ${warmup} leaves nothing to compare: job ${c.name} has ${m.latencies_us.length} timed syncs`);
          clones.push(m);
        }
        runs.push({ dir: R === S ? '.' : `repeat-${r}`, clones, compared: pooled(clones.map((m) => m.latencies_us.subarray(warmup))), startedAt });
      });
    }
    return await takeTurn(opts.turns, 'replay', async () => {
      // read again: npm run validate refits the FLUSH level of its session profile before the replays (flush-level.ts); alone, this validation's own
      if (session) {
        await session.probe('before the replay');
        session.refit();
        session.close(); // the probe's data file goes before the replay (the finally closes it on failure)
      }
      const job = prepared!;
      const profile = session?.refitted ? session.profile : calibrationFile!;
      const replaySets = withFioReadahead(sets, job.advice, loadConfig(profile, sets).readahead.pages);
      const config = loadConfig(profile, replaySets);
      const first = runs[0]!.clones;
      const matched = first.reduce((n, m) => n + m.latencies_us.length, 0);
      const unmatched = first.reduce((n, m) => n + m.unmatched, 0);
      const fioJobs = readFioJson(join(S, 'fio.json')).jobs;
      const fioReport = pooledFioSync(job.clones.map((c) => fioJobs.find((j) => j.name === c.name)?.sync ?? null));
      const latLogFile = job.clones.length === 1 ? join(S, 'fio_lat.1.log') : `${job.clones[0]!.latLog}_lat.1.log`;
      const latLog = existsSync(latLogFile) ? (await latLogSummary(latLogFile)).entries : {};

      intoStage = true;
      // 2. import run 1 (one task per job) and replay it
      log(`validate: importing ${matched + unmatched} syncs and replaying them (linux personality)`);
      const trace = join(S, 'trace.csv');
      const tasks = job.clones.length === 1 ? ['fio'] : job.clones.map((c) => c.name);
      const msyncs = await importWithMeasured(job.clones.map((c, i) => ({ iolog: c.iolog, task: tasks[i]!, measured: first[i]!.latencies_us })), trace, config.page_size, job.advice === 'random' ? Flag.RANDOM : job.advice === 'sequential' ? Flag.SEQUENTIAL : 0, data);
      msyncs.forEach((n, i) => {
        if (n !== first[i]!.latencies_us.length + first[i]!.unmatched) throw new Error(`the imported trace has ${n} msyncs of task ${tasks[i]}, its I/O log ${first[i]!.latencies_us.length + first[i]!.unmatched} syncs`);
      });
      await runTrace({ trace, config, out: join(S, 'sim') });
      const seeds = simSeeds(config.seed, opts.simSeeds ?? DEFAULT_SIM_SEEDS);
      const further = await replayFurtherSeeds(trace, config, seeds, tasks.map((task, i) => ({ task, n: first[i]!.latencies_us.length })), log);

      // 3. compare, after the warm-up: simulated (the seeds pooled) vs every measured run pooled, and the runs with each other
      const context = figureContext(`${osType()} ${osRelease()}`, version, filesystem, basename(profile), deviceSummary(config).device);
      const cmp = await compareReplay(S, job.name, tasks.map((task, i) => ({ task, issued_us: first[i]!.issued_us, latencies_us: first[i]!.latencies_us })), runs.map((r) => r.compared), warmup, { labels: { measured: 'measured (Linux, fio)', simulated: simulatedLabel('linux', seeds.length) }, context }, further, seeds);
      const chartFiles = cmp.chart;
      const report: ValidationReport = {
        syncsim_version: VERSION,
        job: { file: resolve(jobPath), name: job.name, jobs: job.clones.length, sync_every: job.sync_every, fio_version: version, data_dir: dataDir, filesystem, command: null, advice: job.advice },
        calibration: {
          file: opts.calibration === undefined ? join('calibration', 'device.yaml') : resolve(opts.calibration),
          ...deviceSummary(config),
          session: session?.report() ?? null,
        },
        config: { personality: config.personality, overrides: replaySets },
        repeat,
        ...(pageReporting !== undefined ? { page_reporting: pageReporting } : {}),
        matched_syncs: matched,
        warmup_syncs: warmup,
        measured: {
          source: `fio I/O log: time from each sync entry to the next entry; ${repeat} run(s) pooled`,
          ...cmp.measured,
          unmatched,
          fio_report: fioReport,
          log_vs_fio_pct: fioReport ? (100 * (distStats(pooled(first.map((m) => m.latencies_us))).mean_us - fioReport.mean_us)) / fioReport.mean_us : null,
          lat_log: latLog,
          runs: runs.map((r, i) => ({ run: i + 1, dir: r.dir, syncs: r.clones.reduce((n, m) => n + m.latencies_us.length, 0), started_at: r.startedAt, ...distStats(r.compared) })),
          run_order: opts.turns ? 'rounds' : 'back-to-back',
        },
        ...comparisonReport(cmp, seeds),
        files: {
          job: 'job.fio', iolog: 'fio.iolog', fio_report: 'fio.json', lat_log: 'fio_lat.1.log', trace: 'trace.csv', sim: 'sim', pairs: 'pairs.csv', samples: 'samples.csv', chart: chartFiles,
          repeats: runs.slice(1).map((r) => r.dir),
          ...(opts.calibration === undefined ? { calibration: 'calibration' } : {}),
        },
      };
      writeFileSync(join(S, 'validation.json'), JSON.stringify(report, null, 2) + '\n');
      stage!.commit();
      return { report, out: stage!.out };
    });
  } catch (e) {
    stage.abort();
    throw intoStage ? validationWriteFailure(e, opts.out) : e;
  } finally {
    hold?.end();
    session?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    release();
  }
}

/** Default output directory of a job as written, not normalised: results/validation/<job file name without .fio>. */
export function defaultValidationOutName(jobFile: string): string {
  return `results/validation/${basename(jobFile).replace(/\.(fio|csv|csv\.gz)$/, '') || 'job'}`;
}

/**
 * The replay's `--set` overrides for a fio job: fio also gives the file the
 * advice with posix_fadvise, and POSIX_FADV_SEQUENTIAL doubles the file's
 * read-ahead window (mm/fadvise.c: `ra_pages = bdi->ra_pages * 2`), so a
 * sequential job replays with twice `readahead.pages` (`pages`, resolved).
 */
export function withFioReadahead(sets: readonly string[], advice: 'random' | 'sequential' | null, pages: number): string[] {
  return advice === 'sequential' ? [...sets, `readahead.pages=${Math.min(65536, 2 * pages)}`] : [...sets];
}
