/**
 * What the property tests (test/properties.test.ts) observe of a run and what
 * an OK msync promises per personality: each msync seen at issue and at
 * completion, the wiring invariant after every op, and counters of the corner
 * cases the random cases reached.
 */
import { expect } from 'vitest';
import { Flag, type TraceRow } from '../traces/types.ts';
import { Page, type VmObject } from '../sim/vm/object.ts';
import type { VmMap } from '../sim/vm/map.ts';
import { resolveConfig } from '../sim/config.ts';
import { Simulator as Sim } from '../sim/simulator.ts';
import type { OpRecord, WritebackRecord } from '../sim/stats/records.ts';
import { MAX_UPL_TRANSFER_BYTES } from '../sim/personality/xnu/msync.ts';
import { F_PAGES, fPagesOf, type Cfg, type Personality, PS, simConfig, spansHole, storedPages, TASKS } from './property-traces.ts';

/**
 * Pages of `f` an msync of [addr, addr+len) covers in `map`. len 0: FreeBSD
 * syncs the whole entry holding addr (2.2 step 2); Linux returns 0 at once
 * (4.1 step 5); Mach's size is 0 after rounding an aligned addr (KERN_SUCCESS,
 * nothing); XNU refuses it (EINVAL, 3.1 step 2).
 */
export function syncedPages(pers: Personality, map: VmMap, addr: number, len: number): number[] {
  if (len > 0) return fPagesOf(addr, len);
  if (pers !== 'freebsd') return [];
  const e = map.lookup(addr);
  return e ? fPagesOf(e.start, e.end - e.start) : [];
}

/** What an OK msync promises for the pages of its range that no store touched meanwhile and no failed I/O redirtied. */
export interface Guarantee {
  /** No page is dirty when it returns. */
  clean: boolean;
  /** No page is under writeback when it returns. */
  idle: boolean;
  /** Every page dirty at issue is written back (by this msync, or another one). */
  writes: boolean;
  /** Wired pages are left out (XNU never writes wired dirty pages, section 10 X2). */
  skipsWired: boolean;
}
/** No promise at all. */
export const NONE: Guarantee = { clean: false, idle: false, writes: false, skipsWired: false };

/** Per personality, from the flags (SYNC, ASYNC and INVALIDATE only: KILLPAGES and DEACTIVATE are not generated). */
export const GUARANTEE: Record<Personality, (flags: number) => Guarantee> = {
  // 2.1: MS_SYNC is 0, syncio = !ASYNC; every flag cleans the range (ASYNC through CLUSTER_OK putpages, F5: clean at once)
  freebsd: (f) => ({ clean: true, idle: !(f & Flag.ASYNC), writes: true, skipsWired: false }),
  // 3.1 step 6: no ASYNC = synchronous; 3.3/3.4: file pages returned; X2: wired dirty pages skipped
  xnu: (f) => ({ clean: true, idle: !(f & Flag.ASYNC), writes: true, skipsWired: true }),
  // 4.1: only MS_SYNC does anything (an fdatasync of the range, waiting for writeback in flight too)
  linux: (f) => (f & Flag.SYNC ? { clean: true, idle: true, writes: true, skipsWired: false } : NONE),
  // 5 flags table: SYNC/ASYNC return dirty pages (cleaned at once, copies written, never "under writeback" in
  // the kernel); INVALIDATE alone discards dirty data and frees every page; no flag touches only precious pages
  mach: (f) =>
    f & (Flag.SYNC | Flag.ASYNC) ? { clean: true, idle: true, writes: true, skipsWired: false }
    // wired pages (xnu-3789 choice): never flushed nor discarded, and a dirty one is returned only when dirty pages are
    : f & Flag.INVALIDATE ? { clean: true, idle: true, writes: false, skipsWired: true }
    : NONE,
};

/** Mach INVALIDATE without SYNC or ASYNC discards dirty data (5 flags table): a store before it is legitimately lost. */
export const discards = (pers: Personality, flags: number) => pers === 'mach' && (flags & Flag.INVALIDATE) !== 0 && (flags & (Flag.SYNC | Flag.ASYNC)) === 0;

/** Largest writeback I/O in pages: pager.cluster_pages, except XNU msync runs (MAX_UPL_TRANSFER_BYTES, 3.8 / 7). */
export const ioLimit = (pers: Personality, cause: string, clusterPages: number) =>
  pers === 'xnu' && cause === 'msync' ? Math.max(1, Math.floor(MAX_UPL_TRANSFER_BYTES / PS)) : clusterPages;

/** An msync as seen at issue and at completion. */
export interface MsyncSeen {
  row: TraceRow;
  pages: number[];
  /** Dirty pages of the range at issue, with the number of completed writebacks of each then. */
  dirtyAtIssue: [page: number, epoch: number][];
  wiredAtIssue: Set<number>;
  /** Pages of the range under writeback at issue. */
  wbAtIssue: number;
  wiredAtDone: Set<number>;
  /** State of each page of the range at completion. */
  stateAtDone: Map<number, number>;
  rec?: OpRecord;
}

/** Everything one run showed. */
export interface Observed {
  pers: Personality;
  ops: OpRecord[];
  writebacks: WritebackRecord[];
  msyncs: MsyncSeen[];
  /** Problems found after every op by the wiring invariant. */
  wiring: string[];
  /** Dirty pages of `f` dropped without a write (Mach INVALIDATE alone, the only caller of VmObject.discard), and when. */
  discarded: { page: number; tNs: number }[];
  sim: Sim;
}

/** Runs `rows`, watching each msync at issue (a wrapper of Simulator.execute) and at completion, and the wiring after every op. */
export function observe(rows: TraceRow[], cfg: Cfg): Observed {
  const pers = cfg.personality;
  const ops: OpRecord[] = [], writebacks: WritebackRecord[] = [], msyncs: MsyncSeen[] = [], wiring: string[] = [];
  const discarded: Observed['discarded'] = [];
  let watched: VmObject | undefined;
  const done = new Array<number>(F_PAGES).fill(0);
  const open = new Map<TraceRow, MsyncSeen>();
  const sim: Sim = new Sim(resolveConfig(simConfig(cfg)), {
    sync() {},
    timeline() {},
    writeback(w) {
      writebacks.push(w);
      if (w.object === 'f') for (let p = w.offset / PS; p < w.offset / PS + w.pages; p++) done[p]++;
    },
    op(r) {
      ops.push(r);
      const f = sim.kernel.vm.objects.get('f');
      const seen = open.get(r.row);
      if (seen && f) {
        open.delete(r.row);
        seen.rec = r;
        for (const p of seen.pages) {
          seen.stateAtDone.set(p, f.state(p));
          if (f.wireCount(p) > 0) seen.wiredAtDone.add(p);
        }
      }
      if (!f) return;
      // a page is wired exactly when an entry of some task that maps it is wired, and a wired page is resident; an
      // entry in transition (its pages being faulted in and wired, which may sleep: page-in, the vnode lock) is left out
      const entryWired = new Array<boolean>(F_PAGES).fill(false);
      const settling = new Array<boolean>(F_PAGES).fill(false);
      for (const task of TASKS) {
        for (const e of sim.kernel.vm.maps.get(task)?.entries ?? []) {
          if (e.object?.name !== 'f') continue;
          for (let a = e.start; a < e.end; a += PS) {
            if (e.inTransition) settling[(e.offset + a - e.start) / PS] = true;
            else if (e.wiredCount > 0) entryWired[(e.offset + a - e.start) / PS] = true;
          }
        }
      }
      for (let p = 0; p < F_PAGES; p++) {
        const w = f.wireCount(p) > 0;
        if (w && !(f.state(p) & Page.RESIDENT)) wiring.push(`after line ${r.row.line}: wired page ${p} not resident`);
        if (!settling[p] && w !== entryWired[p]) wiring.push(`after line ${r.row.line}: page ${p} wire count ${f.wireCount(p)} but an entry mapping it wired: ${entryWired[p]}`);
      }
    },
  });
  const execute = sim.execute.bind(sim);
  sim.execute = (task, row, closed) => {
    const fNow = sim.kernel.vm.objects.get('f');
    if (fNow && fNow !== watched) {
      // record every discard of f (a wrapper of this object's VmObject.discard)
      watched = fNow;
      const discard = fNow.discard.bind(fNow);
      fNow.discard = (idx) => {
        discarded.push({ page: idx, tNs: sim.kernel.engine.now });
        discard(idx);
      };
    }
    if (row.op === 'msync') {
      const f = sim.kernel.vm.objects.get('f');
      const pages = syncedPages(pers, task.map, row.addr, row.len);
      const seen: MsyncSeen = { row, pages, dirtyAtIssue: [], wiredAtIssue: new Set(), wbAtIssue: 0, wiredAtDone: new Set(), stateAtDone: new Map() };
      for (const p of f ? pages : []) {
        if (f!.state(p) & Page.DIRTY) seen.dirtyAtIssue.push([p, done[p]]);
        if (f!.wireCount(p) > 0) seen.wiredAtIssue.add(p);
        if (f!.state(p) & Page.WB) seen.wbAtIssue++;
      }
      msyncs.push(seen);
      open.set(row, seen);
    }
    execute(task, row, closed);
  };
  sim.feed(rows);
  sim.run();
  sim.end();
  sim.run();
  return { pers, ops, writebacks, msyncs, wiring, discarded, sim };
}

/** Pages of `f` stored to by a write of any task whose [issue, done] meets [t0, t1]. */
export function storedDuring(o: Observed, t0: number, t1: number): Set<number> {
  const out = new Set<number>();
  for (const r of o.ops) if (r.row.op === 'write' && r.tIssueNs <= t1 && r.tDoneNs >= t0) for (const p of storedPages(r.row.addr, r.row.len)) out.add(p);
  return out;
}

/** Pages of `f` discarded (dropped dirty, never written: Mach INVALIDATE alone) at a time in [t0, t1]. */
export function discardedDuring(o: Observed, t0: number, t1: number): Set<number> {
  return new Set(o.discarded.filter((d) => d.tNs >= t0 && d.tNs <= t1).map((d) => d.page));
}

/** Pages of `f` of failed writeback I/Os that ended in [t0, t1] (they are dirty again, 6 I/O error). */
export function failedDuring(o: Observed, t0: number, t1: number): Set<number> {
  const out = new Set<number>();
  for (const w of o.writebacks) if (!w.ok && w.object === 'f' && w.tDoneNs >= t0 && w.tDoneNs <= t1) for (let p = w.offset / PS; p < w.offset / PS + w.pages; p++) out.add(p);
  return out;
}

/** Whether the msync returned success (errno OK or KERN_SUCCESS). */
export const ok = (m: MsyncSeen) => m.rec?.result === 'OK' || m.rec?.result === 'KERN_SUCCESS';

/** Counters of the corner cases the random cases reached, over all runs of one property. */
export class Reach {
  readonly n: Record<string, number> = {};
  add(what: string, k = 1): void {
    this.n[what] = (this.n[what] ?? 0) + k;
  }
  /** Counts the corners of one run. */
  run(o: Observed): void {
    this.add(`runs ${o.pers}`);
    const okOnes = o.msyncs.filter(ok);
    this.add(`ok msyncs ${o.pers}`, okOnes.length);
    this.add('SYNC msync meeting a dirty page', okOnes.filter((m) => m.row.flags & Flag.SYNC && m.dirtyAtIssue.length > 0).length);
    this.add('OK msync across the hole (mach)', okOnes.filter((m) => o.pers === 'mach' && m.row.len > 0 && spansHole(m.row.addr, m.row.len)).length);
    this.add('OK len-0 msync over an entry (freebsd)', okOnes.filter((m) => m.row.len === 0 && m.pages.length > 0).length);
    const waits = okOnes.filter((m) => GUARANTEE[o.pers](m.row.flags).idle && m.wbAtIssue > 0).length;
    this.add('synchronous OK msync meeting writeback in flight', waits);
    this.add(`synchronous OK msync meeting writeback in flight ${o.pers}`, waits);
    this.add('failed I/Os', o.writebacks.filter((w) => !w.ok).length);
    let concurrent = 0;
    for (const m of o.msyncs) {
      if (o.msyncs.some((x) => x !== m && x.row.task !== m.row.task && x.rec && m.rec && x.rec.tIssueNs >= m.rec.tIssueNs && x.rec.tIssueNs < m.rec.tDoneNs)) concurrent++;
    }
    this.add('msync issued while another task\'s msync runs', concurrent);
  }
  /** Asserts every floor. */
  check(floors: Record<string, number>): void {
    for (const [what, min] of Object.entries(floors)) {
      if ((this.n[what] ?? 0) < min) expect.fail(`generator reach: '${what}' happened ${this.n[what] ?? 0} times, want at least ${min} (all counts: ${JSON.stringify(this.n)})`);
    }
  }
}
