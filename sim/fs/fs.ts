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
 * Extents an ext4 inode holds in itself (i_block: a 12-byte header and four
 * 12-byte extents, ext4_ext_space_root).
 */
export const INODE_EXTENTS = 4;

/**
 * Whether an allocation in a file that had `extentsBefore` extents dirties an
 * extent tree block outside the inode, which an fsync then writes (ext4
 * without a journal) or a transaction journals (ext4 with jbd2): with
 * `fs.extent_leaf` (the user's files are fragmented on disk, which the model
 * cannot see), or once the file's allocated blocks form {@link INODE_EXTENTS}
 * separate runs. The tree grows a leaf when a fifth extent is inserted into
 * the inode's four (ext4_ext_grow_indepth), and from then on each allocation
 * changes the leaf (ext4_ext_dirty). Block traces of appends + fdatasync on
 * Linux 6.18 (2026-12-06): in files that ended with four extents, every
 * fdatasync after the fourth began wrote one more metadata block before the
 * inode's (a fifth extent had likely existed for a moment, merged since); in
 * a file of three, none did. So the model counts from the fourth.
 */
export function dirtiesExtentLeaf(extentLeaf: boolean, extentsBefore: number): boolean {
  return extentLeaf || extentsBefore >= INODE_EXTENTS;
}

/**
 * Which blocks of each file exist on disk. With `fs.preallocated` every block
 * exists from the start (a laid-out file); otherwise a page's block is
 * allocated by its first writeback.
 */
export class BlockMap {
  private readonly allocated = new Map<VmObject, Set<number>>();
  /** Each file's allocated blocks as separate runs of consecutive pages: at least as many extents. */
  private readonly runs = new Map<VmObject, number>();
  constructor(private readonly preallocated: boolean) {}

  /** Marks the blocks of [first, first+count) allocated; the number that were not. */
  allocate(obj: VmObject, first: number, count: number): number {
    if (this.preallocated) return 0;
    let set = this.allocated.get(obj);
    if (!set) this.allocated.set(obj, (set = new Set()));
    let fresh = 0, runs = this.runs.get(obj) ?? 0;
    for (let i = first; i < first + count; i++) {
      if (!set.has(i)) {
        // a new block starts a run, extends one, or joins two
        runs += 1 - (set.has(i - 1) ? 1 : 0) - (set.has(i + 1) ? 1 : 0);
        set.add(i);
        fresh++;
      }
    }
    this.runs.set(obj, runs);
    return fresh;
  }

  /** How many separate runs of consecutive pages `obj`'s allocated blocks form (a lower bound on its extents). */
  extents(obj: VmObject): number {
    return this.runs.get(obj) ?? 0;
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
