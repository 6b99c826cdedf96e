/**
 * Every mark that stands for a configuration (or a series of them) carries a
 * tooltip with its whole label, which legends and axes may end in an
 * ellipsis: bars, lines, points, rules, areas and text of every chart the
 * report draws, and of the compare and validation charts.
 *
 * Checked on vega's scenegraph of each spec: every item of a data mark whose
 * datum has a `config` or `series` is asked for its tooltip.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { compareCdfChart } from '../reports/charts/compare-cdf.ts';
import { validationCdfChart } from '../reports/charts/validation-cdf.ts';
import { validationGridChart } from '../reports/charts/validation-grid.ts';
import { THEMES } from '../reports/theme.ts';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-tips-'));
/** A label far wider than any legend or axis of a single column: 110 characters. */
const LONG = 'linux-ext4-data=ordered-commit=5s-dirty_ratio=20-dirty_background_ratio=10-nvme-4ch-readahead=32-seed-series-A';

/** One drawn item of a data mark that stands for a configuration. */
interface Drawn {
  marktype: string;
  label: string;
  tooltip: Record<string, unknown> | undefined;
}

type Node = { marktype?: string; role?: string; items?: Node[]; datum?: Record<string, unknown>; tooltip?: Record<string, unknown> };

/** The items of `spec`'s data marks whose datum names a configuration or series, as vega draws them. */
async function drawnItems(spec: VlSpec): Promise<Drawn[]> {
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
  await view.runAsync();
  const out: Drawn[] = [];
  const visit = (node: Node, mark?: Node) => {
    if (node.marktype) {
      for (const item of node.items ?? []) visit(item, node);
      return;
    }
    const label = node.datum?.config ?? node.datum?.series;
    if (mark?.role === 'mark' && typeof label === 'string') out.push({ marktype: mark.marktype!, label, tooltip: node.tooltip });
    for (const child of node.items ?? []) visit(child);
  };
  visit((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  return out;
}

/** Expects every configuration mark of `chart` to name its whole label in its tooltip; returns the mark types seen. */
async function expectLabelTooltips(chart: Chart): Promise<string[]> {
  const items = await drawnItems(chart.spec(200, 150));
  expect(items.length, chart.name).toBeGreaterThan(0);
  for (const it of items) {
    expect(it.tooltip, `${chart.name} ${it.marktype} of ${it.label}`).toBeDefined();
    expect(Object.values(it.tooltip!), `${chart.name} ${it.marktype}`).toContain(it.label);
  }
  // the long label whole, not as a legend draws it
  expect(items.some((it) => Object.values(it.tooltip!).includes(LONG) || Object.values(it.tooltip!).some((v) => String(v).startsWith(`${LONG},`))), chart.name).toBe(true);
  return [...new Set(items.map((it) => it.marktype))].sort();
}

/** A sweep of trace.set.mode [LONG, short] × device.channels `xs` in aggregate.csv: p50, p99, p99.9 with CIs, the p50 CI of LONG below 0. */
function sweep(xs: number[]): string {
  const dir = join(tmp(), 'sweep');
  mkdirSync(dir, { recursive: true });
  const keys = ['trace.set.mode', 'device.channels'];
  const metrics = ['sync.latency_us.p50', 'sync.latency_us.p99', 'sync.latency_us.p999'];
  let results = `run_id,point,${keys.join(',')},seed,status,error\n`;
  let agg = `point,${keys.join(',')},metric,n,mean,sd,ci95,median\n`;
  let point = 0;
  for (const [k, mode] of [LONG, 'short'].entries()) {
    for (const x of xs) {
      point++;
      results += `p${point},${point},${mode},${x},1,ok,\n`;
      metrics.forEach((m, j) => {
        const mean = (10 ** (j + 2)) * (k + 1) / x;
        const ci = j === 0 && k === 0 ? mean * 1.5 : mean * 0.1;
        agg += `${point},${mode},${x},${m},3,${mean},${ci / 2},${ci},${mean}\n`;
      });
    }
  }
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'tips', keys, metrics, seeds: [1, 2, 3] }));
  return dir;
}

const find = chartNamed;

describe('tooltips with the whole configuration label', () => {
  it('on every configuration mark of every chart of a runs directory, the long label whole', async () => {
    const base = tmp();
    writeRun(join(base, 'baseline'), {
      syncs: [{ t: 1, lat: 80, pages: 1 }, { t: 2, lat: 200, pages: 2 }, { t: 3, lat: 300, pages: 3 }],
      writeback: [{ cause: 'msync', bytes: 8192 }, { cause: 'syncer', bytes: 4096 }], dirtied: 8192, timeline: [[0, 0, 0, 0], [3, 1, 0, 1], [1, 2, 0, 2]],
    });
    // most msyncs of 0 µs: its p50 is a hollow dot at the axis floor
    writeRun(join(base, LONG), {
      syncs: [{ t: 1, lat: 0, pages: 1 }, { t: 2, lat: 0, pages: 1 }, { t: 3, lat: 0, pages: 1 }, { t: 4, lat: 150, pages: 2 }, { t: 5, lat: 400, pages: 3 }],
      writeback: [{ cause: 'msync', bytes: 4096 }, { cause: 'pageout', bytes: 4096 }], dirtied: 4096, timeline: [[0, 0, 0, 0], [5, 2, 0, 3], [2, 1, 0, 1]],
    });
    const charts = await chartsOf(base);
    const seen: Record<string, string[]> = {};
    for (const c of charts) seen[c.name] = await expectLabelTooltips(c);
    expect(seen).toEqual({
      'latency-cdf': ['line', 'symbol'],
      'latency-percentiles': ['symbol'],
      'writeback-by-cause': ['rect', 'text'],
      // two runs overlaid: a dotted line at each one's peaks and its line at the mean (shading, which overlaid made a
      // grey block of the panel, until 2026-12-07)
      timeline: ['line'],
      'latency-vs-pages': ['symbol'],
    });
  });

  it('on the CI bars, cut triangles and dots of a sweep, and on its lines, points, error bars and bands', async () => {
    const bars = await chartsOf(sweep([1, 2, 4]));
    expect(await expectLabelTooltips(find(bars, 'latency-percentiles'))).toEqual(['rule', 'symbol']);
    expect(await expectLabelTooltips(find(bars, 'sweep-p99-vs-channels'))).toEqual(['line', 'rule', 'symbol']);
    // seven x values: a band
    const band = await chartsOf(sweep([1, 2, 3, 4, 5, 6, 7]));
    expect(await expectLabelTooltips(find(band, 'sweep-p99-vs-channels'))).toEqual(['area', 'line', 'symbol']);
  });

  it('the validation chart puts its entries side by side when they fit, else as many columns as fit, else one under the other', () => {
    const a = Float64Array.from([50, 80, 120, 300]), b = Float64Array.from([60, 90, 200, 500]);
    const columns = (labels: { measured: string; simulated: string }, width: number) => {
      const spec = validationCdfChart({ job: 'j', runs: [a, a], simulated: b, labels, figures: [] }, paper).spec(width, 200) as { vconcat: { encoding: { color: { legend: { columns: number } } } }[] };
      return spec.vconcat[0]!.encoding.color.legend.columns;
    };
    const labels = { measured: 'measured (recorded)', simulated: 'simulated (syncsim linux, 8 seeds)' };
    // three entries: two runs and the simulated curve
    expect(columns(labels, 600)).toBe(3);
    expect(columns(labels, 200)).toBe(1);
    expect(columns({ measured: 'm', simulated: 's' }, 200)).toBe(3);
  });

  it('on the curves of the compare and validation charts', async () => {
    const a = Float64Array.from([50, 80, 120, 300]), b = Float64Array.from([60, 90, 200, 500]);
    expect(await expectLabelTooltips(compareCdfChart({ a: { label: LONG, latencies: a }, b: { label: 'tuned', latencies: b }, p: 0.3 }, paper))).toEqual(['line']);
    const labels = { measured: LONG, simulated: 'syncsim' };
    expect(await expectLabelTooltips(validationCdfChart({ job: 'j', runs: [a, b], simulated: b, labels, figures: [] }, paper))).toEqual(['line']);
    const panel = { job: 'j', runs: [a, b], simulated: b, lines: ['j'], p99: { measured_us: 300, simulated_us: 500 } };
    expect(await expectLabelTooltips(validationGridChart([panel], labels, paper))).toEqual(['line']);
  });
});
