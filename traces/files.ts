/**
 * File helpers shared across the project: gzip detection, errno text, and
 * writing atomically — a file or a directory is filled under a hidden
 * temporary name beside its target and renamed into place only when complete,
 * so a crash, a kill or an error never leaves half of one, and what was there
 * before stays until the new one replaces it.
 */
import { closeSync, createReadStream, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, promises as fsp, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkOutDir, OutDirError, readMarker, treeOf, writeMarker, type OutCommand } from './out-dir.ts';
import { sourcePath } from './out-source.ts';
import { createGunzip } from 'node:zlib';
import { processAlive } from './process-alive.ts';
import { namingFile } from './write-failures.ts';

/** Whether the file starts with the gzip magic bytes 0x1f 0x8b. */
export async function isGzip(path: string): Promise<boolean> {
  return startsGzip(await fileStart(path, 2));
}

/** Whether `head`, a file's first bytes, begins with the gzip magic bytes. */
export const startsGzip = (head: Uint8Array): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** The first `bytes` bytes of the file at `path` (fewer when it is shorter); the open's error as it comes. */
export async function fileStart(path: string, bytes: number): Promise<Buffer> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * The 1-based line (LF or CR LF line breaks; a lone CR is not one) holding byte `offset` of the
 * file's content, gunzipped when `gz`, and that line's bytes (at most 200).
 * For error messages: reads up to the end of that line.
 */
export async function lineAtOffset(path: string, gz: boolean, offset: number): Promise<{ line: number; bytes: Buffer }> {
  const source = createReadStream(path, { highWaterMark: 1 << 16 });
  const feed = gz ? source.pipe(createGunzip()) : source;
  let line = 1;
  let pos = 0;
  const text: number[] = [];
  try {
    for await (const chunk of feed as AsyncIterable<Buffer>) {
      for (let i = 0; i < chunk.length; i++, pos++) {
        const b = chunk[i]!;
        if (b === 10) {
          if (pos >= offset) return { line, bytes: Buffer.from(text) };
          line++;
          text.length = 0;
        } else if (b !== 13 && text.length < 200) text.push(b);
      }
    }
  } finally {
    source.destroy();
    feed.destroy();
  }
  return { line, bytes: Buffer.from(text) };
}

/** A few words for the errno codes of opening a file. */
const OPEN_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'not found',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'name too long',
};

/** Whether `e` is an error of the system (a failed open, write or mkdir: it carries an errno code and the call), not a fault of syncsim. */
export function isSystemError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** Why opening a file failed, in a few words (`is a directory`, `permission denied`, ...). */
export function openProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return (typeof e?.code === 'string' && OPEN_PROBLEMS[e.code]) || (e?.message ?? String(err)).split('\n')[0]!;
}

/**
 * Why `path` cannot be read as an input file (see {@link openProblem}), or
 * undefined when it can. Only regular files are opened to check (opening a
 * FIFO would block).
 */
export function unreadableReason(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'is a directory';
    if (st.isFile()) closeSync(openSync(path, 'r'));
    return undefined;
  } catch (e) {
    return openProblem(e);
  }
}

/** The errno code of an I/O error (`ENOENT`, ...), or `error`. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return (e && typeof e.code === 'string' && e.code) || 'error';
}

/** Whether a process of this host still runs (moved to traces/process-alive.ts; importers of this module keep it). */
export { processAlive } from './process-alive.ts';

/** The hidden temporary name beside `path` of writer `owner` (default this process): `.NAME.tmp-OWNER`. */
export function tempBeside(path: string, owner: string | number = process.pid): string {
  return join(dirname(path), `.${basename(path)}.tmp-${owner}`);
}

/**
 * Writes all of `bytes` to `fd` (of file `path`, for the message), at file offset `position`
 * or, without one, at the file's own offset: a write that stops short (a full disk, a file size
 * limit) goes on until the system says why, so that no file is left short without an error.
 */
export function writeAll(fd: number, bytes: Uint8Array, path: string, position?: number): void {
  for (let done = 0; done < bytes.length;) {
    const n = writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
    if (n <= 0) throw Object.assign(new Error(`ENOSPC: nothing written, write '${path}'`), { code: 'ENOSPC', syscall: 'write' });
    done += n;
  }
}

/**
 * A file written under a temporary name (default {@link tempBeside}) and
 * renamed to `path` by `commit`, or removed by `abort`.
 */
export class TempFile {
  readonly fd: number;
  /** Whether `fd` was closed (a descriptor number closed twice may by then be another thread's file). */
  private closed = false;

  constructor(readonly path: string, readonly tmp: string = tempBeside(path)) {
    this.fd = openSync(tmp, 'w');
  }

  /** Writes all of `bytes` at file offset `position`; a write that stops short (a full disk, a file size limit) goes on until the system says why. */
  writeAt(bytes: Uint8Array, position: number): void {
    writeAll(this.fd, bytes, this.tmp, position);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** Closes the file (flushed to disk first when `durable`) and moves it to `path` ({@link placeFile}: past `mayReplace` when given). */
  commit(durable = false, mayReplace?: () => void): void {
    if (durable) fsyncSync(this.fd);
    this.close();
    placeFile(this.tmp, this.path, mayReplace);
  }

  /** Closes and removes the temporary file; `path` is untouched. */
  abort(): void {
    try {
      this.close();
    } catch {
      /* closing failed: the descriptor is released all the same */
    }
    rmSync(this.tmp, { force: true });
  }
}

/**
 * Moves the complete temporary file `tmp` to `path`. Without `mayReplace`, a
 * rename. With it (the check a command made of `path` before its work, which
 * throws when what is there may not be replaced), a file that appeared at
 * `path` while the command ran is never replaced unchecked: a missing `path`
 * gets a hard link (which fails when a file was made there meanwhile); a file
 * there, or a file system without hard links, is checked again by
 * `mayReplace` before the rename. When it throws, `tmp` is left for the
 * caller to remove.
 */
export function placeFile(tmp: string, path: string, mayReplace?: () => void): void {
  if (mayReplace !== undefined) {
    let linked = false;
    try {
      linkSync(tmp, path);
      linked = true;
    } catch {
      // EEXIST (something is there now), or no hard links here: checked again, then renamed
    }
    if (linked) {
      // the trace is in place: the temporary name goes (an error here is the system's, not a refusal of our own file)
      rmSync(tmp, { force: true });
      return;
    }
    mayReplace();
  }
  renameSync(tmp, path);
}

/**
 * `mkdirSync(path, { recursive: true })`, one directory at a time: Node's own
 * recursive mkdir never returns where a directory refuses new entries with
 * ENOENT (procfs: `mkdir /proc/x` fails so, and Node then makes the parent,
 * which exists, and tries again forever); here that ENOENT is thrown. Returns
 * the first directory made, or undefined when `path` was a directory already,
 * as Node's does.
 */
export function makeDirs(path: string): string | undefined {
  const target = resolve(path);
  // the directories missing, deepest first, up to the first path that exists
  const missing: string[] = [];
  for (let p = target; statSync(p, { throwIfNoEntry: false }) === undefined; p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  // an existing target that is not a directory: mkdir says so (EEXIST), as Node's does
  if (missing.length === 0 && !statSync(target).isDirectory()) mkdirSync(target);
  let first: string | undefined;
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (e) {
      // made meanwhile by another process
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(missing[i]!).isDirectory()) continue;
      throw e;
    }
    first ??= missing[i];
  }
  return first;
}

/**
 * Writes `data` to `path` (its directory made if need be) as a {@link TempFile} flushed to disk; on
 * failure `path` is untouched, and a failed write names it (`path` of the error, {@link namingFile}).
 * `mayReplace`: the command's check of `path`, made again as the file takes its place ({@link placeFile}).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, tmp?: string, mayReplace?: () => void): void {
  makeDirs(dirname(path));
  const f = new TempFile(path, tmp);
  try {
    writeFileSync(f.fd, data);
    f.commit(true, mayReplace);
  } catch (e) {
    f.abort();
    throw namingFile(e, path);
  }
}

/** Whether anything is at `path` (a dangling link too). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes `path` when it is a leftover of syncsim's own staging: a real
 * directory (not a link) that is empty or holds syncsim's marker (a stage
 * of a command that writes one, or an earlier output renamed aside).
 * Anything else — a user's file or directory that happens to have such a
 * name — is left alone. Whether it was removed.
 */
function removeLeftover(path: string): boolean {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return false;
  }
  if (!st.isDirectory()) return false;
  try {
    if (readdirSync(path).length > 0 && readMarker(path) === undefined) return false;
    rmSync(path, { recursive: true, force: true });
  } catch {
    // one that cannot be listed or removed (its permissions, an immutable file in it) stays
    return false;
  }
  return true;
}

/** Makes room at `path`, a name this process stages `out` under: a leftover of syncsim's is removed, anything else refused (OutDirError). */
function clearOwn(path: string, out: string): void {
  if (!removeLeftover(path) && present(path)) throw new OutDirError(`--out ${out}: ${path} is in the way (not a staging directory of syncsim's: move it)`);
}

/**
 * A directory being filled: `path` (`.NAME.tmp-PID`, beside `out`) until
 * {@link commit} renames it to `out`, replacing what was there only then.
 * Opening one removes the temporary directories beside `out` of processes
 * that died (those it can: one it cannot remove is left). Given the `command` whose output it is, the directory gets that
 * command's `.syncsim` marker, and `commit` refuses (OutDirError) to replace
 * anything but a missing or empty directory or that command's output
 * (traces/out-dir.ts; commands check this before starting too).
 */
export class StagingDir {
  readonly out: string;
  readonly path: string;
  private done = false;
  /** `out` as it was given, for messages. */
  private readonly shown: string;

  /** `source`: the results directory a report is drawn from, recorded in its marker and checked on commit (traces/out-source.ts). */
  constructor(out: string, private readonly command?: OutCommand, private readonly source?: string) {
    this.shown = out;
    this.out = resolve(out);
    const parent = dirname(this.out);
    makeDirs(parent);
    const prefix = `.${basename(this.out)}.`;
    for (const name of readdirSync(parent)) {
      const m = name.startsWith(prefix) ? /^(?:tmp|old)-(\d+)$/.exec(name.slice(prefix.length)) : null;
      if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) removeLeftover(join(parent, name));
    }
    this.path = tempBeside(this.out);
    clearOwn(this.path, out);
    mkdirSync(this.path);
    try {
      if (command) writeMarker(this.path, command, undefined, source === undefined ? undefined : sourcePath(source));
    } catch (e) {
      // a full disk: the directory just made goes (a marker written in part would keep it from being cleared later)
      rmSync(this.path, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * Renames the staging directory to `out`, replacing what was there: that is
   * renamed aside first, and removed once the new output is in place (should
   * that removal fail, the new output stays and an OutDirError says where the
   * rest of the old one is).
   */
  commit(): void {
    if (this.done) return;
    // the marker lists what the command wrote, so that a later replace can tell the user's files apart
    if (this.command) writeMarker(this.path, this.command, treeOf(this.path), this.source === undefined ? undefined : sourcePath(this.source));
    if (this.command) checkOutDir(this.out, { command: this.command, shown: this.shown, ...(this.source === undefined ? {} : { source: this.source }) });
    if (existsSync(this.out)) {
      const old = join(dirname(this.out), `.${basename(this.out)}.old-${process.pid}`);
      clearOwn(old, this.out);
      renameSync(this.out, old);
      try {
        renameSync(this.path, this.out);
      } catch (e) {
        renameSync(old, this.out); // what was there goes back
        throw e;
      }
      this.done = true;
      try {
        rmSync(old, { recursive: true, force: true });
      } catch (e) {
        // checkOutDir found it removable: a file made append-only, or a change since; the new output stays, the old one is not lost
        throw new OutDirError(`--out ${this.out}: written, but the output it replaced could not be removed (${(e as Error).message}): what is left of it is in ${old}; remove it yourself`);
      }
    } else renameSync(this.path, this.out);
    this.done = true;
  }

  /** Removes the staging directory; `out` is untouched. */
  abort(): void {
    if (this.done) return;
    rmSync(this.path, { recursive: true, force: true });
    this.done = true;
  }
}

/** The first `bytes` bytes of file `path` (fewer when it is shorter), or undefined when it cannot be read. */
/** Reads `length` bytes of the open file `fd` at `position`, fewer at its end, a MiB a read at most (one read gives at most about 2 GiB on Linux). */
export function readAt(fd: number, length: number, position: number): Buffer {
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const k = readSync(fd, b, got, Math.min(1 << 20, length - got), position + got);
    if (k <= 0) break;
    got += k;
  }
  return b.subarray(0, got);
}

export function readHead(path: string, bytes = 4096): Buffer | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(bytes);
      return b.subarray(0, readSync(fd, b, 0, b.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
