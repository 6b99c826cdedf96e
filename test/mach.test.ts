/**
 * mach personality (semantics.md 5 external memory-object protocol, 3.6
 * XNU-old msync dialog, 3.3 hole handling, 6 page state machine, 8
 * discrepancies; wiring after the OSF/early-XNU vm_map_wire/vm_map_unwire).
 *
 * Every expected value is derived by hand from the spec, the choices in
 * sim/personality/mach.ts and the defaults: page size 4096, device 1 channel,
 * constant 100 µs per I/O, FIFO, cluster 32 pages, CPU costs 0, pager.ipc_us 0
 * unless a test sets it, closed replay unless a test says otherwise. In closed
 * replay a task's next row issues at max(now, t_us + lag), lag being how late
 * its previous row finished. A message costs its sender ipc_us; the receiver
 * has it when that delay ends. Map, write and read rows report `OK` (shared
 * code, not the personality).
 *
 * Rows that cannot be triggered in the model (no test on purpose):
 * - 3.6 step 2 "pager vanished → drop the request": objects and their
 *   managers never die in the model.
 * - 3.6 memory_object_synchronize_completed without an exactly matching
 *   (offset, length) → KERN_INVALID_ARGUMENT (MK6.1: panic): the modelled
 *   manager always answers the very request it received.
 * - 3.6 THREAD_INTERRUPTIBLE waits, interrupted user wiring → KERN_FAILURE:
 *   no signals in the model.
 * - 3.6 msr offset += object->paging_offset: objects have no paging offset.
 * - 5 data_request / data_unlock / data_supply, lock_request / lock_completed,
 *   change_attributes: page-ins are instantaneous and the manager never asks
 *   the kernel for anything; only the msync dialog's messages are modelled.
 * - 5 GNU Mach vm_msync stub (KERN_INVALID_ARGUMENT for every non-empty
 *   range): the personality models the kernels that implemented the dialog.
 * - 5 pageout daemon data_return (dirty = !(clean && precious), kcopy =
 *   FALSE): eviction is the shared pageout daemon's (memory.pages), which
 *   writes through the shared pager, not through the manager.
 * - 5 / 3.4 MK6.1 and GNU Mach "wired page that would need a change → block
 *   until unwired": the documented choice follows xnu-3789 (copy returned,
 *   page kept), tested below.
 * - 3.3 KILLPAGES "stops the whole loop at the first hole": KILLPAGES does
 *   nothing to mapped (named) objects either way, so stopping is not
 *   observable; its KERN_INVALID_ADDRESS with CONTIGUOUS is tested. Kill of
 *   an unshared anonymous object: mapped entries are never anonymous.
 * - 3.3 object NULL → skip: every entry has an object (the sub-map and
 *   PRIVATE skips are tested).
 * - MK6.1 `modifiable` / protections, KERN_PROTECTION_FAILURE of
 *   vm_map_wire, MAX_WIRE_COUNT: protections and counter widths are not
 *   modelled.
 * - 5 / 6 a *read* fault on a holding page waits in GNU Mach: the shared
 *   read path never blocks (only stores wait, tested).
 * - vm_msync address wrap: Mach has no check, and the trace reader refuses
 *   addr+len >= 2^53.
 */
import { describe, it, expect } from 'vitest';
import { TraceBuilder, simulate, resultOf, type SimOutput, objOf, opOf, doneAt, ios, traceFormatExample } from './helpers.ts';
import { Page } from '../sim/vm/object.ts';
import { machObjectIfAny } from '../sim/personality/mach/manager.ts';
import { LOCK_PAGE, lockPage, type SyncPolicy } from '../sim/personality/mach/object-sync.ts';
import { MSYNC_CHECKS, syncPolicy } from '../sim/personality/mach.ts';

const P = 4096;
/** Base address of task a's mappings. */
const B = 0x100000;
/** Base address of other tasks' mappings. */
const S = 0x4000000;
const R = Page.RESIDENT, D = Page.DIRTY, W = Page.WB, PR = Page.PRECIOUS;
const MACH = { personality: 'mach' };
const cfg = (over: Record<string, unknown> = {}) => ({ ...MACH, ...over });

/** State bits of pages 0..n-1 of an object. */
function pages(o: SimOutput, name: string, n: number): number[] {
  const x = objOf(o, name);
  return Array.from({ length: n }, (_, i) => x.state(i));
}
const wires = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).wireCount(i));
/** What the manager of `name` took: data_return messages by kind, and synchronize messages. */
function taken(o: SimOutput, name: string) {
  const t = machObjectIfAny(o.sim.kernel, objOf(o, name))?.manager.taken;
  return t ? { ...t } : { dataReturns: 0, dirtyRuns: 0, preciousRuns: 0, kernelCopyRuns: 0, pages: 0, synchronizes: 0 };
}
/** Builds the expected `taken` counts from a list of messages [pages, dirty, kernelCopy] and a synchronize count. */
function msgs(runs: [number, boolean, boolean][], synchronizes: number) {
  return {
    dataReturns: runs.length, dirtyRuns: runs.filter((r) => r[1]).length, preciousRuns: runs.filter((r) => !r[1]).length,
    kernelCopyRuns: runs.filter((r) => r[2]).length, pages: runs.reduce((a, r) => a + r[0], 0), synchronizes,
  };
}
/** Line of the row most recently added. */
const last = (t: TraceBuilder) => t.rows[t.rows.length - 1].line;
const sample = (o: SimOutput, us: number) => {
  const s = o.timeline.find((x) => x.tNs === us * 1000);
  if (!s) throw new Error(`no timeline sample at ${us} µs`);
  return s;
};
/** Task a's map entries, in pages relative to B: wired = wiredCount, user = userWiredCount. */
function entries(o: SimOutput, task = 'a') {
  return o.sim.kernel.vm.maps.get(task)!.entries.map((e) => ({ start: (e.start - B) / P, end: (e.end - B) / P, wired: e.wiredCount, user: e.userWiredCount }));
}
/** Runs the rows of `t` up to and including `line`. */
const upTo = (t: TraceBuilder, line: number, c: Record<string, unknown> = {}) => simulate(t.rows.filter((r) => r.line <= line), cfg(c));

describe('3.6 vm_msync argument checks', () => {
  it('3.6 step 1 / 3.3 step 1: SYNC|ASYNC → KERN_INVALID_ARGUMENT first (before size 0, holes, CONTIGUOUS), no side effect', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P);
    t.op(10, 'msync', B, 4 * P, 'SYNC|ASYNC'); const both = last(t);
    t.op(10, 'msync', B, 0, 'SYNC|ASYNC'); const len0 = last(t);
    t.op(10, 'msync', B - 4 * P, 16 * P, 'SYNC|ASYNC|CONTIGUOUS|INVALIDATE'); const holes = last(t);
    const o = simulate(t.rows, cfg({ pager: { ipc_us: 10 } }));
    expect([both, len0, holes].map((l) => resultOf(o, l))).toEqual(['KERN_INVALID_ARGUMENT', 'KERN_INVALID_ARGUMENT', 'KERN_INVALID_ARGUMENT']);
    expect([both, len0, holes].map((l) => doneAt(o, l))).toEqual([10, 10, 10]); // not even a message
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect(o.result.sync.errors).toEqual({ KERN_INVALID_ARGUMENT: 3 });
  });

  it('3.6 step 2: an unaligned addr is rounded down, the end rounded up; an unaligned addr with len 0 still covers its page', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f')
      .op(0, 'write', B + P, 1).op(0, 'write', B + 3 * P, 1).op(0, 'write', B + 5 * P, 1);
    t.op(10, 'msync', B + P + 100, 2 * P, 'SYNC'); const unaligned = last(t);
    const o = simulate(t.rows, cfg());
    // [B+P+100, B+3P+100) → pages 1..3: pages 1 and 3 (page 2 absent: two runs), not page 5
    expect(resultOf(o, unaligned)).toBe('KERN_SUCCESS');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 1, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 3, pages: 1, submit: 10, done: 210 },
    ]);
    expect(doneAt(o, unaligned)).toBe(210);
    expect(pages(o, 'f', 6)).toEqual([0, R, 0, R, 0, R | D]);

    const t2 = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B + 2 * P, P);
    t2.op(10, 'msync', B + 2 * P + 100, 0, 'SYNC'); const len0 = last(t2);
    const o2 = simulate(t2.rows, cfg({ pager: { ipc_us: 10 } }));
    // data_return 10→20 (I/O 20–120), synchronize 20→30, reply 120→130
    expect(resultOf(o2, len0)).toBe('KERN_SUCCESS');
    expect(ios(o2)).toEqual([{ obj: 'f', first: 2, pages: 1, submit: 20, done: 120 }]);
    expect(doneAt(o2, len0)).toBe(130);
  });

  it('3.6 step 2: size 0 after rounding (aligned addr, len 0) → KERN_SUCCESS with no message and no write', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P);
    t.op(10, 'msync', B, 0, 'SYNC|INVALIDATE'); const l = last(t);
    const o = simulate(t.rows, cfg({ pager: { ipc_us: 10 } }));
    expect(resultOf(o, l)).toBe('KERN_SUCCESS');
    expect(doneAt(o, l)).toBe(10);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
  });

  it('3.6 check table: SYNC|ASYNC is checked before size 0', () => {
    expect(MSYNC_CHECKS.map((c) => c.result)).toEqual(['KERN_INVALID_ARGUMENT', 'KERN_SUCCESS']);
    expect(MSYNC_CHECKS.find((c) => c.applies(1 | 2, 0))?.result).toBe('KERN_INVALID_ARGUMENT');
  });
});

describe('5 memory_object_sync: which pages go back, in which runs', () => {
  it('5 flags table: SYNC/ASYNC return dirty or precious pages, INVALIDATE flushes, none or INVALIDATE alone return precious only', () => {
    const F = { SYNC: 1, ASYNC: 2, INVALIDATE: 4 };
    expect(syncPolicy(F.SYNC)).toEqual({ returns: 'all', flush: false, urgent: true });
    expect(syncPolicy(F.ASYNC)).toEqual({ returns: 'all', flush: false, urgent: false });
    expect(syncPolicy(F.SYNC | F.INVALIDATE)).toEqual({ returns: 'all', flush: true, urgent: true });
    expect(syncPolicy(F.INVALIDATE)).toEqual({ returns: 'precious', flush: true, urgent: false });
    expect(syncPolicy(0)).toEqual({ returns: 'precious', flush: false, urgent: false });
  });

  it('5 memory_object_lock_page order: absent, busy, wired, return, flush', () => {
    const all: SyncPolicy = { returns: 'all', flush: true, urgent: true };
    expect(LOCK_PAGE.map((r) => r.what)).toEqual([
      'not resident', 'busy (holding page / write in flight)', 'wired, data to return', 'wired, nothing to return', 'data to return', 'flush', 'otherwise',
    ]);
    // busy wins over wired and dirty; wired wins over flush
    expect(lockPage({ state: R | D | W, wired: true, policy: all })).toEqual({ result: 'block' });
    expect(lockPage({ state: R | D, wired: true, policy: all })).toEqual({ result: 'return', dirty: true, keep: true });
    expect(lockPage({ state: R, wired: true, policy: all })).toEqual({ result: 'done' });
    expect(lockPage({ state: R | PR, wired: false, policy: all })).toEqual({ result: 'return', dirty: false, keep: false });
    expect(lockPage({ state: R | D, wired: false, policy: { returns: 'precious', flush: true, urgent: false } })).toEqual({ result: 'free', discard: true });
    expect(lockPage({ state: 0, wired: false, policy: all })).toEqual({ result: 'done' });
  });

  it('5 DATA_WRITE_MAX: contiguous dirty pages go in runs of at most pager.cluster_pages (default 32)', () => {
    const run = (c: Record<string, unknown>) => {
      const t = new TraceBuilder().map(0, B, 64 * P, 'f').op(0, 'write', B, 40 * P).op(10, 'msync', B, 64 * P, 'SYNC');
      const o = simulate(t.rows, cfg(c));
      return { o, l: last(t) };
    };
    const d = run({});
    expect(ios(d.o)).toEqual([
      { obj: 'f', first: 0, pages: 32, submit: 10, done: 110 },
      { obj: 'f', first: 32, pages: 8, submit: 10, done: 210 },
    ]);
    expect(doneAt(d.o, d.l)).toBe(210);
    expect(d.o.syncs[0].pagesWritten).toBe(40);
    const c16 = run({ pager: { cluster_pages: 16 } });
    expect(ios(c16.o).map((x) => [x.first, x.pages])).toEqual([[0, 16], [16, 16], [32, 8]]);
    expect(doneAt(c16.o, c16.l)).toBe(310);
    expect(taken(c16.o, 'f')).toEqual(msgs([[16, true, true], [16, true, true], [8, true, true]], 1));
  });

  it('5 runs end at an absent page and at a resident page not returned', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f')
      .op(0, 'write', B, 2 * P).op(0, 'read', B + 2 * P, P).op(0, 'write', B + 3 * P, P).op(0, 'write', B + 5 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const o = simulate(t.rows, cfg());
    expect(ios(o).map((x) => [x.first, x.pages])).toEqual([[0, 2], [3, 1], [5, 1]]);
    expect(pages(o, 'f', 6)).toEqual([R, R, R, R, 0, R]);
  });

  it('5 dirty (MUST_CLEAN) and precious-only (MUST_RETURN) runs are never mixed; SYNC returns clean precious pages too and they stay precious', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'p', 0, 'PRECIOUS').map(0, B + 8 * P, 8 * P, 'f')
      .op(0, 'write', B, P).op(0, 'read', B + P, P).op(0, 'write', B + 2 * P, P).op(0, 'read', B + 3 * P, P)
      .op(0, 'write', B + 8 * P, P).op(0, 'read', B + 9 * P, P).op(0, 'write', B + 10 * P, P).op(0, 'read', B + 11 * P, P)
      .op(10, 'msync', B, 16 * P, 'SYNC');
    const o = simulate(t.rows, cfg());
    expect(resultOf(o, last(t))).toBe('KERN_SUCCESS');
    // four contiguous pages, four messages: dirty, precious, dirty, precious
    expect(taken(o, 'p')).toEqual(msgs([[1, true, true], [1, false, true], [1, true, true], [1, false, true]], 1));
    // the plain object: clean pages are not returned
    expect(taken(o, 'f')).toEqual(msgs([[1, true, true], [1, true, true]], 1));
    expect(ios(o).map((x) => [x.obj, x.first, x.done])).toEqual([
      ['p', 0, 110], ['p', 1, 210], ['p', 2, 310], ['p', 3, 410], ['f', 0, 510], ['f', 2, 610],
    ]);
    expect(doneAt(o, last(t))).toBe(610);
    expect(pages(o, 'p', 4)).toEqual([R | PR, R | PR, R | PR, R | PR]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
  });

  it('5 INVALIDATE with SYNC or ASYNC: dirty and precious (even clean) pages are returned, every page leaves memory, precious bit cleared; a later store faults the page back precious', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 8 * P, 'p', 0, 'PRECIOUS').map(0, B + 8 * P, 8 * P, 'f')
        .op(0, 'write', B, P).op(0, 'read', B + P, P).op(0, 'write', B + 8 * P, P).op(0, 'read', B + 9 * P, P)
        .op(10, 'msync', B, 16 * P, flags);
      const l = last(t);
      t.op(1000, 'write', B + P, P);
      return { o: simulate(t.rows, cfg()), l };
    };
    const s = run('SYNC|INVALIDATE');
    expect(taken(s.o, 'p')).toEqual(msgs([[1, true, false], [1, false, false]], 1));
    expect(taken(s.o, 'f')).toEqual(msgs([[1, true, false]], 1));
    expect(ios(s.o).map((x) => [x.obj, x.first, x.done])).toEqual([['p', 0, 110], ['p', 1, 210], ['f', 0, 310]]);
    expect(doneAt(s.o, s.l)).toBe(310);
    expect(pages(s.o, 'p', 2)).toEqual([0, R | D | PR]); // page 1 came back with the store at 1000 (+ lag)
    expect(pages(s.o, 'f', 2)).toEqual([0, 0]);
    const a = run('ASYNC|INVALIDATE');
    expect(taken(a.o, 'p')).toEqual(msgs([[1, true, false], [1, false, false]], 1));
    expect(doneAt(a.o, a.l)).toBe(10);
    expect(pages(a.o, 'f', 2)).toEqual([0, 0]);
  });

  it('5 INVALIDATE alone: only precious pages are returned; dirty non-precious data is discarded; every page freed; no wait', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, B + 8 * P, 8 * P, 'p', 0, 'PRECIOUS')
      .op(0, 'write', B, P).op(0, 'read', B + P, P).op(0, 'write', B + 8 * P, P).op(0, 'read', B + 9 * P, P)
      .op(10, 'msync', B, 16 * P, 'INVALIDATE');
    const o = simulate(t.rows, cfg({ stats: { sample_us: 10 } }));
    expect(resultOf(o, last(t))).toBe('KERN_SUCCESS');
    expect(doneAt(o, last(t))).toBe(10);
    expect(taken(o, 'f')).toEqual(msgs([], 1));
    expect(taken(o, 'p')).toEqual(msgs([[1, true, false], [1, false, false]], 1));
    expect(ios(o)).toEqual([
      { obj: 'p', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'p', first: 1, pages: 1, submit: 10, done: 210 },
    ]);
    expect(pages(o, 'f', 2)).toEqual([0, 0]);
    expect(pages(o, 'p', 2)).toEqual([0, 0]);
    expect(sample(o, 20).dirtyPages).toBe(0);
  });

  it('5 no flag: precious pages only, kept and still precious; other dirty pages untouched; no wait', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, B + 8 * P, 8 * P, 'p', 0, 'PRECIOUS')
      .op(0, 'write', B, P).op(0, 'write', B + 8 * P, P).op(0, 'read', B + 9 * P, P)
      .op(10, 'msync', B, 16 * P, '');
    const o = simulate(t.rows, cfg());
    expect(resultOf(o, last(t))).toBe('KERN_SUCCESS');
    expect(doneAt(o, last(t))).toBe(10);
    expect(taken(o, 'p')).toEqual(msgs([[1, true, true], [1, false, true]], 1));
    expect(taken(o, 'f')).toEqual(msgs([], 1));
    expect(ios(o).map((x) => [x.obj, x.first])).toEqual([['p', 0], ['p', 1]]);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
    expect(pages(o, 'p', 2)).toEqual([R | PR, R | PR]);
  });

  it('5 clean without flush (vm_pageout_setup): the page is clean at once, never under writeback; a store during the write does not wait', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC');
    t.op(50, 'write', S, P, '', { task: 'b' }); const st = last(t);
    const o = simulate(t.rows, cfg({ stats: { sample_us: 10 } }));
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    const s30 = sample(o, 30);
    expect([s30.dirtyPages, s30.writebackPages, s30.queueDepth]).toEqual([0, 0, 1]);
    expect(doneAt(o, st)).toBe(50);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
  });

  it('5 / 6 flush: the holding page is busy until the data_return is sent; a store waits for it, then faults the page back dirty', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P);
    t.op(10, 'msync', B, P, 'SYNC|INVALIDATE'); const ms = last(t);
    t.op(15, 'write', S, P, '', { task: 'b' }); const st = last(t);
    const o = simulate(t.rows, cfg({ pager: { ipc_us: 20 }, stats: { sample_us: 10 } }));
    // data_return 10→30 (page freed at 30, I/O 30–130), synchronize 30→50, reply 130→150
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 30, done: 130 }]);
    expect(doneAt(o, ms)).toBe(150);
    expect(doneAt(o, st)).toBe(30);
    const s20 = sample(o, 20);
    expect([s20.dirtyPages, s20.writebackPages, s20.residentPages]).toEqual([0, 1, 1]);
    const s40 = sample(o, 40);
    expect([s40.dirtyPages, s40.writebackPages]).toEqual([1, 0]);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
  });

  it('5 busy page (MUST_BLOCK): a second msync meeting a holding page first sends what it has, then sleeps until the page is gone', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P).op(5, 'write', S + P, P, '', { task: 'b' });
    t.op(10, 'msync', B, P, 'SYNC|INVALIDATE'); const a = last(t);
    t.op(15, 'msync', S, 2 * P, 'ASYNC', { task: 'b' }); const b = last(t);
    const o = simulate(t.rows, cfg({ pager: { ipc_us: 20 } }));
    // a: data_return 10→30 (I/O 30–130), synchronize 30→50, reply 130→150.
    // b: sleeps on page 0 until 30, page 0 is gone, page 1 → data_return 30→50 (I/O 130–230);
    //    its request [0, 2P) overlaps a's until 150: synchronize 150→170, reply 170→190.
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 30, done: 130 },
      { obj: 'f', first: 1, pages: 1, submit: 50, done: 230 },
    ]);
    expect(doneAt(o, a)).toBe(150);
    expect(doneAt(o, b)).toBe(190);
    expect(pages(o, 'f', 2)).toEqual([0, R]);
  });

  it('5 / 8 wired pages (xnu-3789 choice): dirty ones are returned as a copy and kept even with INVALIDATE, clean ones stay; no EBUSY, no block', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f')
      .op(0, 'write', B, P).op(0, 'read', B + P, P).op(0, 'write', B + 2 * P, P).op(0, 'read', B + 3 * P, P)
      .op(0, 'wire', B, 2 * P, 'USER')
      .op(10, 'msync', B, 4 * P, 'SYNC|INVALIDATE');
    const o = simulate(t.rows, cfg());
    expect(resultOf(o, last(t))).toBe('KERN_SUCCESS');
    // the wiring clipped f into [0, 2) and [2, 4): one synchronize per entry piece
    expect(taken(o, 'f')).toEqual(msgs([[1, true, true], [1, true, false]], 2));
    expect(ios(o).map((x) => [x.first, x.submit, x.done])).toEqual([[0, 10, 110], [2, 10, 210]]);
    expect(doneAt(o, last(t))).toBe(210);
    expect(pages(o, 'f', 4)).toEqual([R, R, 0, 0]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 0, 0]);
  });
});

describe('3.6 the memory_object_synchronize dialog and the manager', () => {
  it('3.6 SYNCHRONOUS waits for the device, ASYNCHRONOUS does not', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, 2 * P).op(10, 'msync', B, 2 * P, flags);
      const o = simulate(t.rows, cfg());
      return { o, l: last(t) };
    };
    const s = run('SYNC'), a = run('ASYNC');
    expect(ios(s.o)).toEqual([{ obj: 'f', first: 0, pages: 2, submit: 10, done: 110 }]);
    expect(ios(a.o)).toEqual([{ obj: 'f', first: 0, pages: 2, submit: 10, done: 110 }]);
    expect([resultOf(s.o, s.l), resultOf(a.o, a.l)]).toEqual(['KERN_SUCCESS', 'KERN_SUCCESS']);
    expect(doneAt(s.o, s.l)).toBe(110);
    expect(doneAt(a.o, a.l)).toBe(10);
    expect(s.o.result.sync.latency_us.max).toBe(100);
  });

  it('3.6 pager.ipc_us: every data_return, synchronize and synchronize_completed costs ipc_us of latency', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P).op(0, 'write', B + 2 * P, P);
    t.op(10, 'msync', B, 4 * P, 'SYNC'); const two = last(t);
    t.op(1000, 'msync', B + 8 * P, 4 * P, 'SYNC'); const clean = last(t);
    t.op(2000, 'write', B, P);
    t.op(3000, 'msync', B, P, 'ASYNC'); const async = last(t);
    const o = simulate(t.rows, cfg({ pager: { ipc_us: 7 } }));
    // data_return 10→17 (I/O 17–117), data_return 17→24 (I/O 117–217), synchronize 24→31, reply 217→224
    expect(doneAt(o, two)).toBe(224);
    // nothing to return: synchronize + synchronize_completed (lag 214 from the first call)
    expect(opOf(o, clean).tIssueNs / 1000).toBe(1214);
    expect(doneAt(o, clean)).toBe(1228);
    // ASYNC: data_return, synchronize, immediate reply
    expect(opOf(o, async).tIssueNs / 1000).toBe(3228);
    expect(doneAt(o, async)).toBe(3249);
    expect(ios(o).map((x) => [x.first, x.submit, x.done])).toEqual([[0, 17, 117], [2, 24, 217], [0, 3235, 3335]]);
  });

  it('3.6 two overlapping synchronize requests on one object complete in order (the later one waits for the earlier)', () => {
    const run = (bFlags: string) => {
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
        .op(0, 'write', B, 4 * P);
      t.op(10, 'msync', B, 4 * P, 'SYNC'); const a = last(t);
      t.op(20, 'write', S + 3 * P, P, '', { task: 'b' });
      t.op(30, 'msync', S + 3 * P, P, bFlags, { task: 'b' }); const b = last(t);
      return { o: simulate(t.rows, cfg()), a, b };
    };
    const x = run('ASYNC');
    // a: I/O 10–110, done 110. b: data_return at 30 (I/O 110–210), then waits for a's request until 110
    expect(ios(x.o)).toEqual([
      { obj: 'f', first: 0, pages: 4, submit: 10, done: 110 },
      { obj: 'f', first: 3, pages: 1, submit: 30, done: 210 },
    ]);
    expect(doneAt(x.o, x.a)).toBe(110);
    expect(doneAt(x.o, x.b)).toBe(110); // not 30: it waited
    const order = x.o.ops.filter((r) => r.row.op === 'msync').map((r) => r.row.line);
    expect(order).toEqual([x.a, x.b]);
    const y = run('SYNC');
    expect(doneAt(y.o, y.a)).toBe(110);
    expect(doneAt(y.o, y.b)).toBe(210);
  });

  it('3.6 two disjoint synchronize requests on one object are outstanding together and overlap in time', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, 10 * P);
    t.op(10, 'msync', B, 10 * P, 'SYNC'); const a = last(t);
    t.op(20, 'write', S + 12 * P, P, '', { task: 'b' });
    t.op(30, 'msync', S + 12 * P, P, 'SYNC', { task: 'b' }); const b = last(t);
    const o = simulate(t.rows, cfg({ device: { channels: 2, per_page_us: 10 } }));
    // a: 10 pages, 100 + 100 µs: 10–210. b: 100 + 10 µs on the other channel: 30–140
    expect(ios(o)).toEqual([
      { obj: 'f', first: 12, pages: 1, submit: 30, done: 140 },
      { obj: 'f', first: 0, pages: 10, submit: 10, done: 210 },
    ]);
    expect(doneAt(o, b)).toBe(140); // finished while a's request was outstanding
    expect(doneAt(o, a)).toBe(210);

    const t2 = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, 4 * P);
    t2.op(10, 'msync', B, 4 * P, 'SYNC'); const a2 = last(t2);
    t2.op(20, 'write', S + 8 * P, P, '', { task: 'b' });
    t2.op(30, 'msync', S + 8 * P, P, 'ASYNC', { task: 'b' }); const b2 = last(t2);
    const o2 = simulate(t2.rows, cfg());
    expect(doneAt(o2, b2)).toBe(30); // compare with the overlapping case (110)
    expect(doneAt(o2, a2)).toBe(110);
  });

  it('3.6 manager: one thread per object, serial within it (replies one after the other), parallel across objects', () => {
    const run = (objB: string) => {
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, objB, 0, '', 'b');
      t.op(0, 'msync', B, P, 'ASYNC'); const a = last(t);
      t.op(0, 'msync', S + 8 * P, P, 'ASYNC', { task: 'b' }); const b = last(t);
      return { o: simulate(t.rows, cfg({ pager: { ipc_us: 10 } })), a, b };
    };
    const same = run('f');
    // both synchronize messages arrive at 10; the replies take 10–20 and 20–30
    expect([doneAt(same.o, same.a), doneAt(same.o, same.b)]).toEqual([20, 30]);
    const other = run('g');
    expect([doneAt(other.o, other.a), doneAt(other.o, other.b)]).toEqual([20, 20]);
  });

  it('3.6 / MK6.1: a synchronize is sent even when nothing was returned, so SYNC waits for writes an earlier ASYNC msync started', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b').op(0, 'write', B, P);
    t.op(10, 'msync', B, P, 'ASYNC'); const a = last(t);
    t.op(20, 'msync', S, P, 'SYNC', { task: 'b' }); const b = last(t);
    const o = simulate(t.rows, cfg());
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(taken(o, 'f')).toEqual(msgs([[1, true, true]], 2)); // b returned nothing but sent its synchronize
    expect(doneAt(o, a)).toBe(10);
    expect(doneAt(o, b)).toBe(110);
  });

  it('3.6 / device sync_first: the writes a SYNCHRONOUS synchronize waits on are expedited past queued ones', () => {
    // Task a dirties pages 0, 2, .., 18 of f (ten one-page runs) and msyncs them ASYNC at 1 µs: ten
    // data_returns, ten 100 µs copy writes queued at 1 µs, not urgent (ASYNC). Page 18's is the tenth.
    // Task b msyncs page 18 SYNC at 2 µs: the page is already clean (clean without flush), so nothing
    // is returned, but its synchronize makes the manager wait for the write of page 18 in the queue.
    // sync_first: that write is expedited to the front queue; the write in service (1..101) finishes,
    // page 18's runs 101..201, the manager replies at 201 → b's latency 201 − 2 = 199 µs.
    // Without expedite it would be served tenth, 901..1001 → 999 µs; under fifo it is 999 µs anyway.
    const t = new TraceBuilder().map(0, B, 32 * P, 'f').map(0, S, 32 * P, 'f', 0, '', 'b');
    for (let i = 0; i < 10; i++) t.op(0, 'write', B + 2 * i * P, 8);
    t.op(1, 'msync', B, 20 * P, 'ASYNC'); const a = last(t);
    t.op(2, 'msync', S + 18 * P, P, 'SYNC', { task: 'b' }); const b = last(t);
    const first = simulate(t.rows, cfg({ device: { discipline: 'sync_first' } }));
    expect(doneAt(first, a)).toBe(1);
    expect(doneAt(first, b) - 2).toBe(199);
    expect(ios(first).find((x) => x.first === 18)).toEqual({ obj: 'f', first: 18, pages: 1, submit: 1, done: 201 });
    const fifo = simulate(t.rows, cfg());
    expect(doneAt(fifo, b) - 2).toBe(999);
  });

  it('3.6 requests on different objects never wait for each other (same offsets); one msync over two objects waits for both replies', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').map(0, S, 4 * P, 'h', 0, '', 'b')
      .op(0, 'write', B, P).op(0, 'write', B + 4 * P, P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const a = last(t);
    t.op(20, 'msync', S, 4 * P, 'ASYNC', { task: 'b' }); const b = last(t);
    const o = simulate(t.rows, cfg());
    // f: I/O 10–110, reply 110; g: I/O 110–210, reply 210
    expect(ios(o).map((x) => [x.obj, x.first, x.submit, x.done])).toEqual([['f', 0, 10, 110], ['g', 0, 10, 210]]);
    expect(doneAt(o, a)).toBe(210);
    expect(doneAt(o, b)).toBe(20); // h [0, 4P) while f and g [0, 4P) are outstanding
  });

  it('3.6 / 8: an I/O error is not reported (vm_msync has no error path); the kernel page stays clean', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, 'SYNC');
    const o = simulate(t.rows, cfg({ device: { error_rate: 1 } }));
    expect(resultOf(o, last(t))).toBe('KERN_SUCCESS');
    expect(doneAt(o, last(t))).toBe(110);
    expect(o.writebacks.map((w) => w.ok)).toEqual([false]);
    expect(pages(o, 'f', 1)).toEqual([R]);
  });
});

describe('3.3 / 3.6 the vm_map_msync walk: holes, flags, sub-maps, private mappings', () => {
  it('3.3 holes (xnu-3789): skipped, the mapped parts are synced; KERN_INVALID_ADDRESS only with CONTIGUOUS, after the work', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
        .op(0, 'write', B, P).op(0, 'write', B + 6 * P, P).op(10, 'msync', B, 8 * P, flags);
      const o = simulate(t.rows, cfg());
      return { o, l: last(t) };
    };
    for (const [flags, result] of [['SYNC', 'KERN_SUCCESS'], ['SYNC|CONTIGUOUS', 'KERN_INVALID_ADDRESS']]) {
      const { o, l } = run(flags);
      expect(resultOf(o, l)).toBe(result);
      expect(ios(o).map((x) => [x.obj, x.first, x.submit, x.done])).toEqual([['f', 0, 10, 110], ['g', 0, 10, 210]]);
      expect(doneAt(o, l)).toBe(210);
      expect(pages(o, 'f', 1)).toEqual([R]);
      expect(pages(o, 'g', 1)).toEqual([R]);
    }
  });

  it('3.3 holes: an unmapped start, a wholly unmapped range and a range past the last entry are holes; a range ending at the entry end is not', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P);
    t.op(10, 'msync', B - 2 * P, 3 * P, 'SYNC|CONTIGUOUS'); const startCont = last(t);
    t.op(20, 'msync', B - 2 * P, 3 * P, 'SYNC'); const start = last(t);
    t.op(30, 'msync', B + 20 * P, 2 * P, 'SYNC'); const none = last(t);
    t.op(40, 'msync', B + 20 * P, 2 * P, 'SYNC|CONTIGUOUS'); const noneCont = last(t);
    t.op(50, 'msync', B, 4 * P, 'SYNC|CONTIGUOUS'); const exact = last(t);
    t.op(60, 'msync', B + 2 * P, 4 * P, 'SYNC|CONTIGUOUS'); const past = last(t);
    const o = simulate(t.rows, cfg());
    expect([startCont, start, none, noneCont, exact, past].map((l) => resultOf(o, l))).toEqual([
      'KERN_INVALID_ADDRESS', 'KERN_SUCCESS', 'KERN_SUCCESS', 'KERN_INVALID_ADDRESS', 'KERN_SUCCESS', 'KERN_INVALID_ADDRESS',
    ]);
    // the first call still wrote page 0 (the mapped part) before reporting the hole
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(doneAt(o, startCont)).toBe(110);
  });

  it('3.3 KILLPAGES / DEACTIVATE: no data returned, no synchronize, pages unchanged; with CONTIGUOUS a hole still reports', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'write', B, P);
    t.op(10, 'msync', B, 4 * P, 'KILLPAGES|SYNC'); const kill = last(t);
    t.op(10, 'msync', B, 4 * P, 'DEACTIVATE|SYNC|INVALIDATE'); const deact = last(t);
    t.op(10, 'msync', B, 8 * P, 'KILLPAGES|CONTIGUOUS'); const killHole = last(t);
    t.op(10, 'msync', B, 8 * P, 'DEACTIVATE|CONTIGUOUS'); const deactHole = last(t);
    t.op(10, 'msync', B, 8 * P, 'KILLPAGES'); const killNoCont = last(t);
    const o = simulate(t.rows, cfg({ pager: { ipc_us: 10 } }));
    expect([kill, deact, killHole, deactHole, killNoCont].map((l) => resultOf(o, l))).toEqual([
      'KERN_SUCCESS', 'KERN_SUCCESS', 'KERN_INVALID_ADDRESS', 'KERN_INVALID_ADDRESS', 'KERN_SUCCESS',
    ]);
    expect([kill, deact, killHole, deactHole, killNoCont].map((l) => doneAt(o, l))).toEqual([10, 10, 10, 10, 10]);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
  });

  it('3.3 a PRIVATE entry maps its internal copy object: no pager, nothing returned, no synchronize; a shared mapping of the file is synced', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRIVATE').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P).op(0, 'write', S + P, P, '', { task: 'b' });
    t.op(10, 'msync', B, 4 * P, 'SYNC'); const priv = last(t);
    t.op(20, 'msync', S, 4 * P, 'SYNC', { task: 'b' }); const shared = last(t);
    const o = simulate(t.rows, cfg({ pager: { ipc_us: 10 } }));
    expect([resultOf(o, priv), resultOf(o, shared)]).toEqual(['KERN_SUCCESS', 'KERN_SUCCESS']);
    expect(doneAt(o, priv)).toBe(10);
    // data_return 20→30 (I/O 30–130), synchronize 30→40, reply 130→140
    expect(ios(o)).toEqual([{ obj: 'f', first: 1, pages: 1, submit: 30, done: 130 }]);
    expect(doneAt(o, shared)).toBe(140);
    expect(pages(o, 'f', 2)).toEqual([0, R]);
  });

  it('3.3 sub-map entries are descended once (the recursion\'s hole counts); a sub-map inside a sub-map is skipped, not a hole', () => {
    const t = new TraceBuilder()
      .map(0, S, 4 * P, 'sobj', 0, '', 'shared').map(0, S + 4 * P, 4 * P, 'inner', 0, 'SUBMAP', 'shared')
      .map(0, B + 8 * P, 8 * P, 'shared', S, 'SUBMAP').map(0, B + 16 * P, 4 * P, 'shared', S + 8 * P, 'SUBMAP')
      .op(0, 'write', B + 8 * P, P);
    t.op(10, 'msync', B + 8 * P, 8 * P, 'SYNC|CONTIGUOUS'); const sub = last(t);
    t.op(20, 'msync', B + 16 * P, 4 * P, 'SYNC|CONTIGUOUS'); const subHole = last(t);
    t.op(30, 'msync', B + 16 * P, 4 * P, 'SYNC'); const subHoleNoCont = last(t);
    const o = simulate(t.rows, cfg());
    expect([sub, subHole, subHoleNoCont].map((l) => resultOf(o, l))).toEqual(['KERN_SUCCESS', 'KERN_INVALID_ADDRESS', 'KERN_SUCCESS']);
    expect(ios(o)).toEqual([{ obj: 'sobj', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(doneAt(o, sub)).toBe(110);
  });
});

describe('6 page state machine (mach)', () => {
  it('6 munmap: dirty pages stay dirty in the object, nothing is written; a later msync of another mapping writes them', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b').op(0, 'write', B, 2 * P);
    t.op(10, 'unmap', B, 8 * P); const um = last(t);
    t.op(20, 'msync', S, 8 * P, 'SYNC', { task: 'b' }); const ms = last(t);
    const o = simulate(t.rows, cfg());
    expect(resultOf(o, um)).toBe('KERN_SUCCESS');
    expect(o.sim.kernel.vm.maps.get('a')!.entries).toEqual([]);
    expect(resultOf(o, ms)).toBe('KERN_SUCCESS');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 2, submit: 20, done: 120 }]);
    expect(pages(o, 'f', 2)).toEqual([R, R]);
  });

  it('6 wire: pages are faulted in and wired, not dirtied; nothing is written', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, 'USER');
    const o = simulate(t.rows, cfg());
    expect(resultOf(o, last(t))).toBe('KERN_SUCCESS');
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(o.writebacks).toEqual([]);
  });
});

describe('8 mach discrepancies', () => {
  it('8: SYNC|ASYNC is refused — the trace-format example ends in KERN_INVALID_ARGUMENT', () => {
    const rows = traceFormatExample();
    const o = simulate(rows, cfg());
    expect([6, 7, 8].map((l) => resultOf(o, l))).toEqual(['KERN_SUCCESS', 'KERN_SUCCESS', 'KERN_INVALID_ARGUMENT']);
    // runs [0, 1] and [3] both queued at 10; the manager replies when the second is written
    expect(ios(o)).toEqual([
      { obj: 'data.db', first: 0, pages: 2, submit: 10, done: 110 },
      { obj: 'data.db', first: 3, pages: 1, submit: 10, done: 210 },
    ]);
    expect(doneAt(o, 6)).toBe(210);
    expect(opOf(o, 8).tIssueNs / 1000).toBe(220);
    expect(doneAt(o, 8)).toBe(220);
    expect(o.result.sync).toMatchObject({ count: 2, ok: 1, errors: { KERN_INVALID_ARGUMENT: 1 } });
  });
});

describe('wiring: vm_map_wire / vm_map_unwire / vm_map_delete', () => {
  it('user wirings are counted: each wire stacks, each unwire removes one; pages unwired at the last', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w1 = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER'); const w2 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u1 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u2 = last(t);
    const a = upTo(t, w2);
    expect([resultOf(a, w1), resultOf(a, w2)]).toEqual(['KERN_SUCCESS', 'KERN_SUCCESS']);
    expect(entries(a)).toEqual([{ start: 0, end: 4, wired: 1, user: 2 }]);
    expect(wires(a, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(a.sim.kernel.vm.userWiredPages).toBe(4);
    const b = upTo(t, u1);
    expect(entries(b)).toEqual([{ start: 0, end: 4, wired: 1, user: 1 }]);
    expect(wires(b, 'f', 4)).toEqual([1, 1, 1, 1]);
    const c = simulate(t.rows, cfg());
    expect(resultOf(c, u2)).toBe('KERN_SUCCESS');
    expect(entries(c)).toEqual([{ start: 0, end: 4, wired: 0, user: 0 }]);
    expect(wires(c, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(c.sim.kernel.vm.userWiredPages).toBe(0);
    expect(c.result.wire.peak_wired_pages).toBe(4);
  });

  it('kernel wirings (no USER; SYSTEM alike) stack in wired_count; a user wiring adds 1 to it only while present', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, ''); t.op(0, 'wire', B, 4 * P, 'SYSTEM');
    t.op(0, 'wire', B, 4 * P, 'USER'); const wu = last(t);
    t.op(0, 'unwire', B, 4 * P, ''); t.op(0, 'unwire', B, 4 * P, 'USER'); const uu = last(t);
    t.op(0, 'unwire', B, 4 * P, 'SYSTEM'); const us = last(t);
    const a = upTo(t, wu);
    expect(entries(a)).toEqual([{ start: 0, end: 4, wired: 3, user: 1 }]);
    expect(wires(a, 'f', 4)).toEqual([1, 1, 1, 1]);
    const b = upTo(t, uu);
    expect(entries(b)).toEqual([{ start: 0, end: 4, wired: 1, user: 0 }]);
    expect(wires(b, 'f', 4)).toEqual([1, 1, 1, 1]);
    const c = simulate(t.rows, cfg());
    expect(resultOf(c, us)).toBe('KERN_SUCCESS');
    expect(entries(c)).toEqual([{ start: 0, end: 4, wired: 0, user: 0 }]);
    expect(wires(c, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('start unmapped → KERN_INVALID_ADDRESS (wire, user and kernel unwire) before anything; len 0 at a mapped start → KERN_SUCCESS', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B - P, 3 * P, 'USER'); const w = last(t);
    t.op(0, 'wire', B - P, 0, 'USER'); const w0u = last(t);
    t.op(0, 'wire', B, 0, 'USER'); const w0 = last(t);
    t.op(0, 'unwire', B - P, 3 * P, 'USER'); const uu = last(t);
    t.op(0, 'unwire', B - P, 3 * P, ''); const uk = last(t);
    const o = simulate(t.rows, cfg());
    expect([w, w0u, w0, uu, uk].map((l) => resultOf(o, l))).toEqual([
      'KERN_INVALID_ADDRESS', 'KERN_INVALID_ADDRESS', 'KERN_SUCCESS', 'KERN_INVALID_ADDRESS', 'KERN_INVALID_ADDRESS',
    ]);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: 0 }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(o.result.wire.errors).toEqual({ KERN_INVALID_ADDRESS: 4 });
  });

  it('a gap after an unwired entry → KERN_INVALID_ADDRESS; the wirings the call took are undone; entries stay clipped; HOLESOK changes nothing', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 6 * P, 2 * P, 'h');
    t.op(0, 'wire', B + P, 7 * P, 'USER'); const w = last(t);
    t.op(0, 'wire', B + P, 7 * P, 'USER|HOLESOK'); const wh = last(t);
    const o = simulate(t.rows, cfg());
    expect([resultOf(o, w), resultOf(o, wh)]).toEqual(['KERN_INVALID_ADDRESS', 'KERN_INVALID_ADDRESS']);
    expect(entries(o)).toEqual([
      { start: 0, end: 1, wired: 0, user: 0 }, { start: 1, end: 2, wired: 0, user: 0 },
      { start: 2, end: 4, wired: 0, user: 0 }, { start: 6, end: 8, wired: 0, user: 0 },
    ]);
    expect(wires(o, 'f', 2)).toEqual([0, 0]);
    expect(pages(o, 'f', 2)).toEqual([0, R]); // faulted in by the wiring that was undone
    expect(o.sim.kernel.vm.userWiredPages).toBe(0);
  });

  it('an already-wired entry gets no gap test: the walk goes on past a gap, or past the last entry', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 4 * P, 2 * P, 'g').map(0, B + 10 * P, 2 * P, 'h');
    t.op(0, 'wire', B, 2 * P, 'USER'); const w1 = last(t);
    t.op(0, 'wire', B, 6 * P, 'USER'); const acrossGap = last(t);
    t.op(0, 'wire', B + 4 * P, 4 * P, 'USER'); const pastEnd = last(t);
    t.op(0, 'wire', B + 10 * P, 4 * P, 'USER'); const unwiredLast = last(t);
    const o = simulate(t.rows, cfg());
    expect([w1, acrossGap, pastEnd, unwiredLast].map((l) => resultOf(o, l))).toEqual(['KERN_SUCCESS', 'KERN_SUCCESS', 'KERN_SUCCESS', 'KERN_INVALID_ADDRESS']);
    expect(entries(o)).toEqual([
      { start: 0, end: 2, wired: 1, user: 2 }, { start: 4, end: 6, wired: 1, user: 2 }, { start: 10, end: 12, wired: 0, user: 0 },
    ]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(4);
  });

  it('memory.max_user_wired_pages: a first user wiring past it → KERN_RESOURCE_SHORTAGE with rollback; kernel wirings are not limited', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w1 = last(t);
    t.op(0, 'wire', B, 8 * P, 'USER'); const w2 = last(t);
    t.op(0, 'wire', B + 4 * P, 4 * P, ''); const wk = last(t);
    t.op(0, 'wire', B + 4 * P, 4 * P, 'USER'); const w3 = last(t);
    const o = simulate(t.rows, cfg({ memory: { max_user_wired_pages: 4 } }));
    expect([w1, w2, wk, w3].map((l) => resultOf(o, l))).toEqual(['KERN_SUCCESS', 'KERN_RESOURCE_SHORTAGE', 'KERN_SUCCESS', 'KERN_RESOURCE_SHORTAGE']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: 1 }, { start: 4, end: 8, wired: 1, user: 0 }]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(4);
    expect(wires(o, 'g', 4)).toEqual([1, 1, 1, 1]);
  });

  it('user unwire skips entries without a user wiring and an entry followed by a gap, and always succeeds', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 4 * P, 2 * P, 'h').map(0, B + 8 * P, 2 * P, 'i')
      .op(0, 'wire', B, 2 * P, 'USER').op(0, 'wire', B + 2 * P, 2 * P, '').op(0, 'wire', B + 4 * P, 2 * P, 'USER').op(0, 'wire', B + 8 * P, 2 * P, 'USER');
    t.op(0, 'unwire', B, 10 * P, 'USER'); const u = last(t);
    const o = simulate(t.rows, cfg());
    expect(resultOf(o, u)).toBe('KERN_SUCCESS');
    expect(entries(o)).toEqual([
      { start: 0, end: 2, wired: 0, user: 0 }, { start: 2, end: 4, wired: 1, user: 0 },
      { start: 4, end: 6, wired: 1, user: 1 }, { start: 8, end: 10, wired: 0, user: 0 },
    ]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(2);
  });

  it('kernel unwire: where Mach panics (no kernel wiring, a gap) the model refuses with KERN_INVALID_ARGUMENT and changes nothing', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 4 * P, 2 * P, 'h').map(0, B + 8 * P, 2 * P, 'i')
      .op(0, 'wire', B, 2 * P, 'USER').op(0, 'wire', B + 2 * P, 2 * P, '').op(0, 'wire', B + 4 * P, 2 * P, '').op(0, 'wire', B + 8 * P, 2 * P, '');
    t.op(0, 'unwire', B, 4 * P, ''); const noKernel = last(t);
    t.op(0, 'unwire', B + 4 * P, 6 * P, ''); const gap = last(t);
    t.op(0, 'unwire', B + 2 * P, 2 * P, ''); const ok = last(t);
    const o = simulate(t.rows, cfg());
    expect([noKernel, gap, ok].map((l) => resultOf(o, l))).toEqual(['KERN_INVALID_ARGUMENT', 'KERN_INVALID_ARGUMENT', 'KERN_SUCCESS']);
    expect(entries(o)).toEqual([
      { start: 0, end: 2, wired: 1, user: 1 }, { start: 2, end: 4, wired: 0, user: 0 },
      { start: 4, end: 6, wired: 1, user: 0 }, { start: 8, end: 10, wired: 1, user: 0 },
    ]);
    expect(wires(o, 'g', 2)).toEqual([0, 0]);
  });

  it('an entry in transition (its pages being faulted in, cpu.per_page_us each) makes another wiring wait', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w1 = last(t);
    t.op(10, 'wire', B, 4 * P, 'USER'); const w2 = last(t);
    const o = simulate(t.rows, cfg({ replay: 'open', cpu: { per_page_us: 10 } }));
    expect(doneAt(o, w1)).toBe(40);
    expect(doneAt(o, w2)).toBe(40);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: 2 }]);
  });

  it('munmap = vm_deallocate: user wirings go with the entry; a kernel-wired entry stops it with KERN_FAILURE (earlier entries gone)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').map(0, B + 8 * P, 4 * P, 'h')
      .op(0, 'write', B, P)
      .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B + 4 * P, 4 * P, '').op(0, 'wire', B + 4 * P, 4 * P, 'USER');
    t.op(10, 'unmap', B, 12 * P); const um = last(t);
    t.op(20, 'unmap', B + 8 * P, 4 * P); const um2 = last(t);
    const o = simulate(t.rows, cfg());
    expect([resultOf(o, um), resultOf(o, um2)]).toEqual(['KERN_FAILURE', 'KERN_SUCCESS']);
    expect(entries(o)).toEqual([{ start: 4, end: 8, wired: 1, user: 0 }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(wires(o, 'g', 4)).toEqual([1, 1, 1, 1]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(0);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
  });
});
