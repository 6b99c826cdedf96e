/**
 * A seed given on the command line, read the same way by every command that
 * takes one (`run`, `import`, `validate`, `gen` and `compare`'s `--seed`): one
 * whole number in decimal digits, from 0 to the command's largest seed.
 */
import { InputError } from '../errors.ts';

/** The largest seed of a run's configuration (`seed`: 32 bits), and of every seed flag but gen's. */
export const MAX_SEED = 4294967295;

/** A largest seed said in words beside its digits: gen's, 2^53 − 1. */
const BOUND_WORDS: Readonly<Record<number, string>> = { [Number.MAX_SAFE_INTEGER]: '2^53 - 1' };

/** A value that reads as several seeds: a range (`1..8`, `1-8`) or a list (`1,2`, `1 2`). */
const SEVERAL = /^\s*\d+\s*(\.\.|-|,|\s)\s*\d/;

/**
 * The seed `value` of flag `flag` (`def` when not given): digits only, from 0 to `max`. Anything
 * else is an InputError naming the flag, its range and the value as given (`--seed expects an
 * integer from 0 to 4294967295 (got '1..8': one seed, not a range or a list)`): no command takes
 * a range or a list of seeds there (a sweep's experiment file lists its seeds; validate's
 * --sim-seeds counts replays from its --seed).
 */
export function seedOption(flag: string, value: string | undefined, def: number, max: number = MAX_SEED): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (/^\d+$/.test(value) && n <= max) return n;
  const words = BOUND_WORDS[max];
  const several = SEVERAL.test(value) ? ': one seed, not a range or a list' : '';
  throw new InputError(`${flag} expects an integer from 0 to ${max} (${words ? `${words}; ` : ''}got '${value}'${several})`);
}
