/**
 * A sweep worker thread: replays runs (runTrace), generates traces and builds trace caches, one task per message,
 * answering each with a {@link TaskReply}. A run's directory is moved into place before the
 * answer, so a sweep killed at any moment has either the whole run or nothing of it; only a run
 * that replayed the version of its trace the sweep replays is (trace-guard.ts).
 */
import { parentPort } from 'node:worker_threads';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runTrace } from '../run.ts';
import { loadPlugins } from '../plugins.ts';
import { ensureCache } from '../../traces/open.ts';
import { generateToFile } from '../../workloads/presets/index.ts';
import { placeDir, writeSweepFile, type RunRecord } from './store.ts';
import { describeError } from './errors.ts';
import { TraceSemanticError } from '../../sim/vm/vm.ts';
import { InputError, replayErrorMessage } from '../errors.ts';
import type { GenTask, RunTask, StorageRefused, SweepTask, TaskReply } from './tasks.ts';
import { TASK_PROGRESS, WORKER_READY } from './pool.ts';
import { runProgress } from './run-progress.ts';
import { OutDirError } from '../../traces/out-dir.ts';
import { tempBeside } from '../../traces/files.ts';
import { storageRefusal } from '../../traces/write-failures.ts';
import { fileStamp } from '../provenance.ts';
import { hashFile } from './identity.ts';
import { shaRecordName, shaRecordText, traceChange, TraceChanged } from './trace-guard.ts';

/** A write of the sweep's own directory that the storage refused as a whole (a full disk): the sweep stops. */
class OwnWriteRefused extends Error {
  constructor(readonly refusal: NodeJS.ErrnoException) {
    super(refusal.message);
    this.name = 'OwnWriteRefused';
  }
}

/** `e`, or an {@link OwnWriteRefused} when it is the storage refusing a write (`own`: any refusal; else only one the results' writer named as such). */
function ownWrite(e: unknown, own: boolean): unknown {
  const refusal = own || e instanceof OutDirError ? storageRefusal(e) : undefined;
  return refusal ? new OwnWriteRefused(refusal) : e;
}

async function runOne(t: RunTask, tell: (share: number) => void): Promise<{ source?: string; sampleUs?: number; warnings: string[] }> {
  const out = join(t.staging, t.id);
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  let source: string | undefined;
  const plugins = t.pluginDir === undefined ? undefined : (await loadPlugins(t.config, t.pluginDir)).plugins;
  // the trace's version: the hash its provenance records, and the file unchanged from before that hash to after the last row
  const before = t.traceSha256 === undefined ? undefined : fileStamp(t.trace);
  let replayed: string | undefined;
  let sampleUs: number | undefined;
  const warnings: string[] = [];
  try {
    // its results: a write the storage refused is an OutDirError of the results' writer, its cause the system's error
    const told = runProgress(t.trace, tell);
    const summary = await runTrace({
      trace: t.trace, config: t.config, out, cacheDir: t.cacheDir, onSource: (k, rows) => { source = k; told.onRows(rows); }, plugins, resultThread: false, command: t.command,
      progress: told.progress, progressTap: told.progressTap,
      results: new Set(t.results), samplePeriod: t.samplePeriod, onSamplePeriod: (us) => (sampleUs = us),
      // a cache of another version of the trace than the one hashed: the run replayed the CSV, and the sweep says so
      onStaleCache: (m) => warnings.push(m.split(t.trace).join(t.display)),
    });
    replayed = summary.provenance?.trace_sha256;
  } catch (e) {
    // a run that failed while its trace changed (a row cut short by a rewrite, a file gone) did not fail on its own
    if (t.traceSha256 !== undefined && fileStamp(t.trace) !== before) throw new TraceChanged({ during: true });
    throw ownWrite(e, false);
  }
  if (t.traceSha256 !== undefined) {
    const change = traceChange(t.traceSha256, replayed, before, fileStamp(t.trace));
    if (change) throw new TraceChanged(change);
  }
  const rec: RunRecord = { ...t.record, status: 'ok', elapsed_s: Number(((performance.now() - t0) / 1000).toFixed(3)) };
  try {
    writeSweepFile(join(out, 'run.json'), JSON.stringify(rec, null, 2) + '\n');
    placeDir(out, t.final, join(t.staging, `old-${t.id}`));
  } catch (e) {
    throw ownWrite(e, true);
  }
  return { source, sampleUs, warnings };
}

/** Generates a trace and puts it in place, its SHA-256 record first (a trace there always has its own); returns its SHA-256. */
async function genOne(t: GenTask): Promise<string> {
  try {
    await generateToFile(t.staging, t.gen, t.set, t.seed);
    const sha256 = await hashFile(t.staging);
    const file = basename(t.final);
    writeFileSync(shaRecordName(t.staging), shaRecordText(sha256, file));
    renameSync(shaRecordName(t.staging), shaRecordName(t.final));
    renameSync(t.staging, t.final);
    return sha256;
  } catch (e) {
    throw ownWrite(e, true);
  }
}

/**
 * What could not be written, as the sweep directory names it: a run's files under `runs/ID/`
 * (where they were going, not this process's staging directory), a generated trace under
 * `traces/`; a write that named no file, the run's directory or the trace.
 */
function refusedFile(task: RunTask | GenTask, refusal: NodeJS.ErrnoException): string {
  const path = typeof refusal.path === 'string' ? refusal.path : undefined;
  if (task.kind === 'gen') return `traces/${basename(path?.endsWith('.sha256') ? shaRecordName(task.final) : task.final)}`;
  const shown = `runs/${task.id}`;
  const staged = join(task.staging, task.id);
  for (const dir of [tempBeside(staged), staged, task.final]) {
    if (path === dir) return `${shown}/`;
    if (path?.startsWith(dir + sep)) return `${shown}/${path.slice(dir.length + 1).split(sep).join('/')}`;
  }
  return path ?? `${shown}/`;
}

async function handle(task: SweepTask, tell: (share: number) => void): Promise<TaskReply> {
  const t0 = performance.now();
  try {
    let source: string | undefined;
    let sha256: string | undefined;
    let sampleUs: number | undefined;
    let warnings: string[] = [];
    if (task.kind === 'run') ({ source, sampleUs, warnings } = await runOne(task, tell));
    else if (task.kind === 'cache') source = await ensureCache(task.trace, task.cacheDir, undefined, { sha256: task.sha256, onStale: (m) => warnings.push(m.split(task.trace).join(task.display)) });
    else sha256 = await genOne(task);
    return {
      ok: true, elapsed_s: (performance.now() - t0) / 1000, source, ...(sha256 !== undefined ? { sha256 } : {}), ...(sampleUs !== undefined ? { sampleUs } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  } catch (thrown) {
    if (task.kind === 'run') rmSync(join(task.staging, task.id), { recursive: true, force: true });
    else if (task.kind === 'gen') for (const f of [task.staging, shaRecordName(task.staging)]) rmSync(f, { force: true });
    // not this run's failure: the sweep stops (runner.ts), its message naming the trace
    if (thrown instanceof TraceChanged) return { ok: false, error: thrown.message, changed: thrown.change };
    let e = thrown;
    let storage: StorageRefused | undefined;
    if (e instanceof OwnWriteRefused && task.kind !== 'cache') {
      const r = e.refusal;
      storage = { file: refusedFile(task, r), message: r.message, code: r.code! };
      e = r;
    }
    const err = e instanceof TraceSemanticError && task.kind !== 'gen' ? new InputError(await replayErrorMessage(e, task.trace)) : e;
    // a run's results directory is named as the sweep directory holds it (runs/ID), not by this process's staging path
    const paths: [string, string][] = task.kind === 'gen' ? [] : [[task.trace, task.display], ...(task.kind === 'run' ? [[join(task.staging, task.id), `runs/${task.id}`] as [string, string]] : [])];
    return { ok: false, error: describeError(err, paths), ...(storage ? { storage } : {}) };
  }
}

const port = parentPort;
if (!port) throw new Error('scripts/sweep/worker.ts runs in a worker thread');
port.on('message', (task: SweepTask) => {
  void handle(task, (share) => port.postMessage({ [TASK_PROGRESS]: share })).then((reply) => port.postMessage(reply));
});
port.postMessage(WORKER_READY); // loaded: a run's --run-timeout counts from here
