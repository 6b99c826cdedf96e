/**
 * The shape of a `syncsim` subcommand, and the argument parsing they share.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { InputError } from '../errors.ts';
import { didYouMean } from '../../sim/closest-name.ts';

export interface Command {
  /** The word after `syncsim`. */
  name: string;
  /** One usage line for the overview, e.g. `run TRACE [options]`. */
  usage: string;
  /** What it does, a few words for the overview. */
  summary: string;
  /** The full `syncsim NAME --help` text. */
  help: string;
  /** Runs with the arguments after the command name; returns the exit code. Throws InputError / TraceError / ConfigError for bad input. */
  run(argv: string[]): Promise<number>;
}

/** An option's other names: alias -> the option it stands for (`{ out: 'output' }`: `--out F` is `--output F`). */
export type OptionAliases = Readonly<Record<string, string>>;

/**
 * Parses a command's arguments with `node:util` parseArgs (positionals
 * allowed, `-h/--help` added); a parse error is an InputError that points to
 * `syncsim NAME --help`, and an unknown option close to a known one ends with
 * `; did you mean --X?` (else it says how to give an argument that starts with '-'). An alias of `aliases` is accepted as the option it
 * stands for, whose value it gives; `flag(name)` is the option as the user
 * wrote it (`--out` for an alias given, else `--name`), for messages.
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(name: string, argv: string[], options: O, aliases: OptionAliases = {}) {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  const aliasOptions = Object.fromEntries(Object.entries(aliases).map(([a, target]) => [a, { type: options[target]!.type, multiple: options[target]!.multiple ?? false }]));
  const config = { ...aliasOptions, ...all } as O & typeof all;
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashValues(name, argv, config), allowPositionals: true, options: config, tokens: true });
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']*)'/.exec(err.message)?.[1] : undefined;
    // node's own words for an unknown option leave a quote open: told here instead
    if (unknown !== undefined) {
      const names = [...Object.keys(all), ...Object.keys(aliases)];
      // `-set`, a long option with one dash, is taken for the short options -s -e -t: the word it was is what to suggest for
      const word = unknown.startsWith('--') ? unknown.slice(2) : argv.find((a) => a.length > 2 && !a.startsWith('--') && a.startsWith(unknown))?.slice(1).split('=')[0];
      const hint = word === undefined ? '' : names.includes(word) ? `; did you mean --${word}?` : didYouMean(word, names, (k) => `--${k}`);
      // a file or value that starts with '-' is told how to give it; a misspelt option (one close to it) only the closest
      const dash = hint === '' ? `an argument that starts with '-' goes after '--', as in: syncsim ${name} -- ${unknown}; ` : '';
      throw new InputError(`unknown option '${unknown}' (${dash}try 'syncsim ${name} --help')${hint}`);
    }
    // node's parseArgs explains over several lines: one line, as every syncsim error
    const msg = err.message.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ');
    throw new InputError(`${msg.charAt(0).toLowerCase()}${msg.slice(1)} (try 'syncsim ${name} --help')`);
  }
  const written = new Map<string, string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || !Object.hasOwn(aliases, t.name)) continue;
    // the alias's token becomes its option's; the name it was given as is kept for messages
    written.set(aliases[t.name]!, `--${t.name}`);
    (t as { name: string }).name = aliases[t.name]!;
  }
  refuseRepeats(name, parsed.tokens, all, aliases);
  const values = parsed.values as Record<string, unknown>;
  for (const [a, target] of Object.entries(aliases)) {
    const v = values[a];
    if (v === undefined) continue;
    // an option given several times (`multiple`) keeps every value, its own names' first
    values[target] = Array.isArray(v) ? [...((values[target] as unknown[] | undefined) ?? []), ...v] : v;
    delete values[a];
  }
  const flag = (option: keyof O & string): string => written.get(option) ?? `--${option}`;
  return { ...parsed, flag };
}

/** A value that is a negative number (`-1`, `-0.5`, `-.5`, `-1e3`), not an option. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * `argv` with the value after an option that takes one that starts with '-' joined to it: a
 * negative number (`--seed -1`) as `--seed=-1` (`-j -1` as `-j-1`), which parseArgs would refuse
 * as ambiguous, so that the option's own check names it and its rule, as it does `--seed=-1`.
 * Any other such value (`--out -x`) is an InputError saying how to give it, and `--` there one
 * saying the option has no value. Arguments after `--` are positionals, as parseArgs takes them.
 */
function joinDashValues(name: string, argv: string[], config: ParseArgsOptionsConfig): string[] {
  const { tokens } = parseArgs({ args: argv, allowPositionals: true, options: config, strict: false, tokens: true });
  const joined = [...argv];
  // from the last, so that each index still points into `joined` as it was
  for (const t of [...tokens].reverse()) {
    if (t.kind !== 'option' || t.inlineValue !== false || t.value === undefined || !t.value.startsWith('-') || t.value.length < 2) continue;
    // '--' ends the options: not a value to write as --OPTION=--
    if (t.value === '--') throw new InputError(`${t.rawName} needs a value, but the next argument is '--', which ends the options (try 'syncsim ${name} --help')`);
    if (!NEGATIVE_NUMBER.test(t.value)) {
      throw new InputError(`${t.rawName} needs a value, but the next argument '${t.value}' is taken for an option: if it is the value, write --${t.name}=${t.value} (try 'syncsim ${name} --help')`);
    }
    const option = argv[t.index]!;
    joined.splice(t.index, 2, option.startsWith('--') ? `${option}=${t.value}` : `${option}${t.value}`);
  }
  return joined;
}

/**
 * An option that takes one value given twice is refused (parseArgs would
 * keep the last and drop the other without a word: a second `--config`
 * replacing the first); a flag given twice says the same thing twice, and an
 * option that takes several (`--set`) is not concerned. An alias counts as
 * its option (`-o A --out B` is refused, naming both as written).
 */
function refuseRepeats(name: string, tokens: readonly { kind: string; name?: string; rawName?: string; value?: string }[], options: ParseArgsOptionsConfig, aliases: OptionAliases): void {
  const seen = new Map<string, { value: string; raw: string }>();
  const isAlias = (raw: string) => raw.startsWith('--') && Object.hasOwn(aliases, raw.slice(2));
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    const o = options[t.name];
    if (!o || o.type !== 'string' || o.multiple) continue;
    const before = seen.get(t.name);
    const raw = t.rawName ?? `--${t.name}`;
    if (before !== undefined) {
      const as = isAlias(before.raw) || isAlias(raw) ? `, as ${before.raw} and ${raw}` : '';
      throw new InputError(`--${t.name} given twice ('${before.value}' and '${t.value ?? ''}'${as}): it takes one value (try 'syncsim ${name} --help')`);
    }
    seen.set(t.name, { value: t.value ?? '', raw });
  }
}

/**
 * A whole-number option as given on a command line (`--reps 500`): `def` when not given, else
 * digits only, from `min` to `max`; anything else an InputError naming the flag and the range.
 */
export function wholeNumberOption(flag: string, value: string | undefined, def: number, min: number, max: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new InputError(`${flag} expects a whole number from ${min} to ${max} (got '${value}')`);
  return n;
}
