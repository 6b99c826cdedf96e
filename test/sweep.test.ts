/**
 * Unit tests of the sweep library: experiment files (validation with file lines), grid
 * expansion, run ids, shards, Student t quantiles, the aggregate statistics and the tables.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { deadOwner, manifestOf, OWNER, SweepDir } from '../scripts/sweep/store.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseExperiment, ExperimentError } from '../scripts/sweep/experiment.ts';
import { cartesian, checkRunCount, DEFAULT_MAX_RUNS, makePlan, runCount, type Plan } from '../scripts/sweep/plan.ts';
import { parseShard, shardOf } from '../scripts/sweep/shard.ts';
import { incompleteBeta, tCdf, tQuantile } from '../scripts/sweep/student-t.ts';
import { pointStats } from '../scripts/sweep/stats.ts';
import { metricStats } from '../reports/data.ts';
import { canonicalJson, hashOf } from '../scripts/sweep/identity.ts';
import { metricProblem, metricValue } from '../scripts/sweep/metrics.ts';
import { aggregateHeader, aggregateRow, csvCell, resultsHeader, valueCell } from '../scripts/sweep/tables.ts';
import { describeError } from '../scripts/sweep/errors.ts';
import { TraceSemanticError } from '../sim/vm/vm.ts';
import { RESULT_CODES } from '../sim/personality/kern.ts';
import { WorkerCrash, WorkerPool } from '../scripts/sweep/pool.ts';
import { compileOnOwnThreads, compileOnWorkers } from '../scripts/sweep/jit-threads.ts';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const dir = mkdtempSync(join(tmpdir(), 'syncsim-sweep-unit-'));

/** Writes an experiment file into the scratch directory and parses it. */
function exp(text: string, name = 'e.yaml') {
  const file = join(dir, name);
  writeFileSync(file, text);
  return parseExperiment(text, file);
}

/** The ExperimentError thrown by parsing (or planning) `text`. */
async function problem(text: string): Promise<ExperimentError> {
  try {
    await makePlan(exp(text));
  } catch (e) {
    if (e instanceof ExperimentError) return e;
    throw e;
  }
  throw new Error('no error');
}

/** Grid values of each run by grid key, mapped to its id, for comparing plans written differently. */
function idsByValues(plan: Plan): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of plan.runs) {
    const values = Object.fromEntries(plan.keys.map((k, i) => [k, plan.points[r.point - 1].values[i]]));
    m.set(canonicalJson({ values, seed: r.seed }), r.id);
  }
  return m;
}

describe('Student t quantiles', () => {
  it('match published table values', () => {
    // two-sided 95 % critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2)
    const table: [number, number][] = [[1, 12.7062], [2, 4.3027], [4, 2.7764], [9, 2.2622], [10, 2.2281], [30, 2.0423], [120, 1.9799]];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 4);
    expect(tQuantile(0.95, 5)).toBeCloseTo(2.015, 3);
    expect(tQuantile(0.995, 10)).toBeCloseTo(3.1693, 4);
    // large df tends to the normal quantile 1.959964
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });

  it('is the inverse of the CDF and symmetric', () => {
    for (const df of [1, 3, 7.5, 50]) {
      for (const p of [0.6, 0.9, 0.975, 0.999]) expect(tCdf(tQuantile(p, df), df)).toBeCloseTo(p, 12);
      expect(tQuantile(0.025, df)).toBeCloseTo(-tQuantile(0.975, df), 12);
    }
    expect(tQuantile(0.5, 4)).toBe(0);
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/pi
    expect(tCdf(2, 1)).toBeCloseTo(0.5 + Math.atan(2) / Math.PI, 12);
    // df = 2 has a closed form: F(t) = 1/2 + t / (2 sqrt(2 + t^2))
    expect(tCdf(1.5, 2)).toBeCloseTo(0.5 + 1.5 / (2 * Math.sqrt(2 + 1.5 * 1.5)), 12);
    // I_x(1, 1) = x, I_x(a, 1) = x^a
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(incompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 14);
  });

  it('refuses impossible arguments', () => {
    expect(() => tQuantile(1, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.9, 0)).toThrow(RangeError);
  });
});

describe('aggregate statistics', () => {
  it('computes n, mean, sd, CI95 half-width and median like a hand calculation', () => {
    // 1..5: mean 3, sample variance ((4+1+0+1+4)/4) = 2.5, t(0.975, 4) = 2.776445
    const s = pointStats([5, 1, 4, 2, 3]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.ci95).toBeCloseTo(2.776445 * Math.sqrt(2.5) / Math.sqrt(5), 5); // 1.963243
    expect(s.ci95).toBeCloseTo(1.963243, 5);
    expect(s.median).toBe(3);
  });

  it('leaves out runs without a value, and needs two values for sd and ci95', () => {
    const even = pointStats([10, null, 20, 40, 30]);
    expect(even).toMatchObject({ n: 4, mean: 25, median: 25 });
    // sd of 10,20,30,40 = sqrt(500/3); t(0.975, 3) = 3.182446
    expect(even.ci95).toBeCloseTo(3.182446 * Math.sqrt(500 / 3) / 2, 4);
    expect(pointStats([7, null])).toEqual({ n: 1, mean: 7, sd: null, ci95: null, median: 7 });
    expect(pointStats([null, null])).toEqual({ n: 0, mean: null, sd: null, ci95: null, median: null });
    expect(pointStats([4, 4, 4])).toMatchObject({ sd: 0, ci95: 0 });
  });

  it('gives replications of one value that value and a spread of exactly 0, whatever the sum rounds to', () => {
    // 1.44 + 1.44 + 1.44 = 4.32 (rounded), / 3 = 1.4400000000000002; the deviations then square to about 7e-32
    expect((1.44 + 1.44 + 1.44) / 3).not.toBe(1.44);
    expect(pointStats([1.44, 1.44, 1.44])).toEqual({ n: 3, mean: 1.44, sd: 0, ci95: 0, median: 1.44 });
    expect(pointStats([0.1, null, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])).toMatchObject({ n: 7, mean: 0.1, sd: 0, ci95: 0 });
    // two values a rounding apart are two values: a spread, however small
    expect(pointStats([1.44, 1.4400000000000002]).sd).toBeGreaterThan(0);
    // the report's own statistics, for metrics a sweep did not aggregate, say the same
    expect(metricStats([1.44, 1.44, null, 1.44])).toEqual({ n: 3, mean: 1.44, sd: 0, ci95: 0, median: 1.44 });
    expect(metricStats([1.44, 1.4400000000000002]).sd).toBeGreaterThan(0);
  });

  it('writes aggregate rows with empty cells for undefined statistics', () => {
    expect(aggregateHeader(['personality', 'pager.cluster_pages'])).toBe('point,personality,pager.cluster_pages,metric,n,mean,sd,ci95,median\n');
    expect(aggregateRow(3, ['linux', 8], 'writeback.bytes', { n: 1, mean: 4096, sd: null, ci95: null, median: 4096 })).toBe('3,linux,8,writeback.bytes,1,4096,,,4096\n');
    expect(aggregateRow(1, [], 'm', { n: 3, mean: 1 / 3, sd: 0.1 + 0.2, ci95: null, median: 0 })).toBe('1,m,3,0.333333333333,0.3,,0\n');
  });
});

describe('tables', () => {
  it('quotes CSV cells only when needed and writes lists and mappings as JSON', () => {
    expect(csvCell('linux')).toBe('linux');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(valueCell({ mean_us: 100, dist: 'constant' })).toBe('"{""dist"":""constant"",""mean_us"":100}"');
    expect(valueCell(8)).toBe('8');
    expect(valueCell(true)).toBe('true');
    expect(resultsHeader(['personality'], ['sync.latency_us.p99'])).toBe('run_id,point,personality,seed,status,sync.latency_us.p99,error\n');
  });

  it('reads metrics from a summary, per-code counts defaulting to 0', () => {
    const summary = { sync: { count: 4, errors: { EIO: 2 }, latency_us: { p99: null } }, writeback: { bytes: 8192 } };
    expect(metricValue(summary, 'writeback.bytes')).toBe(8192);
    expect(metricValue(summary, 'sync.errors.EIO')).toBe(2);
    expect(metricValue(summary, 'sync.errors.EBUSY')).toBe(0);
    expect(metricValue(summary, 'sync.latency_us.p99')).toBeNull();
    expect(metricProblem('sync.latency_us.p99')).toBeUndefined();
    expect(metricProblem('throttle.total_us')).toBeUndefined();
    expect(metricProblem('sync.errors.KERN_INVALID_ADDRESS')).toBeUndefined();
    expect(metricProblem('sync.latency_us.p98')).toMatch(/unknown metric/);
    expect(metricProblem('config.seed')).toMatch(/unknown metric/);
    // a misspelt result code is refused, not read as a column of 0s
    expect(metricProblem('sync.errors.EIOO')).toBe("unknown result code 'EIOO' (a run can return EAGAIN, EBUSY, EFAULT, EINVAL, EIO, ENOMEM, EPERM, KERN_INVALID_ADDRESS, KERN_INVALID_ARGUMENT, KERN_FAILURE, KERN_RESOURCE_SHORTAGE)");
    expect(metricProblem('wire.errors.enomem')).toMatch(/^unknown result code 'enomem'/);
    expect(metricValue(summary, 'sync.errors.EIOO')).toBeNull();
  });

  it('knows every result code the model returns: each errno or KERN_ code written in sim/ is in RESULT_CODES', () => {
    const files = readdirSync(join(ROOT, 'sim'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const written = new Set<string>();
    for (const f of files) for (const m of readFileSync(join(ROOT, 'sim', f), 'utf8').matchAll(/'(E[A-Z]{2,}|KERN_[A-Z_]+)'/g)) written.add(m[1]!);
    written.delete('KERN_SUCCESS');
    expect(written.size).toBeGreaterThanOrEqual(RESULT_CODES.length);
    expect([...written].filter((c) => !RESULT_CODES.includes(c))).toEqual([]);
    expect(RESULT_CODES.filter((c) => !written.has(c))).toEqual([]);
  });

  it('records an error of the trace located like the CLI does, without machine paths', () => {
    const e = new TraceSemanticError(5, 'addr', '4096', 'map address is not aligned to page_size 8192');
    expect(describeError(e, [['/tmp/x/traces/t.csv.gz', 'traces/t.csv.gz']])).toBe("traces/t.csv.gz:5: column addr: map address is not aligned to page_size 8192 (got '4096')");
    expect(describeError(new Error('cannot open /tmp/x/a.csv\nnow'), [['/tmp/x/a.csv', 'a.csv']])).toBe('cannot open a.csv now');
    expect(describeError(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
  });
});

describe('grid expansion and run ids', () => {
  it('expands the cartesian product, first key outermost', () => {
    expect([...cartesian([2, 3])]).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    expect([...cartesian([])]).toEqual([[]]);
    expect([...cartesian([2, 0])]).toEqual([]);
  });

  it('makes every grid point x seed a run with its resolved configuration', async () => {
    const plan = await makePlan(exp(`
name: g
trace: { path: ${DEMO} }
base: { device: { channels: 4 }, personality: linux }
grid:
  personality: [freebsd, xnu, mach]
  pager.cluster_pages: [8, 32]
seeds: 3
metrics: [writeback.bytes]
`));
    expect(plan.keys).toEqual(['personality', 'pager.cluster_pages']);
    expect(plan.points.map((p) => p.values)).toEqual([
      ['freebsd', 8], ['freebsd', 32], ['xnu', 8], ['xnu', 32], ['mach', 8], ['mach', 32],
    ]);
    expect(plan.runs).toHaveLength(6 * 3);
    expect(plan.runs.slice(0, 4).map((r) => [r.point, r.seed])).toEqual([[1, 1], [1, 2], [1, 3], [2, 1]]);
    for (const r of plan.runs) {
      const [personality, cluster] = plan.points[r.point - 1].values;
      expect(r.config.personality).toBe(personality);
      expect(r.config.pager.cluster_pages).toBe(cluster);
      expect(r.config.device.channels).toBe(4); // from base
      expect(r.config.seed).toBe(r.seed);
      expect(r.id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(new Set(plan.runs.map((r) => r.id)).size).toBe(18);
  });

  it('keeps the run ids and the experiment hash of a sweep written before the floors, the FLUSH table and the busy-peer costs while they are 0 and empty (a directory of then resumes)', async () => {
    const text = `name: ids\ntrace: { gen: random-writer, set: { duration_s: 1 } }\nbase: { device: { profile: sata-ssd } }\ngrid:\n  pager.cluster_pages: [4, 8]\nseeds: 2\nmetrics: [sync.latency_us.p99]\n`;
    // what syncsim gave for this experiment at c0ca6e1 (2026-12-04, before device.flush_floor, device.host_floor and cpu.floor)
    const before = { hash: '6095d1f1a320825f', ids: ['5d00b45ac7eaba2f', '0d2373eccef45d25', '925d2f4c1b5a7a4e', 'b634eabbbe8e62e9'] };
    const plan = await makePlan(exp(text, 'ids.yaml'));
    expect({ hash: plan.hash, ids: plan.runs.map((r) => r.id) }).toEqual(before);
    // the keys are in each run's configuration all the same
    expect([plan.runs[0].config.device.flush_floor, plan.runs[0].config.device.host_floor, plan.runs[0].config.cpu.floor]).toEqual([0, 0, 0]);
    // and the FLUSH's spread as measured (2026-12-04, evening) while it is empty
    expect(plan.runs[0].config.device.flush_quantiles).toEqual([]);
    const table = await makePlan(exp(text.replace('profile: sata-ssd }', 'profile: sata-ssd, flush_quantiles: [0.9, 1.1] }'), 'ids4.yaml'));
    expect(table.runs[0].id).not.toBe(before.ids[0]);
    // and a device's round trip beside a busy CPU (2026-12-04, night) while both keys are 0
    expect([plan.runs[0].config.device.busy_latency_us, plan.runs[0].config.device.busy_flush_us]).toEqual([0, 0]);
    const busy = await makePlan(exp(text.replace('profile: sata-ssd }', 'profile: sata-ssd, busy_flush_us: 20 }'), 'ids5.yaml'));
    expect(busy.runs[0].id).not.toBe(before.ids[0]);
    // and the extent tree block (2026-12-06, night) while fs.extent_leaf is false
    expect(plan.runs[0].config.fs.extent_leaf).toBe(false);
    const leaf = await makePlan(exp(text.replace('base: { device: { profile: sata-ssd } }', 'base: { device: { profile: sata-ssd }, fs: { extent_leaf: true } }'), 'ids6.yaml'));
    expect(leaf.runs[0].id).not.toBe(before.ids[0]);
    // any other value is part of the identity
    const floored = await makePlan(exp(text.replace('profile: sata-ssd }', 'profile: sata-ssd, flush_cv: 0.2, flush_floor: 0.8 }'), 'ids2.yaml'));
    const plain = await makePlan(exp(text.replace('profile: sata-ssd }', 'profile: sata-ssd, flush_cv: 0.2 }'), 'ids3.yaml'));
    expect(floored.runs[0].id).not.toBe(plain.runs[0].id);
    expect(plain.runs[0].id).not.toBe(before.ids[0]);
  });

  it('lays a grid group over the base group of that key, keeping the base keys it does not give (as run --set over --config)', async () => {
    // the README's way to compare a built-in with a parameterised plugin: the whole group as the grid key
    writeFileSync(join(dir, 'p.mjs'), `export default { name: 'p', paramsSchema: { type: 'object', properties: { n: { type: 'number', default: 1 } }, additionalProperties: false }, create: () => ({ wake() {} }) };\n`);
    const plan = await makePlan(exp(`
name: group
trace: { path: ${DEMO} }
base: { writeback: { interval_ms: 100, expire_ms: 2000 }, device: { profile: hdd, channels: 3 } }
grid:
  writeback: [{ policy: flusher }, { policy: ./p.mjs, params: { n: 5 } }]
  device: [{ discipline: fifo }, { channels: 7 }]
seeds: 1
`, 'group.yaml'));
    const configs = plan.runs.map((r) => r.config);
    expect(configs.map((c) => [c.writeback.policy, c.writeback.params?.n, c.device.channels])).toEqual([
      ['flusher', undefined, 3], ['flusher', undefined, 7], ['./p.mjs', 5, 3], ['./p.mjs', 5, 7],
    ]);
    for (const c of configs) {
      expect(c.writeback.interval_ms).toBe(100); // from base, under the grid's group
      expect(c.writeback.expire_ms).toBe(2000);
      expect(c.device.profile).toBe('hdd');
    }
  });

  it('a directory of another experiment is refused naming what changed: a base key, a grid key\'s values, the trace, the name (it blamed an edited plugin or trace file)', async () => {
    const text = (channels: number, clusters: string, duration = 0.5, name = 'ch') => `
name: ${name}
trace: { gen: random-writer, set: { duration_s: ${duration} } }
base: { device: { channels: ${channels} }, personality: linux }
grid:
  pager.cluster_pages: ${clusters}
seeds: 1
`;
    const out = join(dir, 'changed-out');
    const first = text(4, '[8, 32]');
    new SweepDir(out).prepare(manifestOf(await makePlan(exp(first, 'ch.yaml'))), first, false, 'sweep');
    const refusal = async (t: string) => {
      const m = manifestOf(await makePlan(exp(t, 'ch.yaml')));
      try {
        new SweepDir(out).prepare(m, t, false, 'sweep');
      } catch (e) {
        return (e as Error).message.replace(/^.*?\): /, '');
      }
      throw new Error('not refused');
    };
    const tail = ' changed, and its finished runs cannot be mixed with runs of this one: choose another --out';
    expect(await refusal(text(8, '[8, 32]'))).toBe(`base key device.channels (4 then, 8 now)${tail}`);
    expect(await refusal(text(4, '[8, 16]'))).toBe(`the values of grid key pager.cluster_pages ([8, 32] then, [8, 16] now)${tail}`);
    expect(await refusal(text(4, '[8, 32]', 0.6))).toBe(
      `its trace ({"gen":"random-writer","set":{"duration_s":0.5}} then, {"gen":"random-writer","set":{"duration_s":0.6}} now)${tail}`,
    );
    expect(await refusal(text(8, '[8, 32]', 0.5, 'ch2'))).toBe(`its name (ch then, ch2 now); base key device.channels (4 then, 8 now)${tail}`);
    // the same experiment written otherwise (dotted) is no change: it resumes
    const dotted = first.replace('base: { device: { channels: 4 }, personality: linux }', 'base: { device.channels: 4, personality: linux }');
    expect(new SweepDir(out).prepare(manifestOf(await makePlan(exp(dotted, 'ch.yaml'))), dotted, false, 'sweep')).toBe('resumed');
  });

  it('takes a device profile file in base or grid, relative to the experiment file, as run --config does (it was refused as not a profile file)', async () => {
    mkdirSync(join(dir, 'prof'), { recursive: true });
    writeFileSync(join(dir, 'prof', 'dev.yaml'), 'device:\n  profile: sata-ssd\n  channels: 2\n  flush_us: 500\nreadahead:\n  pages: 8\n');
    const plan = await makePlan(exp(`
name: prof
trace: { path: ${DEMO} }
base: { device: { cache_mb: 16 } }
grid:
  device.profile: [nvme, ./prof/dev.yaml]
seeds: 1
`, 'prof.yaml'));
    const [nvme, file] = plan.runs.map((r) => r.config);
    expect([nvme.device.profile, nvme.device.channels, nvme.readahead.pages]).toEqual(['nvme', 85, 16]);
    // defaults <- the file's base profile <- the file <- the experiment's keys
    expect([file.device.profile, file.device.channels, file.device.flush_us, file.device.cache_mb, file.readahead.pages]).toEqual(['sata-ssd', 2, 500, 16, 8]);
    // a problem in the file names the file, its line and the key, at the experiment's line
    writeFileSync(join(dir, 'prof', 'bad.yaml'), 'device:\n  profile: sata-ssd\n  channels: -2\n');
    const e = await problem(`name: prof\ntrace: { path: ${DEMO} }\nbase: { device: { profile: prof/bad.yaml } }\nseeds: 1\n`);
    expect(e.message).toBe(`${join(dir, 'e.yaml')}:3: ${join(dir, 'prof', 'bad.yaml')}:3: key 'device.channels': must be an integer >= 1 and <= 4096 (got -2)`);
    const missing = await problem(`name: prof\ntrace: { path: ${DEMO} }\nbase: { device: { profile: prof/none.yaml } }\nseeds: 1\n`);
    expect(missing.message).toBe(`${join(dir, 'e.yaml')}:3: key 'device.profile': cannot read profile file ${join(dir, 'prof', 'none.yaml')}: not found`);
  });

  it('gives the same run ids whatever the order and style the keys are written in', async () => {
    const a = await makePlan(exp(`
name: same
trace: { path: ${DEMO} }
base: { device: { channels: 2, discipline: sync_first }, cpu: { syscall_us: 3 } }
grid:
  personality: [freebsd, linux]
  pager.cluster_pages: [8, 32]
seeds: [4, 7]
`, 'a.yaml'));
    const b = await makePlan(exp(`
seeds: [7, 4]
grid:
  pager.cluster_pages: [32, 8]
  personality: [linux, freebsd]
base:
  cpu.syscall_us: 3
  device: { discipline: sync_first }
  device.channels: 2
trace: { path: ${DEMO} }
name: same
`, 'b.yaml'));
    const ia = idsByValues(a), ib = idsByValues(b);
    expect(ia.size).toBe(8);
    expect(ib).toEqual(ia);
    // ...and different ids for a different configuration or seed
    const c = await makePlan(exp(`
name: other
trace: { path: ${DEMO} }
base: { device: { channels: 3, discipline: sync_first }, cpu: { syscall_us: 3 } }
grid:
  personality: [freebsd, linux]
  pager.cluster_pages: [8, 32]
seeds: [4, 7]
`, 'c.yaml'));
    for (const id of idsByValues(c).values()) expect([...ia.values()]).not.toContain(id);
  });

  it('shares one generated trace per parameter set and seed, and varies generator parameters', async () => {
    const plan = await makePlan(exp(`
name: gen
trace: { gen: db-checkpoint, set: { duration_s: 1 } }
grid:
  personality: [freebsd, linux]
  trace.set.rate: [500, 1000]
seeds: 2
`));
    expect(plan.runs).toHaveLength(8);
    const files = new Set(plan.runs.map((r) => (r.trace.kind === 'gen' ? r.trace.file : '')));
    expect(files.size).toBe(4); // 2 rates x 2 seeds
    for (const r of plan.runs) {
      if (r.trace.kind !== 'gen') throw new Error('generated trace expected');
      expect(r.trace.seed).toBe(r.seed);
      expect(r.trace.identity.params.rate).toBe(plan.points[r.point - 1].values[1]);
      expect(r.trace.identity.params.duration_s).toBe(1);
    }
    // the same parameters written differently (a size as bytes or with a suffix) give the same trace
    const k = await makePlan(exp(`
name: sizes
trace: { gen: db-checkpoint, set: { footprint: 64M, duration_s: 1 } }
`, 'k1.yaml'));
    const l = await makePlan(exp(`
name: sizes
trace: { gen: db-checkpoint, set: { duration_s: 1, footprint: 67108864 } }
`, 'k2.yaml'));
    expect(l.runs[0].id).toBe(k.runs[0].id);
  });

  it('hashes canonical JSON, independent of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(hashOf({ x: 1, y: 2 })).toBe(hashOf({ y: 2, x: 1 }));
    expect(hashOf({ x: 1, y: 2 })).not.toBe(hashOf({ x: 1, y: 3 }));
  });
});

describe('shards', () => {
  it('partition the runs: every run in exactly one shard, sizes within one', () => {
    const runs = Array.from({ length: 23 }, (_, i) => `run${String(i).padStart(2, '0')}`);
    const trace = (r: string) => `t${Number(r.slice(3)) % 4}`;
    for (let n = 1; n <= 8; n++) {
      const shards = Array.from({ length: n }, (_, i) => shardOf(runs, { index: i + 1, count: n }, trace));
      expect(shards.flat().sort()).toEqual(runs);
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // each shard keeps plan order
      for (const s of shards) expect(s).toEqual([...s].sort());
    }
    // runs of one trace stay together: with 4 shards of 4 traces, each shard meets at most 2 traces
    for (let i = 1; i <= 4; i++) expect(new Set(shardOf(runs, { index: i, count: 4 }, trace).map(trace)).size).toBeLessThanOrEqual(2);
    // deterministic, and the whole list without a shard
    expect(shardOf(runs, { index: 1, count: 4 }, trace)).toEqual(['run00', 'run04', 'run08', 'run12', 'run16']);
    expect(shardOf(runs, { index: 2, count: 4 }, trace)).toEqual(['run01', 'run05', 'run09', 'run13', 'run17', 'run20']);
    expect(shardOf(runs, undefined)).toEqual(runs);
    expect(shardOf(runs, { index: 2, count: 5 })).toEqual(['run04', 'run05', 'run06', 'run07', 'run08']);
  });

  it('parses I/N and refuses the rest', () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/2/3']) expect(() => parseShard(bad)).toThrow(/--shard expects I\/N/);
  });
});

describe('experiment validation names the key and the file line', () => {
  const head = `name: v\ntrace: { path: ${DEMO} }\n`;

  it('an unknown configuration key in base', async () => {
    const e = await problem(`${head}base:\n  device:\n    channels: 2\n    chanels: 4\n`);
    expect(e.line).toBe(6);
    expect(e.message).toMatch(/e\.yaml:6: .*'device\.chanels': unknown key/);
  });

  it('an unknown grid key, and a bad grid value', async () => {
    const e1 = await problem(`${head}grid:\n  personality: [linux]\n  pager.cluster_pagez: [8, 32]\n`);
    expect(e1.line).toBe(5);
    expect(e1.message).toMatch(/pager\.cluster_pagez/);
    const e2 = await problem(`${head}grid:\n  pager.cluster_pages:\n    - 8\n    - 0\n`);
    expect(e2.line).toBe(6);
    expect(e2.message).toMatch(/grid key 'pager\.cluster_pages' value 0/);
    const e3 = await problem(`${head}grid:\n  personality: [linux, solaris]\n`);
    expect(e3.line).toBe(4);
    expect(e3.message).toMatch(/must be one of/);
  });

  it('bad generator parameters, in trace.set and in the grid', async () => {
    const e1 = await problem('name: v\ntrace:\n  gen: db-checkpoint\n  set:\n    duration_s: 1\n    rat: 10\n');
    expect(e1.line).toBe(6);
    expect(e1.message).toMatch(/no parameter 'rat'/);
    expect(e1.message).toMatch(/; did you mean rate\?$/);
    const e2 = await problem('name: v\ntrace: { gen: db-checkpoint }\ngrid:\n  trace.set.rate: [100, -5]\n');
    expect(e2.line).toBe(4);
    expect(e2.message).toMatch(/trace\.set\.rate.*rate/);
    const e3 = await problem('name: v\ntrace: { gen: no-such-preset }\n');
    expect(e3.line).toBe(2);
    expect(e3.message).toMatch(/unknown preset 'no-such-preset'/);
    const e4 = await problem(`${head}grid:\n  trace.set.rate: [1, 2]\n`);
    expect(e4.line).toBe(4);
    expect(e4.message).toMatch(/needs a generated trace/);
  });

  it('shape errors: unknown top key, seeds, metrics, duplicates, YAML syntax', async () => {
    expect((await problem(`${head}grids: {}\n`)).line).toBe(3);
    const seeds = await problem(`${head}seeds: [1, 2, 2]\n`);
    expect(seeds.message).toMatch(/e\.yaml:3: 'seeds' lists the same seed twice \(got '2'\)/);
    expect((await problem(`${head}seeds: 0\n`)).message).toMatch(/'seeds' must be/);
    const metric = await problem(`${head}metrics:\n  - writeback.bytes\n  - writeback.byte\n`);
    expect(metric.line).toBe(5);
    expect(metric.message).toMatch(/metric 'writeback\.byte': unknown metric/);
    // a misspelt metric ends with the closest one, as a misspelt grid key does
    expect(metric.message).toMatch(/; did you mean writeback\.bytes\?$/);
    expect((await problem(`${head}metrics: [sync.latncy_us.p99]\n`)).message).toMatch(/metric 'sync\.latncy_us\.p99': unknown metric \(.*\); did you mean sync\.latency_us\.p99\?$/);
    expect((await problem(`${head}grid:\n  pager.cluster_pages: [8, 8]\n`)).message).toMatch(/same value twice/);
    expect((await problem(`${head}grid:\n  seed: [1, 2]\n`)).message).toMatch(/'seeds'/);
    expect((await problem(`${head}base: { seed: 3 }\n`)).message).toMatch(/'seeds'/);
    expect((await problem(`${head}grid:\n  personality: []\n`)).message).toMatch(/non-empty list/);
    const yaml = await problem(`${head}grid:\n  personality: [linux\n`);
    expect(yaml.message).toMatch(/not valid YAML/);
    expect((await problem('name: v\ntrace: { path: nowhere.csv }\n')).message).toMatch(/e\.yaml:2: trace file not found/);
    expect((await problem(`trace: { path: ${DEMO} }\n`)).message).toMatch(/missing key 'name'/);
  });

  it('finds relative trace paths from the experiment file', async () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 't.csv'), '# syncsim-trace v1\nt_us,op,addr,len\n0,write,0,1\n');
    const e = exp('name: rel\ntrace: { path: sub/t.csv }\n', 'rel.yaml');
    expect(e.trace).toMatchObject({ kind: 'path', path: join(dir, 'sub', 't.csv'), display: 'sub/t.csv' });
  });
});

describe('worker pool', () => {
  it('runs tasks on up to N threads, and a task whose worker dies fails alone', async () => {
    const entry = join(dir, 'echo-worker.mts'); // .mts: an ES module wherever it is
    writeFileSync(entry, `
import { parentPort, threadId } from 'node:worker_threads';
parentPort!.on('message', (t: { kind: string; n: number }) => {
  if (t.kind === 'exit') process.exit(3);
  if (t.kind === 'throw') setTimeout(() => { throw new RangeError('boom'); }, 0);
  else setTimeout(() => parentPort!.postMessage({ n: t.n * 2, thread: threadId }), 20);
});
`);
    const pool = new WorkerPool<{ kind: string; n: number }, { n: number; thread: number }>(2, pathToFileURL(entry));
    try {
      const ok = await Promise.all([1, 2, 3, 4].map((n) => pool.run({ kind: 'echo', n })));
      expect(ok.map((r) => r.n)).toEqual([2, 4, 6, 8]);
      expect(new Set(ok.map((r) => r.thread)).size).toBe(2); // a second thread started for the second task
      const results = await Promise.allSettled([
        pool.run({ kind: 'exit', n: 0 }),
        pool.run({ kind: 'echo', n: 5 }),
        pool.run({ kind: 'throw', n: 0 }),
        pool.run({ kind: 'echo', n: 6 }),
      ]);
      expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(WorkerCrash) });
      expect((results[0] as PromiseRejectedResult).reason.message).toBe('worker thread exited with code 3');
      expect((results[2] as PromiseRejectedResult).reason.message).toMatch(/crashed: RangeError: boom/);
      expect(results[1]).toMatchObject({ status: 'fulfilled', value: { n: 10 } });
      expect(results[3]).toMatchObject({ status: 'fulfilled', value: { n: 12 } });
      expect(pool.workers).toBeLessThanOrEqual(2);
    } finally {
      await pool.close();
    }
    await expect(pool.run({ kind: 'echo', n: 1 })).rejects.toThrow(/closed/);
  }, 30_000);
});

describe('run limit (--max-runs)', () => {
  it('counts grid sizes x seeds without expanding, and refuses past the limit naming the count', () => {
    const e = exp('name: n\ntrace: { gen: db-checkpoint }\ngrid:\n  pager.cluster_pages: [1, 2, 3]\n  device.channels: [1, 2]\nseeds: 7\n');
    expect(runCount(e)).toBe(42);
    expect(() => checkRunCount(e, 42)).not.toThrow();
    expect(() => checkRunCount(e, 41)).toThrow(
      new ExperimentError(e.file, 3, 'the experiment has 42 runs (3 x 2 x 7), more than the limit of 41; raise it with --max-runs 42 if that many is intended'),
    );
    expect(DEFAULT_MAX_RUNS).toBe(100_000);
    // no grid: the seeds line is the one to blame
    const s = exp('name: n\ntrace: { gen: db-checkpoint }\nseeds: 5\n');
    expect(runCount(s)).toBe(5);
    expect(() => checkRunCount(s, 4)).toThrow(/:3: the experiment has 5 runs \(5\)/);
  });
});

describe('stale temporary files of killed sweeps', () => {
  it('removes the temporary sweep files and staging directories of dead processes of this host, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-stale-'));
    const host = OWNER.slice(0, OWNER.lastIndexOf('-'));
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited and reaped
    const alive = process.ppid;
    const names = {
      removed: [`.results.csv.tmp-${host}-${dead}`, `.aggregate.csv.tmp-${host}-${dead}`, `.experiment.json.tmp-${host}-${dead}`],
      kept: [
        `.results.csv.tmp-${host}-${alive}`, // its writer still runs
        `.results.csv.tmp-${OWNER.slice(OWNER.lastIndexOf('-') + 1)}`, // not a host-pid owner
        `.results.csv.tmp-other.host-${dead}`, // another host's pid means nothing here
        `.notes.txt.tmp-${host}-${dead}`, // not a file the sweep writes
        'results.csv',
      ],
    };
    for (const n of [...names.removed, ...names.kept]) writeFileSync(join(dir, n), 'x');
    mkdirSync(join(dir, '.staging', `${host}-${dead}`), { recursive: true });
    mkdirSync(join(dir, '.staging', `${host}-${alive}`), { recursive: true });
    expect(deadOwner(`${host}-${dead}`)).toBe(true);
    expect(deadOwner(OWNER)).toBe(false);
    new SweepDir(dir).cleanStale();
    expect(readdirSync(dir).sort()).toEqual(['.staging', ...names.kept].sort());
    expect(readdirSync(join(dir, '.staging'))).toEqual([`${host}-${alive}`]);
  });
});

describe('where V8 compiles a sweep\'s workers\' code (scripts/sweep/jit-threads.ts)', () => {
  it('on the workers\' own threads only when every core has a worker', () => {
    expect(compileOnWorkers(1, 2)).toBe(false); // one worker leaves a core to the background compiler
    expect(compileOnWorkers(1, 1)).toBe(false);
    expect(compileOnWorkers(2, 2)).toBe(true);
    expect(compileOnWorkers(3, 2)).toBe(true);
    expect(compileOnWorkers(2, 8)).toBe(false);
    expect(compileOnWorkers(8, 8)).toBe(true);
    // that the flag changes where code is compiled, not what it computes: test/sweep-cli.test.ts compares the tables of
    // --jobs 2 sweeps (which set it on a machine of 2 cores or fewer) with those of --jobs 1 sweeps, shards and resumed runs
  });

  it('sets the flag for the first sweep that asks and restores it when the last one ends', () => {
    const calls: string[] = [];
    const set = (f: string) => calls.push(f);
    const a = compileOnOwnThreads(set);
    const b = compileOnOwnThreads(set);
    expect(calls).toEqual(['--no-concurrent-recompilation']);
    a();
    a(); // a second release of the same hold changes nothing
    expect(calls).toEqual(['--no-concurrent-recompilation']);
    b();
    expect(calls).toEqual(['--no-concurrent-recompilation', '--concurrent-recompilation']);
  });
});
