/**
 * The library's checks of the options its functions are given (scripts/lib.ts), made before any
 * work: an options argument that is no object, an option a function does not take, an option of
 * the wrong type (a TypeError naming it: `replay: onStretched must be a function (got 42)`), and
 * configuration values that are no JSON-like value. Also how an error of the commands' code that
 * names the command's flag `--out` names the library's option `out` instead.
 */

/** Whether `v` is a plain object (`{ ... }`, or one made with a null prototype): not an array, a Map, a class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A value as an option error shows it: JSON where it has one, else what it is (`a function`, `a Map`). */
export function given(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !isPlainObject(v)) {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object with a prototype of its own (a __proto__ key in an object literal?)';
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Throws a TypeError when `opts` is not an options object (`what`'s last argument). */
export function requireOptions(what: string, opts: unknown): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError(`${what}: options must be an object (got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts})`);
}

/**
 * Throws a TypeError naming an option of `opts` that `what` does not take (a misspelt `confg` or
 * `Seed` would otherwise be ignored, as no command-line flag is).
 */
export function refuseUnknownOptions(what: string, opts: object, known: readonly string[]): void {
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length) throw new TypeError(`${what}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (it takes ${known.join(', ')})`);
}

/** What an option's value must be: a test, and how a message says it. */
export interface OptionKind {
  ok: (v: unknown) => boolean;
  what: string;
}

/** The kinds of option values the library's functions take. */
export const KINDS = {
  /** A file or directory name, or a name shown in results. */
  name: { ok: (v) => typeof v === 'string' && v !== '', what: 'a non-empty string' },
  function: { ok: (v) => typeof v === 'function', what: 'a function' },
  boolean: { ok: (v) => typeof v === 'boolean', what: 'true or false' },
  number: { ok: (v) => typeof v === 'number', what: 'a number' },
  /** An output stream: what `process.stdout` is. */
  stream: { ok: (v) => v !== null && typeof v === 'object' && typeof (v as { write?: unknown }).write === 'function', what: 'a writable stream (an object with a write method, such as process.stderr)' },
  strings: { ok: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), what: 'a list of strings' },
  /** Flags: their bits, or their names joined by `|`. */
  flags: { ok: (v) => typeof v === 'number' || typeof v === 'string', what: "a number (the flags' bits) or flag names joined by | ('SYNC|INVALIDATE')" },
  /** A chart width: a name or px. */
  width: { ok: (v) => (typeof v === 'string' && !/^\s*[-+0-9.]/.test(v)) || typeof v === 'number', what: "'single', 'double' or a number of px (a number, not text)" },
  sizeOrFunction: { ok: (v) => typeof v === 'number' || typeof v === 'function', what: 'a number of bytes, or a function from a file name to one' },
} as const satisfies Record<string, OptionKind>;

/**
 * Throws a TypeError for the first option of `opts` named in `kinds` whose value is not of its
 * kind: `WHAT: KEY must be KIND (got VALUE)`. An option left out (or `undefined`) is not checked;
 * `null` is a value, and refused.
 */
export function checkOptionKinds(what: string, opts: Readonly<Record<string, unknown>>, kinds: Readonly<Record<string, OptionKind>>): void {
  for (const [key, kind] of Object.entries(kinds)) {
    const v = opts[key];
    if (v !== undefined && !kind.ok(v)) throw new TypeError(`${what}: ${key} must be ${kind.what} (got ${given(v)})`);
  }
}

/**
 * The dotted path (under `path`) of the first value inside `v` that a configuration cannot hold
 * (a function, a symbol, a BigInt, an object other than a plain object or an array: a Date, a Map,
 * one with a prototype of its own), with what it is; undefined when there is none.
 */
export function nonJsonValue(v: unknown, path: string, within: Set<object> = new Set()): { path: string; got: string } | undefined {
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return { path, got: given(v) };
  if (v === null || typeof v !== 'object') return undefined;
  if (!Array.isArray(v) && !isPlainObject(v)) return { path, got: given(v) };
  // an object inside itself: no file holds it (a user trial: the walk recursed until the stack overflowed)
  if (within.has(v)) return { path, got: 'an object that holds itself (a reference back to one of the objects it is in)' };
  within.add(v);
  for (const [k, x] of Object.entries(v)) {
    const hit = nonJsonValue(x, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k, within);
    if (hit) return hit;
  }
  within.delete(v);
  return undefined;
}

/**
 * Throws a TypeError when `v`, a configuration given in code (`what`: `config`, `set 'KEY'`), holds
 * a value no config file can ({@link nonJsonValue}), which would otherwise fail deep inside or be
 * dropped unread.
 */
export function requireJsonValue(fn: string, what: string, v: unknown): void {
  const hit = nonJsonValue(v, '');
  if (hit) throw new TypeError(`${fn}: ${what}${hit.path ? ` key '${hit.path}'` : ''} must hold what a config file can (strings, numbers, booleans, null, lists and plain objects of them) (got ${hit.got})`);
}

/**
 * `e` with the command's flags its message names as the library's options: `--out` that begins it
 * (an OutDirError: `--out DIR: is a file, ...`, `--out DIR: locked by pid ...`) as `out DIR: ...`,
 * and those of {@link FLAG_OPTIONS} (`--configs: ...`, `raise it with --max-runs N`); any other
 * error as it is.
 */
export function namingOut<E>(e: E): E {
  if (e instanceof Error) {
    const was = e.message;
    let now = was.startsWith('--out ') ? `out ${was.slice('--out '.length)}` : was;
    // the other flags a command's refusal names, as the library's options (a user trial: `--configs: no configuration ...`)
    for (const [flag, option] of FLAG_OPTIONS) now = now.replace(flag, option);
    if (now !== was) {
      e.message = now;
      if (typeof e.stack === 'string') e.stack = e.stack.replace(was, now);
    }
  }
  return e;
}

/** The command-line flags the commands' refusals name, and how the library's options name them. */
const FLAG_OPTIONS: readonly [RegExp, string][] = [
  [/^--configs: /, 'configs: '],
  [/raise it with --max-runs (\d+)/, 'raise it with maxRuns: $1'],
];
