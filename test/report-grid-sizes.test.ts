/**
 * A sweep over a generator parameter's sizes written with a suffix
 * (`trace.set.footprint: [1M, 4M, 16M]`), from a researcher's trial: the
 * report reads them as byte counts, so that it draws their sweep lines and
 * names them in one unit (`footprint (MiB)`: 1, 4, 16). Until 2026-12-06 it
 * drew no line chart, without a word, and named the configurations
 * `freebsd, 1M` under `footprint (bytes)`.
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { loadResults } from '../reports/data.ts';
import { gridSizes } from '../reports/grid-sizes.ts';
import { valueWithUnit } from '../reports/labels.ts';
import { settingsTables } from '../reports/report.ts';
import { chooseConfigurations } from '../reports/select.ts';
import { aggSweep, chartNamed, chartsOf } from './report-fixtures.ts';

type Enc = Record<string, { title?: unknown; scale?: { domain?: unknown[] }; legend?: { title?: unknown } | null }>;

/** personality × footprint as written in an experiment (`1M`, `4M`, `16M`), mean msync latency from aggregate.csv. */
const sizesSweep = () => aggSweep(['personality', 'trace.set.footprint'], ['sync.latency_us.mean'],
  ['freebsd', 'linux'].flatMap((k, ki) => ['1M', '4M', '16M'].map((fp, fi) => ({ values: [k, fp], stats: { 'sync.latency_us.mean': [300 + 40 * ki + 10 * fi, 4, 3] as [number, number, number] } }))));

describe('gridSizes', () => {
  it('reads a generator parameter\'s sizes as byte counts, suffixes binary and in either case', () => {
    expect(gridSizes('trace.set.footprint', ['1M', '4m', '16M'])).toEqual(['1048576', '4194304', '16777216']);
    expect(gridSizes('trace.set.write_size', ['512', '4K', '1G'])).toEqual(['512', '4096', '1073741824']);
  });

  it('leaves values without a suffix, other keys, and values that are not all sizes as they are', () => {
    expect(gridSizes('trace.set.footprint', ['1048576', '4194304'])).toEqual(['1048576', '4194304']);
    expect(gridSizes('device.cache_mb', ['1M', '4M'])).toEqual(['1M', '4M']);
    expect(gridSizes('trace.set.sync_flags', ['SYNC', 'ASYNC'])).toEqual(['SYNC', 'ASYNC']);
    expect(gridSizes('trace.set.footprint', ['1M', 'big'])).toEqual(['1M', 'big']);
    // past 2^53 bytes: no exact byte count
    expect(gridSizes('trace.set.footprint', ['1M', '9999999T'])).toEqual(['1M', '9999999T']);
  });
});

describe('a sweep over sizes written with a suffix', () => {
  it('draws a sweep line against them, its x axis in MiB', async () => {
    const spec: VlSpec = chartNamed(await chartsOf(sizesSweep()), 'sweep-mean-vs-footprint').spec(200, 150);
    const enc = spec.encoding as Enc;
    expect(enc.x.title).toBe('footprint (MiB, log scale)');
    expect(enc.color.scale!.domain).toEqual(['freebsd', 'linux']);
    const rows = JSON.stringify(spec);
    for (const x of [1, 4, 16]) expect(rows).toContain(`"x":${x},`);
  });

  it('names the configurations in that unit, the grid table and --configs keeping the values as written', async () => {
    const results = await loadResults(sizesSweep());
    expect(results.configTitle).toBe('kernel, footprint (MiB)');
    expect(results.configurations.map((c) => c.label)).toEqual(['freebsd, 1', 'freebsd, 4', 'freebsd, 16', 'linux, 1', 'linux, 4', 'linux, 16']);
    const grid = settingsTables(results, { domain: [], range: [], styles: [] })[0]!;
    expect(grid.rows[0]!.slice(0, 3)).toEqual(['freebsd, 1', 'freebsd', '1M']);
    expect(chooseConfigurations(results, ['freebsd, 16M', 'linux, 1'])).toEqual(['freebsd, 16', 'linux, 1']);
  });

  it('compare names a side by its size in MiB (`footprint 1 MiB`), not `1M bytes`', () => {
    expect(valueWithUnit('trace.set.footprint', '1M', ['1M', '16M'])).toBe('1 MiB');
    expect(valueWithUnit('trace.set.footprint', '16M', ['1M', '16M'])).toBe('16 MiB');
    expect(valueWithUnit('trace.set.footprint', '4194304', ['1048576', '4194304'])).toBe('4 MiB');
  });
});
