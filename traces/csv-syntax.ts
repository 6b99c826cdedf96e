/**
 * CSV syntax errors of a native trace, in the reader's words: csv-parse finds
 * them (quotes, mostly), and its messages speak of its own options ("trimable
 * character (if activated)"), count fields from 0 and, for a quote never
 * closed, name the end of the file. Here each known code gets a sentence that
 * says what is wrong and how a field is quoted, and the line a never-closed
 * quote opened on.
 */
import type { CsvError } from 'csv-parse';
import { showMarked } from './utf8.ts';
import { columnLabel, TraceError } from './trace-error.ts';
import { readLines } from './import/lines.ts';

/** A csv-parse error with the fields it sets. */
export type CsvSyntax = CsvError & { lines?: number; column?: number | string; field?: string };

/** How a quoted field is written, for the messages below. */
const QUOTING = 'a field is quoted whole or not at all, and a quote inside a quoted field is written ""';

/** A quote inside an unquoted field (csv-parse gives the field up to it). */
const OPENING_QUOTE = {
  problem: `a quote inside an unquoted field (${QUOTING})`,
  got: (e: CsvSyntax) => (typeof e.field === 'string' ? e.field : ''),
};
/** What each csv-parse error code means, and the text its message quotes (from the error). */
const CSV_SYNTAX: Readonly<Record<string, { problem: string; got: (e: CsvSyntax) => string }>> = {
  CSV_INVALID_CLOSING_QUOTE: {
    problem: `a quoted field goes on after its closing quote (${QUOTING})`,
    // "got "x" instead of delimiter, ...": the character after the quote
    got: (e) => /got "(.*?)"(?: (?:at|on) line \d+)? instead of/s.exec(e.message)?.[1] ?? '',
  },
  CSV_QUOTE_NOT_CLOSED: {
    problem: `a quote opened on this line is never closed: the file ends inside its field (${QUOTING})`,
    got: () => '',
  },
  // csv-parse 5 names it without the prefix
  INVALID_OPENING_QUOTE: OPENING_QUOTE,
  CSV_INVALID_OPENING_QUOTE: OPENING_QUOTE,
};

/**
 * The TraceError of a CSV syntax error `e` found at file line `line`, in the
 * column `e.column` of the header `names`; `suspect`: the field may hold
 * bytes to mark (utf8.ts). Codes not in the table keep csv-parse's wording,
 * less its own line count (which counts a lone CR as a line).
 */
export function csvSyntaxError(path: string, e: CsvSyntax, line: number, names: readonly string[] | null, suspect: boolean): TraceError {
  const col = typeof e.column === 'number' ? columnLabel(names, e.column) : '-';
  const known = typeof e.code === 'string' && Object.hasOwn(CSV_SYNTAX, e.code) ? CSV_SYNTAX[e.code]! : undefined;
  // csv-parse's message ends with the field as JSON, which the message quotes already
  const problem = known?.problem ?? e.message.replace(/, value is ".*$/s, '').replace(/ (?:at|on) line \d+/, '');
  const got = known ? known.got(e) : typeof e.field === 'string' ? e.field : '';
  return new TraceError(path, line, col, `malformed CSV: ${problem}`, suspect ? showMarked(got) : got, { cause: e });
}

/** Whether `e` is a quote that the file ends inside (its line is then where the quote's record began, not the end of the file). */
export function isUnclosedQuote(e: CsvSyntax): boolean {
  return e.code === 'CSV_QUOTE_NOT_CLOSED';
}

/**
 * The first line from `from` on of the trace at `path` that holds a record
 * (not blank, not a comment), or `fallback` when it cannot be read. For the
 * error of a quote never closed: its record begins there.
 */
export async function firstRecordLine(path: string, from: number, fallback: number): Promise<number> {
  try {
    for await (const { first, lines } of readLines(path)) {
      for (let i = 0; i < lines.length; i++) {
        const n = first + i;
        if (n < from) continue;
        const t = lines[i]!;
        if (t.startsWith('#') || t.trim() === '') continue;
        return n;
      }
    }
  } catch {
    /* the file as it reads: the end of the file stands */
  }
  return fallback;
}
