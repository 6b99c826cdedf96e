/**
 * The one door to a trace's rows: `openTrace` decides where they come from —
 * the CSV itself (writing the binary cache beside it as the rows go by), a
 * valid cache made earlier from the same CSV, or an `.sst` cache named
 * directly — and owns everything that takes: checking the cache against the
 * CSV (its identity; its SHA-256 when the caller knows the CSV's, and, for the
 * caller to compare with the CSV's once known, the SHA-256 it records), verifying its checksums as its blocks are read, deleting a stale or
 * corrupted one (and reading the rest of the rows from the CSV), removing
 * temporaries left by killed runs, and keeping the new cache only when the
 * whole read succeeded.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readTrace, readTraceBlocks } from './reader.ts';
import { isSystemError, openProblem } from './files.ts';
import { eachTap, FileDigest, type ByteTap } from './byte-tap.ts';
import { CacheError, cacheHeader, cacheMatches, isCacheFile, readCache, readCacheBlocks, sourceIdentity, verifyCache, type SourceIdentity } from './cache.ts';
import { removeStaleTemps, startCacheWrite, type CacheWrite } from './cache-write.ts';
import { dropStaleCache, staleCacheMessage } from './cache-stale.ts';
import type { RowBatch, RowBlock, TraceRow } from './types.ts';

/** Where an open trace's rows come from: `csv`, `csv+cache` (reading the CSV and writing the cache), or `cache`. */
export type TraceSourceKind = 'csv' | 'csv+cache' | 'cache';

/** An open trace. Call `finish(true)` after the last row was used, `finish(false)` on failure. */
export interface OpenTrace {
  /** The rows, in batches, in trace order. */
  rows: AsyncGenerator<TraceRow[]>;
  /**
   * The same rows as the simulator takes them (read either this or `rows`,
   * not both): blocks of columns with no object per row, from a cache or
   * from the CSV reader's block pass (copied into the cache being written,
   * if any, before they are passed on).
   */
  batches: AsyncGenerator<RowBatch>;
  /** What is being read. */
  kind: TraceSourceKind;
  /** The cache file used or being written, if any. */
  cachePath?: string;
  /** The trace's rows, when known before they are read: a cache's header says how many. */
  rowCount?: number;
  /**
   * Kind `cache`, read in place of a CSV: the SHA-256 of the CSV the cache was made from, as its
   * header records it. A CSV changed in the middle with its size and mtime kept still matches its
   * old cache's identity: before keeping anything made of these rows, the caller compares this
   * with the CSV's own SHA-256 (a run: its provenance's). Undefined for the other kinds and for an
   * `.sst` named directly.
   */
  cacheSha256?: string;
  /**
   * Kind `csv+cache`: the SHA-256 of the CSV's bytes as this read read them (the one the cache
   * records), once every row was read; undefined before, and for the other kinds.
   */
  readSha256?: () => string | undefined;
  /** Keeps (`ok`) or drops the cache being written; nothing to do for the other kinds. */
  finish(ok: boolean): void;
}

/** Options of {@link openTrace}. */
export interface OpenTraceOptions {
  /** Directory of the binary trace cache; undefined = no cache (an `.sst` trace is still read directly). */
  cacheDir?: string;
  /**
   * Told why the cache of a CSV could not be written, or that the cache
   * read was found corrupted part way (and is made again): either way the
   * read goes on from the CSV.
   */
  onCacheProblem?: (message: string) => void;
  /**
   * Sees the bytes of `trace` as they are read, so that the caller learns more of the file in
   * the same read (`sweep --dry-run`: its SHA-256). Only without a `cacheDir` (or for an `.sst`
   * named directly): with one, the rows may come from the cache instead.
   */
  tap?: ByteTap;
  /**
   * Sees the bytes of a CSV as they are read, with or without a cache being written, so that the
   * caller can tell how far the read is (progress); nothing when the rows come from a cache, which
   * tells {@link OpenTrace.rowCount} instead.
   */
  progressTap?: ByteTap;
  /**
   * The SHA-256 of `trace` when the caller knows it: a cache whose identity matches but which
   * records another is stale, deleted (`onCacheProblem` says so) and made again from the CSV.
   */
  sha256?: string;
}

/** The cache file for `trace` in `cacheDir`: its name plus a hash of its absolute path. */
export function cachePathFor(trace: string, cacheDir: string): string {
  const abs = resolve(trace);
  const h = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  return join(cacheDir, `${basename(trace).replace(/\.(csv|csv\.gz|gz)$/, '')}-${h}.sst`);
}

/** The batches of `batches`, each given to `add` (the cache's copy) before it is passed on (its consumer may release a block). */
async function* tee<T>(batches: AsyncGenerator<T>, add: (batch: T) => void): AsyncGenerator<T> {
  for await (const batch of batches) {
    add(batch);
    yield batch;
  }
}

/**
 * The cache of `trace` at `cachePath` when it was made from the CSV as it
 * is now (its identity, and `sha256` when the caller knows the CSV's),
 * opened; else undefined (a stale or unreadable one is deleted, and
 * `problem` told of one whose identity matches but whose SHA-256 does not).
 * Its blocks are checked as they are read: from a corrupted one on, the
 * rows come from the CSV (the same rows: the cache was made from it), the
 * cache is written again from the CSV's rows, and `problem` is told.
 */
function openValidCache(trace: string, cacheDir: string, cachePath: string, identity: SourceIdentity, problem: ((message: string) => void) | undefined, sha256: string | undefined): OpenTrace | undefined {
  const header = cacheMatches(cachePath, identity) ? headerOf(cachePath) : undefined;
  const recorded = header?.sourceSha256;
  if (recorded === undefined || (sha256 !== undefined && recorded !== sha256)) {
    if (recorded === undefined) removeCache(cachePath);
    else {
      problem?.(staleCacheMessage(cachePath, trace, recorded, sha256!, 'and the trace is read from its CSV, the cache made again from it'));
      dropStaleCache(cachePath, recorded); // (not one another run made again meanwhile)
    }
    return undefined;
  }
  let rewrite: CacheWrite | undefined;
  const writeAgain = (firstRow: number, sha: () => string | undefined) => (rewrite = startCacheWrite(cacheDir, cachePath, identity, problem, sha, firstRow));
  return {
    rows: rowsOf(cacheThenCsv(trace, cachePath, identity, problem, writeAgain)),
    batches: cacheThenCsv(trace, cachePath, identity, problem, writeAgain),
    kind: 'cache',
    cachePath,
    rowCount: header!.rows,
    cacheSha256: recorded,
    finish(ok) {
      rewrite?.finish(ok);
    },
  };
}

/** The header of the cache at `cachePath`; undefined when it cannot be read (the read of its blocks says why). */
function headerOf(cachePath: string): ReturnType<typeof cacheHeader> | undefined {
  try {
    return cacheHeader(cachePath);
  } catch {
    return undefined;
  }
}

/** Deletes the cache file at `cachePath`, if it can. */
function removeCache(cachePath: string): void {
  try {
    rmSync(cachePath, { force: true });
  } catch {
    // not removable (its directory is not one): writing the cache will say why
  }
}

/**
 * The blocks of the cache at `cachePath`; when one is corrupted, the cache
 * is deleted and the CSV `trace` (of `identity`) read from its start: all
 * its blocks go to the cache `writeAgain` starts (told the SHA-256 of the
 * bytes read, once all are), those from the first row not yet yielded on
 * are yielded.
 */
async function* cacheThenCsv(trace: string, cachePath: string, identity: SourceIdentity, problem: ((message: string) => void) | undefined, writeAgain: (firstRow: number, sha256: () => string | undefined) => CacheWrite | undefined): AsyncGenerator<RowBlock> {
  let done = 0;
  try {
    for await (const block of readCacheBlocks(cachePath)) {
      const n = block.length;
      yield block;
      done += n;
    }
    return;
  } catch (e) {
    // a corrupted block, or the file gone or unreadable (another run replacing it): the CSV has the same rows
    if (!(e instanceof CacheError) && !isSystemError(e)) throw e;
    const what = e instanceof CacheError ? e.message : `${cachePath} could not be read (${openProblem(e)})`;
    removeCache(cachePath);
    problem?.(`the trace cache ${what}: ${done > 0 ? `rows ${done + 1} on are` : 'the trace is'} read from ${trace}, and the cache is made again from it`);
  }
  const digest = new FileDigest(0);
  const rewrite = writeAgain(done + 1, () => digest.sha256(identity.size));
  let skip = done;
  for await (const b of readTraceBlocks(trace, { tap: digest })) {
    rewrite?.w.addBlock(b);
    if (skip >= b.length) {
      skip -= b.length;
      b.release();
    } else if (skip > 0) {
      yield b.slice(skip, b.length);
      skip = 0;
    } else {
      yield b;
    }
  }
}

/** The rows of `blocks` as objects. */
async function* rowsOf(blocks: AsyncGenerator<RowBlock>): AsyncGenerator<TraceRow[]> {
  for await (const b of blocks) {
    const rows = b.rows();
    b.release();
    yield rows;
  }
}

/**
 * Reads the CSV `trace` while writing its cache at `cachePath`, hashing its bytes on the way
 * (SHA-256: the cache records it), or, when the cache cannot even be started, without one
 * (`problem` says why).
 */
function openWritingCache(trace: string, cacheDir: string, cachePath: string, identity: SourceIdentity, problem: ((message: string) => void) | undefined, progressTap: ByteTap | undefined): OpenTrace {
  const digest = new FileDigest(0);
  const readSha256 = () => digest.sha256(identity.size);
  const write = startCacheWrite(cacheDir, cachePath, identity, problem, readSha256);
  if (!write) return { rows: readTrace(trace, { tap: progressTap }), batches: readTraceBlocks(trace, { tap: progressTap }), kind: 'csv', finish() {} };
  const w = write.w;
  const tap = eachTap(progressTap, digest);
  // two generators, of which only the one read opens the file (as without a cache)
  return {
    rows: tee(readTrace(trace, { tap }), (rows) => w.add(rows)),
    batches: tee(readTraceBlocks(trace, { tap }), (block) => w.addBlock(block)),
    kind: 'csv+cache',
    cachePath,
    readSha256,
    finish: write.finish,
  };
}

/**
 * Opens `trace` (a native CSV, gzipped or not, or an `.sst` cache). With a
 * `cacheDir`, a CSV is read from its cache when one made from the CSV as it
 * is now exists and is intact (a stale or corrupted one is deleted), and
 * otherwise the cache is written while the CSV is read; it is kept only if
 * `finish(true)` is called. A named `.sst` must have an intact header
 * (else CacheError here); each of its blocks is checked as it is read (a
 * CacheError from the read when one is not intact: no byte is used
 * unchecked, and a run stopped by it leaves no results).
 */
export async function openTrace(trace: string, opts: OpenTraceOptions = {}): Promise<OpenTrace> {
  const { cacheDir } = opts;
  if (isCacheFile(trace)) {
    const { rows } = cacheHeader(trace);
    return { rows: readCache(trace, true, opts.tap), batches: readCacheBlocks(trace, true, opts.tap), kind: 'cache', cachePath: trace, rowCount: rows, finish() {} };
  }
  if (!cacheDir) {
    const tap = eachTap(opts.tap, opts.progressTap);
    // two generators, of which only the one read opens the file: blocks of columns for a replay
    return { rows: readTrace(trace, { tap }), batches: readTraceBlocks(trace, { tap }), kind: 'csv', finish() {} };
  }
  const cachePath = cachePathFor(trace, cacheDir);
  const identity = sourceIdentity(trace);
  // a read from the cache clears killed writers' temporaries too, not only the next cache write
  try {
    if (existsSync(cacheDir)) removeStaleTemps(cacheDir);
  } catch {
    // an unreadable cache directory: the read below says what is wrong, or goes on without the cache
  }
  return openValidCache(trace, cacheDir, cachePath, identity, opts.onCacheProblem, opts.sha256) ?? openWritingCache(trace, cacheDir, cachePath, identity, opts.onCacheProblem, opts.progressTap);
}

/** What {@link ensureCache} is told of the CSV, and tells of it. */
export interface EnsureCacheOptions {
  /** The CSV's SHA-256, when the caller knows it (a sweep hashed it): a cache that records another is stale, and made again. */
  sha256?: string;
  /** Told, in one line, that a cache was stale by its SHA-256 (`sha256`), deleted and made again. */
  onStale?: (message: string) => void;
  /** Told the SHA-256 of the CSV's bytes when the cache was built now (the one it records). */
  onBuilt?: (sha256: string) => void;
}

/**
 * Makes sure `trace` has a valid cache in `cacheDir`, building it (one full
 * read of the CSV through {@link openTrace}) when it is missing, stale or
 * corrupted. Returns what it found: `cache` (valid already: every block checked), `csv+cache`
 * (built now) or `direct` (the trace is an `.sst` itself, not read). Throws
 * the trace's own error for a bad CSV, leaving no cache behind; and an
 * Error (not an input error) saying why when the cache could not be
 * written (a full disk), leaving none either. `progressTap` sees the CSV's
 * bytes as they are read (progress); `o`, what the caller knows of the CSV.
 */
export async function ensureCache(trace: string, cacheDir: string, progressTap?: ByteTap, o: EnsureCacheOptions = {}): Promise<'cache' | 'csv+cache' | 'direct'> {
  if (isCacheFile(trace)) return 'direct';
  // a cache that matches is read whole once here, so that the runs that follow find it intact
  const cachePath = cachePathFor(trace, cacheDir);
  if (cacheMatches(cachePath, sourceIdentity(trace))) {
    const recorded = headerOf(cachePath)?.sourceSha256;
    if (o.sha256 !== undefined && recorded !== undefined && recorded !== o.sha256) {
      o.onStale?.(staleCacheMessage(cachePath, trace, recorded, o.sha256, 'and it is made again from the CSV'));
      dropStaleCache(cachePath, recorded);
    } else {
      try {
        await verifyCache(cachePath);
        return 'cache';
      } catch (e) {
        if (!(e instanceof CacheError)) throw e;
        removeCache(cachePath);
      }
    }
  }
  let problem: string | undefined;
  const src = await openTrace(trace, { cacheDir, onCacheProblem: (m) => (problem ??= m), progressTap });
  if (problem !== undefined) throw new Error(problem);
  if (src.kind !== 'csv+cache') return 'cache';
  try {
    // blocks of columns: the CSV reader's fastest pass, copied into the cache as they are
    for await (const batch of src.batches) if (!Array.isArray(batch)) (batch as RowBlock).release();
  } catch (e) {
    src.finish(false);
    throw e;
  }
  src.finish(true);
  if (problem !== undefined) throw new Error(problem);
  const sha = src.readSha256?.();
  if (sha !== undefined) o.onBuilt?.(sha);
  return 'csv+cache';
}
