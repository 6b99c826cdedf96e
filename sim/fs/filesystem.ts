/**
 * The filesystem as the rest of the model sees it (the kernel context holds
 * one): its totals and the calls the sync paths, the fault path and the pager
 * make. A leaf under the kernel context; the filesystems are in this folder.
 */
import type { VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import type { FsKind } from '../config-types.ts';

/** What the filesystem did over a run (summary.json `fs`, with the bytes from writeback.by_cause). */
export interface FsTotals {
  /** Journal commits (jbd2 transactions written with their commit block). */
  commits: number;
  /** FLUSH commands the filesystem issued: explicit cache flushes and REQ_PREFLUSH writes. */
  flushes: number;
}

/**
 * Whether each filesystem's sync path asks a drive with a volatile write cache to flush it (a
 * FLUSH, or a write with REQ_PREFLUSH): ext4's fdatasync does (jbd2's commit block, or an explicit
 * flush without a journal); UFS never issues a BIO_FLUSH (ufs.ts), APFS's fsync moves the data
 * without one (apfs.ts), and `none` writes nothing of its own.
 */
export const FS_SENDS_FLUSH: Readonly<Record<FsKind, boolean>> = {
  'ext4-ordered': true,
  'ext4-nojournal': true,
  ufs: false,
  apfs: false,
  none: false,
};

/** A filesystem as the kernels' sync paths and the pager see it. */
export interface FileSystem {
  readonly kind: FsKind;
  readonly totals: FsTotals;
  /** A store made a clean page of file `obj` dirty (page_mkwrite → file_update_time: an mtime change). */
  pageDirtied(obj: VmObject): void;
  /** Writeback of file pages [first, first+count) of `obj` is starting (blocks not yet allocated are allocated now). */
  dataWrite(obj: VmObject, first: number, count: number): void;
  /**
   * The metadata part of fsync (`datasync` false) or fdatasync (true) of
   * `obj`, after its data pages were written and waited for. False when one
   * of the I/Os it waited for failed.
   */
  fsync(obj: VmObject, datasync: boolean): KernelPath<boolean>;
  /** A synchronous write of file data through the filesystem (VOP_WRITE with IO_SYNC) finished. */
  syncWriteDone(obj: VmObject): KernelPath<boolean>;
  /**
   * Whether page `idx` of file `obj` has a block on disk; false for a hole
   * (a sparse file's never-written range), which a page-in fills with
   * zeros without reading. Absent: every page has one.
   */
  hasBlock?(obj: VmObject, idx: number): boolean;
}
