/**
 * The binary caches of a sweep's traces, each made once before the runs that replay it, so that
 * every run reads the cache instead of parsing the CSV: the trace given as a file (an experiment
 * has at most one) in the sweep's own thread while the workers start, a generated trace on a
 * worker once it is made. A malformed trace file stops the sweep before its runs (exit 2); runs
 * whose trace could not be cached otherwise read the CSV (and report its errors themselves).
 */
import { performance } from 'node:perf_hooks';
import { ensureCache } from '../../traces/open.ts';
import { exitCodeOf } from '../exit-code.ts';
import { describeError, pathShown } from './errors.ts';
import type { RunSpec } from './plan.ts';
import type { WorkerPool } from './pool.ts';
import type { CacheTask, StorageRefused, SweepTask, TaskReply } from './tasks.ts';

/** Why a generated trace was not made (undefined: it was). */
export type GenFailure = { error: string; storage?: StorageRefused } | undefined;

/** What {@link cacheTraces} needs of the sweep. */
export interface TraceCacheOptions {
  /** The runs to make, in plan order: the traces they replay are cached, each once. */
  pending: readonly RunSpec[];
  /** Directory of the binary trace caches. */
  cacheDir: string;
  pool: WorkerPool<SweepTask, TaskReply>;
  /** Each generated trace's generation, by file name: its cache is made once it is made. */
  gens: ReadonlyMap<string, Promise<GenFailure>>;
  /** The trace file a run replays, and how messages name it. */
  traceOf: (r: RunSpec) => string;
  /** The SHA-256 of the trace a run replays as the sweep knows it, once it is made (undefined: not known): a cache that records another is made again. */
  shaOf: (r: RunSpec) => string | undefined;
  displayOf: (r: RunSpec) => string;
  /** A trace given as a file that is malformed (an input error): the sweep stops with it. */
  onInputError: (e: unknown) => void;
  /** Told why a trace's cache could not be made (its runs then read the CSV). */
  onWarning?: (message: string) => void;
  /** A cache was built (it was missing, stale or corrupted). */
  onBuilt: () => void;
}

/**
 * What a cache task's worker would answer, the cache made in this thread; on failure the error
 * (a malformed trace is an input error: the sweep stops before any run, exit 2).
 */
function cacheHere(task: CacheTask): Promise<TaskReply | { thrown: unknown }> {
  const t0 = performance.now();
  const warnings: string[] = [];
  return ensureCache(task.trace, task.cacheDir, undefined, { sha256: task.sha256, onStale: (m) => warnings.push(m.split(task.trace).join(task.display)) }).then(
    (source): TaskReply => ({ ok: true, elapsed_s: (performance.now() - t0) / 1000, source, ...(warnings.length > 0 ? { warnings } : {}) }),
    (thrown: unknown) => ({ thrown }),
  );
}

/** Starts making the cache of every trace the pending runs replay; by trace file, whether its runs can read its cache. */
export function cacheTraces(o: TraceCacheOptions): Map<string, Promise<boolean>> {
  const caches = new Map<string, Promise<boolean>>();
  let inThisThread = true;
  for (const r of o.pending) {
    const trace = o.traceOf(r);
    if (caches.has(trace)) continue;
    const task: CacheTask = { kind: 'cache', trace, display: o.displayOf(r), cacheDir: o.cacheDir };
    const ready = r.trace.kind === 'gen' ? o.gens.get(r.trace.file) ?? Promise.resolve(undefined) : Promise.resolve(undefined);
    const here = inThisThread && r.trace.kind !== 'gen';
    if (here) inThisThread = false;
    caches.set(
      trace,
      ready.then(async (genError) => {
        if (genError !== undefined) return false;
        // the version the sweep replays, known once a generated trace is made
        const sha256 = o.shaOf(r);
        if (sha256 !== undefined) task.sha256 = sha256;
        const reply = here ? await cacheHere(task) : await o.pool.run(task).catch(() => undefined);
        if (reply !== undefined && 'thrown' in reply) {
          // named as the experiment names it, as the runs' errors and --dry-run's name it (not by its absolute path)
          if (exitCodeOf(reply.thrown) === 2) o.onInputError(pathShown(reply.thrown, trace, task.display));
          else o.onWarning?.(describeError(reply.thrown)); // the message says the runs read the CSV
          return false;
        }
        if (reply !== undefined && !reply.ok) o.onWarning?.(reply.error);
        if (reply?.ok) for (const line of reply.warnings ?? []) o.onWarning?.(line);
        if (reply?.ok && reply.source === 'csv+cache') o.onBuilt();
        return reply?.ok === true;
      }),
    );
  }
  return caches;
}
