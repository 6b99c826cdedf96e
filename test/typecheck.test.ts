/**
 * The type check: `tsc --noEmit -p .` over every source and test file. The
 * build emits JavaScript even when tsc reports type errors (scripts/build.mjs,
 * so that `npm ci` never fails on them) and vitest strips types without
 * checking them, so without this a type error would pass CI unseen.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

describe('the type check (npm run typecheck)', () => {
  it('tsc --noEmit -p . reports no error', () => {
    const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', ROOT], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    expect(r.stdout + r.stderr, 'tsc output').toBe('');
    expect(r.status).toBe(0);
  }, 240_000);
});
