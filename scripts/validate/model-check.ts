/**
 * What the simulator predicts for the calibration's measurements with the
 * calibrated device. The journal microbenchmark: a linux task appending
 * 4 KiB to a new file (blocks not yet allocated, `fs.preallocated: false`,
 * so each writeback allocates and the ext4-ordered model commits a jbd2
 * transaction) and syncing it after every write, one msync at a time;
 * compared with the measured buffered write + fdatasync, it checks the
 * device fit together with the filesystem model. The page-in probe's cold
 * read: checked the same way, and one read's rate is fitted so that the
 * replay of its first window takes the measured time.
 */
import { resolveConfig } from '../../sim/config.ts';
import { Simulator } from '../../sim/simulator.ts';
import type { SyncRecord } from '../../sim/stats/records.ts';
import { Flag, type TraceRow } from '../../traces/types.ts';
import type { PageinProbeFit } from './pagein-probe.ts';
import { median } from './fit.ts';

/** Mapped address of the simulated file. */
const BASE = 0x10000000;

/** Feeds `rows` (the whole trace) to `sim` and runs it to its end. */
export function replayWhole(sim: Simulator, rows: TraceRow[]): void {
  sim.feed(rows);
  sim.run();
  sim.end();
  sim.run();
}

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

/**
 * The simulated msyncs of {@link appendSyncTrace} under `config` (a user config: the calibrated fragment) with personality
 * linux, on a file whose blocks do not exist yet (`fs.preallocated: false`: each msync allocates and writes the inode
 * block or commits): their mean and median latency (µs) and how many. `leafShare` of them (the measured file's appends
 * past its inode's four extents) also write an extent tree block (`fs.extent_leaf`): the two kinds are simulated
 * apart and pooled in those shares.
 */
export function predictAppendSync(config: Record<string, unknown>, n = 200, leafShare = 0): { mean_us: number; p50_us: number; syncs: number } {
  const without = appendSyncLatencies(config, n, false);
  const leaf = leafShare > 0 ? appendSyncLatencies(config, n, true) : [];
  const mean = (us: number[]) => (us.length ? us.reduce((x, y) => x + y, 0) / us.length : 0);
  if (leafShare <= 0 || leaf.length === 0) return { mean_us: mean(without), p50_us: without.length ? median(without) : 0, syncs: without.length };
  // the two kinds of fdatasync in the measured shares: each latency weighted by its kind's share over its count
  const weighted = [...without.map((us) => ({ us, w: (1 - leafShare) / without.length })), ...leaf.map((us) => ({ us, w: leafShare / leaf.length }))].sort((a, b) => a.us - b.us);
  let cum = 0, p50 = weighted[weighted.length - 1].us;
  for (const x of weighted) {
    cum += x.w;
    if (cum >= 0.5) {
      p50 = x.us;
      break;
    }
  }
  return { mean_us: (1 - leafShare) * mean(without) + leafShare * mean(leaf), p50_us: p50, syncs: without.length + leaf.length };
}

/** The simulated msync latencies (µs, sorted) of {@link appendSyncTrace} under `config`, with `fs.extent_leaf` as given. */
function appendSyncLatencies(config: Record<string, unknown>, n: number, extentLeaf: boolean): number[] {
  const fs = { ...((config.fs as Record<string, unknown> | undefined) ?? {}), preallocated: false, extent_leaf: extentLeaf };
  const c = resolveConfig({ ...config, personality: 'linux', fs });
  const syncs: SyncRecord[] = [];
  const sim = new Simulator(c, { sync: (r) => syncs.push(r), writeback: () => {}, timeline: () => {} });
  replayWhole(sim, appendSyncTrace(n, c.page_size));
  // sorted: the mean is summed smallest first
  return syncs.map((r) => (r.tDoneNs - r.tIssueNs) / 1000).sort((x, y) => x - y);
}

/** The trace of the page-in probe (scripts/measure/pagein-read.c): map a file of `bytes`, then one 4 KiB load a page, in order, back to back. */
export function pageinProbeTrace(bytes: number, pageSize = 4096): TraceRow[] {
  const n = Math.floor(bytes / pageSize);
  const rows: TraceRow[] = [{ line: 3, tNs: 0, task: 'probe', op: 'map', addr: BASE, len: n * pageSize, flags: 0, object: 'cal.0', offset: 0 }];
  for (let i = 0; i < n; i++) rows.push({ line: rows.length + 3, tNs: 0, task: 'probe', op: 'read', addr: BASE + i * pageSize, len: 4, flags: 0, object: '', offset: 0 });
  return rows;
}

/**
 * The simulated time (µs) of the page-in probe's cold read of a file of `bytes` under `config`
 * (a user config: the calibrated fragment) with personality linux, page-in on and no access
 * advice, as the probe reads: the whole read, and the loads of the first `windowPages` pages
 * (null when not asked, or when the file is no longer than them).
 */
export function predictPageinProbe(config: Record<string, unknown>, bytes: number, windowPages?: number): { read_us: number; window_us: number | null } {
  const c = resolveConfig({ ...config, personality: 'linux', pagein: true, replay: 'closed' });
  const pages = Math.floor(bytes / c.page_size);
  let windowNs: number | null = null;
  const last = windowPages !== undefined && windowPages < pages ? windowPages : -1;
  const sim = new Simulator(c, {
    sync: () => {}, writeback: () => {}, timeline: () => {},
    // the load of the window's last page: row 1 + last - 1 after the map row
    op: last > 0 ? (r) => { if (r.row.op === 'read' && r.row.addr === BASE + (last - 1) * c.page_size) windowNs = r.tDoneNs; } : undefined,
  });
  replayWhole(sim, pageinProbeTrace(bytes, c.page_size));
  return { read_us: sim.result().sim_time_us, window_us: windowNs === null ? null : windowNs / 1000 };
}

/**
 * The calibration's check of the page-in probe: its cold read of the `bytes` data file (the
 * median rate's time, and the median time of its first window) against the model's replay of
 * it ({@link predictPageinProbe}) with the fitted profile `fragment`.
 */
export function pageinProbeCheck(fragment: Record<string, unknown>, bytes: number, probe: Extract<PageinProbeFit, { mbps: number }>) {
  const windowPages = probe.window?.pages ?? null;
  const sim = predictPageinProbe(fragment, bytes, windowPages ?? undefined);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    measured_read_us: r1(bytes / probe.mbps), simulated_read_us: r1(sim.read_us),
    measured_window_us: probe.window?.p50_us ?? null, simulated_window_us: sim.window_us === null ? null : r1(sim.window_us),
    window_pages: windowPages,
    note: 'the page-in probe\'s cold read of the data file (one load a 4 KiB page, back to back, no advice; the median rate\'s time and the median first window) against the model\'s replay of it with this profile (linux, page-in on)',
  };
}

/**
 * The rate of one read alone (`device.read_request_mbps`) at which the model's replay of the
 * page-in probe's first window ({@link predictPageinProbe} on a file of twice the window: the
 * loads of its first `window.pages` pages) takes the window's measured median `window.p50_us`,
 * every other key as in `fragment`: by bisection on the rate's logarithm, from a sixteenth to
 * sixteen times `start`, to two decimals. Also the replay's window at `start` (µs). Null when
 * no rate in that range brings the window to its measured time: its latencies and segments
 * alone take longer, or the shared pipe keeps it shorter.
 */
export function replayWindowRequestRate(fragment: Record<string, unknown>, window: { pages: number; p50_us: number }, start: number): { mbps: number; at_start_us: number } | null {
  const device = (fragment.device ?? {}) as Record<string, unknown>;
  const windowUs = (mbps: number) => predictPageinProbe({ ...fragment, device: { ...device, read_request_mbps: mbps } }, 2 * window.pages * 4096, window.pages).window_us!;
  let lo = Math.log(start / 16), hi = Math.log(start * 16);
  // the window's time falls as the rate grows
  if (windowUs(Math.exp(hi)) > window.p50_us || windowUs(Math.exp(lo)) < window.p50_us) return null;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (windowUs(Math.exp(mid)) > window.p50_us) lo = mid;
    else hi = mid;
  }
  return { mbps: Math.round(Math.exp((lo + hi) / 2) * 100) / 100, at_start_us: Math.round(windowUs(start) * 10) / 10 };
}
