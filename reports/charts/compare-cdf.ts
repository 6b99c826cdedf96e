/**
 * Compare CDF: the msync latency distributions of the two sides of a
 * `syncsim compare` overlaid on a log latency axis, with the Mann–Whitney
 * p-value written under the plot. Drawn from the samples the command holds.
 *
 * The plot keeps its width whatever the sides are called: the legend names
 * each side by what tells it from the other (`A: msync flags SYNC`, not
 * `A: kernel freebsd, msync flags SYNC`), the full labels go into the note
 * under the plot, and every line of that note is wrapped to the figure.
 */
import type { Chart, VlSpec } from '../chart.ts';
import { count, labelTooltip, planAxis, planLogAxis, snapLogDomain, vegaString, wrapText } from '../chart.ts';
import { latencyUnit } from '../duration-unit.ts';
import { textWidth } from '../fonts.ts';
import { configColorScale, vegaColorScale, vegaLiteConfig, type ConfigScale, type Theme } from '../theme.ts';
import { KERNEL_COLOURS } from '../kernel-looks.ts';
import { VL_SCHEMA } from '../report.ts';
import { cdfSteps } from './validation-cdf.ts';
import { pValueText } from '../p-value.ts';

/** One side of the comparison. */
export interface CompareCdfSide {
  /** Its full label (`kernel freebsd, msync flags SYNC`, a run directory's name). */
  label: string;
  /** Its msyncs' latencies (µs, ascending). */
  latencies: Float64Array;
  /** How many runs (seeds) they were pooled from (default 1). */
  runs?: number;
  /** A letter written before the label in the legend and the note (`A`), if any. */
  tag?: string;
  /** Its runs' kernel personality, when they have one: sides of two kernels are drawn in their kernels' colours (kernel-looks.ts). */
  personality?: string;
}

/**
 * The colours of the sides labelled `a` and `b`: their kernels' (kernel-looks.ts) when they are of two kernels that
 * have one, as in every report; else the first two configuration colours, A blue and B vermillion.
 */
export function sideColours(a: Pick<CompareCdfSide, 'personality'>, b: Pick<CompareCdfSide, 'personality'>, labels: [string, string]): ConfigScale {
  const pa = a.personality === undefined ? undefined : KERNEL_COLOURS[a.personality];
  const pb = b.personality === undefined ? undefined : KERNEL_COLOURS[b.personality];
  return configColorScale(labels, pa !== undefined && pb !== undefined && pa !== pb ? [pa, pb] : undefined);
}

/** What the chart draws: two ascending samples and their labels. */
export interface CompareCdfData {
  a: CompareCdfSide;
  b: CompareCdfSide;
  /** Two-sided Mann–Whitney p-value, or null. */
  p: number | null;
  /** Lines for the note under the plot, after the full labels (what else differs between the sides' configurations). */
  notes?: string[];
}

/** Where a label is cut into segments: commas, slashes and `@` (a sweep point's `DIR@key=value,...`), with the spaces after them. */
const SEGMENT = /([,/@]\s*)/;

/**
 * What tells labels `a` and `b` apart, for a legend: the segments (text
 * between commas, slashes and `@`) in which they differ. Labels of as many
 * segments keep those that differ where they stand (`kernel freebsd, cluster 8,
 * flags SYNC` and `kernel linux, cluster 8, flags ASYNC` give `kernel freebsd,
 * flags SYNC` and `kernel linux, flags ASYNC`); others lose the segments they
 * start and end with in common. A label left with nothing (one label is the
 * other's start), or labels that are the same, are kept whole.
 */
export function distinctParts(a: string, b: string): [string, string] {
  if (a === b) return [a, b];
  const sa = a.split(SEGMENT), sb = b.split(SEGMENT);
  // split with a capture group: segments at even indices, their separators at odd ones
  const segs = (s: string[]) => s.filter((_, i) => i % 2 === 0);
  const ga = segs(sa), gb = segs(sb);
  let out: [string, string];
  if (ga.length === gb.length) {
    const keep = ga.map((x, i) => x !== gb[i]);
    const pick = (s: string[]) => s.filter((_, i) => i % 2 === 0 && keep[i / 2]).join(', ');
    out = [pick(sa), pick(sb)];
  } else {
    let head = 0;
    while (head < Math.min(ga.length, gb.length) - 1 && ga[head] === gb[head]) head++;
    let tail = 0;
    while (tail < Math.min(ga.length, gb.length) - head - 1 && ga[ga.length - 1 - tail] === gb[gb.length - 1 - tail]) tail++;
    const cut = (s: string[]) => s.slice(2 * head, s.length - 2 * tail).join('');
    out = [cut(sa), cut(sb)];
  }
  return out[0] && out[1] && out[0] !== out[1] ? out : [a, b];
}

/** Where a label is cut into words when its segments are still too long for the legend: these characters, and spaces. */
const WORD = /([-_.=,/@\s]+)/;

/**
 * Labels `a` and `b` cut to the stretch in which they differ, with `context`
 * tokens before it, an ellipsis standing for what was cut at either end
 * (`…seed-1-baseline…` and `…seed-2-tuned…` of two 110-character run
 * directories, in `words`); undefined when nothing would be cut. An end is
 * cut only where it holds more than one character (an ellipsis for one saves
 * nothing and hides what the label starts or ends with). Tokens are
 * the label's words and the separators between them (`words`), or its
 * characters.
 */
export function distinctStretch(a: string, b: string, unit: 'words' | 'characters', context = unit === 'words' ? 2 : 6): [string, string] | undefined {
  const tokens = (s: string) => (unit === 'words' ? s.split(WORD).filter((t) => t !== '') : [...s]);
  const ta = tokens(a), tb = tokens(b);
  let head = 0;
  while (head < Math.min(ta.length, tb.length) && ta[head] === tb[head]) head++;
  let tail = 0;
  while (tail < Math.min(ta.length, tb.length) - head && ta[ta.length - 1 - tail] === tb[tb.length - 1 - tail]) tail++;
  // an end is cut only where the ellipsis stands for more than one character of both labels: `…-linux` for `r-linux`
  // (a run directory compared with `r-linux-hdd`, 2026-12-08) saved nothing and hid the name's start
  const worth = (n: number, part: (t: string[]) => string[]) => n > 0 && [ta, tb].every((t) => part(t).join('').length > 1);
  const from = worth(Math.max(0, head - context), (t) => t.slice(0, Math.max(0, head - context))) ? Math.max(0, head - context) : 0;
  if (!worth(tail, (t) => t.slice(t.length - tail))) tail = 0;
  if (from === 0 && tail === 0) return undefined;
  const cut = (t: string[]) => `${from > 0 ? '…' : ''}${t.slice(from, t.length - tail).join('')}${tail > 0 ? '…' : ''}`;
  const out: [string, string] = [cut(ta), cut(tb)];
  return out[0] !== out[1] ? out : undefined;
}

/** The `compare-cdf` chart in `theme`, `width` px wide in all (what its note is wrapped to; default a single column). */
export function compareCdfChart(d: CompareCdfData, theme: Theme, width = theme.widths.single): Chart {
  const tagged = (s: CompareCdfSide, text: string) => (s.tag ? `${s.tag}: ${text}` : text);
  const fullA = tagged(d.a, d.a.label), fullB = tagged(d.b, d.b.label);
  const size = theme.fontSize.label;
  const lineWidth = width - 2 * theme.padding - 4;
  // the y axis's labels and title take about 5 label heights: the plot's width for the legend's labels
  const plotGuess = width - 2 * theme.padding - size * 5;
  // an entry's symbol and gaps, as the theme's legend config draws them
  const entry = (label: string) => textWidth(label, size) + size * 2;

  // sides told apart by their letters (as compare draws them) are named in the legend by what differs: the segments that do, and when
  // those still do not fit a line of the plot, the words that do, then the characters
  let short: [string, string] = [d.a.label, d.b.label];
  if (d.a.tag && d.b.tag && d.a.tag !== d.b.tag) {
    short = distinctParts(d.a.label, d.b.label);
    for (const unit of ['words', 'characters'] as const) {
      if (Math.max(entry(tagged(d.a, short[0])), entry(tagged(d.b, short[1]))) > plotGuess) short = distinctStretch(short[0], short[1], unit) ?? short;
    }
  }
  const shortA = tagged(d.a, short[0]), shortB = tagged(d.b, short[1]);

  const curve = [...cdfSteps(d.a.latencies, fullA), ...cdfSteps(d.b.latencies, fullB)];
  // drawn in the unit the latencies read best in on a log axis, as the report's latency charts draw them (duration-unit.ts):
  // the steps' latencies divided into it, their field named for it
  const unit = latencyUnit(curve.map((p) => p.latency_us));
  const div = unit.div;
  if (div !== 1) for (const p of curve) p.latency_us /= div;
  const field = unit.field('latency');
  const lats = curve.map((p) => p.latency_us);
  // the samples' own span and a tenth beyond it: 1-2-5 bounds would squeeze two close distributions into a sliver
  const positive = lats.filter((v) => v > 0);
  // labels at or below the fastest msync and at or above the slowest, planned on about the plot's width, thinned on the plot drawn
  const plan = planLogAxis(positive.length ? snapLogDomain([Math.min(...positive) / 1.1, Math.max(...positive) * 1.1]) : [1, 10],
    positive.length ? Math.min(...positive) : 1, positive.length ? Math.max(...positive) : 10, plotGuess, size, { across: true, flush: true });
  const domain: [number, number] = plan.domain;

  const sides: [string, CompareCdfSide][] = [[fullA, d.a], [fullB, d.b]];
  // a side named by its letter when it has one (its full label is already in the note)
  const zeros = sides.filter(([, s]) => s.latencies.some((v) => v <= 0)).map(([full, s]) => {
    const label = s.tag ?? full;
    const z = s.latencies.filter((v) => v <= 0).length;
    return z === s.latencies.length
      ? `${label}: ${z === 1 ? 'its one msync' : `all ${count(z)} msyncs`} took 0 µs, so no curve (a log axis has no 0)`
      : `${label}: ${count(z)} msync${z === 1 ? '' : 's'} of 0 µs start${z === 1 ? 's' : ''} the curve at ${z === 1 ? 'its' : 'their'} share`;
  });
  // as a paper writes it (1.2 × 10⁻¹², not 1.2e-12); a p-value too small for a double is 0, written as below 10⁻³⁰⁰
  const test = d.p === null ? '' : `Mann–Whitney ${pValueText(d.p)}`;
  // msyncs of one run are not independent draws, and those of several seeds are pooled: the figure says how many of each
  const runs = (x: { runs?: number }) => x.runs ?? 1;
  const pooled = runs(d.a) > 1 || runs(d.b) > 1 ? ` (pooled from ${runs(d.a)} and ${runs(d.b)} run${runs(d.b) === 1 ? '' : 's'})` : '';

  const sideBySide = entry(shortA) + entry(shortB) + Math.round(size * 0.75) <= plotGuess;
  // the full labels in the note whenever the legend shows less of them: cut to their differences, or too long for a line of the plot
  const shortened = shortA !== fullA || shortB !== fullB || Math.max(entry(shortA), entry(shortB)) > plotGuess;
  const paragraphs = [
    ...(shortened ? [`${fullA}`, `${fullB}`] : []),
    ...(d.notes ?? []),
    ...zeros,
    ...(test ? [`${test}; n = ${count(d.a.latencies.length)} and ${count(d.b.latencies.length)} msyncs${pooled}`] : []),
  ];
  const lines = paragraphs.flatMap((p) => wrapText(p, size, lineWidth));
  const lineHeight = Math.round(size * 1.2);
  const legendRows = sideBySide ? 1 : 2;
  // the labels the legend draws in place of the full ones the data keep (for the tooltips and the files)
  const labelExpr = shortened
    ? `datum.value === ${vegaString(fullA)} ? ${vegaString(shortA)} : datum.value === ${vegaString(fullB)} ? ${vegaString(shortB)} : datum.label`
    : undefined;
  return {
    name: 'compare-cdf',
    family: 'compare-cdf',
    title: `msync latency: ${fullA} vs ${fullB}`,
    caption: `Empirical CDFs of the latency of the successful msyncs of each side (${fullA}: ${count(d.a.latencies.length)} msyncs; ${fullB}: ${count(d.b.latencies.length)}; `
      + `every seed pooled)${test ? `; two-sided ${test}` : ''}.${zeros.length ? ` ${zeros.join('; ')}.` : ''}`,
    cells: { x: 1, y: 1 },
    // a plot of the paper's aspect, with one legend row less when the entries stand side by side, and the note's lines under it
    height: (w) => Math.max(150, w * 0.62) - (2 - legendRows) * (size * 1.25 + 1) + (lines.length ? lines.length * lineHeight + size : 0),
    spec: (cw, ch): VlSpec => ({
      $schema: VL_SCHEMA,
      config: vegaLiteConfig(theme),
      width: cw,
      height: ch,
      // full labels, 0 µs sides and the test's p-value under the plot, where no curve runs (inside it, the steps of a fast side crossed it)
      ...(lines.length ? { title: { text: lines, orient: 'bottom', anchor: 'start', frame: 'bounds', fontSize: size, fontWeight: 'normal', color: '#444444', offset: Math.round(size * 0.6), lineHeight } } : {}),
      layer: [
        {
          data: { values: div === 1 ? curve : curve.map(({ latency_us, ...p }) => ({ ...p, [field]: latency_us })) },
          mark: { type: 'line', interpolate: 'step-after', clip: true },
          encoding: {
            x: { field, type: 'quantitative', title: unit.title, scale: { type: 'log', domain, nice: false }, axis: planAxis(plan, cw) },
            // a few px beyond 0 and 1, so that the curves' ends are not drawn on the frame
            y: { field: 'fraction', type: 'quantitative', title: 'fraction of msyncs', scale: { domain: [0, 1], padding: 4 }, axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: '.1f' } },
            // two columns when both entries fit the plot's width side by side, else one under the other; labels longer than the plot end in an ellipsis (fitLegendLabels)
            color: {
              field: 'series', type: 'nominal', title: null, scale: vegaColorScale(sideColours(d.a, d.b, [fullA, fullB])),
              legend: { title: null, orient: 'top', direction: sideBySide ? 'horizontal' : 'vertical', columns: sideBySide ? 2 : 1, ...(labelExpr ? { labelExpr } : {}) },
            },
            tooltip: labelTooltip('series', 'side'),
          },
        },
      ],
    }),
  };
}
