/**
 * The kernel-independent operations of a trace: map, unmap, write (store to
 * mapped pages) and read (fault pages in). Section 6 of semantics.md.
 */
import { ADVICE_FLAGS, Flag, type TraceRow } from '../../traces/types.ts';
import type { Kernel } from '../kernel.ts';
import { Page, type VmObject } from './object.ts';
import { MapEntry, type VmMap } from './map.ts';
import type { KernelPath } from './process.ts';
import { RATELIMIT_PAGES } from './ratelimit.ts';
import { TraceSemanticError } from './vm.ts';
import { mergeSpan } from './entries.ts';
import { RA_BITS } from './page-store.ts';
import type { FaultSite } from './fault-site.ts';
import { forEachLockedPiece, isPending, takePending, wireFaulted } from './lock-pending.ts';

/**
 * Creates a map entry for a `map` row. Errors of the trace (misaligned,
 * overlapping) throw. With `merge` (FreeBSD vm_map_insert →
 * vm_map_try_merge_entries) the new entry is merged with adjacent compatible
 * entries on both sides.
 */
export function mapOp(k: Kernel, map: VmMap, row: TraceRow, merge = false): void {
  const vm = k.vm, ps = vm.pageSize;
  if (row.addr % ps !== 0) throw new TraceSemanticError(row.line, 'addr', '0x' + row.addr.toString(16), `map address is not aligned to page_size ${ps}`);
  if (row.offset % ps !== 0) throw new TraceSemanticError(row.line, 'offset', '0x' + row.offset.toString(16), `map offset is not aligned to page_size ${ps}`);
  if (row.len === 0) throw new TraceSemanticError(row.line, 'len', '0', 'map of zero length');
  const end = vm.round(row.addr + row.len);
  const clash = map.overlapping(row.addr, end);
  if (clash) {
    throw new TraceSemanticError(row.line, 'addr', '0x' + row.addr.toString(16),
      `map [0x${row.addr.toString(16)}, 0x${end.toString(16)}) overlaps the entry [0x${clash.start.toString(16)}, 0x${clash.end.toString(16)}) of task '${map.name}'`);
  }
  const isSub = (row.flags & Flag.SUBMAP) !== 0;
  const obj = isSub ? undefined : vm.object(row.object);
  if (obj) {
    obj.sizePages = Math.max(obj.sizePages, (row.offset + (end - row.addr)) / ps);
    if (row.flags & Flag.PRECIOUS) obj.precious = true;
  }
  const shadow = !isSub && row.flags & Flag.PRIVATE ? vm.anonObject(`${row.object}@${map.name}:0x${row.addr.toString(16)}`) : undefined;
  map.insert(new MapEntry(row.addr, end, obj, row.offset, row.flags, isSub ? row.object : undefined, shadow));
  if (merge) mergeSpan(map, row.addr, end);
}

/**
 * Drops an entry's wiring (munmap unwires implicitly); pages a Linux
 * VM_LOCKED entry has not wired yet are passed over and forgotten
 * (./lock-pending.ts).
 */
export function dropWiring(k: Kernel, map: VmMap, e: MapEntry): void {
  if (e.wiredCount === 0) return;
  let pages = 0;
  k.vm.forEachPiece(map, e, (_obj, _first, count) => {
    pages += count;
  });
  forEachLockedPiece(k, map, e, (obj, first, count) => {
    for (let i = first; i < first + count; i++) obj.wire(i, -1);
  });
  takePending(map, e.start, e.end);
  if (e.userWired) k.vm.userWiredPages -= pages;
  e.wiredCount = 0;
  e.userWired = false;
}

/**
 * Removes the entries in [addr, addr+len); dirty pages stay dirty in their
 * objects; wiring of the removed entries is dropped. Waits for in-transition
 * entries and, with `waitSystemWired` (FreeBSD vm_map_delete on user maps),
 * until an entry's system wirings are released.
 */
export function* unmapOp(k: Kernel, map: VmMap, addr: number, len: number, waitSystemWired: boolean, drop: typeof dropWiring = dropWiring): KernelPath<string> {
  const vm = k.vm;
  const start = vm.trunc(addr), end = vm.round(addr + len);
  for (;;) {
    const e = map.overlapping(start, end);
    if (!e) break;
    if (e.inTransition || (waitSystemWired && e.systemWired > 0)) {
      yield map.transition;
      continue;
    }
    if (e.start < start) {
      map.clip(start);
      continue;
    }
    if (e.end > end) map.clip(end);
    drop(k, map, e);
    map.remove(e);
  }
  return 'OK';
}

/**
 * The munmap system call: its CPU cost, then {@link unmapOp} (`drop` undoes a
 * removed entry's wiring).
 */
export function* munmapSyscall(k: Kernel, map: VmMap, addr: number, len: number, waitSystemWired: boolean, drop: typeof dropWiring = dropWiring): KernelPath<string> {
  if (k.syscallNs > 0) yield k.syscallNs;
  return yield* unmapOp(k, map, addr, len, waitSystemWired, drop);
}

/**
 * Touches every page that [addr, addr+len) overlaps. A store faults the page
 * in and marks it dirty; a page under writeback blocks the writer until its
 * I/O completes (or, when the personality says so, is simply re-dirtied). A
 * load only faults pages in. With page-in (`k.pagein`), a non-resident page of
 * a file object is read from the device first and the task waits for the read
 * (../pager/pagein.ts); a failed read stops the op with `SIGBUS`. Both stop at
 * the first unmapped page (the process would take SIGSEGV) and count one fault.
 * A page a Linux VM_LOCKED entry has yet to wire is wired once it is in
 * (./lock-pending.ts).
 */
function* touchPages(k: Kernel, map: VmMap, addr: number, len: number, store: boolean, block: boolean, pageIn?: PageInWait): KernelPath<string> {
  if (len <= 0) return 'OK';
  const vm = k.vm, ps = vm.pageSize;
  const end = addr + len;
  let a = vm.trunc(addr);
  let faulted = 0;
  let result = 'OK';
  while (a < end) {
    const r = vm.resolve(map, a, store);
    if (!r) {
      if (store) k.faults.unmapped_write++;
      else k.faults.unmapped_read++;
      result = 'EFAULT';
      break;
    }
    const obj = r.obj;
    const pieceEnd = Math.min(r.end, end);
    const pin = obj.kind === 'vnode' ? k.pagein : undefined;
    const entry = r.entry, firstIdx = r.idx, pieceStart = a, rEnd = r.end;
    for (let idx = r.idx; a < pieceEnd; a += ps, idx++) {
      let s = obj.state(idx);
      if (pin && (!(s & Page.RESIDENT) || s & RA_BITS)) {
        const site: FaultSite = {
          idx, addr: a, entry, entryStart: entry.start, advice: entry.flags & ADVICE_FLAGS,
          lo: Math.max(0, firstIdx - (pieceStart - entry.start) / ps),
          hi: Math.min(Math.max(obj.sizePages, idx + 1), firstIdx + (rEnd - pieceStart) / ps),
        };
        if (s & Page.RESIDENT) pin.touched(obj, site);
        else {
          if (pageIn) yield* pageIn(k, obj);
          if (!(yield* pin.fault(obj, site))) {
            result = 'SIGBUS';
            break;
          }
          faulted++;
        }
        s = obj.state(idx);
      }
      if (!(s & Page.RESIDENT) && pageIn && obj.kind === 'vnode') {
        yield* pageIn(k, obj);
        s = obj.state(idx);
      }
      if (!(s & Page.RESIDENT) && k.pageout) {
        yield* k.pageout.reserve();
        s = obj.state(idx);
      }
      if (!store) {
        if (obj.fault(idx)) faulted++;
        if (map.lockPending !== undefined && isPending(map, a)) yield* wireFaulted(k, map, a);
        continue;
      }
      if (block) {
        while (s & Page.WB) {
          yield obj.waitQueue;
          s = obj.state(idx);
        }
      }
      if (!(s & Page.RESIDENT)) faulted++;
      const dirtied = obj.dirty(idx);
      if (dirtied > 0) {
        k.fs.pageDirtied(obj);
        // a large folio counts all the pages it dirtied (folio_account_dirtied: nr_dirtied += folio_nr_pages)
        if (k.writeback?.throttles && (map.dirtiedSinceCheck += dirtied) >= RATELIMIT_PAGES) yield* k.writeback.balance(map);
      }
      if (map.lockPending !== undefined && isPending(map, a)) yield* wireFaulted(k, map, a);
    }
    if (result !== 'OK') break;
  }
  if (store) k.dirtiedBytes += Math.max(0, Math.min(a, end) - addr);
  if (faulted > 0 && k.faultPageNs > 0) yield faulted * k.faultPageNs;
  return result;
}

/**
 * A store that cannot sleep, done at once without a kernel path: when every
 * page [addr, addr+len) overlaps is mapped and resident, needs no page-in
 * (no read-ahead mark either), is not under writeback while stores `block`,
 * and the dirty-page rate limit would not be reached, marks the pages dirty
 * exactly as {@link writeOp} would (same calls, same order) and returns
 * true. Otherwise changes nothing and returns false: the caller runs
 * {@link writeOp}.
 */
export function storeNoWait(k: Kernel, map: VmMap, addr: number, len: number, block: boolean): boolean {
  if (len <= 0) return true;
  const vm = k.vm, ps = vm.pageSize;
  const end = addr + len;
  const start = vm.trunc(addr);
  // a page a VM_LOCKED entry has yet to wire is wired by the general path (./lock-pending.ts)
  if (map.lockPending !== undefined && map.lockPending.overlaps(start, end)) return false;
  // pass 1: would the general path run to its end without sleeping? (no side effects)
  let newlyDirty = 0;
  // the object and first page of the range when one piece (one map entry) holds all of it, as most stores
  let oneObj: VmObject | undefined, oneIdx = 0;
  for (let a = start; a < end;) {
    const r = vm.resolve(map, a, true);
    if (!r) return false;
    const obj = r.obj;
    const pieceEnd = Math.min(r.end, end);
    if (a === start && pieceEnd === end) {
      oneObj = obj;
      oneIdx = r.idx;
    }
    const pin = obj.kind === 'vnode' && k.pagein !== undefined;
    for (let idx = r.idx; a < pieceEnd; a += ps, idx++) {
      const s = obj.state(idx);
      if (!(s & Page.RESIDENT) || (pin && s & RA_BITS) || (block && s & Page.WB)) return false;
      if (!(s & Page.DIRTY)) {
        // a store that dirties a large folio takes the general path (it counts the folio's pages)
        if (obj.folios !== undefined) return false;
        newlyDirty++;
      }
    }
  }
  const throttles = k.writeback?.throttles === true;
  if (throttles && map.dirtiedSinceCheck + newlyDirty >= RATELIMIT_PAGES) return false;
  // pass 2: what the general path does to each page (dirtying a page changes no other page's state)
  let a = start;
  if (oneObj !== undefined) {
    // one piece: no second lookup
    for (let idx = oneIdx; a < end; a += ps, idx++) {
      if (oneObj.dirty(idx) > 0) {
        k.fs.pageDirtied(oneObj);
        if (throttles) ++map.dirtiedSinceCheck;
      }
    }
  }
  while (a < end) {
    const r = vm.resolve(map, a, true) as NonNullable<ReturnType<typeof vm.resolve>>;
    const obj = r.obj;
    const pieceEnd = Math.min(r.end, end);
    for (let idx = r.idx; a < pieceEnd; a += ps, idx++) {
      if (obj.dirty(idx) > 0) {
        k.fs.pageDirtied(obj);
        if (throttles) ++map.dirtiedSinceCheck;
      }
    }
  }
  k.dirtiedBytes += Math.max(0, Math.min(a, end) - addr);
  return true;
}

/** What a page-in of a file page waits for first (FreeBSD: the vnode lock), if anything. */
export type PageInWait = (k: Kernel, obj: VmObject) => KernelPath<void>;

/** `write`: stores to every page the range overlaps (see {@link touchPages}); a page-in first runs `pageIn`. */
export function writeOp(k: Kernel, map: VmMap, addr: number, len: number, block: boolean, pageIn?: PageInWait): KernelPath<string> {
  return touchPages(k, map, addr, len, true, block, pageIn);
}

/** `read`: faults in every page the range overlaps (see {@link touchPages}); a page-in first runs `pageIn`. */
export function readOp(k: Kernel, map: VmMap, addr: number, len: number, pageIn?: PageInWait): KernelPath<string> {
  return touchPages(k, map, addr, len, false, false, pageIn);
}
