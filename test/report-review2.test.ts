/**
 * A reviewer's second look at the figures (helper-68): sweep y axes that
 * cut confidence-interval bars, started at 0 or not as the rounding fell and
 * showed two labels; compare legends that named directories, not what
 * differs; p-values written as 1.2e-12; single-run figures that did not say
 * what was run. Expected values are worked out here, by hand, from the rules
 * the README states and the paper theme's sizes (8 pt labels, points of
 * 16 pt², so a radius of √(16/π) = 2.26 pt), not taken from the code.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { compareCdfChart } from '../reports/charts/compare-cdf.ts';
import { pValueText } from '../reports/p-value.ts';
import { configDifferences, differenceText } from '../scripts/compare/config-diff.ts';
import type { Side } from '../scripts/compare/sides.ts';
import { linearAxis, zeroBaseline } from '../reports/linear-axis.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, scalesOf, writeRun, type AggPoint } from './report-fixtures.ts';

const paper = THEMES.paper;
const noteOf = (spec: VlSpec) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');
/** A mark's radius and a px: how far inside the axis's ends every value drawn stands. */
const MARGIN = Math.sqrt(16 / Math.PI) + 1;

type YEnc = { field: string; scale: { domain?: number[]; type?: string }; axis?: { values?: number[]; tickCount?: number; format?: string } };
/** The y encoding of a sweep line's mean points (the layer that carries the axis). */
const meanY = (spec: VlSpec) => ((spec.layer as VlSpec[]).find((l) => (l.mark as { type: string }).type === 'line')!.encoding as { y: YEnc }).y;

/** A sweep of kernel × footprint whose p99 at every footprint is `linux` and `xnu` (mean, CI half-width). */
function kernels(linux: [number, number], xnu: [number, number], metric = 'sync.latency_us.p99'): string {
  const points: AggPoint[] = [];
  for (const [k, v] of [['linux', linux], ['xnu', xnu]] as const) for (const x of [1048576, 4194304, 16777216]) points.push({ values: [k, x], stats: { [metric]: [v[0], v[1], 2] } });
  return aggSweep(['personality', 'trace.set.footprint'], [metric], points);
}

describe('sweep lines: the y axis holds every CI bar, its ends labelled', () => {
  it("xnu's bar down to 481 µs is drawn whole, clear of the plot's edge (vega's nice domain ended at 480, 0.7 px below it)", async () => {
    // linux 579.3 ± 66.8 µs and xnu 537.6 ± 56.6 µs (the demo sweep's p99): CI ends 481.0 to 646.1 µs
    const chart = chartNamed(await chartsOf(kernels([579.3395, 66.8029], [537.6185, 56.6])), 'sweep-p99-vs-footprint');
    const spec = chart.spec(200, 130);
    const y = meanY(spec);
    // 481 > 646 / 3: no zero baseline. On 130 px, ticks 2.5 label heights (20 px) apart: at most 7.
    // step 50: 450..650, but 646.1 is (650 − 646.1) × 130 / 200 = 2.5 px from the top, less than 3.26: 450..700,
    //   6 ticks 26 px apart, the values filling 165.1 / 250 = 66 %;
    // step 20: 480..660 → 481 is 0.7 px from 480: 460..660, 11 ticks 13 px apart (too close);
    // step 100: 400..700, 4 ticks, 55 %. So 450 to 700 by 50.
    expect(y.scale.domain).toEqual([450, 700]);
    expect(y.axis!.values).toEqual([450, 500, 550, 600, 650, 700]);
    const { y: py } = await scalesOf(spec);
    for (const v of [481.0185, 646.1424]) {
      expect(py(v)).toBeGreaterThanOrEqual(MARGIN - 1e-6);
      expect(py(v)).toBeLessThanOrEqual(130 - MARGIN + 1e-6);
    }
  });

  it('0 is in the axis when it widens it at most 1.5×, by that rule alone', () => {
    expect(zeroBaseline(300, 900)).toBe(true); // 900 / (900 − 300) = 1.5
    expect(zeroBaseline(301, 900)).toBe(false);
    expect(zeroBaseline(-900, -300)).toBe(true); // the mirror image
    expect(zeroBaseline(-0.8, 1.2)).toBe(true); // 0 among the values
    expect(zeroBaseline(5, 5)).toBe(false);
    // 300..900 on 130 px: 0..900; step 200 gives 0..1000 (900 is 13 px from the top), 6 ticks 26 px apart, 90 % filled;
    // step 100: 900 on the top edge, 0..1000, 11 ticks; step 500: 0..1000 too, but of two that fill it alike the finer
    expect(linearAxis(300, 900, 130, 8, MARGIN)).toMatchObject({ domain: [0, 1000], ticks: [0, 200, 400, 600, 800, 1000], zero: true });
    // 301..900: no 0, nor a rounding down to it (step 500 would reach it). Step 200: 200..1000, 301 and 900 each
    // 16 px inside, 5 ticks 32.5 px apart, 75 % filled; step 100: 301 is 0.2 px above 300 and 900 on its tick, so
    // 200..1000 by 100, 9 ticks 16 px apart (too close)
    expect(linearAxis(301, 900, 130, 8, MARGIN)).toMatchObject({ domain: [200, 1000], ticks: [200, 400, 600, 800, 1000], zero: false });
    // values crossing 0: both ends rounded out, 0 a tick
    expect(linearAxis(-0.8, 1.2, 150, 8, MARGIN)).toMatchObject({ domain: [-1, 1.5], ticks: [-1, -0.5, 0, 0.5, 1, 1.5], format: ',.1f' });
  });

  it('a single-column sweep chart of 30 to 130 µs labels 0, 50, 100, 150 (vega labelled 50 and 100 only)', async () => {
    const chart = chartNamed(await chartsOf(kernels([80, 50], [60, 20], 'sync.latency_us.mean')), 'sweep-mean-vs-footprint');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    const y = meanY(laid.spec);
    // 30 ≤ 130 / 3: from 0. A plot of about 120 px: step 20 gives 0..140, 8 ticks 17 px apart (under 20);
    // step 50 gives 0..150, 4 ticks, 87 % filled; step 100, 0..200, 65 %
    expect(y.scale.domain).toEqual([0, 150]);
    expect(y.axis!.values).toEqual([0, 50, 100, 150]);
    // drawn, all four (vega thins explicit values to height / 40 of them unless told how many)
    const labels = [...laid.svg.matchAll(/role-axis-label[^]*?<\/g>/g)].flatMap((g) => [...g[0].matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]));
    for (const t of ['0', '50', '100', '150']) expect(labels).toContain(t);
  });

  it('a bar cut at a log axis floor ends in a triangle there, and the note says so', async () => {
    // linux 20 ± 30 µs at 1 MiB (its CI reaches below 0, cut at 0: a p99 cannot be negative), 40 ± 10, 80 ± 10;
    // xnu 5,000 to 10,000 ± 500: means 500× apart, a log y axis
    const points: AggPoint[] = [];
    const linux = [[20, 30], [40, 10], [80, 10]], xnu = [[5000, 500], [8000, 500], [10000, 500]];
    [1048576, 4194304, 16777216].forEach((x, i) => {
      points.push({ values: ['linux', x], stats: { 'sync.latency_us.p99': [linux[i][0], linux[i][1], 3] } });
      points.push({ values: ['xnu', x], stats: { 'sync.latency_us.p99': [xnu[i][0], xnu[i][1], 3] } });
    });
    const spec = chartNamed(await chartsOf(aggSweep(['personality', 'trace.set.footprint'], ['sync.latency_us.p99'], points)), 'sweep-p99-vs-footprint').spec(200, 130);
    const y = meanY(spec);
    expect(y.scale.type).toBe('log');
    // positive values 20 to 10,500 µs: 1-2-5 ends 20 and 20,000; 20 lies on the floor (0 px), so the floor moves to 10
    expect(y.scale.domain).toEqual([10, 20000]);
    const rows = (spec.data as { values: { series: string; x: number; lo: number; ci_lo: number; lo_cut?: number }[] }).values;
    expect(rows.filter((r) => r.lo_cut === 1).map((r) => [r.series, r.x, r.lo, r.ci_lo])).toEqual([['linux', 1, 10, -10]]);
    const marker = (spec.layer as VlSpec[]).find((l) => JSON.stringify(l.transform ?? []).includes('lo_cut'))!;
    expect(marker.mark).toMatchObject({ type: 'point', shape: 'triangle-down' });
    expect(noteOf(spec)).toContain('bars ending in a triangle reach 0, cut at its floor');
  });
});

describe('p-values in figures', () => {
  it('are written as a paper writes them: 1.2 × 10⁻¹², not 1.2e-12', async () => {
    expect(pValueText(1.234e-12)).toBe('p = 1.2 × 10⁻¹²');
    expect(pValueText(3e-7)).toBe('p = 3.0 × 10⁻⁷');
    // two significant digits: 9.96 × 10⁻⁵ is 1.0 × 10⁻⁴, and 1.5 × 10⁻⁴ not 0.0001 (four decimals); from 10⁻³ four decimals
    expect(pValueText(9.96e-5)).toBe('p = 1.0 × 10⁻⁴');
    expect(pValueText(1.5e-4)).toBe('p = 1.5 × 10⁻⁴');
    expect(pValueText(9.996e-4)).toBe('p = 1.0 × 10⁻³');
    expect(pValueText(0.0012)).toBe('p = 0.0012');
    expect(pValueText(0.5)).toBe('p = 0.5000');
    expect(pValueText(1)).toBe('p = 1.0000');
    // computed as 0: below the least double, said as below 10⁻³⁰⁰
    expect(pValueText(0)).toBe('p < 10⁻³⁰⁰');
    const side = (tag: string, label: string) => ({ tag, label, latencies: Float64Array.from([1, 2, 3, 40]) });
    const chart = compareCdfChart({ a: side('A', 'demo'), b: side('B', 'demo-linux'), p: 1.234e-12 }, paper);
    expect(chart.caption).toContain('two-sided Mann–Whitney p = 1.2 × 10⁻¹²');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect(noteOf(laid.spec)).toContain('Mann–Whitney p = 1.2 × 10⁻¹²; n = 4 and 4 msyncs');
    expect(laid.svg).not.toMatch(/\de-\d/);
  });
});

describe("compare's legend says what differs between the sides, not only their directories", () => {
  /** A side named `label` whose runs have these configurations (summary.json's `config`, as far as the test needs it). */
  const side = (label: string, ...configs: Record<string, unknown>[]): Side => ({
    spec: label, label, runs: configs.map((config, i) => ({ dir: `${label}/${i}`, seed: i + 1, summary: { config } })),
  });
  // the demo's runs: freebsd on ufs with 16 pages of read-ahead, linux on ext4 with 32, each kernel's default (README,
  // "Kernel personalities"; the demo and demo-linux summaries)
  const freebsd = { personality: 'freebsd', seed: 1, pager: { cluster_pages: 32 }, fs: { kind: 'ufs' }, readahead: { pages: 16 } };
  const linux = { personality: 'linux', seed: 2, pager: { cluster_pages: 32 }, fs: { kind: 'ext4-ordered' }, readahead: { pages: 32 } };

  it('demo / demo-linux: the kernel in the legend, the file system and read-ahead in the note as the kernels\' defaults', () => {
    const diffs = configDifferences(side('demo', freebsd), side('demo-linux', linux));
    // the seed differs too, and is left out (a sweep point's runs have one each)
    expect(diffs).toEqual([
      { key: 'personality', a: 'freebsd', b: 'linux', byKernel: false },
      { key: 'fs.kind', a: 'ufs', b: 'ext4-ordered', byKernel: true },
      { key: 'readahead.pages', a: '16', b: '32', byKernel: true },
    ]);
    expect(differenceText(diffs)).toEqual({ a: 'freebsd', b: 'linux', note: "also differing (A / B), each kernel's default: file system ufs / ext4-ordered, readahead 16 / 32 pages" });
  });

  it('two keys of their own in the legend, a third in the note; a key set away from the default is no kernel default', () => {
    const a = side('r1', { ...freebsd, pager: { cluster_pages: 8 }, device: { channels: 1 } });
    const b = side('r2', { ...linux, fs: { kind: 'ufs' }, device: { channels: 4 } });
    // fs.kind the same (ufs); read-ahead 16 / 32 the kernels' defaults; cluster 8 / 32 and channels 1 / 4 their own
    expect(differenceText(configDifferences(a, b))).toEqual({
      a: 'freebsd, write cluster 8 pages', b: 'linux, write cluster 32 pages',
      note: "also differing (A / B): device channels 1 / 4; each kernel's default: readahead 16 / 32 pages",
    });
    // linux with freebsd's 16 pages of read-ahead: not linux's default, so a difference of its own
    const c = side('r3', { ...linux, readahead: { pages: 16 } });
    expect(configDifferences(side('r0', { ...freebsd, readahead: { pages: 32 } }), c).find((d) => d.key === 'readahead.pages')).toEqual({ key: 'readahead.pages', a: '32', b: '16', byKernel: false });
  });

  it('nvme / hdd: the profile in the legend, the figures each profile sets in the note as its defaults (a user trial, 2026-12-08)', () => {
    // the table of docs/configuration.md, "Device profiles": nvme 85 channels, read latency 85 µs, 4300 MB/s; hdd 1, 100 µs, 600 MB/s, 7200 rpm
    // (in summary.json's order: device.profile after the figures)
    const nvme = { ...linux, device: { channels: 85, read_latency: { dist: 'constant', mean_us: 85 }, bandwidth_mbps: 4300, rpm: 0, profile: 'nvme' } };
    const hdd = { ...linux, device: { channels: 1, read_latency: { dist: 'constant', mean_us: 100 }, bandwidth_mbps: 600, rpm: 7200, profile: 'hdd' } };
    const diffs = configDifferences(side('r-linux', nvme), side('r-linux-hdd', hdd));
    expect(diffs.filter((d) => d.byProfile).map((d) => d.key)).toEqual(['device.channels', 'device.read_latency.mean_us', 'device.bandwidth_mbps', 'device.rpm']);
    // before: the legend read 'device channels 85, mean read latency 85 µs' / 'device channels 1, ...' and 'device nvme / hdd' came last in the note
    expect(differenceText(diffs)).toEqual({
      a: 'device nvme', b: 'device hdd',
      note: "also differing (A / B), each device profile's default: device channels 85 / 1, mean read latency 85 / 100 µs, device bandwidth 4300 / 600 MB/s, rpm 0 / 7200",
    });
    // hdd with 4 channels: not the profile's figure, so a difference of its own, in the legend after the profile
    const four = configDifferences(side('a', nvme), side('b', { ...hdd, device: { ...hdd.device, channels: 4 } }));
    expect(four.find((d) => d.key === 'device.channels')).toEqual({ key: 'device.channels', a: '85', b: '4', byKernel: false });
    expect(differenceText(four).a).toBe('device channels 85, device nvme');
    // the queue model (docs/configuration.md: "the queueing model of earlier versions") has no file system and no
    // CPU costs: linux's ext4-ordered and its 9.28 µs per page cleaned follow from nvme, none and 0 from queue
    const nv = { ...linux, fs: { kind: 'ext4-ordered' }, cpu: { clean_page_us: 9.28 }, device: { channels: 85, profile: 'nvme' } };
    const queue = { ...linux, fs: { kind: 'none' }, cpu: { clean_page_us: 0 }, device: { channels: 2, profile: 'queue' } };
    const q = configDifferences(side('r-linux', nv), side('sw@3', queue));
    expect(q.filter((d) => d.byProfile).map((d) => d.key)).toEqual(['fs.kind', 'cpu.clean_page_us']);
    expect(differenceText(q)).toEqual({
      a: 'device channels 85, device nvme', b: 'device channels 2, device queue',
      note: "also differing (A / B), each device profile's default: file system ext4-ordered / none, page clean cost 9.28 / 0 µs",
    });
  });

  it('what a side\'s name states (a sweep point\'s grid keys) is not repeated; keys that vary within a side, and the seed, are left out', () => {
    const diffs = configDifferences(side('sw@1', freebsd, { ...freebsd, seed: 7, replay: 'closed' }), side('sw@2', linux, { ...linux, seed: 9, replay: 'timed' }));
    expect(diffs.map((d) => d.key)).toEqual(['personality', 'fs.kind', 'readahead.pages']);
    expect(differenceText(diffs, ['personality'])).toEqual({ a: '', b: '', note: "also differing (A / B), each kernel's default: file system ufs / ext4-ordered, readahead 16 / 32 pages" });
    expect(differenceText(configDifferences(side('a', freebsd), side('b', { ...freebsd, seed: 5 })))).toEqual({ a: '', b: '', note: '' });
  });
});

describe("a run's figures say what was run", () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-review2-'));
  /** A run of 30 msyncs of `slow` µs and more, writeback and a timeline (so that all five charts are drawn) under `personality`, seed 7. */
  const run = (dir: string, personality: string, slow = 40) => writeRun(dir, {
    seed: 7, config: { personality },
    syncs: Array.from({ length: 30 }, (_, i) => ({ t: i + 1, lat: slow + i, pages: 1 + (i % 3) })),
    writeback: [{ cause: 'msync', bytes: 8192 }], dirtied: 8192, timeline: [[1, 0, 0, 0], [3, 1, 0, 1], [2, 0, 0, 0]],
  });

  it('each figure of one run names its trace file, kernel and seed on a line of its own under the plot', async () => {
    const dir = join(tmp(), 'r');
    run(dir, 'linux');
    const charts = await chartsOf(dir);
    expect(charts.map((c) => c.name)).toEqual(['latency-cdf', 'latency-percentiles', 'writeback-by-cause', 'timeline', 'latency-vs-pages']);
    for (const chart of charts) {
      const laid = await layoutChart(chart, paper.widths.single, paper.padding);
      expect(laid.warnings, chart.name).toEqual([]);
      // the last line of the note: writeRun's trace is hand-made.csv; README "Reports"
      const lines = (laid.spec.title as { text: string[] }).text;
      expect(lines[lines.length - 1], chart.name).toBe('trace hand-made.csv, kernel linux, seed 7');
      expect(laid.svg, chart.name).toContain('>trace hand-made.csv, kernel linux, seed 7<');
    }
  });

  it('a directory of runs of different traces says so (a user trial: four traces side by side, with no word)', async () => {
    const base = tmp();
    run(join(base, 'a'), 'linux');
    run(join(base, 'b'), 'linux', 90);
    const b = JSON.parse(readFileSync(join(base, 'b', 'summary.json'), 'utf8'));
    b.trace.path = 'other.csv';
    writeFileSync(join(base, 'b', 'summary.json'), JSON.stringify(b));
    const spec = chartNamed(await chartsOf(base), 'latency-percentiles').spec(200, 150);
    expect(noteOf(spec)).toContain('every run: kernel linux, seed 7; runs of 2 different traces');
  });

  it('a directory of runs: what every run shares; a sweep: nothing (its grid values name its configurations)', async () => {
    const base = tmp();
    run(join(base, 'a'), 'linux');
    run(join(base, 'b'), 'freebsd', 90);
    const spec = chartNamed(await chartsOf(base), 'latency-cdf').spec(200, 150);
    // since 2026-12-08 the CDF's tail markers of 30 msyncs a run are said to be their largest msyncs, as latency-percentiles says
    expect(noteOf(spec)).toBe('p99 and p99.9 of runs of fewer than 100 msyncs (as few as 30) are their largest msyncs or near them. every run: trace hand-made.csv, seed 7');
    const sweep = chartNamed(await chartsOf(kernels([500, 20], [400, 20])), 'sweep-p99-vs-footprint').spec(200, 150);
    expect(noteOf(sweep)).not.toContain('trace ');
  });
});
