/**
 * scripts/apt-install.sh: the install step of `npm test` (ensure-tools.sh) and `npm run test:slurm`, which
 * CI starts at the same time, waits for apt's locks held by another apt instead of failing. A fake apt-get
 * on PATH stands in for Debian's.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/apt-install.sh', import.meta.url));

/** Runs apt_install with a fake apt-get that fails with `message` on its first `failures` calls; returns the status, stderr and calls. */
function withFakeApt(failures: number, message: string, wait = 60): { status: number | null; stderr: string; calls: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-apt-'));
  try {
    const log = join(dir, 'calls'), count = join(dir, 'count');
    writeFileSync(count, '0');
    writeFileSync(join(dir, 'apt-get'), `#!/usr/bin/env bash
n=$(cat ${count}); echo $((n + 1)) > ${count}
echo "$*" >> ${log}
if [ "$n" -lt ${failures} ]; then echo "E: ${message}" >&2; exit 100; fi
exit 0
`);
    chmodSync(join(dir, 'apt-get'), 0o755);
    // sleep is faked too: the waits take no time
    writeFileSync(join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'sleep'), 0o755);
    const r = spawnSync('bash', ['-c', `. ${SCRIPT}; apt_install fio strace`], {
      encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, SUDO: '', APT_LOCK_WAIT: String(wait) },
    });
    return { status: r.status, stderr: r.stderr, calls: readFileSync(log, 'utf8').trim().split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('apt_install', () => {
  it('updates, then installs the packages without recommends', () => {
    const r = withFakeApt(0, '');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['-o DPkg::Lock::Timeout=10 update -qq', '-o DPkg::Lock::Timeout=10 install -y -qq --no-install-recommends fio strace']);
  });

  it('retries while another apt holds the lists lock or the dpkg lock, then goes on', () => {
    const r = withFakeApt(3, 'Could not get lock /var/lib/apt/lists/lock. It is held by process 4125 (apt-get)');
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.includes(' update '))).toHaveLength(4);
    expect(r.calls.at(-1)).toContain('install -y');
    const d = withFakeApt(1, 'Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?');
    expect(d.status).toBe(0);
    expect(d.calls).toHaveLength(3);
  });

  it('fails at once, with apt-get\'s message, on any other error', () => {
    const r = withFakeApt(5, 'Unable to locate package fio');
    expect(r.status).toBe(100);
    expect(r.stderr).toContain('Unable to locate package fio');
    expect(r.calls).toHaveLength(1);
  });

  it('gives up after APT_LOCK_WAIT seconds of a lock held', () => {
    const r = withFakeApt(1_000_000, 'Could not get lock /var/lib/dpkg/lock-frontend', 0);
    expect(r.status).toBe(100);
    expect(r.stderr).toContain('Could not get lock');
    expect(r.calls).toHaveLength(1);
  });
});
