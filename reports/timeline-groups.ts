/**
 * How the timeline's strips are split among figures (reports/charts/timeline.ts):
 * equal consecutive groups, each figure's file name, and what its note says
 * of the strips it holds and of the counts they share.
 */

/** `items` in `figures` consecutive groups as equal as can be (the first ones an item larger). */
export function chunks<T>(items: readonly T[], figures: number): T[][] {
  const out: T[][] = [];
  const base = Math.floor(items.length / figures), extra = items.length % figures;
  for (let i = 0, at = 0; i < figures; i++) {
    const n = base + (i < extra ? 1 : 0);
    out.push(items.slice(at, at + n));
    at += n;
  }
  return out;
}

/** The file name of timeline figure `i` (0-based): `timeline`, then `timeline-2`, `timeline-3`, ... */
export function timelineName(i: number): string {
  return i === 0 ? 'timeline' : `timeline-${i + 1}`;
}

/** Values as a figure writes a count of them: `4,193` when all are one, else their least and most, `4,191–4,193`. */
export function countRange(values: readonly number[]): string {
  const f = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 3 });
  const lo = Math.min(...values), hi = Math.max(...values);
  return lo === hi ? f(lo) : `${f(lo)}–${f(hi)}`;
}

/**
 * What figure `gi` of timeline figures `groups` holds and where the others are: `strips 1–4 of 8 (5–8 in
 * timeline-2)`; of more than two figures, `strips 3–4 of 8 (timeline to timeline-4 hold them all, in order)`.
 */
export function splitNote(groups: readonly (readonly string[])[], gi: number, total: number): string {
  const range = (g: number) => {
    const from = groups.slice(0, g).reduce((n, x) => n + x.length, 0) + 1, to = from + groups[g].length - 1;
    return from === to ? `${from}` : `${from}–${to}`;
  };
  if (groups.length > 2) return `strips ${range(gi)} of ${total} (${timelineName(0)} to ${timelineName(groups.length - 1)} hold them all, in order)`;
  const other = 1 - gi;
  return `strips ${range(gi)} of ${total} (${range(other)} in ${timelineName(other)})`;
}
