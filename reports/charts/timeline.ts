/**
 * Timelines from timeline.csv: dirty pages, pages under writeback, wired
 * pages and device queue depth over simulated time, each drawn the same way
 * at every run length (a line at the mean of the samples of each stretch of
 * time over a band up to the peak: timeline-band.ts), one panel each (a
 * column of four at single width, two by two wider, three as two above one
 * as wide as both, so the figure keeps a paper's aspect ratio and has no
 * empty quadrant). Up to {@link TIMELINE_MAX_OVERLAID} configurations of
 * runs of similar length are overlaid in each panel; more, or runs of very
 * different lengths, get a strip each within every panel (small multiples),
 * since their spiky step lines would hide one another and a short run would
 * be a sliver at the start of a long one's axis. A figure is never taller
 * than the theme's `maxFigureHeight`: more strips go into further figures.
 */
import { configLegend, count, COUNT_LABELS, figureHeight, figureNote, labelTooltip, noteBlock, plotBound, WIDE_FIGURE, type Chart, type ChartContext, type ChartModule, LOWEST_SEED_NOTE } from '../chart.ts';
import { textWidth, wrapText } from '../fonts.ts';
import { timelineBucket, timelineRows, TIMELINE_POINTS, type TimelinePoint, type TimelineSeries } from '../reduce.ts';
import type { Summary } from '../../sim/stats/summary.ts';
import { hiddenNote, hiddenSeries } from '../hidden-lines.ts';
import { colorOf, drawnAlike, drawnResolution, mergeIdentical, mergedNote, resolutionText, dashLegend, sharedColourDash, sharesColour, styleOf, wrapMerged, type DrawnMark } from '../series.ts';
import { runsWithFile } from '../missing-files.ts';
import { BAND_OPACITY, chooseBands, PEAK_LINE, SWING_LINE_WIDTHS, SWINGS_PER_BAND, type FineTimeline } from '../timeline-band.ts';
import { fewSamplesCaption, fewSamplesNote, stretchCaption, stretchNote, type StretchWords } from '../timeline-words.ts';
import { roundAbove, roundBelow } from '../round-ticks.ts';
import { linearAxis } from '../linear-axis.ts';
import { chunks, countRange, splitNote, timelineName } from '../timeline-groups.ts';

/** A strip's top tick and a bound on a panel's (round-ticks.ts), where the timeline's tests have found them. */
export { roundAbove, roundBelow };
/** The name of each timeline figure and the count ranges its notes give (timeline-groups.ts), where the tests import them. */
export { countRange, timelineName };

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

/**
 * Runs whose lengths are within this factor of one another share one time
 * axis, so that their times compare directly; beyond it (a 3 s run beside a
 * 115 s one was a sliver at the left of the axis) each configuration gets a
 * strip with a time axis of its own, fitted to its run.
 */
export const SHARED_TIME_AXIS_RATIO = 2;

/** Least height (px) of one configuration's strip, its name above it excluded: at single width, and wider; at least {@link STRIP_LABELS} label heights. */
const STRIP_HEIGHT = { single: 26, wide: 32 };

/** A strip is at least this many label heights tall, so that its two tick labels stand apart in any theme. */
const STRIP_LABELS = 3.2;

/** Gap (px) between one strip and the next strip's name. */
const STRIP_GAP = 7;

/**
 * How far vega's bounds of a strip's step line reach past the plot on either side where the line runs along
 * the frame, in line widths (2.5 px of the paper theme's 1.25 px lines, 4 px of the screen's 2 px).
 */
const STRIP_OVERHANG = 2;

/** Gap between two panels of strips, in label heights: more than between strips, so that a panel's title reads as its own. */
const PANEL_GAP_LABELS = 2.5;

/** Colour of a strip's name (the figure note's grey). */
const STRIP_NAME_COLOR = '#444444';

/** A strip's name as a title's text: one line as a string, more as their list. */
function stripTitle(lines: readonly string[]): { text: string | string[] } {
  return { text: lines.length > 1 ? [...lines] : lines[0]! };
}

/** The `timeline` chart (and `timeline-2`, ... when its strips would make a figure taller than a page). */
export const timeline: ChartModule = {
  name: 'timeline',
  summary: 'dirty, under-writeback and wired pages and device queue depth over time (timeline.csv); timeline-2, ... when its strips would pass a page',
  perRun: true,
  async build(ctx: ChartContext): Promise<Chart[]> {
    const per = ctx.perRun();
    if ('skip' in per) return [];
    const sel = { runs: runsWithFile(ctx, 'timeline', 'timeline.csv', per.runs) };
    if (sel.runs.length === 0) return [];
    let rows: Record<string, number | string>[] = [];
    // each run's rows of timeline.csv: a note says when they are too few to show much
    const runRows: number[] = [];
    // whether every run's timeline.csv has the *_max columns (the most over each row's interval), not samples alone
    let peaks = true;
    const perConfig: { label: string; color: string; style: number; data: unknown }[] = [];
    // each configuration's rows in fine buckets (what a band is drawn from) and its sampling period (µs)
    const fineOf = new Map<string, { fine: FineTimeline; sampleUs: number }>();
    const sample = sel.runs[0].run.summary.config.stats.sample_us;
    const bucket = sharedBucket(sel.runs.map(({ run }) => run.summary));
    // how long each configuration's run lasted (ms): its simulated time (past its last drawn point, a bucket's first
    // sample), at least one sampling interval
    const lengthOf = new Map<string, number>();
    for (const { config, run } of sel.runs) {
      const t = await ctx.timeline(run, bucket);
      runRows.push(t.rows);
      fineOf.set(config.label, { fine: t.fine, sampleUs: run.summary.config.stats.sample_us });
      peaks &&= t.peaks;
      let last = 0;
      for (const p of t.points) {
        rows.push({ config: config.label, ...p });
        last = Math.max(last, p.t_ms);
      }
      lengthOf.set(config.label, Math.max(last, run.summary.sim_time_us / 1000, run.summary.config.stats.sample_us / 1000));
      if (t.points.length) perConfig.push({ label: config.label, color: colorOf(ctx.colors, config.label), style: styleOf(ctx.colors, config.label), data: t.points });
    }
    if (rows.length === 0) return [];
    // configurations with identical timelines, or drawn less than the figure's resolution apart: one line, named `a = b`.
    // Measured in px on the largest a panel can be (the plot figureHeight allots the overlaid panels, over their rows;
    // strips are shorter), along a time axis as long as the figure is wide, from 0 to the longest run's end (to the
    // shortest's when the runs may get a time axis each)
    const tol = drawnResolution(ctx.theme);
    const lengths = [...lengthOf.values()];
    const xMs = Math.max(...lengths) > SHARED_TIME_AXIS_RATIO * Math.min(...lengths) ? Math.min(...lengths) : Math.max(...lengths);
    const drawnPanels = PANELS.filter((p) => rows.some((r) => Number(r[p.field]) > 0));
    const allMax = new Map(drawnPanels.map((p) => [p.field, Math.max(...rows.map((r) => Number(r[p.field]) || 0))]));
    const n = Math.max(1, drawnPanels.length);
    const wide = ctx.width >= TIMELINE_GRID_WIDTH && n > 1, panelRows = wide ? Math.ceil(n / 2) : n;
    const panelPx = plotBound(ctx, wide ? (panelRows > 1 ? ctx.width * 0.12 : 0) : (ctx.width * 0.6 * (n - 1)) / 3).height / panelRows;
    const drawnOf = (points: readonly TimelinePoint[]): DrawnMark[] => points.map((p) => ({
      key: '', px: [(p.t_ms / xMs) * ctx.width, ...drawnPanels.map((f) => (p[f.field] / allMax.get(f.field)!) * panelPx)],
    }));
    const merged = mergeIdentical(perConfig.map((c) => ({ ...c, drawn: drawnOf(c.data as TimelinePoint[]) })), {
      alike: (a, b) => drawnAlike(a as DrawnMark[], b as DrawnMark[], tol), apart: resolutionText(ctx.theme),
    });
    rows = rows.filter((r) => merged.lead(r.config as string) !== undefined).map((r) => ({ ...r, config: merged.lead(r.config as string)! }));
    const labels = merged.scale.domain;
    const lengthMs = new Map(merged.series.map((s) => [s.label, lengthOf.get(s.members[0])!]));
    const maxMs = Math.max(...lengthMs.values()), minMs = Math.min(...lengthMs.values());
    // runs of very different lengths: a time axis each; similar ones share one
    const ownAxes = labels.length > 1 && maxMs > SHARED_TIME_AXIS_RATIO * minMs;
    // seconds from 2 s: "1,000 2,000 3,000" of ms crowded a panel of a single column; with an axis each, a strip's own
    // run sets its unit ("0.0005 0.0010" of seconds under a 3 ms run crowded it too)
    const inSeconds = (ms: number) => ms >= 2_000;
    const seconds = inSeconds(maxMs);
    if (seconds) for (const r of rows) r.t = (r.t_ms as number) / 1000;
    const mixed = ownAxes && seconds && !inSeconds(minMs);
    const secondsOf = (series: string | undefined) => (series !== undefined && ownAxes ? inSeconds(lengthMs.get(series)!) : seconds);
    const tField = (series: string | undefined) => (secondsOf(series) ? 't' : 't_ms');
    const unit = (series: string | undefined, ms: number) => (secondsOf(series) ? ms / 1000 : ms);
    // many configurations, or runs of very different lengths: one strip each, named by its header, so no legend
    const strips = labels.length > TIMELINE_MAX_OVERLAID || ownAxes;
    // several configurations in one panel: each one's peaks a dotted line, not shading that would cover the others'
    const overlaidPeaks = !strips && labels.length > 1;
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: merged.scale, legend: strips ? null : sharesColour(merged) ? dashLegend(configLegend(ctx, labels)) : configLegend(ctx, labels) };
    // overlaid lines of one kernel's colour told apart by their dash (strips are named each)
    const dash = strips ? {} : sharedColourDash(merged, 'config', 'configuration', color.legend);
    // those dashes are the configurations' own: a peak drawn in a fixed dotted dash would look like the mean of a
    // kernel's second configuration (dotted too), so each peak takes its configuration's dash, thinner and fainter
    // (the mean line's strokeDash encoding, legend and all: one merged legend, not a conflicting or a second one)
    const peakDash = overlaidPeaks && Object.keys(dash).length > 0;
    // a panel whose values are all 0 has nothing to show: left out, the caption and a note say so
    const flat = new Set(PANELS.filter((p) => rows.every((r) => !(Number(r[p.field]) > 0))).map((p) => p.field));
    const panels = PANELS.filter((p) => !flat.has(p.field));
    // said of the samples: between two of them a value may have risen and fallen again unseen
    if (flat.size) ctx.notes.push(`timeline: ${PANELS.filter((p) => flat.has(p.field)).map((p) => p.title).join(', ')} ${flat.size > 1 ? 'were' : 'was'} 0 at every sample (every ${sample} µs); ${panels.length ? (flat.size > 1 ? 'panels' : 'panel') + ' left out' : 'not drawn'}.`);
    if (panels.length === 0) return [];
    // each panel's largest value over every configuration: its strips' y scale, the same in every figure
    const panelMax = new Map(panels.map((p) => [p.field, Math.max(...rows.map((r) => Number(r[p.field]) || 0))]));
    const span = (ms: number) => (seconds ? `${+(ms / 1000).toPrecision(3)} s` : `${+ms.toPrecision(3)} ms`);
    // strips go two by two from a single column's width: a column of four panels of strips would be twice as tall
    const grid = (ctx.width >= (strips ? STRIPS_GRID_WIDTH : TIMELINE_GRID_WIDTH)) && panels.length > 1;
    const cols = grid ? 2 : 1;
    const rowsOfPanels = Math.ceil(panels.length / cols);
    // three panels two by two: the third as wide as the two above it, not beside an empty quadrant
    const wideLast = grid && panels.length === 3;
    const timeTitle = mixed ? "simulated time (each strip's unit after its name)" : `simulated time (${seconds ? 's' : 'ms'})`;
    const label = ctx.theme.fontSize.label;
    const panelGap = strips ? Math.round(PANEL_GAP_LABELS * label) : grid ? 10 : 4;
    const tickSize = Math.round(label * 0.4), labelPad = 2;
    // counts comma-grouped (1,500), as on every other axis of the report, not with SI prefixes (1.5k): the widest label a
    // panel can have is a strip's top tick (roundBelow) or a panel's top tick, at most the 1-2-5 value above its largest
    const yLabels = Math.max(textWidth('0', label), ...panels.map((p) => textWidth(count(strips ? roundBelow(panelMax.get(p.field)!) : roundAbove(panelMax.get(p.field)!)), label)));
    // y axes of one width (that widest label), so that a wide panel's plot spans the two above it exactly
    const yExtent = wideLast ? Math.ceil(yLabels) + tickSize + labelPad : undefined;
    // strips: each panel is its title, then a named strip per configuration; the x axis and its title under the bottom panels
    const stripHeight = (w: number) => Math.max(w >= WIDE_FIGURE ? STRIP_HEIGHT.wide : STRIP_HEIGHT.single, Math.ceil(STRIP_LABELS * label));
    // a time axis's tick labels under a strip (half its line, its ticks, the gap and a label) and the time axis's title
    const timeLabels = 0.5 + tickSize + labelPad + label;
    // wrapped to the panel's width (a small multiple's "(each strip's unit after its name)" ran 30 px past it); its
    // height as wrapped to less than the panels can be wide (the figure less a y axis), so that it is not short of it
    const titleSize = ctx.theme.fontSize.title;
    const timeTitleIn = (px: number) => {
      const lines = wrapText(timeTitle, titleSize, px);
      return lines.length > 1 ? lines : timeTitle;
    };
    const timeTitleLines = (w: number) => wrapText(timeTitle, titleSize, (wideLast ? w : w / cols) - 2 * ctx.theme.padding - 4 * label).length;
    const timeTitleHeight = (w: number) => Math.round(label * 0.4) + titleSize * timeTitleLines(w);
    // a strip's name: its configurations, and with runs in seconds and in ms the unit of its own time axis
    const stripName = (series: string) => (mixed ? `${series} (time in ${secondsOf(series) ? 's' : 'ms'})` : series);
    const stripNameLines = (series: string, px: number) => wrapMerged(stripName(series), label, px);
    const nameLineHeight = Math.round(label * 1.15);
    const stripPlotMin = (w: number) => (w - 2 * ctx.theme.padding - (cols - 1) * panelGap) / cols - (yLabels + tickSize + labelPad + 2);
    // every panel, at every run length: a line at the mean of the samples of each stretch of time (the sample itself
    // when a stretch is one row) over a band from the least sample to the peak (*_max), so that the line is the same
    // quantity in a 1 ms run and a 1 s one; a panel whose values rise and fall too often to draw as a line gets
    // stretches of a few rises and falls (timeline-band.ts)
    // a series' fine buckets and sampling period: its first member's
    const fineOfSeries = (l: string) => fineOf.get(merged.series.find((m) => m.label === l)!.members[0])!;
    const band = chooseBands(labels.map((l) => ({ label: l, fine: fineOfSeries(l).fine })),
      panels.map((p) => ({ field: p.field, max: panelMax.get(p.field)! })), stripPlotMin(ctx.width), ctx.theme.lineWidth, bucket !== undefined);
    const bandRowsOf = (group: readonly string[]) => band.runs.filter((r) => group.includes(r.label)).flatMap((r) => r.bands.map((b) => ({ ...b, shade: r.label, ...(seconds ? { t: (b.t_ms as number) / 1000 } : {}) })));
    // whether configuration `series`'s line runs along the top of a panel of row `row` (of `cols`) somewhere: only where
    // its mean is the most (a band's shading has no stroke)
    const reachesTop = (series: string, row: number) => panels.slice(row * cols, row * cols + cols).some((p) => band.runs.some((r) => r.label === series && r.bands.some((b) => (b[`${p.field}_mean`] as number) >= panelMax.get(p.field)!)));
    // overlaid lines, each drawn over those before it (the rows' order): one that those after it cover everywhere, in
    // every panel, though not joined to them (its data differ by more than the resolution), is named in the note; the
    // lines drawn are the bands' means
    const hidden = strips ? [] : hiddenSeries(merged.series.map((m) => ({
      label: m.label, panels: drawnPanels.map((f) => band.runs.find((r) => r.label === m.label)!.bands.map((b) => [((b.t_ms as number) / xMs) * ctx.width, ((b[`${f.field}_mean`] as number) / allMax.get(f.field)!) * panelPx] as const)),
    })), ctx.theme.lineWidth, tol);
    const denseTitles = panels.filter((p) => band.dense.includes(p.field)).map((p) => p.title).join(', ');
    // what a stretch is: its rows and their time, one value when every run has the same (a range when not)
    const stretch: StretchWords = {
      rows: countRange(band.runs.map((r) => r.rows)),
      span: `${countRange(band.runs.map((r) => (r.rows * fineOfSeries(r.label).sampleUs) / 1000))} ms`,
      one: band.runs.every((r) => r.rows === 1), peaks, sampleUs: sample,
    };
    const few = { rows: countRange(runRows), fewest: Math.min(...runRows) };
    const fewCaption = fewSamplesCaption(few.rows, few.fewest, sample);
    const caption = stretchCaption(stretch, overlaidPeaks, peakDash)
      + (band.dense.length ? `; ${denseTitles} rise and fall (between the lower and the upper quarter of their range) up to ${count(band.swings)} times, more often than a line can be drawn (a rise or fall under ${SWING_LINE_WIDTHS} line widths wide), so each stretch holds about ${SWINGS_PER_BAND} of those rises and falls` : '')
      + (fewCaption ? `; ${fewCaption}` : '')
      + (ctx.results.kind === 'sweep' ? '; each configuration is drawn from its lowest-seed run' : '')
      + (flat.size ? `; ${PANELS.filter((p) => flat.has(p.field)).map((p) => p.title).join(', ')} ${flat.size > 1 ? 'were' : 'was'} 0 at every sample and ${flat.size > 1 ? 'are' : 'is'} not drawn` : '')
      + (merged.any ? `; configurations with identical timelines${merged.near ? `, or drawn less than ${merged.apart} apart,` : ''} share one ${strips ? 'strip' : 'line'} (${merged.series.filter((s) => s.members.length > 1).map((s) => s.label).join('; ')})` : '')
      + (hidden.length ? `; ${hiddenNote(hidden, 'timelines')}` : '')
      + (labels.length > TIMELINE_MAX_OVERLAID ? `; with more than ${TIMELINE_MAX_OVERLAID} configurations each panel has a strip per configuration, named above it, on one y scale within the panel` : '')
      + (ownAxes ? `; the runs last ${span(minMs)} to ${span(maxMs)}, more than ${SHARED_TIME_AXIS_RATIO}× apart, so each configuration has a strip with a time axis of its own, fitted to its run (runs within ${SHARED_TIME_AXIS_RATIO}× of one another share one axis)` : '')
      + '.';
    // how far vega's bounds of a step line reach past the plot on either side, where it runs along the frame
    const overhang = STRIP_OVERHANG * ctx.theme.lineWidth;
    // a strip takes its name above it (and the name's offset), what its line's bounds reach past its plot, the gap to
    // the next strip's name, and with a time axis of its own that axis's labels (which cover the line's reach below);
    // vega rounds a strip's bounds out to whole px above and below
    // its name is wrapped to the strip's plot (never cut: `nvme, none = nvme, f…` hid what was joined), at its ' = '
    // first; its height here as wrapped to the narrowest the plot can be (its panel's share of the figure less a y axis)
    // (above it, only where its line reaches the panel's top: a band's shading has no stroke, and its line at the mean
    // mostly stays below the most; below it a mean of about 0 runs along the frame)
    const perStrip = (w: number, series: string, row: number) => Math.ceil(label + (stripNameLines(series, stripPlotMin(w)).length - 1) * nameLineHeight + 1 + (reachesTop(series, row) ? overhang : 0))
      + Math.ceil(stripHeight(w) + (ownAxes ? timeLabels : overhang)) + STRIP_GAP;
    // the height the strips make the figure (within a px or two above it): what splits the figures of strips; the
    // layout draws the strips `stripHeight` tall and the figure as tall as that makes it (Chart.cellHeight)
    const stripsHeight = (w: number, group: readonly string[], note?: Record<string, unknown>) => 2 * ctx.theme.padding
      + Array.from({ length: rowsOfPanels }, (_, row) => label + 2 + group.reduce((h, series) => h + perStrip(w, series, row), 0) - STRIP_GAP).reduce((a, b) => a + b, 0)
      + panelGap * (rowsOfPanels - 1)
      // a shared time axis's labels under the bottom panels, and under the two above a wide third
      + (ownAxes ? 0 : (timeLabels - overhang) * (wideLast ? 2 : 1)) + timeTitleHeight(w) + noteBlock(note);

    // the strips of each figure: as many as keep it within a page, in figures of equal size
    const notesOf = (group: readonly string[], of: string[][], gi: number) => figureNote(ctx, [
      // a reader of the figure alone must know what the line is (a sample, a mean) and what the shading is (up to the peak)
      ctx.results.kind === 'sweep' ? LOWEST_SEED_NOTE : '',
      // coloured by their place though of several kernels: the figure says so
      ctx.colors.byPlace ?? '',
      // not a missing measure: Mach's kernel hands a page to its manager (data_return) and is done with it
      sel.runs.some(({ config, run }) => run.summary.config.personality === 'mach' && merged.series.some((s) => group.includes(s.label) && s.members.includes(config.label))) ? 'mach: a page is clean once its data_return message is sent, so none stays under writeback' : '',
      // what the line and the shading are, in the fewest words (the caption says why), and how few samples they stand on
      stretchNote(stretch, overlaidPeaks, peakDash),
      fewSamplesNote(few.rows, few.fewest),
      strips && ctx.results.configTitle ? `strips named by ${ctx.results.configTitle}` : '',
      ownAxes ? `each strip has a time axis of its own, fitted to its run (runs of ${span(minMs)} to ${span(maxMs)})` : '',
      mergedNote(merged, 'timelines', ctx.results.configTitle),
      hiddenNote(hidden, 'timelines'),
      of.length > 1 ? splitNote(of, gi, labels.length) : '',
    ]);
    let groups: string[][] = [labels];
    if (strips) {
      const cap = ctx.theme.maxFigureHeight;
      for (let k = labels.length; k >= 1; k--) {
        groups = chunks(labels, Math.ceil(labels.length / k));
        if (groups.every((g, gi) => stripsHeight(ctx.width, g, notesOf(g, groups, gi)) <= cap)) break;
      }
    }
    return groups.map((group, gi): Chart => {
      const note = notesOf(group, groups, gi);
      const groupRows = groups.length > 1 ? rows.filter((r) => group.includes(r.config as string)) : rows;
      const panelView = (panel: (typeof PANELS)[number], i: number, width: number, ch: number) => {
        const bottom = wideLast ? i === 2 : i >= panels.length - cols;
        // the panels above a wide one have a narrower time axis than it: labelled too, untitled
        const labelled = bottom || wideLast;
        // comma-grouped counts (1,500), as every count axis of the report
        // a strip has room for two tick labels: 0 and a round value near the panel's top
        const most = panelMax.get(panel.field)!;
        const top = strips ? roundBelow(most) : 0;
        // an overlaid panel: whole ticks from 0 to a round value at or above its peak, the top one at the domain's end,
        // so that no line or shading runs above the last labelled tick (peak 5 under a top tick of 4 until 2026-12-07)
        const peak = Math.max(most, ...band.runs.flatMap((r) => r.bands.map((b) => Number(b[`${panel.field}_max`]) || 0)));
        const ax = strips ? undefined : linearAxis(0, peak, ch, label, 0, 'always', true);
        const ticks = strips && top > 0 ? { values: [0, top] } : ax ? { values: ax.ticks, tickCount: ax.ticks.length } : { tickCount: 3 };
        const y = {
          field: panel.field, type: 'quantitative', title: null,
          // strips of one panel on one scale, in every figure of them
          ...(strips ? { scale: { domain: [0, most], nice: false } } : ax ? { scale: { domain: ax.domain, nice: false, zero: true } } : {}),
          axis: { ...ticks, tickMinStep: 1, ...COUNT_LABELS, ...(yExtent ? { minExtent: yExtent, maxExtent: yExtent } : {}) },
        };
        // fewer ticks on a panel of half the width
        const tickCount = grid && !(wideLast && i === 2) ? 4 : 6;
        // the time axis: shared (labelled under the bottom panels only) or each strip's own (labelled under every strip)
        const x = (series: string | undefined, last: boolean) => ({
          field: tField(series), type: 'quantitative',
          title: bottom && last ? timeTitleIn(width) : null,
          // to the run's end, not out to a round value past it
          scale: { domain: [0, unit(series, series !== undefined && ownAxes ? lengthMs.get(series)! : maxMs)], nice: false },
          axis: ownAxes || (labelled && last) ? { tickCount } : { labels: false, ticks: false, title: null, tickCount },
        });
        const tooltip = labelTooltip('config', 'configuration');
        const f = panel.field;
        // a band (the least to the most of each stretch) under a line at its mean, from the bands' rows
        const view = (series: string | undefined, last: boolean) => ({
          width, height: ch, data: { name: 'bands' },
          layer: [
            // shaded in the configuration's colour by a field and scale of their own (`shade`, its name), so that vega-lite
            // makes no legend of it and the legend's symbols are the lines'
            overlaidPeaks
              // overlaid: the peak as a thin dotted line (shading of two configurations made one grey block)
              ? {
                mark: { type: 'line', interpolate: 'step-after', strokeWidth: ctx.theme.lineWidth * PEAK_LINE.width, ...(peakDash ? {} : { strokeDash: PEAK_LINE.dash }), opacity: PEAK_LINE.opacity },
                encoding: { x: x(series, last), y: { ...y, field: `${f}_max` }, stroke: { ...color, field: 'shade', legend: null }, ...(peakDash ? dash : {}), tooltip },
              }
              : { mark: { type: 'area', interpolate: 'step-after', opacity: BAND_OPACITY.alone }, encoding: { x: x(series, last), y: { ...y, field: `${f}_min` }, y2: { field: `${f}_max` }, fill: { ...color, field: 'shade', legend: null }, tooltip } },
            { mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: x(series, last), y: { ...y, field: `${f}_mean` }, color, ...dash, tooltip } },
          ],
        });
        // the panel's name above it, level (a rotated axis title would be taller than a short panel)
        const title = { text: panel.title, anchor: 'start', frame: 'group', fontSize: label, offset: 2, ...(strips ? { fontWeight: 'bold' } : {}) };
        if (!strips) return { title, ...view(undefined, true) };
        return {
          title,
          spacing: STRIP_GAP,
          vconcat: group.map((series, j) => ({
            // the strip's name above it
            title: { ...stripTitle(stripNameLines(series, width)), anchor: 'start', frame: 'group', fontSize: label, fontWeight: 'normal', color: STRIP_NAME_COLOR, offset: 1, lineHeight: nameLineHeight, limit: width },
            transform: [{ filter: { field: 'config', equal: series } }],
            ...view(series, j === group.length - 1),
          })),
        };
      };
      return {
        name: timelineName(gi),
        family: 'timeline',
        title: groups.length > 1 ? `Timelines (${gi + 1} of ${groups.length})` : 'Timelines',
        caption: caption + (groups.length > 1 ? ` This figure: ${splitNote(groups, gi, labels.length)}.` : ''),
        cells: { x: cols, y: rowsOfPanels * (strips ? group.length : 1) },
        // a column of four panels needs a tall single-column figure (fewer panels, less); two by two keeps 0.55 of the width
        height: (w) => (strips ? Math.ceil(stripsHeight(w, group, note)) : grid ? figureHeight(ctx, w, labels, note, rowsOfPanels > 1 ? w * 0.12 : 0) : figureHeight(ctx, w, labels, note, (w * 0.6 * (panels.length - 1)) / 3)),
        // strips have a height of their own: the figure is as tall as they make it, not stretched to the bound above
        ...(strips ? { cellHeight: stripHeight } : {}),
        spec: (cw, ch) => ({
          ...ctx.base(),
          ...(note ? { title: note } : {}),
          data: { values: groupRows },
          datasets: { bands: bandRowsOf(group) },
          spacing: panelGap,
          ...(wideLast
            ? { vconcat: [{ spacing: panelGap, hconcat: [panelView(panels[0], 0, cw, ch), panelView(panels[1], 1, cw, ch)] }, panelView(panels[2], 2, 2 * cw + panelGap + yExtent!, ch)] }
            : { columns: cols, concat: panels.map((panel, i) => panelView(panel, i, cw, ch)) }),
          // explicit domains: a shared time axis is the same domain in every panel and strip
          resolve: { scale: { x: 'independent', y: 'independent' } },
        }),
      };
    });
  },
};

/**
 * The rows per point of runs drawn on one time axis (lengths within {@link SHARED_TIME_AXIS_RATIO} of one another)
 * with one sampling period: the longest run's, so that their points stand at the same times and each is the most of
 * as long a time; undefined otherwise (each run its own, about {@link TIMELINE_POINTS} points).
 */
export function sharedBucket(runs: readonly Pick<Summary, 'sim_time_us' | 'config'>[]): number | undefined {
  const periods = new Set(runs.map((r) => r.config.stats.sample_us));
  const times = runs.map((r) => r.sim_time_us);
  if (runs.length === 0 || periods.size > 1 || !(Math.max(...times) <= SHARED_TIME_AXIS_RATIO * Math.min(...times))) return undefined;
  return timelineBucket(timelineRows(Math.max(...times), [...periods][0]!));
}
