/**
 * Sync latency CDF: the empirical distribution of msync latency per
 * configuration on a log latency axis, with p50, p99 and p99.9 marked.
 */
import { configLegend, count, figureHeight, NARROW_FIGURE, figureNote, fitLogDomain, labelTooltip, markPadding, planAxis, planLogAxis, plotBound, snapLogDomain, type Chart, type ChartContext, type ChartModule, LOWEST_SEED_NOTE } from '../chart.ts';
import { colorOf, drawnAlike, drawnResolution, mergeIdentical, mergedNote, resolutionText, dashLegend, sharedColourDash, sharesColour, stepCurvesAlike, styleOf, type DrawnMark } from '../series.ts';
import { PERCENTILE_MARKS } from '../theme.ts';
import { msyncOutcome, noMsyncNote } from '../no-msync.ts';
import { textWidth } from '../fonts.ts';
import { runsWithFile } from '../missing-files.ts';
import { latencyUnit } from '../duration-unit.ts';
import { tailNote } from '../tail-note.ts';

/** A percentile marker on a curve. */
interface Mark {
  config: string;
  percentile: string;
  latency_us: number;
  fraction: number;
  /** The p99 a merged `p99 ≈ p99.9` marker stands for too (its own latency is the p99.9). */
  p99_us?: number;
}

/** The legend entry and shape of one marker standing for a configuration's p99 and p99.9, too close to draw apart. */
export const MERGED_TAIL = { label: 'p99 ≈ p99.9', shape: 'diamond' } as const;

/**
 * The markers `marks` as drawn on a log x scale over `domain` `widthPx` wide: a configuration's
 * p99 and p99.9 whose markers would overlap (centres less than `apartPx` apart: their y differ by
 * under 1 % of the plot, so only x can part them) become one marker, {@link MERGED_TAIL}, at the
 * p99.9, with the p99 kept for its tooltip.
 */
export function mergeTailMarks(marks: readonly Mark[], domain: readonly [number, number], widthPx: number, apartPx: number): Mark[] {
  const px = (v: number) => (widthPx * Math.log(v / domain[0])) / Math.log(domain[1] / domain[0]);
  const out: Mark[] = [];
  for (const m of marks) {
    if (m.percentile !== 'p99.9') {
      if (m.percentile === 'p99' && marks.some((o) => o.config === m.config && o.percentile === 'p99.9' && Math.abs(px(o.latency_us) - px(m.latency_us)) < apartPx)) continue;
      out.push(m);
      continue;
    }
    const p99 = marks.find((o) => o.config === m.config && o.percentile === 'p99');
    out.push(p99 && Math.abs(px(m.latency_us) - px(p99.latency_us)) < apartPx ? { ...m, percentile: MERGED_TAIL.label, p99_us: p99.latency_us } : m);
  }
  return out;
}

/** The `latency-cdf` chart. */
export const latencyCdf: ChartModule = {
  name: 'latency-cdf',
  summary: 'msync latency CDF per configuration (log x), p50/p99/p99.9 marked',
  perRun: true,
  async build(ctx: ChartContext): Promise<Chart[]> {
    const per = ctx.perRun();
    if ('skip' in per) return [];
    const sel = { runs: runsWithFile(ctx, 'latency-cdf', 'syncs.csv', per.runs) };
    if (sel.runs.length === 0) return [];
    let curve: { config: string; latency_us: number; fraction: number }[] = [];
    let marks: Mark[] = [];
    const notes: string[] = [];
    const zeroShare = new Map<string, number>();
    let total = 0;
    const drawn: string[] = [];
    // the msyncs (after the warm-up) each drawn run's curve and markers rest on: what the tail note speaks of
    const drawnN: number[] = [];
    for (const { config, run } of sel.runs) {
      const s = await ctx.syncStats(run);
      total += s.n;
      for (const p of s.cdf) curve.push({ config: config.label, ...p });
      for (const m of PERCENTILE_MARKS) {
        const v = run.summary.sync.latency_us[m.key];
        if (v !== null && v > 0) marks.push({ config: config.label, percentile: m.label, latency_us: v, fraction: m.q });
      }
      if (s.zero > 0) {
        notes.push(`${config.label}: ${count(s.zero)} of ${count(s.n)} msync${s.n === 1 ? '' : 's'} took 0 µs, drawn at the axis floor`);
        zeroShare.set(config.label, s.zero / s.n);
      }
      if (s.n === 0) notes.push(`${config.label}: no successful msync (${msyncOutcome([run])})`);
      else {
        drawn.push(config.label);
        drawnN.push(s.n);
      }
    }
    // nothing to draw: the report says why (40 msyncs, all returned EBUSY), as --chart latency-cdf does
    if (drawn.length === 0) {
      ctx.notes.push(noMsyncNote('latency-cdf', sel.runs.map(({ config, run }) => ({ config, runs: [run] }))));
      return [];
    }
    // every msync took 0 µs: a log axis has nothing to spread, the curve would be a bare line along the top
    if (curve.length === 0) {
      ctx.notes.push('latency-cdf: every msync took 0 µs; not drawn.');
      return [];
    }
    // drawn in the unit the values read best in on a log axis (95,700 to 107,000 µs: 95.7 to 107 ms; 50 µs to 1.5 s:
    // 0.05 to 1,500 ms), the curve's and markers' latencies divided into it from here on (their fields named for it
    // in the figure's data: latency_ms)
    const unit = latencyUnit([...curve.map((p) => p.latency_us), ...marks.map((m) => m.latency_us)]);
    const div = unit.div, unitText = unit.unit;
    if (div !== 1) {
      for (const p of curve) p.latency_us /= div;
      for (const m of marks) m.latency_us /= div;
    }
    const field = unit.field('latency');
    const lats = [...curve.map((p) => p.latency_us), ...marks.map((m) => m.latency_us)];
    // the data's extent (a floor below it for 0 µs msyncs); the scales are padded so the markers at 1.0 and the ends are whole
    const pad = markPadding(ctx.theme.pointSize * 1.5);
    // labels at or below the fastest msync and at or above the slowest (the floor of 0 µs msyncs unlabelled below them),
    // planned on about the plot's width (the figure less the y axis and the markers' legend), thinned on the plot drawn
    const plan = planLogAxis(lats.length ? snapLogDomain(fitLogDomain(Math.min(...lats), Math.max(...lats), zeroShare.size > 0)) : [1, 10], Math.min(...lats), Math.max(...lats),
      ctx.width - 60 - 2 * pad - (ctx.width < NARROW_FIGURE ? 0 : 50), ctx.theme.fontSize.label, { across: true, skipFloor: zeroShare.size > 0 });
    const domain: [number, number] = plan.domain;
    // msyncs of 0 µs cannot sit on a log axis: the curve rises to their share at the axis floor
    curve = drawn.flatMap((config) => {
      const own = curve.filter((p) => p.config === config);
      const share = zeroShare.get(config);
      if (share === undefined) return own;
      return [{ config, latency_us: domain[0], fraction: share }, ...(own.length ? own : [{ config, latency_us: domain[1], fraction: share }])];
    });
    // configurations with identical curves, or drawn less than the figure's resolution apart (curves and markers, in px
    // on the largest plot the figure can have): one line, named `a = b`
    const bound = plotBound(ctx);
    const xPx = (v: number) => (domain[1] > domain[0] ? (Math.log(v / domain[0]) / Math.log(domain[1] / domain[0])) * bound.width : 0);
    const tol = drawnResolution(ctx.theme);
    type Drawn = { curve: [number, number][]; marks: DrawnMark[] };
    const merged = mergeIdentical(drawn.map((label) => ({
      label, color: colorOf(ctx.colors, label), style: styleOf(ctx.colors, label),
      data: [curve.filter((p) => p.config === label).map((p) => [p.latency_us, p.fraction]), marks.filter((m) => m.config === label).map((m) => [m.percentile, m.latency_us])],
      drawn: {
        curve: curve.filter((p) => p.config === label).map((p): [number, number] => [xPx(p.latency_us), p.fraction * bound.height]),
        marks: marks.filter((m) => m.config === label).map((m) => ({ key: m.percentile, px: [xPx(m.latency_us), m.fraction * bound.height] })),
      },
    })), {
      alike: (a, b) => stepCurvesAlike((a as Drawn).curve, (b as Drawn).curve, tol) && drawnAlike((a as Drawn).marks, (b as Drawn).marks, tol),
      apart: resolutionText(ctx.theme),
    });
    curve = curve.filter((p) => merged.lead(p.config) !== undefined).map((p) => ({ ...p, config: merged.lead(p.config)! }));
    marks = marks.filter((p) => merged.lead(p.config) !== undefined).map((p) => ({ ...p, config: merged.lead(p.config)! }));
    const labels = merged.scale.domain;
    // p99 and p99.9 markers (symbols of `size` px² in a square box) without a marker's width between them: one marker for both
    const size = ctx.theme.pointSize * 1.5;
    const apart = 2 * Math.sqrt(size) + 1;
    // the markers' legend: beside the plot, or in a small multiple under it, in as many rows as its entries need
    // (the entries as drawn on a plot of the figure less its y axis, about what the layout gives it)
    const label = ctx.theme.fontSize.label;
    const under = ctx.width < NARROW_FIGURE;
    const guess = mergeTailMarks(marks, domain, ctx.width - 60 - 2 * pad, apart);
    const entries = [...PERCENTILE_MARKS.map((m) => m.label as string), MERGED_TAIL.label].filter((l) => guess.some((m) => m.percentile === l));
    const underColumns = legendGridColumns(entries.map((l) => textWidth(l, label) + label * 2.2), ctx.width - 2 * ctx.theme.padding - 45);
    const underHeight = under && entries.length ? Math.ceil(entries.length / underColumns) * (label * 1.25 + 1) + label : 0;
    // beside the plot, the markers' legend at least as wide as its offset, a symbol, vega's label offset and its
    // widest label: the configurations' legend above may reach over it (it was cut at the plot's width, `freebsd,
    // sata-…` with room to spare)
    const beside = !under && entries.length ? Math.floor(8 + Math.sqrt(ctx.theme.pointSize * 2) + Math.max(...entries.map((l) => textWidth(l, label)))) : 0;
    const seeds = ctx.results.kind === 'sweep' ? ' Each configuration is drawn from its lowest-seed run.' : '';
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: merged.scale, legend: sharesColour(merged) ? dashLegend(configLegend(ctx, labels)) : configLegend(ctx, labels) };
    // curves of one kernel's colour told apart by their dash, in the colour's legend
    const dash = sharedColourDash(merged, 'config', 'configuration', color.legend);
    // curves not identical but drawn over one another: the one below would be lost without a word
    const close = coincidingCurves(sel.runs.filter(({ config }) => merged.lead(config.label) !== undefined).map(({ config, run }) => ({
      label: merged.lead(config.label)!, p50: run.summary.sync.latency_us.p50, p99: run.summary.sync.latency_us.p99,
    })));
    const note = figureNote(ctx, [
      // coloured by their place though of several kernels: the figure says so
      ctx.colors.byPlace ?? '',
      ctx.results.kind === 'sweep' ? LOWEST_SEED_NOTE : '',
      close.length ? `${close.slice(0, 2).join('; ')}${close.length > 2 ? '; ...' : ''}: nearly on one another (p50 and p99 within 2 %)` : '',
      zeroShare.size ? '0 µs msyncs drawn at the axis floor' : '',
      mergedNote(merged, 'msync latencies', ctx.results.configTitle),
      // a tail marker of too few msyncs is the largest msync or next to it, as the percentiles chart says too
      // of the runs drawn (a sweep's lowest seeds), counted after the warm-up as the caption counts them
      tailNote(Math.min(...drawnN), marks.map((m) => (m.percentile === 'p99.9' ? 'p999' : m.percentile)), drawnN.length),
    ]);
    const x = { field, type: 'quantitative', title: unit.title, scale: { type: 'log', domain, nice: false, padding: pad } };
    const y = { field: 'fraction', type: 'quantitative', title: 'fraction of msyncs', scale: { domain: [0, 1], padding: pad }, axis: { tickCount: 5, format: '.1f' } };
    if (merged.any) notes.push(`configurations with identical CDFs${merged.near ? `, or drawn less than ${merged.apart} apart,` : ''} share one curve (${merged.series.filter((x) => x.members.length > 1).map((x) => x.label).join('; ')})`);
    return [{
      name: 'latency-cdf',
      family: 'latency-cdf',
      title: 'msync latency CDF',
      caption: `Empirical CDF of the latency of ${count(total)} successful msyncs issued after the warm-up, per configuration; `
        + `markers are p50, p99 and p99.9 from summary.json (a configuration's p99 and p99.9 too close to be told apart share one marker, ${MERGED_TAIL.label}).${seeds}${notes.length ? ` ${notes.join('; ')}.` : ''}`,
      cells: { x: 1, y: 1 },
      besidePlot: beside,
      height: (w) => figureHeight(ctx, w, labels, note, underHeight),
      spec: (cw, ch) => {
        const drawnMarks = mergeTailMarks(marks, domain, cw - 2 * pad, apart);
        const merges = drawnMarks.some((m) => m.p99_us !== undefined);
        // the legend lists only the percentile markers drawn (none of a 0 µs percentile)
        const shown = [...PERCENTILE_MARKS.map((m) => ({ label: m.label as string, shape: m.shape as string })), MERGED_TAIL].filter((m) => drawnMarks.some((x) => x.percentile === m.label));
        return {
          ...ctx.base(),
          ...(note ? { title: note } : {}),
          width: cw,
          height: ch,
          layer: [
            {
              data: { values: div === 1 ? curve : curve.map((p) => ({ config: p.config, [field]: p.latency_us, fraction: p.fraction })) },
              mark: { type: 'line', interpolate: 'step-after', clip: true },
              encoding: { x: { ...x, axis: planAxis(plan, cw - 2 * pad) }, y, color, ...dash, tooltip: labelTooltip('config', 'configuration') },
            },
            ...(shown.length === 0 ? [] : [{
              data: { values: div === 1 ? drawnMarks : drawnMarks.map(({ latency_us, p99_us, ...m }) => ({ ...m, [field]: latency_us, ...(p99_us === undefined ? {} : { [unit.field('p99')]: p99_us }) })) },
              mark: { type: 'point', filled: true, size, stroke: 'white', strokeWidth: 0.5, opacity: 1 },
              encoding: {
                x: { field, type: 'quantitative' },
                y: { field: 'fraction', type: 'quantitative' },
                color,
                tooltip: labelTooltip('config', 'configuration', { field: 'percentile', type: 'nominal' }, { field, type: 'quantitative', title: merges ? `${unitText} (p99.9 where merged)` : unitText },
                  ...(merges ? [{ field: unit.field('p99'), type: 'quantitative', title: `p99 (${unitText}), where merged` }] : [])),
                shape: {
                  field: 'percentile', type: 'nominal', title: null,
                  scale: { domain: shown.map((m) => m.label), range: shown.map((m) => m.shape) },
                  // beside the plot, not in it: inside it covered the slowest configuration's curve (bottom right);
                  // under it in a small multiple, where beside it took a third of the width
                  legend: {
                    title: null, symbolFillColor: '#555555', symbolStrokeColor: '#555555', padding: 0, rowPadding: 0,
                    ...(under ? { orient: 'bottom', direction: 'horizontal', columns: underColumns, offset: Math.round(label * 0.5) } : { orient: 'right', direction: 'vertical', offset: 4 }),
                  },
                },
              },
            }]),
          ],
        };
      },
    }];
  },
};

/** The most columns (at least 1) in which a legend grid of entries `widths` (px, in order, row by row) is at most `room` px wide. */
export function legendGridColumns(widths: readonly number[], room: number): number {
  for (let c = widths.length; c > 1; c--) {
    const columns = Array.from({ length: c }, (_, j) => Math.max(...widths.filter((_, i) => i % c === j)));
    if (columns.reduce((a, b) => a + b, 0) <= room) return c;
  }
  return 1;
}

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
