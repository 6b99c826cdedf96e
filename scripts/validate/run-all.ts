/**
 * `npm run validate`: calibrates the device under the system temporary
 * directory (or --dir), then validates every example job of workloads/fio/
 * against the running kernel with that calibration, through the CLI's own
 * `syncsim calibrate` and `syncsim validate`, and prints one table of the
 * results (also written to OUT/summary.json).
 *
 *   node --import tsx scripts/validate/run-all.ts [--out results/validation] [--dir PATH]
 *        [--calibration FILE] [--size SIZE] [--runtime S] [--quick] [--set KEY=VALUE]... [--warmup N]
 *        [--repeat N] [--sim-seeds N] [--kernel-sequences N]
 *
 * The jobs' runs are measured in rounds (rounds.ts): run r of every job
 * before run r+1 of any, the replays last.
 *
 * Before the jobs it runs the linux personality's differential test against
 * this kernel (kernel-diff.ts): N random 200-op sequences (default 40; 0
 * skips it), and fails on any disagreement.
 */
import { parseArgs } from 'node:util';
import { measureWithReporting } from './page-reporting.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main, reportError } from '../cli.ts';
import { isMainModule } from '../main-module.ts';
import { runValidate } from '../commands/validate.ts';
import { Rounds, runJob, takeTurn } from './rounds.ts';
import { writeFileAtomic } from '../../traces/files.ts';
import type { ValidationReport } from './validation.ts';
import { validationSummary, validationSummaryTable, writeGrid } from './summary.ts';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirtyPagesUnavailable } from '../record/record.ts';
import { kernelDiffUnavailable, runKernelDiff } from './kernel-diff.ts';
import { busyReasons, busyWarning, machineState } from './machine-state.ts';
import { checkCalibrationTargets } from './calibration.ts';
import { isProbeSlot, withProbeSlots } from './flush-level.ts';
import { FlushSession, noSessionSummary, profileClash } from './flush-session.ts';
import { simSeedsArg } from './sim-seeds.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const JOBS_DIR = join(ROOT, 'workloads', 'fio');
/** A FLUSH probe before every this many jobs of a round (flush-level.ts). */
const PROBE_EVERY = 3;
/** The example jobs in the order of the issue; any other job file of the directory follows, by name. */
const ORDER = ['seq-small-syncs', 'rand-fsync32', 'large-syncs', 'rand-fsync8', 'randrw-fsync16', 'two-jobs', 'sweep-fsync1', 'sweep-fsync8', 'sweep-fsync64'];

const HELP = `Usage: npm run validate [-- --out DIR] [--dir PATH] [--calibration FILE]
                         [--size SIZE] [--runtime S] [--quick] [--set KEY=VALUE]... [--warmup N]
                         [--repeat N] [--sim-seeds N] [--kernel-sequences N] [--calibration-only]
                         [--pause-page-reporting]

Calibrates the device under --dir from microbenchmarks (syncsim calibrate -o
DIR/device.yaml, with --size, --runtime, --quick; skipped with --calibration
FILE), then runs syncsim validate on every job of workloads/fio/ into
DIR/<job>/ with that profile (personality linux, so the calibrated fs.kind,
else ext4-ordered, and page-in on by default), and on the LMDB client
workloads/apps/lmdb-commits.py, recorded with syncsim record (root, cc and
python3-lmdb needed, else skipped with the reason) and validated from its
trace (syncsim validate --trace, with fs.preallocated=false: the program
makes a new environment, so its data file is sparse). Each job runs --repeat N times (default 2),
measured in rounds: every job's run 1 (the LMDB client's recording among
them), then every job's run 2, and so on, and the replays only after the last
run, so that a job's runs are about a minute apart and its noise floor covers
how the machine drifts between them (runs back to back share the storage's
state of the moment). Then it prints one table: per job the measured and
simulated msync latency (p50, p99, mean), the demerit, the noise floor (the
demerit between the measured runs), the noise ratio (demerit / noise floor),
the p50 and p99 errors, and how far apart the measured runs' own p50s and
p99s are (p50 noise, p99 noise: the kernel's error against itself). Each
job's trace is replayed with --sim-seeds N seeds (default 8) and their msyncs
pooled: the simulated side is the model's distribution, not one draw of it.
Writes DIR/summary.json and the figure DIR/validation-grid.{svg,png,pdf}. DIR defaults to
results/validation. First, N (default 40, 0: none) random sequences of 200
mmap/munmap/store/msync/mlock/munlock ops are run on this kernel and replayed
with personality linux; every result and msync's cleaned pages must agree
(Linux, root and cc needed, else skipped with the reason).

On a virtual machine that hands free memory back to its host (free page
reporting), jobs that read ahead into large folios run several times slower
when they start after a quiet spell: --pause-page-reporting (root) turns it
off for the whole session and back on at the end; without it, a warning
(docs/validation.md, "Free page reporting"). summary.json's machine.page_reporting says
which.

The FLUSH level of a virtual disk moves over tens of seconds to minutes, so
the jobs do not run with the calibration's level as it is: the calibration's
FLUSH probe (4k O_DIRECT overwrite + fdatasync, then fdatasync after 32
writes, after one 1 MiB write, and after 1 and 32 random buffered writes) runs before every third job of each round
and once more before the replays, device.flush_us, flush_empty_us and
flush_cv are refitted to all of them pooled, media_write_us is fitted
through the model to their fdatasync after 32 random buffered writes (their
32-write O_DIRECT FLUSH against the calibration's scales it when none timed
that), media_mbps is scaled by their 1 MiB FLUSH against the
calibration's, and write_latency, submit_us and submit_command_us by those
32 writes' median against the calibration's flush-32 step, into
DIR/device-session.yaml (+ .calibration.json), the
profile the jobs are replayed with. --calibration-only skips the probes and replays with the
calibration as it is (also when it has no NAME.calibration.json beside it,
for --calibration NAME.yaml, or no write cache).`;

async function runAll(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      dir: { type: 'string' },
      calibration: { type: 'string' },
      size: { type: 'string' },
      runtime: { type: 'string' },
      quick: { type: 'boolean' },
      set: { type: 'string', multiple: true },
      warmup: { type: 'string' },
      repeat: { type: 'string' },
      'sim-seeds': { type: 'string' },
      'kernel-sequences': { type: 'string' },
      'calibration-only': { type: 'boolean' },
      'pause-page-reporting': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const repeat = values.repeat === undefined ? 2 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new Error(`--repeat must be a whole number from 1 to 20 (got ${values.repeat})`);
  const simSeeds = String(simSeedsArg(values['sim-seeds']));
  const out = resolve(values.out ?? join(ROOT, 'results', 'validation'));
  const sessionProfile = join(out, 'device-session.yaml');
  // before anything runs: the calibration (made here without --calibration) and the session profile replace only ones syncsim wrote, unedited
  if (values.calibration === undefined) checkCalibrationTargets(join(out, 'device.yaml'), 'calibration (--calibration FILE skips it)');
  if (!values['calibration-only']) {
    checkCalibrationTargets(sessionProfile, 'session profile (--calibration-only skips it)');
    const clash = values.calibration === undefined ? null : profileClash(values.calibration, sessionProfile);
    if (clash) throw new Error(clash);
  }
  // the whole session, calibration included, with the guest's free page reporting paused or warned of (page-reporting.ts):
  // the calibration and each job, run in this process, record the session's state
  const tell = (l: string) => process.stdout.write(l + '\n');
  return measureWithReporting('validate', values['pause-page-reporting'] === true, tell, async (reporting) => {
    const atStart = machineState();
    const busy = busyReasons(atStart);
    const warning = busyWarning(atStart);
    if (warning) process.stdout.write(warning + '\n');
    const sequences = Number(values['kernel-sequences'] ?? 40);
    if (!Number.isInteger(sequences) || sequences < 0) throw new Error(`--kernel-sequences must be a whole number >= 0 (got ${values['kernel-sequences']})`);
    if (sequences > 0) {
      const why = kernelDiffUnavailable(values.dir);
      if (why) process.stdout.write(`== kernel differential test skipped: ${why}\n`);
      else {
        process.stdout.write(`== kernel differential test: ${sequences} sequences of 200 ops, personality linux vs this kernel\n`);
        const d = runKernelDiff(sequences, 200, 1, values.dir);
        process.stdout.write(`${d.ops} ops, ${d.msyncs} msyncs, ${d.cleanedPages} pages cleaned, ${d.mismatches.length} disagreements\n`);
        for (const m of d.mismatches.slice(0, 20)) {
          process.stdout.write(`  seed ${m.seed} op ${m.index} (${m.probe}): kernel ${m.kernel.result} [${m.kernel.cleaned.join(' ')}], model ${m.model.result} [${m.model.cleaned.join(' ')}]\n`);
        }
        if (d.mismatches.length > 0) return 1;
      }
    }
    const dirArgs = values.dir ? ['--dir', values.dir] : [];
    let calibration = values.calibration;
    if (calibration === undefined) {
      calibration = join(out, 'device.yaml');
      const args = ['calibrate', ...dirArgs, '-o', calibration];
      for (const k of ['size', 'runtime'] as const) if (values[k] !== undefined) args.push(`--${k}`, values[k]!);
      if (values.quick) args.push('--quick');
      process.stdout.write(`== syncsim ${args.join(' ')}\n`);
      const code = await main(args);
      if (code !== 0) return code;
    }
    // the session FLUSH level: probes between the runs refit the profile the jobs are replayed with
    const session = values['calibration-only'] ? null : await FlushSession.start(calibration, sessionProfile, values.dir ?? tmpdir(), tell);
    const profile = session ? sessionProfile : calibration;
    const names = readdirSync(JOBS_DIR).filter((n) => n.endsWith('.fio')).map((n) => n.slice(0, -4));
    names.sort((a, b) => (ORDER.includes(a) ? ORDER.indexOf(a) : ORDER.length) - (ORDER.includes(b) ? ORDER.indexOf(b) : ORDER.length) || a.localeCompare(b));
    // the real database client: recorded with syncsim record, validated from its trace
    const appWhy = appUnavailable();
    if (appWhy) process.stdout.write(`== lmdb-commits skipped: ${appWhy}\n`);
    const app = appWhy ? [] : ['lmdb-commits'];
    // every job's run 1, then every job's run 2, …, then the replays (rounds.ts)
    const slots = session ? withProbeSlots([...names, ...app], PROBE_EVERY) : [...names, ...app];
    const rounds = new Rounds(slots, repeat, (label, at, of) => process.stdout.write(`\n== [${at}/${of}] ${label}\n`));
    process.stdout.write(`== ${names.length + app.length} jobs, ${repeat} run(s) each, measured in rounds: every job's run r before any job's run r+1, then the replays\n`);
    const jobs = names.map(async (name) => {
      const args = ['validate', '--fio-job', join(JOBS_DIR, `${name}.fio`), '--calibration', profile, '--out', join(out, name), ...dirArgs, '--repeat', String(repeat), '--sim-seeds', simSeeds];
      for (const s of values.set ?? []) args.push('--set', s);
      if (values.warmup !== undefined) args.push('--warmup', values.warmup);
      process.stdout.write(`${name}: syncsim ${args.join(' ')}\n`);
      return await runJob(rounds, name, () => runValidate(args.slice(1), rounds.of(name)), reportError, (code) => failed(name, code, args));
    });
    if (app.length > 0) {
      jobs.push((async () => {
        const trace = join(out, 'lmdb-commits.csv');
        // --replace: the recording is the session's own, in its output directory, made again by each session there
        const rec = ['record', '-o', trace, '--replace', '--', '/usr/bin/python3', join(ROOT, 'workloads', 'apps', 'lmdb-commits.py')];
        // the program makes its LMDB environment in a new directory: data.mdb is sparse when it is mapped (a hole
        // until a page's first writeback allocates its block), where fio lays its files out first; a --set may override
        // (a user's own --set of fs.preallocated, or of fs, replaces ours: validate refuses a key given twice)
        const userSets = values.set ?? [];
        const ours = userSets.some((kv) => /^\s*fs(\.preallocated)?\s*=/.test(kv)) ? [] : ['--set', 'fs.preallocated=false'];
        const args = ['validate', '--trace', trace, '--calibration', profile, '--out', join(out, 'lmdb-commits'), '--repeat', String(repeat), '--sim-seeds', simSeeds, ...ours];
        for (const s of userSets) args.push('--set', s);
        process.stdout.write(`lmdb-commits: syncsim ${rec.join(' ')}, then syncsim ${args.join(' ')}\n`);
        let ran = rec;
        return await runJob(rounds, 'lmdb-commits', async () => {
          // run 1 is the recording itself
          const recorded = await takeTurn(rounds.of('lmdb-commits'), 1, async () => {
            const code = await main(rec);
            if (code !== 0) rounds.cancel('lmdb-commits', code); // before the turn is given back
            return code;
          });
          if (recorded !== 0) return recorded;
          ran = args;
          return await runValidate(args.slice(1), rounds.of('lmdb-commits'));
        }, reportError, (code) => failed('lmdb-commits', code, ran));
      })());
    }
    if (session) jobs.push(...slots.filter(isProbeSlot).map((slot, k) => runJob(rounds, slot, () => session.slot(rounds, slot, slots, k === 0), reportError, (code) => failed(slot, code, ['(FLUSH probe)']))));
    try {
      await Promise.all(jobs);
    } finally {
      session?.close();
    }
    // the exit code of the job that failed first
    if (rounds.failure) return rounds.failure.code;
    const reports = [...names, ...app].map((name) => JSON.parse(readFileSync(join(out, name, 'validation.json'), 'utf8')) as ValidationReport);
    process.stdout.write(`\nmsync latency (µs), measured on this kernel vs simulated (profile ${profile})\n${validationSummaryTable(reports)}\n`);
    const summary = validationSummary(reports, existsSync(calibration) ? resolve(calibration) : calibration);
    const figure = await writeGrid(out, reports);
    const atEnd = machineState();
    const busyAtEnd = busyReasons(atEnd);
    const machine = { at_start: atStart, at_end: atEnd, busy: [...new Set([...busy, ...busyAtEnd])], page_reporting: reporting };
    if (busyAtEnd.length > 0) process.stdout.write(`validate: warning: at the end the machine was busy: ${busyAtEnd.join('; ')}\n`);
    const flushLevel = session?.summary() ?? noSessionSummary(profile);
    writeFileAtomic(join(out, 'summary.json'), JSON.stringify({ ...summary, flush_level: flushLevel, figure, machine }, null, 2) + '\n');
    process.stdout.write(`figure: ${join(out, figure.find((n) => n.endsWith('.png'))!)}\nsummary: ${join(out, 'summary.json')}\n`);
    return 0;
  }, undefined, values.dir ?? tmpdir());
}

/** Says that job `name` failed with `code` running `syncsim ARGS`, so the other jobs stop. */
function failed(name: string, code: number, args: readonly string[]): void {
  process.stdout.write(`validate: ${name} failed (exit ${code}: syncsim ${args.join(' ')}); the other jobs stop\n`);
}

/** Why the LMDB client cannot be recorded here (root, cc and python3-lmdb are needed), or undefined. */
function appUnavailable(): string | undefined {
  if (spawnSync('cc', ['--version']).status !== 0) return 'no C compiler (cc) for the record shim';
  if (spawnSync('/usr/bin/python3', ['-c', 'import lmdb']).status !== 0) return 'python3-lmdb is not installed (apt-get install python3-lmdb)';
  return dirtyPagesUnavailable();
}

/** `npm run validate ARGS`: its exit code, an error before or between the jobs told on standard error (exit 2). */
export async function validateAll(argv: string[]): Promise<number> {
  try {
    return await runAll(argv);
  } catch (e) {
    process.stderr.write(`validate: ${(e as Error).message}\n`);
    return 2;
  }
}

// run as the script (npm run validate), not imported (the tests call validateAll)
if (isMainModule(import.meta.url)) process.exitCode = await validateAll(process.argv.slice(2));
