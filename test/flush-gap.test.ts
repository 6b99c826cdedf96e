/**
 * device.flush_gap: a FLUSH's fixed cost grows with the time since the
 * previous FLUSH (sim/device/flush-gap.ts, media.ts), and its fit from the
 * probe's samples (scripts/validate/flush-gap.ts), and the probe itself
 * (scripts/measure/flush-gap.c: a FLUSH alone). Expected values worked by hand.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../sim/config.ts';
import { flushGapFactor, flushGapProblem, NO_FLUSH_GAP } from '../sim/device/flush-gap.ts';
import { fitFlushGap, gapGrowth, gapPoints, isotonic, makeSideFile, measureFlushGap, parseGapSamples, type FlushGapFit, type GapSample } from '../scripts/validate/flush-gap.ts';
import { compileC } from '../scripts/measure/cpu-probe.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rig } from './device-rig.ts';

const TABLE = { gap_us: [100, 1000, 10_000], factor: [1, 1.5, 2] };

describe('flushGapFactor: linear in ln(gap) between the points, clamped at the ends', () => {
  it('is 1 with an empty table (the named profiles)', () => {
    expect(flushGapFactor(NO_FLUSH_GAP, 0)).toBe(1);
    expect(flushGapFactor(NO_FLUSH_GAP, 1e9)).toBe(1);
    expect(resolveConfig({ device: { profile: 'sata-ssd' } }).device.flush_gap).toEqual({ gap_us: [], factor: [] });
  });

  it('takes the first factor before the first point and the last after the last', () => {
    expect(flushGapFactor(TABLE, 0)).toBe(1);
    expect(flushGapFactor(TABLE, 100)).toBe(1);
    expect(flushGapFactor(TABLE, 10_000)).toBe(2);
    expect(flushGapFactor(TABLE, 1e8)).toBe(2);
  });

  it('halfway in ln(gap) is halfway in factor: √(100 × 1000) ≈ 316.2 µs → 1.25; 3162 µs → 1.75', () => {
    expect(flushGapFactor(TABLE, Math.sqrt(100 * 1000))).toBeCloseTo(1.25, 12);
    expect(flushGapFactor(TABLE, Math.sqrt(1000 * 10_000))).toBeCloseTo(1.75, 12);
    expect(flushGapFactor(TABLE, 1000)).toBe(1.5);
  });

  it('never decreases with the gap on a non-decreasing table (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(flushGapFactor(TABLE, lo)).toBeLessThanOrEqual(flushGapFactor(TABLE, hi) + 1e-12);
    }));
  });

  it('the configuration refuses tables of unequal length or gaps not ascending, naming the key', () => {
    expect(flushGapProblem({ gap_us: [1, 2], factor: [1] })?.key).toBe('factor');
    expect(flushGapProblem({ gap_us: [5, 5], factor: [1, 1] })?.key).toBe('gap_us');
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', flush_gap: { gap_us: [10, 100], factor: [1] } } })).toThrow(/key 'device\.flush_gap\.factor': must have one factor per gap_us entry \(got 1 factors for 2 gaps\)/);
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', flush_gap: { gap_us: [100, 10], factor: [1, 2] } } })).toThrow(/key 'device\.flush_gap\.gap_us': must be ascending \(entry 2, 10, is not above 100\)/);
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', flush_gap: { gap_us: [-1], factor: [1] } } })).toThrow(/key 'device\.flush_gap\.gap_us\.0': must be a number >= 0/);
    // interpolation is in ln(time): a first point at 0 would put most of the growth in the first microseconds
    expect(() => resolveConfig({ device: { profile: 'sata-ssd', flush_gap: { gap_us: [0, 1000], factor: [1, 2] } } })).toThrow(/key 'device\.flush_gap\.gap_us\.0': must be above 0 when the table has two or more points/);
    expect(resolveConfig({ device: { profile: 'sata-ssd', flush_gap: { gap_us: [0], factor: [1.5] } } }).device.flush_gap).toEqual({ gap_us: [0], factor: [1.5] });
  });
});

describe('the device: a FLUSH costs flush_us × the factor of the time since the previous FLUSH completed', () => {
  // no write cache contents, flush_empty_us 40 µs: each FLUSH costs 40 µs × factor
  const KEYS = { channels: 4, write_latency: { dist: 'constant', mean_us: 10 }, bandwidth_mbps: 0, write_cache: true, cache_mb: 1, media_mbps: 0, flush_us: 50, flush_empty_us: 40, flush_gap: TABLE };

  it('the first FLUSH counts from time 0; the next from the previous one\'s completion', () => {
    const r = rig('sata-ssd', KEYS);
    const f1 = r.io('flush', 0, 0, 0), f2 = r.io('flush', 0, 0, 0), f3 = r.io('flush', 0, 0, 0);
    r.at(50_000, f1); // 50 µs since 0: below the first point, × 1 → done at 90 µs
    r.at(1_090_000, f2); // 1000 µs after f1's completion: × 1.5 → 60 µs → done at 1150 µs
    r.at(1_150_000, f3); // right after f2: × 1 → done at 1190 µs
    r.eng.run();
    expect([f1.tDone, f2.tDone, f3.tDone]).toEqual([90_000, 1_150_000, 1_190_000]);
  });

  it('a FLUSH after writes pays the factor on flush_us, not on the destage', () => {
    // 100 MB/s media: a 1-page write (4096 B) destages in 40,960 ns; on_flush, media_write_us 9
    const r = rig('sata-ssd', { ...KEYS, media_mbps: 100, destage: 'on_flush', media_write_us: 9 });
    const w = r.io('write', 0, 0, 1);
    r.at(9_000_000, w); // in the cache at 9.01 ms, held for the FLUSH (on_flush)
    const f = r.io('flush', 0, 0, 0);
    r.at(10_000_000, f); // 10,000 µs since 0: × 2
    r.eng.run();
    expect(f.tDone).toBe(10_000_000 + 40_960 + 9_000 + 2 * 50_000);
  });

  it('a PREFLUSH write\'s flush that ends before a FLUSH in flight does not move the time back', () => {
    // flush_empty_us 400: FLUSH A at 10 ms, 10,000 µs since 0 → × 2 → 800 µs, done at 10.8 ms; PREFLUSH write B at 10.01 ms
    // (A not done: 0 since, × 1) → its flush done at 10.41 ms; FLUSH C at 10.8 ms: 0 since A → × 1 → done at 11.2 ms
    const r = rig('sata-ssd', { ...KEYS, flush_empty_us: 400 });
    const a = r.io('flush', 0, 0, 0), b = r.io('write', 0, 0, 1, { preflush: true }), c = r.io('flush', 0, 0, 0);
    r.at(10_000_000, a);
    r.at(10_010_000, b);
    r.at(10_800_000, c);
    r.eng.run();
    expect(a.tDone).toBe(10_800_000);
    expect(c.tDone).toBe(11_200_000);
  });

  it('an empty table leaves every FLUSH at its fixed cost (as before the key)', () => {
    const r = rig('sata-ssd', { ...KEYS, flush_gap: { gap_us: [], factor: [] } });
    const f1 = r.io('flush', 0, 0, 0), f2 = r.io('flush', 0, 0, 0);
    r.at(5_000_000, f1);
    r.at(20_000_000, f2);
    r.eng.run();
    expect([f1.tDone, f2.tDone]).toEqual([5_040_000, 20_040_000]);
  });
});

/** Samples of one mode: `n` copies of (since, sync). */
const mode = (writes: number, gap: number, since: number, sync: number, n = 3): GapSample[] =>
  Array.from({ length: n }, () => ({ writes, gap_us: gap, since_us: since, sync_us: sync }));

describe('fitting the probe: S(since, N) = c × factor(since) + N × destage', () => {
  it('parses the probe lines (ns to µs) and refuses a malformed one with its line number', () => {
    expect(parseGapSamples('1,0,58000,170500\n8,0,519000,275000\n')).toEqual([
      { writes: 1, gap_us: 0, since_us: 58, sync_us: 170.5 },
      { writes: 8, gap_us: 0, since_us: 519, sync_us: 275 },
    ]);
    expect(() => parseGapSamples('1,0,58000,170500\n1,0,x,1\n')).toThrow(/line 2/);
  });

  it('gapPoints takes the median of each mode', () => {
    const s = [...mode(1, 0, 60, 100, 1), ...mode(1, 0, 62, 110, 1), ...mode(1, 0, 70, 300, 1)];
    expect(gapPoints(s)).toEqual([{ writes: 1, gap_us: 0, n: 3, since_us: 62, sync_us: 110 }]);
  });

  it('isotonic pools adjacent violators: [1, 3, 2, 4] → [1, 2.5, 2.5, 4]', () => {
    expect(isotonic([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
    expect(isotonic([2, 1, 0])).toEqual([1, 1, 1]);
  });

  it('recovers a table and destage made by the model itself: c 100 µs, destage 5 µs, factor 1 / 2 / 3 at 100 / 1000 / 10000 µs', () => {
    // 1-write modes: S = 100 × f + 5 → 105, 205, 305
    // 8 writes at since 316.23 µs (halfway in ln between 100 and 1000 → f 1.5): 150 + 40 = 190
    // 32 writes at 3162.3 µs (f 2.5): 250 + 160 = 410
    const s = [...mode(1, 0, 100, 105), ...mode(1, 900, 1000, 205), ...mode(1, 9900, 10_000, 305), ...mode(8, 0, Math.sqrt(1e5), 190), ...mode(32, 0, Math.sqrt(1e7), 410)];
    const f = fitFlushGap(s) as FlushGapFit;
    expect(f.destage_us).toBeCloseTo(5, 2);
    expect(f.fixed_us).toBeCloseTo(100, 2);
    expect(f.table).toEqual({ gap_us: [100, 1000, 10_000], factor: [1, 2, 3] });
    expect(f.samples).toBe(15);
  });

  it('without modes of several writes, destage is 0 and the factors are the medians over the first', () => {
    const f = fitFlushGap([...mode(1, 0, 50, 80), ...mode(1, 1000, 1050, 120), ...mode(1, 4000, 4050, 100)]) as FlushGapFit;
    expect(f.destage_us).toBe(0);
    // 120 and 100 pooled to 110 (non-decreasing): factors 1, 1.375, 1.375
    expect(f.table).toEqual({ gap_us: [50, 1050, 4050], factor: [1, 1.375, 1.375] });
  });

  it('off the model: least squares over the (N − 1) writes beyond the 1-write FLUSH at the same time', () => {
    // S₁ 100 µs at 100 µs, 200 µs at 1000 µs; 8 writes at 1000 µs 280 (80 over S₁, 7 writes), 32 writes at 1000 µs 400 (200 over, 31 writes):
    // destage = (7·80 + 31·200) / (7² + 31²) = 6760 / 1010 = 6.6931; c = 100 − 6.6931 = 93.3069; factor at 1000 µs = 193.3069 / 93.3069 = 2.0718
    const f = fitFlushGap([...mode(1, 0, 100, 100), ...mode(1, 900, 1000, 200), ...mode(8, 0, 1000, 280), ...mode(32, 0, 1000, 400)]) as FlushGapFit;
    expect(f.destage_us).toBe(6.69);
    expect(f.fixed_us).toBe(93.31);
    expect(f.table).toEqual({ gap_us: [100, 1000], factor: [1, 2.072] });
  });

  it('says why not with fewer than two 1-write gaps, or when the writes\' destage passes the back-to-back FLUSH (the host moved mid-probe)', () => {
    expect(fitFlushGap(mode(1, 0, 50, 80))).toBe('the probe timed 1 gap of one write (at least two are needed)');
    expect(fitFlushGap([])).toBe('the probe timed 0 gaps of one write (at least two are needed)');
    // S₁ 50 and 120 µs; 32 writes at 2000 µs (past the last point: S₁ 120) took 2000: destage 31·1880 / 31² = 60.65 > 50
    expect(fitFlushGap([...mode(1, 0, 50, 50), ...mode(1, 1000, 1050, 120), ...mode(32, 0, 2000, 2000)])).toMatch(/^the writes' destage \(60\.65 µs each\) came out at or above the back-to-back FLUSH \(50\.00 µs\)/);
  });
});

describe('the probe (scripts/measure/flush-gap.c) times a FLUSH alone', () => {
  it('syncs its side file, which it never writes: the data file\'s writes change only the data file (so no inode write of theirs is in the fdatasync timed)', () => {
    const work = mkdtempSync(join(tmpdir(), 'syncsim-flushgap-'));
    try {
      const data = join(work, 'data.bin');
      writeFileSync(data, Buffer.alloc(1 << 20, 7));
      const side = makeSideFile(work);
      // mtimes the probe's writes would change (the kernel's coarse clock is far past them)
      utimesSync(side, new Date(1_000_000_000), new Date(1_000_000_000));
      utimesSync(data, new Date(1_000_000_000), new Date(1_000_000_000));
      const bin = compileC(fileURLToPath(new URL('../scripts/measure/flush-gap.c', import.meta.url)), join(work, 'flush-gap'));
      const r = spawnSync(bin, [data, '1', side], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(parseGapSamples(r.stdout)).toHaveLength(9 * 12);
      expect(statSync(side).mtimeMs).toBe(1_000_000_000);
      expect(readFileSync(side)).toEqual(Buffer.alloc(4096));
      expect(statSync(data).mtimeMs).toBeGreaterThan(1_000_000_000);
      expect(readFileSync(data).equals(Buffer.alloc(1 << 20, 7))).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('calibrate\'s step makes the side file in its own directory and says what it timed', async () => {
    const work = mkdtempSync(join(tmpdir(), 'syncsim-flushgap-'));
    try {
      const data = join(work, 'data.bin');
      writeFileSync(data, Buffer.alloc(1 << 20, 7));
      const r = await measureFlushGap(work, data, 1);
      expect(r.note).toBe(`probe flush-gap.c, 1 rounds, writes to ${data}, a FLUSH alone by fdatasync of an untouched side file`);
      expect(r.samples).toHaveLength(9 * 12);
      expect(readFileSync(join(work, 'flush-gap-side.bin'))).toEqual(Buffer.alloc(4096));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('refuses to run without the side file (usage, exit 2), and the side file is never made over an existing file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'syncsim-flushgap-'));
    try {
      const bin = compileC(fileURLToPath(new URL('../scripts/measure/flush-gap.c', import.meta.url)), join(work, 'flush-gap'));
      const r = spawnSync(bin, [join(work, 'x'), '1'], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('usage: flush-gap FILE ROUNDS SIDE\n');
      writeFileSync(join(work, 'flush-gap-side.bin'), 'mine');
      expect(() => makeSideFile(work)).toThrow(/EEXIST/);
      expect(readFileSync(join(work, 'flush-gap-side.bin'), 'utf8')).toBe('mine');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('whether the table goes in the profile: the FLUSH after long gaps clearly above the back-to-back one', () => {
  it('the test is one-sided, by hand: long gaps 4, 5, 6 µs against back to back 1, 2, 3 (one round): U = 9, z = (9 − 4.5 − 0.5) / √5.25 = 1.746, p = 0.0404; the other way round p = 0.9596', () => {
    const one = (b: number[], l: number[]): GapSample[] => [...b.map((v) => ({ writes: 1, gap_us: 0, since_us: 60, sync_us: v })), ...l.map((v) => ({ writes: 1, gap_us: 4000, since_us: 4060, sync_us: v }))];
    expect(gapGrowth(one([1, 2, 3], [4, 5, 6])).p).toBeCloseTo(0.0404, 3);
    expect(gapGrowth(one([4, 5, 6], [1, 2, 3])).p).toBeCloseTo(0.9596, 3);
    // all alike: no spread to test, p 0.5
    expect(gapGrowth(one([1, 1, 1], [1, 1, 1])).p).toBeCloseTo(0.5, 8);
  });

  // one round: each mode's 12 samples in the probe's order, the back-to-back FLUSH at b µs and the long gaps' at l
  const round = (b: number, l: number): GapSample[] => [[1, 0], [1, 500], [1, 1000], [1, 2000], [1, 4000], [1, 8000], [1, 16000], [8, 0], [32, 0]].flatMap(([w, g]) =>
    Array.from({ length: 12 }, (_, i) => ({ writes: w!, gap_us: g!, since_us: g! + 60, sync_us: (g! >= 4000 ? l : b) + (i % 4) })));

  it('growth in every round and a small p: clear (the old probe\'s inode write looked so: 49 → 120 µs)', () => {
    const g = gapGrowth([...round(50, 120), ...round(52, 118), ...round(49, 121)]);
    // back to back: 36 samples, 49 ×3, 50 ×6, 51 ×6, 52 ×9, ...: the 18th and 19th are 52; long: 108, the 54th and 55th are 121
    expect(g).toMatchObject({ clear: true, rounds: 3, rounds_up: 3, back_to_back_us: 52, long_us: 121 });
    expect(g.p).toBeLessThan(1e-6);
    expect(g.why).toMatch(/^the FLUSH after 4 ms and more \(median 121 µs\) above the back-to-back one \(52 µs\) in every round \(3 of 3\), rank-sum p .* < 0\.001$/);
  });

  it('one slow moment of the host in one round is not growth; nor is a flat FLUSH', () => {
    const once = gapGrowth([...round(60, 60), ...round(44, 60), ...round(60, 60)]);
    expect(once.clear).toBe(false);
    expect(once.rounds_up).toBe(1);
    const flat = gapGrowth([...round(60, 60), ...round(60, 60)]);
    expect(flat).toMatchObject({ clear: false, rounds: 2 });
    expect(flat.why).toMatch(/^not clearly growing: after 4 ms and more a median of 61\.5 µs against 61\.5 back to back, above it in 0 of 2 rounds, rank-sum p 0\.\d{3} \(the table goes in the profile when p < 0\.001 and every round is above\)$/);
  });
});
