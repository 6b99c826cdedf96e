/**
 * The note a figure carries for tail percentiles of too few msyncs
 * (reports/tail-note.ts): a p99 rests on 100 msyncs or more, a p99.9 on 1,000.
 */
import { describe, expect, it } from 'vitest';
import { tailNote } from '../reports/tail-note.ts';

describe('tailNote', () => {
  it('names the percentiles shown that rest on fewer than 1 / (1 - q) msyncs, nothing else', () => {
    expect(tailNote(8, ['p99', 'p999'])).toBe('p99 and p99.9 of runs of fewer than 100 msyncs (as few as 8) are their largest msyncs or near them');
    expect(tailNote(50, ['p99'])).toBe('p99 of runs of fewer than 100 msyncs (as few as 50) is their largest msync or near it');
    expect(tailNote(50, ['p999'])).toBe('p99.9 of runs of fewer than 1,000 msyncs (as few as 50) is near their largest msync');
    expect(tailNote(200, ['p99', 'p999'])).toBe('p99.9 of runs of fewer than 1,000 msyncs (as few as 200) is near their largest msync');
    expect(tailNote(200, ['p99'])).toBe('');
    expect(tailNote(5000, ['p99', 'p999'])).toBe('');
    expect(tailNote(5, ['p50', 'mean'])).toBe('');
    // no run with a successful msync
    expect(tailNote(Infinity, ['p99'])).toBe('');
  });
});
