/**
 * Line framing of the native trace reader: which file line a CSV record
 * starts on. csv-parse's line counter reports the line a record ends on and
 * counts every CR and LF inside fields, so a CR LF inside a field counts
 * twice and a lone CR (not a line break in a trace) once; {@link LineFraming} keeps that drift and maps the counter
 * back to real file lines (comment and blank lines are counted, not skipped).
 */

/** Whether `s` holds a line break (CR or LF). */
export function hasBreak(s: string): boolean {
  return s.length !== 0 && (s.indexOf('\n') !== -1 || s.indexOf('\r') !== -1);
}

/** Number of line breaks csv-parse counted inside a field (every CR and every LF). */
export function countBreakChars(s: string): number {
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) k++;
  }
  return k;
}

/**
 * Number of CRs in a field: the lines csv-parse counts that the file does not have. Line breaks
 * are LF or CR LF (docs/trace-format.md); csv-parse counts a CR LF as two lines and a lone CR as one.
 */
export function countCr(s: string): number {
  let k = 0;
  for (let i = s.indexOf('\r'); i !== -1; i = s.indexOf('\r', i + 1)) k++;
  return k;
}

/** Whether a record is a blank line: one field of whitespace only, with no line break. */
export function isBlankRecord(rec: readonly string[]): boolean {
  return rec.length === 1 && rec[0]!.trim() === '' && !hasBreak(rec[0]!);
}

/**
 * Maps csv-parse's line counter (`info.lines` when a record was completed)
 * to file lines, for one pass over one file.
 */
export class LineFraming {
  /** Lines csv-parse counted that the file does not have (the CRs inside fields of accepted records). */
  private drift = 0;
  /** CRs inside the fields of the record last given to {@link rowLine}. */
  private pending = 0;

  /** The file line of a counter value (a CSV error's line, the end of the input). */
  fileLine(csvLine: number): number {
    return csvLine - this.drift;
  }

  /** The real start line of a record ending at `csvLine`, whichever of its fields hold line breaks (for error messages). */
  startLine(rec: readonly string[], csvLine: number): number {
    let k = 0;
    for (let j = 0; j < rec.length; j++) if (hasBreak(rec[j]!)) k += countBreakChars(rec[j]!);
    return csvLine - this.drift - k;
  }

  /** The start line of the header record, which is then accepted (its CRs count from here on). */
  takeHeader(rec: readonly string[], csvLine: number): number {
    const line = this.startLine(rec, csvLine);
    for (const f of rec) this.drift += countCr(f);
    return line;
  }

  /**
   * The start line of a data record, counting breaks only in the fields at
   * `breakable` (the only ones that may legally hold them); call
   * {@link acceptRow} once the row is valid.
   */
  rowLine(rec: readonly string[], csvLine: number, breakable: readonly number[]): number {
    let line = csvLine - this.drift;
    let cr = 0;
    for (let x = 0; x < breakable.length; x++) {
      const v = rec[breakable[x]!]!;
      if (hasBreak(v)) {
        line -= countBreakChars(v);
        cr += countCr(v);
      }
    }
    this.pending = cr;
    return line;
  }

  /** Accepts the record last given to {@link rowLine}. */
  acceptRow(): void {
    this.drift += this.pending;
    this.pending = 0;
  }

  /**
   * The last line of the input given csv-parse's final counter and the last
   * byte read: after a final line break the counter is one past the last line.
   */
  endLine(csvLines: number, lastByte: number): number {
    return csvLines - this.drift - (lastByte === 10 || lastByte === 13 ? 1 : 0);
  }
}
