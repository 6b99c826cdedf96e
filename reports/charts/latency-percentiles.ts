/**
 * Percentile dots: msync latency p50, p99 and p99.9 per configuration on a
 * log axis; for a sweep, the mean over seeds with its 95 % confidence
 * interval. Dots, not bars: a bar on a log axis starts at an arbitrary
 * baseline and its length exaggerates differences.
 */
import { ciNote, configLegend, figureHeight, figureNote, labelTooltip, logDomain, markPadding, planLogAxis, plotBound, snapLogDomain, type Chart, type ChartContext, type ChartModule } from '../chart.ts';
import { configMetric } from '../data.ts';
import { failedCount } from '../failures.ts';
import { colorOf, drawnAlike, drawnResolution, mergeIdentical, repeatedLooksNote, resolutionText, styleOf, mergedNote, type DrawnMark } from '../series.ts';
import { fewestMsyncs, runsWithMsyncs, tailNote } from '../tail-note.ts';
import { PERCENTILE_MARKS } from '../theme.ts';
import { msyncOutcome, noMsyncNote } from '../no-msync.ts';
import { narrowLogAxis } from '../narrow-log-ticks.ts';
import { latencyUnit } from '../duration-unit.ts';

/** One dot. */
interface Dot {
  config: string;
  percentile: string;
  /** Where it is drawn: the value, or the axis floor for 0 µs. */
  latency_us: number;
  /** The value itself. */
  value_us: number;
  /** 1 when the value is 0 µs, drawn at the axis floor. */
  clamped: number;
  /** The CI's ends as drawn (the lower one cut at the axis floor when it reaches 0 µs or below). */
  lo: number | null;
  hi: number | null;
  /** The CI's lower end as computed, mean − ci95 (may be ≤ 0). */
  ci_lo: number | null;
  /** 1 when the CI's lower end reaches 0 µs or below and is cut at the axis floor (marked by a triangle there). */
  lo_cut: number;
  n: number;
}

/** The `latency-percentiles` chart. */
export const latencyPercentiles: ChartModule = {
  name: 'latency-percentiles',
  summary: 'msync latency p50/p99/p99.9 dots per configuration (log y), CI95 error bars across seeds (sweeps)',
  async build(ctx: ChartContext): Promise<Chart[]> {
    let dots: Dot[] = [];
    const { results } = ctx;
    const sweep = results.kind === 'sweep';
    let fromRuns = false;
    let nMin = Infinity, nMax = 0;
    for (const config of results.configurations) {
      for (const m of PERCENTILE_MARKS) {
        const st = configMetric(results, config, `sync.latency_us.${m.key}`);
        if (st.mean === null || st.mean < 0) continue;
        if (st.source === 'runs' && sweep) fromRuns = true;
        const ci = sweep && st.ci95 !== null ? st.ci95 : null;
        // n over every configuration drawn, those with one seed (no CI) too
        nMin = Math.min(nMin, st.n);
        nMax = Math.max(nMax, st.n);
        dots.push({
          config: config.label, percentile: m.label, latency_us: st.mean, value_us: st.mean, clamped: 0,
          lo: ci === null ? null : st.mean - ci, hi: ci === null ? null : st.mean + ci, ci_lo: ci === null ? null : st.mean - ci, lo_cut: 0, n: st.n,
        });
      }
    }
    // configurations with no latency to draw (no successful msync after the warm-up): named with why, in the figure, or,
    // when none has one, in the report's notes, as --chart latency-percentiles says (40 msyncs, all returned EBUSY)
    const none = results.configurations.filter((c) => c.runs.length > 0 && !dots.some((d) => d.config === c.label));
    if (dots.length === 0) {
      if (none.length) ctx.notes.push(noMsyncNote('latency-percentiles', none.map((config) => ({ config, runs: config.runs }))));
      return [];
    }
    // drawn in the unit the values read best in on a log axis (99,700 to 107,000 µs: 99.7 to 107 ms), every value and
    // CI end divided into it from here on (the value's and the drawn latency's fields named for it in the figure's data)
    const unit = latencyUnit(dots.flatMap((d) => [d.value_us, ...(d.lo !== null && d.lo > 0 ? [d.lo] : []), ...(d.hi !== null ? [d.hi] : [])]));
    const div = unit.div, unitText = unit.unit;
    if (div !== 1) {
      for (const d of dots) {
        d.latency_us /= div;
        d.value_us /= div;
        if (d.lo !== null) d.lo /= div;
        if (d.hi !== null) d.hi /= div;
        if (d.ci_lo !== null) d.ci_lo /= div;
      }
    }
    const field = unit.field('latency'), valueField = unit.field('value');
    // a log axis over the positive values; 0 µs and error bars reaching below it are drawn at its floor
    // (the lowest value or error bar to the highest; a floor further down, below the lowest, for 0 µs values and bars
    // through 0; padded so the dots at the ends are whole)
    const positive = dots.filter((d) => d.value_us > 0);
    const lows = positive.flatMap((d) => (d.lo !== null && d.lo > 0 ? [d.value_us, d.lo] : [d.value_us]));
    const lowest = lows.length ? Math.min(...lows) : 1;
    const highest = positive.length ? Math.max(...positive.map((d) => Math.max(d.value_us, d.hi ?? 0))) : 10;
    const belowFloor = positive.length < dots.length || dots.some((d) => d.lo !== null && d.lo <= 0);
    // a decade or more: out to the 1-2-5 steps around it, so both ends carry a label; less: ends moved out to a 1-2-5 step
    // only when that widens them by at most 1.5 times (214-241 µs stays about that, not 200-500), the finer ticks labelling it
    const from = belowFloor ? lowest * 0.7 : lowest;
    const pad = markPadding(ctx.theme.pointSize * 2);
    // labels at or below the lowest value and at or above the highest (a run's p50 of 3,450 µs sat under labels of 4,000
    // and 5,000 only): the domain widened to them where the rules above leave a value beyond the last label; planned on
    // about the plot's height, thinned on the plot drawn
    const plan = planLogAxis(highest / from >= 10 || !(highest > from) ? logDomain(from, highest) : snapLogDomain([from, highest]), lowest, highest,
      plotBound(ctx).height * 0.8 - 2 * pad, ctx.theme.fontSize.label, { skipFloor: belowFloor });
    const [floor, ceil] = plan.domain;
    let cut = false;
    const zeros: string[] = [];
    for (const d of dots) {
      if (d.value_us === 0) {
        d.latency_us = floor;
        d.clamped = 1;
        zeros.push(`${d.config} ${d.percentile}`);
      }
      if (d.lo !== null && d.lo < floor) {
        d.lo = floor;
        d.lo_cut = 1;
        cut = true;
      }
      if (d.hi !== null && d.hi < floor) d.hi = floor;
    }
    // configurations with identical dots, or drawn less than the figure's resolution apart (each dot and its CI bar's
    // ends, in px on the largest plot the figure can have): one series, named `a = b`
    const bound = plotBound(ctx);
    const yPx = (v: number) => (ceil > floor ? (Math.log(v / floor) / Math.log(ceil / floor)) * bound.height : 0);
    const tol = drawnResolution(ctx.theme);
    const merged = mergeIdentical(results.configurations.filter((c) => dots.some((d) => d.config === c.label)).map((c) => ({
      label: c.label, color: colorOf(ctx.colors, c.label), style: styleOf(ctx.colors, c.label),
      data: dots.filter((d) => d.config === c.label).map((d) => [d.percentile, d.value_us, d.lo, d.hi]),
      drawn: dots.filter((d) => d.config === c.label).map((d): DrawnMark => ({
        // hollow (0 µs) or not, a bar or none, cut at the floor or not: drawn differently whatever the px
        key: `${d.percentile} ${d.clamped} ${d.lo === null ? '' : 'ci'} ${d.lo_cut}`,
        px: [yPx(d.latency_us), ...(d.lo === null || d.hi === null ? [] : [yPx(d.lo), yPx(d.hi)])],
      })),
    })), { alike: (a, b) => drawnAlike(a as DrawnMark[], b as DrawnMark[], tol), apart: resolutionText(ctx.theme) });
    dots = dots.filter((d) => merged.lead(d.config) !== undefined).map((d) => ({ ...d, config: merged.lead(d.config)! }));
    const labels = merged.scale.domain;
    const withCi = dots.some((d) => d.lo !== null);
    // error bars that end within their dot's radius on both sides (on the largest plot the figure can have) are drawn
    // but cannot be seen: the figure says which, so a tight CI is not read as none
    const radius = Math.sqrt((ctx.theme.pointSize * 2) / Math.PI);
    const hidden = dots.filter((d) => d.lo !== null && d.hi !== null && d.hi > d.lo
      && yPx(d.hi) - yPx(d.latency_us) < radius && yPx(d.latency_us) - yPx(d.lo) < radius);
    // seeds that gave one value everywhere: every interval 0 wide, no bar drawn (the note says so, and so does the caption)
    const noSpread = withCi && dots.every((d) => d.lo === null || d.lo === d.hi);
    const caption = (sweep
      ? `msync latency percentiles per configuration: the mean over seeds of each run's p50, p99 and p99.9 (summary.json)`
        + (noSpread ? '; the seeds gave the same value in every configuration, so the 95 % confidence interval of the mean is 0 wide and no error bars are drawn'
          : withCi ? `, with error bars for the 95 % confidence interval of the mean (Student t, ${fromRuns ? 'from the runs' : 'aggregate.csv'})` : '')
        + `.${cut ? ' Error bars whose lower end is 0 µs or below cannot reach it on a log axis: they are cut at the axis floor and end in a downward triangle there.' : ''}`
      : 'msync latency percentiles p50, p99 and p99.9 per configuration, from summary.json (successful msyncs after the warm-up).')
      + (zeros.length ? ` 0 µs cannot sit on a log axis: drawn as hollow dots at the axis floor (${zeros.join(', ')}).` : '')
      + (merged.any ? ` Configurations with identical percentiles${merged.near ? `, or drawn less than ${merged.apart} apart,` : ''} share one series (${merged.series.filter((s) => s.members.length > 1).map((s) => s.label).join('; ')}).` : '');
    // a tail percentile of fewer msyncs than 1 / (1 − q) is the largest msync, or next to it: the figure says so
    // (successful msyncs, the warm-up's included: the figure may say too little, never too much)
    const tail = tailNote(fewestMsyncs(results), ['p99', 'p999'], runsWithMsyncs(results));
    const note = figureNote(ctx, [
      // coloured by their place though of several kernels: the figure says so
      ctx.colors.byPlace ?? '',
      sweep ? ciNote(nMin, nMax, withCi ? 'bars' : null, 'configuration', noSpread) : '',
      failedCount(results),
      hidden.length ? hiddenBarsNote(hidden, dots.filter((d) => d.lo !== null && d.hi !== null && d.hi > d.lo).length) : '',
      tail,
      zeros.length ? 'hollow: 0 µs, drawn at the axis floor' : '',
      cut ? 'bars ending in a triangle reach 0 µs or below, cut at the axis floor' : '',
      mergedNote(merged, 'percentiles', ctx.results.configTitle),
      none.length ? `no percentiles of ${none.map((c) => `${c.label} (no successful msync: ${msyncOutcome(c.runs)})`).join('; ')}` : '',
      repeatedLooksNote(merged),
    ]);
    const x = { field: 'percentile', type: 'nominal', title: null, sort: PERCENTILE_MARKS.map((m) => m.label), scale: { paddingInner: 0.2, paddingOuter: 0.1 }, axis: { labelAngle: 0, ticks: false, grid: false } };
    const xOffset = { field: 'config', type: 'nominal', sort: labels, scale: { paddingOuter: 0.3 } };
    const legend = configLegend(ctx, labels);
    const color = { field: 'config', type: 'nominal', title: 'configuration', scale: merged.scale, legend };
    // from the ninth configuration on a shape besides its own colour (the colours past the eighth are not colour-blind-safe,
    // and past the sixteenth they repeat, the shape telling them apart): one legend, both
    const shape = merged.varied ? { shape: { field: 'config', type: 'nominal', title: 'configuration', scale: merged.shapes, legend } } : {};
    // every mark of a configuration (dot, CI bar, cut triangle, hollow centre) names it in full, with the value and its CI
    const tooltip = labelTooltip('config', 'configuration', { field: 'percentile', type: 'nominal' }, { field: valueField, type: 'quantitative', title: unitText },
      ...(withCi ? [{ field: 'ci_lo', type: 'quantitative', title: `CI low (${unitText})` }, { field: 'hi', type: 'quantitative', title: `CI high (${unitText})` }] : []));
    const y = { field, type: 'quantitative', title: unit.title, scale: { type: 'log', domain: [floor, ceil], nice: false, padding: pad } };
    return [{
      name: 'latency-percentiles',
      family: 'latency-percentiles',
      title: 'msync latency percentiles',
      caption,
      cells: { x: 1, y: 1 },
      height: (w) => figureHeight(ctx, w, labels, note),
      spec: (cw, ch) => ({
        ...ctx.base(),
        ...(note ? { title: note } : {}),
        width: cw,
        height: ch,
        data: { values: div === 1 ? dots : dots.map(({ latency_us, value_us, ...d }) => ({ ...d, [field]: latency_us, [valueField]: value_us })) },
        encoding: { x, xOffset },
        layer: [
          ...(withCi
            ? [{
              transform: [{ filter: 'datum.lo != null' }],
              mark: { type: 'rule' },
              encoding: { y: { field: 'lo', type: 'quantitative', scale: y.scale, title: y.title }, y2: { field: 'hi' }, color, tooltip },
            }]
            : []),
          ...(cut
            ? [{
              // a CI reaching 0 µs or below: a downward triangle at the floor, where its bar is cut, so the cut is not silent
              transform: [{ filter: 'datum.lo_cut == 1' }],
              mark: { type: 'point', shape: 'triangle-down', filled: true, size: ctx.theme.pointSize * 1.2, opacity: 1 },
              encoding: { y: { field: 'lo', type: 'quantitative' }, color, tooltip },
            }]
            : []),
          {
            mark: { type: 'point', filled: true, size: ctx.theme.pointSize * 2, opacity: 1 },
            // a span of less than a decade labelled at a round step's multiples, not at its two ends only (narrow-log-ticks.ts)
            encoding: { y: { ...y, axis: narrowLogAxis(plan, ch - 2 * pad) }, color, ...shape, tooltip },
          },
          ...(zeros.length
            ? [{
              // 0 µs: a hollow dot (a white centre on the coloured one) at the axis floor
              transform: [{ filter: 'datum.clamped == 1' }],
              mark: { type: 'point', filled: true, size: ctx.theme.pointSize * 0.7, opacity: 1, color: 'white' },
              encoding: { y: { field, type: 'quantitative' }, ...shape, tooltip },
            }]
            : []),
        ],
      }),
    }];
  },
};

/**
 * The note of error bars shorter than their dots (`hidden` of `withBars`): which ones, by percentile, or all of them,
 * with the widest of their CIs relative to its mean (a bar is hidden by a wide axis as much as by a tight CI).
 */
export function hiddenBarsNote(hidden: readonly { percentile: string; value_us: number; hi: number | null; ci_lo: number | null }[], withBars: number): string {
  const widest = Math.max(...hidden.map((d) => (d.value_us > 0 ? (d.hi! - d.ci_lo!) / 2 / d.value_us : 0)));
  const within = `each CI within ±${Number((widest * 100).toPrecision(2))} % of its mean`;
  if (hidden.length === withBars) return `every error bar is shorter than its dot and hidden under it (${within})`;
  const pcts = [...new Set(hidden.map((d) => d.percentile))];
  return `the error bars of ${hidden.length} of ${withBars} dots (${pcts.join(', ')}) are shorter than the dots and hidden under them (${within})`;
}
