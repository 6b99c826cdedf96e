/**
 * Merging sweep directories: the outputs of the shards of one experiment (`--shard I/N`) are
 * combined into one directory holding every run and the result tables. Every run of the
 * experiment must be in exactly one of the directories, and all of them must have replayed one
 * version of its trace file (trace-guard.ts): a missing or doubled run, or two versions, is an
 * error and nothing is written then. Interrupted (Ctrl-C, SIGTERM, a closed terminal: between two
 * runs copied, or while the result tables are written), it removes its staging directory and the
 * tables' temporary files and says what it leaves: nothing, or the runs copied so far, whole,
 * from which the same merge goes on (no table is written or replaced then).
 */
import { turn } from '../../traces/turn.ts';
import { copyFileSync, existsSync, linkSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { claimOutDir, liveWriter, writerText } from '../../traces/out-lock.ts';
import { placeDir, showPath, SweepDir, type Manifest } from './store.ts';
import { removeTableTemps, writeTables, type TablesOutcome } from './tables.ts';
import { refuseEditedTables } from './table-stamps.ts';
import { errnoText, makeDirs } from '../../traces/files.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import { refuseMixedTraces } from './trace-guard.ts';
import { escapeControl } from '../../traces/escape.ts';

/** What a merge did. */
export interface MergeOutcome {
  out: string;
  manifest: Manifest;
  /** Run directories copied into `out`. */
  copied: number;
  tables: TablesOutcome;
}

/**
 * Copies run directory `from` to `to`, subdirectories included (a run's `report/`, made by
 * `syncsim report` on the run), its files as hard links when the file system allows.
 */
function copyRun(from: string, to: string): void {
  makeDirs(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name), dst = join(to, entry.name);
    if (entry.isDirectory()) {
      copyRun(src, dst);
      continue;
    }
    try {
      linkSync(src, dst);
    } catch {
      copyFileSync(src, dst);
    }
  }
}

const realOrResolved = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));

/** Lists up to five examples of `ids` with their point and seed. */
function examples(ids: readonly string[], where: Map<string, { point: number; seed: number }>, extra?: (id: string) => string): string {
  const shown = ids.slice(0, 5).map((id) => `${id} (point ${where.get(id)?.point}, seed ${where.get(id)?.seed}${extra ? `, ${extra(id)}` : ''})`);
  return shown.join('; ') + (ids.length > 5 ? `; and ${ids.length - 5} more` : '');
}


/** What an interrupted merge wrote so far, for its closing line ({@link cleanupOnInterrupt}). */
interface MergeState {
  /** Set once `out`, not one of the directories merged, holds the merge's experiment.json (and runs copied from then on). */
  wrote?: string;
  /** The staging directory to remove. */
  staging?: SweepDir;
  /** Set once every run is in `out` and its tables are being written there: their temporary files go too. */
  tables?: string;
}

/**
 * Merges sweep directories `dirs` into `out` (default: the only directory given). Throws an
 * InputError when they hold different experiments, when a run is missing or in two of them, or
 * when their runs replayed different versions of the trace file.
 * With `handleSignals` (the command), SIGINT, SIGTERM or SIGHUP ends the process between two runs
 * copied or while the tables are written (exit 130, 143, 129), its staging directory and the
 * tables' temporary files removed, saying what it left.
 */
export async function mergeSweeps(dirs: readonly string[], out?: string, handleSignals = false): Promise<MergeOutcome> {
  if (dirs.length === 0) throw new InputError('merge expects at least one sweep directory');
  // a directory given twice (by any path) is a slip, e.g. for a shard left out: its runs would count twice
  const seen = new Map<string, string>();
  for (const d of dirs) {
    const real = realOrResolved(d);
    const first = seen.get(real);
    if (first !== undefined) throw new InputError(`merge: ${d} is given twice${first !== d ? ` (as ${first} too)` : ''}: each directory once`);
    seen.set(real, d);
  }
  const uniq = [...seen.values()];
  if (out === undefined) {
    if (uniq.length > 1) throw new InputError('merge: --out is required when merging several directories');
    out = uniq[0];
  } else if (uniq.length > 1) {
    // one of several inputs as the output would turn that shard into the whole sweep, while it stays marked as the shard it was
    const input = seen.get(realOrResolved(out));
    if (input !== undefined) throw new InputError(`merge: --out ${out} is one of the directories merged${input !== out ? ` (${input})` : ''}: merge several into a directory of its own`);
  }
  // the lock goes as the process exits; the inputs are only read
  const progress: MergeState = {};
  const release = handleSignals ? cleanupOnInterrupt(() => interrupted(progress)) : () => {};
  try {
    // checked and locked before anything is read
    const { lock } = claimOutDir(out, { command: 'merge' });
    try {
      // its tables or experiment copy edited by hand since: refused before anything is written (table-stamps.ts)
      refuseEditedTables(resolve(out));
      return await mergeInto(uniq, out, progress);
    } finally {
      lock.release();
    }
  } finally {
    release();
  }
}

/** An interrupted merge's cleanup: its staging directory and the tables' temporary files go; what it says it left (`nothing written` when undefined). */
function interrupted(p: MergeState): string | undefined {
  p.staging?.removeStaging();
  if (p.tables !== undefined) removeTableTemps(p.tables);
  if (p.wrote === undefined) return undefined;
  const out = escapeControl(showPath(p.wrote));
  if (p.tables !== undefined) return `every run is copied into ${out}, whole, and the directories merged are unchanged, but results.csv and aggregate.csv were not written (any there before are unchanged): the same merge again writes them`;
  return `the runs copied so far are kept in ${out}, whole, and the directories merged are unchanged: the same merge again finishes it`;
}

/** {@link mergeSweeps} once `out` is checked and locked. */
async function mergeInto(uniq: string[], out: string, progress: MergeState): Promise<MergeOutcome> {
  const stores = uniq.map((d) => {
    if (!existsSync(d)) throw new InputError(`merge: ${d} does not exist`);
    const s = new SweepDir(d);
    const m = s.manifest();
    if (!m) throw new InputError(`merge: ${d} is not a sweep directory (no experiment.json)`);
    return { dir: d, store: s, manifest: m };
  });
  // the merged directory is the whole sweep: a shard's record of its shard is left out
  const { shard: _shard, ...manifest } = stores[0].manifest;
  for (const s of stores.slice(1)) {
    if (s.manifest.hash !== manifest.hash) {
      refuseMixedTraces(stores, false); // the trace file changed between the shards' sweeps: said as such
      throw new InputError(`merge: ${s.dir} holds another experiment ('${s.manifest.name}', hash ${s.manifest.hash}) than ${stores[0].dir} ('${manifest.name}', hash ${manifest.hash})`);
    }
  }
  const expected = new Map(manifest.runs.map((r) => [r.id, r]));
  const found = new Map<string, string[]>();
  for (const s of stores) {
    for (const id of s.store.runIds()) {
      if (!expected.has(id)) throw new InputError(`merge: ${s.dir}/runs/${id} is not a run of experiment '${manifest.name}'`);
      const list = found.get(id);
      if (list) list.push(s.dir);
      else found.set(id, [s.dir]);
    }
  }
  const doubled = [...found].filter(([, ds]) => ds.length > 1).map(([id]) => id);
  if (doubled.length > 0) {
    throw new InputError(`merge: ${doubled.length} run(s) are in more than one directory: ${examples(doubled, expected, (id) => `in ${found.get(id)!.join(' and ')}`)}`);
  }
  // a finished run whose run.json or summary.json was removed or damaged since: refused before anything is written
  for (const s of stores) {
    for (const id of s.store.runIds()) {
      const problem = s.store.runProblem(id);
      // (a summary.json changed since syncsim wrote it the sweep refuses: moved away, the sweep runs its run again)
      if (problem !== undefined) throw new InputError(`merge: ${s.dir}/${problem}: syncsim sweep on ${s.dir} (with its --shard, if any) runs it again${/summary\.json cannot be read/.test(problem) ? ' once the file is moved away' : ''}; merge then`);
    }
  }
  const missing = manifest.runs.filter((r) => !found.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    // a shard a sweep is still writing: its runs come, so waiting is the answer, not a second sweep of it
    const writing = stores.map((s) => ({ dir: s.dir, h: liveWriter(s.dir, 'sweep') })).filter((w) => w.h !== undefined);
    const what = writing.length > 0
      ? `; a sweep is writing ${writing.map((w) => `${w.dir} now (${writerText(w.h!)})`).join(' and ')}: wait for it to finish, then merge`
      : ' (run the missing shard again, or syncsim sweep on the merged directory, to complete them)';
    throw new InputError(`merge: ${missing.length} of ${manifest.runs.length} runs of '${manifest.name}' ${missing.length === 1 ? 'is' : 'are'} missing: ${examples(missing, expected)}${what}`);
  }
  // every run replayed the same version of the trace file (a sweep checks its own runs since 2026-12-06; earlier ones did not)
  refuseMixedTraces(stores);

  const target = new SweepDir(out);
  const yamlPath = stores.map((s) => join(s.dir, 'experiment.yaml')).find((p) => existsSync(p));
  progress.staging = target;
  target.prepare(manifest, yamlPath ? readFileSync(yamlPath, 'utf8') : '', false, 'merge');
  const outReal = realOrResolved(out);
  // one directory merged into itself gets only its tables: an interrupted merge left it as it was
  if (!uniq.some((d) => realOrResolved(d) === outReal)) progress.wrote = out;
  target.cleanStale();
  let copied = 0;
  try {
    const staging = target.makeStaging();
    await turn();
    for (const s of stores) {
      if (realOrResolved(s.dir) === outReal) continue;
      for (const id of s.store.runIds()) {
        if (existsSync(join(target.runDir(id), 'run.json'))) continue;
        const stage = join(staging, `copy-${id}`);
        rmSync(stage, { recursive: true, force: true });
        try {
          copyRun(s.store.runDir(id), stage);
        } catch (e) {
          throw new InputError(`merge: cannot copy run ${id} from ${s.dir} to ${out} (${errnoText(e)}): the runs copied so far stay in ${out}; the same merge again goes on from them`);
        }
        placeDir(stage, target.runDir(id), join(staging, `old-${id}`));
        copied++;
        await turn();
      }
    }
    // a signal is answered while the tables are written too (cleanupOnInterrupt ends the process then)
    progress.tables = out;
    const tables = await writeTables(manifest, target, out);
    return { out, manifest, copied, tables };
  } finally {
    target.removeStaging();
  }
}
