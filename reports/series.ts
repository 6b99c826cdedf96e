/**
 * Identical configurations: when two configurations draw the same data, or
 * data drawn too close to be seen apart (`drawnAlike`), a chart draws one
 * series for them and names them all in its legend (`linux = mach`), rather
 * than hiding one line under the other. Also the look (colour, shape, dash)
 * each series of a chart is drawn with, and what a chart says when it has
 * more series than there are distinct looks.
 */

import { CONFIG_PALETTE, CONFIG_SHAPES, configStyle, DISTINCT_STYLES, type Theme } from './theme.ts';
import { count } from './chart.ts';
import { textWidth, wrapText } from './fonts.ts';

/**
 * How far apart (px of the spec, pt of the paper theme's PDF) two marks may be drawn and still be one to the eye:
 * half a pixel of the PNG, which is written at `theme.pngScale` (2) times the spec's size, so 0.25. A mark moved by
 * less covers the same pixels, up to the shade of an anti-aliased edge; in the PDF 0.25 pt (0.09 mm) is under what
 * an eye resolves on paper at reading distance (about 0.1 mm, one minute of arc at 35 cm). Two configurations whose
 * marks all stand this close (`drawnAlike`) would be drawn one on top of the other, the lower one lost while its
 * legend entry stays (a sweep's `8, linux` under `32, linux`, their latencies 0.01 % apart): they are joined, `a = b`.
 */
export function drawnResolution(theme: Theme): number {
  return 0.5 / theme.pngScale;
}

/** {@link drawnResolution} as the figures write it: `0.25 pt` (paper: a px of the spec is a pt of the PDF), `0.25 px`. */
export function resolutionText(theme: Theme): string {
  return `${drawnResolution(theme)} ${theme.name === 'paper' ? 'pt' : 'px'}`;
}

/**
 * One mark as a chart draws it, for telling whether two series can be seen apart: `key`, what must be the same for
 * two marks to look alike (a percentile's name, a density bin, a label's text, whether a CI is drawn), and `px`, its
 * place and size in px (x, y, a radius, a bar's ends, ...), measured on a plot as large as the figure's can be
 * (`plotBound`), so that no difference is understated.
 */
export interface DrawnMark {
  key: string;
  px: number[];
}

/**
 * Whether two series, each its marks in order, are drawn alike: as many marks, with the same keys, each coordinate
 * within `tol` px of the other's ({@link drawnResolution}).
 */
export function drawnAlike(a: readonly DrawnMark[], b: readonly DrawnMark[], tol: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!, q = b[i]!;
    if (p.key !== q.key || p.px.length !== q.px.length) return false;
    for (let j = 0; j < p.px.length; j++) if (!(Math.abs(p.px[j]! - q.px[j]!) <= tol)) return false;
  }
  return true;
}

/**
 * Whether two step curves (vega's `step-after` lines through `[x, y]` px points, x ascending) are drawn alike:
 * their ends within `tol` px of each other's, and each curve within `tol` px of the other along x and along y
 * (their Lévy distance in px: for every x, b(x) lies between a(x − tol) − tol and a(x + tol) + tol, and the
 * other way round), so that neither shows past the other by more than `tol` anywhere.
 */
export function stepCurvesAlike(a: readonly (readonly [number, number])[], b: readonly (readonly [number, number])[], tol: number): boolean {
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  const near = (u: readonly [number, number], v: readonly [number, number]) => Math.abs(u[0] - v[0]) <= tol && Math.abs(u[1] - v[1]) <= tol;
  if (!near(a[0]!, b[0]!) || !near(a[a.length - 1]!, b[b.length - 1]!)) return false;
  // a step-after curve's y at x: the y of its last point at or before x (`left`: strictly before, the value just
  // left of a step), its first y before it starts and its last after it ends
  const at = (c: readonly (readonly [number, number])[], x: number, left: boolean) => {
    let lo = 0, hi = c.length - 1;
    if (left ? x <= c[0]![0] : x < c[0]![0]) return c[0]![1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (left ? c[mid]![0] < x : c[mid]![0] <= x) lo = mid;
      else hi = mid - 1;
    }
    return c[lo]![1];
  };
  const within = (p: typeof a, q: typeof a) => {
    // where q - p(x ± tol) is largest: at q's steps, and where p's steps are tol away
    for (const x of [...q.map((v) => v[0]), ...p.flatMap((v) => [v[0] - tol, v[0] + tol])]) {
      for (const left of [false, true]) {
        const y = at(q, x, left);
        const [lo, hi] = [at(p, x - tol, left), at(p, x + tol, left)];
        if (y < Math.min(lo, hi) - tol - 1e-9 || y > Math.max(lo, hi) + tol + 1e-9) return false;
      }
    }
    return true;
  };
  return within(a, b) && within(b, a);
}

/** One series as drawn: the configurations it stands for and the look of one of them ({@link mergeIdentical}). */
export interface MergedSeries {
  /** Legend label: the members joined by ' = '. */
  label: string;
  members: string[];
  /** Each member's own look (its colour, and its style number when the items have one), in member order. */
  looks: { color: string; style?: number }[];
  color: string;
  /** Point shape and line dash (`configStyle`), when the items had a style number. */
  shape?: string;
  dash?: number[];
  /** The style number the series is drawn with (unique within the chart up to DISTINCT_STYLES series). */
  style?: number;
}

/** The series of a chart after merging configurations with identical data. */
export interface Merged {
  series: MergedSeries[];
  /** The colour scale of the merged labels. */
  scale: { domain: string[]; range: string[] };
  /** The merged label of a configuration, when it leads its series (its rows are drawn); undefined for the others. */
  lead(label: string): string | undefined;
  /** Whether any two configurations were merged. */
  any: boolean;
  /** Whether some were merged for being drawn alike (`alike`) without identical data; then `apart`, how close they are drawn. */
  near: boolean;
  apart?: string;
  /** Shape and dash scales of the merged labels, when the items had style numbers. */
  shapes: { domain: string[]; range: string[] };
  dashes: { domain: string[]; range: number[][] };
  /** Whether some series is told from another of its colour by shape and dash only: draw the shape and dash scales then. */
  varied: boolean;
  /** How many series look exactly like an earlier series of the chart (colour, shape and dash): 0 up to DISTINCT_STYLES series. */
  repeated: number;
}

/**
 * The style numbers series are drawn with, from the numbers they ask
 * for (their first configuration's place in the report): each keeps its own
 * unless an earlier series of the chart has its look, or, with `byColour`,
 * its colour is already used by its share of the series (⌈n / 16⌉: one in a
 * chart of at most sixteen series, two up to 32, ...); then it takes the
 * lowest free one. So no two series of one chart look alike (up to
 * DISTINCT_STYLES), the colours are spread over the series before a colour
 * has to serve two (12 sweep lines whose first configurations are 0, 4, 8,
 * ... were all blue or orange), and a series looks as its
 * configuration does elsewhere whenever it can. Without `byColour` a series
 * keeps its configuration's look, the one index.html's swatch shows. The
 * sweep lines take theirs from it over every line of the grid, once for
 * all the charts against a key (`sweep-line.ts`), so that a chart lacking
 * some lines does not shift the others' looks.
 */
export function chartStyles(wanted: readonly number[], byColour = true): number[] {
  const k = CONFIG_PALETTE.length;
  const share = byColour ? Math.ceil(wanted.length / k) : Infinity;
  const taken = new Set<number>();
  const uses = new Array<number>(k).fill(0);
  const free = (i: number) => !taken.has(i % DISTINCT_STYLES) && uses[i % k] < share;
  return wanted.map((w) => {
    let pick = w;
    if (!free(pick)) {
      pick = 0;
      while (!free(pick) && pick < DISTINCT_STYLES) pick++;
      if (pick === DISTINCT_STYLES) pick = w; // more series than looks: a repeat cannot be avoided
    }
    taken.add(pick % DISTINCT_STYLES);
    uses[pick % k]++;
    return pick;
  });
}

/** How {@link mergeIdentical} joins items besides identical data. */
export interface MergeOptions {
  /** Whether two items' `drawn` (each as the chart draws it) are drawn alike: `drawnAlike` or `stepCurvesAlike` within `drawnResolution`. */
  alike?: (a: unknown, b: unknown) => boolean;
  /** How close `alike` lets them be, as the note writes it (`resolutionText`: `0.25 pt`). */
  apart?: string;
}

/**
 * Groups `items` (in order) whose `data` serialise to the same JSON, or, with
 * `opts.alike`, whose `drawn` it finds alike with the first item of a group
 * (the one whose data are drawn for the group: every member is drawn within
 * the resolution of what it would have been); each group is labelled with its
 * members' labels joined by ' = '. An item's look is its own, the same in
 * every chart of the report: its `color`, and, when the items carry a `style`
 * (their place in the report's looks: a configuration's, a sweep line's
 * fixed one), the colour, shape and dash of `configStyle(style)`. A series of
 * one item keeps that look, whichever other series the chart has (until
 * 2026-12-06 a chart whose series had no value dropped them and the others
 * took their colours). A series of several items, when the items carry
 * styles, is drawn in the look of its first member, the one its label names
 * first, so that a configuration that leads a series has one look in every
 * figure of a report (until 2026-12-07 a group took the look of its first
 * member whose colour no other series of the chart had: `freebsd, ASYNC =
 * xnu, ASYNC` was xnu's green circle in one sweep chart, and `freebsd,
 * ASYNC = ... = mach, SYNC` mach's pink cross in another); two series of one
 * colour are then told apart by their shape and dash (`varied`). Items
 * without styles (colours alone) keep the rule of old: a group takes its
 * first member's colour that no other series has, else its first member's.
 */
export function mergeIdentical(items: readonly { label: string; color: string; data: unknown; drawn?: unknown; style?: number }[], opts: MergeOptions = {}): Merged {
  const byData = new Map<string, MergedSeries>();
  const series: MergedSeries[] = [];
  const leads = new Map<string, MergedSeries>();
  const drawnOf = new Map<MergedSeries, unknown>();
  let near = false;
  for (const it of items) {
    const key = JSON.stringify(it.data);
    const s = byData.get(key) ?? (opts.alike && it.drawn !== undefined ? series.find((x) => drawnOf.get(x) !== undefined && opts.alike!(drawnOf.get(x), it.drawn)) : undefined);
    if (s) {
      if (!byData.has(key)) {
        near = true;
        byData.set(key, s);
      }
      s.members.push(it.label);
      s.looks.push({ color: lookColor(it), ...(it.style === undefined ? {} : { style: it.style }) });
    } else {
      const fresh: MergedSeries = { label: it.label, members: [it.label], looks: [{ color: lookColor(it), ...(it.style === undefined ? {} : { style: it.style }) }], color: lookColor(it), ...(it.style === undefined ? {} : { style: it.style }) };
      byData.set(key, fresh);
      drawnOf.set(fresh, it.drawn);
      series.push(fresh);
      leads.set(it.label, fresh);
    }
  }
  for (const s of series) s.label = s.members.join(' = ');
  const styled = series.length > 0 && series.every((s) => s.style !== undefined);
  seriesLooks(series);
  if (styled) {
    for (const s of series) {
      const st = configStyle(s.style!);
      Object.assign(s, { color: st.color, shape: st.shape, dash: st.dash });
    }
  }
  const domain = series.map((s) => s.label);
  return {
    series,
    scale: { domain, range: series.map((s) => s.color) },
    lead: (label) => leads.get(label)?.label,
    any: series.length < items.length,
    near,
    ...(near && opts.apart ? { apart: opts.apart } : {}),
    shapes: { domain, range: series.map((s) => s.shape ?? 'circle') },
    dashes: { domain, range: series.map((s) => s.dash ?? [1, 0]) },
    varied: styled && series.some((s) => configStyle(s.style!).variant > 0),
    repeated: styled ? series.length - new Set(series.map((s) => s.style! % DISTINCT_STYLES)).size : 0,
  };
}

/**
 * The line-dash encoding of a chart's series (`strokeDash` on `field`, in `legend` with their colour) when two of
 * them share a colour (configurations of one kernel: kernel-looks.ts), else none: series of colours of their own
 * are drawn solid, as they always were.
 */
export function sharedColourDash(merged: Merged, field: string, title: string | null, legend: Record<string, unknown> | null): Record<string, unknown> {
  return sharesColour(merged) ? { strokeDash: { field, type: 'nominal', title, scale: merged.dashes, legend: dashLegend(legend) } } : {};
}

/** A line chart's legend whose symbols are stretches of line (a dash cannot be seen round a point's outline), when its series share colours. */
export function dashLegend(legend: Record<string, unknown> | null): Record<string, unknown> | null {
  return legend && { ...legend, symbolType: 'stroke', symbolStrokeWidth: 1.5 };
}

/** Whether two series of `merged` have one colour (then their shapes and dashes tell them apart). */
export function sharesColour(merged: Merged): boolean {
  return new Set(merged.scale.range).size < merged.scale.range.length;
}

/** An item's colour: that of its style number when it has one, else its `color`. */
function lookColor(it: { color: string; style?: number }): string {
  return it.style === undefined ? it.color : configStyle(it.style).color;
}

/**
 * Sets each series' look (`color`, and `style` when its members have one), as {@link mergeIdentical} says:
 * a lone item's own; a group of styled items, its first member's (unless another series already has that look,
 * past DISTINCT_STYLES series); else its first member's whose colour no other series has, else whose look none
 * has, else its first member's.
 */
function seriesLooks(series: MergedSeries[]): void {
  const lookKey = (l: { color: string; style?: number }) => (l.style === undefined ? l.color : `style ${l.style % DISTINCT_STYLES}`);
  const colours = new Set<string>(), looks = new Set<string>();
  const take = (s: MergedSeries, l: { color: string; style?: number }) => {
    Object.assign(s, { color: l.color, ...(l.style === undefined ? {} : { style: l.style }) });
    colours.add(l.color);
    looks.add(lookKey(l));
  };
  for (const s of series) if (s.looks.length === 1) take(s, s.looks[0]!);
  for (const s of series) {
    if (s.looks.length === 1) continue;
    // styled items: the lead's look (its shape and dash tell it from another series of its colour)
    const lead = s.looks[0]!;
    if (lead.style !== undefined && !looks.has(lookKey(lead))) take(s, lead);
    else take(s, s.looks.find((l) => !colours.has(l.color)) ?? s.looks.find((l) => !looks.has(lookKey(l))) ?? lead);
  }
}

/**
 * The in-figure words for a chart with more series than distinct looks (16
 * colours, 8 shapes and dashes: 64), '' when every series has its own. Looks
 * are not made up beyond DISTINCT_STYLES (a ninth shade or shape would not
 * be told apart in print): the chart says plainly that some repeat, and the
 * tooltips of index.html name every mark.
 */
export function repeatedLooksNote(merged: Merged): string {
  if (merged.repeated === 0) return '';
  const n = merged.series.length;
  return `${count(n)} series, only ${DISTINCT_STYLES} distinct looks (${CONFIG_PALETTE.length} colours, ${CONFIG_SHAPES.length} shapes and dashes): ${count(merged.repeated)} look like an earlier series`;
}

/**
 * The in-figure words for configurations drawn as one series because their
 * data are identical (`what`: `percentiles`, `timelines`, ...), or drawn
 * less than the figure's resolution apart (`merged.near`: `whose timelines
 * are identical or drawn less than 0.25 pt apart`): '' when none were merged;
 * "'=' joins configurations with identical WHAT" when the chart has several
 * series, since its legend names them; and when every configuration drawn
 * became one series, which has no legend (a legend of one entry is left out),
 * the members themselves, so that the figure alone says what its one series
 * stands for: `one series for all 4 configurations (kernel, write cluster),
 * with identical percentiles: freebsd, 8 = freebsd, 32 = linux, 8 = linux, 32`.
 */
export function mergedNote(merged: Merged, what: string, configTitle?: string): string {
  if (!merged.any) return '';
  const alike = merged.near ? `whose ${what} are identical or drawn less than ${merged.apart ?? 'a pixel'} apart` : `with identical ${what}`;
  const only = merged.series.length === 1 ? merged.series[0]! : undefined;
  if (!only) return `'=' joins configurations ${alike}`;
  return `one series for all ${count(only.members.length)} configurations${configTitle ? ` (${configTitle})` : ''}, ${alike}: ${only.members.join(' = ')}`;
}

/** The style number of configuration `label` in the report's colour scale (for `mergeIdentical`): its `styles` entry, else its place; 0 when absent. */
export function styleOf(scale: { domain: string[]; styles?: readonly number[] }, label: string): number {
  const i = scale.domain.indexOf(label);
  return i < 0 ? 0 : scale.styles?.[i] ?? i;
}

/** The colour of `label` in a configuration colour scale (black when absent). */
export function colorOf(scale: { domain: string[]; range: string[] }, label: string): string {
  const i = scale.domain.indexOf(label);
  return i < 0 ? '#000000' : scale.range[i];
}

/**
 * A series label (`a = b = c`) broken into lines no wider than `width` px at `size`, for a name that must not be cut
 * (a timeline strip's, above a plot of half a column): at its joins first, each line as many whole members as fit,
 * every line but the last ending in ` =` so that it reads on; a member wider than a line by itself is broken between
 * its words (`wrapText`, which cuts a word longer than a line where it reaches the edge).
 */
export function wrapMerged(label: string, size: number, width: number): string[] {
  const members = label.split(' = ');
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!, more = i < members.length - 1 ? ' =' : '';
    const next = line ? `${line} = ${m}` : m;
    if (textWidth(next + more, size) <= width) {
      line = next;
      continue;
    }
    if (line) lines.push(`${line} =`);
    if (textWidth(m + more, size) <= width) line = m;
    else {
      // its last line leaves room for the ' =' that ends it when another member follows
      const parts = wrapText(m, size, width - (more ? textWidth(more, size) : 0));
      lines.push(...parts.slice(0, -1));
      line = parts[parts.length - 1]!;
    }
  }
  lines.push(line);
  return lines;
}
