/**
 * The FreeBSD personality (semantics.md section 2): kern_msync/vm_map_sync/
 * vm_object_sync/vm_object_page_clean for msync, vm_map_wire/vm_map_unwire
 * behind mlock/munlock (and system wiring).
 *
 * Choices where the kernel has no equivalent (documented in the README):
 * - CONTIGUOUS, KILLPAGES and DEACTIVATE are ignored: stock FreeBSD does not
 *   reject unknown msync flag bits; SYNC is 0 and cannot be seen.
 * - MS_ASYNC writes are queued on the device at once and the caller does not
 *   wait for them; pages stay busy until the write completes. UFS's delayed
 *   write (section 10 F5: clean and not busy once copied to buffers) needs a
 *   buffer cache the model does not have (sim/fs models the fsync path:
 *   ffs_update after IO_SYNC writes and after VOP_FSYNC).
 * - The vnode lock (F1) serializes the cleaning of msyncs of one file
 *   (freebsd/vnode-lock.ts), and a fault that pages in a page of the file
 *   waits while an msync holds it, the faults of wiring too.
 * - Wiring faults every page in as vm_fault does (sim/vm/wire-fault.ts): a
 *   file page not in memory is read with the entry's read-ahead and the
 *   wirer waits; a failed read fails the wiring (KERN_FAILURE, rolled back).
 * - Large-page (superpage) entries are not modelled, so the INVALIDATE
 *   alignment check never fires.
 * - A sub-map entry syncs only the piece of the first sub-map entry at its
 *   offset (FreeBSD clamps the size to it and moves on); a hole there syncs
 *   nothing; nested sub-maps are not descended.
 * - Wire flags: SYSTEM and NOHOLES are 0 as in vm_map.h, so no flag means a
 *   system wiring that refuses holes, and USER|SYSTEM is a user wiring.
 * - Protections are not modelled: every entry is readable and writable.
 * - errno of wire: a user wiring maps as mlock (KERN_INVALID_ARGUMENT →
 *   EINVAL, any other failure → ENOMEM); a system wiring as vslock (section
 *   10 F6): more pages than the user-wired limit → ENOMEM, any vm_map_wire
 *   failure → EFAULT. unwire maps as munlock for both (vsunlock returns
 *   nothing).
 * - vm.max_user_wired: `memory.max_user_wired_pages` when set, else 4/5 of
 *   `memory.pages` (vm_pageout_init, section 10 F3); no limit when memory is
 *   unlimited (`memory.pages` 0).
 * - munmap with len 0 → EINVAL (kern_munmap, section 10 F7).
 * - A `map` row is merged with adjacent entries of contiguous offsets of the
 *   same object and state (vm_map_insert → vm_map_try_merge_entries, F2).
 * - The sub-map continuation of vm_map_sync for a hole inside the sub-map is
 *   undefined in FreeBSD (sub-maps are kernel-only); the model's choice
 *   stands (section 10 F8).
 */
import { ADDR_LIMIT, Flag } from '../../traces/types.ts';
import type { Kernel, Personality, SyncAccount } from '../kernel.ts';
import type { IoList } from '../pager/pager.ts';
import { collectCluster, type Run } from '../pager/cluster.ts';
import type { MapEntry, VmMap } from '../vm/map.ts';
import { Page, type VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import { munmapSyscall } from '../vm/ops.ts';
import { cpu } from '../vm/entries.ts';
import { KERN, type KernReturn, toErrno } from './kern.ts';
import { lockVnode, unlockVnode, waitVnodeUnlocked } from './freebsd/vnode-lock.ts';
import { unwire, wire } from './freebsd/wiring.ts';

/** kern_msync: vm_map_sync result → errno (2.1 step 5). */
export const MSYNC_ERRNO: Partial<Record<KernReturn, string>> = {
  [KERN.SUCCESS]: 'OK',
  [KERN.INVALID_ADDRESS]: 'ENOMEM',
  [KERN.INVALID_ARGUMENT]: 'EBUSY',
  [KERN.FAILURE]: 'EIO',
};

/** How vm_object_page_clean writes: one cluster at a time, waiting (IO_SYNC), or all queued at once. */
type CleanMode = 'sync' | 'async';

/**
 * vm_object_page_clean over page indices [start, end): scans dirty pages in
 * index order, waits for pages under writeback, writes clusters. In `sync`
 * mode (OBJPC_SYNC) each cluster's I/O is awaited before the scan goes on,
 * and the scan restarts from `start` when the object's write generation
 * changed while it slept (on a busy page or on its own cluster). Adds the
 * I/Os issued without waiting to `ios`; returns whether every awaited one succeeded.
 */
function* pageClean(k: Kernel, acct: SyncAccount, obj: VmObject, start: number, end: number, mode: CleanMode, ios: IoList): KernelPath<boolean> {
  const sync = mode === 'sync';
  let ok = true;
  let gen = obj.generation;
  let idx = start;
  const run = CLUSTER; // filled by each collectCluster, read before the next
  for (;;) {
    idx = obj.next(idx, end, Page.DIRTY | Page.WB);
    if (idx < 0) break;
    if (obj.state(idx) & Page.WB) {
      // busy: sleep until unbusied, then look at the page again (or, OBJPC_SYNC and the generation moved, rescan from the start)
      while (obj.state(idx) & Page.WB) yield obj.waitQueue;
      if (sync && obj.generation !== gen) {
        gen = obj.generation;
        idx = start;
      }
      continue;
    }
    if (!(obj.state(idx) & Page.DIRTY)) {
      idx++;
      continue;
    }
    collectCluster(obj, idx, k.clusterPages, run);
    const first = run.first, count = run.count;
    // the cluster's pages are busied at once, and its write reaches the device after the CPU work of building it
    // (vm_pageout_flush → putpages: the buf is built, then the write goes out), as on Linux (../pager/plug.ts)
    const cpuNs = count * k.cleanPageNs + k.cleanIoNs; // the CPU time of cleaning the cluster (cpu(), inline: no generator per cluster)
    const plug = cpuNs > 0 ? k.pager.plug() : undefined;
    const io = k.pager.write(obj, first, count, 'msync', sync, plug);
    acct.pages += count;
    if (plug) {
      yield cpuNs;
      plug.finish();
    }
    if (sync) {
      while (!io.done) yield obj.waitQueue;
      if (!io.ok) ok = false;
      k.pager.release(io);
      // the putpages write went through VOP_WRITE(IO_SYNC): ffs_write ends with ffs_update(vp, 1)
      if (!(yield* k.fs.syncWriteDone(obj))) ok = false;
    } else ios.push(io);
    if (sync && obj.generation !== gen) {
      // OBJPC_SYNC and the generation moved while it slept: rescan from the start
      gen = obj.generation;
      idx = start;
    } else idx = first + count;
  }
  return ok;
}

/** The cluster pageClean is writing (one scratch run: a scan reads it before it sleeps). */
const CLUSTER: Run = { first: 0, count: 0 };

/**
 * vm_object_page_remove(OBJPR_CLEANONLY): frees clean, unwired, idle resident
 * pages of [start, end); a page under writeback is slept on ("vmopar") and the
 * pass restarts from `start`.
 */
function* pageRemoveCleanOnly(obj: VmObject, start: number, end: number): KernelPath<void> {
  let idx = start;
  for (;;) {
    idx = obj.next(idx, end, Page.RESIDENT);
    if (idx < 0) return;
    const s = obj.state(idx);
    if (s & Page.WB) {
      while (obj.state(idx) & Page.WB) yield obj.waitQueue;
      idx = start;
      continue;
    }
    if (!(s & Page.DIRTY) && obj.wireCount(idx) === 0) obj.free(idx);
    idx++;
  }
}

/**
 * vm_object_sync: cleans (and with `invalidate` frees) the pages of [off,
 * off+size) bytes of `obj`. The cleaning runs under the exclusive vnode
 * lock (F1): msyncs of one file run one after another. (FreeBSD skips the
 * lock when the object cannot be dirty; the model always takes it, which
 * costs nothing when it is free.) Page removal follows the unlock.
 */
function* objectSync(k: Kernel, acct: SyncAccount, obj: VmObject, off: number, size: number, syncio: boolean, invalidate: boolean): KernelPath<boolean> {
  if (obj.kind !== 'vnode') return true; // anonymous memory has no pager to write to
  const ps = k.vm.pageSize;
  const start = Math.floor(off / ps), end = Math.ceil((off + size) / ps);
  const lock = yield* lockVnode(k, obj);
  const ok = yield* objectClean(k, acct, obj, start, end, syncio, invalidate);
  unlockVnode(lock);
  if (invalidate) yield* pageRemoveCleanOnly(obj, start, end);
  return ok;
}

/** The cleaning part of vm_object_sync, under the vnode lock: the fsync path or vm_object_page_clean. */
function* objectClean(k: Kernel, acct: SyncAccount, obj: VmObject, start: number, end: number, syncio: boolean, invalidate: boolean): KernelPath<boolean> {
  let ok: boolean;
  if (syncio && !invalidate && start === 0 && end >= obj.sizePages) {
    // whole object: clusterable async writes, then VOP_FSYNC(MNT_WAIT) waits for all of the file's writes
    const ios = k.pager.ioList();
    yield* pageClean(k, acct, obj, 0, obj.sizePages, 'async', ios);
    for (let i = 0; i < ios.length; i++) k.device.expedite(ios.at(i));
    // bufobj_wwait: sleeps until the object's writes in flight drop to 0; bufobj_wdrop wakes it then, not at each completion
    while (obj.wbPages > 0) yield obj.wbDrain;
    ok = true;
    for (let i = 0; i < ios.length; i++) if (!ios.at(i).ok) ok = false;
    k.pager.releaseList(ios);
    if (!(yield* k.fs.fsync(obj, false))) ok = false; // ffs_syncvnode's closing ffs_update(vp, 1)
  } else {
    const ios = k.pager.ioList();
    ok = yield* pageClean(k, acct, obj, start, end, syncio || invalidate ? 'sync' : 'async', ios);
    k.pager.releaseList(ios); // the async writes: those already completed are reused (nothing waits for the others)
  }
  return ok;
}

/** The object and byte range a piece of a top-level entry syncs, descending one level of sub-map. */
function syncTarget(k: Kernel, e: MapEntry, start: number, size: number): { obj: VmObject; off: number; size: number } | undefined {
  const off = e.offset + (start - e.start);
  if (!(e.flags & Flag.SUBMAP)) return e.object ? { obj: e.object, off, size } : undefined;
  const sm = e.submap !== undefined ? k.vm.maps.get(e.submap) : undefined;
  const te = sm?.lookup(off);
  if (!te || te.flags & Flag.SUBMAP || !te.object) return undefined;
  return { obj: te.object, off: te.offset + (off - te.start), size: Math.min(size, te.end - off) };
}

/** vm_map_sync (2.2). */
function* mapSync(k: Kernel, acct: SyncAccount, map: VmMap, start: number, end: number, syncio: boolean, invalidate: boolean): KernelPath<KernReturn> {
  const first = map.lookup(start);
  if (!first) return KERN.INVALID_ADDRESS;
  if (start === end) {
    start = first.start;
    end = first.end;
  }
  // validation pass, in address order, before any side effect
  for (let e: MapEntry | undefined = first; e && e.start < end; e = map.next(e)) {
    if (invalidate && e.userWired) return KERN.INVALID_ARGUMENT;
    if (end > e.end) {
      const n = map.next(e);
      if (!n || n.start !== e.end) return KERN.INVALID_ADDRESS;
    }
  }
  // work pass: the map may change while we sleep, so walk by address
  let failed = false;
  let cur = start;
  while (cur < end) {
    const e = map.lookupFrom(cur);
    if (!e || e.start >= end) break;
    if (e.start > cur) cur = e.start;
    const pieceEnd = Math.min(end, e.end);
    const t = syncTarget(k, e, cur, pieceEnd - cur);
    if (t && !(yield* objectSync(k, acct, t.obj, t.off, t.size, syncio, invalidate))) failed = true;
    cur = pieceEnd;
  }
  return failed ? KERN.FAILURE : KERN.SUCCESS;
}

/** kern_msync (2.1). */
function* msync(k: Kernel, map: VmMap, addr: number, len: number, flags: number, acct: SyncAccount): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const pageoff = addr % k.vm.pageSize;
  addr -= pageoff;
  len = k.vm.round(len + pageoff);
  if (addr + len > ADDR_LIMIT) return 'EINVAL'; // wrap
  if (flags & Flag.ASYNC && flags & Flag.INVALIDATE) return 'EINVAL';
  const kr = yield* mapSync(k, acct, map, addr, addr + len, !(flags & Flag.ASYNC), (flags & Flag.INVALIDATE) !== 0);
  return toErrno(kr, MSYNC_ERRNO, 'EINVAL');
}

/** munmap: len 0 → EINVAL (kern_munmap, F7); vm_map_delete waits for in-transition entries and for system wirings (2.4 unwire step 4). */
function* unmap(k: Kernel, map: VmMap, addr: number, len: number): KernelPath<string> {
  if (len === 0) {
    yield* cpu(k, k.syscallNs);
    return 'EINVAL';
  }
  return yield* munmapSyscall(k, map, addr, len, true);
}

/** FreeBSD. */
export const freebsd: Personality = {
  name: 'freebsd',
  msync,
  wire,
  unwire,
  unmap,
  writeBlocksOnWriteback: true,
  mergesAtMap: true,
  pageIn: waitVnodeUnlocked,
  ok: 'OK',
};
