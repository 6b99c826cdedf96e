/**
 * Progress of a sweep on standard error: on a terminal a bar redrawn in place
 * (`[#####-----] 12/40 30%  1 failed  ETA 1m02s`), otherwise a plain line every
 * `intervalMs` and one at the end, so logs (Slurm output files, CI) stay readable.
 * The lines are scripts/progress.ts's, as every command's progress.
 */
import { formatDuration, ProgressLine, type ProgressStream } from '../progress.ts';

export { formatDuration, type ProgressStream };

/** Options of a {@link Progress}. */
export interface ProgressOptions {
  /** Runs in the sweep (or the shard). */
  total: number;
  /** Runs already finished before this sweep started (resumed). */
  already: number;
  stream: ProgressStream;
  /** Draw a bar (default: `stream.isTTY`). */
  tty?: boolean;
  /** Period of the plain lines, default 10 s. */
  intervalMs?: number;
  /** Word in front of every line, default `sweep`. */
  label?: string;
  /** No output at all (`--quiet`). */
  quiet?: boolean;
}

const BAR = 24;

/** Counts finished runs and reports them. */
export class Progress {
  private done: number;
  private failed = 0;
  private readonly line: ProgressLine;

  constructor(private readonly o: ProgressOptions) {
    this.done = o.already;
    this.line = new ProgressLine(
      { stream: o.stream, label: o.label ?? 'sweep', tty: o.tty, intervalMs: o.intervalMs, drawAtOnce: true, quiet: o.quiet },
      (s, tty) => (tty ? `${this.bar()} ${this.text(s)}` : this.text(s)),
    );
  }

  /** Runs finished so far (including those found done) and failed in this sweep. */
  get counts(): { done: number; failed: number } {
    return { done: this.done, failed: this.failed };
  }

  /** One more run finished (nothing once the progress is finished or cancelled). */
  tick(ok: boolean): void {
    if (this.line.isStopped) return;
    this.done++;
    if (!ok) this.failed++;
    this.line.refresh();
  }

  private eta(elapsedS: number): string {
    const fresh = this.done - this.o.already;
    const left = this.o.total - this.done;
    if (left === 0) return '0s';
    if (fresh === 0) return '?';
    return formatDuration((elapsedS * left) / fresh);
  }

  private text(elapsedS: number): string {
    const pct = this.o.total === 0 ? 100 : Math.floor((100 * this.done) / this.o.total);
    return `${this.done}/${this.o.total} runs ${pct}%, ${this.failed} failed, ETA ${this.eta(elapsedS)}`;
  }

  private bar(): string {
    const fill = this.o.total === 0 ? BAR : Math.round((BAR * this.done) / this.o.total);
    return `[${'#'.repeat(fill)}${'-'.repeat(BAR - fill)}]`;
  }

  /** Stops the periodic output and clears a drawn bar, writing nothing more: the sweep stopped on an error it reports itself. */
  cancel(): void {
    this.line.cancel();
  }

  /** Stops the periodic output and writes the final state, once (an interrupted sweep finishes it first). */
  finish(): void {
    this.line.finish(`${this.done}/${this.o.total} runs, ${this.failed} failed, ${formatDuration(this.line.elapsedS())}`, true);
  }
}
