/**
 * The native trace reader's fast pass: reads the file's bytes, splits its
 * simple lines itself (simple-lines.ts) and writes the fields of ordinary
 * rows straight into the columns of a block, parsed from the bytes — no
 * string, array or object per row. A row it is not sure of (a `map`, flags,
 * a value out of the ordinary) goes through the reader's string path
 * (ReadState.record), which checks everything.
 *
 * It stops at the first thing it does not handle — a line that is not
 * simple, a chunk that is not clean UTF-8, a record the string path rejects,
 * a read error — and says how many CSV records it took: the reader then lets
 * csv-parse read the file from its start, skipping those records, so every
 * error, and every row after a line with quotes, is exactly what csv-parse
 * and the checks make of it.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import { ADDR_LIMIT, OP_NAMES, type RowBlock } from './types.ts';
import { FlagsParser, isTaskTokenBytes, opIndexBytes, parseTimeNsBytes, parseUintBytes } from './fields.ts';
import { bomLength, FieldSpans, fieldText, LineKind, recordOf, scanLine } from './simple-lines.ts';
import { isCleanText } from './utf8.ts';
import { isBlankRecord } from './line-framing.ts';
import { OP_INDEX } from './block-builder.ts';
import type { ReadState } from './read-state.ts';
import { tapStream, type ByteTap } from './byte-tap.ts';

const MAP = OP_INDEX.map;

/** One fast pass over a trace file. */
export class FastPass {
  /** Whether the pass read the whole file (else the reader goes on with csv-parse). */
  complete = false;
  /** CSV records taken (header, blank-line records and rows), as csv-parse would count them. */
  records = 0;
  private readonly streams: Readable[] = [];
  /** The file, when it is read without a stream (not gzip). */
  private file: FileHandle | null = null;
  private readonly spans = new FieldSpans();
  /** Lines scanned. */
  private line = 0;
  /** Blocks filled, to yield. */
  private readonly ready: RowBlock[] = [];
  private readonly flagsParser = new FlagsParser();
  /** The last task token and its name, to intern without decoding it again. */
  private lastTask = new Uint8Array(16);
  private lastTaskLen = -1;
  private lastTaskName = '';

  /** `tap` sees the file's bytes as they are read. */
  constructor(private readonly path: string, private readonly gz: boolean, private readonly st: ReadState, private readonly chunkBytes = 1 << 20, private readonly tap?: ByteTap) {}

  /** Closes the file. */
  close(): void {
    for (const s of this.streams) s.destroy();
    if (this.file !== null) {
      void this.file.close().catch(() => {});
      this.file = null;
    }
  }

  /**
   * The file's bytes, chunk by chunk: a gzip file through a read stream and
   * gunzip; a plain one read into one buffer that every chunk reuses (each
   * chunk is done with before the next read; the one thing kept of it, the
   * last row's time as written, is decoded first), so the pass allocates no
   * buffer per chunk and its memory stays the same however long the file.
   */
  private async *chunks(): AsyncGenerator<Buffer> {
    const tap = this.tap;
    tap?.restart();
    if (this.gz) {
      const source = createReadStream(this.path, { highWaterMark: this.chunkBytes });
      const gunzip = createGunzip({ chunkSize: Math.max(64, Math.min(this.chunkBytes, 1 << 18)) });
      this.streams.push(source, gunzip);
      pipeline(source, gunzip, () => {});
      if (tap) tapStream(source, tap);
      yield* gunzip as AsyncIterable<Buffer>;
      return;
    }
    const fh = (this.file = await open(this.path, 'r'));
    const buf = Buffer.allocUnsafe(this.chunkBytes);
    for (let at = 0; ;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      tap?.seen(buf.subarray(0, bytesRead), at);
      at += bytesRead;
      yield buf.subarray(0, bytesRead);
      // the checker keeps the last row's time as bytes of the chunk: decode them before the next read overwrites it
      this.st.checker?.prevTime();
    }
  }

  /** Yields each block as it fills; returns at the end of the file or where csv-parse must take over. */
  async *blocks(): AsyncGenerator<RowBlock> {
    let carry: Buffer | null = null;
    let first = true;
    const ready = this.ready;
    try {
      for await (const chunk of this.chunks()) {
        let pos = 0;
        let ok = true;
        if (first) {
          if (chunk.length < 3) return; // too short to know about a byte order mark
          pos = bomLength(chunk);
          first = false;
        } else if (carry !== null) {
          // the line cut by the previous chunk's end, alone (copying the chunk behind it would cost more than the rest)
          const nl = chunk.indexOf(10);
          if (nl < 0) {
            carry = Buffer.concat([carry, chunk]);
            continue;
          }
          const head = Buffer.concat([carry, chunk.subarray(0, nl + 1)]);
          carry = null;
          ok = this.scan(head, 0, head.length, false);
          pos = nl + 1;
        }
        const end = ok ? chunk.lastIndexOf(10) + 1 : 0;
        if (ok && end > pos) ok = this.scan(chunk, pos, end, false);
        while (ready.length > 0) yield ready.shift()!;
        if (!ok) return;
        if (end < chunk.length) carry = Buffer.from(chunk.subarray(Math.max(pos, end)));
      }
      if (first) return; // an empty file: csv-parse says so
      const ok = carry === null || this.scan(carry, 0, carry.length, true);
      while (ready.length > 0) yield ready.shift()!;
      if (!ok || this.st.cols === null) return; // no header: csv-parse reports it
      this.complete = true;
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) throw e; // a bug, not the file
      // a read error (or corrupt gzip data): csv-parse meets it too, and reports it
    } finally {
      this.close();
    }
  }

  /**
   * Takes the lines of `buf[pos..end)` (whole lines; `last`: the last one may lack its LF),
   * full blocks going to {@link ready}; false where csv-parse must take over.
   */
  private scan(buf: Buffer, pos: number, end: number, last: boolean): boolean {
    if (!isCleanText(buf.subarray(pos, end))) return false;
    const spans = this.spans;
    const st = this.st;
    while (pos < end) {
      const next = scanLine(buf, pos, end, last, spans);
      if (next < 0) return false;
      this.line++;
      if (spans.kind === LineKind.Record) {
        if (!this.take(buf, this.line)) return false;
        this.records++;
        if (st.builder?.full) this.ready.push(st.builder.take()!);
      }
      pos = next;
    }
    return true;
  }

  /** Takes the record just scanned from `buf`, ending at line `line`; false to give it to csv-parse. */
  private take(buf: Buffer, line: number): boolean {
    const st = this.st;
    const cols = st.cols;
    if (cols === null || this.spans.count !== cols.count) {
      const rec = recordOf(buf, this.spans);
      if (isBlankRecord(rec)) return true;
      if (cols !== null) return false;
      try {
        st.header(rec, line);
      } catch {
        return false;
      }
      return true;
    }
    if (this.row(buf, line)) return true;
    // the string path: a row it accepts is as the checks make it; one it rejects goes to csv-parse
    const rec = recordOf(buf, this.spans);
    const checker = st.checker!;
    const saved = checker.save();
    try {
      st.record(rec, line, false);
    } catch {
      checker.restore(saved);
      return false;
    }
    return true;
  }

  /** Adds the row just scanned when it is an ordinary one, parsed from the bytes; false when unsure. */
  private row(buf: Buffer, line: number): boolean {
    const st = this.st;
    const c = st.cols!;
    const at = this.spans.at;
    const b = st.builder!;
    const checker = st.checker!;

    const ts = at[c.t]!, te = at[c.t + 1]! - 1;
    const tNs = parseTimeNsBytes(buf, ts, te);
    if (!(tNs <= Number.MAX_SAFE_INTEGER) || tNs < checker.prevNs) return false;
    const op = opIndexBytes(buf, at[c.op]!, at[c.op + 1]! - 1);
    if (op < 0 || op === MAP) return false;

    let task = '0';
    if (c.task >= 0) {
      const s = at[c.task]!, e = at[c.task + 1]! - 1;
      if (s !== e) {
        if (!isTaskTokenBytes(buf, s, e)) return false;
        task = this.taskName(buf, s, e);
      }
    }

    const addr = parseUintBytes(buf, at[c.addr]!, at[c.addr + 1]! - 1);
    const len = parseUintBytes(buf, at[c.len]!, at[c.len + 1]! - 1);
    if (!(addr < ADDR_LIMIT) || !(len < ADDR_LIMIT) || !(addr + len < ADDR_LIMIT)) return false;

    let flags = 0;
    if (c.flags >= 0) {
      const s = at[c.flags]!, e = at[c.flags + 1]! - 1;
      if (s !== e) {
        try {
          flags = this.flagsParser.parse(buf.toString('latin1', s, e), OP_NAMES[op]!, c.flags);
        } catch {
          return false;
        }
      }
    }
    if (c.object >= 0 && at[c.object] !== at[c.object + 1]! - 1) return false;
    if (c.offset >= 0) {
      const s = at[c.offset]!, e = at[c.offset + 1]! - 1;
      if (s !== e && parseUintBytes(buf, s, e) !== 0) return false;
    }

    const i = b.n;
    const nExtra = c.extraIdx.length;
    if (nExtra > 0) {
      const vals: string[] = new Array(nExtra);
      for (let x = 0; x < nExtra; x++) vals[x] = fieldText(buf, this.spans, c.extraIdx[x]!);
      b.setExtras(vals);
    }
    b.tNs[i] = tNs; b.addr[i] = addr; b.len[i] = len; b.offset[i] = 0; b.line[i] = line; // no quoted field before: csv-parse's line is the file's
    b.flags[i] = flags; b.op[i] = op; b.object[i] = 0;
    b.task[i] = b.taskIndex(task);
    b.commit();
    checker.passed(tNs, buf, ts, te);
    st.lastLine = line;
    return true;
  }

  /** The task token `buf[s..e)` (checked) as a string, the last one's when the bytes are the same. */
  private taskName(buf: Buffer, s: number, e: number): string {
    const n = e - s;
    const last = this.lastTask;
    if (n === this.lastTaskLen) {
      let j = 0;
      while (j < n && last[j] === buf[s + j]) j++;
      if (j === n) return this.lastTaskName;
    }
    const name = buf.toString('latin1', s, e);
    if (n <= last.length) {
      buf.copy(last, 0, s, e);
      this.lastTaskLen = n;
      this.lastTaskName = name;
    } else this.lastTaskLen = -1;
    return name;
  }
}
