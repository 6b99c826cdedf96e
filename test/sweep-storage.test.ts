/**
 * A sweep or merge on storage that refuses its writes (a full disk, a quota, a
 * file size limit; here a file size limit of a child process, RLIMIT_FSIZE):
 * the result tables that cannot be written are said in one line naming them,
 * exit 2, the tables there before left as they were; a run whose results
 * cannot be written (a file too large: EFBIG, which a run of smaller files
 * passes) is recorded failed with an error that names it as the sweep
 * directory holds it (`runs/ID`), the same on any machine. A disk that fills
 * (ENOSPC) stops the sweep instead: test/sweep-storage-full.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { DEMO, ROOT, SMALL_TRACE, snapshot, workdir } from './out-fixtures.ts';

const BIN = join(ROOT, 'scripts', 'syncsim.mjs');

/** Metrics enough (with 16 seeds) that results.csv outgrows experiment.json: a limit between the two stops the tables alone. */
const METRICS = [
  'sim_time_us', 'ops.write', 'ops.msync', 'throughput.ops_per_s', 'replay.trace_end_us', 'durability.lag_us.mean', 'durability.lag_us.p50', 'durability.lag_us.p99',
  'durability.lag_us.max', 'durability.durable_pages', 'sync.count', 'sync.ok', 'sync.latency_us.mean', 'sync.latency_us.p50', 'sync.latency_us.p90',
  'sync.latency_us.p99', 'sync.latency_us.max', 'writeback.ios', 'writeback.pages', 'writeback.bytes', 'writeback.by_cause.msync', 'writeback.by_cause.metadata',
  'writeback.amplification', 'writeback.dirtied_bytes', 'device.utilization', 'device.mean_queue_depth', 'device.max_queue_depth', 'device.flushes',
  'memory.pageins', 'memory.peak_resident_pages', 'pagein.ios', 'pagein.pages', 'pagein.bytes', 'pagein.wait_us',
];

/** `syncsim ARGS` in `cwd` with files limited to `kib` KiB (node ignores SIGXFSZ: a write past it fails with EFBIG). */
const limited = (kib: number, args: string[], cwd: string) =>
  spawnSync('bash', ['-c', `ulimit -f ${kib}; exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd, encoding: 'utf8' });

describe('sweep and merge on storage that refuses their writes', () => {
  it('tables that cannot be written: one line naming them and --out, exit 2, the earlier tables and the runs kept, no lock or temporary file left', async () => {
    const d = workdir();
    // a small trace (the tables' size is that of the metrics and seeds, not of the trace's)
    writeFileSync(join(d, 't.csv'), SMALL_TRACE);
    writeFileSync(join(d, 'e.yaml'), `name: e\ntrace: { path: t.csv }\nseeds: 16\nmetrics: [${METRICS.join(', ')}]\n`);
    expect((await syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d)).code).toBe(0);
    const sizes = Object.fromEntries(['experiment.json', 'experiment.yaml', 'results.csv'].map((f) => [f, readFileSync(join(d, 'S', f)).length]));
    expect(sizes['results.csv']).toBeGreaterThan(Math.max(sizes['experiment.json']!, sizes['experiment.yaml']!) + 1024);
    const kib = Math.ceil(Math.max(sizes['experiment.json']!, sizes['experiment.yaml']!) / 1024);
    const before = snapshot(d);
    // the sweep again (every run done: it writes only its files and the tables), and a merge of it into M
    for (const [args, out] of [[['sweep', 'e.yaml', '--out', 'S', '--no-cache'], 'S'], [['merge', 'S', '--out', 'M'], 'M']] as const) {
      const r = limited(kib, [...args], d);
      expect([r.status, r.stdout.includes('results:')], r.stderr).toEqual([2, false]);
      // (after the sweep's progress line) it used to say 'syncsim: cannot write (EFBIG: file too large, write)', naming nothing
      const said = r.stderr.split('\n').filter((l) => l.startsWith('syncsim: '));
      expect(said, r.stderr).toEqual([`syncsim: --out ${out}: cannot write results.csv and aggregate.csv (EFBIG: file too large, write); the runs are kept, and the same command again writes the tables`]);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    const after = snapshot(d);
    for (const [p, v] of Object.entries(before)) expect(after[p], p).toBe(v);
    // what the merge made of M (its marker, manifest and runs) is kept for the next merge; no table, lock or temporary file anywhere
    expect(Object.keys(after).filter((p) => !(p in before) && !/^M(\/|$)/.test(p))).toEqual([]);
    expect(Object.keys(after).filter((p) => /\.lock$|\.tmp-|(results|aggregate)\.csv$/.test(p) && !(p in before))).toEqual([]);
    expect((await syncsimHere(['merge', 'S', '--out', 'M'], d)).code).toBe(0);
    expect(readFileSync(join(d, 'M', 'results.csv'), 'utf8')).toBe(readFileSync(join(d, 'S', 'results.csv'), 'utf8'));
  }, 120_000);

  it('runs whose results cannot be written are recorded failed naming runs/ID, not the staging directory of the process that ran them', () => {
    const d = workdir();
    writeFileSync(join(d, 'e.yaml'), `name: e\ntrace: { path: ${DEMO} }\nseeds: 2\nmetrics: [sync.count]\n`);
    // 8 KiB: the sweep's own files fit, a run's writeback.csv does not
    const r = limited(8, ['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d);
    expect(r.status, r.stderr).toBe(1);
    const ids = readdirSync(join(d, 'S', 'runs')).sort();
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const rec = JSON.parse(readFileSync(join(d, 'S', 'runs', id, 'run.json'), 'utf8')) as { status: string; error: string };
      // it was 'OutDirError: --out /abs/S/.staging/HOST-PID/ID: cannot write the results ...'
      expect(rec).toMatchObject({ status: 'failed', error: `--out runs/${id}: cannot write the results (EFBIG: file too large, write); nothing was kept there` });
      expect(r.stderr).toContain(`${id} (point 1, seed `);
    }
    expect(r.stderr).not.toMatch(/\.staging|OutDirError/);
  }, 120_000);
});
