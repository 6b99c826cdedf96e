/**
 * Where a replay's rows come from: the CSV itself (building the binary cache
 * beside it as the rows go by), a valid cache made earlier from the same CSV,
 * or an `.sst` cache named directly.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readTrace } from '../traces/reader.ts';
import { processAlive } from '../traces/files.ts';
import { CacheError, cacheMatches, parseCacheTemp, readCache, sourceIdentity, TraceCacheWriter, verifyCache } from '../traces/cache.ts';
import type { TraceRow } from '../traces/types.ts';

/** An open source of rows. Call `finish(true)` after the last row was used, `finish(false)` on failure. */
export interface TraceSource {
  rows: AsyncGenerator<TraceRow[]>;
  /** `csv`, `csv+cache` (reading the CSV and writing the cache), or `cache`. */
  kind: 'csv' | 'csv+cache' | 'cache';
  /** The cache file used or being written, if any. */
  cachePath?: string;
  finish(ok: boolean): void;
}

/** The default cache directory for results written to `out`: `.trace-cache` beside it, or $SYNCSIM_CACHE_DIR. */
export function defaultCacheDir(out: string): string {
  return process.env.SYNCSIM_CACHE_DIR || join(dirname(resolve(out)), '.trace-cache');
}

/** Whether `path` starts with the cache magic. */
export function isCacheFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    return readSync(fd, b, 0, 8, 0) === 8 && b.toString('latin1') === 'SYNCSST1';
  } finally {
    closeSync(fd);
  }
}

/** The cache file for `trace` in `cacheDir`: its name plus a hash of its absolute path. */
export function cachePathFor(trace: string, cacheDir: string): string {
  const abs = resolve(trace);
  const h = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  return join(cacheDir, `${basename(trace).replace(/\.(csv|csv\.gz|gz)$/, '')}-${h}.sst`);
}

/**
 * Removes cache files half-written by runs of this host that were killed
 * (another host's writers cannot be checked from here, and this process's
 * own threads may still be writing theirs).
 */
function removeStaleTemps(cacheDir: string): void {
  const here = hostname();
  for (const name of readdirSync(cacheDir)) {
    const t = parseCacheTemp(name);
    if (t && (t.host === undefined || t.host === here) && t.pid !== process.pid && !processAlive(t.pid)) rmSync(join(cacheDir, name), { force: true });
  }
}

async function* tee(rows: AsyncGenerator<TraceRow[]>, w: TraceCacheWriter): AsyncGenerator<TraceRow[]> {
  for await (const batch of rows) {
    w.add(batch);
    yield batch;
  }
}

/**
 * Opens `trace`. With a `cacheDir`, a CSV is read from its cache when one made
 * from the CSV as it is now exists and is intact (a stale or corrupted one is
 * deleted), and otherwise the cache is written while the CSV is read; it is
 * kept only if the whole run succeeds.
 */
export async function openTraceSource(trace: string, cacheDir: string | undefined): Promise<TraceSource> {
  if (isCacheFile(trace)) {
    await verifyCache(trace);
    return { rows: readCache(trace), kind: 'cache', cachePath: trace, finish() {} };
  }
  if (!cacheDir) return { rows: readTrace(trace), kind: 'csv', finish() {} };
  const cachePath = cachePathFor(trace, cacheDir);
  const identity = sourceIdentity(trace);
  if (cacheMatches(cachePath, identity)) {
    try {
      await verifyCache(cachePath);
      return { rows: readCache(cachePath), kind: 'cache', cachePath, finish() {} };
    } catch (e) {
      if (!(e instanceof CacheError)) throw e;
    }
  }
  rmSync(cachePath, { force: true });
  const created = mkdirSync(cacheDir, { recursive: true }) !== undefined;
  removeStaleTemps(cacheDir);
  const w = new TraceCacheWriter(cachePath, identity);
  return {
    rows: tee(readTrace(trace), w),
    kind: 'csv+cache',
    cachePath,
    finish(ok) {
      if (ok) return w.close();
      w.abort();
      if (created) {
        try {
          rmdirSync(cacheDir); // only if we made it and it is empty
        } catch {
          /* not empty */
        }
      }
    },
  };
}

/**
 * Makes sure `trace` has a valid cache in `cacheDir`, building it (one full
 * read of the CSV) when it is missing, stale or corrupted. Returns what it
 * found: `cache` (valid already), `csv+cache` (built now) or `direct` (the
 * trace is an `.sst` itself). Throws the trace's own error for a bad CSV,
 * leaving no cache behind.
 */
export async function ensureCache(trace: string, cacheDir: string): Promise<'cache' | 'csv+cache' | 'direct'> {
  if (isCacheFile(trace)) return 'direct';
  const src = await openTraceSource(trace, cacheDir);
  if (src.kind !== 'csv+cache') return 'cache';
  try {
    for await (const batch of src.rows) void batch;
  } catch (e) {
    src.finish(false);
    throw e;
  }
  src.finish(true);
  return 'csv+cache';
}
