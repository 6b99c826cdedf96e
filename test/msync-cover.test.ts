/**
 * The record of which pages msyncs covered (sim/stats/msync-cover.ts), behind summary.json's
 * `durability.never_durable_by`: per page, the issue time and kind of the last msync covering
 * it and the latest trace line of those covering it, checked against a page-by-page model over random msyncs, through the log's compactions;
 * and the walk from an msync's address range to the file pages behind it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COVER, coverKind, forEachFilePiece, MsyncCover } from '../sim/stats/msync-cover.ts';
import { PageTimes } from '../sim/stats/page-times.ts';
import { flags, simulate, TraceBuilder } from './helpers.ts';

describe('MsyncCover', () => {
  it('property: each page answers the last msync added over it and the latest line of those, or none, whatever the order and overlap, through compactions', () => {
    // lines mostly rising with the adds, as a replay ends msyncs in about the trace's order, some from earlier lines
    const add = fc.record({ first: fc.integer({ min: 0, max: 300 }), count: fc.integer({ min: 0, max: 80 }), kind: fc.integer({ min: 0, max: 3 }), back: fc.integer({ min: -5, max: 40 }) });
    fc.assert(fc.property(fc.array(add, { maxLength: 400 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 40 }), (adds, probes) => {
      const cover = new MsyncCover();
      const model = new Map<number, [number, number, number]>();
      const out: [number, number, number] = [0, 0, 0];
      adds.forEach((a, i) => {
        const t = 1000 * (i + 1), line = Math.max(0, 10 * i - a.back);
        cover.add(a.first, a.first + a.count, t, a.kind, line);
        for (let p = a.first; p < a.first + a.count; p++) model.set(p, [t, a.kind, Math.max(line, model.get(p)?.[2] ?? 0)]);
        // asked between adds too: a lookup compacts, later adds go on
        if (i % 37 === 0) for (const p of probes) expect(cover.find(p, out) ? [...out] : undefined, `page ${p} after ${i + 1}`).toEqual(model.get(p));
      });
      for (let p = 0; p <= 400; p++) expect(cover.find(p, out) ? [...out] : undefined, `page ${p}`).toEqual(model.get(p));
    }), { numRuns: 200 });
  });

  it('an msync over every range so far takes their place: a whole-mapping msync after each write keeps one range', () => {
    const cover = new MsyncCover();
    const out: [number, number, number] = [0, 0, 0];
    for (let i = 1; i <= 100_000; i++) {
      cover.add(i % 50, i % 50 + 1, i, COVER.ok, 2 * i);
      cover.add(0, 4096, i, COVER.ok, 2 * i + 1);
    }
    expect((cover as unknown as { n: number }).n).toBe(1);
    expect(cover.find(4095, out)).toBe(true);
    expect(out).toEqual([100_000, COVER.ok, 200_001]);
    expect(cover.find(4096, out)).toBe(false);
  });

  it('a whole-mapping msync from an earlier trace line than some range held keeps that line: the latest line is not the last to end', () => {
    const cover = new MsyncCover();
    const out: [number, number, number] = [0, 0, 0];
    // page 5's msync of line 90 ends first; the whole-mapping msync of line 40 (another task's, run late) ends after it
    cover.add(5, 6, 100, COVER.ok, 90);
    cover.add(0, 64, 200, COVER.async, 40);
    expect(cover.find(5, out)).toBe(true);
    expect(out).toEqual([200, COVER.async, 90]);
    expect(cover.find(6, out)).toBe(true);
    expect(out).toEqual([200, COVER.async, 40]);
  });

  it('many disjoint one-page msyncs: the log stays near the pages covered, not the msyncs', () => {
    const cover = new MsyncCover();
    const out: [number, number, number] = [0, 0, 0];
    for (let i = 0; i < 200_000; i++) cover.add((i * 7) % 1000, (i * 7) % 1000 + 1, i, i % 2 === 0 ? COVER.ok : COVER.async, i + 3);
    expect((cover as unknown as { n: number }).n).toBeLessThanOrEqual(2 * 1000 + 1);
    // page 7k mod 1000 was last covered by the last i with (7i mod 1000) = p
    for (const p of [0, 7, 999]) {
      let last = -1;
      for (let i = 0; i < 200_000; i++) if ((i * 7) % 1000 === p) last = i;
      expect(cover.find(p, out)).toBe(true);
      expect(out).toEqual([last, last % 2 === 0 ? COVER.ok : COVER.async, last + 3]);
    }
  });

  it('coverKind: a failed msync, MS_ASYNC without MS_SYNC, and the rest', () => {
    expect(coverKind(flags('SYNC'), false)).toBe(COVER.failed);
    expect(coverKind(flags('ASYNC'), true)).toBe(COVER.async);
    expect(coverKind(flags('ASYNC|INVALIDATE'), true)).toBe(COVER.async);
    expect(coverKind(flags('ASYNC|SYNC'), true)).toBe(COVER.ok);
    expect(coverKind(flags('SYNC|INVALIDATE'), true)).toBe(COVER.ok);
  });
});

describe('PageTimes.forEach', () => {
  it('visits every entry once, hashed and dense alike', () => {
    for (const idx of [[3, 2 ** 40, 17], Array.from({ length: 1000 }, (_, i) => i * 3)]) {
      const t = new PageTimes();
      idx.forEach((p, i) => t.set(p, i * 10));
      t.delete(idx[1]!);
      const seen = new Map<number, number>();
      t.forEach((p, v) => seen.set(p, v));
      expect(seen.size).toBe(idx.length - 1);
      idx.forEach((p, i) => expect(seen.get(p)).toBe(i === 1 ? undefined : i * 10));
    }
  });
});

describe('the pages an msync covers', () => {
  const A = 0x10000000, P = 4096;

  it('are the file pages its range maps, across entries and holes, not a private mapping\'s copies nor what lies outside its range', () => {
    // f mapped at A (pages 0..7) and, after a hole of 8 pages, at A+16P from its page 32; g mapped privately after
    const b = new TraceBuilder('t').map(0, A, 8 * P, 'f').map(0, A + 16 * P, 8 * P, 'f', 32 * P).map(0, A + 32 * P, 4 * P, 'g', 0, 'PRIVATE');
    // stores to f's pages 0, 3, 33 (A+17P) and 39 (A+23P), and to g's anonymous copy; at 10 µs an msync of A+2P .. A+36P,
    // over the hole (ENOMEM under linux: it still covers the pages it maps), at 15 µs an MS_ASYNC of A+2P .. A+8P (under
    // linux it writes nothing), at 20 µs a store to page 4
    b.op(1, 'write', A + 3 * P, 8).op(1, 'write', A + 17 * P, 8).op(1, 'write', A + 23 * P, 8).op(1, 'write', A, 8).op(1, 'write', A + 33 * P, 8)
      .op(10, 'msync', A + 2 * P, 34 * P, 'ASYNC').op(15, 'msync', A + 2 * P, 6 * P, 'ASYNC').op(20, 'write', A + 4 * P, 8);
    const o = simulate(b.rows, { personality: 'linux', writeback: { policy: 'none' } });
    expect(o.syncs.map((s) => s.result)).toEqual(['ENOMEM', 'OK']);
    // page 0: outside both ranges; page 4: stored after the last msync covering it; pages 33 and 39: last covered by the
    // failed msync; page 3: by the MS_ASYNC; g's store is to its anonymous copy, not a file page
    expect(o.result.durability.never_durable_by).toEqual({
      no_msync: 1, after_last_msync: 1, replay_order: 0, msync_wired: 0, msync_failed: 2, msync_async: 1, msync_unwritten: 0, no_flush: 0, dropped: 0, held_by_manager: 0,
    });
    expect(o.result.durability.never_durable_pages).toBe(5);
  });

  it('through a sub-map: its entries\' file pages, skipping a hole inside it, then what follows it', () => {
    const S = 0x20000000, B = 0x30000000;
    // the task 'shared' maps x at S+2P (a hole at S .. S+2P); task a maps 'shared' from S at B, 4 pages, then g after it
    const t = new TraceBuilder('a').map(0, S + 2 * P, 2 * P, 'x', 0, '', 'shared').map(0, B, 4 * P, 'shared', S, 'SUBMAP').map(0, B + 4 * P, 2 * P, 'g', 3 * P);
    const o = simulate(t.rows, { personality: 'xnu' });
    const vm = o.sim.kernel.vm;
    const got: [string, number, number][] = [];
    forEachFilePiece(vm, vm.map('a'), B - 2 * P, 10 * P, (obj, first, end) => got.push([obj.name, first, end]));
    expect(got).toEqual([['x', 0, 2], ['g', 3, 5]]);
    got.length = 0;
    // part of a page at each end: the pages they touch
    forEachFilePiece(vm, vm.map('a'), B + 3 * P + 100, P, (obj, first, end) => got.push([obj.name, first, end]));
    expect(got).toEqual([['x', 1, 2], ['g', 3, 4]]);
  });

  it('a failed msync covers its pages too, and wired dirty pages under it are counted as wired, whatever it returned', () => {
    // freebsd refuses SYNC|INVALIDATE over a user-wired range with EBUSY: its pages stay dirty, wired
    const b = new TraceBuilder('t').map(0, A, 8 * P, 'f').op(1, 'wire', A, 4 * P, 'USER|NOHOLES')
      .op(2, 'write', A, 8).op(2, 'write', A + 5 * P, 8).op(3, 'msync', A, 8 * P, 'SYNC|INVALIDATE');
    const o = simulate(b.rows, { personality: 'freebsd', writeback: { policy: 'none' } });
    expect(o.syncs.map((s) => s.result)).toEqual(['EBUSY']);
    expect(o.result.durability.never_durable_by).toMatchObject({ msync_wired: 1, msync_failed: 1, no_msync: 0, after_last_msync: 0 });
  });
});
