/**
 * The drawn points of a sweep line chart (charts/sweep-line.ts): one row per
 * grid point with a metric's mean and the 95 % confidence interval of the
 * mean over its seeds, put in the unit of the chart's y axis.
 */
import { configMetric, type Results, type SweepPoint } from './data.ts';
import { countMetric, METRIC_LABELS, metricLabel, metricTitle, withUnit, type LabelOverrides } from './labels.ts';
import { durationUnit } from './duration-unit.ts';
import { byteUnit, METRIC_BYTE_UNIT_MAX } from './byte-units.ts';

/** One drawn point: the mean of a grid point and its CI. */
export interface SweepRow {
  /** Where it is drawn on the x axis (in the axis's unit; a no-limit value at its place apart, `apart`). */
  x: number;
  /** Its grid value as the axis writes it (`1,500`, `unlimited`), for the tooltips. */
  x_text: string;
  /** 1 for the grid value that means no limit, drawn apart at the right and not joined to the line. */
  apart?: 1;
  series: string;
  mean: number;
  /** The CI's ends as drawn (cut at 0 or at a log axis's floor). */
  lo: number;
  hi: number;
  /** The CI's lower end, mean − ci95, as computed (in the axis's unit). */
  ci_lo: number;
  n: number;
  /** 1 where the CI reaches 0 or below on a log axis: `lo` is the axis floor, where a triangle marks the cut. */
  lo_cut?: 1;
}

/** Metrics that cannot be negative: the counts, times, sizes and ratios of summary.json (their CI is cut at 0). */
export function nonNegativeMetric(metric: string): boolean {
  return Object.hasOwn(METRIC_LABELS, metric) || /^(sync|wire)\.errors\.|^(ops|faults|writeback\.by_cause)\./.test(metric);
}

/**
 * Whether the seeds tell series `a` and `b` apart: at some x value both have
 * a CI (two or more runs) and the two intervals do not meet. A point with one
 * run has no interval and tells nothing apart.
 */
export function distinctByCi(a: readonly Pick<SweepRow, 'x' | 'n' | 'lo' | 'hi'>[], b: readonly Pick<SweepRow, 'x' | 'n' | 'lo' | 'hi'>[]): boolean {
  for (const p of a) {
    const q = b.find((r) => r.x === p.x);
    if (q === undefined || p.n < 2 || q.n < 2) continue;
    if (p.hi < q.lo || q.hi < p.lo) return true;
  }
  return false;
}

/** The rows of one metric over a sweep's points, and what their CIs are like. */
export interface MetricRows {
  /** A row per point with a value of the metric (in its own unit; `x_text` still empty). */
  rows: SweepRow[];
  /** Points with a CI (two or more runs). */
  withCi: number;
  /** Some statistics were computed from the runs (not read from aggregate.csv). */
  fromRuns: boolean;
  /** Some CI is wider than 0. */
  spread: boolean;
  /** Points whose seeds gave the same value (a CI of 0). */
  flat: number;
  /** Fewest and most runs of a point. */
  nMin: number;
  nMax: number;
}

/** The rows of `metric` at `points`, each drawn at `xOf` of its point, in the series `seriesOf` of its grid values. */
export function metricRows(results: Results, points: readonly SweepPoint[], metric: string, xOf: (p: SweepPoint) => number, seriesOf: (values: string[]) => string): MetricRows {
  const rows: SweepRow[] = [];
  let withCi = 0, fromRuns = false, spread = false, flat = 0;
  let nMin = Infinity, nMax = 0;
  for (const p of points) {
    const st = configMetric(results, p.config, metric);
    if (st.mean === null) continue;
    if (st.source === 'runs') fromRuns = true;
    if (st.ci95 !== null) withCi++;
    if (st.ci95 !== null && st.ci95 > 0) spread = true;
    if (st.ci95 === 0) flat++;
    nMin = Math.min(nMin, st.n);
    nMax = Math.max(nMax, st.n);
    rows.push({
      x: xOf(p), x_text: '', series: seriesOf(p.values), mean: st.mean,
      lo: st.ci95 === null ? st.mean : st.mean - st.ci95, hi: st.ci95 === null ? st.mean : st.mean + st.ci95,
      ci_lo: st.ci95 === null ? st.mean : st.mean - st.ci95, n: st.n,
    });
  }
  return { rows, withCi, fromRuns, spread, flat, nMin, nMax };
}

/** The unit and scale of a metric's y axis ({@link inYUnit}). */
export interface YUnit {
  /** A byte count's binary unit, ` (MiB)`; else empty. */
  unit: string;
  /** The axis's title (a duration's in the unit chosen). */
  yName: string;
  /** The factor of the metric's label's scale (a fraction drawn in percent: 100), else 1. */
  factor: number;
  /** The metric is a count: ticked at whole numbers. */
  counts: boolean;
  /** The CI was cut at 0 (the metric cannot be negative). */
  clamped: boolean;
}

/**
 * Puts `rows` (in place) in the unit of `metric`'s y axis: byte counts in a
 * binary unit, durations in the unit their values read best in, a fraction
 * at its label's scale; a CI of a metric that cannot be negative cut at 0.
 * `labels`: the experiment's own titles (a metric given one keeps its values).
 */
export function inYUnit(rows: SweepRow[], metric: string, labels: LabelOverrides): YUnit {
  // byte counts in binary units; a fraction as a percentage (its label's scale)
  let unit = '';
  if (/bytes$/.test(metric) && !Object.hasOwn(labels, metric)) {
    const max = Math.max(...rows.map((r) => Math.abs(r.hi)));
    const [name, div] = byteUnit(max, 2, METRIC_BYTE_UNIT_MAX);
    unit = ` (${name})`;
    for (const r of rows) Object.assign(r, { mean: r.mean / div, lo: r.lo / div, hi: r.hi / div, ci_lo: r.ci_lo / div });
  }
  // durations in the unit their values read best in (µs, ms or s): an axis of 1.2 s, not of 1,200,000 µs
  const time = Object.hasOwn(labels, metric) ? undefined : durationUnit(metricLabel(metric).unit, rows.flatMap((r) => [r.mean, r.hi]));
  const yName = time && time.div !== 1 ? withUnit({ title: metricLabel(metric).title, unit: time.unit }) : metricTitle(metric, labels);
  if (time && time.div !== 1) for (const r of rows) Object.assign(r, { mean: r.mean / time.div, lo: r.lo / time.div, hi: r.hi / time.div, ci_lo: r.ci_lo / time.div });
  const factor = Object.hasOwn(labels, metric) ? 1 : metricLabel(metric).scale ?? 1;
  // msyncs, pages, a result code's calls: ticked at whole numbers
  const counts = countMetric(metric);
  if (factor !== 1) for (const r of rows) Object.assign(r, { mean: r.mean * factor, lo: r.lo * factor, hi: r.hi * factor, ci_lo: r.ci_lo * factor });
  // a count, time or size cannot be negative: its CI is cut at 0 rather than pulling the axis below it
  const clamped = nonNegativeMetric(metric) && rows.every((r) => r.mean >= 0) && rows.some((r) => r.lo < 0);
  if (clamped) for (const r of rows) r.lo = Math.max(0, r.lo);
  return { unit, yName, factor, counts, clamped };
}
