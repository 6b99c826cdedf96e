/**
 * Fitting how long the host's shared speed holds (scripts/validate/host-drift-fit.ts)
 * from the FLUSH probe's pairs in order, and its keys in the profile the
 * calibration and the session split (host-spread.ts splitHostSpread,
 * flush-level.ts withSessionLevel). Expected values come from the process
 * the pairs are drawn from: write i and fdatasync i read a log-speed
 * h = S + F at half-iteration steps 2i and 2i + 1 (Δ/2 = 50 µs apart, the
 * writes' median latency), S constant over blocks of 500 iterations, F an
 * AR(1) of coefficient b a half step; so the drifting share at zero
 * distance is σF² / (σS² + σF²) and τ = (Δ/2) / ln(1/b).
 */
import { describe, expect, it } from 'vitest';
import { driftText, fitHostDrift, isHostDrift, MIN_DRIFT_PAIRS } from '../scripts/validate/host-drift-fit.ts';
import { DRIFT_IN_PROFILE, splitHostSpread, sigmaOfCv, withHostSpread, type WriteSyncPair } from '../scripts/validate/host-spread.ts';
import { withSessionLevel, type SessionProbe } from '../scripts/validate/flush-level.ts';
import type { Calibration } from '../scripts/validate/calibration.ts';
import { RandomStream } from '../sim/engine/random.ts';

const PERIOD = 100;

/** `groups` probes of `n` pairs, {@link PERIOD} µs apart, from the process of the module comment. */
function probes(groups: number, n: number, o: { varS: number; varF: number; b: number; noise: number; seed?: number }): WriteSyncPair[][] {
  const rng = new RandomStream(o.seed ?? 1, 'test.pairs');
  const out: WriteSyncPair[][] = [];
  for (let g = 0; g < groups; g++) {
    let s = 0, f = Math.sqrt(o.varF) * rng.normal();
    const p: WriteSyncPair[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 500 === 0) s = Math.sqrt(o.varS) * rng.normal();
      f = o.b * f + Math.sqrt(o.varF * (1 - o.b * o.b)) * rng.normal();
      const hw = s + f;
      f = o.b * f + Math.sqrt(o.varF * (1 - o.b * o.b)) * rng.normal();
      const hs = s + f;
      p.push({ write_us: 50 * Math.exp(o.noise * rng.normal()) * Math.exp(hw), sync_us: 100 * Math.exp(hs + o.noise * rng.normal()), at_us: 1000 + i * PERIOD });
    }
    out.push(p);
  }
  return out;
}
const stripTimes = (p: WriteSyncPair[][]) => p.map((g) => g.map(({ at_us: _t, ...rest }) => rest));

describe('fitHostDrift', () => {
  const varS = 0.2, varF = 0.15, b = 0.45;
  const share = varF / (varS + varF), tau = PERIOD / 2 / Math.log(1 / b);

  it('recovers the drifting share at zero distance and its time from pairs of a known process (three seeds)', () => {
    for (const seed of [1, 2, 3]) {
      const fit = fitHostDrift(probes(4, 25_000, { varS, varF, b, noise: 0.3, seed }));
      if (!isHostDrift(fit)) throw new Error(fit.reason);
      expect(fit.period_us).toBe(PERIOD);
      expect(fit.pairs).toBe(100_000);
      expect(Math.abs(fit.share - share)).toBeLessThan(0.06);
      expect(Math.abs(fit.drift_us - tau) / tau).toBeLessThan(0.2);
      expect(fit.rho1).toBeLessThan(fit.rho0);
      expect(fit.rho_held).toBeLessThan(fit.rho1);
      expect(fit.rho_zero).toBeGreaterThan(fit.rho0);
    }
  });

  it('counts lags in time: with a third of the pairs dropped, each write is taken with the fdatasync k periods later', () => {
    const rng = new RandomStream(7, 'test.drop');
    const dropped = probes(4, 25_000, { varS, varF, b, noise: 0.3 }).map((g) => g.filter(() => rng.uniform() > 1 / 3));
    const fit = fitHostDrift(dropped);
    if (!isHostDrift(fit)) throw new Error(fit.reason);
    expect(fit.pairs).toBeLessThan(70_000);
    // both ends of a lag kept in 4 of 9 cases: fewer pairs at each lag, a wider bound on τ
    expect(Math.abs(fit.drift_us - tau) / tau).toBeLessThan(0.3);
    expect(Math.abs(fit.share - share)).toBeLessThan(0.06);
  });

  it('gives a reason, and no keys, without issue times, with too few pairs, or when nothing fades, decays or holds', () => {
    const p = probes(2, 3000, { varS, varF, b, noise: 0.3 });
    expect(fitHostDrift(stripTimes(p))).toEqual({ reason: 'the pairs carry no issue times' });
    expect(fitHostDrift([p[0]!.slice(0, MIN_DRIFT_PAIRS - 1)])).toMatchObject({ reason: expect.stringMatching(/fewer than 2000/) });
    // no drifting part at all: the correlation does not fall with the lag
    expect(fitHostDrift(probes(2, 20_000, { varS: 0.3, varF: 0, b, noise: 0.3 }))).toMatchObject({ reason: expect.stringMatching(/fades with later ones beyond the noise/) });
    // each fdatasync the write before's twin: the correlation grows from k = 0 to k = 1
    const shifted = p.map((g) => g.map((x, i) => ({ write_us: x.write_us, sync_us: i > 0 ? g[i - 1]!.write_us * 2 : 1, at_us: x.at_us })));
    expect(fitHostDrift(shifted)).toMatchObject({ reason: expect.stringMatching(/does not decay measurably/) });
    // a drifting part slower than an iteration would still be there at lag 3: no held level to tell it from
    expect(fitHostDrift(probes(2, 20_000, { varS, varF, b: 0.95, noise: 0.3 }))).toMatchObject({ reason: expect.stringMatching(/more than an iteration/) });
    // nothing held: only a fast part
    expect(fitHostDrift(probes(2, 20_000, { varS: 0, varF: 0.3, b: 0.3, noise: 0.3 }))).toMatchObject({ reason: expect.stringMatching(/no part of the host's speed holds/) });
  });
});

describe('the drift in the split profile', () => {
  const marginal = { write_cache: true, write_latency: { dist: 'lognormal', mean_us: 50, cv: 0.6 }, flush_us: 100, flush_empty_us: 80, flush_cv: 0.6 };

  it('by default reports the drift and leaves it out of the profile, host_cv fitted as without it', () => {
    const pairs = probes(4, 5000, { varS: 0.2, varF: 0.15, b: 0.6, noise: 0.3 });
    const s = splitHostSpread(marginal, pairs, 'test probes');
    expect(DRIFT_IN_PROFILE).toBe(false);
    expect(s.report.drift).toMatchObject({ pairs: 20_000, period_us: 100 });
    expect([s.device.host_drift_share, s.device.host_drift_us, s.fitted['device.host_drift_share']]).toEqual([undefined, undefined, undefined]);
    expect(s.device.host_cv).toBe(splitHostSpread(marginal, stripTimes(pairs), 'test probes').device.host_cv);
    expect(driftText(s.device, s.report.drift)).toMatch(/^; its drift within an msync, reported and not replayed: a share 0\.\d+ over \d+(\.\d)? µs/);
  });

  it('asked to, sets host_drift_share and host_drift_us with their provenance when the pairs are in order', () => {
    const s = splitHostSpread(marginal, probes(4, 5000, { varS: 0.2, varF: 0.15, b: 0.6, noise: 0.3 }), 'test probes', { drift: true });
    expect(s.device.host_cv).toBeGreaterThan(0);
    expect(s.device.host_drift_share).toBeGreaterThan(0.2);
    expect(s.device.host_drift_us).toBeGreaterThan(50);
    expect(s.fitted['device.host_drift_share']).toMatchObject({ value: s.device.host_drift_share, n: 20_000 });
    expect(s.fitted['device.host_drift_us']!.from).toMatch(/^test probes: 20000 writes .* 100 µs apart/);
    // the host's spread fitted at zero distance: more than the pairs' own correlation gives
    const own = splitHostSpread(marginal, stripTimes(probes(4, 5000, { varS: 0.2, varF: 0.15, b: 0.6, noise: 0.3 })), 'test probes', { drift: true });
    expect(s.device.host_cv as number).toBeGreaterThan(own.device.host_cv as number);
    expect(s.fitted['device.host_cv']!.from).toMatch(/ρ at zero distance/);
  });

  it('a refit drops the drift of the profile it starts from when its own pairs give none', () => {
    const old = { ...marginal, host_cv: 0.3, host_floor: 0.5, host_drift_share: 0.4, host_drift_us: 90 };
    const unordered = probes(4, 5000, { varS: 0.2, varF: 0.15, b: 0.6, noise: 0.3 }).map((g) => g.map(({ at_us: _t, ...rest }) => rest));
    const s = splitHostSpread(old, unordered, 'test', { drift: true });
    expect(s.device.host_cv).toBeGreaterThan(0);
    expect(s.device.host_drift_share).toBeUndefined();
    expect(s.device.host_drift_us).toBeUndefined();
    expect(s.report.drift).toEqual({ reason: 'the pairs carry no issue times' });
    // no host spread at all (no write cache): neither
    const none = splitHostSpread({ ...old, write_cache: false }, unordered, 'test');
    expect([none.device.host_cv, none.device.host_drift_share, none.device.host_floor]).toEqual([0, undefined, undefined]);
  });

  it('a session whose pairs fit no drift drops the drift keys of the calibration and their provenance', () => {
    const lat = (p50: number) => ({ count: 1000, mean_us: p50, stddev_us: 0, p50_us: p50, p90_us: p50 * 1.2, p99_us: p50 * 2 });
    const fit = { pairs: 5000, groups: 4, spearman: 0.5, rho: 0.5176, sigma_write: sigmaOfCv(0.6), sigma_flush: sigmaOfCv(0.6), sigma_host: sigmaOfCv(0.4), host_cv: 0.4 };
    const device = { ...withHostSpread({ profile: 'sata-ssd', channels: 4, destage: 'continuous', media_write_us: 0, ...marginal }, fit), host_drift_share: 0.4, host_drift_us: 90 };
    const cal = {
      steps: [{ name: 'flush', kind: 'flush', bytes: 4096, depth: 1, iops: 0, latency: lat(70), sync: lat(60), writes: 1 }],
      fragment: { device },
      fitted: { 'device.host_drift_share': { value: 0.4, r2: null, n: 5000, from: 'calibration' }, 'device.host_drift_us': { value: 90, r2: null, n: 5000, from: 'calibration' } },
      fits: { write: { latency: marginal.write_latency, bandwidth_mbps: 250, r2: 1, n: 2 }, flush: { write_cache: true, flush_us: 100, write_cache_source: 'sysfs' }, flush_level: lat(100), flush_empty: lat(80), destage: null, host_spread: { fit, marginal } },
      size_bytes: 4 << 20, step_ms: 400, syncsim_version: 'test', fio_version: 'fio-test', dir: '/x', filesystem: 'ext4', block_device: null, quick: true,
      files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
    } as unknown as Calibration;
    const pairs = stripTimes(probes(1, 3000, { varS: 0.2, varF: 0.15, b: 0.6, noise: 0.3 }))[0]!;
    const probe: SessionProbe = { label: 'p', at: '2026-12-07T05:00:00.000Z', us: pairs.map((x) => x.sync_us), pairs };
    const s = withSessionLevel(cal, [probe])!;
    expect(s.fragment.device.host_cv).toBeGreaterThan(0);
    expect(s.fragment.device.host_drift_share).toBeUndefined();
    expect(s.fitted['device.host_drift_share']).toBeUndefined();
    expect(s.fitted['device.host_drift_us']).toBeUndefined();
  });
});
