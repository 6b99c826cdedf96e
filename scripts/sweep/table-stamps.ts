/**
 * The tables a sweep rewrites whenever it ends (results.csv, aggregate.csv and
 * warnings.txt), and the experiment.yaml it copies in when it starts, as it
 * wrote them: their stamps (size and hash) are kept in the
 * directory's `.syncsim` marker, so that one changed since (a note appended to
 * results.csv, a column added by hand) is yours, and is refused rather than
 * rewritten (until 2026-12-08 a sweep run again, or a merge, replaced it
 * silently, though a sweep "replaces nothing of what it did not write").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addStamps, changedSince, readMarker, type FileStamp } from '../../traces/out-marker.ts';
import { OutDirError } from '../../traces/out-dir.ts';
import { WARNINGS_FILE } from './warnings-file.ts';
import { showPath } from './store.ts';

/** The files a sweep (or merge) rewrites in its directory each time it writes its tables. */
export const TABLE_FILES = ['results.csv', 'aggregate.csv', WARNINGS_FILE] as const;

/**
 * The copy of the experiment file, written again whenever the sweep starts (store.ts `prepare`, which records it at
 * once); refused alike when edited by hand since.
 */
export const EXPERIMENT_COPY = 'experiment.yaml';

/** The tables of sweep directory `dir` changed since the sweep wrote them, by the stamps of its marker (none when it has none). */
function editedBy(dir: string, stamps: Record<string, FileStamp> | undefined): string[] {
  if (!stamps) return [];
  return [EXPERIMENT_COPY, ...TABLE_FILES].filter((f) => existsSync(join(dir, f)) && changedSince(join(dir, f), stamps[f]));
}

/** Throws an OutDirError (exit 2) naming the tables of `dir` changed since the sweep wrote them, which writing the tables would replace. */
export function refuseEditedTables(dir: string): void {
  const marker = readMarker(dir);
  const edited = editedBy(dir, marker?.stamps);
  if (edited.length === 0) return;
  const command = marker?.command === 'merge' ? 'merge' : 'sweep';
  const it = edited.length > 1 ? 'them' : 'it';
  throw new OutDirError(`--out ${showPath(dir)}: ${edited.join(', ')} changed since syncsim wrote ${it}, and ${command} would write ${it} again; move ${it} out of the directory (or delete ${it}) to keep your changes, then run the same command again`);
}

/** Records the tables of `dir` as just written, in its marker. */
export function stampTables(dir: string): void {
  addStamps(dir, TABLE_FILES.filter((f) => existsSync(join(dir, f))));
}
