/**
 * Rows given in code instead of a trace file (a library caller's iterable or async iterable, such
 * as the rows of a workload preset or an importer) as the batches of {@link TraceRow}s a replay
 * takes: each row checked by the writer's rules ({@link formatRow}) and for time order, numbered
 * with the line it would have in the native CSV they make (the magic line and the header first),
 * its `x_` values laid out as the reader lays out those columns, and that CSV hashed as it goes by.
 * An error names the row's key (`key tNs`), not the column of the CSV (`t_us`).
 */
import { createHash } from 'node:crypto';
import type { TraceRow } from './types.ts';
import { flagNameBits } from './fields.ts';
import { formatHeader, formatRow, RowFieldError, type RowInput } from './writer.ts';
import { TraceError } from './trace-error.ts';

/** A row given in code: a {@link RowInput} whose flags may also be names joined by `|` (`'SYNC|INVALIDATE'`). */
export interface RowLike extends Omit<RowInput, 'flags'> {
  /** Bit set of `Flag`, or flag names (with their POSIX / Mach aliases) joined by `|`; default none. */
  flags?: number | string;
}

/** Rows given in code, optionally naming the `x_` columns they carry (as a trace's header would). */
export type RowSource = (Iterable<RowLike> | AsyncIterable<RowLike>) & { readonly extraCols?: readonly string[] };

/** The rows of a {@link RowSource} as a replay reads them. */
export interface RowStream {
  /** The rows in batches, checked; throws a {@link TraceError} naming the row's line at the first bad row. */
  batches: AsyncGenerator<TraceRow[]>;
  /** SHA-256 (hex) of the native CSV the rows make (header without comments); complete once `batches` is done. */
  sha256(): string;
}

/**
 * Flag names (with their POSIX / Mach aliases) joined by `|` as bits, by the trace reader's rules
 * (no spaces, no empty name: `SYNC|` is an error); a RangeError naming the bad name.
 */
export const flagNamesToBits: (names: string) => number = flagNameBits;

/** The key of a row given in code that holds trace column `column`: `t_us` is `tNs`, an `x_` column is in `extra`; any other (and `-`, no column) as it is. */
export function rowKeyOf(column: string): string {
  return column === 't_us' ? 'tNs' : column.startsWith('x_') ? `extra.${column}` : column;
}

/** The error of the row at `line` of rows called `name`: a {@link TraceError} naming the row's key for trace column `column`. */
export function rowError(name: string, line: number, column: string, problem: string, text: string | undefined): TraceError {
  return new TraceError(name, line, rowKeyOf(column), problem, text, { noun: 'key' });
}

/**
 * A row's flags as bits: names as the reader reads them (a TraceError at `line` for a bad one;
 * a string of digits, which a trace file's flags column refuses too, is told to be a number), a
 * number as it is (the writer's check follows), nothing as 0.
 */
function flagBits(flags: unknown, name: string, line: number): number {
  if (flags === undefined || flags === null || flags === '') return 0;
  if (typeof flags === 'number') return flags;
  if (typeof flags !== 'string') throw rowError(name, line, 'flags', 'expected flag names joined by | or a bit set (a number)', shown(flags));
  try {
    return flagNamesToBits(flags);
  } catch (e) {
    const digits = /^(?:0x[0-9a-f]+|\d+)$/i.test(flags) ? `: a bit set is a number (flags: ${flags}), a string holds flag names, as a trace file's flags column does` : '';
    throw rowError(name, line, 'flags', `${(e as Error).message}${digits}`, flags);
  }
}

/** The keys a row may have. */
const ROW_KEYS: ReadonlySet<string> = new Set(['tNs', 'task', 'op', 'addr', 'len', 'flags', 'object', 'offset', 'extra']);

/** Refuses a key a row does not have (a misspelt `flag`, an `x_` column outside `extra`), which would otherwise be ignored. */
function checkRowKeys(r: object, name: string, line: number): void {
  for (const k of Object.keys(r)) {
    if (ROW_KEYS.has(k)) continue;
    const problem = k.startsWith('x_') ? `an x_ column is given in extra (extra: { ${k}: ... }), not on the row` : `unknown row key '${k}' (a row has ${[...ROW_KEYS].join(', ')})`;
    throw rowError(name, line, '-', problem, shown(r));
  }
}

/**
 * Refuses `extra` values of columns the rows do not carry (`cols`: the source's `extraCols`, or
 * the first row's `extra` keys, which make the header): they would be dropped unread.
 */
function checkExtraKeys(r: RowLike, cols: readonly string[], fromSource: boolean, name: string, line: number): void {
  if (r.extra === undefined || r.extra === null) return;
  for (const k of Object.keys(r.extra)) {
    if (cols.includes(k)) continue;
    const named = cols.length ? `the columns ${cols.join(', ')}` : 'no x_ column';
    throw rowError(name, line, '-', `extra column '${k}' is not among the rows' x_ columns (${named}, from ${fromSource ? "the source's extraCols" : 'the first row'}): give the first row every x_ column (an empty string where it has none), or name them in the source's extraCols`, shown(r));
  }
}

/** A value of a row as an error shows it (JSON; a BigInt as `123n`). */
function shown(v: unknown): string {
  try {
    return JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * The rows of `source` as a replay reads them, called `name` in errors. Their `x_` columns are
 * `source.extraCols` when it names them, else those of the first row's `extra`.
 */
export function rowStream(source: RowSource, name: string, batchSize = 4096): RowStream {
  const hash = createHash('sha256');
  let digest: string | undefined;
  async function* batches(): AsyncGenerator<TraceRow[]> {
    let extraCols = source.extraCols;
    let line = 2;
    let lastNs = 0;
    let batch: TraceRow[] = [];
    for await (const r of source as AsyncIterable<RowLike>) {
      line++;
      if (r === null || typeof r !== 'object') throw rowError(name, line, '-', 'expected a row: an object { tNs, task, op, addr, len, flags?, object?, offset? }', shown(r));
      checkRowKeys(r, name, line);
      if (extraCols === undefined) extraCols = Object.keys(r.extra ?? {});
      if (line === 3) {
        try {
          hash.update(formatHeader(extraCols));
        } catch (e) {
          // an extra key that is no x_ column (txn for x_txn): the row that named it
          throw rowError(name, line, '-', (e as Error).message, shown(r));
        }
      }
      checkExtraKeys(r, extraCols, source.extraCols !== undefined, name, line);
      const flags = flagBits(r.flags, name, line);
      const row: RowInput = { ...r, flags };
      let text: string;
      try {
        text = formatRow(row, extraCols);
      } catch (e) {
        throw rowError(name, line, e instanceof RowFieldError ? e.column : '-', (e as Error).message, shown(r));
      }
      if (r.tNs < lastNs) throw rowError(name, line, 't_us', `time goes backwards (previous ${lastNs} ns)`, String(r.tNs));
      lastNs = r.tNs;
      hash.update(text);
      batch.push({
        line, tNs: r.tNs, task: r.task || '0', op: r.op, addr: r.addr, len: r.len, flags, object: r.object ?? '', offset: r.op === 'map' ? (r.offset ?? 0) : 0,
        ...(extraCols.length > 0 ? { extra: Object.fromEntries(extraCols.map((c) => [c, r.extra?.[c] ?? ''])) } : {}),
      });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (line === 2) hash.update(formatHeader(extraCols ?? []));
    if (batch.length > 0) yield batch;
    digest = hash.digest('hex');
  }
  return {
    batches: batches(),
    sha256: () => {
      if (digest === undefined) throw new Error('rowStream: sha256() before the last batch was read');
      return digest;
    },
  };
}
