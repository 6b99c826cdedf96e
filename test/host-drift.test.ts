/**
 * device.host_drift_share, device.host_drift_us: the host's speed factor
 * with a share that drifts with the clock within an msync
 * (sim/device/host-drift.ts). Expected values come from the definition:
 * base + e^(μ + σh·Zh + σd·X(t)), X a unit Ornstein–Uhlenbeck process, so
 * log(factor − base) of two readings Δt apart in one msync has the
 * correlation (1 − share) + share·e^(−Δt/τ), and the factor the plain
 * draw's mean (1) and cv.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DriftingHostDraw } from '../sim/device/host-drift.ts';
import { shiftedLognormalShape } from '../sim/device/service.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { resolveConfig } from '../sim/config.ts';
import { ConfigError } from '../sim/config-error.ts';
import { makeHostSpeed } from '../sim/device/make.ts';
import { Engine } from '../sim/engine/queue.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { simulate, TraceBuilder } from './helpers.ts';

const draw = (cv: number, floor: number, share: number, tauUs: number, seed = 1) =>
  new DriftingHostDraw(cv, floor, share, tauUs * 1000, new RandomStream(seed, 'device.host'), new RandomStream(seed, 'device.host_drift'));

/** Pearson correlation of two equal-length samples. */
function corr(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n, mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('DriftingHostDraw', () => {
  it('has the plain draw\'s mean and cv at any moment', () => {
    // msyncs 10 ms apart (X nearly fresh at each), one reading at a random point of each
    const d = draw(0.3, 0.5, 0.4, 100);
    const rng = new RandomStream(9, 'test');
    const x: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      d.syncBegins();
      x.push(d.factorAt(i * 10_000_000 + Math.floor(rng.uniform() * 1_000_000)));
    }
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (x.length - 1));
    // standard error of the mean: 0.3 / √200000 = 0.00067
    expect(Math.abs(mean - 1)).toBeLessThan(0.004);
    expect(Math.abs(sd / mean - 0.3) / 0.3).toBeLessThan(0.05);
    expect(x.reduce((m, v) => Math.min(m, v), Infinity)).toBeGreaterThan(0.5); // the floor
  });

  it('keeps (1 − share) + share·e^(−Δt/τ) of the correlation between two readings of one msync Δt apart', () => {
    const share = 0.4, tauUs = 100, floor = 0.3;
    const base = shiftedLognormalShape(1, 0.3, floor).base;
    for (const dtUs of [0, 50, 100, 300, 2000]) {
      const d = draw(0.3, floor, share, tauUs, 5);
      const a: number[] = [], b: number[] = [];
      for (let i = 0; i < 40_000; i++) {
        d.syncBegins();
        const t = i * 100_000_000; // 100 ms apart: each msync's X starts nearly afresh
        a.push(Math.log(d.factorAt(t) - base));
        b.push(Math.log(d.factorAt(t + dtUs * 1000) - base));
      }
      const expected = 1 - share + share * Math.exp(-dtUs / tauUs);
      // the SE of a correlation near ρ from 40k pairs is (1 − ρ²)/√40000 < 0.005
      expect(Math.abs(corr(a, b) - expected)).toBeLessThan(0.02);
    }
  });

  it('with no drifting share holds one factor through the msync', () => {
    fc.assert(fc.property(fc.array(fc.nat(1e9), { minLength: 2, maxLength: 20 }), (times) => {
      const d = draw(0.5, 0, 0, 100, 3);
      d.syncBegins();
      const sorted = [...times].sort((p, q) => p - q);
      const f0 = d.factorAt(sorted[0]!);
      return sorted.every((t) => d.factorAt(t) === f0);
    }));
  });

  it('is a function of its seed and of the readings\' times', () => {
    const run = () => {
      const d = draw(0.3, 0.2, 0.5, 80, 11);
      const out: number[] = [];
      for (let i = 0; i < 100; i++) {
        if (i % 7 === 0) d.syncBegins();
        out.push(d.factorAt(i * 37_000));
      }
      return out;
    };
    expect(run()).toEqual(run());
    // another seed, other draws
    const other = draw(0.3, 0.2, 0.5, 80, 12);
    other.syncBegins();
    const d = draw(0.3, 0.2, 0.5, 80, 11);
    d.syncBegins();
    expect(other.factorAt(1000)).not.toBe(d.factorAt(1000));
  });

  it('is 1 before the first msync, as the plain draw is, and draws nothing until then', () => {
    const held = new RandomStream(3, 'device.host'), drift = new RandomStream(3, 'device.host_drift');
    const d = new DriftingHostDraw(0.4, 0.2, 0.5, 100_000, held, drift);
    expect([d.factorAt(0), d.factorAt(5_000_000)]).toEqual([1, 1]);
    // the streams are where fresh ones are: nothing was drawn
    expect([held.uniform(), drift.uniform()]).toEqual([new RandomStream(3, 'device.host').uniform(), new RandomStream(3, 'device.host_drift').uniform()]);
  });
});

describe('device.host_drift_share and device.host_drift_us (config)', () => {
  it('default to no drift (0, 100 µs) and take values in range', () => {
    const c = resolveConfig({ device: { profile: 'sata-ssd' } });
    expect([c.device.host_drift_share, c.device.host_drift_us]).toEqual([0, 100]);
    const d = resolveConfig({ device: { profile: 'sata-ssd', host_cv: 0.3, host_drift_share: 0.35, host_drift_us: 120 } });
    expect([d.device.host_drift_share, d.device.host_drift_us]).toEqual([0.35, 120]);
  });

  it('reject a share outside [0, 1] and a time that is not positive', () => {
    expect(() => resolveConfig({ device: { host_drift_share: 1.5 } })).toThrow(ConfigError);
    expect(() => resolveConfig({ device: { host_drift_share: -0.1 } })).toThrow(ConfigError);
    expect(() => resolveConfig({ device: { host_drift_us: 0 } })).toThrow(ConfigError);
  });

  it('a drifting share makes the host factor move within an msync; none keeps it', () => {
    const engine = new Engine();
    const drifting = makeHostSpeed(resolveConfig({ device: { profile: 'sata-ssd', host_cv: 0.3, host_drift_share: 0.5, host_drift_us: 100 } }), new RandomStreams(1), engine);
    const held = makeHostSpeed(resolveConfig({ device: { profile: 'sata-ssd', host_cv: 0.3 } }), new RandomStreams(1), engine);
    drifting.syncBegins();
    held.syncBegins();
    const f = [drifting.factor, held.factor];
    engine.now = 500_000;
    expect(drifting.factor).not.toBe(f[0]);
    expect(held.factor).toBe(f[1]);
  });

  it('no drift without a clock to read, or with host_cv 0: the plain held factor, its draws unchanged', () => {
    const withShare = resolveConfig({ device: { profile: 'sata-ssd', host_cv: 0.3, host_drift_share: 0.5, host_drift_us: 100 } });
    const plain = resolveConfig({ device: { profile: 'sata-ssd', host_cv: 0.3 } });
    const a = makeHostSpeed(withShare, new RandomStreams(2)), b = makeHostSpeed(plain, new RandomStreams(2));
    const fa: number[] = [], fb: number[] = [];
    for (let i = 0; i < 5; i++) {
      a.syncBegins();
      b.syncBegins();
      fa.push(a.factor, a.factor);
      fb.push(b.factor, b.factor);
    }
    expect(fa).toEqual(fb);
    const none = makeHostSpeed(resolveConfig({ device: { profile: 'sata-ssd', host_drift_share: 0.5 } }), new RandomStreams(2), new Engine());
    none.syncBegins();
    expect(none.factor).toBe(1);
  });
});

describe('a long msync under a drifting host (replay)', () => {
  /** msync latencies (µs) of 200 msyncs of 128 scattered pages each (one write a page), 50 ms apart. */
  function longMsyncs(share: number): number[] {
    const A = 0x10000000, PS = 4096;
    const b = new TraceBuilder().map(0, A, 512 * PS, 'f');
    for (let i = 0; i < 200; i++) {
      const t = 1000 + i * 50_000;
      for (let p = 0; p < 128; p++) b.op(t + p, 'write', A + 4 * p * PS, 8);
      b.op(t + 200, 'msync', A, 512 * PS, 'SYNC');
    }
    const o = simulate(b.rows, {
      personality: 'linux', replay: 'open', pagein: false, fs: { kind: 'ext4-nojournal' }, seed: 4,
      device: { profile: 'sata-ssd', channels: 1, write_latency: { dist: 'constant', mean_us: 15 }, flush_us: 100, flush_empty_us: 50, host_cv: 0.4, host_drift_share: share, host_drift_us: 50 },
    });
    return o.syncs.map((s) => (s.tDoneNs - s.tIssueNs) / 1000);
  }
  const cv = (x: number[]) => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1)) / m;
  };

  it('spreads long msyncs less than one factor held through each', () => {
    // 128 writes one after another (~2 ms) span 40 correlation times: the drifting share averages out
    const held = longMsyncs(0), drifting = longMsyncs(0.6);
    expect(cv(held)).toBeGreaterThan(0.3);
    expect(cv(drifting)).toBeLessThan(0.75 * cv(held));
  });
});
