/**
 * Lines that end with a carriage return alone (classic Mac OS line endings): a trace's lines end
 * with LF or CR LF, so such a file reads as one long line, and the reader's own complaint (an
 * unknown column `offset\r0`, at line 0; no header line in a file of five) would not say why. When
 * a trace fails to read, its first bytes (of its text, for a gzip one) are looked at for this, and
 * the error says it; the importers look before they read (traces/import/lines.ts).
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
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
 * The first `bytes` bytes (fewer when it holds fewer) of the text of the gzip file `path`: as
 * much as decompresses whole, so a damaged file gives what comes before its damage.
 */
export async function gzipStart(path: string, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  const source = createReadStream(path, { highWaterMark: 1 << 16 });
  const gunzip = createGunzip();
  try {
    for await (const chunk of source.pipe(gunzip) as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= bytes) break;
    }
  } catch {
    // damaged: what decompressed before the damage
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

/** The first {@link CR_LOOK_BYTES} bytes of the text of `path`: of the file, or decompressed when `gz`. */
export function textStart(path: string, gz: boolean): Promise<Buffer> {
  return gz ? gzipStart(path, CR_LOOK_BYTES) : fileStart(path, CR_LOOK_BYTES);
}

/**
 * `read`, a trace's reading (`gz`: of a gzip file, whose text is looked at): a {@link TraceError}
 * it throws is replaced by {@link crOnlyError} when the text's lines end with a CR alone (until
 * 2026-12-08 only a plain trace's were: a gzip one was refused as `no header line (empty trace)`
 * at a line past its end, user trial h202).
 */
export async function* withCrLinesTold<T>(path: string, gz: boolean, read: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* read;
  } catch (err) {
    if (!(err instanceof TraceError)) throw err;
    let head: Buffer;
    try {
      head = await textStart(path, gz);
    } catch {
      throw err;
    }
    throw crOnlyLines(head) ? crOnlyError(path) : err;
  }
}
