/**
 * syncsim compare refuses what would make a misleading table: too few
 * bootstrap resamples (the bound of run --ci-reps), and says why a metric has
 * no value. Each refusal exits 2 with one line and writes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bootstrapContrast, meanStat } from '../scripts/compare/stats.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const f64 = (a: number[]) => Float64Array.from(a);

describe('bootstrap resamples: 10 to 1000000, as run --ci-reps', () => {
  it('the statistics refuse fewer than 10 resamples (one resample is an interval [x, x] of one resampled difference)', () => {
    const a = f64([10, 12, 9, 14, 11]), b = f64([11, 13, 9, 15, 12]);
    const opts = (reps: number) => ({ paired: true, reps, level: 0.95, seed: 1, label: 'paired seeds' });
    for (const reps of [0, 1, 2, 9, 1.5, 1_000_001]) expect(() => bootstrapContrast(a, b, meanStat, opts(reps)), String(reps)).toThrow(RangeError);
    expect(bootstrapContrast(a, b, meanStat, opts(10)).diff_ci).not.toBeNull();
  });

  it('a percentile interval of a difference of means contains the difference (small samples, 200 resamples)', () => {
    // the resampled differences scatter around the difference of the sample means, so with 200 of them
    // the 2.5 % and 97.5 % points fall on either side of it; drawn from a fixed stream, 100 cases
    const g = new RandomStream(11, 'compare-refusals');
    for (let t = 0; t < 100; t++) {
      const n = 5 + (t % 6);
      const a = Float64Array.from({ length: n }, () => g.exponential(100)), b = Float64Array.from({ length: n }, () => g.exponential(100));
      for (const paired of [true, false]) {
        const c = bootstrapContrast(a, b, meanStat, { paired, reps: 200, level: 0.95, seed: t + 1, label: 'x' });
        const diff = b.reduce((s, x) => s + x, 0) / n - a.reduce((s, x) => s + x, 0) / n;
        expect(c.diff_ci![0], `case ${t}`).toBeLessThanOrEqual(diff + 1e-9);
        expect(c.diff_ci![1], `case ${t}`).toBeGreaterThanOrEqual(diff - 1e-9);
      }
    }
  });
});

describe('syncsim compare refusals', () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-compare-refusals-'));
  const here = (args: string[]) => syncsimHere(args, d);
  beforeAll(async () => {
    expect((await here(['run', DEMO, '--out', 'a', '--set', 'device.profile=queue'])).code).toBe(0);
    expect((await here(['run', DEMO, '--out', 'b', '--set', 'device.profile=queue', '--set', 'device.service.mean_us=101'])).code).toBe(0);
  });

  it('--reps below 10 or above 1000000 exits 2 naming the flag, and writes nothing; 10 is accepted', async () => {
    for (const reps of ['1', '2', '9', '0', '1000001', '2.5', 'many']) {
      const r = await here(['compare', 'a', 'b', '--reps', reps, '--out', 'x']);
      expect(r.code, reps).toBe(2);
      expect(r.stderr).toBe(`syncsim: --reps expects a whole number from 10 to 1000000 (got '${reps}')\n`);
      expect(r.stdout).toBe('');
      expect(existsSync(join(d, 'x')), reps).toBe(false);
    }
    const ok = await here(['compare', 'a', 'b', '--reps', '10', '--out', 'x', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).bootstrap).toEqual({ reps: 10, seed: 1 });
  });

  it('run --ci-reps and the library ci.reps keep the same bounds', async () => {
    const r = await here(['run', DEMO, '--out', 'c', '--ci', 'bootstrap', '--ci-reps', '9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: --ci-reps expects a whole number from 10 to 1000000 (got '9')\n");
    const { replay } = await import('../scripts/lib.ts');
    await expect(replay(DEMO, { ci: { reps: 9 } })).rejects.toThrow('ci.reps must be a whole number from 10 to 1000000 (got 9)');
  });
});

describe('syncsim compare: metrics a run has no value of', () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-compare-novalue-'));
  const here = (args: string[]) => syncsimHere(args, d);
  // every result code of every personality, written out here: the list the refusal must give
  const CODES = 'EAGAIN, EBUSY, EFAULT, EINVAL, EIO, ENOMEM, EPERM, KERN_INVALID_ADDRESS, KERN_INVALID_ARGUMENT, KERN_FAILURE, KERN_RESOURCE_SHORTAGE';
  beforeAll(async () => {
    expect((await here(['run', DEMO, '--out', 'a'])).code).toBe(0);
    // a page read and an msync of a clean mapping: an msync that succeeds, and no page made durable
    writeFileSync(join(d, 'ro.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,t,map,0x10000000,65536,,f.db,0\n10,t,read,0x10000000,4096,,,\n20,t,msync,0x10000000,65536,SYNC,,\n');
    expect((await here(['run', 'ro.csv', '--out', 'ro'])).code).toBe(0);
  });

  it('a result code no personality returns is refused with the list of those that exist, before anything is written', async () => {
    for (const m of ['sync.errors.EIOO', 'wire.errors.ENOMEMORY', 'sync.errors.eio']) {
      const r = await here(['compare', 'a', 'ro', '--metric', 'sync.count', '--metric', m, '--out', 'x']);
      expect(r.code, m).toBe(2);
      expect(r.stderr).toBe(`syncsim: --metric ${m}: unknown result code '${m.split('.').pop()}' (a run can return ${CODES})\n`);
      expect(existsSync(join(d, 'x')), m).toBe(false);
    }
    // a code that exists and no run returned counts 0 (as in a sweep's tables)
    const ok = await here(['compare', 'a', 'ro', '--metric', 'sync.errors.KERN_FAILURE', '--out', 'x', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).metrics[0]).toMatchObject({ a: 0, b: 0, diff: 0 });
  });

  it('a statistic of nothing names the side and what its run did not do (no page durable, no transaction); exit 2, nothing written', async () => {
    const ro = JSON.parse(readFileSync(join(d, 'ro', 'summary.json'), 'utf8'));
    expect(ro.durability.durable_pages).toBe(0);
    expect(ro.sync.ok).toBe(1);
    // the summary named as compare names its paths: relative inside the working directory (until 2026-12-06: absolute)
    const file = join('ro', 'summary.json');
    const b = await here(['compare', 'a', 'ro', '--metric', 'durability.lag_us.p99', '--out', 'y']);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(`syncsim: --metric durability.lag_us.p99: side B has no value: the run made no page durable (durability.durable_pages 0), in ${file}\n`);
    expect(existsSync(join(d, 'y'))).toBe(false);
    const a = await here(['compare', 'ro', 'a', '--metric', 'durability.lag_us.mean', '--out', 'y']);
    expect(a.stderr).toBe(`syncsim: --metric durability.lag_us.mean: side A has no value: the run made no page durable (durability.durable_pages 0), in ${file}\n`);
    // the demo has no x_txn column: no transaction on either side, A named first
    const t = await here(['compare', 'a', 'ro', '--metric', 'txn.latency_us.p50', '--out', 'y']);
    expect(t.stderr).toBe(`syncsim: --metric txn.latency_us.p50: side A has no value: the run committed no transaction (txn.count 0), in ${join('a', 'summary.json')}\n`);
    // a key summary.json does not have is named as missing, with the closest numbers of the run (until 2026-12-06: 'not a number')
    expect((await here(['compare', 'a', 'ro', '--metric', 'durability.lag_us.p98', '--out', 'y'])).stderr)
      .toBe(`syncsim: --metric durability.lag_us.p98: no such key in ${join('a', 'summary.json')}; did you mean durability.lag_us.p90 or durability.lag_us.p99?\n`);
    const typo = await here(['compare', 'a', 'ro', '--metric', 'sync.latncy_us.p99', '--out', 'y']);
    expect([typo.code, typo.stderr]).toEqual([2, `syncsim: --metric sync.latncy_us.p99: no such key in ${join('a', 'summary.json')}; did you mean sync.latency_us.p99?\n`]);
    // a run outside the working directory is named by its absolute path
    const elsewhere = mkdtempSync(join(tmpdir(), 'syncsim-compare-elsewhere-'));
    const outside = await syncsimHere(['compare', join(d, 'a'), join(d, 'ro'), '--metric', 'sync.latncy_us.p99', '--out', join(d, 'y')], elsewhere);
    expect(outside.stderr).toBe(`syncsim: --metric sync.latncy_us.p99: no such key in ${join(d, 'a', 'summary.json')}; did you mean sync.latency_us.p99?\n`);
    // a group of numbers is not a number
    expect((await here(['compare', 'a', 'ro', '--metric', 'sync.latency_us', '--out', 'y'])).stderr).toBe(`syncsim: --metric sync.latency_us: not a number in ${join('a', 'summary.json')}\n`);
    expect(existsSync(join(d, 'y'))).toBe(false);
    // the side that has one compares as before
    const ok = await here(['compare', 'a', 'a', '--metric', 'durability.lag_us.p99', '--out', 'y', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).metrics[0].diff).toBe(0);
  });
});
