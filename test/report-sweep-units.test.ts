/**
 * Units in a sweep line chart, from a new user's trial: a legend of msync
 * intervals in µs beside an x axis in ms is written in ms, as the axis is
 * (and a note's x values as the axis writes them).
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { legendKey } from '../reports/labels.ts';
import { aggSweep, chartNamed, chartsOf, TRIAL_INTERVALS as INTERVALS } from './report-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-units-'));
type Enc = Record<string, { scale?: { domain?: unknown[]; range?: unknown[]; zero?: boolean; type?: string }; legend?: { title?: string } | null; title?: unknown }>;

/** The legend title and series of a sweep line chart's colour. */
function legendOf(spec: VlSpec): { title: unknown; series: unknown[] } {
  const color = (spec.encoding as Enc).color;
  return { title: color.legend?.title, series: color.scale!.domain! };
}

describe('units of a sweep chart\'s legend', () => {
  /** personality × msync interval (µs) × writeback interval (ms), p99 from aggregate.csv. */
  const threeKeys = () => aggSweep(['personality', 'trace.set.sync_interval_us', 'writeback.interval_ms'], ['sync.latency_us.p99'],
    ['freebsd', 'linux'].flatMap((k, ki) => INTERVALS.flatMap((iv, ii) => [5, 50].map((wb, wi) => ({ values: [k, iv, wb], stats: { 'sync.latency_us.p99': [100 + 50 * ki + 20 * ii + wi, 4, 3] as [number, number, number] } })))));

  it('beside an x axis in ms, msync intervals of 2000, 8000, 32000 µs are written 2, 8, 32 in a legend titled in ms', async () => {
    const charts = await chartsOf(threeKeys());
    const vsWriteback = chartNamed(charts, 'sweep-p99-vs-interval-ms').spec(200, 150);
    expect((vsWriteback.encoding as Enc).x.title).toBe('writeback interval (ms, log scale)');
    const legend = legendOf(vsWriteback);
    expect(legend.title).toBe('kernel, msync interval (ms)');
    expect(legend.series).toEqual(expect.arrayContaining(['freebsd, 2', 'freebsd, 8', 'linux, 32']));
    expect(JSON.stringify(legend)).not.toContain('µs');
    // the other chart: its x axis the msync interval in ms, its legend the writeback interval in ms, as written
    const vsSync = chartNamed(charts, 'sweep-p99-vs-sync-interval-us').spec(200, 150);
    expect((vsSync.encoding as Enc).x.title).toBe('msync interval (ms, log scale)');
    expect(legendOf(vsSync).title).toBe('kernel, writeback interval (ms)');
    expect(legendOf(vsSync).series).toEqual(expect.arrayContaining(['freebsd, 5', 'linux, 50']));
  });

  it('a note naming the x values a line lacks writes them as the axis does: at msync interval 8 ms, not 8,000', async () => {
    const dir = join(tmp(), 'gap');
    mkdirSync(dir, { recursive: true });
    const keys = ['personality', 'trace.set.sync_interval_us'];
    let results = `run_id,point,${keys.join(',')},seed,status,error\n`;
    let agg = `point,${keys.join(',')},metric,n,mean,sd,ci95,median\n`;
    let point = 0;
    for (const k of ['freebsd', 'linux']) {
      for (const iv of INTERVALS) {
        point++;
        results += `p${point},${point},${k},${iv},1,ok,\n`;
        // linux at 8000 µs has no value
        agg += k === 'linux' && iv === 8000 ? `${point},${k},${iv},sync.latency_us.p99,0,,,,\n` : `${point},${k},${iv},sync.latency_us.p99,1,${100 + point},,,${100 + point}\n`;
      }
    }
    writeFileSync(join(dir, 'results.csv'), results);
    writeFileSync(join(dir, 'aggregate.csv'), agg);
    writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'gap', keys, metrics: ['sync.latency_us.p99'], seeds: [1] }));
    const spec = chartNamed(await chartsOf(dir), 'sweep-p99-vs-sync-interval-us').spec(200, 150);
    const note = (spec.title as { text: string[] }).text.join(' ');
    expect((spec.encoding as Enc).x.title).toBe('msync interval (ms, log scale)');
    expect(note).toContain('no msync latency p99 for linux at msync interval 8 ms (');
  });

  it('legendKey: the unit of the key\'s own axis over all its grid values, whatever chart it is in; other keys as written', () => {
    // 2000 and 8000 µs are 2 and 8 ms, in every figure (until 2026-12-06 they stayed 2000 beside an x axis in µs)
    const ms = legendKey('trace.set.sync_interval_us', ['2000', '8000']);
    expect([ms.title, ms.text('2000'), ms.text('8000'), ms.unit, ms.div]).toEqual(['msync interval (ms)', '2', '8', 'ms', 1000]);
    // from 1,000 µs up ms, so 2,500 µs is 2.5 ms
    const inMs = legendKey('trace.set.sync_interval_us', ['2000', '2500']);
    expect([inMs.title, inMs.text('2000'), inMs.text('2500')]).toEqual(['msync interval (ms)', '2', '2.5']);
    // one value under 1,000 µs keeps every value in µs, as written
    const us = legendKey('trace.set.sync_interval_us', ['500', '2000']);
    expect([us.title, us.text('2000')]).toEqual(['msync interval (µs)', '2000']);
    // bytes: the largest binary unit the smallest holds, 1 and 4 MiB
    const bytes = legendKey('trace.set.footprint', ['1048576', '4194304']);
    expect([bytes.title, bytes.text('4194304')]).toEqual(['footprint (MiB)', '4']);
    expect(legendKey('personality', ['linux', 'xnu'])).toMatchObject({ title: 'kernel' });
    expect(legendKey('trace.set.sync_interval_us', ['2000'], { 'trace.set.sync_interval_us': 'interval' }).title).toBe('interval');
  });
});
