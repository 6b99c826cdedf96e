/**
 * End to end with the real fio: `syncsim calibrate` and `syncsim validate`
 * driving fio on tiny sizes (no threshold on the demerit: the machine is
 * shared and noisy). `npm run test:fio`, not part of `npm test`: the file
 * takes about a minute, most of it `calibrate --quick` and the session
 * validation that needs its profile (.ci/run runs it after the suite).
 * The unit tests of the same commands (the demerit, the fits, job files,
 * I/O logs) are in validate.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { vegaLiteValidator } from './vega-schema.ts';
import { parse as parseYaml } from 'yaml';
import { flushSpread } from '../scripts/validate/fit.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { calibrateCommand } from '../scripts/commands/calibrate.ts';
import { validateCommand } from '../scripts/commands/validate.ts';
import { InputError } from '../scripts/errors.ts';
import { cpuCv } from '../scripts/validate/cpu-calibration.ts';
import { blockDeviceOfDir } from '../scripts/validate/blockdev.ts';
import { stampState } from '../traces/text-stamp.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
/** Time allowed to tests that run fio (a few seconds on an idle machine). */
const FIO_TIMEOUT = 180_000;

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-validate-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function syncsim(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function syncsimAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '', stderr = '';
    c.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    c.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    c.on('error', fail);
    c.on('close', (code) => done({ code, stdout, stderr }));
  });
}


// ---------------------------------------------------------------------------------------------
// end to end with the real fio

/**
 * `syncsim calibrate --quick` through a fio wrapper that gives every I/O log a version-2 header, as
 * fio < 3.31 writes (no timestamps); started beside the other real-fio runs of this file.
 */
async function calibrateWithoutTimestamps(): Promise<{ dir: string; code: number | null; stderr: string }> {
  const dir = tmp();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  mkdirSync(join(dir, 'cal'));
  const real = spawnSync('sh', ['-c', 'command -v fio'], { encoding: 'utf8' }).stdout.trim();
  // the real fio, then every I/O log of the step given a version-2 header
  writeFileSync(join(bin, 'fio'), `#!/bin/sh\n"${real}" "$@"\nrc=$?\nfor f in *.iolog; do [ -f "$f" ] && sed -i '1s/.*/fio version 2 iolog/' "$f"; done\nexit $rc\n`, { mode: 0o755 });
  return new Promise((done, fail) => {
    const c = spawn(process.execPath, [BIN, 'calibrate', '--dir', dir, '--quick', '--size', '4m', '--runtime', '1', '--max-depth', '4', '--settle', '0', '-o', join(dir, 'cal', 'device.yaml')],
      { cwd: ROOT, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    let stderr = '';
    c.stderr.setEncoding('utf8').on('data', (x: string) => (stderr += x));
    c.on('error', fail);
    c.on('close', (code) => done({ dir, code, stderr }));
  });
}

describe('syncsim calibrate and validate (real fio)', () => {
  let dir = '';
  let fragment = '';
  let handFragment = '';
  let jobFile = '';
  let out = '';
  let cal: { code: number | null; stdout: string; stderr: string };
  let val: { code: number | null; stdout: string; stderr: string };
  let warm: { code: number | null; stdout: string; stderr: string };
  let two: { code: number | null; stdout: string; stderr: string };
  let noStamps: { dir: string; code: number | null; stderr: string };
  // the tiny job: 256 stores of 4 KiB front to back, fsync every 8 → syncs after stores 8, 16, ..., 248
  const WRITES = 256, FSYNC = 8;
  const SYNCS = Math.floor((WRITES - 1) / FSYNC);

  // calibrate and validate run at once (the validation with a hand-written device) to keep the file fast
  beforeAll(async () => {
    dir = tmp();
    fragment = join(dir, 'cal', 'device.yaml');
    mkdirSync(join(dir, 'cal'));
    handFragment = join(dir, 'hand.yaml');
    writeFileSync(handFragment, 'device:\n  profile: queue\n  channels: 2\n  per_page_us: 1.5\n  service:\n    dist: empirical\n    samples_us: [80, 100, 120, 400]\n');
    jobFile = join(dir, 'tiny.fio');
    writeFileSync(jobFile, `[tiny]\nioengine=mmap\nrw=write\nbs=4k\nsize=${WRITES * 4}k\nfsync=${FSYNC}\nwrite_iolog=ignored.iolog\n`);
    out = join(dir, 'val');
    const twoJob = join(dir, 'two.fio');
    writeFileSync(twoJob, `[two]\nioengine=mmap\nrw=write\nbs=4k\nsize=${WRITES * 4}k\nfsync=${FSYNC}\nnumjobs=2\n`);
    [cal, val, warm, two, noStamps] = await Promise.all([
      // --settle 3: the wait runs and is bounded (the defaults, 90 s and 20 s with --quick: calibrate.test.ts, settleLimitMs)
      syncsimAsync(['calibrate', '--dir', dir, '--quick', '--size', '4m', '--runtime', '1', '--max-depth', '4', '--settle', '3', '-o', fragment]),
      syncsimAsync(['validate', '--fio-job', jobFile, '--calibration', handFragment, '--out', out, '--dir', dir, '--settle', '3']),
      // --settle 0: the calibration beside them already waits for the device
      syncsimAsync(['validate', '--fio-job', jobFile, '--calibration', handFragment, '--out', join(dir, 'val-warm'), '--dir', dir, '--warmup', '3', '--seed', '9', '--sim-seeds', '2', '--repeat', '1', '--settle', '0']),
      syncsimAsync(['validate', '--fio-job', twoJob, '--calibration', handFragment, '--out', join(dir, 'val-two'), '--dir', dir, '--repeat', '1', '--settle', '0']),
      calibrateWithoutTimestamps(),
    ]);
  }, FIO_TIMEOUT);

  it('with a fio that writes no timestamps in its I/O logs (before 3.31), calibrate fits the FLUSH level from the flush step alone and says why', () => {
    const { dir, ...r } = noStamps;
    expect(r.code, r.stderr).toBe(0);
    // --settle 0: no wait, and a warning that says so
    expect(r.stderr).not.toMatch(/^calibrate: waiting for the device to settle/m);
    expect(r.stderr).toMatch(/^calibrate: warning: --settle 0: measuring at once, without waiting for the device to settle$/m);
    expect(JSON.parse(readFileSync(join(dir, 'cal', 'device.calibration.json'), 'utf8')).settle).toEqual({ settled: false, waited_ms: 0, window_medians_us: [] });
    expect(r.stderr).toMatch(/^calibrate: the FLUSH level comes from the flush step alone: .*a version-2 I\/O log has no timestamps/m);
    const cj = JSON.parse(readFileSync(join(dir, 'cal', 'device.calibration.json'), 'utf8'));
    expect(cj.fits.flush_level).toBeNull();
    if (cj.fragment.device.write_cache) {
      const flush = cj.steps.find((st: { name: string }) => st.name === 'flush').sync;
      // the shifted lognormal through its p50, p90 and p99 when they fit one, else the lognormal through p50 and p99
      expect(cj.fits.host_spread?.marginal?.flush_cv ?? cj.fragment.device.flush_cv).toBe(flushSpread(flush).cv);
      expect(cj.fits.host_spread?.marginal?.flush_floor ?? cj.fragment.device.flush_floor).toBe(flushSpread(flush).floor);
      expect(cj.fitted['device.flush_us'].from).toMatch(/^flush: fdatasync after a 4k O_DIRECT overwrite \(the flush step alone: its I\/O logs gave no timed syncs/);
      expect(cj.fitted['device.flush_us'].n).toBe(flush.count);
      // no fdatasync timed one by one: no table of the spread as measured, and the report says why
      expect(cj.fits.host_spread?.marginal?.flush_quantiles ?? cj.fragment.device.flush_quantiles).toEqual([]);
      expect(cj.fitted['device.flush_quantiles'].from).toMatch(/: none \((\d+ fdatasyncs timed, fewer than the smallest table's 500 points|no fdatasync timed one by one: fio's I\/O log has no timestamps, only the step's figures)\): the lognormal/);
    }
  });

  it('calibrate fits the storage model from microbenchmarks and writes a profile syncsim loads, with its report beside it', () => {
    expect(cal.code, cal.stderr).toBe(0);
    expect(readdirSync(join(dir, 'cal')).sort()).toEqual(['device.calibration.json', 'device.yaml']);
    // the scratch directory is gone
    expect(readdirSync(dir).filter((n) => n.startsWith('syncsim-calibrate-'))).toEqual([]);
    // progress on standard error: one numbered line per microbenchmark (quick, max depth 4: layout, 3 + 3 sizes, 2 + 2 depths, the completion probe, 2 batches,
    // 3 writeback sizes, 4 FLUSH-level probes between them, flush after 1 and 32 writes, flush after one 1 MiB write, journal, page-in, the segment probe, the page-in probe,
    // the FLUSH-gap probe, the empty FLUSH, the CPU probe)
    const progress = cal.stderr.split('\n').filter((l) => /^calibrate: \[\d+\/31\] /.test(l));
    expect(progress.length).toBe(31);
    expect(progress[4]).toBe('calibrate: [5/31] 4k O_DIRECT overwrite + fdatasync (FLUSH level, sampled between the steps) ...');
    expect(progress[5]).toBe('calibrate: [6/31] random writes QD1 4k ...');
    expect(progress[13]).toBe('calibrate: [14/31] 4k random writes submitted 16 at a time, reaped as they complete ...');
    expect(progress[14]).toBe('calibrate: [15/31] 4k random writes submitted 8 at a time ...');
    expect(progress[17]).toBe('calibrate: [18/31] page-cache writeback 64k (buffered write + sync_file_range) ...');
    // the segment probe: reads of the queue's max_segments pages (at most 256; 64 without sysfs), 200 of each kind under --quick
    expect(progress[26]).toMatch(/^calibrate: \[27\/31\] O_DIRECT reads of \d+ pages into separate pages and into a huge page \(probe segment-read\.c, 200 of each\) \.\.\.$/);
    expect(progress[27]).toBe('calibrate: [28/31] cold sequential reads through a mapping, one load a page (probe pagein-read.c, 3 reads) ...');
    expect(progress[28]).toBe('calibrate: [29/31] fdatasync after 0–16 ms without a FLUSH, and after 8 and 32 writes (probe flush-gap.c, 3 rounds) ...');
    expect(progress[29]).toBe('calibrate: [30/31] fdatasync with nothing written (a FLUSH of an empty cache) ...');
    expect(progress[30]).toBe('calibrate: [31/31] CPU costs of the kernel paths (probe cpu-costs.c, 8 repetitions) ...');
    const file = parseYaml(readFileSync(fragment, 'utf8'));
    const blockDev = JSON.parse(readFileSync(join(dir, 'cal', 'device.calibration.json'), 'utf8')).block_device;
    const cj = JSON.parse(readFileSync(join(dir, 'cal', 'device.calibration.json'), 'utf8'));
    // the device keys and the cpu keys every personality reads at the top level; what it measured of this Linux kernel under linux:
    // (since 2026-12-07: readahead, fs and the cpu keys only linux reads)
    expect(Object.keys(file)).toEqual(['device', 'cpu', 'linux']);
    const sections = [...(blockDev?.read_ahead_kb != null ? ['readahead'] : []), ...(cj.fragment.fs ? ['fs'] : []), 'cpu'];
    expect(Object.keys(file.linux)).toEqual(sections);
    // the profile's keys in their groups, as the report's fragment keeps them
    const doc = { device: file.device, ...(file.linux.readahead ? { readahead: file.linux.readahead } : {}), ...(file.linux.fs ? { fs: file.linux.fs } : {}), cpu: { ...file.cpu, ...file.linux.cpu } };
    // read-ahead's rate: the page-in probe's median of its cold reads (cc: the test machine has it), else the pagein step's accesses a second × 4 KiB
    // when it timed 1024 or more (the 4 MiB file: 1024), else the O_DIRECT slope
    const pagein = cj.steps.find((st: { kind: string }) => st.kind === 'pagein');
    const probe = cj.fits.pagein_probe;
    expect(probe.note).toBe('probe pagein-read.c, 3 sequential reads of the data file through a mapping, each after dropping its cached pages');
    const stepRate = (pagein.latency?.count ?? 0) >= 1024 ? Math.round(((pagein.iops * 4096) / 1e6) * 100) / 100 : null;
    // the probe's rate: of the bytes after the first window when the probe timed it (its reads' later windows, of large folios), else of whole reads
    const probeRate = 'mbps' in probe ? probe.later_mbps ?? probe.mbps : null;
    const pagesRate = probeRate ?? stepRate ?? cj.fits.read.bandwidth_mbps;
    const medianOf = (xs: number[]) => {
      const sorted = [...xs].sort((a: number, b: number) => a - b);
      return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : Math.round(((sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2) * 100) / 100;
    };
    if ('mbps' in probe) {
      expect(probe.mbps).toBe(medianOf(probe.rates_mbps));
      if (probe.later_mbps !== undefined) {
        expect(probe.later_mbps).toBe(medianOf(probe.later_rates_mbps));
        expect(cj.fitted['device.read_bandwidth_mbps'].from).toMatch(new RegExp(`^pagein-probe: the median rate of the bytes after the first window \\(${probe.window.pages} pages, in 4 KiB folios\\) of ${probe.reads} cold sequential reads .*lat-read-\\*: ${cj.fits.read.bandwidth_mbps} MB/s`));
      } else expect(cj.fitted['device.read_bandwidth_mbps'].from).toMatch(new RegExp(`^pagein-probe: the median rate of ${probe.reads} cold sequential reads .*lat-read-\\*: ${cj.fits.read.bandwidth_mbps} MB/s`));
    } else if (stepRate !== null) expect(cj.fitted['device.read_bandwidth_mbps'].from).toMatch(new RegExp(`^pagein: .*lat-read-\\*: ${cj.fits.read.bandwidth_mbps} MB/s`));
    // a segment's cost: the probe's medians into separate pages and into a huge page, over the segments between them; then the rate is the bytes' alone
    if ('segment_us' in cj.fits.segment) {
      const sg = cj.fits.segment;
      // the report's medians are rounded to 0.01 µs, the fit used them unrounded
      // pages − 1 unless the queue's max_segment_size cuts the huge page's read
      expect(sg.segments).toBeGreaterThanOrEqual(1);
      expect(sg.segments).toBeLessThanOrEqual(sg.pages - 1);
      expect(sg.huge_p50_us).toBeLessThanOrEqual(0.9 * sg.pages_p50_us + 0.01);
      expect(Math.abs(sg.segment_us - (sg.pages_p50_us - sg.huge_p50_us) / sg.segments)).toBeLessThanOrEqual(0.0051 + 0.01 / sg.segments);
    }
    // fitted unless a segment would take more than 90 % of a page's read time at the measured rate
    const fitsInPage = 'segment_us' in cj.fits.segment && cj.fits.segment.segment_us <= 0.9 * (4096 / pagesRate);
    if (fitsInPage) {
      expect(doc.device.segment_us).toBe(cj.fits.segment.segment_us);
      // the probe's rate is the bytes' already (its large folios have few segments); the others lose a segment a page
      expect(doc.device.read_bandwidth_mbps).toBe(probeRate ?? Math.round((4096 / (4096 / pagesRate - doc.device.segment_us)) * 100) / 100);
      expect(cj.fitted['device.segment_us'].from).toMatch(/^segment: probe segment-read\.c, O_DIRECT reads of \d+ pages: \(median into separate 4 KiB pages /);
    } else {
      // no C compiler, no huge page, a gain under 10 %, or a segment dearer than the rate allows: no key, and the rate as measured
      if (!('segment_us' in cj.fits.segment)) expect(cj.fits.segment.reason).toEqual(expect.any(String));
      expect(doc.device.segment_us).toBeUndefined();
      expect(doc.device.read_bandwidth_mbps).toBe(pagesRate);
    }
    // the CPU probe ran on the calibrated file system (the test machine has cc: scripts/ensure-tools.sh): its medians, each inside its IQR
    // clean_page_busy_us needs a second CPU for the probe's busy loop
    const busy = availableParallelism() > 1 ? ['clean_page_busy_us'] : []; // the CPUs of its affinity mask, as the probe counts them
    expect(Object.keys(file.cpu)).toEqual(['syscall_us', 'fault_page_us', 'clean_page_us', 'wire_page_us', 'clean_io_us', 'cv']);
    expect(Object.keys(file.linux.cpu)).toEqual([...busy, 'writeback_call_us']);
    // the spread of one msync call's CPU time: 5 calls of 8 scattered pages a repetition, through their median and p90
    expect(cj.fits.cpu.clean_call).toMatchObject({ pages: 8, count: 40 });
    expect(doc.cpu.cv).toBe(cpuCv(cj.fits.cpu.clean_call.p50_us, cj.fits.cpu.clean_call.p90_us));
    expect(cj.fitted['cpu.cv']).toMatchObject({ value: doc.cpu.cv, n: 40 });
    // the two derived from the scattered and writeback samples (cpu-calibration.ts)
    const r2 = (v: number) => Math.round(v * 100) / 100;
    expect(doc.cpu.clean_io_us).toBe(Math.max(0, r2(cj.fits.cpu.clean_scattered_page_us.median_us - cj.fits.cpu.clean_page_us.median_us)));
    expect(doc.cpu.writeback_call_us).toBe(Math.max(0, r2(cj.fits.cpu.writeback.cpu_one_us - cj.fits.cpu.writeback.cpu_page_us.median_us - doc.cpu.syscall_us)));
    for (const k of Object.keys(doc.cpu).filter((x) => x !== 'clean_io_us' && x !== 'writeback_call_us' && x !== 'cv')) {
      expect(doc.cpu[k]).toBeGreaterThan(0);
      const fig = cj.fits.cpu[k];
      expect(doc.cpu[k]).toBe(Math.round(fig.median_us * 100) / 100);
      expect(fig.q1_us <= fig.median_us && fig.median_us <= fig.q3_us).toBe(true);
      expect(cj.fitted[`cpu.${k}`]).toMatchObject({ value: doc.cpu[k], n: 8 });
      expect(cj.fitted[`cpu.${k}`].from).toMatch(/^cpu: probe cpu-costs\.c on the file system under --dir /);
    }
    // ext4 on a block device: the journal (or its absence) decides fs.kind
    if (cj.filesystem === 'ext4' && cj.checks.journal.jbd2_journal !== null) expect(doc.fs.kind).toBe(cj.checks.journal.jbd2_journal ? 'ext4-ordered' : 'ext4-nojournal');
    // the submission stage when the batches fit one (then the slots are the deepest queue in flight: 32 writes of a batch), else the reason
    const stage = doc.device.submit_us !== undefined;
    expect(Object.keys(doc.device)).toEqual(['profile', 'channels', 'read_latency', 'write_latency', ...(stage ? ['submit_us', 'submit_command_us', 'submit_overlap', 'submit_completion'] : []),
      'read_bandwidth_mbps', ...(doc.device.segment_us !== undefined ? ['segment_us'] : []), ...(doc.device.read_request_mbps !== undefined ? ['read_request_mbps'] : []),
      ...(doc.device.max_segments !== undefined ? ['max_segments'] : []), ...(doc.device.ring_descriptors !== undefined ? ['ring_descriptors'] : []), 'bandwidth_mbps', 'media_mbps', 'write_cache', 'flush_us', ...(doc.device.write_cache ? ['flush_empty_us', 'flush_cv', 'flush_floor', 'flush_quantiles', 'destage', 'media_write_us'] : []),
      // the FLUSH-gap table with a write cache, when the FLUSH clearly grew with the gap (the probe needs cc, which this test has)
      ...(doc.device.write_cache && cj.fits.flush_gap_growth?.clear ? ['flush_gap'] : []), 'host_cv',
      ...(doc.device.host_cv > 0 && doc.device.flush_floor > 0 ? ['host_floor'] : []),
      // the device's round trips beside a busy CPU, from the CPU probe (none with one CPU)
      ...(cj.fitted['device.busy_latency_us'] ? ['busy_latency_us', 'busy_flush_us'] : [])]);
    // the drift: fitted and reported, or the reason it is not, whenever the host has a share; never in the profile
    // (host-spread.ts DRIFT_IN_PROFILE)
    expect(doc.device.host_drift_share).toBeUndefined();
    if (doc.device.host_cv > 0) {
      const drift = cj.fits.host_spread.drift;
      if (drift.reason === undefined) expect(drift.share).toBeGreaterThan(0);
      else expect(drift.reason).toEqual(expect.any(String));
    }
    // one read alone: the page-in probe's first window where the ring sends its requests one at a time, else fio's QD1 reads; the ring from sysfs
    // (no key when neither gives a rate: no window fit, and the O_DIRECT line over sizes did not rise, as a 1 s quick run can measure it)
    if (doc.device.read_request_mbps === undefined) {
      expect(cj.fits.read.bandwidth_mbps).toBe(0);
      expect(cj.fitted['device.read_request_mbps']).toBeUndefined();
    } else {
      expect(doc.device.read_request_mbps).toBeGreaterThan(0);
      expect(cj.fitted['device.read_request_mbps']).toMatchObject({ value: doc.device.read_request_mbps });
    }
    const disk = blockDeviceOfDir(dir);
    if (disk?.ring_descriptors != null) expect(doc.device.ring_descriptors).toBe(disk.ring_descriptors);
    const hasRate = doc.device.read_request_mbps !== undefined; // (no rate at all: above)
    if (hasRate && disk && (disk.ring_descriptors ?? 0) > 0 && cj.fits.pagein_probe && 'window' in cj.fits.pagein_probe && doc.device.max_segments + 2 > disk.ring_descriptors! / 2) {
      expect(cj.fitted['device.read_request_mbps'].from).toMatch(/^pagein-probe: the first read-ahead window \(\d+ pages in 4 KiB folios/);
      // then made exact through the model: its replay of the window takes the measured time (the check replays it again)
      const refit = /the rate is the one at which the replay takes the measured/.test(cj.fitted['device.read_request_mbps'].from);
      expect(refit || /kept as it is: no rate from a sixteenth to 16 times it/.test(cj.fitted['device.read_request_mbps'].from)).toBe(true);
      if (refit) expect(Math.abs(cj.checks.pagein_probe.simulated_window_us - cj.checks.pagein_probe.measured_window_us)).toBeLessThanOrEqual(0.01 * cj.checks.pagein_probe.measured_window_us + 0.2);
    } else if (hasRate) {
      expect(cj.fitted['device.read_request_mbps'].from).toMatch(/^lat-read-\*: 1 \/ slope of mean latency vs size/);
    }
    // the probe ran (a C compiler) on more than one CPU: both keys fitted
    if (doc.cpu && availableParallelism() > 1) {
      for (const k of ['busy_latency_us', 'busy_flush_us']) {
        expect(doc.device[k]).toBeGreaterThanOrEqual(0);
        expect(cj.fitted[`device.${k}`]).toMatchObject({ value: doc.device[k] });
        expect(cj.fitted[`device.${k}`].from).toMatch(/while another CPU runs a busy loop \(the mean of the medians with the probe and the loop pinned each way round on two CPUs/);
      }
    }
    // the write latency as writeback meets it: one scattered page's off-CPU median, less the stage's turn when the latency follows it
    const sideBySide = stage && doc.device.submit_overlap === true;
    const turn = stage && !sideBySide ? doc.device.submit_us + doc.device.submit_command_us : 0;
    expect(cj.fitted['device.write_latency'].from).toMatch(/^cpu \(probe cpu-costs\.c, writeback samples\): one scattered dirty page/);
    const marginalWrite = (cj.fits.host_spread?.marginal ?? doc.device).write_latency;
    expect(marginalWrite.mean_us).toBeCloseTo(Math.max(0, cj.fits.cpu.writeback.off_cpu_one_us - turn), 1);
    // with the QD1 O_DIRECT fit's relative spread
    if (marginalWrite.mean_us > 0 && cj.fits.write.latency.dist === 'lognormal') expect(marginalWrite.cv).toBe(cj.fits.write.latency.cv);
    // the host's shared spread: from the FLUSH-level steps' write + fdatasync pairs, or the reason there is none (then 0)
    const hs = cj.fits.host_spread;
    if ('reason' in hs.fit) expect(doc.device.host_cv).toBe(0);
    else {
      expect(hs.fit.pairs).toBeGreaterThanOrEqual(100);
      // the steps after writes: probes 2–4 and the flush step
      expect(hs.fit.groups).toBeLessThanOrEqual(4);
      // σh ≤ both spreads, those of the profile's whole write latency and FLUSH (σ = √ln(1 + cv²)); 3-decimal host_cv
      const sigma = (cv: number) => Math.sqrt(Math.log(1 + cv * cv));
      expect(hs.fit.sigma_write).toBeCloseTo(sigma(hs.marginal.write_latency.cv), 12);
      expect(sigma(doc.device.host_cv)).toBeLessThanOrEqual(Math.min(sigma(hs.marginal.write_latency.cv), sigma(hs.marginal.flush_cv)) + 0.001);
      // the write latency keeps its mean
      expect(doc.device.write_latency.mean_us).toBe(hs.marginal.write_latency.mean_us);
      expect(cj.fitted['device.host_cv']).toMatchObject({ value: doc.device.host_cv, n: hs.fit.pairs });
    }
    if (stage) {
      expect(doc.device.channels).toBe(32);
      // its cost a write from the batches (2 batch sizes); what the writeback samples make of it is only reported
      expect(cj.fitted['device.submit_command_us']).toMatchObject({ value: doc.device.submit_command_us, n: 2 });
      const wbs = cj.fits.writeback_stage;
      if (wbs) expect(wbs.batch_submit_command_us).toBe(doc.device.submit_command_us);
      const batchCommand = cj.fits.submission.submit_command_us;
      // submit_us from the levelled unbatched peak; still growing there, the batch line's intercept within [0, that bound] (side by side)
      // or the bound (one after the other); 0 when a batched write cost no less than an unbatched one at the peak
      const from = cj.fits.submission.submit_from;
      if (from === 'unbatched peak') expect(doc.device.submit_us + batchCommand).toBeCloseTo(1e6 / cj.fits.channels_write.peak_iops, 1);
      else if (from === 'batch slope') {
        expect(doc.device.submit_us).toBe(0);
        expect(cj.fits.submission.slope_us_per_command).toBeGreaterThanOrEqual(1e6 / cj.fits.channels_write.peak_iops);
        expect(cj.fits.submission.submit_command_us).toBeCloseTo(1e6 / cj.fits.channels_write.peak_iops, 1);
      } else {
        expect(['batch intercept', 'unbatched bound']).toContain(from);
        expect(doc.device.submit_overlap).toBe(from === 'batch intercept');
        // each of the two rounded to 2 decimals
        expect(doc.device.submit_us + batchCommand).toBeLessThanOrEqual(1e6 / cj.fits.channels_write.peak_iops + 0.02);
      }
      // the structure the batch line's intercept is nearer (judged against the QD1 4k write)
      const o = cj.fits.submission.overlap;
      expect(doc.device.submit_overlap).toBe(Math.abs(cj.fits.submission.intercept_us - o.predicted_side_by_side_us) < Math.abs(cj.fits.submission.intercept_us - o.predicted_in_turn_us));
      // the completion probe: drained when at least half of fio's reaps of 16 writes found 9 or more
      const cf = cj.fits.completion;
      expect(doc.device.submit_completion).toBe(cf.nine_or_more_pct >= 50 ? 'drained' : 'each');
      expect(cj.fitted['device.submit_completion']).toMatchObject({ value: doc.device.submit_completion, n: 1 });
    } else {
      expect(doc.device.submit_completion).toBeUndefined();
      expect(cj.fits.submission.reason).toMatch(/./);
      expect(doc.device.channels).toBe(cj.fits.channels_write.channels >= cj.fits.channels_read.channels ? cj.fits.channels_write.channels : cj.fits.channels_read.channels);
    }
    if (doc.device.write_cache) expect(doc.device.flush_cv).toBeGreaterThanOrEqual(0);
    // the wait for the device to settle ran first: one-second windows of bare FLUSHes, at most --settle 3 s
    expect(cj.settle.window_medians_us.length).toBeGreaterThanOrEqual(1);
    expect(cj.settle.waited_ms).toBeLessThan(3_000 + 5_000);
    if (cj.settle.settled) expect(cj.settle.window_medians_us.length).toBeGreaterThanOrEqual(3);
    // the FLUSH-gap probe (cc is there): 9 modes × 12 samples × 3 rounds; a table of the 7 one-write gaps, ascending, factors
    // non-decreasing from about 1; in the profile with a write cache
    expect(cj.fits.flush_gap.samples).toBe(9 * 12 * 3);
    const gapTable = cj.fits.flush_gap.table as { gap_us: number[]; factor: number[] };
    expect(gapTable.gap_us.length).toBe(7);
    expect(gapTable.factor.length).toBe(7);
    for (let i = 1; i < 7; i++) {
      expect(gapTable.gap_us[i]).toBeGreaterThan(gapTable.gap_us[i - 1]!);
      expect(gapTable.factor[i]).toBeGreaterThanOrEqual(gapTable.factor[i - 1]!);
    }
    expect(gapTable.factor[0]).toBeLessThanOrEqual(1); // 1 by construction, lower only when pooled with a later gap whose median came out lower
    expect(gapTable.factor[0]).toBeGreaterThan(0);
    expect(cj.fits.flush_gap.destage_us).toBeGreaterThanOrEqual(0);
    // the growth test decides whether the table goes in the profile (a device without a write cache sends no FLUSH to price)
    const growth = cj.fits.flush_gap_growth as { clear: boolean; p: number; rounds: number; rounds_up: number; why: string };
    expect(growth.rounds).toBe(3);
    expect(growth.clear).toBe(growth.p < 0.001 && growth.rounds_up === 3);
    if (doc.device.write_cache && growth.clear) {
      expect(doc.device.flush_gap).toEqual(gapTable);
      expect(cj.fitted['device.flush_gap']).toMatchObject({ value: gapTable, n: 9 * 12 * 3 });
      expect(cal.stdout).toMatch(/^flush gap\s+a FLUSH alone × [\d.]+ at \d+ µs, .* since the previous FLUSH; [\d.]+ µs a write with that time taken out \(device\.flush_gap: the FLUSH after 4 ms and more .* in every round .*\)$/m);
    } else {
      expect(doc.device.flush_gap).toBeUndefined();
      expect(cj.fitted['device.flush_gap']).toBeUndefined();
      if (doc.device.write_cache) expect(cal.stdout).toMatch(/^flush gap\s+a FLUSH alone × [\d.]+ at \d+ µs, .* \(measured, not in the profile: not clearly growing: after 4 ms and more a median of [\d.]+ µs against [\d.]+ back to back, above it in \d of 3 rounds, rank-sum p .*\)$/m);
    }
    // the empty FLUSH: syncsim's own timing of fdatasync with nothing written
    expect(cj.fits.flush_empty.count).toBeGreaterThanOrEqual(10);
    // the FLUSH level: the 1-write fdatasyncs of the quietest of the probes after write steps and the flush step (those pooled beside it;
    // the first probe, after the read steps only, left out)
    expect(cj.fits.flush_level.count).toBeGreaterThanOrEqual(1);
    expect(cj.fits.flush_level_pooled.count).toBeGreaterThanOrEqual(cj.fits.flush_level.count + 3);
    expect(cj.fits.flush_level.p50_us).toBeLessThanOrEqual(cj.fits.flush_level_pooled.p50_us);
    if (doc.device.write_cache) {
      // the FLUSH keys before the host's share is split off (cj.fits.host_spread.marginal), then after it
      const m = cj.fits.host_spread.marginal;
      const spread = flushSpread(cj.fits.flush_level);
      expect(m.flush_cv).toBe(spread.cv);
      expect(m.flush_floor).toBe(spread.floor);
      // the FLUSH's own factor and the host's each take √ of its floor when the split gave the host a spread
      const split = doc.device.host_cv > 0 && spread.floor > 0;
      expect(doc.device.flush_floor).toBe(split ? Math.round(Math.sqrt(spread.floor) * 1000) / 1000 : spread.floor);
      if (split) expect(doc.device.host_floor).toBe(doc.device.flush_floor);
      // the spread as measured: 500 ascending quantiles of the level's fdatasyncs, each less one write's destage, over flush_us (none when
      // the quietest step timed fewer), so that flush_us × its median + the destage is the level's median; its own share after the split
      const q = m.flush_quantiles as number[];
      const destageUs = doc.device.destage === 'on_flush' ? cj.fits.destage.slope_us_per_write : 0;
      const count = cj.fits.flush_level.count as number;
      const qFrom = cj.fitted['device.flush_quantiles'].from as string;
      if (q.length > 0) {
        // one point for every ten fdatasyncs timed, within 500 … 2000
        expect(q).toHaveLength(Math.min(2000, Math.max(500, Math.floor(count / 10))));
        expect([...q].sort((a, b) => a - b)).toEqual(q);
        expect(q[Math.floor(q.length / 2)]! * doc.device.flush_us + destageUs).toBeCloseTo(cj.fits.flush_level.p50_us, -1);
        const own = doc.device.flush_quantiles as number[];
        expect(own).toHaveLength(q.length);
        expect([...own].sort((a, b) => a - b)).toEqual(own);
        if (!(doc.device.host_cv > 0)) expect(own).toEqual(q);
      } else if (count < 500) {
        expect(qFrom).toMatch(new RegExp(`: none \\(${count} fdatasyncs timed, fewer than the smallest table's 500 points\\)`));
      } else if (!(doc.device.flush_us > 0)) {
        // no fixed cost left once one write's destage is taken out (a device whose fdatasync is all destage)
        expect(qFrom).toMatch(/: none \(flush_us 0: no fixed cost to scale\)/);
      } else {
        // half of the level's fdatasyncs took no longer than one write's destage (the table's median point would be 0)
        expect(qFrom).toMatch(/: none \(half of them took no longer than one write's destage \([\d.]+ µs\): no fixed cost left to scale\)/);
        expect(cj.fits.flush_level.p50_us).toBeLessThanOrEqual(destageUs * 1.01 + 0.01);
      }
      // both fixed costs (means, which the split keeps): the mean of the level's spread of the measured median; the empty FLUSH, with a
      // table, its median over the table's median (so that with a factor drawn from the table its median is the measured one)
      expect(doc.device.flush_empty_us).toBe(Math.round((q.length > 0 ? cj.fits.flush_empty.p50_us / q[250] : cj.fits.flush_empty.p50_us * spread.meanOverP50) * 100) / 100);
      const level = cj.fits.flush_level.p50_us * spread.meanOverP50;
      const expected = doc.device.destage === 'on_flush' ? Math.max(0, level - cj.fits.destage.slope_us_per_write) : level;
      expect(doc.device.flush_us).toBe(Math.round(expected * 100) / 100);
      // the split keeps the whole log-spread: σ_own² + σh² = σ² (σ = √ln(1 + cv²); σh from host_cv)
      const sig2 = (cv: number) => Math.log(1 + cv * cv);
      if (doc.device.flush_cv > 0) expect(Math.abs(sig2(doc.device.flush_cv) + sig2(doc.device.host_cv) - sig2(m.flush_cv))).toBeLessThan(0.01);
    }
    if (doc.device.write_cache) expect(['continuous', 'on_flush']).toContain(doc.device.destage);
    expect(doc.device.profile).toBe(doc.device.write_cache ? 'sata-ssd' : 'nvme');
    // at most --max-depth (4) by Little's law; 32, the largest batch, with a submission stage
    expect(Number.isInteger(doc.device.channels) && doc.device.channels >= 1 && doc.device.channels <= (stage ? 32 : 4)).toBe(true);
    for (const k of ['read_latency', 'write_latency']) expect(['constant', 'lognormal']).toContain(doc.device[k].dist);
    // bandwidth_mbps from page-cache writeback (the path of msync), media_mbps from the FLUSH's destage rate when fitted, else from O_DIRECT writes
    expect(doc.device.bandwidth_mbps).toBe(cj.fits.writeback.bandwidth_mbps);
    expect(doc.device.media_mbps).toBe(cj.fits.destage_rate ? cj.fits.destage_rate.media_mbps : cj.fits.write.bandwidth_mbps);
    if (cj.fits.destage_rate) expect(doc.device.destage).toBe('on_flush');
    expect(cj.fitted['device.bandwidth_mbps'].from).toMatch(/^wb-\*: .*\(64k, 1m, 4m\)/);
    if (!doc.device.write_cache) expect(doc.device.flush_us).toBe(0);
    // every fitted key has a comment above it naming its microbenchmark
    const text = readFileSync(fragment, 'utf8').split('\n');
    expect(text[0]).toMatch(/^# syncsim calibrate /);
    // calibrate()'s own write is stamped (a later calibrate -o replaces it only while nobody has edited it)
    expect(stampState(text.join('\n'))).toBe('intact');
    const at = text.findIndex((l) => l.startsWith('  read_latency: '));
    expect(text[at - 1]).toMatch(/^ {2}# lat-read-\*: .*\(R² (?:[\d.]+|n\/a), n 3\)$/);
    const config = loadConfig(fragment, ['personality=linux']);
    expect(config.device.channels).toBe(doc.device.channels);
    // the calibrated CPU costs replace the measured defaults
    expect(config.cpu.clean_page_us).toBe(doc.cpu.clean_page_us);
    expect(config.device.read_latency).toEqual(doc.device.read_latency);
    // validation replays with it: linux → ext4, page-in on
    // the fragment's fs.kind when it found ext4 on a block device (ext4-nojournal on a journal-less ext4)
    expect([config.fs.kind, config.pagein]).toEqual([doc.fs?.kind ?? 'ext4-ordered', true]);
    if (doc.readahead) expect(config.readahead.pages).toBe(Math.floor((blockDev.read_ahead_kb * 1024) / 4096));
    // under another personality the Linux keys do not apply: freebsd's own filesystem and read-ahead window, the device and cpu keys as calibrated
    const freebsd = loadConfig(fragment, ['personality=freebsd']);
    expect([freebsd.fs.kind, freebsd.readahead.pages, freebsd.device.channels, freebsd.cpu.clean_page_us]).toEqual(['ufs', 16, doc.device.channels, doc.cpu.clean_page_us]);
    const j = JSON.parse(readFileSync(join(dir, 'cal', 'device.calibration.json'), 'utf8'));
    expect(j.fragment).toEqual(doc);
    expect(j.quick).toBe(true);
    expect(j.steps.map((s: { name: string }) => s.name)).toEqual(['lat-read-4k', 'lat-read-64k', 'lat-read-1m', 'flush-probe-1', 'lat-write-4k', 'lat-write-64k', 'lat-write-1m', 'flush-probe-2',
      'qd-read-1', 'qd-read-4', 'qd-write-1', 'qd-write-4', 'qr-write-16', 'qb-write-8', 'qb-write-32', 'flush-probe-3', 'wb-64k', 'wb-1m', 'wb-4m', 'flush-probe-4', 'flush', 'flush-32', 'flush-size-1m', 'journal', 'pagein']);
    // a step re-run (far above its group's line) is in the report, its kept run in the steps
    for (const r of j.fits.reruns) expect(j.steps.map((s: { name: string }) => s.name)).toContain(r.name);
    expect(j.fitted['device.read_latency']).toMatchObject({ value: doc.device.read_latency, n: 3 });
    // with a cache that destages on FLUSH, media_mbps is the FLUSH's destage rate (flush and flush-size-1m), 1e6 when the fdatasync did
    // not grow from 4k to 1m (flat), else the O_DIRECT writes'
    if (doc.device.destage === 'on_flush') {
      expect(j.fits.destage_rate).not.toBeNull(); // the quick calibration's flush and flush-size-1m steps always give one
      const [small, large] = j.fits.destage_rate.points.map((p: { p50_us: number }) => p.p50_us);
      expect(j.fits.destage_rate.flat).toBe(!(large > small));
      if (j.fits.destage_rate.flat) expect(doc.device.media_mbps).toBe(1e6);
      else expect(doc.device.media_mbps).toBeCloseTo(Math.min(1e6, (1048576 - 4096) / (large - small)), 1);
      expect(j.fitted['device.media_mbps'].from).toMatch(j.fits.destage_rate.flat
        ? /^flush, flush-size-\*: the median fdatasync after one O_DIRECT overwrite did not grow with its size \(4k [\d.]+ µs, 1m [\d.]+ µs\): no destage time a byte/
        : /^flush, flush-size-\*: 1 \/ slope of the median fdatasync after one O_DIRECT overwrite vs its size \(4k [\d.]+ µs, 1m [\d.]+ µs\)/);
    } else {
      expect(j.fits.destage_rate).toBeNull();
      expect(doc.device.media_mbps).toBe(j.fits.write.bandwidth_mbps);
    }
    expect(j.fitted['device.flush_us'].from).toMatch(doc.device.write_cache ? /^flush-probe-\*, flush: \d+ fdatasyncs after a 4k O_DIRECT overwrite of the quietest of the 4 steps that follow write steps, spread over the calibration \(the lowest median; their medians [\d., ]+ µs; all \d+ pooled: median [\d.]+ µs; left out: flush-probe-1, after read steps only: median [\d.]+ µs\) \(on ext4 a bare cache FLUSH\): the mean of (the lognormal of their median |a floor and a lognormal \(sim: shiftedLognormal\) through their p50 [\d.]+ µs, p90 [\d.]+ µs and p99 )/ : /^flush: no write cache/);
    expect(j.fitted['device.flush_us'].n).toBe(j.fits.flush_level.count);
    // the appends simulated: 200 without the extent tree block, and 200 more with it when the file had appends past its fourth extent (filefrag)
    const fx = j.checks.journal.file_extents;
    expect('extents' in fx || 'reason' in fx).toBe(true);
    expect(j.checks.journal.predicted_syncs).toBe('extents' in fx && fx.extent_leaf_share > 0 ? 400 : 200);
    expect(j.checks.pagein.faults).toBeGreaterThan(0);
    // the probe's read beside the model's replay of it: the median rate's time, and the model's, which reads at the rate fitted from it
    if ('mbps' in j.fits.pagein_probe) {
      expect(j.checks.pagein_probe.measured_read_us).toBe(Math.round((j.size_bytes / j.fits.pagein_probe.mbps) * 10) / 10);
      expect(j.checks.pagein_probe.simulated_read_us).toBeGreaterThan(0);
      expect(cal.stdout).toMatch(/^probe check\s+the page-in probe's cold read [\d.]+ µs, model [\d.]+ µs/m);
    } else expect(j.checks.pagein_probe).toBeNull();
    expect(j.files).toEqual({ fragment: 'device.yaml', calibration: 'device.calibration.json' });
    // the table ends with the two files, by their full paths: the profile and how to use it, then the report
    expect(cal.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      `profile: ${fragment} (syncsim run --config FILE, or device.profile: FILE under other keys)`,
      `details: ${join(dirname(fragment), 'device.calibration.json')} (every step, fit and check)`,
    ]);
    expect(cal.stdout).toMatch(/^channels\s+\d+ \((the deepest queue probed; )?Little's law: reads [\d.]+, writes [\d.]+\)$/m);
    expect(cal.stdout).toMatch(stage ? /^submission\s+submit_us [\d.]+, submit_command_us [\d.]+ /m : /^submission\s+- \(.+\)$/m);
  });

  it('validate runs a tiny fio job, replays it and writes validation.json with every field', () => {
    expect(val.code, val.stderr).toBe(0);
    expect(val.stdout).toMatch(/^demerit\s+\d+\.\d % /m);
    expect(readdirSync(dir).filter((n) => n.startsWith('syncsim-validate-'))).toEqual([]);
    expect(existsSync(join(ROOT, 'ignored.iolog'))).toBe(false);
    const v = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8'));
    expect(Object.keys(v)).toEqual(['syncsim_version', 'job', 'calibration', 'config', 'repeat', 'page_reporting', 'matched_syncs', 'warmup_syncs', 'measured', 'simulated', 'comparison',
      'demerit_pct', 'rms_distance_us', 'noise_floor_pct', 'noise_ratio', 'noise_p50_pct', 'noise_p99_pct', 'noise_pairs', 'files']);
    expect(v.repeat).toBe(2);
    // the guest's free page reporting as it ran: none (most machines), or its order and that it was not paused (no --pause-page-reporting)
    if (v.page_reporting !== null) expect(v.page_reporting).toMatchObject({ order: expect.any(Number), max_order: expect.any(Number), active: expect.any(Boolean), paused: false });
    expect(Object.keys(v.job)).toEqual(['file', 'name', 'jobs', 'sync_every', 'fio_version', 'data_dir', 'filesystem', 'command', 'advice']);
    expect(v.job).toMatchObject({ file: jobFile, name: 'tiny', jobs: 1, sync_every: FSYNC, advice: 'sequential' });
    // rw=write: fio's mmap engine advises MADV_SEQUENTIAL, and the imported trace's map row says so
    expect(readFileSync(join(out, 'trace.csv'), 'utf8')).toMatch(/^[\d.]+,fio,map,[^,]+,[^,]+,SEQUENTIAL,/m);
    expect(v.job.fio_version).toMatch(/^fio-\d/);
    expect(v.job.data_dir.startsWith(join(dir, 'syncsim-validate-'))).toBe(true);
    // the hand-written device: mean of its samples
    expect(v.calibration).toEqual({
      file: handFragment, device: 'queue: channels 2, per_page_us 1.5, service empirical mean 175.0 µs',
      channels: 2, per_page_us: 1.5, service: { dist: 'empirical', samples: 4, mean_us: (80 + 100 + 120 + 400) / 4 },
      // a hand-written profile has no calibration report: no FLUSH level to refit
      session: null,
    });
    expect(existsSync(join(out, 'device-session.yaml'))).toBe(false);
    // rw=write: fio's POSIX_FADV_SEQUENTIAL doubles the file's read-ahead window (linux default 32 pages)
    expect(v.config).toEqual({ personality: 'linux', overrides: ['personality=linux', 'readahead.pages=64'] });
    expect(v.matched_syncs).toBe(SYNCS);
    expect(v.warmup_syncs).toBe(0);
    const stats = ['count', 'mean_us', 'p50_us', 'p90_us', 'p99_us', 'min_us', 'max_us'];
    expect(Object.keys(v.measured)).toEqual(['source', ...stats, 'unmatched', 'fio_report', 'log_vs_fio_pct', 'lat_log', 'runs', 'run_order']);
    expect(v.measured.runs.map((r: { run: number; dir: string; syncs: number }) => [r.run, r.dir, r.syncs])).toEqual([[1, '.', SYNCS], [2, 'repeat-2', SYNCS]]);
    // one job alone: its runs back to back, each with its start time
    expect(v.measured.run_order).toBe('back-to-back');
    const starts = v.measured.runs.map((r: { started_at: string }) => Date.parse(r.started_at));
    expect(starts.every((t: number) => Number.isFinite(t))).toBe(true);
    expect(starts[1]).toBeGreaterThan(starts[0]);
    expect(Object.keys(v.simulated)).toEqual([...stats, 'errors', 'seeds', 'results']);
    // the replay with seeds 1..8 (the default), their msyncs pooled
    expect(v.simulated.seeds).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // both fio runs pooled
    expect(v.measured.count).toBe(2 * SYNCS);
    expect(v.measured.unmatched).toBe(0);
    expect(v.simulated.count).toBe(8 * SYNCS);
    expect(v.simulated.errors).toEqual({});
    // fio's own report counts the same syncs; its latency log has the writes only
    expect(v.measured.fio_report.count).toBe(SYNCS);
    expect(v.measured.lat_log['1'].count).toBe(WRITES);
    expect(v.measured.lat_log['2']).toBeUndefined();
    for (const k of ['mean', 'p50', 'p90', 'p99']) {
      const c = v.comparison[k];
      expect(Object.keys(c)).toEqual(['measured_us', 'simulated_us', 'diff_us', 'ratio']);
      expect(c.measured_us).toBe(v.measured[`${k}_us`]);
      expect(c.simulated_us).toBe(v.simulated[`${k}_us`]);
    }
    expect(Number.isFinite(v.demerit_pct) && v.demerit_pct >= 0).toBe(true);
    expect(Object.keys(v.files)).toEqual(['job', 'iolog', 'fio_report', 'lat_log', 'trace', 'sim', 'pairs', 'samples', 'chart', 'repeats']);
    expect(v.files.repeats).toEqual(['repeat-2']);
    for (const f of ['job.fio', 'fio.iolog', 'fio.json']) expect(existsSync(join(out, 'repeat-2', f)), f).toBe(true);

    // pairs.csv: the matched syncs; statistics and demerit recomputed here from it
    const pairs = readFileSync(join(out, 'pairs.csv'), 'utf8').trim().split('\n');
    expect(pairs[0]).toBe('sync,t_fio_us,pages_written,measured_us,simulated_us,result,compared,task');
    const p = pairs.slice(1).map((l) => l.split(','));
    expect(p.length).toBe(SYNCS);
    // sequential stores, fsync every 8: each msync writes the 8 pages stored since the last one
    expect(p.every((f) => f[2] === String(FSYNC) && f[5] === 'OK' && f[6] === '1' && f[7] === 'fio')).toBe(true);
    // one I/O of 8 pages on an idle device: a service sample + 8 × 1.5 µs
    expect(p.every((f) => [80, 100, 120, 400].map((s) => s + 8 * 1.5).includes(Number(f[4])))).toBe(true);
    // run 2's latencies: its I/O log's sync-to-next-entry times
    const gapsOf = (file: string) => {
      const l = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((x) => x.split(' '));
      return l.flatMap((f, i) => (f[2] === 'sync' && i + 1 < l.length ? [Number(l[i + 1]![0]) - Number(f[0])] : []));
    };
    const run1 = p.map((f) => Number(f[3])).sort((a, b) => a - b);
    const run2 = gapsOf(join(out, 'repeat-2', 'fio.iolog')).sort((a, b) => a - b);
    expect(run2.length).toBe(SYNCS);
    const meas = [...run1, ...run2].sort((a, b) => a - b);
    // the simulated side: the 8 seeds' replays pooled (samples.csv), seed 1's among them (pairs.csv)
    const sim = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n').slice(1)
      .filter((l) => l.startsWith('simulated,')).map((l) => Number(l.split(',')[1]));
    expect(sim).toHaveLength(8 * SYNCS);
    expect(sim.every((x) => [80, 100, 120, 400].map((s) => s + 8 * 1.5).includes(x))).toBe(true);
    const seed1 = p.map((f) => Number(f[4]));
    const rest = [...sim];
    for (const x of seed1) {
      expect(rest.indexOf(x), `seed 1's ${x} among the pooled`).toBeGreaterThanOrEqual(0);
      rest.splice(rest.indexOf(x), 1);
    }
    expect(rest).toHaveLength(7 * SYNCS);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(v.measured.mean_us).toBeCloseTo(mean(meas), 6);
    expect(v.simulated.mean_us).toBeCloseTo(mean(sim), 6);
    // 2n measured against 8n simulated: on the grid j / 8n, simulated quantile j falls on measured quantile ceil(j / 4)
    const rms = Math.sqrt(mean(sim.map((y, j) => (meas[Math.ceil((j + 1) / 4) - 1]! - y) ** 2)));
    expect(v.rms_distance_us).toBeCloseTo(rms, 6);
    expect(v.demerit_pct).toBeCloseTo((100 * rms) / mean(meas), 6);
    // noise floor: run 1 vs run 2 (equal counts), normalised by each run's mean in turn, averaged
    const rms12 = Math.sqrt(mean(run1.map((a, i) => (a - run2[i]!) ** 2)));
    const floor = (100 * rms12 / mean(run1) + 100 * rms12 / mean(run2)) / 2;
    expect(v.noise_floor_pct).toBeCloseTo(floor, 6);
    expect(v.noise_pairs).toHaveLength(1);
    expect(v.noise_ratio).toBeCloseTo(v.demerit_pct / floor, 6);
    // the runs' own p50 and p99 apart: type-7 quantiles, each run the reference in turn
    const q7 = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b), h = (s.length - 1) * p, lo = Math.floor(h);
      return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
    };
    const apart = (p: number) => {
      const x = q7(run1, p), y = q7(run2, p);
      return x === y ? 0 : (100 * Math.abs(x - y) / x + 100 * Math.abs(x - y) / y) / 2;
    };
    expect(v.noise_p50_pct).toBeCloseTo(apart(0.5), 6);
    expect(v.noise_p99_pct).toBeCloseTo(apart(0.99), 6);
    expect(val.stdout).toMatch(/^kernel vs itself\s+its runs' p50s \d+\.\d % apart, p99s \d+\.\d %/m);
    expect(val.stdout).toMatch(/^noise floor\s+\d+\.\d % \(demerit between the 2 measured runs/m);
    // samples.csv: the compared latencies, pooled measured (each with its run) then simulated
    const samples = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n');
    expect(samples[0]).toBe('series,latency_us,run');
    for (const [run, values] of [['1', run1], ['2', run2]] as const) {
      expect(samples.slice(1).filter((l) => l.startsWith('measured,') && l.endsWith(`,${run}`)).map((l) => Number(l.split(',')[1]))).toEqual(values);
    }
    expect(samples.slice(1).filter((l) => l.startsWith('measured,')).map((l) => Number(l.split(',')[1]))).toEqual(meas);
    expect(samples.slice(1).filter((l) => l.startsWith('simulated,')).map((l) => Number(l.split(',')[1]))).toEqual(sim);

    // the imported trace carries each msync's measured latency, in order
    const trace = readFileSync(join(out, 'trace.csv'), 'utf8').trim().split('\n');
    expect(trace[1]).toMatch(/^# imported by syncsim validate from fio\.iolog, the I\/O log of a fio job run on Linux /);
    expect(trace[2]).toMatch(/^# stamped: /); // and its last line the stamp (traces/trace-stamp.ts)
    expect(trace.at(-1)).toMatch(/^# syncsim stamp sha256:[0-9a-f]{64}$/);
    expect(trace[3]).toBe('t_us,task,op,addr,len,flags,object,offset,x_measured_us');
    const ms = trace.filter((l) => l.split(',')[2] === 'msync').map((l) => l.split(',')[8]);
    expect(ms).toEqual(p.map((f) => f[3]));
    // and the measured latencies are the I/O log's sync-to-next-entry times
    const log = readFileSync(join(out, 'fio.iolog'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(' '));
    const gaps = log.flatMap((f, i) => (f[2] === 'sync' && i + 1 < log.length ? [Number(log[i + 1]![0]) - Number(f[0])] : []));
    expect(p.map((f) => Number(f[3]))).toEqual(gaps);

    for (const f of ['validation-cdf.vl.json', 'validation-cdf.svg', 'validation-cdf.png', 'validation-cdf.pdf', 'job.fio', 'fio.json', 'fio_lat.1.log', 'sim/summary.json', 'sim/syncs.csv']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const spec = JSON.parse(readFileSync(join(out, 'validation-cdf.vl.json'), 'utf8'));
    // a curve per measured run and the simulated one, in the CDF panel and in the tail panel
    expect(new Set(spec.vconcat[0].data.values.map((x: { series: string }) => x.series)).size).toBe(3);
    expect(new Set(spec.vconcat[1].layer[0].data.values.map((x: { series: string }) => x.series)).size).toBe(3);
    expect(spec.title.text).toBe(v.job.name);
    // a valid Vega-Lite spec (vega-lite's own draft-07 schema)
    const validateVl = vegaLiteValidator();
    expect(validateVl(spec), JSON.stringify(validateVl.errors?.slice(0, 3))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'sim', 'summary.json'), 'utf8')).config.personality).toBe('linux');
  });

  it('alone, validate refits the FLUSH level of a calibration to probes before each run and before the replay; --calibration-only does not', async () => {
    expect(cal.code, cal.stderr).toBe(0);
    const [on, off] = await Promise.all([
      syncsimAsync(['validate', '--fio-job', jobFile, '--calibration', fragment, '--out', join(dir, 'val-session'), '--dir', dir, '--settle', '0']),
      syncsimAsync(['validate', '--fio-job', jobFile, '--calibration', fragment, '--out', join(dir, 'val-cal-only'), '--dir', dir, '--settle', '0', '--repeat', '1', '--calibration-only']),
    ]);
    expect(on.code, on.stderr).toBe(0);
    expect(off.code, off.stderr).toBe(0);
    // the probes' scratch directories are gone
    expect(readdirSync(dir).filter((n) => n.startsWith('syncsim-flush-level-'))).toEqual([]);
    const calJson = JSON.parse(readFileSync(join(dir, 'cal', 'device.calibration.json'), 'utf8'));
    const v = JSON.parse(readFileSync(join(dir, 'val-session', 'validation.json'), 'utf8'));
    const vOff = JSON.parse(readFileSync(join(dir, 'val-cal-only', 'validation.json'), 'utf8'));
    expect(vOff.calibration.session).toBeNull();
    expect(existsSync(join(dir, 'val-cal-only', 'device-session.yaml'))).toBe(false);
    if (!calJson.fragment.device.write_cache) {
      expect(v.calibration.session).toBeNull(); // no FLUSH to refit
      return;
    }
    const s = v.calibration.session;
    expect(s.level.probes.map((p: { label: string }) => p.label)).toEqual(['before run 1', 'before run 2', 'before the replay']);
    expect(s.level.probes.every((p: { count: number }) => p.count > 0)).toBe(true);
    expect(s.calibration_flush_us).toBe(calJson.fragment.device.flush_us);
    // what it replayed with: the profile beside the results, which syncsim loads, with the refitted keys
    const profile = loadConfig(join(dir, 'val-session', 'device-session.yaml'), []);
    expect(profile.device).toMatchObject({ flush_us: s.flush_us, flush_cv: s.flush_cv, flush_empty_us: s.flush_empty_us });
    expect(v.calibration.device).toContain(`flush ${s.flush_us} µs`);
    expect(vOff.calibration.device).toContain(`flush ${calJson.fragment.device.flush_us} µs`);
    expect(s.calibration_media_write_us).toBe(calJson.fragment.device.media_write_us ?? null);
    expect(profile.device.media_write_us).toBe(s.media_write_us ?? 0);
    // the destage scaled to the probes' 32-write fdatasyncs when they gave a positive difference (then media_write_us is said beside flush_us)
    const scaled = s.level.destage !== null && s.level.destage !== undefined && calJson.fragment.device.destage === 'on_flush';
    if (scaled) expect(s.level.destage).toMatchObject({ writes: 32, probes: 3 });
    // media_write_us is refitted when the 32-write destage or the 1 MiB rate moved (the slope less a page at the rate replayed), and
    // then said beside flush_us when it differs from the calibration's
    if (!scaled && !s.level.rate) expect(s.media_write_us).toBe(s.calibration_media_write_us);
    const mw = (scaled || s.level.rate) && s.media_write_us !== s.calibration_media_write_us ? `, media_write_us ${s.media_write_us} \\(calibration ${s.calibration_media_write_us}\\)` : '';
    // the media rate scaled to the probes' fdatasyncs after one 1 MiB write when the calibration fitted a rate and both differences were positive
    expect(s.calibration_media_mbps).toBe(calJson.fragment.device.media_mbps ?? null);
    expect(profile.device.media_mbps).toBe(s.media_mbps);
    if (s.level.rate) expect(s.level.rate).toMatchObject({ bytes: 1 << 20, probes: 3, calibration_media_mbps: s.calibration_media_mbps, media_mbps: s.media_mbps });
    else expect(s.media_mbps).toBe(s.calibration_media_mbps);
    const mm = s.media_mbps !== s.calibration_media_mbps ? `, media_mbps ${s.media_mbps} \\(calibration ${s.calibration_media_mbps}\\)`.replace(/\./g, '\\.') : '';
    // the write path scaled to the probes' writes (the flush-32 job's, against the calibration's flush-32 step)
    // every probe times the flush-32 job's writes, and the calibration has that step: the scale is always there
    expect(s.level.write).not.toBeNull();
    if (s.level.write) {
      expect(s.level.write).toMatchObject({ probes: 3, calibration_write_us: calJson.steps.find((x: { name: string }) => x.name === 'flush-32').latency.p50_us });
      expect(s.level.write.scale).toBeCloseTo(s.level.write.session_write_us / s.level.write.calibration_write_us, 12);
      expect(s.level.probes.every((p: { write_p50_us?: number }) => (p.write_p50_us ?? 0) > 0)).toBe(true);
    }
    const wp = s.level.write ? `, write path × ${s.level.write.scale.toFixed(3)}` : '';
    expect(on.stdout).toMatch(new RegExp(`^FLUSH level\\s+refitted to 3 probes around the runs \\(median [\\d.]+ µs\\): flush_us ${s.flush_us} \\(calibration ${s.calibration_flush_us}; the means of the fitted spreads, which their tails move more than their medians\\)${mw}${mm}${wp.replace(/\./g, '\\.')}, device-session\\.yaml$`, 'm'));
    expect(off.stdout).not.toMatch(/^FLUSH level/m);
  }, FIO_TIMEOUT);

  it('--warmup leaves the first matched msyncs out of the comparison on both sides', () => {
    expect(warm.code, warm.stderr).toBe(0);
    // --settle 0: measured at once, and said so
    expect(warm.stderr).toMatch(/^validate: warning: --settle 0: measuring at once, without waiting for the device to settle$/m);
    const v = JSON.parse(readFileSync(join(dir, 'val-warm', 'validation.json'), 'utf8'));
    expect(v.matched_syncs).toBe(SYNCS);
    expect(v.warmup_syncs).toBe(3);
    // --repeat 1: one run, no noise floor
    expect(v.repeat).toBe(1);
    expect(v.noise_floor_pct).toBeNull();
    expect(v.noise_ratio).toBeNull();
    expect(v.files.repeats).toEqual([]);
    expect(v.config.overrides).toEqual(['personality=linux', 'seed=9', 'readahead.pages=64']);
    expect(v.measured.count).toBe(SYNCS - 3);
    // --sim-seeds 2: seeds 9 and 10, each replay's first 3 msyncs left out too
    expect(v.simulated.seeds).toEqual([9, 10]);
    expect(v.simulated.count).toBe(2 * (SYNCS - 3));
    const p = readFileSync(join(dir, 'val-warm', 'pairs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(p.map((f) => f[6])).toEqual(p.map((_, i) => (i < 3 ? '0' : '1')));
    const kept = p.slice(3);
    const meas = kept.map((f) => Number(f[3])).sort((a, b) => a - b);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(v.measured.mean_us).toBeCloseTo(mean(meas), 6);
    // samples.csv: the measured msyncs after the warm-up, and both replays' (pairs.csv holds seed 9's among them)
    const samples = readFileSync(join(dir, 'val-warm', 'samples.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(samples.filter((f) => f[0] === 'measured').map((f) => Number(f[1]))).toEqual(meas);
    const sim = samples.filter((f) => f[0] === 'simulated').map((f) => Number(f[1]));
    expect(sim).toHaveLength(2 * meas.length);
    const left = [...sim];
    for (const f of kept) {
      const at = left.indexOf(Number(f[4]));
      expect(at, `seed 9's ${f[4]} among the pooled`).toBeGreaterThanOrEqual(0);
      left.splice(at, 1);
    }
    // the demerit by its definition: m measured against 2m simulated, on the grid j / 2m each interval
    // pairs the measured quantile x_(ceil(j/2)) with the simulated y_(j)
    const d2 = sim.reduce((acc, y, j) => acc + (meas[Math.ceil((j + 1) / 2) - 1]! - y) ** 2, 0) / sim.length;
    expect(v.demerit_pct).toBeCloseTo((100 * Math.sqrt(d2)) / mean(meas), 6);
  });

  it('numjobs=2: both jobs run at once, their logs are imported as two tasks and replayed together', () => {
    expect(two.code, two.stderr).toBe(0);
    const o = join(dir, 'val-two');
    const v = JSON.parse(readFileSync(join(o, 'validation.json'), 'utf8'));
    expect(v.job).toMatchObject({ name: 'two', jobs: 2 });
    expect(v.matched_syncs).toBe(2 * SYNCS);
    expect(v.measured.count).toBe(2 * SYNCS);
    expect(v.simulated.count).toBe(8 * 2 * SYNCS);
    for (const f of ['fio-1.iolog', 'fio-2.iolog']) expect(existsSync(join(o, f)), f).toBe(true);
    // the trace: two tasks, each mapping its own file, rows in time order
    // after the magic line, the import's comment, the `# stamped:` line and the header; the last line is the stamp
    const rows = readFileSync(join(o, 'trace.csv'), 'utf8').trim().split('\n').slice(4, -1).map((l) => l.split(','));
    const byTask = (t: string) => rows.filter((f) => f[1] === t);
    expect(new Set(rows.map((f) => f[1]))).toEqual(new Set(['two-1', 'two-2']));
    for (const t of ['two-1', 'two-2']) {
      expect(byTask(t).filter((f) => f[2] === 'msync').length).toBe(SYNCS);
      expect(byTask(t).filter((f) => f[2] === 'write').length).toBe(WRITES);
    }
    expect(new Set(rows.filter((f) => f[2] === 'map').map((f) => f[6])).size).toBe(2);
    const times = rows.map((f) => Number(f[0]));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    // pairs: each task's syncs, numbered within the task
    const p = readFileSync(join(o, 'pairs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(p.filter((f) => f[7] === 'two-1').map((f) => Number(f[0]))).toEqual([...Array(SYNCS).keys()]);
    expect(p.filter((f) => f[7] === 'two-2').map((f) => Number(f[0]))).toEqual([...Array(SYNCS).keys()]);
  });

  it('a bad job exits 2 naming file, line and option, and leaves an existing output directory alone', () => {
    const kept = join(dir, 'kept');
    mkdirSync(kept);
    writeFileSync(join(kept, '.syncsim'), '{"command":"validate","version":"0.1.0"}\n'); // an earlier validation's
    writeFileSync(join(kept, 'validation.json'), 'x');
    const bad = join(dir, 'bad.fio');
    writeFileSync(bad, '[b]\nioengine=psync\nrw=write\nfsync=4\n');
    const r = syncsim(['validate', '--fio-job', bad, '--calibration', handFragment, '--out', kept]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: ${bad}:2: option ioengine: validation predicts msync latency: the job must use ioengine=mmap (its fsync is msync(MS_SYNC)) (got 'psync')\n`);
    expect(readdirSync(kept).sort()).toEqual(['.syncsim', 'validation.json']);
    expect(readdirSync(dir).filter((n) => n.startsWith('.kept.'))).toEqual([]);
  });

  it('usage errors are InputErrors (exit 2) and both commands have --help', async () => {
    const x = join(dir, 'x.yaml');
    const rejects = (c: typeof calibrateCommand, args: string[], what: RegExp) => expect(c.run(args)).rejects.toSatisfy((e) => e instanceof InputError && what.test((e as Error).message));
    await rejects(validateCommand, ['--calibration', handFragment], /validate needs --fio-job/);
    await rejects(validateCommand, ['--fio-job', join(dir, 'none.fio')], /fio job file not found/);
    await rejects(validateCommand, ['--fio-job', jobFile, '--calibration', join(dir, 'none.yaml')], /calibration file not found/);
    for (const bad of ['0', '21', 'x', '1.5']) await rejects(validateCommand, ['--fio-job', jobFile, '--repeat', bad], /--repeat expects a whole number from 1 to 20/);
    await rejects(validateCommand, ['--fio-job', jobFile, '--warmup', 'x'], /--warmup expects a non-negative integer/);
    for (const bad of ['-1', 'x', '3601', '']) await rejects(validateCommand, ['--fio-job', jobFile, `--settle=${bad}`], /--settle expects seconds from 0 to 3600/);
    await rejects(validateCommand, ['--trace', jobFile, '--settle', '5'], /--settle applies to --fio-job only/);
    // a missing calibration is found before the default --out (results/validation/NAME) is claimed: nothing made in the working directory
    const cwd = mkdtempSync(join(tmpdir(), 'syncsim-validate-cwd-'));
    const r = spawnSync(process.execPath, [BIN, 'validate', '--fio-job', jobFile, '--calibration', 'none.yaml'], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('syncsim: calibration file not found: none.yaml\n');
    expect(readdirSync(cwd)).toEqual([]);
    rmSync(cwd, { recursive: true });
    for (const bad of ['-1', '1e3', '3601']) await rejects(calibrateCommand, [`--settle=${bad}`, '-o', x], /--settle expects seconds from 0 to 3600/);
    await rejects(calibrateCommand, [], /calibrate needs -o FILE/);
    await rejects(calibrateCommand, ['--size', 'lots', '-o', x], /--size expects a size like 256m/);
    await rejects(calibrateCommand, ['--max-depth', '6', '-o', x], /--max-depth expects a power of two/);
    await rejects(calibrateCommand, ['--size', '1m', '-o', x], /--size must be at least 4m/);
    await rejects(calibrateCommand, ['--dir', join(dir, 'nope'), '-o', x], /--dir: not a directory/);
    // tmpfs holds data in memory only: nothing to measure
    expect(statfsSync('/dev/shm').type).toBe(0x01021994);
    await rejects(calibrateCommand, ['--dir', '/dev/shm', '-o', x], /is on tmpfs: its data never reaches a device/);
    expect(existsSync(x)).toBe(false);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (const c of [calibrateCommand, validateCommand]) {
        write.mockClear();
        expect(await c.run(['--help'])).toBe(0);
        expect(String(write.mock.calls[0]![0])).toMatch(new RegExp(`^Usage: syncsim ${c.name} `));
        // with something else given too, --help still wins, as for every other command
        write.mockClear();
        expect(await c.run(['foo', '--help'])).toBe(0);
        expect(String(write.mock.calls[0]![0])).toMatch(new RegExp(`^Usage: syncsim ${c.name} `));
      }
    } finally {
      write.mockRestore();
    }
  });
});
