/**
 * The session's write path: how long a 4 KiB O_DIRECT write takes during
 * the jobs' runs, next to what the calibration measured, and the write
 * keys scaled by it.
 *
 * Why: on a virtual disk the host's cost of a write moves within minutes,
 * as its FLUSH does. On 2026-12-03 the calibration of 13:31 UTC timed a QD1
 * 4k write at a median of 75.3 µs, and 32 writes submitted together
 * completed 791.5 µs after their submission (mean); at 13:45, idle again,
 * fio timed 48–50 µs (medians) and 237–263 µs (means). The
 * jobs, run between, were simulated 24–63 % too slow at the median. The
 * session probe's destage part (the calibration's flush-32 job: 32 writes
 * one at a time, then fdatasync) times each of its writes; the median of
 * those over the session, against the same step's in the calibration,
 * scales `write_latency` (its mean; the cv kept) and the submission stage
 * (`submit_us`, `submit_command_us`), which the same host I/O thread
 * serves. The stage moved more than the QD1 write in the example above
 * (×0.32 against ×0.64), so this follows the direction of a move, not all
 * of its size.
 */
import type { Calibration, FittedValue } from './calibration.ts';

/** The session's scale of the write path, and the figures behind it. */
export interface SessionWrite {
  /** Mean of the probes' write medians over the calibration's. */
  scale: number;
  /** The calibration's flush-32 step: median write (µs). */
  calibration_write_us: number;
  /** The mean over probes of their flush-32 job's median write (µs). */
  session_write_us: number;
  probes: number;
}

/** The calibration step whose writes the session's probes repeat (its destage part: destage-session.ts). */
const WRITES_STEP = 'flush-32';

/**
 * The scale (pure): the mean of `writeP50s` (each probe's median write, µs)
 * over the calibration's flush-32 median write. Null without that step's
 * figure, without a probe, or when either is not positive.
 */
export function sessionWrite(cal: Calibration, writeP50s: readonly number[]): SessionWrite | null {
  const kept = writeP50s.filter((x) => Number.isFinite(x) && x > 0);
  const ref = cal.steps.find((s) => s.name === WRITES_STEP)?.latency?.p50_us;
  if (kept.length === 0 || !ref || !(ref > 0)) return null;
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  return { scale: mean / ref, calibration_write_us: ref, session_write_us: mean, probes: kept.length };
}

/** The write keys of `device` scaled by `w` (the latency's mean, the stage's two costs; 2 decimals), with their provenance. */
export function scaledWriteKeys(device: Record<string, unknown>, w: SessionWrite): { device: Record<string, unknown>; fitted: Record<string, FittedValue> } {
  const r2 = (v: number) => Math.round(v * w.scale * 100) / 100;
  const why = `× ${w.scale.toFixed(3)}: the session probes' writes (the flush-32 job, 4k O_DIRECT one at a time) had a median of ${w.session_write_us.toFixed(2)} µs, the mean over ${w.probes} probes, against ${w.calibration_write_us.toFixed(2)} µs in the calibration's flush-32 step`;
  const out: Record<string, unknown> = {}, fitted: Record<string, FittedValue> = {};
  const lat = device.write_latency as { dist: string; mean_us: number } | undefined;
  if (lat && typeof lat.mean_us === 'number') {
    out.write_latency = { ...lat, mean_us: r2(lat.mean_us) };
    fitted['device.write_latency'] = { value: out.write_latency, r2: null, n: w.probes, from: `the calibration's ${JSON.stringify(lat)} ${why}` };
  }
  for (const key of ['submit_us', 'submit_command_us'] as const) {
    const v = device[key];
    if (typeof v !== 'number') continue;
    out[key] = r2(v);
    fitted[`device.${key}`] = { value: out[key], r2: null, n: w.probes, from: `the calibration's ${v} µs ${why}` };
  }
  return { device: out, fitted };
}
