/**
 * What a report says about a sweep's failed runs: how many, which (configuration and seed, run
 * id) and where their errors are, in the report's notes, in the figures whose statistics are
 * over seeds, and as the error when every run failed.
 */
import { join } from 'node:path';
import type { FailedRun, Results } from './data.ts';

/** Failed runs named one by one in a note before the rest are only counted. */
const SHOWN = 10;

/** A sweep's configuration named with its grid keys: `kernel, channels = linux, 32` (the label alone when the keys have no title). */
export function configName(results: Results, label: string): string {
  return results.configTitle ? `${results.configTitle} = ${label}` : label;
}

/** `kernel, channels = linux, 32, seed 2 (run 0123456789abcdef)`. */
function runText(results: Results, f: FailedRun): string {
  return `${configName(results, f.label)}${results.configTitle ? ',' : ''} seed ${f.seed} (run ${f.id})`;
}

/** Where the errors of a sweep's failed runs are written: `DIR/results.csv (column error) and DIR/runs/<id>/run.json`. */
export function errorsWhere(results: Results): string {
  return `${join(results.dir, 'results.csv')} (column error) and ${join(results.dir, 'runs', '<id>', 'run.json')}`;
}

/** `3 of 8 runs failed`, or '' when none did or the results are not a sweep's. */
export function failedCount(results: Results): string {
  const s = results.sweep;
  return s && s.failed.length > 0 ? `${s.failed.length} of ${s.runCount} runs failed` : '';
}

/**
 * The report's note on a sweep's failed runs: how many, which (at most ten named), where their
 * errors are, and that the statistics are over each configuration's successful runs; undefined
 * when no run failed.
 */
export function failedRunsNote(results: Results): string | undefined {
  const s = results.sweep;
  if (!s || s.failed.length === 0) return undefined;
  const named = s.failed.slice(0, SHOWN).map((f) => runText(results, f)).join('; ') + (s.failed.length > SHOWN ? `; and ${s.failed.length - SHOWN} more` : '');
  return `${failedCount(results)}: ${named}. Their errors: ${errorsWhere(results)}. `
    + 'Means, CIs and n are over the successful runs of each configuration.';
}

/** The error of a report on a sweep every run of which failed (nothing to chart), or undefined when some run succeeded. */
export function allRunsFailedMessage(results: Results): string | undefined {
  const s = results.sweep;
  if (!s || s.runCount === 0 || s.points.some((p) => p.config.runs.length > 0)) return undefined;
  const first = s.failed[0];
  const distinct = new Set(s.failed.map((f) => f.error)).size;
  return `${results.dir}: every run of sweep '${s.name}' failed (${s.failed.length} of ${s.runCount}), so there is nothing to chart; `
    + `the first, ${runText(results, first)}: ${first.error}${distinct > 1 ? ` (${distinct} different errors)` : ''}; all their errors: ${errorsWhere(results)}`;
}
