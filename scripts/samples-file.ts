/**
 * Files of service-time samples (an empirical distribution's `file`, e.g.
 * written by `syncsim calibrate`): reading one, with every problem named by
 * file and line, and reading those a configuration layer names into its
 * `samples_us`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ConfigError, type deepMerge } from '../sim/config.ts';
import { openProblem } from '../traces/files.ts';
import { firstBadByte, isCleanText } from '../traces/utf8.ts';
import { showPath } from './sweep/store.ts';

type JsonObject = Parameters<typeof deepMerge>[0];

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
 * {@link SamplesFileError} naming the file (as showPath does) and line; a file that cannot be
 * read, a ConfigError of `key`.
 */
export function readSamplesFile(path: string, key = 'device.service.file'): number[] {
  // named as the CLI names its paths (showPath): relative to the working directory when inside it
  const fail = (line: number, problem: string) => new SamplesFileError(showPath(path), line, problem, key);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ConfigError(key, `cannot read samples file ${showPath(path)}: ${openProblem(e)}`);
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

/**
 * Reads the samples of every empirical distribution of `layer` given by `file` (relative to
 * `dir`, default the working directory) into its `samples_us`; errors name the key.
 */
export function loadSamples(layer: JsonObject, dir: string | undefined): void {
  for (const key of ['service', 'read_latency', 'write_latency']) {
    const svc = (layer.device as JsonObject | undefined)?.[key] as JsonObject | undefined;
    if (svc && svc.dist === 'empirical' && typeof svc.file === 'string' && svc.samples_us === undefined) {
      svc.samples_us = readSamplesFile(dir ? resolve(dir, svc.file) : resolve(svc.file), `device.${key}.file`);
    }
  }
}
