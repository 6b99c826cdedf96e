/**
 * UFS2 (FFS) as FreeBSD's VOP_FSYNC and synchronous VOP_WRITE use it
 * (sys/ufs/ffs/ffs_vnops.c): ffs_syncvnode writes the file's dirty buffers,
 * waits for them, and ends with ffs_update(vp, 1), which writes the inode's
 * block synchronously (bwrite); ffs_write with IO_SYNC — the write a
 * synchronous vm_object_page_clean sends through vnode_pager_generic_putpages
 * — also ends with ffs_update(vp, 1). Neither issues a BIO_FLUSH: UFS never
 * asks the drive to flush its cache on fsync.
 *
 * `fs.soft_updates: true` defers the inode write as the issue asks: the
 * inode block becomes a delayed write (bdwrite) that the syncer writes
 * `METADELAY_MS` later, once however many fsyncs dirtied it meanwhile.
 */
import type { EventTarget } from '../engine/queue.ts';
import type { Kernel } from '../kernel.ts';
import type { VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import { waitIo } from './fs.ts';
import type { FileSystem, FsTotals } from './filesystem.ts';

/** kern.metadelay: the syncer writes a delayed metadata (device vnode) buffer after 28 s (sys/kern/vfs_subr.c). */
export const METADELAY_MS = 28000;

/** UFS2. */
export class Ufs implements FileSystem, EventTarget {
  readonly kind = 'ufs' as const;
  readonly totals: FsTotals = { commits: 0, flushes: 0 };
  /** Inode blocks with a delayed write pending (soft updates). */
  private readonly delayed = new Set<VmObject>();

  constructor(
    private readonly k: Kernel,
    /** The inode blocks: file `obj`'s inode is block `obj.id`. */
    readonly inodes: VmObject,
  ) {}

  pageDirtied(): void {}
  dataWrite(): void {}

  *fsync(obj: VmObject): KernelPath<boolean> {
    return yield* this.update(obj);
  }

  *syncWriteDone(obj: VmObject): KernelPath<boolean> {
    return yield* this.update(obj);
  }

  /** ffs_update(vp, 1): the inode block, written now and waited for (or, with soft updates, delayed). */
  private *update(obj: VmObject): KernelPath<boolean> {
    if (obj.kind !== 'vnode') return true;
    if (this.k.config.fs.soft_updates) {
      if (!this.delayed.has(obj)) {
        this.delayed.add(obj);
        this.k.engine.afterDaemon(Math.round(METADELAY_MS * 1e6), this, obj);
      }
      return true;
    }
    return yield* waitIo(this.k.pager.writeFs(this.inodes, obj.id, 1, 'metadata', { urgent: true }));
  }

  /** The syncer writes a delayed inode block. */
  fire(arg: unknown): void {
    const obj = arg as VmObject;
    this.delayed.delete(obj);
    this.k.pager.writeFs(this.inodes, obj.id, 1, 'metadata');
  }
}
