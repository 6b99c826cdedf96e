/**
 * The device's serial submission stage (`submit_us`, `submit_command_us`):
 * the doorbell or virtqueue kick of each submission, then each read or write
 * of it taken in one after the other, after earlier submissions. Under
 * `submit_completion: drained` the commands whose turn is over wait until
 * the stage has none left, and go on together. Off when both times are 0
 * (the named profiles). The device (media.ts) decides what a command does
 * before and after its turn.
 */
import { usToNs } from '../engine/queue.ts';
import type { Io } from './device.ts';
import type { HostSpeed } from './host-speed.ts';
import type { MediaKeys } from './profiles.ts';

/** The serial submission stage of one device. */
export class SubmissionStage {
  /** Whether there is a stage: `submit_us` or `submit_command_us` above 0. */
  readonly on: boolean;
  /** `submit_completion: drained` with a stage: commands go on when it drains, and a FLUSH takes its turn in it. */
  readonly drained: boolean;
  /** When the stage has taken in the last command handed to it (ns). */
  free = 0;
  /** `submit_us`, `submit_command_us` (ns). */
  private readonly submitNs: number;
  private readonly commandNs: number;
  /** Commands whose turn in the stage is over, waiting for it to drain (`submit_completion: drained`). */
  private waiting: Io[] = [];

  constructor(params: Pick<MediaKeys, 'submit_us' | 'submit_command_us' | 'submit_completion'>) {
    this.submitNs = usToNs(params.submit_us);
    this.commandNs = usToNs(params.submit_command_us);
    this.on = this.submitNs > 0 || this.commandNs > 0;
    this.drained = this.on && params.submit_completion === 'drained';
  }

  /**
   * Takes in one more read or write of the submission being dispatched at
   * `now`, whose earlier commands it had taken in by `taken` (ns; -1: this is
   * its first, which pays `submit_us` first, after earlier submissions):
   * when it has taken this one in (ns), times scaled by `host`.
   */
  take(taken: number, now: number, host: HostSpeed): number {
    taken = (taken < 0 ? Math.max(now, this.free) + host.scale(this.submitNs) : taken) + host.scale(this.commandNs);
    this.free = taken;
    return taken;
  }

  /**
   * The turn of `io` ended at `now` (`submit_completion: drained`): while the
   * stage has more commands, `io` waits (undefined); else the commands that
   * go on now, those that waited and then `io`.
   */
  release(io: Io, now: number): Io[] | undefined {
    if (this.free > now) {
      this.waiting.push(io);
      return undefined;
    }
    const drained = this.waiting;
    this.waiting = [];
    drained.push(io);
    return drained;
  }
}
