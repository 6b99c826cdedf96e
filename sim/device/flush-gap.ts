/**
 * How a FLUSH's fixed cost grows with the time since the previous FLUSH
 * (`device.flush_gap`). Under a virtual disk whose FLUSH is an fsync of the
 * backing file on the host, a FLUSH right after another costs least, and one
 * that follows a longer stretch without a FLUSH costs more, whatever was
 * written in between (the development machine, a busy guest CPU, one 4 KiB
 * write before each FLUSH, the calibration of 2026-12-03 11:57 UTC: median
 * 177 µs back to back, 299 µs 4 ms after the previous FLUSH, 386 µs 16 ms
 * after; `syncsim calibrate` measures the table with
 * scripts/measure/flush-gap.c). The time counts from the end of the previous
 * FLUSH, or of a PREFLUSH write's flush, and from 0 for the first; the factor
 * multiplies `flush_us` and `flush_empty_us` alike; a device without a write
 * cache sends no FLUSH, so the table does nothing there.
 */

import type { FlushGap } from './profiles.ts';

export { NO_FLUSH_GAP, type FlushGap } from './profiles.ts';

/**
 * The factor of a FLUSH `gapUs` µs after the previous one: linear in
 * ln(gap) between the table's points, the first point's factor before it and
 * the last's after it (no extrapolation); 1 with an empty table.
 */
export function flushGapFactor(t: FlushGap, gapUs: number): number {
  const g = t.gap_us, f = t.factor;
  const n = g.length;
  if (n === 0) return 1;
  if (gapUs <= g[0]) return f[0];
  if (gapUs >= g[n - 1]) return f[n - 1];
  let i = 1;
  while (g[i] < gapUs) i++;
  const lo = Math.log(g[i - 1]), hi = Math.log(g[i]);
  const x = (Math.log(gapUs) - lo) / (hi - lo);
  return f[i - 1] + x * (f[i] - f[i - 1]);
}

/**
 * Why `t` is not a usable table, or null: equal lengths, times ascending,
 * and above 0 when there are two or more (interpolation is in ln(time)).
 */
export function flushGapProblem(t: FlushGap): { key: string; message: string } | null {
  if (t.gap_us.length !== t.factor.length) return { key: 'factor', message: `must have one factor per gap_us entry (got ${t.factor.length} factors for ${t.gap_us.length} gaps)` };
  if (t.gap_us.length > 1 && !(t.gap_us[0] > 0)) return { key: 'gap_us.0', message: `must be above 0 when the table has two or more points: it is interpolated in ln(time) (got ${t.gap_us[0]}; a FLUSH sooner than the first point takes its factor)` };
  for (let i = 1; i < t.gap_us.length; i++) {
    if (!(t.gap_us[i] > t.gap_us[i - 1])) return { key: 'gap_us', message: `must be ascending (entry ${i + 1}, ${t.gap_us[i]}, is not above ${t.gap_us[i - 1]})` };
  }
  return null;
}
