/**
 * Sync latency CDF: the empirical distribution of msync latency per
 * configuration on a log latency axis, with p50, p99 and p99.9 marked.
 */
import { configLegend, count, figureHeight, figureNote, fitLogDomain, labelTooltip, logAxisAcross, markPadding, snapLogDomain, type Chart, type ChartContext, type ChartModule, LOWEST_SEED_NOTE } from '../chart.ts';
import { colorOf, mergeIdentical } from '../series.ts';
import { PERCENTILE_MARKS } from '../theme.ts';

/** The `latency-cdf` chart. */
export const latencyCdf: ChartModule = {
  name: 'latency-cdf',
  summary: 'msync latency CDF per configuration (log x), p50/p99/p99.9 marked',
  async build(ctx: ChartContext): Promise<Chart[]> {
    const sel = ctx.perRun();
    if ('skip' in sel) return [];
    let curve: { config: string; latency_us: number; fraction: number }[] = [];
    let marks: { config: string; percentile: string; latency_us: number; fraction: number }[] = [];
    const notes: string[] = [];
    const zeroShare = new Map<string, number>();
    let total = 0;
    const drawn: string[] = [];
    for (const { config, run } of sel.runs) {
      const s = await ctx.syncStats(run);
      total += s.n;
      for (const p of s.cdf) curve.push({ config: config.label, ...p });
      for (const m of PERCENTILE_MARKS) {
        const v = run.summary.sync.latency_us[m.key];
        if (v !== null && v > 0) marks.push({ config: config.label, percentile: m.label, latency_us: v, fraction: m.q });
      }
      if (s.zero > 0) {
        notes.push(`${config.label}: ${count(s.zero)} of ${count(s.n)} msyncs took 0 µs, drawn at the axis floor`);
        zeroShare.set(config.label, s.zero / s.n);
      }
      if (s.n === 0) notes.push(`${config.label}: no successful msync`);
      else drawn.push(config.label);
    }
    if (drawn.length === 0) return [];
    // every msync took 0 µs: a log axis has nothing to spread, the curve would be a bare line along the top
    if (curve.length === 0) {
      ctx.notes.push('latency-cdf: every msync took 0 µs; not drawn.');
      return [];
    }
    const lats = [...curve.map((p) => p.latency_us), ...marks.map((m) => m.latency_us)];
    // the data's extent (a floor below it for 0 µs msyncs); the scales are padded so the markers at 1.0 and the ends are whole
    const domain: [number, number] = lats.length ? snapLogDomain(fitLogDomain(Math.min(...lats), Math.max(...lats), zeroShare.size > 0)) : [1, 10];
    const pad = markPadding(ctx.theme.pointSize * 1.5);
    // msyncs of 0 µs cannot sit on a log axis: the curve rises to their share at the axis floor
    curve = drawn.flatMap((config) => {
      const own = curve.filter((p) => p.config === config);
      const share = zeroShare.get(config);
      if (share === undefined) return own;
      return [{ config, latency_us: domain[0], fraction: share }, ...(own.length ? own : [{ config, latency_us: domain[1], fraction: share }])];
    });
    // configurations with identical curves: one line, named `a = b`
    const merged = mergeIdentical(drawn.map((label) => ({
      label, color: colorOf(ctx.colors, label),
      data: [curve.filter((p) => p.config === label).map((p) => [p.latency_us, p.fraction]), marks.filter((m) => m.config === label).map((m) => [m.percentile, m.latency_us])],
    })));
    curve = curve.filter((p) => merged.lead(p.config) !== undefined).map((p) => ({ ...p, config: merged.lead(p.config)! }));
    marks = marks.filter((p) => merged.lead(p.config) !== undefined).map((p) => ({ ...p, config: merged.lead(p.config)! }));
    const labels = merged.scale.domain;
    // the legend lists only the percentile markers drawn (none of a 0 µs percentile)
    const shown = PERCENTILE_MARKS.filter((m) => marks.some((x) => x.percentile === m.label));
    const seeds = ctx.results.kind === 'sweep' ? ' Each configuration is drawn from its lowest-seed run.' : '';
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: merged.scale, legend: configLegend(ctx, labels) };
    // curves not identical but drawn over one another: the one below would be lost without a word
    const close = coincidingCurves(sel.runs.filter(({ config }) => merged.lead(config.label) !== undefined).map(({ config, run }) => ({
      label: merged.lead(config.label)!, p50: run.summary.sync.latency_us.p50, p99: run.summary.sync.latency_us.p99,
    })));
    const note = figureNote(ctx, [
      ctx.results.kind === 'sweep' ? LOWEST_SEED_NOTE : '',
      close.length ? `${close.slice(0, 2).join('; ')}${close.length > 2 ? '; ...' : ''}: nearly on one another (p50 and p99 within 2 %)` : '',
      zeroShare.size ? '0 µs msyncs drawn at the axis floor' : '',
      merged.any ? "'=' joins configurations with identical msync latencies" : '',
    ]);
    const x = { field: 'latency_us', type: 'quantitative', title: 'msync latency (µs, log scale)', scale: { type: 'log', domain, nice: false, padding: pad } };
    const y = { field: 'fraction', type: 'quantitative', title: 'fraction of msyncs', scale: { domain: [0, 1], padding: pad }, axis: { tickCount: 5, format: '.1f' } };
    if (merged.any) notes.push(`configurations with identical CDFs share one curve (${merged.series.filter((x) => x.members.length > 1).map((x) => x.label).join('; ')})`);
    return [{
      name: 'latency-cdf',
      family: 'latency-cdf',
      title: 'msync latency CDF',
      caption: `Empirical CDF of the latency of ${count(total)} successful msyncs issued after the warm-up, per configuration; `
        + `markers are p50, p99 and p99.9 from summary.json.${seeds}${notes.length ? ` ${notes.join('; ')}.` : ''}`,
      cells: { x: 1, y: 1 },
      height: (w) => figureHeight(ctx, w, labels, note),
      spec: (cw, ch) => ({
        ...ctx.base(),
        ...(note ? { title: note } : {}),
        width: cw,
        height: ch,
        layer: [
          {
            data: { values: curve },
            mark: { type: 'line', interpolate: 'step-after', clip: true },
            encoding: { x: { ...x, axis: logAxisAcross(ctx.theme.fontSize.label, domain, cw - 2 * pad) }, y, color, tooltip: labelTooltip('config', 'configuration') },
          },
          ...(shown.length === 0 ? [] : [{
            data: { values: marks },
            mark: { type: 'point', filled: true, size: ctx.theme.pointSize * 1.5, stroke: 'white', strokeWidth: 0.5, opacity: 1 },
            encoding: {
              x: { field: 'latency_us', type: 'quantitative' },
              y: { field: 'fraction', type: 'quantitative' },
              color,
              tooltip: labelTooltip('config', 'configuration', { field: 'percentile', type: 'nominal' }, { field: 'latency_us', type: 'quantitative', title: 'µs' }),
              shape: {
                field: 'percentile', type: 'nominal', title: null,
                scale: { domain: shown.map((m) => m.label), range: shown.map((m) => m.shape) },
                // beside the plot, not in it: inside it covered the slowest configuration's curve (bottom right)
                legend: {
                  title: null, orient: 'right', direction: 'vertical', symbolFillColor: '#555555', symbolStrokeColor: '#555555',
                  padding: 0, offset: 4, rowPadding: 0,
                },
              },
            },
          }]),
        ],
      }),
    }];
  },
};

/**
 * Pairs of curves (their labels and summary p50, p99) drawn nearly over one another: p50 and p99
 * each within 2 % of the other's, as `a and b`; the later one of a pair is hidden under the
 * earlier where they coincide.
 */
export function coincidingCurves(curves: readonly { label: string; p50: number | null; p99: number | null }[]): string[] {
  const near = (x: number | null, y: number | null) => x !== null && y !== null && Math.abs(x - y) <= 0.02 * Math.max(x, y);
  const pairs: string[] = [];
  for (let i = 0; i < curves.length; i++) {
    for (let j = i + 1; j < curves.length; j++) {
      const a = curves[i]!, b = curves[j]!;
      if (a.label !== b.label && near(a.p50, b.p50) && near(a.p99, b.p99)) pairs.push(`${a.label} and ${b.label}`);
    }
  }
  return pairs;
}
