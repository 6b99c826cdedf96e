/**
 * The Slurm batch scripts' own command lines, without a cluster: --help prints a usage and exits 0;
 * missing or malformed arguments print it on standard error and exit 2 (not a shell error).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
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
});
