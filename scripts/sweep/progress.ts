/**
 * Progress of a sweep on standard error: on a terminal a bar redrawn in place
 * (`[#####-----] 12/40 runs 31%, 1 failed, 2 under way (45% of their rows), ETA 1m02s`),
 * otherwise a plain line every `intervalMs` and one at the end, so logs (Slurm output files, CI)
 * stay readable. The share and the ETA count the rows the runs under way have replayed, so a
 * sweep of a few long runs moves before its first run ends; the traces still being generated or
 * cached are named. The lines are scripts/progress.ts's, as every command's progress.
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
  /** The share of its rows (0 to 1) each run under way has replayed, by run id. */
  private readonly underWay = new Map<string, number>();
  /** What is made before the runs, still under way (`generating 2 traces`), or ''. */
  private stageText = '';
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

  /** One more run finished (nothing once the progress is finished or cancelled); `id`: the run, no longer under way. */
  tick(ok: boolean, id?: string): void {
    if (id !== undefined) this.underWay.delete(id);
    if (this.line.isStopped) return;
    this.done++;
    if (!ok) this.failed++;
    this.line.refresh();
  }

  /** Run `id` has replayed `share` (0 to 1) of its trace's rows. */
  running(id: string, share: number): void {
    if (!this.line.isStopped && Number.isFinite(share)) this.underWay.set(id, Math.min(1, Math.max(0, share)));
  }

  /** What is being made before the runs (`generating 2 traces`), '' when nothing. */
  stage(text: string): void {
    this.stageText = text;
  }

  /** Runs done, counting each run under way as the share of its rows replayed. */
  private progressed(): number {
    let partial = 0;
    for (const f of this.underWay.values()) partial += f;
    return this.done + partial;
  }

  private eta(elapsedS: number, progressed: number): string {
    const fresh = progressed - this.o.already;
    const left = this.o.total - progressed;
    if (this.done === this.o.total) return '0s';
    if (fresh <= 0) return '?';
    return formatDuration((elapsedS * left) / fresh);
  }

  private text(elapsedS: number): string {
    const progressed = this.progressed();
    const pct = this.o.total === 0 ? 100 : Math.floor((100 * progressed) / this.o.total);
    const n = this.underWay.size;
    const shares = [...this.underWay.values()];
    const underWay = n === 0 ? '' : `, ${n} under way (${Math.floor((100 * shares.reduce((a, b) => a + b, 0)) / n)}% of ${n === 1 ? 'its' : 'their'} rows)`;
    const stage = this.stageText === '' ? '' : `, ${this.stageText}`;
    return `${this.done}/${this.o.total} runs ${pct}%, ${this.failed} failed${underWay}${stage}, ETA ${this.eta(elapsedS, progressed)}`;
  }

  private bar(): string {
    const fill = this.o.total === 0 ? BAR : Math.round((BAR * this.progressed()) / this.o.total);
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
