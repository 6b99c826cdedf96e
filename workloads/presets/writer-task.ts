/**
 * One writing task: stores at the times of an arrival process and msyncs by a policy (every N
 * writes, every T µs, or both), until the end of the trace. The building block of the
 * seq-writer, random-writer, db-checkpoint, wired-pool and shared-object presets.
 */
import type { RowInput } from '../../traces/writer.ts';
import type { Arrivals } from './arrivals.ts';

/** When and what a task msyncs. */
export interface SyncPolicy {
  /** msync after every N writes (0 = never). */
  every: number;
  /** msync at T, 2T, ... µs (0 = never). Any msync restarts the write count. */
  intervalUs: number;
  /** Flag bits of the msync. */
  flags: number;
  /** `map`: the task's whole region; `written`: the page-aligned span written since the last msync (skipped when nothing was). */
  range: 'map' | 'written';
}

/** A task that writes and msyncs. */
export interface WriterTask {
  task: string;
  /** The range a `map`-range msync covers. */
  region: { addr: number; len: number };
  /** Issue times of the writes. */
  arrivals: Arrivals;
  /** Where the next write goes. */
  nextWrite(): { addr: number; len: number };
  sync: SyncPolicy;
  /** Writes are issued before this time, timed msyncs up to and including it (ns). */
  endNs: number;
  pageSize: number;
  /** Mark each write as one transaction (`x_txn` = this task's name and a counter) and each msync as committing every transaction stored before it (`x_txn` = `*`). */
  txn?: boolean;
}

/** The task's write and msync rows, in time order (a count-triggered msync shares its write's time). */
export function* writerRows(w: WriterTask): Generator<RowInput> {
  const { task, sync, endNs, pageSize } = w;
  let tw = w.arrivals.next();
  let k = 1;
  const tick = (): number => (sync.intervalUs > 0 ? Math.round(k * sync.intervalUs * 1000) : Infinity);
  let ts = tick();
  let count = 0;
  let txns = 0;
  let lo = Infinity, hi = -Infinity;
  const syncRow = (tNs: number): RowInput | undefined => {
    let row: RowInput | undefined;
    if (sync.range === 'map') row = { tNs, task, op: 'msync', addr: w.region.addr, len: w.region.len, flags: sync.flags };
    else if (hi > lo) {
      const start = lo - (lo % pageSize);
      row = { tNs, task, op: 'msync', addr: start, len: hi - start, flags: sync.flags };
    }
    if (row && w.txn) row.extra = { x_txn: '*' };
    count = 0;
    lo = Infinity;
    hi = -Infinity;
    return row;
  };
  for (;;) {
    const writeDue = tw < endNs;
    const tickDue = ts <= endNs;
    if (!writeDue && !tickDue) return;
    if (writeDue && (!tickDue || tw <= ts)) {
      const { addr, len } = w.nextWrite();
      yield w.txn ? { tNs: tw, task, op: 'write', addr, len, extra: { x_txn: `${task}.${txns++}` } } : { tNs: tw, task, op: 'write', addr, len };
      if (addr < lo) lo = addr;
      if (addr + len > hi) hi = addr + len;
      if (sync.every > 0 && ++count >= sync.every) {
        const row = syncRow(tw);
        if (row) yield row;
      }
      tw = w.arrivals.next();
    } else {
      const row = syncRow(ts);
      if (row) yield row;
      k++;
      ts = tick();
    }
  }
}
