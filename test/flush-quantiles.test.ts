/**
 * device.flush_quantiles, the FLUSH's spread as measured: the sampler that
 * draws from a quantile table (sim/device/service.ts), the FLUSH that uses
 * it (sim/device/make.ts, media.ts), and how calibration fits the table and
 * takes the host's share out of it (scripts/validate/flush-quantiles.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeSampler, quantileSampler } from '../sim/device/service.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { resolveConfig } from '../sim/config.ts';
import { ConfigError } from '../sim/config-error.ts';
import { evenQuantiles, FLUSH_QUANTILES, FLUSH_QUANTILES_MAX, flushQuantiles, hostFactorQuantiles, ownQuantiles, quantilesText, tableMedian, tablePoints } from '../scripts/validate/flush-quantiles.ts';
import { flushLevelKeys } from '../scripts/validate/flush-level.ts';
import { requireFiniteFit, type fitFlushLevel } from '../scripts/validate/calibration-fit.ts';
import { InputError } from '../scripts/errors.ts';
import type { FioLatency } from '../scripts/validate/fio.ts';
import { quantileOfSorted } from '../scripts/measure/cpu-fit.ts';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;

describe('quantileSampler', () => {
  it('interpolates between the points around a uniform draw, clamped to the first and last', () => {
    // two points at p25 and p75: below u = 0.25 the first, above 0.75 the last, linear between
    const draws: number[] = [];
    const rng = new RandomStream(3, 'test.quantiles');
    const s = quantileSampler([10, 20], rng);
    for (let i = 0; i < 20_000; i++) draws.push(s());
    draws.sort((a, b) => a - b);
    expect(draws[0]).toBe(10);
    expect(draws.at(-1)).toBe(20);
    expect(draws.filter((x) => x === 10).length / draws.length).toBeCloseTo(0.25, 1);
    expect(draws.filter((x) => x === 20).length / draws.length).toBeCloseTo(0.25, 1);
    expect(quantileOfSorted(draws, 0.5)).toBeCloseTo(15, 0);
    expect(quantileSampler([7], rng)()).toBe(7);
    expect(() => quantileSampler([], rng)).toThrow(/at least one point/);
  });

  it('the draws have the table\'s quantiles and mean (property, any ascending table)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 40 }), fc.nat(1000), (xs, seed) => {
      const q = [...xs].sort((a, b) => a - b);
      const s = quantileSampler(q, new RandomStream(seed, 'test.quantiles'));
      const draws = Array.from({ length: 4000 }, () => s()).sort((a, b) => a - b);
      expect(draws[0]!).toBeGreaterThanOrEqual(q[0]!);
      expect(draws.at(-1)!).toBeLessThanOrEqual(q.at(-1)!);
      // each point is the draws' quantile at its own probability (i + ½) / n: below it lie at most that share
      // of the draws, at or below it at least that share (within the sampling error of 4000 draws)
      for (let i = 0; i < q.length; i++) {
        const p = (i + 0.5) / q.length;
        expect(draws.filter((x) => x < q[i]!).length / draws.length).toBeLessThan(p + 0.04);
        expect(draws.filter((x) => x <= q[i]!).length / draws.length).toBeGreaterThan(p - 0.04);
      }
    }), { numRuns: 40 });
  });

  it('the same seed gives the same draws', () => {
    const a = quantileSampler([1, 2, 5], new RandomStream(9, 'x')), b = quantileSampler([1, 2, 5], new RandomStream(9, 'x'));
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
  });
});

/** msyncs 20 ms apart, each after a store to one page: its write (and the inode block's when the timestamp moved), one FLUSH each. */
function msyncUs(device: Record<string, unknown>, n = 400): number[] {
  const b = new TraceBuilder().map(0, A, 64 * PS, 'f');
  for (let i = 0; i < n; i++) {
    const t = 1000 + i * 20_000;
    b.op(t, 'write', A, 8);
    b.op(t + 100, 'msync', A, 64 * PS, 'SYNC');
  }
  const o = simulate(b.rows, {
    personality: 'linux', replay: 'open', pagein: false, seed: 5, fs: { kind: 'ext4-nojournal' }, cpu: { syscall_us: 0, clean_page_us: 0, fault_page_us: 0 },
    device: { profile: 'sata-ssd', write_latency: { dist: 'constant', mean_us: 10 }, write_cache: true, destage: 'on_flush', media_write_us: 0, flush_us: 100, flush_empty_us: 100, ...device },
  });
  return o.syncs.map((s) => (s.tDoneNs - s.tIssueNs) / 1000);
}

describe('device.flush_quantiles in a run', () => {
  it('each FLUSH\'s fixed cost is flush_us times a factor drawn from the table, instead of from flush_cv', () => {
    const plain = msyncUs({});
    const fixed = msyncUs({ flush_quantiles: [2] });
    // a table of one point: every FLUSH costs twice flush_us (the rest of each msync unchanged)
    for (let i = 0; i < plain.length; i++) expect(fixed[i]! - plain[i]!).toBeCloseTo(100, 2);
    // a table replaces flush_cv's lognormal: the FLUSH's spread is the table's, whatever flush_cv says
    const table = msyncUs({ flush_quantiles: [0.5, 1.5], flush_cv: 3 }).map((x, i) => x - plain[i]! + 100);
    expect(Math.min(...table)).toBeGreaterThanOrEqual(50 - 1e-6);
    expect(Math.max(...table)).toBeLessThanOrEqual(150 + 1e-6);
    expect(new Set(table.map((x) => x.toFixed(3))).size).toBeGreaterThan(100);
  });

  it('draws nothing under flush_cv_scope host, where the spread is the host\'s', () => {
    expect(msyncUs({ flush_quantiles: [2], flush_cv_scope: 'host' })).toEqual(msyncUs({ flush_cv_scope: 'host' }));
  });

  it('the configuration refuses a table with a negative point, too many points or points out of order, naming the key', () => {
    expect(() => resolveConfig({ device: { flush_quantiles: [1, -1] } })).toThrow(ConfigError);
    expect(() => resolveConfig({ device: { flush_quantiles: [1, -1] } })).toThrow(/device\.flush_quantiles/);
    expect(() => resolveConfig({ device: { flush_quantiles: [1, 2e6] } })).toThrow(/device\.flush_quantiles/);
    expect(() => resolveConfig({ device: { flush_quantiles: new Array(10_001).fill(1) } })).toThrow(/device\.flush_quantiles/);
    expect(() => resolveConfig({ device: { flush_quantiles: [0.9, 1.2, 1.1] } })).toThrow(/device\.flush_quantiles.*must be ascending \(point 2, 1\.1, is below the one before it, 1\.2\)/);
    expect(resolveConfig({ device: { flush_quantiles: [0.9, 0.9, 1.1] } }).device.flush_quantiles).toEqual([0.9, 0.9, 1.1]); // ties: rounded tables have them
    expect(resolveConfig({}).device.flush_quantiles).toEqual([]);
  });
});

describe('the table calibration fits', () => {
  const rng = new RandomStream(11, 'test.level');
  // a FLUSH level with a tight body and rare stalls: 97 % near 100 µs, 3 % at 300-1300 µs
  const level = Array.from({ length: 20_000 }, () => (rng.uniform() < 0.97 ? 95 + 10 * rng.uniform() : 300 + 1000 * rng.uniform()));

  it('holds the level\'s quantiles less one write\'s destage, over flush_us', () => {
    // flush_us 90 and a destage of 14 µs a write: flush_us × the factor + 14 is the level's quantile
    const q = flushQuantiles(level, level.length, 90, 14);
    expect(q).toHaveLength(2000); // one point for every ten fdatasyncs, at most 2000
    const even = evenQuantiles(level, 2000);
    for (let i = 0; i < q.length; i += 37) expect(q[i]! * 90 + 14).toBeCloseTo(even[i]!, 1);
    expect([...q].sort((a, b) => a - b)).toEqual(q);
    // fewer fdatasyncs timed than the table's points (whatever the pool standing for them), or no flush_us: no table
    expect(flushQuantiles(level, FLUSH_QUANTILES - 1, 90, 14)).toEqual([]);
    expect(flushQuantiles(level, level.length, 0, 14)).toEqual([]);
  });

  // a quick calibration on a busy machine (npm test, 2026-12-05): most fdatasyncs after one write took no longer than the
  // destage one write adds (fitted from the flush-N steps), while the level's mean, above it, left flush_us positive
  const busy = Array.from({ length: 2000 }, (_, i) => (i % 5 < 3 ? 20 + (i % 7) : 300 + (i % 11)));
  const busyLevel: FioLatency = { count: busy.length, mean_us: busy.reduce((a, b) => a + b, 0) / busy.length, stddev_us: 130, p50_us: 23, p90_us: 309, p99_us: 310 };

  it('is none when half the fdatasyncs took no longer than one write\'s destage: the table\'s median would be 0', () => {
    // the median fdatasync 23 µs, less a destage of 40 µs: 0
    expect(flushQuantiles(busy, busy.length, 100, 40)).toEqual([]);
    // a destage below the median: a table, with a positive median
    const q = flushQuantiles(busy, busy.length, 100, 10);
    expect(q).toHaveLength(tablePoints(busy.length));
    expect(tableMedian(q)).toBeGreaterThan(0);
  });

  it('leaves the empty FLUSH a finite price when there is no table for it (was Infinity: a profile the config refused)', () => {
    const fit = {
      flush: { write_cache: true, flush_us: 100 },
      destage: { destage: 'on_flush', slope_us_per_write: 40 },
      destage_rate: null,
    } as unknown as ReturnType<typeof fitFlushLevel>;
    const empty: FioLatency = { count: 100, mean_us: 50, stddev_us: 5, p50_us: 48, p90_us: 55, p99_us: 60 };
    const keys = flushLevelKeys(fit, busyLevel, empty, 'flush', busy);
    expect(keys.device.flush_quantiles).toEqual([]);
    expect(Number.isFinite(keys.device.flush_empty_us)).toBe(true);
    expect(keys.device.flush_empty_us).toBeGreaterThan(0);
    expect(keys.fitted['device.flush_quantiles']!.from).toContain("no longer than one write's destage (40 µs)");
    // the profile these keys go into is one the configuration accepts
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', ...keys.device } })).not.toThrow();
  });

  it('calibration writes no profile with a number that is not finite: exit 2, naming the key and what it was fitted from', () => {
    const fitted = { 'device.flush_empty_us': { from: 'flush-empty: its median over the table\'s median' }, 'device.flush_quantiles': { from: 'flush: 500 quantiles' } };
    expect(() => requireFiniteFit({ device: { flush_us: 61.1, flush_empty_us: 48, flush_quantiles: [0.9, 1, 1.2] }, readahead: { pages: 2048 } }, fitted)).not.toThrow();
    const inf = () => requireFiniteFit({ device: { flush_us: 61.1, flush_empty_us: Infinity } }, fitted);
    expect(inf).toThrow(InputError);
    expect(inf).toThrow("calibrate: device.flush_empty_us came out Infinity (flush-empty: its median over the table's median): the measurements were too noisy to fit it; nothing was written; run the calibration again on a quieter machine");
    expect(() => requireFiniteFit({ device: { flush_quantiles: [0.9, NaN] } }, fitted)).toThrow('calibrate: device.flush_quantiles[1] came out NaN (flush: 500 quantiles): ');
  });

  it('has one point for every ten fdatasyncs timed, from 500 to 2000: five of them lie past its last point', () => {
    expect(tablePoints(FLUSH_QUANTILES)).toBe(500);
    expect(tablePoints(4999)).toBe(500);
    expect(tablePoints(10_000)).toBe(1000);
    expect(tablePoints(10_979)).toBe(1097);
    expect(tablePoints(27_361)).toBe(2000);
    expect(tablePoints(1e9)).toBe(FLUSH_QUANTILES_MAX);
    expect(flushQuantiles(level.slice(0, 12_345), 12_345, 90, 0)).toHaveLength(1234);
  });

  it('reaches stalls rarer than the p99.9: FLUSHes drawn from it are that slow about as often as measured', () => {
    // a body near 100 µs and 15 stalls of 2000-3000 µs among 30,000 fdatasyncs (0.05 %; the host's FLUSH stalls come in
    // spells: 1.0-16.6 ms in 28 of 12,285 traced msyncs on 2026-12-05); a table of 500 points ends at the p99.9, in the body
    const r = new RandomStream(5, 'test.stalls');
    const us = [...Array.from({ length: 29_985 }, () => 90 + 20 * r.uniform()), ...Array.from({ length: 15 }, () => 2000 + 1000 * r.uniform())];
    const measuredSlow = 15 / 30_000;
    const slowShare = (table: readonly number[]) => {
      const draw = quantileSampler(table, new RandomStream(6, 'test.stalls.draw'));
      let slow = 0;
      for (let i = 0; i < 400_000; i++) if (draw() * 100 > 1000) slow++;
      return slow / 400_000;
    };
    const q = flushQuantiles(us, us.length, 100, 0);
    expect(q).toHaveLength(2000);
    // its last point is a stall, and at least five fdatasyncs lie past it
    expect(q.at(-1)! * 100).toBeGreaterThan(2000);
    expect(us.filter((x) => x > q.at(-1)! * 100).length).toBeGreaterThanOrEqual(5);
    // the share of draws past 1 ms is the measured one's order: the last few points set it (between the body's last
    // point and the first stall's the draws interpolate across the gap), so within 0.5-2.5 times, whatever the values
    expect(slowShare(q)).toBeGreaterThan(measuredSlow * 0.5);
    expect(slowShare(q)).toBeLessThan(measuredSlow * 2.5);
    // 500 points: none
    const short = evenQuantiles(us, 500).map((x) => x / 100);
    expect(short.at(-1)! * 100).toBeLessThan(200);
    expect(slowShare(short)).toBe(0);
  });

  it('the FLUSH\'s own share, times the host\'s factor drawn independently, has the quantiles measured', () => {
    // a FLUSH measured as a body with stalls times a host's factor (cv 0.144 above a floor of 0.927, as a session of 2026-12-04 fitted)
    const hostCv = 0.144, hostFloor = 0.927;
    const hostOf = makeSampler({ dist: 'lognormal', mean_us: 1, cv: hostCv, floor: hostFloor }, new RandomStream(2, 'test.hostOf'));
    const measuredUs = level.map((x) => x * hostOf());
    const q = flushQuantiles(measuredUs, measuredUs.length, 100, 0);
    const own = ownQuantiles(q, hostCv, hostFloor);
    expect(own).toHaveLength(q.length);
    expect([...own].sort((a, b) => a - b)).toEqual(own);
    // draws of own × host, each from its own stream, as the simulator makes them
    const ownDraw = quantileSampler(own, new RandomStream(1, 'test.own'));
    const hostDraw = makeSampler({ dist: 'lognormal', mean_us: 1, cv: hostCv, floor: hostFloor }, new RandomStream(1, 'test.host'));
    const prod = Array.from({ length: 200_000 }, () => ownDraw() * hostDraw()).sort((a, b) => a - b);
    const measured = [...measuredUs].sort((a, b) => a - b).map((x) => x / 100);
    for (const p of [0.1, 0.5, 0.9, 0.99]) expect(Math.abs(quantileOfSorted(prod, p) / quantileOfSorted(measured, p) - 1)).toBeLessThan(0.03);
    // the product of the table itself with the factor is wider: that is what the split takes out
    const tableDraw = quantileSampler(q, new RandomStream(1, 'test.own'));
    const wide = Array.from({ length: 200_000 }, () => tableDraw() * hostDraw()).sort((a, b) => a - b);
    expect(quantileOfSorted(wide, 0.9) - quantileOfSorted(wide, 0.1)).toBeGreaterThan(quantileOfSorted(prod, 0.9) - quantileOfSorted(prod, 0.1));
    // no host spread: the table itself
    expect(ownQuantiles(q, 0, 0)).toEqual(q);
  });

  it('the host\'s factor quantiles are the shifted lognormal the simulator draws', () => {
    const hq = hostFactorQuantiles(0.3, 0.5, 1000);
    const draw = makeSampler({ dist: 'lognormal', mean_us: 1, cv: 0.3, floor: 0.5 }, new RandomStream(4, 'test.host'));
    const d = Array.from({ length: 100_000 }, () => draw()).sort((a, b) => a - b);
    for (const p of [0.05, 0.5, 0.95]) expect(quantileOfSorted(d, p)).toBeCloseTo(hq[Math.floor(p * 1000)]!, 1);
    expect(hq.reduce((a, b) => a + b, 0) / hq.length).toBeCloseTo(1, 2);
    expect(quantilesText([])).toBe('none');
    expect(quantilesText([0.5, 1, 2])).toBe('3 quantiles, median 1, last 2');
  });
});
