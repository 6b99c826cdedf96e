/**
 * Sync latency against pages written per msync: every msync as a point, or,
 * when there are many, bins sized by how many msyncs they hold.
 */
import { configLegend, count, COUNT_LABELS, figureHeight, figureNote, fitLogDomain, labelTooltip, markPadding, planAxis, planLogAxis, plotBound, type Chart, type ChartContext, type ChartModule, LOWEST_SEED_NOTE } from '../chart.ts';
import { colorOf, drawnAlike, drawnResolution, mergeIdentical, mergedNote, resolutionText, styleOf, type DrawnMark } from '../series.ts';
import { LATENCY_BINS_PER_DECADE, SCATTER_LIMIT } from '../reduce.ts';
import { CONFIG_SHAPES } from '../theme.ts';
import { noMsyncNote } from '../no-msync.ts';
import { runsWithFile } from '../missing-files.ts';
import { latencyUnit } from '../duration-unit.ts';

/** Points are drawn translucent (overlaps darker) from this many msyncs; fewer are drawn nearly opaque. */
export const FAINT_FROM = 100;

/** The fullest density bin's circle is this many times a scatter point's area; a bin of one msync is a scatter point's size. */
export const BIN_AREA_RANGE = 12;

/** The counts the size legend of density bins shows: 1, then multiples of a 1-2-5 step (about a third of `fullest`) up to it. */
export function binLegendValues(fullest: number): number[] {
  const raw = fullest / 3;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw)!;
  const values = [1];
  for (let v = step; v <= fullest; v += step) if (v > 1) values.push(Math.round(v));
  return values;
}

/** The latencies of a scatter point or density bin (µs), divided into the unit the figure draws them in. */
const LATENCY_FIELDS = ['latency_us', 'latency_lo', 'latency_hi', 'latency_min', 'latency_max'] as const;

/** The `latency-vs-pages` chart. */
export const latencyVsPages: ChartModule = {
  name: 'latency-vs-pages',
  summary: 'msync latency vs pages written per msync (scatter; density bins when points are many)',
  perRun: true,
  async build(ctx: ChartContext): Promise<Chart[]> {
    const per = ctx.perRun();
    if ('skip' in per) return [];
    const sel = { runs: runsWithFile(ctx, 'latency-vs-pages', 'syncs.csv', per.runs) };
    if (sel.runs.length === 0) return [];
    const stats = [];
    for (const { config, run } of sel.runs) stats.push({ config, s: await ctx.syncStats(run) });
    const dense = stats.some(({ s }) => s.points === null);
    let rows: Record<string, number | string>[] = [];
    let zero = 0, drawn = 0;
    for (const { config, s } of stats) {
      zero += s.zero;
      if (dense) for (const b of s.bins) rows.push({ config: config.label, ...b });
      else for (const p of s.points!) rows.push({ config: config.label, ...p });
      drawn += s.n - s.zero;
    }
    // drawn in the unit the latencies read best in on a log axis, as latency-cdf and latency-percentiles draw them
    // (3,220 to 3,970 µs: 3.22 to 3.97 ms): every latency of a row divided into it, the drawn one's field named for it
    const unit = latencyUnit(rows.map((r) => r.latency_us as number));
    const div = unit.div;
    if (div !== 1) {
      for (const r of rows) for (const k of LATENCY_FIELDS) if (typeof r[k] === 'number') r[k] = (r[k] as number) / div;
    }
    const field = unit.field('latency');
    const lats = rows.map((r) => r.latency_us as number);
    // no successful msync anywhere: the report says why (40 msyncs, all returned EBUSY), as --chart latency-vs-pages does
    if (lats.length === 0 && zero === 0) {
      ctx.notes.push(noMsyncNote('latency-vs-pages', sel.runs.map(({ config, run }) => ({ config, runs: [run] }))));
      return [];
    }
    if (lats.length === 0) {
      ctx.notes.push('latency-vs-pages: every msync took 0 µs; not drawn.');
      return [];
    }
    // the data's extent (and a floor below it for 0 µs msyncs), not rounded out to 1-2-5 steps that left the points in a corner
    // labels at or below the fastest and at or above the slowest (a top label of 1,000 over msyncs of 9,000 µs), the
    // floor of 0 µs msyncs unlabelled below them; planned on about the plot's height, thinned on the plot drawn
    const padY = markPadding(ctx.theme.pointSize * (stats.some(({ s }) => s.points === null) ? BIN_AREA_RANGE : 1));
    const plan = planLogAxis(fitLogDomain(Math.min(...lats), Math.max(...lats), zero > 0), Math.min(...lats), Math.max(...lats), plotBound(ctx).height * 0.8 - 2 * padY, ctx.theme.fontSize.label, { skipFloor: zero > 0 });
    const domain = plan.domain;
    // msyncs of 0 µs cannot sit on a log axis: drawn at its floor, one mark per pages written
    for (const { config, s } of stats) {
      for (const z of s.zeroPages) {
        rows.push(dense
          ? { config: config.label, pages: z.pages, pages_lo: z.pages, pages_hi: z.pages, pages_min: z.pages, pages_max: z.pages, latency_us: domain[0], latency_lo: domain[0], latency_hi: domain[0], latency_min: 0, latency_max: 0, count: z.count }
          : { config: config.label, pages: z.pages, latency_us: domain[0] });
      }
    }
    // pages from 0 unless every msync wrote many (then from the fewest); the widest mark fits inside the frame
    const pages = rows.map((r) => r.pages as number);
    const minPages = Math.min(...pages), topPages = Math.max(...pages);
    const fromPages = minPages <= topPages * 0.25 ? 0 : minPages;
    const xDomain = fromPages < topPages ? [fromPages, topPages] : [fromPages - 1, topPages + 1];
    // the fullest bin, whose circle is BIN_AREA_RANGE times a point's (2 when every bin holds one msync: a scale of one value has no width)
    const most = dense ? Math.max(...rows.map((r) => r.count as number)) : 1;
    const fullest = Math.max(2, most);
    // each configuration's marks as drawn (px on the largest plot the figure can have): a circle's centre, and a bin's radius
    const bound = plotBound(ctx);
    const xPx = (v: number) => ((v - xDomain[0]) / (xDomain[1] - xDomain[0])) * bound.width;
    const yPx = (v: number) => (domain[1] > domain[0] ? (Math.log(v / domain[0]) / Math.log(domain[1] / domain[0])) * bound.height : 0);
    const radius = (n: number) => Math.sqrt((ctx.theme.pointSize * (1 + ((n - 1) * (BIN_AREA_RANGE - 1)) / (fullest - 1))) / Math.PI);
    const marksOf = (label: string): DrawnMark[] => {
      const own = rows.filter((r) => r.config === label);
      // bins by their cell (pages and latency bounds), points in order of pages and latency: a point matched to the other's nearest
      if (dense) return own.map((r) => ({ key: `${r.pages_lo}:${r.latency_lo}`, px: [xPx(r.pages as number), yPx(r.latency_us as number), radius(r.count as number)] })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return own.map((r) => [r.pages as number, r.latency_us as number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([p, l]) => ({ key: '', px: [xPx(p), yPx(l)] }));
    };
    // configurations with identical points, or drawn less than the figure's resolution apart: one series, named `a = b`
    const tol = drawnResolution(ctx.theme);
    const merged = mergeIdentical(stats.filter(({ config }) => rows.some((r) => r.config === config.label)).map(({ config }) => ({
      // its look of the report (a kernel's several configurations: its colour, told apart by shape), as every chart draws it
      label: config.label, color: colorOf(ctx.colors, config.label), style: styleOf(ctx.colors, config.label),
      data: rows.filter((r) => r.config === config.label).map((r) => Object.values(r).slice(1)),
      drawn: marksOf(config.label),
    })), { alike: (a, b) => drawnAlike(a as DrawnMark[], b as DrawnMark[], tol), apart: resolutionText(ctx.theme) });
    rows = rows.filter((r) => merged.lead(r.config as string) !== undefined).map((r) => ({ ...r, config: merged.lead(r.config as string)! }));
    // the msyncs drawn: a configuration joined to another's series is drawn once, as that one
    drawn = stats.filter(({ config }) => merged.lead(config.label) !== undefined).reduce((n, { s }) => n + s.n - s.zero, 0);
    const maxPages = Math.max(...stats.map(({ s }) => s.maxPages));
    const pad = markPadding(dense ? ctx.theme.pointSize * BIN_AREA_RANGE : ctx.theme.pointSize);
    const legend = configLegend(ctx, merged.scale.domain);
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: merged.scale, legend: legend && { ...legend, symbolOpacity: 1 } };
    const note = figureNote(ctx, [
      // coloured by their place though of several kernels: the figure says so
      ctx.colors.byPlace ?? '',
      ctx.results.kind === 'sweep' ? LOWEST_SEED_NOTE : '',
      zero ? `${count(zero)} msync${zero === 1 ? '' : 's'} of 0 µs drawn at the axis floor` : '',
      mergedNote(merged, 'msyncs (latency and pages)', ctx.results.configTitle),
    ]);
    const x = {
      field: 'pages', type: 'quantitative', title: 'pages written by the msync',
      scale: { domain: xDomain, nice: false, zero: false, padding: pad },
      // whole pages, labelled in full and comma-grouped as every count axis of the report (1,000, not 1000)
      axis: { tickMinStep: 1, tickCount: Math.min(6, maxPages + 1), ...COUNT_LABELS },
    };
    const y = {
      field, type: 'quantitative', title: unit.title,
      scale: { type: 'log', domain, nice: false, padding: pad },
    };
    // translucent points show where many msyncs overlap; a few would be too faint to see
    const faint = drawn >= FAINT_FROM;
    // several configurations' points: hollow, a shape each, so that points two of them share show both
    const shaped = !dense && merged.scale.domain.length > 1;
    // density bins of configurations that share a colour (a kernel's several): each in its look's shape, filled, as its
    // dots in latency-percentiles and its swatch in index.html (until 2026-12-07 all were circles, told apart by nothing)
    const binShapes = dense && merged.varied;
    const caption = (dense
      ? `Successful msyncs after the warm-up binned by pages written and latency (${LATENCY_BINS_PER_DECADE} bins per decade); each circle stands where its msyncs are, at their mean pages written and geometric-mean latency, `
        + `and its area grows with the number of msyncs in its bin, from a dot of ${ctx.theme.pointSize} px² for one msync to ${ctx.theme.pointSize * BIN_AREA_RANGE} px² for the fullest bin`
        + ` (more than ${count(SCATTER_LIMIT)} msyncs in a run)${binShapes ? '; configurations of one colour (one kernel) are told apart by the shape of their bins' : ''}`
      : `Each successful msync after the warm-up: its latency against the pages it wrote (syncs.csv)${faint ? '; darker points are overlapping msyncs' : ''}${shaped ? '; each configuration has a shape of its own, hollow, so that points of several show through one another' : ''}`)
      + `. ${count(drawn)} msyncs of positive latency drawn`
      + (zero ? `; ${count(zero)} that took 0 µs cannot sit on the log axis and ${zero === 1 ? 'is' : 'are'} drawn at its floor${dense ? '' : ', one point per number of pages'}` : '')
      + (ctx.results.kind === 'sweep' ? '; each configuration is drawn from its lowest-seed run' : '') + '.';
    const mark = dense
      ? { type: binShapes ? 'point' : 'circle', ...(binShapes ? { filled: true } : {}), opacity: 0.55, stroke: 'white', strokeWidth: 0.3 }
      : shaped
        ? { type: 'point', filled: false, strokeWidth: 1.3, opacity: faint ? 0.45 : 0.9, size: ctx.theme.pointSize * 1.3 }
        : { type: 'circle', opacity: faint ? 0.3 : 0.8, size: ctx.theme.pointSize };
    const shape = shaped
      ? { shape: { field: 'config', type: 'nominal', title: 'configuration', scale: { domain: merged.scale.domain, range: merged.scale.domain.map((_, i) => CONFIG_SHAPES[i % CONFIG_SHAPES.length]) }, legend: color.legend } }
      : binShapes
        ? { shape: { field: 'config', type: 'nominal', title: 'configuration', scale: merged.shapes, legend: color.legend } }
        : {};
    const encoding: Record<string, unknown> = {
      x, y, color, ...shape,
      // not the latency: a 0 µs msync is drawn at the axis floor, and its tooltip would give the floor's value
      tooltip: labelTooltip('config', 'configuration', { field: 'pages', type: 'quantitative', title: 'pages' }, ...(dense ? [{ field: 'count', type: 'quantitative', title: 'msyncs' }] : [])),
    };
    if (dense) {
      encoding.size = {
        field: 'count', type: 'quantitative', title: 'msyncs',
        // a bin of one msync is as large as a scatter point, never a speck: the area grows linearly from there to the fullest bin's
        scale: { type: 'linear', zero: false, domain: [1, fullest], range: [ctx.theme.pointSize, ctx.theme.pointSize * BIN_AREA_RANGE] },
        // the legend's sizes are bins that can be drawn: 1 msync and round counts up to the fullest (not 0, which no bin holds)
        legend: { title: 'msyncs per bin', orient: 'bottom', symbolFillColor: '#777777', symbolStrokeColor: '#777777', values: binLegendValues(most) },
      };
    }
    return [{
      name: 'latency-vs-pages',
      family: 'latency-vs-pages',
      title: 'msync latency vs pages written',
      caption,
      cells: { x: 1, y: 1 },
      height: (w) => figureHeight(ctx, w, merged.scale.domain, note, dense ? ctx.theme.fontSize.label * 3 : 0),
      spec: (cw, ch) => ({ ...ctx.base(), ...(note ? { title: note } : {}), width: cw, height: ch, data: { values: div === 1 ? rows : rows.map(({ latency_us, ...r }) => ({ ...r, [field]: latency_us })) }, mark, encoding: { ...encoding, y: { ...y, axis: planAxis(plan, ch - 2 * pad) } } }),
    }];
  },
};
