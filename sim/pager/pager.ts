/**
 * The pager: turns a run of dirty pages into one writeback I/O on the device,
 * marks the pages under writeback, and on completion cleans them (or, on an
 * I/O error, leaves them dirty) and wakes whoever sleeps on the object. It
 * also reads runs of pages in (page-in and read-ahead): the pages are being
 * read until the I/O completes, then resident and clean.
 */
import { BlkPlug } from './plug.ts';
import { Io, type BlockDevice, type ReadCause, type WritebackCause } from '../device/device.ts';
import type { VmObject } from '../vm/object.ts';
import { DOUBLE_FIELD } from '../engine/queue.ts';

/** One completed I/O of a run of pages, as reported to the results; `C` is its kind of cause. */
export interface IoRecord<C extends string> {
  tSubmitNs: number;
  tStartNs: number;
  tDoneNs: number;
  object: string;
  /** Byte offset in the object. */
  offset: number;
  pages: number;
  bytes: number;
  cause: C;
  ok: boolean;
}

/** One completed page-in read (a row of reads.csv). */
export type ReadRecord = IoRecord<ReadCause>;

/** Page-in read totals (summary.json `pagein`, with the wait time kept by the page-in path). */
export class ReadTotals {
  ios = 0;
  pages = 0;
  bytes = 0;
}

/** One completed writeback I/O (a row of writeback.csv). */
export type WritebackRecord = IoRecord<WritebackCause>;

/** Writeback totals. */
export class WritebackTotals {
  ios = 0;
  pages = 0;
  bytes = DOUBLE_FIELD;
  /** Bytes by cause; `journal` and `metadata` appear once a filesystem writes its own blocks. */
  byCause: Partial<Record<WritebackCause, number>> & Record<'msync' | 'syncer' | 'pageout', number> = { msync: DOUBLE_FIELD, syncer: DOUBLE_FIELD, pageout: DOUBLE_FIELD };
  /** FLUSH commands completed. */
  flushes = 0;

  constructor() {
    // byte counts pass 2^31: see DOUBLE_FIELD
    this.bytes = this.byCause.msync = this.byCause.syncer = this.byCause.pageout = 0;
  }
}

/** How a filesystem block write is issued (Linux REQ_FUA / REQ_PREFLUSH; `urgent`: a sync waits on it). */
export interface FsWriteFlags {
  fua?: boolean;
  preflush?: boolean;
  urgent?: boolean;
}

/**
 * The I/Os of one sync its issuer waits for, gathered in slots that stay allocated from one sync to
 * the next ({@link Pager.ioList}, {@link Pager.releaseList}): `items[0..length)`.
 */
export class IoList {
  readonly items: (Io | undefined)[] = [];
  length = 0;

  push(io: Io): void {
    this.items[this.length++] = io;
  }

  /** The I/O at `i` (< length). */
  at(i: number): Io {
    return this.items[i] as Io;
  }
}

/** What a {@link Pager} tells of the I/Os it completes (a run's ResultSink has both methods). */
export interface PagerRecords {
  /** Every completed write (writeback.csv). */
  writeback(r: WritebackRecord): void;
  /** Every completed page-in read (reads.csv), when present. */
  read?(r: ReadRecord): void;
}

/** Issues writeback I/Os and finishes them. */
export class Pager {
  readonly totals = new WritebackTotals();
  readonly reads = new ReadTotals();
  private nextIo = 0;
  device!: BlockDevice;
  /** Told after each I/O completion (the pageout daemon, when memory is limited); an object, so that a new run's is the call target the last run's was. */
  pageout: { completed(io: Io): void } | undefined;
  /** Called when writeback of file pages starts (a filesystem allocates blocks there). */
  onDataWrite: ((obj: VmObject, first: number, count: number) => void) | undefined;
  /** Told when a device cache FLUSH completed (a FLUSH, or a write with PREFLUSH) and when a manager's copy write completed. */
  durability: { flushed(submitNs: number): void; managerWrote(obj: VmObject, first: number, count: number, ok: boolean): void } | undefined;

  /** The one record passed for every write and every read when records are transient (else undefined: a new one each time). */
  private readonly wbScratch: WritebackRecord | undefined;
  private readonly rdScratch: ReadRecord | undefined;

  /**
   * Whether completed I/Os their issuer released ({@link release}) are reused for new ones: set when
   * nothing else can still hold one (the built-in I/O schedulers, which keep none once started; a
   * plugin scheduler may keep what it was given).
   */
  reuseIos = false;
  /** Released completed I/Os, reused by the next ones issued. */
  private readonly spare: Io[] = [];
  /** Lists given back, for the next syncs. */
  private readonly spareLists: IoList[] = [];

  /**
   * `records` is told of every completed write and read (a run's ResultSink; an object, not
   * closures, so that a new run's is the call target the last run's was); `transient`: it keeps
   * no record (ResultSink.transientRecords), so one object per kind is reused.
   */
  constructor(
    private readonly pageSize: number,
    private readonly records: PagerRecords,
    transient = false,
  ) {
    if (transient) {
      this.wbScratch = { tSubmitNs: 0, tStartNs: 0, tDoneNs: 0, object: '', offset: 0, pages: 0, bytes: 0, cause: 'msync', ok: true };
      this.rdScratch = { tSubmitNs: 0, tStartNs: 0, tDoneNs: 0, object: '', offset: 0, pages: 0, bytes: 0, cause: 'pagein', ok: true };
    }
  }

  /**
   * Starts writeback of pages [first, first+count) of `obj` (all dirty and
   * idle): they go under writeback now and one I/O is queued — on the
   * task's `plug` when it holds one (it reaches the device when the plug is
   * finished). `urgent` marks an I/O a synchronous msync will wait on.
   */
  write(obj: VmObject, first: number, count: number, cause: WritebackCause, urgent: boolean, plug?: BlkPlug): Io {
    for (let i = first; i < first + count; i++) obj.startWriteback(i);
    this.onDataWrite?.(obj, first, count);
    const io = this.newIo(obj, first, count, cause, urgent);
    if (plug) plug.add(io);
    else this.device.submit(io);
    return io;
  }

  /** A new I/O: a released one made new when there is one, else a new object. */
  private newIo(obj: VmObject, first: number, count: number, cause: WritebackCause | ReadCause, urgent: boolean): Io {
    const io = this.spare.pop();
    return io === undefined ? new Io(this.nextIo++, obj, first, count, cause, urgent) : io.reuse(this.nextIo++, obj, first, count, cause, urgent);
  }

  /**
   * The issuer of `io` is done with it and keeps no reference: once it has completed, the pager may
   * reuse it for a later I/O (when {@link reuseIos}). Call it only when nothing else holds `io` either
   * (no other task waits on it or will expedite it); an I/O not yet completed is left alone.
   */
  release(io: Io): void {
    if (this.reuseIos && io.done) this.spare.push(io);
  }

  /** An empty list to gather the I/Os of one sync in; give it back with {@link releaseList}. */
  ioList(): IoList {
    return this.spareLists.pop() ?? new IoList();
  }

  /**
   * The issuer is done with `list` and with every I/O in it: each is {@link release}d (those not
   * completed are left alone), and the list, emptied, is kept for the next sync.
   */
  releaseList(list: IoList): void {
    const items = list.items;
    for (let i = 0; i < list.length; i++) {
      this.release(items[i] as Io);
      items[i] = undefined;
    }
    list.length = 0;
    this.spareLists.push(list);
  }

  /** A block-layer plug for a task that queues several writes together (Linux writeback). */
  plug(): BlkPlug {
    return new BlkPlug(this.device, this.pageSize);
  }

  /**
   * Writes blocks [first, first+count) of a filesystem-owned object `obj`
   * (journal, inode table): one I/O with copy semantics (no page state), in
   * writeback.csv with its `cause` (`journal` or `metadata`).
   */
  writeFs(obj: VmObject, first: number, count: number, cause: WritebackCause, flags: FsWriteFlags = {}): Io {
    const io = this.newIo(obj, first, count, cause, flags.urgent === true);
    io.copy = true;
    io.fua = flags.fua === true;
    io.preflush = flags.preflush === true;
    this.device.submit(io);
    return io;
  }

  /** Issues a FLUSH of the device's write cache on behalf of `obj` (whose wait queue is woken when it completes). */
  flush(obj: VmObject, urgent: boolean): Io {
    const io = this.newIo(obj, 0, 0, 'metadata', urgent);
    io.copy = true;
    io.kind = 'flush';
    this.device.submit(io);
    return io;
  }

  /**
   * Writes a copy of pages [first, first+count) of `obj` (a Mach memory
   * manager storing the data of a data_return): one I/O, page state untouched.
   */
  writeCopy(obj: VmObject, first: number, count: number, cause: WritebackCause, urgent: boolean): Io {
    const io = this.newIo(obj, first, count, cause, urgent);
    io.copy = true;
    this.device.submit(io);
    return io;
  }

  /**
   * Reads pages [first, first+count) of `obj` (none resident or being read)
   * into folios of `folioPages` pages: they are being read from now on and
   * one read I/O is queued. A `pagein` read (a fault waits for it) is urgent.
   */
  read(obj: VmObject, first: number, count: number, cause: ReadCause, folioPages = 1): Io {
    for (let i = first; i < first + count; i++) obj.startRead(i);
    const io = this.newIo(obj, first, count, cause, cause === 'pagein');
    io.kind = 'read';
    io.folioPages = folioPages;
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
    this.records.read?.(fill(this.rdScratch, io, obj.name, io.first * this.pageSize, bytes, io.cause as ReadCause));
    obj.waitQueue.wakeAll();
    this.pageout?.completed(io);
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
      this.totals.flushes++;
      this.durability?.flushed(io.tSubmit);
      obj.waitQueue.wakeAll();
      return;
    }
    if (io.preflush && io.ok) this.durability?.flushed(io.tSubmit);
    if (io.copy) this.durability?.managerWrote(obj, io.first, io.pages, io.ok);
    if (!io.copy) for (let i = io.first; i < io.first + io.pages; i++) obj.endWriteback(i, io.ok);
    const bytes = io.pages * this.pageSize;
    const t = this.totals;
    t.ios++;
    t.pages += io.pages;
    t.bytes += bytes;
    const cause = io.cause as WritebackCause;
    t.byCause[cause] = (t.byCause[cause] ?? 0) + bytes;
    this.records.writeback(fill(this.wbScratch, io, obj.name, io.first * this.pageSize, bytes, cause));
    obj.waitQueue.wakeAll();
    obj.wakeDrained();
    this.pageout?.completed(io);
  }
}

/** The record of completed `io`: `r` filled in when given (a reused scratch record), else a new one. */
function fill<C extends string>(r: IoRecord<C> | undefined, io: Io, object: string, offset: number, bytes: number, cause: C): IoRecord<C> {
  if (r === undefined) return { tSubmitNs: io.tSubmit, tStartNs: io.tStart, tDoneNs: io.tDone, object, offset, pages: io.pages, bytes, cause, ok: io.ok };
  r.tSubmitNs = io.tSubmit;
  r.tStartNs = io.tStart;
  r.tDoneNs = io.tDone;
  r.object = object;
  r.offset = offset;
  r.pages = io.pages;
  r.bytes = bytes;
  r.cause = cause;
  r.ok = io.ok;
  return r;
}
