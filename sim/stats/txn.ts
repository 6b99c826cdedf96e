/**
 * Transaction commit latency, for traces that mark transactions in an
 * `x_txn` column (the `wal-append` and `db-checkpoint` presets do): a store
 * row names the transaction it belongs to; an msync row says which pending
 * transactions it makes durable when it succeeds:
 * - `<=N`: every pending transaction with a numeric id up to N (a WAL group commit);
 * - `*`: every pending transaction (a checkpoint of the whole database).
 * Only transactions whose stores were all issued before the msync was issued,
 * and whose stored pages have all been in the range of a successful msync
 * issued after their store (that one or an earlier one: a group commit may
 * sync a wrapped log in two msyncs), count as committed by it: in closed
 * replay a lagging task may store after the commit it was meant to be part
 * of, and a later commit takes it only once its pages were synced (an msync
 * of length 0 covers every page). The latency is from the transaction's
 * first store to the end of that msync.
 */
import { LatencyStats, type LatencySummary } from './latency.ts';
import type { Vm } from '../vm/vm.ts';
import type { VmMap } from '../vm/map.ts';

/**
 * The pages behind [addr, addr + len) of `map`, as (object id, first page, last page) triples, one
 * per map entry it crosses; unmapped parts are left out.
 */
export function pagesOfRange(vm: Vm, map: VmMap, addr: number, len: number): number[] {
  const out: number[] = [];
  const end = addr + len;
  for (let a = vm.trunc(addr); a < end;) {
    const r = vm.resolve(map, a, false);
    if (!r) {
      a += vm.pageSize;
      continue;
    }
    const pieceEnd = Math.min(r.end, end);
    const pages = Math.ceil((pieceEnd - a) / vm.pageSize);
    out.push(r.obj.id, r.idx, r.idx + pages - 1);
    a += pages * vm.pageSize;
  }
  return out;
}

/** The (object, first, last) triples of `stored` that lie in no triple of `synced`. */
function uncovered(stored: readonly number[], synced: readonly number[]): number[] {
  const left: number[] = [];
  for (let i = 0; i < stored.length; i += 3) {
    let inside = false;
    for (let j = 0; j < synced.length && !inside; j += 3) {
      inside = synced[j] === stored[i] && synced[j + 1]! <= stored[i + 1]! && synced[j + 2]! >= stored[i + 2]!;
    }
    if (!inside) left.push(stored[i]!, stored[i + 1]!, stored[i + 2]!);
  }
  return left;
}

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
  /** id → the pages its stores reached that no msync has synced since, (object id, first, last) triples. */
  private readonly stored = new Map<string, number[]>();
  /** id → issue time of its latest store (ns), when it has more than one. */
  private readonly lastStore = new Map<string, number>();
  private readonly latencies = new LatencyStats();
  private committed = 0;

  /** Whether stored pages of pending transactions wait for an msync (the simulator tells {@link synced} of every msync then). */
  get tracking(): boolean {
    return this.stored.size > 0;
  }

  /** A store of transaction `id` issued at `tNs` to `pages` ((object id, first, last) triples, {@link pagesOfRange}). */
  store(id: string, tNs: number, pages: readonly number[] = []): void {
    if (id === '') return;
    if (!this.pending.has(id)) this.pending.set(id, tNs);
    else this.lastStore.set(id, tNs);
    if (pages.length === 0) return;
    const list = this.stored.get(id);
    if (list === undefined) this.stored.set(id, [...pages]);
    else list.push(...pages);
  }

  /** Whether `spec` is what an msync row's `x_txn` may hold: empty, `*`, or `<=N` with N a number. */
  static isCommitSpec(spec: string): boolean {
    return spec === '' || spec === '*' || /^<=-?\d+(\.\d+)?$/.test(spec);
  }

  /**
   * A successful msync issued at `tIssueNs` synced `synced` ((object id, first, last) triples, {@link pagesOfRange}),
   * or every page (undefined: length 0): the pages of transactions stored before it are synced.
   */
  synced(tIssueNs: number, synced?: readonly number[]): void {
    if (this.stored.size === 0) return;
    for (const [id, pages] of this.stored) {
      if ((this.lastStore.get(id) ?? this.pending.get(id)!) > tIssueNs) continue;
      const left = synced === undefined ? [] : uncovered(pages, synced);
      if (left.length === 0) this.stored.delete(id);
      else this.stored.set(id, left);
    }
  }

  /** An msync issued at `tIssueNs` with `x_txn` = `spec` succeeded at `tDoneNs` (after {@link synced} was told of it). */
  commit(spec: string, tIssueNs: number, tDoneNs: number): void {
    let upTo = Infinity;
    if (spec.startsWith('<=')) {
      upTo = Number(spec.slice(2));
      if (!Number.isFinite(upTo)) return;
    } else if (spec !== '*') return;
    for (const [id, t] of this.pending) {
      if ((this.lastStore.get(id) ?? t) > tIssueNs) continue;
      if (upTo !== Infinity && !(Number(id) <= upTo)) continue;
      // pages no msync has synced yet: not committed
      if (this.stored.has(id)) continue;
      this.latencies.add(tDoneNs - t);
      this.committed++;
      this.pending.delete(id);
      this.lastStore.delete(id);
    }
  }

  /** summary.json `txn` after `nowNs` of simulated time. */
  summary(nowNs: number): TxnSummary {
    return { count: this.committed, latency_us: this.latencies.summary(), per_s: nowNs > 0 ? this.committed / (nowNs / 1e9) : 0, pending_at_end: this.pending.size };
  }
}
