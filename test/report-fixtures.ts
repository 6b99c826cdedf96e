/**
 * Hand-made run outputs for the report tests: summary.json, syncs.csv,
 * writeback.csv and timeline.csv with known values, summary.json derived
 * from them as the simulator defines it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../sim/config.ts';
import type { Summary } from '../sim/stats/summary.ts';
import { loadResults } from '../reports/data.ts';
import { buildCharts, chartContext } from '../reports/report.ts';
import { THEMES } from '../reports/theme.ts';
import { textWidth } from '../reports/fonts.ts';
import type { Chart, VlSpec } from '../reports/chart.ts';
import * as vega from 'vega';
import { compile } from 'vega-lite';

/** Percentile of sorted values, linear interpolation between order statistics (type 7). */
export function pct(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

export interface SyncIn {
  t: number;
  lat: number;
  pages: number;
  result?: string;
}

export interface RunIn {
  seed?: number;
  syncs: SyncIn[];
  /** Rows of dirty, writeback, wired, queue depth, one per sample. */
  timeline?: number[][];
  /** Writeback I/Os: cause and bytes. */
  writeback?: { cause: string; bytes: number }[];
  dirtied?: number;
  warmup?: number;
  config?: Record<string, unknown>;
}

/** Writes a run output with these values; summary.json is derived from them as the simulator defines it. */
export function writeRun(dir: string, r: RunIn): Summary {
  mkdirSync(dir, { recursive: true });
  const warmup = r.warmup ?? 0;
  const config = { ...defaultConfig(), seed: r.seed ?? 1, ...(r.config ?? {}) };
  config.stats = { sample_us: 1000, warmup_us: warmup };
  const ok = r.syncs.filter((s) => (s.result ?? 'OK') === 'OK');
  const lats = ok.filter((s) => s.t >= warmup).map((s) => s.lat).sort((a, b) => a - b);
  const wb = r.writeback ?? [];
  const byCause: Record<string, number> = { msync: 0, syncer: 0, pageout: 0 };
  for (const w of wb) byCause[w.cause] = (byCause[w.cause] ?? 0) + w.bytes;
  const bytes = wb.reduce((a, w) => a + w.bytes, 0);
  const tl = r.timeline ?? [[0, 0, 0, 0]];
  const errors: Record<string, number> = {};
  for (const s of r.syncs) if ((s.result ?? 'OK') !== 'OK') errors[s.result!] = (errors[s.result!] ?? 0) + 1;
  const summary = {
    syncsim_version: 'test',
    trace: { path: 'hand-made.csv', rows: r.syncs.length },
    config,
    sim_time_us: (tl.length - 1) * 1000,
    ops: { map: 1, unmap: 0, write: 1, read: 0, msync: r.syncs.length, wire: 0, unwire: 0 },
    faults: { unmapped_write: 0, unmapped_read: 0 },
    sync: {
      count: r.syncs.length, ok: ok.length, errors,
      latency_us: lats.length
        ? { mean: lats.reduce((a, b) => a + b, 0) / lats.length, p50: pct(lats, 0.5), p90: pct(lats, 0.9), p99: pct(lats, 0.99), p999: pct(lats, 0.999), max: lats[lats.length - 1] }
        : { mean: null, p50: null, p90: null, p99: null, p999: null, max: null },
    },
    writeback: { ios: wb.length, pages: bytes / 4096, bytes, by_cause: byCause, amplification: r.dirtied ? bytes / r.dirtied : null, dirtied_bytes: r.dirtied ?? 0 },
    wire: { count: 0, errors: {}, peak_wired_pages: 0 },
    device: { utilization: 0.5, mean_queue_depth: 1, max_queue_depth: 2 },
    memory: { evictions: 0, pageins: 0, peak_resident_pages: 0 },
    throttle: { count: 0, total_us: 0, max_us: 0 },
  } as unknown as Summary;
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, 'syncs.csv'), 'task,t_issue_us,t_done_us,latency_us,addr,len,flags,pages_written,bytes_written,result\n'
    + r.syncs.map((s) => `a,${s.t},${s.t + s.lat},${s.lat},0x1000,4096,SYNC,${s.pages},${s.pages * 4096},${s.result ?? 'OK'}\n`).join(''));
  writeFileSync(join(dir, 'writeback.csv'), 't_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause\n'
    + wb.map((w, i) => `${i},${i},${i + 1},obj,0,${w.bytes / 4096},${w.bytes},${w.cause}\n`).join(''));
  writeFileSync(join(dir, 'timeline.csv'), 't_us,dirty_pages,writeback_pages,wired_pages,resident_pages,queue_depth\n'
    + tl.map((v, i) => `${i * 1000},${v[0]},${v[1]},${v[2]},0,${v[3]}\n`).join(''));
  return summary;
}


/**
 * The x axis's labels in a rendered SVG (the axis whose labels stand side by side on one line): each
 * label's text and horizontal extent, from the anchor vega gave it and its width at `fontSize`.
 */
export function xAxisLabels(svg: string, fontSize: number): { text: string; lo: number; hi: number }[] {
  for (const g of svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/g)) {
    const ts = [...g[1]!.matchAll(/<text text-anchor="(\w+)" transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>([^<]*)<\/text>/g)]
      .map((m) => ({ anchor: m[1]!, x: Number(m[2]), y: Number(m[3]), text: m[4]! }));
    if (ts.length > 1 && ts.every((t) => t.y === ts[0]!.y)) {
      return ts.map((t) => {
        const w = textWidth(t.text, fontSize);
        const lo = t.anchor === 'start' ? t.x : t.anchor === 'end' ? t.x - w : t.x - w / 2;
        return { text: t.text, lo, hi: lo + w };
      });
    }
  }
  throw new Error('no x axis labels in the SVG');
}

/** The charts `syncsim report` would draw of results directory `dir` (paper theme, at `width`, default a single column). */
export async function chartsOf(dir: string, width: number = THEMES.paper.widths.single): Promise<Chart[]> {
  return buildCharts(chartContext(await loadResults(dir), THEMES.paper, width));
}

/** The x and y scales of a single-view spec as vega sets them up (pixel functions of the data). */
export async function scalesOf(spec: VlSpec): Promise<{ x: (v: number) => number; y: (v: number) => number }> {
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
  await view.runAsync();
  const x = view.scale('x') as (v: number) => number, y = view.scale('y') as (v: number) => number;
  view.finalize();
  return { x, y };
}

/** The chart named `name` among `charts` (a test failure naming the charts there when none is). */
export function chartNamed(charts: Chart[], name: string): Chart {
  const c = charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c;
}

/** A grid point of a hand-written sweep: its grid values and, per metric, its [mean, ci95, n]. */
export interface AggPoint {
  values: (string | number)[];
  stats: Record<string, [number, number, number]>;
}

/** Writes a sweep directory of `keys` whose statistics are exactly `points` (aggregate.csv; results.csv lists the grid). */
export function aggSweep(keys: string[], metrics: string[], points: AggPoint[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-agg-')), 'sweep');
  mkdirSync(dir, { recursive: true });
  let results = `run_id,point,${keys.join(',')},seed,status,error\n`;
  let agg = `point,${keys.join(',')},metric,n,mean,sd,ci95,median\n`;
  points.forEach((p, i) => {
    results += `p${i + 1},${i + 1},${p.values.join(',')},1,ok,\n`;
    for (const m of metrics) {
      const [mean, ci, n] = p.stats[m];
      agg += `${i + 1},${p.values.join(',')},${m},${n},${mean},${ci / 2},${ci},${mean}\n`;
    }
  });
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'trial', keys, metrics, seeds: [1, 2, 3] }));
  return dir;
}

/** The kernels and msync intervals (µs) of {@link kernelsByInterval}'s grid, in grid order. */
export const TRIAL_KERNELS = ['freebsd', 'linux', 'xnu', 'mach'];
export const TRIAL_INTERVALS = [2000, 8000, 32000];

/**
 * A sweep of personality × trace.set.sync_interval_us, four kernels × three intervals (12 grid points, the first key
 * slowest: `mach, 32000` is the twelfth), one seed, each point a run of its own latencies and timeline; aggregate.csv
 * holds each run's p99.
 */
export function kernelsByInterval(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-k12-')), 'k12');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const keys = ['personality', 'trace.set.sync_interval_us'];
  let results = `run_id,point,${keys.join(',')},seed,status,sync.latency_us.p99,error\n`;
  let agg = `point,${keys.join(',')},metric,n,mean,sd,ci95,median\n`;
  let point = 0;
  for (const k of TRIAL_KERNELS) {
    for (const iv of TRIAL_INTERVALS) {
      point++;
      const lat = 100 * point + iv / 100;
      const s = writeRun(join(dir, 'runs', `r${point}`), { syncs: [{ t: 1, lat, pages: 1 }, { t: 2, lat: 3 * lat, pages: 2 }], timeline: [[0, 0, 0, 0], [point, 1, 0, 1], [0, 0, 0, 0]] });
      results += `r${point},${point},${k},${iv},1,ok,${s.sync.latency_us.p99},\n`;
      agg += `${point},${k},${iv},sync.latency_us.p99,1,${s.sync.latency_us.p99},,,${s.sync.latency_us.p99}\n`;
    }
  }
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'k12', keys, metrics: ['sync.latency_us.p99'], seeds: [1] }));
  return dir;
}

/**
 * A sweep of `keys` over the grid points `grid` (each its values, in grid order), one seed, each point a run of its
 * own latencies (p99 growing with the point's number) and timeline; aggregate.csv holds each run's p99.
 */
export function sweepWithRuns(keys: string[], grid: readonly (string | number)[][]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-grid-')), 'grid');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  let results = `run_id,point,${keys.join(',')},seed,status,sync.latency_us.p99,error\n`;
  let agg = `point,${keys.join(',')},metric,n,mean,sd,ci95,median\n`;
  grid.forEach((values, i) => {
    const point = i + 1, lat = 100 * point;
    const s = writeRun(join(dir, 'runs', `r${point}`), { syncs: [{ t: 1, lat, pages: 1 }, { t: 2, lat: 3 * lat, pages: 2 }], timeline: [[0, 0, 0, 0], [point, 1, 0, 1], [0, 0, 0, 0]] });
    results += `r${point},${point},${values.join(',')},1,ok,${s.sync.latency_us.p99},\n`;
    agg += `${point},${values.join(',')},sync.latency_us.p99,1,${s.sync.latency_us.p99},,,${s.sync.latency_us.p99}\n`;
  });
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'grid', keys, metrics: ['sync.latency_us.p99'], seeds: [1] }));
  return dir;
}

/**
 * The encoding of a timeline panel's (or strip's) line: since 2026-12-07 every panel is a layer of shading (`area`)
 * and a line at the mean of each stretch's samples (`S_mean`), where a panel of few swings was a line of its own.
 */
export function timelineLine<E = Record<string, { field?: string; legend?: unknown }>>(view: unknown): E {
  const layers = (view as { layer: { mark: { type: string }; encoding: E }[] }).layer;
  // the last line: the one at the mean (overlaid panels draw each configuration's peaks as a dotted line before it)
  return layers.filter((l) => l.mark.type === 'line').at(-1)!.encoding;
}
