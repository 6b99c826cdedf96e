/**
 * Transaction commit latency, for traces that mark transactions in an
 * `x_txn` column (the `wal-append` and `db-checkpoint` presets do): a store
 * row names the transaction it belongs to; an msync row says which pending
 * transactions it makes durable when it succeeds:
 * - `<=N`: every pending transaction with a numeric id up to N (a WAL group commit);
 * - `*`: every pending transaction (a checkpoint of the whole database).
 * Only transactions whose first store was issued before the msync was issued
 * count as committed by it (in closed replay a lagging task may store after a
 * commit it was meant to be part of; the next commit takes it). The latency
 * is from the transaction's first store to the end of that msync.
 */
import { LatencyStats, type LatencySummary } from './latency.ts';

/** summary.json `txn`. */
export interface TxnSummary {
  /** Transactions committed. */
  count: number;
  latency_us: LatencySummary;
  /** Committed per second of simulated time. */
  per_s: number;
  /** Transactions stored and never committed by the end of the run. */
  pending_at_end: number;
}

/** Pending transactions and the commit latency distribution. */
export class TxnStats {
  /** id → issue time of its first store (ns). */
  private readonly pending = new Map<string, number>();
  private readonly latencies = new LatencyStats();
  private committed = 0;

  /** A store of transaction `id` issued at `tNs`. */
  store(id: string, tNs: number): void {
    if (id !== '' && !this.pending.has(id)) this.pending.set(id, tNs);
  }

  /** Whether `spec` is what an msync row's `x_txn` may hold: empty, `*`, or `<=N` with N a number. */
  static isCommitSpec(spec: string): boolean {
    return spec === '' || spec === '*' || /^<=-?\d+(\.\d+)?$/.test(spec);
  }

  /** An msync issued at `tIssueNs` with `x_txn` = `spec` succeeded at `tDoneNs`. */
  commit(spec: string, tIssueNs: number, tDoneNs: number): void {
    let upTo = Infinity;
    if (spec.startsWith('<=')) {
      upTo = Number(spec.slice(2));
      if (!Number.isFinite(upTo)) return;
    } else if (spec !== '*') return;
    for (const [id, t] of this.pending) {
      if (t > tIssueNs) continue;
      if (upTo !== Infinity && !(Number(id) <= upTo)) continue;
      this.latencies.add(tDoneNs - t);
      this.committed++;
      this.pending.delete(id);
    }
  }

  /** summary.json `txn` after `nowNs` of simulated time. */
  summary(nowNs: number): TxnSummary {
    return { count: this.committed, latency_us: this.latencies.summary(), per_s: nowNs > 0 ? this.committed / (nowNs / 1e9) : 0, pending_at_end: this.pending.size };
  }
}
