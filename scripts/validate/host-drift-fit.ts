/**
 * How long the host's shared speed holds (`device.host_drift_share`,
 * `device.host_drift_us`; sim/device/host-drift.ts), fitted from the FLUSH
 * probe's pairs in their order: a 4 KiB O_DIRECT write and the fdatasync
 * after it, over and over. Pure.
 *
 * The rank correlation of each write with the fdatasync k iterations later
 * (the one issued within Δ/2 of k Δ after the write, Δ the median time from
 * one write to the next: a dropped pair leaves a gap, not a shift), within
 * each probe, turned into the normal correlation ρk = 2 sin(π ρs / 6), falls from ρ0 (a write and its
 * own fdatasync) to a level ρheld that holds over many iterations (the mean
 * of ρk for k = 3 … 12). The part that falls decays between k = 0 and 1 as
 * e^(−Δ/τ): τ = Δ / ln((ρ0 − ρheld) / (ρ1 − ρheld)). A write and its own
 * fdatasync are already g apart (g: the write's latency, the median of the
 * pairs'), so at zero distance that part is c = (ρ0 − ρheld)·e^(g/τ): the
 * drifting share is c / (ρheld + c), and the host's spread is fitted to
 * ρheld + c (host-spread.ts), so that the model's write and FLUSH of a
 * one-page msync, g apart, keep the ρ0 measured. Each step must stand out of
 * the noise (a correlation's standard error is about 1/√n over n pairs): no
 * fit with fewer than {@link MIN_DRIFT_PAIRS} pairs, a fading part under
 * 3/√n or a lag-1 part under 2/√n, no held level, or a τ over Δ (the fading
 * part would still be there at k = 3). On 2026-12-07 at 05:08 UTC
 * (107,720 iterations 158 µs apart): ρs 0.693, 0.532 at k = 1, 0.41–0.51
 * at k = 5 … 100.
 */
import { spearman, MIN_GROUP_PAIRS, type WriteSyncPair } from './probe-pairs.ts';

/** The lags whose correlations, averaged, give the level that holds. */
export const HELD_LAGS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;
/** Fewer pairs than this give no drift: each correlation's standard error would be a good part of the fading share. */
export const MIN_DRIFT_PAIRS = 2000;

/** The fit and the figures it came from. */
export interface HostDriftFit {
  pairs: number;
  groups: number;
  /** Median time from one write of the probe to the next (µs). */
  period_us: number;
  /** Median time from a write to its own fdatasync, its latency (µs). */
  gap_us: number;
  /** Normal correlations (2 sin(π ρs / 6)) of a write with the fdatasync 0 and 1 iterations later, and their level over {@link HELD_LAGS}. */
  rho0: number;
  rho1: number;
  rho_held: number;
  /** ρheld + (ρ0 − ρheld)·e^(g/τ): the correlation at zero distance, which the host's spread is fitted to. */
  rho_zero: number;
  /** (ρzero − ρheld) / ρzero, 3 decimals: `device.host_drift_share`. */
  share: number;
  /** Δ / ln((ρ0 − ρheld) / (ρ1 − ρheld)), 1 decimal: `device.host_drift_us`. */
  drift_us: number;
}

/**
 * Normal correlation of each write with the fdatasync `lag` iterations later in time (the pair issued
 * within half a period of lag × `period` after it: a dropped pair leaves a gap, not a shift) within each
 * group, weighted by the pairs each gives; and how many.
 */
function lagRho(groups: readonly (readonly WriteSyncPair[])[], lag: number, period: number): { rho: number; n: number } {
  let sum = 0, n = 0;
  for (const g of groups) {
    const w: number[] = [], s: number[] = [];
    let j = 0;
    for (let i = 0; i < g.length; i++) {
      const want = g[i]!.at_us! + lag * period;
      while (j < g.length && g[j]!.at_us! < want - period / 2) j++;
      if (j < g.length && g[j]!.at_us! <= want + period / 2) {
        w.push(g[i]!.write_us);
        s.push(g[j]!.sync_us);
      }
    }
    if (w.length < 3) continue;
    sum += w.length * spearman(w, s);
    n += w.length;
  }
  return { rho: 2 * Math.sin((Math.PI * (n > 0 ? sum / n : 0)) / 6), n };
}

const median = (d: number[]): number => {
  d.sort((x, y) => x - y);
  return d[Math.floor(d.length / 2)]!;
};

/** The median of positive gaps between successive writes' issue times (µs), or NaN when there are none. */
function medianPeriod(groups: readonly (readonly WriteSyncPair[])[]): number {
  const d: number[] = [];
  for (const g of groups) {
    for (let i = 1; i < g.length; i++) {
      const a = g[i - 1]!.at_us, b = g[i]!.at_us;
      if (a !== undefined && b !== undefined && b > a) d.push(b - a);
    }
  }
  return d.length === 0 ? NaN : median(d);
}

/** The drift of the host's speed from the probes' pairs in order (one group per probe), or why there is none. */
export function fitHostDrift(groups: readonly (readonly WriteSyncPair[])[]): HostDriftFit | { reason: string } {
  const kept = groups.filter((g) => g.length >= MIN_GROUP_PAIRS);
  const pairs = kept.reduce((n, g) => n + g.length, 0);
  if (pairs < MIN_DRIFT_PAIRS) return { reason: `${pairs} write + fdatasync pairs in probes of at least ${MIN_GROUP_PAIRS} (fewer than ${MIN_DRIFT_PAIRS})` };
  if (kept.some((g) => g.some((p) => p.at_us === undefined))) return { reason: 'the pairs carry no issue times' };
  const period = medianPeriod(kept);
  if (!(period > 0)) return { reason: 'the pairs carry no issue times' };
  // each group in time order (fio's log is; a merged one need not be)
  const ordered = kept.map((g) => [...g].sort((x, y) => x.at_us! - y.at_us!));
  const l0 = lagRho(ordered, 0, period), rho0 = l0.rho, rho1 = lagRho(ordered, 1, period).rho;
  const rhoHeld = HELD_LAGS.reduce((a, k) => a + lagRho(ordered, k, period).rho, 0) / HELD_LAGS.length;
  const se = 1 / Math.sqrt(l0.n);
  const c0 = rho0 - rhoHeld, c1 = rho1 - rhoHeld;
  const figures = `ρ0 ${rho0.toFixed(3)}, ρ1 ${rho1.toFixed(3)}, held ${rhoHeld.toFixed(3)}, standard error about ${se.toFixed(3)}`;
  if (!(rhoHeld > 0)) return { reason: `no part of the host's speed holds from one fdatasync to the ones ${HELD_LAGS[0]}–${HELD_LAGS[HELD_LAGS.length - 1]} iterations later (${figures})` };
  if (!(c0 > 3 * se)) return { reason: `nothing of a write's correlation with its own fdatasync fades with later ones beyond the noise (${figures})` };
  if (!(c1 > 2 * se) || !(c1 < c0)) return { reason: `the fading part does not decay measurably from one iteration to the next (${figures})` };
  const tau = period / Math.log(c0 / c1);
  if (tau > period) return { reason: `the fading part decays over ${tau.toFixed(1)} µs, more than an iteration (${period} µs): it would still be there at ${HELD_LAGS[0]} iterations (${figures})` };
  const gap = median(kept.flatMap((g) => g.map((p) => p.write_us)));
  const c = c0 * Math.exp(gap / tau), rhoZero = rhoHeld + c;
  const share = Math.round(Math.min(1, c / rhoZero) * 1000) / 1000;
  if (!(share > 0)) return { reason: `the fading share rounds to 0 (${figures})` };
  return { pairs, groups: kept.length, period_us: period, gap_us: gap, rho0, rho1, rho_held: rhoHeld, rho_zero: rhoZero, share, drift_us: Math.round(tau * 10) / 10 };
}

/** Whether `f` is a fit. */
export function isHostDrift(f: HostDriftFit | { reason: string }): f is HostDriftFit {
  return !('reason' in f);
}

/** The provenance line of the two keys. */
export function hostDriftFrom(source: string, f: HostDriftFit): string {
  return `${source}: ${f.pairs} writes and the fdatasync after each in ${f.groups} probe(s), in order, ${f.period_us} µs apart (median); normal correlation (2 sin(π ρs / 6), ρs within each probe, mean by pairs) of a write with the fdatasync 0 and 1 iterations later ${f.rho0.toFixed(3)} and ${f.rho1.toFixed(3)}, ${f.rho_held.toFixed(3)} held over ${HELD_LAGS[0]}–${HELD_LAGS[HELD_LAGS.length - 1]} iterations: τ = ${f.period_us} / ln((ρ0 − held) / (ρ1 − held)) = ${f.drift_us} µs; at zero distance (a write and its fdatasync are ${f.gap_us} µs apart) the fading part is (ρ0 − held) e^(${f.gap_us} / τ), so ρ ${f.rho_zero.toFixed(3)} and the share ${f.share}`;
}

/** ", a share S of it drifting over T µs" when the profile's host factor drifts (host-drift-fit.ts), else nothing. */
export function driftNote(device: Record<string, unknown>): string {
  const share = device.host_drift_share, us = device.host_drift_us;
  return typeof share === 'number' && share > 0 ? `, a share ${share} of it drifting over ${String(us)} µs` : '';
}

/**
 * What a report line says of the drift: the profile's keys when it has them; else the fit, reported and not
 * replayed ({@link DRIFT_IN_PROFILE} in host-spread.ts), or why there is none; nothing without either.
 */
export function driftText(device: Record<string, unknown>, drift: HostDriftFit | { reason: string } | undefined): string {
  const keys = driftNote(device);
  if (keys !== '') return keys;
  if (drift === undefined) return '';
  return isHostDrift(drift)
    ? `; its drift within an msync, reported and not replayed: a share ${drift.share} over ${drift.drift_us} µs (device.host_drift_share, host_drift_us)`
    : `; no drift within an msync: ${drift.reason}`;
}
