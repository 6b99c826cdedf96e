/**
 * What the CPU probe's writeback samples (n scattered dirty pages written
 * back by sync_file_range, n = 1, 8, 32, 64: msync's data path without the
 * mapping and the FLUSH) give the profile: the write latency as writeback
 * meets it (their wall less CPU time at one page), the same in each session
 * probe of `npm run validate`, and the session's CPU speed. And what they
 * would make of the submission stage's cost a write, reported beside the
 * batches' and not used.
 *
 * Why the stage stays the batches': fio's batches (`qb-write-N`) keep the
 * virtual disk busy, one batch after the other, while an msync sends one
 * batch after its CPU work; at 00:22 UTC on 2026-12-04, 32 writes submitted
 * together by libaio completed 362–414 µs after their submission (about
 * 11–12 µs a write), and 32 scattered pages written back by
 * sync_file_range spent 239–307 µs off the CPU (6.5–8.8 µs a write past
 * the first). But the validation jobs' msyncs followed the batches: in the
 * validation of 00:47 UTC, replaying its traces with submit_command_us from
 * writeback (6.63 µs a write) gave a summed demerit of 1349.9 % and 1 job
 * meeting the targets, with the batches' (13.91 µs) 1239.4 % and 4
 * (docs/validation.md, "Writeback as msync meets it").
 */
import type { Spread, WritebackFigures } from '../measure/cpu-fit.ts';
import type { FittedValue } from './calibration.ts';
import type { SubmissionFit } from './submission-fit.ts';

/** What writeback's line makes of the stage (reported in `fits.writeback_stage`, not in the profile). */
export interface WritebackStage {
  /** The writeback samples' off-CPU slope: the stage's cost a write they give (µs). */
  submit_command_us: number;
  /** The batch line's slope (µs a write). */
  batch_slope_us: number;
  /** The batch fit's submit_command_us, which the profile keeps. */
  batch_submit_command_us: number;
  off_cpu_page_us: Spread;
  off_cpu_by_n: WritebackFigures['off_cpu_by_n'];
  provenance: FittedValue;
}

/**
 * What the writeback samples make of the stage `serial`'s cost a write:
 * their off-CPU slope (median over repetitions, rounded by `round`), beside
 * the batch fit's; null when there are no writeback samples or the slope is
 * not positive.
 */
export function writebackStage(serial: SubmissionFit, wb: WritebackFigures | null, round: (v: number) => number = (v) => v): WritebackStage | null {
  if (!wb || !(wb.off_cpu_page_us.median_us > 0)) return null;
  const command = round(wb.off_cpu_page_us.median_us);
  const s = wb.off_cpu_page_us;
  const points = wb.off_cpu_by_n.map((p) => `${p.n}: ${p.median_us.toFixed(1)}`).join(', ');
  return {
    submit_command_us: command,
    batch_slope_us: serial.slope_us_per_command,
    batch_submit_command_us: serial.submit_command_us,
    off_cpu_page_us: s,
    off_cpu_by_n: wb.off_cpu_by_n,
    provenance: {
      value: command, r2: null, n: s.reps,
      from: `cpu (probe cpu-costs.c, writeback samples): n scattered dirty pages written back by sync_file_range, the slope of wall less CPU time over n = 1 .. 32 (one block plug), median of ${s.reps} repetitions, IQR ${round(s.q1_us)} .. ${round(s.q3_us)} µs; median µs off the CPU by n: ${points}. Reported beside the batch fit's ${serial.submit_command_us} µs (slope ${serial.slope_us_per_command.toFixed(2)} µs a write of fio's back-to-back batches), which the profile keeps`,
    },
  };
}

/**
 * `device.write_latency` as writeback meets it: the probe's off-CPU time of
 * one scattered page (its median) less `turnUs` (the submission stage's
 * turn of one command, when the latency follows it), in the shape (dist,
 * cv) of the QD1 O_DIRECT fit `lat` (its relative spread: taking the stage
 * off while keeping the standard deviation, as for the O_DIRECT latency,
 * gave a cv of 0.998 on a mean of 9.22 µs at 01:05 UTC); a constant 0 when
 * nothing is left; null without writeback samples. fio's QD1 O_DIRECT
 * write also spends the guest's CPU on its own path (pinning the buffer,
 * building the bio), which an msync spends as `cpu.clean_page_us` and
 * `cpu.clean_io_us`: at 00:36 UTC on 2026-12-04 a 4k O_DIRECT write took
 * 74.2 µs at the median, while one page written back spent 27.2 µs off
 * the CPU.
 */
export function writebackLatency<L extends { dist: string; mean_us: number }>(lat: L, wb: WritebackFigures | null, turnUs = 0, round: (v: number) => number = (v) => v): { latency: L | { dist: 'constant'; mean_us: 0 }; provenance: string } | null {
  if (!wb || !(wb.off_cpu_one_us > 0)) return null;
  const mean = round(Math.max(0, wb.off_cpu_one_us - turnUs));
  return {
    latency: mean > 0 ? { ...lat, mean_us: mean } : { dist: 'constant', mean_us: 0 },
    provenance: `cpu (probe cpu-costs.c, writeback samples): one scattered dirty page written back by sync_file_range, wall less CPU time, median ${round(wb.off_cpu_one_us)} µs over ${wb.cpu_page_us.reps} repetitions${turnUs > 0 ? `, less the submission stage's turn of one command (${round(turnUs)} µs: submit_us + submit_command_us; the latency follows it)` : ''}, in the shape of lat-write-* (${JSON.stringify(lat)}: O_DIRECT QD1, which adds the guest's CPU of its own path)`,
  };
}

/** The session's writeback: the write latency from the probes run between the jobs. */
export interface SessionWriteback {
  /** Each probe's off-CPU time of one page (µs) and slope (µs a write, reported). */
  probes: { slope_us: number; one_us: number }[];
  /** The mean of the probes' one-page times, less the stage's turn when the latency follows it: write_latency's mean. */
  write_latency_us: number;
}

/**
 * `device.write_latency` of a session (pure) from its probes' writeback
 * samples (`probes`: each one's off-CPU slope and one-page time), when the
 * calibration took its write latency from writeback: the mean of the
 * one-page times, less `submit_us` + `submit_command_us` of `device` when
 * the latency follows its turn in a stage, in the shape (dist, cv) of its
 * `write_latency`. Null without such probes.
 */
export function sessionWriteback(device: Record<string, unknown>, probes: readonly { slope_us: number; one_us: number }[], round: (v: number) => number = (v) => v): { report: SessionWriteback; device: Record<string, unknown>; fitted: Record<string, FittedValue> } | null {
  const kept = probes.filter((p) => Number.isFinite(p.one_us) && p.one_us > 0);
  const lat = device.write_latency as { dist: string; mean_us: number } | undefined;
  if (kept.length === 0 || !lat) return null;
  const ones = kept.map((p) => p.one_us);
  const mean = ones.reduce((a, b) => a + b, 0) / ones.length;
  const stage = typeof device.submit_us === 'number' && device.submit_overlap !== true ? (device.submit_us as number) + ((device.submit_command_us as number | undefined) ?? 0) : 0;
  const left = round(Math.max(0, mean - stage));
  // nothing left after the stage's turn: a constant 0, as in the calibration (a lognormal needs a mean above 0)
  const latency = left > 0 ? { ...lat, mean_us: left } : { dist: 'constant', mean_us: 0 };
  return {
    report: { probes: kept.map((p) => ({ slope_us: round(p.slope_us), one_us: round(p.one_us) })), write_latency_us: latency.mean_us },
    device: { write_latency: latency },
    fitted: {
      'device.write_latency': {
        value: latency, r2: null, n: kept.length,
        from: `session probes: the writeback samples of the CPU probe (one scattered dirty page written back by sync_file_range, wall less CPU time) run with each FLUSH probe between the jobs, the mean of ${kept.length} medians (${ones.map((x) => round(x)).join(', ')} µs)${stage > 0 ? ` less the stage's turn (${round(stage)} µs: submit_us + submit_command_us)` : ''}; the calibration's: ${JSON.stringify(lat)}`,
      },
    },
  };
}

/** The session's CPU speed against the calibration's. */
export interface SessionCpu {
  /** Mean of the probes' one-page writeback CPU medians over the calibration's. */
  scale: number;
  calibration_us: number;
  session_us: number;
  probes: number;
}

/**
 * The `cpu.*` keys of a session (pure): each of `cpu` times the mean of
 * `probesOneUs` (each session probe's CPU time of writing back one page)
 * over `calibrationOneUs` (the calibration's). Under a hypervisor the
 * guest's CPU slows when the host is busy: at 00:27 UTC on 2026-12-04 an
 * msync(MS_SYNC) of one dirty page took 41–43 µs of the thread's CPU, at
 * 00:44 87–93 µs. Except `clean_page_busy_us`: the session's
 * `clean_page_us` plus the calibration's busy-peer surcharge
 * (`clean_page_busy_us` − `clean_page_us`, at least 0) as it is. The
 * probes run with the other vCPU idle, so they time the page work, not the
 * hypervisor's flush of a running vCPU that the surcharge is. Over the 17
 * calibrations of 2026-12-04 (10:35–16:28 UTC) the page work ranged 4.91 ..
 * 7.69 µs and the surcharge 12.53 .. 19.29, correlated 0.28: the idle
 * probe says little of it. On 2026-12-04 at 17:07 UTC a tracefs trace of
 * `two-jobs` took 339 µs (median) from msync's entry to its first write;
 * the replay of its validation a minute before (session scale 0.526)
 * 226 µs with the surcharge scaled, 338 µs with it kept.
 * Null without a figure on either side.
 */
export function sessionCpu(cpu: Record<string, number> | undefined, calibrationOneUs: number | undefined, probesOneUs: readonly number[]): { report: SessionCpu; cpu: Record<string, number>; fitted: Record<string, FittedValue> } | null {
  const kept = probesOneUs.filter((x) => Number.isFinite(x) && x > 0);
  if (!cpu || kept.length === 0 || !(calibrationOneUs! > 0)) return null;
  const session = kept.reduce((a, b) => a + b, 0) / kept.length, scale = session / calibrationOneUs!;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const out: Record<string, number> = {}, fitted: Record<string, FittedValue> = {};
  for (const [k, v] of Object.entries(cpu)) {
    if (k === 'cv' || k === 'floor') {
      // a relative spread (or its floor), not a time: the session's speed leaves it
      out[k] = v;
      fitted[`cpu.${k}`] = { value: v, r2: null, n: kept.length, from: 'the calibration\'s (a relative spread: not scaled by the session\'s CPU speed)' };
      continue;
    }
    out[k] = r2(v * scale);
    fitted[`cpu.${k}`] = { value: out[k], r2: null, n: kept.length, from: `the calibration's ${v} µs × ${scale.toFixed(3)}: the session probes' CPU time of writing back one scattered page (sync_file_range) had a mean median of ${r2(session)} µs over ${kept.length} probes, against ${r2(calibrationOneUs!)} µs in the calibration` };
  }
  const idle = cpu.clean_page_us, busy = cpu.clean_page_busy_us;
  if (typeof idle === 'number' && typeof busy === 'number') {
    const surcharge = Math.max(0, busy - idle);
    out.clean_page_busy_us = r2(out.clean_page_us! + surcharge);
    fitted['cpu.clean_page_busy_us'] = { value: out.clean_page_busy_us, r2: null, n: kept.length, from: `the session's clean_page_us ${out.clean_page_us} µs (the calibration's ${idle} × ${scale.toFixed(3)}) + the calibration's busy-peer surcharge ${r2(surcharge)} µs (clean_page_busy_us ${busy} − clean_page_us ${idle}), not scaled: the session probes run beside an idle vCPU` };
  }
  return { report: { scale, calibration_us: calibrationOneUs!, session_us: session, probes: kept.length }, cpu: out, fitted };
}
