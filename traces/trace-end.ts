/**
 * The time of a trace's last row, when it can be known before the trace is read: from a binary
 * cache (its block headers, then the last block's last time: a few small reads), or from the end
 * of a plain CSV (its last line, read from the file's last bytes). Times never decrease in a
 * trace, so the last row's time is its end. Undefined when it cannot be known cheaply (a gzip
 * file, a last line with quotes or longer than the bytes read, an unreadable file): it is only a
 * hint, and the read of the rows checks everything.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { BLOCK_HEADER_BYTES, BLOCK_ROWS, cacheHeader, cacheMatches, HEADER_BYTES, isCacheFile, sourceIdentity } from './cache.ts';
import { cachePathFor, ensureCache } from './open.ts';
import { readAt, startsGzip } from './files.ts';
import type { ByteTap } from './byte-tap.ts';

/** Bytes read from the end of a CSV for its last line. */
const TAIL_BYTES = 64 * 1024;

/** The time (µs) of the last row of the binary cache `path`, or undefined (no rows, or not a valid cache). */
export function cacheEndUs(path: string): number | undefined {
  let fd: number | undefined;
  try {
    const h = cacheHeader(path);
    if (h.blocks === 0) return undefined;
    fd = openSync(path, 'r');
    let pos = HEADER_BYTES;
    let last: { pos: number; n: number } | undefined;
    for (let b = 0; b < h.blocks; b++) {
      const bh = readAt(fd, BLOCK_HEADER_BYTES, pos);
      if (bh.length !== BLOCK_HEADER_BYTES) return undefined;
      const n = bh.readUInt32LE(0), payload = bh.readUInt32LE(4);
      if (n === 0 || n > BLOCK_ROWS || pos + BLOCK_HEADER_BYTES + payload > h.stringsOffset) return undefined;
      last = { pos, n };
      pos += BLOCK_HEADER_BYTES + payload;
    }
    // the payload begins with the f64 times of its rows, in ns
    const t = readAt(fd, 8, last!.pos + BLOCK_HEADER_BYTES + 8 * (last!.n - 1));
    if (t.length !== 8) return undefined;
    const ns = t.readDoubleLE(0);
    return Number.isFinite(ns) && ns >= 0 ? ns / 1000 : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether `line` is neither blank nor a comment. */
const isRow = (line: string) => line.trim() !== '' && !line.startsWith('#');

/** A `t_us` field's value (µs), or undefined when it is not one (the reader's syntax: digits, maybe a dot and digits). */
function timeField(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/** The time (µs) of the last row of the plain CSV trace `path`, or undefined when it cannot be told from its first and last bytes. */
export function csvEndUs(path: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const head = readAt(fd, Math.min(size, TAIL_BYTES), 0);
    if (startsGzip(head)) return undefined; // gzip: its end is known only once it is read
    const headLines = head.toString('utf8').replace(/^\uFEFF/, '').split('\n');
    // the header: the first line that is neither a comment nor blank, whole within the bytes read
    const hi = headLines.findIndex(isRow);
    if (hi < 0 || hi === headLines.length - 1) return undefined;
    const header = headLines[hi]!.replace(/\r$/, '');
    if (header.includes('"')) return undefined;
    const col = header.split(',').map((c) => c.trim()).indexOf('t_us');
    if (col < 0) return undefined;
    const start = Math.max(0, size - TAIL_BYTES);
    const tail = readAt(fd, size - start, start).toString('utf8');
    if (tail.includes('"')) return undefined; // a quoted field may hold a line break: the last line is not surely a row
    const lines = tail.split('\n');
    if (start > 0) lines.shift(); // the first may be cut
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!.replace(/\r$/, '');
      if (!isRow(line)) continue;
      if (start === 0 && line === header && lines.slice(0, i).map((l) => l.replace(/\r$/, '')).filter(isRow).length === 0) return undefined; // the header alone
      return timeField(line.split(',')[col]);
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The time (µs) of the last row of `path`, a binary cache (`cache`) or a CSV, when it can be known before reading the trace ({@link cacheEndUs}, {@link csvEndUs}). */
export function knownTraceEndUs(path: string, cache: boolean): number | undefined {
  return cache ? cacheEndUs(path) : csvEndUs(path);
}

/**
 * Makes the binary cache of `trace` in `cacheDir` before it is replayed, when the trace's end
 * cannot be told from the CSV itself (a gzip file) and no valid cache holds it: the one read of
 * the CSV the replay would make anyway, so that its end is known before the run ({@link cacheEndUs})
 * and the rows then come from the cache. A trace that is bad, or a cache that cannot be written,
 * is left to the replay's own read, which says why. `progressTap` sees the CSV's bytes as they
 * are read (progress). Returns the SHA-256 of the CSV's bytes when it read them (the one the
 * cache records), else undefined.
 */
export async function cacheBeforeReplay(trace: string, cacheDir: string, progressTap?: ByteTap): Promise<string | undefined> {
  let sha256: string | undefined;
  try {
    if (isCacheFile(trace) || csvEndUs(trace) !== undefined || cacheMatches(cachePathFor(trace, cacheDir), sourceIdentity(trace))) return undefined;
    await ensureCache(trace, cacheDir, progressTap, { onBuilt: (sha) => (sha256 = sha) });
  } catch {
    // the replay reads the CSV and reports what is wrong
  }
  return sha256;
}
