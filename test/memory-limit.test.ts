/**
 * The memory limit (`memory.pages`) holds for read-ahead pages too: a fault's
 * read-ahead window is reserved before its read (and cut to the room there is
 * when nothing more can be freed), and an asynchronous read-ahead window takes
 * only the room reclaim makes without sleeping, cut from its start
 * (sim/pager/pagein.ts). Property: whatever the kernel, the trace and the
 * read-ahead, resident pages never pass `memory.pages` while the pages that
 * cannot be freed (wired, anonymous) alone stay below it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulate, TraceBuilder } from './helpers.ts';
import type { TraceRow } from '../traces/types.ts';

const A = 0x10000000;
const G = 0x20000000;
const P = 0x30000000;
const PS = 4096;

describe('read-ahead under a memory limit', () => {
  it('linux: a sequential load far larger than memory keeps resident pages at memory.pages, asynchronous windows included', () => {
    // 1024 pages read in order under a limit of 100: each PG_readahead page starts a 32-page window asynchronously
    const rows = new TraceBuilder().map(0, A, 1024 * PS, 'f').op(0, 'read', A, 1024 * PS).rows;
    const o = simulate(rows, { personality: 'linux', pagein: true, memory: { pages: 100 } });
    expect(o.reads.some((r) => r.cause === 'readahead')).toBe(true);
    expect(o.result.memory.peak_resident_pages).toBe(100);
    expect(o.timeline.every((t) => t.residentPagesMax <= 100)).toBe(true);
    // every page was read once (nothing dropped before its use, in this order)
    expect(o.result.pagein.pages).toBe(1024);
  });

  it('an asynchronous window is cut from its start to the room reclaim can make: wired pages fill memory but 10 pages', () => {
    // 90 of 100 pages wired; a sequential load of f then has 10 pages of room: every read is at most 10 pages
    const rows = new TraceBuilder().map(0, P, 90 * PS, 'w').op(0, 'wire', P, 90 * PS, 'USER')
      .map(0, A, 256 * PS, 'f').op(10, 'read', A, 256 * PS).rows;
    const o = simulate(rows, { personality: 'linux', pagein: true, memory: { pages: 100, memlock_limit_bytes: 1 << 30 } });
    const f = o.reads.filter((r) => r.object === 'f');
    expect(f.length).toBeGreaterThan(0);
    expect(Math.max(...f.map((r) => r.pages))).toBeLessThanOrEqual(10);
    expect(o.result.memory.peak_resident_pages).toBe(100);
  });

  it('wired pages gathered at the head of the LRU do not hide the freeable pages behind them (more than one scan\'s 1024)', () => {
    // 1100 pages wired first (the oldest in the LRU), then 400 pages of g loaded under a limit of 1200
    const rows = new TraceBuilder().map(0, P, 1100 * PS, 'w').op(0, 'wire', P, 1100 * PS, 'USER')
      .map(0, G, 400 * PS, 'g').op(10, 'read', G, 400 * PS).rows;
    const o = simulate(rows, { personality: 'freebsd', pagein: true, memory: { pages: 1200, max_user_wired_pages: 1200 } });
    expect(o.result.wire.peak_wired_pages).toBe(1100);
    expect(o.result.memory.peak_resident_pages).toBe(1200);
  });
});

/** One op of the random traces: loads and stores of the file, stores to private memory, wirings. */
type Op =
  | { kind: 'read' | 'write'; task: number; page: number; pages: number; dt: number }
  | { kind: 'pwrite'; task: number; page: number; dt: number }
  | { kind: 'wire' | 'unwire'; task: number; page: number; pages: number; dt: number }
  | { kind: 'msync'; task: number; page: number; pages: number; dt: number };

const FILE_PAGES = 512;
const PRIV_PAGES = 8;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('read' as const, 'write' as const), task: fc.nat(2), page: fc.nat(FILE_PAGES - 1), pages: fc.integer({ min: 1, max: 64 }), dt: fc.nat(200) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pwrite' as const), task: fc.nat(2), page: fc.nat(PRIV_PAGES - 1), dt: fc.nat(200) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('wire' as const, 'unwire' as const), task: fc.nat(2), page: fc.nat(FILE_PAGES - 1), pages: fc.integer({ min: 1, max: 24 }), dt: fc.nat(200) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('msync' as const), task: fc.nat(2), page: fc.nat(FILE_PAGES - 1), pages: fc.integer({ min: 1, max: 64 }), dt: fc.nat(200) }) },
);

/** Every task maps the whole file f and 8 private pages; the ops follow. */
function build(ops: Op[], tasks: number): TraceRow[] {
  const b = new TraceBuilder();
  const names = ['a', 'b', 'c'].slice(0, tasks);
  for (const t of names) {
    b.map(0, A, FILE_PAGES * PS, 'f', 0, '', t);
    b.map(0, P, PRIV_PAGES * PS, 'p', 0, 'PRIVATE', t);
  }
  let t = 1;
  for (const o of ops) {
    t += o.dt;
    const task = names[o.task % tasks];
    if (o.kind === 'pwrite') b.op(t, 'write', P + o.page * PS, 8, '', { task });
    else {
      const pages = Math.min(o.pages, FILE_PAGES - o.page);
      b.op(t, o.kind, A + o.page * PS, pages * PS, o.kind === 'wire' || o.kind === 'unwire' ? 'USER' : o.kind === 'msync' ? 'SYNC' : '', { task });
    }
  }
  return b.rows;
}

const cfgArb = fc.record({
  personality: fc.constantFrom('freebsd', 'xnu', 'linux', 'mach'),
  tasks: fc.integer({ min: 1, max: 3 }),
  pages: fc.integer({ min: 60, max: 200 }),
  readahead: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 128 })),
  error_rate: fc.oneof(fc.constant(0), fc.constant(0.1)),
  channels: fc.integer({ min: 1, max: 3 }),
  seed: fc.nat(1000),
});

describe('the memory limit holds (fast-check)', () => {
  it('resident pages never pass memory.pages while wired and anonymous pages alone stay below it, for every personality', () => {
    const reached: Record<string, number> = { freebsd: 0, xnu: 0, linux: 0, mach: 0 };
    let pressed = 0;
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), cfgArb, (ops, c) => {
      const cfg: Record<string, unknown> = {
        personality: c.personality, pagein: true, seed: c.seed,
        memory: { pages: c.pages, memlock_limit_bytes: 1 << 30, max_user_wired_pages: c.pages },
        device: { channels: c.channels, error_rate: c.error_rate },
        stats: { sample_us: 50 },
      };
      if (c.readahead !== undefined) cfg.readahead = { pages: c.readahead };
      const o = simulate(build(ops, c.tasks), cfg);
      // pages no reclaim can free: wired ones, and at most every private page each task stored to
      const unfreeable = o.result.wire.peak_wired_pages + c.tasks * PRIV_PAGES;
      if (unfreeable >= c.pages) return;
      reached[c.personality]++;
      if (o.result.memory.evictions > 0) pressed++;
      expect(o.result.memory.peak_resident_pages).toBeLessThanOrEqual(c.pages);
    }), { numRuns: 200, seed: 20261206 });
    // the generator reaches every kernel and memory pressure
    for (const p of Object.keys(reached)) expect(reached[p]).toBeGreaterThan(20);
    expect(pressed).toBeGreaterThan(50);
  });
});
