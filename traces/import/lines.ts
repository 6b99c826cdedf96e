/**
 * Streaming reader of line-oriented text inputs (the foreign trace formats):
 * plain or gzip-compressed (detected by the magic bytes 0x1f 0x8b, whatever the
 * name), read in chunks and split into lines numbered from 1, so memory does not
 * grow with the length of the input.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { TraceError } from '../trace-error.ts';
import { errnoText, fileStart, startsGzip } from '../files.ts';
import { binaryKind, SNIFF_BYTES } from '../binary-sniff.ts';
import { CR_LOOK_BYTES, crOnlyError, crOnlyLines, textStart } from '../cr-lines.ts';
import { GZIP_PROBLEM, withDamageTold } from '../gzip-check.ts';
import { firstBadByte, incompleteTail, isCleanText, showBytes } from '../utf8.ts';
import { checkUnchanged, fileVersion } from '../file-version.ts';
import { tapStream, type ByteTap } from '../byte-tap.ts';

/** A run of consecutive lines: `lines[i]` is line `first + i` of the file, without its line break (LF or CR LF). */
export interface LineBatch {
  first: number;
  lines: string[];
}

export interface ReadLinesOptions {
  /** Lines per batch at most (default 4096). */
  batchSize?: number;
  /** Longest line accepted, in characters (default {@link MAX_LINE_LENGTH}); a longer one is an error of the input. */
  maxLineLength?: number;
  /** Sees the file's bytes (gzip-compressed, as in the file) as they are read. */
  tap?: ByteTap;
}

/** Longest line the importers accept by default, in characters (1 MiB). */
export const MAX_LINE_LENGTH = 1 << 20;

/** The error of a line of `path` longer than `maxLen` characters, starting with `text`. */
export function lineTooLong(path: string, line: number, maxLen: number, text: string): TraceError {
  return new TraceError(path, line, '-', `line longer than ${maxLen} characters (is this a text trace?)`, text.slice(0, 40));
}

/**
 * The lines of a text file (plain or gzip), in batches. Problems (missing file,
 * read error, corrupt gzip, an over-long line, bytes that are not UTF-8, a NUL byte, a file that
 * changed while it was read) are thrown as a TraceError naming the file and the line reached.
 */
export async function* readLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<LineBatch> {
  const batchSize = opts.batchSize ?? 4096;
  const maxLen = opts.maxLineLength ?? MAX_LINE_LENGTH;
  let head: Buffer;
  try {
    // its first bytes, in one read: whether it is gzip, and whether it is text at all
    head = await fileStart(path, CR_LOOK_BYTES);
  } catch (err) {
    throw new TraceError(path, 0, '-', `cannot open the input: ${(err as Error).message}`, errnoText(err), { cause: err });
  }
  const gz = startsGzip(head);
  // a file that is not text at all is named as what it seems to be, as `run` names it, not by its first invalid byte
  const binary = gz ? undefined : binaryKind(head.subarray(0, SNIFF_BYTES));
  if (binary !== undefined) throw new TraceError(path, 1, '-', `not a text input: the file holds ${binary}`, undefined);
  // a plain file whose lines end with a CR alone would be one long line to the importer
  if (crOnlyLines(gz ? await textStart(path, true) : head)) throw crOnlyError(path);
  // the line a gzip error names, and what a damaged file decompressed to, are told with where the file is damaged
  yield* withDamageTold(path, gz, linesOf(path, gz, batchSize, maxLen, opts.tap));
}

/** {@link readLines} of a file known to be gzip (`gz`) or not. */
async function* linesOf(path: string, gz: boolean, batchSize: number, maxLen: number, tap: ByteTap | undefined): AsyncGenerator<LineBatch> {
  const before = fileVersion(path);
  const source = createReadStream(path, { highWaterMark: 1 << 16 });
  if (tap) {
    tap.restart();
    tapStream(source, tap);
  }
  const streams: Readable[] = [source];
  let feed: Readable = source;
  if (gz) {
    const gunzip = createGunzip();
    source.on('error', (e) => gunzip.destroy(e));
    feed = source.pipe(gunzip);
    streams.push(gunzip);
  }
  let carry = '';
  let cut: Buffer | null = null; // bytes of a UTF-8 sequence cut by the end of the previous chunk
  let next = 1; // number of the next complete line
  let batch: string[] = [];
  let first = 1;
  const tooLong = (text: string): never => {
    throw lineTooLong(path, next, maxLen, text);
  };
  /** Throws for the bad byte at `at` of `bytes`, the next chunk (`carry` is the text of its line before it). */
  const badBytes = (bytes: Buffer, at: number): never => {
    let line = next;
    let from = 0;
    for (let i = bytes.indexOf(10); i !== -1 && i < at; i = bytes.indexOf(10, i + 1)) {
      line++;
      from = i + 1;
    }
    const end = bytes.indexOf(10, at);
    const text = (from === 0 ? carry : '') + showBytes(bytes.subarray(from, Math.min(end === -1 ? bytes.length : end, at + 40)));
    throw new TraceError(path, line, '-', bytes[at] === 0 ? 'NUL byte' : 'invalid UTF-8', text.replace(/\r$/, ''));
  };
  try {
    for await (const raw of feed as AsyncIterable<Buffer>) {
      let bytes: Buffer = cut === null ? raw : Buffer.concat([cut, raw]);
      const tail = incompleteTail(bytes);
      cut = tail > 0 ? Buffer.from(bytes.subarray(bytes.length - tail)) : null;
      if (tail > 0) bytes = bytes.subarray(0, bytes.length - tail);
      if (!isCleanText(bytes)) badBytes(bytes, firstBadByte(bytes));
      const chunk = bytes.toString('utf8');
      let start = 0;
      let nl = chunk.indexOf('\n');
      while (nl !== -1) {
        let line = carry === '' ? chunk.slice(start, nl) : carry + chunk.slice(start, nl);
        carry = '';
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.length > maxLen) tooLong(line);
        if (batch.length === 0) first = next;
        batch.push(line);
        next++;
        if (batch.length >= batchSize) {
          const out = { first, lines: batch };
          batch = [];
          yield out;
        }
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
      }
      carry += chunk.slice(start);
      if (carry.length > maxLen) tooLong(carry);
    }
  } catch (err) {
    if (err instanceof TraceError) throw err;
    const e = err as NodeJS.ErrnoException;
    const what = gz && typeof e?.code === 'string' && e.code.startsWith('Z_') ? GZIP_PROBLEM : 'cannot read the input';
    throw new TraceError(path, next, '-', `${what}: ${e?.message ?? String(err)}`, errnoText(err), { cause: err });
  } finally {
    for (const s of streams) s.destroy();
  }
  if (cut !== null) badBytes(cut, 0);
  // an input cut at a line's end while it was read would import as a whole, shorter one
  checkUnchanged(path, before, next - 1, 'input');
  if (carry !== '') {
    if (carry.endsWith('\r')) carry = carry.slice(0, -1);
    if (batch.length === 0) first = next;
    batch.push(carry);
  }
  if (batch.length > 0) yield { first, lines: batch };
}
