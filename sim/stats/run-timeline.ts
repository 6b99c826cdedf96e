/**
 * A run's timeline: the clock of its sample times ({@link TimelineClock}),
 * the rows of timeline.csv ({@link TimelineRows}) and durability.csv's
 * intervals at the same cadence, sampled as the engine's clock moves.
 *
 * The engine and the clock call it as an object, not through closures: the
 * objects of a new run in the same process (a sweep's worker, validate's
 * seeds) are then the call targets the last run's were, and the code V8
 * optimised for those stays valid instead of being thrown away at the start
 * of every run.
 */
import type { AdvanceListener, Engine } from '../engine/queue.ts';
import type { DurabilityTracker } from './durability.ts';
import type { ResultSink } from './records.ts';
import { TimelineClock, type TimelineRows, type TimelineSampler } from './timeline.ts';

/** The sampling of one run: what the engine tells when its clock moves, and what each sample time takes. */
export class RunTimeline implements TimelineSampler, AdvanceListener {
  /** The sample times (and the timeline's row cap). */
  readonly clock: TimelineClock;

  /** `periodNs`: the sampling period (integer ns, >= 1). */
  constructor(
    private readonly engine: Engine,
    periodNs: number,
    private readonly rows: TimelineRows,
    private readonly durability: DurabilityTracker,
    private readonly sink: ResultSink,
  ) {
    this.clock = new TimelineClock(periodNs, this);
  }

  /** Takes timeline.csv's row of `tNs` and, when pages were made durable since the last, durability.csv's interval. */
  sample(tNs: number): void {
    this.rows.sample(tNs);
    if (this.durability.intervalPages > 0) this.sink.durability?.(this.durability.sample(tNs));
  }

  /** Before the engine's clock moves to `t`: the samples due before it; the engine is told not to call again before the next sample time. */
  advanced(t: number): void {
    this.clock.until(t, false);
    this.engine.quietUntil = this.clock.nextNs;
  }
}
