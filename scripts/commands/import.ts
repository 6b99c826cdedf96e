/**
 * `syncsim import`: converts a foreign trace (fio iolog, blkparse, MSR, strace,
 * ...) into the native format, streaming, to a file (atomically) or to stdout.
 */
import { checkTraceOut, importedPageSizeComment, recheckTraceOut, withTraceLock } from '../../traces/out-trace.ts';
import { rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileSha256 } from '../provenance.ts';
import { IMPORTERS } from '../../traces/import/index.ts';
import type { ImportOptions, Importer } from '../../traces/import/importer.ts';
import { countRow, importWarnings, newTally } from '../../traces/import/tally.ts';
import { DEFAULT_SYNC_FLAGS, REGION_1TIB } from '../../traces/import/sync-injector.ts';
import { parseSize } from '../validate/fio.ts';
import { TraceWriter, type RowInput } from '../../traces/writer.ts';
import { Flag, OP_NAMES, flagsToString, msyncFlagOption } from '../../traces/types.ts';
import { importFromHint, InputError, requireReadable } from '../errors.ts';
import { didYouMean } from '../../sim/closest-name.ts';
import { ASSUME_DIRTY_MODES, assumeDirtyProblem, drawsAtRandom } from '../../traces/import/strace/assume-dirty.ts';
import { loadConfig } from '../config-file.ts';
import { pagesForMeasured } from '../measured-pages.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { seedOption } from './seed-option.ts';
import { fileProgress, QUIET_OPTION, quietHelp } from '../progress.ts';
import { checkFormatOptions } from './import-formats.ts';
import { pageSizeOption } from './page-size-option.ts';
import { cleanupOnInterrupt, outputInPlace } from '../interrupt.ts';
import { markStdoutOnInterrupt, quietBesideTrace, StdoutSink } from '../stdout-trace.ts';
import { isSystemError, openProblem } from '../../traces/files.ts';
import { escapeControl } from '../../traces/escape.ts';
import { helpEntry } from '../help-text.ts';
import { plural } from '../plural.ts';

function formatList(): string {
  if (IMPORTERS.length === 0) return '  (none yet)';
  const w = Math.max(...IMPORTERS.map((i) => i.format.length));
  return IMPORTERS.map((i) => helpEntry(`  ${i.format.padEnd(w)} `, i.description, w + 4)).join('\n');
}

/** Each format's input fields and their units, as {@link help} lists them. */
function fieldList(): string {
  if (IMPORTERS.length === 0) return '  (none yet)';
  const w = Math.max(...IMPORTERS.map((i) => i.format.length));
  return IMPORTERS.map((i) => i.fields.map((f, k) => `  ${(k === 0 ? i.format : '').padEnd(w)}  ${f}`).join('\n')).join('\n');
}

function help(): string {
  return `Usage: syncsim import --from FORMAT FILE [-o OUT] [--page-size N]
                      [--sync-every-writes N | --sync-every-us T]
                      [--sync-flags F] [--assume-dirty MODE] [--seed N]
                      [--calibration FILE] [--advice random|sequential]
                      [--file-size SIZE]

Converts FILE (plain or gzip-compressed) from FORMAT into a native trace,
streaming. Malformed input stops with FILE:LINE: column COL: what was expected.

Formats:
${formatList()}

Input fields and units (every format's times become t_us of the trace, µs
from its first event):
${fieldList()}

Options:
  --from FORMAT            input format (above); required
  -o, --out OUT            output trace (.csv, or .csv.gz for gzip; --output is
                           the same option, as gen and convert take it); written
                           to OUT.tmp-PID and renamed when complete, so nothing
                           is written on error. Default, or '-o -': standard
                           output (which may have received rows before an
                           error). An existing OUT is replaced only when it is a
                           trace import wrote, not edited since (its last line,
                           a stamp, still matches the lines before it), and it
                           is not FILE; anything else (an edited trace, a
                           generated or recorded one, a .sst cache, any other
                           file) is refused (exit 2)
  --page-size N            page size the layout assumes, a power of two (default
                           4096)
  --sync-every-writes N    inject an msync of an object's whole mapping after
                           every N writes to it since its last whole-mapping
                           msync
  --sync-every-us T        inject, at every multiple of T µs of trace time, an
                           msync of the whole mapping of every object written
                           since its last whole-mapping msync (T from 0.001
                           to 9,007,199,254,740; 1e6 is 1 s)
                           (either option: an msync of the input's that follows
                           an injected one of its object with no write to it
                           between is merged into it, counted in msync_merged)
  --sync-flags F           flags of injected and translated msyncs, names joined
                           by | in any case, as gen's sync_flags (SYNC, ASYNC,
                           INVALIDATE, MS_SYNC, sync, ...; default SYNC)
  --assume-dirty MODE      strace: how to synthesise the stores strace
                           cannot see:
${Object.entries(ASSUME_DIRTY_MODES).map(([k, v]) => helpEntry(`${' '.repeat(29)}${k}:`, v, 31)).join('\n')}
  --seed N                 strace: seed of --assume-dirty pages=N and measured
                           (default 1); taken with any format, with a note on
                           stderr that it changes nothing where the import draws
                           nothing
  --calibration FILE       strace --assume-dirty measured: the configuration
                           (e.g. from 'syncsim calibrate') whose device turns
                           each msync's measured duration into a page count
  --advice A               fio-iolog, blkparse, msr: the access advice of every
                           mapping the import lays out, as madvise gives it
                           right after mmap (fio's mmap engine, by default,
                           advises MADV_RANDOM for rw=rand*, MADV_SEQUENTIAL
                           otherwise): random or sequential, written as the map
                           rows' RANDOM or SEQUENTIAL flag; it changes how
                           faults read ahead.
                           Default: none (the kernel's own read-ahead)
  --file-size SIZE         fio-iolog: the size of the files the log names, one
                           size for all of them (bytes, or with a k, m, g or t
                           suffix: 16m): fio's size= for a job of one file
                           (with nrfiles=N, size / N, or its filesize=). Each
                           mapping covers the file (rounded up to a page), not
                           a whole region, so read-ahead stops at the end of
                           the file as the kernel's does (without it a
                           sequential reader's read-ahead runs on past the
                           end). An I/O past it is an error (FILE:LINE).
                           Default: each file's 1 TiB region
${quietHelp(27)}
  -h, --help               this help

Layout: each object (file, device) is mapped whole at its own base address, one
fixed, aligned region per object (1 TiB for fio files, 16 TiB for block
devices), before its first use. Times start at 0 at the first event; an event
earlier than the one before it is clamped to it and counted. Counters (rows per
op, injected msyncs, clamped times and what the format skips, e.g. fio trim
and wait) are printed on standard error at the end. Progress goes to standard
error too (rows written, the share of FILE read, rows/s, ETA): on a terminal a
line redrawn in place; otherwise a line every 10 s and one at the end, none for
a shorter import, and none for a trace written to stdout when stdout is a
terminal, as stderr is (it would be drawn among the rows).`;
}

/** `--advice` values to the map flag they give. */
const ADVICE: Readonly<Record<string, number>> = { random: Flag.RANDOM, sequential: Flag.SEQUENTIAL };

function positiveInt(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new InputError(`${name} expects a positive integer (got '${v}')`);
  return Number(v);
}

/** `--sync-flags` as bits: msync flag names joined by |, in any case, as gen's sync_flags takes them. */
function parseSyncFlags(v: string): number {
  const bits = msyncFlagOption(v);
  if (bits === undefined) {
    const name = v.split('|').find((n) => msyncFlagOption(n) === undefined) ?? v;
    throw new InputError(`--sync-flags: unknown msync flag '${name}' (expected names like SYNC, ASYNC, INVALIDATE joined by |, in any case)`);
  }
  return bits;
}

/** Where rows go: a TraceWriter (file) or standard output (whose `abort` ends the rows with a line saying why). */
interface RowSink {
  write(row: RowInput): Promise<void> | undefined;
  close(): Promise<void>;
  abort(why: string): Promise<void>;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals, flag } = parseCommandArgs('import', argv, {
    from: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'page-size': { type: 'string' },
    'sync-every-writes': { type: 'string' },
    'sync-every-us': { type: 'string' },
    'sync-flags': { type: 'string' },
    'assume-dirty': { type: 'string' },
    seed: { type: 'string' },
    calibration: { type: 'string' },
    advice: { type: 'string' },
    'file-size': { type: 'string' },
    ...QUIET_OPTION,
  }, { output: 'out' });
  if (values.help) {
    process.stdout.write(help() + '\n');
    return 0;
  }
  const formats = IMPORTERS.map((i) => i.format).join(', ');
  if (values.from === undefined) throw new InputError(`import needs --from FORMAT (one of ${formats})`);
  const importer: Importer | undefined = IMPORTERS.find((i) => i.format === values.from);
  if (!importer) throw new InputError(`unknown import format '${values.from}' (expected one of ${formats})${FORMAT_HINTS[values.from.toLowerCase()] ?? didYouMean(values.from, IMPORTERS.map((i) => i.format))}`);
  if (positionals.length !== 1) throw new InputError(`import expects one FILE argument (got ${positionals.length}; try 'syncsim import --help')`);
  const file = positionals[0]!;
  requireReadable(file, 'input file');
  if (!statSync(file).isFile()) throw new InputError(`input is not a file: ${file} (import reads its input twice, to hash it and to convert it, so a pipe will not do: write it to a file first; gzip-compressed input is read as it is)`);

  const pageSize = pageSizeOption(values['page-size']) ?? 4096;
  if (values['sync-every-writes'] !== undefined && values['sync-every-us'] !== undefined) {
    throw new InputError('--sync-every-writes and --sync-every-us are exclusive: give one');
  }
  // an option the format does not take, before its value is read
  checkFormatOptions(importer.format, values);
  const opts: ImportOptions = { pageSize, syncFlags: values['sync-flags'] === undefined ? DEFAULT_SYNC_FLAGS : parseSyncFlags(values['sync-flags']) };
  if (values['sync-every-writes'] !== undefined) opts.syncEveryWrites = positiveInt('--sync-every-writes', values['sync-every-writes']);
  if (values['sync-every-us'] !== undefined) {
    const v = values['sync-every-us'];
    const us = Number(v);
    // decimal or with an exponent (1e6); at most what the trace's integer ns can hold (99999999999999999999999 was taken as 1e+23)
    if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v) || !(us >= 0.001) || !(us <= MAX_SYNC_EVERY_US)) {
      throw new InputError(`--sync-every-us expects a positive number of microseconds, from 0.001 to ${MAX_SYNC_EVERY_US.toLocaleString('en-US')} (got '${v}')`);
    }
    opts.syncEveryUs = us;
  }
  if (values['assume-dirty'] !== undefined) opts.assumeDirty = values['assume-dirty'];
  if (values.seed !== undefined) {
    opts.assumeDirtySeed = seedOption('--seed', values.seed, 1);
  }
  if (values.calibration !== undefined) {
    // refused before the file is read: a file that would not be read is not worth a complaint about it (user trial 195)
    if (opts.assumeDirty !== 'measured') {
      // a mistyped mode is the mistake to name, not the --calibration it leaves unread (review 196)
      const unknown = opts.assumeDirty === undefined ? undefined : assumeDirtyProblem(opts.assumeDirty, true);
      throw new InputError(unknown ?? calibrationUnread(opts.assumeDirty));
    }
    requireReadable(values.calibration, 'calibration file');
    opts.pagesForMeasured = pagesForMeasured(loadConfig(values.calibration, []));
  }
  if (values.advice !== undefined) {
    const bit = Object.hasOwn(ADVICE, values.advice) ? ADVICE[values.advice] : undefined;
    if (bit === undefined) throw new InputError(`--advice expects random or sequential (got '${values.advice}')`);
    opts.mapFlags = bit;
  }
  if (values['file-size'] !== undefined) {
    const bytes = parseSize(values['file-size']);
    if (bytes === null || bytes < 1 || bytes > REGION_1TIB) throw new InputError(`--file-size expects a size from 1 byte to 1t, as fio writes it (4096, 16m, 1g; got '${values['file-size']}')`);
    opts.fileBytes = bytes;
  }
  const modeProblem = opts.assumeDirty === undefined ? undefined : assumeDirtyProblem(opts.assumeDirty, opts.pagesForMeasured !== undefined);
  if (modeProblem !== undefined) throw new InputError(modeProblem);
  // a seed that draws nothing: told, not refused, as a sweep tells of seeds that give copies (a script may pass one to every step)
  if (values.seed !== undefined && !drawsAtRandom(opts.assumeDirty)) {
    const what = importer.format === 'strace' ? `--assume-dirty ${opts.assumeDirty ?? 'none'}` : `--from ${importer.format}`;
    process.stderr.write(`syncsim import: note: --seed ${values.seed} changes nothing: only strace's --assume-dirty pages=N and measured draw at random, and ${what} draws nothing (its trace is the same for every seed)\n`);
  }

  const extraCols = importer.extraCols ?? [];
  // '-' names standard output, as the default does
  const out = values.out === '-' ? undefined : values.out;
  if (out !== undefined) checkTraceOut(out, flag('out'), 'imported', [file]);
  const write = async (): Promise<number> => {
    const comments = [`imported by syncsim import --from ${importer.format} from ${escapeControl(basename(file))} (sha256 ${await fileSha256(file)})`];
    // a page size other than the default is declared, as gen's and record's are, so that run says so at another (user trial h202)
    if (pageSize !== 4096) comments.push(importedPageSizeComment(pageSize));
    // Ctrl-C or kill: the temporary file goes, OUT is not written (exit 130 or 143); in place before the file exists
    // to standard output, the rows written so far are ended with the INCOMPLETE line (on a line of its own, whatever was cut)
    const release = out === undefined
      ? markStdoutOnInterrupt('import')
      : cleanupOnInterrupt(() => rmSync(TraceWriter.tmpPathOf(out), { force: true }));
    let sink: RowSink;
    try {
      sink = out === undefined ? new StdoutSink(extraCols, comments) : await TraceWriter.open(out, { extraCols, comments, mayReplace: recheckTraceOut(out, flag('out'), 'imported', [file]) });
    } catch (e) {
      release();
      // the output's own name, not the temporary file's: a missing directory as convert and gen say it
      throw new InputError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : openProblem(e)}`);
    }
    const tally = newTally();
    const { ops, stats } = tally;
    // to standard output on the terminal standard error is: none, its line would be drawn among the rows
    const quiet = out === undefined ? quietBesideTrace(values.quiet) : values.quiet;
    const { progress, tap } = fileProgress({ stream: process.stderr, label: 'import', unit: 'rows', quiet }, file);
    opts.tap = tap;
    // a failed write of OUT (a full disk, a file size limit) is the user's to fix: said as such, exit 2
    const written = (e: unknown) => (out !== undefined && isSystemError(e) ? new InputError(`cannot write ${out}: ${openProblem(e)}`) : e);
    try {
      for await (const batch of importer.rows(file, opts, stats, tally.names)) {
        for (const row of batch) {
          try {
            await sink.write(row);
          } catch (e) {
            throw written(e);
          }
          countRow(tally, row);
        }
        progress.done = tally.rows;
        if (sink instanceof StdoutSink && sink.closed) break;
      }
      try {
        await sink.close();
      } catch (e) {
        throw written(e);
      }
      // OUT is in place: an interrupt from here on leaves it, exit 0 (interrupt.ts; user trial 200: it was 130)
      if (out !== undefined) outputInPlace(escapeControl(out));
    } catch (e) {
      progress.cancel();
      await sink.abort(`syncsim import failed: ${e instanceof Error ? e.message : String(e)}`);
      // a file of another format than --from says (an MSR trace given as blkparse) names the one it looks like
      const hint = importFromHint(e, importer.format);
      throw hint === '' ? e : new InputError(`${(e as Error).message}${hint}`);
    } finally {
      release();
    }
    progress.finish();
    const opText = OP_NAMES.filter((o) => ops[o] > 0).map((o) => `${o} ${ops[o]}`).join(', ');
    const statText = Object.entries(stats).map(([k, v]) => `${k} ${v}`).join(', ');
    const flagsNote = (opts.syncFlags === DEFAULT_SYNC_FLAGS ? '' : `, msync flags ${flagsToString(opts.syncFlags)}`) + (opts.mapFlags ? `, mappings ${flagsToString(opts.mapFlags)}` : '')
      + (typeof opts.fileBytes === 'number' ? `, files of ${opts.fileBytes} bytes` : '');
    const early = sink instanceof StdoutSink && sink.closed ? ' (standard output closed: stopped early)' : '';
    process.stderr.write(`syncsim import: ${importer.format} ${escapeControl(file)} -> ${out === undefined ? 'stdout' : escapeControl(out)}${early}: ${plural(tally.rows, 'row')} (${opText || 'none'})${flagsNote}${statText ? `; ${statText}` : ''}\n`);
    for (const w of importWarnings(importer.format, tally, 'command', opts)) process.stderr.write(`syncsim import: warning: ${w}\n`);
    return 0;
  };
  // one writer of OUT at a time
  return out === undefined ? write() : withTraceLock(out, flag('out'), 'import', write);
}

/** The longest --sync-every-us: its ns must be an exact integer (2^53 ns, about 104 days). */
const MAX_SYNC_EVERY_US = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** What a user may call a format that has another name here, and what to do instead. */
const FORMAT_HINTS: Readonly<Record<string, string>> = {
  blktrace: `: blktrace's binary files are read as blkparse's text (blkparse -i DEVICE -o trace.txt), then --from blkparse`,
  fio: '; did you mean fio-iolog (a log fio wrote with write_iolog)?',
  iolog: '; did you mean fio-iolog?',
  'msr-cambridge': '; did you mean msr?',
};

/** `syncsim import`. */
export const importCommand: Command = {
  name: 'import',
  usage: 'import --from FORMAT FILE [options]',
  summary: 'convert a foreign trace (fio iolog, blkparse, MSR, strace) to the native format',
  help: help(),
  run,
};

/** The refusal of `--calibration` without `--assume-dirty measured` (`mode`: the --assume-dirty given, if any). */
function calibrationUnread(mode: string | undefined): string {
  return `--calibration is read only by --assume-dirty measured, of strace (got ${mode === undefined ? 'no --assume-dirty' : `--assume-dirty ${mode}`})`;
}
