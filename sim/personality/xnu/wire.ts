/**
 * XNU wiring (semantics.md 3.7): mlock/munlock and kernel wiring through
 * vm_map_wire_nested / vm_map_unwire_nested, with add_wire_counts /
 * subtract_wire_counts keeping a counted user wiring per entry
 * (user_wired_count, MapEntry.userWiredCount) next to wired_count (kernel
 * wirings + 1 while the entry is user wired).
 */
import { ADDR_LIMIT, Flag } from '../../../traces/types.ts';
import type { Kernel } from '../../kernel.ts';
import type { MapEntry, VmMap } from '../../vm/map.ts';
import type { KernelPath } from '../../vm/process.ts';
import { clipTo, cpu, entryPages, mergeSpan, wirePages } from '../../vm/entries.ts';
import { faultWire } from '../../vm/wire-fault.ts';
import { dropWiring } from '../../vm/ops.ts';
import { KERN, type KernReturn, toErrno } from '../kern.ts';

/** MAX_WIRE_COUNT (osfmk/vm/vm_map_xnu.h): the largest wired_count and user_wired_count of an entry. */
export const MAX_WIRE_COUNT = 65535;

/** wire_limit_percents of osfmk/vm/vm_kern.c without jetsam (macOS), indexed by log2(memory size) - 32, clamped. */
export const WIRE_LIMIT_PERCENTS: readonly number[] = [70, 73, 76, 79, 82, 85, 88, 91, 94, 97];
/** VM_USER_WIREABLE_MIN_CONFIG: the percentage starts to grow above 2^32 bytes of memory. */
const USER_WIREABLE_MIN_CONFIG = 32;
/** VM_NOT_USER_WIREABLE_MAX: at most this many bytes are kept from user wiring. */
const NOT_USER_WIREABLE_MAX = 32 * 2 ** 30;

/**
 * kmem_set_user_wire_limits: vm_global_user_wire_limit, which is also the
 * default vm_per_task_user_wire_limit, for a memory of `memPages` pages of
 * `pageSize` bytes, in pages (rounded down); Infinity when memory is
 * unlimited (`memPages` 0).
 */
export function userWireLimitPages(memPages: number, pageSize: number): number {
  if (memPages <= 0) return Infinity;
  const mem = memPages * pageSize;
  let log = 0;
  while (2 ** (log + 1) <= mem) log++;
  const i = Math.min(Math.max(log - USER_WIREABLE_MIN_CONFIG, 0), WIRE_LIMIT_PERCENTS.length - 1);
  let limit = Math.floor((mem * WIRE_LIMIT_PERCENTS[i]) / 100);
  if (mem - limit > NOT_USER_WIREABLE_MAX) limit = mem - NOT_USER_WIREABLE_MAX;
  return Math.floor(limit / pageSize);
}

/** The user wire limit in pages: `memory.max_user_wired_pages` when set (the sysctls), else the default for `memory.pages`. */
function userWireLimit(k: Kernel): number {
  const m = k.config.memory;
  return m.max_user_wired_pages > 0 ? m.max_user_wired_pages : userWireLimitPages(m.pages, k.vm.pageSize);
}

/** map->user_wire_size in pages: the sizes of the map's user-wired entries. */
function mapUserWirePages(k: Kernel, map: VmMap): number {
  let n = 0;
  for (const e of map.entries) if (e.userWiredCount > 0) n += entryPages(k, e);
  return n;
}

/** Pages a user wiring of `e` adds to the VM's user-wired pages: a sub-map entry's are counted on the sub-map's own entries. */
function ownPages(k: Kernel, e: MapEntry): number {
  return e.flags & Flag.SUBMAP ? 0 : entryPages(k, e);
}

/** The sub-map a sub-map entry maps, if that task exists. */
function subMapOf(k: Kernel, e: MapEntry): VmMap | undefined {
  return e.submap !== undefined ? k.vm.maps.get(e.submap) : undefined;
}

/** The range of the sub-map behind sub-map entry `e` (sub_start, sub_end). */
function subRange(e: MapEntry): { start: number; end: number } {
  return { start: e.offset, end: e.offset + (e.end - e.start) };
}

/** mlock: vm_map_wire result → errno (3.7); anything else is ENOMEM. Also used for munlock and kernel wiring. */
export const WIRE_ERRNO: Partial<Record<KernReturn, string>> = {
  [KERN.SUCCESS]: 'OK',
  [KERN.INVALID_ARGUMENT]: 'EINVAL',
  [KERN.RESOURCE_SHORTAGE]: 'EAGAIN',
};

/**
 * add_wire_counts: a user wiring counts every time (user_wired_count++) but
 * adds to wired_count, and is checked against the limits, only on the entry's
 * first one; a kernel wiring adds to wired_count. The limits: the entry's
 * pages plus the map's user-wired pages over the per-task limit, or plus every
 * wired page of the system over the global limit.
 */
function addWireCounts(k: Kernel, map: VmMap, e: MapEntry, user: boolean): KernReturn {
  if (!user) {
    if (e.wiredCount >= MAX_WIRE_COUNT) return KERN.FAILURE; // XNU panics: "too many wirings"
    e.wiredCount++;
    return KERN.SUCCESS;
  }
  if (e.userWiredCount === 0) {
    const pages = entryPages(k, e);
    const limit = userWireLimit(k);
    if (pages + mapUserWirePages(k, map) > limit || pages + k.vm.counters.wired > limit) return KERN.RESOURCE_SHORTAGE;
    if (e.wiredCount >= MAX_WIRE_COUNT) return KERN.FAILURE;
    e.wiredCount++;
    k.vm.userWiredPages += ownPages(k, e);
  }
  if (e.userWiredCount >= MAX_WIRE_COUNT) return KERN.FAILURE;
  e.userWiredCount++;
  e.userWired = true;
  return KERN.SUCCESS;
}

/** subtract_wire_counts: the last user wiring of an entry gives back its wired_count share. */
function subtractWireCounts(k: Kernel, e: MapEntry, user: boolean): void {
  if (!user) {
    e.wiredCount--;
    return;
  }
  if (e.userWiredCount === 1) {
    e.wiredCount--;
    k.vm.userWiredPages -= ownPages(k, e);
  }
  e.userWiredCount--;
  e.userWired = e.userWiredCount > 0;
}

/**
 * An entry's wired_count reached 0: its pages are unwired, or, for a sub-map
 * entry, the sub-map's own entries lose the wiring its first wiring gave them
 * (vm_map_unwire_nested recursion, section 10 X4), with the kind (user or
 * kernel) of that wiring.
 */
function unwireBelow(k: Kernel, map: VmMap, e: MapEntry): void {
  if (!(e.flags & Flag.SUBMAP)) {
    wirePages(k, map, e, -1);
    return;
  }
  const sm = subMapOf(k, e);
  const r = subRange(e);
  if (sm && e.nestedUser !== undefined) mapUnwire(k, sm, r.start, r.end, e.nestedUser);
  e.nestedUser = undefined;
}

/** munmap's drop of a removed entry's wiring: a wired sub-map entry gives back its sub-map entries' wiring (X4). */
export function dropNestedWiring(k: Kernel, map: VmMap, e: MapEntry): void {
  if (!(e.flags & Flag.SUBMAP) || e.wiredCount === 0) {
    dropWiring(k, map, e);
    return;
  }
  unwireBelow(k, map, e);
  e.wiredCount = 0;
  e.userWiredCount = 0;
  e.userWired = false;
}

/**
 * The first wiring of sub-map entry `e` (X4): vm_map_wire_nested recursion
 * into its sub-map over the entry's range there, with the same user_wire; a
 * hole there fails the whole recursion (it rolls back its own part). The
 * sub-map's entries carry the counts; the entry is in transition meanwhile.
 */
function* wireBelow(k: Kernel, map: VmMap, e: MapEntry, user: boolean, visiting: ReadonlySet<VmMap>): KernelPath<KernReturn> {
  const sm = subMapOf(k, e);
  if (!sm || visiting.has(sm)) return KERN.INVALID_ADDRESS; // a sub-map no task ever used, or a cycle: all hole
  const r = subRange(e);
  const tStart = e.start;
  e.inTransition = true;
  const rc = yield* mapWire(k, sm, r.start, r.end, user, new Set([...visiting, sm]));
  const again = map.lookup(tStart);
  if (again) {
    again.inTransition = false;
    if (rc === KERN.SUCCESS) again.nestedUser = user;
  }
  map.transition.wakeAll();
  return rc;
}

/** Whether a hole follows `e` inside a range ending at `end`. */
function holeAfter(map: VmMap, e: MapEntry, end: number): boolean {
  if (e.end >= end) return false;
  const n = map.next(e);
  return !n || n.start > e.end;
}

/**
 * vm_map_unwire_nested (3.7, section 10 X1): entries in transition and
 * unwired entries (for a user unwire: entries without a user wiring) are
 * skipped; every other entry loses one wiring, also one followed by a hole
 * (HEAD comments out that skip), and its pages are unwired when wired_count
 * reaches 0. Never fails once the start is mapped; the caller has checked a
 * kernel unwire (see {@link kernelUnwirePanics}). The rollback of a failed
 * wiring uses it too, so no wiring level is left behind.
 */
function mapUnwire(k: Kernel, map: VmMap, start: number, end: number, user: boolean): KernReturn {
  if (start === end) return KERN.SUCCESS;
  let e = map.lookup(start);
  if (!e) return KERN.INVALID_ADDRESS;
  while (e && e.start < end) {
    if (e.inTransition || e.wiredCount === 0 || (user && e.userWiredCount === 0)) {
      e = map.next(e);
      continue;
    }
    e = clipTo(map, e, Math.max(start, e.start), end);
    const n = map.next(e);
    subtractWireCounts(k, e, user);
    if (e.wiredCount === 0) unwireBelow(k, map, e);
    e = n;
  }
  mergeSpan(map, start, end);
  map.transition.wakeAll();
  return KERN.SUCCESS;
}

/**
 * The conditions under which XNU panics on a kernel unwire of [start, end):
 * start unmapped, an entry in transition or not wired, a hole; and (the
 * model's addition) an entry without kernel wirings, whose user wiring XNU
 * would silently take.
 */
function kernelUnwirePanics(map: VmMap, start: number, end: number): boolean {
  const first = map.lookup(start);
  if (!first) return true;
  for (let e: MapEntry | undefined = first; e && e.start < end; e = map.next(e)) {
    if (e.inTransition || e.wiredCount === 0 || e.systemWired === 0 || holeAfter(map, e, end)) return true;
  }
  return false;
}

/**
 * vm_map_wire_nested (3.7). Walks the entries from `start`: an entry in
 * transition is waited for and looked up again (gone → KERN_FAILURE); an
 * entry already wired only gets its count (and the walk jumps to the next
 * entry, hole or not); an unwired entry is checked for a hole after it
 * (KERN_INVALID_ADDRESS), counted, then its pages are faulted in (read from
 * the device when absent, sim/vm/wire-fault.ts) and wired while it is in
 * transition; a failed read gives its counts back (KERN_FAILURE). Success
 * merges the entries back; failure undoes what was done with
 * vm_map_unwire_nested over [start, s).
 */
function* mapWire(k: Kernel, map: VmMap, start: number, end: number, user: boolean, visiting: ReadonlySet<VmMap> = new Set([map])): KernelPath<KernReturn> {
  if (start === end) return KERN.SUCCESS;
  let e = map.lookup(start);
  if (!e) return KERN.INVALID_ADDRESS;
  let s = start;
  let rc: KernReturn = KERN.SUCCESS;
  while (e && s < end) {
    if (e.inTransition) {
      yield map.transition;
      e = map.lookup(s);
      if (!e) {
        rc = KERN.FAILURE;
        break;
      }
      continue;
    }
    e = clipTo(map, e, s, end);
    if (e.wiredCount > 0) {
      rc = addWireCounts(k, map, e, user);
      if (rc !== KERN.SUCCESS) break;
      e = map.next(e);
      if (e) s = e.start;
      continue;
    }
    if (holeAfter(map, e, end)) {
      rc = KERN.INVALID_ADDRESS;
      break;
    }
    rc = addWireCounts(k, map, e, user);
    if (rc !== KERN.SUCCESS) break;
    const tStart = e.start, tEnd = e.end;
    if (e.flags & Flag.SUBMAP) {
      rc = yield* wireBelow(k, map, e, user, visiting);
      if (rc !== KERN.SUCCESS) {
        // undo this entry's count; the rollback below covers the entries before it
        const again = map.lookup(tStart);
        if (again) subtractWireCounts(k, again, user);
        s = tStart;
        break;
      }
    } else {
      e.inTransition = true;
      // the map is unlocked while vm_fault_wire faults in (pages in, VM_BEHAVIOR_SEQUENTIAL) and wires every page
      yield* cpu(k, entryPages(k, e) * k.wirePageNs);
      const faulted = yield* faultWire(k, map, tStart, tEnd);
      for (let x = map.lookupFrom(tStart); x && x.start < tEnd; x = map.next(x)) {
        x.inTransition = false;
        // vm_fault_wire failed (it unwired its pages): the entry's counts go back too
        if (!faulted) subtractWireCounts(k, x, user);
      }
      map.transition.wakeAll();
      if (!faulted) {
        rc = KERN.FAILURE;
        s = tStart;
        break;
      }
    }
    e = map.lookupFrom(tEnd);
    if (e && tEnd !== end && e.start !== tEnd) {
      // a "new" hole appeared while the map was unlocked
      s = tEnd;
      rc = KERN.INVALID_ADDRESS;
      break;
    }
    if (e) s = e.start;
  }
  if (rc === KERN.SUCCESS) mergeSpan(map, start, end);
  else mapUnwire(k, map, start, s, user);
  map.transition.wakeAll();
  return rc;
}

/**
 * The page-rounded range of a wire call, clamped to the map's bounds
 * (VM_MAP_RANGE_CHECK, section 10 X8): the model's maps end at 2^53, so a
 * range above it is empty. (A 64-bit overflow of addr+len, EINVAL in
 * vm_sanitize, cannot be expressed by a trace.)
 */
function wireRange(k: Kernel, addr: number, len: number): { start: number; end: number } {
  const start = Math.min(k.vm.trunc(addr), ADDR_LIMIT);
  const end = Math.min(k.vm.round(addr + len), ADDR_LIMIT);
  return { start, end };
}

/** mlock (USER) or a kernel wiring (no USER): len 0 → OK even unaligned (vm_sanitize, X5), then vm_map_wire_kernel over the clamped range. */
export function* wire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  if (len === 0) return 'OK';
  const r = wireRange(k, addr, len);
  const kr = yield* mapWire(k, map, r.start, r.end, (flags & Flag.USER) !== 0);
  return toErrno(kr, WIRE_ERRNO, 'ENOMEM');
}

/** munlock (USER) or a kernel unwiring (no USER): len 0 → OK even unaligned (X5), then vm_map_unwire over the clamped range; a kernel unwire XNU would panic on → EINVAL. */
export function* unwire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  if (len === 0) return 'OK';
  const r = wireRange(k, addr, len);
  const user = (flags & Flag.USER) !== 0;
  if (!user && r.start !== r.end && kernelUnwirePanics(map, r.start, r.end)) return 'EINVAL';
  return toErrno(mapUnwire(k, map, r.start, r.end, user), WIRE_ERRNO, 'ENOMEM');
}
