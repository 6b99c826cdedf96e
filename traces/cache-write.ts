/**
 * The binary cache of a CSV written while the CSV is read (traces/open.ts): under a temporary
 * name, in a cache directory made if need be (and removed again, if it was made for nothing),
 * dropped with one message when the system refuses a write, and kept only when the whole read
 * succeeded, recording the SHA-256 of the bytes read. Temporaries left by killed writers of this
 * host are cleared before.
 */
import { lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isSystemError, openProblem, processAlive, makeDirs } from './files.ts';
import { isCacheFile, parseCacheTemp, type SourceIdentity } from './cache.ts';
import { TraceCacheWriter } from './cache-writer.ts';
import type { RowBlock, TraceRow } from './types.ts';

/**
 * Removes cache files half-written by runs of this host that were killed
 * (another host's writers cannot be checked from here, and this process's
 * own threads may still be writing theirs).
 */
export function removeStaleTemps(cacheDir: string): void {
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
export const readFromCsv = (firstRow: number, past: boolean) =>
  firstRow > 1 ? `rows ${firstRow} on ${past ? 'were' : 'are'} read from the CSV` : `the trace ${past ? 'was' : 'is'} read from its CSV`;

/**
 * The cache written beside a read of the CSV. A cache only saves later
 * reads: when writing it fails (a full disk, a file size limit) it is
 * dropped, its temporary file removed, the problem said once through
 * `problem`, and the read goes on.
 */
export class CacheBeingWritten {
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

  /** Writes the rest and renames the cache into place, recording `sha256` as its CSV's; false when it could not be written. */
  close(sha256: string): boolean {
    return this.attempt(() => this.w.close(sha256));
  }

  abort(): void {
    if (!this.failed) this.w.abort();
  }
}

/** A cache being written while the CSV is read, and what becomes of it when the read ends (`ok`: kept if it could be written). */
export interface CacheWrite {
  w: CacheBeingWritten;
  finish(ok: boolean): void;
}

/**
 * Starts writing the cache of a CSV of `identity` at `cachePath` (making
 * `cacheDir` and clearing dead writers' temporaries); undefined, said
 * through `problem`, when it cannot even be started. `sha256`: the
 * SHA-256 of the CSV's bytes read, once all were (the cache records it;
 * without it, the cache is not kept). `firstRow`: the first row read from
 * the CSV (later than 1 when the rows before came from a cache), for the
 * messages.
 */
export function startCacheWrite(cacheDir: string, cachePath: string, identity: SourceIdentity, problem: ((message: string) => void) | undefined, sha256: () => string | undefined, firstRow = 1): CacheWrite | undefined {
  let made: string | undefined;
  try {
    made = makeDirs(cacheDir);
    removeStaleTemps(cacheDir);
    const w = new CacheBeingWritten(new TraceCacheWriter(cachePath, identity), cachePath, problem, firstRow);
    return {
      w,
      finish(ok) {
        const sha = ok ? sha256() : undefined;
        if (sha !== undefined && w.close(sha)) return;
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
