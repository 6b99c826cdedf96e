/**
 * `report` and `compare` on storage that refuses the write name their --out as the other
 * commands name theirs (showPath, scripts/sweep/store.ts): relative to the working directory
 * when it lies inside it, absolute otherwise; still exit 2, one line, nothing left.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { cliCases } from './cli-cases.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'syncsim-write-shown-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRACE = 't_us,task,op,addr,len,flags,object,offset\n0,db,map,0x10000000,8192,,data.db,0\n1,db,write,0x10000000,100,,,\n2,db,msync,0x10000000,8192,SYNC,,\n';

/**
 * The CLI's main run once per case, each `{ args, cwd }`, in one process spawned with a file size limit
 * of 4 KiB (bash's ulimit -f): a chart's files pass it (EFBIG; node ignores SIGXFSZ). What each ended
 * with, in order (test/workers/cli-cases.mjs).
 */
const limited = (cases: { args: string[]; cwd: string }[]) => cliCases(cases, { fileLimitKiB: 4 });

describe('report and compare: a write the storage refused names --out as given', () => {
  it('a relative --out stays relative; one outside the working directory is absolute', async () => {
    writeFileSync(join(dir, 't.csv'), TRACE);
    expect((await syncsimHere(['run', 't.csv', '--out', 'r1', '--no-cache'], dir)).code).toBe(0);
    mkdirSync(join(dir, 'lim'));
    const work = join(dir, 'work');
    mkdirSync(work);
    const cases: [string[], string, string][] = [
      [['report', 'r1', '--format', 'svg', '--out', 'lim/rep'], dir, 'lim/rep'],
      [['compare', 'r1', 'r1', '--out', 'lim/cmp'], dir, 'lim/cmp'],
      [['report', 'r1', '--format', 'svg', '--out', './lim/rep'], dir, 'lim/rep'],
      // the results directory's default report directory, DIR/report
      [['report', 'lim/../r1', '--format', 'svg'], dir, 'r1/report'],
      // outside the working directory: absolute, as before
      [['report', '../r1', '--format', 'svg', '--out', '../lim/rep'], work, join(dir, 'lim', 'rep')],
      [['compare', '../r1', '../r1', '--out', '../lim/cmp'], work, join(dir, 'lim', 'cmp')],
    ];
    const ended = limited(cases.map(([args, cwd]) => ({ args, cwd })));
    expect(ended).toHaveLength(cases.length);
    for (const [k, [, , shown]] of cases.entries()) {
      const r = ended[k]!;
      expect([r.code, r.stdout], r.stderr).toEqual([2, '']);
      expect(r.stderr).toMatch(/^syncsim: --out [^:]+: cannot write it \(EFBIG: [^)]*\); nothing was kept there\n$/);
      expect(r.stderr.slice(0, r.stderr.indexOf(': cannot write'))).toBe(`syncsim: --out ${shown}`);
    }
    expect(readdirSync(join(dir, 'lim'))).toEqual([]);
    expect(readdirSync(join(dir, 'r1'))).not.toContain('report');
  }, 60_000);
});
