/**
 * The writeback samples of the CPU probe (cpu-costs.c `clean_scattered` and
 * `writeback`): their figures (cpu-fit.ts), cpu.clean_io_us
 * (cpu-calibration.ts) and the stage's cost a write from writeback
 * (writeback-stage.ts). Expected values are worked out by hand from the
 * samples written here.
 */
import { describe, expect, it } from 'vitest';
import { cpuFigures, parseSamples, writebackFigures, type CpuFigures, type Sample } from '../scripts/measure/cpu-fit.ts';
import { cleanIo, cpuCalibration, writebackCall } from '../scripts/validate/cpu-calibration.ts';
import { sessionCpu, sessionWriteback, writebackLatency, writebackStage } from '../scripts/validate/writeback-stage.ts';
import type { SubmissionFit } from '../scripts/validate/submission-fit.ts';
import { resolveConfig } from '../sim/config.ts';

/** One repetition's samples at n = 1, 8, 32, 64 (in the probe's rotated order): wall = a + b n µs, cpu = c + d n µs. */
function rep(metric: string, r: number, wall: (n: number) => number, cpu: (n: number) => number): Sample[] {
  const ns = [1, 8, 32, 64];
  return ns.map((_, i) => ns[(i + r) % 4]!).map((n) => ({ metric, n, wallNs: wall(n) * 1000, cpuNs: cpu(n) * 1000 }));
}

describe('writeback figures of the CPU probe', () => {
  // off the CPU: 30 + 7 n up to 32 pages, then only 4 µs a page more (the plug sent the first 32 while the CPU did the rest)
  const off = (n: number) => (n <= 32 ? 30 + 7 * n : 30 + 7 * 32 + 4 * (n - 32));
  const samples: Sample[] = [];
  for (let r = 0; r < 3; r++) samples.push(...rep('writeback', r, (n) => 27 + 3 * n + off(n) + r, (n) => 27 + 3 * n));

  it('fits the slopes over n ≤ 32 (one block plug): CPU 3 µs a page, off the CPU 7', () => {
    const w = writebackFigures(samples)!;
    expect(w.cpu_page_us.median_us).toBeCloseTo(3, 9);
    expect(w.off_cpu_page_us.median_us).toBeCloseTo(7, 9);
    expect(w.off_cpu_page_us.reps).toBe(3);
    // the median of 37, 38, 39 µs at n = 1
    expect(w.off_cpu_one_us).toBeCloseTo(38, 9);
    expect(w.off_cpu_by_n.map((p) => p.n)).toEqual([1, 8, 32, 64]);
    expect(w.off_cpu_by_n[3]!.median_us).toBeCloseTo(30 + 224 + 128 + 1, 9); // 383
  });

  it('is null without writeback samples (a probe before them)', () => {
    expect(writebackFigures(samples.map((s) => ({ ...s, metric: 'clean' })))).toBeNull();
  });

  it('parses from the probe lines, and cpuFigures carries it with the scattered clean slope', () => {
    const base = ['page_size,4096,0,0', 'msync_async,200,1000,1000', 'mlock_munlock,200,1000,1000', 'msync_async_range,200,1000,1000'];
    const lines = (s: Sample[]) => s.map((x) => `${x.metric},${x.n},${x.wallNs},${x.cpuNs}`);
    const two = (metric: string, a: number, b: number) => lines([{ metric, n: 64, wallNs: (a + b * 64) * 1000, cpuNs: (a + b * 64) * 1000 }, { metric, n: 512, wallNs: (a + b * 512) * 1000, cpuNs: (a + b * 512) * 1000 }]);
    const scattered = rep('clean_scattered', 0, (n) => 100 + 5 * n, (n) => 40 + 3.5 * n);
    const text = [...base, ...two('fault', 0, 2), ...two('wire', 0, 0.5), ...two('clean', 10, 1.5), ...lines(scattered), ...lines(samples)].join('\n') + '\n';
    const f = cpuFigures(parseSamples(text));
    expect(f.clean_page_us.median_us).toBeCloseTo(1.5, 9);
    expect(f.clean_scattered_page_us!.median_us).toBeCloseTo(3.5, 9);
    expect(f.writeback!.off_cpu_page_us.median_us).toBeCloseTo(7, 9);
    // cpu.clean_io_us = 3.5 − 1.5
    expect(cleanIo(f)).toBe(2);
    const { cpu, fitted } = cpuCalibration(f, 'd');
    expect(cpu.clean_io_us).toBe(2);
    expect(fitted['cpu.clean_io_us']!.from).toMatch(/scattered dirty pages, one write each \(3\.5 µs a page/);
    expect(resolveConfig({ cpu }).cpu.clean_io_us).toBe(2);
  });
});

describe('cpu.clean_io_us from the probe', () => {
  const sp = (median_us: number) => ({ median_us, q1_us: median_us, q3_us: median_us, reps: 8 });
  const f = { clean_page_us: sp(1.35), clean_scattered_page_us: sp(3.54) } as unknown as CpuFigures;
  it('is the scattered slope less clean_page_us, two decimals, never below 0, null without scattered samples', () => {
    expect(cleanIo(f)).toBe(2.19);
    expect(cleanIo({ ...f, clean_scattered_page_us: sp(1.2) })).toBe(0);
    expect(cleanIo({ ...f, clean_scattered_page_us: null })).toBeNull();
  });
});

describe('the submission stage\'s cost a write as writeback would have it (reported)', () => {
  const batch: SubmissionFit = {
    submit_from: 'unbatched peak', submit_us: 3.5, submit_command_us: 11.5, serial_us: 15,
    slope_us_per_command: 11.5, intercept_us: 40, r2: 0.99, n: 4, unbatched_us: 15,
  };
  const wb = (slope: number) => ({
    cpu_page_us: { median_us: 3, q1_us: 2.8, q3_us: 3.3, reps: 20 },
    off_cpu_page_us: { median_us: slope, q1_us: slope - 0.5, q3_us: slope + 0.5, reps: 20 },
    off_cpu_one_us: 30, cpu_one_us: 28, off_cpu_by_n: [{ n: 1, median_us: 30 }, { n: 32, median_us: 30 + 31 * slope }],
  });

  it('is the off-CPU slope, beside the batch fit\'s figures, with its provenance', () => {
    const s = writebackStage(batch, wb(6.451), (v) => Math.round(v * 100) / 100)!;
    expect(s.submit_command_us).toBe(6.45);
    expect(s.batch_slope_us).toBe(11.5);
    expect(s.batch_submit_command_us).toBe(11.5);
    expect(s.provenance.value).toBe(6.45);
    expect(s.provenance.n).toBe(20);
    expect(s.provenance.from).toMatch(/median µs off the CPU by n: 1: 30\.0, 32: 230\.0/);
  });

  it('is null without writeback samples or when the line does not rise', () => {
    expect(writebackStage(batch, null)).toBeNull();
    expect(writebackStage(batch, wb(0))).toBeNull();
    expect(writebackStage(batch, wb(-1))).toBeNull();
  });
});

describe('the write latency as writeback meets it', () => {
  const wb = { cpu_page_us: { median_us: 2.5, q1_us: 2, q3_us: 3, reps: 20 }, off_cpu_page_us: { median_us: 6, q1_us: 5, q3_us: 7, reps: 20 }, off_cpu_one_us: 27.17, cpu_one_us: 26.9, off_cpu_by_n: [] };
  it('is the one-page off-CPU median, less the stage\'s turn when the latency follows it, in the QD1 fit\'s shape (dist, cv kept); null without samples', () => {
    const r2 = (v: number) => Math.round(v * 100) / 100;
    const r = writebackLatency({ dist: 'lognormal' as const, mean_us: 74.2, cv: 0.23 }, wb, 0, r2)!;
    expect(r.latency).toEqual({ dist: 'lognormal', mean_us: 27.17, cv: 0.23 });
    expect(r.provenance).toMatch(/median 27\.17 µs over 20 repetitions, in the shape/);
    const turn = writebackLatency({ dist: 'lognormal' as const, mean_us: 74.2, cv: 0.23 }, wb, 11.41, r2)!;
    expect(turn.latency).toEqual({ dist: 'lognormal', mean_us: 15.76, cv: 0.23 }); // 27.17 − 11.41, the relative spread kept
    expect(turn.provenance).toMatch(/less the submission stage's turn of one command \(11\.41 µs/);
    expect(writebackLatency({ dist: 'lognormal' as const, mean_us: 74.2, cv: 0.23 }, wb, 30, r2)!.latency).toEqual({ dist: 'constant', mean_us: 0 });
    expect(writebackLatency({ dist: 'constant' as const, mean_us: 70 }, null)).toBeNull();
    expect(writebackLatency({ dist: 'constant' as const, mean_us: 70 }, { ...wb, off_cpu_one_us: NaN })).toBeNull();
  });

  it('cpu.writeback_call_us: the one-page CPU median less the slope and syscall_us, at least 0', () => {
    const f = { writeback: wb } as unknown as CpuFigures;
    expect(writebackCall(f, 0.21)).toBe(24.19); // 26.9 − 2.5 − 0.21
    expect(writebackCall({ writeback: { ...wb, cpu_one_us: 2 } } as unknown as CpuFigures, 0.21)).toBe(0);
    expect(writebackCall({ writeback: null } as unknown as CpuFigures)).toBeNull();
  });
});

describe('the session\'s write latency from writeback', () => {
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const probes = [{ slope_us: 5, one_us: 30 }, { slope_us: 7, one_us: 40 }];
  it('after its turn: the mean one-page time less submit_us + submit_command_us, the shape kept', () => {
    const device = { write_latency: { dist: 'lognormal', mean_us: 21.38, cv: 0.3 }, submit_us: 1, submit_command_us: 13.91 };
    const s = sessionWriteback(device, probes, r2)!;
    expect(s.device).toEqual({ write_latency: { dist: 'lognormal', mean_us: 20.09, cv: 0.3 } }); // 35 − 14.91
    expect(s.report).toEqual({ probes, write_latency_us: 20.09 });
    expect(s.fitted['device.write_latency']!.from).toMatch(/the mean of 2 medians \(30, 40 µs\) less the stage's turn \(14\.91 µs/);
  });

  it('a constant 0 when the stage\'s turn leaves nothing (a lognormal needs a mean above 0)', () => {
    const s = sessionWriteback({ write_latency: { dist: 'lognormal', mean_us: 20, cv: 0.3 }, submit_us: 0, submit_command_us: 40 }, probes, r2)!;
    expect(s.device).toEqual({ write_latency: { dist: 'constant', mean_us: 0 } });
  });

  it('beside the stage (submit_overlap) or without one nothing is taken off; null without probes', () => {
    expect(sessionWriteback({ write_latency: { dist: 'constant', mean_us: 70 }, submit_us: 0, submit_command_us: 9, submit_overlap: true }, probes, r2)!.device).toEqual({ write_latency: { dist: 'constant', mean_us: 35 } });
    expect(sessionWriteback({ write_latency: { dist: 'constant', mean_us: 70 } }, probes, r2)!.device).toEqual({ write_latency: { dist: 'constant', mean_us: 35 } });
    expect(sessionWriteback({ write_latency: { dist: 'constant', mean_us: 70 } }, [], r2)).toBeNull();
  });
});

describe('the session\'s CPU speed', () => {
  it('scales every cpu.* key by the probes\' mean one-page writeback CPU over the calibration\'s', () => {
    const s = sessionCpu({ clean_page_us: 1.05, clean_io_us: 1.8, syscall_us: 0.21 }, 27, [50, 58])!;
    expect(s.report).toEqual({ scale: 2, calibration_us: 27, session_us: 54, probes: 2 });
    expect(s.cpu).toEqual({ clean_page_us: 2.1, clean_io_us: 3.6, syscall_us: 0.42 });
    expect(s.fitted['cpu.clean_io_us']!.from).toMatch(/1\.8 µs × 2\.000/);
  });
  it('keeps the calibration\'s busy-peer surcharge of clean_page_busy_us as it is, on top of the scaled clean_page_us', () => {
    // the traced session of 2026-12-04 17:07: calibration 7.69 / 24.82 µs, scale 0.526
    const s = sessionCpu({ clean_page_us: 7.69, clean_page_busy_us: 24.82, fault_page_us: 16.39 }, 44.25, [23.27])!;
    expect(s.cpu.clean_page_us).toBeCloseTo(7.69 * 23.27 / 44.25, 2);
    expect(s.cpu.fault_page_us).toBeCloseTo(16.39 * 23.27 / 44.25, 2);
    expect(s.cpu.clean_page_busy_us).toBeCloseTo(s.cpu.clean_page_us! + (24.82 - 7.69), 2);
    expect(s.fitted['cpu.clean_page_busy_us']!.from).toMatch(/surcharge 17\.13 µs/);
    // a calibration whose busy figure is below its idle one: no surcharge, the busy cost is the idle one
    expect(sessionCpu({ clean_page_us: 8, clean_page_busy_us: 6 }, 20, [40])!.cpu).toEqual({ clean_page_us: 16, clean_page_busy_us: 16 });
    // without a busy figure nothing is added
    expect(sessionCpu({ clean_page_us: 8 }, 20, [40])!.cpu).toEqual({ clean_page_us: 16 });
  });
  it('is null without a calibration figure, a cpu section or a probe', () => {
    expect(sessionCpu({ clean_page_us: 1 }, undefined, [50])).toBeNull();
    expect(sessionCpu(undefined, 27, [50])).toBeNull();
    expect(sessionCpu({ clean_page_us: 1 }, 27, [])).toBeNull();
  });
});
