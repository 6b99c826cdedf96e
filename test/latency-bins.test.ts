/**
 * latency-vs-pages density bins (figure defect D): bins 5 pages wide drawn at
 * their centres put a mark at 102 pages over msyncs of 94-100 pages, beyond
 * every msync, and a bin of one msync had no visible size. Each bin's mark
 * must lie within its own msyncs' extent (pages and latency), and every
 * non-empty bin must be drawn at least as large as a scatter point.
 *
 * The msyncs are hand-made (syncs.csv); a bin's members are found from the
 * input by the range the bin declares, not from the code's own statistics.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { binLegendValues } from '../reports/charts/latency-vs-pages.ts';
import { THEMES } from '../reports/theme.ts';
import type { VlSpec } from '../reports/chart.ts';
import { chartNamed, chartsOf, writeRun, type SyncIn } from './report-fixtures.ts';

const paper = THEMES.paper;

/**
 * 2,205 msyncs of 94 to 100 pages (more than the 2,000 a scatter draws), as the user's random-writer run had: most near 100 pages
 * and 3,800-4,200 µs, and two lone msyncs of about 950 µs (99 and 100 pages), each a bin of its own.
 */
function userSyncs(): SyncIn[] {
  const perPages: [number, number][] = [[94, 2], [95, 14], [96, 59], [97, 173], [98, 495], [99, 797], [100, 663]];
  const syncs: SyncIn[] = [];
  let t = 0;
  for (const [pages, n] of perPages) {
    for (let i = 0; i < n; i++) syncs.push({ t: t++, lat: 3800 + ((i * 37 + pages * 11) % 390), pages });
  }
  syncs.push({ t: t++, lat: 952.8, pages: 99 }, { t: t++, lat: 962.1, pages: 100 });
  return syncs;
}

type Bin = { pages: number; pages_lo: number; pages_hi: number; latency_us: number; latency_lo: number; latency_hi: number; count: number };

/** The drawn circles of a spec: their datum and area (px²), as vega's scenegraph has them. */
async function circles(spec: VlSpec): Promise<{ datum: Bin; size: number; x: number }[]> {
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
  await view.runAsync();
  type Node = { marktype?: string; role?: string; items?: Node[]; datum?: Bin; size?: number; x?: number };
  const out: { datum: Bin; size: number; x: number }[] = [];
  const visit = (node: Node, mark?: Node) => {
    if (node.marktype) {
      for (const it of node.items ?? []) visit(it, node);
      return;
    }
    if (mark?.role === 'mark' && mark.marktype === 'symbol' && node.datum && typeof node.datum.count === 'number') out.push({ datum: node.datum, size: node.size ?? 0, x: node.x ?? NaN });
    for (const c of node.items ?? []) visit(c);
  };
  visit((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  return out;
}

describe('density bins are drawn where their msyncs are, each visible (defect D)', () => {
  it("every bin's mark lies within its msyncs' pages and latency, and no mark stands beyond the data", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-bins-')), 'run');
    const syncs = userSyncs();
    writeRun(dir, { syncs });
    const spec = chartNamed(await chartsOf(dir), 'latency-vs-pages').spec(200, 140) as { data: { values: Bin[] } };
    const bins = spec.data.values;
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(syncs.length);
    // bins wider than a page (the user's case): a bin's centre is not where its msyncs are
    expect(bins.some((b) => b.pages_hi > b.pages_lo)).toBe(true);
    for (const b of bins) {
      const members = syncs.filter((s) => s.pages >= b.pages_lo && s.pages <= b.pages_hi && s.lat >= b.latency_lo * (1 - 1e-12) && s.lat < b.latency_hi);
      expect(members.length, `bin ${JSON.stringify(b)}`).toBe(b.count);
      const pages = members.map((s) => s.pages), lats = members.map((s) => s.lat);
      expect(b.pages).toBeGreaterThanOrEqual(Math.min(...pages));
      expect(b.pages).toBeLessThanOrEqual(Math.max(...pages));
      expect(b.latency_us).toBeGreaterThanOrEqual(Math.min(...lats));
      expect(b.latency_us).toBeLessThanOrEqual(Math.max(...lats));
    }
    // nothing at 102 pages: the marks span the msyncs' pages, 94 to 100
    expect(Math.max(...bins.map((b) => b.pages))).toBeLessThanOrEqual(100);
    expect(Math.min(...bins.map((b) => b.pages))).toBeGreaterThanOrEqual(94);
  });

  it('every non-empty bin, one msync included, is drawn at least as large as a scatter point, and inside the plot', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-bins-')), 'run');
    writeRun(dir, { syncs: userSyncs() });
    const [w, h] = [200, 140];
    const drawn = await circles(chartNamed(await chartsOf(dir), 'latency-vs-pages').spec(w, h));
    expect(drawn.length).toBeGreaterThan(0);
    // the two lone msyncs of ~950 µs are bins of one
    expect(drawn.filter((c) => c.datum.count === 1).length).toBeGreaterThanOrEqual(2);
    for (const c of drawn) {
      expect(c.size, `bin of ${c.datum.count} msyncs`).toBeGreaterThanOrEqual(paper.pointSize);
      // the whole circle within the plot's width
      const r = Math.sqrt(c.size / Math.PI);
      expect(c.x - r).toBeGreaterThanOrEqual(0);
      expect(c.x + r).toBeLessThanOrEqual(w);
    }
    // a fuller bin is drawn larger
    const bySize = [...drawn].sort((a, b) => a.datum.count - b.datum.count);
    for (let i = 1; i < bySize.length; i++) if (bySize[i]!.datum.count > bySize[i - 1]!.datum.count) expect(bySize[i]!.size).toBeGreaterThan(bySize[i - 1]!.size);
  });

  it('the size legend shows counts a bin can hold: 1 and round counts up to the fullest, never 0', () => {
    expect(binLegendValues(1233)).toEqual([1, 500, 1000]);
    expect(binLegendValues(640)).toEqual([1, 500]);
    // every bin one msync: the legend shows 1 only (not a 2 that no bin holds)
    expect(binLegendValues(1)).toEqual([1]);
    expect(binLegendValues(2)).toEqual([1, 2]);
    expect(binLegendValues(30)).toEqual([1, 10, 20, 30]);
  });
});
