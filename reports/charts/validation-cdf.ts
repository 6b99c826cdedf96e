/**
 * Validation CDF: the measured (real kernel, fio) and simulated (syncsim)
 * msync latency distributions of one job overlaid on a log latency axis,
 * with the demerit figure written in the plot. Unlike the chart modules of a
 * results directory, it is drawn from the two samples `syncsim validate`
 * holds, so it is a chart builder, not a ChartModule.
 */
import { count, labelTooltip, logDomain, planAxis, planLogAxis, type Chart, type VlSpec } from '../chart.ts';
import { configColorScale, vegaColorScale, vegaLiteConfig, type Theme } from '../theme.ts';
import { textWidth } from '../fonts.ts';
import { VL_SCHEMA } from '../report.ts';

/** Steps kept per curve at most (quantile-spaced, first and last value included). */
export const VALIDATION_CDF_POINTS = 400;

/** What the chart draws. */
export interface ValidationCdfData {
  /** Job name, for the title and caption. */
  job: string;
  /** Measured msync latencies (µs), ascending. */
  measured: Float64Array;
  /** Simulated msync latencies (µs), ascending. */
  simulated: Float64Array;
  /** Legend labels of the two curves. */
  labels: { measured: string; simulated: string };
  demerit_pct: number;
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
  // index just past the last copy of sorted[i]
  const upper = (i: number) => {
    let lo = i, hi = n;
    const v = sorted[i]!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
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

const pct = (v: number) => `${v.toFixed(1)} %`;

/** The `validation-cdf` chart in `theme` (laid out to its final width by reports/render.ts). */
export function validationCdfChart(data: ValidationCdfData, theme: Theme): Chart {
  const { labels } = data;
  const curve = [...cdfSteps(data.measured, labels.measured), ...cdfSteps(data.simulated, labels.simulated)];
  const zeros = [
    [labels.measured, data.measured],
    [labels.simulated, data.simulated],
  ].map(([l, s]) => [l, (s as Float64Array).filter((v) => v <= 0).length] as const).filter(([, z]) => z > 0);
  const lats = curve.map((p) => p.latency_us);
  // labels at or below the fastest msync and at or above the slowest (vega's five log ticks could leave either end unlabelled)
  const positive = lats.filter((v) => v > 0);
  const plan = planLogAxis(positive.length ? logDomain(Math.min(...positive) * 0.7, Math.max(...positive)) : [1, 10], positive.length ? Math.min(...positive) : 1, positive.length ? Math.max(...positive) : 10,
    theme.widths.single - 60, theme.fontSize.label, { across: true, flush: true });
  const domain = plan.domain;
  const colors = vegaColorScale(configColorScale([labels.measured, labels.simulated]));
  const x = (cw: number) => ({ field: 'latency_us', type: 'quantitative', title: 'msync latency (µs, log scale)', scale: { type: 'log', domain, nice: false }, axis: planAxis(plan, cw) });
  const y = { field: 'fraction', type: 'quantitative', title: 'fraction of msyncs', scale: { domain: [0, 1] }, axis: { tickCount: 5, format: '.1f' } };
  // the two entries side by side when both labels fit the plot's width with their symbols and gap (measured: 8-point labels of 155 px fit a
  // 205 px plot, of 183 px were cut short), else one under the other
  const size = theme.fontSize.label;
  const sideBySide = (cw: number) => textWidth(labels.measured, size) + textWidth(labels.simulated, size) + size * 4 <= cw;
  const color = (cw: number) => ({ field: 'series', type: 'nominal', title: null, scale: colors, legend: { title: null, orient: 'top', direction: sideBySide(cw) ? 'horizontal' : 'vertical' } });
  const note = zeros.length ? ` ${zeros.map(([l, z]) => `${l}: ${count(z)} msyncs took 0 µs and start the curve at their share`).join('; ')}.` : '';
  return {
    name: 'validation-cdf',
    family: 'validation-cdf',
    title: `msync latency, measured vs simulated: ${data.job}`,
    caption: `Empirical CDFs of the latency of ${count(data.measured.length)} msyncs of fio job ${data.job} measured on the real kernel `
      + `and of the same msyncs replayed by syncsim; demerit ${pct(data.demerit_pct)} (RMS horizontal distance between the curves `
      + `as a share of the measured mean, Ruemmler & Wilkes 1994).${note}`,
    cells: { x: 1, y: 1 },
    height: (w) => Math.max(150, w * 0.72),
    spec: (cw, ch): VlSpec => ({
      $schema: VL_SCHEMA,
      config: vegaLiteConfig(theme),
      width: cw,
      height: ch,
      layer: [
        { data: { values: curve }, mark: { type: 'line', interpolate: 'step-after', clip: true }, encoding: { x: x(cw), y, color: color(cw), tooltip: labelTooltip('series', 'series') } },
        {
          data: { values: [{ text: `demerit ${pct(data.demerit_pct)}` }] },
          mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -2, dy: -2, fontSize: theme.fontSize.label },
          encoding: { x: { value: cw }, y: { value: ch }, text: { field: 'text', type: 'nominal' } },
        },
      ],
    }),
  };
}
