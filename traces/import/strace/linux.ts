/**
 * Linux constants of the calls the strace importer translates, as strace
 * prints them and with their values for numeric output (from the Linux UAPI
 * headers: include/uapi/asm-generic/mman-common.h, mman.h, fcntl.h,
 * include/uapi/linux/sched.h).
 */
import { Flag } from '../../types.ts';

/** PROT_WRITE: a mapping that may be stored to. */
export const PROT_WRITE = 0x2;
/** PROT_* names to bits. */
export const PROT_BITS: Readonly<Record<string, number>> = {
  PROT_NONE: 0, PROT_READ: 0x1, PROT_WRITE: 0x2, PROT_EXEC: 0x4, PROT_SEM: 0x8, PROT_GROWSDOWN: 0x01000000, PROT_GROWSUP: 0x02000000,
};
/** mmap flag bits the importer looks at. */
export const MAP_SHARED = 0x1, MAP_PRIVATE = 0x2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_LOCKED = 0x2000;
/** MAP_* names to bits. */
export const MAP_BITS: Readonly<Record<string, number>> = {
  MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE: 0x3, MAP_FIXED, MAP_ANONYMOUS, MAP_ANON: MAP_ANONYMOUS, MAP_LOCKED,
  MAP_FILE: 0, MAP_FIXED_NOREPLACE: 0x100000,
};
/** msync flags: Linux values and the native flag each becomes. */
export const MS_FLAGS: Readonly<Record<string, { value: number; flag: number }>> = {
  MS_ASYNC: { value: 1, flag: Flag.ASYNC },
  MS_INVALIDATE: { value: 2, flag: Flag.INVALIDATE },
  MS_SYNC: { value: 4, flag: Flag.SYNC },
};
/** mlockall flag bits. */
export const MCL_CURRENT = 1, MCL_FUTURE = 2;
/** MCL_* names to bits. */
export const MCL_BITS: Readonly<Record<string, number>> = { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT: 4 };
/** clone flag bits that decide whether a child shares its parent's address space. */
export const CLONE_VM = 0x100, CLONE_VFORK = 0x4000;
/** CLONE_* names the importer reads (others are ignored). */
export const CLONE_BITS: Readonly<Record<string, number>> = { CLONE_VM, CLONE_VFORK };
/** O_CLOEXEC: the descriptor is closed by execve. */
export const O_CLOEXEC = 0o2000000;
/** `mmap2` offsets count 4096-byte units. */
export const MMAP2_UNIT = 4096;
/** The native flags of wiring rows from mlock and friends. */
export const WIRE_USER = Flag.USER | Flag.NOHOLES;

/**
 * madvise advice values (include/uapi/asm-generic/mman-common.h) that set a
 * mapping's access advice, to the native map flag each gives (0: MADV_NORMAL,
 * the default read-ahead); the other advice values change no map row.
 */
export const MADV_ACCESS: Readonly<Record<string, { value: number; flag: number }>> = {
  MADV_NORMAL: { value: 0, flag: 0 },
  MADV_RANDOM: { value: 1, flag: Flag.RANDOM },
  MADV_SEQUENTIAL: { value: 2, flag: Flag.SEQUENTIAL },
};
