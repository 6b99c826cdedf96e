/**
 * The measuring half of a calibration (calibration.ts): the microbenchmark
 * steps of microbench.ts run with fio, slow steps run again, then the probes
 * (segment-probe.ts, pagein-probe.ts, flush-gap.ts, an fdatasync with nothing
 * written, the CPU probe), each announced on the progress log.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iologLatencies, latLogSamples, readFioJson, runFio, SYNC_ACTIONS } from './fio.ts';
import { measurePagein, PAGEIN_PROBE_REPS } from './pagein-probe.ts';
import { fitFlushGap, GAP_ROUNDS, gapGrowth, measureFlushGap } from './flush-gap.ts';
import { measureSegments, queueLimitsOf, SEGMENT_SAMPLES, segmentGeometry } from './segment-probe.ts';
import { calibrationPlan, DATA_FILE, flushIolog, JOURNAL_FILE, stepJobText, type Microbench } from './microbench.ts';
import { fileExtents, type FileExtents } from './file-extents.ts';
import type { BlockDevice } from './blockdev.ts';
import { InputError } from '../errors.ts';
import { compileProbe, haveCc, runProbe } from '../measure/cpu-probe.ts';
import { cpuFigures, parseSamples, type CpuFigures } from '../measure/cpu-fit.ts';
import { cpuCalibration } from './cpu-calibration.ts';
import type { StepReport } from './calibration-fit.ts';
import { rerunSlowSteps } from './step-rerun.ts';
import { probePairs, type WriteSyncPair } from './host-spread.ts';
import { drainDevice, emptyFlushStep, settleDevice, settleLimitMs, unsettledWarning } from './sync-steps.ts';

/** Shortest fio run of one timed step (ms). */
const MIN_STEP_MS = 200;
/** Repetitions of the CPU probe (`--quick`: fewer). */
const CPU_REPS = 20, QUICK_CPU_REPS = 8;

/** One step's figures from fio's JSON report `json`. */
function stepReport(step: Microbench, json: string): StepReport {
  const j = readFioJson(json).jobs.find((x) => x.name === step.name);
  if (!j) throw new InputError(`fio's report has no job '${step.name}'`);
  const read = step.direction === 'read';
  return {
    name: step.name, kind: step.kind, bytes: step.bytes, depth: step.depth, ...(step.writes === undefined ? {} : { writes: step.writes }),
    iops: read ? j.read_iops : j.write_iops, latency: read ? j.read : j.write, sync: j.sync,
    ...(step.kind === 'batch' && j.write_clat_mean_us !== null ? { clat_us: j.write_clat_mean_us } : {}),
    ...(step.kind === 'reap' && j.iodepth_complete ? { reaped: j.iodepth_complete } : {}),
  };
}

/**
 * Runs the CPU probe in `work` (on the file system being calibrated): its
 * figures, or null with the reason (no C compiler, or the probe failed).
 */
async function measureCpu(work: string, reps: number): Promise<{ figures: CpuFigures | null; note: string }> {
  if (!haveCc()) return { figures: null, note: 'no C compiler (cc) to build the probe: the cpu.* defaults apply (apt-get install gcc libc6-dev)' };
  try {
    const dir = join(work, 'cpu');
    mkdirSync(dir);
    const figures = cpuFigures(parseSamples(await runProbe(compileProbe(work), dir, reps)));
    return { figures, note: `probe cpu-costs.c, ${reps} repetitions, in ${dir}` };
  } catch (e) {
    return { figures: null, note: `the CPU probe failed (${(e as Error).message}): the cpu.* defaults apply` };
  }
}

/** Where and how much to measure. */
export interface MeasureOptions {
  /** Directory on the device to measure (a scratch directory is made inside and removed). */
  dir: string;
  /** Bytes of the data file. */
  sizeBytes: number;
  /** fio time shared by the timed steps (s). */
  runtimeS: number;
  /** Deepest queue of the depth probe (a power of two). */
  maxDepth: number;
  /** Fewer sizes and depths. */
  quick: boolean;
  /** Longest wait for the device to settle (ms; 0: none); default SETTLE.maxMs, quickMaxMs with `quick`. */
  settleMs?: number;
}

/**
 * Runs the calibration's steps and probes in `work`, a scratch directory on
 * the device being calibrated (file system `filesystem`, block device
 * `blockDev` when sysfs has it), after waiting for the device to settle:
 * every step's figures and every probe's result, with what is missing said
 * on `log`. Refuses a data file under 4 MiB (InputError) before measuring.
 */
export async function measureDevice(opts: MeasureOptions, work: string, filesystem: string, blockDev: BlockDevice | null, log: (line: string) => void) {
  const latLog = join(work, 'pagein');
  const probePlan = calibrationPlan({ quick: opts.quick, maxDepth: opts.maxDepth, sizeBytes: opts.sizeBytes, stepMs: 0, latLog });
  // the steps share --runtime; a FLUSH probe and a flush-size step run half a step
  const timedSteps = probePlan.reduce((n, st) => n + (st.kind === 'layout' ? 0 : st.kind === 'flush-probe' || st.kind === 'flush-size' ? 0.5 : 1), 0);
  const stepMs = Math.max(MIN_STEP_MS, Math.floor((opts.runtimeS * 1000) / timedSteps));
  const plan = calibrationPlan({ quick: opts.quick, maxDepth: opts.maxDepth, sizeBytes: opts.sizeBytes, stepMs, latLog });
  if (opts.sizeBytes < 4 << 20) throw new InputError('--size must be at least 4m (four of the largest I/Os)');
  const total = plan.length + 5;
  log(`calibrate: ${opts.dir} (${filesystem}${blockDev ? `, /dev/${blockDev.disk}` : ', no block device in sysfs'}): ${total} microbenchmarks, ${stepMs} ms each (fio)`);
  const settleMs = settleLimitMs(opts.settleMs, opts.quick);
  if (settleMs > 0) log(`calibrate: waiting for the device to settle (a bare FLUSH the same from one second to the next) ...`);
  const settle = settleDevice(work, settleMs, (m) => log(`calibrate:   bare FLUSH ${m.toFixed(1)} µs (median of the last second)`));
  const unsettled = unsettledWarning('calibrate', settle);
  if (unsettled) log(unsettled);
  const steps: StepReport[] = [];
  let pageinLatencies: Float64Array = new Float64Array(0);
  /** The 1-write fdatasyncs (µs) of each flush-probe-K step and the flush step, for the FLUSH level, and whether the step before it wrote; null when fio's I/O logs have no timestamps (fio < 3.31). */
  let flushSamples: { name: string; afterWrites: boolean; us: Float64Array }[] | null = [];
  /** Each FLUSH-level step after writes: its writes, each with the fdatasync after it (the host's shared spread: host-spread.ts). */
  const hostPairs: WriteSyncPair[][] = [];
  /** The journal step's file's extents (filefrag). */
  let journalExtents: FileExtents = { reason: 'no journal step ran' };
  /** Runs one step's fio job: its report file. */
  const runStep = async (step: Microbench): Promise<string> => {
    const jobFile = join(work, `${step.name}.fio`), json = join(work, `${step.name}.json`);
    writeFileSync(jobFile, stepJobText(work, opts.sizeBytes, step));
    await runFio(['--output-format=json', `--output=${json}`, jobFile], work);
    drainDevice(join(work, DATA_FILE));
    return json;
  };
  for (const [i, step] of plan.entries()) {
    log(`calibrate: [${i + 1}/${total}] ${step.label} ...`);
    const json = await runStep(step);
    if (step.kind === 'layout') continue;
    steps.push(stepReport(step, json));
    if ((step.kind === 'flush-probe' || (step.kind === 'flush' && step.writes === 1)) && flushSamples) {
      try {
        const afterWrites = i > 0 && plan[i - 1].direction === 'write'; // the layout step has no direction
        flushSamples.push({ name: step.name, afterWrites, us: (await iologLatencies(join(work, flushIolog(step.name)), SYNC_ACTIONS)).latencies_us });
      } catch (e) {
        log(`calibrate: the FLUSH level comes from the flush step alone: ${(e as Error).message}`);
        flushSamples = null;
      }
      if (flushSamples?.at(-1)?.afterWrites) hostPairs.push(await probePairs(join(work, flushIolog(step.name))).catch(() => []));
    }
    if (step.kind === 'pagein') pageinLatencies = await latLogSamples(`${latLog}_lat.1.log`, '0');
    // how the appends were laid out: past the inode's four extents each fdatasync also wrote an extent tree block
    if (step.kind === 'journal') journalExtents = fileExtents(join(work, JOURNAL_FILE));
  }
  // a step far above the line of its group's others ran in a slow moment of the machine: once more, the faster run kept
  const reruns = await rerunSlowSteps(steps, async (name) => {
    const step = plan.find((st) => st.name === name)!;
    return stepReport(step, await runStep(step));
  }, log);
  const segGeometry = segmentGeometry(queueLimitsOf(blockDev?.sysfs ?? null)), segSamples = opts.quick ? SEGMENT_SAMPLES.quick : SEGMENT_SAMPLES.full;
  log(`calibrate: [${total - 4}/${total}] O_DIRECT reads of ${segGeometry.pages} pages into separate pages and into a huge page (probe segment-read.c, ${segSamples} of each) ...`);
  const segRun = await measureSegments(work, join(work, DATA_FILE), segGeometry, segSamples);
  const pageinReps = opts.quick ? PAGEIN_PROBE_REPS.quick : PAGEIN_PROBE_REPS.full;
  log(`calibrate: [${total - 3}/${total}] cold sequential reads through a mapping, one load a page (probe pagein-read.c, ${pageinReps} reads) ...`);
  // the first read-ahead window: read-around at the first fault, read_ahead_kb in 4 KiB folios (request-ring.ts)
  const windowPages = blockDev?.read_ahead_kb ? Math.floor((blockDev.read_ahead_kb * 1024) / 4096) : 0;
  const pageinRun = await measurePagein(work, join(work, DATA_FILE), pageinReps, undefined, windowPages > 0 && windowPages < opts.sizeBytes / 4096 ? windowPages : undefined);
  const pageinProbe = 'mbps' in pageinRun.fit ? pageinRun.fit : null;
  if (!pageinProbe) log(`calibrate: no page-in probe rate: ${(pageinRun.fit as { reason: string }).reason}`);
  const gapRounds = opts.quick ? GAP_ROUNDS.quick : GAP_ROUNDS.full;
  log(`calibrate: [${total - 2}/${total}] fdatasync after 0–16 ms without a FLUSH, and after 8 and 32 writes (probe flush-gap.c, ${gapRounds} rounds) ...`);
  const gapRun = await measureFlushGap(work, join(work, DATA_FILE), gapRounds);
  const gapFit = gapRun.samples ? fitFlushGap(gapRun.samples) : gapRun.note;
  const gap = typeof gapFit === 'string' ? null : gapFit, gapNote = typeof gapFit === 'string' ? gapFit : gapRun.note;
  if (!gap) log(`calibrate: no FLUSH-gap table: ${gapNote}`);
  // the table goes in the profile only when the FLUSH clearly grows with the gap (flush-gap.ts, gapGrowth)
  const growth = gap && gapRun.samples ? gapGrowth(gapRun.samples) : null;
  log(`calibrate: [${total - 1}/${total}] fdatasync with nothing written (a FLUSH of an empty cache) ...`);
  const flushEmpty = emptyFlushStep(work, stepMs);
  const cpuReps = opts.quick ? QUICK_CPU_REPS : CPU_REPS;
  log(`calibrate: [${total}/${total}] CPU costs of the kernel paths (probe cpu-costs.c, ${cpuReps} repetitions) ...`);
  const where = `the file system under --dir (${filesystem})`;
  const cpuRun = await measureCpu(work, cpuReps);
  const cpuFit = cpuRun.figures ? cpuCalibration(cpuRun.figures, where) : null;
  if (!cpuFit) log(`calibrate: cpu.* keys not fitted: ${cpuRun.note}`);
  return { stepMs, settle, steps, pageinLatencies, flushSamples, hostPairs, reruns, segRun, pageinRun, pageinProbe, gap, gapNote, growth, flushEmpty, where, cpuRun, cpuFit, journalExtents };
}
