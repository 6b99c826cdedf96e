/**
 * The checks `syncsim import` makes of its options, on the typed options a
 * library caller gives `importTrace` (scripts/lib.ts): each a RangeError
 * naming the option by its key, before any row is read.
 */
import { Flag, FLAGS_BY_OP } from '../types.ts';
import type { ImportOptions } from './importer.ts';
import { assumeDirtyMode, ASSUME_DIRTY_MODES } from './strace/assume-dirty.ts';

/** 1 TiB: the region each object of a block trace is laid out in, and the largest file size. */
const REGION_BYTES = 2 ** 40;

/** Formats whose msyncs and mappings syncsim makes (block traces), as against strace's, which are the program's own. */
export const INJECTED: readonly string[] = ['fio-iolog', 'blkparse', 'msr'];

/** Throws a RangeError for the first option of `o` that `syncsim import --from format` would refuse. */
export function checkImportOptions(format: string, o: ImportOptions): void {
  const bad = (m: string): never => {
    throw new RangeError(m);
  };
  const ps = o.pageSize;
  if (!(Number.isInteger(ps) && ps >= 512 && ps <= 2 ** 30 && (ps & (ps - 1)) === 0)) bad(`pageSize must be a power of two from 512 to 1 GiB (got ${String(ps)})`);
  if (o.syncEveryWrites !== undefined && !(Number.isSafeInteger(o.syncEveryWrites) && o.syncEveryWrites >= 1)) bad(`syncEveryWrites must be a positive integer (got ${String(o.syncEveryWrites)})`);
  if (o.syncEveryUs !== undefined && !(Number.isFinite(o.syncEveryUs) && o.syncEveryUs >= 0.001)) bad(`syncEveryUs must be a positive number of microseconds, at least 0.001 (got ${String(o.syncEveryUs)})`);
  if (o.syncEveryWrites !== undefined && o.syncEveryUs !== undefined) bad('syncEveryWrites and syncEveryUs are exclusive: give one');
  const sf = o.syncFlags;
  if (!(Number.isInteger(sf) && sf >= 0 && (sf & ~FLAGS_BY_OP.msync) === 0)) bad(`syncFlags must be msync flags (SYNC, ASYNC, INVALIDATE) as names joined by | or their bits (got ${String(sf)})`);
  const injected = INJECTED.includes(format);
  if (!injected && (o.syncEveryWrites !== undefined || o.syncEveryUs !== undefined)) bad(`syncEveryWrites and syncEveryUs are for formats whose msyncs syncsim injects (${INJECTED.join(', ')}): ${format}'s are the program's own`);
  if (!injected && o.mapFlags !== undefined) bad(`mapFlags is for formats whose mappings syncsim lays out (${INJECTED.join(', ')}): ${format}'s are the program's own`);
  // the command's --advice: an access advice, nothing else (PRIVATE would make every msync write nothing)
  if (o.mapFlags !== undefined && o.mapFlags !== 0 && o.mapFlags !== Flag.RANDOM && o.mapFlags !== Flag.SEQUENTIAL) bad(`mapFlags must be an access advice, RANDOM or SEQUENTIAL (the command's --advice), or 0 (got ${String(o.mapFlags)})`);
  if (o.fileBytes !== undefined) {
    if (format !== 'fio-iolog') bad(`fileBytes is for fio-iolog, whose log names files but not their sizes (got format ${format})`);
    if (typeof o.fileBytes === 'number' && !(Number.isSafeInteger(o.fileBytes) && o.fileBytes >= 1 && o.fileBytes <= REGION_BYTES)) bad(`fileBytes must be a size from 1 byte to 1 TiB (got ${String(o.fileBytes)})`);
  }
  if (o.assumeDirty !== undefined) {
    if (format !== 'strace') bad(`assumeDirty is for strace, which cannot see stores to mapped memory (got format ${format}, whose traces have their writes)`);
    if (o.assumeDirty === 'measured' && !o.pagesForMeasured) bad("assumeDirty 'measured' needs pagesForMeasured, or calibration (a calibrated configuration file): the device that turns a measured msync duration into pages");
    if (!assumeDirtyMode(o.assumeDirty, o.assumeDirtySeed ?? 1, o.pagesForMeasured)) bad(`assumeDirty: unknown mode '${o.assumeDirty}' (expected one of ${Object.keys(ASSUME_DIRTY_MODES).join(', ')})`);
  }
  if (o.assumeDirtySeed !== undefined && !(Number.isInteger(o.assumeDirtySeed) && o.assumeDirtySeed >= 0 && o.assumeDirtySeed <= 4294967295)) bad(`assumeDirtySeed must be an integer from 0 to 4294967295 (got ${String(o.assumeDirtySeed)})`);
}
