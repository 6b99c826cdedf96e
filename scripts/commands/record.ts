/**
 * `syncsim record`: records a program's address-space calls and, at each
 * msync, exactly which pages were dirty, as a native trace.
 */
import { checkTraceOut, recheckTraceOut, withTraceLock } from '../../traces/out-trace.ts';
import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { errnoText, tempBeside } from '../../traces/files.ts';
import { dirname, resolve } from 'node:path';
import { ASSUME_DIRTY_MODES, assumeDirtyProblem } from '../../traces/import/strace/assume-dirty.ts';
import { OP_NAMES } from '../../traces/types.ts';
import { InputError } from '../errors.ts';
import { dirtyPagesUnavailable, recordTrace, SHIM_SOURCE, shimCacheDir } from '../record/record.ts';
import { earlierRecording, recordingText } from '../record/earlier.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { QUIET_OPTION, quietHelp } from '../progress.ts';
import { escapeControl } from '../../traces/escape.ts';
import { firstBadByte, showBytes } from '../../traces/utf8.ts';
import { helpParagraph } from '../help-text.ts';
import { lagText } from '../lag-text.ts';
import { plural } from '../plural.ts';

/** The --assume-dirty modes record takes: all but `measured`, which needs a calibration (import's --calibration). */
const RECORD_MODES = Object.keys(ASSUME_DIRTY_MODES).filter((m) => m !== 'measured');

/**
 * The importer's counts of calls the trace does not hold as the program made them, said by
 * record's summary line (import prints every count; record, which prints none, said nothing of these).
 */
const ALTERED: Readonly<Record<string, (n: number) => string>> = {
  out_of_range: (n) => `${n} call${n === 1 ? '' : 's'} past the trace's address range, left out`,
  msync_unknown_flags: (n) => `${n} msync${n === 1 ? '' : 's'} with flags the trace has no name for, the flags left off`,
};

/**
 * What the scans of the msyncs' ranges for dirty pages put into the trace's timing, from the import's
 * `dirty_scan_us` and `dirty_scan_msyncs` (over the msyncs with dirty pages: the others' scans are not
 * seen): the program was held that long at each msync, so its msync row comes that long after its
 * stores, and a closed replay keeps the gap as think time. '' when no msync had dirty pages.
 */
export function scanText(stats: Readonly<Record<string, number>>): string {
  const n = stats.dirty_scan_msyncs ?? 0;
  if (n === 0) return '';
  const us = stats.dirty_scan_us ?? 0;
  return `; the scans for dirty pages held the program ${lagText(us * 1000)} in all, ${n === 1 ? `${(us / n).toFixed(1)} µs before the msync` : `a mean of ${(us / n).toFixed(1)} µs before each of the ${n} msyncs`} with dirty pages (the msync row comes that long after its stores: a closed replay keeps it as think time)`;
}

/** Why record refuses --assume-dirty measured, and what to do instead. */
const MEASURED_REFUSED = '--assume-dirty measured needs a calibration, which record does not take (nothing was run): ' +
  `give another mode (${RECORD_MODES.join(', ')}), or keep the log with --keep-log FILE and import it with ` +
  "'syncsim import --from strace FILE --assume-dirty measured --calibration CAL'";

/** This system's page size, asked once per process ({@link pageSizeOfSystem}). */
let systemPageSize: number | undefined;

const HELP = `Usage: syncsim record [-o TRACE.csv] [--page-size N] [--assume-dirty MODE]
                      [--replace] [--keep-log FILE] [-q] -- PROGRAM [ARGS...]

Runs PROGRAM (with its arguments, standard input and output) under an
LD_PRELOAD shim that logs every mmap, munmap, mremap, msync, madvise,
posix_madvise, mlock, munlock, mlockall and munlockall of the program and of
the processes it forks, and at the entry of each msync reads which pages of the
range the kernel holds dirty (/proc/PID/pagemap gives each page's frame, bit 4
of /proc/kpageflags, KPF_DIRTY, whether it is dirty). The trace gets, before
each msync, write rows for exactly those pages, then the msync with its
measured duration (x_measured_us) and result (x_result); maps, unmaps and
wiring are translated as 'syncsim import --from strace' does.

Dirty pages need root (kpageflags). Without it the recording still runs and
says so; the stores are then synthesised by --assume-dirty (default
mapped-before-msync, one store of each writable mapping's part of the msync
range), one of ${RECORD_MODES.join(', ')}, as
'syncsim import --from strace' takes them; its measured needs a calibration
(import --calibration): keep the log with --keep-log FILE and import that.

Not seen: statically linked programs and system calls made without the C
library's wrappers (syscall(2), io_uring); a program that made no call the shim
sees is reported. Threads share their process's task; a child made by fork()
starts with its parent's mappings.

${helpParagraph(`The shim (${SHIM_SOURCE}) is compiled with the system cc on first use into
${shimCacheDir()} (SYNCSIM_CACHE_DIR overrides).`)}

Options:
  -o, --out FILE        the trace (default record.csv); written to a temporary
                        file beside it and renamed when complete; an existing
                        FILE is refused (exit 2): a recording record made
                        unless --replace is given; anything else (a generated
                        or imported trace, a .sst cache, any other file)
                        always
  --replace             write over an earlier recording at FILE (a recording
                        cannot be made again; without it record refuses);
                        even then a run of the program that fails does not
                        replace the recording of one that succeeded, nor does
                        any run replace a recording edited since (its last
                        line, a stamp, no longer matches the lines before it)
  --page-size N         page size of the trace (default: this system's, ${pageSizeOfSystem()})
  --assume-dirty MODE   stores to synthesise when dirty pages cannot be read
  --keep-log FILE       also keep the merged shim log (strace format) in FILE,
                        a new file in an existing directory (never one that
                        exists)
${quietHelp(24)}
  -h, --help            this help

Progress goes to stderr once the program has ended, while its log becomes the
trace (rows written, the share of the log read, rows/s, ETA): on a terminal a
line redrawn in place; otherwise a line every 10 s and one at the end, none
for a shorter job.

Exit code: that of PROGRAM when the trace was written (a failing program is
still recorded, and said so), 2 on a usage or recording error.`;

/** This system's page size (getconf PAGESIZE, asked once: starting a process costs tens of ms here), 4096 when it cannot be asked. */
function pageSizeOfSystem(): number {
  if (systemPageSize === undefined) {
    const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    systemPageSize = r.status === 0 && Number.isInteger(n) && n >= 512 ? n : 4096;
  }
  return systemPageSize;
}

async function run(argv: string[]): Promise<number> {
  const dd = argv.indexOf('--');
  const own = dd < 0 ? argv : argv.slice(0, dd);
  const program = dd < 0 ? [] : argv.slice(dd + 1);
  const { values, positionals, flag } = parseCommandArgs('record', own, {
    out: { type: 'string', short: 'o' },
    'page-size': { type: 'string' },
    'assume-dirty': { type: 'string' },
    'keep-log': { type: 'string' },
    replace: { type: 'boolean' },
    ...QUIET_OPTION,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new InputError(`record: put the program after '--' (got '${positionals[0]}'; try 'syncsim record --help')`);
  if (program.length === 0) throw new InputError("record needs a program to run: syncsim record [-o TRACE.csv] -- PROGRAM [ARGS...]");
  if (program[0] === '') throw new InputError("record: the program's name after '--' is empty (an unset shell variable?): syncsim record [-o TRACE.csv] -- PROGRAM [ARGS...]");
  const pageSize = values['page-size'] === undefined ? pageSizeOfSystem() : Number(values['page-size']);
  if (!/^\d+$/.test(values['page-size'] ?? '4096') || pageSize < 512 || pageSize > 2 ** 30 || (pageSize & (pageSize - 1)) !== 0) {
    throw new InputError(`--page-size expects a power of two from 512 to 1 GiB (got '${values['page-size']}')`);
  }
  // the program runs here: its mappings lie at this system's page boundaries, which the import checks
  if (pageSize !== pageSizeOfSystem()) throw new InputError(`--page-size ${pageSize}: the program runs on this system, whose pages are ${pageSizeOfSystem()} bytes, and its mappings are aligned to those; leave --page-size out`);
  refuseAlteredArguments(program);
  const fallback = values['assume-dirty'] ?? 'mapped-before-msync';
  // checked before the program runs: the fallback is used only after it, when the log is imported
  if (fallback === 'measured') throw new InputError(MEASURED_REFUSED);
  const modeProblem = assumeDirtyProblem(fallback, false);
  if (modeProblem !== undefined) throw new InputError(modeProblem.replace(/\(expected one of [^)]*\)/, `(expected one of ${RECORD_MODES.join(', ')})`));
  const out = values.out ?? 'record.csv';
  try {
    if (statSync(out).isDirectory()) throw new InputError(`${flag('out')} ${out}: is a directory; give a file name`);
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
  checkTraceOut(out, flag('out'), 'recorded');
  // the trace is written after the program has run: a directory it cannot go in is refused before, not after
  const outDir = dirname(resolve(out));
  if (!statSync(outDir, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`cannot write ${out}: its directory does not exist (nothing was run)`);
  // an earlier recording is measured data that cannot be made again: written over only when asked (--replace), and
  // even then not by a run of the program that fails when it was of a run that succeeded (one that failed too is
  // replaced: a program that always exits non-zero can be recorded again)
  const recording = earlierRecording(out);
  if (recording && !values.replace) {
    throw new InputError(`${flag('out')} ${out}: holds an earlier recording ${recordingText(recording)}; a recording is measured data that cannot be made again, so record writes over one only with --replace: give a new ${flag('out')} FILE, or add --replace (nothing was run)`);
  }
  const earlier = recording?.exitStatus === 0;
  if (values['keep-log'] !== undefined) checkKeepLog(values['keep-log'], out);
  const why = dirtyPagesUnavailable();
  if (why) process.stderr.write(`syncsim record: ${why}; falling back to --assume-dirty ${fallback}\n`);
  // one writer of OUT at a time, the program's run included
  const r = await withTraceLock(out, flag('out'), 'record', () => recordTrace(program, out, { pageSize, fallback, keepLog: values['keep-log'], keepOnFailure: earlier, progress: !values.quiet, mayReplace: recheckTraceOut(out, flag('out'), 'recorded') }));
  if (!r.written) {
    process.stderr.write(`syncsim record: ${escapeControl(program.join(' '))} exited with ${r.recording.exitCode}: ${escapeControl(out)}, the recording of an earlier run that succeeded, is kept; this run's trace was not written (give a new -o to keep the recording of a failing run)\n`);
    return r.recording.exitCode;
  }
  if (r.recording.calls === 0) {
    process.stderr.write(`syncsim record: ${program[0]} made no call the shim sees (is it statically linked, or does it use raw system calls?): the trace is empty\n`);
  }
  const opText = OP_NAMES.filter((o) => r.ops[o] > 0).map((o) => `${o} ${r.ops[o]}`).join(', ');
  const dirty = r.fallbackWhy === undefined ? `${plural(r.stats.recorded_dirty_pages ?? 0, 'dirty page')} read from the kernel` : `stores synthesised by --assume-dirty ${fallback} (${r.stats.assumed_writes ?? 0})`;
  const altered = Object.entries(ALTERED).filter(([k]) => (r.stats[k] ?? 0) > 0).map(([k, what]) => `${what(r.stats[k]!)} (${k})`);
  process.stderr.write(`syncsim record: ${escapeControl(program.join(' '))} -> ${escapeControl(out)}: ${r.recording.processes} process(es), ${opText || 'no rows'}; ${dirty}` +
    scanText(r.stats) +
    `${altered.length > 0 ? `; not as the program made them: ${altered.join(', ')}` : ''}` +
    `${r.recording.exitCode !== 0 ? `; the program exited with ${r.recording.exitCode}` : ''}\n`);
  return r.recording.exitCode;
}

/**
 * Refuses (before the program runs) a program argument that is not UTF-8 as
 * given: Node reads the command line as UTF-8 and would pass each bad byte on
 * as U+FFFD, so the program would open other files than asked. The bytes as
 * given are in /proc/self/cmdline (Linux; elsewhere nothing is checked).
 */
function refuseAlteredArguments(program: readonly string[]): void {
  // only when this process's own command line ends with the program (the CLI, not a caller in-process)
  const tail = process.argv.slice(process.argv.length - program.length);
  if (tail.length !== program.length || tail.some((a, i) => a !== program[i])) return;
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return;
  }
  const parts: Buffer[] = [];
  for (let at = 0; at < raw.length; ) {
    const end = raw.indexOf(0, at);
    parts.push(raw.subarray(at, end < 0 ? raw.length : end));
    at = end < 0 ? raw.length : end + 1;
  }
  const given = parts.slice(parts.length - program.length);
  given.forEach((b, i) => {
    if (firstBadByte(b) >= 0) {
      throw new InputError(`record: ${i === 0 ? 'the program name' : `argument ${i} of the program`} ('${showBytes(b)}') is not UTF-8, and Node would pass it on altered (each bad byte as U+FFFD); give the program a name it can be passed (a symbolic link, a script)`);
    }
  });
}

/** `syncsim record`. */
export const recordCommand: Command = {
  name: 'record',
  usage: 'record [-o TRACE.csv] -- PROGRAM [ARGS...]',
  summary: 'run a program under an LD_PRELOAD shim: its maps, msyncs (with the exact dirty pages) and wiring as a trace',
  help: HELP,
  run,
};

/**
 * Checks, before the program runs, that the shim log can be kept at `path`: a new file (nothing
 * there: syncsim cannot tell its own log from a user's strace output, so it replaces neither), in
 * a directory that exists, and not the trace's own `out`.
 */
function checkKeepLog(path: string, out: string): void {
  if (path === '') throw new InputError('--keep-log: the path is empty; choose a new file');
  if (resolve(path) === resolve(out)) throw new InputError(`--keep-log ${path}: is the trace's --out as well; choose another file`);
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new InputError(`--keep-log ${path}: cannot be used (${code === 'ENOTDIR' ? 'a part of the path is a file, not a directory' : code ?? 'error'}); choose a new file`);
  }
  if (st !== undefined) {
    throw new InputError(`--keep-log ${path}: ${st.isDirectory() ? 'is a directory' : 'exists'}; the shim log is only written to a new file (syncsim replaces no file it cannot tell it wrote): choose a new file`);
  }
  const dir = dirname(resolve(path));
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`--keep-log ${path}: its directory ${dir} does not exist; choose a file in an existing directory`);
  // a file can be made there (the log's temporary name, removed at once)
  const probe = tempBeside(resolve(path));
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe);
  } catch (e) {
    throw new InputError(`--keep-log ${path}: no file can be made in ${dir} (${errnoText(e)}); choose another directory`);
  }
}
