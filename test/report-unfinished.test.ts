/**
 * `syncsim report` on a sweep directory without result tables: a shard (`sweep --shard I/N`) or a
 * sweep still incomplete is named as such, with how many of its runs are done and what to do
 * (merge, resume), exit 2 and nothing written; a shard's experiment.json records its shard, which
 * a merge leaves out. A merge of a shard a live sweep is writing says so too.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

const work = mkdtempSync(join(tmpdir(), 'syncsim-report-unfinished-'));
writeFileSync(join(work, 'tiny.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n1,a,write,0x10000,100,,,\n2,a,msync,0x10000,0x4000,SYNC,,\n');
writeFileSync(join(work, 'p.yaml'), 'name: unfinished\ntrace: { path: tiny.csv }\ngrid:\n  pager.cluster_pages: [8, 16]\nseeds: [1, 2]\nmetrics: [sync.count]\n');
const here = (args: string[]) => syncsimHere(args, work);
const sweep = async (args: string[]) => expect((await here(['sweep', 'p.yaml', '--jobs', '1', '--no-cache', ...args])).code).toBe(0);
const manifest = (dir: string) => JSON.parse(readFileSync(join(work, dir, 'experiment.json'), 'utf8'));

/** `syncsim report DIR`, expected refused with `message` (one line), no report written. */
async function refused(dir: string, message: string): Promise<void> {
  const r = await here(['report', dir]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`syncsim: ${message}\n`);
  expect(existsSync(join(work, dir, 'report'))).toBe(false);
}

describe('report on a sweep directory without result tables', () => {
  it('a shard: says so, with its runs done, and to merge the shards; its experiment.json records the shard, the merged one does not', async () => {
    await sweep(['--out', 'whole']);
    await sweep(['--out', 's1', '--shard', '1/2']);
    expect(manifest('s1').shard).toBe('1/2');
    expect(manifest('whole').shard).toBeUndefined();
    const merge = "when every shard is done, combine the shard directories with 'syncsim merge SHARD_DIR... --out DIR' and report on DIR";
    await refused('s1', `s1: shard 1/2 of sweep 'unfinished' (4 runs in all), not a whole sweep: its 2 runs are done; a shard has no result tables to chart: ${merge}`);
    // a shard not finished yet
    cpSync(join(work, 's1'), join(work, 's1-part'), { recursive: true });
    rmSync(join(work, 's1-part', 'runs', readdirSync(join(work, 's1-part', 'runs'))[0]), { recursive: true });
    await refused('s1-part', `s1-part: shard 1/2 of sweep 'unfinished' (4 runs in all), not a whole sweep: 1 of its 2 runs are done; a shard has no result tables to chart: `
      + `finish it (the same 'syncsim sweep EXP.yaml --shard 1/2 --out s1-part' again), then, ${merge}`);
    // a merge of a shard a live sweep is writing names it, as report does, and says to wait (before: run the missing shard again)
    const since = '2026-12-05T10:00:00.000Z';
    // a live process that is not this one (the test runner): a lock naming this one, which does not hold it, is a dead one's
    const live = process.ppid;
    writeFileSync(join(work, '.s1-part.lock'), JSON.stringify({ pid: live, host: hostname(), command: 'sweep', since }) + '\n');
    try {
      await sweep(['--out', 's2w', '--shard', '2/2']);
      const m = await here(['merge', 's1-part', 's2w', '--out', 'merged-early']);
      expect([m.code, m.stderr]).toEqual([2, expect.stringMatching(new RegExp(`^syncsim: merge: 1 of 4 runs of 'unfinished' is missing: [0-9a-f]{16} \\(point \\d, seed \\d\\); `
        + `a sweep is writing s1-part now \\(pid ${live} on host ${hostname()}, since ${since}\\): wait for it to finish, then merge\n$`))]);
      expect(existsSync(join(work, 'merged-early'))).toBe(false);
    } finally {
      rmSync(join(work, '.s1-part.lock'));
    }
    // merged, the directory is the whole sweep again: the same experiment.json as a sweep without shards
    await sweep(['--out', 's2', '--shard', '2/2']);
    expect((await here(['merge', 's1', 's2', '--out', 'merged'])).code).toBe(0);
    expect(readFileSync(join(work, 'merged', 'experiment.json'), 'utf8')).toBe(readFileSync(join(work, 'whole', 'experiment.json'), 'utf8'));
  }, 60_000);

  it('a sweep still incomplete: N of M runs done, resume it; running now: wait; every run done but no tables: run it again', async () => {
    await sweep(['--out', 'done']);
    cpSync(join(work, 'done'), join(work, 'cut'), { recursive: true });
    for (const f of ['results.csv', 'aggregate.csv']) rmSync(join(work, 'cut', f));
    await refused('cut', "cut: sweep 'unfinished' has all its 4 runs done but no result tables (results.csv; was it stopped while writing them?): "
      + "run the same 'syncsim sweep EXP.yaml --out cut' (the experiment is copied in cut/experiment.yaml) again to write them, then report");
    rmSync(join(work, 'cut', 'runs', readdirSync(join(work, 'cut', 'runs'))[0]), { recursive: true });
    const shardHint = "or, if it is one shard of a sweep run with --shard, merge the shards ('syncsim merge SHARD_DIR... --out DIR') and report on DIR";
    await refused('cut', "cut: sweep 'unfinished' is still incomplete: 3 of 4 runs are done, and it has no result tables yet (results.csv); "
      + `resume it with the same 'syncsim sweep EXP.yaml --out cut' (the experiment is copied in cut/experiment.yaml), then report; ${shardHint}`);
    // a live sweep holds the directory's lock
    const since = '2026-12-05T10:00:00.000Z';
    // a live process that is not this one (the test runner): a lock naming this one, which does not hold it, is a dead one's
    const live = process.ppid;
    writeFileSync(join(work, '.cut.lock'), JSON.stringify({ pid: live, host: hostname(), command: 'sweep', since }) + '\n');
    try {
      await refused('cut', `cut: sweep 'unfinished' is still incomplete: 3 of 4 runs are done; a sweep is writing it now (pid ${live} on host ${hostname()}, since ${since}); wait for it to finish, then report; ${shardHint}`);
    } finally {
      rmSync(join(work, '.cut.lock'));
    }
    // after a resume it is reported
    await sweep(['--out', 'cut']);
    expect(existsSync(join(work, 'cut', 'results.csv'))).toBe(true);
  }, 60_000);

  it('tables of an earlier state of the sweep (seeds raised, then stopped): out of date, resume it; once resumed, reported', async () => {
    // a researcher's trial: seeds raised from 2 to 3, the sweep stopped (Ctrl-C) before any new run finished, and the
    // report drew the 2 seeds' tables under index.html's `× 3 seeds`, without a word
    await sweep(['--out', 'two']);
    writeFileSync(join(work, 'p3.yaml'), readFileSync(join(work, 'p.yaml'), 'utf8').replace('seeds: [1, 2]', 'seeds: [1, 2, 3]'));
    cpSync(join(work, 'two'), join(work, 'raised'), { recursive: true });
    expect((await here(['sweep', 'p3.yaml', '--jobs', '1', '--no-cache', '--out', 'raised'])).code).toBe(0);
    // as the stopped sweep leaves it: experiment.json of 3 seeds, the tables of 2 (and its marker's stamps of them, as
    // they were written: scripts/sweep/table-stamps.ts), a run of seed 3 not done
    const tables = ['results.csv', 'aggregate.csv', 'warnings.txt'].filter((f) => existsSync(join(work, 'two', f)));
    for (const f of tables) cpSync(join(work, 'two', f), join(work, 'raised', f));
    const marker = (dir: string) => JSON.parse(readFileSync(join(work, dir, '.syncsim'), 'utf8'));
    const stamped = marker('raised'), old = marker('two');
    for (const f of tables) stamped.stamps[f] = old.stamps[f];
    writeFileSync(join(work, 'raised', '.syncsim'), JSON.stringify(stamped) + '\n');
    const seed3 = (manifest('raised').runs as { id: string; seed: number }[]).filter((r) => r.seed === 3);
    rmSync(join(work, 'raised', 'runs', seed3[0]!.id), { recursive: true });
    await refused('raised', "raised: results.csv holds 4 runs of an earlier state of sweep 'unfinished', which now has 6 runs, 5 of them done "
      + "(were its seeds changed, and the sweep stopped before it finished?): its tables are out of date; "
      + "resume it with the same 'syncsim sweep EXP.yaml --out raised' (the experiment is copied in raised/experiment.yaml), then report");
    expect((await here(['sweep', 'p3.yaml', '--jobs', '1', '--no-cache', '--out', 'raised'])).code).toBe(0);
    const r = await here(['report', 'raised', '--format', 'html']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(work, 'raised', 'report', 'index.html'), 'utf8')).toContain('n = 3 seeds');
  }, 60_000);

  it('a directory that is no sweep is still "not a syncsim results directory"', async () => {
    mkdirSync(join(work, 'plain'));
    writeFileSync(join(work, 'plain', 'notes.txt'), 'x\n');
    const r = await here(['report', 'plain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a syncsim results directory/);
  });
});
