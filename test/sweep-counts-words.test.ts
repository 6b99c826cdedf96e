/**
 * What a sweep says of its counts takes their number: `1 seed`, not `1 seeds` (a user's trial:
 * `sweep --dry-run` of one seed said "4 points x 1 seeds = 4 runs").
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { DEMO, workdir } from './out-fixtures.ts';
import { plural } from '../scripts/plural.ts';

/** `syncsim sweep e.yaml ARGS` in a new directory, e.yaml an experiment over the demo trace with `grid` and `seeds`. */
function sweep(grid: string, seeds: string, args: string[]) {
  const d = workdir();
  writeFileSync(join(d, 'e.yaml'), `name: e\ntrace: { path: ${JSON.stringify(DEMO)} }\ngrid:\n${grid}seeds: ${seeds}\n`);
  return syncsimHere(['sweep', 'e.yaml', ...args], d);
}

describe('sweep counts in words', () => {
  it('--dry-run: one seed, one point, one run in the singular; several in the plural', async () => {
    const user = await sweep('  personality: [freebsd, linux]\n  pager.cluster_pages: [8, 32]\n', '1', ['--dry-run']);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout.split('\n')[0]).toMatch(/^experiment e: 4 points x 1 seed = 4 runs; results in /);
    const single = await sweep('  pager.cluster_pages: [8]\n', '[3]', ['--dry-run']);
    expect(single.stdout.split('\n')[0]).toMatch(/^experiment e: 1 point x 1 seed = 1 run; results in /);
    const shard = await sweep('  pager.cluster_pages: [8, 16]\n', '1', ['--dry-run', '--shard', '1/2']);
    expect(shard.stdout.split('\n')[0]).toMatch(/^experiment e: 2 points x 1 seed = 2 runs; shard 1\/2: 1 run; results in /);
  });

  it('the closing line of a sweep of one run', async () => {
    const r = await sweep('  pager.cluster_pages: [8]\n', '1', ['--jobs', '1', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sweep e: 1 run \(0 already done, 1 run now.*\), 0 failed$/m);
  });

  it('plural', () => {
    expect([0, 1, 2].map((n) => plural(n, 'seed'))).toEqual(['0 seeds', '1 seed', '2 seeds']);
  });
});
