/**
 * Timelines from timeline.csv: dirty pages, pages under writeback, wired
 * pages and device queue depth over simulated time, one panel each.
 */
import { configLegend, type Chart, type ChartContext, type ChartModule } from '../chart.ts';
import type { TimelineSeries } from '../reduce.ts';

/** The panels, top to bottom. */
const PANELS: { field: TimelineSeries; title: string }[] = [
  { field: 'dirty_pages', title: 'dirty pages' },
  { field: 'writeback_pages', title: 'under writeback' },
  { field: 'wired_pages', title: 'wired pages' },
  { field: 'queue_depth', title: 'queue depth' },
];

/** The `timeline` chart. */
export const timeline: ChartModule = {
  name: 'timeline',
  summary: 'dirty, under-writeback and wired pages and device queue depth over time (timeline.csv)',
  async build(ctx: ChartContext): Promise<Chart[]> {
    const sel = ctx.perRun();
    if ('skip' in sel) return [];
    const rows: Record<string, number | string>[] = [];
    let maxBucket = 1, maxMs = 0;
    for (const { config, run } of sel.runs) {
      const t = await ctx.timeline(run);
      maxBucket = Math.max(maxBucket, t.bucket);
      for (const p of t.points) {
        rows.push({ config: config.label, ...p });
        maxMs = Math.max(maxMs, p.t_ms);
      }
    }
    if (rows.length === 0) return [];
    const seconds = maxMs >= 10_000;
    if (seconds) for (const r of rows) r.t = (r.t_ms as number) / 1000;
    const tField = seconds ? 't' : 't_ms';
    const n = sel.runs.length;
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: ctx.colors, legend: configLegend(ctx, n) };
    const sample = sel.runs[0].run.summary.config.stats.sample_us;
    const caption = `Samples of timeline.csv (every ${sample} µs of simulated time)`
      + (maxBucket > 1 ? `; each point is the largest value of ${maxBucket} consecutive samples, so peaks are kept` : '')
      + (ctx.results.kind === 'sweep' ? '; each configuration is drawn from its lowest-seed run' : '') + '.';
    return [{
      name: 'timeline',
      family: 'timeline',
      title: 'Timelines',
      caption,
      cells: { x: 1, y: PANELS.length },
      height: (w) => Math.max(260, w * (w < 400 ? 1.25 : 0.7)),
      spec: (cw, ch) => ({
        ...ctx.base(),
        data: { values: rows },
        spacing: 4,
        vconcat: PANELS.map((panel, i) => {
          const last = i === PANELS.length - 1;
          return {
            width: cw,
            height: ch,
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x: {
                field: tField, type: 'quantitative',
                title: last ? `simulated time (${seconds ? 's' : 'ms'})` : null,
                axis: last ? { tickCount: 6 } : { labels: false, ticks: false, title: null, tickCount: 6 },
              },
              y: { field: panel.field, type: 'quantitative', title: panel.title, axis: { tickCount: 3, format: '~s' } },
              color,
            },
          };
        }),
        resolve: { scale: { x: 'shared', y: 'independent' } },
      }),
    }];
  },
};
