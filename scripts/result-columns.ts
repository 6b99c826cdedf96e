/**
 * The per-record result files as columns of numbers: a record is packed into
 * one row of a Float64Array (its strings as ids into the file's table of
 * strings), and the row is printed as CSV later, in the same thread or in the
 * result writer thread (scripts/result-thread.ts). Packing is a few stores;
 * printing is where the time goes, so it can run beside the simulation.
 */
import { flagsToString } from '../traces/types.ts';
import { COMMA, NUM_MAX, putNum, putUs, type CsvFile } from './csv-file.ts';
import type { ReadRecord, SyncRecord, TimelineRecord, WireRecord, WritebackRecord } from '../sim/stats/records.ts';
import type { DurabilityRecord } from '../sim/stats/durability.ts';

/** Column headers of the result CSVs. */
export const SYNCS_HEADER = 'task,t_issue_us,t_done_us,latency_us,addr,len,flags,pages_written,bytes_written,result';
export const WRITEBACK_HEADER = 't_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause';
export const READS_HEADER = 't_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause,ok';
export const TIMELINE_HEADER = 't_us,dirty_pages,writeback_pages,wired_pages,resident_pages,queue_depth,dirty_pages_max,writeback_pages_max,wired_pages_max,resident_pages_max,queue_depth_max';
export const DURABILITY_HEADER = 't_us,pages,lag_mean_us,lag_max_us,via_write,via_flush,via_manager,pending_pages';
export const WIRES_HEADER = 'task,t_issue_us,t_done_us,latency_us,op,addr,len,flags,result,pages';
/** The ops of wires.csv by the number a packed record holds. */
const WIRE_OPS = ['wire', 'unwire'] as const;

/** One result file: its name, header, numbers per record, and how a packed record prints. */
export interface ColumnFile {
  name: string;
  header: string;
  width: number;
  /** Prints the record at `d[o..o+width)`, its strings looked up in `s`. */
  print(csv: CsvFile, d: Float64Array, o: number, s: readonly string[]): void;
}

/**
 * An I/O record (writeback.csv, reads.csv): times, object id, offset, pages, bytes, cause id[, ok].
 * The numbers on each side of the object's name are written with one reservation each (putUs,
 * putNum: the text of CsvFile.us and num).
 */
function printIo(csv: CsvFile, d: Float64Array, o: number, s: readonly string[]): CsvFile {
  let p = csv.reserve(3 * (NUM_MAX + 1));
  let b = csv.bytes;
  p = putUs(b, p, d[o]!); b[p++] = COMMA;
  p = putUs(b, p, d[o + 1]!); b[p++] = COMMA;
  p = putUs(b, p, d[o + 2]!); b[p++] = COMMA;
  csv.advance(p);
  csv.field(s[d[o + 3]!]!);
  p = csv.reserve(3 * (NUM_MAX + 1) + 1);
  b = csv.bytes;
  b[p++] = COMMA;
  p = putNum(b, p, d[o + 4]!); b[p++] = COMMA;
  p = putNum(b, p, d[o + 5]!); b[p++] = COMMA;
  p = putNum(b, p, d[o + 6]!); b[p++] = COMMA;
  csv.advance(p);
  return csv.text(s[d[o + 7]!]!);
}

/** A record of numbers only: its first number as µs when `usAt` has bit 0 set, its second when bit 1, and so on; then the end of the row. */
function printNumbers(csv: CsvFile, d: Float64Array, o: number, width: number, usAt: number): void {
  let p = csv.reserve(width * (NUM_MAX + 1));
  const b = csv.bytes;
  for (let i = 0; i < width; i++) {
    if (i > 0) b[p++] = COMMA;
    p = (usAt >> i) & 1 ? putUs(b, p, d[o + i]!) : putNum(b, p, d[o + i]!);
  }
  csv.advance(p);
  csv.end();
}

/** The six files, in the order of {@link FILE}. */
export const COLUMN_FILES: readonly ColumnFile[] = [
  {
    name: 'syncs.csv', header: SYNCS_HEADER, width: 9,
    // task id, issue, done, addr, len, flags, pages written, bytes written, result id
    print: (c, d, o, s) => {
      c.text(s[d[o]!]!).comma().us(d[o + 1]!).comma().us(d[o + 2]!).comma().us(d[o + 2]! - d[o + 1]!).comma().hex(d[o + 3]!).comma()
        .num(d[o + 4]!).comma().text(flagsToString(d[o + 5]!)).comma().num(d[o + 6]!).comma().num(d[o + 7]!).comma().text(s[d[o + 8]!]!).end();
    },
  },
  { name: 'writeback.csv', header: WRITEBACK_HEADER, width: 8, print: (c, d, o, s) => printIo(c, d, o, s).end() },
  { name: 'reads.csv', header: READS_HEADER, width: 9, print: (c, d, o, s) => printIo(c, d, o, s).comma().text(d[o + 8] ? 'true' : 'false').end() },
  {
    name: 'timeline.csv', header: TIMELINE_HEADER, width: 11,
    // t_us, then the counts at t_us, then their most over the row's interval
    print: (c, d, o) => printNumbers(c, d, o, 11, 0b1),
  },
  {
    name: 'durability.csv', header: DURABILITY_HEADER, width: 8,
    // t_us, pages, lag_mean_us, lag_max_us, then counts
    print: (c, d, o) => printNumbers(c, d, o, 8, 0b1101),
  },
  {
    name: 'wires.csv', header: WIRES_HEADER, width: 9,
    // task id, issue, done, op (0 wire, 1 unwire), addr, len, flags, result id, pages
    print: (c, d, o, s) => {
      c.text(s[d[o]!]!).comma().us(d[o + 1]!).comma().us(d[o + 2]!).comma().us(d[o + 2]! - d[o + 1]!).comma().text(WIRE_OPS[d[o + 3]!]!).comma()
        .hex(d[o + 4]!).comma().num(d[o + 5]!).comma().text(flagsToString(d[o + 6]!)).comma().text(s[d[o + 7]!]!).comma().num(d[o + 8]!).end();
    },
  },
];

// What each file's numbers are: the pack functions below write them in the order its print reads them.

/** Packs a syncs.csv record into `b`; true when `b` is then full. */
export function packSync(b: ColumnBatch, r: SyncRecord): boolean {
  const d = b.data, o = b.next();
  d[o] = b.id(r.task, 0); d[o + 1] = r.tIssueNs; d[o + 2] = r.tDoneNs; d[o + 3] = r.addr; d[o + 4] = r.len;
  d[o + 5] = r.flags; d[o + 6] = r.pagesWritten; d[o + 7] = r.bytesWritten; d[o + 8] = b.id(r.result, 1);
  return b.full;
}

/** Packs a wires.csv record into `b`; true when `b` is then full. */
export function packWire(b: ColumnBatch, r: WireRecord): boolean {
  const d = b.data, o = b.next();
  d[o] = b.id(r.task, 0); d[o + 1] = r.tIssueNs; d[o + 2] = r.tDoneNs; d[o + 3] = r.op === 'wire' ? 0 : 1;
  d[o + 4] = r.addr; d[o + 5] = r.len; d[o + 6] = r.flags; d[o + 7] = b.id(r.result, 1); d[o + 8] = r.pages;
  return b.full;
}

/** Packs a writeback.csv or reads.csv record (`ok` only read back for reads.csv) into `b`; true when `b` is then full. */
export function packIo(b: ColumnBatch, r: WritebackRecord | ReadRecord): boolean {
  const d = b.data, o = b.next();
  d[o] = r.tSubmitNs; d[o + 1] = r.tStartNs; d[o + 2] = r.tDoneNs; d[o + 3] = b.id(r.object, 0);
  d[o + 4] = r.offset; d[o + 5] = r.pages; d[o + 6] = r.bytes; d[o + 7] = b.id(r.cause, 1);
  if (b.file.width > 8) d[o + 8] = r.ok ? 1 : 0;
  return b.full;
}

/** Packs a timeline.csv record into `b`; true when `b` is then full. */
export function packTimeline(b: ColumnBatch, r: TimelineRecord): boolean {
  const d = b.data, o = b.next();
  d[o] = r.tNs; d[o + 1] = r.dirtyPages; d[o + 2] = r.writebackPages; d[o + 3] = r.wiredPages; d[o + 4] = r.residentPages; d[o + 5] = r.queueDepth;
  d[o + 6] = r.dirtyPagesMax; d[o + 7] = r.writebackPagesMax; d[o + 8] = r.wiredPagesMax; d[o + 9] = r.residentPagesMax; d[o + 10] = r.queueDepthMax;
  return b.full;
}

/** Packs a durability.csv record (its mean lag rounded to the ns) into `b`; true when `b` is then full. */
export function packDurability(b: ColumnBatch, r: DurabilityRecord): boolean {
  const d = b.data, o = b.next();
  d[o] = r.tNs; d[o + 1] = r.pages; d[o + 2] = Math.round(r.lagSumNs / r.pages); d[o + 3] = r.lagMaxNs;
  d[o + 4] = r.viaWrite; d[o + 5] = r.viaFlush; d[o + 6] = r.viaManager; d[o + 7] = r.pendingPages;
  return b.full;
}

/** Index of each file in {@link COLUMN_FILES}. */
export const FILE = { syncs: 0, writeback: 1, reads: 2, timeline: 3, durability: 4, wires: 5 } as const;

/** Records per batch: a batch is printed, or sent to the writer thread, when full. */
export const BATCH_ROWS = 8192;

/**
 * A new array for one batch of `width`-number records, over a SharedArrayBuffer: it goes to the
 * writer thread and back shared, never transferred, because transferring an ArrayBuffer detaches
 * it, and the first detached buffer in a process makes V8 throw away the optimized code of every
 * function that reads a typed array (the simulator's hot path with it) and compile it again with a
 * check for detached buffers on every access.
 */
export function batchArray(width: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(BATCH_ROWS * width * Float64Array.BYTES_PER_ELEMENT));
}

/**
 * Records of one file waiting to be printed, packed, and the file's table of
 * strings (each string gets an id the first time it is seen).
 */
export class ColumnBatch {
  data: Float64Array;
  /** Records packed. */
  n = 0;
  /** Every string seen, by id. */
  readonly strings: string[] = [];
  /** How many of {@link strings} the writer thread has been sent. */
  sentStrings = 0;
  private readonly ids = new Map<string, number>();
  /** The string last looked up in each of two columns, and its id (-1: none yet): rows repeat their strings column by column. */
  private readonly lastString = ['', ''];
  private readonly lastId = [-1, -1];

  constructor(readonly file: ColumnFile) {
    this.data = batchArray(file.width);
  }

  /** The id of `s` in this file's table; `col` (0 or 1): which of the record's string columns it is. */
  id(s: string, col: 0 | 1): number {
    const last = this.lastId[col]!;
    if (last >= 0 && s === this.lastString[col]) return last;
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, i);
    }
    this.lastString[col] = s;
    this.lastId[col] = i;
    return i;
  }

  /** Offset of a new record's first number; the caller fills `width` numbers from there. */
  next(): number {
    return this.n++ * this.file.width;
  }

  get full(): boolean {
    return this.n === BATCH_ROWS;
  }

  /** Empties the batch: returns the array of its packed records ({@link n} of them, read before) and takes `fresh` (default a new array) in its place. */
  take(fresh: Float64Array = batchArray(this.file.width)): Float64Array {
    const d = this.data;
    this.data = fresh;
    this.n = 0;
    return d;
  }

  /** Prints the packed records to `csv` and empties the batch. */
  printTo(csv: CsvFile): void {
    printRows(this.file, csv, this.data, this.n, this.strings);
    this.n = 0;
  }
}

/** Prints the first `n` records packed in `d` as rows of `file`, their strings looked up in `strings`. */
export function printRows(file: ColumnFile, csv: CsvFile, d: Float64Array, n: number, strings: readonly string[]): void {
  const { width, print } = file;
  for (let i = 0, o = 0; i < n; i++, o += width) print(csv, d, o, strings);
}
