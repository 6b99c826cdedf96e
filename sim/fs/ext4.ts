/**
 * ext4 in data=ordered mode with a jbd2 journal on the same device, barriers
 * on (the defaults). fsync / fdatasync / msync(MS_SYNC) = ext4_sync_file:
 * file_write_and_wait_range (the caller's data pages), then
 * ext4_fsync_journal: commit_tid = datasync ? i_datasync_tid : i_sync_tid;
 * a cache FLUSH is needed unless committing that transaction will send one
 * (jbd2_trans_will_send_data_barrier); jbd2_complete_transaction commits it
 * and waits (or returns at once if it is already committed); then
 * blkdev_issue_flush when needed.
 *
 * Which transaction an inode's tids name (ext4_update_inode_fsync_trans):
 * - a store to a clean page of a mapped file changes mtime (ext4_page_mkwrite
 *   → file_update_time → ext4_dirty_inode): i_sync_tid only;
 * - writeback that allocates blocks (delayed allocation, ext4_map_blocks with
 *   `fs.preallocated: false`) changes the block map: i_sync_tid and
 *   i_datasync_tid, and the new data is ordered before the commit.
 * So an msync of overwritten, allocated blocks costs its data writes and one
 * FLUSH; one that allocated blocks costs a journal commit.
 */
import type { Kernel } from '../kernel.ts';
import type { VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import { BlockMap, dirtiesExtentLeaf, issueFlush } from './fs.ts';
import type { FileSystem, FsTotals } from './filesystem.ts';
import { Journal, type Transaction } from './jbd2.ts';
import { HomeWrites } from './home-writes.ts';

/** The transactions an inode's fsync and fdatasync must see committed. */
interface InodeTids {
  /** i_sync_tid. */
  sync: number;
  /** i_datasync_tid. */
  datasync: number;
}

/** ext4, data=ordered. */
export class Ext4 implements FileSystem {
  readonly kind = 'ext4-ordered' as const;
  readonly totals: FsTotals = { commits: 0, flushes: 0 };
  readonly journal: Journal;
  private readonly tids = new Map<VmObject, InodeTids>();
  private readonly blocks: BlockMap;
  /** Whether a page has its block on disk (a hole until its first writeback); none with `fs.preallocated`. */
  readonly hasBlock?: (obj: VmObject, idx: number) => boolean;

  private readonly home: HomeWrites;
  private readonly extentLeaf: boolean;
  /** Home locations of extent tree blocks (file `obj`'s at block obj.id), made at the first one: runs without stay as they were. */
  private leafHome: HomeWrites | undefined;

  constructor(private readonly k: Kernel, journalObject: VmObject, metadataObject: VmObject) {
    this.home = new HomeWrites(k, metadataObject);
    this.journal = new Journal(k, journalObject, this.totals, (t) => this.checkpoint(t));
    this.blocks = new BlockMap(k.config.fs.preallocated);
    this.hasBlock = this.blocks.holes();
    this.extentLeaf = k.config.fs.extent_leaf;
  }

  /**
   * A committed transaction's metadata buffers are dirty in place: the inode
   * table block of each inode, the bitmap and group descriptor of each that
   * allocated (block 3·id, 3·id+1, 3·id+2 of the metadata object), the
   * extent tree block of each whose tree changed (block id of `ext4-extents`).
   */
  private checkpoint(t: Transaction): void {
    for (const obj of t.inodes) this.home.dirty(3 * obj.id);
    for (const obj of t.allocating) {
      this.home.dirty(3 * obj.id + 1);
      this.home.dirty(3 * obj.id + 2);
    }
    if (t.leaves.size === 0) return;
    this.leafHome ??= new HomeWrites(this.k, this.k.vm.anonObject('ext4-extents'));
    for (const obj of t.leaves) this.leafHome.dirty(obj.id);
  }

  private tidsOf(obj: VmObject): InodeTids {
    let t = this.tids.get(obj);
    if (!t) this.tids.set(obj, (t = { sync: 0, datasync: 0 }));
    return t;
  }

  pageDirtied(obj: VmObject): void {
    if (obj.kind !== 'vnode') return;
    const t = this.journal.join();
    t.inodes.add(obj);
    this.tidsOf(obj).sync = t.tid;
  }

  dataWrite(obj: VmObject, first: number, count: number): void {
    if (obj.kind !== 'vnode') return;
    const extentsBefore = this.blocks.extents(obj);
    if (this.blocks.allocate(obj, first, count) === 0) return;
    const t = this.journal.join();
    t.inodes.add(obj);
    t.allocating.add(obj);
    if (dirtiesExtentLeaf(this.extentLeaf, extentsBefore)) t.leaves.add(obj);
    t.ordered.push({ obj, run: { first, count } });
    const tids = this.tidsOf(obj);
    tids.sync = tids.datasync = t.tid;
  }

  *fsync(obj: VmObject, datasync: boolean): KernelPath<boolean> {
    const tids = this.tidsOf(obj);
    const tid = datasync ? tids.datasync : tids.sync;
    const needsBarrier = !this.journal.willSendDataBarrier(tid);
    let ok = yield* this.journal.complete(tid);
    if (needsBarrier) ok = (yield* issueFlush(this.k, this.journal.obj, this.totals)) && ok;
    return ok;
  }

  *syncWriteDone(): KernelPath<boolean> {
    return true;
  }
}
