/**
 * A sweep whose own directory fills up mid-way (ENOSPC: every later run would fail alike) stops
 * at the first such failure: one line naming the file that could not be written, why, and that
 * the same command resumes it; exit 2; the runs finished before kept whole, none recorded failed
 * for the full disk, no lock, staging directory or table left; and the same command again, once
 * there is room, ends with the files of an uninterrupted sweep. A run's own failure (a trace that
 * its configuration refuses) is still recorded per run and the sweep goes on. The disk fills
 * through a preload (test/workers/full-disk.cjs: node:fs of the CLI and of its worker threads),
 * not by filling a real one or mounting a small one.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { ROOT, snapshot, workdir } from './out-fixtures.ts';

const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const FULL_DISK = join(ROOT, 'test', 'workers', 'full-disk.cjs');

/** A trace aligned to 4 KiB pages, not to 8 KiB ones: its runs with `page_size: 8192` fail on their own. */
const TRACE = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,0x4000,,f,0\n1,a,write,0x1000,100,,,\n2,a,msync,0x1000,0x4000,SYNC,,\n';
/** The failing point first: its seeds' records are the first entries of runs/. */
const EXPERIMENT = (seeds: number) => `name: full\ntrace: { path: t.csv }\ngrid:\n  page_size: [8192, 4096]\nseeds: ${seeds}\nmetrics: [sync.count, writeback.bytes]\n`;
const ERROR_8K = "t.csv:3: column addr: map address is not aligned to page_size 8192 (got '0x1000')";

/** `syncsim ARGS` in `cwd`, spawned, with the disk under `cwd/full` full once `full/runs` holds `after` successful runs. */
function onFillingDisk(args: string[], cwd: string, full: string, after: number) {
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${FULL_DISK}"`, SYNCSIM_TEST_FULL_DIR: join(cwd, full), SYNCSIM_TEST_FULL_AFTER: String(after) };
  return spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8' });
}

/** The run ids of `exp` in the order a sweep of one job runs them (its --dry-run listing). */
async function runOrder(exp: string, cwd: string): Promise<string[]> {
  const r = await syncsimHere(['sweep', exp, '--out', 'dry', '--dry-run'], cwd);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').slice(1).map((l) => l.split(' ')[0]!);
}

const record = (d: string, out: string, id: string) => JSON.parse(readFileSync(join(d, out, 'runs', id, 'run.json'), 'utf8')) as { status: string; error?: string };

describe('a sweep whose results directory fills up', () => {
  it('stops at the first run that cannot be written: one line naming the file and how to resume, exit 2, the finished runs kept; the same command resumes it', async () => {
    const d = workdir();
    writeFileSync(join(d, 't.csv'), TRACE);
    writeFileSync(join(d, 'e.yaml'), EXPERIMENT(2));
    const [bad1, bad2, good1, good2] = await runOrder('e.yaml', d);
    const before = snapshot(d);
    // full once point 2's first run is written (after the two failures of point 1): its second cannot be
    const r = onFillingDisk(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d, 'S', 1);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('syncsim: '))).toEqual([
      `syncsim: --out S: cannot write S/runs/${good2}/.syncsim (ENOSPC: no space left on device, write); the sweep stopped, as every later run would fail alike: ` +
        'the runs finished are kept, and the same command again resumes it once there is space again',
    ]);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at |\.staging/);
    // the model's failures recorded as before, the finished run whole; nothing of the run that hit the full disk, no lock, staging or table
    expect([record(d, 'S', bad1!), record(d, 'S', bad2!)]).toEqual([{ id: bad1, point: 1, seed: 1, status: 'failed', error: ERROR_8K }, { id: bad2, point: 1, seed: 2, status: 'failed', error: ERROR_8K }]);
    expect(record(d, 'S', good1!).status).toBe('ok');
    const after = snapshot(d);
    for (const [p, v] of Object.entries(before)) expect(after[p], p).toBe(v);
    expect(Object.keys(after).filter((p) => !(p in before)).sort()).toEqual([
      'S', 'S/.syncsim', 'S/experiment.json', 'S/experiment.yaml', 'S/runs',
      `S/runs/${bad1}`, `S/runs/${bad1}/run.json`, `S/runs/${bad2}`, `S/runs/${bad2}/run.json`,
      // a sweep's runs write syncs, timeline and tasks by default (--results)
      `S/runs/${good1}`, ...['.syncsim', 'run.json', 'summary.json', 'syncs.csv', 'tasks.csv', 'timeline.csv'].map((f) => `S/runs/${good1}/${f}`),
    ].sort());

    // the same command, with room: the finished run skipped, the failed ones tried again, the tables those of an uninterrupted sweep
    const again = await syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toContain('sweep full: 4 runs (1 already done, 3 run now), 2 failed');
    const whole = await syncsimHere(['sweep', 'e.yaml', '--out', 'R', '--no-cache', '--jobs', '1'], d);
    expect(whole.code, whole.stderr).toBe(1);
    for (const f of ['results.csv', 'aggregate.csv']) expect(readFileSync(join(d, 'S', f), 'utf8'), f).toBe(readFileSync(join(d, 'R', f), 'utf8'));
    expect(readdirSync(join(d, 'S', 'runs')).sort()).toEqual([bad1, bad2, good1, good2].sort());
  }, 120_000);

  it('with two jobs: the run under way beside the one that hit the full disk is dropped or finished whole, never recorded failed; exit 2, and it resumes', async () => {
    const d = workdir();
    writeFileSync(join(d, 't.csv'), TRACE);
    writeFileSync(join(d, 'e.yaml'), 'name: full2\ntrace: { path: t.csv }\nseeds: 8\nmetrics: [sync.count, writeback.bytes]\n');
    const ids = await runOrder('e.yaml', d);
    const r = onFillingDisk(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '2'], d, 'S', 3);
    expect(r.status, r.stderr).toBe(2);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('syncsim: '));
    expect(said).toHaveLength(1);
    // the file of that run being written then: its first (.syncsim), or a later one when the other job's run filled the disk meanwhile
    const m = /^syncsim: --out S: cannot write S\/runs\/([0-9a-f]{16})\/[a-z.]* \(ENOSPC: no space left on device, write\); the sweep stopped, as every later run would fail alike: the runs finished are kept, and the same command again resumes it once there is space again$/.exec(said[0]!);
    expect(m, said[0]).not.toBeNull();
    // the runs finished before the disk filled (3, or 4 when the other job's run had written all its files): each whole and successful
    const kept = readdirSync(join(d, 'S', 'runs'));
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(kept).not.toContain(m![1]);
    for (const id of kept) {
      expect(record(d, 'S', id).status, id).toBe('ok');
      expect(readdirSync(join(d, 'S', 'runs', id))).toContain('summary.json');
    }
    expect(readdirSync(join(d, 'S')).sort()).toEqual(['.syncsim', 'experiment.json', 'experiment.yaml', 'runs']);
    expect(readdirSync(d).sort()).toEqual(['S', 'e.yaml', 't.csv', 'user.txt']);

    const again = await syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '--jobs', '2'], d);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`sweep full2: 8 runs (${kept.length} already done, ${8 - kept.length} run now), 0 failed`);
    expect(readdirSync(join(d, 'S', 'runs')).sort()).toEqual([...ids].sort());
  }, 120_000);
});
