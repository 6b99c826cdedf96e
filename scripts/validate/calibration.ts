/**
 * Calibration: measuring a real device with fio as syncsim models it, and
 * writing the fitted `device` configuration fragment.
 *
 * Two fio runs in a scratch directory under `dir`:
 * 1. Channel probe: 4 KiB O_DIRECT random writes (libaio) at queue depths
 *    1, 2, 4, ... up to `maxDepth`; channels = round(peak IOPS × depth-1
 *    latency) (fit.ts).
 * 2. Sizes: synchronous random writes of 1, 8, 32 and 128 pages, one at a
 *    time (queue depth 1), then `channels` jobs at once (queue depth =
 *    channels) each on its own file. Mode `fdatasync` (default): a buffered
 *    write then fdatasync(2), timing the fdatasync, which is the path
 *    msync(MS_SYNC) takes (write back the dirty pages, wait, flush the
 *    device cache); mode `direct`: O_DIRECT writes, the bare device.
 * Each sample is the time from an operation's entry in fio's I/O log to the
 * next entry (fio.ts). per_page_us and the empirical service distribution
 * are fitted on the queue-depth-1 samples (fit.ts); the depth-`channels`
 * medians are kept beside them to show how well c independent servers
 * describe the device.
 *
 * Output, for `-o device.yaml`: `device.yaml` (the fragment: profile queue
 * — the queueing model is what calibration fits —, channels, per_page_us, service {dist: empirical, file: device.service.csv}),
 * `device.service.csv` (`latency_us`: the fitted service samples),
 * `device.samples.csv` (every raw sample) and `device.calibration.json` (the
 * fit, the probe, fio's own statistics). Each file is written atomically,
 * the fragment last.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { checkMeasurementDir } from './filesystem.ts';
import { fioVersion, iologLatencies, readFioJson, runFio, type FioJobReport } from './fio.ts';
import { fitChannels, fitService, median, type ChannelFit, type DepthProbe, type ServiceFit } from './fit.ts';
import { cleanupOnInterrupt } from './output.ts';
import { writeFileAtomic } from '../../traces/files.ts';
import { checkOutFile } from '../../traces/out-dir.ts';
import { distStats, sortedCopy, type DistStats } from './demerit.ts';
import { VERSION } from '../version.ts';
import { InputError } from '../errors.ts';

/** Write sizes measured, in pages. */
export const CALIBRATION_PAGES: readonly number[] = [1, 8, 32, 128];
/** Page size of the measurements (syncsim's default `page_size`). */
export const CALIBRATION_PAGE_SIZE = 4096;
/** How the synchronous writes are made. */
export const CALIBRATION_MODES = ['fdatasync', 'direct'] as const;
/** A calibration mode. */
export type CalibrationMode = (typeof CALIBRATION_MODES)[number];
/** Shortest fio run of one step (ms). */
const MIN_STEP_MS = 100;

/** What to measure and where to write it. */
export interface CalibrateOptions {
  /** Directory on the device to measure (a scratch directory is made inside and removed). */
  dir: string;
  /** Bytes of the test file (split over the files of the concurrent jobs). */
  sizeBytes: number;
  /** Total fio time budget in seconds, shared by every step. */
  runtimeS: number;
  mode: CalibrationMode;
  /** Deepest queue of the channel probe (a power of two). */
  maxDepth: number;
  /** The fragment to write (YAML). */
  out: string;
  /** Progress lines (e.g. to standard error), or undefined for none. */
  log?: (line: string) => void;
}

/** Queue-depth-1 and depth-`channels` latencies of one size. */
export interface SizeReport {
  pages: number;
  depth1: DistStats;
  /** null when channels is 1 (the same measurement). */
  depthC: DistStats | null;
  /** median at depth `channels` ÷ median at depth 1 (1 for ideal independent servers). */
  median_ratio: number | null;
  /** fio's own mean for the measured operation at depth 1 (µs) and the log-derived mean's difference from it. */
  fio_mean_us: number | null;
  log_vs_fio_pct: number | null;
}

/** Everything a calibration measured and fitted (device.calibration.json). */
export interface Calibration {
  syncsim_version: string;
  fio_version: string;
  dir: string;
  filesystem: string;
  mode: CalibrationMode;
  size_bytes: number;
  runtime_s: number;
  step_ms: number;
  page_size: number;
  device: { profile: 'queue'; channels: number; per_page_us: number; service: { dist: 'empirical'; file: string } };
  service: { samples: number; clamped: number; mean_us: number; p50_us: number; p90_us: number; p99_us: number };
  fit: { intercept_us: number; slope_us: number; r2: number; sizes: ServiceFit['sizes'] };
  channel_fit: ChannelFit;
  probe: DepthProbe[];
  sizes: SizeReport[];
  /** The four files, by name (they are side by side). */
  files: { fragment: string; service: string; samples: string; calibration: string };
}

/** Depths 1, 2, 4, ... up to `max`. */
export function probeDepths(max: number): number[] {
  const d: number[] = [];
  for (let q = 1; q <= max; q *= 2) d.push(q);
  return d;
}

/** The sibling files of fragment `out` (absolute): device.yaml → device.service.csv, device.samples.csv, device.calibration.json. */
export function calibrationFiles(out: string): Calibration['files'] {
  const abs = resolve(out);
  const base = join(dirname(abs), basename(abs).replace(/\.(ya?ml|json)$/i, ''));
  return { fragment: abs, service: `${base}.service.csv`, samples: `${base}.samples.csv`, calibration: `${base}.calibration.json` };
}

/** How each file of a calibration starts (the first bytes), so that `syncsim calibrate` replaces only files it wrote. */
const CALIBRATION_HEADS: Record<keyof Calibration['files'], RegExp> = {
  fragment: /^# syncsim calibrate /,
  service: /^# syncsim calibrate: /,
  samples: /^phase,depth,job,pages,latency_us\r?\n/,
  calibration: /^\{\s*"syncsim_version":/,
};

/**
 * Checks, before anything is measured, that the files of fragment `out` may
 * be written: each is missing or a file an earlier calibration wrote (a
 * directory, a symbolic link or another file is refused with an OutDirError).
 */
export function checkCalibrationTargets(out: string): void {
  if (out === '') checkOutFile(out, out, () => false);
  const files = calibrationFiles(out);
  for (const k of Object.keys(CALIBRATION_HEADS) as (keyof Calibration['files'])[]) checkOutFile(files[k], out, (text) => CALIBRATION_HEADS[k].test(text));
}

const jobText = (global: string[], jobs: [string, string[]][]) =>
  [['[global]', ...global], ...jobs.map(([n, o]) => [`[${n}]`, ...o])].map((s) => s.join('\n')).join('\n\n') + '\n';

function findJob(jobs: FioJobReport[], name: string): FioJobReport {
  const j = jobs.find((x) => x.name === name);
  if (!j) throw new InputError(`fio's report has no job '${name}'`);
  return j;
}

/** Measures the device under `opts.dir`, fits it and writes the fragment and its files. */
export async function calibrate(opts: CalibrateOptions): Promise<Calibration> {
  const log = opts.log ?? (() => {});
  const version = fioVersion();
  const filesystem = checkMeasurementDir(opts.dir, '--dir');
  const files = calibrationFiles(opts.out);
  const depths = probeDepths(opts.maxDepth);
  const steps = depths.length + 2 * CALIBRATION_PAGES.length;
  const stepMs = Math.max(MIN_STEP_MS, Math.floor((opts.runtimeS * 1000) / steps));
  const page = CALIBRATION_PAGE_SIZE;
  const maxBytes = CALIBRATION_PAGES[CALIBRATION_PAGES.length - 1]! * page;
  if (opts.sizeBytes < 4 * maxBytes) throw new InputError(`--size must be at least ${(4 * maxBytes) >> 10}k (four of the largest writes)`);
  const work = mkdtempSync(join(opts.dir, 'syncsim-calibrate-'));
  const release = cleanupOnInterrupt(() => rmSync(work, { recursive: true, force: true }));
  try {
    const common = [`directory=${work}`, 'rw=randwrite', 'time_based', `runtime=${stepMs}ms`, 'norandommap', 'randrepeat=0'];

    // 1. channel probe
    log(`calibrate: probing queue depths ${depths.join(', ')} (${depths.length} × ${stepMs} ms, 4 KiB O_DIRECT writes)`);
    const probeFile = join(work, 'probe.fio');
    writeFileSync(probeFile, jobText(
      [...common, 'filename=cal.0', `size=${opts.sizeBytes}`, `bs=${page}`, 'direct=1', 'ioengine=libaio'],
      depths.map((q) => [`qd${q}`, ['stonewall', `iodepth=${q}`]]),
    ));
    await runFio(['--output-format=json', `--output=${join(work, 'probe.json')}`, probeFile], work);
    const probeReport = readFioJson(join(work, 'probe.json'));
    const probe: DepthProbe[] = depths.map((q) => {
      const j = findJob(probeReport.jobs, `qd${q}`);
      return { depth: q, iops: j.write_iops, mean_latency_us: j.write?.mean_us ?? 0 };
    });
    const channelFit = fitChannels(probe, opts.maxDepth);
    const c = channelFit.channels;
    log(`calibrate: ${c} channel(s) (peak ${Math.round(channelFit.peak_iops)} IOPS at depth ${channelFit.peak_depth}, ${channelFit.depth1_latency_us.toFixed(1)} µs at depth 1)`);

    // 2. sizes at depth 1 and depth c
    const perFile = Math.max(4 * maxBytes, Math.floor(opts.sizeBytes / c / maxBytes) * maxBytes);
    const modeOpts = opts.mode === 'fdatasync' ? ['fdatasync=1'] : ['direct=1'];
    const jobs: [string, string[]][] = [];
    const iolog = (name: string) => join(work, `${name}.iolog`);
    for (const p of CALIBRATION_PAGES) {
      const bs = `bs=${p * page}`;
      jobs.push([`p${p}-qd1`, ['stonewall', 'filename=cal.0', `size=${opts.sizeBytes}`, bs, `write_iolog=${iolog(`p${p}-qd1`)}`]]);
      if (c > 1) {
        for (let k = 0; k < c; k++) {
          const name = `p${p}-qd${c}-j${k}`;
          jobs.push([name, [...(k === 0 ? ['stonewall'] : []), `filename=cal.${k}`, `size=${perFile}`, bs, `write_iolog=${iolog(name)}`]]);
        }
      }
    }
    log(`calibrate: timing ${opts.mode} writes of ${CALIBRATION_PAGES.join(', ')} pages at depth 1${c > 1 ? ` and ${c}` : ''} (${(c > 1 ? 2 : 1) * CALIBRATION_PAGES.length} × ${stepMs} ms)`);
    const sizesFile = join(work, 'sizes.fio');
    writeFileSync(sizesFile, jobText([...common, 'ioengine=psync', ...modeOpts], jobs));
    await runFio(['--output-format=json', `--output=${join(work, 'sizes.json')}`, sizesFile], work);
    const sizesReport = readFioJson(join(work, 'sizes.json'));

    const actions = new Set(opts.mode === 'fdatasync' ? ['sync', 'datasync'] : ['write']);
    const raw: string[] = ['phase,depth,job,pages,latency_us'];
    const depth1 = new Map<number, Float64Array>();
    const depthC = new Map<number, Float64Array>();
    for (const p of CALIBRATION_PAGES) {
      const one = await iologLatencies(iolog(`p${p}-qd1`), actions);
      if (one.latencies_us.length === 0) throw new InputError(`calibration: fio logged no ${[...actions].join('/')} for ${p}-page writes (a longer --runtime?)`);
      depth1.set(p, one.latencies_us);
      for (const v of one.latencies_us) raw.push(`sizes,1,0,${p},${v}`);
      if (c > 1) {
        const all: number[] = [];
        for (let k = 0; k < c; k++) {
          const r = await iologLatencies(iolog(`p${p}-qd${c}-j${k}`), actions);
          for (const v of r.latencies_us) {
            all.push(v);
            raw.push(`sizes,${c},${k},${p},${v}`);
          }
        }
        depthC.set(p, Float64Array.from(all));
      }
    }
    const fit = fitService(CALIBRATION_PAGES.map((p) => ({ pages: p, latencies_us: depth1.get(p)! })), (v) => round(v, 4));
    const sizes: SizeReport[] = CALIBRATION_PAGES.map((p) => {
      const d1 = distStats(sortedCopy(depth1.get(p)!));
      const dc = depthC.has(p) && depthC.get(p)!.length > 0 ? distStats(sortedCopy(depthC.get(p)!)) : null;
      const j = findJob(sizesReport.jobs, `p${p}-qd1`);
      const fioMean = (opts.mode === 'fdatasync' ? j.sync : j.write)?.mean_us ?? null;
      return {
        pages: p, depth1: d1, depthC: dc,
        median_ratio: dc ? median(depthC.get(p)!) / median(depth1.get(p)!) : null,
        fio_mean_us: fioMean,
        log_vs_fio_pct: fioMean ? (100 * (d1.mean_us - fioMean)) / fioMean : null,
      };
    });
    const svc = distStats(sortedCopy(fit.service_us));
    const rel = (f: string) => basename(f);
    const cal: Calibration = {
      syncsim_version: VERSION,
      fio_version: version,
      dir: resolve(opts.dir),
      filesystem,
      mode: opts.mode,
      size_bytes: opts.sizeBytes,
      runtime_s: opts.runtimeS,
      step_ms: stepMs,
      page_size: page,
      device: { profile: 'queue', channels: c, per_page_us: fit.per_page_us, service: { dist: 'empirical', file: rel(files.service) } },
      service: { samples: svc.count, clamped: fit.clamped, mean_us: svc.mean_us, p50_us: svc.p50_us, p90_us: svc.p90_us, p99_us: svc.p99_us },
      fit: { intercept_us: fit.line.intercept, slope_us: fit.line.slope, r2: fit.line.r2, sizes: fit.sizes },
      channel_fit: channelFit,
      probe,
      sizes,
      files: { fragment: rel(files.fragment), service: rel(files.service), samples: rel(files.samples), calibration: rel(files.calibration) },
    };

    // the fragment's files first, the fragment last
    mkdirSync(dirname(files.fragment), { recursive: true });
    const service = ['# syncsim calibrate: service-time samples (µs) = measured latency - per_page_us x pages, queue depth 1', 'latency_us,pages,measured_us'];
    let k = 0;
    for (const p of CALIBRATION_PAGES) for (const v of depth1.get(p)!) service.push(`${round(fit.service_us[k++]!, 3)},${p},${v}`);
    writeFileAtomic(files.service, service.join('\n') + '\n');
    writeFileAtomic(files.samples, raw.join('\n') + '\n');
    writeFileAtomic(files.calibration, JSON.stringify(cal, null, 2) + '\n');
    writeFileAtomic(files.fragment, fragmentText(cal));
    return cal;
  } finally {
    rmSync(work, { recursive: true, force: true });
    release();
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The YAML fragment: the device keys with comments saying where they come from. */
export function fragmentText(cal: Calibration): string {
  const f = cal.channel_fit;
  const head = [
    `# syncsim calibrate (syncsim ${cal.syncsim_version}, ${cal.fio_version}): ${cal.dir} (${cal.filesystem}), mode ${cal.mode}, ${new Date().toISOString()}`,
    '# profile: queue (calibration fits the queueing model: service + per_page_us per page on `channels` servers)',
    `# per_page_us: least-squares slope over the median latency of ${CALIBRATION_PAGES.join(', ')}-page writes at queue depth 1 (R² ${cal.fit.r2.toFixed(3)})`,
    `# service: ${cal.service.samples} queue-depth-1 samples minus their per-page part (${cal.device.service.file}; median ${cal.service.p50_us.toFixed(1)} µs)`,
    `# channels: round(peak ${Math.round(f.peak_iops)} IOPS at depth ${f.peak_depth} x ${f.depth1_latency_us.toFixed(1)} µs at depth 1) = round(${f.estimate.toFixed(2)})`,
    `# details: ${cal.files.calibration}; raw samples: ${cal.files.samples}`,
  ];
  return `${head.join('\n')}\n${stringify({ device: cal.device })}`;
}
