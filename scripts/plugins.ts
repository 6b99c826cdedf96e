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
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject } from 'ajv';
import { shown, type Config } from '../sim/config.ts';
import { ConfigError } from '../sim/config-error.ts';
import { didYouMean } from '../sim/closest-name.ts';
import { isPluginFile, PLUGIN_KEYS, type PluginKey } from '../sim/plugin/config-keys.ts';
import { PluginError, type LoadedPlugin } from '../sim/plugin/plugin.ts';
import type { SimPlugins } from '../sim/plugin/plugins.ts';
import { openProblem } from '../traces/files.ts';
import { showPath } from './sweep/store.ts';

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
    // named as the CLI names its paths (showPath): relative to the working directory when inside it
    throw new ConfigError(`${pk.group}.${pk.key}`, `cannot read plugin file ${showPath(path)}: ${openProblem(e)}`);
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
    const loaded: LoadedPlugin<never> = { name: value, plugin: await importPlugin(pk, path), params: {}, sha256: sources[key], file: path };
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

/** The error codes of Node's own import of a TypeScript plugin after which it is imported through tsx ({@link importModule}). */
const TSX_RETRIED: ReadonlySet<string> = new Set(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_REQUIRE_CYCLE_MODULE']);

/** TypeScript plugins loaded through tsx in this thread, by path (a sweep's worker loads each once). */
const viaTsx = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Imports `path`. A TypeScript file (.ts, .mts, .cts) that Node cannot load alone goes through
 * tsx's `tsImport`: Node 20 refuses the extension, and a Node that strips types reads a `.ts`
 * file outside a `"type": "module"` package as CommonJS, where its `export` is a syntax error
 * (the CommonJS namespace tsx then compiles is unwrapped: `__esModule`); in a process that runs
 * under tsx's own hooks (syncsim from its sources, a caller's `tsx script.ts`), such a file that
 * imports an ES module package (`from 'syncsim'`) is required as CommonJS, which Node 20 refuses
 * (`ERR_REQUIRE_CYCLE_MODULE`).
 */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const ts = /\.[cm]?ts$/.test(path);
    if (!ts || (!TSX_RETRIED.has(String((e as NodeJS.ErrnoException).code)) && !(e instanceof SyntaxError))) throw e;
  }
  let p = viaTsx.get(path);
  if (!p) {
    p = import('tsx/esm/api').then(async ({ tsImport }) => {
      const m = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
      const inner = m.default as Record<string, unknown> | undefined;
      return inner !== null && typeof inner === 'object' && inner.__esModule === true ? inner : m;
    });
    viaTsx.set(path, p);
  }
  return p;
}

/**
 * Where a JavaScript plugin's syntax error is, as `:LINE` (node's own
 * import names none for an ES module; `node --check` does); '' when it
 * cannot tell (a TypeScript plugin's message from tsx has its place already).
 */
function syntaxLine(path: string): string {
  if (!/\.(m?js|cjs)$/.test(path)) return '';
  const r = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  const m = /^(?:.*?)[\\/][^\n]*?:(\d+)\n/.exec(r.stderr ?? '');
  return m ? `:${m[1]}` : '';
}

/**
 * Where in plugin file `path` the module threw `e` while it loaded (its top level), as `:LINE`; ''
 * when no frame of its stack has a line of that file, and for an import Node did not find (its
 * message names the module, and whether a frame of the file is on its stack depends on the loader).
 */
function thrownLine(e: unknown, path: string): string {
  if (NOT_FOUND.has(String((e as NodeJS.ErrnoException | undefined)?.code))) return '';
  const at = placeIn(e, path);
  return at?.line === undefined ? '' : `:${at.line}`;
}

/** The error codes of a module Node did not find: ES modules', CommonJS's (a TypeScript plugin imported through tsx). */
const NOT_FOUND: ReadonlySet<string> = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * After a plugin's failed import of the package `syncsim` itself (`import { definePolicy } from
 * 'syncsim'` in a plugin outside a project that installed it): where Node finds it; '' for any
 * other error.
 */
function packageHint(e: unknown): string {
  if (!NOT_FOUND.has(String((e as NodeJS.ErrnoException | undefined)?.code)) || !/Cannot find (?:package|module) 'syncsim(?:\/[^']*)?'/.test(String((e as Error).message))) return '';
  const root = packageRoot();
  // syncsim is not on the npm registry (a package of that name there is another one): installed from its directory
  if (root === undefined) return " (install syncsim in the plugin's project from its clone: npm install /path/to/syncsim)";
  return ` (a plugin finds 'syncsim' installed in its project (npm install ${root}; or 'npm link' in ${root}, then 'npm link syncsim' in the plugin's project), `
    + `or when it lies inside ${root}, whose package.json names the package; or import ${join(root, 'dist', 'bundle', 'lib.js')} by its path; README, "Plugins")`;
}

/** The directory of syncsim's package.json (the clone's or the installed package's), from this file up; undefined when none is found. */
function packageRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'syncsim') return dir;
    } catch {
      // none here, or not JSON: look further up
    }
    if (dirname(dir) === dir) return undefined;
  }
}

async function importPlugin(pk: PluginKey, path: string): Promise<never> {
  const key = `${pk.group}.${pk.key}`;
  const ex = EXPORTS[pk.key];
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(path);
  } catch (e) {
    // one line; a message that announces its details on the next (tsx: 'Transform failed with 1 error:') keeps them
    const lines = e instanceof Error ? e.message.split('\n').filter((l) => l.trim() !== '') : [];
    const msg = e instanceof Error ? `${e.name}: ${lines[0]?.endsWith(':') && lines[1] ? `${lines[0]} ${lines[1].trim()}` : (lines[0] ?? '')}` : String(e);
    // named as the CLI names its paths (showPath); the loader's own words after it may name it absolute
    throw new ConfigError(key, `cannot load plugin ${showPath(path)}${e instanceof SyntaxError ? syntaxLine(path) : thrownLine(e, path)}: ${msg}${packageHint(e)}`);
  }
  const p = (mod.default ?? mod[ex.name]) as PluginShape | undefined;
  if (typeof p !== 'object' || p === null || typeof p.create !== 'function' || typeof p.name !== 'string') {
    throw new ConfigError(key, `${showPath(path)} must export ${ex.what} as its default export (or as '${ex.name}'): ${ex.helper}({ name, paramsSchema?, ${ex.methods} })`);
  }
  return p as never;
}

/** Ajv, loaded on first use: only a plugin with a paramsSchema needs it (loading it costs about 30 ms of every command's start-up). */
let ajv: typeof AjvClass | undefined;
const ajvClass = (): typeof AjvClass => (ajv ??= (createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass }).Ajv);

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
    validate = new (ajvClass())({ allErrors: true, strict: false, useDefaults: true, verbose: true }).compile(p.paramsSchema as object);
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
    case 'additionalProperties': {
      // a misspelt parameter says which of the plugin's it looks like
      const known = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}));
      return new ConfigError(`${at}.${String(e.params.additionalProperty)}`, `unknown key${didYouMean(String(e.params.additionalProperty), known, (k) => `${at}.${k}`)}`);
    }
    case 'required':
      return new ConfigError(`${at}.${String(e.params.missingProperty)}`, 'is required');
    case 'enum':
      return new ConfigError(at, `must be one of ${(e.params.allowedValues as unknown[]).join(', ')} (got ${shown(e.data)})`);
    default:
      // the value given, as the built-in keys' messages quote it (`must be >= 0 (got -1)`)
      return new ConfigError(at, `${e.message ?? 'is invalid'}${gotText(e.data)}`);
  }
}

/** ` (got VALUE)` for a value short enough to quote in one line ('' for a long one, or none). */
function gotText(data: unknown): string {
  if (data === undefined) return '';
  const text = shown(data);
  return text.length <= 80 ? ` (got ${text})` : '';
}

/**
 * `e` with the place in the plugin file where the plugin threw, when `e` is a {@link PluginError}
 * for what one of `plugins` threw and its stack has a frame in that plugin's file (the first
 * one: the plugin's own line, under any helper it called): `plugin './p.mjs': wake(): threw
 * Error: boom (at /home/me/p.mjs:3)`, as a syntax error names its line. A call the plugin made
 * with nonsense (`ctx.write()` outside the object) is placed alike, at the line that made it; what
 * it returned is checked after it returned, with no line. Any other error as it is.
 */
export function withPluginPlace(e: unknown, plugins: SimPlugins | undefined): unknown {
  if (!(e instanceof PluginError) || plugins === undefined) return e;
  const file = [plugins.writeback, plugins.scheduler].find((p) => p !== undefined && p.name === e.plugin)?.file;
  // what the plugin threw has the stack; a refusal of its call to the context, its own
  const place = file === undefined ? undefined : placeIn(e.cause ?? e, file);
  if (place === undefined) return e;
  return new PluginError(e.plugin, e.call, `${e.problem} (${place.line === undefined ? `in ${file}` : `at ${file}:${place.line}`})`, { cause: e.cause });
}

/**
 * Where in file `file` the first frame of `thrown`'s stack there is: its line, for a frame of the
 * file given as a path or a file: URL (an ES module, a TypeScript plugin tsx compiled as one,
 * with source-mapped lines); no line for one of the data: URL tsx compiles a TypeScript plugin
 * of a CommonJS package into under Node 20, whose lines are not the file's. Undefined when no
 * frame is in the file.
 */
function placeIn(thrown: unknown, file: string): { line?: number } | undefined {
  const stack = thrown instanceof Error ? thrown.stack : undefined;
  if (stack === undefined) return undefined;
  const names = new Set([file]);
  try {
    names.add(realpathSync(file));
  } catch {
    // gone since it was loaded: its path as it was
  }
  const named = (at: string) => names.has(at.replace(/\?.*$/, ''));
  for (const frame of stack.split('\n').slice(1)) {
    // a data: URL holds unencoded parentheses: only its filePath, which encodes them, is read
    const data = /\?filePath=([^()\s:]+):\d+:\d+\)?\s*$/.exec(frame);
    if (data) {
      if (frame.includes('data:') && named(safeDecode(data[1]!))) return {};
      continue;
    }
    const m = /\(?([^()\s]+?):(\d+):\d+\)?\s*$/.exec(frame);
    if (m && named(m[1]!.startsWith('file://') ? safePath(m[1]!) : m[1]!)) return { line: Number(m[2]) };
  }
  return undefined;
}

/** `text` URI-decoded ('' when it is not URI-encoded text). */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

/** The path of file: URL `url` without its query ('' when it is none). */
function safePath(url: string): string {
  try {
    return fileURLToPath(url.replace(/\?.*$/, ''));
  } catch {
    return '';
  }
}

/**
 * Where a run's plugin paths are relative to: the config file's directory, or the working
 * directory for a key given by `--set` (one of `setKeys`, the keys the `--set`s or the library's
 * `set` give: the plugin key itself or a group holding it, `writeback`) or without a file.
 */
export function pluginBaseDir(configFile: string | undefined, setKeys: readonly (string | undefined)[]): PluginBase {
  return (key) => {
    const fromSet = setKeys.some((k) => k !== undefined && (k === key || key.startsWith(`${k}.`)));
    return fromSet || !configFile ? process.cwd() : resolve(configFile, '..');
  };
}
