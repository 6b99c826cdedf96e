/**
 * The host's speed shared by the times of one msync (`device.host_cv`):
 * the factor in the model (median 1, drawn per msync, on top of each time's
 * own spread) and its fit from the FLUSH probe's write + fdatasync pairs
 * (scripts/validate/host-spread.ts), in calibrate and in the session.
 * Expected values are worked out by hand or from the definitions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../sim/config.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { makeSampler } from '../sim/device/service.ts';
import {
  cvOfSigma, fitHostSpread, isHostSpread, MIN_GROUP_PAIRS, MIN_PAIRS, ownLatency, sigmaOfCv, spearman, splitHostSpread, withHostSpread, writeSyncPairs, type WriteSyncPair,
} from '../scripts/validate/host-spread.ts';
import { withSessionLevel, type SessionProbe } from '../scripts/validate/flush-level.ts';
import type { Calibration } from '../scripts/validate/calibration.ts';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;

describe('the host factor in the model (device.host_cv)', () => {
  /** msyncs 20 ms apart of 4 pages each; a constant device: every msync costs the same without the factor. */
  function msyncUs(device: Record<string, unknown>, n = 2000): number[] {
    const b = new TraceBuilder().map(0, A, 64 * PS, 'f');
    for (let i = 0; i < n; i++) {
      const t = 1000 + i * 20_000;
      for (let p = 0; p < 4; p++) b.op(t + p, 'write', A + 2 * p * PS, 8);
      b.op(t + 100, 'msync', A, 64 * PS, 'SYNC');
    }
    const o = simulate(b.rows, {
      personality: 'linux', replay: 'open', pagein: false, seed: 3, fs: { kind: 'ext4-nojournal' }, cpu: { syscall_us: 2, clean_page_us: 9, fault_page_us: 0 },
      device: { profile: 'sata-ssd', channels: 4, write_latency: { dist: 'constant', mean_us: 12 }, bandwidth_mbps: 400, write_cache: true, media_mbps: 800, submit_us: 3, submit_command_us: 1, flush_us: 150, flush_empty_us: 60, ...device },
    });
    return o.syncs.map((s) => (s.tDoneNs - s.tIssueNs) / 1000);
  }

  /** The CPU of each msync (syscall_us + 4 pages of clean_page_us), which the factor leaves alone. */
  const CPU = 2 + 4 * 9;

  it('each msync takes its CPU time plus its nominal device time times a factor of mean 1 and cv host_cv, from its own stream (device.host)', () => {
    const nominal = msyncUs({}, 300);
    const host = msyncUs({ host_cv: 0.4 }, 300);
    const draw = makeSampler({ dist: 'lognormal', mean_us: 1, cv: 0.4 }, new RandomStreams(3).get('device.host'));
    for (let i = 0; i < host.length; i++) expect(Math.abs(host[i]! - (CPU + (nominal[i]! - CPU) * draw()))).toBeLessThan(0.05);
    const ratios = msyncUs({ host_cv: 0.4 }).map((h) => (h - CPU) / (nominal[0]! - CPU));
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    const cv = Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / ratios.length) / mean;
    expect(Math.abs(mean - 1)).toBeLessThan(0.03); // standard error 0.4 / √2000 = 0.009
    expect(Math.abs(cv - 0.4)).toBeLessThan(0.04);
  });

  it('the FLUSH keeps its own draws (stream device.flush) under the factor: other streams are not disturbed', () => {
    const own = msyncUs({ flush_cv: 0.3 }, 200);
    const both = msyncUs({ flush_cv: 0.3, host_cv: 0.4 }, 200);
    const draw = makeSampler({ dist: 'lognormal', mean_us: 1, cv: 0.4 }, new RandomStreams(3).get('device.host'));
    for (let i = 0; i < both.length; i++) expect(Math.abs(both[i]! - (CPU + (own[i]! - CPU) * draw()))).toBeLessThan(0.05);
  });

  it('host_cv 0 draws nothing; with flush_cv_scope host the configuration refuses it, naming the key', () => {
    expect(msyncUs({ host_cv: 0 }, 50)).toEqual(msyncUs({}, 50));
    expect(resolveConfig({ device: { profile: 'sata-ssd' } }).device.host_cv).toBe(0);
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', flush_cv_scope: 'host', flush_cv: 0.3, host_cv: 0.2 } })).toThrow(/device\.host_cv'?: must be 0 with device\.flush_cv_scope host/);
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', host_cv: -1 } })).toThrow(/device\.host_cv/);
  });
});

describe('fitting the host\'s spread from write + fdatasync pairs', () => {
  it('Spearman\'s rank correlation: by hand, ties at their mean rank', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12); // 1 − 6 × 2 / (4 × 15)
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(1.5 / Math.sqrt(3), 12); // ranks 0.5, 0.5, 2 against 0, 1, 2
    expect(spearman([5, 5, 5], [1, 2, 3])).toBe(0);
  });

  it('pairs a write with the sync logged the moment it completed; a write without one is left out', () => {
    const writes = { issued_us: Float64Array.from([0, 100, 250]), latencies_us: Float64Array.from([40, 50, 30]), unmatched: 0, actions: {} };
    const syncs = { issued_us: Float64Array.from([40, 150, 999]), latencies_us: Float64Array.from([60, 100, 5]), unmatched: 0, actions: {} };
    expect(writeSyncPairs(writes, syncs)).toEqual([{ write_us: 40, sync_us: 60, at_us: 0 }, { write_us: 50, sync_us: 100, at_us: 100 }]); // at_us: the write's issue time
  });

  const pairs = (n: number, f: (i: number) => WriteSyncPair): WriteSyncPair[] => Array.from({ length: n }, (_, i) => f(i));

  it('σh = √(ρ σw σf) with ρ = 2 sin(π ρs / 6), at most the smaller spread; none below MIN_PAIRS or without a positive correlation', () => {
    // ranks of the sync follow the write's exactly: ρs = 1, ρ = 1, σh = √(σw σf) capped at σw
    const same = fitHostSpread([pairs(200, (i) => ({ write_us: 50 + i, sync_us: 60 + 2 * i }))], 0.5, 0.9);
    expect(isHostSpread(same)).toBe(true);
    if (!isHostSpread(same)) return;
    expect(same.rho).toBeCloseTo(1, 12);
    expect(same.sigma_host).toBeCloseTo(sigmaOfCv(0.5), 12);
    expect(same.host_cv).toBe(0.5);
    // a constant sync: no rank correlation, no shared spread
    expect(fitHostSpread([pairs(MIN_PAIRS, (i) => ({ write_us: i, sync_us: 1 }))], 0.5, 0.9)).toMatchObject({ spearman: 0, sigma_host: 0, host_cv: 0 });
    // neighbours swapped in pairs: every rank off by one, ρs = 1 − 6 n / (n (n² − 1)); equal spreads, so σh = √ρ σ, below both
    const n = MIN_PAIRS;
    const swapped = fitHostSpread([pairs(n, (i) => ({ write_us: i, sync_us: i % 2 === 0 ? i + 1 : i - 1 }))], 0.5, 0.5);
    if (!isHostSpread(swapped)) throw new Error('fit expected');
    const rs = 1 - 6 / (n * n - 1);
    expect(swapped.spearman).toBeCloseTo(rs, 12);
    // σh as the rounded host_cv gives it
    const hostCv = Math.round(cvOfSigma(Math.sqrt(2 * Math.sin((Math.PI * rs) / 6)) * sigmaOfCv(0.5)) * 1000) / 1000;
    expect(swapped.host_cv).toBe(hostCv);
    expect(swapped.sigma_host).toBeCloseTo(sigmaOfCv(hostCv), 12);
    const opposite = fitHostSpread([pairs(MIN_PAIRS, (i) => ({ write_us: i, sync_us: 1000 - i }))], 0.5, 0.9);
    expect(opposite).toMatchObject({ sigma_host: 0, host_cv: 0 });
    expect(fitHostSpread([pairs(MIN_PAIRS - 1, (i) => ({ write_us: i, sync_us: i }))], 0.5, 0.9)).toEqual({ reason: expect.stringContaining(`fewer than ${MIN_PAIRS}`) });
    // probes of fewer than MIN_GROUP_PAIRS give no correlation of their own
    expect(fitHostSpread(Array.from({ length: 10 }, () => pairs(MIN_GROUP_PAIRS - 1, (i) => ({ write_us: i, sync_us: i }))), 0.5, 0.9)).toEqual({ reason: expect.stringContaining('fewer than') });
    expect(fitHostSpread([pairs(MIN_PAIRS, (i) => ({ write_us: i, sync_us: i }))], 0, 0.9)).toEqual({ reason: expect.stringContaining('no spread to share') });
  });

  it('the correlation is taken within each probe: levels that differ between probes share nothing within an msync', () => {
    // within each probe the sync falls as the write rises (ρs = −1); pooled, the second probe's higher level would correlate them
    const a = pairs(60, (i) => ({ write_us: 100 + i, sync_us: 200 - i })), b = pairs(60, (i) => ({ write_us: 1000 + i, sync_us: 2000 - i }));
    expect(spearman([...a, ...b].map((p) => p.write_us), [...a, ...b].map((p) => p.sync_us))).toBeGreaterThan(0.4);
    expect(fitHostSpread([a, b], 0.5, 0.9)).toMatchObject({ spearman: -1, groups: 2, pairs: 120, host_cv: 0 });
    // two probes of ρs 1 and of ρs 1 − 6 × 60 / (60 × 3599) = 0.99833 (neighbours swapped), weighted 60 : 60
    const c = pairs(60, (i) => ({ write_us: i, sync_us: i % 2 === 0 ? i + 1 : i - 1 }));
    expect(fitHostSpread([a.map((p) => ({ ...p, sync_us: p.write_us })), c], 0.5, 0.9)).toMatchObject({ spearman: expect.closeTo((1 + 1 - 6 / 3599) / 2, 12) });
  });

  it('a time keeps its mean and its whole spread: own σ² + σh² = σ², so with the factor of mean 1 it is the lognormal measured (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0.05, max: 3, noNaN: true }), fc.double({ min: 0, max: 0.95, noNaN: true }), fc.double({ min: 1, max: 1e4, noNaN: true }), (cv, share, mean) => {
      const sh = share * sigmaOfCv(cv);
      const own = ownLatency({ dist: 'lognormal', mean_us: mean, cv }, sh);
      expect(own.mean_us).toBe(mean);
      // (1 + cv_own²)(1 + cv_host²) = 1 + cv²: the product of independent lognormals
      const ownCv = own.dist === 'lognormal' ? own.cv! : 0;
      if (own.dist === 'lognormal') expect(Math.abs((1 + ownCv ** 2) * (1 + cvOfSigma(sh) ** 2) - (1 + cv * cv))).toBeLessThan(0.005 * (1 + cv * cv));
    }), { numRuns: 300 });
    // all of it the host's: a constant at the mean
    expect(ownLatency({ dist: 'lognormal', mean_us: 100, cv: 0.75 }, sigmaOfCv(0.75))).toEqual({ dist: 'constant', mean_us: 100 });
    expect(ownLatency({ dist: 'constant', mean_us: 100 }, 0.3)).toEqual({ dist: 'constant', mean_us: 100 });
    expect(cvOfSigma(sigmaOfCv(0.42))).toBeCloseTo(0.42, 12);
  });

  it('splits the profile\'s keys: host_cv, the latencies\' and the FLUSH\'s own spreads, every mean kept', () => {
    const marginal = { write_cache: true, read_latency: { dist: 'lognormal', mean_us: 50, cv: 0.3 }, write_latency: { dist: 'lognormal', mean_us: 100, cv: 0.75 }, flush_us: 125, flush_empty_us: 100, flush_cv: 0.75 };
    const p = pairs(200, (i) => ({ write_us: 50 + i, sync_us: 60 + i }));
    const s = splitHostSpread(marginal, [p], 'test');
    expect(s.report.marginal).toEqual({ read_latency: marginal.read_latency, write_latency: marginal.write_latency, flush_cv: 0.75 });
    // ρ = 1, σw = σf: all the write's and the FLUSH's spread is the host's (cv 0.75 → σ² = ln 1.5625)
    expect(s.device.host_cv).toBe(0.75);
    expect(s.device.write_latency).toEqual({ dist: 'constant', mean_us: 100 });
    expect(s.device.flush_cv).toBe(0);
    expect(s.device.flush_us).toBe(125);
    expect(s.device.flush_empty_us).toBe(100);
    expect(s.device.read_latency).toEqual({ dist: 'constant', mean_us: 50 }); // σ of cv 0.3 is below σh: all of it
    expect(s.fitted['device.host_cv']).toMatchObject({ value: 0.75, n: 200 });
    // no write cache: no FLUSH to share with
    expect(splitHostSpread({ ...marginal, write_cache: false }, [p], 'test').device.host_cv).toBe(0);
    if (!isHostSpread(s.report.fit)) throw new Error('fit expected');
    expect(withHostSpread(marginal, { ...s.report.fit, sigma_host: 0 })).toEqual({ ...marginal, host_cv: 0 });
  });
});

describe('the session splits again from the whole spreads', () => {
  const lat = (p50: number) => ({ count: 1000, mean_us: p50, stddev_us: 0, p50_us: p50, p90_us: p50 * 1.2, p99_us: p50 * 2 });
  /** A calibration that split cv 0.5 writes and its FLUSH with host_cv 0.4. */
  function calibration(): Calibration {
    const marginal = { write_latency: { dist: 'lognormal', mean_us: 80, cv: 0.5 }, read_latency: { dist: 'lognormal', mean_us: 60, cv: 0.5 }, flush_us: 90, flush_empty_us: 70, flush_cv: 0.5 };
    const fit = { pairs: 500, groups: 5, spearman: 0.5, rho: 0.5176, sigma_write: sigmaOfCv(0.5), sigma_flush: sigmaOfCv(0.5), sigma_host: sigmaOfCv(0.4), host_cv: 0.4 };
    const device = withHostSpread({ profile: 'sata-ssd', channels: 4, write_cache: true, destage: 'continuous', media_write_us: 0, ...marginal }, fit);
    return {
      steps: [{ name: 'flush', kind: 'flush', bytes: 4096, depth: 1, iops: 0, latency: lat(70), sync: lat(60), writes: 1 }],
      fragment: { device }, fitted: { 'device.read_latency': { value: device.read_latency, r2: 1, n: 5, from: 'lat-read-*' } },
      fits: { write: { latency: { dist: 'lognormal', mean_us: 80, cv: 0.5 }, bandwidth_mbps: 250, r2: 1, n: 2 }, flush: { write_cache: true, flush_us: 90, write_cache_source: 'sysfs' }, flush_level: lat(60), flush_empty: lat(60), destage: null, host_spread: { fit, marginal } },
      size_bytes: 4 << 20, step_ms: 400, syncsim_version: 'test', fio_version: 'fio-test', dir: '/x', filesystem: 'ext4', block_device: null, quick: true,
      files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
    } as unknown as Calibration;
  }
  // fdatasyncs of 100 µs, a quarter of them 10 ms: p50 100, p99 10000, a FLUSH spread far above the writes'
  const probe = (pairs?: WriteSyncPair[]): SessionProbe => ({ label: 'p', at: '2026-12-03T12:00:00.000Z', us: Array.from({ length: 200 }, (_, i) => (i % 4 === 3 ? 10_000 : 100)), ...(pairs ? { pairs } : {}) });

  it('the read latency goes back to the calibration\'s whole spread and is split by the session\'s pairs; without enough pairs nothing is split', () => {
    const cal = calibration();
    expect(cal.fragment.device.host_cv).toBe(0.4);
    const corr = withSessionLevel(cal, [probe(Array.from({ length: 300 }, (_, i) => ({ write_us: 40 + i, sync_us: 45 + i })))])!;
    const d = corr.fragment.device;
    // ρ = 1: σh = min(√(σw σf), σw, σf) = σw, the σ of cv 0.5 (σf = ln 100 / 2.3263): the writes' and the reads' spread all the host's
    expect(d.host_cv).toBe(0.5);
    expect(d.read_latency).toEqual({ dist: 'constant', mean_us: 60 });
    expect(corr.fitted['device.read_latency']!.from).toMatch(/before its host share was taken out.*then its own share/);
    expect((corr.fits.host_spread!.marginal.read_latency)).toEqual({ dist: 'lognormal', mean_us: 60, cv: 0.5 });
    const none = withSessionLevel(cal, [probe()])!;
    expect(none.fragment.device.host_cv).toBe(0);
    expect(none.fragment.device.read_latency).toEqual({ dist: 'lognormal', mean_us: 60, cv: 0.5 });
  });
});

describe('probePairs on a version-3 I/O log as fio writes it', () => {
  it('times each write to the sync after it and that sync to the next write; a write followed by a write, or the last entry, makes no pair', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { probePairs } = await import('../scripts/validate/host-spread.ts');
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-host-spread-'));
    try {
      const log = join(dir, 'probe.iolog');
      writeFileSync(log, [
        'fio version 3 iolog',
        '10 /d/probe.dat add', '20 /d/probe.dat open',
        '100 /d/probe.dat write 4096 4096', '160 /d/probe.dat datasync 4096 0',
        '230 /d/probe.dat write 8192 4096', '300 /d/probe.dat write 0 4096', '350 /d/probe.dat datasync 0 0',
        '500 /d/probe.dat write 12288 4096', '590 /d/probe.dat datasync 12288 0',
        '700 /d/probe.dat close', '',
      ].join('\n'));
      // write 100 → sync 160 (60 µs), sync 160 → write 230 (70); write 300 → sync 350 (50), → 500 (150); write 500 → 590 (90), → close 700 (110)
      expect(await probePairs(log)).toEqual([{ write_us: 60, sync_us: 70, at_us: 100 }, { write_us: 50, sync_us: 150, at_us: 300 }, { write_us: 90, sync_us: 110, at_us: 500 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
