/**
 * A new user's look at a sweep's figures (helper-68, third look): timeline
 * strip names were cut (`nvme, none = nvme, f…`); the timeline's counts read
 * `0.5k, 1k` beside the other charts' `1,500`.
 * Expected values are worked out here from the rules the README states and
 * the paper theme's sizes (8 pt labels, PNG at 2×), not taken from the code.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNT_LABELS } from '../reports/chart.ts';
import { textWidth } from '../reports/fonts.ts';
import { layoutChart } from '../reports/render.ts';
import { wrapMerged } from '../reports/series.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, writeRun, type AggPoint, type RunIn } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-review3-'));

/** The text a reader of the SVG sees: its <text> elements' contents, runs of white space as one. */
function visibleText(svg: string): string {
  return [...svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ')).join(' ')
    .replace(/&amp;/g, '&').replace(/&#39;|&apos;/g, "'").replace(/\s+/g, ' ');
}

/** Every object in `spec` (depth first) for which `pick` is true. */
function objects(spec: unknown, pick: (o: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  JSON.stringify(spec, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && pick(v)) out.push(v);
    return v;
  });
  return out;
}

/**
 * A sweep directory over `keys` whose grid point i ran `runs[i]` (its lowest and only seed), with results.csv and
 * experiment.json as `syncsim sweep` writes them.
 */
function runSweep(keys: string[], points: (string | number)[][], runs: RunIn[]): string {
  const dir = join(tmp(), 'sweep');
  let results = `run_id,point,${keys.join(',')},seed,status,sync.latency_us.p99,error\n`;
  points.forEach((values, i) => {
    const s = writeRun(join(dir, 'runs', `r${i}`), runs[i]!);
    results += `r${i},${i + 1},${values.join(',')},1,ok,${s.sync.latency_us.p99},\n`;
  });
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ name: 'review3', keys, metrics: ['sync.latency_us.p99'], seeds: [1] }));
  return dir;
}

describe('timeline strip names are never cut (`nvme, none = nvme, f…`)', () => {
  // device.profile [nvme, sata-ssd, hdd] × writeback.policy [none, flusher]: the policies changed nothing (identical
  // timelines, one strip each pair); the hdd run 48× as long as the nvme one, so each strip has its time axis
  const KEYS = ['device.profile', 'writeback.policy'];
  const POINTS = [['nvme', 'none'], ['nvme', 'flusher'], ['sata-ssd', 'none'], ['sata-ssd', 'flusher'], ['hdd', 'none'], ['hdd', 'flusher']];
  const len: Record<string, number> = { nvme: 10, 'sata-ssd': 12, hdd: 480 };
  const dir = () => runSweep(KEYS, POINTS, POINTS.map(([d]) => ({
    syncs: [{ t: 1, lat: 100, pages: 1 }],
    timeline: Array.from({ length: len[d as string]! }, (_, i) => [150 + (i % 40), i % 3, 0, i % 4]),
  })));

  it('wrapMerged breaks at the joins first, each line within the width, and loses no character', () => {
    // "nvme, none = nvme, flusher" is about 95 pt at 8 pt: on 80 pt, a member a line, the first ending in ' ='
    expect(textWidth('nvme, none = nvme, flusher', 8)).toBeGreaterThan(80);
    expect(wrapMerged('nvme, none = nvme, flusher', 8, 80)).toEqual(['nvme, none =', 'nvme, flusher']);
    expect(wrapMerged('a = b = c', 8, 200)).toEqual(['a = b = c']);
    // a member wider than the line is broken between its words; the next member goes on after its last line if it fits
    const long = 'a very long configuration name = b';
    const lines = wrapMerged(long, 8, 60);
    for (const l of lines) expect(textWidth(l, 8)).toBeLessThanOrEqual(60);
    expect(lines.join(' ')).toBe(long);
    expect(lines.at(-1)).toBe('name = b');
    expect(wrapMerged('a very long configuration name = second member', 8, 60).at(-2)).toBe('name =');
  });

  for (const width of [150, 238, 504]) {
    it(`at ${width} pt each strip's name is whole, on lines no wider than its plot, and the figure stays within its bound`, async () => {
      const charts = (await chartsOf(dir(), width)).filter((c) => c.family === 'timeline');
      // (a narrow figure's strips go on in timeline-2, ...: the names over all of them)
      const names = new Set<string>();
      for (const chart of charts) {
        const laid = await layoutChart(chart, width, paper.padding);
        expect(laid.warnings).toEqual([]);
        const titles = objects(laid.spec, (o) => (o.title as { color?: string } | undefined)?.color === '#444444' && !!(o.transform)).map((o) => o.title as { text: string | string[]; limit: number });
        expect(titles.length).toBeGreaterThan(0);
        for (const t of titles) {
          const lines = Array.isArray(t.text) ? t.text : [t.text];
          // the name needs the width of its widest line, which its strip's plot has (vega would cut past `limit`)
          for (const l of lines) expect(textWidth(l, paper.fontSize.label), `${l} at ${width} pt`).toBeLessThanOrEqual(t.limit + 1e-9);
          names.add(lines.join(' '));
        }
        const text = visibleText(laid.svg);
        expect(text).not.toContain('…');
        // the bound that splits figures holds the figure, taller by the names' extra lines
        expect(laid.height).toBeLessThanOrEqual(Math.round(chart.height(width)));
        expect(laid.height).toBeLessThanOrEqual(paper.maxFigureHeight);
      }
      expect([...names].sort()).toEqual(['hdd, none = hdd, flusher', 'nvme, none = nvme, flusher', 'sata-ssd, none = sata-ssd, flusher']);
    });
  }

  it('in a single column the joined names of the user\'s figure go on two lines, a configuration a line', async () => {
    const chart = chartNamed(await chartsOf(dir(), 238), 'timeline');
    const laid = await layoutChart(chart, 238, paper.padding);
    const texts = objects(laid.spec, (o) => (o.title as { color?: string } | undefined)?.color === '#444444' && !!(o.transform)).map((o) => (o.title as { text: unknown }).text);
    expect(texts).toContainEqual(['nvme, none =', 'nvme, flusher']);
    expect(texts).toContainEqual(['sata-ssd, none =', 'sata-ssd, flusher']);
  });
});

describe('count axes are comma-grouped in every chart, never SI-prefixed', () => {
  /** Two runs whose dirty pages climb to 1,600 (the user's `0, 0.5k, 1k, 1.5k`). */
  const twoRuns = () => {
    const base = tmp();
    for (const [k, name] of ['linux', 'freebsd'].entries()) {
      writeRun(join(base, name), {
        syncs: [{ t: 1, lat: 100 + k, pages: 1 }],
        timeline: Array.from({ length: 40 }, (_, i) => [i * 40 + k * 7, i % 3, 0, (i + k) % 4]),
      });
    }
    return base;
  };

  it("the timeline's dirty-pages axis reads 0, 500, 1,000, 1,500 (was 0, 0.5k, 1k, 1.5k)", async () => {
    const chart = chartNamed(await chartsOf(twoRuns()), 'timeline');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect(laid.warnings).toEqual([]);
    const axes = objects(laid.spec, (o) => (o.y as { axis?: unknown } | undefined)?.axis !== undefined).map((o) => (o.y as { axis: Record<string, unknown> }).axis);
    expect(axes.length).toBe(3); // dirty, under writeback, queue depth (nothing wired)
    for (const a of axes) {
      expect(a.labelExpr).toBe(COUNT_LABELS.labelExpr);
      expect(a.format).toBeUndefined();
    }
    const text = visibleText(laid.svg);
    expect(text).toMatch(/\b1,500\b/);
    expect(text).not.toMatch(/\d(\.\d+)?k\b/);
  });

  it('strips too: 0 and a round top value in full (1,500 for 1,599)', async () => {
    const base = tmp();
    for (let i = 0; i < 5; i++) writeRun(join(base, `run${i}`), { syncs: [{ t: 1, lat: 100 + i, pages: 1 }], timeline: Array.from({ length: 40 }, (_, j) => [j * 41 + i, j % 3, 0, j % 4]) });
    const chart = chartNamed(await chartsOf(base), 'timeline');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect(laid.warnings).toEqual([]);
    expect(visibleText(laid.svg)).toContain('1,500');
    expect(visibleText(laid.svg)).not.toMatch(/\d(\.\d+)?k\b/);
  });

  it("a sweep's x axis of counts from 10,000 reads 10,000 and 100,000 (was 10k, 100k)", async () => {
    const points: AggPoint[] = [];
    for (const k of ['linux', 'xnu']) for (const x of [1000, 10000, 100000]) points.push({ values: [k, x], stats: { 'sync.latency_us.p99': [500 + x / 1000, 20, 3] } });
    const chart = chartNamed(await chartsOf(aggSweep(['personality', 'trace.set.rate'], ['sync.latency_us.p99'], points)), 'sweep-p99-vs-rate');
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect((laid.spec.encoding as { x: { axis: Record<string, unknown> } }).x.axis.labelExpr).toBe(COUNT_LABELS.labelExpr);
    const text = visibleText(laid.svg);
    for (const t of ['1,000', '10,000', '100,000']) expect(text).toContain(t);
    expect(text).not.toMatch(/\b\d+k\b/);
  });

  it('no chart of a report asks vega for SI prefixes', async () => {
    const specs = [...await chartsOf(twoRuns()), ...await chartsOf(runSweep(['personality'], [['linux'], ['freebsd']], [
      { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: [[0, 0, 0, 0], [1200, 0, 0, 2]] },
      { syncs: [{ t: 1, lat: 200, pages: 1 }], timeline: [[0, 0, 0, 0], [1700, 0, 0, 3]] },
    ]))].map((c) => JSON.stringify(c.spec(200, 130)));
    for (const s of specs) expect(s).not.toMatch(/"format":"~?s"/);
  });
});
