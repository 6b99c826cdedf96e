/**
 * What the file and block-trace importers share: the address layout of the
 * objects they map, the trace clock, and the injection of msyncs that block
 * traces lack (`--sync-every-writes N`, `--sync-every-us T`).
 *
 * Layout (no look-ahead, so it works on a stream): the k-th object met in the
 * input (k = 0, 1, ...) is mapped whole, at offset 0, over a fixed region of
 * `regionBytes` at base address (k + 1) × regionBytes, by a `map` row issued just
 * before its first row. Regions are powers of two, so every base is aligned to
 * any page size up to the region size; an offset at or past the end of the
 * region is an error of the input. A "sync of the whole mapping" is an `msync`
 * of the whole region.
 *
 * Clock: trace time 0 is the input time of the first event that produces a row;
 * later rows are at their input time minus that origin. An event whose input
 * time is earlier than the previous one is clamped to the previous time (the
 * trace stays non-decreasing, no sort and no look-ahead needed) and counted in
 * the stats (`time_clamped`, `time_clamped_max_us`).
 */
import { ADDR_LIMIT, Flag } from '../types.ts';
import type { RowInput } from '../writer.ts';
import { TraceError } from '../trace-error.ts';
import type { ImportOptions, ImportStats } from './importer.ts';

/** 1 TiB: the region of one file (fio-iolog). */
export const REGION_1TIB = 2 ** 40;
/** 16 TiB: the region of one block device (blkparse, msr), larger than any disk in those traces. */
export const REGION_16TIB = 2 ** 44;

/** Human-readable size of a region (`1 TiB`, `16 TiB`). */
export function regionName(bytes: number): string {
  return `${bytes / REGION_1TIB} TiB`;
}

/**
 * Input times to trace times: starts at 0 at the first event converted, never
 * goes backwards (earlier input times are clamped and counted).
 */
export class TraceClock {
  private origin: number | undefined = undefined;
  private base = 0;
  private last = 0;
  /** Events clamped so far, and the largest step back (ns). */
  clamped = 0;
  maxBackNs = 0;

  /** Trace time (integer ns) of an event at input time `inputNs` (integer ns, any origin). */
  toTrace(inputNs: number): number {
    if (this.origin === undefined) {
      this.origin = inputNs;
      this.base = this.last;
    }
    let t = this.base + (inputNs - this.origin);
    if (t < this.last) {
      this.clamped++;
      this.maxBackNs = Math.max(this.maxBackNs, this.last - t);
      t = this.last;
    }
    this.last = t;
    return t;
  }

  /** The input clock restarts (e.g. a second run appended to the same log): its first event continues at the last trace time. */
  restart(): void {
    this.origin = undefined;
  }

  /** The last trace time given out (0 before any). */
  get now(): number {
    return this.last;
  }
}

/** One object of the imported trace, mapped at its own base. */
interface MappedObject {
  readonly name: string;
  readonly task: string;
  readonly base: number;
  /** Bytes its I/O may reach: the file's size when given, else the whole region. */
  readonly size: number;
  /** Bytes its `map` row maps (and a whole-mapping msync covers): `size` rounded up to a page. */
  readonly mapLen: number;
  mapped: boolean;
  /** Writes (of at least one byte) since its last whole-mapping msync. */
  writesSinceSync: number;
  /**
   * Whether its last msync is an injected one, with no write (of at least one byte) since and
   * no msync of the input merged into it yet: the input's next msync of it, with the same
   * flags, would write nothing, and is merged into that one (`msync_merged`).
   */
  injectedLast: boolean;
}

/** Where an input event came from, for error messages. */
export interface InputPlace {
  line: number;
  /** The column (field) name of the offending value. */
  column: string;
  /** The offending text. */
  text: string;
}

/**
 * The rows of an imported trace, built event by event: lays out objects, emits
 * `map` rows on first use, converts times, and injects msyncs
 * (`syncEveryWrites`: after every N-th write of at least one byte to an object
 * since its last whole-mapping msync, at the time of that write;
 * `syncEveryUs`: at every multiple of T µs of trace time, for each object
 * written since its last whole-mapping msync, in the order they were written,
 * before the first event at or after that time; none after the last event).
 * Injected msyncs cover the whole mapping with `syncFlags`.
 *
 * An injected msync and the input's own msync of the same object that follows it with no write
 * to that object between (reads, other objects' rows and time may pass) are one sync: the
 * input's own would write nothing, yet cost a device FLUSH, and the workload issued one sync
 * there, not two. The injected msync stays, at its time, and stands for the input's, which
 * makes no row: `msync_merged` counts those, and `msync_injected` counts only the msyncs added
 * to the input's own, so that the msync rows are always the input's syncs plus
 * `msync_injected`. Keeping the earlier of the two needs no look-ahead (the import streams) and
 * keeps the injected msyncs where the options put them. An input msync with other flags than
 * the injected ones is kept; so is a second input msync after a merged one (the input's own two
 * back to back).
 */
export class ImportedTrace {
  readonly clock = new TraceClock();
  private readonly objects = new Map<string, MappedObject>();
  private readonly dirty = new Set<MappedObject>();
  private rows: RowInput[] = [];
  private readonly maxObjects: number;
  private readonly everyWrites: number;
  private readonly everyNs: number;
  private nextBoundaryNs: number;
  private readonly injectFlags: number;
  private readonly mapFlags: number;
  private readonly pageSize: number;
  /** Each file's size (bytes) when given (`fileBytes`), by name. */
  private readonly sizeOf: (name: string) => number | undefined;

  constructor(
    private readonly path: string,
    opts: ImportOptions,
    private readonly stats: ImportStats,
    readonly regionBytes: number,
  ) {
    if (!Number.isInteger(Math.log2(regionBytes)) || regionBytes < opts.pageSize) throw new RangeError(`region of ${regionBytes} bytes is not a power of two of at least a page`);
    this.maxObjects = Math.floor(ADDR_LIMIT / regionBytes) - 1;
    this.everyWrites = opts.syncEveryWrites ?? 0;
    this.everyNs = opts.syncEveryUs !== undefined ? Math.max(1, Math.round(opts.syncEveryUs * 1000)) : 0;
    this.nextBoundaryNs = this.everyNs;
    this.injectFlags = opts.syncFlags;
    this.mapFlags = opts.mapFlags ?? 0;
    this.pageSize = opts.pageSize;
    const fb = opts.fileBytes;
    this.sizeOf = fb === undefined ? () => undefined : typeof fb === 'number' ? () => fb : fb;
    stats.msync_injected ??= 0;
    stats.msync_merged ??= 0;
    stats.time_clamped ??= 0;
    stats.time_clamped_max_us ??= 0;
  }

  /** The rows built since the last call. */
  take(): RowInput[] {
    const out = this.rows;
    this.rows = [];
    return out;
  }

  /** Rows waiting to be taken. */
  get pending(): number {
    return this.rows.length;
  }

  /** Trace time of an event at input time `inputNs`; updates the clamp stats. */
  time(inputNs: number): number {
    const t = this.clock.toTrace(inputNs);
    this.stats.time_clamped = this.clock.clamped;
    this.stats.time_clamped_max_us = this.clock.maxBackNs / 1000;
    return t;
  }

  /** The object called `name` (created, not yet mapped, on first sight), issued by `task`. */
  private object(name: string, task: string, place: InputPlace): MappedObject {
    let o = this.objects.get(name);
    if (o === undefined) {
      if (this.objects.size >= this.maxObjects) {
        throw new TraceError(this.path, place.line, place.column, `too many objects: at most ${this.maxObjects} fit, one ${regionName(this.regionBytes)} region each`, place.text);
      }
      const given = this.sizeOf(name);
      // a size that is not a whole number of bytes within the region (a sparse file past it, say) maps the whole region, as without one
      const size = given !== undefined && Number.isSafeInteger(given) && given > 0 && given <= this.regionBytes ? given : this.regionBytes;
      const mapLen = Math.min(this.regionBytes, Math.ceil(size / this.pageSize) * this.pageSize);
      o = { name, task, base: (this.objects.size + 1) * this.regionBytes, size, mapLen, mapped: false, writesSinceSync: 0, injectedLast: false };
      this.objects.set(name, o);
    }
    return o;
  }

  /** Emit the injected time-based msyncs due before an event at trace time `tNs`, and map `o` if needed. */
  private before(o: MappedObject, tNs: number): void {
    if (this.everyNs > 0 && tNs >= this.nextBoundaryNs) {
      const at = this.nextBoundaryNs;
      for (const d of this.dirty) this.injectSync(d, at);
      this.dirty.clear();
      this.nextBoundaryNs = (Math.floor(tNs / this.everyNs) + 1) * this.everyNs;
    }
    if (!o.mapped) {
      this.rows.push({ tNs, task: o.task, op: 'map', addr: o.base, len: o.mapLen, object: o.name, offset: 0, ...(this.mapFlags ? { flags: this.mapFlags } : {}) });
      o.mapped = true;
    }
  }

  private injectSync(o: MappedObject, tNs: number): void {
    this.rows.push({ tNs, task: o.task, op: 'msync', addr: o.base, len: o.mapLen, flags: this.injectFlags });
    o.writesSinceSync = 0;
    o.injectedLast = true;
    this.stats.msync_injected = (this.stats.msync_injected ?? 0) + 1;
  }

  /**
   * Whether the input's own msync of `o` with `flags`, due now, is merged into the injected msync
   * before it (see the class): then it makes no row, and that msync counts as the input's.
   */
  private merged(o: MappedObject, flags: number): boolean {
    const merge = o.injectedLast && flags === this.injectFlags;
    o.injectedLast = false; // merged or not, the input's own is the last msync now
    if (!merge) return false;
    this.stats.msync_injected = (this.stats.msync_injected ?? 0) - 1;
    this.stats.msync_merged = (this.stats.msync_merged ?? 0) + 1;
    return true;
  }

  /** What bounds `o`'s I/O, for error messages. */
  private bound(o: MappedObject): string {
    return o.size === this.regionBytes ? `the ${regionName(this.regionBytes)} mapped per object` : `the size given for ${o.name}`;
  }

  /** Check that [offset, offset+len) fits `o` (its region, or the file size given). */
  private checkRange(o: MappedObject, offset: number, len: number, place: InputPlace): void {
    if (!(offset + len <= o.size)) {
      throw new TraceError(this.path, place.line, place.column, `offset + length must be at most ${o.size} (${this.bound(o)})`, place.text);
    }
  }

  /** A store of `len` bytes at `offset` of object `name`, at trace time `tNs`. */
  write(name: string, task: string, tNs: number, offset: number, len: number, place: InputPlace, extra?: Record<string, string>): void {
    const o = this.store(name, task, tNs, offset, len, place, extra);
    if (len > 0 && this.everyWrites > 0 && ++o.writesSinceSync >= this.everyWrites) {
      this.injectSync(o, tNs);
      this.dirty.delete(o);
    }
  }

  /**
   * A store followed at once by the input's own msync of the whole mapping with `flags` (a
   * FUA write): that msync is the one `syncEveryWrites` would inject after the store, so none
   * is (an injected one would leave the input's own with nothing to write).
   */
  writeThenSync(name: string, task: string, tNs: number, offset: number, len: number, flags: number, place: InputPlace): void {
    this.store(name, task, tNs, offset, len, place);
    this.syncAll(name, task, tNs, flags, place);
  }

  /** The `write` row of a store (after the injected msyncs due before it), marking the object dirty; its object. */
  private store(name: string, task: string, tNs: number, offset: number, len: number, place: InputPlace, extra?: Record<string, string>): MappedObject {
    const o = this.object(name, task, place);
    this.checkRange(o, offset, len, place);
    this.before(o, tNs);
    this.rows.push(extra ? { tNs, task: o.task, op: 'write', addr: o.base + offset, len, extra } : { tNs, task: o.task, op: 'write', addr: o.base + offset, len });
    if (len > 0) {
      this.dirty.add(o);
      o.injectedLast = false;
    }
    return o;
  }

  /** A load of `len` bytes at `offset` of object `name`. */
  read(name: string, task: string, tNs: number, offset: number, len: number, place: InputPlace, extra?: Record<string, string>): void {
    const o = this.object(name, task, place);
    this.checkRange(o, offset, len, place);
    this.before(o, tNs);
    this.rows.push(extra ? { tNs, task: o.task, op: 'read', addr: o.base + offset, len, extra } : { tNs, task: o.task, op: 'read', addr: o.base + offset, len });
  }

  /**
   * An msync of the whole mapping of object `name` with `flags` (the input's own sync); none when
   * it is merged into the injected msync before it (see the class).
   */
  syncAll(name: string, task: string, tNs: number, flags: number, place: InputPlace): void {
    const o = this.object(name, task, place);
    this.before(o, tNs);
    if (!this.merged(o, flags)) this.rows.push({ tNs, task: o.task, op: 'msync', addr: o.base, len: o.mapLen, flags });
    o.writesSinceSync = 0;
    this.dirty.delete(o);
  }

  /**
   * An msync of [offset, offset+len) of object `name`, len 0: to the end of its mapping (a range
   * sync: it does not reset the injection counters). The range is widened to whole pages: a byte
   * range syncs the pages it touches (sync_file_range), while msync refuses an unaligned address.
   * None when it is merged into the injected msync of the whole mapping before it (see the class).
   */
  syncRange(name: string, task: string, tNs: number, offset: number, len: number, flags: number, place: InputPlace): void {
    const o = this.object(name, task, place);
    if (len === 0) {
      if (!(offset < o.size)) throw new TraceError(this.path, place.line, place.column, `offset must be below ${o.size} (${this.bound(o)})`, place.text);
      len = o.mapLen - offset;
    } else this.checkRange(o, offset, len, place);
    const start = offset - (offset % this.pageSize);
    const end = Math.min(o.mapLen, Math.ceil((offset + len) / this.pageSize) * this.pageSize);
    this.before(o, tNs);
    if (!this.merged(o, flags)) this.rows.push({ tNs, task: o.task, op: 'msync', addr: o.base + start, len: end - start, flags });
  }
}

/** The default flags of translated and injected msyncs. */
export const DEFAULT_SYNC_FLAGS = Flag.SYNC;

/** A task / object token made of [A-Za-z0-9_.-] from any text (other characters become `_`). */
export function toToken(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return t === '' ? '_' : t;
}
