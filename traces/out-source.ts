/**
 * Which results directory a report was drawn from, so that `syncsim report
 * DIR --out OUT` does not replace, without a word, the report of another
 * directory (`report sw1 --out sw2/report` put sweep sw1's charts inside sw2,
 * under sw2's name, until 2026-12-07). A report's `.syncsim` marker records
 * its source (`source`, the directory's path on disk); an earlier report
 * without one is taken for its parent directory's when it is that directory's
 * `report/` and the parent is a results directory. A report of another
 * source is refused, unless OUT is DIR's own report, `DIR/report`, the place
 * `syncsim report DIR` writes to by default.
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { readMarker } from './out-marker.ts';

/** The commands whose marker makes a directory a results directory (besides a sweep's experiment.json or a run's summary.json). */
const RESULTS_COMMANDS: ReadonlySet<string> = new Set(['run', 'sweep', 'merge']);

/** `path` resolved through its symbolic links when it exists, else as written (absolute). */
export function sourcePath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Whether `dir` holds syncsim results a report is drawn from: a run's or a sweep's (its marker, experiment.json, summary.json). */
function isResultsDir(dir: string): boolean {
  const m = readMarker(dir);
  if (m && RESULTS_COMMANDS.has(m.command)) return true;
  return ['experiment.json', 'summary.json'].some((f) => existsSync(join(dir, f)));
}

/**
 * The results directory (on disk) the report in directory `out` was drawn from: its marker's `source`; for a report
 * written before markers recorded it, the directory `out` is the `report/` of when that is a results directory;
 * else undefined (not a report, or one whose source cannot be told).
 */
export function reportSource(out: string): string | undefined {
  const m = readMarker(out);
  if (m?.command !== 'report') return undefined;
  if (m.source !== undefined) return sourcePath(m.source);
  const parent = dirname(resolve(out));
  return basename(resolve(out)) === 'report' && isResultsDir(parent) ? sourcePath(parent) : undefined;
}

/** `path` as messages name it: relative to the working directory when inside it, else absolute. */
function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? path : r;
}

/**
 * Why the report of results directory `source` may not replace directory `out` (existing): it holds a report
 * drawn from another results directory and is not `source`'s own `report/`; undefined when it may (or when `out`
 * is no report, which checkOutDir judges).
 */
export function whyOtherSource(out: string, source: string): string | undefined {
  let isDir = false;
  try {
    isDir = lstatSync(out).isDirectory();
  } catch {
    return undefined;
  }
  if (!isDir) return undefined;
  const src = sourcePath(source);
  const own = [join(resolve(source), 'report'), join(src, 'report')];
  if (own.includes(resolve(out)) || own.includes(sourcePath(out))) return undefined;
  const earlier = reportSource(out);
  if (earlier === undefined || earlier === src) return undefined;
  return `holds the report of another results directory, ${shown(earlier)}, not of ${shown(src)}: replacing it would delete that report (remove it yourself first if it is to go)`;
}
