/**
 * FreeBSD personality: msync (semantics.md 2.1, 2.2, 2.3, 2.7 msync rows,
 * section 6 "write while W" / munmap, section 8 msync bullets).
 *
 * Every expected value is derived by hand from the spec and the defaults:
 * page size 4096, device 1 channel, constant 100 µs per I/O, FIFO, cluster
 * 32 pages, CPU costs 0, closed replay unless a test says otherwise. In
 * closed replay a task's next row issues at max(now, t_us + lag), lag being
 * how late its previous row finished.
 *
 * Rows that cannot be triggered in the model (no test on purpose):
 * - 2.1 step 5 "other → EINVAL": vm_map_sync (here and in FreeBSD) only
 *   returns SUCCESS, INVALID_ADDRESS, INVALID_ARGUMENT or FAILURE.
 * - 2.1 CheriBSD flag mask / MS_PAGEOUT and the pre-2014 EINVAL history: not
 *   modelled (stock modern FreeBSD is).
 * - 2.2 step 1 VM_MAP_RANGE_CHECK clamp: model maps have no vm_map_min/max.
 * - 2.2 step 3 large-page (MAP_ENTRY_SPLIT_BOUNDARY_INDEX) alignment → EBUSY:
 *   no superpages in the model.
 * - 2.2 step 4 pmap_remove of the range: no PTEs / modified bits; a write
 *   sets the page dirty directly, so there is nothing to harvest or observe.
 * - 2.2 FreeBSD 4–6 vm_map_clean (sub-map → INVALID_ARGUMENT): the modern
 *   descent is modelled instead (tested).
 * - 2.3 object NULL → TRUE: every entry has an object or a sub-map (the
 *   nearest case, a sub-map hole, is tested).
 * - 2.3 anonymous/swap objects never synced or invalidated: entries always map
 *   named (vnode) objects; anonymous memory exists only as the private copy of
 *   a PRIVATE mapping (tested through PRIVATE).
 * - 2.3 VV_NOSYNC, vn_start_write / vnode lock, device objects
 *   (OBJPR_NOTMAPPED), sysctl vm.old_msync=1: not modelled.
 * - 2.3 invalid (partially valid) pages, MAP_NOSYNC / PGA_NOSYNC /
 *   OBJPC_NOSYNC, pmap_remove_write / writable-mapped bit: not modelled (the
 *   trace format has no MAP_NOSYNC flag, pages are always fully valid).
 * - 2.3 cleangeneration / might-be-dirty flag: not a separate state; its only
 *   effect (a clean object costs nothing) is tested.
 * - 2.3 vm_pageout_flush BAD (beyond EOF) and AGAIN: objects have no EOF and
 *   writes are never short.
 * - 2.3 MS_ASYNC as a UFS delayed (bdwrite) buffer write and pagedaemon
 *   IO_ASYNC: the documented choice queues MS_ASYNC writes on the device at
 *   once (tested); there is no pageout (writeback.policy none).
 * - 2.3 page_remove of a wired page "removes all mappings": no PTEs; that its
 *   contents stay is tested.
 * - 2.3 page_remove sleeping on a page under writeback ("vmopar"): with the
 *   vnode lock (section 10 F1) every msync write of the file has been waited
 *   out by the cleaning pass when page_remove runs, and page_remove follows
 *   the unlock at once; only pageout or the syncer could start a write in
 *   between, which no small trace here arranges.
 * - 2.1 step 2 wrap: the trace reader refuses addr+len >= 2^53 and page
 *   rounding cannot go past 2^53, so only rows built in code reach the check;
 *   it is tested with such rows.
 */
import { describe, it, expect } from 'vitest';
import { TraceBuilder, simulate, resultOf, type SimOutput, objOf, opOf, doneAt, ios, traceFormatExample } from './helpers.ts';
import { Page, PageCounters, VmObject } from '../sim/vm/object.ts';
import { WaitQueue } from '../sim/vm/process.ts';
import { Pager } from '../sim/pager/pager.ts';
import type { Io } from '../sim/device/device.ts';
import { Engine } from '../sim/engine/queue.ts';

const P = 4096;
/** Base address of task a's mappings. */
const B = 0x100000;
/** Base address of other tasks' mappings of the same objects. */
const S = 0x4000000;
const S2 = 0x8000000;
const TOP = 2 ** 53;
const R = Page.RESIDENT, D = Page.DIRTY;

/** State bits of pages 0..n-1 of an object. */
function pages(o: SimOutput, name: string, n: number): number[] {
  const x = objOf(o, name);
  return Array.from({ length: n }, (_, i) => x.state(i));
}
/** Line of the row most recently added. */
const last = (t: TraceBuilder) => t.rows[t.rows.length - 1].line;
const sample = (o: SimOutput, us: number) => {
  const s = o.timeline.find((x) => x.tNs === us * 1000);
  if (!s) throw new Error(`no timeline sample at ${us} µs`);
  return s;
};
const ERR = { device: { error_rate: 1 } };

describe('2.1 kern_msync', () => {
  it('2.1 step 1: unaligned addr is rounded down, len grows by the page offset and rounds up', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f')
      .op(0, 'write', B + P, 1).op(0, 'write', B + 3 * P, 1).op(0, 'write', B + 5 * P, 1)
      .op(10, 'msync', B + P + 100, 2 * P, 'SYNC');
    const o = simulate(t.rows);
    // [B+P, B+P+2P+100) rounds to pages 1..3: pages 1 and 3 (not contiguous: two clusters), not page 5
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 1, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 3, pages: 1, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, last(t))).toBe(210);
    expect(pages(o, 'f', 8)).toEqual([0, R, 0, R, 0, R | D, 0, 0]);
  });

  it('2.1 step 1 + 2.2 step 2: unaligned addr with len 0 covers its one page, not the whole entry', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f')
      .op(0, 'write', B + 2 * P, P).op(0, 'write', B + 5 * P, P)
      .op(10, 'msync', B + 2 * P + 100, 0, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 2, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 8)).toEqual([0, 0, R, 0, 0, R | D, 0, 0]);
  });

  it('2.1 step 2: addr+len past the address space (wrap) → EINVAL, before the mapping and hole checks, no side effect', () => {
    const G = TOP - 4 * P;
    const t = new TraceBuilder().map(0, G, 2 * P, 'g').op(0, 'write', G, 2 * P);
    t.op(10, 'msync', G, 5 * P, 'SYNC'); const wrapHole = last(t); // else: hole past g → ENOMEM
    t.op(10, 'msync', G + 2 * P, 3 * P, 'SYNC'); const wrapUnmapped = last(t); // else: start unmapped → ENOMEM
    t.op(10, 'msync', G + P, 3 * P, 'ASYNC|INVALIDATE'); const wrapBoth = last(t);
    t.op(10, 'msync', G, 2 * P, 'SYNC'); const ok = last(t);
    const o = simulate(t.rows);
    expect([resultOf(o, wrapHole), resultOf(o, wrapUnmapped), resultOf(o, wrapBoth), resultOf(o, ok)]).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'OK']);
    // the only I/O is the last msync's (g is 2 pages: whole object, one cluster)
    expect(ios(o)).toEqual([{ obj: 'g', first: 0, pages: 2, submit: 10, done: 110 }]);
  });

  it('2.1 step 3: ASYNC|INVALIDATE → EINVAL with no side effect, before start-unmapped, user-wired and hole checks', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 2 * P, 'USER');
    t.op(10, 'msync', B, 4 * P, 'ASYNC|INVALIDATE'); const wired = last(t);
    t.op(10, 'msync', B - 2 * P, P, 'ASYNC|INVALIDATE'); const unmapped = last(t);
    t.op(10, 'msync', B, 8 * P, 'ASYNC|INVALIDATE'); const hole = last(t);
    t.op(10, 'msync', B, 4 * P, 'SYNC|ASYNC|INVALIDATE'); const withSync = last(t);
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE'); const control = last(t);
    const o = simulate(t.rows);
    expect([wired, unmapped, hole, withSync].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL']);
    expect(resultOf(o, control)).toBe('EBUSY'); // the user-wired entry is there
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect([0, 1, 2, 3].map((i) => objOf(o, 'f').wireCount(i))).toEqual([1, 1, 0, 0]);
  });

  it('2.1 step 3 (MS_SYNC is 0): SYNC|ASYNC is an asynchronous sync — all clusters queued, no wait', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P).op(0, 'write', B + 2 * P, P)
      .op(10, 'msync', B, 4 * P, 'SYNC|ASYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(10);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 210 },
    ]);
    expect(pages(o, 'f', 3)).toEqual([R, 0, R]);
  });

  it('2.1 step 3 (unknown bits not rejected): CONTIGUOUS|KILLPAGES|DEACTIVATE are ignored — a plain synchronous msync', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P)
      .op(10, 'msync', B, P, 'CONTIGUOUS|KILLPAGES|DEACTIVATE');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(doneAt(o, last(t))).toBe(110);
    expect(pages(o, 'f', 1)).toEqual([R]); // written, neither discarded nor freed
  });

  it('2.1 step 4: syncio = !(flags & MS_ASYNC) — flags 0 and INVALIDATE alone are synchronous', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, flags);
      const o = simulate(t.rows);
      return { o, line: last(t) };
    };
    const plain = run('');
    expect(resultOf(plain.o, plain.line)).toBe('OK');
    expect(doneAt(plain.o, plain.line)).toBe(110);
    expect(ios(plain.o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(plain.o, 'f', 1)).toEqual([R]);
    const inval = run('INVALIDATE');
    expect(resultOf(inval.o, inval.line)).toBe('OK');
    expect(doneAt(inval.o, inval.line)).toBe(110);
    expect(ios(inval.o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(inval.o, 'f', 1)).toEqual([0]); // written, then freed
  });

  it('2.1 step 5: SUCCESS → OK, INVALID_ADDRESS → ENOMEM, INVALID_ARGUMENT → EBUSY, FAILURE → EIO', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'g')
      .op(0, 'wire', B + 8 * P, 4 * P, 'USER').op(0, 'write', B, P);
    t.op(10, 'msync', B + P, P, 'SYNC'); const ok = last(t); // page 1 is clean: nothing to write
    t.op(10, 'msync', B + 4 * P, P, 'SYNC'); const nomem = last(t);
    t.op(10, 'msync', B + 8 * P, P, 'INVALIDATE'); const busy = last(t);
    t.op(10, 'msync', B, P, 'SYNC'); const eio = last(t);
    const o = simulate(t.rows, ERR);
    expect([ok, nomem, busy, eio].map((l) => resultOf(o, l))).toEqual(['OK', 'ENOMEM', 'EBUSY', 'EIO']);
    expect(o.syncs.map((s) => s.result)).toEqual(['OK', 'ENOMEM', 'EBUSY', 'EIO']);
    expect(o.result.sync.errors).toEqual({ EBUSY: 1, EIO: 1, ENOMEM: 1 });
    expect(doneAt(o, eio)).toBe(110);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
  });
});

describe('2.2 vm_map_sync', () => {
  it('2.2 step 2: start not inside an entry → ENOMEM before any side effect, though the rest of the range is mapped', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P);
    t.op(10, 'msync', B - 2 * P, 6 * P, 'SYNC'); const before = last(t);
    t.op(10, 'msync', B + 4 * P, 4 * P, 'SYNC'); const inHole = last(t);
    t.op(10, 'msync', B - 2 * P, 6 * P, 'INVALIDATE'); const beforeInval = last(t);
    const o = simulate(t.rows);
    expect([before, inHole, beforeInval].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'ENOMEM', 'ENOMEM']);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect(pages(o, 'g', 2)).toEqual([R | D, R | D]);
  });

  it('2.2 step 2: len 0 (start == end) syncs the whole entry containing start, and only it', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').map(0, S, 8 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(0, 'write', S + 5 * P, P, '', { task: 'b' });
    t.op(10, 'msync', B + 2 * P, 0, 'SYNC'); const whole = last(t);
    t.op(10, 'msync', B + 16 * P, 0, 'SYNC'); const unmapped = last(t);
    const o = simulate(t.rows);
    expect(resultOf(o, whole)).toBe('OK');
    // entry [B, B+4P) = pages 0..3 of the 8-page f (not the whole object): one cluster at a time
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, whole)).toBe(210);
    expect(pages(o, 'f', 8)).toEqual([R, 0, R, 0, 0, R | D, 0, 0]);
    expect(pages(o, 'g', 1)).toEqual([R | D]);
    expect(resultOf(o, unmapped)).toBe('ENOMEM');
  });

  it('2.2 step 3: INVALIDATE over a user-wired entry → EBUSY; nothing written or freed (also in earlier entries)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'write', B, 8 * P).op(0, 'wire', B + 4 * P, 4 * P, 'USER')
      .op(10, 'msync', B, 8 * P, 'INVALIDATE');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('EBUSY');
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect(pages(o, 'g', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect([0, 1, 2, 3].map((i) => objOf(o, 'g').wireCount(i))).toEqual([1, 1, 1, 1]);
  });

  it('2.2 step 3: only entries overlapping the range are validated (a user-wired neighbour outside it is fine)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'write', B, 8 * P).op(0, 'wire', B + 4 * P, 4 * P, 'USER')
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(pages(o, 'g', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('2.2 step 3: a user-wired entry without INVALIDATE is synced normally (no EBUSY), pages stay wired', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER')
      .op(10, 'msync', B, 4 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
    expect([0, 1, 2, 3].map((i) => objOf(o, 'f').wireCount(i))).toEqual([1, 1, 1, 1]);
  });

  it('2.2 step 3: a hole in the range → ENOMEM with no side effect; a range ending exactly where the hole starts is fine', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const across = last(t);
    t.op(10, 'msync', B, 5 * P, 'SYNC'); const intoHole = last(t);
    t.op(10, 'msync', B + 6 * P, 4 * P, 'SYNC'); const pastEnd = last(t);
    t.op(20, 'msync', B, 4 * P, 'SYNC'); const upToHole = last(t);
    const o = simulate(t.rows);
    expect([across, intoHole, pastEnd].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'ENOMEM', 'ENOMEM']);
    expect(resultOf(o, upToHole)).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 20, done: 120 }]);
    expect(pages(o, 'g', 2)).toEqual([R | D, R | D]);
  });

  it('2.2 step 3: the first offending entry in address order decides (user-wired before hole → EBUSY, hole before user-wired → ENOMEM)', () => {
    // f [B,B+2P) g [B+2P,B+4P) hole [B+4P,B+6P) h [B+6P,B+8P)
    const run = (wireAt: number) => {
      const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 6 * P, 2 * P, 'h')
        .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P)
        .op(0, 'wire', wireAt, 2 * P, 'USER')
        .op(10, 'msync', B, 8 * P, 'INVALIDATE');
      const o = simulate(t.rows);
      expect(o.writebacks).toEqual([]);
      return resultOf(o, last(t));
    };
    expect(run(B)).toBe('EBUSY'); // f user-wired, the hole comes later
    expect(run(B + 6 * P)).toBe('ENOMEM'); // the hole after g comes before user-wired h
    // within one entry: user-wired is checked before the hole after it
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 4 * P, 2 * P, 'g')
      .op(0, 'wire', B, 2 * P, 'USER').op(10, 'msync', B, 6 * P, 'INVALIDATE');
    expect(resultOf(simulate(t.rows), last(t))).toBe('EBUSY');
  });

  it('2.2 step 5: the work pass syncs each entry\'s object in address order', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'write', B + P, P).op(0, 'write', B + 6 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 1, pages: 1, submit: 10, done: 110 },
      { obj: 'g', first: 2, pages: 1, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, last(t))).toBe(210);
  });

  it('2.2 step 5: a sub-map entry is descended one level to the object behind it', () => {
    const t = new TraceBuilder().map(0, S, 4 * P, 'sobj', 0, '', 'shared')
      .map(0, B, 4 * P, 'shared', S, 'SUBMAP')
      .op(0, 'write', B + P, P)
      .op(10, 'msync', B, 4 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'sobj', first: 1, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'sobj', 2)).toEqual([0, R]);
  });

  it('2.2 step 5 (documented choice): a sub-map entry syncs only the sub-map entry at its offset (size clamped to it)', () => {
    const t = new TraceBuilder().map(0, S, 2 * P, 'x', 0, '', 'shared').map(0, S + 2 * P, 2 * P, 'y', 0, '', 'shared')
      .map(0, B, 4 * P, 'shared', S, 'SUBMAP')
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P)
      .op(10, 'msync', B, 4 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'x', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'y', 1)).toEqual([R | D]);
  });

  it('2.2 step 5 (documented choice): a hole in the sub-map at the entry offset syncs nothing', () => {
    const t = new TraceBuilder().map(0, S + 2 * P, 2 * P, 'x', 0, '', 'shared')
      .map(0, B, 4 * P, 'shared', S, 'SUBMAP')
      .op(0, 'write', B + 2 * P, P)
      .op(10, 'msync', B, 4 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'x', 1)).toEqual([R | D]);
  });

  it('2.2 step 5 (documented choice): a sub-map inside a sub-map is not descended', () => {
    const t = new TraceBuilder().map(0, S2, 2 * P, 'z', 0, '', 'inner')
      .map(0, S, 2 * P, 'inner', S2, 'SUBMAP', 'mid')
      .map(0, B, 2 * P, 'mid', S, 'SUBMAP')
      .op(0, 'write', S2, P, '', { task: 'inner' })
      .op(10, 'msync', B, 2 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'z', 1)).toEqual([R | D]);
  });

  it('2.2 steps 5-6: a failed object sync does not stop the loop; the call returns EIO (KERN_FAILURE)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'write', B, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const o = simulate(t.rows, ERR);
    expect(resultOf(o, last(t))).toBe('EIO');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'g', first: 0, pages: 1, submit: 110, done: 210 },
    ]);
    expect(o.writebacks.map((w) => w.ok)).toEqual([false, false]);
    expect(doneAt(o, last(t))).toBe(210);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
    expect(pages(o, 'g', 1)).toEqual([R | D]);
  });

  it('2.2 step 5: after sleeping the map is looked up again by address (an entry unmapped meanwhile is not synced)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'write', B, P).op(0, 'write', B + 4 * P, P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const ms = last(t);
    t.op(50, 'unmap', B + 4 * P, 4 * P); const um = last(t);
    const o = simulate(t.rows, { replay: 'open' });
    expect(resultOf(o, um)).toBe('OK');
    expect(doneAt(o, um)).toBe(50);
    expect(resultOf(o, ms)).toBe('OK');
    expect(doneAt(o, ms)).toBe(110);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'g', 1)).toEqual([R | D]); // dirty pages stay in the object after munmap
  });
});

describe('2.3 object level', () => {
  it('2.3 shadow chain: MAP_PRIVATE syncs the backing file object, never the private copies (not even with INVALIDATE)', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f', 0, 'PRIVATE').map(0, S, 4 * P, 'f', 0, '', 'b')
        .op(0, 'write', S, P, '', { task: 'b' })
        .op(0, 'write', B + P, P)
        .op(10, 'msync', B, 4 * P, flags);
      const o = simulate(t.rows);
      const shadow = o.sim.kernel.vm.maps.get('a')!.entries[0].shadow!;
      return { o, line: last(t), shadow };
    };
    const sync = run('SYNC');
    expect(resultOf(sync.o, sync.line)).toBe('OK');
    expect(ios(sync.o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(sync.o, 'f', 2)).toEqual([R, 0]); // the private write never reached f
    expect(sync.shadow.state(1)).toBe(R | D);
    const inval = run('INVALIDATE');
    expect(resultOf(inval.o, inval.line)).toBe('OK');
    expect(ios(inval.o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(inval.o, 'f', 2)).toEqual([0, 0]);
    expect(inval.shadow.state(1)).toBe(R | D); // anonymous pages are never invalidated
  });

  it('2.3 might-be-dirty: a range without dirty pages issues no I/O and does not sleep', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'read', B, 4 * P).op(10, 'msync', B, 4 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(10);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
  });

  it('2.3 whole object, SYNC without INVALIDATE: clusters all queued at once (flags 0), then VOP_FSYNC waits for them', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f')
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 210 },
      { obj: 'f', first: 4, pages: 1, submit: 10, done: 310 },
    ]);
    expect(doneAt(o, last(t))).toBe(310);
    expect(pages(o, 'f', 5)).toEqual([R, 0, R, 0, R]);
  });

  it('2.3 whole object: VOP_FSYNC sleeps on the writes in flight and is woken once, after the last write\'s page sleepers (bufdone: b_iodone, then bufobj_wdrop)', () => {
    const engine = new Engine();
    const obj = new VmObject(0, 'f', 'vnode', new PageCounters(), new WaitQueue(engine));
    const pager = new Pager(P, { writeback() {} });
    const submitted: Io[] = [];
    pager.device = { outstanding: 0, takeWindowPeak: () => 0, queue: undefined as never, submit: (io) => submitted.push(io), submitAll: (ios) => submitted.push(...ios), expedite: () => {}, stats: () => ({ utilization: 0, mean_queue_depth: 0, max_queue_depth: 0 }) };
    for (const i of [0, 2, 4]) {
      obj.dirty(i);
      pager.write(obj, i, 1, 'msync', false);
    }
    const woken: string[] = [];
    obj.wbDrain.add({ fire: () => woken.push('fsync') });
    obj.waitQueue.add({ fire: () => woken.push('page') });
    /** The device completes write `n` now. */
    const complete = (n: number, ok = true) => {
      const io = submitted[n]!;
      io.ok = ok;
      io.done = true;
      pager.complete(io);
    };
    complete(0);
    // one write done, two in flight: the page sleeper is woken, the drain sleeper is not (it would only find writes in flight)
    expect([obj.wbPages, engine.pending, obj.wbDrain.size]).toEqual([2, 1, 1]);
    engine.run();
    expect(woken).toEqual(['page']);
    complete(1);
    expect([obj.wbPages, engine.pending, obj.wbDrain.size]).toEqual([1, 0, 1]);
    obj.waitQueue.add({ fire: () => woken.push('page again') });
    complete(2);
    expect([obj.wbPages, engine.pending, obj.wbDrain.size]).toEqual([0, 2, 0]);
    engine.run();
    // the last completion wakes its page sleepers before the drain sleeper
    expect(woken).toEqual(['page', 'page again', 'fsync']);
    // a failed write ends too: the page is dirty again, and the drain sleeper is woken all the same
    obj.dirty(4);
    pager.write(obj, 4, 1, 'msync', false);
    obj.wbDrain.add({ fire: () => woken.push('fsync after error') });
    complete(3, false);
    engine.run();
    expect(woken).toEqual(['page', 'page again', 'fsync', 'fsync after error']);
    expect(obj.state(4) & D).toBe(D);
  });

  it('2.3 + 10 F1 whole object: the vnode lock is held across VOP_FSYNC — another task\'s msync of the file waits for it', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const ms = last(t);
    t.op(50, 'write', S + 6 * P, P, '', { task: 'b' }).op(50, 'msync', S + 6 * P, P, 'ASYNC', { task: 'b' });
    const bms = last(t);
    const o = simulate(t.rows);
    // vm_object_sync (F1): a holds the lock 10..210 (both clusters queued at 10, VOP_FSYNC waits for them);
    // b's ASYNC msync sleeps on the lock until 210, then queues page 6 (210..310) and returns
    expect(resultOf(o, bms)).toBe('OK');
    expect(doneAt(o, bms)).toBe(210);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 210 },
      { obj: 'f', first: 6, pages: 1, submit: 210, done: 310 },
    ]);
    expect(resultOf(o, ms)).toBe('OK');
    expect(doneAt(o, ms)).toBe(210);
  });

  it('2.3 partial range, SYNC: OBJPC_SYNC writes one cluster at a time and waits for each (IO_SYNC)', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f')
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 110, done: 210 },
      { obj: 'f', first: 4, pages: 1, submit: 210, done: 310 },
    ]);
    expect(doneAt(o, last(t))).toBe(310);
  });

  it('2.3 whole object with INVALIDATE: not the fsync path — OBJPC_SYNC|OBJPC_INVAL, one cluster at a time, then freed', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'read', B, 8 * P)
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'INVALIDATE');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 110, done: 210 },
      { obj: 'f', first: 4, pages: 1, submit: 210, done: 310 },
    ]);
    expect(doneAt(o, last(t))).toBe(310);
    expect(pages(o, 'f', 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(o.sim.kernel.vm.counters.resident).toBe(0);
  });

  it('2.3 MS_ASYNC: clusters queued without IO_SYNC, the call returns at once, pages are under writeback until done', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f')
      .op(0, 'write', B, P).op(0, 'write', B + 2 * P, P).op(0, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'ASYNC');
    const o = simulate(t.rows, { stats: { sample_us: 50 } });
    expect(resultOf(o, last(t))).toBe('OK');
    expect(doneAt(o, last(t))).toBe(10);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 210 },
      { obj: 'f', first: 4, pages: 1, submit: 10, done: 310 },
    ]);
    expect([50, 150, 250].map((u) => [sample(o, u).dirtyPages, sample(o, u).writebackPages])).toEqual([[0, 3], [0, 2], [0, 1]]);
    expect(pages(o, 'f', 5)).toEqual([R, 0, R, 0, R]);
  });

  it('2.3 busy page: the scan sleeps until it is unbusied and retries it (6: ASYNC waits only for that, SYNC also for its own write)', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
        .op(0, 'write', S, P, '', { task: 'b' }).op(0, 'msync', S, P, 'ASYNC', { task: 'b' })
        .op(5, 'write', B + P, P)
        .op(10, 'msync', B, 3 * P, flags);
      const o = simulate(t.rows);
      // page 0 is under writeback 0..100; page 1 is written after that, 100..200
      expect(ios(o)).toEqual([
        { obj: 'f', first: 0, pages: 1, submit: 0, done: 100 },
        { obj: 'f', first: 1, pages: 1, submit: 100, done: 200 },
      ]);
      expect(resultOf(o, last(t))).toBe('OK');
      expect(pages(o, 'f', 2)).toEqual([R, R]);
      return doneAt(o, last(t));
    };
    expect(run('ASYNC')).toBe(100);
    expect(run('SYNC')).toBe(200);
  });

  it('2.3 busy page: if the object generation changed while sleeping and OBJPC_SYNC, the scan restarts from the start', () => {
    const run = (flags: string) => {
      // page 1 is made resident first: a page-in would wait for the vnode lock the scan holds (section 10 F1)
      const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b').op(0, 'read', S + P, P, '', { task: 'b' })
        .op(0, 'write', S + 5 * P, P, '', { task: 'b' }).op(0, 'msync', S + 5 * P, P, 'ASYNC', { task: 'b' })
        .op(10, 'msync', B, 8 * P, flags);
      const ms = last(t);
      t.op(50, 'write', S + P, P, '', { task: 'b' }); // page 1, behind the scan, while it sleeps on page 5
      return { o: simulate(t.rows), ms };
    };
    const sync = run('SYNC');
    expect(resultOf(sync.o, sync.ms)).toBe('OK');
    expect(ios(sync.o)).toEqual([
      { obj: 'f', first: 5, pages: 1, submit: 0, done: 100 },
      { obj: 'f', first: 1, pages: 1, submit: 100, done: 200 },
    ]);
    expect(doneAt(sync.o, sync.ms)).toBe(200);
    expect(pages(sync.o, 'f', 2)).toEqual([0, R]);
    // without OBJPC_SYNC (MS_ASYNC) the scan goes on from page 5 and leaves page 1 dirty
    const async = run('ASYNC');
    expect(ios(async.o)).toEqual([{ obj: 'f', first: 5, pages: 1, submit: 0, done: 100 }]);
    expect(doneAt(async.o, async.ms)).toBe(100);
    expect(pages(async.o, 'f', 2)).toEqual([0, R | D]);
  });

  it('2.3 (FBSD14o vm_object_page_clean) a generation change during an OBJPC_SYNC cluster write also restarts the scan', () => {
    // page 1 is made resident first: a page-in would wait for the vnode lock the scan holds (section 10 F1)
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b').op(0, 'read', S + P, P, '', { task: 'b' })
      .op(0, 'write', B + 5 * P, P).op(0, 'write', B + 7 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const ms = last(t);
    t.op(50, 'write', S + P, P, '', { task: 'b' }); // while page 5 is being written
    const o = simulate(t.rows);
    expect(resultOf(o, ms)).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 5, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 1, pages: 1, submit: 110, done: 210 },
      { obj: 'f', first: 7, pages: 1, submit: 210, done: 310 },
    ]);
    expect(doneAt(o, ms)).toBe(310);
    expect(pages(o, 'f', 8)).toEqual([0, R, 0, 0, 0, R, 0, R]);
  });

  it('2.3 collect_flush: the cluster is not bounded by the msync range', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, 6 * P)
      .op(10, 'msync', B + 2 * P, P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 6, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 7)).toEqual([R, R, R, R, R, R, 0]);
  });

  it('2.3 collect_flush: following pages first, then preceding ones, up to vm_pageout_page_count (32)', () => {
    const t = new TraceBuilder().map(0, B, 64 * P, 'f').op(0, 'write', B, 40 * P)
      .op(10, 'msync', B + 20 * P, P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    // 20 + 19 following (21..39) = 20 pages, then 12 preceding (19..8) = 32
    expect(ios(o)).toEqual([{ obj: 'f', first: 8, pages: 32, submit: 10, done: 110 }]);
    const st = pages(o, 'f', 40);
    expect(st.slice(0, 8)).toEqual(Array(8).fill(R | D));
    expect(st.slice(8)).toEqual(Array(32).fill(R));
  });

  it('2.3 collect_flush: a long dirty run is written as consecutive clusters of at most pager.cluster_pages', () => {
    const run = (cfg: Record<string, unknown>) => {
      const t = new TraceBuilder().map(0, B, 64 * P, 'f').op(0, 'write', B, 40 * P).op(10, 'msync', B, 40 * P, 'SYNC');
      const o = simulate(t.rows, cfg);
      expect(resultOf(o, last(t))).toBe('OK');
      return ios(o);
    };
    expect(run({})).toEqual([
      { obj: 'f', first: 0, pages: 32, submit: 10, done: 110 },
      { obj: 'f', first: 32, pages: 8, submit: 110, done: 210 },
    ]);
    expect(run({ pager: { cluster_pages: 16 } })).toEqual([
      { obj: 'f', first: 0, pages: 16, submit: 10, done: 110 },
      { obj: 'f', first: 16, pages: 16, submit: 110, done: 210 },
      { obj: 'f', first: 32, pages: 8, submit: 210, done: 310 },
    ]);
  });

  it('2.3 collect_flush: a page under writeback (not busyable) or a clean page ends a cluster', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', S + 3 * P, P, '', { task: 'b' }).op(0, 'msync', S + 3 * P, P, 'ASYNC', { task: 'b' })
      .op(5, 'write', B + 2 * P, P).op(5, 'write', B + 4 * P, P)
      .op(10, 'msync', B, 8 * P, 'SYNC');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    // page 2: page 3 is busy (0..100) → cluster [2]; page 4: page 3 is clean by then, page 5 clean → [4]
    expect(ios(o)).toEqual([
      { obj: 'f', first: 3, pages: 1, submit: 0, done: 100 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 200 },
      { obj: 'f', first: 4, pages: 1, submit: 200, done: 300 },
    ]);
    expect(doneAt(o, last(t))).toBe(300);
  });

  it('2.3 pager error: pages stay dirty and the call returns EIO (IO_SYNC path and fsync path)', () => {
    const run = (mapPages: number) => {
      const t = new TraceBuilder().map(0, B, mapPages * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, mapPages === 8 ? 8 * P : P, 'SYNC');
      const o = simulate(t.rows, ERR);
      expect(resultOf(o, last(t))).toBe('EIO');
      expect(doneAt(o, last(t))).toBe(110);
      expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
      expect(o.writebacks[0].ok).toBe(false);
      expect(pages(o, 'f', 1)).toEqual([R | D]);
    };
    run(16); // partial range: OBJPC_SYNC
    run(8); // whole object: async writes + fsync
  });

  it('2.3 INVALIDATE: after the sync clean, clean, unwired, idle pages of the range are freed; pages outside stay', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'read', B, 8 * P).op(0, 'write', B + P, 2 * P)
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 1, pages: 2, submit: 10, done: 110 }]);
    expect(doneAt(o, last(t))).toBe(110);
    expect(pages(o, 'f', 8)).toEqual([0, 0, 0, 0, R, R, R, R]);
  });

  it('2.3 INVALIDATE: wired pages are cleaned but stay resident (a system wiring gives no EBUSY)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'wire', B, 2 * P, '').op(0, 'write', B, 4 * P)
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([R, R, 0, 0]);
    expect([0, 1, 2, 3].map((i) => objOf(o, 'f').wireCount(i))).toEqual([1, 1, 0, 0]);
  });

  it('2.3 INVALIDATE (OBJPR_CLEANONLY): a page still dirty after the clean (failed write) stays; clean ones are freed', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'read', B, 4 * P).op(0, 'write', B + P, P)
      .op(10, 'msync', B, 4 * P, 'INVALIDATE');
    const o = simulate(t.rows, ERR);
    expect(resultOf(o, last(t))).toBe('EIO');
    expect(pages(o, 'f', 4)).toEqual([0, R | D, 0, 0]);
  });

  it('2.3 + 10 F1 page_remove runs after VOP_UNLOCK: another msync of the file waiting for the lock writes only after it', () => {
    // Every I/O fails, so pages stay dirty without a new write (no generation change).
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b').map(0, S2, 8 * P, 'f', 0, '', 'c')
      .op(0, 'read', B, 4 * P).op(0, 'write', B + P, P).op(0, 'write', B + 3 * P, P);
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE'); const ms = last(t); // [1] 10..110 fails, [3] 110..210 fails
    t.op(150, 'msync', S + P, P, 'ASYNC', { task: 'b' }); const bms = last(t); // waits for a's vnode lock until 210
    t.op(250, 'read', S2, P, '', { task: 'c' }); // page 0, freed at 210, is read back in
    const o = simulate(t.rows, ERR);
    expect(resultOf(o, bms)).toBe('OK');
    expect(doneAt(o, bms)).toBe(210);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 1, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 3, pages: 1, submit: 110, done: 210 },
      { obj: 'f', first: 1, pages: 1, submit: 210, done: 310 },
    ]);
    // a unlocks at 210 and page_remove runs at once (before b's write): page 0 freed, dirty pages 1 and 3 kept
    expect(resultOf(o, ms)).toBe('EIO');
    expect(doneAt(o, ms)).toBe(210);
    expect(pages(o, 'f', 4)).toEqual([R, R | D, 0, R | D]);
  });

  it('2.3 vm_pageout_flush: a page under writeback is only shared-busy — a reader does not wait', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC');
    t.op(50, 'read', S, P, '', { task: 'b' }); const rd = last(t);
    const o = simulate(t.rows);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(resultOf(o, rd)).toBe('OK');
    expect(doneAt(o, rd)).toBe(50);
  });
});

describe('2.7 operation table (msync rows)', () => {
  it('2.7 msync MS_ASYNC: wrap → ASYNC+INVALIDATE → start mapped → hole (EINVAL, EINVAL, ENOMEM, ENOMEM); then pushed at call time, no wait', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER');
    t.op(10, 'msync', TOP - P, 2 * P, 'ASYNC'); const wrap = last(t); // also unmapped
    t.op(10, 'msync', B - P, 2 * P, 'ASYNC|INVALIDATE'); const inval = last(t); // also unmapped
    t.op(10, 'msync', B - P, 8 * P, 'ASYNC'); const unmapped = last(t); // also a hole
    t.op(10, 'msync', B, 8 * P, 'ASYNC'); const hole = last(t);
    t.op(10, 'msync', B, 4 * P, 'ASYNC'); const ok = last(t); // user-wired: no EBUSY without INVALIDATE
    const o = simulate(t.rows);
    expect([wrap, inval, unmapped, hole, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'ENOMEM', 'ENOMEM', 'OK']);
    expect(doneAt(o, ok)).toBe(10);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
  });

  it('2.7 msync 0 (= MS_SYNC): same checks (EINVAL, ENOMEM, ENOMEM); synchronous; EIO on pager error', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P);
    t.op(10, 'msync', TOP - P, 2 * P, ''); const wrap = last(t);
    t.op(10, 'msync', B - P, 2 * P, ''); const unmapped = last(t);
    t.op(10, 'msync', B, 8 * P, ''); const hole = last(t);
    t.op(10, 'msync', B, 4 * P, ''); const eio = last(t);
    const o = simulate(t.rows, ERR);
    expect([wrap, unmapped, hole, eio].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'ENOMEM', 'ENOMEM', 'EIO']);
    expect(doneAt(o, eio)).toBe(110);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('2.7 msync MS_INVALIDATE: wrap → start mapped → per entry user-wired → hole (EINVAL, ENOMEM, EBUSY, ENOMEM)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P).op(0, 'wire', B, 4 * P, 'USER');
    t.op(10, 'msync', TOP - P, 2 * P, 'INVALIDATE'); const wrap = last(t);
    t.op(10, 'msync', B - P, 8 * P, 'INVALIDATE'); const unmapped = last(t); // covers user-wired f too
    t.op(10, 'msync', B, 8 * P, 'INVALIDATE'); const busy = last(t); // user-wired f, then the hole
    t.op(10, 'msync', B + 6 * P, 4 * P, 'INVALIDATE'); const hole = last(t);
    t.op(10, 'msync', B + 6 * P, 2 * P, 'INVALIDATE'); const ok = last(t);
    const o = simulate(t.rows);
    expect([wrap, unmapped, busy, hole, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'ENOMEM', 'EBUSY', 'ENOMEM', 'OK']);
    expect(ios(o)).toEqual([{ obj: 'g', first: 0, pages: 2, submit: 10, done: 110 }]);
    expect(pages(o, 'g', 2)).toEqual([0, 0]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });
});

describe('6 page state machine (FreeBSD)', () => {
  it('6 write while W: the writer blocks until the writeback completes, then the page is dirty again', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').map(0, S, 16 * P, 'f', 0, '', 'b').map(0, S2, 16 * P, 'f', 0, '', 'c')
      .op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC');
    t.op(50, 'write', S, P, '', { task: 'b' }); const wW = last(t);
    t.op(60, 'write', S2 + P, P, '', { task: 'c' }); const wC = last(t);
    const o = simulate(t.rows, { stats: { sample_us: 50 } });
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(resultOf(o, wW)).toBe('OK');
    expect(doneAt(o, wW)).toBe(110);
    expect(doneAt(o, wC)).toBe(60); // a page not under writeback: no wait
    // at 50 the blocked store has not dirtied page 0 yet; at 100 only c's page 1 is dirty
    expect([sample(o, 50).dirtyPages, sample(o, 50).writebackPages]).toEqual([0, 1]);
    expect([sample(o, 100).dirtyPages, sample(o, 100).writebackPages]).toEqual([1, 1]);
    expect(pages(o, 'f', 2)).toEqual([R | D, R | D]);
  });

  it('6 munmap: dirty pages stay dirty in the object, nothing is written; a later msync of another mapping writes them', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, 2 * P);
    t.op(10, 'unmap', B, 8 * P); const um = last(t);
    t.op(20, 'msync', S, 8 * P, 'SYNC', { task: 'b' }); const ms = last(t);
    const o = simulate(t.rows);
    expect(resultOf(o, um)).toBe('OK');
    expect(o.sim.kernel.vm.maps.get('a')!.entries).toEqual([]);
    expect(resultOf(o, ms)).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 2, submit: 20, done: 120 }]);
    expect(pages(o, 'f', 2)).toEqual([R, R]);
  });
});

describe('8 FreeBSD discrepancies (msync)', () => {
  it('8: holes give KERN_INVALID_ADDRESS (ENOMEM, not EINVAL/EBUSY); sub-map entries are descended (OK), not refused', () => {
    const t = new TraceBuilder().map(0, S, 4 * P, 'sobj', 0, '', 'shared')
      .map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'shared', S, 'SUBMAP')
      .op(0, 'write', B, P).op(0, 'write', B + 8 * P, P);
    t.op(10, 'msync', B, 12 * P, 'SYNC'); const hole = last(t);
    t.op(10, 'msync', B, 12 * P, 'INVALIDATE'); const holeInval = last(t);
    t.op(10, 'msync', B + 8 * P, 4 * P, 'SYNC'); const sub = last(t);
    const o = simulate(t.rows);
    expect([hole, holeInval, sub].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'ENOMEM', 'OK']);
    expect(ios(o)).toEqual([{ obj: 'sobj', first: 0, pages: 1, submit: 10, done: 110 }]);
  });

  it('8: MS_SYNC|MS_ASYNC cannot be refused — the trace-format example runs with every row OK', () => {
    const rows = traceFormatExample();
    const o = simulate(rows);
    expect([3, 4, 5, 6, 7, 8].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK']);
    // whole 1024-page object: clusters [0,1] and [3] queued at 10, fsync waits until 210
    expect(ios(o)).toEqual([
      { obj: 'data.db', first: 0, pages: 2, submit: 10, done: 110 },
      { obj: 'data.db', first: 3, pages: 1, submit: 10, done: 210 },
    ]);
    expect(doneAt(o, 6)).toBe(210);
    // closed replay: the task runs 200 µs late from then on; nothing left to write at 220
    expect(opOf(o, 8).tIssueNs / 1000).toBe(220);
    expect(doneAt(o, 8)).toBe(220);
  });

  it('8: FreeBSD accepts an unaligned addr and len 0', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B + 3 * P, P).op(0, 'write', B + 9 * P, P);
    t.op(10, 'msync', B + 3 * P + 7, 10, 'SYNC'); const unaligned = last(t);
    t.op(10, 'msync', B + 9 * P, 0, 'SYNC'); const len0 = last(t);
    const o = simulate(t.rows);
    expect([resultOf(o, unaligned), resultOf(o, len0)]).toEqual(['OK', 'OK']);
    expect(ios(o).map((w) => w.first)).toEqual([3, 9]);
  });

  it('8: FreeBSD validates first — ENOMEM and EBUSY leave earlier entries unwritten and not invalidated', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'read', B, 4 * P).op(0, 'write', B, P).op(0, 'wire', B + 6 * P, 2 * P, 'USER');
    t.op(10, 'msync', B, 8 * P, 'INVALIDATE'); const hole = last(t); // hole after f comes before user-wired g
    t.map(20, B + 4 * P, 2 * P, 'h'); // fill the hole
    t.op(20, 'msync', B, 8 * P, 'INVALIDATE'); const busy = last(t);
    const o = simulate(t.rows);
    expect([resultOf(o, hole), resultOf(o, busy)]).toEqual(['ENOMEM', 'EBUSY']);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R, R, R]);
  });

  it('8: wired + MS_INVALIDATE gives EBUSY only for a user wiring; a system-wired range is synced', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'g')
      .op(0, 'write', B, P).op(0, 'write', B + 8 * P, P)
      .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B + 8 * P, 4 * P, 'SYSTEM');
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE'); const user = last(t);
    t.op(10, 'msync', B + 8 * P, 4 * P, 'INVALIDATE'); const system = last(t);
    const o = simulate(t.rows);
    expect([resultOf(o, user), resultOf(o, system)]).toEqual(['EBUSY', 'OK']);
    expect(ios(o)).toEqual([{ obj: 'g', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 1)).toEqual([R | D]);
    expect(pages(o, 'g', 1)).toEqual([R]);
  });

  it('8: MS_ASYNC pushes the pages to the device at the call, not later', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC');
    const o = simulate(t.rows, { stats: { sample_us: 50 } });
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect([sample(o, 50).dirtyPages, sample(o, 50).writebackPages, sample(o, 50).queueDepth]).toEqual([0, 1, 1]);
    expect(o.result.writeback.by_cause.msync).toBe(P);
  });
});
