/**
 * The block-layer plug (sim/pager/plug.ts) and Linux writeback under it: an
 * msync's writes reach the device after the CPU work of its pages, as
 * ext4_do_writepages holds a plug; the plug dispatches early after 32
 * requests or behind a request of 128 KiB or more (blk_add_rq_to_plug).
 * Expected times are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { Io, type BlockDevice } from '../sim/device/device.ts';
import { BlkPlug, BLK_MAX_REQUEST_COUNT } from '../sim/pager/plug.ts';
import type { VmObject } from '../sim/vm/object.ts';
import { simulate, TraceBuilder } from './helpers.ts';

const PS = 4096;
const A = 0x10000000;

/** A device that only records what reaches it. */
function recorder() {
  const got: number[] = [];
  /** The I/O ids of each submission (a plug's list reaches the device as one). */
  const batches: number[][] = [];
  const dev = {
    outstanding: 0, submit: (io: Io) => { got.push(io.id); batches.push([io.id]); },
    submitAll: (ios: Io[]) => { got.push(...ios.map((x) => x.id)); batches.push(ios.map((x) => x.id)); }, expedite() {},
    stats: () => ({ utilization: 0, mean_queue_depth: 0, max_queue_depth: 0, flushes: 0 }) } as unknown as BlockDevice;
  let id = 0;
  const io = (pages: number) => new Io(id++, {} as VmObject, 0, pages, 'msync', true);
  return { got, batches, dev, io };
}

describe('blk_plug', () => {
  it('holds requests until finished, then dispatches them in order', () => {
    const r = recorder();
    const plug = new BlkPlug(r.dev, PS);
    for (let i = 0; i < 5; i++) plug.add(r.io(1));
    expect(r.got).toEqual([]);
    plug.finish();
    expect(r.got).toEqual([0, 1, 2, 3, 4]);
    expect(r.batches).toEqual([[0, 1, 2, 3, 4]]);
    plug.finish();
    expect(r.batches.length).toBe(1);
  });

  it('a 33rd request first dispatches the 32 it holds (BLK_MAX_REQUEST_COUNT)', () => {
    const r = recorder();
    const plug = new BlkPlug(r.dev, PS);
    for (let i = 0; i < BLK_MAX_REQUEST_COUNT; i++) plug.add(r.io(1));
    expect(r.got.length).toBe(0);
    plug.add(r.io(1));
    expect(r.got.length).toBe(32);
    plug.finish();
    expect(r.got.length).toBe(33);
    expect(r.batches.map((b) => b.length)).toEqual([32, 1]);
  });

  it('a request after one of 128 KiB or more dispatches the list first (BLK_PLUG_FLUSH_SIZE); one of 124 KiB does not', () => {
    const r = recorder();
    const plug = new BlkPlug(r.dev, PS);
    plug.add(r.io(31)); // 124 KiB
    plug.add(r.io(1));
    expect(r.got).toEqual([]);
    plug.add(r.io(32)); // 128 KiB
    expect(r.got).toEqual([]);
    plug.add(r.io(1));
    expect(r.got).toEqual([0, 1, 2]);
  });
});

describe('linux msync writeback under the plug', () => {
  it('the writes of scattered pages reach the device together after the CPU work of all of them', () => {
    // three dirty pages 2 pages apart: three runs; 10 µs of CPU each; 4 channels of 100 µs
    const rows = new TraceBuilder().map(0, A, 8 * PS, 'f')
      .op(0, 'write', A, 1).op(0, 'write', A + 2 * PS, 1).op(0, 'write', A + 4 * PS, 1)
      .op(10, 'msync', A, 8 * PS, 'SYNC').rows;
    const o = simulate(rows, { personality: 'linux', fs: { kind: 'none' }, cpu: { clean_page_us: 10 }, device: { channels: 4 } });
    // syscall cost 0 under the queue profile: page work 10 → 40 µs, then all three writes at 40, done at 140
    expect(o.writebacks.map((w) => [w.tSubmitNs / 1000, w.tDoneNs / 1000])).toEqual([[40, 140], [40, 140], [40, 140]]);
  });
});
