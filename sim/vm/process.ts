/**
 * Simulated threads of control. A kernel path that can sleep (msync, wire, a
 * write that meets a page under writeback) is a generator that yields what it
 * waits for: a number (a delay in ns) or a {@link WaitQueue}. {@link Proc}
 * resumes it when that happens, the way a kernel thread sleeps and is woken.
 */
import type { Engine, EventTarget } from '../engine/queue.ts';

/**
 * What a process may wait for: a delay in ns, or a wake-up on a queue
 * (through {@link WaitQueue.onCpu} when the task stays on its CPU meanwhile).
 */
export type Wait = number | WaitQueue | OnCpuWait;

/** The generator type of a sleeping kernel path returning `R`. */
export type KernelPath<R> = Generator<Wait, R, void>;

/** A queue of sleeping processes, all woken at once (kernel `wakeup()` semantics: sleepers re-check). */
export class WaitQueue {
  /** Sleepers in slots [0, n); the array is kept and reused, so sleeping allocates nothing. */
  private sleepers: (EventTarget | undefined)[] = [];
  private n = 0;

  constructor(readonly engine: Engine) {}

  private view: OnCpuWait | undefined = undefined;

  /**
   * This queue, as the wait of a sleeper that stays on its CPU meanwhile
   * (a fault waiting for its page's read: sim/pager/pagein.ts); made once.
   */
  get onCpu(): OnCpuWait {
    return (this.view ??= new OnCpuWait(this));
  }

  /** Number of sleepers. */
  get size(): number {
    return this.n;
  }

  /** @internal adds a sleeper. */
  add(p: EventTarget): void {
    this.sleepers[this.n++] = p;
  }

  /** Wakes every sleeper (each resumes at the current time, in sleep order). */
  wakeAll(): void {
    const s = this.sleepers, n = this.n;
    this.n = 0;
    for (let i = 0; i < n; i++) {
      // scheduling runs nothing now, so no sleeper can be added during the loop
      this.engine.after(0, s[i] as EventTarget);
      s[i] = undefined;
    }
  }
}

/**
 * A wait on a {@link WaitQueue} during which the sleeping task stays on its
 * CPU (the replay does not count it asleep: sim/replay/task.ts, OpProc.step).
 */
export class OnCpuWait {
  constructor(readonly queue: WaitQueue) {}

  /** @internal adds a sleeper to the queue. */
  add(p: EventTarget): void {
    this.queue.add(p);
  }
}

/** A running kernel path; calls `done(result)` when the generator returns. */
export class Proc<R> implements EventTarget {
  constructor(
    private readonly engine: Engine,
    private readonly gen: KernelPath<R>,
    private readonly done: (result: R) => void,
  ) {}

  /** Starts the process now (synchronously runs it to its first sleep). */
  start(): void {
    this.step();
  }

  fire(): void {
    this.step();
  }

  private step(): void {
    const r = this.gen.next();
    if (r.done) {
      this.done(r.value);
      return;
    }
    const w = r.value;
    if (typeof w === 'number') this.engine.after(w, this);
    else w.add(this);
  }
}
