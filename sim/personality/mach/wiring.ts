/**
 * Mach wiring and deallocation: vm_map_wire / vm_map_unwire behind vm_wire
 * (and kernel wirings), vm_map_delete behind vm_deallocate (munmap), as read
 * in OSF MK6.1 (traviolia/osfmk6.1 @ 15d1a553) src/mach_kernel/vm/vm_map.c
 * (`if (!user_wire || (entry->user_wired_count++ == 0)) entry->wired_count++`;
 * the same code is in early XNU osfmk/vm/vm_map.c), plus xnu's
 * add_wire_counts user-wire limit (semantics.md 3.7).
 *
 * Counters per entry: `wiredCount` = kernel wirings + 1 while the entry has
 * any user wiring; `userWiredCount` counts user wirings (they stack). The
 * shared `userWired` bit is kept equal to `userWiredCount > 0`, so the shared
 * `systemWired` getter gives the kernel wirings. The pages behind an entry
 * are wired once while its `wiredCount` is above 0.
 */
import type { Kernel } from '../../kernel.ts';
import { clipTo, cpu, entryPages, wirePages } from '../../vm/entries.ts';
import { faultWire } from '../../vm/wire-fault.ts';
import type { MapEntry, VmMap } from '../../vm/map.ts';
import type { KernelPath } from '../../vm/process.ts';
import { KERN, type KernReturn } from '../kern.ts';

/** Sets an entry's user wiring count and the derived shared user bit. */
function setUserWired(e: MapEntry, n: number): void {
  e.userWiredCount = n;
  e.userWired = n > 0;
}

/** A first user wiring of `e` would pass `memory.max_user_wired_pages` (xnu add_wire_counts). */
function overUserLimit(k: Kernel, e: MapEntry): boolean {
  return e.userWiredCount === 0 && k.maxUserWiredPages > 0 && k.vm.userWiredPages + entryPages(k, e) > k.maxUserWiredPages;
}

/**
 * Takes one wiring of `e` (add_wire_counts): a user wiring bumps
 * `userWiredCount` and, the first time, `wiredCount` and the user-wired page
 * total, refused with KERN_RESOURCE_SHORTAGE above `memory.max_user_wired_pages`;
 * a kernel wiring bumps `wiredCount`. The pages of an entry whose `wiredCount`
 * leaves 0 are faulted in and wired by the caller (vm_fault_wire).
 */
function addWiring(k: Kernel, e: MapEntry, user: boolean): KernReturn {
  if (user) {
    if (e.userWiredCount === 0) {
      if (overUserLimit(k, e)) return KERN.RESOURCE_SHORTAGE;
      k.vm.userWiredPages += entryPages(k, e);
      e.wiredCount++;
    }
    setUserWired(e, e.userWiredCount + 1);
  } else e.wiredCount++;
  return KERN.SUCCESS;
}

/** Drops one wiring of `e` (subtract_wire_counts); pages are unwired when `wiredCount` reaches 0, unless `pages` is false (they are not wired). */
function dropWiring(k: Kernel, map: VmMap, e: MapEntry, user: boolean, pages = true): void {
  if (user) {
    setUserWired(e, e.userWiredCount - 1);
    if (e.userWiredCount > 0) return;
    k.vm.userWiredPages -= entryPages(k, e);
  }
  e.wiredCount--;
  if (pages && e.wiredCount === 0) wirePages(k, map, e, -1);
}

/** The page-rounded range of vm_wire / vm_deallocate: [trunc_page(addr), round_page(addr+len)). */
export function pageRange(k: Kernel, addr: number, len: number): { start: number; end: number } {
  return { start: k.vm.trunc(addr), end: k.vm.round(addr + len) };
}

/** Whether an unmapped gap follows `e` before `end` (the hole test of vm_map_wire/vm_map_unwire). */
function holeAfter(map: VmMap, e: MapEntry, end: number): boolean {
  if (e.end >= end) return false;
  const n = map.next(e);
  return !n || n.start > e.end;
}

/**
 * vm_map_wire: start unmapped → KERN_INVALID_ADDRESS. Entries from start, in
 * address order: an in-transition entry is waited for and looked up again
 * (gone → KERN_FAILURE); an entry already wired is clipped and gets one more
 * wiring, with no hole test (the walk goes on to the next entry, across a
 * gap); an unwired entry is clipped, then a gap after it →
 * KERN_INVALID_ADDRESS, else it is wired (in transition while its pages are
 * faulted in, `cpu.wire_page_us` each, absent file pages read from the device;
 * a failed read → KERN_FAILURE). Any failure undoes every wiring this
 * call took (the kernel's vm_map_unwire of [start, s)). Entries stay clipped.
 */
export function* mapWire(k: Kernel, map: VmMap, start: number, end: number, user: boolean): KernelPath<KernReturn> {
  if (!map.lookup(start)) return KERN.INVALID_ADDRESS;
  if (start === end) return KERN.SUCCESS;
  const taken: MapEntry[] = [];
  let rv: KernReturn = KERN.SUCCESS;
  let cur = start;
  let exact = true;
  while (cur < end) {
    let e = exact ? map.lookup(cur) : map.lookupFrom(cur);
    if (!e || e.start >= end) break;
    if (e.inTransition) {
      const s = Math.max(cur, e.start);
      yield map.transition;
      if (!map.lookup(s)) {
        rv = KERN.FAILURE; // re-lookup failed: undo and fail
        break;
      }
      cur = s;
      exact = true;
      continue;
    }
    exact = false;
    e = clipTo(map, e, Math.max(cur, e.start), end);
    if (e.wiredCount > 0) {
      rv = addWiring(k, e, user);
      if (rv !== KERN.SUCCESS) break;
      taken.push(e);
      cur = e.end;
      continue;
    }
    if (holeAfter(map, e, end)) {
      rv = KERN.INVALID_ADDRESS;
      break;
    }
    if (user && overUserLimit(k, e)) {
      rv = KERN.RESOURCE_SHORTAGE;
      break;
    }
    e.inTransition = true;
    yield* cpu(k, entryPages(k, e) * k.wirePageNs); // vm_fault_wire, map unlocked
    rv = addWiring(k, e, user);
    if (rv === KERN.SUCCESS) {
      // vm_fault_wire: each page faulted in (absent file pages asked of the pager: a read) and wired
      if (yield* faultWire(k, map, e.start, e.end)) taken.push(e);
      else {
        dropWiring(k, map, e, user, false); // its pages were unwired by the failed fault-in
        rv = KERN.FAILURE;
      }
    }
    e.inTransition = false;
    map.transition.wakeAll();
    if (rv !== KERN.SUCCESS) break;
    cur = e.end;
  }
  if (rv !== KERN.SUCCESS) for (const e of taken.reverse()) dropWiring(k, map, e, user);
  return rv;
}

/**
 * vm_map_unwire. User: start unmapped → KERN_INVALID_ADDRESS; then every
 * entry of the range loses one user wiring, except entries in transition,
 * entries without a user wiring, and an entry followed by a gap inside the
 * range (all skipped silently); always KERN_SUCCESS. Kernel: where Mach
 * panics (an entry in transition or without a kernel wiring, a gap), the
 * model refuses with KERN_INVALID_ARGUMENT before changing anything.
 */
export function* mapUnwire(k: Kernel, map: VmMap, start: number, end: number, user: boolean): KernelPath<KernReturn> {
  if (!map.lookup(start)) return KERN.INVALID_ADDRESS;
  if (!user) {
    for (let e = map.lookup(start); e && e.start < end; e = map.next(e)) {
      if (e.inTransition || e.systemWired === 0 || holeAfter(map, e, end)) return KERN.INVALID_ARGUMENT;
    }
  }
  let cur = start;
  while (cur < end) {
    let e = map.lookupFrom(cur);
    if (!e || e.start >= end) break;
    if (user && (e.inTransition || e.wiredCount === 0 || e.userWiredCount === 0)) {
      cur = e.end;
      continue;
    }
    e = clipTo(map, e, Math.max(cur, e.start), end);
    cur = e.end;
    if (user && holeAfter(map, e, end)) continue;
    dropWiring(k, map, e, user);
  }
  return KERN.SUCCESS;
}

/**
 * vm_map_delete (vm_deallocate, VM_MAP_NO_FLAGS): waits for in-transition
 * entries; a wired entry loses all its user wirings (and the wiring they
 * held); one still kernel-wired stops the removal with KERN_FAILURE (entries
 * before it are gone). Dirty pages stay dirty in their objects.
 */
export function* mapDelete(k: Kernel, map: VmMap, start: number, end: number): KernelPath<KernReturn> {
  for (;;) {
    let e = map.overlapping(start, end);
    if (!e) break;
    if (e.inTransition) {
      yield map.transition;
      continue;
    }
    e = clipTo(map, e, Math.max(start, e.start), end);
    if (e.userWiredCount > 0) {
      k.vm.userWiredPages -= entryPages(k, e);
      setUserWired(e, 0);
      e.wiredCount--;
      if (e.wiredCount === 0) wirePages(k, map, e, -1);
    }
    if (e.wiredCount !== 0) return KERN.FAILURE;
    map.remove(e);
  }
  map.transition.wakeAll();
  return KERN.SUCCESS;
}
