/**
 * The shim's per-process logs merged into one log ordered by timestamp, in
 * memory that does not grow with their length: a recording of millions of
 * msyncs has a log of gigabytes, more than one string (or the heap) holds.
 * The lines are sorted in runs of at most `runLines`, each written to a
 * temporary file, and the runs merged; a recording short enough for one
 * run is sorted in memory and written at once.
 */
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { writeAll } from '../../traces/files.ts';

/** What a merge wrote. */
export interface MergedLogs {
  /** Logs merged (one per process). */
  files: number;
  /** Lines written (those with a timestamp: a line cut by a crash is dropped). */
  lines: number;
  /** Lines other than the shim's program-start markers: the calls it saw. */
  calls: number;
}

/** Lines sorted in memory at a time: about 100 MB of a shim log. */
const RUN_LINES = 1 << 19;

/** The shim's marker of a program's start, no call of the program's. */
const START_MARKER = ' execve("?", [], []) = 0 ';

/** One line of a log: its timestamp, which log and which line of it (ties keep the logs' order, then their own). */
interface LogLine {
  s: number;
  ns: number;
  file: number;
  at: number;
  text: string;
}

/** Whether `a` comes before `b` in the merged log. */
const before = (a: LogLine, b: LogLine) => a.s - b.s || a.ns - b.ns || a.file - b.file || a.at - b.at;

/** `PID SEC.NSEC` at the start of a log line: seconds and nanoseconds, or undefined. */
function lineTime(line: string): [number, number] | undefined {
  const m = /^\d+ (\d+)\.(\d{1,9})\s/.exec(line);
  return m ? [Number(m[1]), Number(m[2]!.padEnd(9, '0'))] : undefined;
}

/** Reads a file's lines (split at `\n` only, as the log is written) in chunks. */
class LineReader {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(1 << 20);
  private readonly decoder = new StringDecoder('utf8');
  private pending: string[] = [];
  private rest = '';
  private eof = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  /** The next line, or undefined at the end (the last line is given even without its `\n`). */
  next(): string | undefined {
    while (this.pending.length === 0) {
      if (this.eof) return undefined;
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      if (n === 0) {
        this.eof = true;
        closeSync(this.fd);
        const last = this.rest + this.decoder.end();
        this.rest = '';
        if (last !== '') this.pending.push(last);
      } else {
        const parts = (this.rest + this.decoder.write(this.buf.subarray(0, n))).split('\n');
        this.rest = parts.pop()!;
        this.pending = parts.reverse();
      }
    }
    return this.pending.pop();
  }

  /** Stops reading before the end. */
  close(): void {
    if (!this.eof) closeSync(this.fd);
    this.eof = true;
  }
}

/** Writes text to a file in large pieces. */
class ChunkWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 22) this.flush();
  }

  private flush(): void {
    // all of it, or an error: a short write (a full disk, a file size limit) is not a merged log
    if (this.parts.length > 0) writeAll(this.fd, Buffer.from(this.parts.join('')), this.path);
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** A binary min-heap of the runs' current lines. */
class LineHeap {
  private readonly a: { line: LogLine; run: number }[] = [];

  get size(): number {
    return this.a.length;
  }

  push(x: { line: LogLine; run: number }): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (before(a[p]!.line, a[i]!.line) <= 0) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  pop(): { line: LogLine; run: number } {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!.line, a[m]!.line) < 0) m = l;
        if (r < a.length && before(a[r]!.line, a[m]!.line) < 0) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** A line of a run file, `FILE AT TEXT`, back as a {@link LogLine}. */
function runLine(text: string): LogLine {
  const a = text.indexOf(' '), b = text.indexOf(' ', a + 1);
  const line = text.slice(b + 1);
  const [s, ns] = lineTime(line)!;
  return { s, ns, file: Number(text.slice(0, a)), at: Number(text.slice(a + 1, b)), text: line };
}

/** How {@link mergeLogFiles} merges. */
export interface MergeOptions {
  /** Lines sorted in memory at a time (default about 100 MB of a shim log). */
  runLines?: number;
  /**
   * Remove each log once it has been read (the caller's own scratch files): the scratch
   * space then peaks at about twice the log (the runs, then the merged log), not three times.
   */
  removeRead?: boolean;
}

/**
 * Merges the logs `paths` (in this order for ties) into `out`, ordered by their lines'
 * timestamps; equal times keep their order (a log's own order first, then the logs' order).
 * A line without a timestamp (cut by a crash) is dropped. Sorted runs of more than one
 * go to temporary files in `tmpDir`, removed before it returns.
 */
export function mergeLogFiles(paths: readonly string[], out: string, tmpDir: string, opts: MergeOptions = {}): MergedLogs {
  const runLines = opts.runLines ?? RUN_LINES;
  const runs: string[] = [];
  const readers: LineReader[] = [];
  let batch: LogLine[] = [];
  const writeRun = () => {
    batch.sort(before);
    const path = join(tmpDir, `merge-run-${runs.length}`);
    const w = new ChunkWriter(path);
    for (const l of batch) w.write(`${l.file} ${l.at} ${l.text}\n`);
    w.close();
    runs.push(path);
    batch = [];
  };
  try {
    paths.forEach((path, file) => {
      const r = new LineReader(path);
      try {
        for (let at = 0, text = r.next(); text !== undefined; at++, text = r.next()) {
          const t = lineTime(text);
          if (!t) continue;
          batch.push({ s: t[0], ns: t[1], file, at, text });
          if (batch.length >= runLines) writeRun();
        }
      } finally {
        r.close();
      }
      if (opts.removeRead) rmSync(path, { force: true });
    });
    const result: MergedLogs = { files: paths.length, lines: 0, calls: 0 };
    const w = new ChunkWriter(out);
    const put = (l: LogLine) => {
      w.write(l.text + '\n');
      result.lines++;
      if (!l.text.includes(START_MARKER)) result.calls++;
    };
    if (runs.length === 0) {
      batch.sort(before).forEach(put);
    } else {
      if (batch.length > 0) writeRun();
      for (const p of runs) readers.push(new LineReader(p));
      const heap = new LineHeap();
      const refill = (run: number) => {
        const text = readers[run]!.next();
        if (text !== undefined) heap.push({ line: runLine(text), run });
      };
      readers.forEach((_, run) => refill(run));
      while (heap.size > 0) {
        const { line, run } = heap.pop();
        put(line);
        refill(run);
      }
    }
    w.close();
    return result;
  } finally {
    for (const r of readers) r.close();
    for (const p of runs) rmSync(p, { force: true });
  }
}
