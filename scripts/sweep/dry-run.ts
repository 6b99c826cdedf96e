/**
 * `syncsim sweep --dry-run`: the runs of an experiment (or of one shard of it) listed, each with
 * its grid values and whether it is done, failed or pending in the results directory; nothing is
 * run or written. A trace file is read through as the runs would read it (without a cache), so
 * that a check before a cluster job (scripts/slurm/sweep.sbatch) finds its errors; that one read
 * also gives the plan the file's SHA-256 (its runs' ids) and first bytes, which a sweep reads
 * apart (plan.ts, {@link readTraceFacts}).
 */
import { csvList, parseResults, SWEEP_DEFAULT_RESULTS } from '../result-files.ts';
import { existsSync, statSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { openTrace } from '../../traces/open.ts';
import { TraceError } from '../../traces/trace-error.ts';
import { CacheError } from '../../traces/cache.ts';
import { FileDigest } from '../../traces/byte-tap.ts';
import { readHead } from '../../traces/files.ts';
import type { Experiment } from './experiment.ts';
import { canonicalJson } from './identity.ts';
import { makePlan, readTraceFacts, TRACE_HEAD_BYTES, type Plan, type RunSpec, type TraceFileFacts } from './plan.ts';
import { shareOfRuns } from './shard.ts';
import { manifestOf, showPath, SweepDir } from './store.ts';
import { refuseChangedTrace } from './trace-guard.ts';
import type { SweepOptions, SweepOutcome } from './runner.ts';
import { plural } from '../plural.ts';

const showValue = (v: unknown) => (typeof v === 'string' ? v : canonicalJson(v));

/** One line of `--dry-run`: id, point, seed, grid values and state. */
function dryRunLine(plan: Plan, run: RunSpec, state: string): string {
  const values = plan.points[run.point - 1].values.map((v, i) => `${plan.keys[i]}=${showValue(v)}`);
  return [run.id, `point=${run.point}`, `seed=${run.seed}`, ...values, state].join('  ');
}

/** What {@link readThrough} found: what the plan needs of the file, and why it is malformed (an InputError), if it is. */
interface ReadThrough {
  facts: TraceFileFacts;
  error?: InputError;
}

/** Stands for the hash of a malformed trace, which has no run to list: only the plan's own checks, made before its error is told, see it. */
const UNREAD = 'unread: malformed';

/**
 * Reads the trace file `path` to its end without a cache (nothing is written), as a run reads
 * it, hashing its bytes and keeping its first ones as they are read: a malformed one gives the
 * InputError located as the run's would be (`shown` for its name). Should the read of a
 * well-formed file not have seen each of its bytes (a reader that skips some), what the plan
 * needs is read apart instead.
 */
async function readThrough(path: string, shown: string): Promise<ReadThrough> {
  const digest = new FileDigest(TRACE_HEAD_BYTES);
  let error: InputError | undefined;
  try {
    const t = await openTrace(path, { tap: digest });
    for await (const _ of t.batches) {
      // the blocks are checked as they are read; nothing to do with them
    }
  } catch (e) {
    if (!(e instanceof TraceError || e instanceof CacheError)) throw e;
    error = new InputError(e.message.split(path).join(shown));
  }
  const size = statSync(path).size;
  const sha256 = digest.sha256(size), head = digest.firstBytes(size);
  if (error !== undefined) return { facts: { sha256: sha256 ?? UNREAD, head: head ?? readHead(path, TRACE_HEAD_BYTES) }, error };
  return { facts: sha256 !== undefined && head !== undefined ? { sha256, head } : await readTraceFacts(path) };
}

/**
 * Lists the runs of `experiment` (of `o.shard`) on `o.stdout` with their state in `out` (checked
 * already, not locked); the outcome counts the runs done as skipped. Throws InputError for a
 * malformed trace file, for `o.resume` when `out` holds no sweep, and for an `out` the sweep would
 * refuse (another experiment, or this one with its trace file changed since), as the sweep would.
 */
export async function listRuns(o: SweepOptions, experiment: Experiment, out: string): Promise<SweepOutcome> {
  // the trace file is read once, when the plan asks for its hash: its errors are told after the plan's own, and its warnings
  let read: ReadThrough | undefined;
  const shownTrace = experiment.trace.kind === 'path' ? experiment.trace.display : '';
  const traceFacts = async (path: string) => (read = await readThrough(path, shownTrace)).facts;
  const plan = await makePlan(experiment, { traceFacts });
  for (const line of plan.warnings) o.onWarning?.(line);
  if (read?.error !== undefined) throw read.error;
  const share = shareOfRuns(plan.runs, o.shard);
  const store = new SweepDir(out);
  const write = (s: string) => o.stdout?.write(s);
  const results = csvList(parseResults(o.results ?? SWEEP_DEFAULT_RESULTS));
  const outcome: SweepOutcome = { plan, out, total: share.length, skipped: 0, ran: 0, generated: 0, cached: 0, fromCache: 0, failed: [], results, chosenSampleUs: new Map() };
  const shown = showPath(out);
  const have = existsSync(out) ? store.manifest() : undefined;
  // what --resume would say, said before listing: there is nothing to resume
  if (o.resume === true && !have) throw new InputError(`--resume: ${shown} holds no sweep to resume`);
  const same = have?.hash === plan.hash || have?.hash === plan.legacyHash;
  // a directory the sweep would refuse (a trace file changed since its sweep began, another experiment): refused as it would be
  if (have) {
    const want = manifestOf(plan, o.shard);
    if (experiment.trace.kind === 'path') refuseChangedTrace(store, have, want, same, showPath(experiment.trace.path), shown);
    store.refuseAnother(have, want, experiment.text, [plan.legacyHash]);
  }
  write(
    `experiment ${experiment.name}: ${plural(plan.points.length, 'point')} x ${plural(experiment.seeds.length, 'seed')} = ${plural(plan.runs.length, 'run')}` +
      `${o.shard ? `; shard ${o.shard.index}/${o.shard.count}: ${plural(share.length, 'run')}` : ''}; results in ${shown}\n`,
  );
  for (const run of share) {
    const rec = same ? store.record(run.id) : undefined;
    const state = rec ? (rec.status === 'ok' ? 'done' : 'failed') : 'pending';
    if (rec?.status === 'ok') outcome.skipped++;
    write(dryRunLine(plan, run, state) + '\n');
  }
  return outcome;
}
