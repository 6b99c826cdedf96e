/**
 * Whether a file changed while it was read: its device, inode, size and
 * modification time at the end of a read, against those at its start. An
 * input truncated, appended to, rewritten in place or replaced under its name
 * meanwhile gave rows of no one version of it — one cut at a line's end reads
 * as a whole, shorter input — so the readers of traces (traces/reader.ts) and
 * of the importers' inputs (traces/import/lines.ts) refuse it.
 */
import { statSync } from 'node:fs';
import { TraceError } from './trace-error.ts';

/** What tells one version of a file from another: which file the path names, its size and when its bytes last changed. */
export interface FileVersion {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** The version of the file at `path` now; undefined when no file is there (removed: what was open is read to its end all the same). */
export function fileVersion(path: string): FileVersion | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s && { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
}

/**
 * Throws a TraceError at `line` when the file at `path` is not `before`'s version any more: it was
 * written (truncated, appended to, rewritten) or replaced while it was read, so the rows read are
 * of no one version of it. `noun`: what the file is to the reader (`trace`, `input`).
 */
export function checkUnchanged(path: string, before: FileVersion | undefined, line: number, noun: string): void {
  const now = fileVersion(path);
  if (before === undefined || now === undefined) return;
  if (now.dev === before.dev && now.ino === before.ino && now.size === before.size && now.mtimeMs === before.mtimeMs) return;
  const how = now.dev !== before.dev || now.ino !== before.ino ? 'another file took its name' : now.size !== before.size ? `its size went from ${before.size} to ${now.size} bytes` : 'its modification time changed';
  throw new TraceError(path, line, '-', `the ${noun} changed while it was being read (${how}), so the rows read may stop short or mix two versions of it; run again once nothing writes to it`, undefined);
}
