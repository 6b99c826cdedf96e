/**
 * The session's destage rate: how long a FLUSH takes to put a large write
 * on the media during the jobs' runs, next to what the calibration
 * measured, and `device.media_mbps` scaled by it.
 *
 * Why: on a virtual disk whose FLUSH is an fsync of the host's file, the
 * time a FLUSH takes per byte written before it moves with the host's
 * state, together with the FLUSH itself. On 2026-12-07 (02:50–02:52 UTC,
 * idle guest, one 64 MiB file, 15 fdatasyncs of each kind every 5 s) the
 * median fdatasync after one 4 KiB, 1 MiB and 4 MiB O_DIRECT write was
 * 94–132, 934–1001 and 3083–3475 µs for 35 s, then 49–58, 453–500 and
 * 1997–2322 µs for 30 s, then 86–106, 640–696 and 1601–2429 µs. The
 * session's FLUSH level followed the 4 KiB column; `media_mbps` stayed the
 * calibration's (1447 MB/s, from a moment of the first state), and a
 * validation of that morning replayed `large-syncs` (a FLUSH after 4 MiB
 * each msync) 69 % slow at the median. So each session probe also times
 * fdatasync after one {@link SESSION_RATE_BYTES} write (the calibration's
 * flush-size step of that size), and the calibration's media rate is
 * divided by how much that FLUSH exceeds the probe's 1-write FLUSH, against
 * the same difference in the calibration's own steps.
 */
import type { Calibration, FittedValue } from './calibration.ts';
import { median } from './fit.ts';
import { MAX_MBPS } from '../../sim/config.ts';

/** Bytes of the one write before the fdatasync of a session probe's rate part: the calibration's flush-size-1m step (in both plans). */
export const SESSION_RATE_BYTES = 1 << 20;

/** One probe's rate part: the median fdatasync after one 4 KiB write (the probe's) and after one write of `bytes`. */
export interface RateProbe {
  one_us: number;
  big_us: number;
  bytes: number;
}

/** The session's media rate, and the figures behind it. */
export interface SessionDestageRate {
  /** Session increment over the calibration's (the destage time a byte scales by this; the rate by its inverse). */
  scale: number;
  /** The calibration's flush-size step median less its flush (1-write) median (µs). */
  calibration_increment_us: number;
  /** The mean over probes of their large-write median less their 1-write median (µs). */
  session_increment_us: number;
  /** The calibration's media_mbps and the session's (MB/s). */
  calibration_media_mbps: number;
  media_mbps: number;
  bytes: number;
  probes: number;
}

/**
 * The session's rate (pure): the calibration's fitted media rate
 * (`fits.destage_rate.media_mbps`, the profile's `device.media_mbps`) over the
 * mean over `probes` of (large-write − 1-write median) over the
 * calibration's flush-size − flush medians, at most {@link MAX_MBPS}. Null
 * when the calibration fitted no destage rate (no FLUSH that grew with the
 * write's size: none to scale), has no such pair of steps, or either
 * difference is not positive.
 */
export function sessionDestageRate(cal: Calibration, probes: readonly RateProbe[]): SessionDestageRate | null {
  const kept = probes.filter((p) => p.bytes === SESSION_RATE_BYTES && Number.isFinite(p.one_us) && Number.isFinite(p.big_us));
  // the calibration's own rate, not the profile's: a session profile refitted again (syncsim validate --calibration
  // device-session.yaml) already holds a scaled one, which would be scaled twice
  const media = calibrationRate(cal);
  if (kept.length === 0 || media === undefined) return null;
  const one = cal.steps.find((s) => s.kind === 'flush' && (s.writes ?? 1) === 1)?.sync;
  const big = cal.steps.find((s) => s.kind === 'flush-size' && s.bytes === SESSION_RATE_BYTES)?.sync;
  if (!one?.p50_us || !big?.p50_us) return null;
  const calInc = big.p50_us - one.p50_us;
  const sessionInc = kept.reduce((a, p) => a + (p.big_us - p.one_us), 0) / kept.length;
  if (!(calInc > 0) || !(sessionInc > 0)) return null;
  const scale = sessionInc / calInc;
  const rate = Math.min(MAX_MBPS, Math.max(0.01, Math.round((media / scale) * 100) / 100));
  return { scale, calibration_increment_us: calInc, session_increment_us: sessionInc, calibration_media_mbps: media, media_mbps: rate, bytes: SESSION_RATE_BYTES, probes: kept.length };
}

/** The calibration's fitted media rate (`fits.destage_rate`), or undefined when it fitted none or its FLUSH did not grow with the write's size (no rate to scale). */
export function calibrationRate(cal: Calibration): number | undefined {
  const fit = cal.fits.destage_rate;
  return fit && !fit.flat && fit.media_mbps > 0 ? fit.media_mbps : undefined;
}

/** The calibration's media rate as the session starts from it: its fitted one (a session profile refitted again holds the first session's), else the profile's own (no rate fitted, or a flat one: a profile of an earlier rule keeps its rate). */
export function calibrationMedia(cal: Calibration): number | undefined {
  const own = cal.fragment.device.media_mbps;
  return calibrationRate(cal) ?? (typeof own === 'number' ? own : undefined);
}

/**
 * `device.media_mbps` of a session profile whose probes gave no rate: the
 * calibration's fitted rate, when the profile refitted holds another (a
 * session profile refitted again: its rate was the first session's); null
 * when there is nothing to put back.
 */
export function unscaledRateKeys(cal: Calibration): { device: { media_mbps: number }; fitted: Record<string, FittedValue> } | null {
  const rate = calibrationRate(cal);
  if (rate === undefined || cal.fragment.device.media_mbps === rate) return null;
  return {
    device: { media_mbps: rate },
    fitted: { 'device.media_mbps': { value: rate, r2: null, n: cal.fits.destage_rate!.points.length, from: `flush, flush-size-*: the calibration's rate, not scaled (no session probe timed a FLUSH after a 1 MiB write)` } },
  };
}

/** A probe's rate part from its 1-write fdatasyncs (µs) and the large-write step's median; undefined when either is missing. */
export function rateProbe(oneUs: readonly number[], bigMedianUs: number | null): RateProbe | undefined {
  if (bigMedianUs === null || oneUs.length === 0) return undefined;
  return { one_us: median(oneUs), big_us: bigMedianUs, bytes: SESSION_RATE_BYTES };
}

/** `device.media_mbps` of the session profile and its provenance. */
export function rateKeys(r: SessionDestageRate): { device: { media_mbps: number }; fitted: Record<string, FittedValue> } {
  const mib = r.bytes / (1 << 20);
  return {
    device: { media_mbps: r.media_mbps },
    fitted: {
      'device.media_mbps': {
        value: r.media_mbps, r2: null, n: r.probes,
        from: `session FLUSH probes: the calibration's ${r.calibration_media_mbps} MB/s ÷ ${r.scale.toFixed(3)} (fdatasync after one ${mib} MiB O_DIRECT write less after one 4k write: ${r.session_increment_us.toFixed(2)} µs, the mean over ${r.probes} probes, against ${r.calibration_increment_us.toFixed(2)} µs in the calibration's flush and flush-size-${mib}m steps)`,
      },
    },
  };
}
