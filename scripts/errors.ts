import { statSync } from 'node:fs';
import { readHead, unreadableReason } from '../traces/files.ts';
import { recogniseFormat } from '../traces/import/recognise.ts';
import { headText } from '../traces/out-trace.ts';
import { TRACE_MAGIC_LINE } from '../traces/writer.ts';
import { TraceError } from '../traces/trace-error.ts';
import { OP_NAMES } from '../traces/types.ts';
import { didYouMean } from '../sim/closest-name.ts';
import { fieldAsWritten } from '../traces/as-written.ts';
import type { TraceSemanticError } from '../sim/vm/vm.ts';

/**
 * Errors of the command line that are the user's input, not a bug: they are
 * printed as one line and exit with code 2.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The last `n` non-blank lines of a program's output, joined by ` | `: one
 * line for an error message (whose control characters are shown escaped).
 */
export function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').slice(-n).join(' | ');
}

/**
 * Throws an InputError unless `path` can be read as a file: `WHAT not found:
 * PATH`, or `WHAT PATH: is a directory` (`permission denied`, ...).
 */
export function requireReadable(path: string, what: string): void {
  const why = unreadableReason(path);
  if (why === undefined) return;
  throw new InputError(why === 'not found' ? `${what} not found: ${path}` : `${what} ${path}: ${why}`);
}

/**
 * {@link requireReadable}, and a regular file: a trace is read more than once
 * (its kind sniffed from its first bytes, a field quoted back in an error),
 * which a pipe (`/dev/stdin`, `<(...)`) or a device cannot give.
 */
export function requireTraceFile(path: string, what: string): void {
  requireReadable(path, what);
  if (!statSync(path).isFile()) throw new InputError(`${what} ${path}: is not a regular file (a pipe or a device): a trace is read more than once; save it to a file first`);
}

/**
 * The one-line message of an error of the trace found while replaying it:
 * `SHOWN:LINE: column COL: PROBLEM (got 'TEXT')`, TEXT the field as written in
 * the CSV `trace` (`0x10000001`, not the number the row carries) when it can
 * be read back, else the error's own text.
 */
export async function replayErrorMessage(e: TraceSemanticError, trace: string, shown = trace): Promise<string> {
  const text = (await fieldAsWritten(trace, e.line, e.column)) ?? e.text;
  return `${shown}:${e.line}: column ${e.column}: ${e.message} (got '${text}')`;
}

/**
 * After the error of a native trace's first line: when that line looks like another tool's trace
 * that `syncsim import` reads, `; FILE looks like an strace log: convert it first with syncsim
 * import --from strace FILE -o trace.csv`; else ''.
 */
export function importHint(e: unknown): string {
  if (!(e instanceof TraceError) || e.line !== 1) return '';
  const format = firstLineOf(e.file);
  const looks = format === undefined ? undefined : recogniseFormat(format);
  return looks ? `; ${e.file} looks like ${looks.what}: convert it first with syncsim import --from ${looks.from} ${e.file} -o trace.csv` : '';
}

/**
 * After the error of a native trace's unknown op (`writ`): `; did you mean write?` when an op is
 * close to it; else ''. Here rather than in the reader: traces/ does not import sim/'s
 * closest-name suggestion (README, Layout).
 */
export function unknownOpHint(e: unknown): string {
  if (!(e instanceof TraceError) || e.column !== 'op' || e.text === '' || (OP_NAMES as readonly string[]).includes(e.text)) return '';
  return didYouMean(e.text, OP_NAMES);
}

/**
 * After the error of the first line of `syncsim import --from FROM FILE` (the file `e` names):
 * when that line looks like another format import reads, `; FILE looks like an MSR Cambridge
 * trace: import it with --from msr` ({@link importHint}'s recognition, as `run` says it); when it
 * is a syncsim trace's, that it needs no import; else ''.
 */
export function importFromHint(e: unknown, from: string): string {
  if (!(e instanceof TraceError) || e.line !== 1) return '';
  const line = firstLineOf(e.file);
  if (line === undefined) return '';
  if (line === TRACE_MAGIC_LINE || /^t_us,task,op,/.test(line)) return `; ${e.file} is a syncsim trace already: syncsim run replays it as it is, no import needed`;
  const looks = recogniseFormat(line);
  return looks && looks.from !== from ? `; ${e.file} looks like ${looks.what}: import it with --from ${looks.from}` : '';
}

/** The first line of `file` (of its text, for a gzip-compressed one); undefined when it cannot be read. */
function firstLineOf(file: string): string | undefined {
  const head = readHead(file, 4096);
  return head === undefined ? undefined : headText(head)?.split(/\r?\n/, 1)[0];
}
