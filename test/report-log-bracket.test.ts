/**
 * Every log axis has labels that bracket its data: one at or below the
 * lowest value drawn, one at or above the highest. A new user's
 * latency-percentiles of one run was labelled 4,000 and 5,000 only, its
 * p50 of about 3,450 µs below the lowest label; a latency-vs-pages topped
 * at 1,000 with msyncs at 3,700 and 9,000 µs.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { bracketsData, fitLogDomain, logDomain, planLogAxis, planTicks, snapLogDomain } from '../reports/log-axis.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { aggSweep, chartNamed, chartsOf, writeRun, type AggPoint } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-bracket-'));

type Enc = { field?: string; scale?: { type?: string; domain?: number[] }; axis?: { values?: number[] } };
/** Every encoding channel of a laid-out spec with a log scale and an axis: its domain and tick values. */
function logAxes(spec: unknown, out: Enc[] = []): Enc[] {
  if (Array.isArray(spec)) for (const x of spec) logAxes(x, out);
  else if (spec && typeof spec === 'object') {
    const e = spec as Enc;
    if (e.scale?.type === 'log' && e.axis && e.field !== 'x') out.push(e);
    for (const v of Object.values(spec)) logAxes(v, out);
  }
  return out;
}

/** Laid out at a single column, the log axis of chart `name` of `dir` (its tick values) and the data it must label. */
async function laidAxis(dir: string, name: string): Promise<number[]> {
  const laid = await layoutChart(chartNamed(await chartsOf(dir), name), paper.widths.single, paper.padding);
  const axes = logAxes(laid.spec);
  expect(axes.length, name).toBeGreaterThan(0);
  return axes[0]!.axis!.values!;
}

/** A single run of 40 msyncs of 3,220 to 3,970 µs, p50 about 3,450 (the trial's). */
function oneRun(): string {
  const dir = join(tmp(), 'run');
  const lats = Array.from({ length: 40 }, (_, i) => (i === 0 ? 3220 : 3400 + (i * 570) / 39));
  writeRun(dir, { syncs: lats.map((lat, i) => ({ t: i + 1, lat, pages: 340 + i * 2 })) });
  return dir;
}

describe('log axes bracket their data', () => {
  it('planLogAxis and planTicks: a label at or below the lowest value and one at or above the highest, on any plot', () => {
    let cases = 0;
    for (const lo of [0.03, 1.44, 43, 214, 3220, 123456]) {
      for (const ratio of [1.004, 1.05, 1.16, 2.2, 7, 40, 5000, 1e6]) {
        const hi = lo * ratio;
        for (const across of [false, true]) {
          for (const skipFloor of [false, true]) {
            for (const length of [50, 140, 400]) {
              const plan = planLogAxis(snapLogDomain(fitLogDomain(lo, hi, skipFloor)), lo, hi, length, 8, { across, skipFloor });
              const what = `${lo}..${hi} ${across ? 'across' : 'up'} ${skipFloor ? 'floor' : ''} ${length} px`;
              for (const drawn of [length, Math.round(length * 0.8), Math.round(length * 1.3)]) {
                const ticks = planTicks(plan, drawn);
                expect(bracketsData(ticks, lo, hi), `${what}, drawn ${drawn}: ${ticks}`).toBe(true);
                expect(ticks![0]!, what).toBeGreaterThanOrEqual(plan.domain[0] * (1 - 1e-9));
                expect(ticks![ticks!.length - 1]!, what).toBeLessThanOrEqual(plan.domain[1] * (1 + 1e-9));
                // the floor of 0 values is never labelled
                if (skipFloor) expect(ticks![0]!, what).toBeGreaterThan(plan.domain[0]);
                cases++;
              }
            }
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it('a count\'s log axis is labelled in whole numbers that bracket it', () => {
    for (const [lo, hi] of [[1, 2048], [3, 700], [12, 31], [1, 1.5]]) {
      for (const length of [60, 120, 300]) {
        const plan = planLogAxis(logDomain(lo!, hi!), lo!, hi!, length, 8, { integer: true });
        const ticks = planTicks(plan, length)!;
        expect(bracketsData(ticks, lo!, hi!), `${lo}..${hi} ${length}: ${ticks}`).toBe(true);
        for (const v of ticks) expect(Number.isInteger(v), `${lo}..${hi}: ${v}`).toBe(true);
      }
    }
  });

  it('a single run\'s latency-percentiles, latency-cdf and latency-vs-pages label the msyncs at both ends', async () => {
    const dir = oneRun();
    const s = (await chartsOf(dir))[0]!;
    expect(s).toBeDefined();
    // p50 about 3,685 µs ... p99.9 3,970 (percentiles); every msync 3,220 to 3,970 (CDF and scatter); drawn in ms since
    // 2026-12-08 (3.22 to 3.97)
    const pct = await laidAxis(dir, 'latency-percentiles');
    const pctData = (chartNamed(await chartsOf(dir), 'latency-percentiles').spec(200, 150).data as { values: { value_ms: number }[] }).values.map((d) => d.value_ms);
    expect(pctData.every((v) => v > 3 && v < 4), `${pctData}`).toBe(true);
    expect(bracketsData(pct, Math.min(...pctData), Math.max(...pctData)), `${pct}`).toBe(true);
    expect(bracketsData(await laidAxis(dir, 'latency-cdf'), 3.22, 3.97)).toBe(true);
    expect(bracketsData(await laidAxis(dir, 'latency-vs-pages'), 3.22, 3.97)).toBe(true);
  });

  it('latency-vs-pages of three runs, 3,200 to 9,800 µs: labels at or below 3,200 and at or above 9,800', async () => {
    const base = tmp();
    for (const [name, from, to] of [['freebsd', 3200, 4000], ['linux', 7500, 9800], ['mach', 3250, 3900]] as const) {
      writeRun(join(base, name), { syncs: Array.from({ length: 30 }, (_, i) => ({ t: i + 1, lat: from + ((to - from) * i) / 29, pages: 340 + i * 3 })) });
    }
    const ticks = await laidAxis(base, 'latency-vs-pages');
    // in ms since 2026-12-08 (3.2 to 9.8)
    expect(bracketsData(ticks, 3.2, 9.8), `${ticks}`).toBe(true);
  });

  it('a sweep\'s log y axis with a CI cut at its floor labels its lowest positive value above the floor', async () => {
    const points: AggPoint[] = [];
    const linux = [[20, 30], [40, 10], [80, 10]], xnu = [[5000, 500], [8000, 500], [10000, 500]];
    [1048576, 4194304, 16777216].forEach((x, i) => {
      points.push({ values: ['linux', x], stats: { 'sync.latency_us.p99': [linux[i]![0]!, linux[i]![1]!, 3] } });
      points.push({ values: ['xnu', x], stats: { 'sync.latency_us.p99': [xnu[i]![0]!, xnu[i]![1]!, 3] } });
    });
    const dir = aggSweep(['personality', 'trace.set.footprint'], ['sync.latency_us.p99'], points);
    const laid = await layoutChart(chartNamed(await chartsOf(dir), 'sweep-p99-vs-footprint'), paper.widths.single, paper.padding);
    const axis = logAxes(laid.spec as VlSpec).find((e) => e.axis?.values)!;
    // positive values drawn: 20 (linux's mean) ... 10,500 (xnu's CI); until 2026-12-06 labelled from 100
    expect(bracketsData(axis.axis!.values, 20, 10500), `${axis.axis!.values}`).toBe(true);
    expect(axis.axis!.values![0]!).toBeGreaterThan(axis.scale!.domain![0]!);
  });
});
