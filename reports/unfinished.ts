/**
 * What `syncsim report` says of a sweep directory that has no result tables yet, or tables of an
 * earlier state of it: a shard of a sweep (`sweep --shard I/N`, whose experiment.json says
 * `"shard": "I/N"`) or a sweep still incomplete (interrupted, or running now): how many of its
 * runs are done and what to do.
 * Read from the directory's experiment.json, `runs/<id>/run.json` and the lock file beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { liveWriter, writerText } from '../traces/out-lock.ts';

/** experiment.json as far as this reads it. */
interface SweepManifest {
  name?: unknown;
  runs?: unknown;
  shard?: unknown;
}

/** Parses a JSON file, or undefined when it is missing or not JSON. */
function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs of shard `index` of `count` among `total` (the sizes of shardOf's contiguous blocks, scripts/sweep/shard.ts). */
function shardSize(total: number, index: number, count: number): number {
  return Math.floor((index * total) / count) - Math.floor(((index - 1) * total) / count);
}

/** `, a sweep is writing it now (pid P on host H, since T)` when the lock beside `dir` is a live sweep's, else ''. */
function runningNow(dir: string): string {
  const h = liveWriter(dir, 'sweep');
  return h ? `; a sweep is writing it now (${writerText(h)})` : '';
}

/** The sweep of `dir` (its experiment.json lists its runs): its name, run ids, and how many of them are done and failed. */
function sweepRuns(dir: string): { m: SweepManifest; name: string; ids: string[]; done: number; failedText: string } | undefined {
  const m = readJson(join(dir, 'experiment.json')) as SweepManifest | undefined;
  if (!m || typeof m !== 'object' || !Array.isArray(m.runs)) return undefined;
  const ids = (m.runs as { id?: unknown }[]).map((r) => String(r?.id));
  let done = 0, failed = 0;
  for (const id of ids) {
    const rec = readJson(join(dir, 'runs', id, 'run.json')) as { status?: unknown } | undefined;
    if (!rec) continue;
    done++;
    if (rec.status !== 'ok') failed++;
  }
  return { m, name: typeof m.name === 'string' ? m.name : '?', ids, done, failedText: failed ? ` (${failed} failed)` : '' };
}

/**
 * The message of a report asked of sweep directory `dir` whose results.csv lists runs `tabled` (their ids) that
 * are not the runs its experiment.json lists: tables of an earlier state of the sweep (its seeds changed, and the
 * sweep stopped before it wrote them again), which would be charted as the whole experiment (`n = 2 seeds`
 * beside index.html's `× 3 seeds`). Undefined when they are its runs, or experiment.json lists none (a sweep
 * directory of before 2026-12-02).
 */
export function staleTablesMessage(dir: string, tabled: ReadonlySet<string>): string | undefined {
  const sweep = sweepRuns(dir);
  if (!sweep || (sweep.ids.length === tabled.size && sweep.ids.every((id) => tabled.has(id)))) return undefined;
  const { name, ids, done, failedText } = sweep;
  const running = runningNow(dir);
  return `${dir}: results.csv holds ${tabled.size} runs of an earlier state of sweep '${name}', which now has ${ids.length} runs, `
    + `${done} of them done${failedText}${running} (were its seeds changed, and the sweep stopped before it finished?): its tables are out of date; `
    + `${running ? 'wait for it to finish' : `resume it with the same 'syncsim sweep EXP.yaml --out ${dir}' (the experiment is copied in ${join(dir, 'experiment.yaml')})`}, then report`;
}

/**
 * The message of a report asked of `dir` when it is a sweep directory without results.csv (its
 * experiment.json lists its runs): what it is, how many runs are done, what to do. Undefined
 * when `dir` holds no sweep manifest.
 */
export function unfinishedSweepMessage(dir: string): string | undefined {
  const sweep = sweepRuns(dir);
  if (!sweep) return undefined;
  const { m, name, ids, done, failedText } = sweep;
  const running = runningNow(dir);
  const shard = typeof m.shard === 'string' ? /^(\d+)\/(\d+)$/.exec(m.shard) : null;
  if (shard) {
    const size = shardSize(ids.length, Number(shard[1]), Number(shard[2]));
    const state = done >= size ? `its ${size} runs are done${failedText}` : `${done} of its ${size} runs are done${failedText}`;
    return `${dir}: shard ${m.shard} of sweep '${name}' (${ids.length} runs in all), not a whole sweep: ${state}${running}; `
      + `a shard has no result tables to chart: ${done >= size ? '' : `finish it (the same 'syncsim sweep EXP.yaml --shard ${m.shard} --out ${dir}' again), then, `}when every shard is done, combine the shard directories with 'syncsim merge SHARD_DIR... --out DIR' and report on DIR`;
  }
  const again = `the same 'syncsim sweep EXP.yaml --out ${dir}' (the experiment is copied in ${join(dir, 'experiment.yaml')})`;
  if (done >= ids.length && !running) {
    return `${dir}: sweep '${name}' has all its ${ids.length} runs done${failedText} but no result tables (results.csv; was it stopped while writing them?): run ${again} again to write them, then report`;
  }
  return `${dir}: sweep '${name}' is still incomplete: ${done} of ${ids.length} runs are done${failedText}${running || ', and it has no result tables yet (results.csv)'}; `
    + `${running ? 'wait for it to finish, then report' : `resume it with ${again}, then report`}; `
    + `or, if it is one shard of a sweep run with --shard, merge the shards ('syncsim merge SHARD_DIR... --out DIR') and report on DIR`;
}
