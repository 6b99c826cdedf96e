/**
 * Linux personality (semantics.md 4.1 msync, 4.2 mlock/munlock, 4.3 dirty
 * tracking and writeback, 4.4 operation table, section 6 Linux transitions,
 * blocking rules and check order, section 7 RLIMIT_MEMLOCK default, section 8
 * Linux discrepancies), plus the choices documented in
 * sim/personality/linux.ts.
 *
 * Every expected value is derived by hand from the spec and the defaults:
 * page size 4096, device 1 channel, constant 100 µs per I/O, FIFO, cluster
 * 32 pages, CPU costs 0, RLIMIT_MEMLOCK 8 MiB = 2048 pages, closed replay
 * unless a test says otherwise. In closed replay a task's next row issues at
 * max(now, t_us + lag), lag being how late its previous row finished.
 *
 * Rows that cannot be triggered in the model (no test on purpose):
 * - 4.1 step 4 len rounding overflowing to 0 (len near 2^64 → "len 0" → 0):
 *   lengths are < 2^53 in the model.
 * - 4.1 vfs_fsync_range's filesystem part (->fsync, journal, metadata) and
 *   datasync=1: these tests run with `fs.kind: none` (page-cache data
 *   writeback only); the ext4 part is tested in fs.test.ts.
 * - 4.1 "old (≤2.6.16) code" PTE walk and whole-file fdatawrite: the modern
 *   code is modelled.
 * - 4.1 untagged_addr: no tagged pointers.
 * - 4.2 CAP_IPC_LOCK: the process is unprivileged (RLIMIT_MEMLOCK always
 *   applies, limit 0 is EPERM).
 * - 4.2 __mm_populate errors (EFAULT → ENOMEM, ENOMEM → EAGAIN) and
 *   mmap_write_lock_killable (EINTR): nothing is killed and faults never fail
 *   here (no page-in reads on the `queue` device); a failed read while
 *   populating (EFAULT → ENOMEM) is tested in test/wire-pagein.test.ts, and
 *   what becomes of the range's pages afterwards in
 *   test/linux-mlock-pending.test.ts.
 * - 4.2 VM_SPECIAL / hugetlb / gate VMAs that mlock_fixup skips, and
 *   MLOCK_ONFAULT: not in the trace format.
 * - 4.2 "locked pages live on the unevictable LRU": there is one LRU; that
 *   the pageout daemon never evicts them (wired) and evicts them again after
 *   munlock is tested under memory pressure.
 * - 4.2 / 7 "64 KiB before Linux 5.16": the modern default is modelled; the
 *   limit is a configuration key (tested with other values).
 * - 4.3 page_mkwrite / folio_mkclean / PTE dirty bits: the model has no PTEs
 *   (a store sets the page dirty directly).
 * - 4.3 MIN_WRITEBACK_PAGES chunking, the adaptive nr_dirtied_pause,
 *   dirtytime_expire_seconds and "dirtyable memory": the shared flusher
 *   (sim/pager/writeback.ts, writeback.policy `flusher`) writes an object's
 *   dirty pages whole, checks every 32 dirtied pages, has no lazytime, and
 *   takes memory.pages as dirtyable memory. The flusher rows it does model
 *   (kupdate expiry per inode, background writeback and throttling) are the
 *   same for every personality and tested in test/writeback.test.ts; here
 *   they are run once on linux, with the Linux-only WBD interplay.
 * - 6 "I/O error: Linux stays clean but mapping error recorded": the shared
 *   pager leaves failed pages dirty for every personality; the documented
 *   choice (EIO from msync, pages dirty again) is tested instead.
 * - 6 "after optional stable-page wait" on write while W: no stable pages.
 * - 6 and 4.1: pairs of checks with the same code (steps 1, 2 and 3 are all
 *   EINVAL) cannot be told apart by their result; every pair with different
 *   codes or effects is tested.
 * - 4.1 step 4 and 4.2 overflow: the trace reader refuses addr+len >= 2^53,
 *   so only rows built in code reach these checks; they are tested with such
 *   rows.
 */
import { describe, it, expect } from 'vitest';
import { TraceBuilder, simulate, resultOf, type SimOutput, objOf, opOf, doneAt, ios, EXAMPLE_BASE, traceFormatExample } from './helpers.ts';
import { Page } from '../sim/vm/object.ts';
import type { TraceRow } from '../traces/types.ts';

const P = 4096;
/** Base address of task a's mappings. */
const B = 0x100000;
/** Base addresses of other tasks' mappings of the same objects. */
const S = 0x4000000;
const S2 = 0x8000000;
const TOP = 2 ** 53;
const R = Page.RESIDENT, D = Page.DIRTY;
/** RLIMIT_MEMLOCK default (8 MiB) in pages. */
const LIMIT = (8 << 20) / P;

/** Runs `rows` on the linux personality with config overrides. */
const lx = (rows: TraceRow[], cfg: Record<string, unknown> = {}) => simulate(rows, { personality: 'linux', ...cfg });
/** State bits of pages 0..n-1 of an object. */
const pages = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).state(i));
/** Wire counts of pages 0..n-1 of an object. */
const wires = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).wireCount(i));
/** A task's map entries, in pages relative to `base`. */
function entries(o: SimOutput, task = 'a', base = B) {
  return o.sim.kernel.vm.maps.get(task)!.entries.map((e) => ({ start: (e.start - base) / P, end: (e.end - base) / P, locked: e.userWired }));
}
/** How long (µs) the op on `line` took. */
const took = (o: SimOutput, line: number) => (opOf(o, line).tDoneNs - opOf(o, line).tIssueNs) / 1000;
/** Line of the row most recently added. */
const last = (t: TraceBuilder) => t.rows[t.rows.length - 1].line;
const sample = (o: SimOutput, us: number) => {
  const s = o.timeline.find((x) => x.tNs === us * 1000);
  if (!s) throw new Error(`no timeline sample at ${us} µs`);
  return s;
};
const userWired = (o: SimOutput) => o.sim.kernel.vm.userWiredPages;
const ERR = { device: { error_rate: 1 } };

describe('4.1 msync argument checks', () => {
  it('4.1 step 1: a flag bit other than ASYNC|INVALIDATE|SYNC → EINVAL, before the wrap, len-0, hole and VM_LOCKED checks; no side effect', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER|NOHOLES');
    t.op(10, 'msync', B, 4 * P, 'SYNC|CONTIGUOUS'); const contig = last(t);
    t.op(10, 'msync', B, 4 * P, 'KILLPAGES'); const kill = last(t);
    t.op(10, 'msync', B, 4 * P, 'DEACTIVATE'); const deact = last(t);
    t.op(10, 'msync', TOP - P, 2 * P, 'SYNC|CONTIGUOUS'); const wrap = last(t); // else ENOMEM
    t.op(10, 'msync', B, 0, 'ASYNC|CONTIGUOUS'); const len0 = last(t); // else OK
    t.op(10, 'msync', B - 2 * P, 8 * P, 'ASYNC|KILLPAGES'); const hole = last(t); // else ENOMEM
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE|DEACTIVATE'); const locked = last(t); // else EBUSY
    const o = lx(t.rows);
    expect([contig, kill, deact, wrap, len0, hole, locked].map((l) => resultOf(o, l))).toEqual(Array(7).fill('EINVAL'));
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('4.1 step 2: an unaligned start → EINVAL (not rounded down), before the wrap, len-0 and VM_LOCKED checks', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER');
    t.op(10, 'msync', B + 100, P, 'SYNC'); const unaligned = last(t);
    t.op(10, 'msync', TOP - P + 1, 2 * P, 'SYNC'); const wrap = last(t); // else ENOMEM
    t.op(10, 'msync', B + 100, 0, 'SYNC'); const len0 = last(t); // else OK
    t.op(10, 'msync', B + 1, 4 * P, 'INVALIDATE'); const locked = last(t); // else EBUSY
    const o = lx(t.rows);
    expect([unaligned, wrap, len0, locked].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL']);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('4.1 step 3: MS_ASYNC|MS_SYNC → EINVAL, before the wrap, len-0 and VM_LOCKED checks; no side effect', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER');
    t.op(10, 'msync', B, 4 * P, 'SYNC|ASYNC'); const both = last(t);
    t.op(10, 'msync', TOP - P, 2 * P, 'SYNC|ASYNC'); const wrap = last(t); // else ENOMEM
    t.op(10, 'msync', B, 0, 'SYNC|ASYNC'); const len0 = last(t); // else OK
    t.op(10, 'msync', B, 4 * P, 'SYNC|ASYNC|INVALIDATE'); const locked = last(t); // else EBUSY
    const o = lx(t.rows);
    expect([both, wrap, len0, locked].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL']);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('4.1 step 4: start + len wrapping → ENOMEM before the walk (no work, no EBUSY); ending exactly at the top is not a wrap', () => {
    const G = TOP - 4 * P;
    const t = new TraceBuilder().map(0, G, 2 * P, 'g').op(0, 'write', G, 2 * P).op(0, 'wire', G, 2 * P, 'USER');
    t.op(10, 'msync', G, 5 * P, 'SYNC'); const wrap = last(t); // a hole would have written g first
    t.op(10, 'msync', G, 5 * P, 'INVALIDATE'); const wrapLocked = last(t); // else EBUSY
    t.op(10, 'msync', G, 4 * P, 'SYNC'); const toTop = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, wrap), resultOf(o, wrapLocked)]).toEqual(['ENOMEM', 'ENOMEM']);
    expect([doneAt(o, wrap), doneAt(o, wrapLocked)]).toEqual([10, 10]);
    // [G, TOP): g is written, then no VMA after it → ENOMEM after the work
    expect(resultOf(o, toTop)).toBe('ENOMEM');
    expect(ios(o)).toEqual([{ obj: 'g', first: 0, pages: 2, submit: 10, done: 110 }]);
    expect(doneAt(o, toTop)).toBe(110);
  });

  it('4.1 step 4: len is rounded up to whole pages', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, 3 * P)
      .op(10, 'msync', B, P + 1, 'SYNC');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 2, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 3)).toEqual([R, R, R | D]);
  });

  it('4.1 step 5: len 0 → OK at once: no VMA lookup, no EBUSY, no writeback (not the whole entry as on FreeBSD)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER');
    t.op(10, 'msync', B, 0, 'SYNC'); const mapped = last(t);
    t.op(10, 'msync', B + 8 * P, 0, 'SYNC'); const unmapped = last(t); // else ENOMEM
    t.op(10, 'msync', B, 0, 'SYNC|INVALIDATE'); const locked = last(t); // else EBUSY
    const o = lx(t.rows);
    expect([mapped, unmapped, locked].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK']);
    expect([mapped, unmapped, locked].map((l) => doneAt(o, l))).toEqual([10, 10, 10]);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });
});

describe('4.1 msync VMA walk', () => {
  it('4.1 step 6: no VMA at or after start → ENOMEM, also after earlier VMAs were written', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P);
    t.op(10, 'msync', B + 8 * P, P, 'SYNC'); const none = last(t);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const after = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, none), resultOf(o, after)]).toEqual(['ENOMEM', 'ENOMEM']);
    expect(doneAt(o, none)).toBe(10);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(doneAt(o, after)).toBe(110);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
  });

  it('4.1 step 6: a hole is ENOMEM at once when flags == MS_ASYNC exactly, and only remembered otherwise', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P).op(0, 'wire', B + 6 * P, 2 * P, 'USER');
    t.op(10, 'msync', B + 4 * P, 4 * P, 'ASYNC'); const async = last(t);
    t.op(10, 'msync', B + 4 * P, 4 * P, 'ASYNC|INVALIDATE'); const asyncInval = last(t);
    t.op(10, 'msync', B + 4 * P, 4 * P, 'INVALIDATE'); const inval = last(t);
    t.op(10, 'msync', B + 4 * P, 4 * P, ''); const none = last(t);
    t.op(10, 'msync', B, 8 * P, 'ASYNC'); const asyncMid = last(t);
    const o = lx(t.rows);
    // the hole comes first; the locked VMA g decides only when the hole was just remembered
    expect([async, asyncInval, inval, none, asyncMid].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'EBUSY', 'EBUSY', 'ENOMEM', 'ENOMEM']);
    expect(o.writebacks).toEqual([]);
  });

  it('4.1 step 6: with a remembered hole the mapped parts are still synced, then ENOMEM', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P)
      .op(10, 'msync', B - 2 * P, 10 * P, 'SYNC');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    // one VMA at a time: f's range is written and waited for, then g's
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 4, submit: 10, done: 110 },
      { obj: 'g', first: 0, pages: 2, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, last(t))).toBe(210);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
    expect(pages(o, 'g', 2)).toEqual([R, R]);
  });

  it('4.1 step 6: a range ending in a hole (next VMA start ≥ end) → ENOMEM; a locked VMA past the end is not looked at', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'g')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 8 * P, 4 * P).op(0, 'wire', B + 8 * P, 4 * P, 'USER')
      .op(10, 'msync', B, 6 * P, 'SYNC|INVALIDATE');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'g', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('4.1 step 6: MS_INVALIDATE on a VM_LOCKED VMA → EBUSY at once, after earlier VMAs were synced, winning over a remembered hole', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').map(0, B + 8 * P, 2 * P, 'h')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 4 * P).op(0, 'wire', B + 6 * P, 2 * P, 'USER')
      .op(10, 'msync', B - 2 * P, 12 * P, 'SYNC|INVALIDATE');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('EBUSY');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(doneAt(o, last(t))).toBe(110);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
    expect(pages(o, 'g', 2)).toEqual([R | D, R | D]);
    expect(pages(o, 'h', 2)).toEqual([R | D, R | D]);
  });

  it('4.1 step 6: EBUSY is per VMA: after mlock split an entry, only the locked part refuses MS_INVALIDATE', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, 8 * P).op(0, 'wire', B + 4 * P, 4 * P, 'USER');
    t.op(10, 'msync', B, 4 * P, 'SYNC|INVALIDATE'); const unlocked = last(t);
    t.op(10, 'msync', B + 2 * P, 4 * P, 'INVALIDATE'); const straddle = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, unlocked), resultOf(o, straddle)]).toEqual(['OK', 'EBUSY']);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
  });

  it('4.1 step 6: an fsync error is returned at once — later VMAs are not synced, and EIO wins over a remembered hole', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'write', B, 8 * P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const eio = last(t);
    t.op(20, 'msync', B - P, 9 * P, 'SYNC'); const eioHole = last(t);
    const o = lx(t.rows, ERR);
    expect([resultOf(o, eio), resultOf(o, eioHole)]).toEqual(['EIO', 'EIO']);
    // the second issues at 20 + lag 100 = 120; f's pages are dirty again and rewritten
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 4, submit: 10, done: 110 },
      { obj: 'f', first: 0, pages: 4, submit: 120, done: 220 },
    ]);
    expect([doneAt(o, eio), doneAt(o, eioHole)]).toEqual([110, 220]);
    expect(pages(o, 'g', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('4.1 step 6: MS_ASYNC, MS_INVALIDATE alone, flags 0 and a PRIVATE (not VM_SHARED) VMA with MS_SYNC write nothing', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'f', 0, 'PRIVATE')
      .op(0, 'write', B, P).op(0, 'write', B + 9 * P, P);
    t.op(10, 'msync', B, 4 * P, 'ASYNC'); const async = last(t);
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE'); const inval = last(t);
    t.op(10, 'msync', B, 4 * P, ''); const none = last(t);
    t.op(10, 'msync', B + 8 * P, 4 * P, 'SYNC'); const priv = last(t); // f's page 0 is dirty, but not through this VMA
    const o = lx(t.rows);
    expect([async, inval, none, priv].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK', 'OK']);
    expect([async, inval, none, priv].map((l) => doneAt(o, l))).toEqual([10, 10, 10, 10]);
    expect(o.writebacks).toEqual([]);
    expect(pages(o, 'f', 2)).toEqual([R | D, 0]);
  });

  it('4.1 step 6: MS_SYNC is an fdatasync of the file range — it writes pages dirtied through any mapping, only inside the range', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P).op(0, 'write', S + 2 * P, P, '', { task: 'b' }).op(0, 'write', S + 5 * P, P, '', { task: 'b' })
      .op(10, 'msync', B, 4 * P, 'SYNC');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    // pages 0 and 2: two runs, both queued at once, then waited for
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 2, pages: 1, submit: 10, done: 210 },
    ]);
    expect(doneAt(o, last(t))).toBe(210);
    expect(o.syncs[0].pagesWritten).toBe(2);
    expect(pages(o, 'f', 6)).toEqual([R, 0, R, 0, 0, R | D]);
  });

  it('4.1 step 6: MS_SYNC waits for writeback already in flight in the range, even with nothing left to write', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(0, 'write', S, P, '', { task: 'b' }).op(10, 'msync', S, P, 'SYNC', { task: 'b' });
    t.op(20, 'msync', B, 4 * P, 'SYNC'); const ms = last(t);
    const o = lx(t.rows);
    expect(resultOf(o, ms)).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(doneAt(o, ms)).toBe(110);
    expect(o.syncs.find((s) => s.task === 'a')!.pagesWritten).toBe(0);
  });

  it('4.1 step 6: the walk goes on from the old VMA end after the writeback slept (open replay: an unmap meanwhile → ENOMEM)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').op(0, 'write', B, 8 * P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const ms = last(t);
    t.op(50, 'unmap', B + 4 * P, 4 * P); const um = last(t);
    const o = lx(t.rows, { replay: 'open' });
    expect(doneAt(o, um)).toBe(50);
    expect(resultOf(o, ms)).toBe('ENOMEM');
    expect(doneAt(o, ms)).toBe(110);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'g', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('4.1 step 7: the result is the error, else ENOMEM for a hole, else OK', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g');
    t.op(10, 'msync', B, 4 * P, 'SYNC'); const ok = last(t);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const hole = last(t);
    t.op(10, 'msync', B + 6 * P, 2 * P, 'INVALIDATE'); const clean = last(t);
    const o = lx(t.rows);
    expect([ok, hole, clean].map((l) => resultOf(o, l))).toEqual(['OK', 'ENOMEM', 'OK']);
    expect(o.result.sync).toMatchObject({ count: 3, ok: 2, errors: { ENOMEM: 1 } });
  });
});

describe('4.1 / 4.3 MS_SYNC writeback (WB_SYNC_ALL)', () => {
  it('4.1 MS_SYNC runs: contiguous dirty pages, at most pager.cluster_pages per I/O, every I/O queued at once', () => {
    const t = new TraceBuilder().map(0, B, 64 * P, 'f').op(0, 'write', B, 40 * P).op(0, 'write', B + 41 * P, 2 * P)
      .op(10, 'msync', B, 64 * P, 'SYNC');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 32, submit: 10, done: 110 },
      { obj: 'f', first: 32, pages: 8, submit: 10, done: 210 },
      { obj: 'f', first: 41, pages: 2, submit: 10, done: 310 },
    ]);
    expect(doneAt(o, last(t))).toBe(310);
    expect(o.syncs[0].pagesWritten).toBe(42);
  });

  it('4.1 MS_SYNC runs: pager.cluster_pages sets the run size', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, 10 * P)
      .op(10, 'msync', B, 16 * P, 'SYNC');
    const o = lx(t.rows, { pager: { cluster_pages: 4 } });
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 4, submit: 10, done: 110 },
      { obj: 'f', first: 4, pages: 4, submit: 10, done: 210 },
      { obj: 'f', first: 8, pages: 2, submit: 10, done: 310 },
    ]);
  });

  it('4.1 MS_SYNC runs never reach outside the synced range (forward only, unlike a FreeBSD cluster)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'write', B, 8 * P)
      .op(10, 'msync', B + 2 * P, 2 * P, 'SYNC');
    const o = lx(t.rows);
    expect(ios(o)).toEqual([{ obj: 'f', first: 2, pages: 2, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 8)).toEqual([R | D, R | D, R, R, R | D, R | D, R | D, R | D]);
  });

  it('4.3 WB_SYNC_ALL waits for existing writeback before rewriting: a WBD page is waited for, then written again', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b').map(0, S2, 4 * P, 'f', 0, '', 'c')
      .op(0, 'write', S, P, '', { task: 'b' }).op(10, 'msync', S, P, 'SYNC', { task: 'b' });
    t.op(50, 'write', S2, P, '', { task: 'c' }); const w = last(t);
    t.op(60, 'msync', B, P, 'SYNC'); const ms = last(t);
    const o = lx(t.rows, { stats: { sample_us: 50 } });
    expect(doneAt(o, w)).toBe(50);
    expect(resultOf(o, ms)).toBe('OK');
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 0, pages: 1, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, ms)).toBe(210);
    expect([sample(o, 100).dirtyPages, sample(o, 100).writebackPages]).toEqual([1, 1]);
    expect([sample(o, 150).dirtyPages, sample(o, 150).writebackPages]).toEqual([0, 1]);
    expect(pages(o, 'f', 1)).toEqual([R]);
  });

  it('4.3 WB_SYNC_ALL writes the pages tagged when it started: a page dirtied while it sleeps is left dirty and not waited for', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b').map(0, S2, 4 * P, 'f', 0, '', 'c')
      .op(0, 'write', S, P, '', { task: 'b' }).op(10, 'msync', S, P, 'SYNC', { task: 'b' })
      .op(50, 'write', S2, P, '', { task: 'c' });
    t.op(60, 'msync', B, 4 * P, 'SYNC'); const ms = last(t);
    t.op(70, 'write', S2 + 2 * P, P, '', { task: 'c' });
    const o = lx(t.rows);
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 0, pages: 1, submit: 110, done: 210 },
    ]);
    expect(doneAt(o, ms)).toBe(210);
    expect(pages(o, 'f', 3)).toEqual([R, 0, R | D]);
  });

  it('4.3 a tagged page that someone else wrote meanwhile is skipped ("someone wrote it for us")', () => {
    // a's msync sleeps on WBD page 0; b's second msync writes page 1 (tagged by a) before a gets to it
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b').map(0, S2, 4 * P, 'f', 0, '', 'c')
      .op(0, 'write', S, P, '', { task: 'b' }).op(10, 'msync', S, P, 'SYNC', { task: 'b' })
      .op(50, 'write', S2, 2 * P, '', { task: 'c' });
    t.op(60, 'msync', B, 4 * P, 'SYNC'); const ms = last(t);
    t.op(70, 'msync', S2 + P, P, 'SYNC', { task: 'c' });
    const o = lx(t.rows);
    // c's msync (issued at 70) writes page 1 at once; a wakes at 110, writes page 0 only, then waits for page 1's I/O too
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 1, pages: 1, submit: 70, done: 210 },
      { obj: 'f', first: 0, pages: 1, submit: 110, done: 310 },
    ]);
    expect(doneAt(o, ms)).toBe(310);
    expect(o.syncs.find((s) => s.task === 'a')!.pagesWritten).toBe(1);
    expect(pages(o, 'f', 2)).toEqual([R, R]);
  });
});

/** Runs the rows of `t` up to and including `line`. */
const upTo = (t: TraceBuilder, line: number, cfg: Record<string, unknown> = {}) => lx(t.rows.filter((r) => r.line <= line), cfg);

describe('4.2 mlock / munlock', () => {
  it('4.2 can_do_mlock: RLIMIT_MEMLOCK 0 → EPERM for mlock, before the overflow and len-0 checks; munlock is not affected', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER|NOHOLES'); const mlock = last(t);
    t.op(0, 'wire', TOP - P, 2 * P, 'USER'); const wrap = last(t); // else EINVAL
    t.op(0, 'wire', B, 0, 'USER'); const len0 = last(t); // else OK
    t.op(0, 'unwire', B, 4 * P, 'USER|NOHOLES'); const munlock = last(t);
    const o = lx(t.rows, { memory: { memlock_limit_bytes: 0 } });
    expect([mlock, wrap, len0, munlock].map((l) => resultOf(o, l))).toEqual(['EPERM', 'EPERM', 'EPERM', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, locked: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('4.2 can_do_mlock looks at the limit in bytes: a limit under one page is not EPERM but makes every mlock ENOMEM', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, P, 'USER'); const one = last(t);
    t.op(0, 'wire', B, 0, 'USER'); const len0 = last(t);
    const o = lx(t.rows, { memory: { memlock_limit_bytes: P - 1 } });
    expect([resultOf(o, one), resultOf(o, len0)]).toEqual(['ENOMEM', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, locked: false }]);
  });

  it('4.2 range: start rounded down, len + offset rounded up (an unaligned len 0 locks its page); aligned len 0 → OK, no effect even unmapped', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f');
    t.op(0, 'wire', B + 100, 0, 'USER'); const unalignedLen0 = last(t);
    t.op(0, 'wire', B + 2 * P + 100, P, 'USER'); const spans2 = last(t);
    t.op(0, 'wire', B + 16 * P, 0, 'USER'); const len0 = last(t);
    t.op(0, 'unwire', B + 16 * P, 0, 'USER'); const unlen0 = last(t);
    const o = lx(t.rows);
    expect([unalignedLen0, spans2, len0, unlen0].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK', 'OK']);
    expect(entries(o)).toEqual([
      { start: 0, end: 1, locked: true }, { start: 1, end: 2, locked: false },
      { start: 2, end: 4, locked: true }, { start: 4, end: 8, locked: false },
    ]);
    expect(wires(o, 'f', 8)).toEqual([1, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('4.2 overflow → EINVAL for mlock (before RLIMIT_MEMLOCK) and munlock, with no effect; ending exactly at the top is fine', () => {
    const G = TOP - 4 * P;
    const t = new TraceBuilder().map(0, G, 4 * P, 'g');
    t.op(0, 'wire', G, 8 * P, 'USER'); const wrap = last(t);
    t.op(0, 'wire', G + 3 * P, (LIMIT + 10) * P, 'USER'); const wrapHuge = last(t); // else ENOMEM (limit)
    t.op(0, 'msync', G, 4 * P, 'INVALIDATE'); const notLocked = last(t);
    t.op(0, 'wire', G, 4 * P, 'USER'); const ok = last(t);
    t.op(0, 'unwire', G, 8 * P, 'USER'); const unwrap = last(t);
    t.op(0, 'msync', G, 4 * P, 'INVALIDATE'); const stillLocked = last(t);
    const o = lx(t.rows);
    expect([wrap, wrapHuge, notLocked, ok, unwrap, stillLocked].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'OK', 'OK', 'EINVAL', 'EBUSY']);
    expect(wires(o, 'g', 4)).toEqual([1, 1, 1, 1]);
  });

  it('4.2 / 7 RLIMIT_MEMLOCK (default 8 MiB = 2048 pages): locked_vm + range − pages of the range already locked must not exceed it', () => {
    const t = new TraceBuilder().map(0, B, 4096 * P, 'f');
    t.op(0, 'wire', B, LIMIT * P, 'USER'); const full = last(t);
    t.op(0, 'wire', B + LIMIT * P, P, 'USER'); const over = last(t);
    t.op(0, 'wire', B, LIMIT * P, 'USER'); const again = last(t); // all 2048 already locked
    t.op(0, 'wire', B + P, LIMIT * P, 'USER'); const shifted = last(t); // 2048 + 2048 − 2047
    t.op(0, 'unwire', B, P, 'USER'); const freed = last(t);
    t.op(0, 'wire', B + LIMIT * P, P, 'USER'); const refill = last(t);
    const o = lx(t.rows);
    expect([full, over, again, shifted, freed, refill].map((l) => resultOf(o, l))).toEqual(['OK', 'ENOMEM', 'OK', 'ENOMEM', 'OK', 'OK']);
    expect(entries(o)).toEqual([
      { start: 0, end: 1, locked: false }, { start: 1, end: LIMIT + 1, locked: true }, { start: LIMIT + 1, end: 4096, locked: false },
    ]);
    expect(userWired(o)).toBe(LIMIT);
  });

  it('4.2 RLIMIT_MEMLOCK counts each process\'s own locked_vm', () => {
    const t = new TraceBuilder().map(0, B, 4096 * P, 'f').map(0, S, 4096 * P, 'f', 0, '', 'b')
      .op(0, 'wire', B + P, LIMIT * P, 'USER');
    t.op(0, 'wire', S, LIMIT * P, 'USER', { task: 'b' }); const b = last(t);
    const o = lx(t.rows);
    expect(resultOf(o, b)).toBe('OK');
    // page 0: b only; 1..2047: both; 2048: a only
    const w = objOf(o, 'f');
    expect([0, 1, LIMIT - 1, LIMIT, LIMIT + 1].map((i) => w.wireCount(i))).toEqual([1, 2, 2, 1, 0]);
    expect(userWired(o)).toBe(2 * LIMIT);
  });

  it('4.2 RLIMIT_MEMLOCK is checked before the VMA walk: over the limit nothing is locked; under it a gap still locks the first VMA', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f');
    t.op(0, 'wire', B, (LIMIT + 1) * P, 'USER'); const limit = last(t);
    t.op(0, 'msync', B, 2 * P, 'INVALIDATE'); const notLocked = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER'); const gap = last(t);
    t.op(0, 'msync', B, 2 * P, 'INVALIDATE'); const locked = last(t);
    const o = lx(t.rows);
    expect([limit, notLocked, gap, locked].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'OK', 'ENOMEM', 'EBUSY']);
    expect(wires(o, 'f', 2)).toEqual([1, 1]);
  });

  it('4.2 apply_vma_lock_flags: no VMA containing start → ENOMEM, nothing locked', () => {
    const t = new TraceBuilder().map(0, B + 2 * P, 4 * P, 'f').op(0, 'wire', B, 6 * P, 'USER');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(entries(o)).toEqual([{ start: 2, end: 6, locked: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('4.2 apply_vma_lock_flags: a gap, or the range running past the last VMA → ENOMEM without rollback (earlier VMAs stay locked)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g');
    t.op(0, 'wire', B, 8 * P, 'USER|NOHOLES'); const gap = last(t);
    const mid = upTo(t, gap);
    expect(resultOf(mid, gap)).toBe('ENOMEM');
    expect(entries(mid)).toEqual([{ start: 0, end: 4, locked: true }, { start: 6, end: 8, locked: false }]);
    t.op(0, 'wire', B + 6 * P, 4 * P, 'USER|NOHOLES'); const past = last(t);
    const o = lx(t.rows);
    expect(resultOf(o, past)).toBe('ENOMEM');
    expect(entries(o)).toEqual([{ start: 0, end: 4, locked: true }, { start: 6, end: 8, locked: true }]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(wires(o, 'g', 2)).toEqual([1, 1]);
    expect(userWired(o)).toBe(6);
  });

  it('4.2 VM_LOCKED is a flag per VMA: mlock is idempotent, one munlock undoes any number of mlocks', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f')
      .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER');
    t.op(0, 'wire', B, 4 * P, 'USER'); const third = last(t);
    const mid = upTo(t, third);
    expect(wires(mid, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(userWired(mid)).toBe(4);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const un = last(t);
    t.op(0, 'msync', B, 4 * P, 'INVALIDATE'); const inval = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, un), resultOf(o, inval)]).toEqual(['OK', 'OK']);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(entries(o)).toEqual([{ start: 0, end: 4, locked: false }]);
    expect(userWired(o)).toBe(0);
  });

  it('4.2 mlock_fixup: a VMA is split at the range ends, pieces merge back with equal neighbours, nothing splits when nothing changes', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f');
    t.op(0, 'wire', B + 2 * P, 2 * P, 'USER'); const l1 = last(t);
    t.op(0, 'wire', B + 4 * P, 2 * P, 'USER'); const l2 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u1 = last(t);
    t.op(0, 'unwire', B, 8 * P, 'USER'); const u2 = last(t);
    t.op(0, 'unwire', B + P, 2 * P, 'USER'); const u3 = last(t);
    t.op(0, 'wire', B, 8 * P, 'USER'); const l3 = last(t);
    t.op(0, 'wire', B + 2 * P, 2 * P, 'USER'); const l4 = last(t);
    expect(entries(upTo(t, l1))).toEqual([{ start: 0, end: 2, locked: false }, { start: 2, end: 4, locked: true }, { start: 4, end: 8, locked: false }]);
    expect(entries(upTo(t, l2))).toEqual([{ start: 0, end: 2, locked: false }, { start: 2, end: 6, locked: true }, { start: 6, end: 8, locked: false }]);
    expect(entries(upTo(t, u1))).toEqual([{ start: 0, end: 4, locked: false }, { start: 4, end: 6, locked: true }, { start: 6, end: 8, locked: false }]);
    expect(entries(upTo(t, u2))).toEqual([{ start: 0, end: 8, locked: false }]);
    expect(entries(upTo(t, u3))).toEqual([{ start: 0, end: 8, locked: false }]);
    expect(entries(upTo(t, l3))).toEqual([{ start: 0, end: 8, locked: true }]);
    const o = lx(t.rows);
    expect(resultOf(o, l4)).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 8, locked: true }]);
    expect(wires(o, 'f', 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('4.2 __mm_populate: locked pages are faulted in and wired, not dirtied, no I/O; CPU per page newly locked', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f');
    t.op(10, 'wire', B, 4 * P, 'USER'); const first = last(t);
    t.op(20, 'wire', B, 4 * P, 'USER'); const again = last(t);
    t.op(30, 'wire', B, 6 * P, 'USER'); const more = last(t);
    const o = lx(t.rows, { cpu: { per_page_us: 1 } });
    expect([took(o, first), took(o, again), took(o, more)]).toEqual([4, 0, 2]);
    expect(pages(o, 'f', 8)).toEqual([R, R, R, R, R, R, 0, 0]);
    expect(wires(o, 'f', 8)).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    expect(o.writebacks).toEqual([]);
  });

  it('4.2 munlock: start unmapped → ENOMEM with nothing done; a gap → ENOMEM after clearing VM_LOCKED on the earlier VMAs', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B + 6 * P, 2 * P, 'USER');
    t.op(0, 'unwire', B - 2 * P, 4 * P, 'USER'); const unmapped = last(t);
    t.op(0, 'msync', B, 4 * P, 'INVALIDATE'); const stillLocked = last(t);
    t.op(0, 'unwire', B, 8 * P, 'USER'); const gap = last(t);
    const o = lx(t.rows);
    expect([unmapped, stillLocked, gap].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'EBUSY', 'ENOMEM']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, locked: false }, { start: 6, end: 8, locked: true }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(wires(o, 'g', 2)).toEqual([1, 1]);
    expect(userWired(o)).toBe(2);
  });

  it('4.2 locked pages are still dirtied and written back normally (and stay wired)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, 'USER')
      .op(10, 'write', B, 4 * P).op(20, 'msync', B, 4 * P, 'SYNC');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 20, done: 120 }]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
  });
});

describe('4.4 operation table', () => {
  it('4.4 msync MS_ASYNC: bad bits; align; both; wrap; len 0; hole (EINVAL×3, ENOMEM, OK, ENOMEM); no effect, no I/O, no wait', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, 4 * P).op(10, 'msync', S, P, 'SYNC', { task: 'b' });
    t.op(20, 'msync', B, 4 * P, 'ASYNC|KILLPAGES'); const bits = last(t);
    t.op(20, 'msync', B + 1, P, 'ASYNC'); const align = last(t);
    t.op(20, 'msync', B, P, 'ASYNC|SYNC'); const both = last(t);
    t.op(20, 'msync', TOP - P, 2 * P, 'ASYNC'); const wrap = last(t);
    t.op(20, 'msync', B + 16 * P, 0, 'ASYNC'); const len0 = last(t);
    t.op(20, 'msync', B, 8 * P, 'ASYNC'); const hole = last(t);
    t.op(20, 'msync', B, 4 * P, 'ASYNC'); const ok = last(t); // page 0 is under writeback: not waited for
    const o = lx(t.rows);
    expect([bits, align, both, wrap, len0, hole, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'ENOMEM', 'OK', 'ENOMEM', 'OK']);
    expect(doneAt(o, ok)).toBe(20);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([R, R | D, R | D, R | D]);
  });

  it('4.4 msync MS_SYNC: same checks, hole deferred; dirty pages of the range cleaned; waits for its I/O and for I/O already in flight', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P).op(10, 'msync', S, P, 'SYNC', { task: 'b' });
    t.op(20, 'msync', B + 1, P, 'SYNC'); const align = last(t);
    t.op(20, 'msync', TOP - P, 2 * P, 'SYNC'); const wrap = last(t);
    t.op(20, 'msync', B + 16 * P, 0, 'SYNC'); const len0 = last(t);
    t.op(20, 'msync', B, 8 * P, 'SYNC'); const hole = last(t);
    const o = lx(t.rows);
    expect([align, wrap, len0, hole].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'ENOMEM', 'OK', 'ENOMEM']);
    // page 0 is b's (10→110); a writes pages 1..3 (queued at 20, served 110→210), waits for all, then g
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 1, pages: 3, submit: 20, done: 210 },
      { obj: 'g', first: 0, pages: 2, submit: 210, done: 310 },
    ]);
    expect(doneAt(o, hole)).toBe(310);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]);
    expect(pages(o, 'g', 2)).toEqual([R, R]);
  });

  it('4.4 msync MS_SYNC: an fsync error → EIO', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 4 * P).op(10, 'msync', B, 4 * P, 'SYNC');
    const o = lx(t.rows, ERR);
    expect(resultOf(o, last(t))).toBe('EIO');
    expect(doneAt(o, last(t))).toBe(110);
    expect(o.result.sync.errors).toEqual({ EIO: 1 });
  });

  it('4.4 msync +MS_INVALIDATE: VM_LOCKED → EBUSY; otherwise only the effect and blocking of the other flags', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'write', B, 8 * P).op(0, 'wire', B + 4 * P, 4 * P, 'USER');
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE'); const alone = last(t);
    t.op(10, 'msync', B, 4 * P, 'SYNC|INVALIDATE'); const sync = last(t);
    t.op(10, 'msync', B, 8 * P, 'ASYNC|INVALIDATE'); const asyncLocked = last(t);
    t.op(10, 'msync', B + 4 * P, 4 * P, 'SYNC|INVALIDATE'); const syncLocked = last(t);
    const o = lx(t.rows);
    expect([alone, sync, asyncLocked, syncLocked].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'EBUSY', 'EBUSY']);
    expect([doneAt(o, alone), doneAt(o, sync), doneAt(o, syncLocked)]).toEqual([10, 110, 110]);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 4, submit: 10, done: 110 }]);
    expect(pages(o, 'f', 4)).toEqual([R, R, R, R]); // written, not invalidated
    expect(pages(o, 'g', 4)).toEqual([R | D, R | D, R | D, R | D]);
  });

  it('4.4 mlock: EPERM; EINVAL; RLIMIT_MEMLOCK; start VMA; gaps (partial); populate (VM_LOCKED, faulted in, no I/O)', () => {
    const t0 = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', TOP - P, 2 * P, 'USER');
    expect(resultOf(lx(t0.rows, { memory: { memlock_limit_bytes: 0 } }), last(t0))).toBe('EPERM');
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g');
    t.op(0, 'wire', TOP - P, (LIMIT + 1) * P, 'USER'); const inval = last(t);
    t.op(0, 'wire', B, (LIMIT + 1) * P, 'USER'); const limit = last(t);
    t.op(0, 'wire', B - P, 2 * P, 'USER'); const start = last(t);
    t.op(0, 'wire', B + 2 * P, 6 * P, 'USER'); const gap = last(t);
    t.op(0, 'wire', B + 6 * P, 2 * P, 'USER'); const ok = last(t);
    const o = lx(t.rows);
    expect([inval, limit, start, gap, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'ENOMEM', 'ENOMEM', 'ENOMEM', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 2, locked: false }, { start: 2, end: 4, locked: true }, { start: 6, end: 8, locked: true }]);
    expect(pages(o, 'f', 4)).toEqual([0, 0, R, R]);
    expect(pages(o, 'g', 2)).toEqual([R, R]);
    expect(o.writebacks).toEqual([]);
  });

  it('4.4 munlock: rounding (unaligned is fine); overflow EINVAL; start VMA ENOMEM; gaps ENOMEM (partial); VM_LOCKED cleared, no I/O', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B + 6 * P, 2 * P, 'USER').op(0, 'write', B, 4 * P);
    t.op(0, 'unwire', B + 100, 0, 'USER'); const unaligned = last(t); // page 0
    t.op(0, 'unwire', TOP - P, 2 * P, 'USER'); const wrap = last(t);
    t.op(0, 'unwire', B - P, 2 * P, 'USER'); const start = last(t);
    t.op(0, 'unwire', B + 2 * P, 6 * P, 'USER'); const gap = last(t);
    const o = lx(t.rows);
    expect([unaligned, wrap, start, gap].map((l) => resultOf(o, l))).toEqual(['OK', 'EINVAL', 'ENOMEM', 'ENOMEM']);
    expect(entries(o)).toEqual([{ start: 0, end: 1, locked: false }, { start: 1, end: 2, locked: true }, { start: 2, end: 4, locked: false }, { start: 6, end: 8, locked: true }]);
    expect(wires(o, 'f', 4)).toEqual([0, 1, 0, 0]);
    expect(pages(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect(o.writebacks).toEqual([]);
  });
});

describe('6 page state machine and blocking (Linux)', () => {
  it('6 write while W (Linux): WB → WBD without blocking the writer; I/O complete: WBD → Dy', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, P);
    t.op(10, 'msync', B, P, 'SYNC'); const ms = last(t);
    t.op(50, 'write', S, P, '', { task: 'b' }); const w = last(t);
    const o = lx(t.rows, { stats: { sample_us: 50 } });
    expect(doneAt(o, w)).toBe(50);
    expect([sample(o, 100).dirtyPages, sample(o, 100).writebackPages]).toEqual([1, 1]);
    expect(objOf(o, 'f').state(0) & (D | Page.WB)).toBe(D); // after the I/O: dirty, not under writeback
    expect(pages(o, 'f', 1)).toEqual([R | D]);
    expect(doneAt(o, ms)).toBe(110);
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 10, done: 110 }]);
  });

  it('6 I/O error (choice): msync returns EIO and the failed pages are dirty again', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, 2 * P).op(10, 'msync', B, 4 * P, 'SYNC');
    const o = lx(t.rows, ERR);
    expect(resultOf(o, last(t))).toBe('EIO');
    expect(pages(o, 'f', 2)).toEqual([R | D, R | D]);
    expect(o.sim.kernel.vm.counters.dirty).toBe(2);
  });

  it('6 invalidate (Linux): a no-op — clean and dirty pages stay resident, MS_SYNC|MS_INVALIDATE only writes', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'read', B, P).op(0, 'write', B + P, P);
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE'); const alone = last(t);
    const mid = upTo(t, alone);
    expect(resultOf(mid, alone)).toBe('OK');
    expect(pages(mid, 'f', 4)).toEqual([R, R | D, 0, 0]);
    t.op(10, 'msync', B, 4 * P, 'SYNC|INVALIDATE');
    const o = lx(t.rows);
    expect(pages(o, 'f', 4)).toEqual([R, R, 0, 0]);
    expect(ios(o)).toEqual([{ obj: 'f', first: 1, pages: 1, submit: 10, done: 110 }]);
  });

  it('6 blocking rules (Linux): MS_SYNC waits for pages in writeback and for its own writes; MS_ASYNC waits for nothing', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b').map(0, S2, 4 * P, 'f', 0, '', 'c')
      .op(0, 'write', B, 2 * P).op(10, 'msync', B, P, 'SYNC');
    t.op(20, 'msync', S, 2 * P, 'ASYNC', { task: 'b' }); const asy = last(t);
    t.op(20, 'msync', S2, 2 * P, 'SYNC', { task: 'c' }); const syn = last(t);
    const o = lx(t.rows);
    expect(doneAt(o, asy)).toBe(20);
    // c: page 1 written (queued at 20, served 110→210); page 0 (a's, 10→110) waited for
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 10, done: 110 },
      { obj: 'f', first: 1, pages: 1, submit: 20, done: 210 },
    ]);
    expect(doneAt(o, syn)).toBe(210);
  });

  it('6 munmap (Linux): VM_LOCKED goes with the removed VMAs, nothing is waited for, dirty pages stay dirty in the object', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(0, 'write', B, 4 * P).op(0, 'wire', B, 4 * P, 'USER')
      .op(10, 'msync', S, P, 'SYNC', { task: 'b' });
    t.op(20, 'unmap', B + 2 * P, 2 * P); const tail = last(t);
    const mid = upTo(t, tail);
    expect(doneAt(mid, tail)).toBe(20);
    expect(entries(mid)).toEqual([{ start: 0, end: 2, locked: true }]);
    expect(wires(mid, 'f', 4)).toEqual([1, 1, 0, 0]);
    expect(userWired(mid)).toBe(2);
    t.op(30, 'unmap', B, 2 * P); const head = last(t); // page 0 is under writeback (b's msync, 10→110)
    const o = lx(t.rows);
    expect(resultOf(o, head)).toBe('OK');
    expect(doneAt(o, head)).toBe(30);
    expect(entries(o)).toEqual([]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
    expect(pages(o, 'f', 4)).toEqual([R, R | D, R | D, R | D]);
  });

  it('6 munmap (Linux): unmapping locked VMAs gives their pages back to RLIMIT_MEMLOCK', () => {
    const t = new TraceBuilder().map(0, B, LIMIT * P, 'f').map(0, S, LIMIT * P, 'g').op(0, 'wire', B, LIMIT * P, 'USER');
    t.op(0, 'wire', S, P, 'USER'); const over = last(t);
    t.op(0, 'unmap', B, LIMIT * P);
    t.op(0, 'wire', S, LIMIT * P, 'USER'); const after = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, over), resultOf(o, after)]).toEqual(['ENOMEM', 'OK']);
    expect(userWired(o)).toBe(LIMIT);
  });

  it('6 error-check order (Linux): SYNC+ASYNC and unaligned before wrap; wrap before the walk; len 0 before the walk; a hole is ENOMEM now only for plain MS_ASYNC, else EBUSY (and EIO) win over it', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'wire', B + 6 * P, 2 * P, 'USER');
    const G = TOP - 2 * P;
    t.map(0, G, 2 * P, 'top').op(0, 'wire', G, 2 * P, 'USER');
    t.op(10, 'msync', G, 3 * P, 'SYNC|ASYNC'); const bothWrap = last(t);
    t.op(10, 'msync', G + 1, 3 * P, 'SYNC'); const alignWrap = last(t);
    t.op(10, 'msync', G, 3 * P, 'INVALIDATE'); const wrapLocked = last(t);
    t.op(10, 'msync', B + 16 * P, 0, 'INVALIDATE'); const len0Unmapped = last(t);
    t.op(10, 'msync', B + 4 * P, 4 * P, 'ASYNC'); const asyncHole = last(t);
    t.op(10, 'msync', B + 4 * P, 4 * P, 'ASYNC|INVALIDATE'); const asyncInvalHole = last(t);
    t.op(10, 'msync', B, 8 * P, 'INVALIDATE'); const busyHole = last(t);
    const o = lx(t.rows);
    expect([bothWrap, alignWrap, wrapLocked, len0Unmapped, asyncHole, asyncInvalHole, busyHole].map((l) => resultOf(o, l)))
      .toEqual(['EINVAL', 'EINVAL', 'ENOMEM', 'OK', 'ENOMEM', 'EBUSY', 'EBUSY']);
    // EIO before a remembered hole is in the step 6 fsync-error test
  });
});

describe('8 Linux discrepancies', () => {
  it('8: Linux rejects MS_SYNC|MS_ASYNC — the trace-format example runs with only its last row EINVAL', () => {
    const A = EXAMPLE_BASE;
    const rows = traceFormatExample();
    const o = lx(rows);
    expect([3, 4, 5, 6, 7, 8].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'EINVAL']);
    // pages 0,1 and 3: two runs queued at 10, waited for until 210
    expect(ios(o)).toEqual([
      { obj: 'data.db', first: 0, pages: 2, submit: 10, done: 110 },
      { obj: 'data.db', first: 3, pages: 1, submit: 10, done: 210 },
    ]);
    expect(doneAt(o, 6)).toBe(210);
    expect(opOf(o, 7).tIssueNs / 1000).toBe(212);
    expect(entries(o, 'db', A)).toEqual([
      { start: 0, end: 512, locked: false }, { start: 512, end: 528, locked: true }, { start: 528, end: 1024, locked: false },
    ]);
    expect(doneAt(o, 8)).toBe(220);
  });

  it('8: Linux rejects an unaligned addr (EINVAL) and takes len 0 as a successful no-op', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B + 3 * P, P).op(0, 'write', B + 9 * P, P);
    t.op(10, 'msync', B + 3 * P + 7, 10, 'SYNC'); const unaligned = last(t);
    t.op(10, 'msync', B + 9 * P, 0, 'SYNC'); const len0 = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, unaligned), resultOf(o, len0)]).toEqual(['EINVAL', 'OK']);
    expect(o.writebacks).toEqual([]);
  });

  it('8: holes — without plain MS_ASYNC the mapped parts are worked, then ENOMEM; ASYNC|INVALIDATE is accepted', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
      .op(0, 'write', B, 4 * P).op(0, 'write', B + 6 * P, 2 * P);
    t.op(10, 'msync', B, 8 * P, 'SYNC|INVALIDATE'); const hole = last(t);
    t.op(10, 'msync', B, 4 * P, 'ASYNC|INVALIDATE'); const asyncInval = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, hole), resultOf(o, asyncInval)]).toEqual(['ENOMEM', 'OK']);
    expect(ios(o).map((w) => w.obj)).toEqual(['f', 'g']);
  });

  it('8: wired + MS_INVALIDATE is EBUSY for VM_LOCKED VMAs (mlock), the only wiring Linux has', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 8 * P, 4 * P, 'g')
      .op(0, 'wire', B, 4 * P, 'USER|NOHOLES').op(0, 'wire', B + 8 * P, 4 * P, 'SYSTEM');
    t.op(10, 'msync', B, 4 * P, 'INVALIDATE'); const locked = last(t);
    t.op(10, 'msync', B + 8 * P, 4 * P, 'INVALIDATE'); const system = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, locked), resultOf(o, system)]).toEqual(['EBUSY', 'OK']);
  });

  it('8: MS_ASYNC is a no-op — nothing written or queued, the pages stay dirty', () => {
    const t = new TraceBuilder().map(0, B, 16 * P, 'f').op(0, 'write', B, P).op(10, 'msync', B, P, 'ASYNC')
      .op(60, 'read', B + 8 * P, P); // keeps the run going past the 50 µs sample
    const o = lx(t.rows, { stats: { sample_us: 50 } });
    expect(o.writebacks).toEqual([]);
    expect([sample(o, 50).dirtyPages, sample(o, 50).writebackPages, sample(o, 50).queueDepth]).toEqual([1, 0, 0]);
    expect(o.result.writeback.by_cause.msync).toBe(0);
    expect(o.syncs[0].pagesWritten).toBe(0);
  });

  it('8: wire stacking — a VM_LOCKED VMA counts once in locked_vm however often it is mlocked', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'wire', B, 4 * P, 'USER');
    t.op(0, 'wire', B, 4 * P, 'USER'); const again = last(t);
    t.op(0, 'wire', B + 4 * P, P, 'USER'); const over = last(t);
    const o = lx(t.rows, { memory: { memlock_limit_bytes: 4 * P } });
    expect([resultOf(o, again), resultOf(o, over)]).toEqual(['OK', 'ENOMEM']);
    expect(wires(o, 'f', 5)).toEqual([1, 1, 1, 1, 0]);
  });

  it('8: wire failure — Linux leaves earlier VMAs locked (no rollback, unlike FreeBSD and XNU)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 2 * P, 'g').map(0, B + 8 * P, 2 * P, 'h')
      .op(0, 'wire', B, 10 * P, 'USER|NOHOLES');
    const o = lx(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(entries(o)).toEqual([{ start: 0, end: 4, locked: true }, { start: 4, end: 6, locked: true }, { start: 8, end: 10, locked: false }]);
    expect(userWired(o)).toBe(6);
  });
});

describe('documented choices (linux)', () => {
  it('choice: wire flags SYSTEM and HOLESOK → EINVAL before every other check; no flag, USER, NOHOLES and USER|NOHOLES are mlock', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, P, ''); const none = last(t);
    t.op(0, 'wire', B + P, P, 'USER'); const user = last(t);
    t.op(0, 'wire', B + 2 * P, P, 'NOHOLES'); const noholes = last(t);
    t.op(0, 'wire', B + 3 * P, P, 'USER|NOHOLES'); const mlock = last(t);
    t.op(0, 'wire', B, 4 * P, 'SYSTEM'); const system = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER|SYSTEM'); const userSystem = last(t);
    t.op(0, 'wire', B, 8 * P, 'HOLESOK'); const holesok = last(t); // else ENOMEM
    t.op(0, 'wire', TOP - P, 2 * P, 'USER|HOLESOK'); const holesokWrap = last(t);
    t.op(0, 'unwire', B, 4 * P, 'SYSTEM'); const unSystem = last(t);
    t.op(0, 'unwire', B, 4 * P, 'HOLESOK'); const unHolesok = last(t);
    const mid = upTo(t, unHolesok);
    expect([none, user, noholes, mlock].map((l) => resultOf(mid, l))).toEqual(['OK', 'OK', 'OK', 'OK']);
    expect([system, userSystem, holesok, holesokWrap, unSystem, unHolesok].map((l) => resultOf(mid, l))).toEqual(Array(6).fill('EINVAL'));
    expect(entries(mid)).toEqual([{ start: 0, end: 4, locked: true }]);
    expect(wires(mid, 'f', 4)).toEqual([1, 1, 1, 1]);
    t.op(0, 'unwire', B, 4 * P, ''); const un = last(t);
    const o = lx(t.rows);
    expect(resultOf(o, un)).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 4, locked: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('choice: SYSTEM is refused before EPERM', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, 'SYSTEM');
    expect(resultOf(lx(t.rows, { memory: { memlock_limit_bytes: 0 } }), last(t))).toBe('EINVAL');
  });

  it('choice: a sub-map entry is one VMA synced one level down; a hole in the sub-map is not ENOMEM; mlock wires the pages behind it', () => {
    const t = new TraceBuilder().map(0, S, 4 * P, 'sobj', 0, '', 'shared')
      .map(0, B, 8 * P, 'shared', S, 'SUBMAP')
      .op(0, 'write', B, 2 * P);
    t.op(10, 'msync', B, 8 * P, 'SYNC'); const ms = last(t);
    t.op(10, 'wire', B, 8 * P, 'USER'); const w = last(t);
    const o = lx(t.rows);
    expect([resultOf(o, ms), resultOf(o, w)]).toEqual(['OK', 'OK']);
    expect(ios(o)).toEqual([{ obj: 'sobj', first: 0, pages: 2, submit: 10, done: 110 }]);
    expect(pages(o, 'sobj', 4)).toEqual([R, R, R, R]);
    expect(wires(o, 'sobj', 4)).toEqual([1, 1, 1, 1]);
  });

  it('choice: memory.max_user_wired_pages (FreeBSD) does not limit mlock on Linux', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'wire', B, 8 * P, 'USER');
    const o = lx(t.rows, { memory: { max_user_wired_pages: 2 } });
    expect(resultOf(o, last(t))).toBe('OK');
    expect(userWired(o)).toBe(8);
  });
});

describe('4.3 with the flusher and memory pressure (linux runs)', () => {
  it('4.3 kupdate: the flusher writes an inode dirtied longer than dirty_expire ago (defaults 5 s / 30 s), all its dirty pages (expiry is per inode)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f')
      .op(1_000_000, 'write', B, P).op(20_000_000, 'write', B + P, P).op(40_000_000, 'read', B + 4 * P, P);
    const o = lx(t.rows, { writeback: { policy: 'flusher' } });
    // dirtied_when = 1 s; passes at 5, 10, ..., 30 s (29 s old), 35 s (34 s old): both pages in one run
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 2, submit: 35_000_000, done: 35_000_100 }]);
    expect(o.writebacks.map((w) => w.cause)).toEqual(['syncer']);
  });

  it('4.3 a page redirtied during writeback (WBD) is not rewritten by a flusher pass while its writeback is in flight; the next pass writes it', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b')
      .op(1_500_000, 'write', B, P);
    t.op(1_999_950, 'msync', B, P, 'SYNC'); const ms = last(t);
    t.op(1_999_980, 'write', S, P, '', { task: 'b' });
    t.op(3_500_000, 'read', B + 2 * P, P);
    const o = lx(t.rows, { writeback: { policy: 'flusher', interval_ms: 1000, expire_ms: 0 } });
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 1_999_950, done: 2_000_050 },
      { obj: 'f', first: 0, pages: 1, submit: 3_000_000, done: 3_000_100 },
    ]);
    expect(o.writebacks.map((w) => w.cause)).toEqual(['msync', 'syncer']);
    expect(doneAt(o, ms)).toBe(2_000_050);
  });

  it('4.3 MS_SYNC also waits for the flusher\'s writeback in flight', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(500_000, 'write', B, P);
    t.op(1_000_050, 'msync', B, P, 'SYNC'); const ms = last(t);
    const o = lx(t.rows, { writeback: { policy: 'flusher', interval_ms: 1000, expire_ms: 0 } });
    expect(ios(o)).toEqual([{ obj: 'f', first: 0, pages: 1, submit: 1_000_000, done: 1_000_100 }]);
    expect(resultOf(o, ms)).toBe('OK');
    expect(doneAt(o, ms)).toBe(1_000_100);
    expect(o.syncs[0].pagesWritten).toBe(0);
  });

  it('choice: under sync_first the I/Os MS_SYNC issues itself go before queued background writeback', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, B + 8 * P, 4 * P, 'g')
      .op(500_000, 'write', B, P).op(500_000, 'write', B + 2 * P, P).op(1_000_010, 'write', B + 8 * P, P);
    t.op(1_000_050, 'msync', B + 8 * P, P, 'SYNC'); const ms = last(t);
    const o = lx(t.rows, { device: { discipline: 'sync_first' }, writeback: { policy: 'flusher', interval_ms: 1000, expire_ms: 0 } });
    // the 1 s pass writes f's pages 0 and 2 (two runs); g's msync I/O overtakes the queued one
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 1, submit: 1_000_000, done: 1_000_100 },
      { obj: 'g', first: 0, pages: 1, submit: 1_000_050, done: 1_000_200 },
      { obj: 'f', first: 2, pages: 1, submit: 1_000_000, done: 1_000_300 },
    ]);
    expect(doneAt(o, ms)).toBe(1_000_200);
  });

  it('4.3 balance_dirty_pages: above the freerun ceiling a writer pauses (up to MAX_PAUSE) every ratelimit_pages pages and background writeback starts', () => {
    // memory 100 pages: background 10, limit 20, freerun 15; each 32-page step finds 32 dirty → full 200 ms pause
    const t = new TraceBuilder().map(0, B, 64 * P, 'f');
    t.op(10, 'write', B, 64 * P); const w = last(t);
    const o = lx(t.rows, { memory: { pages: 100 }, writeback: { policy: 'flusher' } });
    expect(ios(o)).toEqual([
      { obj: 'f', first: 0, pages: 32, submit: 10, done: 110 },
      { obj: 'f', first: 32, pages: 32, submit: 200_010, done: 200_110 },
    ]);
    expect(doneAt(o, w)).toBe(400_010);
    expect(o.result.throttle).toEqual({ count: 2, total_us: 400_000, max_us: 200_000 });
  });

  it('6 eviction: pages of a VM_LOCKED VMA are never evicted under memory pressure; after munlock they are evictable again', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'wire', B, 2 * P, 'USER')
      .op(10, 'read', B + 2 * P, 6 * P);
    t.op(20, 'unwire', B, 2 * P, 'USER'); const un = last(t);
    const mid = upTo(t, un - 1, { memory: { pages: 4 } });
    // 4 pages of memory: the locked pages 0 and 1 stay, pages 2..5 are evicted in LRU order
    expect(pages(mid, 'f', 8)).toEqual([R, R, 0, 0, 0, 0, R, R]);
    expect(mid.result.memory.evictions).toBe(4);
    t.op(30, 'read', B + 2 * P, P);
    const o = lx(t.rows, { memory: { pages: 4 } });
    expect(resultOf(o, un)).toBe('OK');
    expect(pages(o, 'f', 8)).toEqual([0, R, R, 0, 0, 0, R, R]);
    expect(o.result.memory.evictions).toBe(5);
  });
});
