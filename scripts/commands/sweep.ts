/**
 * `syncsim sweep`: runs an experiment file's grid points × seeds on a pool of worker threads.
 */
import { QUIET_OPTION, quietHelp } from '../progress.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { showPath } from '../sweep/store.ts';
import { InputError } from '../errors.ts';
import { defaultJobs, runSweep, type SweepOutcome } from '../sweep/runner.ts';
import { parseShard } from '../sweep/shard.ts';
import { DEFAULT_MAX_RUNS } from '../sweep/plan.ts';
import { failureReport } from '../sweep/report.ts';
import { tablesNotes, tablesWarnings } from '../sweep/tables.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { escapeControl, escapeLines } from '../../traces/escape.ts';
import { checkCacheOptions, refuseOutputAsCache } from '../cache-dir.ts';
import { RESULT_CSVS, resultsText } from '../result-files.ts';
import { plural } from '../plural.ts';

const HELP = `Usage: syncsim sweep EXP.yaml [options]

Runs every grid point x seed of the experiment file EXP.yaml, in parallel, and
writes one directory per run plus the result tables.

Options:
  --jobs N        worker threads (default: the cores available, ${defaultJobs()} here)
  --out DIR       results directory (default results/<experiment name>); it must
                  be missing, empty or a sweep directory (experiment.json), else
                  it is refused (exit 2) before anything runs; it is locked
                  while the sweep runs (.NAME.lock beside it)
  --shard I/N     run only shard I of N: the I-th of N contiguous shares of the
                  runs (sizes within one of each other), ordered by their trace;
                  combine the shard directories with 'syncsim merge'
  --resume        continue the sweep in DIR; DIR must hold this experiment
                  (resuming is also what happens without --resume when it does)
  --dry-run       list the runs (id, point, seed, grid values,
                  done/failed/pending) and run nothing; a DIR the sweep would
                  refuse (another experiment in it) is refused alike, exit 2
  --cache-dir DIR where the binary trace cache lives (default: .trace-cache
                  beside DIR, or $SYNCSIM_CACHE_DIR); not another syncsim
                  output directory (one holding a .syncsim marker) or inside
                  one (exit 2)
  --no-cache      every run parses the CSV trace; no cache is read or written
  --max-runs N    accept an experiment of up to N runs (grid points x seeds);
                  the default limit is ${DEFAULT_MAX_RUNS}, and a larger experiment is
                  refused at once, saying how many runs it has
  --run-timeout S wall-clock limit of one run, in seconds: a run still going
                  then has its worker stopped and is recorded failed (the
                  others go on); default none
  --results FILES which CSVs each run writes in DIR/runs/<id>/ besides
                  summary.json (always written, and the same whatever is
                  chosen; results.csv and aggregate.csv come from it):
                  syncs,timeline,tasks by default (what 'syncsim report' and
                  'compare' read, and each task's lag), all, summary
                  (summary.json alone), report (syncs.csv and timeline.csv), or
                  a comma-separated list of syncs, wires, writeback, reads,
                  timeline, durability, tasks; runs finished earlier keep
                  the files they were written with
${quietHelp(18, 'on a terminal a bar redrawn in place, with the runs done and failed, how far those under way are, and the ETA; otherwise a line every 10 s and one at the end')}
  -h, --help      this help

Experiment file (YAML; this one is workloads/experiments/ckpt-vs-wal.yaml):
  name: ckpt-vs-wal
  trace: { gen: db-checkpoint, set: { duration_s: 60 } }   # or { path: FILE }
  base: { personality: linux, device: { channels: 4 }, memory: { pages: 8192 } }
  grid:                                              # cartesian product
    personality: [freebsd, linux, xnu, mach]
    pager.cluster_pages: [8, 32]
    writeback.policy: [none, flusher]
    # trace.set.rate: [1000, 2000]                   # generator parameters too
  seeds: 10                                          # seeds 1..10, or a list
  metrics: [sync.latency_us.p99, writeback.bytes, writeback.by_cause.syncer]
base takes any run configuration keys. Every grid point, base with its grid
values, must be a valid configuration: a grid value is checked at the points
it is used in (writeback.params.* beside a grid's plugin writeback.policy),
and points whose values are valid only apart are refused, naming them.

A relative trace.path is relative to the experiment file, and so is a plugin
file (writeback.policy / device.discipline: ./file.ts; grids may range over
plugins and writeback.params.* / device.discipline_params.*): a run id then
also hashes each plugin file's source. Each run's seed is
its 'seed' configuration key and the seed of its generated trace; a generated
trace is made once per parameter set and seed, in DIR/traces/. Each trace's
binary cache (see 'syncsim run --help') is made once, before its runs, and
every run reads it instead of parsing the CSV; the results are the same.
Unless base or grid gives stats.sample_us, each run samples its timeline at
the period 'syncsim run --help' describes for its trace's length.

Results: DIR/runs/<id>/ (run.json, summary.json and the CSVs --results names;
<id> is a hash of the resolved configuration, the seed and the trace),
DIR/results.csv (one row per run) and DIR/aggregate.csv (per grid point and
metric: n, mean, sd, ci95 = half-width of the 95% confidence interval, Student
t, median).
Run again, a sweep skips its finished runs and tries failed ones again; one
killed at any moment finishes with the same files as an uninterrupted one.

One version of the trace: the sweep records the SHA-256 of its trace file when
it begins (DIR/experiment.json; of a generated trace, DIR/traces/F.sha256), and
each run checks that it replayed that version. A trace changed since stops the
sweep (exit 2; the runs finished, of the first version, are kept): put that
version back (delete a generated one: the sweep makes it again) and run it
again, or sweep the new version into another --out. Run again with the trace
file still changed, it is refused before any run (exit 2).

Exit codes: 0 every run succeeded; 1 some runs failed (they are recorded, the
others still run; the failures are listed at the end); 2 bad input (a trace
changed since the sweep began among it).`;

function closing(o: SweepOutcome, shard: string | undefined): string {
  const out = escapeControl(showPath(o.out));
  const what = shard ? `shard ${shard} of ${o.plan.experiment.name}` : `sweep ${o.plan.experiment.name}`;
  const made = [o.generated ? `${o.generated} trace${o.generated === 1 ? '' : 's'} generated` : '', o.cached ? `${o.cached} trace cache${o.cached === 1 ? '' : 's'} built` : '', o.fromCache ? `${o.fromCache} read the trace from its cache` : ''].filter(Boolean);
  const lines = [`${what}: ${plural(o.total, 'run')} (${o.skipped} already done, ${o.ran} run now${made.map((m) => `, ${m}`).join('')}), ${o.failed.length} failed`];
  if (o.ran > o.failed.length && o.results.length < RESULT_CSVS.length) lines.push(`runs wrote ${resultsText(new Set(o.results))} (--results all writes every file)`);
  for (const [us, n] of o.chosenSampleUs) lines.push(`${n} run${n === 1 ? '' : 's'} sampled the timeline every ${us} µs (stats.sample_us, chosen for the trace's length; summary.json config.stats.sample_us)`);
  if (o.tables) lines.push(`results: ${out}/results.csv, ${out}/aggregate.csv`);
  else lines.push(`runs in ${out}/runs; when every shard is done: syncsim merge SHARD_DIR... --out DIR`);
  return escapeLines(lines.join('\n')) + '\n';
}

/** --jobs N above the cores is allowed (a node may count its cores otherwise), but said: the runs share the cores, each worker with its own memory. */
function warnJobsAboveCores(jobs: number | undefined): void {
  const cores = defaultJobs();
  if (jobs === undefined || jobs <= cores) return;
  process.stderr.write(`syncsim: warning: --jobs ${jobs} is more than the ${cores} core${cores === 1 ? '' : 's'} this process may use: up to ${jobs} worker threads (at most one a run) share them, each with its own heap, so the sweep is no faster than with --jobs ${cores} and takes more memory\n`);
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('sweep', argv, {
    jobs: { type: 'string', short: 'j' },
    out: { type: 'string' },
    shard: { type: 'string' },
    resume: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'cache-dir': { type: 'string' },
    'no-cache': { type: 'boolean' },
    'max-runs': { type: 'string' },
    'run-timeout': { type: 'string' },
    results: { type: 'string' },
    ...QUIET_OPTION,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new InputError(`sweep expects one experiment file (got ${positionals.length}; try 'syncsim sweep --help')`);
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    if (!/^\d+$/.test(values.jobs) || Number(values.jobs) < 1) throw new InputError(`--jobs expects a positive integer (got '${values.jobs}')`);
    jobs = Number(values.jobs);
  }
  let maxRuns: number | undefined;
  if (values['max-runs'] !== undefined) {
    if (!/^\d+$/.test(values['max-runs']) || Number(values['max-runs']) < 1) throw new InputError(`--max-runs expects a positive integer (got '${values['max-runs']}')`);
    maxRuns = Number(values['max-runs']);
  }
  let runTimeoutS: number | undefined;
  if (values['run-timeout'] !== undefined) {
    const t = values['run-timeout'];
    if (!/^\d+(\.\d+)?$/.test(t) || Number(t) <= 0 || Number(t) > 1e6) throw new InputError(`--run-timeout expects a number of seconds > 0 and <= 1000000 (got '${t}')`);
    runTimeoutS = Number(t);
  }
  checkCacheOptions(values);
  if (!values['no-cache']) refuseOutputAsCache(values['cache-dir'] ?? process.env.SYNCSIM_CACHE_DIR, values['cache-dir'] === undefined ? '$SYNCSIM_CACHE_DIR' : '--cache-dir');
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  // once a process: a sweep run again in it (a program calling the CLI's main) adds no listener more
  if (!process.stdout.listeners('error').includes(exitOnClosedPipe)) process.stdout.on('error', exitOnClosedPipe);
  const o = await runSweep({
    experiment: positionals[0], out: values.out, jobs, shard, resume: values.resume, dryRun: values['dry-run'],
    stdout: process.stdout, progress: values['dry-run'] || values.quiet ? undefined : process.stderr, handleSignals: true,
    cacheDir: values['no-cache'] ? null : values['cache-dir'], maxRuns, runTimeoutS, results: values.results,
    command: ['syncsim', 'sweep', ...argv],
    onWarning: (m) => process.stderr.write(`syncsim: warning: ${m}\n`),
    // said once the experiment is read and runs are about to start: not before a sweep that fails at once
    onStartingRuns: () => warnJobsAboveCores(jobs),
  });
  if (values['dry-run']) return 0;
  process.stdout.write(closing(o, values.shard));
  // a report drawn before these runs no longer shows the results: say so, not redraw it unasked
  if (o.tables && o.ran > 0 && existsSync(join(o.out, 'report', 'report.json'))) {
    process.stderr.write(`syncsim: note: ${escapeControl(showPath(join(o.out, 'report')))} was drawn before this sweep's ${o.ran} new run${o.ran === 1 ? '' : 's'}: 'syncsim report ${escapeControl(showPath(o.out))}' draws it again\n`);
  }
  for (const w of o.tables ? tablesWarnings(o.tables) : []) process.stderr.write(`syncsim: warning: ${w}\n`);
  for (const n of o.tables ? tablesNotes(o.tables) : []) process.stderr.write(`syncsim: note: ${n}\n`);
  if (o.failed.length > 0) {
    // the runs of this sweep's share (a --shard runs only its own), as the closing line counts them
    process.stderr.write(failureReport(o.failed, o.total, o.out));
    return 1;
  }
  return 0;
}

/** `syncsim sweep ... --dry-run | head` closes the pipe early: that is not an error (exit 0); any other error of standard output is thrown. */
function exitOnClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
}

/** `syncsim sweep`. */
export const sweepCommand: Command = { name: 'sweep', usage: 'sweep EXP.yaml [options]', summary: 'run an experiment: grid points x seeds, in parallel', help: HELP, run };
