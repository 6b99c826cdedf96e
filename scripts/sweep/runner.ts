/**
 * Running a sweep: every run of an experiment (or of one shard of it) that is not finished yet,
 * on a pool of worker threads, generated traces made first (once per parameter set and seed) and
 * kept under `DIR/traces/`, and each trace's binary cache made once so that every run reads
 * that instead of parsing the CSV; then, when the whole experiment is in the directory, the result
 * tables. A failed run is recorded and the others go on; a sweep killed at any moment and run
 * again picks up where it stopped and ends with the same files as an uninterrupted one. Every run
 * replays one version of each trace, or the sweep stops (trace-guard.ts).
 */
import { escapeControl } from '../../traces/escape.ts';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { readExperiment, type Experiment } from './experiment.ts';
import { checkRunCount, givesKey, makePlan, type Plan, type RunSpec } from './plan.ts';
import { TaskTimeout, WorkerPool } from './pool.ts';
import { compileOnOwnThreads, compileOnWorkers } from './jit-threads.ts';
import { Progress, type ProgressStream } from './progress.ts';
import { shareOfRuns, type Shard } from './shard.ts';
import { manifestOf, showPath, SweepDir, type RunRecord } from './store.ts';
import { describeError, storageStopError } from './errors.ts';
import type { OptionStyle } from '../../traces/import/tally.ts';
import { removeTableTemps, writeTables, type TablesOutcome } from './tables.ts';
import { refuseEditedTables } from './table-stamps.ts';
import type { SweepTask, TaskReply } from './tasks.ts';
import { cacheTraces, type GenFailure } from './trace-caches.ts';
import { defaultCacheDir } from '../cache-dir.ts';
import { workerModule } from '../worker-module.ts';
import { checkOutDir, OutDirError } from '../../traces/out-dir.ts';
import { claimOutDir } from '../../traces/out-lock.ts';
import { makeDirs } from '../../traces/files.ts';
import { cleanupOnInterrupt, endBySignal, onStopSignal, sayOnStop } from '../interrupt.ts';
import { listRuns } from './dry-run.ts';
import { plural } from '../plural.ts';
import { refuseChangedTrace, TraceVersions } from './trace-guard.ts';
import { csvList, parseResults, SWEEP_DEFAULT_RESULTS, type ResultCsv } from '../result-files.ts';

/**
 * Heap limits of a sweep worker: a young generation of 192 MiB (semi-spaces of 64 MiB, V8's
 * default being 16 MiB) instead of Node's default. A run allocates fast and its objects die
 * young: with more room the collector scavenges a quarter as often, and a run of the bench
 * sweep took about 20 % less CPU (and leaves the other workers' cores alone more), for ~70 MiB
 * more peak RSS per worker.
 */
export const SWEEP_WORKER_LIMITS = { maxYoungGenerationSizeMb: 192 } as const;

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** The experiment file. */
  experiment: string;
  /** Results directory; default `results/<experiment name>`. */
  out?: string;
  /** Worker threads; default the number of cores available. */
  jobs?: number;
  /** Run only this share of the runs (the tables are then left to `syncsim merge`). */
  shard?: Shard;
  /** The directory must already hold this experiment. */
  resume?: boolean;
  /** List the runs instead of running them. */
  dryRun?: boolean;
  /** Normal output (the dry-run listing, the closing lines). */
  stdout?: ProgressStream;
  /** Progress output; default none. */
  progress?: ProgressStream;
  /** Period of plain progress lines (not on a terminal), default 10 s. */
  progressIntervalMs?: number;
  /**
   * On SIGINT / SIGTERM / SIGHUP stop the workers, remove the temporary files and exit (the CLI):
   * from the moment DIR is locked (loading plugins, before any run), while the runs go on, or while
   * the result tables are written (no table is then written or replaced: those there before stay as they were).
   */
  handleSignals?: boolean;
  /**
   * Directory of the binary trace cache the runs read their trace from (each
   * trace cached once, before its runs); default `.trace-cache` beside the
   * results directory or $SYNCSIM_CACHE_DIR, as for `syncsim run`; null = every run parses the CSV.
   */
  cacheDir?: string | null;
  /** Largest number of runs accepted (grid points × seeds); default DEFAULT_MAX_RUNS (plan.ts). */
  maxRuns?: number;
  /** Wall-clock limit of one run (s): a run still going then has its worker stopped and is recorded failed. */
  runTimeoutS?: number;
  /** Told why a trace's cache could not be made (its runs then read the CSV). */
  onWarning?: (message: string) => void;
  /** Called once the experiment is read and the output prepared, just before the first run or trace is started (not when none is to be done). */
  onStartingRuns?: () => void;
  /**
   * The command line recorded as `provenance.command` in the summary.json of each run this sweep
   * makes: what the user typed (`syncsim sweep EXP.yaml ...`); default this process's own (`node`
   * and its arguments), never the worker thread's.
   */
  command?: readonly string[];
  /** How a failed run's record names an option (`--run-timeout`, or the library's `runTimeoutS`); default the command's flags. */
  optionStyle?: OptionStyle;
  /** The CSVs each run writes besides summary.json, as `--results` takes them; default {@link SWEEP_DEFAULT_RESULTS}. Runs finished earlier keep theirs. */
  results?: string;
}

/** What a sweep did. */
export interface SweepOutcome {
  plan: Plan;
  out: string;
  /** Runs in the sweep's share. */
  total: number;
  /** Runs found finished (successfully) when the sweep started. */
  skipped: number;
  /** Runs made by this sweep. */
  ran: number;
  /** Traces generated by this sweep. */
  generated: number;
  /** Trace caches this sweep built (missing, stale or corrupted before). */
  cached: number;
  /** Runs of this sweep that read their trace from the binary cache. */
  fromCache: number;
  /** Failed runs of the share, in plan order. */
  failed: RunRecord[];
  /** The result tables, when the sweep covered the whole experiment. */
  tables?: TablesOutcome;
  /** The CSVs the runs of this sweep wrote besides summary.json (`results`). */
  results: ResultCsv[];
  /** The timeline periods (µs) runs of this sweep chose for their trace's length, other than the configuration's, each with how many runs chose it. */
  chosenSampleUs: Map<number, number>;
}

/** What a sweep stopped by a signal waits on: its handler ends the process, and nothing more of the sweep runs. */
const endedBySignal = new Promise<never>(() => {});

/** The default number of worker threads: the cores this process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** Runs (or lists) a sweep; throws InputError / ExperimentError for bad input. */
export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const experiment = readExperiment(o.experiment);
  checkRunCount(experiment, o.maxRuns);
  parseResults(o.results ?? SWEEP_DEFAULT_RESULTS, o.optionStyle === 'library' ? 'results' : '--results');
  const outText = o.out ?? `results/${experiment.name}`;
  const out = resolve(outText);
  // --out is checked (and, unless listing, locked) before the plan is made: nothing runs when it is refused
  const check = { command: 'sweep', within: o.out === undefined ? 'results' : undefined } as const;
  if (o.dryRun) {
    checkOutDir(outText, check);
    return listRuns(o, experiment, out);
  }
  const { lock } = claimOutDir(outText, check);
  // an interrupt before the runs' own handler is in place (loading the plugins, reading the experiment's traces)
  // ends the sweep as one later does: the lock released (at exit), exit 130 / 143, and said
  const unguard = o.handleSignals ? cleanupOnInterrupt(() => `no run started${new SweepDir(out).hasFinishedRun() ? `, ${keptRuns(showPath(out))}` : ''}`) : () => {};
  try {
    // tables edited by hand since the sweep wrote them: refused before anything runs, not written over at its end
    refuseEditedTables(out);
    return await execute(o, experiment, out, unguard);
  } finally {
    unguard();
    lock.release();
  }
}

/** What an interrupted sweep says of its finished runs, kept in `shown` (its directory as messages show it). */
const keptRuns = (shown: string) => `finished runs are kept in ${escapeControl(shown)}: run the same command again to resume`;

/** {@link runSweep} once `out` is checked and locked; `unguard` is called as the runs' own handler takes over the interrupt signals. */
async function execute(o: SweepOptions, experiment: Experiment, out: string, unguard: () => void): Promise<SweepOutcome> {
  const plan = await makePlan(experiment);
  for (const line of plan.warnings) o.onWarning?.(line);
  const share = shareOfRuns(plan.runs, o.shard);
  const store = new SweepDir(out);
  const manifest = manifestOf(plan, o.shard);
  const results = csvList(parseResults(o.results ?? SWEEP_DEFAULT_RESULTS));
  const outcome: SweepOutcome = { plan, out, total: share.length, skipped: 0, ran: 0, generated: 0, cached: 0, fromCache: 0, failed: [], results, chosenSampleUs: new Map() };
  // a period the experiment does not give is chosen by each run for its trace's length
  const samplePeriod = givesKey(experiment, 'stats.sample_us') ? 'given' : 'auto';
  const cacheDir = o.cacheDir === null ? undefined : (o.cacheDir ?? defaultCacheDir(out));
  const shown = showPath(out);
  const command = [...(o.command ?? ['node', ...process.argv.slice(1)])];

  const existed = existsSync(out);
  // a trace file changed since the sweep there began: refused before anything is written
  const have = existed ? store.manifest() : undefined;
  if (have && experiment.trace.kind === 'path') refuseChangedTrace(store, have, manifest, have.hash === plan.hash || have.hash === plan.legacyHash, showPath(experiment.trace.path), shown);
  store.prepare(manifest, experiment.text, o.resume === true, 'sweep', [plan.legacyHash]);
  store.cleanStale();
  // a run whose run.json or summary.json was removed or damaged since is run again, as an unfinished one (the same results)
  const unreadable = share.map((r) => store.runProblem(r.id)).filter((p) => p !== undefined);
  const pending = share.filter((r) => store.record(r.id)?.status !== 'ok');
  outcome.skipped = share.length - pending.length;
  // a failed run is run again in a new directory that replaces its own: what the user put there is not deleted;
  // and a finished run's files changed since syncsim wrote them (an edited summary.json) are not read into the tables as its
  // (of a finished run only the file the tables read is looked at: its other files stay as they are)
  const toRerun = new Set(pending);
  for (const r of share) {
    const finished = !toRerun.has(r);
    const foreign = finished ? (store.summaryChanged(r.id) ? ['summary.json (changed since syncsim wrote it)'] : []) : store.foreignInRun(r.id);
    if (foreign.length === 0) continue;
    const what = finished ? 'whose results the tables would take for the run\'s' : `which running ${store.runProblem(r.id) === undefined ? 'its failed run' : 'it'} again would delete`;
    throw new OutDirError(`--out ${shown}: runs/${r.id}/ holds what syncsim did not write there (${foreign.slice(0, 5).map((f) => JSON.stringify(f)).join(', ')}), ${what}; move it away first`);
  }
  if (unreadable.length > 0) {
    o.onWarning?.(`${unreadable.length} finished run${unreadable.length === 1 ? '' : 's'} of ${shown} cannot be read back and ${unreadable.length === 1 ? 'is' : 'are'} run again: ${unreadable.slice(0, 3).join('; ')}${unreadable.length > 3 ? '; ...' : ''}`);
  }

  // traces to generate, once each
  const toMake = new Map<string, RunSpec['trace'] & { kind: 'gen' }>();
  for (const r of pending) {
    if (r.trace.kind === 'gen' && !toMake.has(r.trace.file) && !existsSync(join(store.tracesDir, r.trace.file))) toMake.set(r.trace.file, r.trace);
  }

  const progress = o.progress
    ? new Progress({ total: share.length, already: outcome.skipped, stream: o.progress, intervalMs: o.progressIntervalMs })
    : undefined;
  const jobs = Math.max(1, Math.min(o.jobs ?? defaultJobs(), pending.length + toMake.size));
  const traceOf = (r: RunSpec) => (r.trace.kind === 'gen' ? join(store.tracesDir, r.trace.file) : r.trace.path);
  const displayOf = (r: RunSpec) => (r.trace.kind === 'gen' ? `traces/${r.trace.file}` : r.trace.display);
  const versions = new TraceVersions(store.tracesDir, shown);
  const entry = await workerModule('sweep/worker');
  // a worker on every core leaves V8's background compiler no core (jit-threads.ts); released in the finally below
  const releaseJit = compileOnWorkers(jobs, availableParallelism()) ? compileOnOwnThreads() : () => {};
  const pool = new WorkerPool<SweepTask, TaskReply>(jobs, entry, SWEEP_WORKER_LIMITS);
  if (pending.length > 0) o.onStartingRuns?.();
  if (pending.length > 0) pool.warm(); // the workers load while the first traces are generated and cached
  let stopping = false;
  /** Whether a signal stopped the sweep ({@link SweepOptions.handleSignals}): its handler ends the process. */
  let signalled = false;
  /** Whether every run is done and the result tables are being written: an interrupt leaves those there before as they were. */
  let writingTables = false;
  /** A trace given as a file that is malformed: the sweep stops with it. */
  let inputError: unknown;
  /**
   * What stops the sweep mid-way: its own directory cannot be written (a full disk: every later
   * run would fail alike, so none is recorded failed for it), or a failure cannot be recorded.
   */
  let stopError: unknown;
  const stop = (e: unknown) => {
    stopError ??= e;
    stopping = true;
    void pool.close(); // the runs under way are dropped; those placed already are whole, and kept
  };
  const onSignal = (sig: NodeJS.Signals) => {
    stopping = signalled = true;
    const tables = writingTables;
    // the cleanup first: after a hang-up nothing can be written to the terminal
    process.stderr.on('error', () => {});
    void pool.close().finally(() => {
      store.removeStaging();
      if (tables) removeTableTemps(out);
      try {
        progress?.finish();
      } catch {
        // the terminal is gone
      }
      sayOnStop(tables
        ? `syncsim: sweep interrupted (${sig}) while writing results.csv and aggregate.csv, which are unchanged; every run is kept in ${escapeControl(shown)}: run the same command again to write the tables\n`
        : `syncsim: sweep interrupted (${sig}); ${store.hasFinishedRun() ? keptRuns(shown) : 'no run finished'}\n`);
      endBySignal(sig);
    });
  };
  unguard();
  const release = o.handleSignals ? onStopSignal(onSignal) : () => {};
  try {
    const staging = store.makeStaging();
    if (toMake.size > 0) makeDirs(store.tracesDir);
    /** Each trace's generation: undefined once made, else why not. */
    const gens = new Map<string, Promise<GenFailure>>();
    for (const [file, t] of toMake) {
      const task: SweepTask = { kind: 'gen', gen: t.gen, set: t.set, seed: t.seed, staging: join(staging, `trace-${file}`), final: join(store.tracesDir, file) };
      gens.set(
        file,
        pool.run(task).then(
          (reply) => {
            if (reply.ok) outcome.generated++;
            if (reply.ok) versions.made(file, reply.sha256);
            return reply.ok ? undefined : { error: reply.error, storage: reply.storage };
          },
          (e: unknown) => ({ error: describeError(e) }),
        ),
      );
    }

    // each trace's binary cache, made once before its runs (trace-caches.ts)
    const caches = cacheDir === undefined ? new Map<string, Promise<boolean>>() : cacheTraces({
      pending, cacheDir, pool, gens, traceOf, displayOf, onWarning: o.onWarning,
      shaOf: (r) => {
        try {
          return versions.expected(r);
        } catch {
          return undefined; // a record that is not one: the run says so
        }
      },
      onInputError: (e) => (inputError ??= e),
      onBuilt: () => outcome.cached++,
    });

    // the line names the traces still being generated, then cached, before their runs
    let gensLeft = gens.size;
    let cachesLeft = caches.size;
    const stage = () => progress?.stage(gensLeft > 0 ? `generating ${plural(gensLeft, 'trace')}` : cachesLeft > 0 ? `caching ${plural(cachesLeft, 'trace')}` : '');
    const genDone = () => (gensLeft--, stage());
    const cacheDone = () => (cachesLeft--, stage());
    for (const g of gens.values()) g.then(genDone, genDone);
    for (const c of caches.values()) c.then(cacheDone, cacheDone);
    stage();

    const failures = new Map<string, RunRecord>();
    /** The warnings of runs said already. */
    const said = new Set<string>();
    const one = async (r: RunSpec): Promise<void> => {
      const record = { id: r.id, point: r.point, seed: r.seed };
      let error: string | undefined;
      const genError = r.trace.kind === 'gen' ? await gens.get(r.trace.file) : undefined;
      if (genError?.storage) {
        if (!stopping) stop(storageStopError(shown, genError.storage));
        return;
      }
      if (genError !== undefined) {
        error = `generating the trace failed: ${genError.error}`;
      } else {
        const trace = traceOf(r);
        const display = displayOf(r);
        const cached = (await caches.get(trace)) === true;
        if (inputError !== undefined) return;
        let traceSha256: string | undefined;
        try {
          traceSha256 = versions.expected(r);
        } catch (e) {
          if (!stopping) stop(e); // a record of a generated trace's hash that is not one
          return;
        }
        const task: SweepTask = {
          kind: 'run', id: r.id, trace, display, config: r.config, staging, final: store.runDir(r.id), record, cacheDir: cached ? cacheDir : undefined, command, results, samplePeriod,
          ...(r.pluginDir !== undefined ? { pluginDir: r.pluginDir } : {}), ...(traceSha256 !== undefined ? { traceSha256 } : {}),
        };
        try {
          const reply = await pool.run(task, o.runTimeoutS === undefined ? undefined : o.runTimeoutS * 1000, (share) => progress?.running(r.id, share));
          if (!reply.ok && reply.storage) {
            // the results' storage refused a write (a full disk): not this run's failure, and no later run's either
            if (!stopping) stop(storageStopError(shown, reply.storage));
            return;
          }
          if (!reply.ok && reply.changed) {
            // the trace is not the version the sweep began with: neither would any later run's be
            if (!stopping) stop(versions.stop(r, reply.changed));
            return;
          }
          if (!reply.ok) error = reply.error;
          else outcome.fromCache += reply.source === 'cache' ? 1 : 0;
          // (a stale cache found by several runs at once is said once)
          for (const line of reply.ok ? reply.warnings ?? [] : []) {
            if (said.has(line)) continue;
            said.add(line);
            o.onWarning?.(line);
          }
          if (reply.ok && reply.sampleUs !== undefined) outcome.chosenSampleUs.set(reply.sampleUs, (outcome.chosenSampleUs.get(reply.sampleUs) ?? 0) + 1);
        } catch (e) {
          if (stopping) return;
          error = describeError(e instanceof TaskTimeout && o.optionStyle === 'library' ? new TaskTimeout(e.seconds, 'runTimeoutS') : e, [[trace, display]]);
        }
      }
      if (stopping) return;
      if (error !== undefined) {
        const rec: RunRecord = { ...record, status: 'failed', error };
        try {
          store.recordFailure(rec);
        } catch (e) {
          stop(e); // the record could not be written (a full disk): the sweep stops there
          return;
        }
        failures.set(r.id, rec);
      }
      outcome.ran++;
      progress?.tick(error === undefined, r.id);
    };
    await Promise.all(pending.map(one));
    if (signalled) await endedBySignal;
    if (inputError !== undefined || stopError !== undefined) progress?.cancel();
    else progress?.finish();
    if (stopError !== undefined) {
      // the runs finished are kept for the same command to resume
      await pool.close();
      store.removeStaging();
      throw stopError;
    }
    if (inputError !== undefined) {
      // a malformed trace: no run was made, and a directory this sweep created goes with it
      stopping = true;
      await pool.close();
      store.removeStaging();
      if (!existed) rmSync(out, { recursive: true, force: true });
      throw inputError;
    }
    outcome.failed = share.filter((r) => failures.has(r.id)).map((r) => failures.get(r.id)!);
    if (!o.shard || o.shard.count === 1) {
      // a signal is answered while the tables are written too: they stop, and those there before stay
      writingTables = true;
      try {
        outcome.tables = await writeTables(manifest, store, out, { interrupted: () => signalled });
      } catch (e) {
        if (signalled) await endedBySignal;
        throw e;
      }
      outcome.failed = outcome.tables.failed;
    }
  } finally {
    release();
    if (!stopping) {
      await pool.close();
      store.removeStaging();
    }
    releaseJit();
  }
  return outcome;
}
