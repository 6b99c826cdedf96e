/**
 * The linux personality against this machine's own Linux kernel
 * (scripts/validate/kernel-diff.ts): seeded random sequences of
 * mmap(MAP_FIXED_NOREPLACE) / munmap / store / msync / mlock / munlock run in
 * a small C probe compiled at test time into a temporary directory, then are
 * replayed as a native trace; every op's result and every msync's cleaned
 * pages (KPF_DIRTY before and after, /proc/self/pagemap + /proc/kpageflags)
 * must agree. Needs Linux, root and `cc`; elsewhere the kernel part is
 * skipped with the reason printed. `npm run validate -- --kernel-sequences N`
 * runs more sequences.
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FILE_PAGES, REGION_PAGES, compileProbe, kernelDiffUnavailable, randomSequence, replayOnModel, runKernelDiff, runOnKernel,
} from '../scripts/validate/kernel-diff.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the probe's files go: the system temporary directory, or syncsim's own results/ when that is a RAM file system. */
const parent = /tmpfs|ramfs/.test(kernelDiffUnavailable(tmpdir()) ?? '') ? join(ROOT, 'results') : tmpdir();
mkdirSync(parent, { recursive: true });
const why = kernelDiffUnavailable(parent);
/**
 * The kernel half is skipped only where the capability cannot exist on this machine: another OS, no
 * root, a kernel without /proc/kpageflags. A missing `cc` (scripts/ensure-tools.sh installs it) fails.
 */
const unavailable = why !== undefined && /^(not Linux|not root|no \/proc\/kpageflags)/.test(why) ? why : undefined;
if (unavailable) console.log(`linux-kernel-diff: kernel comparison skipped: ${unavailable}`);

describe('differential test: linux personality vs the running kernel', () => {
  it('sequences are reproducible and valid for both sides: maps never overlap, stay inside the file and the region; stores only hit mapped pages', () => {
    const a = randomSequence(7, 150), b = randomSequence(7, 150);
    expect(a).toEqual(b);
    expect(a).toHaveLength(150);
    expect(randomSequence(8, 150)).not.toEqual(a);
    const mapped = new Array<boolean>(REGION_PAGES).fill(false);
    const P = 4096;
    for (const op of a) {
      const first = op.off / P, n = op.len / P;
      expect(op.off + op.len).toBeLessThanOrEqual(REGION_PAGES * P);
      if (op.op === 'map') {
        expect(mapped.slice(first, first + n).some((x) => x)).toBe(false);
        expect(op.fileOff + op.len).toBeLessThanOrEqual(FILE_PAGES * P);
        mapped.fill(true, first, first + n);
      } else if (op.op === 'unmap') mapped.fill(false, first, first + n);
      else if (op.op === 'write' || op.op === 'read') expect(mapped.slice(first, first + n).every((x) => x)).toBe(true);
    }
    expect(new Set(a.map((o) => o.op))).toEqual(new Set(['map', 'unmap', 'write', 'read', 'msync', 'wire', 'unwire']));
  });

  it.skipIf(unavailable !== undefined)('3 sequences of 120 ops: every result and every msync\'s cleaned pages match the kernel', () => {
    const s = runKernelDiff(3, 120, 1, parent);
    expect(s.mismatches).toEqual([]);
    expect(s.ops).toBe(360);
    // the sequences exercised what they compare: msyncs that cleaned pages
    expect(s.msyncs).toBeGreaterThan(40);
    expect(s.cleanedPages).toBeGreaterThan(10);
  });

  it.skipIf(unavailable !== undefined)('the comparison has teeth: the kernel\'s results cover OK, EINVAL, ENOMEM and EBUSY, and xnu semantics disagree with them', () => {
    const dir = mkdtempSync(join(parent, 'syncsim-kdiff-test-'));
    try {
      const bin = compileProbe(dir);
      const ops = randomSequence(3, 200);
      const kernel = runOnKernel(bin, dir, ops);
      const msyncResults = new Set(ops.flatMap((o, i) => (o.op === 'msync' ? [kernel[i].result] : [])));
      expect([...msyncResults].sort()).toEqual(['EBUSY', 'EINVAL', 'ENOMEM', 'OK']);
      const linux = replayOnModel(ops);
      expect(linux).toEqual(kernel);
      const xnu = replayOnModel(ops, 'xnu');
      expect(xnu.filter((x, i) => x.result !== kernel[i].result).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
