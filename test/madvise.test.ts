/**
 * The access advice of a mapping (map flags RANDOM / SEQUENTIAL, as madvise
 * MADV_RANDOM / MADV_SEQUENTIAL right after mmap) and how each kernel's fault
 * read policy follows it (sim/pager/readahead.ts). Expected windows are worked
 * out by hand from the kernel sources cited there; the device serves every
 * I/O in a constant 100 µs on one channel.
 */
import { describe, expect, it } from 'vitest';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;
const on = (personality: string) => ({ personality, pagein: true });
/** Reads as (first page, pages, cause). */
const reads = (o: ReturnType<typeof simulate>) => o.reads.map((r) => [r.offset / PS, r.pages, r.cause]);
/** Loads of one page each at the given page indexes, 1 ms apart. */
function loads(advice: string, pages: readonly number[], size = 256): TraceBuilder {
  const b = new TraceBuilder().map(0, A, size * PS, 'f', 0, advice);
  pages.forEach((p, k) => b.op(k * 1000, 'read', A + p * PS, 1));
  return b;
}

describe('linux', () => {
  it('MADV_RANDOM (VM_RAND_READ): each fault reads its own page, no read-around', () => {
    expect(reads(simulate(loads('RANDOM', [100, 70, 90, 101]).rows, on('linux')))).toEqual([
      [100, 1, 'pagein'], [70, 1, 'pagein'], [90, 1, 'pagein'], [101, 1, 'pagein'],
    ]);
  });

  it('MADV_RANDOM faults do not count towards mmap_miss: a default mapping of the same file still reads around', () => {
    const b = new TraceBuilder().map(0, A, 256 * PS, 'f', 0, 'RANDOM').map(0, A + 256 * PS, 256 * PS, 'f', 0, '');
    for (let k = 0; k < 150; k++) b.op(k * 1000, 'read', A + k * PS, 1);
    b.op(200_000, 'read', A + 256 * PS + 200 * PS, 1);
    const o = simulate(b.rows, on('linux'));
    expect(o.reads.slice(0, 150).every((r) => r.pages === 1)).toBe(true);
    // 150 misses without hits would have passed MMAP_LOTSAMISS (100); the 151st fault reads around: 200 - 16 = 184
    expect(reads(o).at(-1)).toEqual([184, 32, 'pagein']);
  });

  it('MADV_SEQUENTIAL (VM_SEQ_READ): ra_pages from the fault, not around it; an asynchronous half only from page 0', () => {
    // page 100: [100,132), no mark, so a load of page 120 is a hit with nothing more; page 132 is the next sync read
    expect(reads(simulate(loads('SEQUENTIAL', [100, 120, 132]).rows, on('linux')))).toEqual([[100, 32, 'pagein'], [132, 32, 'pagein']]);
    // page 0: [0,32) with the mark on 16; the load of 16 reads [32,64) asynchronously
    expect(reads(simulate(loads('SEQUENTIAL', [0, 16]).rows, on('linux')))).toEqual([[0, 32, 'pagein'], [32, 32, 'readahead']]);
  });
});

describe('linux: what the advice leaves alone', () => {
  it('MADV_SEQUENTIAL faults do not count towards mmap_miss either', () => {
    const b = new TraceBuilder().map(0, A, 8192 * PS, 'f', 0, 'SEQUENTIAL').map(0, A + 8192 * PS, 8192 * PS, 'f', 0, '');
    for (let k = 0; k < 150; k++) b.op(k * 1000, 'read', A + (40 * k + 1) * PS, 1);
    b.op(200_000, 'read', A + 8192 * PS + 7000 * PS, 1);
    const o = simulate(b.rows, on('linux'));
    expect(o.reads.slice(0, 150).every((r) => r.pages === 32)).toBe(true);
    expect(reads(o).at(-1)).toEqual([6984, 32, 'pagein']);
  });

  it('a MADV_RANDOM load of a page marked PG_readahead starts no asynchronous window', () => {
    // the default mapping's fault on page 0 reads [0,32) with the mark on 24; the RANDOM mapping then loads page 24
    const b = new TraceBuilder().map(0, A, 256 * PS, 'f', 0, '').map(0, A + 256 * PS, 256 * PS, 'f', 0, 'RANDOM');
    b.op(0, 'read', A, 1).op(1000, 'read', A + 256 * PS + 24 * PS, 1);
    expect(reads(simulate(b.rows, on('linux')))).toEqual([[0, 32, 'pagein']]);
    // through the default mapping the same load starts the next window
    const c = new TraceBuilder().map(0, A, 256 * PS, 'f', 0, '').op(0, 'read', A, 1).op(1000, 'read', A + 24 * PS, 1);
    expect(reads(simulate(c.rows, on('linux')))).toEqual([[0, 32, 'pagein'], [32, 32, 'readahead']]);
  });
});

describe('freebsd', () => {
  it('MADV_RANDOM (MAP_ENTRY_BEHAV_RANDOM): the faulting page only, even at next_read', () => {
    expect(reads(simulate(loads('RANDOM', [21, 22, 23]).rows, on('freebsd')))).toEqual([[21, 1, 'pagein'], [22, 1, 'pagein'], [23, 1, 'pagein']]);
  });

  it('MADV_SEQUENTIAL: VM_FAULT_READ_AHEAD_MAX (255) pages ahead on every hard fault, nothing behind, clipped to the entry', () => {
    expect(reads(simulate(loads('SEQUENTIAL', [21], 512).rows, on('freebsd')))).toEqual([[21, 256, 'pagein']]);
    expect(reads(simulate(loads('SEQUENTIAL', [21], 100).rows, on('freebsd')))).toEqual([[21, 79, 'pagein']]);
    // a fault away from next_read reads the same, and so does an entry with readahead.pages 1
    expect(reads(simulate(loads('SEQUENTIAL', [21, 600], 1024).rows, on('freebsd')))).toEqual([[21, 256, 'pagein'], [600, 256, 'pagein']]);
    expect(reads(simulate(loads('SEQUENTIAL', [21], 512).rows, { ...on('freebsd'), readahead: { pages: 1 } }))).toEqual([[21, 256, 'pagein']]);
  });
});

describe('xnu and mach', () => {
  it('xnu MADV_RANDOM (VM_BEHAVIOR_RANDOM): a sequential scan reads one page a fault, never streaming', () => {
    const o = simulate(new TraceBuilder().map(0, A, 16 * PS, 'f', 0, 'RANDOM').op(10, 'read', A, 8 * PS).rows, on('xnu'));
    expect(reads(o)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((p) => [p, 1, 'pagein']));
  });

  it('xnu MADV_SEQUENTIAL: each cluster is the forward run + 1 page, ahead only, without priming, up to readahead.pages', () => {
    // faults at 0 and 1 (run 0, then 1), then 2 reads [2,4); the hit on 3 lengthens the run: 4 reads [4,8), and so on
    const o = simulate(new TraceBuilder().map(0, A, 128 * PS, 'f', 0, 'SEQUENTIAL').op(10, 'read', A, 64 * PS).rows, on('xnu'));
    expect(o.reads.map((r) => [r.offset / PS, r.pages])).toEqual([[0, 1], [1, 1], [2, 2], [4, 4], [8, 8], [16, 16], [32, 32]]);
  });

  it('mach has no access advice: RANDOM and SEQUENTIAL read as the default does', () => {
    const plain = reads(simulate(loads('', [5, 9, 40]).rows, { ...on('mach'), readahead: { pages: 4 } }));
    expect(plain).toEqual([[4, 4, 'pagein'], [8, 4, 'pagein'], [40, 4, 'pagein']]);
    expect(reads(simulate(loads('RANDOM', [5, 9, 40]).rows, { ...on('mach'), readahead: { pages: 4 } }))).toEqual(plain);
    expect(reads(simulate(loads('SEQUENTIAL', [5, 9, 40]).rows, { ...on('mach'), readahead: { pages: 4 } }))).toEqual(plain);
  });
});
