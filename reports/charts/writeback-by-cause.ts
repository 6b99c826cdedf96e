/**
 * Writeback volume: bytes written back per configuration, stacked by cause
 * (msync, syncer, pageout, and the filesystem's journal and metadata), with the write amplification above each bar.
 */
import { shortLabelExpr, shortMerged } from '../cut-labels.ts';
import { count, figureHeight, figureNote, labelTooltip, plotBound, type Chart, type ChartContext, type ChartModule } from '../chart.ts';
import { configMetric } from '../data.ts';
import { failedCount } from '../failures.ts';
import { textWidth } from '../fonts.ts';
import { drawnAlike, drawnResolution, mergeIdentical, resolutionText, type DrawnMark } from '../series.ts';
import { CAUSES } from '../theme.ts';
import { byteUnit, METRIC_BYTE_UNIT_MAX } from '../byte-units.ts';

/** Causes of a filesystem's own blocks, drawn only when written. */
const FS_CAUSES: ReadonlySet<string> = new Set(['journal', 'metadata']);

/**
 * How many cause entries a legend row holds: the most columns whose widest
 * entries (vega's 8 px symbol box and 4 px label offset, then the label) and
 * the theme's column gaps fit from the plot's left edge (right of the y axis,
 * allowed 4 label sizes) to the figure's right edge.
 */
function causeColumns(ctx: ChartContext, names: readonly string[]): number {
  const size = ctx.theme.fontSize.label;
  const entry = names.map((n) => 12 + textWidth(n, size));
  const gap = Math.round(size * 0.75);
  const room = ctx.width - 2 * ctx.theme.padding - size * 4;
  // nor more than leave each label the width fitLegendLabels (chart.ts) gives it, a share of the plot's (the renderer's
  // first guess of it, as legendColumns takes: the figure less 60 px of axes), or it ends in an ellipsis
  const labelRoom = (cols: number) => Math.max(40, Math.floor((ctx.width - 60 - (cols - 1) * gap) / cols - size * 2));
  for (let cols = names.length; cols > 1; cols--) {
    let w = (cols - 1) * gap;
    for (let c = 0; c < cols; c++) w += Math.max(...entry.filter((_, i) => i % cols === c));
    if (w <= room && Math.max(...entry) - 12 <= labelRoom(cols)) return cols;
  }
  return 1;
}

/**
 * How the bar labels stand, for bars `band` px apart whose labels are too
 * wide to stand level (`crowded`) and hold up to `lines` lines of `lineHeight`
 * px: level (0°); slanted 40° while neighbours stay apart (band · sin 40° holds
 * the lines and 2 px); else upright (90°), on one line when the lines side by
 * side would not fit the band (~12 bars in a single column).
 */
export function labelLayout(band: number, crowded: boolean, lines: number, lineHeight: number): { angle: 0 | 40 | 90; split: boolean } {
  if (!crowded) return { angle: 0, split: true };
  const clear = (deg: number, n: number) => band * Math.sin((deg * Math.PI) / 180) >= n * lineHeight + 2;
  if (clear(40, lines)) return { angle: 40, split: true };
  return { angle: 90, split: clear(90, lines) };
}

/** A cause's tallest segment drawn shorter than this (px, on the largest plot the figure can have) cannot be seen. */
export const UNSEEN_SEGMENT_PX = 1;

/**
 * The legend names of the causes no bar shows (each segment under {@link UNSEEN_SEGMENT_PX}):
 * the cause with its share of all bytes written back, `metadata (0.1 %)`, `journal (< 0.1 %)`.
 */
export function unseenCauseNames(causes: readonly string[], parts: readonly { cause: string; bytes: number }[], px: (bytes: number) => number): Map<string, string> {
  const all = parts.reduce((a, p) => a + p.bytes, 0);
  const names = new Map<string, string>();
  for (const cause of causes) {
    const own = parts.filter((p) => p.cause === cause);
    if (own.some((p) => px(p.bytes) >= UNSEEN_SEGMENT_PX)) continue;
    const share = (100 * own.reduce((a, p) => a + p.bytes, 0)) / all;
    names.set(cause, `${cause} (${share < 0.1 ? '< 0.1' : share.toFixed(1)} %)`);
  }
  return names;
}

/** The `writeback-by-cause` chart. */
export const writebackByCause: ChartModule = {
  name: 'writeback-by-cause',
  summary: 'bytes written back per configuration stacked by cause (msync, syncer, pageout, journal, metadata), write amplification',
  async build(ctx: ChartContext): Promise<Chart[]> {
    const { results } = ctx;
    const sweep = results.kind === 'sweep';
    const configs = results.configurations.filter((c) => c.runs.length > 0);
    if (configs.length === 0) return [];
    // the causes some configuration wrote back by: a legend entry of a cause with no bar anywhere reads as a bar
    // missing; the data causes that wrote nothing are named in the note instead (a filesystem's only when it has one)
    const wrote = (cause: string) => configs.some((c) => (configMetric(results, c, `writeback.by_cause.${cause}`).mean ?? 0) > 0);
    const causes = CAUSES.filter(({ cause }) => wrote(cause));
    const idle = CAUSES.filter(({ cause }) => !FS_CAUSES.has(cause) && !wrote(cause)).map((c) => c.cause);
    let parts = configs.flatMap((c) => causes.map(({ cause }, order) => ({
      config: c.label, cause, order, bytes: configMetric(results, c, `writeback.by_cause.${cause}`).mean ?? 0,
    })));
    let totals = configs.map((c) => {
      const amp = configMetric(results, c, 'writeback.amplification').mean;
      return {
        config: c.label,
        bytes: parts.filter((p) => p.config === c.label).reduce((a, p) => a + p.bytes, 0),
        amplification: amp,
        label: amp === null ? '–' : `×${amp.toFixed(2)}`,
      };
    });
    // configurations with identical writeback, or drawn less than the figure's resolution apart (each cause's share of
    // the bar in px on the largest plot the figure can have, over the tallest bar; the amplification's label as written):
    // one bar, named `a = b`
    const tallest = Math.max(...totals.map((t) => t.bytes));
    const barPx = (bytes: number) => (tallest > 0 ? (bytes / tallest) * plotBound(ctx).height : 0);
    const tol = drawnResolution(ctx.theme);
    const merged = mergeIdentical(configs.map((c) => ({
      label: c.label, color: '', data: [parts.filter((p) => p.config === c.label).map((p) => p.bytes), totals.find((t) => t.config === c.label)!.amplification],
      drawn: [
        ...parts.filter((p) => p.config === c.label).map((p): DrawnMark => ({ key: p.cause, px: [barPx(p.bytes)] })),
        { key: totals.find((t) => t.config === c.label)!.label, px: [] },
      ],
    })), { alike: (a, b) => drawnAlike(a as DrawnMark[], b as DrawnMark[], tol), apart: resolutionText(ctx.theme) });
    parts = parts.filter((p) => merged.lead(p.config) !== undefined).map((p) => ({ ...p, config: merged.lead(p.config)! }));
    totals = totals.filter((t) => merged.lead(t.config) !== undefined).map((t) => ({ ...t, config: merged.lead(t.config)! }));
    const max = Math.max(...totals.map((t) => t.bytes));
    // nothing written back: no chart of empty bars over 0.2 … 1.0 ticks
    if (!(max > 0)) {
      ctx.notes.push('writeback-by-cause: nothing was written back; not drawn.');
      return [];
    }
    const [unit, div] = byteUnit(max, 2, METRIC_BYTE_UNIT_MAX);
    for (const p of parts) Object.assign(p, { value: p.bytes / div });
    for (const t of totals) Object.assign(t, { value: t.bytes / div });
    // a cause every bar holds too little of to see is still drawn, and in the data; its legend entry gives its share of
    // all bytes written back, so that the reader knows why no bar shows it (`metadata (0.1 %)`)
    const legendNames = unseenCauseNames(causes.map((c) => c.cause), parts, barPx);
    const labels = merged.scale.domain;
    // labels wider than their bar's band would collide: merged labels break at ' = ', then labels slant
    const size = ctx.theme.fontSize.label;
    const band = (ctx.width - 2 * ctx.theme.padding - size * 5) / labels.length;
    const lineWidths = (l: string) => l.split(' = ').map((part, i, all) => textWidth(part + (i < all.length - 1 ? ' =' : ''), size));
    const widest = Math.max(...labels.flatMap(lineWidths));
    const lines = Math.max(...labels.map((l) => l.split(' = ').length));
    const { angle, split } = labelLayout(band, labels.length > 1 && widest > band * 0.92, lines, Math.round(size * 1.15));
    const limit = ctx.width * 0.4;
    // a label longer than the limit ends in an ellipsis on the axis: the note gives it whole (a sweep's bar of
    // 'freebsd, 100000 = xnu, 100000 = mach, 100000' read 'freebsd, 100000 = xnu, 10…', mach's bar seemingly missing)
    const cutShort = labels.filter((l) => (split ? Math.max(...lineWidths(l)) : textWidth(l, size)) > limit);
    // a label of joined configurations on one line too long for the axis: its first members, as many as fit, and how
    // many more (`freebsd, SYNC, 1 = 2 more`), so that each bar is named on the axis by whole configurations (until
    // 2026-12-07 `freebsd, SYNC, 1 = xnu, SY…`); the note names them all
    const short = new Map<string, string>();
    if (!split) for (const l of cutShort) { const s = shortMerged(l, size, limit); if (s !== undefined) short.set(l, s); }
    const labelExpr = split ? "split(replace(datum.label, regexp(' = ', 'g'), ' =\\u001f'), '\\u001f')" : short.size ? shortLabelExpr(short) : undefined;
    // the bars' labels are grid values (or run names): the axis names what they are values of
    const xTitle = labels.length > 1 && ctx.results.configTitle ? ctx.results.configTitle : null;
    const x = {
      field: 'config', type: 'nominal', title: xTitle, sort: labels,
      axis: {
        labelAngle: -angle, labelAlign: angle ? 'right' : 'center', labelBaseline: angle === 90 ? 'middle' : 'top', labelLimit: limit, labelOverlap: false,
        ...(labelExpr ? { labelExpr } : {}), labelLineHeight: Math.round(size * 1.15),
      },
    };
    const slantHeight = angle === 90
      ? Math.min(Math.max(...labels.map((l) => textWidth(l, size))), limit)
      : (angle ? Math.min(widest, limit) * 0.64 : 0) + (lines - 1) * size * 1.15;
    // amplification labels wider than a bar stand upright on it, the y axis raised to leave them room
    const ampWidth = Math.max(...totals.map((t) => textWidth(t.label, size)));
    const upright = labels.length > 1 && ampWidth > band * 0.95;
    const domainMax = (ch: number) => (max / div) * (upright ? ch / Math.max(ch * 0.5, ch - ampWidth - 4) : 1.15) || 1;
    // a sweep's bars are means over each configuration's successful runs: n = their count
    const ns = configs.map((c) => c.runs.length);
    const nText = Math.min(...ns) === Math.max(...ns) ? count(ns[0]) : `${count(Math.min(...ns))}–${count(Math.max(...ns))}`;
    const note = figureNote(ctx, [
      sweep ? `each bar the mean over n = ${nText} seed${Math.max(...ns) === 1 ? '' : 's'} (no CI drawn)` : '',
      totals.some((t) => t.amplification !== null) ? '×N above a bar: write amplification, bytes written back ÷ bytes stored' : '',
      legendNames.size ? '(N %) in the legend: a cause\'s share of all bytes written back, too small to see in the bars' : '',
      idle.length ? `nothing written back by ${idle.join(idle.length > 2 ? ', ' : ' or ').replace(/, ([^,]*)$/, ', or $1')}` : '',
      merged.any && !merged.near ? "'=' joins configurations with identical writeback (not necessarily identical latencies)" : '',
      merged.near ? `'=' joins configurations whose writeback is identical or drawn less than ${merged.apart} apart (not necessarily identical latencies)` : '',
      failedCount(results),
      short.size ? `'= N more': label${short.size === 1 ? '' : 's'} shortened on the axis, in full: ${[...short.keys()].join('; ')}` : '',
      cutShort.length > short.size ? `label${cutShort.length - short.size === 1 ? '' : 's'} cut short on the axis, in full: ${cutShort.filter((l) => !short.has(l)).join('; ')}` : '',
    ]);
    const failed = failedCount(results);
    const over = `, mean over the successful runs of each configuration (n = ${nText} seed${Math.max(...ns) === 1 ? '' : 's'}${failed ? `; ${failed}` : ''})`;
    // as many causes per legend row as fit the figure (five in one row ran past a single column's edge)
    const causeNames = causes.map((c) => legendNames.get(c.cause) ?? c.cause);
    const columns = causeColumns(ctx, causeNames);
    const legendRows = Math.ceil(causeNames.length / columns);
    return [{
      name: 'writeback-by-cause',
      family: 'writeback-by-cause',
      title: 'Writeback by cause',
      caption: `Bytes written back per configuration, stacked by cause (writeback.csv's cause: msync, background syncer/flusher, pageout, the filesystem's journal and metadata blocks)${sweep ? over : ''}; `
        + 'above each bar the write amplification, bytes written back ÷ bytes stored by write ops (summary.json).'
        + (idle.length ? ` ${idle.join(', ')}: nothing written back in any configuration, so not in the legend.` : '')
        + (merged.any ? ` Configurations with identical writeback${merged.near ? `, or drawn less than ${merged.apart} apart,` : ''} share one bar (${merged.series.filter((x) => x.members.length > 1).map((x) => x.label).join('; ')}).` : ''),
      cells: { x: 1, y: 1 },
      height: (w) => figureHeight(ctx, w, [], note, ctx.theme.fontSize.label * 1.5 + slantHeight + (legendRows - 1) * (size * 1.25 + 1) + (xTitle ? ctx.theme.fontSize.title + 4 : 0)),
      spec: (cw, ch) => ({
        ...ctx.base(),
        ...(note ? { title: note } : {}),
        width: cw,
        height: ch,
        encoding: { x },
        layer: [
          {
            data: { values: parts },
            mark: { type: 'bar', width: { band: labels.length === 1 ? 0.45 : 0.8 } },
            encoding: {
              y: { field: 'value', type: 'quantitative', stack: 'zero', title: `written back (${unit})`, scale: { domainMax: domainMax(ch), nice: true } },
              color: {
                field: 'cause', type: 'nominal', title: null,
                scale: { domain: causes.map((c) => c.cause), range: causes.map((c) => c.color) },
                legend: {
                  title: null, symbolType: 'square', symbolStrokeColor: '#777777', symbolStrokeWidth: 0.5, ...(legendRows > 1 ? { columns } : {}),
                  ...(legendNames.size ? { labelExpr: `${JSON.stringify(Object.fromEntries(legendNames))}[datum.label] || datum.label` } : {}),
                },
              },
              order: { field: 'order', type: 'quantitative' },
              // the bar's whole configuration label (the axis may end it in an ellipsis), its cause and bytes
              tooltip: labelTooltip('config', 'configuration', { field: 'cause', type: 'nominal' }, { field: 'value', type: 'quantitative', title: unit, format: ',.3~f' }),
            },
          },
          {
            data: { values: totals },
            mark: upright ? { type: 'text', angle: 270, align: 'left', baseline: 'middle', dx: 2 } : { type: 'text', baseline: 'bottom', dy: -2 },
            encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'label', type: 'nominal' }, tooltip: labelTooltip('config', 'configuration', { field: 'label', type: 'nominal', title: 'write amplification' }) },
          },
        ],
      }),
    }];
  },
};
