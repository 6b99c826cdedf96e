/**
 * Importer of fio's I/O logs (`write_iolog=FILE`, read back by `read_iolog`),
 * trace file formats version 2 and 3 as documented in fio(1), "TRACE FILE
 * FORMAT":
 *
 * ```
 * fio version 2 iolog            fio version 3 iolog
 * FILE add|open|close            TIMESTAMP FILE add|open|close
 * FILE ACTION OFFSET LENGTH      TIMESTAMP FILE ACTION OFFSET LENGTH
 * ```
 *
 * (fio 3.31 and later always write version 3, TIMESTAMP in µs since the job
 * started.) The log is one fio job, so one task, `fio`. Each file is one object
 * named by its path, mapped over its own 1 TiB region (sync-injector.ts) before
 * its first I/O, or over the file's size when given (`fileBytes`, `--file-size`:
 * read-ahead then stops at the end of the file); it must have been `add`ed
 * first, as fio requires. Actions:
 * - `write` / `read` → a store / load of [OFFSET, OFFSET+LENGTH) of the file's mapping;
 * - `sync` / `datasync` → an msync of the file's whole mapping (what fio's
 *   mmap engine does for fsync / fdatasync), with `--sync-flags` (default SYNC);
 * - `sync_file_range` → an msync of [OFFSET, OFFSET+LENGTH) (LENGTH 0: to the end of the mapping);
 * - with `--sync-every-writes` or `--sync-every-us`, a `sync`, `datasync` or `sync_file_range`
 *   that follows an injected msync of the file with no write to it between is merged into
 *   that one (no row; `msync_merged`, sync-injector.ts);
 * - `trim` → no row, counted in the stats (`trim`);
 * - `wait` → counted (`wait`); in version 2 it advances the clock by OFFSET µs
 *   (fio(1): "relative to the previous wait statement"; every wait is honoured,
 *   also those under 100 µs that fio's replay discards); version 3 does not allow
 *   it and it is ignored, as fio does;
 * - `add`, `open`, `close` → no row.
 * Version 2 has no other clock: rows between two waits share one time. A second
 * header line (fio opens the log in append mode, so a reused log holds several
 * runs) starts a new run whose clock continues at the last time.
 */
import type { Importer, ImportOptions, ImportStats } from './importer.ts';
import type { RowInput } from '../writer.ts';
import { readLines } from './lines.ts';
import { ImportedTrace, REGION_1TIB } from './sync-injector.ts';
import { emptyInput, TraceError } from '../trace-error.ts';

const HEADERS: Readonly<Record<string, 2 | 3>> = { 'fio version 2 iolog': 2, 'fio version 3 iolog': 3 };
const FILE_ACTIONS: ReadonlySet<string> = new Set(['add', 'open', 'close']);
const IO_ACTIONS = ['read', 'write', 'sync', 'datasync', 'sync_file_range', 'trim', 'wait'] as const;
type IoAction = (typeof IO_ACTIONS)[number];
const IO_ACTION_SET: ReadonlySet<string> = new Set(IO_ACTIONS);
const TASK = 'fio';
const DIGITS = /^\d+$/;

/** Rows of one fio iolog (version 2 or 3). */
async function* fioRows(path: string, opts: ImportOptions, stats: ImportStats): AsyncGenerator<RowInput[]> {
  stats.trim = 0;
  stats.wait = 0;
  const trace = new ImportedTrace(path, opts, stats, REGION_1TIB);
  const added = new Set<string>();
  let version: 2 | 3 | 0 = 0;
  let clockNs = 0; // version 2: the sum of the waits so far
  let line = 0;
  let ioLines = 0; // lines of an I/O action (not add, open, close): with none, the log holds nothing to import
  const fail = (column: string, problem: string, got: string): never => {
    throw new TraceError(path, line, column, problem, got);
  };

  for await (const { first, lines } of readLines(path, { tap: opts.tap })) {
    for (let i = 0; i < lines.length; i++) {
      line = first + i;
      const text = lines[i]!.trim();
      if (text === '') continue;
      const header = HEADERS[text];
      if (header !== undefined) {
        if (version !== 0) trace.clock.restart();
        version = header;
        clockNs = 0;
        continue;
      }
      if (version === 0) fail('-', "expected the header line 'fio version 2 iolog' or 'fio version 3 iolog'", text);

      const f = text.split(/\s+/);
      let tNs = 0;
      if (version === 3) {
        const ts = f.shift()!;
        if (!DIGITS.test(ts)) {
          // FILE ACTION [OFFSET LENGTH]: a version 2 line under a version 3 header (user trial h202)
          const v2 = (f.length === 1 && FILE_ACTIONS.has(f[0]!)) || (f.length === 3 && IO_ACTION_SET.has(f[0]!));
          fail('timestamp', `bad timestamp: expected a non-negative integer of microseconds${v2 ? ` (the line reads as a version 2 line, FILE ACTION${f.length === 3 ? ' OFFSET LENGTH' : ''}, without a TIMESTAMP: is the header, 'fio version 3 iolog', the log's?)` : ''}`, ts);
        }
        tNs = Number(ts) * 1000;
        if (!Number.isSafeInteger(tNs)) fail('timestamp', 'timestamp too large', ts);
      }
      const shape = version === 3 ? "'TIMESTAMP FILE ACTION' or 'TIMESTAMP FILE ACTION OFFSET LENGTH'" : "'FILE ACTION' or 'FILE ACTION OFFSET LENGTH'";
      if (f.length !== 2 && f.length !== 4) {
        // TIMESTAMP FILE ACTION [OFFSET LENGTH]: a version 3 line under a version 2 header (user trial h202)
        const v3 = version === 2 && DIGITS.test(f[0]!) && ((f.length === 3 && FILE_ACTIONS.has(f[2]!)) || (f.length === 5 && IO_ACTION_SET.has(f[2]!)));
        fail('-', `expected ${shape} (version ${version} iolog), found ${f.length + (version === 3 ? 1 : 0)} fields${v3 ? ` (the line reads as a version 3 line, with a TIMESTAMP first: is the header, 'fio version 2 iolog', the log's?)` : ''}`, text);
      }
      const [file, action] = f as [string, string];

      if (f.length === 2) {
        if (!FILE_ACTIONS.has(action)) {
          const hint = IO_ACTION_SET.has(action) ? `: '${action}' needs OFFSET and LENGTH` : '';
          fail('action', `unknown file action (expected add, open or close)${hint}`, action);
        }
        if (action === 'add') added.add(file);
        else if (!added.has(file)) fail('file', `file not added: expected a '${file} add' line before its '${action}'`, file);
        continue;
      }

      if (!IO_ACTION_SET.has(action)) {
        const hint = FILE_ACTIONS.has(action) ? `: '${action}' takes no OFFSET and LENGTH` : '';
        fail('action', `unknown I/O action (expected one of ${IO_ACTIONS.join(', ')})${hint}`, action);
      }
      const act = action as IoAction;
      ioLines++;
      const offText = f[2]!;
      const lenText = f[3]!;
      if (!DIGITS.test(offText)) fail('offset', 'bad offset: expected a non-negative integer', offText);
      if (!DIGITS.test(lenText)) fail('length', 'bad length: expected a non-negative integer', lenText);
      const offset = Number(offText);
      const len = Number(lenText);
      if (act === 'wait') {
        stats.wait!++;
        if (version === 2) {
          clockNs += offset * 1000;
          if (!Number.isSafeInteger(clockNs)) fail('offset', 'waits add up to too long a time', offText);
        }
        continue;
      }
      if (!added.has(file)) fail('file', `file not added: expected a '${file} add' line before its first I/O`, file);
      if (act === 'trim') {
        stats.trim!++;
        continue;
      }
      const place = { line, column: 'offset', text: `${offText} ${lenText}` };
      const t = trace.time(version === 3 ? tNs : clockNs);
      switch (act) {
        case 'write':
          trace.write(file, TASK, t, offset, len, place);
          break;
        case 'read':
          trace.read(file, TASK, t, offset, len, place);
          break;
        case 'sync':
        case 'datasync':
          trace.syncAll(file, TASK, t, opts.syncFlags, place);
          break;
        case 'sync_file_range':
          trace.syncRange(file, TASK, t, offset, len, opts.syncFlags, place);
          break;
      }
    }
    if (trace.pending > 0) yield trace.take();
  }
  if (version === 0) throw emptyInput(path, "the header line 'fio version 2 iolog' or 'fio version 3 iolog'");
  // a header alone (or only add, open and close): as msr with only its header, not a trace of 0 rows
  if (ioLines === 0) throw emptyInput(path, `I/O lines after the header '${version === 3 ? 'TIMESTAMP ' : ''}FILE ACTION OFFSET LENGTH' (ACTION one of ${IO_ACTIONS.join(', ')})`);
}

/** `--from fio-iolog`. */
export const fioIologImporter: Importer = {
  format: 'fio-iolog',
  description: 'fio write_iolog logs, versions 2 and 3; each file one object, sync/datasync -> msync',
  fields: [
    'v3: TIMESTAMP FILE ACTION [OFFSET LENGTH]',
    'v2: FILE ACTION [OFFSET LENGTH]',
    'TIMESTAMP: µs since the job started; OFFSET, LENGTH: bytes',
    'v2, no clock: \'FILE wait OFFSET LENGTH\' moves it on by OFFSET µs',
  ],
  rows: fioRows,
};
