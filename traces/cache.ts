/**
 * The binary trace cache (`.sst`): a compact columnar copy of a native trace
 * (typed arrays, versioned, checksummed) that later replays read far faster
 * than CSV. It records the identity of the CSV it was made from (size,
 * modification time, a hash of its first and last MiB), so a changed source
 * makes it stale; every block carries a checksum, so a corrupted file is
 * detected before it is used.
 *
 * Layout (little-endian):
 *   header   64 bytes: magic "SYNCSST1", version, rows, blocks, source size,
 *            source mtime, source fingerprint, offset and length of the
 *            string table, header checksum
 *   blocks   each: u32 rows, u32 payload bytes, u32 checksum, u32 0, then the
 *            payload: f64 t_ns, addr, len, offset; u32 line, task, object,
 *            flags; u8 op (padded to 8 bytes); u32 extras JSON length and the
 *            JSON (padded to 8 bytes)
 *   strings  JSON {tasks, objects, extraCols} (task and object names by index)
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { RowBlock, type RowStrings, type TraceRow } from './types.ts';

/** First 8 bytes of every binary trace cache. */
export const CACHE_MAGIC = 'SYNCSST1';
const MAGIC = CACHE_MAGIC;
/** Format version; a cache of another version is stale (2: map rows may carry the flags RANDOM and SEQUENTIAL). */
export const CACHE_VERSION = 2;
/** Bytes of the file header. */
export const HEADER_BYTES = 64;
/** Bytes of each block's header (rows, payload bytes, checksum, 0). */
export const BLOCK_HEADER_BYTES = 16;
/** Rows per block. */
export const BLOCK_ROWS = 65536;
const FINGERPRINT_BYTES = 1 << 20;

/** What identifies the CSV a cache was made from. */
export interface SourceIdentity {
  size: number;
  mtimeMs: number;
  fingerprint: number;
}

/** A cache that cannot be used: stale, corrupted, or not a cache at all. */
export class CacheError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CacheError';
  }
}

/** A 32-bit hash over the words of `u32` (multiply-xor-rotate). */
function hashWords(u32: Uint32Array, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = 0; i < u32.length; i++) {
    h = Math.imul(h ^ u32[i], 0x9e3779b1);
    h = (h << 13) | (h >>> 19);
  }
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit hash of `buf` (its words, then its last bytes): the cache's checksums and fingerprints. */
export function hashBytes(buf: Uint8Array, seed?: number): number {
  const words = Math.floor(buf.length / 4);
  let h = hashWords(new Uint32Array(buf.buffer, buf.byteOffset, words), seed);
  for (let i = words * 4; i < buf.length; i++) h = Math.imul(h ^ buf[i], 0x9e3779b1) >>> 0;
  return h >>> 0;
}

/** The identity of the file at `path` (size, mtime, hash of its first and last MiB). */
export function sourceIdentity(path: string): SourceIdentity {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    const n = Math.min(FINGERPRINT_BYTES, st.size);
    const head = Buffer.alloc(n);
    readSync(fd, head, 0, n, 0);
    const tail = Buffer.alloc(n);
    readSync(fd, tail, 0, n, Math.max(0, st.size - n));
    return { size: st.size, mtimeMs: st.mtimeMs, fingerprint: hashBytes(tail, hashBytes(head)) };
  } finally {
    closeSync(fd);
  }
}

/** `n` rounded up to a multiple of 8. */
export const pad8 = (n: number) => (n + 7) & ~7;

/**
 * The temporary name a writer in this process and thread uses for `path`:
 * `PATH.tmp-PID-THREAD@HOST`, distinct between the threads of a sweep and
 * between hosts sharing a cache directory.
 */
export function cacheTempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${threadId}@${hostname()}`;
}

/** The writer of a temporary cache file name, or undefined when `name` is not one. */
export function parseCacheTemp(name: string): { pid: number; host?: string } | undefined {
  const m = /\.sst\.tmp-(\d+)(?:-\d+@(.+))?$/.exec(name);
  return m ? { pid: Number(m[1]), host: m[2] } : undefined;
}

/** The parsed header of a cache file. */
export interface CacheHeader {
  rows: number;
  blocks: number;
  source: SourceIdentity;
  stringsOffset: number;
  stringsLength: number;
}

function readHeader(fd: number, path: string): CacheHeader {
  const size = fstatSync(fd).size;
  if (size < HEADER_BYTES) throw new CacheError(path, 'not a syncsim trace cache (too short)');
  const h = Buffer.alloc(HEADER_BYTES);
  readSync(fd, h, 0, HEADER_BYTES, 0);
  if (h.toString('latin1', 0, 8) !== MAGIC) throw new CacheError(path, 'not a syncsim trace cache (bad magic)');
  if (h.readUInt32LE(8) !== CACHE_VERSION) throw new CacheError(path, `cache version ${h.readUInt32LE(8)}, expected ${CACHE_VERSION}`);
  if (h.readUInt32LE(56) !== hashBytes(h.subarray(0, 56))) throw new CacheError(path, 'corrupted header (checksum)');
  const hdr: CacheHeader = {
    rows: h.readDoubleLE(12),
    blocks: h.readUInt32LE(20),
    source: { size: h.readDoubleLE(24), mtimeMs: h.readDoubleLE(32), fingerprint: h.readUInt32LE(40) },
    stringsOffset: h.readDoubleLE(44),
    stringsLength: h.readUInt32LE(52),
  };
  if (hdr.stringsOffset + hdr.stringsLength !== size) throw new CacheError(path, 'truncated or extended file');
  return hdr;
}

/** Reads a cache's header (throws CacheError when it is not a valid cache). */
export function cacheHeader(path: string): CacheHeader {
  const fd = openSync(path, 'r');
  try {
    return readHeader(fd, path);
  } finally {
    closeSync(fd);
  }
}

/** Whether the cache at `cachePath` was made from the source as it is now. */
export function cacheMatches(cachePath: string, source: SourceIdentity): boolean {
  if (!existsSync(cachePath)) return false;
  try {
    const h = cacheHeader(cachePath);
    return h.source.size === source.size && h.source.mtimeMs === source.mtimeMs && h.source.fingerprint === source.fingerprint;
  } catch {
    return false;
  }
}

/** Which file a cache check read: the same inode, size and modification time is the same, unchanged file. */
export interface CacheStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

function stampOf(fd: number): CacheStamp {
  const st = fstatSync(fd);
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

const sameStamp = (a: CacheStamp, b: CacheStamp) => a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

/**
 * Streams the rows of a cache file in blocks of columns: typed-array views
 * over each block's own buffer, checked against the block's checksum (a
 * mismatch throws CacheError) before it is yielded. With `decode` false,
 * only checks and yields nothing. `verified`: the stamp {@link verifyCache}
 * returned; when the file opened is still that one (caches are written
 * whole and renamed into place, never changed in place), the checksums it
 * checked are not computed again.
 */
export async function* readCacheBlocks(path: string, decode = true, verified?: CacheStamp): AsyncGenerator<RowBlock> {
  const fd = openSync(path, 'r');
  try {
    yield* blocksOf(fd, path, decode, verified !== undefined && sameStamp(verified, stampOf(fd)));
  } finally {
    closeSync(fd);
  }
}

/** The blocks of the cache open as `fd` ({@link readCacheBlocks}); `checked`: skip the checksums. */
function* blocksOf(fd: number, path: string, decode: boolean, checked: boolean): Generator<RowBlock> {
  const hdr = readHeader(fd, path);
  const sbuf = Buffer.alloc(hdr.stringsLength);
  readSync(fd, sbuf, 0, hdr.stringsLength, hdr.stringsOffset);
  let strings: RowStrings;
  try {
    if (!isUtf8(sbuf)) throw new Error('not UTF-8');
    strings = JSON.parse(sbuf.toString('utf8'));
    const isList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!isList(strings?.tasks) || !isList(strings.objects) || !isList(strings.extraCols)) throw new Error('bad shape');
  } catch {
    throw new CacheError(path, 'corrupted string table');
  }
  let pos = HEADER_BYTES;
  const bh = new Uint8Array(BLOCK_HEADER_BYTES);
  const dvh = new DataView(bh.buffer);
  // without decoding, one buffer serves every block; a decoded block keeps its own until the consumer
  // releases it (RowBlock.release), and a released one serves a later block: fresh memory is slow to fill
  let scratch: ArrayBuffer | undefined;
  const released: ArrayBuffer[] = [];
  const bufferBytes = (payload: number) => Math.max(payload, 49 * BLOCK_ROWS + 16);
  let total = 0;
  for (let b = 0; b < hdr.blocks; b++) {
    if (readSync(fd, bh, 0, BLOCK_HEADER_BYTES, pos) !== BLOCK_HEADER_BYTES) throw new CacheError(path, `block ${b}: truncated`);
    const n = dvh.getUint32(0, true), payload = dvh.getUint32(4, true), sum = dvh.getUint32(8, true);
    if (n === 0 || n > BLOCK_ROWS || pos + BLOCK_HEADER_BYTES + payload > hdr.stringsOffset) throw new CacheError(path, `block ${b}: bad size`);
    let buf: ArrayBuffer;
    if (decode) {
      const reuse = released.pop();
      // every byte of the payload is read into it below
      buf = reuse !== undefined && reuse.byteLength >= payload ? reuse : (Buffer.allocUnsafeSlow(bufferBytes(payload)).buffer as ArrayBuffer);
    } else {
      if (scratch === undefined || scratch.byteLength < payload) scratch = new ArrayBuffer(bufferBytes(payload));
      buf = scratch;
    }
    const body = new Uint8Array(buf, 0, payload);
    if (readSync(fd, body, 0, payload, pos + BLOCK_HEADER_BYTES) !== payload) throw new CacheError(path, `block ${b}: truncated`);
    if (!checked && hashBytes(body) !== sum) throw new CacheError(path, `block ${b}: corrupted (checksum)`);
    pos += BLOCK_HEADER_BYTES + payload;
    total += n;
    if (!decode) continue;
    let off = 0;
    const t = new Float64Array(buf, off, n); off += 8 * n;
    const addr = new Float64Array(buf, off, n); off += 8 * n;
    const len = new Float64Array(buf, off, n); off += 8 * n;
    const offset = new Float64Array(buf, off, n); off += 8 * n;
    const line = new Uint32Array(buf, off, n); off += 4 * n;
    const task = new Uint32Array(buf, off, n); off += 4 * n;
    const object = new Uint32Array(buf, off, n); off += 4 * n;
    const flags = new Uint32Array(buf, off, n); off += 4 * n;
    const op = new Uint8Array(buf, off, n); off += pad8(n);
    const exLen = new DataView(buf, off, 8).getUint32(0, true); off += 8;
    let extras: string[][] | undefined;
    if (exLen > 0) extras = JSON.parse(Buffer.from(buf, off, exLen).toString('utf8'));
    const block = new RowBlock(n, t, addr, len, offset, line, task, object, flags, op, strings, extras);
    const bad = block.firstBadRow();
    if (bad >= 0) throw new CacheError(path, `block ${b}: row ${bad} names no string of the table`);
    block.onRelease = () => released.push(buf);
    yield block;
  }
  if (total !== hdr.rows) throw new CacheError(path, `holds ${total} rows, header says ${hdr.rows}`);
}

/**
 * Streams the rows of a cache file in blocks, as row objects (see
 * {@link readCacheBlocks} for the checks). With `decode` false, only checks
 * and yields nothing.
 */
export async function* readCache(path: string, decode = true): AsyncGenerator<TraceRow[]> {
  for await (const block of readCacheBlocks(path, decode)) yield block.rows();
}

/**
 * Reads a whole cache, checking every checksum; throws CacheError if it is
 * not intact. Returns the stamp of the file checked (for {@link readCacheBlocks}).
 */
export async function verifyCache(path: string): Promise<CacheStamp> {
  const fd = openSync(path, 'r');
  try {
    const stamp = stampOf(fd);
    for (const _ of blocksOf(fd, path, false, false)) {
      // nothing is yielded when not decoding
    }
    return stamp;
  } finally {
    closeSync(fd);
  }
}

/** Whether `path` starts with the cache magic (a file shorter than it is not a cache). */
export function isCacheFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    return readSync(fd, b, 0, 8, 0) === 8 && b.toString('latin1') === MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** Size in bytes of the file at `path`. */
export function fileSize(path: string): number {
  return statSync(path).size;
}
