/**
 * The line of a run's figures that says what was run: the trace file, the
 * kernel and the seed (`trace demo.csv, kernel freebsd, seed 1`), so that a
 * figure copied into a paper still says it, not only index.html's settings
 * table. A directory of runs gets what all its runs share (`every run:
 * trace demo.csv, seed 1`), and says when they replayed different traces
 * (`runs of 4 different traces`); a sweep none (its figures name the grid values).
 */
import { basename } from 'node:path';
import type { Results } from './data.ts';
import { keyShortTitle } from './labels.ts';

/** The words naming what `results` ran, '' when nothing is shared by every run (or it is a sweep). */
export function runLine(results: Results): string {
  if (results.kind === 'sweep') return '';
  const runs = results.configurations.flatMap((c) => c.runs);
  if (runs.length === 0) return '';
  // the one value every run has, or undefined
  const shared = (of: (s: (typeof runs)[number]['summary']) => unknown): string | undefined => {
    const values = new Set(runs.map((r) => String(of(r.summary))));
    return values.size === 1 ? [...values][0] : undefined;
  };
  const trace = shared((s) => basename(String(s.trace?.path ?? '')));
  const kernel = shared((s) => s.config.personality);
  const seed = shared((s) => s.config.seed);
  const words = [
    trace ? `trace ${trace}` : '',
    kernel ? `${keyShortTitle('personality')} ${kernel}` : '',
    seed !== undefined ? `seed ${seed}` : '',
  ].filter(Boolean).join(', ');
  if (runs.length === 1) return words;
  // several runs (a legend of configurations beside it): what they share, said of them all, and that they replayed
  // different traces when they did (runs of four traces side by side read as one workload's configurations otherwise)
  const traces = new Set(runs.map((r) => basename(String(r.summary.trace?.path ?? ''))));
  return [words ? `every run: ${words}` : '', traces.size > 1 ? `runs of ${traces.size} different traces` : ''].filter(Boolean).join('; ');
}
