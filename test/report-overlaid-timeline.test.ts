/**
 * A new user's sweep report drawn with `--configs @1,@2` (2026-12-07): two
 * configurations overlaid in a timeline panel shaded "least sample to peak"
 * over one another into an opaque grey block (pages under writeback, device
 * queue depth), and the shading ran above the panel's top tick (a peak of 5
 * under a top tick of 4). Overlaid panels now draw each configuration's
 * peaks as a thin dotted line, no shading, on a y axis whose top tick is at
 * or above every value drawn; a panel of one configuration keeps its shading.
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

/** A sweep of device.channels `xs`, one seed, each point's run a timeline of `timeline(x)` (as report-figures' handSweep). */
function sweepOf(xs: number[], timeline: (x: number) => number[][]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-overlaid-')), 'sweep');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  let results = 'run_id,point,device.channels,seed,status,sync.latency_us.p99,error\n';
  let agg = 'point,device.channels,metric,n,mean,sd,ci95,median\n';
  xs.forEach((x, i) => {
    const p99 = writeRun(join(dir, 'runs', `p${i + 1}`), { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: timeline(x) }).sync.latency_us.p99 ?? '';
    results += `p${i + 1},${i + 1},${x},1,ok,${p99},\n`;
    agg += `${i + 1},${x},sync.latency_us.p99,1,${p99},,,${p99}\n`;
  });
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'overlaid', keys: ['device.channels'], metrics: ['sync.latency_us.p99'], seeds: [1] }));
  return dir;
}

/**
 * A sweep of personality × device.channels, one seed: three configurations of two kernels, so that freebsd's
 * second configuration is drawn in its kernel's colour with a dotted line (kernel looks), as a user's sweep of
 * personality × device.discipline drew them (2026-12-08).
 */
function kernelSweep(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-overlaid-kernels-')), 'sweep');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  let results = 'run_id,point,personality,device.channels,seed,status,sync.latency_us.p99,error\n';
  let agg = 'point,personality,device.channels,metric,n,mean,sd,ci95,median\n';
  // three: more would be drawn in strips (TIMELINE_MAX_OVERLAID), not overlaid
  const points = [['freebsd', 1], ['freebsd', 2], ['linux', 1]] as const;
  points.forEach(([personality, x], i) => {
    const p99 = writeRun(join(dir, 'runs', `p${i + 1}`), { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(300, 4 + x + 3 * i), config: { personality } }).sync.latency_us.p99 ?? '';
    results += `p${i + 1},${i + 1},${personality},${x},1,ok,${p99},\n`;
    agg += `${i + 1},${personality},${x},sync.latency_us.p99,1,${p99},,,${p99}\n`;
  });
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'kernels', keys: ['personality', 'device.channels'], metrics: ['sync.latency_us.p99'], seeds: [1] }));
  return dir;
}

type Layer = { mark: { type: string; opacity?: number; strokeDash?: number[] }; encoding: { y: { field: string; scale?: { domain?: number[] }; axis?: { values?: number[] } } } };
type Panel = { title: { text: string }; layer: Layer[] };

/** `n` samples 1 ms apart: a little dirty, and under writeback and queued now and then up to `peak`. */
const samples = (n: number, peak: number): number[][] => Array.from({ length: n }, (_, i) => [i % 5, i % 7 === 0 ? peak : 0, 0, i % 11 === 0 ? peak - 1 : 0]);

async function timelineSpec(configs: number[]): Promise<{ spec: VlSpec; panels: Panel[]; bands: Record<string, number>[] }> {
  const dir = sweepOf(configs, (x) => samples(300, 4 + x));
  const spec = chartNamed(await chartsOf(dir, 238), 'timeline').spec(200, 80);
  return { spec, panels: spec.concat as Panel[], bands: (spec.datasets as { bands: Record<string, number>[] }).bands };
}

describe('overlaid timelines', () => {
  it('two configurations: no shading in any panel; each peak a dotted line; the figure says so', async () => {
    const { spec, panels } = await timelineSpec([1, 2]);
    for (const p of panels) {
      expect(p.layer.map((l) => l.mark.type), p.title.text).toEqual(['line', 'line']);
      expect(p.layer[0]!.encoding.y.field).toMatch(/_max$/);
      expect(p.layer[0]!.mark.strokeDash!.length).toBeGreaterThan(0);
      expect(p.layer[1]!.encoding.y.field).toMatch(/_mean$/);
    }
    const note = ((spec.title as { text: string[] }).text).join(' ');
    // (these files have no *_max columns: the most sample of each stretch)
    expect(note).toContain('dotted: most sample');
    expect(note).not.toContain('shaded');
  });

  it("no value drawn above a panel's top labelled tick, which ends its axis", async () => {
    const { panels, bands } = await timelineSpec([1, 2]);
    for (const p of panels) {
      const y = p.layer[0]!.encoding.y;
      const field = y.field.replace(/_max$/, '');
      const ticks = y.axis!.values!;
      const top = Math.max(...ticks);
      expect(y.scale!.domain, p.title.text).toEqual([0, top]);
      const most = Math.max(...bands.map((b) => Number(b[`${field}_max`]) || 0));
      expect(most, p.title.text).toBeLessThanOrEqual(top);
    }
  });

  it("configurations told apart by dashes: each peak in its configuration's dash, never the dotted dash of another's mean", async () => {
    // a user's sweep of personality x device.discipline (2026-12-08): freebsd's second configuration was a dotted line
    // in the legend, every configuration's peak a dotted line too, and the note said 'dotted: peak'
    const spec = chartNamed(await chartsOf(kernelSweep(), 238), 'timeline').spec(200, 80);
    type DashLayer = { mark: { strokeDash?: number[] }; encoding: { strokeDash?: { field: string; scale: { domain: string[]; range: number[][] } } } };
    const panels = spec.concat as { title: { text: string }; layer: DashLayer[] }[];
    expect(panels.length).toBeGreaterThan(0);
    // the kernel looks of reports/README.md: a kernel's first configuration solid, its second dotted (1.5 1.5)
    const looks = { 'freebsd, 1': [1, 0], 'freebsd, 2': [1.5, 1.5], 'linux, 1': [1, 0] };
    for (const p of panels) {
      const [peak, mean] = p.layer;
      for (const l of [peak!, mean!]) {
        const enc = l.encoding.strokeDash!;
        expect(enc.field, p.title.text).toBe('config');
        expect(Object.fromEntries(enc.scale.domain.map((d, i) => [d, enc.scale.range[i]]))).toEqual(looks);
      }
      // no fixed dash on the peak's mark, which would draw freebsd, 1's peak like freebsd, 2's mean
      expect(peak!.mark.strokeDash, p.title.text).toBeUndefined();
    }
    const note = ((spec.title as { text: string[] }).text).join(' ');
    expect(note).toContain("thin line: most sample, in its configuration's dash");
    expect(note).not.toContain('dotted:');
  });

  it('one configuration: its panels keep their shading', async () => {
    const { panels } = await timelineSpec([1]);
    for (const p of panels) expect(p.layer.map((l) => l.mark.type)).toEqual(['area', 'line']);
  });
});
