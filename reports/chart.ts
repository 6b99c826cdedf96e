/**
 * What a chart module is and what it is given: the shared shape of
 * reports/charts/*.ts.
 */
import type { Configuration, Results, RunRef } from './data.ts';
import type { SyncStats, TimelineData } from './reduce.ts';
import type { ConfigScale, Theme } from './theme.ts';
import { textWidth, wrapText } from './fonts.ts';
import { runLine } from './run-line.ts';
import { registerNote, shortMerged } from './cut-labels.ts';

/**
 * `s` as a string literal of a Vega expression: JSON's, with the line and paragraph separators
 * (U+2028, U+2029), which JSON leaves as they are and Vega's expression parser refuses, escaped.
 */
export function vegaString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Output formats of `--format` (NAME.vl.json is always written). */
export const FORMATS = ['svg', 'png', 'pdf', 'html'] as const;
/** An output format. */
export type Format = (typeof FORMATS)[number];

/** A Vega-Lite specification (validated against vega-lite's JSON schema by the tests). */
export type VlSpec = Record<string, unknown>;

/** One chart of a report. */
export interface Chart {
  /** File base name: NAME.vl.json, NAME.svg, ... */
  name: string;
  /** Earlier names `--chart` still accepts (the dotted sweep names before issue 17). */
  aliases?: string[];
  /** The module that made it (what `--chart` selects). */
  family: string;
  /**
   * A sweep line's metric and grid key as the experiment names them (`sync.latency_us.p99`, `pager.cluster_pages`),
   * which report.json gives beside its name: its file words depend on the other metrics and keys of the sweep.
   */
  of?: { metric: string; key: string };
  /** A short title for index.html. */
  title: string;
  /** One or two sentences saying what is drawn and from which data. */
  caption: string;
  /** Grid of equal plot cells (a vertical stack of panels has y > 1). */
  cells: { x: number; y: number };
  /**
   * The figure's total height for a total width; with {@link cellHeight}, the most it may be (what splits
   * figures that would pass a page), which the figure drawn may fall short of.
   */
  height(width: number): number;
  /**
   * The plot cells' own height for a total width, when they have one (a timeline's strips): the layout draws
   * the cells this tall and the figure as tall as they make it, rather than stretching them to `height`.
   */
  cellHeight?(width: number): number;
  /** The full spec with each plot cell `cellWidth` × `cellHeight` px. */
  spec(cellWidth: number, cellHeight: number): VlSpec;
  /**
   * Px that a legend beside the plot takes at its right (the CDF's percentile markers), at least: a legend above
   * the plot may reach over it too, so its labels are cut only past the plot's width and this (`fitLegendLabels`).
   */
  besidePlot?: number;
}

/** Everything a chart module may use. */
export interface ChartContext {
  results: Results;
  theme: Theme;
  /** Total figure width in px (pt in the PDF). */
  width: number;
  /** Configuration label → colour and style number, the same in every chart. */
  colors: ConfigScale;
  /** The reduced syncs.csv of a run (read once, cached). */
  syncStats(run: RunRef): Promise<SyncStats>;
  /** The reduced timeline.csv of a run (read once, cached), in buckets of `bucket` rows when given, else of its own size. */
  timeline(run: RunRef, bucket?: number): Promise<TimelineData>;
  /**
   * The run drawn for each configuration by per-run charts (its lowest seed),
   * or a reason why per-run charts are left out (too many configurations).
   */
  perRun(): { runs: { config: Configuration; run: RunRef }[] } | { skip: string };
  /** The common top of every spec: schema, theme config, background. */
  base(): VlSpec;
  /** What chart modules left out and why (a chart or panel with nothing to show): the report's `note:` lines. */
  notes: string[];
}

/** A chart module: builds zero or more charts from a results directory. */
export interface ChartModule {
  /** The name `--chart` accepts; also the file name of a single chart. */
  name: string;
  /** What it draws, for `syncsim report --help`. */
  summary: string;
  /** Whether it draws each configuration's run (at most {@link MAX_PER_RUN_CONFIGS}: {@link ChartContext.perRun}). */
  perRun?: true;
  /** The charts it makes for these results ([] when it does not apply). */
  build(ctx: ChartContext): Promise<Chart[]>;
}

/** Most configurations a per-run chart (CDF, timeline, scatter) draws in one figure. */
export const MAX_PER_RUN_CONFIGS = 8;

/**
 * The tick labels of a count axis (a timeline's pages and I/Os, a sweep's grid values as written): comma-grouped and
 * in full (`1,500`, `10,000`), as `count` writes them and as the other axes of the report label theirs, never with
 * SI prefixes (`1.5k`, `10k`). Written by vega's expression `format`, which keeps every digit, where an axis's
 * `format: ','` has vega narrow it to the ticks' step first (`2e+2` for 200, `3e+1` for 32).
 */
export const COUNT_LABELS = { labelExpr: "format(datum.value, ',')" } as const;

/** Formats a count with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A legend for the configuration series `labels` (merged labels included), or none when there is only one. */
export function configLegend(ctx: ChartContext, labels: readonly string[]): Record<string, unknown> | null {
  const title = ctx.results.configTitle ?? null;
  return labels.length > 1 ? { title, titleOrient: 'top', columns: legendColumns(ctx, labels), labelLimit: labelLimit(ctx) } : null;
}

/** The height (px) a configuration legend of `labels` takes above a plot, 0 when there is none. */
export function legendHeight(ctx: ChartContext, labels: readonly string[]): number {
  if (labels.length < 2) return 0;
  const size = ctx.theme.fontSize.label;
  const rows = Math.ceil(labels.length / legendColumns(ctx, labels));
  return (rows + 1) * (size * 1.25 + 1) + size * 0.5;
}

/** Figures at least this wide (px) are double-column figures, drawn flatter. */
export const WIDE_FIGURE = 400;

/**
 * Figures narrower than this (px) are small multiples (`--width 150`): a
 * legend beside the plot would take a third of their width, so their legends
 * go above or below it.
 */
export const NARROW_FIGURE = 200;

/**
 * A figure's total height for width `w`: a plot of a paper's aspect (0.6 of
 * a single column's width, 0.45 of a double column's) plus what its
 * configuration legend and in-figure note take. A legend taller than
 * {@link LEGEND_SHARE} of such a plot gets a plot as much taller, so that the
 * legend does not swamp it (until 2026-12-07 a legend of 16 configurations
 * stood 185 pt over a plot of 137).
 */
export function figureHeight(ctx: ChartContext, w: number, legendLabels: readonly string[], note?: Record<string, unknown>, extra = 0): number {
  const legend = legendHeight(ctx, legendLabels);
  return Math.round(Math.max(plotHeight(w), legend / LEGEND_SHARE) + legend + noteHeight(ctx, note) + extra);
}

/** The most of its plot's allotted height a legend above it may be before the plot grows ({@link figureHeight}). */
export const LEGEND_SHARE = 0.8;

/** The plot height {@link figureHeight} allots a figure `w` px wide: 0.6 of a single column's width, 0.45 of a double column's. */
function plotHeight(w: number): number {
  return w >= WIDE_FIGURE ? Math.max(200, w * 0.45) : Math.max(140, w * 0.6);
}

/**
 * The largest plot a figure of one plot cell `ctx.width` px wide can have: as wide as the figure, and as tall as
 * {@link figureHeight} allots its plot (plus `extra`, plot height the chart adds, such as a timeline's further
 * panels). The plot drawn is smaller: the layout takes its axes, and its legend and note, out of these. Differences
 * between series are measured on it (series.ts `drawnAlike`), so that none is understated.
 */
export function plotBound(ctx: ChartContext, extra = 0): { width: number; height: number } {
  return { width: ctx.width, height: plotHeight(ctx.width) + extra };
}

/** The height (px) an in-figure note from {@link figureNote} takes, 0 when there is none. */
export function noteHeight(ctx: ChartContext, note?: Record<string, unknown>): number {
  const lines = Array.isArray(note?.text) ? (note.text as unknown[]).length : 0;
  return lines ? lines * Math.round(ctx.theme.fontSize.label * 1.2) + ctx.theme.fontSize.label : 0;
}

/**
 * The height (px) vega gives an in-figure note from {@link figureNote}, 0 when there is none: its offset
 * from the plot, a line height per line after the first, and the last line's font size.
 */
export function noteBlock(note?: Record<string, unknown>): number {
  const lines = Array.isArray(note?.text) ? (note.text as unknown[]).length : 0;
  if (!lines) return 0;
  const n = note as { offset: number; lineHeight: number; fontSize: number };
  return n.offset + (lines - 1) * n.lineHeight + n.fontSize;
}

/** Words broken into lines no wider than a width (reports/fonts.ts, where the text is measured). */
export { wrapText };

/**
 * The caption line inside a figure (what a reader of the PDF alone must
 * know: n, the CI level, clamped values), set under the plot in the label
 * size and wrapped to the figure width, and on a line of its own after it
 * what was run (a run's trace file, kernel and seed: {@link runLine});
 * undefined when there is nothing to say. The layout adds the legend
 * labels it cuts short, in full (`noteCutLabels`).
 */
export function figureNote(ctx: ChartContext, notes: readonly string[]): Record<string, unknown> | undefined {
  const text = notes.filter(Boolean).join('; ');
  const run = runLine(ctx.results);
  if (!text && !run) return undefined;
  const size = ctx.theme.fontSize.label;
  const width = ctx.width - 2 * ctx.theme.padding - 4;
  const note = {
    text: [...(text ? wrapText(text + '.', size, width) : []), ...(run ? wrapText(run, size, width) : [])],
    orient: 'bottom', anchor: 'start', frame: 'bounds', fontSize: size, fontWeight: 'normal', color: '#444444',
    offset: Math.round(size * 0.6), lineHeight: Math.round(size * 1.2),
  };
  // the layout may add to it the legend labels it cuts short (cut-labels.ts), before the line of what was run
  registerNote(note, text, run ?? '');
  return note;
}

/** The in-figure words of a sweep's chart drawn from one run of each configuration (a CDF, a scatter, a timeline). */
export const LOWEST_SEED_NOTE = "each configuration's lowest-seed run only, not all its seeds";

/**
 * The in-figure words for n and a confidence interval, n being the range over every point drawn:
 * `n = 5 seeds per point; bars: 95 % CI of the mean`; `n = 1–3 seeds per point; bars: ... (none
 * where n = 1)`; without a CI (`shape` null, one seed everywhere) `n = 1 seed per point; no CI (one seed)`;
 * `noSpread` (every CI drawn is 0 wide: the seeds gave one value) says so instead of naming bars.
 */
export function ciNote(nMin: number, nMax: number, shape: 'bars' | 'band' | null, what = 'point', noSpread = false): string {
  const n = nMin === nMax ? count(nMin) : `${count(nMin)}–${count(nMax)}`;
  const seeds = `n = ${n} seed${nMax === 1 ? '' : 's'} per ${what}`;
  if (shape === null) return `${seeds}; no CI (one seed)`;
  // the seeds are copies (a trace file replayed by a model that draws nothing random), or agree exactly
  if (noSpread) return `${seeds}, which gave the same value at every ${what}: no spread, no ${shape} to draw`;
  return `${seeds}; ${shape}: 95 % CI of the mean${nMin === 1 ? ' (none where n = 1)' : ''}`;
}

/**
 * The tooltip of a mark that stands for a configuration (or a series of
 * them): the full label in `field`, titled `title` (a legend or axis may end
 * it in an ellipsis, `fitLegendLabels`), then `extra` fields, such as the value
 * drawn. index.html shows it on hover; the SVG, PNG and PDF do not.
 */
export function labelTooltip(field: string, title: string, ...extra: Record<string, unknown>[]): Record<string, unknown>[] {
  return [{ field, type: 'nominal', title }, ...extra];
}

/** The longest a legend label may be: one entry per row must fit the figure. */
export function labelLimit(ctx: ChartContext): number {
  return Math.max(40, ctx.width - 2 * ctx.theme.padding - ctx.theme.fontSize.label * 3);
}

/**
 * `spec` with the labels of its legends kept within a plot `plotWidth` px
 * wide: a top legend starts at the plot's left edge, so a label wider than
 * the plot (a 110-character configuration name) made the figure wider than
 * asked and the layout shrank the plot to nothing. Each column of a legend
 * gets an equal share of the plot's width, less the symbol and gaps; longer
 * labels end in an ellipsis (vega's labelLimit), the full label staying in
 * the data, the tooltips and index.html's settings table. Legends beside the
 * plot (`orient: 'right'`) are left alone.
 */
export function fitLegendLabels<T>(spec: T, plotWidth: number, labelSize: number): T {
  if (Array.isArray(spec)) return spec.map((x) => fitLegendLabels(x, plotWidth, labelSize)) as T;
  if (spec === null || typeof spec !== 'object') return spec;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec as Record<string, unknown>)) {
    if (k === 'legend' && v && typeof v === 'object' && !Array.isArray(v) && (v as { orient?: string }).orient !== 'right' && (v as { orient?: string }).orient !== 'left') {
      const l = v as { columns?: number; labelLimit?: number };
      const cols = Math.max(1, l.columns ?? 1);
      const room = (plotWidth - (cols - 1) * Math.round(labelSize * 0.75)) / cols - labelSize * 2;
      const limit = Math.max(40, Math.floor(room));
      out[k] = { ...l, labelLimit: l.labelLimit ? Math.min(l.labelLimit, limit) : limit };
    } else out[k] = fitLegendLabels(v, plotWidth, labelSize);
  }
  return out as T;
}

/**
 * Columns of a legend of `labels` above the plot: as many as the figure's width holds without cutting a label
 * (fitLegendLabels shares the plot's width among them); and when that leaves more than {@link LEGEND_ROWS} rows,
 * more, while each label still fits whole or, joined configurations, as its first members and how many more
 * (cut-labels.ts `shortMerged`, `a = 2 more`, the note naming them in full), so that a legend of 16 sweep
 * series is not taller than its plot (until 2026-12-07 one column of 16 rows over a plot of 12 rows' height).
 */
export function legendColumns(ctx: ChartContext, labels: readonly string[]): number {
  const size = ctx.theme.fontSize.label;
  const longest = Math.max(...labels.map((l) => textWidth(l, size)), 1);
  // symbol, its gap and the column gap, as set by the theme's legend config
  const perEntry = longest + size * 3.5;
  let cols = Math.max(1, Math.min(labels.length, Math.floor((ctx.width - 2 * ctx.theme.padding) / perEntry)));
  // fewer columns while fitLegendLabels would cut the longest label: it shares the plot's width, not the figure's,
  // among the columns (the plot taken as the renderer's first guess, the figure less 60 px of axes)
  const plot = ctx.width - 60;
  const room = (c: number) => (plot - (c - 1) * Math.round(size * 0.75)) / c - size * 2;
  while (cols > 1 && room(cols) < longest) cols--;
  // a tall legend: more columns, each label whole or shortened at its joins
  const fits = (c: number) => labels.every((l) => textWidth(l, size) <= room(c) || shortMerged(l, size, room(c)) !== undefined);
  while (Math.ceil(labels.length / cols) > LEGEND_ROWS && cols < labels.length && fits(cols + 1)) cols++;
  return cols;
}

/** Rows of a legend above the plot past which it takes more columns, its joined labels shortened ({@link legendColumns}). */
export const LEGEND_ROWS = 6;

/** Log axes' domains and ticks (reports/log-axis.ts), for the chart modules. */
export { bracketsData, fitLogDomain, logAxis, logAxisAcross, logDomain, logDomainClear, logTicks, logTicksAcross, markPadding, planAxis, planLogAxis, planTicks, snapLogDomain, type LogPlan } from './log-axis.ts';
