/**
 * `syncsim calibrate`'s fits of the storage model, with hand-computed
 * expectations: least squares of latency over size, the latency
 * distribution, flush inference, read_ahead_kb → pages, the page-in
 * miss/hit split, channels from a depth probe, the block-device lookup on
 * a fake sysfs tree, the microbenchmark plan, profile files
 * (`device.profile: FILE`) and the journal check's simulated trace.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLUSH_CV_MAX, fitDestage, fitDestageRate, fitFlush, flushCv, flushSpread, latencyCv, lognormalCv, Z90, Z99, fitLatencyBandwidth, latencyDist, leastSquares, readaheadPagesFromKb, splitPagein } from '../scripts/validate/fit.ts';
import { blockDeviceOf, devMajorMinor, hasJbd2Journal } from '../scripts/validate/blockdev.ts';
import { calibrationPlan, flushIolog, probeDepths, sizeLabel, stepJobText } from '../scripts/validate/microbench.ts';
import { fitCalibration, type StepReport } from '../scripts/validate/calibration.ts';
import { flowYaml, fragmentText, r2Text } from '../scripts/validate/calibration-text.ts';
import { flushSpreadWarning } from '../scripts/validate/sync-steps.ts';
import { busyDeviceKeys, cpuCalibration, cpuCv } from '../scripts/validate/cpu-calibration.ts';
import { latencyFigures, quietestLevel, SETTLE, settleDevice, settledWindows, settleLimitMs, unsettledWarning } from '../scripts/validate/sync-steps.ts';
import { settleArg } from '../scripts/commands/calibrate.ts';
import type { Calibration } from '../scripts/validate/calibration.ts';
import { deviceBusyFigures, parseSamples, type CpuFigures } from '../scripts/measure/cpu-fit.ts';
import { appendSyncTrace, predictAppendSync } from '../scripts/validate/model-check.ts';
import { isProfileFile, loadConfig } from '../scripts/config-file.ts';
import { ConfigError, MAX_MBPS, resolveConfig } from '../sim/config.ts';
import { Flag } from '../traces/types.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-calibrate-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('latency vs size', () => {
  // c = 50 µs, bw = 500 MB/s = 500 bytes/µs: latency = 50 + bytes / 500
  const pts = [4096, 65536, 1 << 20].map((bytes) => ({ bytes, mean_us: 50 + bytes / 500, stddev_us: bytes === 4096 ? 25 : 400, count: 100 }));

  it('least squares through points on the line gives the intercept, 1/slope as MB/s, and R² 1', () => {
    const f = fitLatencyBandwidth(pts, (v) => Math.round(v * 100) / 100);
    expect(f.intercept_us).toBeCloseTo(50, 9);
    expect(f.bandwidth_mbps).toBeCloseTo(500, 6);
    expect(f.r2).toBeCloseTo(1, 12);
    expect(f.n).toBe(3);
    expect(f.ios).toBe(300);
    // the 4k spread belongs to the command latency: cv = 25 / 50
    expect(f.latency).toEqual({ dist: 'lognormal', mean_us: 50, cv: 0.5 });
  });

  it('a line through two points (--quick\'s sizes) is said to be exact, with no R² (its R² is 1 whatever the points); three or more get their R²', () => {
    expect(leastSquares([{ x: 1, y: 3 }, { x: 2, y: 40 }]).r2).toBe(1);
    expect(r2Text(1, 2)).toBe('exact: a line through 2 points, no R²');
    expect(r2Text(0.25, 3)).toBe('R² 0.2500');
    expect(r2Text(Number.NaN, 4)).toBe('R² n/a');
    // the profile's comment over a key fitted by a two-point line
    const cal = {
      syncsim_version: 'v', fio_version: 'fio-3.33', dir: '/d', filesystem: 'ext4', block_device: null, quick: true,
      fragment: { device: { media_mbps: 2289.56, bandwidth_mbps: 900 } },
      fitted: { 'device.media_mbps': { value: 2289.56, r2: 1, n: 2, from: 'flush-size-*: the FLUSH\'s destage rate' }, 'device.bandwidth_mbps': { value: 900, r2: 0.9973, n: 4, from: 'wb-*' } },
      files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
    } as unknown as Calibration;
    const lines = fragmentText(cal).split('\n');
    expect(lines).toContain("  # flush-size-*: the FLUSH's destage rate (exact: a line through 2 points, no R²)");
    expect(lines).toContain('  # wb-* (R² 0.9973, n 4)');
  });

  it('FLUSH probes more than 3× apart: a warning, in the profile\'s head and in the table; an ordinary host\'s 1.7× is said nothing of', () => {
    expect(flushSpreadWarning([165, 169, 247, 276, 268])).toBeUndefined();
    expect(flushSpreadWarning([100, 300])).toBeUndefined();
    expect(flushSpreadWarning([81])).toBeUndefined();
    const w = flushSpreadWarning([227.5, 1930, 3857, 81])!;
    expect(w).toBe('the FLUSH probes spread over the calibration disagree: their medians 227.5, 1930, 3857, 81 µs are 47.6× apart (more than 3×), '
      + 'so the host\'s FLUSH changed while it ran and the flush figures of this profile (from the quietest probe) say little of what a job will meet; '
      + 'calibrate again when the machine is quiet, and validate against this profile with its own FLUSH probes around the runs (syncsim validate refits the level)');
    const cal = {
      syncsim_version: 'v', fio_version: 'fio-3.33', dir: '/d', filesystem: 'ext4', block_device: null, quick: true, warnings: [w],
      fragment: { device: { flush_us: 81 } }, fitted: {}, files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
    } as unknown as Calibration;
    const lines = fragmentText(cal).split('\n');
    expect(lines[3]).toBe(`# warning: ${w}`);
    expect(lines[4]).toBe('device:');
  });

  it('R² below 1 for points off the line: y = 10, 30, 20 at x = 1, 2, 3 → slope 5, intercept 10, R² 0.25', () => {
    // mean y 20, Sxx 2, Sxy 10 → slope 5, intercept 10; fitted 15, 20, 25; SSE 25+100+25 = 150, SST 200
    const f = fitLatencyBandwidth([{ bytes: 1, mean_us: 10, stddev_us: 0, count: 1 }, { bytes: 2, mean_us: 30, stddev_us: 0, count: 1 }, { bytes: 3, mean_us: 20, stddev_us: 0, count: 1 }]);
    expect(f.intercept_us).toBeCloseTo(10, 9);
    expect(f.bandwidth_mbps).toBeCloseTo(0.2, 9);
    expect(f.r2).toBeCloseTo(0.25, 9);
    expect(f.latency).toEqual({ dist: 'constant', mean_us: 10 });
  });

  it('the spread comes from the smallest size\'s p99 / p50 when fio gave them, not from a standard deviation a few stalls make', () => {
    // a calibration of 2026-12-04 (10:35 UTC): 4 KiB writes p50 45.824, p90 48.384, p99 70.144 µs, standard deviation 24.26
    const pts = [{ bytes: 4096, mean_us: 47.39, stddev_us: 24.26, p50_us: 45.824, p99_us: 70.144, count: 61460 }, { bytes: 1 << 20, mean_us: 600, stddev_us: 40, count: 100 }];
    const f = fitLatencyBandwidth(pts);
    expect(f.latency.dist).toBe('lognormal');
    // σ = ln(70.144 / 45.824) / 2.3263 = 0.1830, cv = √(e^σ² − 1) = 0.1846 (its p90 would give σ 0.043)
    expect((f.latency as { cv: number }).cv).toBeCloseTo(0.185, 3);
    // without quantiles, the standard deviation: 24.26 / intercept
    const noQ = fitLatencyBandwidth(pts.map((p) => ({ ...p, p50_us: undefined, p99_us: undefined })));
    expect((noQ.latency as { cv: number }).cv).toBeCloseTo(Math.round((24.26 / noQ.intercept_us) * 1000) / 1000, 3);
    // a median without a p99 is not a spread either: the standard deviation
    expect(fitLatencyBandwidth(pts.map((p) => ({ ...p, p99_us: null }))).latency).toEqual(noQ.latency);
    // quantiles with no spread: a constant
    expect(fitLatencyBandwidth(pts.map((p) => ({ ...p, p50_us: 70, p99_us: 70 }))).latency.dist).toBe('constant');
  });

  it('a falling line is unlimited bandwidth; a negative intercept is a zero latency', () => {
    const f = fitLatencyBandwidth([{ bytes: 4096, mean_us: 20, stddev_us: 3, count: 1 }, { bytes: 8192, mean_us: 10, stddev_us: 3, count: 1 }]);
    expect(f.bandwidth_mbps).toBe(0);
    expect(latencyDist(-3, 10)).toEqual({ dist: 'constant', mean_us: 0 });
    expect(latencyDist(40, 0)).toEqual({ dist: 'constant', mean_us: 40 });
    expect(latencyDist(1, 500)).toEqual({ dist: 'lognormal', mean_us: 1, cv: 100 });
  });
});

describe('flush, read-ahead, page-in', () => {
  it('flush_us is the fdatasync time with a write-back cache, 0 with write-through', () => {
    expect(fitFlush(800, true, 100)).toEqual({ write_cache: true, flush_us: 800, write_cache_source: 'sysfs' });
    expect(fitFlush(800, false, 100)).toEqual({ write_cache: false, flush_us: 0, write_cache_source: 'sysfs' });
  });

  it('without sysfs, a flush cheaper than half a write command never reached a device', () => {
    expect(fitFlush(3, null, 100)).toEqual({ write_cache: false, flush_us: 0, write_cache_source: 'inferred' });
    expect(fitFlush(51, null, 100)).toEqual({ write_cache: true, flush_us: 51, write_cache_source: 'inferred' });
  });

  it('read_ahead_kb / 4 KiB pages', () => {
    expect(readaheadPagesFromKb(128)).toBe(32);
    expect(readaheadPagesFromKb(8192)).toBe(2048);
    expect(readaheadPagesFromKb(6)).toBe(1);
    expect(readaheadPagesFromKb(128, 16384)).toBe(8);
  });

  it('splits faults into hits and misses at the median plus half the read latency', () => {
    // 10 faults: 8 of 1 µs, one of 40 (below 1 + 100/2), one of 200 (a miss)
    const s = splitPagein([1, 1, 1, 1, 200, 1, 1, 40, 1, 1], 100);
    expect(s).toEqual({ faults: 10, misses: 1, threshold_us: 51, hit_p50_us: 1, miss_mean_us: 200, pages_per_miss: 10 });
    expect(splitPagein([2, 2, 2], 10)).toMatchObject({ misses: 0, miss_mean_us: null, pages_per_miss: null });
  });
});

describe('block device lookup', () => {
  it('splits dev_t like glibc', () => {
    expect(devMajorMinor(0xfe00n)).toEqual([254, 0]);
    // major 8 minor 300: (300 & 0xff) | (8 << 8) | ((300 & ~0xff) << 12) = 44 + 2048 + 1048576
    expect(devMajorMinor(1050668n)).toEqual([8, 300]);
    // major 4096: (4096 & ~0xfff) << 32; minor 2^20: (2^20 & ~0xff) << 12
    expect(devMajorMinor(4096n << 32n)).toEqual([4096, 0]);
    expect(devMajorMinor(1n << 32n)).toEqual([0, 1 << 20]);
  });

  const fakeSys = () => {
    const root = tmp();
    const disk = join(root, 'devices', 'pci0', 'block', 'sda');
    mkdirSync(join(disk, 'queue'), { recursive: true });
    mkdirSync(join(disk, 'sda1'));
    writeFileSync(join(disk, 'queue', 'write_cache'), 'write back\n');
    writeFileSync(join(disk, 'queue', 'read_ahead_kb'), '128\n');
    writeFileSync(join(disk, 'queue', 'rotational'), '0\n');
    writeFileSync(join(disk, 'sda1', 'partition'), '1\n');
    mkdirSync(join(root, 'dev', 'block'), { recursive: true });
    symlinkSync('../../devices/pci0/block/sda', join(root, 'dev', 'block', '8:0'));
    symlinkSync('../../devices/pci0/block/sda/sda1', join(root, 'dev', 'block', '8:1'));
    const nvme = join(root, 'devices', 'pci1', 'block', 'nvme0n1');
    mkdirSync(join(nvme, 'queue'), { recursive: true });
    writeFileSync(join(nvme, 'queue', 'write_cache'), 'write through\n');
    symlinkSync('../../devices/pci1/block/nvme0n1', join(root, 'dev', 'block', '259:0'));
    return { root, disk };
  };

  it('resolves a partition to its disk and reads its queue settings', () => {
    const { root, disk } = fakeSys();
    const p = blockDeviceOf(8, 1, root)!;
    expect(p).toMatchObject({ dev: '8:1', disk: 'sda', name: 'sda1', write_cache: true, read_ahead_kb: 128, rotational: false });
    expect(p.sysfs.endsWith(join('pci0', 'block', 'sda'))).toBe(true);
    expect(blockDeviceOf(8, 0, root)).toMatchObject({ disk: 'sda', name: 'sda', sysfs: p.sysfs });
    expect(disk).toContain('sda');
  });

  it('write through, unreadable settings, and no device at all', () => {
    const { root } = fakeSys();
    expect(blockDeviceOf(259, 0, root)).toMatchObject({ disk: 'nvme0n1', write_cache: false, read_ahead_kb: null, rotational: null });
    expect(blockDeviceOf(0, 45, root)).toBeNull();
  });

  it('a jbd2 journal shows as /proc/fs/jbd2/NAME-INO', () => {
    const root = tmp();
    expect(hasJbd2Journal('sda1', root)).toBeNull();
    mkdirSync(join(root, 'fs', 'jbd2', 'sda1-8'), { recursive: true });
    expect(hasJbd2Journal('sda1', root)).toBe(true);
    expect(hasJbd2Journal('sda2', root)).toBe(false);
  });
});

describe('microbenchmark plan', () => {
  it('depths double (quick: quadruple) up to the maximum, which is always probed', () => {
    expect(probeDepths(64)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(probeDepths(64, true)).toEqual([1, 4, 16, 64]);
    expect(probeDepths(32, true)).toEqual([1, 4, 16, 32]);
    expect(probeDepths(1)).toEqual([1]);
  });

  it('layout, 2 × sizes, 2 × depths, the completion probe, batches, writeback sizes, 4 flush probes between them, flush, journal, page-in', () => {
    const o = { maxDepth: 64, sizeBytes: 64 << 20, stepMs: 1000, latLog: '/w/pagein' };
    const full = calibrationPlan({ ...o, quick: false });
    expect(full.length).toBe(1 + 2 * 5 + 2 * 7 + 1 + 4 + 4 + 4 + 4 + 2 + 2);
    // batched writes: n submitted together and reaped together, n at most a plug's 32
    expect(full.filter((s) => s.kind === 'batch').map((s) => [s.name, s.depth])).toEqual([['qb-write-4', 4], ['qb-write-8', 8], ['qb-write-16', 16], ['qb-write-32', 32]]);
    expect(full.find((s) => s.name === 'qb-write-16')!.options).toEqual(
      ['rw=randwrite', 'bs=4k', 'direct=1', 'ioengine=libaio', 'iodepth=16', 'iodepth_batch_submit=16', 'iodepth_batch_complete_min=16', 'time_based', 'runtime=1000ms']);
    // page-cache writeback: buffered sequential writes, each written back and waited for by sync_file_range (no FLUSH, no O_DIRECT)
    expect(full.filter((s) => s.kind === 'writeback').map((s) => s.name)).toEqual(['wb-64k', 'wb-256k', 'wb-1m', 'wb-4m']);
    const wb = full.find((s) => s.name === 'wb-1m')!;
    expect(wb.options).toEqual(['rw=write', 'bs=1048576', 'ioengine=psync', 'sync_file_range=wait_before,write,wait_after:1', 'time_based', 'runtime=1000ms']);
    expect(full.filter((s) => s.kind === 'latency').map((s) => s.name)).toEqual(
      ['lat-read-4k', 'lat-read-16k', 'lat-read-64k', 'lat-read-256k', 'lat-read-1m', 'lat-write-4k', 'lat-write-16k', 'lat-write-64k', 'lat-write-256k', 'lat-write-1m']);
    const quick = calibrationPlan({ ...o, quick: true });
    expect(quick.length).toBe(1 + 2 * 3 + 2 * 4 + 1 + 2 + 3 + 4 + 2 + 1 + 2);
    expect(quick.filter((s) => s.kind === 'batch').map((s) => s.name)).toEqual(['qb-write-8', 'qb-write-32']);
    expect(quick.filter((s) => s.kind === 'writeback').map((s) => s.name)).toEqual(['wb-64k', 'wb-1m', 'wb-4m']);
    expect(quick.map((s) => s.name).slice(-5)).toEqual(['flush', 'flush-32', 'flush-size-1m', 'journal', 'pagein']);
    // the FLUSH's destage rate: one overwrite of each size, then fdatasync, for half a step
    expect(full.filter((s) => s.kind === 'flush-size').map((s) => [s.name, s.bytes, s.writes])).toEqual([['flush-size-128k', 131072, 1], ['flush-size-1m', 1048576, 1]]);
    expect(full.find((s) => s.name === 'flush-size-1m')!.options).toEqual(['rw=randwrite', 'bs=1048576', 'direct=1', 'ioengine=psync', 'fdatasync=1', 'time_based', 'runtime=500ms']);
    expect(full.filter((s) => s.kind === 'flush').map((s) => [s.name, s.writes])).toEqual([['flush', 1], ['flush-8', 8], ['flush-32', 32], ['flush-128', 128]]);
    expect(full.find((s) => s.name === 'flush-32')!.options).toEqual(expect.arrayContaining(['direct=1', 'fdatasync=32', 'rw=randwrite', 'ioengine=psync']));
    const flush = full.find((s) => s.kind === 'flush')!;
    expect(flush.options).toEqual(expect.arrayContaining(['direct=1', 'fdatasync=1', 'rw=randwrite', 'write_iolog=flush.iolog', 'runtime=1000ms']));
    // the FLUSH level is sampled between the steps: after the read latencies, the write latencies, the depths and the writebacks
    const names = full.map((s) => s.name);
    const probes = full.filter((s) => s.kind === 'flush-probe');
    expect(probes.map((s) => s.name)).toEqual(['flush-probe-1', 'flush-probe-2', 'flush-probe-3', 'flush-probe-4']);
    expect(probes.map((s) => names.indexOf(s.name) - 1).map((i) => names[i])).toEqual(['lat-read-1m', 'lat-write-1m', 'qb-write-32', 'wb-4m']);
    for (const p of probes) {
      expect(p.writes).toBe(1);
      expect(p.options).toEqual(['rw=randwrite', 'bs=4k', 'direct=1', 'ioengine=psync', 'fdatasync=1', `write_iolog=${flushIolog(p.name)}`, 'time_based', 'runtime=500ms']);
    }
    expect(flushIolog('flush-probe-2')).toBe('flush-probe-2.iolog');
    // the flush-N steps log nothing (only the 1-write steps make the level)
    expect(full.find((s) => s.name === 'flush-8')!.options.some((o) => o.startsWith('write_iolog'))).toBe(false);
    const text = stepJobText('/w', 64 << 20, full.find((s) => s.name === 'qd-write-8')!);
    expect(text).toBe('[global]\ndirectory=/w\nfilename=cal.0\nsize=67108864\nnorandommap\nrandrepeat=0\n\n[qd-write-8]\nrw=randwrite\nbs=4k\ndirect=1\nioengine=libaio\niodepth=8\ntime_based\nruntime=1000ms\n');
    // a step with a file of its own (journal: appends to a new file) names only that one: fio gives a job a file for each filename
    const journal = stepJobText('/w', 64 << 20, full.find((s) => s.kind === 'journal')!);
    expect(journal.split('\n').filter((l) => l.startsWith('filename='))).toEqual(['filename=grow.0']);
    expect(journal).not.toContain('cal.0');
    expect(sizeLabel(262144)).toBe('256k');
    expect(sizeLabel(1 << 20)).toBe('1m');
  });
});

describe('the FLUSH level of a calibration (the quietest step)', () => {
  it('the figures of the step with the lowest median, and all steps pooled beside them; null without samples', () => {
    const slow = [300, 310, 320, 330, 900], quiet = [150, 160, 170, 180, 190], mid = [240, 250, 260];
    const l = quietestLevel([slow, new Float64Array(0), quiet, mid])!;
    expect(l.medians).toEqual([320, 170, 250]);
    expect(l.quiet).toMatchObject({ count: 5, p50_us: 170, mean_us: 170 });
    expect(l.pooled).toMatchObject({ count: 13, p50_us: 250 });
    expect(quietestLevel([])).toBeNull();
    expect(quietestLevel([new Float64Array(0)])).toBeNull();
  });
});

describe('the spread of a FLUSH (device.flush_cv) and of a command (latency cv)', () => {
  it('a FLUSH: a lognormal through the median and the 99th percentile: p99 / p50 = e^(2.3263 σ), cv = √(e^σ² − 1)', () => {
    // σ = 0.5: p99 / p50 = e^1.1632 = 3.2001; cv = √(e^0.25 − 1) = 0.5329
    expect(flushCv(200, 200 * Math.exp(0.5 * 2.3263478740408408))).toBe(0.533);
    // a session level of the development machine: p50 186, p99 367.01 µs → σ = ln(1.97317) / 2.32635 = 0.29213, cv = √(e^0.085342 − 1) = 0.2985
    expect(flushCv(186, 367.01)).toBe(0.298);
  });

  it('a command\'s latency: the same, through the median and the 99th percentile', () => {
    // σ = 0.5: p99 / p50 = e^1.1632 = 3.2001 → 0.533; 4 KiB writes of 2026-12-04: p50 45.824, p99 70.144 µs → σ 0.1830, cv 0.185
    expect(latencyCv(200, 200 * Math.exp(0.5 * 2.3263478740408408))).toBe(0.533);
    expect(latencyCv(45.824, 70.144)).toBe(0.185);
    // the same quantiles read as a p90 (Z90) would give σ 0.3323, cv 0.342: the rule is the p99's
    expect(lognormalCv(45.824, 70.144, Z90)).toBe(0.342);
    // the bare FLUSH of an earlier calibration through its p90: p50 280.576, p90 358.4 µs → σ 0.191, cv 0.193
    expect(lognormalCv(280.576, 358.4, Z90)).toBe(0.193);
    expect(lognormalCv(186, 367.01, Z99)).toBe(0.298);
  });

  it('without a floor (no p90, or one the shifted form cannot pass through) the FLUSH level is the mean of the lognormal through p50 and p99, p50 · √(1 + cv²), so that its median is the measured median', () => {
    const mean = (p50: number, p90: number | null, p99: number | null) => p50 * flushSpread({ p50_us: p50, p90_us: p90, p99_us: p99 }).meanOverP50;
    // σ = 0.5: cv 0.533 (rounded) → 200 · √(1 + 0.533²) = 226.64
    expect(mean(200, null, 200 * Math.exp(0.5 * 2.3263478740408408))).toBeCloseTo(200 * Math.sqrt(1 + 0.533 ** 2), 9);
    expect(mean(200, null, 200 * Math.exp(0.5 * 2.3263478740408408))).toBeCloseTo(226.64, 2);
    // the session level above (sample mean 201.1, a few stalls): cv 0.298 → 186 · √(1 + 0.298²) = 194.08 µs
    expect(mean(186, null, 367.01)).toBeCloseTo(194.08, 2);
    // a p90 above what the p99 allows a shifted form (p99 − p50 < 1.815 (p90 − p50)): the same lognormal
    expect(mean(186, 300, 367.01)).toBeCloseTo(194.08, 2);
    // no spread: the median itself
    expect(mean(150, null, null)).toBe(150);
  });

  it('a p99 ten thousand times the p50 (a probe of stalls) gives at most the key\'s limit', () => {
    // p99 / p50 = 10^5: σ = 4.95, √(e^σ² − 1) ≈ 2e5 without the bound
    expect(FLUSH_CV_MAX).toBe(100);
    expect(flushCv(100, 1e7)).toBe(100);
    // p99 / p50 = 300 for a latency: σ = 2.4518, cv √(e^6.0114 − 1) = 20.176 stays (the bound is 100); 10^5 does not
    expect(latencyCv(100, 30000)).toBe(20.176);
    expect(latencyCv(100, 1e7)).toBe(100);
    // p99 / p50 = 20: σ = 1.2878, cv √(e^1.6584 − 1) = 2.062
    expect(flushCv(100, 2000)).toBe(2.062);
  });

  it('no spread without both percentiles, or when the upper one is not above p50', () => {
    expect([flushCv(null, 300), flushCv(200, null), flushCv(200, 200), flushCv(200, 150), flushCv(0, 10), latencyCv(200, 150)]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('destage from the flush steps', () => {
  // writes of 100 µs, media 4096 MB/s (4 KiB in 1 µs)
  it('a FLUSH that grows by 12 µs per write before it (1524 µs over 1..128 on a 200 µs intercept): destaged on flush, media_write_us = 12 − 1, flush_us = the intercept', () => {
    const pts = [1, 8, 32, 128].map((writes) => ({ writes, mean_us: 200 + 12 * writes, count: 100 }));
    expect(fitDestage(pts, 4096)).toMatchObject({ destage: 'on_flush', media_write_us: 11, flush_us: 200, r2: 1, n: 4 });
  });

  it('a FLUSH whose time does not grow with the writes: a cache that keeps up (continuous), no per-write cost', () => {
    const pts = [1, 8, 32, 128].map((writes, i) => ({ writes, mean_us: [200, 203, 199, 202][i], count: 100 }));
    expect(fitDestage(pts, 4096)).toMatchObject({ destage: 'continuous', media_write_us: 0 });
  });

  it('growth of less than a quarter of the bare FLUSH over the range is within what a continuous cache leaves behind', () => {
    // 1 µs per write over 1..32: 31 µs of growth on a 200 µs FLUSH (15 %)
    const pts = [1, 8, 32].map((writes) => ({ writes, mean_us: 200 + writes, count: 100 }));
    expect(fitDestage(pts, 4096)!.destage).toBe('continuous');
    // 2 µs per write: 62 µs (31 %)
    expect(fitDestage(pts.map((p) => ({ ...p, mean_us: 200 + 2 * p.writes })), 4096)!.destage).toBe('on_flush');
  });

  it('one write count cannot give a slope: null', () => {
    expect(fitDestage([{ writes: 1, mean_us: 200, count: 10 }], 4096)).toBeNull();
  });

  it('the FLUSH\'s destage rate: 1 / the slope of the fdatasync after one write over its size; null with one size; no growth: no time a byte', () => {
    // fio on 2026-12-04, 23:00 UTC: one O_DIRECT write then fdatasync, medians 52 µs (4k), 184 (128k), 778 (1m); least squares slope 0.000677 µs a byte: 1476 MB/s
    const r = fitDestageRate([{ bytes: 4096, p50_us: 52 }, { bytes: 131072, p50_us: 184 }, { bytes: 1048576, p50_us: 778 }], (v) => Math.round(v * 100) / 100)!;
    expect(r.slope_us_per_byte).toBeCloseTo(0.0006773, 7);
    expect(r.media_mbps).toBeCloseTo(1 / r.slope_us_per_byte, 1);
    expect(r.media_mbps).toBeGreaterThan(1476);
    expect(r.media_mbps).toBeLessThan(1477);
    // exact: 100 µs + 1 µs per 2000 bytes → 2000 MB/s
    expect(fitDestageRate([{ bytes: 0, p50_us: 100 }, { bytes: 1e6, p50_us: 600 }])).toMatchObject({ media_mbps: 2000, intercept_us: 100, r2: 1 });
    expect(fitDestageRate([{ bytes: 4096, p50_us: 52 }, { bytes: 4096, p50_us: 60 }])).toBeNull();
    // an fdatasync that does not grow with the size: the largest rate a device key takes, not a missing fit
    expect(fitDestageRate([{ bytes: 4096, p50_us: 80 }, { bytes: 1 << 20, p50_us: 70 }])).toMatchObject({ media_mbps: MAX_MBPS, flat: true });
    expect(fitDestageRate([{ bytes: 4096, p50_us: 80 }, { bytes: 1 << 20, p50_us: 80 }])).toMatchObject({ media_mbps: MAX_MBPS, flat: true });
    // growth too small for a rate within the keys' range (1 µs over 10 GB): at most MAX_MBPS, not flat
    expect(fitDestageRate([{ bytes: 0, p50_us: 80 }, { bytes: 1e10, p50_us: 81 }])).toMatchObject({ media_mbps: MAX_MBPS, flat: false });
    expect(fitDestageRate([{ bytes: 0, p50_us: 100 }, { bytes: 1e6, p50_us: 600 }])!.flat).toBe(false);
    // a slope so steep that its rate rounds to 0 (which the device reads as unlimited) keeps the least rate instead; no slope: no fit
    expect(fitDestageRate([{ bytes: 0, p50_us: 100 }, { bytes: 1, p50_us: 1000 }], (v) => Math.round(v * 100) / 100)).toMatchObject({ media_mbps: 0.01, flat: false });
    expect(fitDestageRate([{ bytes: 0, p50_us: Number.NaN }, { bytes: 4096, p50_us: 80 }])).toBeNull();
  });
});

describe('fitting the steps', () => {
  const lat = (mean_us: number, stddev_us = 0, count = 10) => ({ count, mean_us, stddev_us, p50_us: null, p90_us: null, p99_us: null });
  const step = (name: string, kind: StepReport['kind'], bytes: number, depth: number, iops: number, l: ReturnType<typeof lat> | null, sync: ReturnType<typeof lat> | null = null): StepReport =>
    ({ name, kind, bytes, depth, iops, latency: l, sync });
  const steps: StepReport[] = [
    // reads: 100 µs + bytes / 1000; writes: 20 µs + bytes / 250
    step('lat-read-4k', 'latency', 4096, 1, 0, lat(100 + 4.096, 50)),
    step('lat-read-1m', 'latency', 1 << 20, 1, 0, lat(100 + 1048.576)),
    step('lat-write-4k', 'latency', 4096, 1, 0, lat(20 + 16.384)),
    step('lat-write-1m', 'latency', 1 << 20, 1, 0, lat(20 + 4194.304)),
    // reads: 10k IOPS at 100 µs QD1, 45k at QD8 → 4.5 → 5 (rounds half up); writes 20k at 50 µs, 40k → 2
    step('qd-read-1', 'depth', 4096, 1, 10000, lat(100)),
    step('qd-read-8', 'depth', 4096, 8, 45000, lat(170)),
    step('qd-write-1', 'depth', 4096, 1, 20000, lat(50)),
    step('qd-write-8', 'depth', 4096, 8, 40000, lat(200)),
    step('flush', 'flush', 4096, 1, 0, lat(30), lat(700)),
  ];

  it('per direction latency and bandwidth, channels per direction, flush and read-ahead', () => {
    const f = fitCalibration(steps, { writeCache: null, readAheadKb: 256 }, 64);
    expect(f.read.latency).toEqual({ dist: 'lognormal', mean_us: 100, cv: 0.5 });
    expect(f.read.bandwidth_mbps).toBe(1000);
    expect(f.write.latency).toEqual({ dist: 'constant', mean_us: 20 });
    expect(f.write.bandwidth_mbps).toBe(250);
    expect(f.channels_read).toMatchObject({ channels: 5, peak_depth: 8, estimate: 4.5 });
    expect(f.channels_write).toMatchObject({ channels: 2, peak_depth: 8, estimate: 2 });
    // 700 µs > 20 / 2: a flush that reached the device
    expect(f.flush).toEqual({ write_cache: true, flush_us: 700, write_cache_source: 'inferred' });
    expect(f.readahead).toBe(64);
    expect(fitCalibration(steps, { writeCache: false, readAheadKb: null }, 64)).toMatchObject({ flush: { write_cache: false, flush_us: 0 }, readahead: null });
  });

  it('the FLUSH level comes from the pooled 1-write fdatasyncs by their quantiles; on_flush takes one write\'s destage off it', () => {
    // the quantiles of 200 + 100 e^(0.8 Z): a floor of 200 µs and a lognormal of median 100 above it (the shape the host's FLUSH has)
    const level = { count: 5000, mean_us: 900, stddev_us: 400, p50_us: 300, p90_us: 200 + 100 * Math.exp(0.8 * 1.2815515655446004), p99_us: 200 + 100 * Math.exp(0.8 * 2.3263478740408408) };
    const levelUs = 200 + 100 * Math.exp(0.8 ** 2 / 2); // that shape's mean: 337.71
    // continuous (only the flush step): flush_us = the level, not the flush step's 700 µs nor the pooled mean's 900
    expect(fitCalibration(steps, { writeCache: true, readAheadKb: null }, 64, level).flush.flush_us).toBe(Math.round(levelUs * 100) / 100);
    // 12 µs more per write (flush-8/32/128): on_flush, flush_us = level − 12
    const more = [8, 32, 128].map((w) => ({ ...step(`flush-${w}`, 'flush', 4096, 1, 0, lat(30), lat(700 + 12 * (w - 1))), writes: w }));
    const f = fitCalibration([...steps.map((st) => (st.kind === 'flush' ? { ...st, writes: 1 } : st)), ...more], { writeCache: true, readAheadKb: null }, 64, level);
    expect(f.destage).toMatchObject({ destage: 'on_flush', r2: 1 });
    expect(f.destage!.slope_us_per_write).toBeCloseTo(12, 9);
    expect(f.flush.flush_us).toBe(Math.round((levelUs - 12) * 100) / 100);
    // without a pooled level, the flush step's quantiles (none here: its mean)
    expect(fitCalibration(steps, { writeCache: true, readAheadKb: null }, 64).flush.flush_us).toBe(700);
  });

  it('with flush-size steps, media_mbps is the FLUSH\'s destage rate and media_write_us the 4k slope less a page at that rate; without a cache that destages on FLUSH, none', () => {
    const level = (p50: number) => ({ count: 100, mean_us: p50, stddev_us: 0, p50_us: p50, p90_us: p50, p99_us: p50 });
    // 1-write FLUSH 200 µs; 12 µs more per 4k write; 1 write of 1 MiB: 200 + (1 MiB − 4 KiB) / 1000 MB/s → 1000 MB/s
    const flushes: StepReport[] = [1, 8, 32, 128].map((w) => ({ ...step(w === 1 ? 'flush' : `flush-${w}`, 'flush', 4096, 1, 0, lat(30)), sync: level(200 + 12 * (w - 1)), writes: w }));
    const sized: StepReport = { ...step('flush-size-1m', 'flush-size', 1 << 20, 1, 0, lat(300)), sync: level(200 + ((1 << 20) - 4096) / 1000), writes: 1 };
    const f = fitCalibration([...steps.filter((st) => st.kind !== 'flush'), ...flushes, sized], { writeCache: true, readAheadKb: null }, 64);
    expect(f.destage_rate).toMatchObject({ media_mbps: 1000, r2: 1 });
    expect(f.destage!.media_write_us).toBe(Math.round((12 - 4.096) * 100) / 100);
    // without it: the O_DIRECT writes' rate (250 MB/s here) is taken off the slope, as before
    const g = fitCalibration([...steps.filter((st) => st.kind !== 'flush'), ...flushes], { writeCache: true, readAheadKb: null }, 64);
    expect(g.destage_rate).toBeNull();
    expect(g.destage!.media_write_us).toBe(Math.round((12 - 4096 / 250) * 100) / 100 > 0 ? Math.round((12 - 4096 / 250) * 100) / 100 : 0);
    // three sizes on a poor line (the host's level moved between the steps): still the line's rate, its R² reported
    const moved: StepReport = { ...step('flush-size-128k', 'flush-size', 131072, 1, 0, lat(100)), sync: level(900), writes: 1 };
    const h = fitCalibration([...steps.filter((st) => st.kind !== 'flush'), ...flushes, moved, sized], { writeCache: true, readAheadKb: null }, 64);
    // least squares by hand over (4096, 200), (131072, 900), (1048576, 1244.48): slope 0.00076756 µs a byte (1302.83 MB/s), R² 0.6756
    expect(h.destage_rate).toMatchObject({ media_mbps: 1302.83, flat: false });
    expect(h.destage_rate!.r2).toBeCloseTo(0.67556, 5);
    expect(h.destage!.media_write_us).toBe(8.86);
    // sizes whose FLUSH does not grow (the outside jobs' calibration of 16:47 UTC, 2026-12-05: 56.064, 57.088, 51.456 µs after 4k, 128k, 1m):
    // no destage time a byte, so the whole slope of the flush steps is the write's destage; the O_DIRECT rate (250 MB/s) would charge 4 ms a MiB
    const flatSizes: StepReport[] = [[131072, 57.088], [1 << 20, 51.456]].map(([b, us]) => ({ ...step(`flush-size-${b}`, 'flush-size', b, 1, 0, lat(100)), sync: level(us), writes: 1 }));
    const one = flushes.map((st) => (st.writes === 1 ? { ...st, sync: level(56.064) } : { ...st, sync: level(56.064 + 12 * (st.writes! - 1)) }));
    const k = fitCalibration([...steps.filter((st) => st.kind !== 'flush'), ...one, ...flatSizes], { writeCache: true, readAheadKb: null }, 64);
    expect(k.destage).toMatchObject({ destage: 'on_flush' });
    expect(k.destage_rate).toMatchObject({ media_mbps: MAX_MBPS, flat: true });
    expect(k.destage!.media_write_us).toBe(Math.round((12 - 4096 / MAX_MBPS) * 100) / 100);
    // a cache that keeps up (flat flush steps): no destage rate
    const flat = [1, 8, 32, 128].map((w) => ({ ...step(w === 1 ? 'flush' : `flush-${w}`, 'flush', 4096, 1, 0, lat(30)), sync: level(200), writes: w }));
    expect(fitCalibration([...steps.filter((st) => st.kind !== 'flush'), ...flat, sized], { writeCache: true, readAheadKb: null }, 64).destage_rate).toBeNull();
  });

  it('the destage line goes through the flush steps\' medians: a stall that lifts one step\'s mean does not make the cache look continuous', () => {
    // medians 169, 444.4, 741.4, 1728.5 µs after 1, 8, 32, 128 writes (the calibration of 12:26 UTC, 2026-12-03); flush-8's mean 1223.7 from one stall
    const med = { 1: 169, 8: 444.4, 32: 741.4, 128: 1728.5 } as Record<number, number>;
    const flushes: StepReport[] = [1, 8, 32, 128].map((w) => ({ ...step(w === 1 ? 'flush' : `flush-${w}`, 'flush', 4096, 1, 0, lat(30)), sync: { count: 10, mean_us: w === 8 ? 1223.7 : med[w]!, stddev_us: 0, p50_us: med[w]!, p90_us: med[w]!, p99_us: med[w]! }, writes: w }));
    const f = fitCalibration([...steps.filter((st) => st.kind !== 'flush'), ...flushes], { writeCache: true, readAheadKb: null }, 64);
    // least squares over (1, 169), (8, 444.4), (32, 741.4), (128, 1728.5): slope 11.4614, intercept 286.58, R² 0.9788
    expect(f.destage).toMatchObject({ destage: 'on_flush' });
    expect(f.destage!.slope_us_per_write).toBeCloseTo(11.4614, 3);
    expect(f.destage!.intercept_us).toBeCloseTo(286.58, 1);
    expect(f.destage!.r2).toBeCloseTo(0.9788, 3);
  });

  it('page-cache writeback (wb-*): its time vs size gives the writeback bandwidth; with fewer than two sizes there is none', () => {
    // sync_file_range after each buffered write: 30 µs + bytes / 4000 MB/s
    const wb = (bytes: number) => step(`wb-${bytes >> 10}k`, 'writeback', bytes, 1, 0, lat(5), lat(30 + bytes / 4000));
    const f = fitCalibration([...steps, wb(65536), wb(1 << 20), wb(4 << 20)], { writeCache: null, readAheadKb: null }, 64);
    expect(f.writeback).toMatchObject({ bandwidth_mbps: 4000, n: 3, r2: 1 });
    expect(f.write.bandwidth_mbps).toBe(250);
    expect(fitCalibration([...steps, wb(65536)], { writeCache: null, readAheadKb: null }, 64).writeback).toBeNull();
  });

  it('fewer than two sizes of a direction is an error', () => {
    expect(() => fitCalibration(steps.filter((s) => s.name !== 'lat-write-1m'), { writeCache: null, readAheadKb: null }, 64)).toThrow(/fewer than two sizes of writes/);
  });
});

describe('profile files (device.profile: FILE)', () => {
  const profile = (dir: string, text: string) => {
    writeFileSync(join(dir, 'dev.yaml'), text);
    return join(dir, 'dev.yaml');
  };
  const PROFILE = 'device:\n  profile: sata-ssd\n  channels: 7\n  read_latency: { dist: lognormal, mean_us: 50, cv: 0.5 }\n  bandwidth_mbps: 800\n  read_bandwidth_mbps: 900\nreadahead:\n  pages: 64\n';

  it('only paths name files', () => {
    expect(isProfileFile('./dev.yaml')).toBe(true);
    expect(isProfileFile('dev.yml')).toBe(true);
    expect(isProfileFile('nvme')).toBe(false);
    expect(isProfileFile('bogus')).toBe(false);
  });

  it('lays the file over its base profile and under the user keys', () => {
    const d = tmp();
    profile(d, PROFILE);
    writeFileSync(join(d, 'run.yaml'), 'device:\n  profile: ./dev.yaml\n  channels: 3\n');
    const c = loadConfig(join(d, 'run.yaml'), []);
    expect(c.device.profile).toBe('sata-ssd');
    expect(c.device.channels).toBe(3);
    expect(c.device.read_latency).toEqual({ dist: 'lognormal', mean_us: 50, cv: 0.5 });
    expect([c.device.bandwidth_mbps, c.device.read_bandwidth_mbps]).toEqual([800, 900]);
    // from the base profile (sata-ssd's table)
    expect(c.device.cache_mb).toBe(64);
    expect(c.device.write_latency).toEqual({ dist: 'constant', mean_us: 25 });
    expect(c.readahead.pages).toBe(64);
  });

  it('a user distribution replaces the file\'s whole; a user bandwidth_mbps sets both rates', () => {
    const d = tmp();
    const p = profile(d, PROFILE);
    const c = loadConfig(undefined, [`device.profile=${p}`, 'device.read_latency={dist: constant, mean_us: 5}', 'device.bandwidth_mbps=100']);
    expect(c.device.read_latency).toEqual({ dist: 'constant', mean_us: 5 });
    expect([c.device.bandwidth_mbps, c.device.read_bandwidth_mbps]).toEqual([100, 100]);
    // the file loaded as --config works the same without the user layer
    expect(loadConfig(p, []).device.channels).toBe(7);
  });

  it('errors name the file and the key', () => {
    const d = tmp();
    const p = profile(d, 'device:\n  profile: ./other.yaml\n');
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    };
    const e1 = err(() => loadConfig(undefined, [`device.profile=${p}`]));
    expect(e1).toBeInstanceOf(ConfigError);
    expect(e1.message).toContain(p);
    expect(e1.key).toBe('device.profile');
    profile(d, 'device:\n  profile: nvme\n  channels: 0\n');
    const e2 = err(() => loadConfig(undefined, [`device.profile=${p}`]));
    expect(e2.message).toContain(p);
    expect(e2.key).toBe('device.channels');
    const e3 = err(() => loadConfig(undefined, [`device.profile=${join(d, 'none.yaml')}`]));
    expect(e3.message).toContain('none.yaml');
  });
});

describe('the journal check', () => {
  it('appends one page at a time, each followed by an msync of it', () => {
    const rows = appendSyncTrace(3);
    expect(rows.map((r) => r.op)).toEqual(['map', 'write', 'msync', 'write', 'msync', 'write', 'msync']);
    expect(rows[0]).toMatchObject({ len: 3 * 4096, object: 'grow.0' });
    expect(rows[5]).toMatchObject({ addr: rows[0]!.addr + 2 * 4096, len: 4096 });
    expect(rows[6]!.flags).toBe(Flag.SYNC);
  });

  it('on a free device with free CPU the model predicts 0 µs', () => {
    const p = predictAppendSync({ device: { profile: 'ram' }, cpu: { syscall_us: 0, per_page_us: 0 } }, 5);
    expect(p).toEqual({ mean_us: 0, p50_us: 0, syncs: 5 });
  });

  it('without a journal each appended page costs its data write, then the inode block\'s: 2 × a 100 µs command (mean and median)', () => {
    const config = { device: { profile: 'queue', service: { dist: 'constant', mean_us: 100 } }, fs: { kind: 'ext4-nojournal' }, cpu: { syscall_us: 0, per_page_us: 0 } };
    expect(predictAppendSync(config, 5)).toEqual({ mean_us: 200, p50_us: 200, syncs: 5 });
  });

  it('flowYaml writes one-line YAML', () => {
    expect(flowYaml({ dist: 'lognormal', mean_us: 1.5, cv: 0.2 })).toBe('{ dist: lognormal, mean_us: 1.5, cv: 0.2 }');
    expect(flowYaml('sata-ssd')).toBe('sata-ssd');
    expect(flowYaml('true')).toBe('"true"');
    expect(flowYaml(false)).toBe('false');
  });
});

describe('the kernel timer frequency (fs.timestamp_tick_us)', () => {
  it('reads CONFIG_HZ from /proc/config.gz, else /boot/config-RELEASE; null when neither says', async () => {
    const { kernelHz } = await import('../scripts/validate/kernel-hz.ts');
    const { gzipSync } = await import('node:zlib');
    const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
    const { tmpdir, release } = await import('node:os');
    const { join } = await import('node:path');
    const root = mkdtempSync(join(tmpdir(), 'hz-'));
    const proc = join(root, 'proc'), boot = join(root, 'boot');
    mkdirSync(proc);
    mkdirSync(boot);
    expect(kernelHz(proc, boot)).toBeNull();
    writeFileSync(join(boot, `config-${release()}`), '# CONFIG_HZ_100 is not set\nCONFIG_HZ_1000=y\nCONFIG_HZ=1000\n');
    expect(kernelHz(proc, boot)).toEqual({ hz: 1000, source: join(boot, `config-${release()}`) });
    writeFileSync(join(proc, 'config.gz'), gzipSync('CONFIG_HZ_250=y\nCONFIG_HZ=250\n'));
    expect(kernelHz(proc, boot)).toEqual({ hz: 250, source: join(proc, 'config.gz') });
  });
});

describe('CPU costs of a calibration (the probe on the file system under --dir)', () => {
  const sp = (median_us: number, q1_us: number, q3_us: number) => ({ median_us, q1_us, q3_us, reps: 8 });
  const figures: CpuFigures = {
    page_size: 4096,
    syscall_us: sp(1.456, 1.3, 1.6), mlock_munlock_us: sp(2.6, 2.5, 2.8), msync_async_range_us: sp(1.2, 1.1, 1.3),
    fault_page_us: sp(11.411, 10.95, 13.55), wire_page_us: sp(0.194, 0.16, 0.25), clean_page_us: sp(5.614, 5.41, 5.9),
    clean_page_busy_us: sp(21.237, 20.8, 22.1),
    wall: { fault_page_us: sp(11.4, 11, 13.6), wire_page_us: sp(0.19, 0.16, 0.25), clean_page_us: sp(9.56, 9.42, 10.01) },
    clean_scattered_page_us: null, writeback: null, device_busy: null, clean_call: null,
  };

  it('device.busy_latency_us and busy_flush_us: the mean of the pinned placements\' medians beside a busy CPU less the median alone, at least 0; none without the samples', () => {
    // the probe's output: write-back of one page (wall less CPU 40 and 44 µs alone; beside the loop 65 and 69 pinned one way, 41 and 45 the other),
    // its fdatasync (70, 74 alone; 110, 116 / 70, 76)
    const text = ['page_size,4096,0,0',
      'device_write,1,45000,5000', 'device_flush,1,72000,2000', 'device_write,1,49000,5000', 'device_flush,1,76000,2000',
      'device_write_busy,1,70000,5000', 'device_flush_busy,1,112000,2000', 'device_write_busy,1,74000,5000', 'device_flush_busy,1,118000,2000',
      'device_write_busy,2,46000,5000', 'device_flush_busy,2,72000,2000', 'device_write_busy,2,50000,5000', 'device_flush_busy,2,78000,2000'].join('\n');
    const b = deviceBusyFigures(parseSamples(text))!;
    expect(b).toEqual({ write_us: 42, write_busy_us: 55, flush_us: 72, flush_busy_us: 93, placements: [{ n: 1, write_us: 67, flush_us: 113 }, { n: 2, write_us: 43, flush_us: 73 }], count: 2 });
    const keys = busyDeviceKeys({ ...figures, device_busy: b }, 'ext4')!;
    expect(keys.device).toEqual({ busy_latency_us: 13, busy_flush_us: 21 });
    expect(keys.fitted['device.busy_flush_us']).toMatchObject({ value: 21, n: 2 });
    expect(keys.fitted['device.busy_flush_us']?.from).toMatch(/93 µs while another CPU runs a busy loop \(the mean of the medians with the probe and the loop pinned each way round on two CPUs: 113 and 73 µs;.* against a median of 72 µs alone/);
    // a busy peer that happens to measure faster: 0, not a negative time
    expect(busyDeviceKeys({ ...figures, device_busy: { ...b, write_busy_us: 30 } }, 'ext4')!.device.busy_latency_us).toBe(0);
    expect(busyDeviceKeys(figures, 'ext4')).toBeNull();
    expect(deviceBusyFigures(parseSamples('page_size,4096,0,0\ndevice_write,1,45000,5000\ndevice_flush,1,72000,2000'))).toBeNull();
  });

  it('cpu.cv: the spread of one msync call\'s CPU time (8 scattered pages) through its median and p90; none from fewer than 10 calls', () => {
    // 100 calls of the probe on 2026-12-04 (11:45 UTC): median 74.7, p90 93.8 µs → σ = ln(1.2557) / 1.2816 = 0.1777, cv = √(e^σ² − 1) = 0.179
    const withCalls = { ...figures, clean_call: { pages: 8, p50_us: 74.7, p90_us: 93.8, count: 100 } };
    const { cpu, fitted } = cpuCalibration(withCalls, 'ext4');
    expect(cpu.cv).toBe(0.179);
    expect(cpuCv(74.7, 93.8)).toBe(0.179);
    expect(fitted['cpu.cv']).toMatchObject({ value: 0.179, n: 100 });
    expect(fitted['cpu.cv']?.from).toMatch(/8 scattered dirty pages, 100 calls: median 74\.7 µs, 90th percentile 93\.8 µs/);
    expect(cpuCalibration({ ...figures, clean_call: { pages: 8, p50_us: 74.7, p90_us: 93.8, count: 9 } }, 'ext4').cpu.cv).toBeUndefined();
    expect(cpuCalibration(figures, 'ext4').cpu.cv).toBeUndefined();
    expect(cpuCv(50, 50)).toBe(0);
  });

  it('sets the five cpu.* keys to the medians (two decimals), the IQR and repetitions in their provenance', () => {
    const { cpu, fitted } = cpuCalibration(figures, 'the file system under --dir (ext4)');
    expect(cpu).toEqual({ syscall_us: 1.46, fault_page_us: 11.41, clean_page_us: 5.61, clean_page_busy_us: 21.24, wire_page_us: 0.19 });
    expect(fitted['cpu.clean_page_busy_us']?.from).toMatch(/while another CPU runs a busy loop \(slope over 16 \.\. 256 pages\); median of 8 repetitions, IQR 20\.8 \.\. 22\.1/);
    expect(fitted['cpu.clean_page_us']).toEqual({
      value: 5.61, r2: null, n: 8,
      from: "cpu: probe cpu-costs.c on the file system under --dir (ext4): msync(MS_SYNC) CPU time per dirty page written (slope over pages); median of 8 repetitions, IQR 5.41 .. 5.9 µs of the thread's CPU time",
    });
    // the wall-clock slope (which includes waiting for the device) is never the figure
    expect(Object.values(cpu)).not.toContain(9.56);
  });

  it('without busy-loop samples (one CPU) leaves clean_page_busy_us out, so that it follows clean_page_us', () => {
    const { cpu, fitted } = cpuCalibration({ ...figures, clean_page_busy_us: null }, 'd');
    expect(Object.keys(cpu)).toEqual(['syscall_us', 'fault_page_us', 'clean_page_us', 'wire_page_us']);
    expect(fitted['cpu.clean_page_busy_us']).toBeUndefined();
    expect(resolveConfig({ cpu }).cpu.clean_page_busy_us).toBe(5.61);
  });

  it('the fragment gets a cpu section, each key under its provenance comment, and loads as configuration', () => {
    const { cpu, fitted } = cpuCalibration(figures, 'the file system under --dir (ext4)');
    const cal = {
      syncsim_version: 'v', fio_version: 'fio-3.33', dir: '/d', filesystem: 'ext4', block_device: null, quick: true,
      fragment: { device: { profile: 'sata-ssd' }, cpu }, fitted, files: { fragment: 'device.yaml', calibration: 'device.calibration.json' },
    } as unknown as Calibration;
    const lines = fragmentText(cal).split('\n');
    const at = lines.indexOf('cpu:');
    expect(lines.slice(at + 1, at + 5)).toEqual([
      "  # cpu: probe cpu-costs.c on the file system under --dir (ext4): msync(1 page, MS_ASYNC) of a clean page, per call; median of 8 repetitions, IQR 1.3 .. 1.6 µs of the thread's CPU time (n 8)",
      '  syscall_us: 1.46',
      "  # cpu: probe cpu-costs.c on the file system under --dir (ext4): first store to a cached, clean page of a MAP_SHARED file mapping (slope over pages); median of 8 repetitions, IQR 10.95 .. 13.55 µs of the thread's CPU time (n 8)",
      '  fault_page_us: 11.41',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-cpucal-'));
    try {
      const file = join(dir, 'device.yaml');
      writeFileSync(file, fragmentText(cal));
      const c = loadConfig(file, ['personality=linux']);
      expect([c.cpu.syscall_us, c.cpu.fault_page_us, c.cpu.clean_page_us, c.cpu.clean_page_busy_us, c.cpu.wire_page_us]).toEqual([1.46, 11.41, 5.61, 21.24, 0.19]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('waiting for the device to settle, and syncsim\'s own timings', () => {
  it('settled when the last three one-second medians of a bare FLUSH lie within 10 % of their smallest', () => {
    expect(SETTLE).toMatchObject({ windowMs: 1000, windows: 3, tolerance: 0.1 });
    expect(settledWindows([100, 100])).toBe(false);
    // a host still destaging: each second's FLUSH cheaper than the last
    expect(settledWindows([2400, 1800, 1100, 700, 400])).toBe(false);
    expect(settledWindows([2400, 400, 110, 100, 105])).toBe(true);
    expect(settledWindows([100, 110, 111])).toBe(false);
    expect(settledWindows([100, 110, 110])).toBe(true);
  });

  it('latency figures in fio\'s shape: count, mean, sample standard deviation, percentiles by interpolation', () => {
    const f = latencyFigures([10, 20, 30, 40]);
    expect(f).toMatchObject({ count: 4, mean_us: 25, p50_us: 25, p90_us: 37 });
    expect(f.stddev_us).toBeCloseTo(Math.sqrt(500 / 3), 12);
    expect(f.p99_us).toBeCloseTo(39.7, 12);
    expect(latencyFigures([7])).toEqual({ count: 1, mean_us: 7, stddev_us: 0, p50_us: 7, p90_us: 7, p99_us: 7 });
  });
});

describe('the warning when the device does not settle', () => {
  it('names the command, the wait and the last three medians; none when it settled', () => {
    expect(unsettledWarning('validate', { settled: false, waited_ms: 20_400, window_medians_us: [900, 700, 500, 300] })).toBe(
      "validate: warning: the device did not settle in 20 s (bare FLUSH medians 700, 500, 300 µs): another program's writes are still being destaged, so the figures will be slower than this device on its own");
    expect(unsettledWarning('calibrate', { settled: true, waited_ms: 3000, window_medians_us: [71, 71, 70] })).toBeNull();
    // --settle 0: no window was timed
    expect(unsettledWarning('calibrate', { settled: false, waited_ms: 0, window_medians_us: [] })).toBe(
      'calibrate: warning: --settle 0: measuring at once, without waiting for the device to settle');
  });

  it('without --settle the wait is at most 90 s, 20 s with --quick and for validate; --settle S is S seconds, 0 none', () => {
    expect(settleLimitMs(undefined, false)).toBe(90_000);
    expect(settleLimitMs(undefined, true)).toBe(20_000);
    expect([SETTLE.maxMs, SETTLE.quickMaxMs]).toEqual([90_000, 20_000]);
    expect(settleLimitMs(0, false)).toBe(0);
    expect(settleLimitMs(3000, true)).toBe(3000);
  });

  it('--settle S: seconds from 0 to 3600 as ms; 0 skips the wait and times no FLUSH', () => {
    expect(settleArg('--settle', undefined)).toBeUndefined();
    expect(settleArg('--settle', '0')).toBe(0);
    expect(settleArg('--settle', '2.5')).toBe(2500);
    expect(settleArg('--settle', '3600')).toBe(3_600_000);
    for (const bad of ['-1', '3601', 'x', '', '1e2', ' 1']) expect(() => settleArg('--settle', bad)).toThrow(/--settle expects seconds from 0 to 3600/);
    // a directory that does not exist: the wait would fail to make its file, so nothing was tried
    expect(settleDevice('/nonexistent/syncsim-settle-test', 0)).toEqual({ settled: false, waited_ms: 0, window_medians_us: [] });
  });
});
