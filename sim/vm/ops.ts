/**
 * The kernel-independent operations of a trace: map, unmap, write (store to
 * mapped pages) and read (fault pages in). Section 6 of semantics.md.
 */
import { Flag, type TraceRow } from '../../traces/types.ts';
import type { Kernel } from '../kernel.ts';
import { Page } from './object.ts';
import { MapEntry, type VmMap } from './map.ts';
import type { KernelPath } from './process.ts';
import { TraceSemanticError } from './vm.ts';

/** Creates a map entry for a `map` row. Errors of the trace (misaligned, overlapping) throw. */
export function mapOp(k: Kernel, map: VmMap, row: TraceRow): void {
  const vm = k.vm, ps = vm.pageSize;
  if (row.addr % ps !== 0) throw new TraceSemanticError(row.line, 'addr', String(row.addr), `map address is not aligned to page_size ${ps}`);
  if (row.offset % ps !== 0) throw new TraceSemanticError(row.line, 'offset', String(row.offset), `map offset is not aligned to page_size ${ps}`);
  if (row.len === 0) throw new TraceSemanticError(row.line, 'len', '0', 'map of zero length');
  const end = vm.round(row.addr + row.len);
  const clash = map.overlapping(row.addr, end);
  if (clash) {
    throw new TraceSemanticError(row.line, 'addr', '0x' + row.addr.toString(16),
      `map [0x${row.addr.toString(16)}, 0x${end.toString(16)}) overlaps the entry [0x${clash.start.toString(16)}, 0x${clash.end.toString(16)}) of task '${map.name}'`);
  }
  const isSub = (row.flags & Flag.SUBMAP) !== 0;
  const obj = isSub ? undefined : vm.object(row.object);
  if (obj) obj.sizePages = Math.max(obj.sizePages, (row.offset + (end - row.addr)) / ps);
  const shadow = !isSub && row.flags & Flag.PRIVATE ? vm.anonObject(`${row.object}@${map.name}:0x${row.addr.toString(16)}`) : undefined;
  map.insert(new MapEntry(row.addr, end, obj, row.offset, row.flags, isSub ? row.object : undefined, shadow));
}

/** Drops an entry's wiring (munmap unwires implicitly). */
export function dropWiring(k: Kernel, map: VmMap, e: MapEntry): void {
  if (e.wiredCount === 0) return;
  let pages = 0;
  k.vm.forEachPiece(map, e, (obj, first, count) => {
    for (let i = first; i < first + count; i++) obj.wire(i, -1);
    pages += count;
  });
  if (e.userWired) k.vm.userWiredPages -= pages;
  e.wiredCount = 0;
  e.userWired = false;
}

/**
 * Removes the entries in [addr, addr+len); dirty pages stay dirty in their
 * objects. Waits for in-transition entries and, as FreeBSD vm_map_delete does
 * on user maps, until an entry's system wirings are released (a user wiring
 * is dropped implicitly).
 */
export function* unmapOp(k: Kernel, map: VmMap, addr: number, len: number): KernelPath<string> {
  const vm = k.vm;
  const start = vm.trunc(addr), end = vm.round(addr + len);
  for (;;) {
    const e = map.overlapping(start, end);
    if (!e) break;
    if (e.inTransition || e.systemWired > 0) {
      yield map.transition;
      continue;
    }
    if (e.start < start) {
      map.clip(start);
      continue;
    }
    if (e.end > end) map.clip(end);
    dropWiring(k, map, e);
    map.remove(e);
  }
  return 'OK';
}

/**
 * Stores to every page that [addr, addr+len) overlaps: fault in, mark dirty.
 * A page under writeback blocks the writer until its I/O completes (or, when
 * the personality says so, is simply re-dirtied). Stops at the first unmapped
 * page (the process would take SIGSEGV) and counts one fault.
 */
export function* writeOp(k: Kernel, map: VmMap, addr: number, len: number, block: boolean): KernelPath<string> {
  if (len <= 0) return 'OK';
  const vm = k.vm, ps = vm.pageSize;
  const end = addr + len;
  let a = vm.trunc(addr);
  let faulted = 0;
  let result = 'OK';
  while (a < end) {
    const r = vm.resolve(map, a, true);
    if (!r) {
      k.faults.unmapped_write++;
      result = 'EFAULT';
      break;
    }
    const obj = r.obj;
    const pieceEnd = Math.min(r.end, end);
    let idx = r.idx;
    for (; a < pieceEnd; a += ps, idx++) {
      let s = obj.state(idx);
      if (block) {
        while (s & Page.WB) {
          yield obj.waitQueue;
          s = obj.state(idx);
        }
      }
      if (!(s & Page.RESIDENT)) faulted++;
      obj.dirty(idx);
    }
  }
  k.dirtiedBytes += Math.max(0, Math.min(a, end) - addr);
  if (faulted > 0 && k.perPageNs > 0) yield faulted * k.perPageNs;
  return result;
}

/** Faults in every page that [addr, addr+len) overlaps; counts one fault at the first unmapped page. */
export function* readOp(k: Kernel, map: VmMap, addr: number, len: number): KernelPath<string> {
  if (len <= 0) return 'OK';
  const vm = k.vm, ps = vm.pageSize;
  const end = addr + len;
  let a = vm.trunc(addr);
  let faulted = 0;
  let result = 'OK';
  while (a < end) {
    const r = vm.resolve(map, a, false);
    if (!r) {
      k.faults.unmapped_read++;
      result = 'EFAULT';
      break;
    }
    const obj = r.obj;
    const pieceEnd = Math.min(r.end, end);
    for (let idx = r.idx; a < pieceEnd; a += ps, idx++) if (obj.fault(idx)) faulted++;
  }
  if (faulted > 0 && k.perPageNs > 0) yield faulted * k.perPageNs;
  return result;
}
