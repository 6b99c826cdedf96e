/**
 * A sweep line's linear y axis that does not start at 0, over values that
 * spread less than 5 % of their size, says so in the figure: a new user's
 * mean msync latencies of 698.0 and 698.4 µs filled an axis of 697.8 to
 * 698.8 µs, a 0.05 % difference drawn as a large one, with no word of it.
 */
import { describe, expect, it } from 'vitest';
import { narrowSpreadNote, spreadShare } from '../reports/linear-axis.ts';
import { aggSweep, chartNamed, chartsOf } from './report-fixtures.ts';

describe('narrowSpreadNote', () => {
  it('says how close values are that spread less than 5 % of their size', () => {
    // 0.815 of 698.668: 0.117 %
    expect(narrowSpreadNote(697.853, 698.668)).toBe('the y axis does not start at 0: the values drawn lie within 0.12 % of one another');
    // 0.15 of 5.69: 2.64 %
    expect(narrowSpreadNote(5.54, 5.69)).toBe('the y axis does not start at 0: the values drawn lie within 2.6 % of one another');
    // negative values: their size is their magnitude
    expect(narrowSpreadNote(-698.668, -697.853)).toBe('the y axis does not start at 0: the values drawn lie within 0.12 % of one another');
  });

  it('says nothing of values 5 % apart or more, of an axis from 0, or of one value', () => {
    expect(narrowSpreadNote(95, 100)).toBe('');
    expect(narrowSpreadNote(481, 646)).toBe('');
    // an axis from 0 (194 µs is at most a third of 1,918 µs) shows proportions as they are
    expect(narrowSpreadNote(194, 1918)).toBe('');
    expect(narrowSpreadNote(5, 5)).toBe('');
  });

  it('measures the spread against the larger magnitude', () => {
    expect(spreadShare(95, 100)).toBeCloseTo(0.05, 12);
    expect(spreadShare(0, 0)).toBe(0);
  });
});

describe("the new user's sweep lines (aggregate.csv of personality × pager.cluster_pages, 3 seeds)", () => {
  const metrics = ['sync.latency_us.mean', 'writeback.bytes', 'sync.latency_us.p99'];
  const point = (kernel: string, pages: number, mean: [number, number], bytes: number, p99: [number, number]) => ({
    values: [kernel, pages], stats: { 'sync.latency_us.mean': [mean[0], mean[1], 3], 'writeback.bytes': [bytes, 0, 3], 'sync.latency_us.p99': [p99[0], p99[1], 3] } as Record<string, [number, number, number]>,
  });
  const dir = aggSweep(['personality', 'pager.cluster_pages'], metrics, [
    ...[8, 32, 128].map((p) => point('freebsd', p, [698.392666667, 0.275104466042], 5945524224, [795.901, 0.420017663446])),
    ...[8, 32, 128].map((p) => point('linux', p, [698.016666667, 0.161933263311], 6106927104, [898.613333333, 1.38368328804])),
  ]);
  const noteOf = (spec: Record<string, unknown>) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');

  it('the means (697.85 to 698.67 µs with their CIs) on an axis from above 0: the note gives their 0.12 %, the caption too', async () => {
    const chart = chartNamed(await chartsOf(dir), 'sweep-mean-vs-cluster-pages');
    const spec = chart.spec(200, 120);
    expect(noteOf(spec)).toContain('the y axis does not start at 0: the values drawn lie within 0.12 % of one another');
    expect(chart.caption).toContain('the values drawn lie within 0.12 % of one another, so their differences look larger than they are');
    const y = (spec.layer as { encoding?: { y?: { scale?: { domain?: number[] } } } }[]).find((l) => l.encoding?.y?.scale?.domain)!.encoding!.y!.scale!.domain!;
    expect(y[0]).toBeGreaterThan(0);
  });

  it('the bytes written back (5.54 and 5.69 GiB) too, at 2.6 %', async () => {
    expect(noteOf(chartNamed(await chartsOf(dir), 'sweep-bytes-vs-cluster-pages').spec(200, 120))).toContain('lie within 2.6 % of one another');
  });

  it('p99s of 795.5 to 900 µs, 12 % apart, on an axis from above 0: the note and caption say so, without a spread (since 2026-12-07)', async () => {
    const chart = chartNamed(await chartsOf(dir), 'sweep-p99-vs-cluster-pages');
    const note = noteOf(chart.spec(200, 120));
    expect(note).toContain('the y axis does not start at 0');
    expect(note).not.toContain('lie within');
    expect(chart.caption).toContain('; the y axis does not start at 0');
  });
});
