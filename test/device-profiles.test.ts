/**
 * The storage device of the named profiles: write cache, FLUSH and FUA,
 * shared bandwidth, disk seeks, profile resolution. Expected times are worked
 * out by hand from the parameters each test sets.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadRecord } from '../sim/pager/pager.ts';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { Io } from '../sim/device/device.ts';
import { makeDevice } from '../sim/device/make.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { seekMs } from '../sim/device/hdd.ts';
import { Engine } from '../sim/engine/queue.ts';
import { Simulator } from '../sim/simulator.ts';
import type { VmObject } from '../sim/vm/object.ts';
import { simulate, TraceBuilder } from './helpers.ts';

import { PS, rig } from './device-rig.ts';

/**
 * A small cached device: 4 slots, 10 µs per write command, no pipe limit,
 * media 100 MB/s (a 4-page write = 16384 B takes 163,840 ns to destage), FLUSH 50 µs.
 */
const CACHED = {
  channels: 4, write_latency: { dist: 'constant', mean_us: 10 }, bandwidth_mbps: 0,
  write_cache: true, cache_mb: 1, media_mbps: 100, flush_us: 50,
};

describe('write cache: FLUSH drains the cache; FUA bypasses it', () => {
  it('writes complete into the cache; a FLUSH completes when all of it is on the media, plus flush_us', () => {
    const r = rig('sata-ssd', CACHED);
    const w = [0, 1, 2].map((i) => r.io('write', 0, 4 * i, 4));
    for (const x of w) r.at(0, x);
    const f = r.io('flush', 0, 0, 0);
    r.at(20_000, f);
    r.eng.run();
    // each write: 10 µs of command, then into the cache
    expect(w.map((x) => x.tDone)).toEqual([10_000, 10_000, 10_000]);
    // destage from 10 µs: 3 × 163,840 ns back to back → empty at 501,520; FLUSH adds 50 µs
    expect(f.tDone).toBe(10_000 + 3 * 163_840 + 50_000);
    expect(r.dev.stats().flushes).toBe(1);
  });

  it('a FUA write completes once on the media and leaves nothing for a FLUSH to drain', () => {
    const r = rig('sata-ssd', CACHED);
    const w = r.io('write', 0, 0, 4, { fua: true });
    r.at(0, w);
    const f = r.io('flush', 0, 0, 0);
    r.at(200_000, f);
    r.eng.run();
    expect(w.tDone).toBe(10_000 + 163_840);
    expect(f.tDone).toBe(200_000 + 50_000);
  });

  it('a PREFLUSH write starts after the cache has drained and the flush cost', () => {
    const r = rig('sata-ssd', CACHED);
    const a = r.io('write', 0, 0, 4);
    const b = r.io('write', 0, 8, 4, { preflush: true });
    r.at(0, a);
    r.at(20_000, b);
    r.eng.run();
    // a: in the cache at 10 µs, on the media at 173,840; b waits until then + 50 µs, then 10 µs of command
    expect(a.tDone).toBe(10_000);
    expect(b.tDone).toBe(173_840 + 50_000 + 10_000);
  });

  it('write_cache false: writes wait for the media; a FLUSH completes at once', () => {
    const r = rig('sata-ssd', { ...CACHED, write_cache: false });
    const w = r.io('write', 0, 0, 4);
    r.at(0, w);
    const f = r.io('flush', 0, 0, 0);
    r.at(5_000, f);
    r.eng.run();
    expect(w.tDone).toBe(10_000 + 163_840);
    expect(f.tDone).toBe(5_000);
    // the block layer completed it: the device ran no FLUSH
    expect(f.done).toBe(true);
    expect(r.dev.stats().flushes).toBe(0);
  });

  it('a full cache makes a write wait for room', () => {
    // cache of 1 MiB = 64 writes of 16 KiB; the 65th waits for the first destage to end
    const r = rig('sata-ssd', { ...CACHED, channels: 128 });
    const w = Array.from({ length: 65 }, (_, i) => r.io('write', 0, 4 * i, 4));
    for (const x of w) r.at(0, x);
    r.eng.run();
    expect(w[63].tDone).toBe(10_000);
    expect(w[64].tDone).toBe(10_000 + 163_840);
  });
});

describe('a FLUSH that finds the cache empty (device.flush_empty_us)', () => {
  const EMPTY = { ...CACHED, flush_empty_us: 8 };

  it('costs flush_empty_us when nothing is held or being destaged, flush_us when something is', () => {
    const r = rig('sata-ssd', EMPTY);
    const f0 = r.io('flush', 0, 0, 0);
    r.at(0, f0);
    const w = r.io('write', 0, 0, 4);
    r.at(100_000, w);
    // the write is in the cache at 110 µs and destaged 110 → 273.84 µs (continuous): a FLUSH at 200 µs finds it still going
    const f1 = r.io('flush', 0, 0, 0);
    r.at(200_000, f1);
    // by 400 µs it is on the media: empty again
    const f2 = r.io('flush', 0, 0, 0);
    r.at(400_000, f2);
    r.eng.run();
    expect([f0.tDone, f1.tDone, f2.tDone]).toEqual([8_000, 110_000 + 163_840 + 50_000, 408_000]);
  });

  it('on_flush: a write held for the FLUSH makes it a full one; the next, with nothing written since, is an empty one', () => {
    const r = rig('sata-ssd', { ...EMPTY, destage: 'on_flush', media_write_us: 9 });
    const w = r.io('write', 0, 0, 4);
    r.at(0, w);
    const f = [0, 1].map(() => r.io('flush', 0, 0, 0));
    r.at(50_000, f[0]);
    r.at(1_000_000, f[1]);
    r.eng.run();
    // destage 50 → 50 + 163.84 + 9 µs, then flush_us; the second FLUSH: flush_empty_us
    expect(f.map((x) => x.tDone)).toEqual([50_000 + 163_840 + 9_000 + 50_000, 1_008_000]);
  });

  it('defaults to flush_us: each profile\'s table, and a flush_us the user gives without it sets both', () => {
    for (const p of ['nvme', 'sata-ssd', 'hdd', 'ram']) {
      const d = resolveConfig({ device: { profile: p } }).device;
      expect(d.flush_empty_us).toBe(d.flush_us);
    }
    expect(resolveConfig({ device: { profile: 'sata-ssd', flush_us: 300 } }).device).toMatchObject({ flush_us: 300, flush_empty_us: 300 });
    expect(resolveConfig({ device: { profile: 'sata-ssd', flush_us: 300, flush_empty_us: 60 } }).device).toMatchObject({ flush_us: 300, flush_empty_us: 60 });
    expect(resolveConfig({ device: { profile: 'sata-ssd', flush_empty_us: 60 } }).device).toMatchObject({ flush_us: 100, flush_empty_us: 60 });
  });
});

describe('FLUSH time variation (device.flush_cv)', () => {
  /** The fixed cost (µs) of each of `n` FLUSHes to an empty cache, one after the other, under `over` with seed `seed`. */
  const flushTimes = (over: Record<string, unknown>, n: number, seed = 7): number[] => {
    const c = resolveConfig({ device: { profile: 'sata-ssd', ...CACHED, ...over } });
    const eng = new Engine();
    const done: Io[] = [];
    const dev = makeDevice(eng, c, new RandomStreams(seed), { complete: (io) => done.push(io) });
    let t = 0;
    for (let i = 0; i < n; i++) {
      const f = new Io(i, { id: 0 } as VmObject, 0, 0, 'msync', false);
      f.kind = 'flush';
      eng.at(t, { fire: () => dev.submit(f) });
      t += 1e9; // 1 s apart: never two in flight
    }
    eng.run();
    return done.map((x) => (x.tDone - x.tSubmit) / 1000);
  };

  it('flush_cv 0 (every profile\'s default): each FLUSH costs flush_us exactly', () => {
    expect(resolveConfig({ device: { profile: 'sata-ssd' } }).device.flush_cv).toBe(0);
    expect(new Set(flushTimes({}, 50))).toEqual(new Set([50]));
  });

  it('flush_cv > 0: a lognormal of mean flush_us and that cv (4000 FLUSHes: mean within 3 %, cv within 10 %), the same for the same seed', () => {
    const x = flushTimes({ flush_cv: 0.3 }, 4000);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1));
    expect(Math.abs(mean / 50 - 1)).toBeLessThan(0.03);
    expect(Math.abs(sd / mean / 0.3 - 1)).toBeLessThan(0.1);
    // lognormal: the median lies below the mean, at mean / sqrt(1 + cv²)
    const median = [...x].sort((a, b) => a - b)[x.length / 2];
    expect(Math.abs(median / (50 / Math.sqrt(1.09)) - 1)).toBeLessThan(0.03);
    expect(flushTimes({ flush_cv: 0.3 }, 20)).toEqual(flushTimes({ flush_cv: 0.3 }, 20));
    expect(flushTimes({ flush_cv: 0.3 }, 20, 8)).not.toEqual(flushTimes({ flush_cv: 0.3 }, 20));
  });
});

describe('flush sequencing (blk-flush: one FLUSH in flight)', () => {
  it('a FLUSH submitted while another is in flight waits for it; those that arrive meanwhile share the next command', () => {
    // 4 channels, an empty cache: each FLUSH command costs flush_us = 50 µs
    const r = rig('sata-ssd', CACHED);
    const f = [0, 1, 2, 3].map(() => r.io('flush', 0, 0, 0));
    r.at(0, f[0]);
    r.at(10_000, f[1]);
    r.at(20_000, f[2]);
    r.at(60_000, f[3]);
    r.eng.run();
    // f0 0→50; f1 and f2 waited: f1's command 50→100 completes f2 too; f3 (at 60, f1 in flight) runs 100→150
    expect(f.map((x) => x.tDone / 1000)).toEqual([50, 100, 100, 150]);
    expect(f.map((x) => x.tStart / 1000)).toEqual([0, 50, 50, 100]);
    expect(r.dev.stats().flushes).toBe(3);
    expect(r.dev.outstanding).toBe(0);
  });

  it('without a write cache FLUSHes complete at once, never waiting for each other', () => {
    const r = rig('sata-ssd', { ...CACHED, write_cache: false });
    const f = [0, 1].map(() => r.io('flush', 0, 0, 0));
    r.at(0, f[0]);
    r.at(0, f[1]);
    r.eng.run();
    expect(f.map((x) => x.tDone)).toEqual([0, 0]);
  });
});

describe('write cache destaged on FLUSH (a host page cache under a virtual disk)', () => {
  const ON_FLUSH = { ...CACHED, destage: 'on_flush', media_write_us: 9 };
  // each 4-page write destages in 163,840 ns of transfer + 9,000 ns per command = 172,840 ns

  it('writes spaced far apart still leave everything for the FLUSH: its time grows with the writes before it', () => {
    const r = rig('sata-ssd', ON_FLUSH);
    const w = [0, 1, 2].map((i) => r.io('write', 0, 4 * i, 4));
    w.forEach((x, i) => r.at(i * 1_000_000, x)); // 1 ms apart: a continuous cache would be empty by the FLUSH
    const f = r.io('flush', 0, 0, 0);
    r.at(5_000_000, f);
    r.eng.run();
    expect(w.map((x) => x.tDone)).toEqual([10_000, 1_010_000, 2_010_000]);
    expect(f.tDone).toBe(5_000_000 + 3 * 172_840 + 50_000);
  });

  it('the same writes on a continuously destaging cache: the FLUSH costs only flush_us', () => {
    const r = rig('sata-ssd', { ...ON_FLUSH, destage: 'continuous' });
    [0, 1, 2].forEach((i) => r.at(i * 1_000_000, r.io('write', 0, 4 * i, 4)));
    const f = r.io('flush', 0, 0, 0);
    r.at(5_000_000, f);
    r.eng.run();
    expect(f.tDone).toBe(5_000_000 + 50_000);
  });

  it('a second FLUSH finds only what was written after the first', () => {
    const r = rig('sata-ssd', ON_FLUSH);
    r.at(0, r.io('write', 0, 0, 4));
    r.at(0, r.io('write', 0, 4, 4));
    const f1 = r.io('flush', 0, 0, 0);
    r.at(100_000, f1);
    r.at(1_000_000, r.io('write', 0, 8, 4));
    const f2 = r.io('flush', 0, 0, 0);
    r.at(2_000_000, f2);
    r.eng.run();
    expect(f1.tDone).toBe(100_000 + 2 * 172_840 + 50_000);
    expect(f2.tDone).toBe(2_000_000 + 172_840 + 50_000);
  });

  it('a full cache destages its oldest writes at once to make room', () => {
    // 1 MiB = 64 writes of 16 KiB; the 65th starts the first entry's destage at 10 µs and waits for it
    const r = rig('sata-ssd', { ...ON_FLUSH, channels: 128 });
    const w = Array.from({ length: 65 }, (_, i) => r.io('write', 0, 4 * i, 4));
    for (const x of w) r.at(0, x);
    r.eng.run();
    expect(w[63].tDone).toBe(10_000);
    expect(w[64].tDone).toBe(10_000 + 172_840);
  });

  it('media_write_us is paid by a FUA write too (it goes to the media)', () => {
    const r = rig('sata-ssd', ON_FLUSH);
    const w = r.io('write', 0, 0, 4, { fua: true });
    r.at(0, w);
    r.eng.run();
    expect(w.tDone).toBe(10_000 + 172_840);
  });

  it('destage and media_write_us are keys of the media profiles only', () => {
    expect(() => resolveConfig({ device: { profile: 'queue', destage: 'on_flush' } })).toThrow(/destage/);
    expect(() => resolveConfig({ device: { destage: 'sometimes' } })).toThrow(/destage/);
    expect(resolveConfig({}).device.destage).toBe('continuous');
    expect(resolveConfig({}).device.media_write_us).toBe(0);
  });
});

describe('shared bandwidth', () => {
  /** 1000 one-page writes at time 0: 20 µs per command, no cache, pipe and media at `mbps`. */
  function burst(channels: number, mbps: number): number {
    const r = rig('nvme', { channels, write_latency: { dist: 'constant', mean_us: 20 }, bandwidth_mbps: mbps, media_mbps: mbps });
    for (let i = 0; i < 1000; i++) r.at(0, r.io('write', 0, 2 * i, 1));
    r.eng.run();
    return Math.max(...r.done.map((x) => x.tDone));
  }

  it('many channels cannot push MB/s past bandwidth_mbps', () => {
    // 1000 MB/s: 4096 B take 4096 ns on the pipe; after the first 20 µs the pipe never idles
    const end = burst(64, 1000);
    expect(end).toBe(20_000 + 1000 * 4096);
    const mbps = (1000 * 4096) / (end / 1e9) / 1e6;
    expect(mbps).toBeLessThanOrEqual(1000);
    expect(burst(1024, 1000)).toBe(end); // more channels change nothing
  });

  it('channels raise IOPS when the commands, not the pipe, are the limit', () => {
    // no pipe limit: ceil(1000 / c) rounds of 20 µs
    expect(burst(1, 0)).toBe(1000 * 20_000);
    expect(burst(64, 0)).toBe(16 * 20_000);
  });
});

describe('hdd: seek + rotation', () => {
  const F = { seek_track_ms: 1, seek_avg_ms: 8.5, seek_full_ms: 20 };

  it('the seek curve: 0 without movement, track-to-track → average at 1/3 → full stroke', () => {
    expect(seekMs(F, 0)).toBe(0);
    expect(seekMs(F, 1e-9)).toBeCloseTo(1, 2);
    expect(seekMs(F, 1 / 12)).toBeCloseTo(1 + 7.5 * 0.5, 12); // √((1/12)/(1/3)) = 1/2
    expect(seekMs(F, 1 / 3)).toBeCloseTo(8.5, 12);
    expect(seekMs(F, 2 / 3)).toBeCloseTo(8.5 + 11.5 / 2, 12);
    expect(seekMs(F, 1)).toBeCloseTo(20, 12);
    for (let x = 0.01; x < 1; x += 0.01) expect(seekMs(F, x + 0.01)).toBeGreaterThan(seekMs(F, x));
  });

  it('a read that continues where the head is pays no seek or rotation; a far one pays both', () => {
    // hdd profile: 100 µs command, SATA pipe 600 MB/s, media 150 MB/s, 1 TB, 16 GB per object; rotation draw 0.5
    const r = rig('hdd', {}, 0.5);
    const a = r.io('read', 0, 0, 1), b = r.io('read', 0, 1, 1), c = r.io('read', 1, 0, 1);
    r.at(0, a);
    r.at(1_000_000, b);
    r.at(2_000_000, c);
    r.eng.run();
    const media = Math.round((4096 * 1000) / 150); // 27,307 ns (the 600 MB/s pipe is faster)
    expect(a.tDone - a.tStart).toBe(100_000 + media); // object 0 starts at the head's first position
    expect(b.tDone - b.tStart).toBe(100_000 + media);
    // object 1 is 16 GB away: x = (16e9 − 8192) / 1e12
    const x = (16e9 - 8192) / 1e12;
    const positionMs = 1 + 7.5 * Math.sqrt(x * 3) + 0.5 * (60_000 / 7200);
    expect(c.tDone - c.tStart).toBe(100_000 + media + Math.round(positionMs * 1e6));
  });
});

describe('profiles and their keys', () => {
  it('a profile key can be overridden like any key; the rest of the profile stays', () => {
    const c = loadConfig(undefined, ['device.profile=hdd', 'device.media_mbps=200']);
    expect(c.device.media_mbps).toBe(200);
    expect([c.device.rpm, c.device.channels, c.device.write_cache]).toEqual([7200, 1, true]);
    // bandwidth_mbps alone sets the read rate too
    const n = loadConfig(undefined, ['device.bandwidth_mbps=1000']);
    expect([n.device.profile, n.device.bandwidth_mbps, n.device.read_bandwidth_mbps]).toEqual(['nvme', 1000, 1000]);
  });

  it('an empirical latency may come from a samples file, as device.service may', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-dev-'));
    writeFileSync(join(d, 'w.csv'), 'latency_us\n15\n25\n');
    writeFileSync(join(d, 'c.yaml'), 'device:\n  profile: sata-ssd\n  write_latency: { dist: empirical, file: w.csv }\n');
    expect(loadConfig(join(d, 'c.yaml'), []).device.write_latency).toEqual({ dist: 'empirical', file: 'w.csv', samples_us: [15, 25] });
  });

  it('device.service or per_page_us without device.profile=queue is an error naming the key', () => {
    const msg = (u: Record<string, unknown>) => { try { resolveConfig(u); return ''; } catch (e) { return (e as Error).message; } };
    const m = msg({ device: { service: { mean_us: 5 } } });
    expect(m).toContain("'device.service.mean_us'");
    expect(m).toContain('add device.profile=queue');
    expect(msg({ device: { profile: 'sata-ssd', per_page_us: 3 } })).toContain("'device.per_page_us'");
    expect(msg({ device: { profile: 'queue', bandwidth_mbps: 100 } })).toContain("'device.bandwidth_mbps'");
    expect(msg({ device: { profile: 'queue', service: { mean_us: 5 } } })).toBe('');
  });

  it('ram costs nothing: a synchronous msync of dirty pages takes 0 µs', () => {
    const A = 0x10000000;
    const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(0, 'write', A, 8 * PS).op(1, 'msync', A, 8 * PS, 'SYNC');
    // CPU costs set to 0: only the device is under test
    const o = simulate(b.rows, { personality: 'linux', device: { profile: 'ram' }, cpu: { syscall_us: 0, per_page_us: 0 } });
    expect(o.syncs[0].result).toBe('OK');
    expect(o.syncs[0].tDoneNs - o.syncs[0].tIssueNs).toBe(0);
    expect(o.writebacks.filter((w) => w.object === 'f').reduce((n, w) => n + w.pages, 0)).toBe(8);
  });

  it('a read completes as a read (reads.csv), not as writeback', () => {
    // queue: a read costs what a write costs, the default 100 µs; nvme: 85 µs + 4096 B at 7000 MB/s (585 ns)
    for (const [profile, ns] of [['queue', 100_000], ['nvme', 85_000 + 585]] as const) {
      const seen: ReadRecord[] = [];
      const sim = new Simulator(resolveConfig({ device: { profile } }), { sync() {}, writeback() {}, read: (r) => seen.push(r), timeline() {}, op() {} });
      const io = sim.kernel.pager.read(sim.kernel.vm.object('f'), 3, 1, 'pagein');
      sim.end();
      sim.run();
      expect(seen.map((r) => [r.offset, r.pages, r.cause, r.tDoneNs])).toEqual([[3 * PS, 1, 'pagein', ns]]);
      expect(io.tDone).toBe(ns);
      expect(sim.result().writeback.ios).toBe(0);
    }
  });

  it('a FLUSH is counted by the device, not as writeback', () => {
    for (const profile of ['queue', 'sata-ssd']) {
      const sim = new Simulator(resolveConfig({ device: { profile } }), { sync() {}, writeback() {}, timeline() {}, op() {} });
      const io = new Io(0, sim.kernel.vm.object('fs'), 0, 0, 'msync', false);
      io.kind = 'flush';
      sim.kernel.device.submit(io);
      sim.end();
      sim.run();
      expect(io.done).toBe(true);
      expect(sim.result().writeback.ios).toBe(0);
      expect(sim.result().device.flushes).toBe(1);
    }
  });
});
