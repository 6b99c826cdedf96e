/**
 * `syncsim compare` names each metric's unit: a new user's trial read a 95 % CI of B − A with
 * no unit. The table's `unit` column and compare.json's `unit` give the unit of A, B, B − A and
 * its CI (B / A and its CI are ratios), as summary.json holds the numbers.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { metricUnit } from '../scripts/compare/units.ts';
import { syncsimHere } from './cli-here.ts';

const DEMO = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');

describe('the units compare names', () => {
  it('of summary.json metrics as stored: µs, bytes, pages, per s; a fraction stays a fraction; counts and ratios have none', () => {
    expect(['sync.latency_us.mean', 'sync.latency_us.p99', 'sim_time_us', 'durability.lag_us.p50', 'throttle.total_us'].map(metricUnit)).toEqual(['µs', 'µs', 'µs', 'µs', 'µs']);
    expect(['writeback.bytes', 'writeback.dirtied_bytes', 'writeback.by_cause.msync', 'fs.journal_bytes', 'pagein.bytes'].map(metricUnit)).toEqual(['bytes', 'bytes', 'bytes', 'bytes', 'bytes']);
    expect(['wire.peak_wired_pages', 'memory.peak_resident_pages', 'writeback.pages'].map(metricUnit)).toEqual(['pages', 'pages', 'pages']);
    expect(metricUnit('throughput.msyncs_per_s')).toBe('per s');
    // summary.json's utilization is 0..1, which the report's figures draw as a percentage
    expect(metricUnit('device.utilization')).toBe('fraction');
    expect(['sync.count', 'sync.errors.EIO', 'writeback.ios', 'writeback.amplification', 'device.mean_queue_depth'].map(metricUnit)).toEqual([null, null, null, null, null]);
  });

  it('the table has a unit column after the metric, and compare.json a unit per metric', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-compare-units-'));
    const here = (args: string[]) => syncsimHere(args, d);
    expect((await here(['run', DEMO, '--out', 'a', '--set', 'device.profile=queue'])).code).toBe(0);
    expect((await here(['run', DEMO, '--out', 'b', '--set', 'device.profile=queue', '--set', 'device.service.mean_us=200'])).code).toBe(0);
    const r = await here(['compare', 'a', 'b', '--out', 'cmp', '--metric', 'sync.latency_us.mean', '--metric', 'writeback.bytes', '--metric', 'device.utilization', '--metric', 'sync.count']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[2]).toMatch(/^metric\s+unit\s+A\s+B\s+B - A\s+95 % CI\s+B \/ A\s+95 % CI\s+n\s+CI over$/);
    // the mean's CI over the msyncs, in µs
    expect(lines[3]).toMatch(/^sync\.latency_us\.mean\s+µs\s+\S+\s+\S+\s+\S+\s+\[\S+, \S+\]/);
    expect(lines[4]).toMatch(/^writeback\.bytes\s+bytes\s/);
    expect(lines[5]).toMatch(/^device\.utilization\s+fraction\s/);
    expect(lines[6]).toMatch(/^sync\.count\s+-\s/);
    const j = JSON.parse(readFileSync(join(d, 'cmp', 'compare.json'), 'utf8'));
    expect(j.metrics.map((m: { metric: string; unit: string | null }) => [m.metric, m.unit])).toEqual([
      ['sync.latency_us.mean', 'µs'], ['writeback.bytes', 'bytes'], ['device.utilization', 'fraction'], ['sync.count', null],
    ]);
  });
});
