/**
 * The random traces of the property tests (test/properties.test.ts): every
 * task maps the same layout of one shared file `f` (two entries with a hole
 * between them) and a private object; the ops (stores, msyncs, wirings) are
 * drawn so that they reach the corners: hot pages, ranges inside an entry and
 * across the hole, len 0, two tasks msyncing one range at once, I/O errors.
 */
import fc from 'fast-check';
import { Flag, type TraceRow } from '../traces/types.ts';
import { TraceBuilder, withQueueDevice } from './helpers.ts';

/** Page size of the runs. */
export const PS = 4096;
/** Where every task maps `f`. */
export const BASE = 0x100000;
/** Layout of every task: A = f[0,64) at BASE; hole of 8 pages; B = f[64,96) after it; C = private g at 0x200000. */
export const A_PAGES = 64, HOLE = 8, B_PAGES = 32;
const SPAN = A_PAGES + HOLE + B_PAGES;
/** Pages of `f`. */
export const F_PAGES = A_PAGES + B_PAGES;
const PRIV = 0x200000;
/** The task names, in the order ops pick them. */
export const TASKS = ['a', 'b', 'c'];
/** The kernels the properties run under. */
export type Personality = 'freebsd' | 'xnu' | 'linux' | 'mach';
const PERSONALITIES: Personality[] = ['freebsd', 'xnu', 'linux', 'mach'];

/** One random op (msync `also`: the next task msyncs the same range `after` µs later). */
export type Op =
  | { kind: 'write'; task: number; page: number; pages: number; dt: number }
  | { kind: 'msync'; task: number; page: number; pages: number; flags: number; dt: number; also: { flags: number; after: number } | null }
  | { kind: 'wire' | 'unwire'; task: number; page: number; pages: number; flags: number; dt: number }
  | { kind: 'pwrite'; task: number; page: number; dt: number };

const orFlags = (a: number[]) => a.reduce((x, y) => x | y, 0);
/** Time to the next row: often 0, so that tasks issue together. */
const dtArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }));
const taskArb = fc.integer({ min: 0, max: TASKS.length - 1 });
/** msync flags: SYNC most often, every combination of SYNC, ASYNC, INVALIDATE sometimes; CONTIGUOUS now and then (Mach reports holes only with it). */
const msyncFlagsArb = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(Flag.SYNC) },
      { weight: 2, arbitrary: fc.constant(Flag.ASYNC) },
      { weight: 1, arbitrary: fc.constant(Flag.SYNC | Flag.INVALIDATE) },
      { weight: 3, arbitrary: fc.subarray([Flag.SYNC, Flag.ASYNC, Flag.INVALIDATE]).map(orFlags) },
    ),
    fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(Flag.CONTIGUOUS) }),
  )
  .map(([a, c]) => a | c);
/** A first page: half the time in the 16 hot pages at the start of A, else anywhere (in A, the hole or B). */
const pageArb = fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: SPAN - 1 }));

/** One random op. */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), task: taskArb, page: pageArb, pages: fc.integer({ min: 1, max: 8 }), dt: dtArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('msync' as const), task: taskArb,
      // mostly inside an entry (the hot pages of A, or B), sometimes anywhere (across the hole, past the end)
      page: fc.oneof(pageArb, fc.integer({ min: A_PAGES + HOLE, max: SPAN - 1 }), fc.integer({ min: 0, max: SPAN - 1 })),
      // len 0 (the whole entry on FreeBSD, nothing on Linux and Mach, EINVAL on XNU) one time in eight; small ranges; any
      pages: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: SPAN }) }),
      flags: msyncFlagsArb, dt: dtArb,
      // one time in three, the next task msyncs the same range at once or a little later (mostly SYNC: it meets the first one's writeback)
      also: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ flags: fc.oneof({ weight: 3, arbitrary: fc.constant(Flag.SYNC) }, { weight: 1, arbitrary: msyncFlagsArb }), after: fc.constantFrom(0, 1, 20) }) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('wire' as const, 'unwire' as const), task: taskArb, page: fc.integer({ min: 0, max: SPAN - 1 }), pages: fc.integer({ min: 0, max: 40 }), flags: fc.subarray([Flag.USER, Flag.SYSTEM, Flag.HOLESOK]).map(orFlags), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pwrite' as const), task: taskArb, page: fc.integer({ min: 0, max: 15 }), dt: dtArb }) },
);
/** A random op list (up to 80 ops). */
export const opsArb = fc.array(opArb, { maxLength: 80 });

/** The run configuration: personality, 1-3 tasks (`tasks`, not a config key), device with I/O errors. */
export const cfgArb = fc.record({
  personality: fc.constantFrom(...PERSONALITIES),
  tasks: fc.integer({ min: 1, max: TASKS.length }),
  pager: fc.record({ cluster_pages: fc.integer({ min: 1, max: 32 }), ipc_us: fc.integer({ min: 0, max: 20 }) }),
  device: fc.record({
    channels: fc.integer({ min: 1, max: 3 }),
    discipline: fc.constantFrom('fifo', 'sync_first'),
    service: fc.oneof(
      fc.record({ dist: fc.constant('constant'), mean_us: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ dist: fc.constant('exponential'), mean_us: fc.integer({ min: 1, max: 400 }) }),
    ),
    per_page_us: fc.integer({ min: 0, max: 20 }),
    error_rate: fc.oneof(fc.constant(0), fc.constantFrom(0.05, 0.2, 0.5)),
  }),
  seed: fc.integer({ min: 0, max: 1000 }),
});
/** A random run configuration (see cfgArb). */
export type Cfg = { personality: Personality; tasks: number; [k: string]: unknown };
/**
 * The configuration keys of `Cfg` (without `tasks`), on the queueing device (`device.profile:
 * queue`): CPU costs 0 and no page-in reads unless `Cfg` sets them. The properties describe the
 * write model (with page-in, a failed read under device.error_rate stops a store before it happens).
 */
export const simConfig = ({ tasks: _t, ...c }: Cfg) => withQueueDevice(c);

/** The trace of a random op list: every task maps the layout at time 0, then the ops follow (task = op.task mod tasks). */
export function build(ops: Op[], tasks: number): TraceRow[] {
  const b = new TraceBuilder('a');
  for (const task of TASKS.slice(0, tasks)) {
    b.map(0, BASE, A_PAGES * PS, 'f', 0, '', task);
    b.map(0, BASE + (A_PAGES + HOLE) * PS, B_PAGES * PS, 'f', A_PAGES * PS, '', task);
    b.map(0, PRIV, 16 * PS, 'g', 0, 'PRIVATE', task);
  }
  let t = 1;
  for (const o of ops) {
    t += o.dt;
    const task = TASKS[o.task % tasks];
    switch (o.kind) {
      case 'write': b.op(t, 'write', BASE + o.page * PS + 100, o.pages * PS - 200, '', { task }); break;
      case 'pwrite': b.op(t, 'write', PRIV + o.page * PS, 8, '', { task }); break;
      default:
        b.op(t, o.kind, BASE + o.page * PS, o.pages * PS, '', { task });
        b.rows[b.rows.length - 1].flags = o.flags;
        if (o.kind === 'msync' && o.also !== null && tasks > 1) {
          t += o.also.after;
          b.op(t, 'msync', BASE + o.page * PS, o.pages * PS, '', { task: TASKS[(o.task + 1) % tasks] });
          b.rows[b.rows.length - 1].flags = o.also.flags;
        }
    }
  }
  return b.rows;
}

/** Object page indices of `f` that [addr, addr+len) covers through the two shared entries. */
export function fPagesOf(addr: number, len: number): number[] {
  const first = Math.floor(addr / PS), last = Math.ceil((addr + len) / PS);
  const out: number[] = [];
  for (let p = first; p < last; p++) {
    const rel = p - BASE / PS;
    if (rel >= 0 && rel < A_PAGES) out.push(rel);
    else if (rel >= A_PAGES + HOLE && rel < SPAN) out.push(rel - HOLE);
  }
  return out;
}

/** Whether [addr, addr+len) meets the hole between the two entries of `f`. */
export const spansHole = (addr: number, len: number) => addr < BASE + (A_PAGES + HOLE) * PS && addr + len > BASE + A_PAGES * PS;

/** Pages of `f` a write stores to: it stops at the first unmapped page (the process would fault there). */
export function storedPages(addr: number, len: number): number[] {
  const out: number[] = [];
  if (addr >= PRIV) return out;
  for (let p = Math.floor(addr / PS); p < Math.ceil((addr + len) / PS); p++) {
    const got = fPagesOf(p * PS, PS);
    if (got.length === 0) break;
    out.push(got[0]);
  }
  return out;
}
