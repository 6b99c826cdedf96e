/**
 * How far a sweep's run is, told from its worker to the sweep (scripts/sweep/progress.ts), so
 * that a sweep of a few long runs shows them moving before the first one ends.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BytesRead } from '../../traces/byte-tap.ts';

/** How often a run under way tells the sweep how far it is (ms of wall clock). */
export const PROGRESS_EVERY_MS = 500;

/**
 * A run's `progress`, `progressTap` and row count (`onRows`, from `onSource`) that `tell` the
 * share of its trace replayed, at most every `everyMs`: rows of the rows a cache's header gives,
 * else the share of the CSV file read.
 */
export function runProgress(trace: string, tell: (share: number) => void, everyMs = PROGRESS_EVERY_MS) {
  let rows: number | undefined;
  let size = 0;
  try {
    size = statSync(trace).size;
  } catch {
    // the run says why it cannot read it
  }
  const tap = new BytesRead();
  let last = performance.now();
  return {
    progressTap: tap,
    onRows: (n: number | undefined) => (rows = n),
    progress: (done: number) => {
      const now = performance.now();
      if (now - last < everyMs) return;
      last = now;
      const share = rows !== undefined ? (rows > 0 ? done / rows : 1) : size > 0 ? tap.at / size : undefined;
      if (share !== undefined) tell(share);
    },
  };
}
