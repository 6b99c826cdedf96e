/**
 * Reports: every chart spec is valid Vega-Lite, the data a chart draws is the
 * data of the result files, PNG/PDF files have the requested size, and
 * `syncsim report` behaves as a command (help, bad input, atomic output).
 *
 * Run and sweep directories are written here by hand with known values, so
 * every expectation comes from the input; one real `syncsim run` of the demo
 * trace checks the charts against files the simulator wrote.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { vegaLiteValidator } from './vega-schema.ts';
import { defaultConfig } from '../sim/config.ts';
import { TraceError } from '../traces/trace-error.ts';
import { loadResults } from '../reports/data.ts';
import { buildCharts, chartContext, makeReport } from '../reports/report.ts';
import { CONFIG_PALETTE, THEMES } from '../reports/theme.ts';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { syncsimHere } from './cli-here.ts';
import { timelineLine, writeRun, type SyncIn } from './report-fixtures.ts';
import { deviceText } from '../reports/data.ts';
import { resolveConfig } from '../sim/config.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const paper = THEMES.paper;

function syncsim(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = (args: string[]) => syncsimHere(args);

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-report-'));

/** The inline data of a spec's layers (or of the spec). */
function layerData(spec: VlSpec, layer?: number): Record<string, unknown>[] {
  const s = layer === undefined ? spec : (spec.layer as VlSpec[])[layer];
  return ((s.data as { values: Record<string, unknown>[] }) ?? (spec.data as { values: Record<string, unknown>[] })).values;
}

async function chartsOf(dir: string, width = paper.widths.single): Promise<Chart[]> {
  const results = await loadResults(dir);
  return buildCharts(chartContext(results, paper, width));
}

const byName = (charts: Chart[], name: string) => {
  const c = charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c.spec(200, 150);
};

let validateVl: ValidateFunction;
let demoRun: string;
let demoReport: string;

beforeAll(() => {
  validateVl = vegaLiteValidator();
  const base = tmp();
  demoRun = join(base, 'demo');
  demoReport = join(base, 'demo-report');
  // the queueing device: no CPU costs, so the demo's MS_ASYNC msyncs take 0 µs (the charts draw them at the axis floor)
  const r = syncsim(['run', DEMO, '--out', demoRun, '--set', 'device.profile=queue']);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

beforeAll(async () => {
  const rep = await cli(['report', demoRun, '--out', demoReport]);
  expect(rep.stderr).toBe('');
  expect(rep.code).toBe(0);
  expect(rep.stdout.trim().split('\n').pop()).toBe(join(demoReport, 'index.html'));
}, 60_000);

function expectValid(spec: unknown, name: string) {
  const ok = validateVl(spec);
  expect(ok, `${name}: ${JSON.stringify(validateVl.errors?.slice(0, 3))}`).toBe(true);
}

describe('charts of a run (the demo trace through syncsim run)', () => {
  it('writes every chart in every format, each spec valid Vega-Lite', () => {
    const manifest = JSON.parse(readFileSync(join(demoReport, 'report.json'), 'utf8'));
    const names = manifest.charts.map((c: { name: string }) => c.name);
    expect(names).toEqual(['latency-cdf', 'latency-percentiles', 'writeback-by-cause', 'timeline', 'latency-vs-pages']);
    const files = readdirSync(demoReport);
    for (const n of names) {
      for (const ext of ['vl.json', 'svg', 'png', 'pdf']) expect(files).toContain(`${n}.${ext}`);
      expectValid(JSON.parse(readFileSync(join(demoReport, `${n}.vl.json`), 'utf8')), n);
      expect(readFileSync(join(demoReport, `${n}.svg`), 'utf8')).toMatch(/^<svg[^>]* width="238"/);
    }
    expect(files).toContain('index.html');
    // the specs are rejected when wrong: the validator is not vacuous
    expect(validateVl({ mark: 'bogus', data: { values: [] } })).toBe(false);
  });

  it('the CDF ends at the largest latency of syncs.csv and its marks are summary.json percentiles', () => {
    const spec = JSON.parse(readFileSync(join(demoReport, 'latency-cdf.vl.json'), 'utf8'));
    const rows = readFileSync(join(demoRun, 'syncs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const ok = rows.filter((r) => r[9] === 'OK').map((r) => Number(r[3]));
    const curve = layerData(spec, 0);
    expect(curve[curve.length - 1]).toMatchObject({ latency_us: Math.max(...ok), fraction: 1 });
    // the msyncs that took 0 µs are drawn at the axis floor, then the curve starts at their share
    const zeroShare = ok.filter((v) => v === 0).length / ok.length;
    expect(zeroShare).toBeGreaterThan(0);
    const floor = (spec.layer[0].encoding.x.scale.domain as number[])[0];
    expect(curve[0]).toMatchObject({ latency_us: floor, fraction: zeroShare });
    expect(floor).toBeLessThan(Math.min(...ok.filter((v) => v > 0)));
    expect(curve[1]).toMatchObject({ latency_us: Math.min(...ok.filter((v) => v > 0)), fraction: zeroShare });
    const fractions = curve.map((p) => p.fraction as number);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    const s = JSON.parse(readFileSync(join(demoRun, 'summary.json'), 'utf8'));
    const marks = layerData(spec, 1);
    expect(marks.map((m) => [m.percentile, m.latency_us, m.fraction])).toEqual([
      ['p50', s.sync.latency_us.p50, 0.5], ['p99', s.sync.latency_us.p99, 0.99], ['p99.9', s.sync.latency_us.p999, 0.999],
    ]);
  });

  it('writeback bars are the bytes of writeback.csv per cause, labelled with the amplification', () => {
    const spec = JSON.parse(readFileSync(join(demoReport, 'writeback-by-cause.vl.json'), 'utf8'));
    const rows = readFileSync(join(demoRun, 'writeback.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const sums: Record<string, number> = { msync: 0, syncer: 0, pageout: 0 };
    for (const r of rows) sums[r[7]] = (sums[r[7]] ?? 0) + Number(r[6]);
    const parts = layerData(spec, 0);
    // a cause that wrote nothing has no bar and no legend entry: the figure's note names it
    const idle = Object.keys(sums).filter((c) => sums[c] === 0);
    expect(Object.fromEntries(parts.map((p) => [p.cause, p.bytes]))).toEqual(Object.fromEntries(Object.entries(sums).filter(([, b]) => b > 0)));
    for (const c of idle) expect(JSON.stringify(spec.title)).toContain(c);
    const unit = /\((\w+)\)/.exec(spec.layer[0].encoding.y.title)![1];
    const div = { bytes: 1, KiB: 1024, MiB: 2 ** 20, GiB: 2 ** 30 }[unit]!;
    for (const p of parts) expect(p.value).toBeCloseTo((p.bytes as number) / div, 9);
    const s = JSON.parse(readFileSync(join(demoRun, 'summary.json'), 'utf8'));
    expect(layerData(spec, 1)[0].label).toBe(`×${s.writeback.amplification.toFixed(2)}`);
    // the figure itself says what the ×N labels are (the caption is not in the PNG)
    expect(JSON.stringify(spec.title)).toContain('×N above a bar: write amplification, bytes written back ÷ bytes');
  });

  it('the timeline is every row of timeline.csv when it is short, each count\'s most over the row\'s interval (its *_max column)', () => {
    const spec = JSON.parse(readFileSync(join(demoReport, 'timeline.vl.json'), 'utf8'));
    const [head, ...lines] = readFileSync(join(demoRun, 'timeline.csv'), 'utf8').trim().split('\n');
    const names = head!.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, j) => [names[j]!, Number(v)])));
    const drawn = spec.data.values;
    expect(drawn.length).toBe(rows.length);
    drawn.forEach((d: Record<string, number>, i: number) => {
      const r = rows[i]!;
      expect([d.t_ms * 1000, d.dirty_pages, d.writeback_pages, d.wired_pages, d.queue_depth]).toEqual([r.t_us, r.dirty_pages_max, r.writeback_pages_max, r.wired_pages_max, r.queue_depth_max]);
    });
    // drawn (since 2026-12-07, when the lines were those *_max columns under the counts' names): each panel's line at
    // the mean of the samples of each stretch of rows, its shading from their least to the most of their *_max
    expect(spec.concat.map((p: VlSpec) => timelineLine<{ y: { field: string } }>(p).y.field)).toEqual(['dirty_pages_mean', 'writeback_pages_mean', 'wired_pages_mean', 'queue_depth_mean']);
    const bands = spec.datasets.bands as Record<string, number>[];
    bands.forEach((b, i) => {
      const of = rows.filter((r) => r.t_us >= b.t_ms * 1000 - 1e-6 && (i === bands.length - 1 || r.t_us < bands[i + 1]!.t_ms * 1000 - 1e-6));
      expect(of.length).toBeGreaterThan(0);
      for (const s of ['dirty_pages', 'writeback_pages', 'wired_pages', 'queue_depth']) {
        expect(b[`${s}_mean`]).toBeCloseTo(of.reduce((a, r) => a + r[s]!, 0) / of.length, 9);
        expect(b[`${s}_min`]).toBe(Math.min(...of.map((r) => r[s]!)));
        expect(b[`${s}_max`]).toBe(Math.max(...of.map((r) => r[`${s}_max`]!)));
      }
    });
  });

  it('the scatter has one point per successful msync with a positive latency, and 0 µs ones at the axis floor', () => {
    const spec = JSON.parse(readFileSync(join(demoReport, 'latency-vs-pages.vl.json'), 'utf8'));
    const rows = readFileSync(join(demoRun, 'syncs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const floor = (spec.encoding.y.scale.domain as number[])[0];
    const ok = rows.filter((r) => r[9] === 'OK');
    const zeroPages = [...new Set(ok.filter((r) => Number(r[3]) === 0).map((r) => r[7]))];
    expect(zeroPages.length).toBeGreaterThan(0);
    const expected = [...ok.filter((r) => Number(r[3]) > 0).map((r) => `${r[7]}|${r[3]}`), ...zeroPages.map((p) => `${p}|${floor}`)].sort();
    expect(spec.data.values.map((p: Record<string, number>) => `${p.pages}|${p.latency_us}`).sort()).toEqual(expected);
  });

  it('PNG and PDF have the requested size: 2x pixels and width in points', () => {
    const manifest = JSON.parse(readFileSync(join(demoReport, 'report.json'), 'utf8'));
    for (const c of manifest.charts) {
      const png = readFileSync(join(demoReport, `${c.name}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * 238, 2 * c.height]);
      const pdf = readFileSync(join(demoReport, `${c.name}.pdf`));
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(2000);
      expect(pdf.toString('latin1')).toContain(`/MediaBox [0 0 238 ${c.height}]`);
      // text stays text: the font is embedded
      expect(pdf.toString('latin1')).toMatch(/\/FontFile2/);
    }
  });
});

describe('chart data from hand-made runs', () => {
  it('the CDF steps are the exact distribution, zeros and errors and the warm-up left out', async () => {
    const dir = join(tmp(), 'r');
    writeRun(dir, {
      warmup: 5,
      syncs: [
        { t: 1, lat: 999, pages: 1 }, // before the warm-up
        { t: 10, lat: 0, pages: 0 },
        { t: 11, lat: 10, pages: 1 },
        { t: 12, lat: 10, pages: 1 },
        { t: 13, lat: 20, pages: 2 },
        { t: 14, lat: 40, pages: 4 },
        { t: 15, lat: 5000, pages: 9, result: 'EBUSY' },
      ],
    });
    const spec = byName(await chartsOf(dir), 'latency-cdf');
    // the 0 µs msync (1 of 5) at the axis floor, 0.1 decade below the smallest latency (10 µs; the span, 0.6 decade, is short)
    const floor = 10 / 10 ** 0.1;
    expect(layerData(spec, 0).map((p) => [p.latency_us, p.fraction])).toEqual([[floor, 0.2], [10, 0.2], [10, 0.6], [20, 0.8], [40, 1]]);
    expectValid(spec, 'latency-cdf');
    const scatter = byName(await chartsOf(dir), 'latency-vs-pages');
    // the 0 µs msync (0 pages) at the same floor
    expect(layerData(scatter).map((p) => [p.pages, p.latency_us])).toEqual([[1, 10], [1, 10], [2, 20], [4, 40], [0, floor]]);
  });

  it('many msyncs become density bins whose counts add up', async () => {
    const dir = join(tmp(), 'dense');
    const syncs: SyncIn[] = [];
    // 3000 msyncs: pages i % 3, latency 100 µs (bin 20 of 10 per decade) or 1000 µs
    for (let i = 0; i < 3000; i++) syncs.push({ t: i, lat: i % 2 ? 100 : 1000, pages: i % 3 });
    writeRun(dir, { syncs });
    const spec = byName(await chartsOf(dir), 'latency-vs-pages');
    const bins = layerData(spec);
    expect(bins.reduce((a, b) => a + (b.count as number), 0)).toBe(3000);
    expect(bins.length).toBe(6);
    for (const b of bins) {
      expect(b.count).toBe(500);
      expect(b.pages_lo).toBe(b.pages_hi);
      expect([100, 1000].some((v) => (b.latency_lo as number) <= v * 1.000001 && v < (b.latency_hi as number))).toBe(true);
    }
    expect((spec.encoding as Record<string, unknown>).size).toBeDefined();
    expectValid(spec, 'density');
  });

  it('long timelines keep the largest value of each bucket (peaks survive)', async () => {
    const dir = join(tmp(), 'long');
    const timeline: number[][] = [];
    for (let i = 0; i < 2001; i++) timeline.push([i === 1001 ? 777 : 1, i % 4 === 3 ? 5 : 0, 2, i === 1998 ? 9 : 0]);
    writeRun(dir, { syncs: [{ t: 1, lat: 10, pages: 1 }], timeline });
    const spec = byName(await chartsOf(dir), 'timeline');
    const drawn = layerData(spec);
    // 2001 samples, at most 500 points: buckets of ceil(2001 / 500) = 5 samples
    expect(drawn.length).toBe(Math.ceil(2001 / 5));
    expect(drawn.map((d) => d.t_ms)).toEqual(drawn.map((_, i) => i * 5));
    expect(Math.max(...drawn.map((d) => d.dirty_pages as number))).toBe(777);
    expect(drawn.find((d) => d.dirty_pages === 777)!.t_ms).toBe(1000);
    // every bucket of 5 samples but the last (sample 2000 alone) holds a 5
    expect(drawn.slice(0, -1).every((d) => d.writeback_pages === 5)).toBe(true);
    expect(drawn[drawn.length - 1].writeback_pages).toBe(0);
    expect(drawn.filter((d) => d.queue_depth === 9).map((d) => d.t_ms)).toEqual([1995]);
  });

  it('a run without a successful msync still gets its timeline and writeback', async () => {
    const dir = join(tmp(), 'quiet');
    writeRun(dir, { syncs: [{ t: 1, lat: 50, pages: 1, result: 'EINVAL' }], writeback: [{ cause: 'pageout', bytes: 4096 }], dirtied: 4096, timeline: [[0, 0, 0, 0], [3, 1, 0, 1]] });
    const charts = await chartsOf(dir);
    expect(charts.map((c) => c.name)).toEqual(['writeback-by-cause', 'timeline']);
    for (const c of charts) expectValid(c.spec(200, 150), c.name);
  });

  it('a directory of runs compares them, each configuration with its own colour everywhere', async () => {
    const base = tmp();
    writeRun(join(base, 'fast'), { syncs: [{ t: 1, lat: 10, pages: 1 }, { t: 2, lat: 20, pages: 2 }], writeback: [{ cause: 'msync', bytes: 8192 }], dirtied: 8192, timeline: [[0, 0, 0, 0], [1, 0, 0, 0]] });
    writeRun(join(base, 'slow'), { syncs: [{ t: 1, lat: 100, pages: 1 }, { t: 2, lat: 300, pages: 3 }], writeback: [{ cause: 'syncer', bytes: 4096 }, { cause: 'msync', bytes: 4096 }], dirtied: 4096, timeline: [[0, 0, 0, 0], [2, 0, 0, 0]] });
    const charts = await chartsOf(base);
    const colorScales = new Set<string>();
    for (const c of charts.filter((x) => x.family !== 'writeback-by-cause')) {
      const spec = c.spec(200, 150);
      expectValid(spec, c.name);
      const json = JSON.stringify(spec);
      const m = /"field":"config","type":"nominal","title":"configuration","scale":(\{"domain":\[[^\]]*\],"range":\[[^\]]*\]\})/.exec(json);
      expect(m, c.name).not.toBeNull();
      colorScales.add(m![1]);
    }
    expect([...colorScales]).toEqual([JSON.stringify({ domain: ['fast', 'slow'], range: CONFIG_PALETTE.slice(0, 2) })]);
    const wb = byName(charts, 'writeback-by-cause');
    expect(layerData(wb, 0).filter((p) => (p.bytes as number) > 0).map((p) => [p.config, p.cause, p.bytes])).toEqual([
      ['fast', 'msync', 8192], ['slow', 'msync', 4096], ['slow', 'syncer', 4096],
    ]);
    expect(layerData(wb, 1).map((t) => t.label)).toEqual(['×1.00', '×2.00']);
    const pct = byName(charts, 'latency-percentiles');
    expect(layerData(pct).filter((b) => b.percentile === 'p50').map((b) => [b.config, b.latency_us])).toEqual([['fast', 15], ['slow', 200]]);
  });
});

describe('charts of a sweep', () => {
  // grid: device.channels [1, 2, 4] x writeback.policy [none, syncer], seeds 1..3
  const channels = [1, 2, 4];
  const policies = ['none', 'syncer'];
  const seeds = [1, 2, 3];
  const lat = (c: number, p: number, seed: number) => (1000 / c) * (1 + p) + seed * 10;
  let dir: string;
  const points: { point: number; c: number; p: number; p99s: number[] }[] = [];
  const ci95 = (point: number) => 7 + point; // deliberately not what the runs would give: the chart must take aggregate.csv's

  beforeAll(() => {
    dir = join(tmp(), 'sweep');
    mkdirSync(join(dir, 'runs'), { recursive: true });
    let results = 'run_id,point,device.channels,writeback.policy,seed,status,sync.latency_us.p99,writeback.bytes,error\n';
    let aggregate = 'point,device.channels,writeback.policy,metric,n,mean,sd,ci95,median\n';
    let point = 0;
    for (const c of channels) {
      for (let p = 0; p < policies.length; p++) {
        point++;
        const p99s: number[] = [];
        points.push({ point, c, p, p99s });
        for (const seed of seeds) {
          const id = `r${point}s${seed}`;
          const L = lat(c, p, seed);
          const s = writeRun(join(dir, 'runs', id), {
            seed,
            syncs: [{ t: 1, lat: L / 2, pages: 1 }, { t: 2, lat: L, pages: 2 }],
            writeback: [{ cause: 'msync', bytes: 4096 * c }],
            dirtied: 4096,
            config: { device: { ...defaultConfig().device, channels: c }, writeback: { ...defaultConfig().writeback, policy: policies[p] } },
          });
          p99s.push(s.sync.latency_us.p99!);
          results += `${id},${point},${c},${policies[p]},${seed},ok,${s.sync.latency_us.p99},${s.writeback.bytes},\n`;
        }
        const mean = p99s.reduce((a, b) => a + b, 0) / p99s.length;
        aggregate += `${point},${c},${policies[p]},sync.latency_us.p99,3,${mean},1,${ci95(point)},${p99s[1]}\n`;
        aggregate += `${point},${c},${policies[p]},writeback.bytes,3,${4096 * c},0,0,${4096 * c}\n`;
      }
    }
    writeFileSync(join(dir, 'results.csv'), results);
    writeFileSync(join(dir, 'aggregate.csv'), aggregate);
    writeFileSync(join(dir, 'experiment.json'), JSON.stringify({
      syncsim_sweep: 1, name: 'channels-vs-policy', keys: ['device.channels', 'writeback.policy'],
      metrics: ['sync.latency_us.p99', 'writeback.bytes'], seeds, trace: { gen: 'test' },
    }));
  });

  it('reads the grid: one configuration per point, runs by seed', async () => {
    const r = await loadResults(dir);
    expect(r.kind).toBe('sweep');
    expect(r.configurations.map((c) => c.label)).toEqual(points.map(({ c, p }) => `${c}, ${policies[p]}`));
    // legend titles from the labels table, not the raw keys
    expect(r.configTitle).toBe('device channels, background writeback');
    expect(r.configurations.every((c) => c.runs.map((x) => x.seed).join() === '1,2,3')).toBe(true);
    expect(r.sweep!.numericKeys).toEqual(['device.channels']);
  });

  it('line charts: each metric vs the numeric key, one line per policy, CI from aggregate.csv', async () => {
    const charts = await chartsOf(dir);
    const names = charts.map((c) => c.name);
    expect(names).toContain('sweep-p99-vs-channels');
    expect(names).toContain('sweep-bytes-vs-channels');
    const spec = byName(charts, 'sweep-p99-vs-channels');
    expectValid(spec, 'sweep line');
    const rows = layerData(spec);
    expect(rows.length).toBe(points.length);
    for (const { point, c, p, p99s } of points) {
      const mean = p99s.reduce((a, b) => a + b, 0) / p99s.length;
      const row = rows.find((r) => r.x === c && r.series === policies[p])!;
      expect(row.mean).toBeCloseTo(mean, 9);
      expect(row.lo).toBeCloseTo(mean - ci95(point), 9);
      expect(row.hi).toBeCloseTo(mean + ci95(point), 9);
    }
  });

  it('percentile dots: aggregate.csv CI for p99, Student-t CI from the runs for p50', async () => {
    const spec = byName(await chartsOf(dir), 'latency-percentiles');
    expectValid(spec, 'percentiles');
    const bars = layerData(spec);
    // 2, syncer has 1, none's latencies (1000 / 2 × 2 = 1000 / 1), and 4, syncer 2, none's, their p99 CIs 3 µs wider
    // (ci95 = 7 + point): on the log axis of 100 to 5,000 µs, at most 143 pt tall (a single column's plot), their ends
    // are 143 × ln(1025.9 / 1022.9) / ln(50) = 0.11 pt and 143 × ln(530.4 / 527.4) / ln(50) = 0.21 pt from the
    // others', under 0.25 pt, too close to see (inside the dots): each pair is drawn as one series (series.ts drawnAlike)
    expect([...new Set(bars.map((b) => b.config))]).toEqual(['1, none = 2, syncer', '1, syncer', '2, none = 4, syncer', '4, none']);
    for (const { point, c, p, p99s } of points) {
      const label = `${c}, ${policies[p]}`;
      if (!bars.some((b) => b.config === label)) continue;
      const p99 = bars.find((b) => b.config === label && b.percentile === 'p99')!;
      const mean99 = p99s.reduce((a, b) => a + b, 0) / 3;
      expect(p99.latency_us).toBeCloseTo(mean99, 9);
      expect(p99.hi).toBeCloseTo(mean99 + ci95(point), 9);
      // p50 of each run: the mean of its two latencies L/2 and L; over seeds sd = 7.5 exactly (L grows by 10 per seed)
      const p50s = seeds.map((s) => 0.75 * lat(c, p, s));
      const mean50 = p50s.reduce((a, b) => a + b, 0) / 3;
      const b50 = bars.find((b) => b.config === label && b.percentile === 'p50')!;
      expect(b50.latency_us).toBeCloseTo(mean50, 9);
      // t(0.975, 2) = 4.302653 (tables)
      expect(b50.hi).toBeCloseTo(mean50 + (4.302653 * 7.5) / Math.sqrt(3), 4);
    }
  });

  it('renders every sweep chart at the requested width, with valid specs', async () => {
    const out = join(tmp(), 'sweep-report');
    const o = await makeReport({ dir, out, formats: ['png', 'pdf'], theme: paper, width: 504 });
    expect(o.charts.map((c) => c.family)).toEqual([
      'latency-cdf', 'latency-percentiles', 'writeback-by-cause', 'latency-vs-pages', 'sweep-line', 'sweep-line',
    ]);
    // the runs' timeline.csv is one sample of zeros: no timeline of four flat panels
    expect(o.notes.find((n) => n.startsWith('timeline:'))).toMatch(/^timeline: dirty pages, pages under writeback, wired pages, device queue depth \(I\/Os\) were 0 at every sample \(every \d+ µs\); not drawn\.$/);
    for (const c of o.charts) {
      expect(c.width).toBe(504);
      expect(c.warnings, c.name).toEqual([]);
      expectValid(JSON.parse(readFileSync(join(out, `${c.name}.vl.json`), 'utf8')), c.name);
      const png = readFileSync(join(out, `${c.name}.png`));
      expect(png.readUInt32BE(16)).toBe(1008);
      expect(readFileSync(join(out, `${c.name}.pdf`)).toString('latin1')).toContain(`/MediaBox [0 0 504 ${c.height}]`);
    }
    // only the formats asked for
    expect(existsSync(join(out, 'index.html'))).toBe(false);
    expect(existsSync(join(out, 'latency-cdf.svg'))).toBe(false);
  });
});

describe('syncsim report', () => {
  it('--help describes the command and every chart', async () => {
    const r = await cli(['report', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['--out', '--format', '--width', '--theme', '--chart', 'latency-cdf', 'sweep-line']) expect(r.stdout).toContain(s);
  });

  it('--chart, --width and --theme choose what is drawn and how big', async () => {
    const out = join(tmp(), 'one');
    const r = await cli(['report', demoRun, '--out', out, '--chart', 'writeback-by-cause', '--width', '300', '--theme', 'screen', '--format', 'png,svg']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.syncsim', 'report.json', 'writeback-by-cause.png', 'writeback-by-cause.svg', 'writeback-by-cause.vl.json']);
    const png = readFileSync(join(out, 'writeback-by-cause.png'));
    expect(png.readUInt32BE(16)).toBe(600);
    expect(JSON.parse(readFileSync(join(out, 'writeback-by-cause.vl.json'), 'utf8')).config.axis.labelFontSize).toBe(THEMES.screen.fontSize.label);
  });

  it('bad usage and bad directories exit 2 with one line, nothing written', async () => {
    const base = tmp();
    const cases: [string[], RegExp][] = [
      [[], /expects one DIR/],
      [[join(base, 'nope')], /results directory not found/],
      [[join(demoRun, 'summary.json')], /summary\.json: is not a directory \(report reads the results directory/],
      [[base], /not a syncsim results directory/],
      [[demoRun, '--width', 'wide'], /--width expects single, double/],
      [[demoRun, '--width', '20'], /--width expects/],
      [[demoRun, '--theme', 'dark'], /--theme expects paper or screen/],
      [[demoRun, '--format', 'png,gif'], /--format expects .* \(got 'gif'\)/],
      [[demoRun, '--chart', 'pie'], /unknown chart 'pie' \([^;]*\)\n$/],
      // a misspelt one ends with the closest name, as a misspelt option does
      [[demoRun, '--chart', 'timelin'], /unknown chart 'timelin' \(one of .*, or a sweep chart name sweep-METRIC-vs-KEY\); did you mean timeline\?\n$/],
      [[demoRun, '--chart', 'sweep-line'], /does not apply/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['report', ...args, '--out', join(base, 'out')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBe(1);
    }
    expect(existsSync(join(base, 'out'))).toBe(false);
    // the report never replaces the results it is drawn from
    const r = await cli(['report', demoRun, '--out', join(demoRun, '..')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would replace the results directory/);
    expect(existsSync(join(demoRun, 'summary.json'))).toBe(true);
  });

  it('a malformed result file names file, line and column; an existing report is left as it was', async () => {
    const dir = join(tmp(), 'bad');
    writeRun(dir, { syncs: [{ t: 1, lat: 10, pages: 1 }, { t: 2, lat: 20, pages: 2 }] });
    const out = join(dir, 'report');
    await makeReport({ dir, formats: ['svg'], theme: paper, width: 238 });
    const before = readFileSync(join(out, 'latency-cdf.svg'), 'utf8');
    const lines = readFileSync(join(dir, 'syncs.csv'), 'utf8').split('\n');
    lines[2] = lines[2].replace(',20,', ',fast,');
    writeFileSync(join(dir, 'syncs.csv'), lines.join('\n'));
    const err = await makeReport({ dir, formats: ['svg'], theme: paper, width: 238 }).catch((e) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect(err.message).toBe(`${join(dir, 'syncs.csv')}:3: column latency_us: expected a number (got 'fast')`);
    expect(readFileSync(join(out, 'latency-cdf.svg'), 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    const r = await cli(['report', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: ${join(dir, 'syncs.csv')}:3: column latency_us: expected a number (got 'fast')\n`);
  });

  it('the same results give byte-identical files', async () => {
    const a = join(tmp(), 'a'), b = join(tmp(), 'b');
    const opts = { dir: demoRun, formats: ['svg', 'png', 'pdf'] as const, theme: paper, width: 238, charts: ['latency-cdf', 'writeback-by-cause'] };
    await makeReport({ ...opts, formats: [...opts.formats], out: a });
    await makeReport({ ...opts, formats: [...opts.formats], out: b });
    for (const f of readdirSync(a)) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
  });
});

describe('names with control characters', () => {
  it('a run directory whose name holds ESC is reported: the charts write it as an escape (XML allows no control character)', async () => {
    const base = tmp();
    const odd = join(base, 'r\x1bx');
    cpSync(demoRun, odd, { recursive: true });
    const r = await cli(['report', odd, '--out', join(base, 'rep'), '--format', 'svg,png']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b/);
    const svgs = readdirSync(join(base, 'rep')).filter((n) => n.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThan(0);
    for (const f of svgs) expect(readFileSync(join(base, 'rep', f), 'utf8')).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  }, 60_000);
});

describe('the device in index.html\'s key settings', () => {
  it('is described by the keys its profile uses: a queue by its service, a disk by its mechanics, an SSD by latencies and bandwidths', () => {
    const dev = (profile: string, more: Record<string, unknown> = {}) => resolveConfig({ device: { profile, ...more } }).device;
    expect(deviceText(dev('queue', { channels: 2, service: { dist: 'exponential', mean_us: 50 } }))).toBe('queue: 2 channel(s), fifo, service exponential mean 50 µs');
    expect(deviceText(dev('hdd'))).toBe('hdd: 7200 rpm, seek 1/8.5/20 ms (track/average/full), media 150 MB/s, write cache on (32 MB, FLUSH 100 µs, destage continuous)');
    expect(deviceText(dev('nvme'))).toBe('nvme: 85 channel(s), read constant mean 85 µs, write constant mean 20 µs, 7000/4300 MB/s read/write, write cache off');
    // the inert queue keys of another profile never show
    expect(deviceText(dev('nvme'))).not.toMatch(/service|fifo/);
  });
});

describe("what '=' joins, said per chart", () => {
  it('names what is identical in each chart: writeback bars joined need not have identical latencies', async () => {
    const { readdirSync: ls, readFileSync: read } = await import('node:fs');
    const files = ls(join(import.meta.dirname, '..', 'reports', 'charts')).filter((f: string) => f.endsWith('.ts'));
    // written out, or given to mergedNote (series.ts), which says "'=' joins configurations with identical WHAT" or names the members
    const notes = files.flatMap((f: string) => {
      const src = read(join(import.meta.dirname, '..', 'reports', 'charts', f), 'utf8');
      return [...[...src.matchAll(/"'=' joins ([^"]+)"/g)].map((m) => m[1]!), ...[...src.matchAll(/mergedNote\(merged, '([^']+)'/g)].map((m) => `configurations with identical ${m[1]!}`)];
    });
    expect(notes.length).toBeGreaterThanOrEqual(6);
    expect(notes.filter((n: string) => n.endsWith('identical results'))).toEqual([]);
    expect(notes).toContain('configurations with identical writeback (not necessarily identical latencies)');
  });
});
