/**
 * A replay of one trace against the modelled kernel (booted by boot.ts):
 * tasks issue their ops (closed or open replay), the personality decides what
 * msync and wiring do, the pager and device model the writeback, and
 * statistics are gathered.
 *
 * The caller streams rows in with `feed` and calls `run` until it reports
 * `starved` (feed more) or, after `end`, `done`. Results depend only on the
 * rows, the configuration and the seed, never on how rows were batched.
 */
import type { Config } from './config-types.ts';
import { Engine, usToNs } from './engine/queue.ts';
import { RandomStreams } from './engine/random.ts';
import { makeSampler } from './device/service.ts';
import type { HostSpeed } from './device/host-speed.ts';
import type { SimPlugins } from './plugin/plugins.ts';
import { bootKernel, type BootOptions } from './boot.ts';
import { TraceSemanticError } from './vm/vm.ts';
import type { KernelPath } from './vm/process.ts';
import type { PageCounters } from './vm/object.ts';
import { mapOp, readOp, storeNoWait, writeOp } from './vm/ops.ts';
import { RunBounds } from './vm/limits.ts';
import type { Kernel, Personality, SyncAccount } from './kernel.ts';
import { PERSONALITIES } from './personality/index.ts';
import { TimelineRows } from './stats/timeline.ts';
import { RunTimeline } from './stats/run-timeline.ts';
import type { ResultSink, TimelineRecord } from './stats/records.ts';
import type { RunResult } from './stats/summary.ts';
import { runResult } from './stats/run-result.ts';
import { TaskStats } from './stats/tasks.ts';
import { TxnStats } from './stats/txn.ts';
import { DurabilityTracker } from './stats/durability.ts';
import { CallRecorder } from './stats/calls.ts';
import { OP_NAMES, RowBlock, type OpName, type RowBatch, type TraceRow } from '../traces/types.ts';
import { OpProc, recordedNs, rowOf, Task, type ReplayHost } from './replay/task.ts';
import { BUFFER_CAP, Pump, type PumpHost } from './replay/pump.ts';

/** The index of `write` in {@link OP_NAMES} (a block's op column). */
const OP_WRITE = OP_NAMES.indexOf('write');

export { PERSONALITIES, type SimPlugins };

/** One simulation run. */
export class Simulator implements ReplayHost, PumpHost {
  readonly engine = new Engine();
  readonly rng: RandomStreams;
  readonly kernel: Kernel;
  private readonly personality: Personality;
  private readonly tasks = new Map<string, Task>();
  private readonly pump = new Pump(this);
  private readonly ops = Object.fromEntries(OP_NAMES.map((o) => [o, 0])) as Record<OpName, number>;
  /** msyncs, and wire and unwire calls (summary.json `sync`, `wire`; syncs.csv, wires.csv). */
  private readonly calls: CallRecorder;
  private rows = 0;
  /** Rows delivered to tasks but not yet issued (closed replay). */
  buffered = 0;
  /** @internal ops that went to sleep and have not finished. */
  readonly sleeping = new Set<OpProc>();
  /** The host's speed (drawn per msync under `device.flush_cv_scope: host` or `device.host_cv` > 0), which device times follow (not CPU times, since 2026-12-04). */
  readonly hostSpeed: HostSpeed;
  /** The factor of an msync call's CPU times (`cpu.cv`): a sampler of mean 1, none when cv is 0. */
  private readonly cpuSpread: (() => number) | undefined;
  private readonly closed: boolean;
  private readonly warmupNs: number;
  private readonly timelineRows: TimelineRows;
  /** timeline.csv's and durability.csv's sampling, told by the engine when its clock moves. */
  private readonly timeline: RunTimeline;

  /** Stores that cannot sleep are done without a kernel path ({@link storeNoWait}); results never depend on it. */
  private readonly fastStores: boolean;
  /** Whether a store waits for a page under writeback (the personality, or stable pages). */
  private readonly storesBlock: boolean;
  /** The simulator's own bounds on the pages an op covers and the pages resident (vm/limits.ts). */
  private readonly bounds: RunBounds;

  /** @internal whether the pump and the tasks deliver and issue rows, and an op ends its CPU time, without an event when nothing would fire before them (sim/replay); results never depend on it. */
  readonly inlineEvents: boolean;

  /** The VM's page counters (ReplayHost). */
  get pageCounters(): PageCounters {
    return this.kernel.vm.counters;
  }

  /**
   * `options.pageStore`: how objects store page state; `options.fastStores`
   * (default true): whether stores that cannot sleep skip the kernel path;
   * `options.skipIdlePages` (default true): see {@link Kernel.skipIdlePages};
   * `options.inlineEvents` (default true): see {@link inlineEvents} —
   * all four for tests only: results never depend on them. `options.plugins`: the
   * writeback policy and I/O scheduler when the configuration names plugin
   * files (loaded by the caller).
   */
  constructor(readonly config: Config, private readonly sink: ResultSink, options: BootOptions & { fastStores?: boolean; inlineEvents?: boolean } = {}) {
    this.fastStores = options.fastStores ?? true;
    this.inlineEvents = options.inlineEvents ?? true;
    const p = PERSONALITIES[config.personality];
    if (!p) throw new Error(`personality '${config.personality}' is not implemented`);
    this.personality = p;
    this.storesBlock = p.writeBlocksOnWriteback || config.fs.stable_pages;
    this.rng = new RandomStreams(config.seed);
    this.closed = config.replay === 'closed';
    this.warmupNs = usToNs(config.stats.warmup_us);
    const { kernel: k, hostSpeed } = bootKernel(config, this.engine, this.rng, sink, options);
    this.kernel = k;
    this.hostSpeed = hostSpeed;
    this.cpuSpread = config.cpu.cv > 0 ? makeSampler({ dist: 'lognormal', mean_us: 1, cv: config.cpu.cv, floor: config.cpu.floor }, this.rng.get('cpu')) : undefined;
    const vm = k.vm;
    this.bounds = new RunBounds(config.page_size, config.memory.pages, vm.counters);
    this.timelineRows = new TimelineRows(vm.counters, k.device, sink, sink.transientRecords === true ? ({} as TimelineRecord) : undefined);
    this.durability = new DurabilityTracker(this.engine, config.device.profile !== 'queue' && config.device.write_cache, this);
    vm.counters.versions = this.durability;
    this.calls = new CallRecorder(this.warmupNs, sink, config.page_size, this.durability, vm);
    k.pager.durability = this.durability;
    this.timeline = new RunTimeline(this.engine, Math.max(1, usToNs(config.stats.sample_us)), this.timelineRows, this.durability, sink);
  }

  /** Appends rows (in trace order) to the replay: row objects, or a block of columns. */
  feed(rows: RowBatch): void {
    const n = rows.length;
    this.rows += n;
    if (n > 0) this.traceEndNs = Math.max(this.traceEndNs, rows instanceof RowBlock ? rows.tNs[n - 1] : (rows as readonly TraceRow[])[n - 1]!.tNs);
    this.pump.feed(rows);
  }

  /** Declares that no more rows will come. */
  end(): void {
    this.pump.eof = true;
    if (this.pump.starved) {
      this.pump.starved = false;
      this.pump.arm();
    }
  }

  /** Runs until more rows are needed (`starved`) or, after `end`, everything is done (`done`). */
  run(): 'starved' | 'done' {
    this.engine.run(Infinity, this.timeline);
    if (this.pump.starved) return 'starved';
    this.timeline.clock.until(this.engine.now, true);
    // a row at the run's end, the state after its last event; with it the last, partial interval of durability.csv
    // (after the last sample time) ends with the run, so that it adds up to the summary
    this.timeline.clock.end(this.engine.now);
    this.timelineRows.finish();
    if (this.sleeping.size > 0) {
      // nothing left to happen, yet an op still sleeps: the trace deadlocks
      const first = [...this.sleeping].sort((a, b) => a.row.line - b.row.line)[0];
      throw new TraceSemanticError(first.row.line, 'op', first.row.op,
        `${this.sleeping.size} op(s) never completed: this '${first.row.op}' of task '${first.row.task}' waits forever ` +
        `(e.g. a munmap waiting for a system wiring that is never unwired)`);
    }
    return 'done';
  }

  /** The task named `name`, made (and running) when its first row is delivered: the only caller is delivery. */
  private task(name: string): Task {
    let t = this.tasks.get(name);
    if (!t) {
      t = new Task(name, this.kernel.vm.map(name), this);
      this.tasks.set(name, t);
    }
    return t;
  }

  /** The task of row `i` of `block` (the last block's task table entry is remembered: no lookup by name per row). */
  private taskOf(block: RowBlock, i: number): Task {
    const strings = block.strings, idx = block.task[i];
    if (strings === this.lastStrings && idx === this.lastTaskIdx) return this.lastTask as Task;
    const t = this.task(strings.tasks[idx]);
    this.lastStrings = strings;
    this.lastTaskIdx = idx;
    this.lastTask = t;
    return t;
  }

  private lastStrings: RowBlock['strings'] | undefined = undefined; private lastTaskIdx = -1;
  private lastTask: Task | undefined = undefined;

  /** @internal every row has reached its trace time. */
  drained = false;

  /** @internal the trace line of the op running now: the durability tracker's line of a store (which msyncs the trace has after it). */
  opLine = 0;

  /** @internal see {@link PumpHost.traceDelivered}: tasks with nothing left stop running. */
  traceDelivered(): void {
    if (this.drained) return;
    this.drained = true;
    for (const t of this.tasks.values()) t.traceDrained();
  }

  /** @internal a task started or stopped running: {@link Kernel.running}. */
  runningChanged(delta: number): void {
    this.kernel.running += delta;
  }

  /** @internal a row reached its trace time. */
  deliver(row: TraceRow): void {
    const t = this.task(row.task);
    if (this.closed) {
      this.buffered++;
      t.deliver(row, -1);
    } else this.execute(t, row, false);
  }

  /** @internal row `i` of `block` reached its trace time (in closed replay it stays a column entry while it waits). */
  deliverFrom(block: RowBlock, i: number): void {
    const t = this.taskOf(block, i);
    if (this.closed) {
      this.buffered++;
      t.deliver(block, i);
    } else this.executeFrom(t, block, i, false);
  }

  /** @internal a task took a row from its buffer. */
  rowDequeued(): void {
    this.buffered--;
    if (this.pump.paused && this.buffered < BUFFER_CAP / 2) this.pump.resume();
  }

  /**
   * @internal issues row `i` of `block` now: a store that cannot sleep (no
   * `x_` columns, no per-op sink) straight from the columns, with no row
   * object; anything else as a row object through {@link execute}.
   */
  executeFrom(task: Task, block: RowBlock, i: number, closed: boolean): void {
    if (this.fastStores && block.op[i] === OP_WRITE && this.sink.op === undefined && (block.extras === undefined || block.extras[i] === undefined)
      && this.bounds.fits(this.bounds.pagesOf(block.addr[i], block.len[i]))) {
      const tNs = block.tNs[i];
      this.opLine = block.line[i];
      if (storeNoWait(this.kernel, task.map, block.addr[i], block.len[i], this.storesBlock)) {
        if (++block.taken === block.length) block.release(); // the columns are not read after this
        this.ops.write++;
        const now = this.engine.now;
        if (closed) task.opDone(tNs, now);
        this.taskFinished(task, false, now, now, closed);
        return;
      }
      this.execute(task, rowOf(block, i), closed, false);
      return;
    }
    this.execute(task, rowOf(block, i), closed);
  }

  /** @internal issues `row` now (`tryFast`: whether a store may be done without a kernel path; false when that was just refused). */
  execute(task: Task, row: TraceRow, closed: boolean, tryFast = this.fastStores): void {
    const k = this.kernel, map = task.map;
    // the ops that bring pages in, within the simulator's bounds (vm/limits.ts)
    const bringsIn = row.op === 'write' || row.op === 'read' || row.op === 'wire';
    const pages = bringsIn ? this.bounds.pagesOf(row.addr, row.len) : 0;
    if (bringsIn && !this.bounds.fits(pages)) throw this.bounds.refusal(row.line, row.op, row.len, pages);
    this.ops[row.op]++;
    this.opLine = row.line;
    let gen: KernelPath<string>;
    let acct: SyncAccount | undefined;
    let cpuFactor = 1;
    switch (row.op) {
      case 'write': {
        if (row.extra !== undefined) this.txns.store(row.extra.x_txn ?? '', this.engine.now);
        const block = this.storesBlock;
        if (tryFast && storeNoWait(k, map, row.addr, row.len, block)) {
          // done at once, as the kernel path would have been without sleeping
          this.finish(task, row, this.engine.now, closed, undefined, 'OK');
          return;
        }
        gen = writeOp(k, map, row.addr, row.len, block, this.personality.pageIn);
        break;
      }
      case 'read':
        gen = readOp(k, map, row.addr, row.len, this.personality.pageIn);
        break;
      case 'map':
        mapOp(k, map, row, this.personality.mergesAtMap === true);
        gen = syscallOnly(k.syscallNs);
        break;
      case 'unmap':
        gen = this.personality.unmap(k, map, row.addr, row.len);
        break;
      case 'msync':
        acct = { pages: 0 };
        this.hostSpeed.syncBegins();
        if (this.cpuSpread) cpuFactor = this.cpuSpread();
        gen = this.personality.msync(k, map, row.addr, row.len, row.flags, acct);
        break;
      case 'wire':
        acct = { pages: 0 }; // the wire count changes it makes (OpProc tallies them)
        gen = this.personality.wire(k, map, row.addr, row.len, row.flags);
        break;
      case 'unwire':
        acct = { pages: 0 };
        gen = this.personality.unwire(k, map, row.addr, row.len, row.flags);
        break;
    }
    task.opInFlight(1);
    const proc = new OpProc(this, task, row, this.engine.now, gen, closed, acct, cpuFactor);
    if (bringsIn) this.bounds.reserve(proc.boundPages = pages);
    proc.step();
  }

  /** @internal an op's kernel path returned `result`. */
  opFinished(p: OpProc, result: string): void {
    this.bounds.release(p.boundPages);
    this.finish(p.task, p.row, p.tIssue, p.closed, p.acct, result);
    p.task.opInFlight(-1);
  }

  /** An op of `task` issued at `tIssue` finished now with `result`. */
  private finish(task: Task, row: TraceRow, tIssue: number, closed: boolean, acct: SyncAccount | undefined, result: string): void {
    const now = this.engine.now;
    if (row.op === 'msync') {
      const spec = row.extra?.x_txn;
      if (spec !== undefined && !TxnStats.isCommitSpec(spec)) {
        throw new TraceSemanticError(row.line, 'x_txn', spec, "x_txn of an msync must be '<=N' (the pending transactions numbered up to N), '*' (all of them) or empty");
      }
      const ok = result === this.personality.ok;
      if (ok && spec) this.txns.commit(spec, tIssue, now);
      this.calls.msync(row, task.map, ok, result, tIssue, now, acct?.pages ?? 0);
    } else if (row.op === 'wire' || row.op === 'unwire') {
      // pages: the wirings a wire call added, the ones an unwire call removed, net of what the call undid itself
      const net = acct?.pages ?? 0;
      this.calls.wire(row, row.op, result === this.personality.ok, result, tIssue, now, row.op === 'wire' ? net : -net);
    }
    this.sink.op?.({ row, tIssueNs: tIssue, tDoneNs: now, result });
    if (closed) task.opDone(row.extra === undefined ? row.tNs : row.tNs + recordedNs(row.extra), now, row.op === 'write' || row.op === 'read'); // a store or load keeps its recorded time (Task.opDone)
    this.taskFinished(task, row.op === 'msync', tIssue, now, closed);
  }

  /** Counts a finished op of `task` in tasks.csv. */
  private taskFinished(task: Task, isMsync: boolean, tIssue: number, now: number, closed: boolean): void {
    const r = (task.record ??= this.taskStats.record(task.name));
    TaskStats.count(r, isMsync, tIssue, now, closed ? task.lagNs : 0);
  }

  /** Per-task accounting (tasks.csv) and the time of the last row fed. */
  readonly taskStats = new TaskStats();
  /** Transaction commit latency (rows with `x_txn`). */
  private readonly txns = new TxnStats();
  /** Durability lag of every file page version. */
  private readonly durability: DurabilityTracker;
  /** Time of the last row fed (ns): the trace's duration. */
  traceEndNs = 0;

  /** The latencies (ns) of the successful msyncs after the warm-up, in completion order (for confidence intervals). */
  syncLatenciesNs(): Float64Array {
    return this.calls.syncs.latencies.samples();
  }

  /** The measurements of the run (call after `run` returned `done`). */
  result(): RunResult {
    return runResult(this.kernel, {
      nowNs: this.engine.now, traceEndNs: this.traceEndNs, ops: this.ops,
      syncs: this.calls.syncs, wires: this.calls.wires, taskStats: this.taskStats, txns: this.txns, durability: this.durability,
      randomDraws: this.rng.draws(),
    });
  }

  /** Rows fed so far. */
  get rowCount(): number {
    return this.rows;
  }
}

function* syscallOnly(ns: number): KernelPath<string> {
  if (ns > 0) yield ns;
  return 'OK';
}
