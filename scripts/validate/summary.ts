/**
 * The validation of every job at once: one table, validation/summary.json and
 * the small-multiples figure (validation-grid).
 */
import { simulatedLabel } from './sim-seeds.ts';
import { validationGridChart, type ValidationPanel } from '../../reports/charts/validation-grid.ts';
import { writeChartFiles } from '../../reports/report.ts';
import { join } from 'node:path';
import { PRINT_THEME, readSamples } from './sim-side.ts';
import type { ValidationReport } from './validation.ts';

/** The targets every job is held to (issue: noise ratio ≤ 1.5, p50 and p99 within 20 %). */
export const TARGETS = { noise_ratio: 1.5, p50_error_pct: 20, p99_error_pct: 20 } as const;

/** (simulated − measured) / measured, in %. */
export function errorPct(measured: number, simulated: number): number | null {
  return measured > 0 ? (100 * (simulated - measured)) / measured : null;
}

/** One job's line of summary.json. */
export interface JobSummary {
  job: string;
  file: string;
  msyncs: number;
  warmup_syncs: number;
  repeat: number;
  /** How the runs were ordered: back to back, or in rounds with the other jobs (`npm run validate`). */
  run_order: 'back-to-back' | 'rounds';
  demerit_pct: number;
  noise_floor_pct: number | null;
  noise_ratio: number | null;
  p50_error_pct: number | null;
  p99_error_pct: number | null;
  /** Whether the job meets every target (null when the noise floor is unknown). */
  meets_targets: boolean | null;
  /** How far apart the measured runs' own p50s and p99s are (%, validation.json's `noise_p50_pct`, `noise_p99_pct`; null with one run). */
  noise_p50_pct: number | null;
  noise_p99_pct: number | null;
  /**
   * Whether the measured runs agree with each other within the p50 and p99
   * targets ({@link kernelMeetsQuantileTargets}; null with one run): a
   * yardstick for the model's errors, not the same test (the model is held
   * to the runs pooled, not to one run).
   */
  kernel_meets_quantile_targets: boolean | null;
  rms_distance_us: number;
  measured: { mean_us: number; p50_us: number; p90_us: number; p99_us: number };
  simulated: { mean_us: number; p50_us: number; p90_us: number; p99_us: number };
  /** Replays pooled on the simulated side (validation.json `simulated.seeds`; 1 in reports written before it). */
  sim_seeds: number;
}

/** Whether figures meet {@link TARGETS} (null when the noise ratio is unknown). */
export function meetsTargets(noiseRatio: number | null, p50: number | null, p99: number | null): boolean | null {
  if (noiseRatio === null) return null;
  return noiseRatio <= TARGETS.noise_ratio && p50 !== null && Math.abs(p50) <= TARGETS.p50_error_pct && p99 !== null && Math.abs(p99) <= TARGETS.p99_error_pct;
}

/** Whether the measured runs' own p50 and p99 noise is within the p50 and p99 targets (null when unknown). */
export function kernelMeetsQuantileTargets(p50NoisePct: number | null, p99NoisePct: number | null): boolean | null {
  if (p50NoisePct === null || p99NoisePct === null) return null;
  return p50NoisePct <= TARGETS.p50_error_pct && p99NoisePct <= TARGETS.p99_error_pct;
}

/** One job's summary from its validation.json. */
export function jobSummary(r: ValidationReport): JobSummary {
  const pick = (d: { mean_us: number; p50_us: number; p90_us: number; p99_us: number }) => ({ mean_us: d.mean_us, p50_us: d.p50_us, p90_us: d.p90_us, p99_us: d.p99_us });
  const p50 = errorPct(r.comparison.p50.measured_us, r.comparison.p50.simulated_us);
  const p99 = errorPct(r.comparison.p99.measured_us, r.comparison.p99.simulated_us);
  return {
    job: r.job.name, file: r.job.file, msyncs: r.matched_syncs, warmup_syncs: r.warmup_syncs, repeat: r.repeat, run_order: r.measured.run_order ?? 'back-to-back',
    demerit_pct: r.demerit_pct, noise_floor_pct: r.noise_floor_pct, noise_ratio: r.noise_ratio,
    p50_error_pct: p50, p99_error_pct: p99, meets_targets: meetsTargets(r.noise_ratio, p50, p99),
    noise_p50_pct: r.noise_p50_pct ?? null, noise_p99_pct: r.noise_p99_pct ?? null,
    kernel_meets_quantile_targets: kernelMeetsQuantileTargets(r.noise_p50_pct ?? null, r.noise_p99_pct ?? null),
    rms_distance_us: r.rms_distance_us, measured: pick(r.measured), simulated: pick(r.simulated),
    sim_seeds: r.simulated.seeds?.length ?? 1,
  };
}

/** summary.json (without the figure's file names). */
export function validationSummary(reports: readonly ValidationReport[], calibration: string) {
  const jobs = reports.map(jobSummary);
  const known = jobs.filter((j) => j.meets_targets !== null);
  return {
    calibration,
    device: reports[0]?.calibration.device ?? null,
    targets: TARGETS,
    jobs,
    jobs_meeting_targets: known.filter((j) => j.meets_targets).length,
    jobs_total: jobs.length,
    /** Jobs whose measured runs agree with each other within the p50 and p99 targets. */
    jobs_kernel_meets_quantile_targets: jobs.filter((j) => j.kernel_meets_quantile_targets).length,
  };
}

const f1 = (v: number | null) => (v === null ? '-' : v.toFixed(1));
/** A signed error in whole percent, or to a tenth when whole percent would put it on the target's edge (−20.5 % shows as −20.5, not −20, beside `missed`). */
export const signed = (v: number | null) => (v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(Math.abs(Math.abs(v) - TARGETS.p50_error_pct) <= 0.5 ? 1 : 0)} %`);
const unsigned = (v: number | null) => (v === null ? '-' : `${v.toFixed(0)} %`);

/** The one table `npm run validate` prints. */
export function validationSummaryTable(reports: readonly ValidationReport[]): string {
  const header = ['job', 'msyncs', 'p50 meas', 'p50 sim', 'p50 err', 'p50 noise', 'p99 meas', 'p99 sim', 'p99 err', 'p99 noise', 'mean meas', 'mean sim', 'demerit', 'noise', 'ratio', 'targets'];
  const jobs = reports.map(jobSummary);
  const rows = jobs.map((j) => {
    return [
      j.job, String(j.msyncs),
      f1(j.measured.p50_us), f1(j.simulated.p50_us), signed(j.p50_error_pct), unsigned(j.noise_p50_pct),
      f1(j.measured.p99_us), f1(j.simulated.p99_us), signed(j.p99_error_pct), unsigned(j.noise_p99_pct),
      f1(j.measured.mean_us), f1(j.simulated.mean_us),
      `${f1(j.demerit_pct)} %`, j.noise_floor_pct === null ? '-' : `${f1(j.noise_floor_pct)} %`, j.noise_ratio === null ? '-' : j.noise_ratio.toFixed(2),
      j.meets_targets === null ? '-' : j.meets_targets ? 'met' : 'missed',
    ];
  });
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  const note = `targets: noise ratio <= ${TARGETS.noise_ratio}, |p50 err| and |p99 err| <= ${TARGETS.p50_error_pct} %; err = (simulated - measured) / measured;\n`
    + `p50 noise, p99 noise: how far apart the measured runs' own p50s and p99s are (|other - run| / run, both ways averaged; the model is held to the runs pooled)`;
  const seeds = [...new Set(jobs.map((j) => j.sim_seeds))].sort((a, b) => a - b);
  const pooledNote = !seeds.some((n) => n > 1) ? ''
    : seeds.length === 1 ? `\nsim: each job's replays with ${seeds[0]} seeds pooled (syncsim validate --sim-seeds)`
    : `\nsim: each job's replays pooled, ${seeds[0]} to ${seeds[seeds.length - 1]} seeds (summary.json sim_seeds; syncsim validate --sim-seeds)`;
  const known = jobs.filter((j) => j.kernel_meets_quantile_targets !== null).length;
  const tally = `met: ${jobs.filter((j) => j.meets_targets).length} of ${jobs.length} jobs`
    + (known ? `; the measured runs agree with each other within the p50 and p99 targets on ${jobs.filter((j) => j.kernel_meets_quantile_targets).length} of ${known}` : '');
  return [header, ...rows].map(line).join('\n') + '\n' + note + pooledNote + '\n' + tally;
}

/**
 * The lines of a job's panel title in the grid, as {@link validationSummaryTable} prints its figures:
 * the job with its measured runs and their msyncs, p50 and p99 measured vs simulated with the error, the
 * demerit, the noise floor and the noise ratio.
 */
export function panelLines(j: JobSummary): string[] {
  const noise = j.noise_floor_pct === null ? '' : ` · noise ${f1(j.noise_floor_pct)} % · ratio ${j.noise_ratio === null ? '-' : j.noise_ratio.toFixed(2)}`;
  return [
    `${j.job} · ${j.repeat} run${j.repeat === 1 ? '' : 's'} × ${j.msyncs} msyncs`,
    `p50 ${f1(j.measured.p50_us)} vs ${f1(j.simulated.p50_us)} µs (${signed(j.p50_error_pct)})`,
    `p99 ${f1(j.measured.p99_us)} vs ${f1(j.simulated.p99_us)} µs (${signed(j.p99_error_pct)})`,
    `demerit ${f1(j.demerit_pct)} %${noise}`,
  ];
}

/** A job's panel of the grid: its samples (samples.csv) and the figures of its summary ({@link jobSummary}). */
export function gridPanel(j: JobSummary, samples: { runs: Float64Array[]; simulated: Float64Array }): ValidationPanel {
  return { job: j.job, runs: samples.runs, simulated: samples.simulated, lines: panelLines(j), p99: { measured_us: j.measured.p99_us, simulated_us: j.simulated.p99_us } };
}

/**
 * Draws validation-grid.{vl.json,svg,png,pdf} into `dir`, two columns wide, of `reports` (each job's
 * samples.csv read from `dir`/JOB/); returns the file names. The legend names the seeds pooled when every
 * job pooled as many.
 */
export async function writeGrid(dir: string, reports: readonly ValidationReport[]): Promise<string[]> {
  const panels: ValidationPanel[] = [];
  for (const r of reports) panels.push(gridPanel(jobSummary(r), await readSamples(join(dir, r.job.name, 'samples.csv'))));
  const seeds = new Set(reports.map((r) => r.simulated.seeds?.length ?? 1));
  const chart = validationGridChart(panels, { measured: 'measured (Linux, fio)', simulated: simulatedLabel('linux', seeds.size === 1 ? [...seeds][0]! : 1) }, PRINT_THEME);
  return writeChartFiles(dir, chart, PRINT_THEME, PRINT_THEME.widths.double);
}
