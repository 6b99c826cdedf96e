/**
 * A paper reviewer's findings on a sweep's figures, each checked on the
 * Vega-Lite spec: no faint yellow in the palette (contrast on white worked
 * out here from WCAG 2's definition, not taken from the code); one colour per
 * configuration in every figure of a report, and a sweep line in its first
 * configuration's while no other line has that colour; p99 and
 * p99.9 markers that never overlap; legends of small multiples above or
 * below the plot; timelines with a time axis per run when the runs' lengths
 * differ widely, no taller than a page, and without an empty quadrant.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { CONFIG_PALETTE } from '../reports/theme.ts';
import { chartsOf, writeRun, type RunIn } from './report-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-figures-'));

/**
 * A sweep written by hand: grid trace.set.group `series` × device.channels `xs` (the first key
 * varying slowest, so configuration `g, x` is number series.indexOf(g) · xs.length + xs.indexOf(x)),
 * one seed, each point's run made by `run`; aggregate.csv holds each run's p99.
 */
export function handSweep(series: string[], xs: number[], run: (g: string, x: number) => RunIn): string {
  const dir = join(tmp(), 'sweep');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const keys = ['trace.set.group', 'device.channels'];
  let results = `run_id,point,${keys.join(',')},seed,status,sync.latency_us.p99,error\n`;
  let agg = `point,${keys.join(',')},metric,n,mean,sd,ci95,median\n`;
  let point = 0;
  for (const g of series) {
    for (const x of xs) {
      point++;
      const summary = writeRun(join(dir, 'runs', `p${point}`), run(g, x));
      const p99 = summary.sync.latency_us.p99 ?? '';
      results += `p${point},${point},${g},${x},1,ok,${p99},\n`;
      agg += `${point},${g},${x},sync.latency_us.p99,1,${p99},,,${p99}\n`;
    }
  }
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'figures', keys, metrics: ['sync.latency_us.p99'], seeds: [1] }));
  return dir;
}

/** Every colour scale of a spec whose domain is configuration or series labels: label → colour. */
function colourScales(spec: unknown, out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(spec)) for (const x of spec) colourScales(x, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    const scale = (o.color as { scale?: { domain?: unknown[]; range?: unknown[] } } | undefined)?.scale;
    if (scale?.domain && scale.range) {
      scale.domain.forEach((d, i) => {
        const prev = out.get(String(d));
        if (prev !== undefined && prev !== scale.range![i]) throw new Error(`${d}: two colours in one figure, ${prev} and ${scale.range![i]}`);
        out.set(String(d), String(scale.range![i]));
      });
    }
    for (const v of Object.values(o)) colourScales(v, out);
  }
  return out;
}

const find = (charts: Chart[], name: string): Chart => {
  const c = charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c;
};
const specOf = (c: Chart): VlSpec => c.spec(150, 60);

/** WCAG 2 contrast ratio of `hex` (#rrggbb) against white. */
function contrastOnWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 1.05 / (0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5) + 0.05);
}

/** Hue (degrees) and saturation (HSL, 0 to 1) of `hex`. */
function hueOf(hex: string): { hue: number; sat: number } {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
  if (d === 0) return { hue: 0, sat: 0 };
  const l = (max + min) / 2;
  const sat = d / (1 - Math.abs(2 * l - 1));
  const hue = max === r ? 60 * (((g - b) / d) % 6) : max === g ? 60 * ((b - r) / d + 2) : 60 * ((r - g) / d + 4);
  return { hue: (hue + 360) % 360, sat };
}

describe('the configuration palette', () => {
  it('the contrast helper of this test gives the known WCAG values', () => {
    expect(contrastOnWhite('#000000')).toBeCloseTo(21, 5);
    expect(contrastOnWhite('#767676')).toBeCloseTo(4.54, 2);
    // Okabe & Ito's yellow, which the palette used to end with
    expect(contrastOnWhite('#F0E442')).toBeLessThan(1.5);
    expect(hueOf('#F0E442').hue).toBeGreaterThan(50);
    expect(hueOf('#F0E442').hue).toBeLessThan(60);
  });

  it('has no yellow fainter than 3:1 on white, and sixteen distinct colours, the first eight Okabe & Ito\'s', () => {
    expect(CONFIG_PALETTE).toHaveLength(16);
    expect(new Set(CONFIG_PALETTE.map((c) => c.toLowerCase())).size).toBe(16);
    // Okabe & Ito's, as published, save the yellow (last) replaced by Tol's wine
    expect(CONFIG_PALETTE.slice(0, 8)).toEqual(['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#882255']);
    for (const c of CONFIG_PALETTE) {
      const { hue, sat } = hueOf(c);
      const yellow = sat > 0.3 && hue >= 45 && hue <= 75;
      if (yellow) expect(contrastOnWhite(c), c).toBeGreaterThanOrEqual(3);
    }
    expect(CONFIG_PALETTE).not.toContain('#F0E442');
    // the colour in its place (configurations 8, 24, ...) stands out on white
    expect(contrastOnWhite(CONFIG_PALETTE[7])).toBeGreaterThanOrEqual(3);
  });
});

describe('colours of a sweep\'s configurations across its figures', () => {
  /** Runs whose msyncs, timelines and writeback all differ: none merged with another. */
  const distinct = (g: string, x: number): RunIn => {
    const k = Number(g.slice(1)) * 10 + x;
    return { syncs: [{ t: 1, lat: 100 + k, pages: 1 }, { t: 2, lat: 300 + 7 * k, pages: 2 }], writeback: [{ cause: 'msync', bytes: 4096 * (k + 1) }], dirtied: 4096, timeline: [[0, 0, 0, 0], [k + 1, 1, 0, 1], [0, 0, 0, 0]] };
  };

  it('six configurations: each has one colour in the CDF, the percentiles, the timeline and the scatter, and a sweep line has its first one\'s', async () => {
    const series = ['g0', 'g1'], xs = [1, 2, 4];
    const charts = await chartsOf(handSweep(series, xs, distinct));
    // configuration i of the grid is colour i of the palette, the same wherever it is drawn
    const expected = new Map(series.flatMap((g, si) => xs.map((x, xi): [string, string] => [`${g}, ${x}`, CONFIG_PALETTE[si * xs.length + xi]])));
    for (const name of ['latency-cdf', 'latency-percentiles', 'timeline', 'latency-vs-pages']) {
      const scales = colourScales(specOf(find(charts, name)));
      expect([...scales.keys()].sort(), name).toEqual([...expected.keys()].sort());
      for (const [label, colour] of scales) expect(colour, `${name}: ${label}`).toBe(expected.get(label));
    }
    const line = colourScales(specOf(find(charts, 'sweep-p99-vs-channels')));
    expect(Object.fromEntries(line)).toEqual({ g0: expected.get('g0, 1'), g1: expected.get('g1, 1') });
  });
});

describe('the p99 and p99.9 markers of the latency CDF', () => {
  /** Two runs: `few`, two msyncs (p99 and p99.9 all but equal), and `tail`, 1,000 msyncs whose p99.9 is 100 times their p99. */
  function tails(): string {
    const base = tmp();
    writeRun(join(base, 'few'), { syncs: [{ t: 1, lat: 200, pages: 1 }, { t: 2, lat: 400, pages: 1 }] });
    const lats = Array.from({ length: 1000 }, (_, i) => (i < 985 ? 100 + (i % 50) : i < 998 ? 1_000 : 100_000));
    writeRun(join(base, 'tail'), { syncs: lats.map((lat, i) => ({ t: i + 1, lat, pages: 1 })) });
    return base;
  }

  it('never overlap: markers of one curve at the top stand a marker apart, or are one marker named for both', async () => {
    const { scalesOf } = await import('./report-fixtures.ts');
    const chart = find(await chartsOf(tails(), 238), 'latency-cdf');
    for (const cw of [60, 180, 400]) {
      const spec = chart.spec(cw, 140);
      const layer = (spec.layer as VlSpec[])[1];
      const marks = (layer.data as { values: ({ config: string; percentile: string; fraction: number } & Record<string, number>)[] }).values;
      // the latency's field, named for the unit it is drawn in (latency_ms since 2026-12-08 when ms read better)
      const f = (layer.encoding as { x: { field: string } }).x.field;
      const size = (layer.mark as { size: number }).size;
      const { x, y } = await scalesOf(spec);
      for (const a of marks) {
        for (const b of marks) {
          if (a === b || a.config !== b.config) continue;
          const apart = Math.max(Math.abs(x(a[f]!) - x(b[f]!)), Math.abs(y(a.fraction) - y(b.fraction)));
          expect(apart, `${a.config} ${a.percentile} and ${b.percentile} at ${cw} px`).toBeGreaterThanOrEqual(Math.sqrt(size));
        }
      }
      // `few`'s p99 (398) and p99.9 (399.8 µs) are one marker at any width, in the legend as such
      expect(marks.filter((m) => m.config === 'few').map((m) => m.percentile)).toEqual(['p50', 'p99 ≈ p99.9']);
      const shape = (layer.encoding as { shape: { scale: { domain: string[]; range: string[] } } }).shape.scale;
      expect(shape.domain).toContain('p99 ≈ p99.9');
      expect(new Set(shape.range).size).toBe(shape.range.length);
    }
    // `tail`'s p99 and p99.9 are two decades apart: two markers wherever there is room for them
    const wide = ((chart.spec(180, 140).layer as VlSpec[])[1].data as { values: { config: string; percentile: string }[] }).values;
    expect(wide.filter((m) => m.config === 'tail').map((m) => m.percentile)).toEqual(['p50', 'p99', 'p99.9']);
  });
});

describe('legends of small multiples (--width 150)', () => {
  /** Every legend object in a spec, with its orient as drawn (the theme's default is top). */
  function legends(spec: unknown, out: { orient: string }[] = []): { orient: string }[] {
    if (Array.isArray(spec)) for (const x of spec) legends(x, out);
    else if (spec && typeof spec === 'object') {
      for (const [k, v] of Object.entries(spec)) {
        if (k === 'legend' && v && typeof v === 'object') out.push({ orient: (v as { orient?: string }).orient ?? 'top' });
        else if (k !== 'config') legends(v, out);
      }
    }
    return out;
  }

  it('stand above or below the plot, never beside or in it, and the CDF keeps most of the width for its plot', async () => {
    const { layoutChart } = await import('../reports/render.ts');
    const { THEMES } = await import('../reports/theme.ts');
    const dir = handSweep(['g0', 'g1'], [1, 2], (g, x) => ({ syncs: Array.from({ length: 200 }, (_, i) => ({ t: i + 1, lat: (g === 'g0' ? 100 : 300) * x + (i % 7) * 10 + (i === 199 ? 5000 : 0), pages: 1 })), timeline: [[0, 0, 0, 0], [x, 1, 0, 1]] }));
    const charts = await chartsOf(dir, 150);
    expect(charts.map((c) => c.name)).toContain('latency-cdf');
    for (const c of charts) {
      for (const l of legends(c.spec(90, 90))) expect(['top', 'bottom'], c.name).toContain(l.orient);
    }
    const cdf = find(charts, 'latency-cdf');
    const laid = await layoutChart(cdf, 150, THEMES.paper.padding);
    expect(laid.warnings).toEqual([]);
    // the y axis and its title take about 50 px: the rest is the plot's
    expect(laid.spec.width as number).toBeGreaterThanOrEqual(150 - 60);
    // at a single column's width the markers' legend still stands beside the plot, where it takes no height
    const single = find(await chartsOf(dir, 238), 'latency-cdf');
    expect(legends(single.spec(150, 100)).map((l) => l.orient)).toContain('right');
  });
});

describe('the timelines of a sweep', () => {
  /** `n` samples, 1 ms apart, of a sawtooth of dirty pages, writeback and queue depth; nothing wired (so three panels). */
  const samples = (n: number, k = 0): number[][] => Array.from({ length: n }, (_, i) => [(i % 10) + 1 + k, i % 3, 0, i % 4]);
  type View = { title?: { text: string }; width?: number; encoding?: Record<string, { scale?: { domain?: number[] }; axis?: Record<string, unknown> }>; layer?: View[] };
  type Panel = View & { vconcat?: View[] };
  /** The panels of a timeline spec, in reading order, and the spec's layout. */
  const panelsOf = (spec: VlSpec): Panel[] => (spec.concat as Panel[] | undefined)
    ?? [...((spec.vconcat as [{ hconcat: Panel[] }, Panel])[0].hconcat), (spec.vconcat as [unknown, Panel])[1]];
  /** Each strip (or overlaid panel) of a panel; one drawn as a band (a sawtooth too dense to draw) with its line's encoding. */
  const viewsOf = (p: Panel): View[] => (p.vconcat ?? [p]).map((v) => (v.layer ? { ...v, encoding: v.layer.at(-1)!.encoding } : v));
  const timelines = (charts: Chart[]) => charts.filter((c) => c.family === 'timeline');
  const noteOf = (spec: VlSpec) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');

  it('runs of 29 ms and 1,199 ms: each has a strip with a time axis of its own, labelled, fitted to its run', async () => {
    const dir = handSweep(['g0'], [1, 2], (_g, x) => ({ syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(x === 1 ? 30 : 1200) }));
    const [chart, ...more] = timelines(await chartsOf(dir, 238));
    expect(more).toEqual([]);
    const spec = chart.spec(100, 30);
    expect((spec.resolve as { scale: { x: string } }).scale.x).toBe('independent');
    for (const panel of panelsOf(spec)) {
      const strips = viewsOf(panel);
      expect(strips.map((s) => s.title?.text)).toEqual(['g0, 1', 'g0, 2']);
      // the last sample of each run, in ms: 29 and 1,199
      expect(strips.map((s) => s.encoding!.x.scale!.domain)).toEqual([[0, 29], [0, 1199]]);
      // every strip's time axis has its labels (a shared axis is labelled under the bottom strip only)
      for (const s of strips) expect(s.encoding!.x.axis!.labels).not.toBe(false);
    }
    expect(noteOf(spec)).toContain('each strip has a time axis of its own, fitted to its run (runs of 29 ms to 1200 ms)');
    expect(chart.caption).toContain('more than 2× apart');
  });

  it('runs of 29 ms and 2,999 ms: each strip in its own run\'s unit, named after the strip, and the axis title says so', async () => {
    const dir = handSweep(['g0'], [1, 2], (_g, x) => ({ syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(x === 1 ? 30 : 3000) }));
    const spec = timelines(await chartsOf(dir, 238))[0].spec(100, 30);
    const panels = panelsOf(spec);
    for (const panel of panels) {
      const strips = viewsOf(panel);
      type TimeX = { field?: string; title?: string | null; scale?: { domain?: number[] } };
      expect(strips.map((s) => s.title?.text)).toEqual(['g0, 1 (time in ms)', 'g0, 2 (time in s)']);
      // the short run in ms (its last sample at 29 ms), the long one in s (2,999 ms)
      expect(strips.map((s) => { const x = s.encoding!.x as TimeX; return [x.field, x.scale!.domain]; })).toEqual([['t_ms', [0, 29]], ['t', [0, 2.999]]]);
    }
    const titles = panels.flatMap(viewsOf).map((v) => (v.encoding!.x as { title?: string | null }).title).filter((t) => t);
    expect(new Set(titles)).toEqual(new Set(["simulated time (each strip's unit after its name)"]));
    // the data carry both fields: every row its time in ms and in s
    const rows = (spec.data as { values: { t_ms: number; t: number }[] }).values;
    for (const r of rows) expect(r.t).toBeCloseTo(r.t_ms / 1000, 9);
  });

  it('is drawn alone by --chart timeline-2 when there is one, and a timeline-N that is not there is named as such', async () => {
    const { buildCharts, chartContext } = await import('../reports/report.ts');
    const { loadResults } = await import('../reports/data.ts');
    const { THEMES } = await import('../reports/theme.ts');
    const series = ['g0', 'g1'], xs = [1, 2, 3, 4];
    const dir = handSweep(series, xs, (g, x) => ({ syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(100, Number(g.slice(1)) * 10 + x) }));
    const ctx = async () => chartContext(await loadResults(dir), THEMES.paper, 238);
    const all = timelines(await chartsOf(dir, 238)).map((c) => c.name);
    expect(all.length).toBeGreaterThan(1);
    expect((await buildCharts(await ctx(), ['timeline-2'])).map((c) => c.name)).toEqual(['timeline-2']);
    expect((await buildCharts(await ctx(), ['timeline'])).map((c) => c.name)).toEqual(all);
    await expect(buildCharts(await ctx(), ['timeline-9'])).rejects.toThrow(`chart 'timeline-9' does not exist: the timeline of ${dir} is drawn in ${all.length} figures`);
  });

  it('runs of similar length (99 and 149 ms) share one time axis, overlaid or in strips', async () => {
    for (const xs of [[1, 2], [1, 2, 3, 4]]) {
      const dir = handSweep(['g0'], xs, (_g, x) => ({ syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(x === 1 ? 100 : 150, x) }));
      const spec = timelines(await chartsOf(dir, 238))[0].spec(100, 30);
      const views = panelsOf(spec).flatMap(viewsOf);
      expect(views.length).toBe(3 * (xs.length > 2 ? xs.length : 1));
      for (const v of views) expect(v.encoding!.x.scale!.domain).toEqual([0, 149]);
      expect(noteOf(spec)).not.toContain('time axis of its own');
    }
  });

  it('of eight configurations are never taller than a page: their strips go into as many figures as need be, each naming the others', async () => {
    const { THEMES } = await import('../reports/theme.ts');
    const { layoutChart } = await import('../reports/render.ts');
    const series = ['g0', 'g1'], xs = [1, 2, 3, 4];
    const labels = series.flatMap((g) => xs.map((x) => `${g}, ${x}`));
    const dir = handSweep(series, xs, (g, x) => ({ syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(100, Number(g.slice(1)) * 10 + x) }));
    for (const width of [150, 238, 504]) {
      const charts = timelines(await chartsOf(dir, width));
      const strips: string[] = [];
      for (const c of charts) {
        expect(c.height(width), `${c.name} at ${width} px`).toBeLessThanOrEqual(THEMES.paper.maxFigureHeight);
        const spec = c.spec(100, 30);
        const names = viewsOf(panelsOf(spec)[0]).map((v) => v.title!.text);
        strips.push(...names);
        if (charts.length > 1) expect(noteOf(spec)).toMatch(/strips \d+(–\d+)? of 8 \(/);
      }
      expect(strips).toEqual(labels);
      expect(charts.map((c) => c.name)).toEqual(charts.map((_, i) => (i === 0 ? 'timeline' : `timeline-${i + 1}`)));
      if (width === 238) {
        expect(charts.length).toBeGreaterThan(1);
        const laid = await layoutChart(charts[0], width, THEMES.paper.padding);
        expect(laid.warnings).toEqual([]);
        expect(laid.height).toBeLessThanOrEqual(THEMES.paper.maxFigureHeight);
      }
    }
  });

  it('of three panels leave no empty quadrant: two above, the third as wide as both, its y axis aligned with theirs', async () => {
    // two configurations overlaid at double width, and five in strips at a single column's: wired pages is 0, three panels
    const overlaid = handSweep(['g0'], [1, 2], (_g, x) => ({ syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(100, x) }));
    const stripped = handSweep(['g0'], [1, 2, 3, 4, 5], (_g, x) => ({ syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: samples(100, x) }));
    for (const [dir, width] of [[overlaid, 504], [stripped, 238]] as const) {
      for (const chart of timelines(await chartsOf(dir, width))) {
        const [cw, ch] = [100, 30];
        const spec = chart.spec(cw, ch);
        // no grid of panels with a hole: a concat in columns fills its last row
        JSON.stringify(spec, (_k, v) => {
          if (v && typeof v === 'object' && Array.isArray(v.concat) && typeof v.columns === 'number') expect(v.concat.length % v.columns, 'a grid with an empty cell').toBe(0);
          return v;
        });
        const [top, wide] = spec.vconcat as [{ hconcat: Panel[] }, Panel];
        expect(top.hconcat).toHaveLength(2);
        // every y axis one width, so the wide panel's plot runs from the left plot's left edge to the right one's right edge
        const extents = new Set([...top.hconcat, wide].flatMap(viewsOf).map((v) => `${v.encoding!.y.axis!.minExtent}/${v.encoding!.y.axis!.maxExtent}`));
        expect(extents.size).toBe(1);
        const extent = viewsOf(wide)[0].encoding!.y.axis!.minExtent as number;
        expect(extent).toBeGreaterThan(0);
        for (const v of viewsOf(wide)) expect(v.width).toBe(2 * cw + (spec.spacing as number) + extent);
        for (const v of top.hconcat.flatMap(viewsOf)) expect(v.width).toBe(cw);
        expect(chart.cells.x).toBe(2);
      }
    }
  });
});
