/**
 * Result files of a run: syncs.csv, writeback.csv, reads.csv, timeline.csv
 * and summary.json, written into a temporary directory beside the target and
 * renamed into place only when the run succeeded, so a crash or a bad trace
 * never leaves half files and never touches an existing results directory.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StagingDir } from '../traces/files.ts';
import { flagsToString } from '../traces/types.ts';
import type { TaskRecord } from '../sim/stats/tasks.ts';
import type { DurabilityRecord } from '../sim/stats/durability.ts';
import type { ReadRecord, ResultSink, SyncRecord, TimelineRecord, WritebackRecord } from '../sim/stats/records.ts';

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

  constructor(path: string, header: string) {
    this.fd = openSync(path, 'w');
    this.text(header).end();
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

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Column headers of the result CSVs. */
export const SYNCS_HEADER = 'task,t_issue_us,t_done_us,latency_us,addr,len,flags,pages_written,bytes_written,result';
export const WRITEBACK_HEADER = 't_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause';
export const READS_HEADER = 't_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause,ok';
export const TIMELINE_HEADER = 't_us,dirty_pages,writeback_pages,wired_pages,resident_pages,queue_depth';
export const DURABILITY_HEADER = 't_us,pages,lag_mean_us,lag_max_us,via_write,via_flush,via_manager,pending_pages';
export const TASKS_HEADER = 'task,ops,msyncs,lag_end_us,max_lag_us,blocked_us';

/** The results directory being written: a sink for the simulator plus the final commit. */
export class ResultsDir implements ResultSink {
  private readonly stage: StagingDir;
  private syncs: CsvFile;
  private wb: CsvFile;
  private rd: CsvFile;
  private tl: CsvFile;
  private dur: CsvFile;
  private closed = false;
  /** Each record is written out during its call and none is kept. */
  readonly transientRecords = true;

  constructor(readonly out: string) {
    this.stage = new StagingDir(out, 'run');
    this.syncs = new CsvFile(join(this.stage.path, 'syncs.csv'), SYNCS_HEADER);
    this.wb = new CsvFile(join(this.stage.path, 'writeback.csv'), WRITEBACK_HEADER);
    this.rd = new CsvFile(join(this.stage.path, 'reads.csv'), READS_HEADER);
    this.tl = new CsvFile(join(this.stage.path, 'timeline.csv'), TIMELINE_HEADER);
    this.dur = new CsvFile(join(this.stage.path, 'durability.csv'), DURABILITY_HEADER);
  }

  durability(r: DurabilityRecord): void {
    this.dur.us(r.tNs).comma().num(r.pages).comma().us(Math.round(r.lagSumNs / r.pages)).comma().us(r.lagMaxNs).comma()
      .num(r.viaWrite).comma().num(r.viaFlush).comma().num(r.viaManager).comma().num(r.pendingPages).end();
  }

  sync(r: SyncRecord): void {
    this.syncs.text(r.task).comma().us(r.tIssueNs).comma().us(r.tDoneNs).comma().us(r.tDoneNs - r.tIssueNs).comma().hex(r.addr).comma()
      .num(r.len).comma().text(flagsToString(r.flags)).comma().num(r.pagesWritten).comma().num(r.bytesWritten).comma().text(r.result).end();
  }

  writeback(r: WritebackRecord): void {
    this.wb.us(r.tSubmitNs).comma().us(r.tStartNs).comma().us(r.tDoneNs).comma().field(r.object).comma()
      .num(r.offset).comma().num(r.pages).comma().num(r.bytes).comma().text(r.cause).end();
  }

  read(r: ReadRecord): void {
    this.rd.us(r.tSubmitNs).comma().us(r.tStartNs).comma().us(r.tDoneNs).comma().field(r.object).comma()
      .num(r.offset).comma().num(r.pages).comma().num(r.bytes).comma().text(r.cause).comma().text(r.ok ? 'true' : 'false').end();
  }

  timeline(r: TimelineRecord): void {
    this.tl.us(r.tNs).comma().num(r.dirtyPages).comma().num(r.writebackPages).comma().num(r.wiredPages).comma().num(r.residentPages).comma().num(r.queueDepth).end();
  }

  /** Writes buffered rows to disk. */
  flush(): void {
    this.syncs.flush();
    this.wb.flush();
    this.rd.flush();
    this.tl.flush();
    this.dur.flush();
  }

  private closeFiles(): void {
    if (this.closed) return;
    this.closed = true;
    this.syncs.close();
    this.wb.close();
    this.rd.close();
    this.tl.close();
    this.dur.close();
  }

  /** Writes tasks.csv: one row per task (closed replay's lag, time blocked). */
  writeTasks(records: readonly TaskRecord[]): void {
    const f = new CsvFile(join(this.stage.path, 'tasks.csv'), TASKS_HEADER);
    for (const r of records) f.text(r.task).comma().num(r.ops).comma().num(r.msyncs).comma().us(r.lagEndNs).comma().us(r.maxLagNs).comma().us(r.blockedNs).end();
    f.close();
  }

  /** Writes summary.json and moves the directory into place (replacing an older one). */
  commit(summaryJson: string): void {
    this.closeFiles();
    writeFileSync(join(this.stage.path, 'summary.json'), summaryJson);
    this.stage.commit();
  }

  /** Removes the temporary directory (the run failed). */
  abort(): void {
    try {
      this.closeFiles();
    } catch {
      /* already broken */
    }
    this.stage.abort();
  }
}
