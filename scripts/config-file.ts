/**
 * Loading a run configuration: a YAML or JSON file, then `--set key=value`
 * overrides (values parsed as YAML scalars or flow collections), then
 * validation. Empirical service samples given as a file are read here, and
 * so is a device profile given as a file (`device.profile: ./device.yaml`,
 * e.g. written by `syncsim calibrate`).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { type Config, ConfigError, deepMerge, rejectPrototypeKeys, resolveConfig, setDotted } from '../sim/config.ts';
import { DEVICE_PROFILES } from '../sim/device/profiles.ts';
import { keyLine, parseYamlValue, YamlError } from './yaml-file.ts';
import { jsonProblem, lineColumn } from '../traces/json-strict.ts';
import { openProblem } from '../traces/files.ts';
import { firstBadByte, isCleanText } from '../traces/utf8.ts';

type JsonObject = Parameters<typeof deepMerge>[0];
type Json = Parameters<typeof setDotted>[2];

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
    if (!(e instanceof YamlError)) throw e;
    value = raw;
  }
  try {
    setDotted(target, key, value as never);
  } catch (e) {
    if (e instanceof ConfigError && !e.where) throw new ConfigError(e.key, e.problem, `--set ${kv}`);
    throw e;
  }
}

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

/** Reads a YAML/JSON config file into a plain object. */
export function readConfigFile(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('', `cannot read config file ${path}: ${openProblem(e)}`);
  }
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

/**
 * A malformed file of service-time samples: `message` is `FILE:LINE: PROBLEM`
 * (a ConfigError of the key that named the file, so it exits with code 2).
 */
export class SamplesFileError extends ConfigError {
  constructor(file: string, line: number, problem: string, key = 'device.service.file') {
    super(key, problem);
    this.message = `${file}:${line}: ${problem}`;
  }
}

/** A sample: a non-negative decimal number, exponent allowed. */
const SAMPLE = /^\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Reads the `latency_us` column of a CSV file of service-time samples (a header
 * line naming the columns, `#` comment lines). Every problem is a
 * {@link SamplesFileError} naming the file and line.
 */
export function readSamplesFile(path: string, key = 'device.service.file'): number[] {
  const fail = (line: number, problem: string) => new SamplesFileError(path, line, problem, key);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ConfigError(key, `cannot read ${path}: ${openProblem(e)}`);
  }
  if (!isCleanText(buf)) {
    const at = firstBadByte(buf);
    let line = 1;
    for (let i = buf.indexOf(10); i !== -1 && i < at; i = buf.indexOf(10, i + 1)) line++;
    throw fail(line, buf[at] === 0 ? 'NUL byte' : 'invalid UTF-8');
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(buf.toString('utf8'), { comment: '#', comment_no_infix: true, skip_empty_lines: true, info: true, bom: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw fail(err.lines ?? 1, `malformed CSV: ${err.message.split('\n')[0]}`);
  }
  if (records.length === 0) throw fail(1, 'no latency_us column (the file has no header line)');
  const [head, ...rows] = records;
  const col = head!.record.indexOf('latency_us');
  if (col < 0) throw fail(head!.info.lines, `no latency_us column (got '${head!.record.join(',')}')`);
  if (rows.length === 0) throw fail(head!.info.lines, 'no samples after the header line');
  return rows.map(({ record, info }) => {
    const text = record[col] ?? '';
    if (!SAMPLE.test(text) || !Number.isFinite(Number(text))) throw fail(info.lines, `latency_us is not a non-negative number (got '${text}')`);
    return Number(text);
  });
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

/** {@link readProfileFile}, a file that cannot be read named with the key that names it (`device.profile`). */
export function readNamedProfile(path: string): JsonObject {
  try {
    return readProfileFile(path);
  } catch (e) {
    if (e instanceof ConfigError && e.key === '') throw new ConfigError('device.profile', e.problem.replace(/^cannot read config file /, 'cannot read profile file '));
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

/** Builds the resolved configuration from a file (optional) and overrides. */
export function loadConfig(file: string | undefined, sets: string[]): Config {
  const user: JsonObject = file ? readConfigFile(file) : {};
  const over: JsonObject = {};
  for (const kv of sets) applySet(over, kv);
  try {
    const merged = deepMerge(user, over);
    checkSampleSources(merged);
    return configOf(merged, { file, profileFromSet: (over.device as JsonObject | undefined)?.profile !== undefined });
  } catch (e) {
    throw located(e, file, sets);
  }
}

/**
 * A ConfigError about a key, with where it came from: a `--set` of `sets` (laid over the file)
 * that gave a group holding the key or a key below it; else the line of the config file `file`
 * that writes the longest part of the key; else the `--set` sharing the longest part of it (a
 * sibling: `device.service.dist` for a missing `device.service.mean_us`), when longer than the
 * file's. A `--set` of the key itself leaves the message as it is (it names the key and its
 * value). Any other error as it is.
 */
function located(e: unknown, file: string | undefined, sets: readonly string[]): unknown {
  if (!isPlainKeyError(e)) return e;
  const keyOf = (kv: string) => setKey(kv) ?? '';
  if (sets.some((kv) => keyOf(kv) === e.key)) return e;
  for (let i = sets.length - 1; i >= 0; i--) {
    const k = keyOf(sets[i]!);
    if (e.key.startsWith(`${k}.`) || k.startsWith(`${e.key}.`)) return new ConfigError(e.key, e.problem, `--set ${sets[i]}`);
  }
  const path = e.key.split('.');
  const inFile = file === undefined ? undefined : fileLocation(e.key, file);
  let best: { kv: string; depth: number } | undefined;
  for (const kv of sets) {
    const depth = sharedParts(keyOf(kv).split('.'), path);
    if (depth > 0 && depth >= (best?.depth ?? 0)) best = { kv, depth };
  }
  if (best && best.depth > (inFile?.depth ?? 0)) return new ConfigError(e.key, e.problem, `--set ${best.kv}`);
  return inFile ? new ConfigError(e.key, e.problem, inFile.where) : e;
}

/** Whether `e` is a ConfigError about a key that does not yet say where it came from (a SamplesFileError names its own file and line). */
function isPlainKeyError(e: unknown): e is ConfigError {
  return e instanceof ConfigError && e.constructor === ConfigError && e.key !== '' && e.where === undefined;
}

/** How many leading parts `a` and `b` share. */
function sharedParts(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * A ConfigError of the config (or profile) file `file` that does not yet say where it came from,
 * with `FILE:LINE` of its key ({@link fileLocation}), or `FILE` alone (no key, or a file that
 * cannot be read again); any other error as it is.
 */
function locatedInFile(e: unknown, file: string): unknown {
  if (!(e instanceof ConfigError) || e.constructor !== ConfigError || e.where !== undefined) return e;
  const at = e.key === '' ? undefined : fileLocation(e.key, file);
  return new ConfigError(e.key, e.problem, at?.where ?? file);
}

/**
 * Where in the YAML or JSON file `file` the dotted `key` is written: `FILE:LINE` of the longest
 * part of it the file writes (a key missing below a group it writes, a distribution's `cv`, is
 * placed at the group's line), `FILE` alone when it writes none, with that part's length (0:
 * none); undefined when the file cannot be read.
 */
function fileLocation(key: string, file: string): { where: string; depth: number } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const at = deepestKeyLine(text, key.split('.'));
  return at ? { where: `${file}:${at.line}`, depth: at.depth } : { where: file, depth: 0 };
}

/** The line of the longest leading part of `path` that YAML `text` writes (nested, or as one dotted top-level key), and that part's length. */
function deepestKeyLine(text: string, path: readonly string[]): { line: number; depth: number } | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const part = path.slice(0, depth);
    const line = keyLine(text, part) ?? dottedKeyLine(text, part.join('.'));
    if (line !== undefined) return { line, depth };
  }
  return undefined;
}

/** The 1-based line of `text` where `key` is written as one dotted key at the top level (`device.channels: 4`). */
function dottedKeyLine(text: string, key: string): number | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${key}:`) || l.startsWith(`'${key}':`) || l.startsWith(`"${key}":`));
  return at < 0 ? undefined : at + 1;
}

/**
 * The resolved configuration of the user's keys `user`, the files they name read: a device
 * profile file and empirical service samples, relative to the directory of `where.file` (the
 * config file they came from) or, without one or for a profile given by `--set`, to the
 * working directory.
 */
export function configOf(user: JsonObject, where: { file?: string; profileFromSet?: boolean } = {}): Config {
  const file = where.file;
  const profile = (user.device as JsonObject | undefined)?.profile;
  if (isProfileFile(profile)) {
    // relative to the file that named it (a --set: to the working directory)
    const path = where.profileFromSet || !file ? resolve(profile) : resolve(dirname(file), profile);
    user = layProfileFile(readNamedProfile(path), user);
  }
  loadSamples(user, file ? dirname(file) : undefined);
  return resolveConfig(user);
}

/**
 * Reads the samples of every empirical distribution of `layer` given by `file` (relative to
 * `dir`, default the working directory) into its `samples_us`; errors name the key.
 */
function loadSamples(layer: JsonObject, dir: string | undefined): void {
  for (const key of ['service', 'read_latency', 'write_latency']) {
    const svc = (layer.device as JsonObject | undefined)?.[key] as JsonObject | undefined;
    if (svc && svc.dist === 'empirical' && typeof svc.file === 'string' && svc.samples_us === undefined) {
      svc.samples_us = readSamplesFile(dir ? resolve(dir, svc.file) : resolve(svc.file), `device.${key}.file`);
    }
  }
}
