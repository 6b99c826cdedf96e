/**
 * One read request alone (`device.read_request_mbps`), the queue's most
 * segments a request (`device.max_segments`) and the virtio descriptor
 * ring (`device.ring_descriptors`, sim/device/ring.ts), and how calibrate
 * reads them. Expected values are worked out by hand in each test.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rig } from './device-rig.ts';
import { simulate, TraceBuilder } from './helpers.ts';
import { resolveConfig } from '../sim/config.ts';
import { identityConfig } from '../scripts/sweep/identity.ts';
import { DescriptorRing, descriptorsOf, RING_OVERHEAD } from '../sim/device/ring.ts';
import { Io } from '../sim/device/device.ts';
import type { VmObject } from '../sim/vm/object.ts';
import { virtioRing } from '../scripts/validate/blockdev.ts';
import { requestRingFit, windowRequestRate } from '../scripts/validate/request-ring.ts';
import { parsePageinSamples, pageinProbeRate } from '../scripts/validate/pagein-probe.ts';

const A = 0x10000000;
const PS = 4096;

/** A read of `pages` pages in folios of `folio` pages. */
function read(pages: number, folio: number): Io {
  const io = new Io(0, { id: 1 } as VmObject, 0, pages, 'readahead', false);
  io.kind = 'read';
  io.folioPages = folio;
  return io;
}

describe('the ring: a request takes its segments plus two descriptors', () => {
  it('254 pages in 4 KiB folios take the whole ring of 256; in 2 MiB folios 3; a FLUSH 2; never more than the ring', () => {
    expect(RING_OVERHEAD).toBe(2);
    expect(descriptorsOf(read(254, 1), undefined, 256)).toBe(256);
    expect(descriptorsOf(read(1024, 512), undefined, 256)).toBe(4);
    expect(descriptorsOf(read(256, 4), undefined, 256)).toBe(66);
    const flush = read(0, 1);
    flush.kind = 'flush';
    expect(descriptorsOf(flush, undefined, 256)).toBe(2);
    // a request of more segments than the ring runs alone
    expect(descriptorsOf(read(1000, 1), undefined, 256)).toBe(256);
    // a write: a segment a page; merged commands: their segments summed
    const w = read(32, 1);
    w.kind = 'write';
    expect(descriptorsOf(w, undefined, 256)).toBe(34);
    expect(descriptorsOf(read(8, 1), [read(8, 1), read(16, 4)], 256)).toBe(8 + 4 + 2);
  });

  it('property: whatever is taken and given back, the free count stays within 0 .. size and a lone request always fits', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 512 }), fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 40 }), (size, needs) => {
      const ring = new DescriptorRing(size);
      const held: number[] = [];
      for (const n0 of needs) {
        const n = Math.min(size, n0);
        if (ring.take(n)) held.push(n);
        else {
          expect(held.length).toBeGreaterThan(0);
          ring.release(held.shift()!);
        }
      }
      for (const n of held) ring.release(n);
      // everything back: the largest request fits again, and nothing more than the ring
      expect(ring.take(size)).toBe(true);
      expect(ring.take(1)).toBe(false);
    }));
  });

  it('size 0: no ring, every request fits', () => {
    const ring = new DescriptorRing(0);
    for (let i = 0; i < 100; i++) expect(ring.take(256)).toBe(true);
  });
});

describe('the device: the ring and one read\'s own rate', () => {
  // 10 µs latencies, 8 slots; reads at 4096 MB/s (1 µs a page), no segment cost
  const keys = (over: Record<string, unknown>) => ({
    channels: 8, read_latency: { dist: 'constant', mean_us: 10 }, write_latency: { dist: 'constant', mean_us: 10 },
    read_bandwidth_mbps: 4096, bandwidth_mbps: 4096, segment_us: 0, write_cache: true, cache_mb: 64, destage: 'continuous', media_mbps: 0, ...over,
  });
  /** Completion times (µs) of reads of `pages` in folios of `folio`, all submitted at 0. */
  const reads = (over: Record<string, unknown>, n: number, pages: number, folio: number) => {
    const r = rig('sata-ssd', keys(over));
    for (let i = 0; i < n; i++) {
      const x = r.io('read', 1, i * pages, pages);
      x.folioPages = folio;
      r.at(0, x);
    }
    r.eng.run();
    return r.done.map((x) => [x.tStart / 1000, x.tDone / 1000]);
  };

  it('three reads of 254 pages in 4 KiB folios on a ring of 256: one at a time, each 10 + 254 µs', () => {
    expect(reads({ ring_descriptors: 256 }, 3, 254, 1)).toEqual([[0, 264], [264, 528], [528, 792]]);
  });

  it('without the ring they start together and share the pipe: 264, 518, 772 µs', () => {
    expect(reads({}, 3, 254, 1)).toEqual([[0, 264], [0, 518], [0, 772]]);
  });

  it('in 2 MiB folios (3 descriptors each) the ring holds them all: as without it', () => {
    expect(reads({ ring_descriptors: 256 }, 3, 512, 512)).toEqual([[0, 522], [0, 1034], [0, 1546]]);
  });

  it('read_request_mbps 1024 (4 µs a page): a lone read of 254 pages takes 10 + 1016 µs, not 10 + 254', () => {
    expect(reads({ read_request_mbps: 1024 }, 1, 254, 1)).toEqual([[0, 1026]]);
  });

  it('read_request_mbps 2048 (2 µs a page), 2 reads of 64 pages at once: each 10 + 128 µs, where the pipe alone gives 74 and 138', () => {
    expect(reads({ read_request_mbps: 2048 }, 2, 64, 1)).toEqual([[0, 138], [0, 138]]);
    expect(reads({}, 2, 64, 1)).toEqual([[0, 74], [0, 138]]);
  });

  it('with 8 reads of 64 pages the pipe binds from the fifth: 10 + 64 × k µs', () => {
    expect(reads({ read_request_mbps: 2048 }, 8, 64, 1).map(([, d]) => d)).toEqual([138, 138, 202, 266, 330, 394, 458, 522]);
  });

  it('the bound counts the read\'s segments too: 254 pages in 4 KiB folios at segment_us 0.5 take 10 + 1016 + 127 µs', () => {
    expect(reads({ read_request_mbps: 1024, segment_us: 0.5 }, 1, 254, 1)).toEqual([[0, 1153]]);
  });

  it('every named profile has none of the three (0), and at 0 a configuration keeps its run identity', () => {
    for (const profile of ['nvme', 'sata-ssd', 'hdd', 'ram']) {
      const d = resolveConfig({ device: { profile } }).device;
      expect([d.read_request_mbps, d.max_segments, d.ring_descriptors], profile).toEqual([0, 0, 0]);
    }
    const dev = (identityConfig(resolveConfig({ device: { profile: 'sata-ssd' } })) as { device: Record<string, unknown> }).device;
    for (const k of ['read_request_mbps', 'max_segments', 'ring_descriptors']) expect(dev).not.toHaveProperty(k);
    const set = (identityConfig(resolveConfig({ device: { profile: 'sata-ssd', ring_descriptors: 256 } })) as { device: Record<string, unknown> }).device;
    expect(set.ring_descriptors).toBe(256);
  });

  it('refuses a negative rate and a fractional ring, naming the key', () => {
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', read_request_mbps: -1 } })).toThrow(/device\.read_request_mbps/);
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', ring_descriptors: 2.5 } })).toThrow(/device\.ring_descriptors/);
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', max_segments: -3 } })).toThrow(/device\.max_segments/);
  });
});

describe('read-ahead split at max_segments', () => {
  it('a window of 512 pages in 4 KiB folios, requests of 256 pages, 254 segments: 254 + 2 + 254 + 2', () => {
    const rows = new TraceBuilder('a').map(0, A, 512 * PS, 'f').op(0, 'read', A, 1).rows;
    const dev = { profile: 'sata-ssd', channels: 1, read_latency: { dist: 'constant', mean_us: 0 }, read_bandwidth_mbps: 4096, max_segments: 254 };
    const o = simulate(rows, { personality: 'linux', pagein: true, readahead: { pages: 512, request_pages: 256 }, device: dev });
    expect(o.reads.map((r) => [r.offset / PS, r.pages])).toEqual([[0, 254], [254, 2], [256, 254], [510, 2]]);
  });

  it('max_segments 0: requests of request_pages', () => {
    const rows = new TraceBuilder('a').map(0, A, 512 * PS, 'f').op(0, 'read', A, 1).rows;
    const dev = { profile: 'sata-ssd', channels: 1, read_latency: { dist: 'constant', mean_us: 0 }, read_bandwidth_mbps: 4096 };
    const o = simulate(rows, { personality: 'linux', pagein: true, readahead: { pages: 512, request_pages: 256 }, device: dev });
    expect(o.reads.map((r) => [r.offset / PS, r.pages])).toEqual([[0, 256], [256, 256]]);
  });
});

describe('calibrate: the ring from sysfs, the request rate from the O_DIRECT reads', () => {
  /** A fake sysfs disk directory: driver name, features string, nr_tags. */
  const disk = (driver: string | null, features: string | null, tags: string | null) => {
    const root = mkdtempSync(join(tmpdir(), 'syncsim-ring-'));
    const dir = join(root, 'vda');
    mkdirSync(join(dir, 'device'), { recursive: true });
    mkdirSync(join(dir, 'mq', '0'), { recursive: true });
    if (driver) {
      mkdirSync(join(root, 'drivers', driver), { recursive: true });
      symlinkSync(join(root, 'drivers', driver), join(dir, 'device', 'driver'));
    }
    if (features !== null) writeFileSync(join(dir, 'device', 'features'), `${features}\n`);
    if (tags !== null) writeFileSync(join(dir, 'mq', '0', 'nr_tags'), `${tags}\n`);
    return dir;
  };
  // this machine's virtio disk: bit 28 (indirect descriptors) 0, nr_tags 128
  const noIndirect = '0010001001100100000000000000010010000000';
  const indirect = noIndirect.slice(0, 28) + '1' + noIndirect.slice(29);

  it('virtio_blk without indirect descriptors: twice nr_tags; with them, or another driver: 0; unreadable: null', () => {
    expect(virtioRing(disk('virtio_blk', noIndirect, '128'))).toBe(256);
    expect(virtioRing(disk('virtio_blk', indirect, '128'))).toBe(0);
    expect(virtioRing(disk('nvme', null, '1023'))).toBe(0);
    expect(virtioRing(disk(null, noIndirect, '128'))).toBeNull();
    expect(virtioRing(disk('virtio_blk', 'x', '128'))).toBeNull();
    expect(virtioRing(disk('virtio_blk', noIndirect, null))).toBeNull();
  });

  it('the rate of fio\'s QD1 reads less the segments of its 4 KiB buffer pages: 4096 / (4096 / 2048 − 0.5) = 2730.67 MB/s', () => {
    const d = { dev: '254:0', disk: 'vda', name: 'vda', sysfs: '/sys/x/vda', write_cache: true, read_ahead_kb: 8192, rotational: true, ring_descriptors: 256 };
    const f = requestRingFit({ bandwidth_mbps: 2048, r2: 0.99, n: 5 }, '4k, 1m', 0.5, { max_segments: 254, max_sectors_kb: 4096, max_segment_size: null }, d);
    expect(f.device).toEqual({ read_request_mbps: 2730.67, max_segments: 254, ring_descriptors: 256 });
    expect(f.fitted['device.read_request_mbps'].from).toContain('4096 / (4096 / 2048 − 0.5)');
    expect(f.fitted['device.ring_descriptors'].from).toContain('2 × mq/0/nr_tags');
    // no segment fitted: fio's rate as it is; sysfs silent: no ring, no segment limit
    const g = requestRingFit({ bandwidth_mbps: 2048, r2: 0.99, n: 5 }, '4k', 0, null, null);
    expect(g.device).toEqual({ read_request_mbps: 2048 });
    expect(Object.keys(g.fitted)).toEqual(['device.read_request_mbps']);
  });
});

describe('calibrate: one read alone from the page-in probe\'s first window', () => {
  const costs = { latency_us: 50, submit_us: 0, submit_command_us: 0 };

  it('2048 pages in 16 requests (8 of 256 pages, each 254 + 2) passed in 6000 µs: 2048 × 4096 / (6000 − 16 × 50 − 2048 × 0.5) = 2008.77 MB/s', () => {
    expect(windowRequestRate({ pages: 2048, p50_us: 6000 }, costs, 0.5, 256, 254, 256)).toEqual({ mbps: 2008.77, requests: 16 });
    // the submission stage's turn counts as each request's cost: 16 × (50 + 1 + 9)
    expect(windowRequestRate({ pages: 2048, p50_us: 6000 }, { latency_us: 50, submit_us: 1, submit_command_us: 9 }, 0.5, 256, 254, 256)).toEqual({ mbps: 2088.8, requests: 16 });
  });

  it('none where the ring does not send the requests one at a time, or nothing is left for the bytes', () => {
    expect(windowRequestRate({ pages: 2048, p50_us: 6000 }, costs, 0.5, 256, 254, 0)).toEqual({ reason: 'the first window\'s requests (254 segments) do not go one at a time (no descriptor ring)' });
    expect(windowRequestRate({ pages: 2048, p50_us: 6000 }, costs, 0.5, 256, 64, 256)).toMatchObject({ reason: expect.stringContaining('a ring of 256 descriptors') });
    expect(windowRequestRate({ pages: 2048, p50_us: 1800 }, costs, 0.5, 256, 254, 256)).toEqual({ reason: 'nothing left for the bytes: 1800 µs for the window, 16 requests\' costs and 2048 segments take it all' });
  });

  it('analytic check: the model reads such a window in the time the rate was fitted to', () => {
    // 8 requests of 256 pages at once on a ring of 256 and 254 segments: 16 pieces one at a time, each 50 µs + its bytes at the fitted rate + 0.5 µs a folio
    const fit = windowRequestRate({ pages: 2048, p50_us: 6000 }, costs, 0.5, 256, 254, 256) as { mbps: number };
    const r = rig('sata-ssd', {
      channels: 64, read_latency: { dist: 'constant', mean_us: 50 }, write_latency: { dist: 'constant', mean_us: 10 }, read_bandwidth_mbps: 10_000,
      segment_us: 0.5, read_request_mbps: fit.mbps, ring_descriptors: 256, write_cache: false, media_mbps: 0,
    });
    for (let i = 0; i < 8; i++) for (const [at, n] of [[0, 254], [254, 2]]) r.at(0, r.io('read', 1, i * 256 + at, n));
    r.eng.run();
    expect(Math.max(...r.done.map((x) => x.tDone)) / 1000).toBeCloseTo(6000, 0);
  });

  it('the probe\'s lines with the window: its pages and time; the fit gives the median of the cold reads', () => {
    const out = 'pagein,268435456,127412543,0,2048,6142808\npagein,268435456,118185112,0,2048,5948260\npagein,268435456,118843844,9999999,2048,1\n';
    const samples = parsePageinSamples(out);
    expect(samples[0]).toEqual({ bytes: 268435456, ns: 127412543, cached: 0, window: { pages: 2048, ns: 6142808 } });
    // the third began with its pages cached: not cold, left out
    expect(pageinProbeRate(samples)).toMatchObject({ reads: 2, window: { pages: 2048, p50_us: 6045.53, us: [6142.81, 5948.26] } });
    expect(parsePageinSamples('pagein,4096,1,0\n')[0]).not.toHaveProperty('window');
    expect(() => parsePageinSamples('pagein,4096,1,0,5\n')).toThrow("page-in probe, line 1: 'pagein,4096,1,0,5' is not pagein,BYTES,NS,CACHED[,WINDOW,WINDOW_NS]");
  });

  it('requestRingFit takes the window\'s rate first, and says so', () => {
    const d = { dev: '254:0', disk: 'vda', name: 'vda', sysfs: '/sys/x/vda', write_cache: true, read_ahead_kb: 8192, rotational: true, ring_descriptors: 256 };
    const limits = { max_segments: 254, max_sectors_kb: 4096, max_segment_size: null };
    const f = requestRingFit({ bandwidth_mbps: 2048, r2: 0.99, n: 5 }, '4k', 0.5, limits, d, { window: { pages: 2048, p50_us: 6000 }, reads: 5, costs, requestPages: 256 });
    expect(f.device.read_request_mbps).toBe(2008.77);
    expect(f.fitted['device.read_request_mbps'].from).toMatch(/^pagein-probe: the first read-ahead window \(2048 pages/);
    // no ring: fio's rate, with the reason the window was not used
    const g = requestRingFit({ bandwidth_mbps: 2048, r2: 0.99, n: 5 }, '4k', 0, limits, { ...d, ring_descriptors: 0 }, { window: { pages: 2048, p50_us: 6000 }, reads: 5, costs, requestPages: 256 });
    expect(g.device.read_request_mbps).toBe(2048);
    expect(g.fitted['device.read_request_mbps'].from).toContain('not the page-in probe\'s first window');
  });
});
