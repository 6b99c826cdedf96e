/**
 * Bootstraps of one run's msyncs in blocks (scripts/compare/block-length.ts):
 * the block length against the theory of an AR(1) series, independent series
 * left one by one, the resample's shape, the width of the mean's interval
 * against the AR(1)'s standard error, and `compare` / `run --ci` on runs whose
 * msyncs move together.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK_MIN_VALUES, blockPlan, resampleBlocks } from '../scripts/compare/block-length.ts';

const blockLength = async (x: ArrayLike<number>) => (await blockPlan(x)).block;
import { bootstrapCi, bootstrapContrast, meanStat } from '../scripts/compare/stats.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { syncsimHere } from './cli-here.ts';

/** An AR(1) series x_t = φ x_{t−1} + e_t (e standard normal), started in its stationary law. */
function ar1(phi: number, n: number, seed: number): Float64Array {
  const g = new RandomStream(seed, 'test.ar1');
  const x = new Float64Array(n);
  let v = g.normal() / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    v = phi * v + g.normal();
    x[i] = v;
  }
  return x;
}

/**
 * The circular bootstrap's optimal block of an AR(1) by Politis & White's formula with the
 * series' true autocovariances γ(k) = σ² φ^|k|: G = 2σ² φ / (1 − φ)², the spectral sum
 * σ² (1 + φ) / (1 − φ), so b = (6 φ² / (1 − φ²)²)^(1/3) n^(1/3).
 */
const ar1Block = (phi: number, n: number) => Math.cbrt((6 * phi * phi) / (1 - phi * phi) ** 2) * Math.cbrt(n);

describe('block length (Politis & White, circular bootstrap)', () => {
  it('an AR(1) series gets the block its true autocovariances give, within 25 %', async () => {
    for (const [phi, n] of [[0.3, 5000], [0.5, 20000], [0.8, 20000]] as const) {
      const want = ar1Block(phi, n); // 14.8, 37.6, 84.0
      for (const seed of [1, 2, 3]) {
        const plan = await blockPlan(ar1(phi, n, seed));
        expect(plan.dependent).toBe(true);
        const b = plan.block;
        expect(b / want, `φ ${phi}, n ${n}, seed ${seed}: ${b} against ${want.toFixed(1)}`).toBeGreaterThan(0.75);
        expect(b / want, `φ ${phi}, n ${n}, seed ${seed}: ${b} against ${want.toFixed(1)}`).toBeLessThan(1.25);
      }
    }
  });

  it('independent values are resampled one by one (no autocorrelation among the first five is significant)', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const g = new RandomStream(seed, 'test.iid');
      expect(await blockPlan(Float64Array.from({ length: 2000 }, () => g.exponential(100))), `seed ${seed}`).toEqual({ block: 1, dependent: false, constant: false });
    }
  });

  it('values that alternate (negative autocorrelation) are dependent too, and get blocks', async () => {
    // φ −0.5: the same formula, b = (6 φ² / (1 − φ²)²)^(1/3) n^(1/3), 37.6 at n 20000
    const plan = await blockPlan(ar1(-0.5, 20000, 1));
    expect(plan.dependent).toBe(true);
    expect(plan.block / ar1Block(-0.5, 20000)).toBeGreaterThan(0.75);
    expect(plan.block / ar1Block(-0.5, 20000)).toBeLessThan(1.25);
  });

  it('a series whose lags of both signs cancel in the block length is still dependent', async () => {
    // x_t = e_t + e_{t−1} − e_{t−2} − e_{t−3}: ρ(1) = 1/4, ρ(2) = −1/2, ρ(3) = −1/4, so Σ ρ(k) k = 1/4 − 1 − 3/4 < 0 and Σ ρ(k) = −1/2
    const g = new RandomStream(3, 'test.cancel');
    const e = Float64Array.from({ length: 5003 }, () => g.normal());
    const x = Float64Array.from({ length: 5000 }, (_, t) => e[t + 3]! + e[t + 2]! - e[t + 1]! - e[t]!);
    const plan = await blockPlan(x);
    expect(plan.dependent).toBe(true);
    expect(plan.block).toBeGreaterThanOrEqual(1);
  });

  it('a constant series, or one too short to estimate from, gets 1', async () => {
    expect(await blockPlan(new Float64Array(500).fill(7))).toEqual({ block: 1, dependent: false, constant: true });
    expect(await blockPlan(ar1(0.9, BLOCK_MIN_VALUES - 1, 1))).toEqual({ block: 1, dependent: false, constant: false });
    expect(await blockPlan([])).toEqual({ block: 1, dependent: false, constant: false });
  });

  it('a constant series whose mean is not exactly its value (forty msyncs of 1.44 µs) is constant, not dependent', async () => {
    // the user's xnu run: every msync took 1.44 µs; the mean of forty 1.44s is not 1.44 in doubles, and the
    // autocorrelations of the rounding errors left over made the series "dependent", in blocks of 11
    const x = new Float64Array(40).fill(1.44);
    let sum = 0;
    for (const v of x) sum += v;
    expect(sum / x.length).not.toBe(1.44);
    expect(await blockPlan(x)).toEqual({ block: 1, dependent: false, constant: true });
    // one value apart is no longer constant
    x[17] = 1.45;
    expect((await blockPlan(x)).constant).toBe(false);
  });

  it('property: a whole number from 1 to min(3√n, n/3), the same for the series scaled by −4', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 400 }), fc.double({ min: -0.95, max: 0.95, noNaN: true }), async (noise, phi) => {
      // a little AR structure over arbitrary values, so that blocks above 1 are reached too
      const x = Float64Array.from(noise);
      for (let i = 1; i < x.length; i++) x[i] = phi * x[i - 1]! + x[i]!;
      const b = await blockLength(x);
      expect(Number.isInteger(b)).toBe(true);
      expect(b).toBeGreaterThanOrEqual(1);
      if (x.length >= BLOCK_MIN_VALUES) expect(b).toBeLessThanOrEqual(Math.ceil(Math.min(3 * Math.sqrt(x.length), x.length / 3)));
      expect(await blockLength(x.map((v) => -4 * v))).toBe(b);
    }), { numRuns: 200 });
  });
});

describe('circular block resampling', () => {
  it('blocks of 1 draw exactly as a bootstrap value by value does', () => {
    const src = Float64Array.from({ length: 37 }, (_, i) => i * 1.5);
    const a = new RandomStream(5, 's'), b = new RandomStream(5, 's');
    const out = new Float64Array(37);
    resampleBlocks(src, out, 1, () => a.uniform());
    expect(Array.from(out)).toEqual(Array.from(src, () => src[Math.floor(b.uniform() * src.length)]!));
  });

  it('blocks of L are runs of L consecutive values, wrapping past the end; the last one cut to fit', () => {
    const n = 23, block = 5;
    const src = Float64Array.from({ length: n }, (_, i) => i);
    const g = new RandomStream(9, 'blocks');
    const out = new Float64Array(n);
    resampleBlocks(src, out, block, () => g.uniform());
    for (let i = 0; i < n; i++) {
      if (i % block !== 0) expect(out[i], `place ${i}`).toBe((out[i - 1]! + 1) % n);
    }
  });

  it('the mean\'s interval of an AR(1) (φ 0.6) in blocks is within 20 % of its true width; value by value it is about half of it', async () => {
    const phi = 0.6, n = 2000;
    // the standard error of the mean of an AR(1): σ_x √((1 + φ) / ((1 − φ) n)), σ_x = 1 / √(1 − φ²)
    const se = Math.sqrt((1 + phi) / ((1 - phi) * n)) / Math.sqrt(1 - phi * phi);
    for (const seed of [1, 2, 3]) {
      const x = ar1(phi, n, seed);
      const block = await blockLength(x);
      expect(block).toBeGreaterThan(1);
      const [lo, hi] = (await bootstrapCi(x, meanStat, { reps: 2000, level: 0.95, seed: 1, block }))!;
      const [ilo, ihi] = (await bootstrapCi(x, meanStat, { reps: 2000, level: 0.95, seed: 1 }))!;
      const ratio = (hi - lo) / 2 / (1.96 * se), iidRatio = (ihi - ilo) / 2 / (1.96 * se);
      expect(ratio, `seed ${seed}, blocks of ${block}`).toBeGreaterThan(0.8);
      expect(ratio, `seed ${seed}, blocks of ${block}`).toBeLessThan(1.2);
      expect(iidRatio, `seed ${seed}`).toBeLessThan(0.6);
    }
  });

  it('a contrast over msyncs names its blocks when either is above 1, and not when both are 1', async () => {
    const a = ar1(0.6, 500, 1), b = ar1(0.6, 500, 2);
    const opts = { paired: false, reps: 200, level: 0.95, seed: 1, label: 'msyncs' };
    expect(bootstrapContrast(a, b, meanStat, { ...opts, blocks: [7, 1] }).resampled).toBe('msyncs in blocks of 7/1');
    const one = bootstrapContrast(a, b, meanStat, { ...opts, blocks: [1, 1] });
    expect(one.resampled).toBe('msyncs');
    // a wider interval in blocks, as the series' neighbours are alike
    const wide = bootstrapContrast(a, b, meanStat, { ...opts, blocks: [await blockLength(a), await blockLength(b)] });
    expect(wide.diff_ci![1] - wide.diff_ci![0]).toBeGreaterThan(1.3 * (one.diff_ci![1] - one.diff_ci![0]));
  });
});

describe('compare and run --ci on msyncs that move together', () => {
  // four tasks msync overlapping windows of one object at the same instants: under freebsd each
  // waits for the others' writes, and consecutive msyncs are alike (lag-1 autocorrelation 0.57)
  it('compare resamples them in blocks and says so; the Mann-Whitney line warns; run --ci records the block', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-blocks-'));
    const here = (args: string[]) => syncsimHere(args, d);
    expect((await here(['gen', 'shared-object', '--set', 'duration_s=2', '-o', 'so.csv'])).code).toBe(0);
    for (const [out, pers] of [['f', 'freebsd'], ['l', 'linux']]) {
      const r = await here(['run', 'so.csv', '--set', `personality=${pers}`, '--out', out!, '--ci', 'bootstrap', '--ci-reps', '200']);
      expect(r.code, r.stderr).toBe(0);
    }
    const f = JSON.parse(readFileSync(join(d, 'f', 'summary.json'), 'utf8')).sync.latency_ci_us;
    const l = JSON.parse(readFileSync(join(d, 'l', 'summary.json'), 'utf8')).sync.latency_ci_us;
    expect(f.block).toBeGreaterThan(1);
    expect(l.block).toBe(1);
    const r = await here(['compare', 'f', 'l', '--out', 'cmp']);
    expect(r.code, r.stderr).toBe(0);
    // one trace: the msyncs paired, the pairs resampled in blocks of their differences' own length (test/compare-paired.test.ts)
    const j = JSON.parse(readFileSync(join(d, 'cmp', 'compare.json'), 'utf8'));
    const pb = j.msync_pairing.block;
    expect(pb).toBeGreaterThan(1);
    expect(r.stdout).toMatch(new RegExp(`^sync\\.latency_us\\.p50 .* \\d+/\\d+ msyncs paired in blocks of ${pb}$`, 'm'));
    // linux's msyncs alternate (lag 2 −0.24, lag 3 +0.35): dependent, though their block rounds to 1
    expect(r.stdout).toMatch(/the test takes msyncs as independent, and those of both sides are not: p is too small if neighbours are alike, too large if they alternate; compare seeds\)$/m);
    expect(j.metrics.find((m: { metric: string }) => m.metric === 'sync.latency_us.mean')).toMatchObject({ block_a: f.block, block_b: 1, block_pairs: pb, resampled: `msyncs paired in blocks of ${pb}` });
    expect(j.latency_test).toMatchObject({ independent_a: false, independent_b: false });
    // against a run of another trace, each side's msyncs are resampled on their own, in blocks of its length
    expect((await here(['gen', 'shared-object', '--set', 'duration_s=2', '--seed', '2', '-o', 'so2.csv'])).code).toBe(0);
    expect((await here(['run', 'so2.csv', '--set', 'personality=linux', '--out', 'l2', '--ci', 'bootstrap', '--ci-reps', '200'])).code).toBe(0);
    const l2 = JSON.parse(readFileSync(join(d, 'l2', 'summary.json'), 'utf8')).sync.latency_ci_us;
    const u = await here(['compare', 'f', 'l2', '--out', 'cmp2']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(new RegExp(`^sync\\.latency_us\\.p50 .* \\d+/\\d+ msyncs in blocks of ${f.block}/${l2.block}$`, 'm'));
    const ju = JSON.parse(readFileSync(join(d, 'cmp2', 'compare.json'), 'utf8'));
    expect(ju.metrics.find((m: { metric: string }) => m.metric === 'sync.latency_us.mean')).toMatchObject({ block_a: f.block, block_b: l2.block, paired: false, resampled: `msyncs in blocks of ${f.block}/${l2.block}` });
  });

  it('a side whose msyncs all took one time is called constant, with what that means for the CIs and the test, not "not independent"', async () => {
    // the new user's trial: xnu skips the wired pages of a wired pool, and each of its 40 msyncs took 1.44 µs
    const d = mkdtempSync(join(tmpdir(), 'syncsim-constant-'));
    const here = (args: string[]) => syncsimHere(args, d);
    expect((await here(['gen', 'wired-pool', '--set', 'tasks=2', '--set', 'duration_s=2', '-o', 'wp.csv'])).code).toBe(0);
    for (const [out, pers] of [['l', 'linux'], ['x', 'xnu']]) expect((await here(['run', 'wp.csv', '--set', `personality=${pers}`, '--out', out!])).code).toBe(0);
    const xnu = readFileSync(join(d, 'x', 'syncs.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(',')[3]);
    expect(new Set(xnu)).toEqual(new Set(['1.44']));
    expect(xnu).toHaveLength(40);
    const r = await here(['compare', 'l', 'x', '--out', 'cmp']);
    expect(r.code, r.stderr).toBe(0);
    // one trace: paired, each difference the constant less A's msync (test/compare-paired.test.ts)
    expect(r.stdout).toMatch(/^sync\.latency_us\.mean .* 40\/40 msyncs paired, B constant$/m);
    expect(r.stdout).not.toMatch(/in blocks of|are not: p is too small/);
    expect(r.stdout).toContain("(side B's 40 msyncs all took 1.44 µs: a constant series, with no autocorrelation to speak of; every resample of it is that time, "
      + "so the CIs over msyncs are side A's spread alone, and the test asks only whether side A's msyncs lie above or below it; seeds tell whether it holds from run to run)");
    const j = JSON.parse(readFileSync(join(d, 'cmp', 'compare.json'), 'utf8'));
    expect(j.metrics.find((m: { metric: string }) => m.metric === 'sync.latency_us.mean')).toMatchObject({ block_a: 1, block_b: 1, constant_a: false, constant_b: true, resampled: 'msyncs paired' });
    expect(j.latency_test).toMatchObject({ independent_a: true, independent_b: true, constant_a: false, constant_b: true });
  });
});
