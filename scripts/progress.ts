/**
 * Progress of a long command on standard error, never on standard output and never in a result
 * file: on a terminal one line redrawn in place about once a second; otherwise (a log, a pipe,
 * Slurm's output file) a plain line every `intervalMs` (10 s), the first only after that long, so
 * a short job writes none. The work only sets counters ({@link CountProgress.done}); a timer
 * reads them, so the work's loop pays nothing per row (the timer runs when the event loop turns,
 * as it does between a trace's blocks).
 */
import { statSync } from 'node:fs';
import { BytesRead } from '../traces/byte-tap.ts';
import { groupedCount } from '../sim/stats/count-text.ts';
import { helpEntry } from './help-text.ts';

/** Where progress goes. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** `s` seconds as `42s`, `3m05s`, `2h07m`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

/** A count as written for people: `1,234,567`. */
export const countText = (n: number): string => groupedCount(Math.round(n));

/** `done` of `total` `unit` and the share done: `1,245,184 of 10,099,808 rows 12%` (100% when the total is 0). */
export function ofTotalText(done: number, total: number, unit: string): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  return `${countText(done)} of ${countText(total)} ${unit} ${Math.floor(100 * f)}%`;
}

/** A rate a second, to two or three significant figures: `950`, `31.2k`, `1.25M`. */
export function rateText(perS: number): string {
  if (!Number.isFinite(perS) || perS < 0) return '?';
  const [v, suffix] = perS >= 1e6 ? [perS / 1e6, 'M'] : perS >= 1e3 ? [perS / 1e3, 'k'] : [perS, ''];
  return `${v >= 100 || suffix === '' ? Math.round(v) : v.toPrecision(3)}${suffix}`;
}

/** Options of a {@link ProgressLine}. */
export interface ProgressLineOptions {
  stream: ProgressStream;
  /** Word in front of every line: the command (`run`, `sweep`). */
  label: string;
  /** Redraw one line in place (default: `stream.isTTY`). */
  tty?: boolean;
  /** Period of the plain lines off a terminal, default 10 s; the first comes after one period. */
  intervalMs?: number;
  /** On a terminal, draw at once (default: after a second, so that a job shorter than that draws nothing). */
  drawAtOnce?: boolean;
  /** No output at all (`--quiet`). */
  quiet?: boolean;
}

/** One line of progress, its text made by `text(elapsed seconds, whether it is drawn on a terminal)` each time it is written. */
export class ProgressLine {
  /** When the job started (ms since the epoch). */
  readonly started = Date.now();
  private readonly tty: boolean;
  private timer: NodeJS.Timeout | undefined;
  /** Finished, cancelled or quiet: nothing more is written. */
  private ended = false;
  /** {@link finish} or {@link cancel} was called. */
  private stopped = false;
  /** A line is drawn on the terminal now. */
  private drawn = false;
  /** Plain lines written so far. */
  private lines = 0;
  private lastDraw = this.started;

  constructor(private readonly o: ProgressLineOptions, private readonly text: (elapsedS: number, tty: boolean) => string) {
    this.tty = o.tty ?? o.stream.isTTY === true;
    if (o.quiet) {
      this.ended = true;
      return;
    }
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 1000);
      if (o.drawAtOnce) this.draw();
    } else {
      this.timer = setInterval(() => this.line(), o.intervalMs ?? 10_000);
    }
    this.timer.unref();
  }

  /** Whether {@link finish} or {@link cancel} was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Seconds since the job started. */
  elapsedS(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** On a terminal, redraws now if the last draw is `minMs` old or more (a count that just changed). */
  refresh(minMs = 100): void {
    if (!this.ended && this.tty && Date.now() - this.lastDraw >= minMs) this.draw();
  }

  /** On a terminal, removes the line drawn (before another message is written there); the timer draws it again. */
  clear(): void {
    if (this.drawn) this.o.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  private draw(): void {
    this.lastDraw = Date.now();
    this.o.stream.write(`\r\x1b[K${this.o.label} ${this.text(this.elapsedS(), true)}`);
    this.drawn = true;
  }

  private line(): void {
    this.o.stream.write(`${this.o.label}: ${this.text(this.elapsedS(), false)}\n`);
    this.lines++;
  }

  /** Stops the output and clears a drawn line, writing nothing more: the job stopped on an error it reports itself. */
  cancel(): void {
    this.stopped = true;
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /**
   * Stops the output, clears a drawn line, and writes `final` (with the label) on a line of its
   * own: always when `always`, else only off a terminal and after a progress line, so that a log
   * that shows a job going on shows it ended. Once; nothing after.
   */
  finish(final: string | undefined, always = false): void {
    if (this.ended) {
      this.stopped = true;
      return;
    }
    const wrote = this.lines > 0;
    this.cancel();
    if (final !== undefined && (always || (!this.tty && wrote))) this.o.stream.write(`${this.o.label}: ${final}\n`);
  }
}

/** Options of a {@link CountProgress}. */
export interface CountProgressOptions extends Omit<ProgressLineOptions, 'drawAtOnce'> {
  /** What is counted, plural: `rows`. */
  unit: string;
  /** What {@link CountProgress.share} is a share of (`12% of the trace`), default `the input`. */
  shareOf?: string;
}

/**
 * Progress of a job that counts things (rows): `1,245,184 of 10,099,808 rows 12%, 312k rows/s,
 * ETA 28s` when the total is known, the share of the input when only that is known, and the
 * count and rate otherwise. The work sets {@link done} (and {@link total}, {@link share} or
 * {@link detail} if it learns them); nothing is computed until a line is written.
 */
export class CountProgress {
  /** Counted so far. */
  done = 0;
  /** How many there will be, when known. */
  total: number | undefined;
  /** The share of the job done (0 to 1) when the total is not known but that is (bytes of the input read). */
  share: (() => number | undefined) | undefined;
  /** More to say after the count (`simulated 12.345 s`). */
  detail: (() => string) | undefined;
  private readonly line: ProgressLine;

  constructor(private readonly o: CountProgressOptions) {
    this.line = new ProgressLine(o, (s) => this.text(s));
  }

  /** The fraction done, when the total or the share is known. */
  private fraction(): number | undefined {
    if (this.total !== undefined) return this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const f = this.share?.();
    return f !== undefined && Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : undefined;
  }

  private text(elapsedS: number): string {
    const { unit } = this.o;
    const f = this.fraction();
    const pct = f === undefined ? '' : ` ${Math.floor(100 * f)}%`;
    const count = this.total !== undefined ? ofTotalText(this.done, this.total, unit) : `${countText(this.done)} ${unit}${pct === '' ? '' : `,${pct} of ${this.o.shareOf ?? 'the input'}`}`;
    const rate = elapsedS > 0 ? `, ${rateText(this.done / elapsedS)} ${unit}/s` : '';
    const eta = f === undefined ? '' : `, ETA ${f >= 1 ? '0s' : f > 0 ? formatDuration((elapsedS * (1 - f)) / f) : '?'}`;
    const detail = this.detail?.();
    return `${count}${detail ? `, ${detail}` : ''}${rate}${eta}`;
  }

  /** On a terminal, removes the line drawn (before another message is written there). */
  clear(): void {
    this.line.clear();
  }

  /** Stops the output; off a terminal, after a progress line, says how many in how long. */
  finish(): void {
    const s = this.line.elapsedS();
    this.line.finish(`${countText(this.done)} ${this.o.unit} in ${formatDuration(s)}${s > 0 ? ` (${rateText(this.done / s)} ${this.o.unit}/s)` : ''}`);
  }

  /** Stops the output, writing nothing more (the job failed and says so itself). */
  cancel(): void {
    this.line.cancel();
  }
}

/**
 * Progress of a job done in steps of different kinds (`compare`: reading the msyncs, each
 * metric's bootstrap, the chart): the step under way and the time so far, `metric 3 of 7
 * (sync.latency_us.p99), 35s`.
 */
export class StepProgress {
  private what = '';
  private readonly line: ProgressLine;

  constructor(o: Omit<ProgressLineOptions, 'drawAtOnce'>) {
    this.line = new ProgressLine(o, (s) => `${this.what}${this.what ? ', ' : ''}${formatDuration(s)}`);
  }

  /** The step now under way. */
  step(what: string): void {
    this.what = what;
    this.line.refresh(1000);
  }

  /**
   * What a step that counts (a bootstrap's resamples) calls with how far it is: the step under
   * way becomes `what, 1,200 of 2,000 resamples 60%` (`unit`: `resamples`), drawn as {@link step}
   * draws it.
   */
  counter(what: string, unit: string): (done: number, total: number) => void {
    return (done, total) => this.step(`${what}, ${ofTotalText(done, total, unit)}`);
  }

  /** Stops the output; off a terminal, after a progress line, says how long the job took. */
  finish(): void {
    this.line.finish(`done in ${formatDuration(this.line.elapsedS())}`);
  }

  /** Stops the output, writing nothing more. */
  cancel(): void {
    this.line.cancel();
  }
}

/** The `--quiet` option of a command that shows progress (parseCommandArgs's form). */
export const QUIET_OPTION = { quiet: { type: 'boolean', short: 'q' } } as const;

/** What the progress of a command shows, for its help (`quietHelp`'s default). */
export const PROGRESS_SHOWN = 'on a terminal a line redrawn in place, with the count, %, rate and ETA when known; otherwise a line every 10 s, none for a shorter job';

/** What the progress of a command done in steps shows ({@link StepProgress}), for its help. */
export const STEPS_SHOWN = 'on a terminal a line redrawn in place, with the step under way and the time so far; otherwise a line every 10 s, none for a shorter job';

/**
 * The `-q, --quiet` line of a command's help, its text starting at column `column` (the column
 * of the help's other options) and wrapped before 80; `shown`: what the progress shows.
 */
export function quietHelp(column: number, shown = PROGRESS_SHOWN): string {
  return helpEntry('  -q, --quiet', `no progress on stderr (${shown})`, column);
}

/**
 * Progress of a job that reads the file at `path` (a CSV trace, a trace to import), counting
 * `unit`: the share of the job is the share of the file read, as `tap` sees its bytes.
 */
export function fileProgress(o: CountProgressOptions, path: string): { progress: CountProgress; tap: BytesRead } {
  const tap = new BytesRead();
  const progress = new CountProgress(o);
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // not said by progress: the read says why
  }
  progress.share = () => (size > 0 ? tap.at / size : undefined);
  return { progress, tap };
}

/** Runs `job` while `progress` shows it: finished when it succeeds, cancelled (nothing more written) when it fails. */
export async function withProgress<T>(progress: { finish(): void; cancel(): void }, job: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await job();
  } catch (e) {
    progress.cancel();
    throw e;
  }
  progress.finish();
  return result;
}
