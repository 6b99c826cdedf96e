/**
 * device.busy_latency_us and device.busy_flush_us: a device's round trip
 * beside a busy CPU (README, "A busy vCPU beside the device"). A command
 * notes at its submission whether another task runs (HostSpeed.peerBusy,
 * which the simulator makes "more than one task running"); a read's or
 * write's latency then takes busy_latency_us more, a FLUSH's fixed cost
 * busy_flush_us more.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import type { OpRecord } from '../sim/stats/records.ts';
import type { TraceRow } from '../traces/types.ts';
import { rig } from './device-rig.ts';
import { TraceBuilder } from './helpers.ts';

const us = (ns: number) => ns / 1000;
const CONSTANT = { read_latency: { dist: 'constant', mean_us: 30 }, write_latency: { dist: 'constant', mean_us: 20 }, bandwidth_mbps: 0, read_bandwidth_mbps: 0, media_mbps: 0 };

describe('a command submitted while another task runs (the device model)', () => {
  it('a read or write takes busy_latency_us more; one submitted while no other task runs does not', () => {
    const r = rig('nvme', { ...CONSTANT, busy_latency_us: 15 });
    let busy = true;
    r.host.peerBusy = () => busy;
    const w = r.io('write', 0, 0, 1), rd = r.io('read', 0, 4, 1), calm = r.io('write', 0, 8, 1);
    r.at(0, w);
    r.at(0, rd);
    r.eng.at(50_000, { fire: () => { busy = false; } });
    r.at(100_000, calm);
    r.eng.run();
    expect([us(w.tDone), us(rd.tDone), us(calm.tDone)]).toEqual([35, 45, 120]);
  });

  it('is judged when the command is submitted: a peer that starts running later changes nothing', () => {
    const r = rig('nvme', { ...CONSTANT, busy_latency_us: 15 });
    let busy = false;
    r.host.peerBusy = () => busy;
    const w = r.io('write', 0, 0, 1);
    r.at(0, w);
    r.eng.at(1_000, { fire: () => { busy = true; } });
    r.eng.run();
    expect(us(w.tDone)).toBe(20);
  });

  it('a FLUSH takes busy_flush_us more (the cache destaged, plus its fixed cost)', () => {
    const cache = { write_cache: true, cache_mb: 64, flush_us: 50, flush_empty_us: 50, destage: 'continuous', media_write_us: 0, busy_flush_us: 20 };
    for (const [busy, done] of [[true, 70], [false, 50]] as const) {
      const r = rig('sata-ssd', { ...CONSTANT, ...cache });
      r.host.peerBusy = () => busy;
      const f = r.io('flush', 0, 0, 0);
      r.at(0, f);
      r.eng.run();
      expect(us(f.tDone)).toBe(done);
    }
  });

  it('under submit_completion drained, each command of a spell completes busy_latency_us after the spell\'s one latency', () => {
    const drained = { ...CONSTANT, submit_us: 5, submit_command_us: 2, submit_completion: 'drained', channels: 8, busy_latency_us: 15 };
    const r = rig('nvme', drained);
    r.host.peerBusy = () => true;
    r.atAll(0, [0, 1].map((i) => r.io('write', 0, 2 * i, 1))); // turns end at 7 and 9: drained at 9, + 20 + 15
    r.eng.run();
    expect(r.done.map((x) => us(x.tDone))).toEqual([44, 44]);
  });

  it('a PREFLUSH write pays both: the FLUSH before it busy_flush_us more, its own latency busy_latency_us more', () => {
    const cache = { write_cache: true, cache_mb: 64, flush_us: 50, flush_empty_us: 50, destage: 'continuous', media_write_us: 0, busy_latency_us: 15, busy_flush_us: 20 };
    const done = (busy: boolean) => {
      const r = rig('sata-ssd', { ...CONSTANT, ...cache });
      r.host.peerBusy = () => busy;
      const w = r.io('write', 0, 0, 1, { preflush: true });
      r.at(0, w);
      r.eng.run();
      return us(w.tDone);
    };
    expect(done(false)).toBe(70); // FLUSH 50, then the write's 20
    expect(done(true)).toBe(105);
  });

  it('with submit_overlap (each completion) the latency that runs from the dispatch takes it, and the host\'s factor scales it', () => {
    const overlap = { ...CONSTANT, submit_us: 5, submit_command_us: 2, submit_overlap: true, channels: 8, busy_latency_us: 15 };
    for (const [factor, busy, done] of [[1, false, 20], [1, true, 35], [2, true, 70]] as const) {
      const r = rig('nvme', overlap, 0, factor);
      r.host.peerBusy = () => busy;
      r.host.syncBegins();
      const w = r.io('write', 0, 0, 1);
      r.at(0, w);
      r.eng.run();
      expect(us(w.tDone)).toBe(done);
    }
  });

  it('with both keys 0 (every named profile) the device never asks whether a peer runs', () => {
    const r = rig('sata-ssd', { ...CONSTANT, write_cache: true });
    r.host.peerBusy = () => {
      throw new Error('asked');
    };
    const w = r.io('write', 0, 0, 1), f = r.io('flush', 0, 0, 0);
    r.at(0, w);
    r.at(100_000, f);
    r.eng.run();
    expect(us(w.tDone)).toBe(20);
    expect(r.done).toHaveLength(2);
  });
});

describe('a command submitted while another task runs (the simulator: more than one task running)', () => {
  const PS = 4096, A = 0x10000000;
  /** µs the msync of task a (4 dirty pages, one write) took, with task b running beside it (rows until 5000 µs) or not (no task b). */
  function msyncUs(withB: boolean, device: Record<string, unknown>): number {
    const a = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'SYNC').rows;
    const b = new TraceBuilder('b').map(0, A, 16 * PS, 'g').op(5000, 'write', A, PS).rows;
    const rows: TraceRow[] = (withB ? [...a, ...b] : [...a, { ...a[1]!, tNs: 5_000_000, line: 99 }]).sort((x, y) => x.tNs - y.tNs);
    const ops: OpRecord[] = [];
    const sim = new Simulator(resolveConfig({ personality: 'linux', replay: 'open', pagein: false, cpu: { per_page_us: 0 }, device }), { sync() {}, writeback() {}, timeline() {}, op: (r) => ops.push(r) });
    sim.feed(rows);
    sim.run();
    sim.end();
    sim.run();
    const o = ops.find((x) => x.row.task === 'a' && x.row.op === 'msync')!;
    return (o.tDoneNs - o.tIssueNs) / 1000;
  }

  it('the msync\'s write takes busy_latency_us more while another task runs, nothing more alone; its FLUSH busy_flush_us more', () => {
    const nvme = { profile: 'nvme', ...CONSTANT, busy_latency_us: 15 };
    expect(msyncUs(true, nvme) - msyncUs(false, nvme)).toBeCloseTo(15, 9);
    const plain = { profile: 'nvme', ...CONSTANT };
    expect(msyncUs(true, plain)).toBeCloseTo(msyncUs(false, plain), 9);
    expect(msyncUs(false, nvme)).toBeCloseTo(msyncUs(false, plain), 9);
    const cached = { profile: 'sata-ssd', ...CONSTANT, write_cache: true, flush_us: 50, flush_empty_us: 50, destage: 'continuous', media_write_us: 0, busy_latency_us: 15, busy_flush_us: 20 };
    expect(msyncUs(true, cached) - msyncUs(false, cached)).toBeCloseTo(35, 9);
  });
});
