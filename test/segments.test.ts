/**
 * A read's scatter-gather segments (`device.segment_us`): each folio a read
 * fills is one segment, and each segment adds its time to the read's
 * transfer; Linux read-ahead tells the device the folio order of each
 * window. And the calibration's fit of the segment's cost (the probe
 * segment-read.c). Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { rig } from './device-rig.ts';
import { simulate, TraceBuilder } from './helpers.ts';
import { resolveConfig } from '../sim/config.ts';
import { identityConfig } from '../scripts/sweep/identity.ts';
import { rateLessSegments, SEGMENT_MAX_RATIO, SEGMENT_MAX_SHARE, SEGMENT_MIN_READS, segmentFit, type SegmentFit, type SegmentSamples } from '../scripts/validate/calibration-fit.ts';
import { DEFAULT_SEGMENT_PAGES, parseSegmentSamples, segmentGeometry, segmentProvenance, withSegments } from '../scripts/validate/segment-probe.ts';

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

describe('calibrate: the cost of a segment (the probe segment-read.c)', () => {
  /** Samples of `n` reads of each kind around the given medians (µs), spread ±5 %. */
  const samples = (pagesP50: number, hugeP50: number, n = 101, thp_kb = 2048): SegmentSamples => {
    const around = (m: number) => Array.from({ length: n }, (_, i) => m * (0.95 + (0.1 * i) / (n - 1)));
    return { pages: 254, huge_segments: 1, thp_kb, pages_us: around(pagesP50), huge_us: around(hugeP50) };
  };

  it('(393.2 − 219.1) µs over the 253 segments more: 0.69 µs (the medians)', () => {
    expect(segmentFit(samples(393.2, 219.1))).toEqual({ segment_us: 0.69, pages_p50_us: 393.2, huge_p50_us: 219.1, pages: 254, segments: 253, count: 101 });
  });

  it('none, with the reason: no samples, no huge page, too few reads, a gain under 10 %, or a cost that rounds to 0', () => {
    expect(SEGMENT_MIN_READS).toBe(20);
    expect(SEGMENT_MAX_RATIO).toBe(0.9);
    expect(segmentFit(null, 'no C compiler')).toEqual({ reason: 'no C compiler' });
    expect(segmentFit(samples(393.2, 219.1, 101, 0))).toEqual({ reason: 'no transparent huge page behind the probe\'s buffer (AnonHugePages 0 kB: transparent huge pages off, or no free 2 MiB block)' });
    expect(segmentFit(samples(393.2, 219.1, 19))).toEqual({ reason: 'fewer than 20 reads of each kind timed (19)' });
    expect(segmentFit(samples(393.2, 219.1, 20))).toMatchObject({ segment_us: 0.69, count: 20 });
    // 355 is 90.3 % of 393.2: noise, not a cost
    expect(segmentFit(samples(393.2, 355))).toEqual({ reason: 'reads into a huge page less than 10 % faster (median 355 µs against 393.2 µs into pages): no cost a segment to tell from noise' });
    // 10 % faster but over 253 segments under 0.005 µs each: reads of 2 pages, 1 segment more, 1 µs against 0.899
    expect(segmentFit({ ...samples(1, 0.899), pages: 2 })).toMatchObject({ segment_us: 0.1, segments: 1 });
    expect(segmentFit({ ...samples(0.01, 0.008), pages: 254 })).toEqual({ reason: 'the difference (0 µs over 253 segments) rounds to 0 µs a segment' });
    // a queue that cuts segments at 4 KiB: the huge page's reads have as many as the pages'
    expect(segmentFit({ ...samples(393.2, 219.1), huge_segments: 254 })).toEqual({ reason: 'reads of 254 pages make as many segments into the huge page (254) as into pages' });
  });

  it('a queue that cuts segments at 64 KiB: 254 pages make 16 in the huge page, so (393.2 − 219.1) / 238 = 0.73 µs', () => {
    expect(segmentFit({ ...samples(393.2, 219.1), huge_segments: 16 })).toMatchObject({ segment_us: 0.73, segments: 238 });
  });

  it('the probe\'s lines: thp first, then the reads in ns; anything else is an error naming the line', () => {
    expect(parseSegmentSamples('thp,2048\npages,393200\nhuge,219100\n', 254)).toEqual({ pages: 254, huge_segments: 1, thp_kb: 2048, pages_us: [393.2], huge_us: [219.1] });
    expect(parseSegmentSamples('thp,0\n', 64, 4)).toEqual({ pages: 64, huge_segments: 4, thp_kb: 0, pages_us: [], huge_us: [] });
    expect(() => parseSegmentSamples('thp,\n', 64)).toThrow("segment probe, line 1: 'thp,' is not KIND,NUMBER");
    expect(() => parseSegmentSamples('thp,-1\n', 64)).toThrow("segment probe, line 1: 'thp,-1' is not KIND,NUMBER");
    expect(() => parseSegmentSamples('pages,1\n', 64)).toThrow('segment probe: no thp line');
    expect(() => parseSegmentSamples('thp,2048\nbig,1\n', 64)).toThrow("segment probe, line 2: unknown kind 'big'");
    expect(() => parseSegmentSamples('thp,2048\npages,x\n', 64)).toThrow("segment probe, line 2: 'pages,x' is not KIND,NUMBER");
    expect(() => parseSegmentSamples('thp,2048\npages,1,2\n', 64)).toThrow("segment probe, line 2: 'pages,1,2' is not KIND,NUMBER");
  });

  it('reads of as many pages as one request takes in separate pages (max_segments, max_sectors_kb), at most 256, else 64; the huge page\'s segments cut at max_segment_size', () => {
    const q = (max_segments: number | null, max_sectors_kb: number | null, max_segment_size: number | null) => ({ max_segments, max_sectors_kb, max_segment_size });
    // the development machine's virtio disk: 254 segments, 4096 KiB, no segment size limit (4294967295)
    expect(segmentGeometry(q(254, 4096, 4294967295))).toEqual({ pages: 254, hugeSegments: 1 });
    expect(segmentGeometry(q(4096, 4096, null))).toEqual({ pages: 256, hugeSegments: 1 });
    // 512 KiB requests: 128 pages; segments of at most 64 KiB: 512 KiB in 8
    expect(segmentGeometry(q(254, 512, 65536))).toEqual({ pages: 128, hugeSegments: 8 });
    expect(segmentGeometry(null)).toEqual({ pages: DEFAULT_SEGMENT_PAGES, hugeSegments: 1 });
    expect(DEFAULT_SEGMENT_PAGES).toBe(64);
    expect(segmentGeometry(q(1, null, null))).toEqual({ pages: 64, hugeSegments: 1 });
    expect(segmentGeometry(q(null, 4, null))).toEqual({ pages: 64, hugeSegments: 1 });
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
    expect(rateLessSegments(2048, Number.NaN)).toBeNull();
    expect(rateLessSegments(2048, -1)).toBeNull();
  });

  it('the provenance of both keys names the probe\'s figures and the rate it took the segments off', () => {
    const fit = segmentFit(samples(393.2, 219.1)) as SegmentFit;
    expect(segmentProvenance(fit)).toEqual({ value: 0.69, r2: null, n: 101, from: 'segment: probe segment-read.c, O_DIRECT reads of 254 pages: (median into separate 4 KiB pages 393.2 µs − into one huge page 219.1 µs) / the 253 segments more' });
    const read = { value: 2048, r2: null, n: 65536, from: 'pagein: ...' };
    expect(withSegments(read, 4096, 1)).toEqual({ value: 4096, r2: null, n: 65536, from: 'pagein: ...; less segment_us a 4 KiB page (a segment each): 4096 / (4096 / 2048 − 1) MB/s, the rate of the bytes alone' });
    expect(withSegments(read, 2048, 0)).toBe(read);
  });
});
