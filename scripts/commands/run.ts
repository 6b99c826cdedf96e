/**
 * `syncsim run`: replays one trace and writes its results.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHead } from '../../traces/files.ts';
import { DEFAULT_PERSONALITY, loadConfig } from '../config-file.ts';
import { flagAndSetProblem, refuseRepeatedSets, setKey } from '../config-sets.ts';
import { located } from '../config-locate.ts';
import { givenKeys, ineffectiveKeys } from '../idle-keys.ts';
import { declaredPageSize, traceHeadComment } from '../../traces/out-trace.ts';
import { cutShortWarning } from '../../traces/trace-stamp.ts';
import { keysInForce } from '../../sim/config.ts';
import { legacyProfileWarnings } from '../profile-sections.ts';
import { loadPlugins, pluginBaseDir } from '../plugins.ts';
import { defaultOutDir, defaultOutName, keptNote, otherTraceResults, runTrace, summaryTable, type RunOptions } from '../run.ts';
import { cleanupOnInterrupt, outputInPlace } from '../interrupt.ts';
import { checkCacheOptions, defaultCacheDir, refuseOutputAsCache } from '../cache-dir.ts';
import type { Summary } from '../../sim/stats/summary.ts';
import { claimOutDir } from '../../traces/out-lock.ts';
import { lagText } from '../lag-text.ts';
import { whereIsOnDisk } from '../../traces/out-dir.ts';
import { TraceSemanticError } from '../../sim/vm/vm.ts';
import { InputError, replayErrorMessage, requireTraceFile } from '../errors.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { seedOption } from './seed-option.ts';
import { ciOf, RUN_HELP, RUN_OPTIONS, type RunValues } from './run-options.ts';
import { escapeControl, escapeLines } from '../../traces/escape.ts';
import { durabilityWarning } from '../../reports/never-durable.ts';
import { warmupWarning, wiredWarning } from '../../reports/run-warnings.ts';
import { backgroundWritebackNote, policyGiven } from '../background-note.ts';
import { csvNames, parseResults, RUN_DEFAULT_RESULTS, type ResultCsv } from '../result-files.ts';
import { fileProgress, withProgress, type CountProgress } from '../progress.ts';
import { showPath } from '../sweep/store.ts';


/**
 * {@link runTrace} as `syncsim run` does it: an error of the trace found while
 * replaying becomes an InputError `TRACE:LINE: column COL: ... (got 'TEXT')`.
 */
export async function replayTrace(opts: RunOptions): Promise<Summary> {
  try {
    return await runTrace(opts);
  } catch (e) {
    if (e instanceof TraceSemanticError) throw new InputError(await replayErrorMessage(e, opts.trace));
    throw e;
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, RUN_OPTIONS);
  if (values.help) {
    process.stdout.write(RUN_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new InputError(`run expects one TRACE argument (got ${positionals.length}; try 'syncsim run --help')`);
  const trace = positionals[0];
  requireTraceFile(trace, 'trace file');
  parseResults(values.results ?? RUN_DEFAULT_RESULTS);
  checkCacheOptions(values);
  const outName = values.out ?? defaultOutName(trace);
  // the default directory is named by the trace's file name alone: another trace of that name must not replace its results unasked
  const other = values.out === undefined ? otherTraceResults(outName, trace) : undefined;
  if (other !== undefined) {
    throw new InputError(`${outName} holds the results of another trace of that name, ${other} (its summary.json); give --out DIR for the results of ${trace}, or --out ${outName} to replace them`);
  }
  const cacheDir = values['no-cache'] ? undefined : values['cache-dir'] ?? process.env.SYNCSIM_CACHE_DIR;
  const cacheFrom = values['cache-dir'] === undefined ? '$SYNCSIM_CACHE_DIR' : '--cache-dir';
  refuseCacheInOut(cacheDir, outName, cacheFrom);
  refuseOutputAsCache(cacheDir, cacheFrom);
  // checked and locked before anything is read: a refused --out costs nothing
  const { lock } = claimOutDir(outName, { command: 'run', within: values.out === undefined ? 'results' : undefined });
  // an interrupt before the replay's own handlers are in place (loading the configuration, plugins, the code of the
  // replay) ends the run as one during it does: the lock released (at exit), exit 130 / 143, and said
  const unguard = cleanupOnInterrupt(() => `no results written${keptNote(outName)}`);
  try {
    // a run whose results this one replaces is said on stderr, naming that run (with --json nothing on stdout names the
    // directory; without, the table names it but not what was there: until 2026-12-07 only --json runs said so)
    const earlier = earlierRun(outName);
    const figures = reportFiles(outName);
    const code = await replay(trace, values, ['syncsim', 'run', ...argv], unguard);
    if (earlier !== undefined) {
      // the report drawn from those results goes with them: said, with how to draw it again from these
      const report = figures > 0 && !existsSync(join(outName, 'report')) ? `, and the report/ drawn from them (${figures} file${figures === 1 ? '' : 's'}; 'syncsim report ${escapeControl(outName)}' draws it from these)` : '';
      process.stderr.write(escapeLines(`syncsim: note: ${escapeControl(outName)}: replaced the results of an earlier run (${earlier})${report}; give each run its own --out DIR to keep both`) + '\n');
    }
    return code;
  } finally {
    unguard();
    lock.release();
  }
}

/** How many files the report/ of the results directory `out` holds (0 when it has none). */
export function reportFiles(out: string): number {
  try {
    // syncsim's own marker files (dot files) are not the report's
    return readdirSync(join(out, 'report')).filter((n) => !n.startsWith('.')).length;
  } catch {
    return 0;
  }
}

/**
 * What the run whose results directory `out` holds was (`trace T.csv, personality linux, seed 1`,
 * from its summary.json), or undefined when `out` holds no run's summary.json (missing, empty).
 * Only a directory syncsim's run wrote gets this far: claimOutDir refused any other.
 */
export function earlierRun(out: string): string | undefined {
  let s: { trace?: { path?: unknown }; config?: { personality?: unknown; seed?: unknown } };
  try {
    s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as typeof s;
  } catch {
    return existsSync(join(out, 'summary.json')) ? 'its summary.json unreadable' : undefined;
  }
  const parts = [
    typeof s?.trace?.path === 'string' ? `trace ${s.trace.path}` : undefined,
    typeof s?.config?.personality === 'string' ? `personality ${s.config.personality}` : undefined,
    typeof s?.config?.seed === 'number' ? `seed ${s.config.seed}` : undefined,
  ].filter((x) => x !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'its summary.json names no configuration';
}


/**
 * How `trace` was captured on Linux (`syncsim record`, `syncsim import --from strace`, `syncsim validate`'s import of
 * the fio job it ran), from its header comment (plain or gzip; `head`, its first bytes, when read already); undefined
 * for any other trace, and for a binary cache, which keeps no comments.
 */
export function linuxCapture(trace: string, head = readHead(trace)): string | undefined {
  const comment = (head && traceHeadComment(head)) ?? '';
  if (/^# recorded by syncsim record /.test(comment)) return 'syncsim record';
  if (/^# imported by syncsim import --from strace /.test(comment)) return 'syncsim import --from strace';
  if (/^# imported by syncsim validate .* run on Linux /.test(comment)) return 'syncsim validate, of the fio job it ran';
  return undefined;
}

/**
 * Whether `trace` was imported from a fio I/O log (`syncsim import --from fio-iolog`), from its header comment as
 * {@link linuxCapture} reads it: its times are those of the system fio ran on, which the log does not name.
 */
export function fioCapture(trace: string, head = readHead(trace)): boolean {
  return /^# imported by syncsim import --from fio-iolog /.test((head && traceHeadComment(head)) ?? '');
}

/**
 * The warning for a trace replayed at another page size than the one its header says it was
 * made for ({@link declaredPageSize}: `gen`'s, `record`'s), else undefined: its ranges are
 * aligned to its own page size, so at a larger one those not aligned fail with EINVAL, and at a
 * smaller one the pages are not the program's.
 */
export function pageSizeWarning(trace: string, head: Buffer | undefined, pageSize: number): string | undefined {
  const declared = head && declaredPageSize(head);
  if (declared === undefined || declared === pageSize) return undefined;
  const effect = pageSize > declared ? `its msyncs and wires of ranges not aligned to ${pageSize} fail with EINVAL` : `its ranges stay aligned, but page counts, faults and writeback come in ${pageSize}-byte pages, not the traced program's`;
  return `${escapeControl(trace)} was made for page_size ${declared} (its header), and this run's page_size is ${pageSize}: ${effect} (--set page_size=${declared} replays it as it was made)`;
}

/**
 * Refuses (before any work) a `--cache-dir` that is `out` or inside it, as written or through symbolic links: the results directory is
 * replaced whole when the run commits, so a cache there would be refused then, after the replay.
 */
function refuseCacheInOut(cacheDir: string | undefined, out: string, what: string): void {
  if (cacheDir === undefined || cacheDir === '') return;
  const where = whereIsOnDisk(cacheDir, out);
  if (where !== undefined) throw new InputError(`${what} ${cacheDir}: is ${where === 'same' ? '' : 'inside '}the results directory ${out}, which a run replaces whole; choose a directory outside it`);
}

/** The result files that have a row every `stats.sample_us`. */
const SAMPLED_CSVS: readonly ResultCsv[] = ['timeline', 'durability'];

/**
 * What `run` says of a sampling period chosen for a trace's length (`periodUs`, the trace ending
 * at `endUs`), naming the sampled files of those `results` writes; undefined when it writes none.
 */
export function samplePeriodNote(periodUs: number, endUs: number, results: ReadonlySet<ResultCsv>): string | undefined {
  const files = csvNames(new Set(SAMPLED_CSVS.filter((f) => results.has(f))));
  if (files.length === 0) return undefined;
  return `${files.join(' and ')} ${files.length === 1 ? 'has' : 'have'} a row every ${periodUs} µs (stats.sample_us, chosen for the trace's ${(endUs / 1e6).toFixed(0)} s: at most about 1,000,000 rows; `
    + `summary.json config.stats.sample_us); --set stats.sample_us=N chooses another`;
}

export { lagText };

/** Replays `trace` once its --out is checked and locked; `unguard` is called as the replay takes over the interrupt signals (runTrace). */
async function replay(trace: string, values: RunValues, command: string[], unguard: () => void): Promise<number> {
  const sets = [...(values.set ?? [])];
  refuseRepeatedSets(sets);
  if (values.replay !== undefined) {
    const twice = flagAndSetProblem(sets, 'replay', 'replay', values.replay, 'replay mode');
    if (twice) throw new InputError(twice);
    sets.push(`replay=${values.replay}`);
  }
  if (values.seed !== undefined) {
    seedOption('--seed', values.seed, 1);
    const twice = flagAndSetProblem(sets, 'seed', 'seed', values.seed, 'seed');
    if (twice) throw new InputError(twice);
    sets.push(`seed=${values.seed}`);
  }
  const config = loadConfig(values.config, sets);
  // keys the policy in force does not read: accepted (a config may serve several policies), but said
  // (a personality section's keys as the key itself under its personality; another section's not at all)
  const given = keysInForce(givenKeys(values.config, sets), config.personality);
  for (const line of ineffectiveKeys(given, config)) process.stderr.write(`syncsim: warning: ${line}\n`);
  // a profile of an earlier syncsim calibrate, its Linux keys at the top level, under another personality
  for (const line of legacyProfileWarnings(values.config, sets, config)) process.stderr.write(`syncsim: warning: ${line}\n`);
  // the trace's first bytes, read once for what its header comments say
  const head = readHead(trace);
  const warning = pageSizeWarning(trace, head, config.page_size);
  if (warning) process.stderr.write(`syncsim: warning: ${warning}\n`);
  // a trace syncsim wrote whole (stamped) that has lost its end: replayed as it is, but said (user trial h202)
  const cut = cutShortWarning(trace, escapeControl(trace), 'replayed');
  if (cut) process.stderr.write(`syncsim: warning: ${cut}\n`);
  // a capture of a Linux program replayed by the default personality: say so, once, and how to replay it as Linux does
  const capture = linuxCapture(trace, head);
  // (only under the default personality: one a profile file, a config or a --set chose is the user's)
  const defaulted = config.personality !== 'linux' && config.personality === DEFAULT_PERSONALITY && !given.has('personality');
  if (capture !== undefined && defaulted) {
    process.stderr.write(`syncsim: note: ${escapeControl(trace)} is a capture of a program on Linux (${capture}); it replays under the ${config.personality} personality, the default, whose msync checks and costs are not Linux's: --set personality=linux replays it as Linux does\n`);
  } else if (defaulted && fioCapture(trace, head)) {
    // fio runs on Linux (syncsim validate's, always), the BSDs and macOS alike, and its log names none of them
    process.stderr.write(`syncsim: note: ${escapeControl(trace)} is a fio I/O log (syncsim import --from fio-iolog): its times are those of the system fio ran on, which the log does not name (syncsim validate runs fio on Linux); it replays under the ${config.personality} personality, the default, whose msync checks and costs are not Linux's: if fio ran on Linux, --set personality=linux replays it as Linux does\n`);
  }
  // a plugin's key (its file, its parameters) is named with where it came from, as the other keys are
  const { plugins } = await loadPlugins(config, pluginBaseDir(values.config, sets.map(setKey))).catch((e: unknown) => {
    throw located(e, values.config, sets);
  });
  const out = values.out ?? defaultOutDir(trace);
  const results = parseResults(values.results ?? RUN_DEFAULT_RESULTS);
  const { progress, tap } = fileProgress({ stream: process.stderr, label: 'run', unit: 'rows', shareOf: 'the trace', quiet: values.quiet }, trace);
  let sampleNote: string | undefined;
  const summary = await withProgress(progress, () => (unguard(), replayTrace({
    trace, config, out, plugins,
    command,
    results,
    samplePeriod: given.has('stats.sample_us') || given.has('stats') ? 'given' : 'auto',
    // said when the run has written its files, not as it begins: a trace refused on a later row writes none (user trial 195)
    onSamplePeriod: (us, endUs) => {
      sampleNote = samplePeriodNote(us, endUs, results);
    },
    ci: ciOf(values, config.seed),
    onStretched: (tasks, endNs) => {
      progress.clear();
      const shown = tasks.slice(0, 5).map((t) => `'${t.task}' ${lagText(t.lagEndNs)} behind (${((100 * t.lagEndNs) / endNs).toFixed(1)} % of the trace; at most ${lagText(t.maxLagNs)})`);
      process.stderr.write(`syncsim: warning: closed replay stretched ${tasks.length} task(s): their ops took longer than the trace's gaps, so later ops ran late: ${shown.join('; ')}${tasks.length > 5 ? '; ...' : ''}. `
        + `What they meet (other tasks, background writeback) differs from the trace's timing; ${results.has('tasks') ? 'see tasks.csv' : 'tasks.csv (which --results left out) lists every task'}, or replay: open\n`);
    },
    cacheDir: values['no-cache'] ? undefined : (values['cache-dir'] ?? defaultCacheDir(out)),
    onCacheProblem: (m) => {
      progress.clear();
      process.stderr.write(`syncsim: warning: ${escapeControl(m)}\n`);
    },
    ...replayProgress(progress, tap),
  })));
  // the results are in place: an interrupt from here on leaves them, exit 0 (interrupt.ts; user trial 200: it was 130)
  outputInPlace(escapeControl(showPath(out)));
  if (sampleNote !== undefined) process.stderr.write(`syncsim: note: ${sampleNote}\n`);
  const warmup = warmupWarning(summary);
  if (warmup) process.stderr.write(`syncsim: warning: ${warmup}\n`);
  if (summary.trace.rows === 0) process.stderr.write(`syncsim: warning: ${escapeControl(trace)} has no rows (a header alone): nothing was replayed, and every figure is empty\n`);
  const undurable = durabilityWarning(summary);
  if (undurable) process.stderr.write(`syncsim: warning: ${undurable}\n`);
  const overWired = wiredWarning(summary);
  if (overWired) process.stderr.write(`syncsim: warning: ${overWired}\n`);
  const seedless = seedNote(summary, given.has('seed'));
  if (seedless) process.stderr.write(`syncsim: note: ${seedless}\n`);
  const background = backgroundWritebackNote(summary, policyGiven(given));
  if (background) process.stderr.write(`syncsim: note: ${background}\n`);
  if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  // the directory as sweep, merge, report and compare name theirs (showPath): relative to the working directory
  // when inside it, absolute otherwise (until 2026-12-06, late, the default one was always absolute, --out as given)
  else process.stdout.write(escapeLines(`${summaryTable(summary)}\nresults: ${escapeControl(showPath(out))}`) + '\n');
  return 0;
}

/**
 * The note of a run whose seed was given (`--seed`, `--set seed=`, a config's `seed`) but drew no
 * random number: the seed changed nothing, which a user who replays seeds for replications should know.
 */
export function seedNote(summary: Pick<Summary, 'random_draws' | 'config'>, seedGiven: boolean): string | undefined {
  if (!seedGiven || summary.random_draws !== 0) return undefined;
  return `the run drew no random number (every time in its configuration is constant, and nothing was chosen at random), so its seed (${summary.config.seed}) changed nothing: `
    + 'every seed replays this trace to these same results; a time with a spread (a device time of dist exponential or lognormal, cpu.cv above 0) makes seeds differ';
}

/** The options of a replay that tell `progress` how far it is: rows of the trace's (a cache's header says) or the share of the CSV `tap` sees read, and the simulated time. */
function replayProgress(progress: CountProgress, tap: RunOptions['progressTap']): Pick<RunOptions, 'progress' | 'progressTap' | 'onSource'> {
  let simUs = 0;
  // a gzip trace is read into its cache before the replay: rows come only after (README, "Progress")
  progress.detail = () => (progress.done === 0 && progress.total === undefined ? 'making the trace cache first' : `simulated ${(simUs / 1e6).toFixed(3)} s`);
  return {
    progressTap: tap,
    // (told again, without rows, when a replay from a stale cache is followed by one from the CSV)
    onSource: (_kind, rows) => {
      progress.total = rows;
    },
    progress: (rows, us) => {
      progress.done = rows;
      simUs = us;
    },
  };
}

/** `syncsim run`. */
export const runCommand: Command = { name: 'run', usage: 'run TRACE [options]', summary: 'replay a trace and write its results', help: RUN_HELP, run };
