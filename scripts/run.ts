/**
 * `syncsim run`: replays one trace and writes its results.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { cacheMatches, sourceIdentity } from '../traces/cache.ts';
import { cpuCostsText } from '../sim/cpu-costs.ts';
import type { Config } from '../sim/config.ts';
import type { RunSummary, Summary } from '../sim/stats/summary.ts';
import type { TraceSourceKind } from '../traces/open.ts';
import type { ResultSink } from '../sim/stats/records.ts';
import type { ResultCsv } from './result-files.ts';
import { replayOnce, type LiveReplay, type Replayed } from './replay-once.ts';
import { dropStaleCache, staleCacheMessage } from '../traces/cache-stale.ts';
import type { TaskRecord } from '../sim/stats/tasks.ts';
import type { LatencySummary } from '../sim/stats/latency.ts';
import type { RowStream } from '../traces/rows.ts';
import type { ByteTap } from '../traces/byte-tap.ts';
import type { SimPlugins } from '../sim/plugin/plugins.ts';
import { withPluginPlace } from './plugins.ts';
import { escapeControl } from '../traces/escape.ts';
import { groupedCount } from '../sim/stats/count-text.ts';
import { plural } from './plural.ts';
import { endBySignal, onStopSignal, sayOnStop } from './interrupt.ts';
import { TAIL_NEEDS } from '../reports/tail-note.ts';
import { changedFigures } from '../sim/device/profiles.ts';
import { neverDurableCauses } from '../reports/never-durable.ts';
import { FS_SENDS_FLUSH } from '../sim/fs/filesystem.ts';

/** Options of one run. */
export interface RunOptions {
  trace: string;
  config: Config;
  /** Results directory; undefined = write no files. */
  out?: string;
  /** Told each record as the run makes it (msyncs, writeback and timeline) when there is no `out` (ignored with one: the files take them); default none. */
  sink?: ResultSink;
  /** Told the rows replayed so far and the simulated µs after each batch of rows (often: it should only note them). */
  progress?: (rows: number, simUs: number) => void;
  /** Sees the bytes of a CSV trace as they are read (how far the read is, for progress); not told when the rows come from a cache. */
  progressTap?: ByteTap;
  /** Directory of the binary trace cache; undefined = no cache (an `.sst` trace is still read directly). */
  cacheDir?: string;
  /** Told where the rows come from once the trace is open, and how many there are when that is known (a cache's header says). */
  onSource?: (kind: TraceSourceKind, rowCount?: number) => void;
  /** Told why the trace's cache could not be written (the run goes on and its results are kept), or was found stale or corrupted. */
  onCacheProblem?: (message: string) => void;
  /**
   * Told, in one line, that the rows came from a cache made from another version of the CSV than
   * the one the run hashed (its size and mtime the same): the cache is deleted, nothing of that
   * replay kept, and the trace replayed again from its CSV (default: told to `onCacheProblem`).
   */
  onStaleCache?: (message: string) => void;
  /** The command line recorded in summary.json's provenance (default: this process's arguments). */
  command?: readonly string[];
  /** Percentile-bootstrap CIs of the msync latency statistics over the run's msyncs (`run --ci bootstrap`). */
  ci?: { reps: number; level: number; seed: number };
  /** Told the tasks that closed replay left more than 5 % of the trace's duration behind, once the results are written (an error it throws loses none). */
  onStretched?: (tasks: TaskRecord[], traceEndNs: number) => void;
  /** Rows to replay instead of reading `trace`, which then only names them (summary.json `trace.path`, errors). */
  rows?: RowStream;
  /** On SIGINT / SIGTERM / SIGHUP remove the staged results and exit (the CLI; default true). */
  handleSignals?: boolean;
  /** The plugins the configuration names, loaded (scripts/plugins.ts). */
  plugins?: SimPlugins;
  /**
   * Print the result files in a thread of their own once a run has made many records (default
   * true). A sweep, whose runs already fill every core, prints them in the run's thread.
   */
  resultThread?: boolean;
  /** The CSV files written to `out` (scripts/result-files.ts); default every one. summary.json is always written, the same whatever is chosen. */
  results?: ReadonlySet<ResultCsv>;
  /**
   * `auto`: `config.stats.sample_us` was not given, so a trace whose end is known before the run
   * (a binary cache, a plain CSV: traces/trace-end.ts) samples at the period chosen for its
   * length (sim/stats/timeline-period.ts; 1 ms up to about 1,000 s); `given` (default): the
   * configuration's period, refused at once when it would pass the timeline's limit over that end.
   */
  samplePeriod?: 'auto' | 'given';
  /** Told the period (µs) an `auto` run chose when it is not the configuration's, with the trace's end (µs), before the run. */
  onSamplePeriod?: (periodUs: number, traceEndUs: number) => void;
}

/** The default results directory for a trace as written, not normalised: `results/<trace name without .csv/.gz>`. */
export function defaultOutName(trace: string): string {
  const name = basename(trace).replace(/\.gz$/, '').replace(/\.(csv|sst)$/, '');
  return `results/${name || 'trace'}`;
}

/**
 * The trace whose results the default results directory `out` holds, when it is another trace
 * than `trace` (its summary.json names a file that exists from here and is neither `trace`, nor
 * the binary cache made from `trace`, nor the trace the cache `trace` was made from: t.csv and the
 * t.sst `convert` made from it count as one trace; t, t.csv and t.csv.gz are three); undefined
 * otherwise, when `out` holds no readable summary, or when the path it names does not resolve to
 * a file from here (a run from another working directory).
 */
export function otherTraceResults(out: string, trace: string): string | undefined {
  let stored: unknown;
  try {
    stored = (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { trace?: { path?: unknown } }).trace?.path;
  } catch {
    return undefined;
  }
  if (typeof stored !== 'string' || stored === '') return undefined;
  let a, b;
  try {
    a = statSync(stored);
    b = statSync(trace);
  } catch {
    return undefined;
  }
  if (!a.isFile() || (a.dev === b.dev && a.ino === b.ino)) return undefined;
  return isCacheOf(trace, stored) || isCacheOf(stored, trace) ? undefined : stored;
}

/** Whether `cache` is a binary trace cache (.sst) made from the trace `source` as it is now (its size, mtime and fingerprint). */
function isCacheOf(cache: string, source: string): boolean {
  if (!/\.sst$/.test(cache) || /\.sst$/.test(source)) return false;
  try {
    return cacheMatches(cache, sourceIdentity(source));
  } catch {
    return false; // an unreadable source: nothing shows the cache is its
  }
}

/** The default results directory for a trace: results/<trace name without .csv/.gz>, absolute. */
export function defaultOutDir(trace: string): string {
  return resolve(defaultOutName(trace));
}

/**
 * Replays `trace` with `config`. Result files appear in `out` only if the
 * whole run succeeds; on any error the error propagates and nothing is left.
 * Rows read from the trace's cache are kept only when the cache was made
 * from the CSV as its provenance hashes it: a cache of another version of
 * the CSV (edited with its size and mtime kept) is deleted, said through
 * `onStaleCache`, and the trace replayed again from its CSV, whose results
 * are the run's.
 */
export async function runTrace(opts: RunOptions): Promise<RunSummary> {
  // an interrupted run leaves nothing behind: the handlers are in place before the staging directory exists
  const live: LiveReplay = {};
  const onSignal = (sig: NodeJS.Signals) => {
    live.dir?.abort();
    live.source?.finish(false);
    sayOnStop(`\nsyncsim: interrupted (${sig}); no results written${keptNote(opts.out)}\n`);
    endBySignal(sig);
  };
  const release = (opts.handleSignals ?? true) ? onStopSignal(onSignal) : () => {};
  const startedMs = Date.now();
  let done: Replayed;
  try {
    done = await replayOnce(opts, live, startedMs);
    if ('stale' in done) {
      const { cachePath, cacheSha256, fileSha256 } = done.stale;
      dropStaleCache(cachePath, cacheSha256);
      (opts.onStaleCache ?? opts.onCacheProblem)?.(staleCacheMessage(cachePath, opts.trace, cacheSha256, fileSha256, 'and the trace is replayed again from its CSV, whose results are kept'));
      // the CSV's hash is known now: a cache that records another is not read again
      done = await replayOnce(opts, live, startedMs, fileSha256);
      if ('stale' in done) throw new Error(`${opts.trace}: its cache records SHA-256 ${done.stale.cacheSha256} and its provenance ${done.stale.fileSha256} after the cache was checked against the latter (a fault of syncsim)`);
    }
  } catch (e) {
    // a plugin that threw: where in its file
    throw withPluginPlace(e, opts.plugins);
  } finally {
    release();
  }
  // told once the results are written: a caller's callback that throws loses none
  done.tellStretched?.();
  return done.summary;
}

/** What an interrupted run adds to `no results written` when `out` holds an earlier run's results, which stay as they were. */
export function keptNote(out: string | undefined): string {
  return out !== undefined && existsSync(join(out, 'summary.json')) ? `, the earlier results in ${escapeControl(out)} are kept` : '';
}

/** After the CI row: how the msyncs were resampled, when in blocks (nothing for one by one, or a summary written before blocks). */
const blocksNote = (block: number | undefined) => (block !== undefined && block > 1 ? `  (msyncs resampled in blocks of ${block}: not independent)` : '');

const fmt = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));

/** A share as a percentage a reader can tell from 0: one decimal from 1 % up, two significant digits below (0.033%), `<0.0001%` below that, 0% only for 0, `-` when not a number. */
export function percentText(share: number): string {
  if (!Number.isFinite(share)) return '-';
  const pct = share * 100;
  if (pct > 0 && pct < 0.0001) return '<0.0001%';
  const small = +pct.toPrecision(2);
  return pct === 0 ? '0%' : small >= 1 ? `${pct.toFixed(1)}%` : `${small}%`;
}

/**
 * The table's caveat for tail percentiles resting on few msyncs (`n` successful ones, of which a
 * warm-up leaves some out): a p99 of fewer
 * than 100 is the largest or next to it, a p99.9 of fewer than 1,000 near it; none otherwise.
 */
function tailRows(n: number, any: boolean, warmup: boolean): [string, string][] {
  const { p99, p999 } = TAIL_NEEDS;
  if (!any || n >= p999) return [];
  // (a warm-up leaves some of the successful msyncs out)
  const count = `${warmup ? 'at most ' : ''}${groupedCount(n)} msync${n === 1 ? '' : 's'}`;
  const needs = groupedCount;
  return [['  tail', n < p99 ? `p99 and p99.9 of ${count} are the largest or near it (a p99 needs ${needs(p99)}, a p99.9 ${needs(p999)})` : `p99.9 of ${count} is near the largest (a p99.9 needs ${needs(p999)})`]];
}

/** The share of page versions never durable from which {@link summaryTable} explains them: 5 %. */
export const NEVER_DURABLE_NOTE_SHARE = 0.05;

/**
 * The table's note under `durability` when {@link NEVER_DURABLE_NOTE_SHARE} or more of the page versions
 * stored were never durable while some were, or while the trace had no msync (none durable
 * with msyncs is a warning of `run`'s own): how many for each cause the run had
 * (reports/never-durable.ts: stored after the trace's last msync of their pages, stored after an
 * msync the trace has after them, on pages no msync covers, ...); none otherwise. A summary
 * written before `replay_order` cannot tell the first two apart: in a closed replay of several
 * tasks that ran late with some stored after the last msync covering them, it says how the
 * replay can put a store after an msync the trace has after it. README "Result files" has the
 * caveat.
 */
export function neverDurableRows(s: Summary): [string, string][] {
  const { durable_pages: durable, never_durable_pages: never } = s.durability;
  const share = never / (durable + never);
  const by = s.durability.never_durable_by;
  // none durable: with msyncs, run's warning says why; without, this note says it too (a summary before never_durable_by cannot)
  if ((durable === 0 && (s.sync.count > 0 || by === undefined)) || !(share >= NEVER_DURABLE_NOTE_SHARE)) return [];
  const r = s.replay;
  const late = by?.replay_order === undefined && s.config.replay === 'closed' && r !== undefined && r.tasks > 1 && r.max_lag_end_us > 0 && (by === undefined || by.after_last_msync > 0)
    ? `; in closed replay a task runs late by the time its own msyncs took, so its store can come after another task's msync that the trace has after it (--replay open keeps the trace's order)`
    : '';
  // a summary written before never_durable_by: the causes named then
  const causes = by === undefined
    ? `stored after the last msync covering them ran${s.config.device.write_cache ? ', or reached the drive\'s volatile cache with no FLUSH after' : ''}`
    : neverDurableCauses(s).join(', ');
  return [['  never durable', `${percentText(share)} of the page versions (${groupedCount(never)}): ${causes}${late}; see README.md, "Result files"`]];
}

/**
 * The table's `device / cpu` row: the device profile and whether it has a volatile write cache
 * (without one no FLUSH is sent, and sync costs no FLUSH), and where the CPU costs come from (the
 * defaults were measured on a Linux VM and are charged to every personality: docs/configuration.md, "CPU
 * costs"), with the one that weighs most in an msync, `cpu.clean_page_us`. A reader of the
 * table alone would not know either (a new user's trial, 2026-12-06).
 */
export function setupRow(c: Config): [string, string] {
  const d = c.device;
  const changed = changedFigures(d as unknown as { profile: string } & Record<string, unknown>);
  const own = changed.length === 0 ? '' : ` with ${changed.length} figure${changed.length === 1 ? '' : 's'} of its own (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', ...' : ''})`;
  // with a write cache, whether a sync empties it depends on the filesystem: ufs, apfs and none send no FLUSH
  const cache = !d.write_cache ? 'no write cache (no FLUSH)'
    : FS_SENDS_FLUSH[c.fs.kind] ? 'volatile write cache (a sync sends a FLUSH)' : `volatile write cache (fs ${c.fs.kind} sends no FLUSH: synced data stays in it)`;
  const device = `${d.profile}${own}, ${cache}`;
  const cpu = cpuCostsText(c.cpu, '; docs/configuration.md, "CPU costs"');
  return ['device / cpu', `${escapeControl(device)} / ${cpu}`];
}

/** `KEY n, KEY n` of result codes. */
const codes = (errors: Record<string, number>) => Object.entries(errors).map(([k, n]) => `${k} ${n}`).join(', ');

/** The latency figures of the table's rows (µs): mean, p50, p90, p99, p99.9 and max. */
const latencyText = (l: LatencySummary) => `mean ${fmt(l.mean)}  p50 ${fmt(l.p50)}  p90 ${fmt(l.p90)}  p99 ${fmt(l.p99)}  p99.9 ${fmt(l.p999)}  max ${fmt(l.max)}`;

/**
 * The table's `wire/unwire` row: the calls of each op and which failed, with their codes (a
 * failed wire and a failed unwire say different things), and the peak of wired pages; then the
 * latency of the successful calls of each op, when there were any. A summary written before
 * `wire.by_op` (2026-12-06) gets the row it had.
 */
export function wireRows(s: Summary): [string, string][] {
  const w = s.wire;
  const peak = `peak ${w.peak_wired_pages} wired pages`;
  if (w.by_op === undefined || w.count === 0) return [['wire/unwire', `${plural(w.count, 'call')}${Object.entries(w.errors).map(([k, n]) => `, ${k} ${n}`).join('')}, ${peak}`]];
  const op = (name: 'wire' | 'unwire') => {
    const o = w.by_op[name];
    return `${name} ${o.count}${o.failed > 0 ? ` (${o.failed} failed: ${codes(o.errors)})` : ''}`;
  };
  const rows: [string, string][] = [['wire/unwire', `${plural(w.count, 'call')}: ${op('wire')}, ${op('unwire')}; ${peak}`]];
  for (const [name, l] of [['wire', w.latency_us], ['unwire', w.unwire_latency_us]] as const) {
    if (l.mean !== null) rows.push([`${name} latency (µs)`, latencyText(l)]);
  }
  return rows;
}

/**
 * The table's `memory` row, when the run had a memory limit (`memory.pages`) or evicted pages:
 * the limit, the most pages resident at once, the pages the pageout daemon evicted and the
 * pages brought in (first touches included); none otherwise.
 */
export function memoryRows(s: Summary): [string, string][] {
  const limit = s.config.memory.pages, m = s.memory;
  if (!(limit > 0) && m.evictions === 0) return [];
  return [['memory', `${limit > 0 ? `limit ${limit} pages` : 'no limit'}, peak resident ${m.peak_resident_pages} pages, evictions ${m.evictions} pages, page-ins ${m.pageins} pages`]];
}

/**
 * The table's `throttle` row, when background writeback paused writers (the flusher's
 * balance_dirty_pages with a finite memory, or a plugin's balance()): how many pauses, their
 * total and the longest; none otherwise. It is often why closed replay stretched a task.
 */
export function throttleRows(s: Summary): [string, string][] {
  const t = s.throttle;
  if (!t || !(t.count > 0)) return [];
  return [['throttle', `${t.count} pauses of writers by background writeback, ${fmt(t.total_us / 1000, 1)} ms in all, longest ${fmt(t.max_us / 1000, 1)} ms`]];
}

/**
 * The file system's FLUSH count as the table prints it: `35 flushes`, and, when the device has no
 * volatile write cache (so none of them reached it: Linux completes such a FLUSH without sending
 * it, and `device.flushes` stays 0), `35 flushes asked, none sent (no write cache)`, so that the
 * filesystem line does not seem to contradict the device's.
 */
export function fsFlushesText(s: Pick<Summary, 'fs' | 'device' | 'config'>): string {
  const n = `${s.fs.flushes} flush${s.fs.flushes === 1 ? '' : 'es'}`;
  return s.fs.flushes > 0 && !s.config.device.write_cache ? `${n} asked, none sent (no write cache)` : n;
}

/** A readable table of the main results. */
export function summaryTable(s: Summary): string {
  const lat = s.sync.latency_us;
  const rows: [string, string][] = [
    ['trace', `${escapeControl(s.trace.path)} (${plural(s.trace.rows, 'row')})`],
    ['personality / replay', `${s.config.personality} / ${s.config.replay}, seed ${s.config.seed}`],
    setupRow(s.config),
    ['simulated time', `${fmt(s.sim_time_us / 1000, 3)} ms`],
    ['ops', Object.entries(s.ops).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || '(none)'],
    ['faults', `unmapped_write ${s.faults.unmapped_write}, unmapped_read ${s.faults.unmapped_read}`],
    ['msync', `${plural(s.sync.count, 'call')}, ${s.sync.ok} OK${Object.entries(s.sync.errors).map(([k, n]) => `, ${k} ${n}`).join('')}`],
    ['msync latency (µs)', latencyText(lat)],
    ...tailRows(s.sync.ok, lat.max !== null, s.config.stats.warmup_us > 0),
    ...(s.sync.latency_ci_us ? [[`${Math.round(s.sync.latency_ci_us.level * 100)} % CI (µs)`, (['mean', 'p50', 'p90', 'p99'] as const)
      .map((k) => { const c = s.sync.latency_ci_us![k]; return `${k} ${c ? `[${fmt(c[0])}, ${fmt(c[1])}]` : '-'}`; }).join('  ') + blocksNote(s.sync.latency_ci_us.block)] as [string, string]] : []),
    ['writeback', `${plural(s.writeback.ios, 'I/O')}, ${plural(s.writeback.pages, 'page')}, ${s.writeback.bytes} bytes (${Object.entries(s.writeback.by_cause).map(([k, v]) => `${k} ${v}`).join(', ')})`],
    ['amplification', s.writeback.amplification === null ? '-' : `${s.writeback.amplification.toFixed(3)} (written back / ${s.writeback.dirtied_bytes} bytes stored)`],
    ['durability', `${plural(s.durability.durable_pages, 'page version')} made durable, ${s.durability.never_durable_pages} never (by the run's end); lag (µs) p50 ${fmt(s.durability.lag_us.p50)}  p99 ${fmt(s.durability.lag_us.p99)}`],
    ...neverDurableRows(s),
    ...wireRows(s),
    ...memoryRows(s),
    ...throttleRows(s),
    ['device', `utilization ${percentText(s.device.utilization)} of ${s.config.device.channels} command slot${s.config.device.channels === 1 ? '' : 's'}, queue depth mean ${s.device.mean_queue_depth.toFixed(3)} max ${s.device.max_queue_depth}${s.device.flushes !== undefined ? `, ${s.device.flushes} flushes` : ''}`],
    ['filesystem', `${s.fs.kind}: ${s.fs.commits} commits, ${fsFlushesText(s)}, journal ${s.fs.journal_bytes} bytes, metadata ${s.fs.metadata_bytes} bytes`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
