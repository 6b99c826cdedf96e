/**
 * Validation small multiples: one panel per validation job, each with the
 * measured msync latency CDF of every run (real kernel, one blue, a dash
 * each) and the simulated one (the seeds pooled, orange) on its own log
 * latency axis, the measured (runs pooled) and simulated p99 marked on the
 * curves, and the job's figures as `npm run validate` prints them in the
 * panel title (msyncs, p50 and p99 measured vs simulated, demerit, noise
 * floor, noise ratio), so that one figure shows the whole validation in a
 * paper.
 */
import { labelTooltip, type Chart, type VlSpec } from '../chart.ts';
import { vegaLiteConfig, type Theme } from '../theme.ts';
import { wrapText } from '../fonts.ts';
import { VL_SCHEMA } from '../report.ts';
import { cdfSteps, legendColumnsFor } from './validation-cdf.ts';
import { curveScales, MEASURED_COLOR, runLabels, SIMULATED_COLOR } from './validation-looks.ts';

/** One job's panel. */
export interface ValidationPanel {
  job: string;
  /** Each measured run's latencies (µs), ascending: a curve each. */
  runs: readonly Float64Array[];
  /** Simulated latencies (µs), the seeds pooled, ascending. */
  simulated: Float64Array;
  /** The lines of the panel title, the job's name in the first: its figures as the summary table prints them (summary.ts panelLines). */
  lines: readonly string[];
  /** The p99s marked on the curves (µs): of the measured runs pooled and of the simulated msyncs, as the table gives them. */
  p99: { measured_us: number; simulated_us: number };
}

/** Points per curve in a panel (fewer than the single-job chart: panels are small). */
const PANEL_POINTS = 200;

/** The panel title: its lines joined by `|`, which the facet header splits (the key of the panel's data). */
export function panelTitle(p: Pick<ValidationPanel, 'lines'>): string {
  return p.lines.join('|');
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

/** The p99 marks' shapes, measured and simulated. */
const P99_SHAPES = { measured: 'circle', simulated: 'diamond' } as const;

/** The `validation-grid` chart of `panels` (in the order given) in `theme`, to be laid out `width` px wide. */
export function validationGridChart(panels: readonly ValidationPanel[], labels: { measured: string; simulated: string }, theme: Theme, width = theme.widths.double): Chart {
  if (panels.length === 0) throw new Error('validation grid: no job to draw');
  const titles = panels.map(panelTitle);
  const runs = runLabels(labels.measured, Math.max(...panels.map((p) => p.runs.length)));
  const curves = panels.flatMap((p, i) => [
    ...p.runs.flatMap((r, k) => cdfSteps(r, runLabels(labels.measured, p.runs.length)[k]!, PANEL_POINTS)),
    ...cdfSteps(p.simulated, labels.simulated, PANEL_POINTS),
  ].map((s) => ({ ...s, panel: titles[i] })));
  const p99s = panels.flatMap((p, i) => (['measured', 'simulated'] as const)
    .filter((side) => p.p99[`${side}_us`] > 0)
    .map((side) => ({ panel: titles[i], p99: side, latency_us: p.p99[`${side}_us`], fraction: 0.99 })));
  const columns = gridColumns(panels.length);
  const rows = Math.ceil(panels.length / columns);
  const scales = curveScales(runs, labels.simulated);
  const size = theme.fontSize.label;
  const lineHeight = Math.round(size * 1.25);
  const headerLines = Math.max(...panels.map((p) => p.lines.length));
  const explain = wrapText('Panel titles: the job (measured runs × msyncs each); p50 and p99 measured (the runs pooled) vs simulated (error); '
    + `demerit · noise floor (the demerit between the measured runs) · noise ratio. Marks at CDF 0.99: the p99s, measured (${P99_SHAPES.measured}) and simulated (${P99_SHAPES.simulated}).`,
  size, width - 2 * theme.padding - 2);
  const x = { field: 'latency_us', type: 'quantitative', title: 'msync latency (µs, log scale)', scale: { type: 'log', nice: false }, axis: { values: LOG_TICKS, format: '~s', labelExpr: ROUND_LOG_LABEL, labelOverlap: 'greedy', labelSeparation: 6, labelFlush: false } };
  const y = { field: 'fraction', type: 'quantitative', title: 'CDF', scale: { domain: [0, 1] }, axis: { values: [0, 0.5, 1], format: '.1f' } };
  const legend = { title: null, orient: 'top', direction: 'horizontal', columns: legendColumnsFor(scales.color.domain, width - 60, size), symbolType: 'stroke', symbolSize: 160, symbolStrokeWidth: theme.lineWidth };
  const p99Layer = (side: 'measured' | 'simulated') => ({
    transform: [{ filter: `datum.p99 === '${side}'` }],
    mark: { type: 'point', shape: P99_SHAPES[side], filled: true, size: theme.pointSize * 1.5, color: side === 'measured' ? MEASURED_COLOR : SIMULATED_COLOR, stroke: 'white', strokeWidth: 0.5, opacity: 1 },
    encoding: { x, y, tooltip: [{ field: 'p99', type: 'nominal', title: 'p99' }, { field: 'latency_us', type: 'quantitative', title: 'µs', format: ',.1f' }] },
  });
  return {
    name: 'validation-grid',
    family: 'validation-grid',
    title: 'msync latency, measured vs simulated, every validation job',
    caption: `Empirical CDFs of msync latency per fio job: each measured run on the real kernel (${labels.measured}) and the msyncs replayed by syncsim `
      + `(${labels.simulated}). Panel titles give the measured runs and their msyncs, the p50 and p99 measured (the runs pooled) and simulated with the error `
      + '(simulated − measured) / measured, the demerit (RMS horizontal distance between the pooled curves as a share of the measured mean, '
      + 'Ruemmler & Wilkes 1994), the noise floor (the demerit between repeated real runs) and their ratio, as npm run validate prints them; '
      + 'the marks at 0.99 are the p99s. Each panel has its own log latency axis.',
    cells: { x: columns, y: rows },
    // the legend above the panels spans the row, not one panel (fitLegendLabels)
    besidePlot: Math.round(((width - 60) * (columns - 1)) / columns),
    height: (w) => Math.max(200, rows * ((w / columns) * 0.42 + headerLines * lineHeight + 30) + explain.length * lineHeight + 40),
    spec: (cw, ch): VlSpec => ({
      $schema: VL_SCHEMA,
      config: vegaLiteConfig(theme),
      title: { text: explain, anchor: 'start', frame: 'bounds', fontSize: size, fontWeight: 'normal', lineHeight, offset: Math.round(size * 0.5) },
      data: { values: [...curves, ...p99s] },
      columns,
      spacing: { row: Math.round(size * 1.5), column: Math.round(size * 1.5) },
      facet: {
        field: 'panel', type: 'nominal', title: null, sort: titles,
        // the job, then its figures
        header: { labelFontSize: size, labelLimit: cw + 20, labelAnchor: 'start', labelOrient: 'top', labelLineHeight: lineHeight, labelPadding: Math.round(size * 0.5), labelExpr: "split(datum.value, '|')" },
      },
      spec: {
        width: cw,
        height: ch,
        layer: [
          {
            transform: [{ filter: 'isValid(datum.series)' }],
            mark: { type: 'line', interpolate: 'step-after', clip: true },
            encoding: {
              x, y,
              color: { field: 'series', type: 'nominal', title: null, scale: scales.color, legend },
              strokeDash: { field: 'series', type: 'nominal', title: null, scale: scales.dash, legend },
              tooltip: labelTooltip('series', 'series'),
            },
          },
          p99Layer('measured'),
          p99Layer('simulated'),
        ],
      },
      resolve: { scale: { x: 'independent' }, axis: { x: 'independent' } },
    }),
  };
}
