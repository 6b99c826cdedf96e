/**
 * The simulated side of a validation over several seeds. One replay is one
 * draw of the model's random times (service times, the host's factor, the
 * FLUSH's spread): its p99 over a few hundred msyncs is a handful of draws,
 * and over the 63 msyncs of a 4 MiB-per-msync job it lies between the two largest. The
 * model's prediction is its distribution, so a validation replays its trace
 * with the seeds `seed`, `seed + 1`, … and pools their msyncs, as the
 * measured side pools its runs. The first seed's replay writes `sim/` and
 * pairs.csv; the others keep only their msyncs in memory.
 */
import { runTrace } from '../run.ts';
import type { Config } from '../../sim/config.ts';
import type { ResultSink, SyncRecord } from '../../sim/stats/records.ts';
import { wholeNumberOption } from '../commands/command.ts';
import { MAX_SEED } from '../commands/seed-option.ts';
import { firstSyncs, type SimSync, type SimSyncs } from './sim-side.ts';

/** Seeds replayed when none is said (`--sim-seeds`). */
export const DEFAULT_SIM_SEEDS = 8;
/** The most seeds `--sim-seeds` takes. */
export const MAX_SIM_SEEDS = 64;
/** The largest seed (the config's `seed` range, 32 bits); the seeds after it start again at 0. */
export { MAX_SEED };
const SEED_SPAN = MAX_SEED + 1;

/** The seeds of {@link simSeeds} as words: `5..12`, `7` alone, or `4294967295, then 0..1` when they wrap. */
export function seedsText(seeds: readonly number[]): string {
  const first = seeds[0]!, last = seeds[seeds.length - 1]!;
  if (seeds.length === 1) return String(first);
  if (last >= first) return `${first}..${last}`;
  const wrapAt = seeds.indexOf(0);
  const before = seeds.slice(0, wrapAt);
  return `${before.length === 1 ? first : `${first}..${before[before.length - 1]}`}, then ${last === 0 ? '0' : `0..${last}`}`;
}

/** The seeds a validation replays: `count` of them from `first` on (wrapping past 2^32 − 1). */
export function simSeeds(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (first + i) % SEED_SPAN);
}

/** `--sim-seeds N` as given on a command line: a whole number from 1 to {@link MAX_SIM_SEEDS}; the default when not given. */
export function simSeedsArg(value: string | undefined): number {
  return wholeNumberOption('--sim-seeds', value, DEFAULT_SIM_SEEDS, 1, MAX_SIM_SEEDS);
}

/** The simulated series' name in a validation's charts: the personality, and how many seeds were pooled when more than one. */
export function simulatedLabel(personality: string, seeds: number): string {
  return seeds > 1 ? `simulated (syncsim ${personality}, ${seeds} seeds)` : `simulated (syncsim ${personality})`;
}

/**
 * Replays `trace` with `config` and no result files, keeping each task's
 * first `n` msyncs in issue order (ties in the order the run made them): the
 * same values `simulatedSyncs` reads back from a replay's syncs.csv.
 */
export async function replaySyncs(trace: string, config: Config, tasks: readonly { task: string; n: number }[]): Promise<SimSyncs[]> {
  const byTask = new Map<string, SimSync[]>(tasks.map((t) => [t.task, []]));
  let seq = 0;
  const sink: ResultSink = {
    sync(r: SyncRecord) {
      const kept = byTask.get(r.task);
      if (kept) kept.push({ t: r.tIssueNs / 1000, seq: seq++, lat: (r.tDoneNs - r.tIssueNs) / 1000, pages: r.pagesWritten, result: r.result });
    },
    writeback() {},
    timeline() {},
    transientRecords: true,
  };
  await runTrace({ trace, config, out: undefined, sink });
  return tasks.map(({ task, n }) => firstSyncs(byTask.get(task)!, n, task, `the replay with seed ${config.seed}`));
}

/**
 * The replays of `trace` with the seeds after the first of `seeds` (the first
 * is the replay that wrote `sim/`): per seed, each task's first `n` msyncs.
 * `log` is told once before they start.
 */
export async function replayFurtherSeeds(trace: string, config: Config, seeds: readonly number[], tasks: readonly { task: string; n: number }[], log?: (line: string) => void): Promise<SimSyncs[][]> {
  const further = seeds.slice(1);
  if (further.length === 0) return [];
  log?.(`validate: replaying with ${further.length} more seed${further.length === 1 ? '' : 's'} (${further[0]}${further.length > 1 ? `..${further[further.length - 1]}` : ''}), their msyncs pooled with the first replay's`);
  const out: SimSyncs[][] = [];
  for (const seed of further) out.push(await replaySyncs(trace, { ...config, seed }, tasks));
  return out;
}
