/**
 * Timeline bands: every panel of the timeline is drawn the same way at every
 * run length, a line at the mean of the samples of each stretch of time (the
 * sample itself when a stretch is one row) over a band from the least sample
 * to the most the count reached (timeline.csv's `*_max` columns), so that a
 * peak between two samples is shown without being taken for the state. A
 * count that swings between low and high more often than a line can be drawn
 * (dirty pages 0 → 64 → 0 at every msync of a trace that syncs every 64
 * stores) gets stretches holding a few swings each, so that its mean is
 * steady; otherwise a stretch is as narrow as the figure draws (a row, or
 * {@link BAND_PX} px).
 */
import { TIMELINE_SERIES, type TimelineSeries } from './timeline-series.ts';

/** Fine buckets per drawn point of the timeline (rows per fine bucket: a point's rows over this, at least 1). */
export const FINE_PER_POINT = 8;

/** Least width (px) of a swing (a move between the low and the high quarter of a series) drawn as a line; narrower, a band. */
export const SWING_LINE_WIDTHS = 2;

/** Swings each band holds on average, so that nearly every band spans the whole swing, not part of one. */
export const SWINGS_PER_BAND = 8;

/** Least width (px) of one band. */
export const BAND_PX = 2;

/** Opacity of a band's shading under its line at the mean, alone in its plot (a panel of one configuration, a strip). */
export const BAND_OPACITY = { alone: 0.25 };

/**
 * How a configuration's peaks are drawn in a panel of several overlaid (where shading, at 0.15 opacity until
 * 2026-12-07, covered the panel in a grey block): a step line at the `*_max` of each stretch, this fraction of the
 * theme's line width, dotted, at this opacity, in the configuration's colour under its line at the mean.
 */
export const PEAK_LINE = { width: 0.6, dash: [1.5, 1.5], opacity: 0.7 };

/** A series must swing over at least this share of its panel's largest value to be a band: smaller wiggles read as a line. */
const VISIBLE_SHARE = 1 / 8;

/** A run's timeline.csv in fine buckets of consecutive rows: per series, its least sample, its most and its samples' sum. */
export interface FineTimeline {
  /** Rows per fine bucket. */
  rows: number;
  /** Each bucket's first time (ms), rows, and per series its least sample, most (the `*_max` columns when the file has them) and sum of samples. */
  t_ms: number[];
  count: number[];
  lo: Record<TimelineSeries, number[]>;
  hi: Record<TimelineSeries, number[]>;
  sum: Record<TimelineSeries, number[]>;
  /** The file's last row, the state at the run's end: its time (ms) and samples. */
  end?: { t_ms: number; v: Record<TimelineSeries, number> };
}

const perSeries = <T>(f: () => T): Record<TimelineSeries, T> => Object.fromEntries(TIMELINE_SERIES.map((s) => [s, f()])) as Record<TimelineSeries, T>;

/** Rows of timeline.csv per fine bucket for drawn points of `pointRows` rows. */
export function fineRows(pointRows: number): number {
  return Math.max(1, Math.ceil(pointRows / FINE_PER_POINT));
}

/** Folds timeline.csv's rows, in order, into fine buckets of `rows` rows each. */
export class FineBuckets {
  private readonly out: FineTimeline;
  private inBucket: number;

  constructor(rows: number) {
    this.out = { rows, t_ms: [], count: [], lo: perSeries(() => []), hi: perSeries(() => []), sum: perSeries(() => []) };
    this.inBucket = rows;
  }

  /** Adds a row at `tUs` of samples `v` and most values `peak` over its interval (both in {@link TIMELINE_SERIES} order). */
  add(tUs: number, v: readonly number[], peak: readonly number[]): void {
    const o = this.out;
    if (this.inBucket === o.rows) {
      o.t_ms.push(tUs / 1000);
      o.count.push(0);
      TIMELINE_SERIES.forEach((s, i) => (o.lo[s].push(v[i]!), o.hi[s].push(peak[i]!), o.sum[s].push(0)));
      this.inBucket = 0;
    }
    const k = o.t_ms.length - 1;
    o.count[k]!++;
    TIMELINE_SERIES.forEach((s, i) => {
      o.lo[s][k] = Math.min(o.lo[s][k]!, v[i]!);
      o.hi[s][k] = Math.max(o.hi[s][k]!, peak[i]!);
      o.sum[s][k]! += v[i]!;
    });
    this.inBucket++;
    o.end = { t_ms: tUs / 1000, v: Object.fromEntries(TIMELINE_SERIES.map((s, i) => [s, v[i]!])) as Record<TimelineSeries, number> };
  }

  /** The buckets so far. */
  done(): FineTimeline {
    return this.out;
  }
}

/**
 * How many times series `s` of `fine` moves between the low and the high quarter of its range (a swing: low to
 * high, or back); 0 when that range is less than {@link VISIBLE_SHARE} of `panelMax`. A fine bucket reaching both
 * quarters holds at least a swing each way.
 */
export function swings(fine: FineTimeline, s: TimelineSeries, panelMax: number): number {
  const lo = fine.lo[s], hi = fine.hi[s];
  if (lo.length === 0) return 0;
  const bottom = Math.min(...lo), top = Math.max(...hi);
  if (!(top - bottom >= VISIBLE_SHARE * panelMax) || !(top > bottom)) return 0;
  const qLo = bottom + (top - bottom) / 4, qHi = bottom + (3 * (top - bottom)) / 4;
  let n = 0;
  let state: 'low' | 'high' | undefined;
  for (let i = 0; i < lo.length; i++) {
    const low = lo[i]! <= qLo, high = hi[i]! >= qHi;
    // both in one bucket: a swing each way (one when nothing came before), ending, say, high
    if (low && high) (n += state === undefined ? 1 : 2), (state ??= 'high');
    else if (low) (n += state === 'high' ? 1 : 0), (state = 'low');
    else if (high) (n += state === 'low' ? 1 : 0), (state = 'high');
  }
  return n;
}

/** Whether `n` swings over a plot `plotPx` wide are too many to draw as a line of `lineWidth` px: fewer than {@link SWING_LINE_WIDTHS} line widths apart. */
export function tooDense(n: number, plotPx: number, lineWidth: number): boolean {
  return n > 0 && plotPx / n < SWING_LINE_WIDTHS * lineWidth;
}

/**
 * Fine buckets per band of a run of `fine` whose series drawn as a band swing at least `n` times each, on a plot `plotPx` wide
 * showing `shownRows` rows (the run's, or the longest of runs on one time axis): enough that a band holds
 * {@link SWINGS_PER_BAND} swings on average, and is at least {@link BAND_PX} px wide.
 */
export function bandFines(fine: FineTimeline, n: number, plotPx: number, shownRows: number): number {
  const rows = fine.count.reduce((a, b) => a + b, 0);
  // none too dense (a band because another configuration's is): as narrow as the figure draws
  const bySwings = n > 0 && Number.isFinite(n) ? (SWINGS_PER_BAND * rows) / n : 1;
  const byPx = (BAND_PX * shownRows) / Math.max(1, plotPx);
  return Math.max(1, Math.ceil(Math.max(bySwings, byPx) / fine.rows));
}

/** One band of a run: its first time (ms) and, per banded series `S`, `S_min` (least sample), `S_max` (most) and `S_mean` (mean of samples). */
export type BandRow = { t_ms: number } & Record<string, number>;

/**
 * The bands of `fine`, `k` fine buckets each, for `series`; then the file's last row, the state at the run's end,
 * as a band of its own (its sample for least, most and mean), so that a line ends where the run left it.
 */
export function bandRows(fine: FineTimeline, k: number, series: readonly TimelineSeries[]): BandRow[] {
  const out: BandRow[] = [];
  for (let i = 0; i < fine.t_ms.length; i += k) {
    const row: BandRow = { t_ms: fine.t_ms[i]! };
    const n = fine.count.slice(i, i + k).reduce((a, b) => a + b, 0);
    for (const s of series) {
      row[`${s}_min`] = Math.min(...fine.lo[s].slice(i, i + k));
      row[`${s}_max`] = Math.max(...fine.hi[s].slice(i, i + k));
      row[`${s}_mean`] = fine.sum[s].slice(i, i + k).reduce((a, b) => a + b, 0) / n;
    }
    out.push(row);
  }
  const end = fine.end;
  if (end && out.length > 0 && end.t_ms > out[out.length - 1]!.t_ms) {
    const row: BandRow = { t_ms: end.t_ms };
    for (const s of series) row[`${s}_min`] = row[`${s}_max`] = row[`${s}_mean`] = end.v[s];
    out.push(row);
  }
  return out;
}

/** A configuration's timeline as {@link chooseBands} takes it. */
export interface BandInput {
  label: string;
  fine: FineTimeline;
}

/** Each configuration's bands and what set their width: what {@link chooseBands} decides. */
export interface BandChoice {
  /** The series drawn (every panel given, in its order), none when no configuration is given. */
  series: TimelineSeries[];
  /** The series that swing too often to draw as a line ({@link tooDense}), whose swings set the stretches' width. */
  dense: TimelineSeries[];
  /** The most swings of a dense series of one configuration. */
  swings: number;
  /** Per configuration: rows of timeline.csv per band, and its bands (`config` its label). */
  runs: { label: string; rows: number; bands: Record<string, number | string>[] }[];
}

/**
 * The bands of every one of `panels` (each a series and its largest value over every configuration), on plots
 * `plotPx` wide of lines `lineWidth` px: each configuration's stretches hold a few swings of its series that swing
 * too often to draw ({@link tooDense}), or, none doing so, are as narrow as the figure draws; of one width for all
 * when they share a time axis (`shared`), so that they align.
 */
export function chooseBands(configs: readonly BandInput[], panels: readonly { field: TimelineSeries; max: number }[], plotPx: number, lineWidth: number, shared: boolean): BandChoice {
  const counts = configs.map((c) => panels.map((p) => swings(c.fine, p.field, p.max)));
  const total = (c: BandInput) => c.fine.count.reduce((a, b) => a + b, 0);
  const longest = Math.max(0, ...configs.map(total));
  // on a shared time axis a shorter run takes its share of the plot's width
  const px = configs.map((c) => (shared ? (plotPx * total(c)) / longest : plotPx));
  const dense = counts.map((n, i) => n.map((nj) => tooDense(nj, px[i]!, lineWidth)));
  const series = configs.length ? panels.map((p) => p.field) : [];
  const denseSeries = panels.filter((_, j) => dense.some((d) => d[j])).map((p) => p.field);
  const most = (i: number) => Math.max(0, ...panels.map((p, j) => (denseSeries.includes(p.field) ? counts[i]![j]! : 0)));
  // bands in which the series that swings least of those too dense to draw swings a few times (its mean then steady),
  // and not narrower than the figure draws; none too dense: as narrow as the figure draws
  const least = (i: number) => (dense[i]!.some(Boolean) ? Math.min(...counts[i]!.filter((_, j) => dense[i]![j])) : 0);
  const fines = configs.map((c, i) => bandFines(c.fine, least(i), plotPx, shared ? longest : total(c)));
  const common = Math.max(1, ...fines);
  return {
    series,
    dense: denseSeries,
    swings: Math.max(0, ...configs.map((_, i) => most(i))),
    runs: configs.map((c, i) => {
      const k = shared ? common : fines[i]!;
      return { label: c.label, rows: k * c.fine.rows, bands: bandRows(c.fine, k, series).map((b) => ({ ...b, config: c.label })) };
    }),
  };
}
