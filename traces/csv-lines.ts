/**
 * csv-parse's streaming parser with line numbers, batched, and strict about
 * its bytes: the CSV layer of the native trace reader.
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type CsvError, type Options } from 'csv-parse';
import { incompleteTail, isCleanText, markBadBytes } from './utf8.ts';
import { tapStream, type ByteTap } from './byte-tap.ts';

/** What {@link LineParser} pushes downstream: the records of one input chunk, or a CSV error. */
export type ParsedChunk =
  | { readonly records: string[][]; readonly lines: number[]; readonly error?: undefined }
  | { readonly records?: undefined; readonly lines?: undefined; readonly error: CsvError };

/** The csv-parse options of a native trace. */
export const TRACE_CSV_OPTIONS: Options = {
  comment: '#',
  comment_no_infix: true, // only a `#` as the first character of a line starts a comment
  skip_empty_lines: true,
  relax_column_count: true, // field counts are checked by the reader, with a proper message
  bom: true,
  // either line break on every line (csv-parse would otherwise keep the kind of the first line's)
  record_delimiter: ['\r\n', '\n'],
};

/**
 * csv-parse's streaming `Parser`, pushing instead of single records `{records, lines}` batches
 * (one per input chunk) where `lines[i]` is `info.lines` when record i was completed, i.e. the
 * file line on which the record ends (csv-parse counts every CR and LF inside quoted fields too;
 * the reader takes every CR back off: line breaks are LF and CR LF). A CSV syntax error is pushed as `{error}` after the records
 * before it, so the reader reports the earliest problem in file order.
 *
 * Bytes that are not UTF-8 and NUL bytes are not decoded: a chunk holding one is rewritten with
 * markers ({@link markBadBytes}) that come out inside the field that held the byte, so the
 * reader can name its line and column; {@link suspect} tells it to look for them.
 */
export class LineParser extends Parser {
  private records: string[][] = [];
  private lines: number[] = [];
  private ended = false;
  /** Bytes of a UTF-8 sequence cut by the end of the previous chunk. */
  private carry: Buffer | null = null;
  /** Input bytes handed to csv-parse so far. */
  private consumed = 0;
  /** Whether some chunk held a bad byte: fields may hold markers from then on. */
  suspect = false;
  /** Offset in the (decompressed) input of the first byte that is not UTF-8, or -1. */
  firstInvalidAt = -1;

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      this.flushRecords();
      this.ended = true;
      return super.push(null, encoding);
    }
    // csv-parse pushes each record synchronously while parsing, so `info.lines` is the record's line.
    this.records.push(chunk as string[]);
    this.lines.push(this.info.lines);
    return true;
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    let buf = chunk as Buffer;
    if (this.carry !== null) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = null;
    }
    const tail = incompleteTail(buf);
    if (tail > 0) {
      this.carry = Buffer.from(buf.subarray(buf.length - tail));
      buf = buf.subarray(0, buf.length - tail);
    }
    super._transform(this.clean(buf), encoding, (err?: Error | null) => this.done(err, callback));
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.carry;
    this.carry = null;
    if (rest === null || (this as unknown as { state: { stop: boolean } }).state.stop) {
      super._flush((err?: Error | null) => this.done(err, callback));
      return;
    }
    // the input ends inside a UTF-8 sequence
    super._transform(this.clean(rest), 'utf8', (err?: Error | null) => {
      if (err) this.done(err, callback);
      else super._flush((err2?: Error | null) => this.done(err2, callback));
    });
  }

  /** `buf` as handed to csv-parse: itself, or with markers when it holds a bad byte. */
  private clean(buf: Buffer): Buffer {
    const at = this.consumed;
    this.consumed += buf.length;
    if (isCleanText(buf)) return buf;
    const { marked, firstInvalid } = markBadBytes(buf);
    this.suspect = true;
    if (this.firstInvalidAt < 0 && firstInvalid >= 0) this.firstInvalidAt = at + firstInvalid;
    return marked;
  }

  private done(err: Error | null | undefined, callback: TransformCallback): void {
    this.flushRecords();
    if (err) {
      // csv-parse stops parsing after an error; the reader throws when it reaches this marker.
      if (!this.ended) super.push({ error: err as CsvError } satisfies ParsedChunk);
      callback();
      return;
    }
    callback();
  }

  private flushRecords(): void {
    if (this.records.length === 0 || this.ended) return;
    const batch: ParsedChunk = { records: this.records, lines: this.lines };
    this.records = [];
    this.lines = [];
    super.push(batch);
  }
}

/** A trace file being parsed: the parser to iterate and what the reader needs to know of the bytes. */
export interface CsvInput {
  /** Yields {@link ParsedChunk}s. */
  readonly parser: LineParser;
  /** The last byte fed to the parser so far, or -1. */
  lastByte(): number;
  /** Closes the file and the parser. */
  close(): void;
}

/**
 * Streams the file at `path` (through gunzip when `gz`) into a new
 * {@link LineParser} with the trace's CSV options, with backpressure;
 * `tap` sees the file's bytes as they are read, from its start.
 */
export function openCsvInput(path: string, gz: boolean, tap?: ByteTap): CsvInput {
  const parser = new LineParser(TRACE_CSV_OPTIONS);
  const source = createReadStream(path, { highWaterMark: 1 << 16 });
  const streams: Readable[] = [source];
  let feed: Readable = source;
  if (gz) {
    const gunzip = createGunzip();
    streams.push(gunzip);
    pipeline(source, gunzip, parser, () => {});
    feed = gunzip;
  } else {
    pipeline(source, parser, () => {});
  }
  if (tap) {
    tap.restart();
    tapStream(source, tap);
  }
  let last = -1;
  feed.on('data', (c: Buffer) => {
    if (c.length > 0) last = c[c.length - 1]!;
  });
  return {
    parser,
    lastByte: () => last,
    close() {
      for (const s of streams) s.destroy();
      parser.destroy();
    },
  };
}
