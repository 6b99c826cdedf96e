/**
 * Property of Linux mlock with page-in reads that fail (sim/vm/lock-pending.ts):
 * whatever the order of mlocks, munlocks, loads and stores of two tasks, after
 * every op (while no mlock or munlock is under way) a page's wire count is the
 * number of VM_LOCKED entries mapping it at an address that is not pending, a
 * pending address lies in a VM_LOCKED entry, and a wired page is in memory.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import { Page, type VmObject } from '../sim/vm/object.ts';
import type { TraceRow } from '../traces/types.ts';
import { TraceBuilder, withQueueDevice } from './helpers.ts';

const P = 4096;
const B = 0x100000;
/** Every task maps f[0,16) shared at B and g[0,8) private right after it. */
const F = 16, G = 8;
const TASKS = ['a', 'b'];

type Op = { kind: 'wire' | 'unwire' | 'read' | 'write'; task: number; page: number; pages: number; dt: number };
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('wire' as const, 'wire' as const, 'unwire' as const, 'read' as const, 'read' as const, 'write' as const),
  task: fc.integer({ min: 0, max: 1 }),
  page: fc.integer({ min: 0, max: F + G - 1 }),
  pages: fc.integer({ min: 1, max: F + G }),
  dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
});
const cfgArb = fc.record({ error_rate: fc.constantFrom(0.2, 0.5), seed: fc.integer({ min: 0, max: 1000 }) });

function build(ops: Op[]): TraceRow[] {
  const b = new TraceBuilder('a');
  for (const task of TASKS) b.map(0, B, F * P, 'f', 0, '', task).map(0, B + F * P, G * P, 'g', 0, 'PRIVATE', task);
  let t = 1;
  for (const o of ops) {
    t += o.dt;
    const len = Math.min(o.pages, F + G - o.page) * P;
    b.op(t, o.kind, B + o.page * P, o.kind === 'read' || o.kind === 'write' ? len - 8 : len, o.kind === 'wire' || o.kind === 'unwire' ? 'USER' : '', { task: TASKS[o.task] });
  }
  return b.rows;
}

/** Runs `ops`; returns the invariant violations seen after each op and how many checks met pending pages. */
function check(ops: Op[], cfg: { error_rate: number; seed: number }): { bad: string[]; withPending: number; wiredLater: number } {
  const config = resolveConfig(withQueueDevice({ personality: 'linux', pagein: true, seed: cfg.seed, memory: { memlock_limit_bytes: 1 << 30 }, device: { error_rate: cfg.error_rate } }));
  const bad: string[] = [];
  let withPending = 0, wiredLater = 0, locking = 0;
  const sim: Simulator = new Simulator(config, {
    sync() {}, writeback() {}, timeline() {},
    op(r) {
      if (r.row.op === 'wire' || r.row.op === 'unwire') locking--;
      if (locking > 0) return;
      const vm = sim.kernel.vm;
      const f = vm.objects.get('f');
      if (!f) return;
      const expected = new Map<VmObject, number[]>([[f, new Array<number>(F).fill(0)]]);
      for (const task of TASKS) {
        const map = vm.maps.get(task);
        if (!map) continue;
        const pend = map.lockPending;
        if (pend) withPending++;
        for (const [s, e] of pend?.ranges() ?? []) {
          for (let a = s; a < e; a += P) if (!map.lookup(a)?.userWired) bad.push(`after line ${r.row.line}: ${task} pending 0x${a.toString(16)} not in a VM_LOCKED entry`);
        }
        for (const e of map.entries) {
          const obj = e.shadow ?? e.object!;
          if (!expected.has(obj)) expected.set(obj, new Array<number>(G).fill(0));
          for (let a = e.start; a < e.end; a += P) {
            if (e.userWired && !pend?.has(a)) expected.get(obj)![(e.offset + a - e.start) / P]++;
          }
        }
      }
      for (const [obj, want] of expected) {
        want.forEach((w, i) => {
          if (obj.wireCount(i) !== w) bad.push(`after line ${r.row.line}: ${obj.name} page ${i} wire count ${obj.wireCount(i)}, VM_LOCKED entries wiring it ${w}`);
          if (obj.wireCount(i) > 0 && !(obj.state(i) & Page.RESIDENT)) bad.push(`after line ${r.row.line}: ${obj.name} page ${i} wired, not resident`);
        });
      }
    },
  });
  const execute = sim.execute.bind(sim);
  sim.execute = (task, row, closed, tryFast) => {
    if (row.op === 'wire' || row.op === 'unwire') locking++;
    else if ((row.op === 'read' || row.op === 'write') && task.map.lockPending?.overlaps(row.addr - (row.addr % P), row.addr + row.len)) wiredLater++;
    execute(task, row, closed, tryFast);
  };
  sim.feed(build(ops));
  sim.end();
  sim.run();
  return { bad, withPending, wiredLater };
}

describe('linux: wire counts follow VM_LOCKED entries and their pending pages', () => {
  it('after every op: wire count = VM_LOCKED entries mapping the page at an address not pending; pending lies in VM_LOCKED entries; wired pages resident', () => {
    let withPending = 0, wiredLater = 0;
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), cfgArb, (ops, cfg) => {
      const o = check(ops, cfg);
      withPending += o.withPending;
      wiredLater += o.wiredLater;
      expect(o.bad.slice(0, 3)).toEqual([]);
    }), { numRuns: 300 });
    // the runs reach the states of the rule: checks meeting pending pages, loads and stores over them
    // (measured over 300 runs with FC_SEED unset, 1, 2, 3: 493/49, 689/77, 351/46, 442/44)
    expect(withPending).toBeGreaterThanOrEqual(200);
    expect(wiredLater).toBeGreaterThanOrEqual(25);
  });
});
