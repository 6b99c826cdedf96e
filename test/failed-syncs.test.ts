/**
 * msyncs that one configuration rejects and another accepts (scripts/failed-syncs.ts): counted per
 * set of runs, and said by compare (sweep's warning: test/sweep-warnings.test.ts); the built-in
 * demo trace's msyncs succeed alike under the four personalities, so that comparing them
 * (workloads/experiments/demo-personalities.yaml) compares the same calls.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addSyncs, noSyncs, okShareGap, syncsText, type SyncCounts } from '../scripts/failed-syncs.ts';
import { failedSyncsNote, type Side } from '../scripts/compare/sides.ts';
import { readTrace } from '../traces/reader.ts';
import type { TraceRow } from '../traces/types.ts';
import { formatHeader } from '../traces/writer.ts';
import { simulate } from './helpers.ts';
import { syncsimHere } from './cli-here.ts';

const DEMO = resolve(import.meta.dirname, '..', 'traces', 'examples', 'demo.csv');
const counts = (label: string, count: number, ok: number, errors: Record<string, number> = {}): SyncCounts => ({ label, runs: 1, count, ok, errors });

describe('counting the msyncs of a set of runs', () => {
  it('sums the runs\' summary.json sync counts and codes', () => {
    const c = noSyncs('p');
    addSyncs(c, { sync: { count: 10, ok: 7, errors: { EINVAL: 3 } } });
    addSyncs(c, { sync: { count: 5, ok: 4, errors: { EINVAL: 1 } } });
    addSyncs(c, { sync: { count: 2, ok: 1, errors: { EBUSY: 1 } } });
    addSyncs(c, {}); // a summary without msyncs counts a run and nothing else
    expect(c).toEqual({ label: 'p', runs: 4, count: 17, ok: 12, errors: { EINVAL: 4, EBUSY: 1 } });
    expect(syncsText(c)).toBe('12 of 17 OK in 4 runs (70.6 %; EINVAL 4, EBUSY 1)');
    expect(syncsText(counts('q', 3, 3))).toBe('3 of 3 OK in 1 run (100.0 %)');
  });

  it('finds the sets under 0.9 of the best share, lowest first, and none when every share is within it', () => {
    const a = counts('a', 100, 100), b = counts('b', 100, 50), c = counts('c', 100, 20), d = counts('d', 100, 95);
    expect(okShareGap([a, b, c, d])).toEqual({ best: a, low: [c, b] });
    expect(okShareGap([a, d])).toBeUndefined();
    expect(okShareGap([a])).toBeUndefined();
    // a set without msyncs is not compared
    expect(okShareGap([counts('e', 0, 0), c])).toBeUndefined();
    // the bound is relative: 45 of 100 against 50 of 100 is within it
    expect(okShareGap([b, counts('f', 100, 45)])).toBeUndefined();
    expect(okShareGap([b, counts('g', 100, 44)])?.low.map((s) => s.label)).toEqual(['g']);
  });
});

describe('compare of two sides whose msyncs succeeded in different shares', () => {
  const side = (name: string, ...syncs: { count: number; ok: number; errors: Record<string, number> }[]): Side =>
    ({ spec: name, label: name, runs: syncs.map((s, i) => ({ dir: `${name}${i}`, seed: i + 1, summary: { sync: s } })) });

  it('notes the side with fewer, its codes, and the other side\'s, over all their runs', () => {
    const a = side('a', { count: 10, ok: 10, errors: {} }, { count: 10, ok: 9, errors: { EBUSY: 1 } });
    const b = side('b', { count: 10, ok: 1, errors: { EINVAL: 9 } }, { count: 10, ok: 2, errors: { EINVAL: 8 } });
    expect(failedSyncsNote(a, b)).toBe("B's msyncs: 3 of 20 OK in 2 runs (15.0 %; EINVAL 17), A's 19 of 20 OK in 2 runs (95.0 %; EBUSY 1); a failed msync takes no time in the latency metrics and writes nothing back, so these measure different calls (see a run's syncs.csv, column result; Linux and XNU return EINVAL for an msync address that is not page-aligned, which FreeBSD and Mach round down)");
    expect(failedSyncsNote(b, a)).toMatch(/^A's msyncs: 3 of 20 OK in 2 runs .*, B's 19 of 20/);
    expect(failedSyncsNote(a, a)).toBeUndefined();
  });

  it('is printed by compare of a freebsd and a linux run of a trace of unaligned msyncs', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-failed-compare-'));
    const rows = ['0,t,map,0x10000000,65536,,f,0'];
    for (let i = 0; i < 20; i++) {
      const addr = `0x${(0x10000000 + 100 * i + 5).toString(16)}`;
      rows.push(`${10 * i + 1},t,write,${addr},8,,,`, `${10 * i + 2},t,msync,${addr},8,SYNC,,`);
    }
    writeFileSync(join(d, 'u.csv'), formatHeader([]) + rows.map((r) => `${r}\n`).join(''));
    expect((await syncsimHere(['run', 'u.csv', '--out', 'fb'], d)).code).toBe(0);
    expect((await syncsimHere(['run', 'u.csv', '--set', 'personality=linux', '--out', 'lx'], d)).code).toBe(0);
    const r = await syncsimHere(['compare', 'fb', 'lx', '--out', 'cmp', '--reps', '100', '-q'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("\nnote: B's msyncs: 0 of 20 OK in 1 run (0.0 %; EINVAL 20), A's 20 of 20 OK in 1 run (100.0 %); a failed msync");
    expect(JSON.parse(readFileSync(join(d, 'cmp', 'compare.json'), 'utf8')).notes).toContainEqual(expect.stringMatching(/^B's msyncs: 0 of 20 OK/));
  });
});

describe('the demo trace under the four personalities', () => {
  it('has its msyncs succeed alike: the log commits start at a page boundary, so Linux and XNU take them as FreeBSD and Mach do', async () => {
    const rows: TraceRow[] = [];
    for await (const batch of readTrace(DEMO)) rows.push(...batch);
    const ok = new Map<string, { count: number; ok: number }>();
    for (const personality of ['freebsd', 'xnu', 'linux', 'mach']) {
      const { result } = simulate(rows, { personality });
      ok.set(personality, { count: result.sync.count, ok: result.sync.ok });
    }
    const sets = [...ok].map(([p, s]) => ({ label: p, runs: 1, ...s, errors: {} }));
    expect(okShareGap(sets)).toBeUndefined();
    // every log msync (the commits and the last whole-log sync) starts at a page boundary
    const log = rows.filter((r) => r.task === 'log' && r.op === 'msync');
    expect(log.length).toBeGreaterThan(500);
    expect(log.filter((r) => Number(r.addr) % 4096 !== 0)).toEqual([]);
    // the few calls made to fail on purpose (EBUSY, ENOMEM, EINVAL at tx 150 and 450) are all that fail
    for (const [p, s] of ok) expect(s.count - s.ok, p).toBeLessThanOrEqual(3);
  });
});
