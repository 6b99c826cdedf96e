/**
 * Identical configurations: when two configurations draw exactly the same
 * data, a chart draws one series for them and names them all in its legend
 * (`linux = mach`), rather than hiding one line under the other. Also the
 * look (colour, shape, dash) each series of a chart is drawn with, and what a
 * chart says when it has more series than there are distinct looks.
 */

import { CONFIG_PALETTE, CONFIG_SHAPES, configStyle, DISTINCT_STYLES } from './theme.ts';
import { count } from './chart.ts';
import { textWidth, wrapText } from './fonts.ts';

/** One series as drawn: the configurations it stands for and the look of the first. */
export interface MergedSeries {
  /** Legend label: the members joined by ' = '. */
  label: string;
  members: string[];
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
  /** Shape and dash scales of the merged labels, when the items had style numbers. */
  shapes: { domain: string[]; range: string[] };
  dashes: { domain: string[]; range: number[][] };
  /** Whether some series is told from another of its colour by shape and dash only: draw the shape and dash scales then. */
  varied: boolean;
  /** How many series look exactly like an earlier series of the chart (colour, shape and dash): 0 up to DISTINCT_STYLES series. */
  repeated: number;
}

/**
 * The style numbers a chart draws its series with, from the numbers they ask
 * for (their first configuration's place in the report): each keeps its own
 * unless an earlier series of the chart has its look, or, with `byColour`,
 * its colour is already used by its share of the series (⌈n / 8⌉: one in a
 * chart of at most eight series, two up to sixteen, ...); then it takes the
 * lowest free one. So no two series of one chart look alike (up to
 * DISTINCT_STYLES), the colours are spread over the series before shapes and
 * dashes have to tell them apart (12 sweep lines whose first configurations
 * are 0, 4, 8, ... were all blue or orange), and a series looks as its
 * configuration does elsewhere whenever it can. Without `byColour` (series
 * that are configurations, as in latency-percentiles) a series keeps its
 * configuration's look, the one index.html's swatch shows.
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

/**
 * Groups `items` (in order) whose `data` serialise to the same JSON; each
 * group is labelled with its members' labels joined by ' = ' and takes the
 * colour of its first member. When the items carry a `style` (their
 * configuration's place in the report), the groups are drawn with
 * `chartStyles` of their first members' styles instead: colour, shape, dash;
 * `ownLooks` when the items are configurations, so each keeps its own look
 * (`chartStyles` without `byColour`).
 */
export function mergeIdentical(items: readonly { label: string; color: string; data: unknown; style?: number }[], ownLooks = false): Merged {
  const byData = new Map<string, MergedSeries>();
  const series: MergedSeries[] = [];
  const leads = new Map<string, MergedSeries>();
  for (const it of items) {
    const key = JSON.stringify(it.data);
    const s = byData.get(key);
    if (s) s.members.push(it.label);
    else {
      const fresh: MergedSeries = { label: it.label, members: [it.label], color: it.color, ...(it.style === undefined ? {} : { style: it.style }) };
      byData.set(key, fresh);
      series.push(fresh);
      leads.set(it.label, fresh);
    }
  }
  for (const s of series) s.label = s.members.join(' = ');
  const styled = series.length > 0 && series.every((s) => s.style !== undefined);
  if (styled) {
    chartStyles(series.map((s) => s.style!), !ownLooks).forEach((n, i) => {
      const st = configStyle(n);
      Object.assign(series[i], { style: n, color: st.color, shape: st.shape, dash: st.dash });
    });
  }
  const domain = series.map((s) => s.label);
  return {
    series,
    scale: { domain, range: series.map((s) => s.color) },
    lead: (label) => leads.get(label)?.label,
    any: series.length < items.length,
    shapes: { domain, range: series.map((s) => s.shape ?? 'circle') },
    dashes: { domain, range: series.map((s) => s.dash ?? [1, 0]) },
    varied: styled && series.some((s) => configStyle(s.style!).variant > 0),
    repeated: styled ? series.length - new Set(series.map((s) => s.style! % DISTINCT_STYLES)).size : 0,
  };
}

/**
 * The in-figure words for a chart with more series than distinct looks (8
 * colours × 8 shapes and dashes), '' when every series has its own. Looks
 * are not made up beyond DISTINCT_STYLES (a ninth shade or shape would not
 * be told apart in print): the chart says plainly that some repeat, and the
 * tooltips of index.html name every mark.
 */
export function repeatedLooksNote(merged: Merged): string {
  if (merged.repeated === 0) return '';
  const n = merged.series.length;
  return `${count(n)} series, only ${DISTINCT_STYLES} distinct looks (${CONFIG_PALETTE.length} colours × ${CONFIG_SHAPES.length} shapes and dashes): ${count(merged.repeated)} look like an earlier series`;
}

/**
 * The in-figure words for configurations drawn as one series because their
 * data are identical (`what`: `percentiles`, `timelines`, ...): '' when none
 * were merged; "'=' joins configurations with identical WHAT" when the chart
 * has several series, since its legend names them; and when every
 * configuration drawn became one series, which has no legend (a legend of one
 * entry is left out), the members themselves, so that the figure alone says
 * what its one series stands for: `one series for all 4 configurations
 * (kernel, write cluster), with identical percentiles: freebsd, 8 = freebsd,
 * 32 = linux, 8 = linux, 32`.
 */
export function mergedNote(merged: Merged, what: string, configTitle?: string): string {
  if (!merged.any) return '';
  const only = merged.series.length === 1 ? merged.series[0]! : undefined;
  if (!only) return `'=' joins configurations with identical ${what}`;
  return `one series for all ${count(only.members.length)} configurations${configTitle ? ` (${configTitle})` : ''}, with identical ${what}: ${only.members.join(' = ')}`;
}

/** The place of configuration `label` in the report's colour scale (its style number for `mergeIdentical`), 0 when absent. */
export function styleOf(scale: { domain: string[] }, label: string): number {
  return Math.max(0, scale.domain.indexOf(label));
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
