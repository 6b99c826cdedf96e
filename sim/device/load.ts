/**
 * A device's load over time: the commands outstanding (queued and in
 * service) and the busy command slots, integrated over simulated time for
 * the utilisation and mean queue depth of summary.json `device`.
 */
import type { Engine } from '../engine/queue.ts';

/** What a device reports of its load over [0, now]. */
export interface LoadStats {
  utilization: number;
  mean_queue_depth: number;
  max_queue_depth: number;
}

/** The load of one device whose busy slots `slots.busy` counts, out of `channels`. */
export class DeviceLoad {
  /** Commands submitted and not completed (queued + in service). */
  outstanding = 0;
  maxOutstanding = 0;
  /** The most outstanding since {@link takeWindowPeak} last ran (since the start before it). */
  private windowPeak = 0;
  /** ∫ outstanding dt, in command·ns. */
  private depthArea = 0;
  /** ∫ busy slots dt, in slot·ns. */
  private busyArea = 0;
  private lastChange = 0;

  constructor(private readonly engine: Engine, private readonly slots: { readonly busy: number }, private readonly channels: number) {}

  /** Adds the time since the last change at the load it had; call before the load changes. */
  account(): void {
    const now = this.engine.now;
    const dt = now - this.lastChange;
    if (dt > 0) {
      this.depthArea += this.outstanding * dt;
      this.busyArea += this.slots.busy * dt;
      this.lastChange = now;
    }
  }

  /** A command was submitted now. */
  arrive(): void {
    this.account();
    this.outstanding++;
    if (this.outstanding > this.maxOutstanding) this.maxOutstanding = this.outstanding;
    if (this.outstanding > this.windowPeak) this.windowPeak = this.outstanding;
  }

  /** The most commands outstanding at any moment since the last call (since the start for the first), now included; the next window starts now. */
  takeWindowPeak(): number {
    const peak = Math.max(this.windowPeak, this.outstanding);
    this.windowPeak = this.outstanding;
    return peak;
  }

  /** Utilisation (busy slots ÷ channels), mean and max queue depth over [0, now]. */
  stats(): LoadStats {
    this.account();
    const t = this.engine.now;
    return {
      utilization: t > 0 ? this.busyArea / (t * this.channels) : 0,
      mean_queue_depth: t > 0 ? this.depthArea / t : 0,
      max_queue_depth: this.maxOutstanding,
    };
  }
}
