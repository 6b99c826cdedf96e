/**
 * The configuration of the library's `replay` (scripts/lib.ts): a config file or object, then
 * `set`'s dotted keys and `seed` laid over it, resolved as `syncsim run` resolves its `--config`,
 * `--set` and `--seed` (the same key rules: a prototype key is refused by name, a key given twice
 * is refused; a config file or object may hold personality sections, which `set` lies over),
 * and where the plugin files it names are relative to, as for `run`.
 */
import { configOf, readConfigFile, withDottedKeys } from './config-file.ts';
import { overlappingKeys } from './config-sets.ts';
import { locatedInConfig } from './config-locate.ts';
import { pluginBaseDir, type PluginBase } from './plugins.ts';
import { parseYamlValue } from './yaml-file.ts';
import { ConfigError, deepMerge, layOver, setDotted, type Config } from '../sim/config.ts';
import { bareObject } from '../sim/keys.ts';

type JsonObject = Parameters<typeof deepMerge>[0];
type Json = Parameters<typeof setDotted>[2];

/** What of `replay`'s options makes its configuration. */
export interface ConfigSources {
  /** A config file's path, or its keys as an object (top-level dotted keys allowed). */
  config?: string | Readonly<Record<string, unknown>>;
  /** Dotted keys and their typed values, laid over `config`. */
  set?: Readonly<Record<string, unknown>>;
  /** The config key `seed`, laid over both. */
  seed?: unknown;
}

/**
 * The resolved configuration of `o` (a config object is copied, never changed), and where the
 * plugin files it names are relative to: the config file's directory for those it names, the
 * working directory for those a config object or `set` names; `located` places an error of a key
 * the config file writes at its line there (the plugins' errors, found when they load). Throws a
 * ConfigError naming the key (`where` `set` for a key `set` gives, the file's line for one the
 * file writes), or a RangeError for a key given twice.
 */
export function replayConfig(o: ConfigSources): { config: Config; pluginBase: PluginBase; located: (e: unknown) => unknown } {
  const file = typeof o.config === 'string' ? o.config : undefined;
  // a config object takes top-level dotted keys as a config file does ({ 'device.channels': 4 })
  const user = file ? readConfigFile(file) : withDottedKeys(structuredClone((o.config ?? {}) as JsonObject));
  const over = Object.entries(o.set ?? {});
  if (o.seed !== undefined) over.push(['seed', o.seed]);
  // a key given twice (set's 'seed' and seed; set's 'device' and 'device.profile') is refused, as the command's --set
  const keys = over.map(([k]) => k);
  const pair = overlappingKeys(keys);
  if (pair !== undefined) {
    const [a, b] = [keys[pair[0]]!, keys[pair[1]]!];
    throw new RangeError(a === b ? `replay: the seed is given twice, by seed and by set's 'seed': give it once` : `replay: set gives '${a}' and '${b}', which ${b.length > a.length ? 'lies inside it' : 'holds it'}: give one`);
  }
  // as --set does: a prototype key in a key's path or value is refused by name, never followed
  const layer = bareObject<JsonObject>();
  for (const [key, value] of over) {
    try {
      setDotted(layer, key, structuredClone(value) as Json);
    } catch (e) {
      if (e instanceof ConfigError && !e.where) throw new ConfigError(e.key, e.problem, key === 'seed' && o.seed !== undefined ? 'seed' : 'set');
      throw e;
    }
  }
  // a key of the config file is named with its line there, as run names it
  const located = (e: unknown) => locatedInConfig(e, file, keys);
  try {
    const config = configOf(layOver(user, layer), { file, profileFromSet: layer.device !== undefined && (layer.device as JsonObject).profile !== undefined });
    return { config, pluginBase: pluginBaseDir(file, keys), located };
  } catch (e) {
    throw withTypedValueHint(located(e), o, file === undefined ? user : undefined);
  }
}

/**
 * `e`, a ConfigError of a key whose value was given in code as text that `--set` would have read
 * as a number or a boolean (`'4'` for an integer key), with what to give instead: `...; set takes
 * typed values, not --set's text: give 4, not '4'`. Any other error as it is. `configObject`: the
 * keys of a config object (none for a config file, whose YAML says what is text).
 */
function withTypedValueHint(e: unknown, o: ConfigSources, configObject: JsonObject | undefined): unknown {
  if (!(e instanceof ConfigError) || e.constructor !== ConfigError || e.where !== undefined || !/^must be (?!one of)/.test(e.problem)) return e;
  const path = e.key.split('.');
  const setKey = Object.keys(o.set ?? {}).find((k) => e.key === k || e.key.startsWith(`${k}.`));
  const [source, value] = setKey !== undefined ? ['set', valueAt(o.set![setKey], path.slice(setKey.split('.').length))]
    : e.key === 'seed' && o.seed !== undefined ? ['seed', o.seed]
    : ['config', configObject && valueAt(configObject, path)];
  if (typeof value !== 'string') return e;
  let read: unknown;
  try {
    read = parseYamlValue(value);
  } catch {
    return e;
  }
  if (typeof read !== 'number' && typeof read !== 'boolean') return e;
  return new ConfigError(e.key, `${e.problem}; ${source} takes typed values, not --set's text: give ${String(read)}, not '${value}'`);
}

/** The value at `path` (keys, outermost first) inside `v`, or undefined. */
function valueAt(v: unknown, path: readonly string[]): unknown {
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
