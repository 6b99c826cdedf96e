/**
 * The comparison at the heart of every validation: the replay's msyncs read
 * back task by task, matched in order with the measured ones of the first
 * run, and the measured runs (pooled) set against the simulated distribution:
 * statistics, demerit, noise floor, pairs.csv, samples.csv and the CDF chart.
 */
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { compareStats, demerit, distStats, sortedCopy, type DistStats, type StatComparison } from './demerit.ts';
import { noiseFloor, noiseRatio, pooled, type RunPair } from './noise.ts';
import { simulatedSyncs, writeChart, writePairs, writeSamples, type SimSyncs } from './sim-side.ts';
import { figureLines } from './validation-table.ts';

/** One task's measured msyncs of the replayed run, in issue order. */
export interface MeasuredTask {
  task: string;
  /** Issue time of each msync (µs, the source's own clock). */
  issued_us: Float64Array;
  latencies_us: Float64Array;
}

/** What the comparison found. */
export interface Comparison {
  measured: DistStats;
  simulated: DistStats & { errors: Record<string, number> };
  comparison: Record<'mean' | 'p50' | 'p90' | 'p99', StatComparison>;
  demerit_pct: number;
  rms_distance_us: number;
  noise_floor_pct: number | null;
  noise_ratio: number | null;
  /** How far apart the measured runs' p50s and p99s are (noise.ts quantileNoise, mean over pairs), %; null with one run. */
  noise_p50_pct: number | null;
  noise_p99_pct: number | null;
  noise_pairs: RunPair[];
  chart: string[];
}

/** The fields a validation report takes from a comparison as they are: the simulated side (with the `seeds` replayed), the per-statistic comparison, the demerit and the noise. */
export function comparisonReport(cmp: Comparison, seeds: readonly number[]) {
  return {
    simulated: { ...cmp.simulated, seeds: [...seeds], results: 'sim' },
    comparison: cmp.comparison,
    demerit_pct: cmp.demerit_pct,
    rms_distance_us: cmp.rms_distance_us,
    noise_floor_pct: cmp.noise_floor_pct,
    noise_ratio: cmp.noise_ratio,
    noise_p50_pct: cmp.noise_p50_pct,
    noise_p99_pct: cmp.noise_p99_pct,
    noise_pairs: cmp.noise_pairs,
  };
}

/** How the figure names its curves and where the job ran (figureContext), for its figures' last line. */
export interface FigureLook {
  labels: { measured: string; simulated: string };
  context?: string;
}

/**
 * Compares the replay in `S/sim` with the measurements: `tasks` are the
 * replayed run's msyncs, `runs` every measured run's latencies after the
 * warm-up (the replayed run first); the first `warmup` msyncs of each task
 * are left out on both sides. `further`: the msyncs of replays with more
 * seeds (per seed, per task in the order of `tasks`; sim-seeds.ts), pooled
 * with those of `S/sim` on the simulated side; pairs.csv keeps the first
 * replay's. `seeds`: the seeds replayed (the figure's count of them).
 */
export async function compareReplay(S: string, name: string, tasks: readonly MeasuredTask[], runs: readonly Float64Array[], warmup: number, look: FigureLook, further: readonly (readonly SimSyncs[])[] = [], seeds: readonly number[] = [1]): Promise<Comparison> {
  const sims: SimSyncs[] = [];
  for (const t of tasks) sims.push(await simulatedSyncs(join(S, 'sim', 'syncs.csv'), t.latencies_us.length, t.task));
  const ok: number[] = [];
  const errors: Record<string, number> = {};
  for (const sim of [...sims, ...further.flat()]) {
    sim.results.forEach((r, i) => {
      if (i < warmup) return;
      if (r === 'OK') ok.push(sim.latencies_us[i]!);
      else errors[r] = (errors[r] ?? 0) + 1;
    });
  }
  if (ok.length === 0) throw new InputError(`every simulated msync failed (${Object.entries(errors).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  const measSorted = pooled(runs);
  const simSorted = sortedCopy(ok);
  const measured = distStats(measSorted);
  const simulated = distStats(simSorted);
  const d = demerit(measSorted, simSorted);
  const noise = noiseFloor(runs);
  writePairs(join(S, 'pairs.csv'), tasks.map((t, i) => ({ task: t.task, issued: t.issued_us, measured: t.latencies_us, sim: sims[i]! })), warmup);
  writeSamples(join(S, 'samples.csv'), runs, simSorted);
  const cmp: Comparison = {
    measured, simulated: { ...simulated, errors }, comparison: compareStats(measured, simulated),
    demerit_pct: d.demerit_pct, rms_distance_us: d.rms_distance_us,
    noise_floor_pct: noise.noise_floor_pct, noise_ratio: noiseRatio(d.demerit_pct, noise.noise_floor_pct),
    noise_p50_pct: noise.p50_noise_pct, noise_p99_pct: noise.p99_noise_pct, noise_pairs: noise.pairs, chart: [],
  };
  // the figures under its title from the fields validation.json takes from this comparison, as the table prints them
  const figures = figureLines(comparisonReport(cmp, seeds), runs.map((r) => r.length), look.context);
  cmp.chart = await writeChart(S, { job: name, runs: runs.map((r) => sortedCopy(r)), simulated: simSorted, labels: look.labels, figures });
  return cmp;
}
