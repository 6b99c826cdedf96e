/**
 * What a figure says of a tail percentile drawn from too few msyncs: a p99 of
 * fewer than 100 msyncs is the run's largest msync or next to it, and a
 * p99.9 of fewer than 1,000 too, which a reader of the figure should know.
 */
import type { Results } from './data.ts';

/** The fewest msyncs a tail percentile needs (1 / (1 − q)): below, it is the sample's largest or next to it. */
export const TAIL_NEEDS = { p99: 100, p999: 1000 } as const;

/** The fewest successful msyncs of a run with any (summary.json sync.ok), or Infinity when none has one. */
export function fewestMsyncs(results: Results): number {
  return Math.min(...results.configurations.flatMap((c) => c.runs.map((r) => r.summary.sync.ok).filter((n) => n > 0)));
}

/**
 * The note for the percentiles `shown` (`p99`, `p999`; others need none) of `runs` runs whose fewest
 * successful msyncs are `fewest`, '' when each rests on enough of them (1 / (1 − q) or more).
 */
export function tailNote(fewest: number, shown: readonly string[], runs: number): string {
  // one run: its own msyncs (`of 98 msyncs, fewer than 100`), not `of runs of ... (as few as 98)`
  const one = runs === 1;
  const few = (n: number) => (one ? `of ${fewest.toLocaleString('en-US')} msyncs (fewer than ${n.toLocaleString('en-US')})` : `of runs of fewer than ${n.toLocaleString('en-US')} msyncs (as few as ${fewest.toLocaleString('en-US')})`);
  const their = one ? 'its' : 'their';
  const p99 = shown.includes('p99'), p999 = shown.includes('p999');
  const { p99: n99, p999: n999 } = TAIL_NEEDS;
  if (fewest < n99 && p99 && p999) return `p99 and p99.9 ${few(n99)} are ${their} largest msyncs or near them`;
  if (fewest < n99 && p99) return `p99 ${few(n99)} is ${their} largest msync or near it`;
  if (fewest < n999 && p999) return `p99.9 ${few(n999)} is near ${their} largest msync`;
  return '';
}

/** How many runs with a successful msync `results` draws (the runs {@link tailNote} speaks of). */
export function runsWithMsyncs(results: Results): number {
  return results.configurations.reduce((n, c) => n + c.runs.filter((r) => r.summary.sync.ok > 0).length, 0);
}
