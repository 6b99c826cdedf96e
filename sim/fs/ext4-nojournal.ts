/**
 * ext4 without a journal (made with `mkfs.ext4 -O ^has_journal`: no entry
 * for the device in /proc/fs/jbd2), barriers on. fsync / fdatasync /
 * msync(MS_SYNC) = ext4_sync_file → ext4_fsync_nojournal (fs/ext4/fsync.c):
 * 1. generic_buffers_fsync_noflush: the caller's data pages written and
 *    waited for, then sync_mapping_buffers: the buffers on the inode's
 *    mapping list. mballoc dirties the block bitmap and group descriptor
 *    with no inode (ext4_handle_dirty_metadata(handle, NULL, bh)), so they
 *    wait for background writeback; an extent tree block is the inode's
 *    (ext4_ext_dirty), so a file whose extents no longer fit in the inode
 *    has it written here, and waited for, before the inode block. Block
 *    traces of append + fdatasync loops on this kernel: data WS, inode WSM,
 *    FLUSH while the file had three extents; one more WSM, before the
 *    inode's, in every fdatasync after the fourth ({@link dirtiesExtentLeaf});
 * 2. ext4_write_inode(WB_SYNC_ALL) → sync_dirty_buffer: the inode table block,
 *    written and waited for if it is dirty (since the 2026 fix "ext4: always
 *    write the inode buffer in nojournal fsync", Jan Kara, in stable kernels:
 *    also for fdatasync after a timestamp-only change, as block traces of this
 *    kernel show — one WSM write after the data);
 * 3. blkdev_issue_flush (needs_barrier: the `barrier` mount option).
 * The inode block becomes dirty when the inode changes: a block allocation
 * (size, extents: `fs.preallocated: false`), or a store to a clean page of the mapped file
 * (ext4_page_mkwrite → file_update_time), which changes mtime only when the
 * coarse clock has ticked since the last change (current_time has jiffies
 * granularity: `fs.timestamp_tick_us`).
 */
import type { Kernel } from '../kernel.ts';
import type { VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import { BlockMap, dirtiesExtentLeaf, issueFlush, waitIo } from './fs.ts';
import type { FileSystem, FsTotals } from './filesystem.ts';

/** What of an inode is dirty in memory. */
interface InodeState {
  /** Tick (timestamp_tick_us units) of its last mtime change; -1: none yet. */
  mtimeTick: number;
  /** The inode table block needs writing. */
  inodeDirty: boolean;
  /** The file's extent tree block needs writing. */
  leafDirty: boolean;
}

/** ext4 with no journal. */
export class Ext4NoJournal implements FileSystem {
  readonly kind = 'ext4-nojournal' as const;
  readonly totals: FsTotals = { commits: 0, flushes: 0 };
  private readonly inodes = new Map<VmObject, InodeState>();
  private readonly blocks: BlockMap;
  /** Whether a page has its block on disk (a hole until its first writeback); none with `fs.preallocated`. */
  readonly hasBlock?: (obj: VmObject, idx: number) => boolean;
  private readonly tickNs: number;
  private readonly extentLeaf: boolean;
  /** Extent tree blocks (file `obj`'s at block obj.id), made at the first one written: runs without stay as they were. */
  private leaves: VmObject | undefined;

  constructor(
    private readonly k: Kernel,
    /** Home locations: file `obj`'s inode table block is block 3·id (the layout of the journalled ext4's metadata object). */
    readonly metadata: VmObject,
  ) {
    this.blocks = new BlockMap(k.config.fs.preallocated);
    this.hasBlock = this.blocks.holes();
    this.tickNs = Math.max(1, Math.round(k.config.fs.timestamp_tick_us * 1000));
    this.extentLeaf = k.config.fs.extent_leaf;
  }

  private stateOf(obj: VmObject): InodeState {
    let s = this.inodes.get(obj);
    if (!s) this.inodes.set(obj, (s = { mtimeTick: -1, inodeDirty: false, leafDirty: false }));
    return s;
  }

  pageDirtied(obj: VmObject): void {
    if (obj.kind !== 'vnode') return;
    const s = this.stateOf(obj);
    const tick = Math.floor(this.k.engine.now / this.tickNs);
    if (tick !== s.mtimeTick) {
      s.mtimeTick = tick;
      s.inodeDirty = true;
    }
  }

  dataWrite(obj: VmObject, first: number, count: number): void {
    if (obj.kind !== 'vnode') return;
    const extentsBefore = this.blocks.extents(obj);
    if (this.blocks.allocate(obj, first, count) === 0) return;
    const s = this.stateOf(obj);
    s.inodeDirty = true;
    if (dirtiesExtentLeaf(this.extentLeaf, extentsBefore)) s.leafDirty = true;
  }

  *fsync(obj: VmObject): KernelPath<boolean> {
    let ok = true;
    if (obj.kind === 'vnode') {
      const s = this.stateOf(obj);
      if (s.leafDirty) {
        s.leafDirty = false;
        this.leaves ??= this.k.vm.anonObject('ext4-extents');
        ok = (yield* waitIo(this.k.pager.writeFs(this.leaves, obj.id, 1, 'metadata', { urgent: true }))) && ok;
      }
      if (s.inodeDirty) {
        s.inodeDirty = false;
        ok = (yield* waitIo(this.k.pager.writeFs(this.metadata, 3 * obj.id, 1, 'metadata', { urgent: true }))) && ok;
      }
    }
    return (yield* issueFlush(this.k, this.metadata, this.totals)) && ok;
  }

  *syncWriteDone(): KernelPath<boolean> {
    return true;
  }
}
