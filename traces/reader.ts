/**
 * Streaming reader of the native trace format (docs/trace-format.md, version 1).
 *
 * `readTrace(path)` yields batches of validated {@link TraceRow}s. The file is read through
 * `fs.createReadStream` (and `zlib.createGunzip()` when it starts with the gzip magic bytes
 * 0x1f 0x8b, whatever its name) into csv-parse's streaming parser, consumed with backpressure:
 * memory does not grow with the length of the trace.
 *
 * Two passes share the work (read-state.ts holds what they know): a fast pass
 * (fast-pass.ts) splits simple lines itself and parses ordinary rows straight
 * from the bytes into blocks of columns; at the first thing it does not handle
 * (quotes, CR, bad bytes, any error) csv-parse reads the file from its start,
 * skipping the records the fast pass took, so results and errors are csv-parse's.
 *
 * The pieces, each readable and testable alone: the CSV layer and the byte stream
 * (csv-lines.ts), real file line numbers (line-framing.ts: comment and blank lines are skipped
 * but counted), the header (columns.ts), one parser per kind of field (fields.ts), the
 * validation of a data record (row-check.ts) and the error format (trace-error.ts).
 *
 * Every problem (malformed row, malformed CSV, unreadable or corrupt file) is thrown from the
 * generator as a {@link TraceError}; the first error in file order wins.
 */
import { openCsvInput, type ParsedChunk } from './csv-lines.ts';
import { showBytes } from './utf8.ts';
import type { RowBlock, TraceRow } from './types.ts';
import { errnoText, fileStart, lineAtOffset, startsGzip } from './files.ts';
import { checkUnchanged, fileVersion } from './file-version.ts';
import { FieldProblem, TraceError } from './trace-error.ts';
import { csvSyntaxError, firstRecordLine, isUnclosedQuote, type CsvSyntax } from './csv-syntax.ts';
import { ReadState } from './read-state.ts';
import { FastPass } from './fast-pass.ts';
import { GZIP_PROBLEM, withDamageTold } from './gzip-check.ts';
import { withCrLinesTold } from './cr-lines.ts';
import { binaryKind, SNIFF_BYTES } from './binary-sniff.ts';
import type { ByteTap } from './byte-tap.ts';

/** Options of {@link readTrace}. */
export interface ReadTraceOptions {
  /** Rows per yielded batch, a positive integer (default 4096). The last batch may be shorter; no empty batch is yielded. */
  batchSize?: number;
  /** Use the fast pass (default true); false: csv-parse reads every line (tests compare the two). */
  fast?: boolean;
  /** Bytes per read of the fast pass (default 1 MiB; tests make it small to cut lines anywhere). */
  chunkBytes?: number;
  /** Sees the file's bytes (gzip-compressed, as in the file) as they are read: told to restart when a pass reads it again from its start. */
  tap?: ByteTap;
}

/**
 * Read a native trace, yielding batches of validated rows in file order. Throws a
 * {@link TraceError} on the first problem (rows of earlier batches have been yielded by then).
 * Breaking out of the loop early closes the file.
 */
export async function* readTrace(path: string, opts: ReadTraceOptions = {}): AsyncGenerator<TraceRow[]> {
  for await (const block of readTraceBlocks(path, opts)) {
    const rows = block.rows();
    block.release();
    yield rows;
  }
}

/**
 * {@link readTrace}'s rows as blocks of columns (batchSize rows each, the last one
 * shorter), as the simulator takes them: no object per row.
 */
export async function* readTraceBlocks(path: string, opts: ReadTraceOptions = {}): AsyncGenerator<RowBlock> {
  const batchSize = opts.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`readTrace: batchSize must be a positive integer, got ${batchSize}`);

  let head: Buffer;
  try {
    // its first bytes, in one read: whether it is gzip, and whether it is text at all
    head = await fileStart(path, SNIFF_BYTES);
  } catch (err) {
    throw new TraceError(path, 0, '-', `cannot open the trace: ${(err as Error).message}`, errnoText(err), { cause: err });
  }
  const gz = startsGzip(head);
  // a file that is not text at all is named as what it seems to be, not by its first invalid byte
  const binary = gz ? undefined : binaryKind(head);
  if (binary !== undefined) throw new TraceError(path, 1, '-', `not a trace: the file holds ${binary}`, undefined);
  // the line a gzip error names, and what a damaged file decompressed to, are told with where the file is damaged
  // a plain file whose lines end with a CR alone, which reads as one long line, is said to be one when it fails
  yield* withDamageTold(path, gz, withCrLinesTold(path, gz, readBlocks(path, gz, batchSize, opts)));
}

/** {@link readTraceBlocks} of a file known to be gzip (`gz`) or not; a file that changed before its end was read is an error. */
async function* readBlocks(path: string, gz: boolean, batchSize: number, opts: ReadTraceOptions): AsyncGenerator<RowBlock> {
  const st = new ReadState(path, batchSize);
  const before = fileVersion(path);
  let skip = 0;
  if (opts.fast ?? true) {
    const fast = new FastPass(path, gz, st, opts.chunkBytes, opts.tap);
    try {
      yield* fast.blocks();
    } finally {
      fast.close();
    }
    if (fast.complete) {
      checkUnchanged(path, before, st.lastLine, 'trace');
      const last = st.builder!.take();
      if (last !== undefined) yield last;
      return;
    }
    skip = fast.records;
  }
  yield* csvPass(st, gz, skip, () => checkUnchanged(path, before, st.lastLine, 'trace'), opts.tap);
}

/** The rest of the file read by csv-parse, from its start, the first `skip` records (taken by the fast pass) skipped; `atEnd` runs once the file is read whole; `tap` sees its bytes. */
async function* csvPass(st: ReadState, gz: boolean, skip: number, atEnd: () => void, tap?: ByteTap): AsyncGenerator<RowBlock> {
  const path = st.path;
  const input = openCsvInput(path, gz, tap);
  const parser = input.parser;
  const framing = st.framing;
  // The record being looked at, to locate a FieldProblem.
  let rec: string[] = [];
  let csvLine = 0;
  /** csv-parse's line count at the end of the last record it gave (the header's included, and those the fast pass took). */
  let lastCsvLine = 0;
  let seen = 0;
  try {
    for await (const chunk of parser as AsyncIterable<ParsedChunk>) {
      if (chunk.error !== undefined) {
        const e = chunk.error as CsvSyntax;
        let line = typeof e.lines === 'number' ? framing.fileLine(e.lines) : st.lastLine;
        // a quote never closed: the line its record began on, the first record line after the last record read
        if (isUnclosedQuote(e)) line = await firstRecordLine(path, framing.fileLine(lastCsvLine) + 1, line);
        throw csvSyntaxError(path, e, line, st.cols?.names ?? null, parser.suspect);
      }
      const { records, lines } = chunk;
      for (let k = 0; k < records.length; k++) {
        lastCsvLine = lines[k]!;
        if (seen < skip) {
          seen++;
          continue;
        }
        rec = records[k]!;
        csvLine = lines[k]!;
        st.record(rec, csvLine, parser.suspect);
        if (st.builder?.full) yield st.builder.take()!;
      }
    }
  } catch (err) {
    if (err instanceof TraceError) throw err;
    if (err instanceof FieldProblem) throw st.located(err, rec, csvLine);
    const e = err as NodeJS.ErrnoException;
    const line = Math.max(st.lastLine, framing.fileLine(parser.info.lines));
    const what = gz && typeof e?.code === 'string' && e.code.startsWith('Z_') ? GZIP_PROBLEM : 'cannot read the trace';
    throw new TraceError(path, line, '-', `${what}: ${e?.message ?? String(err)}`, errnoText(err), { cause: err });
  } finally {
    input.close();
  }

  if (parser.firstInvalidAt >= 0) {
    // not UTF-8 in a line that csv-parse skipped (a comment)
    const { line, bytes } = await lineAtOffset(path, gz, parser.firstInvalidAt);
    throw new TraceError(path, line, '-', 'invalid UTF-8 in a comment line', showBytes(bytes));
  }
  if (st.cols === null) throw new TraceError(path, Math.max(1, framing.endLine(parser.info.lines, input.lastByte())), '-', 'no header line (empty trace)', '');
  atEnd();
  const last = st.builder!.take();
  if (last !== undefined) yield last;
}
