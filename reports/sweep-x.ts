/**
 * A sweep line's x axis: how grid values are scaled (linear, log, symlog),
 * how the error bars of several series at one x stand apart, and where a
 * grid value that means no limit (`memory.pages` 0: no-limit.ts) is drawn:
 * apart, right of the largest limit, past a dashed break, labelled with its
 * word and not joined to the line, rather than at 0 on the scale.
 */
import { count, COUNT_LABELS } from './chart.ts';
import { textWidth } from './fonts.ts';

/**
 * How the x axis of grid values `sorted` (ascending, at least two) is scaled:
 * `log` for geometric steps (1, 2, 4, 8 or 10, 100, 1000: each at least 1.5×
 * the one before, spanning 8× or more); `symlog` for such steps after a 0
 * (0, 1, 2, 4, ..., 128), which a linear axis would crowd into its left edge,
 * with the constant that puts 0 about one step left of the smallest positive
 * value; else `linear`.
 */
export function gridScale(sorted: readonly number[]): { type: 'log' | 'linear' } | { type: 'symlog'; constant: number } {
  const geometric = (v: readonly number[]) => v.length >= 2 && v[0] > 0 && v[v.length - 1] / v[0] >= 8 && v.every((x, i) => i === 0 || x / v[i - 1] >= 1.5);
  if (geometric(sorted)) return { type: 'log' };
  const rest = sorted.slice(1);
  if (sorted[0] === 0 && geometric(rest)) {
    // symlog(x) = log(1 + x / c): with c = x1 / (r − 1), r the mean step ratio, 0 → x1 is as wide as x1 → r·x1
    const r = (rest[rest.length - 1] / rest[0]) ** (1 / (rest.length - 1));
    return { type: 'symlog', constant: rest[0] / (r - 1) };
  }
  return { type: 'linear' };
}

/** How a sweep line's x values are scaled ({@link gridScale}). */
export type GridScale = ReturnType<typeof gridScale>;

/**
 * Where on an x scale of `scale` grid value `v` lies, in the scale's own
 * units (v, log v, or symlog's sign(v)·log(1 + |v| / c)), so that distances
 * are proportional to pixels.
 */
export function scaled(scale: GridScale, v: number): number {
  if (scale.type === 'log') return Math.log(v);
  if (scale.type === 'symlog') return Math.sign(v) * Math.log1p(Math.abs(v) / scale.constant);
  return v;
}

/** The grid value at scaled position `t` ({@link scaled}'s inverse). */
function unscaled(scale: GridScale, t: number): number {
  if (scale.type === 'log') return Math.exp(t);
  if (scale.type === 'symlog') return Math.sign(t) * Math.expm1(Math.abs(t)) * scale.constant;
  return t;
}

/**
 * How the error bars of `n` series at one x stand apart: `step` px between
 * neighbours and the x scale's `padding` (px) that keeps the outermost, with
 * its point of radius `radius`, inside the plot. The step is `preferred`
 * while the bars of one x span at most half the narrowest gap between two
 * x values of `sorted` on a plot `plotWidth` px wide, less beyond (70 series
 * 3 px apart spread 200 px, past the plot's edge and across their
 * neighbours); the padding is `basePadding`, more when the spread needs it.
 */
export function dodgeLayout(n: number, sorted: readonly number[], scale: GridScale, plotWidth: number, preferred: number, basePadding: number, radius: number): { step: number; padding: number } {
  if (n < 2 || sorted.length < 2) return { step: 0, padding: basePadding };
  const t = sorted.map((v) => scaled(scale, v));
  const span = t[t.length - 1] - t[0];
  const narrowest = Math.min(...t.slice(1).map((v, i) => v - t[i])) / span;
  let padding = basePadding, step = preferred;
  // the padding narrows the plot's data width and so the gaps: a few rounds settle both
  for (let round = 0; round < 4; round++) {
    step = Math.min(preferred, (0.5 * Math.max(0, plotWidth - 2 * padding) * narrowest) / (n - 1));
    padding = Math.max(basePadding, ((n - 1) * step) / 2 + radius + 1);
  }
  return { step, padding };
}

/** How far right of the largest limit a no-limit value is drawn: this share of the limits' span on the scale. */
export const APART_SHARE = 0.4;

/** A sweep line's x axis over its grid values. */
export interface SweepX {
  /** The values drawn on the scale (in the axis's unit), ascending: every grid value but a no-limit 0. */
  sorted: number[];
  scale: GridScale;
  /**
   * The grid value that means no limit, when the grid has it: its word (`unlimited`), where it is drawn
   * (`at`, in the axis's unit: {@link APART_SHARE} of the limits' span right of the largest, on the scale)
   * and where the dashed break between it and the limits stands (`rule`, half way).
   */
  apart?: { word: string; at: number; rule: number };
  /** The tick values: `sorted`, then `apart.at`. */
  ticks: number[];
}

/**
 * The x axis of a sweep line over grid values `values` (distinct, in the axis's unit), `word` the word of
 * the key's no-limit 0 (no-limit.ts) or undefined: with a 0 there, the limits are scaled alone (`gridScale`:
 * 1,500, 3,000, 8,000 pages linearly, not with an unlimited memory at 0 joined by a line to 1,500) and the 0
 * is drawn apart at the right ({@link SweepX}.apart); one limit alone stands at the left of a linear axis,
 * the no-limit value as far again to its right.
 */
export function sweepX(values: readonly number[], word: string | undefined): SweepX {
  const all = [...values].sort((a, b) => a - b);
  const sorted = word === undefined ? all : all.filter((v) => v !== 0);
  if (word === undefined || sorted.length === all.length || sorted.length === 0) {
    const scale = gridScale(all);
    return { sorted: all, scale, ticks: all };
  }
  const scale = sorted.length >= 2 ? gridScale(sorted) : { type: 'linear' as const };
  const lo = scaled(scale, sorted[0]!), hi = scaled(scale, sorted[sorted.length - 1]!);
  const span = hi > lo ? hi - lo : Math.abs(hi) || 1;
  const at = +unscaled(scale, hi + (sorted.length >= 2 ? APART_SHARE : 1) * span).toPrecision(12);
  const rule = unscaled(scale, (hi + scaled(scale, at)) / 2);
  return { sorted, scale, apart: { word, at, rule }, ticks: [...sorted, at] };
}

/** Whether x value `x` (in the axis's unit) is where `x` draws its no-limit value. */
export function isApart(x: SweepX, v: number): boolean {
  return x.apart !== undefined && Math.abs(v - x.apart.at) <= 1e-9 * Math.abs(x.apart.at);
}

/** An x value as the axis writes it: comma-grouped (`1,500`), or the no-limit word (`unlimited`). */
export function xText(x: SweepX, v: number): string {
  return isApart(x, v) ? x.apart!.word : count(+v.toPrecision(12));
}

/** How a plot draws an x axis: `widthPx` wide, its scale padded `padding` px at each end, labels `fontSize` px. */
export interface XPlot {
  widthPx: number;
  padding: number;
  fontSize: number;
}

/**
 * The ticks of `x` whose labels (`text` of each) stand apart on `plot`: the no-limit value's always (its word
 * says what the point above it is), then the largest limit's, then the others' from the left, each kept when
 * its label clears those kept by ¾ of a label height; vega would drop every other label of a crowded axis,
 * the word's too.
 */
export function labelledTicks(x: SweepX, plot: XPlot, text: (v: number) => string): number[] {
  const t = x.ticks.map((v) => scaled(x.scale, v));
  const t0 = Math.min(...t), t1 = Math.max(...t);
  const inner = Math.max(1, plot.widthPx - 2 * plot.padding);
  const px = (i: number) => plot.padding + (t1 > t0 ? ((t[i]! - t0) / (t1 - t0)) * inner : inner / 2);
  // a label's extent: centred on its tick, or flush with the plot's end within a px of it (the theme's labelFlush)
  const extent = (i: number): [number, number] => {
    const w = textWidth(text(x.ticks[i]!), plot.fontSize), p = px(i);
    return p >= plot.widthPx - 1 ? [p - w, p] : p <= 1 ? [p, p + w] : [p - w / 2, p + w / 2];
  };
  const gap = plot.fontSize * 0.75;
  const kept: number[] = x.ticks.map((_, i) => i).filter((i) => isApart(x, x.ticks[i]!));
  const clear = (i: number) => kept.every((j) => {
    const [a0, a1] = extent(i), [b0, b1] = extent(j);
    return a1 + gap <= b0 || b1 + gap <= a0;
  });
  // the largest and smallest limits next (the ends of the scale), then the others from the left
  const limits = x.ticks.map((_, i) => i).filter((i) => !kept.includes(i));
  for (const i of [limits[limits.length - 1]!, ...limits.slice(0, -1)]) if (i !== undefined && clear(i)) kept.push(i);
  return kept.sort((a, b) => a - b).map((i) => x.ticks[i]!);
}

/**
 * The x axis's labelling: its tick values and how they are written, in full and comma-grouped (`COUNT_LABELS`,
 * `format(datum.value, ',')`: 10, 50, 1,500, 0.5) whether grid values as written or values in a larger unit
 * (`divided`: ms of µs, MiB of bytes), and the no-limit value by its word, always labelled ({@link labelledTicks}
 * on `plot`). Never a `format` of the axis: vega narrows it to the ticks' step first, so that `,~g` wrote 10 and
 * 50 ms as `1e+1` and `5e+1` (until 2026-12-07).
 */
export function xAxisLabels(x: SweepX, divided: boolean, plot: XPlot): Record<string, unknown> {
  if (!x.apart) return { values: x.ticks, ...COUNT_LABELS };
  const at = x.apart.at;
  const text = (v: number) => (isApart(x, v) ? x.apart!.word : divided ? (+v.toPrecision(12)).toLocaleString('en-US', { maximumFractionDigits: 12 }) : count(v));
  return { values: labelledTicks(x, plot, text), labelExpr: `abs(datum.value - ${at}) <= ${1e-9 * Math.abs(at)} ? ${JSON.stringify(x.apart.word)} : ${COUNT_LABELS.labelExpr}` };
}
