/**
 * What the simulator predicts for the journal microbenchmark with a
 * calibrated device: a linux task appending 4 KiB to a new file (blocks
 * not yet allocated, `fs.preallocated: false`, so each writeback allocates
 * and the ext4-ordered model commits a jbd2 transaction) and syncing it
 * after every write, one msync at a time. Compared with the measured
 * buffered write + fdatasync, it checks the device fit together with the
 * filesystem model; nothing is fitted from it.
 */
import { resolveConfig } from '../../sim/config.ts';
import { Simulator } from '../../sim/simulator.ts';
import type { SyncRecord } from '../../sim/stats/records.ts';
import { Flag, type TraceRow } from '../../traces/types.ts';

/** Mapped address of the simulated file. */
const BASE = 0x10000000;

/** The trace: map a file of `n` pages, then n × (store to the next page, msync SYNC of it), 1 µs apart. */
export function appendSyncTrace(n: number, pageSize = 4096): TraceRow[] {
  const rows: TraceRow[] = [{ line: 3, tNs: 0, task: 'fio', op: 'map', addr: BASE, len: n * pageSize, flags: 0, object: 'grow.0', offset: 0 }];
  for (let i = 0; i < n; i++) {
    const addr = BASE + i * pageSize;
    rows.push({ line: rows.length + 3, tNs: (2 * i + 1) * 1000, task: 'fio', op: 'write', addr, len: pageSize, flags: 0, object: '', offset: 0 });
    rows.push({ line: rows.length + 3, tNs: (2 * i + 2) * 1000, task: 'fio', op: 'msync', addr, len: pageSize, flags: Flag.SYNC, object: '', offset: 0 });
  }
  return rows;
}

/** Mean simulated msync latency (µs) of {@link appendSyncTrace} under `config` (a user config: the calibrated fragment) with personality linux. */
export function predictAppendSync(config: Record<string, unknown>, n = 200): { mean_us: number; syncs: number } {
  const fs = { ...((config.fs as Record<string, unknown> | undefined) ?? {}), preallocated: false };
  const c = resolveConfig({ ...config, personality: 'linux', fs });
  const syncs: SyncRecord[] = [];
  const sim = new Simulator(c, { sync: (r) => syncs.push(r), writeback: () => {}, timeline: () => {} });
  sim.feed(appendSyncTrace(n, c.page_size));
  sim.run();
  sim.end();
  sim.run();
  const total = syncs.reduce((s, r) => s + (r.tDoneNs - r.tIssueNs), 0);
  return { mean_us: syncs.length ? total / syncs.length / 1000 : 0, syncs: syncs.length };
}
