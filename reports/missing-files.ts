/**
 * Per-run charts whose file a run did not write: `run` and `sweep` write only the CSVs
 * `--results` names (a sweep's runs, by default, no writeback.csv), so the latency charts may find
 * no syncs.csv and the timeline no timeline.csv. Such runs are left out of the chart, and the
 * report says which, and why, in its notes and for `--chart`; a chart that has none left is not
 * drawn.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readMarker } from '../traces/out-dir.ts';
import type { ChartContext } from './chart.ts';
import type { Configuration, RunRef } from './data.ts';
import { configName } from './failures.ts';

/** The result CSVs per-run charts read. */
export type ChartFile = 'syncs.csv' | 'timeline.csv';

/** What `--results` writes `file` (the words of `syncsim run --results`). */
const WRITES: Record<ChartFile, string> = { 'syncs.csv': 'syncs', 'timeline.csv': 'timeline' };

/** Why the run directory `dir` has no `file`: its marker (the files the run wrote) says whether it was written at all. */
function whyMissing(dir: string, file: ChartFile): 'unwritten' | 'removed' | 'missing' {
  const files = readMarker(dir)?.files;
  if (files === undefined) return 'missing';
  return files.includes(file) ? 'removed' : 'unwritten';
}

/** The words of each reason, for the runs of `who`. */
const REASONS: Record<ReturnType<typeof whyMissing>, (file: ChartFile, who: string) => string> = {
  unwritten: (f, who) => `${who} did not write ${f} (--results left it out; --results all, report, or a list naming ${WRITES[f]} writes it)`,
  removed: (f, who) => `${f} of ${who} was removed after the run wrote it`,
  missing: (f, who) => `${who} has no ${f}`,
};

/**
 * The runs of `runs` whose directory holds `file`, for chart `chart`; for the others, a note in
 * `ctx.notes` naming their configurations and why (`latency-cdf: the run of linux, 32 did not
 * write syncs.csv (--results left it out; ...); not drawn.`), `drawn without it` when some are left.
 */
export function runsWithFile<T extends { config: Configuration; run: RunRef }>(ctx: ChartContext, chart: string, file: ChartFile, runs: readonly T[]): T[] {
  const kept = runs.filter(({ run }) => existsSync(join(run.dir, file)));
  if (kept.length === runs.length) return kept;
  const byReason = new Map<ReturnType<typeof whyMissing>, string[]>();
  for (const { config, run } of runs) {
    if (kept.some((k) => k.run === run)) continue;
    const why = whyMissing(run.dir, file);
    byReason.set(why, [...(byReason.get(why) ?? []), configName(ctx.results, config.label)]);
  }
  const said = [...byReason].map(([why, names]) => REASONS[why](file, `the run${names.length === 1 ? '' : 's'} of ${names.join('; ')}`));
  ctx.notes.push(`${chart}: ${said.join('; ')}; ${kept.length === 0 ? 'not drawn.' : `drawn without ${byReason.size === 1 && [...byReason.values()][0]!.length === 1 ? 'it' : 'them'}.`}`);
  return kept;
}
