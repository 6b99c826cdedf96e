/**
 * The session's destage: how much each write before a FLUSH costs during
 * the jobs' runs, next to what the calibration measured.
 *
 * Why: the host under a virtual disk moves between a fast and a slow FLUSH
 * state, and the cost of each write a FLUSH destages moves with it. On
 * 2026-12-03 at 12:10 UTC the calibration ran in the slow state (1-write
 * fdatasync 184 µs, 32 writes 659 µs: its destage slope 12.23 µs a write),
 * the session's probes found the fast one for six of nine (77 µs), and the
 * jobs that ran in it were simulated too slow by the writes: one-page
 * msyncs of `sweep-fsync1` within 2 %, 8 and 64 pages +24 and +27 % (each
 * page measured 13–15 µs, the model charged 22). The session level refitted
 * only the FLUSH itself; so each session probe also times fdatasync after
 * {@link SESSION_DESTAGE_WRITES} writes, and the calibration's slope is
 * scaled by how much the session's N-write FLUSH exceeds its 1-write FLUSH,
 * against the same difference in the calibration's own flush steps.
 */
import type { Calibration } from './calibration.ts';
import { median } from './fit.ts';

/** Writes before the fdatasync of a session probe's destage part: the calibration's flush-32 step (in both plans). */
export const SESSION_DESTAGE_WRITES = 32;

/** One probe's destage part: the median fdatasync after one write (the probe's) and after N. */
export interface DestageProbe {
  one_us: number;
  n_us: number;
  writes: number;
}

/** The session's scale of the calibration's destage slope, and the figures behind it. */
export interface SessionDestage {
  /** Session increment over the calibration's. */
  scale: number;
  /** The calibration's flush-N fdatasync median less its flush (1-write) median (µs). */
  calibration_increment_us: number;
  /** The mean over probes of their N-write median less their 1-write median (µs). */
  session_increment_us: number;
  writes: number;
  probes: number;
}

/**
 * The scale (pure): the mean over `probes` of (N-write − 1-write median)
 * over the calibration's flush-N − flush medians. Null when the
 * calibration has no such pair of steps, or either difference is not
 * positive (then nothing says how the writes' cost moved).
 */
export function sessionDestage(cal: Calibration, probes: readonly DestageProbe[]): SessionDestage | null {
  const kept = probes.filter((p) => p.writes === SESSION_DESTAGE_WRITES && Number.isFinite(p.one_us) && Number.isFinite(p.n_us));
  const one = cal.steps.find((s) => s.kind === 'flush' && (s.writes ?? 1) === 1)?.sync;
  const n = cal.steps.find((s) => s.kind === 'flush' && s.writes === SESSION_DESTAGE_WRITES)?.sync;
  if (kept.length === 0 || !one?.p50_us || !n?.p50_us) return null;
  const calInc = n.p50_us - one.p50_us;
  const sessionInc = kept.reduce((a, p) => a + (p.n_us - p.one_us), 0) / kept.length;
  if (!(calInc > 0) || !(sessionInc > 0)) return null;
  return { scale: sessionInc / calInc, calibration_increment_us: calInc, session_increment_us: sessionInc, writes: SESSION_DESTAGE_WRITES, probes: kept.length };
}

/** A probe's destage part from its 1-write fdatasyncs (µs) and the N-write step's median. */
export function destageProbe(oneUs: readonly number[], nMedianUs: number | null): DestageProbe | undefined {
  if (nMedianUs === null || oneUs.length === 0) return undefined;
  return { one_us: median(oneUs), n_us: nMedianUs, writes: SESSION_DESTAGE_WRITES };
}
