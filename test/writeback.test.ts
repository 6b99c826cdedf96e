/**
 * Background writeback (syncer, flusher with throttling) and memory pressure
 * (pageout daemon, LRU, wired pages, wiring limits).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import { Page } from '../sim/vm/object.ts';
import type { WritebackRecord } from '../sim/stats/records.ts';
import { resultOf, simulate, TraceBuilder, withQueueDevice } from './helpers.ts';

const PS = 4096;
const A = 0x10000000;
const MS = 1_000_000; // ns

describe('writeback.policy syncer', () => {
  it('writes the pages of an object dirty for longer than delay_ms at the next wake-up, cause syncer', () => {
    const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(100, 'write', A, 3 * PS).op(100, 'write', A + 10 * PS, PS).op(40_000_000, 'read', A, 8);
    const o = simulate(b.rows, { writeback: { policy: 'syncer', interval_ms: 1000, delay_ms: 30000 } });
    // dirty since 100 µs; wake-ups every second: the first at or after 30.0001 s is 31 s
    expect(o.writebacks.map((w) => [w.tSubmitNs, w.offset / PS, w.pages, w.cause])).toEqual([
      [31_000 * MS, 0, 3, 'syncer'],
      [31_000 * MS, 10, 1, 'syncer'],
    ]);
    expect(o.result.writeback.by_cause).toEqual({ msync: 0, syncer: 4 * PS, pageout: 0 });
  });

  it('does not keep a finished replay going (the run ends with the trace)', () => {
    const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(5, 'write', A, PS);
    const o = simulate(b.rows, { writeback: { policy: 'syncer' } });
    expect(o.result.sim_time_us).toBe(5);
    expect(o.writebacks).toEqual([]);
  });

  it('an object still dirty after a pass ages again from that pass', () => {
    // a store at 0.5 s; the page is written at 2 s; it is stored to again at 2.05 s (object dirty again)
    const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(500_000, 'write', A, PS).op(2_050_000, 'write', A, PS).op(6_000_000, 'read', A, 8);
    const o = simulate(b.rows, { writeback: { policy: 'syncer', interval_ms: 1000, delay_ms: 1000 } });
    // second dirtying at 2.05 s: ages from then; written at the first wake-up >= 3.05 s, i.e. 4 s
    expect(o.writebacks.map((w) => w.tSubmitNs / MS)).toEqual([2000, 4000]);
  });
});

describe('writeback.policy flusher', () => {
  it('a page dirtied at t is written between t+expire and t+expire+interval (one object each, random times)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20_000_000 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 100, max: 3000 }), fc.integer({ min: 0, max: 5000 }), (times, interval, expire) => {
      const b = new TraceBuilder('a');
      times.forEach((_, i) => b.map(0, A + i * 64 * PS, 64 * PS, `f${i}`));
      const order = times.map((t, i) => ({ t, i })).sort((x, y) => x.t - y.t);
      for (const { t, i } of order) b.op(t, 'write', A + i * 64 * PS, 8);
      b.op(40_000_000, 'read', A, 8);
      const o = simulate(b.rows, { writeback: { policy: 'flusher', interval_ms: interval, expire_ms: expire }, replay: 'open' });
      for (const { t, i } of order) {
        const w = o.writebacks.find((x) => x.object === `f${i}`) as WritebackRecord;
        expect(w.cause).toBe('syncer');
        expect(w.tSubmitNs).toBeGreaterThanOrEqual(t * 1000 + expire * MS);
        expect(w.tSubmitNs).toBeLessThanOrEqual(t * 1000 + expire * MS + interval * MS);
      }
    }), { numRuns: 60 });
  });

  it('throttled writers never let dirty pages pass dirty_ratio of memory by more than one ratelimit step', () => {
    // 1000 pages of memory: limit 200 dirty pages, background 100, freerun 150; a fast writer of 2000 pages, a very slow device
    const b = new TraceBuilder('a').map(0, A, 4096 * PS, 'f');
    for (let i = 0; i < 2000; i++) b.op(i, 'write', A + i * PS, 8);
    const sim = new Simulator(resolveConfig({
      memory: { pages: 1000 }, writeback: { policy: 'flusher' }, device: { profile: 'queue', service: { dist: 'constant', mean_us: 1_000_000 } },
    }), {
      sync() {}, writeback() {}, timeline() {},
      op() {
        // dirty memory as Linux counts it: dirty plus under writeback
        maxDirty = Math.max(maxDirty, sim.kernel.vm.counters.dirty + sim.kernel.vm.counters.wb);
      },
    });
    let maxDirty = 0;
    sim.feed(b.rows);
    sim.run();
    sim.end();
    sim.run();
    const r = sim.result();
    expect(maxDirty).toBeGreaterThan(200); // the writer did reach the limit
    expect(maxDirty).toBeLessThanOrEqual(200 + 32);
    expect(r.throttle.count).toBeGreaterThan(0);
    expect(r.throttle.total_us).toBeGreaterThan(0);
    expect(r.throttle.max_us).toBeLessThanOrEqual(r.throttle.total_us);
    expect(r.writeback.by_cause.syncer).toBeGreaterThan(0);
  });

  it('no throttling below the freerun ceiling', () => {
    const b = new TraceBuilder('a').map(0, A, 4096 * PS, 'f');
    for (let i = 0; i < 140; i++) b.op(i, 'write', A + i * PS, 8);
    const o = simulate(b.rows, { memory: { pages: 1000 }, writeback: { policy: 'flusher' } });
    expect(o.result.throttle).toEqual({ count: 0, total_us: 0, max_us: 0 });
    // 140 dirty pages is above the background threshold (100): background writeback started
    expect(o.result.writeback.by_cause.syncer).toBeGreaterThan(0);
  });
});

describe('memory pressure', () => {
  it('keeps resident pages under memory.pages, freeing clean pages in LRU order', () => {
    const b = new TraceBuilder('a').map(0, A, 1024 * PS, 'f');
    for (let i = 0; i < 300; i++) b.op(i, 'read', A + i * PS, 8);
    b.op(300, 'read', A + 250 * PS, 8); // still resident: no page-in
    b.op(301, 'read', A, 8); // evicted long ago: a page-in
    const o = simulate(b.rows, { memory: { pages: 100 } });
    expect(o.result.memory).toEqual({ evictions: 201, pageins: 301, peak_resident_pages: 100 });
    const f = o.sim.kernel.vm.objects.get('f')!;
    // the 99 most recently used of the first 300, plus page 0
    expect(f.state(0) & Page.RESIDENT).toBe(Page.RESIDENT);
    expect(f.state(1) & Page.RESIDENT).toBe(0);
    expect(f.state(200) & Page.RESIDENT).toBe(0);
    expect(f.state(201) & Page.RESIDENT).toBe(Page.RESIDENT);
  });

  it('a use moves a page to the LRU tail', () => {
    const b = new TraceBuilder('a').map(0, A, 1024 * PS, 'f');
    for (let i = 0; i < 10; i++) b.op(i, 'read', A + i * PS, 8);
    b.op(10, 'write', A, 8); // page 0 becomes most recently used
    b.op(11, 'read', A + 10 * PS, 8); // evicts page 1, the oldest
    const o = simulate(b.rows, { memory: { pages: 10 } });
    const f = o.sim.kernel.vm.objects.get('f')!;
    expect(f.state(0) & Page.RESIDENT).toBe(Page.RESIDENT);
    expect(f.state(1) & Page.RESIDENT).toBe(0);
  });

  it('cleans dirty pages first (cause pageout) and frees them when written; the faulting writer waits', () => {
    const b = new TraceBuilder('a').map(0, A, 1024 * PS, 'f');
    for (let i = 0; i < 4; i++) b.op(0, 'write', A + i * PS, 8);
    b.op(1, 'write', A + 100 * PS, 8);
    const o = simulate(b.rows, { memory: { pages: 4 } });
    // pages 0..3 dirty and contiguous: one pageout I/O of 4 pages (1..101 µs); the fifth store waits for it
    expect(o.writebacks.map((w) => [w.tSubmitNs, w.pages, w.cause])).toEqual([[1000, 4, 'pageout']]);
    expect(o.ops.at(-1)!.tDoneNs).toBe(101_000);
    expect(o.result.memory.evictions).toBe(4);
    expect(o.result.memory.peak_resident_pages).toBe(4);
    expect(o.result.writeback.by_cause.pageout).toBe(4 * PS);
  });

  it('never frees wired pages', () => {
    const b = new TraceBuilder('a').map(0, A, 1024 * PS, 'f').op(0, 'wire', A, 8 * PS, 'USER');
    for (let i = 0; i < 50; i++) b.op(1 + i, 'read', A + (100 + i) * PS, 8);
    const o = simulate(b.rows, { memory: { pages: 20, max_user_wired_pages: 100 } });
    expect(resultOf(o, 4)).toBe('OK');
    const f = o.sim.kernel.vm.objects.get('f')!;
    for (let i = 0; i < 8; i++) expect(f.state(i) & Page.RESIDENT).toBe(Page.RESIDENT);
    expect(o.result.memory.peak_resident_pages).toBe(20);
    expect(o.result.memory.evictions).toBe(50 - 12);
  });

  it('when nothing can be freed (all wired), the limit is exceeded rather than deadlocking', () => {
    // max_user_wired_pages 10: a system wiring (vslock) is also refused above the limit (section 10 F6), 10 pages are not above it
    const b = new TraceBuilder('a').map(0, A, 1024 * PS, 'f').op(0, 'wire', A, 10 * PS, 'SYSTEM').op(1, 'read', A + 20 * PS, 8);
    const o = simulate(b.rows, { memory: { pages: 10, max_user_wired_pages: 10 } });
    expect(o.result.memory.peak_resident_pages).toBe(11);
    expect(o.result.memory.evictions).toBe(0);
  });

  it('freebsd: user wiring past vm.max_user_wired (4/5 of memory by default, section 10 F3: 80 of 100 pages) is ENOMEM', () => {
    const b = new TraceBuilder('a').map(0, A, 1024 * PS, 'f').op(0, 'wire', A, 81 * PS, 'USER').op(1, 'wire', A, 80 * PS, 'USER');
    const o = simulate(b.rows, { memory: { pages: 100 } });
    expect(resultOf(o, 4)).toBe('ENOMEM');
    expect(resultOf(o, 5)).toBe('OK');
  });

  it.each(['freebsd', 'xnu', 'linux', 'mach'])('property (%s): no wired page is ever evicted and no dirty page is dropped without being written', (personality) => {
    fc.assert(fc.property(
      fc.array(fc.record({
        op: fc.constantFrom('write', 'write', 'read', 'wire', 'unwire', 'msync'),
        page: fc.integer({ min: 0, max: 199 }), pages: fc.integer({ min: 1, max: 8 }), dt: fc.integer({ min: 0, max: 200 }),
        flags: fc.constantFrom('USER', 'SYSTEM', 'SYNC', 'ASYNC', 'INVALIDATE'),
      }), { maxLength: 150 }),
      fc.integer({ min: 8, max: 64 }), fc.constantFrom('none', 'syncer', 'flusher'),
      (ops, mem, policy) => {
        const b = new TraceBuilder('a').map(0, A, 200 * PS, 'f').map(0, 0x20000000, 16 * PS, 'g', 0, 'PRIVATE');
        let t = 0;
        for (const o of ops) {
          t += o.dt;
          let flags = o.op === 'wire' || o.op === 'unwire' ? (o.flags === 'SYSTEM' ? 'SYSTEM' : 'USER') : o.op === 'msync' ? (['SYNC', 'ASYNC', 'INVALIDATE'].includes(o.flags) ? o.flags : 'SYNC') : '';
          // Mach's INVALIDATE without SYNC/ASYNC discards dirty non-precious data by design
          if (personality === 'mach' && flags === 'INVALIDATE') flags = 'SYNC|INVALIDATE';
          b.op(t, o.op as 'write', A + o.page * PS, o.pages * PS, flags);
        }
        b.op(t + 1, 'write', 0x20000000, 16 * PS);
        const bad: string[] = [];
        const lastStore = new Map<number, number>();
        const lastWrite = new Map<number, number>();
        const sim = new Simulator(resolveConfig(withQueueDevice({ personality, memory: { pages: mem }, writeback: { policy, interval_ms: 1 } })), {
          sync() {}, timeline() {},
          writeback(w) {
            for (let p = w.offset / PS; p < w.offset / PS + w.pages; p++) lastWrite.set(p, w.tSubmitNs);
          },
          op(r) {
            const f = sim.kernel.vm.objects.get('f')!;
            // a store happens between the op's issue and its end: a page clean at the end must have been written after the issue
            if (r.row.op === 'write' && r.row.addr < 0x20000000) {
              for (let p = (r.row.addr - A) / PS; p < (r.row.addr - A + r.row.len) / PS && p < 200; p++) lastStore.set(p, r.tIssueNs);
            }
            for (let p = 0; p < 200; p++) {
              if (f.wireCount(p) > 0 && !(f.state(p) & Page.RESIDENT)) bad.push(`wired page ${p} not resident after line ${r.row.line}`);
            }
          },
        });
        sim.feed(b.rows);
        sim.run();
        sim.end();
        sim.run();
        const f = sim.kernel.vm.objects.get('f')!;
        for (const [p, ts] of lastStore) {
          if (!(f.state(p) & Page.DIRTY) && (lastWrite.get(p) ?? -1) < ts) bad.push(`page ${p} stored at ${ts} is clean but last written at ${lastWrite.get(p)}`);
        }
        expect(bad).toEqual([]);
      }), { numRuns: 80 });
  });
});
