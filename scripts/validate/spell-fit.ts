/**
 * The host's slow spells as the session's FLUSH probes meet them
 * (`device.host_spell_rate_hz`, `host_spell_ms`, `host_spell_factor`;
 * sim/device/host-spells.ts).
 *
 * A probe is a loop of a 4 KiB O_DIRECT write and an fdatasync, each timed
 * from fio's I/O log. An fdatasync is slow when it took more than
 * {@link SPELL_THRESHOLD} times the probe's median. A spell is a run of at
 * least {@link SPELL_MIN_SLOW} slow fdatasyncs in which no two slow ones are
 * more than one fast fdatasync apart, from the first slow one's entry to the
 * last one's end; runs less than {@link SPELL_JOIN_US} apart are one spell
 * (the host's slow episodes flicker: on 2026-12-05 loops of 3 s met
 * episodes of 20–60 ms made of runs of 2–30 ms). So a lone stall is no
 * spell, and a spell is found whatever its place in time (an earlier
 * version cut the probe into 10 ms windows and missed most spells of
 * 10 ms). The first {@link SPELL_SKIP_US} of a probe are left out:
 * after the disk was idle its first tens of ms are slower for another
 * reason (docs/validation-notes.md, "Slow spells, in time").
 */
import { median } from 'simple-statistics';

/** How many times the probe's median an fdatasync takes to be slow. */
export const SPELL_THRESHOLD = 2;
/** The fewest slow fdatasyncs a spell has. */
export const SPELL_MIN_SLOW = 5;
/** Runs of slow fdatasyncs less than this apart (µs, the end of one to the start of the next) are one spell. */
export const SPELL_JOIN_US = 20_000;
/** The start of each probe left out (µs). */
export const SPELL_SKIP_US = 60_000;
/** Probe time (s, all probes) below which no rate is fitted. */
export const SPELL_MIN_SPAN_S = 2;

/** One spell of a probe: from `start_us` to `end_us` on the I/O log's clock, its fdatasyncs and their mean (the fast ones between its runs included). */
export interface Spell {
  start_us: number;
  end_us: number;
  count: number;
  mean_us: number;
}

/** The spells of one probe, and the time they were looked for in. */
export interface ProbeSpells {
  /** Time looked at (µs): the first entry after the skipped start to the last fdatasync's end. */
  span_us: number;
  /** The probe's median fdatasync (µs). */
  p50_us: number;
  spells: Spell[];
}

/**
 * The spells of the probe whose fdatasyncs were issued at `issuedUs` (in
 * order, as fio's I/O log gives them) and took `latUs` (aligned; pure).
 */
export function probeSpells(issuedUs: readonly number[], latUs: readonly number[]): ProbeSpells {
  const n = Math.min(issuedUs.length, latUs.length);
  if (n === 0) return { span_us: 0, p50_us: 0, spells: [] };
  const t0 = issuedUs[0]! + SPELL_SKIP_US;
  let from = 0;
  while (from < n && issuedUs[from]! < t0) from++;
  if (from === n) return { span_us: 0, p50_us: 0, spells: [] };
  const m = median(latUs.slice(from, n) as number[]);
  // runs of slow fdatasyncs, one fast one between two slow ones allowed: first and last index, and how many were slow
  const runs: [number, number, number][] = [];
  for (let i = from; i < n; i++) {
    if (!(latUs[i]! > SPELL_THRESHOLD * m)) continue;
    const r = runs[runs.length - 1];
    if (r && i - r[1] <= 2) {
      r[1] = i;
      r[2]++;
    } else runs.push([i, i, 1]);
  }
  const joined: [number, number][] = [];
  for (const [a, b, slow] of runs) {
    if (slow < SPELL_MIN_SLOW) continue;
    const prev = joined[joined.length - 1];
    if (prev && issuedUs[a]! - (issuedUs[prev[1]]! + latUs[prev[1]]!) < SPELL_JOIN_US) prev[1] = b;
    else joined.push([a, b]);
  }
  const spells = joined.map(([a, b]): Spell => {
    const inside = latUs.slice(a, b + 1) as number[];
    return { start_us: issuedUs[a]!, end_us: issuedUs[b]! + latUs[b]!, count: inside.length, mean_us: inside.reduce((x, y) => x + y, 0) / inside.length };
  });
  return { span_us: issuedUs[n - 1]! + latUs[n - 1]! - issuedUs[from]!, p50_us: m, spells };
}

/** The fitted spells of a session (`fits.flush_level_session.spells` of its calibration report). */
export interface SpellFit {
  probes: number;
  /** Probe time looked at (s). */
  span_s: number;
  spells: number;
  /** Spells a second, ms a spell (mean), and a spell's mean fdatasync over its probe's median (the mean over spells weighted by their fdatasyncs' count). */
  rate_hz: number;
  mean_ms: number;
  factor: number;
  /** The share of the probes' time in spells. */
  share: number;
}

/** The session's spells from each probe's (pure); null when the probes looked at less than {@link SPELL_MIN_SPAN_S} in all. */
export function fitSpells(probes: readonly ProbeSpells[]): SpellFit | null {
  const span = probes.reduce((s, p) => s + p.span_us, 0) / 1e6;
  if (!(span >= SPELL_MIN_SPAN_S)) return null;
  const all = probes.flatMap((p) => (p.p50_us > 0 ? p.spells.map((s) => ({ s, ratio: s.mean_us / p.p50_us })) : []));
  const total = all.reduce((t, { s }) => t + (s.end_us - s.start_us), 0);
  const weight = all.reduce((w, { s }) => w + s.count, 0);
  const factor = weight > 0 ? all.reduce((f, { s, ratio }) => f + ratio * s.count, 0) / weight : 1;
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    probes: probes.length, span_s: round(span, 3), spells: all.length,
    rate_hz: round(all.length / span, 3), mean_ms: all.length ? round(total / all.length / 1000, 2) : 0, factor: round(factor, 3),
    share: round(total / 1e6 / span, 4),
  };
}
