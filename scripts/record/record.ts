/**
 * `syncsim record`: runs a program under the LD_PRELOAD shim (shim.c) and
 * turns what it logged into a native trace, through the strace importer:
 * the shim writes strace's line format, plus a `syncsim_dirty(ADDR, LEN)`
 * line for each run of pages the kernel held dirty just before an msync.
 *
 * 1. The shim is compiled with the system `cc` on first use into a cache
 *    directory (one file per version of its source) and reused.
 * 2. Whether dirty pages can be read: /proc/kpageflags needs root (without
 *    it /proc/PID/pagemap hides frame numbers too). Without it the recording
 *    still runs and the importer's `--assume-dirty` mode stands in.
 * 3. The program runs with the shim preloaded; each process writes its own
 *    log; they are merged by timestamp and imported.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, copyFileSync, existsSync, linkSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants, homedir, hostname, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { headText } from '../../traces/out-trace.ts';
import { straceImporter } from '../../traces/import/strace.ts';
import type { ImportOptions, ImportStats } from '../../traces/import/importer.ts';
import { DEFAULT_SYNC_FLAGS } from '../../traces/import/sync-injector.ts';
import { TraceWriter } from '../../traces/writer.ts';
import { OP_NAMES, type OpName } from '../../traces/types.ts';
import { InputError, lastLines } from '../errors.ts';
import { TraceError } from '../../traces/trace-error.ts';
import { VERSION } from '../version.ts';
import { errnoText, makeDirs, readHead, tempBeside } from '../../traces/files.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import { mergeLogFiles } from './merge-logs.ts';
import { fileProgress } from '../progress.ts';

/** The shim's C source, in the repository. */
export const SHIM_SOURCE = resolve(import.meta.dirname, 'shim.c');

/** Where compiled shims are kept: $SYNCSIM_CACHE_DIR, else $XDG_CACHE_HOME/syncsim, else ~/.cache/syncsim. */
export function shimCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SYNCSIM_CACHE_DIR) return env.SYNCSIM_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'syncsim');
}

/** Compiles the shim (once per version of its source) and returns the shared object's path. */
export function buildShim(cacheDir = shimCacheDir()): string {
  const source = readFileSync(SHIM_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const lib = join(cacheDir, `syncsim-record-${hash}.so`);
  if (existsSync(lib)) return lib;
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    throw new InputError('record needs a C compiler to build its LD_PRELOAD shim, and `cc` was not found: install one (Debian: apt-get install gcc)');
  }
  try {
    makeDirs(cacheDir);
  } catch (e) {
    throw new InputError(`cannot create the shim cache directory ${cacheDir}: ${(e as Error).message} (set SYNCSIM_CACHE_DIR)`);
  }
  const tmp = `${lib}.tmp-${process.pid}`;
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', tmp, SHIM_SOURCE, '-lpthread'], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    // one line (an error message's control characters are shown escaped): the compiler's last lines, joined
    const why = lastLines(r.stderr ?? '');
    throw new InputError(`cc could not build the record shim from ${SHIM_SOURCE}${why ? `: ${why}` : ` (exit ${r.status})`}`);
  }
  renameSync(tmp, lib);
  return lib;
}

/** Why dirty pages cannot be read here, or undefined when they can (root: /proc/kpageflags readable). */
export function dirtyPagesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux: /proc/PID/pagemap and /proc/kpageflags are Linux interfaces';
  let fd = -1;
  try {
    fd = openSync('/proc/kpageflags', 'r');
    const b = Buffer.alloc(8);
    readSync(fd, b, 0, 8, 0);
    return undefined;
  } catch (e) {
    return `/proc/kpageflags is not readable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): dirty pages need root`;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** One finished recording: the merged log in strace's format and what ran. */
export interface Recording {
  /** The merged log (strace -f -ttt -T -y format). */
  log: string;
  /** Processes that logged (one log each). */
  processes: number;
  /** Lines logged. */
  lines: number;
  /** Calls the shim saw (lines other than the program-start markers). */
  calls: number;
  /** The program's exit code (or 128 + signal number). */
  exitCode: number;
  /** Whether dirty pages were read (root). */
  dirtyPages: boolean;
}

/** Runs `argv` under the shim, from directory `cwd` (default ours); its standard streams are ours. Logs go to a new directory under `workDir`. */
export async function recordProgram(argv: readonly string[], workDir: string, shim: string, dirtyPages: boolean, cwd?: string): Promise<Recording> {
  // spawn says ENOENT for a missing directory as for a missing program: which one, said here
  if (cwd !== undefined && !statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`cannot run ${argv[0]} in ${cwd}: no such directory`);
  const logDir = mkdtempSync(join(workDir, 'logs-'));
  // the shim renames or removes it when a line of its log could not be written (shim.c, lost())
  const complete = join(logDir, COMPLETE);
  writeFileSync(complete, '');
  const env: NodeJS.ProcessEnv = { ...process.env, SYNCSIM_RECORD_DIR: logDir, SYNCSIM_RECORD_DIRTY: dirtyPages ? '1' : '0' };
  env.LD_PRELOAD = process.env.LD_PRELOAD ? `${shim}:${process.env.LD_PRELOAD}` : shim;
  const exitCode = await new Promise<number>((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: 'inherit', cwd });
    child.on('error', (e: NodeJS.ErrnoException) => {
      fail(new InputError(e.code === 'ENOENT' ? `program not found: ${argv[0]}` : `cannot run ${argv[0]}: ${e.message}`));
    });
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
  if (!existsSync(complete)) {
    const code = readdirSync(logDir).find((n) => n.startsWith('lost-'))?.slice('lost-'.length);
    const lost = LOST_LOG[code ?? ''] ?? LOST_LOG.ENOSPC!;
    throw new InputError(`record: the program ran, but the shim could not write all of its log to its scratch directory in ${dirname(workDir)} (${code ?? 'a write failed'}: ${lost.why}): the recording is incomplete, and no trace was written; ${lost.remedy}, and record again`);
  }
  const log = join(workDir, 'record.strace');
  // streamed, in bounded memory: a log of millions of msyncs is larger than a string can be; each
  // process's log removed once read, so the scratch space holds about twice the log at most
  const merged = mergeLogFiles(readdirSync(logDir).filter((n) => n.endsWith('.log')).sort().map((n) => join(logDir, n)), log, workDir, { removeRead: true });
  rmSync(logDir, { recursive: true, force: true });
  return { log, processes: merged.files, lines: merged.lines, calls: merged.calls, exitCode, dirtyPages };
}

/** The file the shim renames (to lost-ERRNAME) or removes in its log directory when its log lost a line (shim.c). */
const COMPLETE = 'complete';

/** Why a shim's log lost a line, by the error it named, and what to do; a full disk and its kind for any other. */
const LOST_LOG: Readonly<Record<string, { why: string; remedy: string }>> = {
  ENOSPC: { why: 'a full disk, a quota or a file size limit', remedy: 'make room there, or set TMPDIR to another directory' },
  EMFILE: {
    why: 'a process of the program had as many files open as its limit allows, RLIMIT_NOFILE, and the shim opens a log in each process',
    remedy: 'raise that limit (ulimit -n, or where the program sets it)',
  },
  ENFILE: { why: 'the system had as many files open as it allows (fs.file-max)', remedy: 'close some, or raise fs.file-max' },
};

/** A scratch directory for a recording under the system temporary directory. */
export function recordWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'syncsim-record-'));
}

/** The header comment that names the recorded program (JSON argv), read back by `validate --trace --repeat`. */
export const COMMAND_COMMENT = 'recorded-command: ';

/**
 * The header comment giving the directory the program ran in (a JSON string, absolute), where
 * `validate --trace --repeat` runs it again: its relative paths are resolved there. Traces
 * recorded before 2026-12-06 lack it.
 */
export const CWD_COMMENT = 'recorded-cwd: ';

/** The header comment giving the recorded program's exit status. */
export const EXIT_STATUS_COMMENT = 'recorded-exit-status: ';

/** A recorded program made into a trace. */
export interface RecordedTrace {
  recording: Recording;
  /** Rows per op. */
  ops: Record<OpName, number>;
  stats: ImportStats;
  /** Why dirty pages could not be read (the --assume-dirty fallback ran), or undefined. */
  fallbackWhy: string | undefined;
  /** Whether the trace was written (false: the program failed and an earlier recording was kept, {@link RecordOptions.keepOnFailure}). */
  written: boolean;
}

/** How to record. */
export interface RecordOptions {
  pageSize: number;
  /** --assume-dirty mode used when dirty pages cannot be read. */
  fallback: string;
  /** Also keep the merged shim log here. */
  keepLog?: string;
  /** When the program exits with a non-zero status, write nothing (an earlier recording at `out` stays). */
  keepOnFailure?: boolean;
  /** The command's check of `out`, made again before the trace takes its place: the program may have made a file there (TraceWriterOptions). */
  mayReplace?: () => void;
  /** The directory the program runs in (default the current one); the trace's `recorded-cwd`. */
  cwd?: string;
  /** Show, on standard error, the progress of making the trace once the program has run (`record: N rows, P% of the log, ...`). */
  progress?: boolean;
}

/**
 * Runs `argv` under the shim and writes its trace to `out` (atomically), with
 * the command, the directory it ran in, its exit status and how dirty pages were found in the header
 * comments; with `keepOnFailure`, writes nothing when the program fails.
 */
export async function recordTrace(argv: readonly string[], out: string, opts: RecordOptions): Promise<RecordedTrace> {
  if (!straceImporter) throw new InputError('record needs the strace importer, which this build lacks');
  const shim = buildShim();
  const why = dirtyPagesUnavailable();
  const work = recordWorkDir();
  // Ctrl-C, kill or a hang-up while the program runs: its logs are removed too
  const done = cleanupOnInterrupt(() => rmSync(work, { recursive: true, force: true }));
  try {
    // the directory the trace says the program ran in: the one given, else ours when a path names it
    const cwd = opts.cwd !== undefined ? resolve(opts.cwd) : currentDirectory();
    const rec = await recordProgram(argv, work, shim, why === undefined, opts.cwd === undefined ? undefined : cwd);
    if (opts.keepOnFailure && rec.exitCode !== 0) {
      if (opts.keepLog !== undefined) keepLog(rec.log, opts.keepLog, out);
      return { recording: rec, ops: Object.fromEntries(OP_NAMES.map((o) => [o, 0])) as Record<OpName, number>, stats: {}, fallbackWhy: why, written: false };
    }
    // a program that made no call the shim sees is reported below in record's own words, not refused as import refuses such a capture
    const iopts: ImportOptions = { pageSize: opts.pageSize, syncFlags: DEFAULT_SYNC_FLAGS, assumeDirty: why === undefined ? 'none' : opts.fallback, emptyTrace: true };
    const stats: ImportStats = {};
    const ops = Object.fromEntries(OP_NAMES.map((o) => [o, 0])) as Record<OpName, number>;
    const comments = [
      `recorded by syncsim record ${VERSION} on ${hostname()} at ${new Date().toISOString()} (page size ${opts.pageSize})`,
      `${COMMAND_COMMENT}${JSON.stringify(argv)}`,
      ...(cwd === undefined ? [] : [`${CWD_COMMENT}${JSON.stringify(cwd)}`]),
      `${EXIT_STATUS_COMMENT}${rec.exitCode}`,
      `recorded-dirty-pages: ${why === undefined ? 'kernel (pagemap + kpageflags)' : `assume-dirty ${opts.fallback} (${why})`}`,
    ];
    const w = await TraceWriter.open(out, { extraCols: straceImporter.extraCols ?? [], comments, mayReplace: opts.mayReplace });
    // the program has ended: the log of a long one takes a while to import, said as import says it
    const { progress, tap } = fileProgress({ stream: process.stderr, label: 'record', unit: 'rows', shareOf: 'the log', quiet: !opts.progress }, rec.log);
    iopts.tap = tap;
    try {
      // an empty log (nothing interposed at all) is an empty trace, not malformed strace output
      const batches = rec.lines === 0 ? [] : straceImporter.rows(rec.log, iopts, stats);
      for await (const batch of batches) {
        for (const row of batch) {
          await w.write(row);
          ops[row.op]++;
        }
        progress.done += batch.length;
      }
      await w.close();
    } catch (e) {
      progress.cancel();
      await w.abort();
      throw logUnreadable(e, rec.log, opts.keepLog, out);
    }
    progress.finish();
    // after the trace: a log that cannot be kept does not cost the recording
    if (opts.keepLog !== undefined) keepLog(rec.log, opts.keepLog, out);
    return { recording: rec, ops, stats, fallbackWhy: why, written: true };
  } finally {
    done();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * An error met reading the recording's own log (the program has run; no trace
 * is written): said as such, the log kept at `keep` when given (else how to
 * keep it), instead of naming the temporary log, which is removed. Other errors as they are.
 * @internal exported for tests.
 */
export function logUnreadable(e: unknown, log: string, keep: string | undefined, out: string): unknown {
  if (!(e instanceof TraceError) || e.file !== log) return e;
  let kept = 'give --keep-log FILE to keep the log';
  if (keep !== undefined) {
    try {
      keepLog(log, keep, out, false);
      kept = `the log is kept in ${keep}`;
    } catch (k) {
      kept = (k as Error).message;
    }
  }
  return new InputError(`record: the program ran, but its log cannot be read: line ${e.line}${e.column === '-' ? '' : `, column ${e.column}`}: ${e.problem} (got '${e.text}'); ${out} was not written; ${kept}`);
}

/** The header comment lines of trace file `trace` (plain or gzip-compressed), without their `# `; undefined when it cannot be read. */
export function headerComments(trace: string): string[] | undefined {
  const head = readHead(trace, 64 * 1024);
  const text = head && headText(head);
  if (text === undefined) return undefined;
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line.replace(/^#\s?/, ''));
  }
  return lines;
}

/** The program a trace was recorded from (its `recorded-command` header comment), or undefined. */
export function recordedCommand(trace: string): string[] | undefined {
  return commandOfHeader(headerComments(trace) ?? []);
}

/** The `recorded-command` of header comment lines (without their `# `), or undefined. */
export function commandOfHeader(lines: readonly string[]): string[] | undefined {
  for (const line of lines) {
    const at = line.indexOf(COMMAND_COMMENT);
    if (at >= 0) {
      try {
        const v: unknown = JSON.parse(line.slice(at + COMMAND_COMMENT.length));
        if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The current directory as a path that names it, else undefined: a directory since removed, or
 * one whose name is not valid UTF-8 (Node's path of it, with U+FFFD for the bad bytes, names
 * nothing). The program then runs where we are, and the trace names no directory. (`cwd` and
 * `stat`: stand-ins in tests.) @internal exported for tests.
 */
export function currentDirectory(cwd: () => string = process.cwd, stat: (p: string) => { dev: number; ino: number } = statSync): string | undefined {
  try {
    const here = cwd();
    const a = stat(here), b = stat('.');
    return a.dev === b.dev && a.ino === b.ino ? here : undefined;
  } catch {
    return undefined;
  }
}

/** The directory a trace's program was recorded in (its `recorded-cwd` header comment), or undefined (none: a trace recorded before syncsim wrote it, or one it cannot read). */
export function recordedCwd(trace: string): string | undefined {
  return cwdOfHeader(headerComments(trace) ?? []);
}

/** The `recorded-cwd` of header comment lines (without their `# `): an absolute path, else undefined. @internal exported for tests. */
export function cwdOfHeader(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    if (!line.startsWith(CWD_COMMENT)) continue;
    try {
      const v: unknown = JSON.parse(line.slice(CWD_COMMENT.length));
      return typeof v === 'string' && isAbsolute(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Copies the shim log `log` to `path` under a temporary name, then links it into place, which
 * refuses a file that appeared at `path` meanwhile (never replaced: the program may have made it).
 * Where the file system has no hard links, the temporary file is renamed to `path` if nothing is
 * there; if that cannot be done either, it is kept under its temporary name and named.
 */
function keepLog(log: string, path: string, trace: string, traceWritten = true): void {
  const told = traceWritten ? `the trace ${trace} was written` : `the trace ${trace} was not written`;
  const tmp = tempBeside(resolve(path));
  try {
    copyFileSync(log, tmp, fsConstants.COPYFILE_EXCL);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new InputError(`--keep-log ${path}: cannot be written (${errnoText(e)}); ${told}`);
  }
  try {
    linkSync(tmp, path);
    rmSync(tmp, { force: true });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      rmSync(tmp, { force: true });
      throw new InputError(`--keep-log ${path}: ${path} appeared while the program ran, and is left as it is; ${told}`);
    }
  }
  // no hard links here (vfat, some network file systems)
  if (!existsSync(path)) {
    try {
      renameSync(tmp, path);
      return;
    } catch {
      // kept under its temporary name, below
    }
  }
  throw new InputError(`--keep-log ${path}: cannot be placed there; the log is kept as ${tmp}, and ${told}`);
}
