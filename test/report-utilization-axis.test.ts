/**
 * The device utilization axis of a sweep line chart, from a new user's
 * trial: it started at 20 % for utilizations of 40 to 80 %. A share of the
 * whole is drawn on a linear axis from 0, at most to 100 %.
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { aggSweep, chartNamed, chartsOf } from './report-fixtures.ts';

type Enc = Record<string, { scale?: { domain?: unknown[]; range?: unknown[]; zero?: boolean; type?: string }; legend?: { title?: string } | null; title?: unknown }>;

describe('the device utilization axis', () => {
  /** Two kernels × three channel counts, device.utilization means `u` (fractions) with CI95 `ci`. */
  const util = (u: number[], ci: number) => aggSweep(['personality', 'device.channels'], ['device.utilization'],
    ['freebsd', 'linux'].flatMap((k, ki) => [1, 2, 4].map((ch, i) => ({ values: [k, ch], stats: { 'device.utilization': [u[ki * 3 + i]!, ci, 3] as [number, number, number] } }))));
  const yOf = (spec: VlSpec) => ((spec.layer as VlSpec[]).find((l) => (l.mark as { type: string }).type === 'line')!.encoding as Enc).y;

  it('starts at 0 for utilizations of 30 to 50 % (a third of the highest or more: 0 was not in the axis before)', async () => {
    const y = yOf(chartNamed(await chartsOf(util([0.3, 0.35, 0.4, 0.42, 0.45, 0.5], 0.02)), 'sweep-utilization-vs-channels').spec(200, 150));
    expect(y.scale!.zero).toBe(true);
    expect(y.scale!.type).toBeUndefined();
    const [lo, hi] = y.scale!.domain as number[];
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThanOrEqual(52);
    expect(hi).toBeLessThanOrEqual(100);
  });

  it('is linear from 0 even when the means span more than 20× (a log axis elsewhere), and ends at 100 % where a CI passes it, cut there', async () => {
    const wide = yOf(chartNamed(await chartsOf(util([0.001, 0.01, 0.1, 0.2, 0.3, 0.5], 0.0005)), 'sweep-utilization-vs-channels').spec(200, 150));
    expect(wide.scale!.type).toBeUndefined();
    expect((wide.scale!.domain as number[])[0]).toBe(0);
    const chart = chartNamed(await chartsOf(util([0.9, 0.95, 0.97, 0.91, 0.96, 0.98], 0.06)), 'sweep-utilization-vs-channels');
    const spec = chart.spec(200, 150);
    expect(yOf(spec).scale!.domain).toEqual([0, 100]);
    const rows = (spec.data as { values: { hi: number }[] }).values;
    expect(Math.max(...rows.map((r) => r.hi))).toBe(100);
    expect((spec.title as { text: string[] }).text.join(' ')).toContain('bars cut at 100 % (device utilization (%) cannot exceed it)');
  });
});
