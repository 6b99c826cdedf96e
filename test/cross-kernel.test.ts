/**
 * The same traces replayed under all four personalities: the differences of
 * semantics.md section 8 (and the documented choices of each personality),
 * one row per trace, with the expected result code of its last op under each
 * kernel — derived from the spec by hand, not from running the code.
 */
import { describe, expect, it } from 'vitest';
import { resultOf, simulate, TraceBuilder, type SimOutput } from './helpers.ts';

const PS = 4096;
const A = 0x10000000;
const KERNELS = ['freebsd', 'xnu', 'linux', 'mach'] as const;
type Kernel = (typeof KERNELS)[number];

/** A trace whose last row is the op under test. */
interface Case {
  name: string;
  build(b: TraceBuilder): void;
  codes: Record<Kernel, string>;
  /** Pages the last op wrote (msync rows), per kernel, when the difference is in the side effect too. */
  pages?: Record<Kernel, number>;
  /** Wired pages at the end, per kernel. */
  wired?: Record<Kernel, number>;
}

/** Two 4-page entries of f with a 4-page hole between them; page 0 and page 8 dirty. */
function holey(b: TraceBuilder): void {
  b.map(0, A, 4 * PS, 'f', 0).map(0, A + 8 * PS, 4 * PS, 'f', 8 * PS).op(1, 'write', A, 8).op(1, 'write', A + 8 * PS, 8);
}

/** One 4-page entry of f with page 0 dirty. */
function plain(b: TraceBuilder): void {
  b.map(0, A, 4 * PS, 'f', 0).op(1, 'write', A, 8);
}

const CASES: Case[] = [
  {
    name: 'SYNC|ASYNC (MS_SYNC is 0 on FreeBSD: an async sync)',
    build: (b) => { plain(b); b.op(2, 'msync', A, PS, 'SYNC|ASYNC'); },
    codes: { freebsd: 'OK', xnu: 'EINVAL', linux: 'EINVAL', mach: 'KERN_INVALID_ARGUMENT' },
    pages: { freebsd: 1, xnu: 0, linux: 0, mach: 0 },
  },
  {
    name: 'unaligned address (FreeBSD and Mach round it down)',
    build: (b) => { plain(b); b.op(2, 'msync', A + 100, PS, 'SYNC'); },
    codes: { freebsd: 'OK', xnu: 'EINVAL', linux: 'EINVAL', mach: 'KERN_SUCCESS' },
  },
  {
    name: 'len 0 (FreeBSD: the whole entry; XNU refuses it; Linux: a no-op)',
    build: (b) => { plain(b); b.op(2, 'msync', A, 0, 'SYNC'); },
    codes: { freebsd: 'OK', xnu: 'EINVAL', linux: 'OK', mach: 'KERN_SUCCESS' },
    pages: { freebsd: 1, xnu: 0, linux: 0, mach: 0 },
  },
  {
    name: 'SYNC across a hole (FreeBSD validates first; XNU and Linux sync the mapped parts, then ENOMEM; Mach without CONTIGUOUS ignores holes)',
    build: (b) => { holey(b); b.op(2, 'msync', A, 12 * PS, 'SYNC'); },
    codes: { freebsd: 'ENOMEM', xnu: 'ENOMEM', linux: 'ENOMEM', mach: 'KERN_SUCCESS' },
    pages: { freebsd: 0, xnu: 2, linux: 2, mach: 2 },
  },
  {
    name: 'ASYNC across a hole (Linux: ENOMEM at once, and MS_ASYNC writes nothing anyway)',
    build: (b) => { holey(b); b.op(2, 'msync', A, 12 * PS, 'ASYNC'); },
    codes: { freebsd: 'ENOMEM', xnu: 'ENOMEM', linux: 'ENOMEM', mach: 'KERN_SUCCESS' },
    pages: { freebsd: 0, xnu: 2, linux: 0, mach: 2 },
  },
  {
    name: 'start unmapped',
    build: (b) => { plain(b); b.op(2, 'msync', A + 64 * PS, PS, 'SYNC'); },
    codes: { freebsd: 'ENOMEM', xnu: 'ENOMEM', linux: 'ENOMEM', mach: 'KERN_SUCCESS' },
  },
  {
    name: 'INVALIDATE over an mlocked range (EBUSY on FreeBSD and Linux only)',
    build: (b) => { plain(b); b.op(2, 'wire', A, 4 * PS, 'USER|NOHOLES').op(3, 'msync', A, 4 * PS, 'INVALIDATE'); },
    codes: { freebsd: 'EBUSY', xnu: 'OK', linux: 'EBUSY', mach: 'KERN_SUCCESS' },
  },
  {
    name: 'ASYNC|INVALIDATE (refused by FreeBSD only)',
    build: (b) => { plain(b); b.op(2, 'msync', A, PS, 'ASYNC|INVALIDATE'); },
    codes: { freebsd: 'EINVAL', xnu: 'OK', linux: 'OK', mach: 'KERN_SUCCESS' },
  },
  {
    name: 'KILLPAGES (not a Linux flag; ignored by FreeBSD, which then syncs)',
    build: (b) => { plain(b); b.op(2, 'msync', A, PS, 'KILLPAGES'); },
    codes: { freebsd: 'OK', xnu: 'OK', linux: 'EINVAL', mach: 'KERN_SUCCESS' },
    pages: { freebsd: 1, xnu: 0, linux: 0, mach: 0 },
  },
  {
    name: 'mlock across a hole (FreeBSD, XNU and Mach roll back; Linux leaves the first part locked)',
    build: (b) => { holey(b); b.op(2, 'wire', A, 12 * PS, 'USER|NOHOLES'); },
    codes: { freebsd: 'ENOMEM', xnu: 'ENOMEM', linux: 'ENOMEM', mach: 'KERN_INVALID_ADDRESS' },
    wired: { freebsd: 0, xnu: 0, linux: 4, mach: 0 },
  },
];

function run(c: Case, kernel: Kernel): { out: SimOutput; line: number } {
  const b = new TraceBuilder('a');
  c.build(b);
  return { out: simulate(b.rows, { personality: kernel }), line: b.rows[b.rows.length - 1].line };
}

describe('cross-kernel table: the same ten traces under every personality', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got: Record<string, string> = {};
      const pages: Record<string, number> = {};
      const wired: Record<string, number> = {};
      for (const kernel of KERNELS) {
        const { out, line } = run(c, kernel);
        got[kernel] = resultOf(out, line);
        // each case has at most one msync: its last row
        pages[kernel] = out.syncs.at(-1)?.pagesWritten ?? 0;
        wired[kernel] = out.sim.kernel.vm.counters.wired;
      }
      expect(got).toEqual(c.codes);
      if (c.pages) expect(pages).toEqual(c.pages);
      if (c.wired) expect(wired).toEqual(c.wired);
    });
  }
});

describe('cross-kernel side effects', () => {
  it('a store to a page under writeback blocks on FreeBSD, does not wait on XNU (msync pages are "cleaning", section 10 X7), re-dirties it on Linux, and meets no writeback on Mach (a copy was sent)', () => {
    const blocked: Record<string, number> = {};
    for (const kernel of KERNELS) {
      const b = new TraceBuilder('a');
      plain(b);
      b.op(2, 'msync', A, PS, 'ASYNC').op(3, 'write', A, 8);
      const o = simulate(b.rows, { personality: kernel });
      const w = o.ops.find((r) => r.row.line === 6)!;
      blocked[kernel] = (w.tDoneNs - w.tIssueNs) / 1000;
    }
    // ASYNC at 2 µs queues a 100 µs I/O (2..102); the store at 3 µs waits 99 µs where it blocks.
    // Linux MS_ASYNC starts no I/O at all, so nothing is under writeback there either.
    expect(blocked).toEqual({ freebsd: 99, xnu: 0, linux: 0, mach: 0 });
  });

  it('wiring stacks on XNU and Mach (counted), not on FreeBSD and Linux (a flag): mlock twice, munlock once', () => {
    const wired: Record<string, number> = {};
    for (const kernel of KERNELS) {
      const b = new TraceBuilder('a');
      plain(b);
      b.op(2, 'wire', A, 4 * PS, 'USER|NOHOLES').op(3, 'wire', A, 4 * PS, 'USER|NOHOLES').op(4, 'unwire', A, 4 * PS, 'USER|NOHOLES');
      wired[kernel] = simulate(b.rows, { personality: kernel }).sim.kernel.vm.counters.wired;
    }
    expect(wired).toEqual({ freebsd: 0, xnu: 4, linux: 0, mach: 4 });
  });
});
