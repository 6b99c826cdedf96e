/**
 * Sweep lines: a metric against a swept numeric grid key, one line per
 * combination of the other grid keys, with the 95 % confidence band of the
 * mean over seeds.
 */
import { count, labelLimit, legendColumns, type Chart, type ChartContext, type ChartModule } from '../chart.ts';
import { configMetric, shortKeys } from '../data.ts';
import { CONFIG_PALETTE } from '../theme.ts';

/** Axis titles of common metrics (dotted paths into summary.json). */
const METRIC_TITLES: Record<string, string> = {
  'sync.latency_us.mean': 'mean msync latency (µs)',
  'sync.latency_us.p50': 'msync latency p50 (µs)',
  'sync.latency_us.p90': 'msync latency p90 (µs)',
  'sync.latency_us.p99': 'msync latency p99 (µs)',
  'sync.latency_us.p999': 'msync latency p99.9 (µs)',
  'sync.latency_us.max': 'max msync latency (µs)',
  'writeback.bytes': 'written back',
  'writeback.ios': 'writeback I/Os',
  'writeback.amplification': 'write amplification',
  'device.utilization': 'device utilization',
  'device.mean_queue_depth': 'mean device queue depth',
  'throttle.total_us': 'writer throttling (µs)',
  sim_time_us: 'simulated time (µs)',
};

/** The axis title of a metric. */
export function metricTitle(metric: string): string {
  return METRIC_TITLES[metric] ?? metric;
}

/** Binary units of byte counts, largest first. */
const BYTE_UNITS: [string, number][] = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10], ['bytes', 1]];

/** SI-prefixed tick labels (12k, 1.5M) for axes whose values reach 10,000, default labels otherwise. */
function bigFormat(max: number): { format?: string } {
  return max >= 1e4 ? { format: '~s' } : {};
}

/** A file-name-safe form of a metric or key. */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The `sweep-line` charts (one per metric × numeric grid key). */
export const sweepLine: ChartModule = {
  name: 'sweep-line',
  summary: 'sweeps: each metric vs each swept numeric key, one line per other keys, CI95 band (sweep-METRIC-vs-KEY)',
  async build(ctx: ChartContext): Promise<Chart[]> {
    const sweep = ctx.results.sweep;
    if (!sweep) return [];
    const charts: Chart[] = [];
    const short = shortKeys(sweep.keys);
    for (const key of sweep.numericKeys) {
      const ki = sweep.keys.indexOf(key);
      const xs = new Set(sweep.points.map((p) => Number(p.values[ki])));
      if (xs.size < 2) continue;
      const others = sweep.keys.map((_, i) => i).filter((i) => i !== ki);
      const seriesOf = (values: string[]) => (others.length ? others.map((i) => values[i]).join(', ') : 'all');
      const series = [...new Set(sweep.points.map((p) => seriesOf(p.values)))];
      // geometric steps (1, 2, 4, 8 or 10, 100, 1000) get a log axis
      const sorted = [...xs].sort((a, b) => a - b);
      const logX = sorted[0] > 0 && sorted[sorted.length - 1] / sorted[0] >= 8 && sorted.every((v, i) => i === 0 || v / sorted[i - 1] >= 1.5);
      for (const metric of sweep.metrics) {
        const rows: { x: number; series: string; mean: number; lo: number; hi: number; n: number }[] = [];
        let withCi = 0, fromRuns = false;
        let nMin = Infinity, nMax = 0;
        for (const p of sweep.points) {
          const st = configMetric(ctx.results, p.config, metric);
          if (st.mean === null) continue;
          if (st.source === 'runs') fromRuns = true;
          if (st.ci95 !== null) withCi++;
          nMin = Math.min(nMin, st.n);
          nMax = Math.max(nMax, st.n);
          rows.push({
            x: Number(p.values[ki]), series: seriesOf(p.values), mean: st.mean,
            lo: st.ci95 === null ? st.mean : st.mean - st.ci95, hi: st.ci95 === null ? st.mean : st.mean + st.ci95, n: st.n,
          });
        }
        if (rows.length < 2) continue;
        // byte counts in binary units
        let unit = '';
        if (/bytes$/.test(metric)) {
          const max = Math.max(...rows.map((r) => Math.abs(r.hi)));
          const [name, div] = BYTE_UNITS.find(([, d]) => max >= d * 2) ?? BYTE_UNITS[BYTE_UNITS.length - 1];
          unit = ` (${name})`;
          for (const r of rows) Object.assign(r, { mean: r.mean / div, lo: r.lo / div, hi: r.hi / div });
        }
        const colors = { domain: series, range: series.map((_, i) => CONFIG_PALETTE[i % CONFIG_PALETTE.length]) };
        const color = {
          field: 'series', type: 'nominal', title: null, scale: colors,
          legend: series.length > 1
            ? { title: others.map((i) => short[i]).join(', '), titleOrient: 'top', symbolOpacity: 1, columns: legendColumns(ctx, series), labelLimit: labelLimit(ctx) }
            : null,
        };
        const x = { field: 'x', type: 'quantitative', title: key, scale: logX ? { type: 'log', nice: false } : { type: 'linear', zero: false, nice: true }, axis: { values: sorted, ...bigFormat(sorted[sorted.length - 1]) } };
        const title = metricTitle(metric) + unit;
        const seeds = nMin === nMax ? `${count(nMin)}` : `${count(nMin)}–${count(nMax)}`;
        charts.push({
          name: `sweep-${slug(metric)}-vs-${slug(key)}`,
          family: 'sweep-line',
          title: `${title} vs ${key}`,
          caption: `${metric} against ${key}: the mean over ${seeds} seeds per grid point`
            + (withCi ? `, with the band of the 95 % confidence interval of the mean (Student t, ${fromRuns ? 'computed from the runs' : 'aggregate.csv'})` : '')
            + (others.length ? `; one line per value of ${others.map((i) => sweep.keys[i]).join(', ')}` : '') + '.',
          cells: { x: 1, y: 1 },
          height: (w) => Math.max(150, w * 0.72),
          spec: (cw, ch) => ({
            ...ctx.base(),
            width: cw,
            height: ch,
            data: { values: rows },
            encoding: { x, color },
            layer: [
              { mark: { type: 'area', opacity: 0.18 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
              {
                mark: { type: 'line', point: { filled: true, size: ctx.theme.pointSize } },
                encoding: { y: { field: 'mean', type: 'quantitative', title, scale: { zero: false, nice: true } } },
              },
            ],
          }),
        });
      }
    }
    return charts;
  },
};
