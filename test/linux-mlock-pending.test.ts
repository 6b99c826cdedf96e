/**
 * Linux mlock after a failed page-in read (sim/vm/lock-pending.ts,
 * sim/personality/linux/mlock.ts). do_mlock (mm/mlock.c) sets VM_LOCKED with
 * apply_vma_lock_flags / mlock_fixup before __mm_populate (mm/gup.c) faults
 * the range in; when populating fails, mlock returns ENOMEM and the VMAs stay
 * VM_LOCKED, so a page faulted in later through them is mlocked by the fault
 * path (folio_add_lru_vma → mlock_new_folio, mlock_vma_folio in mm/internal.h)
 * and a later munlock clears it. The model: pages populate did not reach are
 * wired at once when in memory, else when a load or store of the task or a
 * later mlock of the range brings them in; munlock / munmap unwire only what
 * the entry wired.
 *
 * Device `queue`: every I/O takes 100 µs; `device.error_rate` is switched at
 * set times (1: every I/O fails, 0: none) by an engine event of the test.
 * Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import type { OpRecord } from '../sim/stats/records.ts';
import type { VmObject } from '../sim/vm/object.ts';
import type { TraceRow } from '../traces/types.ts';
import { objOf, resultOf, TraceBuilder, withQueueDevice, type SimOutput } from './helpers.ts';

const P = 4096;
const B = 0x100000;
const S = 0x4000000;

/**
 * Replays `rows` on `personality` with page-in, the device failing every I/O
 * from `failFrom` µs until `failUntil` µs (none outside), RLIMIT_MEMLOCK out of the way.
 */
function run(rows: TraceRow[], failFrom: number, failUntil: number, personality = 'linux'): SimOutput {
  const config = resolveConfig(withQueueDevice({ personality, pagein: true, memory: { memlock_limit_bytes: 1 << 30 } }));
  const ops: OpRecord[] = [];
  const sim = new Simulator(config, { sync() {}, writeback() {}, timeline() {}, op: (r) => ops.push(r) });
  const device = config.device as { error_rate: number };
  sim.engine.at(failFrom * 1000, { fire: () => { device.error_rate = 1; } });
  sim.engine.at(failUntil * 1000, { fire: () => { device.error_rate = 0; } });
  sim.feed(rows);
  sim.end();
  sim.run();
  return { ops, sim } as unknown as SimOutput;
}

const wiresOf = (obj: VmObject, n: number) => Array.from({ length: n }, (_, i) => obj.wireCount(i));
const wires = (o: SimOutput, name: string, n: number) => wiresOf(objOf(o, name), n);
/** Task `task`'s pending ranges, in pages from `base`. */
const pending = (o: SimOutput, task = 'a', base = B) =>
  (o.sim.kernel.vm.maps.get(task)!.lockPending?.ranges() ?? []).map(([s, e]) => [(s - base) / P, (e - base) / P]);

describe('linux: an mlock whose populate fails leaves its range VM_LOCKED, pages wired as they come in', () => {
  it('a load or store of the task wires a pending page once in; a failed load leaves it pending; another task\'s load does not wire it; munlock unwires what was wired', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b');
    t.op(10, 'wire', B, 8 * P, 'USER'); // line 5: populate's read of [0,8) fails → ENOMEM
    t.op(300, 'read', B + P, 8); // line 6: still failing → SIGBUS, page 1 stays pending
    t.op(1000, 'read', S + 2 * P, 8, '', { task: 'b' }); // line 7: b reads [0,8) in; a's pages are not b's to wire
    t.op(2000, 'read', B + 3 * P, 8); // line 8: a's load of page 3 (in memory, no fault) wires it
    t.op(2100, 'write', B + 5 * P, 8); // line 9: a store of page 5 (the no-sleep fast path declines) wires it
    t.op(3000, 'unwire', B, 8 * P, 'USER'); // line 10
    const o = run(t.rows, 0, 500);
    expect([5, 6, 7, 8, 9, 10].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'SIGBUS', 'OK', 'OK', 'OK', 'OK']);
    expect(wires(o, 'f', 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(pending(o)).toEqual([]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(0);
  });

  it('the same run stopped before the munlock: pages 3 and 5 wired, the rest pending, locked_vm counts all 8 pages', () => {
    const t = new TraceBuilder().map(0, B, 8 * P, 'f').map(0, S, 8 * P, 'f', 0, '', 'b');
    t.op(10, 'wire', B, 8 * P, 'USER');
    t.op(300, 'read', B + P, 8);
    t.op(1000, 'read', S + 2 * P, 8, '', { task: 'b' });
    t.op(2000, 'read', B + 3 * P, 8);
    t.op(2100, 'write', B + 5 * P, 8);
    const o = run(t.rows, 0, 500);
    expect(wires(o, 'f', 8)).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
    expect(pending(o)).toEqual([[0, 3], [4, 5], [6, 8]]);
    expect(o.sim.kernel.vm.maps.get('a')!.entries.map((e) => e.userWired)).toEqual([true]);
    expect(o.sim.kernel.vm.userWiredPages).toBe(8);
  });

  it('pages in memory when populate fails are wired at once; a load of a private mapping wires its copy-on-write page; a second mlock populates the pending pages (each page wired once) and returns OK', () => {
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g', 0, 'PRIVATE');
    t.op(10, 'write', B + 4 * P, 8).op(10, 'write', B + 5 * P, 8); // copy-on-write pages 0, 1 of g zero-filled (no read)
    t.op(100, 'wire', B, 8 * P, 'USER'); // line 7: f's read fails at page 0
    const failed = run(t.rows, 0, 500);
    const shadow = (o: SimOutput) => o.sim.kernel.vm.maps.get('a')!.lookup(B + 4 * P)!.shadow!;
    expect(resultOf(failed, 7)).toBe('ENOMEM');
    expect([wires(failed, 'f', 4), wiresOf(shadow(failed), 4)]).toEqual([[0, 0, 0, 0], [1, 1, 0, 0]]);
    expect(pending(failed)).toEqual([[0, 4], [6, 8]]);

    t.op(2000, 'read', B + 6 * P, 8); // line 8: reads g's page 2, wires the copy-on-write page 2
    const loaded = run(t.rows, 0, 500);
    expect(resultOf(loaded, 8)).toBe('OK');
    expect(wiresOf(shadow(loaded), 4)).toEqual([1, 1, 1, 0]);
    expect(pending(loaded)).toEqual([[0, 4], [7, 8]]);

    t.op(3000, 'wire', B, 8 * P, 'USER'); // line 9: __mm_populate covers the range again
    const again = run(t.rows, 0, 500);
    expect(resultOf(again, 9)).toBe('OK');
    expect([wires(again, 'f', 4), wiresOf(shadow(again), 4)]).toEqual([[1, 1, 1, 1], [1, 1, 1, 1]]);
    expect(pending(again)).toEqual([]);
    expect(again.sim.kernel.vm.userWiredPages).toBe(8);
  });

  for (const [op, how] of [['unwire', 'munlock'], ['unmap', 'munmap']] as const) {
    it(`${how} of the failed range forgets its pending pages and leaves another task's wiring of them alone`, () => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, S, 4 * P, 'f', 0, '', 'b');
      t.op(10, 'wire', B, 4 * P, 'USER'); // line 5: fails, every page pending
      t.op(1000, 'wire', S, 4 * P, 'USER', { task: 'b' }); // line 6: b's mlock reads and wires f
      t.op(2000, op, B, 4 * P, op === 'unwire' ? 'USER' : ''); // line 7
      const o = run(t.rows, 0, 500);
      expect([5, 6, 7].map((l) => resultOf(o, l))).toEqual(['ENOMEM', 'OK', 'OK']);
      expect(wires(o, 'f', 4)).toEqual([1, 1, 1, 1]);
      expect(pending(o)).toEqual([]);
      expect(o.sim.kernel.vm.userWiredPages).toBe(4); // b's
    });
  }

  it('pages the failed populate wired before the failure stay wired and are unwired once by munlock', () => {
    // two entries: f's read [0,4) is issued at 10 µs, before the device fails (from 100 µs); g's, at 110 µs, fails
    const t = new TraceBuilder().map(0, B, 4 * P, 'f').map(0, B + 4 * P, 4 * P, 'g');
    t.op(10, 'wire', B, 8 * P, 'USER'); // line 5
    t.op(2000, 'unwire', B, 8 * P, 'USER'); // line 6
    const failed = run(t.rows.slice(0, 3), 100, 1e9);
    expect(resultOf(failed, 5)).toBe('ENOMEM');
    expect([wires(failed, 'f', 4), wires(failed, 'g', 4)]).toEqual([[1, 1, 1, 1], [0, 0, 0, 0]]);
    expect(pending(failed)).toEqual([[4, 8]]);
    const o = run(t.rows, 100, 1e9);
    expect([wires(o, 'f', 4), wires(o, 'g', 4)]).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(pending(o)).toEqual([]);
  });
});

describe('the other kernels roll a failed wiring back: nothing is left to wire later', () => {
  for (const p of ['freebsd', 'xnu', 'mach']) {
    it(`${p}: after a failed wire, a load of the range wires nothing`, () => {
      const t = new TraceBuilder().map(0, B, 4 * P, 'f');
      t.op(10, 'wire', B, 4 * P, 'USER|NOHOLES'); // line 4
      t.op(1000, 'read', B, 4 * P); // line 5
      const o = run(t.rows, 0, 500, p);
      expect(resultOf(o, 4)).not.toMatch(/^(OK|KERN_SUCCESS)$/);
      expect(resultOf(o, 5)).toBe('OK');
      expect(wires(o, 'f', 4)).toEqual([0, 0, 0, 0]);
      expect(o.sim.kernel.vm.maps.get('a')!.lockPending).toBeUndefined();
    });
  }
});
