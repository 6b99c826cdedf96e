/**
 * The messages between a sweep and its worker threads: a run to replay, or a trace to
 * generate, and the answer (each task's files are in place when the answer says ok).
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

/** A task for a worker. */
export type SweepTask = RunTask | GenTask;

/** A worker's answer. */
export type TaskReply = { ok: true; elapsed_s: number } | { ok: false; error: string };
