/**
 * Result files of a run: syncs.csv, writeback.csv, reads.csv, timeline.csv
 * and summary.json, written into a temporary directory beside the target and
 * renamed into place only when the run succeeded, so a crash or a bad trace
 * never leaves half files and never touches an existing results directory.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StagingDir } from '../traces/files.ts';
import type { TaskRecord } from '../sim/stats/tasks.ts';
import type { DurabilityRecord } from '../sim/stats/durability.ts';
import type { ReadRecord, ResultSink, SyncRecord, TimelineRecord, WritebackRecord } from '../sim/stats/records.ts';
import { BATCH_ROWS, COLUMN_FILES, ColumnBatch, FILE, packDurability, packIo, packSync, packTimeline } from './result-columns.ts';
import { ResultThread } from './result-thread.ts';
import { OutDirError } from '../traces/out-dir.ts';

/** Formats integer ns as µs (exact decimal, no float noise). */
export function nsToUsText(ns: number): string {
  return String(ns / 1000);
}

const COMMA = 44, NEWLINE = 10, ZERO = 48, QUOTE = 34;
const HEX = '0123456789abcdef';
/** Above this, numbers are written through `String` (integers and µs below it are written digit by digit). */
const DIGITS_MAX = 1e15;
/** The two ASCII digits of every number 0..99. */
const PAIRS = new Uint8Array(200);
for (let v = 0; v < 100; v++) {
  PAIRS[2 * v] = ZERO + ((v / 10) | 0);
  PAIRS[2 * v + 1] = ZERO + (v % 10);
}
/** ".ddd" for every fraction 1..999 of a µs (in thousandths), trailing zeros dropped: 4 bytes a slot, and its length. */
const FRAC_TEXT = new Uint8Array(4 * 1000);
const FRAC_LEN = new Uint8Array(1000);
for (let f = 1; f < 1000; f++) {
  const t = ('.' + String(f).padStart(3, '0')).replace(/0+$/, '');
  for (let i = 0; i < t.length; i++) FRAC_TEXT[4 * f + i] = t.charCodeAt(i);
  FRAC_LEN[f] = t.length;
}

/**
 * A CSV file written through one reused byte buffer: each field is encoded
 * into the buffer in place, so writing a row makes no garbage. The text is
 * exactly what `String()` gives for each number.
 */
export class CsvFile {
  private fd: number;
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  /** The last string written by `field` and whether it needed quotes (object names repeat row after row). */
  private lastField = '';
  private lastPlain = true;

  /** Creates `path` (replacing it) and writes `header` as its first line. */
  constructor(path: string, header: string);
  /** Writes to the open file `fd` from where it stands (see {@link adopt}). */
  constructor(fd: number);
  constructor(target: string | number, header?: string) {
    this.fd = typeof target === 'number' ? target : openSync(target, 'w');
    if (header !== undefined) this.text(header).end();
  }

  /** A CsvFile that goes on writing the open file `fd`, which another CsvFile flushed and handed over. */
  static adopt(fd: number): CsvFile {
    return new CsvFile(fd);
  }

  /** The file descriptor written to. */
  get descriptor(): number {
    return this.fd;
  }

  /** Makes room for `n` more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  /** A string, as is (UTF-8). */
  text(s: string): this {
    this.room(3 * s.length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.pos += buf.write(s, this.pos, 'utf8');
        return this;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
    return this;
  }

  /** A string as a CSV field: quoted when it holds a comma, quote or line break. */
  field(s: string): this {
    if (s !== this.lastField) {
      this.lastField = s;
      this.lastPlain = !/[",\n\r]/.test(s);
    }
    if (this.lastPlain) return this.text(s);
    this.room(1);
    this.buf[this.pos++] = QUOTE;
    this.text(s.replace(/"/g, '""'));
    this.room(1);
    this.buf[this.pos++] = QUOTE;
    return this;
  }

  /** A number: integers in [0, 10^15) digit by digit, anything else as `String(n)`. */
  num(n: number): this {
    if (!(n >= 0 && n < DIGITS_MAX && Number.isInteger(n))) return this.text(String(n));
    this.room(16);
    this.digits(n);
    return this;
  }

  /** Integer ns as µs: the same text as {@link nsToUsText}. */
  us(ns: number): this {
    if (!(ns >= 0 && ns < DIGITS_MAX && Number.isInteger(ns))) return this.text(nsToUsText(ns));
    this.room(20);
    const whole = Math.floor(ns / 1000);
    const frac = ns - whole * 1000;
    this.digits(whole);
    if (frac !== 0) {
      // ".ddd" with trailing zeros dropped, from the table
      const len = FRAC_LEN[frac], buf = this.buf, at = 4 * frac;
      for (let i = 0; i < len; i++) buf[this.pos + i] = FRAC_TEXT[at + i];
      this.pos += len;
    }
    return this;
  }

  /** A non-negative integer in hexadecimal with a 0x prefix. */
  hex(n: number): this {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) return this.text(`0x${n.toString(16)}`);
    this.room(16);
    const buf = this.buf;
    buf[this.pos++] = ZERO;
    buf[this.pos++] = 120; // x
    let len = 1;
    for (let t = n; t >= 16; t = Math.floor(t / 16)) len++;
    for (let i = len - 1; i >= 0; i--) {
      const q = Math.floor(n / 16);
      buf[this.pos + i] = HEX.charCodeAt(n - q * 16);
      n = q;
    }
    this.pos += len;
    return this;
  }

  /** A field separator. */
  comma(): this {
    this.room(1);
    this.buf[this.pos++] = COMMA;
    return this;
  }

  /** The end of a row. */
  end(): void {
    this.room(1);
    this.buf[this.pos++] = NEWLINE;
  }

  /** Decimal digits of an integer in [0, 10^15); the caller made room. */
  private digits(n: number): void {
    const buf = this.buf;
    if (n < 2147483648) {
      // small integers: 32-bit arithmetic, two digits at a time from a table
      const len = n < 100000 ? (n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : n < 10000 ? 4 : 5)
        : n < 10000000 ? (n < 1000000 ? 6 : 7) : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
      let i = this.pos + len;
      while (n >= 100) {
        const q = (n / 100) | 0, r = 2 * (n - q * 100);
        buf[--i] = PAIRS[r + 1];
        buf[--i] = PAIRS[r];
        n = q;
      }
      if (n >= 10) {
        buf[--i] = PAIRS[2 * n + 1];
        buf[--i] = PAIRS[2 * n];
      } else buf[--i] = ZERO + n;
      this.pos += len;
      return;
    }
    let len = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
    for (let i = len - 1; i >= 0; i--) {
      const q = Math.floor(n / 10);
      buf[this.pos + i] = ZERO + n - q * 10;
      n = q;
    }
    this.pos += len;
  }

  /** Writes the buffered bytes to the file. */
  flush(): void {
    if (this.pos === 0) return;
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  /** Writes what is buffered and closes the file (once: later calls do nothing). */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    this.discard();
  }

  /**
   * Closes the file without writing what is buffered, ignoring errors (a failed run); does nothing
   * once closed. The descriptor is forgotten, so it is never closed twice: the number may by then
   * belong to another file of the process.
   */
  discard(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.pos = 0;
    try {
      closeSync(fd);
    } catch {
      /* broken already */
    }
  }
}

export { SYNCS_HEADER, WRITEBACK_HEADER, READS_HEADER, TIMELINE_HEADER, DURABILITY_HEADER } from './result-columns.ts';
export const TASKS_HEADER = 'task,ops,msyncs,lag_end_us,max_lag_us,blocked_us';

/**
 * A system error met while writing the result files (a full disk, a read-only file system), as
 * the one-line error the CLI reports with exit code 2; anything else as it is.
 */
function writeFailure(out: string, e: unknown): unknown {
  if (e instanceof OutDirError || typeof (e as NodeJS.ErrnoException)?.code !== 'string') return e;
  return new OutDirError(`--out ${out}: cannot write the results (${(e as Error).message}); nothing was kept there`);
}

/** Records packed before the writer thread is started: a small run prints everything itself. */
const THREAD_AFTER_RECORDS = 3 * BATCH_ROWS;

/**
 * The results directory being written: a sink for the simulator plus the final
 * commit. Records are packed into batches of numbers (scripts/result-columns.ts)
 * and printed when a batch fills: in this thread at first, and, once a run has
 * made {@link THREAD_AFTER_RECORDS} records and a writer thread module is given,
 * in that thread (scripts/result-thread.ts) beside the simulation. The files
 * are the same byte for byte either way.
 */
export class ResultsDir implements ResultSink {
  private readonly stage: StagingDir;
  /** The open files, in COLUMN_FILES order: printed to here until the thread takes them. */
  private readonly csv: CsvFile[];
  private readonly batch: ColumnBatch[];
  private thread?: ResultThread;
  /** The thread has the files. */
  private threaded = false;
  private packed = 0;
  private closed = false;
  /** Each record is copied out during its call and none is kept. */
  readonly transientRecords = true;

  /** `writer`: the writer thread's module (scripts/worker-module.ts), or undefined to print every record in this thread. */
  constructor(readonly out: string, private readonly writer?: URL) {
    this.stage = new StagingDir(out, 'run');
    const opened: CsvFile[] = [];
    try {
      for (const f of COLUMN_FILES) opened.push(new CsvFile(join(this.stage.path, f.name), f.header));
    } catch (e) {
      for (const c of opened) c.discard();
      this.stage.abort();
      throw writeFailure(out, e);
    }
    this.csv = opened;
    this.batch = COLUMN_FILES.map((f) => new ColumnBatch(f));
  }

  /** Whether the writer thread took the files (the run made enough records and was given the thread's module). */
  get threadUsed(): boolean {
    return this.threaded;
  }

  durability(r: DurabilityRecord): void {
    if (packDurability(this.batch[FILE.durability]!, r)) this.ship(FILE.durability);
  }

  sync(r: SyncRecord): void {
    if (packSync(this.batch[FILE.syncs]!, r)) this.ship(FILE.syncs);
  }

  writeback(r: WritebackRecord): void {
    if (packIo(this.batch[FILE.writeback]!, r)) this.ship(FILE.writeback);
  }

  read(r: ReadRecord): void {
    if (packIo(this.batch[FILE.reads]!, r)) this.ship(FILE.reads);
  }

  timeline(r: TimelineRecord): void {
    if (packTimeline(this.batch[FILE.timeline]!, r)) this.ship(FILE.timeline);
  }

  /** Prints batch `file`, or sends it to the writer thread; starts the thread, or hands it the files, when it is time. */
  private ship(file: number): void {
    const b = this.batch[file]!;
    if (b.n === 0) return;
    try {
      this.print(file, b);
    } catch (e) {
      throw writeFailure(this.out, e);
    }
  }

  private print(file: number, b: ColumnBatch): void {
    if (!this.threaded && this.writer) {
      this.packed += b.n;
      if (!this.thread) {
        if (this.packed >= THREAD_AFTER_RECORDS) this.thread = new ResultThread(this.writer);
      } else if (this.thread.ready) {
        for (const c of this.csv) c.flush();
        this.thread.adopt(this.csv.map((c) => c.descriptor));
        this.threaded = true;
      }
    }
    if (this.threaded) this.thread!.send(file, b);
    else b.printTo(this.csv[file]!);
  }

  /** Prints (or sends) the records packed so far and writes them to disk (in this thread: the thread writes as it prints). */
  flush(): void {
    for (let f = 0; f < this.batch.length; f++) this.ship(f);
    try {
      if (!this.threaded) for (const c of this.csv) c.flush();
    } catch (e) {
      throw writeFailure(this.out, e);
    }
  }

  /** Prints what is left, waits for the writer thread, and closes the files; on a failure, see {@link release}. */
  private closeFiles(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (let f = 0; f < this.batch.length; f++) this.ship(f);
      this.thread?.close(this.threaded);
      for (const c of this.csv) c.close();
    } catch (e) {
      this.release();
      throw writeFailure(this.out, e);
    }
  }

  /**
   * Stops the writer thread and closes the files without writing anything more: at once, or,
   * when the thread has them, once it has stopped (it may be writing to them, and a closed
   * descriptor could be reused by another file meanwhile).
   */
  private release(): void {
    const closeAll = () => {
      for (const c of this.csv) c.discard();
    };
    const stopped = this.thread?.terminate();
    if (stopped && this.threaded) void stopped.then(closeAll, closeAll);
    else closeAll();
  }

  /** Writes tasks.csv: one row per task (closed replay's lag, time blocked). */
  writeTasks(records: readonly TaskRecord[]): void {
    let f: CsvFile | undefined;
    try {
      f = new CsvFile(join(this.stage.path, 'tasks.csv'), TASKS_HEADER);
      for (const r of records) f.text(r.task).comma().num(r.ops).comma().num(r.msyncs).comma().us(r.lagEndNs).comma().us(r.maxLagNs).comma().us(r.blockedNs).end();
      f.close();
    } catch (e) {
      f?.discard();
      throw writeFailure(this.out, e);
    }
  }

  /** Writes summary.json and moves the directory into place (replacing an older one). */
  commit(summaryJson: string): void {
    this.closeFiles();
    try {
      writeFileSync(join(this.stage.path, 'summary.json'), summaryJson);
    } catch (e) {
      throw writeFailure(this.out, e);
    }
    this.stage.commit();
  }

  /** Removes the temporary directory (the run failed). */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      this.release();
    }
    this.stage.abort();
  }
}
