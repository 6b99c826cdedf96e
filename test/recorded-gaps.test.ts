/**
 * Closed replay of a recorded trace: a row's `x_measured_us` is how long its op
 * took when recorded, and the trace's gap after the row holds that time, so
 * the think time kept after the simulated op is the gap less it
 * (sim/replay/task.ts recordedNs). Worked by hand on a queue device of 2000 µs per I/O.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import { recordedNs } from '../sim/replay/task.ts';
import type { OpRecord } from '../sim/stats/records.ts';
import type { TraceRow } from '../traces/types.ts';
import { TraceBuilder } from './helpers.ts';

const PS = 4096;
const A = 0x10000000;

/** Issue times (µs) of the ops, by trace line, in closed replay; `lags` receives the task's lag_end_us and max_lag_us. */
function issued(rows: TraceRow[], lags?: (endUs: number, maxUs: number) => void): Map<number, number> {
  const ops: OpRecord[] = [];
  const config = resolveConfig({
    personality: 'linux', pagein: false, fs: { kind: 'none' },
    device: { profile: 'queue', service: { dist: 'constant', mean_us: 2000 }, channels: 1 },
  });
  const sim = new Simulator(config, { sync() {}, writeback() {}, timeline() {}, op: (r) => ops.push(r) });
  sim.feed(rows);
  sim.end();
  sim.run();
  const r = sim.taskStats.records()[0]!;
  lags?.(r.lagEndNs / 1000, r.maxLagNs / 1000);
  return new Map(ops.map((o) => [o.row.line, o.tIssueNs / 1000]));
}

/** A store at 10 µs, an msync at 100 µs that took `measured` µs when recorded, a store at 100 + 700 µs. */
function trace(measured: string | undefined): TraceRow[] {
  const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, PS).op(100, 'msync', A, 16 * PS, 'SYNC').op(800, 'write', A + PS, PS).rows;
  if (measured !== undefined) rows[2]!.extra = { x_measured_us: measured };
  return rows;
}

describe('closed replay of rows with x_measured_us', () => {
  it('keeps as think time the gap after the op less its recorded duration', () => {
    // the msync ends at 100 + 2000 (one write; no CPU costs under queue); 700 − 500 = 200 µs of think time follow
    expect(issued(trace('500')).get(6)).toBeCloseTo(2100 + 200, 6);
  });

  it('keeps the whole gap without a recorded duration (absent, empty or 0)', () => {
    for (const m of [undefined, '', '0']) expect(issued(trace(m)).get(6), String(m)).toBeCloseTo(2100 + 700, 6);
  });

  it('issues the next op at once when the recorded duration is longer than the gap after it', () => {
    // 700 − 3000 < 0 µs of think time: the store follows the msync's end (2100) at once
    const lags: number[] = [];
    expect(issued(trace('3000'), (end, max) => lags.push(end, max)).get(6)).toBeCloseTo(2100, 6);
    // the lag never goes below 0 in tasks.csv: after the msync, 2100 − (100 + 3000) would be −1000; the last store
    // (trace time 800, issued at 2100) leaves 1300
    expect(lags).toEqual([1300, 1300]);
    // with 500 µs recorded: the msync leaves 2100 − 600 = 1500, the store (issued at 2300, trace time 800) 1500
    const lags500: number[] = [];
    issued(trace('500'), (end, max) => lags500.push(end, max));
    expect(lags500).toEqual([1500, 1500]);
    // an msync that took less than recorded, as the task's last op: its lag is 0, not 2100 − 3100 = −1000
    const last: number[] = [];
    issued(trace('3000').slice(0, 3), (end, max) => last.push(end, max));
    expect(last).toEqual([0, 0]);
  });

  it('does not let a task behind its trace catch up through stores and loads: their recorded time is the program\'s own', () => {
    // msync at 100 µs recorded 500 (ends at 2100 in the model: 1500 behind), then stores and a load at 600, 610, 620 recorded
    // 10 µs each (fio's copy and bookkeeping), then an msync at 630. The stores and the load take no simulated time, yet each
    // keeps the 1500 µs lag: they are issued at 2100, 2110, 2120 and the msync at 2130, not at 2100 as if 30 µs were made up
    const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, PS).op(100, 'msync', A, 16 * PS, 'SYNC')
      .op(600, 'write', A + PS, PS).op(610, 'write', A + 2 * PS, PS).op(620, 'read', A + 3 * PS, PS).op(630, 'msync', A, 16 * PS, 'SYNC').rows;
    rows[2]!.extra = { x_measured_us: '500' };
    for (const i of [3, 4, 5]) rows[i]!.extra = { x_measured_us: '10' };
    const at = issued(rows);
    expect([6, 7, 8, 9].map((l) => at.get(l))).toEqual([2100, 2110, 2120, 2130]);
    // an msync is the model's to time: one the model makes faster than recorded gives the lag back (the first msync at
    // 100 recorded 3000: it ends at 2100, 1000 before its recorded end, so the stores go at their trace times)
    rows[2]!.extra = { x_measured_us: '3000' };
    for (const i of [3, 4, 5]) rows[i]!.tNs += 3_000_000 - 500_000;
    rows[6]!.tNs += 3_000_000 - 500_000;
    expect([6, 7, 8, 9].map((l) => issued(rows).get(l))).toEqual([3100, 3110, 3120, 3130]);
  });

  it('an op other than a store or a load that the model makes faster than recorded gives lag back', () => {
    // msync at 100 recorded 500 (ends at 2100: 1500 behind); a store at 600 recorded 10 keeps it (issued at 2100);
    // a second msync at 610 recorded 5000: it ends at 2110 + 2000 = 4110, its recorded end 5610, so the lag falls to 0 and
    // an unmap at 6000 (recorded 10: no simulated time) and a store at 7000 go at their trace times
    const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, PS).op(100, 'msync', A, 16 * PS, 'SYNC')
      .op(600, 'write', A + PS, PS).op(610, 'msync', A, 16 * PS, 'SYNC').op(6000, 'unmap', A + 8 * PS, 8 * PS).op(7000, 'write', A + 2 * PS, PS).rows;
    rows[2]!.extra = { x_measured_us: '500' };
    rows[3]!.extra = { x_measured_us: '10' };
    rows[4]!.extra = { x_measured_us: '5000' };
    rows[5]!.extra = { x_measured_us: '10' };
    const at = issued(rows);
    expect([6, 7, 8, 9].map((l) => at.get(l))).toEqual([2100, 2110, 6000, 7000]);
  });

  it('reads x_measured_us as µs and ignores what is not a positive number', () => {
    expect(recordedNs({ x_measured_us: '12.5' })).toBe(12_500);
    expect(recordedNs({ x_measured_us: 'n/a' })).toBe(0);
    expect(recordedNs({ x_measured_us: '-3' })).toBe(0);
    expect(recordedNs({ other: '5' })).toBe(0);
  });
});
