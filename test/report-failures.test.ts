/**
 * Reports of sweeps in which runs failed: the n stated per point is the true one (the range over
 * the points), the failed runs are counted and named with where their errors are, and a sweep
 * whose every run failed is refused saying so.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../sim/config.ts';
import { makeReport } from '../reports/report.ts';
import { THEMES } from '../reports/theme.ts';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { syncsimHere } from './cli-here.ts';
import { chartsOf, writeRun } from './report-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-report-failures-'));
const noteOf = (c: Chart) => ((c.spec(200, 150) as VlSpec).title as { text: string[] } | undefined)?.text.join(' ') ?? '';
const ERROR = 'misaligned.csv:3: column addr: map address is not aligned to page_size 8192';

/**
 * A hand-made sweep: grid device.channels [1, 2, 4], seeds 1 and 2; `failed` lists the
 * [channels, seed] runs that failed. aggregate.csv counts each point's successful runs, as the sweep does.
 */
function writeSweep(failed: [number, number][]): string {
  const dir = join(tmp(), 'sweep');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  let results = 'run_id,point,device.channels,seed,status,sync.latency_us.p99,error\n';
  let aggregate = 'point,device.channels,metric,n,mean,sd,ci95,median\n';
  [1, 2, 4].forEach((c, i) => {
    const p99s: number[] = [];
    for (const seed of [1, 2]) {
      const id = `c${c}s${seed}`;
      if (failed.some(([fc, fs]) => fc === c && fs === seed)) {
        mkdirSync(join(dir, 'runs', id));
        writeFileSync(join(dir, 'runs', id, 'run.json'), JSON.stringify({ id, point: i + 1, seed, status: 'failed', error: ERROR }));
        results += `${id},${i + 1},${c},${seed},failed,,${ERROR}\n`;
        continue;
      }
      const s = writeRun(join(dir, 'runs', id), {
        seed, syncs: [{ t: 1, lat: 100 / c + seed, pages: 1 }, { t: 2, lat: 200 / c + seed, pages: 2 }], writeback: [{ cause: 'msync', bytes: 4096 * c }], dirtied: 4096,
        config: { device: { ...defaultConfig().device, channels: c } },
      });
      p99s.push(s.sync.latency_us.p99!);
      results += `${id},${i + 1},${c},${seed},ok,${s.sync.latency_us.p99},\n`;
    }
    const n = p99s.length;
    const mean = n ? p99s.reduce((a, b) => a + b, 0) / n : '';
    aggregate += `${i + 1},${c},sync.latency_us.p99,${n},${mean},${n > 1 ? 0.5 : ''},${n > 1 ? 4.5 : ''},${mean}\n`;
  });
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'aggregate.csv'), aggregate);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ syncsim_sweep: 1, name: 'part-failed', keys: ['device.channels'], metrics: ['sync.latency_us.p99'], seeds: [1, 2] }));
  return dir;
}

describe('a sweep some of whose runs failed', () => {
  it('the figures state the true n (a range when it differs between points) and how many runs failed', async () => {
    const dir = writeSweep([[2, 2], [4, 1]]);
    const charts = await chartsOf(dir);
    const pct = charts.find((c) => c.name === 'latency-percentiles')!;
    expect(noteOf(pct)).toContain('n = 1–2 seeds per configuration; bars: 95 % CI of the mean (none where n = 1)');
    expect(noteOf(pct)).toContain('2 of 6 runs failed');
    const line = charts.find((c) => c.name === 'sweep-p99-vs-channels')!;
    expect(noteOf(line)).toContain('n = 1–2 seeds per point');
    expect(noteOf(line)).toContain('2 of 6 runs failed');
    const wb = charts.find((c) => c.name === 'writeback-by-cause')!;
    expect(wb.caption).toContain('mean over the successful runs of each configuration (n = 1–2 seeds; 2 of 6 runs failed)');
    expect(noteOf(wb)).toContain('2 of 6 runs failed');
  });

  it('the report names the failed runs (configuration, seed, run id) and where their errors are', async () => {
    const dir = writeSweep([[2, 2], [4, 1], [4, 2]]);
    const o = await makeReport({ dir, out: join(dir, 'report'), formats: [], theme: THEMES.paper, width: 238 });
    expect(o.notes).toContain(
      `3 of 6 runs failed: device channels = 2, seed 2 (run c2s2); device channels = 4, seed 1 (run c4s1); device channels = 4, seed 2 (run c4s2). Their errors: ${join(dir, 'results.csv')} (column error) and ${join(dir, 'runs', '<id>', 'run.json')}. `
      + 'Means, CIs and n are over the successful runs of each configuration.',
    );
    expect(o.notes).toContain('device channels = 4: every run failed; it is left out of the charts.');
    // where n is 1 everywhere: no CI, and it says so
    const one = await chartsOf(writeSweep([[1, 2], [2, 2], [4, 2]]));
    expect(noteOf(one.find((c) => c.name === 'latency-percentiles')!)).toContain('n = 1 seed per configuration; no CI (one seed); 3 of 6 runs failed');
  });

  it('every run failed: the report is refused saying so, with the first error and where the others are (exit 2, nothing written)', async () => {
    const dir = writeSweep([[1, 1], [1, 2], [2, 1], [2, 2], [4, 1], [4, 2]]);
    const r = await syncsimHere(['report', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: ${dir}: every run of sweep 'part-failed' failed (6 of 6), so there is nothing to chart; the first, device channels = 1, seed 1 (run c1s1): ${ERROR}; `
      + `all their errors: ${join(dir, 'results.csv')} (column error) and ${join(dir, 'runs', '<id>', 'run.json')}\n`);
  });

  it('a real sweep whose every run failed', async () => {
    const work = tmp();
    writeFileSync(join(work, 'misaligned.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,0x4000,,f,0\n1,a,write,0x1000,100,,,\n2,a,msync,0x1000,0x4000,SYNC,,\n');
    writeFileSync(join(work, 'fail.yaml'), 'name: fails\ntrace: { path: misaligned.csv }\ngrid:\n  page_size: [8192, 16384]\nseeds: [1, 2]\nmetrics: [sync.count]\n');
    expect((await syncsimHere(['sweep', 'fail.yaml', '--out', 'fail', '--jobs', '1', '--no-cache'], work)).code).toBe(1);
    const r = await syncsimHere(['report', 'fail'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^syncsim: fail: every run of sweep 'fails' failed \(4 of 4\), so there is nothing to chart; the first, page size \(KiB\) = 8, seed 1 \(run [0-9a-f]{16}\): misaligned\.csv:3: column addr: map address is not aligned to page_size 8192 \(got '0x1000'\) \(2 different errors\); all their errors: fail\/results\.csv \(column error\) and fail\/runs\/<id>\/run\.json\n$/);
  }, 60_000);
});
