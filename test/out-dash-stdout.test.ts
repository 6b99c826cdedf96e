/**
 * `-o -` names standard output for the commands that write a trace to it by
 * default (gen, import): the same bytes as without -o, and no file named '-'.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncsim-dash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("-o - writes the trace to standard output", () => {
  it('gen: the same trace as without -o, and no file named -', async () => {
    const args = ['gen', 'random-writer', '--set', 'duration_s=0.01', '-q'];
    const plain = await syncsimHere(args, dir);
    const dash = await syncsimHere([...args, '-o', '-'], dir);
    expect(plain.code).toBe(0);
    expect(dash.code).toBe(0);
    expect(plain.stdout).toMatch(/^# syncsim-trace v1$/m);
    expect(dash.stdout).toBe(plain.stdout);
    expect(existsSync(join(dir, '-'))).toBe(false);
  });

  it('import: the same trace as without -o, and no file named -', async () => {
    writeFileSync(join(dir, 'a.msr'), '128166372003061629,usr,0,Write,3221225472,4096,1000\n128166372003071629,usr,0,Read,3221225472,4096,800\n');
    const plain = await syncsimHere(['import', '--from', 'msr', 'a.msr'], dir);
    const dash = await syncsimHere(['import', '--from', 'msr', 'a.msr', '--out', '-'], dir);
    expect(plain.code).toBe(0);
    expect(dash.code).toBe(0);
    expect(plain.stdout).toContain('usr_0');
    expect(dash.stdout).toBe(plain.stdout);
    expect(existsSync(join(dir, '-'))).toBe(false);
  });
});
