/**
 * Percentile bars: msync latency p50, p99 and p99.9 per configuration; for a
 * sweep, the mean over seeds with its 95 % confidence interval.
 */
import { configLegend, logDomain, type Chart, type ChartContext, type ChartModule } from '../chart.ts';
import { configMetric } from '../data.ts';
import { PERCENTILE_MARKS } from '../theme.ts';

/** One bar. */
interface Bar {
  config: string;
  percentile: string;
  latency_us: number;
  lo: number | null;
  hi: number | null;
  n: number;
}

/** The `latency-percentiles` chart. */
export const latencyPercentiles: ChartModule = {
  name: 'latency-percentiles',
  summary: 'msync latency p50/p99/p99.9 bars per configuration, CI95 error bars across seeds (sweeps)',
  async build(ctx: ChartContext): Promise<Chart[]> {
    const bars: Bar[] = [];
    const { results } = ctx;
    const sweep = results.kind === 'sweep';
    let fromRuns = false;
    const zeros: string[] = [];
    for (const config of results.configurations) {
      for (const m of PERCENTILE_MARKS) {
        const st = configMetric(results, config, `sync.latency_us.${m.key}`);
        if (st.mean === 0) zeros.push(`${config.label} ${m.label}`);
        if (st.mean === null || st.mean <= 0) continue;
        if (st.source === 'runs' && sweep) fromRuns = true;
        const ci = sweep && st.ci95 !== null ? st.ci95 : null;
        bars.push({ config: config.label, percentile: m.label, latency_us: st.mean, lo: ci === null ? null : st.mean - ci, hi: ci === null ? null : st.mean + ci, n: st.n });
      }
    }
    if (bars.length === 0) return [];
    // a log axis from the decade below the smallest bar; error bars reaching below it are cut there
    const lowest = Math.min(...bars.map((b) => b.latency_us));
    const highest = Math.max(...bars.map((b) => Math.max(b.latency_us, b.hi ?? 0)));
    // the bar of the smallest value must have a height: start the axis a step below it
    const [floor, ceil] = logDomain(lowest * 0.6, highest);
    let cut = false;
    for (const b of bars) {
      if (b.lo !== null && b.lo < floor) {
        b.lo = floor;
        cut = true;
      }
    }
    const withCi = bars.filter((b) => b.lo !== null);
    const labels = results.configurations.map((c) => c.label);
    const caption = sweep
      ? `msync latency percentiles per configuration: the mean over seeds of each run's p50, p99 and p99.9 (summary.json)`
        + (withCi.length ? `, with error bars for the 95 % confidence interval of the mean (Student t, ${fromRuns ? 'from the runs' : 'aggregate.csv'})` : '')
        + `.${cut ? ' Error bars reaching below the axis are cut at it.' : ''}`
      : 'msync latency percentiles p50, p99 and p99.9 per configuration, from summary.json (successful msyncs after the warm-up).';
    const zeroNote = zeros.length ? ` Not drawable on the log axis, ${zeros.length > 1 ? 'these are' : 'this is'} 0 µs: ${zeros.join(', ')}.` : '';
    const x = { field: 'percentile', type: 'nominal', title: null, sort: PERCENTILE_MARKS.map((m) => m.label), axis: { labelAngle: 0, ticks: false } };
    const xOffset = { field: 'config', type: 'nominal', sort: labels, scale: { paddingInner: 0.08 } };
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: ctx.colors, legend: configLegend(ctx, labels.length) };
    return [{
      name: 'latency-percentiles',
      family: 'latency-percentiles',
      title: 'msync latency percentiles',
      caption: caption + zeroNote,
      cells: { x: 1, y: 1 },
      height: (w) => Math.max(150, w * 0.72),
      spec: (cw, ch) => ({
        ...ctx.base(),
        width: cw,
        height: ch,
        data: { values: bars },
        encoding: { x, xOffset },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              y: { field: 'latency_us', type: 'quantitative', title: 'msync latency (µs, log scale)', scale: { type: 'log', domain: [floor, ceil], nice: false }, axis: { tickCount: 5 } },
              y2: { datum: floor },
              color,
            },
          },
          ...(withCi.length
            ? [{
              transform: [{ filter: 'datum.lo != null' }],
              mark: { type: 'rule', color: '#222222' },
              encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
            }]
            : []),
        ],
      }),
    }];
  },
};
