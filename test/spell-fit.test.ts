/**
 * The host's slow spells as the session's FLUSH probes meet them
 * (scripts/validate/spell-fit.ts, spell-session.ts): detection in a probe's
 * timeline, the session's three keys, and the probes without their spells.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitSpells, probeSpells, SPELL_MIN_SPAN_S, SPELL_SKIP_US } from '../scripts/validate/spell-fit.ts';
import { sessionSpells } from '../scripts/validate/spell-session.ts';
import type { SessionProbe } from '../scripts/validate/flush-level.ts';

/**
 * A probe's fdatasyncs: a 60 µs write then the sync, back to back, for
 * `seconds`; the sync takes 60 µs, or 300 µs (five times) inside the spans
 * `slow` ([from, to) in µs from the start).
 */
function loop(seconds: number, slow: [number, number][] = []): { issued: number[]; us: number[] } {
  const issued: number[] = [], us: number[] = [];
  for (let t = 60; t < seconds * 1e6; ) {
    const l = slow.some(([a, b]) => t >= a && t < b) ? 300 : 60;
    issued.push(t);
    us.push(l);
    t += l + 60;
  }
  return { issued, us };
}

const probe = (label: string, p: { issued: number[]; us: number[] }): SessionProbe =>
  ({ label, at: '2026-12-05T19:00:00.000Z', us: p.us, spells: probeSpells(p.issued, p.us) });

describe('probeSpells', () => {
  it('finds each spell of a steady loop, wherever it falls, from its first slow fdatasync to its last one\'s end, and its mean', () => {
    const p = loop(3, [[1_005_000, 1_045_000], [2_003_700, 2_023_700]]);
    const s = probeSpells(p.issued, p.us);
    expect(s.p50_us).toBe(60);
    expect(s.spells.length).toBe(2);
    const [a, b] = s.spells;
    // the loop's first entry at or after 1,005,000 is its first slow fdatasync; entries 360 µs apart inside the spell
    const firstA = p.issued.find((t) => t >= 1_005_000)!;
    const slowA = p.issued.filter((t, i) => t >= 1_005_000 && t < 1_045_000 && p.us[i] === 300);
    expect(a!.start_us).toBe(firstA);
    expect(a!.end_us).toBe(slowA.at(-1)! + 300);
    expect(a!.count).toBe(slowA.length);
    expect(a!.mean_us).toBe(300);
    expect(b!.end_us - b!.start_us).toBeGreaterThan(19_000);
    expect(b!.end_us - b!.start_us).toBeLessThan(20_700);
  });

  it('finds a spell of 10 ms, and one of 3 ms with its five slow fdatasyncs', () => {
    for (const [len, want] of [[10_000, 1], [1_900, 1], [1_400, 0]] as const) {
      const p = loop(2, [[1_234_500, 1_234_500 + len]]);
      const slow = p.us.filter((x) => x === 300).length;
      expect(probeSpells(p.issued, p.us).spells.length).toBe(slow >= 5 ? 1 : 0);
      expect(probeSpells(p.issued, p.us).spells.length).toBe(want);
    }
  });

  it('one run through a fast fdatasync in its midst; runs less than 20 ms apart one spell, with the fast fdatasyncs between in its mean', () => {
    const p = loop(2, [[500_000, 520_000]]);
    const k = p.issued.findIndex((t) => t >= 510_000);
    const oneFast = p.us.map((x, i) => (i === k ? 60 : x));
    expect(probeSpells(p.issued, oneFast).spells.length).toBe(1);
    const near = loop(2, [[500_000, 510_000], [525_000, 535_000]]);
    const s = probeSpells(near.issued, near.us).spells;
    expect(s.length).toBe(1);
    const inside = near.us.filter((_, i) => near.issued[i]! >= s[0]!.start_us && near.issued[i]! < s[0]!.end_us);
    expect(s[0]!.count).toBe(inside.length);
    expect(s[0]!.mean_us).toBeCloseTo(inside.reduce((a, b) => a + b, 0) / inside.length, 9);
    expect(s[0]!.mean_us).toBeGreaterThan(60);
    expect(s[0]!.mean_us).toBeLessThan(300);
    const far = loop(2, [[500_000, 510_000], [535_000, 545_000]]);
    expect(probeSpells(far.issued, far.us).spells.length).toBe(2);
  });

  it('leaves out the probe\'s first tens of ms, a single slow fdatasync and scattered slow ones', () => {
    const early = loop(3, [[0, SPELL_SKIP_US - 10_000]]);
    expect(probeSpells(early.issued, early.us).spells).toEqual([]);
    const blip = loop(3, [[1_000_000, 1_000_100]]);
    expect(probeSpells(blip.issued, blip.us).spells).toEqual([]);
    // a slow fdatasync every fourth: never two within one fast one of each other
    const p = loop(1);
    const every4 = p.us.map((x, i) => (i % 4 === 0 ? 300 : x));
    expect(probeSpells(p.issued, every4).spells).toEqual([]);
  });

  it('never throws and gives ordered spells within the probe on any timeline', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(5000), fc.integer({ min: 0, max: 5000 })), { maxLength: 400 }), (gapsAndLats) => {
      const issued: number[] = [], us: number[] = [];
      let t = 0;
      for (const [gap, l] of gapsAndLats) { t += gap; issued.push(t); us.push(l); t += l; }
      const s = probeSpells(issued, us);
      expect(s.span_us).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < s.spells.length; i++) {
        const x = s.spells[i]!;
        expect(x.end_us).toBeGreaterThan(x.start_us);
        expect(x.count).toBeGreaterThanOrEqual(5);
        if (i > 0) expect(x.start_us).toBeGreaterThanOrEqual(s.spells[i - 1]!.end_us);
      }
      expect(fitSpells([s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s])?.factor ?? 1).not.toBeNaN();
    }));
  });
});

describe('the session\'s spells', () => {
  it('rate, mean length and factor from the probes pooled, with the keys that would model them', () => {
    const probes = [probe('p1', loop(2, [[500_000, 540_000]])), probe('p2', loop(2, [[300_000, 320_000], [1_500_000, 1_530_000]]))];
    const k = sessionSpells(probes)!;
    expect(k.spells).toBe(3);
    expect(k.probes).toBe(2);
    // 3 spells in the probes' time (2 × (2 s − the skipped 60 ms))
    expect(k.span_s).toBeGreaterThan(3.8);
    expect(k.span_s).toBeLessThan(3.9);
    expect(k.rate_hz).toBeCloseTo(3 / k.span_s, 2);
    expect(k.mean_ms).toBeGreaterThan(29);
    expect(k.mean_ms).toBeLessThan(31);
    expect(k.factor).toBe(5);
    expect(k.share).toBeCloseTo((k.mean_ms * 3) / 1000 / k.span_s, 3);
    expect(k.keys).toEqual({ host_spell_rate_hz: k.rate_hz, host_spell_ms: k.mean_ms, host_spell_factor: 5 });
    expect(k.rule).toContain('at least 5 fdatasyncs');
  });

  it('no spells: rate 0 and factor 1; too little probe time or no timestamps: none', () => {
    const k = sessionSpells([probe('p1', loop(3))])!;
    expect(k.spells).toBe(0);
    expect(k.keys).toEqual({ host_spell_rate_hz: 0, host_spell_ms: 0, host_spell_factor: 1 });
    expect(sessionSpells([probe('p1', loop(SPELL_MIN_SPAN_S / 2))])).toBeNull();
    expect(fitSpells([])).toBeNull();
    expect(sessionSpells([{ label: 'old', at: '', us: [60, 60] }])).toBeNull();
  });
});
