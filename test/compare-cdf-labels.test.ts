/**
 * compare-cdf with long side labels (figure defect A): two sweep points or run
 * directories of long names made the plot 10 px wide and the legend read
 * `A: kernel …` / `B: kernel …`. The plot keeps its width whatever the labels,
 * the legend tells A from B, and the full labels are in the figure's note.
 *
 * Checked on the laid-out figure (reports/render.ts) and the text of its SVG.
 */
import { describe, expect, it } from 'vitest';
import { compareCdfChart, distinctParts, distinctStretch, type CompareCdfSide } from '../reports/charts/compare-cdf.ts';
import { layoutChart } from '../reports/render.ts';
import { wrapText } from '../reports/chart.ts';
import { textWidth } from '../reports/fonts.ts';
import { THEMES } from '../reports/theme.ts';

const paper = THEMES.paper;
const WIDTH = paper.widths.single;
/** The narrowest plot accepted: three quarters of a single column (238 px), which leaves 60 px for the y axis and padding. */
const MIN_PLOT = 0.75 * WIDTH;

const lat = (from: number) => Float64Array.from({ length: 60 }, (_, i) => from + i * 7);
const side = (tag: string, label: string, from: number): CompareCdfSide => ({ tag, label, latencies: lat(from), runs: 2 });

/** The texts of the SVG's legend labels, in order, as drawn (cut to their limit with an ellipsis by vega). */
function legendLabels(svg: string): string[] {
  const group = /<g class="mark-text role-legend-label"[^>]*>([\s\S]*?)<\/g>/g;
  const out: string[] = [];
  for (const m of svg.matchAll(group)) for (const t of m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) out.push(t[1]!.replace(/&amp;/g, '&'));
  return out;
}

/** Label pairs a user of `syncsim compare` meets: sweep points, long run directories, 200-character labels with and without spaces. */
const PAIRS: [string, string][] = [
  ['kernel freebsd, msync flags SYNC', 'kernel freebsd, msync flags ASYNC'],
  ['results/sync-vs-async@personality=freebsd,trace.set.sync_flags=SYNC', 'results/sync-vs-async@personality=freebsd,trace.set.sync_flags=ASYNC'],
  [
    'freebsd-random-writer-footprint-4M-duration-0.5s-queue-exponential-100us-sync-flags-SYNC-seed-1-baseline-configuration',
    'freebsd-random-writer-footprint-4M-duration-0.5s-queue-exponential-100us-sync-flags-SYNC-seed-2-tuned-configuration',
  ],
  ['q'.repeat(199) + '1', 'q'.repeat(199) + '2'],
  ['x'.repeat(200), 'y'.repeat(200)],
  // line and paragraph separators, which JSON leaves raw and Vega's expression parser refuses
  ['ls\u2028ep' + 'q'.repeat(100) + '-1', 'ls\u2029ep' + 'q'.repeat(100) + '-2'],
  [('kernel freebsd ' + 'z'.repeat(10) + ' ').repeat(8).slice(0, 200), ('kernel linux ' + 'w'.repeat(12) + ' ').repeat(8).slice(0, 200)],
];

describe('compare-cdf keeps its plot wide whatever the sides are called (defect A)', () => {
  for (const [a, b] of PAIRS) {
    it(`labels of ${a.length} and ${b.length} characters: plot ≥ ${MIN_PLOT} px, A and B told apart in the legend, full labels in the note`, async () => {
      const chart = compareCdfChart({ a: side('A', a, 100), b: side('B', b, 150), p: 0.01 }, paper, WIDTH);
      const r = await layoutChart(chart, WIDTH, paper.padding);
      expect(r.warnings).toEqual([]);
      expect(r.width).toBe(WIDTH);
      expect(r.spec.width as number).toBeGreaterThanOrEqual(MIN_PLOT);
      // the legend as drawn: one entry per side, its letter first, and something besides the letter that differs
      const drawn = legendLabels(r.svg);
      expect(drawn).toHaveLength(2);
      expect(drawn[0]!.startsWith('A: ') && drawn[1]!.startsWith('B: ')).toBe(true);
      expect(drawn[0]!.slice(3)).not.toBe(drawn[1]!.slice(3));
      for (const l of drawn) expect(textWidth(l, paper.fontSize.label)).toBeLessThanOrEqual(r.spec.width as number);
      // every side's whole label is visible under the plot, and no line of the note is wider than the figure
      const note = (r.spec.title as { text: string[] }).text;
      const joined = note.join('').replace(/\s/g, '');
      for (const full of [`A: ${a}`, `B: ${b}`]) expect(joined).toContain(full.replace(/\s/g, ''));
      for (const line of note) expect(textWidth(line, paper.fontSize.label)).toBeLessThanOrEqual(WIDTH - 2 * paper.padding);
    });
  }

  it('short labels keep the figure as it was: the legend shows them whole and the note does not repeat them', async () => {
    const chart = compareCdfChart({ a: side('A', 'r1', 100), b: side('B', 'r2', 150), p: 0.5 }, paper, WIDTH);
    const r = await layoutChart(chart, WIDTH, paper.padding);
    expect(legendLabels(r.svg)).toEqual(['A: r1', 'B: r2']);
    expect((r.spec.title as { text: string[] }).text.join(' ')).toBe('Mann–Whitney p = 0.5000; n = 60 and 60 msyncs (pooled from 2 and 2 runs)');
  });

  it('a side whose msyncs all took 0 µs says so in the figure, not only in the caption', () => {
    const zero = { tag: 'B', label: 'kernel freebsd, msync flags ASYNC', latencies: new Float64Array(48) };
    const spec = compareCdfChart({ a: side('A', 'kernel freebsd, msync flags SYNC', 100), b: zero, p: 1e-19 }, paper, WIDTH).spec(180, 100);
    expect((spec.title as { text: string[] }).text.join(' ')).toContain('B: all 48 msyncs took 0 µs');
  });
});

describe('what tells two labels apart', () => {
  it('segments that differ, where they stand, or the differing middle of segments in common', () => {
    expect(distinctParts('kernel freebsd, msync flags SYNC', 'kernel freebsd, msync flags ASYNC')).toEqual(['msync flags SYNC', 'msync flags ASYNC']);
    expect(distinctParts('kernel freebsd, cluster 8, flags SYNC', 'kernel linux, cluster 8, flags ASYNC')).toEqual(['kernel freebsd, flags SYNC', 'kernel linux, flags ASYNC']);
    expect(distinctParts('results/a/run-1', 'results/run-2')).toEqual(['a/run-1', 'run-2']);
    // nothing in common, or the same label: kept whole
    expect(distinctParts('fast', 'slow')).toEqual(['fast', 'slow']);
    expect(distinctParts('same, label', 'same, label')).toEqual(['same, label', 'same, label']);
  });

  it('words around the first and last difference, the rest an ellipsis', () => {
    expect(distinctStretch('x-y-z-seed-1-baseline-configuration', 'x-y-z-seed-2-tuned-configuration', 'words')).toEqual(['…seed-1-baseline…', '…seed-2-tuned…']);
    expect(distinctStretch('abcdefghij1', 'abcdefghij2', 'characters', 3)).toEqual(['…hij1', '…hij2']);
    expect(distinctStretch('one', 'two', 'words')).toBeUndefined();
  });

  it('never puts an ellipsis for a single character (a user compared run directories r-linux and r-linux-hdd, 2026-12-08)', () => {
    const a = 'r-linux (device channels 85, mean read latency 85 µs)', b = 'r-linux-hdd (device channels 1, mean read latency 100 µs)';
    // before: ['…-linux (device channels 85, mean read latency 85…', ...]: the ellipsis stood for the 'r' alone
    expect(distinctStretch(a, b, 'words')).toEqual(['r-linux (device channels 85, mean read latency 85…', 'r-linux-hdd (device channels 1, mean read latency 100…']);
    // one character at the end alike: kept
    expect(distinctStretch('abcdefghij1x', 'abcdefghij2x', 'characters', 3)).toEqual(['…hij1x', '…hij2x']);
  });

  it('wrapText cuts a word wider than a line into lines that fit, keeping every character', () => {
    const word = 'freebsd-random-writer-footprint-4M-duration-0.5s-queue-exponential-100us-sync-flags-SYNC-seed-1-baseline-configuration';
    const lines = wrapText(`A: ${word}`, 8, 150);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(textWidth(l, 8)).toBeLessThanOrEqual(150);
    expect(lines.join('').replace(/\s/g, '')).toBe(`A:${word}`);
  });
});
