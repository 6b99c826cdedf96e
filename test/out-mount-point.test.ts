/**
 * An --out that is a mount point (an empty scratch file system mounted for
 * the results) cannot be replaced: a command writes its output beside it and
 * renames it into place, and a mount point cannot be renamed (EBUSY). It is
 * refused before any work, naming it, exit 2; until 2026-12-07 the whole run
 * was done first and then failed with `cannot write the results (EBUSY: ...,
 * rename ...)`. A directory inside it is taken; a sweep, which writes into its
 * directory, takes the mount point itself. The mount is a tmpfs in a mount
 * namespace of the CLI's own (unshare: root, or an unprivileged user
 * namespace); a machine that allows neither fails this test, saying so.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMountPoint } from '../traces/out-replace.ts';
import { BAD_TRACE, DEMO, ROOT } from './out-fixtures.ts';

const BIN = join(ROOT, 'scripts', 'syncsim.mjs');

/** `syncsim ARGS` spawned in `cwd` with a fresh tmpfs mounted on `cwd/mnt` (`cwd/marker.json` copied to `mnt/.syncsim` with `marked`) in its own mount namespace. */
function withMount(cwd: string, args: string[], marked = false) {
  const ns = process.getuid?.() === 0 ? ['--mount', '--propagation', 'private'] : ['--user', '--map-root-user', '--mount'];
  const script = `mount -t tmpfs tmpfs mnt || exit 99; ${marked ? 'cp marker.json mnt/.syncsim; ' : ''}exec "$@"`;
  return spawnSync('unshare', [...ns, 'sh', '-c', script, 'sh', process.execPath, BIN, ...args], { cwd, encoding: 'utf8' });
}

describe('an --out that is a mount point', () => {
  it('isMountPoint: /proc is one, a directory made here is not', () => {
    expect(isMountPoint('/proc')).toBe(true);
    expect(isMountPoint(mkdtempSync(join(tmpdir(), 'syncsim-mnt-')))).toBe(false);
  });

  it('is refused before anything is read or run, exit 2; a directory inside it is taken, and a sweep takes it itself', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-mnt-'));
    mkdirSync(join(d, 'mnt'));
    writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
    const why = 'cannot be replaced: mnt is a mount point, which syncsim cannot rename aside to put its new output in place (a new directory inside it will do); choose a new directory';
    // a malformed trace: refused for the mount point, not for the trace, which is not read
    for (const args of [['run', 'bad.csv', '--out', 'mnt'], ['run', DEMO, '--out', 'mnt', '--set', 'personality=linux']]) {
      const r = withMount(d, args);
      expect(r.status, `unshare could not mount a tmpfs (root, or unprivileged user namespaces, are needed): ${r.stderr}`).not.toBe(99);
      expect([r.status, r.stderr, r.stdout]).toEqual([2, `syncsim: --out mnt: ${why}\n`, '']);
    }
    // an earlier output of syncsim's on it (its marker, of a run that wrote nothing else there) is refused alike
    writeFileSync(join(d, 'marker.json'), JSON.stringify({ command: 'run', version: '0.1.0', files: [] }) + '\n');
    const marked = withMount(d, ['run', DEMO, '--out', 'mnt'], true);
    expect([marked.status, marked.stderr]).toEqual([2, `syncsim: --out mnt: ${why}\n`]);
    const inside = withMount(d, ['run', DEMO, '--out', 'mnt/r', '-q']);
    expect(inside.status, inside.stderr).toBe(0);
    writeFileSync(join(d, 'e.yaml'), `name: m\ntrace: { path: ${DEMO} }\nseeds: 1\n`);
    const sweep = withMount(d, ['sweep', 'e.yaml', '--out', 'mnt', '--jobs', '1', '-q']);
    expect(sweep.status, sweep.stderr).toBe(0);
  });
});
