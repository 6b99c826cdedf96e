/**
 * The session FLUSH level of one `npm run validate` (flush-level.ts): the
 * probe slots' turns among the jobs' runs (rounds.ts), and the refit of the
 * session profile before the first replay.
 */
import { basename, resolve } from 'node:path';
import type { Calibration } from './calibration.ts';
import { FlushLevelProbes } from './flush-probes.ts';
import { readCalibrationReport, withSessionLevel, writeCalibration, type SessionLevel, type SessionProbe } from './flush-level.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import { takeTurn, type Rounds } from './rounds.ts';
import { calibrationMedia, calibrationRate } from './destage-rate-session.ts';
import { latencyFigures } from './sync-steps.ts';
import { driftText } from './host-drift-fit.ts';
import { bufferedProbeText, sessionBufferedText } from './buffered-probe.ts';
import { BEFORE_TEXT } from './buffered-destage.ts';

/** What a session needs of its probes (FlushLevelProbes; a stand-in in tests). */
export interface Prober {
  /** Lays out the probe's data file (before the first run of the session). */
  prepare(): Promise<void>;
  /** Runs one probe: its fdatasyncs (µs), also kept in `probes`. */
  probe(label: string): Promise<number[]>;
  /** Every probe run so far. */
  readonly probes: SessionProbe[];
  /** Removes the probe's scratch directory. */
  close(): void;
}

/** summary.json's `flush_level`: which level the replays used, and both. */
export interface FlushLevelSummary {
  profile: string;
  source: 'session probes' | 'calibration';
  calibration_flush_us: number | null;
  session_flush_us: number | null;
  calibration_media_write_us: number | null;
  session_media_write_us: number | null;
  /** device.media_mbps of the calibration and of the session profile (null: the session kept the calibration's, or no session). */
  calibration_media_mbps: number | null;
  session_media_mbps: number | null;
  session: SessionLevel | null;
}

/** summary.json's `flush_level` when no session ran (--calibration-only, or nothing to refit): profile `profile` as it is. */
export function noSessionSummary(profile: string): FlushLevelSummary {
  return { profile: resolve(profile), source: 'calibration', calibration_flush_us: null, session_flush_us: null, calibration_media_write_us: null, session_media_write_us: null, calibration_media_mbps: null, session_media_mbps: null, session: null };
}

/** validation.json's `calibration.session` (`syncsim validate` alone): the refitted keys beside the calibration's. */
export interface SessionReport {
  /** The refitted profile, in the validation's output directory. */
  profile: string;
  flush_us: number;
  flush_cv: number;
  /** The FLUSH's floor (0: the plain lognormal). */
  flush_floor: number;
  flush_empty_us: number;
  /** The calibration's own flush_us, for comparison. */
  calibration_flush_us: number;
  /** media_write_us replayed with (scaled to the session's destage when the probes measured it), and the calibration's; null without a write cache that destages on FLUSH. */
  media_write_us: number | null;
  calibration_media_write_us: number | null;
  /** media_mbps replayed with (scaled to the session's destage rate when the probes measured it), and the calibration's. */
  media_mbps: number | null;
  calibration_media_mbps: number | null;
  /** The pooled probes and each probe's median. */
  level: SessionLevel;
}

/** Why calibration file `calibration` cannot be used with session profile `profile` (it is that profile, which the session overwrites), or null. */
export function profileClash(calibration: string, profile: string): string | null {
  return resolve(calibration) === resolve(profile) ? `--calibration ${calibration}: that is the session profile this run writes; copy it elsewhere or give --calibration-only` : null;
}

/** What the session's log line adds for `cpu.clean_page_busy_us`, which keeps the calibration's busy-peer surcharge (writeback-stage.ts, sessionCpu). */
function busyNote(cpu: unknown): string {
  const busy = (cpu as Record<string, unknown> | undefined)?.clean_page_busy_us;
  return typeof busy === 'number' ? ` (clean_page_busy_us ${busy}: clean_page_us so scaled + the calibration's busy-peer surcharge)` : '';
}

/** One validation session's FLUSH level: a copy of the calibration at `profile`, refitted to the probes before the replays. */
export class FlushSession {
  /** The refitted calibration, once the first slot's replay turn has run (null until then, or when no probe timed an fdatasync). */
  refitted: Calibration | null = null;
  private readonly release: () => void;

  private constructor(readonly cal: Calibration, readonly profile: string, readonly prober: Prober, private readonly say: (line: string) => void) {
    this.release = cleanupOnInterrupt(() => prober.close());
  }

  /**
   * A session for calibration file `calibration`, its profile written at
   * `profile` and its probe's data file laid out; or null, with the reason
   * said, when there is nothing to refit: no calibration report beside the
   * file, no volatile write cache, or the layout failed. `prober` defaults
   * to the calibration's FLUSH probe on a file of its --size under `dir`.
   */
  static async start(calibration: string, profile: string, dir: string, say: (line: string) => void, prober?: Prober): Promise<FlushSession | null> {
    const clash = profileClash(calibration, profile);
    if (clash) throw new Error(clash);
    const cal = readCalibrationReport(calibration);
    const why = !cal ? `${calibration} has no calibration report (.calibration.json) beside it` : cal.fragment.device.write_cache !== true ? 'the device has no volatile write cache (no FLUSH)' : null;
    if (why || !cal) {
      say(`== FLUSH level: the calibration's (${why})`);
      return null;
    }
    const p = prober ?? new FlushLevelProbes({ dir, sizeBytes: cal.size_bytes, probeMs: Math.max(100, Math.round(cal.step_ms / 2)), rate: calibrationRate(cal) !== undefined });
    const s = new FlushSession(cal, profile, p, say);
    try {
      await p.prepare(); // before the first run: its writes are the session's, not a job's
    } catch (e) {
      s.close();
      say(`validate: warning: the FLUSH probe's file could not be laid out (${(e as Error).message}); the FLUSH level is the calibration's`);
      return null;
    }
    writeCalibration(cal, profile); // the jobs check it before they run; refitted before the replays
    return s;
  }

  /**
   * The turns of probe slot `slot` of `slots`: a probe in each of its runs;
   * with `refits` (the first slot, whose replay turn comes before every
   * job's), one more probe and the refit of the profile in its replay turn.
   * A probe that fails is said and left out.
   */
  async slot(rounds: Rounds, slot: string, slots: readonly string[], refits: boolean): Promise<number> {
    const turns = rounds.of(slot);
    const next = slots[slots.indexOf(slot) + 1];
    for (let r = 1; r <= rounds.repeat; r++) await takeTurn(turns, r, () => this.probe(`before ${next} run ${r}`));
    await takeTurn(turns, 'replay', async () => {
      if (!refits) return;
      await this.probe('before the replays');
      this.refit();
    });
    return 0;
  }

  /** Refits the profile to the probes so far and writes it (it keeps the calibration's level when none timed an fdatasync); says which. */
  refit(): void {
    this.refitted = withSessionLevel(this.cal, this.prober.probes);
    if (!this.refitted) {
      this.say(`== FLUSH level: no probe timed an fdatasync; ${this.profile} keeps the calibration's`);
      return;
    }
    writeCalibration(this.refitted, this.profile);
    const lv = this.refitted.fits.flush_level_session!;
    this.say(`== FLUSH level of the session: ${lv.count} fdatasyncs of ${lv.probes.length} probes, median ${lv.p50_us!.toFixed(1)} µs (the calibration's ${lv.calibration_p50_us?.toFixed(1) ?? '-'} µs): flush_us ${this.refitted.fragment.device.flush_us} (was ${this.cal.fragment.device.flush_us}), flush_floor ${String(this.refitted.fragment.device.flush_floor ?? 0)}${lv.destage || lv.buffered_destage ? `, media_write_us ${this.refitted.fragment.device.media_write_us} (was ${this.cal.fragment.device.media_write_us}${lv.buffered_destage ? `; fitted to the buffered writes at the end of this line, where ${BEFORE_TEXT[lv.buffered_destage.before_from]} gave ${lv.buffered_destage.before_media_write_us}` : ''}${lv.destage ? `: ${lv.destage.writes} O_DIRECT writes before a FLUSH added ${lv.destage.session_increment_us.toFixed(1)} µs, ${lv.destage.calibration_increment_us.toFixed(1)} in the calibration` : ''})` : ''}${lv.rate ? `, media_mbps ${lv.rate.media_mbps} (was ${lv.rate.calibration_media_mbps}: one 1 MiB write before a FLUSH added ${lv.rate.session_increment_us.toFixed(1)} µs, ${lv.rate.calibration_increment_us.toFixed(1)} in the calibration)` : ''}${lv.write ? `, the write path × ${lv.write.scale.toFixed(3)} (a write ${lv.write.session_write_us.toFixed(1)} µs, ${lv.write.calibration_write_us.toFixed(1)} in the calibration)` : ''}${lv.writeback ? `, write_latency ${lv.writeback.write_latency_us} µs from writeback` : ''}${lv.cpu ? `, cpu.* × ${lv.cpu.scale.toFixed(3)}${busyNote(this.refitted.fragment.cpu)}` : ''}${this.refitted.fragment.device.host_cv !== undefined ? `, host_cv ${String(this.refitted.fragment.device.host_cv)} (was ${String(this.cal.fragment.device.host_cv ?? 0)})${driftText(this.refitted.fragment.device, this.refitted.fits.host_spread?.drift)}` : ''}${lv.spells ? `; the host's slow spells: ${lv.spells.spells} in ${lv.spells.span_s} s of probes (${lv.spells.rate_hz} a second, ${lv.spells.mean_ms} ms, × ${lv.spells.factor}; reported, not replayed)` : ''}${lv.buffered ? sessionBufferedText(lv.buffered, lv.buffered_destage ?? null) : ''} in ${this.profile}`);
  }

  /** Runs one probe labelled `label` and says its median; a probe that fails is said and left out. */
  async probe(label: string): Promise<void> {
    try {
      const us = await this.prober.probe(label);
      const last = this.prober.probes[this.prober.probes.length - 1], d = last?.destage;
      this.say(`FLUSH probe ${label}: ${us.length} fdatasyncs, median ${us.length ? latencyFigures(us).p50_us!.toFixed(1) : '-'} µs${d ? `; after ${d.writes} writes ${d.n_us.toFixed(1)} µs` : ''}${last?.rate ? `; after a 1 MiB write ${last.rate.big_us.toFixed(1)} µs` : ''}${last?.write_p50_us !== undefined ? `; a write ${last.write_p50_us.toFixed(1)} µs` : ''}${last?.writeback ? `; writeback off the CPU ${last.writeback.one_us.toFixed(1)} µs + ${last.writeback.slope_us.toFixed(2)} µs a page` : ''}${last?.buffered ? bufferedProbeText(last.buffered) : ''}`);
    } catch (e) {
      this.say(`validate: warning: FLUSH probe ${label} failed (${(e as Error).message}); the level comes from the others`);
    }
  }

  /** summary.json's `flush_level`: which level the replays used, and both. */
  summary(): FlushLevelSummary {
    return {
      profile: resolve(this.profile),
      source: this.refitted ? 'session probes' : 'calibration',
      calibration_flush_us: this.cal.fragment.device.flush_us as number,
      session_flush_us: (this.refitted?.fragment.device.flush_us as number | undefined) ?? null,
      calibration_media_write_us: (this.cal.fragment.device.media_write_us as number | undefined) ?? null,
      session_media_write_us: (this.refitted?.fragment.device.media_write_us as number | undefined) ?? null,
      calibration_media_mbps: calibrationMedia(this.cal) ?? null,
      session_media_mbps: (this.refitted?.fragment.device.media_mbps as number | undefined) ?? null,
      session: this.refitted?.fits.flush_level_session ?? null,
    };
  }

  /** validation.json's `calibration.session`: null until refitted. */
  report(): SessionReport | null {
    if (!this.refitted) return null;
    const d = this.refitted.fragment.device;
    return {
      profile: basename(this.profile), flush_us: d.flush_us as number, flush_cv: d.flush_cv as number, flush_floor: (d.flush_floor as number | undefined) ?? 0, flush_empty_us: d.flush_empty_us as number,
      media_write_us: (d.media_write_us as number | undefined) ?? null, calibration_media_write_us: (this.cal.fragment.device.media_write_us as number | undefined) ?? null,
      media_mbps: (d.media_mbps as number | undefined) ?? null, calibration_media_mbps: calibrationMedia(this.cal) ?? null,
      calibration_flush_us: this.cal.fragment.device.flush_us as number, level: this.refitted.fits.flush_level_session!,
    };
  }

  /** Removes the probe's scratch directory. */
  close(): void {
    this.prober.close();
    this.release();
  }
}

