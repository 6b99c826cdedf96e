/**
 * The timeline's sampling clock: a row every `stats.sample_us` of simulated time and one at the
 * run's end ({@link TimelineClock.end}), at most {@link MAX_TIMELINE_ROWS} rows in a run. A run whose timeline would pass the cap stops with a
 * {@link ConfigError} on `stats.sample_us` before it writes the row past it, so no value of the
 * configuration can fill the disk with samples. {@link TimelineRows} makes the rows: the counts
 * at each sample time, and their most over the interval up to the next.
 */
import { ConfigError } from '../config-error.ts';
import { DOUBLE_FIELD, NS_PER_US } from '../engine/queue.ts';
import type { BlockDevice } from '../device/device.ts';
import type { PageCounters } from '../vm/object.ts';
import type { ResultSink, TimelineRecord } from './records.ts';
import { lateSuggestion, MAX_TIMELINE_ROWS } from './timeline-period.ts';
import { groupedCount } from './count-text.ts';

export { MAX_TIMELINE_ROWS };

/**
 * What a {@link TimelineClock} tells of each sample time: an object, not a
 * closure, so that a new run's sampler is the call target the last run's was
 * (code V8 optimised for it stays valid).
 */
export interface TimelineSampler {
  /** Takes the row of time `tNs`. */
  sample(tNs: number): void;
}

/** When the next timeline rows are due, counting them against {@link MAX_TIMELINE_ROWS}. */
export class TimelineClock {
  private next = DOUBLE_FIELD;
  private rows = 0;

  /** `periodNs`: the sampling period in integer ns (>= 1); `sampler.sample(tNs)` takes one row. */
  constructor(
    private readonly periodNs: number,
    private readonly sampler: TimelineSampler,
    private readonly maxRows = MAX_TIMELINE_ROWS,
  ) {
    this.next = 0; // see DOUBLE_FIELD
  }

  /** The next sample time (ns): `until(t, false)` takes no sample for any t at or before it. */
  get nextNs(): number {
    return this.next;
  }

  /**
   * Takes a sample at every sample time before `t` (up to and including `t` when `inclusive`).
   * Throws a ConfigError, having sampled nothing, when that would pass the cap.
   */
  until(t: number, inclusive: boolean): void {
    const span = t - this.next;
    if (span < 0 || (span === 0 && !inclusive)) return;
    const due = inclusive ? Math.floor(span / this.periodNs) + 1 : Math.ceil(span / this.periodNs);
    if (this.rows + due > this.maxRows) {
      throw new ConfigError('stats.sample_us',
        `the timeline would pass its limit of ${groupedCount(this.maxRows)} rows at ${(t / NS_PER_US / 1e6).toFixed(6)} s of ` +
        `simulated time (a row every ${this.periodNs / NS_PER_US} µs); ${lateSuggestion(t / NS_PER_US)}`);
    }
    for (let i = 0; i < due; i++) {
      this.sampler.sample(this.next);
      this.next += this.periodNs;
    }
    this.rows += due;
  }

  /**
   * Takes the row of the run's end `t`, the state after its last event, once `until(t, true)`
   * has taken every sample time up to it: none when the last sample time is `t` itself. It
   * counts against the cap like any row (a ConfigError, nothing sampled, past it).
   */
  end(t: number): void {
    if (this.rows > 0 && this.next - this.periodNs >= t) return;
    if (this.rows + 1 > this.maxRows) {
      throw new ConfigError('stats.sample_us',
        `the timeline would pass its limit of ${groupedCount(this.maxRows)} rows with its row of the run's end, at ${(t / NS_PER_US / 1e6).toFixed(6)} s of ` +
        `simulated time (a row every ${this.periodNs / NS_PER_US} µs); ${lateSuggestion(t / NS_PER_US)}`);
    }
    this.sampler.sample(t);
    this.rows++;
  }
}

/**
 * The rows of timeline.csv. A row holds the counts at its time and, in its `*_max` fields, the
 * most of each at any moment from its time to the next row's, both included, so that a peak
 * between two samples (a page wired and unwired again within one failed wire call, a burst of
 * I/Os completed before the next sample) is in the row whose interval holds it. The last row is
 * the run's end ({@link TimelineClock.end}), whose interval is that instant alone. A row is therefore written when the next one is taken
 * ({@link sample}) or the run ends ({@link finish}). The first row's interval starts with the run.
 */
export class TimelineRows {
  private held: TimelineRecord | undefined;

  /** `sink.timeline` receives each row; `scratch`, when given, is the one record every row is written in (the sink keeps none). */
  constructor(
    private readonly counters: PageCounters,
    private readonly device: BlockDevice,
    private readonly sink: Pick<ResultSink, 'timeline'>,
    private readonly scratch?: TimelineRecord,
  ) {}

  /** Takes the row of time `tNs` (the state now), after writing the row before it. */
  sample(tNs: number): void {
    this.finish();
    const c = this.counters;
    const r = this.scratch ?? ({} as TimelineRecord);
    r.tNs = tNs; r.dirtyPages = c.dirty; r.writebackPages = c.wb; r.wiredPages = c.wired; r.residentPages = c.resident; r.queueDepth = this.device.outstanding;
    this.held = r;
  }

  /** Writes the row taken last, if any, its maxima over its interval up to now; the next interval starts now. */
  finish(): void {
    const r = this.held;
    if (r === undefined) return;
    const c = this.counters;
    r.dirtyPagesMax = Math.max(c.windowDirty, c.dirty); r.writebackPagesMax = Math.max(c.windowWb, c.wb);
    r.wiredPagesMax = Math.max(c.windowWired, c.wired); r.residentPagesMax = Math.max(c.windowResident, c.resident);
    r.queueDepthMax = this.device.takeWindowPeak();
    c.windowDirty = c.dirty; c.windowWb = c.wb; c.windowWired = c.wired; c.windowResident = c.resident;
    this.held = undefined;
    this.sink.timeline(r);
  }
}
