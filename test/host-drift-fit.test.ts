/**
 * Fitting how long the host's shared speed holds (scripts/validate/host-drift-fit.ts)
 * from the FLUSH probe's pairs in order, and its keys in the profile the
 * calibration and the session split (host-spread.ts splitHostSpread).
 * Expected values come from the process the pairs are drawn from: write i
 * and fdatasync i read a log-speed h = S + F at half-iteration steps 2i and
 * 2i + 1, S nearly constant, F an AR(1) of coefficient b a half step; so the
 * covariance of write i with fdatasync i + k is σS² + σF² b^(2k+1), the
 * fading share σF² b / (σS² + σF² b) and τ = Δ / (2 ln(1/b)).
 */
import { describe, expect, it } from 'vitest';
import { fitHostDrift, HELD_LAGS, isHostDrift } from '../scripts/validate/host-drift-fit.ts';
import { splitHostSpread, type WriteSyncPair } from '../scripts/validate/host-spread.ts';
import { RandomStream } from '../sim/engine/random.ts';

/** `groups` probes of `n` pairs, `periodUs` apart, from the process of the module comment. */
function probes(groups: number, n: number, o: { varS: number; varF: number; b: number; noise: number; periodUs: number; seed?: number }): WriteSyncPair[][] {
  const rng = new RandomStream(o.seed ?? 1, 'test.pairs');
  const out: WriteSyncPair[][] = [];
  const aS = 0.9995; // S: an AR(1) that holds over thousands of iterations
  for (let g = 0; g < groups; g++) {
    let s = Math.sqrt(o.varS) * rng.normal(), f = Math.sqrt(o.varF) * rng.normal();
    const step = () => {
      s = aS * s + Math.sqrt(o.varS * (1 - aS * aS)) * rng.normal();
      f = o.b * f + Math.sqrt(o.varF * (1 - o.b * o.b)) * rng.normal();
      return s + f;
    };
    const p: WriteSyncPair[] = [];
    for (let i = 0; i < n; i++) {
      const hw = step(), hs = step();
      p.push({ write_us: 50 * Math.exp(hw + o.noise * rng.normal()), sync_us: 100 * Math.exp(hs + o.noise * rng.normal()), at_us: 1000 + i * o.periodUs });
    }
    out.push(p);
  }
  return out;
}

describe('fitHostDrift', () => {
  it('recovers the fading share and its time from pairs of a known process', () => {
    const varS = 0.2, varF = 0.15, b = 0.6, periodUs = 160;
    const fit = fitHostDrift(probes(4, 25_000, { varS, varF, b, noise: 0.3, periodUs }));
    if (!isHostDrift(fit)) throw new Error(fit.reason);
    expect(fit.period_us).toBe(periodUs);
    expect(fit.pairs).toBe(100_000);
    const share = (varF * b) / (varS + varF * b);
    expect(Math.abs(fit.share - share)).toBeLessThan(0.05);
    const tau = periodUs / (2 * Math.log(1 / b));
    expect(Math.abs(fit.drift_us - tau) / tau).toBeLessThan(0.2);
    // the held level: the slow part's correlation, S barely moving over the held lags
    expect(fit.rho_held).toBeGreaterThan(0);
    expect(fit.rho_held).toBeLessThan(fit.rho1);
    expect(fit.rho1).toBeLessThan(fit.rho0);
  });

  it('gives a reason, and no keys, without issue times, with too few pairs, or when nothing fades', () => {
    const p = probes(2, 200, { varS: 0.2, varF: 0.1, b: 0.5, noise: 0.2, periodUs: 100 });
    expect(fitHostDrift(p.map((g) => g.map(({ at_us: _t, ...rest }) => rest)))).toEqual({ reason: 'the pairs carry no issue times' });
    expect(fitHostDrift([p[0]!.slice(0, 50)])).toMatchObject({ reason: expect.stringMatching(/fewer than 100/) });
    // each fdatasync the write before's twin: the correlation grows from k = 0 to k = 1
    const shifted = p.map((g) => g.map((x, i) => ({ write_us: x.write_us, sync_us: i > 0 ? g[i - 1]!.write_us * 2 : 1, at_us: x.at_us })));
    expect(fitHostDrift(shifted)).toMatchObject({ reason: expect.stringMatching(/fades|decay/) });
  });

  it('averages the held level over lags 3 to 12', () => {
    expect([...HELD_LAGS]).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe('the drift in the split profile', () => {
  const marginal = { write_cache: true, write_latency: { dist: 'lognormal', mean_us: 50, cv: 0.6 }, flush_us: 100, flush_empty_us: 80, flush_cv: 0.6 };

  it('sets host_drift_share and host_drift_us with their provenance when the pairs are in order', () => {
    const s = splitHostSpread(marginal, probes(4, 5000, { varS: 0.2, varF: 0.15, b: 0.6, noise: 0.3, periodUs: 160 }), 'test probes');
    expect(s.device.host_cv).toBeGreaterThan(0);
    expect(s.device.host_drift_share).toBeGreaterThan(0.2);
    expect(s.device.host_drift_us).toBeGreaterThan(50);
    expect(s.fitted['device.host_drift_share']).toMatchObject({ value: s.device.host_drift_share, n: 20_000 });
    expect(s.fitted['device.host_drift_us']!.from).toMatch(/^test probes: 20000 writes .* 160 µs apart/);
  });

  it('a refit drops the drift of the profile it starts from when its own pairs give none', () => {
    const old = { ...marginal, host_cv: 0.3, host_floor: 0.5, host_drift_share: 0.4, host_drift_us: 90 };
    const unordered = probes(4, 5000, { varS: 0.2, varF: 0.15, b: 0.6, noise: 0.3, periodUs: 160 }).map((g) => g.map(({ at_us: _t, ...rest }) => rest));
    const s = splitHostSpread(old, unordered, 'test');
    expect(s.device.host_cv).toBeGreaterThan(0);
    expect(s.device.host_drift_share).toBeUndefined();
    expect(s.device.host_drift_us).toBeUndefined();
    expect(s.report.drift).toEqual({ reason: 'the pairs carry no issue times' });
    // no host spread at all (no write cache): neither
    const none = splitHostSpread({ ...old, write_cache: false }, unordered, 'test');
    expect([none.device.host_cv, none.device.host_drift_share, none.device.host_floor]).toEqual([0, undefined, undefined]);
  });
});
