/**
 * The CPU costs of a calibration: the probe of `npm run measure:cpu`
 * (cpu-costs.c) run on the file system under `--dir`, so that
 * `cpu.clean_page_us` and the other per-page costs are those of that file
 * system and device driver (a journal adds about 2.4 µs to each page an
 * msync cleans, a loop device about 1 µs, on the development machine).
 */
import type { CpuFigures, Spread } from '../measure/cpu-fit.ts';
import type { FittedValue } from './calibration.ts';
import { lognormalCv, Z90 } from './lognormal-fit.ts';

/** The `cpu.*` keys a calibration sets, with what the probe timed for each. */
const CPU_FITS = [
  ['syscall_us', 'msync(1 page, MS_ASYNC) of a clean page, per call'],
  ['fault_page_us', 'first store to a cached, clean page of a MAP_SHARED file mapping (slope over pages)'],
  ['clean_page_us', 'msync(MS_SYNC) CPU time per dirty page written (slope over pages)'],
  ['clean_page_busy_us', 'msync(MS_SYNC) CPU time per dirty page written while another CPU runs a busy loop (slope over 16 .. 256 pages)'],
  ['wire_page_us', 'mlock of cached pages not yet mapped (slope over pages)'],
] as const satisfies readonly (readonly [keyof CpuFigures, string])[];

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * The `cpu` section of a calibration's fragment and its provenance: each key
 * the median over the probe's repetitions (µs of the calling thread's CPU
 * time), its interquartile range in the comment.
 */
export function cpuCalibration(f: CpuFigures, where: string): { cpu: Record<string, number>; fitted: Record<string, FittedValue> } {
  const cpu: Record<string, number> = {};
  const fitted: Record<string, FittedValue> = {};
  for (const [key, what] of CPU_FITS) {
    const s = f[key] as Spread | null;
    if (s === null) continue; // one CPU: no busy loop beside the probe, and clean_page_busy_us follows clean_page_us
    cpu[key] = round2(s.median_us);
    fitted[`cpu.${key}`] = {
      value: cpu[key], r2: null, n: s.reps,
      from: `cpu: probe cpu-costs.c on ${where}: ${what}; median of ${s.reps} repetitions, IQR ${round2(s.q1_us)} .. ${round2(s.q3_us)} µs of the thread's CPU time`,
    };
  }
  const io = cleanIo(f);
  if (io !== null) {
    cpu.clean_io_us = io;
    fitted['cpu.clean_io_us'] = {
      value: io, r2: null, n: f.clean_scattered_page_us!.reps,
      from: `cpu: probe cpu-costs.c on ${where}: the msync(MS_SYNC) CPU slope over scattered dirty pages, one write each (${round2(f.clean_scattered_page_us!.median_us)} µs a page, 1 .. 32 pages; median of ${f.clean_scattered_page_us!.reps} slopes), less clean_page_us (${round2(f.clean_page_us.median_us)}: long runs, many pages a write), at least 0`,
    };
  }
  const call = writebackCall(f, cpu.syscall_us);
  if (call !== null) {
    cpu.writeback_call_us = call;
    fitted['cpu.writeback_call_us'] = {
      value: call, r2: null, n: f.writeback!.cpu_page_us.reps,
      from: `cpu: probe cpu-costs.c on ${where}: sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER) of one scattered dirty page, CPU time (median ${round2(f.writeback!.cpu_one_us)} µs), less one page's (the slope over 1 .. 32 pages, ${round2(f.writeback!.cpu_page_us.median_us)} µs) and syscall_us (${cpu.syscall_us ?? 0} µs), at least 0: the set-up of a data-integrity writeback, its sleep and its wake-up`,
    };
  }
  const cv = cpuCvOf(f);
  if (cv !== null) {
    const c = f.clean_call!;
    cpu.cv = cv;
    fitted['cpu.cv'] = {
      value: cpu.cv, r2: null, n: c.count,
      from: `cpu: probe cpu-costs.c on ${where}: the CPU time of one msync(MS_SYNC) of ${c.pages} scattered dirty pages, ${c.count} calls: median ${round2(c.p50_us)} µs, 90th percentile ${round2(c.p90_us)} µs, as a lognormal's spread (σ = ln(p90 / p50) / 1.2816; the 90th, not the 99th: of ${c.count} calls the 99th percentile is one call)`,
    };
  }
  return { cpu, fitted };
}

/** Calls of the probe's 8-page msync below which `cpu.cv` is not fitted. */
const MIN_SPREAD_CALLS = 10;

/** `cpu.cv` of a probe run ({@link cpuCv} of its 8-page calls); null with fewer than {@link MIN_SPREAD_CALLS} of them. */
export function cpuCvOf(f: CpuFigures): number | null {
  const c = f.clean_call;
  return c && c.count >= MIN_SPREAD_CALLS ? cpuCv(c.p50_us, c.p90_us) : null;
}

/**
 * `cpu.cv`: the spread of an msync call's CPU time as a lognormal's cv,
 * through the median and the 90th percentile of the probe's calls (0 when
 * the p90 is not above the median).
 */
export function cpuCv(p50Us: number, p90Us: number): number {
  return lognormalCv(p50Us, p90Us, Z90);
}

/**
 * `cpu.writeback_call_us`: the CPU line of the probe's writeback samples at
 * 0 pages (the n = 1 median less the slope) less `syscallUs`, at least 0;
 * null from a probe without writeback samples.
 */
export function writebackCall(f: CpuFigures, syscallUs = 0): number | null {
  const w = f.writeback;
  if (!w || !Number.isFinite(w.cpu_one_us)) return null;
  return Math.max(0, round2(w.cpu_one_us - w.cpu_page_us.median_us - syscallUs));
}

/**
 * `cpu.clean_io_us`: what a page costs the CPU when it is a write of its
 * own, beyond a page of a long run (clean_page_us); null from a probe
 * without scattered samples.
 */
export function cleanIo(f: CpuFigures): number | null {
  if (!f.clean_scattered_page_us) return null;
  return Math.max(0, round2(f.clean_scattered_page_us.median_us - f.clean_page_us.median_us));
}

/**
 * `device.busy_latency_us` and `device.busy_flush_us` from the probe's
 * `device_*` samples (one scattered page written back, then its fdatasync,
 * alone and while another CPU runs a busy loop, pinned each way round):
 * each the mean of the placements' busy medians less the median alone, at
 * least 0; null without those samples (one CPU, or a probe before them).
 */
export function busyDeviceKeys(f: CpuFigures, where: string): { device: Record<string, number>; fitted: Record<string, FittedValue> } | null {
  const b = f.device_busy;
  if (!b) return null;
  const write = round2(Math.max(0, b.write_busy_us - b.write_us)), flush = round2(Math.max(0, b.flush_busy_us - b.flush_us));
  const from = (what: string, alone: number, busy: number, key: 'write_us' | 'flush_us') =>
    `cpu: probe cpu-costs.c on ${where}: ${what} (wall less CPU time), ${round2(busy)} µs while another CPU runs a busy loop (the mean of the medians with the probe and the loop pinned each way round on two CPUs: ${b.placements.map((p) => round2(p[key])).join(' and ')} µs; the device's interrupt goes to one of them) against a median of ${round2(alone)} µs alone, at least ${b.count} samples each, taken side by side in each repetition; the difference, at least 0`;
  return {
    device: { busy_latency_us: write, busy_flush_us: flush },
    fitted: {
      'device.busy_latency_us': { value: write, r2: null, n: b.count, from: from('the writeback of one scattered page by sync_file_range', b.write_us, b.write_busy_us, 'write_us') },
      'device.busy_flush_us': { value: flush, r2: null, n: b.count, from: from('the fdatasync after it (the FLUSH)', b.flush_us, b.flush_busy_us, 'flush_us') },
    },
  };
}
