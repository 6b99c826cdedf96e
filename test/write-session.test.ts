/**
 * The session's write path (scripts/validate/write-session.ts): the
 * calibration's write latency and submission stage scaled by how the session
 * probes' writes (the flush-32 job's) moved against the calibration's
 * flush-32 step. Values worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { scaledWriteKeys, sessionWrite } from '../scripts/validate/write-session.ts';
import { withSessionLevel, type SessionProbe } from '../scripts/validate/flush-level.ts';
import type { Calibration, StepReport } from '../scripts/validate/calibration.ts';

const lat = (mean_us: number, p50_us: number | null = null) => ({ count: 10, mean_us, stddev_us: 0, p50_us, p90_us: p50_us, p99_us: p50_us });
const step = (name: string, l: ReturnType<typeof lat> | null, sync: ReturnType<typeof lat> | null, writes: number): StepReport =>
  ({ name, kind: 'flush', bytes: 4096, depth: 1, iops: 0, latency: l, sync, writes });

/** A calibration whose flush-32 step's writes had a median of 80 µs; a submission stage; continuous destage. */
function calibration(): Calibration {
  const steps: StepReport[] = [
    step('flush', lat(90, 85), lat(300, 300), 1),
    step('flush-32', lat(84, 80), lat(400, 400), 32),
  ];
  return {
    steps,
    fragment: { device: { profile: 'sata-ssd', channels: 64, write_cache: true, flush_us: 288, flush_empty_us: 70, flush_cv: 0.1, destage: 'continuous', media_write_us: 0, write_latency: { dist: 'lognormal', mean_us: 93.2, cv: 0.393 }, submit_us: 4.13, submit_command_us: 24.4, submit_overlap: true } },
    fitted: {},
    fits: { write: { latency: { dist: 'constant', mean_us: 20 }, bandwidth_mbps: 250, r2: 1, n: 2 }, flush: { write_cache: true, flush_us: 288, write_cache_source: 'sysfs' }, flush_level: lat(300, 300), flush_empty: lat(70, 70), destage: null },
    size_bytes: 4 << 20, step_ms: 400, syncsim_version: 'test', fio_version: 'fio-test', dir: '/x', filesystem: 'ext4', block_device: null, quick: true,
    files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
  } as unknown as Calibration;
}

describe('sessionWrite: the scale of the write path', () => {
  it('probes whose writes had medians of 50 and 70 µs (mean 60) against the calibration\'s 80: scale 0.75', () => {
    expect(sessionWrite(calibration(), [50, 70])).toEqual({ scale: 0.75, calibration_write_us: 80, session_write_us: 60, probes: 2 });
  });

  it('null without probes, without the calibration\'s flush-32 writes, or with no positive median', () => {
    const cal = calibration();
    expect(sessionWrite(cal, [])).toBeNull();
    expect(sessionWrite(cal, [0, Number.NaN])).toBeNull();
    expect(sessionWrite({ ...cal, steps: cal.steps.filter((s) => s.name !== 'flush-32') }, [60])).toBeNull();
    expect(sessionWrite({ ...cal, steps: cal.steps.map((s) => ({ ...s, latency: null })) }, [60])).toBeNull();
  });

  it('scales the latency\'s mean (its cv kept) and both stage costs, to 2 decimals, each with its provenance', () => {
    const w = { scale: 0.75, calibration_write_us: 80, session_write_us: 60, probes: 2 };
    const k = scaledWriteKeys(calibration().fragment.device, w);
    // 93.2 × 0.75 = 69.9; 4.13 × 0.75 = 3.0975 → 3.1; 24.4 × 0.75 = 18.3
    expect(k.device).toEqual({ write_latency: { dist: 'lognormal', mean_us: 69.9, cv: 0.393 }, submit_us: 3.1, submit_command_us: 18.3 });
    expect(k.fitted['device.submit_us']!.from).toMatch(/^the calibration's 4\.13 µs × 0\.750: the session probes' writes .* a median of 60\.00 µs, the mean over 2 probes, against 80\.00 µs/);
    // a device without a stage: the latency alone
    expect(Object.keys(scaledWriteKeys({ write_latency: { dist: 'constant', mean_us: 20 } }, w).device)).toEqual(['write_latency']);
  });
});

describe('withSessionLevel with the probes\' writes', () => {
  const probe = (write?: number): SessionProbe => ({ label: 'p', at: '2026-12-03T12:00:00.000Z', us: Array(10).fill(300), ...(write !== undefined ? { write_p50_us: write } : {}) });

  it('the session profile gets the scaled write keys and the report the scale and each probe\'s write', () => {
    const s = withSessionLevel(calibration(), [probe(40), probe(80)])!;
    expect(s.fits.flush_level_session!.write).toEqual({ scale: 0.75, calibration_write_us: 80, session_write_us: 60, probes: 2 });
    expect(s.fragment.device.write_latency).toEqual({ dist: 'lognormal', mean_us: 69.9, cv: 0.393 });
    expect(s.fragment.device.submit_us).toBe(3.1);
    expect(s.fragment.device.submit_overlap).toBe(true);
    expect(s.fits.flush_level_session!.probes.map((p) => p.write_p50_us)).toEqual([40, 80]);
  });

  it('without the probes\' writes the calibration\'s write keys stay', () => {
    const s = withSessionLevel(calibration(), [probe()])!;
    expect(s.fits.flush_level_session!.write).toBeNull();
    expect(s.fragment.device.write_latency).toEqual({ dist: 'lognormal', mean_us: 93.2, cv: 0.393 });
    expect(s.fragment.device.submit_command_us).toBe(24.4);
  });
});
