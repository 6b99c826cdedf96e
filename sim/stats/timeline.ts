/**
 * The timeline's sampling clock: a row every `stats.sample_us` of simulated time, at most
 * {@link MAX_TIMELINE_ROWS} rows in a run. A run whose timeline would pass the cap stops with a
 * {@link ConfigError} on `stats.sample_us` before it writes the row past it, so no value of the
 * configuration can fill the disk with samples.
 */
import { ConfigError } from '../config-error.ts';
import { DOUBLE_FIELD, NS_PER_US } from '../engine/queue.ts';

/** The most rows timeline.csv may hold (README, "Result files"). */
export const MAX_TIMELINE_ROWS = 10_000_000;

/** When the next timeline rows are due, counting them against {@link MAX_TIMELINE_ROWS}. */
export class TimelineClock {
  private next = DOUBLE_FIELD;
  private rows = 0;

  /** `periodNs`: the sampling period in integer ns (>= 1); `sample(tNs)` takes one row. */
  constructor(
    private readonly periodNs: number,
    private readonly sample: (tNs: number) => void,
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
        `the timeline would pass its limit of ${this.maxRows.toLocaleString('en-US')} rows at ${(t / NS_PER_US / 1e6).toFixed(6)} s of ` +
        `simulated time (a row every ${this.periodNs / NS_PER_US} µs); raise stats.sample_us`);
    }
    for (let i = 0; i < due; i++) {
      this.sample(this.next);
      this.next += this.periodNs;
    }
    this.rows += due;
  }
}
