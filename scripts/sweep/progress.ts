/**
 * Progress of a sweep on standard error: on a terminal a bar redrawn in place
 * (`[#####-----] 12/40 30%  1 failed  ETA 1m02s`), otherwise a plain line every
 * `intervalMs` and one at the end, so logs (Slurm output files, CI) stay readable.
 */

/** Where progress goes. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

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
}

/** `s` seconds as `42s`, `3m05s`, `2h07m`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

const BAR = 24;

/** Counts finished runs and reports them. */
export class Progress {
  private done: number;
  private failed = 0;
  private readonly started = Date.now();
  private readonly tty: boolean;
  private readonly label: string;
  private timer: NodeJS.Timeout | undefined;
  /** Finished or cancelled: nothing more is written. */
  private ended = false;
  private lastDraw = 0;

  constructor(private readonly o: ProgressOptions) {
    this.done = o.already;
    this.tty = o.tty ?? o.stream.isTTY === true;
    this.label = o.label ?? 'sweep';
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.draw();
    } else {
      this.timer = setInterval(() => this.line(), o.intervalMs ?? 10_000);
    }
    this.timer.unref();
  }

  /** Runs finished so far (including those found done) and failed in this sweep. */
  get counts(): { done: number; failed: number } {
    return { done: this.done, failed: this.failed };
  }

  /** One more run finished (nothing once the progress is finished or cancelled). */
  tick(ok: boolean): void {
    if (this.ended) return;
    this.done++;
    if (!ok) this.failed++;
    if (this.tty && Date.now() - this.lastDraw >= 100) this.draw();
  }

  private eta(): string {
    const fresh = this.done - this.o.already;
    const left = this.o.total - this.done;
    if (left === 0) return '0s';
    if (fresh === 0) return '?';
    return formatDuration((((Date.now() - this.started) / 1000) * left) / fresh);
  }

  private text(): string {
    const pct = this.o.total === 0 ? 100 : Math.floor((100 * this.done) / this.o.total);
    return `${this.done}/${this.o.total} runs ${pct}%, ${this.failed} failed, ETA ${this.eta()}`;
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const fill = this.o.total === 0 ? BAR : Math.round((BAR * this.done) / this.o.total);
    this.o.stream.write(`\r\x1b[K${this.label} [${'#'.repeat(fill)}${'-'.repeat(BAR - fill)}] ${this.text()}`);
  }

  private line(): void {
    this.o.stream.write(`${this.label}: ${this.text()}\n`);
  }

  /** Stops the periodic output and clears a drawn bar, writing nothing more: the sweep stopped on an error it reports itself. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.o.stream.write('\r\x1b[K');
  }

  /** Stops the periodic output and writes the final state, once (an interrupted sweep finishes it first). */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const took = formatDuration((Date.now() - this.started) / 1000);
    if (this.tty) this.o.stream.write('\r\x1b[K');
    this.o.stream.write(`${this.label}: ${this.done}/${this.o.total} runs, ${this.failed} failed, ${took}\n`);
  }
}
