/**
 * compare's note on sides that replayed different traces: also when a side
 * is a sweep point of generated traces (one trace per seed), not only when
 * each side has one trace; none when the sides share a trace.
 */
import { describe, expect, it } from 'vitest';
import { tracesNote, type Side } from '../scripts/compare/sides.ts';

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
