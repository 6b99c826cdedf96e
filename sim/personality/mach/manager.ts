/**
 * The external memory manager of a Mach memory object and the kernel's side
 * of the memory_object_synchronize dialog (semantics.md 5 and 3.6).
 *
 * Kernel side, per object (OSF MK6.1, traviolia/osfmk6.1 @ 15d1a553,
 * src/mach_kernel/vm/vm_user.c : vm_msync;
 * xnu-3789 osfmk/vm/vm_map.c : vm_map_msync): `object->msr_q`, the queue of
 * outstanding msync requests {offset, length, SYNCHRONIZING | DONE}. A new
 * request that overlaps an outstanding one waits for it to be DONE before it
 * is queued and its memory_object_synchronize is sent, so the outstanding
 * requests of one object never overlap (MK6.1 memory_object.c comment on
 * memory_object_synchronize_completed: "there may be multiple synchronize
 * requests for a given memory object outstanding but they will not overlap").
 *
 * Manager side: one server thread per memory object that takes its messages
 * in arrival order (the SEQNOS per-object FIFO of Hurd libpager's demuxer),
 * objects being served in parallel. It never blocks on I/O:
 * - memory_object_data_return: it writes the data to backing store at once
 *   (one device I/O per message, `pager.writeCopy`: the kernel's pages are
 *   not touched) and remembers the write as pending. It writes clean precious
 *   data too: precious means the manager kept no copy.
 * - memory_object_synchronize with VM_SYNC_SYNCHRONOUS: it records which
 *   pending writes overlap the range (Hurd libpager lock records count
 *   `pending_writes`) and replies when they have all reached backing store;
 *   without SYNCHRONOUS (ASYNCHRONOUS, INVALIDATE alone, no flag) the writes
 *   are already queued when the message is taken, so it replies at once.
 * - the reply, memory_object_synchronize_completed, is sent by the server
 *   thread: replies of one object go out one after the other.
 * Every message (data_return, synchronize, synchronize_completed) costs its
 * sender `pager.ipc_us`; the receiver has it when that delay ends.
 * The reply names the request it answers, so the exact (offset, length) match
 * of memory_object_synchronize_completed always succeeds.
 */
import type { Io } from '../../device/device.ts';
import { usToNs } from '../../engine/queue.ts';
import type { Kernel } from '../../kernel.ts';
import { cpu } from '../../vm/entries.ts';
import type { VmObject } from '../../vm/object.ts';
import { Proc, WaitQueue, type KernelPath } from '../../vm/process.ts';

/** An msync_req: one memory_object_synchronize the kernel waits on. Offsets in bytes of the object. */
export class MsyncRequest {
  /** VM_MSYNC_DONE: the manager's memory_object_synchronize_completed arrived. */
  done = false;
  /** Sleepers waiting for this request to be DONE (its caller, and overlapping requests). */
  readonly wake: WaitQueue;

  constructor(k: Kernel, readonly offset: number, readonly length: number) {
    this.wake = new WaitQueue(k.engine);
  }

  /** Whether [offset, offset+length) overlaps `o` (the test of vm_msync's re_iterate loop). */
  overlaps(o: { offset: number; length: number }): boolean {
    return this.offset < o.offset + o.length && o.offset < this.offset + this.length;
  }
}

/** A message from the kernel to the manager (or, `reply`, from the manager's write bookkeeping to its thread). */
export type ManagerMessage =
  | {
    kind: 'data_return';
    /** Page run [first, first+count) of the object. */
    first: number;
    count: number;
    /** The run was dirty (MUST_CLEAN) rather than clean precious data (MUST_RETURN). */
    dirty: boolean;
    /** The kernel kept a copy (clean without flush). */
    kernelCopy: boolean;
    /** A synchronous msync will wait for this data. */
    urgent: boolean;
  }
  | { kind: 'synchronize'; req: MsyncRequest; synchronous: boolean }
  | { kind: 'reply'; req: MsyncRequest };

/** What a manager has taken so far. */
export interface ManagerCounts {
  dataReturns: number;
  /** data_return messages with dirty = TRUE (MUST_CLEAN runs). */
  dirtyRuns: number;
  /** data_return messages of clean precious data (MUST_RETURN runs). */
  preciousRuns: number;
  /** data_return messages with kernel_copy = TRUE. */
  kernelCopyRuns: number;
  /** Pages in all data_return messages. */
  pages: number;
  synchronizes: number;
}

/** The CPU cost of one message to its sender (`pager.ipc_us`), ns. */
export function ipcNs(k: Kernel): number {
  return usToNs(k.config.pager.ipc_us);
}

/** The cost of one message to its sender (`pager.ipc_us`). */
export function* sendMessage(k: Kernel): KernelPath<void> {
  yield* cpu(k, ipcNs(k));
}

/** The manager of one memory object (see the module comment). */
export class MemoryManager {
  private readonly mailbox: ManagerMessage[] = [];
  private readonly arrival: WaitQueue;
  /** Writes to backing store started by data_return and not known to be finished (finished ones are dropped now and then). */
  private pending: Io[] = [];
  /** Length of {@link pending} at which finished writes are dropped next (so a long msync does not filter it at every page). */
  private pruneAt = 64;
  /** Counts of the messages taken (for inspection; constant memory). */
  readonly taken: ManagerCounts = { dataReturns: 0, dirtyRuns: 0, preciousRuns: 0, kernelCopyRuns: 0, pages: 0, synchronizes: 0 };

  constructor(private readonly k: Kernel, readonly obj: VmObject, private readonly state: MachObject) {
    this.arrival = new WaitQueue(k.engine);
    new Proc(k.engine, this.serve(), () => undefined).start();
  }

  /** Delivers a message (its sender has already paid its cost). */
  post(m: ManagerMessage): void {
    this.mailbox.push(m);
    this.arrival.wakeAll();
  }

  /** The server thread: messages in arrival order, forever. */
  private *serve(): KernelPath<void> {
    for (;;) {
      while (this.mailbox.length === 0) yield this.arrival;
      const m = this.mailbox.shift() as ManagerMessage;
      switch (m.kind) {
        case 'data_return': {
          const c = this.taken;
          c.dataReturns++;
          c.pages += m.count;
          if (m.dirty) c.dirtyRuns++;
          else c.preciousRuns++;
          if (m.kernelCopy) c.kernelCopyRuns++;
          if (this.pending.length >= this.pruneAt) {
            this.pending = this.pending.filter((io) => !io.done);
            this.pruneAt = Math.max(64, 2 * this.pending.length);
          }
          this.pending.push(this.k.pager.writeCopy(this.obj, m.first, m.count, 'msync', m.urgent));
          break;
        }
        case 'synchronize': {
          this.taken.synchronizes++;
          this.pending = this.pending.filter((io) => !io.done);
          const waitFor = m.synchronous ? this.pending.filter((io) => pagesOverlap(this.k, io, m.req)) : [];
          if (waitFor.length === 0) yield* this.reply(m.req);
          else {
            for (const io of waitFor) this.k.device.expedite(io);
            new Proc(this.k.engine, this.watch(m.req, waitFor), () => undefined).start();
          }
          break;
        }
        case 'reply':
          yield* this.reply(m.req);
          break;
      }
    }
  }

  /** Waits for the writes a synchronous synchronize covers, then hands its reply to the server thread. */
  private *watch(req: MsyncRequest, ios: Io[]): KernelPath<void> {
    // every wake-up looks again from the first write not seen finished (those before it stay finished)
    for (let i = 0; i < ios.length; ) {
      if (ios[i]!.done) i++;
      else yield this.obj.waitQueue;
    }
    this.post({ kind: 'reply', req });
  }

  /** Sends memory_object_synchronize_completed; the kernel marks the request DONE and wakes its waiters. */
  private *reply(req: MsyncRequest): KernelPath<void> {
    yield* sendMessage(this.k);
    this.state.completed(req);
  }
}

/** Whether a write's pages overlap a request's byte range. */
function pagesOverlap(k: Kernel, io: Io, req: MsyncRequest): boolean {
  const ps = k.vm.pageSize;
  return req.overlaps({ offset: io.first * ps, length: io.pages * ps });
}

/** The mach personality's state of one memory object: the kernel's msr_q and the object's manager. */
export class MachObject {
  /** object->msr_q: requests whose synchronize was sent and not yet completed. */
  readonly msrQ: MsyncRequest[] = [];
  readonly manager: MemoryManager;

  constructor(k: Kernel, readonly obj: VmObject) {
    this.manager = new MemoryManager(k, obj, this);
  }

  /** The first outstanding request overlapping `req`, if any. */
  overlapping(req: MsyncRequest): MsyncRequest | undefined {
    return this.msrQ.find((o) => !o.done && o.overlaps(req));
  }

  /** memory_object_synchronize_completed: the request with this exact (offset, length) is DONE. */
  completed(req: MsyncRequest): void {
    const i = this.msrQ.indexOf(req);
    if (i >= 0) this.msrQ.splice(i, 1);
    req.done = true;
    req.wake.wakeAll();
  }
}

/** The mach state of `obj` (kept in the run's `k.objectState`), created with its manager thread on first use. */
export function machObject(k: Kernel, obj: VmObject): MachObject {
  let s = k.objectState.get(obj) as MachObject | undefined;
  if (!s) k.objectState.set(obj, (s = new MachObject(k, obj)));
  return s;
}

/** The mach state of `obj` if it has any (for inspection). */
export function machObjectIfAny(k: Kernel, obj: VmObject): MachObject | undefined {
  return k.objectState.get(obj) as MachObject | undefined;
}
