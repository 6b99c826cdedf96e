/**
 * Streaming reader of the native trace format (docs/trace-format.md, version 1).
 *
 * `readTrace(path)` yields batches of validated {@link TraceRow}s. The file is read through
 * `fs.createReadStream` (and `zlib.createGunzip()` when it starts with the gzip magic bytes
 * 0x1f 0x8b, whatever its name) into csv-parse's streaming parser, consumed with backpressure:
 * memory does not grow with the length of the trace.
 *
 * The pieces, each readable and testable alone: the CSV layer and the byte stream
 * (csv-lines.ts), real file line numbers (line-framing.ts: comment and blank lines are skipped
 * but counted), the header (columns.ts), one parser per kind of field (fields.ts), the
 * validation of a data record (row-check.ts) and the error format (trace-error.ts).
 *
 * Every problem (malformed row, malformed CSV, unreadable or corrupt file) is thrown from the
 * generator as a {@link TraceError}; the first error in file order wins.
 */
import type { CsvError } from 'csv-parse';
import { openCsvInput, type ParsedChunk } from './csv-lines.ts';
import { showBytes, showMarked } from './utf8.ts';
import type { TraceRow } from './types.ts';
import { errnoText, isGzip, lineAtOffset } from './files.ts';
import { columnLabel, FieldProblem, TraceError } from './trace-error.ts';
import { isBlankRecord, LineFraming } from './line-framing.ts';
import { parseHeader, type TraceColumns } from './columns.ts';
import { checkBytes, RowChecker } from './row-check.ts';

/** Options of {@link readTrace}. */
export interface ReadTraceOptions {
  /** Rows per yielded batch, a positive integer (default 4096). The last batch may be shorter; no empty batch is yielded. */
  batchSize?: number;
}

/** The TraceError of a CSV syntax error reported by csv-parse. */
function csvSyntaxError(path: string, e: CsvError & { lines?: number; column?: number | string; field?: string }, line: number, names: readonly string[] | null, suspect: boolean): TraceError {
  const col = typeof e.column === 'number' ? columnLabel(names, e.column) : '-';
  // csv-parse's message ends with the field as JSON: the message quotes it already
  const problem = e.message.replace(/, value is ".*$/s, '');
  const field = typeof e.field === 'string' ? e.field : '';
  return new TraceError(path, line, col, `malformed CSV: ${problem}`, suspect ? showMarked(field) : field, { cause: e });
}

/**
 * Read a native trace, yielding batches of validated rows in file order. Throws a
 * {@link TraceError} on the first problem (rows of earlier batches have been yielded by then).
 * Breaking out of the loop early closes the file.
 */
export async function* readTrace(path: string, opts: ReadTraceOptions = {}): AsyncGenerator<TraceRow[]> {
  const batchSize = opts.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`readTrace: batchSize must be a positive integer, got ${batchSize}`);

  let gz: boolean;
  try {
    gz = await isGzip(path);
  } catch (err) {
    throw new TraceError(path, 0, '-', `cannot open the trace: ${(err as Error).message}`, errnoText(err), { cause: err });
  }

  const input = openCsvInput(path, gz);
  const parser = input.parser;
  const framing = new LineFraming();
  let cols: TraceColumns | null = null;
  let checker: RowChecker | null = null;
  let lastLine = 0;
  // The record being looked at, to locate a FieldProblem.
  let rec: string[] = [];
  let csvLine = 0;

  let batch: TraceRow[] = [];
  try {
    for await (const chunk of parser as AsyncIterable<ParsedChunk>) {
      if (chunk.error !== undefined) {
        const e = chunk.error as CsvError & { lines?: number };
        const line = typeof e.lines === 'number' ? framing.fileLine(e.lines) : lastLine;
        throw csvSyntaxError(path, e, line, cols?.names ?? null, parser.suspect);
      }
      const { records, lines } = chunk;
      for (let k = 0; k < records.length; k++) {
        rec = records[k]!;
        csvLine = lines[k]!;
        if (parser.suspect) checkBytes(rec, cols !== null);
        if (cols === null || rec.length !== cols.count) {
          if (isBlankRecord(rec)) continue;
          if (cols === null) {
            const line = framing.takeHeader(rec, csvLine);
            try {
              cols = parseHeader(rec);
            } catch (e) {
              if (e instanceof FieldProblem) throw new TraceError(path, line, columnLabel(rec, e.column), e.problem, e.text);
              throw e;
            }
            checker = new RowChecker(cols);
            continue;
          }
          throw new FieldProblem('-', `wrong number of fields: expected ${cols.count}, found ${rec.length}`, rec.join(','));
        }
        // `line` is used for the row only; errors recompute it from all fields (framing.startLine).
        const line = framing.rowLine(rec, csvLine, cols.breakable);
        batch.push(checker!.row(rec, line));
        framing.acceptRow();
        lastLine = line;
        if (batch.length >= batchSize) {
          const out = batch;
          batch = [];
          yield out;
        }
      }
    }
  } catch (err) {
    if (err instanceof TraceError) throw err;
    if (err instanceof FieldProblem) throw new TraceError(path, framing.startLine(rec, csvLine), columnLabel(cols?.names ?? null, err.column), err.problem, err.text);
    const e = err as NodeJS.ErrnoException;
    const line = Math.max(lastLine, framing.fileLine(parser.info.lines));
    const what = gz && typeof e?.code === 'string' && e.code.startsWith('Z_') ? 'corrupt gzip data' : 'cannot read the trace';
    throw new TraceError(path, line, '-', `${what}: ${e?.message ?? String(err)}`, errnoText(err), { cause: err });
  } finally {
    input.close();
  }

  if (parser.firstInvalidAt >= 0) {
    // not UTF-8 in a line that csv-parse skipped (a comment)
    const { line, bytes } = await lineAtOffset(path, gz, parser.firstInvalidAt);
    throw new TraceError(path, line, '-', 'invalid UTF-8 in a comment line', showBytes(bytes));
  }
  if (cols === null) throw new TraceError(path, Math.max(1, framing.endLine(parser.info.lines, input.lastByte())), '-', 'no header line (empty trace)', '');
  if (batch.length > 0) yield batch;
}
