/**
 * jbd2, the journal under ext4 (fs/jbd2/transaction.c, commit.c, journal.c):
 * one running transaction collects the metadata changes of every task; a
 * commit (kjournald2, jbd2_journal_commit_transaction) closes it, opens the
 * next one at once, waits for the transaction's ordered data, writes the
 * descriptor and metadata blocks to the journal in one contiguous write, and
 * then the commit block with REQ_PREFLUSH | REQ_FUA (journal_submit_commit_record
 * with barriers on and async_commit off). fsyncs that need the same
 * transaction share its commit; one that arrives while it is being written
 * needs the next transaction, which is committed when this one is done, with
 * every fsync that joined it meanwhile (jbd2's batching). A transaction is
 * also committed `fs.commit_interval_ms` after it started (j_commit_timer).
 */
import type { EventTarget } from '../engine/queue.ts';
import type { Kernel } from '../kernel.ts';
import { Page, type VmObject } from '../vm/object.ts';
import { Proc, type KernelPath } from '../vm/process.ts';
import type { Run } from '../pager/cluster.ts';
import { waitIo } from './fs.ts';
import type { FsTotals } from './filesystem.ts';

/**
 * Journal size in blocks: e2fsprogs ext2fs_default_journal_size gives 262144
 * blocks (1 GiB at 4 KiB) for a filesystem of 128 GiB or more. Writes start
 * again at block 0 when the next one would pass the end (jbd2 splits a write
 * at the wrap; checkpointing the old transactions is not modelled).
 */
export const JOURNAL_BLOCKS = 262144;

/**
 * Bytes of a descriptor block taken by its header (journal_header_t, 12) and
 * tail checksum (jbd2_journal_block_tail, 4), and by one block tag
 * (journal_block_tag3_t with csum v3, 16): include/linux/jbd2.h.
 */
const DESCRIPTOR_OVERHEAD = 16;
const TAG_BYTES = 16;

/**
 * Metadata blocks a transaction journals, per inode it touched (each is one
 * jbd2_journal_dirty_metadata buffer):
 * - the inode table block holding the inode (ext4_mark_iloc_dirty), for any
 *   change (mtime, size, block map);
 * - when the inode allocated blocks: the block bitmap and the group
 *   descriptor (ext4_mb_mark_diskspace_used);
 * - when that allocation changed an extent tree block outside the inode
 *   (a file past its inode's four extents, sim/fs/fs.ts dirtiesExtentLeaf):
 *   that block (ext4_ext_dirty).
 */
export const METADATA_BLOCKS = { inode: 1, allocation: 2, extentLeaf: 1 } as const;

/** Descriptor blocks for `blocks` tagged blocks of `blockSize` bytes. */
export function descriptorBlocks(blocks: number, blockSize: number): number {
  const tags = Math.max(1, Math.floor((blockSize - DESCRIPTOR_OVERHEAD) / TAG_BYTES));
  return Math.max(1, Math.ceil(blocks / tags));
}

/** One jbd2 transaction. */
export class Transaction {
  /** Inodes whose inode block changed. */
  readonly inodes = new Set<VmObject>();
  /** Inodes that allocated blocks. */
  readonly allocating = new Set<VmObject>();
  /** Inodes whose extent tree block outside the inode changed. */
  readonly leaves = new Set<VmObject>();
  /** data=ordered: newly allocated data that must be on disk before the commit block (jbd2_journal_inode_ranged_write). */
  readonly ordered: { obj: VmObject; run: Run }[] = [];
  /** A handle joined: the commit timer runs. */
  started = false;
  /** The commit block has been issued (T_COMMIT_JFLUSH and later). */
  commitRecordSent = false;

  constructor(readonly tid: number) {}

  /** Journalled metadata blocks (without descriptors). */
  get metadataBlocks(): number {
    return this.inodes.size * METADATA_BLOCKS.inode + this.allocating.size * METADATA_BLOCKS.allocation + this.leaves.size * METADATA_BLOCKS.extentLeaf;
  }
}

/** The journal of one filesystem. */
export class Journal implements EventTarget {
  private running = new Transaction(1);
  private committing: Transaction | undefined;
  /** j_commit_sequence: the last committed tid. */
  private commitSequence = 0;
  /** j_commit_request: the highest tid a commit was asked for. */
  private commitRequest = 0;
  private head = 0;
  private readonly failed = new Set<number>();
  private readonly intervalNs: number;

  constructor(
    private readonly k: Kernel,
    /** The journal's blocks (a filesystem-owned object, written with copy semantics). */
    readonly obj: VmObject,
    private readonly totals: FsTotals,
    /** Called when a transaction is committed (its metadata buffers are now dirty in place). */
    private readonly committed: (t: Transaction) => void = () => {},
  ) {
    this.intervalNs = Math.round(k.config.fs.commit_interval_ms * 1e6);
  }

  /** start_this_handle: the running transaction a change joins (its commit timer starts with the first change). */
  join(): Transaction {
    const t = this.running;
    if (!t.started) {
      t.started = true;
      this.k.engine.afterDaemon(this.intervalNs, this, t.tid);
    }
    return t;
  }

  /** j_commit_timer expired: commit that transaction if it is still the running one. */
  fire(arg: unknown): void {
    const tid = arg as number;
    if (this.running.tid === tid) this.startCommit(tid);
  }

  /** jbd2_log_start_commit: asks kjournald2 to commit up to `tid`. */
  startCommit(tid: number): void {
    if (tid > this.commitRequest) this.commitRequest = tid;
    this.kick();
  }

  /** kjournald2: when a commit is requested and none is running, commit the running transaction. */
  private kick(): void {
    if (this.committing || this.commitRequest <= this.commitSequence) return;
    const t = this.running;
    this.committing = t;
    this.running = new Transaction(t.tid + 1);
    new Proc(this.k.engine, this.commit(t), () => {
      this.committing = undefined;
      this.commitSequence = t.tid;
      this.obj.waitQueue.wakeAll();
      this.kick();
    }).start();
  }

  /** jbd2_journal_commit_transaction. */
  private *commit(t: Transaction): KernelPath<void> {
    // journal_finish_inode_data_buffers: the transaction's ordered data must be written first
    for (const { obj, run } of t.ordered) {
      for (let i = run.first; i < run.first + run.count; i++) while (obj.state(i) & Page.WB) yield obj.waitQueue;
    }
    const ps = this.k.vm.pageSize;
    const meta = t.metadataBlocks;
    const n = descriptorBlocks(meta, ps) + meta;
    // jbd2 submits every log block with REQ_SYNC: urgent (first under sync_first) whoever started the commit
    let ok = yield* waitIo(this.k.pager.writeFs(this.obj, this.place(n), n, 'journal', { urgent: true }));
    t.commitRecordSent = true;
    this.totals.flushes++; // the commit block's REQ_PREFLUSH
    ok = (yield* waitIo(this.k.pager.writeFs(this.obj, this.place(1), 1, 'journal', { preflush: true, fua: true, urgent: true }))) && ok;
    this.totals.commits++;
    if (!ok) this.failed.add(t.tid);
    else this.committed(t);
  }

  /** The first journal block of the next `n`-block write. */
  private place(n: number): number {
    if (this.head + n > JOURNAL_BLOCKS) this.head = 0;
    const at = this.head;
    this.head += n;
    return at;
  }

  /**
   * jbd2_trans_will_send_data_barrier: whether committing `tid` will still
   * flush the device cache (its commit block is yet to be sent). False for a
   * transaction already committed.
   */
  willSendDataBarrier(tid: number): boolean {
    if (tid <= this.commitSequence) return false;
    if (this.committing?.tid === tid) return !this.committing.commitRecordSent;
    return true;
  }

  /**
   * jbd2_complete_transaction: commits `tid` if it is the running
   * transaction, then waits until it is committed; returns at once when it
   * already is. False when that commit failed.
   */
  *complete(tid: number): KernelPath<boolean> {
    if (this.running.tid === tid) this.startCommit(tid);
    else if (this.committing?.tid !== tid) return !this.failed.has(tid);
    while (this.commitSequence < tid) yield this.obj.waitQueue;
    return !this.failed.has(tid);
  }
}
