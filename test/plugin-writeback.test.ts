/**
 * The writeback policy plugin interface (sim/pager/writeback-policy.ts): a
 * policy woken on the daemon's timer and by writers' ratelimit, its views and
 * ctx.write, and the errors of a policy that breaks the contract
 * (sim/pager/writeback.ts).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import type { WritebackRecord } from '../sim/stats/records.ts';
import { PluginError } from '../sim/plugin/plugin.ts';
import type { WritebackPolicy, WritebackPolicyPlugin } from '../sim/pager/writeback-policy.ts';
import { MAX_CALLS_PER_WAKE, MAX_IDLE_WAKES } from '../sim/pager/writeback.ts';
import { FLUSHER, NONE, SYNCER } from '../sim/pager/writeback-policies.ts';
import type { ObjectView, WritebackContext } from '../sim/pager/writeback-policy.ts';
import { TraceBuilder, withQueueDevice } from './helpers.ts';
import type { TraceRow } from '../traces/types.ts';

const PS = 4096;
const A = 0x10000000;
const MS = 1_000_000;

/** Runs `rows` under the writeback policy `policy` (named './p.ts'); writeback I/Os and the result. */
function run(rows: TraceRow[], policy: (setup: unknown) => WritebackPolicy, config: Record<string, unknown> = {}) {
  const writebacks: WritebackRecord[] = [];
  const plugin: WritebackPolicyPlugin = { name: 'p', create: (_params, setup) => policy(setup) };
  const cfg = resolveConfig(withQueueDevice({ ...config, writeback: { policy: './p.ts', interval_ms: 1, ...(config.writeback as object) } }));
  const sim = new Simulator(cfg, { sync: () => {}, writeback: (r) => writebacks.push(r), timeline: () => {} }, { plugins: { writeback: { name: './p.ts', plugin, params: {} } } });
  sim.feed(rows);
  sim.run();
  sim.end();
  sim.run();
  return { wb: writebacks.map((w) => [w.tSubmitNs / MS, w.offset / PS, w.pages, w.cause]), result: sim.result() };
}

/** 3 pages of f stored at 0.1 ms, a read at 10 ms keeping the replay going. */
const threePages = () => new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(100, 'write', A, 3 * PS).op(10_000, 'read', A, 8).rows;

/** A policy writing every dirty page at each wake-up, returning `next` from wake. */
const writeAll = (next?: number): WritebackPolicy => ({
  wake(ctx) {
    for (const o of ctx.objects()) if (o.dirtyPages > 0) ctx.write(o, 0, Math.max(o.sizePages, 1));
    return next;
  },
});

describe('writeback policy plugins', () => {
  it('wake() on the daemon timer (writeback.interval_ms) writes with ctx.write, cause syncer', () => {
    expect(run(threePages(), () => writeAll()).wb).toEqual([[1, 0, 3, 'syncer']]);
  });

  it('the delay wake() returns sets the next wake-up', () => {
    // wake-ups at 1 ms (from interval_ms), then every 0.25 ms; the store at 1.1 ms is written at 1.25 ms
    const rows = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(1100, 'write', A, PS).op(10_000, 'read', A, 8).rows;
    expect(run(rows, () => writeAll(0.25 * MS)).wb).toEqual([[1.25, 0, 1, 'syncer']]);
  });

  it('sees the objects, their dirty pages and since when, and the memory counters', () => {
    const seen: unknown[] = [];
    run(threePages(), () => ({
      wake(ctx) {
        if (ctx.now === 1 * MS) seen.push(ctx.objects().map((o) => [o.name, o.kind, o.sizePages, o.dirtyPages, o.dirtySince / MS, o.nextDirty(1)]), ctx.memory.dirty, ctx.device.queued);
      },
    }));
    expect(seen).toEqual([[['f', 'vnode', 64, 3, 0.1, 1]], 3, 0]);
  });

  it('balance() pauses writers every RATELIMIT_PAGES (32) pages they dirty: the throttle totals', () => {
    // one store of 32 pages: one balance call, one pause of 5 ms
    const rows = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(100, 'write', A, 32 * PS).rows;
    const o = run(rows, () => ({ *balance() { yield 5 * MS; } }));
    expect(o.result.throttle).toEqual({ count: 1, total_us: 5000, max_us: 5000 });
  });
});

describe('built-in policies on the policy interface', () => {
  const keys = { delay_ms: 30, expire_ms: 30, background_ratio: 10, dirty_ratio: 20, max_pause_ms: 200 };
  const setup = (memoryPages: number) => ({ memoryPages, intervalNs: 1000 * MS, clusterPages: 32, keys });

  it('none has neither wake nor balance (no daemon runs); flusher throttles only with a finite memory', () => {
    expect(Object.keys(NONE.create({}, setup(0)))).toEqual([]);
    expect(Object.keys(SYNCER.create({}, setup(100))).sort()).toEqual(['wake']);
    expect(Object.keys(FLUSHER.create({}, setup(0))).sort()).toEqual(['wake']);
    expect(Object.keys(FLUSHER.create({}, setup(100))).sort()).toEqual(['balance', 'wake']);
  });

  it('syncer wake: every object dirty for delay_ms or longer is written whole and ages again', () => {
    // at 100 ms: a dirty since 50 ms (50 ms old), b since 80 ms (20 ms old), c clean
    const obj = (id: number, dirtySince: number, sizePages: number): ObjectView =>
      ({ id, name: `o${id}`, kind: 'vnode', sizePages, dirtyPages: dirtySince < 0 ? 0 : 1, writebackPages: 0, dirtySince, nextDirty: () => -1, underWriteback: () => false });
    const objs = [obj(0, 50 * MS, 8), obj(1, 80 * MS, 4), obj(2, -1, 2)];
    const calls: string[] = [];
    const ctx = {
      now: 100 * MS, clusterPages: 32, memory: { pages: 0, resident: 0, dirty: 2, writeback: 0, wired: 0 },
      device: { channels: 1, busy: 0, queued: 0, urgentQueued: 0, outstanding: 0 },
      objects: () => objs,
      write: (o: ObjectView, first: number, count: number) => (calls.push(`write ${o.name} ${first}+${count}`), count),
      restartAge: (o: ObjectView) => void calls.push(`age ${o.name}`),
    } satisfies WritebackContext;
    SYNCER.create({}, setup(0)).wake!(ctx);
    expect(calls).toEqual(['write o0 0+8', 'age o0']);
  });
});

/** The PluginError of a run under `policy`. */
function errorOf(policy: () => WritebackPolicy, rows = threePages()): string {
  try {
    run(rows, policy, { stats: { sample_us: 1e6 } });
  } catch (e) {
    if (e instanceof PluginError) return e.message;
    throw e;
  }
  throw new Error('the run did not fail');
}

describe('a policy that breaks the contract fails the run, naming the plugin and the call', () => {
  it('throws', () => {
    expect(errorOf(() => ({ wake: () => { throw new Error('oops'); } }))).toBe("plugin './p.ts': wake(): threw Error: oops");
  });

  it('writes outside the object', () => {
    const outside = (): WritebackPolicy => ({ wake(ctx) { ctx.write(ctx.objects()[0], 60, 10); } });
    expect(errorOf(outside)).toBe("plugin './p.ts': wake() ctx.write(): pages [60, 60 + 10) are not a range inside object 'f' (pages 0 to 63)");
  });

  it('writes a range given as text or fractions, or an empty one: says which argument and what it got', () => {
    const write = (first: unknown, count: unknown) => (): WritebackPolicy => ({ wake(ctx) { ctx.write(ctx.objects()[0], first as number, count as number); } });
    const call = "plugin './p.ts': wake() ctx.write(): ";
    expect(errorOf(write('0', 1))).toBe(`${call}first must be an integer page index (got the string '0')`);
    expect(errorOf(write(0, 2.5))).toBe(`${call}count must be an integer number of pages (got 2.5)`);
    expect(errorOf(write(Number.NaN, 1))).toBe(`${call}first must be an integer page index (got NaN)`);
    expect(errorOf(write(0, 0))).toBe(`${call}count must be at least 1 page (got 0)`);
    expect(errorOf(write(-1, 2))).toBe(`${call}pages [-1, -1 + 2) are not a range inside object 'f' (pages 0 to 63)`);
  });

  it('changes a read-only view', () => {
    const meddle = (): WritebackPolicy => ({ wake(ctx) { (ctx.objects()[0] as { dirtyPages: number }).dirtyPages = 0; } });
    expect(errorOf(meddle)).toMatch(/^plugin '\.\/p\.ts': wake\(\): threw TypeError: .*dirtyPages/);
  });

  it('returns neither wake() nor balance(), so it would never run (a scheduler file named as the policy, a misspelt method)', () => {
    expect(errorOf(() => ({ wakeup() {} }) as WritebackPolicy)).toBe(
      "plugin './p.ts': create(): returned an object with neither wake() nor balance(), so the policy would never run (writeback.policy: none writes nothing in the background)",
    );
    const scheduler = () => ({ add() {}, pick() {} }) as WritebackPolicy;
    expect(errorOf(scheduler)).toBe(
      "plugin './p.ts': create(): returned an object with neither wake() nor balance(), so the policy would never run: its add() and pick() are an I/O scheduler's, which device.discipline names (writeback.policy: none writes nothing in the background)",
    );
  });

  it('returns a negative delay', () => {
    expect(errorOf(() => ({ wake: () => -1 }))).toBe("plugin './p.ts': wake(): the delay to the next wake-up is negative (-1 ns)");
  });

  it('loops inside a call without progress (a step budget per call)', () => {
    const loop = (): WritebackPolicy => ({ wake(ctx) { const o = ctx.objects()[0]; for (;;) ctx.restartAge(o); } });
    expect(errorOf(loop)).toBe(`plugin './p.ts': wake(): made more than ${MAX_CALLS_PER_WAKE} ctx.restartAge() calls in one call (no progress)`);
  });

  it('wakes again and again without writing (no progress over many wake-ups)', () => {
    expect(errorOf(() => ({ wake: () => 1 }))).toBe(`plugin './p.ts': wake(): woke ${MAX_IDLE_WAKES} times in a row less than 1 µs apart without writing anything (no progress)`);
  });

  it('stalls a writer for ever', () => {
    const rows = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(100, 'write', A, 32 * PS).rows;
    const never = (): WritebackPolicy => ({ *balance() { for (;;) yield 600e9; } });
    expect(errorOf(never, rows)).toBe("plugin './p.ts': balance(): stalled a writer for more than an hour of simulated time in one call (no progress)");
  });
});
