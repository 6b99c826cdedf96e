/**
 * What a timeline's point stands for: runs drawn on one time axis share one
 * bucket (rows per point), the longest run's, and the note gives its count
 * and time exactly. A new user's two runs of 2,096 s and 2,095 s had buckets
 * of 4,193 and 4,191 rows, and the note said `largest of 4193 intervals
 * (4190 ms)`: the larger bucket only, its time rounded to three digits.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countRange, sharedBucket } from '../reports/charts/timeline.ts';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

/** summary.json's parts sharedBucket reads: a run of `simUs` sampled every `sampleUs`. */
const run = (simUs: number, sampleUs = 1000) => ({ sim_time_us: simUs, config: { stats: { sample_us: sampleUs, warmup_us: 0 } } }) as never;

describe('sharedBucket', () => {
  it("gives runs of one time axis the longest run's bucket: 2,096,001 rows in 500 points are 4,193 rows a point", () => {
    expect(sharedBucket([run(2_096_000_000), run(2_095_000_000)])).toBe(4193);
    // the shorter alone: 2,095,001 rows, 4,191 a point
    expect(sharedBucket([run(2_095_000_000)])).toBe(4191);
  });

  it('leaves runs more than 2× apart in length, or sampled at different periods, each its own bucket', () => {
    expect(sharedBucket([run(3_000_000), run(9_000_000)])).toBeUndefined();
    expect(sharedBucket([run(3_000_000, 1000), run(3_000_000, 500)])).toBeUndefined();
  });
});

describe('countRange', () => {
  it('writes one value whole and comma-grouped, or the least and most of several', () => {
    expect(countRange([4193, 4193])).toBe('4,193');
    expect(countRange([4193, 4191])).toBe('4,191–4,193');
    expect(countRange([0.25])).toBe('0.25');
  });
});

describe("a timeline's note on its buckets", () => {
  /** Runs of `lengths` samples each (a sawtooth of dirty pages 0 to 9, 1 I/O queued). */
  const runsOf = (lengths: number[]) => {
    const base = mkdtempSync(join(tmpdir(), 'syncsim-buckets-'));
    lengths.forEach((n, k) => writeRun(join(base, `run${k}`), { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: Array.from({ length: n }, (_, i) => [i % 10, 0, 0, 1]) }));
    return base;
  };
  const timelineOf = async (dir: string) => {
    const chart = chartNamed(await chartsOf(dir), 'timeline');
    const spec = chart.spec(200, 60);
    return { note: ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' '), rows: (spec.data as { values: { config: string; t_ms: number }[] }).values };
  };

  it('runs of 2,000 and 1,500 samples on one axis: both in buckets of 4 (on its own the shorter had 3), 4 ms apart', async () => {
    const { note, rows } = await timelineOf(runsOf([2000, 1500]));
    // since 2026-12-07 the lines are the means of stretches of one width on one axis, and the note gives it (it gave the
    // buckets' 'each point is the largest of 4 samples (4 ms)', the line of a slow count then being their most)
    expect(note).toMatch(/line: mean of the samples in each \d+ ms;/);
    for (const [config, n] of [['run0', 2000], ['run1', 1500]] as const) {
      const t = rows.filter((r) => r.config === config).map((r) => r.t_ms);
      expect(t.length).toBeGreaterThan(2);
      // the buckets 4 ms apart, and the file's last row, the run's end, a point of its own after the last bucket
      expect(t.slice(1, -1).every((v, i) => v - t[i]! === 4)).toBe(true);
      expect(t.slice(-2)).toEqual([n - 4, n - 1]);
    }
  });

  it('runs of 2,000 and 600 samples, each on its own axis: buckets of 4 and 2, the note gives both', async () => {
    const { note } = await timelineOf(runsOf([2000, 600]));
    // a stretch each, as a point was: the note gives both (until 2026-12-07 'each point is the largest of 2–4 samples (2–4 ms)')
    expect(note).toMatch(/line: mean of the samples in each \d+–\d+ ms;/);
  });
});
