/**
 * Pages of a Linux VM_LOCKED entry that are not mlocked yet. do_mlock sets
 * VM_LOCKED first (apply_vma_lock_flags → mlock_fixup, which also mlocks the
 * pages the VMA already maps: mlock_vma_pages_range) and only then faults the
 * range in (__mm_populate); when populating fails the VMAs stay VM_LOCKED,
 * and a page faulted in later through them is mlocked as it is mapped
 * (folio_add_lru_vma → mlock_new_folio, __folio_add_file_rmap →
 * mlock_vma_folio: mm/swap.c, mm/rmap.c, mm/internal.h). A map keeps the
 * addresses of such pages (VmMap.lockPending): a load or store of its task
 * that brings one in wires it (./ops.ts), an unwire of the entry passes them
 * over (they carry no wiring of it), munlock and munmap forget them.
 */
import type { Kernel } from '../kernel.ts';
import type { MapEntry, VmMap } from './map.ts';
import { Page, type VmObject } from './object.ts';
import { PageRanges } from './page-ranges.ts';
import type { KernelPath } from './process.ts';

/** Marks [start, end) of `map` as locked but not wired yet. */
export function addPending(map: VmMap, start: number, end: number): void {
  (map.lockPending ??= new PageRanges()).add(start, end);
}

/** Forgets the pending pages of [start, end) of `map`; returns their ranges, in address order. */
export function takePending(map: VmMap, start: number, end: number): [number, number][] {
  const p = map.lockPending;
  if (p === undefined) return [];
  const taken = p.take(start, end);
  if (p.empty) map.lockPending = undefined;
  return taken;
}

/** Whether the page at `addr` of `map` is locked but not wired yet. */
export function isPending(map: VmMap, addr: number): boolean {
  return map.lockPending !== undefined && map.lockPending.has(addr);
}

/**
 * What a failed populate did not reach, [start, end) ranges of VM_LOCKED
 * entries of `map`: a page in memory is wired now (mlock_fixup mlocked the
 * pages the VMA maps; the model takes a page in memory as mapped, as a load
 * of it is no fault), the others become pending. The page is the one a store
 * reaches, as populate wires; holes of a sub-map are passed over.
 */
export function lockLater(k: Kernel, map: VmMap, ranges: readonly (readonly [number, number])[]): void {
  const vm = k.vm, ps = vm.pageSize;
  for (const [start, end] of ranges) {
    let a = start, run = -1;
    while (a < end) {
      const r = vm.resolve(map, a, true);
      const inMemory = r !== undefined && (r.obj.state(r.idx) & Page.RESIDENT) !== 0;
      if (r === undefined || inMemory) {
        if (run >= 0) addPending(map, run, a);
        run = -1;
      }
      if (r === undefined) {
        a = Math.min(end, vm.nextMapped(map, a));
        continue;
      }
      if (inMemory) r.obj.wire(r.idx, +1);
      else if (run < 0) run = a;
      a += ps;
    }
    if (run >= 0) addPending(map, run, end);
  }
}

/**
 * The page at `addr` of `map`, pending, was just brought in by a load or
 * store of the task: wires it (mlock_new_folio / mlock_vma_folio). The page
 * is the one a store reaches, as populate wires (after a load of a private
 * mapping, its copy-on-write page, zero-filled with room made first).
 */
export function* wireFaulted(k: Kernel, map: VmMap, addr: number): KernelPath<void> {
  let r = k.vm.resolve(map, addr, true);
  if (r !== undefined && !(r.obj.state(r.idx) & Page.RESIDENT) && k.pageout) {
    yield* k.pageout.reserve();
    r = k.vm.resolve(map, addr, true);
  }
  if (!isPending(map, addr)) return; // munlocked or unmapped meanwhile
  takePending(map, addr, addr + k.vm.pageSize);
  r?.obj.wire(r.idx, +1);
}

/**
 * Calls `fn(obj, first, count)` for each piece behind `e` that carries its
 * wiring: {@link Vm.forEachPiece} less the pending pages.
 */
export function forEachLockedPiece(k: Kernel, map: VmMap, e: MapEntry, fn: (obj: VmObject, first: number, count: number) => void): void {
  const pending = map.lockPending;
  if (pending === undefined || !pending.overlaps(e.start, e.end)) {
    k.vm.forEachPiece(map, e, fn);
    return;
  }
  const ps = k.vm.pageSize;
  k.vm.forEachPiece(map, e, (obj, first, count, addr) => {
    let run = -1;
    for (let i = 0; i < count; i++) {
      if (!pending.has(addr + i * ps)) {
        if (run < 0) run = i;
      } else if (run >= 0) {
        fn(obj, first + run, i - run);
        run = -1;
      }
    }
    if (run >= 0) fn(obj, first + run, count - run);
  });
}
