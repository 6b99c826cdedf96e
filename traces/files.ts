/**
 * Small file helpers shared by the trace reader and the importers.
 */
import { promises as fsp } from 'node:fs';

/** Whether the file starts with the gzip magic bytes 0x1f 0x8b. */
export async function isGzip(path: string): Promise<boolean> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The errno code of an I/O error (`ENOENT`, ...), or `error`. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return (e && typeof e.code === 'string' && e.code) || 'error';
}
