/**
 * Compare CDF: the msync latency distributions of the two sides of a
 * `syncsim compare` overlaid on a log latency axis, with the Mann–Whitney
 * p-value written in the plot. Drawn from the samples the command holds.
 */
import type { Chart, VlSpec } from '../chart.ts';
import { count, labelTooltip, logAxisAcross, snapLogDomain } from '../chart.ts';
import { configColorScale, vegaLiteConfig, type Theme } from '../theme.ts';
import { VL_SCHEMA } from '../report.ts';
import { cdfSteps } from './validation-cdf.ts';

/** What the chart draws: two ascending samples and their labels. */
export interface CompareCdfData {
  /** A side: its label, its msyncs' latencies (µs, ascending), and how many runs (seeds) they were pooled from (default 1). */
  a: { label: string; latencies: Float64Array; runs?: number };
  b: { label: string; latencies: Float64Array; runs?: number };
  /** Two-sided Mann–Whitney p-value, or null. */
  p: number | null;
}

/** The `compare-cdf` chart in `theme`. */
export function compareCdfChart(d: CompareCdfData, theme: Theme): Chart {
  const curve = [...cdfSteps(d.a.latencies, d.a.label), ...cdfSteps(d.b.latencies, d.b.label)];
  const lats = curve.map((p) => p.latency_us);
  // the samples' own span and a tenth beyond it: 1-2-5 bounds would squeeze two close distributions into a sliver
  const positive = lats.filter((v) => v > 0);
  const domain: [number, number] = positive.length ? snapLogDomain([Math.min(...positive) / 1.1, Math.max(...positive) * 1.1]) : [1, 10];

  const zeros = [d.a, d.b].filter((s) => s.latencies.some((v) => v <= 0)).map((s) => `${s.label}: ${count(s.latencies.filter((v) => v <= 0).length)} msyncs of 0 µs start the curve at their share`);
  // as the command's table writes it: a p-value too small for a double is 0, and said as below 1e-300
  const note = d.p === null ? '' : `Mann–Whitney p ${d.p === 0 ? '< 1e-300' : `= ${d.p < 1e-4 ? d.p.toExponential(1) : d.p.toFixed(4)}`}`;
  // msyncs of one run are not independent draws, and those of several seeds are pooled: the figure says how many of each
  const runs = (x: { runs?: number }) => x.runs ?? 1;
  const pooled = runs(d.a) > 1 || runs(d.b) > 1 ? ` (pooled from ${runs(d.a)} and ${runs(d.b)} run${runs(d.b) === 1 ? '' : 's'})` : '';
  return {
    name: 'compare-cdf',
    family: 'compare-cdf',
    title: `msync latency: ${d.a.label} vs ${d.b.label}`,
    caption: `Empirical CDFs of the latency of the successful msyncs of each side (${count(d.a.latencies.length)} and ${count(d.b.latencies.length)} msyncs, `
      + `every seed pooled)${note ? `; two-sided ${note}` : ''}.${zeros.length ? ` ${zeros.join('; ')}.` : ''}`,
    cells: { x: 1, y: 1 },
    height: (w) => Math.max(150, w * 0.62) + (note ? theme.fontSize.label * 2 : 0),
    spec: (cw, ch): VlSpec => ({
      $schema: VL_SCHEMA,
      config: vegaLiteConfig(theme),
      width: cw,
      height: ch,
      // the test's p-value under the plot, where no curve runs (inside it, the steps of a fast side crossed it)
      ...(note ? { title: { text: `${note}; n = ${count(d.a.latencies.length)} and ${count(d.b.latencies.length)} msyncs${pooled}`, orient: 'bottom', anchor: 'start', frame: 'bounds', fontSize: theme.fontSize.label, fontWeight: 'normal', color: '#444444', offset: Math.round(theme.fontSize.label * 0.6) } } : {}),
      layer: [
        {
          data: { values: curve },
          mark: { type: 'line', interpolate: 'step-after', clip: true },
          encoding: {
            x: { field: 'latency_us', type: 'quantitative', title: 'msync latency (µs, log scale)', scale: { type: 'log', domain, nice: false }, axis: logAxisAcross(theme.fontSize.label, domain, cw) },
            // a few px beyond 0 and 1, so that the curves' ends are not drawn on the frame
            y: { field: 'fraction', type: 'quantitative', title: 'fraction of msyncs', scale: { domain: [0, 1], padding: 4 }, axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: '.1f' } },
            color: { field: 'series', type: 'nominal', title: null, scale: configColorScale([d.a.label, d.b.label]), legend: { title: null, orient: 'top', direction: 'vertical' } },
            tooltip: labelTooltip('series', 'side'),
          },
        },
      ],
    }),
  };
}
