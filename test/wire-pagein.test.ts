/**
 * Wiring faults pages in as a fault does (sim/vm/wire-fault.ts): with
 * `pagein: true`, a wire of file pages that are not resident reads them from
 * the device with each kernel's fault read-ahead and the wiring task waits for
 * the reads; pages already in memory are not read again; anonymous pages are
 * zero-filled. Expected values are worked out by hand from the kernel sources
 * cited in sim/pager/readahead.ts: the device (`device.profile: queue`, the
 * test helpers' default) serves every I/O in a constant 100 µs on one
 * channel, and CPU costs are 0.
 */
import { describe, expect, it } from 'vitest';
import { doneAt, objOf, opOf, resultOf, simulate, TraceBuilder, type SimOutput } from './helpers.ts';
import { Page } from '../sim/vm/object.ts';

const A = 0x10000000;
const PS = 4096;
/** Page-in on, Linux's RLIMIT_MEMLOCK out of the way. */
const on = (personality: string, extra: Record<string, unknown> = {}) => ({ personality, pagein: true, memory: { memlock_limit_bytes: 1 << 30 }, ...extra });
/** Reads as [first page, pages, cause]. */
const reads = (o: SimOutput) => o.reads.map((r) => [r.offset / PS, r.pages, r.cause]);
/** How many times each page of `f` was read (page-ins of other objects left out). */
function readCounts(o: SimOutput, n: number): number[] {
  const c = new Array<number>(n).fill(0);
  for (const r of o.reads) if (r.object === 'f') for (let i = r.offset / PS; i < r.offset / PS + r.pages; i++) c[i]++;
  return c;
}
const wires = (o: SimOutput, n: number) => Array.from({ length: n }, (_, i) => objOf(o, 'f').wireCount(i));
const resident = (o: SimOutput, n: number) => Array.from({ length: n }, (_, i) => (objOf(o, 'f').state(i) & Page.RESIDENT) !== 0);

/** A task maps 64 pages of file f at A and wires them all at t = 10 µs (line 4). */
const wire64 = () => new TraceBuilder().map(0, A, 64 * PS, 'f').op(10, 'wire', A, 64 * PS, 'USER|NOHOLES').rows;
const KERNEL_OK: Record<string, string> = { freebsd: 'OK', xnu: 'OK', linux: 'OK', mach: 'KERN_SUCCESS' };

describe('a wire of non-resident file pages reads them, with each kernel\'s fault read-ahead, and the task waits', () => {
  it('freebsd: vm_fault_wire faults each page through vm_fault: sequential read-ahead from the entry start (24, 32, then the rest)', () => {
    // the entry's next_read starts at its start, read_ahead at 15: nera = 7 + 15 + 1 = 23 → [0,24); at 24, 7 + 23 + 1 = 31
    // → [24,56); at 56 nera 39 is clipped to the entry: [56,64)
    const o = simulate(wire64(), on('freebsd'));
    expect(reads(o)).toEqual([[0, 24, 'pagein'], [24, 32, 'pagein'], [56, 8, 'pagein']]);
    expect(resultOf(o, 4)).toBe('OK');
    expect(doneAt(o, 4)).toBe(10 + 300);
    expect(o.result.pagein).toEqual({ ios: 3, pages: 64, bytes: 64 * PS, wait_us: 300 });
    expect(wires(o, 64).every((w) => w === 1)).toBe(true);
  });

  it('xnu: vm_fault_wire passes VM_BEHAVIOR_SEQUENTIAL and the rest of the entry as cluster size: one read of the whole entry (up to 1 MiB)', () => {
    const o = simulate(wire64(), on('xnu'));
    expect(reads(o)).toEqual([[0, 64, 'pagein']]);
    expect(doneAt(o, 4)).toBe(10 + 100);
    expect(o.result.pagein.wait_us).toBe(100);
    expect(wires(o, 64).every((w) => w === 1)).toBe(true);
  });

  it('xnu: the wire cluster stops at MAX_UPL_TRANSFER_BYTES (256 pages of 4 KiB), whatever readahead.pages', () => {
    const rows = new TraceBuilder().map(0, A, 300 * PS, 'f').op(10, 'wire', A, 300 * PS, 'USER').rows;
    const o = simulate(rows, on('xnu', { readahead: { pages: 8 } }));
    expect(reads(o)).toEqual([[0, 256, 'pagein'], [256, 44, 'pagein']]);
    expect(doneAt(o, 4)).toBe(10 + 200);
  });

  it('linux: populate faults through filemap_fault: read-around [0,32), then the PG_readahead page starts [32,64) asynchronously', () => {
    // fault on 0: window [0,32) with the mark on 24; at 100 µs the wire reaches 24 and reads [32,64) (100-200)
    const o = simulate(wire64(), on('linux'));
    expect(reads(o)).toEqual([[0, 32, 'pagein'], [32, 32, 'readahead']]);
    expect(o.reads.map((r) => [r.tSubmitNs / 1000, r.tDoneNs / 1000])).toEqual([[10, 110], [110, 210]]);
    expect(resultOf(o, 4)).toBe('OK');
    expect(doneAt(o, 4)).toBe(210);
    expect(o.result.pagein.wait_us).toBe(200);
    expect(wires(o, 64).every((w) => w === 1)).toBe(true);
  });

  it('mach: vm_fault_page asks the manager for each absent page (data_request of one page): 64 reads one after another', () => {
    const o = simulate(wire64(), on('mach'));
    expect(o.reads.length).toBe(64);
    expect(o.reads.every((r, i) => r.offset === i * PS && r.pages === 1)).toBe(true);
    expect(resultOf(o, 4)).toBe('KERN_SUCCESS');
    expect(doneAt(o, 4)).toBe(10 + 64 * 100);
  });

  it('a page the wiring faults in costs cpu.fault_page_us as a load\'s fault does; the wiring cpu.wire_page_us per page as before', () => {
    // xnu: one fault (page 0) reads the whole entry; the other 63 pages are resident when reached
    const cpu = { cpu: { fault_page_us: 5, wire_page_us: 1 } };
    const o = simulate(wire64(), on('xnu', cpu));
    expect(doneAt(o, 4)).toBe(10 + 64 * 1 + 100 + 5);
    // freebsd: three faults (pages 0, 24, 56)
    expect(doneAt(simulate(wire64(), on('freebsd', cpu)), 4)).toBe(10 + 64 * 1 + 300 + 3 * 5);
  });
});

describe('what a wire does not read', () => {
  for (const p of ['freebsd', 'xnu', 'linux', 'mach']) {
    it(`${p}: pages in memory are not read again: a load of 20 pages then a wire of 64 reads each page once`, () => {
      const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').op(0, 'read', A + 8 * PS, 20 * PS).op(100000, 'wire', A, 64 * PS, 'USER').rows;
      const o = simulate(rows, on(p));
      const before = o.reads.filter((r) => r.tSubmitNs < 100000 * 1000);
      expect(before.length).toBeGreaterThan(0);
      expect(readCounts(o, 64)).toEqual(new Array(64).fill(1));
      expect(resultOf(o, 5)).toBe(KERNEL_OK[p]);
      expect(wires(o, 64).every((w) => w === 1)).toBe(true);
    });

    it(`${p}: a wire of resident pages reads nothing and waits for nothing`, () => {
      const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').op(0, 'read', A, 64 * PS).op(100000, 'wire', A, 64 * PS, 'USER').rows;
      const o = simulate(rows, on(p));
      const n = o.reads.length;
      expect(readCounts(o, 64)).toEqual(new Array(64).fill(1));
      expect(o.reads.filter((r) => r.tSubmitNs >= 100000 * 1000).length).toBe(0);
      expect(n).toBeGreaterThan(0);
      const w = opOf(o, 5);
      expect(w.tDoneNs - w.tIssueNs).toBe(0);
    });

    it(`${p}: anonymous (private copy-on-write) pages are zero-filled: a wire reads nothing`, () => {
      const rows = new TraceBuilder().map(0, A, 16 * PS, 'f', 0, 'PRIVATE').op(10, 'wire', A, 16 * PS, 'USER').rows;
      const o = simulate(rows, on(p));
      expect(o.reads).toEqual([]);
      expect(doneAt(o, 4)).toBe(10);
      expect(o.result.wire.peak_wired_pages).toBe(16);
    });

    it(`${p}: with pagein off a wire reads nothing (the queue device's default)`, () => {
      const o = simulate(wire64(), { personality: p, memory: { memlock_limit_bytes: 1 << 30 } });
      expect(o.reads).toEqual([]);
      expect(doneAt(o, 4)).toBe(10);
      expect(resident(o, 64).every(Boolean)).toBe(true);
      expect(wires(o, 64).every((w) => w === 1)).toBe(true);
    });
  }
});

describe('a read that fails while wiring', () => {
  const fail = (p: string) => simulate(wire64(), on(p, { device: { error_rate: 1 } }));

  it('freebsd: vm_map_wire fails and rolls back: mlock → ENOMEM, nothing wired, the entry unwired', () => {
    const o = fail('freebsd');
    expect(resultOf(o, 4)).toBe('ENOMEM');
    expect(wires(o, 64).every((w) => w === 0)).toBe(true);
    expect(o.sim.kernel.vm.maps.get('a')!.entries.map((e) => [e.wiredCount, e.userWired])).toEqual([[0, false]]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(0);
  });

  it('freebsd: a system wiring (vslock) that fails → EFAULT', () => {
    const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').op(10, 'wire', A, 64 * PS, '').rows;
    expect(resultOf(simulate(rows, on('freebsd', { device: { error_rate: 1 } })), 4)).toBe('EFAULT');
  });

  it('xnu: vm_fault_wire fails: counts given back, KERN_FAILURE → ENOMEM', () => {
    const o = fail('xnu');
    expect(resultOf(o, 4)).toBe('ENOMEM');
    expect(wires(o, 64).every((w) => w === 0)).toBe(true);
    expect(o.sim.kernel.vm.maps.get('a')!.entries.map((e) => [e.wiredCount, e.userWiredCount])).toEqual([[0, 0]]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(0);
  });

  it('mach: vm_map_wire → KERN_FAILURE, rolled back', () => {
    const o = fail('mach');
    expect(resultOf(o, 4)).toBe('KERN_FAILURE');
    expect(wires(o, 64).every((w) => w === 0)).toBe(true);
    expect(o.sim.kernel.vm.userWiredPages).toBe(0);
  });

  it('linux: populate stops at the failed read: mlock → ENOMEM, VM_LOCKED stays (no rollback)', () => {
    const o = fail('linux');
    expect(resultOf(o, 4)).toBe('ENOMEM');
    expect(o.sim.kernel.vm.maps.get('a')!.entries.map((e) => e.userWired)).toEqual([true]);
    expect(wires(o, 64).every((w) => w === 0)).toBe(true);
  });
});

describe('wiring under a memory limit', () => {
  for (const p of ['freebsd', 'xnu', 'linux', 'mach']) {
    it(`${p}: pages faulted in by a wire are reserved first: resident never passes memory.pages while the wired pages fit`, () => {
      // 40 pages of g are read, then 64 pages of f are wired under a limit of 100: g's pages make room
      const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').map(0, A + 0x1000000, 40 * PS, 'g')
        .op(0, 'read', A + 0x1000000, 40 * PS).op(100000, 'wire', A, 64 * PS, 'USER').rows;
      const o = simulate(rows, on(p, { memory: { pages: 100, memlock_limit_bytes: 1 << 30, max_user_wired_pages: 100 } }));
      expect(resultOf(o, 6)).toBe(KERNEL_OK[p]);
      expect(o.result.wire.peak_wired_pages).toBe(64);
      expect(o.result.memory.peak_resident_pages).toBeLessThanOrEqual(100);
      expect(readCounts(o, 64)).toEqual(new Array(64).fill(1));
    });
  }
});

describe('xnu: the global user wire limit counts pages already wired (vm_page_wire_count), not wirings under way', () => {
  // add_wire_counts (osfmk/vm/vm_map.c) checks size + ptoa(vm_page_wire_count) > vm_global_user_wire_limit under the
  // map's own lock; the pages are counted only as vm_fault_wire wires them, after the map is unlocked
  const two = (t2: number) => new TraceBuilder().map(0, A, 64 * PS, 'f', 0, '', 'a').map(0, A, 64 * PS, 'g', 0, '', 'b')
    .op(1, 'wire', A, 64 * PS, 'USER', { task: 'a' }).op(t2, 'wire', A, 64 * PS, 'USER', { task: 'b' }).rows;
  const cfg = on('xnu', { memory: { pages: 1000, max_user_wired_pages: 100 } });

  it('two tasks mlocking at once both pass the check while the first one\'s pages are still being read: 128 pages wired past a limit of 100', () => {
    const o = simulate(two(2), cfg);
    expect([resultOf(o, 5), resultOf(o, 6)]).toEqual(['OK', 'OK']);
    expect(o.result.wire.peak_wired_pages).toBe(128);
  });

  it('the same mlock once the first one\'s pages are wired → EAGAIN (KERN_RESOURCE_SHORTAGE)', () => {
    const o = simulate(two(1000), cfg);
    expect([resultOf(o, 5), resultOf(o, 6)]).toEqual(['OK', 'EAGAIN']);
    expect(o.result.wire.peak_wired_pages).toBe(64);
  });
});
