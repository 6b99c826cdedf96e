/**
 * Writes the storage refused: a full disk, a quota, a file size limit, a
 * read-only or failing file system. They are the user's to fix, not a bug, so
 * every command reports them in one line with exit 2. A module with no
 * imports, so that the command line's entry can load it at once.
 */

/** errno codes of a write the storage refused. */
export const WRITE_FAILURES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EIO']);

/** Whether `e` is a system error of a write the storage refused ({@link WRITE_FAILURES}). */
export function isWriteFailure(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && WRITE_FAILURES.has(code);
}
