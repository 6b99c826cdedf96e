/**
 * Human titles and units of everything a chart may put on an axis or a legend:
 * configuration keys (sim/config.ts, docs/configuration.md, "Configuration keys"), workload
 * generator parameters (workloads/presets/*.ts schemas, `trace.set.PARAM` in a
 * sweep) and summary.json metrics. An experiment's `labels:` mapping overrides
 * any of them; a key in no table gets a readable form of its last segment,
 * never the raw dotted key.
 */

import { gridSizes } from './grid-sizes.ts';
import { noLimitWord } from './no-limit.ts';
import { BYTE_UNITS, byteUnit } from './byte-units.ts';

/** How a key is named on a chart: a title and, for quantities, a unit. */
export interface KeyLabel {
  title: string;
  unit?: string;
  /** What a chart multiplies the values by to draw them in `unit` (100: a fraction drawn as a percentage). */
  scale?: number;
}

/**
 * Configuration keys (dotted, as in a config file or a sweep grid). Source:
 * sim/config.ts's Config and CONFIG_SCHEMA, plus the keys of the storage-stack
 * contract (device profiles, file systems, page-in, CPU costs).
 */
export const CONFIG_LABELS: Readonly<Record<string, KeyLabel>> = {
  personality: { title: 'kernel' },
  page_size: { title: 'page size', unit: 'bytes' },
  replay: { title: 'replay' },
  seed: { title: 'seed' },
  'device.channels': { title: 'device channels' },
  'device.discipline': { title: 'queue discipline' },
  'device.service.dist': { title: 'service time distribution' },
  'device.service.mean_us': { title: 'mean service time', unit: 'µs' },
  'device.service.min_us': { title: 'shortest service time', unit: 'µs' },
  'device.service.max_us': { title: 'longest service time', unit: 'µs' },
  'device.service.cv': { title: 'service time CV' },
  'device.service.file': { title: 'service time samples' },
  'device.per_page_us': { title: 'device time per page', unit: 'µs' },
  'device.error_rate': { title: 'I/O error rate', unit: 'per I/O' },
  'device.profile': { title: 'device' },
  'device.bandwidth_mbps': { title: 'device bandwidth', unit: 'MB/s' },
  'device.read_bandwidth_mbps': { title: 'device read bandwidth', unit: 'MB/s' },
  'device.write_cache': { title: 'device write cache' },
  'device.cache_mb': { title: 'write cache size', unit: 'MB' },
  'device.media_mbps': { title: 'write cache destage rate', unit: 'MB/s' },
  'device.flush_us': { title: 'cache flush time', unit: 'µs' },
  'device.destage': { title: 'cache destage' },
  'device.media_write_us': { title: 'media time per write', unit: 'µs' },
  'device.read_latency.mean_us': { title: 'mean read latency', unit: 'µs' },
  'device.write_latency.mean_us': { title: 'mean write latency', unit: 'µs' },
  'pager.cluster_pages': { title: 'write cluster', unit: 'pages' },
  'pager.ipc_us': { title: 'pager IPC time', unit: 'µs' },
  'cpu.syscall_us': { title: 'system call cost', unit: 'µs' },
  'cpu.per_page_us': { title: 'CPU time per page', unit: 'µs' },
  'cpu.fault_page_us': { title: 'page fault cost', unit: 'µs' },
  'cpu.clean_page_us': { title: 'page clean cost', unit: 'µs' },
  'cpu.clean_page_busy_us': { title: 'page clean cost beside a running task', unit: 'µs' },
  'cpu.clean_pmd_page_us': { title: 'page clean cost in a PMD-sized folio', unit: 'µs' },
  'cpu.wire_page_us': { title: 'page wire cost', unit: 'µs' },
  'writeback.policy': { title: 'background writeback' },
  'writeback.interval_ms': { title: 'writeback interval', unit: 'ms' },
  'writeback.delay_ms': { title: 'syncer delay', unit: 'ms' },
  'writeback.expire_ms': { title: 'dirty expiry', unit: 'ms' },
  'writeback.background_ratio': { title: 'background dirty ratio', unit: '%' },
  'writeback.dirty_ratio': { title: 'dirty ratio', unit: '%' },
  'writeback.max_pause_ms': { title: 'longest throttle pause', unit: 'ms' },
  'memory.pages': { title: 'memory', unit: 'pages' },
  'memory.max_user_wired_pages': { title: 'wired page limit', unit: 'pages' },
  'memory.memlock_limit_bytes': { title: 'memlock limit', unit: 'bytes' },
  'stats.sample_us': { title: 'timeline sample period', unit: 'µs' },
  'stats.warmup_us': { title: 'warm-up', unit: 'µs' },
  'fs.kind': { title: 'file system' },
  'fs.commit_interval_ms': { title: 'journal commit interval', unit: 'ms' },
  'fs.soft_updates': { title: 'soft updates' },
  'fs.stable_pages': { title: 'stable pages' },
  'fs.preallocated': { title: 'preallocated file' },
  'fs.extent_leaf': { title: 'extent leaf block' },
  'fs.timestamp_tick_us': { title: 'timestamp tick', unit: 'µs' },
  pagein: { title: 'page-in' },
  'readahead.pages': { title: 'readahead', unit: 'pages' },
};

/**
 * Workload generator parameters (`trace.set.PARAM` in a sweep), by parameter
 * name. Source: the schemas of workloads/presets/*.ts (their `doc` lines).
 */
export const PARAM_LABELS: Readonly<Record<string, KeyLabel>> = {
  duration_s: { title: 'trace length', unit: 's' },
  tasks: { title: 'tasks' },
  footprint: { title: 'footprint', unit: 'bytes' },
  rate: { title: 'write rate', unit: 'writes/s per task' },
  arrival: { title: 'arrivals' },
  write_size: { title: 'write size', unit: 'bytes' },
  sync_every: { title: 'msync every', unit: 'writes' },
  sync_interval_us: { title: 'msync interval', unit: 'µs' },
  sync_flags: { title: 'msync flags' },
  sync_range: { title: 'msync range' },
  page_size: { title: 'layout page size', unit: 'bytes' },
  dist: { title: 'page popularity' },
  theta: { title: 'Zipf exponent' },
  checkpoint_interval_us: { title: 'checkpoint interval', unit: 'µs' },
  record_min: { title: 'smallest log record', unit: 'bytes' },
  record_max: { title: 'largest log record', unit: 'bytes' },
  group_commit: { title: 'group commit', unit: 'transactions' },
  overlap: { title: 'shared window', unit: 'fraction' },
};

/** summary.json metrics (dotted paths), as README "Result files" describes them. */
export const METRIC_LABELS: Readonly<Record<string, KeyLabel>> = {
  ...latencyLabels('sync.latency_us', 'msync latency'),
  'sync.count': { title: 'msyncs' },
  'sync.ok': { title: 'successful msyncs' },
  'writeback.bytes': { title: 'written back' },
  'writeback.ios': { title: 'writeback I/Os' },
  'writeback.amplification': { title: 'write amplification' },
  'device.utilization': { title: 'device utilization', unit: '%', scale: 100 },
  'device.mean_queue_depth': { title: 'mean device queue depth' },
  'throttle.total_us': { title: 'writer throttling', unit: 'µs' },
  'throttle.max_us': { title: 'longest throttle', unit: 'µs' },
  'throttle.count': { title: 'throttle pauses' },
  'wire.peak_wired_pages': { title: 'peak wired', unit: 'pages' },
  'memory.evictions': { title: 'evictions', unit: 'pages' },
  'memory.pageins': { title: 'page-ins', unit: 'pages' },
  sim_time_us: { title: 'simulated time', unit: 'µs' },
  ...latencyLabels('txn.latency_us', 'transaction latency'),
  'txn.count': { title: 'transactions' },
  'txn.per_s': { title: 'transactions', unit: 'per s' },
  'txn.pending_at_end': { title: 'transactions pending at the end' },
  ...latencyLabels('durability.lag_us', 'durability lag'),
  'durability.durable_pages': { title: 'durable page versions' },
  'durability.never_durable_pages': { title: 'page versions never durable' },
  'throughput.ops_per_s': { title: 'trace operations', unit: 'per s' },
  'throughput.msyncs_per_s': { title: 'successful msyncs', unit: 'per s' },
  'replay.max_lag_end_us': { title: 'replay lag at the end', unit: 'µs' },
  'replay.stretched_tasks': { title: 'stretched tasks' },
  'writeback.pages': { title: 'written back', unit: 'pages' },
  'writeback.dirtied_bytes': { title: 'bytes stored by writes' },
  'writeback.by_cause.msync': { title: 'written back by msync' },
  'writeback.by_cause.syncer': { title: 'written back by the syncer' },
  'writeback.by_cause.pageout': { title: 'written back by pageout' },
  'writeback.by_cause.journal': { title: 'journal writes' },
  'writeback.by_cause.metadata': { title: 'metadata writes' },
  'wire.count': { title: 'wire calls' },
  'wire.failed': { title: 'failed wire and unwire calls' },
  ...latencyLabels('wire.latency_us', 'wire latency'),
  ...latencyLabels('wire.unwire_latency_us', 'unwire latency'),
  'wire.by_op.wire.count': { title: 'calls of wire' },
  'wire.by_op.wire.failed': { title: 'failed calls of wire' },
  'wire.by_op.unwire.count': { title: 'calls of unwire' },
  'wire.by_op.unwire.failed': { title: 'failed calls of unwire' },
  ...neverDurableLabels(),
  'device.max_queue_depth': { title: 'max device queue depth' },
  'device.flushes': { title: 'device cache flushes' },
  'memory.peak_resident_pages': { title: 'peak resident', unit: 'pages' },
  'pagein.ios': { title: 'page-in I/Os' },
  'pagein.pages': { title: 'paged in', unit: 'pages' },
  'pagein.bytes': { title: 'paged in' },
  'pagein.wait_us': { title: 'page-in wait', unit: 'µs' },
  'fs.commits': { title: 'journal commits' },
  'fs.flushes': { title: 'filesystem flushes' },
  'fs.journal_bytes': { title: 'journal written' },
  'fs.metadata_bytes': { title: 'metadata written' },
};

/** Labels of summary.json's `durability.never_durable_by`: page versions never durable, by why (sim/stats/durability.ts). */
function neverDurableLabels(): Record<string, KeyLabel> {
  const why: [string, string][] = [
    ['no_msync', 'on pages no msync covers'], ['after_last_msync', 'stored after the last msync'], ['replay_order', 'stored after an msync the trace has after them'], ['msync_wired', 'left by msyncs of wired pages'],
    ['msync_failed', 'left by failed msyncs'], ['msync_async', 'left by MS_ASYNC msyncs'], ['msync_unwritten', 'left by msyncs'],
    ['no_flush', 'in the write cache, no FLUSH'], ['dropped', 'dropped unwritten'], ['held_by_manager', 'held by a Mach manager'],
  ];
  return Object.fromEntries(why.map(([k, t]) => [`durability.never_durable_by.${k}`, { title: `page versions never durable: ${t}` }]));
}

/** Labels of a latency distribution's mean, percentiles and max (`txn.latency_us.p50` → `transaction latency p50 (µs)`). */
function latencyLabels(prefix: string, what: string): Record<string, KeyLabel> {
  const stats: [string, string][] = [['mean', `mean ${what}`], ['p50', `${what} p50`], ['p90', `${what} p90`], ['p99', `${what} p99`], ['p999', `${what} p99.9`], ['max', `max ${what}`]];
  return Object.fromEntries(stats.map(([k, title]) => [`${prefix}.${k}`, { title, unit: 'µs' }]));
}

/** Last segments that only say which statistic, not of what (`p50`, `mean`): a metric title keeps its parent. */
const STATISTIC = /^(mean|median|min|max|sd|count|p\d+)$/;

/** Units written as a name suffix (`seek_avg_ms`), for keys in no table. */
const SUFFIX_UNITS: [string, string][] = [
  ['_us', 'µs'], ['_ms', 'ms'], ['_s', 's'], ['_ns', 'ns'], ['_bytes', 'bytes'], ['_pages', 'pages'],
  ['_mbps', 'MB/s'], ['_mb', 'MB'], ['_gb', 'GB'], ['_pct', '%'], ['_ratio', '%'],
];

/** A readable label of a key in no table: its last segment, underscores as spaces, a unit suffix as the unit. */
export function fallbackLabel(key: string): KeyLabel {
  const last = key.slice(key.lastIndexOf('.') + 1);
  for (const [suffix, unit] of SUFFIX_UNITS) {
    if (last.endsWith(suffix) && last.length > suffix.length) return { title: last.slice(0, -suffix.length).replace(/_/g, ' '), unit };
  }
  return { title: last.replace(/_/g, ' ') };
}

/** The table label of a grid or configuration key (`trace.set.PARAM` is a generator parameter). */
export function keyLabel(key: string): KeyLabel {
  if (key.startsWith('trace.set.')) return PARAM_LABELS[key.slice('trace.set.'.length)] ?? fallbackLabel(key);
  return CONFIG_LABELS[key] ?? fallbackLabel(key);
}

/** The label of a summary.json metric; `sync.errors.CODE` counts msyncs that failed with CODE. */
export function metricLabel(metric: string): KeyLabel {
  const known = METRIC_LABELS[metric];
  if (known) return known;
  const err = /^(sync|wire)\.errors\.([A-Za-z0-9_]+)$/.exec(metric);
  if (err) return { title: `${err[1] === 'sync' ? 'msyncs' : 'wire calls'} failing with ${err[2]}` };
  const opErr = /^wire\.by_op\.(wire|unwire)\.errors\.([A-Za-z0-9_]+)$/.exec(metric);
  if (opErr) return { title: `${opErr[1]} calls failing with ${opErr[2]}` };
  const op = /^ops\.([A-Za-z0-9_]+)$/.exec(metric);
  if (op) return { title: `${op[1]} operations` };
  // `x.latency_us.p50` → `x latency p50 (µs)`, never a bare `p50`
  const parts = metric.split('.');
  if (parts.length >= 2 && STATISTIC.test(parts[parts.length - 1])) {
    const parent = fallbackLabel(parts.slice(0, -1).join('.'));
    const owner = parts.length >= 3 ? `${parts[parts.length - 3].replace(/_/g, ' ')} ` : '';
    const stat = parts[parts.length - 1] === 'p999' ? 'p99.9' : parts[parts.length - 1];
    return { title: `${owner}${parent.title} ${stat}`, unit: parent.unit };
  }
  return fallbackLabel(metric);
}

/** `title (unit)`, or the title alone. */
export function withUnit(l: KeyLabel): string {
  return l.unit ? `${l.title} (${l.unit})` : l.title;
}

/** Units of time, each 1,000 times the one before. */
export const TIME_UNITS: readonly string[] = ['ns', 'µs', 'ms', 's'];

/**
 * The unit an axis shows values of `unit` in, and what divides them into it: byte counts in the largest binary unit
 * that the smallest positive value holds once or more (1048576 to 16777216 bytes: 1 to 16 MiB, where SI prefixes
 * wrote 1.048576M), times in the largest of ns, µs, ms and s that it does (1000 to 16000 µs: 1 to 16 ms, not 1k to
 * 16k µs); other units, and values none of which is positive, as they are.
 */
export function axisUnit(unit: string | undefined, values: readonly number[]): { unit: string | undefined; div: number } {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return { unit, div: 1 };
  const least = Math.min(...positive);
  if (unit === 'bytes') {
    const [name, div] = byteUnit(least, 1);
    return { unit: name, div };
  }
  let at = unit === undefined ? -1 : TIME_UNITS.indexOf(unit);
  if (at < 0) return { unit, div: 1 };
  let div = 1;
  while (at < TIME_UNITS.length - 1 && least >= div * 1000) {
    div *= 1000;
    at++;
  }
  return { unit: TIME_UNITS[at], div };
}

/**
 * The axis title of grid key `key` over grid values `values`, in the unit {@link axisUnit} shows them in, and what
 * divides them into it: `msync interval (ms)` and 1000 for values in µs from 1,000 up; an override as it is (1).
 */
export function keyAxis(key: string, values: readonly number[], overrides: LabelOverrides = {}): { title: string; div: number; unit?: string } {
  if (Object.hasOwn(overrides, key)) return { title: overrides[key], div: 1 };
  const label = keyLabel(key);
  const { unit, div } = axisUnit(label.unit, values);
  return { title: withUnit({ title: label.title, unit }), div, ...(unit ? { unit } : {}) };
}

/** Whether `unit` is a time or a byte count, which axes and legends write in a larger unit (ms for 1,000 µs and more). */
export function scaledUnit(unit: string | undefined): boolean {
  return unit !== undefined && (TIME_UNITS.includes(unit) || BYTE_UNITS.some(([u]) => u === unit));
}

/**
 * How a report names the values of grid key `key`, whose grid values (as written) are `values`: every value
 * the grid gives it, so that the key has one unit in every figure of a report (the legends of the sweep lines,
 * the configuration names and legend titles of the other charts, compare's legend). A time or byte count in the
 * unit its own sweep axis shows it in ({@link keyAxis}: byte counts in the largest binary unit the smallest
 * value holds, times from 1,000 of a unit in the next one up: 2097152 bytes are `2` under `memlock limit
 * (MiB)`, 2000 µs `2` under `msync interval (ms)`); its `title` with that unit, `unit` and `div` (what divides
 * a value into it), and `text`, a value as the figures write it. A 0 that means no limit is its word
 * (`unlimited`: no-limit.ts), never `0`. An override's title, other units and values that are not all numbers
 * stay as written. Until 2026-12-06 a sweep line's legend beside an x axis of the same kind of unit wrote the
 * key in the x axis's unit, and the configuration names as written (`linux, 2097152` beside `2` MiB): a key
 * could have two units in one report.
 */
export function legendKey(key: string, values: readonly string[], overrides: LabelOverrides = {}): { title: string; text: (v: string) => string; unit?: string; div: number } {
  const label = keyLabel(key);
  const word = (v: string) => noLimitWord(key, v);
  const asIs = { title: keyTitle(key, overrides), text: (v: string) => word(v) ?? v, div: 1, ...(label.unit && !Object.hasOwn(overrides, key) ? { unit: label.unit } : {}) };
  const nums = values.map(Number);
  if (Object.hasOwn(overrides, key) || !scaledUnit(label.unit)) return asIs;
  if (values.some((v) => v.trim() === '') || !nums.every(Number.isFinite)) return asIs;
  const { unit, div } = axisUnit(label.unit, nums);
  const title = withUnit({ title: label.title, unit });
  if (div === 1) return { title, text: (v) => word(v) ?? v, unit, div };
  return { title, text: (v) => word(v) ?? (+(Number(v) / div).toPrecision(12)).toLocaleString('en-US', { maximumFractionDigits: 12 }), unit, div };
}

/**
 * A grid value with its unit, for a name that has no legend title to give the unit (compare's `A: memory
 * 1500 pages`): `1500 pages`, `2 MiB` ({@link legendKey}'s unit over the grid's `values`), the word of a 0
 * that means no limit (`unlimited`), a value of a key without a unit as it is (`freebsd`); a generator
 * parameter's size with a suffix as its byte count (`1M` among `1M`, `16M`: `1 MiB`; grid-sizes.ts).
 */
export function valueWithUnit(key: string, value: string, values: readonly string[], overrides: LabelOverrides = {}): string {
  if (noLimitWord(key, value) !== undefined) return noLimitWord(key, value)!;
  // a generator parameter's sizes with a suffix (`1M`) as their byte counts (`1 MiB`, not `1M bytes`)
  const sized = gridSizes(key, [...values, value]);
  const v = sized[sized.length - 1]!;
  const k = legendKey(key, sized.slice(0, -1), overrides);
  return k.unit && !Object.hasOwn(overrides, key) ? `${k.text(v)} ${k.unit}` : k.text(v);
}

/** An axis title that names its scale, inside the unit's parentheses when it ends in them: `msync latency (µs, log scale)`, `kernel (log scale)`. */
export function scaleTitle(title: string, scale: string): string {
  return title.endsWith(')') ? `${title.slice(0, -1)}, ${scale})` : `${title} (${scale})`;
}

/** Title overrides of an experiment's `labels:` mapping (key or metric → text). */
export type LabelOverrides = Readonly<Record<string, string>>;

/** The axis title of a grid or configuration key: the override, else `title (unit)` from the tables. */
export function keyTitle(key: string, overrides: LabelOverrides = {}): string {
  return Object.hasOwn(overrides, key) ? overrides[key] : withUnit(keyLabel(key));
}

/** The axis title of a metric: the override, else `title (unit)` from the tables. */
export function metricTitle(metric: string, overrides: LabelOverrides = {}): string {
  return Object.hasOwn(overrides, metric) ? overrides[metric] : withUnit(metricLabel(metric));
}

/** A short name for a legend title (`kernel, write cluster`): the override, else the title without its unit. */
export function keyShortTitle(key: string, overrides: LabelOverrides = {}): string {
  return Object.hasOwn(overrides, key) ? overrides[key] : keyLabel(key).title;
}

/** Metrics of METRIC_LABELS that are no count although they have no unit: a ratio, a mean, byte counts (drawn in binary units). */
const NOT_COUNTS = /^(writeback\.amplification|device\.mean_queue_depth|writeback\.by_cause\..*|.*bytes)$/;

/**
 * Whether summary.json metric `metric` counts things (msyncs, I/Os, pages, a result code's calls): its
 * axis is ticked at whole numbers only (a mean over seeds may be 0.33; a tick of 0.5 msyncs is none).
 */
export function countMetric(metric: string): boolean {
  if (/^((sync|wire|wire\.by_op\.(wire|unwire))\.errors|ops|faults)\.[A-Za-z0-9_]+$/.test(metric)) return true;
  const l = METRIC_LABELS[metric];
  if (!l || NOT_COUNTS.test(metric)) return false;
  return l.unit === undefined || l.unit === 'pages';
}

/**
 * File-name words for dotted names (`sync.latency_us.p99` → `p99`,
 * `trace.set.group_commit` → `group-commit`): the last segment, or as many
 * trailing segments as make it unique among `names`; lower case, every run
 * of other characters a hyphen, so a file name keeps a single dot. Names
 * are told apart as written in the file name, so two that differ only in
 * case or punctuation (`writeback.params.idleMs`, `pager.idlems`) take more
 * segments rather than one file name (until 2026-12-06 both were `idlems`),
 * and names alike in every segment (`a.idleMs`, `a.idlems`) a number
 * (`a-idlems`, `a-idlems-2`, in the order given); names that did not collide
 * keep the words they had.
 * A word says which statistic, not always of what: a sweep of
 * `durability.lag_us.p99` alone is `p99`, as one of `sync.latency_us.p99`
 * alone; the figure's axis and title name the metric in full.
 */
export function fileWords(names: readonly string[]): string[] {
  const parts = names.map((n) => n.split('.'));
  const word = (p: string[], k: number) => p.slice(Math.max(0, p.length - k)).join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  const raw = (p: string[], k: number) => p.slice(Math.max(0, p.length - k)).join('.');
  // each name's word of as many trailing segments as tell it from the others by `key`
  const apart = (key: (p: string[], k: number) => string) => parts.map((p) => {
    let k = 1;
    while (k < p.length && parts.some((q) => q !== p && key(q, k) === key(p, k))) k++;
    return word(p, k);
  });
  // segments taken while the names as written collide (the rule file names were made by before 2026-12-06) ...
  const byRaw = apart(raw);
  if (new Set(byRaw).size === byRaw.length) return byRaw;
  // ... unless their file names collide: then while those do, and a number after any still alike (`size`, `size-2`)
  const words = apart(word);
  const seen = new Map<string, number>();
  return words.map((w) => {
    const n = (seen.get(w) ?? 0) + 1;
    seen.set(w, n);
    return n === 1 ? w : `${w}-${n}`;
  });
}
