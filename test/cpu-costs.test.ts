/**
 * The CPU costs (cpu.* keys): the measured defaults, where each is charged
 * (syscall_us per call, fault_page_us per page faulted in, clean_page_us per
 * page an msync writes, wire_page_us per page wired), the per_page_us
 * override, zero under the queue profile; and the statistics of
 * `npm run measure:cpu`; clean_pmd_page_us per page of a large folio. Expected times are worked out by hand from the
 * defaults of sim/cpu-costs.ts: syscall 1.44 µs, fault 13.16, clean 9.28
 * (23.09 while another task runs), wire 0.21 µs per page; open replay, so
 * each op is issued at its trace time.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { applyCpuDefaults, MEASURED_CPU_COSTS } from '../sim/cpu-costs.ts';
import { Simulator } from '../sim/simulator.ts';
import type { OpRecord } from '../sim/stats/records.ts';
import type { TraceRow } from '../traces/types.ts';
import { TraceBuilder } from './helpers.ts';
import { cleanCall, cpuFigures, parseSamples, perCall, perPage, quantile, spread, type Sample } from '../scripts/measure/cpu-fit.ts';

const PS = 4096;
const A = 0x10000000;

/**
 * Runs `rows` with the configuration's own CPU defaults (test/helpers.ts simulate() zeroes them)
 * on a device that costs nothing, without page-in reads: µs each op took, by trace line, is CPU time.
 */
function took(rows: TraceRow[], config: Record<string, unknown> = {}): Map<number, number> {
  return new Map([...tookByTask(rows, config)].map(([k, v]) => [Number(k.split(':')[1]), v]));
}

/** {@link took} keyed by `task:line` (lines count per task in TraceBuilder); `after` sees the simulator once the run is done. */
function tookByTask(rows: TraceRow[], config: Record<string, unknown> = {}, after?: (sim: Simulator) => void): Map<string, number> {
  const ops: OpRecord[] = [];
  const sim = new Simulator(resolveConfig({ replay: 'open', pagein: false, ...config }), { sync() {}, writeback() {}, timeline() {}, op: (r) => ops.push(r) });
  sim.feed(rows);
  sim.run();
  sim.end();
  sim.run();
  after?.(sim);
  return new Map(ops.map((o) => [`${o.row.task}:${o.row.line}`, (o.tDoneNs - o.tIssueNs) / 1000]));
}

/** Map 16 pages (line 3), store to 4 of them (line 4), store to them again (line 5). */
const writes = () => new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'write', A, 4 * PS).rows;

describe('measured CPU-cost defaults', () => {
  it('are the table figures, each inside its interquartile range', () => {
    expect(resolveConfig({}).cpu).toEqual({ syscall_us: 1.44, fault_page_us: 13.16, clean_page_us: 9.28, clean_page_busy_us: 23.09, clean_pmd_page_us: 0.31, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 0.21, cv: 0, floor: 0 });
    for (const f of Object.values(MEASURED_CPU_COSTS)) {
      expect(f.q1_us).toBeLessThanOrEqual(f.us);
      expect(f.us).toBeLessThanOrEqual(f.q3_us);
    }
  });

  it('map costs syscall_us; a store faults each non-resident page in at fault_page_us; a resident page costs nothing', () => {
    const t = took(writes());
    expect(t.get(3)).toBeCloseTo(1.44, 9);
    expect(t.get(4)).toBeCloseTo(4 * 13.16, 9); // 52.64
    expect(t.get(5)).toBe(0);
  });

  it('a read faults pages in at fault_page_us too', () => {
    const t = took(new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'read', A, 3 * PS).rows);
    expect(t.get(4)).toBeCloseTo(3 * 13.16, 9); // 39.48
  });

  it('msync MS_ASYNC of a clean range costs syscall_us alone', () => {
    for (const personality of ['freebsd', 'linux', 'xnu']) {
      const t = took(new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'msync', A, 16 * PS, 'ASYNC').rows, { personality });
      expect(t.get(4), personality).toBeCloseTo(1.44, 9);
    }
  });

  it('msync charges clean_page_us per dirty page it writes (FreeBSD and XNU MS_ASYNC)', () => {
    for (const personality of ['freebsd', 'xnu']) {
      const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'ASYNC').rows;
      // 1.44 syscall + 4 × 9.28: the I/O runs beside, not waited for
      expect(took(rows, { personality }).get(5), personality).toBeCloseTo(1.44 + 4 * 9.28, 9); // 38.56
    }
  });

  it('Linux msync MS_SYNC charges clean_page_us per page written (a device of 0 µs, so nothing else)', () => {
    const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'SYNC').rows;
    const t = took(rows, { personality: 'linux', device: { profile: 'ram' } });
    expect(t.get(5)).toBeCloseTo(1.44 + 4 * 9.28, 9);
  });

  it('Linux msync MS_SYNC charges clean_pmd_page_us per page of a PMD-sized folio (read ahead at order 9) and per page dirty by its folio alone, clean_page_us per other page', () => {
    // readahead 1024 pages, reads of 0 µs (ram). The read of page 0 reads around [0,1024) at order 0, mark on 768;
    // reads of 768, 1024, 2048, 3072, 4096 each start the next asynchronous window at order 2, 4, 6, 8, then
    // min(10, 9, log2 1024) = 9: [5120,6144) is PMD-sized. 4 stores in [4096,4100) (order 8), 4 in [5120,5124).
    // Each store dirties its whole folio (sim/vm/folios.ts): [4096,4352) and [5120,5632); the 252 + 508 pages
    // dirty by their folio alone cost clean_pmd_page_us, as do the 4 stored pages of the PMD-sized one.
    const b = new TraceBuilder('a').map(0, A, 8192 * PS, 'f');
    for (const p of [0, 768, 1024, 2048, 3072, 4096]) b.op(10 + p, 'read', A + p * PS, 1);
    const rows = b.op(5000, 'write', A + 4096 * PS, 4 * PS).op(5001, 'write', A + 5120 * PS, 4 * PS).op(6000, 'msync', A, 8192 * PS, 'SYNC').rows;
    const t = took(rows, { personality: 'linux', pagein: true, readahead: { pages: 1024 }, device: { profile: 'ram' } });
    expect(t.get(12)).toBeCloseTo(1.44 + 4 * 9.28 + (252 + 512) * 0.31, 9); // 275.4
  });

  it('wire / mlock charges syscall_us plus wire_page_us per page wired, not fault_page_us', () => {
    for (const personality of ['freebsd', 'linux', 'xnu']) {
      const t = took(new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'wire', A, 8 * PS, 'USER').rows, { personality });
      expect(t.get(4), personality).toBeCloseTo(1.44 + 8 * 0.21, 9); // 3.12
    }
  });
});

describe('cpu.per_page_us', () => {
  it('sets all the per-page costs, also over a per-page key given with it', () => {
    expect(resolveConfig({ cpu: { per_page_us: 2 } }).cpu).toEqual({ syscall_us: 1.44, fault_page_us: 2, clean_page_us: 2, clean_page_busy_us: 2, clean_pmd_page_us: 2, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 2, per_page_us: 2, cv: 0, floor: 0 });
    expect(resolveConfig({ cpu: { per_page_us: 2, fault_page_us: 5 } }).cpu.fault_page_us).toBe(2);
  });

  it('a fault, a clean and a wire then each cost it per page', () => {
    const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'ASYNC')
      .op(300, 'wire', A + 8 * PS, 8 * PS, 'USER').rows;
    const t = took(rows, { cpu: { syscall_us: 1, per_page_us: 2 } });
    expect(t.get(4)).toBe(8); // 4 faults × 2
    expect(t.get(5)).toBe(9); // 1 + 4 × 2
    expect(t.get(6)).toBe(17); // 1 + 8 × 2
  });
});

describe('applyCpuDefaults under the queue profile', () => {
  it('makes every CPU cost the user did not give 0', () => {
    const c = resolveConfig({});
    applyCpuDefaults(c, {}, true);
    expect(c.cpu).toEqual({ syscall_us: 0, fault_page_us: 0, clean_page_us: 0, clean_page_busy_us: 0, clean_pmd_page_us: 0, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 0, cv: 0, floor: 0 });
  });

  it('keeps the costs the user gave, and per_page_us still sets the per-page ones', () => {
    const user = { cpu: { syscall_us: 3, clean_page_us: 4 } };
    const c = resolveConfig(user);
    applyCpuDefaults(c, user, true);
    expect(c.cpu).toEqual({ syscall_us: 3, fault_page_us: 0, clean_page_us: 4, clean_page_busy_us: 4, clean_pmd_page_us: 0, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 0, cv: 0, floor: 0 });
    const v = { cpu: { per_page_us: 2 } };
    const d = resolveConfig(v);
    applyCpuDefaults(d, v, true);
    expect(d.cpu).toEqual({ syscall_us: 0, fault_page_us: 2, clean_page_us: 2, clean_page_busy_us: 2, clean_pmd_page_us: 2, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 2, per_page_us: 2, cv: 0, floor: 0 });
  });

  it('outside queue leaves the measured defaults', () => {
    const c = resolveConfig({});
    applyCpuDefaults(c, {}, false);
    expect(c.cpu).toEqual({ syscall_us: 1.44, fault_page_us: 13.16, clean_page_us: 9.28, clean_page_busy_us: 23.09, clean_pmd_page_us: 0.31, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 0.21, cv: 0, floor: 0 });
  });
});

describe('cpu.clean_page_busy_us (Linux: cleaning while another task runs)', () => {
  it('a user clean_page_us without it sets both; given, it is kept', () => {
    expect(resolveConfig({ cpu: { clean_page_us: 4 } }).cpu.clean_page_busy_us).toBe(4);
    expect(resolveConfig({ cpu: { clean_page_us: 4, clean_page_busy_us: 11 } }).cpu.clean_page_busy_us).toBe(11);
    expect(resolveConfig({ cpu: { clean_page_busy_us: 11 } }).cpu).toMatchObject({ clean_page_us: 9.28, clean_page_busy_us: 11 });
  });

  /** Task a stores to 4 pages and msyncs them at 200 µs; task b has rows before and after (or only before) it. */
  const twoTasks = (bLast: number) => {
    const a = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'SYNC').rows;
    const b = new TraceBuilder('b').map(0, A, 16 * PS, 'g').op(bLast, 'write', A, PS).rows;
    const rows = [...a, ...b].sort((x, y) => x.tNs - y.tNs);
    return { rows, msyncLine: `a:${a[a.length - 1]!.line}` };
  };

  it('is charged per page while another task is between its first row and its last', () => {
    const { rows, msyncLine } = twoTasks(5000);
    const t = tookByTask(rows, { personality: 'linux', device: { profile: 'ram' } });
    expect(t.get(msyncLine)).toBeCloseTo(1.44 + 4 * 23.09, 9); // 93.8
  });

  it('is not charged once the whole trace has been delivered and the other task has nothing left, nor with one task', () => {
    // the msync (at 200 µs) is the trace's last row: b's last row, at 20 µs, is long done
    const { rows, msyncLine } = twoTasks(20);
    expect(tookByTask(rows, { personality: 'linux', device: { profile: 'ram' } }).get(msyncLine)).toBeCloseTo(1.44 + 4 * 9.28, 9);
    const one = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'SYNC').op(5000, 'write', A, PS).rows;
    expect(took(one, { personality: 'linux', device: { profile: 'ram' } }).get(5)).toBeCloseTo(1.44 + 4 * 9.28, 9);
  });

  it('is charged while a task whose rows ended early waits for the trace to end (README: a streamed trace does not say which row is a task\'s last)', () => {
    // as above, but task a has one more row, at 5000 µs: b (last row at 20 µs) still counts at 200 µs
    const { rows, msyncLine } = twoTasks(20);
    rows.push({ ...rows.find((r) => r.task === 'a' && r.op === 'write')!, tNs: 5_000_000, line: 99 });
    expect(tookByTask(rows, { personality: 'linux', device: { profile: 'ram' } }).get(msyncLine)).toBeCloseTo(1.44 + 4 * 23.09, 9);
  });

  it('is charged in closed replay too, and no task counts as running once the run is done', () => {
    const { rows, msyncLine } = twoTasks(5000);
    const ops: OpRecord[] = [];
    const sim = new Simulator(resolveConfig({ personality: 'linux', pagein: false, device: { profile: 'ram' } }), { sync() {}, writeback() {}, timeline() {}, op: (r) => ops.push(r) });
    sim.feed(rows);
    sim.end();
    expect(sim.run()).toBe('done');
    const msync = ops.find((o) => `${o.row.task}:${o.row.line}` === msyncLine)!;
    expect((msync.tDoneNs - msync.tIssueNs) / 1000).toBeCloseTo(1.44 + 4 * 23.09, 9);
    expect((sim as unknown as { kernel: { running: number } }).kernel.running).toBe(0);
  });

  it('is not charged while the other task sleeps in the kernel (its own msync waiting for the device)', () => {
    // b msyncs 1 page at 100 µs on a device of 2 ms per write: asleep from 124.53 µs until its write ends
    const a = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'SYNC').rows;
    const b = new TraceBuilder('b').map(0, A, 16 * PS, 'g').op(50, 'write', A, PS).op(100, 'msync', A, 16 * PS, 'SYNC').op(90000, 'write', A, PS).rows;
    const rows = [...a, ...b].sort((x, y) => x.tNs - y.tNs);
    const dev = { profile: 'queue', service: { dist: 'constant', mean_us: 2000 }, channels: 4 };
    const t = tookByTask(rows, { personality: 'linux', device: dev, cpu: { clean_page_us: 9.28, clean_page_busy_us: 23.09, syscall_us: 1.44 } });
    // a's msync at 200 µs: 1.44 + 4 × 9.28 of CPU (b asleep until 2124.53), then its I/O: 2000 µs on a free channel
    expect(t.get(`a:${a[a.length - 1]!.line}`)).toBeCloseTo(1.44 + 4 * 9.28 + 2000, 6);
    // b's own msync at 100 µs cleaned while a was between its rows: the busy rate
    expect(t.get(`b:${b[b.length - 2]!.line}`)).toBeCloseTo(1.44 + 23.09 + 2000, 6);
  });

  it('is charged while the other task waits for its page-in read: a major fault keeps its task on its CPU', () => {
    // b stores at 4900 µs to a page not in memory: its read takes 2000 µs on the device; a msyncs its 4 pages (read in
    // by its stores at 10 µs, done by 2010) at 5000 µs, while b waits for that read
    const a = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(5000, 'msync', A, 16 * PS, 'SYNC').rows;
    const b = new TraceBuilder('b').map(0, A, 16 * PS, 'g').op(4900, 'write', A, PS).op(90000, 'write', A, PS).rows;
    const rows = [...a, ...b].sort((x, y) => x.tNs - y.tNs);
    const dev = { profile: 'queue', service: { dist: 'constant', mean_us: 2000 }, channels: 4 };
    const cpu = { clean_page_us: 9.28, clean_page_busy_us: 23.09, syscall_us: 1.44 };
    for (const replay of ['open', 'closed']) {
      let end: unknown;
      const t = tookByTask(rows, { personality: 'linux', pagein: true, device: dev, cpu, replay }, (sim) => (end = (sim as unknown as { kernel: { running: number } }).kernel.running));
      // b's store: its read, 2000 µs (fault_page_us 0 under the queue profile)
      expect(t.get(`b:${b[1]!.line}`), replay).toBeCloseTo(2000, 6);
      // a's msync: 1.44 + 4 × 23.09 of CPU at the busy rate, then its one write of 2000 µs on a free channel
      expect(t.get(`a:${a[a.length - 1]!.line}`), replay).toBeCloseTo(1.44 + 4 * 23.09 + 2000, 6);
      // and once the run is done no task counts as running
      expect(end, replay).toBe(0);
    }
  });
});

describe('measure:cpu statistics', () => {
  it('quantiles interpolate between order statistics', () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75); // h = 3 × 0.25 = 0.75: 1 + 0.75 × (2 − 1)
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(spread([5])).toEqual({ median_us: 5, q1_us: 5, q3_us: 5, reps: 1 });
  });

  it('one msync call\'s spread: the median and p90 of the CPU times of the 8-page scattered calls, the other counts left out', () => {
    // 8-page calls of 10, 20, .. 110 µs (11 calls): h = 10 × 0.5 = 5 → 60; h = 10 × 0.9 = 9 → 100; the 1-page calls do not count
    const calls: Sample[] = [...Array.from({ length: 11 }, (_, i) => ({ metric: 'clean_scattered', n: 8, wallNs: 0, cpuNs: (i + 1) * 10_000 })), { metric: 'clean_scattered', n: 1, wallNs: 0, cpuNs: 5_000_000 }];
    expect(cleanCall(calls)).toEqual({ pages: 8, p50_us: 60, p90_us: 100, count: 11 });
    expect(cleanCall(calls.filter((c) => c.n === 1))).toBeNull();
  });

  it('a batched call costs its time over the calls; a pair counts two calls', () => {
    const s: Sample[] = [{ metric: 'm', n: 200, wallNs: 0, cpuNs: 300_000 }, { metric: 'm', n: 200, wallNs: 0, cpuNs: 500_000 }];
    expect(perCall(s, 'm')).toEqual({ median_us: 2, q1_us: 1.75, q3_us: 2.25, reps: 2 }); // 1.5 and 2.5 µs
    expect(perCall(s, 'm', 'cpuNs', 2).median_us).toBe(1);
  });

  it('a per-page cost is the median of each repetition’s slope over pages', () => {
    // repetition 1: 10 + 2n µs; repetition 2: 4 + 4n µs; repetition 3: 3n µs (n = 1, 3)
    const rows = [[1, 12], [3, 16], [1, 8], [3, 16], [1, 3], [3, 9]];
    const s: Sample[] = rows.map(([n, us]) => ({ metric: 'fault', n: n!, wallNs: us! * 1000, cpuNs: us! * 1000 }));
    const p = perPage(s, 'fault');
    expect(p.median_us).toBeCloseTo(3, 9);
    expect(p.q1_us).toBeCloseTo(2.5, 9);
    expect(p.q3_us).toBeCloseTo(3.5, 9);
    expect(p.reps).toBe(3);
  });

  it('parses the probe output and refuses a malformed line', () => {
    const text = ['page_size,4096,0,0', 'msync_async,2,2000,1000', 'msync_async_range,2,3000,3000', 'mlock_munlock,1,4000,4000',
      'fault,1,2000,2000', 'fault,2,4000,4000', 'wire,1,1000,1000', 'wire,2,1500,1500', 'clean,1,9000,5000', 'clean,2,13000,8000', ''].join('\n');
    const f = cpuFigures(parseSamples(text));
    expect(f.page_size).toBe(4096);
    expect(f.syscall_us.median_us).toBe(0.5);
    expect(f.mlock_munlock_us.median_us).toBe(2);
    expect(f.fault_page_us.median_us).toBeCloseTo(2, 9);
    expect(f.wire_page_us.median_us).toBeCloseTo(0.5, 9);
    expect(f.clean_page_us.median_us).toBeCloseTo(3, 9);
    expect(f.wall.clean_page_us.median_us).toBeCloseTo(4, 9);
    expect(() => parseSamples('fault,x,1,2')).toThrow(/line 1/);
  });
});

describe('cpu.clean_io_us: CPU per write I/O an msync issues', () => {
  // pages 0..3 contiguous (one write) and pages 8 and 10 (a write each): 6 pages, 3 writes
  const rows = () => new TraceBuilder('a').map(0, A, 16 * PS, 'f')
    .op(10, 'write', A, 4 * PS).op(11, 'write', A + 8 * PS, 1).op(12, 'write', A + 10 * PS, 1).op(200, 'msync', A, 16 * PS, 'SYNC').rows;

  it('Linux MS_SYNC: clean_page_us per page plus clean_io_us per write (a device of 0 µs)', () => {
    const t = took(rows(), { personality: 'linux', device: { profile: 'ram' }, cpu: { clean_io_us: 5 } });
    expect(t.get(7)).toBeCloseTo(1.44 + 6 * 9.28 + 3 * 5, 9); // 72.12
  });

  it('FreeBSD and XNU MS_ASYNC: the same per cluster they write', () => {
    for (const personality of ['freebsd', 'xnu']) {
      const r = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(11, 'write', A + 8 * PS, 1).op(200, 'msync', A, 16 * PS, 'ASYNC').rows;
      expect(took(r, { personality, cpu: { clean_io_us: 5 } }).get(6), personality).toBeCloseTo(1.44 + 5 * 9.28 + 2 * 5, 9); // 57.84
    }
  });

  it('defaults to 0, so that profiles without it keep their times', () => {
    expect(resolveConfig({}).cpu.clean_io_us).toBe(0);
    const a = took(rows(), { personality: 'linux', device: { profile: 'ram' } });
    expect(a.get(7)).toBeCloseTo(1.44 + 6 * 9.28, 9);
  });
});

describe('cpu.writeback_call_us: the writeback a Linux msync(MS_SYNC) starts', () => {
  it('is charged once per msync whose range has dirty pages, not for a clean range (a device of 0 µs)', () => {
    const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, 4 * PS).op(200, 'msync', A, 16 * PS, 'SYNC').op(300, 'msync', A, 16 * PS, 'SYNC').rows;
    const t = took(rows, { personality: 'linux', device: { profile: 'ram' }, cpu: { writeback_call_us: 20, clean_io_us: 1 } });
    expect(t.get(5)).toBeCloseTo(1.44 + 20 + 4 * 9.28 + 1, 9); // one write of 4 pages
    expect(t.get(6)).toBeCloseTo(1.44, 9); // nothing dirty: no writeback started
  });

  it('delays the writes: they reach the device after it', () => {
    const rows = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(10, 'write', A, PS).op(200, 'msync', A, 16 * PS, 'SYNC').rows;
    const dev = { profile: 'ram', write_latency: { dist: 'constant', mean_us: 50 } };
    const without = took(rows, { personality: 'linux', device: dev }).get(5)!;
    const withIt = took(rows, { personality: 'linux', device: dev, cpu: { writeback_call_us: 20 } }).get(5)!;
    expect(withIt - without).toBeCloseTo(20, 9);
  });
});
