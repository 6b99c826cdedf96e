/**
 * Strict UTF-8 for text inputs: finding byte sequences that are not UTF-8
 * (which a lenient decoder would silently turn into U+FFFD, merging distinct
 * names) and NUL bytes, in a stream read in chunks.
 *
 * The fast path is one `isUtf8` and one `indexOf(0)` per chunk (native code);
 * the byte loop here only runs over chunks that hold a problem.
 */
import { isUtf8 } from 'node:buffer';

/**
 * Length of the well-formed UTF-8 sequence starting at `buf[i]` (1 to 4), 0
 * when the byte at `i` does not start one, or -1 when the buffer ends inside
 * a sequence that is well formed so far.
 */
export function sequenceAt(buf: Uint8Array, i: number): number {
  const b = buf[i]!;
  if (b < 0x80) return 1;
  let n: number, lo = 0x80, hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) n = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
  } else return 0;
  for (let k = 1; k < n; k++) {
    if (i + k >= buf.length) return -1;
    const c = buf[i + k]!;
    if (c < lo || c > hi) return 0;
    lo = 0x80;
    hi = 0xbf;
  }
  return n;
}

/** Number of bytes at the end of `buf` that start a sequence it does not finish (0 to 3). */
export function incompleteTail(buf: Uint8Array): number {
  const n = buf.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const b = buf[n - k]!;
    if ((b & 0xc0) !== 0x80) return b >= 0xc0 && sequenceAt(buf, n - k) === -1 ? k : 0;
  }
  return 0;
}

/** Whether `buf` is well-formed UTF-8 without a NUL byte. */
export function isCleanText(buf: Uint8Array): boolean {
  return isUtf8(buf) && buf.indexOf(0) === -1;
}

/** Index of the first byte of `buf` that is NUL or not part of well-formed UTF-8 (a sequence cut by the end counts), or -1. */
export function firstBadByte(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; ) {
    const n = buf[i] === 0 ? 0 : sequenceAt(buf, i);
    if (n <= 0) return i;
    i += n;
  }
  return -1;
}

/** `buf` decoded, with each byte not part of well-formed UTF-8 shown as `\xHH` and NUL as `\0`. */
export function showBytes(buf: Uint8Array): string {
  let out = '';
  let from = 0;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  for (let i = 0; i < b.length; ) {
    const n = b[i] === 0 ? 0 : sequenceAt(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += b.toString('utf8', from, i) + (b[i] === 0 ? '\\0' : `\\x${b[i]!.toString(16).padStart(2, '0')}`);
    from = ++i;
  }
  return out + b.toString('utf8', from);
}

// ---------------------------------------------------------------------------------------------
// Markers: a chunk holding a problem is rewritten so that each bad byte survives CSV parsing
// as text that names it, starting with a NUL character (which valid input never has then).

const HEX = '0123456789abcdef';

/**
 * `buf` with each NUL byte replaced by the two bytes `\0 0` and each byte not
 * part of well-formed UTF-8 by the four bytes `\0 x H H` (its hex value).
 * `firstInvalid` is the index of the first byte not part of UTF-8 (NULs aside), or -1.
 */
export function markBadBytes(buf: Uint8Array): { marked: Buffer; firstInvalid: number } {
  const out: number[] = [];
  let firstInvalid = -1;
  let from = 0;
  const parts: Buffer[] = [];
  const src = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  for (let i = 0; i < src.length; ) {
    const b = src[i]!;
    const n = b === 0 ? 0 : sequenceAt(src, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (firstInvalid < 0 && b !== 0) firstInvalid = i;
    parts.push(src.subarray(from, i));
    out.length = 0;
    if (b === 0) out.push(0, 0x30);
    else out.push(0, 0x78, HEX.charCodeAt(b >> 4), HEX.charCodeAt(b & 15));
    parts.push(Buffer.from(out));
    from = ++i;
  }
  parts.push(src.subarray(from));
  return { marked: Buffer.concat(parts), firstInvalid };
}

/** Whether a field decoded from marked bytes holds a marker. */
export function hasMarker(field: string): boolean {
  return field.indexOf('\0') !== -1;
}

/** What a field holding markers has wrong: invalid UTF-8 (when any byte was) or a NUL byte. */
export function markerProblem(field: string): string {
  return field.indexOf('\0x') !== -1 ? 'invalid UTF-8' : 'NUL byte';
}

/** A field decoded from marked bytes as text, each marker shown as `\xHH` or `\0`. */
export function showMarked(field: string): string {
  return field.replace(/\0(?:x([0-9a-f]{2})|0)/g, (_m, hex: string | undefined) => (hex === undefined ? '\\0' : `\\x${hex}`));
}
