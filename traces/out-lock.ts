/**
 * One writer per output path: a lock file `.NAME.lock` beside the output
 * (so it can be taken before the output exists), created with O_EXCL and
 * holding the writer's pid, host, command and start time. A lock of this host
 * whose process is gone is stale and taken over; another host's lock is
 * respected (its process cannot be checked from here).
 */
import { closeSync, openSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { processAlive, makeDirs, writeAll } from './files.ts';
import { checkOutDir, OutDirError, showOut, type OutCheck } from './out-dir.ts';

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** The lock file of output `target`: `.NAME.lock` beside it. */
export function lockFileOf(target: string): string {
  const abs = resolve(target);
  return join(dirname(abs), `.${basename(abs)}.lock`);
}

/** Lock files this process holds (a lock naming this pid but not listed here is a dead process's whose pid was reused). */
const held = new Set<string>();

function readHolder(path: string): LockHolder | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') return { pid: h.pid, host: h.host, command: String(h.command ?? ''), since: String(h.since ?? '') };
  } catch {
    /* being written */
  }
  return undefined;
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function isStale(path: string, h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  return h.pid === process.pid ? !held.has(path) : !processAlive(h.pid);
}

/**
 * The holder of the lock beside output `target` when it is a live writer's (a process of this
 * host that still runs and is not this one, or this one holding it, or one of another host,
 * which cannot be checked), of `command` if given;
 * else undefined. For what a message says of it: taking the lock judges a holder itself.
 */
export function liveWriter(target: string, command?: string): LockHolder | undefined {
  const path = lockFileOf(target);
  const h = readHolder(path);
  if (typeof h !== 'object' || (command !== undefined && h.command !== command)) return undefined;
  // judged as lockOut judges it: a lock naming this process that it does not hold is a dead one's too
  return isStale(path, h) ? undefined : h;
}

/** `pid P on host H, since T`: who holds a lock, as messages name it. */
export function writerText(h: LockHolder): string {
  return `pid ${h.pid} on host ${h.host}${h.since ? `, since ${h.since}` : ''}`;
}

/** Locks not yet released: one exit handler releases them all (`npm run validate` holds one per job at once). */
const live = new Set<OutLock>();

function releaseLive(): void {
  for (const lock of [...live]) lock.release();
}

/**
 * A lock taken on an output path; {@link release} it when done. It is also
 * released when the process exits — including through the SIGINT/SIGTERM
 * handlers of run, sweep and validate, which exit. No signal handler is added
 * here: a JavaScript handler would delay a signal until the event loop turns,
 * which a long synchronous step (drawing a chart) does not do; a process
 * killed by a signal leaves its lock file, and the next writer of this host
 * finds its pid gone and takes it over.
 */
export class OutLock {
  private released = false;

  /** `createdFrom`: the outermost directory made to hold the lock file; those left empty are removed on release. */
  constructor(readonly path: string, readonly holder: LockHolder, private readonly createdFrom?: string) {
    held.add(path);
    if (live.size === 0) process.on('exit', releaseLive);
    live.add(this);
  }

  /** Removes the lock file (if it is still this one). */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.path);
    live.delete(this);
    if (live.size === 0) process.off('exit', releaseLive);
    const h = readHolder(this.path);
    if (typeof h === 'object' && h.pid === this.holder.pid && h.host === this.holder.host && h.since === this.holder.since) {
      try {
        unlinkSync(this.path);
      } catch {
        /* already gone */
      }
    }
    removeMadeDirs(dirname(this.path), this.createdFrom);
  }
}

/** Removes `dir` and its parents up to `createdFrom` (the outermost directory made for a lock file), each only while empty. */
function removeMadeDirs(dir: string, createdFrom: string | undefined): void {
  if (createdFrom === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    try {
      rmdirSync(d); // only when empty: the command wrote nothing there
    } catch {
      return;
    }
    if (d === createdFrom || dirname(d) === d) return;
  }
}

/**
 * Takes the lock of output `target` for `command`; when another live writer
 * holds it, throws `--out SHOWN: locked by pid N on host H (running since T);
 * wait for it or choose another directory` (`--out`: `flag`, the option as the
 * user wrote it). A lock file that cannot be written whole (a full disk, a file
 * size limit) is removed again, with the directories made for it, and refused
 * as `--out SHOWN: cannot write the lock file ...`.
 */
export function lockOut(target: string, command: string, shown: string = target, noun: 'directory' | 'file' = 'directory', flag = '--out'): OutLock {
  const path = lockFileOf(target);
  // the lock file and its directory as the user named the output (relative stays relative)
  const shownLock = showOut(join(dirname(shown), basename(path)));
  const shownDir = showOut(dirname(join(dirname(shown), basename(path))));
  const me: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  let created: string | undefined;
  for (let attempt = 0; attempt < 50; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        try {
          created ??= makeDirs(dirname(path));
        } catch (m) {
          throw new OutDirError(`${flag} ${showOut(shown)}: cannot make ${shownDir} (${(m as NodeJS.ErrnoException).code ?? 'error'}); choose another ${noun}`);
        }
        continue;
      }
      if (code !== 'EEXIST') throw new OutDirError(`${flag} ${showOut(shown)}: cannot create the lock file ${shownLock} (${code ?? 'error'}); choose another ${noun}`);
      const h = readHolder(path);
      if (h === 'gone') continue;
      if (h === undefined) {
        // just created and not written yet, or garbage: wait a little before judging
        if (attempt < 20) {
          pause(25);
          continue;
        }
        throw new OutDirError(`${flag} ${showOut(shown)}: locked (the lock file ${shownLock} is unreadable; delete it if no syncsim writes there); wait for it or choose another ${noun}`);
      }
      if (!isStale(path, h)) {
        const what = [h.command ? `syncsim ${h.command}` : '', h.since ? `running since ${h.since}` : ''].filter(Boolean).join(', ');
        throw new OutDirError(`${flag} ${showOut(shown)}: locked by pid ${h.pid} on host ${h.host}${what ? ` (${what})` : ''}; wait for it or choose another ${noun}`);
      }
      // a dead writer's: remove it if it is still that one, then try again
      const again = readHolder(path);
      if (typeof again === 'object' && again.pid === h.pid && again.since === h.since) {
        try {
          unlinkSync(path);
        } catch {
          /* someone else removed it */
        }
      }
      continue;
    }
    try {
      writeAll(fd, Buffer.from(JSON.stringify(me) + '\n'), shownLock, 0);
    } catch (e) {
      // a full disk, a quota, a file size limit: an empty lock file left here would lock the output until removed by hand
      try {
        closeSync(fd);
      } catch {
        /* the descriptor is released all the same */
      }
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
      removeMadeDirs(dirname(path), created);
      throw new OutDirError(`${flag} ${showOut(shown)}: cannot write the lock file ${shownLock} (${(e as Error).message}); choose another ${noun}`);
    }
    closeSync(fd);
    return new OutLock(path, me, created);
  }
  throw new OutDirError(`${flag} ${showOut(shown)}: cannot take the lock ${shownLock}; choose another ${noun}`);
}

/**
 * Checks output directory `out` for `o.command` ({@link checkOutDir}), locks
 * it, and checks it again under the lock (another writer may have finished
 * meanwhile). Returns the absolute path and the lock to release.
 */
export function claimOutDir(out: string, o: OutCheck): { abs: string; lock: OutLock } {
  const abs = checkOutDir(out, o);
  const lock = lockOut(abs, o.command, o.shown ?? out);
  try {
    checkOutDir(out, o);
  } catch (e) {
    lock.release();
    throw e;
  }
  return { abs, lock };
}
