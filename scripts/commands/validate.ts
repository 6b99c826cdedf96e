/**
 * `syncsim validate`: runs a fio mmap job on the real kernel, replays its
 * I/O log with the linux personality and a calibrated device, and scores the
 * simulated msync latency distribution against the measured one.
 */
import { holdReporting, type ReportingIo } from '../validate/page-reporting.ts';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { InputError, requireTraceFile } from '../errors.ts';
import { validateTrace } from '../validate/trace-validation.ts';
import { defaultValidationOutName, validate, validationTable } from '../validate/validation.ts';
import type { JobTurns } from '../validate/rounds.ts';
import { claimOutDir } from '../../traces/out-lock.ts';
import { calibrationArgs, settleArg } from './calibrate.ts';
import { type Command, parseCommandArgs, wholeNumberOption } from './command.ts';
import { seedOption } from './seed-option.ts';
import { escapeLines } from '../../traces/escape.ts';
import { simSeedsArg } from '../validate/sim-seeds.ts';
import { flagAndSetProblem, refuseRepeatedSets } from '../config-sets.ts';
import { helpEntry } from '../help-text.ts';

const HELP = `Usage: syncsim validate (--fio-job JOB.fio | --trace TRACE.csv)
                        [--calibration device.yaml] [--out DIR] [--dir PATH]
                        [--set KEY=VALUE]... [--seed N] [--sim-seeds N]
                        [--warmup N] [--repeat N] [--settle S]
                        [--calibrate-size SIZE] [--calibrate-runtime S]
                        [--calibrate-max-depth N] [--calibrate-quick]
                        [--calibration-only] [--pause-page-reporting]

Validates syncsim against the running Linux kernel (measure on an idle
machine: it warns when other work keeps the CPUs busy or more than 64 MiB of
writes are pending, and first waits, at most 20 s (--settle), until a bare
FLUSH of the device costs the same from one second to the next):
  1. runs the fio job JOB.fio: one job, ioengine=mmap, fsync=N (fio's fsync on
     a mapping is msync(MS_SYNC) of the whole mapping); its write_iolog,
     write_lat_log (log_avg_msec=0) and JSON report are redirected into DIR;
  2. imports the I/O log (as 'syncsim import --from fio-iolog') and replays it
     with personality linux and the calibrated device, its FLUSH level refitted
     to the calibration's FLUSH probe (4k O_DIRECT overwrite + fdatasync;
     media_write_us fitted through the model to its fdatasync after 32
     random buffered writes, else scaled by that after 32 O_DIRECT writes;
     media_mbps by its fdatasync after one 1 MiB write; write_latency and
     the submission stage by the 32 O_DIRECT writes' median) run
     before each run and before the replay (DIR/device-session.yaml; the FLUSH
     of a virtual disk moves with the host over minutes), unless
     --calibration-only, or the calibration has no NAME.calibration.json beside
     it, or the device no write cache;
  3. matches measured and simulated msyncs in order and compares their latency
     distributions: mean, p50, p90, p99 and the demerit figure (Ruemmler &
     Wilkes 1994: RMS horizontal distance between the two CDFs, as % of the
     measured mean);
  4. writes DIR/validation.json and the figure
     validation-cdf.{vl.json,svg,png,pdf}: the job and the table's figures
     in its title, the CDF of each measured run and of the simulated msyncs
     on a log latency axis, and 1 - CDF on a log axis under it (the tail).

A measured msync latency is the time from the sync's entry in fio's I/O log to
the next entry (fio issues the next I/O when the sync returns); fio's own sync
statistics (JSON report) are kept beside it as a check.

Options:
  --fio-job FILE        the fio job file
  --trace FILE          instead of a fio job: a trace whose msync rows carry
                        their measured latency (x_measured_us), e.g. made by
                        'syncsim record'. It is replayed with the configuration
                        (--calibration, --set; personality linux) and compared
                        the same way: nothing is calibrated, and without
                        --calibration the device is the defaults' (a fio
                        validation's own trace.csv replays as it did with that
                        validation's device-session.yaml). --repeat N (default 1
                        here) records its program again N-1 times (the trace's
                        'recorded-command' header) for the noise floor, in the
                        directory it was recorded in (the 'recorded-cwd' header;
                        a trace without one: the current directory, with a
                        warning)
  --calibration FILE    configuration with the calibrated device
                        ('syncsim calibrate -o'); without it (--fio-job) the
                        device under --dir is calibrated first, into
                        DIR/calibration/
  --calibration-only    no FLUSH probes (--fio-job): replay with the
                        calibration as it is
  --out DIR             output directory (default
                        results/validation/<job name>); written beside it and
                        renamed into place when complete. It must be missing,
                        empty or an earlier validation output (it holds a
                        .syncsim marker): anything else is refused (exit 2)
                        before fio runs
${helpEntry('  --dir PATH', `the filesystem measured (default ${tmpdir()}; not tmpfs): fio runs the job
in a scratch directory made inside and removed after; a job that places its own files (filename=,
directory=, filename_format=, opendir=) is refused`, 24)}
  --set KEY=VALUE       override one configuration key after personality=linux
                        and the calibration (repeatable), e.g.
                        --set pager.cluster_pages=64
  --seed N              random seed of the first replay (service-time draws;
                        0 to 4294967295, default 1)
  --sim-seeds N         replay the trace N times, with the seeds S, S+1, ... (S:
                        --seed's, 0 after 4294967295), and pool their msyncs on
                        the simulated side (default 8, 1 to 64): one replay is
                        one draw of the model's random times, and its p99 over a
                        few hundred msyncs a handful of draws. sim/ and
                        pairs.csv are the first seed's
  --warmup N            leave the first N matched msyncs out of the comparison
                        on both sides (default 0: every msync counts)
  --settle S            longest wait for the device to settle before the first
                        run (and before calibrating, when no --calibration is
                        given), seconds (default 20, calibration 90; 0 measures
                        at once, with a warning); fio jobs only
  --pause-page-reporting
                        on a virtual machine that hands free memory back to its
                        host (free page reporting), turn that off while fio and
                        the calibration run, and back on after (root;
                        docs/validation.md, "Free page reporting"); without it,
                        a warning; fio jobs only
  --calibrate-size SIZE, --calibrate-runtime S, --calibrate-max-depth N,
  --calibrate-quick     'syncsim calibrate' options when no --calibration is
                        given (defaults 256m, 120, 64; --quick: 64m, 24)
  --repeat N            run the fio job N times (default 2, 1 to 20): the
                        measured side pools the runs, and the demerit between
                        the runs (mean over pairs) is the noise floor; noise
                        ratio = demerit / noise floor. The runs follow each
                        other; npm run validate measures its jobs in rounds
                        instead (every job's run r before any job's run r+1)
  -h, --help            this help

Output (DIR): validation.json, validation-cdf.*, device-session.yaml (+
.calibration.json, when the FLUSH level was refitted), pairs.csv (each matched
msync: measured and simulated latency, compared 0 for the warm-up), samples.csv
(every compared latency, measured runs pooled, each with its run, and simulated
seeds pooled), job.fio (as run), fio.iolog, fio_*lat.1.log, fio.json (all of
run 1), repeat-2/ ... repeat-N/ (job.fio, fio.iolog, fio.json and logs of each
further run), trace.csv (run 1's log imported: x_measured_us on msync rows, and
on stores and loads their time to the next log entry; the mapping's RANDOM or
SEQUENTIAL flag from the job's rw, as fio's mmap engine advises), sim/ (the
replay's results, for 'syncsim report DIR/sim').`;

/**
 * `syncsim validate ARGS` as the command line runs it; `turns` lets
 * `npm run validate` interleave the runs of several jobs (rounds.ts);
 * `reportingIo`, where free page reporting is read and set (tests; default sysfs).
 */
export async function runValidate(argv: string[], turns?: JobTurns, reportingIo?: ReportingIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('validate', argv, {
    'fio-job': { type: 'string' },
    trace: { type: 'string' },
    calibration: { type: 'string' },
    out: { type: 'string' },
    dir: { type: 'string' },
    set: { type: 'string', multiple: true },
    seed: { type: 'string' },
    'sim-seeds': { type: 'string' },
    warmup: { type: 'string' },
    repeat: { type: 'string' },
    settle: { type: 'string' },
    'calibrate-size': { type: 'string' },
    'calibrate-runtime': { type: 'string' },
    'calibrate-quick': { type: 'boolean' },
    'calibration-only': { type: 'boolean' },
    'calibrate-max-depth': { type: 'string' },
    'pause-page-reporting': { type: 'boolean' },
  });
  // --help first, whatever else is given, as for every other command
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new InputError(`validate takes no positional arguments (got '${positionals[0]}'; try 'syncsim validate --help')`);
  const job = values['fio-job'];
  const trace = values.trace;
  if (job !== undefined && trace !== undefined) throw new InputError('--fio-job and --trace are exclusive: give one');
  if (job === undefined && trace === undefined) throw new InputError("validate needs --fio-job JOB.fio or --trace TRACE.csv (try 'syncsim validate --help')");
  if (job !== undefined && !existsSync(job)) throw new InputError(`fio job file not found: ${job}`);
  if (trace !== undefined) requireTraceFile(trace, 'trace');
  // checked before --out is claimed: a bad input touches nothing
  if (values.calibration !== undefined && !existsSync(values.calibration)) throw new InputError(`calibration file not found: ${values.calibration}`);
  const sets = [...(values.set ?? [])];
  refuseRepeatedSets(sets);
  if (values.seed !== undefined) {
    seedOption('--seed', values.seed, 1);
    const twice = flagAndSetProblem(sets, 'seed', 'seed', values.seed, 'seed');
    if (twice) throw new InputError(twice);
    sets.push(`seed=${values.seed}`);
  }
  const simSeeds = simSeedsArg(values['sim-seeds']);
  if (values.warmup !== undefined && !/^\d+$/.test(values.warmup)) throw new InputError(`--warmup expects a non-negative integer (got '${values.warmup}')`);
  const repeat = wholeNumberOption('--repeat', values.repeat, trace === undefined ? 2 : 1, 1, 20);
  const settleMs = settleArg('--settle', values.settle);
  if (settleMs !== undefined && trace !== undefined) throw new InputError('--settle applies to --fio-job only (a recorded trace is measured by its own program)');
  if (trace !== undefined) {
    // nothing runs fio or calibrates for a trace: options that would be ignored are refused
    const fioOnly = (['dir', 'calibrate-size', 'calibrate-runtime', 'calibrate-max-depth', 'calibrate-quick', 'pause-page-reporting'] as const).filter((k) => values[k] !== undefined);
    if (fioOnly.length > 0) {
      throw new InputError(`--${fioOnly[0]} applies to --fio-job only: a trace is replayed with --calibration FILE as it is (make one with 'syncsim calibrate -o FILE'), or with the default device without it`);
    }
  }
  const autoCalibration = calibrationArgs({
    size: values['calibrate-size'], runtime: values['calibrate-runtime'], maxDepth: values['calibrate-max-depth'], quick: values['calibrate-quick'],
  }, '--calibrate-');
  const tty = process.stderr.isTTY === true;
  // checked and locked before fio runs
  const { abs, lock } = claimOutDir(values.out ?? defaultValidationOutName(job ?? trace!), { command: 'validate', within: values.out === undefined ? 'results/validation' : undefined });
  try {
    const log = tty ? (l: string) => process.stderr.write(l + '\n') : undefined;
    const warn = (l: string) => process.stderr.write(l + '\n');
    const warmup = values.warmup === undefined ? 0 : Number(values.warmup);
    const { report, out } = trace !== undefined
      ? await validateTrace({ trace, calibration: values.calibration, out: abs, sets, warmup, repeat, simSeeds, turns, log, warn })
      : await validate({
      jobFile: job!,
      calibration: values.calibration,
      autoCalibration,
      out: abs,
      dir: values.dir ?? tmpdir(),
      sets,
      warmup,
      repeat,
      simSeeds,
      settleMs,
      turns,
      log,
      warn,
      calibrationOnly: values['calibration-only'] === true,
      reporting: () => holdReporting('validate', values['pause-page-reporting'] === true, warn, reportingIo, values.dir ?? tmpdir()),
    });
    process.stdout.write(escapeLines(validationTable(report, out)) + '\n');
    return 0;
  } finally {
    lock.release();
  }
}

/** `syncsim validate`. */
export const validateCommand: Command = {
  name: 'validate',
  usage: 'validate (--fio-job JOB.fio | --trace TRACE.csv) [options]',
  summary: 'run a fio mmap job on this kernel (or take a recorded trace), replay it, score the msync latency (demerit, noise ratio)',
  help: HELP,
  run: (argv) => runValidate(argv),
};
