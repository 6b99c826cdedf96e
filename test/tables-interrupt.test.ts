/**
 * `syncsim sweep` and `syncsim merge` interrupted (Ctrl-C: SIGINT) while they write their result
 * tables (results.csv, aggregate.csv): they stop, say in one line what they leave, and exit 130;
 * the tables' temporary files, the staging directory and the lock are gone, no table is half
 * written or replaced (those there before are byte for byte as they were), the runs are kept,
 * and the same command again writes the tables of an uninterrupted sweep. Before, the tables were
 * written in one synchronous stretch and the Ctrl-C was lost: the command ended as if not
 * interrupted (exit 0). The reading of the runs' summaries is slowed by a preload
 * (test/workers/slow-summary.cjs) so that the signal finds the tables being written.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { snapshot, workdir } from './out-fixtures.ts';
import { interruptWhen } from './interrupt-child.ts';

const TRACE = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,0x4000,,f,0\n1,a,write,0x1000,100,,,\n2,a,msync,0x1000,0x4000,SYNC,,\n';
const experiment = (seeds: number) => `name: m\ntrace: { path: t.csv }\ngrid:\n  pager.cluster_pages: [8, 16]\nseeds: ${seeds}\nmetrics: [sync.count, writeback.bytes]\n`;
/** Milliseconds each summary.json read takes: 8 runs make the tables last 2 s or more. */
const SLOW_MS = 250;

/** Whether `dir` holds a temporary file of results.csv: its tables are being written. */
const writingTables = (dir: string) => () => {
  try {
    return readdirSync(dir).some((n) => n.startsWith('.results.csv.tmp-'));
  } catch {
    return false;
  }
};

/** The paths of `after` not in `before`, and those whose content changed, sorted. */
function changes(before: Record<string, string>, after: Record<string, string>) {
  return {
    added: Object.keys(after).filter((p) => !(p in before)).sort(),
    removed: Object.keys(before).filter((p) => !(p in after)).sort(),
    changed: Object.keys(before).filter((p) => p in after && after[p] !== before[p]).sort(),
  };
}

/** A directory with the trace, the experiment of `seeds` seeds, and the uninterrupted sweep of 4 seeds R4 (its tables the reference). */
async function setup(seeds: number) {
  const d = workdir();
  writeFileSync(join(d, 't.csv'), TRACE);
  writeFileSync(join(d, 'e.yaml'), experiment(seeds));
  const ref = await syncsimHere(['sweep', 'e.yaml', '--out', 'R', '--no-cache', '--jobs', '1'], d);
  expect(ref.code, ref.stderr).toBe(0);
  return d;
}

const tables = (d: string, dir: string) => ['results.csv', 'aggregate.csv'].map((f) => readFileSync(join(d, dir, f), 'utf8'));

describe('result tables interrupted', () => {
  it('sweep: SIGINT while its tables are written leaves the tables there before as they were, says so, exits 130; the same command again writes them', async () => {
    const d = await setup(4);
    // S: a sweep of 2 seeds, with its tables; then 2 more seeds, whose tables are interrupted
    writeFileSync(join(d, 'e.yaml'), experiment(2));
    const first = await syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(d, 'e.yaml'), experiment(4));
    const before = snapshot(d);

    const r = await interruptWhen(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d, 'slow-summary.cjs', SLOW_MS, writingTables(join(d, 'S')), 'SIGINT');
    expect(r.sent, 'the sweep ended before it wrote its tables').toBe(true);
    // it used to go on writing them and end as if not interrupted (exit 0, the closing lines)
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').slice(-2)).toEqual(['syncsim: sweep interrupted (SIGINT) while writing results.csv and aggregate.csv, which are unchanged; every run is kept in S: run the same command again to write the tables', '']);

    // the 4 new runs are kept, whole; nothing else is new (no lock, staging directory or temporary file), nothing else changed
    const after = snapshot(d);
    const c = changes(before, after);
    expect(c.removed).toEqual([]);
    // (the sweep's manifest and copy of the experiment, written when it starts: now of 4 seeds; and its marker, which
    // records that copy as written, since 2026-12-08: scripts/sweep/table-stamps.ts)
    expect(c.changed).toEqual(['S/.syncsim', 'S/experiment.json', 'S/experiment.yaml']);
    expect(c.added.filter((p) => !/^S\/runs\/[0-9a-f]{16}(\/|$)/.test(p))).toEqual([]);
    expect(readdirSync(join(d, 'S', 'runs')).filter((n) => !n.startsWith('.'))).toHaveLength(8);

    const again = await syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('sweep m: 8 runs (8 already done, 0 run now), 0 failed');
    expect(tables(d, 'S')).toEqual(tables(d, 'R'));
  }, 120_000);

  it('merge: SIGINT while its tables are written leaves no table, says so, exits 130; the same merge again writes them', async () => {
    const d = await setup(4);
    for (const [shard, out] of [['1/2', 'A'], ['2/2', 'B']]) {
      const s = await syncsimHere(['sweep', 'e.yaml', '--shard', shard!, '--out', out!, '--no-cache', '--jobs', '1'], d);
      expect(s.code, s.stderr).toBe(0);
    }
    const before = snapshot(d);

    const r = await interruptWhen(['merge', 'A', 'B', '--out', 'M'], d, 'slow-summary.cjs', SLOW_MS, writingTables(join(d, 'M')), 'SIGINT');
    expect(r.sent, 'the merge ended before it wrote its tables').toBe(true);
    // it used to go on writing them and end as if not interrupted (exit 0, the closing lines)
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('\nsyncsim: interrupted (SIGINT); every run is copied into M, whole, and the directories merged are unchanged, but results.csv and aggregate.csv were not written (any there before are unchanged): the same merge again writes them\n');

    // M holds every run and the merge's manifest, no table, lock, staging directory or temporary file; A and B are unchanged
    const after = snapshot(d);
    const c = changes(before, after);
    expect(c.removed).toEqual([]);
    expect(c.changed).toEqual([]);
    expect(c.added.filter((p) => !/^M\/runs\/[0-9a-f]{16}(\/|$)/.test(p))).toEqual(['M', 'M/.syncsim', 'M/experiment.json', 'M/experiment.yaml', 'M/runs']);
    expect(readdirSync(join(d, 'M', 'runs')).filter((n) => !n.startsWith('.'))).toHaveLength(8);

    const again = await syncsimHere(['merge', 'A', 'B', '--out', 'M'], d);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('merged 2 directories of m: 8 runs (0 copied), 0 failed');
    expect(tables(d, 'M')).toEqual(tables(d, 'R'));
  }, 120_000);
});
