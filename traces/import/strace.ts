/**
 * Importer of strace output: `strace -f -ttt -T -o FILE PROGRAM`, best with
 * `-e trace=openat,mmap,munmap,madvise,msync,mlock,munlock,mlockall,close` (add `%process` when the
 * program forks or starts threads, and `-y` for absolute file names). Lines may start with a pid
 * column (`-o FILE`), `[pid N]` (strace writing to stderr) or nothing (one process). Every call
 * that shapes an address space becomes native rows with its real flags:
 *
 * | strace | rows |
 * |---|---|
 * | `mmap`/`mmap2` (succeeded) | `map` at the returned address, `object` = the file the fd was opened from (`openat`/`open`/`creat`, `dup*`, `fcntl(F_DUPFD)`, or the `-y` path), `offset`; `MAP_PRIVATE` → `PRIVATE`; `MAP_ANONYMOUS` → a fresh anonymous object `anon.N` with `PRIVATE` (anonymous memory has no file to write back to). An overlapped mapping (`MAP_FIXED`) is unmapped first. `MAP_LOCKED` adds a `wire USER\|NOHOLES` |
 * | `munmap` | `unmap` |
 * | `mremap` (succeeded) | `unmap` of the old range, `map` of the new one (same object, offset) |
 * | `msync` | `msync` with `MS_SYNC`/`MS_ASYNC`/`MS_INVALIDATE` → `SYNC`/`ASYNC`/`INVALIDATE` |
 * | `mlock`, `mlock2` / `munlock` | `wire USER\|NOHOLES` / `unwire USER\|NOHOLES` (`MLOCK_ONFAULT` ignored) |
 * | `mlockall(MCL_CURRENT)` | `wire USER\|NOHOLES` over every run of contiguous mappings the trace has shown in that address space; `MCL_FUTURE` (when the call succeeded) also wires each later mapping right after its `map`, until `munlockall` |
 * | `munlockall` | `unwire USER\|NOHOLES` over every run of contiguous mappings |
 * | `madvise` with `MADV_NORMAL` / `MADV_RANDOM` / `MADV_SEQUENTIAL` (succeeded, or `ENOMEM`: Linux advises the mapped parts of a range with holes) | for each mapped part whose advice changes, `unmap` and `map` with the access flag (none / `RANDOM` / `SEQUENTIAL`), and `wire USER\|NOHOLES` again when the part was locked; other advice: no row (`madvise_other`) |
 * | process exit (`+++ exited`/`killed`), `execve` | `unmap` of every mapping of the address space (the kernel tears it down) |
 * | `fork`/`clone` without `CLONE_VM` | the child gets a `map` of each of the parent's mappings (same objects) |
 * | `syncsim_dirty(ADDR, LEN)` (not a system call: written by `syncsim record` just before an msync, one line per run of pages the kernel held dirty) | `write` of [ADDR, ADDR+LEN) |
 *
 * Failed calls keep their op (the simulator decides its result); the real result is in
 * `x_result` (`OK`, the errno name, or `?` when the call never returned). A failed `mmap` has no
 * address and is skipped (counted in `mmap_failed`). Calls interrupted for a restart
 * (`ERESTART*`) are dropped: strace shows them again when they are restarted.
 *
 * Extra columns: `x_measured_us` (the syscall's duration from `-T`, `<0.000123>` → `123`),
 * `x_result`, `x_syscall` (the call or event a row comes from; `assume-dirty` for synthesised
 * stores) and `x_strace_line` (the strace line number).
 *
 * Tasks: a task is one address space, named `pid<N>` after the first process of it (`main` for
 * the process of unprefixed lines, whatever pid its lines show later). Threads (`clone` with
 * `CLONE_VM`, and a `vfork` child until it calls `execve`) share their creator's task, so their
 * ops are issued in one sequence. A process whose creation the trace does not show (filtered
 * out, or attached with -p) starts with the mappings the trace shows it making; its successful
 * msyncs and its stores outside them are counted for the import's warning (strace/unmapped.ts).
 *
 * Times: `t_us` is the call's entry time relative to the first line's timestamp; a call split
 * into `<unfinished ...>` / `<... resumed>` is placed at its entry, and rows keep entry order
 * (a bounded reorder queue holds later rows until the earlier calls have returned).
 *
 * Stores are invisible to strace: writes are synthesised only as `ASSUME_DIRTY_MODES` (strace/assume-dirty.ts)
 * says (`--assume-dirty`, default `none`).
 *
 * Memory is bounded by the live state of the traced processes (mappings, open files, calls in
 * flight), not by the length of the trace: a line is at most 1 MiB (lines.ts).
 *
 * The pieces (traces/import/strace/): the line grammar (grammar.ts), lines to complete calls in
 * entry order (calls.ts), the per-process mapping and fd table (address-space.ts), fork, clone,
 * execve and exit (processes.ts), syscall translation to rows (translate.ts), the Linux
 * constants (linux.ts), the `--assume-dirty` modes (assume-dirty.ts) and the calls outside a
 * task's mappings (unmapped.ts). This file reads the
 * input, with the line reader of the other importers (lines.ts), and streams the rows.
 */
import { emptyInput, TraceError } from '../trace-error.ts';
import type { RowInput } from '../writer.ts';
import type { Importer, ImportNames, ImportOptions, ImportStats } from './importer.ts';
import { readLines } from './lines.ts';
import { CallReader } from './strace/calls.ts';
import { StraceTranslator } from './strace/translate.ts';

/** Rows per yielded batch. */
const BATCH = 4096;

const EXTRA_COLS = ['x_measured_us', 'x_result', 'x_syscall', 'x_strace_line'] as const;

/**
 * Rows of an strace capture, read by the importers' shared line reader ({@link readLines}: plain
 * or gzip, strict UTF-8 without NUL bytes, lines of at most 1 MiB), so that its refusals and
 * messages are those of the other formats.
 */
async function* straceRows(path: string, opts: ImportOptions, stats: ImportStats, names?: ImportNames): AsyncGenerator<RowInput[]> {
  const imp = new StraceTranslator(path, opts, stats, names);
  const calls = new CallReader(path, stats, (c) => imp.process(c));
  let n = 0;
  /** Rows handed on so far. */
  let made = 0;
  for await (const { first, lines } of readLines(path, { tap: opts.tap })) {
    for (let i = 0; i < lines.length; i++) {
      n = first + i;
      const line = lines[i]!;
      // a byte-order mark before the first line is no part of it, as the other readers take it
      calls.line(n === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line, n);
      if (imp.out.length >= BATCH) {
        const out = imp.out;
        imp.out = [];
        made += out.length;
        yield out;
      }
    }
  }
  // no line of strace's output (no bytes, or only blank lines and strace's own messages)
  if (!stats.strace_lines) throw emptyInput(path, 'strace -f -ttt -T output');
  calls.finish();
  // lines of strace's output, but not one call that makes a row (a program that writes with write(2) and syncs with
  // fsync(2), or whose only mmap was skipped): nothing to replay, refused as an input with nothing to import is
  if (made + imp.out.length === 0 && !opts.emptyTrace) throw nothingToReplay(path, stats);
  if (imp.out.length > 0) yield imp.out;
}

/**
 * The refusal of an strace capture none of whose calls makes a row: what it read (`stats`: lines, the calls the
 * importer reads, those it skipped) and what it would need.
 */
export function nothingToReplay(path: string, stats: ImportStats): TraceError {
  const skipped = Object.entries(stats).filter(([k, v]) => !['strace_lines', 'calls', 'tasks'].includes(k) && typeof v === 'number' && v > 0).map(([k, v]) => `${k} ${v}`);
  const lines = stats.strace_lines ?? 0, calls = stats.calls ?? 0;
  return new TraceError(path, 1, '-', `nothing to import: ${lines} line${lines === 1 ? '' : 's'} of strace output, ${calls} call${calls === 1 ? '' : 's'} of those the importer reads`
    + `${skipped.length ? ` (skipped: ${skipped.join(', ')})` : ''}, and not one that maps, syncs, wires or unmaps memory (mmap, msync, mlock, munmap, ...): `
    + `syncsim replays stores to mapped files and their msyncs, and write(2) and fsync(2) on a file descriptor are not read. `
    + `Trace a program that maps its file (strace -f -ttt -T -e trace=%memory,msync,openat,close,%process), or record it with 'syncsim record'`, undefined);
}

/** The strace importer (`--from strace`). */
export const straceImporter: Importer | null = {
  format: 'strace',
  description: 'strace -f -ttt -T output of mmap/munmap/msync/mlock/munlock/mlockall (with openat/close for file names)',
  fields: [
    '[PID] SECONDS.MICROSECONDS CALL(ARGS) = RESULT <SECONDS>',
    'time (-ttt): seconds since the epoch, to the µs',
    '<SECONDS> (-T): the call\'s duration, kept in µs as x_measured_us',
  ],
  extraCols: EXTRA_COLS,
  rows: straceRows,
};
