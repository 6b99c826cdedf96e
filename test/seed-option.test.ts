/**
 * A seed on the command line is read alike by every command that takes one
 * (run, import, validate, gen, compare --seed): one whole number; a range or a
 * list (`1..8`, `1-8`, `1,2`) is refused by each with the same message.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SEED, seedOption } from '../scripts/commands/seed-option.ts';
import { syncsimHere } from './cli-here.ts';

describe('seedOption', () => {
  it('takes digits from 0 to the largest seed, the default when not given', () => {
    expect([seedOption('--seed', undefined, 1), seedOption('--seed', '0', 1), seedOption('--seed', '007', 1), seedOption('--seed', '4294967295', 1)]).toEqual([1, 0, 7, 4294967295]);
    expect(MAX_SEED).toBe(2 ** 32 - 1);
    expect(seedOption('--seed', '9007199254740991', 1, Number.MAX_SAFE_INTEGER)).toBe(9007199254740991);
  });

  it('refuses anything else naming the flag, its range and the value; a range or a list is said to be one', () => {
    expect(() => seedOption('--seed', '4294967296', 1)).toThrow("--seed expects an integer from 0 to 4294967295 (got '4294967296')");
    expect(() => seedOption('--seed', 'x', 1)).toThrow("--seed expects an integer from 0 to 4294967295 (got 'x')");
    expect(() => seedOption('--seed', '9007199254740992', 1, Number.MAX_SAFE_INTEGER)).toThrow("--seed expects an integer from 0 to 9007199254740991 (2^53 - 1; got '9007199254740992')");
    for (const v of ['1..8', '1-8', '1,2', '1 2', '1 .. 8']) {
      expect(() => seedOption('--seed', v, 1)).toThrow(`--seed expects an integer from 0 to 4294967295 (got '${v}': one seed, not a range or a list)`);
    }
  });
});

describe('every command that takes a seed', () => {
  /** [the command and its other arguments, the largest seed it names] */
  const COMMANDS: [string[], string][] = [
    [['run', 't.csv'], '4294967295'],
    [['import', '--from', 'strace', 'x.log', '-o', 'i.csv'], '4294967295'],
    [['validate', '--trace', 't.csv'], '4294967295'],
    [['compare', 'a', 'b'], '4294967295'],
    [['gen', 'seq-writer', '-o', 'g.csv'], '9007199254740991 (2^53 - 1;'],
  ];

  it.each(COMMANDS)('%j refuses 1..8 and 1-8 with the one message, exit 2, nothing written', async (args, max) => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-seed-'));
    writeFileSync(join(d, 't.csv'), 't_us,op,addr,len,object,offset\n0,map,0x1000,4096,f,0\n');
    writeFileSync(join(d, 'x.log'), '');
    const before = readdirSync(d).sort();
    for (const v of ['1..8', '1-8']) {
      const r = await syncsimHere([...args, '--seed', v], d);
      const got = max.endsWith(';') ? `${max} got '${v}'` : `${max} (got '${v}'`;
      expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: --seed expects an integer from 0 to ${got}: one seed, not a range or a list)\n` });
    }
    expect(readdirSync(d).sort()).toEqual(before);
  });

  it('compare takes seed 0 for its bootstrap, as the others take it (it refused it: a whole number from 1)', async () => {
    const r = await syncsimHere(['compare', 'nope-a', 'nope-b', '--seed', '0'], mkdtempSync(join(tmpdir(), 'syncsim-seed-')));
    expect(r.stderr).toBe('syncsim: nope-a: does not exist (a run directory, or SWEEP@N for a point of a sweep)\n');
  });

  it('compare: a directory that exists but holds no summary.json is said to be no run directory; one that does not exist, to not exist (user trial 195)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cmp-'));
    mkdirSync(join(d, 'empty'));
    const r = await syncsimHere(['compare', 'empty', 'nodir'], d);
    expect([r.code, r.stderr]).toEqual([2, 'syncsim: empty: not a run directory (no summary.json); for a point of a sweep write SWEEP@N or SWEEP@key=value,...\n']);
    const n = await syncsimHere(['compare', 'nodir', 'empty'], d);
    expect([n.code, n.stderr]).toEqual([2, 'syncsim: nodir: does not exist (a run directory, or SWEEP@N for a point of a sweep)\n']);
    // SWEEP@N of a directory that is not there, or is no sweep's (review 196: the system's ENOENT on experiment.json)
    const s = await syncsimHere(['compare', 'nosuch@1', 'empty'], d);
    expect([s.code, s.stderr]).toEqual([2, "syncsim: nosuch@1: nosuch does not exist (SWEEP@N: a sweep's directory and a point of it)\n"]);
    const e = await syncsimHere(['compare', 'empty@1', 'empty'], d);
    expect([e.code, e.stderr]).toEqual([2, 'syncsim: empty@1: empty is not a sweep directory (no experiment.json)\n']);
    expect(readdirSync(d)).toEqual(['empty']);
  });
});
