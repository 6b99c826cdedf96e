/**
 * Durability lag: the tracker's rules with a hand-driven clock, and through
 * the simulator (where the kernels differ: ext4 flushes a volatile drive
 * cache on msync SYNC, APFS and UFS do not).
 */
import { describe, expect, it } from 'vitest';
import { DurabilityTracker } from '../sim/stats/durability.ts';
import { COVER, MsyncCover } from '../sim/stats/msync-cover.ts';
import type { VmObject } from '../sim/vm/object.ts';
import { simulate, TraceBuilder } from './helpers.ts';

/** A fresh file object and anonymous object for each test (the tracker keeps its state on the objects). */
let file: VmObject, anon: VmObject;

function tracker(volatileCache: boolean) {
  file = { kind: 'vnode', name: 'f' } as unknown as VmObject;
  anon = { kind: 'anon', name: 'a' } as unknown as VmObject;
  const clock = { now: 0 };
  return { clock, t: new DurabilityTracker(clock, volatileCache) };
}

describe('DurabilityTracker', () => {
  it('without a volatile cache a page version is durable when its write completes: lag from its first store; a store during the write is a newer version', () => {
    const { clock, t } = tracker(false);
    clock.now = 1000;
    t.stored(file, 3);
    clock.now = 2000;
    t.writing(file, 3);
    t.stored(file, 4);
    clock.now = 3000;
    t.stored(file, 3); // stored again while under writeback (Linux re-dirties it): a second version
    clock.now = 5000;
    t.written(file, 3, true);
    // the interval's row: the first version of page 3 by its own write, lag 4000 ns; page 4 and page 3's newer version pending
    expect(t.sample(6000)).toEqual({ tNs: 6000, pages: 1, lagSumNs: 4000, lagMaxNs: 4000, viaWrite: 1, viaFlush: 0, viaManager: 0, pendingPages: 2 });
    clock.now = 7000;
    t.writing(file, 3);
    clock.now = 8000;
    t.written(file, 3, true);
    expect(t.sample(9000)).toMatchObject({ pages: 1, lagSumNs: 5000, pendingPages: 1 });
    // page 4 is still dirty: never durable
    expect(t.summary()).toMatchObject({ durable_pages: 2, never_durable_pages: 1, lag_us: { max: 5 } });
  });

  it('with a volatile cache it waits for a FLUSH submitted after the write completed', () => {
    const { clock, t } = tracker(true);
    t.stored(file, 0);
    t.stored(file, 1);
    t.writing(file, 0);
    t.writing(file, 1);
    clock.now = 100;
    t.written(file, 0, true);
    t.written(file, 1, true);
    clock.now = 300;
    t.flushed(50); // submitted before the writes completed: covers nothing
    expect(t.summary().durable_pages).toBe(0);
    clock.now = 900;
    t.flushed(200);
    // both pages made durable by the FLUSH at 900 ns
    expect(t.sample(1000)).toEqual({ tNs: 1000, pages: 2, lagSumNs: 1800, lagMaxNs: 900, viaWrite: 0, viaFlush: 2, viaManager: 0, pendingPages: 0 });
  });

  it('a failed write keeps the version dirty; a discard loses it; anonymous pages are not counted; a manager\'s write makes handed pages durable', () => {
    const { clock, t } = tracker(false);
    t.stored(anon, 0);
    t.stored(file, 0);
    t.writing(file, 0);
    clock.now = 10;
    t.written(file, 0, false);
    expect(t.summary().never_durable_pages).toBe(1);
    t.stored(file, 5);
    t.discarded(file, 5);
    t.writing(file, 0);
    t.handedOff(file, 0);
    clock.now = 70;
    t.managerWrote(file, 0, 4, true);
    expect(t.sample(100)).toEqual({ tNs: 100, pages: 1, lagSumNs: 70, lagMaxNs: 70, viaWrite: 0, viaFlush: 0, viaManager: 1, pendingPages: 0 });
    expect(t.summary()).toMatchObject({ durable_pages: 1, never_durable_pages: 1 });
  });

  it('a version left after the last msync covering it is the replay\'s doing only when the trace has that msync after its store: each version keeps its own store\'s line, through a newer version and a failed write', () => {
    file = { kind: 'vnode', name: 'f' } as unknown as VmObject;
    const clock = { now: 0 }, op = { opLine: 0 };
    const t = new DurabilityTracker(clock, false, op);
    const store = (idx: number, ns: number, line: number) => {
      clock.now = ns;
      op.opLine = line;
      t.stored(file, idx);
    };
    // page 0: stored at line 40, under writeback, stored again at line 15 (another task's store, earlier in the trace, run later:
    // a newer version), the first written: line 15's is left
    store(0, 100, 40);
    t.writing(file, 0);
    store(0, 300, 15);
    clock.now = 400;
    t.written(file, 0, true);
    // page 1: stored at line 50; page 2: stored at line 55, its write failed (dirty again, its own line kept); page 3: stored at line 80
    store(1, 250, 50);
    store(2, 260, 55);
    t.writing(file, 2);
    t.written(file, 2, false);
    store(3, 270, 80);
    // an msync of the trace's line 20 over page 0 and one of its line 60 over pages 1 to 3, each issued at 200 ns, before every store left
    const cover = new MsyncCover();
    cover.add(0, 1, 200, COVER.ok, 20);
    cover.add(1, 4, 200, COVER.ok, 60);
    (file as unknown as { durability: { cover: MsyncCover } }).durability.cover = cover;
    // pages 0, 1 and 2 were stored before their msync in the trace, which ran first; page 3 after the trace's last msync of it
    expect(t.summary().never_durable_by).toMatchObject({ replay_order: 3, after_last_msync: 1, no_msync: 0, msync_unwritten: 0 });
  });
});

describe('durability through the simulator', () => {
  const A = 0x10000000, PS = 4096;
  const trace = () => new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(0, 'write', A, PS).op(100, 'msync', A, PS, 'SYNC').rows;

  it('queue device (no write cache): the page is durable when the msync\'s write completes, 200 µs after the store', () => {
    const o = simulate(trace(), { personality: 'linux' });
    expect(o.result.durability).toMatchObject({ durable_pages: 1, never_durable_pages: 0, lag_us: { max: 200 } });
  });

  it('a volatile drive cache: linux (ext4 fdatasync sends a FLUSH) makes it durable; xnu (APFS: no FLUSH without F_FULLFSYNC) and freebsd (UFS sends none) do not', () => {
    const cfg = (personality: string) => ({ personality, device: { profile: 'sata-ssd' }, cpu: { syscall_us: 0, per_page_us: 0 } });
    expect(simulate(trace(), cfg('linux')).result.durability).toMatchObject({ durable_pages: 1, never_durable_pages: 0 });
    for (const p of ['xnu', 'freebsd']) expect(simulate(trace(), cfg(p)).result.durability, p).toMatchObject({ durable_pages: 0, never_durable_pages: 1 });
  });

  it('MS_ASYNC without background writeback: the msync returns at once and the page is never durable', () => {
    const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(0, 'write', A, PS).op(100, 'msync', A, PS, 'ASYNC').rows;
    const o = simulate(rows, { personality: 'linux' });
    expect(o.result.durability).toMatchObject({ durable_pages: 0, never_durable_pages: 1 });
  });
});

describe('durability.csv', () => {
  it('its rows add up to the summary\'s durable pages, whatever the sampling period: the last, partial interval ends with the run', async () => {
    const { readTrace } = await import('../traces/reader.ts');
    const { Simulator } = await import('../sim/simulator.ts');
    const { resolveConfig } = await import('../sim/config.ts');
    const rows = [];
    for await (const b of readTrace(new URL('../traces/examples/demo.csv', import.meta.url).pathname)) rows.push(...b);
    for (const sample_us of [1000, 77_777, 100_000, 1e9]) {
      const got: { tNs: number; pages: number }[] = [];
      const sim = new Simulator(resolveConfig({ device: { profile: 'nvme' }, stats: { sample_us } }), {
        sync: () => {}, writeback: () => {}, timeline: () => {}, durability: (r) => got.push({ tNs: r.tNs, pages: r.pages }),
      });
      sim.feed(rows);
      sim.end();
      expect(sim.run()).toBe('done');
      const s = sim.result();
      expect(s.durability.durable_pages).toBeGreaterThan(0);
      expect(got.reduce((a, r) => a + r.pages, 0)).toBe(s.durability.durable_pages);
      expect(got.at(-1)!.tNs).toBeLessThanOrEqual(sim.kernel.engine.now);
      // times only grow
      for (let i = 1; i < got.length; i++) expect(got[i]!.tNs).toBeGreaterThan(got[i - 1]!.tNs);
    }
  });
});
