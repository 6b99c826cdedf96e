/**
 * The pager: turns a run of dirty pages into one writeback I/O on the device,
 * marks the pages under writeback, and on completion cleans them (or, on an
 * I/O error, leaves them dirty) and wakes whoever sleeps on the object. It
 * also reads runs of pages in (page-in and read-ahead): the pages are being
 * read until the I/O completes, then resident and clean.
 */
import { Io, type BlockDevice, type ReadCause, type WritebackCause } from '../device/device.ts';
import type { VmObject } from '../vm/object.ts';

/** One completed page-in read, as reported to the results (a row of reads.csv). */
export interface ReadRecord {
  tSubmitNs: number;
  tStartNs: number;
  tDoneNs: number;
  object: string;
  /** Byte offset in the object. */
  offset: number;
  pages: number;
  bytes: number;
  cause: ReadCause;
  ok: boolean;
}

/** Page-in read totals (summary.json `pagein`, with the wait time kept by the page-in path). */
export class ReadTotals {
  ios = 0;
  pages = 0;
  bytes = 0;
}

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
  readonly reads = new ReadTotals();
  private nextIo = 0;
  device!: BlockDevice;
  /** Called after each write I/O completion (the pageout daemon listens). */
  onComplete: ((io: Io) => void) | undefined;
  /** FLUSH commands completed. */
  flushes = 0;

  constructor(
    private readonly pageSize: number,
    private readonly record: (r: WritebackRecord) => void,
    private readonly recordRead: (r: ReadRecord) => void = () => {},
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
   * Reads pages [first, first+count) of `obj` (none resident or being read):
   * they are being read from now on and one read I/O is queued. A `pagein`
   * read (a fault waits for it) is urgent.
   */
  read(obj: VmObject, first: number, count: number, cause: ReadCause): Io {
    for (let i = first; i < first + count; i++) obj.startRead(i);
    const io = new Io(this.nextIo++, obj, first, count, cause, cause === 'pagein');
    io.kind = 'read';
    this.device.submit(io);
    return io;
  }

  /** A read completed: its pages become resident (or, on an error, absent again); reads.csv record; wake sleepers. */
  private completeRead(io: Io): void {
    const obj = io.object;
    for (let i = io.first; i < io.first + io.pages; i++) obj.endRead(i, io.ok);
    const bytes = io.pages * this.pageSize;
    const t = this.reads;
    t.ios++;
    t.pages += io.pages;
    t.bytes += bytes;
    this.recordRead({
      tSubmitNs: io.tSubmit, tStartNs: io.tStart, tDoneNs: io.tDone, object: obj.name,
      offset: io.first * this.pageSize, pages: io.pages, bytes, cause: io.cause as ReadCause, ok: io.ok,
    });
    obj.waitQueue.wakeAll();
    this.onComplete?.(io);
  }

  /**
   * Device completion callback. A write cleans its pages (not for a `copy`),
   * counts in the writeback totals and is recorded; a read makes its pages
   * resident (completeRead); a flush is counted. Sleepers on the object wake.
   */
  complete(io: Io): void {
    if (io.kind === 'read') {
      this.completeRead(io);
      return;
    }
    const obj = io.object;
    if (io.kind === 'flush') {
      this.flushes++;
      obj.waitQueue.wakeAll();
      return;
    }
    if (!io.copy) for (let i = io.first; i < io.first + io.pages; i++) obj.endWriteback(i, io.ok);
    const bytes = io.pages * this.pageSize;
    const t = this.totals;
    t.ios++;
    t.pages += io.pages;
    t.bytes += bytes;
    const cause = io.cause as WritebackCause;
    t.byCause[cause] += bytes;
    this.record({
      tSubmitNs: io.tSubmit, tStartNs: io.tStart, tDoneNs: io.tDone, object: obj.name,
      offset: io.first * this.pageSize, pages: io.pages, bytes, cause, ok: io.ok,
    });
    obj.waitQueue.wakeAll();
    this.onComplete?.(io);
  }
}
