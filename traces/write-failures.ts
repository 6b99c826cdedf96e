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

/**
 * errno codes of a write the storage as a whole refused — full (ENOSPC), over
 * quota (EDQUOT), read-only (EROFS), failing (EIO) — so that every later write
 * there fails too; not EFBIG, one file larger than a limit, which a smaller
 * file still passes.
 */
export const STORAGE_REFUSALS: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/**
 * The system error of {@link STORAGE_REFUSALS} that `e` is or wraps (its `cause`, and
 * the cause's, ...), or undefined.
 */
export function storageRefusal(e: unknown): NodeJS.ErrnoException | undefined {
  for (let x = e, depth = 0; x !== null && typeof x === 'object' && depth < 8; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && STORAGE_REFUSALS.has(code)) return x as NodeJS.ErrnoException;
  }
  return undefined;
}

/**
 * `e` with `path` as the file it was writing, when `e` is a system error that
 * names none (a failed `write` names no file: Node sets `path` only for calls
 * given one); thrown on as it is otherwise.
 */
export function namingFile(e: unknown, path: string): unknown {
  if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).path === undefined) {
    (e as NodeJS.ErrnoException).path = path;
  }
  return e;
}
