/**
 * Lines hidden under others (reports/hidden-lines.ts): a step line drawn
 * before others whose strokes cover it everywhere is named in the figure's
 * note rather than left as a legend entry with no line to be seen (a new
 * user's sweep timeline: `linux, 8` one page under `linux, 32 = linux, 128`
 * at one point of 499, its pink legend entry with no pink anywhere).
 *
 * A stroke of width w is taken as the points within w/2 of the path along x
 * and along y (square joins); the property checks coveredBy against a raster
 * of exactly that, with margins that keep the raster's sampling out of it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coveredBy, hiddenNote, hiddenSeries, type StepLine } from '../reports/hidden-lines.ts';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

const W = 1.25, TOL = 0.25;

/** A step line through y values `ys` at x = 0, `dx`, 2 `dx`, ... */
const line = (ys: number[], dx = 0.5): StepLine => ys.map((y, i) => [i * dx, y] as const);

/** `n` values of `base`, with `peak` at index `at`. */
const flatWithPeak = (n: number, base: number, at: number, peak: number) => Array.from({ length: n }, (_, i) => (i === at ? peak : base));

describe('coveredBy: a step line under the strokes of others', () => {
  it("the user's timeline: a one-point peak lower than the same peak drawn over it is hidden (its run inside the other's two steps)", () => {
    // 0.48 px per point, as 83 ms of 41 s across 238 pt; the peaks 1.2 px apart (49.8 and 51 of a 60 px panel)
    const under = line(flatWithPeak(60, 5, 30, 9.8), 0.48), over = line(flatWithPeak(60, 5, 30, 11), 0.48);
    expect(coveredBy(under, [over], W, TOL)).toEqual(new Set([0]));
    // the other way round the higher peak shows above the lower one
    expect(coveredBy(over, [under], W, TOL)).toBeUndefined();
  });

  it('a lower run wider than a line shows between the steps of the line over it', () => {
    const under = line(flatWithPeak(60, 5, 30, 9.8), 3), over = line(flatWithPeak(60, 5, 30, 11), 3);
    expect(coveredBy(under, [over], W, TOL)).toBeUndefined();
  });

  it('a line within the tolerance of another is hidden by it; one a px off is not', () => {
    const over = line([3, 3, 4, 2, 2, 5]);
    expect(coveredBy(line([3.2, 3.2, 4.2, 2.2, 2.2, 5.2]), [over], W, TOL)).toBeDefined();
    expect(coveredBy(line([4, 4, 5, 3, 3, 6]), [over], W, TOL)).toBeUndefined();
  });

  it('a line longer than the one over it shows past its end', () => {
    expect(coveredBy(line([1, 1, 1, 1, 1, 1, 1, 1]), [line([1, 1, 1, 1])], W, TOL)).toBeUndefined();
  });

  it('a line of one point draws nothing and is not called hidden', () => {
    expect(coveredBy([[0, 1]], [line([1, 1, 1])], W, TOL)).toBeUndefined();
  });

  it('agrees with a raster of the strokes: hidden when a wider raster of it lies in a narrower one of the covers, shown when a point of it lies outside a wider one', () => {
    const R = 1 / 32, EPS = 1 / 32;
    // cell centres at (i + 0.5) R over [X0, X1] × [Y0, Y1]
    const X0 = -4, Y0 = -4, Y1 = 10;
    const raster = (lines: readonly StepLine[], d: number, x1: number) => {
      const nx = Math.ceil((x1 - X0) / R), ny = Math.ceil((Y1 - Y0) / R);
      const cells = new Uint8Array(nx * ny);
      for (const l of lines) {
        for (let i = 0; i + 1 < l.length; i++) {
          const [xa, ya] = l[i]!, [xb, yb] = l[i + 1]!;
          // the run at ya from xa to xb, then the step at xb from ya to yb, each grown by d along x and y
          for (const [x0, x1, y0, y1] of [[xa, xb, ya, ya], [xb, xb, Math.min(ya, yb), Math.max(ya, yb)]]) {
            const i0 = Math.max(0, Math.ceil((x0 - d - X0) / R - 0.5)), i1 = Math.min(nx - 1, Math.floor((x1 + d - X0) / R - 0.5));
            const j0 = Math.max(0, Math.ceil((y0 - d - Y0) / R - 0.5)), j1 = Math.min(ny - 1, Math.floor((y1 + d - Y0) / R - 0.5));
            for (let j = j0; j <= j1; j++) cells.fill(1, j * nx + i0, j * nx + i1 + 1);
          }
        }
      }
      return cells;
    };
    const within = (a: Uint8Array, b: Uint8Array) => a.every((v, i) => !v || b[i]);
    const ys = fc.array(fc.integer({ min: 0, max: 16 }).map((k) => k / 4), { minLength: 2, maxLength: 8 });
    const steps = (n: number) => fc.array(fc.integer({ min: 1, max: 12 }).map((k) => k / 4), { minLength: n, maxLength: n });
    // a cover: the line nudged (often hidden), or a line of its own
    const nudged = (l: StepLine) => fc.array(fc.integer({ min: -3, max: 3 }), { minLength: l.length, maxLength: l.length })
      .map((d) => l.map(([x, y], i) => [x, y + d[i]! / 16] as const));
    const anyLine = ys.chain((y) => steps(y.length).map((dx) => y.map((v, i) => [dx.slice(0, i).reduce((s, q) => s + q, 0), v] as const)));
    let hidden = 0, shown = 0;
    fc.assert(fc.property(anyLine.chain((l) => fc.tuple(fc.constant(l), fc.array(fc.oneof(nudged(l), anyLine), { minLength: 1, maxLength: 2 }))), ([l, covers]) => {
      const x1 = Math.max(...[l, ...covers].map((c) => c[c.length - 1]![0])) + 4;
      const result = coveredBy(l, covers, W, TOL);
      const h = W / 2;
      if (within(raster([l], h + R / 2, x1), raster(covers, h + TOL - EPS, x1))) {
        expect(result).toBeDefined();
        hidden++;
      }
      if (!within(raster([l], h, x1), raster(covers, h + TOL + EPS, x1))) {
        expect(result).toBeUndefined();
        shown++;
      }
    }), { numRuns: 150 });
    // both sides of the rule were put to the test
    expect(hidden).toBeGreaterThan(30);
    expect(shown).toBeGreaterThan(30);
  });
});

describe('hiddenSeries and hiddenNote', () => {
  it('name a line the later ones hide between them, with each that hides part of it; not one drawn last', () => {
    const whole = line(Array(41).fill(2)), left = line(Array(21).fill(2)), right: StepLine = line(Array(21).fill(2)).map(([x, y]) => [x + 10, y] as const);
    const series = (order: [string, StepLine][]) => order.map(([label, l]) => ({ label, panels: [l] }));
    expect(hiddenSeries(series([['a', whole], ['b', left], ['c', right]]), W, TOL)).toEqual([{ label: 'a', under: ['b', 'c'] }]);
    // drawn last, nothing is over it: left and right are each under it
    expect(hiddenSeries(series([['b', left], ['c', right], ['a', whole]]), W, TOL)).toEqual([{ label: 'b', under: ['a'] }, { label: 'c', under: ['a'] }]);
  });

  it('a line is hidden only when it is in every panel', () => {
    const p = line(flatWithPeak(20, 1, 10, 3.8), 0.48), q = line(flatWithPeak(20, 1, 10, 5), 0.48);
    expect(hiddenSeries([{ label: 'a', panels: [p, q] }, { label: 'b', panels: [q, p] }], W, TOL)).toEqual([]);
    expect(hiddenSeries([{ label: 'a', panels: [p, p] }, { label: 'b', panels: [q, q] }], W, TOL)).toEqual([{ label: 'a', under: ['b'] }]);
  });

  it('say which line is under which', () => {
    expect(hiddenNote([{ label: 'linux, 8', under: ['linux, 32 = linux, 128'] }], 'timelines')).toBe('linux, 8 is hidden under linux, 32 = linux, 128 (close timelines, not identical)');
    expect(hiddenNote([{ label: 'a', under: ['b', 'c', 'd'] }], 'timelines')).toBe('a is hidden under b, c and d (close timelines, not identical)');
    expect(hiddenNote([], 'timelines')).toBe('');
  });
});

describe('a timeline whose line is hidden under another', () => {
  /**
   * Two runs, a-… drawn first: 400 samples of 2 dirty pages but those that `first` and `second` set (row: pages),
   * and 1 I/O queued throughout. Since 2026-12-07 a line is the mean of each stretch's samples (two or four rows
   * here), so a one-row peak is no longer a line's own: runs whose samples differ (1 and 3 pages where the other
   * has 2 and 2) draw one line, one hidden under the other, while the shading shows both.
   */
  const twoRuns = (first: Record<number, number>, second: Record<number, number>) => {
    const base = mkdtempSync(join(tmpdir(), 'syncsim-hidden-'));
    for (const [name, set] of [['a-first', first], ['b-second', second]] as const) {
      writeRun(join(base, name), { syncs: [{ t: 1, lat: 100, pages: 1 }], timeline: Array.from({ length: 400 }, (_, i) => [set[i] ?? 2, 0, 0, 1]) });
    }
    return base;
  };
  const noteOf = async (dir: string) => {
    const chart = chartNamed(await chartsOf(dir), 'timeline');
    return { note: ((chart.spec(200, 60).title as { text?: string[] } | undefined)?.text ?? []).join(' '), chart };
  };

  it('names it in the note and the caption when its line is drawn where the other\'s is (samples 1, 3 against 2, 2: one mean)', async () => {
    const { note, chart } = await noteOf(twoRuns({ 204: 1, 205: 3 }, {}));
    expect(note).toContain('a-first is hidden under b-second (close timelines, not identical)');
    expect(chart.caption).toContain('a-first is hidden under b-second (close timelines, not identical)');
    // both keep their legend entry: they are not joined
    expect(note).not.toContain("'='");
  });

  it('says nothing when its line stands above the other\'s', async () => {
    const { note } = await noteOf(twoRuns({ 205: 9 }, { 205: 8 }));
    expect(note).not.toContain('hidden under');
  });
});
