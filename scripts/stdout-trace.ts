/**
 * A trace written to standard output (`syncsim gen` and `syncsim import` without `-o`): its rows
 * streamed as CSV with backpressure ({@link StdoutSink}), and the line that ends it when it is
 * cut short, by an error or an interrupt ({@link INCOMPLETE_MARK}): one field where a row has
 * eight or more, so that a file a shell redirected the output into is refused at that line by
 * every reader of traces rather than replayed as a whole trace.
 */
import { writeSync } from 'node:fs';
import { turn } from '../traces/turn.ts';
import { formatRow, stampedHeader, type RowInput } from '../traces/writer.ts';
import { cleanupOnInterrupt } from './interrupt.ts';
import { INCOMPLETE_MARK, TraceStamper } from '../traces/trace-stamp.ts';

/** How the last line of a trace written to standard output that was cut short begins (traces/trace-stamp.ts: such a trace is replaced as an unstamped one). */
export { INCOMPLETE_MARK };

/** Whether each of standard output and standard error is a terminal (`isTTY`), as {@link quietBesideTrace} asks. */
export interface TerminalFlags {
  stdout: { isTTY?: boolean };
  stderr: { isTTY?: boolean };
}

/**
 * Whether a command writing its trace to standard output shows no progress: when `quiet`
 * (`--quiet`), or when standard output is a terminal as standard error is, so that the rows go to
 * the screen the progress line would be drawn on, among them. Progress stays when the trace goes
 * to a file or a pipe (`> trace.csv`, `| gzip`) or standard error does (`2> log`).
 */
export function quietBesideTrace(quiet: boolean | undefined, streams: TerminalFlags = process): boolean {
  return quiet === true || (streams.stdout.isTTY === true && streams.stderr.isTTY === true);
}

/** Bytes of CSV buffered before a write to standard output. */
const CHUNK = 1 << 16;

/** The line that ends a trace cut short, `why` (without the commas, quotes and line breaks that would make it a row or more) saying by what. */
export function incompleteLine(why: string): string {
  return `${INCOMPLETE_MARK} ${why.replace(/[,\r\n"]/g, ' ')}; this trace is cut short\n`;
}

/**
 * While the returned function is not called, Ctrl-C or kill (SIGINT, SIGTERM, SIGHUP) ends what
 * was written to standard output with `INCOMPLETE: syncsim COMMAND was interrupted; this trace is
 * cut short` on a line of its own (whatever was cut), then exits as {@link cleanupOnInterrupt}
 * does, saying on standard error that the rows end with that line (or, when standard output is
 * gone, that nothing more was written).
 */
export function markStdoutOnInterrupt(command: string): () => void {
  return cleanupOnInterrupt(() => {
    try {
      writeSync(1, `\n${incompleteLine(`syncsim ${command} was interrupted`)}`);
      return 'the rows written to standard output end with an INCOMPLETE line';
    } catch {
      return 'nothing more written'; // standard output is gone: nothing was kept to mistake for a whole trace
    }
  });
}

/**
 * Standard output as a sink of trace rows, with backpressure; stops quietly when the reader goes
 * away (EPIPE: `closed` is then true and the rows are dropped). After each chunk it lets the
 * event loop turn, so that a signal is handled even while standard output (a file, a pipe on
 * Linux) takes every write at once.
 */
export class StdoutSink {
  private buf: string;
  private lastNs = 0;
  private broken = false;
  /** The running digest of what was written, for the stamp line a whole trace ends with (the bytes `-o FILE` would write); `sealed` once stamped or cut short. */
  private readonly stamp = new TraceStamper();
  private sealed = false;

  private readonly onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') this.broken = true;
  };

  constructor(private readonly extraCols: readonly string[], comments: readonly string[] = []) {
    this.buf = stampedHeader(extraCols, comments);
    process.stdout.on('error', this.onError);
  }

  /** Whether the reader has gone away. */
  get closed(): boolean {
    return this.broken;
  }

  /**
   * Appends a row (rows come in non-decreasing time). Returns a promise to await before the next
   * row when a chunk went out, else undefined: most rows cost no promise.
   */
  write(row: RowInput): Promise<void> | undefined {
    if (row.tNs < this.lastNs) throw new Error(`trace time goes backwards: ${row.tNs} ns after ${this.lastNs} ns`);
    this.lastNs = row.tNs;
    this.buf += formatRow(row, this.extraCols);
    return this.buf.length >= CHUNK ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    if (this.buf === '' || this.broken) return;
    const s = this.buf;
    this.buf = '';
    if (!this.sealed) this.stamp.update(s);
    if (process.stdout.write(s)) {
      await turn();
      return;
    }
    // Wait for the pipe to drain, or for it to break (then the write is dropped and `closed` is set).
    await new Promise<void>((done) => {
      const end = () => {
        process.stdout.off('drain', end);
        process.stdout.off('error', end);
        done();
      };
      process.stdout.on('drain', end);
      process.stdout.on('error', end);
    });
  }

  /** Writes what is buffered and, for a whole trace, its stamp line; the sink is done. */
  async close(): Promise<void> {
    try {
      await this.flush();
      if (!this.sealed) {
        this.sealed = true; // the stamp is written once, and nothing after it is digested
        this.buf = this.stamp.line();
        await this.flush();
      }
    } finally {
      process.stdout.off('error', this.onError);
    }
  }

  /**
   * The rows so far, then the INCOMPLETE line ({@link incompleteLine}) quoting `why`, so that
   * what was written cannot be taken for a whole trace: a reader of it stops there.
   */
  async abort(why: string): Promise<void> {
    this.sealed = true; // no stamp: the INCOMPLETE line ends it
    this.buf += incompleteLine(why);
    await this.close();
  }
}
