/**
 * The Slurm batch scripts' own command lines, without a cluster: --help prints a usage and exits 0;
 * missing or malformed arguments print it on standard error and exit 2 (not a shell error).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SLURM = join(resolve(import.meta.dirname, '..'), 'scripts', 'slurm');
const bash = (script: string, args: string[]) => spawnSync('bash', [join(SLURM, script), ...args], { encoding: 'utf8' });

describe('scripts/slurm', () => {
  it('merge.sbatch: --help is a usage, exit 0; no or bad arguments: the usage on stderr, exit 2', () => {
    const h = bash('merge.sbatch', ['--help']);
    expect([h.status, h.stderr]).toEqual([0, '']);
    expect(h.stdout).toMatch(/^usage: merge\.sbatch OUT TASKS/);
    for (const args of [[], ['out'], ['out', 'x'], ['out', '0']]) {
      const r = bash('merge.sbatch', args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^usage: merge\.sbatch OUT TASKS/);
      expect(r.stderr).not.toMatch(/unbound variable/);
    }
  });

  it('sweep.sbatch: --help exits 0', () => {
    const h = bash('sweep.sbatch', ['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout.length).toBeGreaterThan(0);
  });

  it('sweep.sbatch refuses a malformed trace file before submitting, and leaves nothing when sbatch refuses the job', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-sbatch-'));
    // an sbatch that refuses every job, first on the PATH
    mkdirSync(join(d, 'bin'));
    writeFileSync(join(d, 'bin', 'sbatch'), '#!/bin/sh\necho "sbatch: error: no partition" >&2\nexit 1\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${join(d, 'bin')}:${process.env.PATH}` };
    const run = (args: string[]) => spawnSync('bash', [join(SLURM, 'sweep.sbatch'), ...args], { cwd: d, env, encoding: 'utf8' });
    writeFileSync(join(d, 'bad.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000000,8192,,f,0\n5,a,write,0x10000000,4096,,,\n3,a,write,0x10000000,4096,,,\n');
    writeFileSync(join(d, 'bad.yaml'), 'name: b\ntrace: { path: bad.csv }\n');
    const bad = run(['bad.yaml', 'out', '2']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.csv:5: column t_us: time goes backwards/);
    writeFileSync(join(d, 'ok.yaml'), 'name: o\ntrace: { gen: seq-writer, set: { duration_s: 0.01 } }\n');
    const refused = run(['ok.yaml', 'out', '2']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('sbatch refused the array job; nothing was submitted');
    expect(existsSync(join(d, 'out'))).toBe(false);
    // the parents it made go too; a logs directory that was there stays, with what it holds
    expect(run(['ok.yaml', join('a', 'b', 'out'), '2']).status).toBe(2);
    expect(existsSync(join(d, 'a'))).toBe(false);
    mkdirSync(join(d, 'again', 'logs'), { recursive: true });
    writeFileSync(join(d, 'again', 'logs', 'sweep-1_1.out'), 'an earlier submission\n');
    mkdirSync(join(d, 'mine', 'logs'), { recursive: true });
    for (const o of ['again', 'mine']) {
      const r = run(['ok.yaml', o, '2']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain('nothing was submitted');
    }
    expect(existsSync(join(d, 'again', 'logs', 'sweep-1_1.out'))).toBe(true);
    expect(existsSync(join(d, 'mine', 'logs'))).toBe(true);
  });
  it('an array task and the merge job run node as the syncsim command does, with --max-semi-space-size=8 for every worker', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-sbatch-node-'));
    // a node first on the PATH that prints the arguments it was given
    mkdirSync(join(d, 'bin'));
    writeFileSync(join(d, 'bin', 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    mkdirSync(join(d, 'out', 'shards', '1'), { recursive: true });
    const env = { ...process.env, PATH: `${join(d, 'bin')}:${process.env.PATH}`, SYNCSIM_ROOT: '/repo' };
    const task = spawnSync('bash', [join(SLURM, 'sweep.sbatch'), 'exp.yaml', 'out', '2'], { cwd: d, env: { ...env, SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '2' }, encoding: 'utf8' });
    expect(task.status, task.stderr).toBe(0);
    expect(task.stdout.split('\n').slice(1, 7)).toEqual(['--max-semi-space-size=8', '/repo/scripts/syncsim.mjs', 'sweep', 'exp.yaml', '--shard', '1/2']);
    const merge = spawnSync('bash', [join(SLURM, 'merge.sbatch'), join(d, 'out'), '1'], { cwd: d, env, encoding: 'utf8' });
    expect(merge.status, merge.stderr).toBe(0);
    expect(merge.stdout.split('\n').slice(0, 3)).toEqual(['--max-semi-space-size=8', '/repo/scripts/syncsim.mjs', 'merge']);
  });
});
