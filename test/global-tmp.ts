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
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-test-run-'));
  // like /tmp itself: a test that runs a program as another user (record's fallback without root) must reach its files
  chmodSync(dir, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
