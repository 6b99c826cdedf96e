/**
 * Streaming statistics of a native trace (`syncsim inspect`): rows, duration, tasks, ops by
 * kind and flags, footprint (distinct pages), bytes written, write rate over time and the
 * largest msync ranges, in memory that does not grow with the trace:
 *
 * - footprint: a {@link DistinctPageCounter} — exact (chunked bitmaps) while the pages fall in at
 *   most `exactChunks` blocks of 4096 pages (per task), then a HyperLogLog of 2^14 registers
 *   (16 KiB, relative standard error 1.04/√16384 ≈ 0.81 %);
 * - write rate: {@link RateBuckets}, at most `maxBuckets` fixed-width time buckets, merged pairwise
 *   (width doubled) whenever the trace outgrows them;
 * - largest msyncs: a {@link TopK} heap of `topK` entries;
 * - tasks: exact row counts for the first `maxTasks` tasks, then an estimate of the count.
 */
import { readTrace } from './reader.ts';
import { plural } from './plural.ts';
import { isCacheFile, readCache } from './cache.ts';
import { OP_NAMES, flagsToString, type OpName, type TraceRow } from './types.ts';
import { escapeControl } from './escape.ts';
import { DistinctPageCounter, HyperLogLog, RateBuckets, TopK, hashString } from './sketches.ts';
import type { ByteTap } from './byte-tap.ts';

// ---------------------------------------------------------------------------------------------
// The report

/** Options of {@link TraceStats}; every field has a default. */
export interface InspectOptions {
  /** Page size for the footprint (default 4096). */
  pageSize?: number;
  /** Largest msync ranges listed (default 10). */
  topK?: number;
  /** Most write-rate buckets (even, from 2 to MAX_RATE_BUCKETS of sketches.ts, a million; default 1024). */
  maxBuckets?: number;
  /** Initial bucket width in µs (default 1; doubled as the trace grows). */
  initialBucketUs?: number;
  /** Bitmap chunks of 4096 pages kept before the footprint turns to HyperLogLog (default 16384). */
  exactChunks?: number;
  /** Tasks whose rows are counted one by one (default 1024). */
  maxTasks?: number;
}

/** One of the largest msyncs. */
export interface MsyncEntry {
  t_us: number;
  task: string;
  /** `0x` hex. */
  addr: string;
  len: number;
  flags: string;
  line: number;
}

/** What `syncsim inspect --json` prints. */
export interface InspectReport {
  trace: string;
  rows: number;
  /** First and last row times and their difference, µs (null times for an empty trace). */
  time_us: { first: number | null; last: number | null; duration: number };
  /** `rows`: rows per task (the first `maxTasks` tasks); `other_rows`: rows of the others. */
  tasks: { count: number; exact: boolean; rows: Record<string, number>; other_rows: number };
  /** Per op: rows, the sum of `len`, rows per flag combination (`''` for none). */
  ops: Record<OpName, { count: number; bytes: number; flags: Record<string, number> }>;
  /** Distinct pages touched by writes and reads, and by writes only. */
  footprint: {
    page_size: number; pages: number; bytes: number; written_pages: number; written_bytes: number;
    exact: boolean; method: 'bitmap' | 'hyperloglog'; relative_standard_error: number;
  };
  written: { writes: number; bytes: number };
  /** Buckets of `bucket_us` from `start_us`: writes, bytes, bytes per second over `span_us` (the part of the bucket the trace covers: all of it but in the last), msyncs. */
  write_rate: { start_us: number | null; bucket_us: number; buckets: { t_us: number; span_us: number; writes: number; bytes: number; bytes_per_s: number; msyncs: number }[] };
  /** The largest msync ranges, largest first (ties: earliest line first). */
  largest_msyncs: MsyncEntry[];
}

const betterMsync = (a: TraceRow, b: TraceRow): boolean => a.len > b.len || (a.len === b.len && a.line < b.line);

/** Accumulates the statistics of a trace, row by row, in bounded memory. */
export class TraceStats {
  private readonly ps: number;
  private readonly maxTasks: number;
  private rows = 0;
  private firstNs = -1;
  private lastNs = -1;
  private readonly taskIds = new Map<string, number>();
  private readonly taskRows = new Map<string, number>();
  private otherRows = 0;
  /** Some task got a hashed footprint id (ids may collide: the footprint is no longer exact). */
  private hashedTasks = false;
  private readonly taskHll = new HyperLogLog();
  private readonly hs = new Uint32Array(2);
  private readonly ops = new Map<OpName, { count: number; bytes: number; flags: Map<number, number> }>();
  private readonly pages: DistinctPageCounter;
  private readonly written: DistinctPageCounter;
  private writes = 0;
  private writtenBytes = 0;
  private readonly rate: RateBuckets;
  private readonly top: TopK<TraceRow>;

  constructor(opts: InspectOptions = {}) {
    this.ps = opts.pageSize ?? 4096;
    if (!Number.isInteger(this.ps) || this.ps <= 0) throw new RangeError(`pageSize must be a positive integer, got ${this.ps}`);
    this.maxTasks = opts.maxTasks ?? 1024;
    this.pages = new DistinctPageCounter(opts.exactChunks);
    this.written = new DistinctPageCounter(opts.exactChunks);
    this.rate = new RateBuckets(opts.maxBuckets ?? 1024, Math.round((opts.initialBucketUs ?? 1) * 1000));
    this.top = new TopK<TraceRow>(opts.topK ?? 10, betterMsync);
    for (const op of OP_NAMES) this.ops.set(op, { count: 0, bytes: 0, flags: new Map() });
  }

  /** The footprint id of a task: its order of appearance for the first `maxTasks`, else a hash. */
  private taskId(task: string): number {
    const id = this.taskIds.get(task);
    if (id !== undefined) return id;
    if (this.taskIds.size < this.maxTasks) {
      const n = this.taskIds.size;
      this.taskIds.set(task, n);
      return n;
    }
    this.hashedTasks = true;
    hashString(task, this.hs);
    return this.maxTasks + (this.hs[0]! >>> 8);
  }

  /** Counts one row (rows in file order). */
  add(r: TraceRow): void {
    this.rows++;
    if (this.firstNs < 0) this.firstNs = r.tNs;
    this.lastNs = r.tNs;
    hashString(r.task, this.hs);
    this.taskHll.add(this.hs[0]!, this.hs[1]!);
    const tr = this.taskRows.get(r.task);
    if (tr !== undefined) this.taskRows.set(r.task, tr + 1);
    else if (this.taskRows.size < this.maxTasks) this.taskRows.set(r.task, 1);
    else this.otherRows++;

    const o = this.ops.get(r.op)!;
    o.count++;
    o.bytes += r.len;
    o.flags.set(r.flags, (o.flags.get(r.flags) ?? 0) + 1);

    if (r.op === 'write' || r.op === 'read') {
      const first = Math.floor(r.addr / this.ps);
      const end = r.len > 0 ? Math.ceil((r.addr + r.len) / this.ps) : first;
      const id = this.taskId(r.task);
      this.pages.addRange(id, first, end);
      if (r.op === 'write') {
        this.written.addRange(id, first, end);
        this.writes++;
        this.writtenBytes += r.len;
      }
    } else if (r.op === 'msync') {
      this.top.push(r);
    }
    this.rate.add(r.tNs, r.op, r.len);
  }

  /** The report for a trace at `path`. */
  report(path: string): InspectReport {
    const us = (ns: number): number => ns / 1000;
    const exactTasks = this.taskRows.size < this.maxTasks || this.otherRows === 0;
    const ops = {} as InspectReport['ops'];
    for (const [op, o] of this.ops) {
      const flags: Record<string, number> = {};
      for (const [bits, n] of [...o.flags].sort((a, b) => a[0] - b[0])) flags[flagsToString(bits)] = n;
      ops[op] = { count: o.count, bytes: o.bytes, flags };
    }
    const widthNs = this.rate.bucketNs;
    return {
      trace: path,
      rows: this.rows,
      time_us: {
        first: this.rows > 0 ? us(this.firstNs) : null,
        last: this.rows > 0 ? us(this.lastNs) : null,
        duration: this.rows > 0 ? us(this.lastNs - this.firstNs) : 0,
      },
      tasks: {
        count: exactTasks ? this.taskRows.size : Math.max(this.taskRows.size, Math.round(this.taskHll.estimate())),
        exact: exactTasks,
        rows: Object.fromEntries(this.taskRows),
        other_rows: this.otherRows,
      },
      ops,
      footprint: {
        page_size: this.ps,
        pages: this.pages.count(),
        bytes: this.pages.count() * this.ps,
        written_pages: this.written.count(),
        written_bytes: this.written.count() * this.ps,
        exact: this.pages.exact && this.written.exact && !this.hashedTasks,
        method: this.pages.exact && this.written.exact ? 'bitmap' : 'hyperloglog',
        relative_standard_error: Math.max(this.pages.relativeStandardError, this.written.relativeStandardError),
      },
      written: { writes: this.writes, bytes: this.writtenBytes },
      write_rate: {
        start_us: this.rows > 0 ? us(this.rate.firstNs) : null,
        bucket_us: us(widthNs),
        // the rate over the part of each bucket the trace covers: the last bucket ends with the trace, not with its width
        buckets: this.rate.buckets().map((b) => {
          const spanNs = coveredNs(b.startNs, widthNs, this.lastNs);
          return { t_us: us(b.startNs), span_us: us(spanNs), writes: b.writes, bytes: b.bytes, bytes_per_s: (b.bytes * 1e9) / spanNs, msyncs: b.msyncs };
        }),
      },
      largest_msyncs: this.top.sorted().map((r) => ({
        t_us: us(r.tNs), task: r.task, addr: `0x${r.addr.toString(16)}`, len: r.len, flags: flagsToString(r.flags), line: r.line,
      })),
    };
  }
}

/**
 * The part (ns) of the bucket from `startNs`, `widthNs` wide, that a trace ending at `lastNs`
 * covers: the whole width but in the last bucket, which ends with the trace (at least 1 µs, so
 * that a bucket holding only the last instant has a rate).
 */
function coveredNs(startNs: number, widthNs: number, lastNs: number): number {
  return Math.min(widthNs, Math.max(1000, lastNs - startNs));
}

/** What {@link inspectTrace} tells of how far its read is (`syncsim inspect`'s progress). */
export interface InspectWatch {
  /** Sees the file's bytes as they are read (compressed, as in the file, for a gzip trace). */
  tap?: ByteTap;
  /** Told the rows read so far, after each batch. */
  rows?: (rows: number) => void;
}

/**
 * Reads a native trace or a binary trace cache of one (streamed) and returns its statistics;
 * `watch` is told how far the read is. Malformed traces throw a TraceError, damaged caches a
 * CacheError.
 */
export async function inspectTrace(path: string, opts: InspectOptions = {}, watch: InspectWatch = {}): Promise<InspectReport> {
  const stats = new TraceStats(opts);
  const { tap } = watch;
  let rows = 0;
  for await (const batch of isCacheFile(path) ? readCache(path, true, tap) : readTrace(path, { tap })) {
    for (const r of batch) stats.add(r);
    rows += batch.length;
    watch.rows?.(rows);
  }
  return stats.report(path);
}

// ---------------------------------------------------------------------------------------------
// The table

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/\.?0+$/, '');
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Most lines of the write-rate section of the table when no `--buckets` is given (buckets are grouped to fit). */
export const RATE_LINES = 12;

/** Most lines of the write-rate section when `--buckets` is given: a line per bucket up to this, grouped to fit beyond. */
export const RATE_TABLE_MAX = 256;

/**
 * How the table shows `buckets` write-rate buckets: `group` of them to a line, at most {@link RATE_LINES} lines, or
 * with `asked` (`--buckets`) a line each, at most {@link RATE_TABLE_MAX} (`capped` when that groups them).
 */
export function rateGrouping(buckets: number, asked?: number): { group: number; lines: number; capped: boolean } {
  const group = Math.max(1, Math.ceil(buckets / (asked === undefined ? RATE_LINES : RATE_TABLE_MAX)));
  return { group, lines: Math.ceil(buckets / group), capped: asked !== undefined && group > 1 };
}

/**
 * The report as a readable table (what `syncsim inspect` prints without `--json`); `asked`, the `--buckets` given:
 * the write rate a line per bucket (else grouped into a few lines).
 */
export function inspectTable(r: InspectReport, asked?: number): string {
  const lines: [string, string][] = [];
  const t = r.time_us;
  lines.push(['trace', `${escapeControl(r.trace)} (${plural(r.rows, 'row')})`]);
  lines.push(['time (µs)', t.first === null ? '-' : `${num(t.first)} .. ${num(t.last!)}, duration ${num(t.duration)} (${(t.duration / 1e6).toFixed(3)} s)`]);
  const tasks = Object.entries(r.tasks.rows).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = tasks.slice(0, 8).map(([k, n]) => `${k} ${n}`).join(', ');
  lines.push(['tasks', `${r.tasks.exact ? '' : '≈'}${r.tasks.count}${shown ? `: ${shown}` : ''}${tasks.length > 8 || r.tasks.other_rows > 0 ? ', ...' : ''}`]);
  for (const op of OP_NAMES) {
    const o = r.ops[op];
    if (o.count === 0) continue;
    const flags = Object.entries(o.flags).map(([f, n]) => `${f === '' ? '(none)' : f} ${n}`).join(', ');
    lines.push([`  ${op}`, `${plural(o.count, 'row')}, ${bytes(o.bytes)}; flags: ${flags}`]);
  }
  const f = r.footprint;
  const how = f.exact ? 'exact' : `≈ HyperLogLog, relative standard error ${(f.relative_standard_error * 100).toFixed(2)} %`;
  lines.push(['footprint', `${plural(f.pages, 'page')} (${bytes(f.bytes)}) written or read, ${plural(f.written_pages, 'page')} (${bytes(f.written_bytes)}) written, counted per task (a page two tasks touch counts twice); ${f.page_size}-byte pages, ${how}`]);
  lines.push(['written', `${bytes(r.written.bytes)} in ${plural(r.written.writes, 'write')}`]);
  const w = Math.max(...lines.map(([k]) => k.length));
  const text = lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`);

  const b = r.write_rate.buckets;
  if (b.length > 0) {
    const { group, lines: n } = rateGrouping(b.length, asked);
    const span = r.write_rate.bucket_us * group;
    text.push('', `write rate (${n} bucket${n === 1 ? '' : 's'} of ${num(span)} µs)`);
    const rows: string[][] = [['t_us from', 'writes', 'bytes', 'MiB/s', 'msyncs']];
    for (let i = 0; i < b.length; i += group) {
      const g = b.slice(i, i + group);
      const sum = (k: 'writes' | 'bytes' | 'msyncs' | 'span_us'): number => g.reduce((a, x) => a + x[k], 0);
      rows.push([num(g[0]!.t_us), String(sum('writes')), String(sum('bytes')), ((sum('bytes') / (sum('span_us') / 1e6)) / 1048576).toFixed(3), String(sum('msyncs'))]);
    }
    text.push(...alignColumns(rows));
  }
  if (r.largest_msyncs.length > 0) {
    text.push('', `largest msyncs`);
    const rows: string[][] = [['len', 'addr', 'flags', 'task', 't_us', 'line']];
    for (const m of r.largest_msyncs) rows.push([String(m.len), m.addr, m.flags || '(none)', m.task, num(m.t_us), String(m.line)]);
    text.push(...alignColumns(rows));
  }
  return text.join('\n');
}

/** Rows of cells as lines with columns padded to a common width (first column left-aligned). */
function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => '  ' + r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '));
}
