/**
 * Streaming reader of the native trace format (shared/spec/trace-format.md, version 1).
 *
 * `readTrace(path)` yields batches of validated {@link TraceRow}s. The file is read through
 * `fs.createReadStream` (and `zlib.createGunzip()` when it starts with the gzip magic bytes
 * 0x1f 0x8b, whatever its name) into csv-parse's streaming parser, consumed with backpressure:
 * memory does not grow with the length of the trace.
 *
 * Line numbers are real file line numbers: comment lines (`#` as first character) and blank
 * lines are skipped but counted. They are taken from csv-parse's public `info.lines` counter at
 * the moment each record is pushed (a small `Parser` subclass, {@link LineParser}); the
 * `info: true` option gives the same number but allocates two info snapshots per record and
 * halves the parser's throughput.
 *
 * Every problem (malformed row, malformed CSV, unreadable or corrupt file) is thrown from the
 * generator as a {@link TraceError}; the first error in file order wins.
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { CsvError } from 'csv-parse';
import { LineParser, TRACE_CSV_OPTIONS, type ParsedChunk } from './csv-lines.ts';
import { hasMarker, markerProblem, showBytes, showMarked } from './utf8.ts';
import { ADDR_LIMIT, FLAG_ALIASES, FLAGS_BY_OP, OP_NAMES, type OpName, type TraceRow } from './types.ts';
import { errnoText, isGzip, lineAtOffset } from './files.ts';
import { escapeControl } from './escape.ts';

/** Longest offending text quoted in full in an error message (the `text` field is never cut). */
const MAX_TEXT_IN_MESSAGE = 200;

/**
 * A malformed trace. `message` is exactly `FILE:LINE: column COL: PROBLEM (got 'TEXT')`, control
 * characters escaped ({@link escapeControl});
 * `column` is `-` when the problem is not tied to one column (field count, missing header,
 * I/O). `line` is the 1-based file line (0 when the file could not even be opened).
 */
export class TraceError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: string;
  readonly text: string;
  /** What is wrong, without the location and the offending text. */
  readonly problem: string;

  constructor(file: string, line: number, column: string, problem: string, text: string, options?: { cause?: unknown }) {
    const shown = text.length > MAX_TEXT_IN_MESSAGE ? `${text.slice(0, MAX_TEXT_IN_MESSAGE)}...` : text;
    super(escapeControl(`${file}:${line}: column ${column}: ${problem} (got '${shown}')`), options);
    this.name = 'TraceError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.text = text;
    this.problem = problem;
  }
}

export interface ReadTraceOptions {
  /** Rows per yielded batch, a positive integer (default 4096). The last batch may be shorter; no empty batch is yielded. */
  batchSize?: number;
}

// ---------------------------------------------------------------------------------------------
// Field parsers (char loops: this is the hot path)

/** Characters allowed in a task token: [A-Za-z0-9_.-]. */
const TASK_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_.-]/.test(ch)) TASK_CHAR[c] = 1;
}

function isTaskToken(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TASK_CHAR[c] === 0) return false;
  }
  return true;
}

/**
 * A non-negative integer written in decimal or `0x` hex. NaN when malformed. Values >= 2^53 come
 * out >= 2^53 (possibly rounded, never below), so range checks against {@link ADDR_LIMIT} hold.
 */
function parseUint(s: string): number {
  const n = s.length;
  if (n === 0) return NaN;
  let v = 0;
  if (n > 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 32) === 120) {
    for (let i = 2; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
      else {
        const l = c | 32;
        if (l >= 97 && l <= 102) v = v * 16 + (l - 87);
        else return NaN;
      }
    }
    return v;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Microseconds written as a non-negative decimal (`12`, `7.5`, `0.001`) to integer nanoseconds,
 * exactly (decimal digits, not float arithmetic): fractions below 1 ns round half up, as
 * `Math.round(t * 1000)` would with exact arithmetic. NaN when malformed; may exceed 2^53.
 */
function parseTimeNs(s: string): number {
  const n = s.length;
  let i = 0;
  let us = 0;
  while (i < n) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    us = us * 10 + c;
    i++;
  }
  if (i === 0) return NaN;
  if (i === n) return us * 1000;
  if (s.charCodeAt(i) !== 46 /* . */ || i + 1 === n) return NaN;
  i++;
  let frac = 0;
  let digits = 0;
  let roundUp = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    if (digits < 3) frac = frac * 10 + c;
    else if (digits === 3 && c >= 5) roundUp = 1;
    digits++;
  }
  if (digits === 1) frac *= 100;
  else if (digits === 2) frac *= 10;
  return us * 1000 + frac + roundUp;
}

/** Number of line breaks csv-parse counted inside a field (every CR and every LF). */
function countBreakChars(s: string): number {
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) k++;
  }
  return k;
}

/** Number of CR LF pairs in a field (csv-parse counts them as two lines, the file has one). */
function countCrLf(s: string): number {
  let k = 0;
  for (let i = s.indexOf('\r\n'); i !== -1; i = s.indexOf('\r\n', i + 2)) k++;
  return k;
}

function hasBreak(s: string): boolean {
  return s.length !== 0 && (s.indexOf('\n') !== -1 || s.indexOf('\r') !== -1);
}

const OP_BY_NAME: ReadonlyMap<string, OpName> = new Map(OP_NAMES.map((op) => [op, op]));
const FLAG_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(FLAG_ALIASES));

/** The columns a trace may have besides `x_*` ones. */
const KNOWN_COLUMNS = ['t_us', 'task', 'op', 'addr', 'len', 'flags', 'object', 'offset'] as const;
type KnownColumn = (typeof KNOWN_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly KnownColumn[] = ['t_us', 'op', 'addr', 'len'];
const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN_COLUMNS);

const FLAGS_CACHE_LIMIT = 1024;

// ---------------------------------------------------------------------------------------------

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
  // Last byte fed to the parser: after a final line break, csv-parse's line counter is one past the last line.
  let lastByte = -1;
  feed.on('data', (c: Buffer) => {
    if (c.length > 0) lastByte = c[c.length - 1]!;
  });

  // Header state.
  let header: string[] | null = null;
  let ncols = 0;
  let iT = -1, iTask = -1, iOp = -1, iAddr = -1, iLen = -1, iFlags = -1, iObject = -1, iOffset = -1;
  let extraNames: string[] = [];
  let extraIdx: number[] = [];
  let nExtra = 0;
  // Number of lines csv-parse counted twice so far (CR LF inside quoted fields).
  let drift = 0;
  let lastLine = 0;
  let prevNs = 0;
  let prevTimeText = '';
  const flagsCache = new Map<string, number>();

  function columnName(idx: number): string {
    if (header === null || idx < 0 || idx >= header.length) return '-';
    const name = header[idx]!;
    return name === '' ? `#${idx + 1}` : name;
  }

  /** Real start line of a record, for error messages (any field may contain line breaks). */
  function startLineOf(rec: string[], csvLine: number): number {
    let k = 0;
    for (let j = 0; j < rec.length; j++) if (hasBreak(rec[j]!)) k += countBreakChars(rec[j]!);
    return csvLine - drift - k;
  }

  /** Throw a TraceError; `idx` is a column index of the header, or a column name. */
  function fail(line: number, idx: number | string, problem: string, text: string): never {
    throw new TraceError(path, line, typeof idx === 'string' ? idx : columnName(idx), problem, text);
  }

  /** Throw a TraceError for a data row, located at the row's real start line. */
  function failRow(rec: string[], csvLine: number, idx: number | string, problem: string, text: string): never {
    fail(startLineOf(rec, csvLine), idx, problem, text);
  }

  function takeHeader(rec: string[], csvLine: number): void {
    const line = startLineOf(rec, csvLine);
    for (const f of rec) drift += countCrLf(f);
    const seen = new Map<string, number>();
    const xNames: string[] = [];
    const xIdx: number[] = [];
    header = rec;
    for (let j = 0; j < rec.length; j++) {
      const name = rec[j]!;
      if (seen.has(name)) fail(line, j, 'duplicate column', name);
      seen.set(name, j);
      if (name.startsWith('x_')) {
        xNames.push(name);
        xIdx.push(j);
      } else if (!KNOWN_SET.has(name)) {
        fail(line, j, 'unknown column (not a trace column and not x_-prefixed)', name);
      }
    }
    for (const req of REQUIRED_COLUMNS) {
      if (!seen.has(req)) fail(line, req, 'missing required column', rec.join(','));
    }
    const at = (c: KnownColumn): number => seen.get(c) ?? -1;
    iT = at('t_us'); iTask = at('task'); iOp = at('op'); iAddr = at('addr'); iLen = at('len');
    iFlags = at('flags'); iObject = at('object'); iOffset = at('offset');
    ncols = rec.length;
    extraNames = xNames;
    extraIdx = xIdx;
    nExtra = xNames.length;
  }

  /** Resolve a flags field for an op; throws on unknown or disallowed flags. */
  function parseFlags(s: string, op: OpName, rec: string[], csvLine: number): number {
    let bits = flagsCache.get(s);
    if (bits === undefined) {
      bits = 0;
      const names = s.split('|');
      for (const name of names) {
        const bit = FLAG_BY_NAME.get(name);
        if (bit === undefined) {
          failRow(rec, csvLine, iFlags, name === '' ? 'empty flag name' : `unknown flag '${name}'`, s);
        }
        bits |= bit;
      }
      if (flagsCache.size >= FLAGS_CACHE_LIMIT) flagsCache.clear();
      flagsCache.set(s, bits);
    }
    const allowed = FLAGS_BY_OP[op];
    if ((bits & ~allowed) !== 0) {
      for (const name of s.split('|')) {
        if ((FLAG_BY_NAME.get(name)! & ~allowed) !== 0) failRow(rec, csvLine, iFlags, `flag '${name}' is not valid for op '${op}'`, s);
      }
    }
    return bits;
  }

  /** Throws for the first field of `rec` holding a byte that is not UTF-8 or a NUL byte (see LineParser). */
  function checkBytes(rec: string[], csvLine: number): void {
    for (let j = 0; j < rec.length; j++) {
      const f = rec[j]!;
      if (hasMarker(f)) failRow(rec, csvLine, header === null ? '-' : j, markerProblem(f), showMarked(f));
    }
  }

  let batch: TraceRow[] = [];
  try {
    for await (const chunk of parser as AsyncIterable<ParsedChunk>) {
      if (chunk.error !== undefined) {
        const e = chunk.error as CsvError & { lines?: number; column?: number | string; field?: string };
        const line = typeof e.lines === 'number' ? e.lines - drift : lastLine;
        const col = typeof e.column === 'number' ? columnName(e.column) : '-';
        // csv-parse's message ends with the field as JSON: the message quotes it already
        const problem = e.message.replace(/, value is ".*$/s, '');
        const field = typeof e.field === 'string' ? e.field : '';
        throw new TraceError(path, line, col, `malformed CSV: ${problem}`, parser.suspect ? showMarked(field) : field, { cause: e });
      }
      const { records, lines } = chunk;
      for (let k = 0; k < records.length; k++) {
        const rec = records[k]!;
        const csvLine = lines[k]!;
        if (parser.suspect) checkBytes(rec, csvLine);
        if (rec.length !== ncols || header === null) {
          // Whitespace-only lines are blank lines too.
          if (rec.length === 1 && rec[0]!.trim() === '' && !hasBreak(rec[0]!)) continue;
          if (header === null) {
            takeHeader(rec, csvLine);
            continue;
          }
          failRow(rec, csvLine, '-', `wrong number of fields: expected ${ncols}, found ${rec.length}`, rec.join(','));
        }

        // Real start line: only `object` and `x_*` fields can legally hold line breaks.
        // `line` is used for the row only; errors recompute it from all fields (startLineOf).
        let line = csvLine - drift;
        let crlf = 0;
        if (iObject >= 0 && hasBreak(rec[iObject]!)) {
          line -= countBreakChars(rec[iObject]!);
          crlf += countCrLf(rec[iObject]!);
        }
        for (let x = 0; x < nExtra; x++) {
          const v = rec[extraIdx[x]!]!;
          if (hasBreak(v)) {
            line -= countBreakChars(v);
            crlf += countCrLf(v);
          }
        }

        // t_us
        const tText = rec[iT]!;
        const tNs = parseTimeNs(tText);
        if (!(tNs <= Number.MAX_SAFE_INTEGER)) {
          if (tText === '') failRow(rec, csvLine, iT, 'missing required value', tText);
          if (Number.isNaN(tNs)) failRow(rec, csvLine, iT, 'bad time: expected a non-negative decimal number of microseconds', tText);
          failRow(rec, csvLine, iT, 'time too large', tText);
        }
        if (tNs < prevNs) failRow(rec, csvLine, iT, `time goes backwards (previous ${prevTimeText})`, tText);
        prevNs = tNs;
        prevTimeText = tText;

        // op
        const opText = rec[iOp]!;
        const op = OP_BY_NAME.get(opText);
        if (op === undefined) {
          if (opText === '') failRow(rec, csvLine, iOp, 'missing required value', opText);
          failRow(rec, csvLine, iOp, `unknown op (expected one of ${OP_NAMES.join(', ')})`, opText);
        }

        // task
        let task = '0';
        if (iTask >= 0) {
          const s = rec[iTask]!;
          if (s !== '') {
            if (!isTaskToken(s)) failRow(rec, csvLine, iTask, 'bad task: expected a token of [A-Za-z0-9_.-]', s);
            task = s;
          }
        }

        // addr, len
        const addrText = rec[iAddr]!;
        const addr = parseUint(addrText);
        if (!(addr < ADDR_LIMIT)) {
          if (addrText === '') failRow(rec, csvLine, iAddr, 'missing required value', addrText);
          if (Number.isNaN(addr)) failRow(rec, csvLine, iAddr, 'bad address: expected a non-negative integer (decimal or 0x hex)', addrText);
          failRow(rec, csvLine, iAddr, 'address out of range (must be < 2^53)', addrText);
        }
        const lenText = rec[iLen]!;
        const len = parseUint(lenText);
        if (!(len < ADDR_LIMIT)) {
          if (lenText === '') failRow(rec, csvLine, iLen, 'missing required value', lenText);
          if (Number.isNaN(len)) failRow(rec, csvLine, iLen, 'bad length: expected a non-negative integer (decimal or 0x hex)', lenText);
          failRow(rec, csvLine, iLen, 'length out of range (must be < 2^53)', lenText);
        }
        if (!(addr + len < ADDR_LIMIT)) failRow(rec, csvLine, iLen, `addr + len must be < 2^53 (addr ${addrText})`, lenText);

        // flags
        let flags = 0;
        if (iFlags >= 0) {
          const s = rec[iFlags]!;
          if (s !== '') flags = parseFlags(s, op, rec, csvLine);
        }

        // object, offset
        let object = '';
        let offset = 0;
        const objText = iObject >= 0 ? rec[iObject]! : '';
        const offText = iOffset >= 0 ? rec[iOffset]! : '';
        if (op === 'map') {
          if (objText === '') failRow(rec, csvLine, iObject >= 0 ? iObject : 'object', "missing required value for op 'map'", objText);
          object = objText;
          if (offText === '') failRow(rec, csvLine, iOffset >= 0 ? iOffset : 'offset', "missing required value for op 'map'", offText);
          offset = parseUint(offText);
          if (!(offset < ADDR_LIMIT)) {
            if (Number.isNaN(offset)) failRow(rec, csvLine, iOffset, 'bad offset: expected a non-negative integer (decimal or 0x hex)', offText);
            failRow(rec, csvLine, iOffset, 'offset out of range (must be < 2^53)', offText);
          }
        } else {
          if (objText !== '') failRow(rec, csvLine, iObject, "object is only valid for op 'map'", objText);
          if (offText !== '' && parseUint(offText) !== 0) {
            failRow(rec, csvLine, iOffset, "offset is only valid for op 'map'", offText);
          }
        }

        if (nExtra === 0) {
          batch.push({ line, tNs, task, op, addr, len, flags, object, offset });
        } else {
          const extra: Record<string, string> = {};
          for (let x = 0; x < nExtra; x++) extra[extraNames[x]!] = rec[extraIdx[x]!]!;
          batch.push({ line, tNs, task, op, addr, len, flags, object, offset, extra });
        }
        drift += crlf;
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
    const e = err as NodeJS.ErrnoException;
    const line = Math.max(lastLine, parser.info.lines - drift);
    const what = gz && typeof e?.code === 'string' && e.code.startsWith('Z_') ? 'corrupt gzip data' : 'cannot read the trace';
    throw new TraceError(path, line, '-', `${what}: ${e?.message ?? String(err)}`, errnoText(err), { cause: err });
  } finally {
    for (const s of streams) s.destroy();
    parser.destroy();
  }

  if (parser.firstInvalidAt >= 0) {
    // not UTF-8 in a line that csv-parse skipped (a comment)
    const { line, bytes } = await lineAtOffset(path, gz, parser.firstInvalidAt);
    throw new TraceError(path, line, '-', 'invalid UTF-8 in a comment line', showBytes(bytes));
  }
  if (header === null) {
    const endLine = parser.info.lines - drift - (lastByte === 10 || lastByte === 13 ? 1 : 0);
    throw new TraceError(path, Math.max(1, endLine), '-', 'no header line (empty trace)', '');
  }
  if (batch.length > 0) yield batch;
}
