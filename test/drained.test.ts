/**
 * `device.submit_completion: drained` (sim/device/media.ts): the commands of
 * the serial submission stage go on when the stage has no command left, a
 * FLUSH takes its turn in the stage, and the calibration step that decides
 * it (scripts/validate/completion-fit.ts). Expected times are worked out by
 * hand from the stage's recurrence.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rig } from './device-rig.ts';
import { fitCompletion, isCompletionFit, DRAINED_SHARE_PCT } from '../scripts/validate/completion-fit.ts';
import type { StepReport } from '../scripts/validate/calibration-fit.ts';
import { readFioJson } from '../scripts/validate/fio.ts';
import { calibrationPlan } from '../scripts/validate/microbench.ts';
import { resolveConfig } from '../sim/config.ts';

/** 5 µs a submission, 2 µs a command, 20 µs a write, 30 µs a read, no pipe or media limit, no cache. */
const STAGE = { channels: 64, write_latency: { dist: 'constant', mean_us: 20 }, read_latency: { dist: 'constant', mean_us: 30 }, bandwidth_mbps: 0, read_bandwidth_mbps: 0, media_mbps: 0, submit_us: 5, submit_command_us: 2 };
const DRAINED = { ...STAGE, submit_completion: 'drained' };
const us = (ns: number) => ns / 1000;
const times = (r: ReturnType<typeof rig>) => r.done.map((x) => us(x.tDone));

describe('submit_completion: drained', () => {
  it('a lone batch: every write waits for the last turn (13 µs), then its latency; the last completes as under each', () => {
    const r = rig('nvme', DRAINED);
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1)));
    r.eng.run();
    expect(times(r)).toEqual([33, 33, 33, 33]);
    const e = rig('nvme', STAGE);
    e.atAll(0, [0, 1, 2, 3].map((i) => e.io('write', 0, 2 * i, 1)));
    e.eng.run();
    expect(times(e)).toEqual([27, 29, 31, 33]);
  });

  it("another task's submission taken in before the stage drains delays the first batch", () => {
    // stage: turns 7, 9, 11, 13; at 10 µs a write and a read: 13 + 5 + 2 = 20, 22; drained at 22
    const r = rig('nvme', DRAINED);
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1)));
    r.atAll(10_000, [r.io('write', 1, 0, 1), r.io('read', 1, 4, 1)]);
    r.eng.run();
    expect(times(r)).toEqual([42, 42, 42, 42, 42, 52]);
  });

  it('a submission after the stage drained starts a busy period of its own', () => {
    const r = rig('nvme', DRAINED);
    r.atAll(0, [0, 1].map((i) => r.io('write', 0, 2 * i, 1))); // turns 7, 9: drained at 9 → 29
    r.atAll(20_000, [r.io('write', 1, 0, 1)]); // 20 + 5 + 2 = 27 → 47
    r.eng.run();
    expect(times(r)).toEqual([29, 29, 47]);
  });

  it('a FLUSH takes its turn in the stage: a write behind it waits, and the FLUSH completes when the stage drains', () => {
    const cache = { write_cache: true, cache_mb: 64, flush_us: 50, flush_empty_us: 50, destage: 'continuous', media_write_us: 0 };
    // FLUSH at 0 holds the stage to 50; a write at 10 µs: 50 + 5 + 2 = 57 → drained at 57: FLUSH done 57, write 77
    const r = rig('sata-ssd', { ...DRAINED, ...cache });
    const f = r.io('flush', 0, 0, 0), w = r.io('write', 0, 0, 1);
    r.at(0, f);
    r.at(10_000, w);
    r.eng.run();
    expect([us(f.tDone), us(w.tDone)]).toEqual([57, 77]);
    // under each the FLUSH stays out of the stage: 50, and the write 10 + 7 + 20
    const e = rig('sata-ssd', { ...STAGE, ...cache });
    const f2 = e.io('flush', 0, 0, 0), w2 = e.io('write', 0, 0, 1);
    e.at(0, f2);
    e.at(10_000, w2);
    e.eng.run();
    expect([us(f2.tDone), us(w2.tDone)]).toEqual([50, 37]);
  });

  it('with submit_overlap the latency runs from the dispatch: a command completes at max(drain, dispatch + latency)', () => {
    const r = rig('nvme', { ...DRAINED, submit_overlap: true });
    r.atAll(0, [0, 1, 2, 3].map((i) => r.io('write', 0, 2 * i, 1)));
    r.atAll(10_000, [r.io('write', 1, 0, 1), r.io('read', 1, 4, 1)]);
    r.eng.run();
    // drained at 22: the first four max(22, 20), the write max(22, 30), the read max(22, 40)
    expect(times(r)).toEqual([22, 22, 22, 22, 30, 40]);
  });

  it('one interrupt completes the spell: one latency draw for its writes and one for its reads, where each draws one per command', () => {
    const draws = (over: Record<string, unknown>) => {
      const r = rig('nvme', over);
      const random = (r.dev as unknown as { random: { readLatency: () => number; writeLatency: () => number } }).random;
      let reads = 0, writes = 0;
      random.readLatency = () => (reads++, 30);
      random.writeLatency = () => (writes++, 20);
      r.atAll(0, [r.io('write', 0, 0, 1), r.io('write', 0, 2, 1), r.io('read', 0, 4, 1), r.io('write', 0, 6, 1)]);
      r.eng.run();
      return [reads, writes];
    };
    expect(draws(DRAINED)).toEqual([1, 1]);
    expect(draws(STAGE)).toEqual([1, 3]);
  });

  it('without a stage (submit_us = submit_command_us = 0) it changes nothing', () => {
    const r = rig('nvme', { ...DRAINED, submit_us: 0, submit_command_us: 0 });
    r.atAll(0, [0, 1, 2].map((i) => r.io('write', 0, 2 * i, 1)));
    r.eng.run();
    expect(times(r)).toEqual([20, 20, 20]);
  });

  it('property: the same submissions complete no earlier than under each, every one of them, and each at a drain + its latency', () => {
    const sub = fc.record({ t: fc.integer({ min: 0, max: 300 }), kinds: fc.array(fc.constantFrom<'read' | 'write'>('read', 'write'), { minLength: 1, maxLength: 6 }) });
    fc.assert(fc.property(fc.array(sub, { minLength: 1, maxLength: 12 }), (subs) => {
      const run = (over: Record<string, unknown>) => {
        const r = rig('nvme', over);
        let page = 0;
        for (const s of subs) r.atAll(s.t * 1000, s.kinds.map((k) => r.io(k, 0, page++, 1)));
        r.eng.run();
        return new Map(r.done.map((x) => [x.id, x]));
      };
      const each = run(STAGE), drained = run(DRAINED);
      const n = subs.reduce((k, s) => k + s.kinds.length, 0);
      expect(drained.size).toBe(n);
      const drains = new Set<number>();
      for (const [id, x] of drained) {
        expect(x.tDone).toBeGreaterThanOrEqual(each.get(id)!.tDone);
        drains.add(x.tDone - (x.kind === 'read' ? 30_000 : 20_000));
      }
      // every drain time is the end of some command's turn under each (its completion less its latency)
      const turnEnds = new Set([...each.values()].map((x) => x.tDone - (x.kind === 'read' ? 30_000 : 20_000)));
      for (const d of drains) expect(turnEnds.has(d)).toBe(true);
    }), { numRuns: 200 });
  });

  it('config: submit_completion is each or drained; each on every named profile', () => {
    for (const p of ['nvme', 'sata-ssd', 'hdd', 'ram']) expect(resolveConfig({ device: { profile: p } }).device.submit_completion).toBe('each');
    expect(resolveConfig({ device: { profile: 'nvme', submit_completion: 'drained' } }).device.submit_completion).toBe('drained');
    expect(() => resolveConfig({ device: { profile: 'nvme', submit_completion: 'later' } })).toThrow(/submit_completion/);
  });
});

describe('the completion probe (qr-write-16) and its fit', () => {
  const reap = (reaped?: Record<string, number>): StepReport => ({ name: 'qr-write-16', kind: 'reap', bytes: 4096, depth: 16, iops: 40000, latency: null, sync: null, ...(reaped ? { reaped } : {}) });

  it('plans 16 writes submitted together and reaped as they complete, after the depth probes and before the batches', () => {
    const plan = calibrationPlan({ quick: true, maxDepth: 64, sizeBytes: 64 << 20, stepMs: 500, latLog: '/w/p' });
    const names = plan.map((s) => s.name);
    const i = names.indexOf('qr-write-16');
    expect(names[i - 1]).toBe('qd-write-64');
    expect(names[i + 1]).toBe('qb-write-8');
    expect(plan[i]!.options).toEqual(['rw=randwrite', 'bs=4k', 'direct=1', 'ioengine=libaio', 'iodepth=16', 'iodepth_batch_submit=16', 'iodepth_batch_complete_min=1', 'iodepth_batch_complete_max=16', 'time_based', 'runtime=500ms']);
  });

  it('drained when at least half the reaps found 9 or more completions (measured here: 98.2 %), each below', () => {
    // 2026-12-03 ~22:00 UTC on this machine: fio's iodepth_complete of that job
    const here = fitCompletion([reap({ '0': 0, '4': 1.733853, '8': 0.1, '16': 98.244473, '32': 0, '64': 0, '>=64': 0 })]);
    expect(isCompletionFit(here) && here.submit_completion).toBe('drained');
    expect(isCompletionFit(here) && here.nine_or_more_pct).toBe(98.24);
    const trickle = fitCompletion([reap({ '0': 0, '4': 70, '8': 25, '16': 5, '32': 0, '64': 0, '>=64': 0 })]);
    expect(isCompletionFit(trickle) && trickle.submit_completion).toBe('each');
    const edge = fitCompletion([reap({ '4': 50, '16': DRAINED_SHARE_PCT })]);
    expect(isCompletionFit(edge) && edge.submit_completion).toBe('drained');
    expect(fitCompletion([])).toEqual({ reason: 'no qr-write step' });
    expect(fitCompletion([reap()])).toEqual({ reason: "qr-write-16: fio reported no iodepth_complete" });
  });

  it("reads fio's iodepth_complete from the JSON report; a histogram with a non-number is none", () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-reap-'));
    try {
      const f = join(dir, 'r.json');
      const w = { iops: 1, io_bytes: 4096, lat_ns: { N: 1, mean: 1000 } };
      writeFileSync(f, JSON.stringify({ 'fio version': 'fio-3.33', jobs: [
        { jobname: 'qr-write-16', write: w, read: {}, iodepth_complete: { '0': 0, '4': 1.5, '8': 0, '16': 98.5 } },
        { jobname: 'bad', write: w, read: {}, iodepth_complete: { '4': 'x' } },
        { jobname: 'none', write: w, read: {} },
      ] }));
      const r = readFioJson(f);
      expect(r.jobs.map((j) => j.iodepth_complete)).toEqual([{ '0': 0, '4': 1.5, '8': 0, '16': 98.5 }, null, null]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
