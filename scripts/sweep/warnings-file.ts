/**
 * Writes `warnings.txt` beside a sweep's tables: the warnings and notes the sweep (or merge)
 * printed when it wrote results.csv and aggregate.csv — seeds that are copies, closed replays
 * stretched, grid points that made nothing durable — so that they travel with the tables instead
 * of staying on a terminal, and `syncsim report` shows them (reports/sweep-warnings-file.ts).
 * Written after the tables, replaced each time they are, removed when there is nothing to say; a
 * file of that name syncsim did not write (its first line is not WARNINGS_HEAD) is left alone.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isWarningsFile, WARNINGS_FILE, WARNINGS_HEAD } from '../../reports/sweep-warnings-file.ts';
import { writeSweepFile } from './store.ts';

export { WARNINGS_FILE };

/** Writes (or removes, when both are empty) the warnings file of `outDir`: `warning: ...` and `note: ...` lines. */
export function writeWarningsFile(outDir: string, warnings: readonly string[], notes: readonly string[]): void {
  const path = join(outDir, WARNINGS_FILE);
  if (existsSync(path) && !isWarningsFile(path)) return;
  if (warnings.length + notes.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  writeSweepFile(path, WARNINGS_HEAD + [...warnings.map((w) => `warning: ${w}`), ...notes.map((n) => `note: ${n}`)].join('\n') + '\n');
}
