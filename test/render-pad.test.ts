/**
 * A figure's last pixels go into its right and bottom padding (reports/render.ts,
 * layoutChart). Instead of drawing the chart again with that padding, the SVG
 * already drawn is made wider and taller (padSvg): this checks that it is the SVG
 * vega draws with the padding, byte for byte, for every chart of a run (at two
 * widths) and of a directory of three runs (at a third), and that a figure still ends exactly
 * at the width asked for.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutChart, padSvg, vlToSvg } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import type { VlSpec } from '../reports/chart.ts';
import { syncsimHere } from './cli-here.ts';
import { chartsOf, writeRun } from './report-fixtures.ts';
import { DEMO } from './out-fixtures.ts';

const paper = THEMES.paper;

describe('padding a laid-out figure', () => {
  it('gives the bytes vega draws with that padding, for every chart of a run at 150 and 238 pt and of three runs at 504 pt', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-render-pad-'));
    expect((await syncsimHere(['run', DEMO, '--out', 'demo', '-q', '--no-cache'], d)).code).toBe(0);
    for (let i = 0; i < 3; i++) {
      const timeline = Array.from({ length: 40 + 30 * i }, (_, j) => [(j % 10) + 1 + i, j % 3, 0, j % 4]);
      writeRun(join(d, 'three', `run${i}`), { syncs: [{ t: 1, lat: 100 + 40 * i, pages: 1 + i }, { t: 2, lat: 300, pages: 2 }], timeline });
    }
    let padded = 0;
    for (const [dir, widths] of [[join(d, 'demo'), [150, 238]], [join(d, 'three'), [504]]] as const) {
      for (const width of widths) {
        for (const chart of await chartsOf(dir, width)) {
          const laid = await layoutChart(chart, width, paper.padding);
          expect(laid.width, `${chart.name} at ${width}`).toBe(width);
          const p = laid.spec.padding as { left: number; top: number; right: number; bottom: number };
          const drawn = await vlToSvg(laid.spec);
          expect(laid.svg === drawn.svg, `${chart.name} at ${width}: the SVG is vega's of the spec written`).toBe(true);
          if (typeof p !== 'object' || (p.right === paper.padding && p.bottom === paper.padding)) continue;
          const bare: VlSpec = { ...laid.spec, padding: { ...p, right: paper.padding, bottom: paper.padding } };
          const r = await vlToSvg(bare);
          expect(padSvg(r.svg, r.width + p.right - paper.padding, r.height + p.bottom - paper.padding) === drawn.svg, `${chart.name} at ${width}`).toBe(true);
          padded++;
        }
      }
    }
    expect(padded).toBeGreaterThan(6);
  }, 120_000);

  it('returns undefined for an SVG that does not start as vega\'s, which is then drawn again', () => {
    expect(padSvg('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g/></svg>', 12, 12)).toBeUndefined();
    expect(padSvg('<svg class="marks" width="10" height="5" viewBox="0 0 10 5"><rect width="10" height="5" fill="white"/><g/></svg>', 12.5, 7))
      .toBe('<svg class="marks" width="12.5" height="7" viewBox="0 0 12.5 7"><rect width="12.5" height="7" fill="white"/><g/></svg>');
  });
});
