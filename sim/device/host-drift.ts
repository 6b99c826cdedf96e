/**
 * The host's speed with a share that drifts within an msync
 * (`device.host_drift_share`, `device.host_drift_us`). The factor is
 * base + e^(μ + σh·Zh + σd·X(t)), with base, μ and σ² = σh² + σd² those of
 * the plain draw (service.ts shiftedLognormalShape: mean 1, cv
 * `device.host_cv`, floor `device.host_floor`): Zh is drawn when an msync
 * begins and held through it, as the plain factor is; X(t) is a unit
 * Ornstein–Uhlenbeck process of the simulated clock (correlation
 * e^(−Δt/τ) between two readings Δt apart, τ = `host_drift_us`). The
 * drifting share σd² / σ² is `host_drift_share`. Once an msync has begun
 * the factor has the plain draw's distribution at any moment (before the
 * first it is 1, as the plain one is); what changes is that two device
 * times of one msync far apart share only the held part. X runs on across
 * msyncs while the held part is drawn anew for each: consecutive msyncs
 * share a little of the fast part and nothing of the slow one, the reverse
 * of the host (whose slow part holds for tens of milliseconds), which the
 * pooled distribution of many msyncs does not see.
 *
 * Why: the rank correlation of a 4 KiB O_DIRECT write with the fdatasync
 * after it, k iterations of about 158 µs later (fio, 107,720 iterations on
 * 2026-12-07 at 05:08 UTC), was 0.693 at k = 0, 0.532 at 1, 0.473 at 2 and
 * 0.41–0.51 from 5 to 100 (0.8–16 ms): about a third of what a write
 * shares with its own FLUSH is gone within 0.3 ms, the rest holds for tens
 * of milliseconds. One factor per msync gives a long msync (hundreds of
 * writes over milliseconds) the whole spread of a short one.
 */
import type { RandomStream } from '../engine/random.ts';
import { shiftedLognormalShape } from './service.ts';

/** The host factor of {@link DriftingHostDraw}: a part held through each msync, a part drifting with the clock. */
export class DriftingHostDraw {
  private readonly base: number;
  private readonly mu: number;
  private readonly sigmaHeld: number;
  private readonly sigmaDrift: number;
  /** σh·Zh of the current msync. */
  private held = 0;
  /** An msync has begun: before the first, the factor is 1, as the plain draw's is. */
  private begun = false;
  /** X at {@link at} (ns; −1: not read yet). */
  private x = 0;
  private at = -1;

  /**
   * `cv`, `floor`: the plain draw's (mean 1); `share`: σd² / σ² (0 ≤ share ≤ 1); `tauNs`: X's correlation
   * time (ns, > 0); `heldRng` draws Zh (one normal an msync), `driftRng` X (one normal each time the clock has moved when read).
   */
  constructor(cv: number, floor: number, share: number, private readonly tauNs: number, private readonly heldRng: RandomStream, private readonly driftRng: RandomStream) {
    const { base, mu, sigma } = shiftedLognormalShape(1, cv, floor);
    this.base = base;
    this.mu = mu;
    this.sigmaHeld = sigma * Math.sqrt(1 - share);
    this.sigmaDrift = sigma * Math.sqrt(share);
  }

  /** An msync call begins: its held part is drawn. */
  syncBegins(): void {
    this.held = this.sigmaHeld * this.heldRng.normal();
    this.begun = true;
  }

  /**
   * The factor at `nowNs` (never earlier than the last reading): 1 before the first msync, as the
   * plain draw's (nothing drawn). X takes one normal each time it is read at a later moment than the
   * last reading, so a model that reads the factor more often (another key that adds a device time)
   * draws another realization of X: its distribution, not its draws, is what stays the same.
   */
  factorAt(nowNs: number): number {
    if (!this.begun) return 1;
    if (this.at < 0) {
      this.x = this.driftRng.normal();
      this.at = nowNs;
    } else if (nowNs > this.at) {
      const dt = (nowNs - this.at) / this.tauNs;
      this.x = Math.exp(-dt) * this.x + Math.sqrt(-Math.expm1(-2 * dt)) * this.driftRng.normal();
      this.at = nowNs;
    }
    return this.base + Math.exp(this.mu + this.held + this.sigmaDrift * this.x);
  }
}
