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
import { openProblem } from '../traces/files.ts';
import { firstBadByte, isCleanText } from '../traces/utf8.ts';

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
    throw new ConfigError('', `cannot read config file ${path}: ${openProblem(e)}`);
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

/**
 * A malformed file of service-time samples: `message` is `FILE:LINE: PROBLEM`
 * (a ConfigError of key `device.service.file`, so it exits with code 2).
 */
export class SamplesFileError extends ConfigError {
  constructor(file: string, line: number, problem: string) {
    super('device.service.file', problem);
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
export function readSamplesFile(path: string): number[] {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ConfigError('device.service.file', `cannot read ${path}: ${openProblem(e)}`);
  }
  if (!isCleanText(buf)) {
    const at = firstBadByte(buf);
    let line = 1;
    for (let i = buf.indexOf(10); i !== -1 && i < at; i = buf.indexOf(10, i + 1)) line++;
    throw new SamplesFileError(path, line, buf[at] === 0 ? 'NUL byte' : 'invalid UTF-8');
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(buf.toString('utf8'), { comment: '#', comment_no_infix: true, skip_empty_lines: true, info: true, bom: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new SamplesFileError(path, err.lines ?? 1, `malformed CSV: ${err.message.split('\n')[0]}`);
  }
  if (records.length === 0) throw new SamplesFileError(path, 1, 'no latency_us column (the file has no header line)');
  const [head, ...rows] = records;
  const col = head!.record.indexOf('latency_us');
  if (col < 0) throw new SamplesFileError(path, head!.info.lines, `no latency_us column (got '${head!.record.join(',')}')`);
  if (rows.length === 0) throw new SamplesFileError(path, head!.info.lines, 'no samples after the header line');
  return rows.map(({ record, info }) => {
    const text = record[col] ?? '';
    if (!SAMPLE.test(text) || !Number.isFinite(Number(text))) throw new SamplesFileError(path, info.lines, `latency_us is not a non-negative number (got '${text}')`);
    return Number(text);
  });
}

/** Builds the resolved configuration from a file (optional) and overrides. */
export function loadConfig(file: string | undefined, sets: string[]): Config {
  let user: JsonObject = file ? readConfigFile(file) : {};
  const over: JsonObject = {};
  for (const kv of sets) applySet(over, kv);
  user = deepMerge(user, over);
  for (const key of ['service', 'read_latency', 'write_latency']) {
    const svc = (user.device as JsonObject | undefined)?.[key] as JsonObject | undefined;
    if (svc && svc.dist === 'empirical' && typeof svc.file === 'string' && svc.samples_us === undefined) {
      const p = file ? resolve(dirname(file), svc.file) : resolve(svc.file);
      svc.samples_us = readSamplesFile(p);
    }
  }
  return resolveConfig(user);
}
