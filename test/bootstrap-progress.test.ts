/**
 * The progress of a bootstrap (`syncsim compare`): the statistics tell a callback how many
 * resamples are drawn, at each pause of the work and at its end, without changing what they
 * compute; compare shows it in the step of the metric under way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bootstrapContrast, bootstrapContrastYielding, meanStat } from '../scripts/compare/stats.ts';
import { StepProgress } from '../scripts/progress.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');

/** `n` values 0, 1, ..., n - 1 (shifted by `shift`). */
const ramp = (n: number, shift = 0) => Float64Array.from({ length: n }, (_, i) => i + shift);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a bootstrap tells how many resamples it drew', () => {
  it('at each pause (every 2,000,000 resampled values: 10 resamples of 100,000 + 100,000) and at the end, the same CI as untold', async () => {
    const a = ramp(100_000), b = ramp(100_000, 5);
    const opts = { paired: false, reps: 35, level: 0.95, seed: 7, label: 'msyncs' };
    const told: [number, number][] = [];
    const c = await bootstrapContrastYielding(a, b, meanStat, { ...opts, onProgress: (done, total) => told.push([done, total]) });
    expect(told).toEqual([[10, 35], [20, 35], [30, 35], [35, 35]]);
    expect(c).toEqual(bootstrapContrast(a, b, meanStat, opts));
  });

  it('is not told when there is nothing to resample: one value a side, or Student t below 5 seeds', () => {
    const told: number[] = [];
    const opts = { paired: false, reps: 100, level: 0.95, seed: 1, label: 'x', onProgress: (done: number) => told.push(done) };
    expect(bootstrapContrast(Float64Array.of(1), Float64Array.of(2), meanStat, opts).resampled).toBe('none');
    expect(bootstrapContrast(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4), meanStat, opts).resampled).toMatch(/Student t/);
    expect(told).toEqual([]);
  });
});

describe('compare shows the resamples of the metric under way', () => {
  it('each metric bootstrapped over msyncs tells its step the resamples drawn, up to --reps; the others nothing', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-bootstrap-progress-'));
    for (const out of ['a', 'b']) expect((await syncsimHere(['run', DEMO, '--out', out, '-q'], d)).code).toBe(0);
    const told = new Map<string, [number, number][]>();
    const counter = StepProgress.prototype.counter;
    vi.spyOn(StepProgress.prototype, 'counter').mockImplementation(function (this: StepProgress, what: string, unit: string) {
      expect(unit).toBe('resamples');
      const inner = counter.call(this, what, unit);
      told.set(what, []);
      return (done: number, total: number) => {
        told.get(what)!.push([done, total]);
        inner(done, total);
      };
    });
    const r = await syncsimHere(['compare', 'a', 'b', '--out', 'c', '--reps', '200'], d);
    expect(r.code).toBe(0);
    expect([...told]).toEqual([
      ['metric 1 of 6 (sync.latency_us.mean)', [[200, 200]]],
      ['metric 2 of 6 (sync.latency_us.p50)', [[200, 200]]],
      ['metric 3 of 6 (sync.latency_us.p99)', [[200, 200]]],
      ['metric 4 of 6 (writeback.bytes)', []],
      ['metric 5 of 6 (device.utilization)', []],
      ['metric 6 of 6 (sim_time_us)', []],
    ]);
  });
});
