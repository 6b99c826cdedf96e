/**
 * Building blocks shared by the personalities' map-entry and wiring code:
 * CPU time, clipping and merging entries, waiting out in-transition entries,
 * wiring the pages behind an entry.
 */
import type { Kernel } from '../kernel.ts';
import { forEachLockedPiece } from './lock-pending.ts';
import type { MapEntry, VmMap } from './map.ts';
import type { VmObject } from './object.ts';
import type { KernelPath } from './process.ts';

/** Spends `ns` of CPU time (nothing when 0). */
export function* cpu(k: Kernel, ns: number): KernelPath<void> {
  if (ns > 0) yield ns;
}

/** Pages of an entry. */
export function entryPages(k: Kernel, e: MapEntry): number {
  return (e.end - e.start) / k.vm.pageSize;
}

/**
 * Wires (+1) or unwires (-1) every page behind an entry at once; wiring makes
 * them resident without a read, then the pageout daemon trims other pages
 * under memory pressure. The personalities' wire paths fault pages in with
 * ./wire-fault.ts instead (reads, read-ahead, room made first) and use this
 * to unwire. Unwiring passes over the pages a Linux VM_LOCKED entry has not
 * wired yet (./lock-pending.ts).
 */
export function wirePages(k: Kernel, map: VmMap, e: MapEntry, delta: number): void {
  const wire = (obj: VmObject, first: number, count: number) => {
    for (let i = first; i < first + count; i++) obj.wire(i, delta);
  };
  if (delta > 0) {
    k.vm.forEachPiece(map, e, wire);
    k.pageout?.trim();
  } else forEachLockedPiece(k, map, e, wire);
}

/**
 * Waits until the entry at `addr` (or, with holesOk, the next one) is not in
 * transition; returns it, or undefined when nothing is mapped there any more.
 */
export function* settledEntry(map: VmMap, addr: number, end: number, holesOk: boolean): KernelPath<MapEntry | undefined> {
  for (;;) {
    const e = holesOk ? map.lookupFrom(addr) : map.lookup(addr);
    if (!e || e.start >= end) return undefined;
    if (!e.inTransition) return e;
    yield map.transition;
  }
}

/** Clips `e` to [start, end) and returns the piece inside. */
export function clipTo(map: VmMap, e: MapEntry, start: number, end: number): MapEntry {
  if (e.start < start) e = map.clip(start) as MapEntry;
  if (e.end > end) map.clip(end);
  return e;
}

/** vm_map_mergeable_neighbors: `b` continues `a` with the same object, flags and wiring. */
export function mergeable(a: MapEntry, b: MapEntry): boolean {
  return a.end === b.start && a.object === b.object && a.submap === b.submap && a.shadow === b.shadow &&
    a.flags === b.flags && a.offset + (a.end - a.start) === b.offset &&
    a.wiredCount === b.wiredCount && a.userWired === b.userWired && a.userWiredCount === b.userWiredCount && a.nestedUser === b.nestedUser && !a.inTransition && !b.inTransition;
}

/**
 * vm_map_try_merge_entries over the entries a wire/unwire worked on (the
 * address span [from, to)) and their neighbours on both sides: clipped pieces
 * left in the same state become one entry again.
 */
export function mergeSpan(map: VmMap, from: number, to: number): void {
  const es = map.entries;
  const lo = Math.max(1, map.indexFrom(from));
  for (let i = Math.min(map.indexFrom(to), es.length - 1); i >= lo; i--) {
    const a = es[i - 1], b = es[i];
    if (mergeable(a, b)) {
      map.remove(b);
      a.end = b.end;
    }
  }
}

