/**
 * vitest global setup: the whole suite's temporary files go under one
 * fresh directory (TMPDIR, which os.tmpdir() and the spawned CLIs and tools
 * read), removed when the run ends — so a test that leaves its scratch
 * directory behind leaves nothing on the machine.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  // should vitest run this more than once in one process (for the root and each of several projects,
  // were vitest.config.ts to define them), the first call makes the directory and removes it at the
  // end, the others use it: nested directories made a path too long for Chromium's socket
  if (process.env.SYNCSIM_TEST_TMPDIR !== undefined) return () => {};
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-test-run-'));
  process.env.SYNCSIM_TEST_TMPDIR = dir;
  // like /tmp itself: a test that runs a program as another user (record's fallback without root) must reach its files
  chmodSync(dir, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    delete process.env.SYNCSIM_TEST_TMPDIR;
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
