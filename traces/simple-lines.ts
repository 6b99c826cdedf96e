/**
 * The native trace reader's fast tokenizer: splits the lines of a trace that
 * are *simple* (no quote, no CR) into fields, by byte offsets, without making
 * a string. On such lines csv-parse with the trace's options
 * (csv-lines.ts `TRACE_CSV_OPTIONS`) has nothing to decide: a line starting
 * with `#` is a comment (whatever it holds after the `#`, quotes included),
 * an empty line is skipped, and any other line is one record whose fields
 * are the bytes between commas. The first line that is not simple ends the
 * fast path: the reader hands the file to csv-parse from there
 * (reader.ts), so results are csv-parse's on every input — a property test
 * compares the two on random bytes (test/simple-lines.test.ts).
 *
 * Why no CR: the reader's csv-parse takes CR LF or LF as a record
 * delimiter (csv-lines.ts `TRACE_CSV_OPTIONS`), keeps a lone CR in its
 * field and counts it in its line numbers, which the reader then corrects
 * (line-framing.ts); a line without CR needs none of that.
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;

/** {@link scanLine}: the line is not simple (it holds a CR, or a quote outside a comment). */
export const NOT_SIMPLE = -1;
/** {@link scanLine}: the data ends before the line's LF (and is not the end of the input). */
export const INCOMPLETE = -2;

/** What {@link scanLine} found on a line: nothing to emit (an empty or comment line), or a record. */
export const LineKind = { Skip: 0, Record: 1 } as const;
/** One of {@link LineKind}'s values. */
export type LineKind = (typeof LineKind)[keyof typeof LineKind];

/**
 * The fields of the line last scanned: field `i` is bytes
 * `[at[i], at[i + 1] - 1)` (the `- 1` drops the comma or LF after it).
 */
export class FieldSpans {
  /** Field starts, then one past the end of the line's last field plus one. */
  at = new Int32Array(64);
  /** Fields on the line. */
  count = 0;
  /** What the line was. */
  kind: LineKind = LineKind.Skip;

  private grow(): void {
    const a = new Int32Array(this.at.length * 2);
    a.set(this.at);
    this.at = a;
  }

  /** Records a field boundary (internal to {@link scanLine}). */
  cut(k: number, pos: number): void {
    if (k >= this.at.length) this.grow();
    this.at[k] = pos;
  }
}

/**
 * Scans the line starting at `buf[pos]` (the start of a line), the data
 * ending at `end`; `last` when `end` is the end of the input (the last line
 * may lack its LF). Returns the index just past the line (after its LF), or
 * {@link NOT_SIMPLE}, or {@link INCOMPLETE}; `spans` tells what the line was.
 */
export function scanLine(buf: Uint8Array, pos: number, end: number, last: boolean, spans: FieldSpans): number {
  if (pos < end && buf[pos] === HASH) {
    // a comment line: skipped whatever it holds, but a CR would change csv-parse's line count or delimiter
    for (let i = pos + 1; i < end; i++) {
      const c = buf[i]!;
      if (c === LF) {
        spans.kind = LineKind.Skip;
        return i + 1;
      }
      if (c === CR) return NOT_SIMPLE;
    }
    if (!last) return INCOMPLETE;
    spans.kind = LineKind.Skip;
    return end;
  }
  let k = 0;
  let at = spans.at;
  at[k++] = pos;
  for (let i = pos; i < end; i++) {
    const c = buf[i]!;
    if (c > COMMA) continue;
    if (c === COMMA) {
      if (k >= at.length) {
        spans.cut(k, i + 1);
        at = spans.at;
        k++;
      } else at[k++] = i + 1;
    } else if (c === LF) {
      if (i === pos) {
        spans.kind = LineKind.Skip; // an empty line
        return i + 1;
      }
      spans.cut(k, i + 1);
      spans.count = k;
      spans.kind = LineKind.Record;
      return i + 1;
    } else if (c === QUOTE || c === CR) return NOT_SIMPLE;
  }
  if (!last) return INCOMPLETE;
  if (pos === end) {
    spans.kind = LineKind.Skip;
    return end;
  }
  spans.cut(k, end + 1);
  spans.count = k;
  spans.kind = LineKind.Record;
  return end;
}

/** Field `i` of the line last scanned into `spans`, decoded (UTF-8). */
export function fieldText(buf: Buffer, spans: FieldSpans, i: number): string {
  return buf.toString('utf8', spans.at[i]!, spans.at[i + 1]! - 1);
}

/** Every field of the line last scanned into `spans`, decoded. */
export function recordOf(buf: Buffer, spans: FieldSpans): string[] {
  const rec: string[] = new Array(spans.count);
  for (let i = 0; i < spans.count; i++) rec[i] = fieldText(buf, spans, i);
  return rec;
}

/** Length of a UTF-8 byte order mark at the start of `buf` (3), or 0; csv-parse drops it there (option `bom`). */
export function bomLength(buf: Uint8Array): number {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}
