/**
 * `--set key=value` overrides: parsing one into a configuration layer (the
 * value read as a YAML scalar or flow collection), the key of one, and the
 * refusal of a key given twice (by two `--set`s, or by a `--set` and a
 * command's shorthand flag).
 */
import { ConfigError, type deepMerge, setDotted } from '../sim/config.ts';
import { DuplicateKeyError, parseYamlValue, YamlError } from './yaml-file.ts';

type JsonObject = Parameters<typeof deepMerge>[0];

/** Parses one `key=value` override into `target`; a problem with the key names the `--set`. */
export function applySet(target: JsonObject, kv: string): void {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new ConfigError('', `--set expects key=value (got '${kv}')`);
  const key = kv.slice(0, eq).trim();
  const raw = kv.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYamlValue(raw);
  } catch (e) {
    // a value that is not YAML is text; one that gives a key twice is a mapping, refused naming the key
    // (taken as text, it was refused as `must be a mapping of keys (an object)`)
    if (e instanceof DuplicateKeyError) throw new ConfigError(`${key}.${e.key}`, 'given twice in one mapping of the value (a mapping may give each key once)', `--set ${kv}`);
    if (!(e instanceof YamlError)) throw e;
    // one that is YAML but breaks a rule of ours (a merge key of a scalar, an alias cycle) was meant as
    // YAML: refused with that rule (taken as text, it was refused as `must be a mapping of keys`)
    if (!SYNTAX_ERROR.test(e.problem)) throw new ConfigError(key, e.problem, `--set ${kv}`);
    value = raw;
  }
  try {
    setDotted(target, key, value as never);
  } catch (e) {
    if (e instanceof ConfigError && !e.where) throw new ConfigError(e.key, e.problem, `--set ${kv}`);
    throw e;
  }
}

/** A {@link YamlError} of a text that is not YAML at all (the parser's own), not one of YAML that breaks a rule of ours. */
const SYNTAX_ERROR = /^not valid YAML: /;

/** The key of a `--set KEY=VALUE` argument, trimmed; undefined without an `=` or with an empty key. */
export function setKey(kv: string): string | undefined {
  const eq = kv.indexOf('=');
  const key = eq < 0 ? '' : kv.slice(0, eq).trim();
  return key === '' ? undefined : key;
}

/**
 * The first pair (indices, in order) of dotted `keys` of which one is the other or a group
 * holding it (`device` and `device.profile`), else undefined.
 */
export function overlappingKeys(keys: readonly (string | undefined)[]): [number, number] | undefined {
  for (let j = 1; j < keys.length; j++) {
    const b = keys[j];
    if (b === undefined) continue;
    const i = keys.findIndex((a, i) => i < j && a !== undefined && (a === b || b.startsWith(`${a}.`) || a.startsWith(`${b}.`)));
    if (i >= 0) return [i, j];
  }
  return undefined;
}

/**
 * Refuses `--set` arguments that give one key twice, or a key and a group holding it
 * (`device=...` and `device.profile=...`), as a config file giving a key twice is refused:
 * which one was meant is the user's to say. A ConfigError naming both.
 */
export function refuseRepeatedSets(sets: readonly string[]): void {
  const keys = sets.map(setKey); // (one without a key: applySet says what is wrong with it)
  const pair = overlappingKeys(keys);
  if (pair === undefined) return;
  const [a, b] = [keys[pair[0]]!, keys[pair[1]]!];
  const [before, kv] = [sets[pair[0]]!, sets[pair[1]]!];
  if (a === b) throw new ConfigError(b, `is given twice by --set ('${before}' and '${kv}'): give it once`);
  throw new ConfigError(b, `is given by --set ${before} and by --set ${kv}, which ${b.length > a.length ? 'lies inside it' : 'holds it'}: give one`);
}

/**
 * What is wrong when a value is given both by a command's shorthand flag (`--seed 3`) and by a
 * `--set` of its key (`--set seed=4`): the message, or undefined when the key has no `--set`.
 */
export function flagAndSetProblem(sets: readonly string[], key: string, flag: string, value: string, what: string): string | undefined {
  const other = sets.find((kv) => setKey(kv) === key);
  return other === undefined ? undefined : `the ${what} is given twice, by --${flag} ${value} and by --set ${other}: give it once`;
}
