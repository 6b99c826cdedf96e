/**
 * What an import made, counted as its rows go by: rows by op, the importer's
 * own counters, and the warnings they call for. `syncsim import` prints them
 * at the end; the library's `importTrace` gives them on its iterable.
 */
import { OP_NAMES, type OpName } from '../types.ts';
import type { RowInput } from '../writer.ts';
import type { ImportNames, ImportOptions, ImportStats } from './importer.ts';
import { INJECTED } from './options.ts';

/** Rows by op, with every op present (0 when none). */
export type OpCounts = Record<OpName, number>;

/** An import's counts so far. */
export interface ImportTally {
  /** Rows made. */
  rows: number;
  /** Rows made, by op. */
  ops: OpCounts;
  /** The importer's own counters (e.g. `msync_injected`, `time_clamped`). */
  stats: ImportStats;
  /** What some counters counted, named for the warnings (e.g. `unmapped_calls`: the first tasks). */
  names: ImportNames;
}

/** An empty tally. */
export function newTally(): ImportTally {
  return { rows: 0, ops: Object.fromEntries(OP_NAMES.map((o) => [o, 0])) as OpCounts, stats: {}, names: {} };
}

/** Counts one row made. */
export function countRow(t: ImportTally, row: Pick<RowInput, 'op'>): void {
  t.ops[row.op]++;
  t.rows++;
}

/** How a warning names the options that would fix it: the command's flags or the library's keys. */
export type OptionStyle = 'command' | 'library';

/** What a block trace of `format` (one whose msyncs syncsim injects) lacks when it has no msync of its own. */
const NO_SYNCS: Readonly<Record<string, string>> = {
  msr: 'MSR traces have no syncs of their own',
  blkparse: 'the input has no flush or FUA request',
  'fio-iolog': 'the log has no sync, datasync or sync_file_range',
};

/**
 * The warning of an import of a block trace (`format`, one of INJECTED) with stores and no msync
 * row, given the injection options `opts` it had: when replayed, no msync makes what it stores
 * durable; it names the options that inject msyncs, or says why those given injected none.
 */
function noMsyncWarning(format: string, t: ImportTally, style: OptionStyle, opts: Pick<ImportOptions, 'syncEveryWrites' | 'syncEveryUs'>): string {
  const command = style === 'command';
  const writes = command ? '--sync-every-writes' : 'syncEveryWrites', us = command ? '--sync-every-us' : 'syncEveryUs';
  const effect = `so when replayed nothing but background writeback makes its ${t.ops.write === 1 ? 'write' : `${t.ops.write} writes`} durable, and there is no msync latency to measure`;
  if (opts.syncEveryWrites !== undefined) {
    return `no msync in the trace: ${NO_SYNCS[format]}, and ${writes} ${opts.syncEveryWrites} injected none (no object had that many writes), ${effect}. Give a smaller ${writes}`;
  }
  if (opts.syncEveryUs !== undefined) {
    return `no msync in the trace: ${NO_SYNCS[format]}, and ${us} ${opts.syncEveryUs} injected none (the trace ends before ${opts.syncEveryUs} µs), ${effect}. Give a smaller ${us}`;
  }
  return `no msync in the trace: ${NO_SYNCS[format]}, ${effect}. Give ${writes} N (an msync of an object's whole mapping after every N writes to it) `
    + `or ${us} T (one of every object written, every T µs of trace time) to inject them`;
}

/**
 * The warnings an import's counts call for, each one sentence or two
 * (without a "warning:" prefix): a block trace (fio-iolog, blkparse, msr)
 * with stores and no msync, whose stores no msync makes durable when
 * replayed (`opts`: the injection options given, which it names); an strace
 * capture with msyncs but no stores, whose msyncs would all write nothing
 * when replayed; and one with msyncs or stores of a task outside the
 * mappings the trace shows it making (`unmapped_calls`), which the replay
 * would fail.
 */
export function importWarnings(format: string, t: ImportTally, style: OptionStyle, opts: Pick<ImportOptions, 'syncEveryWrites' | 'syncEveryUs'> = {}): string[] {
  const out: string[] = [];
  if (INJECTED.includes(format) && t.ops.msync === 0 && t.ops.write > 0) out.push(noMsyncWarning(format, t, style, opts));
  if (format === 'strace' && t.ops.msync > 0 && t.ops.write === 0) {
    const fix = style === 'command'
      ? `Give --assume-dirty (pages=N, mapped-before-msync, measured with --calibration, ...)`
      : `Give assumeDirty ('pages=N', 'mapped-before-msync', 'measured' with calibration, ...)`;
    out.push(`${t.ops.msync === 1 ? '1 msync' : `${t.ops.msync} msyncs`} but no stores: strace cannot see stores to mapped memory, so every msync will write nothing when replayed. ` +
      `${fix} or record the program with 'syncsim record' for its exact dirty pages`);
  }
  const unmapped = t.stats.unmapped_calls ?? 0;
  if (format === 'strace' && unmapped > 0) out.push(unmappedWarning(unmapped, t.stats.unmapped_tasks ?? 0, t.names.unmapped_calls ?? []));
  const clamped = t.stats.time_clamped ?? 0;
  if (clamped > 0) out.push(clampedWarning(format, clamped, t.stats.time_clamped_max_us ?? 0));
  return out;
}

/** How to put the lines of an input of `format` in time order, for the warning of events out of order. */
const SORT_HINT: Readonly<Record<string, string>> = {
  msr: `sort -t, -k1,1n FILE (the timestamp is the first column; 'cat' of two disks' files puts the second after the first whatever their times)`,
};

/**
 * The warning of `clamped` input events earlier than the event before them (the largest step back `maxBackUs`):
 * each was moved forward to the time before it, the trace keeping the input's order, so an input not sorted
 * by time (two files joined end to end) replays those events at the wrong times, piled up at one instant.
 */
export function clampedWarning(format: string, clamped: number, maxBackUs: number): string {
  const back = maxBackUs >= 1e6 ? `${+(maxBackUs / 1e6).toPrecision(4)} s` : maxBackUs >= 1e3 ? `${+(maxBackUs / 1e3).toPrecision(4)} ms` : `${+maxBackUs.toPrecision(4)} µs`;
  const one = clamped === 1;
  return `${clamped} event${one ? '' : 's'} of the input ${one ? 'comes' : 'come'} earlier than the event before ${one ? 'it' : 'them'} (by up to ${back}) and ${one ? 'was' : 'were'} `
    + `moved forward to ${one ? 'its' : 'their'} time (time_clamped): the trace keeps the input's order, so ${one ? 'that event replays' : 'those events replay'} later than ${one ? 'it' : 'they'} happened. `
    + `If the input is not in time order, sort it by time first${SORT_HINT[format] ? `: ${SORT_HINT[format]}` : ''}`;
}

/** A task as the warnings name it: `pid 1001 (task pid1001)`, or `task main` (the process of unprefixed lines). */
function taskLabel(task: string): string {
  const pid = /^pid(\d+)$/.exec(task);
  return pid ? `pid ${pid[1]} (task ${task})` : `task ${task} (the process of lines without a pid)`;
}

/** The warning of `calls` msyncs or stores of `tasks` tasks (the first of them `named`) outside their mappings. */
function unmappedWarning(calls: number, tasks: number, named: readonly string[]): string {
  const one = tasks === 1;
  const more = tasks - named.length;
  const whose = named.length === 0 ? `${tasks} task${one ? '' : 's'}` : `${named.map(taskLabel).join(', ')}${more > 0 ? ` and ${more} more task${more === 1 ? '' : 's'}` : ''}`;
  const what = calls === 1 ? '1 msync or store' : `${calls} msyncs or stores`;
  return `${what} of ${whose} ${calls === 1 ? 'falls' : 'fall'} outside every mapping the trace shows ${one ? 'that task' : 'those tasks'} making, ` +
    `so the replay fails such calls (ENOMEM, unmapped writes) where the program's succeeded: the trace does not show how ${one ? 'it' : 'they'} got ${one ? 'its' : 'their'} mappings, ` +
    `most often a thread or child whose clone or fork was not traced. Capture with strace -f and %process in -e trace= (README, "Importing strace output"), ` +
    `or record the program with 'syncsim record'`;
}
