/**
 * A trace's binary cache made from another version of its CSV than the one on disk: one whose
 * identity (size, mtime, hash of the first and last MiB) is the CSV's, but whose recorded
 * SHA-256 is not (the CSV was edited in the middle, its size kept and its mtime put back). Such a
 * cache is found once the CSV's SHA-256 is known — before a sweep's runs, or as a run's
 * provenance hashes the CSV beside the replay — and deleted; the rows then come from the CSV.
 */
import { rmSync } from 'node:fs';
import { cacheHeader } from './cache.ts';

/**
 * The one line that says the cache `cachePath` of `trace` records SHA-256 `cacheSha256` where the
 * CSV's is `fileSha256`, and what was done: `then`, how the sentence ends (what comes from the CSV).
 * Control characters are left as they are: the caller's output escapes them.
 */
export function staleCacheMessage(cachePath: string, trace: string, cacheSha256: string, fileSha256: string, then: string): string {
  return `the trace cache ${cachePath} was made from another version of ${trace} (SHA-256 ${cacheSha256}; the file's is now ${fileSha256}, ` +
    `with the same size and modification time): it is deleted, ${then}`;
}

/**
 * Deletes the cache at `cachePath` when its header still records `sha256`, the stale version's
 * hash (another run may have made it again from the CSV meanwhile: that one is kept); quietly
 * nothing when it cannot (a later write of the cache says why).
 */
export function dropStaleCache(cachePath: string, sha256: string): void {
  try {
    if (cacheHeader(cachePath).sourceSha256 !== sha256) return;
  } catch {
    return; // gone, or not a whole cache: nothing of the stale one to drop
  }
  try {
    rmSync(cachePath, { force: true });
  } catch {
    // not removable: a later write of the cache says why
  }
}
