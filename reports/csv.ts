/**
 * Streaming reader of the result CSVs (syncs.csv, timeline.csv, a sweep's
 * results.csv and aggregate.csv): one row at a time with its file line, so
 * memory does not grow with the file, and every problem is a TraceError
 * naming file, line and column.
 */
import { createReadStream, existsSync } from 'node:fs';
import { parse } from 'csv-parse';
import { TraceError } from '../traces/trace-error.ts';

/** One data row: its fields in header order and the file line it ends on. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** An open CSV file: its header and its rows, read lazily. */
export interface CsvFile {
  file: string;
  header: string[];
  /** Index of each column by name. */
  col: Record<string, number>;
  /** The data rows, streamed (call once). */
  rows: AsyncIterable<CsvRow>;
}

/**
 * Opens `file` and reads its header; `required` columns must be present.
 * Lines starting with `#` and blank lines are skipped (but counted).
 */
export async function openCsv(file: string, required: readonly string[] = []): Promise<CsvFile> {
  if (!existsSync(file)) throw new TraceError(file, 0, '-', 'file not found', file);
  const parser = parse({ info: true, comment: '#', comment_no_infix: true, skip_empty_lines: true, relax_column_count: true, bom: true });
  const input = createReadStream(file);
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  const it = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  const next = async (): Promise<IteratorResult<{ record: string[]; info: { lines: number } }>> => {
    try {
      return await it.next();
    } catch (e) {
      const err = e as Error & { lines?: number; code?: string };
      throw new TraceError(file, err.lines ?? 0, '-', `malformed CSV: ${err.message}`, '', { cause: e });
    }
  };
  const first = await next();
  if (first.done) throw new TraceError(file, 1, '-', 'empty file, expected a header line', '');
  const header = first.value.record.map((h) => h.trim());
  const col: Record<string, number> = {};
  header.forEach((h, i) => (col[h] = i));
  for (const name of required) {
    if (col[name] === undefined) throw new TraceError(file, first.value.info.lines, name, `missing column '${name}' in the header`, header.join(','));
  }
  async function* rows(): AsyncGenerator<CsvRow> {
    for (;;) {
      const r = await next();
      if (r.done) return;
      const { record, info } = r.value;
      if (record.length !== header.length) {
        throw new TraceError(file, info.lines, '-', `expected ${header.length} fields like the header, found ${record.length}`, record.join(','));
      }
      yield { line: info.lines, fields: record };
    }
  }
  return { file, header, col, rows: rows() };
}

/** Reads field `name` of `row` as a finite number (>= `min` when given); throws a TraceError otherwise. */
export function numberField(f: CsvFile, row: CsvRow, name: string, min?: number): number {
  const text = row.fields[f.col[name]] ?? '';
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) throw new TraceError(f.file, row.line, name, 'expected a number', text);
  if (min !== undefined && v < min) throw new TraceError(f.file, row.line, name, `expected a number >= ${min}`, text);
  return v;
}

/** Reads field `name` as a number, or null when it is empty, `null` or `NaN`. */
export function optionalNumberField(f: CsvFile, row: CsvRow, name: string): number | null {
  const text = (row.fields[f.col[name]] ?? '').trim();
  if (text === '' || text === 'null' || text === 'NaN' || text === 'NA') return null;
  return numberField(f, row, name);
}
