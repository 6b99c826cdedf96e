/**
 * The filesystem layer under the mapped files (`fs.*` keys): what a kernel's
 * fsync path writes besides the file's data pages — a jbd2 commit (ext4), a
 * synchronous inode update (UFS), a metadata write without a cache FLUSH
 * (APFS) — and nothing for `none`. Every block it writes is a real I/O on
 * the device (cause `journal` or `metadata` in writeback.csv), written with
 * copy semantics from an object the filesystem owns.
 */
import type { Io } from '../device/device.ts';
import type { Kernel } from '../kernel.ts';
import type { VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import type { FileSystem, FsTotals } from './filesystem.ts';

/** Sleeps until `io` completes; its success. */
export function* waitIo(io: Io): KernelPath<boolean> {
  while (!io.done) yield io.object.waitQueue;
  return io.ok;
}

/** Issues a FLUSH of the device's write cache for `owner`, counts it, and waits for it. */
export function* issueFlush(k: Kernel, owner: VmObject, totals: FsTotals): KernelPath<boolean> {
  totals.flushes++;
  return yield* waitIo(k.pager.flush(owner, true));
}

/** `fs.kind: none`: nothing but the data pages (the Mach memory manager, or the legacy queue model). */
export class NoFileSystem implements FileSystem {
  readonly kind = 'none' as const;
  readonly totals: FsTotals = { commits: 0, flushes: 0 };
  pageDirtied(): void {}
  dataWrite(): void {}
  *fsync(): KernelPath<boolean> {
    return true;
  }
  *syncWriteDone(): KernelPath<boolean> {
    return true;
  }
}

/**
 * Which blocks of each file exist on disk. With `fs.preallocated` every block
 * exists from the start (a laid-out file); otherwise a page's block is
 * allocated by its first writeback.
 */
export class BlockMap {
  private readonly allocated = new Map<VmObject, Set<number>>();
  constructor(private readonly preallocated: boolean) {}

  /** Marks the blocks of [first, first+count) allocated; the number that were not. */
  allocate(obj: VmObject, first: number, count: number): number {
    if (this.preallocated) return 0;
    let set = this.allocated.get(obj);
    if (!set) this.allocated.set(obj, (set = new Set()));
    let fresh = 0;
    for (let i = first; i < first + count; i++) {
      if (!set.has(i)) {
        set.add(i);
        fresh++;
      }
    }
    return fresh;
  }

  /** Whether page `idx` of `obj` has its block (always, with `fs.preallocated`). */
  has(obj: VmObject, idx: number): boolean {
    return this.preallocated || (this.allocated.get(obj)?.has(idx) ?? false);
  }

  /** {@link has} for a file system's `hasBlock`, or none with `fs.preallocated` (no holes: page-in need not ask). */
  holes(): ((obj: VmObject, idx: number) => boolean) | undefined {
    return this.preallocated ? undefined : (obj, idx) => this.has(obj, idx);
  }
}
