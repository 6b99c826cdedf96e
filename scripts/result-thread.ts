/**
 * The result writer thread, seen from the run: batches of packed records
 * (scripts/result-columns.ts) are sent to a worker thread that prints them
 * into the result files (scripts/result-worker.ts), so that the simulation and
 * the CSV formatting share the machine's cores. Everything here is synchronous:
 * the simulator emits records from inside `run()`, so replies are read with
 * `receiveMessageOnPort`, and when the thread falls behind by
 * {@link MAX_IN_FLIGHT} batches the run waits for it (`Atomics.wait`).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { COLUMN_FILES, type ColumnBatch } from './result-columns.ts';

const BOOT = new URL('./sweep/worker-boot.mjs', import.meta.url);
/** Batches sent and not yet printed, at most (16 × 8192 records × 9 numbers: 9 MiB): the thread, slow while its code warms up, is not waited for at the start. */
const MAX_IN_FLIGHT = 16;
/**
 * Printed arrays kept per file for reuse, at most: as many as can be away at once, so that in a
 * long run every array is used again and none is dropped. A dropped array's shared memory is
 * freed only once both threads have collected their handles to it, and the writer thread collects
 * rarely: with two kept a file, a 100 M-row run peaked at 166.6 MiB, against 138.7 keeping all.
 */
const KEEP_FREE = MAX_IN_FLIGHT;
/**
 * How long the run waits for the thread to print one batch before it gives up: long, since a
 * disk may stall that long, and only a thread that died (its exit cannot be seen while the run
 * waits) leaves the run waiting the whole time.
 */
export const STALL_MS = 300_000;

/** Slots of the shared control array. */
export const CTL = { printed: 0, failed: 1, closed: 2 } as const;

/** What the run sends the thread. */
export type ToWriter =
  | { adopt: (number | null)[] }
  | { file: number; data: Float64Array; n: number; strings: string[] }
  | { close: true };

/** What the thread answers. */
export type FromWriter =
  | { ready: true }
  | { recycle: Float64Array; file: number }
  | { error: string; code?: string };

/** The data the thread starts with (`workerData`, beside the boot module's `entry`). */
export interface WriterData {
  entry: string;
  port: MessagePort;
  /** Int32Array over a SharedArrayBuffer, slots {@link CTL}. */
  ctl: Int32Array;
}

/** One result writer thread. */
export class ResultThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * 3));
  private sent = 0;
  private loaded = false;
  private error?: Error;
  private stopping?: Promise<number>;
  /** Arrays the thread has printed and given back, per file. */
  private readonly free: Float64Array[][] = COLUMN_FILES.map(() => []);

  constructor(entry: URL) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: WriterData = { entry: entry.href, port: port2, ctl: this.ctl };
    this.worker = new Worker(BOOT, { workerData: data, transferList: [port2], execArgv: [] });
    this.worker.on('error', (e) => {
      this.error ??= new Error(`the result writer thread failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** Whether the thread has loaded and can take the files. */
  get ready(): boolean {
    this.poll();
    return this.loaded;
  }

  /** Hands the thread the open result files (file descriptors, in {@link COLUMN_FILES} order; null for a file not written). */
  adopt(fds: (number | null)[]): void {
    this.post({ adopt: fds });
  }

  /** Sends `b`'s records to be printed as file `file`, and gives `b` an empty array. */
  send(file: number, b: ColumnBatch): void {
    const n = b.n;
    this.sendPacked(file, b, b.take(this.free[file]!.pop()), n);
  }

  /**
   * Sends `n` records packed in `data` (taken from `b`, whose table of strings their ids refer to) to be
   * printed as file `file`; `data` (from result-columns.ts' `batchArray`) is the thread's until it comes back.
   */
  sendPacked(file: number, b: ColumnBatch, data: Float64Array, n: number): void {
    this.check();
    for (let p = Atomics.load(this.ctl, CTL.printed); this.sent - p >= MAX_IN_FLIGHT; p = Atomics.load(this.ctl, CTL.printed)) this.wait(CTL.printed, p);
    const strings = b.strings.slice(b.sentStrings);
    b.sentStrings = b.strings.length;
    this.post({ file, data, n, strings }); // shared with the thread, not transferred (batchArray)
    this.sent++;
  }

  /**
   * Stops the thread: when it has the files (`adopted`), first waits until every batch sent is
   * printed and written, and throws what the thread failed with.
   */
  close(adopted: boolean): void {
    try {
      if (!adopted) return;
      this.check();
      this.post({ close: true });
      while (Atomics.load(this.ctl, CTL.closed) === 0) this.wait(CTL.closed, 0);
      this.check();
    } finally {
      void this.terminate();
    }
  }

  /** Stops the thread (once; later calls give the same promise); resolves once it is gone. */
  terminate(): Promise<number> {
    if (!this.stopping) {
      this.port.close();
      this.stopping = this.worker.terminate();
    }
    return this.stopping;
  }

  private post(m: ToWriter): void {
    this.port.postMessage(m);
  }

  /** Reads the thread's answers so far. */
  private poll(): void {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const r = m.message as FromWriter;
      if ('ready' in r) this.loaded = true;
      else if ('recycle' in r) {
        if (this.free[r.file]!.length < KEEP_FREE) this.free[r.file]!.push(r.recycle);
      }
      else this.error ??= Object.assign(new Error(r.error), r.code ? { code: r.code } : {});
    }
  }

  /** Throws the thread's failure, if any. */
  private check(): void {
    this.poll();
    if (this.error) throw this.error;
    if (Atomics.load(this.ctl, CTL.failed) !== 0) throw new Error('the result writer thread failed');
  }

  /** Waits while slot `slot` still holds `seen` (the thread notifies every slot when it fails). */
  private wait(slot: number, seen: number): void {
    const r = Atomics.wait(this.ctl, slot, seen, STALL_MS);
    this.check();
    if (r === 'timed-out') throw new Error(`the result writer thread made no progress for ${STALL_MS / 1000} s`);
  }
}
