/**
 * A tight body and a long tail: spreads with a floor (`floor` of a lognormal
 * service time, `device.flush_floor`, `device.host_floor`, `cpu.floor`) in
 * the model (sim/device/service.ts, shiftedLognormal) and their fit from
 * three quantiles in calibration (scripts/validate/lognormal-fit.ts,
 * shiftedSpread). Expected values come from the definitions: quantiles of
 * x = c + e^(μ + σZ) written out by hand.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeSampler, shiftedLognormal } from '../sim/device/service.ts';
import { RandomStream, RandomStreams } from '../sim/engine/random.ts';
import { resolveConfig } from '../sim/config.ts';
import { ConfigError } from '../sim/config-error.ts';
import { flushSpread, shiftedSpread, Z90, Z99 } from '../scripts/validate/lognormal-fit.ts';
import { splitFloor, withHostSpread, type HostSpread } from '../scripts/validate/host-spread.ts';
import { simulate, TraceBuilder } from './helpers.ts';

/** Mean, cv and sorted draws of `n` samples. */
function moments(draw: () => number, n: number): { mean: number; cv: number; sorted: Float64Array } {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = draw();
  let s = 0;
  for (const v of x) s += v;
  const mean = s / n;
  let v2 = 0;
  for (const v of x) v2 += (v - mean) ** 2;
  return { mean, cv: Math.sqrt(v2 / (n - 1)) / mean, sorted: x.sort() };
}
const q = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

describe('a lognormal above a floor (sim)', () => {
  it('keeps the mean and the cv it is given, whatever the floor', () => {
    // floors whose rest has a cv of 0.4 and 1.43: the sample cv of 400k draws is then within a few % (a rest of cv 4, floor 0.95,
    // has a kurtosis near 10^5 and a sample cv that wanders by a quarter: its quantiles are checked below instead)
    for (const floor of [0.5, 0.86]) {
      const m = moments(shiftedLognormal(100, 0.2, floor, new RandomStream(3, 'device.flush')), 400_000);
      expect(m.mean).toBeCloseTo(100, 0);
      expect(Math.abs(m.cv - 0.2) / 0.2).toBeLessThan(0.08);
    }
  });

  it('gives a tighter body and a longer tail than the lognormal of the same mean and cv', () => {
    const plain = moments(makeSampler({ dist: 'lognormal', mean_us: 1, cv: 0.2 }, new RandomStream(5, 'device.host')), 200_000).sorted;
    const floored = moments(makeSampler({ dist: 'lognormal', mean_us: 1, cv: 0.2, floor: 0.86 }, new RandomStream(5, 'device.host')), 200_000).sorted;
    const ratio = (s: Float64Array, p: number) => q(s, p) / q(s, 0.5);
    expect(ratio(floored, 0.1)).toBeGreaterThan(ratio(plain, 0.1));
    expect(ratio(floored, 0.99)).toBeGreaterThan(ratio(plain, 0.99));
    // the lognormal of cv 0.2: p10 / p50 = e^(−1.2816 σ), σ = √ln(1.04) = 0.198: 0.776
    expect(ratio(plain, 0.1)).toBeCloseTo(Math.exp(-Z90 * Math.sqrt(Math.log(1.04))), 2);
  });

  it('draws exactly the plain lognormal with floor 0 (earlier results stay byte-identical)', () => {
    const a = makeSampler({ dist: 'lognormal', mean_us: 50, cv: 0.3 }, new RandomStreams(9).get('device.write_latency'));
    const b = makeSampler({ dist: 'lognormal', mean_us: 50, cv: 0.3, floor: 0 }, new RandomStreams(9).get('device.write_latency'));
    for (let i = 0; i < 1000; i++) expect(b()).toBe(a());
  });

  it('has its draws at the quantiles the shifted form predicts', () => {
    // floor 0.8 of mean 1, cv 0.3: the rest has mean 0.2 and cv 1.5
    const s2 = Math.log(1 + 1.5 ** 2), s = Math.sqrt(s2), mu = Math.log(0.2) - s2 / 2;
    const sorted = moments(shiftedLognormal(1, 0.3, 0.8, new RandomStream(21, 'cpu')), 400_000).sorted;
    for (const [p, z] of [[0.5, 0], [0.9, Z90], [0.99, Z99]] as const) {
      const expected = 0.8 + Math.exp(mu + s * z);
      expect(Math.abs(q(sorted, p) - expected) / expected).toBeLessThan(0.01);
    }
  });

  it('accepts the floors as configuration keys and refuses a floor of 1', () => {
    const c = resolveConfig({ device: { profile: 'sata-ssd', flush_cv: 0.2, flush_floor: 0.86, host_cv: 0.1, host_floor: 0.86, write_latency: { dist: 'lognormal', mean_us: 20, cv: 0.2, floor: 0.5 } }, cpu: { cv: 0.2, floor: 0.5 } });
    expect([c.device.flush_floor, c.device.host_floor, c.cpu.floor]).toEqual([0.86, 0.86, 0.5]);
    expect(resolveConfig({}).device.flush_floor).toBe(0);
    expect(() => resolveConfig({ device: { flush_floor: 1 } })).toThrow(ConfigError);
    expect(() => resolveConfig({ cpu: { floor: -0.1 } })).toThrow(/cpu\.floor/);
  });

  it('narrows the body of simulated msync latencies with the host factor and the FLUSH both floored', () => {
    /** p10 / p50 of 1-page msyncs under a device whose only spread is the FLUSH's and the host's. */
    const body = (floor: number) => {
      const b = new TraceBuilder().map(0, 0x10000000, 16 * 4096, 'f');
      for (let i = 0; i < 3000; i++) {
        b.op(1000 + i * 10_000, 'write', 0x10000000, 8);
        b.op(1000 + i * 10_000 + 10, 'msync', 0x10000000, 16 * 4096, 'SYNC');
      }
      const r = simulate(b.rows, {
        personality: 'linux',
        device: { profile: 'sata-ssd', read_latency: { dist: 'constant', mean_us: 20 }, write_latency: { dist: 'constant', mean_us: 20 }, flush_us: 200, flush_cv: 0.25, flush_floor: floor, host_cv: 0.1, host_floor: floor },
      });
      const lat = Float64Array.from(r.syncs.map((s) => s.tDoneNs - s.tIssueNs)).sort();
      return q(lat, 0.1) / q(lat, 0.5);
    };
    expect(body(0.86)).toBeGreaterThan(body(0) + 0.05);
  });
});

describe('the shifted lognormal through p50, p90 and p99 (calibration)', () => {
  it('splits a FLUSH floor between the FLUSH\'s own factor and the host\'s so that their product keeps it', () => {
    // the session of 14:52 UTC on 2026-12-04: the level's floor 0.816 and cv 0.317 (p50 115, p90 156, p99 283 µs), own cv 0.266, host cv 0.167
    const level = shiftedSpread(115, 156, 283)!;
    expect(level.floor).toBe(0.816);
    const own = shiftedLognormal(1, 0.266, splitFloor(level.floor), new RandomStream(31, 'device.flush'));
    const host = shiftedLognormal(1, 0.167, splitFloor(level.floor), new RandomStream(31, 'device.host'));
    const product = moments(() => own() * host(), 300_000).sorted;
    const alone = moments(shiftedLognormal(1, level.cv, level.floor, new RandomStream(31, 'device.write_latency')), 300_000).sorted;
    // nothing below the floor the FLUSH measured, and its quantiles within a few % of the fitted shape's
    expect(product[0]).toBeGreaterThanOrEqual(0.816 * 0.9999);
    for (const p of [0.1, 0.5, 0.9, 0.99]) expect(Math.abs(q(product, p) / q(alone, p) - 1)).toBeLessThan(0.05);
    expect(splitFloor(0.859)).toBe(0.927);
  });

  /** The three quantiles of x = c + m e^(σZ). */
  const quantiles = (c: number, m: number, sigma: number) => [c + m, c + m * Math.exp(sigma * Z90), c + m * Math.exp(sigma * Z99)] as const;

  it('recovers the floor and the cv of a shifted lognormal from its quantiles', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 500, noNaN: true }), fc.double({ min: 0.5, max: 100, noNaN: true }), fc.double({ min: 0.2, max: 2, noNaN: true }), (c, m, sigma) => {
      const [p50, p90, p99] = quantiles(c, m, sigma);
      const s = shiftedSpread(p50, p90, p99);
      const mean = c + m * Math.exp(sigma * sigma / 2);
      const cv = m * Math.exp(sigma * sigma / 2) * Math.sqrt(Math.expm1(sigma * sigma)) / mean;
      // a floor above 0.99 of the mean (which the configuration refuses) or one that rounds to 0 gives no shifted form
      if (c / mean > 0.9895 || c / mean < 0.0005 || cv < 0.0005) {
        expect(s === null || (s.floor > 0 && s.floor <= 0.99)).toBe(true);
        return;
      }
      expect(s).not.toBeNull();
      if (s === null) return;
      expect(s.floor).toBeLessThanOrEqual(0.99);
      expect(Math.abs(s.floor - c / mean)).toBeLessThanOrEqual(0.0006);
      expect(Math.abs(s.cv - cv)).toBeLessThanOrEqual(0.0006 + 1e-6 * cv);
      expect(s.meanOverP50).toBeCloseTo(mean / p50, 6);
    }), { numRuns: 200 });
  });

  it('fits the FLUSH level of one validation session (p50 110, p90 139.03, p99 226.85 µs)', () => {
    // by hand: (r99 − 1) / (r90 − 1) = 1.0623 / 0.2639 = 4.025 gives σ = 1.1526, a = 0.2639 / (e^(1.1526 · 1.2816) − 1) = 0.0781,
    // mean / p50 = 1 − a + a e^(σ²/2) = 1.0736, floor (1 − a) / 1.0736 = 0.859
    const s = shiftedSpread(110, 139.03395, 226.85492)!;
    expect(s.floor).toBe(0.859);
    expect(s.cv).toBe(0.235);
    expect(s.meanOverP50).toBeCloseTo(1.0736, 3);
  });

  it('finds no floor where the tail is no longer than the lognormal\'s, and the FLUSH then keeps the lognormal through p50 and p99', () => {
    // (r99 − 1) / (r90 − 1) is at least Z99 / Z90 = 1.815 for any shifted lognormal (σ → 0): a p99 only 1.01 × the p90 is below it
    const p50 = 100, p90 = 100 * Math.exp(0.3 * Z90), thin = p90 * 1.01;
    expect(shiftedSpread(p50, p90, thin)).toBeNull();
    expect(shiftedSpread(100, 100, 200)).toBeNull();
    // a body so tight that the floor would be 0.994 of the mean, past the configuration's 0.99: the plain lognormal instead
    expect(shiftedSpread(1000, 1010, 1040)).toBeNull();
    expect(flushSpread({ p50_us: 1000, p90_us: 1010, p99_us: 1040 }).floor).toBe(0);
    expect(shiftedSpread(null, 120, 200)).toBeNull();
    const f = flushSpread({ p50_us: p50, p90_us: p90, p99_us: thin });
    expect(f.floor).toBe(0);
    expect(f.meanOverP50).toBeCloseTo(Math.sqrt(1 + f.cv * f.cv), 12);
  });

  it('gives the host factor the FLUSH\'s floor when it splits the host\'s share off', () => {
    const fit: HostSpread = { pairs: 5000, groups: 4, spearman: 0.35, rho: 0.36, sigma_write: 0.19, sigma_flush: 0.23, sigma_host: 0.126, host_cv: 0.127 };
    const out = withHostSpread({ write_cache: true, flush_cv: 0.235, flush_floor: 0.859, write_latency: { dist: 'lognormal', mean_us: 13, cv: 0.19 } }, fit);
    // each √0.859 = 0.92682: the FLUSH, their product, keeps the floor measured
    expect(out.host_floor).toBe(0.927);
    expect(out.flush_floor).toBe(0.927);
    expect(withHostSpread({ write_cache: true, flush_cv: 0.3 }, fit).host_floor).toBeUndefined();
    // a session whose FLUSH fits no floor drops the floor the calibration gave the host
    expect('host_floor' in withHostSpread({ write_cache: true, flush_cv: 0.3, flush_floor: 0, host_floor: 0.82 }, fit)).toBe(false);
    expect('host_floor' in withHostSpread({ write_cache: true, flush_cv: 0.3, flush_floor: 0.8, host_floor: 0.82 }, { ...fit, sigma_host: 0, host_cv: 0 })).toBe(false);
  });
});
