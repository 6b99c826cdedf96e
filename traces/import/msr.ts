/**
 * Importer of the MSR Cambridge block traces (SNIA IOTTA set 388): CSV without
 * a header, one I/O per line,
 * `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime`, where
 * Timestamp is a Windows filetime (100 ns ticks since 1601), Type is `Read` or
 * `Write`, Offset and Size are bytes and ResponseTime is in 100 ns ticks.
 *
 * Each host and disk is one object and one task, named `HOSTNAME_DISK` (as the
 * trace files are, e.g. `usr_0`; characters outside [A-Za-z0-9_.-] become `_` in
 * the task name), mapped over its own 16 TiB region (sync-injector.ts). A Write
 * is a store and a Read a load of [Offset, Offset+Size); the response time is
 * kept in the `x_response_us` column. The traces hold no syncs: use
 * `--sync-every-writes` or `--sync-every-us`. Time 0 is the first line. A first
 * line that is a header (some copies have one: a first line that names any of the
 * columns) is skipped when it names all seven in that order (case and blanks
 * around a name aside) and refused otherwise: the columns are read by their
 * place, so a header in another order means data in another order. An input
 * without any I/O line is refused (`empty input`).
 */
import type { Importer, ImportOptions, ImportStats } from './importer.ts';
import type { RowInput } from '../writer.ts';
import { formatTimeUs } from '../writer.ts';
import { readLines } from './lines.ts';
import { ImportedTrace, REGION_16TIB, toToken } from './sync-injector.ts';
import { emptyInput, TraceError } from '../trace-error.ts';

const COLUMNS = ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Offset', 'Size', 'ResponseTime'] as const;
const COLUMN_KEYS: readonly string[] = COLUMNS.map((c) => c.toLowerCase());
const DIGITS = /^\d+$/;
const TYPES: Readonly<Record<string, 'read' | 'write'>> = { Read: 'read', Write: 'write', read: 'read', write: 'write', READ: 'read', WRITE: 'write' };
/** Nanoseconds per filetime tick. */
const TICK_NS = 100;

/** Digits of a filetime below which the clock is kept as a number (10^9 ticks = 100 s). */
const LOW_DIGITS = 9;
const LOW = 1e9;

/** A header's field as compared with the column names: without blanks around it, double quotes or case. */
function columnKey(field: string): string {
  return field.trim().replace(/^"(.*)"$/, '$1').trim().toLowerCase();
}

/** Whether the fields of a first line make a header: the first is no timestamp and one names a column. */
function isHeader(fields: readonly string[]): boolean {
  return !DIGITS.test(fields[0]!) && fields.some((f) => COLUMN_KEYS.includes(columnKey(f)));
}

/** What is wrong with a header line of `fields`, or null when it names the columns in their order. */
function headerProblem(fields: readonly string[]): string | null {
  const order = `the msr importer reads the columns by their place, in the order ${COLUMNS.join(',')} (put the data in that order)`;
  if (fields.length !== COLUMNS.length) return `header names ${fields.length} columns, expected ${COLUMNS.length}: ${order}`;
  const i = fields.findIndex((f, k) => columnKey(f) !== COLUMN_KEYS[k]);
  if (i === -1) return null;
  return `header column ${i + 1} is '${fields[i]!.trim()}', expected '${COLUMNS[i]}': ${order}`;
}

/** Rows of an MSR Cambridge CSV trace. */
async function* msrRows(path: string, opts: ImportOptions, stats: ImportStats): AsyncGenerator<RowInput[]> {
  const trace = new ImportedTrace(path, opts, stats, REGION_16TIB);
  // The first timestamp, split in high and low digits (a filetime exceeds 2^53).
  let hi0 = -1;
  let lo0 = 0;
  const tasks = new Map<string, string>();
  /** The task tokens in use. */
  const taken = new Set<string>();
  let line = 0;
  /** Whether a non-blank line has been read: the first may be a header. */
  let started = false;
  /** The header's line, when the first non-blank line was one (0: none). */
  let headerLine = 0;
  let ios = 0;
  const fail = (col: number | string, problem: string, got: string): never => {
    throw new TraceError(path, line, typeof col === 'number' ? COLUMNS[col]! : col, problem, got);
  };

  for await (const { first, lines } of readLines(path, { tap: opts.tap })) {
    for (let i = 0; i < lines.length; i++) {
      line = first + i;
      const text = lines[i]!.trim();
      if (text === '') continue;
      const f = text.split(',');
      if (!started) {
        started = true;
        if (isHeader(f)) {
          const problem = headerProblem(f);
          if (problem !== null) fail('-', problem, text);
          headerLine = line;
          continue;
        }
      }
      ios++;
      if (f.length !== COLUMNS.length) fail('-', `expected ${COLUMNS.length} comma-separated fields (${COLUMNS.join(',')}), found ${f.length}`, text);
      const [tsText, host, diskText, typeText, offText, sizeText, rtText] = f as [string, string, string, string, string, string, string];
      if (!DIGITS.test(tsText)) {
        // a time in seconds (a converted copy of the trace): the factor that makes it ticks
        const seconds = /^\d*\.\d+$/.test(tsText) ? ': a time in seconds is 10,000,000 ticks a second' : '';
        fail(0, `bad timestamp: expected a Windows filetime (a non-negative integer of 100 ns ticks)${seconds}`, tsText);
      }
      if (host === '') fail(1, 'missing host name', host);
      if (!DIGITS.test(diskText)) fail(2, 'bad disk number: expected a non-negative integer', diskText);
      const op = TYPES[typeText];
      if (op === undefined) fail(3, "bad type: expected 'Read' or 'Write'", typeText);
      if (!DIGITS.test(offText)) fail(4, 'bad offset: expected a non-negative integer of bytes', offText);
      if (!DIGITS.test(sizeText)) fail(5, 'bad size: expected a non-negative integer of bytes', sizeText);
      if (!DIGITS.test(rtText)) fail(6, 'bad response time: expected a non-negative integer of 100 ns ticks', rtText);

      const cut = Math.max(0, tsText.length - LOW_DIGITS);
      const hi = cut === 0 ? 0 : Number(tsText.slice(0, cut));
      const lo = Number(tsText.slice(cut));
      if (hi0 < 0) {
        hi0 = hi;
        lo0 = lo;
      }
      const inputNs = ((hi - hi0) * LOW + (lo - lo0)) * TICK_NS;
      if (!Number.isSafeInteger(inputNs)) fail(0, 'timestamp too far from the first one', tsText);
      const rtNs = Number(rtText) * TICK_NS;
      if (!Number.isSafeInteger(rtNs)) fail(6, 'response time too large', rtText);
      const offset = Number(offText);
      const size = Number(sizeText);
      // the disk's digits as written, leading zeros aside (a Number would round past 2^53: two disks, one object)
      const name = `${host}_${diskText.replace(/^0+(?=\d)/, '')}`;
      let task = tasks.get(name);
      if (task === undefined) {
        // one task per host+disk: names that make the same token (`us r`, `us_r`) get numbered ones
        const base = toToken(name);
        task = base;
        for (let n = 2; taken.has(task); n++) task = `${base}-${n}`;
        taken.add(task);
        tasks.set(name, task);
      }
      const t = trace.time(inputNs);
      const place = { line, column: 'Offset, Size', text: `${offText}, ${sizeText}` }; // both: a range that does not fit is the pair's
      const extra = { x_response_us: formatTimeUs(rtNs) };
      if (op! === 'write') trace.write(name, task, t, offset, size, place, extra);
      else trace.read(name, task, t, offset, size, place, extra);
    }
    if (trace.pending > 0) yield trace.take();
  }
  // a header alone: said at the line after it, as the header (line 1) is no empty input
  if (ios === 0) throw emptyInput(path, `MSR Cambridge I/O lines ${COLUMNS.join(',')}${headerLine > 0 ? ` after the header (line ${headerLine})` : ''}`, headerLine + 1);
}

/** `--from msr`. */
export const msrImporter: Importer = {
  format: 'msr',
  description: 'MSR Cambridge / SNIA block trace CSV; one object per host+disk, no syncs',
  fields: [
    'Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime',
    'Timestamp: Windows filetime, an integer of 100 ns ticks since 1601',
    '  (only the differences count: time 0 is the first line)',
    'Type: Read or Write; Offset, Size: bytes',
    'ResponseTime: 100 ns ticks, kept in µs as x_response_us',
  ],
  extraCols: ['x_response_us'],
  rows: msrRows,
};
