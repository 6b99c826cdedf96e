/**
 * Parsers of single fields of the native trace, one per kind of column:
 * time (`t_us`), unsigned integers (`addr`, `len`, `offset`), task tokens,
 * op names and flag lists. Char loops: this is the reader's hot path.
 */
import { ADVICE_FLAGS, Flag, FLAG_ALIASES, FLAGS_BY_OP, OP_NAMES, type OpName } from './types.ts';
import { fieldProblem } from './trace-error.ts';

/** Characters allowed in a task token: [A-Za-z0-9_.-]. */
const TASK_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_.-]/.test(ch)) TASK_CHAR[c] = 1;
}

/**
 * Bytes of the string being parsed: the string parsers below copy their
 * argument here and run the byte parsers, so each field kind has one parser.
 */
let scratch = new Uint8Array(64);

/**
 * Copies the ASCII string `s` into {@link scratch} and returns its length, or -1
 * when it holds a character outside ASCII (which no field accepts).
 */
function toScratch(s: string): number {
  const n = s.length;
  if (n > scratch.length) scratch = new Uint8Array(2 * n);
  const b = scratch;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return -1;
    b[i] = c;
  }
  return n;
}

/** Whether `s` is a task token: one or more of [A-Za-z0-9_.-]. */
export function isTaskToken(s: string): boolean {
  const n = toScratch(s);
  return n >= 0 && isTaskTokenBytes(scratch, 0, n);
}

/**
 * A non-negative integer written in decimal or `0x` hex. NaN when malformed. Values >= 2^53 come
 * out >= 2^53 (possibly rounded, never below), so range checks against `ADDR_LIMIT` hold.
 */
export function parseUint(s: string): number {
  const n = toScratch(s);
  return n < 0 ? NaN : parseUintBytes(scratch, 0, n);
}

/**
 * Microseconds written as a non-negative decimal (`12`, `7.5`, `0.001`) to integer nanoseconds,
 * exactly (decimal digits, not float arithmetic): fractions below 1 ns round half up, as
 * `Math.round(t * 1000)` would with exact arithmetic. NaN when malformed; may exceed 2^53.
 */
export function parseTimeNs(s: string): number {
  const n = toScratch(s);
  return n < 0 ? NaN : parseTimeNsBytes(scratch, 0, n);
}

/** {@link parseUint} of the bytes `buf[s..e)` (ASCII), without making a string. */
export function parseUintBytes(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 0) return NaN;
  let v = 0;
  if (n > 2 && buf[s] === 48 && (buf[s + 1]! | 32) === 120) {
    for (let i = s + 2; i < e; i++) {
      const c = buf[i]!;
      if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
      else {
        const l = c | 32;
        if (l >= 97 && l <= 102) v = v * 16 + (l - 87);
        else return NaN;
      }
    }
    return v;
  }
  for (let i = s; i < e; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** {@link parseTimeNs} of the bytes `buf[s..e)` (ASCII), without making a string. */
export function parseTimeNsBytes(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let us = 0;
  while (i < e) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    us = us * 10 + c;
    i++;
  }
  if (i === s) return NaN;
  if (i === e) return us * 1000;
  if (buf[i] !== 46 /* . */ || i + 1 === e) return NaN;
  i++;
  let frac = 0;
  let digits = 0;
  let roundUp = 0;
  for (; i < e; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return NaN;
    if (digits < 3) frac = frac * 10 + c;
    else if (digits === 3 && c >= 5) roundUp = 1;
    digits++;
  }
  if (digits === 1) frac *= 100;
  else if (digits === 2) frac *= 10;
  return us * 1000 + frac + roundUp;
}

/** Whether the bytes `buf[s..e)` are a task token (one or more of [A-Za-z0-9_.-]). */
export function isTaskTokenBytes(buf: Uint8Array, s: number, e: number): boolean {
  if (s === e) return false;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c >= 128 || TASK_CHAR[c] === 0) return false;
  }
  return true;
}

const OP_BYTES: readonly Uint8Array[] = OP_NAMES.map((op) => Buffer.from(op, 'latin1'));

/** The index in {@link OP_NAMES} of the op named by the bytes `buf[s..e)`, or -1. */
export function opIndexBytes(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  const c0 = buf[s];
  for (let k = 0; k < OP_BYTES.length; k++) {
    const b = OP_BYTES[k]!;
    if (b.length !== n || b[0] !== c0) continue;
    let j = 1;
    while (j < n && b[j] === buf[s + j]) j++;
    if (j === n) return k;
  }
  return -1;
}

const OP_BY_NAME: ReadonlyMap<string, OpName> = new Map(OP_NAMES.map((op) => [op, op]));

/** The op named `s`, or undefined when it names none. */
export function opByName(s: string): OpName | undefined {
  return OP_BY_NAME.get(s);
}

const FLAG_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(FLAG_ALIASES));

/** Distinct flag texts remembered before the memo is cleared. */
const FLAGS_CACHE_LIMIT = 1024;

/**
 * The bits of flag names joined by `|` (aliases allowed), as a trace's `flags`
 * field spells them: no spaces, no empty name. Throws a RangeError (`empty
 * flag name`, `unknown flag 'X'`) for a bad name.
 */
export function flagNameBits(s: string): number {
  let bits = 0;
  for (const name of s.split('|')) {
    const bit = FLAG_BY_NAME.get(name);
    if (bit === undefined) throw new RangeError(name === '' ? 'empty flag name' : `unknown flag '${name}'`);
    bits |= bit;
  }
  return bits;
}

/** The canonical flag names each op takes, in bit order. */
const OP_FLAG_NAMES: Readonly<Record<OpName, readonly string[]>> = Object.fromEntries(
  OP_NAMES.map((op) => [op, Object.entries(Flag).filter(([, bit]) => (bit & FLAGS_BY_OP[op]) !== 0).map(([name]) => name)]),
) as unknown as Record<OpName, readonly string[]>;

/** One alias (not a canonical name) of a flag each op takes, as an example: MS_SYNC for msync. */
const OP_FLAG_ALIAS: Readonly<Partial<Record<OpName, string>>> = Object.fromEntries(
  OP_NAMES.flatMap((op) => {
    const alias = Object.entries(FLAG_ALIASES).find(([name, bit]) => !Object.hasOwn(Flag, name) && (bit & FLAGS_BY_OP[op]) !== 0)?.[0];
    return alias === undefined ? [] : [[op, alias]];
  }),
);

/** What the flags field of a row of `op` may hold: `the flags of msync are SYNC, ..., joined by |`, or that `op` takes none. */
export function flagsOfOp(op: OpName): string {
  const names = OP_FLAG_NAMES[op];
  if (names.length === 0) return `${op} takes no flags`;
  const alias = OP_FLAG_ALIAS[op];
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `the flags of ${op} are ${list}${alias === undefined ? '' : ` (or their aliases, such as ${alias})`}, joined by |`;
}

/**
 * The problem of a flags field `s` of a row of `op` with a name that is no flag: `empty flag
 * name`, else the unknown name (not repeated when it is the whole field, which the message
 * quotes anyway) and the flags `op` takes.
 */
function unknownFlagProblem(s: string, op: OpName): string {
  const name = s.split('|').find((n) => !FLAG_BY_NAME.has(n)) ?? s;
  if (name === '') return 'empty flag name';
  return `${name === s ? 'unknown flag' : `unknown flag '${name}'`}; ${flagsOfOp(op)}`;
}

/**
 * Parses `flags` fields (names joined by `|`, aliases allowed) to bits,
 * remembering the texts it has seen (a trace repeats a handful of them).
 */
export class FlagsParser {
  private readonly cache = new Map<string, number>();

  /**
   * The bits of `s` for a row of `op`. Throws a FieldProblem at `column` for
   * an empty or unknown name (saying which flags `op` takes), or a flag `op` does not accept.
   */
  parse(s: string, op: OpName, column: number): number {
    let bits = this.cache.get(s);
    if (bits === undefined) {
      try {
        bits = flagNameBits(s);
      } catch {
        fieldProblem(column, unknownFlagProblem(s, op), s);
      }
      if (this.cache.size >= FLAGS_CACHE_LIMIT) this.cache.clear();
      this.cache.set(s, bits);
    }
    const allowed = FLAGS_BY_OP[op];
    if ((bits & ~allowed) !== 0) {
      for (const name of s.split('|')) {
        if ((FLAG_BY_NAME.get(name)! & ~allowed) !== 0) fieldProblem(column, `flag '${name}' is not valid for op '${op}'`, s);
      }
    }
    if ((bits & ADVICE_FLAGS) === ADVICE_FLAGS) fieldProblem(column, 'RANDOM and SEQUENTIAL exclude each other: a mapping has one access advice', s);
    return bits;
  }
}
