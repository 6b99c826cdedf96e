/**
 * How long the host's shared speed holds (`device.host_drift_share`,
 * `device.host_drift_us`; sim/device/host-drift.ts), fitted from the FLUSH
 * probe's pairs in their order: a 4 KiB O_DIRECT write and the fdatasync
 * after it, over and over. Pure.
 *
 * The rank correlation of write i with fdatasync i + k (k iterations later),
 * within each probe, turned into the normal correlation ρk = 2 sin(π ρs / 6),
 * falls from ρ0 (a write and its own fdatasync) to a level ρheld that holds
 * over many iterations (the mean of ρk for k = 3 … 12). The part that falls,
 * ρ0 − ρheld, decays between k = 0 and k = 1 as e^(−Δ/τ), Δ the median time
 * from one write to the next: τ = Δ / ln((ρ0 − ρheld) / (ρ1 − ρheld)), and
 * the drifting share of the host factor's log-variance is (ρ0 − ρheld) / ρ0.
 * On 2026-12-07 at 05:08 UTC (107,720 iterations 158 µs apart): ρs 0.693,
 * 0.532 at k = 1, 0.42–0.51 at k = 5 … 100.
 */
import { spearman, MIN_GROUP_PAIRS, MIN_PAIRS, type WriteSyncPair } from './probe-pairs.ts';

/** The lags whose correlations, averaged, give the level that holds. */
export const HELD_LAGS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

/** The fit and the figures it came from. */
export interface HostDriftFit {
  pairs: number;
  groups: number;
  /** Median time from one write of the probe to the next (µs). */
  period_us: number;
  /** Normal correlations (2 sin(π ρs / 6)) of a write with the fdatasync 0 and 1 iterations later, and their level over {@link HELD_LAGS}. */
  rho0: number;
  rho1: number;
  rho_held: number;
  /** (ρ0 − ρheld) / ρ0, 3 decimals: `device.host_drift_share`. */
  share: number;
  /** Δ / ln((ρ0 − ρheld) / (ρ1 − ρheld)), 1 decimal: `device.host_drift_us`. */
  drift_us: number;
}

/** Normal correlation of write i with fdatasync i + `lag` within each group, weighted by the pairs each gives. */
function lagRho(groups: readonly (readonly WriteSyncPair[])[], lag: number): number {
  let sum = 0, n = 0;
  for (const g of groups) {
    const m = g.length - lag;
    if (m < 2) continue;
    const w: number[] = [], s: number[] = [];
    for (let i = 0; i < m; i++) {
      w.push(g[i]!.write_us);
      s.push(g[i + lag]!.sync_us);
    }
    sum += m * spearman(w, s);
    n += m;
  }
  return 2 * Math.sin((Math.PI * (n > 0 ? sum / n : 0)) / 6);
}

/** The median of positive gaps between successive writes' issue times (µs), or NaN when there are none. */
function medianPeriod(groups: readonly (readonly WriteSyncPair[])[]): number {
  const d: number[] = [];
  for (const g of groups) {
    for (let i = 1; i < g.length; i++) {
      const a = g[i - 1]!.at_us, b = g[i]!.at_us;
      if (a !== undefined && b !== undefined && b > a) d.push(b - a);
    }
  }
  if (d.length === 0) return NaN;
  d.sort((x, y) => x - y);
  return d[Math.floor(d.length / 2)]!;
}

/** The drift of the host's speed from the probes' pairs in order (one group per probe), or why there is none. */
export function fitHostDrift(groups: readonly (readonly WriteSyncPair[])[]): HostDriftFit | { reason: string } {
  const kept = groups.filter((g) => g.length >= MIN_GROUP_PAIRS);
  const pairs = kept.reduce((n, g) => n + g.length, 0);
  if (pairs < MIN_PAIRS) return { reason: `${pairs} write + fdatasync pairs in probes of at least ${MIN_GROUP_PAIRS} (fewer than ${MIN_PAIRS})` };
  const period = medianPeriod(kept);
  if (!(period > 0)) return { reason: 'the pairs carry no issue times' };
  const rho0 = lagRho(kept, 0), rho1 = lagRho(kept, 1);
  const rhoHeld = HELD_LAGS.reduce((a, k) => a + lagRho(kept, k), 0) / HELD_LAGS.length;
  const c0 = rho0 - rhoHeld, c1 = rho1 - rhoHeld;
  const figures = `ρ0 ${rho0.toFixed(3)}, ρ1 ${rho1.toFixed(3)}, held ${rhoHeld.toFixed(3)}`;
  if (!(rho0 > 0) || !(c0 > 0)) return { reason: `nothing of a write's correlation with its own fdatasync fades with later ones (${figures})` };
  if (!(c1 > 0) || !(c1 < c0)) return { reason: `the fading part does not decay from one iteration to the next (${figures})` };
  return {
    pairs, groups: kept.length, period_us: period, rho0, rho1, rho_held: rhoHeld,
    share: Math.round(Math.min(1, c0 / rho0) * 1000) / 1000,
    drift_us: Math.round((period / Math.log(c0 / c1)) * 10) / 10,
  };
}

/** Whether `f` is a fit. */
export function isHostDrift(f: HostDriftFit | { reason: string }): f is HostDriftFit {
  return !('reason' in f);
}

/** The provenance line of the two keys. */
export function hostDriftFrom(source: string, f: HostDriftFit): string {
  return `${source}: ${f.pairs} writes and the fdatasync after each in ${f.groups} probe(s), in order, ${f.period_us} µs apart (median); normal correlation (2 sin(π ρs / 6), ρs within each probe, mean by pairs) of a write with the fdatasync 0 and 1 iterations later ${f.rho0.toFixed(3)} and ${f.rho1.toFixed(3)}, ${f.rho_held.toFixed(3)} held over ${HELD_LAGS[0]}–${HELD_LAGS[HELD_LAGS.length - 1]} iterations: share (ρ0 − held) / ρ0 = ${f.share}, τ = ${f.period_us} / ln((ρ0 − held) / (ρ1 − held)) = ${f.drift_us} µs`;
}

/** ", a share S of it drifting over T µs" when the profile's host factor drifts (host-drift-fit.ts), else nothing. */
export function driftNote(device: Record<string, unknown>): string {
  const share = device.host_drift_share, us = device.host_drift_us;
  return typeof share === 'number' && share > 0 ? `, a share ${share} of it drifting over ${String(us)} µs` : '';
}
