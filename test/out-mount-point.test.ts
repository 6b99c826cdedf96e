/**
 * An --out that is a mount point (an empty scratch file system mounted for
 * the results) cannot be replaced: a command writes its output beside it and
 * renames it into place, and a mount point cannot be renamed (EBUSY). It is
 * refused before any work, naming it, exit 2; until 2026-12-07 the whole run
 * was done first and then failed with `cannot write the results (EBUSY: ...,
 * rename ...)`. A directory inside it is taken; a sweep, which writes into its
 * directory, takes the mount point itself. The mounts are tmpfs in a mount
 * namespace of the CLI's own (unshare: root, or an unprivileged user
 * namespace); a machine that allows neither fails this test, saying so. One
 * such process runs every case (test/workers/cli-cases.mjs), each in a
 * directory of its own whose `mnt` is a fresh tmpfs.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMountPoint } from '../traces/out-replace.ts';
import { BAD_TRACE, DEMO, ROOT, SMALL_TRACE } from './out-fixtures.ts';

/** One case: `syncsim ARGS` run in `cwd`, whose `mnt` is a fresh tmpfs (`cwd/marker.json` copied to `mnt/.syncsim` with `marked`). */
interface MountCase { cwd: string; args: string[]; marked?: boolean }

/**
 * The cases run by the CLI's main one after the other in one process (test/workers/cli-cases.mjs) in a mount
 * namespace of its own, where a fresh tmpfs is mounted on each case's `cwd/mnt`: exit 99 when one cannot be
 * mounted, else exit 0 and each case's { code, stderr, stdout } as JSON on standard output.
 */
function withMounts(cases: MountCase[]) {
  const ns = process.getuid?.() === 0 ? ['--mount', '--propagation', 'private'] : ['--user', '--map-root-user', '--mount'];
  const q = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
  const script = cases.map((c) => `mount -t tmpfs tmpfs ${q(join(c.cwd, 'mnt'))} || exit 99; ${c.marked ? `cp ${q(join(c.cwd, 'marker.json'))} ${q(join(c.cwd, 'mnt', '.syncsim'))}; ` : ''}`).join('') + 'exec "$@"';
  return spawnSync('unshare', [...ns, 'sh', '-c', script, 'sh', process.execPath, join(ROOT, 'test', 'workers', 'cli-cases.mjs'),
    JSON.stringify(cases.map((c) => ({ args: c.args, cwd: c.cwd })))], { encoding: 'utf8' });
}

describe('an --out that is a mount point', () => {
  it('isMountPoint: /proc is one, a directory made here is not', () => {
    expect(isMountPoint('/proc')).toBe(true);
    expect(isMountPoint(mkdtempSync(join(tmpdir(), 'syncsim-mnt-')))).toBe(false);
  });

  it('is refused before anything is read or run, exit 2; a directory inside it is taken, and a sweep takes it itself', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-mnt-'));
    /** A directory of its own for a case, holding `mnt` (the mount point) and `files`. */
    const caseDir = (name: string, files: Record<string, string> = {}) => {
      const c = join(d, name);
      mkdirSync(join(c, 'mnt'), { recursive: true });
      for (const [f, content] of Object.entries(files)) writeFileSync(join(c, f), content);
      return c;
    };
    const why = 'cannot be replaced: mnt is a mount point, which syncsim cannot rename aside to put its new output in place (a new directory inside it will do); choose a new directory';
    // (the runs that are taken, about directories and not results, replay a small trace)
    const small = join(d, 'small.csv');
    writeFileSync(small, SMALL_TRACE);
    const cases: MountCase[] = [
      // a malformed trace: refused for the mount point, not for the trace, which is not read
      { cwd: caseDir('bad', { 'bad.csv': BAD_TRACE }), args: ['run', 'bad.csv', '--out', 'mnt'] },
      { cwd: caseDir('demo'), args: ['run', DEMO, '--out', 'mnt', '--set', 'personality=linux'] },
      // an earlier output of syncsim's on it (its marker, of a run that wrote nothing else there) is refused alike
      { cwd: caseDir('marked', { 'marker.json': JSON.stringify({ command: 'run', version: '0.1.0', files: [] }) + '\n' }), args: ['run', DEMO, '--out', 'mnt'], marked: true },
      { cwd: caseDir('inside'), args: ['run', small, '--out', 'mnt/r', '-q'] },
      { cwd: caseDir('sweep', { 'e.yaml': `name: m\ntrace: { path: ${small} }\nseeds: 1\n` }), args: ['sweep', 'e.yaml', '--out', 'mnt', '--jobs', '1', '-q'] },
    ];
    const r = withMounts(cases);
    expect(r.status, `unshare could not mount a tmpfs (root, or unprivileged user namespaces, are needed): ${r.stderr}`).not.toBe(99);
    expect(r.status, r.stderr).toBe(0);
    const [bad, demo, marked, inside, sweep] = JSON.parse(r.stdout) as { code: number; stderr: string; stdout: string }[];
    for (const x of [bad!, demo!]) expect([x.code, x.stderr, x.stdout]).toEqual([2, `syncsim: --out mnt: ${why}\n`, '']);
    expect([marked!.code, marked!.stderr]).toEqual([2, `syncsim: --out mnt: ${why}\n`]);
    expect(inside!.code, inside!.stderr).toBe(0);
    expect(sweep!.code, sweep!.stderr).toBe(0);
  });
});
