/**
 * The CSV writer of the result files: fields encoded byte by byte into one
 * reused buffer, each number exactly as `String()` writes it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { namingFile } from '../traces/write-failures.ts';

/** Formats integer ns as µs (exact decimal, no float noise). */
export function nsToUsText(ns: number): string {
  return String(ns / 1000);
}

const NEWLINE = 10, ZERO = 48, QUOTE = 34;
/** The byte of a field separator. */
export const COMMA = 44;
const HEX = '0123456789abcdef';
/** Above this, numbers are written through `String` (integers and µs below it are written digit by digit). */
const DIGITS_MAX = 1e15;
/** The two ASCII digits of every number 0..99. */
const PAIRS = new Uint8Array(200);
for (let v = 0; v < 100; v++) {
  PAIRS[2 * v] = ZERO + ((v / 10) | 0);
  PAIRS[2 * v + 1] = ZERO + (v % 10);
}
/** ".ddd" for every fraction 1..999 of a µs (in thousandths), trailing zeros dropped: 4 bytes a slot, and its length. */
const FRAC_TEXT = new Uint8Array(4 * 1000);
const FRAC_LEN = new Uint8Array(1000);
for (let f = 1; f < 1000; f++) {
  const t = ('.' + String(f).padStart(3, '0')).replace(/0+$/, '');
  for (let i = 0; i < t.length; i++) FRAC_TEXT[4 * f + i] = t.charCodeAt(i);
  FRAC_LEN[f] = t.length;
}

/** The most bytes {@link putNum} or {@link putUs} writes: `String()` of a double is at most 24 characters. */
export const NUM_MAX = 24;

/** Writes the ASCII string `s` (at most {@link NUM_MAX} characters: a number's text) at `pos`; returns the end. */
function putAscii(buf: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
  return pos;
}

/** Writes a number at `pos` as {@link CsvFile.num} does (the text of `String()`); returns the end. */
export function putNum(buf: Uint8Array, pos: number, n: number): number {
  if (!(n >= 0 && n < DIGITS_MAX && Number.isInteger(n))) return putAscii(buf, pos, String(n));
  return putDigits(buf, pos, n);
}

/** Writes integer ns as µs at `pos`, as {@link CsvFile.us} does (the text of {@link nsToUsText}); returns the end. */
export function putUs(buf: Uint8Array, pos: number, ns: number): number {
  if (!(ns >= 0 && ns < DIGITS_MAX && Number.isInteger(ns))) return putAscii(buf, pos, nsToUsText(ns));
  const whole = Math.floor(ns / 1000);
  const frac = (ns - whole * 1000) | 0; // an int32 index into the tables (a double index is converted at every read)
  pos = putDigits(buf, pos, whole);
  if (frac !== 0) {
    // ".ddd" with trailing zeros dropped, from the table
    const len = FRAC_LEN[frac], at = frac << 2;
    for (let i = 0; i < len; i++) buf[pos + i] = FRAC_TEXT[at + i];
    pos += len;
  }
  return pos;
}

/** Writes the decimal digits of an integer in [0, 10^15) at `pos`; returns the end. */
function putDigits(buf: Uint8Array, pos: number, n: number): number {
  if (n < 2147483648) {
    // small integers: 32-bit arithmetic (m is an int32 from here, so the compiler divides by 100 as integers,
    // not as doubles), two digits at a time from a table
    let m = n | 0;
    const len = m < 100000 ? (m < 100 ? (m < 10 ? 1 : 2) : m < 1000 ? 3 : m < 10000 ? 4 : 5)
      : m < 10000000 ? (m < 1000000 ? 6 : 7) : m < 100000000 ? 8 : m < 1000000000 ? 9 : 10;
    let i = pos + len;
    while (m >= 100) {
      const q = (m / 100) | 0, r = (m - q * 100) << 1;
      buf[--i] = PAIRS[r + 1];
      buf[--i] = PAIRS[r];
      m = q;
    }
    if (m >= 10) {
      buf[--i] = PAIRS[(m << 1) + 1];
      buf[--i] = PAIRS[m << 1];
    } else buf[--i] = ZERO + m;
    return pos + len;
  }
  // larger ones (times past 2^31 µs, about 36 simulated minutes): the digits above the last eight (below
  // 10^7, as n < 10^15), then those eight, zero-padded, two at a time in 32-bit arithmetic as above
  const hi = Math.floor(n / 100000000);
  let m = (n - hi * 100000000) | 0;
  pos = putDigits(buf, pos, hi);
  let i = pos + 8;
  for (let k = 0; k < 4; k++) {
    const q = (m / 100) | 0, r = (m - q * 100) << 1;
    buf[--i] = PAIRS[r + 1];
    buf[--i] = PAIRS[r];
    m = q;
  }
  return pos + 8;
}

/**
 * A CSV file written through one reused byte buffer: each field is encoded
 * into the buffer in place, so writing a row makes no garbage. The text is
 * exactly what `String()` gives for each number.
 */
export class CsvFile {
  private fd: number;
  /** The file's name, when it was opened by name: a failed write names it ({@link namingFile}). */
  private readonly path?: string;
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  /** The last string written by `field` and whether it needed quotes (object names repeat row after row). */
  private lastField = '';
  private lastPlain = true;

  /** Creates `path` (replacing it) and writes `header` as its first line. */
  constructor(path: string, header: string);
  /** Goes on writing the open file `fd` from where it stands (one another CsvFile flushed and handed over). */
  constructor(fd: number);
  constructor(target: string | number, header?: string) {
    this.fd = typeof target === 'number' ? target : openSync(target, 'w');
    if (typeof target === 'string') this.path = target;
    if (header !== undefined) this.text(header).end();
  }


  /** The file descriptor written to. */
  get descriptor(): number {
    return this.fd;
  }

  /** Makes room for `n` more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  /** A string, as is (UTF-8). */
  text(s: string): this {
    this.room(3 * s.length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.pos += buf.write(s, this.pos, 'utf8');
        return this;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
    return this;
  }

  /** A string as a CSV field: quoted when it holds a comma, quote or line break. */
  field(s: string): this {
    if (s !== this.lastField) {
      this.lastField = s;
      this.lastPlain = !/[",\n\r]/.test(s);
    }
    if (this.lastPlain) return this.text(s);
    this.room(1);
    this.buf[this.pos++] = QUOTE;
    this.text(s.replace(/"/g, '""'));
    this.room(1);
    this.buf[this.pos++] = QUOTE;
    return this;
  }

  /** A number: integers in [0, 10^15) digit by digit, anything else as `String(n)`. */
  num(n: number): this {
    this.room(NUM_MAX);
    this.pos = putNum(this.buf, this.pos, n);
    return this;
  }

  /** Integer ns as µs: the same text as {@link nsToUsText}. */
  us(ns: number): this {
    this.room(NUM_MAX);
    this.pos = putUs(this.buf, this.pos, ns);
    return this;
  }

  /**
   * Makes room for `n` more bytes and returns where they go in {@link bytes}: a caller writing a
   * whole row with {@link putNum} and {@link putUs} reserves once, then hands its end to {@link advance}.
   */
  reserve(n: number): number {
    this.room(n);
    return this.pos;
  }

  /** The buffer {@link reserve} made room in (replaced when a reservation outgrows it). */
  get bytes(): Buffer {
    return this.buf;
  }

  /** Ends a reservation: the bytes up to `pos` are written. */
  advance(pos: number): void {
    this.pos = pos;
  }

  /** A non-negative integer in hexadecimal with a 0x prefix. */
  hex(n: number): this {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) return this.text(`0x${n.toString(16)}`);
    this.room(16);
    const buf = this.buf;
    buf[this.pos++] = ZERO;
    buf[this.pos++] = 120; // x
    let len = 1;
    for (let t = n; t >= 16; t = Math.floor(t / 16)) len++;
    for (let i = len - 1; i >= 0; i--) {
      const q = Math.floor(n / 16);
      buf[this.pos + i] = HEX.charCodeAt(n - q * 16);
      n = q;
    }
    this.pos += len;
    return this;
  }

  /** A field separator. */
  comma(): this {
    this.room(1);
    this.buf[this.pos++] = COMMA;
    return this;
  }

  /** The end of a row. */
  end(): void {
    this.room(1);
    this.buf[this.pos++] = NEWLINE;
  }

  /** Writes the buffered bytes to the file. */
  flush(): void {
    if (this.pos === 0) return;
    let off = 0;
    try {
      while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    } catch (e) {
      throw this.path === undefined ? e : namingFile(e, this.path);
    }
    this.pos = 0;
  }

  /** Writes what is buffered and closes the file (once: later calls do nothing). */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    this.discard();
  }

  /**
   * Closes the file without writing what is buffered, ignoring errors (a failed run); does nothing
   * once closed. The descriptor is forgotten, so it is never closed twice: the number may by then
   * belong to another file of the process.
   */
  discard(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.pos = 0;
    try {
      closeSync(fd);
    } catch {
      /* broken already */
    }
  }
}
