/**
 * Charts as a paper reviewer sees them (a new user's defect list): axes that
 * fit the data with nothing cut by the frame, axis titles that name the
 * metric and its unit, no chart or panel with nothing to show, legends that
 * fit the figure, one colour per configuration in every chart.
 *
 * Positions are those vega computes for the final spec (its scales run on the
 * spec's data), compared with the values of hand-made result files.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeReport } from '../reports/report.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { metricTitle } from '../reports/labels.ts';
import { fitLegendLabels, legendColumns, type Chart, type ChartContext, type VlSpec } from '../reports/chart.ts';
import { textWidth } from '../reports/fonts.ts';
import { chartsOf, scalesOf, timelineLine, writeRun, type SyncIn } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-fit-'));

const find = (charts: Chart[], name: string) => {
  const c = charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c;
};

/** Radius (px) of a point mark of area `size`. */
const radius = (size: number) => Math.sqrt(size / Math.PI);

/** Expects every value's pixel to lie `r` px or more inside [0, extent]. */
function expectInside(px: number[], extent: number, r: number, what: string) {
  for (const p of px) {
    expect(p, `${what}: ${p} px`).toBeGreaterThanOrEqual(r);
    expect(p, `${what}: ${p} px`).toBeLessThanOrEqual(extent - r);
  }
}

/** msyncs of 500..1000 µs that wrote 60..100 pages (the user's run). */
function slowBigSyncs(): SyncIn[] {
  const syncs: SyncIn[] = [];
  for (let i = 0; i <= 20; i++) syncs.push({ t: i, lat: 500 + 25 * i, pages: 60 + 2 * i });
  return syncs;
}

describe('axes fit the data (defect 1)', () => {
  it('latency-vs-pages: points of 500–1000 µs and 60–100 pages fill the plot and none is cut by the frame', async () => {
    const dir = join(tmp(), 'r');
    writeRun(dir, { syncs: slowBigSyncs() });
    const [w, h] = [200, 150];
    const spec = find(await chartsOf(dir), 'latency-vs-pages').spec(w, h);
    const { x, y } = await scalesOf(spec);
    const r = radius(paper.pointSize);
    const syncs = slowBigSyncs();
    const xs = syncs.map((s) => x(s.pages)), ys = syncs.map((s) => y(s.lat));
    expectInside(xs, w, r, 'pages');
    expectInside(ys, h, r, 'latency');
    // the points spread over most of the plot, not a corner of it
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(w * 0.8);
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(h * 0.8);
  });

  it('latency-cdf: the curve spans the x axis and the p50/p99/p99.9 markers at the top are whole', async () => {
    const dir = join(tmp(), 'r');
    writeRun(dir, { syncs: slowBigSyncs() });
    const [w, h] = [200, 150];
    const spec = find(await chartsOf(dir), 'latency-cdf').spec(w, h);
    const { x, y } = await scalesOf(spec);
    const marks = ((spec.layer as VlSpec[])[1].data as { values: { latency_us: number; fraction: number; percentile: string }[] }).values;
    // this run's p99 and p99.9 lie within a marker's width of each other: one marker names both
    expect(marks.map((m) => [m.percentile, m.fraction])).toEqual([['p50', 0.5], ['p99 ≈ p99.9', 0.999]]);
    const r = radius(paper.pointSize * 1.5);
    expectInside(marks.map((m) => y(m.fraction)), h, r, 'marker fraction');
    expectInside(marks.map((m) => x(m.latency_us)), w, r, 'marker latency');
    expectInside([y(0), y(1)], h, r, 'fraction 0 and 1');
    const lats = slowBigSyncs().map((s) => s.lat);
    expect(x(Math.max(...lats)) - x(Math.min(...lats))).toBeGreaterThan(w * 0.8);
  });
  it('latency-percentiles: the y axis runs from the 1-2-5 step at or below the lowest dot to the one at or above the highest (a label at each end), the dots whole', async () => {
    const dir = join(tmp(), 'r');
    writeRun(dir, { syncs: slowBigSyncs() });
    const [w, h] = [200, 150];
    const spec = find(await chartsOf(dir), 'latency-percentiles').spec(w, h);
    // the y scale of the dots: the domain, and the padding that keeps a dot at either end whole
    const ys: { domain: number[]; padding: number }[] = [];
    JSON.stringify(spec, (k, v) => {
      if (k === 'y' && v?.field === 'latency_us') ys.push(v.scale);
      return v;
    });
    // p50 750 µs, p99 995 µs, p99.9 999.5 µs: the p99.9 dot sits at the top of the domain, whole only with the padding
    expect(ys[0]!.domain).toEqual([500, 1000]);
    expect(ys[0]!.padding).toBeGreaterThanOrEqual(radius(paper.pointSize * 2));
  });
});

/**
 * A sweep written by hand: grid personality [freebsd, linux] × pager.cluster_pages
 * [8, 32], seeds 1 and 2, aggregate.csv means `metrics[m](kernel, cluster)`;
 * a freebsd run's msyncs take 100 and 200 µs, a linux run's 50 and 60 µs.
 */
function writeSweep(metrics: Record<string, (kernel: string, cluster: number) => number>): string {
  const dir = join(tmp(), 'sweep');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const names = Object.keys(metrics);
  let results = `run_id,point,personality,pager.cluster_pages,seed,status,${names.join(',')},error\n`;
  let aggregate = 'point,personality,pager.cluster_pages,metric,n,mean,sd,ci95,median\n';
  let point = 0;
  for (const k of ['freebsd', 'linux']) {
    for (const c of [8, 32]) {
      point++;
      for (const seed of [1, 2]) {
        const id = `p${point}s${seed}`;
        const lat = k === 'freebsd' ? 100 : 50;
        writeRun(join(dir, 'runs', id), { seed, syncs: [{ t: 1, lat, pages: 1 }, { t: 2, lat: lat * (k === 'freebsd' ? 2 : 1.2), pages: 2 }], writeback: [{ cause: 'msync', bytes: 4096 * c }], dirtied: 4096, timeline: [[0, 0, 0, 0], [2, 1, 0, 1]] });
        results += `${id},${point},${k},${c},${seed},ok,${names.map((m) => metrics[m](k, c)).join(',')},\n`;
      }
      for (const m of names) aggregate += `${point},${k},${c},${m},2,${metrics[m](k, c)},0,0,${metrics[m](k, c)}\n`;
    }
  }
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), aggregate);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({
    syncsim_sweep: 1, name: 'exp2', keys: ['personality', 'pager.cluster_pages'], metrics: names, seeds: [1, 2], trace: { gen: 'wal-append' },
  }));
  return dir;
}

/** The y axis title of a sweep line chart. */
const yTitle = (spec: VlSpec) => ((spec.layer as VlSpec[]).at(-1)!.encoding as { y: { title: string } }).y.title;

describe('axis titles name the metric and its unit (defect 2)', () => {
  it('a sweep of txn.latency_us.p50 has the y title "transaction latency p50 (µs)", not "p50"', async () => {
    const dir = writeSweep({ 'txn.latency_us.p50': (k, c) => (k === 'linux' ? 900 : 1000) + c, 'durability.lag_us.p99': (k, c) => 2000 + c });
    const charts = await chartsOf(dir);
    expect(yTitle(find(charts, 'sweep-p50-vs-cluster-pages').spec(200, 150))).toBe('transaction latency p50 (µs)');
    // lags of 2,008 µs and more: in ms, the unit their smallest holds once or more (report-duration-unit.test.ts)
    expect(yTitle(find(charts, 'sweep-p99-vs-cluster-pages').spec(200, 150))).toBe('durability lag p99 (ms)');
    expect(metricTitle('ops.map')).toBe('map operations');
  });
});

describe('no chart of a metric that is 0 in every run (defect 3)', () => {
  it('writeback.by_cause.syncer all 0: no sweep chart of it, a note says why; the other metric is drawn', async () => {
    const dir = writeSweep({ 'writeback.by_cause.syncer': () => 0, 'sync.latency_us.p99': (k, c) => c + (k === 'linux' ? 1 : 2) });
    const out = await makeReport({ dir, out: join(tmp(), 'rep'), formats: [], theme: paper, width: paper.widths.single, charts: ['sweep-line'] });
    expect(out.charts.map((c) => c.name)).toEqual(['sweep-p99-vs-cluster-pages']);
    expect(out.notes).toContain('sweep-syncer-vs-cluster-pages: writeback.by_cause.syncer is 0 in every run; not drawn.');
  });
});

describe('a metric with the same value in every run (defect 3)', () => {
  it('gets a y axis around the value, not a lone tick', async () => {
    const dir = writeSweep({ 'wire.count': () => 5 });
    const spec = find(await chartsOf(dir), 'sweep-count-vs-cluster-pages').spec(200, 150);
    const { y } = await scalesOf(spec);
    // 5 sits mid-plot, 0 below it and 10 above it off the plot
    expect(y(5)).toBeCloseTo(75, 5);
    expect(y(10)).toBeLessThan(0);
    expect(y(0)).toBeGreaterThan(150);
  });
});

/** A run whose filesystem wrote journal and metadata blocks too (summary.json's by_cause has them). */
function writeFsRun(dir: string, lat: number) {
  writeRun(dir, { syncs: [{ t: 1, lat, pages: 1 }], writeback: [{ cause: 'msync', bytes: 40960 }, { cause: 'syncer', bytes: 8192 }, { cause: 'pageout', bytes: 4096 }], dirtied: 40960 });
  const path = join(dir, 'summary.json');
  const s = JSON.parse(readFileSync(path, 'utf8'));
  Object.assign(s.writeback.by_cause, { journal: 12288, metadata: 8192 });
  writeFileSync(path, JSON.stringify(s, null, 2) + '\n');
}

describe('legends fit the figure (defect 4)', () => {
  it('writeback-by-cause with all five causes for two kernels is laid out at 238 px with no "does not fit"', async () => {
    const base = tmp();
    writeFsRun(join(base, 'freebsd'), 100);
    writeFsRun(join(base, 'linux'), 50);
    const chart = find(await chartsOf(base), 'writeback-by-cause');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect(laid.warnings).toEqual([]);
    expect([laid.width, laid.height]).toEqual([paper.widths.single, Math.round(chart.height(paper.widths.single))]);
    const legend = ((laid.spec.layer as VlSpec[])[0].encoding as { color: { scale: { domain: string[] } } }).color.scale.domain;
    expect(legend).toEqual(['msync', 'syncer', 'pageout', 'journal', 'metadata']);
  });
});

describe('no empty panel or chart (defect 5)', () => {
  it('the timeline of a run with no msync and nothing wired has only its non-zero panels, and a note names the others', async () => {
    const dir = join(tmp(), 'r');
    // an imported block trace: writes but no msync, nothing dirty in the page cache, nothing wired
    writeRun(dir, { syncs: [], writeback: [{ cause: 'pageout', bytes: 4096 }], dirtied: 4096, timeline: [[0, 0, 0, 0], [0, 0, 0, 3], [0, 0, 0, 1]] });
    const out = await makeReport({ dir, out: join(tmp(), 'rep'), formats: ['svg'], theme: paper, width: paper.widths.single });
    expect(out.charts.map((c) => c.name)).toEqual(['writeback-by-cause', 'timeline']);
    const spec = JSON.parse(readFileSync(join(out.out, 'timeline.vl.json'), 'utf8')) as VlSpec;
    // the line of each panel at the mean of the samples (since 2026-12-07; over shading up to the peak)
    const line = (p: VlSpec) => timelineLine<{ y: { field: string; axis: Record<string, unknown> } }>(p);
    expect((spec.concat as VlSpec[]).map((p) => line(p).y.field)).toEqual(['queue_depth_mean']);
    // counts comma-grouped in full (1,500), as on the other charts' axes, not with SI prefixes (1.5k)
    expect(line((spec.concat as VlSpec[])[0])).toMatchObject({ y: { axis: { labelExpr: "format(datum.value, ',')" } } });
    expect(line((spec.concat as VlSpec[])[0]).y.axis.format).toBeUndefined();
    expect(out.notes.find((n) => n.startsWith('timeline:'))).toMatch(/^timeline: dirty pages, pages under writeback, wired pages were 0 at every sample \(every \d+ µs\); panels left out\.$/);
    expect(out.charts[1].warnings).toEqual([]);
  });
});

describe('no empty chart, no legend entry for marks not drawn (defect 5)', () => {
  it('a run that wrote nothing back and whose msyncs all took 0 µs: no writeback, CDF or scatter chart; notes say why', async () => {
    const dir = join(tmp(), 'r');
    writeRun(dir, { syncs: [{ t: 1, lat: 0, pages: 0 }, { t: 2, lat: 0, pages: 0 }], timeline: [[0, 0, 0, 0], [2, 0, 0, 1]] });
    const out = await makeReport({ dir, out: join(tmp(), 'rep'), formats: [], theme: paper, width: paper.widths.single });
    expect(out.charts.map((c) => c.name)).toEqual(['latency-percentiles', 'timeline']);
    expect(out.notes).toEqual(expect.arrayContaining([
      'latency-cdf: every msync took 0 µs; not drawn.',
      'writeback-by-cause: nothing was written back; not drawn.',
      'latency-vs-pages: every msync took 0 µs; not drawn.',
    ]));
  });

  it('the CDF legend lists only the percentile markers drawn', async () => {
    const base = tmp();
    // one run's msyncs: 0 µs except one of 40 µs in 200, so p50 and p99 are 0 µs (not drawn) and p99.9 is positive
    const syncs: SyncIn[] = [];
    for (let i = 0; i < 200; i++) syncs.push({ t: i, lat: i === 199 ? 40 : 0, pages: 1 });
    writeRun(join(base, 'r'), { syncs });
    const spec = find(await chartsOf(join(base, 'r')), 'latency-cdf').spec(200, 150);
    const layer = (spec.layer as VlSpec[])[1];
    const marks = (layer.data as { values: { percentile: string }[] }).values.map((m) => m.percentile);
    const legend = (layer.encoding as { shape: { scale: { domain: string[] } } }).shape.scale.domain;
    expect(marks).toEqual(['p99.9']);
    expect(legend).toEqual(marks);
  });
});

/** Every label → colour of the colour scales (`{"domain": [...], "range": [...]}`) in a spec. */
function colorsIn(spec: VlSpec): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.domain) && Array.isArray(o.range) && o.range.every((c) => typeof c === 'string' && c.startsWith('#'))) {
        (o.domain as string[]).forEach((d, i) => found.set(d, (o.range as string[])[i]));
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(spec);
  return found;
}

describe('one colour per configuration in every chart of a report (defect 6)', () => {
  it('a sweep over personality × cluster: linux has the same colour in latency-cdf and in the sweep lines', async () => {
    const dir = writeSweep({ 'sync.latency_us.p99': (k, c) => c + (k === 'linux' ? 1 : 2) });
    const charts = await chartsOf(dir);
    const cdf = colorsIn(find(charts, 'latency-cdf').spec(200, 150));
    const line = colorsIn(find(charts, 'sweep-p99-vs-cluster-pages').spec(200, 150));
    // the CDF joins the two linux configurations (identical runs) into one curve
    expect([...cdf.keys()]).toEqual(['freebsd, 8 = freebsd, 32', 'linux, 8 = linux, 32']);
    expect([...line.keys()]).toEqual(['freebsd', 'linux']);
    expect(line.get('linux')).toBe(cdf.get('linux, 8 = linux, 32'));
    expect(line.get('freebsd')).toBe(cdf.get('freebsd, 8 = freebsd, 32'));
    expect(line.get('linux')).not.toBe(line.get('freebsd'));
  });
});

describe('layout tolerates vega rounding (defect 7)', () => {
  // a plot whose drawn height jumps from 46 to 49 px (50 to 53 with its 2 px padding) as the cell passes 21 px, as a panel's
  // tick labels do: no cell size gives the 52 px asked, one gives 2 px less
  const jumpy: Chart = {
    name: 'jumpy', family: 'jumpy', title: 'jumpy', caption: '', cells: { x: 1, y: 1 },
    height: () => 52,
    spec: (cw, ch) => ({ width: cw, height: ch < 21 ? 46 : 49, padding: 2, mark: 'rect', data: { values: [] }, config: { view: { stroke: null } } }),
  };

  it('a size that alternates between 1 px too big and 2 px too small settles on the one that fits, padded, with no warning', async () => {
    const laid = await layoutChart(jumpy, 100, 2);
    expect(laid.warnings).toEqual([]);
    expect([laid.width, laid.height]).toEqual([100, 52]);
  });

  it('a figure that is truly too big still says so', async () => {
    const wide: Chart = { ...jumpy, spec: (cw) => ({ width: Math.max(cw, 120), height: 46, padding: 2, mark: 'rect', data: { values: [] } }) };
    const laid = await layoutChart(wide, 100, 2);
    expect(laid.warnings.join()).toContain('does not fit 100×52 px');
  });
});

describe('legend columns', () => {
  it('are never so many that fitLegendLabels would cut the longest label (six configurations of a 238 px figure, labels kept whole)', () => {
    const theme = THEMES.paper ?? Object.values(THEMES)[0]!;
    const ctx = { theme, width: 238 } as unknown as ChartContext;
    const labels = ['freebsd, 50', 'linux, 50', 'xnu, 50', 'freebsd, 200', 'linux, 200', 'xnu, 200'];
    const cols = legendColumns(ctx, labels);
    const size = theme.fontSize.label;
    const longest = Math.max(...labels.map((l) => textWidth(l, size)));
    // the room fitLegendLabels gives each column of a plot of the figure less 60 px
    const plot = 238 - 60;
    const fitted = fitLegendLabels({ legend: { columns: cols } } as { legend: { columns: number; labelLimit?: number } }, plot, size) as { legend: { labelLimit: number } };
    expect(fitted.legend.labelLimit).toBeGreaterThanOrEqual(longest);
    // and not needlessly few: one more column would cut it
    const more = fitLegendLabels({ legend: { columns: cols + 1 } } as { legend: { columns: number; labelLimit?: number } }, plot, size) as { legend: { labelLimit: number } };
    expect(more.legend.labelLimit).toBeLessThan(longest);
    // short labels still share a row
    expect(legendColumns(ctx, ['a', 'b', 'c'])).toBe(3);
  });
});
