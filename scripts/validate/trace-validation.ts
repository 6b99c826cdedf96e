/**
 * Validation on any trace whose msync rows carry their measured latency
 * (`x_measured_us`), such as one made by `syncsim record` from a real
 * program: replay it, compare the simulated msync latencies with the
 * measured ones (same statistics, demerit, chart and noise floor as the fio
 * validation). With `repeat` > 1 the program named in the trace's
 * `recorded-command` header is recorded again that many times less one, in
 * the directory of its `recorded-cwd` header, and the runs' spread is the
 * noise floor.
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadConfig } from '../config-file.ts';
import { runTrace } from '../run.ts';
import { InputError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { readTrace } from '../../traces/reader.ts';
import { StagingDir } from '../../traces/files.ts';
import { writingOut } from './out-failure.ts';
import { recordedCommand, recordedCwd, recordTrace } from '../record/record.ts';
import { comparisonReport, compareReplay, type MeasuredTask } from './compare.ts';
import { DEFAULT_SIM_SEEDS, replayFurtherSeeds, simSeeds, simulatedLabel } from './sim-seeds.ts';
import { pooled } from './noise.ts';
import { distStats } from './demerit.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import type { ValidationReport } from './validation.ts';
import { deviceSummary } from './device-summary.ts';
import { figureContext } from './validation-table.ts';
import { warnIfBusy } from './machine-state.ts';
import { inTurn, takeTurn, type JobTurns, type Step } from './rounds.ts';

/** What to validate and where. */
export interface TraceValidateOptions {
  /** A trace with `x_measured_us` on its msync rows. */
  trace: string;
  /** A configuration file (e.g. a calibration); undefined: the defaults (the command checks that it exists before claiming OUT). */
  calibration?: string;
  out: string;
  /** `--set` overrides, after `personality=linux`. */
  sets: string[];
  warmup?: number;
  /** Recordings compared (default 1 for a trace: the given one); more re-record its program. */
  repeat?: number;
  /** Replays pooled on the simulated side, with seeds `seed`, `seed + 1`, … (default {@link DEFAULT_SIM_SEEDS}). */
  simSeeds?: number;
  /** Turns shared with other validations (`npm run validate`, rounds.ts): run 1 is the recording given, runs 2… and the replay wait for theirs. */
  turns?: JobTurns;
  log?: (line: string) => void;
  /** Warnings that must be seen (a busy machine before recording again), always shown; default none. */
  warn?: (line: string) => void;
}

/** Each task's msyncs of a trace, in order, with their measured latency. */
export async function measuredOfTrace(trace: string): Promise<MeasuredTask[]> {
  const byTask = new Map<string, { issued: number[]; lat: number[] }>();
  for await (const batch of readTrace(trace)) {
    for (const row of batch) {
      if (row.op !== 'msync') continue;
      const v = row.extra?.x_measured_us;
      const lat = v === undefined || v === '' ? NaN : Number(v);
      if (!(lat >= 0)) throw new InputError(`${trace}:${row.line}: column x_measured_us: an msync without a measured latency (validation needs x_measured_us on every msync row) (got '${v ?? ''}')`);
      let t = byTask.get(row.task);
      if (!t) byTask.set(row.task, (t = { issued: [], lat: [] }));
      t.issued.push(row.tNs / 1000);
      t.lat.push(lat);
    }
  }
  if (byTask.size === 0) throw new InputError(`${trace}: no msync rows: nothing to validate`);
  return [...byTask].map(([task, t]) => ({ task, issued_us: Float64Array.from(t.issued), latencies_us: Float64Array.from(t.lat) }));
}

/** Every task's latencies after the first `warmup` msyncs of each, pooled. */
function compared(tasks: readonly MeasuredTask[], warmup: number): Float64Array {
  for (const t of tasks) {
    if (warmup >= t.latencies_us.length) throw new InputError(`--warmup ${warmup} leaves nothing to compare: task ${t.task} has ${t.latencies_us.length} msyncs`);
  }
  return pooled(tasks.map((t) => t.latencies_us.subarray(warmup)));
}

/** Where `--repeat` records a trace's program again, and whether the trace said so. */
export interface RerunDirectory {
  cwd: string;
  /** False for a trace with no `recorded-cwd` (recorded before syncsim wrote it): the current directory, a guess. */
  known: boolean;
}

/**
 * Where the program of `trace` (its `recorded-cwd` header: `recorded`) runs again for `--repeat N`
 * (pure but for `isDir`): that directory, for its relative paths are resolved there; an error (exit
 * 2, before anything runs) when it no longer exists; the current directory `here` when the trace
 * names none, with `known` false so that a failure can say why it may have failed.
 */
export function rerunDirectory(trace: string, recorded: string | undefined, repeat: number, here: string, isDir = (d: string) => statSync(d, { throwIfNoEntry: false })?.isDirectory() === true): RerunDirectory {
  if (recorded === undefined) return { cwd: here, known: false };
  if (!isDir(recorded)) {
    throw new InputError(`--repeat ${repeat} records the program of ${trace} again in the directory it was recorded in, ${recorded} (its 'recorded-cwd' header comment), which does not exist now: make that directory again with what the program uses there (its relative paths are resolved in it), or record the trace anew with syncsim record where the program runs`);
  }
  return { cwd: recorded, known: true };
}

/** The current directory, for a trace that names none; an InputError when it has been removed. */
function currentDirectoryOr(repeat: number): string {
  try {
    return process.cwd();
  } catch {
    throw new InputError(`--repeat ${repeat} records the program again, and the current directory no longer exists: run validate from an existing directory`);
  }
}

/** What a failure to record `trace`'s program again says when the trace names no directory (`where.known` false), else ''. */
export function unknownDirectoryHint(trace: string, where: RerunDirectory): string {
  if (where.known) return '';
  return `; ${trace} does not say which directory its program was recorded in (no readable 'recorded-cwd' header comment: recorded before syncsim wrote one, from a directory it could not name, or a header since edited), so it ran in the current directory, ${where.cwd}: run validate from the directory the program was recorded in (where its relative paths lead), or record the trace again`;
}

/** Runs one trace validation (see the module comment). */
export async function validateTrace(opts: TraceValidateOptions): Promise<{ report: ValidationReport; out: string }> {
  const log = opts.log ?? (() => {});
  const repeat = opts.repeat ?? 1;
  const warmup = opts.warmup ?? 0;
  const command = recordedCommand(opts.trace);
  if (repeat > 1 && !command) throw new InputError(`--repeat ${repeat} records the program again, but ${opts.trace} does not name one (no 'recorded-command' header comment: make it with syncsim record)`);
  // the program runs again where it was recorded: a missing directory is refused before anything runs
  const where = repeat > 1 ? rerunDirectory(opts.trace, recordedCwd(opts.trace), repeat, currentDirectoryOr(repeat)) : undefined;
  if (where && !where.known) (opts.warn ?? log)(`syncsim: warning: ${opts.trace} does not say which directory its program was recorded in (no readable 'recorded-cwd' header comment: recorded before syncsim wrote one, from a directory it could not name, or a header since edited): recording it again in the current directory, ${where.cwd}`);
  // with a schedule (npm run validate), reading the trace and everything after it wait for this job's first turn
  const firstStep: Step = repeat > 1 ? 2 : 'replay';
  let held = opts.turns ? await opts.turns.take(firstStep) : undefined;
  const turn = <T>(step: Step, body: () => Promise<T>): Promise<T> => {
    if (held === undefined || step !== firstStep) return takeTurn(opts.turns, step, body);
    const done = held;
    held = undefined;
    return inTurn(opts.turns, done, body);
  };
  let stage: StagingDir | undefined; // the handler is in place before the directory exists
  const release = cleanupOnInterrupt(() => stage?.abort());
  try {
    const first = await measuredOfTrace(opts.trace);
    const sets = ['personality=linux', ...opts.sets];
    const checked = loadConfig(opts.calibration, sets); // checked now: a bad profile fails before anything runs
    stage = await writingOut(opts.out, () => new StagingDir(opts.out, 'validate'));
    const S = stage.path;
    const trace = join(S, 'trace.csv');
    await writingOut(opts.out, () => copyFileSync(opts.trace, trace));
    const runs = [compared(first, warmup)];
    for (let r = 2; r <= repeat; r++) {
      await turn(r, async () => {
        if (r === 2) warnIfBusy(opts.warn);
        const R = join(S, `repeat-${r}`);
        mkdirSync(R);
        log(`validate: recording ${command!.join(' ')} again in ${where!.cwd} (run ${r} of ${repeat})`);
        const hint = unknownDirectoryHint(opts.trace, where!);
        let again;
        try {
          again = await recordTrace(command!, join(R, 'trace.csv'), { pageSize: checked.page_size, fallback: 'mapped-before-msync', cwd: where!.cwd });
        } catch (e) {
          // a relative program name that is not there: the directory may be the wrong one
          if (hint && e instanceof InputError && e.message.startsWith('program not found')) throw new InputError(`${e.message} when recorded again (run ${r})${hint}`);
          throw e;
        }
        if (again.recording.exitCode !== 0) throw new InputError(`the program exited with ${again.recording.exitCode} when recorded again (run ${r}, in ${where!.cwd})${hint}`);
        const measured = await measuredOfTrace(join(R, 'trace.csv'));
        // another program, or other input, where the trace's ran: its runs' spread would compare different work
        const counts = (m: typeof first) => m.map((t) => `${t.task} ${t.latencies_us.length}`).join(', ');
        if (counts(measured) !== counts(first)) {
          (opts.warn ?? log)(`syncsim: warning: the program made other msyncs when recorded again (run ${r}, in ${where!.cwd}: ${counts(measured)}; the trace: ${counts(first)}, msyncs by task): is it, and its input, the one recorded? The runs' spread (the noise floor) then compares different work`);
        }
        runs.push(compared(measured, warmup));
      });
    }
    // from here every write goes into the staging directory
    return await turn('replay', () => writingOut(opts.out, async () => {
      // read again: npm run validate refits the FLUSH level of its session profile before the replays (flush-level.ts)
      const config = loadConfig(opts.calibration, sets);
      log(`validate: replaying ${opts.trace} (${config.personality} personality)`);
      await runTrace({ trace, config, out: join(S, 'sim') });
      const seeds = simSeeds(config.seed, opts.simSeeds ?? DEFAULT_SIM_SEEDS);
      const further = await replayFurtherSeeds(trace, config, seeds, first.map((t) => ({ task: t.task, n: t.latencies_us.length })), log);
      const name = basename(opts.trace).replace(/\.(csv|csv\.gz)$/, '');
      const context = figureContext(null, `trace ${basename(opts.trace)}`, null, opts.calibration === undefined ? '(defaults)' : basename(opts.calibration), deviceSummary(config).device);
      const cmp = await compareReplay(S, name, first, runs, warmup, { labels: { measured: 'measured (recorded)', simulated: simulatedLabel(config.personality, seeds.length) }, context }, further, seeds);
      const matched = first.reduce((n, t) => n + t.latencies_us.length, 0);
      const report: ValidationReport = {
        syncsim_version: VERSION,
        job: { file: resolve(opts.trace), name, jobs: first.length, sync_every: null, fio_version: null, data_dir: null, filesystem: null, command: command ?? null, advice: null },
        calibration: { file: opts.calibration === undefined ? '(defaults)' : resolve(opts.calibration), ...deviceSummary(config), session: null },
        config: { personality: config.personality, overrides: sets },
        repeat,
        matched_syncs: matched,
        warmup_syncs: warmup,
        measured: {
          source: `x_measured_us of the trace's msync rows; ${repeat} recording(s) pooled`,
          ...cmp.measured, unmatched: 0, fio_report: null, log_vs_fio_pct: null, lat_log: {},
          runs: runs.map((r, i) => ({ run: i + 1, dir: i === 0 ? '.' : `repeat-${i + 1}`, syncs: r.length + warmup * first.length, ...distStats(r) })),
          run_order: opts.turns ? 'rounds' : 'back-to-back',
        },
        ...comparisonReport(cmp, seeds),
        files: { trace: 'trace.csv', sim: 'sim', pairs: 'pairs.csv', samples: 'samples.csv', chart: cmp.chart, repeats: runs.slice(1).map((_, i) => `repeat-${i + 2}`) },
      };
      writeFileSync(join(S, 'validation.json'), JSON.stringify(report, null, 2) + '\n');
      stage!.commit();
      return { report, out: stage!.out };
    }));
  } catch (e) {
    stage?.abort();
    if (held) {
      // failed while preparing, holding the first turn: no other step may start
      opts.turns!.fail();
      held();
    }
    throw e;
  } finally {
    release();
  }
}
