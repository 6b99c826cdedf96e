/**
 * The shape of a trace importer: a foreign format in, native rows out,
 * streamed (a 100-million-row input never has to fit in memory).
 */
import type { ByteTap } from '../byte-tap.ts';
import type { RowInput } from '../writer.ts';

/** Options common to every importer (`syncsim import`'s flags). */
export interface ImportOptions {
  /** Page size the addresses are laid out with (default 4096). */
  pageSize: number;
  /** Inject an `msync` of the whole mapping every N writes (block traces have no syncs). */
  syncEveryWrites?: number;
  /** Inject an `msync` of the whole mapping every T µs of trace time. */
  syncEveryUs?: number;
  /** Flag bits of injected (and, where the format has none, translated) msyncs; default SYNC. */
  syncFlags: number;
  /** strace: how to synthesise stores, which strace cannot see (e.g. `whole-range-before-msync`, `pages=8`). */
  assumeDirty?: string;
  /** strace: seed of `--assume-dirty pages=N` / `measured` (default 1). */
  assumeDirtySeed?: number;
  /** strace `--assume-dirty measured`: pages an msync of this measured duration (µs) wrote, by the calibrated device. */
  pagesForMeasured?: (measuredUs: number) => number;
  /** Flag bits given to every `map` row the importer makes: the access advice (`Flag.RANDOM` or `Flag.SEQUENTIAL`), default none. */
  mapFlags?: number;
  /**
   * fio-iolog: the size (bytes) of every file, or of each by its name as the log gives it (asked
   * once, when the file is first met), when known: each `map` row maps that much of the object's region (rounded up to a page), and a
   * whole-mapping msync covers it, so that read-ahead stops at the end of the file as the
   * kernel's does; an I/O past the size is an error. A file without one, or with one that is
   * not a whole number of bytes within the region, maps the whole region (the default).
   */
  fileBytes?: number | ((name: string) => number | undefined);
  /** Sees the input's bytes as they are read (how far the import is, for progress). */
  tap?: ByteTap;
  /**
   * strace: a capture none of whose calls makes a row is an empty trace, not refused (`syncsim record`, which
   * reports a program that made no call its shim sees in its own words); import refuses it (nothingToReplay).
   */
  emptyTrace?: boolean;
}

/** Counters an importer reports (e.g. fio `trim` and `wait` entries seen). */
export type ImportStats = Record<string, number>;

/**
 * What some of an importer's counters counted, named for its warnings: by counter, the first
 * {@link MAX_NAMES} distinct names in the order met (e.g. `unmapped_calls`: the strace tasks whose
 * msyncs or stores fell outside the mappings the trace shows them making).
 */
export type ImportNames = Record<string, string[]>;

/** Most names kept for one counter in {@link ImportNames}. */
export const MAX_NAMES = 5;

/** Adds `name` to `names[key]` (when given) unless it is there already or the list is full. */
export function addName(names: ImportNames | undefined, key: string, name: string): void {
  if (names === undefined) return;
  const list = (names[key] ??= []);
  if (list.length < MAX_NAMES && !list.includes(name)) list.push(name);
}

/** One input format. */
export interface Importer {
  /** The `--from` name. */
  format: string;
  /** One line: what the format is. */
  description: string;
  /** The input's fields and the unit of each, a line each (under 70 characters): `syncsim import --help`. */
  fields: readonly string[];
  /** `x_` columns the rows carry (e.g. `x_measured_us`). */
  extraCols?: readonly string[];
  /**
   * Streams native rows (non-decreasing time) in batches. Malformed input
   * throws a TraceError naming the file, the line and what was expected. `names`, when given,
   * receives the names its warnings need ({@link ImportNames}).
   */
  rows(path: string, opts: ImportOptions, stats: ImportStats, names?: ImportNames): AsyncGenerator<RowInput[]>;
}
