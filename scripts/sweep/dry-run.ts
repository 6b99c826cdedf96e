/**
 * `syncsim sweep --dry-run`: the runs of an experiment (or of one shard of it) listed, each with
 * its grid values and whether it is done, failed or pending in the results directory; nothing is
 * run or written. A trace file is read through as the runs would read it (without a cache), so
 * that a check before a cluster job (scripts/slurm/sweep.sbatch) finds its errors.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { openTrace } from '../../traces/open.ts';
import { TraceError } from '../../traces/trace-error.ts';
import { CacheError } from '../../traces/cache.ts';
import type { Experiment } from './experiment.ts';
import { canonicalJson } from './identity.ts';
import { makePlan, type Plan, type RunSpec } from './plan.ts';
import { shareOfRuns } from './shard.ts';
import { showPath, SweepDir } from './store.ts';
import type { SweepOptions, SweepOutcome } from './runner.ts';

const showValue = (v: unknown) => (typeof v === 'string' ? v : canonicalJson(v));

/** One line of `--dry-run`: id, point, seed, grid values and state. */
function dryRunLine(plan: Plan, run: RunSpec, state: string): string {
  const values = plan.points[run.point - 1].values.map((v, i) => `${plan.keys[i]}=${showValue(v)}`);
  return [run.id, `point=${run.point}`, `seed=${run.seed}`, ...values, state].join('  ');
}

/**
 * Reads the trace file `path` to its end without a cache (nothing is written), as a run reads
 * it: a malformed one is an InputError located as the run's would be (`shown` for its name).
 */
async function readThrough(path: string, shown: string): Promise<void> {
  try {
    const t = await openTrace(path);
    for await (const _ of t.batches) {
      // the blocks are checked as they are read; nothing to do with them
    }
  } catch (e) {
    if (e instanceof TraceError || e instanceof CacheError) throw new InputError(e.message.split(path).join(shown));
    throw e;
  }
}

/**
 * Lists the runs of `experiment` (of `o.shard`) on `o.stdout` with their state in `out` (checked
 * already, not locked); the outcome counts the runs done as skipped. Throws InputError for a
 * malformed trace file, and for `o.resume` when `out` holds no sweep.
 */
export async function listRuns(o: SweepOptions, experiment: Experiment, out: string): Promise<SweepOutcome> {
  const plan = await makePlan(experiment);
  for (const line of plan.warnings) o.onWarning?.(line);
  const share = shareOfRuns(plan.runs, o.shard);
  const store = new SweepDir(out);
  const write = (s: string) => o.stdout?.write(s);
  const outcome: SweepOutcome = { plan, out, total: share.length, skipped: 0, ran: 0, generated: 0, cached: 0, fromCache: 0, failed: [] };
  const shown = showPath(out);
  // a trace file is read through, as the runs would read it, so that a check before a cluster job (sweep.sbatch) finds its errors
  if (experiment.trace.kind === 'path') await readThrough(experiment.trace.path, experiment.trace.display);
  const have = existsSync(out) ? store.manifest() : undefined;
  // what --resume would say, said before listing: there is nothing to resume
  if (o.resume === true && !have) throw new InputError(`--resume: ${out} holds no sweep to resume`);
  const same = have?.hash === plan.hash || have?.hash === plan.legacyHash;
  write(
    `experiment ${experiment.name}: ${plan.points.length} points x ${experiment.seeds.length} seeds = ${plan.runs.length} runs` +
      `${o.shard ? `; shard ${o.shard.index}/${o.shard.count}: ${share.length} runs` : ''}; results in ${shown}` +
      `${have && !same ? ' (which holds ANOTHER experiment)' : ''}\n`,
  );
  for (const run of share) {
    const rec = same ? store.record(run.id) : undefined;
    const state = rec ? (rec.status === 'ok' ? 'done' : 'failed') : 'pending';
    if (rec?.status === 'ok') outcome.skipped++;
    write(dryRunLine(plan, run, state) + '\n');
  }
  return outcome;
}
