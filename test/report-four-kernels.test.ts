/**
 * A new user's four-kernel sweep (2026-12-06), its figures as a reviewer read them.
 *
 * A sweep line chart joins two series drawn less than 0.25 pt apart only
 * when their seeds cannot tell them apart (a new user's trial, 2026-12-06:
 * `freebsd = linux` drawn as one line while aggregate.csv gave 78.4 and
 * 70.4 µs at one point, 20 seeds each, their 95 % CIs ±0.2), and its y axis
 * is logarithmic once the means span more than 20× (100 before). The
 * writeback-by-cause chart gives in its note, whole, a bar label its axis
 * cut short.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_Y_SPAN } from '../reports/charts/sweep-line.ts';
import { distinctByCi } from '../reports/sweep-rows.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, writeRun, type AggPoint } from './report-fixtures.ts';

const paper = THEMES.paper;
const METRIC = 'sync.latency_us.mean';

/** The figure's note (its title lines), one string. */
const noteOf = (spec: Record<string, unknown>) => ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');

/** The sweep chart of kernels × interval whose means are `mean(kernel, x)`, CI `ci`, 20 seeds. */
async function chart(mean: (kernel: string, x: number) => number, ci: number) {
  const points: AggPoint[] = [];
  for (const k of ['freebsd', 'linux', 'xnu']) for (const x of [1000, 10000, 100000]) points.push({ values: [k, x], stats: { [METRIC]: [mean(k, x), ci, 20] } });
  const c = chartNamed(await chartsOf(aggSweep(['personality', 'trace.set.sync_interval_us'], [METRIC], points)), 'sweep-mean-vs-sync-interval-us');
  const laid = await layoutChart(c, paper.widths.single, paper.padding);
  expect(laid.warnings).toEqual([]);
  return { spec: laid.spec as Record<string, unknown>, json: JSON.stringify(laid.spec) };
}

/** Means spanning under 20× (a linear axis); linux `d` µs above freebsd at every point, drawn within 0.25 pt of it. */
const close = (d: number) => (k: string, x: number) => (k === 'xnu' ? 2 : 1) * (400 + x / 100) + (k === 'linux' ? d : 0);

describe('sweep lines drawn alike but told apart by their seeds', () => {
  it('CIs that do not meet: two lines, and the note names them; CIs that meet: one line, freebsd = linux', async () => {
    const apart = await chart(close(0.5), 0.2);
    expect(apart.json).not.toContain('freebsd = linux');
    expect(noteOf(apart.spec)).toContain('freebsd and linux are drawn less than 0.25 pt apart, but their 95 % CIs tell them apart (aggregate.csv)');
    const together = await chart(close(0.5), 2);
    expect(together.json).toContain('freebsd = linux');
    expect(noteOf(together.spec)).toContain("'=' joins series whose values are identical or drawn less than 0.25 pt apart, their 95 % CIs overlapping");
    expect(noteOf(together.spec)).not.toContain('tell them apart');
  });

  it('means spanning more than 20×: a log y axis, on which 78.4 and 70.4 µs are drawn apart', async () => {
    expect(LOG_Y_SPAN).toBe(20);
    // the trial's figures (µs): freebsd 78.4, 399.3, 2534.2; linux 70.4, 399.5, 2543.0; xnu 122.4, 842.4, 5403.2
    const trial: Record<string, number[]> = { freebsd: [78.4, 399.3, 2534.2], linux: [70.4, 399.5, 2543.0], xnu: [122.4, 842.4, 5403.2] };
    const c = await chart((k, x) => trial[k]![Math.round(Math.log10(x)) - 3]!, 0.25);
    expect(c.json).toContain('"type":"log"');
    expect(c.json).not.toContain('freebsd = linux');
    expect(noteOf(c.spec)).not.toContain('tell them apart');
  });

  it('distinctByCi: only where both points have an interval (n >= 2) and the two do not meet', () => {
    const row = (x: number, mean: number, half: number, n = 20) => ({ x, series: 's', mean, lo: mean - half, hi: mean + half, ci_lo: mean - half, n });
    expect(distinctByCi([row(1, 78.4, 0.2)], [row(1, 70.4, 0.25)])).toBe(true);
    expect(distinctByCi([row(1, 78.4, 5)], [row(1, 70.4, 5)])).toBe(false);
    // one run at that point: no interval, nothing told apart
    expect(distinctByCi([row(1, 78.4, 0, 1)], [row(1, 70.4, 0.25)])).toBe(false);
    // told apart at one x value of several
    expect(distinctByCi([row(1, 10, 1), row(2, 20, 0.1)], [row(1, 10.5, 1), row(2, 21, 0.1)])).toBe(true);
    // intervals that touch meet
    expect(distinctByCi([row(1, 10, 1)], [row(1, 12, 1)])).toBe(false);
  });
});

describe('writeback-by-cause: a bar label the axis cuts short', () => {
  /** A sweep of kernel × interval, one run a point, each writing back `bytes(kernel, x)` by msync. */
  const wbSweep = (kernels: string[], xs: number[], bytes: (k: string, x: number) => number) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'syncsim-wb-cut-')), 'sweep');
    const keys = ['personality', 'trace.set.sync_interval_us'];
    let results = `run_id,point,${keys.join(',')},seed,status,sync.latency_us.p99,error\n`;
    let i = 0;
    for (const k of kernels) for (const x of xs) {
      const s = writeRun(join(dir, 'runs', `r${i}`), { syncs: [{ t: 1, lat: 100, pages: 1 }], writeback: [{ cause: 'msync', bytes: bytes(k, x) }], dirtied: 40e6, config: { personality: k } });
      results += `r${i},${i + 1},${k},${x},1,ok,${s.sync.latency_us.p99},\n`;
      i++;
    }
    writeFileSync(join(dir, 'results.csv'), results);
    writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ name: 'cut', keys, metrics: ['sync.latency_us.p99'], seeds: [1] }));
    return dir;
  };

  it('is given whole in the note (the trial read "freebsd, 100000 = xnu, 10…", mach\'s bar seemingly missing)', async () => {
    // freebsd, xnu and mach write the same at 100000: one bar for the three
    const dir = wbSweep(['freebsd', 'xnu', 'linux', 'mach'], [1000, 10000, 100000], (k, x) => (x === 100000 && k !== 'linux' ? 22 * 2 ** 20 : (30 + x / 10000 + k.length) * 2 ** 20));
    const laid = await layoutChart(chartNamed(await chartsOf(dir), 'writeback-by-cause'), paper.widths.single, paper.padding);
    expect(laid.warnings).toEqual([]);
    // the grid's 100000 µs named in ms, the unit the key has in every figure of the report (since 2026-12-06)
    expect(JSON.stringify(laid.spec)).toContain('freebsd, 100 = xnu, 100 = mach, 100');
    // on the axis its first whole members and how many more, never cut within a member (`freebsd, 100 = xnu, 10…` until
    // 2026-12-07), and the note gives it whole
    expect(JSON.stringify(laid.spec)).toMatch(/"labelExpr":"datum\.label === \\"freebsd, 100 = xnu, 100 = mach, 100\\" \? \\"freebsd, 100( = xnu, 100)? = [12] more\\"/);
    expect(noteOf(laid.spec as Record<string, unknown>)).toContain("'= N more': label shortened on the axis, in full: freebsd, 100 = xnu, 100 = mach, 100");
    // a chart whose labels all fit says nothing of it
    const few = wbSweep(['linux', 'mach'], [1000, 10000], (k, x) => (k.length + x / 1000) * 2 ** 20);
    const fits = await layoutChart(chartNamed(await chartsOf(few), 'writeback-by-cause'), paper.widths.single, paper.padding);
    expect(noteOf(fits.spec as Record<string, unknown>)).not.toContain('cut short');
  });
});
