/**
 * `syncsim report --configs`, from a new user's trial: a sweep of more than
 * eight configurations had no CDF, timeline or scatter, and no way to choose
 * some. `--configs` draws the charts of the configurations named, each in
 * its colour of the full report, and refuses a name that is none (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VlSpec } from '../reports/chart.ts';
import { makeReport } from '../reports/report.ts';
import { oneValueNotes } from '../reports/sweep-notes.ts';
import { THEMES } from '../reports/theme.ts';
import { kernelsByInterval, sweepWithRuns } from './report-fixtures.ts';
import { syncsimHere } from './cli-here.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-configs-'));

describe('report --configs', () => {
  it('draws the CDF, timeline and scatter for the configurations named, each in its colour of the full report', async () => {
    const dir = kernelsByInterval();
    const full = await makeReport({ dir, out: join(tmp(), 'all'), formats: [], theme: paper, width: 238 });
    expect(full.charts.map((c) => c.name)).not.toContain('latency-cdf');
    const skip = full.notes.find((n) => n.includes('at most 8 configurations'))!;
    expect(skip).toContain('this directory has 12');
    // named as the legends name them, the intervals in ms (2000 µs: 2); the grid values as written still name them
    expect(skip).toContain("--configs 'freebsd, 2,freebsd, 8'");
    for (const configs of [['freebsd, 2,mach, 32'], ['freebsd, 2, mach, 32'], ['freebsd, 2000,mach, 32000'], ['freebsd, 2000, mach, 32'], ['@1,@12'], ['mach, 32', '@1']]) {
      const out = join(tmp(), 'some');
      const r = await makeReport({ dir, out, formats: [], theme: paper, width: 238, configs });
      expect(r.charts.map((c) => c.name), configs.join(' ')).toEqual(expect.arrayContaining(['latency-cdf', 'timeline', 'latency-vs-pages', 'latency-percentiles']));
      const cdf = JSON.parse(readFileSync(join(out, 'latency-cdf.vl.json'), 'utf8')) as VlSpec;
      const scale = JSON.stringify(cdf).match(/"domain":\["freebsd, 2","mach, 32"\],"range":\["([^"]+)","([^"]+)"\]/);
      // configurations of four kernels: each in its kernel's colour (reports/README.md), freebsd blue, mach reddish purple
      expect(scale?.slice(1)).toEqual(['#0072B2', '#CC79A7']);
      expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).configs).toEqual(['freebsd, 2', 'mach, 32']);
    }
  });

  it('a sweep line keeps its colour of the full report: its first configuration in the whole grid, not among those chosen (a user trial)', async () => {
    // cluster × policy, the line of `flusher` first at @2: drawn in @2's colour with --configs @1,@4 too (was @4's)
    const dir = sweepWithRuns(['pager.cluster_pages', 'writeback.policy'], [[8, 'none'], [8, 'flusher'], [32, 'none'], [32, 'flusher']]);
    const lineScale = async (configs?: string[]) => {
      const out = join(tmp(), 'r');
      await makeReport({ dir, out, formats: [], theme: paper, width: 238, ...(configs ? { configs } : {}) });
      const spec = JSON.stringify(JSON.parse(readFileSync(join(out, 'sweep-p99-vs-cluster-pages.vl.json'), 'utf8')));
      const m = spec.match(/"domain":(\["(?:none|flusher)","(?:none|flusher)"\]),"range":(\["[^"]+","[^"]+"\])/)!;
      const domain = JSON.parse(m[1]!) as string[], range = JSON.parse(m[2]!) as string[];
      return ['none', 'flusher'].map((s) => range[domain.indexOf(s)]);
    };
    const full = await lineScale();
    expect(full).toEqual(['#0072B2', '#D55E00']);
    expect(await lineScale(['@1,@4'])).toEqual(full);
    expect(await lineScale(['@2,@3'])).toEqual(full);
  });

  it('a line that the full report moved off a colour an earlier line has keeps its move when that line is not chosen (review 196)', async () => {
    // 12 memory sizes × 2 clusters: the lines of the cluster chart, one per size, share 8 colours; 9000 and 10000 are moved
    const grid = Array.from({ length: 12 }, (_, i) => [[(i + 1) * 1000, 8], [(i + 1) * 1000, 32]]).flat();
    const dir = sweepWithRuns(['memory.pages', 'pager.cluster_pages'], grid);
    const looks = async (configs?: string[]) => {
      const out = join(tmp(), 'r');
      await makeReport({ dir, out, formats: [], theme: paper, width: 238, ...(configs ? { configs } : {}) });
      const spec = JSON.stringify(JSON.parse(readFileSync(join(out, 'sweep-p99-vs-cluster-pages.vl.json'), 'utf8')));
      const m = spec.match(/"domain":(\[[^\]]*\]),"range":(\[[^\]]*\])/)!;
      const domain = JSON.parse(m[1]!) as string[], range = JSON.parse(m[2]!) as string[];
      return new Map(domain.map((d, i) => [d, range[i]!]));
    };
    const full = await looks();
    const some = await looks(['@17,@18,@19,@20']);
    expect(some.size).toBe(2);
    for (const [line, colour] of some) expect([line, colour]).toEqual([line, full.get(line)]);
  });

  it('says why a sweep chart is left out when the configurations chosen have one value of its key', async () => {
    // @1, @4, @7, @10: every kernel at 2000 µs
    const r = await makeReport({ dir: kernelsByInterval(), out: join(tmp(), 'one'), formats: [], theme: paper, width: 238, configs: ['@1,@4,@7,@10'] });
    expect(r.charts.map((c) => c.name)).not.toContain('sweep-p99-vs-sync-interval-us');
    expect(r.notes).toContain('sweep-p99-vs-sync-interval-us: the configurations chosen with --configs have one msync interval (2 ms); not drawn.');
  });

  it('writes the value in the unit the report gives its key, whatever the unit (a user trial: --configs @1 said "one write cluster (8)")', () => {
    const note = (key: string, value: number, labels = {}) => oneValueNotes(['c'], key, value, labels)[0];
    expect(note('pager.cluster_pages', 8)).toBe('c: the configurations chosen with --configs have one write cluster (8 pages); not drawn.');
    expect(note('trace.set.sync_every', 50)).toContain('have one msync every (50 writes);');
    expect(note('trace.set.rate', 500)).toContain('have one write rate (500 writes/s per task);');
    expect(note('writeback.dirty_ratio', 20)).toContain('have one dirty ratio (20 %);');
    // times and byte counts as before, in the axis's unit; a key without a unit, an override (no unit) and a no-limit 0 as they were
    expect(note('memory.memlock_limit_bytes', 2097152)).toContain('have one memlock limit (2 MiB);');
    expect(note('device.channels', 4)).toContain('have one device channels (4);');
    expect(note('pager.cluster_pages', 8, { 'pager.cluster_pages': 'cluster' })).toContain('have one cluster (8);');
    expect(note('memory.pages', 0)).toContain('have one memory (unlimited);');
  });

  it('refuses a name that is no configuration, naming it and listing those there are; the command exits 2', async () => {
    const dir = kernelsByInterval();
    await expect(makeReport({ dir, out: join(tmp(), 'x'), formats: [], theme: paper, width: 238, configs: ['freebsd, 2000,macos, 2000'] }))
      .rejects.toThrow(/^--configs: no configuration 'macos, 2000' in .*; its 12 configurations are 'freebsd, 2' \(@1\), .*'mach, 32' \(@12\)$/);
    const r = await syncsimHere(['report', dir, '--out', join(tmp(), 'y'), '--format', 'svg', '--configs', 'linux,20000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("syncsim: --configs: no configuration 'linux, 20000' in ");
    expect(r.stderr).toContain("'linux, 2' (@4)");
  });

  it('--chart of a chart drawn per configuration, of more than 8: not drawn, and why, in one sentence; any other chart is not given that reason', async () => {
    const dir = kernelsByInterval();
    const chart = (name: string) => syncsimHere(['report', dir, '--out', join(tmp(), 'c'), '--format', 'svg', '--chart', name]);
    const why = "the latency CDF, the timelines and latency vs pages are drawn for at most 8 configurations; this directory has 12. To draw them, choose at most 8 with --configs, named as the legends name them, comma-separated (--configs 'freebsd, 2,freebsd, 8', or a sweep's grid points as @N: --configs @1,@2).";
    for (const name of ['latency-cdf', 'timeline', 'timeline-2', 'latency-vs-pages']) {
      // it said "does not apply to DIR (a sweep directory): The latency CDF, ..."
      expect(await chart(name)).toEqual({ code: 2, stdout: '', stderr: `syncsim: chart '${name}' not drawn: ${why}\n` });
    }
  });

  it('--chart of a sweep chart name of no metric and key of this sweep: unknown, listing the sweep charts there are, and the closest', async () => {
    const dir = kernelsByInterval();
    const chart = (name: string) => syncsimHere(['report', dir, '--out', join(tmp(), 'c'), '--format', 'svg', '--chart', name]);
    const list = `the sweep charts of ${dir} are sweep-p99-vs-sync-interval-us (sweep-METRIC-vs-KEY, of its metrics and numeric grid keys)`;
    // it said "chart 'sweep-p99-vs-kernel' does not apply to DIR (a sweep directory)", as though DIR had no sweep charts
    expect(await chart('sweep-p99-vs-kernel')).toEqual({ code: 2, stdout: '', stderr: `syncsim: unknown chart 'sweep-p99-vs-kernel': ${list}\n` });
    expect(await chart('sweep-foo-vs-bar')).toEqual({ code: 2, stdout: '', stderr: `syncsim: unknown chart 'sweep-foo-vs-bar': ${list}\n` });
    expect(await chart('sweep-p99-vs-sync-interval')).toEqual({ code: 2, stdout: '', stderr: `syncsim: unknown chart 'sweep-p99-vs-sync-interval': ${list}; did you mean sweep-p99-vs-sync-interval-us?\n` });
  });

  it('--chart sweep-line of a sweep whose grid has no numeric key: says why, naming its keys (a user trial, 2026-12-08)', async () => {
    const dir = sweepWithRuns(['personality', 'device.discipline'], [['freebsd', 'fifo'], ['linux', 'sync_first']]);
    const r = await syncsimHere(['report', dir, '--out', join(tmp(), 'sl'), '--format', 'svg', '--chart', 'sweep-line']);
    // it said only "chart 'sweep-line' does not apply to DIR (a sweep directory)"
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: chart 'sweep-line' does not apply to ${dir} (a sweep directory whose grid keys, personality, device.discipline, have no numeric values: a sweep chart plots a metric against a numeric grid key, such as device.channels: [1, 2, 4])\n` });
  });

  it('a misspelt name ends with the closest configuration, quoted as the list quotes them; nothing close, no suggestion', async () => {
    const dir = kernelsByInterval();
    const refusal = async (configs: string) => {
      const r = await syncsimHere(['report', dir, '--out', join(tmp(), 'z'), '--format', 'svg', '--configs', configs]);
      expect(r.code).toBe(2);
      return r.stderr;
    };
    expect(await refusal('linx, 2')).toMatch(/^syncsim: --configs: no configuration 'linx, 2' in .*'mach, 32' \(@12\); did you mean 'linux, 2'\?\n$/);
    expect(await refusal('freebsd, 8,mahc, 8')).toMatch(/no configuration 'mahc, 8' in .*'mach, 32' \(@12\); did you mean 'mach, 8'\?\n$/);
    expect(await refusal('solaris, 2')).toMatch(/'mach, 32' \(@12\)\n$/);
  });

  it('is in --help', async () => {
    const r = await syncsimHere(['report', '--help']);
    expect(r.stdout).toMatch(/--configs LIST {5}draw only these configurations/);
  });
});
