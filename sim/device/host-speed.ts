/**
 * The speed of the host under a virtual machine (`device.host_cv`, or
 * `device.flush_cv_scope: host`): one factor of mean 1, drawn anew when an msync call begins and
 * held until the next one (with `device.host_drift_share`, only part of it held: host-drift.ts), multiplies every device time scheduled
 * meanwhile (a command's latency, the submission stage, the pipe and media
 * transfers, a FLUSH's fixed cost); with the host's slow spells
 * (`device.host_spell_*`, host-spells.ts) it is multiplied by the spell's
 * factor while a spell is under way.
 *
 * Why: a block trace of a validation job on a virtual disk showed the
 * slowest msyncs slow in every phase at once — the writes and the FLUSH —
 * while `flush_cv` alone varies only the FLUSH's fixed cost. The CPU times
 * of the kernel paths are not multiplied (until 2026-12-04 they were): the
 * factor's spread is fitted to device times (a write against the FLUSH
 * after it), and once the calibration charged an msync's writeback its
 * tens of µs of CPU, replaying three validations (00:47, 00:57, 01:04 UTC
 * on 2026-12-04) with the CPU left out met the targets on 5, 7 and 3 jobs
 * against 4, 5 and 2, at a summed demerit of 1234.8, 412.4 and 1368.5 %
 * against 1239.4, 411.6 and 1425.9 %. The factor's draw has a floor
 * (`device.host_floor`, service.ts shiftedLognormal): most msyncs near
 * nominal speed, a few much slower (docs/configuration.md, "A tight body and a long
 * tail"). With `host_cv` 0, the default
 * scope (`flush`) and no spells the factor stays 1 and nothing is drawn.
 */

import type { FlushCvScope } from './profiles.ts';
import type { HostSpells } from './host-spells.ts';
import type { DriftingHostDraw } from './host-drift.ts';

export type { FlushCvScope };

/** The host's current speed factor (1: nominal; 1.3: everything 30 % slower). */
export class HostSpeed {
  /** The factor drawn for the current msync. */
  private drawn = 1;
  /**
   * Whether a task is running on another CPU than the one asking (the
   * simulator's: more than one task of the trace running; none: never):
   * `device.busy_latency_us` and `device.busy_flush_us` apply to the commands
   * submitted meanwhile.
   */
  peerBusy: () => boolean = () => false;

  /**
   * `draw`: a sampler of mean 1 (the factors of successive syncs); none: always 1.
   * `spells`: the host's slow spells (host-spells.ts) and the simulated clock they are read at; none: no spells.
   * `drift`: instead of `draw`, a factor with a share that drifts with the clock (host-drift.ts) and that clock.
   */
  constructor(private readonly draw?: () => number, private readonly spells?: { timeline: HostSpells; nowNs: () => number }, private readonly drift?: { draw: DriftingHostDraw; nowNs: () => number }) {}

  /** The factor now: the msync's draw (or the drifting factor at this moment), times the spell's factor when a slow spell is under way. */
  get factor(): number {
    const f = this.drift === undefined ? this.drawn : this.drift.draw.factorAt(this.drift.nowNs());
    return this.spells === undefined ? f : f * this.spells.timeline.at(this.spells.nowNs());
  }

  /** An msync call begins: the host's speed is drawn anew (no draw without a sampler). */
  syncBegins(): void {
    if (this.drift) this.drift.draw.syncBegins();
    else if (this.draw) this.drawn = this.draw();
  }

  /** `ns` at the current speed, whole ns (exactly `ns` at factor 1). */
  scale(ns: number): number {
    const f = this.factor;
    return f === 1 ? ns : Math.round(ns * f);
  }
}
