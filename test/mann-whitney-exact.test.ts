/**
 * The exact Mann–Whitney test of syncsim compare: p-values of small samples
 * without ties worked by hand (counting the orderings of the two samples),
 * the counts against a brute-force enumeration written here, the switch to
 * the normal approximation (ties, large samples), and the command saying
 * which it used.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mannWhitney, mannWhitneyCounts, normalTail } from '../scripts/compare/stats.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { syncsimHere } from './cli-here.ts';

/** Brute force: every choice of the ranks A takes among n1 + n2; U = pairs (a, b) with a above b. Counts of U = 0 .. n1 n2. */
function countsByEnumeration(n1: number, n2: number): number[] {
  const counts = new Array<number>(n1 * n2 + 1).fill(0);
  const n = n1 + n2;
  for (let mask = 0; mask < 1 << n; mask++) {
    let ones = 0;
    for (let k = 0; k < n; k++) if (mask & (1 << k)) ones++;
    if (ones !== n1) continue;
    // rank k (0 = smallest) is A's when bit k is set; each A value is above the B values below it
    let u = 0, bBelow = 0;
    for (let k = 0; k < n; k++) {
      if (mask & (1 << k)) u += bBelow;
      else bBelow++;
    }
    counts[u]!++;
  }
  return counts;
}

/** Two-sided p of U = u by enumeration: twice the smaller tail, at most 1. */
function pByEnumeration(u: number, n1: number, n2: number): number {
  const c = countsByEnumeration(n1, n2);
  const total = c.reduce((s, x) => s + x, 0);
  const below = c.slice(0, u + 1).reduce((s, x) => s + x, 0), above = c.slice(u).reduce((s, x) => s + x, 0);
  return Math.min(1, (2 * Math.min(below, above)) / total);
}

describe('Mann-Whitney exact p-values, by hand', () => {
  it('2 vs 2 fully separated: 1 ordering in C(4, 2) = 6 at each end, p = 2/6 (the normal approximation said 0.2453)', () => {
    const r = mannWhitney([100, 300], [1000, 3000]);
    expect(r).toMatchObject({ u: 0, method: 'exact' });
    expect(r.p).toBeCloseTo(2 / 6, 12);
    expect(mannWhitney([1000, 3000], [100, 300])).toMatchObject({ u: 4, method: 'exact' });
    expect(mannWhitney([1000, 3000], [100, 300]).p).toBeCloseTo(2 / 6, 12);
    // interleaved, U = 2 = n1 n2 / 2, the middle: p = 1
    expect(mannWhitney([1, 4], [2, 3])).toMatchObject({ u: 2, p: 1 });
  });

  it('3 vs 3 fully separated: p = 2 / C(6, 3) = 2/20; U = 2: P(U <= 2) = (1 + 1 + 2)/20, p = 0.4', () => {
    expect(mannWhitney([1, 2, 3], [4, 5, 6]).p).toBeCloseTo(0.1, 12);
    // A = [1, 2, 5], B = [3, 4, 6]: U = 2 (5 > 3, 5 > 4); orderings with U = 0, 1, 2 number 1, 1, 2 (2 = 2 + 0 or 1 + 1)
    const r = mannWhitney([1, 2, 5], [3, 4, 6]);
    expect(r.u).toBe(2);
    expect(r.p).toBeCloseTo(0.4, 12);
  });

  it('1 vs 5: U is uniform on 0..5, so U = 0 gives 2/6; 4 vs 4 separated 2/70; 5 vs 5 with U = 1: 2 * 2/252', () => {
    expect(mannWhitney([0], [1, 2, 3, 4, 5]).p).toBeCloseTo(2 / 6, 12);
    expect(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(2 / 70, 12);
    // U = 1 (6 > 5 only): orderings with U <= 1 are U = 0 (1) and U = 1 (1) of C(10, 5) = 252
    expect(mannWhitney([1, 2, 3, 4, 6], [5, 7, 8, 9, 10]).p).toBeCloseTo(4 / 252, 12);
  });

  it('the counts of U are those of a brute-force enumeration (n1, n2 up to 6), and sum to C(n1 + n2, n1)', () => {
    const binom = (n: number, k: number) => { let c = 1; for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i; return c; };
    for (let n1 = 1; n1 <= 6; n1++) for (let n2 = 1; n2 <= 6; n2++) {
      const c = Array.from(mannWhitneyCounts(n1, n2));
      expect(c, `${n1} vs ${n2}`).toEqual(countsByEnumeration(n1, n2));
      expect(c.reduce((s, x) => s + x, 0)).toBe(binom(n1 + n2, n1));
    }
  });

  it('random samples without ties: the p-value is the enumeration\'s', () => {
    const g = new RandomStream(5, 'mw-exact');
    for (let t = 0; t < 60; t++) {
      const n1 = 1 + (t % 6), n2 = 1 + Math.floor(t / 10);
      const a = Array.from({ length: n1 }, () => g.uniform()), b = Array.from({ length: n2 }, () => g.uniform() + 0.3);
      let u = 0;
      for (const x of a) for (const y of b) if (x > y) u++;
      const r = mannWhitney(a, b);
      expect(r.u, `case ${t}`).toBe(u);
      expect(r.method).toBe('exact');
      expect(r.p, `case ${t}`).toBeCloseTo(pByEnumeration(u, n1, n2), 12);
    }
  });

  it('ties or more than 2500 pairs: the normal approximation; at 50 vs 50 the exact p is close to it', () => {
    expect(mannWhitney([1, 2, 2], [3, 4]).method).toBe('normal');
    const seq = (n: number, from: number, step: number) => Array.from({ length: n }, (_, i) => from + i * step);
    // 51 x 50 = 2550 pairs
    expect(mannWhitney(seq(51, 0, 2), seq(50, 1, 2)).method).toBe('normal');
    const a = seq(50, 0, 2), b = seq(50, 9, 2); // interleaved, shifted: U well below 1250
    const exact = mannWhitney(a, b);
    expect(exact.method).toBe('exact');
    expect(exact.p).toBeGreaterThan(0);
    expect(Math.abs(exact.p - 2 * normalTail(Math.abs(exact.z)))).toBeLessThan(0.005);
  });
});

describe('syncsim compare says which Mann-Whitney p it printed', () => {
  it('two runs of 2 msyncs each, fully separated: p = 0.3333 (exact distribution of U), in the table and compare.json', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-mw-exact-'));
    // an msync of one page, then one of three pages apart: three writes on one channel, so 1 and 3 service times
    writeFileSync(join(d, 'two.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,t,map,0x10000000,65536,,f.db,0\n10,t,write,0x10000000,4096,,,\n'
      + '20,t,msync,0x10000000,65536,SYNC,,\n5000,t,write,0x10000000,4096,,,\n5001,t,write,0x10002000,4096,,,\n5002,t,write,0x10004000,4096,,,\n5010,t,msync,0x10000000,65536,SYNC,,\n');
    for (const [out, us] of [['fast', '100'], ['slow', '1000']]) {
      const r = await syncsimHere(['run', 'two.csv', '--out', out!, '--set', 'device.profile=queue', '--set', `device.service.mean_us=${us}`, '--set', 'device.channels=1'], d);
      expect(r.code, r.stderr).toBe(0);
    }
    const lat = (run: string) => readFileSync(join(d, run, 'syncs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[3]));
    const fast = lat('fast'), slow = lat('slow');
    // the premise: two msyncs a side, no ties, every fast one below every slow one
    expect(fast.length).toBe(2);
    expect(slow.length).toBe(2);
    expect(new Set([...fast, ...slow]).size).toBe(4);
    expect(Math.max(...fast)).toBeLessThan(Math.min(...slow));
    const r = await syncsimHere(['compare', 'fast', 'slow', '--out', 'cmp'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^msync latency distributions: two-sided Mann-Whitney p = 0\.3333 \(exact distribution of U\)$/m);
    const j = JSON.parse(readFileSync(join(d, 'cmp', 'compare.json'), 'utf8'));
    expect(j.latency_test).toMatchObject({ test: 'mann-whitney-u, two-sided, exact distribution of U', method: 'exact', n_a: 2, n_b: 2, u: 0 });
    expect(j.latency_test.p).toBeCloseTo(1 / 3, 12);
  });
});
