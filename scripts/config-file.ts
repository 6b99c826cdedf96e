/**
 * Loading a run configuration: a YAML or JSON file, then `--set key=value`
 * overrides (values parsed as YAML scalars or flow collections: config-sets.ts),
 * then validation, an error placed at the `--set` or file line of its key
 * (config-locate.ts). Empirical service samples given as a file are read
 * (samples-file.ts), and so is a device profile given as a file
 * (`device.profile: ./device.yaml`, e.g. written by `syncsim calibrate`).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Config, ConfigError, deepMerge, defaultConfig, rejectPrototypeKeys, resolveConfig, setDotted } from '../sim/config.ts';
import { layOver, ownKeys, resolveSections, withSection } from '../sim/config-sections.ts';
import { DEVICE_PROFILES } from '../sim/device/profiles.ts';
import { parseYamlValue, YamlError } from './yaml-file.ts';
import { binaryKind, SNIFF_BYTES } from '../traces/binary-sniff.ts';
import { jsonProblem, lineColumn } from '../traces/json-strict.ts';
import { openProblem } from '../traces/files.ts';
import { applySet } from './config-sets.ts';
import { located, locatedInFile } from './config-locate.ts';
import { loadSamples } from './samples-file.ts';
import { showPath } from './sweep/store.ts';

type JsonObject = Parameters<typeof deepMerge>[0];
type Json = Parameters<typeof setDotted>[2];

/** Reads a YAML/JSON config file into a plain object. */
export function readConfigFile(path: string): JsonObject {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ConfigError('', `cannot read config file ${path}: ${openProblem(e)}`);
  }
  // a file that is not text at all is named as what it seems to be, not by YAML's complaint about its bytes
  const binary = binaryKind(bytes.subarray(0, SNIFF_BYTES), 'configuration file');
  if (binary !== undefined) throw new ConfigError('', `${path}:1: not a configuration file: the file holds ${binary}`);
  const text = bytes.toString('utf8');
  if (/\.json$/i.test(path)) checkJson(text, path);
  let doc: unknown;
  try {
    doc = parseYamlValue(text);
  } catch (e) {
    if (e instanceof YamlError) throw new ConfigError('', `${path}:${e.message}`);
    throw e;
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('', `${path}: must be a mapping of keys`);
  rejectPrototypeKeys(doc, '', path);
  return withDottedKeys(doc as JsonObject, path);
}

/**
 * Refuses a `.json` file that is not strict JSON (a trailing comma, a comment, a bare key),
 * which the YAML reader, JSON's superset, would take: the file, line and column of the first
 * problem.
 */
function checkJson(text: string, path: string): void {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const bad = jsonProblem(body);
  if (bad === undefined) return;
  const at = lineColumn(body, bad.offset);
  throw new ConfigError('', `${path}:${at.line}:${at.column}: not valid JSON: ${bad.problem}; a .json file must be strict JSON, or name it .yaml`);
}

const isGroup = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `doc` with its top-level dotted keys (`device.channels: 4`, as `--set` and a sweep's `base`
 * take them) made nested. Only top-level keys are split: below them a key may hold dots of its
 * own (a plugin's `params`). A key given both ways (`device.channels` and `device: {channels}`),
 * or twice, is refused (an error located in the file `path`, when it came from one). A file
 * without such keys is returned as it is.
 */
export function withDottedKeys(doc: JsonObject, path?: string): JsonObject {
  rejectPrototypeKeys(doc, '', path);
  const dotted = Object.keys(doc).filter((k) => k.includes('.'));
  if (dotted.length === 0) return doc;
  const out = {} as JsonObject;
  for (const [k, v] of Object.entries(doc)) if (!k.includes('.')) out[k] = v;
  for (const k of dotted) {
    // the key must not be set already, nor lie under a value that is not a group
    let o: unknown = out;
    for (const part of k.split('.')) {
      if (!isGroup(o) || !Object.hasOwn(o, part)) {
        o = undefined;
        break;
      }
      o = o[part];
    }
    const twice = new ConfigError(k, `is given twice in the ${path === undefined ? 'configuration' : 'file'} (as a dotted key and inside its group)`);
    if (o !== undefined) throw path === undefined ? twice : locatedInFile(twice, path);
    try {
      setDotted(out, k, doc[k] as Json);
    } catch (e) {
      throw path === undefined ? e : locatedInFile(e, path);
    }
  }
  return out;
}

/** Whether a `device.profile` value names a profile file rather than a built-in profile (a path: has a slash or a .yaml/.yml/.json suffix). */
export function isProfileFile(v: unknown): v is string {
  return typeof v === 'string' && !(DEVICE_PROFILES as readonly string[]).includes(v) && /[/\\]|\.(ya?ml|json)$/i.test(v);
}

/** The device distributions: a user layer's `dist` replaces a profile's whole. */
const DIST_KEYS = ['service', 'read_latency', 'write_latency'];

/**
 * Reads the profile file `path`: a configuration whose `device.profile` is a
 * built-in profile (its base) and whose keys (device.*, and any other, e.g.
 * readahead.pages) are checked on their own; problems name the file and key.
 */
export function readProfileFile(path: string): JsonObject {
  const layer = readConfigFile(path);
  const dev = layer.device as JsonObject | undefined;
  const base = dev?.profile;
  if (typeof base !== 'string' || !(DEVICE_PROFILES as readonly string[]).includes(base)) {
    throw new ConfigError('device.profile', `a profile file must name its base profile, one of ${DEVICE_PROFILES.join(', ')} (got ${base === undefined ? 'none' : `'${String(base)}'`})`, path);
  }
  try {
    checkSampleSources(layer);
    // its samples files are relative to it
    loadSamples(layer, dirname(path));
    resolveConfig(layer);
  } catch (e) {
    throw locatedInFile(e, path);
  }
  return layer;
}

/**
 * {@link readProfileFile}, the file named in its errors as the CLI names its paths (showPath:
 * relative to the working directory when inside it, as are its samples files), and one that
 * cannot be read named with the key that names it (`device.profile`).
 */
export function readNamedProfile(path: string): JsonObject {
  const shown = showPath(path);
  try {
    return readProfileFile(shown);
  } catch (e) {
    if (e instanceof ConfigError && e.key === '') throw new ConfigError('device.profile', e.problem.replace(`cannot read config file ${shown}`, `cannot read profile file ${shown}`));
    throw e;
  }
}

/**
 * Lays profile file `layer` under the user's keys `user` (whose
 * device.profile named the file): defaults ← base profile ← the file ←
 * the user's other keys. As over a built-in profile, a user distribution
 * with its own `dist` replaces the file's whole, and a user
 * `bandwidth_mbps` without `read_bandwidth_mbps` sets both, and a user
 * `flush_us` without `flush_empty_us` sets both.
 */
export function layProfileFile(layer: JsonObject, user: JsonObject): JsonObject {
  const ud = { ...((user.device as JsonObject | undefined) ?? {}) };
  delete ud.profile;
  const merged = deepMerge(layer, { ...user, device: ud });
  const md = merged.device as JsonObject;
  for (const k of DIST_KEYS) {
    const d = ud[k] as JsonObject | undefined;
    if (d && typeof d === 'object' && d.dist !== undefined) md[k] = d;
    // the user's own samples file replaces the samples the profile file's was read into
    else if (d && typeof d === 'object' && d.file !== undefined && d.samples_us === undefined && typeof md[k] === 'object' && md[k] !== null) delete (md[k] as JsonObject).samples_us;
  }
  if (ud.bandwidth_mbps !== undefined && ud.read_bandwidth_mbps === undefined) md.read_bandwidth_mbps = ud.bandwidth_mbps;
  if (ud.flush_us !== undefined && ud.flush_empty_us === undefined) md.flush_empty_us = ud.flush_us;
  return merged;
}

/**
 * Refuses a user layer whose empirical distribution gives both its samples (`samples_us`) and a
 * file of them (`file`): one would be ignored.
 */
export function checkSampleSources(layer: JsonObject): void {
  for (const key of DIST_KEYS) {
    const svc = (layer.device as JsonObject | undefined)?.[key] as JsonObject | undefined;
    if (svc && typeof svc === 'object' && svc.file !== undefined && svc.samples_us !== undefined) {
      throw new ConfigError(`device.${key}.file`, 'give the samples (samples_us) or a file of them (file), not both');
    }
  }
}

/** Builds the resolved configuration from a file (optional) and overrides (laid over the file and its personality sections). */
export function loadConfig(file: string | undefined, sets: string[]): Config {
  const user: JsonObject = file ? readConfigFile(file) : {};
  const over: JsonObject = {};
  for (const kv of sets) applySet(over, kv);
  try {
    const merged = layOver(user, over);
    checkSampleSources(merged);
    return configOf(merged, { file, profileFromSet: (over.device as JsonObject | undefined)?.profile !== undefined });
  } catch (e) {
    throw located(e, file, sets);
  }
}

/** The personality a configuration that names none replays under. */
export const DEFAULT_PERSONALITY = defaultConfig().personality;

/** Where {@link configOf} reads the files a user layer names from. */
export interface ConfigWhere {
  /** The config file the keys came from: the files they name are relative to its directory. */
  file?: string;
  /** `device.profile` was given by `--set` (or the library's `set`): relative to the working directory. */
  profileFromSet?: boolean;
}

/** The absolute path of the profile file that `device.profile` of `flat` (a layer without sections) names, or undefined for a built-in profile. */
export function profilePathOf(flat: JsonObject, where: ConfigWhere = {}): string | undefined {
  const profile = (flat.device as JsonObject | undefined)?.profile;
  if (!isProfileFile(profile)) return undefined;
  // relative to the file that named it (a --set: to the working directory)
  return where.profileFromSet || !where.file ? resolve(profile) : resolve(dirname(where.file), profile);
}

/**
 * Resolves user layer `user`, which may hold personality sections, over the profile file its
 * `device.profile` names (`profileOf`: the file's layer, read once; it may hold sections too):
 * defaults ← base profile ← the file ← the file's section of the personality in force ← the
 * user's keys ← the user's section. The personality in force is the user's, else the profile
 * file's, else the default; the sections of the others are checked as they would resolve.
 * `finish` is told each layer before it is resolved (samples files to read).
 */
export function resolveOverProfile(user: JsonObject, profileOf: (flat: JsonObject) => JsonObject | undefined, finish: (u: JsonObject) => void = () => {}): Config {
  const own = profileOf(ownKeys(user));
  return resolveSections(user, own !== undefined && Object.hasOwn(own, 'personality') ? own.personality : DEFAULT_PERSONALITY, (flat, p) => {
    const layer = profileOf(flat);
    const u = layer ? layProfileFile(withSection(layer, p), flat) : flat;
    finish(u);
    return resolveConfig(u);
  });
}

/**
 * The resolved configuration of the user's keys `user` (personality sections allowed), the files
 * they name read: a device profile file and empirical service samples, relative to the directory
 * of `where.file` (the config file they came from) or, without one or for a profile given by
 * `--set`, to the working directory.
 */
export function configOf(user: JsonObject, where: ConfigWhere = {}): Config {
  const read = new Map<string, JsonObject>();
  const profileOf = (flat: JsonObject) => {
    const path = profilePathOf(flat, where);
    if (path === undefined) return undefined;
    if (!read.has(path)) read.set(path, readNamedProfile(path));
    return structuredClone(read.get(path)!);
  };
  return resolveOverProfile(user, profileOf, (u) => loadSamples(u, where.file ? dirname(where.file) : undefined));
}
