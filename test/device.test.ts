/**
 * The device: disciplines, channels, per-page service time and its statistics.
 */
import { describe, expect, it } from 'vitest';
import { simulate, TraceBuilder } from './helpers.ts';
import { Device, Io } from '../sim/device/device.ts';
import { Engine } from '../sim/engine/queue.ts';
import { RandomStream } from '../sim/engine/random.ts';
import type { VmObject } from '../sim/vm/object.ts';

const PS = 4096;
const A = 0x10000000, B = 0x20000000;

/** Task a dirties 10 scattered pages of f and msyncs them ASYNC at t=1 (10 one-page I/Os queued);
 *  task b dirties one page of g and msyncs it SYNC at t=2. */
function contention() {
  const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f').map(0, B, 4 * PS, 'g', 0, '', 'b');
  for (let i = 0; i < 10; i++) b.op(0, 'write', A + 2 * i * PS, 8);
  b.op(0, 'write', B, 8, '', { task: 'b' });
  b.op(1, 'msync', A, 20 * PS, 'ASYNC');
  b.op(2, 'msync', B, PS, 'SYNC', { task: 'b' });
  return b.rows;
}

describe('device', () => {
  it('fifo: a synchronous msync waits behind queued asynchronous writeback', () => {
    const o = simulate(contention());
    const sb = o.syncs.find((s) => s.task === 'b')!;
    // ten 100 µs I/Os start at 1 µs; b's I/O is queued at 2 µs and starts at 1001
    expect(sb.tDoneNs - sb.tIssueNs).toBe(1_099_000);
    expect(o.result.device.max_queue_depth).toBe(11);
  });

  it('sync_first: the I/O a synchronous msync waits on goes before queued asynchronous ones', () => {
    const o = simulate(contention(), { device: { discipline: 'sync_first' } });
    const sb = o.syncs.find((s) => s.task === 'b')!;
    // it waits only for the I/O in service (1..101), then runs 101..201
    expect(sb.tDoneNs - sb.tIssueNs).toBe(199_000);
    const wb = o.writebacks.find((w) => w.object === 'g')!;
    expect([wb.tSubmitNs, wb.tStartNs, wb.tDoneNs]).toEqual([2_000, 101_000, 201_000]);
  });

  it('channels serve in parallel; per_page_us adds to each I/O', () => {
    const o = simulate(contention(), { device: { channels: 2, per_page_us: 5 } });
    // 10 I/Os of 105 µs on 2 channels from 1 µs: b's is 11th, starts when the 5th pair ends at 1 + 5*105 = 526
    const wb = o.writebacks.find((w) => w.object === 'g')!;
    expect(wb.tStartNs).toBe(526_000);
    expect(wb.tDoneNs).toBe(631_000);
  });

  it('utilisation and mean queue depth are time averages over the run', () => {
    const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(0, 'write', A, 8).op(0, 'write', A + 2 * PS, 8).op(0, 'msync', A, 3 * PS, 'ASYNC').op(400, 'read', A, 8);
    const o = simulate(b.rows);
    // two 100 µs I/Os back to back from 0; run ends at 400 µs (the read)
    expect(o.result.sim_time_us).toBe(400);
    expect(o.result.device.utilization).toBeCloseTo(200 / 400, 12);
    // depth 2 for 100 µs, 1 for 100 µs, 0 for 200 µs
    expect(o.result.device.mean_queue_depth).toBeCloseTo(300 / 400, 12);
    expect(o.result.device.max_queue_depth).toBe(2);
  });

  it('error_rate 1: every I/O fails, msync returns EIO and the pages stay dirty', () => {
    const b = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(0, 'write', A, 3 * PS).op(1, 'msync', A, 3 * PS, 'SYNC');
    const o = simulate(b.rows, { device: { error_rate: 1 } });
    expect(o.syncs[0].result).toBe('EIO');
    const f = o.sim.kernel.vm.objects.get('f')!;
    expect([0, 1, 2].map((p) => f.state(p) & 2)).toEqual([2, 2, 2]);
    expect(o.result.sync.errors).toEqual({ EIO: 1 });
  });
});

describe('device: expedite (an I/O a synchronous waiter now depends on)', () => {
  /** One channel, 100 µs per I/O, three I/Os submitted at 0 without urgency; `expedite` the third. */
  function order(discipline: 'fifo' | 'sync_first', expediteIdx: number): { ids: number[]; starts: number[] } {
    const eng = new Engine();
    const done: Io[] = [];
    const dev = new Device(eng, { channels: 1, discipline, per_page_us: 0, error_rate: 0 }, () => 100, new RandomStream(1, 'errors'), { complete: (io) => done.push(io) });
    const obj = {} as VmObject; // the device never looks at the object
    const ios = [0, 1, 2].map((id) => new Io(id, obj, id, 1, 'msync', false));
    for (const io of ios) dev.submit(io);
    dev.expedite(ios[expediteIdx]);
    eng.run();
    return { ids: done.map((io) => io.id), starts: done.map((io) => io.tStart) };
  }

  it('sync_first: a queued I/O moves ahead of the other queued ones (not of the one in service)', () => {
    // I/O 0 is in service 0..100; 2 is expedited, so it runs 100..200 and 1 runs 200..300
    expect(order('sync_first', 2)).toEqual({ ids: [0, 2, 1], starts: [0, 100_000, 200_000] });
    // expediting the I/O in service changes nothing
    expect(order('sync_first', 0)).toEqual({ ids: [0, 1, 2], starts: [0, 100_000, 200_000] });
  });

  it('fifo: expedite does not reorder', () => {
    expect(order('fifo', 2)).toEqual({ ids: [0, 1, 2], starts: [0, 100_000, 200_000] });
  });
});
