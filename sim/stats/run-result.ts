/**
 * The measurements of a finished run (summary.json's body): the simulator's
 * own counts beside the kernel's counters, statistics and totals.
 */
import type { Kernel } from '../kernel.ts';
import type { OpName } from '../../traces/types.ts';
import type { SyncStats, WireStats } from './calls.ts';
import type { RunResult } from './summary.ts';
import type { TaskStats } from './tasks.ts';
import type { TxnStats } from './txn.ts';
import type { DurabilityTracker } from './durability.ts';

/** What the simulator counted during a run, besides the kernel's own counters. */
export interface RunCounts {
  /** Simulated time at the end (ns). */
  nowNs: number;
  /** Time of the last row fed (ns): the trace's duration. */
  traceEndNs: number;
  ops: Record<OpName, number>;
  /** The msyncs. */
  syncs: SyncStats;
  /** The wire and unwire calls. */
  wires: WireStats;
  taskStats: TaskStats;
  txns: TxnStats;
  durability: DurabilityTracker;
  /** Random words the run's streams drew (RandomStreams.draws). */
  randomDraws: number;
}

/** The result of a run from kernel `k` and the simulator's counts `c`. */
export function runResult(k: Kernel, c: RunCounts): RunResult {
  const wb = k.pager.totals;
  return {
    sim_time_us: c.nowNs / 1000,
    ops: { ...c.ops },
    throughput: throughputOf(c.ops, c.syncs.ok, c.nowNs),
    replay: c.taskStats.summary(c.traceEndNs),
    txn: c.txns.summary(c.nowNs),
    durability: c.durability.summary(),
    faults: { ...k.faults },
    sync: c.syncs.summary(),
    writeback: {
      ios: wb.ios, pages: wb.pages, bytes: wb.bytes, by_cause: { ...wb.byCause },
      amplification: k.dirtiedBytes > 0 ? wb.bytes / k.dirtiedBytes : null,
      dirtied_bytes: k.dirtiedBytes,
    },
    wire: c.wires.summary(k.vm.counters.peakWired),
    device: k.device.stats(),
    memory: { evictions: k.pageout?.evictions ?? 0, pageins: k.vm.counters.pageins, peak_resident_pages: k.vm.counters.peakResident },
    pagein: { ios: k.pager.reads.ios, pages: k.pager.reads.pages, bytes: k.pager.reads.bytes, wait_us: (k.pagein?.waitNs ?? 0) / 1000 },
    throttle: {
      count: k.writeback?.throttle.count ?? 0,
      total_us: (k.writeback?.throttle.totalNs ?? 0) / 1000,
      max_us: (k.writeback?.throttle.maxNs ?? 0) / 1000,
    },
    fs: {
      kind: k.fs.kind, commits: k.fs.totals.commits, flushes: k.fs.totals.flushes,
      journal_bytes: wb.byCause.journal ?? 0, metadata_bytes: wb.byCause.metadata ?? 0,
    },
    random_draws: c.randomDraws,
  };
}

/** Ops and successful msyncs per second of simulated time (0 for a run of no time). */
function throughputOf(ops: Record<OpName, number>, msyncsOk: number, nowNs: number): { ops_per_s: number; msyncs_per_s: number } {
  const s = nowNs / 1e9;
  const total = Object.values(ops).reduce((a, b) => a + b, 0);
  return { ops_per_s: s > 0 ? total / s : 0, msyncs_per_s: s > 0 ? msyncsOk / s : 0 };
}
