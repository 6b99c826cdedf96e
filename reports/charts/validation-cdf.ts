/**
 * Validation CDF of one job, for a paper's single column: the job's name as
 * the title and the validation's figures under it (what `syncsim validate`
 * prints: msyncs per measured run and simulated, p50 and p99 measured vs
 * simulated, demerit, noise floor, noise ratio, and where it ran), then two
 * panels on one log latency axis: the CDFs (the body), and below them 1 − F
 * on a log axis (the tail, where a p99 that the CDF draws a hair below 1
 * stands a decade apart), each measured run a curve of its own (one blue, a
 * dash each: their disagreement is the noise floor) beside the simulated
 * seeds pooled (orange). Unlike the chart modules of a results directory, it
 * is drawn from the samples `syncsim validate` holds, so it is a chart
 * builder, not a ChartModule.
 */
import { count, labelTooltip, logDomain, planAxis, planLogAxis, type Chart, type VlSpec } from '../chart.ts';
import { vegaLiteConfig, type Theme } from '../theme.ts';
import { textWidth, wrapText } from '../fonts.ts';
import { VL_SCHEMA } from '../report.ts';
import { curveScales, decadeBelow, pastLastCopy, runLabels, tailSteps } from './validation-looks.ts';

/** Steps kept per curve at most (quantile-spaced, first and last value included). */
export const VALIDATION_CDF_POINTS = 400;

/** What the chart draws. */
export interface ValidationCdfData {
  /** Job name: the title. */
  job: string;
  /** Each measured run's msync latencies (µs), ascending: a curve each. */
  runs: readonly Float64Array[];
  /** Simulated msync latencies (µs), the seeds pooled, ascending. */
  simulated: Float64Array;
  /** Legend names: of the measured side (each run's is `measured, run i`) and of the simulated curve. */
  labels: { measured: string; simulated: string };
  /**
   * The lines under the title: the validation's figures as its table prints them (validation-table.ts
   * figureLines), each wrapped to the figure's width.
   */
  figures: readonly string[];
}

/** One step of an empirical CDF: the fraction of samples <= latency_us. */
interface Step {
  series: string;
  latency_us: number;
  fraction: number;
}

/**
 * The ECDF of ascending `sorted` at its positive values, thinned to at most
 * `maxPoints` steps at evenly spaced quantiles; starts with (first value, share
 * of values below it) so the curve rises from there.
 */
export function cdfSteps(sorted: Float64Array, series: string, maxPoints = VALIDATION_CDF_POINTS): Step[] {
  const n = sorted.length;
  const firstPos = sorted.findIndex((v) => v > 0);
  if (firstPos < 0) return [];
  const out: Step[] = [{ series, latency_us: sorted[firstPos]!, fraction: firstPos / n }];
  const upper = (i: number) => pastLastCopy(sorted, i);
  const positives = n - firstPos;
  const k = Math.min(maxPoints, positives);
  let last = -1;
  for (let s = 1; s <= k; s++) {
    const i = firstPos + Math.ceil((s * positives) / k) - 1;
    const end = upper(i);
    if (end - 1 === last) continue;
    last = end - 1;
    out.push({ series, latency_us: sorted[i]!, fraction: end / n });
  }
  return out;
}

/** The 1 − F level marked in the tail panel: p99. */
const P99_SLOWER = 0.01;

/** Legend symbol area (px²): a stroke long enough to show a run's dash. */
const LEGEND_SYMBOL = 160;

/**
 * Columns of a top legend of `labels` on a plot `cw` px wide: all side by side when they fit with their
 * symbols and gaps, else as many as fit, else one under the other.
 */
export function legendColumnsFor(labels: readonly string[], cw: number, size: number): number {
  const entry = Math.max(...labels.map((l) => textWidth(l, size))) + Math.sqrt(LEGEND_SYMBOL) + size;
  for (let cols = labels.length; cols > 1; cols--) if (cols * entry + (cols - 1) * Math.round(size * 0.75) <= cw) return cols;
  return 1;
}

/**
 * The `validation-cdf` chart in `theme`, to be laid out `width` px wide (by reports/render.ts; the
 * lines under its title are wrapped to it).
 */
export function validationCdfChart(data: ValidationCdfData, theme: Theme, width = theme.widths.single): Chart {
  const { labels } = data;
  const runs = runLabels(labels.measured, data.runs.length);
  const series: [string, Float64Array][] = [...data.runs.map((r, i): [string, Float64Array] => [runs[i]!, r]), [labels.simulated, data.simulated]];
  const body = series.flatMap(([l, s]) => cdfSteps(s, l));
  const tail = series.flatMap(([l, s]) => tailSteps(s, l, VALIDATION_CDF_POINTS));
  const zeros = series.map(([l, s]) => [l, s.filter((v) => v <= 0).length] as const).filter(([, z]) => z > 0);
  // the latency axis over every curve; labels at or below the fastest msync and at or above the slowest
  const positive = body.map((p) => p.latency_us).filter((v) => v > 0);
  const lo = positive.length ? Math.min(...positive) : 1, hi = positive.length ? Math.max(...positive) : 10;
  const plan = planLogAxis(logDomain(lo * 0.7, hi), lo, hi, theme.widths.single - 60, theme.fontSize.label, { across: true, flush: true });
  const domain = plan.domain;
  // the tail axis down to the smallest level drawn (1/n of the longest curve), a whole decade
  const floor = decadeBelow(Math.min(P99_SLOWER / 10, ...tail.map((t) => t.slower)));
  const scales = curveScales(runs, labels.simulated);
  const size = theme.fontSize.label;
  const legend = (cw: number) => ({ title: null, orient: 'top', direction: 'horizontal', columns: legendColumnsFor(scales.color.domain, cw, size), symbolType: 'stroke', symbolSize: LEGEND_SYMBOL, symbolStrokeWidth: theme.lineWidth });
  const color = (cw: number) => ({ field: 'series', type: 'nominal', title: null, scale: scales.color, legend: legend(cw) });
  const dash = (cw: number) => ({ field: 'series', type: 'nominal', title: null, scale: scales.dash, legend: legend(cw) });
  const x = (cw: number, labelled: boolean) => ({
    field: 'latency_us', type: 'quantitative', title: labelled ? 'msync latency (µs, log scale)' : null,
    scale: { type: 'log', domain, nice: false }, axis: { ...planAxis(plan, cw), labels: labelled, ...(labelled ? {} : { ticks: true }) },
  });
  const line = { type: 'line', interpolate: 'step-after', clip: true };
  const note = zeros.length ? ` ${zeros.map(([l, z]) => `${l}: ${count(z)} msync${z === 1 ? '' : 's'} took 0 µs and start${z === 1 ? 's' : ''} the curve at ${z === 1 ? 'its' : 'their'} share`).join('; ')}.` : '';
  const title = {
    text: data.job,
    subtitle: data.figures.flatMap((l) => wrapText(l, size, width - 2 * theme.padding - 2)),
    anchor: 'start', frame: 'bounds', fontSize: theme.fontSize.heading, fontWeight: 'bold',
    subtitleFontSize: size, subtitleColor: '#222222', subtitlePadding: Math.round(size * 0.4), offset: Math.round(size * 0.4),
  };
  return {
    name: 'validation-cdf',
    family: 'validation-cdf',
    title: `msync latency, measured vs simulated: ${data.job}`,
    caption: `Empirical CDFs (top) and fraction of msyncs slower than each latency, 1 − CDF on a log axis (bottom), of the msync latency of fio job `
      + `${data.job}: each of the ${data.runs.length} measured run${data.runs.length === 1 ? '' : 's'} on the real kernel (${data.runs.map((r) => count(r.length)).join(', ')} msyncs) `
      + `and the same msyncs replayed by syncsim (${count(data.simulated.length)}, the seeds pooled); the title's figures are those syncsim validate prints `
      + `(measured quantiles of the runs pooled; demerit: RMS horizontal distance between the pooled curves as a share of the measured mean, Ruemmler & Wilkes 1994; `
      + `noise floor: the demerit between the measured runs).${note}`,
    cells: { x: 1, y: 2 },
    height: (w) => Math.max(300, w * 1.5),
    spec: (cw, ch): VlSpec => ({
      $schema: VL_SCHEMA,
      config: vegaLiteConfig(theme),
      title,
      spacing: Math.round(size * 0.75),
      vconcat: [
        {
          width: cw,
          height: Math.round(ch * 1.1 * 10) / 10,
          data: { values: body },
          mark: line,
          encoding: {
            x: x(cw, false),
            y: { field: 'fraction', type: 'quantitative', title: 'CDF', scale: { domain: [0, 1] }, axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.2~f' } },
            color: color(cw), strokeDash: dash(cw), tooltip: labelTooltip('series', 'series'),
          },
        },
        {
          width: cw,
          height: Math.round(ch * 0.9 * 10) / 10,
          layer: [
            {
              data: { values: tail },
              mark: line,
              encoding: {
                x: x(cw, true),
                y: {
                  field: 'slower', type: 'quantitative', title: '1 − CDF (log scale)',
                  scale: { type: 'log', domain: [floor, 1], nice: false },
                  axis: { values: Array.from({ length: Math.round(-Math.log10(floor)) + 1 }, (_, i) => Number(`1e-${i}`)), labelExpr: "format(datum.value, '~g')" },
                },
                color: color(cw), strokeDash: dash(cw), tooltip: labelTooltip('series', 'series'),
              },
            },
            // p99: 1 % of msyncs slower, marked across the panel and named at its left, where the curves are above it
            { data: { values: [{ slower: P99_SLOWER }] }, mark: { type: 'rule', color: '#777777', strokeWidth: 0.75, strokeDash: [2, 2] }, encoding: { y: { field: 'slower', type: 'quantitative' } } },
            {
              data: { values: [{ slower: P99_SLOWER, text: 'p99' }] },
              mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 2, dy: -1, fontSize: size, color: '#555555' },
              encoding: { x: { value: 0 }, y: { field: 'slower', type: 'quantitative' }, text: { field: 'text', type: 'nominal' } },
            },
          ],
        },
      ],
      resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
    }),
  };
}
