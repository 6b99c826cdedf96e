/**
 * The serial submission stage of the storage device (device.submit_us,
 * device.submit_command_us: sim/device/media.ts step 1b) and its fit from
 * batched fio writes (scripts/validate/submission-fit.ts). Expected times are
 * worked out by hand, or by the stage's recurrence written out on its own.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFioJson } from '../scripts/validate/fio.ts';
import { describe, expect, it } from 'vitest';
import { rig } from './device-rig.ts';
import { simulate, TraceBuilder } from './helpers.ts';
import { fitSubmission, isSubmissionFit, lessSerial, stageOverlaps } from '../scripts/validate/submission-fit.ts';
import { fitCalibration, type StepReport } from '../scripts/validate/calibration.ts';
import { MAX_RERUNS, MAX_RERUNS_PER_STEP, rerunSlowSteps, slowestStep, theilSen } from '../scripts/validate/step-rerun.ts';
import { resolveConfig } from '../sim/config.ts';

/** 5 µs a submission, 2 µs a command, 20 µs a write, no pipe or media limit, no cache. */
const STAGE = { channels: 64, write_latency: { dist: 'constant', mean_us: 20 }, read_latency: { dist: 'constant', mean_us: 30 }, bandwidth_mbps: 0, read_bandwidth_mbps: 0, media_mbps: 0, submit_us: 5, submit_command_us: 2 };
const us = (ns: number) => ns / 1000;

describe('the serial submission stage', () => {
  it('n writes submitted together: the stage takes submit_us once, then submit_command_us each, one after the other; the latencies overlap', () => {
    const r = rig('nvme', STAGE);
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1)));
    r.eng.run();
    expect(r.done.map((x) => us(x.tDone))).toEqual([27, 29, 31, 33]);
    // queue time is the dispatch: every command started (took its slot) at 0
    expect(r.done.map((x) => x.tStart)).toEqual([0, 0, 0, 0]);
  });

  it('submit_overlap: each latency runs from the dispatch beside the stage; a command goes on when both are over', () => {
    // 20 µs latency from 0; the stage ends its turns at 7, 9, 11, 13: every write is done at 20
    const r = rig('nvme', { ...STAGE, submit_overlap: true });
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1)));
    r.eng.run();
    expect(r.done.map((x) => us(x.tDone))).toEqual([20, 20, 20, 20]);
    // 12 writes: turns end at 5 + 2k (k = 1 … 12), 27 µs and later after the 20 µs latency: max(20, 5 + 2k)
    const b = rig('nvme', { ...STAGE, submit_overlap: true });
    b.atAll(0, Array.from({ length: 12 }, (_, i) => b.io('write', 0, 2 * i, 1)));
    b.eng.run();
    expect(b.done.map((x) => us(x.tDone))).toEqual([20, 20, 20, 20, 20, 20, 20, 21, 23, 25, 27, 29]);
    // a read takes its own latency (30 µs) beside the stage the same way: max(30, 5 + 2)
    const rd = rig('nvme', { ...STAGE, submit_overlap: true });
    rd.atAll(0, [rd.io('read', 0, 0, 1)]);
    rd.eng.run();
    expect(rd.done.map((x) => us(x.tDone))).toEqual([30]);
    // without it, each latency starts at the end of its turn: 5 + 2k + 20
    const c = rig('nvme', STAGE);
    c.atAll(0, Array.from({ length: 12 }, (_, i) => c.io('write', 0, 2 * i, 1)));
    c.eng.run();
    expect(c.done.map((x) => us(x.tDone))).toEqual(Array.from({ length: 12 }, (_, k) => 5 + 2 * (k + 1) + 20));
  });

  it('the same writes submitted one by one each pay submit_us: the stage saturates at one write per 7 µs', () => {
    const r = rig('nvme', STAGE);
    for (let i = 0; i < 4; i++) r.at(0, r.io('write', 0, 2 * i, 1));
    r.eng.run();
    expect(r.done.map((x) => us(x.tDone))).toEqual([27, 34, 41, 48]);
  });

  it('a submission that arrives while the stage is busy waits for it', () => {
    const r = rig('nvme', STAGE);
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1))); // stage busy until 13 µs
    r.atAll(10_000, [r.io('write', 1, 0, 1), r.io('read', 1, 4, 1)]);
    r.eng.run();
    // 13 + 5 + 2 = 20 → write done at 40; 22 → read (30 µs) done at 52
    expect(r.done.map((x) => us(x.tDone))).toEqual([27, 29, 31, 33, 40, 52]);
  });

  it('commands a completion lets start form a submission of their own', () => {
    const r = rig('nvme', { ...STAGE, channels: 2 });
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1)));
    r.eng.run();
    // the first two: 7 → 27, 9 → 29; the third starts at 27 (27 + 7 = 34 → 54), the fourth at 29 (stage free at 34: 41 → 61)
    expect(r.done.map((x) => us(x.tDone))).toEqual([27, 29, 54, 61]);
  });

  it('a FLUSH skips the stage', () => {
    const r = rig('nvme', { ...STAGE, write_cache: true, cache_mb: 1, flush_us: 50 });
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1)));
    const f = r.io('flush', 0, 0, 0);
    r.at(0, f);
    r.eng.run();
    // the cache held nothing at 0: the FLUSH costs flush_empty_us (= the user's flush_us), not delayed by the 13 µs of the stage
    expect(us(f.tDone)).toBe(50);
  });

  it('0 and 0 (every named profile): no stage; a plug\'s list completes as the same writes submitted one by one', () => {
    for (const profile of ['nvme', 'sata-ssd', 'hdd', 'ram']) {
      expect(resolveConfig({ device: { profile } }).device).toMatchObject({ submit_us: 0, submit_command_us: 0 });
    }
    const off = { ...STAGE, submit_us: 0, submit_command_us: 0 };
    const a = rig('nvme', off), b = rig('nvme', off);
    a.atAll(0, [0, 1, 2, 3].map((i) => a.io('write', 0, 2 * i, 1)));
    for (let i = 0; i < 4; i++) b.at(0, b.io('write', 0, 2 * i, 1));
    a.eng.run();
    b.eng.run();
    expect(a.done.map((x) => us(x.tDone))).toEqual([20, 20, 20, 20]);
    expect(b.done.map((x) => x.tDone)).toEqual(a.done.map((x) => x.tDone));
  });

  it('property: with slots to spare, every command completes at the stage\'s recurrence + its latency, never sooner than without the stage', () => {
    const plan = fc.array(fc.record({ gapUs: fc.integer({ min: 1, max: 200 }), n: fc.integer({ min: 1, max: 32 }) }), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 100 }), plan, (k, c, lat, subs) => {
      const run = (submit: number, command: number) => {
        const r = rig('nvme', { ...STAGE, channels: 4096, write_latency: { dist: 'constant', mean_us: lat }, submit_us: submit, submit_command_us: command });
        let t = 0, page = 0;
        for (const s of subs) {
          t += s.gapUs * 1000;
          r.atAll(t, Array.from({ length: s.n }, () => r.io('write', 0, page++, 1)));
        }
        r.eng.run();
        return [...r.done].sort((x, y) => x.id - y.id).map((x) => x.tDone);
      };
      // the recurrence: a submission starts when it arrives or when the stage is free, whichever is later
      const want: number[] = [];
      let free = 0, t = 0;
      for (const s of subs) {
        t += s.gapUs * 1000;
        let at = Math.max(t, free) + k * 1000;
        for (let j = 0; j < s.n; j++) want.push((at += c * 1000) + lat * 1000);
        free = at;
      }
      const got = run(k, c), without = run(0, 0);
      expect(got).toEqual(want);
      got.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(without[i]));
    }), { numRuns: 60 });
  });

  it('linux msync: the writes of scattered pages reach the device as one submission (the plug\'s list)', () => {
    const PS = 4096, A = 0x10000000;
    const b = new TraceBuilder().map(0, A, 16 * PS, 'f');
    for (let i = 0; i < 6; i++) b.op(0, 'write', A + 2 * i * PS, 1);
    const rows = b.op(10, 'msync', A, 16 * PS, 'SYNC').rows;
    const o = simulate(rows, { personality: 'linux', fs: { kind: 'none' }, cpu: { clean_page_us: 10, clean_page_busy_us: 10, syscall_us: 0 }, device: { profile: 'nvme', ...STAGE } });
    const w = o.writebacks.filter((x) => x.cause === 'msync');
    expect(w.length).toBe(6);
    // all dispatched together after the page work; done at + 5 + 2i + 20 µs
    const t0 = w[0].tStartNs;
    expect(w.every((x) => x.tStartNs === t0)).toBe(true);
    expect(w.map((x) => us(x.tDoneNs - t0))).toEqual([27, 29, 31, 33, 35, 37]);
  });
});

describe('fitting the stage (calibrate)', () => {
  /** Batches on the model's own line: QD1 latency 70 µs, 5 µs a write more per write in the batch. */
  const batches = [4, 8, 16, 32].map((n) => ({ batch: n, mean_latency_us: 70 + 5 * (n - 1), iops: 0 }));
  /** A depth probe that levels off at `peak` IOPS from QD8. */
  const unbatched = (peak: number) => [{ depth: 1, iops: 14_000, mean_latency_us: 70 }, { depth: 4, iops: 0.5 * peak, mean_latency_us: 80 }, { depth: 8, iops: 0.85 * peak, mean_latency_us: 100 }, { depth: 16, iops: 0.9 * peak, mean_latency_us: 200 }, { depth: 32, iops: peak, mean_latency_us: 400 }];

  it('submit_command_us is the slope of batch latency over n; submit_us = 10^6 / unbatched peak IOPS − it', () => {
    // 80,000 IOPS unbatched: 12.5 µs a write → submit_us 7.5
    const f = fitSubmission(batches, unbatched(80_000));
    expect(isSubmissionFit(f)).toBe(true);
    if (!isSubmissionFit(f)) return;
    expect(f.submit_command_us).toBeCloseTo(5, 9);
    expect(f.submit_us).toBeCloseTo(7.5, 9);
    expect(f.serial_us).toBeCloseTo(12.5, 9);
    expect(f.r2).toBeCloseTo(1, 12);
    expect(f.n).toBe(4);
  });

  it('no stage when it cannot be told apart: one batch size or a flat line; batches no cheaper a write than the unbatched peak leave submit_us 0', () => {
    expect(fitSubmission(batches.slice(0, 1), unbatched(80_000))).toEqual({ reason: expect.stringContaining('fewer than two batch sizes') });
    expect(fitSubmission(batches.map((b) => ({ ...b, mean_latency_us: 70 })), unbatched(80_000))).toEqual({ reason: expect.stringContaining('does not grow') });
    // 5 µs a write batched, 200,000 IOPS (5 µs) unbatched: the stage costs what the peak shows, nothing left for the submission
    expect(fitSubmission(batches, unbatched(200_000))).toMatchObject({ submit_from: 'batch slope', submit_us: 0, submit_command_us: 5 });
    // 250,000 IOPS (4 µs): the peak's 4 µs, not the batches' 5
    expect(fitSubmission(batches, unbatched(250_000))).toMatchObject({ submit_from: 'batch slope', submit_us: 0, submit_command_us: 4 });
    // 2026-12-03 22:10 UTC: qb-write-4 … 32 at 134.2, 208.5, 349.1, 609.5 µs (slope 16.90), 67,730 IOPS at QD64 (14.76 µs), QD1 4k write 91.9 µs: the stage 14.76 µs a write
    const slow = [[4, 134.2], [8, 208.5], [16, 349.1], [32, 609.5]].map(([n, l]) => ({ batch: n, mean_latency_us: l, iops: 0 }));
    const slowDepths = [{ depth: 1, iops: 10_800, mean_latency_us: 92 }, { depth: 16, iops: 45_957, mean_latency_us: 348 }, { depth: 32, iops: 51_987, mean_latency_us: 615 }, { depth: 64, iops: 67_730, mean_latency_us: 945 }];
    expect(fitSubmission(slow, slowDepths, (v) => Math.round(v * 100) / 100, 91.9)).toMatchObject({ submit_from: 'batch slope', submit_us: 0, submit_command_us: 14.76, slope_us_per_command: expect.closeTo(16.9, 2), overlap: { overlap: false } });
    expect(fitSubmission(batches, [])).toEqual({ reason: 'no unbatched IOPS measured' });
    // still growing at the deepest queue (QD4: 40k, QD1 14k): the slots limit it, not the stage
    expect(fitSubmission(batches, unbatched(80_000).slice(0, 2))).toEqual({ reason: expect.stringContaining('had not levelled off by QD4, the deepest probed') });
    // peak at the deepest, and a quarter of its depth already at two thirds of it: levelled off (a noisy probe between does not matter)
    const wandering = [{ depth: 1, iops: 14_000, mean_latency_us: 70 }, { depth: 16, iops: 51_000, mean_latency_us: 300 }, { depth: 32, iops: 46_000, mean_latency_us: 700 }, { depth: 64, iops: 67_000, mean_latency_us: 950 }];
    expect(isSubmissionFit(fitSubmission(batches, wandering))).toBe(true);
    expect(fitSubmission(batches, wandering.map((p) => (p.depth === 16 ? { ...p, iops: 40_000 } : p)))).toEqual({ reason: expect.stringContaining('had not levelled off by QD64') });
    // a peak before the deepest depth (a deeper one fell back): levelled off, whatever the shallower ones did
    const turned = [{ depth: 1, iops: 14_000, mean_latency_us: 70 }, { depth: 8, iops: 50_000, mean_latency_us: 150 }, { depth: 16, iops: 80_000, mean_latency_us: 200 }, { depth: 32, iops: 74_000, mean_latency_us: 430 }];
    expect(fitSubmission(batches, turned)).toMatchObject({ submit_us: 7.5, submit_command_us: 5 });
  });

  it('side by side or one after the other: the batch line\'s intercept decides (submit_us against QD1 latency − submit_command_us)', () => {
    // on the model's own one-after-the-other line (QD1 70, 5 a write: intercept 65): in turn
    const inTurn = fitSubmission(batches, unbatched(80_000), (v) => v, 70);
    expect(isSubmissionFit(inTurn) && inTurn.overlap).toEqual({ overlap: false, qd1_us: 70, predicted_side_by_side_us: 7.5, predicted_in_turn_us: 65 });
    // 2026-12-03 13:31 UTC: qb-write-4 … 32 at 124.9, 175.0, 358.76, 791.5 µs (slope 24.38, intercept −3.19), 35,076 IOPS unbatched at QD16, QD1 4k write 93.1 µs
    const measured = [[4, 124.9], [8, 175.0], [16, 358.76], [32, 791.5]].map(([n, l]) => ({ batch: n, mean_latency_us: l, iops: 0 }));
    const depths = [{ depth: 1, iops: 9907, mean_latency_us: 100 }, { depth: 16, iops: 35_076, mean_latency_us: 456 }, { depth: 32, iops: 33_211, mean_latency_us: 963 }, { depth: 64, iops: 22_727, mean_latency_us: 2814 }];
    const side = fitSubmission(measured, depths, (v) => Math.round(v * 100) / 100, 93.1);
    expect(isSubmissionFit(side)).toBe(true);
    if (!isSubmissionFit(side)) return;
    expect(side.intercept_us).toBeCloseTo(-3.18, 2); // the fit's −3.19 from unrounded step means
    expect(side.submit_command_us).toBe(24.38);
    expect(side.submit_us).toBe(4.13);
    // |−3.19 − 4.13| = 7.32 against |−3.19 − (93.1 − 24.38)| = 71.91
    expect(side.overlap).toMatchObject({ overlap: true, predicted_side_by_side_us: 4.13 });
    expect(side.overlap!.predicted_in_turn_us).toBeCloseTo(68.72, 9);
    // submit_us 10, QD1 80 − 5 = 75: an intercept of 40 is 30 from 10 and 35 from 75; one of 50 is 40 and 25
    expect(stageOverlaps({ submit_us: 10, submit_command_us: 5, intercept_us: 40 }, 80).overlap).toBe(true);
    expect(stageOverlaps({ submit_us: 10, submit_command_us: 5, intercept_us: 50 }, 80).overlap).toBe(false);
    // no QD1 latency given: a fit, nothing judged (reports before this)
    const unjudged = fitSubmission(batches, unbatched(80_000));
    expect(isSubmissionFit(unjudged)).toBe(true);
    expect('overlap' in unjudged).toBe(false);
    // a tie goes to the latency after its turn (strictly nearer wins): 40 from 10 and from 70
    expect(stageOverlaps({ submit_us: 10, submit_command_us: 5, intercept_us: 40 }, 75).overlap).toBe(false);
  });

  it('unbatched IOPS still growing at the deepest queue: side by side, submit_us is the batch line\'s intercept within [0, the peak\'s bound]; one after the other, the bound', () => {
    // 2026-12-03 13:49 UTC: qb-write-4 … 32 at 128.3, 201.8, 340.2, 827.4 µs (slope 25.18, intercept −3.25); qd-write still +14 % from QD32 to QD64
    const measured = [[4, 128.3], [8, 201.8], [16, 340.2], [32, 827.4]].map(([n, l]) => ({ batch: n, mean_latency_us: l, iops: 0 }));
    const growing = [[1, 6585], [2, 9080], [4, 11_142], [8, 14_483], [16, 18_444], [32, 28_999], [64, 33_148]].map(([d, iops]) => ({ depth: d, iops, mean_latency_us: 100 }));
    // without a QD1 latency to judge by, as before: no stage
    expect(fitSubmission(measured, growing)).toEqual({ reason: expect.stringContaining('had not levelled off by QD64') });
    const f = fitSubmission(measured, growing, (v) => Math.round(v * 100) / 100, 76.3);
    expect(isSubmissionFit(f)).toBe(true);
    if (!isSubmissionFit(f)) return;
    expect(f).toMatchObject({ submit_from: 'batch intercept', submit_us: 0, submit_command_us: 25.18, overlap: { overlap: true } });
    // a positive intercept within the bound (10^6 / 33,148 − 25.18 = 4.99 µs) is taken as it is; above the bound, the bound
    const up = (d: number) => measured.map((p) => ({ ...p, mean_latency_us: p.mean_latency_us + d }));
    expect(fitSubmission(up(6.25), growing, (v) => Math.round(v * 100) / 100, 76.3)).toMatchObject({ submit_us: 3 });
    expect(fitSubmission(up(13.25), growing, (v) => Math.round(v * 100) / 100, 76.3)).toMatchObject({ submit_us: 4.99 });
    // the model's own one-after-the-other line (QD1 70, 5 a write): the intercept (65) says nothing of submit_us, which is the
    // peak's bound (40,000 IOPS at QD4: 25 µs a write, less 5)
    expect(fitSubmission(batches, unbatched(80_000).slice(0, 2), (v) => v, 70)).toMatchObject({ submit_from: 'unbatched bound', submit_us: 20, submit_command_us: 5, overlap: { overlap: false } });
    // levelled off: submit_us from the peak, as before
    expect(fitSubmission(batches, unbatched(80_000), (v) => v, 70)).toMatchObject({ submit_from: 'unbatched peak', submit_us: 7.5 });
  });

  it('the stage comes off the per-command latency, the standard deviation kept', () => {
    expect(lessSerial({ dist: 'lognormal', mean_us: 70, cv: 0.5 }, 12.5)).toEqual({ dist: 'lognormal', mean_us: 57.5, cv: Math.round((35 / 57.5) * 1000) / 1000 });
    expect(lessSerial({ dist: 'constant', mean_us: 70 }, 12.5)).toEqual({ dist: 'constant', mean_us: 57.5 });
    expect(lessSerial({ dist: 'lognormal', mean_us: 10, cv: 0.5 }, 12.5)).toEqual({ dist: 'constant', mean_us: 0 });
  });

  it('fitCalibration: qb-write-* steps with qd-write-* give the stage; without them there is none', () => {
    const lat = (mean_us: number) => ({ count: 10, mean_us, stddev_us: 0, p50_us: null, p90_us: null, p99_us: null });
    const step = (name: string, kind: StepReport['kind'], bytes: number, depth: number, iops: number, l: number, sync?: number): StepReport =>
      ({ name, kind, bytes, depth, iops, latency: lat(l), sync: sync === undefined ? null : lat(sync) });
    const base: StepReport[] = [
      step('lat-read-4k', 'latency', 4096, 1, 0, 70), step('lat-read-1m', 'latency', 1 << 20, 1, 0, 1000),
      step('lat-write-4k', 'latency', 4096, 1, 0, 70), step('lat-write-1m', 'latency', 1 << 20, 1, 0, 1000),
      step('qd-read-1', 'depth', 4096, 1, 14000, 70), step('qd-read-32', 'depth', 4096, 32, 60000, 500),
      step('qd-write-1', 'depth', 4096, 1, 14000, 70), step('qd-write-8', 'depth', 4096, 8, 60000, 130), step('qd-write-16', 'depth', 4096, 16, 72000, 220), step('qd-write-32', 'depth', 4096, 32, 80000, 400),
      step('flush', 'flush', 4096, 1, 0, 30, 200),
    ];
    const sys = { writeCache: true, readAheadKb: null };
    expect(fitCalibration(base, sys, 64).submission).toEqual({ reason: expect.stringContaining('fewer than two') });
    const withBatches = [...base, ...batches.map((b) => step(`qb-write-${b.batch}`, 'batch', 4096, b.batch, 0, b.mean_latency_us))];
    expect(fitCalibration(withBatches, sys, 64).submission).toMatchObject({ submit_us: 7.5, submit_command_us: 5, serial_us: 12.5 });
    // the completion latency (from the submission) when fio gave it: the guest's 3 µs a write of building the batch is not the device's
    const withClat = [...base, ...batches.map((b) => ({ ...step(`qb-write-${b.batch}`, 'batch', 4096, b.batch, 0, b.mean_latency_us + 3 * b.batch), clat_us: b.mean_latency_us }))];
    expect(fitCalibration(withClat, sys, 64).submission).toMatchObject({ submit_us: 7.5, submit_command_us: 5 });
  });

  it('fio\'s report: the writes\' mean completion latency beside their total latency', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-fio-json-'));
    const f = join(dir, 'r.json');
    const w = { iops: 1000, io_bytes: 4096, lat_ns: { N: 10, mean: 120_000, stddev: 0, percentile: { '50.000000': 110_000 } }, clat_ns: { N: 10, mean: 80_500, stddev: 0 } };
    writeFileSync(f, 'fio: a note before the report\n' + JSON.stringify({ 'fio version': 'fio-3.33', jobs: [{ jobname: 'qb-write-8', write: w, read: {} }, { jobname: 'old', write: { ...w, clat_ns: undefined }, read: {} }] }));
    const r = readFioJson(f);
    expect(r.jobs[0]).toMatchObject({ name: 'qb-write-8', write_clat_mean_us: 80.5, write: { mean_us: 120, p50_us: 110 } });
    expect(r.jobs[1].write_clat_mean_us).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('re-running a step a slow moment spoiled (calibrate)', () => {
  const lat = (name: string, bytes: number, mean_us: number) => ({ name, bytes, depth: 1, latency: { mean_us }, sync: null });
  /** write latency 70 µs + bytes / 2000 MB/s, with 16k measured in a slow moment */
  const writes = () => [lat('lat-write-4k', 4096, 72.05), lat('lat-write-16k', 16384, 166.7), lat('lat-write-64k', 65536, 102.77), lat('lat-write-256k', 262144, 201.07), lat('lat-write-1m', 1 << 20, 594.29)];

  it('finds the step furthest above the line through the others of its group; points below it, or within 15 %, are left alone', () => {
    const slow = slowestStep(writes());
    expect(slow).toMatchObject({ name: 'lat-write-16k', measured_us: 166.7 });
    expect(slow!.line_us).toBeCloseTo(70 + 16384 / 2000, 2);
    expect(slowestStep(writes().map((s) => (s.name === 'lat-write-16k' ? { ...s, latency: { mean_us: 78.19 * 1.14 } } : s)))).toBeNull();
    expect(slowestStep(writes().map((s) => (s.name === 'lat-write-16k' ? { ...s, latency: { mean_us: 40 } } : s)))).toBeNull();
    // two points make no line to be above: nothing to judge
    expect(slowestStep(writes().slice(0, 2))).toBeNull();
    // batches by their size
    const b = (n: number, mean_us: number) => ({ name: `qb-write-${n}`, bytes: 4096, depth: n, latency: { mean_us }, sync: null });
    expect(slowestStep([b(4, 85), b(8, 105), b(16, 145), b(32, 400)])).toMatchObject({ name: 'qb-write-32' });
  });

  it('runs it again and keeps the faster run, within the limits', async () => {
    const steps = writes();
    const asked: string[] = [];
    const reruns = await rerunSlowSteps(steps, async (name) => { asked.push(name); return lat(name, 16384, 78.4); });
    expect(asked).toEqual(['lat-write-16k']);
    expect(reruns).toEqual([expect.objectContaining({ name: 'lat-write-16k', measured_us: 166.7, again_us: 78.4, kept: 'second' })]);
    expect(steps[1].latency!.mean_us).toBe(78.4);
    // a step that stays slow is tried MAX_RERUNS_PER_STEP times, the faster run kept
    const stuck = writes();
    let n = 0;
    const r2 = await rerunSlowSteps(stuck, async (name) => lat(name, 16384, 170 + n++));
    expect(r2.map((r) => r.kept)).toEqual(Array(MAX_RERUNS_PER_STEP).fill('first'));
    expect(stuck[1].latency!.mean_us).toBe(166.7);
    expect(MAX_RERUNS).toBeGreaterThanOrEqual(MAX_RERUNS_PER_STEP);
  });
});

describe('the robust line of a step group', () => {
  it('Theil–Sen: median pairwise slope, median intercept; one point far off of five does not move it', () => {
    const pts = [1, 2, 3, 4, 5].map((x) => ({ x, y: 10 + 2 * x }));
    expect(theilSen(pts)).toEqual({ slope: 2, intercept: 10 });
    expect(theilSen(pts.map((p) => (p.x === 2 ? { ...p, y: 100 } : p)))).toEqual({ slope: 2, intercept: 10 });
    // three points: the median of the three slopes
    expect(theilSen([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 4 }]).slope).toBe(2);
  });
});
