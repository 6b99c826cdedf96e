/**
 * A read's scatter-gather segments (`device.segment_us`): each folio a read
 * fills is one segment, and each segment adds its time to the read's
 * transfer; Linux read-ahead tells the device the folio order of each
 * window. And the calibration's fit of the segment's cost (seg-read-1m
 * against lat-read-1m). Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { rig } from './device-rig.ts';
import { simulate, TraceBuilder } from './helpers.ts';
import { resolveConfig } from '../sim/config.ts';
import { identityConfig } from '../scripts/sweep/identity.ts';
import { rateLessSegments, SEGMENT_MAX_SHARE, SEGMENT_MIN_READS, segmentFit, type StepReport } from '../scripts/validate/calibration-fit.ts';
import { fioEnv } from '../scripts/validate/fio.ts';

const A = 0x10000000;
const PS = 4096;

describe('the device: segment_us per folio of a read', () => {
  // read_bandwidth_mbps 4096: 4096 bytes × 1000 / 4096 = 1000 ns, a µs a page; constant 10 µs latencies, one slot, no submission stage
  const keys = (segment_us: number) => ({
    channels: 1, read_latency: { dist: 'constant', mean_us: 10 }, write_latency: { dist: 'constant', mean_us: 10 },
    read_bandwidth_mbps: 4096, bandwidth_mbps: 4096, segment_us, write_cache: true, cache_mb: 64, destage: 'continuous', media_mbps: 0,
  });
  const doneUs = (segment_us: number, kind: 'read' | 'write', folioPages: number) => {
    const r = rig('sata-ssd', keys(segment_us));
    const x = r.io(kind, 1, 0, 512, {});
    x.folioPages = folioPages;
    r.at(0, x);
    r.eng.run();
    return r.done[0].tDone / 1000;
  };

  it('512 pages in 4 KiB folios: 10 + 512 × (1 + 0.5) = 778 µs; in one 2 MiB folio: 10 + 512 + 0.5 = 522.5 µs', () => {
    expect(doneUs(0.5, 'read', 1)).toBe(778);
    expect(doneUs(0.5, 'read', 512)).toBe(522.5);
    // folios of 4 pages: 128 segments, 64 µs
    expect(doneUs(0.5, 'read', 4)).toBe(586);
  });

  it('segment_us 0 (every named profile): the rate alone, whatever the folios', () => {
    expect(doneUs(0, 'read', 1)).toBe(522);
    expect(doneUs(0, 'read', 512)).toBe(522);
    for (const profile of ['nvme', 'sata-ssd', 'hdd', 'ram']) expect(resolveConfig({ device: { profile } }).device.segment_us, profile).toBe(0);
  });

  it('a write keeps its rate: the write bandwidth is fitted to page-cache writeback, segments included', () => {
    expect(doneUs(0.5, 'write', 1)).toBe(522);
  });

  it('a configuration at segment_us 0 keeps the run identity it had before the key existed', () => {
    const c = resolveConfig({ device: { profile: 'sata-ssd' } });
    expect((identityConfig(c) as { device: Record<string, unknown> }).device).not.toHaveProperty('segment_us');
    const d = resolveConfig({ device: { profile: 'sata-ssd', segment_us: 1 } });
    expect((identityConfig(d) as { device: Record<string, unknown> }).device.segment_us).toBe(1);
  });

  it('refuses a negative segment_us, naming the key', () => {
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', segment_us: -1 } })).toThrow(/device\.segment_us/);
  });
});

describe('read-ahead: each window\'s folio order reaches the device', () => {
  it('linux: the read-around in 4 KiB folios, then asynchronous windows at order 2, 4, 6, 8 and 9 (a segment per 1, 4, 16, 64, 256, 512 pages)', () => {
    // readahead 1024 pages, each window one request (request_pages 0); 1 µs a page and 1 µs a segment, no latency.
    // Loads of 0, 768, 1024, 2048, 3072, 4096 each start the next window, 10 ms apart so that no read waits for another:
    // order 0: 1024 + 1024 = 2048 µs; order 2: 1024 + 256 = 1280; order 4: 1088; order 6: 1040; order 8: 1028; order 9: 1026.
    const b = new TraceBuilder('a').map(0, A, 8192 * PS, 'f');
    for (const [i, p] of [0, 768, 1024, 2048, 3072, 4096].entries()) b.op(10_000 * i, 'read', A + p * PS, 1);
    const dev = { profile: 'sata-ssd', channels: 1, read_latency: { dist: 'constant', mean_us: 0 }, read_bandwidth_mbps: 4096, segment_us: 1 };
    const o = simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: 1024, request_pages: 0 }, device: dev });
    expect(o.reads.map((r) => [r.offset / PS, r.pages, (r.tDoneNs - r.tSubmitNs) / 1000])).toEqual([
      [0, 1024, 2048], [1024, 1024, 1280], [2048, 1024, 1088], [3072, 1024, 1040], [4096, 1024, 1028], [5120, 1024, 1026],
    ]);
  });

  it('freebsd: its clusters are pages, a segment each', () => {
    const rows = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(0, 'read', A, 1).rows;
    const dev = { profile: 'sata-ssd', channels: 1, read_latency: { dist: 'constant', mean_us: 0 }, read_bandwidth_mbps: 4096, segment_us: 1 };
    const o = simulate(rows, { personality: 'freebsd', pagein: true, device: dev });
    // a fault at the entry's next_read (page 0) is sequential: the page and 15 + 8 ahead, 24 µs of bytes and 24 of segments
    expect(o.reads.map((r) => [r.offset / PS, r.pages, (r.tDoneNs - r.tSubmitNs) / 1000])).toEqual([[0, 24, 48]]);
  });
});

describe('calibrate: the cost of a segment (seg-read-1m against lat-read-1m)', () => {
  const lat = (p50_us: number, count = 1000) => ({ count, mean_us: p50_us + 5, stddev_us: 20, p50_us, p90_us: p50_us * 1.1, p99_us: p50_us * 1.5 });
  const step = (name: string, kind: StepReport['kind'], p50: number, count?: number): StepReport =>
    ({ name, kind, bytes: 1 << 20, depth: 1, iops: 1e6 / p50, latency: lat(p50, count), sync: null });
  const pages = step('lat-read-1m', 'latency', 449), huge = step('seg-read-1m', 'segment', 191);

  it('(449 − 191) µs over the 255 segments more: 1.01 µs (medians, not means)', () => {
    expect(segmentFit([step('lat-read-4k', 'latency', 45), pages, huge])).toEqual({ segment_us: 1.01, pages_p50_us: 449, huge_p50_us: 191, segments: 255, bytes: 1 << 20 });
  });

  it('none, with the reason, without either step, with too few reads, or when huge pages made no read faster', () => {
    expect(SEGMENT_MIN_READS).toBe(20);
    expect(segmentFit([pages])).toEqual({ reason: 'no seg-read step' });
    expect(segmentFit([huge])).toEqual({ reason: 'no lat-read step of 1048576 bytes to compare seg-read-1m with' });
    expect(segmentFit([pages, step('seg-read-1m', 'segment', 191, 19)])).toEqual({ reason: 'fewer than 20 reads timed in seg-read-1m' });
    expect(segmentFit([step('lat-read-1m', 'latency', 449, 19), huge])).toEqual({ reason: 'fewer than 20 reads timed in lat-read-1m' });
    const same = segmentFit([pages, step('seg-read-1m', 'segment', 449)]);
    expect('reason' in same && same.reason).toMatch(/^reads into huge pages no faster \(seg-read-1m median 449 µs, lat-read-1m 449 µs\): no huge page/);
  });

  it('the rate of the bytes alone: 4096 / (4096 / rate − segment_us); none past 90 % of a page\'s time', () => {
    // 2048 MB/s: 2 µs a page
    expect(rateLessSegments(2048, 1)).toBe(4096);
    expect(rateLessSegments(2048, 0.5)).toBe(2730.67);
    expect(rateLessSegments(2048, 0)).toBe(2048);
    expect(SEGMENT_MAX_SHARE).toBe(0.9);
    expect(rateLessSegments(2048, 1.8)).toBe(20480);
    expect(rateLessSegments(2048, 1.81)).toBeNull();
    expect(rateLessSegments(0, 1)).toBeNull();
  });
});

describe('fio\'s environment for a step', () => {
  it('adds a variable, or appends to an inherited one with a colon (a list of glibc tunables)', () => {
    expect(fioEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }, { PATH: '/bin' })).toEqual({ PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    expect(fioEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }, { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    const base = { PATH: '/bin' };
    expect(fioEnv(undefined, base)).toBe(base);
  });
});
