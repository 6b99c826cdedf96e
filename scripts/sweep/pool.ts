/**
 * A pool of worker threads running tasks one at a time each, first come first served. A task
 * whose worker dies (an uncaught error, an exit, running out of memory) is rejected with a
 * {@link WorkerCrash} and the worker is replaced; the other tasks go on. A task given a
 * wall-clock limit that it overruns has its worker stopped and is rejected with a {@link TaskTimeout}.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

/** A task's worker died before answering. */
export class WorkerCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrash';
  }
}

/**
 * What a worker module may post once it has loaded, before any answer: a task's wall-clock
 * limit counts from then (or from the task's start, when later), not through the worker's start-up.
 */
export const WORKER_READY = '__syncsim_worker_ready__';

/**
 * The key of what a worker module may post while a task runs, before its answer:
 * `{ [TASK_PROGRESS]: share }`, how far the task is (0 to 1), handed to the task's `onProgress`.
 */
export const TASK_PROGRESS = '__syncsim_task_progress__';

/** A task overran its wall-clock limit: its worker was stopped. `option`: what the limit was given by (the command's flag, or the library's option). */
export class TaskTimeout extends Error {
  constructor(readonly seconds: number, option = '--run-timeout') {
    super(`the run took longer than ${option} ${seconds} s (wall clock): its worker was stopped`);
    this.name = 'TaskTimeout';
  }
}

interface Job<T, R> {
  task: T;
  /** Wall-clock limit (ms), if any. */
  timeoutMs?: number;
  /** Told how far the task is, as its worker says ({@link TASK_PROGRESS}). */
  onProgress?: (share: number) => void;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

interface Slot<T, R> {
  worker: Worker;
  job?: Job<T, R>;
  timer?: NodeJS.Timeout;
  /** The worker posted {@link WORKER_READY}. */
  ready?: boolean;
}

/** `size` worker threads running the TypeScript module `entry` (which answers each message with one message). */
export class WorkerPool<T, R> {
  private readonly queue: Job<T, R>[] = [];
  private readonly slots = new Set<Slot<T, R>>();
  private closed = false;

  /** `limits`: each worker's heap limits (Node's Worker `resourceLimits`), default Node's. */
  constructor(readonly size: number, private readonly entry: URL, private readonly limits?: ResourceLimits) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a positive integer, got ${size}`);
  }

  /**
   * Runs `task` on the next free worker; resolves with its answer. `timeoutMs`: its wall-clock
   * limit once started; `onProgress`: told how far it is, when its worker says ({@link TASK_PROGRESS}).
   */
  run(task: T, timeoutMs?: number, onProgress?: (share: number) => void): Promise<R> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ task, resolve, reject, timeoutMs, onProgress });
      this.pump();
    });
  }

  /**
   * Starts every worker now rather than when a task first needs it, so their
   * start-up (loading the simulator's code) overlaps whatever comes first.
   */
  warm(): void {
    while (!this.closed && this.slots.size < this.size) this.spawn();
  }

  /** Workers started and alive. */
  get workers(): number {
    return this.slots.size;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.job === undefined);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      slot.job = job;
      if (slot.ready) this.arm(slot, job);
      slot.worker.postMessage(job.task);
    }
  }

  private spawn(): Slot<T, R> {
    const worker = new Worker(BOOT, { workerData: { entry: this.entry.href }, execArgv: [], ...(this.limits ? { resourceLimits: this.limits } : {}) });
    const slot: Slot<T, R> = { worker };
    const fail = (why: string) => {
      if (!this.slots.delete(slot)) return;
      clearTimeout(slot.timer);
      const job = slot.job;
      slot.job = undefined;
      job?.reject(new WorkerCrash(why));
      if (!this.closed) this.pump();
    };
    worker.on('message', (reply: R) => {
      if ((reply as unknown) === WORKER_READY) {
        slot.ready = true;
        if (slot.job) this.arm(slot, slot.job);
        return;
      }
      if (typeof reply === 'object' && reply !== null && TASK_PROGRESS in reply) {
        slot.job?.onProgress?.((reply as Record<string, number>)[TASK_PROGRESS]);
        return;
      }
      clearTimeout(slot.timer);
      const job = slot.job;
      slot.job = undefined;
      job?.resolve(reply);
      this.pump();
    });
    worker.on('error', (e) => fail(`worker thread crashed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`));
    worker.on('exit', (code) => fail(`worker thread exited with code ${code}`));
    this.slots.add(slot);
    return slot;
  }

  /** Starts `job`'s wall-clock limit, if it has one. */
  private arm(slot: Slot<T, R>, job: Job<T, R>): void {
    if (job.timeoutMs !== undefined) slot.timer = setTimeout(() => this.timeOut(slot, job), job.timeoutMs);
  }

  /** `job` overran its limit: its worker is stopped (and replaced when tasks wait), the job rejected. */
  private timeOut(slot: Slot<T, R>, job: Job<T, R>): void {
    if (slot.job !== job || !this.slots.delete(slot)) return;
    slot.job = undefined;
    void slot.worker.terminate();
    job.reject(new TaskTimeout((job.timeoutMs ?? 0) / 1000));
    if (!this.closed) this.pump();
  }

  /** Stops every worker (running tasks are rejected) and refuses new tasks. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) clearTimeout(s.timer);
    for (const j of this.queue.splice(0)) j.reject(new Error('worker pool closed'));
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
  }
}
