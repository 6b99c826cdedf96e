/**
 * The table `syncsim validate` prints for one validation: the job, the
 * calibration (and the session's FLUSH level), the msyncs compared, the
 * measured and simulated statistics, the demerit and the noise.
 */
import { escapeControl } from '../../traces/escape.ts';
import type { ValidationReport } from './validation.ts';
import { seedsText } from './sim-seeds.ts';
import { jobSummary, kernelMeetsQuantileTargets, signed, TARGETS } from './summary.ts';

/** Why a validation has no noise floor, and how to get one where there is a way. */
function oneRun(r: ValidationReport): string {
  if (r.job.fio_version !== null) return 'one fio run: --repeat 2 or more measures it';
  return r.job.command ? 'one recording: --repeat 2 or more records the program again' : 'one run: this trace names no program to record again (no recorded-command header)';
}

/** Whether the measured runs of `r` miss the p50 or p99 target against each other (their own noise), or their demerit passes 50 %. */
function unsteady(r: ValidationReport): boolean {
  return kernelMeetsQuantileTargets(r.noise_p50_pct ?? null, r.noise_p99_pct ?? null) === false || (r.noise_floor_pct ?? 0) > 50;
}

/**
 * The row of the targets (noise ratio ≤ 1.5, p50 and p99 within 20 %: the verdict `npm run validate`'s
 * table gives every job), with the errors that decide it, and a word when the kernel's runs miss the
 * quantile targets against each other.
 */
function targetsText(r: ValidationReport): string {
  const j = jobSummary(r);
  const rule = `noise ratio <= ${TARGETS.noise_ratio}, |p50 err| and |p99 err| <= ${TARGETS.p50_error_pct} %: p50 err ${signed(j.p50_error_pct)}, p99 err ${signed(j.p99_error_pct)}`;
  if (j.meets_targets === null) {
    // no ratio: one run, or runs that were the same (a noise floor of 0, which no ratio can be taken of)
    const why = r.noise_floor_pct === null ? `no noise floor: ${oneRun(r)}` : `a noise floor of ${r.noise_floor_pct.toFixed(1)} % between the ${r.repeat} measured runs, so no noise ratio`;
    return `- (${why}; ${rule})`;
  }
  const kernel = j.kernel_meets_quantile_targets === false
    ? `; the measured runs themselves miss the p50 or p99 target against each other (p50s ${r.noise_p50_pct!.toFixed(1)} %, p99s ${r.noise_p99_pct!.toFixed(1)} % apart): this machine was too unsteady for this job to tell much`
    : '';
  return `${j.meets_targets ? 'met' : 'missed'} (${rule})${kernel}`;
}

/** A latency or a distance as the table writes it (µs, to a tenth). */
const f = (v: number) => v.toFixed(1);

/** What the figure's lines are taken from: the fields of validation.json the table prints them from. */
export type FigureSource = Pick<ValidationReport, 'comparison' | 'demerit_pct' | 'noise_floor_pct' | 'noise_ratio'> & { simulated: { count: number; seeds?: number[] } };

/**
 * The lines under the title of a validation's figure (validation-cdf): the msyncs of each measured run
 * (`runs`, after the warm-up) and simulated, the p50 and p99 measured (the runs pooled) and simulated with
 * sim/meas, the demerit, noise floor and noise ratio, as {@link validationTable} prints them, from the same
 * fields; then `context` (where it ran and with which calibration: {@link figureContext}) when given.
 */
export function figureLines(r: FigureSource, runs: readonly number[], context?: string): string[] {
  const seeds = r.simulated.seeds?.length ?? 1;
  const each = runs.every((n) => n === runs[0]);
  const measured = runs.length === 1 ? `${runs[0]} msyncs measured (one run)`
    : each ? `${runs.length} runs × ${runs[0]} msyncs measured (pooled)` : `${runs.join(' + ')} msyncs measured in ${runs.length} runs (pooled)`;
  const q = (k: 'p50' | 'p99') => {
    const c = r.comparison[k];
    return `${k}: measured ${f(c.measured_us)} µs, simulated ${f(c.simulated_us)} µs, sim/meas ${c.ratio === null ? '-' : c.ratio.toFixed(2)}`;
  };
  const noise = r.noise_floor_pct === null ? 'no noise floor (one run)' : `noise floor ${r.noise_floor_pct.toFixed(1)} %, noise ratio ${r.noise_ratio === null ? '-' : r.noise_ratio.toFixed(2)}`;
  return [
    `n: ${measured}, ${r.simulated.count} simulated (${seeds} seed${seeds === 1 ? '' : 's'})`,
    q('p50'),
    q('p99'),
    `demerit ${r.demerit_pct.toFixed(1)} %, ${noise}`,
    ...(context ? [context] : []),
  ];
}

/**
 * The last line of a figure's figures: the system the job ran on (null for a trace, which may have been
 * recorded elsewhere), the tool that measured it (fio's version, or the trace) and its file system, and the calibration replayed with (its
 * file's name and the device model's profile, the first word of validation.json's `calibration.device`).
 */
export function figureContext(system: string | null, tool: string | null, filesystem: string | null, calibration: string, device: string): string {
  const profile = /^profile ([^:]+):/.exec(device)?.[1] ?? device.split(':')[0]!;
  return `${[system, tool, filesystem].filter(Boolean).join(', ')}; calibration ${calibration} (${profile})`;
}

/** A readable table of a validation. */
export function validationTable(r: ValidationReport, out: string): string {
  const rows: [string, string][] = [
    ['job', r.job.fio_version === null
      ? `${r.job.file} (${r.job.jobs} task(s)${r.job.command ? `, recorded from: ${r.job.command.join(' ')}` : ''})`
      : `${r.job.file} (${r.job.name}${r.job.jobs > 1 ? `, ${r.job.jobs} jobs at once` : ''}, ${r.job.fio_version}, fsync every ${r.job.sync_every} writes)`],
    // with a session's refit (the FLUSH level row), the figures are those replayed, not the file's as written
    ['calibration', `${r.calibration.file}${r.calibration.session ? ' as refitted to this session (FLUSH level, below), the figures replayed' : ''}: ${r.calibration.device}`],
    ...(r.calibration.session ? [['FLUSH level', `refitted to ${r.calibration.session.level.probes.length} probes around the runs (median ${r.calibration.session.level.p50_us} µs): flush_us ${r.calibration.session.flush_us} (calibration ${r.calibration.session.calibration_flush_us}; the means of the fitted spreads, which their tails move more than their medians)${r.calibration.session.media_write_us !== null && r.calibration.session.media_write_us !== r.calibration.session.calibration_media_write_us ? `, media_write_us ${r.calibration.session.media_write_us} (calibration ${r.calibration.session.calibration_media_write_us})` : ''}${r.calibration.session.media_mbps != null && r.calibration.session.media_mbps !== r.calibration.session.calibration_media_mbps ? `, media_mbps ${r.calibration.session.media_mbps} (calibration ${r.calibration.session.calibration_media_mbps})` : ''}${r.calibration.session.level.write ? `, write path × ${r.calibration.session.level.write.scale.toFixed(3)}` : ''}, ${r.calibration.session.profile}`] as [string, string]] : []),
    ['msyncs matched', `${r.matched_syncs}${r.warmup_syncs ? ` (the first ${r.warmup_syncs} left out as warm-up)` : ''}${r.measured.unmatched ? ` (${r.measured.unmatched} last one without a measured latency left out)` : ''}${Object.keys(r.simulated.errors).length ? `; simulated failures ${JSON.stringify(r.simulated.errors)}` : ''}`],
    ...(r.simulated.seeds ? [['simulated', r.simulated.seeds.length > 1
      ? `${r.simulated.seeds.length} replays pooled (seeds ${seedsText(r.simulated.seeds)}; sim/ and pairs.csv: seed ${r.simulated.seeds[0]}), ${r.simulated.count} msyncs compared`
      : `1 replay (seed ${r.simulated.seeds[0]}), ${r.simulated.count} msyncs compared`] as [string, string]] : []),
    ['msync latency (µs)', `${'measured'.padStart(10)} ${'simulated'.padStart(10)}  sim/meas`],
    ...(['mean', 'p50', 'p90', 'p99'] as const).map((k): [string, string] => {
      const c = r.comparison[k];
      return [`  ${k}`, `${f(c.measured_us).padStart(10)} ${f(c.simulated_us).padStart(10)}  ${c.ratio === null ? '-' : c.ratio.toFixed(2)}`];
    }),
    ['demerit', `${r.demerit_pct.toFixed(1)} % (RMS horizontal distance ${f(r.rms_distance_us)} µs / measured mean ${f(r.measured.mean_us)} µs)`],
    ['noise floor', r.noise_floor_pct === null ? `- (${oneRun(r)})`
      : `${r.noise_floor_pct.toFixed(1)} % (demerit between the ${r.repeat} measured runs, mean over ${r.noise_pairs.length} pair(s))`],
    ['noise ratio', r.noise_ratio === null ? '-' : `${r.noise_ratio.toFixed(2)} (demerit / noise floor; 1 = as close as the kernel to itself)${unsteady(r) ? '; the measured runs disagree, so a small ratio says the kernel was far from itself, not that the model is close' : ''}`],
    ...(r.noise_p50_pct != null && r.noise_p99_pct != null
      ? [['kernel vs itself', `its runs' p50s ${r.noise_p50_pct.toFixed(1)} % apart, p99s ${r.noise_p99_pct.toFixed(1)} % (|other - run| / run, both ways averaged)`] as [string, string]]
      : []),
    ['targets', targetsText(r)],
    ['fio check', r.measured.fio_report ? `fio's own sync mean ${f(r.measured.fio_report.mean_us)} µs over ${r.measured.fio_report.count} syncs (log-derived mean ${r.measured.log_vs_fio_pct! >= 0 ? '+' : ''}${r.measured.log_vs_fio_pct!.toFixed(1)} %)` : '-'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`), `results: ${escapeControl(out)}`].join('\n');
}
