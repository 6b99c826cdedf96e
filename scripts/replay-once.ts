/**
 * One replay of a `syncsim run` (scripts/run.ts, runTrace, which may replay a run twice: once
 * more from the CSV when the rows came from a cache of another version of it): the trace opened,
 * the simulator fed, the results staged, and committed only once the provenance's hash of the
 * trace is known and the rows are shown to be of that trace.
 */
import { openTrace, type OpenTrace } from '../traces/open.ts';
import { Simulator } from '../sim/simulator.ts';
import { RowBlock } from '../traces/types.ts';
import type { Config } from '../sim/config.ts';
import { makeSummary, type RunSummary, type Summary } from '../sim/stats/summary.ts';
import { NULL_SINK, type ResultSink } from '../sim/stats/records.ts';
import { ResultsDir } from './results.ts';
import { VERSION } from './version.ts';
import { workerModule } from './worker-module.ts';
import { fileSha256, startProvenance } from './provenance.ts';
import { bootstrapCi, meanStat, quantileStat } from './compare/stats.ts';
import { blockPlan } from './compare/block-length.ts';
import type { RowStream } from '../traces/rows.ts';
import type { SimPlugins } from '../sim/plugin/plugins.ts';
import { RESULT_CSVS } from './result-files.ts';
import { cacheBeforeReplay, knownTraceEndUs } from '../traces/trace-end.ts';
import { checkGivenPeriod, chosenPeriodUs } from '../sim/stats/timeline-period.ts';
import type { RunOptions } from './run.ts';

/** What an interrupt of a run finds under way: the staged results and the open trace of the replay, if any. */
export interface LiveReplay {
  dir?: ResultsDir;
  source?: OpenTrace;
}

/**
 * One replay of a run: its summary, the results committed; or, when its rows came from a cache
 * made from another version of the CSV than the one its provenance hashed, what was found
 * (nothing committed, nothing kept).
 */
export type Replayed =
  | { summary: RunSummary; tellStretched?: () => void }
  | { stale: { cachePath: string; cacheSha256: string; fileSha256: string } };

/**
 * Replays the run `opts` once (scripts/run.ts, runTrace), begun at `startedMs`; `knownSha256`, the
 * trace's SHA-256 when an earlier replay of the run hashed it. Any error drops what was staged.
 */
export async function replayOnce(opts: RunOptions, live: LiveReplay, startedMs: number, knownSha256?: string): Promise<Replayed> {
  let dir: ResultsDir | undefined;
  let source: OpenTrace | undefined;
  try {
    dir = live.dir = opts.out ? new ResultsDir(opts.out, opts.resultThread === false ? undefined : await workerModule('result-worker'), opts.results ?? new Set(RESULT_CSVS)) : undefined;
    const sink: ResultSink = dir ?? opts.sink ?? NULL_SINK;
    const given = opts.rows;
    let known = knownSha256;
    if (!given) {
      // a gzip trace: cached first, so that its end is known before the run (the sampling period)
      if (opts.cacheDir) known = (await cacheBeforeReplay(opts.trace, opts.cacheDir, opts.progressTap)) ?? known;
      source = live.source = await openTrace(opts.trace, { cacheDir: opts.cacheDir, onCacheProblem: opts.onCacheProblem, progressTap: opts.progressTap, sha256: known });
      opts.onSource?.(source.kind, source.rowCount);
    }
    const provenance = startProvenance(opts.trace, opts.command ?? ['node', ...process.argv.slice(1)], knownHash(opts.trace, given, source, known), startedMs);
    const config = samplingConfig(opts, source);
    const sim = new Simulator(config, sink, { plugins: opts.plugins });
    for await (const batch of given?.batches ?? source!.batches) {
      // rows parsed from CSV wait as columns too (a lagging task buffers many): far less for the collector
      sim.feed(batch instanceof RowBlock ? batch : RowBlock.fromRows(batch));
      sim.run();
      dir?.flush();
      opts.progress?.(sim.rowCount, sim.engine.now / 1000);
    }
    sim.end();
    sim.run();
    dir?.writeTasks(sim.taskStats.records());
    const stretched = sim.taskStats.stretched(sim.traceEndNs);
    const result = sim.result();
    if (opts.ci) result.sync.latency_ci_us = await latencyCis(sim.syncLatenciesNs(), opts.ci);
    // the point where the run always waited for the trace's hash (its provenance)
    const trail = await provenance.finish();
    if (source?.cacheSha256 !== undefined && trail.trace_sha256 !== source.cacheSha256) {
      dir?.abort();
      source.finish(false);
      live.dir = live.source = undefined;
      return { stale: { cachePath: source.cachePath!, cacheSha256: source.cacheSha256, fileSha256: trail.trace_sha256 } };
    }
    const summary = { ...makeSummary(VERSION, opts.trace, sim.rowCount, config, result), provenance: { ...trail, ...pluginHashes(opts.plugins) } };
    dir?.commit(JSON.stringify(summary, null, 2) + '\n');
    source?.finish(true);
    live.dir = live.source = undefined;
    return { summary, ...(stretched.length > 0 ? { tellStretched: () => opts.onStretched?.(stretched, sim.traceEndNs) } : {}) };
  } catch (e) {
    dir?.abort();
    source?.finish(false);
    live.dir = live.source = undefined;
    throw e;
  }
}

/**
 * How a replay learns the SHA-256 its provenance records without hashing the trace again: rows
 * given in code say theirs; a CSV read while its cache was written was hashed as it was read
 * (the hash of the very bytes replayed); a cache read after `known` (the CSV's, hashed earlier in
 * this run) was checked to record it. Undefined otherwise: the provenance hashes the file beside
 * the replay (scripts/provenance.ts).
 */
function knownHash(trace: string, given: RowStream | undefined, source: OpenTrace | undefined, known: string | undefined): (() => string | Promise<string>) | undefined {
  if (given) return () => given.sha256();
  const read = source?.kind === 'csv+cache' ? source.readSha256 : undefined;
  if (read) return () => read() ?? fileSha256(trace);
  if (source?.kind === 'cache' && known !== undefined && source.cacheSha256 === known) return () => known;
  return undefined;
}

/**
 * The configuration a run replays with: `opts.config`, its `stats.sample_us` chosen for the
 * trace's length when `opts.samplePeriod` is `auto` and the trace's end is known before the
 * run; a given period that would pass the timeline's limit over that end throws a ConfigError.
 */
function samplingConfig(opts: RunOptions, source: OpenTrace | undefined): Config {
  const endUs = source === undefined ? undefined : knownTraceEndUs(source.kind === 'cache' ? source.cachePath! : opts.trace, source.kind === 'cache');
  const c = opts.config;
  if (endUs === undefined) return c;
  if (opts.samplePeriod !== 'auto') {
    checkGivenPeriod(c.stats.sample_us, endUs);
    return c;
  }
  const periodUs = chosenPeriodUs(endUs);
  if (periodUs === c.stats.sample_us) return c;
  opts.onSamplePeriod?.(periodUs, endUs);
  return { ...c, stats: { ...c.stats, sample_us: periodUs } };
}

/** provenance.plugin_sha256 of the plugin files a run loaded (nothing without plugins). */
function pluginHashes(p: SimPlugins | undefined): { plugin_sha256?: Record<string, string> } {
  const out: Record<string, string> = {};
  if (p?.writeback?.sha256) out['writeback.policy'] = p.writeback.sha256;
  if (p?.scheduler?.sha256) out['device.discipline'] = p.scheduler.sha256;
  return Object.keys(out).length > 0 ? { plugin_sha256: out } : {};
}

/**
 * Bootstrap CIs (µs, rounded to the ns) of the mean, p50, p90 and p99 of latencies `ns` (in
 * completion order), resampled in blocks of as many msyncs as their autocorrelation asks for
 * ({@link blockPlan}).
 */
async function latencyCis(ns: Float64Array, o: { reps: number; level: number; seed: number }): Promise<NonNullable<Summary['sync']['latency_ci_us']>> {
  const { block } = await blockPlan(ns);
  const us = (x: [number, number] | null): [number, number] | null => (x ? [Math.round(x[0]) / 1000, Math.round(x[1]) / 1000] : null);
  const ci = async (stat: (v: Float64Array) => number) => us(await bootstrapCi(ns, stat, { ...o, block }));
  return { level: o.level, reps: o.reps, seed: o.seed, block, mean: await ci(meanStat), p50: await ci(quantileStat(0.5)), p90: await ci(quantileStat(0.9)), p99: await ci(quantileStat(0.99)) };
}

