/**
 * placeFile (traces/files.ts) on a file system without hard links, where link(2) fails with
 * EPERM (vfat, exFAT) or EOPNOTSUPP rather than EEXIST: the finished file still takes its
 * place, by a rename after the command's check of `path` (`mayReplace`) made again; a file that
 * appeared at `path` meanwhile is refused by that check and left as it is, the temporary file
 * left for the caller to remove, as placeFile's doc comment promises.
 *
 * The file system is made to refuse hard links by replacing node:fs's linkSync and
 * republishing it to the ES module bindings (syncBuiltinESMExports): traces/files.ts imports
 * linkSync by name, and a named import of a built-in reads the live binding.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fs, { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placeFile } from '../traces/files.ts';
import { recheckTraceOut } from '../traces/out-trace.ts';
import { OutDirError } from '../traces/out-dir.ts';
import { syncsimHere } from './cli-here.ts';

const realLink = fs.linkSync;

/**
 * Makes every hard link fail as on a file system without them (`code`), after `meanwhile` (a file
 * appearing at the destination just then, as another program's would). Returns the destinations
 * a link was asked for.
 */
function noHardLinks(code: 'EPERM' | 'EOPNOTSUPP', meanwhile?: (dest: string) => void): string[] {
  const asked: string[] = [];
  fs.linkSync = ((existing: fs.PathLike, dest: fs.PathLike) => {
    asked.push(String(dest));
    meanwhile?.(String(dest));
    throw Object.assign(new Error(`${code}: operation not permitted, link '${String(existing)}' -> '${String(dest)}'`), { code, syscall: 'link' });
  }) as typeof fs.linkSync;
  syncBuiltinESMExports();
  return asked;
}

afterEach(() => {
  fs.linkSync = realLink;
  syncBuiltinESMExports();
  vi.restoreAllMocks();
});

describe('placeFile without hard links', () => {
  it('a missing path: asks mayReplace, then renames the file into place (the temporary name gone)', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-nolink-'));
    const asked = noHardLinks('EPERM');
    const checks: string[] = [];
    writeFileSync(join(d, 'a.tmp'), 'new');
    placeFile(join(d, 'a.tmp'), join(d, 'a'), () => checks.push('a'));
    expect(asked).toEqual([join(d, 'a')]); // the link was tried, and refused: the fallback placed it
    expect(checks).toEqual(['a']);
    expect(readFileSync(join(d, 'a'), 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['a']);
  });

  it('a file that appears at the path meanwhile is refused by the check made again and left as it is; the temporary file is left to the caller', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-nolink-'));
    const out = join(d, 't.csv');
    // the command's check found nothing there; a file of the user's appears as the trace takes its place
    const recheck = recheckTraceOut(out, '--out', 'generated');
    recheck();
    const asked = noHardLinks('EOPNOTSUPP', (dest) => writeFileSync(dest, 'my notes\n'));
    writeFileSync(join(d, 't.csv.tmp'), 'trace\n');
    let refused: unknown;
    try {
      placeFile(join(d, 't.csv.tmp'), out, recheck);
    } catch (e) {
      refused = e;
    }
    expect(asked).toEqual([out]);
    expect(refused).toBeInstanceOf(OutDirError);
    expect((refused as Error).message).toContain('it was made there while syncsim gen ran; it is left as it is, and the trace was not written');
    expect(readFileSync(out, 'utf8')).toBe('my notes\n');
    expect(readFileSync(join(d, 't.csv.tmp'), 'utf8')).toBe('trace\n');
  });

  it('syncsim gen writes its trace all the same, and refuses (exit 2) a file made at its output meanwhile, leaving it and no temporary file', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-nolink-'));
    const GEN = ['gen', 'wal-append', '--set', 'duration_s=0.01', '-q'];
    const asked = noHardLinks('EPERM');
    const g = await syncsimHere([...GEN, '-o', join(d, 'g.csv')]);
    expect([g.code, g.stderr]).toEqual([0, '']);
    expect(asked).toEqual([join(d, 'g.csv')]);
    expect(readFileSync(join(d, 'g.csv'), 'utf8')).toMatch(/^# syncsim-trace v1\n/);
    noHardLinks('EPERM', (dest) => writeFileSync(dest, 'my notes\n'));
    const r = await syncsimHere([...GEN, '-o', join(d, 't.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('it was made there while syncsim gen ran; it is left as it is, and the trace was not written');
    expect(readFileSync(join(d, 't.csv'), 'utf8')).toBe('my notes\n');
    expect(readdirSync(d).sort()).toEqual(['g.csv', 't.csv']);
  });
});
