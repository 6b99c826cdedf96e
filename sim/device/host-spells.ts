/**
 * The host's slow spells (`device.host_spell_rate_hz`, `host_spell_ms`,
 * `host_spell_factor`): spans of simulated time in which every device time
 * scheduled is `host_spell_factor` times as long.
 *
 * Why: on a virtual disk the host stalls every request at once for tens of
 * ms at a time, whatever the guest does. Block traces of validation jobs
 * showed reads of about 300 µs (50–65 normally), writes and FLUSHes 4–6
 * times their usual time, both vCPUs idle; the validation jobs of one
 * morning met about 2.4 such spells a second, loops of 4 KiB O_DIRECT
 * writes and fdatasync 0.35–1.3 a second on the same day, 10–50 ms each
 * (docs/validation-notes.md, "Slow spells, in time"). An msync that meets one is slow in every phase, and the jobs
 * whose measured p99 comes from a few consecutive slow msyncs need the
 * spells as spans of time, not as an independent draw per FLUSH.
 *
 * The spells are an alternating renewal process from stream
 * `device.spells`: a gap, then a spell, then a gap, each exponential, the
 * spells of mean `host_spell_ms` and the gaps of mean 1 / rate − that, so
 * that `host_spell_rate_hz` spells begin a second on average (the keys may
 * put at most {@link SPELL_SHARE_MAX} of the time in spells); the process
 * is stationary from time 0 (a run begins inside a spell with probability
 * rate × mean length). The timeline is drawn lazily as the simulated clock,
 * which never goes back, asks for it. A device time takes the factor in
 * force when it is scheduled (the clock's time then), not when it begins
 * after a queue.
 */
import type { RandomStream } from '../engine/random.ts';

/** Nanoseconds in a second and in a millisecond. */
const S_NS = 1e9, MS_NS = 1e6;

/** The spell parameters (device keys). */
export interface SpellKeys {
  /** Spells beginning a second, on average (0: none). */
  host_spell_rate_hz: number;
  /** A spell's mean length (ms). */
  host_spell_ms: number;
  /** What a spell multiplies every device time by (1: no effect). */
  host_spell_factor: number;
}

/** The largest share of time in spells the keys may give (rate × mean length): past it the gaps between spells would vanish. */
export const SPELL_SHARE_MAX = 0.9;

/** Whether `k` describes spells with any effect. */
export function spellsOn(k: SpellKeys): boolean {
  return k.host_spell_rate_hz > 0 && k.host_spell_ms > 0 && k.host_spell_factor !== 1;
}

/** The share of time a host with spells `k` spends in them: rate × mean length. */
export function spellShare(k: SpellKeys): number {
  return k.host_spell_rate_hz * k.host_spell_ms / 1000;
}

/** The spell timeline of one run: the factor at any time, asked in nondecreasing time. */
export class HostSpells {
  /** The current or next spell: [start, end) in ns. */
  private start = 0;
  private end = 0;
  private readonly spellNs: number;
  private readonly gapNs: number;

  /** Spells `k` (spellsOn, a share of at most {@link SPELL_SHARE_MAX}: else a RangeError), drawn from `rng`. */
  constructor(private readonly k: SpellKeys, private readonly rng: RandomStream) {
    if (!(spellShare(k) <= SPELL_SHARE_MAX)) throw new RangeError(`slow spells ${k.host_spell_rate_hz} a second of ${k.host_spell_ms} ms would take ${spellShare(k)} of the time (at most ${SPELL_SHARE_MAX})`);
    this.spellNs = k.host_spell_ms * MS_NS;
    // the mean gap between spells: what is left of a spell's period
    this.gapNs = S_NS / k.host_spell_rate_hz - this.spellNs;
    const inside = rng.uniform() < this.spellNs / (this.spellNs + this.gapNs);
    // stationary start: the residual of an exponential span is exponential of the same mean
    if (inside) this.end = rng.exponential(this.spellNs);
    else this.next(0);
  }

  /** Draws the spell after a gap that begins at `fromNs`. */
  private next(fromNs: number): void {
    this.start = fromNs + this.rng.exponential(this.gapNs);
    this.end = this.start + this.rng.exponential(this.spellNs);
  }

  /** The factor at `nowNs`: `host_spell_factor` inside a spell, else 1. */
  at(nowNs: number): number {
    while (nowNs >= this.end) this.next(this.end);
    return nowNs >= this.start ? this.k.host_spell_factor : 1;
  }
}
