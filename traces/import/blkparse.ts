/**
 * Importer of blkparse's default text output (blktrace(8) events formatted by
 * blkparse(1) without -f/-F). Every event line starts with the header
 * `"%3d,%-3d %2d %8d %5d.%09lu %5u %2s %3s "`: MAJOR,MINOR CPU SEQUENCE
 * SECONDS.NANOSECONDS PID ACTION RWBS; a queue (`Q`) event goes on with
 * `SECTOR + COUNT [PROCESS]` (512-byte sectors), `[PROCESS]` when it carries
 * no data (a pure flush), or, for a passthrough (SCSI) request,
 * `BYTES [(CDB)] [PROCESS]` (`process_default()` in blktrace's blkparse_fmt.c).
 * A `Q` line that ends otherwise (cut short: `SECTOR +`, `SECTOR + COUNT`
 * without its `[PROCESS]`, a bare number) is an error of the input.
 *
 * Only `Q` events make rows (each I/O is queued once; the G, I, D, C... events
 * of the same request are skipped). Each device `MAJOR,MINOR` is one object and
 * one task, both named `devMAJOR_MINOR`, mapped over its own 16 TiB region
 * (sync-injector.ts). RWBS `[F]{D|W|R|N}[F][A][B][S][M]`:
 * - `W` → a store, `R` → a load of [SECTOR×512, (SECTOR+COUNT)×512) of the device mapping;
 * - a leading `F` (pre-flush) → an msync of the whole device mapping before the
 *   I/O, a trailing `F` (FUA) → one after it; one msync for a flush without data;
 *   with `--sync-flags` (default SYNC); the FUA's msync stands for the one
 *   `--sync-every-writes` would inject after that write (none is added), and a
 *   flush's msync that follows an injected one of the device with no write to it
 *   between is merged into that one (no row; `msync_merged`, sync-injector.ts);
 * - `D` (discard; `E`, secure erase, likewise) → no row, counted (`discard`);
 *   passthrough (SCSI) requests → no row, counted (`passthrough`); a read or
 *   write without data and without a flush → no row, counted (`no_data`);
 * - `B` (a barrier, printed by blkparse for kernels before 2.6.37, which had no
 *   flush or FUA flag) → as a leading and a trailing `F`: an msync before the
 *   I/O and one after it (one for a barrier without data).
 * `Input file ... added` lines and the per-CPU / total summary blkparse prints
 * after the events (from the first `CPUn (` or `Total (` line on) are skipped.
 * Time 0 is the first queue event; a stacked device (dm, md) traced along with
 * its disks shows each I/O once per traced device. An input without any event
 * line is refused (`empty input`), and so is one whose event lines hold no `Q`.
 */
import type { Importer, ImportOptions, ImportStats } from './importer.ts';
import type { RowInput } from '../writer.ts';
import { readLines } from './lines.ts';
import { ImportedTrace, REGION_16TIB } from './sync-injector.ts';
import { emptyInput, TraceError } from '../trace-error.ts';

const SECTOR = 512;
const DEVICE = /^(\d+),(\d+)$/;
const DIGITS = /^\d+$/;
const TIME = /^(\d+)\.(\d{1,9})$/;
const ACTION = /^[A-Za-z]{1,2}$/;
const RWBS = /^(F?)([DWRNE])(F?)(A?)(B?)(S?)(M?)$/;
const SUMMARY = /^(CPU\d+|Total) \(/;
const INPUT_ADDED = /^Input file .* added$/;
const HEADER_SHAPE = "'MAJOR,MINOR CPU SEQUENCE SECONDS.NANOSECONDS PID ACTION RWBS ...'";
const Q_SHAPES = "'SECTOR + COUNT [PROCESS]' or '[PROCESS]' (or, for a passthrough request, 'BYTES (CDB) [PROCESS]')";

/** What a `Q` event carries after its RWBS: a data range, none (a flush without data), or a passthrough request. */
type QueuePayload = { kind: 'data'; offset: number; len: number } | { kind: 'none' } | { kind: 'passthrough' };

/** Whether `field` opens blkparse's `[PROCESS]` (or the `(...)` a PC request's CDB is in). */
const opens = (field: string | undefined, bracket: '[' | '('): boolean => field !== undefined && field.startsWith(bracket);

/**
 * The payload of a `Q` event from the fields after its RWBS, or a call of `fail` (column,
 * problem, offending text) for a shape blkparse does not print, such as a line cut short.
 */
function queuePayload(rest: readonly string[], fail: (column: string, problem: string, got: string) => never): QueuePayload {
  if (opens(rest[0], '[') || opens(rest[0], '(')) return { kind: 'none' };
  if (rest[1] === '+') {
    const got = rest.slice(0, 4).join(' ');
    if (!DIGITS.test(rest[0]!)) fail('sector', 'bad sector: expected a non-negative integer', rest[0]!);
    if (rest.length < 3) fail('sectors', "missing sector count after 'SECTOR +' (is the line cut short?)", got);
    if (!DIGITS.test(rest[2]!)) fail('sectors', 'bad sector count: expected a non-negative integer', rest[2]!);
    if (!opens(rest[3], '[')) fail('process', `expected '[PROCESS]' after 'SECTOR + COUNT' (is the line cut short?)`, got);
    const offset = Number(rest[0]) * SECTOR;
    const len = Number(rest[2]) * SECTOR;
    if (!Number.isSafeInteger(offset + len)) fail('sector', 'sector out of range', rest[0]!);
    return { kind: 'data', offset, len };
  }
  // a passthrough request: its byte count, then its CDB in parentheses or its process
  if (DIGITS.test(rest[0] ?? '') && (opens(rest[1], '(') || opens(rest[1], '['))) return { kind: 'passthrough' };
  return fail('sector', `expected ${Q_SHAPES} after the RWBS of a Q event`, rest.join(' '));
}

/** Rows of a blkparse text output. */
async function* blkparseRows(path: string, opts: ImportOptions, stats: ImportStats): AsyncGenerator<RowInput[]> {
  stats.discard = 0;
  stats.passthrough = 0;
  stats.no_data = 0;
  const trace = new ImportedTrace(path, opts, stats, REGION_16TIB);
  let inSummary = false;
  let events = 0;
  let queued = 0;
  let firstEvent: { line: number; action: string } | undefined;
  let line = 0;
  const fail = (column: string, problem: string, got: string): never => {
    throw new TraceError(path, line, column, problem, got);
  };

  for await (const { first, lines } of readLines(path, { tap: opts.tap })) {
    for (let i = 0; i < lines.length && !inSummary; i++) {
      line = first + i;
      const text = lines[i]!.trim();
      if (text === '' || INPUT_ADDED.test(text)) continue;
      if (SUMMARY.test(text)) {
        inSummary = true;
        break;
      }
      const f = text.split(/\s+/);
      if (f.length < 7) fail('-', `expected a blkparse event line ${HEADER_SHAPE}, found ${f.length} fields`, text);
      const dev = DEVICE.exec(f[0]!);
      if (!dev) fail('device', 'bad device: expected MAJOR,MINOR', f[0]!);
      if (!DIGITS.test(f[1]!)) fail('cpu', 'bad CPU: expected a non-negative integer', f[1]!);
      if (!DIGITS.test(f[2]!)) fail('sequence', 'bad sequence number: expected a non-negative integer', f[2]!);
      const tm = TIME.exec(f[3]!);
      if (!tm) fail('time', 'bad time: expected SECONDS.NANOSECONDS', f[3]!);
      if (!DIGITS.test(f[4]!)) fail('pid', 'bad PID: expected a non-negative integer', f[4]!);
      const action = f[5]!;
      if (!ACTION.test(action)) fail('action', 'bad action: expected one or two letters (Q, G, I, D, C, M, UT, ...)', action);
      events++;
      firstEvent ??= { line, action };
      if (action !== 'Q') continue;
      queued++;

      const rwbsText = f[6]!;
      const rwbs = RWBS.exec(rwbsText);
      if (!rwbs) fail('rwbs', 'bad RWBS: expected [F]{D|W|R|N}[F][A][B][S][M]', rwbsText);
      const rest = f.slice(7);
      const payload = queuePayload(rest, fail);
      if (payload.kind === 'passthrough') {
        stats.passthrough!++;
        continue;
      }
      const [offset, len] = payload.kind === 'data' ? [payload.offset, payload.len] : [0, 0];

      // a barrier (B: blkparse of kernels before 2.6.37, which had no F) is ordered and durable as a flush before and a FUA after it
      const [, pre, kind, post, , barrier] = rwbs as unknown as [string, string, string, string, string, string];
      const preflush = pre === 'F' || barrier === 'B' ? 'F' : '';
      const fua = post === 'F' || barrier === 'B' ? 'F' : '';
      if (kind === 'D' || kind === 'E') {
        stats.discard!++;
        continue;
      }
      const flush = preflush === 'F' || fua === 'F';
      const data = len > 0 && (kind === 'W' || kind === 'R');
      if (!data && !flush) {
        stats.no_data!++;
        continue;
      }
      const name = `dev${dev![1]}_${dev![2]}`;
      const secs = Number(tm![1]);
      const inputNs = secs * 1e9 + Number(tm![2]!.padEnd(9, '0'));
      if (!Number.isSafeInteger(inputNs)) fail('time', 'time too large', f[3]!);
      const t = trace.time(inputNs);
      const place = { line, column: 'sector', text: rest.slice(0, 3).join(' ') };
      if (!data) {
        trace.syncAll(name, name, t, opts.syncFlags, place);
        continue;
      }
      if (preflush === 'F') trace.syncAll(name, name, t, opts.syncFlags, place);
      if (kind === 'W' && fua === 'F') trace.writeThenSync(name, name, t, offset, len, opts.syncFlags, place);
      else if (kind === 'W') trace.write(name, name, t, offset, len, place);
      else {
        trace.read(name, name, t, offset, len, place);
        if (fua === 'F') trace.syncAll(name, name, t, opts.syncFlags, place);
      }
    }
    if (trace.pending > 0) yield trace.take();
  }
  if (events === 0) throw emptyInput(path, `blkparse event lines ${HEADER_SHAPE}`);
  // events, but none a queue event (blkparse -a complete, say): nothing to import, not a trace of 0 rows
  if (queued === 0) {
    throw new TraceError(path, firstEvent!.line, 'action', `no Q (queue) event in ${events} event line${events === 1 ? '' : 's'}: the import reads Q events only (was the trace parsed with a blkparse -a mask that leaves out queue?)`, firstEvent!.action);
  }
}

/** `--from blkparse`. */
export const blkparseImporter: Importer = {
  format: 'blkparse',
  description: 'blkparse default text output; Q events -> writes/reads of the device, flush/FUA -> msync',
  fields: [
    'MAJ,MIN CPU SEQ SECONDS.NANOSECONDS PID ACTION RWBS, then for a Q',
    '  event SECTOR + COUNT [PROCESS]',
    'time: seconds since the trace started, to the ns',
    'SECTOR, COUNT: 512-byte sectors, whatever the device\'s block size',
  ],
  rows: blkparseRows,
};
