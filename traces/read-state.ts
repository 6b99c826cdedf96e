/**
 * What the native trace reader knows at a point of one file, shared by its
 * two passes (the fast tokenizer, fast-pass.ts, and csv-parse, reader.ts):
 * the header's columns, the row checker (time order), line framing, the
 * block being filled, and the handling of one record given as strings.
 */
import { BlockBuilder } from './block-builder.ts';
import { parseHeader, type TraceColumns } from './columns.ts';
import { isBlankRecord, LineFraming } from './line-framing.ts';
import { checkBytes, RowChecker } from './row-check.ts';
import { columnLabel, FieldProblem, TraceError } from './trace-error.ts';

/** The reader's state over one file. */
export class ReadState {
  cols: TraceColumns | null = null;
  checker: RowChecker | null = null;
  builder: BlockBuilder | null = null;
  readonly framing = new LineFraming();
  /** File line of the last row accepted. */
  lastLine = 0;

  constructor(readonly path: string, readonly batchSize: number) {}

  /**
   * The header record `rec` ending at csv-parse line `csvLine`: columns, checker and
   * block builder set up. Throws a TraceError for a bad header.
   */
  header(rec: string[], csvLine: number): void {
    const line = this.framing.takeHeader(rec, csvLine);
    let cols: TraceColumns;
    try {
      cols = parseHeader(rec);
    } catch (e) {
      if (e instanceof FieldProblem) throw new TraceError(this.path, line, columnLabel(rec, e.column), e.problem, e.text);
      throw e;
    }
    this.cols = cols;
    this.checker = new RowChecker(cols);
    this.builder = new BlockBuilder(this.batchSize, cols.extraNames);
  }

  /**
   * One CSV record ending at csv-parse line `csvLine` (`suspect`: its fields may hold bad-byte
   * markers): skipped (a blank line), taken as the header, or checked and added as a row.
   * Throws a FieldProblem (located by {@link located}) or a TraceError.
   */
  record(rec: string[], csvLine: number, suspect: boolean): void {
    const cols = this.cols;
    if (suspect) checkBytes(rec, cols !== null);
    if (cols === null || rec.length !== cols.count) {
      if (isBlankRecord(rec)) return;
      if (cols === null) return this.header(rec, csvLine);
      throw new FieldProblem('-', `wrong number of fields: expected ${cols.count}, found ${rec.length}`, rec.join(','));
    }
    // `line` is used for the row only; errors recompute it from all fields (framing.startLine).
    const line = this.framing.rowLine(rec, csvLine, cols.breakable);
    this.builder!.addRow(this.checker!.row(rec, line));
    this.framing.acceptRow();
    this.lastLine = line;
  }

  /** The TraceError of a FieldProblem found in record `rec` ending at csv-parse line `csvLine`. */
  located(err: FieldProblem, rec: readonly string[], csvLine: number): TraceError {
    return new TraceError(this.path, this.framing.startLine(rec, csvLine), columnLabel(this.cols?.names ?? null, err.column), err.problem, err.text);
  }
}
