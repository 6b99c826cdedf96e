/**
 * The whole modelled VM: every task's map, every named object (shared by
 * name across tasks), the page counters, and address → page resolution
 * through entries and one level of sub-map.
 */
import type { Engine } from '../engine/queue.ts';
import { Flag } from '../../traces/types.ts';
import { PageCounters, VmObject } from './object.ts';
import type { PageStoreOptions } from './page-store.ts';
import { MapEntry, VmMap } from './map.ts';
import { WaitQueue } from './process.ts';

/** Where an address lands: an object page, and the top-level address where that contiguous piece ends. */
export interface Resolved {
  obj: VmObject;
  /** Page index in `obj` of the page containing the address. */
  idx: number;
  /** Top-level address (exclusive) up to which pages continue contiguously in `obj`. */
  end: number;
  entry: MapEntry;
}

/**
 * An error of the trace found while replaying it (e.g. a `map` overlapping an entry): `line` and
 * `column` locate the field, `text` shows its value as the row holds it (addresses in 0x hex);
 * the command line quotes the field as written in the file instead when it can read it back.
 */
export class TraceSemanticError extends Error {
  constructor(readonly line: number, readonly column: string, readonly text: string, message: string) {
    super(message);
    this.name = 'TraceSemanticError';
  }
}

/** VM state shared by every task. */
export class Vm {
  readonly counters = new PageCounters();
  readonly objects = new Map<string, VmObject>();
  readonly maps = new Map<string, VmMap>();
  /** Pages wired by user wiring (vm_page_max_user_wired accounting). */
  userWiredPages = 0;
  private nextObjectId = 0;
  private readonly scratch: Resolved = { obj: undefined as unknown as VmObject, idx: 0, end: 0, entry: undefined as unknown as MapEntry };

  constructor(
    private readonly engine: Engine,
    readonly pageSize: number,
    /** How objects store their page state (tests compare representations; results never depend on it). */
    private readonly pageStore: PageStoreOptions = {},
  ) {
    this.counters.clock = engine;
  }

  /** The named (vnode-like) object, created on first use. */
  object(name: string): VmObject {
    let o = this.objects.get(name);
    if (!o) {
      o = new VmObject(this.nextObjectId++, name, 'vnode', this.counters, new WaitQueue(this.engine), this.pageStore);
      this.objects.set(name, o);
    }
    return o;
  }

  /** A new anonymous object (private copy-on-write pages). */
  anonObject(name: string): VmObject {
    return new VmObject(this.nextObjectId++, name, 'anon', this.counters, new WaitQueue(this.engine), this.pageStore);
  }

  /** The map of `task` (also usable as a sub-map by that name), created on first use. */
  map(task: string): VmMap {
    let m = this.maps.get(task);
    if (!m) {
      m = new VmMap(task, new WaitQueue(this.engine));
      this.maps.set(task, m);
    }
    return m;
  }

  /** Rounds `addr` down to a page boundary. */
  trunc(addr: number): number {
    return addr - (addr % this.pageSize);
  }

  /** Rounds `addr` up to a page boundary. */
  round(addr: number): number {
    const r = addr % this.pageSize;
    return r === 0 ? addr : addr + (this.pageSize - r);
  }

  /**
   * Resolves `addr` in `map` to an object page, descending one level of
   * sub-map. `forWrite` selects a private mapping's copy-on-write object.
   * Returns a scratch record reused by the next call, or undefined when
   * unmapped (including a hole in the sub-map or a nested sub-map).
   */
  resolve(map: VmMap, addr: number, forWrite: boolean): Resolved | undefined {
    const e = map.lookup(addr);
    if (!e) return undefined;
    const r = this.scratch;
    if (e.flags & Flag.SUBMAP) {
      const sm = e.submap !== undefined ? this.maps.get(e.submap) : undefined;
      if (!sm) return undefined;
      const saddr = e.offset + (addr - e.start);
      const se = sm.lookup(saddr);
      if (!se || se.flags & Flag.SUBMAP || !se.object) return undefined;
      r.obj = forWrite && se.shadow ? se.shadow : se.object;
      r.idx = Math.floor((se.offset + (saddr - se.start)) / this.pageSize);
      r.end = Math.min(e.end, e.start + (se.end - e.offset));
      r.entry = e;
      return r;
    }
    r.obj = forWrite && e.shadow ? e.shadow : (e.object as VmObject);
    r.idx = Math.floor((e.offset + (addr - e.start)) / this.pageSize);
    r.end = e.end;
    r.entry = e;
    return r;
  }

  /**
   * Past the unmapped page at `addr` of `map` (one {@link resolve} does not resolve): the next
   * address that may resolve — the next entry's start, or inside a sub-map entry the start of the
   * sub-map's next entry (past a nested sub-map entry, which never resolves), at least a page on
   * and within the sub-map entry — or Infinity when no entry follows.
   */
  nextMapped(map: VmMap, addr: number): number {
    const e = map.lookupFrom(addr);
    if (e === undefined) return Infinity;
    if (e.start > addr) return e.start;
    const sm = e.submap !== undefined ? this.maps.get(e.submap) : undefined;
    const saddr = e.offset + (addr - e.start);
    const nx = sm?.lookupFrom(saddr);
    const skipTo = nx === undefined ? Infinity : nx.start <= saddr ? nx.end : nx.start;
    return Math.max(addr + this.pageSize, Math.min(e.end, e.start + (skipTo - e.offset)));
  }

  /**
   * Calls `fn(obj, firstIdx, count, addr)` for each contiguous object piece behind [start, end) of `e`
   * (pages that writes reach), `addr` being the address of the piece's first page.
   */
  forEachPiece(map: VmMap, e: MapEntry, fn: (obj: VmObject, first: number, count: number, addr: number) => void): void {
    let a = e.start;
    while (a < e.end) {
      const r = this.resolve(map, a, true);
      if (!r) {
        a = this.nextMapped(map, a); // a hole inside a sub-map
        continue;
      }
      const end = Math.min(r.end, e.end);
      const count = Math.ceil((end - a) / this.pageSize);
      fn(r.obj, r.idx, count, a);
      a = end;
    }
  }
}
