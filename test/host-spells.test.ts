/**
 * device.host_spell_* — the host's slow spells as spans of simulated time
 * in which every device time that starts is host_spell_factor times as long
 * (sim/device/host-spells.ts, host-speed.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HostSpells, spellShare, spellsOn } from '../sim/device/host-spells.ts';
import { HostSpeed } from '../sim/device/host-speed.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { resolveConfig } from '../sim/config.ts';
import { identityConfig } from '../scripts/sweep/identity.ts';
import { Engine } from '../sim/engine/queue.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { makeHostSpeed } from '../sim/device/make.ts';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;
const MS = 1e6;

/** The factor of `h` sampled every `stepNs` up to `untilNs`. */
function sample(h: HostSpells, stepNs: number, untilNs: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < untilNs; t += stepNs) out.push(h.at(t));
  return out;
}

describe('HostSpells', () => {
  it('is off in every named profile and with any key at its neutral value', () => {
    for (const profile of ['nvme', 'sata-ssd', 'hdd', 'ram']) expect(spellsOn(resolveConfig({ device: { profile } }).device)).toBe(false);
    expect(spellsOn({ host_spell_rate_hz: 2, host_spell_ms: 40, host_spell_factor: 1 })).toBe(false);
    expect(spellsOn({ host_spell_rate_hz: 0, host_spell_ms: 40, host_spell_factor: 5 })).toBe(false);
    expect(spellsOn({ host_spell_rate_hz: 2, host_spell_ms: 0, host_spell_factor: 5 })).toBe(false);
    expect(spellsOn({ host_spell_rate_hz: 2, host_spell_ms: 40, host_spell_factor: 5 })).toBe(true);
  });

  it('spends rate × mean length of its time in spells, and begins rate spells a second (analytic, 2000 s)', () => {
    const k = { host_spell_rate_hz: 2, host_spell_ms: 40, host_spell_factor: 5 };
    const f = sample(new HostSpells(k, new RandomStream(11, 'device.spells')), 0.5 * MS, 2000e9);
    const inside = f.filter((x) => x === 5).length / f.length;
    expect(spellShare(k)).toBeCloseTo(0.08, 12);
    // the share of a stationary alternating renewal process: 0.08; ± 0.01 is over 5 standard errors here
    expect(Math.abs(inside - 0.08)).toBeLessThan(0.01);
    let starts = 0;
    for (let i = 1; i < f.length; i++) if (f[i] === 5 && f[i - 1] === 1) starts++;
    expect(Math.abs(starts / 2000 - 2)).toBeLessThan(0.15); // 4000 ± 63 (Poisson), sampling at 0.5 ms misses few
  });

  it('at their neutral values (0, 0, 1) a configuration keeps its sweep run identity; any other value is part of it', () => {
    const dev = (c: Record<string, unknown>) => (identityConfig(resolveConfig({ device: { profile: 'sata-ssd', ...c } })) as { device: Record<string, unknown> }).device;
    for (const k of ['host_spell_rate_hz', 'host_spell_ms', 'host_spell_factor']) expect(dev({})).not.toHaveProperty(k);
    const set = dev({ host_spell_rate_hz: 2, host_spell_ms: 30, host_spell_factor: 5 });
    expect([set.host_spell_rate_hz, set.host_spell_ms, set.host_spell_factor]).toEqual([2, 30, 5]);
  });

  it('gives only the factor or 1, and the same timeline for the same seed', () => {
    // any rate, and a length that puts a share of 0.1 % to 89 % of the time in spells
    fc.assert(fc.property(fc.double({ min: 0.1, max: 50, noNaN: true }), fc.double({ min: 0.001, max: 0.89, noNaN: true }), fc.double({ min: 0.1, max: 20, noNaN: true }), fc.nat(1000), (rate, share, factor, seed) => {
      const k = { host_spell_rate_hz: rate, host_spell_ms: share * 1000 / rate, host_spell_factor: factor };
      const a = sample(new HostSpells(k, new RandomStream(seed, 'device.spells')), 0.7 * MS, 3e9);
      const b = sample(new HostSpells(k, new RandomStream(seed, 'device.spells')), 0.7 * MS, 3e9);
      expect(a).toEqual(b);
      for (const x of a) expect(x === factor || x === 1).toBe(true);
    }), { numRuns: 40 });
  });

  it('multiplies the msync\'s own draw in HostSpeed', () => {
    let now = 0;
    const spells = new HostSpells({ host_spell_rate_hz: 1, host_spell_ms: 100, host_spell_factor: 4 }, new RandomStream(3, 'device.spells'));
    const h = new HostSpeed(() => 1.5, { timeline: spells, nowNs: () => now });
    h.syncBegins();
    const seen = new Set<number>();
    for (now = 0; now < 20e9; now += 3 * MS) seen.add(h.factor);
    // a tenth of the time in spells of 100 ms: in 20 s both cases are met, and nothing else
    expect([...seen].sort()).toEqual([1.5, 6]);
  });

  it('leaves the msync\'s own draws (stream device.host) as they are with spells on', () => {
    const cfg = (spells: boolean) => resolveConfig({ device: { profile: 'sata-ssd', host_cv: 0.3, ...(spells ? { host_spell_rate_hz: 5, host_spell_ms: 50, host_spell_factor: 3 } : {}) } });
    const factors = (spells: boolean) => {
      const engine = new Engine();
      const h = makeHostSpeed(cfg(spells), new RandomStreams(9), engine);
      const out: number[] = [];
      for (let i = 0; i < 400; i++) {
        engine.now = i * 7 * MS;
        h.syncBegins();
        out.push(h.factor);
      }
      return out;
    };
    const off = factors(false), on = factors(true);
    let inSpell = 0;
    for (let i = 0; i < off.length; i++) {
      if (on[i] === off[i]) continue;
      expect(on[i]).toBeCloseTo(off[i]! * 3, 12);
      inSpell++;
    }
    // 25 % of the time in spells: about 100 of 400 msyncs
    expect(inSpell).toBeGreaterThan(50);
    expect(inSpell).toBeLessThan(150);
  });

  it('refuses keys that would put more than 0.9 of the time in spells, naming the key', () => {
    expect(() => new HostSpells({ host_spell_rate_hz: 10, host_spell_ms: 95, host_spell_factor: 5 }, new RandomStream(1, 's'))).toThrow(RangeError);
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', host_spell_rate_hz: 10, host_spell_ms: 95, host_spell_factor: 5 } })).toThrow(/device\.host_spell_rate_hz.*0\.950 of the time/);
    expect(resolveConfig({ device: { profile: 'sata-ssd', host_spell_rate_hz: 10, host_spell_ms: 90, host_spell_factor: 5 } }).device.host_spell_ms).toBe(90);
    // a neutral factor turns spells off: no share to check
    expect(resolveConfig({ device: { profile: 'sata-ssd', host_spell_rate_hz: 10, host_spell_ms: 95, host_spell_factor: 1 } }).device.host_spell_rate_hz).toBe(10);
    for (const [key, bad] of [['host_spell_rate_hz', -1], ['host_spell_ms', 60_001], ['host_spell_factor', 0]] as const) {
      expect(() => resolveConfig({ device: { profile: 'sata-ssd', [key]: bad } })).toThrow(new RegExp(`device\\.${key}`));
    }
  });
});

describe('slow spells in a replay', () => {
  /** One-page msyncs 20 ms apart for `n` of them on a virtual disk's shape: µs each took. */
  function msyncs(n: number, device: Record<string, unknown>): number[] {
    const b = new TraceBuilder().map(0, A, 64 * PS, 'f');
    for (let i = 0; i < n; i++) {
      const t = 1000 + i * 20_000;
      b.op(t, 'write', A + (i % 64) * PS, 8);
      b.op(t + 100, 'msync', A, 64 * PS, 'SYNC');
    }
    const o = simulate(b.rows, {
      personality: 'linux', replay: 'open', pagein: false, seed: 5, fs: { kind: 'ext4-nojournal' }, cpu: { syscall_us: 2, clean_page_us: 9, fault_page_us: 0 },
      device: { profile: 'sata-ssd', channels: 4, write_latency: { dist: 'constant', mean_us: 40 }, flush_us: 60, flush_empty_us: 60, ...device },
    });
    return o.syncs.map((s) => (s.tDoneNs - s.tIssueNs) / 1000);
  }

  it('leaves a replay without spell keys exactly as it was, and makes the msyncs in spells factor times slower in their device part', () => {
    const base = msyncs(2000, {});
    expect(msyncs(2000, { host_spell_rate_hz: 0, host_spell_ms: 40, host_spell_factor: 5 })).toEqual(base);
    const spelled = msyncs(2000, { host_spell_rate_hz: 2, host_spell_ms: 40, host_spell_factor: 5 });
    const usual = base[0]!;
    expect(new Set(base).size).toBe(1); // constant times: every msync the same
    const slow = spelled.filter((x) => x > usual + 1);
    // 40 s of msyncs, 8 % of the time in spells: about 160 of 2000 msyncs begin in one (± 4 standard errors)
    expect(slow.length).toBeGreaterThan(100);
    expect(slow.length).toBeLessThan(230);
    // an msync wholly inside a spell: its CPU (2 + 9 + the inode's) as usual, its device times (write 40, FLUSH 60) × 5
    const most = Math.max(...spelled);
    expect(most).toBeGreaterThan(usual + 4 * 90);
    expect(most).toBeLessThan(usual * 5);
    for (const x of spelled) expect(x).toBeGreaterThanOrEqual(usual - 1e-9);
  });
});
