/**
 * cpu.cv — the spread of an msync call's CPU time: one factor of mean 1,
 * drawn from a lognormal when the call begins, multiplies every CPU time of
 * that call (sim/simulator.ts, sim/replay/task.ts); 0 draws nothing.
 */
import { describe, expect, it } from 'vitest';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;
const PAGES = 8;

/** `n` msyncs 20 ms apart, each after stores to 8 scattered pages (one write each): nothing of one msync overlaps the next. */
function trace(n: number) {
  const b = new TraceBuilder().map(0, A, 64 * PS, 'f');
  for (let i = 0; i < n; i++) {
    const t = 1000 + i * 20_000;
    for (let p = 0; p < PAGES; p++) b.op(t + p, 'write', A + 2 * p * PS, 8);
    b.op(t + 100, 'msync', A, 64 * PS, 'SYNC');
  }
  return b.rows;
}

/** Device times constant (one channel, 20 µs a command), CPU 2 µs a call + 9 µs a page: an msync's CPU is 2 + 8 × 9 = 74 µs. */
const CPU_US = 2 + PAGES * 9;
const config = (cpu: Record<string, number>, seed = 7) => ({
  personality: 'linux', replay: 'open', seed,
  device: { profile: 'queue', channels: 1, service: { dist: 'constant', mean_us: 20 } },
  cpu: { syscall_us: 2, clean_page_us: 9, clean_page_busy_us: 9, fault_page_us: 1, ...cpu },
});
const msyncUs = (rows: ReturnType<typeof trace>, cpu: Record<string, number>, seed = 7) =>
  simulate(rows, config(cpu, seed)).syncs.map((s) => (s.tDoneNs - s.tIssueNs) / 1000);

describe('cpu.cv', () => {
  const rows = trace(400);

  it('0 (the default) draws nothing: every msync takes the same time, as without the key', () => {
    const none = msyncUs(rows, {});
    expect(msyncUs(rows, { cv: 0 })).toEqual(none);
    expect(new Set(none).size).toBe(1);
  });

  it('multiplies each msync\'s CPU time by its own factor of mean 1 and the given cv; the device time stays', () => {
    const base = msyncUs(rows, {})[0]!;
    const deviceUs = base - CPU_US;
    const f = msyncUs(rows, { cv: 0.5 }).map((l) => (l - deviceUs) / CPU_US);
    const mean = f.reduce((a, b) => a + b, 0) / f.length;
    const sd = Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / (f.length - 1));
    expect(f.every((x) => x > 0)).toBe(true);
    // 400 draws of a lognormal of cv 0.5: the mean's standard error is 0.025
    expect(Math.abs(mean - 1)).toBeLessThan(0.1);
    expect(sd / mean).toBeGreaterThan(0.35);
    expect(sd / mean).toBeLessThan(0.65);
  });

  it('leaves the stores\' CPU alone: the writes reach the device at the same times, whatever the msyncs drew', () => {
    const times = (cpu: Record<string, number>) => simulate(rows, config(cpu)).ops.filter((o) => o.row.op === 'write').map((o) => o.tDoneNs - o.tIssueNs);
    const spread = times({ cv: 0.5 });
    expect(spread).toHaveLength(400 * PAGES);
    // the first store to each page faults it in (cpu.fault_page_us 1 µs): stores that spend CPU are among those compared
    expect(spread.filter((ns) => ns > 0).length).toBeGreaterThanOrEqual(PAGES);
    expect(spread).toEqual(times({}));
  });

  it('is deterministic for a seed, and another seed draws other factors', () => {
    expect(msyncUs(rows, { cv: 0.3 }, 11)).toEqual(msyncUs(rows, { cv: 0.3 }, 11));
    expect(msyncUs(rows, { cv: 0.3 }, 12)).not.toEqual(msyncUs(rows, { cv: 0.3 }, 11));
  });

  it('is refused outside 0 .. 100', () => {
    expect(() => simulate(rows.slice(0, 3), config({ cv: -0.1 }))).toThrow(/cpu\.cv/);
    expect(() => simulate(rows.slice(0, 3), config({ cv: 101 }))).toThrow(/cpu\.cv/);
  });
});
