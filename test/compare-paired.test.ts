/**
 * compare of two runs of one trace: the msyncs paired (each task's k-th msync
 * of the trace), the CIs over msyncs of the per-msync differences B − A; runs
 * of different traces, or of msyncs that do not match, are compared as
 * independent samples, and the table says why.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pairMsyncs, readMsyncs } from '../scripts/compare/msync-pairs.ts';
import { bootstrapContrast, meanStat } from '../scripts/compare/stats.ts';
import type { SideRun } from '../scripts/compare/sides.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const HEADER = 'task,t_issue_us,t_done_us,latency_us,addr,len,flags,pages_written,bytes_written,result';

/** A run directory holding `rows` (task, issue µs, latency µs, addr[, result]) as its syncs.csv, of the trace `hash`. */
function runDir(root: string, name: string, hash: string | undefined, rows: [string, number, number, string, string?][]): SideRun {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'syncs.csv'), [HEADER, ...rows.map(([task, t, lat, addr, result]) => `${task},${t},${t + lat},${lat},${addr},4096,SYNC,1,4096,${result ?? 'OK'}`)].join('\n') + '\n');
  return { dir, seed: 1, summary: { config: { seed: 1, stats: { warmup_us: 0 } }, ...(hash ? { provenance: { trace_sha256: hash } } : {}) } };
}

const H1 = '1'.repeat(64), H2 = '2'.repeat(64);

/**
 * Run A of a trace of two tasks: w0 msyncs at 0x1000, 0x3000, 0x5000, w1 at 0x2000, 0x4000; in
 * trace order w0#1 (10 µs), w1#1 (20), w0#2 (30), w1#2 (40), w0#3 (50). Rows in the order they completed.
 */
const A_ROWS: [string, number, number, string][] = [['w0', 0, 10, '0x1000'], ['w1', 1, 20, '0x2000'], ['w0', 30, 30, '0x3000'], ['w1', 40, 40, '0x4000'], ['w0', 60, 50, '0x5000']];
/**
 * Run B of the same trace: other issue times (a closed replay's lag), rows in another completion
 * order, every msync as in A save w0#3, 60 µs instead of 50.
 */
const B_ROWS: [string, number, number, string, string?][] = [['w1', 1, 20, '0x2000'], ['w0', 2, 10, '0x1000'], ['w1', 45, 40, '0x4000'], ['w0', 31, 30, '0x3000'], ['w0', 70, 60, '0x5000']];

describe('msyncs of two runs of one trace, paired', () => {
  it('pairs each task\'s k-th msync, whatever order the rows completed in; the paired CI of the mean difference worked by hand', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-pairs-'));
    const a = runDir(d, 'a', H1, A_ROWS), b = runDir(d, 'b', H1, B_ROWS);
    const p = pairMsyncs({ run: a, msyncs: await readMsyncs(a) }, { run: b, msyncs: await readMsyncs(b) });
    // in A's trace order: w0#1, w1#1, w0#2, w1#2, w0#3
    expect(p).toEqual({ paired: true, msyncs: 5, a: Float64Array.from([10, 20, 30, 40, 50]), b: Float64Array.from([10, 20, 30, 40, 60]) });
    if (!p.paired) return;
    // the differences are [0, 0, 0, 0, 10], their mean 2. A resample of 5 pairs draws the one 10 X ~ Binomial(5, 1/5)
    // times, its mean difference is 2X: P(X = 0) = 0.8^5 = 0.32768 > 0.025, so the 2.5 % point is 0;
    // P(X <= 2) = 0.32768 + 0.4096 + 0.2048 = 0.94208 < 0.975 <= P(X <= 3) = 0.99328, so the 97.5 % point is 2 × 3 = 6
    const c = bootstrapContrast(p.a, p.b, meanStat, { paired: true, reps: 2000, level: 0.95, seed: 1, label: 'msyncs paired' });
    expect(c).toMatchObject({ a: 30, b: 32, diff: 2, diff_ci: [0, 6], resampled: 'msyncs paired' });
    // in circular blocks of 5 pairs: each resample is the series turned round, its mean difference always 2
    const blocks = bootstrapContrast(p.a, p.b, meanStat, { paired: true, reps: 2000, level: 0.95, seed: 1, label: 'msyncs paired', pairBlock: 5 });
    expect(blocks).toMatchObject({ diff_ci: [2, 2], resampled: 'msyncs paired in blocks of 5' });
    expect(blocks.ratio_ci![0]).toBeCloseTo(32 / 30, 12);
    expect(blocks.ratio_ci![1]).toBeCloseTo(32 / 30, 12);
  });

  it('does not pair runs of different traces, of other msyncs, or keeping other msyncs, and says why', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-pairs-'));
    const side = async (name: string, hash: string | undefined, rows: [string, number, number, string, string?][]) => {
      const run = runDir(d, name, hash, rows);
      return { run, msyncs: await readMsyncs(run) };
    };
    const A = await side('a', H1, A_ROWS);
    expect(pairMsyncs(A, await side('other-trace', H2, B_ROWS))).toEqual({ paired: false, why: `A and B replayed different traces (sha256 ${'1'.repeat(12)} and ${'2'.repeat(12)})` });
    expect(pairMsyncs(A, await side('no-hash', undefined, B_ROWS))).toEqual({ paired: false, why: "B's summary.json records no trace hash (provenance.trace_sha256)" });
    expect(pairMsyncs(A, await side('fewer', H1, B_ROWS.slice(0, 4)))).toEqual({ paired: false, why: "A's syncs.csv lists 5 msyncs, B's 4" });
    const moved = B_ROWS.map((r) => (r[3] === '0x3000' ? [r[0], r[1], r[2], '0x9000'] : r)) as typeof B_ROWS;
    expect(pairMsyncs(A, await side('moved', H1, moved))).toEqual({ paired: false, why: "task w0's msync 2 is 0x3000 +4096 SYNC in A, 0x9000 +4096 SYNC in B" });
    const failed = B_ROWS.map((r) => (r[3] === '0x5000' ? [r[0], r[1], r[2], r[3], 'EIO'] : r)) as typeof B_ROWS;
    expect(pairMsyncs(A, await side('failed', H1, failed))).toEqual({ paired: false, why: 'A keeps 5 msyncs (successful, after the warm-up), B 4' });
    // as many kept, not the same ones: A's w0#3 failed, B's w1#2
    const aFailed = await side('a-failed', H1, A_ROWS.map((r) => (r[3] === '0x5000' ? [...r, 'EIO'] : r)) as typeof B_ROWS);
    const bFailed = await side('b-failed', H1, B_ROWS.map((r) => (r[3] === '0x4000' ? [r[0], r[1], r[2], r[3], 'EIO'] : r)) as typeof B_ROWS);
    expect(pairMsyncs(aFailed, bFailed)).toEqual({ paired: false, why: 'A keeps 4 msyncs (successful, after the warm-up), B 4, not the same ones' });
  });
});

/** The latencies of a run's successful msyncs, keyed by task and its k-th msync in issue order (the test's own reading of syncs.csv). */
function byTraceOrder(dir: string): Map<string, number> {
  const [head, ...lines] = readFileSync(join(dir, 'syncs.csv'), 'utf8').trim().split('\n');
  const col = Object.fromEntries(head!.split(',').map((h, i) => [h, i]));
  const rows = lines.map((l) => l.split(',')).sort((x, y) => Number(x[col.t_issue_us]) - Number(y[col.t_issue_us]));
  const k = new Map<string, number>(), out = new Map<string, number>();
  for (const r of rows) {
    const n = (k.get(r[col.task]!) ?? 0) + 1;
    k.set(r[col.task]!, n);
    if (r[col.result] === 'OK') out.set(`${r[col.task]} ${n}`, Number(r[col.latency_us]));
  }
  return out;
}

describe('syncsim compare of two runs of one trace', () => {
  it('pairs their msyncs (a line under the table, msync_pairing and paired rows in compare.json); a run of another trace is compared as before', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-compare-paired-'));
    const here = (args: string[]) => syncsimHere(args, d);
    // the queueing model, constant service times 100 and 102 µs: each msync a little slower in b
    expect((await here(['run', DEMO, '--out', 'a', '--set', 'device.profile=queue'])).code).toBe(0);
    expect((await here(['run', DEMO, '--out', 'b', '--set', 'device.profile=queue', '--set', 'device.service.mean_us=102'])).code).toBe(0);
    const r = await here(['compare', 'a', 'b', '--out', 'cmp', '--reps', '500']);
    expect(r.code, r.stderr).toBe(0);
    const la = byTraceOrder(join(d, 'a')), lb = byTraceOrder(join(d, 'b'));
    expect([...la.keys()].sort()).toEqual([...lb.keys()].sort());
    expect(r.stdout).toMatch(new RegExp(`^msyncs paired by trace order \\(each task's k-th msync\\), ${la.size} msyncs: the CIs over msyncs are of the per-msync differences B - A(, resampled in blocks of \\d+)?$`, 'm'));
    expect(r.stdout).toMatch(/^sync\.latency_us\.mean .* \d+\/\d+ msyncs paired( in blocks of \d+)?$/m);
    const j = JSON.parse(readFileSync(join(d, 'cmp', 'compare.json'), 'utf8'));
    expect(j.msync_pairing).toMatchObject({ paired: true, by: "trace order (each task's k-th msync)", msyncs: la.size });
    const mean = j.metrics.find((m: { metric: string }) => m.metric === 'sync.latency_us.mean');
    expect(mean).toMatchObject({ paired: true, msyncs_a: la.size, msyncs_b: la.size, block_pairs: j.msync_pairing.block });
    expect(mean.resampled).toMatch(/^msyncs paired/);
    // the mean of the per-msync differences is B − A of the means (summary.json gives each to 0.001 µs)
    let sum = 0;
    for (const [key, x] of la) sum += lb.get(key)! - x;
    expect(Math.abs(sum / la.size - mean.diff)).toBeLessThan(0.0011);
    expect(mean.diff_ci[0]).toBeLessThanOrEqual(mean.diff);
    expect(mean.diff_ci[1]).toBeGreaterThanOrEqual(mean.diff);
    // far narrower than the interval of the same msyncs taken as two independent samples
    const lat = (m: Map<string, number>) => Float64Array.from(m.values());
    const independent = bootstrapContrast(lat(la), lat(lb), meanStat, { paired: false, reps: 500, level: 0.95, seed: 1, label: 'msyncs' }).diff_ci!;
    expect(mean.diff_ci[1] - mean.diff_ci[0]).toBeLessThan((independent[1] - independent[0]) / 4);
    // a run of another trace: independent samples, and the line says why
    expect((await here(['gen', 'seq-writer', '--set', 'duration_s=0.05', '-o', 'g.csv'])).code).toBe(0);
    expect((await here(['run', 'g.csv', '--out', 'g'])).code).toBe(0);
    const t = await here(['compare', 'a', 'g', '--out', 'cmp2', '--reps', '100']);
    expect(t.code, t.stderr).toBe(0);
    const jt = JSON.parse(readFileSync(join(d, 'cmp2', 'compare.json'), 'utf8'));
    expect(jt.msync_pairing).toEqual({ paired: false, why: expect.stringMatching(/^A and B replayed different traces \(sha256 [0-9a-f]{12} and [0-9a-f]{12}\)$/) });
    expect(jt.metrics.find((m: { metric: string }) => m.metric === 'sync.latency_us.mean')).toMatchObject({ paired: false, resampled: 'msyncs' });
    expect(t.stdout)
      .toMatch(/^msyncs not paired: A and B replayed different traces \(sha256 [0-9a-f]{12} and [0-9a-f]{12}\); the CIs over msyncs take A's and B's as independent samples$/m);
  });
});
