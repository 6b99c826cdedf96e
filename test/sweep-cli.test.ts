/**
 * End-to-end tests of `syncsim sweep` and `syncsim merge`: tidy tables checked against the
 * runs' own summaries, byte-identical results whatever the jobs, shards or interruptions
 * (SIGINT, SIGKILL), failed runs recorded, trace generation and the binary trace cache made
 * once and reused, bad input refused. The commands run through the CLI's `main` in this
 * process (test/cli-here.ts), the shards of a sweep one after the other; only what is killed
 * (the interrupted sweeps, a sweep killed while writing its tables) runs in a child process.
 * Where the trace replayed is not the point (--jobs, more seeds, the trace cache), it is a few rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { mergeSweeps } from '../scripts/sweep/merge.ts';
import { InputError } from '../scripts/errors.ts';
import { syncsimHere } from './cli-here.ts';
import { SMALL_TRACE } from './out-fixtures.ts';
import { cachePathFor } from '../traces/open.ts';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const work = mkdtempSync(join(tmpdir(), 'syncsim-sweep-cli-'));

/** The CLI in this process (a separate process costs seconds of start-up; interruptions need one, below), in the scratch directory. */
const syncsimHereInWork = (args: string[]) => syncsimHere(args, work);

/** `syncsim` in a child process, started now: the child and its end. */
function syncsimAsync(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) =>
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const read = (p: string) => readFileSync(join(work, p), 'utf8');
const rows = (p: string) => parseCsv(read(p), { columns: true }) as Record<string, string>[];
const runDirs = (dir: string) => (existsSync(join(work, dir, 'runs')) ? readdirSync(join(work, dir, 'runs')).filter((n) => !n.startsWith('.')) : []);
/** Every path under `dir` (hidden ones too), relative to it, sorted; directories end in '/'. */
const listing = (dir: string): string[] =>
  (readdirSync(join(work, dir), { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .map((d) => join(d.parentPath, d.name).slice(join(work, dir).length + 1) + (d.isDirectory() ? '/' : ''))
    .sort();
const relErr = (x: number, y: number) => (x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// The experiment most tests share: 2 x 2 grid points, 3 seeds = 12 runs, 3 generated traces.
const PERSONALITIES = ['freebsd', 'linux'];
const CLUSTERS = [8, 32];
const SEEDS = [1, 2, 3];
const METRICS = ['sync.latency_us.p99', 'writeback.bytes', 'sync.count'];
const EXP = 'exp.yaml';
writeFileSync(join(work, EXP), `name: cli-test
trace: { gen: db-checkpoint, set: { duration_s: 2, footprint: 16M } }
base: { device: { profile: queue, service: { dist: exponential, mean_us: 100 } } }
grid:
  personality: [${PERSONALITIES.join(', ')}]
  pager.cluster_pages: [${CLUSTERS.join(', ')}]
seeds: ${SEEDS.length}
metrics: [${METRICS.join(', ')}]
`);
const N_RUNS = PERSONALITIES.length * CLUSTERS.length * SEEDS.length;
// t(0.975, 2), from a table of Student t quantiles
const T_975_2 = 4.302653;

let reference: { results: string; aggregate: string; stdout: string; warnings: string };

beforeAll(async () => {
  const r = await syncsimHereInWork(['sweep', EXP, '--out', 'ref', '--jobs', '2']);
  expect(r.stderr).toMatch(new RegExp(`sweep: ${N_RUNS}/${N_RUNS} runs, 0 failed`));
  expect(r.code).toBe(0);
  // (the closing warnings of its tables: this grid's points replay alike, and closed replay stretches a task)
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('syncsim: warning:')).map((l) => `${l}\n`).join('');
  reference = { results: read('ref/results.csv'), aggregate: read('ref/aggregate.csv'), stdout: r.stdout, warnings };
}, 60_000);

describe('syncsim sweep', () => {
  it('writes a tidy results.csv that agrees with every run summary', () => {
    const res = rows('ref/results.csv');
    expect(Object.keys(res[0])).toEqual(['run_id', 'point', 'personality', 'pager.cluster_pages', 'seed', 'status', ...METRICS, 'error']);
    expect(res).toHaveLength(N_RUNS);
    const combos = res.map((r) => `${r.personality}/${r['pager.cluster_pages']}/${r.seed}`).sort();
    const expected = PERSONALITIES.flatMap((p) => CLUSTERS.flatMap((c) => SEEDS.map((s) => `${p}/${c}/${s}`))).sort();
    expect(combos).toEqual(expected);
    for (const r of res) {
      expect(r.status).toBe('ok');
      expect(r.error).toBe('');
      const s = JSON.parse(read(`ref/runs/${r.run_id}/summary.json`));
      expect(s.config.personality).toBe(r.personality);
      expect(s.config.pager.cluster_pages).toBe(Number(r['pager.cluster_pages']));
      expect(s.config.seed).toBe(Number(r.seed));
      expect(Number(r['sync.latency_us.p99'])).toBe(s.sync.latency_us.p99);
      expect(Number(r['writeback.bytes'])).toBe(s.writeback.bytes);
      expect(Number(r['sync.count'])).toBe(s.sync.count);
    }
    expect(runDirs('ref')).toHaveLength(N_RUNS);
    // one generated trace per seed (a single generator parameter set), shared by the 4 points, each with its SHA-256 record
    const traces = readdirSync(join(work, 'ref', 'traces'));
    expect(traces.filter((f) => f.endsWith('.csv.gz'))).toHaveLength(SEEDS.length);
    expect(traces.filter((f) => !f.endsWith('.csv.gz'))).toEqual(traces.filter((f) => f.endsWith('.csv.gz')).map((f) => `${f}.sha256`));
    expect(existsSync(join(work, 'ref', '.staging'))).toBe(false);
  });

  it('aggregates each point and metric: n, mean, sd, Student-t CI95, median', () => {
    const res = rows('ref/results.csv');
    const agg = rows('ref/aggregate.csv');
    expect(Object.keys(agg[0])).toEqual(['point', 'personality', 'pager.cluster_pages', 'metric', 'n', 'mean', 'sd', 'ci95', 'median']);
    expect(agg).toHaveLength(PERSONALITIES.length * CLUSTERS.length * METRICS.length);
    for (const a of agg) {
      const xs = res.filter((r) => r.personality === a.personality && r['pager.cluster_pages'] === a['pager.cluster_pages']).map((r) => Number(r[a.metric]));
      expect(xs).toHaveLength(3);
      const mean = (xs[0] + xs[1] + xs[2]) / 3;
      const sd = Math.sqrt(xs.reduce((acc, x) => acc + (x - mean) ** 2, 0) / 2);
      expect(Number(a.n)).toBe(3);
      // the file keeps 12 significant digits; the t quantile above has 7
      expect(relErr(Number(a.mean), mean)).toBeLessThan(1e-11);
      expect(relErr(Number(a.sd), sd)).toBeLessThan(1e-11);
      expect(relErr(Number(a.ci95), (T_975_2 * sd) / Math.sqrt(3))).toBeLessThan(1e-6);
      expect(Number(a.median)).toBe([...xs].sort((p, q) => p - q)[1]);
    }
  });

  it('resumes after SIGINT and after SIGKILL with exactly the uninterrupted results', async () => {
    // SIGINT: stops cleanly, keeps finished runs, removes its temporary files
    const a = syncsimAsync(['sweep', EXP, '--out', 'killed', '--jobs', '1']);
    await waitFor(() => runDirs('killed').length >= 1, 'a first run');
    a.child.kill('SIGINT');
    const ra = await a.done;
    expect(ra.code).toBe(130);
    expect(ra.stderr).toMatch(/interrupted \(SIGINT\).*run the same command again to resume/);
    // nothing of the progress after the message that says it stopped
    expect(ra.stderr.slice(ra.stderr.indexOf('interrupted (SIGINT)'))).not.toMatch(/\nsweep: \d+\/\d+ runs/);
    expect(existsSync(join(work, 'killed', '.staging'))).toBe(false);
    const afterInt = runDirs('killed').length;
    expect(afterInt).toBeLessThan(N_RUNS);
    // SIGKILL: no chance to clean up
    const b = syncsimAsync(['sweep', EXP, '--out', 'killed', '--jobs', '1']);
    await waitFor(() => runDirs('killed').length >= afterInt + 1, 'one more run');
    b.child.kill('SIGKILL');
    const rb = await b.done;
    expect(rb.signal).toBe('SIGKILL');
    const afterKill = runDirs('killed').length;
    expect(afterKill).toBeLessThan(N_RUNS);
    expect(existsSync(join(work, 'killed', 'results.csv'))).toBe(false);
    // every run directory present is complete
    for (const id of runDirs('killed')) expect(JSON.parse(read(`killed/runs/${id}/run.json`)).status).toBe('ok');
    // resume: the default when the directory holds the same experiment
    const r = await syncsimHereInWork(['sweep', EXP, '--out', 'killed', '--jobs', '2']);
    expect(r.code).toBe(0);
    const done = Number(/\((\d+) already done/.exec(r.stdout)?.[1]);
    expect(done).toBeGreaterThanOrEqual(afterKill);
    expect(read('killed/results.csv')).toBe(reference.results);
    expect(read('killed/aggregate.csv')).toBe(reference.aggregate);
    expect(existsSync(join(work, 'killed', '.staging'))).toBe(false);
  }, 120_000);

  it('every run reads its trace from the binary cache, built once per trace; --no-cache gives the same files', async () => {
    // the reference sweep: 3 generated traces, each cached once, 12 runs from the caches
    expect(reference.stdout).toContain(`${N_RUNS} runs (0 already done, ${N_RUNS} run now, 3 traces generated, 3 trace caches built, ${N_RUNS} read the trace from its cache)`);
    const cacheDir = join(work, '.trace-cache'); // beside the results directory, as for syncsim run
    const cacheOf = (dir: string) => readdirSync(join(work, dir, 'traces')).map((f) => cachePathFor(join(work, dir, 'traces', f), cacheDir));
    expect(cacheOf('ref').filter((c) => existsSync(c))).toHaveLength(SEEDS.length);
    const r = await syncsimHereInWork(['sweep', EXP, '--out', 'nocache', '--no-cache', '--jobs', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${N_RUNS} runs (0 already done, ${N_RUNS} run now, 3 traces generated), 0 failed`);
    expect(read('nocache/results.csv')).toBe(reference.results);
    expect(read('nocache/aggregate.csv')).toBe(reference.aggregate);
    for (const id of runDirs('ref')) {
      // the CSVs a sweep's runs write by default (--results)
      for (const f of ['syncs.csv', 'tasks.csv', 'timeline.csv']) expect(read(`nocache/runs/${id}/${f}`)).toBe(read(`ref/runs/${id}/${f}`));
      // the summaries differ only in where the sweep directory keeps the trace
      const noProvenance = (text: string) => ({ ...JSON.parse(text), provenance: undefined });
      expect(noProvenance(read(`nocache/runs/${id}/summary.json`).replaceAll('/nocache/traces/', '/ref/traces/'))).toEqual(noProvenance(read(`ref/runs/${id}/summary.json`)));
    }
    expect(cacheOf('nocache').filter((c) => existsSync(c))).toEqual([]); // --no-cache wrote none
  }, 120_000);

  it('--jobs past the cores is allowed and said (the runs share the cores, each worker with its own heap) once runs start; not at the cores or below', async () => {
    writeFileSync(join(work, 'jobs.csv'), SMALL_TRACE); // what the runs replay is not the point: a few rows
    writeFileSync(join(work, 'jobs.yaml'), 'name: jobs-test\ntrace: { path: jobs.csv }\ngrid:\n  pager.cluster_pages: [8, 32]\nseeds: 1\nmetrics: [sync.latency_us.p99]\n');
    const cores = availableParallelism();
    const many = await syncsimHereInWork(['sweep', 'jobs.yaml', '--out', 'jobs-many', '--no-cache', '-q', '--jobs', String(cores + 5)]);
    expect(many.code, many.stderr).toBe(0);
    expect(many.stderr).toContain(`syncsim: warning: --jobs ${cores + 5} is more than the ${cores} core${cores === 1 ? '' : 's'} this process may use: up to ${cores + 5} worker threads (at most one a run) share them`);
    // said only once runs are about to start: not before a sweep that fails at once (before: the warning, then the error)
    const missing = await syncsimHereInWork(['sweep', 'no-such.yaml', '--out', 'jobs-none', '--jobs', String(cores + 5)]);
    expect([missing.code, missing.stderr]).toEqual([2, 'syncsim: experiment file not found: no-such.yaml\n']);
    const done = await syncsimHereInWork(['sweep', 'jobs.yaml', '--out', 'jobs-many', '--no-cache', '-q', '--jobs', String(cores + 5)]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).not.toContain('--jobs');
    const fit = await syncsimHereInWork(['sweep', 'jobs.yaml', '--out', 'jobs-fit', '--no-cache', '-q', '--jobs', String(cores)]);
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stderr).not.toContain('--jobs');
  }, 120_000);

  it('more seeds for a finished sweep run only the new seeds; a changed base configuration is another experiment', async () => {
    writeFileSync(join(work, 'seeds.csv'), SMALL_TRACE); // what the runs replay is not the point: a few rows
    const exp = (seeds: number, channels = 1) => `name: seeds-test\ntrace: { path: seeds.csv }\nbase: { device.profile: queue, device.channels: ${channels} }\n`
      + `grid:\n  pager.cluster_pages: [8, 32]\nseeds: ${seeds}\nmetrics: [sync.latency_us.p99]\n`;
    writeFileSync(join(work, 'seeds.yaml'), exp(2));
    const a = await syncsimHereInWork(['sweep', 'seeds.yaml', '--out', 's1', '--no-cache']);
    expect(a.stdout).toContain('4 runs (0 already done, 4 run now');
    const before = read('s1/results.csv');
    writeFileSync(join(work, 'seeds.yaml'), exp(3));
    const b = await syncsimHereInWork(['sweep', 'seeds.yaml', '--out', 's1', '--no-cache']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain('6 runs (4 already done, 2 run now');
    // the first two seeds' rows are unchanged, the third seed's are added
    const rows = read('s1/results.csv').trim().split('\n');
    expect(rows.length).toBe(1 + 6);
    for (const line of before.trim().split('\n')) expect(rows).toContain(line);
    writeFileSync(join(work, 'seeds.yaml'), exp(3, 2));
    const c = await syncsimHereInWork(['sweep', 'seeds.yaml', '--out', 's1', '--no-cache']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/holds another experiment/);
    // the same grid over an edited trace file: refused, and the message says that the trace changed (since 2026-12-06: it said
    // 'holds another experiment ... the same grid, but what its points run changed (a plugin file or a trace file edited since ...)')
    writeFileSync(join(work, 'seeds.yaml'), exp(3));
    writeFileSync(join(work, 'seeds.csv'), readFileSync(join(work, 'seeds.csv'), 'utf8') + '# edited\n');
    const d = await syncsimHereInWork(['sweep', 'seeds.yaml', '--out', 's1', '--no-cache']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/^syncsim: --out s1: trace file seeds\.csv changed since the sweep there began \(SHA-256 [0-9a-f]{64} then, [0-9a-f]{64} now\): its 6 finished runs replayed the version it began with, and runs of another version cannot join them; nothing was run or written\. Put that version back and run the same command again to resume, or sweep the new version into another --out\n$/);
  }, 120_000);

  it('a corrupted trace cache is rebuilt by the next sweep, with the same results; --cache-dir chooses the directory', async () => {
    writeFileSync(join(work, 'shared.csv'), SMALL_TRACE); // what the runs replay is not the point: a few rows
    writeFileSync(join(work, 'cache.yaml'), 'name: cache-test\ntrace: { path: shared.csv }\ngrid:\n  pager.cluster_pages: [8, 32]\nseeds: 2\nmetrics: [sync.latency_us.p99, writeback.bytes]\n');
    const cacheDir = join(work, 'my-cache');
    const a = await syncsimHereInWork(['sweep', 'cache.yaml', '--out', 'c1', '--cache-dir', cacheDir, '--jobs', '2']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('4 runs (0 already done, 4 run now, 1 trace cache built, 4 read the trace from its cache), 0 failed');
    const cache = cachePathFor(join(work, 'shared.csv'), cacheDir);
    expect(readdirSync(cacheDir)).toEqual([basename(cache)]);
    // a second sweep of the same trace reuses the cache
    const b = await syncsimHereInWork(['sweep', 'cache.yaml', '--out', 'c2', '--cache-dir', cacheDir, '--jobs', '2']);
    expect(b.stdout).toContain('4 runs (0 already done, 4 run now, 4 read the trace from its cache), 0 failed');
    const bytes = readFileSync(cache);
    bytes[bytes.length >> 1] ^= 0x5a;
    writeFileSync(cache, bytes);
    const c = await syncsimHereInWork(['sweep', 'cache.yaml', '--out', 'c3', '--cache-dir', cacheDir, '--jobs', '2']);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('4 runs (0 already done, 4 run now, 1 trace cache built, 4 read the trace from its cache), 0 failed');
    expect(readFileSync(cache).equals(bytes)).toBe(false);
    for (const out of ['c2', 'c3']) {
      expect(read(`${out}/results.csv`)).toBe(read('c1/results.csv'));
      expect(read(`${out}/aggregate.csv`)).toBe(read('c1/aggregate.csv'));
    }
    expect(readdirSync(cacheDir)).toEqual([basename(cache)]); // no temporary files left
  }, 120_000);

  it('--resume of a finished sweep runs nothing and does not regenerate traces', async () => {
    const traces = readdirSync(join(work, 'ref', 'traces'));
    const mtimes = traces.map((f) => statSync(join(work, 'ref', 'traces', f)).mtimeMs);
    const r = await syncsimHereInWork(['sweep', EXP, '--out', 'ref', '--resume']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${N_RUNS} runs (${N_RUNS} already done, 0 run now)`);
    expect(traces.map((f) => statSync(join(work, 'ref', 'traces', f)).mtimeMs)).toEqual(mtimes);
    expect(read('ref/results.csv')).toBe(reference.results);
  }, 60_000);

  it('a finished run whose summary.json or run.json was removed or damaged is run again, said on stderr, with the same tables; merge refuses it', async () => {
    cpSync(join(work, 'ref'), join(work, 'damaged'), { recursive: true });
    const [a, b, c, e] = runDirs('damaged');
    rmSync(join(work, 'damaged', 'runs', a!, 'summary.json'));
    writeFileSync(join(work, 'damaged', 'runs', b!, 'run.json'), '{');
    // a summary.json not as syncsim wrote it (its marker's stamp): damaged, or edited and still JSON, is the user's; the sweep
    // refuses it before any run (an edited one it read into the tables as the run's, a damaged one it ran again, deleting it)
    const summaryOf = (id: string) => join(work, 'damaged', 'runs', id, 'summary.json');
    const edited = readFileSync(summaryOf(e!), 'utf8');
    writeFileSync(summaryOf(e!), edited.replace(/"count": (\d)/, (_m, d: string) => `"count": ${(Number(d) + 1) % 10}`));
    expect(readFileSync(summaryOf(e!), 'utf8')).not.toBe(edited);
    writeFileSync(summaryOf(c!), '{');
    const refused = await syncsimHereInWork(['sweep', EXP, '--out', 'damaged', '--jobs', '2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^syncsim: --out damaged: runs\/[0-9a-f]{16}\/ holds what syncsim did not write there \("summary\.json \(changed since syncsim wrote it\)"\), (whose results the tables would take for the run's|which running it again would delete); move it away first\n$/);
    expect(readFileSync(summaryOf(e!), 'utf8')).not.toBe(edited);
    expect(readFileSync(summaryOf(c!), 'utf8')).toBe('{');
    // moved away (here: removed), both runs are run again
    rmSync(summaryOf(c!));
    rmSync(summaryOf(e!));
    // merge reads no run it cannot read back: exit 2 naming the file, nothing written
    const m = await syncsimHereInWork(['merge', 'damaged', '--out', 'damaged-merged']);
    expect([m.code, m.stderr]).toEqual([2, `syncsim: merge: damaged/runs/${a}/summary.json is missing: syncsim sweep on damaged (with its --shard, if any) runs it again; merge then\n`]);
    expect(existsSync(join(work, 'damaged-merged'))).toBe(false);
    const r = await syncsimHereInWork(['sweep', EXP, '--out', 'damaged', '--jobs', '2']);
    expect(r.code, r.stderr).toBe(0);
    const warning = r.stderr.split('\n').find((l) => l.startsWith('syncsim: warning: 4 finished runs of damaged cannot be read back and are run again: '));
    expect(warning).toContain(`runs/${a}/summary.json is missing`);
    expect(warning).toContain(`runs/${b}/run.json cannot be read (line 1, column 2: `);
    expect(r.stdout).toContain(`${N_RUNS} runs (${N_RUNS - 4} already done, 4 run now`);
    expect([read('damaged/results.csv'), read('damaged/aggregate.csv')]).toEqual([reference.results, reference.aggregate]);
    // merge of a damaged summary.json says the sweep runs it again once it is moved away
    writeFileSync(summaryOf(c!), '{');
    const cm = await syncsimHereInWork(['merge', 'damaged', '--out', 'damaged-merged']);
    expect(cm.stderr).toBe(`syncsim: merge: damaged/runs/${c}/summary.json cannot be read (line 1, column 2: ${cm.stderr.match(/column 2: (.*)\): syncsim/)?.[1]}): syncsim sweep on damaged (with its --shard, if any) runs it again once the file is moved away; merge then\n`);
  }, 60_000);

  it('--dry-run lists the runs (or a shard of them) and creates nothing', async () => {
    const r = await syncsimHereInWork(['sweep', EXP, '--out', 'dry', '--dry-run']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(`4 points x 3 seeds = ${N_RUNS} runs`);
    expect(lines.slice(1)).toHaveLength(N_RUNS);
    expect(lines[1]).toMatch(/^[0-9a-f]{16} {2}point=1 {2}seed=1 {2}personality=freebsd {2}pager\.cluster_pages=8 {2}pending$/);
    expect(existsSync(join(work, 'dry'))).toBe(false);
    const s = await syncsimHereInWork(['sweep', EXP, '--out', 'ref', '--dry-run', '--shard', '2/5']);
    const ids = s.stdout.trim().split('\n').slice(1);
    expect(ids).toHaveLength(2); // 12 runs in 5 contiguous blocks of 2, 2, 3, 2, 3
    for (const l of ids) expect(l).toMatch(/ done$/);
  }, 60_000);

  it('run again in one process, adds no listener to standard output after the first', async () => {
    // the closed-pipe handler of `sweep ... | head`: one a run before, and vitest's shared process warned at the 11th
    await syncsimHereInWork(['sweep', EXP, '--out', 'dry', '--dry-run']);
    const after = process.stdout.listenerCount('error');
    for (let i = 0; i < 3; i++) expect((await syncsimHereInWork(['sweep', EXP, '--out', 'dry', '--dry-run'])).code).toBe(0);
    expect(process.stdout.listenerCount('error')).toBe(after);
  }, 60_000);

  it("a shard's failure summary counts the shard's runs, as its closing line does", async () => {
    writeFileSync(join(work, 'misaligned.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,0x4000,,f,0\n1,a,write,0x1000,100,,,\n2,a,msync,0x1000,0x4000,SYNC,,\n');
    writeFileSync(join(work, 'fail-shard.yaml'), 'name: fails\ntrace: { path: misaligned.csv }\ngrid:\n  page_size: [4096, 8192]\nseeds: [1, 2]\nmetrics: [sync.count, writeback.bytes]\n');
    // 4 runs in 2 shards: the second holds page_size 8192's two runs, both of which fail
    const r = await syncsimHereInWork(['sweep', 'fail-shard.yaml', '--out', 'fail-shard', '--shard', '2/2', '--jobs', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^shard 2\/2 of fails: 2 runs \(0 already done, 2 run now[^)]*\), 2 failed$/m);
    expect(r.stderr).toMatch(/^syncsim: 2 of 2 runs failed:$/m);
  }, 60_000);

  it('records a run that throws, finishes the others and exits 1 with a summary', async () => {
    writeFileSync(join(work, 'misaligned.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,0x4000,,f,0\n1,a,write,0x1000,100,,,\n2,a,msync,0x1000,0x4000,SYNC,,\n');
    writeFileSync(join(work, 'fail.yaml'), 'name: fails\ntrace: { path: misaligned.csv }\ngrid:\n  page_size: [4096, 8192]\nseeds: [1, 2]\nmetrics: [sync.count, writeback.bytes]\n');
    const r = await syncsimHereInWork(['sweep', 'fail.yaml', '--out', 'fail', '--jobs', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 of 4 runs failed:/);
    expect(r.stderr).toMatch(/\(point 2, seed 1\): misaligned\.csv:3: column addr: map address is not aligned to page_size 8192/);
    const res = rows('fail/results.csv');
    expect(res.map((x) => [x.page_size, x.status])).toEqual([['4096', 'ok'], ['4096', 'ok'], ['8192', 'failed'], ['8192', 'failed']]);
    // the good runs: one msync, one dirty page of 4096 bytes written back, then (freebsd's default ufs) the inode's block
    expect(res.slice(0, 2).map((x) => [x['sync.count'], x['writeback.bytes']])).toEqual([['1', '8192'], ['1', '8192']]);
    expect(res[2]['sync.count']).toBe('');
    expect(res[2].error).toMatch(/^misaligned\.csv:3: column addr: /);
    const agg = rows('fail/aggregate.csv');
    expect(agg.filter((a) => a.page_size === '8192').map((a) => [a.n, a.mean])).toEqual([['0', ''], ['0', '']]);
    expect(agg.filter((a) => a.page_size === '4096').map((a) => [a.n, a.mean, a.sd])).toEqual([['2', '1', '0'], ['2', '8192', '0']]);

    // a note the user left in a failed run's directory: the sweep run again refuses to retry it (which would replace the directory), nothing touched
    const failedId = readdirSync(join(work, 'fail', 'runs')).find((id) => JSON.parse(readFileSync(join(work, 'fail', 'runs', id, 'run.json'), 'utf8')).status === 'failed')!;
    writeFileSync(join(work, 'fail', 'runs', failedId, 'NOTES.md'), 'why did this fail?\n');
    const again = await syncsimHereInWork(['sweep', 'fail.yaml', '--out', 'fail', '--jobs', '2']);
    expect([again.code, again.stderr]).toEqual([2, `syncsim: --out fail: runs/${failedId}/ holds what syncsim did not write there ("NOTES.md"), which running its failed run again would delete; move it away first\n`]);
    expect(readFileSync(join(work, 'fail', 'runs', failedId, 'NOTES.md'), 'utf8')).toBe('why did this fail?\n');
  }, 60_000);

  it('a sweep killed while writing its tables leaves temporary files that the next sweep removes: the files of an uninterrupted one', async () => {
    // a finished sweep whose tables were being written when it was killed: the runs of 'ref' without
    // the tables, then a real SIGKILL of a child process half-way through writing them
    cpSync(join(work, 'ref'), join(work, 'tables-killed'), { recursive: true });
    for (const f of ['results.csv', 'aggregate.csv']) rmSync(join(work, 'tables-killed', f));
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'workers', 'kill-in-tables.ts'), join(work, 'tables-killed')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const signal = await new Promise((res) => child.on('close', (_c, sig) => res(sig)));
    expect(signal).toBe('SIGKILL');
    expect(stdout).toBe('');
    const left = readdirSync(join(work, 'tables-killed')).filter((n) => n.includes('.tmp-')).sort();
    expect(left.map((n) => n.replace(/tmp-.*$/, 'tmp-'))).toEqual(['.aggregate.csv.tmp-', '.results.csv.tmp-']);
    // resume: every run is done, so it only writes the tables and removes the dead writer's files
    const r = await syncsimHereInWork(['sweep', EXP, '--out', 'tables-killed', '--resume']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${N_RUNS} runs \\(${N_RUNS} already done, 0 run now`));
    expect(listing('tables-killed')).toEqual(listing('ref'));
    expect(read('tables-killed/results.csv')).toBe(reference.results);
    expect(read('tables-killed/aggregate.csv')).toBe(reference.aggregate);
  }, 60_000);

  it('refuses an experiment of more runs than --max-runs (default 100000) at once, saying how many', async () => {
    const axis = (n: number, from: number) => `[${Array.from({ length: n }, (_, i) => from + i).join(', ')}]`;
    writeFileSync(join(work, 'huge.yaml'), `name: huge\ntrace: { gen: db-checkpoint }\ngrid:\n  pager.cluster_pages: ${axis(1000, 1)}\n  cpu.syscall_us: ${axis(1000, 0)}\n`);
    const a = await syncsimHereInWork(['sweep', 'huge.yaml', '--dry-run']);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe('syncsim: huge.yaml:3: the experiment has 1000000 runs (1000 x 1000 x 1), more than the limit of 100000; raise it with --max-runs 1000000 if that many is intended\n');
    expect(a.stdout).toBe('');
    const b = await syncsimHereInWork(['sweep', 'huge.yaml', '--max-runs', '999999', '--out', 'huge']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/1000000 runs .* limit of 999999;/);
    expect(existsSync(join(work, 'huge'))).toBe(false);
    // the limit counts grid points x seeds: the shared experiment has 2 x 2 points x 3 seeds
    const c = await syncsimHereInWork(['sweep', EXP, '--max-runs', String(N_RUNS - 1), '--dry-run']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(new RegExp(`has ${N_RUNS} runs \\(2 x 2 x 3\\), more than the limit of ${N_RUNS - 1};`));
    const d = await syncsimHereInWork(['sweep', EXP, '--max-runs', String(N_RUNS), '--dry-run']);
    expect(d.code).toBe(0);
    expect(d.stdout.trim().split('\n')).toHaveLength(N_RUNS + 1);
    for (const bad of ['0', '-3', 'lots', '1e6']) {
      const e = await syncsimHereInWork(['sweep', EXP, `--max-runs=${bad}`, '--dry-run']);
      expect(e.code).toBe(2);
      expect(e.stderr).toBe(`syncsim: --max-runs expects a positive integer (got '${bad}')\n`);
    }
    const h = await syncsimHereInWork(['sweep', '--help']);
    expect(h.stdout).toMatch(/--max-runs N .*\n.*default limit\s+is 100000/);
  }, 60_000);

  it('refuses bad input with exit 2: a bad experiment line, another experiment in DIR, nothing to resume', async () => {
    writeFileSync(join(work, 'bad.yaml'), 'name: bad\ntrace: { gen: db-checkpoint }\ngrid:\n  pager.cluster_pagez: [8, 32]\n');
    const a = await syncsimHereInWork(['sweep', 'bad.yaml']);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe("syncsim: bad.yaml:4: grid key 'pager.cluster_pagez': unknown configuration key; did you mean pager.cluster_pages?\n");
    const b = await syncsimHereInWork(['sweep', 'fail.yaml', '--out', 'ref']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/holds another experiment \('cli-test'/);
    const c = await syncsimHereInWork(['sweep', EXP, '--out', 'nothing-here', '--resume']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--resume: .* holds no sweep to resume/);
    // --dry-run says the same, instead of listing every run as pending
    const cd = await syncsimHereInWork(['sweep', EXP, '--out', 'nothing-here', '--resume', '--dry-run']);
    expect([cd.code, cd.stdout]).toEqual([2, '']);
    expect(cd.stderr).toMatch(/--resume: .* holds no sweep to resume/);
    const h = await syncsimHereInWork(['sweep', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--shard I\/N/);
  }, 60_000);
});

describe('syncsim merge', () => {
  it('combines shards into exactly the tables of one sweep, refusing missing and doubled runs', async () => {
    // one after the other in this process: a shard is a sweep of its own, whenever and wherever it runs
    const shards = [];
    for (const i of [1, 2, 3]) shards.push(await syncsimHereInWork(['sweep', EXP, '--out', `shards/${i}`, '--shard', `${i}/3`, '--jobs', '1']));
    for (const s of shards) {
      expect(s.code).toBe(0);
      expect(s.stdout).toMatch(/syncsim merge/);
    }
    for (const i of [1, 2, 3]) {
      expect(runDirs(`shards/${i}`)).toHaveLength(N_RUNS / 3);
      // one seed's 4 runs replay one generated trace: each shard makes only its own
      expect(readdirSync(join(work, 'shards', String(i), 'traces')).filter((f) => f.endsWith('.csv.gz'))).toHaveLength(1);
      expect(existsSync(join(work, 'shards', String(i), 'results.csv'))).toBe(false);
    }
    // a run directory may hold a subdirectory: syncsim report on one run writes its report/ there
    const withReport = runDirs('shards/1')[0];
    mkdirSync(join(work, 'shards', '1', 'runs', withReport, 'report', 'deeper'), { recursive: true });
    writeFileSync(join(work, 'shards', '1', 'runs', withReport, 'report', 'deeper', 'chart.svg'), '<svg/>');
    const m = await syncsimHereInWork(['merge', 'shards/1', 'shards/2', 'shards/3', '--out', 'merged']);
    expect(read(`merged/runs/${withReport}/report/deeper/chart.svg`)).toBe('<svg/>');
    // nothing but what the one sweep's tables warned of
    expect(reference.warnings).toContain('grid points gave the same value of every metric');
    expect(m.stderr).toBe(reference.warnings);
    expect(m.code).toBe(0);
    expect(read('merged/results.csv')).toBe(reference.results);
    expect(read('merged/aggregate.csv')).toBe(reference.aggregate);
    expect(runDirs('merged')).toHaveLength(N_RUNS);
    expect(m.stdout).toMatch(/merged 3 directories of cli-test: 12 runs \(12 copied\), 0 failed/);

    // the refusals, in-process (the command prints these messages and exits 2)
    const refusal = async (dirs: string[], out?: string) => {
      try {
        await mergeSweeps(dirs.map((d) => join(work, d)), out === undefined ? undefined : join(work, out));
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('merge did not refuse');
    };
    expect(await refusal(['shards/1', 'shards/3'], 'partial')).toMatch(/4 of 12 runs of 'cli-test' are missing: [0-9a-f]{16} \(point 1, seed \d\)/);
    expect(existsSync(join(work, 'partial'))).toBe(false);
    const id = runDirs('shards/1')[0];
    cpSync(join(work, 'shards', '1', 'runs', id), join(work, 'shards', '2', 'runs', id), { recursive: true });
    expect(await refusal(['shards/1', 'shards/2', 'shards/3'], 'doubled')).toMatch(new RegExp(`1 run\\(s\\) are in more than one directory: ${id}`));
    expect(existsSync(join(work, 'doubled'))).toBe(false);
    expect(await refusal(['shards/3', 'fail'], 'mixed')).toMatch(/holds another experiment/);
    expect(await refusal(['shards/1', 'shards/3'])).toMatch(/--out is required/);
    // one directory given twice (e.g. for a shard left out), by the same or another path
    expect(await refusal(['shards/1', 'shards/1', 'shards/2', 'shards/3'], 'twice')).toBe(`merge: ${join(work, 'shards/1')} is given twice: each directory once`);
    expect(await refusal(['shards/1', 'shards/1/', 'shards/3'], 'twice')).toBe(`merge: ${join(work, 'shards/1/')} is given twice (as ${join(work, 'shards/1')} too): each directory once`);
    expect(existsSync(join(work, 'twice'))).toBe(false);
    // one of several inputs as the output: it would become the whole sweep while still marked as its shard
    const before = readdirSync(join(work, 'shards', '1', 'runs')).sort();
    expect(await refusal(['shards/1', 'shards/2', 'shards/3'], 'shards/1/')).toBe(`merge: --out ${join(work, 'shards/1/')} is one of the directories merged (${join(work, 'shards/1')}): merge several into a directory of its own`);
    expect(readdirSync(join(work, 'shards', '1', 'runs')).sort()).toEqual(before);
  }, 120_000);
});

describe('a sweep over a malformed trace', () => {
  it('stops before any run with FILE:LINE and exit 2, and leaves no results directory and no cache', async () => {
    const d = mkdtempSync(join(work, 'bad-'));
    const good = readFileSync(join(ROOT, 'traces', 'examples', 'demo.csv'), 'utf8').split('\n');
    const lineNo = 41;
    good[lineNo - 1] = good[lineNo - 1]!.replace(/,(write|read|msync|map),/, ',wrte,');
    writeFileSync(join(d, 'bad1.csv'), good.join('\n'));
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { path: bad1.csv }\ngrid:\n  pager.cluster_pages: [4, 8]\nseeds: 2\n');
    const r = await syncsimHere(['sweep', join(d, 'e.yaml'), '--out', join(d, 'swbad')], d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^syncsim: .*bad1\\.csv:${lineNo}: column op: unknown op .*\\(got 'wrte'\\); did you mean write\\?\\n$`, 'm'));
    expect(readdirSync(d).sort()).toEqual(['bad1.csv', 'e.yaml']);
  });
});

describe('sweep progress', () => {
  it('finishes once (an interrupted sweep finishes it before its runs settle), counts nothing after, and a cancelled one writes nothing more', async () => {
    const { Progress } = await import('../scripts/sweep/progress.ts');
    let out = '';
    const stream = { write: (x: string) => (out += x), isTTY: false };
    const p = new Progress({ total: 4, already: 0, stream, intervalMs: 1e9 });
    p.tick(true);
    p.finish();
    p.tick(false);
    p.finish();
    expect(out).toMatch(/^sweep: 1\/4 runs, 0 failed, \S+\n$/);
    out = '';
    const q = new Progress({ total: 4, already: 0, stream, intervalMs: 1e9 });
    q.cancel();
    q.finish();
    expect(out).toBe('');
  });
});

describe('sweep progress of runs under way (a sweep of a few long runs showed 0/N and ETA ? until the first ended)', () => {
  it('counts the share of the rows each run under way has replayed, and names the traces still being made', async () => {
    const { Progress } = await import('../scripts/sweep/progress.ts');
    let out = '';
    const stream = { write: (x: string) => (out += x), isTTY: false };
    const p = new Progress({ total: 4, already: 0, stream, intervalMs: 1e9 });
    const text = () => (p as unknown as { text(s: number): string }).text(60);
    p.stage('generating 2 traces');
    expect(text()).toBe('0/4 runs 0%, 0 failed, generating 2 traces, ETA ?');
    p.stage('');
    p.running('a', 0.5);
    expect(text()).toBe('0/4 runs 12%, 0 failed, 1 under way (50% of its rows), ETA 7m00s');
    p.running('b', 0.3);
    p.running('a', 0.7);
    expect(text()).toBe('0/4 runs 25%, 0 failed, 2 under way (50% of their rows), ETA 3m00s');
    p.tick(true, 'a');
    expect(text()).toBe('1/4 runs 32%, 0 failed, 1 under way (30% of its rows), ETA 2m05s');
    p.tick(false, 'b');
    p.finish();
    expect(out).toBe('sweep: 2/4 runs, 1 failed, 0s\n');
  });

  it("a worker's progress messages reach the task's onProgress before its answer", async () => {
    const { WorkerPool, TASK_PROGRESS } = await import('../scripts/sweep/pool.ts');
    const entry = join(work, 'progress-worker.mjs');
    writeFileSync(entry, `import { parentPort } from 'node:worker_threads';
parentPort.on('message', () => {
  parentPort.postMessage({ ${JSON.stringify(TASK_PROGRESS)}: 0.25 });
  parentPort.postMessage({ ${JSON.stringify(TASK_PROGRESS)}: 0.75 });
  parentPort.postMessage({ done: true });
});
`);
    const pool = new WorkerPool<object, { done: boolean }>(1, pathToFileURL(entry));
    try {
      const told: number[] = [];
      const reply = await pool.run({}, undefined, (f) => told.push(f));
      expect(reply).toEqual({ done: true });
      expect(told).toEqual([0.25, 0.75]);
    } finally {
      await pool.close();
    }
  });

  it("a run tells the share of its trace's rows (from the cache's count) or of the CSV read", async () => {
    const { runProgress } = await import('../scripts/sweep/run-progress.ts');
    const csv = join(work, 'progress.csv');
    writeFileSync(csv, 'x'.repeat(1000));
    const told: number[] = [];
    const fromCache = runProgress(csv, (f) => told.push(f), 0);
    fromCache.onRows(200);
    fromCache.progress(50);
    fromCache.progress(200);
    const fromCsv = runProgress(csv, (f) => told.push(f), 0);
    fromCsv.onRows(undefined);
    fromCsv.progressTap.seen(new Uint8Array(400), 0);
    fromCsv.progress(10);
    expect(told).toEqual([0.25, 1, 0.4]);
  });
});

describe('a sweep over a trace that is not a regular file', () => {
  it('a FIFO as trace.path is refused with the experiment\'s line, exit 2 (a --dry-run hung on it)', async () => {
    const fifo = join(work, 'fifo.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const exp = join(work, 'fifo.yaml');
    writeFileSync(exp, 'name: f\ntrace: { path: fifo.csv }\ngrid:\n  device.channels: [1, 2]\n');
    const r = await syncsimHereInWork(['sweep', exp, '--out', 'fifo-out', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: ${exp}:2: trace file ${fifo}: is not a regular file (a pipe or a device): a trace is read more than once; save it to a file first (got 'fifo.csv')\n`);
    expect(existsSync(join(work, 'fifo-out'))).toBe(false);
  });
});
