/**
 * The messages between a sweep and its worker threads: a run to replay, a trace to
 * generate or to cache, and the answer (each task's files are in place when the answer says ok).
 */
import type { Config } from '../../sim/config.ts';
import type { Json } from './identity.ts';
import type { RunRecord } from './store.ts';
import type { TraceChange } from './trace-guard.ts';
import type { ResultCsv } from '../result-files.ts';

/** Replay `trace` with `config` into `staging`, then move the finished directory to `final`. */
export interface RunTask {
  kind: 'run';
  id: string;
  /** Path of the trace file. */
  trace: string;
  /** How messages name the trace (independent of where the sweep directory is). */
  display: string;
  config: Config;
  /** Scratch directory of the sweep process. */
  staging: string;
  /** `DIR/runs/<id>`. */
  final: string;
  record: Omit<RunRecord, 'status' | 'error' | 'elapsed_s'>;
  /** The binary trace cache directory (read, made if need be), or undefined to read the CSV. */
  cacheDir?: string;
  /** When the configuration names plugin files: the directory they are relative to (the experiment file's). */
  pluginDir?: string;
  /** The sweep's command line, recorded as the run's `provenance.command` (SweepOptions.command). */
  command: string[];
  /**
   * The SHA-256 of the version of the trace the sweep replays (trace-guard.ts): a run that replayed
   * another, or whose trace changed while it ran, is not kept and answers `changed`. Undefined: not
   * checked (a trace generated before syncsim recorded its hash).
   */
  traceSha256?: string;
  /** The CSVs the run writes besides summary.json (`sweep --results`). */
  results: ResultCsv[];
  /** `auto`: the experiment gives no `stats.sample_us`, so the run chooses it from its trace's end (scripts/run.ts); `given`: it does. */
  samplePeriod: 'auto' | 'given';
}

/**
 * Generate preset `gen` with parameters `set` and `seed` into `staging`, then rename it to `final`,
 * its SHA-256 record (`final`.sha256, trace-guard.ts) put beside it first; the answer's `sha256`.
 */
export interface GenTask {
  kind: 'gen';
  gen: string;
  set: Record<string, Json>;
  seed: number;
  staging: string;
  final: string;
}

/** Make sure `trace` has a valid binary cache in `cacheDir`, so that the runs replaying it read that. */
export interface CacheTask {
  kind: 'cache';
  trace: string;
  display: string;
  cacheDir: string;
  /** The trace's SHA-256 as the sweep knows it (trace-guard.ts): a cache that records another is stale, and made again. */
  sha256?: string;
}

/** A task for a worker. */
export type SweepTask = RunTask | GenTask | CacheTask;

/**
 * A write of the sweep's own directory (a run's results or record, a generated trace) that the
 * storage refused as a whole (traces/write-failures.ts, STORAGE_REFUSALS: a full disk, a quota, a
 * read-only or failing file system): every later run would fail alike, so the sweep stops.
 */
export interface StorageRefused {
  /** The file (or directory) that could not be written, relative to the sweep directory (`runs/ID/syncs.csv`), or absolute when outside it. */
  file: string;
  /** The system's message (`ENOSPC: no space left on device, write`). */
  message: string;
  /** Its errno code (`ENOSPC`). */
  code: string;
}

/**
 * A worker's answer; `source` says where a run's rows came from (`cache`, or
 * `csv`/`csv+cache`) or what a cache task did (`cache`: valid already,
 * `csv+cache`: built, `direct`: the trace is an .sst); `sha256`, the SHA-256 of
 * a trace generated; `sampleUs`, the timeline's period a run chose for its trace's length when it is not the
 * configuration's; `warnings`, lines for the sweep to print (a cache found made from another
 * version of its trace, deleted). A failure of the storage rather than of the task says so
 * in `storage`; a run whose trace was not the sweep's version, in `changed`.
 */
export type TaskReply =
  | { ok: true; elapsed_s: number; source?: string; sha256?: string; sampleUs?: number; warnings?: string[] }
  | { ok: false; error: string; storage?: StorageRefused; changed?: TraceChange };
