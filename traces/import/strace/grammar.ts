/**
 * The grammar of strace output lines (`strace -f -ttt -T [-y]`): the pid and
 * timestamp prefix, calls, `<unfinished ...>` / `<... resumed>` halves,
 * results with errno and duration, exit events and strace's own messages,
 * and the argument syntax (C strings, numbers, `|`-joined flag names).
 */
import { isUtf8 } from 'node:buffer';

/** `[pid N] ` or `N ` (optional), then `SECONDS.FRACTION `, then the body. */
export const PREFIX_RE = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(\d+)\.(\d+)\s+(.*)$/;
/** `NAME(` and the rest of a call. */
export const NAME_RE = /^([A-Za-z_][A-Za-z0-9_]*)\((.*)$/s;
/** `<... NAME resumed>` and the rest of the call. */
export const RESUMED_RE = /^<\.\.\. ([A-Za-z_][A-Za-z0-9_]*) resumed>\s?(.*)$/s;
/** A process's exit event. */
export const EXIT_RE = /^\+\+\+ (exited with -?\d+|killed by SIG[A-Z0-9]+(?: \(core dumped\))?) \+\+\+$/;
/** The exit event of a thread group leader replaced by another thread's execve. */
export const SUPERSEDED_RE = /^\+\+\+ superseded by execve in pid \d+ \+\+\+$/;
/** strace's "Process N attached/detached" message, at the end of a line or alone on one. */
export const MESSAGE_RE = /^(.*?)strace: Process (\d+) (attached|detached)[^"]*$/;
/** The end of a call that has not returned yet. */
export const UNFINISHED = ' <unfinished ...>';
/** The end of a call in flight when strace detached. */
export const DETACHED = ' <detached ...>';
/** What strace prints when it could not read the result. */
export const UNAVAILABLE = ' <unavailable>';
/** The `-T` duration at the end of a line: `<SECONDS.FRACTION>`. */
export const DURATION_RE = /\s<(\d+)\.(\d+)>$/;
/** `)`, then ` = ` (strace pads short calls with spaces before the `=`). */
export const RESULT_SEP_RE = /\)\s+= /g;
/** A result: number, 0x hex or `?`, the `-y` path, then an optional errno name and comments. */
export const RESULT_RE = /^(-?\d+|0x[0-9a-fA-F]+|\?)(?:<(.*)>)?(?:\s+(E[A-Z0-9_]+)(?:\s+\(.*\))?)?(?:\s+\(.*\))?$/s;

/** Digits of a fraction of a second to ns (6 digits µs, 9 digits ns). */
export function fracToNs(frac: string): number {
  return Number(frac.length >= 9 ? frac.slice(0, 9) : frac.padEnd(9, '0'));
}

/**
 * Splits strace's argument text at top-level commas (strings, brackets, comments and the `-y` path
 * after an fd, `3</a,b>`, kept whole: strace escapes `>` and `"` inside it).
 */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '<' && i > 0 && s.charCodeAt(i - 1) >= 48 && s.charCodeAt(i - 1) <= 57) {
      for (i++; i < s.length && s[i] !== '>'; i++) if (s[i] === '\\') i++;
    } else if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    } else if (c === '/' && s[i + 1] === '*') {
      const e = s.indexOf('*/', i + 2);
      i = e < 0 ? s.length : e + 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

/** A C string as strace prints it (`"..."`, escapes decoded: {@link decodeEscaped}); undefined when not one. */
export function parseCString(s: string): string | undefined {
  const m = /^"((?:[^"\\]|\\.)*)"(?:\.\.\.)?$/s.exec(s);
  if (!m) return undefined;
  return decodeEscaped(m[1]!);
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8 };

/**
 * Text strace printed with escapes (a C string's content, a `-y` path): the
 * escapes are bytes (strace writes each byte outside printable ASCII as one,
 * `\\303\\251` for an é), and the bytes are read as UTF-8. When they are not
 * UTF-8 the text stays as strace printed it, escapes and all, so that two
 * names of different bytes never read as one.
 */
export function decodeEscaped(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 === text.length) {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      continue;
    }
    const rest = text.slice(i + 1);
    const m = /^(x[0-9a-fA-F]{1,2}|[0-7]{1,3})/.exec(rest);
    if (m) {
      bytes.push(m[1]![0] === 'x' ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 8) & 0xff);
      i += m[1]!.length;
    } else {
      const e = rest[0]!;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) bytes.push(simple);
      else for (const b of Buffer.from(e, 'utf8')) bytes.push(b);
      i += 1;
    }
  }
  const buf = Buffer.from(bytes);
  return isUtf8(buf) ? buf.toString('utf8') : text;
}

/** An integer as strace prints it (`NULL`, decimal, `0x` hex); NaN when not one. */
export function parseNum(s: string): number {
  const t = s.replace(/\/\*.*?\*\//g, '').trim();
  if (t === 'NULL') return 0;
  if (/^0x[0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^-?\d+$/.test(t)) return Number(t);
  return NaN;
}

/**
 * A `|`-joined flag set: names from `table` (bits), numbers, and, when `prefix` is given, other
 * names with that prefix (ignored). Undefined when a part is none of these.
 */
export function parseBits(s: string, table: Readonly<Record<string, number>>, prefix?: string): number | undefined {
  let bits = 0;
  for (const raw of s.replace(/\/\*.*?\*\//g, '').split('|')) {
    const part = raw.trim();
    const shift = /^(\d+)<<([A-Z_]+)$/.exec(part); // e.g. 21<<MAP_HUGE_SHIFT
    if (shift) continue;
    const v = table[part];
    if (v !== undefined) bits |= v;
    else if (/^(0x[0-9a-fA-F]+|\d+)$/.test(part)) bits |= Number(part);
    else if (prefix === undefined || !part.startsWith(prefix)) return undefined;
  }
  return bits;
}
