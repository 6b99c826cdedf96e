/**
 * The host's slow spells as the session's FLUSH probes meet them
 * (`device.host_spell_rate_hz`, `host_spell_ms`, `host_spell_factor`;
 * sim/device/host-spells.ts).
 *
 * A probe is a loop of a 4 KiB O_DIRECT write and an fdatasync, each timed
 * from fio's I/O log. Its timeline is cut into windows of
 * {@link SPELL_WINDOW_US}; a window is slow when the median fdatasync
 * issued in it took more than {@link SPELL_THRESHOLD} times the probe's
 * median, and slow windows no more than {@link SPELL_JOIN} windows apart make
 * one spell, which lasts from the first slow fdatasync's entry to the last
 * one's end. The first {@link SPELL_SKIP_US} of a probe are left out: after
 * the disk was idle its first tens of ms are slower for another reason
 * (docs/validation-notes.md, "Slow spells, in time").
 */
import { median } from 'simple-statistics';

/** A window of the probe's timeline (µs). */
export const SPELL_WINDOW_US = 10_000;
/** How many times the probe's median a window's median fdatasync takes to be slow. */
export const SPELL_THRESHOLD = 2;
/** Slow windows at most this many windows apart are one spell. */
export const SPELL_JOIN = 2;
/** The start of each probe left out (µs). */
export const SPELL_SKIP_US = 60_000;
/** Probe time (s, all probes) below which no rate is fitted. */
export const SPELL_MIN_SPAN_S = 2;

/** One spell of a probe: from `start_us` to `end_us` on the I/O log's clock, its fdatasyncs and their median. */
export interface Spell {
  start_us: number;
  end_us: number;
  count: number;
  p50_us: number;
}

/** The spells of one probe, and the time they were looked for in. */
export interface ProbeSpells {
  /** Time looked at (µs): the first entry after the skipped start to the last fdatasync's end. */
  span_us: number;
  /** The probe's median fdatasync (µs). */
  p50_us: number;
  spells: Spell[];
}

/** The spells of the probe whose fdatasyncs were issued at `issuedUs` and took `latUs` (aligned; pure). */
export function probeSpells(issuedUs: readonly number[], latUs: readonly number[]): ProbeSpells {
  const n = Math.min(issuedUs.length, latUs.length);
  if (n === 0) return { span_us: 0, p50_us: 0, spells: [] };
  const t0 = issuedUs[0]! + SPELL_SKIP_US;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (issuedUs[i]! >= t0) idx.push(i);
  if (idx.length === 0) return { span_us: 0, p50_us: 0, spells: [] };
  const m = median(idx.map((i) => latUs[i]!));
  const windows = new Map<number, number[]>();
  for (const i of idx) {
    const w = Math.floor((issuedUs[i]! - t0) / SPELL_WINDOW_US);
    let a = windows.get(w);
    if (!a) windows.set(w, (a = []));
    a.push(i);
  }
  const slow = [...windows.keys()].filter((w) => median(windows.get(w)!.map((i) => latUs[i]!)) > SPELL_THRESHOLD * m).sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const w of slow) {
    const g = groups[groups.length - 1];
    if (g && w - g[g.length - 1]! <= SPELL_JOIN) g.push(w);
    else groups.push([w]);
  }
  const spells = groups.map((g): Spell => {
    const members = g.flatMap((w) => windows.get(w)!);
    const slowOnes = members.filter((i) => latUs[i]! > SPELL_THRESHOLD * m);
    const first = slowOnes.length ? Math.min(...slowOnes) : members[0]!, last = slowOnes.length ? Math.max(...slowOnes) : members[members.length - 1]!;
    const inside = idx.filter((i) => i >= first && i <= last).map((i) => latUs[i]!);
    return { start_us: issuedUs[first]!, end_us: issuedUs[last]! + latUs[last]!, count: inside.length, p50_us: median(inside) };
  });
  const last = idx[idx.length - 1]!;
  return { span_us: issuedUs[last]! + latUs[last]! - issuedUs[idx[0]!]!, p50_us: m, spells };
}

/** Whether time `tUs` of a probe falls in one of its spells. */
export function inSpell(p: ProbeSpells, tUs: number): boolean {
  return p.spells.some((s) => tUs >= s.start_us && tUs < s.end_us);
}

/** The fitted spells of a session, for `fits.host_spells` and the three device keys. */
export interface SpellFit {
  probes: number;
  /** Probe time looked at (s). */
  span_s: number;
  spells: number;
  /** Spells a second, ms a spell (mean), and the spells' median fdatasync over the probes' median outside them (the mean over spells weighted by their fdatasyncs' count, of each probe's ratio). */
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
  const all = probes.flatMap((p) => p.spells.map((s) => ({ s, ratio: s.p50_us / p.p50_us })));
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
