/**
 * What a report is drawn from: a results directory read as a list of
 * configurations, each with its runs (summary.json and result CSVs).
 *
 * Three kinds of directory are accepted:
 * - a `syncsim run` output (`summary.json`, `syncs.csv`, `timeline.csv`, ...):
 *   one configuration, named after the directory;
 * - a directory whose subdirectories are run outputs: one configuration each,
 *   named after the subdirectory, to compare runs made by hand;
 * - a `syncsim sweep` output, read through this small documented contract:
 *   - `experiment.json` (optional): `name`, `keys` (grid keys), `metrics`,
 *     `seeds`, `trace`;
 *   - `results.csv`: one row per run, `run_id,point,<grid keys>,seed,status,<metrics>,error`
 *     (without experiment.json the grid keys are the columns between `point` and `seed`);
 *   - `aggregate.csv`: one row per grid point and metric,
 *     `point,<grid keys>,metric,n,mean,sd,ci95,median` (`ci95` is the half-width of
 *     the 95 % confidence interval of the mean); a wide variant with one row per
 *     point and `<metric>_n`, `<metric>_mean`, `<metric>_sd`, `<metric>_ci95`,
 *     `<metric>_median` columns is read too;
 *   - `runs/<run_id>/`: the run output of each successful run.
 *   One configuration per grid point, labelled with its grid values (`linux, 32`); the
 *   legends are titled with the grid keys (`personality, cluster_pages`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Summary } from '../sim/stats/summary.ts';
import { openCsv, optionalNumberField, type CsvFile } from './csv.ts';
import { type LabelOverrides } from './labels.ts';
import { gridNames } from './grid-names.ts';
import { gridSizes } from './grid-sizes.ts';
import { metricStats } from './seed-stats.ts';
import { staleTablesMessage, unfinishedSweepMessage } from './unfinished.ts';
import { parseJsonText } from '../traces/json-strict.ts';

export { valueLabel, gridNames } from './grid-names.ts';
export { metricStats, t975 } from './seed-stats.ts';

/** A results directory that cannot be reported on (not found, not a run or sweep output, a broken summary.json). */
export class ReportError extends Error {
  /**
   * `misspelt`: a name given (a chart's, a configuration's) that is none of `known` (the command
   * line adds the closest, sim/closest-name.ts, each shown by `show` when given).
   */
  constructor(message: string, readonly misspelt?: { name: string; known: readonly string[]; show?: (k: string) => string }) {
    super(message);
    this.name = 'ReportError';
  }
}

/** One run output. */
export interface RunRef {
  /** Directory holding summary.json, syncs.csv, timeline.csv. */
  dir: string;
  seed: number;
  summary: Summary;
}

/** One configuration: what a chart colours alike. */
export interface Configuration {
  /** Unique label, the key of the colour scale. */
  label: string;
  /** Its distinguishing settings, as [key, value] text (grid keys for a sweep). */
  settings: [string, string][];
  /** Its successful runs, by increasing seed (empty when every run failed). */
  runs: RunRef[];
}

/** Statistics of one metric over the seeds of one configuration; null where undefined. */
export interface MetricStats {
  n: number;
  mean: number | null;
  sd: number | null;
  /** Half-width of the 95 % confidence interval of the mean (Student t). */
  ci95: number | null;
  median: number | null;
}

/** A run of a sweep that failed (results.csv status not `ok`, or no summary.json in its directory). */
export interface FailedRun {
  /** Its id: its directory is `runs/<id>/`, whose run.json holds the error too. */
  id: string;
  point: number;
  seed: number;
  /** Its configuration's label (the grid values, `linux, 32`). */
  label: string;
  /** Why it failed: results.csv's `error`, or what is missing. */
  error: string;
}

/** One grid point of a sweep. */
export interface SweepPoint {
  point: number;
  /**
   * Grid values in key order, as written in results.csv, save a generator parameter's sizes as byte counts
   * (`trace.set.footprint` `4M`: `4194304`, grid-sizes.ts); `config.settings` has them all as written.
   */
  values: string[];
  /** Its name as written before 2026-12-06 (the grid values as written, `freebsd, 0`), which `--configs` still takes. */
  written: string;
  config: Configuration;
  /** aggregate.csv's statistics, per metric. */
  stats: Map<string, MetricStats>;
  /** Runs of the point that failed. */
  failed: number;
  /** Those runs, in results.csv order. */
  failures: FailedRun[];
}

/** A sweep's grid, metrics and points. */
export interface SweepInfo {
  name: string;
  keys: string[];
  /** Per grid key, the values it takes over the whole grid (as {@link SweepPoint.values} has them, in grid order): what its unit in the figures is chosen over, with `--configs` too. */
  gridValues: string[][];
  metrics: string[];
  seeds: number[];
  points: SweepPoint[];
  /**
   * Every point of the grid when `--configs` chose some ({@link points} holds those): a sweep line's look is its first
   * configuration's in the whole grid, so that it keeps its colour of the full report. Absent: {@link points} is the grid.
   */
  gridPoints?: SweepPoint[];
  /** Grid keys whose values are all numbers. */
  numericKeys: string[];
  /** The trace description of experiment.json, when present. */
  trace: unknown;
  /** Runs in results.csv (successful and failed). */
  runCount: number;
  /** The failed runs of every point, in results.csv order. */
  failed: FailedRun[];
}

/** A results directory as a report sees it. */
export interface Results {
  kind: 'run' | 'runs' | 'sweep';
  dir: string;
  /** A short name: the directory's or the experiment's. */
  name: string;
  configurations: Configuration[];
  /** What the configuration labels list (a sweep's grid keys with their units, `kernel, write cluster (pages)`), the legend's title. */
  configTitle?: string;
  /** Chart titles of keys and metrics that override reports/labels.ts (a sweep's experiment `labels:`). */
  labels: LabelOverrides;
  sweep?: SweepInfo;
  /** When the report draws only some configurations (`--configs`): those, and how many the directory has. */
  chosen?: { total: number; labels: string[] };
}

const SUMMARY_FIELDS = ['config', 'sim_time_us', 'sync.latency_us', 'sync.count', 'writeback.by_cause', 'writeback.bytes'];

/** The value at dotted `path` of a parsed JSON object, or undefined. */
export function dotted(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A metric (dotted path into summary.json) of a run: a number, or null when it has none. */
export function summaryMetric(summary: Summary, metric: string): number | null {
  const v = dotted(summary, metric);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Reads and checks a summary.json. */
export function readSummary(file: string): Summary {
  let s: unknown;
  try {
    s = parseJsonText(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ReportError(`${file}: cannot read summary.json: ${(e as Error).message}`);
  }
  for (const f of SUMMARY_FIELDS) {
    if (dotted(s, f) === undefined) throw new ReportError(`${file}: not a syncsim summary.json (no '${f}')`);
  }
  return s as Summary;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

function runRef(dir: string): RunRef {
  const summary = readSummary(join(dir, 'summary.json'));
  return { dir, seed: summary.config.seed, summary };
}

/** Reads the results directory `dir`: a run output, a directory of run outputs, or a sweep output. */
export async function loadResults(dir: string): Promise<Results> {
  if (!isDir(dir)) throw new ReportError(`results directory not found: ${dir}`);
  const abs = resolve(dir);
  if (existsSync(join(dir, 'results.csv')) || existsSync(join(dir, 'aggregate.csv'))) return loadSweep(dir);
  if (existsSync(join(dir, 'summary.json'))) {
    const run = runRef(dir);
    const label = basename(abs);
    return { kind: 'run', dir, name: label, labels: {}, configurations: [{ label, settings: keySettings(run.summary), runs: [run] }] };
  }
  const subdirs = readdirSync(dir)
    .filter((n) => !n.startsWith('.') && existsSync(join(dir, n, 'summary.json')))
    .sort();
  if (subdirs.length === 0) {
    // a shard of a sweep, or a sweep not finished: say which, and what to do
    const unfinished = unfinishedSweepMessage(dir);
    if (unfinished !== undefined) throw new ReportError(unfinished);
    throw new ReportError(`${dir}: not a syncsim results directory (no summary.json, no results.csv, no subdirectory with a summary.json)`);
  }
  return {
    kind: 'runs',
    dir,
    name: basename(abs),
    labels: {},
    configurations: subdirs.map((n) => {
      const run = runRef(join(dir, n));
      return { label: n, settings: keySettings(run.summary), runs: [run] };
    }),
  };
}

/** The settings shown for a run: the configuration keys that matter most for sync. */
export function keySettings(s: Summary): [string, string][] {
  const c = s.config;
  return [
    ['trace', `${s.trace.path} (${s.trace.rows} rows)`],
    ['personality', c.personality],
    ['replay', c.replay],
    ['seed', String(c.seed)],
    ['device', deviceText(c.device)],
    ['fs.kind', String((c as { fs?: { kind?: unknown } }).fs?.kind ?? '')],
    ['pager.cluster_pages', String(c.pager.cluster_pages)],
    ['writeback.policy', c.writeback.policy],
    ['memory.pages', c.memory.pages === 0 ? 'unlimited' : String(c.memory.pages)],
    // what decides much of an msync's time or writeback without the user choosing it: the CPU costs charged, and page-in
    ['cpu', cpuText(c.cpu)],
    ['page-in', pageinText(c)],
    ['simulated time', `${(s.sim_time_us / 1000).toFixed(3)} ms`],
    ['msync', `${s.sync.count} calls, ${s.sync.ok} OK`],
  ];
}

/**
 * The CPU costs a run charged, in a few words: `msync cleans a page in 9.28 µs, a first store
 * faults one in 1.10 µs, a call 0.64 µs`, or `none` (the queue profile's default); the caption of
 * the table says where the defaults come from. (The report reads the configuration only: which
 * figures are syncsim's defaults is the run table's to say, `device / cpu`.)
 */
export function cpuText(cpu: Summary['config']['cpu']): string {
  const all = Object.values(cpu as unknown as Record<string, number>);
  if (all.every((v) => v === 0)) return 'none';
  return `msync cleans a page in ${cpu.clean_page_us.toFixed(2)} µs, a first store faults one in ${cpu.fault_page_us.toFixed(2)} µs, a call ${cpu.syscall_us.toFixed(2)} µs (cpu.*; the defaults were measured on a Linux VM and are charged to every personality: docs/configuration.md, "CPU costs")`;
}

/**
 * Page-in and read-ahead of a run in a few words: `on, read-ahead 32 pages, folios up to order 9`
 * (the folio order only under linux, the one personality that reads it: it sets how much a dirty
 * folio writes back), or `off`.
 */
export function pageinText(c: Summary['config']): string {
  if (!c.pagein) return 'off';
  return `on, read-ahead ${c.readahead.pages} pages${c.personality === 'linux' ? `, folios up to order ${c.readahead.max_folio_order}` : ''}`;
}

/** A distribution key (`service`, `read_latency`, ...) in a few words: `constant 100 µs`, `lognormal mean 80 µs, cv 0.3`. */
function distText(d: Record<string, unknown>): string {
  const parts = Object.entries(d).filter(([k]) => k !== 'dist').map(([k, v]) => `${k.replace(/_us$/, '')} ${Array.isArray(v) ? `[${v.length} values]` : v}${k.endsWith('_us') ? ' µs' : ''}`);
  return `${String(d.dist)} ${parts.join(', ')}`.trim();
}

/**
 * The device of a run in the words of its profile: the abstract queue by its service time, a
 * disk by its mechanics, a solid-state or calibrated device by its latencies, bandwidths and
 * write cache (the keys of the other profiles, inert there, are left out).
 */
export function deviceText(dev: Summary['config']['device']): string {
  const d = dev as unknown as Record<string, unknown>;
  const profile = String(d.profile);
  const cache = d.write_cache ? `write cache on (${d.cache_mb ? `${d.cache_mb} MB, ` : ''}FLUSH ${d.flush_us} µs${d.flush_cv ? `, cv ${d.flush_cv}` : ''}, destage ${d.destage})` : 'write cache off';
  if (profile === 'queue') {
    return `queue: ${d.channels} channel(s), ${d.discipline}, service ${distText(d.service as Record<string, unknown>)}${d.per_page_us ? `, +${d.per_page_us} µs/page` : ''}`;
  }
  if (Number(d.rpm) > 0) {
    return `${profile}: ${d.rpm} rpm, seek ${d.seek_track_ms}/${d.seek_avg_ms}/${d.seek_full_ms} ms (track/average/full), media ${d.media_mbps} MB/s, ${cache}`;
  }
  return `${profile}: ${d.channels} channel(s), read ${distText(d.read_latency as Record<string, unknown>)}, write ${distText(d.write_latency as Record<string, unknown>)}, ` +
    `${d.read_bandwidth_mbps}/${d.bandwidth_mbps} MB/s read/write, ${cache}`;
}

/** experiment.json fields a report uses. */
interface Manifest {
  name?: string;
  keys?: string[];
  metrics?: string[];
  seeds?: number[];
  trace?: unknown;
  labels?: Record<string, string>;
}

const AGG_STATS = ['n', 'mean', 'sd', 'ci95', 'median'] as const;

/** Short display names of grid keys: the last dotted part, unless two keys share it. */
export function shortKeys(keys: readonly string[]): string[] {
  const last = keys.map((k) => k.slice(k.lastIndexOf('.') + 1));
  return keys.map((k, i) => (last.filter((l) => l === last[i]).length > 1 ? k : last[i]));
}

async function loadSweep(dir: string): Promise<Results> {
  const manifestFile = join(dir, 'experiment.json');
  let manifest: Manifest = {};
  if (existsSync(manifestFile)) {
    try {
      manifest = parseJsonText(readFileSync(manifestFile, 'utf8')) as Manifest;
    } catch (e) {
      throw new ReportError(`${manifestFile}: cannot read: ${(e as Error).message}`);
    }
  }
  const resultsFile = join(dir, 'results.csv');
  if (!existsSync(resultsFile)) throw new ReportError(unfinishedSweepMessage(dir) ?? `${dir}: sweep directory without results.csv (is the sweep finished?)`);
  const res = await openCsv(resultsFile, ['run_id', 'point', 'seed', 'status']);
  const keys = manifest.keys ?? res.header.slice(res.col.point + 1, res.col.seed);
  for (const k of keys) if (res.col[k] === undefined) throw new ReportError(`${resultsFile}: grid key '${k}' of experiment.json has no column`);
  const metrics = manifest.metrics ?? res.header.slice(res.col.status + 1).filter((h) => h !== 'error');
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(manifest.labels ?? {})) if (typeof v === 'string' && v.trim()) labels[k] = v;

  const points = new Map<number, SweepPoint>();
  const seeds = new Set<number>();
  const failed: FailedRun[] = [];
  let runCount = 0;
  const tabled = new Set<string>();
  for await (const row of res.rows) {
    const point = Number(row.fields[res.col.point]);
    const seed = Number(row.fields[res.col.seed]);
    if (!Number.isInteger(point)) throw new ReportError(`${resultsFile}:${row.line}: column point: expected an integer (got '${row.fields[res.col.point]}')`);
    seeds.add(seed);
    let p = points.get(point);
    if (!p) {
      const values = keys.map((k) => row.fields[res.col[k]]);
      // named once every point is read (each key's unit is that of all its values)
      p = { point, values, written: '', config: { label: '', settings: keys.map((k, i) => [k, values[i]]), runs: [] }, stats: new Map(), failed: 0, failures: [] };
      points.set(point, p);
    }
    const id = row.fields[res.col.run_id];
    tabled.add(id);
    const runDir = join(dir, 'runs', id);
    const status = row.fields[res.col.status];
    runCount++;
    if (status === 'ok' && existsSync(join(runDir, 'summary.json'))) {
      p.config.runs.push({ dir: runDir, seed, summary: readSummary(join(runDir, 'summary.json')) });
    } else {
      p.failed++;
      const error = status === 'ok' ? `runs/${id}/summary.json is missing` : (res.col.error === undefined ? '' : row.fields[res.col.error] ?? '') || `status '${status}'`;
      const f: FailedRun = { id, point, seed, label: p.config.label, error };
      p.failures.push(f);
      failed.push(f);
    }
  }
  // tables of an earlier state of the sweep (seeds raised, then stopped) are not charted as the whole experiment
  const stale = staleTablesMessage(dir, tabled);
  if (stale) throw new ReportError(stale);
  for (const p of points.values()) p.config.runs.sort((a, b) => a.seed - b.seed);
  // a generator parameter's sizes (`1M`) read as byte counts, as a grid of byte counts is (`written` keeps them)
  const read = [...points.values()];
  const asWritten = new Map(read.map((p) => [p.point, [...p.values]]));
  keys.forEach((k, i) => {
    const bytes = gridSizes(k, read.map((p) => p.values[i]!));
    read.forEach((p, j) => { p.values[i] = bytes[j]!; });
  });
  // the configurations' names: grid values with each key in its one unit of the report (`linux, 2` under memlock
  // limit (MiB)), a 0 that means no limit as its word (`freebsd, unlimited`)
  const names = gridNames(keys, [...points.values()].map((p) => p.values), labels);
  for (const p of points.values()) {
    p.config.label = keys.length ? names.name(p.values) : `point ${p.point}`;
    p.written = keys.length ? names.asWritten(asWritten.get(p.point)!) : p.config.label;
  }
  for (const f of failed) f.label = points.get(f.point)!.config.label;

  const aggFile = join(dir, 'aggregate.csv');
  if (existsSync(aggFile)) await readAggregate(aggFile, points, metrics);

  const list = [...points.values()].sort((a, b) => a.point - b.point);
  const numericKeys = keys.filter((_, i) => list.length > 0 && list.every((p) => p.values[i].trim() !== '' && Number.isFinite(Number(p.values[i]))));
  return {
    kind: 'sweep',
    dir,
    name: manifest.name ?? basename(resolve(dir)),
    configurations: list.map((p) => p.config),
    configTitle: names.title,
    labels,
    sweep: { name: manifest.name ?? basename(resolve(dir)), keys, gridValues: keys.map((_, i) => [...new Set(list.map((p) => p.values[i]!))]), metrics, seeds: manifest.seeds ?? [...seeds].sort((a, b) => a - b), points: list, numericKeys, trace: manifest.trace, runCount, failed },
  };
}

/** Reads aggregate.csv (long or wide layout) into each point's `stats`. */
async function readAggregate(file: string, points: Map<number, SweepPoint>, metrics: string[]): Promise<void> {
  const agg: CsvFile = await openCsv(file, ['point']);
  const long = agg.col.metric !== undefined;
  if (long) for (const s of AGG_STATS) if (agg.col[s] === undefined) throw new ReportError(`${file}: missing column '${s}'`);
  for await (const row of agg.rows) {
    const point = Number(row.fields[agg.col.point]);
    const p = points.get(point);
    if (!p) continue;
    const read = (prefix: string): MetricStats => {
      const v = (s: string) => optionalNumberField(agg, row, prefix + s);
      return { n: v('n') ?? 0, mean: v('mean'), sd: v('sd'), ci95: v('ci95'), median: v('median') };
    };
    if (long) p.stats.set(row.fields[agg.col.metric], read(''));
    else for (const m of metrics) if (agg.col[`${m}_mean`] !== undefined) p.stats.set(m, read(`${m}_`));
  }
}

/**
 * A metric of a configuration over its seeds: aggregate.csv's statistics when
 * the sweep aggregated it, otherwise computed from the runs' summary.json.
 */
export function configMetric(results: Results, config: Configuration, metric: string): MetricStats & { source: 'aggregate' | 'runs' } {
  const p = results.sweep?.points.find((x) => x.config === config);
  const agg = p?.stats.get(metric);
  if (agg) return { ...agg, source: 'aggregate' };
  return { ...metricStats(config.runs.map((r) => summaryMetric(r.summary, metric))), source: 'runs' };
}
