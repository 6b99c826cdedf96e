/**
 * Loading plugins (the I/O side of sim/plugin): a `writeback.policy` or
 * `device.discipline` naming a file (`./my-policy.ts`, `.js`, `.mjs`) is
 * resolved relative to the configuration or experiment file that named it,
 * imported, checked to export a policy / scheduler, and its parameters
 * (`writeback.params`, `device.discipline_params`) validated against the JSON
 * schema it exports (defaults filled in). The loaded objects are passed into
 * the pure simulator. A plugin is the user's own code: it runs with the
 * user's rights, like any script they run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import type { Config } from '../sim/config.ts';
import { ConfigError } from '../sim/config-error.ts';
import { isPluginFile, PLUGIN_KEYS, type PluginKey } from '../sim/plugin/config-keys.ts';
import type { LoadedPlugin } from '../sim/plugin/plugin.ts';
import type { SimPlugins } from '../sim/plugin/plugins.ts';
import { openProblem } from '../traces/files.ts';

/** The plugins of a configuration and the SHA-256 of each plugin file's source (what a sweep's run id hashes). */
export interface LoadedPlugins {
  plugins: SimPlugins;
  /** `writeback.policy` / `device.discipline` → sha256 of the file, for the plugin keys that name files. */
  sources: Record<string, string>;
}

/** What each plugin key's module must export (default export, or this named one). */
const EXPORTS: Record<PluginKey['key'], { name: string; what: string; helper: string; methods: string }> = {
  policy: { name: 'policy', what: 'a writeback policy', helper: 'definePolicy', methods: 'create(params, setup) returning { wake?, balance? }' },
  discipline: { name: 'scheduler', what: 'an I/O scheduler', helper: 'defineScheduler', methods: 'create(params, setup) returning { add, pick, expedite? }' },
};

/** Whether `config` names any plugin file. */
export function hasPlugins(config: Config): boolean {
  return isPluginFile(config.writeback.policy) || isPluginFile(config.device.discipline);
}

/** Where plugin paths are relative to: one directory, or one per key (`writeback.policy`, `device.discipline`). */
export type PluginBase = string | ((key: string) => string);

/** The absolute path of plugin file `value` named at `key`. */
function pluginPath(value: string, base: PluginBase, key: string): string {
  return resolve(typeof base === 'string' ? base : base(key), value);
}

/** The SHA-256 of each plugin file `config` names (relative to `baseDir`); empty without plugins. Throws ConfigError for an unreadable file. */
export function pluginSources(config: Config, baseDir: PluginBase): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pk of PLUGIN_KEYS) {
    const value = (config[pk.group] as Record<string, unknown>)[pk.key];
    if (!isPluginFile(value)) continue;
    const key = `${pk.group}.${pk.key}`;
    out[key] = createHash('sha256').update(readSource(pk, pluginPath(value, baseDir, key))).digest('hex');
  }
  return out;
}

function readSource(pk: PluginKey, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`${pk.group}.${pk.key}`, `cannot read plugin file ${path}: ${openProblem(e)}`);
  }
}

/** Loads the plugin files `config` names (paths relative to `baseDir`) and checks their parameters. Throws ConfigError. */
export async function loadPlugins(config: Config, baseDir: PluginBase): Promise<LoadedPlugins> {
  const plugins: SimPlugins = {};
  const sources: Record<string, string> = {};
  for (const pk of PLUGIN_KEYS) {
    const group = config[pk.group] as Record<string, unknown>;
    const value = group[pk.key];
    if (!isPluginFile(value)) continue;
    const key = `${pk.group}.${pk.key}`;
    const path = pluginPath(value, baseDir, key);
    sources[key] = createHash('sha256').update(readSource(pk, path)).digest('hex');
    const loaded: LoadedPlugin<never> = { name: value, plugin: await importPlugin(pk, path), params: {}, sha256: sources[key] };
    loaded.params = checkParams(pk, value, loaded.plugin as PluginShape, group[pk.params]);
    if (pk.key === 'policy') plugins.writeback = loaded;
    else plugins.scheduler = loaded;
  }
  return { plugins, sources };
}

interface PluginShape {
  name?: unknown;
  paramsSchema?: unknown;
  create?: unknown;
}

/** tsx's loader, registered once when compiled JavaScript (dist/) meets a TypeScript plugin. */
let tsxRegistered = false;

/** Imports `path`; a TypeScript file that Node cannot load alone is loaded again through tsx. */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || tsxRegistered) throw e;
    (await import('tsx/esm/api')).register();
    tsxRegistered = true;
    // the failed load stays in the module map under its URL: load it under another one
    return (await import(`${url}?tsx`)) as Record<string, unknown>;
  }
}

async function importPlugin(pk: PluginKey, path: string): Promise<never> {
  const key = `${pk.group}.${pk.key}`;
  const ex = EXPORTS[pk.key];
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(path);
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
    throw new ConfigError(key, `cannot load plugin ${path}: ${msg}`);
  }
  const p = (mod.default ?? mod[ex.name]) as PluginShape | undefined;
  if (typeof p !== 'object' || p === null || typeof p.create !== 'function' || typeof p.name !== 'string') {
    throw new ConfigError(key, `${path} must export ${ex.what} as its default export (or as '${ex.name}'): ${ex.helper}({ name, paramsSchema?, ${ex.methods} })`);
  }
  return p as never;
}

/** The validated parameters (defaults filled in) of plugin `p`; problems name the key under writeback.params / device.discipline_params. */
function checkParams(pk: PluginKey, value: string, p: PluginShape, given: unknown): Record<string, unknown> {
  const base = `${pk.group}.${pk.params}`;
  const params = structuredClone((given ?? {}) as Record<string, unknown>);
  if (p.paramsSchema === undefined) {
    const keys = Object.keys(params);
    if (keys.length > 0) throw new ConfigError(`${base}.${keys[0]}`, `unknown key: plugin '${value}' takes no parameters (it exports no paramsSchema)`);
    return params;
  }
  let validate;
  try {
    validate = new Ajv({ allErrors: true, strict: false, useDefaults: true }).compile(p.paramsSchema as object);
  } catch (e) {
    throw new ConfigError(`${pk.group}.${pk.key}`, `plugin '${value}' exports an invalid paramsSchema: ${(e as Error).message}`);
  }
  if (!validate(params)) {
    const errs = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length);
    throw paramError(base, errs[0]);
  }
  return params;
}

function paramError(base: string, e: ErrorObject): ConfigError {
  const path = e.instancePath.slice(1).replace(/\//g, '.');
  const at = path ? `${base}.${path}` : base;
  switch (e.keyword) {
    case 'additionalProperties':
      return new ConfigError(`${at}.${String(e.params.additionalProperty)}`, 'unknown key');
    case 'required':
      return new ConfigError(`${at}.${String(e.params.missingProperty)}`, 'is required');
    case 'enum':
      return new ConfigError(at, `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`);
    default:
      return new ConfigError(at, e.message ?? 'is invalid');
  }
}

/** Where a run's plugin paths are relative to: the config file's directory, or the working directory for a key given by `--set` (or without a file). */
export function pluginBaseDir(configFile: string | undefined, sets: readonly string[]): PluginBase {
  return (key) => {
    const fromSet = sets.some((kv) => kv.trim().startsWith(`${key}=`));
    return fromSet || !configFile ? process.cwd() : resolve(configFile, '..');
  };
}
