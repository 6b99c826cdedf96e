/**
 * The host's speed shared by the times of one msync (`device.host_cv`),
 * fitted from the FLUSH probe: a 4 KiB O_DIRECT write, then fdatasync, over
 * and over. Pure but for {@link probePairs}, which reads fio's I/O log.
 *
 * Why: on a virtual disk a slow moment of the host makes the write and the
 * FLUSH of one sync slow together. Drawn independently, the model's write
 * and FLUSH made the msyncs' tails too thin: in the three validations of
 * 2026-12-03 15:44–16:06 UTC the simulated p99 was below the measured one
 * for 28 of 30 jobs (−9 to −82 %), and a page written through the page
 * cache then fdatasync'ed had a p99 of 293–1204 µs where the FLUSH alone
 * had 140–506 µs (fio, four pairs of runs in turns, 16:28 UTC).
 *
 * The model: log(write) = μw + εw + η and log(FLUSH) = μf + εf + η with one
 * η ~ N(0, σh²) per msync, so cov(log write, log FLUSH) = σh². The
 * correlation is taken by rank (Spearman's ρs, turned into the normal
 * correlation ρ = 2 sin(π ρs / 6), which a few stalls do not decide),
 * within each probe and averaged by pairs (a level that drifts between
 * probes is not a speed shared within one msync), and σh² = ρ σw σf with
 * the spreads the profile already has (σ = √ln(1 + cv²) of `write_latency`
 * and `flush_cv`), at most the smaller of the two. The factor has mean 1,
 * and each split time keeps its mean, its own spread becoming
 * √(σ² − σh²): the product of the two is the lognormal measured, mean and
 * spread; times not split (CPU, the submission stage, transfers) keep
 * their means and gain the host's spread.
 */
import { ownQuantiles, quantilesText } from './flush-quantiles.ts';
import { iologLatencies, SYNC_ACTIONS, type IologLatencies } from './fio.ts';
import type { FittedValue } from './calibration.ts';
import { MIN_GROUP_PAIRS, MIN_PAIRS, spearman, type WriteSyncPair } from './probe-pairs.ts';
import { fitHostDrift, hostDriftFrom, isHostDrift, type HostDriftFit } from './host-drift-fit.ts';

export { MIN_GROUP_PAIRS, MIN_PAIRS, spearman, type WriteSyncPair };

/** The pairs of a probe (pure): each sync whose entry is the next one after a write's (issued when the write completed). */
export function writeSyncPairs(writes: IologLatencies, syncs: IologLatencies): WriteSyncPair[] {
  const syncAt = new Map<number, number>();
  syncs.issued_us.forEach((t, i) => syncAt.set(t, syncs.latencies_us[i]!));
  const pairs: WriteSyncPair[] = [];
  writes.issued_us.forEach((t, i) => {
    const w = writes.latencies_us[i]!;
    const s = syncAt.get(t + w);
    if (s !== undefined && w > 0 && s > 0) pairs.push({ write_us: w, sync_us: s, at_us: t });
  });
  return pairs;
}

/** The pairs of the probe whose fio I/O log is `iolog`. */
export async function probePairs(iolog: string): Promise<WriteSyncPair[]> {
  return writeSyncPairs(await iologLatencies(iolog, new Set(['write'])), await iologLatencies(iolog, SYNC_ACTIONS));
}

/** The host's spread and what it came from. */
export interface HostSpread {
  pairs: number;
  /** Probes (groups of pairs) the correlation was taken within. */
  groups: number;
  /** Rank correlation of a write's latency and its fdatasync's: within each probe, the mean weighted by its pairs. */
  spearman: number;
  /** The correlation of their logarithms were they jointly normal: 2 sin(π ρs / 6). */
  rho: number;
  /** The correlation σh was fitted to when part of the shared speed drifts: at zero distance (host-drift-fit.ts); absent: `rho`. */
  rho_zero?: number;
  /** The log-spreads of the profile's write latency and FLUSH (σ = √ln(1 + cv²)). */
  sigma_write: number;
  sigma_flush: number;
  /** √(max(0, ρ) σw σf), at most min(σw, σf), as `host_cv` rounded gives it. */
  sigma_host: number;
  /** The factor's cv, √(e^σh² − 1) (3 decimals): `device.host_cv`. */
  host_cv: number;
}

/** A lognormal's log-spread from its cv. */
export const sigmaOfCv = (cv: number): number => Math.sqrt(Math.log(1 + cv * cv));
/** A lognormal's cv from its log-spread. */
export const cvOfSigma = (s: number): number => Math.sqrt(Math.expm1(s * s));

/**
 * The host's spread from the probes' pairs (one group per probe) and the profile's cvs, or why there is none.
 * `rhoZero`: the correlation at zero distance when part of the shared speed drifts (host-drift-fit.ts), which
 * σh is then fitted to instead of the pairs' own (taken g apart); `rho` still reports the pairs' own.
 */
export function fitHostSpread(groups: readonly (readonly WriteSyncPair[])[], writeCv: number, flushCv: number, rhoZero?: number): HostSpread | { reason: string } {
  const kept = groups.filter((g) => g.length >= MIN_GROUP_PAIRS);
  const pairs = kept.reduce((n, g) => n + g.length, 0);
  if (pairs < MIN_PAIRS) return { reason: `${pairs} write + fdatasync pairs timed in probes of at least ${MIN_GROUP_PAIRS} (fewer than ${MIN_PAIRS})` };
  if (!(writeCv > 0) || !(flushCv > 0)) return { reason: `no spread to share (write_latency cv ${writeCv}, flush_cv ${flushCv})` };
  const rs = kept.reduce((a, g) => a + g.length * spearman(g.map((p) => p.write_us), g.map((p) => p.sync_us)), 0) / pairs;
  const rho = 2 * Math.sin((Math.PI * rs) / 6);
  const sw = sigmaOfCv(writeCv), sf = sigmaOfCv(flushCv);
  const fitted = rhoZero ?? rho;
  const hostCv = Math.round(cvOfSigma(Math.min(Math.sqrt(Math.max(0, fitted) * sw * sf), sw, sf)) * 1000) / 1000;
  return { pairs, groups: kept.length, spearman: rs, rho, ...(rhoZero !== undefined ? { rho_zero: rhoZero } : {}), sigma_write: sw, sigma_flush: sf, sigma_host: sigmaOfCv(hostCv), host_cv: hostCv };
}

/** Whether `f` is a fit. */
export function isHostSpread(f: HostSpread | { reason: string }): f is HostSpread {
  return !('reason' in f);
}

type Lat = { dist: string; mean_us: number; cv?: number; floor?: number };

/** A lognormal latency with `sh` of its log-spread given to the host: its own spread √(σ² − σh²), its mean kept (a constant when nothing is left). */
export function ownLatency(lat: Lat, sh: number): Lat {
  if (lat.dist !== 'lognormal' || !(lat.cv! > 0) || !(sh > 0)) return lat;
  const s2 = sigmaOfCv(lat.cv!) ** 2 - sh * sh;
  if (!(s2 > 1e-9)) return { dist: 'constant', mean_us: lat.mean_us };
  return { dist: 'lognormal', mean_us: lat.mean_us, cv: Math.round(cvOfSigma(Math.sqrt(s2)) * 1000) / 1000, ...(lat.floor ? { floor: lat.floor } : {}) };
}

/** Each of two factors' floor, √floor (3 decimals), so that their product has the floor `floor`. */
export function splitFloor(floor: number): number {
  return Math.round(Math.sqrt(floor) * 1000) / 1000;
}

/**
 * The device keys of a profile with the host's spread `s` split off (pure):
 * `host_cv` set; `read_latency`, `write_latency` and the FLUSH (`flush_cv`, `flush_quantiles`;
 * `flush_us` and `flush_empty_us`, its means, unchanged) each with their
 * own spread only; with a FLUSH floor f, `flush_floor` and `host_floor` both
 * √f. `device` holds the whole (marginal) spreads.
 */
export function withHostSpread(device: Record<string, unknown>, s: HostSpread): Record<string, unknown> {
  const { host_floor: _stale, ...rest } = device;
  if (!(s.sigma_host > 0)) return { ...rest, host_cv: 0 };
  const out: Record<string, unknown> = { ...rest, host_cv: s.host_cv };
  // the host's speed has the shape its spread was seen through, the FLUSH's: the FLUSH's own factor and the host's each take the floor
  // √flush_floor, so that their product, the FLUSH, keeps the floor measured (docs/configuration.md, "A tight body and a long tail"); none without one
  if (typeof device.flush_floor === 'number' && device.flush_floor > 0) out.host_floor = out.flush_floor = splitFloor(device.flush_floor);
  for (const k of ['read_latency', 'write_latency'] as const) {
    const lat = device[k] as Lat | undefined;
    if (lat && typeof lat.mean_us === 'number') out[k] = ownLatency(lat, s.sigma_host);
  }
  const fcv = device.flush_cv;
  if (typeof fcv === 'number' && fcv > 0) out.flush_cv = ownLatency({ dist: 'lognormal', mean_us: 1, cv: fcv }, s.sigma_host).cv ?? 0;
  // the spread as measured, when there is one: the own share whose product with the host's factor is the FLUSH measured
  if (Array.isArray(device.flush_quantiles) && device.flush_quantiles.length > 0) {
    out.flush_quantiles = ownQuantiles(device.flush_quantiles as number[], s.host_cv, typeof out.host_floor === 'number' ? out.host_floor : 0);
  }
  return out;
}

/** The keys the split changes, as they were before it (the whole spreads). */
const SPLIT_KEYS = ['read_latency', 'write_latency', 'flush_cv', 'flush_floor', 'flush_quantiles'] as const;

/** What a calibration reports of the split (`fits.host_spread`). */
export interface HostSpreadReport {
  /** The fit, or why there is none (then `host_cv` is 0 and nothing is split). */
  fit: HostSpread | { reason: string };
  /** The split keys before the split (the session refits from these). */
  marginal: Record<string, unknown>;
  /** How long the shared speed holds (host-drift-fit.ts), or why it is not fitted; absent when there is no host's spread, and in reports before 2026-12-07. */
  drift?: HostDriftFit | { reason: string };
}

/**
 * Whether `syncsim calibrate` and the validation session put the drift they fit
 * (`device.host_drift_share`, `host_drift_us`; host-drift-fit.ts) in the profile: no, they report it
 * (`fits.host_spread.drift`). Replaying validations with it gave 46 against 43 of 95 jobs within both
 * targets with a share set by hand from a 20 s probe, and 16 against 17 of 38 with each session's own
 * fit (2026-12-07, docs/validation-notes.md), whose shares moved between 0.48 and 0.86 from one set of
 * probes to the next and which refused 4 of 9 per-job probes: no gain to replay by default.
 */
export const DRIFT_IN_PROFILE = false;

/**
 * The device keys with the host's spread split off by the probe's `pairs`
 * (pure): the keys, the report and the provenance of `device.host_cv`
 * (`source`: which steps the pairs came from). The drift is fitted and reported; with
 * `o.drift` its keys go in the profile too (default {@link DRIFT_IN_PROFILE}).
 */
export function splitHostSpread(marginal: Record<string, unknown>, groups: readonly (readonly WriteSyncPair[])[], source: string, o: { drift?: boolean } = { drift: DRIFT_IN_PROFILE }): { device: Record<string, unknown>; report: HostSpreadReport; fitted: Record<string, FittedValue> } {
  const write = marginal.write_latency as Lat | undefined;
  // how long the shared speed holds first: replayed (o.drift), σh is fitted to the correlation at zero distance; else only reported
  const driftFit = marginal.write_cache === true ? fitHostDrift(groups) : undefined;
  const replayDrift = o.drift === true && driftFit !== undefined && isHostDrift(driftFit);
  const fit = marginal.write_cache === true
    ? fitHostSpread(groups, write?.dist === 'lognormal' ? write.cv ?? 0 : 0, typeof marginal.flush_cv === 'number' ? marginal.flush_cv : 0, replayDrift ? driftFit.rho_zero : undefined)
    : { reason: 'no volatile write cache: no FLUSH to share a spread with' };
  const before: Record<string, unknown> = {};
  for (const k of SPLIT_KEYS) if (marginal[k] !== undefined) before[k] = marginal[k];
  const report: HostSpreadReport = { fit, marginal: before };
  // a profile refitted (a session's) drops what its own fit gave: the floor and the drift are fitted again below, or not at all
  const { host_floor: _stale, host_drift_share: _share, host_drift_us: _us, ...noHostFloor } = marginal;
  if (!isHostSpread(fit)) return { device: { ...noHostFloor, host_cv: 0 }, report, fitted: { 'device.host_cv': { value: 0, r2: null, n: groups.reduce((n, g) => n + g.length, 0), from: `${source}: none (${fit.reason})` } } };
  const device = withHostSpread(noHostFloor, fit);
  const drift: Record<string, FittedValue> = {};
  if (fit.sigma_host > 0 && driftFit !== undefined) {
    report.drift = driftFit;
    if (replayDrift && isHostDrift(report.drift)) {
      device.host_drift_share = report.drift.share;
      device.host_drift_us = report.drift.drift_us;
      const from = hostDriftFrom(source, report.drift);
      drift['device.host_drift_share'] = { value: report.drift.share, r2: null, n: report.drift.pairs, from };
      drift['device.host_drift_us'] = { value: report.drift.drift_us, r2: null, n: report.drift.pairs, from };
    }
  }
  const floor: Record<string, FittedValue> = typeof device.host_floor === 'number' && device.host_floor > 0
    ? { 'device.host_floor': { value: device.host_floor, r2: null, n: fit.pairs, from: `${source}: √ of the FLUSH level's floor ${String(marginal.flush_floor)}, as the FLUSH's own share (flush_floor) takes: the two factors' product, the FLUSH, keeps the floor measured (the host's spread is seen through the FLUSH, and has its shape)` } }
    : {};
  return {
    device,
    report,
    fitted: {
      ...floor,
      ...drift,
      'device.host_cv': {
        value: fit.host_cv, r2: null, n: fit.pairs,
        from: `${source}: ${fit.pairs} writes and the fdatasync after each in ${fit.groups} probe(s), rank correlation within each ${fit.spearman.toFixed(3)} (mean by pairs; ρ = 2 sin(π ρs / 6) = ${fit.rho.toFixed(3)}${fit.rho_zero !== undefined ? `; part of it drifts: ρ at zero distance ${fit.rho_zero.toFixed(3)}, see device.host_drift_share` : ''}); σh = √(max(0, ρ) σw σf), at most the smaller of σw ${fit.sigma_write.toFixed(3)} (write_latency) and σf ${fit.sigma_flush.toFixed(3)} (flush_cv): ${fit.sigma_host.toFixed(3)}; cv = √(e^σh² − 1)`,
      },
    },
  };
}

/** The provenance of the split keys (`fitted`, changed in place): their new value, and how they were split. */
export function annotateSplit(fitted: Record<string, FittedValue>, device: Record<string, unknown>, report: HostSpreadReport): void {
  if (!isHostSpread(report.fit) || !(report.fit.sigma_host > 0)) return;
  for (const k of SPLIT_KEYS) {
    const f = fitted[`device.${k}`];
    if (!f || JSON.stringify(device[k]) === JSON.stringify(report.marginal[k])) continue;
    f.value = device[k];
    const before = Array.isArray(report.marginal[k]) ? quantilesText(report.marginal[k] as number[]) : JSON.stringify(report.marginal[k]);
    f.from += k === 'flush_floor'
      ? `; then √ of it, as the host's factor's floor (host_floor): the FLUSH, their product, keeps the floor measured (before: ${before})`
      : k === 'flush_quantiles'
        ? `; then the FLUSH's own share: the table whose product with the host's factor (host_cv ${report.fit.host_cv}) has the quantiles measured (before: ${before})`
        : `; then its own share of that spread, the host's (host_cv ${report.fit.host_cv}) taken out, the mean kept (before: ${before})`;
  }
}
