/**
 * A new user's finding: a single run's latency-percentiles, every dot at about 117 µs, had a log y
 * axis labelled at 100 and 200 only, and no value could be read off it. An axis of less than a decade
 * labelled at fewer than four values is labelled at a round step's multiples (the scale stays log).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { planLogAxis } from '../reports/log-axis.ts';
import { narrowLogTicks, NARROW_MIN_LABELS } from '../reports/narrow-log-ticks.ts';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

describe('a log axis of less than a decade is labelled enough to read its values', () => {
  it('100 to 200 µs over dots at 117: labels a round step apart around them, not 100 and 200 alone', () => {
    const plan = planLogAxis([100, 200], 117, 117.4, 150, 8);
    expect(plan.ticks).toEqual([100, 200]);
    const ticks = narrowLogTicks(plan, 150)!;
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    // labels stand a round step apart, one at most 20 µs below the dots and one at most 30 above
    expect(ticks.some((v) => v <= 117 && v >= 100)).toBe(true);
    expect(ticks.some((v) => v > 117.4 && v <= 150)).toBe(true);
    const steps = new Set(ticks.slice(1).map((v, i) => +(v - ticks[i]!).toPrecision(6)));
    expect(steps.size).toBe(1);
  });

  it('leaves an axis of a decade or more, or one already labelled enough, as the 1-2-5 rules label it', () => {
    const wide = planLogAxis([100, 2000], 115, 1800, 150, 8);
    expect(narrowLogTicks(wide, 150)).toEqual(wide.ticks);
    const enough = planLogAxis([225, 245], 227.5, 241, 150, 8);
    expect(enough.ticks.length).toBeGreaterThanOrEqual(NARROW_MIN_LABELS);
    expect(narrowLogTicks(enough, 150)).toEqual(enough.ticks);
  });

  it('a run whose every msync took 117 µs: its percentiles chart is labelled at three values or more, still on a log scale', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-pct-')), 'run');
    writeRun(dir, { syncs: Array.from({ length: 5 }, (_, i) => ({ t: i + 1, lat: 117, pages: 1 })) });
    const spec = chartNamed(await chartsOf(dir), 'latency-percentiles').spec(200, 150);
    type Y = { scale: { type: string; domain: [number, number] }; axis?: { values?: number[] } };
    const y = (spec.layer as VlSpec[]).map((l) => (l.encoding as { y: Y }).y).find((e) => e.axis)!;
    expect(y.scale.type).toBe('log');
    // until 2026-12-07: [100, 200]
    expect(y.axis!.values!.length).toBeGreaterThanOrEqual(3);
    expect(y.axis!.values!.filter((v) => v >= 100 && v <= 150).length).toBeGreaterThanOrEqual(2);
  });
});
