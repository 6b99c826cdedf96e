/**
 * A count's axis is ticked at whole numbers: a new user's sweep chart of
 * wire calls failing with ENOMEM was ticked 0.0, 0.5, 1.0, 1.5.
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { countMetric } from '../reports/labels.ts';
import { linearAxis } from '../reports/linear-axis.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, writeRun, xAxisLabels, type AggPoint } from './report-fixtures.ts';

/** The y axis of a sweep line chart (its explicit tick values and format) and its scale's domain. */
function yAxis(spec: VlSpec): { values: number[]; format?: string; domain: number[] } {
  const line = (spec.layer as { mark: { type: string }; encoding: { y: { axis: { values: number[]; format?: string }; scale: { domain: number[] } } } }[]).find((l) => l.mark.type === 'line')!;
  return { ...line.encoding.y.axis, domain: line.encoding.y.scale.domain };
}

const COUNTS = ['wire.errors.ENOMEM', 'sync.errors.EBUSY', 'sync.count', 'wire.peak_wired_pages', 'writeback.ios'];

/** Two kernels × 4 memory sizes; each count metric's means (over 3 seeds) given per point: fractional means of whole counts. */
function countSweep(means: Record<string, number[]>): string {
  const points: AggPoint[] = [];
  ['freebsd', 'mach'].forEach((k, ki) => [1500, 3000, 6000, 8000].forEach((m, mi) => {
    const stats: AggPoint['stats'] = {};
    for (const [metric, v] of Object.entries(means)) stats[metric] = [v[ki * 4 + mi]!, 0, 3];
    points.push({ values: [k, m], stats });
  }));
  return aggSweep(['personality', 'memory.pages'], Object.keys(means), points);
}

describe('count axes', () => {
  it('a sweep chart of a count is ticked at whole numbers, whatever its means (0.33 ENOMEM, 1.5 EBUSY)', async () => {
    const dir = countSweep({
      'wire.errors.ENOMEM': [1, 0, 0.33, 0, 0, 1.5, 0, 0],
      'sync.errors.EBUSY': [0.2, 0.4, 0.33, 0.25, 0.2, 0.4, 0.3, 0.3],
      'sync.count': [40, 40, 40, 40, 40, 40, 40, 40.5],
      'wire.peak_wired_pages': [1024, 2048, 2048, 2048, 0, 0, 2048, 2048],
      'writeback.ios': [3, 3, 3, 3, 3, 3, 3, 3],
    });
    const charts = await chartsOf(dir);
    for (const name of ['sweep-enomem-vs-pages', 'sweep-ebusy-vs-pages', 'sweep-count-vs-pages', 'sweep-peak-wired-pages-vs-pages', 'sweep-ios-vs-pages']) {
      for (const [w, h] of [[200, 150], [150, 60], [400, 300]]) {
        const y = yAxis(chartNamed(charts, name).spec(w!, h!));
        expect(y.values.length, `${name} ${w}×${h}`).toBeGreaterThanOrEqual(2);
        for (const v of y.values) expect(Number.isInteger(v), `${name} ${w}×${h}: tick ${v}`).toBe(true);
        expect(y.format, name).toBe(',d');
        // the ticks span the axis: its ends are labelled
        expect([y.values[0], y.values[y.values.length - 1]]).toEqual(y.domain);
      }
    }
    // ENOMEM 0 to 1.5: 0, 1, 2 (the trial: 0.0, 0.5, 1.0, 1.5)
    expect(yAxis(chartNamed(charts, 'sweep-enomem-vs-pages').spec(200, 150)).values).toEqual([0, 1, 2]);
  });

  it('a time keeps its fractional steps; linearAxis in whole steps takes 0 in when no whole step holds the values without it', () => {
    expect(linearAxis(0.2, 0.4, 120, 8, 3).ticks.some((v) => !Number.isInteger(v))).toBe(true);
    const counts = linearAxis(0.2, 0.4, 120, 8, 3, true, true);
    expect(counts.ticks).toEqual([0, 1]);
    expect(counts.format).toBe(',d');
    expect(linearAxis(0, 1.5, 120, 8, 3, true, true).ticks).toEqual([0, 1, 2]);
  });

  it('latency-vs-pages labels its pages comma-grouped, as every count axis (1,000, not 1000)', async () => {
    // msyncs of 950 to 1,095 pages each (a 5 s db-checkpoint sweep's full-map checkpoints): ticks from 960 to 1,080
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-count-axes-'));
    writeRun(join(dir, 'a'), { syncs: Array.from({ length: 6 }, (_, i) => ({ t: i + 1, lat: 9000 + 200 * i, pages: 950 + 29 * i })) });
    const paper = THEMES.paper;
    const laid = await layoutChart(chartNamed(await chartsOf(dir), 'latency-vs-pages'), paper.widths.single, paper.padding);
    const texts = xAxisLabels(laid.svg, paper.fontSize.label).map((l) => l.text);
    expect(texts.some((t) => Number(t.replace(/,/g, '')) >= 1000), texts.join(' ')).toBe(true);
    for (const t of texts) expect(t, texts.join(' ')).toMatch(/^\d{1,3}(,\d{3})*$/);
  });

  it('countMetric: counts of calls, I/Os and pages; not times, bytes, ratios or means', () => {
    for (const m of [...COUNTS, 'sync.ok', 'writeback.pages', 'memory.evictions', 'ops.msync', 'faults.unmapped_write', 'device.flushes', 'wire.by_op.wire.errors.ENOMEM']) expect(countMetric(m), m).toBe(true);
    for (const m of ['sync.latency_us.p99', 'writeback.bytes', 'writeback.by_cause.msync', 'writeback.amplification', 'device.mean_queue_depth', 'device.utilization', 'txn.per_s', 'pagein.bytes', 'plugin.delta']) expect(countMetric(m), m).toBe(false);
  });
});
