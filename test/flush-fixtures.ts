/**
 * Fixtures of the session FLUSH level's tests (test/flush-level.test.ts,
 * test/buffered-probe.test.ts): a calibration report whose FLUSH grows by
 * 12 µs a write, and a probe of given fdatasyncs.
 */
import type { Calibration, StepReport } from '../scripts/validate/calibration.ts';
import type { SessionProbe } from '../scripts/validate/flush-level.ts';

export const lat = (mean_us: number, p50_us: number | null = null, p90_us: number | null = null, count = 10) => ({ count, mean_us, stddev_us: 0, p50_us, p90_us, p99_us: null });
const step = (name: string, kind: StepReport['kind'], bytes: number, depth: number, iops: number, l: ReturnType<typeof lat> | null, sync: ReturnType<typeof lat> | null = null, writes?: number): StepReport =>
  ({ name, kind, bytes, depth, iops, latency: l, sync, ...(writes === undefined ? {} : { writes }) });

/**
 * A calibration whose FLUSH after N writes costs 300 + 12 (N − 1) µs (destage on_flush, 12 µs a write), level median 300 µs;
 * `medians`: its flush steps report their medians too (as fio does), which a session's O_DIRECT destage part scales against,
 * and its writes cross at 4096 MB/s (a page in 1 µs: media_write_us 11 is its slope less that).
 */
export function calibration(writeCache = true, medians = false): Calibration {
  const steps: StepReport[] = [
    step('lat-read-4k', 'latency', 4096, 1, 0, lat(104.096)),
    step('lat-read-1m', 'latency', 1 << 20, 1, 0, lat(1148.576)),
    step('lat-write-4k', 'latency', 4096, 1, 0, lat(36.384)),
    step('lat-write-1m', 'latency', 1 << 20, 1, 0, lat(4214.304)),
    step('qd-write-1', 'depth', 4096, 1, 20000, lat(50)),
    step('qd-write-8', 'depth', 4096, 8, 40000, lat(200)),
    ...[1, 8, 32, 128].map((w) => step(w === 1 ? 'flush' : `flush-${w}`, 'flush', 4096, 1, 0, lat(30), lat(300 + 12 * (w - 1), medians ? 300 + 12 * (w - 1) : null), w)),
  ];
  return {
    steps,
    fragment: { device: { profile: 'sata-ssd', channels: 2, write_cache: writeCache, flush_us: 288, flush_empty_us: 70, flush_cv: 0.1, destage: 'on_flush', media_write_us: 11 }, fs: { kind: 'ext4-ordered' } },
    fitted: { 'device.channels': { value: 2, r2: null, n: 4, from: 'qd-*' } },
    fits: { write: { latency: { dist: 'constant', mean_us: 20 }, bandwidth_mbps: medians ? 4096 : 250, r2: 1, n: 2 }, flush: { write_cache: true, flush_us: 288, write_cache_source: 'inferred' }, flush_level: lat(301, 300, 330, 100), flush_empty: lat(72, 70, 80, 50), ...(medians ? { destage: { destage: 'on_flush', media_write_us: 11, flush_us: 288, slope_us_per_write: 12, intercept_us: 288, r2: 1, n: 4 } } : {}) },
    size_bytes: 4 << 20, step_ms: 400, syncsim_version: 'test', fio_version: 'fio-test', dir: '/x', filesystem: 'ext4', block_device: null, quick: true,
    files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
  } as unknown as Calibration;
}

/** A probe whose fdatasyncs are `us`. */
export const probe = (label: string, us: number[]): SessionProbe => ({ label, at: '2026-12-03T10:00:00.000Z', us });

