/**
 * The page cache's read rate from the calibration's pagein step
 * (scripts/validate/calibration-fit.ts pageinRate): what `device.read_bandwidth_mbps`
 * is fitted to when the step ran. Expected values worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { PAGEIN_RATE_MIN_FAULTS, pageinRate, type StepReport } from '../scripts/validate/calibration-fit.ts';

const lat = (count: number) => ({ count, mean_us: 2, stddev_us: 1, p50_us: 0.4, p90_us: 5, p99_us: 14 });
const step = (over: Partial<StepReport>): StepReport => ({ name: 'pagein', kind: 'pagein', bytes: 4096, depth: 1, iops: 320_000, latency: lat(65_536), sync: null, ...over });

describe('pageinRate: accesses a second × 4 KiB of the cold sequential mmap read', () => {
  it('320,000 accesses a second of 4 KiB: 1310.72 MB/s; 500,000: 2048 MB/s', () => {
    expect(pageinRate([step({})])).toEqual({ mbps: 1310.72, faults: 65_536 });
    expect(pageinRate([step({ iops: 500_000 })])).toEqual({ mbps: 2048, faults: 65_536 });
  });

  it('none without the step, with fewer than 1024 accesses (4 MiB), or no rate', () => {
    expect(PAGEIN_RATE_MIN_FAULTS).toBe(1024);
    expect(pageinRate([{ ...step({}), name: 'lat-read-4k', kind: 'latency' }])).toBeNull();
    expect(pageinRate([step({ latency: lat(1023) })])).toEqual(null);
    expect(pageinRate([step({ latency: lat(1024) })])).toEqual({ mbps: 1310.72, faults: 1024 });
    expect(pageinRate([step({ latency: null })])).toBeNull();
    expect(pageinRate([step({ iops: 0 })])).toBeNull();
  });
});
