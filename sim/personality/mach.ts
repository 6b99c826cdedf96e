/**
 * The mach personality (semantics.md 5, 3.6, 6, 8): classic Mach vm_msync
 * with an external memory manager and the memory_object_synchronize dialog,
 * vm_wire / vm_map_wire with counted user wirings, vm_deallocate. Sources:
 * OSF MK6.1 (traviolia/osfmk6.1 @ 15d1a553) src/mach_kernel/vm/vm_user.c
 * (vm_msync), vm/memory_object.c (memory_object_sync,
 * memory_object_lock_page, memory_object_synchronize_completed) and
 * vm/vm_map.c (vm_map_wire, vm_map_unwire, vm_map_delete); the 2000-era
 * Apple osfmk/vm/vm_user.c vm_msync (sub-map recursion, KILLPAGES /
 * DEACTIVATE); xnu-3789 vm_map_msync as summarised in 3.3 and 3.6; GNU Mach
 * vm/memory_object.c and Hurd libpager (5).
 *
 * msync = vm_msync(map, addr, len, flags), flags passed as they are:
 * 1. SYNC and ASYNC both → KERN_INVALID_ARGUMENT, before anything else.
 * 2. size = round_page(addr+len) − trunc_page(addr) (an unaligned addr is
 *    accepted; with len 0 it still covers its page); size 0 → KERN_SUCCESS.
 * 3. Walk by address (the map may change while the call sleeps): each entry
 *    piece's object gets memory_object_sync (the data_return messages, see
 *    mach/object-sync.ts), then a memory_object_synchronize for
 *    (offset, piece size), after waiting out any outstanding overlapping
 *    request of the same object (see mach/manager.ts). The caller goes on to
 *    the next piece at once.
 * 4. At the end it sleeps until every request it sent is DONE (the manager's
 *    memory_object_synchronize_completed), then returns.
 *
 * What the flags mean (vm_msync header comment, memory_object_sync comment):
 * | flags | pages returned | flushed | manager replies when |
 * |---|---|---|---|
 * | SYNC | dirty or precious (clean precious too) | no | the writes reached backing store |
 * | ASYNC | dirty or precious | no | the writes are queued |
 * | SYNC/ASYNC + INVALIDATE | dirty or precious | yes | as SYNC / ASYNC |
 * | INVALIDATE alone | precious only (dirty non-precious data is discarded) | yes | queued |
 * | none | precious only | no | queued |
 *
 * Choices (documented in the README):
 * - INVALIDATE alone and no flag return precious pages only, as the
 *   interface comments say (MK6.1's code, with RETURN_NONE, returns nothing;
 *   see semantics.md 3.4). Without SYNCHRONOUS the manager does not wait.
 * - A synchronize is sent for every synced entry piece, even when nothing was
 *   returned (MK6.1 sends it for writable entries because "dirty pages may
 *   have already been sent back", and protections are not modelled, so every
 *   entry is writable); xnu-3789 sent it only when data was returned. So a
 *   SYNC msync also waits for writes started by an earlier ASYNC one.
 * - Holes follow xnu-3789 vm_map_msync: skipped, the mapped parts are still
 *   synced; with CONTIGUOUS a hole anywhere (also a range past the last
 *   entry, or an unmapped start) gives KERN_INVALID_ADDRESS after the work,
 *   else KERN_SUCCESS (MK6.1 never reports holes). KILLPAGES stops at the
 *   first hole.
 * - KILLPAGES and DEACTIVATE (xnu-3789, checked before anything else per
 *   entry): no data is returned and no synchronize is sent; deactivation has
 *   no page queues to act on, and kill only applies to unshared anonymous
 *   objects, which are never mapped entries here: no page changes.
 * - A PRIVATE entry maps its internal copy object: skipped (no pager).
 *   Sub-map entries are descended once (vm_map_msync recursion, which waits
 *   for its own requests; its KERN_INVALID_ADDRESS counts as a hole); a
 *   sub-map entry inside a sub-map is skipped.
 * - The manager: one thread per memory object, serial within it, parallel
 *   across objects, never blocked on I/O; each message costs its sender
 *   `pager.ipc_us` (mach/manager.ts). An I/O error is not reported: vm_msync
 *   has no error path and synchronize_completed carries no status.
 * - Wired pages (xnu-3789 memory_object_lock_page): dirty or precious ones
 *   are returned as a copy and kept, never flushed or discarded; others are
 *   left alone. MK6.1 and GNU Mach block instead until the page is unwired,
 *   which deadlocks the common mlock-then-msync pattern (open question 8).
 * - A store to a page being flushed blocks on its holding page until the
 *   data_return has been sent, then faults the page back in (dirty); a page
 *   cleaned without flush is clean at once, so a store just re-dirties it.
 * - Wiring: `wire` with USER is vm_wire (user wiring, counted: each call
 *   stacks, each unwire removes one); without USER it is a kernel wiring.
 *   HOLESOK / NOHOLES are ignored (Mach has no such option). See
 *   mach/wiring.ts for the walk: no hole test on already-wired entries,
 *   rollback of the whole call on failure, entries stay clipped, user unwire
 *   skips what it cannot unwire, kernel unwire refuses (KERN_INVALID_ARGUMENT)
 *   where Mach would panic. `memory.max_user_wired_pages` limits user
 *   wirings (KERN_RESOURCE_SHORTAGE, xnu add_wire_counts). A wired entry's
 *   pages are faulted in by vm_fault_wire (sim/vm/wire-fault.ts): an absent
 *   file page is a data_request, a device read the wirer waits for; a failed
 *   read → KERN_FAILURE, rolled back.
 * - munmap = vm_deallocate (vm_map_delete without flags): user wirings go
 *   with the entry; a kernel-wired entry stops it with KERN_FAILURE.
 * - Protections, MAX_WIRE_COUNT, interruptible waits and pager death are not
 *   modelled.
 */
import { Flag } from '../../traces/types.ts';
import type { Kernel, Personality, SyncAccount } from '../kernel.ts';
import { cpu } from '../vm/entries.ts';
import type { VmMap } from '../vm/map.ts';
import type { KernelPath } from '../vm/process.ts';
import { KERN, type KernReturn } from './kern.ts';
import { MsyncRequest, machObject, sendMessage } from './mach/manager.ts';
import { memoryObjectSync, type SyncPolicy } from './mach/object-sync.ts';
import { mapDelete, mapUnwire, mapWire, pageRange } from './mach/wiring.ts';

/** The flags of vm_msync → the arguments of memory_object_sync and the manager's wait (table in the header). */
export function syncPolicy(flags: number): SyncPolicy {
  const ret = (flags & (Flag.SYNC | Flag.ASYNC)) !== 0;
  return { returns: ret ? 'all' : 'precious', flush: (flags & Flag.INVALIDATE) !== 0, urgent: (flags & Flag.SYNC) !== 0 };
}

/** vm_msync argument checks, in order: when `applies`, the call returns `result` at once. */
export const MSYNC_CHECKS: readonly { what: string; applies: (flags: number, size: number) => boolean; result: KernReturn }[] = [
  { what: 'SYNCHRONOUS and ASYNCHRONOUS', applies: (f) => (f & Flag.SYNC) !== 0 && (f & Flag.ASYNC) !== 0, result: KERN.INVALID_ARGUMENT },
  { what: 'size 0 after rounding', applies: (_f, size) => size === 0, result: KERN.SUCCESS },
];

/** Entry-level actions of vm_map_msync that skip the pager: KILLPAGES / DEACTIVATE. */
const NO_PAGER_WORK = Flag.KILLPAGES | Flag.DEACTIVATE;

/**
 * vm_map_msync over [start, end) of `map` (`depth` 1 inside a sub-map):
 * returns KERN_INVALID_ADDRESS when a hole was met and CONTIGUOUS is set.
 */
function* mapMsync(k: Kernel, acct: SyncAccount, map: VmMap, start: number, end: number, flags: number, depth: number): KernelPath<KernReturn> {
  const ps = k.vm.pageSize;
  const policy = syncPolicy(flags);
  const reqs: MsyncRequest[] = [];
  let hadHole = false;
  let address = start;
  while (address < end) {
    const e = map.lookup(address);
    if (!e) {
      hadHole = true;
      if (flags & Flag.KILLPAGES) break;
      const n = map.lookupFrom(address);
      if (!n) break;
      address = n.start;
      continue;
    }
    const pieceEnd = Math.min(end, e.end);
    const off = e.offset + (address - e.start);
    const size = pieceEnd - address;
    address = pieceEnd;
    if (e.flags & Flag.SUBMAP) {
      const sm = e.submap !== undefined ? k.vm.maps.get(e.submap) : undefined;
      if (depth > 0 || !sm) continue;
      if ((yield* mapMsync(k, acct, sm, off, off + size, flags, depth + 1)) === KERN.INVALID_ADDRESS) hadHole = true;
      continue;
    }
    if (flags & NO_PAGER_WORK) continue;
    const obj = e.object;
    if (!obj || e.flags & Flag.PRIVATE || obj.kind !== 'vnode') continue; // internal (copy) object: no pager
    const mo = machObject(k, obj);
    yield* memoryObjectSync(k, acct, mo, obj, off / ps, (off + size) / ps, policy);
    const req = new MsyncRequest(k, off, size);
    for (let o = mo.overlapping(req); o; o = mo.overlapping(req)) yield o.wake;
    mo.msrQ.push(req);
    reqs.push(req);
    yield* sendMessage(k); // memory_object_synchronize
    mo.manager.post({ kind: 'synchronize', req, synchronous: (flags & Flag.SYNC) !== 0 });
  }
  for (const r of reqs) while (!r.done) yield r.wake;
  return hadHole && flags & Flag.CONTIGUOUS ? KERN.INVALID_ADDRESS : KERN.SUCCESS;
}

/** vm_msync. */
function* msync(k: Kernel, map: VmMap, addr: number, len: number, flags: number, acct: SyncAccount): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const start = k.vm.trunc(addr);
  const size = k.vm.round(addr + len) - start;
  const check = MSYNC_CHECKS.find((c) => c.applies(flags, size));
  if (check) return check.result;
  return yield* mapMsync(k, acct, map, start, start + size, flags, 0);
}

/** vm_wire (USER) or a kernel wiring. */
function* wire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const r = pageRange(k, addr, len);
  return yield* mapWire(k, map, r.start, r.end, (flags & Flag.USER) !== 0);
}

/** vm_wire(VM_PROT_NONE) (USER) or a kernel unwiring. */
function* unwire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const r = pageRange(k, addr, len);
  return yield* mapUnwire(k, map, r.start, r.end, (flags & Flag.USER) !== 0);
}

/** vm_deallocate. */
function* unmap(k: Kernel, map: VmMap, addr: number, len: number): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const r = pageRange(k, addr, len);
  return yield* mapDelete(k, map, r.start, r.end);
}

/** Classic Mach with an external memory manager. */
export const mach: Personality = {
  name: 'mach',
  msync,
  wire,
  unwire,
  unmap,
  writeBlocksOnWriteback: true,
  ok: KERN.SUCCESS,
};
