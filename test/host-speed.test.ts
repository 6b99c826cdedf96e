/**
 * device.flush_cv_scope: host — one speed factor of the host, drawn when an
 * msync begins, multiplies every device time of that msync (command
 * latency, pipe and media transfer, the FLUSH's fixed cost), not its CPU
 * times (sim/device/host-speed.ts, media.ts, replay/task.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../sim/config.ts';
import { HostSpeed } from '../sim/device/host-speed.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { makeSampler } from '../sim/device/service.ts';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;

/** msyncs 20 ms apart, each after stores to `pages(i)` pages, every other page (one write each): nothing of one msync overlaps the next. */
function trace(n: number, pages: (i: number) => number) {
  const b = new TraceBuilder().map(0, A, 64 * PS, 'f');
  for (let i = 0; i < n; i++) {
    const t = 1000 + i * 20_000;
    for (let p = 0; p < pages(i); p++) b.op(t + p, 'write', A + 2 * p * PS, 8);
    b.op(t + 100, 'msync', A, 64 * PS, 'SYNC');
  }
  return b.rows;
}

/** A virtual disk's shape: every kind of device time, and CPU per call and per page. */
const DEVICE = {
  profile: 'sata-ssd', channels: 4, write_latency: { dist: 'constant', mean_us: 12 }, bandwidth_mbps: 400,
  write_cache: true, cache_mb: 64, media_mbps: 800, destage: 'on_flush', media_write_us: 6,
  submit_us: 3, submit_command_us: 1, flush_us: 150, flush_empty_us: 60,
};
const BASE = { personality: 'linux', replay: 'open', pagein: false, fs: { kind: 'ext4-nojournal' }, cpu: { syscall_us: 2, clean_page_us: 9, fault_page_us: 0 } };

/** µs each msync took, in order (each sent one FLUSH, after its writes and its inode block). */
function msyncUs(rows: ReturnType<typeof trace>, device: Record<string, unknown>, seed = 7): number[] {
  const o = simulate(rows, { ...BASE, seed, device: { ...DEVICE, ...device } });
  expect(o.result.device.flushes).toBe(o.syncs.length);
  return o.syncs.map((s) => (s.tDoneNs - s.tIssueNs) / 1000);
}

describe('HostSpeed', () => {
  it('without a sampler stays at 1, draws nothing and leaves times exact', () => {
    const h = new HostSpeed();
    h.syncBegins();
    expect(h.factor).toBe(1);
    fc.assert(fc.property(fc.nat(1e12), (ns) => h.scale(ns) === ns));
  });

  it('takes a new factor at each msync and scales to whole ns', () => {
    const draws = [1.25, 0.5];
    const h = new HostSpeed(() => draws.shift() as number);
    expect(h.factor).toBe(1);
    h.syncBegins();
    expect(h.scale(1001)).toBe(1251); // 1251.25
    h.syncBegins();
    expect(h.scale(1001)).toBe(501); // 500.5 rounds up
  });
});

describe('flush_cv_scope host: the whole msync slows by one factor', () => {
  const rows = trace(300, (i) => 1 + (i % 8));

  it('scope host with flush_cv 0 gives the results of the default scope (no draw)', () => {
    expect(msyncUs(rows, { flush_cv_scope: 'host', flush_cv: 0 })).toEqual(msyncUs(rows, {}));
    expect(resolveConfig({ device: { profile: 'sata-ssd' } }).device.flush_cv_scope).toBe('flush');
  });

  it('each msync takes its CPU time plus its nominal device time times the factor drawn when it began (submission, latency, transfers, destage and FLUSH alike)', () => {
    const nominal = msyncUs(rows, {});
    const host = msyncUs(rows, { flush_cv_scope: 'host', flush_cv: 0.3 });
    // the factors, from the stream the host draws from (device.flush), one per msync in issue order
    const draw = makeSampler({ dist: 'lognormal', mean_us: 1, cv: 0.3 }, new RandomStreams(7).get('device.flush'));
    expect(host).toHaveLength(300);
    for (let i = 0; i < host.length; i++) {
      const j = draw();
      // CPU: syscall_us 2 + clean_page_us 9 a page, before the writes go (one plug) and unscaled
      const cpu = 2 + 9 * (1 + (i % 8));
      // each of the msync's ~10 to 40 device stages rounds to a whole ns
      expect(Math.abs(host[i] - (cpu + (nominal[i] - cpu) * j))).toBeLessThan(0.05);
    }
  });

  it('the factors have mean 1 and the cv of flush_cv: the mean msync time stays, its device part spreads', () => {
    const one = trace(2000, () => 4);
    const nominal = msyncUs(one, {});
    const host = msyncUs(one, { flush_cv_scope: 'host', flush_cv: 0.3 });
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    const cpu = 2 + 4 * 9; // syscall_us + 4 pages of clean_page_us: not scaled
    const ratios = host.map((h, i) => (h - cpu) / (nominal[i] - cpu));
    const m = mean(ratios);
    const cv = Math.sqrt(mean(ratios.map((r) => (r - m) ** 2))) / m;
    expect(Math.abs(m - 1)).toBeLessThan(0.03); // standard error 0.3 / √2000 = 0.0067
    expect(Math.abs(cv - 0.3)).toBeLessThan(0.03);
    expect(new Set(nominal.map((x) => x.toFixed(3))).size).toBe(1); // without the host's spread every msync costs the same
  });

  it('under the default scope only the FLUSH varies: the rest of the msync keeps its nominal time', () => {
    const one = trace(200, () => 4);
    const nominal = msyncUs(one, {})[0];
    const flushOnly = msyncUs(one, { flush_cv: 0.3 });
    const draw = makeSampler({ dist: 'lognormal', mean_us: 1, cv: 0.3 }, new RandomStreams(7).get('device.flush'));
    // flush_us 150 after writes: the msync is its nominal time plus 150 × (draw − 1) µs
    for (const us of flushOnly) expect(Math.abs(us - (nominal + 150 * (draw() - 1)))).toBeLessThan(0.01);
  });

  it('the configuration refuses another scope, naming the key', () => {
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', flush_cv_scope: 'cpu' } })).toThrow(/device\.flush_cv_scope/);
  });
});
