/**
 * The calls a run counts in summary.json: msyncs (`sync`: how many, how many
 * succeeded, the failures by code, the latency of the successful ones), and
 * wire and unwire calls (mlock / munlock, vm_map_wire / unwire; `wire`: how
 * many of each op, how many failed whatever the kernel's code, an errno name
 * or a `KERN_*` name under mach, and how long the successful ones took).
 * Each call is also a row of syncs.csv or wires.csv: the simulator hands the
 * sink its record.
 */
import { LatencyStats, type LatencySummary } from './latency.ts';
import type { ResultSink } from './records.ts';
import type { DurabilityTracker } from './durability.ts';
import { coverKind } from './msync-cover.ts';
import type { TraceRow } from '../../traces/types.ts';
import type { Vm } from '../vm/vm.ts';
import type { VmMap } from '../vm/map.ts';

/** summary.json `sync` as counted (`latency_ci_us` is added by the caller that asks for it). */
export interface SyncCallSummary {
  count: number;
  ok: number;
  errors: Record<string, number>;
  latency_us: LatencySummary;
}

/** Accumulates the msyncs of a run. */
export class SyncStats {
  count = 0;
  /** The msyncs that succeeded. */
  ok = 0;
  private readonly errors: Record<string, number> = {};
  /** Latencies (ns) of the successful msyncs issued at or after the warm-up, in completion order. */
  readonly latencies = new LatencyStats();

  /** `warmupNs`: msyncs issued before it count, but their latency does not. */
  constructor(private readonly warmupNs: number) {}

  /** An msync issued at `tIssueNs` ended at `tDoneNs` with `result` (`ok`: it succeeded). */
  done(ok: boolean, result: string, tIssueNs: number, tDoneNs: number): void {
    this.count++;
    if (ok) {
      this.ok++;
      if (tIssueNs >= this.warmupNs) this.latencies.add(tDoneNs - tIssueNs);
    } else this.errors[result] = (this.errors[result] ?? 0) + 1;
  }

  /** summary.json `sync`. */
  summary(): SyncCallSummary {
    return { count: this.count, ok: this.ok, errors: sortKeys(this.errors), latency_us: this.latencies.summary() };
  }
}

/** The two ops counted, in the order of summary.json's `wire.by_op`. */
export const WIRE_OPS = ['wire', 'unwire'] as const;
/** A wiring op. */
export type WireOp = (typeof WIRE_OPS)[number];

/** One op's calls in summary.json's `wire.by_op`. */
export interface WireOpSummary {
  /** Calls of this op. */
  count: number;
  /** Calls that did not succeed (any result but the personality's success code). */
  failed: number;
  /** The failed calls by result code. */
  errors: Record<string, number>;
}

/** summary.json `wire`. */
export interface WireSummary {
  /** Wire and unwire calls. */
  count: number;
  /** Their failures by result code (both ops). */
  errors: Record<string, number>;
  /** The most pages wired at once. */
  peak_wired_pages: number;
  /** Wire and unwire calls that did not succeed, whatever the kernel's code. */
  failed: number;
  /** Latency of the successful wire calls issued at or after `stats.warmup_us` (µs). */
  latency_us: LatencySummary;
  /** Latency of the successful unwire calls issued at or after `stats.warmup_us` (µs). */
  unwire_latency_us: LatencySummary;
  /** Each op's calls, failures and codes. */
  by_op: Record<WireOp, WireOpSummary>;
}

/** One op's counts as they accumulate. */
class OpCounts {
  count = 0;
  failed = 0;
  readonly errors: Record<string, number> = {};
  readonly latencies = new LatencyStats();
}

/** Accumulates the wire and unwire calls of a run. */
export class WireStats {
  private readonly ops: Record<WireOp, OpCounts> = { wire: new OpCounts(), unwire: new OpCounts() };

  /** `warmupNs`: calls issued before it count, but their latency does not. */
  constructor(private readonly warmupNs: number) {}

  /** A call of `op` issued at `tIssueNs` ended at `tDoneNs` with `result` (`ok`: it succeeded). */
  done(op: WireOp, ok: boolean, result: string, tIssueNs: number, tDoneNs: number): void {
    const c = this.ops[op];
    c.count++;
    if (ok) {
      if (tIssueNs >= this.warmupNs) c.latencies.add(tDoneNs - tIssueNs);
    } else {
      c.failed++;
      c.errors[result] = (c.errors[result] ?? 0) + 1;
    }
  }

  /** summary.json `wire`, with the run's peak of wired pages. */
  summary(peakWiredPages: number): WireSummary {
    const { wire, unwire } = this.ops;
    const errors: Record<string, number> = {};
    for (const c of [wire, unwire]) for (const [k, n] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + n;
    const byOp = (c: OpCounts): WireOpSummary => ({ count: c.count, failed: c.failed, errors: sortKeys(c.errors) });
    return {
      count: wire.count + unwire.count,
      errors: sortKeys(errors),
      peak_wired_pages: peakWiredPages,
      failed: wire.failed + unwire.failed,
      latency_us: wire.latencies.summary(),
      unwire_latency_us: unwire.latencies.summary(),
      by_op: { wire: byOp(wire), unwire: byOp(unwire) },
    };
  }
}

/** `o` with its keys in ascending order. */
export function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Where a finished msync or wire call goes: its count in {@link SyncStats} or {@link WireStats}, its
 * row (syncs.csv, wires.csv) to the sink, and, for an msync, the file pages it covered to the
 * durability tracker (why a version is never durable).
 */
export class CallRecorder {
  readonly syncs: SyncStats;
  readonly wires: WireStats;

  constructor(
    warmupNs: number,
    private readonly sink: ResultSink,
    private readonly pageSize: number,
    private readonly durability: DurabilityTracker,
    private readonly vm: Vm,
  ) {
    this.syncs = new SyncStats(warmupNs);
    this.wires = new WireStats(warmupNs);
  }

  /** msync `row` of a task with map `map`, issued at `tIssueNs`, ended at `tDoneNs` with `result` (`ok`), having written `pages`. */
  msync(row: TraceRow, map: VmMap, ok: boolean, result: string, tIssueNs: number, tDoneNs: number, pages: number): void {
    this.syncs.done(ok, result, tIssueNs, tDoneNs);
    this.sink.sync({
      task: row.task, tIssueNs, tDoneNs, addr: row.addr, len: row.len, flags: row.flags,
      pagesWritten: pages, bytesWritten: pages * this.pageSize, result,
    });
    this.durability.covered(this.vm, map, row.addr, row.len, tIssueNs, coverKind(row.flags, ok), row.line);
  }

  /**
   * Wire or unwire `row` (its op `op`), issued at `tIssueNs`, ended at `tDoneNs` with `result` (`ok`),
   * having wired (wire) or unwired (unwire) `pages` pages.
   */
  wire(row: TraceRow, op: WireOp, ok: boolean, result: string, tIssueNs: number, tDoneNs: number, pages: number): void {
    this.wires.done(op, ok, result, tIssueNs, tDoneNs);
    this.sink.wire?.({ task: row.task, tIssueNs, tDoneNs, op, addr: row.addr, len: row.len, flags: row.flags, result, pages });
  }
}
