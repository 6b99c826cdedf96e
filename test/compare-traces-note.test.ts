/**
 * compare's note on sides that replayed different traces: also when a side
 * is a sweep point of generated traces (one trace per seed), not only when
 * each side has one trace; none when the sides share a trace, also when one
 * side ran a .sst cache of the other's CSV (scripts/compare/trace-ids.ts).
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tracesNote, type Side } from '../scripts/compare/sides.ts';
import { sameTrace, traceIds } from '../scripts/compare/trace-ids.ts';
import { syncsimHere } from './cli-here.ts';

const DEMO = resolve(import.meta.dirname, '..', 'traces', 'examples', 'demo.csv');

/** A side of runs that replayed the traces `hashes` (one run each), from the trace file `path`. */
const side = (path: string, ...hashes: string[]): Side => ({
  spec: path, label: path,
  runs: hashes.map((h, i) => ({ dir: `${path}/${i}`, seed: i + 1, summary: { trace: { path, rows: 10 }, provenance: { trace_sha256: h } } })),
});

describe("compare's note on different traces", () => {
  it('names a run of one trace beside a sweep point of two generated traces', () => {
    expect(tracesNote(side('seq.csv', 'a'.repeat(64)), side('sw/traces/wal.csv.gz', 'b'.repeat(64), 'c'.repeat(64))))
      .toBe(`A and B replayed different traces (A seq.csv, sha256 ${'a'.repeat(12)}; B 2 traces): their differences mix the traces' and the configurations'`);
  });
  it('names two runs of different traces, as before', () => {
    expect(tracesNote(side('x.csv', 'a'.repeat(64)), side('y.csv', 'b'.repeat(64)))).toMatch(/^A and B replayed different traces \(A x\.csv, sha256 a{12}; B y\.csv, sha256 b{12}\)/);
  });
  it('says nothing of sides with a trace in common: two points of one sweep, or one whose seeds were copies counted as one run', () => {
    expect(tracesNote(side('p1', 'a'.repeat(64), 'b'.repeat(64)), side('p2', 'a'.repeat(64), 'b'.repeat(64)))).toBeUndefined();
    expect(tracesNote(side('p1', 'a'.repeat(64)), side('p2', 'a'.repeat(64), 'b'.repeat(64)))).toBeUndefined();
    expect(tracesNote(side('x.csv', 'a'.repeat(64)), side('x.csv', 'a'.repeat(64)))).toBeUndefined();
  });
});

describe('a run of a .sst cache and a run of the CSV it was made from', () => {
  const run = (h: string, source?: string) => ({ dir: 'r', seed: 1, summary: { trace: { path: 'x', rows: 10 }, provenance: { trace_sha256: h, ...(source ? { trace_source_sha256: source } : {}) } } });
  const one = (r: ReturnType<typeof run>): Side => ({ spec: 'x', label: 'x', runs: [r] });

  it('replayed one trace: the cache\'s source SHA-256 is the CSV\'s own, so no note; two caches of one CSV too', () => {
    const csv = 'a'.repeat(64), sst = 'b'.repeat(64), sst2 = 'c'.repeat(64);
    expect(sameTrace(run(csv), run(sst, csv))).toBe(true);
    expect(sameTrace(run(sst, csv), run(csv))).toBe(true);
    expect(sameTrace(run(sst, csv), run(sst2, csv))).toBe(true);
    expect(traceIds(run(sst, csv))).toEqual([sst, csv]);
    expect(tracesNote(one(run(csv)), one(run(sst, csv)))).toBeUndefined();
    // a cache of another CSV is another trace
    expect(sameTrace(run(csv), run(sst, 'd'.repeat(64)))).toBe(false);
    expect(tracesNote(one(run(csv)), one(run(sst, 'd'.repeat(64))))).toMatch(/^A and B replayed different traces/);
  });

  it('end to end: syncsim convert, a run of each, and compare pairs their msyncs with no note; summary.json names the CSV\'s SHA-256', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-sst-csv-'));
    copyFileSync(DEMO, join(d, 't.csv'));
    expect((await syncsimHere(['convert', 't.csv', '-o', 't.sst'], d)).code).toBe(0);
    expect((await syncsimHere(['run', 't.csv', '--out', 'a', '--no-cache'], d)).code).toBe(0);
    expect((await syncsimHere(['run', 't.sst', '--out', 'b'], d)).code).toBe(0);
    const sha = createHash('sha256').update(readFileSync(join(d, 't.csv'))).digest('hex');
    const pb = JSON.parse(readFileSync(join(d, 'b', 'summary.json'), 'utf8')).provenance;
    expect(pb.trace_source_sha256).toBe(sha);
    expect(pb.trace_sha256).toBe(createHash('sha256').update(readFileSync(join(d, 't.sst'))).digest('hex'));
    // a run of the CSV names no source: it is one
    expect(JSON.parse(readFileSync(join(d, 'a', 'summary.json'), 'utf8')).provenance.trace_source_sha256).toBeUndefined();
    const c = await syncsimHere(['compare', 'a', 'b', '--out', 'c', '--reps', '100', '-q'], d);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^msyncs paired by trace order/m);
    expect(c.stdout).not.toContain('different traces');
  });
});
