/**
 * XNU personality (semantics.md 3.1-3.8, section 6 as XNU does it, the XNU
 * bullets of section 8, and the choices documented in
 * sim/personality/xnu.ts).
 *
 * Every expected value is derived by hand from the spec and the defaults:
 * page size 4096, device 1 channel, constant 100 µs per I/O, FIFO, CPU costs
 * 0, closed replay unless a test says otherwise (a task's next row issues at
 * max(now, t_us + lag), lag being how late its previous row finished). Runs
 * of returned pages are at most MAX_UPL_TRANSFER_BYTES = 1 MiB (256 pages of
 * 4 KiB) and never reach outside the msync range.
 *
 * Rows that cannot be triggered in the model (no test on purpose):
 * - 3.1 step 8 KERN_FAILURE → EIO and "anything else → EINVAL": HEAD's
 *   vm_map_msync never returns KERN_FAILURE, and its only
 *   KERN_INVALID_ARGUMENT (SYNC and ASYNC, 3.3 step 1) is refused by
 *   msync_nocancel first; the errno table itself is checked.
 * - 3.1 mach_vm_msync: map NULL (KERN_INVALID_TASK) and size 0 → SUCCESS: a
 *   task always has a map, and len 0 is refused by msync_nocancel.
 * - 3.2 VM_SYNC_REUSABLEPAGES: no trace flag, and vm_map_msync ignores it.
 * - 3.3 the 4K-map-on-16K-kernel rounding (VM_MAP_PAGE_MASK < PAGE_MASK):
 *   the model has one page size.
 * - 3.3 object NULL (never touched) → skip: every map entry has an object
 *   or a sub-map.
 * - 3.3 read-ahead / cluster hints reset after INVALIDATE: not modelled.
 * - 3.3 madvise (MADV_DONTNEED / MADV_FREE): not a trace op.
 * - 3.4 vm_object_update's extent scan (an optimisation), VM_PROT_NO_CHANGE
 *   and copy objects, and the arguments of memory_object_data_return (dirty,
 *   kernel_copy, upl_flags): the vnode pager is modelled by its writes only.
 * - 3.4 a page in the pageout laundry is stolen back: a page under pageout
 *   writeback is simply busy here (MUST_BLOCK, tested through busy pages).
 * - 3.4 error/restart pages (error && flush && !wired → MUST_FREE): pages are
 *   never in error.
 * - 3.4 pmap_disconnect on flush: no PTEs.
 * - 3.4 MUST_FREE of a dirty page with RETURN_NONE (data discarded,
 *   TASK_WRITE_INVALIDATED): msync_nocancel always adds SYNCHRONOUS or
 *   ASYNCHRONOUS, so should_return is always RETURN_ALL.
 * - 3.4 UPL_IOSYNC with an io_error pointer (KEEPCACHED, stop at the first
 *   error): vm_object_sync passes none.
 * - 3.4 the pageout daemon's 1 MiB-aligned clusters: the pageout daemon is
 *   shared by every personality (pager.cluster_pages) and tested elsewhere,
 *   as is section 6's eviction row.
 * - 3.5 the page states deactivate_pages_in_object skips (private, gobbled,
 *   laundry, cleaning, free_when_done, busy): anonymous pages are never
 *   written in the model, so never busy, and the other states do not exist
 *   (the wired skip is tested).
 * - 3.5 reference bits: not modelled. The inactive queue (DEACTIVATE, and
 *   KILLPAGES's deactivation of a named object) exists only as the head of
 *   the LRU with a finite memory (section 10 X9, tested in
 *   kernel-audit.test.ts); that nothing else changes is tested here. The
 *   compressor copy dropped by a kill: no compressor.
 * - 3.6 the XNU-old memory_object_synchronize dialog: HEAD is modelled (the
 *   mach personality has the dialog).
 * - 3.7 an interrupted user wait on an entry in transition (KERN_FAILURE): no
 *   signals. Protections (KERN_PROTECTION_FAILURE → EPERM/EACCES,
 *   VM_PROT_NONE, executable entries): not modelled. mlock's
 *   KERN_INVALID_ARGUMENT → EINVAL (wire_and_extract): unreachable; the EINVAL
 *   row is tested through a kernel unwire XNU would panic on.
 * - 3.7 vm_fault_wire failing, page-in I/O while wiring: not here (no page-in
 *   reads on the `queue` device); test/wire-pagein.test.ts tests both. Superpage entries in munlock: none.
 *   RLIMIT_MEMLOCK (map->user_wire_limit): not modelled. needs_copy /
 *   COPY_SYMMETRIC shadow creation when wiring: the copy-on-write object of a
 *   PRIVATE mapping exists from its map row.
 * - 2^53 overflow: the trace reader refuses addr+len >= 2^53, so only rows
 *   built in code reach the checks; they are tested with such rows.
 */
import { describe, it, expect } from 'vitest';
import { TraceBuilder, flags, simulate, resultOf, type SimOutput, opOf, doneAt, traceFormatExample } from './helpers.ts';
import { Page, type VmObject } from '../sim/vm/object.ts';
import type { TraceRow } from '../traces/types.ts';
import { MSYNC_ERRNO, VM_SYNC, vmSyncFlags } from '../sim/personality/xnu/msync.ts';
import { MAX_WIRE_COUNT, userWireLimitPages } from '../sim/personality/xnu/wire.ts';
import { KERN, toErrno } from '../sim/personality/kern.ts';

const P = 4096;
/** Base address of task a's mappings. */
const B = 0x100000;
/** Base addresses of other tasks' mappings. */
const S = 0x4000000;
const S2 = 0x8000000;
const TOP = 2 ** 53;
const R = Page.RESIDENT, D = Page.DIRTY, PR = Page.PRECIOUS;
const ERR = { device: { error_rate: 1 } };

/** Runs rows on the xnu personality. */
const run = (rows: TraceRow[], cfg: Record<string, unknown> = {}) => simulate(rows, { ...cfg, personality: 'xnu' });
/** Runs the rows of `t` up to and including `line`. */
const upTo = (t: TraceBuilder, line: number, cfg: Record<string, unknown> = {}) => run(t.rows.filter((r) => r.line <= line), cfg);

function objOf(o: SimOutput, name: string): VmObject {
  const x = o.sim.kernel.vm.objects.get(name);
  if (!x) throw new Error(`no object ${name}`);
  return x;
}
/** State bits of pages 0..n-1 of an object. */
const pages = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).state(i));
/** Wire counts of pages 0..n-1 of an object. */
const wires = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).wireCount(i));
/** The copy-on-write object of the PRIVATE entry at `addr` of `task`. */
function shadowAt(o: SimOutput, addr: number, task = 'a'): VmObject {
  const e = o.sim.kernel.vm.maps.get(task)?.lookup(addr);
  if (!e?.shadow) throw new Error(`no private entry at 0x${addr.toString(16)}`);
  return e.shadow;
}
const states = (obj: VmObject, first: number, n: number) => Array.from({ length: n }, (_, i) => obj.state(first + i));
/** Task a's map entries, in pages relative to B: wired = wired_count, user = user_wired_count. */
function entries(o: SimOutput, task = 'a') {
  return o.sim.kernel.vm.maps.get(task)!.entries.map((e) => ({ start: (e.start - B) / P, end: (e.end - B) / P, wired: e.wiredCount, user: e.userWiredCount }));
}
/** Writeback I/Os in completion order: object, first page, pages, submit and done times in µs. */
function ios(o: SimOutput, ps = P) {
  return o.writebacks.map((w) => ({ obj: w.object, first: w.offset / ps, pages: w.pages, submit: w.tSubmitNs / 1000, done: w.tDoneNs / 1000 }));
}
/** Line of the row most recently added. */
const last = (t: TraceBuilder) => t.rows[t.rows.length - 1].line;
const sample = (o: SimOutput, us: number) => {
  const s = o.timeline.find((x) => x.tNs === us * 1000);
  if (!s) throw new Error(`no timeline sample at ${us} µs`);
  return s;
};
const userWired = (o: SimOutput) => o.sim.kernel.vm.userWiredPages;

describe('3.1 msync_nocancel', () => {
  it('3.1 step 1: an unaligned addr → EINVAL with no side effect (FreeBSD would round it down)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, 2 * P).op(10, 'msync', B + 100, P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('EINVAL');
    expect(doneAt(o, last(t))).toBe(10);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 2)).toEqual([R | D, R | D]);
  });

  it('3.1 step 2: len 0 → EINVAL, also at an aligned, mapped address (no "whole entry" reading)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, 2 * P).op(10, 'msync', B, 0, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('EINVAL');
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 2)).toEqual([R | D, R | D]);
  });

  it('3.1 step 3: addr+len past the address space → EINVAL before the hole check; ending exactly at the top is fine', () => {
    const G = TOP - 4 * P;
    const t = new TraceBuilder().map(0, G, 2 * P, 'g').op(0, 'write', G, 2 * P);
    t.op(10, 'msync', G, 5 * P, 'SYNC'); const over = last(t);
    t.op(10, 'msync', G + 2 * P, 3 * P, 'SYNC'); const overUnmapped = last(t);
    t.op(10, 'msync', G, 4 * P, 'SYNC'); const atTop = last(t); // g written, then the hole up to the top
    const o = run(t.rows);
    expect([over, overUnmapped, atTop].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'ENOMEM']);
    expect(ios(o)).toEqual([{ obj: 'g', first: 0, pages: 2, submit: 10, done: 110 }]);
    expect(doneAt(o, atTop)).toBe(110);
  });

  it('3.1 step 4: SYNC|ASYNC → EINVAL before the map is looked at (unmapped start, hole, INVALIDATE)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P);
    t.op(10, 'msync', B, 4 * P, 'SYNC|ASYNC'); const mapped = last(t);
    t.op(10, 'msync', B - 2 * P, P, 'SYNC|ASYNC'); const unmapped = last(t);
    t.op(10, 'msync', B, 8 * P, 'SYNC|ASYNC|INVALIDATE'); const hole = last(t);
    const o = run(t.rows);
    expect([mapped, unmapped, hole].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('3.1 steps 1-4 come before any work: with an unmapped start or KILLPAGES they still give EINVAL and nothing changes', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRIVATE').op(0, 'write', B, 4 * P);
    t.op(10, 'msync', B - P + 1, 2 * P, 'SYNC'); const unaligned = last(t);
    t.op(10, 'msync', B - P, 0, 'SYNC'); const len0 = last(t);
    t.op(10, 'msync', B + 1, P, 'KILLPAGES'); const unalignedKill = last(t);
    t.op(10, 'msync', B, 4 * P, 'SYNC|ASYNC|KILLPAGES'); const bothKill = last(t);
    const o = run(t.rows);
    expect([unaligned, len0, unalignedKill, bothKill].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL']);
    expect(states(shadowAt(o, B), 0, 4)).toEqual([R | D, R | D, R | D, R | D]); // not killed
  });

  it('3.1 steps 5-7 / 3.2: the MS_* → VM_SYNC_* mapping (ASYNCHRONOUS 0x01, SYNCHRONOUS 0x02, INVALIDATE 0x04, KILLPAGES 0x08, DEACTIVATE 0x10, CONTIGUOUS 0x20)', () => {
    const cases: [string, number][] = [
      ['', 0x22], // flags 0: synchronous
      ['SYNC', 0x22],
      ['ASYNC', 0x21],
      ['INVALIDATE', 0x26], // INVALIDATE alone: synchronous
      ['ASYNC|INVALIDATE', 0x25],
      ['KILLPAGES', 0x28], // no SYNCHRONOUS/ASYNCHRONOUS with KILLPAGES or DEACTIVATE
      ['SYNC|KILLPAGES', 0x28],
      ['ASYNC|DEACTIVATE', 0x30],
      ['INVALIDATE|KILLPAGES', 0x2c],
      ['KILLPAGES|DEACTIVATE', 0x38],
      ['CONTIGUOUS', 0x22], // the trace's CONTIGUOUS bit is not an MS_ flag: CONTIGUOUS is added anyway
    ];
    expect(cases.map(([f]) => vmSyncFlags(flags(f)))).toEqual(cases.map(([, v]) => v));
    expect(VM_SYNC).toEqual({ ASYNCHRONOUS: 1, SYNCHRONOUS: 2, INVALIDATE: 4, KILLPAGES: 8, DEACTIVATE: 16, CONTIGUOUS: 32 });
  });

  it('3.1 step 6: flags 0, SYNC and INVALIDATE alone are synchronous; ASYNC returns at once', () => {
    const go = (f: string) => {
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, f);
      const o = run(t.rows);
      expect(resultOf(o, last(t))).toBe('OK');
      expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
      return { done: doneAt(o, last(t)), page: pages(o, 'f', 1)[0] };
    };
    expect(go('')).toEqual({ done: 110, page: R });
    expect(go('SYNC')).toEqual({ done: 110, page: R });
    expect(go('INVALIDATE')).toEqual({ done: 110, page: 0 }); // written, then freed
    expect(go('ASYNC')).toEqual({ done: 10, page: R });
  });

  it('3.1 step 7: CONTIGUOUS is always added — a hole gives ENOMEM with or without a CONTIGUOUS flag, which changes nothing', () => {
    const go = (f: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
        .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P).op(10, 'msync', B, 8 * P, f);
      const o = run(t.rows);
      return { r: resultOf(o, last(t)), done: doneAt(o, last(t)), ios: ios(o) };
    };
    const expected = {
      r: 'ENOMEM', done: 210,
      ios: [{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }, { obj: 'g', first: 0, pages: 2, submit: 110, done: 210 }],
    };
    expect(go('SYNC')).toEqual(expected);
    expect(go('SYNC|CONTIGUOUS')).toEqual(expected);
  });

  it('3.1 step 8: KERN_SUCCESS → OK, KERN_INVALID_ADDRESS → ENOMEM; the table maps KERN_FAILURE → EIO, anything else → EINVAL', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P);
    t.op(10, 'msync', B, 4 * P, 'SYNC'); const ok = last(t);
    t.op(10, 'msync', B + 4 * P, P, 'SYNC'); const nomem = last(t);
    const o = run(t.rows);
    expect([resultOf(o, ok), resultOf(o, nomem)]).toEqual(['OK', 'ENOMEM']);
    expect(o.syncs.map((s) => s.result)).toEqual(['OK', 'ENOMEM']);
    expect(o.result.sync.errors).toEqual({ ENOMEM: 1 });
    expect([KERN.SUCCESS, KERN.INVALID_ADDRESS, KERN.FAILURE, KERN.INVALID_ARGUMENT, KERN.RESOURCE_SHORTAGE].map((kr) => toErrno(kr, MSYNC_ERRNO, 'EINVAL')))
      .toEqual(['OK', 'ENOMEM', 'EIO', 'EINVAL', 'EINVAL']);
  });

  it('3.1 not checked: ASYNC|INVALIDATE is accepted — clean pages freed at the call, the dirty one when its write completes', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'read', B, 4 * P).op(0, 'write', B + P, P)
      .op(10, 'msync', B, 4 * P, 'ASYNC|INVALIDATE');
    const o = run(t.rows, { stats: { sample_us: 50 } });
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(10);
    expect(ios(o)).toEqual([{ obj: 'f', first: 1, pages: 1, submit: 10, done: 110 }]);
    // at 50 and 100 only page 1 is resident, under writeback
    expect([50, 100].map((u) => [sample(o, u).residentPages, sample(o, u).writebackPages, sample(o, u).dirtyPages])).toEqual([[1, 1, 0], [1, 1, 0]]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(o.sim.kernel.vm.counters.resident).toBe(0);
  });
});

describe('3.3 vm_map_msync', () => {
  it('3.3 step 2: a hole is remembered and skipped, the mapped parts after it are processed, then ENOMEM (SYNC, ASYNC, INVALIDATE)', () => {
    const go = (f: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
        .op(0, 'write', B + P, P).op(0, 'write', B + 6 * P, P).op(10, 'msync', B, 8 * P, f);
      const o = run(t.rows);
      expect(resultOf(o, last(t))).toBe('ENOMEM');
      return { done: doneAt(o, last(t)), ios: ios(o), f1: pages(o, 'f', 2)[1], g0: pages(o, 'g', 1)[0] };
    };
    expect(go('SYNC')).toEqual({
      done: 210, f1: R, g0: R,
      ios: [{ obj: 'f', first: 1, pages: 1, submit: 10, done: 110 }, { obj: 'g', first: 0, pages: 1, submit: 110, done: 210 }],
    });
    expect(go('ASYNC')).toEqual({
      done: 10, f1: R, g0: R,
      ios: [{ obj: 'f', first: 1, pages: 1, submit: 10, done: 110 }, { obj: 'g', first: 0, pages: 1, submit: 10, done: 210 }],
    });
    expect(go('INVALIDATE')).toEqual({
      done: 210, f1: 0, g0: 0,
      ios: [{ obj: 'f', first: 1, pages: 1, submit: 10, done: 110 }, { obj: 'g', first: 0, pages: 1, submit: 110, done: 210 }],
    });
  });

  it('3.3 step 2: a range starting in a hole, and one running past the last entry ("no later entry: stop") → ENOMEM after the mapped part', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P).op(0, 'write', B + 3 * P, P);
    t.op(10, 'msync', B - 2 * P, 4 * P, 'SYNC'); const before = last(t); // hole, then pages 0-1
    t.op(10, 'msync', B + 2 * P, 8 * P, 'SYNC'); const past = last(t); // pages 2-3, then the end of the map
    const o = run(t.rows);
    expect([resultOf(o, before), resultOf(o, past)]).toEqual(['ENOMEM', 'ENOMEM']);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 3, pages: 1, submit: 110, done: 210 },
    ]);
    expect([doneAt(o, before), doneAt(o, past)]).toEqual([110, 210]);
  });

  it('3.3 step 2: an empty map → ENOMEM', () => {
    const t = new TraceBuilder('b').op(10, 'msync', B, 4 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(o.writebacks).toEqual([]);
  });

  it('3.3 step 2: flush_size — only the part of an entry inside the range is synced; a run never reaches outside it', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, 8 * P).op(10, 'msync', B + 2 * P, 2 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 2, pages: 2, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 8)).toEqual([R | D, R | D, R, R, R | D, R | D, R | D, R | D]);
  });

  it('3.3 step 2: the map is looked up again after every sleep — an entry unmapped meanwhile is a hole (ENOMEM; open replay)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').op(0, 'write', B, P).op(0, 'write', B + 4 * P, P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const ms = last(t);
    t.op(50, 'unmap', B + 4 * P, 4 * P); const um = last(t);
    const o = run(t.rows, { replay: 'open' });
    expect(resultOf(o, um)).toBe('OK');
    expect(doneAt(o, um)).toBe(50);
    expect(resultOf(o, ms)).toBe('ENOMEM');
    expect(doneAt(o, ms)).toBe(110);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'g', 1)).toEqual([R | D]);
  });

  it('3.3 step 2 sub-map: recursed into with the same flags — every sub-map entry of the piece is synced', () => {
    const t = new TraceBuilder().map(0, S, 2 * P, 'x', 0, '', 'shared').map(0, S + 2 * P, 2 * P, 'y', 0, '', 'shared')
      .map(0, B, 4 * P, 'shared', S, 'SUBMAP').op(0, 'write', B, P).op(0, 'write', B + 2 * P, P)
      .op(10, 'msync', B, 4 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'x', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'y', first: 0, pages: 1, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, last(t))).toBe(210);
  });

  it('3.3 step 2 sub-map: a hole inside the sub-map makes the call ENOMEM; the rest (in and after the sub-map) is processed', () => {
    const t = new TraceBuilder().map(0, S + 2 * P, 2 * P, 'x', 0, '', 'shared')
      .map(0, B, 4 * P, 'shared', S, 'SUBMAP').map(0, B + 4 * P, 2 * P, 'g')
      .op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 6 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(ios(o)).toEqual([
      { obj: 'x', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'g', first: 0, pages: 1, submit: 110, done: 210 },
    ]);
  });

  it('3.3 step 2 sub-map: a sub-map inside a sub-map is recursed into too', () => {
    const t = new TraceBuilder().map(0, S2, 2 * P, 'z', 0, '', 'inner')
      .map(0, S, 2 * P, 'inner', S2, 'SUBMAP', 'mid')
      .map(0, B, 2 * P, 'mid', S, 'SUBMAP')
      .op(0, 'write', S2, P, '', { task: 'inner' })
      .op(10, 'msync', B, 2 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'z', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'z', 1)).toEqual([R]);
  });

  it('3.3 sub-map (documented choice): a sub-map already on the recursion path is skipped; a sub-map no task has is a hole', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'a', B, 'SUBMAP').map(0, B + 8 * P, 2 * P, 'nosuch', 0, 'SUBMAP');
    t.op(10, 'msync', B, 4 * P, 'SYNC'); const cycle = last(t);
    t.op(10, 'msync', B + 8 * P, 2 * P, 'SYNC'); const unknown = last(t);
    const o = run(t.rows);
    expect([resultOf(o, cycle), resultOf(o, unknown)]).toEqual(['OK', 'ENOMEM']);
  });

  it('3.3 step 2: KILLPAGES and DEACTIVATE are looked at first — INVALIDATE, SYNC and ASYNC are ignored: nothing written, freed or waited for', () => {
    const go = (f: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'read', B, 4 * P).op(0, 'write', B, P).op(10, 'msync', B, 4 * P, f);
      const o = run(t.rows);
      return { r: resultOf(o, last(t)), done: doneAt(o, last(t)), ios: o.writebacks.length, pages: pages(o, 'f', 4) };
    };
    const expected = { r: 'OK', done: 10, ios: 0, pages: [R | D, R, R, R] };
    expect(go('KILLPAGES|INVALIDATE')).toEqual(expected);
    expect(go('DEACTIVATE|INVALIDATE')).toEqual(expected);
    expect(go('SYNC|KILLPAGES')).toEqual(expected);
    expect(go('ASYNC|DEACTIVATE')).toEqual(expected);
  });

  it('3.3 step 2: an internal object is never synced — msync of a PRIVATE mapping writes nothing, not even the file\'s dirty pages (FreeBSD syncs the file)', () => {
    const go = (f: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRIVATE').map(0, S, 4 * P, 'f', 0, '', 'b')
        .op(0, 'write', S, P, '', { task: 'b' }).op(0, 'write', B + P, P).op(10, 'msync', B, 4 * P, f);
      const o = run(t.rows);
      return { r: resultOf(o, last(t)), done: doneAt(o, last(t)), ios: o.writebacks.length, f: pages(o, 'f', 2), priv: states(shadowAt(o, B), 0, 2) };
    };
    const expected = { r: 'OK', done: 10, ios: 0, f: [R | D, 0], priv: [0, R | D] };
    expect(go('SYNC')).toEqual(expected);
    expect(go('INVALIDATE')).toEqual(expected);
    expect(go('ASYNC')).toEqual(expected);
  });

  it('3.3 step 2: vm_object_sync\'s result is ignored — an I/O error leaves the pages dirty and msync returns OK (no EIO)', () => {
    const go = (f: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, f);
      const o = run(t.rows, ERR);
      expect(o.writebacks.map((w) => w.ok)).toEqual([false]);
      return { r: resultOf(o, last(t)), done: doneAt(o, last(t)), page: pages(o, 'f', 1)[0] };
    };
    expect(go('SYNC')).toEqual({ r: 'OK', done: 110, page: R | D });
    expect(go('ASYNC')).toEqual({ r: 'OK', done: 10, page: R | D });
    expect(go('INVALIDATE')).toEqual({ r: 'OK', done: 110, page: R | D }); // still dirty: not freed
  });

  it('3.3 step 3: holes only matter at the end — DEACTIVATE over a hole → ENOMEM and changes nothing', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'write', B, P).op(0, 'write', B + 6 * P, P)
      .op(10, 'msync', B, 8 * P, 'DEACTIVATE');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(doneAt(o, last(t))).toBe(10);
    expect(o.writebacks).toEqual([]);
    expect([pages(o, 'f', 1), pages(o, 'g', 1)]).toEqual([[R | D], [R | D]]);
  });
});

describe('3.4 vm_object_update / memory_object_lock_page', () => {
  it('3.4 busy page (MUST_BLOCK): the pending run is written first, the page is slept on and judged again; ASYNC waits only for it, SYNC also for its own runs', () => {
    const go = (f: string) => {
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
        .op(0, 'write', S + 2 * P, P, '', { task: 'b' }).op(0, 'msync', S + 2 * P, P, 'ASYNC', { task: 'b' })
        .op(5, 'write', B, 2 * P).op(5, 'write', B + 3 * P, P)
        .op(10, 'msync', B, 4 * P, f);
      const o = run(t.rows);
      expect(resultOf(o, last(t))).toBe('OK');
      expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
      return { done: doneAt(o, last(t)), ios: ios(o) };
    };
    // page 2 is under writeback 0..100; a's run [0,1] is queued at 10 (starts at 100), page 2 is clean when judged again
    expect(go('ASYNC')).toEqual({
      done: 100,
      ios: [
        { obj: 'f', first: 2, pages: 1, submit: 0, done: 100 },
        { obj: 'f', first: 0, pages: 2, submit: 10, done: 200 },
        { obj: 'f', first: 3, pages: 1, submit: 100, done: 300 },
      ],
    });
    expect(go('SYNC')).toEqual({
      done: 300,
      ios: [
        { obj: 'f', first: 2, pages: 1, submit: 0, done: 100 },
        { obj: 'f', first: 0, pages: 2, submit: 10, done: 200 },
        { obj: 'f', first: 3, pages: 1, submit: 200, done: 300 },
      ],
    });
  });

  it('3.4 busy page with INVALIDATE: the scan waits for the writeback, then frees the page it finds clean', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', S, P, '', { task: 'b' }).op(0, 'msync', S, P, 'ASYNC', { task: 'b' })
      .op(10, 'msync', B, P, 'INVALIDATE');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(100);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 0, done: 100 }]);
    expect(pages(o, 'f', 1)).toEqual([0]);
  });

  it('3.4 absent page: skipped (DONE), and the gap ends a run', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, 2 * P).op(0, 'write', B + 3 * P, P)
      .op(10, 'msync', B, 4 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 2, submit: 10, done: 110 },
      { obj: 'f', first: 3, pages: 1, submit: 110, done: 210 },
    ]);
    expect(pages(o, 'f', 4)).toEqual([R, R, 0, R]);
  });

  it('3.4 + 10 X2 wired page: a dirty one is skipped by the msync UPL (stays dirty, not written, not freed); a clean one is left; unwired clean pages are freed at once, dirty ones after their write', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'read', B, 4 * P).op(0, 'wire', B, 2 * P, '')
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P)
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    // section 10 X2 (vm_object_upl_request skips wired pages): page 0 stays dirty; only page 2 is written
    expect(ios(o)).toEqual([{ obj: 'f', first: 2, pages: 1, submit: 10, done: 110 }]);
    expect(doneAt(o, last(t))).toBe(110);
    expect(pages(o, 'f', 4)).toEqual([R | D, R, 0, 0]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 0, 0]);
  });

  it('3.4 + 10 X2 precious page: a clean precious page is committed without a write (UPL_RET_ONLY_DIRTY); the successful write of a dirty one strips its precious bit', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRECIOUS').op(0, 'read', B, 2 * P).op(0, 'write', B + 2 * P, P);
    t.op(10, 'msync', B, 4 * P, 'SYNC'); const first = last(t);
    t.op(120, 'msync', B, 4 * P, 'SYNC'); const second = last(t);
    const before = upTo(t, first - 1);
    expect(pages(before, 'f', 4)).toEqual([R | PR, R | PR, R | D | PR, 0]);
    const o = run(t.rows);
    expect([resultOf(o, first), resultOf(o, second)]).toEqual(['OK', 'OK']);
    // section 10 X2: only the dirty page 2 is written; clean precious pages 0-1 keep their state
    expect(ios(o)).toEqual([{ obj: 'f', first: 2, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([R | PR, R | PR, R, 0]);
    // a failed write commits nothing: the page keeps the precious bit (and the pager leaves it dirty)
    const failed = run(t.rows.filter((r) => r.line <= first), ERR);
    expect(pages(failed, 'f', 4)).toEqual([R | PR, R | PR, R | D | PR, 0]);
  });

  it('3.4 otherwise DONE: clean pages are not written, freed or slept on', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'read', B, 4 * P).op(10, 'msync', B, 4 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(10);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
  });

  it('3.4 runs: at most MAX_UPL_TRANSFER_BYTES (256 pages of 4 KiB, 64 of 16 KiB); pager.cluster_pages is not honoured', () => {
    const go = (cfg: Record<string, unknown>, ps: number, dirty: number) => {
      const t = new TraceBuilder().map(0, B, 512 * ps, 'f').op(0, 'write', B, dirty * ps).op(10, 'msync', B, dirty * ps, 'SYNC');
      const o = run(t.rows, cfg);
      expect(resultOf(o, last(t))).toBe('OK');
      return ios(o, ps);
    };
    const at4k = [
      { obj: 'f', first: 0, pages: 256, submit: 10, done: 110 },
      { obj: 'f', first: 256, pages: 44, submit: 110, done: 210 },
    ];
    expect(go({}, P, 300)).toEqual(at4k);
    expect(go({ pager: { cluster_pages: 16 } }, P, 300)).toEqual(at4k);
    expect(go({ page_size: 16384 }, 16384, 100)).toEqual([
      { obj: 'f', first: 0, pages: 64, submit: 10, done: 110 },
      { obj: 'f', first: 64, pages: 36, submit: 110, done: 210 },
    ]);
  });

  it('3.4 vnode pager without UPL_IOSYNC (ASYNC): every run queued at once, msync returns, pages under writeback until each I/O completes', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'ASYNC');
    const o = run(t.rows, { stats: { sample_us: 50 } });
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(10);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 210 },
      { obj: 'f', first: 4, pages: 1, submit: 10, done: 310 },
    ]);
    expect([50, 150, 250].map((u) => [sample(o, u).dirtyPages, sample(o, u).writebackPages])).toEqual([[0, 3], [0, 2], [0, 1]]);
    expect(pages(o, 'f', 5)).toEqual([R, 0, R, 0, R]);
    expect(o.syncs[0].pagesWritten).toBe(3);
  });

  it('3.4 vnode pager with UPL_IOSYNC (SYNC): one run at a time, each waited for — also for a whole object (no fsync path as on FreeBSD)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 110, done: 210 },
      { obj: 'f', first: 4, pages: 1, submit: 210, done: 310 },
    ]);
    expect(doneAt(o, last(t))).toBe(310);
  });

  it('3.4 free_when_done: a returned page is freed only if its write succeeded (a failed write leaves it dirty and resident)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'read', B, 4 * P).op(0, 'write', B + P, P)
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = run(t.rows, ERR);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(pages(o, 'f', 4)).toEqual([0, R | D, 0, 0]);
  });
});

describe('3.5 KILLPAGES / DEACTIVATE', () => {
  it('10 X6 KILLPAGES over a PRIVATE copy-on-write object does nothing (it always has a shadow: kill_pages = -1); no I/O, no wait', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f', 0, 'PRIVATE').map(0, B + 2 * P, 2 * P, 'f', 2 * P, 'PRIVATE')
      .op(0, 'wire', B + 2 * P, 2 * P, '').op(0, 'write', B, 4 * P)
      .op(10, 'msync', B, 4 * P, 'KILLPAGES');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(10);
    expect(o.writebacks).toEqual([]);
    expect(states(shadowAt(o, B), 0, 2)).toEqual([R | D, R | D]);
    expect(states(shadowAt(o, B + 2 * P), 2, 2)).toEqual([R | D, R | D]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(o.sim.kernel.vm.counters.dirty).toBe(4);
  });

  it('3.5 + 10 X6 KILLPAGES when the copy-on-write object is shared by two entries (clipped by a wiring): nothing happens; merged back, still nothing (it has a shadow)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRIVATE').op(0, 'write', B, 4 * P).op(0, 'wire', B + 2 * P, 2 * P, '');
    t.op(10, 'msync', B, 2 * P, 'KILLPAGES'); const shared = last(t);
    t.op(20, 'unwire', B + 2 * P, 2 * P, ''); const unwired = last(t);
    t.op(30, 'msync', B, 4 * P, 'KILLPAGES'); const whole = last(t);
    const a = upTo(t, shared);
    expect(resultOf(a, shared)).toBe('OK');
    expect(states(shadowAt(a, B), 0, 4)).toEqual([R | D, R | D, R | D, R | D]);
    const b = upTo(t, unwired);
    expect(entries(b)).toEqual([{ start: 0, end: 4, wired: 0, user: 0 }]);
    const o = run(t.rows);
    expect(resultOf(o, whole)).toBe('OK');
    expect(states(shadowAt(o, B), 0, 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect(o.writebacks).toEqual([]);
  });

  it('3.5 KILLPAGES over a named object only deactivates: its dirty data stays, nothing is written', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 2 * P).op(10, 'msync', B, 4 * P, 'KILLPAGES');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 2)).toEqual([R | D, R | D]);
  });

  it('3.5 DEACTIVATE: no write and no state change (private or named), and no wait even on a page under writeback', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 2 * P, 'g', 0, 'PRIVATE').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(0, 'write', S, P, '', { task: 'b' }).op(0, 'msync', S, P, 'ASYNC', { task: 'b' })
      .op(0, 'write', B + P, P).op(0, 'write', B + 4 * P, P);
    t.op(10, 'msync', B, 6 * P, 'DEACTIVATE'); const deact = last(t);
    t.op(10, 'msync', B, 4 * P, 'KILLPAGES'); const kill = last(t);
    const o = run(t.rows);
    expect([resultOf(o, deact), resultOf(o, kill)]).toEqual(['OK', 'OK']);
    expect([doneAt(o, deact), doneAt(o, kill)]).toEqual([10, 10]);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 0, done: 100 }]);
    expect(pages(o, 'f', 2)).toEqual([R, R | D]);
    expect(states(shadowAt(o, B + 4 * P), 0, 1)).toEqual([R | D]);
  });

  it('3.3/3.5 KILLPAGES stops at the first hole: ENOMEM; PRIVATE data is never killed (10 X6)', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'x', 0, 'PRIVATE').map(0, B + 4 * P, 2 * P, 'y', 0, 'PRIVATE')
      .op(0, 'write', B, 2 * P).op(0, 'write', B + 4 * P, 2 * P);
    t.op(10, 'msync', B - 2 * P, 4 * P, 'KILLPAGES'); const fromHole = last(t);
    t.op(10, 'msync', B, 6 * P, 'KILLPAGES'); const across = last(t);
    const a = upTo(t, fromHole);
    expect(resultOf(a, fromHole)).toBe('ENOMEM');
    expect(states(shadowAt(a, B), 0, 2)).toEqual([R | D, R | D]);
    const o = run(t.rows);
    expect(resultOf(o, across)).toBe('ENOMEM');
    expect(states(shadowAt(o, B), 0, 2)).toEqual([R | D, R | D]);
    expect(states(shadowAt(o, B + 4 * P), 0, 2)).toEqual([R | D, R | D]);
  });

  it('3.3/3.5 KILLPAGES in a sub-map: the sub-map\'s hole gives ENOMEM; PRIVATE data is never killed (10 X6)', () => {
    const t = new TraceBuilder().map(0, S, 2 * P, 'x', 0, 'PRIVATE', 'shared').map(0, S + 4 * P, 2 * P, 'y', 0, 'PRIVATE', 'shared')
      .map(0, B, 6 * P, 'shared', S, 'SUBMAP').map(0, B + 6 * P, 2 * P, 'z', 0, 'PRIVATE')
      .op(0, 'write', B, 2 * P).op(0, 'write', B + 4 * P, 2 * P).op(0, 'write', B + 6 * P, 2 * P)
      .op(10, 'msync', B, 8 * P, 'KILLPAGES');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(states(shadowAt(o, S, 'shared'), 0, 2)).toEqual([R | D, R | D]);
    expect(states(shadowAt(o, S + 4 * P, 'shared'), 0, 2)).toEqual([R | D, R | D]);
    expect(states(shadowAt(o, B + 6 * P), 0, 2)).toEqual([R | D, R | D]);
  });
});

describe('3.7 wiring', () => {
  it('3.7 mlock: user wirings stack (user_wired_count), counted once in wired_count; each munlock removes one level; the last unwires the pages', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER'); const locked = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u1 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u2 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u3 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u4 = last(t);
    const at = (l: number) => { const o = upTo(t, l); return { e: entries(o), w: wires(o, 'f', 4), u: userWired(o) }; };
    expect(at(locked)).toEqual({ e: [{ start: 0, end: 4, wired: 1, user: 3 }], w: [1, 1, 1, 1], u: 4 });
    expect(at(u1)).toEqual({ e: [{ start: 0, end: 4, wired: 1, user: 2 }], w: [1, 1, 1, 1], u: 4 });
    expect(at(u2)).toEqual({ e: [{ start: 0, end: 4, wired: 1, user: 1 }], w: [1, 1, 1, 1], u: 4 });
    expect(at(u3)).toEqual({ e: [{ start: 0, end: 4, wired: 0, user: 0 }], w: [0, 0, 0, 0], u: 0 });
    const o = run(t.rows);
    expect(resultOf(o, u4)).toBe('OK'); // nothing left: the entry is skipped
    expect(o.ops.map((x) => x.result)).toEqual(Array(8).fill('OK'));
  });

  it('3.7 add_wire_counts: kernel wirings add to wired_count; a user wiring adds one only on its first level', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, ''); const k1 = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER'); const u1 = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER'); const u2 = last(t);
    t.op(0, 'wire', B, 4 * P, ''); const k2 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER').op(0, 'unwire', B, 4 * P, 'USER'); const uu = last(t);
    t.op(0, 'unwire', B, 4 * P, '').op(0, 'unwire', B, 4 * P, ''); const kk = last(t);
    const at = (l: number) => { const o = upTo(t, l); return { ...entries(o)[0], w: wires(o, 'f', 1)[0], u: userWired(o) }; };
    expect(at(k1)).toEqual({ start: 0, end: 4, wired: 1, user: 0, w: 1, u: 0 });
    expect(at(u1)).toEqual({ start: 0, end: 4, wired: 2, user: 1, w: 1, u: 4 });
    expect(at(u2)).toEqual({ start: 0, end: 4, wired: 2, user: 2, w: 1, u: 4 });
    expect(at(k2)).toEqual({ start: 0, end: 4, wired: 3, user: 2, w: 1, u: 4 });
    expect(at(uu)).toEqual({ start: 0, end: 4, wired: 2, user: 0, w: 1, u: 0 });
    expect(at(kk)).toEqual({ start: 0, end: 4, wired: 0, user: 0, w: 0, u: 0 });
    expect(run(t.rows).ops.map((x) => x.result)).toEqual(Array(9).fill('OK'));
  });

  it('3.7 wire: start unmapped → KERN_INVALID_ADDRESS → ENOMEM (user and kernel), nothing wired', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B - P, 2 * P, 'USER'); const user = last(t);
    t.op(0, 'wire', B - P, 2 * P, ''); const kernel = last(t);
    const o = run(t.rows);
    expect([resultOf(o, user), resultOf(o, kernel)]).toEqual(['ENOMEM', 'ENOMEM']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: 0 }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('3.7 wire: a hole after an unwired entry → KERN_INVALID_ADDRESS (ENOMEM); what was wired before it is undone (rollback)', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 6 * P, 2 * P, 'h')
      .op(0, 'wire', B, 8 * P, 'USER');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(entries(o).map((e) => [e.wired, e.user])).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect([...wires(o, 'f', 2), ...wires(o, 'g', 2), ...wires(o, 'h', 2)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
  });

  it('3.7 wire: an already wired entry is only counted and the walk jumps to the next entry — a hole after it goes unnoticed', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 4 * P, 2 * P, 'g').op(0, 'wire', B, 2 * P, '')
      .op(0, 'wire', B, 6 * P, 'USER');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 2, wired: 2, user: 1 }, { start: 4, end: 6, wired: 1, user: 1 }]);
    expect([...wires(o, 'f', 2), ...wires(o, 'g', 2)]).toEqual([1, 1, 1, 1]);
    expect(userWired(o)).toBe(4);
  });

  it('3.7 + 10 X1 wire: the rollback is vm_map_unwire_nested, which in HEAD unwires an entry followed by a hole too — no user wiring left behind', () => {
    // f wired by the kernel; mlock walks f (counted), jumps the hole to g, finds nothing after g before the range ends
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 4 * P, 2 * P, 'g').op(0, 'wire', B, 2 * P, '')
      .op(0, 'wire', B, 8 * P, 'USER');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(entries(o)).toEqual([{ start: 0, end: 2, wired: 1, user: 0 }, { start: 4, end: 6, wired: 0, user: 0 }]);
    expect(wires(o, 'g', 2)).toEqual([0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('3.7 user limit: entry pages + the map\'s user-wired pages over the limit → KERN_RESOURCE_SHORTAGE → EAGAIN, earlier entries rolled back', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 4 * P, 'g').map(0, B + 16 * P, 2 * P, 'h')
      .op(0, 'wire', B + 16 * P, 2 * P, 'USER');
    const h = last(t);
    t.op(0, 'wire', B, 6 * P, 'USER'); const fg = last(t); // f: 2 + 2 ≤ 6; g: 4 + 4 > 6
    const o = run(t.rows, { memory: { max_user_wired_pages: 6 } });
    expect([resultOf(o, h), resultOf(o, fg)]).toEqual(['OK', 'EAGAIN']);
    expect(entries(o).map((e) => [e.start, e.wired, e.user])).toEqual([[0, 0, 0], [2, 0, 0], [16, 1, 1]]);
    expect([...wires(o, 'f', 2), ...wires(o, 'g', 4)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(userWired(o)).toBe(2);
  });

  it('3.7 global limit: every wired page counts, kernel wirings too (FreeBSD counts user wirings only)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'g').op(0, 'wire', B + 8 * P, 4 * P, '')
      .op(0, 'wire', B, 4 * P, 'USER'); // per task 4 + 0 ≤ 6, global 4 + 4 > 6
    const o = run(t.rows, { memory: { max_user_wired_pages: 6 } });
    expect(resultOf(o, last(t))).toBe('EAGAIN');
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('3.7 per-task limit: counts entry sizes, so two mappings of the same pages count twice there (once globally)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'f').map(0, B + 16 * P, P, 'g');
    t.op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B + 8 * P, 4 * P, 'USER'); const both = last(t); // 4 + 4 ≤ 8 both ways
    t.op(0, 'wire', B + 16 * P, P, 'USER'); const third = last(t); // per task 1 + 8 > 8; global 1 + 4 ≤ 8
    const o = run(t.rows, { memory: { max_user_wired_pages: 8 } });
    expect([resultOf(o, both), resultOf(o, third)]).toEqual(['OK', 'EAGAIN']);
    expect(o.sim.kernel.vm.counters.wired).toBe(4);
  });

  it('3.7 limits are checked only at an entry\'s first user wiring: more levels and kernel wirings always pass', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'g');
    t.op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B + 8 * P, 4 * P, '');
    t.op(0, 'wire', B + 8 * P, 4 * P, 'USER'); const g = last(t);
    const o = run(t.rows, { memory: { max_user_wired_pages: 4 } });
    expect(o.ops.slice(2).map((x) => x.result)).toEqual(['OK', 'OK', 'OK', 'EAGAIN']);
    expect(entries(o).map((e) => [e.wired, e.user])).toEqual([[1, 2], [1, 0]]);
    expect(resultOf(o, g)).toBe('EAGAIN');
  });

  it('3.7 default limit (documented choice): 70 % of a memory below 8 GiB when memory.pages > 0; unlimited when it is 0', () => {
    const t = new TraceBuilder().map(0, B, 70 * P, 'f').map(0, B + 128 * P, P, 'g');
    t.op(0, 'wire', B, 70 * P, 'USER'); const f = last(t);
    t.op(0, 'wire', B + 128 * P, P, 'USER'); const g = last(t);
    const limited = run(t.rows, { memory: { pages: 100 } }); // 100 pages: floor(409600 × 70 / 100 / 4096) = 70
    expect([resultOf(limited, f), resultOf(limited, g)]).toEqual(['OK', 'EAGAIN']);
    const unlimited = run(t.rows);
    expect([resultOf(unlimited, f), resultOf(unlimited, g)]).toEqual(['OK', 'OK']);
  });

  it('3.7 default limit table: memory × wire_limit_percents[log2(bytes) − 32] (macOS, no jetsam), at most 32 GiB kept back', () => {
    const GiB = 2 ** 30;
    const sizes = [4 * GiB, 8 * GiB, 16 * GiB, 64 * GiB, 256 * GiB, 512 * GiB, 1024 * GiB, 2048 * GiB, 16 * 2 ** 20];
    // hand-computed (bc): floor(floor(bytes × pct / 100) / 4096), or (bytes − 32 GiB) / 4096
    expect(sizes.map((b) => userWireLimitPages(b / P, P))).toEqual([734003, 1530920, 3187671, 13757317, 59055800, 125829120, 260046848, 528482304, 2867]);
    expect(userWireLimitPages(0, P)).toBe(Infinity);
  });

  it('3.7 MAX_WIRE_COUNT: the 65536th user wiring of an entry → KERN_FAILURE → ENOMEM, counts unchanged', () => {
    const t = new TraceBuilder().map(0, B, P, 'f');
    for (let i = 0; i < MAX_WIRE_COUNT; i++) t.op(0, 'wire', B, P, 'USER');
    const lastOk = last(t);
    t.op(0, 'wire', B, P, 'USER'); const over = last(t);
    const o = run(t.rows);
    expect(MAX_WIRE_COUNT).toBe(65535);
    expect([resultOf(o, lastOk), resultOf(o, over)]).toEqual(['OK', 'ENOMEM']);
    expect(entries(o)).toEqual([{ start: 0, end: 1, wired: 1, user: 65535 }]);
  });

  it('3.7 MAX_WIRE_COUNT: a first user wiring of an entry with 65535 kernel wirings → ENOMEM; a 65536th kernel wiring (XNU panics) → ENOMEM', () => {
    const t = new TraceBuilder().map(0, B, P, 'f');
    for (let i = 0; i < MAX_WIRE_COUNT; i++) t.op(0, 'wire', B, P, '');
    t.op(0, 'wire', B, P, 'USER'); const user = last(t);
    t.op(0, 'wire', B, P, ''); const kernel = last(t);
    const o = run(t.rows);
    expect([resultOf(o, user), resultOf(o, kernel)]).toEqual(['ENOMEM', 'ENOMEM']);
    expect(entries(o)).toEqual([{ start: 0, end: 1, wired: 65535, user: 0 }]);
    expect(userWired(o)).toBe(0);
  });

  it('3.7 in transition: a second wirer waits, then finds the entry wired and only counts (open replay, 10 µs per page)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w1 = last(t);
    t.op(10, 'wire', B, 4 * P, 'USER'); const w2 = last(t);
    const o = run(t.rows, { replay: 'open', cpu: { per_page_us: 10 } });
    expect([resultOf(o, w1), resultOf(o, w2)]).toEqual(['OK', 'OK']);
    expect([doneAt(o, w1), doneAt(o, w2)]).toEqual([40, 40]);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: 2 }]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
  });

  it('3.7 in transition: the entry gone after the wait → KERN_FAILURE → ENOMEM (open replay, 10 µs per page)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w1 = last(t);
    t.op(10, 'unmap', B, 4 * P); const um = last(t);
    t.op(20, 'wire', B, 4 * P, 'USER'); const w2 = last(t);
    const o = run(t.rows, { replay: 'open', cpu: { per_page_us: 10 } });
    expect([resultOf(o, w1), resultOf(o, um), resultOf(o, w2)]).toEqual(['OK', 'OK', 'ENOMEM']);
    expect([doneAt(o, w1), doneAt(o, um), doneAt(o, w2)]).toEqual([40, 40, 40]);
    expect(entries(o)).toEqual([]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('3.7 wire flags (documented choice): no USER is a kernel wiring; SYSTEM, HOLESOK and NOHOLES are ignored (a hole still fails)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g');
    t.op(0, 'wire', B, 8 * P, 'HOLESOK'); const holesok = last(t);
    t.op(0, 'wire', B, 4 * P, 'SYSTEM'); const system = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER|SYSTEM|NOHOLES'); const user = last(t);
    const a = upTo(t, system);
    expect([resultOf(a, holesok), resultOf(a, system)]).toEqual(['ENOMEM', 'OK']);
    expect(entries(a)[0]).toEqual({ start: 0, end: 4, wired: 1, user: 0 });
    const o = run(t.rows);
    expect(resultOf(o, user)).toBe('OK');
    expect(entries(o)[0]).toEqual({ start: 0, end: 4, wired: 2, user: 1 });
  });

  it('3.7 + 10 X8 mlock: the range is clamped to the map\'s top (2^53): across it → the mapped check (ENOMEM), above it → OK; len 0 → OK without looking at the map; the range is rounded (start down, end up)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f');
    t.op(0, 'wire', TOP - P, 2 * P, 'USER'); const over = last(t);
    t.op(0, 'wire', TOP + P, P, 'USER'); const above = last(t);
    t.op(0, 'wire', B + 64 * P, 0, 'USER'); const len0 = last(t);
    t.op(0, 'wire', B + 2 * P + 100, 2 * P, 'USER'); const rounded = last(t); // pages 2..4
    const o = run(t.rows);
    // VM_MAP_RANGE_CHECK: [TOP-P, TOP) is unmapped → KERN_INVALID_ADDRESS; [TOP, TOP) is empty → KERN_SUCCESS
    expect([over, above, len0, rounded].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'OK', 'OK', 'OK']);
    expect(entries(o)).toEqual([
      { start: 0, end: 2, wired: 0, user: 0 },
      { start: 2, end: 5, wired: 1, user: 1 },
      { start: 5, end: 8, wired: 0, user: 0 },
    ]);
    expect(wires(o, 'f', 8)).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
    expect(userWired(o)).toBe(3);
  });

  it('3.7 + 10 X8 munlock: clamped to the map\'s top (across it: unmapped start → ENOMEM, above it → OK); start unmapped → KERN_INVALID_ADDRESS → ENOMEM; len 0 → OK', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, 'USER');
    t.op(0, 'unwire', TOP - P, 2 * P, 'USER'); const over = last(t);
    t.op(0, 'unwire', TOP + P, P, 'USER'); const above = last(t);
    t.op(0, 'unwire', B - P, 2 * P, 'USER'); const unmapped = last(t);
    t.op(0, 'unwire', B + 64 * P, 0, 'USER'); const len0 = last(t);
    const o = run(t.rows);
    expect([over, above, unmapped, len0].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'OK', 'ENOMEM', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: 1 }]);
  });

  it('3.7 munlock: entries without a user wiring and entries in transition are skipped, not waited for (open replay, 10 µs per page)', () => {
    // g is kernel wired 0..40; f is being user wired 50..90
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'g').op(0, 'wire', B + 8 * P, 4 * P, '');
    t.op(50, 'wire', B, 4 * P, 'USER'); const lock = last(t);
    t.op(60, 'unwire', B, 4 * P, 'USER'); const inTransition = last(t);
    t.op(60, 'unwire', B + 8 * P, 4 * P, 'USER'); const kernelOnly = last(t);
    const o = run(t.rows, { replay: 'open', cpu: { per_page_us: 10 } });
    expect([lock, inTransition, kernelOnly].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK']);
    expect([doneAt(o, inTransition), doneAt(o, kernelOnly), doneAt(o, lock)]).toEqual([60, 60, 90]);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: 1 }, { start: 8, end: 12, wired: 1, user: 0 }]);
  });

  it('3.7 + 10 X1 munlock: an entry followed by a hole in the range is unwired too (HEAD), also the last entry of a range running past it', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 4 * P, 2 * P, 'g')
      .op(0, 'wire', B, 2 * P, 'USER').op(0, 'wire', B + 4 * P, 2 * P, 'USER');
    t.op(0, 'unwire', B, 6 * P, 'USER'); const across = last(t); // f and g unwired
    t.op(0, 'wire', B + 4 * P, 2 * P, 'USER');
    t.op(0, 'unwire', B + 4 * P, 4 * P, 'USER'); const past = last(t); // g unwired
    t.op(0, 'unwire', B + 4 * P, 2 * P, 'USER'); const exact = last(t); // nothing user wired left: skipped
    const a = upTo(t, across);
    expect(resultOf(a, across)).toBe('OK');
    expect(entries(a)).toEqual([{ start: 0, end: 2, wired: 0, user: 0 }, { start: 4, end: 6, wired: 0, user: 0 }]);
    const b = upTo(t, past);
    expect(resultOf(b, past)).toBe('OK');
    expect(entries(b)[1]).toEqual({ start: 4, end: 6, wired: 0, user: 0 });
    const o = run(t.rows);
    expect(resultOf(o, exact)).toBe('OK');
    expect(entries(o)[1]).toEqual({ start: 4, end: 6, wired: 0, user: 0 });
    expect(wires(o, 'g', 2)).toEqual([0, 0]);
  });

  it('3.7 unwire: pages unwired when wired_count reaches 0; clipped entries merged back (vm_map_simplify_range); pages stay resident and dirty', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B + 2 * P, P);
    t.op(0, 'wire', B + 2 * P, 2 * P, 'USER'); const lock = last(t);
    t.op(0, 'unwire', B + 2 * P, 2 * P, 'USER'); const unlock = last(t);
    const a = upTo(t, lock);
    expect(entries(a)).toEqual([
      { start: 0, end: 2, wired: 0, user: 0 },
      { start: 2, end: 4, wired: 1, user: 1 },
      { start: 4, end: 8, wired: 0, user: 0 },
    ]);
    const o = run(t.rows);
    expect(resultOf(o, unlock)).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 8, wired: 0, user: 0 }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, R | D, R]);
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
  });

  it('3.7 kernel unwire where XNU panics (documented choice) → EINVAL, nothing changed: unmapped start, unwired entry, hole, user-only wiring', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 4 * P, 2 * P, 'g').map(0, B + 8 * P, 2 * P, 'h').map(0, B + 12 * P, 2 * P, 'i')
      .op(0, 'wire', B, 2 * P, '').op(0, 'wire', B + 4 * P, 2 * P, '').op(0, 'wire', B + 8 * P, 2 * P, 'USER');
    t.op(0, 'unwire', B - 2 * P, 2 * P, ''); const unmapped = last(t);
    t.op(0, 'unwire', B + 12 * P, 2 * P, ''); const unwired = last(t);
    t.op(0, 'unwire', B, 6 * P, ''); const hole = last(t);
    t.op(0, 'unwire', B + 8 * P, 2 * P, ''); const userOnly = last(t);
    t.op(0, 'unwire', B, 2 * P, ''); const fine = last(t);
    const o = run(t.rows);
    expect([unmapped, unwired, hole, userOnly, fine].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'OK']);
    expect(entries(o).map((e) => [e.start, e.wired, e.user])).toEqual([[0, 0, 0], [4, 1, 0], [8, 1, 1], [12, 0, 0]]);
    expect([...wires(o, 'f', 2), ...wires(o, 'g', 2), ...wires(o, 'h', 2)]).toEqual([0, 0, 1, 1, 1, 1]);
  });

  it('3.7 wire: pages are faulted in and wired, not dirtied, nothing written', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B + P, P).op(0, 'wire', B, 4 * P, 'USER');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(pages(o, 'f', 4)).toEqual([R, R | D, R, R]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(o.writebacks).toEqual([]);
    expect(o.result.wire.peak_wired_pages).toBe(4);
  });

  it('3.7 + 10 X4 sub-map entry: vm_map_wire_nested recurses with user_wire — the entry and the sub-map\'s entries carry the counts', () => {
    const t = new TraceBuilder().map(0, S, 4 * P, 'x', 0, '', 'shared').map(0, B, 4 * P, 'shared', S, 'SUBMAP')
      .op(0, 'wire', B, 4 * P, 'USER');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: 1 }]);
    expect(wires(o, 'x', 4)).toEqual([1, 1, 1, 1]);
    expect(o.sim.kernel.vm.maps.get('shared')!.entries.map((e) => [e.wiredCount, e.userWiredCount])).toEqual([[1, 1]]);
    expect(userWired(o)).toBe(4); // the pages count once
  });
});

describe('3.8 operation table', () => {
  it('3.8 msync MS_ASYNC: align; len 0; range; SYNC+ASYNC (EINVAL ×4), holes at the end (ENOMEM); dirty pages written, resident, clean after the I/O; clean precious ones not written (10 X2)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRECIOUS').op(0, 'read', B, P).op(0, 'write', B + P, P);
    t.op(10, 'msync', B + 1, P, 'ASYNC'); const align = last(t);
    t.op(10, 'msync', B, 0, 'ASYNC'); const len0 = last(t);
    t.op(10, 'msync', TOP - P, 2 * P, 'ASYNC'); const range = last(t);
    t.op(10, 'msync', B, P, 'ASYNC|SYNC'); const both = last(t);
    t.op(10, 'msync', B, 8 * P, 'ASYNC'); const hole = last(t);
    const o = run(t.rows);
    expect([align, len0, range, both, hole].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'ENOMEM']);
    expect(doneAt(o, hole)).toBe(10);
    expect(ios(o)).toEqual([{ obj: 'f', first: 1, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 2)).toEqual([R | PR, R]);
  });

  it('3.8 msync MS_SYNC / 0: same checks; synchronous, until the I/O is done', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P);
    t.op(10, 'msync', B + 1, P, ''); const align = last(t);
    t.op(10, 'msync', B, 0, 'SYNC'); const len0 = last(t);
    t.op(10, 'msync', B, 4 * P, ''); const ok = last(t);
    const o = run(t.rows);
    expect([align, len0, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'OK']);
    expect(doneAt(o, ok)).toBe(110);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
  });

  it('3.8 msync MS_INVALIDATE: dirty pages returned then freed, clean ones freed, wired ones left dirty and kept (10 X2); no EBUSY', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'read', B, 4 * P).op(0, 'write', B, P).op(0, 'write', B + 3 * P, P)
      .op(0, 'wire', B + 3 * P, P, 'USER')
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, 0, R | D]);
  });

  it('3.8 msync MS_DEACTIVATE: align; len 0 (EINVAL); hole (ENOMEM); no writes, no wait', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P);
    t.op(10, 'msync', B + 1, P, 'DEACTIVATE'); const align = last(t);
    t.op(10, 'msync', B, 0, 'DEACTIVATE'); const len0 = last(t);
    t.op(10, 'msync', B, 8 * P, 'DEACTIVATE'); const hole = last(t);
    t.op(10, 'msync', B, 4 * P, 'DEACTIVATE'); const ok = last(t);
    const o = run(t.rows);
    expect([align, len0, hole, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'ENOMEM', 'OK']);
    expect(doneAt(o, ok)).toBe(10);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
  });

  it('3.8 msync MS_KILLPAGES: same checks, stops at the first hole; PRIVATE copy (10 X6) and file: nothing lost', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'x', 0, 'PRIVATE').map(0, B + 2 * P, 2 * P, 'f').map(0, B + 6 * P, 2 * P, 'y', 0, 'PRIVATE')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P);
    t.op(10, 'msync', B, 0, 'KILLPAGES'); const len0 = last(t);
    t.op(10, 'msync', B, 8 * P, 'KILLPAGES'); const hole = last(t);
    const o = run(t.rows);
    expect([resultOf(o, len0), resultOf(o, hole)]).toEqual(['EINVAL', 'ENOMEM']);
    expect(states(shadowAt(o, B), 0, 2)).toEqual([R | D, R | D]);
    expect(pages(o, 'f', 2)).toEqual([R | D, R | D]);
    expect(states(shadowAt(o, B + 6 * P), 0, 2)).toEqual([R | D, R | D]);
    expect(o.writebacks).toEqual([]);
  });

  it('3.8 mlock: start mapped; hole; limits (ENOMEM, ENOMEM, EAGAIN); wired and faulted in; rolled back on failure', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 4 * P, 'g');
    t.op(0, 'wire', B - P, 2 * P, 'USER'); const unmapped = last(t);
    t.op(0, 'wire', B, 8 * P, 'USER'); const hole = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER'); const ok = last(t);
    t.op(0, 'wire', B + 6 * P, 4 * P, 'USER'); const limit = last(t); // 4 + 4 > 6
    const o = run(t.rows, { memory: { max_user_wired_pages: 6 } });
    expect([unmapped, hole, ok, limit].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'ENOMEM', 'OK', 'EAGAIN']);
    expect(entries(o).map((e) => [e.wired, e.user])).toEqual([[1, 1], [0, 0]]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
    expect(o.result.wire.errors).toEqual({ EAGAIN: 1, ENOMEM: 2 });
  });

  it('3.8 munlock: start mapped (ENOMEM); one user-wire level removed; no I/O', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER');
    t.op(0, 'unwire', B + 4 * P, P, 'USER'); const unmapped = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const ok = last(t);
    const o = run(t.rows);
    expect([resultOf(o, unmapped), resultOf(o, ok)]).toEqual(['ENOMEM', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: 1 }]);
    expect(o.writebacks).toEqual([]);
  });
});

describe('6 page state machine (XNU)', () => {
  it('6 + 10 X7 write while W: the writer does not wait (msync pages are "cleaning", not busy); the page is dirty again and stays dirty after the write completes', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b').map(0, S2, 16 * P, 'f', 0, '', 'c')
      .op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC');
    t.op(50, 'write', S, P, '', { task: 'b' }); const wB = last(t);
    t.op(60, 'write', S2 + P, P, '', { task: 'c' }); const wC = last(t);
    const o = run(t.rows, { stats: { sample_us: 50 } });
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect([doneAt(o, wB), doneAt(o, wC)]).toEqual([50, 60]);
    // at 100 µs page 0 is dirty and under writeback, page 1 dirty
    expect([sample(o, 100).dirtyPages, sample(o, 100).writebackPages]).toEqual([2, 1]);

    expect(pages(o, 'f', 2)).toEqual([R | D, R | D]);
  });

  it('6 munmap (documented choice): waits for kernel wirings like HEAD vm_map_delete, drops every user wiring; dirty pages stay in the object', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P).op(0, 'wire', B, 4 * P, '')
      .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER');
    t.op(10, 'unmap', B, 4 * P); const um = last(t);
    t.op(50, 'unwire', B, 4 * P, ''); const uw = last(t);
    const o = run(t.rows, { replay: 'open' });
    expect([resultOf(o, uw), resultOf(o, um)]).toEqual(['OK', 'OK']);
    expect([doneAt(o, uw), doneAt(o, um)]).toEqual([50, 50]);
    expect(entries(o)).toEqual([]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
    expect(o.writebacks).toEqual([]);
  });

  it('6 munmap: waits for an entry in transition (open replay, 10 µs per page)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w = last(t);
    t.op(10, 'unmap', B, 4 * P); const um = last(t);
    const o = run(t.rows, { replay: 'open', cpu: { per_page_us: 10 } });
    expect([resultOf(o, w), resultOf(o, um)]).toEqual(['OK', 'OK']);
    expect([doneAt(o, w), doneAt(o, um)]).toEqual([40, 40]);
    expect(entries(o)).toEqual([]);
    expect(userWired(o)).toBe(0);
  });

  it('6 munmap: dirty pages are not written; a later msync through another mapping writes them', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b').op(0, 'write', B, 2 * P);
    t.op(10, 'unmap', B, 8 * P); const um = last(t);
    t.op(20, 'msync', S, 8 * P, 'SYNC', { task: 'b' }); const ms = last(t);
    const o = run(t.rows);
    expect([resultOf(o, um), resultOf(o, ms)]).toEqual(['OK', 'OK']);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 2, submit: 20, done: 120 }]);
    expect(pages(o, 'f', 2)).toEqual([R, R]);
  });
});

describe('8 XNU discrepancies', () => {
  it('8: SYNC|ASYNC is refused — the trace-format example\'s last row is EINVAL on xnu', () => {
    const rows = traceFormatExample();
    const o = run(rows);
    expect([3, 4, 5, 6, 7, 8].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'EINVAL']);
    // runs [0,1] and [3], one at a time
    expect(ios(o)).toEqual([
      { obj: 'data.db', first: 0, pages: 2, submit: 10, done: 110 },
      { obj: 'data.db', first: 3, pages: 1, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, 6)).toBe(210);
    expect([opOf(o, 7).tIssueNs / 1000, opOf(o, 8).tIssueNs / 1000]).toEqual([212, 220]);
    expect(wires(o, 'data.db', 0x210)[0x200]).toBe(1);
  });

  it('8: an unaligned addr and len 0 are refused with EINVAL (FreeBSD accepts both)', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B + 3 * P, P).op(0, 'write', B + 9 * P, P);
    t.op(10, 'msync', B + 3 * P + 7, 10, 'SYNC'); const unaligned = last(t);
    t.op(10, 'msync', B + 9 * P, 0, 'SYNC'); const len0 = last(t);
    const o = run(t.rows);
    expect([resultOf(o, unaligned), resultOf(o, len0)]).toEqual(['EINVAL', 'EINVAL']);
    expect(o.writebacks).toEqual([]);
  });

  it('8: holes — the mapped parts are processed, then ENOMEM (FreeBSD validates first and does nothing)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'read', B, 4 * P).op(0, 'write', B, P)
      .op(10, 'msync', B, 8 * P, 'INVALIDATE');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('8: wired + MS_INVALIDATE is never EBUSY — a user-wired range stays resident and, by 10 X2, dirty and unwritten', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER')
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
  });

  it('8: MS_ASYNC issues the device I/O at the call', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC');
    const o = run(t.rows, { stats: { sample_us: 50 } });
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect([sample(o, 50).dirtyPages, sample(o, 50).writebackPages, sample(o, 50).queueDepth]).toEqual([0, 1, 1]);
    expect(o.result.writeback.by_cause.msync).toBe(P);
  });

  it('8: wire stacking — three mlocks need three munlocks (FreeBSD and Linux: one)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f')
      .op(0, 'wire', B, 4 * P, 'USER|NOHOLES').op(0, 'wire', B, 4 * P, 'USER|NOHOLES').op(0, 'wire', B, 4 * P, 'USER|NOHOLES');
    t.op(0, 'unwire', B, 4 * P, 'USER|NOHOLES'); const once = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER|NOHOLES').op(0, 'unwire', B, 4 * P, 'USER|NOHOLES'); const thrice = last(t);
    const a = upTo(t, once);
    expect(wires(a, 'f', 4)).toEqual([1, 1, 1, 1]);
    const o = run(t.rows);
    expect(resultOf(o, thrice)).toBe('OK');
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('8: wire failure rolls back — no entry stays wired after a failed mlock (Linux keeps earlier VMAs locked)', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 6 * P, 2 * P, 'h')
      .op(0, 'wire', B, 8 * P, 'USER|NOHOLES');
    const o = run(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(entries(o).map((e) => [e.wired, e.user])).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
  });
});
