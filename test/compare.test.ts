/**
 * syncsim compare: the statistics (Mann-Whitney U with ties, bootstrap CIs
 * paired by seed or not) against hand-computed values, and the command on
 * run directories and sweep points.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { vegaLiteValidator } from './vega-schema.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bootstrapContrast, leastForQuantile, mannWhitney, meanStat, normalTail, quantile, quantileStat, tInterval } from '../scripts/compare/stats.ts';
import { syncsimHere } from './cli-here.ts';
import { SMALL_TRACE } from './out-fixtures.ts';
import { compareCdfChart } from '../reports/charts/compare-cdf.ts';
import { THEMES } from '../reports/theme.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const f64 = (a: number[]) => Float64Array.from(a);

describe('compare statistics', () => {
  it('normal tail: P(Z > 0) = 0.5, P(Z > 1.96) = 0.025', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 7);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(-1.959964)).toBeCloseTo(0.975, 6);
  });

  it('Mann-Whitney: [1,2,3] vs [4,5,6] gives U = 0, z = (0 - 4.5 + 0.5) / sqrt(5.25), and (no ties, small) the exact p = 2 / C(6, 3)', () => {
    const r = mannWhitney([1, 2, 3], [4, 5, 6]);
    expect(r.u).toBe(0);
    expect(r.z).toBeCloseTo(-4 / Math.sqrt(5.25), 9);
    // one ordering in 20 gives U = 0, one U = 9: two-sided 2/20; the normal approximation said 0.0809
    expect(r).toMatchObject({ method: 'exact' });
    expect(r.p).toBeCloseTo(0.1, 12);
    // symmetric: the other way round U = 9, the same p
    expect(mannWhitney([4, 5, 6], [1, 2, 3])).toMatchObject({ u: 9, p: r.p });
  });

  it('Mann-Whitney with ties: mid-ranks and the tie-corrected variance; all equal gives p = 1', () => {
    // a = [1, 2, 2], b = [2, 3]: ranks 1 | 2,3,4 (the three 2s share 3) | 5 -> R_a = 1 + 3 + 3 = 7, U = 7 - 6 = 1
    // variance = (3*2/12) * (6 - (27 - 3) / (5*4)) = 0.5 * (6 - 1.2) = 2.4; z = (1 - 3 + 0.5) / sqrt(2.4)
    const r = mannWhitney([1, 2, 2], [2, 3]);
    expect(r.u).toBe(1);
    expect(r.z).toBeCloseTo(-1.5 / Math.sqrt(2.4), 9);
    // ties: the normal approximation, whatever the size
    expect(r.method).toBe('normal');
    expect(r.p).toBeCloseTo(2 * normalTail(1.5 / Math.sqrt(2.4)), 9);
    expect(mannWhitney([1, 1], [1, 1]).p).toBe(1);
  });

  it('the figure writes a p-value of 0 (below a double) as below 10⁻³⁰⁰ (the table: 1e-300)', () => {
    const side = (label: string) => ({ label, latencies: Float64Array.from([1, 2, 3]) });
    expect(compareCdfChart({ a: side('A'), b: side('B'), p: 0 }, THEMES.paper).caption).toContain('Mann–Whitney p < 10⁻³⁰⁰');
    expect(compareCdfChart({ a: side('A'), b: side('B'), p: 0.5 }, THEMES.paper).caption).toContain('Mann–Whitney p = 0.5000');
    // in the figure: under the plot, where no curve runs; the curves' ends a few px inside the frame
    const spec = compareCdfChart({ a: side('A'), b: side('B'), p: 0.5 }, THEMES.paper).spec(300, 200);
    expect(spec.title).toMatchObject({ text: ['Mann–Whitney p = 0.5000; n = 3 and 3 msyncs'], orient: 'bottom' });
    // msyncs pooled from several seeds: the figure says from how many runs
    const pooled = compareCdfChart({ a: { ...side('A'), runs: 3 }, b: { ...side('B'), runs: 3 }, p: 0.5 }, THEMES.paper).spec(300, 200);
    expect((pooled.title as { text: string[] }).text.join(' ')).toBe('Mann–Whitney p = 0.5000; n = 3 and 3 msyncs (pooled from 3 and 3 runs)');
    expect((spec.layer as { mark: { type: string } }[]).map((l) => l.mark.type)).toEqual(['line']);
    expect(JSON.stringify(spec)).toContain('"scale":{"domain":[0,1],"padding":4}');
  });

  it('quantile interpolates between order statistics', () => {
    expect(quantile(f64([10, 20, 30, 40]), 0.5)).toBe(25);
    expect(quantile(f64([10, 20, 30, 40]), 1)).toBe(40);
  });

  it('bootstrap: paired identical sides have a CI of exactly 0 and ratio 1; a shift is inside its CI; seeded', () => {
    const a = f64([10, 12, 9, 14, 11]);
    const same = bootstrapContrast(a, a, meanStat, { paired: true, reps: 500, level: 0.95, seed: 3, label: 'paired seeds' });
    expect(same.diff_ci).toEqual([0, 0]);
    expect(same.ratio_ci).toEqual([1, 1]);
    const b = f64([...a].map((v) => v + 5));
    const c = bootstrapContrast(a, b, meanStat, { paired: true, reps: 500, level: 0.95, seed: 3, label: 'paired seeds' });
    expect(c.diff).toBeCloseTo(5, 12);
    expect(c.diff_ci![0]).toBeCloseTo(5, 12); // every pair differs by exactly 5
    expect(c.diff_ci![1]).toBeCloseTo(5, 12);
    const d = bootstrapContrast(a, b, meanStat, { paired: false, reps: 500, level: 0.95, seed: 3, label: 'independent seeds' });
    expect(d.diff_ci![0]).toBeLessThan(5);
    expect(d.diff_ci![1]).toBeGreaterThan(5);
    expect(bootstrapContrast(a, b, meanStat, { paired: false, reps: 500, level: 0.95, seed: 3, label: 'independent seeds' })).toEqual(d);
    // one value per side: nothing to resample
    expect(bootstrapContrast(f64([1]), f64([2]), meanStat, { paired: false, reps: 10, level: 0.95, seed: 1, label: 'x' })).toMatchObject({ diff: 1, ratio: 2, diff_ci: null, resampled: 'none' });
    // one run on one side only: no interval either (the one side's spread is unknown, not 0)
    expect(bootstrapContrast(f64([966.5]), f64([964.2, 964.3]), meanStat, { paired: false, reps: 500, level: 0.95, seed: 1, label: 'independent seeds' })).toMatchObject({ diff_ci: null, ratio_ci: null, resampled: 'none' });
    expect(bootstrapContrast(f64([10, 12, 9]), f64([15]), meanStat, { paired: false, reps: 500, level: 0.95, seed: 1, label: 'independent seeds' }).diff_ci).toBeNull();
  });

  it('fewer than 5 seeds a side: the difference\'s CI is Student t\'s (worked by hand), not a bootstrap\'s, and the ratio has none', () => {
    // paired: d = [1, 2, 2], mean 5/3, sd √(1/3), se 1/3, t(0.975, 2) = 4.3027: 5/3 ± 1.43422
    const c = bootstrapContrast(f64([1, 2, 3]), f64([2, 4, 5]), meanStat, { paired: true, reps: 500, level: 0.95, seed: 1, label: 'paired seeds' });
    expect(c.resampled).toBe('paired seeds, Student t (n < 5)');
    expect(c.diff_ci![0]).toBeCloseTo(0.23245, 4);
    expect(c.diff_ci![1]).toBeCloseTo(3.10088, 4);
    expect(c.ratio_ci).toBeNull();
    expect(tInterval(f64([1, 2, 3]), f64([2, 4, 5]), true, 0.95)).toEqual(c.diff_ci);
    // Welch: variances 1 and 4, se √(5/3) = 1.29099, df 2.94: centred on 4, half-width between t(0.975, 3) and t(0.975, 2) times se
    const w = tInterval(f64([1, 2, 3]), f64([4, 6, 8]), false, 0.95)!;
    expect((w[0] + w[1]) / 2).toBeCloseTo(4, 12);
    expect((w[1] - w[0]) / 2).toBeGreaterThan(3.1824 * 1.29099);
    expect((w[1] - w[0]) / 2).toBeLessThan(4.3027 * 1.29099);
    // two seeds: the bootstrap could only return the range of the two differences; t's interval is far wider
    const two = bootstrapContrast(f64([100, 110]), f64([175, 186]), meanStat, { paired: true, reps: 500, level: 0.95, seed: 1, label: 'paired seeds' });
    expect(two.diff_ci![1] - two.diff_ci![0]).toBeGreaterThan(10 * (76 - 75));
    // 5 seeds and more: the bootstrap as before
    expect(bootstrapContrast(f64([1, 2, 3, 4, 5]), f64([2, 3, 4, 5, 7]), meanStat, { paired: true, reps: 200, level: 0.95, seed: 1, label: 'paired seeds' }).resampled).toBe('paired seeds');
  });

  it('a quantile of fewer than 5 values a side has no CI at all (a bootstrap of 2 or 3 msyncs would be far too narrow); 5 and more are resampled', () => {
    const p50 = quantileStat(0.5);
    const few = bootstrapContrast(f64([8952, 9100, 8800]), f64([8977, 9050, 9300]), p50, { paired: false, reps: 500, level: 0.95, seed: 1, label: 'msyncs' });
    expect(few).toMatchObject({ a: 8952, b: 9050, diff: 98, diff_ci: null, ratio_ci: null, resampled: 'msyncs, too few to resample (n < 5)' });
    const enough = bootstrapContrast(f64([1, 2, 3, 4, 5]), f64([2, 3, 4, 5, 7]), p50, { paired: false, reps: 200, level: 0.95, seed: 1, label: 'msyncs' });
    expect(enough.resampled).toBe('msyncs');
    expect(enough.diff_ci).not.toBeNull();
    // a tail quantile needs 1 / (1 − q) values a side: p99 of 50 msyncs has none, of 100 a bootstrap's
    expect([leastForQuantile(0.5), leastForQuantile(0.9), leastForQuantile(0.99), leastForQuantile(0.999)]).toEqual([5, 10, 100, 1000]);
    const p99 = quantileStat(0.99);
    const fifty = Float64Array.from({ length: 50 }, (_, i) => 100 + i);
    expect(bootstrapContrast(fifty, fifty, p99, { paired: false, reps: 100, level: 0.95, seed: 1, label: 'msyncs', minN: 100 }))
      .toMatchObject({ diff_ci: null, ratio_ci: null, resampled: 'msyncs, too few to resample (n < 100)' });
    const hundred = Float64Array.from({ length: 100 }, (_, i) => 100 + i);
    expect(bootstrapContrast(hundred, hundred, p99, { paired: false, reps: 100, level: 0.95, seed: 1, label: 'msyncs', minN: 100 }).resampled).toBe('msyncs');
  });
});

describe('syncsim compare', () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-compare-'));
  const here = (args: string[]) => syncsimHere(args, d);

  it('two run directories: metrics with CIs over msyncs, the Mann-Whitney test, compare.json and the chart', async () => {
    expect((await here(['run', DEMO, '--out', 'a', '--set', 'device.profile=queue'])).code).toBe(0);
    expect((await here(['run', DEMO, '--out', 'b', '--set', 'device.profile=queue', '--set', 'device.service.mean_us=200'])).code).toBe(0);
    const r = await here(['compare', 'a', 'b', '--out', 'cmp']);
    expect(r.code, r.stderr).toBe(0);
    // one trace replayed by both: the msyncs paired (test/compare-paired.test.ts)
    expect(r.stdout).toMatch(/^sync\.latency_us\.p50 .* msyncs paired( in blocks of \d+)?$/m);
    // constant service times: many msyncs tie, so the normal approximation, and the table says so
    expect(r.stdout).toMatch(/two-sided Mann-Whitney p = \S+ \(normal approximation\)$/m);
    // one run a side: the CIs over msyncs are the spread within this trace, not from run to run, and the table says so
    expect(r.stdout).toContain("\n  (one run a side: the CIs over msyncs and the test measure the spread among this trace's msyncs in these two runs, not from run to run; give each side two seeds or more, or compare two points of a sweep, for that)\n");
    const j = JSON.parse(readFileSync(join(d, 'cmp', 'compare.json'), 'utf8'));
    const sa = JSON.parse(readFileSync(join(d, 'a', 'summary.json'), 'utf8')), sb = JSON.parse(readFileSync(join(d, 'b', 'summary.json'), 'utf8'));
    const p50 = j.metrics.find((m: { metric: string }) => m.metric === 'sync.latency_us.p50');
    expect(p50).toMatchObject({ a: sa.sync.latency_us.p50, b: sb.sync.latency_us.p50, diff: sb.sync.latency_us.p50 - sa.sync.latency_us.p50, paired: true });
    expect(p50.resampled).toMatch(/^msyncs paired/);
    expect(p50.diff_ci[0]).toBeLessThanOrEqual(p50.diff_ci[1]);
    const wb = j.metrics.find((m: { metric: string }) => m.metric === 'writeback.bytes');
    expect(wb).toMatchObject({ diff_ci: null, resampled: 'none' });
    // a doubled service time: B's msyncs are slower, clearly
    expect(j.latency_test.p).toBeLessThan(1e-6);
    expect(j.latency_test).toMatchObject({ test: 'mann-whitney-u, two-sided, normal approximation', method: 'normal' });
    expect(j.latency_test.n_a).toBe(sa.sync.ok);
    for (const f of j.files) expect(existsSync(join(d, 'cmp', f)), f).toBe(true);
    // the figure names each side by its directory and what differs: the service time, 100 µs by default (README), 200 in b
    const fig = JSON.parse(readFileSync(join(d, 'cmp', 'compare-cdf.vl.json'), 'utf8'));
    // a spec Vega-Lite takes as written (its colour scale holds its domain and range, nothing of ours)
    const validateVl = vegaLiteValidator();
    expect(validateVl(fig), JSON.stringify(validateVl.errors?.slice(0, 3))).toBe(true);
    expect(fig.layer[0].encoding.color.scale.domain).toEqual(['A: a (mean service time 100 µs)', 'B: b (mean service time 200 µs)']);
    // --json prints compare.json
    const js = await here(['compare', 'a', 'b', '--out', 'cmp', '--json', '--metric', 'sync.count']);
    expect(JSON.parse(js.stdout).metrics.map((m: { metric: string }) => m.metric)).toEqual(['sync.count']);
    // a result code neither run returned counts 0, as in a sweep's tables; a name that is no code is refused with the codes (compare-refusals.test.ts)
    const eio = await here(['compare', 'a', 'b', '--out', 'cmp', '--json', '--metric', 'sync.errors.EIO']);
    expect(eio.code, eio.stderr).toBe(0);
    expect(JSON.parse(eio.stdout).metrics[0]).toMatchObject({ metric: 'sync.errors.EIO', a: 0, b: 0 });
    expect((await here(['compare', 'a', 'b', '--out', 'cmp', '--metric', 'sync.errors.eio'])).stderr).toMatch(/^syncsim: --metric sync\.errors\.eio: unknown result code 'eio' \(a run can return EAGAIN, /);
  });

  it('two points of a sweep: the CIs resample seeds, paired when both points ran the same seeds', async () => {
    cpSync(DEMO, join(d, 'demo.csv'));
    writeFileSync(join(d, 'exp.yaml'), 'name: cmp\ntrace: { path: demo.csv }\nbase: { device.profile: queue, device.service.dist: exponential, device.service.mean_us: 100 }\n'
      + 'grid:\n  device.channels: [1, 2]\nseeds: 3\nmetrics: [sync.latency_us.p99]\n');
    const sw = await here(['sweep', 'exp.yaml', '--out', 'sw']);
    expect(sw.code, sw.stderr).toBe(0);
    const r = await here(['compare', 'sw@device.channels=1', 'sw@2', '--out', 'cmp2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.a.runs.map((x: { seed: number }) => x.seed).sort()).toEqual([1, 2, 3]);
    expect(j.b.label).toBe('device.channels=2');
    // 3 seeds: too few to resample; the difference's CI is Student t's, the ratio has none
    expect(j.metrics.every((m: { resampled: string; n_a: number; ratio_ci: unknown }) => m.resampled === 'paired seeds, Student t (n < 5)' && m.n_a === 3 && m.ratio_ci === null)).toBe(true);
    // the figure's key has the keys' titles, not the dotted keys
    const spec = readFileSync(join(d, 'cmp2', 'compare-cdf.vl.json'), 'utf8');
    expect(spec).toContain('B: device channels 2');
    expect(spec).not.toContain('device.channels=');
    // a sweep stopped before one run of point 2 was done (its run directory is made whole when it ends): compared on the
    // finished runs, and said so
    cpSync(join(d, 'sw'), join(d, 'sw-part'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(d, 'sw-part', 'experiment.json'), 'utf8'));
    const dropped = manifest.runs.find((x: { point: number }) => x.point === 2).id;
    rmSync(join(d, 'sw-part', 'runs', dropped), { recursive: true });
    const p = await here(['compare', 'sw-part@1', 'sw-part@2', '--out', 'cmp3', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const jp = JSON.parse(p.stdout);
    expect(jp.b.runs).toHaveLength(2);
    expect(jp.a.runs).toHaveLength(3);
    expect(jp.notes).toEqual(['B (sw-part@2) is 2 of the 3 runs of its sweep point: the sweep is not finished (interrupted, or running); compared on those 2, resume the sweep for all 3']);
    // the plain output says it too
    const plain = (await here(['compare', 'sw-part@1', 'sw-part@2', '--out', 'cmp3'])).stdout;
    expect(plain).toContain('note: B (sw-part@2) is 2 of the 3 runs of its sweep point');
    // several runs a side: the CIs are over seeds, and the one-run note is not there
    expect(plain).not.toContain('one run a side');
  });

  it('seeds that are copies: the sweep warns, compare counts them as one run and says so; different traces are noted', async () => {
    // a trace file (a few rows: which is not the point) and constant service times: nothing random, every seed replays alike
    writeFileSync(join(d, 'small.csv'), SMALL_TRACE);
    writeFileSync(join(d, 'copies.yaml'), 'name: copies\ntrace: { path: small.csv }\nbase: { device.profile: queue, device.service.dist: constant, device.service.mean_us: 100 }\n'
      + 'grid:\n  device.channels: [1, 2]\nseeds: 2\nmetrics: [sync.latency_us.p99]\n');
    const sw = await here(['sweep', 'copies.yaml', '--out', 'swc']);
    expect(sw.code, sw.stderr).toBe(0);
    expect(sw.stderr).toContain('syncsim: warning: the seeds of every grid point gave the same results: they are copies, not replications');
    const r = await here(['compare', 'swc@1', 'swc@2', '--out', 'cmpc', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.notes).toEqual([
      "A's 2 seeds (1, 2) gave the same results: copies, not replications; counted as one run (seed 1)",
      "B's 2 seeds (1, 2) gave the same results: copies, not replications; counted as one run (seed 1)",
    ]);
    // one run a side: the msyncs are counted once, not once a seed
    const p1 = JSON.parse(readFileSync(join(d, 'swc', 'runs', j.a.runs[0].dir.split('/').pop(), 'summary.json'), 'utf8'));
    expect(j.latency_test.n_a).toBe(p1.sync.ok);
    // the one-run note does not tell a user who compared two points of two seeds each to give two seeds or compare two
    // points (it did until 2026-12-08): more seeds would be copies too, and it says what makes seeds differ
    const plainCopies = (await here(['compare', 'swc@1', 'swc@2', '--out', 'cmpc'])).stdout;
    expect(plainCopies).toContain("\n  (one run a side: the CIs over msyncs and the test measure the spread among this trace's msyncs in these two runs, not from run to run; more seeds of the same would be copies too (notes below): a run that draws something at random, a random service-time distribution or a preset's random arrivals or addresses, makes its seeds differ)\n");
    expect(plainCopies).not.toContain('give each side two seeds or more');
    // a preset that draws nothing at random makes the same rows for every seed, in a file of its own each: copies too
    writeFileSync(join(d, 'gcopies.yaml'), 'name: gcopies\ntrace: { gen: seq-writer, set: { duration_s: 0.02, arrival: fixed } }\n'
      + 'base: { device.profile: queue, device.service.dist: constant, device.service.mean_us: 100 }\ngrid:\n  device.channels: [1]\nseeds: 2\n');
    const g2 = await here(['sweep', 'gcopies.yaml', '--out', 'swg']);
    expect(g2.code, g2.stderr).toBe(0);
    expect(g2.stderr).toContain('syncsim: warning: the seeds of the grid point gave the same results: they are copies');
    expect(JSON.parse((await here(['compare', 'swg@1', 'swc@1', '--out', 'cmpg', '--json'])).stdout).notes[0]).toMatch(/^A's 2 seeds \(1, 2\) gave the same results/);
    // with exponential service times the seeds differ: no such warning (the sweep of the test above)
    expect((await here(['compare', 'sw@1', 'sw@2', '--out', 'cmpd', '--json'])).stdout).toContain('"notes": []');
    // runs of different traces
    const g = await here(['gen', 'seq-writer', '--set', 'duration_s=0.01', '-o', 'g.csv']);
    expect(g.code, g.stderr).toBe(0);
    expect((await here(['run', 'g.csv', '--out', 'rg'])).code).toBe(0);
    const t = await here(['compare', 'a', 'rg', '--out', 'cmpt']);
    expect(t.stdout).toMatch(/^note: A and B replayed different traces \(A .*demo\.csv, sha256 [0-9a-f]{12}; B g\.csv, sha256 [0-9a-f]{12}\)/m);
  });

  it('bad sides exit 2 with a message', async () => {
    const a = await here(['compare', 'nope', 'a', '--out', 'x']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/nope: does not exist/);
    // a value the grid key never takes: its values, and the closest
    const b = await here(['compare', 'sw@device.channels=9', 'a', '--out', 'x']);
    expect(b.stderr).toBe("syncsim: sw@device.channels=9: device.channels=9 is not a value of grid key 'device.channels' (its values: 1, 2)\n");
    const b2 = await here(['compare', 'sw@device.channels=12', 'a', '--out', 'x']);
    expect(b2.stderr).toBe("syncsim: sw@device.channels=12: device.channels=12 is not a value of grid key 'device.channels' (its values: 1, 2); did you mean device.channels=1 or device.channels=2?\n");
    expect((await here(['compare', 'sw@9', 'a', '--out', 'x'])).stderr).toBe('syncsim: sw@9: no such grid point (points 1, 2)\n');
    const c = await here(['compare', 'sw@pager.cluster_pages=8', 'a', '--out', 'x']);
    expect(c.stderr).toMatch(/'pager.cluster_pages' is not a grid key/);
    const c2 = await here(['compare', 'sw@device.chanels=1', 'a', '--out', 'x']);
    expect(c2.stderr).toBe("syncsim: sw@device.chanels=1: 'device.chanels' is not a grid key of this sweep (keys: device.channels); did you mean device.channels?\n");
    expect((await here(['compare', 'a'])).stderr).toMatch(/compare expects two results/);
    expect((await here(['compare', 'a', 'b', '--metric', 'sync.nothing', '--out', 'x'])).stderr).toMatch(/--metric sync.nothing: no such key in \S+summary\.json\n$/);
  });
});

describe('run --ci bootstrap', () => {
  it('a constant sample has a zero-width interval; two values bound the mean\'s interval', async () => {
    const { bootstrapCi } = await import('../scripts/compare/stats.ts');
    expect(await bootstrapCi(f64([5, 5, 5, 5]), meanStat, { reps: 200, level: 0.95, seed: 1 })).toEqual([5, 5]);
    const ci = (await bootstrapCi(f64([0, 10]), meanStat, { reps: 2000, level: 0.95, seed: 1 }))!;
    // resampled means of {0, 10} are 0, 5 or 10, with probabilities 1/4, 1/2, 1/4: the 95 % interval is [0, 10]
    expect(ci).toEqual([0, 10]);
    expect(await bootstrapCi(f64([3]), meanStat, { reps: 10, level: 0.95, seed: 1 })).toBeNull();
  });

  it('adds sync.latency_ci_us to summary.json and a line to the table; the same seed gives the same intervals', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-ci-'));
    const args = (out: string) => ['run', DEMO, '--out', out, '--set', 'device.profile=queue', '--set', 'device.service.dist=exponential', '--set', 'device.service.mean_us=100', '--ci', 'bootstrap', '--ci-reps', '300'];
    const r = await syncsimHere(args('a'), d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^95 % CI \(µs\)\s+mean \[[\d.]+, [\d.]+\]  p50 \[[\d.]+, [\d.]+\]  p90 .* p99 /m);
    const s = JSON.parse(readFileSync(join(d, 'a', 'summary.json'), 'utf8'));
    const ci = s.sync.latency_ci_us;
    expect(ci).toMatchObject({ level: 0.95, reps: 300, seed: 1 });
    for (const k of ['mean', 'p50', 'p90', 'p99']) {
      expect(ci[k][0]).toBeLessThanOrEqual(ci[k][1]);
      expect(ci[k][0]).toBeLessThanOrEqual(s.sync.latency_us[k] + 1e-9);
      expect(ci[k][1]).toBeGreaterThanOrEqual(s.sync.latency_us[k] - 1e-9);
    }
    await syncsimHere(args('b'), d);
    expect(JSON.parse(readFileSync(join(d, 'b', 'summary.json'), 'utf8')).sync.latency_ci_us).toEqual(ci);
    expect((await syncsimHere(['run', DEMO, '--out', 'c', '--ci', 'normal'], d)).stderr).toMatch(/--ci expects 'bootstrap' \(got 'normal'\)\n$/);
    // a misspelling ends with the value there is (a user trial, 2026-12-08: it said nothing of it)
    const typo = await syncsimHere(['run', DEMO, '--out', 'c', '--ci', 'bootstrp'], d);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("syncsim: --ci expects 'bootstrap' (got 'bootstrp'); did you mean bootstrap?\n");
    expect((await syncsimHere(['run', DEMO, '--out', 'c', '--ci-reps', '50'], d)).stderr).toMatch(/--ci-reps needs --ci bootstrap/);
  });
});

describe('compare with a side that made no msync', () => {
  it('leaves the default latency metrics out, says why, compares the rest (exit 0); a --metric that is not a number is an error', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-compare-none-'));
    expect((await syncsimHere(['import', '--from', 'msr', join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv'), '-o', 'm.csv'], d)).code).toBe(0);
    expect((await syncsimHere(['run', 'm.csv', '--out', 'r-msr'], d)).code).toBe(0);
    expect((await syncsimHere(['run', DEMO, '--out', 'r-demo'], d)).code).toBe(0);
    const r = await syncsimHere(['compare', 'r-msr', 'r-demo', '--out', 'c', '--reps', '200'], d);
    expect(r.code, r.stderr).toBe(0);
    for (const m of ['mean', 'p50', 'p99']) expect(r.stdout).toContain(`left out: sync.latency_us.${m} (side A has no value: the run made no successful msync (sync.ok 0), in ${join('r-msr', 'summary.json')})`);
    expect(r.stdout).toContain('msync latency distributions: no successful msync on side A');
    // both sides without one: said so
    const both = await syncsimHere(['compare', 'r-msr', 'r-msr', '--out', 'c2', '--reps', '200'], d);
    expect(both.stdout).toContain('msync latency distributions: no successful msync on either side');
    const j = JSON.parse(readFileSync(join(d, 'c', 'compare.json'), 'utf8'));
    expect(j.metrics.map((m: { metric: string }) => m.metric)).toEqual(['writeback.bytes', 'device.utilization', 'sim_time_us']);
    expect(j.skipped_metrics.map((m: { metric: string }) => m.metric)).toEqual(['sync.latency_us.mean', 'sync.latency_us.p50', 'sync.latency_us.p99']);
    // the result file names the summary as it names the runs' directories, absolute: not by where compare ran
    expect(j.skipped_metrics[0].why).toBe(`side A has no value: the run made no successful msync (sync.ok 0), in ${join(d, 'r-msr', 'summary.json')}`);
    expect(j.a.runs[0].dir).toBe(join(d, 'r-msr'));
    expect(j.latency_test).toBeNull();
    expect(readFileSync(join(d, 'c', 'compare-cdf.vl.json'), 'utf8')).toContain('A: r-msr (no successful msync)');
    const e = await syncsimHere(['compare', 'r-msr', 'r-demo', '--out', 'c2', '--metric', 'sync.latency_us.p99'], d);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe(`syncsim: --metric sync.latency_us.p99: side A has no value: the run made no successful msync (sync.ok 0), in ${join('r-msr', 'summary.json')}\n`);
  });
});
