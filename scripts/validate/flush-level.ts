/**
 * The FLUSH level: the keys fitted to it (flush_us, flush_empty_us,
 * flush_cv, flush_floor, flush_quantiles), and the session level of
 * `npm run validate`.
 *
 * On a virtual disk the FLUSH after a write moves between levels over tens
 * of seconds to minutes (here 157–285 µs at the median within five minutes,
 * idle guest, whatever the file size), and the calibration's steps, run
 * minutes before the jobs and after gigabytes of its own writes, can sample
 * a level the jobs never meet. So `npm run validate` runs the calibration's
 * FLUSH probe (4k O_DIRECT overwrite + fdatasync, half a calibration step)
 * between the jobs' runs and once more before the replays, and refits the
 * three keys to every probe's fdatasyncs pooled: one profile for every job,
 * fitted from microbenchmarks only, sampled over the time the jobs ran.
 * Each probe also times fdatasync after 32 random buffered writes, to which
 * the session's destage (media_write_us) is fitted through the model
 * (buffered-destage.ts); fdatasync after 32 O_DIRECT writes, which scales the
 * calibration's destage instead when no probe timed the buffered part
 * (destage-session.ts);
 * fdatasync after one 1 MiB write, which scales the destage rate (media_mbps:
 * destage-rate-session.ts), and its writes, which scale the write latency and
 * the submission stage (write-session.ts).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { FioLatency } from './fio.ts';
import { SESSION_DESTAGE_WRITES, sessionDestage, type DestageProbe, type SessionDestage } from './destage-session.ts';
import { scaledWriteKeys, sessionWrite, type SessionWrite } from './write-session.ts';
import { calibrationMedia, rateKeys, sessionDestageRate, unscaledRateKeys, type RateProbe, type SessionDestageRate } from './destage-rate-session.ts';
import { sessionCpu, sessionWriteback, type SessionCpu, type SessionWriteback } from './writeback-stage.ts';
import { FLUSH_CV_MAX, flushSpread, pageTransferUs, Z90, Z99 } from './fit.ts';
import { fitFlushLevel, round2 } from './calibration-fit.ts';
import { latencyFigures } from './sync-steps.ts';
import { evenQuantiles, FLUSH_QUANTILES, FLUSH_QUANTILES_MAX, flushQuantiles, quantilesText, tableMedian } from './flush-quantiles.ts';
import { calibrationFiles, checkCalibrationTargets, type Calibration, type FittedValue } from './calibration.ts';
import { fragmentText } from './calibration-text.ts';
import { annotateSplit, splitHostSpread, type WriteSyncPair } from './host-spread.ts';
import { writeFileAtomic } from '../../traces/files.ts';
import { stampText } from '../../traces/text-stamp.ts';
import { sessionSpells, type SessionSpells } from './spell-session.ts';
import { sessionBuffered, type BufferedProbe, type SessionBuffered } from './buffered-probe.ts';
import type { ProbeSpells } from './spell-fit.ts';
import { bufferedDestageFrom, fitBufferedDestage, predictBufferedProbe, probePathCpu, type BufferedDestageFit } from './buffered-destage.ts';

/** The keys fitted to the FLUSH level, with their provenance. */
export interface FlushLevelKeys {
  /** The device keys (flush_empty_us and flush_cv only with a write cache). */
  device: { flush_us: number; flush_empty_us?: number; flush_cv?: number; flush_floor?: number; flush_quantiles?: number[] };
  /** Their provenance, by dotted key (device.flush_us, …). */
  fitted: Record<string, FittedValue>;
}

/**
 * device.flush_us, flush_empty_us, flush_cv, flush_floor and
 * flush_quantiles from the FLUSH level `level` (fdatasyncs after one 4k
 * write; `levelFrom` says which; `samples`: those fdatasyncs, or a pool of
 * even quantiles standing for them) and the fit of the steps made with it
 * (`fit.flush`, `fit.destage`); `flushEmpty`: the fdatasyncs with nothing
 * written. Without a write cache, flush_us alone (0).
 */
export function flushLevelKeys(fit: ReturnType<typeof fitFlushLevel>, level: FioLatency, flushEmpty: FioLatency, levelFrom: string, samples: readonly number[]): FlushLevelKeys {
  if (!fit.flush.write_cache) {
    return { device: { flush_us: fit.flush.flush_us }, fitted: { 'device.flush_us': { value: fit.flush.flush_us, r2: null, n: level.count, from: 'flush: no write cache, Linux sends no FLUSH (blk-flush.c): 0' } } };
  }
  const spread = flushSpread(level);
  const cv = spread.cv;
  // the spread as measured: the fdatasyncs less one write's destage, over flush_us (the model adds the destage unscaled)
  const destageUs = fit.destage?.destage === 'on_flush' ? fit.destage.slope_us_per_write : 0;
  const quantiles = flushQuantiles(samples, level.count, fit.flush.flush_us, destageUs);
  // the empty FLUSH with the same shape: its median, the level's spread (with a table, the table's median)
  const emptyUs = round2(quantiles.length > 0 ? flushEmpty.p50_us! / tableMedian(quantiles) : flushEmpty.p50_us! * spread.meanOverP50);
  const device = { flush_us: fit.flush.flush_us, flush_empty_us: emptyUs, flush_cv: cv, flush_floor: spread.floor, flush_quantiles: quantiles };
  const shape = spread.floor > 0
    ? `a floor and a lognormal (sim: shiftedLognormal) through their p50 ${round2(level.p50_us!)} µs, p90 ${round2(level.p90_us!)} µs and p99 ${round2(level.p99_us!)} µs`
    : `the lognormal of their median ${round2(level.p50_us!)} µs and p99 ${round2(level.p99_us!)} µs (no floor: the p90 and p99 fit none)`;
  return {
    device,
    fitted: {
      'device.flush_us': {
        value: device.flush_us, r2: null, n: level.count,
        from: `${levelFrom} (on ext4 a bare cache FLUSH): the mean of ${shape} (their mean ${round2(level.mean_us)} µs)${fit.destage?.destage === 'on_flush' ? `, less one write's destage (${fit.destage.slope_us_per_write.toFixed(2)} µs)` : ''}`,
      },
      'device.flush_empty_us': {
        value: device.flush_empty_us, r2: null, n: flushEmpty.count,
        from: `flush-empty: fdatasync of a file with nothing written (ext4 still sends a FLUSH): ${quantiles.length > 0 ? `its median over the median of flush_quantiles, so that with a factor drawn from them its median is the measured one,` : `the mean of the level's spread (flush_cv, flush_floor) of its median`} ${round2(flushEmpty.p50_us!)} µs (p90 ${round2(flushEmpty.p90_us!)} µs, sample mean ${round2(flushEmpty.mean_us)} µs)`,
      },
      'device.flush_floor': {
        value: spread.floor, r2: null, n: level.count,
        from: spread.floor > 0
          ? `${levelFrom}: the share of the mean below the shifted lognormal x = c + e^(μ + σZ) through their p50, p90 and p99 ((p99 − p50) / (p90 − p50) = (e^(σ·${Z99.toFixed(4)}) − 1) / (e^(σ·${Z90.toFixed(4)}) − 1)), c / mean`
          : `${levelFrom}: 0, their p90 and p99 fit no shifted lognormal (a tail no longer than the lognormal's)`,
      },
      'device.flush_quantiles': {
        value: quantiles, r2: null, n: level.count,
        from: quantiles.length > 0
          ? `${levelFrom}: ${quantiles.length} quantiles of those fdatasyncs (at (i + ½) / ${quantiles.length}: one for every ten timed, within ${FLUSH_QUANTILES} … ${FLUSH_QUANTILES_MAX})${destageUs > 0 ? `, each less one write's destage (${round2(destageUs)} µs),` : ''} over flush_us: each FLUSH's factor is drawn from them instead of from flush_cv and flush_floor (${quantilesText(quantiles)})`
          : `${levelFrom}: none (${noTableReason(level.count, samples.length, fit.flush.flush_us, destageUs)}): the lognormal of flush_cv and flush_floor`,
      },
      'device.flush_cv': {
        value: cv, r2: null, n: level.count,
        from: spread.floor > 0 ? `${levelFrom}: the cv of that shifted lognormal (quantiles, not their standard deviation of ${round2(level.stddev_us)} µs, which rare stalls dominate)` : `${levelFrom}: their spread as a lognormal, σ = ln(p99 / p50) / 2.3263, cv = √(e^σ² − 1) (p50 ${round2(level.p50_us!)} µs, p99 ${round2(level.p99_us!)} µs; quantiles, not their standard deviation of ${round2(level.stddev_us)} µs, which rare stalls dominate${cv === FLUSH_CV_MAX ? `; at most ${FLUSH_CV_MAX}` : ''})`,
      },
    },
  };
}

/** Why {@link flushQuantiles} gave no table: too few fdatasyncs timed, none timed one by one, or no fixed cost to scale. */
function noTableReason(count: number, samples: number, flushUs: number, destageUs: number): string {
  if (count < FLUSH_QUANTILES) return `${count} fdatasyncs timed, fewer than the smallest table's ${FLUSH_QUANTILES} points`;
  if (samples === 0) return `no fdatasync timed one by one: fio's I/O log has no timestamps, only the step's figures`;
  if (!(flushUs > 0)) return `flush_us ${flushUs}: no fixed cost to scale`;
  return `half of them took no longer than one write's destage (${round2(destageUs)} µs): no fixed cost left to scale`;
}

/** One FLUSH probe of a session: when, and its fdatasyncs (µs). */
export interface SessionProbe {
  /** Where in the session it ran ("before seq-small-syncs run 1"). */
  label: string;
  /** ISO start time. */
  at: string;
  /** Its fdatasyncs, each timed to the next entry of fio's I/O log (µs). */
  us: number[];
  /** The host's slow spells it met (spell-fit.ts); absent when its fdatasyncs were not timed in order (tests). */
  spells?: ProbeSpells;
  /** Its destage part: fdatasync after one write and after SESSION_DESTAGE_WRITES (destage-session.ts); absent when fio timed none. */
  destage?: DestageProbe;
  /** Its rate part: fdatasync after one 4k write and after one SESSION_RATE_BYTES write (destage-rate-session.ts); absent when fio timed none. */
  rate?: RateProbe;
  /** The median write of its destage part (4k O_DIRECT, one at a time; µs): the session's write path (write-session.ts); absent when fio timed none. */
  write_p50_us?: number;
  /** Each write of the probe and the fdatasync after it (host-spread.ts); absent when none was timed. */
  pairs?: WriteSyncPair[];
  /** The CPU probe's writeback samples (writeback-stage.ts): their off-CPU slope (µs a write), one page's off-CPU time and one page's CPU time (µs); absent without `cc`. */
  writeback?: { slope_us: number; one_us: number; cpu_one_us: number };
  /** Its buffered part (buffered-probe.ts): fdatasync after one and after 32 buffered writes; absent when fio timed none. */
  buffered?: BufferedProbe;
}

/** What `fits.flush_level_session` of a session profile holds: the pooled level and each probe's median. */
export interface SessionLevel extends FioLatency {
  /** Each probe that timed an fdatasync: where and when it ran, how many, their median (µs). */
  probes: { label: string; at: string; count: number; p50_us: number; write_p50_us?: number; buffered?: BufferedProbe }[];
  /** The level the calibration itself fitted (its flush_level), for comparison. */
  calibration_p50_us: number | null;
  /** How the writes' O_DIRECT destage moved against the calibration's (media_write_us scaled by it when no buffered part is fitted), or null (not measured, or no sign). */
  destage?: SessionDestage | null;
  /** How the FLUSH's time a byte moved against the calibration's (media_mbps scaled by it), or null (not measured, no rate to scale, or no sign). */
  rate?: SessionDestageRate | null;
  /** How a write moved against the calibration's (write_latency and the submission stage scaled by it), or null (not measured). */
  write?: SessionWrite | null;
  /** write_latency from the probes' writeback samples (writeback-stage.ts), or null (the calibration did not take it from writeback, or no probe timed it). */
  writeback?: SessionWriteback | null;
  /** The guest's CPU speed of the session, which scales the cpu.* keys (writeback-stage.ts), or null (not measured). */
  cpu?: SessionCpu | null;
  /** The host's slow spells the probes met (spell-session.ts), or null (too little probe time, or no timestamps). */
  spells?: SessionSpells | null;
  /** The probes' buffered parts (buffered-probe.ts), or null (none timed). */
  buffered?: SessionBuffered | null;
  /** media_write_us fitted through the model to the buffered parts (buffered-destage.ts), or null (none timed, their increment not positive, or no destage on FLUSH). */
  buffered_destage?: BufferedDestageFit | null;
}

/**
 * The calibration `cal` with flush_us, flush_empty_us, flush_cv, flush_floor
 * and flush_quantiles refitted to the fdatasyncs of `probes` pooled, and
 * media_write_us fitted through the model to their buffered parts (else
 * scaled by their O_DIRECT parts), the level then less one write of that
 * destage (pure; null when the probes timed no fdatasync, or the device has
 * no write cache: nothing to refit).
 */
export function withSessionLevel(cal: Calibration, probes: readonly SessionProbe[]): Calibration | null {
  const kept = probes.filter((p) => p.us.length > 0);
  if (kept.length === 0 || cal.fragment.device.write_cache !== true) return null;
  const first = refitSession(cal, kept);
  // the destage fitted through the model to the buffered probes, when they timed it (buffered-destage.ts); then the
  // level refitted with that destage, so that flush_us and the FLUSH table are the level less one write of it
  const buffered = first.fits.flush_level_session!.buffered;
  const device = first.fragment.device;
  if (!buffered || !(buffered.increment_us > 0) || device.destage !== 'on_flush' || typeof device.media_write_us !== 'number') return first;
  const before = first.fits.flush_level_session!.destage ? 'o_direct' : 'calibration';
  // replayed with the CPU a page costs on the probe's write() path, not the mapping's (probePathCpu), at the session's CPU speed
  const rawPageUs = cal.fits.cpu?.writeback?.cpu_page_us?.median_us;
  const pageUs = rawPageUs === undefined ? undefined : Math.round(rawPageUs * (first.fits.flush_level_session!.cpu?.scale ?? 1) * 100) / 100;
  const fit = fitBufferedDestage(probePathCpu(first.fragment, pageUs), cal.size_bytes, buffered.increment_us, before);
  const second = refitSession(cal, kept, fit.media_write_us);
  // a profile whose calibration steps give no destage on FLUSH cannot take the value: the first refit stands
  if (second.fragment.device.media_write_us !== fit.media_write_us) return first;
  // the replay's increment with the profile as written (its flush_us moved with the destage)
  const final = { ...fit, simulated_increment_us: Math.round(predictBufferedProbe(probePathCpu(second.fragment, pageUs), cal.size_bytes).increment_us * 100) / 100 };
  second.fitted['device.media_write_us'] = { value: second.fragment.device.media_write_us, r2: null, n: buffered.probes, from: bufferedDestageFrom(final, buffered, cal.size_bytes, pageUs) };
  second.fits.flush_level_session!.buffered_destage = final;
  return second;
}

/**
 * The session's refit of `cal` to the probes `kept`, with the write's destage scaled by their O_DIRECT part, or, given
 * `mediaWriteUs`, scaled so that media_write_us is that (pure).
 */
function refitSession(cal: Calibration, kept: readonly SessionProbe[], mediaWriteUs?: number): Calibration {
  // the host's slow spells the probes met: reported, not modelled (spell-session.ts)
  const spells = sessionSpells(kept);
  // each probe weighs the same, as each run of a job does in its measured side (a fast moment times more fdatasyncs in a probe's time, not more syncs in a job)
  const pooled = kept.flatMap((p) => evenQuantiles(p.us, PROBE_QUANTILES));
  const level = { ...latencyFigures(pooled), count: kept.reduce((n, p) => n + p.us.length, 0) };
  const destage = sessionDestage(cal, kept.flatMap((p) => (p.destage ? [p.destage] : [])));
  const rate = sessionDestageRate(cal, kept.flatMap((p) => (p.rate ? [p.rate] : [])));
  // the write's destage less a page at the media rate replayed: the session's when its probes scaled it, else the calibration's
  // fitted one; a profile calibrated by an earlier rule (no rate fitted, or a flat one) keeps its own (docs/configuration.md, "Migration", a FLUSH
  // that does not grow)
  const media = rate?.media_mbps ?? calibrationMedia(cal);
  const fit = fitFlushLevel(cal.steps, true, cal.fits.write, level, mediaWriteUs === undefined ? destage?.scale ?? 1 : destageScaleFor(cal, level, media, mediaWriteUs), media);
  fit.flush.write_cache_source = cal.fits.flush.write_cache_source; // the calibration's answer (sysfs or inferred), not the refit's
  const medians = kept.map((p) => latencyFigures(p.us).p50_us!);
  const from = `session FLUSH probes: ${level.count} fdatasyncs after a 4k O_DIRECT overwrite (the flush-probe step), from ${kept.length} probes run between the validation jobs' runs and before the replays, pooled with equal weight per probe (their medians ${medians.map(round2).join(', ')} µs; the calibration's own level had a median of ${cal.fits.flush_level ? `${round2(cal.fits.flush_level.p50_us!)} µs` : 'unknown'})`;
  const keys = flushLevelKeys(fit, level, cal.fits.flush_empty, from, pooled);
  const destageKeys: Record<string, unknown> = {}, destageFitted: Record<string, FittedValue> = {};
  // the write's destage refitted when its slope or the media rate moved (a slope kept less a transfer at another rate would move it unmeasured)
  if ((destage || rate || mediaWriteUs !== undefined) && fit.destage?.destage === 'on_flush') {
    destageKeys.media_write_us = fit.destage.media_write_us;
    destageFitted['device.media_write_us'] = {
      value: fit.destage.media_write_us, r2: null, n: destage?.probes ?? rate?.probes ?? kept.length, // replaced by the buffered fit's when it gave the value
      from: destage
        ? `session FLUSH probes: the calibration's destage slope ${round2(cal.fits.destage!.slope_us_per_write)} µs a write × ${round2(destage.scale)} (fdatasync after ${destage.writes} writes less after one: ${round2(destage.session_increment_us)} µs, the mean over ${destage.probes} probes, against ${round2(destage.calibration_increment_us)} µs in the calibration's flush and flush-${destage.writes} steps) = ${round2(fit.destage.slope_us_per_write)} µs, less the transfer of 4 KiB at media_mbps`
        : `the calibration's destage slope ${round2(fit.destage.slope_us_per_write)} µs a write (no session probe timed fdatasync after ${SESSION_DESTAGE_WRITES} writes), less the transfer of 4 KiB at the session's media_mbps`,
    };
  }
  // a calibration that split the host's spread off: the session refits from the whole spreads, and splits again with its own probes
  const split = cal.fits.host_spread;
  const base = split ? { ...cal.fragment.device, ...split.marginal } : cal.fragment.device;
  const write = sessionWrite(cal, kept.flatMap((p) => (p.write_p50_us !== undefined ? [p.write_p50_us] : [])));
  const writeKeys = write ? scaledWriteKeys(base, write) : { device: {}, fitted: {} };
  // a write as writeback meets it, timed between the jobs, over the scaled calibration's (after the stage's scaled turn)
  const wbProbes = kept.flatMap((p) => (p.writeback ? [p.writeback] : []));
  const wb = cal.fits.cpu?.writeback ? sessionWriteback({ ...base, ...writeKeys.device }, wbProbes, round2) : null;
  const rated = rate ? rateKeys(rate) : unscaledRateKeys(cal) ?? { device: {}, fitted: {} };
  const marginal = { ...base, ...keys.device, ...destageKeys, ...rated.device, ...writeKeys.device, ...wb?.device };
  // the guest's CPU speed of the session (writeback-stage.ts)
  const cpu = sessionCpu(cal.fragment.cpu as Record<string, number> | undefined, cal.fits.cpu?.writeback?.cpu_one_us, wbProbes.map((p) => p.cpu_one_us));
  const fitted: Record<string, FittedValue> = { ...cal.fitted, ...keys.fitted, ...destageFitted, ...rated.fitted, ...writeKeys.fitted, ...wb?.fitted, ...cpu?.fitted };
  let device: Record<string, unknown> = marginal, hostReport = split;
  if (split) {
    for (const k of ['read_latency', 'write_latency'] as const) {
      if (!writeKeys.fitted[`device.${k}`] && split.marginal[k] !== undefined && fitted[`device.${k}`]) {
        fitted[`device.${k}`] = { ...fitted[`device.${k}`]!, value: split.marginal[k], from: `the calibration's, before its host share was taken out: ${JSON.stringify(split.marginal[k])}` };
      }
    }
    const host = splitHostSpread(marginal, kept.map((p) => p.pairs ?? []), `session FLUSH probes (${kept.length})`);
    device = host.device;
    Object.assign(fitted, host.fitted);
    // a floor the calibration gave the host and the session's FLUSH no longer has
    if (device.host_floor === undefined) delete fitted['device.host_floor'];
    // the calibration's drift, when the session's pairs fit none: its keys went with the refit, its provenance goes too
    if (device.host_drift_share === undefined) {
      delete fitted['device.host_drift_share'];
      delete fitted['device.host_drift_us'];
    }
    annotateSplit(fitted, device, host.report);
    hostReport = host.report;
  }
  const session: SessionLevel = {
    ...level,
    probes: kept.map((p, i) => ({ label: p.label, at: p.at, count: p.us.length, p50_us: medians[i]!, ...(p.write_p50_us !== undefined ? { write_p50_us: p.write_p50_us } : {}), ...(p.buffered ? { buffered: p.buffered } : {}) })),
    calibration_p50_us: cal.fits.flush_level?.p50_us ?? null,
    destage,
    rate,
    write,
    writeback: wb?.report ?? null,
    cpu: cpu?.report ?? null,
    spells,
    buffered: sessionBuffered(kept),
    buffered_destage: null,
  };
  return {
    ...cal,
    fragment: { ...cal.fragment, device, ...(cpu ? { cpu: cpu.cpu } : {}) },
    fitted,
    fits: { ...cal.fits, flush: fit.flush, ...((destage || mediaWriteUs !== undefined) && fit.destage ? { destage: fit.destage } : {}), flush_level_session: session, ...(hostReport ? { host_spread: hostReport } : {}) },
  };
}

/** The scale of the calibration's destage slope (its flush steps' line) at which media_write_us, that slope less a page at `media` MB/s, is `mediaWriteUs`; 1 without a destage on FLUSH. */
function destageScaleFor(cal: Calibration, level: FioLatency, media: number | undefined, mediaWriteUs: number): number {
  const base = fitFlushLevel(cal.steps, true, cal.fits.write, level, 1, media);
  if (base.destage?.destage !== 'on_flush' || !(base.destage.slope_us_per_write > 0)) return 1;
  // the rate fitFlushLevel takes the page's transfer at
  const transfer = pageTransferUs(media ?? base.destage_rate?.media_mbps ?? cal.fits.write.bandwidth_mbps);
  return (mediaWriteUs + transfer) / base.destage.slope_us_per_write;
}

/** Points of each probe's distribution in the pool (its quantiles at (i + ½) / N): as many as the longest table has, so that the pool keeps each probe's tail as far as the table goes. */
const PROBE_QUANTILES = FLUSH_QUANTILES_MAX;

/** The report (device.calibration.json) beside calibration fragment `fragment`, or null when there is none or it is not one. */
export function readCalibrationReport(fragment: string): Calibration | null {
  try {
    const cal = JSON.parse(readFileSync(calibrationFiles(fragment).calibration, 'utf8')) as Calibration;
    return Array.isArray(cal.steps) && cal.fragment?.device && cal.fits?.flush_empty ? cal : null;
  } catch {
    return null;
  }
}

/** Writes `cal` as the profile `out` and its report beside it (atomically, the fragment last). */
export function writeCalibration(cal: Calibration, out: string): void {
  const files = calibrationFiles(out);
  // syncsim_version first: how a later run knows the report as syncsim's (calibration.ts, CALIBRATION_HEADS)
  const { syncsim_version, ...rest } = cal;
  const named: Calibration = { syncsim_version, ...rest, files: { fragment: basename(files.fragment), calibration: basename(files.calibration) } };
  // checked again as each file takes its place (as calibrate's): a profile edited while the session ran is not replaced
  const mayReplace = () => checkCalibrationTargets(out, 'session profile');
  writeFileAtomic(files.calibration, JSON.stringify(named, null, 2) + '\n', undefined, mayReplace);
  // stamped: a later calibration replaces it only while nobody has edited it (traces/text-stamp.ts)
  writeFileAtomic(files.fragment, stampText(fragmentText(named)), undefined, mayReplace);
}

/** The name of the K-th probe slot of a session. */
const PROBE_PREFIX = 'flush-level-';

/** Whether `name` is a probe slot of {@link withProbeSlots}. */
export function isProbeSlot(name: string): boolean {
  return name.startsWith(PROBE_PREFIX);
}

/**
 * The jobs of a session with a FLUSH probe slot (`flush-level-K`) before the
 * first job and before every `every`-th after it, so that each round of runs
 * samples the level at about evenly spaced moments.
 */
export function withProbeSlots(jobs: readonly string[], every: number): string[] {
  const out: string[] = [];
  jobs.forEach((j, i) => {
    if (i % every === 0) out.push(`${PROBE_PREFIX}${i / every + 1}`);
    out.push(j);
  });
  return out;
}
