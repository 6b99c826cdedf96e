/**
 * A traced call's arguments and result read as strace prints them: each
 * one checked, and a malformed one a TraceError naming the file, the call's
 * line and the argument (`mmap.length`, `msync.flags`, `openat.result`).
 */
import { TraceError } from '../../trace-error.ts';
import type { Call } from './calls.ts';
import { parseBits, parseNum } from './grammar.ts';

/** What each tracked argument must look like, for error messages. */
export const EXPECT = {
  addr: 'an address (NULL, decimal or 0x hex)',
  len: 'a byte count',
  fd: 'a file descriptor number',
  path: 'a quoted path',
} as const;

/** Reads the arguments and results of the calls of the strace capture `path`. */
export class CallReader {
  constructor(protected readonly path: string) {}

  /** Stops the import: `column` of the call at `line` is not what it should be. */
  protected fail(line: number, column: string, problem: string, text: string): never {
    throw new TraceError(this.path, line, column, problem, text);
  }

  /** Argument `i` of `c` (named `name`), a number of kind `what`. */
  protected arg(c: Call, args: string[], i: number, name: string, what: keyof typeof EXPECT): number {
    const text = args[i];
    if (text === undefined) this.fail(c.line, `${c.name}.${name}`, `expected ${EXPECT[what]} as argument ${i + 1}`, c.args);
    const v = parseNum(what === 'fd' ? text.replace(/<.*>$/s, '') : text);
    if (!Number.isFinite(v) || (what !== 'fd' && v < 0)) this.fail(c.line, `${c.name}.${name}`, `expected ${EXPECT[what]}`, text);
    return v;
  }

  /** Argument `i` of `c` (named `name`), flags of `table` whose names start with `prefix`, as their bits. */
  protected bits(c: Call, args: string[], i: number, name: string, table: Readonly<Record<string, number>>, prefix: string): number {
    const text = args[i];
    if (text === undefined) this.fail(c.line, `${c.name}.${name}`, `expected ${prefix}* flags as argument ${i + 1}`, c.args);
    const v = parseBits(text, table, prefix);
    if (v === undefined) this.fail(c.line, `${c.name}.${name}`, `expected ${prefix}* flag names or a number joined by |`, text);
    return v;
  }

  /** The number `c` returned (`what` it is, for the error). */
  protected returned(c: Call, what: string): number {
    const v = parseNum(c.ret);
    if (!Number.isFinite(v)) this.fail(c.line, `${c.name}.result`, `expected ${what}`, c.ret);
    return v;
  }

  /** Whether `c` succeeded: no errno, and it returned. */
  protected ok(c: Call): boolean {
    return c.errno === '' && c.ret !== '?';
  }
}
