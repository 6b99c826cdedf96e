/**
 * Writer of the native trace format (docs/trace-format.md, version 1).
 *
 * `formatHeader` / `formatRow` produce text (each ending with `\n`, so a whole trace is
 * `formatHeader(cols) + rows.map((r) => formatRow(r, cols)).join('')`); `TraceWriter` streams a
 * trace to a file, gzip-compressed when the path ends with `.gz`, with backpressure, through a
 * temporary file `PATH.tmp-PID@HOST` renamed to PATH by `close()`, so a crash never leaves a half
 * written trace at PATH.
 *
 * Everything written is valid for the reader: rows it would reject throw an `Error` here.
 * `TraceWriter` stamps what it writes: a header line says so, and the last line holds the
 * SHA-256 of the bytes before it (traces/trace-stamp.ts).
 */
import { createWriteStream, promises as fsp, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { placeFile, processAlive, readHead, startsGzip } from './files.ts';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { STAMPED_LINE, TraceStamper } from './trace-stamp.ts';
import { ADDR_LIMIT, ADVICE_FLAGS, FLAGS_BY_OP, OP_NAMES, flagsToString, type OpName, type TraceRow } from './types.ts';

/** The first line every producer writes. */
export const TRACE_MAGIC_LINE = '# syncsim-trace v1';

/** The standard columns, in the order the writer emits them. */
export const TRACE_COLUMNS: readonly string[] = ['t_us', 'task', 'op', 'addr', 'len', 'flags', 'object', 'offset'];

/** A row to write: a {@link TraceRow} without its line number, defaults for the optional fields. */
export interface RowInput {
  /** Issue time in integer nanoseconds (>= 0). */
  tNs: number;
  /** Default `'0'`. */
  task?: string;
  op: OpName;
  addr: number;
  len: number;
  /** Bit set of `Flag`, default 0. */
  flags?: number;
  /** Backing object (`map` only). */
  object?: string;
  /** Offset into the object (`map` only), default 0. */
  offset?: number;
  /** Values of `x_*` columns; only the columns passed to the writer are written. */
  extra?: Record<string, string>;
}

const TASK_RE = /^[A-Za-z0-9_.-]+$/;

/** What kind of value `v` is, for a message: `null`, `an object`, `a string`, ... */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  const t = typeof v;
  return `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
}
const OPS: ReadonlySet<string> = new Set(OP_NAMES);

function checkExtraCols(extraCols: readonly string[]): void {
  const seen = new Set<string>();
  for (const c of extraCols) {
    if (!c.startsWith('x_')) throw new Error(`extra trace column '${c}' must start with 'x_'`);
    if (seen.has(c)) throw new Error(`duplicate extra trace column '${c}'`);
    seen.add(c);
  }
}

/** A CSV field, quoted when it holds a comma, a double quote or a line break. */
function csvField(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 /* , */ || c === 34 /* " */ || c === 10 || c === 13) return `"${s.replace(/"/g, '""')}"`;
  }
  return s;
}

/** Integer nanoseconds as microseconds, exact: 7500 -> `7.5`, 1 -> `0.001`, 12000 -> `12`. */
export function formatTimeUs(tNs: number): string {
  if (typeof tNs !== 'number') {
    const t = typeof tNs as string;
    const value = t === 'bigint' ? `${String(tNs)}n` : t === 'string' ? JSON.stringify(tNs) : String(tNs);
    throw new Error(`trace time must be a non-negative integer of ns, got ${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t} (${value})`);
  }
  if (!Number.isSafeInteger(tNs) || tNs < 0) throw new Error(`trace time must be a non-negative integer of ns, got ${tNs}`);
  const us = Math.floor(tNs / 1000);
  const frac = tNs - us * 1000;
  if (frac === 0) return String(us);
  let f = String(frac).padStart(3, '0');
  while (f.endsWith('0')) f = f.slice(0, -1);
  return `${us}.${f}`;
}

/**
 * The first two lines of a trace, each ending with `\n`: the magic comment and the header
 * `t_us,task,op,addr,len,flags,object,offset` followed by `extraCols` (each must start with `x_`).
 */
export function formatHeader(extraCols: readonly string[] = [], comments: readonly string[] = []): string {
  checkExtraCols(extraCols);
  for (const c of comments) if (/[\r\n]/.test(c)) throw new Error(`a trace comment is one line (got ${JSON.stringify(c)})`);
  return `${TRACE_MAGIC_LINE}\n${comments.map((c) => `# ${c}\n`).join('')}${[...TRACE_COLUMNS, ...extraCols.map(csvField)].join(',')}\n`;
}

/**
 * The header of a trace a syncsim command writes whole (a file of `-o`, or standard output):
 * {@link formatHeader} with the line that says it ends with a stamp ({@link STAMPED_LINE}) as
 * its last comment. The writer then ends the trace with its stamp line (traces/trace-stamp.ts).
 */
export function stampedHeader(extraCols: readonly string[] = [], comments: readonly string[] = []): string {
  return formatHeader(extraCols, [...comments, STAMPED_LINE.replace(/^# /, '')]);
}

/** A row that {@link formatRow} cannot write: `column` is the trace column at fault (`t_us`, `addr`, ...). */
export class RowFieldError extends Error {
  constructor(readonly column: string, message: string) {
    super(message);
    this.name = 'RowFieldError';
  }
}

/** {@link formatTimeUs} of a row's time, a problem blamed on its `t_us`. */
function rowTime(tNs: number): string {
  try {
    return formatTimeUs(tNs);
  } catch (e) {
    throw new RowFieldError('t_us', (e as Error).message);
  }
}

/**
 * One row as a CSV line ending with `\n`, in the column order of {@link formatHeader} with the
 * same `extraCols` (values from `row.extra`, empty when absent). `addr` is written as lower-case
 * `0x` hex, `len` and `offset` in decimal, flags by canonical name; `object` and `offset` only for
 * `map` rows. Throws an `Error` for a row the reader would reject (except time order, which
 * {@link TraceWriter} checks).
 */
export function formatRow(row: TraceRow | RowInput, extraCols: readonly string[] = []): string {
  const { op, addr, len } = row;
  if (!OPS.has(op)) throw new RowFieldError('op', `unknown trace op '${op}'`);
  const t = rowTime(row.tNs);
  const task = row.task === undefined || row.task === '' ? '0' : row.task;
  // a name is text: a number or null would pass the pattern as its text ('5', 'null') and name another task than meant
  if (typeof task !== 'string') throw new RowFieldError('task', `bad trace task ${String(task)}: expected a string (a name), not ${kindOf(task)}`);
  if (!TASK_RE.test(task)) throw new RowFieldError('task', `bad trace task '${task}': expected a token of [A-Za-z0-9_.-]`);
  if (typeof addr !== 'number') throw new RowFieldError('addr', `bad trace address ${String(addr)}: expected a number, not ${kindOf(addr)}`);
  if (!Number.isSafeInteger(addr) || addr < 0) throw new RowFieldError('addr', `bad trace address ${addr}: expected a whole number from 0 to 2^53 - 1`);
  if (typeof len !== 'number') throw new RowFieldError('len', `bad trace length ${String(len)}: expected a number, not ${kindOf(len)}`);
  if (!Number.isSafeInteger(len) || len < 0 || addr + len >= ADDR_LIMIT) throw new RowFieldError('len', `bad trace length ${len} (addr ${addr})`);
  const flags = row.flags ?? 0;
  if (!Number.isInteger(flags) || flags < 0) throw new RowFieldError('flags', `bad trace flags ${String(flags)}: expected a bit set (a whole number >= 0)`);
  if ((flags & ~FLAGS_BY_OP[op]) !== 0 || (flags & ADVICE_FLAGS) === ADVICE_FLAGS) {
    throw new RowFieldError('flags', `trace flags ${flagsToString(flags) || flags} not valid for op '${op}'`);
  }
  let object = '';
  let offset = '';
  if (op === 'map') {
    if (!row.object) throw new RowFieldError('object', "a 'map' trace row needs an object");
    if (typeof row.object !== 'string') throw new RowFieldError('object', `bad trace object ${String(row.object)}: expected a string (a name), not ${kindOf(row.object)}`);
    const off = row.offset ?? 0;
    if (typeof off !== 'number') throw new RowFieldError('offset', `bad trace offset ${String(off)}: expected a number, not ${kindOf(off)}`);
    if (!Number.isSafeInteger(off) || off < 0) throw new RowFieldError('offset', `bad trace offset ${off}`);
    object = csvField(row.object);
    offset = String(off);
  } else if (row.object) {
    throw new RowFieldError('object', `object is only valid for op 'map', got op '${op}'`);
  } else if (row.offset !== undefined && row.offset !== 0) {
    throw new RowFieldError('offset', `offset is only valid for op 'map', got op '${op}'`);
  }
  let line = `${t},${task},${op},0x${addr.toString(16)},${len},${flagsToString(flags)},${object},${offset}`;
  if (extraCols.length > 0) {
    const extra = row.extra;
    for (const c of extraCols) line += `,${csvField(extra?.[c] ?? '')}`;
  }
  return `${line}\n`;
}

export interface TraceWriterOptions {
  /** `x_*` columns to write after the standard ones (values from `row.extra`). */
  extraCols?: readonly string[];
  /** Comment lines (without the `#`) written after the magic line: provenance, one line each. */
  comments?: readonly string[];
  /**
   * The command's check of `path` (throws when what is there may not be replaced), made again
   * by `close()` before the trace takes its place, so that a file made there while the trace was
   * written is never replaced unchecked ({@link placeFile}).
   */
  mayReplace?: () => void;
}

/**
 * Removes the temporary files of writers of `path` that died before they renamed (a `gen -o`
 * killed mid-way): `path.tmp-PID@HOST` of this host whose process no longer runs, holding what
 * such a writer writes (the trace's magic line, or gzip data when `path` ends with `.gz`; or
 * nothing yet). Any other file, another host's, or a live writer's is left alone.
 */
function clearDeadWriters(path: string): void {
  const dir = dirname(path), prefix = `${basename(path)}.tmp-`, host = `@${hostname()}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the writer's own open reports a missing directory
  }
  const gz = path.endsWith('.gz');
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(host)) continue;
    const pidText = name.slice(prefix.length, name.length - host.length);
    const pid = Number(pidText);
    if (!/^\d+$/.test(pidText) || pid === process.pid || processAlive(pid)) continue;
    const head = readHead(join(dir, name), TRACE_MAGIC_LINE.length);
    if (head === undefined) continue;
    const ours = head.length === 0 || (gz ? startsGzip(head) : head.toString('utf8') === TRACE_MAGIC_LINE);
    if (ours) rmSync(join(dir, name), { force: true });
  }
}

/** Bytes buffered before a write to the stream. */
const CHUNK = 1 << 16;

/**
 * Streams a trace to `path`: `await TraceWriter.open(path)`, `await w.write(row)` per row (in
 * non-decreasing time), `await w.close()`. Data goes to `path.tmp-PID@HOST`, renamed to `path` when
 * `close()` has flushed everything; `abort()` (or any failure in `close()`) removes the temporary
 * file. Gzip-compressed when `path` ends with `.gz`.
 */
export class TraceWriter {
  readonly path: string;
  readonly tmpPath: string;
  private readonly extraCols: readonly string[];
  private readonly sink: Writable;
  private readonly file: WriteStream;
  private readonly done: Promise<void>;
  private error: unknown = undefined;
  private buf = '';
  private lastNs = 0;
  private count = 0;
  private state: 'open' | 'closed' | 'aborted' = 'open';
  /** The running digest of what was written, for the stamp line that ends the trace. */
  private readonly stamp = new TraceStamper();

  private constructor(path: string, extraCols: readonly string[], comments: readonly string[], private readonly mayReplace?: () => void) {
    // the header first: a comment it refuses (one of several lines) leaves no temporary file behind (user trial h202)
    this.buf = stampedHeader(extraCols, comments);
    this.path = path;
    this.tmpPath = TraceWriter.tmpPathOf(path);
    this.extraCols = extraCols;
    this.file = createWriteStream(this.tmpPath);
    let done: Promise<void>;
    if (path.endsWith('.gz')) {
      const gz = createGzip();
      this.sink = gz;
      done = pipeline(gz, this.file);
    } else {
      this.sink = this.file;
      done = finished(this.file);
    }
    // Keep the first stream error for write()/close(); never an unhandled rejection.
    this.done = done.then(
      () => undefined,
      (err: unknown) => {
        this.error ??= err;
      },
    );
  }

  /** Create the temporary file and write the header. */
  /** Where a writer of `path` in this process writes before it renames: `path.tmp-PID@HOST` (the host: a shared file system's writers on other hosts are told apart). */
  static tmpPathOf(path: string): string {
    return `${path}.tmp-${process.pid}@${hostname()}`;
  }

  static async open(path: string, opts: TraceWriterOptions = {}): Promise<TraceWriter> {
    const extraCols = [...(opts.extraCols ?? [])];
    checkExtraCols(extraCols);
    clearDeadWriters(path);
    const w = new TraceWriter(path, extraCols, opts.comments ?? [], opts.mayReplace);
    try {
      await once(w.file, 'ready');
    } catch (err) {
      await w.abort();
      throw err;
    }
    return w;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.count;
  }

  /** Append a row; waits when the stream is full. Rows must come in non-decreasing time. */
  async write(row: TraceRow | RowInput): Promise<void> {
    if (this.state !== 'open') throw new Error(`trace writer for ${this.path} is ${this.state}`);
    if (this.error !== undefined) throw this.error;
    if (row.tNs < this.lastNs) throw new Error(`trace time goes backwards: ${row.tNs} ns after ${this.lastNs} ns`);
    this.buf += formatRow(row, this.extraCols);
    this.lastNs = row.tNs;
    this.count++;
    if (this.buf.length >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buf === '') return;
    const s = this.buf;
    this.buf = '';
    this.stamp.update(s);
    if (!this.sink.write(s)) await once(this.sink, 'drain');
  }

  /** Flush, finish the file and rename it to `path`. On failure the temporary file is removed. */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new Error(`trace writer for ${this.path} is ${this.state}`);
    try {
      if (this.error !== undefined) throw this.error;
      await this.flush();
      this.sink.end(this.stamp.line()); // the last line: the digest of every byte before it (traces/trace-stamp.ts)
      await this.done;
      if (this.error !== undefined) throw this.error;
      placeFile(this.tmpPath, this.path, this.mayReplace);
      this.state = 'closed';
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Give up: destroy the streams and remove the temporary file. Idempotent. */
  async abort(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'aborted';
    this.sink.destroy();
    this.file.destroy();
    await this.done;
    await fsp.rm(this.tmpPath, { force: true });
  }
}
