/**
 * The warnings file of a sweep's directory (`warnings.txt`, written by the sweep beside its
 * tables: scripts/sweep/warnings-file.ts), as the report reads it: the warnings and notes the
 * sweep printed of results.csv and aggregate.csv, which index.html shows above the figures.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** The file's name in the sweep's directory. */
export const WARNINGS_FILE = 'warnings.txt';

/** Its first line, by which syncsim knows the file for its own. */
export const WARNINGS_HEAD = '# syncsim: what the sweep said of results.csv and aggregate.csv when it wrote them (the same lines as on standard error)\n';

/** Whether the file at `path` begins with {@link WARNINGS_HEAD} (one syncsim wrote). */
export function isWarningsFile(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(Buffer.byteLength(WARNINGS_HEAD));
      return b.subarray(0, readSync(fd, b, 0, b.length, 0)).toString('utf8') === WARNINGS_HEAD;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** The lines of the warnings file of the sweep in `dir` (`warning: ...`, `note: ...`), none when it has none syncsim wrote. */
export function readWarningsFile(dir: string): string[] {
  const path = join(dir, WARNINGS_FILE);
  if (!existsSync(path) || !isWarningsFile(path)) return [];
  return readFileSync(path, 'utf8').split('\n').slice(1).filter((l) => l !== '');
}
