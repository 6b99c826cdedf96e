/**
 * A cache directory (`--cache-dir`, `$SYNCSIM_CACHE_DIR`) that is another syncsim command's
 * output directory, or inside one, is refused before any work (exit 2), with a message that says
 * it is not a cache directory and what to give instead; nothing is written there. Before, `run
 * --cache-dir r1` wrote its cache into r1, and the next `run --out r1` refused r1 as holding what
 * syncsim did not write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { outputHoldingCache } from '../scripts/cache-dir.ts';

const TRACE = 't_us,task,op,addr,len,flags,object,offset\n0,db,map,0x10000000,8192,,data.db,0\n1,db,write,0x10000000,100,,,\n2,db,msync,0x10000000,8192,SYNC,,\n';

/** What follows `--cache-dir DIR: not a cache directory: it ` when DIR is (in) a run's output. */
const TAIL = "the output directory of 'syncsim run' (it holds a .syncsim marker), where syncsim writes nothing else; give --cache-dir a directory of its own for trace caches (it is made if missing), or leave it out for the default, .trace-cache beside --out";

const envBefore = process.env.SYNCSIM_CACHE_DIR;
afterEach(() => {
  if (envBefore === undefined) delete process.env.SYNCSIM_CACHE_DIR;
  else process.env.SYNCSIM_CACHE_DIR = envBefore;
});

/** A directory holding t.csv and r1, the output of `syncsim run t.csv --out r1 --no-cache`. */
async function withRun(): Promise<string> {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-cache-out-'));
  writeFileSync(join(d, 't.csv'), TRACE);
  expect((await syncsimHere(['run', 't.csv', '--out', 'r1', '--no-cache'], d)).code).toBe(0);
  return d;
}

describe('a run output directory as the cache directory', () => {
  it('run --cache-dir r1 (another run\'s results): exit 2, the message says what is wrong; r1 untouched, nothing run', async () => {
    const d = await withRun();
    const before = readdirSync(join(d, 'r1')).sort();
    const r = await syncsimHere(['run', 't.csv', '--cache-dir', 'r1', '--out', 'r2'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: --cache-dir r1: not a cache directory: it is ${TAIL}\n` });
    expect(readdirSync(join(d, 'r1')).sort()).toEqual(before);
    expect(existsSync(join(d, 'r2'))).toBe(false);
    // r1 can still be replaced by a run, as nothing was put in it
    expect((await syncsimHere(['run', 't.csv', '--out', 'r1', '--no-cache'], d)).code).toBe(0);
  });

  it('the absolute path, a directory inside the output, and $SYNCSIM_CACHE_DIR are refused alike', async () => {
    const d = await withRun();
    const abs = join(d, 'r1');
    expect((await syncsimHere(['run', 't.csv', '--cache-dir', abs, '--out', 'r2'], d)).stderr).toBe(`syncsim: --cache-dir ${abs}: not a cache directory: it is ${TAIL}\n`);
    const inside = await syncsimHere(['run', 't.csv', '--cache-dir', 'r1/cache', '--out', 'r2'], d);
    expect(inside).toEqual({ code: 2, stdout: '', stderr: `syncsim: --cache-dir r1/cache: not a cache directory: it is inside r1, ${TAIL}\n` });
    expect(existsSync(join(d, 'r1', 'cache'))).toBe(false);
    process.env.SYNCSIM_CACHE_DIR = 'r1';
    const env = await syncsimHere(['run', 't.csv', '--out', 'r2'], d);
    expect(env).toEqual({
      code: 2, stdout: '',
      stderr: "syncsim: $SYNCSIM_CACHE_DIR r1: not a cache directory: it is the output directory of 'syncsim run' (it holds a .syncsim marker), where syncsim writes nothing else; set $SYNCSIM_CACHE_DIR to a directory of its own for trace caches (it is made if missing), or unset it for the default, .trace-cache beside --out\n",
    });
    // --no-cache uses no cache directory: nothing to refuse
    expect((await syncsimHere(['run', 't.csv', '--no-cache', '--out', 'r2'], d)).code).toBe(0);
    expect(existsSync(join(d, 'r2'))).toBe(true);
  });

  it('the output of another command (a report) is named by its command', async () => {
    const d = await withRun();
    mkdirSync(join(d, 'rep'));
    writeFileSync(join(d, 'rep', '.syncsim'), JSON.stringify({ command: 'report', version: '0.1.0', files: [] }) + '\n');
    const r = await syncsimHere(['run', 't.csv', '--cache-dir', 'rep', '--out', 'r2'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^syncsim: --cache-dir rep: not a cache directory: it is the output directory of 'syncsim report' \(it holds a \.syncsim marker\)/);
  });

  it('sweep --cache-dir r1: refused the same way, before any run', async () => {
    const d = await withRun();
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { path: t.csv }\ngrid:\n  device.channels: [1, 2]\n');
    const r = await syncsimHere(['sweep', 'e.yaml', '--out', 'sw', '--cache-dir', 'r1'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: --cache-dir r1: not a cache directory: it is ${TAIL}\n` });
    expect(existsSync(join(d, 'sw'))).toBe(false);
  });

  it('still accepted: a directory of its own, and the .trace-cache of an output directory (a nested --out\'s default)', async () => {
    const d = await withRun();
    const own = await syncsimHere(['run', 't.csv', '--cache-dir', 'caches', '--out', 'r2'], d);
    expect(own.code, own.stderr).toBe(0);
    expect(readdirSync(join(d, 'caches'))).toHaveLength(1);
    const nested = await syncsimHere(['run', 't.csv', '--cache-dir', 'r1/.trace-cache', '--out', 'r3'], d);
    expect(nested.code, nested.stderr).toBe(0);
    expect(outputHoldingCache(join(d, 'r1', '.trace-cache'))).toBeUndefined();
    expect(outputHoldingCache(join(d, 'r1', '.trace-cache', 'x'))).toEqual({ dir: join(d, 'r1'), command: 'run' });
    expect(outputHoldingCache(join(d, 'caches'))).toBeUndefined();
    // and r1, holding only syncsim's cache directory besides its results, is still replaced by a run
    expect((await syncsimHere(['run', 't.csv', '--out', 'r1', '--no-cache'], d)).code).toBe(0);
  });
});
