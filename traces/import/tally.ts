/**
 * What an import made, counted as its rows go by: rows by op, the importer's
 * own counters, and the warnings they call for. `syncsim import` prints them
 * at the end; the library's `importTrace` gives them on its iterable.
 */
import { OP_NAMES, type OpName } from '../types.ts';
import type { RowInput } from '../writer.ts';
import type { ImportStats } from './importer.ts';

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
}

/** An empty tally. */
export function newTally(): ImportTally {
  return { rows: 0, ops: Object.fromEntries(OP_NAMES.map((o) => [o, 0])) as OpCounts, stats: {} };
}

/** Counts one row made. */
export function countRow(t: ImportTally, row: Pick<RowInput, 'op'>): void {
  t.ops[row.op]++;
  t.rows++;
}

/** How a warning names the options that would fix it: the command's flags or the library's keys. */
export type OptionStyle = 'command' | 'library';

/**
 * The warnings an import's counts call for, each one sentence or two
 * (without a "warning:" prefix): today, an strace capture with msyncs but no
 * stores, whose msyncs would all write nothing when replayed.
 */
export function importWarnings(format: string, t: ImportTally, style: OptionStyle): string[] {
  const out: string[] = [];
  if (format === 'strace' && t.ops.msync > 0 && t.ops.write === 0) {
    const fix = style === 'command'
      ? `Give --assume-dirty (pages=N, mapped-before-msync, measured with --calibration, ...)`
      : `Give assumeDirty ('pages=N', 'mapped-before-msync', 'measured' with calibration, ...)`;
    out.push(`${t.ops.msync} msyncs but no stores: strace cannot see stores to mapped memory, so every msync will write nothing when replayed. ` +
      `${fix} or record the program with 'syncsim record' for its exact dirty pages`);
  }
  return out;
}
