/**
 * A report: the charts of a results directory written as NAME.vl.json,
 * NAME.svg, NAME.png, NAME.pdf and an index.html, into a directory that
 * appears whole or not at all.
 */
import { turn } from '../traces/turn.ts';
import { writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { StagingDir } from '../traces/files.ts';
import { outWriteFailure } from '../traces/out-dir.ts';
import { MAX_PER_RUN_CONFIGS, type Chart, type ChartContext, type Format, type VlSpec } from './chart.ts';
import { CHART_MODULES } from './charts/index.ts';
import { sweepChartName } from './charts/sweep-line.ts';
import { differingKeys } from './config-keys.ts';
import { keySettings, loadResults, ReportError, type Results, type RunRef } from './data.ts';
import { allRunsFailedMessage, configName, failedRunsNote } from './failures.ts';
import { reportHtml, type SettingsTable } from './html.ts';
import { reduceSyncs, reduceTimeline, timelineRows, type SyncStats, type TimelineData } from './reduce.ts';
import { layoutChart, svgToPdf, svgToPng } from './render.ts';
import { noLimitWord } from './no-limit.ts';
import { styleOf } from './series.ts';
import { chooseConfigurations, selectConfigurations } from './select.ts';
import { configKernelItems, kernelLooksRefused, reportColors } from './kernel-looks.ts';
import { configStyle, DISTINCT_STYLES, vegaLiteConfig, type ConfigScale, type Theme } from './theme.ts';
import { readWarningsFile } from './sweep-warnings-file.ts';
import { runWarningNotes } from './run-warnings.ts';

export { FORMATS, type Format } from './chart.ts';

/** The Vega-Lite schema the specs declare. */
export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** What to report on and how. */
export interface ReportOptions {
  /** A run, runs or sweep output directory. */
  dir: string;
  /** Where the report goes (default DIR/report). */
  out?: string;
  formats: readonly Format[];
  theme: Theme;
  /** Total figure width in px (pt). */
  width: number;
  /** Chart module names or chart names to draw (default all that apply). */
  charts?: readonly string[];
  /**
   * The configurations to draw (`--configs`), each text a name as the legends write it or a sweep's `@N`, or
   * several comma-separated; default all. Each keeps its colour of the report of them all.
   */
  configs?: readonly string[];
  /**
   * How messages name the report directory (the command line: as the user gave it, relative to
   * the working directory); default its absolute path.
   */
  shown?: string;
  /** Told each step as it begins (`chart 2 of 5 (timeline)`), for progress. */
  onStep?: (what: string) => void;
}

/** What was written for one chart, and how long it took. */
export interface ChartOutcome {
  name: string;
  family: string;
  /** A sweep line's metric and grid key, as the experiment names them. */
  of?: { metric: string; key: string };
  title: string;
  caption: string;
  width: number;
  height: number;
  files: string[];
  bytes: Record<string, number>;
  /** Milliseconds: layout (spec to SVG, all passes), PNG, PDF. */
  ms: { layout: number; png: number; pdf: number };
  passes: number;
  warnings: string[];
}

/** What a report wrote. */
export interface ReportOutcome {
  out: string;
  /** Absolute path of index.html, when written. */
  index?: string;
  results: Results;
  charts: ChartOutcome[];
  notes: string[];
  ms: number;
}

/**
 * The chart context of a results directory: colours (`colors`, default by kernel or by place, `reportColors`),
 * cached reductions, the runs per-run charts draw.
 */
export function chartContext(results: Results, theme: Theme, width: number, colors = reportColors(results)): ChartContext {
  const syncs = new Map<string, Promise<SyncStats>>();
  const timelines = new Map<string, Promise<TimelineData>>();
  return {
    results,
    theme,
    width,
    colors,
    syncStats(run: RunRef) {
      let p = syncs.get(run.dir);
      if (!p) syncs.set(run.dir, (p = reduceSyncs(join(run.dir, 'syncs.csv'), run.summary.config.stats.warmup_us)));
      return p;
    },
    timeline(run: RunRef, bucket?: number) {
      const key = `${run.dir}\0${bucket ?? ''}`;
      let p = timelines.get(key);
      const c = run.summary.config.stats;
      if (!p) timelines.set(key, (p = reduceTimeline(join(run.dir, 'timeline.csv'), timelineRows(run.summary.sim_time_us, c.sample_us), bucket)));
      return p;
    },
    perRun() {
      const withRuns = results.configurations.filter((c) => c.runs.length > 0);
      if (withRuns.length > MAX_PER_RUN_CONFIGS) {
        // how to draw them for some: --configs, with names as this directory's legends write them
        const example = withRuns.slice(0, 2).map((c) => c.label).join(',');
        const points = results.sweep ? `, or a sweep's grid points as @N: --configs ${withRuns.slice(0, 2).map((c) => `@${results.sweep!.points.find((p) => p.config === c)!.point}`).join(',')}` : '';
        return {
          skip: `The latency CDF, the timelines and latency vs pages are drawn for at most ${MAX_PER_RUN_CONFIGS} configurations; ${results.chosen ? '--configs chose' : 'this directory has'} ${withRuns.length}. `
            + `To draw them, choose at most ${MAX_PER_RUN_CONFIGS} with --configs, named as the legends name them, comma-separated (--configs '${example}'${points}).`,
        };
      }
      return { runs: withRuns.map((config) => ({ config, run: config.runs[0] })) };
    },
    base(): VlSpec {
      return { $schema: VL_SCHEMA, config: vegaLiteConfig(theme) };
    },
    notes: [],
  };
}

/** Whether chart module `module` may make a chart selected by `names`. */
function moduleSelected(module: string, names: readonly string[] | undefined): boolean {
  return !names || names.some((n) => n === module || (module === 'sweep-line' && n.startsWith('sweep-')) || (module === 'timeline' && TIMELINE_PART.test(n)));
}

/** The names of a timeline's further figures (`timeline-2`, ...: a timeline of many strips is drawn in several). */
const TIMELINE_PART = /^timeline-\d+$/;

/** The charts of `results`, limited to `names` (module or chart names). */
export async function buildCharts(ctx: ChartContext, names?: readonly string[]): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const m of CHART_MODULES) if (moduleSelected(m.name, names)) charts.push(...(await m.build(ctx)));
  if (!names) return charts;
  const known = CHART_MODULES.map((m) => m.name);
  const per = ctx.perRun();
  // a chart of each configuration's run, not drawn for too many configurations: why, as a chart its data lack says it
  const perRun = (n: string) => TIMELINE_PART.test(n) || CHART_MODULES.some((m) => m.name === n && m.perRun);
  const tooMany = (n: string) => ('skip' in per && perRun(n) ? `chart '${n}' not drawn: ${per.skip.charAt(0).toLowerCase()}${per.skip.slice(1)}` : undefined);
  // a sweep chart of a sweep whose grid has no numeric key: why (until 2026-12-08 only 'a sweep directory')
  const sweep = ctx.results.sweep;
  const why = sweep && sweep.numericKeys.length === 0
    ? `a sweep directory whose grid keys, ${sweep.keys.join(', ')}, have no numeric values: a sweep chart plots a metric against a numeric grid key, such as device.channels: [1, 2, 4]`
    : `a ${ctx.results.kind} directory`;
  const notApplying = (n: string) => tooMany(n) ?? `chart '${n}' does not apply to ${ctx.results.dir} (${n.startsWith('sweep-') ? why : `a ${ctx.results.kind} directory`})`;
  for (const n of names) {
    if (charts.some((c) => c.name === n || c.family === n || c.aliases?.includes(n))) continue;
    if (TIMELINE_PART.test(n)) {
      const parts = charts.filter((c) => c.name === 'timeline' || TIMELINE_PART.test(c.name)).length;
      throw new ReportError(parts > 0 ? `chart '${n}' does not exist: the timeline of ${ctx.results.dir} is drawn in ${parts} figure${parts === 1 ? '' : 's'}` : notApplying(n));
    }
    // a chart left out for what its data lack (a sweep metric no run has a value of, no successful msync) says so rather
    // than "does not apply": `chart 'latency-cdf' not drawn: no successful msync (40 msyncs, all returned EBUSY)`
    const said = ctx.notes.filter((x) => x.startsWith(`${n}:`) || (n === 'sweep-line' && x.startsWith('sweep-')));
    const reason = (x: string) => (x.startsWith(`${n}: `) ? x.slice(n.length + 2) : x).replace(/; not drawn\.$/, '');
    if (said.length) throw new ReportError(`chart '${n}' not drawn: ${said.map(reason).join('; ')}`);
    // a sweep chart name of no metric and key of this sweep: unknown, and which sweep charts there are (until
    // 2026-12-06, late, it "did not apply", as though the directory were no sweep)
    const sweepNames = sweepChartNames(ctx.results);
    if (n.startsWith('sweep-') && n !== 'sweep-line' && sweepNames.length > 0) {
      throw new ReportError(`unknown chart '${n}': the sweep charts of ${ctx.results.dir} are ${sweepNames.join(', ')} (sweep-METRIC-vs-KEY, of its metrics and numeric grid keys)`, { name: n, known: sweepNames });
    }
    if (known.includes(n) || n.startsWith('sweep-')) throw new ReportError(notApplying(n));
    throw new ReportError(`unknown chart '${n}' (one of ${known.join(', ')}, or a sweep chart name sweep-METRIC-vs-KEY)`, { name: n, known });
  }
  return charts.filter((c) => names.includes(c.name) || names.includes(c.family) || c.aliases?.some((a) => names.includes(a)));
}

/** The names of the sweep charts of `results` (one per metric × numeric grid key; none when it is no sweep). */
function sweepChartNames(results: Results): string[] {
  const sweep = results.sweep;
  if (!sweep) return [];
  return sweep.numericKeys.flatMap((key) => sweep.metrics.map((metric) => sweepChartName(metric, key, sweep.metrics, sweep.keys)));
}

/**
 * Lays out `chart` at `width` in `theme` and writes NAME.{vl.json,svg,png,pdf}
 * into `dir` (a one-off figure outside a report); returns the file names.
 */
export async function writeChartFiles(dir: string, chart: Chart, theme: Theme, width: number): Promise<string[]> {
  const laid = await layoutChart(chart, width, theme.padding);
  const files: [string, string | Buffer][] = [
    [`${chart.name}.vl.json`, prettyJson(laid.spec) + '\n'],
    [`${chart.name}.svg`, laid.svg],
    [`${chart.name}.png`, svgToPng(laid.svg, theme.pngScale).png],
    [`${chart.name}.pdf`, await svgToPdf(laid.svg, laid.width, laid.height, chart.title)],
  ];
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
  return files.map(([n]) => n);
}

/**
 * JSON with two-space indentation, except that arrays of flat values or flat
 * objects (the inline data) are written one element per line.
 */
export function prettyJson(v: unknown, indent = ''): string {
  const flat = (x: unknown) => x === null || typeof x !== 'object' || Object.values(x as object).every((y) => y === null || typeof y !== 'object');
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
    const inner = indent + '  ';
    if (v.every(flat)) return `[\n${v.map((x) => inner + JSON.stringify(x)).join(',\n')}\n${indent}]`;
    return `[\n${v.map((x) => inner + prettyJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

/**
 * The tables of settings shown in index.html. Each configuration has the
 * swatch of its look in the charts (`configStyle` of its style number in
 * `colors`: colour, point shape, line dash), so swatch i is drawn as series i is.
 */
export function settingsTables(results: Results, colors: ConfigScale): SettingsTable[] {
  const lookOf = (label: string) => (results.configurations.length > 1 ? configStyle(styleOf(colors, label)) : undefined);
  const sweep = results.sweep;
  if (!sweep) {
    const configs = results.configurations;
    const keys = configs[0].settings.map(([k]) => k);
    const rows = keys.map((k) => [k, ...configs.map((c) => c.settings.find(([x]) => x === k)?.[1] ?? '')]);
    // the other configuration keys that tell the runs apart (fs.extent_leaf, cpu.*), before the results' rows
    const differing = differingKeys(configs.map((c) => c.runs[0]?.summary.config), new Set(keys));
    rows.splice(keys.indexOf('simulated time'), 0, ...differing.map(([k, values]) => [k, ...values]));
    return [{
      caption: 'Key settings' + (results.chosen ? ` of ${configs.length} of ${results.chosen.total} configurations (--configs)` : '') + repeatedSwatches(configs.length),
      header: [{ text: 'setting' }, ...configs.map((c) => ({ text: c.label, look: lookOf(c.label) }))],
      rows,
    }];
  }
  const tables: SettingsTable[] = [{
    caption: `Grid: ${sweep.points.length}${results.chosen ? ` of ${results.chosen.total}` : ''} points${results.chosen ? ' (--configs)' : ''} × ${sweep.seeds.length} seeds; metrics ${sweep.metrics.join(', ')}${repeatedSwatches(sweep.points.length)}`,
    header: [{ text: 'configuration' }, ...sweep.keys.map((k) => ({ text: k })), { text: 'runs ok' }, { text: 'failed' }],
    // a grid value as written, and a 0 that means no limit with its word: `0 (unlimited)`
    rows: sweep.points.map((p) => [p.config.label, ...p.config.settings.map(([, v], i) => (noLimitWord(sweep.keys[i]!, v) ? `${v} (${noLimitWord(sweep.keys[i]!, v)})` : v)), String(p.config.runs.length), String(p.failed)]),
    rowLooks: sweep.points.map((p) => lookOf(p.config.label)),
  }];
  // each setting as the runs have it: one value, or the values it takes across the grid (a filesystem follows the
  // personality: a grid of personalities varies it too) and its seeds (each seed of a generated trace replays its
  // own trace: every run is read, not each point's first, which listed 3 of a 3 × 3 sweep's 9 traces)
  const runs = results.configurations.flatMap((c) => c.runs);
  if (runs.length) {
    const per = runs.map((r) => new Map(keySettings(r.summary)));
    const keys = keySettings(runs[0]!.summary).map(([k]) => k).filter((k) => !['seed', 'simulated time', 'msync'].includes(k));
    tables.push({
      caption: 'Key settings of the grid points (a setting that differs between their runs lists its values)',
      header: [{ text: 'setting' }, { text: 'value' }],
      rows: keys.map((k) => {
        const values = [...new Set(per.map((m) => m.get(k) ?? ''))];
        return [k, values.length === 1 ? values[0]! : `varies: ${values.join(' | ')}`];
      }),
    });
  }
  return tables;
}

/** What a settings table of `n` configurations says when their swatches repeat (more than DISTINCT_STYLES), else ''. */
function repeatedSwatches(n: number): string {
  if (n <= DISTINCT_STYLES) return '';
  return `; ${n} configurations, only ${DISTINCT_STYLES} distinct looks: configuration i + ${DISTINCT_STYLES} looks like configuration i`;
}

/** Draws the report of `opts.dir`. On any error nothing is left behind and an existing report is untouched. */
export async function makeReport(opts: ReportOptions): Promise<ReportOutcome> {
  const t0 = performance.now();
  opts.onStep?.('reading the results');
  const all = await loadResults(opts.dir);
  const allFailed = allRunsFailedMessage(all);
  if (allFailed !== undefined) throw new ReportError(allFailed);
  // --configs: the configurations named, each in its colour of the report of them all
  const chosen = opts.configs ? chooseConfigurations(all, opts.configs) : undefined;
  const results = chosen ? selectConfigurations(all, chosen) : all;
  if (chosen && results.configurations.every((c) => c.runs.length === 0)) throw new ReportError(`--configs: every run of the configurations chosen failed (${chosen.map((l) => `'${l}'`).join(', ')}): nothing to chart`);
  const ctx = chartContext(results, opts.theme, opts.width, reportColors(all, chosen));
  opts.onStep?.('reading the data of the charts');
  const charts = await buildCharts(ctx, opts.charts);
  // a sweep's own warnings of its tables (warnings.txt: seeds that are copies, stretched replays, points that made nothing durable) first
  const sweepSaid = results.kind === 'sweep' ? readWarningsFile(results.dir).map((l) => `The sweep's ${l}`) : [];
  const notes: string[] = [...new Set([...sweepSaid, ...ctx.notes])];
  // configurations of several kernels drawn by their place, not their kernel's colour: the report says why
  const byPlace = kernelLooksRefused(configKernelItems(all));
  if (byPlace) notes.push(`${byPlace[0]!.toUpperCase()}${byPlace.slice(1)}.`);
  const per = ctx.perRun();
  if ('skip' in per) notes.push(per.skip);
  const failedNote = failedRunsNote(results);
  if (failedNote !== undefined) notes.push(failedNote);
  // what the runs' summaries warn of, as `syncsim run` printed it when each ended
  notes.push(...runWarningNotes(results));
  for (const p of results.sweep?.points ?? []) if (p.config.runs.length === 0) notes.push(`${configName(results, p.config.label)}: every run failed; it is left out of the charts.`);
  if (charts.length === 0) throw new ReportError(`${opts.dir}: nothing to chart (no successful msync, timeline or writeback in these results)`);

  const outGiven = opts.out ?? join(opts.dir, 'report');
  const out = resolve(outGiven);
  const src = resolve(opts.dir);
  if (out === src || src.startsWith(out + sep)) throw new ReportError(`--out ${opts.out} would replace the results directory ${opts.dir}: choose another directory`);
  // named as given in a refusal made as it takes its place
  // its marker records the results directory it is drawn from: a report of another one is not replaced (out-source.ts)
  const stage = new StagingDir(outGiven, 'report', opts.dir);
  const tmp = stage.path;
  try {
    const outcomes: ChartOutcome[] = [];
    const specs: VlSpec[] = [];
    for (const [i, chart] of charts.entries()) {
      // a turn of the event loop before each chart: a Ctrl-C is handled between charts, not after the last one
      await turn();
      opts.onStep?.(`chart ${i + 1} of ${charts.length} (${chart.name})`);
      const ta = performance.now();
      const laid = await layoutChart(chart, opts.width, opts.theme.padding);
      const tb = performance.now();
      const files: string[] = [];
      const bytes: Record<string, number> = {};
      const put = (file: string, data: string | Buffer) => {
        writeFileSync(join(tmp, file), data);
        files.push(file);
        bytes[file.slice(chart.name.length + 1)] = Buffer.byteLength(data);
      };
      put(`${chart.name}.vl.json`, prettyJson(laid.spec) + '\n');
      if (opts.formats.includes('svg')) put(`${chart.name}.svg`, laid.svg);
      let png = 0, pdf = 0;
      if (opts.formats.includes('png')) {
        const t = performance.now();
        put(`${chart.name}.png`, svgToPng(laid.svg, opts.theme.pngScale).png);
        png = performance.now() - t;
      }
      if (opts.formats.includes('pdf')) {
        const t = performance.now();
        put(`${chart.name}.pdf`, await svgToPdf(laid.svg, laid.width, laid.height, chart.title));
        pdf = performance.now() - t;
      }
      outcomes.push({
        name: chart.name, family: chart.family, ...(chart.of ? { of: chart.of } : {}), title: chart.title, caption: chart.caption,
        width: laid.width, height: laid.height, files, bytes,
        ms: { layout: tb - ta, png, pdf }, passes: laid.passes, warnings: laid.warnings,
      });
      specs.push(laid.spec);
    }
    const manifest = {
      syncsim_report: 1,
      source: results.dir,
      kind: results.kind,
      theme: opts.theme.name,
      width: opts.width,
      formats: ['vl.json', ...opts.formats],
      ...(results.chosen ? { configs: results.chosen.labels } : {}),
      charts: outcomes.map((o) => ({ name: o.name, family: o.family, ...(o.of ? { metric: o.of.metric, key: o.of.key } : {}), title: o.title, caption: o.caption, width: o.width, height: o.height, files: o.files })),
      notes,
    };
    let index: string | undefined;
    if (opts.formats.includes('html')) {
      const html = reportHtml({
        title: `syncsim report: ${results.name}`,
        meta: [
          `${results.kind === 'sweep' ? 'Sweep' : results.kind === 'runs' ? 'Runs' : 'Run'} output ${results.dir} · ${results.configurations.length}${results.chosen ? ` of ${results.chosen.total}` : ''} configuration(s)${results.chosen ? ' (--configs)' : ''} · theme ${opts.theme.name}, figures ${opts.width} px wide${opts.theme.name === 'paper' ? ` (${(opts.width / 72).toFixed(2)} in)` : ''}`,
        ],
        tables: settingsTables(results, ctx.colors),
        notes,
        figures: outcomes.map((o, i) => ({ name: o.name, title: o.title, caption: o.caption, spec: specs[i], files: o.files, width: o.width })),
        theme: opts.theme,
      });
      writeFileSync(join(tmp, 'index.html'), html);
      index = join(out, 'index.html');
    }
    writeFileSync(join(tmp, 'report.json'), JSON.stringify(manifest, null, 2) + '\n');
    // a Ctrl-C while the last chart was drawn is answered here, before the report is put in place
    await turn();
    stage.commit();
    return { out, index, results, charts: outcomes, notes, ms: performance.now() - t0 };
  } catch (e) {
    stage.abort();
    throw outWriteFailure(e, opts.shown ?? out);
  }
}
