/**
 * The per-job validation figure (validation-cdf) as a paper takes it: the
 * job's name as the title and the figures `syncsim validate` prints under
 * it, a curve per measured run beside the simulated one, a log latency axis
 * with its unit, a tail panel (1 − F on a log axis) where the p99 shows, a
 * single column wide with nothing cut; and samples.csv, which keeps each
 * measured latency's run so that the grid can draw the runs too. Expected
 * values are worked out by hand.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validationCdfChart } from '../reports/charts/validation-cdf.ts';
import { runLabels, tailSteps } from '../reports/charts/validation-looks.ts';
import { cutLegendLabels } from '../reports/cut-labels.ts';
import { layoutChart } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import { readSamples, writeSamples } from '../scripts/validate/sim-side.ts';
import { figureContext, figureLines, validationTable } from '../scripts/validate/validation-table.ts';
import type { ValidationReport } from '../scripts/validate/validation.ts';
import { vegaLiteValidator } from './vega-schema.ts';

const paper = THEMES.paper;
const f64 = (a: number[]) => Float64Array.from(a);

/** A validation report with the figures the table and the figure print (the rest as the table needs it). */
function report(): ValidationReport {
  const stat = (m: number, s: number) => ({ measured_us: m, simulated_us: s, diff_us: s - m, ratio: s / m });
  const d = (p50: number, p99: number, count: number) => ({ count, mean_us: p50, p50_us: p50, p90_us: p99, p99_us: p99, min_us: 1, max_us: p99 });
  return {
    job: { file: '/jobs/seq.fio', name: 'seq', jobs: 1, sync_every: 8, fio_version: 'fio-3.33' },
    calibration: { file: '/c/device.yaml', device: 'profile sata-ssd: channels 64' },
    matched_syncs: 4, warmup_syncs: 0, repeat: 2,
    measured: { ...d(177, 289.55, 8), unmatched: 0, fio_report: null },
    simulated: { ...d(174.327, 489.88119, 32), errors: {}, seeds: [1, 2, 3, 4] },
    comparison: { mean: stat(186.5, 202.8), p50: stat(177, 174.327), p90: stat(207.5, 224.4), p99: stat(289.55, 489.88119) },
    demerit_pct: 61.87821592164511, rms_distance_us: 115.4, noise_floor_pct: 46.51320722866255, noise_ratio: 1.3303364701867788,
    noise_pairs: [{ a: 1, b: 2, demerit_pct: 46.51320722866255 }],
  } as unknown as ValidationReport;
}

const RUN1 = f64([150, 170, 180, 300]), RUN2 = f64([140, 160, 200, 1400]);
const SIM = f64(Array.from({ length: 32 }, (_, i) => 120 + 12 * i));
const LABELS = { measured: 'measured (Linux, fio)', simulated: 'simulated (syncsim linux, 4 seeds)' };

type Spec = {
  title: { text: string; subtitle: string[] };
  vconcat: [
    { data: { values: { series: string }[] }; encoding: { x: { title: string | null; scale: { type: string } }; y: { scale: { domain: number[] } }; color: { scale: { domain: string[]; range: string[] } }; strokeDash: { scale: { domain: string[]; range: number[][] } } } },
    { layer: { data: { values: { series?: string; slower?: number; text?: string }[] }; encoding: { x?: { title: string; scale: { type: string } }; y: { title?: string; scale?: { type: string; domain: number[] } } } }[] },
  ];
};

describe('validation-cdf figure', () => {
  const figures = figureLines(report(), [RUN1.length, RUN2.length], figureContext('Linux 6.8.0', 'fio-3.33', 'ext4', 'device.yaml', 'profile sata-ssd: channels 64'));
  const chart = validationCdfChart({ job: 'seq', runs: [RUN1, RUN2], simulated: SIM, labels: LABELS, figures }, paper);
  const spec = chart.spec(190, 110) as unknown as Spec;

  it('is titled with the job and gives under it the figures the table prints, from the same fields', () => {
    expect(spec.title.text).toBe('seq');
    expect(figures).toEqual([
      'n: 2 runs × 4 msyncs measured (pooled), 32 simulated (4 seeds)',
      'p50: measured 177.0 µs, simulated 174.3 µs, sim/meas 0.98',
      'p99: measured 289.6 µs, simulated 489.9 µs, sim/meas 1.69',
      'demerit 61.9 %, noise floor 46.5 %, noise ratio 1.33',
      'Linux 6.8.0, fio-3.33, ext4; calibration device.yaml (sata-ssd)',
    ]);
    expect(spec.title.subtitle.join(' ')).toBe(figures.join(' '));
    // every figure as `syncsim validate`'s table writes it
    const table = validationTable(report(), 'out');
    for (const n of ['177.0', '174.3', '0.98', '289.6', '489.9', '1.69', '61.9 %', '46.5 %', '1.33']) expect(table).toContain(n);
    // one run: no noise floor, and no run numbers in the legend
    expect(figureLines({ ...report(), noise_floor_pct: null, noise_ratio: null }, [4])).toEqual([
      'n: 4 msyncs measured (one run), 32 simulated (4 seeds)', figures[1], figures[2], 'demerit 61.9 %, no noise floor (one run)',
    ]);
    expect(figureLines(report(), [4, 3])[0]).toBe('n: 4 + 3 msyncs measured in 2 runs (pooled), 32 simulated (4 seeds)');
    expect(runLabels('m', 1)).toEqual(['m']);
  });

  it('draws each measured run as a curve of its own, one blue with a dash each, beside the simulated one', () => {
    const [cdf, tail] = spec.vconcat;
    const names = ['measured (Linux, fio), run 1', 'measured (Linux, fio), run 2', LABELS.simulated];
    expect([...new Set(cdf.data.values.map((v) => v.series))]).toEqual(names);
    expect([...new Set(tail.layer[0]!.data.values.map((v) => v.series))]).toEqual(names);
    expect(cdf.encoding.color.scale.domain).toEqual(names);
    const [c1, c2, cs] = cdf.encoding.color.scale.range;
    expect(c1).toBe(c2);
    expect(cs).not.toBe(c1);
    const [d1, d2, ds] = cdf.encoding.strokeDash.scale.range;
    expect(d1).not.toEqual(d2);
    expect(ds).toEqual([1, 0]);
  });

  it('has a log latency axis in µs, and a tail panel of 1 − F on a log axis down to the longest curve\'s 1/n (a decade below p99 at least), p99 marked', () => {
    const [cdf, tail] = spec.vconcat;
    expect(cdf.encoding.x.scale.type).toBe('log');
    expect(cdf.encoding.y.scale.domain).toEqual([0, 1]);
    const curves = tail.layer[0]!;
    expect(curves.encoding.x!.scale.type).toBe('log');
    expect(curves.encoding.x!.title).toMatch(/µs/);
    expect(curves.encoding.y.scale!.type).toBe('log');
    // 32 simulated msyncs: 1 − F down to 1/32, above p99's 0.01: a floor a decade below it
    expect(curves.encoding.y.scale!.domain).toEqual([0.001, 1]);
    const many = validationCdfChart({ job: 'j', runs: [RUN1], simulated: f64(Array.from({ length: 5000 }, (_, i) => i + 1)), labels: LABELS, figures: [] }, paper).spec(190, 110) as unknown as Spec;
    expect(many.vconcat[1].layer[0]!.encoding.y.scale!.domain).toEqual([0.0001, 1]);
    expect(tail.layer.some((l) => l.data.values.some((v) => v.text === 'p99' && v.slower === 0.01))).toBe(true);
  });

  it('is a valid Vega-Lite spec, laid out a single column wide with no label cut and nothing past its edges', async () => {
    const validateVl = vegaLiteValidator();
    expect(validateVl(spec), JSON.stringify(validateVl.errors?.slice(0, 3))).toBe(true);
    const laid = await layoutChart(chart, paper.widths.single, paper.padding);
    expect(laid.warnings).toEqual([]);
    expect(laid.width).toBe(paper.widths.single);
    expect(cutLegendLabels(laid.spec)).toEqual([]);
  });
});

describe('the tail steps (1 − F)', () => {
  it('step down from the share not faster than the fastest to 1/n, then reach the slowest', () => {
    // of the five, 0 is left out (a log axis): 0.8 not faster than 10, 0.6 after it, 0.2 after the two 20s, until 40
    expect(tailSteps(f64([0, 10, 20, 20, 40]), 's', 400).map((t) => [t.latency_us, t.slower])).toEqual([[10, 0.8], [10, 0.6], [20, 0.2], [40, 0.2]]);
    expect(tailSteps(f64([0, 0]), 's')).toEqual([]);
  });

  it('keep the tail\'s detail when thinned: 200 steps of 10,000 msyncs put 30 or more in the slowest 1 % (2 if spaced evenly in F)', () => {
    const steps = tailSteps(f64(Array.from({ length: 10000 }, (_, i) => i + 1)), 's', 200);
    expect(steps.length).toBeLessThanOrEqual(202);
    expect(steps.filter((t) => t.slower <= 0.01).length).toBeGreaterThanOrEqual(30);
  });
});

describe('samples.csv', () => {
  it('keeps each measured latency\'s run, the pool ascending, and reads back the runs; a file without runs is one run', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-samples-'));
    writeSamples(join(d, 's.csv'), [f64([3, 1]), f64([2])], f64([5, 4]));
    expect(readFileSync(join(d, 's.csv'), 'utf8')).toBe('series,latency_us,run\nmeasured,1,1\nmeasured,2,2\nmeasured,3,1\nsimulated,5,\nsimulated,4,\n');
    const back = await readSamples(join(d, 's.csv'));
    expect(back.runs.map((r) => [...r])).toEqual([[1, 3], [2]]);
    expect([...back.measured]).toEqual([1, 2, 3]);
    expect([...back.simulated]).toEqual([4, 5]);
    writeFileSync(join(d, 'old.csv'), 'series,latency_us\nmeasured,2\nmeasured,1\nsimulated,4\n');
    expect((await readSamples(join(d, 'old.csv'))).runs.map((r) => [...r])).toEqual([[1, 2]]);
  });
});
