/**
 * Rows given in code instead of a trace file (a library caller's iterable or async iterable, such
 * as the rows of a workload preset or an importer) as the batches of {@link TraceRow}s a replay
 * takes: each row checked by the writer's rules ({@link formatRow}) and for time order, numbered
 * with the line it would have in the native CSV they make (the magic line and the header first),
 * its `x_` values laid out as the reader lays out those columns, and that CSV hashed as it goes by.
 */
import { createHash } from 'node:crypto';
import { FLAG_ALIASES, type TraceRow } from './types.ts';
import { formatHeader, formatRow, type RowInput } from './writer.ts';
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

/** Flag names (with their POSIX / Mach aliases) joined by `|` as bits; a RangeError naming an unknown one. */
export function flagNamesToBits(names: string): number {
  let bits = 0;
  for (const f of names.split('|')) {
    const t = f.trim();
    if (t === '') continue;
    const bit = FLAG_ALIASES[t];
    if (bit === undefined) throw new RangeError(`unknown flag '${t}'`);
    bits |= bit;
  }
  return bits;
}

/** A row's flags as bits; a TraceError at `line` for an unknown name. */
function flagBits(flags: number | string | undefined, name: string, line: number): number {
  if (typeof flags !== 'string') return flags ?? 0;
  try {
    return flagNamesToBits(flags);
  } catch (e) {
    throw new TraceError(name, line, 'flags', (e as Error).message, flags);
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
      if (extraCols === undefined) {
        extraCols = Object.keys(r.extra ?? {});
        hash.update(formatHeader(extraCols));
      } else if (line === 3) hash.update(formatHeader(extraCols));
      const flags = flagBits(r.flags, name, line);
      const row: RowInput = { ...r, flags };
      let text: string;
      try {
        text = formatRow(row, extraCols);
      } catch (e) {
        throw new TraceError(name, line, '-', (e as Error).message, JSON.stringify(r) ?? String(r));
      }
      if (r.tNs < lastNs) throw new TraceError(name, line, 't_us', `time goes backwards (previous ${lastNs} ns)`, String(r.tNs));
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
