/**
 * Sweep throughput: the same 16 short runs (4 grid points x 4 seeds of one random-writer
 * trace) swept with 1 and with 2 worker threads, wall-clock time from the start of the sweep
 * (worker start-up and building the trace's binary cache included; every run then reads the
 * cache) to its tables. With 2 free cores the ratio should approach 2. The two are swept in
 * turns over a few rounds (1 then 2, 2 then 1, ...) and the medians compared, so that the
 * host's drift over a few seconds does not decide the ratio.
 * `benchSweep()` is meant to be called by bench/run.ts; run alone:
 * `node --import tsx bench/sweep.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateToFile } from '../workloads/presets/index.ts';
import { runSweep } from '../scripts/sweep/runner.ts';
import { isMainModule } from '../scripts/main-module.ts';

/** What {@link benchSweep} measured. */
export interface SweepBenchResult {
  runs: number;
  /** Rows of the trace each run replays. */
  rows_per_run: number;
  /** Wall-clock seconds of the whole sweep, by number of worker threads (the median over the rounds). */
  seconds: { jobs1: number; jobs2: number };
  /** Every round's seconds, by number of worker threads, in the order swept. */
  rounds: { jobs1: number[]; jobs2: number[] };
  /** Runs per second, by number of worker threads. */
  runs_per_s: { jobs1: number; jobs2: number };
  /** seconds.jobs1 / seconds.jobs2: approaches 2 on 2 free cores. */
  speedup: number;
  /** CPU time of the process (all threads) / wall-clock time: the cores each sweep really got (its median round's). */
  cpu_cores_used: { jobs1: number; jobs2: number };
  /** Cores available to the process, and the 1-minute load average when the benchmark ended. */
  cores: number;
  loadavg_1min: number;
}

/** Options of {@link benchSweep}. */
export interface SweepBenchOptions {
  /**
   * Trace length of the random-writer preset, simulated seconds (default 40: about 200,000 rows, so
   * each run takes a few hundred ms and the sweep's fixed costs — starting workers, caching the
   * trace, the first runs before the JIT has warmed up — do not dominate).
   */
  durationS?: number;
  /** Rounds of the pair (default 3), the order of the two alternating from round to round. */
  rounds?: number;
}

/** Runs the sweep benchmark (a few seconds) and returns its figures. */
export async function benchSweep(opts: SweepBenchOptions = {}): Promise<SweepBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-bench-sweep-'));
  try {
    const trace = join(dir, 'rw.csv');
    const rows = await generateToFile(trace, 'random-writer', { duration_s: opts.durationS ?? 40 }, 1);
    const exp = join(dir, 'bench.yaml');
    writeFileSync(exp, [
      'name: bench-sweep',
      'trace: { path: rw.csv }',
      'base: { device: { profile: queue, service: { dist: exponential, mean_us: 100 } } }',
      'grid:',
      '  pager.cluster_pages: [4, 8, 16, 32]',
      'seeds: 4',
      'metrics: [sync.latency_us.p99, writeback.bytes]',
      '',
    ].join('\n'));
    let sweeps = 0;
    const timed = async (jobs: number): Promise<{ seconds: number; runs: number; cores: number }> => {
      const n = sweeps++;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      // each sweep starts without a trace cache: it builds it, then every run reads it
      const o = await runSweep({ experiment: exp, out: join(dir, `out-${n}`), jobs, cacheDir: join(dir, `cache-${n}`) });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      if (o.failed.length > 0) throw new Error(`bench sweep: ${o.failed.length} runs failed: ${o.failed[0].error}`);
      if (o.fromCache !== o.ran) throw new Error(`bench sweep: only ${o.fromCache} of ${o.ran} runs read the trace cache`);
      return { seconds, runs: o.ran, cores: (cpu.user + cpu.system) / 1e6 / seconds };
    };
    const ones: Awaited<ReturnType<typeof timed>>[] = [], twos: Awaited<ReturnType<typeof timed>>[] = [];
    for (let round = 0; round < (opts.rounds ?? 3); round++) {
      if (round % 2 === 0) {
        ones.push(await timed(1));
        twos.push(await timed(2));
      } else {
        twos.push(await timed(2));
        ones.push(await timed(1));
      }
    }
    const mid = (xs: Awaited<ReturnType<typeof timed>>[]) => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor((xs.length - 1) / 2)];
    const one = mid(ones), two = mid(twos);
    return {
      runs: one.runs,
      rows_per_run: rows,
      seconds: { jobs1: one.seconds, jobs2: two.seconds },
      rounds: { jobs1: ones.map((r) => r.seconds), jobs2: twos.map((r) => r.seconds) },
      runs_per_s: { jobs1: one.runs / one.seconds, jobs2: two.runs / two.seconds },
      speedup: one.seconds / two.seconds,
      cpu_cores_used: { jobs1: one.cores, jobs2: two.cores },
      cores: availableParallelism(),
      loadavg_1min: loadavg()[0],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for the bench output. */
export function sweepBenchLine(r: SweepBenchResult): string {
  return (
    `sweep: ${r.runs} runs of ${r.rows_per_run} rows, medians of ${r.rounds.jobs1.length} rounds in turns ` +
    `(1 worker ${r.rounds.jobs1.map((x) => x.toFixed(2)).join(', ')} s; 2 workers ${r.rounds.jobs2.map((x) => x.toFixed(2)).join(', ')} s): ` +
    `1 worker ${r.seconds.jobs1.toFixed(2)} s (${r.runs_per_s.jobs1.toFixed(2)} runs/s, ` +
    `${r.cpu_cores_used.jobs1.toFixed(2)} cores busy), 2 workers ${r.seconds.jobs2.toFixed(2)} s (${r.runs_per_s.jobs2.toFixed(2)} runs/s, ` +
    `${r.cpu_cores_used.jobs2.toFixed(2)} cores busy): speedup ${r.speedup.toFixed(2)} on ${r.cores} cores (load average ${r.loadavg_1min.toFixed(1)})`
  );
}

if (isMainModule(import.meta.url)) {
  console.log(sweepBenchLine(await benchSweep()));
}
