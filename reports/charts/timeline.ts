/**
 * Timelines from timeline.csv: dirty pages, pages under writeback, wired
 * pages and device queue depth over simulated time, one panel each (a
 * column of four at single width, two by two wider, so the figure keeps a
 * paper's aspect ratio). Up to {@link TIMELINE_MAX_OVERLAID} configurations
 * are overlaid in each panel; more get a strip each within every panel
 * (small multiples), since their spiky step lines would hide one another.
 */
import { configLegend, figureHeight, figureNote, labelTooltip, noteHeight, WIDE_FIGURE, type Chart, type ChartContext, type ChartModule, LOWEST_SEED_NOTE } from '../chart.ts';
import type { TimelineSeries } from '../reduce.ts';
import { colorOf, mergeIdentical } from '../series.ts';

/** The panels, in reading order. */
const PANELS: { field: TimelineSeries; title: string }[] = [
  { field: 'dirty_pages', title: 'dirty pages' },
  { field: 'writeback_pages', title: 'pages under writeback' },
  { field: 'wired_pages', title: 'wired pages' },
  { field: 'queue_depth', title: 'device queue depth (I/Os)' },
];

/** Figures at least this wide (px) put the panels two by two. */
export const TIMELINE_GRID_WIDTH = WIDE_FIGURE;

/** Figures at least this wide (px) put panels of strips two by two (a paper's single column is 238). */
export const STRIPS_GRID_WIDTH = 220;

/** Most configurations (those with identical timelines counted once) overlaid in one panel; more are drawn as strips. */
export const TIMELINE_MAX_OVERLAID = 3;

/** Least height (px) of one configuration's strip, its name above it excluded: at single width, and wider; at least {@link STRIP_LABELS} label heights. */
const STRIP_HEIGHT = { single: 26, wide: 32 };

/** A strip is at least this many label heights tall, so that its two tick labels stand apart in any theme. */
const STRIP_LABELS = 3.2;

/** Gap (px) between one strip and the next strip's name. */
const STRIP_GAP = 7;

/** Gap between two panels of strips, in label heights: more than between strips, so that a panel's title reads as its own. */
const PANEL_GAP_LABELS = 2.5;

/** Colour of a strip's name (the figure note's grey). */
const STRIP_NAME_COLOR = '#444444';

/**
 * The largest round value at or below `v` (> 0): 1 to 9, or 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 × 10^k
 * from 10 up, so that a strip's top tick stands near its largest value (45 → 40, not 25); 0 for 0.
 */
export function roundBelow(v: number): number {
  if (!(v > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  // whole numbers below 10: pages and I/Os
  const step = (p < 10 ? [9, 8, 7, 6, 5, 4, 3, 2, 1] : [8, 7, 6, 5, 4, 3, 2.5, 2, 1.5, 1]).find((s) => s * p <= v * (1 + 1e-9)) ?? 1;
  return +(step * p).toPrecision(12);
}

/** The `timeline` chart. */
export const timeline: ChartModule = {
  name: 'timeline',
  summary: 'dirty, under-writeback and wired pages and device queue depth over time (timeline.csv)',
  async build(ctx: ChartContext): Promise<Chart[]> {
    const sel = ctx.perRun();
    if ('skip' in sel) return [];
    let rows: Record<string, number | string>[] = [];
    let maxBucket = 1, maxMs = 0;
    const perConfig: { label: string; color: string; data: unknown }[] = [];
    for (const { config, run } of sel.runs) {
      const t = await ctx.timeline(run);
      maxBucket = Math.max(maxBucket, t.bucket);
      for (const p of t.points) {
        rows.push({ config: config.label, ...p });
        maxMs = Math.max(maxMs, p.t_ms);
      }
      if (t.points.length) perConfig.push({ label: config.label, color: colorOf(ctx.colors, config.label), data: t.points });
    }
    if (rows.length === 0) return [];
    // configurations with identical timelines: one line, named `a = b`
    const merged = mergeIdentical(perConfig);
    rows = rows.filter((r) => merged.lead(r.config as string) !== undefined).map((r) => ({ ...r, config: merged.lead(r.config as string)! }));
    // seconds from 2 s: "1,000 2,000 3,000" of ms crowded a panel of a single column
    const seconds = maxMs >= 2_000;
    if (seconds) for (const r of rows) r.t = (r.t_ms as number) / 1000;
    const tField = seconds ? 't' : 't_ms';
    const labels = merged.scale.domain;
    // many configurations: one strip each, named by its header, so no legend
    const strips = labels.length > TIMELINE_MAX_OVERLAID;
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: merged.scale, legend: strips ? null : configLegend(ctx, labels) };
    const sample = sel.runs[0].run.summary.config.stats.sample_us;
    // a panel whose values are all 0 has nothing to show: left out, the caption and a note say so
    const flat = new Set(PANELS.filter((p) => rows.every((r) => !(Number(r[p.field]) > 0))).map((p) => p.field));
    const panels = PANELS.filter((p) => !flat.has(p.field));
    // said of the samples: between two of them a value may have risen and fallen again unseen
    if (flat.size) ctx.notes.push(`timeline: ${PANELS.filter((p) => flat.has(p.field)).map((p) => p.title).join(', ')} ${flat.size > 1 ? 'were' : 'was'} 0 at every sample (every ${sample} µs); ${panels.length ? (flat.size > 1 ? 'panels' : 'panel') + ' left out' : 'not drawn'}.`);
    if (panels.length === 0) return [];
    const caption = `Samples of timeline.csv (every ${sample} µs of simulated time)`
      + (maxBucket > 1 ? `; each point is the largest value of ${maxBucket} consecutive samples, so peaks are kept` : '')
      + (ctx.results.kind === 'sweep' ? '; each configuration is drawn from its lowest-seed run' : '')
      + (flat.size ? `; ${PANELS.filter((p) => flat.has(p.field)).map((p) => p.title).join(', ')} ${flat.size > 1 ? 'were' : 'was'} 0 at every sample and ${flat.size > 1 ? 'are' : 'is'} not drawn` : '')
      + (merged.any ? `; configurations with identical timelines share one ${strips ? 'strip' : 'line'} (${merged.series.filter((s) => s.members.length > 1).map((s) => s.label).join('; ')})` : '')
      + (strips ? `; with more than ${TIMELINE_MAX_OVERLAID} configurations each panel has a strip per configuration, named above it, on one y scale within the panel` : '') + '.';
    // strips carry no legend: the note says what their names are
    const note = figureNote(ctx, [
      // a reader of the figure alone must know that a line is an upper envelope, not the samples (a sawtooth reads as flat)
      ctx.results.kind === 'sweep' ? LOWEST_SEED_NOTE : '',
      // not a missing measure: Mach's kernel hands a page to its manager (data_return) and is done with it
      sel.runs.some(({ run }) => run.summary.config.personality === 'mach') ? 'mach: a page is clean once its data_return message is sent, so none stays under writeback' : '',
      maxBucket > 1 ? `each point is the largest of ${maxBucket} samples (${+((maxBucket * sample) / 1000).toPrecision(3)} ms)` : '',
      strips && ctx.results.configTitle ? `strips named by ${ctx.results.configTitle}` : '',
      merged.any ? "'=' joins configurations with identical timelines" : '',
    ]);
    // strips go two by two from a single column's width: a column of four panels of strips would be twice as tall
    const grid = (ctx.width >= (strips ? STRIPS_GRID_WIDTH : TIMELINE_GRID_WIDTH)) && panels.length > 1;
    const cols = grid ? 2 : 1;
    const rowsOfPanels = Math.ceil(panels.length / cols);
    const timeTitle = `simulated time (${seconds ? 's' : 'ms'})`;
    const label = ctx.theme.fontSize.label;
    const panelGap = strips ? Math.round(PANEL_GAP_LABELS * label) : grid ? 10 : 4;
    // strips: each panel is its title, then a named strip per configuration; the x axis and its title under the bottom panels
    const stripHeight = (w: number) => Math.max(w >= WIDE_FIGURE ? STRIP_HEIGHT.wide : STRIP_HEIGHT.single, Math.ceil(STRIP_LABELS * label));
    // a strip takes its name above it and half a tick label beyond either end of its plot besides its own height
    const stripsHeight = (w: number) => rowsOfPanels * (labels.length * (stripHeight(w) + 2 * label + 3 + STRIP_GAP) + label + 6) + panelGap * (rowsOfPanels - 1) + 3.5 * label + 8 + noteHeight(ctx, note);
    return [{
      name: 'timeline',
      family: 'timeline',
      title: 'Timelines',
      caption,
      cells: { x: cols, y: rowsOfPanels * (strips ? labels.length : 1) },
      // a column of four panels needs a tall single-column figure (fewer panels, less); two by two keeps 0.55 of the width
      height: (w) => (strips ? Math.round(stripsHeight(w)) : grid ? figureHeight(ctx, w, labels, note, rowsOfPanels > 1 ? w * 0.12 : 0) : figureHeight(ctx, w, labels, note, (w * 0.6 * (panels.length - 1)) / 3)),
      spec: (cw, ch) => ({
        ...ctx.base(),
        ...(note ? { title: note } : {}),
        data: { values: rows },
        spacing: panelGap,
        columns: cols,
        concat: panels.map((panel, i) => {
          const bottom = i >= panels.length - cols;
          // SI prefixes shared by the ticks (5k, 10k), but 0 as 0, not 0k
          // a strip has room for two tick labels: 0 and a round value near the panel's top
          const top = strips ? roundBelow(Math.max(...rows.map((r) => Number(r[panel.field]) || 0))) : 0;
          const ticks = strips && top > 0 ? { values: [0, top] } : { tickCount: 3 };
          const y = { field: panel.field, type: 'quantitative', title: null, axis: { ...ticks, tickMinStep: 1, format: '~s', labelExpr: "datum.value === 0 ? '0' : datum.label" } };
          const view = {
            width: cw,
            height: ch,
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x: {
                field: tField, type: 'quantitative',
                title: bottom ? timeTitle : null,
                axis: bottom ? { tickCount: grid ? 4 : 6 } : { labels: false, ticks: false, title: null, tickCount: grid ? 4 : 6 },
              },
              y,
              color,
              tooltip: labelTooltip('config', 'configuration'),
            },
          };
          // the panel's name above it, level (a rotated axis title would be taller than a short panel)
          const title = { text: panel.title, anchor: 'start', frame: 'group', fontSize: label, offset: 2, ...(strips ? { fontWeight: 'bold' } : {}) };
          if (!strips) return { title, ...view };
          return {
            title,
            facet: {
              row: {
                field: 'config', type: 'nominal', sort: labels, title: null,
                header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left', labelFontSize: label, labelPadding: 0, labelLimit: cw, labelColor: STRIP_NAME_COLOR },
              },
            },
            spacing: STRIP_GAP,
            spec: view,
            resolve: { scale: { y: 'shared' } },
          };
        }),
        resolve: { scale: { x: 'shared', y: 'independent' } },
      }),
    }];
  },
};
