/**
 * The `.syncsim` marker of an output directory: the command and version that wrote it, every
 * path it wrote there, and each file's stamp (its size and a hash of a small file's bytes), so
 * that what is in such a directory can be told from what someone put or changed there since.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { namingFile } from './write-failures.ts';

/** The marker file inside every output directory syncsim makes. */
export const MARKER = '.syncsim';

const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The commands that write an output directory. */
export type OutCommand = 'run' | 'report' | 'sweep' | 'merge' | 'validate' | 'compare';

/** What `.syncsim` holds. */
export interface Marker {
  command: string;
  version: string;
  /** Every path the command wrote in the directory (directories end in `/`), when it recorded them. */
  files?: string[];
  /** The results directory a report was drawn from, its path on disk (traces/out-source.ts), when recorded. */
  source?: string;
  /**
   * Each file of `files` as it was written: its size, and for a file of at most 16 MiB a hash of
   * its bytes, so that a file edited since (a hand-tuned chart spec, a note added to a CSV) is told
   * from syncsim's own, whether or not the directory was copied since (since 2026-12-07; a marker
   * written before has none, and its files are taken as written).
   */
  stamps?: Record<string, FileStamp>;
}

/** A file's size (bytes) when syncsim wrote it, and the SHA-256 (hex, first 32 digits) of its bytes when it had at most {@link HASHED_BYTES}, else null. */
export type FileStamp = [number, string | null];

/**
 * Files up to this size are hashed in their stamp (a report's index.html, with its inlined
 * libraries, is over 1 MiB); a larger one (a long run's CSVs) is judged by its size.
 */
export const HASHED_BYTES = 16 << 20;

/** The stamp of file `path` as it is now. */
function stampOf(path: string, size: number): FileStamp {
  return [size, size <= HASHED_BYTES ? sha256Of(path) : null];
}

/** Reused by {@link sha256Of}: a long run's result files read through it, not each into a buffer of its size. */
let chunk: Buffer | undefined;

/**
 * The SHA-256 of file `path` (hex, first 32 digits), read 1 MiB at a time into one buffer kept
 * for the next file: reading a whole file into a new buffer cost 4-7 times as much here (an
 * 11 MB timeline.csv: 27-55 ms against 7.5 ms, read and hashed; 2026-12-07).
 */
function sha256Of(path: string): string {
  const buf = (chunk ??= Buffer.allocUnsafe(1 << 20));
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex').slice(0, 32);
}

/** The stamps of the files (not directories) among `files`, paths relative to `dir`. */
function stampsOf(dir: string, files: readonly string[]): Record<string, FileStamp> {
  const out: Record<string, FileStamp> = {};
  for (const f of files) {
    if (f.endsWith('/')) continue;
    const st = lstatSync(join(dir, f));
    if (st.isFile()) out[f] = stampOf(join(dir, f), st.size);
  }
  return out;
}

/** Whether file `path` is no longer as its stamp says it was written: another size, or other bytes. */
export function changedSince(path: string, stamp: FileStamp | undefined): boolean {
  if (stamp === undefined) return false;
  const st = lstatSync(path);
  if (!st.isFile() || st.size !== stamp[0]) return true;
  return stamp[1] !== null && stampOf(path, st.size)[1] !== stamp[1];
}

/** Writes the marker of `command` into directory `dir`, with the paths the command wrote there and a report's `source` when given. */
export function writeMarker(dir: string, command: OutCommand, files?: readonly string[], source?: string): void {
  const path = join(dir, MARKER);
  try {
    writeFileSync(path, JSON.stringify({ command, version: VERSION, ...(source !== undefined ? { source } : {}), ...(files ? { files, stamps: stampsOf(dir, files) } : {}) }) + '\n');
  } catch (e) {
    throw namingFile(e, path);
  }
}

/**
 * Records in the marker of `dir` (which must have one) the stamps of `files` as they are now, beside those it holds
 * of other files; its `files` list, if any, is left as it is (a sweep's marker has none: it records the tables it
 * rewrites, scripts/sweep/table-stamps.ts).
 */
export function addStamps(dir: string, files: readonly string[]): void {
  const m = readMarker(dir);
  if (!m) return;
  const path = join(dir, MARKER);
  try {
    writeFileSync(path, JSON.stringify({ ...m, stamps: { ...(m.stamps ?? {}), ...stampsOf(dir, files) } }) + '\n');
  } catch (e) {
    throw namingFile(e, path);
  }
}

/** Every path under `dir` (relative; directories end in `/`; links not followed), sorted, without the top marker. */
export function treeOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel + n;
      if (r === MARKER) continue;
      if (lstatSync(join(dir, r)).isDirectory()) {
        out.push(r + '/');
        walk(r + '/');
      } else out.push(r);
    }
  };
  walk('');
  return out;
}

/** Whether `v` is a marker's `stamps`: path → [size, hash or null]. */
function isStamps(v: unknown): v is Record<string, FileStamp> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    && Object.values(v).every((x) => Array.isArray(x) && x.length === 2 && typeof x[0] === 'number' && (typeof x[1] === 'string' || x[1] === null));
}

/** The marker of `dir`; undefined when there is none (or it is not a regular file holding a marker). */
export function readMarker(dir: string): Marker | undefined {
  try {
    const p = join(dir, MARKER);
    if (!lstatSync(p).isFile()) return undefined;
    const m = JSON.parse(readFileSync(p, 'utf8')) as Partial<Marker>;
    if (typeof m?.command !== 'string') return undefined;
    const files = Array.isArray(m.files) && m.files.every((f) => typeof f === 'string') ? m.files : undefined;
    const stamps = isStamps(m.stamps) ? m.stamps : undefined;
    return { command: m.command, version: String(m.version ?? ''), ...(files ? { files } : {}), ...(stamps ? { stamps } : {}), ...(typeof m.source === 'string' ? { source: m.source } : {}) };
  } catch {
    return undefined;
  }
}

