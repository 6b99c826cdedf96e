/**
 * Linux mlock / munlock (semantics.md 4.2, mm/mlock.c): VM_LOCKED is a flag
 * per VMA, modelled as MapEntry.userWired (wiredCount 1 while set, so munmap
 * drops it). `mlock_fixup` splits a VMA at the range ends and merges the
 * pieces back with equal neighbours; the pages of a locked VMA are then
 * faulted in (populate: absent file pages read from the device) and wired
 * (never evicted). A gap stops the walk with ENOMEM and nothing is rolled
 * back. A failed read stops populate with VM_LOCKED kept: the pages it did
 * not reach are wired when they come in (../../vm/lock-pending.ts).
 */
import { ADDR_LIMIT, Flag } from '../../../traces/types.ts';
import type { Kernel } from '../../kernel.ts';
import { clipTo, cpu, entryPages, mergeSpan, wirePages } from '../../vm/entries.ts';
import type { MapEntry, VmMap } from '../../vm/map.ts';
import type { KernelPath } from '../../vm/process.ts';
import { lockLater, takePending } from '../../vm/lock-pending.ts';
import { faultWireTo } from '../../vm/wire-fault.ts';

/**
 * Wire flags mlock/munlock refuse with EINVAL before any other check, the
 * way mlock2 refuses unknown flag bits: Linux has no system wiring of a
 * user range (VM_MAP_WIRE_SYSTEM) and never skips holes (HOLESOK). USER and
 * NOHOLES say what mlock always is, so they, and no flag at all, mean mlock.
 */
export const REFUSED_WIRE_FLAGS = Flag.SYSTEM | Flag.HOLESOK;

/** A wire or unwire call as its checks see it: the page-rounded range. */
export interface LockArgs {
  k: Kernel;
  map: VmMap;
  flags: number;
  start: number;
  end: number;
}

/** One argument check: when `applies`, the call returns `result` with no effect. */
export interface LockCheck {
  what: string;
  applies: (a: LockArgs) => boolean;
  result: string;
}

/** RLIMIT_MEMLOCK in pages (`memory.memlock_limit_bytes`, rounded down). */
export function lockLimitPages(k: Kernel): number {
  return Math.floor(k.config.memory.memlock_limit_bytes / k.vm.pageSize);
}

/** Pages of VM_LOCKED entries of `map` inside [start, end) (mm->locked_vm when the range is everything). */
export function lockedPages(k: Kernel, map: VmMap, start = 0, end = ADDR_LIMIT): number {
  let bytes = 0;
  for (const e of map.entries) {
    if (e.userWired && e.start < end && e.end > start) bytes += Math.min(end, e.end) - Math.max(start, e.start);
  }
  return bytes / k.vm.pageSize;
}

/**
 * do_mlock's resource check: locked_vm plus the range, less the pages of the
 * range already locked (count_mm_mlocked_page_nr), must not exceed the limit.
 */
function overLimit(a: LockArgs): boolean {
  const { k, map, start, end } = a;
  const wanted = lockedPages(k, map) + (end - start) / k.vm.pageSize - lockedPages(k, map, start, end);
  return wanted > lockLimitPages(k);
}

const refusedFlags: LockCheck = { what: 'SYSTEM or HOLESOK (not an mlock2 flag)', applies: (a) => (a.flags & REFUSED_WIRE_FLAGS) !== 0, result: 'EINVAL' };
const wraps: LockCheck = { what: 'range wraps', applies: (a) => a.end > ADDR_LIMIT, result: 'EINVAL' };
const empty: LockCheck = { what: 'len 0', applies: (a) => a.end === a.start, result: 'OK' };

/** mlock's checks before the VMA walk, in order (4.2, 4.4 mlock row): EINVAL flags; EPERM; EINVAL; len 0; RLIMIT_MEMLOCK. */
export const MLOCK_CHECKS: readonly LockCheck[] = [
  refusedFlags,
  { what: 'can_do_mlock: RLIMIT_MEMLOCK is 0', applies: (a) => a.k.config.memory.memlock_limit_bytes === 0, result: 'EPERM' },
  wraps,
  empty,
  { what: 'RLIMIT_MEMLOCK', applies: overLimit, result: 'ENOMEM' },
];

/** munlock's checks before the VMA walk, in order (4.2, 4.4 munlock row). */
export const MUNLOCK_CHECKS: readonly LockCheck[] = [refusedFlags, wraps, empty];

/**
 * Sets (lock) or clears VM_LOCKED on `e`; clearing unwires its pages (those it wired: pending
 * pages are forgotten), setting leaves them to {@link populate}. Returns the pages that changed.
 */
function setLocked(k: Kernel, map: VmMap, e: MapEntry, lock: boolean): number {
  const pages = entryPages(k, e);
  if (!lock) {
    wirePages(k, map, e, -1);
    takePending(map, e.start, e.end);
  }
  e.userWired = lock;
  e.wiredCount = lock ? 1 : 0;
  k.vm.userWiredPages += lock ? pages : -pages;
  return pages;
}

/** What apply_vma_lock_flags did: its result, the pages newly locked and their address ranges [start, end). */
interface LockFlagsResult {
  result: string;
  pages: number;
  locked: [number, number][];
}

/**
 * apply_vma_lock_flags over [start, end): the VMA containing start must
 * exist (else ENOMEM, nothing done); each VMA in turn gets mlock_fixup (split
 * only where its state changes); a gap, or the range running past the last
 * VMA, is ENOMEM with the earlier VMAs left as they now are. The touched span
 * is merged back. Returns the result and the pages newly locked, with their
 * ranges (for {@link populate}).
 */
function applyLockFlags(k: Kernel, map: VmMap, start: number, end: number, lock: boolean): LockFlagsResult {
  let vma = map.lookup(start);
  if (!vma) return { result: 'ENOMEM', pages: 0, locked: [] };
  let cur = start;
  let pages = 0;
  let result = 'OK';
  const locked: [number, number][] = [];
  for (;;) {
    const pieceEnd = Math.min(end, vma.end);
    if (vma.userWired !== lock) {
      const changed = setLocked(k, map, clipTo(map, vma, cur, pieceEnd), lock);
      if (lock) {
        pages += changed;
        locked.push([cur, pieceEnd]);
      }
    }
    cur = pieceEnd;
    if (cur >= end) break;
    const next = map.lookupFrom(cur);
    if (!next || next.start !== cur) {
      result = 'ENOMEM';
      break;
    }
    vma = next;
  }
  mergeSpan(map, start, cur);
  return { result, pages, locked };
}

/**
 * __mm_populate over `ranges` (address order): every page is faulted in as a
 * fault would (absent file pages read with the read-around and read-ahead of
 * filemap_fault, the task waiting) and wired. A failed read stops it: mlock
 * returns ENOMEM (__mlock_posix_error_return of -EFAULT), VM_LOCKED stays,
 * the pages populated so far stay locked, and of the pages it did not reach
 * those in memory are wired now, the others when a fault brings them in
 * (lockLater). Returns false then.
 */
function* populate(k: Kernel, map: VmMap, ranges: [number, number][]): KernelPath<boolean> {
  for (let i = 0; i < ranges.length; i++) {
    const [start, end] = ranges[i];
    const reached = yield* faultWireTo(k, map, start, end, { rollback: false });
    if (reached < end) {
      lockLater(k, map, [[reached, end], ...ranges.slice(i + 1)]);
      return false;
    }
  }
  return true;
}

/** The page-rounded range of an mlock/munlock call (start rounded down, len + offset rounded up). */
function lockArgs(k: Kernel, map: VmMap, addr: number, len: number, flags: number): LockArgs {
  const start = k.vm.trunc(addr);
  return { k, map, flags, start, end: start + k.vm.round(len + (addr - start)) };
}

/**
 * Runs `checks`, the VMA walk, then populates what it locked and, for mlock, the pages of the
 * range an earlier failed populate left pending (__mm_populate covers the whole range);
 * populating (faulting in and wiring) costs CPU per page newly locked.
 */
function* lockCall(k: Kernel, map: VmMap, addr: number, len: number, flags: number, lock: boolean, checks: readonly LockCheck[]): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const a = lockArgs(k, map, addr, len, flags);
  const failed = checks.find((c) => c.applies(a));
  if (failed) return failed.result;
  const r = applyLockFlags(k, map, a.start, a.end, lock);
  // (Linux populates only when the walk succeeded; the model populates what it locked either way, so that every
  // page of a VM_LOCKED entry is wired; pending pages lie in entries locked before, apart from r.locked)
  const pending = lock ? takePending(map, a.start, a.end) : [];
  const ranges = pending.length === 0 ? r.locked : [...r.locked, ...pending].sort((x, y) => x[0] - y[0]);
  const populated = yield* populate(k, map, ranges);
  yield* cpu(k, r.pages * k.wirePageNs);
  return populated ? r.result : 'ENOMEM';
}

/** mlock (`wire`): sets VM_LOCKED on [addr, addr+len). */
export function mlock(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  return lockCall(k, map, addr, len, flags, true, MLOCK_CHECKS);
}

/** munlock (`unwire`): clears VM_LOCKED on [addr, addr+len). */
export function munlock(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  return lockCall(k, map, addr, len, flags, false, MUNLOCK_CHECKS);
}
