/**
 * Sweep lines: a metric against a swept numeric grid key, one line per
 * combination of the other grid keys, with the 95 % confidence interval of
 * the mean over seeds: error bars when the key has few values, a band when
 * it has many.
 */
import { failedCount } from '../failures.ts';
import { ciNote, count, figureHeight, plotBound, logDomain, logDomainClear, planAxis, planLogAxis, figureNote, labelLimit, wrapText, labelTooltip, legendColumns, type Chart, type ChartContext, type ChartModule } from '../chart.ts';
import { valueLabel, type SweepPoint } from '../data.ts';
import { missingValuesNote, noteValue, oneValueNotes } from '../sweep-notes.ts';
import { fileWords, keyAxis, keyShortTitle, legendKey, metricLabel, scaleTitle } from '../labels.ts';
import { distinctByCi, inYUnit, metricRows, type SweepRow } from '../sweep-rows.ts';
import { fewestMsyncs, runsWithMsyncs, tailNote } from '../tail-note.ts';
import { chartStyles, drawnAlike, drawnResolution, mergeIdentical, repeatedLooksNote, resolutionText, styleOf, type DrawnMark } from '../series.ts';
import { linearAxis, offZeroWords } from '../linear-axis.ts';
import { colourNote, kernelStyles } from '../kernel-looks.ts';
import { noLimitWord } from '../no-limit.ts';
import { dodgeLayout, isApart, sweepX, xAxisLabels, xText } from '../sweep-x.ts';

export { missingValuesNote } from '../sweep-notes.ts';
export { dodgeLayout, gridScale } from '../sweep-x.ts';

export { metricTitle } from '../labels.ts';

/** Most distinct x values drawn with error bars; more get a band (issue 17). */
export const MAX_ERROR_BAR_POINTS = 6;

/** The file name of the chart of `metric` vs `key`: `sweep-p99-vs-group-commit` (one dot left for the extension). */
export function sweepChartName(metric: string, key: string, metrics: readonly string[], keys: readonly string[]): string {
  return `sweep-${fileWords(metrics)[metrics.indexOf(metric)]}-vs-${fileWords(keys)[keys.indexOf(key)]}`;
}

/** One series as {@link mergeIdentical} judges it: its marks as drawn (px) and its rows (means and CIs). */
interface Drawn {
  series: string;
  rows: readonly SweepRow[];
  marks: DrawnMark[];
}

/**
 * Means spanning more than this factor (all positive) get a log y axis: on a
 * linear one the smallest would lie in the bottom twentieth of the plot, and
 * series that differ there by a tenth or more would be drawn as one line
 * (100 until 2026-12-06: a four-kernel sweep whose means spanned 81× drew
 * freebsd's 78.4 µs and linux's 70.4 µs, 20 seeds each, less than 0.25 pt
 * apart).
 */
export const LOG_Y_SPAN = 20;

/** The `sweep-line` charts (one per metric × numeric grid key). */
export const sweepLine: ChartModule = {
  name: 'sweep-line',
  summary: 'sweeps: each metric vs each swept numeric key, one line per other keys, CI95 bars or band (sweep-METRIC-vs-KEY)',
  async build(ctx: ChartContext): Promise<Chart[]> {
    const sweep = ctx.results.sweep;
    if (!sweep) return [];
    const labels = ctx.results.labels;
    const charts: Chart[] = [];
    for (const key of sweep.numericKeys) {
      const ki = sweep.keys.indexOf(key);
      const xs = new Set(sweep.points.map((p) => Number(p.values[ki])));
      if (xs.size < 2) {
        // --configs chose grid points of one value of the key: no chart against it, and the report says so
        if (ctx.results.chosen && xs.size === 1) ctx.notes.push(...oneValueNotes(sweep.metrics.map((m) => sweepChartName(m, key, sweep.metrics, sweep.keys)), key, [...xs][0]!, labels));
        continue;
      }
      // byte counts in a binary unit and times from 1,000 of their unit in a larger one (MiB, ms): the axis's unit
      // in the unit the key has in every figure of the report (over the whole grid's values, --configs or not)
      const xAxis = keyAxis(key, sweep.gridValues[ki]!.map(Number), labels);
      // a 0 that means no limit (memory.pages 0: unlimited) is no quantity: drawn apart at the right, by its word
      const word = noLimitWord(key, 0);
      const xOfPoint = (p: SweepPoint) => Number(p.values[ki]) / xAxis.div;
      const others = sweep.keys.map((_, i) => i).filter((i) => i !== ki);
      // the other keys as the legend names them: a time or byte count in the x axis's unit (or its own axis's), never µs
      // beside an axis of ms
      const legendKeys = others.map((i) => legendKey(sweep.keys[i]!, sweep.gridValues[i]!, labels));
      const seriesOf = (values: string[]) => (others.length ? others.map((i, j) => legendKeys[j]!.text(valueLabel(values[i]!))).join(', ') : 'all');
      const seriesTitle = others.length ? legendKeys.map((k) => k.title).join(', ') : 'series';
      const allSeries = [...new Set(sweep.points.map((p) => seriesOf(p.values)))];
      // a line looks like its first configuration (`linux` as `linux, 8` in the per-run charts), unless an earlier
      // line does or its colour is already used by its share of the lines (4 kernels × 8 values: configurations 1, 9,
      // 17, 25); fixed over every line of the grid, so that a line looks the same in the chart of every metric,
      // whichever lines that chart has (until 2026-12-06 a chart without some lines gave the others their colours)
      // Lines of several kernels are drawn in their kernel's colour (kernel-looks.ts), as in every other chart.
      // (with --configs, its first configuration in the whole grid while the report keeps every configuration's colour,
      // so that a line keeps its colour of the full report; until 2026-12-07 its first chosen one's)
      // (the colour scale holds every configuration chosen, so every line of the chart is among these)
      const inScale = new Set(ctx.colors.domain);
      const scaled = (sweep.gridPoints ?? sweep.points).filter((p) => inScale.has(p.config.label));
      const firstPoint = (s: string) => scaled.find((p) => seriesOf(p.values) === s)!;
      // the looks are given to every line of the grid (with --configs, those of the configurations the colour scale
      // holds) and the chart's lines take theirs, so that a line moved off a colour an earlier line has keeps its move
      // when that line is not chosen (review 196)
      const lookSeries = [...new Set(scaled.map((p) => seriesOf(p.values)))];
      const pi = sweep.keys.indexOf('personality');
      const kernelItems = others.includes(pi)
        ? lookSeries.map((s) => ({ personality: firstPoint(s).values[pi], others: others.filter((i) => i !== pi).map((i) => firstPoint(s).values[i]!) }))
        : [];
      const byKernel = kernelItems.length ? kernelStyles(kernelItems) : undefined;
      // lines of several kernels coloured by their place: the figure says so
      const byPlace = colourNote(kernelItems, 'lines');
      const styles = byKernel ?? chartStyles(lookSeries.map((s) => styleOf(ctx.colors, firstPoint(s).config.label)));
      const lineStyles = new Map(styles.map((n, j) => [lookSeries[j]!, n]));
      for (const metric of sweep.metrics) {
        const collected = metricRows(ctx.results, sweep.points, metric, xOfPoint, seriesOf);
        let rows = collected.rows;
        const { withCi, fromRuns, spread, flat, nMin, nMax } = collected;
        // the x values and series that have data (the points whose runs all failed have none, nor those whose runs lack the metric)
        const X = sweepX([...new Set(rows.map((r) => r.x))], word);
        // the no-limit value's rows at its place apart; every row's x as the axis writes it (its tooltip)
        for (const r of rows) {
          if (X.apart && r.x === 0) Object.assign(r, { x: X.apart.at, apart: 1 });
          r.x_text = xText(X, r.x);
        }
        const sorted = X.ticks;
        const name = sweepChartName(metric, key, sweep.metrics, sweep.keys);
        const metricName = Object.hasOwn(labels, metric) ? labels[metric]! : metricLabel(metric).title;
        if (sorted.length < 2) {
          ctx.notes.push(`${name}: ${rows.length ? `${metricName} has a value at only one ${keyShortTitle(key, labels)} (${isApart(X, sorted[0]!) ? xText(X, sorted[0]!) : noteValue(xText(X, sorted[0]!), xAxis.unit)})` : `no run has a value of ${metricName} (${metric})`}; not drawn.`);
          continue;
        }
        const xOfRow = (p: SweepPoint) => (X.apart && xOfPoint(p) === 0 ? X.apart.at : xOfPoint(p));
        const withData = allSeries.filter((s) => rows.some((r) => r.series === s));
        // series without a value, or with gaps: the figure says which and why, so that a missing line is not read as one hidden under another
        const missing = missingValuesNote(allSeries, (s) => sweep.points.filter((p) => seriesOf(p.values) === s), (p) => rows.some((r) => r.series === seriesOf(p.values) && r.x === xOfRow(p)),
          xOfRow, metricName, keyShortTitle(key, labels), metric, xAxis.unit, X.apart);
        // geometric steps (1, 2, 4, 8 or 10, 100, 1000) get a log axis, and after a 0 a symlog one
        const xScale = X.scale;
        const bars = sorted.length <= MAX_ERROR_BAR_POINTS;
        // a metric that is 0 everywhere has nothing to compare: no chart of a flat line and a lone 0 tick
        if (rows.every((r) => r.mean === 0 && r.lo === 0 && r.hi === 0)) {
          ctx.notes.push(`${name}: ${metric} is 0 in every run; not drawn.`);
          continue;
        }
        // the y axis's unit and scale, the rows put in it; a CI cut at 0 where the metric cannot be negative
        const { unit, yName, factor, counts, clamped } = inYUnit(rows, metric, labels);
        // means more than two orders of magnitude apart, all positive: a log y axis, so the small series is not a flat line at 0;
        // a CI reaching 0 is cut at its floor
        const means = rows.map((r) => r.mean);
        // a fraction (device utilization, its label's scale drawing it in percent): a linear axis from 0, never a log one
        // nor one that starts above 0, ending at most at its whole (100 %), where a CI passing it is cut
        const whole = metricLabel(metric).scale !== undefined ? factor : undefined;
        const cutAtWhole = whole !== undefined && rows.some((r) => r.hi > whole);
        if (cutAtWhole) for (const r of rows) r.hi = Math.min(whole, r.hi);
        // a log axis holds every positive value drawn; a CI reaching 0 or below is cut at its floor, where a triangle marks it
        const positive = rows.flatMap((r) => [r.mean, r.lo, r.hi]).filter((v) => v > 0);
        // a count's log axis is labelled in whole numbers, which bracket its values only from 1 up: below, a linear one
        const logY = whole === undefined && Math.min(...means) > 0 && Math.max(...means) / Math.min(...means) > LOG_Y_SPAN && (!counts || Math.min(...positive) >= 1);
        const cutAtFloor = logY && rows.some((r) => r.lo <= 0);
        // the same value everywhere has no extent: an axis from half of it to half as much again, not a lone '5.000000' tick
        const flatAt = rows.every((r) => r.lo === rows[0].mean && r.hi === rows[0].mean) ? rows[0].mean : null;
        // series with identical results, or drawn less than the figure's resolution apart (each mean and CI end in px on
        // the largest plot the figure can have, over the values' extent, which the axis only widens): one line, named `a = b`
        const yLo = logY ? Math.min(...positive) : Math.min(...rows.map((r) => r.lo));
        // the values a linear y axis is drawn over (a flat line's: half of it to half as much again, 0 not added), by
        // which it starts at 0 or not; one that does not says so in the figure and the caption (offZeroWords), and over
        // values a hair apart, how small their differences are
        const linearSpan: [number, number, boolean] = flatAt === null
          ? [Math.min(...rows.map((r) => r.lo)), Math.max(...rows.map((r) => r.hi)), true]
          : [Math.min(flatAt * 0.5, flatAt * 1.5), Math.max(flatAt * 0.5, flatAt * 1.5), false];
        const offZero = logY || whole !== undefined ? { note: '', caption: '' } : offZeroWords(...linearSpan, counts);
        const yHi = logY ? Math.max(...positive) : Math.max(...rows.map((r) => r.hi));
        const yPx = (v: number) => (yHi > yLo ? (logY ? Math.log(v / yLo) / Math.log(yHi / yLo) : (v - yLo) / (yHi - yLo)) * plotBound(ctx).height : 0);
        const tol = drawnResolution(ctx.theme);
        // drawn alike but told apart by their seeds (somewhere their 95 % CIs do not meet): not joined, since '=' would
        // say they are the same; they are drawn as they are, and the note names them
        const closeButApart: [string, string][] = [];
        const alike = (a: Drawn, b: Drawn) => {
          if (!drawnAlike(a.marks, b.marks, tol)) return false;
          if (!distinctByCi(a.rows, b.rows)) return true;
          closeButApart.push([a.series, b.series]);
          return false;
        };
        const merged = mergeIdentical(withData.map((s) => {
          const own = rows.filter((r) => r.series === s);
          return {
            // its look in every chart against this key
            label: s, color: '', style: lineStyles.get(s)!,
            data: own.map(({ x, mean, lo, hi, n }) => [x, mean, lo, hi, n]),
            // at the same x values; a CI cut at a log axis's floor (a triangle there) only like another cut one
            drawn: {
              series: s,
              rows: own,
              marks: own.map((r): DrawnMark => {
                const cut = logY && r.lo <= 0;
                return { key: `${r.x} ${cut ? 'cut' : ''}`, px: [yPx(r.mean), cut ? 0 : yPx(r.lo), yPx(r.hi)] };
              }),
            } satisfies Drawn,
          };
        }), { alike: (a, b) => alike(a as Drawn, b as Drawn), apart: resolutionText(ctx.theme) });
        const apartNote = closeButApart.length === 0 ? '' : closeButApart.map(([a, b]) => `${a} and ${b}`).join('; ')
          + ` ${closeButApart.length === 1 ? 'are' : 'each are'} drawn less than ${resolutionText(ctx.theme)} apart, but their 95 % CIs tell them apart (aggregate.csv)`;
        rows = rows.filter((r) => merged.lead(r.series) !== undefined).map((r) => ({ ...r, series: merged.lead(r.series)! }));
        const series = merged.scale.domain;
        // a key also when the one line is several configurations joined (`1 = 4`), or the one left when the others'
        // runs all failed: it says which
        const legend = series.length > 1 || (others.length > 0 && (merged.any || withData.length < allSeries.length))
          ? { title: seriesTitle, titleOrient: 'top', symbolOpacity: 1, columns: legendColumns(ctx, series), labelLimit: labelLimit(ctx) }
          : null;
        const color = { field: 'series', type: 'nominal', title: null, scale: merged.scale, legend };
        // lines of the ninth configuration on have a dash and point shape besides their colour (telling apart lines of one
        // colour past sixteen), in one legend with the colour
        const dash = merged.varied ? { strokeDash: { field: 'series', type: 'nominal', title: null, scale: merged.dashes, legend } } : {};
        const shapeEnc = merged.varied ? { shape: { field: 'series', type: 'nominal', title: null, scale: merged.shapes, legend } } : {};
        const xTitle = xScale.type === 'linear' ? xAxis.title : scaleTitle(xAxis.title, `${xScale.type} scale`);
        const xType = xScale.type === 'linear' ? { type: 'linear', zero: false, nice: !bars && !X.apart } : { ...xScale, nice: false };
        // error bars of the series at one x stand side by side, a few px apart, so none hides another (within the plot and their x)
        const dodgeOf = (cw: number) => dodgeLayout(bars ? series.length : 0, sorted, xScale, cw, Math.max(2.5, ctx.theme.lineWidth * 2.5), ctx.theme.fontSize.label * 1.5, Math.sqrt(ctx.theme.pointSize / Math.PI));
        const xOf = (padding: number, cw: number) => ({
          field: 'x', type: 'quantitative', title: xTitle, scale: { ...xType, ...(bars ? { padding } : {}) }, axis: xAxisLabels(X, xAxis.div !== 1, { widthPx: cw, padding: bars ? padding : 0, fontSize: ctx.theme.fontSize.label }),
        });
        const title = logY ? scaleTitle(yName + unit, 'log scale') : yName + unit;
        const seeds = nMin === nMax ? `${count(nMin)}` : `${count(nMin)}–${count(nMax)}`;
        const shape = bars ? 'bars' : 'band';
        const note = figureNote(ctx, [
          ciNote(nMin, nMax, withCi ? shape : null, 'point', withCi > 0 && !spread),
          // some points' seeds agreed exactly: a CI of 0 draws nothing there, which must not read as a missing one
          spread && flat > 0 ? `no ${shape === 'bars' ? 'bar' : 'band'} at ${count(flat)} point${flat === 1 ? '' : 's'} whose seeds gave the same value` : '',
          clamped ? `${shape} cut at 0 (${yName} cannot be negative)` : '',
          cutAtWhole ? `${shape} cut at ${whole === 100 ? '100 %' : count(whole!)} (${yName} cannot exceed it)` : '',
          offZero.note,
          cutAtFloor ? (bars ? `bars ending in a triangle reach ${clamped ? '0' : 'below the axis'}, cut at its floor` : `band reaching ${clamped ? '0' : 'below the axis'} cut at its floor`) : '',
          failedCount(ctx.results),
          missing,
          merged.any && !merged.near ? "'=' joins series with identical values" : '',
          merged.near ? `'=' joins series whose values are identical or drawn less than ${merged.apart} apart, their 95 % CIs overlapping` : '',
          apartNote,
          X.apart ? `${keyShortTitle(key, labels)} ${X.apart.word} (${key} 0) stands apart at the right, past the dashed break, not joined to the line${series.length > 1 ? 's' : ''}` : '',
          // the bars of one grid value are dodged: a reader must not take a point's x for its grid value's (seeds that gave
          // one value everywhere draw no bar: the note has just said so)
          bars && series.length > 1 ? `the points of one x value stand side by side around it${spread ? ', so that no bar hides another' : ''}` : '',
          repeatedLooksNote(merged),
          byPlace,
          // a run's p99 of fewer than 100 msyncs is its largest msync or next to it
          /^sync\.latency_us\.p99(9)?$/.test(metric) ? tailNote(fewestMsyncs(ctx.results), [metric.split('.').pop()!], runsWithMsyncs(ctx.results)) : '',
        ]);
        // every mark of a series names it in full (the legend may end it in an ellipsis); a line or band, one path, names only it
        const lineTip = labelTooltip('series', seriesTitle);
        const barTip = labelTooltip('series', seriesTitle, { field: 'x_text', type: 'nominal', title: xAxis.title },
          { field: 'mean', type: 'quantitative', title: 'mean', format: ',.4~g' }, { field: 'ci_lo', type: 'quantitative', title: 'CI low', format: ',.4~g' },
          { field: 'hi', type: 'quantitative', title: 'CI high', format: ',.4~g' }, { field: 'n', type: 'quantitative', title: 'n' });
        // the y axis holds every mean and CI end drawn, a point's radius and a px inside its ends (a bar ending on the plot's
        // edge looks cut), its ends labelled: log, rounded out to 1-2-5 steps; linear, by linearAxis (0 in it by one rule)
        const margin = Math.sqrt(ctx.theme.pointSize / Math.PI) + 1;
        const yAxisOf = (ch: number): { scale: Record<string, unknown>; axis: Record<string, unknown>; floor?: number } => {
          if (logY) {
            const lo = Math.min(...positive), hi = Math.max(...positive);
            // labels at or below the lowest value drawn and at or above the highest (powers of ten thinned to every other one
            // could leave an end's values unlabelled): the domain widened to them, each value a margin inside it
            const plan = planLogAxis(logDomainClear(logDomain(lo, hi), lo, hi, ch, margin), lo, hi, ch, ctx.theme.fontSize.label, { skipFloor: cutAtFloor, integer: counts, marginPx: margin });
            const domain = plan.domain;
            return { scale: { type: 'log', domain, nice: false }, axis: planAxis(plan, ch), floor: domain[0] };
          }
          if (whole !== undefined) {
            // from 0 to the values' rounded end, at most the whole (there without a margin: no value passes it)
            const hi = Math.max(...rows.map((r) => r.hi));
            let ax = linearAxis(0, hi, ch, ctx.theme.fontSize.label, margin, 'always');
            if (ax.domain[1] > whole) ax = linearAxis(0, whole, ch, ctx.theme.fontSize.label, 0, 'always');
            return { scale: { domain: ax.domain, nice: false, zero: true }, axis: { values: ax.ticks, tickCount: ax.ticks.length, format: ax.format } };
          }
          // the same value everywhere has no extent: an axis from half of it to half as much again (0 not added), not a lone
          // tick. A count is ticked at whole numbers only (0.5 ENOMEM is no count)
          const ax = linearAxis(linearSpan[0], linearSpan[1], ch, ctx.theme.fontSize.label, margin, linearSpan[2], counts);
          // tickCount: vega thins explicit values to about height / 40 of them (every second dropped), unless told their number
          // (so no tickMinStep: vega-lite makes it a tickCount of the domain's span, which thinned 0, 1, 2 to 0, 2)
          return { scale: { domain: ax.domain, nice: false, zero: false }, axis: { values: ax.ticks, tickCount: ax.ticks.length, format: ax.format } };
        };
        // on a log axis the rows whose CI reaches 0 or below, their lower end at the floor
        const drawnRows = (floor: number | undefined) => (floor === undefined ? rows : rows.map((r) => (r.lo > 0 ? r : { ...r, lo: floor, lo_cut: 1 as const })));
        // a title longer than the plot is tall goes on two lines (or more), not past the plot's ends
        const yTitle = (ch: number) => {
          const lines = wrapText(title, ctx.theme.fontSize.title, Math.max(ch, 40));
          return lines.length > 1 ? lines : title;
        };
        const meanY = (ch: number) => ({ field: 'mean', type: 'quantitative', title: yTitle(ch), scale: yAxisOf(ch).scale, axis: yAxisOf(ch).axis });
        const ciLayers = (dodge: (i: number) => number, ch: number) => (bars
          ? series.flatMap((s, i) => [{
            transform: [{ filter: { field: 'series', equal: s } }],
            mark: { type: 'rule', xOffset: dodge(i), strokeWidth: ctx.theme.lineWidth * 0.8 },
            encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle(ch), scale: yAxisOf(ch).scale }, y2: { field: 'hi' }, tooltip: barTip },
          },
          // a bar cut at the log axis's floor ends in a downward triangle there, its tip on the floor, so that the cut is not silent
          ...(cutAtFloor ? [{
            transform: [{ filter: { field: 'series', equal: s } }, { filter: 'datum.lo_cut == 1' }],
            mark: { type: 'point', shape: 'triangle-down', filled: true, opacity: 1, size: ctx.theme.pointSize * 1.2, xOffset: dodge(i), yOffset: -Math.sqrt(ctx.theme.pointSize * 1.2) / 2 },
            encoding: { y: { field: 'lo', type: 'quantitative' }, tooltip: barTip },
          }] : [])])
          : [{ transform: [{ filter: 'datum.apart != 1' }], mark: { type: 'area', opacity: 0.18 }, encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle(ch), scale: yAxisOf(ch).scale }, y2: { field: 'hi' }, tooltip: lineTip } },
            // the no-limit value, apart from the band: its interval as a bar
            ...(X.apart ? [{ transform: [{ filter: 'datum.apart == 1' }], mark: { type: 'rule', strokeWidth: ctx.theme.lineWidth * 0.8 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, tooltip: barTip } }] : [])]);
        charts.push({
          name,
          aliases: [`sweep-${metric}-vs-${key}`],
          family: 'sweep-line',
          of: { metric, key },
          title: `${title} vs ${keyShortTitle(key, labels)}`,
          caption: `${title} against ${xAxis.title} (${metric} vs ${key}): the mean over ${seeds} seeds per grid point${failedCount(ctx.results) ? ` (its successful runs; ${failedCount(ctx.results)})` : ''}`
            // seeds that gave one value at every point: no bar or band is drawn, and the caption does not name one (it did
            // until 2026-12-08, under a figure whose note said 'no spread, no bars to draw')
            + (withCi && !spread ? `; the seeds gave the same value at every grid point, so the 95 % confidence interval of the mean is 0 wide and no ${bars ? 'error bars are' : 'band is'} drawn`
              : withCi ? `, with ${bars ? 'error bars' : 'a band'} for the 95 % confidence interval of the mean (Student t, ${fromRuns ? 'computed from the runs' : 'aggregate.csv'})` : '')
            + (others.length ? `; one line per value of ${others.map((i) => sweep.keys[i]).join(', ')}` : '')
            + (clamped ? `; ${metric} cannot be negative, so the interval is cut at 0` : '')
            + (whole !== undefined ? `; a share of the whole, drawn on a y axis from 0${cutAtWhole ? ', the interval cut at the whole' : ''}` : '')
            + (logY ? `; the means span more than ${LOG_Y_SPAN}×, so the y axis is logarithmic${cutAtFloor ? ` and intervals reaching below it are cut at its floor${bars ? ', where they end in a downward triangle' : ''}` : ''}` : '')
            + (offZero.caption ? `; ${offZero.caption}` : '')
            + (X.apart ? `; ${key} 0 means ${X.apart.word}, no quantity: it is drawn apart at the right of the axis, past a dashed break, labelled ${X.apart.word} and not joined to the lines` : '')
            + (xScale.type === 'symlog' ? `; the grid holds 0 and geometric steps, so the x axis is symmetric-log (linear near 0, logarithmic above ${+xScale.constant.toPrecision(3)})` : '')
            + (missing ? `; ${missing}` : '')
            + (merged.any ? `; configurations with identical results share one line (${merged.series.filter((s) => s.members.length > 1).map((s) => s.label).join('; ')})` : '') + '.',
          cells: { x: 1, y: 1 },
          height: (w) => figureHeight(ctx, w, series, note),
          spec: (cw, ch) => {
            const { step, padding } = dodgeOf(cw);
            const dodge = (i: number) => (i - (series.length - 1) / 2) * step;
            return {
              ...ctx.base(),
              ...(note ? { title: note } : {}),
              width: cw,
              height: ch,
              data: { values: drawnRows(yAxisOf(ch).floor) },
              encoding: { x: xOf(padding, cw), color },
              layer: [
                ...(withCi ? ciLayers(dodge, ch) : []),
                // each series' line and points shifted as its error bars are, so that a bar stands on its point; the
                // no-limit value is a point of its own, not joined to the line
                // (a layer only where it has rows: an empty one makes vega warn of an infinite extent)
                ...series.flatMap((s, i) => (rows.some((r) => r.series === s && r.apart !== 1) ? [{
                  transform: [{ filter: { field: 'series', equal: s } }, ...(X.apart ? [{ filter: 'datum.apart != 1' }] : [])],
                  mark: { type: 'line', xOffset: bars ? dodge(i) : 0, point: { filled: true, size: ctx.theme.pointSize, xOffset: bars ? dodge(i) : 0 } },
                  encoding: { y: meanY(ch), ...dash, ...shapeEnc, tooltip: lineTip },
                }] : [])),
                ...series.flatMap((s, i) => (rows.some((r) => r.series === s && r.apart === 1) ? [{
                  transform: [{ filter: { field: 'series', equal: s } }, { filter: 'datum.apart == 1' }],
                  mark: { type: 'point', filled: true, opacity: 1, size: ctx.theme.pointSize, xOffset: bars ? dodge(i) : 0 },
                  encoding: { y: { field: 'mean', type: 'quantitative' }, ...shapeEnc, tooltip: barTip },
                }] : [])),
                // the break between the limits and the no-limit value
                ...(X.apart ? [{
                  data: { values: [{ x: X.apart.rule }] },
                  mark: { type: 'rule', strokeDash: [3, 3], strokeWidth: 0.75 },
                  encoding: { x: { field: 'x', type: 'quantitative' }, color: { value: '#999999' } },
                }] : []),
              ],
            };
          },
        });
      }
    }
    return charts;
  },
};
