/**
 * The closing summary of failed runs that `syncsim sweep` and `syncsim merge` print.
 */
import { showPath, type RunRecord } from './store.ts';

/** Runs listed one by one before the rest is only counted. */
const SHOWN = 10;

/** `N of M runs failed:` then one line per failed run (id, point, seed, error), at most ten. */
export function failureReport(failed: readonly RunRecord[], total: number, out: string): string {
  const lines = [`syncsim: ${failed.length} of ${total} runs failed:`];
  for (const r of failed.slice(0, SHOWN)) lines.push(`  ${r.id} (point ${r.point}, seed ${r.seed}): ${r.error ?? 'unknown error'}`);
  if (failed.length > SHOWN) lines.push(`  ... and ${failed.length - SHOWN} more`);
  lines.push(`  (errors in ${showPath(out)}/results.csv and runs/<id>/run.json)`);
  return lines.join('\n') + '\n';
}
