/**
 * The validation figures beside the demerit: the noise floor between
 * repeated real runs, the noise ratio, the targets, the summary table and
 * the small-multiples figure. Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { vegaLiteValidator } from './vega-schema.ts';
import { noiseFloor, noiseRatio, pairDemerit, pooled, quantileNoise } from '../scripts/validate/noise.ts';
import { errorPct, gridPanel, jobSummary, kernelMeetsQuantileTargets, meetsTargets, panelLines, validationSummary, validationSummaryTable } from '../scripts/validate/summary.ts';
import { gridColumns, panelTitle, validationGridChart } from '../reports/charts/validation-grid.ts';
import { vlToSvg } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import type { ValidationReport } from '../scripts/validate/validation.ts';
import { busyReasons, busyWarning, cpuJiffies, parseMachineState } from '../scripts/validate/machine-state.ts';
import { validationTable as tableOf } from '../scripts/validate/validation-table.ts';

const f64 = (a: number[]) => Float64Array.from(a);

describe('noise floor between measured runs', () => {
  it('two runs of equal size: RMS of the sorted differences over each run mean, both ways averaged', () => {
    // a = 100, 200; b = 110, 230: differences 10 and 30, RMS = sqrt((100 + 900) / 2) = sqrt(500)
    const a = f64([100, 200]), b = f64([110, 230]);
    const rms = Math.sqrt(500);
    const expected = ((100 * rms) / 150 + (100 * rms) / 170) / 2;
    expect(pairDemerit(a, b)).toBeCloseTo(expected, 10);
    expect(pairDemerit(b, a)).toBeCloseTo(expected, 10);
  });

  it('identical runs have no noise; one run has no floor', () => {
    expect(noiseFloor([f64([1, 2, 3]), f64([1, 2, 3])]).noise_floor_pct).toBe(0);
    expect(noiseFloor([f64([1, 2, 3])])).toEqual({ noise_floor_pct: null, p50_noise_pct: null, p99_noise_pct: null, pairs: [] });
  });

  it('quantile noise: each run held to the other at the quantile, both ways averaged', () => {
    // p50s 200 and 250: |50| / 200 = 25 %, |50| / 250 = 20 %
    expect(quantileNoise(f64([100, 200, 300]), f64([100, 250, 300]), 0.5)).toBeCloseTo(22.5, 10);
    expect(quantileNoise(f64([100, 250, 300]), f64([100, 200, 300]), 0.5)).toBeCloseTo(22.5, 10);
    expect(quantileNoise(f64([0, 1]), f64([0, 1]), 0.5)).toBe(0);
    // type-7 p99 of 1..101 is 100, of 2..102 is 101: 1 % and 1/101
    const a = f64(Array.from({ length: 101 }, (_, i) => i + 1)), b = f64(Array.from({ length: 101 }, (_, i) => i + 2));
    expect(quantileNoise(a, b, 0.99)).toBeCloseTo((1 + 100 / 101) / 2, 10);
    const r = noiseFloor([f64([100, 200, 300]), f64([100, 250, 300]), f64([100, 200, 300])]);
    // pairs (1,2) 22.5, (1,3) 0, (2,3) 22.5
    expect(r.pairs.map((p) => p.p50_noise_pct)).toEqual([22.5, 0, 22.5]);
    expect(r.p50_noise_pct).toBeCloseTo(15, 10);
    // p99s 298, 299, 298
    expect(r.p99_noise_pct).toBeCloseTo(((100 / 298 + 100 / 299) / 2 * 2) / 3, 10);
  });

  it('three runs: the mean over the three pairs, each pair listed', () => {
    const runs = [f64([100]), f64([110]), f64([130])];
    const r = noiseFloor(runs);
    expect(r.pairs.map((p) => [p.a, p.b])).toEqual([[1, 2], [1, 3], [2, 3]]);
    // one sample each: pair demerit = |x - y| × 100 / mean, averaged over both means
    const d = (x: number, y: number) => (100 * Math.abs(x - y) / x + 100 * Math.abs(x - y) / y) / 2;
    expect(r.noise_floor_pct).toBeCloseTo((d(100, 110) + d(100, 130) + d(110, 130)) / 3, 10);
  });

  it('noise ratio is demerit over floor, null without a positive floor', () => {
    expect(noiseRatio(30, 20)).toBe(1.5);
    expect(noiseRatio(30, null)).toBeNull();
    expect(noiseRatio(30, 0)).toBeNull();
  });

  it('pooled runs are one ascending array', () => {
    expect([...pooled([f64([3, 1]), f64([2])])]).toEqual([1, 2, 3]);
  });
});

/** A validation report with the given figures (only what the summary reads). */
function report(job: string, meas: { p50: number; p99: number }, sim: { p50: number; p99: number }, demerit: number, floor: number | null): ValidationReport {
  const stat = (m: number, s: number) => ({ measured_us: m, simulated_us: s, diff_us: s - m, ratio: s / m });
  const d = (x: { p50: number; p99: number }) => ({ count: 10, mean_us: x.p50, p50_us: x.p50, p90_us: x.p99, p99_us: x.p99, min_us: 1, max_us: x.p99 });
  return {
    job: { file: `/jobs/${job}.fio`, name: job }, matched_syncs: 10, warmup_syncs: 0, repeat: floor === null ? 1 : 2,
    measured: d(meas), simulated: d(sim),
    comparison: { mean: stat(meas.p50, sim.p50), p50: stat(meas.p50, sim.p50), p90: stat(meas.p99, sim.p99), p99: stat(meas.p99, sim.p99) },
    demerit_pct: demerit, rms_distance_us: 1, noise_floor_pct: floor, noise_ratio: floor ? demerit / floor : null, noise_pairs: [],
    calibration: { device: 'queue: test' },
  } as unknown as ValidationReport;
}

describe('targets and the summary table', () => {
  it('error is (simulated - measured) / measured in %', () => {
    expect(errorPct(200, 250)).toBe(25);
    expect(errorPct(200, 150)).toBe(-25);
    expect(errorPct(0, 1)).toBeNull();
  });

  it('a job meets the targets with noise ratio <= 1.5 and |p50|, |p99| errors <= 20 %', () => {
    expect(meetsTargets(1.5, 20, -20)).toBe(true);
    expect(meetsTargets(1.51, 0, 0)).toBe(false);
    expect(meetsTargets(1, 21, 0)).toBe(false);
    expect(meetsTargets(1, 0, -20.5)).toBe(false);
    expect(meetsTargets(null, 0, 0)).toBeNull();
  });

  it('the kernel meets the p50 and p99 targets against itself when its runs\' quantile noise is within them', () => {
    expect(kernelMeetsQuantileTargets(20, 20)).toBe(true);
    expect(kernelMeetsQuantileTargets(4, 20.1)).toBe(false);
    expect(kernelMeetsQuantileTargets(21, 0)).toBe(false);
    expect(kernelMeetsQuantileTargets(null, 0)).toBeNull();
  });

  it('the table has one line per job with demerit, noise, ratio, errors and the verdict', () => {
    const reports = [
      { ...report('ok', { p50: 100, p99: 200 }, { p50: 110, p99: 190 }, 12, 10), noise_p50_pct: 4, noise_p99_pct: 12.6 },
      { ...report('bad', { p50: 100, p99: 200 }, { p50: 150, p99: 200 }, 40, 10), noise_p50_pct: 6, noise_p99_pct: 250 },
    ];
    expect(jobSummary(reports[0]!)).toMatchObject({
      p50_error_pct: 10, p99_error_pct: -5, noise_ratio: 1.2, meets_targets: true, run_order: 'back-to-back',
      noise_p50_pct: 4, noise_p99_pct: 12.6, kernel_meets_quantile_targets: true,
    });
    expect(jobSummary(reports[1]!)).toMatchObject({ meets_targets: false, kernel_meets_quantile_targets: false });
    // a report of a version before the quantile noise: unknown, not a failure
    expect(jobSummary(report('old', { p50: 1, p99: 2 }, { p50: 1, p99: 2 }, 1, 1))).toMatchObject({ noise_p50_pct: null, noise_p99_pct: null, kernel_meets_quantile_targets: null });
    expect(validationSummary(reports, 'c.yaml')).toMatchObject({ jobs_meeting_targets: 1, jobs_total: 2, jobs_kernel_meets_quantile_targets: 1 });
    // measured in rounds (npm run validate): the summary says so
    const inRounds = { ...reports[0]!, measured: { ...reports[0]!.measured, run_order: 'rounds' as const } };
    expect(jobSummary(inRounds).run_order).toBe('rounds');
    const t = validationSummaryTable(reports).split('\n');
    expect(t[0]).toMatch(/^job\s+msyncs\s+p50 meas\s+p50 sim\s+p50 err\s+p50 noise\s+p99 meas\s+p99 sim\s+p99 err\s+p99 noise\s+mean meas\s+mean sim\s+demerit\s+noise\s+ratio\s+targets$/);
    expect(t[1]).toMatch(/^ok\s+10\s+100\.0\s+110\.0\s+\+10 %\s+4 %\s+200\.0\s+190\.0\s+-5 %\s+13 %.*12\.0 %\s+10\.0 %\s+1\.20\s+met$/);
    expect(t[2]).toMatch(/^bad .*\+50 %\s+6 %.*250 %.*40\.0 %\s+10\.0 %\s+4\.00\s+missed$/);
    expect(t[3]).toMatch(/^targets: noise ratio <= 1.5/);
    expect(t[4]).toMatch(/^p50 noise, p99 noise: how far apart/);
    expect(t[5]).toBe('met: 1 of 2 jobs; the measured runs agree with each other within the p50 and p99 targets on 1 of 2');
    // reports of one seed (or written before seeds were pooled): sim_seeds 1, no line about seeds
    expect(jobSummary(reports[0]!).sim_seeds).toBe(1);
  });

  it('shows an error a tenth at a time when whole percent would put it on the target\'s edge', () => {
    // p99 −20.49 % (a miss) and +19.6 % (met): whole percent would show both as 20; −25 % and +10 % stay whole
    const edge = report('edge', { p50: 100, p99: 1000 }, { p50: 110, p99: 795.1 }, 12, 10);
    const near = report('near', { p50: 100, p99: 1000 }, { p50: 75, p99: 1196 }, 12, 10);
    const t = validationSummaryTable([edge, near]).split('\n');
    expect(t[1]).toMatch(/^edge .*\+10 %.* -20\.5 %.* missed$/);
    expect(t[2]).toMatch(/^near .* -25 %.* \+19\.6 %.* missed$/);
  });

  it('says how many seeds each job pooled, in the summary and under the table', () => {
    const pooled = (r: ValidationReport, seeds: number[]) => ({ ...r, simulated: { ...r.simulated, seeds } }) as ValidationReport;
    const eight = [1, 2, 3, 4, 5, 6, 7, 8];
    const a = pooled(report('a', { p50: 100, p99: 200 }, { p50: 110, p99: 190 }, 12, 10), eight);
    const b = pooled(report('b', { p50: 100, p99: 200 }, { p50: 110, p99: 190 }, 12, 10), eight);
    expect(jobSummary(a).sim_seeds).toBe(8);
    expect(validationSummaryTable([a, b]).split('\n')[5]).toBe("sim: each job's replays with 8 seeds pooled (syncsim validate --sim-seeds)");
    const one = pooled(report('c', { p50: 100, p99: 200 }, { p50: 110, p99: 190 }, 12, 10), [3]);
    expect(validationSummaryTable([a, one]).split('\n')[5]).toBe("sim: each job's replays pooled, 1 to 8 seeds (summary.json sim_seeds; syncsim validate --sim-seeds)");
  });
});

describe('validation-grid figure', () => {
  const panel = (job: string, floor: number | null) => gridPanel(jobSummary(report(job, { p50: 120, p99: 150 }, { p50: 130, p99: 160 }, 8.4, floor)),
    { runs: floor === null ? [f64([100, 120, 150])] : [f64([100, 120, 150]), f64([105, 125, 140])], simulated: f64([110, 130, 160]) });

  it('puts each job and its figures, as the summary table prints them, in a facet title, in the given order', () => {
    const seq = report('seq', { p50: 120, p99: 150 }, { p50: 130, p99: 160 }, 8.4, 6);
    expect(panelLines(jobSummary(seq))).toEqual([
      'seq · 2 runs × 10 msyncs', 'p50 120.0 vs 130.0 µs (+8 %)', 'p99 150.0 vs 160.0 µs (+7 %)', 'demerit 8.4 % · noise 6.0 % · ratio 1.40',
    ]);
    // the same numbers as the table's line of the job
    const row = validationSummaryTable([seq]).split('\n')[1]!;
    for (const n of ['120.0', '130.0', '+8 %', '150.0', '160.0', '+7 %', '8.4 %', '6.0 %', '1.40']) expect(row).toContain(n);
    expect(panelLines(jobSummary(report('one-run', { p50: 1, p99: 2 }, { p50: 1, p99: 2 }, 8.4, null)))).toEqual([
      'one-run · 1 run × 10 msyncs', 'p50 1.0 vs 1.0 µs (+0 %)', 'p99 2.0 vs 2.0 µs (+0 %)', 'demerit 8.4 %',
    ]);
    const chart = validationGridChart([panel('b', 6), panel('a', 6)], { measured: 'm', simulated: 's' }, THEMES.paper);
    const spec = chart.spec(200, 150) as { facet: { sort: string[] }; data: { values: { panel: string; series?: string; p99?: string; latency_us: number }[] }; columns: number };
    expect(spec.facet.sort).toEqual([panelTitle(panel('b', 6)), panelTitle(panel('a', 6))]);
    expect(spec.facet.sort[0]!.split('|')[0]).toBe('b · 2 runs × 10 msyncs');
    expect(new Set(spec.data.values.map((v) => v.panel))).toEqual(new Set(spec.facet.sort));
    // a curve per measured run and the simulated one, and the two p99s marked
    expect(new Set(spec.data.values.filter((v) => v.series).map((v) => v.series))).toEqual(new Set(['m, run 1', 'm, run 2', 's']));
    expect(spec.data.values.filter((v) => v.p99 && v.panel === spec.facet.sort[0]).map((v) => [v.p99, v.latency_us])).toEqual([['measured', 150], ['simulated', 160]]);
    expect(spec.columns).toBe(2);
    const validateVl = vegaLiteValidator();
    expect(validateVl(spec), JSON.stringify(validateVl.errors?.slice(0, 3))).toBe(true);
  });

  it('labels each panel\'s latency axis at 1, 2, 3 and 5 × 10^k only, so 150 to 2,500 µs reads 200, 300, 500, 1k, 2k (vega\'s own ticks gave 800 and dropped 1k)', async () => {
    const wide = { job: 'w', runs: [f64([150, 400, 2500])], simulated: f64([160, 420, 2400]), lines: ['w'], p99: { measured_us: 2500, simulated_us: 2400 } };
    const spec = validationGridChart([wide], { measured: 'm', simulated: 's' }, THEMES.paper).spec(250, 150);
    const { svg } = await vlToSvg(spec as never);
    // the x axis's labels: the texts under the plot that are latencies (the y axis's are fractions)
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    const xLabels = texts.filter((t) => /^\d+k?$/.test(t));
    expect(xLabels).toEqual(['200', '300', '500', '1k', '2k']);
  });

  it('lays panels out in at most three columns, and up to four without an empty cell (three in a row, not 2 × 2)', () => {
    expect([1, 2, 3, 4, 5, 8, 9].map(gridColumns)).toEqual([1, 2, 3, 2, 3, 3, 3]);
    for (const n of [1, 2, 3, 4]) expect(n % gridColumns(n), `${n} panels`).toBe(0);
  });
});

describe('how busy the machine is while validate measures (machine-state.ts)', () => {
  const MEMINFO = 'MemTotal:       24000000 kB\nDirty:             2048 kB\nWriteback:           16 kB\nDirtyX:    9 kB\n';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const STAT0 = 'cpu  1000 0 500 8000 100 10 10 0 0 0\ncpu0 1 2 3\n';
  const STAT1 = 'cpu  1030 10 520 8120 150 15 5 0 0 0\n';

  it('the CPUs\' working share between two /proc/stat samples (idle and I/O wait do not count), the load average, Dirty and Writeback', () => {
    // working +30 +10 +20 +5 +(-5) = 60 of 60 + 120 idle + 50 iowait = 230 jiffies
    expect(cpuJiffies(STAT0)).toEqual([1520, 9620]);
    expect(parseMachineState(STAT0, STAT1, '0.42 0.30 0.20 1/123 4567\n', MEMINFO)).toEqual({ cpu_busy: 0.261, load1: 0.42, dirty_kb: 2048, writeback_kb: 16 });
    expect(parseMachineState(STAT0, STAT0, '0.42 0 0 1/1 1', MEMINFO)).toMatchObject({ cpu_busy: 0 });
    expect(parseMachineState('intr 1\n', STAT1, '0.1', MEMINFO)).toBeNull();
    expect(parseMachineState(STAT0, STAT1, 'x', MEMINFO)).toBeNull();
    expect(parseMachineState(STAT0, STAT1, '0.1 0 0 1/1 1', 'MemTotal: 1 kB\n')).toBeNull();
  });

  it('an idle machine gives no reason; CPUs more than a quarter busy, or more than 64 MiB of pending writes, each give one', () => {
    expect(busyReasons({ cpu_busy: 0.02, load1: 1.3, dirty_kb: 2048, writeback_kb: 16 })).toEqual([]);
    expect(busyReasons({ cpu_busy: 0.25, load1: 0, dirty_kb: 65536, writeback_kb: 0 })).toEqual([]);
    expect(busyReasons({ cpu_busy: 0.9, load1: 2.5, dirty_kb: 60000, writeback_kb: 40000 })).toEqual([
      'other work kept the CPUs 90 % busy (it competes for them and delays every wakeup)',
      '98 MiB of other writes pending (each FLUSH measured also waits for them)',
    ]);
    expect(busyReasons(null)).toEqual([]);
  });

  it('the warning names every reason, and there is none for an idle machine', () => {
    expect(busyWarning({ cpu_busy: 0.5, load1: 0, dirty_kb: 0, writeback_kb: 0 })).toBe(
      'validate: warning: this machine is busy: other work kept the CPUs 50 % busy (it competes for them and delays every wakeup); the measured syncs will be slower and noisier than on an idle machine');
    expect(busyWarning({ cpu_busy: 0.1, load1: 3, dirty_kb: 0, writeback_kb: 0 })).toBeNull();
    expect(busyWarning(null)).toBeNull();
  });
});

describe("one validation's table (syncsim validate)", () => {
  const rowOf = (table: string, key: string) => table.split('\n').find((l) => l.startsWith(key))!.slice(key.length).trim();
  /** The table of `r`, with what the table reads beyond the summary's fixture (no simulated failures). */
  const validationTable = (r: ValidationReport, out: string) => tableOf({ ...r, simulated: { ...r.simulated, errors: {} } } as ValidationReport, out);

  it('gives the verdict on the targets with the errors that decide it, as npm run validate\'s table does', () => {
    const ok = { ...report('ok', { p50: 100, p99: 200 }, { p50: 110, p99: 190 }, 12, 10), noise_p50_pct: 4, noise_p99_pct: 12.6 };
    expect(rowOf(validationTable(ok, '/v'), 'targets')).toBe('met (noise ratio <= 1.5, |p50 err| and |p99 err| <= 20 %: p50 err +10 %, p99 err -5 %)');
    expect(rowOf(validationTable(ok, '/v'), 'noise ratio')).toBe('1.20 (demerit / noise floor; 1 = as close as the kernel to itself)');
    const one = report('one', { p50: 100, p99: 200 }, { p50: 100, p99: 200 }, 5, null);
    expect(rowOf(validationTable({ ...one, job: { ...one.job, fio_version: 'fio-3.33' } } as ValidationReport, '/v'), 'targets'))
      .toBe('- (no noise floor: one fio run: --repeat 2 or more measures it; noise ratio <= 1.5, |p50 err| and |p99 err| <= 20 %: p50 err +0 %, p99 err +0 %)');
  });

  it('runs that were the same (a noise floor of 0, no ratio): the targets row says so, not that there was one run', () => {
    const same = { ...report('same', { p50: 100, p99: 200 }, { p50: 100, p99: 200 }, 5, 0), noise_p50_pct: 0, noise_p99_pct: 0 };
    expect(rowOf(validationTable({ ...same, noise_ratio: null } as ValidationReport, '/v'), 'targets'))
      .toBe('- (a noise floor of 0.0 % between the 2 measured runs, so no noise ratio; noise ratio <= 1.5, |p50 err| and |p99 err| <= 20 %: p50 err +0 %, p99 err +0 %)');
  });

  it('measured runs that disagree: the ratio row says a small ratio is the kernel\'s unsteadiness, and the verdict says the runs miss the targets against each other', () => {
    // the new user's numjobs=2 job: noise floor 190.6 %, p99s 382.8 % apart, ratio 0.46, p90 sim/meas 0.27
    const wild = { ...report('nj', { p50: 628, p99: 2454.5 }, { p50: 446.9, p99: 669.5 }, 87.7, 190.6), noise_p50_pct: 30.2, noise_p99_pct: 382.8 };
    const t = validationTable(wild, '/v');
    expect(rowOf(t, 'noise ratio')).toBe('0.46 (demerit / noise floor; 1 = as close as the kernel to itself); the measured runs disagree, so a small ratio says the kernel was far from itself, not that the model is close');
    expect(rowOf(t, 'targets')).toBe('missed (noise ratio <= 1.5, |p50 err| and |p99 err| <= 20 %: p50 err -29 %, p99 err -73 %); '
      + 'the measured runs themselves miss the p50 or p99 target against each other (p50s 30.2 %, p99s 382.8 % apart): this machine was too unsteady for this job to tell much');
  });

  it('the calibration row says when its figures are the session\'s refit, not the file\'s as written', () => {
    const r = { ...report('ok', { p50: 100, p99: 200 }, { p50: 110, p99: 190 }, 12, 10), calibration: { file: '/c/quick.yaml', device: 'sata-ssd: write 13.7 µs', session: { level: { probes: [1, 2], p50_us: 99 }, flush_us: 100, calibration_flush_us: 366, media_write_us: null, calibration_media_write_us: null, profile: 'p' } } } as unknown as ValidationReport;
    expect(rowOf(validationTable(r, '/v'), 'calibration')).toBe('/c/quick.yaml as refitted to this session (FLUSH level, below), the figures replayed: sata-ssd: write 13.7 µs');
    const plain = { ...r, calibration: { file: '/c/quick.yaml', device: 'sata-ssd: write 45.7 µs', session: null } } as unknown as ValidationReport;
    expect(rowOf(validationTable(plain, '/v'), 'calibration')).toBe('/c/quick.yaml: sata-ssd: write 45.7 µs');
  });
});
