/**
 * syncsim as a library: `import { replay, generate, importTrace, sweep, report } from 'syncsim'`.
 * Each function is the one the matching command runs (`syncsim run`, `gen`, `import`, `sweep`,
 * `report`) with options as objects instead of flags; nothing is printed, nothing exits the
 * process, and bad input throws the error the command would report (its message names the
 * file, line or key). Results are the objects the commands write: {@link replay} resolves to
 * summary.json's object.
 */
import { resolve } from 'node:path';
import { loadConfig } from './config-file.ts';
import { pagesForMeasured } from './measured-pages.ts';
import { runTrace } from './run.ts';
import { BOOTSTRAP_REPS } from './compare/stats.ts';
import { InputError, replayErrorMessage, requireReadable, requireTraceFile } from './errors.ts';
import { TraceSemanticError } from '../sim/vm/vm.ts';
import { type Config, keysInForce } from '../sim/config.ts';
import type { RunSummary, Summary } from '../sim/stats/summary.ts';
import type { TaskRecord } from '../sim/stats/tasks.ts';
import { claimOutDir } from '../traces/out-lock.ts';
import { onceRows } from './lib-once.ts';
import { flagNamesToBits, rowKeyOf, rowStream, type RowLike, type RowSource } from '../traces/rows.ts';
import { findPreset, generate as presetRows, generatedComments } from '../workloads/presets/index.ts';
import { IMPORTERS } from '../traces/import/index.ts';
import type { ImportOptions } from '../traces/import/importer.ts';
import { DEFAULT_SYNC_FLAGS } from '../traces/import/sync-injector.ts';
import { checkImportOptions } from '../traces/import/options.ts';
import { countRow, importWarnings, newTally, type ImportTally } from '../traces/import/tally.ts';
import type { SweepOptions, SweepOutcome } from './sweep/runner.ts';
import type { ReportOutcome } from '../reports/report.ts';
import type { Format } from '../reports/chart.ts';
import type { ThemeName } from '../reports/theme.ts';
import { checkOptionKinds, given, isPlainObject, KINDS, namingOut, refuseUnknownOptions, requireJsonValue, requireOptions } from './lib-options.ts';
import { replayConfig } from './lib-config.ts';
import { loadPlugins } from './plugins.ts';
import { parseResults, RUN_DEFAULT_RESULTS } from './result-files.ts';
import { addLeafKeys, givenKeys } from './idle-keys.ts';

/**
 * Whether `keys`, an object of configuration keys nested or dotted (`replay`'s `config` or `set`), gives `key`; with
 * `personality`, a key of that personality's section counts as the key, one of another section's not at all.
 */
function objectGives(keys: unknown, key: string, personality?: string): boolean {
  if (!isPlainObject(keys)) return false;
  let given = new Set<string>();
  for (const [k, v] of Object.entries(keys)) addLeafKeys(given, k, v);
  // a personality section's keys: those of the section in force (as the key itself)
  if (personality !== undefined) given = keysInForce(given, personality);
  return [...given].some((k) => k === key || key.startsWith(`${k}.`));
}

export type { Summary, RunSummary, Config, TaskRecord, RowLike as Row, RowSource, SweepOutcome, ReportOutcome, ImportTally };
export { VERSION } from './version.ts';
/** Plugins (README, "Plugins"): `export default definePolicy({ ... })` / `defineScheduler({ ... })` in a plugin file, typed. */
export { definePolicy } from '../sim/pager/writeback-policy.ts';
export { defineScheduler } from '../sim/device/scheduler.ts';
export type { ObjectView, MemoryView, DeviceQueueView, WritebackContext, WritebackPolicy, WritebackSetup, WritebackPolicyPlugin } from '../sim/pager/writeback-policy.ts';
export type { QueuedIo, DeviceView, Dispatch, IoScheduler, SchedulerSetup, IoSchedulerPlugin } from '../sim/device/scheduler.ts';

/** A configuration as a config file holds it: nested keys (`{ writeback: { policy: 'flusher' } }`), any left out take their defaults. */
export type ConfigInput = Record<string, unknown>;

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** The configuration: a config file (YAML or JSON) or its keys as an object; default all defaults. Plugin files it names are loaded as `syncsim run` loads them. */
  config?: string | ConfigInput;
  /** Dotted keys laid over `config`, as `--set` does, with typed values (numbers as numbers): `{ 'device.profile': 'hdd', 'device.channels': 4 }`. */
  set?: Readonly<Record<string, unknown>>;
  /** The random seed (the config key `seed`). */
  seed?: number;
  /** Write the result files (summary.json, syncs.csv, ...) to this directory, as `syncsim run --out` does; default none. */
  out?: string;
  /** The name of rows given in code, in summary.json and in errors (default `rows`); a trace file is named by its path. */
  name?: string;
  /** Percentile-bootstrap 95 % CIs of the msync latency statistics (`run --ci bootstrap`), `reps` resamples (default 1000). */
  ci?: { reps?: number };
  /** Told the tasks that closed replay left more than 5 % of the trace behind (the warning `syncsim run` prints), once the result files are written. */
  onStretched?: (tasks: TaskRecord[], traceEndNs: number) => void;
  /** Which CSVs `out` receives besides summary.json, as `syncsim run --results` takes them: `all` (default), `summary`, `report` or a list (`'syncs,timeline'`). */
  results?: string;
}

/** The options {@link replay} takes (the type makes the list whole: a new option must be added here). */
const REPLAY_OPTIONS = Object.keys({ config: true, set: true, seed: true, out: true, name: true, ci: true, onStretched: true, results: true } satisfies Record<keyof ReplayOptions, true>);

/** The options {@link importTrace} takes (whole, as above). */
const IMPORT_OPTIONS = Object.keys({
  pageSize: true, syncEveryWrites: true, syncEveryUs: true, syncFlags: true, assumeDirty: true, assumeDirtySeed: true, pagesForMeasured: true, mapFlags: true, fileBytes: true, calibration: true,
} satisfies Record<keyof ImportTraceOptions, true>);

/** The options {@link sweep} takes (whole, as above). */
const SWEEP_OPTIONS = Object.keys({
  out: true, jobs: true, shard: true, resume: true, dryRun: true, stdout: true, progress: true, progressIntervalMs: true, cacheDir: true, maxRuns: true, runTimeoutS: true, onWarning: true, command: true, results: true,
} satisfies Record<keyof SweepRunOptions, true>);

/** The options {@link report} takes (whole, as above). */
const REPORT_OPTIONS = Object.keys({ out: true, formats: true, theme: true, width: true, charts: true, configs: true } satisfies Record<keyof ReportRunOptions, true>);

/** The options {@link generate} takes (whole, as above). */
const GENERATE_OPTIONS = Object.keys({ params: true, seed: true } satisfies Record<keyof GenerateOptions, true>);

/**
 * Replays a trace: a trace file (native .csv, .csv.gz or .sst) or rows given in code, from any
 * iterable or async iterable (e.g. {@link generate}'s or {@link importTrace}'s, consumed as they
 * come). Resolves to summary.json's object; with `out`, writes the result files as `syncsim run`.
 */
export async function replay(trace: string | RowSource, opts: ReplayOptions = {}): Promise<RunSummary> {
  const iterable = (x: unknown) => x !== null && typeof x === 'object' && (Symbol.iterator in x || Symbol.asyncIterator in x);
  if (typeof trace !== 'string' && !iterable(trace)) throw new TypeError(`replay: trace must be a file name or an iterable of rows (got ${trace === null ? 'null' : typeof trace})`);
  if (typeof trace === 'string') requireTraceFile(trace, 'trace file');
  checkReplayOptions(opts, typeof trace === 'string' ? trace : undefined);
  const { config, pluginBase, located } = replayConfig(opts);
  const name = typeof trace === 'string' ? trace : (opts.name ?? 'rows');
  const rows = typeof trace === 'string' ? undefined : rowStream(onceRows(trace, name), name);
  // checked and locked before any work, as run's --out: a refused out costs nothing
  let lock;
  try {
    lock = opts.out === undefined ? undefined : claimOutDir(opts.out, { command: 'run' }).lock;
  } catch (e) {
    throw namingOut(e);
  }
  try {
    // the plugin files the configuration names, loaded as run loads them
    const { plugins } = await loadPlugins(config, pluginBase).catch((e: unknown) => {
      throw located(e);
    });
    return await runTrace({
      trace: name, rows, config, plugins, out: opts.out, command: ['syncsim library', 'replay', name], handleSignals: false,
      ci: opts.ci && { reps: opts.ci.reps ?? 1000, level: 0.95, seed: config.seed },
      onStretched: opts.onStretched,
      results: parseResults(opts.results ?? RUN_DEFAULT_RESULTS, 'results'),
      samplePeriod: keysInForce(givenKeys(typeof opts.config === 'string' ? opts.config : undefined, []), config.personality).has('stats.sample_us') || objectGives(opts.config, 'stats.sample_us', config.personality) || objectGives(opts.set, 'stats.sample_us') ? 'given' : 'auto',
    });
  } catch (e) {
    // a rule of the kernel broken by a row (an overlapping map, ...): named as the command names it, FILE:LINE: column COL
    // (rows given in code: NAME:LINE: key KEY, and no file of that name is read back)
    if (e instanceof TraceSemanticError) throw new InputError(rows ? `${name}:${e.line}: key ${rowKeyOf(e.column)}: ${e.message} (got '${e.text}')` : await replayErrorMessage(e, name));
    throw namingOut(e);
  } finally {
    lock?.release();
  }
}

/**
 * Throws for an option of {@link replay} that is not one it takes or not of its type, before any
 * work (`file`: the trace file, when the trace is one).
 */
function checkReplayOptions(opts: ReplayOptions, file: string | undefined): void {
  requireOptions('replay', opts);
  refuseUnknownOptions('replay', opts, REPLAY_OPTIONS);
  checkOptionKinds('replay', opts as Record<string, unknown>, { out: KINDS.name, name: KINDS.name, onStretched: KINDS.function, results: KINDS.name });
  if (opts.results !== undefined) parseResults(opts.results, 'results');
  // the CLI writes to a default directory; the library only to out
  if (opts.results !== undefined && opts.out === undefined) throw new RangeError(`replay: results chooses the CSVs out receives, and without out nothing is written (got results '${opts.results}' and no out): give out, or leave results out`);
  if (opts.name !== undefined && file !== undefined) throw new TypeError(`replay: name names rows given in code; a trace file is named by its path (${file})`);
  const config: unknown = opts.config;
  if (config !== undefined && !(typeof config === 'string' && config !== '') && !isPlainObject(config)) {
    throw new TypeError(`replay: config must be a config file's name or an object of configuration keys ({ personality: 'linux' }) (got ${given(config)})`);
  }
  if (isPlainObject(config)) requireJsonValue('replay', 'config', config);
  if (opts.set !== undefined && !isPlainObject(opts.set)) {
    throw new TypeError(`replay: set must be an object of dotted keys and values ({ 'device.channels': 4 }) (got ${given(opts.set)})`);
  }
  for (const [k, v] of Object.entries(opts.set ?? {})) requireJsonValue('replay', `set '${k}'`, v);
  requireJsonValue('replay', 'seed', opts.seed);
  // the command's --ci bootstrap [--ci-reps N]
  if (opts.ci !== undefined) {
    if (opts.ci === null || typeof opts.ci !== 'object' || Array.isArray(opts.ci)) throw new TypeError(`replay: ci must be an object, { reps } or {} (got ${JSON.stringify(opts.ci)})`);
    refuseUnknownOptions('replay: ci', opts.ci, ['reps']);
  }
  const reps = opts.ci?.reps;
  // a number of the wrong type ('100') is a TypeError, as every option's is, not a RangeError showing it as 100
  if (reps !== undefined && typeof reps !== 'number') throw new TypeError(`replay: ci.reps must be a number (got ${given(reps)})`);
  if (reps !== undefined && !(Number.isInteger(reps) && reps >= BOOTSTRAP_REPS.min && reps <= BOOTSTRAP_REPS.max)) {
    throw new RangeError(`ci.reps must be a whole number from ${BOOTSTRAP_REPS.min} to ${BOOTSTRAP_REPS.max} (got ${String(reps)})`);
  }
}

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** The preset's parameters (numbers, or strings as `--set` takes them: `'256M'`); any left out take their defaults. */
  params?: Readonly<Record<string, string | number>>;
  /** Random seed, default 1: the same preset, parameters and seed give the same rows. */
  seed?: number;
}

/** Rows of a generated or imported trace, with the `x_` columns they carry and the header comments a trace file of them has. */
export interface TraceRows<R> extends Iterable<R> {
  readonly extraCols: readonly string[];
  readonly comments: readonly string[];
}

/**
 * The rows of workload preset `preset` (`syncsim gen --list` lists them), generated as they are
 * iterated. Bad parameters throw at once, naming the key.
 */
export function generate(preset: string, opts: GenerateOptions = {}): TraceRows<RowLike> {
  if (typeof preset !== 'string') throw new TypeError(`generate: preset must be the name of a preset, as syncsim gen --list lists them (got ${given(preset)})`);
  requireOptions('generate', opts);
  refuseUnknownOptions('generate', opts, GENERATE_OPTIONS);
  checkOptionKinds('generate', opts as Record<string, unknown>, { seed: KINDS.number });
  if (opts.params !== undefined && !isPlainObject(opts.params)) throw new TypeError(`generate: params must be an object of parameter values ({ duration_s: 5 }) (got ${given(opts.params)})`);
  for (const [k, v] of Object.entries(opts.params ?? {})) {
    if (typeof v !== 'number' && typeof v !== 'string') throw new TypeError(`generate: params: '${k}' must be a number, or a string as --set takes it ('256M') (got ${given(v)})`);
  }
  const params = opts.params ?? {};
  const seed = opts.seed ?? 1;
  presetRows(preset, params, seed); // checks the preset and its parameters now
  const extraCols = findPreset(preset).extraCols ?? [];
  return {
    extraCols,
    comments: generatedComments(preset, params, seed),
    [Symbol.iterator]: () => withEveryColumn(presetRows(preset, params, seed), extraCols),
  };
}

/**
 * `rows` with every one of `cols` in each row's `extra` (`''` where the row has none), so that
 * the rows, once collected into an array (which has no `extraCols`), still carry their `x_`
 * columns from the first row on (a replay takes them from the first row's `extra`).
 */
function* withEveryColumn<R extends RowLike>(rows: Iterable<R>, cols: readonly string[]): Generator<R> {
  if (cols.length === 0) return yield* rows;
  for (const r of rows) yield { ...r, extra: Object.fromEntries(cols.map((c) => [c, r.extra?.[c] ?? ''])) };
}

/** Options of {@link importTrace}: those of `syncsim import` (flag names joined by `|` for `syncFlags`). */
export interface ImportTraceOptions extends Partial<Omit<ImportOptions, 'syncFlags' | 'mapFlags' | 'tap' | 'emptyTrace'>> {
  /** Flags of injected and translated msyncs, e.g. `'SYNC|INVALIDATE'` or bits; default SYNC. */
  syncFlags?: number | string;
  /** The access advice of every mapping syncsim lays out (fio-iolog, blkparse, msr): `'RANDOM'` or `'SEQUENTIAL'` (or its bit), as `--advice`. */
  mapFlags?: number | string;
  /** A calibrated configuration file (`syncsim calibrate -o`) whose device turns a measured msync's duration into pages, for `assumeDirty: 'measured'`, as `--calibration` (instead of `pagesForMeasured`). */
  calibration?: string;
}

/** What {@link importTrace} returns: its rows, and what the latest pass over them counted. */
export interface ImportedTrace extends AsyncIterable<RowLike> {
  /** The `x_` columns every row carries. */
  readonly extraCols: readonly string[];
  /**
   * The counts `syncsim import` prints at its end, of the latest pass begun over the rows (a new
   * one each pass; a row is counted as it is handed out, so a pass stopped early counts the rows
   * it gave): `rows`; `ops`, the rows by op; and `stats`, the importer's own counters
   * (`msync_injected`, ...), which count as far as the importer has read.
   */
  readonly tally: Readonly<ImportTally>;
  /** The warnings the command prints at its end, of the latest pass that ran to its end (empty until one has). */
  readonly warnings: readonly string[];
}

/**
 * The rows of foreign trace `file` in format `format` (fio-iolog, blkparse, msr, strace, ...: the
 * `--from` names of `syncsim import`), converted as they are iterated; a malformed input throws
 * naming its line. After a pass, `tally` and `warnings` hold what the command would print.
 */
export function importTrace(format: string, file: string, opts: ImportTraceOptions = {}): ImportedTrace {
  const importer = IMPORTERS.find((i) => i.format === format);
  if (!importer) throw new RangeError(`unknown import format '${format}' (expected one of ${IMPORTERS.map((i) => i.format).join(', ')})`);
  if (typeof file !== 'string' || file === '') throw new TypeError(`importTrace: file must be the name of the file to import (got ${given(file)})`);
  requireTraceFile(file, 'input file');
  requireOptions('importTrace', opts);
  refuseUnknownOptions('importTrace', opts, IMPORT_OPTIONS);
  // numbers as numbers (a string '4096' would be told 'got 4096' by the range checks), names as strings
  checkOptionKinds('importTrace', opts as Record<string, unknown>, {
    pageSize: KINDS.number, syncEveryWrites: KINDS.number, syncEveryUs: KINDS.number, assumeDirtySeed: KINDS.number, assumeDirty: KINDS.name,
    syncFlags: KINDS.flags, mapFlags: KINDS.flags, fileBytes: KINDS.sizeOrFunction,
  });
  const { syncFlags, mapFlags, calibration, ...rest } = opts;
  if (rest.pagesForMeasured !== undefined && typeof rest.pagesForMeasured !== 'function') throw new TypeError(`importTrace: pagesForMeasured must be a function from a measured msync's µs to pages (got ${typeof rest.pagesForMeasured}); or give calibration, a calibrated configuration file`);
  if (calibration !== undefined) {
    if (typeof calibration !== 'string' || calibration === '') throw new TypeError(`importTrace: calibration must be the name of a calibrated configuration file (got ${JSON.stringify(calibration)})`);
    if (rest.pagesForMeasured !== undefined) throw new TypeError('importTrace: calibration and pagesForMeasured: give one');
    // as the command's --calibration: read only by assumeDirty 'measured'
    if (rest.assumeDirty !== 'measured') throw new RangeError(`importTrace: calibration is read only by assumeDirty 'measured', of strace (got ${rest.assumeDirty === undefined ? 'no assumeDirty' : `assumeDirty '${rest.assumeDirty}'`})`);
    requireReadable(calibration, 'calibration file');
    rest.pagesForMeasured = pagesForMeasured(loadConfig(calibration, []));
  }
  // names as the trace reader takes them; a bad one names the option
  const bits = (name: string, v: number | string | undefined) => {
    try {
      return typeof v === 'string' ? flagNamesToBits(v) : v;
    } catch (e) {
      throw new RangeError(`importTrace: ${name}: ${(e as Error).message}`);
    }
  };
  const full: ImportOptions = { pageSize: 4096, ...rest, syncFlags: bits('syncFlags', syncFlags) ?? DEFAULT_SYNC_FLAGS, ...(mapFlags === undefined ? {} : { mapFlags: bits('mapFlags', mapFlags) }) };
  // the command's checks of its options, by key
  checkImportOptions(format, full);
  let tally = newTally();
  let warnings: string[] = [];
  return {
    extraCols: importer.extraCols ?? [],
    get tally() {
      return tally;
    },
    get warnings() {
      return warnings;
    },
    async *[Symbol.asyncIterator]() {
      const t = (tally = newTally());
      for await (const batch of importer.rows(file, full, t.stats, t.names)) {
        for (const row of withEveryColumn(batch, importer.extraCols ?? [])) {
          countRow(t, row);
          yield row;
        }
      }
      warnings = importWarnings(format, t, 'library', full);
    },
  };
}

/** Options of {@link sweep}: those of `syncsim sweep` (`jobs`, `shard`, `dryRun`, `cacheDir`, ...); nothing is printed unless streams are given. */
export type SweepRunOptions = Omit<SweepOptions, 'experiment' | 'handleSignals' | 'optionStyle' | 'onStartingRuns'>;

/**
 * Runs the experiment file `experiment` (YAML: a base configuration, a grid, seeds) as
 * `syncsim sweep` does, on worker threads; resolves to what it did (runs made, skipped, failed,
 * the result tables written to `out`, default `results/<experiment name>`). With a worker on every
 * core it sets V8's `--no-concurrent-recompilation` for this process while it runs (threads started
 * meanwhile compile on their own thread), and restores it when it ends.
 */
export async function sweep(experiment: string, opts: SweepRunOptions = {}): Promise<SweepOutcome> {
  if (typeof experiment !== 'string' || experiment === '') throw new TypeError(`sweep: experiment must be the name of an experiment file (got ${given(experiment)})`);
  requireOptions('sweep', opts);
  refuseUnknownOptions('sweep', opts, SWEEP_OPTIONS);
  checkOptionKinds('sweep', opts as Record<string, unknown>, {
    out: KINDS.name, resume: KINDS.boolean, dryRun: KINDS.boolean, stdout: KINDS.stream, progress: KINDS.stream, onWarning: KINDS.function, command: KINDS.strings, results: KINDS.name,
    jobs: KINDS.number, maxRuns: KINDS.number, runTimeoutS: KINDS.number, progressIntervalMs: KINDS.number,
  });
  if (opts.cacheDir !== undefined && opts.cacheDir !== null && !KINDS.name.ok(opts.cacheDir)) throw new TypeError(`sweep: cacheDir must be a directory's name, or null for no cache (got ${given(opts.cacheDir)})`);
  // the command's check of --max-runs; a progress line's period, in ms
  if (opts.maxRuns !== undefined && !(Number.isSafeInteger(opts.maxRuns) && opts.maxRuns >= 1)) throw new RangeError(`maxRuns must be a positive integer (got ${given(opts.maxRuns)})`);
  const every = opts.progressIntervalMs;
  if (every !== undefined && !(typeof every === 'number' && every > 0 && Number.isFinite(every))) throw new RangeError(`progressIntervalMs must be a number of milliseconds > 0 (got ${given(every)})`);
  // the checks of the command's --jobs and --shard: a bad value is a RangeError, not a sweep of nothing
  if (opts.jobs !== undefined && !(Number.isInteger(opts.jobs) && opts.jobs >= 1)) throw new RangeError(`jobs must be a positive integer (got ${given(opts.jobs)})`);
  const sh = opts.shard as { index?: unknown; count?: unknown } | undefined;
  if (sh !== undefined && !(sh !== null && typeof sh === 'object' && Number.isInteger(sh.count) && Number.isInteger(sh.index) && (sh.count as number) >= 1 && (sh.index as number) >= 1 && (sh.index as number) <= (sh.count as number))) {
    throw new RangeError(`shard must be { index, count } with integers 1 <= index <= count (got ${JSON.stringify(opts.shard)}; the command's 'I/N' is { index: I, count: N })`);
  }
  // the command's check of --run-timeout
  const t = opts.runTimeoutS;
  if (t !== undefined && !(typeof t === 'number' && t > 0 && t <= 1e6)) throw new RangeError(`runTimeoutS must be a number of seconds > 0 and <= 1000000 (got ${given(t)})`);
  const { runSweep } = await import('./sweep/runner.ts');
  try {
    return await runSweep({ command: ['syncsim library', 'sweep', experiment], ...opts, experiment, handleSignals: false, optionStyle: 'library' });
  } catch (e) {
    throw namingOut(e);
  }
}

/** Options of {@link report}: those of `syncsim report`. */
export interface ReportRunOptions {
  /** Output directory, default DIR/report. */
  out?: string;
  /** Files per chart, default every format (vl.json, svg, png, pdf). */
  formats?: readonly Format[];
  /** `paper` (default) or `screen`. */
  theme?: ThemeName;
  /** `single` (default), `double` or px. */
  width?: 'single' | 'double' | number;
  /** Chart names or chart module names; default every chart that applies. */
  charts?: readonly string[];
  /** The configurations to draw, as `--configs` names them (`linux, 2000`, a run directory's name, a sweep's `@N`); default all. */
  configs?: readonly string[];
}

/**
 * Draws the charts of `dir` (a `replay`/`syncsim run` output with result files, a sweep's
 * output, or a directory of run outputs) as `syncsim report` does. The charting libraries are
 * loaded only when this is called.
 */
export async function report(dir: string, opts: ReportRunOptions = {}): Promise<ReportOutcome> {
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`report: dir must be the name of a results directory (got ${given(dir)})`);
  requireOptions('report', opts);
  refuseUnknownOptions('report', opts, REPORT_OPTIONS);
  checkOptionKinds('report', opts as Record<string, unknown>, { out: KINDS.name, theme: KINDS.name, width: KINDS.width });
  for (const k of ['formats', 'charts', 'configs'] as const) {
    if (opts[k] !== undefined && !(Array.isArray(opts[k]) && (opts[k] as unknown[]).every((x) => typeof x === 'string'))) throw new TypeError(`report: ${k} must be a list of names (got ${JSON.stringify(opts[k])})`);
  }
  const [{ makeReport }, { FORMATS }, { THEMES, resolveWidth, MIN_WIDTH, MAX_WIDTH }] = await Promise.all([import('../reports/report.ts'), import('../reports/chart.ts'), import('../reports/theme.ts')]);
  const theme = Object.hasOwn(THEMES, opts.theme ?? 'paper') ? THEMES[opts.theme ?? 'paper'] : undefined;
  if (!theme) throw new RangeError(`unknown theme '${opts.theme}' (expected paper or screen)`);
  const width = resolveWidth(theme, opts.width === undefined ? undefined : String(opts.width));
  if (width === undefined) throw new RangeError(`bad width ${given(opts.width)} (expected 'single', 'double' or a number of px from ${MIN_WIDTH} to ${MAX_WIDTH}, as --width)`);
  const bad = (opts.formats ?? []).filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length > 0) throw new RangeError(`unknown format '${bad[0]}' (expected some of ${FORMATS.join(', ')})`);
  const out = opts.out ?? resolve(dir, 'report');
  let lock;
  try {
    lock = claimOutDir(out, { command: 'report', source: dir }).lock;
  } catch (e) {
    throw namingOut(e);
  }
  try {
    return await makeReport({ dir, out, formats: opts.formats ?? FORMATS, theme, width, charts: opts.charts, configs: opts.configs });
  } catch (e) {
    throw namingOut(e);
  } finally {
    lock.release();
  }
}
