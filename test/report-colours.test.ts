/**
 * The same colour for the same series in every chart of a report: a new
 * user's four-kernel sweep drew mach in linux's colour in one sweep chart
 * and in xnu's in another (a chart whose lines lacked values dropped them
 * and the rest took their colours), and two different merged series of
 * latency-percentiles in one blue.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { aggSweep, chartNamed, chartsOf, type AggPoint } from './report-fixtures.ts';

const KERNELS = ['freebsd', 'xnu', 'linux', 'mach'];
/** Eight values a kernel: the lines' first configurations are 1, 9, 17 and 25, configurations 1 and 17 one colour of sixteen. */
const PAGES = [1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000];
const stat = (mean: number): [number, number, number] => [mean, mean / 50, 3];

/** Every (series or configuration label → colour) of the colour scales of a spec, wherever they are. */
function colours(spec: unknown, out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(spec)) for (const x of spec) colours(x, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    const sc = o.scale as { domain?: unknown[]; range?: unknown[] } | undefined;
    if ((o.field === 'series' || o.field === 'config') && o.type === 'nominal' && sc?.domain && sc.range && typeof sc.range[0] === 'string' && String(sc.range[0]).startsWith('#')) {
      sc.domain.forEach((l, i) => out.set(String(l), String(sc.range![i])));
    }
    for (const v of Object.values(o)) colours(v, out);
  }
  return out;
}

/** Every (series or configuration label → point shape) of the shape scales of a spec. */
function shapesOf(spec: unknown, out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(spec)) for (const x of spec) shapesOf(x, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    const sh = o.shape as { scale?: { domain?: unknown[]; range?: unknown[] } } | undefined;
    if (sh && typeof sh === 'object' && sh.scale?.domain && sh.scale.range) sh.scale.domain.forEach((l, i) => out.set(String(l), String(sh.scale!.range![i])));
    for (const v of Object.values(o)) shapesOf(v, out);
  }
  return out;
}

/**
 * A sweep of 4 kernels × 8 memory sizes: `sync.latency_us.mean` for every kernel; `wire.errors.ENOMEM`
 * for every kernel but freebsd (no value: its line is left out), xnu and linux alike (one line); and msync latency
 * percentiles from aggregate.csv in which every size of freebsd and of mach is alike, and every size of linux.
 */
function sweep(): string {
  const points: AggPoint[] = [];
  KERNELS.forEach((k, ki) => PAGES.forEach((m, mi) => {
    const alike = k === 'freebsd' || k === 'mach' ? 1000 : k === 'linux' ? 9000 : 100 + 10 * mi;
    points.push({
      values: [k, m],
      stats: {
        'sync.latency_us.mean': stat(100 * (ki + 1) + 1000 / (mi + 1)),
        'sync.latency_us.p99': stat(alike * 1.5),
        'wire.errors.ENOMEM': k === 'freebsd' ? [NaN, NaN, 0] : stat(k === 'mach' ? 5 + mi : 1 + mi),
        'sync.latency_us.p50': stat(alike),
        'sync.latency_us.p999': stat(alike * 2),
      },
    });
  }));
  const dir = aggSweep(['personality', 'memory.pages'], ['sync.latency_us.mean', 'wire.errors.ENOMEM', 'sync.latency_us.p50', 'sync.latency_us.p99', 'sync.latency_us.p999'], points);
  // freebsd's ENOMEM: no value (n 0, the statistics empty), as aggregate.csv writes a metric no run had
  const agg = join(dir, 'aggregate.csv');
  writeFileSync(agg, readFileSync(agg, 'utf8').replace(/,0,NaN,NaN,NaN,NaN$/gm, ',0,,,,'));
  return dir;
}

describe('a series has one colour in every chart of a report', () => {
  it('each sweep line keeps its colour in the chart of every metric, whichever lines that chart lacks or joins', async () => {
    const charts: Chart[] = await chartsOf(sweep());
    const specs = charts.filter((c) => c.family === 'sweep-line').map((c) => [c.name, c.spec(200, 150)] as [string, VlSpec]);
    expect(specs.map(([n]) => n)).toEqual(expect.arrayContaining(['sweep-mean-vs-pages', 'sweep-enomem-vs-pages']));
    const seen = new Map<string, { colour: string; chart: string }>();
    for (const [name, spec] of specs) {
      for (const [label, colour] of colours(spec)) {
        // a joined line is the colour of one of its members, never of a line that is not in it
        for (const member of label.split(' = ')) {
          const before = seen.get(member);
          if (label === member && before) expect(colour, `${member} in ${name} and ${before.chart}`).toBe(before.colour);
        }
        if (!label.includes(' = ')) seen.set(label, { colour, chart: name });
      }
    }
    const mean = colours(chartNamed(charts, 'sweep-mean-vs-pages').spec(200, 150));
    expect([...mean.keys()]).toEqual(KERNELS);
    expect(new Set(mean.values()).size).toBe(4);
    // the ENOMEM chart has no freebsd line and joins xnu and linux: mach is drawn as in the mean chart
    const enomem = colours(chartNamed(charts, 'sweep-enomem-vs-pages').spec(200, 150));
    expect([...enomem.keys()]).toEqual(['xnu = linux', 'mach']);
    expect(enomem.get('mach')).toBe(mean.get('mach'));
    expect([mean.get('xnu'), mean.get('linux')]).toContain(enomem.get('xnu = linux'));
    expect(enomem.get('xnu = linux')).not.toBe(enomem.get('mach'));
  });

  it('latency-percentiles: a joined series is drawn in the look of the configuration it names first; no two series look alike', async () => {
    const charts = await chartsOf(sweep());
    const spec = chartNamed(charts, 'latency-percentiles').spec(200, 150);
    const c = colours(spec);
    const shapes = shapesOf(spec);
    const groups = [...c.keys()].filter((l) => l.includes(' = '));
    // freebsd's sizes with mach's (configurations 1-8, 25-32), and linux's (17-24), configuration 17 the colour of 1
    expect(groups).toHaveLength(2);
    expect(groups[0]!.startsWith('freebsd, 1000 = ')).toBe(true);
    expect(groups[1]!.startsWith('linux, 1000 = ')).toBe(true);
    // until 2026-12-07 a group took the colour of a member no other series had: its first configuration's look then
    // changed from figure to figure with the series beside it. Now each is its first configuration's, colour and shape,
    // as that configuration is drawn alone (index.html's swatch: the report's scale)
    expect(c.get(groups[0]!)).toBe(c.get(groups[1]!));
    expect(shapes.get(groups[0]!)).not.toBe(shapes.get(groups[1]!));
    // no two series alike: colour and shape together tell each from every other
    const looks = [...c.keys()].map((l) => `${c.get(l)} ${shapes.get(l)}`);
    expect(new Set(looks).size).toBe(looks.length);
    expect([...c.keys()].filter((l) => !l.includes(' = '))).toHaveLength(8);
  });
});
