/**
 * The pager: turns a run of dirty pages into one writeback I/O on the device,
 * marks the pages under writeback, and on completion cleans them (or, on an
 * I/O error, leaves them dirty) and wakes whoever sleeps on the object.
 */
import { Io, type BlockDevice, type WritebackCause } from '../device/device.ts';
import type { VmObject } from '../vm/object.ts';

/** One completed writeback I/O, as reported to the results. */
export interface WritebackRecord {
  tSubmitNs: number;
  tStartNs: number;
  tDoneNs: number;
  object: string;
  /** Byte offset in the object. */
  offset: number;
  pages: number;
  bytes: number;
  cause: WritebackCause;
  ok: boolean;
}

/** Writeback totals. */
export class WritebackTotals {
  ios = 0;
  pages = 0;
  bytes = 0;
  byCause: Record<WritebackCause, number> = { msync: 0, syncer: 0, pageout: 0 };
}

/** Issues writeback I/Os and finishes them. */
export class Pager {
  readonly totals = new WritebackTotals();
  private nextIo = 0;
  device!: BlockDevice;
  /** Called after each write I/O completion (the pageout daemon listens). */
  onComplete: ((io: Io) => void) | undefined;
  /** Called when a read I/O completes (page-in sets it), before sleepers on the object wake. */
  onReadComplete: ((io: Io) => void) | undefined;
  /** FLUSH commands completed. */
  flushes = 0;

  constructor(
    private readonly pageSize: number,
    private readonly record: (r: WritebackRecord) => void,
  ) {}

  /**
   * Starts writeback of pages [first, first+count) of `obj` (all dirty and
   * idle): they go under writeback now and one I/O is queued. `urgent` marks
   * an I/O a synchronous msync will wait on.
   */
  write(obj: VmObject, first: number, count: number, cause: WritebackCause, urgent: boolean): Io {
    for (let i = first; i < first + count; i++) obj.startWriteback(i);
    const io = new Io(this.nextIo++, obj, first, count, cause, urgent);
    this.device.submit(io);
    return io;
  }

  /**
   * Writes a copy of pages [first, first+count) of `obj` (a Mach memory
   * manager storing the data of a data_return): one I/O, page state untouched.
   */
  writeCopy(obj: VmObject, first: number, count: number, cause: WritebackCause, urgent: boolean): Io {
    const io = new Io(this.nextIo++, obj, first, count, cause, urgent);
    io.copy = true;
    this.device.submit(io);
    return io;
  }

  /**
   * Device completion callback. A write cleans its pages (not for a `copy`),
   * counts in the writeback totals and is recorded; a read goes to
   * `onReadComplete`; a flush is counted. Sleepers on the object wake.
   */
  complete(io: Io): void {
    const obj = io.object;
    if (io.kind !== 'write') {
      if (io.kind === 'flush') this.flushes++;
      else this.onReadComplete?.(io);
      obj.waitQueue.wakeAll();
      return;
    }
    if (!io.copy) for (let i = io.first; i < io.first + io.pages; i++) obj.endWriteback(i, io.ok);
    const bytes = io.pages * this.pageSize;
    const t = this.totals;
    t.ios++;
    t.pages += io.pages;
    t.bytes += bytes;
    t.byCause[io.cause] += bytes;
    this.record({
      tSubmitNs: io.tSubmit, tStartNs: io.tStart, tDoneNs: io.tDone, object: obj.name,
      offset: io.first * this.pageSize, pages: io.pages, bytes, cause: io.cause, ok: io.ok,
    });
    obj.waitQueue.wakeAll();
    this.onComplete?.(io);
  }
}
