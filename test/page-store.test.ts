/**
 * The page-state store (sim/vm/page-store.ts): sparse and dense chunks answer
 * alike, switch at the threshold and back, and a whole simulation gives the
 * same results whichever representation holds its pages.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CHUNK_PAGES, Page, PageStore } from '../sim/vm/page-store.ts';
import { PageCounters, VmObject } from '../sim/vm/object.ts';
import { PageLru } from '../sim/vm/lru.ts';
import { WaitQueue } from '../sim/vm/process.ts';
import { Engine } from '../sim/engine/queue.ts';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import type { TraceRow } from '../traces/types.ts';
import { flags, TraceBuilder, withQueueDevice } from './helpers.ts';

/** Every page in use of `s` over [0, span), by walking next() from each mask. */
function walk(s: PageStore, span: number, mask: number): number[] {
  const out: number[] = [];
  for (let i = s.next(0, span, mask); i >= 0; i = s.next(i + 1, span, mask)) out.push(i);
  return out;
}

describe('PageStore', () => {
  it('reads 0 for untouched pages and creates no chunk for a cleared one', () => {
    const s = new PageStore();
    expect(s.state(5)).toBe(0);
    expect(s.wire(5)).toBe(0);
    s.setState(5, 0);
    s.setWire(9, 0);
    expect(s.shape()).toEqual({ chunks: 0, dense: 0, pagesInUse: 0 });
  });

  it('sets and clears state, wire and LRU node of a sparse page; the entry goes when all are 0', () => {
    const s = new PageStore({ denseAbove: 8 });
    s.setState(10_000, Page.RESIDENT | Page.DIRTY);
    s.setWire(10_000, 2);
    s.setLru(10_000, 7);
    expect([s.state(10_000), s.wire(10_000), s.lru(10_000)]).toEqual([Page.RESIDENT | Page.DIRTY, 2, 7]);
    expect(s.shape()).toEqual({ chunks: 1, dense: 0, pagesInUse: 1 });
    s.setState(10_000, 0);
    s.setLru(10_000, 0);
    expect(s.shape().pagesInUse).toBe(1); // still wired
    s.setWire(10_000, 0);
    expect(s.shape().pagesInUse).toBe(0);
    expect(s.state(10_000) + s.wire(10_000) + s.lru(10_000)).toBe(0);
  });

  it('next() over dense chunks (four pages a test; 32, from the DIRTY/WB bits, for those masks) finds the first page with a bit of the mask at any alignment', () => {
    const stateArb = fc.constantFrom(0, Page.RESIDENT, Page.RESIDENT | Page.DIRTY, Page.RESIDENT | Page.WB, Page.READING);
    fc.assert(fc.property(
      // pages near the start and across the first chunk boundary, where ranges of any alignment meet them
      fc.constantFrom(0, CHUNK_PAGES - 150),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 299 }), stateArb), { maxLength: 40 }),
      fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }),
      fc.constantFrom(Page.DIRTY, Page.WB, Page.RESIDENT, Page.DIRTY | Page.WB),
      (base, offs, at, span, mask) => {
        const sets = offs.map(([o, st]) => [base + o, st] as const);
        const from = base + at;
        const s = new PageStore({ denseAbove: 0 });
        const ref = new Map<number, number>();
        for (const [idx, st] of sets) {
          s.setState(idx, st);
          ref.set(idx, st);
        }
        const to = Math.min(2 * CHUNK_PAGES, from + span);
        let want = -1;
        for (let i = from; i < to; i++) if ((ref.get(i) ?? 0) & mask) { want = i; break; }
        expect(s.next(from, to, mask)).toBe(want);
      }), { numRuns: 2000 });
  });

  it('next() walks dirty pages in order across chunks, sparse and dense alike, within [from, to)', () => {
    const pages = [3, 4095, 4096, 9000, 9001, 20_000];
    for (const denseAbove of [0, 1, Infinity]) {
      const s = new PageStore({ denseAbove });
      for (const p of [...pages].reverse()) s.setState(p, Page.RESIDENT | Page.DIRTY);
      s.setState(9000, Page.RESIDENT); // resident, clean
      expect(walk(s, 30_000, Page.DIRTY)).toEqual([3, 4095, 4096, 9001, 20_000]);
      expect(walk(s, 30_000, Page.RESIDENT)).toEqual(pages);
      expect(s.next(4, 9001, Page.DIRTY)).toBe(4095);
      expect(s.next(4097, 9001, Page.DIRTY)).toBe(-1);
      expect(s.next(0, 30_000, Page.WB)).toBe(-1);
    }
  });

  it('a chunk goes dense above the threshold and back to sparse below a quarter of it, keeping every value', () => {
    const s = new PageStore({ denseAbove: 8 });
    for (let p = 0; p < 9; p++) {
      s.setState(p * 3, Page.RESIDENT | (p % 2 ? Page.DIRTY : 0));
      if (p === 4) s.setWire(12, 1);
      expect(s.shape().dense).toBe(p === 8 ? 1 : 0); // 9 pages > 8
    }
    expect(s.wire(12)).toBe(1);
    expect(walk(s, CHUNK_PAGES, Page.DIRTY)).toEqual([3, 9, 15, 21]);
    for (let p = 0; p < 7; p++) s.setState(p * 3, 0); // 21 and 24 left, and 12 still wired
    expect(s.shape()).toEqual({ chunks: 1, dense: 1, pagesInUse: 3 });
    s.setState(21, 0); // 2 in use: not under a quarter of 8
    expect(s.shape()).toEqual({ chunks: 1, dense: 1, pagesInUse: 2 });
    s.setState(24, Page.RESIDENT | Page.PRECIOUS);
    s.setState(24, 0); // 1 in use: sparse again
    expect(s.shape()).toEqual({ chunks: 1, dense: 0, pagesInUse: 1 });
    expect([s.wire(12), s.state(12), s.state(21), s.state(24)]).toEqual([1, 0, 0, 0]);
    s.setState(30, Page.RESIDENT);
    expect(walk(s, CHUNK_PAGES, Page.RESIDENT)).toEqual([30]);
  });

  it('denseAbove 0 is always dense, Infinity never', () => {
    const d = new PageStore({ denseAbove: 0 }), sp = new PageStore({ denseAbove: Infinity });
    for (let p = 0; p < CHUNK_PAGES; p++) {
      d.setState(p, Page.RESIDENT);
      sp.setState(p, Page.RESIDENT);
    }
    for (let p = 0; p < CHUNK_PAGES; p++) d.setState(p, 0);
    expect(d.shape()).toEqual({ chunks: 1, dense: 1, pagesInUse: 0 });
    expect(sp.shape()).toEqual({ chunks: 1, dense: 0, pagesInUse: CHUNK_PAGES });
  });

  it('matches a plain map under random sets, whatever the threshold', () => {
    const SPAN = 3 * CHUNK_PAGES;
    const op = fc.record({
      what: fc.constantFrom('state', 'wire', 'lru'),
      // pages bunched in a few places so chunks fill up and empty again
      page: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: CHUNK_PAGES - 20, max: CHUNK_PAGES + 20 }), fc.integer({ min: 0, max: SPAN - 1 })),
      value: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 })),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 300, size: 'max' }), fc.integer({ min: 1, max: 12 }), (ops, small) => {
      const stores = [0, small, Infinity].map((denseAbove) => new PageStore({ denseAbove }));
      const ref = { state: new Map<number, number>(), wire: new Map<number, number>(), lru: new Map<number, number>() };
      for (const o of ops) {
        ref[o.what].set(o.page, o.value);
        for (const s of stores) {
          if (o.what === 'state') s.setState(o.page, o.value);
          else if (o.what === 'wire') s.setWire(o.page, o.value);
          else s.setLru(o.page, o.value);
        }
      }
      const used = new Set([...ref.state, ...ref.wire, ...ref.lru].filter(([, v]) => v !== 0).map(([p]) => p));
      for (const s of stores) {
        for (const p of new Set([...ref.state.keys(), ...ref.wire.keys(), ...ref.lru.keys()])) {
          expect([s.state(p), s.wire(p), s.lru(p)]).toEqual([ref.state.get(p) ?? 0, ref.wire.get(p) ?? 0, ref.lru.get(p) ?? 0]);
        }
        expect(s.shape().pagesInUse).toBe(used.size);
        for (const mask of [Page.RESIDENT, Page.DIRTY, Page.WB, Page.DIRTY | Page.WB]) {
          const want = [...ref.state].filter(([, v]) => v & mask).map(([p]) => p).sort((a, b) => a - b);
          expect(walk(s, SPAN, mask)).toEqual(want);
        }
      }
    }), { numRuns: 100 });
  });
});

describe('PageStore.next over ranges far wider than the pages held', () => {
  it('finds the same pages as a sorted list, for chunks made in any order anywhere in 2^40 pages', () => {
    const page = fc.oneof(fc.integer({ min: 0, max: 3 * CHUNK_PAGES }), fc.integer({ min: 0, max: 2 ** 40 - 1 }));
    fc.assert(fc.property(fc.array(page, { minLength: 1, maxLength: 40 }), page, page, (pages, a, b) => {
      const s = new PageStore();
      for (const p of pages) s.setState(p, Page.RESIDENT | Page.DIRTY);
      const [from, to] = a <= b ? [a, b + 1] : [b, a + 1];
      const got: number[] = [];
      for (let i = s.next(from, to, Page.DIRTY); i >= 0; i = s.next(i + 1, to, Page.DIRTY)) got.push(i);
      expect(got).toEqual([...new Set(pages)].filter((p) => p >= from && p < to).sort((x, y) => x - y));
    }), { numRuns: 300 });
  });
});

describe('VmObject over any representation', () => {
  type ObjOp = { k: 'fault' | 'dirty' | 'startWb' | 'endWb' | 'endWbErr' | 'free' | 'wire' | 'unwire' | 'discard' | 'clearPrecious' | 'touch' | 'precious'; page: number };
  const objOp: fc.Arbitrary<ObjOp> = fc.record({
    k: fc.constantFrom('fault', 'dirty', 'dirty', 'startWb', 'endWb', 'endWbErr', 'free', 'free', 'wire', 'unwire', 'discard', 'clearPrecious', 'touch', 'precious'),
    page: fc.oneof(fc.integer({ min: 0, max: 24 }), fc.integer({ min: CHUNK_PAGES - 8, max: CHUNK_PAGES + 8 })),
  });

  it('the same op sequence gives the same pages, counters and LRU order for thresholds 0, small and Infinity', () => {
    fc.assert(fc.property(fc.array(objOp, { maxLength: 200, size: 'max' }), fc.integer({ min: 1, max: 6 }), (ops, small) => {
      const engine = new Engine();
      const views = [0, small, Infinity].map((denseAbove) => {
        const counters = new PageCounters();
        counters.lru = new PageLru();
        const obj = new VmObject(0, 'f', 'vnode', counters, new WaitQueue(engine), { denseAbove });
        for (const o of ops) {
          switch (o.k) {
            case 'endWb': obj.endWriteback(o.page, true); break;
            case 'endWbErr': obj.endWriteback(o.page, false); break;
            case 'startWb': obj.startWriteback(o.page); break;
            case 'unwire': obj.wire(o.page, -1); break;
            case 'wire': obj.wire(o.page, 1); break;
            case 'free': if (obj.wireCount(o.page) === 0 && !(obj.state(o.page) & (Page.DIRTY | Page.WB))) obj.free(o.page); break;
            case 'precious': obj.precious = !obj.precious; break;
            default: obj[o.k](o.page);
          }
        }
        const pages = [];
        for (let p = 0; p < 2 * CHUNK_PAGES; p++) if (obj.state(p) || obj.wireCount(p)) pages.push([p, obj.state(p), obj.wireCount(p)]);
        const lruOrder = [];
        for (let id = counters.lru.head; id; id = counters.lru.after(id)) lruOrder.push(counters.lru.page(id).idx);
        const { clock: _c, lru: _l, onObjectDirty: _o, ...count } = counters;
        return { pages, lruOrder, count, dirty: obj.dirtyPages, wb: obj.wbPages, gen: obj.generation, next: walkObj(obj) };
      });
      expect(views[1]).toEqual(views[0]);
      expect(views[2]).toEqual(views[0]);
    }), { numRuns: 150 });
  });

  function walkObj(o: VmObject): number[][] {
    return [Page.RESIDENT, Page.DIRTY, Page.WB].map((m) => {
      const out: number[] = [];
      for (let i = o.next(0, 2 * CHUNK_PAGES, m); i >= 0; i = o.next(i + 1, 2 * CHUNK_PAGES, m)) out.push(i);
      return out;
    });
  }
});

describe('whole runs over any representation', () => {
  const PS = 4096;
  const BASE = 0x40000000;
  /** Pages of the mapping: three chunks, so scans cross chunk boundaries. */
  const PAGES = 3 * CHUNK_PAGES;
  type Op = { kind: 'write' | 'msync' | 'wire' | 'unwire' | 'read'; page: number; pages: number; flags: string; dt: number };
  // writes bunch near the chunk boundaries and the start, so small thresholds switch back and forth
  const pageArb = fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: CHUNK_PAGES - 30, max: CHUNK_PAGES + 30 }), fc.integer({ min: 0, max: PAGES - 1 }));
  const opArb: fc.Arbitrary<Op> = fc.record({
    kind: fc.constantFrom('write', 'write', 'write', 'read', 'msync', 'msync', 'wire', 'unwire'),
    page: pageArb,
    pages: fc.integer({ min: 1, max: 40 }),
    flags: fc.constantFrom('', 'SYNC', 'ASYNC', 'SYNC|INVALIDATE', 'INVALIDATE', 'USER', 'SYSTEM|HOLESOK'),
    dt: fc.integer({ min: 0, max: 300 }),
  });

  function build(ops: Op[]): TraceRow[] {
    const b = new TraceBuilder('a');
    b.map(0, BASE, PAGES * PS, 'big', 0);
    b.map(0, BASE, PAGES * PS, 'big', 0, '', 'b');
    let t = 1;
    for (const [n, o] of ops.entries()) {
      t += o.dt;
      const task = n % 3 === 2 ? 'b' : 'a';
      const len = Math.min(o.pages, PAGES - o.page) * PS;
      const f = o.kind === 'msync' ? (o.flags.includes('SYNC') || o.flags.includes('INV') ? o.flags : 'SYNC')
        : o.kind === 'wire' || o.kind === 'unwire' ? (/USER|SYSTEM/.test(o.flags) ? o.flags : 'USER') : '';
      b.op(t, o.kind, BASE + o.page * PS, len, '', { task });
      b.rows[b.rows.length - 1].flags = flags(f);
    }
    return b.rows;
  }

  function run(rows: TraceRow[], cfg: Record<string, unknown>, denseAbove: number): unknown {
    const out: unknown[] = [];
    const sim = new Simulator(resolveConfig(withQueueDevice({ ...cfg, stats: { sample_us: 100, warmup_us: 0 } })), {
      sync: (r) => out.push(['sync', r]), writeback: (r) => out.push(['wb', r]), timeline: (r) => out.push(['tl', r]), op: (r) => out.push(['op', r.row.line, r.result, r.tDoneNs]),
    }, { pageStore: { denseAbove } });
    sim.feed(rows);
    sim.run();
    sim.end();
    try {
      sim.run();
    } catch (e) {
      out.push(['error', String(e)]);
    }
    return { out, result: sim.result() };
  }

  it('every personality gives the same records and result with thresholds 0, small and Infinity', () => {
    const cfgArb = fc.record({
      personality: fc.constantFrom('freebsd', 'linux', 'xnu', 'mach'),
      memory: fc.record({ pages: fc.constantFrom(0, 40, 200) }),
      writeback: fc.record({ policy: fc.constantFrom('none', 'syncer', 'flusher'), interval_ms: fc.constant(1), delay_ms: fc.constant(2), expire_ms: fc.constant(2) }),
      device: fc.record({ error_rate: fc.constantFrom(0, 0.1), channels: fc.integer({ min: 1, max: 2 }) }),
      pager: fc.record({ cluster_pages: fc.integer({ min: 1, max: 16 }) }),
      seed: fc.integer({ min: 0, max: 100 }),
    });
    let switched = 0;
    fc.assert(fc.property(fc.array(opArb, { maxLength: 80, size: 'max' }), cfgArb, fc.integer({ min: 1, max: 8 }), (ops, cfg, small) => {
      const rows = build(ops);
      const dense = run(rows, cfg, 0);
      expect(run(rows, cfg, small)).toEqual(dense);
      expect(run(rows, cfg, Infinity)).toEqual(dense);
      if (ops.filter((o) => o.kind === 'write').length > small) switched++;
    }), { numRuns: 60 });
    expect(switched).toBeGreaterThan(30); // most runs put more pages in a chunk than the small threshold
  });
});
