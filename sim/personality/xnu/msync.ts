/**
 * XNU msync (semantics.md 3.1-3.5): msync_nocancel's checks and its mapping
 * of MS_* flags to VM_SYNC_* flags, vm_map_msync's walk over the map (holes
 * skipped and reported at the end, sub-maps recursed into), and the object
 * level: vm_object_sync → vm_object_update → memory_object_lock_page, with
 * runs of returned pages written through the vnode pager (UPL_MSYNC, and
 * UPL_IOSYNC for a synchronous msync).
 */
import { ADDR_LIMIT, Flag } from '../../../traces/types.ts';
import type { Kernel, SyncAccount } from '../../kernel.ts';
import type { Io } from '../../device/device.ts';
import type { MapEntry, VmMap } from '../../vm/map.ts';
import { Page, type VmObject } from '../../vm/object.ts';
import { Proc, type KernelPath } from '../../vm/process.ts';
import { cpu } from '../../vm/entries.ts';
import { KERN, type KernReturn, toErrno } from '../kern.ts';

/** vm_sync_t bits (osfmk/mach/vm_sync.h, 3.2); REUSABLEPAGES is not consumed by vm_map_msync. */
export const VM_SYNC = {
  ASYNCHRONOUS: 0x01,
  SYNCHRONOUS: 0x02,
  INVALIDATE: 0x04,
  KILLPAGES: 0x08,
  DEACTIVATE: 0x10,
  CONTIGUOUS: 0x20,
} as const;

/** MAX_UPL_TRANSFER_BYTES: the largest run of pages one msync I/O carries (osfmk/mach/memory_object_types.h). */
export const MAX_UPL_TRANSFER_BYTES = 1 << 20;

/** msync_nocancel: MS_* bits passed on as VM_SYNC_* bits unchanged (3.1 step 5). */
const PASSED_ON: readonly (readonly [number, number])[] = [
  [Flag.KILLPAGES, VM_SYNC.KILLPAGES],
  [Flag.DEACTIVATE, VM_SYNC.DEACTIVATE],
  [Flag.INVALIDATE, VM_SYNC.INVALIDATE],
];

/**
 * msync_nocancel's translation of msync flags (trace bits) to vm_sync_t
 * (3.1 steps 5-7): KILLPAGES, DEACTIVATE and INVALIDATE pass through; unless
 * KILLPAGES or DEACTIVATE is set, ASYNC gives ASYNCHRONOUS and anything else
 * (0, SYNC, INVALIDATE alone) SYNCHRONOUS; CONTIGUOUS is always added. Other
 * bits (a trace's CONTIGUOUS) are not looked at.
 */
export function vmSyncFlags(flags: number): number {
  let v: number = VM_SYNC.CONTIGUOUS;
  for (const [ms, vs] of PASSED_ON) if (flags & ms) v |= vs;
  if (!(v & (VM_SYNC.KILLPAGES | VM_SYNC.DEACTIVATE))) v |= flags & Flag.ASYNC ? VM_SYNC.ASYNCHRONOUS : VM_SYNC.SYNCHRONOUS;
  return v;
}

/** msync_nocancel's argument checks, in order (3.1 steps 1-4); every one fails with EINVAL before any side effect. */
const MSYNC_CHECKS: readonly { readonly what: string; readonly fails: (k: Kernel, addr: number, len: number, flags: number) => boolean }[] = [
  { what: 'addr not page aligned', fails: (k, addr) => addr % k.vm.pageSize !== 0 },
  { what: 'len 0', fails: (_k, _addr, len) => len === 0 },
  { what: 'addr+len overflows', fails: (k, addr, len) => k.vm.round(addr + len) > ADDR_LIMIT },
  { what: 'SYNC and ASYNC', fails: (_k, _a, _l, flags) => (flags & (Flag.SYNC | Flag.ASYNC)) === (Flag.SYNC | Flag.ASYNC) },
];

/** mach_vm_msync result → errno (3.1 step 8); anything else is EINVAL. */
export const MSYNC_ERRNO: Partial<Record<KernReturn, string>> = {
  [KERN.SUCCESS]: 'OK',
  [KERN.INVALID_ADDRESS]: 'ENOMEM',
  [KERN.FAILURE]: 'EIO',
};

/** memory_object_lock_page's verdict on one page. */
type LockResult = 'block' | 'done' | 'return' | 'free';

/** What memory_object_lock_page looks at. */
interface PageView {
  state: number;
  wired: boolean;
  /** memory_object_should_return_page with RETURN_ALL: dirty, or precious. */
  returnable: boolean;
  flush: boolean;
}

/** memory_object_lock_page (3.4): the first rule that matches decides. */
const LOCK_PAGE: readonly { readonly when: (p: PageView) => boolean; readonly result: LockResult }[] = [
  { when: (p) => (p.state & Page.WB) !== 0, result: 'block' }, // busy or cleaning: MUST_BLOCK
  { when: (p) => !(p.state & Page.RESIDENT), result: 'done' }, // absent
  { when: (p) => p.wired, result: 'done' }, // wired: skipped by the msync UPL, stays dirty, never flushed (section 10 X2)
  { when: (p) => p.returnable, result: 'return' }, // (flush: pmap_disconnect first)
  { when: (p) => p.flush, result: 'free' },
  { when: () => true, result: 'done' }, // no LRU or age change, deliberately
];

/** The state bits without which a resident page's verdict is 'done' unless the sync flushes (busy, dirty, precious). */
const JUDGED = Page.WB | Page.DIRTY | Page.PRECIOUS;

function lockPage(obj: VmObject, idx: number, flush: boolean): LockResult {
  const state = obj.state(idx);
  const view: PageView = { state, wired: obj.wireCount(idx) > 0, returnable: (state & (Page.DIRTY | Page.PRECIOUS)) !== 0, flush };
  return (LOCK_PAGE.find((r) => r.when(view)) as (typeof LOCK_PAGE)[number]).result;
}

/** A run of MUST_RETURN pages being gathered by vm_object_update. */
interface Run {
  first: number;
  count: number;
  /** Pages marked free_when_done (flush, not wired): freed when the write completes. */
  freeWhenDone: number[];
}

/**
 * The UPL commit of a completed msync write: a successful pageout commit
 * strips the precious bit (the pager has the data), and free_when_done pages
 * still clean, idle and unwired are freed.
 */
function commit(io: Io | undefined, run: Run, obj: VmObject = (io as Io).object): void {
  if (io?.ok) for (let i = run.first; i < run.first + run.count; i++) obj.clearPrecious(i);
  for (const i of run.freeWhenDone) {
    if ((obj.state(i) & (Page.RESIDENT | Page.DIRTY | Page.WB)) === Page.RESIDENT && obj.wireCount(i) === 0) obj.free(i);
  }
}

/** Sleeps until `io` completes, then commits it. */
function* commitWhenDone(k: Kernel, io: Io, run: Run): KernelPath<void> {
  while (!io.done) yield io.object.waitQueue;
  commit(io, run);
  k.pager.release(io);
}

/**
 * LIST_REQ_PAGEOUT_PAGES → memory_object_data_return → vnode_pageout
 * (UPL_MSYNC | UPL_RET_ONLY_DIRTY, section 10 X2): clean (precious) pages of
 * the run are committed without a write (with INVALIDATE, free_when_done
 * frees them); each sub-run of dirty pages is its own VNOP_PAGEOUT. With
 * UPL_IOSYNC the caller waits for each write and commits it; otherwise the
 * commit happens at I/O completion, after msync may have returned.
 */
function* pageoutRun(k: Kernel, acct: SyncAccount, obj: VmObject, run: Run, iosync: boolean): KernelPath<void> {
  const end = run.first + run.count;
  const fwd = run.freeWhenDone.length > 0 ? new Set(run.freeWhenDone) : undefined;
  let i = run.first;
  while (i < end) {
    if (!writable(obj, i)) {
      if (fwd?.has(i)) commit(undefined, { first: i, count: 1, freeWhenDone: [i] }, obj);
      i++;
      continue;
    }
    const first = i;
    while (i < end && writable(obj, i)) i++;
    const sub: Run = { first, count: i - first, freeWhenDone: fwd ? run.freeWhenDone.filter((x) => x >= first && x < i) : NO_PAGES };
    // cpu() and commitWhenDone() inline: no generator per run. The run's pages are busied at once, and its write
    // reaches the device after the CPU work of building it (the UPL, then VNOP_PAGEOUT), as on Linux (../../pager/plug.ts)
    const cleanNs = sub.count * k.cleanPageNs + k.cleanIoNs;
    const plug = cleanNs > 0 ? k.pager.plug() : undefined;
    const io = k.pager.write(obj, sub.first, sub.count, 'msync', iosync, plug);
    acct.pages += sub.count;
    if (plug) {
      yield cleanNs;
      plug.finish();
    }
    if (iosync) {
      while (!io.done) yield io.object.waitQueue;
      commit(io, sub);
      k.pager.release(io);
    } else if (sub.freeWhenDone.length > 0 || obj.precious) new Proc(k.engine, commitWhenDone(k, io, sub), () => {}).start();
  }
}

/** Dirty and not already under someone else's writeback (the state may move while a synchronous write is awaited). */
function writable(obj: VmObject, x: number): boolean {
  return (obj.state(x) & (Page.DIRTY | Page.WB)) === Page.DIRTY;
}

/** The pages of a run none of which is freed when done (shared; frozen, so nothing can add to it). */
const NO_PAGES = Object.freeze([]) as unknown as number[];

/**
 * vm_object_sync → vm_object_update over bytes [off, off+size) of `obj` with
 * RETURN_ALL (3.4): pages are judged one at a time in index order; returned
 * pages gather into runs of contiguous pages of at most
 * MAX_UPL_TRANSFER_BYTES, written when the run meets a gap, a page that is not
 * returned, or the cap; a busy page first gets the pending run written, then
 * is slept on and judged again. With `flush`, clean unwired pages are freed at
 * once and returned unwired pages when their write completes.
 */
function* objectSync(k: Kernel, acct: SyncAccount, obj: VmObject, off: number, size: number, flush: boolean, iosync: boolean): KernelPath<void> {
  const ps = k.vm.pageSize;
  const end = Math.ceil((off + size) / ps);
  const cap = Math.max(1, Math.floor(MAX_UPL_TRANSFER_BYTES / ps));
  let idx = Math.floor(off / ps);
  let run: Run | undefined;
  while (idx < end) {
    if (run && run.count >= cap) {
      yield* pageoutRun(k, acct, obj, run, iosync);
      run = undefined;
    }
    if (!(obj.state(idx) & Page.RESIDENT)) {
      // absent pages are skipped; the gap ends a run
      const nextIdx = obj.next(idx, end, Page.RESIDENT);
      idx = nextIdx < 0 ? end : nextIdx;
      continue;
    }
    if (!run && !flush && k.skipIdlePages && !(obj.state(idx) & JUDGED)) {
      // neither busy nor returnable, and no flush: 'done', with no run to end; so is every page up to the next one with a JUDGED bit
      const nextIdx = obj.next(idx, end, JUDGED);
      idx = nextIdx < 0 ? end : nextIdx;
      continue;
    }
    const verdict = lockPage(obj, idx, flush);
    if (run && (verdict !== 'return' || run.first + run.count !== idx)) {
      // end of a run of returned pages; the object lock is dropped meanwhile, so judge this page again
      yield* pageoutRun(k, acct, obj, run, iosync);
      run = undefined;
      continue;
    }
    if (verdict === 'block') {
      while (obj.state(idx) & Page.WB) yield obj.waitQueue;
      continue;
    }
    if (verdict === 'free') obj.free(idx);
    else if (verdict === 'return') {
      run ??= { first: idx, count: 0, freeWhenDone: [] };
      run.count++;
      if (flush && obj.wireCount(idx) === 0) run.freeWhenDone.push(idx);
    }
    idx++;
  }
  if (run) yield* pageoutRun(k, acct, obj, run, iosync);
  // a synchronous msync leaves the file's metadata to the filesystem (APFS: no cache FLUSH); its error is not reported
  if (iosync) yield* k.fs.fsync(obj, true);
}

/**
 * vm_object_deactivate_pages for the piece of `e` at byte offset `off`
 * (3.3, 3.5, section 10 X6/X9). KILLPAGES: the object of a PRIVATE entry
 * always has a shadow (the file), so kill_pages = -1 and nothing happens; a
 * named object is not internal, so its pages are only deactivated.
 * DEACTIVATE: the resident pages of the entry's objects (the private copy,
 * then the file down the shadow chain) that are neither wired nor busy go to
 * the inactive end of the LRU (its head: reclaimed first) when memory is
 * finite; without an LRU nothing changes. Nothing is written or waited for.
 */
function deactivatePages(k: Kernel, e: MapEntry, off: number, size: number, vm: number): void {
  if (vm & VM_SYNC.KILLPAGES && e.shadow) return; // kill_pages = -1
  const lru = k.vm.counters.lru;
  if (!lru) return;
  const ps = k.vm.pageSize;
  const first = Math.floor(off / ps), end = Math.ceil((off + size) / ps);
  const objs = new Set([e.shadow, e.object].filter((o): o is VmObject => o !== undefined));
  const picked: number[] = [];
  for (let id = lru.head; id !== 0; id = lru.after(id)) {
    const { obj, idx } = lru.page(id);
    if (objs.has(obj) && idx >= first && idx < end && !(obj.state(idx) & Page.WB) && obj.wireCount(idx) === 0) picked.push(id);
  }
  for (let i = picked.length - 1; i >= 0; i--) lru.toHead(picked[i]);
}

/**
 * vm_map_msync (3.3) over [address, address+size) of `map`: entries in
 * address order, looked up again after every sleep; a hole is remembered and
 * skipped (KILLPAGES stops there); a sub-map entry is recursed into (a hole
 * reported by the recursion counts as a hole); KILLPAGES and DEACTIVATE win
 * over everything else; anonymous (internal) objects are never synced.
 * `visiting` holds the maps on the recursion path (a cycle is skipped).
 */
function* mapMsync(k: Kernel, acct: SyncAccount, map: VmMap, address: number, size: number, vm: number, visiting: ReadonlySet<VmMap>): KernelPath<KernReturn> {
  if (vm & VM_SYNC.ASYNCHRONOUS && vm & VM_SYNC.SYNCHRONOUS) return KERN.INVALID_ARGUMENT;
  if (size === 0) return KERN.SUCCESS;
  let hadHole = false;
  let addr = address;
  const end = address + size;
  while (addr < end) {
    const e = map.lookup(addr);
    if (!e) {
      hadHole = true;
      if (vm & VM_SYNC.KILLPAGES) break; // someone could map the hole: never kill past it
      const n = map.lookupFrom(addr);
      if (!n) break;
      addr = n.start;
      continue;
    }
    const flushEnd = Math.min(end, e.end);
    const flushSize = flushEnd - addr;
    const off = e.offset + (addr - e.start);
    addr = flushEnd;
    if (e.flags & Flag.SUBMAP) {
      const sm = e.submap !== undefined ? k.vm.maps.get(e.submap) : undefined;
      if (!sm) {
        hadHole = true; // a sub-map nothing was ever mapped in: all hole
        continue;
      }
      if (visiting.has(sm)) continue;
      // local_offset = VME_OFFSET(entry): the address's offset within the entry is ignored (section 10 X3)
      const kr = yield* mapMsync(k, acct, sm, e.offset, flushSize, vm, new Set([...visiting, sm]));
      if (kr === KERN.INVALID_ADDRESS) hadHole = true;
      continue;
    }
    if (vm & (VM_SYNC.KILLPAGES | VM_SYNC.DEACTIVATE)) {
      deactivatePages(k, e, off, flushSize, vm);
      continue;
    }
    // a PRIVATE entry maps its anonymous copy-on-write object: internal, nothing to write
    const obj = e.shadow ?? e.object;
    if (!obj || obj.kind !== 'vnode') continue;
    yield* objectSync(k, acct, obj, off, flushSize, (vm & VM_SYNC.INVALIDATE) !== 0, (vm & VM_SYNC.SYNCHRONOUS) !== 0);
  }
  return hadHole && vm & VM_SYNC.CONTIGUOUS ? KERN.INVALID_ADDRESS : KERN.SUCCESS;
}

/** msync_nocancel (3.1). */
export function* msync(k: Kernel, map: VmMap, addr: number, len: number, flags: number, acct: SyncAccount): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  if (MSYNC_CHECKS.some((c) => c.fails(k, addr, len, flags))) return 'EINVAL';
  const size = k.vm.round(addr + len) - addr;
  const kr = yield* mapMsync(k, acct, map, addr, size, vmSyncFlags(flags), new Set([map]));
  return toErrno(kr, MSYNC_ERRNO, 'EINVAL');
}
