/**
 * `syncsim sweep --dry-run` into an --out the sweep itself would refuse: it refuses it as the
 * sweep does, with the same message and exit 2, and lists nothing (it listed every run as
 * pending after "(which holds ANOTHER experiment)", exit 0, so that a check before a cluster job,
 * scripts/slurm/sweep.sbatch, passed an experiment every task would fail).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { snapshot } from './out-fixtures.ts';

const TRACE = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n1,a,write,0x10000,100,,,\n2,a,msync,0x10000,0x4000,SYNC,,\n';

/** An experiment file of `pager.cluster_pages` values `values` over t.csv. */
const experiment = (values: number[]) => `name: dr\ntrace: { path: t.csv }\ngrid:\n  pager.cluster_pages: [${values.join(', ')}]\nseeds: 1\nmetrics: [sync.count]\n`;

describe('sweep --dry-run into a directory of another experiment', () => {
  it('is refused as the sweep refuses it: its message, exit 2, nothing listed or written', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-dry-refuse-'));
    writeFileSync(join(d, 't.csv'), TRACE);
    writeFileSync(join(d, 'a.yaml'), experiment([8]));
    writeFileSync(join(d, 'b.yaml'), experiment([16]));
    const first = await syncsimHere(['sweep', 'a.yaml', '--out', 'out', '--jobs', '1', '-q'], d);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(d);

    const real = await syncsimHere(['sweep', 'b.yaml', '--out', 'out', '--jobs', '1', '-q'], d);
    expect(real.code).toBe(2);
    const hash = JSON.parse(before['out/experiment.json']!).hash as string;
    // --out named as the sweep's other lines name it (`results in out`), relative to the working directory inside it: it was absolute
    expect(real.stderr).toMatch(new RegExp(`^syncsim: out holds another experiment \\('dr', hash ${hash}; this one is 'dr', hash (?!${hash})[0-9a-f]{16}\\): the values of grid key pager\\.cluster_pages \\(\\[8\\] then, \\[16\\] now\\) changed, and its finished runs cannot be mixed with runs of this one: choose another --out\n$`));

    const dry = await syncsimHere(['sweep', 'b.yaml', '--out', 'out', '--dry-run'], d);
    expect(dry).toEqual({ code: 2, stdout: '', stderr: real.stderr });
    // a shard of it alike
    const shard = await syncsimHere(['sweep', 'b.yaml', '--out', 'out', '--dry-run', '--shard', '1/1'], d);
    expect(shard).toEqual({ code: 2, stdout: '', stderr: real.stderr });
    expect(snapshot(d)).toEqual(before);

    // the experiment the directory holds is listed, its run done
    const same = await syncsimHere(['sweep', 'a.yaml', '--out', 'out', '--dry-run'], d);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^experiment dr: 1 point x 1 seed = 1 run; results in out\n[0-9a-f]{16} {2}point=1 {2}seed=1 {2}pager\.cluster_pages=8 {2}done\n$/);

    // --resume into no sweep names it alike
    for (const dry of [[], ['--dry-run']]) {
      const resume = await syncsimHere(['sweep', 'a.yaml', '--out', 'none', '--resume', '-q', ...dry], d);
      expect(resume).toEqual({ code: 2, stdout: '', stderr: 'syncsim: --resume: none holds no sweep to resume\n' });
    }
  }, 60_000);
});
