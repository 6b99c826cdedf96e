/**
 * `npm run bench -- --huge` (not in CI): a 100 M-row replay. The trace is the
 * bench's random-writer workload at 100 M rows, written once straight into a
 * binary trace cache under bench/data/ (about 4.9 GB; a CSV of it would be
 * 4 GB more and take far longer to make) and reused while it exists.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import type { TraceRow } from '../traces/types.ts';
import { randomWriter } from '../workloads/random-writer.ts';
import { DATA_DIR, reusableBenchCache, type BenchTraceParams } from './trace-data.ts';

/** The huge trace's parameters: the 1 M-row bench trace's, at 100 M rows. */
export const HUGE_TRACE: BenchTraceParams = { seed: 1, rows: 100_000_000, pages: 4096, syncEvery: 100, writeRateUs: 200 };

/** Makes sure the huge trace's cache exists; returns its path, whether it was generated now, and how long that took (s). */
export function ensureHugeTrace(p: BenchTraceParams = HUGE_TRACE): { path: string; generated: boolean; seconds: number } {
  const path = join(DATA_DIR, `random-writer-v1-seed${p.seed}-rows${p.rows}-pages${p.pages}-sync${p.syncEvery}-gap${p.writeRateUs}us.sst`);
  if (reusableBenchCache(path)) return { path, generated: false, seconds: 0 };
  mkdirSync(DATA_DIR, { recursive: true });
  const t0 = process.hrtime.bigint();
  // written to a temporary file, renamed on close: never half a trace at `path`
  const w = new TraceCacheWriter(path, { size: 0, mtimeMs: 0, fingerprint: 0 });
  try {
    let batch: TraceRow[] = [];
    let rows = 0;
    for (const row of randomWriter(p)) {
      batch.push(row);
      if (batch.length === 65536) {
        w.add(batch);
        rows += batch.length;
        batch = [];
      }
    }
    w.add(batch);
    rows += batch.length;
    if (rows !== p.rows) throw new Error(`${path}: generated ${rows} rows, expected ${p.rows}`);
    w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  return { path, generated: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}
