/**
 * The session's destage rate (scripts/validate/destage-rate-session.ts): the
 * calibration's media_mbps divided by how much the session probes' FLUSH
 * after one 1 MiB write exceeds their FLUSH after one 4 KiB write, against
 * the same difference in the calibration's flush and flush-size-1m steps.
 * Values worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { rateProbe, sessionDestageRate, SESSION_RATE_BYTES } from '../scripts/validate/destage-rate-session.ts';
import { withSessionLevel, type SessionProbe } from '../scripts/validate/flush-level.ts';
import type { Calibration, StepReport } from '../scripts/validate/calibration.ts';

const lat = (mean_us: number, p50_us: number | null = null) => ({ count: 10, mean_us, stddev_us: 0, p50_us, p90_us: p50_us, p99_us: p50_us });
const step = (name: string, kind: StepReport['kind'], bytes: number, l: ReturnType<typeof lat> | null, sync: ReturnType<typeof lat> | null = null, writes?: number): StepReport =>
  ({ name, kind, bytes, depth: 1, iops: 0, latency: l, sync, ...(writes === undefined ? {} : { writes }) });

/**
 * A calibration whose FLUSH after N 4k writes costs 300 + 12 (N − 1) µs, and after one write of 1 MiB 1000 µs (700 more than
 * after 4 KiB); its profile's media rate 1500 MB/s (as a fit of those steps would give, here set by hand).
 */
function calibration(flat = false): Calibration {
  const steps: StepReport[] = [
    step('lat-write-4k', 'latency', 4096, lat(36.384)),
    step('lat-write-1m', 'latency', 1 << 20, lat(4214.304)),
    ...[1, 8, 32, 128].map((w) => step(w === 1 ? 'flush' : `flush-${w}`, 'flush', 4096, lat(30), lat(300 + 12 * (w - 1), 300 + 12 * (w - 1)), w)),
    step('flush-size-1m', 'flush-size', 1 << 20, lat(600), lat(1000, 1000), 1),
  ];
  return {
    steps,
    fragment: { device: { profile: 'sata-ssd', channels: 2, write_cache: true, flush_us: 288, flush_empty_us: 70, flush_cv: 0.1, destage: 'on_flush', media_write_us: 9.27, media_mbps: 1500 } },
    fitted: {},
    fits: {
      write: { latency: { dist: 'constant', mean_us: 20 }, bandwidth_mbps: 250, r2: 1, n: 2 }, flush: { write_cache: true, flush_us: 288, write_cache_source: 'sysfs' }, flush_level: lat(300, 300), flush_empty: lat(70, 70),
      destage: { destage: 'on_flush', slope_us_per_write: 12, media_write_us: 9.27, flush_us: 300, intercept_us: 300, r2: 1, n: 4 },
      destage_rate: { media_mbps: 1500, slope_us_per_byte: 1 / 1500, intercept_us: 300, r2: 1, flat, points: [] },
    },
    size_bytes: 4 << 20, step_ms: 400, syncsim_version: 'test', fio_version: 'fio-test', dir: '/x', filesystem: 'ext4', block_device: null, quick: true,
    files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
  } as unknown as Calibration;
}

const rp = (one_us: number, big_us: number) => ({ one_us, big_us, bytes: SESSION_RATE_BYTES });

describe('sessionDestageRate: the calibration\'s media rate over the session\'s FLUSH time a byte', () => {
  it('probes whose 1 MiB write adds 350 µs (a mean of 300 and 400) against the calibration\'s 700: scale 0.5, the rate twice, 3000 MB/s', () => {
    expect(sessionDestageRate(calibration(), [rp(100, 400), rp(200, 600)])).toEqual({
      scale: 0.5, calibration_increment_us: 700, session_increment_us: 350, calibration_media_mbps: 1500, media_mbps: 3000, bytes: SESSION_RATE_BYTES, probes: 2,
    });
  });

  it('scales the calibration\'s fitted rate, not the profile\'s: a session profile refitted again is not scaled twice', () => {
    const session = calibration();
    session.fragment.device.media_mbps = 3000; // as a first session left it
    expect(sessionDestageRate(session, [rp(100, 400)])).toMatchObject({ calibration_media_mbps: 1500, media_mbps: 3500 });
  });

  it('a slower session: 1 MiB adds 1400 µs, the rate halves (750 MB/s)', () => {
    expect(sessionDestageRate(calibration(), [rp(100, 1500)])!.media_mbps).toBe(750);
  });

  it('null without probes, without a rate to scale (none fitted, or a FLUSH that did not grow), without the calibration\'s steps, or when either difference is not positive', () => {
    const cal = calibration();
    expect(sessionDestageRate(cal, [])).toBeNull();
    expect(sessionDestageRate(calibration(true), [rp(100, 400)])).toBeNull();
    expect(sessionDestageRate({ ...cal, fits: { ...cal.fits, destage_rate: null } } as Calibration, [rp(100, 400)])).toBeNull();
    expect(sessionDestageRate({ ...cal, steps: cal.steps.filter((s) => s.kind !== 'flush-size') }, [rp(100, 400)])).toBeNull();
    expect(sessionDestageRate(cal, [rp(400, 390)])).toBeNull();
    // a probe of another size is not this rule's
    expect(sessionDestageRate(cal, [{ one_us: 100, big_us: 400, bytes: 128 << 10 }])).toBeNull();
  });

  it('a probe\'s rate part: the median of its 1-write fdatasyncs beside the 1 MiB step\'s median', () => {
    expect(rateProbe([90, 100, 300], 900)).toEqual({ one_us: 100, big_us: 900, bytes: SESSION_RATE_BYTES });
    expect(rateProbe([90], null)).toBeUndefined();
    expect(rateProbe([], 900)).toBeUndefined();
  });
});

describe('withSessionLevel with the rate parts', () => {
  const probe = (us: number[], rate?: SessionProbe['rate']): SessionProbe => ({ label: 'p', at: '2026-12-07T02:00:00.000Z', us, ...(rate ? { rate } : {}) });

  it('the session profile replays with the session\'s rate, says where it came from, and reports it', () => {
    const s = withSessionLevel(calibration(), [probe(Array(10).fill(300), rp(300, 650))])!;
    expect(s.fragment.device.media_mbps).toBe(3000);
    expect(s.fits.flush_level_session!.rate).toMatchObject({ scale: 0.5, media_mbps: 3000, calibration_media_mbps: 1500 });
    expect(s.fitted['device.media_mbps']!.from).toMatch(/^session FLUSH probes: the calibration's 1500 MB\/s ÷ 0\.500 \(fdatasync after one 1 MiB O_DIRECT write less after one 4k write: 350\.00 µs, the mean over 1 probes, against 700\.00 µs/);
  });

  it('with the rate alone (no 32-write parts) the write\'s destage is the calibration\'s slope less a page at the session\'s rate', () => {
    // slope 12 µs a write; 4096 B at 3000 MB/s = 1.365 µs: 10.63 (the calibration's 9.27 was 12 less 4096 B at 1500 MB/s)
    const s = withSessionLevel(calibration(), [probe(Array(10).fill(300), rp(300, 650))])!;
    expect(s.fragment.device.media_write_us).toBe(10.63);
    expect(s.fitted['device.media_write_us']!.from).toMatch(/less the transfer of 4 KiB at the session's media_mbps$/);
  });

  it('a session profile refitted again by probes with no rate part goes back to the calibration\'s rate, not the first session\'s', () => {
    const first = withSessionLevel(calibration(), [probe(Array(10).fill(300), rp(300, 650))])!;
    expect(first.fragment.device.media_mbps).toBe(3000);
    const again = withSessionLevel(first, [probe(Array(10).fill(300))])!;
    expect(again.fragment.device.media_mbps).toBe(1500);
    expect(again.fitted['device.media_mbps']!.from).toMatch(/the calibration's rate, not scaled/);
    // and with rate parts, scaled from the calibration's rate (1500), not the first session's (3000)
    expect(withSessionLevel(first, [probe(Array(10).fill(300), rp(300, 650))])!.fragment.device.media_mbps).toBe(3000);
  });

  it('without rate parts the calibration\'s media_mbps stays and no rate is reported', () => {
    const s = withSessionLevel(calibration(), [probe(Array(10).fill(300))])!;
    expect(s.fragment.device.media_mbps).toBe(1500);
    expect(s.fits.flush_level_session!.rate).toBeNull();
  });
});
