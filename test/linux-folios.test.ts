/**
 * Large folios against this machine's own Linux kernel: a file read through
 * its mapping (read-ahead), then one-byte stores, each followed by an
 * msync(MS_SYNC) of the stored page alone; before each msync the kernel's
 * dirty pages (/proc/kpageflags) must be the pages the linux personality
 * writes for it (the whole folio, though the msync names one page), and
 * after it none may be left dirty, store by store, with
 * `readahead.pages` set from the file's block device (read_ahead_kb / 4).
 * A kernel that shows no large folios for the file (every store dirties one
 * page) is compared with `readahead.max_folio_order: 0`, as the README says
 * to replay it. The probe (scripts/measure/folio-dirty.c) is compiled at test
 * time. Needs Linux, root and `cc` on a disk file system; skipped with the
 * reason elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, TraceBuilder } from './helpers.ts';
import { kernelDiffUnavailable } from '../scripts/validate/kernel-diff.ts';
import { blockDeviceOfDir } from '../scripts/validate/blockdev.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = join(ROOT, 'scripts', 'measure', 'folio-dirty.c');
const parent = /tmpfs|ramfs/.test(kernelDiffUnavailable(tmpdir()) ?? '') ? join(ROOT, 'results') : tmpdir();
mkdirSync(parent, { recursive: true });
const why = kernelDiffUnavailable(parent);
const unavailable = why !== undefined && /^(not Linux|not root|no \/proc\/kpageflags)/.test(why) ? why : undefined;
if (unavailable) console.log(`linux-folios: kernel comparison skipped: ${unavailable}`);

const A = 0x10000000;
const PS = 4096;
/** 64 MiB; stores spread over it, so that they fall in windows of every read-ahead order. */
const PAGES = 16384;
const STORES = [100, 1500, 3000, 5000, 7000, 9000, 12000, 15000];

/** The pages dirty before each msync when the model replays the probe's ops. */
function modelDirty(raPages: number, maxFolioOrder: number): number[] {
  const b = new TraceBuilder('p').map(0, A, PAGES * PS, 'file');
  for (let i = 0; i < PAGES; i++) b.op(1 + i, 'read', A + i * PS, 1);
  let t = 1_000_000;
  for (const p of STORES) {
    b.op(t, 'write', A + p * PS + 123, 1).op(t + 1, 'msync', A + p * PS, PS, 'SYNC');
    t += 1_000_000;
  }
  const o = simulate(b.rows, { personality: 'linux', pagein: true, readahead: { pages: raPages, max_folio_order: maxFolioOrder } });
  return o.syncs.map((s) => s.pagesWritten);
}

describe('large folios: linux personality vs the running kernel', () => {
  it.skipIf(unavailable !== undefined)('a store after a read through the mapping dirties the pages the kernel dirties', () => {
    const dir = mkdtempSync(join(parent, 'syncsim-folios-'));
    try {
      const bin = join(dir, 'folio-dirty');
      const cc = spawnSync('cc', ['-O1', '-o', bin, PROBE], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      const r = spawnSync(bin, [join(dir, 'file'), String(PAGES), ...STORES.map(String)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => l.split(' ').map(Number));
      expect(lines).toHaveLength(STORES.length);
      const kernel = lines.map(([before]) => before!);
      // the 4 KiB msync wrote the whole folio: nothing left dirty (the model's expansion of the range)
      expect(lines.map(([, after]) => after)).toEqual(STORES.map(() => 0));
      const dev = blockDeviceOfDir(dir);
      const raKb = dev?.read_ahead_kb ?? null;
      const raPages = raKb !== null && raKb >= 4 ? Math.floor(raKb / 4) : 32;
      const large = kernel.some((n) => n > 1);
      console.log(`linux-folios: read_ahead_kb ${raKb ?? 'unknown'}; kernel dirty pages per store ${kernel.join(' ')}${large ? '' : ' (no large folios: compared with readahead.max_folio_order 0)'}`);
      expect(modelDirty(raPages, large ? 9 : 0)).toEqual(kernel);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
