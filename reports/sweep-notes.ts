/**
 * What a sweep line chart says of its series that have no value of its
 * metric, or none at some x values: which, where, and why; and what the
 * report says of charts against a key that the configurations chosen with
 * `--configs` have one value of.
 */
import { count } from './chart.ts';
import { summaryMetric, type SweepPoint } from './data.ts';
import { keyAxis, keyShortTitle, type LabelOverrides } from './labels.ts';
import { noLimitWord } from './no-limit.ts';

/**
 * A grid key's value as a note writes it: `text` with `unit`, the unit the key's axis and legends give it
 * (`8 pages`, `2 ms`, `500 writes/s per task`); `text` alone when the key has no unit. Until 2026-12-06 the
 * notes gave only times and byte counts their unit (`have one write cluster (8)`).
 */
export function noteValue(text: string, unit: string | undefined): string {
  return unit ? `${text} ${unit}` : text;
}

/**
 * Why the points `points` have no value of `metric`: every run failed, or
 * none of the successful ones had it (for a durability lag, because none
 * made a page version durable: `durability.durable_pages` 0 in each).
 */
function noValueReason(points: readonly SweepPoint[], metric: string): string {
  const runs = points.flatMap((p) => p.config.runs);
  const failed = points.reduce((n, p) => n + p.failed, 0);
  if (runs.length === 0) return failed === 1 ? 'its run failed' : `all ${count(failed)} of its runs failed`;
  const also = failed ? `; ${count(failed)} failed` : '';
  const ok = runs.length === 1 ? 'its successful run' : `any of its ${count(runs.length)} successful runs`;
  if (metric.startsWith('durability.lag_us.') && runs.every((r) => summaryMetric(r.summary, 'durability.durable_pages') === 0)) return `no page version became durable in ${ok}${also}`;
  return `${runs.length === 1 ? 'its successful run' : `none of its ${count(runs.length)} successful runs`} had ${runs.length === 1 ? 'none' : 'one'}${also}`;
}

/**
 * The in-figure words for the series of a sweep line that have no value of
 * `metric` (a line left out) or none at some x values (a line with gaps),
 * each with why: `no durability lag p99 for freebsd (no page version became
 * durable in any of its 6 successful runs)`; '' when every series has a value
 * at every x. `pointsOf` gives a series' grid points, `xOf` a point's x as the
 * x axis draws it, in `unit` (`at msync interval 2, 8 ms`, as the axis reads);
 * `apart`, the x axis's no-limit value drawn apart (`sweep-x.ts`), written by
 * its word (`at memory 1,500 pages and unlimited`).
 */
export function missingValuesNote(series: readonly string[], pointsOf: (s: string) => SweepPoint[], has: (p: SweepPoint) => boolean, xOf: (p: SweepPoint) => number, metricName: string, keyName: string, metric: string, unit?: string, apart?: { at: number; word: string }): string {
  const parts: string[] = [];
  for (const s of series) {
    const missing = pointsOf(s).filter((p) => !has(p));
    if (missing.length === 0) continue;
    const all = missing.length === pointsOf(s).length;
    const xs = missing.map(xOf).sort((a, b) => a - b);
    const limits = xs.filter((x) => apart === undefined || x !== apart.at).map((x) => count(x)).join(', ');
    const beyond = apart !== undefined && xs.includes(apart.at) ? apart.word : '';
    const at = all ? '' : ` at ${keyName} ${limits ? noteValue(limits, unit) : ''}${limits && beyond ? ' and ' : ''}${beyond}`;
    parts.push(`${s}${at} (${noValueReason(missing, metric)})`);
  }
  return parts.length ? `no ${metricName} for ${parts.join('; ')}` : '';
}

/**
 * The report's notes on the sweep charts `names` against grid key `key`, not drawn because the configurations
 * chosen with `--configs` have one value of it, `value` (as written in the grid), which they write as the axis
 * would: `sweep-p99-vs-sync-interval-us: the configurations chosen with --configs have one msync interval (2 ms);
 * not drawn.`
 */
export function oneValueNotes(names: readonly string[], key: string, value: number, labels: LabelOverrides): string[] {
  const axis = keyAxis(key, [value], labels);
  const text = noLimitWord(key, value) ?? noteValue(count(value / axis.div), axis.unit);
  return names.map((n) => `${n}: the configurations chosen with --configs have one ${keyShortTitle(key, labels)} (${text}); not drawn.`);
}
