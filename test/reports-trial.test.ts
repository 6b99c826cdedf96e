/**
 * Chart defects of a second new-user trial, each checked on the Vega-Lite
 * spec and its data: series that look alike beyond eight configurations,
 * sweep axes (a grid with 0, series far apart, CI bands below 0), percentile
 * CI bars cut at a log axis's floor, crowded writeback labels, and labels
 * long enough to squeeze the plot.
 *
 * The sweeps are written by hand as aggregate.csv (the statistics the charts
 * draw) and results.csv, with no runs; run directories by report-fixtures.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, scalesOf, writeRun, type AggPoint } from './report-fixtures.ts';

const titleText = (spec: VlSpec) => ((spec.title as { text: string[] } | undefined)?.text ?? []).join(' ');

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-trial-'));

const find = (charts: Chart[], name: string): VlSpec => chartNamed(charts, name).spec(200, 150);
type Enc = { field?: string; scale?: { domain: string[]; range: unknown[] }; legend?: unknown };
const layers = (spec: VlSpec) => spec.layer as VlSpec[];
const enc = (l: VlSpec) => (l.encoding ?? {}) as Record<string, Enc>;

/** The look (colour, shape, dash) of each label of a chart's series scales, as a string per label. */
function looks(color: Enc, shape?: Enc, dash?: Enc): Map<string, string> {
  const of = (e: Enc | undefined, label: string) => (e?.scale ? JSON.stringify(e.scale.range[e.scale.domain.indexOf(label)]) : '-');
  return new Map(color.scale!.domain.map((l) => [l, `${of(color, l)} ${of(shape, l)} ${of(dash, l)}`]));
}

describe('more than eight configurations (defect 1)', () => {
  it('latency-percentiles of 12 runs: every configuration has its own colour and shape, in one legend', async () => {
    const base = tmp();
    const names = Array.from({ length: 12 }, (_, i) => `run${String(i).padStart(2, '0')}`);
    names.forEach((n, i) => writeRun(join(base, n), { syncs: [{ t: 1, lat: 100 + 10 * i, pages: 1 }, { t: 2, lat: 300 + 10 * i, pages: 2 }] }));
    const spec = find(await chartsOf(base), 'latency-percentiles');
    const dots = layers(spec).find((l) => (l.mark as { type: string }).type === 'point')!;
    const { color, shape } = enc(dots);
    const look = looks(color, shape);
    expect([...look.keys()]).toEqual(names);
    expect(new Set(look.values()).size).toBe(12);
    // the first eight as before (circles); the ninth a colour of its own (sixteen colours since a later trial) and
    // another shape too
    expect(shape.scale!.range.slice(0, 8)).toEqual(Array(8).fill('circle'));
    expect(new Set(color.scale!.range).size).toBe(12);
    expect(shape.scale!.range[8]).not.toBe('circle');
    // one legend: the same field, title and legend, so vega-lite merges colour and shape
    expect([shape.field, (shape as { title?: string }).title, JSON.stringify(shape.legend)]).toEqual([color.field, (color as { title?: string }).title, JSON.stringify(color.legend)]);
  });

  it('sweep lines of 4 kernels × 8 values: the four lines have four colours (their first points are configurations 1, 9, 17, 25)', async () => {
    const points: AggPoint[] = [];
    for (const [k, kernel] of ['freebsd', 'xnu', 'linux', 'mach'].entries()) {
      for (let c = 1; c <= 8; c++) points.push({ values: [kernel, c], stats: { 'sync.latency_us.p99': [1000 * (k + 1) + 100 / c, 20, 3] } });
    }
    const spec = find(await chartsOf(aggSweep(['personality', 'device.channels'], ['sync.latency_us.p99'], points)), 'sweep-p99-vs-channels');
    const color = enc(spec).color;
    expect(color.scale!.domain).toEqual(['freebsd', 'xnu', 'linux', 'mach']);
    expect(new Set(color.scale!.range).size).toBe(4);
  });

  it('sweep lines of 12 series: each a distinct colour, dash and point shape, in one legend', async () => {
    const points: AggPoint[] = [];
    for (const kernel of ['freebsd', 'xnu', 'linux', 'mach']) {
      for (const cl of [1, 8, 32]) {
        for (const c of [1, 2, 4]) points.push({ values: [kernel, cl, c], stats: { 'sync.latency_us.p99': [points.length * 100 + 1000 / c, 20, 3] } });
      }
    }
    const spec = find(await chartsOf(aggSweep(['personality', 'pager.cluster_pages', 'device.channels'], ['sync.latency_us.p99'], points)), 'sweep-p99-vs-channels');
    const color = enc(spec).color;
    const lines = layers(spec).filter((l) => (l.mark as { type: string }).type === 'line');
    expect(lines.length).toBe(12);
    const { strokeDash, shape } = enc(lines[0]);
    const look = looks(color, shape, strokeDash);
    expect(look.size).toBe(12);
    expect(new Set(look.values()).size).toBe(12);
    for (const e of [strokeDash, shape]) expect(JSON.stringify(e.legend)).toBe(JSON.stringify(color.legend));
  });
});

describe('sweep-line axes (defect 2)', () => {
  /** Two kernels over syncer delays `xs`: p99 of linux 500× freebsd's, EBUSY counts whose CI reaches below 0. */
  const twoKernels = (xs: number[]) => {
    const points: AggPoint[] = [];
    for (const k of ['freebsd', 'linux']) {
      for (const x of xs) {
        points.push({ values: [k, x], stats: { 'sync.latency_us.p99': [k === 'linux' ? 10_000 + x : 20 + x / 100, 4, 3], 'sync.errors.EBUSY': [k === 'linux' ? 0.33 : 3, 1.43, 3] } });
      }
    }
    return aggSweep(['personality', 'writeback.delay_ms'], ['sync.latency_us.p99', 'sync.errors.EBUSY'], points);
  };
  const grid = [0, 1, 2, 4, 8, 16, 32, 64, 128];

  it('(a) a geometric grid with 0 gets a symlog x axis, named in its title, that spreads the points', async () => {
    const spec = find(await chartsOf(twoKernels(grid)), 'sweep-p99-vs-delay-ms');
    const x = (spec.encoding as { x: { title: string; scale: { type: string } } }).x;
    expect(x.scale.type).toBe('symlog');
    expect(x.title).toBe('syncer delay (ms, symlog scale)');
    // every step between grid values is at least a third of an even spacing (a linear axis made 0 → 1 about 1/128 of the width)
    const { x: px } = await scalesOf(spec);
    const gaps = grid.slice(1).map((v, i) => px(v) - px(grid[i]));
    const even = (px(128) - px(0)) / (grid.length - 1);
    for (const g of gaps) expect(g).toBeGreaterThan(even / 3);
    // a grid without 0 keeps its log axis, and an even one its linear axis
    const log = find(await chartsOf(twoKernels(grid.slice(1))), 'sweep-p99-vs-delay-ms');
    expect((log.encoding as { x: { scale: { type: string } } }).x.scale.type).toBe('log');
    const lin = find(await chartsOf(twoKernels([0, 10, 20, 30])), 'sweep-p99-vs-delay-ms');
    expect((lin.encoding as { x: { scale: { type: string } } }).x.scale.type).toBe('linear');
  });

  it('(b) series 500× apart get a log y axis on which the small one is not flat at the bottom', async () => {
    const spec = find(await chartsOf(twoKernels([1, 2, 4, 8])), 'sweep-p99-vs-delay-ms');
    const line = layers(spec).find((l) => (l.mark as { type: string }).type === 'line')!;
    const y = (line.encoding as { y: { title: string; scale: { type: string } } }).y;
    expect(y.scale.type).toBe('log');
    expect(y.title).toBe('msync latency p99 (µs, log scale)');
    // freebsd's 20 µs and linux's 10,000 µs each sit well inside the plot, far apart
    const { y: py } = await scalesOf(spec);
    expect(py(20) - py(10_000)).toBeGreaterThan(150 * 0.6);
    expect(py(20)).toBeLessThan(150);
  });

  it('(c) a count whose CI reaches below 0 is cut at 0, and the figure says so', async () => {
    const spec = find(await chartsOf(twoKernels(grid)), 'sweep-ebusy-vs-delay-ms');
    const rows = (spec.data as { values: { series: string; lo: number; ci_lo: number; mean: number }[] }).values;
    const linux = rows.filter((r) => r.series === 'linux');
    expect(linux.map((r) => r.lo)).toEqual(linux.map(() => 0));
    for (const r of linux) expect(r.ci_lo).toBeCloseTo(0.33 - 1.43, 9);
    expect(titleText(spec)).toContain('band cut at 0');
    const { y } = await scalesOf(spec);
    expect(y(0)).toBeCloseTo(150, 6); // the axis starts at 0, not below it
    // a metric syncsim does not know may be negative: its CI is drawn whole
    const points: AggPoint[] = [1, 2, 3].map((x) => ({ values: ['linux', x], stats: { 'plugin.delta': [0.2, 1, 3] } }));
    const other = find(await chartsOf(aggSweep(['personality', 'writeback.delay_ms'], ['plugin.delta'], points)), 'sweep-delta-vs-delay-ms');
    expect((other.data as { values: { lo: number }[] }).values.map((r) => r.lo)).toEqual([-0.8, -0.8, -0.8]);
  });
});

describe('percentile CI bars cut at the log axis floor (defect 3)', () => {
  it('a bar whose lower end is ≤ 0 µs ends in a triangle at the floor, and the figure says so', async () => {
    const ms = ['sync.latency_us.p50', 'sync.latency_us.p99', 'sync.latency_us.p999'];
    // channels 2: p99 1,000 ± 1,500 µs reaches below 0; the others stay positive
    const points: AggPoint[] = [1, 2].map((c) => ({
      values: ['linux', c],
      stats: { [ms[0]]: [100, 20, 3], [ms[1]]: [1000, c === 2 ? 1500 : 200, 3], [ms[2]]: [3000, 500, 3] },
    }));
    const spec = find(await chartsOf(aggSweep(['personality', 'device.channels'], ms, points)), 'latency-percentiles');
    const dots = (spec.data as { values: { config: string; percentile: string; lo: number; ci_lo: number; lo_cut: number }[] }).values;
    const y = (layers(spec).find((l) => (l.mark as { type: string }).type === 'point' && !l.transform)!.encoding as { y: { scale: { domain: number[] } } }).y;
    const floor = y.scale.domain[0];
    const cut = dots.filter((d) => d.lo_cut === 1);
    expect(cut.map((d) => [d.config, d.percentile, d.lo, d.ci_lo])).toEqual([['linux, 2', 'p99', floor, -500]]);
    // drawn: a downward triangle at the cut bars' lower end
    const marker = layers(spec).find((l) => JSON.stringify(l.transform ?? []).includes('lo_cut'))!;
    expect(marker.mark).toMatchObject({ type: 'point', shape: 'triangle-down' });
    expect((marker.encoding as { y: { field: string } }).y.field).toBe('lo');
    expect(titleText(spec)).toContain('bars ending in a triangle reach 0 µs or below, cut at the axis floor');
    // nothing cut, nothing said
    const whole = find(await chartsOf(aggSweep(['personality', 'device.channels'], ms, points.slice(0, 1))), 'latency-percentiles');
    expect(titleText(whole)).not.toContain('triangle');
    expect(layers(whole).some((l) => JSON.stringify(l.transform ?? []).includes('lo_cut'))).toBe(false);
  });
});

/** Items of every mark of `role` in a vega scenegraph (depth first). */
function sceneItems(node: SceneNode, keep: (n: SceneNode) => boolean, out: SceneItem[] = []): SceneItem[] {
  if (node.marktype && keep(node)) out.push(...(node.items ?? []));
  for (const it of node.items ?? []) for (const child of (it as { items?: SceneNode[] }).items ?? []) sceneItems(child, keep, out);
  return out;
}
interface SceneItem { x: number; y: number; angle?: number; text: string | string[]; fontSize: number; lineHeight?: number; bounds: { x1: number; x2: number; y1: number; y2: number } }
interface SceneNode { marktype?: string; role?: string; name?: string; items?: (SceneItem & { items?: SceneNode[] })[] }

describe('writeback-by-cause with many bars (defect 4)', () => {
  it('12 bars in a single column: no two bar labels and no two amplification labels overlap', async () => {
    const base = tmp();
    const names = ['freebsd-ufs-nosync', 'freebsd-ufs-syncer', 'freebsd-zfs-syncer', 'xnu-apfs-default', 'xnu-apfs-fullfsync', 'linux-ext4-ordered',
      'linux-ext4-journal', 'linux-xfs-default', 'linux-btrfs-cow', 'mach-emm-default', 'mach-emm-clustered', 'linux-ext4-writeback'];
    names.forEach((n, i) => writeRun(join(base, n), {
      syncs: [{ t: 1, lat: 50 + 10 * i, pages: 1 }],
      writeback: [{ cause: 'msync', bytes: 4096 * (10 + 3 * i) }, { cause: 'syncer', bytes: 4096 * (2 + i) }],
      dirtied: 4096 * 9,
    }));
    const chart = (await chartsOf(base)).find((c) => c.name === 'writeback-by-cause')!;
    const laid = await layoutChart(chart, 238, THEMES.paper.padding);
    expect(laid.warnings).toEqual([]);
    const view = new vega.View(vega.parse(compile(laid.spec as never).spec), { renderer: 'none' });
    await view.runAsync();
    const root = (view.scenegraph() as unknown as { root: SceneNode }).root;
    const labels = sceneItems(root, (n) => n.role === 'axis-label').filter((l) => names.some((x) => JSON.stringify(l.text).includes(x.slice(0, 8))));
    const amps = sceneItems(root, (n) => n.marktype === 'text' && n.role === 'mark');
    view.finalize();
    expect(labels.length).toBe(12);
    expect(amps.length).toBe(12);
    // parallel labels at angle θ whose anchors are Δx apart are |Δx · sin θ| apart across their lines: a text block's height and a
    // visible gap (1.5 px; at 40° twelve labels were 10.3 px apart for 9 px lines, descenders touching ascenders)
    labels.sort((a, b) => a.x - b.x);
    for (let i = 1; i < labels.length; i++) {
      const [a, b] = [labels[i - 1], labels[i]];
      expect(a.angle).toBe(b.angle);
      const block = (Array.isArray(a.text) ? a.text.length : 1) * (a.lineHeight ?? a.fontSize);
      expect(Math.abs((b.x - a.x) * Math.sin(((a.angle ?? 0) * Math.PI) / 180)), `${a.text} / ${b.text}`).toBeGreaterThanOrEqual(block + 1.5);
    }
    // the amplification labels (level or upright: their boxes are exact) are disjoint
    amps.sort((a, b) => a.bounds.x1 - b.bounds.x1);
    for (let i = 1; i < amps.length; i++) {
      const [a, b] = [amps[i - 1].bounds, amps[i].bounds];
      expect(a.x2 <= b.x1 || a.y2 <= b.y1 || b.y2 <= a.y1, `${amps[i - 1].text} / ${amps[i].text}`).toBe(true);
    }
  });
});

describe('a 110-character configuration label (defect 5)', () => {
  it('ends in an ellipsis in the legend; the plot keeps the size it has with short labels; the data keep the whole label', async () => {
    const long = 'linux-ext4-data=ordered-commit=5s-dirty_ratio=20-dirty_background_ratio=10-nvme-4ch-readahead=32-seed-series-A';
    expect(long.length).toBe(110);
    const widths = new Map<string, number>();
    for (const name of [long, 'tuned']) {
      const base = tmp();
      writeRun(join(base, 'baseline'), { syncs: [{ t: 1, lat: 80, pages: 1 }, { t: 2, lat: 200, pages: 2 }] });
      writeRun(join(base, name), { syncs: [{ t: 1, lat: 120, pages: 1 }, { t: 2, lat: 400, pages: 3 }] });
      for (const c of await chartsOf(base)) {
        if (c.name !== 'latency-percentiles' && c.name !== 'latency-vs-pages') continue;
        const laid = await layoutChart(c, 238, THEMES.paper.padding);
        expect(laid.warnings, c.name).toEqual([]);
        expect(laid.width).toBe(238);
        widths.set(`${c.name} ${name === long ? 'long' : 'short'}`, laid.spec.width as number);
        if (name !== long) continue;
        const json = JSON.stringify(laid.spec);
        expect(json).toContain(`"${long}"`);
        const limits = [...json.matchAll(/"labelLimit":(\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
        expect(limits.length).toBeGreaterThan(0);
        for (const l of limits) expect(l).toBeLessThan(laid.spec.width as number);
      }
    }
    for (const chart of ['latency-percentiles', 'latency-vs-pages']) {
      expect(widths.get(`${chart} long`), chart).toBeGreaterThanOrEqual(widths.get(`${chart} short`)! - 1);
    }
  });
});

describe('a sweep point whose seeds agreed exactly (a CI of 0)', () => {
  it('is said to have no bar, when others have one: a missing bar must not read as a missing CI', async () => {
    const points: AggPoint[] = [0, 10, 100].map((x, i) => ({ values: ['linux', x], stats: { 'sync.latency_us.p99': [100 + x, i === 1 ? 0 : 8, 3] } }));
    const spec = find(await chartsOf(aggSweep(['personality', 'writeback.delay_ms'], ['sync.latency_us.p99'], points)), 'sweep-p99-vs-delay-ms');
    const note = ((spec.title as { text: string | string[] }).text as string[]).join(' ');
    expect(note).toContain('bars: 95 % CI of the mean');
    expect(note).toContain('no bar at 1 point whose seeds gave the same value');
    // every CI 0: the seeds gave one value everywhere, said once
    const flat: AggPoint[] = [0, 10].map((x) => ({ values: ['linux', x], stats: { 'sync.latency_us.p99': [100 + x, 0, 3] } }));
    const all = ((find(await chartsOf(aggSweep(['personality', 'writeback.delay_ms'], ['sync.latency_us.p99'], flat)), 'sweep-p99-vs-delay-ms').title as { text: string[] }).text).join(' ');
    expect(all).toContain('which gave the same value at every point: no spread, no bars to draw');
    expect(all).not.toContain('no bar at');
  });
});
