/**
 * Lines that end with a carriage return alone (classic Mac OS line endings): a trace's lines end
 * with LF or CR LF, so such a file reads as one long line, and the reader's own complaint (an
 * unknown column `offset\r0`, at line 0; no header line in a file of five) would not say why. When
 * a plain trace fails to read, its first bytes are looked at for this, and the error says it; the
 * importers look before they read (traces/import/lines.ts).
 */
import { fileStart } from './files.ts';
import { TraceError } from './trace-error.ts';

/** Bytes looked at: enough to hold a header and some rows (and read in one go). */
export const CR_LOOK_BYTES = 65536;

/** Whether `head`, a file's first bytes, has line breaks that are all a CR alone (at least one CR, no LF). */
export function crOnlyLines(head: Uint8Array): boolean {
  let cr = 0;
  for (const b of head) {
    if (b === 10) return false;
    if (b === 13) cr++;
  }
  return cr > 0;
}

/** The error for a trace whose lines end with a CR alone. */
export function crOnlyError(path: string): TraceError {
  return new TraceError(path, 1, '-', 'its lines end with a carriage return alone (classic Mac OS line endings), which syncsim does not take for line breaks (LF or CR LF): convert them first, e.g. tr \'\\r\' \'\\n\' < OLD > NEW', undefined);
}

/**
 * `read`, a plain (not gzip) trace's reading: a {@link TraceError} it throws is replaced by
 * {@link crOnlyError} when the file's lines end with a CR alone.
 */
export async function* withCrLinesTold<T>(path: string, read: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* read;
  } catch (err) {
    if (!(err instanceof TraceError)) throw err;
    let head: Buffer;
    try {
      head = await fileStart(path, CR_LOOK_BYTES);
    } catch {
      throw err;
    }
    throw crOnlyLines(head) ? crOnlyError(path) : err;
  }
}
