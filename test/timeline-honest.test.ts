/**
 * A new user's finding: the timeline of a short run plotted each row's peak (timeline.csv's `*_max`
 * columns) under the name of the count, with no word of it, so that a 0.82 ms run of two rows drew
 * 'dirty pages = 4' flat across the run (the samples were 0), while a long run's line was the mean of
 * the samples ('shaded: min–max of each 21 ms; line: mean'). Now every run length draws the same: a
 * line at the mean of the samples of each stretch (the sample itself when a stretch is one row) over
 * shading up to the peak, and the figure says which, and how few samples a short run has.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';
import { FEW_SAMPLES } from '../reports/timeline-words.ts';

const HEAD = 't_us,dirty_pages,writeback_pages,wired_pages,resident_pages,queue_depth,dirty_pages_max,writeback_pages_max,wired_pages_max,resident_pages_max,queue_depth_max\n';

/** A run whose timeline.csv is `rows` (samples and peaks of dirty pages, pages under writeback, queue depth; none wired). */
function runOf(rows: { t: number; d: number; w: number; q: number; dMax: number; wMax: number; qMax: number }[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-honest-')), 'run');
  writeRun(dir, { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: rows.map(() => [0, 0, 0, 0]) });
  writeFileSync(join(dir, 'timeline.csv'), HEAD + rows.map((r) => `${r.t},${r.d},${r.w},0,0,${r.q},${r.dMax},${r.wMax},0,0,${r.qMax}\n`).join(''));
  return dir;
}

type Layer = { mark: { type: string }; encoding: { y: { field: string }; y2?: { field: string } } };
type Spec = { title: { text: string[] }; datasets: { bands: Record<string, number>[] }; concat: { title: { text: string }; layer: Layer[] }[] };

/** The timeline chart of `dir`: its caption, its note's text, the field each panel's line plots, its bands. */
async function timelineOf(dir: string) {
  const chart = chartNamed(await chartsOf(dir), 'timeline');
  const spec = chart.spec(200, 80) as unknown as Spec;
  return {
    caption: chart.caption,
    note: spec.title.text.join(' '),
    lines: spec.concat.map((p) => p.layer.find((l) => l.mark.type === 'line')!.encoding.y.field),
    shades: spec.concat.map((p) => { const a = p.layer.find((l) => l.mark.type === 'area')!.encoding; return [a.y.field, a.y2!.field]; }),
    bands: spec.datasets.bands,
  };
}

describe('the timeline draws the same quantity at every run length, and says what', () => {
  it("the new user's 0.82 ms run of two rows: the line is the sample (0), the shading reaches the peak (4); the figure says only 2 samples", async () => {
    const t = await timelineOf(runOf([
      { t: 0, d: 0, w: 0, q: 0, dMax: 4, wMax: 4, qMax: 1 },
      { t: 819.909, d: 0, w: 0, q: 0, dMax: 0, wMax: 0, qMax: 0 },
    ]));
    // until 2026-12-07 a line of the *_max columns under the count's name: 4, 4 and 1 flat across the run
    expect(t.lines).toEqual(['dirty_pages_mean', 'writeback_pages_mean', 'queue_depth_mean']);
    expect(t.shades[0]).toEqual(['dirty_pages_min', 'dirty_pages_max']);
    expect(t.bands[0]).toMatchObject({ t_ms: 0, dirty_pages_mean: 0, dirty_pages_min: 0, dirty_pages_max: 4, queue_depth_mean: 0, queue_depth_max: 1 });
    expect(t.note).toContain('line: the sample every 1 ms; shaded: from it up to the peak before the next sample');
    expect(t.note).toContain('only 2 samples: too few for a steady state');
    expect(t.caption).toContain('In each panel the line is the sample of timeline.csv at the start of each 1 ms of simulated time (the state then), and the shading runs from it up to the most the count reached before the next sample (the *_max columns)');
    expect(t.caption).toContain('the timeline stands on only 2 rows of timeline.csv');
  });

  it('a 58 ms run: the point at 2 ms is the sample there (1), not the peak (8); no word of few samples', async () => {
    const rows = Array.from({ length: 59 }, (_, i) => ({ t: i * 1000, d: i === 2 ? 1 : i % 10, w: 0, q: i % 3 === 0 ? 1 : 0, dMax: i === 2 ? 8 : (i % 10) + 1, wMax: i % 7 === 0 ? 2 : 0, qMax: 1 }));
    const t = await timelineOf(runOf(rows));
    expect(t.lines[0]).toBe('dirty_pages_mean');
    // one row a stretch: the line is the samples themselves
    expect(t.bands.find((b) => b.t_ms === 2)).toMatchObject({ dirty_pages_mean: 1, dirty_pages_min: 1, dirty_pages_max: 8 });
    expect(t.note).toContain('line: the sample every 1 ms; shaded: from it up to the peak before the next sample');
    expect(rows.length).toBeGreaterThanOrEqual(FEW_SAMPLES);
    expect(t.note).not.toContain('only');
    expect(t.caption).not.toContain('stands on only');
  });

  it('a 2 s run of dirty pages swinging 0 → 64 → 0 between rows: the same line, the mean of the samples, over stretches the note names', async () => {
    const rows = Array.from({ length: 2001 }, (_, i) => ({ t: i * 1000, d: (i % 2) * 64, w: 1, q: 1, dMax: 64, wMax: 1, qMax: 1 }));
    const t = await timelineOf(runOf(rows));
    expect(t.lines).toEqual(['dirty_pages_mean', 'writeback_pages_mean', 'queue_depth_mean']);
    const width = t.bands[1]!.t_ms - t.bands[0]!.t_ms;
    expect(width).toBeGreaterThan(1);
    // rows 0, 64, 0, ...: the mean of the first stretch's samples, its peak 64
    expect(t.bands[0]).toMatchObject({ dirty_pages_min: 0, dirty_pages_max: 64, dirty_pages_mean: (64 * Math.floor(width / 2)) / width });
    expect(t.note).toContain(`line: mean of the samples in each ${width} ms; shaded: least sample to peak`);
    expect(t.note).not.toContain('only');
    expect(t.caption).toContain(`In each panel the line is the mean of the samples of timeline.csv in each ${width} ms of simulated time (${width} rows, a row every 1000 µs), and the shading runs from the least sample to the most the count reached in that time (the *_max columns)`);
    expect(t.caption).toContain("; dirty pages rise and fall (between the lower and the upper quarter of their range) up to 2,001 times");
  });
});
