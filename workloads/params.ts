/**
 * Parameters of the workload presets: a schema per preset (kind, default, range, one line of
 * doc), the validation of user values (`--set key=value` strings, or numbers and strings from a
 * YAML sweep file) against it, and the errors that name the offending key.
 */
import { didYouMean } from '../sim/closest-name.ts';
import { flagsToString, msyncFlagOption } from '../traces/types.ts';
import { bareObject, isPrototypeKey } from '../sim/keys.ts';

/** A problem with a preset name or its parameters: bad user input, not a bug. */
export class PresetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PresetError';
  }
}

/**
 * A parameter value that is wrong or unknown. `message` is
 * `parameter 'KEY' of preset 'PRESET': PROBLEM (got 'TEXT')`, or for an unknown key
 * `preset 'PRESET' has no parameter 'KEY' (its parameters: ...)`, ending `; did you mean NAME?`
 * when one is close (sim/closest-name.ts).
 */
export class ParamError extends PresetError {
  readonly preset: string;
  readonly key: string;

  constructor(preset: string, key: string, problem: string, got?: string) {
    super(got === undefined ? problem : `parameter '${key}' of preset '${preset}': ${problem} (got '${got}')`);
    this.name = 'ParamError';
    this.preset = preset;
    this.key = key;
  }
}

/** A real number in a range; `min` is exclusive when `exclusiveMin`. */
export interface NumberSpec {
  readonly kind: 'number';
  readonly default: number;
  readonly min: number;
  readonly exclusiveMin?: boolean;
  readonly max: number;
  readonly doc: string;
}

/** An integer in [min, max]. */
export interface IntegerSpec {
  readonly kind: 'integer';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

/** A size in bytes: an integer with an optional binary suffix (`64K`, `16M`, `1G`). */
export interface SizeSpec {
  readonly kind: 'size';
  readonly default: number | string;
  readonly min: number;
  readonly max: number;
  /** The size must be a power of two. */
  readonly pow2?: boolean;
  readonly doc: string;
}

/** msync flag names joined by `|` (aliases allowed), empty for none; resolves to flag bits. */
export interface MsyncFlagsSpec {
  readonly kind: 'msync-flags';
  readonly default: string;
  readonly doc: string;
}

/** One word out of a fixed list. */
export interface ChoiceSpec {
  readonly kind: 'choice';
  readonly default: string;
  readonly choices: readonly string[];
  readonly doc: string;
}

/** What one parameter accepts, its default and what it means. */
export type ParamSpec = NumberSpec | IntegerSpec | SizeSpec | MsyncFlagsSpec | ChoiceSpec;

/** The parameters of one preset, by key. */
export type Schema = Readonly<Record<string, ParamSpec>>;

type ValueOf<S> = S extends { readonly kind: 'choice'; readonly choices: readonly (infer C)[] } ? C : number;

/** Resolved parameter values of schema `S`: numbers (sizes in bytes, flags as bits) and choice words. */
export type Params<S extends Schema> = { readonly [K in keyof S]: ValueOf<S[K]> };

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SIZE_RE = /^(\d+)([KMGT])?$/i;
const SIZE_UNIT: Readonly<Record<string, number>> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
const MSYNC_FLAG_NAMES = ['SYNC', 'ASYNC', 'INVALIDATE', 'CONTIGUOUS', 'KILLPAGES', 'DEACTIVATE'];

/** `n` for messages: integers in full, sizes with their suffix when exact. */
function showSize(n: number): string {
  for (const u of ['T', 'G', 'M', 'K']) if (n >= SIZE_UNIT[u] && n % SIZE_UNIT[u] === 0) return `${n / SIZE_UNIT[u]}${u}`;
  return String(n);
}

function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && NUMBER_RE.test(raw.trim())) return Number(raw.trim());
  return NaN;
}

function toSize(raw: unknown): number {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : NaN;
  if (typeof raw !== 'string') return NaN;
  const m = SIZE_RE.exec(raw.trim());
  if (!m) return NaN;
  const v = Number(m[1]) * SIZE_UNIT[(m[2] ?? '').toUpperCase()];
  return Number.isSafeInteger(v) ? v : NaN;
}

function toMsyncFlags(raw: unknown): number {
  if (typeof raw !== 'string') return NaN;
  const s = raw.trim();
  if (s === '') return 0;
  return msyncFlagOption(s) ?? NaN;
}

function numberRule(s: NumberSpec): string {
  if (s.max === Infinity) {
    if (s.min === 0) return s.exclusiveMin ? 'must be a positive number' : 'must be a non-negative number';
    return `must be a number ${s.exclusiveMin ? 'above' : 'of at least'} ${s.min}`;
  }
  if (s.min === 0 && s.exclusiveMin) return `must be a positive number of at most ${s.max}`;
  return `must be a number from ${s.min} to ${s.max}`;
}

function integerRule(s: IntegerSpec): string {
  if (s.max === Infinity || s.max >= Number.MAX_SAFE_INTEGER) {
    if (s.min === 1) return 'must be a positive integer';
    if (s.min === 0) return 'must be a non-negative integer';
    return `must be an integer of at least ${s.min}`;
  }
  if (s.min === 1) return `must be a positive integer of at most ${s.max}`;
  if (s.min === 0) return `must be a non-negative integer of at most ${s.max}`;
  return `must be an integer from ${s.min} to ${s.max}`;
}

function sizeRule(s: SizeSpec): string {
  const what = s.pow2 ? 'a power of two in bytes' : 'a size in bytes';
  return `must be ${what} from ${showSize(s.min)} to ${showSize(s.max)} (an integer, optionally with a K, M, G or T suffix)`;
}

/**
 * How each kind of parameter reads a raw value (NaN or undefined = rejected), the rule a bad
 * value breaks, and how its default is shown.
 */
const KINDS: { readonly [K in ParamSpec['kind']]: {
  parse(raw: unknown, spec: Extract<ParamSpec, { kind: K }>): number | string | undefined;
  rule(spec: Extract<ParamSpec, { kind: K }>): string;
} } = {
  number: {
    parse: (raw, s) => {
      const v = toNumber(raw);
      const low = s.exclusiveMin ? v > s.min : v >= s.min;
      return Number.isFinite(v) && low && v <= s.max ? v : undefined;
    },
    rule: numberRule,
  },
  integer: {
    parse: (raw, s) => {
      const v = toNumber(raw);
      return Number.isSafeInteger(v) && v >= s.min && v <= s.max ? v : undefined;
    },
    rule: integerRule,
  },
  size: {
    parse: (raw, s) => {
      const v = toSize(raw);
      const pow2ok = !s.pow2 || (v > 0 && (v & (v - 1)) === 0);
      return Number.isSafeInteger(v) && v >= s.min && v <= s.max && pow2ok ? v : undefined;
    },
    rule: sizeRule,
  },
  'msync-flags': {
    parse: (raw) => {
      const v = toMsyncFlags(raw);
      return Number.isNaN(v) ? undefined : v;
    },
    rule: () => `must be msync flag names joined by '|' (${MSYNC_FLAG_NAMES.join(', ')}, or their MS_/VM_SYNC_ aliases; in any case), or empty for none`,
  },
  choice: {
    parse: (raw, s) => (typeof raw === 'string' && s.choices.includes(raw.trim()) ? raw.trim() : undefined),
    rule: (s) => `must be one of ${s.choices.join(', ')}`,
  },
};

/** The rule a value of `spec` must follow, as written in error messages. */
export function ruleOf(spec: ParamSpec): string {
  return (KINDS[spec.kind].rule as (s: ParamSpec) => string)(spec);
}

/** One parameter's value read from `raw`, or a {@link ParamError} naming `key` of `preset`. */
export function parseParam(preset: string, key: string, spec: ParamSpec, raw: unknown): number | string {
  const v = (KINDS[spec.kind].parse as (r: unknown, s: ParamSpec) => number | string | undefined)(raw, spec);
  if (v === undefined) throw new ParamError(preset, key, ruleOf(spec), typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw));
  return v;
}

/**
 * The parameters of `preset` with `given` applied over the schema's defaults, every value
 * validated. Throws a {@link ParamError} naming the first unknown key or bad value.
 */
export function resolveParams<S extends Schema>(preset: string, schema: S, given: Readonly<Record<string, unknown>>): Params<S> {
  const keys = Object.keys(schema);
  for (const k of Object.keys(given)) {
    if (isPrototypeKey(k)) throw new ParamError(preset, k, `parameter name '${k}' is not allowed (a prototype name)`);
    if (!Object.hasOwn(schema, k)) {
      throw new ParamError(preset, k, `preset '${preset}' has no parameter '${k}' (its parameters: ${keys.join(', ')})${didYouMean(k, keys)}`);
    }
  }
  const out = bareObject<Record<string, number | string>>();
  for (const k of keys) out[k] = parseParam(preset, k, schema[k], Object.hasOwn(given, k) ? given[k] : schema[k].default);
  return out as Params<S>;
}

/** A parameter's default as written on the command line (`64M`, `SYNC`, `0.99`). */
export function showDefault(spec: ParamSpec): string {
  if (spec.kind === 'size' && typeof spec.default === 'number') return showSize(spec.default);
  if (spec.kind === 'msync-flags') return spec.default === '' ? "''" : flagsToString(toMsyncFlags(spec.default));
  return String(spec.default);
}
