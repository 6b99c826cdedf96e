/**
 * Sweep lines without values (figure defect C): a sweep of personality
 * [freebsd, linux] × trace.set.sync_every [25, 50, 100] whose freebsd runs
 * made no page durable has no durability lag for freebsd; its line vanished
 * with no word. The figure's note must name the series without a value and
 * why; a chart with no line at all is named in the report's notes. And the
 * file name `sweep-p99-vs-...` of `durability.lag_us.p99` stays (users
 * include it), while the figure says the metric in full.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResults } from '../reports/data.ts';
import { buildCharts, chartContext } from '../reports/report.ts';
import { sweepLine } from '../reports/charts/sweep-line.ts';
import { layoutChart } from '../reports/render.ts';
import { fileWords } from '../reports/labels.ts';
import { THEMES } from '../reports/theme.ts';
import type { Chart } from '../reports/chart.ts';
import { chartNamed, writeRun } from './report-fixtures.ts';

const paper = THEMES.paper;
const METRIC = 'durability.lag_us.p99';

/** A run's outcome in the hand-made sweep: its lag p99 (null: none), and whether it made any page durable; 'failed' for a failed run. */
type Outcome = { lag: number | null; durable: number } | 'failed';

/**
 * A sweep directory of personality × trace.set.sync_every with `seeds` seeds, each run's outcome from `outcome`
 * (results.csv and the runs' summary.json; no aggregate.csv, so the report averages the runs).
 */
function lagSweep(outcome: (kernel: string, every: number, seed: number) => Outcome, seeds = 2): string {
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-missing-'));
  const keys = ['personality', 'trace.set.sync_every'];
  let csv = `run_id,point,${keys.join(',')},seed,status,${METRIC},error\n`;
  let point = 0;
  for (const kernel of ['freebsd', 'linux']) {
    for (const every of [25, 50, 100]) {
      point++;
      for (let seed = 1; seed <= seeds; seed++) {
        const id = `p${point}s${seed}`;
        const o = outcome(kernel, every, seed);
        if (o === 'failed') {
          csv += `${id},${point},${kernel},${every},${seed},failed,,replay failed\n`;
          continue;
        }
        const runDir = join(dir, 'runs', id);
        writeRun(runDir, { seed, syncs: [{ t: 1, lat: 100, pages: 1 }], config: { personality: kernel } });
        const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
        summary.durability = { lag_us: { mean: o.lag, p50: o.lag, p90: o.lag, p99: o.lag, p999: o.lag, max: o.lag }, lag_percentiles_exact: true, durable_pages: o.durable, never_durable_pages: 10 };
        writeFileSync(join(runDir, 'summary.json'), JSON.stringify(summary));
        csv += `${id},${point},${kernel},${every},${seed},ok,${o.lag ?? ''},\n`;
      }
    }
  }
  writeFileSync(join(dir, 'results.csv'), csv);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ name: 'lag', keys, metrics: [METRIC], seeds: Array.from({ length: seeds }, (_, i) => i + 1) }));
  return dir;
}

/** The report's sweep-line charts of `dir` and its `note:` lines. */
async function sweepLines(dir: string): Promise<{ charts: Chart[]; notes: string[] }> {
  const ctx = chartContext(await loadResults(dir), paper, paper.widths.single);
  return { charts: await sweepLine.build(ctx), notes: ctx.notes };
}

/** The words of the figure's in-figure note, its lines joined. */
async function figureNoteOf(chart: Chart): Promise<string> {
  const laid = await layoutChart(chart, paper.widths.single, paper.padding);
  expect(laid.warnings).toEqual([]);
  return ((laid.spec.title as { text: string[] } | undefined)?.text ?? []).join(' ');
}

const linuxLag = (every: number, seed: number) => ({ lag: every * 250 + seed * 10, durable: 2400 });

describe('a sweep line without values is named in the figure (defect C)', () => {
  it("freebsd made no page durable: its series is named in the note, with why; linux's line is drawn", async () => {
    const dir = lagSweep((k, every, seed) => (k === 'freebsd' ? { lag: null, durable: 0 } : linuxLag(every, seed)));
    const { charts } = await sweepLines(dir);
    // the user's name, kept: README's "sweep-METRIC-vs-KEY" with the last segment of each
    const chart = chartNamed(charts, 'sweep-p99-vs-sync-every');
    const spec = chart.spec(200, 120) as { data: { values: { series: string }[] } };
    expect(new Set(spec.data.values.map((r) => r.series))).toEqual(new Set(['linux']));
    const note = await figureNoteOf(chart);
    expect(note).toContain('no durability lag p99 for freebsd');
    expect(note).toContain('no page version became durable in any of its 6 successful runs');
    expect(note).not.toMatch(/for [^(]*linux/);
    expect(chart.caption).toContain('no durability lag p99 for freebsd');
  });

  it('the name says p99 alone, the figure the metric in full: title and y axis say durability lag, not msync latency', async () => {
    const dir = lagSweep((k, every, seed) => (k === 'freebsd' ? { lag: null, durable: 0 } : linuxLag(every, seed)));
    const chart = chartNamed((await sweepLines(dir)).charts, 'sweep-p99-vs-sync-every');
    // linux's lags, 6,260 µs and more: in ms (report-duration-unit.test.ts)
    expect(chart.title).toMatch(/^durability lag p99 \(ms\) vs /);
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect(laid.svg).toMatch(/<text[^>]*>durability lag p99 \(ms\)<\/text>/);
    expect(laid.svg).not.toContain('msync latency');
  });

  it('a series whose runs all failed, and a series with a gap, say so', async () => {
    // freebsd failed everywhere; linux has no lag at 50 (one seed, a run with no value) and values elsewhere
    const dir = lagSweep((k, every, seed) => (k === 'freebsd' ? 'failed' : every === 50 ? { lag: null, durable: 5 } : linuxLag(every, seed)), 1);
    const chart = chartNamed((await sweepLines(dir)).charts, 'sweep-p99-vs-sync-every');
    const note = await figureNoteOf(chart);
    expect(note).toContain('freebsd (all 3 of its runs failed)');
    // the x value with the unit the axis gives the key (msync every (writes)), as the other notes write it: until 2026-12-06 it had none
    expect(note).toContain('linux at msync every 50 writes (its successful run had none)');
  });

  it('a metric with a value at one x only: not drawn, the note giving that x with its unit', async () => {
    const dir = lagSweep((_k, every, seed) => (every === 50 ? linuxLag(every, seed) : { lag: null, durable: 0 }));
    const { charts, notes } = await sweepLines(dir);
    expect(charts).toEqual([]);
    expect(notes).toContain('sweep-p99-vs-sync-every: durability lag p99 has a value at only one msync every (50 writes); not drawn.');
  });

  it('every series with values at every x: no such words', async () => {
    const dir = lagSweep((_k, every, seed) => linuxLag(every, seed));
    const note = await figureNoteOf(chartNamed((await sweepLines(dir)).charts, 'sweep-p99-vs-sync-every'));
    expect(note).not.toContain('no durability lag');
  });

  it('no run with a value at all: no chart, and the report says so', async () => {
    const dir = lagSweep(() => ({ lag: null, durable: 0 }));
    const { charts, notes } = await sweepLines(dir);
    expect(charts).toEqual([]);
    expect(notes.join('\n')).toContain(`sweep-p99-vs-sync-every: no run has a value of durability lag p99 (${METRIC}); not drawn.`);
    // asked for by name (report --chart): the reason, not "does not apply"
    const ctx = chartContext(await loadResults(dir), paper, paper.widths.single);
    await expect(buildCharts(ctx, ['sweep-p99-vs-sync-every'])).rejects.toThrow(/not drawn: .*no run has a value of durability lag p99/);
  });
});

describe('file-name words of sweep charts', () => {
  it('names that differ only in case or punctuation get distinct words', () => {
    const words = fileWords(['writeback.params.idleMs', 'pager.idlems']);
    expect(new Set(words).size).toBe(2);
    expect(words).toEqual(['params-idlems', 'pager-idlems']);
    // names users have: unchanged
    expect(fileWords(['durability.lag_us.p99'])).toEqual(['p99']);
    expect(fileWords(['sync.latency_us.p99', 'durability.lag_us.p99'])).toEqual(['latency-us-p99', 'lag-us-p99']);
    // names unique as written keep the words the rule before gave them ('Size' and 'size' differ as written)
    expect(fileWords(['trace.set.Size', 'trace.set.size', 'fs.size'])).toEqual(['size', 'set-size', 'fs-size']);
    // alike in every segment once in a file name: a number, in the order given
    expect(fileWords(['a.idleMs', 'a.idlems'])).toEqual(['a-idlems', 'a-idlems-2']);
    expect(fileWords(['trace.set.Size', 'trace.set.size'])).toEqual(['trace-set-size', 'trace-set-size-2']);
    for (const names of [['a.idleMs', 'a.idlems', 'a.IDLEMS'], ['k.A-b', 'k.a_b', 'k.a.b'], ['p', 'P', 'q.p']]) {
      const w = fileWords(names);
      expect(new Set(w).size, names.join(' ')).toBe(names.length);
      for (const x of w) expect(x).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });
});
