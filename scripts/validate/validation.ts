/**
 * Validation against a real kernel: run a fio mmap job that syncs, replay
 * its I/O log with the `linux` personality and a calibrated device, and
 * compare the measured and simulated msync latency distributions.
 *
 * 1. The job file is checked and rewritten (jobfile.ts) so that fio writes
 *    its I/O log, per-I/O latency log and JSON report into the output, and
 *    its data files into a scratch directory under `dir`; fio runs it.
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
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadConfig } from '../config-file.ts';
import { runTrace } from '../run.ts';
import { InputError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { fioIologImporter } from '../../traces/import/fio-iolog.ts';
import { DEFAULT_SYNC_FLAGS } from '../../traces/import/sync-injector.ts';
import { TraceWriter } from '../../traces/writer.ts';
import type { ImportStats } from '../../traces/import/importer.ts';
import { openCsv, numberField } from '../../reports/csv.ts';
import { validationCdfChart } from '../../reports/charts/validation-cdf.ts';
import { layoutChart, svgToPdf, svgToPng } from '../../reports/render.ts';
import { prettyJson } from '../../reports/report.ts';
import { THEMES } from '../../reports/theme.ts';
import { serviceMean } from '../../sim/device/service.ts';
import { calibrate, type CalibrationMode } from './calibration.ts';
import { compareStats, demerit, distStats, sortedCopy, type DistStats, type StatComparison } from './demerit.ts';
import { checkMeasurementDir } from './filesystem.ts';
import { fioVersion, iologLatencies, latLogSummary, readFioJson, runFio, type FioLatency } from './fio.ts';
import { parseJobFile, prepareJob } from './jobfile.ts';
import { cleanupOnInterrupt } from './output.ts';
import { StagingDir } from '../../traces/files.ts';

/** Calibration settings used when no calibration file is given. */
export interface AutoCalibration {
  sizeBytes: number;
  runtimeS: number;
  mode: CalibrationMode;
  maxDepth: number;
}

/** What to validate and where. */
export interface ValidateOptions {
  /** The fio job file. */
  jobFile: string;
  /** A configuration file with the calibrated device (`syncsim calibrate -o`), or undefined to calibrate first into OUT/calibration/. */
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
  log?: (line: string) => void;
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
}

/** The simulated side of validation.json. */
export interface SimulatedReport extends DistStats {
  /** msyncs that failed in the simulation (left out of the distribution), by result. */
  errors: Record<string, number>;
  /** The replay's results directory, relative to the output. */
  results: string;
}

/** validation.json. */
export interface ValidationReport {
  syncsim_version: string;
  job: { file: string; name: string; sync_every: number; fio_version: string; data_dir: string | null; filesystem: string | null };
  calibration: {
    file: string;
    channels: number;
    per_page_us: number;
    service: { dist: string; samples: number | null; mean_us: number };
  };
  config: { personality: string; overrides: string[] };
  matched_syncs: number;
  /** The first matched msyncs left out of the comparison (--warmup). */
  warmup_syncs: number;
  measured: MeasuredReport;
  simulated: SimulatedReport;
  comparison: Record<'mean' | 'p50' | 'p90' | 'p99', StatComparison>;
  demerit_pct: number;
  rms_distance_us: number;
  files: Record<string, string | string[]>;
}

/** The keys of validation.json, in order (the tests check every one is there). */
export const VALIDATION_KEYS: readonly (keyof ValidationReport)[] = [
  'syncsim_version', 'job', 'calibration', 'config', 'matched_syncs', 'warmup_syncs', 'measured', 'simulated', 'comparison', 'demerit_pct', 'rms_distance_us', 'files',
];

/** The report and where it was written. */
export interface ValidationOutcome {
  report: ValidationReport;
  out: string;
}

const SYNC_ACTIONS: ReadonlySet<string> = new Set(['sync', 'datasync']);

/** Runs one validation (see the module comment). */
export async function validate(opts: ValidateOptions): Promise<ValidationOutcome> {
  const log = opts.log ?? (() => {});
  const jobPath = opts.jobFile;
  let jobText: string;
  try {
    jobText = readFileSync(jobPath, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read fio job file ${jobPath}: ${(e as Error).message}`);
  }
  const parsed = parseJobFile(jobText, jobPath);
  if (opts.calibration !== undefined && !existsSync(opts.calibration)) throw new InputError(`calibration file not found: ${opts.calibration}`);
  const version = fioVersion();
  const stage = new StagingDir(opts.out, 'validate');
  let dataDir: string | null = null;
  const release = cleanupOnInterrupt(() => {
    stage.abort();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    const S = stage.path;
    // checked first: a bad job file fails before anything runs
    const outputs = { iolog: join(S, 'fio.iolog'), latLog: join(S, 'fio') };
    const checked = prepareJob(parsed, { ...outputs, dataDir: '' });
    let calibrationFile = opts.calibration;
    if (calibrationFile === undefined) {
      mkdirSync(join(S, 'calibration'));
      log(`validate: no --calibration: calibrating ${opts.dir} first`);
      await calibrate({ ...opts.autoCalibration, dir: opts.dir, out: join(S, 'calibration', 'device.yaml'), log });
      calibrationFile = join(S, 'calibration', 'device.yaml');
    }
    const sets = ['personality=linux', ...opts.sets];
    const config = loadConfig(calibrationFile, sets);

    // 1. fio
    let filesystem: string | null = null;
    if (!checked.has_location) {
      filesystem = checkMeasurementDir(opts.dir, '--dir');
      dataDir = mkdtempSync(join(opts.dir, 'syncsim-validate-'));
    }
    const prepared = prepareJob(parsed, { ...outputs, dataDir: dataDir ?? '' });
    writeFileSync(join(S, 'job.fio'), prepared.text);
    log(`validate: running fio job ${prepared.name} (${jobPath})`);
    await runFio(['--output-format=json', `--output=${join(S, 'fio.json')}`, join(S, 'job.fio')], dataDir ?? process.cwd());

    // 2. measured
    const m = await iologLatencies(join(S, 'fio.iolog'), SYNC_ACTIONS);
    const matched = m.latencies_us.length;
    if (matched === 0) throw new InputError(`${jobPath}: fio logged no timed sync (job ${prepared.name}): does it write at least ${prepared.sync_every + 1} blocks?`);
    const fioReport = readFioJson(join(S, 'fio.json')).jobs.find((j) => j.name === prepared.name)?.sync ?? null;
    const latLogFile = join(S, 'fio_lat.1.log');
    const latLog = existsSync(latLogFile) ? (await latLogSummary(latLogFile)).entries : {};

    // 3. import and replay
    log(`validate: importing ${matched + m.unmatched} syncs and replaying them (linux personality)`);
    const trace = join(S, 'trace.csv');
    const msyncs = await importWithMeasured(join(S, 'fio.iolog'), trace, m.latencies_us, config.page_size);
    if (msyncs !== matched + m.unmatched) throw new Error(`the imported trace has ${msyncs} msyncs, the I/O log ${matched + m.unmatched} syncs`);
    await runTrace({ trace, config, out: join(S, 'sim') });
    const sim = await simulatedSyncs(join(S, 'sim', 'syncs.csv'), matched);

    // 4. compare, after the warm-up
    const warmup = opts.warmup ?? 0;
    if (warmup >= matched) throw new InputError(`--warmup ${warmup} leaves nothing to compare: the job has ${matched} timed syncs`);
    const ok: number[] = [];
    const errors: Record<string, number> = {};
    sim.results.forEach((r, i) => {
      if (i < warmup) return;
      if (r === 'OK') ok.push(sim.latencies_us[i]!);
      else errors[r] = (errors[r] ?? 0) + 1;
    });
    if (ok.length === 0) throw new InputError(`every simulated msync failed (${Object.entries(errors).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    const measSorted = sortedCopy(m.latencies_us.subarray(warmup));
    const simSorted = sortedCopy(ok);
    const measStats = distStats(measSorted);
    const simStats = distStats(simSorted);
    const d = demerit(measSorted, simSorted);
    writePairs(join(S, 'pairs.csv'), m.issued_us, m.latencies_us, sim, warmup);

    // 5. chart and report
    const chartFiles = await writeChart(S, prepared.name, measSorted, simSorted, d.demerit_pct);
    const svc = config.device.service;
    const report: ValidationReport = {
      syncsim_version: VERSION,
      job: { file: resolve(jobPath), name: prepared.name, sync_every: prepared.sync_every, fio_version: version, data_dir: dataDir, filesystem },
      calibration: {
        file: opts.calibration === undefined ? join('calibration', 'device.yaml') : resolve(opts.calibration),
        channels: config.device.channels,
        per_page_us: config.device.per_page_us,
        service: { dist: svc.dist, samples: svc.dist === 'empirical' ? (svc.samples_us?.length ?? 0) : null, mean_us: serviceMean(svc) },
      },
      config: { personality: config.personality, overrides: sets },
      matched_syncs: matched,
      warmup_syncs: warmup,
      measured: {
        source: 'fio I/O log: time from each sync entry to the next entry',
        ...measStats,
        unmatched: m.unmatched,
        fio_report: fioReport,
        log_vs_fio_pct: fioReport ? (100 * (measStats.mean_us - fioReport.mean_us)) / fioReport.mean_us : null,
        lat_log: latLog,
      },
      simulated: { ...simStats, errors, results: 'sim' },
      comparison: compareStats(measStats, simStats),
      demerit_pct: d.demerit_pct,
      rms_distance_us: d.rms_distance_us,
      files: {
        job: 'job.fio', iolog: 'fio.iolog', fio_report: 'fio.json', lat_log: 'fio_lat.1.log', trace: 'trace.csv', sim: 'sim', pairs: 'pairs.csv', chart: chartFiles,
        ...(opts.calibration === undefined ? { calibration: 'calibration' } : {}),
      },
    };
    writeFileSync(join(S, 'validation.json'), JSON.stringify(report, null, 2) + '\n');
    stage.commit();
    return { report, out: stage.out };
  } catch (e) {
    stage.abort();
    throw e;
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    release();
  }
}

/**
 * Imports fio I/O log `iolog` into native trace `out`, giving the k-th msync
 * the k-th measured latency in `x_measured_us`; returns the number of msyncs.
 */
async function importWithMeasured(iolog: string, out: string, measured: Float64Array, pageSize: number): Promise<number> {
  const w = await TraceWriter.open(out, { extraCols: ['x_measured_us'] });
  let k = 0;
  try {
    const stats: ImportStats = {};
    for await (const batch of fioIologImporter.rows(iolog, { pageSize, syncFlags: DEFAULT_SYNC_FLAGS }, stats)) {
      for (const row of batch) {
        if (row.op === 'msync') {
          if (k < measured.length) row.extra = { x_measured_us: String(measured[k]) };
          k++;
        }
        await w.write(row);
      }
    }
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return k;
}

/** The first `n` simulated msyncs in issue order: latency, result and pages written. */
interface SimSyncs {
  latencies_us: Float64Array;
  results: string[];
  pages: Float64Array;
}

async function simulatedSyncs(file: string, n: number): Promise<SimSyncs> {
  const f = await openCsv(file, ['t_issue_us', 'latency_us', 'pages_written', 'result']);
  const rows: { t: number; seq: number; lat: number; pages: number; result: string }[] = [];
  let seq = 0;
  for await (const row of f.rows) {
    rows.push({
      t: numberField(f, row, 't_issue_us', 0), seq: seq++, lat: numberField(f, row, 'latency_us', 0),
      pages: numberField(f, row, 'pages_written', 0), result: row.fields[f.col.result!]!,
    });
  }
  rows.sort((a, b) => a.t - b.t || a.seq - b.seq);
  if (rows.length < n) throw new Error(`the replay recorded ${rows.length} msyncs, expected at least ${n}`);
  const first = rows.slice(0, n);
  return { latencies_us: Float64Array.from(first, (r) => r.lat), results: first.map((r) => r.result), pages: Float64Array.from(first, (r) => r.pages) };
}

/** pairs.csv: one row per matched sync, measured beside simulated; `compared` 0 for the warm-up ones. */
function writePairs(file: string, issued: Float64Array, measured: Float64Array, sim: SimSyncs, warmup: number): void {
  const fd = openSync(file, 'w');
  try {
    let buf = 'sync,t_fio_us,pages_written,measured_us,simulated_us,result,compared\n';
    for (let i = 0; i < measured.length; i++) {
      buf += `${i},${issued[i]},${sim.pages[i]},${measured[i]},${sim.latencies_us[i]},${sim.results[i]},${i < warmup ? 0 : 1}\n`;
      if (buf.length > 1 << 16) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/** Draws validation-cdf.{vl.json,svg,png,pdf} into `dir`; returns the file names. */
async function writeChart(dir: string, job: string, meas: Float64Array, sim: Float64Array, demeritPct: number): Promise<string[]> {
  const theme = THEMES.paper;
  const chart = validationCdfChart({ job, measured: meas, simulated: sim, labels: { measured: 'measured (Linux, fio)', simulated: 'simulated (syncsim linux)' }, demerit_pct: demeritPct }, theme);
  const laid = await layoutChart(chart, theme.widths.single, theme.padding);
  const files: [string, string | Buffer][] = [
    [`${chart.name}.vl.json`, prettyJson(laid.spec) + '\n'],
    [`${chart.name}.svg`, laid.svg],
    [`${chart.name}.png`, svgToPng(laid.svg, theme.pngScale).png],
    [`${chart.name}.pdf`, await svgToPdf(laid.svg, laid.width, laid.height, chart.title)],
  ];
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
  return files.map(([n]) => n);
}

/** A readable table of a validation. */
export function validationTable(r: ValidationReport, out: string): string {
  const f = (v: number) => v.toFixed(1);
  const rows: [string, string][] = [
    ['job', `${r.job.file} (${r.job.name}, ${r.job.fio_version}, fsync every ${r.job.sync_every} writes)`],
    ['calibration', `${r.calibration.file}: channels ${r.calibration.channels}, per_page_us ${r.calibration.per_page_us}, service ${r.calibration.service.dist} mean ${f(r.calibration.service.mean_us)} µs`],
    ['msyncs matched', `${r.matched_syncs}${r.warmup_syncs ? ` (the first ${r.warmup_syncs} left out as warm-up)` : ''}${r.measured.unmatched ? ` (${r.measured.unmatched} last one without a measured latency left out)` : ''}${Object.keys(r.simulated.errors).length ? `; simulated failures ${JSON.stringify(r.simulated.errors)}` : ''}`],
    ['msync latency (µs)', `${'measured'.padStart(10)} ${'simulated'.padStart(10)}  sim/meas`],
    ...(['mean', 'p50', 'p90', 'p99'] as const).map((k): [string, string] => {
      const c = r.comparison[k];
      return [`  ${k}`, `${f(c.measured_us).padStart(10)} ${f(c.simulated_us).padStart(10)}  ${c.ratio === null ? '-' : c.ratio.toFixed(2)}`];
    }),
    ['demerit', `${r.demerit_pct.toFixed(1)} % (RMS horizontal distance ${f(r.rms_distance_us)} µs / measured mean ${f(r.measured.mean_us)} µs)`],
    ['fio check', r.measured.fio_report ? `fio's own sync mean ${f(r.measured.fio_report.mean_us)} µs over ${r.measured.fio_report.count} syncs (log-derived mean ${r.measured.log_vs_fio_pct! >= 0 ? '+' : ''}${r.measured.log_vs_fio_pct!.toFixed(1)} %)` : '-'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`), `results: ${out}`].join('\n');
}

/** Default output directory of a job as written, not normalised: results/validation/<job file name without .fio>. */
export function defaultValidationOutName(jobFile: string): string {
  return `results/validation/${basename(jobFile).replace(/\.fio$/, '') || 'job'}`;
}
