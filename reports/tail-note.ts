/**
 * What a figure says of a tail percentile drawn from too few msyncs: a p99 of
 * fewer than 100 msyncs is the run's largest msync or next to it, and a
 * p99.9 of fewer than 1,000 too, which a reader of the figure should know.
 */
import type { Results } from './data.ts';

/** The fewest successful msyncs of a run with any (summary.json sync.ok), or Infinity when none has one. */
export function fewestMsyncs(results: Results): number {
  return Math.min(...results.configurations.flatMap((c) => c.runs.map((r) => r.summary.sync.ok).filter((n) => n > 0)));
}

/**
 * The note for the percentiles `shown` (`p99`, `p999`; others need none) of runs whose fewest
 * successful msyncs are `fewest`, '' when each rests on enough of them (1 / (1 − q) or more).
 */
export function tailNote(fewest: number, shown: readonly string[]): string {
  const few = (n: number) => `of runs of fewer than ${n.toLocaleString('en-US')} msyncs (as few as ${fewest.toLocaleString('en-US')})`;
  const p99 = shown.includes('p99'), p999 = shown.includes('p999');
  if (fewest < 100 && p99 && p999) return `p99 and p99.9 ${few(100)} are their largest msyncs or near them`;
  if (fewest < 100 && p99) return `p99 ${few(100)} is their largest msync or near it`;
  if (fewest < 1000 && p999) return `p99.9 ${few(1000)} is near their largest msync`;
  return '';
}
