/**
 * FreeBSD wiring (semantics.md 2.4, 2.5): vm_map_wire / vm_map_unwire behind
 * mlock / munlock and system wiring (vslock), with the vm.max_user_wired limit.
 * Wiring faults each page in through vm_fault (../../vm/wire-fault.ts): absent
 * file pages are read with the entry's read-ahead, under the vnode lock an
 * msync may hold.
 */
import { ADDR_LIMIT, Flag } from '../../../traces/types.ts';
import type { Kernel } from '../../kernel.ts';
import type { MapEntry, VmMap } from '../../vm/map.ts';
import type { KernelPath } from '../../vm/process.ts';
import { clipTo, cpu, entryPages, mergeSpan, settledEntry, wirePages } from '../../vm/entries.ts';
import { faultWire } from '../../vm/wire-fault.ts';
import { KERN, type KernReturn, toErrno } from '../kern.ts';
import { waitVnodeUnlocked } from './vnode-lock.ts';

/** kern_mlock: vm_map_wire result → errno (2.5); anything else is ENOMEM. */
export const WIRE_ERRNO: Partial<Record<KernReturn, string>> = {
  [KERN.SUCCESS]: 'OK',
  [KERN.INVALID_ARGUMENT]: 'EINVAL',
};

/** vslock: vm_map_wire result → errno for a system wiring (section 10 F6): anything but success is EFAULT. */
export const VSLOCK_ERRNO: Partial<Record<KernReturn, string>> = {
  [KERN.SUCCESS]: 'OK',
};

/**
 * vm_page_max_user_wired in pages: `memory.max_user_wired_pages` when set,
 * else 4 × memory pages / 5 (vm_pageout_init, section 10 F3); 0 (no limit)
 * when memory is unlimited.
 */
export function maxUserWired(k: Kernel): number {
  const m = k.config.memory;
  return m.max_user_wired_pages > 0 ? m.max_user_wired_pages : Math.floor((4 * m.pages) / 5);
}

/** What mapWire did to an entry: nothing, one more wiring, its first wiring, or a first wiring whose fault-in failed (pages already unwired). */
type WireAction = 'none' | 'inc' | 'wired' | 'failed';

/** vm_map_wire (2.4): all or nothing; entries are merged back afterwards. */
function* mapWire(k: Kernel, map: VmMap, start: number, end: number, user: boolean, holesOk: boolean): KernelPath<KernReturn> {
  if (start === end) return KERN.SUCCESS;
  if (!map.lookup(start) && !holesOk) return KERN.INVALID_ADDRESS;
  const touched: { e: MapEntry; action: WireAction }[] = [];
  let rv: KernReturn = KERN.SUCCESS;
  let cur = start;
  for (;;) {
    let e = yield* settledEntry(map, cur, end, holesOk);
    if (!e) {
      // the entry vanished while we slept
      if (!holesOk && cur < end && touched.length === 0) return KERN.INVALID_ADDRESS;
      if (!holesOk && cur < end) rv = KERN.INVALID_ADDRESS;
      break;
    }
    e = clipTo(map, e, Math.max(cur, e.start), end);
    e.inTransition = true;
    const t: { e: MapEntry; action: WireAction } = { e, action: 'none' };
    touched.push(t);
    if (e.wiredCount === 0) {
      const pages = entryPages(k, e);
      const limit = maxUserWired(k);
      if (user && limit > 0 && k.vm.userWiredPages + pages > limit) {
        rv = KERN.RESOURCE_SHORTAGE;
        break;
      }
      e.wiredCount = 1;
      t.action = 'wired';
      if (user) k.vm.userWiredPages += pages;
      // the map is unlocked while vm_fault_wire faults in (pages in with read-ahead, under the vnode lock) and wires every page
      yield* cpu(k, pages * k.wirePageNs);
      if (!(yield* faultWire(k, map, e.start, e.end, { pageIn: waitVnodeUnlocked }))) {
        // vm_map_wire_entry_failure: the pages wired before the failed fault are unwired again
        t.action = 'failed';
        rv = KERN.FAILURE;
        break;
      }
    } else if (!(user && e.userWired)) {
      e.wiredCount++;
      t.action = 'inc';
    }
    if (end > e.end && !holesOk) {
      const n = map.next(e);
      if (!n || n.start !== e.end) {
        rv = KERN.INVALID_ADDRESS;
        break;
      }
    }
    cur = e.end;
    if (cur >= end) break;
  }
  for (const { e, action } of touched) {
    if (rv === KERN.SUCCESS) {
      if (user && action !== 'none') e.userWired = true;
    } else if (action === 'wired' || action === 'failed') {
      if (action === 'wired') wirePages(k, map, e, -1);
      if (user) k.vm.userWiredPages -= entryPages(k, e);
      e.wiredCount = 0;
    } else if (action === 'inc') e.wiredCount--;
    e.inTransition = false;
  }
  if (touched.length > 0) mergeSpan(map, touched[0].e.start, touched[touched.length - 1].e.end);
  map.transition.wakeAll();
  return rv;
}

/** vm_map_unwire (2.4): all or nothing; entries are merged back afterwards. */
function* mapUnwire(k: Kernel, map: VmMap, start: number, end: number, user: boolean, holesOk: boolean): KernelPath<KernReturn> {
  if (start === end) return KERN.SUCCESS;
  if (!map.lookup(start) && !holesOk) return KERN.INVALID_ADDRESS;
  const touched: MapEntry[] = [];
  let rv: KernReturn = KERN.SUCCESS;
  let cur = start;
  for (;;) {
    let e = yield* settledEntry(map, cur, end, holesOk);
    if (!e) {
      if (!holesOk && cur < end) rv = KERN.INVALID_ADDRESS;
      break;
    }
    e = clipTo(map, e, Math.max(cur, e.start), end);
    e.inTransition = true;
    touched.push(e);
    if (!holesOk && e.end < end) {
      const n = map.next(e);
      if (!n || n.start > e.end) {
        rv = KERN.INVALID_ADDRESS;
        break;
      }
    }
    if (!user && e.systemWired === 0) {
      rv = KERN.INVALID_ARGUMENT;
      break;
    }
    cur = e.end;
    if (cur >= end) break;
  }
  for (const e of touched) {
    if (rv === KERN.SUCCESS && (!user || e.userWired)) {
      if (e.wiredCount === 1) {
        wirePages(k, map, e, -1);
        if (e.userWired) k.vm.userWiredPages -= entryPages(k, e);
        e.wiredCount = 0;
      } else e.wiredCount--;
      if (user) e.userWired = false;
    }
    e.inTransition = false;
  }
  if (touched.length > 0) mergeSpan(map, touched[0].start, touched[touched.length - 1].end);
  map.transition.wakeAll();
  return rv;
}

/** Range rounding of kern_mlock/kern_munlock; undefined when it overflows. */
function wireRange(k: Kernel, addr: number, len: number): { start: number; end: number } | undefined {
  const start = k.vm.trunc(addr);
  const end = k.vm.round(addr + len);
  if (end > ADDR_LIMIT || end < start) return undefined;
  return { start, end };
}

/** mlock (USER) or a system wiring (vslock): the range checks of kern_mlock, then vm_map_wire; errno by the kind of wiring. */
export function* wire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const r = wireRange(k, addr, len);
  if (!r) return 'EINVAL';
  const user = (flags & Flag.USER) !== 0;
  // kern_mlock and vslock both refuse more pages than vm_page_max_user_wired
  const limit = maxUserWired(k);
  if (limit > 0 && (r.end - r.start) / k.vm.pageSize > limit) return 'ENOMEM';
  const kr = yield* mapWire(k, map, r.start, r.end, user, (flags & Flag.HOLESOK) !== 0);
  return user ? toErrno(kr, WIRE_ERRNO, 'ENOMEM') : toErrno(kr, VSLOCK_ERRNO, 'EFAULT');
}

/** munlock (USER) or a system unwiring (vsunlock): vm_map_unwire, errno as munlock's. */
export function* unwire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const r = wireRange(k, addr, len);
  if (!r) return 'EINVAL';
  const kr = yield* mapUnwire(k, map, r.start, r.end, (flags & Flag.USER) !== 0, (flags & Flag.HOLESOK) !== 0);
  return toErrno(kr, WIRE_ERRNO, 'ENOMEM');
}
