/**
 * Labels at the ends of a horizontal log axis with no scale padding are drawn flush with the plot
 * (the theme's labelFlush): the last one wholly left of its tick, the first wholly right of it.
 * A compare CDF of two sweep points (msyncs of 8,830 to 9,850 µs) drew `9,800` and a flush
 * `10,000` 0.7 px apart, where the axis rules keep labels a label height (8 px) apart.
 *
 * Checked on the laid-out figure: the x axis labels' extents as the SVG draws them.
 */
import { describe, expect, it } from 'vitest';
import { compareCdfChart } from '../reports/charts/compare-cdf.ts';
import { validationCdfChart } from '../reports/charts/validation-cdf.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import type { Chart } from '../reports/chart.ts';
import { xAxisLabels } from './report-fixtures.ts';

const paper = THEMES.paper;
const size = paper.fontSize.label;

const lat = (from: number, to: number) => Float64Array.from({ length: 10 }, (_, i) => from + (i * (to - from)) / 9);

/** Latency ranges of side A and side B (µs) whose axes ended with a flush label crowding its neighbour. */
const RANGES: [number, number, number, number][] = [
  [8830, 9730, 8950, 9850], // 9,800 and 10,000: 0.7 px apart
  [3727, 3900, 3750, 3970], // 3,950 and 4,000: 5.3 px
  [2100, 4800, 2300, 5100], // 5,000 and 6,000: 6.3 px
  [90, 180, 100, 195],
  // msyncs from under 1,000 µs stay in µs (since 2026-12-08 those above are drawn in ms): labels as wide as 10,000 at the end
  [883, 9730, 895, 9850],
];

async function expectApart(chart: Chart): Promise<string[]> {
  const r = await layoutChart(chart, paper.widths.single, paper.padding);
  const labels = xAxisLabels(r.svg, size);
  expect(labels.length).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < labels.length; i++) {
    const gap = labels[i]!.lo - labels[i - 1]!.hi;
    // a label height apart, less half a px of rounding
    expect(gap, `${labels[i - 1]!.text} and ${labels[i]!.text}`).toBeGreaterThanOrEqual(size - 0.5);
  }
  return labels.map((l) => l.text);
}

describe('a horizontal log axis with labels flush at its ends keeps them apart', () => {
  for (const [a0, a1, b0, b1] of RANGES) {
    it(`compare-cdf of msyncs of ${a0}-${a1} and ${b0}-${b1} µs`, async () => {
      const chart = compareCdfChart({ a: { tag: 'A', label: 'a', latencies: lat(a0, a1), runs: 2 }, b: { tag: 'B', label: 'b', latencies: lat(b0, b1), runs: 2 }, p: 0.1 }, paper);
      const texts = await expectApart(chart);
      // still labelled at or below the fastest msync and at or above the slowest (labels in ms since 2026-12-08: msyncs of
      // 1,000 µs and more are drawn in ms)
      const value = (t: string) => Number(t.replace(/,/g, '')) * (Math.min(a0, b0) >= 1000 ? 1000 : 1);
      expect(value(texts[0]!)).toBeLessThanOrEqual(Math.min(a0, b0));
      expect(value(texts[texts.length - 1]!)).toBeGreaterThanOrEqual(Math.max(a1, b1));
    });
  }

  it('validation-cdf, whose x scale has no padding either', async () => {
    const chart = validationCdfChart({ job: 'j', runs: [lat(8830, 9730), lat(8840, 9700)], simulated: lat(8950, 9850), labels: { measured: 'measured', simulated: 'simulated' }, figures: ['demerit 1.0 %'] }, paper);
    await expectApart(chart);
  });
});
