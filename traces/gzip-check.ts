/**
 * Where a gzip file is damaged, for error messages. The readers decompress
 * with Node's gunzip, which reports trailing garbage while output before it is
 * still unread (so the line reached is not where the damage is) and checks a
 * member's CRC only at its end (so damaged data reaches the parser first, as a
 * malformed row). After such an error the reader asks {@link gzipDamage}, which
 * walks the file's members as `gzip -t` does (RFC 1952: header, deflate data,
 * CRC-32 and length of the text) and names the byte and the line of the text
 * where the file stops being a whole gzip stream.
 */
import { promises as fsp } from 'node:fs';
import { createInflateRaw, crc32 } from 'node:zlib';
import { TraceError } from './trace-error.ts';

/** What is wrong with a gzip file, and where. */
export interface GzipDamage {
  /** 1-based line of the decompressed text at the damage: the line being read when the data stops being whole. */
  line: number;
  /** Byte offset in the file where the damage was found. */
  byte: number;
  problem: string;
}

/** Bytes read from the file at a time. */
const CHUNK = 1 << 14;
/** Header flags (RFC 1952, 2.3.1). */
const FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

/**
 * The first damage of the gzip file at `path` (concatenated members and
 * trailing zero bytes are whole, as for gzip(1)), or null when it is whole.
 * Reads the whole file; for error paths only.
 */
export async function gzipDamage(path: string): Promise<GzipDamage | null> {
  const fh = await fsp.open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (at: number, n: number): Promise<Buffer> => {
      const b = Buffer.alloc(Math.max(0, Math.min(n, size - at)));
      if (b.length > 0) await fh.read(b, 0, b.length, at);
      return b;
    };
    let newlines = 0;
    /** Whether the text so far ends inside a line (no line break after its last byte). */
    let partial = false;
    let pos = 0;
    for (let member = 0; pos < size; member++) {
      const head = await read(pos, CHUNK);
      if (member > 0 && head.every((x) => x === 0) && (await allZero(read, pos + head.length, size))) return null;
      if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
        return member === 0
          ? { line: 1, byte: 0, problem: 'not gzip data (no gzip magic bytes at its start)' }
          : { line: Math.max(1, newlines + (partial ? 1 : 0)), byte: pos, problem: `${size - pos} bytes of trailing garbage after the end of its gzip data at byte ${pos} (not a gzip member)` };
      }
      const start = headerEnd(head);
      if (start === null || start > head.length) return { line: newlines + 1, byte: pos, problem: `the file ends inside a gzip header (byte ${pos}; truncated)` };
      if (head[2] !== 8) return { line: newlines + 1, byte: pos + 2, problem: `unknown compression method ${head[2]} in the gzip header at byte ${pos}` };
      const data = pos + start;
      const r = await inflateMember(read, data, size);
      if ('error' in r) return { line: newlines + r.newlines + 1, byte: r.at, problem: r.error };
      if (r.length > 0) partial = r.endsInLine;
      newlines += r.newlines;
      const line = Math.max(1, newlines + (partial ? 1 : 0));
      const trailer = await read(data + r.consumed, 8);
      const end = data + r.consumed + 8;
      if (trailer.length < 8) return { line, byte: size, problem: `the file ends at byte ${size}, before the CRC and length that close its gzip data (truncated)` };
      if (trailer.readUInt32LE(0) !== r.crc) return { line, byte: end - 8, problem: `CRC error at byte ${end - 8}: the data does not decompress to the text that was compressed` };
      if (trailer.readUInt32LE(4) !== r.length % 2 ** 32) return { line, byte: end - 4, problem: `length error at byte ${end - 4}: the data decompresses to ${r.length} bytes, not the ${trailer.readUInt32LE(4)} (mod 2^32) that were compressed` };
      pos = end;
    }
    return null;
  } finally {
    await fh.close();
  }
}

/** Whether the bytes from `at` to `size` are all zero (gzip(1) takes trailing zeros as padding). */
async function allZero(read: (at: number, n: number) => Promise<Buffer>, at: number, size: number): Promise<boolean> {
  for (let p = at; p < size; p += CHUNK) if (!(await read(p, CHUNK)).every((x) => x === 0)) return false;
  return true;
}

/** Where the deflate data of the member whose header starts `b` begins (null: the header runs past `b`). */
function headerEnd(b: Buffer): number | null {
  if (b.length < 10) return null;
  const flags = b[3]!;
  let p = 10;
  if (flags & FEXTRA) {
    if (p + 2 > b.length) return null;
    p += 2 + b.readUInt16LE(p);
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flags & f) {
      const z = b.indexOf(0, p);
      if (z < 0) return null;
      p = z + 1;
    }
  }
  if (flags & FHCRC) p += 2;
  return p;
}

/** Resolves when `s` drains, ends or fails, whichever comes first, leaving no listener behind. */
function drained(s: NodeJS.EventEmitter): Promise<void> {
  return new Promise<void>((go) => {
    const done = () => {
      for (const e of ['drain', 'error', 'end']) s.off(e, done);
      go();
    };
    for (const e of ['drain', 'error', 'end']) s.on(e, done);
  });
}

/** One member's deflate data from byte `at`: how many bytes it took, its text's CRC-32, length and line breaks; or where it broke. */
async function inflateMember(read: (at: number, n: number) => Promise<Buffer>, at: number, size: number):
  Promise<{ consumed: number; crc: number; length: number; newlines: number; endsInLine: boolean } | { error: string; at: number; newlines: number }> {
  const inf = createInflateRaw();
  let crc = 0, length = 0, newlines = 0, last = 10;
  let ended = false;
  let failed: Error | null = null;
  inf.on('data', (d: Buffer) => {
    crc = crc32(d, crc);
    length += d.length;
    for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) newlines++;
    last = d[d.length - 1]!;
  });
  const done = new Promise<void>((resolve) => {
    inf.on('end', () => { ended = true; resolve(); });
    inf.on('error', (e) => { failed = e; resolve(); });
  });
  let p = at;
  for (; p < size && !ended && !failed; p += CHUNK) {
    const chunk = await read(p, CHUNK);
    if (!inf.write(chunk)) await drained(inf);
  }
  inf.end();
  await done;
  const err = failed as NodeJS.ErrnoException | null;
  // zlib's "unexpected end of file" (Z_BUF_ERROR) once every byte was given: the data stops short
  if ((err && err.code === 'Z_BUF_ERROR' && p >= size) || (!err && !ended)) return { error: `the file ends inside its gzip data at byte ${size} (truncated)`, at: size, newlines };
  if (err) return { error: `invalid compressed data near byte ${Math.min(p, size)} (${err.message})`, at: Math.min(p, size), newlines };
  return { consumed: inf.bytesWritten, crc: crc >>> 0, length, newlines, endsInLine: length > 0 && last !== 10 };
}

/**
 * `err`, thrown while reading the gzip file `path`, told with the file's
 * damage when it has one: a gzip error at the line and byte where the file
 * stops being whole (not the line the reader had reached), and any other error
 * (a malformed row, most often, when damaged data decompressed to nonsense)
 * with the damage after it. `err` itself when the file is whole.
 */
export async function withGzipDamage(path: string, err: TraceError): Promise<TraceError> {
  const d = await gzipDamage(path).catch(() => null);
  if (d === null) return err;
  // no input text to show: what zlib said (its code) is not the file's
  if (err.problem.startsWith(GZIP_PROBLEM)) return new TraceError(path, d.line, '-', `${GZIP_PROBLEM}: ${d.problem}`, undefined, { cause: err.cause ?? err });
  return new TraceError(err.file, err.line, err.column, `${err.problem}; the file's gzip data is damaged, so this text may not be what was compressed: ${d.problem}`, err.text, { cause: err });
}

/**
 * The items of `read`, a reader of the file at `path` (gzip when `gz`), with
 * its TraceErrors told with the file's damage ({@link withGzipDamage}).
 */
export async function* withDamageTold<T>(path: string, gz: boolean, read: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* read;
  } catch (err) {
    if (gz && err instanceof TraceError) throw await withGzipDamage(path, err);
    throw err;
  }
}

/** How a reader's message about a gzip error begins. */
export const GZIP_PROBLEM = 'corrupt gzip data';
