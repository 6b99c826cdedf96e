/**
 * Property tests (fast-check) of model invariants over random single-task
 * traces: synced ranges end clean, no dirty page is lost, msync writes back at
 * least every dirty page of its ranges, wired pages survive INVALIDATE, and
 * the results do not depend on how the trace was batched.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Flag, type TraceRow } from '../traces/types.ts';
import { Page } from '../sim/vm/object.ts';
import type { Simulator } from '../sim/simulator.ts';
import { simulate, TraceBuilder } from './helpers.ts';
import { resolveConfig } from '../sim/config.ts';
import { Simulator as Sim } from '../sim/simulator.ts';
import { ResultsDir } from '../scripts/results.ts';

const PS = 4096;
const BASE = 0x100000;
/** Layout: A = f[0,64) at BASE; hole of 8 pages; B = f[64,96) after it; C = private g at 0x200000. */
const A_PAGES = 64, HOLE = 8, B_PAGES = 32;
const SPAN = A_PAGES + HOLE + B_PAGES;
const PRIV = 0x200000;

type Op =
  | { kind: 'write'; page: number; pages: number; dt: number }
  | { kind: 'msync'; page: number; pages: number; flags: number; dt: number }
  | { kind: 'wire' | 'unwire'; page: number; pages: number; flags: number; dt: number }
  | { kind: 'pwrite'; page: number; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), page: fc.integer({ min: 0, max: SPAN - 1 }), pages: fc.integer({ min: 1, max: 4 }), dt: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('msync' as const), page: fc.integer({ min: 0, max: SPAN - 1 }), pages: fc.integer({ min: 0, max: SPAN }), flags: fc.subarray([Flag.SYNC, Flag.ASYNC, Flag.INVALIDATE]).map((a) => a.reduce((x, y) => x | y, 0)), dt: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('wire' as const, 'unwire' as const), page: fc.integer({ min: 0, max: SPAN - 1 }), pages: fc.integer({ min: 0, max: 40 }), flags: fc.subarray([Flag.USER, Flag.SYSTEM, Flag.HOLESOK]).map((a) => a.reduce((x, y) => x | y, 0)), dt: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pwrite' as const), page: fc.integer({ min: 0, max: 15 }), dt: fc.integer({ min: 0, max: 300 }) }) },
);

const cfgArb = fc.record({
  pager: fc.record({ cluster_pages: fc.integer({ min: 1, max: 32 }), ipc_us: fc.constant(0) }),
  device: fc.record({
    channels: fc.integer({ min: 1, max: 3 }),
    discipline: fc.constantFrom('fifo', 'sync_first'),
    service: fc.oneof(
      fc.record({ dist: fc.constant('constant'), mean_us: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ dist: fc.constant('exponential'), mean_us: fc.integer({ min: 1, max: 400 }) }),
    ),
    per_page_us: fc.integer({ min: 0, max: 20 }),
    error_rate: fc.constant(0),
  }),
  seed: fc.integer({ min: 0, max: 1000 }),
});

/** The trace of a random op list. Line numbers: row index + 3. */
function build(ops: Op[]): TraceRow[] {
  const b = new TraceBuilder('a');
  b.map(0, BASE, A_PAGES * PS, 'f', 0);
  b.map(0, BASE + (A_PAGES + HOLE) * PS, B_PAGES * PS, 'f', A_PAGES * PS);
  b.map(0, PRIV, 16 * PS, 'g', 0, 'PRIVATE');
  let t = 1;
  for (const o of ops) {
    t += o.dt;
    switch (o.kind) {
      case 'write': b.op(t, 'write', BASE + o.page * PS + 100, o.pages * PS - 200); break;
      case 'pwrite': b.op(t, 'write', PRIV + o.page * PS, 8); break;
      case 'msync': b.op(t, 'msync', BASE + o.page * PS, o.pages * PS); b.rows[b.rows.length - 1].flags = o.flags; break;
      default: b.op(t, o.kind, BASE + o.page * PS, o.pages * PS); b.rows[b.rows.length - 1].flags = o.flags;
    }
  }
  return b.rows;
}

/** Object page indices of `f` that [addr, addr+len) covers through the two shared entries. */
function fPagesOf(addr: number, len: number): number[] {
  const first = Math.floor(addr / PS), last = Math.ceil((addr + len) / PS);
  const out: number[] = [];
  for (let p = first; p < last; p++) {
    const rel = p - BASE / PS;
    if (rel >= 0 && rel < A_PAGES) out.push(rel);
    else if (rel >= A_PAGES + HOLE && rel < SPAN) out.push(rel - HOLE);
  }
  return out;
}

/** Pages of `f` a write stores to: it stops at the first unmapped page (the process would fault there). */
function storedPages(addr: number, len: number): number[] {
  const out: number[] = [];
  for (let p = Math.floor(addr / PS); p < Math.ceil((addr + len) / PS); p++) {
    const got = fPagesOf(p * PS, PS);
    if (got.length === 0) break;
    out.push(got[0]);
  }
  return out;
}

describe('model invariants (fast-check)', () => {
  it('after an OK synchronous msync, no page of its range is dirty or under writeback; ASYNC leaves none dirty', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), cfgArb, (ops, cfg) => {
      const rows = build(ops);
      const checks: string[] = [];
      let sim: Simulator | undefined;
      const o = simulate(rows, cfg);
      sim = o.sim;
      // re-run, checking at each msync completion
      const s2 = new Sim(resolveConfig(cfg), {
        sync() {}, writeback() {}, timeline() {},
        op(r) {
          if (r.row.op !== 'msync' || r.result !== 'OK') return;
          const f = s2.kernel.vm.objects.get('f')!;
          const len = r.row.len === 0 ? 0 : r.row.len;
          if (len === 0) return; // whole entry: covered by the explicit ranges below
          for (const p of fPagesOf(r.row.addr, len)) {
            const st = f.state(p);
            if (st & Page.DIRTY) checks.push(`line ${r.row.line}: page ${p} dirty after msync`);
            if (!(r.row.flags & Flag.ASYNC) && st & Page.WB) checks.push(`line ${r.row.line}: page ${p} under writeback after sync msync`);
          }
        },
      });
      s2.feed(rows);
      s2.run();
      s2.end();
      s2.run();
      expect(checks).toEqual([]);
      expect(sim.kernel.vm.counters.wb).toBe(0); // everything finished
    }), { numRuns: 150 });
  });

  it('no dirty page is lost: every page dirtied is still dirty or was written back after its last store', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), cfgArb, (ops, cfg) => {
      const rows = build(ops);
      const o = simulate(rows, cfg);
      const lastStore = new Map<number, number>();
      for (const r of o.ops) {
        if (r.row.op !== 'write' || r.row.addr >= PRIV) continue;
        for (const p of storedPages(r.row.addr, r.row.len)) lastStore.set(p, r.tDoneNs);
      }
      const lastWrite = new Map<number, number>();
      for (const w of o.writebacks) {
        expect(w.object).toBe('f');
        for (let p = w.offset / PS; p < w.offset / PS + w.pages; p++) lastWrite.set(p, Math.max(lastWrite.get(p) ?? -1, w.tSubmitNs));
      }
      const f = o.sim.kernel.vm.objects.get('f')!;
      for (const [p, t] of lastStore) {
        const ok = (f.state(p) & Page.DIRTY) !== 0 || (lastWrite.get(p) ?? -1) >= t;
        if (!ok) expect.fail(`page ${p} stored at ${t} ns is clean but last written at ${lastWrite.get(p)}`);
      }
      // private (copy-on-write) pages are never written back
      expect(o.writebacks.every((w) => w.object !== 'g')).toBe(true);
    }), { numRuns: 150 });
  });

  it('bytes written back by msync ≥ bytes of the distinct dirty pages in OK-synced ranges', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), cfgArb, (ops, cfg) => {
      const rows = build(ops);
      let dirtyInSynced = 0;
      // single task, closed replay, zero CPU cost: the state an msync sees at issue is the state
      // when the previous op finished (I/O completions in between only clean pages)
      let pendingDirty = new Map<number, number>();
      const sim = new Sim(resolveConfig(cfg), {
        sync() {}, writeback() {}, timeline() {},
        op(r) {
          if (r.row.op === 'msync' && r.result === 'OK') dirtyInSynced += pendingDirty.get(r.row.line) ?? 0;
          const idx = rows.findIndex((x) => x === r.row);
          const next = rows[idx + 1];
          if (next && next.op === 'msync') {
            const f = sim.kernel.vm.objects.get('f')!;
            let len = next.len;
            let addr = next.addr;
            if (len === 0) {
              const e = sim.kernel.vm.maps.get('a')!.lookup(addr);
              if (e) { addr = e.start; len = e.end - e.start; }
            }
            const n = fPagesOf(addr, len).filter((p) => f.state(p) & Page.DIRTY).length;
            pendingDirty.set(next.line, n);
          }
        },
      });
      sim.feed(rows);
      sim.run();
      sim.end();
      sim.run();
      const r = sim.result();
      expect(r.writeback.by_cause.msync).toBeGreaterThanOrEqual(dirtyInSynced * PS);
      pendingDirty = new Map();
    }), { numRuns: 150 });
  });

  it('wired pages are never freed (by INVALIDATE or anything else)', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), cfgArb, (ops, cfg) => {
      const rows = build(ops);
      const bad: string[] = [];
      const sim = new Sim(resolveConfig(cfg), {
        sync() {}, writeback() {}, timeline() {},
        op(r) {
          const f = sim.kernel.vm.objects.get('f');
          if (!f) return;
          for (let p = 0; p < A_PAGES + B_PAGES; p++) {
            if (f.wireCount(p) > 0 && !(f.state(p) & Page.RESIDENT)) bad.push(`after line ${r.row.line}: wired page ${p} not resident`);
          }
          // entry wiring and page wiring agree
          const m = sim.kernel.vm.maps.get('a')!;
          for (const e of m.entries) {
            if (!e.object || e.object.name !== 'f') continue;
            for (let a = e.start; a < e.end; a += PS) {
              const p = (e.offset + a - e.start) / PS;
              if ((e.wiredCount > 0) !== (f.wireCount(p) > 0)) bad.push(`after line ${r.row.line}: entry wired ${e.wiredCount} but page ${p} wire ${f.wireCount(p)}`);
            }
          }
        },
      });
      sim.feed(rows);
      sim.run();
      sim.end();
      sim.run();
      expect(bad).toEqual([]);
    }), { numRuns: 150 });
  });

  it('same seed → byte-identical result files, whatever the batch size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-prop-'));
    let n = 0;
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), cfgArb, fc.integer({ min: 1, max: 50 }), (ops, cfg, batch) => {
      const rows = build(ops);
      const outs = [1000, batch].map((bs) => {
        const out = join(dir, `run${n++}`);
        const rd = new ResultsDir(out);
        const sim = new Sim(resolveConfig({ ...cfg, stats: { sample_us: 50, warmup_us: 0 } }), rd);
        for (let i = 0; i < rows.length; i += bs) {
          sim.feed(rows.slice(i, i + bs));
          sim.run();
        }
        sim.end();
        sim.run();
        rd.commit(JSON.stringify(sim.result()));
        return out;
      });
      for (const f of readdirSync(outs[0])) {
        expect(readFileSync(join(outs[1], f), 'utf8')).toBe(readFileSync(join(outs[0], f), 'utf8'));
      }
    }), { numRuns: 60 });
  });
});
