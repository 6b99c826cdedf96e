/**
 * The FreeBSD vnode lock as vm_object_sync takes it (section 10 F1):
 * `vn_lock(vp, LK_EXCLUSIVE | LK_RETRY)` around vm_object_page_clean and
 * VOP_FSYNC, so the msyncs of one file run one after another. Kept per
 * object in the kernel's per-object state.
 */
import type { Kernel } from '../../kernel.ts';
import type { VmObject } from '../../vm/object.ts';
import { WaitQueue, type KernelPath } from '../../vm/process.ts';

/** One vnode's exclusive lock: held or not, and who sleeps on it. */
export class VnodeLock {
  held = false;
  readonly waiters: WaitQueue;
  constructor(k: Kernel) {
    this.waiters = new WaitQueue(k.engine);
  }
}

/** The vnode lock of `obj`, created on first use. */
export function vnodeLock(k: Kernel, obj: VmObject): VnodeLock {
  let l = k.objectState.get(obj) as VnodeLock | undefined;
  if (!l) {
    l = new VnodeLock(k);
    k.objectState.set(obj, l);
  }
  return l;
}

/** vn_lock(LK_EXCLUSIVE): sleeps until the lock is free, then takes it. */
export function* lockVnode(k: Kernel, obj: VmObject): KernelPath<VnodeLock> {
  const l = vnodeLock(k, obj);
  while (l.held) yield l.waiters;
  l.held = true;
  return l;
}

/** A page-in of a page of `obj` (vm_fault → vnode_pager_getpages) waits while an msync holds its vnode lock. */
export function* waitVnodeUnlocked(k: Kernel, obj: VmObject): KernelPath<void> {
  const l = k.objectState.get(obj) as VnodeLock | undefined;
  while (l?.held) yield l.waiters;
}

/** VOP_UNLOCK: releases the lock and wakes its sleepers. */
export function unlockVnode(l: VnodeLock): void {
  l.held = false;
  l.waiters.wakeAll();
}
