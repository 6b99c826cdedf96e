/**
 * How a malformed trace is reported: {@link TraceError}, with its file, line,
 * column, problem and offending text, and {@link FieldProblem}, a problem
 * found in a field or row before the reader knows the file and line.
 */
import { escapeControl } from './escape.ts';

/** What the `column` of a {@link TraceError} names: a trace's column, a key of a row given in code, a fio job's option or section. */
export type TraceErrorNoun = 'column' | 'key' | 'option' | 'section';

/** Longest offending text quoted in full in an error message (the `text` field is never cut). */
export const MAX_TEXT_IN_MESSAGE = 200;

/**
 * A malformed trace. `message` is exactly `FILE:LINE: column COL: PROBLEM (got 'TEXT')`, control
 * characters escaped ({@link escapeControl}), or `FILE:LINE: PROBLEM (got 'TEXT')` when
 * `column` is `-`: the problem is not tied to one column (field count, missing header,
 * I/O). `line` is the 1-based file line (0 when the file could not even be opened). For rows
 * given in code (traces/rows.ts) `column` is the row's key and the message says `key COL`; for a
 * fio job file (scripts/validate/jobfile.ts) it is an option (`option ioengine`) or a section
 * (`section [two]`).
 */
export class TraceError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: string;
  readonly text: string;
  /** What is wrong, without the location and the offending text. */
  readonly problem: string;

  /**
   * `text`: the offending input, shown after the problem; undefined when no text of the file is at
   * fault (a gzip stream that stops short). `options.noun`: what `column` names (default `column`;
   * `key` for a row given in code; `option` or `section` for a fio job file).
   */
  constructor(file: string, line: number, column: string, problem: string, text: string | undefined, options?: { cause?: unknown; noun?: TraceErrorNoun }) {
    const shown = text === undefined ? '' : text.length > MAX_TEXT_IN_MESSAGE ? `${text.slice(0, MAX_TEXT_IN_MESSAGE)}...` : text;
    const at = column === '-' ? '' : `${options?.noun ?? 'column'} ${column}: `;
    super(escapeControl(`${file}:${line}: ${at}${problem}${text === undefined ? '' : ` (got '${shown}')`}`), options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'TraceError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.text = text ?? '';
    this.problem = problem;
  }
}

/**
 * A problem in one record of a trace, not yet located in the file: `column`
 * is an index into the record (named through the header) or a column name,
 * `-` when no one column is at fault. The reader turns it into a
 * {@link TraceError} at the record's line.
 */
export class FieldProblem extends Error {
  constructor(readonly column: number | string, readonly problem: string, readonly text: string) {
    super(problem);
    this.name = 'FieldProblem';
  }
}

/** Throws a {@link FieldProblem}. */
export function fieldProblem(column: number | string, problem: string, text: string): never {
  throw new FieldProblem(column, problem, text);
}

/**
 * The column a message names for `column` of a record under the header
 * `names`: the header's name (`#N`, 1-based, for an empty one), `column`
 * itself when it is a name, `-` before the header or out of its range.
 */
export function columnLabel(names: readonly string[] | null, column: number | string): string {
  if (typeof column === 'string') return column;
  if (names === null || column < 0 || column >= names.length) return '-';
  const name = names[column]!;
  return name === '' ? `#${column + 1}` : name;
}

/**
 * The error of an input with nothing in it to import (no bytes, or only blank lines), the same
 * for every importer: `FILE:LINE: empty input: expected EXPECTED (got '')`, exit 2 as any
 * malformed trace. `line` is 1 unless the reader got past lines that are no event (a header).
 */
export function emptyInput(file: string, expected: string, line = 1): TraceError {
  return new TraceError(file, line, '-', `empty input: expected ${expected}`, '');
}
