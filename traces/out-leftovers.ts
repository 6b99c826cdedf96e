/**
 * What syncsim leaves in an output directory besides the files its marker
 * lists, and which is syncsim's all the same when that directory is replaced
 * (traces/out-dir.ts, foreignPaths): the trace cache directory of a run whose
 * --out was inside it, and what a syncsim killed while writing there left —
 * the lock file and staging directory of a report of that run, or of a run
 * inside it. A file of the user's that merely has such a name is not.
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CACHE_MAGIC } from './cache.ts';
import { processAlive } from './process-alive.ts';

/** Whether directory `dir` holds a `.syncsim` marker naming a command (as traces/out-dir.ts writes it). */
function hasMarker(dir: string): boolean {
  try {
    return typeof (JSON.parse(readFileSync(join(dir, '.syncsim'), 'utf8')) as { command?: unknown })?.command === 'string';
  } catch {
    return false;
  }
}

/**
 * Whether `path` (named `name`) is what a syncsim process of this host that is gone left beside
 * its output: its lock file `.NAME.lock` (traces/out-lock.ts), naming that process, or its
 * staging directory `.NAME.tmp-PID` / `.NAME.old-PID` (traces/files.ts), empty or marked.
 */
export function isDeadLeftover(path: string, name: string): boolean {
  try {
    const st = lstatSync(path);
    const staging = /^\..+\.(?:tmp|old)-(\d+)$/.exec(name);
    if (staging) {
      const pid = Number(staging[1]);
      return st.isDirectory() && pid !== process.pid && !processAlive(pid) && (readdirSync(path).length === 0 || hasMarker(path));
    }
    if (!/^\..+\.lock$/.test(name) || !st.isFile()) return false;
    const h = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof h.pid === 'number' && h.host === hostname() && h.pid !== process.pid && !processAlive(h.pid);
  } catch {
    return false;
  }
}

/** Whether `dir` holds trace caches only: regular files named `*.sst` or `*.sst.tmp-...`, each empty or beginning with the cache's magic. */
export function isTraceCacheDir(dir: string): boolean {
  try {
    return readdirSync(dir).every((n) => {
      const p = join(dir, n);
      if (!/\.sst(\.tmp-.+)?$/.test(n) || !lstatSync(p).isFile()) return false;
      const head = Buffer.alloc(CACHE_MAGIC.length);
      const fd = openSync(p, 'r');
      try {
        const got = readSync(fd, head, 0, head.length, 0);
        return got === 0 || head.subarray(0, got).toString('latin1') === CACHE_MAGIC;
      } finally {
        closeSync(fd);
      }
    });
  } catch {
    return false;
  }
}
