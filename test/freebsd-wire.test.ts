/**
 * FreeBSD personality: wiring (semantics.md 2.4 vm_map_wire / vm_map_unwire,
 * 2.5 mlock / munlock, 2.7 mlock and munlock rows, section 6 wire/unwire
 * transitions, section 8 wiring bullets).
 *
 * Expected values are derived by hand from the spec and the defaults: page
 * size 4096, cpu costs 0 (so wiring is instantaneous unless a test sets
 * cpu.per_page_us), memory.max_user_wired_pages 0 = unlimited, closed replay
 * unless a test says otherwise. Trace flags: no flag = system wiring that
 * refuses holes (SYSTEM and NOHOLES are 0); mlock/munlock = USER|NOHOLES.
 *
 * Rows that cannot be triggered in the model (no test on purpose):
 * - 2.4 VM_MAP_WIRE_WRITE and the protection check (entry lacks READ|EXECUTE
 *   or WRITE → WIRE_SKIPPED / KERN_INVALID_ADDRESS): the model has no
 *   protections and the trace format no WRITE wire flag.
 * - 2.4 vm_fault error while wiring (vm_map_wire_entry_failure) and page-in
 *   I/O while wiring (2.7 "page-in reads"): these tests run on the `queue`
 *   device, without page-in reads; test/wire-pagein.test.ts tests both with
 *   `pagein: true`. Here only "no writeback, not dirtied" is asserted.
 * - 2.4 vm_object_unwire puts pages on PQ_ACTIVE: no page queues.
 * - 2.5 priv_check(PRIV_VM_MLOCK), RLIMIT_MEMLOCK, racct, and the older-tree
 *   EAGAIN on vm_page_max_wired: not modelled.
 * - 2.5 vm_map_wire KERN_INVALID_ARGUMENT → EINVAL for mlock: vm_map_wire
 *   cannot return it without protections (the documented mapping's EINVAL is
 *   tested through a system unwire).
 * - 2.5 range overflow: the trace reader refuses addr+len >= 2^53 and page
 *   rounding cannot go past 2^53, so only rows built in code reach the check;
 *   it is tested with such rows.
 */
import { describe, it, expect } from 'vitest';
import { TraceBuilder, simulate, resultOf, type SimOutput, objOf, opOf } from './helpers.ts';
import { Page } from '../sim/vm/object.ts';

const P = 4096;
const B = 0x100000;
const TOP = 2 ** 53;
const R = Page.RESIDENT, D = Page.DIRTY;

/** Task a's map entries, in pages relative to B. */
function entries(o: SimOutput, task = 'a') {
  return o.sim.kernel.vm.maps.get(task)!.entries.map((e) => ({ start: (e.start - B) / P, end: (e.end - B) / P, wired: e.wiredCount, user: e.userWired }));
}
const wires = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).wireCount(i));
const states = (o: SimOutput, name: string, n: number) => Array.from({ length: n }, (_, i) => objOf(o, name).state(i));
const doneAt = (o: SimOutput, line: number) => opOf(o, line).tDoneNs / 1000;
const last = (t: TraceBuilder) => t.rows[t.rows.length - 1].line;
/** Runs the rows of `t` up to and including `line`. */
const upTo = (t: TraceBuilder, line: number, cfg: Record<string, unknown> = {}) => simulate(t.rows.filter((r) => r.line <= line), cfg);
const userWired = (o: SimOutput) => o.sim.kernel.vm.userWiredPages;

describe('2.4 wire flags and entry counters', () => {
  it('2.4 flags: no flag is a system wiring (SYSTEM = 0) that refuses holes (NOHOLES = 0)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g');
    t.op(0, 'wire', B, 4 * P, ''); const sys = last(t);
    t.op(0, 'wire', B, 8 * P, ''); const none = last(t);
    t.op(0, 'wire', B, 8 * P, 'SYSTEM'); const system = last(t);
    t.op(0, 'wire', B, 8 * P, 'NOHOLES'); const noholes = last(t);
    const o = simulate(t.rows);
    expect(resultOf(o, sys)).toBe('OK');
    // a system wiring's errno is vslock's (section 10 F6): vm_map_wire's KERN_INVALID_ADDRESS → EFAULT
    expect([none, system, noholes].map((l) => resultOf(o, l))).toEqual(['EFAULT', 'EFAULT', 'EFAULT']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: false }, { start: 6, end: 8, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(wires(o, 'g', 2)).toEqual([0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('2.4 flags: USER|SYSTEM is a user wiring', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, 'USER|SYSTEM');
    const w = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u = last(t);
    const wired = upTo(t, w);
    expect(resultOf(wired, w)).toBe('OK');
    expect(entries(wired)).toEqual([{ start: 0, end: 4, wired: 1, user: true }]);
    expect(userWired(wired)).toBe(4);
    const o = simulate(t.rows);
    expect(resultOf(o, u)).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('2.4 counters: wired_count = system wirings + 1 for the user flag; the pages are wired once', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, ''); const s1 = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER'); const u1 = last(t);
    t.op(0, 'wire', B, 4 * P, ''); const s2 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const uu = last(t);
    t.op(0, 'unwire', B, 4 * P, ''); const us1 = last(t);
    t.op(0, 'unwire', B, 4 * P, ''); const us2 = last(t);
    const at = (l: number) => { const o = upTo(t, l); return { e: entries(o)[0], w: wires(o, 'f', 4), u: userWired(o) }; };
    expect(at(s1)).toEqual({ e: { start: 0, end: 4, wired: 1, user: false }, w: [1, 1, 1, 1], u: 0 });
    // user wiring of an already wired entry: increment only, no user pages counted
    expect(at(u1)).toEqual({ e: { start: 0, end: 4, wired: 2, user: true }, w: [1, 1, 1, 1], u: 0 });
    expect(at(s2)).toEqual({ e: { start: 0, end: 4, wired: 3, user: true }, w: [1, 1, 1, 1], u: 0 });
    expect(at(uu)).toEqual({ e: { start: 0, end: 4, wired: 2, user: false }, w: [1, 1, 1, 1], u: 0 });
    expect(at(us1)).toEqual({ e: { start: 0, end: 4, wired: 1, user: false }, w: [1, 1, 1, 1], u: 0 });
    expect(at(us2)).toEqual({ e: { start: 0, end: 4, wired: 0, user: false }, w: [0, 0, 0, 0], u: 0 });
    const o = simulate(t.rows);
    expect([s1, u1, s2, uu, us1, us2].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK']);
  });
});

describe('2.4 vm_map_wire', () => {
  it('2.4 wire step 1 / unwire step 1: start == end → success without looking at the map', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B + 64 * P, 0, 'USER'); const wU = last(t);
    t.op(0, 'unwire', B + 64 * P, 0, 'USER'); const uU = last(t);
    t.op(0, 'wire', B + P, 0, ''); const wM = last(t);
    t.op(0, 'unwire', B + P, 0, ''); const uM = last(t); // a system unwire of an unwired entry would be EINVAL
    const o = simulate(t.rows);
    expect([wU, uU, wM, uM].map((l) => resultOf(o, l))).toEqual(['OK', 'OK', 'OK', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: false }]);
    expect(states(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });

  it('2.4 wire step 2: start not in an entry — NOHOLES → ENOMEM with nothing wired; HOLESOK → starts at the next entry', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B - 2 * P, 6 * P, 'USER'); const noholes = last(t);
    t.op(0, 'wire', B - 2 * P, 6 * P, 'USER|HOLESOK'); const holesok = last(t);
    const before = upTo(t, noholes);
    expect(resultOf(before, noholes)).toBe('ENOMEM');
    expect(entries(before)).toEqual([{ start: 0, end: 4, wired: 0, user: false }]);
    expect(wires(before, 'f', 4)).toEqual([0, 0, 0, 0]);
    const o = simulate(t.rows);
    expect(resultOf(o, holesok)).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: true }]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(userWired(o)).toBe(4);
  });

  it('2.4 wire step 3: an entry in transition makes another wirer wait (open replay, 10 µs per page faulted)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w = last(t);
    t.op(10, 'unwire', B, 4 * P, 'USER'); const u = last(t);
    const o = simulate(t.rows, { replay: 'open', cpu: { per_page_us: 10 } });
    expect(resultOf(o, w)).toBe('OK');
    expect(doneAt(o, w)).toBe(40);
    // the munlock waited for the mlock: it found the entry user-wired and unwired it
    expect(resultOf(o, u)).toBe('OK');
    expect(doneAt(o, u)).toBe(40);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('2.4 wire step 3: an entry that vanished while waiting → ENOMEM (NOHOLES), success with HOLESOK', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f');
      t.op(0, 'wire', B, 4 * P, 'USER'); const w1 = last(t);
      t.op(10, 'unmap', B, 4 * P); const um = last(t);
      t.op(20, 'wire', B, 4 * P, flags); const w2 = last(t);
      const o = simulate(t.rows, { replay: 'open', cpu: { per_page_us: 10 } });
      // at 40 the first mlock ends; the munmap (asleep first) removes the entry, then the second wire looks again
      expect([resultOf(o, w1), resultOf(o, um)]).toEqual(['OK', 'OK']);
      expect([doneAt(o, w1), doneAt(o, um), doneAt(o, w2)]).toEqual([40, 40, 40]);
      expect(entries(o)).toEqual([]);
      expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
      expect(userWired(o)).toBe(0);
      return resultOf(o, w2);
    };
    expect(run('USER')).toBe('ENOMEM');
    expect(run('USER|HOLESOK')).toBe('OK');
  });

  it('2.4 wire step 3: the entry is clipped to the range (kern_mlock rounds addr down and addr+len up)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').op(0, 'wire', B + 2 * P + 100, 2 * P, 'USER');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    // [B+2P+100, B+4P+100) → pages 2..4
    expect(entries(o)).toEqual([
      { start: 0, end: 2, wired: 0, user: false },
      { start: 2, end: 5, wired: 1, user: true },
      { start: 5, end: 8, wired: 0, user: false },
    ]);
    expect(wires(o, 'f', 8)).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
    expect(userWired(o)).toBe(3);
  });

  it('2.4 wire step 3 (6 wire): every page is faulted in and wired, not dirtied, nothing written', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B + P, P).op(0, 'wire', B, 4 * P, '');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('OK');
    expect(states(o, 'f', 4)).toEqual([R, R | D, R, R]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(o.writebacks).toEqual([]);
    expect(o.sim.kernel.vm.counters.dirty).toBe(1);
    expect(o.result.wire.peak_wired_pages).toBe(4);
  });

  it('2.4 wire step 3: a user wiring past vm_page_max_user_wired → KERN_RESOURCE_SHORTAGE → ENOMEM, earlier entries rolled back', () => {
    const cfg = { memory: { max_user_wired_pages: 6 } };
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 4 * P, 'g').map(0, B + 16 * P, 2 * P, 'h')
      .op(0, 'wire', B + 16 * P, 2 * P, 'USER');
    const h = last(t);
    t.op(0, 'wire', B, 6 * P, 'USER'); const fg = last(t); // 6 pages pass the syscall check; f: 2+2 ≤ 6, g: 4+4 > 6
    const o = simulate(t.rows, cfg);
    expect(resultOf(o, h)).toBe('OK');
    expect(resultOf(o, fg)).toBe('ENOMEM');
    expect(entries(o)).toEqual([
      { start: 0, end: 2, wired: 0, user: false },
      { start: 2, end: 6, wired: 0, user: false },
      { start: 16, end: 18, wired: 1, user: true },
    ]);
    expect(wires(o, 'f', 2)).toEqual([0, 0]);
    expect(wires(o, 'g', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(2);
  });

  it('2.4 wire step 3: the user limit ignores system wirings and user wirings of already wired entries', () => {
    const cfg = { memory: { max_user_wired_pages: 6 } };
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 4 * P, 'g').map(0, B + 16 * P, 2 * P, 'h')
      .op(0, 'wire', B + 16 * P, 2 * P, 'USER');
    t.op(0, 'wire', B, 6 * P, ''); const sys = last(t);
    t.op(0, 'wire', B, 6 * P, 'USER'); const user = last(t); // wired_count > 0: increments, no user pages added
    const o = simulate(t.rows, cfg);
    expect([resultOf(o, sys), resultOf(o, user)]).toEqual(['OK', 'OK']);
    expect(entries(o)).toEqual([
      { start: 0, end: 2, wired: 2, user: true },
      { start: 2, end: 6, wired: 2, user: true },
      { start: 16, end: 18, wired: 1, user: true },
    ]);
    expect(userWired(o)).toBe(2);
  });

  it('2.4 wire step 3: user wiring is a flag (repeated mlock does not stack); system wirings stack', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g')
      .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B, 4 * P, 'USER')
      .op(0, 'wire', B + 4 * P, 4 * P, '').op(0, 'wire', B + 4 * P, 4 * P, '');
    const wired = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER').op(0, 'unwire', B + 4 * P, 4 * P, '');
    const once = last(t);
    const a = upTo(t, wired);
    expect(entries(a)).toEqual([{ start: 0, end: 4, wired: 1, user: true }, { start: 4, end: 8, wired: 2, user: false }]);
    expect(userWired(a)).toBe(4);
    const b = upTo(t, once);
    expect(entries(b)).toEqual([{ start: 0, end: 4, wired: 0, user: false }, { start: 4, end: 8, wired: 1, user: false }]);
    expect(wires(b, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(wires(b, 'g', 4)).toEqual([1, 1, 1, 1]);
    expect(b.ops.map((x) => x.result)).toEqual(Array(8).fill('OK'));
  });

  it('2.4 wire step 3: a hole after an entry with NOHOLES → ENOMEM, earlier entries rolled back; HOLESOK wires around it', () => {
    const run = (flags: string, len: number) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'wire', B, len, flags);
      const o = simulate(t.rows);
      return { r: resultOf(o, last(t)), e: entries(o), f: wires(o, 'f', 4), g: wires(o, 'g', 2), u: userWired(o) };
    };
    expect(run('USER', 8 * P)).toEqual({
      r: 'ENOMEM', e: [{ start: 0, end: 4, wired: 0, user: false }, { start: 6, end: 8, wired: 0, user: false }], f: [0, 0, 0, 0], g: [0, 0], u: 0,
    });
    expect(run('USER|HOLESOK', 8 * P)).toEqual({
      r: 'OK', e: [{ start: 0, end: 4, wired: 1, user: true }, { start: 6, end: 8, wired: 1, user: true }], f: [1, 1, 1, 1], g: [1, 1], u: 6,
    });
    // a range ending where the hole starts has no hole in it
    expect(run('USER', 4 * P).r).toBe('OK');
  });

  it('2.4 wire step 4: on failure increments are undone too (an already wired entry keeps its count, gets no user flag)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'wire', B, 4 * P, '');
    t.op(0, 'wire', B, 8 * P, ''); const sys = last(t);
    t.op(0, 'wire', B, 8 * P, 'USER'); const user = last(t);
    const o = simulate(t.rows);
    // system wiring: vslock's EFAULT (section 10 F6); user wiring: mlock's ENOMEM
    expect([resultOf(o, sys), resultOf(o, user)]).toEqual(['EFAULT', 'ENOMEM']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: false }, { start: 6, end: 8, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(userWired(o)).toBe(0);
  });

  it('2.4 wire step 4: success sets USER_WIRED; entries left in the same state are merged back (after success or rollback)', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f');
    t.op(0, 'wire', B + 2 * P, 2 * P, 'USER'); const lock = last(t);
    t.op(0, 'unwire', B + 2 * P, 2 * P, 'USER'); const unlock = last(t);
    t.op(0, 'wire', B + 4 * P, 8 * P, 'USER'); const failed = last(t); // clips at B+4P, then meets the end of the map
    const a = upTo(t, lock);
    expect(entries(a)).toEqual([
      { start: 0, end: 2, wired: 0, user: false },
      { start: 2, end: 4, wired: 1, user: true },
      { start: 4, end: 8, wired: 0, user: false },
    ]);
    const b = upTo(t, unlock);
    expect(entries(b)).toEqual([{ start: 0, end: 8, wired: 0, user: false }]);
    const c = simulate(t.rows);
    expect(resultOf(c, failed)).toBe('ENOMEM');
    expect(entries(c)).toEqual([{ start: 0, end: 8, wired: 0, user: false }]);
    // visible to msync(addr, 0): the whole original mapping is one entry again (whole object f: fsync path)
    const m = new TraceBuilder().map(0, B, 8 * P, 'f')
      .op(0, 'wire', B + 2 * P, 2 * P, 'USER').op(0, 'unwire', B + 2 * P, 2 * P, 'USER')
      .op(0, 'write', B, P).op(0, 'write', B + 6 * P, P)
      .op(10, 'msync', B + 2 * P, 0, 'SYNC');
    const mo = simulate(m.rows);
    expect(resultOf(mo, last(m))).toBe('OK');
    expect(mo.writebacks.map((w) => [w.offset / P, w.pages, w.tSubmitNs / 1000, w.tDoneNs / 1000])).toEqual([[0, 1, 10, 110], [6, 1, 10, 210]]);
    expect(states(mo, 'f', 8)).toEqual([R, 0, R, R, 0, 0, R, 0]); // pages 2-3 were faulted in by the mlock
  });
});

describe('2.4 vm_map_unwire', () => {
  it('2.4 unwire step 1: start unmapped → ENOMEM with NOHOLES (nothing unwired); HOLESOK starts at the next entry', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, 'USER');
    t.op(0, 'unwire', B - 2 * P, 6 * P, 'USER'); const noholes = last(t);
    t.op(0, 'unwire', B - 2 * P, 6 * P, 'USER|HOLESOK'); const holesok = last(t);
    const a = upTo(t, noholes);
    expect(resultOf(a, noholes)).toBe('ENOMEM');
    expect(entries(a)).toEqual([{ start: 0, end: 4, wired: 1, user: true }]);
    expect(wires(a, 'f', 4)).toEqual([1, 1, 1, 1]);
    const o = simulate(t.rows);
    expect(resultOf(o, holesok)).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('2.4 unwire step 2: a hole with NOHOLES → ENOMEM and nothing is unwired (all or nothing); HOLESOK unwires around it', () => {
    const run = (flags: string) => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g')
        .op(0, 'wire', B, 4 * P, 'USER').op(0, 'wire', B + 6 * P, 2 * P, 'USER')
        .op(0, 'unwire', B, 8 * P, flags);
      const o = simulate(t.rows);
      return { r: resultOf(o, last(t)), e: entries(o), f: wires(o, 'f', 4), g: wires(o, 'g', 2), u: userWired(o) };
    };
    expect(run('USER')).toEqual({
      r: 'ENOMEM', e: [{ start: 0, end: 4, wired: 1, user: true }, { start: 6, end: 8, wired: 1, user: true }], f: [1, 1, 1, 1], g: [1, 1], u: 6,
    });
    expect(run('USER|HOLESOK')).toEqual({
      r: 'OK', e: [{ start: 0, end: 4, wired: 0, user: false }, { start: 6, end: 8, wired: 0, user: false }], f: [0, 0, 0, 0], g: [0, 0], u: 0,
    });
  });

  it('2.4 unwire step 2: a system unwire of an entry without system wirings → KERN_INVALID_ARGUMENT (EINVAL), nothing unwired', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').map(0, B + 8 * P, 4 * P, 'h')
      .op(0, 'wire', B, 4 * P, '').op(0, 'wire', B + 4 * P, 4 * P, 'USER');
    t.op(0, 'unwire', B, 8 * P, ''); const userOnly = last(t); // f is system wired, g only user wired
    t.op(0, 'unwire', B + 8 * P, 4 * P, ''); const never = last(t);
    const o = simulate(t.rows);
    expect([resultOf(o, userOnly), resultOf(o, never)]).toEqual(['EINVAL', 'EINVAL']);
    expect(entries(o)).toEqual([
      { start: 0, end: 4, wired: 1, user: false },
      { start: 4, end: 8, wired: 1, user: true },
      { start: 8, end: 12, wired: 0, user: false },
    ]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(wires(o, 'g', 4)).toEqual([1, 1, 1, 1]);
  });

  it('2.4 unwire step 2: per entry the hole check comes before the system-wiring check; the first entry in address order decides', () => {
    const holeFirst = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'unwire', B, 8 * P, '');
    expect(resultOf(simulate(holeFirst.rows), last(holeFirst))).toBe('ENOMEM'); // f: not system wired, and a hole after it
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 6 * P, 2 * P, 'h')
      .op(0, 'wire', B + 2 * P, 2 * P, '').op(0, 'unwire', B, 8 * P, '');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('EINVAL'); // f fails before the hole after g is reached
    expect(entries(o)[1]).toEqual({ start: 2, end: 4, wired: 1, user: false });
  });

  it('2.4 unwire step 3: only the last wiring unwires the pages; unwired pages stay resident with their dirty state', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P)
      .op(0, 'wire', B, 4 * P, '').op(0, 'wire', B, 4 * P, '').op(0, 'wire', B, 4 * P, 'USER');
    t.op(0, 'unwire', B, 4 * P, ''); const s1 = last(t);
    t.op(0, 'unwire', B, 4 * P, 'USER'); const u = last(t);
    t.op(0, 'unwire', B, 4 * P, ''); const s2 = last(t);
    const a = upTo(t, s1);
    expect(entries(a)).toEqual([{ start: 0, end: 4, wired: 2, user: true }]);
    expect(wires(a, 'f', 4)).toEqual([1, 1, 1, 1]);
    const b = upTo(t, u);
    expect(entries(b)).toEqual([{ start: 0, end: 4, wired: 1, user: false }]);
    expect(wires(b, 'f', 4)).toEqual([1, 1, 1, 1]);
    const o = simulate(t.rows);
    expect(resultOf(o, s2)).toBe('OK');
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(states(o, 'f', 4)).toEqual([R | D, R, R, R]);
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
  });

  it('2.4 unwire step 3: munlock of an entry that is not user wired is a silent no-op', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').op(0, 'wire', B, 4 * P, '');
    t.op(0, 'unwire', B, 4 * P, 'USER'); const sysOnly = last(t);
    t.op(0, 'unwire', B + 4 * P, 4 * P, 'USER'); const never = last(t);
    const o = simulate(t.rows);
    expect([resultOf(o, sysOnly), resultOf(o, never)]).toEqual(['OK', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: false }, { start: 4, end: 8, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
  });

  it('2.4 unwire step 4 (6 munmap): munmap unwires a user wiring implicitly; dirty pages stay in the object', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'write', B, P).op(0, 'wire', B, 4 * P, 'USER');
    t.op(10, 'unmap', B, 4 * P); const um = last(t);
    const o = simulate(t.rows);
    expect(resultOf(o, um)).toBe('OK');
    expect(doneAt(o, um)).toBe(10);
    expect(entries(o)).toEqual([]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
    expect(states(o, 'f', 4)).toEqual([R | D, R, R, R]);
    expect(o.writebacks).toEqual([]);
  });

  it('2.4 unwire step 4: munmap waits for an entry in transition (open replay, 10 µs per page faulted)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f');
    t.op(0, 'wire', B, 4 * P, 'USER'); const w = last(t);
    t.op(10, 'unmap', B, 4 * P); const um = last(t);
    const o = simulate(t.rows, { replay: 'open', cpu: { per_page_us: 10 } });
    expect([resultOf(o, w), resultOf(o, um)]).toEqual(['OK', 'OK']);
    expect([doneAt(o, w), doneAt(o, um)]).toEqual([40, 40]);
    expect(entries(o)).toEqual([]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('2.4 unwire step 4: munmap of a user map waits until its system wirings are released', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').op(0, 'wire', B, 4 * P, '');
    t.op(10, 'unmap', B, 4 * P); const um = last(t);
    t.op(50, 'unwire', B, 4 * P, ''); const uw = last(t);
    const o = simulate(t.rows, { replay: 'open' });
    expect([resultOf(o, uw), resultOf(o, um)]).toEqual(['OK', 'OK']);
    expect(doneAt(o, uw)).toBe(50);
    expect(doneAt(o, um)).toBe(50);
    expect(entries(o)).toEqual([]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
  });
});

describe('2.5 mlock / munlock', () => {
  it('2.5 mlock/munlock: range rounding overflow → EINVAL, before the max_user_wired check', () => {
    const t = new TraceBuilder().map(0, TOP - 4 * P, 4 * P, 'f');
    t.op(0, 'wire', TOP - P, 2 * P, 'USER'); const lock = last(t); // ends 1 page past 2^53; 2 pages > max 1 too
    t.op(0, 'wire', TOP - P, 2 * P, ''); const sys = last(t);
    t.op(0, 'unwire', TOP - P, 2 * P, 'USER'); const unlock = last(t);
    const o = simulate(t.rows, { memory: { max_user_wired_pages: 1 } });
    expect([lock, sys, unlock].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
    expect(entries(o).map((e) => e.wired)).toEqual([0]);
  });

  it('2.5 mlock: npages > vm_page_max_user_wired → ENOMEM before vm_map_wire (the range counts, not the mapped pages)', () => {
    const run = (max: number, addr: number, len: number, flags: string) => {
      const t = new TraceBuilder().map(0, B, 2 * P, 'f').op(0, 'wire', addr, len, flags);
      const o = simulate(t.rows, { memory: { max_user_wired_pages: max } });
      return { r: resultOf(o, last(t)), f: wires(o, 'f', 2), u: userWired(o) };
    };
    // 8-page range with only 2 pages mapped: refused by the syscall check, although 2 pages would fit
    expect(run(4, B, 8 * P, 'USER|HOLESOK')).toEqual({ r: 'ENOMEM', f: [0, 0], u: 0 });
    expect(run(8, B, 8 * P, 'USER|HOLESOK')).toEqual({ r: 'OK', f: [1, 1], u: 2 });
    expect(run(4, B - 2 * P, 4 * P, 'USER|HOLESOK')).toEqual({ r: 'OK', f: [1, 1], u: 2 }); // 4 is not > 4
    // a system wiring (vslock) has the same check (section 10 F6)
    expect(run(4, B, 8 * P, 'HOLESOK')).toEqual({ r: 'ENOMEM', f: [0, 0], u: 0 });
    expect(run(8, B, 8 * P, 'HOLESOK')).toEqual({ r: 'OK', f: [1, 1], u: 0 });
  });

  it('2.5 mlock: vm_map_wire failures other than KERN_INVALID_ARGUMENT → ENOMEM (unmapped, hole, resource shortage)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 4 * P, 'g');
    t.op(0, 'wire', B - P, 2 * P, 'USER|NOHOLES'); const unmapped = last(t);
    t.op(0, 'wire', B, 8 * P, 'USER|NOHOLES'); const hole = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER|NOHOLES'); const ok = last(t);
    t.op(0, 'wire', B + 6 * P, 4 * P, 'USER|NOHOLES'); const short = last(t); // 4 + 4 > 6
    const o = simulate(t.rows, { memory: { max_user_wired_pages: 6 } });
    expect([unmapped, hole, ok, short].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'ENOMEM', 'OK', 'ENOMEM']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 1, user: true }, { start: 6, end: 10, wired: 0, user: false }]);
    expect(o.result.wire.errors).toEqual({ ENOMEM: 3 });
  });

  it('2.5 munlock: overflow → EINVAL; a vm_map_unwire failure → ENOMEM (unmapped start, hole)', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 6 * P, 2 * P, 'g').op(0, 'wire', B, 4 * P, 'USER|NOHOLES');
    t.op(0, 'unwire', TOP - P, 2 * P, 'USER|NOHOLES'); const overflow = last(t);
    t.op(0, 'unwire', B - P, 2 * P, 'USER|NOHOLES'); const unmapped = last(t);
    t.op(0, 'unwire', B, 8 * P, 'USER|NOHOLES'); const hole = last(t);
    const o = simulate(t.rows);
    expect([overflow, unmapped, hole].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'ENOMEM', 'ENOMEM']);
    expect(entries(o)[0]).toEqual({ start: 0, end: 4, wired: 1, user: true });
  });
});

describe('2.7 operation table (mlock / munlock rows)', () => {
  it('2.7 mlock: overflow → max_user_wired → vm_map_wire (EINVAL, ENOMEM, ENOMEM); effect: USER_WIRED, pages faulted in and wired, not dirtied, no I/O', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, TOP - 4 * P, 4 * P, 'top');
    t.op(0, 'wire', TOP - 4 * P, 16 * P, 'USER|NOHOLES'); const overflow = last(t); // also 16 > 4 and past the map
    t.op(0, 'wire', B - 4 * P, 8 * P, 'USER|NOHOLES'); const tooMany = last(t); // 8 > 4
    t.op(0, 'wire', B - P, 2 * P, 'USER|NOHOLES'); const unmapped = last(t);
    t.op(0, 'wire', B, 4 * P, 'USER|NOHOLES'); const ok = last(t);
    const o = simulate(t.rows, { memory: { max_user_wired_pages: 4 } });
    expect([overflow, tooMany, unmapped, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'ENOMEM', 'ENOMEM', 'OK']);
    expect(entries(o)[0]).toEqual({ start: 0, end: 4, wired: 1, user: true });
    expect(states(o, 'f', 4)).toEqual([R, R, R, R]);
    expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
    expect(wires(o, 'top', 4)).toEqual([0, 0, 0, 0]);
    expect(o.writebacks).toEqual([]);
  });

  it('2.7 munlock: overflow → vm_map_unwire (EINVAL, ENOMEM); effect: USER_WIRED cleared, pages unwired at wired_count 0, no I/O', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g').op(0, 'write', B, 8 * P)
      .op(0, 'wire', B, 8 * P, 'USER|NOHOLES').op(0, 'wire', B + 4 * P, 4 * P, '');
    t.op(0, 'unwire', TOP - P, 2 * P, 'USER|NOHOLES'); const overflow = last(t);
    t.op(0, 'unwire', B + 8 * P, P, 'USER|NOHOLES'); const unmapped = last(t);
    t.op(0, 'unwire', B, 8 * P, 'USER|NOHOLES'); const ok = last(t);
    const o = simulate(t.rows);
    expect([overflow, unmapped, ok].map((l) => resultOf(o, l))).toEqual(['EINVAL', 'ENOMEM', 'OK']);
    // f: wired_count 1 → 0, pages unwired; g keeps its system wiring
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: false }, { start: 4, end: 8, wired: 1, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(wires(o, 'g', 4)).toEqual([1, 1, 1, 1]);
    expect(states(o, 'f', 4)).toEqual([R | D, R | D, R | D, R | D]);
    expect(o.writebacks).toEqual([]);
  });
});

describe('8 FreeBSD discrepancies (wiring)', () => {
  it('8 wire stacking: FreeBSD user wiring is a flag — three mlocks are undone by one munlock', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f')
      .op(0, 'wire', B, 4 * P, 'USER|NOHOLES').op(0, 'wire', B, 4 * P, 'USER|NOHOLES').op(0, 'wire', B, 4 * P, 'USER|NOHOLES')
      .op(0, 'unwire', B, 4 * P, 'USER|NOHOLES');
    const o = simulate(t.rows);
    expect(o.ops.map((x) => x.result)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    expect(entries(o)).toEqual([{ start: 0, end: 4, wired: 0, user: false }]);
    expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
  });

  it('8 wire failure: FreeBSD rolls back — no entry stays wired after a failed mlock', () => {
    const t = new TraceBuilder().map(0, B, 2 * P, 'f').map(0, B + 2 * P, 2 * P, 'g').map(0, B + 6 * P, 2 * P, 'h')
      .op(0, 'wire', B, 8 * P, 'USER|NOHOLES');
    const o = simulate(t.rows);
    expect(resultOf(o, last(t))).toBe('ENOMEM');
    expect(entries(o).map((e) => [e.wired, e.user])).toEqual([[0, false], [0, false], [0, false]]);
    expect([...wires(o, 'f', 2), ...wires(o, 'g', 2), ...wires(o, 'h', 2)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(userWired(o)).toBe(0);
    expect(o.sim.kernel.vm.counters.wired).toBe(0);
  });
});
