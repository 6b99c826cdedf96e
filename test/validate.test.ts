/**
 * Validation against a real kernel: the demerit figure on hand-worked CDFs,
 * the calibration fit on synthetic samples of known parameters, fio job
 * checking and I/O-log timing. `syncsim calibrate` and `syncsim validate`
 * end to end with the real fio are in validate-fio.e2e.ts (`npm run
 * test:fio`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demerit, distStats, quantileStep, rmsHorizontalDistance, sortedCopy } from '../scripts/validate/demerit.ts';
import { fitChannels, fitService, leastSquares } from '../scripts/validate/fit.ts';
import { parseJobFile, prepareJob } from '../scripts/validate/jobfile.ts';
import { iologLatencies, parseSize } from '../scripts/validate/fio.ts';
import { checkWithFio, fioParseError } from '../scripts/validate/fio-parse.ts';
import { InputError } from '../scripts/errors.ts';
import { cdfSteps } from '../reports/charts/validation-cdf.ts';
import { TraceError } from '../traces/trace-error.ts';
import { RandomStream } from '../sim/engine/random.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-validate-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const f64 = (v: number[]) => Float64Array.from(v);

// ---------------------------------------------------------------------------------------------
// demerit

describe('demerit figure', () => {
  it('hand-worked: measured {10, 20, 30} against simulated {15, 35}', () => {
    // F⁻¹ (m = 3): 10 on (0, 1/3], 20 on (1/3, 2/3], 30 on (2/3, 1]
    // G⁻¹ (n = 2): 15 on (0, 1/2], 35 on (1/2, 1]
    // grid {0, 1/3, 1/2, 2/3, 1}:
    //   (0, 1/3]:   |10 − 15| = 5,  25 × 1/3 = 25/3
    //   (1/3, 1/2]: |20 − 15| = 5,  25 × 1/6 = 25/6
    //   (1/2, 2/3]: |20 − 35| = 15, 225 × 1/6 = 75/2
    //   (2/3, 1]:   |30 − 35| = 5,  25 × 1/3 = 25/3
    //   ∫ = 25/3 + 25/6 + 75/2 + 25/3 = 175/3;  R = √(175/3) = 7.6376 µs
    //   measured mean 20 → demerit = 100 × 7.6376 / 20 = 38.188 %
    const meas = f64([10, 20, 30]), sim = f64([15, 35]);
    expect([0.2, 1 / 3, 0.5, 2 / 3, 0.9, 1].map((p) => quantileStep(meas, p))).toEqual([10, 10, 20, 20, 30, 30]);
    expect([0.2, 0.5, 0.51, 1].map((p) => quantileStep(sim, p))).toEqual([15, 15, 35, 35]);
    expect(rmsHorizontalDistance(meas, sim)).toBeCloseTo(Math.sqrt(175 / 3), 12);
    const d = demerit(meas, sim);
    expect(d.rms_distance_us).toBeCloseTo(7.637626, 6);
    expect(d.demerit_pct).toBeCloseTo((100 * Math.sqrt(175 / 3)) / 20, 10);
    expect(d.demerit_pct).toBeCloseTo(38.188, 3);
  });

  it('hand-worked: measured {1, 2, 3, 4} against simulated {2, 4}', () => {
    // (0, 1/4]: |1−2| = 1; (1/4, 1/2]: 0; (1/2, 3/4]: |3−4| = 1; (3/4, 1]: 0 → ∫ = 1/2, R = √0.5; mean 2.5
    const d = demerit(f64([1, 2, 3, 4]), f64([2, 4]));
    expect(d.rms_distance_us).toBeCloseTo(Math.SQRT1_2, 12);
    expect(d.demerit_pct).toBeCloseTo((100 * Math.SQRT1_2) / 2.5, 10); // 28.284 %
  });

  it('is 0 for identical distributions, the shift for a shifted one, and symmetric in its distance', () => {
    const a = f64([3, 5, 8, 13, 21]);
    expect(rmsHorizontalDistance(a, f64([3, 5, 8, 13, 21]))).toBe(0);
    // the same distribution with every value repeated twice is the same CDF
    expect(rmsHorizontalDistance(a, f64([3, 3, 5, 5, 8, 8, 13, 13, 21, 21]))).toBe(0);
    expect(rmsHorizontalDistance(a, f64([10, 12, 15, 20, 28]))).toBeCloseTo(7, 12);
    expect(demerit(a, f64([10, 12, 15, 20, 28])).demerit_pct).toBeCloseTo((100 * 7) / 10, 10);
    const b = f64([1, 4, 4, 9, 30, 31, 40]);
    expect(rmsHorizontalDistance(a, b)).toBeCloseTo(rmsHorizontalDistance(b, a), 12);
  });

  it('equals a brute-force midpoint integration of the definition on unequal random samples', () => {
    const rng = new RandomStream(7, 'demerit');
    for (const [m, n] of [[7, 13], [50, 3], [101, 100]] as const) {
      const a = sortedCopy(Array.from({ length: m }, () => 100 + rng.exponential(50)));
      const b = sortedCopy(Array.from({ length: n }, () => 80 + rng.exponential(90)));
      const K = 200_000;
      let s = 0;
      for (let k = 0; k < K; k++) {
        const p = (k + 0.5) / K;
        const fa = a[Math.ceil(m * p) - 1]!, fb = b[Math.ceil(n * p) - 1]!;
        s += (fa - fb) ** 2 / K;
      }
      expect(rmsHorizontalDistance(a, b)).toBeCloseTo(Math.sqrt(s), 1);
      expect(Math.abs(rmsHorizontalDistance(a, b) - Math.sqrt(s)) / Math.sqrt(s)).toBeLessThan(1e-3);
    }
  });

  it('reports interpolated percentiles (type 7) and the mean', () => {
    const s = distStats(f64([10, 20, 30, 40, 50]));
    // type 7: position (n − 1)·p → p50 at 2 = 30, p90 at 3.6 = 40 + 0.6·10 = 46, p99 at 3.96 = 49.6
    expect(s).toEqual({ count: 5, mean_us: 30, p50_us: 30, p90_us: 46, p99_us: 49.6, min_us: 10, max_us: 50 });
  });

  it('thins a CDF for the chart without losing its ends', () => {
    const v = sortedCopy(Array.from({ length: 5000 }, (_, i) => 1 + (i % 997)));
    const steps = cdfSteps(v, 's', 100);
    expect(steps.length).toBeLessThanOrEqual(101);
    expect(steps[0]).toEqual({ series: 's', latency_us: 1, fraction: 0 });
    expect(steps[steps.length - 1]).toEqual({ series: 's', latency_us: 997, fraction: 1 });
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]!.latency_us).toBeGreaterThan(steps[i - 1]!.latency_us);
      // the fraction of samples <= the value, counted here directly
      expect(steps[i]!.fraction).toBe(v.filter((x) => x <= steps[i]!.latency_us).length / v.length);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// calibration fit

describe('calibration fit', () => {
  it('least squares through points on a line is the line', () => {
    const l = leastSquares([1, 8, 32, 128].map((x) => ({ x, y: 40 + 2.5 * x })));
    expect(l.slope).toBeCloseTo(2.5, 12);
    expect(l.intercept).toBeCloseTo(40, 10);
    expect(l.r2).toBeCloseTo(1, 12);
  });

  it('recovers per_page_us and the service distribution of synthetic samples within 5 %', () => {
    // model: latency = s + b·n, s lognormal with mean 80 µs and cv 0.6, b = 2.5 µs per page
    const MEAN = 80, CV = 0.6, B = 2.5;
    const sigma2 = Math.log(1 + CV * CV), mu = Math.log(MEAN) - sigma2 / 2;
    const rng = new RandomStream(42, 'calibration');
    const sizes = [1, 8, 32, 128].map((pages) => ({
      pages,
      latencies_us: Float64Array.from({ length: 3000 }, () => Math.exp(mu + Math.sqrt(sigma2) * rng.normal()) + B * pages),
    }));
    const fit = fitService(sizes);
    expect(Math.abs(fit.per_page_us - B) / B).toBeLessThan(0.05);
    const svc = distStats(sortedCopy(fit.service_us));
    expect(svc.count).toBe(12000);
    expect(Math.abs(svc.mean_us - MEAN) / MEAN).toBeLessThan(0.05);
    expect(Math.abs(svc.p50_us - Math.exp(mu)) / Math.exp(mu)).toBeLessThan(0.05);
    // p90 of a lognormal: exp(mu + 1.2816 sigma)
    const p90 = Math.exp(mu + 1.2815516 * Math.sqrt(sigma2));
    expect(Math.abs(svc.p90_us - p90) / p90).toBeLessThan(0.05);
    expect(fit.sizes.map((s) => s.pages)).toEqual([1, 8, 32, 128]);
  });

  it('recovers the channel count of a c-server device from its throughput at growing depths', () => {
    // c = 6 servers of 50 µs: IOPS = min(q, 6) / 50 µs, with ±3 % noise; latency grows past depth 6
    const rng = new RandomStream(3, 'probe');
    const probes = [1, 2, 4, 8, 16, 32, 64].map((q) => ({
      depth: q,
      iops: (Math.min(q, 6) / 50e-6) * (1 + 0.03 * (2 * rng.uniform() - 1)),
      mean_latency_us: 50 * Math.max(1, q / 6),
    }));
    const c = fitChannels(probes);
    expect(c.channels).toBe(6);
    expect(Math.abs(c.estimate - 6) / 6).toBeLessThan(0.05);
    expect(fitChannels([{ depth: 1, iops: 20000, mean_latency_us: 50 }]).channels).toBe(1);
  });

  it('parses sizes like fio', () => {
    expect(parseSize('256m')).toBe(256 * 2 ** 20);
    expect(parseSize('4k')).toBe(4096);
    expect(parseSize('1G')).toBe(2 ** 30);
    expect(parseSize('1000')).toBe(1000);
    expect(parseSize('12q')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// job files and I/O logs

describe('fio job files and I/O logs', () => {
  const outs = { iolog: '/o/fio.iolog', latLog: '/o/fio', dataDir: '/data' };
  const job = (text: string) => parseJobFile(text, 'job.fio');
  /** `at`: what the message names after the line, `option KEY` or `section [NAME]` (a job file has no columns). */
  const fails = (text: string, line: number, at: string, what: RegExp) => {
    let err: unknown;
    try {
      prepareJob(job(text), outs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    expect((err as TraceError).message.startsWith(`job.fio:${line}: ${at}: `)).toBe(true);
    expect((err as TraceError).message).toMatch(what);
  };

  it('rewrites one mmap job: its own logs dropped, ours and the data directory added', () => {
    const p = prepareJob(job([
      '; a comment', '[global]', 'bs=4k', 'ioengine=mmap', '', '[j]', 'rw=write', 'size=1m', 'fsync=8',
      'write_iolog=/elsewhere.iolog', 'write_lat_log=x', 'log_avg_msec=500', 'time_based',
    ].join('\n')), outs);
    expect(p).toMatchObject({ name: 'j', sync_every: 8, sync_option: 'fsync' });
    expect(p.text.split('\n').slice(1)).toEqual([
      '[global]', 'bs=4k', 'ioengine=mmap', '[j]', 'rw=write', 'size=1m', 'fsync=8', 'time_based',
      'directory=/data', 'write_iolog=/o/fio.iolog', 'write_lat_log=/o/fio', 'log_avg_msec=0', '',
    ]);
    const q = prepareJob(job('[j]\nioengine=mmap\nfdatasync=2\n'), outs);
    expect(q).toMatchObject({ sync_every: 2, sync_option: 'fdatasync' });
  });

  it('numjobs=N becomes N sections that run at once, each with its own logs', () => {
    const p = prepareJob(job('[global]\nbs=4k\n[two]\nioengine=mmap\nrw=write\nfsync=8\nnumjobs=2\n'), outs);
    expect(p.name).toBe('two');
    expect(p.clones).toEqual([
      { name: 'two-1', iolog: '/o/fio-1.iolog', latLog: '/o/fio-1' },
      { name: 'two-2', iolog: '/o/fio-2.iolog', latLog: '/o/fio-2' },
    ]);
    expect(p.text.split('\n').slice(1)).toEqual([
      '[global]', 'bs=4k',
      '[two-1]', 'ioengine=mmap', 'rw=write', 'fsync=8', 'directory=/data', 'write_iolog=/o/fio-1.iolog', 'write_lat_log=/o/fio-1', 'log_avg_msec=0',
      '[two-2]', 'ioengine=mmap', 'rw=write', 'fsync=8', 'directory=/data', 'write_iolog=/o/fio-2.iolog', 'write_lat_log=/o/fio-2', 'log_avg_msec=0', '',
    ]);
    // one job keeps its name and the logs as given
    expect(prepareJob(job('[one]\nioengine=mmap\nfsync=1\nnumjobs=1\n'), outs).clones).toEqual([{ name: 'one', iolog: '/o/fio.iolog', latLog: '/o/fio' }]);
  });

  it('refuses what is not one mmap job that syncs, naming file, line and option', () => {
    fails('[j]\nioengine=psync\nfsync=4\n', 2, 'option ioengine', /must use ioengine=mmap .*\(got 'psync'\)/);
    fails('[j]\nrw=write\nfsync=4\n', 1, 'option ioengine', /must use ioengine=mmap/);
    fails('[global]\nioengine=mmap\n[j]\nrw=write\n', 3, 'option fsync', /the job must sync: set fsync=N/);
    fails('[j]\nioengine=mmap\nfsync=1\nnumjobs=9\n', 4, 'option numjobs', /numjobs must be a whole number from 1 to 8 \(got '9'\)/);
    fails('[j]\nioengine=mmap\nfsync=1\nnumjobs=0\n', 4, 'option numjobs', /numjobs must be a whole number from 1 to 8/);
    expect(() => parseJobFile('rw=write\n', 'job.fio')).toThrow(/^job\.fio:1: expected a section header/);
    expect(() => parseJobFile('[j]\ninclude other.fio\n', 'job.fio')).toThrow(/^job\.fio:2: include directives are not supported here: put the options in the job file \(got 'include other\.fio'\)$/);
  });

  it('words its refusals as a job file has them, options and sections, not columns', () => {
    const message = (text: string) => {
      try {
        prepareJob(job(text), outs);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(message('[global]\nioengine=mmap\nfsync=1\n[a]\n[b]\n')).toBe(
      "job.fio:5: section [b]: validation runs exactly one fio job: expected one job section besides [global] (got '[a] [b]')");
    expect(message('[global]\nioengine=mmap\nfsync=1\n')).toBe(
      "job.fio:1: validation runs exactly one fio job: expected one job section besides [global] (got '(none)')");
    expect(message('[j]\nioengine=psync\nfsync=4\n')).toBe(
      "job.fio:2: option ioengine: validation predicts msync latency: the job must use ioengine=mmap (its fsync is msync(MS_SYNC)) (got 'psync')");
    expect(message('[j]\nioengine=mmap\nfsync=x\n')).toBe("job.fio:3: option fsync: the job must sync: set fsync=N (an msync MS_SYNC of the mapping every N writes) (got 'x')");
  });

  it('fio --parse-only\'s complaint becomes one line at the option\'s line of the user\'s file, with fio\'s words', () => {
    const file = job('[global]\nioengine=mmap\nbs=4k\n[j]\nrw=randwritex\nfsync=4\nblocksz_typo=4k\nbogus\n');
    // fio 3.33's output, as it printed it for these options
    expect(fioParseError(file, 'Bad option <blocksz_typo=4k>\nfio: job j dropped\n', '').message).toBe(
      "job.fio:7: option blocksz_typo: fio --parse-only refuses it: Bad option <blocksz_typo=4k> (got 'blocksz_typo=4k')");
    expect(fioParseError(file, 'Bad option <bogus>\nDid you mean bs?\nfio: job j-1 dropped\n', '').message).toBe(
      "job.fio:8: option bogus: fio --parse-only refuses it: Bad option <bogus>; Did you mean bs? (got 'bogus')");
    const rwValues = '        valid values: read       Sequential read\n                    : write      Sequential write\n                    : randwrite  Random write\n\n';
    expect(fioParseError(file, 'fio: failed parsing rw=randwritex\nfio: job j dropped\n', rwValues).message).toBe(
      "job.fio:5: option rw: fio --parse-only refuses it: failed parsing rw=randwritex (valid values: read, write, randwrite) (got 'rw=randwritex')");
    // nothing of the file named: the file, and fio's words
    const other = fioParseError(file, 'fio: something else went wrong\nfio: job j dropped\n', '');
    expect(other).toBeInstanceOf(InputError);
    expect(other.message).toBe('job.fio: fio --parse-only refuses the job: something else went wrong');
  });

  it('fio --parse-only itself takes a good job and refuses a misspelt option', () => {
    const text = '[j]\nioengine=mmap\nrw=randwrite\nbs=4k\nsize=4m\nfsync=4\n';
    expect(() => checkWithFio(job(text), text)).not.toThrow();
    const typo = `${text}blocksz_typo=4k\n`;
    expect(() => checkWithFio(job(typo), typo)).toThrow(/^job\.fio:7: option blocksz_typo: fio --parse-only refuses it: Bad option <blocksz_typo=4k> \(got 'blocksz_typo=4k'\)$/);
  });

  it('times each sync to the next entry of a version-3 I/O log', async () => {
    const d = tmp();
    const log = join(d, 'a.iolog');
    writeFileSync(log, [
      'fio version 3 iolog', '10 /f add', '20 /f open', '100 /f write 0 4096', '105 /f write 4096 4096',
      '110 /f sync 4096 0', '250 /f write 8192 4096', '260 /f sync 8192 0', '300 /f datasync 8192 0', '420 /f close', '',
    ].join('\n'));
    const r = await iologLatencies(log, new Set(['sync', 'datasync']));
    expect(Array.from(r.latencies_us)).toEqual([250 - 110, 300 - 260, 420 - 300]);
    expect(Array.from(r.issued_us)).toEqual([110, 260, 300]);
    expect(r.unmatched).toBe(0);
    expect(r.actions).toEqual({ add: 1, open: 1, write: 3, sync: 2, datasync: 1, close: 1 });
    // a last sync with nothing after it has no latency
    const log2 = join(d, 'b.iolog');
    writeFileSync(log2, 'fio version 3 iolog\n1 /f add\n5 /f write 0 1\n9 /f sync 0 0\n');
    const r2 = await iologLatencies(log2, new Set(['sync']));
    expect(r2.latencies_us.length).toBe(0);
    expect(r2.unmatched).toBe(1);
    const log3 = join(d, 'c.iolog');
    writeFileSync(log3, 'fio version 2 iolog\n/f add\n');
    await expect(iologLatencies(log3, new Set(['sync']))).rejects.toThrow(/c\.iolog:1: a version-2 I\/O log has no timestamps/);
  });
});
