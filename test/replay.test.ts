/**
 * Replay: closed replay keeps think time and delays a task behind its
 * blocking ops; open replay issues everything at its trace time; the
 * timeline samples the state in force; warm-up excludes early msyncs.
 */
import { describe, expect, it } from 'vitest';
import { simulate, TraceBuilder } from './helpers.ts';

const PS = 4096;
const A = 0x10000000;

function issueOf(o: ReturnType<typeof simulate>, line: number): number {
  return o.ops.find((r) => r.row.line === line)!.tIssueNs;
}
function doneOf(o: ReturnType<typeof simulate>, line: number): number {
  return o.ops.find((r) => r.row.line === line)!.tDoneNs;
}

describe('replay', () => {
  // lines: 3 map, 4 write (t=5), 5 msync SYNC (t=10, 1 page, 100 µs), 6 write (t=20), 7 write by task b (t=20)
  const rows = () => new TraceBuilder('a')
    .map(0, A, 16 * PS, 'f')
    .op(5, 'write', A, PS)
    .op(10, 'msync', A, PS, 'SYNC')
    .op(20, 'write', A + PS, PS)
    .map(20, A, 16 * PS, 'f', 0, '', 'b')
    .rows;

  it('closed: a blocking msync delays the task; the gap to the next op is kept as think time', () => {
    const o = simulate(rows());
    expect(issueOf(o, 5)).toBe(10_000);
    expect(doneOf(o, 5)).toBe(110_000); // one 100 µs I/O
    expect(issueOf(o, 6)).toBe(120_000); // done 110 + (20 - 10) think time
    expect(issueOf(o, 7)).toBe(20_000); // another task is not delayed
  });

  it('open: every op is issued at its trace time', () => {
    const o = simulate(rows(), { replay: 'open' });
    expect(issueOf(o, 5)).toBe(10_000);
    expect(doneOf(o, 5)).toBe(110_000);
    expect(issueOf(o, 6)).toBe(20_000);
  });

  it('closed: a store to a page under writeback blocks the writer until the I/O completes', () => {
    const b = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(1, 'write', A, PS).op(2, 'msync', A, PS, 'ASYNC').op(3, 'write', A, 10).op(4, 'write', A + 2 * PS, 10);
    const o = simulate(b.rows);
    // ASYNC returns at once; the I/O runs 2..102 µs
    expect(doneOf(o, 5)).toBe(2_000);
    expect(issueOf(o, 6)).toBe(3_000);
    expect(doneOf(o, 6)).toBe(102_000);
    expect(issueOf(o, 7)).toBe(103_000);
    // the page is dirty again after the blocked store
    expect(o.sim.kernel.vm.objects.get('f')!.state(0) & 2).toBe(2);
  });

  it('open: a blocked store does not hold back the task\'s later ops', () => {
    const b = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(1, 'write', A, PS).op(2, 'msync', A, PS, 'ASYNC').op(3, 'write', A, 10).op(4, 'write', A + 2 * PS, 10);
    const o = simulate(b.rows, { replay: 'open' });
    expect(doneOf(o, 6)).toBe(102_000);
    expect(issueOf(o, 7)).toBe(4_000);
    expect(doneOf(o, 7)).toBe(4_000);
  });

  it('closed replay stays exact when a lagging task buffers more rows than the reader keeps (reader pauses)', () => {
    const b = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(0, 'write', A, PS).op(0, 'msync', A, PS, 'SYNC');
    const N = 150_000;
    for (let i = 1; i <= N; i++) b.op(i, 'write', A + (i % 8) * PS + 8, 8);
    const o = simulate(b.rows, { device: { service: { dist: 'constant', mean_us: 1_000_000 } } }, 5000);
    // the msync takes 1 s, so every later write is issued exactly 1 s after its trace time
    for (const row of [b.rows[5], b.rows[70_000], b.rows[b.rows.length - 1]]) expect(issueOf(o, row.line)).toBe(row.tNs + 1_000_000_000);
    expect(o.result.ops.write).toBe(N + 1);
  });

  it('the timeline samples the state in force at each multiple of stats.sample_us', () => {
    const b = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(0, 'write', A, 2 * PS).op(10, 'msync', A, 2 * PS, 'SYNC').op(10, 'wire', A + 8 * PS, PS, 'USER');
    const o = simulate(b.rows, { stats: { sample_us: 50, warmup_us: 0 } });
    // I/O of 2 pages runs 10..110 µs, then the wire at 110; the last row is the run's end, after the wire faulted its page in
    expect(o.timeline.map((r) => [r.tNs / 1000, r.dirtyPages, r.writebackPages, r.wiredPages, r.residentPages, r.queueDepth])).toEqual([
      [0, 2, 0, 0, 2, 0],
      [50, 0, 2, 0, 2, 1],
      [100, 0, 2, 0, 2, 1],
      [110, 0, 0, 1, 3, 0],
    ]);
    expect(o.result.sim_time_us).toBe(110);
    expect(o.result.wire.peak_wired_pages).toBe(1);
  });

  it('warm-up leaves early msyncs out of the latency statistics but counts them', () => {
    const b = new TraceBuilder('a').map(0, A, 16 * PS, 'f')
      .op(0, 'write', A, PS).op(0, 'msync', A, PS, 'SYNC') // 100 µs, before warm-up
      .op(500, 'write', A, 3 * PS).op(500, 'msync', A, 3 * PS, 'SYNC'); // issued at 600 after think time: one 3-page I/O
    const o = simulate(b.rows, { stats: { sample_us: 1000, warmup_us: 200 }, device: { per_page_us: 10 } });
    expect(o.result.sync.count).toBe(2);
    expect(o.result.sync.ok).toBe(2);
    expect(o.result.sync.latency_us).toEqual({ mean: 130, p50: 130, p90: 130, p99: 130, p999: 130, max: 130 });
  });

  it('cpu costs: syscall_us per call and per_page_us per page faulted', () => {
    const b = new TraceBuilder('a').map(0, A, 16 * PS, 'f').op(1, 'write', A, 4 * PS).op(1, 'write', A, 4 * PS).op(1, 'msync', A, 4 * PS, 'ASYNC');
    const o = simulate(b.rows, { cpu: { syscall_us: 3, per_page_us: 2 } });
    // map: 3 µs syscall (0..3); first write faults 4 pages: 8 µs; the second faults none
    expect(doneOf(o, 3)).toBe(3_000);
    expect(issueOf(o, 4)).toBe(4_000); // lag 2 µs after the map: 1 + 3
    expect(doneOf(o, 4)).toBe(12_000);
    expect(doneOf(o, 5)).toBe(12_000);
    // msync ASYNC: 3 µs syscall + 4 pages cleaned × 2 µs
    expect(doneOf(o, 6) - issueOf(o, 6)).toBe(11_000);
  });
});

describe('deadlocks', () => {
  it('a run that ends with an op asleep forever is an error naming its line', () => {
    // FreeBSD munmap waits for system wirings to be released; none ever is
    const b = new TraceBuilder('a').map(0, A, 4 * PS, 'f').op(1, 'wire', A, PS, 'SYSTEM').op(2, 'unmap', A, 4 * PS).op(3, 'write', A, 8);
    expect(() => simulate(b.rows)).toThrow(/^1 op\(s\) never completed: this 'unmap' of task 'a' waits forever/);
    try {
      simulate(b.rows);
    } catch (e) {
      expect((e as { line: number }).line).toBe(5);
    }
  });
});
