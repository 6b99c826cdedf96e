/**
 * The look of a configuration (colour, point shape, line dash) in the charts
 * and in index.html: the swatch of configuration i is drawn as its series is,
 * sweep lines spread the colours before shapes, a chart with more series than
 * distinct looks says so, legends list every series, and the error bars of
 * many series stay inside the plot and beside their own x.
 *
 * Expected looks are written out from the documented rule (theme.ts
 * configStyle: colour i mod 16, the first eight Okabe & Ito's palette with its
 * yellow replaced by Tol's wine, the ninth Tol's dark olive #666633 and the
 * tenth Kelly's violet #604E97; shape and dash ⌊i / 8⌋ mod 8).
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { ciNote } from '../reports/chart.ts';
import { loadResults } from '../reports/data.ts';
import { resolveConfig } from '../sim/config.ts';
import { layoutChart, vlToSvg } from '../reports/render.ts';
import { makeReport, settingsTables } from '../reports/report.ts';
import { chartStyles } from '../reports/series.ts';
import { symbolPath } from '../reports/swatch.ts';
import { configColorScale, THEMES } from '../reports/theme.ts';
import { chartsOf, scalesOf, timelineLine, writeRun } from './report-fixtures.ts';
import { roundBelow, TIMELINE_MAX_OVERLAID } from '../reports/charts/timeline.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-looks-'));
const titleText = (spec: VlSpec) => ((spec.title as { text: string[] } | undefined)?.text ?? []).join(' ');
const find = (charts: Chart[], name: string): Chart => {
  const c = charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c;
};
type Scale = { domain: string[]; range: unknown[] };
type Enc = Record<string, { scale?: Scale }>;

/** A runs directory of `n` runs run00, run01, ... whose latencies differ (none identical) unless `latency` says otherwise. */
function runs(n: number, latency: (i: number) => number = (i) => 100 + 10 * i): string {
  const base = tmp();
  for (let i = 0; i < n; i++) {
    writeRun(join(base, `run${String(i).padStart(2, '0')}`), { syncs: [{ t: 1, lat: latency(i), pages: 1 }, { t: 2, lat: 3 * latency(i), pages: 2 }] });
  }
  return base;
}

/** The swatches of index.html's first table, in order: the th text after it, its line colour, dash and aria label. */
function swatches(html: string): { label: string; color: string; dash: string | null; aria: string }[] {
  const re = /<svg class="swatch"[^>]*aria-label="([^"]*)"><line [^>]*stroke="([^"]*)"[^>]*?(?: stroke-dasharray="([^"]*)")?\/><path [^>]*\/><\/svg>([^<]*)/g;
  return [...html.matchAll(re)].map((m) => ({ aria: m[1], color: m[2], dash: m[3] ?? null, label: m[4] }));
}

/** The vertices of an SVG path of M, L, h, v, A and Z commands (an arc's end point), offset by (dx, dy). */
function vertices(d: string, dx = 0, dy = 0): [number, number][] {
  const out: [number, number][] = [];
  let x = 0, y = 0;
  for (const [, cmd, args] of d.matchAll(/([MLhvAZ])([^MLhvAZ]*)/g)) {
    const n = args.split(/[\s,]+/).filter(Boolean).map(Number);
    if (cmd === 'M' || cmd === 'L') [x, y] = n;
    else if (cmd === 'h') x += n[0];
    else if (cmd === 'v') y += n[0];
    else if (cmd === 'A') [x, y] = n.slice(-2);
    else continue;
    out.push([x + dx, y + dy]);
  }
  return out;
}

describe("index.html's swatches", () => {
  it('show each configuration as the charts draw it: colour, shape and dash, distinct beyond eight', async () => {
    const dir = runs(12);
    const out = join(tmp(), 'rep');
    await makeReport({ dir, out, formats: ['html'], theme: paper, width: 238 });
    const sw = swatches(readFileSync(join(out, 'index.html'), 'utf8'));
    expect(sw.map((s) => s.label)).toEqual(Array.from({ length: 12 }, (_, i) => `run${String(i).padStart(2, '0')}`));
    // 1st: blue circle, solid; 8th: wine circle; 9th: a colour of its own, dark olive, and a square on a 5-2 dash;
    // 10th: violet square, 5-2
    expect(sw[0]).toMatchObject({ color: '#0072B2', dash: null, aria: 'circle, solid line' });
    expect(sw[7]).toMatchObject({ color: '#882255', dash: null, aria: 'circle, solid line' });
    expect(sw[8]).toMatchObject({ color: '#666633', dash: '5 2', aria: 'square, dashed line' });
    expect(sw[9]).toMatchObject({ color: '#604E97', dash: '5 2', aria: 'square, dashed line' });
    expect(new Set(sw.map((s) => `${s.color} ${s.aria} ${s.dash}`)).size).toBe(12);
    // twelve configurations, twelve colours: none shares one
    expect(new Set(sw.map((s) => s.color)).size).toBe(12);
    // swatch i is series i of the percentile chart the page draws
    const spec = JSON.parse(readFileSync(join(out, 'latency-percentiles.vl.json'), 'utf8')) as VlSpec;
    const dots = (spec.layer as VlSpec[]).find((l) => (l.mark as { type: string }).type === 'point' && !(l.transform))!;
    const { color, shape } = dots.encoding as Enc;
    for (const s of sw) {
      const i = color.scale!.domain.indexOf(s.label);
      expect([color.scale!.range[i], shape.scale!.range[i]], s.label).toEqual([s.color, s.aria.split(',')[0]]);
    }
  });

  it("draw vega's own point shapes: each swatch shape has the vertices of vega's symbol of that shape and area", async () => {
    const shapes = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'];
    const { svg } = await vlToSvg({
      width: 40, height: 20, data: { values: shapes.map((shape) => ({ shape })) },
      mark: { type: 'point', filled: true, size: 42, x: 15, y: 6 },
      encoding: { shape: { field: 'shape', type: 'nominal', scale: { domain: shapes, range: shapes }, legend: null } },
    });
    const drawn = new Map([...svg.matchAll(/aria-label="shape: ([a-z-]+)"[^>]*transform="translate\(15,6\)" d="([^"]+)"/g)].map((m) => [m[1], vertices(m[2], 15, 6)]));
    expect([...drawn.keys()].sort()).toEqual([...shapes].sort());
    for (const shape of shapes) {
      const ours = vertices(symbolPath(shape, 42, 15, 6));
      expect(ours.length, shape).toBe(drawn.get(shape)!.length);
      ours.forEach(([x, y], i) => {
        const [vx, vy] = drawn.get(shape)![i];
        expect(Math.abs(x - vx) + Math.abs(y - vy), `${shape} vertex ${i}: ${x},${y} vs ${vx},${vy}`).toBeLessThan(0.02);
      });
    }
  });

  it('say when configurations outnumber the distinct looks: 70 configurations, configuration i + 64 looks like i', async () => {
    const results = await loadResults(runs(70));
    const [table] = settingsTables(results, configColorScale(results.configurations.map((c) => c.label)));
    expect(table.caption).toBe('Key settings; 70 configurations, only 64 distinct looks: configuration i + 64 looks like configuration i');
    expect(table.header[65].look).toEqual({ color: '#0072B2', shape: 'circle', dash: [1, 0], variant: 0 });
    const few = await loadResults(runs(64));
    expect(settingsTables(few, configColorScale(few.configurations.map((c) => c.label)))[0].caption).toBe('Key settings');
  });
});

describe('series looks in a chart', () => {
  it('latency-percentiles: a configuration keeps its own look (its swatch) when others merge, though a colour is free', async () => {
    // run00..run07 identical, run08 apart: two series, the second still run08's dark olive square, not a free orange circle
    const spec = find(await chartsOf(runs(9, (i) => (i < 8 ? 100 : 500))), 'latency-percentiles').spec(200, 150);
    const dots = (spec.layer as VlSpec[]).find((l) => (l.mark as { type: string }).type === 'point')!;
    const { color, shape } = dots.encoding as Enc;
    expect(color.scale!.domain).toEqual(['run00 = run01 = run02 = run03 = run04 = run05 = run06 = run07', 'run08']);
    expect(color.scale!.range).toEqual(['#0072B2', '#666633']);
    expect(shape.scale!.range).toEqual(['circle', 'square']);
  });

  it('sweep lines spread the colours: 12 lines whose first configurations are 0, 4, 8, ... use each of the 16 colours at most once', () => {
    // configurations 0, 4, 8, 12 keep their looks (blue, orange, dark olive square, brown square); then the lowest looks of
    // unused colours (16, 20, ... have the colours of 0, 4, ...)
    const styles = chartStyles([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44]);
    expect(styles).toEqual([0, 4, 8, 12, 1, 2, 3, 5, 6, 7, 9, 10]);
    expect(new Set(styles.map((i) => i % 16)).size).toBe(12);
    // configurations' own looks when they are the series
    expect(chartStyles([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44], false)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44]);
  });

  it('a chart of more series than distinct looks says so in the figure; one of 64 does not', async () => {
    const note = titleText(find(await chartsOf(runs(70), 504), 'latency-percentiles').spec(400, 200));
    expect(note).toContain('70 series, only 64 distinct looks (16 colours, 8 shapes and dashes): 6 look like an earlier series');
    expect(titleText(find(await chartsOf(runs(64), 504), 'latency-percentiles').spec(400, 200))).not.toContain('distinct looks');
  });

  it('a legend lists every series, past vega’s 30 entries', async () => {
    const laid = await layoutChart(find(await chartsOf(runs(40), 504), 'latency-percentiles'), 504, paper.padding);
    expect(laid.warnings).toEqual([]);
    for (const label of ['run00', 'run29', 'run39']) expect(laid.svg).toContain(`>${label}</text>`);
    expect(laid.svg).not.toContain('entries');
  });
});

/** A sweep of `series` values of trace.set.group × device.channels `xs`, aggregate.csv only, p99 mean 1000 + 40·s + 3000 / x, CI 20. */
function sweep(series: number, xs: number[]): string {
  const dir = join(tmp(), 'sweep');
  mkdirSync(dir, { recursive: true });
  const keys = ['trace.set.group', 'device.channels'];
  let results = `run_id,point,${keys.join(',')},seed,status,error\n`;
  let agg = `point,${keys.join(',')},metric,n,mean,sd,ci95,median\n`;
  let i = 0;
  for (let s = 0; s < series; s++) {
    for (const x of xs) {
      i++;
      const mean = 1000 + 40 * s + 3000 / x;
      results += `p${i},${i},g${s},${x},1,ok,\n`;
      agg += `${i},g${s},${x},sync.latency_us.p99,3,${mean},10,20,${mean}\n`;
    }
  }
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), agg);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'looks', keys, metrics: ['sync.latency_us.p99'], seeds: [1, 2, 3] }));
  return dir;
}

describe('error bars of many sweep lines', () => {
  it('70 lines at 4 x values: every dodged point inside the plot, the bars of one x within half the gap to the next', async () => {
    const laid = await layoutChart(find(await chartsOf(sweep(70, [1, 2, 4, 8]), 504), 'sweep-p99-vs-channels'), 504, paper.padding);
    const spec = laid.spec;
    const cw = spec.width as number;
    const { x } = await scalesOf(spec);
    const offsets = (spec.layer as VlSpec[]).filter((l) => (l.mark as { type: string }).type === 'line').map((l) => (l.mark as { xOffset: number }).xOffset);
    expect(offsets.length).toBe(70);
    const r = Math.sqrt(paper.pointSize / Math.PI);
    for (const v of [1, 2, 4, 8]) {
      for (const o of offsets) {
        expect(x(v) + o, `x=${v} offset ${o}`).toBeGreaterThanOrEqual(r);
        expect(x(v) + o, `x=${v} offset ${o}`).toBeLessThanOrEqual(cw - r);
      }
    }
    // log axis: 1 → 2, 2 → 4, 4 → 8 are equal gaps
    const gap = x(2) - x(1);
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThanOrEqual(gap / 2 + 0.01);
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(gap / 4);
  });
});

describe('timelines of many configurations', () => {
  /** A runs directory of `n` runs whose timelines differ (configuration i has i + 1 dirty pages at the second sample), `same` more a copy of run0's. */
  function timelines(n: number, same = 0): string {
    const base = tmp();
    for (let i = 0; i < n + same; i++) {
      const k = i < n ? i : 0;
      writeRun(join(base, `run${i}`), { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: [[0, 0, 0, 0], [k + 1, 1, 0, 1], [0, 0, 0, 0]] });
    }
    return base;
  }
  type View = { title?: { text: string }; transform?: { filter: { field: string; equal: string } }[]; encoding?: { color: { legend: unknown } } };
  type Panel = View & { vconcat?: View[] };
  /** The panels of a timeline spec: a grid of them (`concat`), or two above a wide third (`vconcat` of an `hconcat` and one). */
  const panelsOf = (spec: VlSpec): Panel[] => (spec.concat as Panel[] | undefined)
    ?? [...((spec.vconcat as [{ hconcat: Panel[] }, Panel])[0].hconcat), (spec.vconcat as [unknown, Panel])[1]];
  const titleOf = (spec: VlSpec) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');
  it('are overlaid in each panel up to three configurations, identical ones counted once, with a legend', async () => {
    for (const dir of [timelines(TIMELINE_MAX_OVERLAID), timelines(TIMELINE_MAX_OVERLAID, 1)]) {
      const chart = find(await chartsOf(dir, 238), 'timeline');
      const panels = panelsOf(chart.spec(200, 60));
      expect(panels.every((p) => p.vconcat === undefined && timelineLine<{ color: { legend: unknown } }>(p).color.legend !== null)).toBe(true);
      expect(chart.cells).toEqual({ x: 1, y: 3 });
      expect(chart.caption).not.toContain('strip');
    }
  });

  it('past three, get a strip each within every panel, named above it, two panels a row (three: two above a wide one), in figures no taller than a page; each fills its width', async () => {
    const all = ['run0 = run5', 'run1', 'run2', 'run3', 'run4'];
    for (const width of [238, 504]) {
      const charts = (await chartsOf(timelines(5, 1), width)).filter((c) => c.family === 'timeline');
      const strips: string[] = [];
      for (const chart of charts) {
        const spec = chart.spec(100, 26);
        const panels = panelsOf(spec);
        expect(panels).toHaveLength(3); // wired pages was 0 throughout
        expect(spec.concat).toBeUndefined();
        const names = panels[0].vconcat!.map((v) => v.title!.text);
        strips.push(...names);
        for (const p of panels) {
          expect(p.vconcat!.map((v) => v.title!.text)).toEqual(names);
          expect(p.vconcat!.map((v) => v.transform![0].filter)).toEqual(names.map((equal) => ({ field: 'config', equal })));
          for (const v of p.vconcat!) expect(timelineLine<{ color: { legend: unknown } }>(v).color.legend).toBeNull();
        }
        expect(chart.cells).toEqual({ x: 2, y: 2 * names.length });
        expect(chart.caption).toContain('each panel has a strip per configuration');
        expect(chart.caption).toContain('share one strip (run0 = run5)');
        expect(titleOf(spec)).toContain("'=' joins configurations with identical timelines");
        expect(chart.height(width)).toBeLessThanOrEqual(paper.maxFigureHeight);
        const laid = await layoutChart(chart, width, paper.padding);
        expect(laid.warnings).toEqual([]);
        // as tall as its strips make it (not stretched to fill a height), within the bound that split the figures
        expect(laid.width).toBe(width);
        expect(laid.height).toBeLessThanOrEqual(Math.round(chart.height(width)));
        // what the layout could not give the cells is padding: less than a pixel a cell each way
        const pad = (laid.spec.padding ?? { left: 0, right: 0, top: 0, bottom: 0 }) as { left: number; right: number; top: number; bottom: number };
        expect(pad.right - pad.left).toBeLessThan(chart.cells.x);
        expect(pad.bottom - pad.top).toBeLessThan(chart.cells.y);
        for (const label of names) expect(laid.svg).toContain(`>${label}</text>`);
      }
      // run5 is run0's copy: one strip, named for both; every strip in one figure or another, in order
      expect(strips).toEqual(all);
    }
    // narrower than a paper's column: one panel a row, which still fits
    const narrow = find(await chartsOf(timelines(5, 1), 150), 'timeline');
    expect(narrow.spec(100, 26).columns).toBe(1);
    expect((await layoutChart(narrow, 150, paper.padding)).warnings).toEqual([]);
  });
});

describe('a sweep chart squeezed short', () => {
  it('puts a y title longer than the plot is tall on two lines or more, the same in every layer', async () => {
    const chart = find(await chartsOf(sweep(2, [1, 2, 4, 8]), 150), 'sweep-p99-vs-channels');
    const titles = (ch: number) => (chart.spec(100, ch).layer as VlSpec[]).map((l) => (l.encoding as { y?: { title?: unknown } } | undefined)?.y?.title).filter((t) => t !== undefined);
    const tall = titles(400);
    expect(tall.every((t) => typeof t === 'string')).toBe(true);
    const short = titles(50);
    expect(short.length).toBeGreaterThan(1);
    expect(short.every((t) => Array.isArray(t) && t.length > 1)).toBe(true);
    expect(new Set(short.map((t) => JSON.stringify(t))).size).toBe(1);
    expect((short[0] as string[]).join(' ')).toBe(tall[0]);
  });
});

describe('a timeline drawn from buckets of samples', () => {
  it('says in the figure what its line and shading are (a sawtooth would read as a flat line)', async () => {
    const dir = join(tmp(), 'long');
    // 2000 samples of a sawtooth 0..9: until 2026-12-07 each point the largest of 4 samples, a line near 9 ('each point
    // is the largest of 4 samples (4 ms)'); now the mean of each stretch's samples, shaded from the least to the most
    writeRun(dir, { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: Array.from({ length: 2000 }, (_, i) => [i % 10, 0, 0, 1]) });
    const chart = find(await chartsOf(dir, 238), 'timeline');
    const note = ((chart.spec(200, 60).title as { text?: string[] } | undefined)?.text ?? []).join(' ');
    expect(note).toMatch(/line: mean of the samples in each \d+ ms; shaded: least to most sample/);
    expect(chart.caption).toMatch(/In each panel the line is the mean of the samples of timeline\.csv in each \d+ ms of simulated time/);
  });
});

describe('the in-figure words for n and a CI (ciNote)', () => {
  it('name the seeds and the bars; seeds that gave one value at every point are said to, with no bars named', () => {
    expect(ciNote(5, 5, 'bars')).toBe('n = 5 seeds per point; bars: 95 % CI of the mean');
    expect(ciNote(1, 3, 'band')).toBe('n = 1–3 seeds per point; band: 95 % CI of the mean (none where n = 1)');
    expect(ciNote(1, 1, null)).toBe('n = 1 seed per point; no CI (one seed)');
    expect(ciNote(2, 2, 'bars', 'configuration', true)).toBe('n = 2 seeds per configuration, which gave the same value at every configuration: no spread, no bars to draw');
  });
});

describe("a sweep report's settings table", () => {
  it('lists the values a setting takes across the grid points (a filesystem that follows a personality on the grid)', async () => {
    const { syncsimHere } = await import('./cli-here.ts');
    const d = mkdtempSync(join(tmpdir(), 'syncsim-settings-'));
    writeFileSync(join(d, 'e.yaml'), 'name: s\ntrace: { gen: seq-writer, set: { duration_s: 0.01 } }\ngrid:\n  personality: [linux, xnu]\n');
    expect((await syncsimHere(['sweep', 'e.yaml', '--out', 'sw'], d)).code).toBe(0);
    const results = await loadResults(join(d, 'sw'));
    const tables = settingsTables(results, configColorScale(results.configurations.map((c) => c.label)));
    const settings = tables.find((t) => t.caption.startsWith('Key settings of the grid points'))!;
    const row = (k: string) => settings.rows.find((r) => r[0] === k);
    expect(row('personality')?.[1]).toBe('varies: linux | xnu');
    expect(row('fs.kind')?.[1]).toBe('varies: ext4-ordered | apfs');
    // a setting every point shares: its one value
    expect(settings.rows.some((r) => !String(r[1]).startsWith('varies'))).toBe(true);
  });
});

describe("a runs directory's settings table", () => {
  it('adds a row for each configuration key that tells the runs apart beyond the usual ones (fs.extent_leaf), the device figures only when the profile is one', async () => {
    const base = tmp();
    const ext4 = (extent_leaf: boolean): Record<string, unknown> => ({ ...resolveConfig({ personality: 'linux', fs: { kind: 'ext4-nojournal', preallocated: false, extent_leaf } }) });
    writeRun(join(base, 'leaf'), { syncs: [{ t: 1, lat: 12, pages: 1 }], config: ext4(true) });
    writeRun(join(base, 'noleaf'), { syncs: [{ t: 1, lat: 10, pages: 1 }], config: ext4(false) });
    const results = await loadResults(base);
    const [table] = settingsTables(results, configColorScale(results.configurations.map((c) => c.label)));
    const keys = table.rows.map((r) => r[0]);
    expect(table.rows.find((r) => r[0] === 'fs.extent_leaf')).toEqual(['fs.extent_leaf', 'true', 'false']);
    // among the settings, before the results' rows; nothing the runs share is added
    expect(keys.indexOf('fs.extent_leaf')).toBeLessThan(keys.indexOf('simulated time'));
    expect(keys).not.toContain('fs.preallocated');
    // another device profile: its row names it, its figures (latencies, bandwidths) get no rows of their own
    writeRun(join(base, 'sata'), { syncs: [{ t: 1, lat: 11, pages: 1 }], config: { ...resolveConfig({ personality: 'linux', device: { profile: 'sata-ssd' }, fs: { kind: 'ext4-nojournal', preallocated: false } }) } });
    const three = await loadResults(base);
    const rows = settingsTables(three, configColorScale(three.configurations.map((c) => c.label)))[0].rows.map((r) => r[0]);
    expect(rows.filter((k) => k.startsWith('device'))).toEqual(['device']);
    expect(rows).toContain('fs.extent_leaf');
  });
});

describe('a timeline of the mach personality', () => {
  it('says why its pages under writeback stay at 0 (a page is clean once its data_return is sent), and only then', async () => {
    const base = mkdtempSync(join(tmpdir(), 'syncsim-mach-tl-'));
    const tl: number[][] = [[0, 0, 0, 0], [3, 1, 0, 1], [2, 0, 0, 2]];
    writeRun(join(base, 'mach'), { syncs: [{ t: 1, lat: 10, pages: 1 }], timeline: tl, config: { personality: 'mach' } });
    writeRun(join(base, 'linux'), { syncs: [{ t: 1, lat: 12, pages: 1 }], timeline: tl, config: { personality: 'linux' } });
    // the note's wrapped lines, joined
    const note = (charts: Chart[]) => {
      const t = (charts.find((c) => c.name === 'timeline')!.spec(400, 300).title as { text?: string | string[] } | undefined)?.text ?? '';
      return Array.isArray(t) ? t.join(' ') : t;
    };
    expect(note(await chartsOf(base))).toContain('mach: a page is clean once its data_return message is sent, so none stays under writeback');
    const other = mkdtempSync(join(tmpdir(), 'syncsim-linux-tl-'));
    writeRun(join(other, 'linux'), { syncs: [{ t: 1, lat: 12, pages: 1 }], timeline: tl, config: { personality: 'linux' } });
    expect(note(await chartsOf(other))).not.toContain('data_return');
  });
});

describe('roundBelow (a timeline strip\'s top tick)', () => {
  it('is the largest round value at or below the strip\'s largest, near it', () => {
    expect([45, 18, 9, 7.5, 1234, 99, 100, 0.5, 0].map(roundBelow)).toEqual([40, 15, 9, 7, 1000, 80, 100, 0.5, 0]);
  });
});
