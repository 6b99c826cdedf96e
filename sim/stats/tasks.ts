/**
 * Per-task replay accounting: how many ops each task issued, how long they
 * kept it blocked, and how far closed replay ran it behind its trace times
 * (its lag: when an op ends later than the trace said the next would start,
 * the task's later ops shift by that much). A task that ends far behind has
 * been stretched by the model, which changes what its msyncs meet.
 */

/** One task's row of tasks.csv. */
export interface TaskRecord {
  task: string;
  ops: number;
  msyncs: number;
  /** Lag after its last op (closed replay), ns. */
  lagEndNs: number;
  /** Largest lag after any of its ops, ns. */
  maxLagNs: number;
  /** Total time its ops took (issue to finish), ns. */
  blockedNs: number;
}

/** The replay part of summary.json. */
export interface ReplaySummary {
  tasks: number;
  /** Time of the trace's last row (µs). */
  trace_end_us: number;
  /** Largest lag any task ended with (µs). */
  max_lag_end_us: number;
  /** Tasks that ended more than {@link STRETCH_SHARE} of the trace's duration behind. */
  stretched_tasks: number;
}

/** A task that ends more than this share of the trace's duration behind is reported as stretched. */
export const STRETCH_SHARE = 0.05;

/** Accumulates {@link TaskRecord}s as ops finish. */
export class TaskStats {
  private readonly byName = new Map<string, TaskRecord>();

  /** An op of `task` issued at `tIssueNs` ended at `tDoneNs`; `lagNs` is the task's lag now (0 in open replay). */
  finished(task: string, isMsync: boolean, tIssueNs: number, tDoneNs: number, lagNs: number): void {
    TaskStats.count(this.record(task), isMsync, tIssueNs, tDoneNs, lagNs);
  }

  /** The record of `task`, made now if none of its ops finished before (a caller may keep it and {@link count} into it). */
  record(task: string): TaskRecord {
    let r = this.byName.get(task);
    if (!r) this.byName.set(task, (r = { task, ops: 0, msyncs: 0, lagEndNs: 0, maxLagNs: 0, blockedNs: 0 }));
    return r;
  }

  /** Counts into record `r` an op issued at `tIssueNs` that ended at `tDoneNs`, the task's lag now being `lagNs`. */
  static count(r: TaskRecord, isMsync: boolean, tIssueNs: number, tDoneNs: number, lagNs: number): void {
    r.ops++;
    if (isMsync) r.msyncs++;
    r.blockedNs += tDoneNs - tIssueNs;
    r.lagEndNs = lagNs;
    if (lagNs > r.maxLagNs) r.maxLagNs = lagNs;
  }

  /** Every task, by name. */
  records(): TaskRecord[] {
    return [...this.byName.values()].sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0));
  }

  /** The tasks that ended more than {@link STRETCH_SHARE} of `traceEndNs` behind. */
  stretched(traceEndNs: number): TaskRecord[] {
    return this.records().filter((r) => traceEndNs > 0 && r.lagEndNs > STRETCH_SHARE * traceEndNs);
  }

  /** summary.json `replay`. */
  summary(traceEndNs: number): ReplaySummary {
    const rs = this.records();
    return {
      tasks: rs.length,
      trace_end_us: traceEndNs / 1000,
      max_lag_end_us: rs.reduce((m, r) => Math.max(m, r.lagEndNs), 0) / 1000,
      stretched_tasks: this.stretched(traceEndNs).length,
    };
  }
}
