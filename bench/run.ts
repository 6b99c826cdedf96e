/**
 * `npm run bench`: (a) the engine alone on an M/M/1 queue, (b) the whole replay
 * path on a 1,000,000-row random-writer trace, in a child process so its peak
 * RSS is the replay's own. Prints the figures and writes bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMm1, type Mm1Result } from './mm1.ts';
import { ensureBenchTrace, type BenchTraceParams } from './trace-data.ts';
import type { ReplayChildReport } from './replay-child.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const CHILD = fileURLToPath(new URL('./replay-child.ts', import.meta.url));

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const rel = (p: string) => relative(ROOT, p) || p;

// ---- (a) engine: M/M/1, ρ = 0.8, 200,000 customers; one warm-up run, then the median of three
const MM1 = { customers: 200_000, rho: 0.8, serviceUs: 100, seed: 1 };
runMm1({ ...MM1, seed: 99 });
const runs: Mm1Result[] = [1, 2, 3].map((seed) => runMm1({ ...MM1, seed }));
const engine = [...runs].sort((a, b) => a.seconds - b.seconds)[1];
console.log(
  `engine: ${MM1.customers} customers, ${engine.events} events in ${engine.seconds.toFixed(3)} s = ` +
  `${fmt(engine.eventsPerSec)} events/s, ${fmt(engine.customersPerSec)} customers/s ` +
  `(M/M/1 rho=${MM1.rho}, median of 3 runs; mean sojourn ${engine.meanSojournUs.toFixed(1)} us, theory ${engine.theorySojournUs.toFixed(1)} us)`,
);

// ---- (b) replay: 1,000,000-row random-writer trace through runTrace, in a child process
const TRACE: BenchTraceParams = { seed: 1, rows: 1_000_000, pages: 4096, syncEvery: 100, writeRateUs: 200 };
const trace = await ensureBenchTrace(TRACE);
console.log(
  `trace: ${rel(trace.path)} (${TRACE.rows} rows, ` +
  `${trace.generated ? `generated in ${trace.seconds.toFixed(1)} s` : 'reused'})`,
);
const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, trace.path], {
  cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20,
});
if (child.status !== 0) throw new Error(`replay child failed (status ${child.status}, signal ${child.signal})`);
const replay = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as ReplayChildReport;
console.log(
  `replay: ${replay.rows} rows in ${replay.seconds.toFixed(2)} s = ${fmt(replay.rowsPerSec)} rows/s, ` +
  `peak RSS ${replay.maxRssMiB.toFixed(1)} MiB (${replay.rssBeforeMiB.toFixed(1)} MiB before the replay started)`,
);
console.log(
  `replay: ${replay.replay} replay, simulated ${(replay.simTimeUs / 1e6).toFixed(1)} s, ${replay.syncs} msyncs ` +
  `(mean ${replay.syncLatencyMeanUs?.toFixed(0) ?? '-'} us), ${replay.writebackIos} writeback I/Os, ` +
  `device utilization ${(replay.deviceUtilization * 100).toFixed(1)}%`,
);

const results = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  engine: {
    workload: 'M/M/1 on Engine', rho: MM1.rho, service_us: MM1.serviceUs, customers: MM1.customers,
    events: engine.events, seconds: engine.seconds, events_per_s: engine.eventsPerSec, customers_per_s: engine.customersPerSec,
    runs_seconds: runs.map((r) => r.seconds), mean_sojourn_us: engine.meanSojournUs, theory_sojourn_us: engine.theorySojournUs,
  },
  replay: {
    workload: 'random-writer', params: TRACE, trace: rel(trace.path), trace_generated: trace.generated,
    rows: replay.rows, seconds: replay.seconds, rows_per_s: replay.rowsPerSec,
    peak_rss_mib: replay.maxRssMiB, rss_before_replay_mib: replay.rssBeforeMiB,
    replay: replay.replay, sim_time_us: replay.simTimeUs, syncs: replay.syncs,
    sync_latency_mean_us: replay.syncLatencyMeanUs, writeback_ios: replay.writebackIos,
    device_utilization: replay.deviceUtilization,
  },
};
writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
console.log(`results: ${rel(RESULTS)}`);
