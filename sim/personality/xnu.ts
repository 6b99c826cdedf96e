/**
 * The XNU personality (semantics.md section 3, HEAD xnu-11417): BSD msync
 * (msync_nocancel) mapped to vm_map_msync / vm_object_sync /
 * memory_object_lock_page, mlock/munlock and kernel wiring through
 * vm_map_wire_nested / vm_map_unwire_nested with counted user wirings, and
 * munmap through vm_map_delete.
 *
 * Choices where the kernel has no equivalent or semantics.md leaves one
 * (documented in the README):
 * - Objects: every named object is a vnode-like object with a pager; the only
 *   anonymous (internal) objects are the copy-on-write objects of PRIVATE
 *   mappings, and a PRIVATE entry maps that object from the start (XNU
 *   creates it at the first write fault or wiring). So msync never writes
 *   anything through a PRIVATE entry, not even the file's own dirty pages.
 * - KILLPAGES over a PRIVATE entry does nothing: its copy-on-write object
 *   always has a shadow (the file), so kill_pages = -1 (section 10 X6). Over
 *   a named object KILLPAGES only deactivates. DEACTIVATE (and KILLPAGES on a
 *   named object) moves the range's resident pages that are neither wired nor
 *   busy to the head of the LRU, which memory pressure reclaims first, when
 *   `memory.pages` > 0 (X9; the model has one LRU list, its head stands for
 *   the inactive queue); with unlimited memory there is no LRU and nothing
 *   changes. Neither writes or waits for anything.
 * - MS_ASYNC issues its runs' I/Os and returns without waiting for them (it
 *   does wait for pages already busy); the pages stay under writeback until
 *   each I/O completes, when the UPL commit happens (open question 4).
 * - Runs of returned pages are bounded by MAX_UPL_TRANSFER_BYTES (1 MiB:
 *   256 pages of 4 KiB) and by the msync range; `pager.cluster_pages` (FreeBSD's
 *   vm_pageout_page_count) has no XNU equivalent and is not honoured.
 * - A synchronous msync writes one run at a time and waits for each
 *   (UPL_IOSYNC); an I/O error leaves the pages dirty but msync still returns
 *   OK (HEAD ignores vm_object_sync's result: EIO never happens).
 * - Wired pages are never written by msync and stay dirty (the UPL skips
 *   them); clean precious pages are committed without a write (precious bit
 *   kept; with INVALIDATE freed); each run of dirty pages is its own pageout
 *   (section 10 X2). With INVALIDATE, clean unwired pages are freed during
 *   the scan; returned pages are freed when their write completes
 *   (free_when_done), if still clean, idle and unwired. A successful write
 *   strips the precious bit of its pages (UPL commit).
 * - A sub-map entry is recursed into with vm_map_msync (any depth) from the
 *   entry's own offset in the sub-map, whatever the address's offset within
 *   the entry (local_offset = VME_OFFSET(entry), section 10 X3); a hole in
 *   the sub-map makes the call ENOMEM; a sub-map already on the recursion
 *   path (a cycle) is skipped; a sub-map name no task ever used counts as a
 *   hole.
 * - Wire flags: `USER` is mlock/munlock (user_wire TRUE), no `USER` a kernel
 *   wiring (vm_map_wire_kernel, user_wire FALSE); `SYSTEM`, `HOLESOK` and
 *   `NOHOLES` are ignored (XNU wiring never skips holes).
 * - The user wire limit (per task and global alike, as XNU's defaults) is
 *   `memory.max_user_wired_pages` when set (vm.global_user_wire_limit /
 *   vm.user_wire_limit), else memory size × wire_limit_percents[log2(bytes)
 *   − 32] (70 % below 8 GiB, up to 97 %; the macOS table without jetsam),
 *   keeping at most 32 GiB out of reach, when `memory.pages` > 0; unlimited
 *   when `memory.pages` is 0. The global check counts every wired page
 *   (kernel wirings too); RLIMIT_MEMLOCK is not modelled. As in XNU, it counts
 *   pages already wired (vm_page_wire_count), which grow only as vm_fault_wire
 *   wires them, while the per-task check adds the entry's size up front: two
 *   tasks that mlock at once can both pass the global limit.
 * - Wiring faults each page in as vm_fault_wire does (sim/vm/wire-fault.ts):
 *   VM_BEHAVIOR_SEQUENTIAL with the rest of the entry as the cluster size,
 *   absent file pages read up to 1 MiB ahead; a failed read → ENOMEM, rolled
 *   back.
 * - Where XNU panics (a kernel wiring past MAX_WIRE_COUNT; a kernel unwire of
 *   an unmapped start, an unwired or in-transition entry, or across a hole),
 *   the model fails instead: ENOMEM (KERN_FAILURE) for the wiring, EINVAL with
 *   no effect for the unwiring, which also refuses an entry with no kernel
 *   wiring (XNU would silently take a user wiring). A user unwire across a
 *   hole unwires the entry before it (HEAD, section 10 X1), so the rollback
 *   of a failed mlock leaves no wiring level behind.
 * - wire/unwire with len 0 succeed at once and change nothing, even at an
 *   unaligned address (vm_sanitize, X5); ranges are clamped to the map's
 *   maximum address, 2^53 in the model (X8): a range above it is empty (OK).
 * - Wiring a sub-map entry recurses into the sub-map with the same user_wire
 *   (X4): the entry and the sub-map's entries get counts, a hole in the
 *   sub-map → ENOMEM with everything rolled back. Only the entry's first
 *   wiring goes down (a wired entry is only counted), and the sub-map's
 *   entries are unwired when the entry's wired_count reaches 0 (or it is
 *   unmapped), with the kind of wiring that went down (XNU passes the
 *   unwiring call's kind). Its pages count once in the user-wired pages.
 * - munmap waits for entries in transition and, as HEAD's vm_map_delete does
 *   ("we must always wait for kernel wirings"), until kernel wirings are
 *   released, then drops the user wirings; dirty pages stay in their object.
 * - A store to a page under writeback does not wait: msync's UPL marks pages
 *   "cleaning", not busy (section 10 X7); the page is dirty again and a later
 *   msync waits for the I/O before writing it again. The model applies this
 *   to every writeback (pageout and background writes too).
 */
import type { Kernel, Personality } from '../kernel.ts';
import type { VmMap } from '../vm/map.ts';
import type { KernelPath } from '../vm/process.ts';
import { munmapSyscall } from '../vm/ops.ts';
import { msync } from './xnu/msync.ts';
import { dropNestedWiring, unwire, wire } from './xnu/wire.ts';

/** munmap: vm_map_delete waits for in-transition entries and kernel wirings, then drops user wirings. */
function unmap(k: Kernel, map: VmMap, addr: number, len: number): KernelPath<string> {
  return munmapSyscall(k, map, addr, len, true, dropNestedWiring);
}

/** XNU. */
export const xnu: Personality = {
  name: 'xnu',
  msync,
  wire,
  unwire,
  unmap,
  writeBlocksOnWriteback: false,
  ok: 'OK',
};
