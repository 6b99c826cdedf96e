/**
 * Loading a run configuration: a YAML or JSON file, then `--set key=value`
 * overrides (values parsed as YAML scalars or flow collections), then
 * validation. Empirical service samples given as a file are read here.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { type Config, ConfigError, deepMerge, rejectPrototypeKeys, resolveConfig, setDotted } from '../sim/config.ts';
import { parseYamlValue, YamlError } from './yaml-file.ts';

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

/** Reads a YAML/JSON config file into a plain object. */
export function readConfigFile(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('', `cannot read config file ${path}: ${(e as Error).message}`);
  }
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
  return doc as JsonObject;
}

/** Reads the `latency_us` column of a CSV file of service-time samples. */
export function readSamplesFile(path: string): number[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('device.service.file', `cannot read ${path}: ${(e as Error).message}`);
  }
  const rows = parseCsv(text, { columns: true, comment: '#', skip_empty_lines: true }) as Record<string, string>[];
  if (rows.length === 0 || !('latency_us' in rows[0])) throw new ConfigError('device.service.file', `${path} has no latency_us column`);
  return rows.map((r, i) => {
    const v = Number(r.latency_us);
    if (!Number.isFinite(v) || v < 0) throw new ConfigError('device.service.file', `${path}:${i + 2}: latency_us is not a non-negative number (got '${r.latency_us}')`);
    return v;
  });
}

/** Builds the resolved configuration from a file (optional) and overrides. */
export function loadConfig(file: string | undefined, sets: string[]): Config {
  let user: JsonObject = file ? readConfigFile(file) : {};
  const over: JsonObject = {};
  for (const kv of sets) applySet(over, kv);
  user = deepMerge(user, over);
  const svc = (user.device as JsonObject | undefined)?.service as JsonObject | undefined;
  if (svc && svc.dist === 'empirical' && typeof svc.file === 'string' && svc.samples_us === undefined) {
    const p = file ? resolve(dirname(file), svc.file) : resolve(svc.file);
    svc.samples_us = readSamplesFile(p);
  }
  return resolveConfig(user);
}
