/**
 * Which paths a command may write its output to. A command replaces (or, for
 * sweeps, writes into) only a directory that is missing, empty, or syncsim's
 * own output of that command: a directory syncsim makes holds a `.syncsim`
 * marker naming the command and version. Anything else — the working
 * directory or an ancestor of it, a file, a symbolic link, the empty string,
 * a default that leaves `results/`, a directory holding files syncsim did not
 * write — is refused with an {@link OutDirError} before any work is done.
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isWriteFailure } from './write-failures.ts';
import { whyNotRemovable } from './out-replace.ts';
import { isDeadLeftover, isTraceCacheDir } from './out-leftovers.ts';
import { whyOtherSource } from './out-source.ts';
import { changedSince, MARKER, readMarker, type FileStamp, type OutCommand } from './out-marker.ts';

export { MARKER, readMarker, treeOf, writeMarker, type FileStamp, type Marker, type OutCommand } from './out-marker.ts';

/** An output path refused, or locked by another writer: one line, exit 2. */
export class OutDirError extends Error {
  /** `options.cause`: the error it stands for (a system error of a write, for {@link outWriteFailure}). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutDirError';
  }
}

/**
 * Which failed writes {@link outWriteFailure} takes for the user's to fix:
 * `storage`, a write the storage refused ({@link isWriteFailure}: ENOSPC,
 * EDQUOT, EFBIG, EROFS, EIO); `system`, any error with a string `code` (those
 * too, and EACCES, EPERM, EMFILE, ENOENT, ..., and Node's own `ERR_*` codes).
 */
export type WriteFailureKinds = 'storage' | 'system';

/** How {@link outWriteFailure} words its message, and which errors it takes. */
export interface OutWriteFailure {
  /** What could not be written, after `cannot write ` (default `it`). */
  what?: string;
  /** Which errors it turns into the user's error (default `storage`). */
  kinds?: WriteFailureKinds;
}

/**
 * `e` as the error of an output directory `out` that could not be written
 * (for a command that stages its directory and removes the stage on
 * failure), when it is of `o.kinds`: an {@link OutDirError} (exit 2) `--out
 * OUT: cannot write WHAT (MESSAGE); nothing was kept there`, `e` its cause
 * (a sweep tells a full disk from a run's own failure by it); any other error
 * (an OutDirError among them) as it is.
 */
export function outWriteFailure(e: unknown, out: string, o: OutWriteFailure = {}): unknown {
  const taken = o.kinds === 'system' ? typeof (e as NodeJS.ErrnoException | null)?.code === 'string' : isWriteFailure(e);
  if (!taken) return e;
  return new OutDirError(`--out ${out}: cannot write ${o.what ?? 'it'} (${(e as Error).message}); nothing was kept there`, { cause: e });
}

/**
 * The paths under `dir` that its marker's command did not write (at most
 * `max`), `files` being what it wrote: a `report/` with a marker of its own
 * is syncsim's when nothing foreign is in it either; a directory holding
 * the output of another command is foreign.
 */
export function foreignPaths(dir: string, files: readonly string[], max = 6, stamps?: Readonly<Record<string, FileStamp>>): string[] {
  const known = new Set(files);
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      if (out.length >= max) return;
      const r = rel + n;
      if (r === MARKER) continue;
      const isDirectory = lstatSync(join(dir, r)).isDirectory();
      const key = isDirectory ? r + '/' : r;
      if (known.has(key)) {
        if (isDirectory) walk(key);
        // a file syncsim wrote and someone changed since is theirs too now
        else if (changedSince(join(dir, r), stamps?.[key])) out.push(`${key} (changed since syncsim wrote it)`);
        continue;
      }
      // what a syncsim killed while writing here (a report of this run, a run inside it) left: its lock, its staging directory
      if (isDeadLeftover(join(dir, r), n)) continue;
      // a report of this directory (`syncsim report DIR` writes DIR/report) is syncsim's when nothing foreign is in it;
      // any other output put here later (a sweep, another run) is not this command's to replace
      const sub = isDirectory ? readMarker(join(dir, r)) : undefined;
      if (sub?.command === 'report' && sub.files) {
        for (const f of foreignPaths(join(dir, r), sub.files, max - out.length, sub.stamps)) out.push(`${key}${f}`);
        continue;
      }
      if (sub?.command === 'report') continue; // a report of an older syncsim, whose marker lists no files
      // the trace cache of a run whose --out was inside this directory (its default is beside --out)
      if (isDirectory && n === CACHE_DIR_NAME && isTraceCacheDir(join(dir, r))) continue;
      out.push(sub ? `${key} (the output of 'syncsim ${sub.command}')` : key);
    }
  };
  walk('');
  return out;
}

/** The name of the trace cache directory a run makes beside its --out (scripts/cache-dir.ts). */
export const CACHE_DIR_NAME = '.trace-cache';

const readJson = (p: string): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(readFileSync(p, 'utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};
const isDir = (p: string) => {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
};

const RUN_FILES = new Set(['summary.json', 'syncs.csv', 'writeback.csv', 'timeline.csv', 'reads.csv', 'tasks.csv', 'durability.csv']);

/** A report directory as syncsim wrote it before markers (or copied without its marker): report.json, index.html and the chart files report.json lists, nothing else. */
function legacyReport(dir: string, names: string[]): boolean {
  const m = readJson(join(dir, 'report.json'));
  if (!m || m.syncsim_report === undefined || !Array.isArray(m.charts)) return false;
  const known = new Set(['report.json', 'index.html']);
  for (const c of m.charts as { files?: unknown }[]) for (const f of Array.isArray(c?.files) ? c.files : []) known.add(String(f));
  return names.every((n) => known.has(n));
}

/** A run directory as syncsim wrote it before markers (or copied without its marker): its four result files (summary.json written by syncsim), and maybe its report/. */
function legacyRun(dir: string, names: string[]): boolean {
  if (!names.includes('summary.json') || readJson(join(dir, 'summary.json'))?.syncsim_version === undefined) return false;
  const reportDir = (sub: string) => isDir(sub) && (ownedBy(sub, 'report') || legacyReport(sub, readdirSync(sub)));
  return names.every((n) => RUN_FILES.has(n) || (n === 'report' && reportDir(join(dir, n))));
}

const VALIDATE_FILES = /^(validation\.json|job\.fio|fio\.iolog|fio\.json|fio_[sc]?lat\.1\.log|trace\.csv|pairs\.csv|sim|calibration|validation-cdf\.(vl\.json|svg|png|pdf))$/;

/** A validation directory as syncsim wrote it before markers (or copied without its marker): validation.json (written by syncsim) and the files it writes beside it. */
function legacyValidate(dir: string, names: string[]): boolean {
  return readJson(join(dir, 'validation.json'))?.syncsim_version !== undefined && names.every((n) => VALIDATE_FILES.test(n));
}

/** A sweep directory (any syncsim version): it has experiment.json; sweep.ts checks which experiment. */
const isSweepDir = (dir: string, names: string[]) => names.includes('experiment.json');

/**
 * Per command: the commands whose output it may replace or write into; `legacy`, how it recognises
 * its output of a syncsim without markers. A sweep's (experiment.json; sweep.ts then checks which
 * experiment) is resumed, never replaced whole. A run's, a report's or a validation's looks the same
 * as result files copied into a directory of one's own (a user's `cp summary.json syncs.csv analysis/`,
 * edited after), so since 2026-12-07 it is refused like any unmarked directory, with a word of why
 * (`unmarked`); until then it was replaced whole.
 */
const OWNERSHIP: Record<OutCommand, { accepts: readonly string[]; legacy?: (dir: string, names: string[]) => boolean; unmarked?: (dir: string, names: string[]) => boolean }> = {
  run: { accepts: ['run'], unmarked: legacyRun },
  report: { accepts: ['report'], unmarked: legacyReport },
  validate: { accepts: ['validate'], unmarked: legacyValidate },
  sweep: { accepts: ['sweep', 'merge'], legacy: isSweepDir },
  merge: { accepts: ['sweep', 'merge'], legacy: isSweepDir },
  compare: { accepts: ['compare'] },
};

/** Whether existing directory `dir` is empty or syncsim's output that `command` may replace. */
function ownedBy(dir: string, command: OutCommand): boolean {
  return whyNotOwned(dir, command) === undefined;
}

function whyNotOwned(dir: string, command: OutCommand): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (names.length === 0) return undefined;
  const rule = OWNERSHIP[command];
  const marker = readMarker(dir);
  if (marker) {
    if (!rule.accepts.includes(marker.command)) return `holds the output of 'syncsim ${marker.command}', not of 'syncsim ${command}'`;
    const foreign = marker.files ? foreignPaths(dir, marker.files, undefined, marker.stamps) : [];
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 5).map((f) => JSON.stringify(f)).join(', ');
      return `holds what syncsim did not write there (${shown}${foreign.length > 5 ? ', ...' : ''}), which replacing it would delete`;
    }
    return undefined;
  }
  if (rule.legacy?.(dir, names)) return undefined;
  // a marker syncsim cannot read (garbage, another tool's file of that name) is there all the same: said so, not 'no marker'
  const why = names.includes(MARKER) ? `its ${MARKER} is not a marker syncsim wrote: unreadable, not a file, or not JSON naming a command`
    : rule.unmarked?.(dir, names) ? `no ${MARKER} file in it: it holds ${command === 'run' ? 'a run\'s result files' : command === 'report' ? 'a report\'s files' : 'a validation\'s files'} without the marker `
      + `syncsim writes with them — copied there, or written by a syncsim of before 2026-12-02 — and syncsim replaces only output it marked, since what is in such a directory may have been edited; move what you keep out of it or delete it yourself`
    : `no ${MARKER} file in it`;
  return `is not empty and was not made by 'syncsim ${command}' (${why})`;
}

/** How to check an output path. */
export interface OutCheck {
  command: OutCommand;
  /** The path as the user wrote it, or the default, for messages (default: the path). */
  shown?: string;
  /** A default path must lie strictly inside this directory (e.g. `results`). */
  within?: string;
  /**
   * The results directory a report is drawn from: an earlier report there drawn from another one is refused
   * unless the path is this one's own `report/` (traces/out-source.ts).
   */
  source?: string;
}

/** `path` as messages show it: `''` for the empty string. */
export const showOut = (path: string) => (path === '' ? "''" : path);

/**
 * Checks that `command` may write its output directory at `out` (see the
 * module comment) and, for a command that replaces it, that it can be
 * removed (traces/out-replace.ts); returns its absolute path; throws an
 * OutDirError `--out DIR: why; choose a new directory` otherwise.
 */
export function checkOutDir(out: string, o: OutCheck): string {
  const refuse = (why: string): never => {
    throw new OutDirError(`--out ${showOut(o.shown ?? out)}: ${why}; choose a new directory`);
  };
  if (out === '') refuse('the path is empty');
  const abs = resolve(out);
  if (o.within !== undefined) {
    if (whereIs(abs, o.within) !== 'inside') refuse(`the default resolves to ${abs}, not a directory inside ${o.within}/ (give --out)`);
  }
  let st;
  try {
    st = lstatSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return abs;
    refuse(code === 'ENOTDIR' ? 'a part of the path is a file, not a directory' : `cannot be used (${code ?? 'error'})`);
  }
  const real = st!.isSymbolicLink() ? abs : realpathSync(abs);
  for (const cwd of new Set([process.cwd(), realpathSync(process.cwd())])) {
    if (cwd === abs || cwd === real) refuse('is the working directory');
    if (cwd.startsWith(abs.endsWith(sep) ? abs : abs + sep) || cwd.startsWith(real.endsWith(sep) ? real : real + sep)) refuse('is an ancestor of the working directory');
  }
  if (st!.isSymbolicLink()) {
    let target = 'dangling';
    try {
      target = statSync(abs).isDirectory() ? 'to a directory' : 'to a file';
    } catch {
      /* dangling */
    }
    refuse(`is a symbolic link (${target}); syncsim replaces only directories it made`);
  }
  if (!st!.isDirectory()) refuse('is a file, not a directory syncsim made');
  const why = whyNotOwned(abs, o.command);
  if (why !== undefined) refuse(why);
  const other = o.source === undefined ? undefined : whyOtherSource(abs, o.source);
  if (other !== undefined) refuse(other);
  // a directory replaced whole (not a sweep's, written into) must be removable, or it would be found not to be only once the new output took its place
  if (!WRITTEN_INTO.has(o.command)) {
    const stuck = whyNotRemovable(abs, showOut(o.shown ?? out));
    if (stuck !== undefined) refuse(`cannot be replaced: ${stuck}`);
  }
  return abs;
}

/** The commands that write into their output directory rather than replace it. */
const WRITTEN_INTO: ReadonlySet<OutCommand> = new Set(['sweep', 'merge']);

/** Where `path` lies against directory `dir` (both resolved): `dir` itself, inside it, or elsewhere (undefined). */
export function whereIs(path: string, dir: string): 'same' | 'inside' | undefined {
  const rel = relative(resolve(dir), resolve(path));
  if (rel === '') return 'same';
  return rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel) ? undefined : 'inside';
}

/** {@link whereIs} of the two paths as they resolve on disk (symbolic links followed as far as each exists), else as written. */
export function whereIsOnDisk(path: string, dir: string): 'same' | 'inside' | undefined {
  return whereIs(path, dir) ?? whereIs(onDisk(path), onDisk(dir));
}

/** `path` with the longest part of it that exists resolved through its symbolic links, the rest as written. */
function onDisk(path: string): string {
  const rest: string[] = [];
  for (let p = resolve(path); ; ) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const up = resolve(p, '..');
      if (up === p) return resolve(path);
      rest.push(relative(up, p));
      p = up;
    }
  }
}

/** How {@link checkOutFile} words the refusal of an existing file it does not recognise. */
export interface NotOursText {
  /** What the file is not, after `it exists and `: `is not a trace syncsim wrote (...)`. */
  why: string;
  /** What to do, after the `; `. */
  advice: string;
}

/**
 * Checks that an output file may be written at `path` (replacing what is
 * there): it is missing, or a regular file that `isOurs` recognises, from
 * its first 4 KiB (as text, and as bytes), as written by syncsim. Throws
 * `FLAG SHOWN: why; choose a new file` otherwise (FLAG default `--out`); an
 * existing file `isOurs` does not recognise is refused in the words of
 * `notOurs` (default: `it exists and syncsim did not write it; choose a new file`).
 */
export function checkOutFile(path: string, shown: string, isOurs: (text: string, head: Buffer) => boolean, flag = '--out', notOurs?: NotOursText): void {
  const refuse = (why: string, advice = 'choose a new file'): never => {
    throw new OutDirError(`${flag} ${showOut(shown)}: ${why}; ${advice}`);
  };
  if (path === '') refuse('the path is empty');
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    refuse(code === 'ENOTDIR' ? 'a part of the path is a file, not a directory' : `cannot be used (${code ?? 'error'})`);
  }
  const what = resolve(path) === resolve(shown) ? 'it' : path;
  if (st!.isSymbolicLink()) refuse(`${what} is a symbolic link`);
  if (st!.isDirectory()) refuse(`${what} is a directory`);
  if (!st!.isFile()) refuse(`${what} is not a regular file`);
  let head = Buffer.alloc(0);
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    refuse(`${what} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!isOurs(head.toString('utf8'), head)) refuse(`${what} exists and ${notOurs?.why ?? 'syncsim did not write it'}`, notOurs?.advice);
}
