/**
 * `syncsim run`'s table ends naming the results directory as sweep, merge, report and
 * compare name theirs (showPath, scripts/sweep/store.ts): relative to the working
 * directory when it lies inside it, absolute otherwise, the default directory as --out.
 * So does `syncsim compare`'s table, which printed it absolute whatever --out said.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'syncsim-results-line-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRACE = 't_us,task,op,addr,len,flags,object,offset\n0,db,map,0x10000000,8192,,data.db,0\n1,db,write,0x10000000,100,,,\n2,db,msync,0x10000000,8192,SYNC,,\n';

describe('run: the results line', () => {
  it('names the default directory and --out alike: relative inside the working directory, absolute outside it', async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 't.csv'), TRACE);
    const last = async (args: string[]) => {
      const r = await syncsimHere(['run', 't.csv', '--no-cache', ...args], work);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trimEnd().split('\n').at(-1);
    };
    // the default directory was printed absolute (`results: /tmp/.../work/results/t`), --out as given
    expect(await last([])).toBe('results: results/t');
    expect(await last(['--out', 'mine'])).toBe('results: mine');
    expect(await last(['--out', './mine/'])).toBe('results: mine');
    expect(await last(['--out', join(work, 'abs')])).toBe('results: abs');
    expect(await last(['--out', join(dir, 'outside')])).toBe(`results: ${join(dir, 'outside')}`);
    expect(await last(['--out', '../beside'])).toBe(`results: ${join(dir, 'beside')}`);
  });
});

describe('compare: the results line', () => {
  it('names --out as run names its own: relative inside the working directory, absolute outside it', async () => {
    const work = join(dir, 'cmp-work');
    mkdirSync(work);
    writeFileSync(join(work, 't.csv'), TRACE);
    expect((await syncsimHere(['run', 't.csv', '--no-cache', '--out', 'r', '-q'], work)).code).toBe(0);
    const last = async (args: string[]) => {
      const r = await syncsimHere(['compare', 'r', 'r', '-q', '--reps', '10', ...args], work);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trimEnd().split('\n').at(-1);
    };
    // it was `results: /tmp/.../cmp-work/my cmp` for --out 'my cmp'
    expect(await last(['--out', 'my cmp'])).toBe('results: my cmp');
    expect(await last([])).toBe('results: results/compare');
    expect(await last(['--out', join(dir, 'cmp-outside')])).toBe(`results: ${join(dir, 'cmp-outside')}`);
  }, 60_000);
});
