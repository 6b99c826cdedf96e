/**
 * Benchmark input traces under bench/data/ (gitignored): generated once with
 * {@link randomWriter} and {@link TraceWriter}, reused while a file with the
 * same parameters (all encoded in its name) exists.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheHeader } from '../traces/cache.ts';
import { TraceWriter } from '../traces/writer.ts';
import { randomWriter, type RandomWriterParams } from '../workloads/random-writer.ts';

/** Directory of generated benchmark data. */
export const DATA_DIR = fileURLToPath(new URL('./data/', import.meta.url));

/** Bump when randomWriter's output for the same parameters changes, so stale files are not reused. */
const GENERATOR_VERSION = 1;

/** The random-writer parameters of a benchmark trace, every optional one spelled out. */
export type BenchTraceParams = Required<Pick<RandomWriterParams, 'seed' | 'rows' | 'pages' | 'syncEvery' | 'writeRateUs'>>;

/** The file a trace with `p` is (or would be) stored in. */
export function benchTracePath(p: BenchTraceParams): string {
  const name = `random-writer-v${GENERATOR_VERSION}-seed${p.seed}-rows${p.rows}-pages${p.pages}-sync${p.syncEvery}-gap${p.writeRateUs}us.csv`;
  return join(DATA_DIR, name);
}

/** Makes sure the trace for `p` exists; returns its path, whether it was generated now, and how long that took (s). */
export async function ensureBenchTrace(p: BenchTraceParams): Promise<{ path: string; generated: boolean; seconds: number }> {
  const path = benchTracePath(p);
  if (existsSync(path)) return { path, generated: false, seconds: 0 };
  mkdirSync(DATA_DIR, { recursive: true });
  const t0 = process.hrtime.bigint();
  const w = await TraceWriter.open(path); // written to a temporary file, renamed on close: never half a trace at `path`
  try {
    for (const row of randomWriter(p)) await w.write(row);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  if (w.rows !== p.rows) throw new Error(`${path}: wrote ${w.rows} rows, expected ${p.rows}`);
  return { path, generated: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/**
 * Whether the benchmark's own cache file at `path` (under bench/data/) can
 * be reused: it exists and its header is valid for this code's cache
 * version. One that cannot (made by an older version) is removed, to be
 * made again.
 */
export function reusableBenchCache(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    cacheHeader(path);
    return true;
  } catch {
    rmSync(path, { force: true });
    return false;
  }
}
