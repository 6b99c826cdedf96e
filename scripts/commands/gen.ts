/**
 * `syncsim gen`: writes a synthetic trace from a workload preset (workloads/presets/), or lists
 * the presets with their parameters.
 */
import { checkTraceOut, recheckTraceOut, withTraceLock } from '../../traces/out-trace.ts';
import type { RowInput } from '../../traces/writer.ts';
import { PRESETS, PROGRESS_ROWS, PresetError, findPreset, generate, generateToFile, generatedComments, presetNotes, traceDurationNs, type Preset } from '../../workloads/presets/index.ts';
import { showDefault, type Schema } from '../../workloads/params.ts';
import { InputError } from '../errors.ts';
import { bareObject, isPrototypeKey } from '../../sim/keys.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { seedOption } from './seed-option.ts';
import { isSystemError, openProblem } from '../../traces/files.ts';
import { escapeControl, escapeLines } from '../../traces/escape.ts';
import { endBySignal, onStopSignal, outputInPlace, sayOnStop, signalExitCode } from '../interrupt.ts';
import { markStdoutOnInterrupt, quietBesideTrace, StdoutSink } from '../stdout-trace.ts';
import { CountProgress, QUIET_OPTION, quietHelp, withProgress } from '../progress.ts';
import { helpEntry, helpParagraph } from '../help-text.ts';

const HELP = `Usage: syncsim gen PRESET [options]
       syncsim gen [PRESET] --list

Writes a synthetic trace (native format) from a workload preset.

Options:
  --set KEY=VALUE    set one parameter of the preset (repeatable), e.g.
                     --set rate=500 --set footprint=256M
                     --set sync_flags='SYNC|INVALIDATE'
  --seed N           random seed, default 1: the same preset, parameters and
                     seed give a byte-identical trace
  -o, --out FILE     write to FILE (.csv, gzip-compressed when the name ends
                     with .gz, a CSV trace whatever the name: 'syncsim convert'
                     makes a .sst cache), atomically: nothing is written on
                     error or interrupt; --output is the same option, as import
                     and convert take it. Default, or '-o -': plain CSV on
                     standard output, where a trace cut short (Ctrl-C, SIGTERM)
                     ends with an INCOMPLETE line that 'syncsim run' refuses.
                     An existing FILE is replaced only when it is a trace gen
                     wrote and not edited since (its last line, a stamp, still
                     matches the lines before it); anything else (an edited
                     trace, a recorded or imported one, a .sst cache, any
                     other file) is refused (exit 2)
  --list             list the presets (or only PRESET) with their parameters,
                     defaults and what they model; it writes no trace, so
                     -o, --set and --seed are refused with it (exit 2)
${quietHelp(21)}
  -h, --help         this help

Progress goes to stderr (rows written, the share of duration_s, rows/s, ETA):
on a terminal a line redrawn in place; otherwise a line every 10 s and one at
the end, none for a shorter job. The trace itself is never changed by it. A
trace written to stdout when stdout is a terminal, as stderr is, shows none
(it would be drawn among the rows); redirected (> FILE, | gzip) it shows it.

${helpParagraph(`Presets: ${PRESETS.map((p) => p.name).join(', ')}.`)}
Every preset has duration_s (trace length in simulated seconds); sizes take
K, M, G or T suffixes (binary). Bad parameters exit 2 with a message naming
the key.`;

/** The `--list` text of some presets: name and summary, then an entry per parameter, wrapped before column 80. */
export function presetList(presets: readonly Preset<Schema>[]): string {
  const lines: string[] = [];
  for (const p of presets) {
    const params = Object.entries(p.schema).map(([k, s]) => ({ left: `${k}=${showDefault(s)}`, doc: s.doc }));
    const w = Math.max(...params.map((x) => x.left.length));
    if (lines.length > 0) lines.push('');
    // wrapped as a command's help is: the summary's further lines after the name, a parameter's after the defaults
    lines.push(helpEntry(`${p.name}:`, p.summary, p.name.length + 2));
    for (const x of params) lines.push(helpEntry(`  ${x.left}`, x.doc, w + 4));
  }
  return lines.join('\n');
}

/** `--set k=v` arguments as a parameter object (a key given twice is refused, naming both). */
function parseSets(sets: readonly string[]): Record<string, string> {
  const out = bareObject<Record<string, string>>();
  const given = bareObject<Record<string, string>>();
  for (const kv of sets) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? '' : kv.slice(0, eq).trim();
    if (key === '') throw new InputError(`--set expects key=value (got '${kv}')`);
    if (isPrototypeKey(key)) throw new InputError(`--set ${kv}: key '${key}' is not allowed (a prototype name)`);
    if (given[key] !== undefined) throw new InputError(`--set ${key} is given twice ('${given[key]}' and '${kv}'): give it once`);
    given[key] = kv;
    out[key] = kv.slice(eq + 1);
  }
  return out;
}

/**
 * Streams `rows` as CSV to standard output ({@link StdoutSink}); stops quietly when the reader
 * goes away. Cut short by an interrupt or an error, what was written ends with the INCOMPLETE
 * line (scripts/stdout-trace.ts), as an import's does.
 */
async function writeStdout(rows: Iterable<RowInput>, comments: readonly string[], extraCols: readonly string[], progress: (rows: number, tNs: number) => void): Promise<void> {
  const release = markStdoutOnInterrupt('gen');
  try {
    const sink = new StdoutSink(extraCols, comments);
    try {
      let n = 0;
      for (const row of rows) {
        if (++n % PROGRESS_ROWS === 0) progress(n, row.tNs);
        const wrote = sink.write(row);
        if (wrote === undefined) continue;
        await wrote;
        if (sink.closed) break;
      }
      await sink.close();
    } catch (e) {
      await sink.abort(`syncsim gen failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  } finally {
    release();
  }
}

/** The progress of generating the trace of `preset` with `params` (rows, and the share of its duration_s the last row's time is), and what the generation tells it. */
function genProgress(preset: string, params: Record<string, string>, quiet: boolean | undefined): { progress: CountProgress; told: (rows: number, tNs: number) => void } {
  const endNs = traceDurationNs(preset, params);
  const progress = new CountProgress({ stream: process.stderr, label: 'gen', unit: 'rows', shareOf: 'duration_s', quiet });
  let lastNs = 0;
  if (endNs !== undefined) progress.share = () => lastNs / endNs;
  return {
    progress,
    told: (rows, tNs) => {
      progress.done = rows;
      lastNs = tNs;
    },
  };
}

/** File-system errors that are the user's (a missing directory, no permission): what each means for the output file. */
const USER_FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a component of its directory is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  EROFS: 'read-only file system',
};

/** The options of writing a trace, which `--list` refuses: it writes none. */
const LIST_IDLE = ['out', 'set', 'seed'] as const;

async function run(argv: string[]): Promise<number> {
  const { values, positionals, flag } = parseCommandArgs('gen', argv, {
    set: { type: 'string', multiple: true },
    seed: { type: 'string' },
    out: { type: 'string', short: 'o' },
    list: { type: 'boolean' },
    ...QUIET_OPTION,
  }, { output: 'out' });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length > 1) throw new InputError(`gen expects one PRESET argument (got ${positionals.length}; try 'syncsim gen --help')`);
  try {
    if (values.list) {
      // what writes a trace does nothing with a list: refused, as run's --ci-reps without --ci
      const idle = LIST_IDLE.filter((o) => values[o] !== undefined).map((o) => flag(o));
      if (idle.length > 0) {
        throw new InputError(`${idle.join(', ')} ${idle.length === 1 ? 'is' : 'are'} for writing a trace, and --list writes none: it only lists presets (drop --list to write the trace)`);
      }
      process.stdout.write(presetList(positionals.length === 1 ? [findPreset(positionals[0])] : PRESETS) + '\n');
      return 0;
    }
    if (positionals.length === 0) throw new InputError(`gen expects a PRESET (one of ${PRESETS.map((p) => p.name).join(', ')}; try 'syncsim gen --list')`);
    const preset = positionals[0];
    const seed = seedOption('--seed', values.seed, 1, Number.MAX_SAFE_INTEGER);
    const params = parseSets(values.set ?? []);
    // '-' names standard output, as the default does
    const out = values.out === '-' ? undefined : values.out;
    // a parameter given alone that leaves a default in force the user may not expect (both msync policies at once)
    const notes = presetNotes(preset, params);
    if (notes.length > 0) process.stderr.write(notes.map((n) => escapeLines(`syncsim: note: ${escapeControl(n)}`) + '\n').join(''));
    if (out === undefined) {
      const rows = generate(preset, params, seed);
      // none on the terminal the trace is written to: its line would be drawn among the rows
      const meter = genProgress(preset, params, quietBesideTrace(values.quiet));
      await withProgress(meter.progress, () => writeStdout(rows, generatedComments(preset, params, seed), findPreset(preset).extraCols ?? [], meter.told));
      return 0;
    }
    if (out === '') throw new InputError(`${flag('out')} expects a file name`);
    checkTraceOut(out, flag('out'), 'generated');
    // one writer of OUT at a time
    return await withTraceLock(out, flag('out'), 'gen', async () => {
      const meter = genProgress(preset, params, values.quiet);
      let n: number;
      // Ctrl-C or kill: stop, remove the temporary file, exit 128 + signal number.
      const interrupt = new AbortController();
      const release = onStopSignal((sig) => interrupt.abort(sig));
      try {
        n = await withProgress(meter.progress, () => generateToFile(out, preset, params, seed, { signal: interrupt.signal, progress: meter.told, mayReplace: recheckTraceOut(out, flag('out'), 'generated') }));
        // OUT is in place: an interrupt from here on leaves it, exit 0 (interrupt.ts; user trial 200: it was 130)
        outputInPlace(escapeControl(out));
        // one after the last row, as the file was completed, did not stop it: said, not passed over
        if (interrupt.signal.aborted) lateInterrupt(interrupt.signal.reason as NodeJS.Signals, out);
      } catch (e) {
        if (interrupt.signal.aborted) {
          const sig = interrupt.signal.reason as NodeJS.Signals;
          sayOnStop(escapeLines(`syncsim: interrupted (${sig}); ${escapeControl(out)} not written`) + '\n');
          // a hang-up ends by the signal itself (interrupt.ts, endBySignal); the others with 128 + n
          if (sig === 'SIGHUP') endBySignal(sig);
          return signalExitCode(sig);
        }
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== undefined && Object.hasOwn(USER_FS_ERRORS, code)) throw new InputError(`cannot write ${out}: ${USER_FS_ERRORS[code]} (${code})`);
        // any other failed write of OUT (a full disk, a file size limit) is the user's to fix too, as import and convert say it
        if (isSystemError(e)) throw new InputError(`cannot write ${out}: ${openProblem(e)}`);
        throw e;
      } finally {
        release();
      }
      process.stdout.write(escapeLines(`${escapeControl(out)}: ${n} rows (preset ${preset}, seed ${seed})`) + '\n');
      return 0;
    });
  } catch (e) {
    if (e instanceof PresetError) throw new InputError(e.message);
    throw e;
  }
}

/**
 * What gen says of `sig`, received after the last row of `out` was written, as the file was
 * completed and put in place: complete, the command goes on to exit 0. A hang-up ends the process
 * by the signal as any other does ({@link endBySignal}: the terminal is gone).
 */
function lateInterrupt(sig: NodeJS.Signals, out: string): void {
  if (sig === 'SIGHUP') endBySignal(sig);
  sayOnStop(escapeLines(`syncsim: note: ${sig} came as ${escapeControl(out)} was being completed, after its last row: it is complete (exit 0)`) + '\n');
}

/** `syncsim gen`. */
export const genCommand: Command = { name: 'gen', usage: 'gen PRESET [options]', summary: 'write a synthetic trace from a workload preset', help: HELP, run };
