/**
 * `npm run bench`: the figures syncsim defends, each printed and written to
 * bench/results.json:
 * 1. engine: an M/M/1 queue (ρ = 0.8) on syncsim's engine, 200,000 and
 *    1,000,000 customers; the same model in SimPy (Debian python3-simpy3,
 *    bench/mm1_simpy.py) when installed, and the ratio;
 * 2. replay: random-writer traces of 1 M and 10 M rows through `syncsim run`'s
 *    path (with its result files, and without them), against a bare csv-parse
 *    pass over the same file, with peak RSS;
 * 3. the binary trace cache: read rate against the CSV reader, replay from it;
 * 4. sweep: 1 vs 2 workers on 16 short runs;
 * 5. sparse: peak RSS of `syncsim run` on traces whose writes are few but
 *    spread wide (bench/sparse-traces.ts), against its target;
 * 6. cli: start-up of the command, `syncsim --version` and a 5-row `syncsim run`
 *    (bench/cli-start.ts), against their targets.
 * Every measured pass runs in its own child process (bench/child.mjs).
 * 7. huge (only with `npm run bench -- --huge`, not in CI): `syncsim run` of a
 *    100 M-row trace from its binary cache (bench/huge.ts), time and peak RSS.
 * BENCH_QUICK=1 skips the 10 M-row trace and the 1 M-write sparse trace;
 * BENCH_ONLY=replay,sparse (any of engine, replay, cache, sweep, sparse, cli, huge) runs
 * only those sections.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMm1, runMm1Floor, type Mm1Result } from './mm1.ts';
import { DATA_DIR, ensureBenchTrace, reusableBenchCache, type BenchTraceParams } from './trace-data.ts';
import { benchSweep, sweepBenchLine } from './sweep.ts';
import { ensureSparseTrace, SPARSE_TRACES } from './sparse-traces.ts';
import { benchCliStart, cliStartLine } from './cli-start.ts';
import { ensureHugeTrace } from './huge.ts';
import { NODE_FLAGS } from '../scripts/launch.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
const SIMPY = fileURLToPath(new URL('./mm1_simpy.py', import.meta.url));
const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const rel = (p: string) => relative(ROOT, p) || p;
const results: Record<string, unknown> = {
  date: new Date().toISOString(), node: process.version, platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length,
};

const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim());
/** Whether section `name` runs (BENCH_ONLY). */
const section = (name: string) => !only || only.includes(name);

interface ChildReport { mode: string; rows: number; seconds: number; rowsPerSec: number; maxRssMiB: number; compiled: boolean }
/** Which code a child ran (bench/child.mjs: what `syncsim` runs). */
const code = (r: ChildReport) => (r.compiled ? 'compiled dist/' : 'TypeScript sources: dist/ is stale, npm run build');

function child(mode: string, file: string, ...more: string[]): ChildReport {
  const r = spawnSync(process.execPath, childArgs(mode, file, more), { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  return childReport(mode, file, r.status, r.signal, r.stdout);
}

/** The command line of `bench/child.mjs MODE FILE ...` after the node executable. */
function childArgs(mode: string, file: string, more: string[] = []): string[] {
  return [...NODE_FLAGS, CHILD, mode, file, ...more];
}

/** The report of a finished child: the JSON of its last line of output, or an error when it failed. */
function childReport(mode: string, file: string, status: number | null, signal: NodeJS.Signals | null, stdout: string): ChildReport {
  if (status !== 0) throw new Error(`bench child ${mode} ${file} failed (status ${status}, signal ${signal})`);
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as ChildReport;
}

/** {@link child} without waiting: the report once the process has ended. */
function childAsync(mode: string, file: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, childArgs(mode, file), { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', (status, signal) => {
      try {
        resolve(childReport(mode, file, status, signal, out));
      } catch (e) {
        reject(e);
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * bench/data/bench-1m.sst: the 1 M-row trace converted to the binary cache, once per benchmark run (again in
 * each run: it stays in step with the code); the cache and sweep sections share it.
 */
function benchCache1m(): Promise<{ csv: string; sst: string }> {
  return (cache1m ??= convertCache1m());
}
let cache1m: Promise<{ csv: string; sst: string }> | undefined;

async function convertCache1m(): Promise<{ csv: string; sst: string }> {
  const csv = (await ensureBenchTrace(trace1mParams)).path;
  const sst = join(DATA_DIR, 'bench-1m.sst');
  const conv = spawnSync(process.execPath, [join(ROOT, 'scripts', 'syncsim.mjs'), 'convert', csv, '-o', sst], { encoding: 'utf8' });
  if (conv.status !== 0 || !existsSync(sst)) throw new Error(`convert failed: ${conv.stderr}`);
  return { csv, sst };
}

// ---- 1. engine
function engineRun(customers: number, run = runMm1): Mm1Result {
  run({ customers: Math.min(customers, 200_000), rho: 0.8, serviceUs: 100, seed: 99 }); // warm-up
  const runs = [1, 2, 3].map((seed) => run({ customers, rho: 0.8, serviceUs: 100, seed }));
  return runs.sort((a, b) => a.seconds - b.seconds)[1];
}
if (section('engine')) {
  const engine: Record<string, unknown> = {};
  for (const customers of [200_000, 1_000_000]) {
    const e = engineRun(customers);
    engine[String(customers)] = e;
    console.log(`engine: M/M/1 rho=0.8, ${fmt(customers)} customers, ${fmt(e.events)} events in ${e.seconds.toFixed(3)} s = ${fmt(e.eventsPerSec)} events/s, ${fmt(e.customersPerSec)} customers/s (median of 3; mean sojourn ${e.meanSojournUs.toFixed(1)} us, theory ${e.theorySojournUs.toFixed(1)} us)`);
  }
  // the same model without the queue (bench/mm1.ts, runMm1Floor): what the model's own work costs, and so what the queue adds
  const floor = engineRun(1_000_000, runMm1Floor);
  const ours1m = engine['1000000'] as Mm1Result;
  const nsPerEvent = (r: Mm1Result) => (r.seconds / r.events) * 1e9;
  engine.floor = { ...floor, ns_per_event: nsPerEvent(floor), engine_ns_per_event: nsPerEvent(ours1m) };
  console.log(`engine: the same M/M/1 without an event queue (its two events in two variables), 1,000,000 customers in ${floor.seconds.toFixed(3)} s = ${fmt(floor.customersPerSec)} customers/s: ` +
    `${nsPerEvent(floor).toFixed(1)} ns an event for the model's own work, against ${nsPerEvent(ours1m).toFixed(1)} with the engine (its queue adds ${(nsPerEvent(ours1m) - nsPerEvent(floor)).toFixed(1)})`);
  const simpyPython = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import simpy'], { stdio: 'ignore' }).status === 0);
  if (simpyPython) {
    const r = spawnSync(simpyPython, [SIMPY, '1000000', '3'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`SimPy benchmark failed: ${r.stderr}`);
    const ours = ours1m.customersPerSec;
    const simpy = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { variant: string; customers_per_s: number; seconds: number; mean_sojourn_us: number });
    for (const v of simpy) {
      console.log(`engine: SimPy ${v.variant} M/M/1, 1,000,000 customers in ${v.seconds.toFixed(2)} s (median of 3) = ${fmt(v.customers_per_s)} customers/s (mean sojourn ${v.mean_sojourn_us.toFixed(1)} us); syncsim/SimPy = ${(ours / v.customers_per_s).toFixed(1)}x (without a queue at all ${(floor.customersPerSec / v.customers_per_s).toFixed(1)}x)`);
    }
    engine.simpy = simpy.map((v) => ({ ...v, ratio: ours / v.customers_per_s }));
  } else {
    console.log('engine: SimPy not installed (apt-get install python3-simpy3): no ratio');
  }
  results.engine = engine;
}

// ---- 2. replay at 1 M and 10 M rows, against a bare csv-parse pass
const sizes = process.env.BENCH_QUICK ? [1_000_000] : [1_000_000, 10_000_000];
const replay: Record<string, unknown> = {};
const trace1mParams: BenchTraceParams = { seed: 1, rows: 1_000_000, pages: 4096, syncEvery: 100, writeRateUs: 200 };
for (const rows of section('replay') ? sizes : []) {
  const t = await ensureBenchTrace({ ...trace1mParams, rows });
  const mib = statSync(t.path).size / 2 ** 20;
  console.log(`trace: ${rel(t.path)} (${fmt(rows)} rows, ${mib.toFixed(0)} MiB, ${t.generated ? `generated in ${t.seconds.toFixed(1)} s` : 'reused'})`);
  const run = child('run', t.path);
  const sim = child('replay', t.path);
  const bare = child('csvparse', t.path);
  console.log(
    `replay ${fmt(rows)}: syncsim run ${fmt(run.rowsPerSec)} rows/s (${run.seconds.toFixed(2)} s, result files written), peak RSS ${run.maxRssMiB.toFixed(1)} MiB; ` +
      `without result files ${fmt(sim.rowsPerSec)} rows/s (${sim.seconds.toFixed(2)} s), peak RSS ${sim.maxRssMiB.toFixed(1)} MiB; ` +
      `bare csv-parse ${fmt(bare.rowsPerSec)} rows/s (${bare.seconds.toFixed(2)} s), peak RSS ${bare.maxRssMiB.toFixed(1)} MiB; ` +
      `csv-parse/run = ${(bare.rowsPerSec / run.rowsPerSec).toFixed(2)}x, csv-parse/replay = ${(bare.rowsPerSec / sim.rowsPerSec).toFixed(2)}x (${code(run)})`,
  );
  replay[String(rows)] = { run, replay: sim, csvparse: bare, slowdown: bare.rowsPerSec / run.rowsPerSec, slowdown_without_results: bare.rowsPerSec / sim.rowsPerSec };
}
if (replay['10000000']) {
  const rss = (rows: string, mode: 'run' | 'replay') => (replay[rows] as Record<string, ChildReport>)[mode].maxRssMiB;
  console.log(`replay: peak RSS 10 M / 1 M rows = ${(rss('10000000', 'run') / rss('1000000', 'run')).toFixed(2)} (syncsim run), ${(rss('10000000', 'replay') / rss('1000000', 'replay')).toFixed(2)} (without result files)`);
  replay.rss_ratio_10m_1m = rss('10000000', 'run') / rss('1000000', 'run');
  replay.rss_ratio_10m_1m_without_results = rss('10000000', 'replay') / rss('1000000', 'replay');
}
if (section('replay')) results.replay = replay;

// ---- 3. binary trace cache
if (section('cache')) {
  const { csv: trace1m, sst } = await benchCache1m();
  // the reads are short: the median of 3 passes of the CSV reader (each in its own process) and of 5 of the cache reader
  const median3 = (mode: string, file: string) => [child(mode, file), child(mode, file), child(mode, file)].sort((a, b) => a.seconds - b.seconds)[1];
  const readCsv = median3('read-csv', trace1m);
  const readSst = child('read-sst', sst); // itself the median of 5 passes
  const replaySst = child('run', sst);
  console.log(`cache: ${rel(sst)} ${(statSync(sst).size / 2 ** 20).toFixed(0)} MiB; read ${fmt(readSst.rowsPerSec)} rows/s vs CSV reader ${fmt(readCsv.rowsPerSec)} rows/s (medians) = ${(readSst.rowsPerSec / readCsv.rowsPerSec).toFixed(1)}x; syncsim run from the cache ${fmt(replaySst.rowsPerSec)} rows/s (result files written), peak RSS ${replaySst.maxRssMiB.toFixed(1)} MiB (${code(replaySst)})`);
  // the figures above are under the plain queue device (the bench's); `syncsim run` without a configuration models more
  const replaySstDefault = child('run', sst, '', 'default');
  console.log(`cache: the same run under syncsim's default configuration (no --config; the nvme device profile, with its media stages and CPU costs) ${fmt(replaySstDefault.rowsPerSec)} rows/s (${replaySstDefault.seconds.toFixed(2)} s), peak RSS ${replaySstDefault.maxRssMiB.toFixed(1)} MiB`);
  results.cache = { read_sst: readSst, read_csv: readCsv, replay_sst: replaySst, replay_sst_default_config: replaySstDefault, read_ratio: readSst.rowsPerSec / readCsv.rowsPerSec };
  if (!process.env.BENCH_QUICK) {
    // the 10 M-row trace from its cache (converted once, then reused): the rate holds, and peak RSS stays flat
    const trace10m = (await ensureBenchTrace({ ...trace1mParams, rows: 10_000_000 })).path;
    const sst10m = join(DATA_DIR, 'bench-10m.sst');
    if (!reusableBenchCache(sst10m)) {
      const c = spawnSync(process.execPath, [join(ROOT, 'scripts', 'syncsim.mjs'), 'convert', trace10m, '-o', sst10m], { encoding: 'utf8' });
      if (c.status !== 0 || !existsSync(sst10m)) throw new Error(`convert failed: ${c.stderr}`);
    }
    const replay10m = child('run', sst10m);
    console.log(`cache: syncsim run from ${rel(sst10m)} ${fmt(replay10m.rowsPerSec)} rows/s (${replay10m.seconds.toFixed(2)} s, result files written), peak RSS ${replay10m.maxRssMiB.toFixed(1)} MiB; ` +
      `1 M rows: ${fmt(replaySst.rowsPerSec)} rows/s, peak RSS ${replaySst.maxRssMiB.toFixed(1)} MiB; peak RSS 10 M / 1 M = ${(replay10m.maxRssMiB / replaySst.maxRssMiB).toFixed(2)}`);
    results.cache = { ...(results.cache as object), replay_sst_10m: replay10m, rss_ratio_10m_1m: replay10m.maxRssMiB / replaySst.maxRssMiB };
  }
}

// ---- 4. sweep throughput, 1 vs 2 workers (bench/sweep.ts, when the sweep runner is present)
if (section('sweep')) {
  const sweep = await benchSweep();
  console.log(sweepBenchLine(sweep));
  // one replay alone against two side by side (two processes, nothing shared but the machine), in 3 rounds:
  // how much two replays slow each other down here (a sweep's workers, threads of one process, share more)
  const { sst } = await benchCache1m();
  const alone: number[] = [], paired: number[] = [];
  for (let round = 0; round < 3; round++) {
    alone.push(child('replay', sst).seconds);
    for (const r of await Promise.all([childAsync('replay', sst), childAsync('replay', sst)])) paired.push(r.seconds);
  }
  const bound = (2 * median(alone)) / median(paired);
  console.log(`sweep: a replay of ${rel(sst)} alone ${median(alone).toFixed(2)} s, two side by side ${median(paired).toFixed(2)} s each (medians of 3 rounds): ` +
    `two processes side by side give ${bound.toFixed(2)}x the replays/s of one on this machine`);
  // a sweep of 1 worker already keeps more than one core busy (the collector's and compiler's threads): on
  // `cores` cores, 2 workers can give at most cores / that many times its runs/s, even with nothing shared
  const coresBound = sweep.cores / sweep.cpu_cores_used.jobs1;
  console.log(`sweep: 1 worker kept ${sweep.cpu_cores_used.jobs1.toFixed(2)} cores busy, so 2 workers on ${sweep.cores} cores can give at most ${coresBound.toFixed(2)}x its runs/s`);
  // the same with work that touches no memory: when two of these keep their pace side by side while two replays
  // do not, what bounds the sweep is what the replays share besides the cores (caches, memory, the host)
  const spinAlone: number[] = [], spinPaired: number[] = [];
  const SPIN_STEPS = '800000000';
  for (let round = 0; round < 3; round++) {
    spinAlone.push(child('spin', SPIN_STEPS).seconds);
    for (const r of await Promise.all([childAsync('spin', SPIN_STEPS), childAsync('spin', SPIN_STEPS)])) spinPaired.push(r.seconds);
  }
  const cpuBound = (2 * median(spinAlone)) / median(spinPaired);
  console.log(`sweep: CPU alone (an integer loop, no memory traffic) ${median(spinAlone).toFixed(2)} s alone, ${median(spinPaired).toFixed(2)} s each side by side: ` +
    `${cpuBound.toFixed(2)}x for two on this machine's cores`);
  results.sweep = { ...sweep, side_by_side: { alone_s: alone, paired_s: paired, bound }, cores_bound: coresBound, cpu_side_by_side: { alone_s: spinAlone, paired_s: spinPaired, bound: cpuBound } };
}

// ---- 5. sparse traces: peak RSS of a whole run (result files written) against its target
if (section('sparse')) {
  const sparse: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SPARSE_TRACES)) {
    if (process.env.BENCH_QUICK && name === 'tib-1m') continue;
    const path = await ensureSparseTrace(name);
    const r = child('run', path);
    const mb = (r.maxRssMiB * 2 ** 20) / 1e6;
    const ok = mb < spec.targetMB;
    console.log(`sparse ${name} (${spec.what}): peak RSS ${mb.toFixed(1)} MB (target < ${fmt(spec.targetMB)} MB: ${ok ? 'met' : 'MISSED'}), ${r.seconds.toFixed(2)} s`);
    sparse[name] = { ...r, peakRssMB: mb, targetMB: spec.targetMB, met: ok };
  }
  results.sparse = sparse;
}

// ---- 6. start-up of the command (bench/cli-start.ts)
if (section('cli')) {
  const cli = benchCliStart();
  console.log(cliStartLine(cli));
  results.cli = cli;
}

// ---- 7. a 100 M-row replay from the binary cache (--huge only)
if (process.argv.includes('--huge') && section('huge')) {
  const t = ensureHugeTrace();
  console.log(`huge: ${rel(t.path)} (${(statSync(t.path).size / 2 ** 30).toFixed(1)} GiB, ${t.generated ? `generated in ${t.seconds.toFixed(0)} s` : 'reused'})`);
  const r = child('run', t.path, '10000'); // a timeline row every 10 ms: at 1 ms, 8 h of simulated time would pass its 10 M-row cap
  console.log(`huge: syncsim run of ${fmt(r.rows)} rows from the cache ${fmt(r.rowsPerSec)} rows/s (${r.seconds.toFixed(1)} s, result files written), peak RSS ${r.maxRssMiB.toFixed(1)} MiB (${code(r)})`);
  results.huge = r;
}

writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
console.log(`results: ${rel(RESULTS)}`);
