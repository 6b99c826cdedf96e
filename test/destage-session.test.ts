/**
 * The session's destage (scripts/validate/destage-session.ts): the
 * calibration's per-write destage slope scaled by how much the session
 * probes' FLUSH after 32 writes exceeds their FLUSH after one, against the
 * same difference in the calibration's flush steps. Values worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { destageProbe, sessionDestage, SESSION_DESTAGE_WRITES } from '../scripts/validate/destage-session.ts';
import { withSessionLevel, type SessionProbe } from '../scripts/validate/flush-level.ts';
import type { Calibration, StepReport } from '../scripts/validate/calibration.ts';

const lat = (mean_us: number, p50_us: number | null = null) => ({ count: 10, mean_us, stddev_us: 0, p50_us, p90_us: p50_us, p99_us: p50_us });
const step = (name: string, kind: StepReport['kind'], bytes: number, l: ReturnType<typeof lat> | null, sync: ReturnType<typeof lat> | null = null, writes?: number): StepReport =>
  ({ name, kind, bytes, depth: 1, iops: 0, latency: l, sync, ...(writes === undefined ? {} : { writes }) });

/** A calibration whose FLUSH after N writes costs 300 + 12 (N − 1) µs (mean and median): destage on FLUSH, 12 µs a write; flush-32 − flush = 372 µs. */
function calibration(): Calibration {
  const steps: StepReport[] = [
    step('lat-write-4k', 'latency', 4096, lat(36.384)),
    step('lat-write-1m', 'latency', 1 << 20, lat(4214.304)),
    ...[1, 8, 32, 128].map((w) => step(w === 1 ? 'flush' : `flush-${w}`, 'flush', 4096, lat(30), lat(300 + 12 * (w - 1), 300 + 12 * (w - 1)), w)),
  ];
  return {
    steps,
    fragment: { device: { profile: 'sata-ssd', channels: 2, write_cache: true, flush_us: 288, flush_empty_us: 70, flush_cv: 0.1, destage: 'on_flush', media_write_us: 0 } },
    fitted: {},
    // write bandwidth 250 MB/s: a 4 KiB transfer takes 16.384 µs
    fits: { write: { latency: { dist: 'constant', mean_us: 20 }, bandwidth_mbps: 250, r2: 1, n: 2 }, flush: { write_cache: true, flush_us: 288, write_cache_source: 'sysfs' }, flush_level: lat(300, 300), flush_empty: lat(70, 70), destage: { destage: 'on_flush', slope_us_per_write: 12, media_write_us: 0, flush_us: 300, intercept_us: 300, r2: 1, n: 4 } },
    size_bytes: 4 << 20, step_ms: 400, syncsim_version: 'test', fio_version: 'fio-test', dir: '/x', filesystem: 'ext4', block_device: null, quick: true,
    files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
  } as unknown as Calibration;
}

describe('sessionDestage: the scale of the calibration\'s destage slope', () => {
  it('probes whose 32 writes add 186 µs (a mean of 150 and 222) against the calibration\'s 372: scale 0.5', () => {
    const d = sessionDestage(calibration(), [{ one_us: 100, n_us: 250, writes: 32 }, { one_us: 200, n_us: 422, writes: 32 }])!;
    expect(d).toEqual({ scale: 0.5, calibration_increment_us: 372, session_increment_us: 186, writes: 32, probes: 2 });
  });

  it('null without probes, without the calibration\'s flush-32 step, or when either difference is not positive', () => {
    const cal = calibration();
    expect(sessionDestage(cal, [])).toBeNull();
    expect(sessionDestage({ ...cal, steps: cal.steps.filter((s) => s.name !== 'flush-32') }, [{ one_us: 100, n_us: 250, writes: 32 }])).toBeNull();
    expect(sessionDestage(cal, [{ one_us: 300, n_us: 280, writes: 32 }])).toBeNull();
  });

  it('a probe\'s destage part: the median of its 1-write fdatasyncs beside the N-write step\'s median', () => {
    expect(destageProbe([90, 100, 300], 500)).toEqual({ one_us: 100, n_us: 500, writes: SESSION_DESTAGE_WRITES });
    expect(destageProbe([90], null)).toBeUndefined();
    expect(destageProbe([], 500)).toBeUndefined();
  });
});

describe('withSessionLevel with the destage parts', () => {
  const probe = (us: number[], destage?: SessionProbe['destage']): SessionProbe => ({ label: 'p', at: '2026-12-03T12:00:00.000Z', us, ...(destage ? { destage } : {}) });

  it('32 writes add 744 µs in the session (twice the calibration\'s 372): slope 24 µs, media_write_us 24 − 16.384, flush_us the level 400 less 24', () => {
    const s = withSessionLevel(calibration(), [probe(Array(10).fill(400), { one_us: 400, n_us: 1144, writes: 32 })])!;
    expect(s.fragment.device.flush_cv).toBe(0);
    expect(s.fragment.device.media_write_us).toBe(7.62);
    expect(s.fragment.device.flush_us).toBe(376);
    expect(s.fits.flush_level_session!.destage).toMatchObject({ scale: 2, session_increment_us: 744, calibration_increment_us: 372 });
    expect(s.fitted['device.media_write_us']!.from).toMatch(/^session FLUSH probes: the calibration's destage slope 12 µs a write × 2 \(fdatasync after 32 writes less after one: 744 µs, the mean over 1 probes, against 372 µs/);
  });

  it('a FLUSH that does not grow with one write\'s size: the write\'s destage leaves out a page at the profile\'s own media rate, an earlier rule\'s or the new', () => {
    // flush-size-1m as slow as the 1-write FLUSH (300 µs): the steps give no time a byte (media_mbps 1e6 by the rule of 2026-12-05, evening)
    const flat = (media_mbps: number): Calibration => {
      const c = calibration();
      return { ...c, steps: [...c.steps, step('flush-size-1m', 'flush-size', 1 << 20, lat(300), lat(300, 300), 1)], fragment: { ...c.fragment, device: { ...c.fragment.device, media_mbps } } } as Calibration;
    };
    const session = [probe(Array(10).fill(400), { one_us: 400, n_us: 1144, writes: 32 })];
    // a profile of the earlier rule kept the O_DIRECT rate (250 MB/s): 24 − 4096 / 250 = 7.616, as before
    expect(withSessionLevel(flat(250), session)!.fragment.device.media_write_us).toBe(7.62);
    // a profile of the new rule (1e6): 24 − 4096 / 1e6 = 23.995904
    expect(withSessionLevel(flat(1e6), session)!.fragment.device.media_write_us).toBe(24);
  });

  it('without destage parts the calibration\'s media_write_us stays and flush_us is the level less its slope (12)', () => {
    const s = withSessionLevel(calibration(), [probe(Array(10).fill(400))])!;
    expect(s.fragment.device.media_write_us).toBe(0);
    expect(s.fragment.device.flush_us).toBe(388);
    expect(s.fits.flush_level_session!.destage).toBeNull();
    expect(s.fitted['device.media_write_us']).toBeUndefined();
  });
});
