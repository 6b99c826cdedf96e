/**
 * The strace importer's dispatch table: which {@link StraceTranslator}
 * method each tracked system call goes to, with its argument layout.
 */
import type { StraceTranslator } from './translate.ts';
import type { Proc } from './address-space.ts';
import type { Call } from './calls.ts';
import { MMAP2_UNIT } from './linux.ts';

/** A tracked call's translation. */
export type Handler = (t: StraceTranslator, p: Proc, c: Call, args: string[]) => void;

/** What each tracked call does to the address spaces, by name. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  mmap: (i, p, c, a) => i.mmap(p, c, a, 1),
  mmap2: (i, p, c, a) => i.mmap(p, c, a, MMAP2_UNIT),
  munmap: (i, p, c, a) => i.munmap(p, c, a),
  mremap: (i, p, c, a) => i.mremap(p, c, a),
  mprotect: (i, p, c, a) => i.mprotect(p, c, a),
  pkey_mprotect: (i, p, c, a) => i.mprotect(p, c, a),
  msync: (i, p, c, a) => i.msync(p, c, a),
  madvise: (i, p, c, a) => i.madvise(p, c, a),
  mlock: (i, p, c, a) => i.wireCall(p, c, a, 'wire', [2]),
  mlock2: (i, p, c, a) => i.wireCall(p, c, a, 'wire', [2, 3]),
  munlock: (i, p, c, a) => i.wireCall(p, c, a, 'unwire', [2]),
  mlockall: (i, p, c, a) => i.mlockall(p, c, a),
  munlockall: (i, p, c) => i.munlockall(p, c),
  open: (i, p, c, a) => i.opened(p, c, a[0], a[1]),
  creat: (i, p, c, a) => i.opened(p, c, a[0], undefined),
  openat: (i, p, c, a) => i.opened(p, c, a[1], a[2]),
  openat2: (i, p, c, a) => i.opened(p, c, a[1], a[2]),
  close: (i, p, c, a) => i.close(p, c, a),
  dup: (i, p, c, a) => i.duplicated(p, c, a, false),
  dup2: (i, p, c, a) => i.duplicated(p, c, a, false),
  dup3: (i, p, c, a) => i.duplicated(p, c, a, /O_CLOEXEC/.test(a[2] ?? '')),
  fcntl: (i, p, c, a) => i.fcntl(p, c, a),
  fcntl64: (i, p, c, a) => i.fcntl(p, c, a),
  clone: (i, p, c) => i.clone(p, c),
  clone3: (i, p, c) => i.clone(p, c),
  fork: (i, p, c) => i.clone(p, c),
  syncsim_dirty: (i, p, c, a) => i.dirty(p, c, a),
  vfork: (i, p, c) => i.clone(p, c),
  execve: (i, p, c) => i.execve(p, c),
  execveat: (i, p, c) => i.execve(p, c),
};
