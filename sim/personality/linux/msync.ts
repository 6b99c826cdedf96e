/**
 * Linux msync (semantics.md 4.1, mm/msync.c): the argument checks in their
 * exact order, then the VMA walk under the mmap read lock, which only looks
 * for errors unless MS_SYNC asks for a data-integrity writeback of the file
 * range behind each shared file mapping.
 */
import { ADDR_LIMIT, Flag } from '../../../traces/types.ts';
import type { Kernel, SyncAccount } from '../../kernel.ts';
import { cpu } from '../../vm/entries.ts';
import type { MapEntry, VmMap } from '../../vm/map.ts';
import type { VmObject } from '../../vm/object.ts';
import type { KernelPath } from '../../vm/process.ts';
import { writeAndWaitRange } from './writeback.ts';

/** The msync flag bits Linux knows (MS_ASYNC | MS_INVALIDATE | MS_SYNC); any other bit is EINVAL. */
export const MSYNC_KNOWN_FLAGS = Flag.SYNC | Flag.ASYNC | Flag.INVALIDATE;

/** The arguments of one msync call as the checks see them (len already page-rounded). */
export interface MsyncArgs {
  addr: number;
  len: number;
  flags: number;
  pageSize: number;
}

/** One argument check: when `applies`, msync returns `result` at once. */
export interface MsyncCheck {
  /** The step of semantics.md 4.1. */
  step: number;
  what: string;
  applies: (a: MsyncArgs) => boolean;
  result: string;
}

/** Steps 1–5 of 4.1, in the order the kernel makes them. */
export const MSYNC_CHECKS: readonly MsyncCheck[] = [
  { step: 1, what: 'unknown flag bits', applies: (a) => (a.flags & ~MSYNC_KNOWN_FLAGS) !== 0, result: 'EINVAL' },
  { step: 2, what: 'start not page aligned', applies: (a) => a.addr % a.pageSize !== 0, result: 'EINVAL' },
  { step: 3, what: 'MS_ASYNC and MS_SYNC', applies: (a) => (a.flags & Flag.ASYNC) !== 0 && (a.flags & Flag.SYNC) !== 0, result: 'EINVAL' },
  { step: 4, what: 'start + len wraps', applies: (a) => a.addr + a.len > ADDR_LIMIT, result: 'ENOMEM' },
  { step: 5, what: 'len 0', applies: (a) => a.len === 0, result: 'OK' },
];

/** The first check of {@link MSYNC_CHECKS} that applies, or undefined when the walk must run. */
export function msyncCheck(a: MsyncArgs): MsyncCheck | undefined {
  return MSYNC_CHECKS.find((c) => c.applies(a));
}

/** A piece of an object a VMA range maps: pages [first, first+count). */
interface FilePiece {
  obj: VmObject;
  first: number;
  count: number;
}

/**
 * The file ranges behind [start, end) of `e` that MS_SYNC writes: only
 * shared mappings of files (a PRIVATE entry's pages are its anonymous copy,
 * never written), through one level of sub-map (each sub-map entry is a
 * shared file mapping of its own).
 */
function filePieces(k: Kernel, map: VmMap, e: MapEntry, start: number, end: number): FilePiece[] {
  const pieces: FilePiece[] = [];
  k.vm.forEachPiece(map, e.slice(start, end), (obj, first, count) => {
    if (obj.kind === 'vnode') pieces.push({ obj, first, count });
  });
  return pieces;
}

/**
 * Step 6 and 7 of 4.1, from `start` (aligned, < end): find_vma walk. A hole
 * is ENOMEM at once for plain MS_ASYNC, else remembered; INVALIDATE on a
 * VM_LOCKED VMA is EBUSY at once (after the work done on earlier VMAs);
 * MS_SYNC writes and waits for the file range of each shared file VMA, and
 * an I/O error there is returned at once. The map may change while the
 * writeback sleeps: the walk goes on from the old VMA's end.
 */
function* vmaWalk(k: Kernel, map: VmMap, start: number, end: number, flags: number, acct: SyncAccount): KernelPath<string> {
  let unmappedError = false;
  let cur = start;
  for (;;) {
    const vma = map.lookupFrom(cur);
    if (!vma) return 'ENOMEM';
    if (cur < vma.start) {
      if (flags === Flag.ASYNC) return 'ENOMEM';
      cur = vma.start;
      if (cur >= end) return 'ENOMEM';
      unmappedError = true;
    }
    if (flags & Flag.INVALIDATE && vma.userWired) return 'EBUSY';
    const pieceEnd = Math.min(end, vma.end);
    const next = vma.end;
    if (flags & Flag.SYNC) {
      for (const p of filePieces(k, map, vma, cur, pieceEnd)) {
        // vfs_fsync_range(file, start, end, datasync=1): the data, then the filesystem's part (ext4_fsync_journal)
        if (!(yield* writeAndWaitRange(k, acct, p.obj, p.first, p.first + p.count))) return 'EIO';
        if (!(yield* k.fs.fsync(p.obj, true))) return 'EIO';
      }
    }
    cur = next;
    if (cur >= end) return unmappedError ? 'ENOMEM' : 'OK';
  }
}

/** SYSCALL msync (4.1). */
export function* msync(k: Kernel, map: VmMap, addr: number, len: number, flags: number, acct: SyncAccount): KernelPath<string> {
  yield* cpu(k, k.syscallNs);
  const a: MsyncArgs = { addr, len: k.vm.round(len), flags, pageSize: k.vm.pageSize };
  const failed = msyncCheck(a);
  if (failed) return failed.result;
  return yield* vmaWalk(k, map, a.addr, a.addr + a.len, flags, acct);
}
