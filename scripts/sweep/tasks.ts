/**
 * The messages between a sweep and its worker threads: a run to replay, a trace to
 * generate or to cache, and the answer (each task's files are in place when the answer says ok).
 */
import type { Config } from '../../sim/config.ts';
import type { Json } from './identity.ts';
import type { RunRecord } from './store.ts';

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
}

/** Generate preset `gen` with parameters `set` and `seed` into `staging`, then rename it to `final`. */
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
}

/** A task for a worker. */
export type SweepTask = RunTask | GenTask | CacheTask;

/**
 * A worker's answer; `source` says where a run's rows came from (`cache`, or
 * `csv`/`csv+cache`) or what a cache task did (`cache`: valid already,
 * `csv+cache`: built, `direct`: the trace is an .sst).
 */
export type TaskReply = { ok: true; elapsed_s: number; source?: string } | { ok: false; error: string };
