/**
 * Durations in a readable unit (a new user's paper, 2026-12-06): a sweep
 * chart of durability lags reaching 1,200,000 µs drew its y axis in µs; a
 * duration axis is now in µs, ms or s, as its values read best, its title
 * naming the unit.
 */
import { describe, expect, it } from 'vitest';
import { durationUnit } from '../reports/duration-unit.ts';
import { aggSweep, chartNamed, chartsOf, type AggPoint } from './report-fixtures.ts';

describe('durations in a readable unit', () => {
  it('picks µs, ms or s from the values drawn', () => {
    // the smallest value 1 or more in the unit, as a grid key's axis
    expect(durationUnit('µs', [55000, 59000])).toEqual({ unit: 'ms', div: 1000 });
    expect(durationUnit('µs', [300000, 1200000])).toEqual({ unit: 'ms', div: 1000 });
    expect(durationUnit('µs', [2e6, 9e6])).toEqual({ unit: 's', div: 1e6 });
    expect(durationUnit('µs', [908, 1032])).toEqual({ unit: 'µs', div: 1 });
    expect(durationUnit('µs', [50, 900])).toEqual({ unit: 'µs', div: 1 });
    // a largest value of 10,000 or more in it: a larger unit while the smallest is 0.1 or more there
    expect(durationUnit('µs', [500, 1200000])).toEqual({ unit: 'ms', div: 1000 });
    expect(durationUnit('µs', [5, 2e6])).toEqual({ unit: 'µs', div: 1 });
    expect(durationUnit('pages', [5e6])).toEqual({ unit: 'pages', div: 1 });
    expect(durationUnit('µs', [0])).toEqual({ unit: 'µs', div: 1 });
  });

  it('draws durability lags of up to 1,200,000 µs in ms, the axis title naming it', async () => {
    const m = 'durability.lag_us.p99';
    const points: AggPoint[] = [['freebsd', 300000], ['freebsd', 1200000], ['linux', 400000], ['linux', 500000]].map(([k, v], i) => ({ values: [k as string, i % 2 ? 10000 : 1000], stats: { [m]: [v as number, 0, 3] } }));
    const spec = chartNamed(await chartsOf(aggSweep(['personality', 'trace.set.sync_interval_us'], [m], points)), 'sweep-p99-vs-sync-interval-us').spec(200, 150);
    const json = JSON.stringify(spec);
    expect(json).toContain('"title":"durability lag p99 (ms)"');
    expect((spec.data as { values: { mean: number }[] }).values.map((r) => r.mean).sort((a, b) => a - b)).toEqual([300, 400, 500, 1200]);
  });
});
