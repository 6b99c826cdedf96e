/**
 * Validation small multiples: one panel per validation job, each with the
 * measured (real kernel, fio runs pooled) and simulated msync latency CDFs on
 * its own log latency axis, and the job's figures (demerit, noise floor,
 * noise ratio) in the panel title, so that one figure shows the whole
 * validation in a paper.
 */
import { labelTooltip, type Chart, type VlSpec } from '../chart.ts';
import { configColorScale, vegaColorScale, vegaLiteConfig, type Theme } from '../theme.ts';
import { VL_SCHEMA } from '../report.ts';
import { cdfSteps } from './validation-cdf.ts';

/** One job's panel. */
export interface ValidationPanel {
  job: string;
  /** Measured latencies (µs), ascending. */
  measured: Float64Array;
  /** Simulated latencies (µs), ascending. */
  simulated: Float64Array;
  demerit_pct: number;
  noise_floor_pct: number | null;
  noise_ratio: number | null;
}

/** Points per curve in a panel (fewer than the single-job chart: panels are small). */
const PANEL_POINTS = 200;

/** The panel title: the job, then its figures on a second line (the lines joined by `|`). */
export function panelTitle(p: ValidationPanel): string {
  const noise = p.noise_floor_pct === null ? '' : ` · noise ${p.noise_floor_pct.toFixed(0)} % · ratio ${p.noise_ratio === null ? '-' : p.noise_ratio.toFixed(2)}`;
  return `${p.job}|demerit ${p.demerit_pct.toFixed(0)} %${noise}`;
}

/** Columns of the grid for `n` panels: three in one row, not two above one beside an empty quadrant; four two by two. */
export function gridColumns(n: number): number {
  return n <= 3 ? Math.max(1, n) : n === 4 ? 2 : 3;
}

/** Tick values of a log latency axis: 1–9 × 10^k µs, 1 µs to 90 s (each panel draws those in its domain). */
export const LOG_TICKS: readonly number[] = Array.from({ length: 8 * 9 }, (_, i) => (1 + (i % 9)) * 10 ** Math.floor(i / 9));

/**
 * A log latency axis's tick label: kept for 1, 2, 3 and 5 × 10^k, blank for
 * the other ticks ({@link LOG_TICKS}: 4, 6, 7, 8, 9 × 10^k), so that the
 * greedy removal of crowded labels, which works from the left, keeps 1k
 * rather than the 800 before it (with vega's own ticks a panel of 150 to
 * 2,500 µs read 200, 300, 500, 800, 2k). The tick marks themselves stay.
 */
export const ROUND_LOG_LABEL =
  "indexof([1, 2, 3, 5], round(datum.value / pow(10, floor(log(datum.value) / LN10 + 1e-9)))) >= 0 ? datum.label : ''";

/** The `validation-grid` chart of `panels` (in the order given) in `theme`. */
export function validationGridChart(panels: readonly ValidationPanel[], labels: { measured: string; simulated: string }, theme: Theme): Chart {
  if (panels.length === 0) throw new Error('validation grid: no job to draw');
  const titles = panels.map(panelTitle);
  const values = panels.flatMap((p, i) => [
    ...cdfSteps(p.measured, labels.measured, PANEL_POINTS),
    ...cdfSteps(p.simulated, labels.simulated, PANEL_POINTS),
  ].map((s) => ({ ...s, panel: titles[i] })));
  const columns = gridColumns(panels.length);
  const rows = Math.ceil(panels.length / columns);
  const colors = vegaColorScale(configColorScale([labels.measured, labels.simulated]));
  const ratios = panels.filter((p) => p.noise_ratio !== null).length;
  return {
    name: 'validation-grid',
    family: 'validation-grid',
    title: 'msync latency, measured vs simulated, every validation job',
    caption: `Empirical CDFs of msync latency per fio job: measured on the real kernel (${labels.measured}) and replayed by syncsim `
      + `(${labels.simulated}). Panel titles give the demerit (RMS horizontal distance between the curves as a share of the measured mean, `
      + `Ruemmler & Wilkes 1994)${ratios ? ', the noise floor (the demerit between repeated real runs) and their ratio' : ''}. `
      + 'Each panel has its own log latency axis.',
    cells: { x: columns, y: rows },
    height: (w) => Math.max(160, (w / columns) * 0.75 * rows + 40),
    spec: (cw, ch): VlSpec => ({
      $schema: VL_SCHEMA,
      config: vegaLiteConfig(theme),
      data: { values },
      columns,
      facet: {
        field: 'panel', type: 'nominal', title: null, sort: titles,
        // two lines: the job, then its figures
        header: { labelFontSize: theme.fontSize.label, labelLimit: cw + 20, labelAnchor: 'start', labelOrient: 'top', labelExpr: "split(datum.value, '|')" },
      },
      spec: {
        width: cw,
        height: ch,
        mark: { type: 'line', interpolate: 'step-after', clip: true },
        encoding: {
          x: { field: 'latency_us', type: 'quantitative', title: 'msync latency (µs, log scale)', scale: { type: 'log', nice: false, zero: false }, axis: { values: LOG_TICKS, format: '~s', labelExpr: ROUND_LOG_LABEL, labelOverlap: 'greedy', labelSeparation: 6, labelFlush: false } },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of msyncs', scale: { domain: [0, 1] }, axis: { tickCount: 3, format: '.1f' } },
          color: { field: 'series', type: 'nominal', title: null, scale: colors, legend: { title: null, orient: 'top', direction: 'horizontal' } },
          tooltip: labelTooltip('series', 'series'),
        },
      },
      resolve: { scale: { x: 'independent' }, axis: { x: 'independent' } },
    }),
  };
}
