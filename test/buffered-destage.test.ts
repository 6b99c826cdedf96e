/**
 * The session's destage fitted through the model to the buffered probe
 * (scripts/validate/buffered-destage.ts): the replay's trace, the analytic
 * cost of a destage a write, and the fit's target, bounds and determinism.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BUFFERED_REPLAY_ROUNDS, bufferedDestageFrom, bufferedProbeTrace, fitBufferedDestage, predictBufferedProbe, probePathCpu, solveIncreasing } from '../scripts/validate/buffered-destage.ts';
import { Flag } from '../traces/types.ts';

/** A virtual disk without spread: constant latencies, a FLUSH of 100 µs plus `mwu` a write destaged on it. */
const disk = (mwu: number) => ({
  device: {
    profile: 'sata-ssd', channels: 8, write_cache: true, flush_us: 100, flush_empty_us: 40, flush_cv: 0, destage: 'on_flush', media_write_us: mwu,
    write_latency: { dist: 'constant', mean_us: 20 }, read_latency: { dist: 'constant', mean_us: 50 },
  },
  fs: { kind: 'ext4-nojournal' },
});
const MiB = 1 << 20;

describe('the replay of the buffered probe', () => {
  it('maps the data file, then each round stores to `writes` pages inside it and msyncs the whole file, SYNC', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1000 }), (pages, writes, rounds, seed) => {
      const rows = bufferedProbeTrace(pages * 4096, writes, rounds, 4096, seed);
      const map = rows[0]!;
      expect(map).toMatchObject({ op: 'map', len: pages * 4096 });
      expect(rows).toHaveLength(1 + rounds * (writes + 1));
      for (let r = 0; r < rounds; r++) {
        const round = rows.slice(1 + r * (writes + 1), 1 + (r + 1) * (writes + 1));
        for (const w of round.slice(0, writes)) {
          expect(w.op).toBe('write');
          expect(w.len).toBe(4096);
          expect((w.addr - map.addr) % 4096).toBe(0);
          expect(w.addr >= map.addr && w.addr < map.addr + pages * 4096).toBe(true);
        }
        expect(round[writes]).toMatchObject({ op: 'msync', addr: map.addr, len: pages * 4096, flags: Flag.SYNC });
      }
      // the same seed, the same pages
      expect(bufferedProbeTrace(pages * 4096, writes, rounds, 4096, seed)).toEqual(rows);
    }), { numRuns: 50 });
  });

  it('scatters the stores over the whole file', () => {
    const rows = bufferedProbeTrace(64 * MiB, 32, 100, 4096, 1).filter((r) => r.op === 'write');
    const pages = new Set(rows.map((r) => (r.addr - 0x10000000) / 4096));
    expect(pages.size).toBeGreaterThan(2750); // 3200 uniform stores over 16384 pages: 16384 (1 − e^(−3200/16384)) ≈ 2906 distinct expected
    expect(Math.max(...pages)).toBeGreaterThan(16384 * 0.95);
    expect(Math.min(...pages)).toBeLessThan(16384 * 0.05);
  });

  it('a destage of d µs a write adds 31 d to what 32 writes add over one (the model\'s FLUSH pays each write it destages)', () => {
    const base = predictBufferedProbe(disk(0), 16 * MiB, 50);
    for (const d of [5, 12.5]) {
      const p = predictBufferedProbe(disk(d), 16 * MiB, 50);
      expect(p.increment_us - base.increment_us).toBeCloseTo(31 * d, 6);
    }
    expect(base.increment_us).toBeGreaterThan(0);
  });

  it('charged the write() path\'s CPU a page (probePathCpu), its write included: each of the 31 more pages costs what that saves on the mapping\'s cleaning and write less, and the fit takes it up', () => {
    const withCpu = (mwu: number) => ({ ...disk(mwu), cpu: { clean_page_us: 6, clean_page_busy_us: 20, clean_io_us: 0.8 } });
    expect(probePathCpu(withCpu(3), undefined)).toEqual(withCpu(3)); // no figure: as it is
    expect(probePathCpu(withCpu(3), Number.NaN)).toEqual(withCpu(3));
    const path = probePathCpu(withCpu(3), 1.5);
    // the figure's pages were a write each: it holds the write's issue too, so clean_io_us is not charged again
    expect(path).toEqual({ ...withCpu(3), cpu: { clean_page_us: 1.5, clean_page_busy_us: 1.5, clean_io_us: 0 } });
    expect(withCpu(3).cpu.clean_page_us).toBe(6); // the config given is not changed
    // one CPU writes the scattered pages back one after another, each its own write: 31 pages more, 6 + 0.8 − 1.5 = 5.3 µs less each
    const mapping = predictBufferedProbe(withCpu(3), 16 * MiB, 50), written = predictBufferedProbe(path, 16 * MiB, 50);
    expect(mapping.increment_us - written.increment_us).toBeCloseTo(31 * 5.3, 6);
    // so the destage fitted to one increment is 5.3 µs a write higher with the probe's own CPU (to the fit's 0.5 µs / 31 and 0.01 steps)
    const target = mapping.increment_us;
    const a = fitBufferedDestage(withCpu(3), 16 * MiB, target, 'o_direct', 50), b = fitBufferedDestage(path, 16 * MiB, target, 'o_direct', 50);
    expect(a.media_write_us).toBeCloseTo(3, 1);
    expect(Math.abs(b.media_write_us - a.media_write_us - 5.3)).toBeLessThan(2 * (0.5 / 31 + 0.01));
  });
});

describe('the search for the value (solveIncreasing)', () => {
  const opts = { tol: 0.5, xtol: 0.005, maxHi: 1e4, iterations: 60 };
  it('on a continuous increasing curve: within the tolerance, the target bracketed, in a few evaluations', () => {
    fc.assert(fc.property(fc.double({ min: 0.5, max: 50, noNaN: true }), fc.double({ min: 0, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 1, max: 200, noNaN: true }), (a, b, c, x0) => {
      const f = (x: number) => c + a * x + b * x ** 3;
      const s = solveIncreasing(f, f(x0), 0, 60, opts);
      expect(s.bracketed).toBe(true);
      // within the tolerance, or within the bracket's last width of the root where f is steep
      expect(Math.abs(s.value - f(x0)) <= 0.5 || Math.abs(s.x - x0) <= 0.005).toBe(true);
      expect(s.value).toBeCloseTo(f(s.x), 9);
      expect(s.evaluations).toBeLessThan(40);
    }), { numRuns: 200 });
  });

  it('returns the best point it evaluated, not the last, and stops when a jump across the target leaves nothing nearer', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 30, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true }), fc.double({ min: 1, max: 100, noNaN: true }), (step, width, target) => {
      const seen: { x: number; err: number }[] = [];
      // a staircase: what a median of a replay does as its parameter moves
      const f = (x: number) => {
        const y = step * Math.floor(x / width);
        seen.push({ x, err: Math.abs(y - target) });
        return y;
      };
      const s = solveIncreasing(f, target, 0, 10, opts);
      expect(s.bracketed).toBe(true);
      expect(Math.abs(s.value - target)).toBe(Math.min(...seen.map((e) => e.err)));
      expect(s.evaluations).toBe(seen.length);
      // a jump across the target ends the search once the bracket is narrower than xtol, long before the iterations run out
      expect(s.evaluations).toBeLessThan(35);
      // nothing in reach is nearer than the stair it kept, give or take the last bracket's width
      const nearest = Math.min(Math.abs(step * Math.floor(target / step) - target), Math.abs(step * Math.ceil(target / step) - target));
      expect(Math.abs(s.value - target)).toBeLessThanOrEqual(Math.max(nearest, 0.5) + 1e-9);
    }), { numRuns: 200 });
  });

  it('not bracketed when the target is below f at the start or beyond the largest value allowed: the nearest end', () => {
    expect(solveIncreasing((x) => 100 + x, 50, 0, 10, opts)).toEqual({ x: 0, value: 100, bracketed: false, evaluations: 1 });
    expect(solveIncreasing((x) => 100 + x, 99.7, 0, 10, opts)).toEqual({ x: 0, value: 100, bracketed: true, evaluations: 1 }); // f(0) within the tolerance above
    expect(solveIncreasing((x) => 100 + x, 100.3, 0, 10, opts)).toMatchObject({ bracketed: true });
    const far = solveIncreasing((x) => x, 1e6, 0, 10, opts);
    expect(far).toMatchObject({ x: 1e4, value: 1e4, bracketed: false });
    // the largest value allowed within the tolerance below the target: bracketed
    expect(solveIncreasing((x) => x, 1e4 + 0.3, 0, 10, opts)).toMatchObject({ x: 1e4, bracketed: true });
    // a bad range or a function that is not a number is refused, not looped on
    expect(() => solveIncreasing((x) => x, 5, 0, 0, opts)).toThrow(/lo < hi/);
    expect(() => solveIncreasing((x) => x, 5, 0, 5e4, opts)).toThrow(/maxHi/);
    expect(() => solveIncreasing(() => NaN, 5, 0, 10, opts)).toThrow(/not a finite number/);
    // the upper bound doubles until it brackets the target
    const doubled = solveIncreasing((x) => x, 700, 0, 10, opts);
    expect(doubled.bracketed).toBe(true);
    expect(Math.abs(doubled.value - 700)).toBeLessThanOrEqual(0.5);
  });
});

describe('the fit of media_write_us to the buffered probes', () => {
  it('finds the value whose replay adds what the probes measured, deterministically', () => {
    const at = (d: number) => predictBufferedProbe(disk(d), 16 * MiB, 50).increment_us;
    const target = at(7.25);
    const fit = fitBufferedDestage(disk(20), 16 * MiB, target, 'o_direct', 50);
    expect(fit.reached).toBe(true);
    expect(Math.abs(fit.media_write_us - 7.25)).toBeLessThan(0.5 / 31 + 0.01);
    expect(Math.abs(fit.simulated_increment_us - target)).toBeLessThanOrEqual(0.5);
    expect(fit).toMatchObject({ before_media_write_us: 20, before_from: 'o_direct', measured_increment_us: Math.round(target * 100) / 100 });
    expect(fit.before_increment_us).toBeCloseTo(at(20), 1);
    // the increment reported is the stored value's
    expect(fit.simulated_increment_us).toBeCloseTo(at(fit.media_write_us), 1);
    expect(fitBufferedDestage(disk(20), 16 * MiB, target, 'o_direct', 50)).toEqual(fit);
  });

  it('keeps the nearest bound, said unreached, when no value reaches the probes: 0 below the replay\'s least, the upper bound above its most', () => {
    const least = predictBufferedProbe(disk(0), 16 * MiB, 50).increment_us;
    const low = fitBufferedDestage(disk(10), 16 * MiB, least / 2, 'calibration', 50);
    expect(low).toMatchObject({ media_write_us: 0, reached: false });
    expect(low.simulated_increment_us).toBeCloseTo(least, 1);
    const high = fitBufferedDestage(disk(10), 16 * MiB, least + 31 * 20_000, 'calibration', 50);
    expect(high).toMatchObject({ media_write_us: 10_000, reached: false }); // the largest value tried
    // a target past the first bound, max(4 × 10, 10 + 50), is still reached
    const at200 = predictBufferedProbe(disk(200), 16 * MiB, 50).increment_us;
    const far = fitBufferedDestage(disk(10), 16 * MiB, at200, 'calibration', 50);
    expect(far.reached).toBe(true);
    expect(far.media_write_us).toBeCloseTo(200, 1);
  });

  it('says where the value came from: the probes, the replay, and the value it replaced', () => {
    const fit = { media_write_us: 9.97, before_media_write_us: 12.7, before_from: 'o_direct' as const, before_increment_us: 799.04, measured_increment_us: 719.19, simulated_increment_us: 718.82, reached: true };
    const s = { probes: 9, writes: 32, one_us: 150.53, n_us: 869.72, increment_us: 719.19, direct_increment_us: 487.95 };
    expect(bufferedDestageFrom(fit, s, 256 * MiB)).toBe(
      'session FLUSH probes: fitted through the model to fdatasync after 32 random 4 KiB buffered writes over the 256 MiB data file less after one (719.19 µs, the mean over 9 probes): '
      + `the replay of that probe with this profile (32 stores and an msync of the whole file against one, through a mapping as the jobs store, ${BUFFERED_REPLAY_ROUNDS} msyncs each, medians) adds 718.82 µs; `
      + 'with 12.7 µs a write (the calibration\'s destage scaled by the O_DIRECT part) it added 799.04 µs');
    expect(bufferedDestageFrom({ ...fit, before_from: 'calibration' }, s, 256 * MiB)).toMatch(/with 12\.7 µs a write \(the calibration's destage\) it added 799\.04 µs$/);
    expect(bufferedDestageFrom({ ...fit, reached: false }, s, 256 * MiB)).toContain('adds 718.82 µs (the nearest it comes); ');
    // with the write() path's CPU a page the replay charged
    expect(bufferedDestageFrom(fit, s, 256 * MiB, 1.6161)).toContain(`through a mapping as the jobs store, each page charged the CPU of the probe's write() path, 1.62 µs with its write, not the mapping's cleaning, ${BUFFERED_REPLAY_ROUNDS} msyncs each, medians) adds 718.82 µs; `);
  });
});
