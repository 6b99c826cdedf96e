/**
 * `syncsim merge` interrupted (Ctrl-C: SIGINT) half-way through copying the runs: it stops
 * between two runs, says in one line that it was interrupted and what it leaves, and exits 130 as
 * the other commands do (scripts/interrupt.ts); the runs copied so far are whole in OUT, its
 * staging directory and lock are gone, no table is written, the shard directories are unchanged,
 * and the same merge again finishes it with the tables of the whole sweep. Copying is slowed by a
 * preload (test/workers/slow-copy.cjs) so that the signal finds the merge under way.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { snapshot, workdir } from './out-fixtures.ts';
import { interruptWhen } from './interrupt-child.ts';

const TRACE = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,0x4000,,f,0\n1,a,write,0x1000,100,,,\n2,a,msync,0x1000,0x4000,SYNC,,\n';
const RUNS = 6;

/** The runs in `dir/runs` (finished ones: not a dot name). */
const runsIn = (dir: string) => readdirSync(join(dir, 'runs')).filter((n) => !n.startsWith('.')).sort();

describe('syncsim merge interrupted', () => {
  it('SIGINT while copying: one line, exit 130, the runs copied whole and nothing else left; the same merge again finishes it', async () => {
    const d = workdir();
    writeFileSync(join(d, 't.csv'), TRACE);
    writeFileSync(join(d, 'e.yaml'), `name: m\ntrace: { path: t.csv }\nseeds: ${RUNS}\nmetrics: [sync.count, writeback.bytes]\n`);
    for (const [shard, out] of [['1/2', 'A'], ['2/2', 'B']]) {
      const s = await syncsimHere(['sweep', 'e.yaml', '--shard', shard!, '--out', out!, '--no-cache', '--jobs', '1'], d);
      expect(s.code, s.stderr).toBe(0);
    }
    const whole = await syncsimHere(['sweep', 'e.yaml', '--out', 'R', '--no-cache', '--jobs', '1'], d);
    expect(whole.code, whole.stderr).toBe(0);
    const before = snapshot(d);

    // a run has 9 files: 200 ms each makes the copy of a run last about 2 s, the merge 11 s
    const r = await interruptWhen(['merge', 'A', 'B', '--out', 'M'], d, 'slow-copy.cjs', 200, () => { try { return runsIn(join(d, 'M')).length > 0; } catch { return false; } }, 'SIGINT');
    expect(r.sent, 'the merge ended before its first run was copied').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toBe('');
    // it used to end silently (the shell's ^C alone), leaving its lock and staging directory
    expect(r.stderr).toBe('\nsyncsim: interrupted (SIGINT); the runs copied so far are kept in M, whole, and the directories merged are unchanged: the same merge again finishes it\n');

    const after = snapshot(d);
    for (const [p, v] of Object.entries(before)) expect(after[p], p).toBe(v);
    const copied = runsIn(join(d, 'M'));
    expect(copied.length).toBeGreaterThan(0);
    expect(copied.length).toBeLessThan(RUNS);
    // each run copied is the shard's, file for file
    for (const id of copied) {
      const from = ['A', 'B'].find((s) => `${s}/runs/${id}` in before)!;
      const files = Object.keys(before).filter((p) => p.startsWith(`${from}/runs/${id}/`));
      expect(Object.keys(after).filter((p) => p.startsWith(`M/runs/${id}/`)).sort()).toEqual(files.map((p) => p.replace(from, 'M')).sort());
      for (const p of files) expect(after[p.replace(from, 'M')], p).toBe(before[p]);
    }
    // besides them: the marker and manifest of the merge, no lock, staging directory or table
    expect(Object.keys(after).filter((p) => !(p in before) && !/^M\/runs\/[0-9a-f]{16}\//.test(p)).sort())
      .toEqual(['M', 'M/.syncsim', 'M/experiment.json', 'M/experiment.yaml', 'M/runs', ...copied.map((id) => `M/runs/${id}`)].sort());

    const again = await syncsimHere(['merge', 'A', 'B', '--out', 'M'], d);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`merged 2 directories of m: ${RUNS} runs (${RUNS - copied.length} copied), 0 failed`);
    for (const f of ['results.csv', 'aggregate.csv']) expect(readFileSync(join(d, 'M', f), 'utf8'), f).toBe(readFileSync(join(d, 'R', f), 'utf8'));
  }, 120_000);
});
