/**
 * Corrections from the source audit of FreeBSD main and XNU HEAD
 * (semantics.md section 10: F1–F8, X1–X9). Each expected value is derived by
 * hand from the kernel function named in the comment, with the defaults:
 * page size 4096, device 1 channel, constant 100 µs per I/O, FIFO, CPU costs
 * 0, closed replay.
 */
import { describe, it, expect } from 'vitest';
import { TraceBuilder, simulate, resultOf, type SimOutput, objOf, doneAt, ios } from './helpers.ts';
import { resolveConfig } from '../sim/config.ts';
import { Page } from '../sim/vm/object.ts';
import type { TraceRow } from '../traces/types.ts';

const P = 4096;
const B = 0x100000;
const S = 0x4000000;
const R = Page.RESIDENT, D = Page.DIRTY;

/** Line of the row most recently added. */
const last = (t: TraceBuilder) => t.rows[t.rows.length - 1].line;
/** State bits of pages 0..n-1 of an object. */
const pages = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).state(i));
/** Wire counts of pages 0..n-1 of an object. */
const wires = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).wireCount(i));
const xnu = (rows: TraceRow[], cfg: Record<string, unknown> = {}) => simulate(rows, { ...cfg, personality: 'xnu' });

describe('10 FreeBSD', () => {
  it('F1: the vnode lock serializes msyncs of one file — two tasks\' SYNC msyncs of disjoint halves: A 200 µs, B 400 µs (was 300, 400)', () => {
    // A and B map the same 1 MiB file f; A dirties 256 KiB of the first half, B 256 KiB of the second; both msync SYNC their half at t=2.
    // The figure is for device.profile=queue (constant 100 µs, cluster 32); the default device is the same:
    // constant 100 µs per I/O whatever its size, 1 channel, FIFO, cluster 32. Each half: 64 dirty pages = 2 clusters,
    // OBJPC_SYNC (partial range) → one cluster at a time. vm_object_sync holds vn_lock(LK_EXCLUSIVE) across
    // vm_object_page_clean: A (first to run) writes 2..102, 102..202 and unlocks at 202 → 200 µs;
    // B sleeps on the lock until 202, then 202..302, 302..402 → 400 µs.
    // Without the lock the clusters interleave A1 2..102, B1 102..202, A2 202..302, B2 302..402: A 300, B 400.
    const half = 128 * P;
    const t = new TraceBuilder('A').map(0, B, 256 * P, 'f').map(0, S, 256 * P, 'f', 0, '', 'B')
      .op(1, 'write', B, 64 * P).op(1, 'write', S + half, 64 * P, '', { task: 'B' })
      .op(2, 'msync', B, half, 'SYNC').op(2, 'msync', S + half, half, 'SYNC', { task: 'B' });
    const o = simulate(t.rows);
    expect([resultOf(o, 7), resultOf(o, 8)]).toEqual(['OK', 'OK']);
    expect([doneAt(o, 7) - 2, doneAt(o, 8) - 2]).toEqual([200, 400]);
    expect(ios(o).map((w) => [w.first, w.submit, w.done])).toEqual([[0, 2, 102], [32, 102, 202], [128, 202, 302], [160, 302, 402]]);
    // msyncs of different files do not wait for each other
    const t2 = new TraceBuilder('A').map(0, B, 256 * P, 'f').map(0, S, 256 * P, 'g', 0, '', 'B')
      .op(1, 'write', B, 64 * P).op(1, 'write', S + half, 64 * P, '', { task: 'B' })
      .op(2, 'msync', B, half, 'SYNC').op(2, 'msync', S + half, half, 'SYNC', { task: 'B' });
    const o2 = simulate(t2.rows);
    expect([doneAt(o2, 7) - 2, doneAt(o2, 8) - 2]).toEqual([300, 400]);
  });

  it('F1: a page-in of the file waits while an msync holds its vnode lock (vm_fault → vnode_pager_getpages); a resident page does not', () => {
    // A: 64 dirty pages, msync SYNC of them at 2 µs: OBJPC_SYNC, 2 clusters 2..102, 102..202, lock held 2..202.
    // B at 50: a load of a resident page (0) returns at once; a load of a non-resident page (100) waits for the unlock at 202;
    // a load of a non-resident page of another file (g) does not wait.
    const t = new TraceBuilder('A').map(0, B, 256 * P, 'f').map(0, S, 256 * P, 'f', 0, '', 'B').map(0, S + 256 * P, 4 * P, 'g', 0, '', 'C')
      .op(1, 'write', B, 64 * P).op(2, 'msync', B, 64 * P, 'SYNC');
    t.op(50, 'read', S, P, '', { task: 'B' }); const resident = last(t);
    t.op(50, 'read', S + 100 * P, P, '', { task: 'B' }); const pageIn = last(t);
    t.op(50, 'read', S + 256 * P, P, '', { task: 'C' }); const other = last(t);
    const o = simulate(t.rows);
    expect([doneAt(o, 7), doneAt(o, resident), doneAt(o, pageIn), doneAt(o, other)]).toEqual([202, 50, 202, 50]);
    // xnu has no such lock
    expect(doneAt(xnu(t.rows), pageIn)).toBe(50);
  });

  it('F2: adjacent map rows of contiguous offsets of one object are one entry (vm_map_insert merges); msync len 0 (whole entry) covers both', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'f', 4 * P)
      .map(0, B + 8 * P, 4 * P, 'f', 0) // offsets not contiguous: a separate entry
      .op(0, 'write', B, 8 * P).op(10, 'msync', B, 0, 'SYNC');
    const o = simulate(t.rows);
    expect(o.sim.kernel.vm.maps.get('a')!.entries.map((e) => [(e.start - B) / P, (e.end - B) / P])).toEqual([[0, 8], [8, 12]]);
    // vm_map_sync [B, B+8P) → vm_object_sync of f pages 0-7; pages 0-7 are the whole object (size 8): one cluster of 8, fsync path
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 8, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 8)).toEqual(Array(8).fill(R));
    // xnu does not merge at map time: the same msync (len 0) is EINVAL there, and the entries stay apart
    expect(xnu(t.rows).sim.kernel.vm.maps.get('a')!.entries.length).toBe(3);
  });

  it('F3: vm.max_user_wired defaults to 4 × memory pages / 5 (vm_pageout_init); unset and memory unlimited: no limit', () => {
    // memory.pages 1000 → 800: kern_mlock refuses npages > 800 before vm_map_wire
    const t = new TraceBuilder().map(0, B, 1024 * P, 'f');
    t.op(0, 'wire', B, 801 * P, 'USER'); const over = last(t);
    t.op(0, 'wire', B, 800 * P, 'USER'); const at = last(t);
    const o = simulate(t.rows, { memory: { pages: 1000 } });
    expect([resultOf(o, over), resultOf(o, at)]).toEqual(['ENOMEM', 'OK']);
    expect(simulate(t.rows).ops.map((r) => r.result)).toEqual(['OK', 'OK', 'OK']);
  });

  it('F4: pager.cluster_pages is 8 below 2000 memory pages when not set (vm_pageout_page_count), else 32; a set value wins; memory.pages 0 is large', () => {
    expect(resolveConfig({ memory: { pages: 1999 } }).pager.cluster_pages).toBe(8);
    expect(resolveConfig({ memory: { pages: 2000 } }).pager.cluster_pages).toBe(32);
    expect(resolveConfig({ memory: { pages: 0 } }).pager.cluster_pages).toBe(32);
    expect(resolveConfig({ memory: { pages: 1000 }, pager: { cluster_pages: 32 } }).pager.cluster_pages).toBe(32);
    expect(resolveConfig({ memory: { pages: 1000 }, personality: 'xnu' }).pager.cluster_pages).toBe(32);
    // vm_object_page_clean (OBJPC_SYNC, partial range): 20 dirty pages in clusters of 8 → 8, 8, 4, one at a time
    const t = new TraceBuilder().map(0, B, 64 * P, 'f').op(0, 'write', B, 20 * P).op(10, 'msync', B, 20 * P, 'SYNC');
    const o = simulate(t.rows, { memory: { pages: 1000 } });
    expect(ios(o).map((w) => [w.first, w.pages, w.done])).toEqual([[0, 8, 110], [8, 8, 210], [16, 4, 310]]);
  });

  it('F6: a system wiring answers as vslock — more pages than vm_page_max_user_wired → ENOMEM, a vm_map_wire failure (hole) → EFAULT', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g');
    t.op(0, 'wire', B + 2 * P, 5 * P, ''); const hole = last(t); // 5 pages, hole at pages 4-5
    t.op(0, 'wire', B, 7 * P, 'HOLESOK'); const big = last(t);
    t.op(0, 'wire', B, 8 * P, 'USER'); const userHole = last(t);
    const o = simulate(t.rows, { memory: { max_user_wired_pages: 6 } });
    // vslock: 5 ≤ 6 → vm_map_wire(NOHOLES) fails → EFAULT; 7 > 6 → ENOMEM; user wiring of 8 pages: kern_mlock's check → ENOMEM
    expect([hole, big, userHole].map((l) => resultOf(o, l))).toEqual(['EFAULT', 'ENOMEM', 'ENOMEM']);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    const u = simulate(t.rows);
    expect([hole, big, userHole].map((l) => resultOf(u, l))).toEqual(['EFAULT', 'OK', 'ENOMEM']);
  });

  it('F7: unmap with len 0 → EINVAL (kern_munmap), nothing removed', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'unmap', B, 0).op(1, 'write', B, P);
    const o = simulate(t.rows);
    expect([resultOf(o, 4), resultOf(o, 5)]).toEqual(['EINVAL', 'OK']);
    expect(o.sim.kernel.vm.maps.get('a')!.entries.length).toBe(1);
  });
});

describe('10 XNU', () => {
  it('X1: munlock across a hole unwires the entry before the hole (vm_map_unwire_nested, HEAD) — the issue trace gives 0 wired pages', () => {
    const t = new TraceBuilder().map(0, 0x100000, 0x1000, 'F').map(0, 0x102000, 0x1000, 'G')
      .op(0, 'wire', 0x100000, 0x1000, 'USER').op(0, 'unwire', 0x100000, 0x3000, 'USER');
    const o = xnu(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
    expect(o.sim.kernel.vm.userWiredPages).toBe(0);
  });

  it('X2: msync never writes a wired dirty page (the UPL skips it, it stays dirty) — the issue trace writes 1 page, not 2', () => {
    const t = new TraceBuilder().map(0, 0x100000, 0x2000, 'f').op(0, 'write', 0x100000, 0x2000)
      .op(0, 'wire', 0x100000, 0x1000, 'USER').op(10, 'msync', 0x100000, 0x2000, 'SYNC');
    const o = xnu(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 1, pages: 1, submit: 10, done: 110 }]);
    expect(o.syncs.map((s) => s.pagesWritten)).toEqual([1]);
    expect(pages(o, 'f', 2)).toEqual([R | D, R]);
  });

  it('X2: each dirty sub-run is its own pageout — a clean precious page between two dirty ones is not written', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRECIOUS').op(0, 'read', B + P, P)
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(10, 'msync', B, 3 * P, 'ASYNC');
    const o = xnu(t.rows);
    // vnode_pageout (UPL_MSYNC, ASYNC): run 0..2 → dirty sub-runs [0] and [2], both queued at 10 µs
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 210 },
    ]);
    expect(pages(o, 'f', 3)).toEqual([R, R | Page.PRECIOUS, R]);
  });

  it('X3: msync into a sub-map syncs from the sub-map entry\'s own offset (local_offset = VME_OFFSET(entry)), for the piece\'s size', () => {
    const t = new TraceBuilder().map(0, S, 8 * P, 'x', 0, '', 'shared').map(0, B, 8 * P, 'shared', S, 'SUBMAP')
      .op(0, 'write', B, P).op(0, 'write', B + 4 * P, 2 * P).op(10, 'msync', B + 4 * P, 2 * P, 'SYNC');
    const o = xnu(t.rows);
    // vm_map_msync(sub-map, S, 2 pages): page 0 written; pages 4-5 (the address range) untouched
    expect(ios(o)).toEqual([{ obj: 'x', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'x', 6)).toEqual([R, 0, 0, 0, R | D, R | D]);
  });

  it('X4: wiring through a sub-map recurses — a hole in the sub-map → KERN_INVALID_ADDRESS (ENOMEM) and everything rolled back', () => {
    // sub-map 'shared': x at S (2 pages), hole, y at S+4P (2 pages); task a: f at B (2 pages), then the sub-map at B+2P over [S, S+6P)
    const t = new TraceBuilder().map(0, S, 2 * P, 'x', 0, '', 'shared').map(0, S + 4 * P, 2 * P, 'y', 0, '', 'shared')
      .map(0, B, 2 * P, 'f').map(0, B + 2 * P, 6 * P, 'shared', S, 'SUBMAP');
    t.op(0, 'wire', B, 8 * P, 'USER'); const across = last(t);
    t.op(0, 'wire', B + 2 * P, 2 * P, 'USER'); const sub = last(t); // [S, S+2P): no hole
    t.op(1, 'unwire', B + 2 * P, 2 * P, 'USER'); const unlock = last(t);
    t.op(2, 'wire', B + 2 * P, 2 * P, ''); const kernel = last(t);
    t.op(3, 'unmap', B + 2 * P, 2 * P); const gone = last(t);
    const shared = (o: SimOutput) => o.sim.kernel.vm.maps.get('shared')!.entries.map((e) => [(e.start - S) / P, (e.end - S) / P, e.wiredCount, e.userWiredCount]);
    const a = simulate(t.rows.filter((r) => r.line <= across), { personality: 'xnu' });
    // f wired first, then the sub-map entry's recursion meets the hole at S+2P: it rolls back x, the outer rollback f
    expect(resultOf(a, across)).toBe('ENOMEM');
    expect([...wires(a, 'f', 2), ...wires(a, 'x', 2), ...wires(a, 'y', 2)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(shared(a)).toEqual([[0, 2, 0, 0], [4, 6, 0, 0]]);
    expect(a.sim.kernel.vm.userWiredPages).toBe(0);
    const b = simulate(t.rows.filter((r) => r.line <= sub), { personality: 'xnu' });
    expect(resultOf(b, sub)).toBe('OK');
    expect(shared(b)).toEqual([[0, 2, 1, 1], [4, 6, 0, 0]]);
    expect(wires(b, 'x', 2)).toEqual([1, 1]);
    const c = simulate(t.rows.filter((r) => r.line <= unlock), { personality: 'xnu' });
    expect(shared(c)).toEqual([[0, 2, 0, 0], [4, 6, 0, 0]]);
    expect(wires(c, 'x', 2)).toEqual([0, 0]);
    // a kernel wiring goes down too, and munmap of the wired sub-map entry gives the sub-map's wiring back
    const d = simulate(t.rows.filter((r) => r.line <= kernel), { personality: 'xnu' });
    expect(shared(d)).toEqual([[0, 2, 1, 0], [4, 6, 0, 0]]);
    // unmap while user wired (munlock and the kernel wiring left out)
    const o = xnu(t.rows.filter((r) => r.line !== kernel && r.line !== unlock));
    expect(shared(o)).toEqual([[0, 2, 0, 0], [4, 6, 0, 0]]);
    expect(resultOf(o, gone)).toBe('OK');
    expect(wires(o, 'x', 2)).toEqual([0, 0]);
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
  });

  it('X5: wire/unwire with len 0 succeed and change nothing, even unaligned or unmapped (vm_sanitize)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, 'USER');
    t.op(0, 'unwire', B + 100, 0, 'USER'); const u = last(t);
    t.op(0, 'unwire', B + 100, 0, ''); const k = last(t);
    t.op(0, 'wire', B + 9 * P + 1, 0, ''); const w = last(t);
    const o = xnu(t.rows);
    expect([u, k, w].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK']);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(o.sim.kernel.vm.maps.get('a')!.entries.map((e) => [e.start, e.end, e.userWiredCount])).toEqual([[B, B + 4 * P, 1]]);
  });

  it('X6: KILLPAGES on a PRIVATE file mapping does nothing (kill_pages = -1): its private data stays dirty', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f', 0, 'PRIVATE').op(0, 'write', B, 2 * P).op(10, 'msync', B, 2 * P, 'KILLPAGES');
    const o = xnu(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(o.sim.kernel.vm.counters.dirty).toBe(2);
    expect(o.writebacks).toEqual([]);
  });

  it('X7: a store to a page under msync writeback does not wait; a second msync waits for the I/O, then writes the page again', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC');
    t.op(20, 'write', B, P); const store = last(t);
    t.op(30, 'msync', B, P, 'SYNC'); const second = last(t);
    const o = xnu(t.rows);
    // memory_object_lock_page: the page is "cleaning" → MUST_BLOCK for the second msync until 110, then dirty → returned
    expect([doneAt(o, store), doneAt(o, second)]).toEqual([20, 210]);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 0, pages: 1, submit: 110, done: 210 },
    ]);
    expect(pages(o, 'f', 1)).toEqual([R]);
  });

  it('X8: wire/unwire ranges are clamped to the map\'s top (2^53): a range above it → OK, nothing wired', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', 2 ** 53, 4 * P, 'USER').op(0, 'unwire', 2 ** 53 + P, P, 'USER');
    const o = xnu(t.rows);
    expect([resultOf(o, 4), resultOf(o, 5)]).toEqual(['OK', 'OK']);
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
  });

  it('X9: DEACTIVATE moves idle unwired pages to the inactive end of the LRU (vm_object_deactivate_pages): pageout evicts them first', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'read', B, 4 * P)
      .op(10, 'msync', B + 2 * P, 2 * P, 'DEACTIVATE').op(20, 'read', B + 4 * P, P);
    // memory 4 pages, LRU 0,1,2,3 → after DEACTIVATE 2,3,0,1 → the read of page 4 frees page 2
    const o = xnu(t.rows, { memory: { pages: 4 } });
    expect(pages(o, 'f', 5)).toEqual([R, R, 0, R, R]);
    // without DEACTIVATE the oldest page (0) goes
    const plain = xnu(t.rows.filter((r) => r.op !== 'msync'), { memory: { pages: 4 } });
    expect(pages(plain, 'f', 5)).toEqual([0, R, R, R, R]);
  });
});
