/**
 * The one door to a trace's rows: `openTrace` decides where they come from —
 * the CSV itself (writing the binary cache beside it as the rows go by), a
 * valid cache made earlier from the same CSV, or an `.sst` cache named
 * directly — and owns everything that takes: checking the cache against the
 * CSV, verifying its checksums as its blocks are read, deleting a stale or
 * corrupted one (and reading the rest of the rows from the CSV), removing
 * temporaries left by killed runs, and keeping the new cache only when the
 * whole read succeeded.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readTrace, readTraceBlocks } from './reader.ts';
import { isSystemError, openProblem, processAlive, makeDirs } from './files.ts';
import { eachTap, type ByteTap } from './byte-tap.ts';
import { CacheError, cacheHeader, cacheMatches, isCacheFile, parseCacheTemp, readCache, readCacheBlocks, sourceIdentity, verifyCache, type SourceIdentity } from './cache.ts';
import { TraceCacheWriter } from './cache-writer.ts';
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
    if (t && (t.host === undefined || t.host === here) && t.pid !== process.pid && !processAlive(t.pid) && isCacheTemp(join(cacheDir, name))) rmSync(join(cacheDir, name), { force: true });
  }
}

/**
 * Whether `path` is a cache file half-written by syncsim: a regular file,
 * empty or beginning with the cache's magic. A file of the user's that only
 * has such a name (the cache directory can be any directory: `--cache-dir`)
 * is left alone.
 */
function isCacheTemp(path: string): boolean {
  try {
    const st = lstatSync(path);
    return st.isFile() && (st.size === 0 || isCacheFile(path));
  } catch {
    return false;
  }
}

/** What a message says came from the CSV: the whole trace (`firstRow` 1), or its rows from `firstRow` on. */
const readFromCsv = (firstRow: number, past: boolean) =>
  firstRow > 1 ? `rows ${firstRow} on ${past ? 'were' : 'are'} read from the CSV` : `the trace ${past ? 'was' : 'is'} read from its CSV`;

/**
 * The cache written beside a read of the CSV. A cache only saves later
 * reads: when writing it fails (a full disk, a file size limit) it is
 * dropped, its temporary file removed, the problem said once through
 * `problem`, and the read goes on.
 */
class CacheBeingWritten {
  private failed = false;

  /** `firstRow`: the first row read from the CSV (1, or later when the rows before came from a cache), for a failure's message. */
  constructor(private readonly w: TraceCacheWriter, private readonly path: string, private readonly problem: ((message: string) => void) | undefined, private readonly firstRow = 1) {}

  /** A failed write of the file (an error of the system, with its code) drops the cache; anything else is a fault of syncsim and is thrown. */
  private fail(e: unknown): void {
    if (!isSystemError(e)) throw e;
    this.failed = true;
    try {
      this.w.abort();
    } catch {
      // the temporary file could not be removed either: said below all the same
    }
    this.problem?.(`cannot write the trace cache ${this.path} (${openProblem(e)}): nothing was cached, ${readFromCsv(this.firstRow, true)}`);
  }

  /** Runs one write of the cache unless an earlier one failed; false when this one or an earlier one did. */
  private attempt(write: () => void): boolean {
    if (this.failed) return false;
    try {
      write();
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  add(rows: readonly TraceRow[]): void {
    this.attempt(() => this.w.add(rows));
  }

  addBlock(block: RowBlock): void {
    this.attempt(() => this.w.addBlock(block));
  }

  /** Writes the rest and renames the cache into place; false when it could not be written. */
  close(): boolean {
    return this.attempt(() => this.w.close());
  }

  abort(): void {
    if (!this.failed) this.w.abort();
  }
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
 * is now, opened; else undefined (a stale or unreadable one is deleted).
 * Its blocks are checked as they are read: from a corrupted one on, the
 * rows come from the CSV (the same rows: the cache was made from it), the
 * cache is written again from the CSV's rows, and `problem` is told.
 */
function openValidCache(trace: string, cacheDir: string, cachePath: string, identity: SourceIdentity, problem: ((message: string) => void) | undefined): OpenTrace | undefined {
  if (!cacheMatches(cachePath, identity)) {
    removeCache(cachePath);
    return undefined;
  }
  let rewrite: CacheWrite | undefined;
  const writeAgain = (firstRow: number) => (rewrite = startCacheWrite(cacheDir, cachePath, identity, problem, firstRow));
  return {
    rows: rowsOf(cacheThenCsv(trace, cachePath, problem, writeAgain)),
    batches: cacheThenCsv(trace, cachePath, problem, writeAgain),
    kind: 'cache',
    cachePath,
    rowCount: headerRows(cachePath),
    finish(ok) {
      rewrite?.finish(ok);
    },
  };
}

/** The rows a cache's header says it holds; undefined when it cannot be read (the read of its blocks says why). */
function headerRows(cachePath: string): number | undefined {
  try {
    return cacheHeader(cachePath).rows;
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
 * is deleted and the CSV `trace` read from its start: all its blocks go to
 * the cache `writeAgain` starts, those from the first row not yet yielded
 * on are yielded.
 */
async function* cacheThenCsv(trace: string, cachePath: string, problem: ((message: string) => void) | undefined, writeAgain: (firstRow: number) => CacheWrite | undefined): AsyncGenerator<RowBlock> {
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
  const rewrite = writeAgain(done + 1);
  let skip = done;
  for await (const b of readTraceBlocks(trace)) {
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

/** A cache being written while the CSV is read, and what becomes of it when the read ends (`ok`: kept if it could be written). */
interface CacheWrite {
  w: CacheBeingWritten;
  finish(ok: boolean): void;
}

/**
 * Starts writing the cache of a CSV of `identity` at `cachePath` (making
 * `cacheDir` and clearing dead writers' temporaries); undefined, said
 * through `problem`, when it cannot even be started. `firstRow`: the first
 * row read from the CSV (later than 1 when the rows before came from a
 * cache), for the messages.
 */
function startCacheWrite(cacheDir: string, cachePath: string, identity: SourceIdentity, problem: ((message: string) => void) | undefined, firstRow = 1): CacheWrite | undefined {
  let made: string | undefined;
  try {
    made = makeDirs(cacheDir);
    removeStaleTemps(cacheDir);
    const w = new CacheBeingWritten(new TraceCacheWriter(cachePath, identity), cachePath, problem, firstRow);
    return {
      w,
      finish(ok) {
        if (ok && w.close()) return;
        w.abort();
        removeMadeDirs(cacheDir, made); // only what we made, and only while empty
      },
    };
  } catch (e) {
    if (!isSystemError(e)) throw e;
    removeMadeDirs(cacheDir, made);
    problem?.(`cannot write the trace cache ${cachePath} (${openProblem(e)}): ${readFromCsv(firstRow, false)}`);
    return undefined;
  }
}

/** Removes `dir` and its parents up to `first` (the first directory mkdir made for it), each only while empty. */
function removeMadeDirs(dir: string, first: string | undefined): void {
  if (first === undefined) return;
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      rmdirSync(d); // only if empty
    } catch {
      return;
    }
    if (d === resolve(first) || dirname(d) === d) return;
  }
}

/** Reads the CSV `trace` while writing its cache at `cachePath` (or, when the cache cannot even be started, without one: `problem` says why). */
function openWritingCache(trace: string, cacheDir: string, cachePath: string, identity: SourceIdentity, problem: ((message: string) => void) | undefined, tap: ByteTap | undefined): OpenTrace {
  const write = startCacheWrite(cacheDir, cachePath, identity, problem);
  if (!write) return { rows: readTrace(trace, { tap }), batches: readTraceBlocks(trace, { tap }), kind: 'csv', finish() {} };
  const w = write.w;
  // two generators, of which only the one read opens the file (as without a cache)
  return {
    rows: tee(readTrace(trace, { tap }), (rows) => w.add(rows)),
    batches: tee(readTraceBlocks(trace, { tap }), (block) => w.addBlock(block)),
    kind: 'csv+cache',
    cachePath,
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
  return openValidCache(trace, cacheDir, cachePath, identity, opts.onCacheProblem) ?? openWritingCache(trace, cacheDir, cachePath, identity, opts.onCacheProblem, opts.progressTap);
}

/**
 * Makes sure `trace` has a valid cache in `cacheDir`, building it (one full
 * read of the CSV through {@link openTrace}) when it is missing, stale or
 * corrupted. Returns what it found: `cache` (valid already: every block checked), `csv+cache`
 * (built now) or `direct` (the trace is an `.sst` itself, not read). Throws
 * the trace's own error for a bad CSV, leaving no cache behind; and an
 * Error (not an input error) saying why when the cache could not be
 * written (a full disk), leaving none either. `progressTap` sees the CSV's
 * bytes as they are read (progress).
 */
export async function ensureCache(trace: string, cacheDir: string, progressTap?: ByteTap): Promise<'cache' | 'csv+cache' | 'direct'> {
  if (isCacheFile(trace)) return 'direct';
  // a cache that matches is read whole once here, so that the runs that follow find it intact
  const cachePath = cachePathFor(trace, cacheDir);
  if (cacheMatches(cachePath, sourceIdentity(trace))) {
    try {
      await verifyCache(cachePath);
      return 'cache';
    } catch (e) {
      if (!(e instanceof CacheError)) throw e;
      removeCache(cachePath);
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
  return 'csv+cache';
}
