/**
 * The replay's tasks and running ops: a {@link Task} holds the rows of one
 * trace task waiting for their turn (closed replay) and issues them one at a
 * time; an {@link OpProc} steps the kernel path of an op that can sleep.
 */
import { NextEvent, usToNs, type Engine, type EventTarget } from '../engine/queue.ts';
import { RowQueue, type Waiting } from './row-queue.ts';
import type { VmMap } from '../vm/map.ts';
import type { PageCounters } from '../vm/object.ts';
import { OnCpuWait, type KernelPath, type Wait } from '../vm/process.ts';
import type { SyncAccount } from '../kernel.ts';
import type { TaskRecord } from '../stats/tasks.ts';
import { RowBlock, type TraceRow } from '../../traces/types.ts';
import type { HostSpeed } from '../device/host-speed.ts';

/** What tasks and ops need of the simulator that runs them. */
export interface ReplayHost {
  readonly engine: Engine;
  /** The host's speed factor, which device times follow (not an op's CPU times); each msync draws it anew. */
  readonly hostSpeed: HostSpeed;
  /** Ops that went to sleep and have not finished. */
  readonly sleeping: Set<OpProc>;
  /** The trace line of the op whose kernel path runs now (set as each op is issued, and as it goes on). */
  opLine: number;
  /** A task took a row from its buffer. */
  rowDequeued(): void;
  /** Issues row `i` of `block` for `task` now. */
  executeFrom(task: Task, block: RowBlock, i: number, closed: boolean): void;
  /** Issues `row` for `task` now. */
  execute(task: Task, row: TraceRow, closed: boolean): void;
  /** Whether every row of the trace has been delivered to its task. */
  readonly drained: boolean;
  /** A task started or stopped running (see {@link Task.running}): +1 or -1. */
  runningChanged(delta: number): void;
  /** An op's kernel path returned `result`. */
  opFinished(p: OpProc, result: string): void;
  /** Whether a task may issue its next row at once when nothing would fire before it (see {@link Task.fire}); results never depend on it. */
  readonly inlineEvents: boolean;
  /** The VM's page counters (a wire or unwire call's wirings are tallied through them). */
  readonly pageCounters: PageCounters;
}

/** Row `i` of `block` as an object, as it is issued; the block is released once all its rows were. */
export function rowOf(block: RowBlock, i: number): TraceRow {
  const row = block.row(i);
  if (++block.taken === block.length) block.release();
  return row;
}

/** One task: its map and, in closed replay, the rows waiting for it. */
export class Task implements EventTarget {
  /**
   * Its rows waiting for their turn: a row object, or a block of columns and
   * the row's index in it (made an object only when the task issues it, and
   * not at all when its op is done without a kernel path).
   */
  private readonly fifo = new RowQueue();
  /** idle: nothing pending; scheduled: an issue event is queued; busy: an op is running. */
  state: 'idle' | 'scheduled' | 'busy' = 'idle';
  /** How far this task runs behind its trace times (closed replay), ns. */
  lagNs = 0;
  /** Its row of tasks.csv, once an op of it finished (kept here: no lookup by name per op). */
  record: TaskRecord | undefined = undefined;

  /** Ops of this task issued through a kernel path and not finished. */
  private inFlight = 0;
  /** Of those, the ones asleep in the kernel now. */
  private asleep = 0;
  /** Every row of the trace was delivered and none of this task is left to issue or finish. */
  private ended = false;

  /** Made when its first row reaches its trace time: from then on it runs. */
  constructor(readonly name: string, readonly map: VmMap, private readonly host: ReplayHost) {
    this.next = new NextEvent(host.engine, this);
    host.runningChanged(1);
  }

  /** The next issue event: reserved inside {@link fire}, and issued there at once when nothing precedes it. */
  private readonly next: NextEvent;

  /**
   * Whether the task is on a CPU: from its first row until every row of the
   * trace has been delivered and it has none left to issue or finish (the
   * gaps between its rows are its own work, as a fio job's are), except
   * while every op it has in progress sleeps in the kernel (a fault waiting
   * for its page's read does not sleep in this sense: {@link OnCpuWait}). A task whose rows
   * end early thus counts until the trace's last row: a streamed trace does
   * not say which row is a task's last, and results must not depend on the
   * batches it is read in. A timed pause (a throttle of background
   * writeback) counts as running.
   */
  get running(): boolean {
    return !this.ended && (this.inFlight === 0 || this.asleep < this.inFlight);
  }

  /** Adds to the op counters, works out whether the task has ended, and tells the host when {@link running} flipped. */
  private track(inFlight: number, asleep: number): void {
    const was = this.running;
    this.inFlight += inFlight;
    this.asleep += asleep;
    this.ended = this.host.drained && this.inFlight === 0 && this.fifo.length === 0 && this.state !== 'scheduled';
    const is = this.running;
    if (was !== is) this.host.runningChanged(is ? 1 : -1);
  }

  /** An op of this task entered its kernel path (+1) or finished (-1). */
  opInFlight(delta: number): void {
    this.track(delta, 0);
  }

  /** An op of this task went to sleep in the kernel (+1) or woke up (-1). */
  opAsleep(delta: number): void {
    this.track(0, delta);
  }

  /** The trace has been delivered whole: a task with nothing left stops running. */
  traceDrained(): void {
    this.track(0, 0);
  }

  get buffered(): number {
    return this.fifo.length;
  }

  /** A row of this task has reached its trace time: row `i` of `block`, or the row object `block` (i = -1). */
  deliver(block: Waiting, i: number): void {
    this.fifo.push(block, i);
    if (this.state === 'idle') this.scheduleNext();
  }

  /**
   * The running op, of the row with trace time `tNs` (plus its recorded
   * duration, when the trace has one), finished now. The lag is never
   * negative: a task issues no op before its trace time (rows reach it then).
   * With `ownTime` (a store or a load) the lag never shrinks: a recorded
   * store's time is mostly the program's own work around it (fio's copy and
   * bookkeeping), which the model does not simulate, so a task that runs
   * behind its trace does not catch up by doing its stores in no time.
   */
  opDone(tNs: number, now: number, ownTime = false): void {
    const lag = now > tNs ? now - tNs : 0;
    this.lagNs = ownTime && lag < this.lagNs ? this.lagNs : lag;
    this.state = 'idle';
    if (this.fifo.length > 0) this.scheduleNext();
    else if (this.host.drained) this.track(0, 0);
  }

  private scheduleNext(): void {
    const w = this.fifo.peekSource() as Waiting;
    const tNs = w instanceof RowBlock ? w.tNs[this.fifo.peekIndex()] : w.tNs;
    this.state = 'scheduled';
    // during this task's own issue event only reserved: see fire()
    this.next.at(Math.max(this.host.engine.now, tNs + this.lagNs), this.host.inlineEvents);
  }

  /**
   * Issues the row at the head of the buffer. When that schedules the next
   * issue (an op done at once, as a store that cannot sleep) and nothing
   * else would fire before it, the next row is issued here too, with no
   * event in the queue: the same work in the same order as an event each.
   */
  fire(): void {
    const next = this.next;
    next.inside = true;
    do {
      const w = this.fifo.peekSource() as Waiting;
      const i = this.fifo.peekIndex();
      this.fifo.shift();
      this.state = 'busy';
      this.host.rowDequeued();
      if (w instanceof RowBlock) this.host.executeFrom(this, w, i, true);
      else this.host.execute(this, w, true);
    } while (next.claimed());
    next.inside = false;
  }
}

/** A running op: steps its kernel path and reports completion. */
export class OpProc implements EventTarget {
  constructor(
    private readonly host: ReplayHost,
    readonly task: Task,
    readonly row: TraceRow,
    readonly tIssue: number,
    private readonly gen: KernelPath<string>,
    readonly closed: boolean,
    readonly acct: SyncAccount | undefined,
    /** Multiplies every CPU time the op spends (`cpu.cv`'s draw for an msync; 1 otherwise). */
    private readonly cpuFactor = 1,
  ) {
    this.next = new NextEvent(host.engine, this);
    this.tally = row.op === 'wire' || row.op === 'unwire' ? acct : undefined;
  }

  /** The end of the CPU time it spends now: while it steps in its own event, taken at once when nothing would fire first. */
  private readonly next: NextEvent;

  /** Sleeping at least once (tracked so a run that ends with it still asleep is reported). */
  slept = false;

  /** The pages it covers that the run's bounds hold for it until it ends (a `write`, `read` or `wire`; else 0). */
  boundPages = 0;

  /** Asleep on a wait queue now, off its CPU (not a timed CPU delay, nor a wait that keeps the task on its CPU). */
  private waiting = false;

  /** A wire or unwire call: its account, which tallies the wire count changes of its steps (wires.csv `pages`). */
  private readonly tally: SyncAccount | undefined;

  /** One step of the kernel path with its wire count changes tallied in its account. */
  private tallied(): IteratorResult<Wait, string> {
    const c = this.host.pageCounters;
    const outer = c.wireTally;
    c.wireTally = this.tally;
    try {
      return this.gen.next();
    } finally {
      c.wireTally = outer;
    }
  }

  /**
   * Goes on with its kernel path. When it stops for CPU time and nothing
   * else would fire before that time is up, it goes on at once, with no
   * event in the queue: the same work in the same order as an event each.
   */
  fire(): void {
    if (this.waiting) {
      this.waiting = false;
      this.task.opAsleep(-1);
    }
    this.host.opLine = this.row.line;
    const next = this.next;
    next.inside = true;
    do this.step();
    while (next.claimed());
    next.inside = false;
  }

  step(): void {
    const r = this.tally === undefined ? this.gen.next() : this.tallied();
    if (r.done) {
      if (this.slept) this.host.sleeping.delete(this);
      this.host.opFinished(this, r.value);
      return;
    }
    if (!this.slept) {
      this.slept = true;
      this.host.sleeping.add(this);
    }
    const w: Wait = r.value;
    // CPU time: the host's speed factor is the device's (host-speed.ts); an msync's CPU spread (cpu.cv) is its own
    if (typeof w === 'number') this.next.at(this.host.engine.now + (this.cpuFactor === 1 ? w : Math.round(w * this.cpuFactor)), this.host.inlineEvents);
    else {
      w.add(this);
      if (w instanceof OnCpuWait) return; // a fault waiting for its page's read: the task stays on its CPU
      this.waiting = true;
      this.task.opAsleep(1);
    }
  }
}

/**
 * How long the op of a recorded row took when it was recorded (its
 * `x_measured_us`, ns; 0 without one): the gap after it in the trace holds
 * that time, which closed replay replaces with the simulated op's own.
 */
export function recordedNs(extra: Readonly<Record<string, string>>): number {
  const v = extra.x_measured_us;
  if (v === undefined || v === '') return 0;
  const us = Number(v);
  return us > 0 && Number.isFinite(us) ? usToNs(us) : 0;
}
