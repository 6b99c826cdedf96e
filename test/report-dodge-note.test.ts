/**
 * The note of a sweep line whose points of one x value are dodged: it says
 * why ("so that no bar hides another") only where bars are drawn. A
 * researcher's four-kernel sweep of a trace file, whose seeds gave one value
 * at every point, read "no spread, no bars to draw; ... so that no bar hides
 * another".
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { aggSweep, chartNamed, chartsOf } from './report-fixtures.ts';

/** A note's words as one line, whatever its wrapping. */
const noteOf = (spec: VlSpec) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ').replace(/\s+/g, ' ');

/** personality × checkpoint interval, device flushes of half-width `ci` at every point. */
const flushes = (ci: number) => aggSweep(['personality', 'trace.set.checkpoint_interval_us'], ['device.flushes'],
  ['freebsd', 'linux'].flatMap((k, ki) => [100000, 300000, 1000000].map((iv, i) => ({ values: [k, iv], stats: { 'device.flushes': [ki * (30 - 9 * i), ci, 3] as [number, number, number] } }))));

describe('the dodged points\' note', () => {
  it('seeds that gave one value everywhere: side by side, with no word of bars', async () => {
    const note = noteOf(chartNamed(await chartsOf(flushes(0)), 'sweep-flushes-vs-checkpoint-interval-us').spec(200, 150));
    expect(note).toContain('no spread, no bars to draw');
    expect(note).toContain('the points of one x value stand side by side around it');
    expect(note).not.toContain('so that no bar hides another');
  });

  it("seeds that gave one value everywhere: index.html's caption names no error bars either (a user's sweep, 2026-12-08)", async () => {
    const chart = chartNamed(await chartsOf(flushes(0)), 'sweep-flushes-vs-checkpoint-interval-us');
    // before: '..., with error bars for the 95 % confidence interval of the mean (Student t, aggregate.csv)' beside a note saying none were drawn
    expect(chart.caption).not.toContain('with error bars');
    expect(chart.caption).toContain('the seeds gave the same value at every grid point, so the 95 % confidence interval of the mean is 0 wide and no error bars are drawn');
    const drawn = chartNamed(await chartsOf(flushes(2)), 'sweep-flushes-vs-checkpoint-interval-us');
    expect(drawn.caption).toContain('with error bars for the 95 % confidence interval of the mean (Student t, aggregate.csv)');
  });

  it('bars drawn: side by side, so that no bar hides another', async () => {
    const note = noteOf(chartNamed(await chartsOf(flushes(2)), 'sweep-flushes-vs-checkpoint-interval-us').spec(200, 150));
    expect(note).toContain('the points of one x value stand side by side around it, so that no bar hides another');
  });
});
