/**
 * The Linux personality (semantics.md section 4): mm/msync.c for msync,
 * file_write_and_wait_range (WB_SYNC_ALL) behind MS_SYNC, mm/mlock.c
 * (do_mlock, apply_vma_lock_flags, mlock_fixup) behind mlock/munlock, and
 * PG_writeback pages that a store re-dirties instead of waiting for.
 *
 * Choices where the kernel has no equivalent or semantics.md leaves one
 * (documented in the README):
 * - MS_ASYNC, MS_INVALIDATE alone and flags 0 do no I/O and wait for nothing:
 *   the walk only reports errors. CONTIGUOUS, KILLPAGES and DEACTIVATE are
 *   unknown msync bits → EINVAL (4.1 step 1).
 * - The wrap checks (msync step 4 → ENOMEM, mlock/munlock → EINVAL) fire when
 *   the page-rounded end passes 2^53, the model's address-space top.
 * - MS_SYNC writes, per VMA, the object pages behind the part of the VMA in
 *   the range: first the pages dirty when it starts (TOWRITE tagging: pages
 *   dirtied later are not its business), in index order, in runs of
 *   contiguous dirty idle pages of at most `pager.cluster_pages`, all queued
 *   at once; a tagged page still under writeback (WBD) is waited for and then
 *   written; then it waits, in index order, for every page of the range under
 *   writeback, whoever started it (another msync, the flusher, the pageout
 *   daemon). A run never reaches outside the range. Its own I/Os are urgent
 *   (promoted under `sync_first`); writeback started by others is not.
 * - An I/O error makes MS_SYNC return EIO at once when it was one of its own
 *   I/Os (Linux's errseq_t reporting of errors of writeback started by others
 *   is not modelled, open question 3); the failed pages are dirty again, as
 *   the shared pager does for every personality.
 * - Sub-map entries (Linux has none) count as one VMA whose pieces are synced
 *   one level down, each sub-map entry being a shared file mapping of its
 *   own; PRIVATE mappings (not VM_SHARED) and anonymous objects are never
 *   written.
 * - Wire flags: `SYSTEM` and `HOLESOK` are refused with EINVAL before any
 *   other check (like mlock2's unknown flag bits): Linux has no system wiring
 *   of a user range and mlock never skips holes. Any other combination,
 *   including no flag, is mlock (`wire`) or munlock (`unwire`).
 * - RLIMIT_MEMLOCK is `memory.memlock_limit_bytes` rounded down to pages; the
 *   process has no CAP_IPC_LOCK, so a limit of 0 bytes makes mlock EPERM (a
 *   limit under one page makes any mlock ENOMEM). locked_vm is counted per
 *   task (the pages of its VM_LOCKED entries); `memory.max_user_wired_pages`
 *   (FreeBSD) is ignored.
 * - Check order of mlock: refused flags (EINVAL), EPERM, wrap (EINVAL), len 0
 *   (OK), RLIMIT_MEMLOCK (ENOMEM), then the VMA walk, as in the 4.4 table
 *   (mm/mlock.c checks the limit first and the overflow inside
 *   apply_vma_lock_flags: the two orders differ only for a wrapping range
 *   longer than the limit); munlock: refused flags, wrap, len 0, walk. The range is rounded as the
 *   kernel does (start down, len + offset up), so an unaligned address with
 *   len 0 still locks its page.
 * - A VM_LOCKED entry has all its pages faulted in and wired (+1 per locked
 *   mapping) after the walk (populate), also when a later gap makes mlock
 *   fail (Linux returns before __mm_populate and would fault the pages of
 *   those VMAs on first touch). Populating faults each page as a fault does
 *   (sim/vm/wire-fault.ts): absent file pages are read with filemap_fault's
 *   read-around and read-ahead, the task waits, room is made first under a
 *   memory limit; it costs `cpu.wire_page_us` per page newly locked (plus
 *   `cpu.fault_page_us` per page it had to fault in). A failed read stops it:
 *   ENOMEM, VM_LOCKED kept (locked_vm counts the whole range), pages populated
 *   so far locked; of the others, those in memory are locked at once (the
 *   model takes them as mapped, which mlock_fixup mlocks), the rest when a
 *   load or store of the task, or a later mlock of the range, faults them in
 *   (the fault path mlocks a page mapped into a VM_LOCKED VMA). munlock and
 *   munmap unwire only the pages the entry locked.
 *   Locked pages are never evicted, and are evictable again once munlocked.
 * - munmap removes the entries and drops VM_LOCKED without waiting for
 *   anything; its own argument checks are not modelled (the range is rounded
 *   as for every personality). Dirty pages stay dirty in the object.
 */
import type { Kernel, Personality } from '../kernel.ts';
import type { VmMap } from '../vm/map.ts';
import type { KernelPath } from '../vm/process.ts';
import { munmapSyscall } from '../vm/ops.ts';
import { msync } from './linux/msync.ts';
import { mlock, munlock } from './linux/mlock.ts';

/** munmap: removes the VMAs of the range; VM_LOCKED goes with them, nothing is waited for. */
function unmap(k: Kernel, map: VmMap, addr: number, len: number): KernelPath<string> {
  return munmapSyscall(k, map, addr, len, false);
}

/** Linux. */
export const linux: Personality = {
  name: 'linux',
  msync,
  wire: mlock,
  unwire: munlock,
  unmap,
  writeBlocksOnWriteback: false,
  ok: 'OK',
};
