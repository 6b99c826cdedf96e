/**
 * Mach/BSD kernel return codes used inside the VM layer, before a syscall
 * maps them to an errno.
 */
export const KERN = {
  SUCCESS: 'KERN_SUCCESS',
  INVALID_ADDRESS: 'KERN_INVALID_ADDRESS',
  INVALID_ARGUMENT: 'KERN_INVALID_ARGUMENT',
  FAILURE: 'KERN_FAILURE',
  RESOURCE_SHORTAGE: 'KERN_RESOURCE_SHORTAGE',
} as const;

/** A kernel return code. */
export type KernReturn = (typeof KERN)[keyof typeof KERN];

/** Maps a kernel return code to an errno name through `table`, `fallback` for codes not in it. */
export function toErrno(kr: KernReturn, table: Partial<Record<KernReturn, string>>, fallback: string): string {
  return table[kr] ?? fallback;
}

/**
 * Every result code an msync, wire or unwire can end with other than success, in any
 * personality: the errnos of linux, freebsd and xnu, and mach's kernel return codes. A
 * summary's `sync.errors` and `wire.errors` hold only these (a sweep's metric may name one a run
 * never returned, which counts 0; any other is a misspelling).
 */
export const RESULT_CODES: readonly string[] = [
  'EAGAIN', 'EBUSY', 'EFAULT', 'EINVAL', 'EIO', 'ENOMEM', 'EPERM',
  KERN.INVALID_ADDRESS, KERN.INVALID_ARGUMENT, KERN.FAILURE, KERN.RESOURCE_SHORTAGE,
];
