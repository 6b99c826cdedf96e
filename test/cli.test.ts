/**
 * End-to-end tests of the `syncsim` command on small traces. What a command
 * prints, exits with and writes goes through the CLI's `main` in this process
 * (test/cli-here.ts: the same code, exit code, output and files, without a
 * second of start-up each); signals and pipes through a spawned one.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dataRowsOf } from './helpers.ts';
import { startHeldRun } from './run-gate.ts';
import { syncsimHere } from './cli-here.ts';
import { percentText } from '../scripts/run.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');

/** `syncsim ARGS` through the CLI's main in this process, in `cwd`. */
const here = (args: string[], cwd = ROOT) => syncsimHere(args, cwd);

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-cli-'));

const SUMMARY_KEYS = ['syncsim_version', 'trace', 'config', 'sim_time_us', 'ops', 'throughput', 'replay', 'txn', 'durability', 'faults', 'sync', 'writeback', 'wire', 'device', 'memory', 'pagein', 'throttle', 'fs', 'random_draws', 'provenance'];

describe('percentText', () => {
  it('one decimal from 1 % up, two significant digits below, 0% only for 0', () => {
    expect([0, 0.00027, 0.0033, 0.009994, 0.01, 0.4567, 1].map(percentText)).toEqual(['0%', '0.027%', '0.33%', '1.0%', '1.0%', '45.7%', '100.0%']);
    // no exponent for a tiny share, no NaN% for a share that is not a number
    expect([1e-9, 2e-6, NaN, Infinity].map(percentText)).toEqual(['<0.0001%', '0.0002%', '-', '-']);
  });
});

describe('syncsim run', () => {
  it('a trace of a header and no rows: a run of nothing, exit 0, its ops line saying so', async () => {
    const d = tmp();
    const trace = join(d, 'empty.csv');
    writeFileSync(trace, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n');
    const r = await here(['run', trace, '--out', join(d, 'out')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ops\s+\(none\)$/m);
    expect(JSON.parse(readFileSync(join(d, 'out', 'summary.json'), 'utf8')).trace.rows).toBe(0);
  });

  it('replays the example trace and writes every result file', async () => {
    const out = join(tmp(), 'demo');
    const r = await here(['run', DEMO, '--out', out]);
    // with the default costs the demo's database and log tasks end behind their trace times, and run says so
    expect(r.stderr).toMatch(/^syncsim: warning: closed replay stretched 2 task\(s\): .*'db' .*'log' .*see tasks.csv, or replay: open\n$/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/msync latency \(µs\)\s+mean/);
    expect(readdirSync(out).sort()).toEqual(['.syncsim', 'durability.csv', 'reads.csv', 'summary.json', 'syncs.csv', 'tasks.csv', 'timeline.csv', 'wires.csv', 'writeback.csv']);
    expect(readFileSync(join(out, 'syncs.csv'), 'utf8').split('\n')[0]).toBe('task,t_issue_us,t_done_us,latency_us,addr,len,flags,pages_written,bytes_written,result');
    expect(readFileSync(join(out, 'writeback.csv'), 'utf8').split('\n')[0]).toBe('t_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause');
    expect(readFileSync(join(out, 'timeline.csv'), 'utf8').split('\n')[0]).toBe('t_us,dirty_pages,writeback_pages,wired_pages,resident_pages,queue_depth,dirty_pages_max,writeback_pages_max,wired_pages_max,resident_pages_max,queue_depth_max');
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    // a small utilization is printed with digits enough to tell it from 0, and over how many slots it is averaged
    expect(s.device.utilization).toBeLessThan(0.01);
    expect(r.stdout).toContain(`utilization ${percentText(s.device.utilization)} of ${s.config.device.channels} command slots,`);
    expect(percentText(s.device.utilization)).not.toBe('0%');
    const syncRows = readFileSync(join(out, 'syncs.csv'), 'utf8').trim().split('\n').slice(1);
    expect(syncRows.length).toBe(s.sync.count);
    expect(s.ops.msync).toBe(s.sync.count);
    // the demo exercises a hole, a user-wired INVALIDATE and ASYNC|INVALIDATE, and a store to an unmapped page
    expect(s.sync.errors).toEqual({ EBUSY: 1, EINVAL: 1, ENOMEM: 1 });
    expect(s.faults.unmapped_write).toBe(1);
    expect(s.wire.count).toBe(s.ops.wire + s.ops.unwire);
    // every wire and unwire call is a row of wires.csv, its failures counted in the summary by op
    expect(readFileSync(join(out, 'wires.csv'), 'utf8').split('\n')[0]).toBe('task,t_issue_us,t_done_us,latency_us,op,addr,len,flags,result,pages');
    const wireRows = readFileSync(join(out, 'wires.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(wireRows.length).toBe(s.wire.count);
    for (const op of ['wire', 'unwire'] as const) {
      expect(wireRows.filter((w) => w[4] === op).length).toBe(s.ops[op]);
      expect(wireRows.filter((w) => w[4] === op && w[8] !== 'OK').length).toBe(s.wire.by_op[op].failed);
    }
    expect(s.wire.failed).toBe(wireRows.filter((w) => w[8] !== 'OK').length);
    // the demo's mlock into a hole: one wire fails with ENOMEM
    expect(s.wire.by_op.wire.errors).toEqual({ ENOMEM: 1 });
    // every writeback row is counted in the summary
    const wbRows = readFileSync(join(out, 'writeback.csv'), 'utf8').trim().split('\n').slice(1);
    expect(wbRows.length).toBe(s.writeback.ios);
    const bytes = wbRows.reduce((acc, l) => acc + Number(l.split(',')[6]), 0);
    expect(bytes).toBe(s.writeback.bytes);
    // every page-in read is a row of reads.csv, counted in summary.json pagein
    expect(readFileSync(join(out, 'reads.csv'), 'utf8').split('\n')[0]).toBe('t_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause,ok');
    const rdRows = readFileSync(join(out, 'reads.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rdRows.length).toBe(s.pagein.ios);
    expect(rdRows.reduce((acc, l) => acc + Number(l.split(',')[6]), 0)).toBe(s.pagein.bytes);
  });

  it('--json prints exactly summary.json with every documented key', async () => {
    const out = join(tmp(), 'j');
    // the defaults: device profile nvme, freebsd on ufs
    const r = await here(['run', DEMO, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(r.stdout).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(s)).toEqual(SUMMARY_KEYS);
    expect(Object.keys(s.trace)).toEqual(['path', 'rows']);
    expect(s.trace.rows).toBe(dataRowsOf(DEMO));
    expect(Object.keys(s.ops)).toEqual(['map', 'unmap', 'write', 'read', 'msync', 'wire', 'unwire']);
    expect(s.faults).toHaveProperty('unmapped_write');
    expect(Object.keys(s.sync)).toEqual(['count', 'ok', 'errors', 'latency_us']);
    expect(Object.keys(s.sync.latency_us)).toEqual(['mean', 'p50', 'p90', 'p99', 'p999', 'max']);
    expect(Object.keys(s.writeback)).toEqual(expect.arrayContaining(['ios', 'pages', 'bytes', 'by_cause', 'amplification']));
    // freebsd runs on ufs by default: its own blocks have the causes journal and metadata
    expect(Object.keys(s.writeback.by_cause)).toEqual(['msync', 'syncer', 'pageout', 'journal', 'metadata']);
    expect(Object.keys(s.wire)).toEqual(['count', 'errors', 'peak_wired_pages', 'failed', 'latency_us', 'unwire_latency_us', 'by_op']);
    expect(Object.keys(s.wire.latency_us)).toEqual(['mean', 'p50', 'p90', 'p99', 'p999', 'max']);
    expect(Object.keys(s.wire.by_op.unwire)).toEqual(['count', 'failed', 'errors']);
    expect(Object.keys(s.durability)).toEqual(['lag_us', 'lag_percentiles_exact', 'durable_pages', 'never_durable_pages', 'never_durable_by']);
    expect(Object.keys(s.durability.never_durable_by)).toEqual(['no_msync', 'after_last_msync', 'replay_order', 'msync_wired', 'msync_failed', 'msync_async', 'msync_unwritten', 'no_flush', 'dropped', 'held_by_manager']);
    expect(Object.keys(s.device)).toEqual(['utilization', 'mean_queue_depth', 'max_queue_depth', 'flushes']);
    expect(Object.keys(s.memory)).toEqual(['evictions', 'pageins', 'peak_resident_pages']);
    expect(Object.keys(s.pagein)).toEqual(['ios', 'pages', 'bytes', 'wait_us']);
    expect(Object.keys(s.throttle)).toEqual(['count', 'total_us', 'max_us']);
    expect(Object.keys(s.fs)).toEqual(['kind', 'commits', 'flushes', 'journal_bytes', 'metadata_bytes']);
    expect(s.fs.kind).toBe('ufs');
    expect(s.config.personality).toBe('freebsd');
    expect(s.config.device).toMatchObject({ profile: 'nvme', channels: 85 });
    // provenance: the trace's SHA-256, the exact command line, when, how long, where, with what
    expect(Object.keys(s.provenance)).toEqual(['trace_sha256', 'command', 'started_at', 'wall_s', 'host', 'node', 'syncsim_version']);
    expect(s.provenance.trace_sha256).toBe(createHash('sha256').update(readFileSync(DEMO)).digest('hex'));
    expect(s.provenance.command).toEqual(['syncsim', 'run', DEMO, '--out', out, '--json']);
    expect(Date.parse(s.provenance.started_at)).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(s.provenance.wall_s).toBeGreaterThanOrEqual(0);
    expect(s.provenance).toMatchObject({ host: hostname(), node: process.version, syncsim_version: s.syncsim_version });
  });

  it('same seed gives byte-identical result files', async () => {
    const a = join(tmp(), 'a'), b = join(tmp(), 'b');
    const args = ['--set', 'device.service.dist=exponential', '--set', 'device.service.mean_us=150', '--set', 'device.profile=queue', '--seed', '9'];
    expect((await here(['run', DEMO, '--out', a, ...args])).code).toBe(0);
    expect((await here(['run', DEMO, '--out', b, ...args])).code).toBe(0);
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv']) {
      expect(readFileSync(join(a, f), 'utf8')).toBe(readFileSync(join(b, f), 'utf8'));
    }
    // the summaries agree but for their provenance (start time, wall seconds, command line)
    const sa = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    const sb = JSON.parse(readFileSync(join(b, 'summary.json'), 'utf8'));
    expect(sa.provenance.trace_sha256).toBe(sb.provenance.trace_sha256);
    expect({ ...sa, provenance: undefined }).toEqual({ ...sb, provenance: undefined });
    // and a different seed gives different latencies with a random service time
    const c = join(tmp(), 'c');
    expect((await here(['run', DEMO, '--out', c, ...args.slice(0, 6), '--seed', '10'])).code).toBe(0);
    expect(readFileSync(join(c, 'syncs.csv'), 'utf8')).not.toBe(readFileSync(join(a, 'syncs.csv'), 'utf8'));
  });

  it('a malformed trace exits 2 with FILE:LINE: column COL and creates no output directory', async () => {
    const d = tmp();
    const trace = join(d, 'bad.csv');
    writeFileSync(trace, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,8192,,f,0\n# comment\n5,a,write,0x1000,12x,,,\n');
    const out = join(d, 'out');
    const r = await here(['run', trace, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${trace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: column len: .*\\(got '12x'\\)`));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['bad.csv']);
  });

  it('a bad trace leaves an existing results directory exactly as it was', async () => {
    const d = tmp();
    const out = join(d, 'out');
    mkdirSync(out);
    writeFileSync(join(out, '.syncsim'), '{"command":"run","version":"0.1.0"}\n'); // an earlier run's
    writeFileSync(join(out, 'summary.json'), '{"old": true}\n');
    const trace = join(d, 'bad.csv');
    writeFileSync(trace, 't_us,op,addr,len\n0,write,0x1000,10\n1,fly,0x1000,10\n');
    const r = await here(['run', trace, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${trace}:3: column op:`);
    expect(readdirSync(out).sort()).toEqual(['.syncsim', 'summary.json']);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe('{"old": true}\n');
  });

  it('an error of the trace found during replay (overlapping map) names file and line', async () => {
    const d = tmp();
    const trace = join(d, 'overlap.csv');
    writeFileSync(trace, 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n1,a,map,0x12000,0x4000,,g,0\n');
    const r = await here(['run', trace, '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${trace}:3: column addr: map [0x12000, 0x16000) overlaps the entry [0x10000, 0x14000)`);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('config errors name the key and exit 2', async () => {
    const d = tmp();
    const r1 = await here(['run', DEMO, '--out', join(d, 'o'), '--set', 'device.chanels=2']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("key 'device.chanels': unknown key");
    const r2 = await here(['run', DEMO, '--out', join(d, 'o'), '--set', 'personality=solaris']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("key 'personality': must be one of freebsd, xnu, linux, mach");
    const r3 = await here(['run', DEMO, '--out', join(d, 'o'), '--replay', 'sideways']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("key 'replay': must be one of closed, open");
    const cfg = join(d, 'c.yaml');
    writeFileSync(cfg, 'device:\n  channels: 0\n');
    const r4 = await here(['run', DEMO, '--out', join(d, 'o'), '--config', cfg]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain("key 'device.channels'");
    expect(existsSync(join(d, 'o'))).toBe(false);
  });

  it('a config file and --set overrides combine, --set winning', async () => {
    const d = tmp();
    const cfg = join(d, 'c.yaml');
    writeFileSync(cfg, 'device:\n  profile: queue\n  channels: 4\n  service: { dist: uniform, min_us: 50, max_us: 150 }\npager:\n  cluster_pages: 8\n');
    const r = await here(['run', DEMO, '--out', join(d, 'o'), '--config', cfg, '--set', 'pager.cluster_pages=16', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.config.device.channels).toBe(4);
    expect(s.config.device.service).toEqual({ dist: 'uniform', min_us: 50, max_us: 150 });
    expect(s.config.pager.cluster_pages).toBe(16);
    const maxPages = Math.max(...readFileSync(join(d, 'o', 'writeback.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[5])));
    expect(maxPages).toBeLessThanOrEqual(16);
  });

  it('usage errors and --help', async () => {
    const h = await here(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('syncsim run TRACE');
    const r = await here(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run expects one TRACE argument');
    const m = await here(['run', '/nonexistent/trace.csv']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('trace file not found: /nonexistent/trace.csv');
    const u = await here(['frobnicate']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("unknown command 'frobnicate'");
  });

  it('reads a gzip-compressed trace and defaults --out to results/<trace name>', async () => {
    const d = tmp();
    const gz = spawnSync('gzip', ['-c', DEMO], { encoding: 'buffer' });
    writeFileSync(join(d, 'demo.csv.gz'), gz.stdout);
    const r = await here(['run', join(d, 'demo.csv.gz'), '--json'], d);
    expect(r.code).toBe(0);
    expect(existsSync(join(d, 'results', 'demo', 'summary.json'))).toBe(true);
    expect(JSON.parse(r.stdout).trace.rows).toBe(dataRowsOf(DEMO));
  });
});

describe('interrupted runs', () => {
  /** A trace of 600 000 rows (15 MB): after the first 100 ms of simulated time most of it is still to be read. */
  let bigText: string | undefined; // built once, written into each test's own directory
  function bigTrace(dir: string): string {
    if (bigText === undefined) {
      const lines = ['t_us,task,op,addr,len,flags,object,offset', '0,a,map,0x10000000,0x1000000,,f,0'];
      for (let i = 1; i <= 600_000; i++) lines.push(i % 50 === 0 ? `${i},a,msync,0x10000000,0x1000000,SYNC,,` : `${i},a,write,${0x10000000 + (i * 7919 % 4096) * 4096},64,,,`);
      bigText = lines.join('\n') + '\n';
    }
    const p = join(dir, 'big.csv');
    writeFileSync(p, bigText);
    return p;
  }

  /** {@link startHeldRun} with its files in a directory of their own. */
  const startHeld = (trace: string, out: string) => startHeldRun(BIN, trace, out, tmp());

  // a hang-up ends by the signal itself once cleaned up (a shell reports 129): Node's own exit would restore a closed terminal and abort
  it.each([['SIGINT', 130], ['SIGHUP', 'killed by SIGHUP']] as const)('%s removes the temporary directory and the lock and writes nothing (%s)', async (sig, code) => {
    const d = tmp();
    const trace = bigTrace(d);
    const out = join(d, 'out');
    const { child, exited, stderr, release } = await startHeld(trace, out);
    expect(readdirSync(d).some((n) => n.startsWith('.out.tmp-'))).toBe(true);
    // the signal is pending before the run goes on: its handler runs at the next turn of the event loop, which the
    // reading of the rest of the trace (most of its 15 MB) makes before the replay can end
    child.kill(sig);
    release();
    expect(await exited).toBe(code);
    expect(stderr()).toContain(`interrupted (${sig}); no results written`);
    expect(readdirSync(d).sort()).toEqual(['big.csv']);
  });

  it('after SIGKILL the old results stay intact and the next run removes the leftovers', async () => {
    const d = tmp();
    const trace = bigTrace(d);
    const out = join(d, 'out');
    mkdirSync(out);
    writeFileSync(join(out, '.syncsim'), '{"command":"run","version":"0.1.0"}\n'); // an earlier run's
    writeFileSync(join(out, 'summary.json'), 'old');
    const { child, exited } = await startHeld(trace, out); // held in the replay: it never goes on
    child.kill('SIGKILL');
    expect(await exited).toBe('killed by SIGKILL');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe('old');
    expect(readdirSync(d).some((n) => n.startsWith('.out.tmp-'))).toBe(true);
    expect(existsSync(join(d, '.out.lock'))).toBe(true); // the killed run's lock: stale, taken over below
    // the killed run was writing the binary cache of its trace as it read it
    expect(readdirSync(join(d, '.trace-cache')).filter((n) => n.includes('.tmp-'))).toHaveLength(1);
    const small = join(d, 'small.csv');
    writeFileSync(small, 't_us,op,addr,len,object,offset\n0,map,0x1000,4096,f,0\n');
    expect((await here(['run', small, '--out', out])).code).toBe(0);
    // the binary trace cache of the successful run lives beside the results
    expect(readdirSync(d).sort()).toEqual(['.trace-cache', 'big.csv', 'out', 'small.csv']);
    // and the half-written cache of the killed run is gone
    expect(readdirSync(join(d, '.trace-cache')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(join(d, '.trace-cache')).filter((n) => n.startsWith('small-'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).trace.rows).toBe(1);
  });
});

describe('standard output and argument errors', () => {
  it('a reader that is gone before the output (syncsim inspect --json | true) ends the command quietly, exit 0', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" inspect "${DEMO}" --json | true; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });

  it('an option value that looks like an option (no negative number): one line saying how to give it, exit 2', async () => {
    const r = await here(['run', DEMO, '--out', '-x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: --out needs a value, but the next argument '-x' is taken for an option: if it is the value, write --out=-x (try 'syncsim run --help')\n");
    const short = await here(['merge', 'a', '-o', '--seed']);
    expect(short.stderr).toBe("syncsim: -o needs a value, but the next argument '--seed' is taken for an option: if it is the value, write --out=--seed (try 'syncsim merge --help')\n");
  });
});

describe('a trace from a pipe', () => {
  it('run, inspect and convert refuse a trace that is not a regular file (a pipe: its first bytes are read twice): exit 2, nothing written', () => {
    const r = spawnSync('bash', ['-c', [
      `cd "${tmp()}"`,
      `"${process.execPath}" "${BIN}" run /dev/stdin --out o --no-cache < "${DEMO}"; echo "run $?"`,
      `cat "${DEMO}" | "${process.execPath}" "${BIN}" run /dev/stdin --out o; echo "run-pipe $?"`,
      `"${process.execPath}" "${BIN}" inspect <(cat "${DEMO}"); echo "inspect $?"`,
      `"${process.execPath}" "${BIN}" convert <(cat "${DEMO}") -o c.sst; echo "convert $?"`,
      'ls -A',
    ].join('\n')], { encoding: 'utf8' });
    // a redirected regular file is a regular file: that one runs
    expect(r.stdout).toContain('run 0');
    expect(r.stdout).toContain('run-pipe 2');
    expect(r.stdout).toContain('inspect 2');
    expect(r.stdout).toContain('convert 2');
    expect(r.stderr).toMatch(/^syncsim: trace file \/dev\/stdin: is not a regular file \(a pipe or a device\): a trace is read more than once; save it to a file first$/m);
    expect(r.stderr).toMatch(/^syncsim: trace file \/dev\/fd\/\d+: is not a regular file/m);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('o');
  });
});

describe('control characters in file names', () => {
  it('run, inspect and gen print them as escapes in their ordinary output, never raw', async () => {
    const d = tmp();
    const name = 'a\x1bb\nc.csv';
    writeFileSync(join(d, name), readFileSync(DEMO));
    const run = await here(['run', name, '--out', 'e\x07o', '--no-cache'], d);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^trace {17}a\\x1bb\\nc\.csv \(\d+ rows\)$/m);
    expect(run.stdout).toMatch(/^results: e\\x07o$/m);
    const inspect = await here(['inspect', name], d);
    expect(inspect.stdout).toMatch(/^trace +a\\x1bb\\nc\.csv \(\d+ rows\)$/m);
    const gen = await here(['gen', 'seq-writer', '--set', 'duration_s=0.1', '-o', 'g\x1b.csv'], d);
    expect(gen.stdout).toMatch(/^g\\x1b\.csv: \d+ rows \(preset seq-writer, seed 1\)$/m);
    for (const out of [run.stdout, inspect.stdout, gen.stdout]) expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
  });
});

describe('the closed-replay stretch warning', () => {
  it('gives each lag in a unit that shows it (a trace of microseconds lags by microseconds, not "0.000 s")', async () => {
    const { lagText } = await import('../scripts/commands/run.ts');
    expect(lagText(400)).toBe('0.4 µs');
    expect(lagText(12_345)).toBe('12.3 µs');
    expect(lagText(999_000)).toBe('999.0 µs');
    expect(lagText(4_560_000)).toBe('4.56 ms');
    expect(lagText(30_000_000)).toBe('0.030 s');
  });
});
