/**
 * The binary trace cache (`.sst`): a columnar copy of a native trace
 * (typed arrays, versioned, checksummed) that later replays read far faster
 * than CSV; not smaller than the CSV (49 bytes a row, plus `x_*` values). It records the identity of the CSV it was made from (size,
 * modification time, a hash of its first and last MiB), so a changed source
 * makes it stale, and the SHA-256 of every byte of that CSV, which a run
 * compares with the hash of the CSV it records in its provenance (a CSV
 * changed in the middle with its size and mtime kept has the same identity);
 * every block, the header and the table of names carry a checksum, each
 * checked before what it covers is used, so a corrupted block is found when
 * the read reaches it.
 *
 * Layout (little-endian):
 *   header   96 bytes: magic "SYNCSST1", version, rows, blocks, source size,
 *            source mtime, source fingerprint, offset and length of the
 *            string table, its checksum, the source's SHA-256 (32 bytes,
 *            zeros when not known), the header's checksum
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
import type { ByteTap } from './byte-tap.ts';
import { turn } from './turn.ts';

/** First 8 bytes of every binary trace cache. */
export const CACHE_MAGIC = 'SYNCSST1';
const MAGIC = CACHE_MAGIC;
/**
 * Format version; a cache of another version is stale (2: map rows may
 * carry the flags RANDOM and SEQUENTIAL; 3: checksums hash four interleaved
 * lanes of words, and the table of names has one; 4: the header records the
 * source's SHA-256 and is 96 bytes).
 */
export const CACHE_VERSION = 4;
/** Bytes of the file header. */
export const HEADER_BYTES = 96;
/** Where the header holds the source's SHA-256 (32 bytes), and its own checksum (u32, after it). */
const SHA_AT = 60, HEADER_SUM_AT = 92;
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

const PRIME = 0x9e3779b1;
/** One multiply-xor-rotate step of hash state `h` taking word `x`. */
const mix = (h: number, x: number) => {
  h = Math.imul(h ^ x, PRIME);
  return (h << 13) | (h >>> 19);
};

/**
 * A 32-bit hash over the words of `u32`: four lanes, word i into lane i mod
 * 4, each a multiply-xor-rotate chain, then folded together with the count.
 * Every step is a bijection of a lane's state, so a change to any one word
 * always changes the hash; the lanes' chains are independent, so the CPU
 * runs them side by side (one chain waits for each multiply in turn).
 */
function hashWords(u32: Uint32Array, seed = 0x811c9dc5): number {
  let a = seed | 0, b = (seed ^ 0x85ebca6b) | 0, c = (seed ^ 0xc2b2ae35) | 0, d = (seed ^ 0x27d4eb2f) | 0;
  const n = u32.length, whole = n - (n & 3);
  let i = 0;
  for (; i < whole; i += 4) {
    a = Math.imul(a ^ u32[i], PRIME); a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ u32[i + 1], PRIME); b = (b << 13) | (b >>> 19);
    c = Math.imul(c ^ u32[i + 2], PRIME); c = (c << 13) | (c >>> 19);
    d = Math.imul(d ^ u32[i + 3], PRIME); d = (d << 13) | (d >>> 19);
  }
  for (; i < n; i++) {
    a = Math.imul(a ^ u32[i], PRIME); a = (a << 13) | (a >>> 19);
  }
  const h = mix(mix(mix(mix(a, b), c), d), n);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit hash of `buf` (its words, then its last bytes): the cache's checksums and fingerprints. */
export function hashBytes(buf: Uint8Array, seed?: number): number {
  const words = Math.floor(buf.length / 4);
  let h = hashWords(new Uint32Array(buf.buffer, buf.byteOffset, words), seed);
  for (let i = words * 4; i < buf.length; i++) h = Math.imul(h ^ buf[i], PRIME) >>> 0;
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

/** Bytes of a block's payload for `n` rows and `extrasBytes` of extras JSON (the layout above). */
export const payloadBytes = (n: number, extrasBytes: number) => 4 * 8 * n + 4 * 4 * n + pad8(n) + 8 + pad8(extrasBytes);

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
  /** Checksum of the string table. */
  stringsSum: number;
  /** SHA-256 (hex) of the source's bytes the cache was made from; undefined when the writer was not told it. */
  sourceSha256?: string;
}

/** A SHA-256 in hex, as 32 bytes (zeros for undefined: not known). */
export function shaBytes(sha256: string | undefined): Buffer {
  if (sha256 === undefined) return Buffer.alloc(32);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError(`not a SHA-256 in hex: ${sha256}`);
  return Buffer.from(sha256, 'hex');
}

/** The header of a cache as its 96 bytes, its checksum included. */
export function encodeHeader(h: CacheHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(MAGIC, 0, 'latin1');
  b.writeUInt32LE(CACHE_VERSION, 8);
  b.writeDoubleLE(h.rows, 12);
  b.writeUInt32LE(h.blocks, 20);
  b.writeDoubleLE(h.source.size, 24);
  b.writeDoubleLE(h.source.mtimeMs, 32);
  b.writeUInt32LE(h.source.fingerprint, 40);
  b.writeDoubleLE(h.stringsOffset, 44);
  b.writeUInt32LE(h.stringsLength, 52);
  b.writeUInt32LE(h.stringsSum, 56);
  shaBytes(h.sourceSha256).copy(b, SHA_AT);
  b.writeUInt32LE(hashBytes(b.subarray(0, HEADER_SUM_AT)), HEADER_SUM_AT);
  return b;
}

/** The header of the cache open as `fd`; `tap` sees its bytes. */
function readHeader(fd: number, path: string, tap?: ByteTap): CacheHeader {
  const size = fstatSync(fd).size;
  if (size < HEADER_BYTES) throw new CacheError(path, 'not a syncsim trace cache (too short)');
  const h = Buffer.alloc(HEADER_BYTES);
  const got = readSync(fd, h, 0, HEADER_BYTES, 0);
  tap?.seen(h.subarray(0, got), 0);
  if (h.toString('latin1', 0, 8) !== MAGIC) throw new CacheError(path, 'not a syncsim trace cache (bad magic)');
  if (h.readUInt32LE(8) !== CACHE_VERSION) throw new CacheError(path, `cache version ${h.readUInt32LE(8)}, this syncsim reads version ${CACHE_VERSION}: make it again from its CSV (syncsim convert)`);
  if (h.readUInt32LE(HEADER_SUM_AT) !== hashBytes(h.subarray(0, HEADER_SUM_AT))) throw new CacheError(path, 'corrupted header (checksum)');
  const sha = h.subarray(SHA_AT, SHA_AT + 32);
  const hdr: CacheHeader = {
    rows: h.readDoubleLE(12),
    blocks: h.readUInt32LE(20),
    source: { size: h.readDoubleLE(24), mtimeMs: h.readDoubleLE(32), fingerprint: h.readUInt32LE(40) },
    stringsOffset: h.readDoubleLE(44),
    stringsLength: h.readUInt32LE(52),
    stringsSum: h.readUInt32LE(56),
    ...(sha.every((x) => x === 0) ? {} : { sourceSha256: sha.toString('hex') }),
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

/**
 * Whether the cache at `cachePath` was made from the source as it is now: its identity the same,
 * and a SHA-256 of the source recorded (a cache that records none is stale); with `sha256`
 * (the source's, when the caller knows it), that one.
 */
export function cacheMatches(cachePath: string, source: SourceIdentity, sha256?: string): boolean {
  if (!existsSync(cachePath)) return false;
  try {
    const h = cacheHeader(cachePath);
    const same = h.source.size === source.size && h.source.mtimeMs === source.mtimeMs && h.source.fingerprint === source.fingerprint;
    return same && h.sourceSha256 !== undefined && (sha256 === undefined || h.sourceSha256 === sha256);
  } catch {
    return false;
  }
}

/**
 * Streams the rows of a cache file in blocks of columns: typed-array views
 * over each block's own buffer, checked against the block's checksum (a
 * mismatch throws CacheError) before it is yielded: no byte is used before
 * it is checked, so a block found corrupted stops the read after the
 * blocks before it were yielded (the file is read once). With `decode`
 * false, only checks and yields nothing. `tap` sees the file's bytes as
 * they are read (every byte once, its table of names before its blocks).
 */
export async function* readCacheBlocks(path: string, decode = true, tap?: ByteTap): AsyncGenerator<RowBlock> {
  const fd = openSync(path, 'r');
  tap?.restart();
  try {
    for (const block of blocksOf(fd, path, decode, tap)) {
      if (block !== undefined) yield block;
      // the file is read synchronously: without a turn of the event loop between blocks, a replay
      // from a cache would run to its end deaf to Ctrl-C and kill (their handlers never ran)
      await turn();
    }
  } finally {
    closeSync(fd);
  }
}

/** The blocks of the cache open as `fd` ({@link readCacheBlocks}); undefined for each block checked when not decoding. */
function* blocksOf(fd: number, path: string, decode: boolean, tap?: ByteTap): Generator<RowBlock | undefined> {
  const hdr = readHeader(fd, path, tap);
  const sbuf = Buffer.alloc(hdr.stringsLength);
  const got = readSync(fd, sbuf, 0, hdr.stringsLength, hdr.stringsOffset);
  tap?.seen(sbuf.subarray(0, got), hdr.stringsOffset);
  let strings: RowStrings;
  try {
    if (hashBytes(sbuf) !== hdr.stringsSum) throw new Error('checksum');
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
    tap?.seen(bh, pos);
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
    tap?.seen(body, pos + BLOCK_HEADER_BYTES);
    if (hashBytes(body) !== sum) throw new CacheError(path, `block ${b}: corrupted (checksum)`);
    // the columns of n rows, then the extras' length and JSON: nothing more, nothing less
    const fixed = payloadBytes(n, 0);
    const exLen = payload >= fixed ? new DataView(buf, fixed - 8, 4).getUint32(0, true) : -1;
    if (exLen < 0 || payloadBytes(n, exLen) !== payload) throw new CacheError(path, `block ${b}: bad size`);
    pos += BLOCK_HEADER_BYTES + payload;
    total += n;
    if (!decode) {
      yield undefined;
      continue;
    }
    let off = 0;
    const t = new Float64Array(buf, off, n); off += 8 * n;
    const addr = new Float64Array(buf, off, n); off += 8 * n;
    const len = new Float64Array(buf, off, n); off += 8 * n;
    const offset = new Float64Array(buf, off, n); off += 8 * n;
    const line = new Uint32Array(buf, off, n); off += 4 * n;
    const task = new Uint32Array(buf, off, n); off += 4 * n;
    const object = new Uint32Array(buf, off, n); off += 4 * n;
    const flags = new Uint32Array(buf, off, n); off += 4 * n;
    const op = new Uint8Array(buf, off, n); off += pad8(n) + 8;
    let extras: string[][] | undefined;
    if (exLen > 0) extras = parseExtras(Buffer.from(buf, off, exLen), n, strings.extraCols.length, path, b);
    const block = new RowBlock(n, t, addr, len, offset, line, task, object, flags, op, strings, extras);
    const bad = block.firstBadRow();
    if (bad >= 0) throw new CacheError(path, `block ${b}: row ${bad} names no string of the table`);
    block.onRelease = () => released.push(buf);
    yield block;
  }
  if (total !== hdr.rows) throw new CacheError(path, `holds ${total} rows, header says ${hdr.rows}`);
}

/** The `x_*` values of a block's `n` rows, `cols` strings each; CacheError when they are not that. */
function parseExtras(json: Buffer, n: number, cols: number, path: string, b: number): string[][] {
  let v: unknown;
  try {
    v = JSON.parse(json.toString('utf8'));
  } catch {
    v = undefined;
  }
  const rowOk = (r: unknown) => Array.isArray(r) && r.length === cols && r.every((x) => typeof x === 'string');
  if (!Array.isArray(v) || v.length !== n || !v.every(rowOk)) throw new CacheError(path, `block ${b}: corrupted extras`);
  return v as string[][];
}

/**
 * Streams the rows of a cache file in blocks, as row objects (see
 * {@link readCacheBlocks} for the checks and `tap`). With `decode` false,
 * only checks and yields nothing.
 */
export async function* readCache(path: string, decode = true, tap?: ByteTap): AsyncGenerator<TraceRow[]> {
  for await (const block of readCacheBlocks(path, decode, tap)) yield block.rows();
}

/** Reads a whole cache, checking every checksum; throws CacheError if it is not intact. */
export async function verifyCache(path: string): Promise<void> {
  for await (const _ of readCacheBlocks(path, false)) {
    // nothing is yielded when not decoding
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
