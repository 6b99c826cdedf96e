/**
 * The note a figure carries for tail percentiles of too few msyncs
 * (reports/tail-note.ts): a p99 rests on 100 msyncs or more, a p99.9 on 1,000.
 */
import { describe, expect, it } from 'vitest';
import { tailNote } from '../reports/tail-note.ts';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

describe('tailNote', () => {
  it('names the percentiles shown that rest on fewer than 1 / (1 - q) msyncs, nothing else', () => {
    expect(tailNote(8, ['p99', 'p999'], 3)).toBe('p99 and p99.9 of runs of fewer than 100 msyncs (as few as 8) are their largest msyncs or near them');
    expect(tailNote(50, ['p99'], 3)).toBe('p99 of runs of fewer than 100 msyncs (as few as 50) is their largest msync or near it');
    expect(tailNote(50, ['p999'], 3)).toBe('p99.9 of runs of fewer than 1,000 msyncs (as few as 50) is near their largest msync');
    expect(tailNote(200, ['p99', 'p999'], 3)).toBe('p99.9 of runs of fewer than 1,000 msyncs (as few as 200) is near their largest msync');
    expect(tailNote(200, ['p99'], 3)).toBe('');
    expect(tailNote(5000, ['p99', 'p999'], 3)).toBe('');
    expect(tailNote(5, ['p50', 'mean'], 3)).toBe('');
    // no run with a successful msync
    expect(tailNote(Infinity, ['p99'], 3)).toBe('');
  });

  it('of one run, names its own msyncs: not "of runs ... (as few as 98)"', () => {
    expect(tailNote(98, ['p99', 'p999'], 1)).toBe('p99 and p99.9 of 98 msyncs (fewer than 100) are its largest msyncs or near them');
    expect(tailNote(500, ['p999'], 1)).toBe('p99.9 of 500 msyncs (fewer than 1,000) is near its largest msync');
  });
});

describe('a sweep report\'s p99 chart', () => {
  it('says when runs had too few msyncs for their p99; a chart of the mean does not', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-tail-'));
    writeFileSync(join(d, 'e.yaml'), 'name: tail\ntrace: { gen: seq-writer, set: { duration_s: 0.05 } }\ngrid:\n  pager.cluster_pages: [8, 32]\nseeds: 2\nmetrics: [sync.latency_us.p99, sync.latency_us.mean]\n');
    expect((await syncsimHere(['sweep', 'e.yaml', '--out', 'sw'], d)).code).toBe(0);
    const r = await syncsimHere(['report', 'sw', '--format', 'svg'], d);
    expect(r.code, r.stderr).toBe(0);
    // the note under the figure, its wrapped lines joined
    const title = (name: string) => {
      const t = JSON.parse(readFileSync(join(d, 'sw', 'report', `${name}.vl.json`), 'utf8')).title?.text ?? '';
      return Array.isArray(t) ? t.join(' ') : String(t);
    };
    const names = readdirSync(join(d, 'sw', 'report')).filter((n) => n.startsWith('sweep-') && n.endsWith('.vl.json')).map((n) => n.replace('.vl.json', ''));
    const p99 = names.find((n) => n.startsWith('sweep-p99-'))!, mean = names.find((n) => n.startsWith('sweep-mean-'))!;
    expect(p99, names.join(', ')).toBeDefined();
    expect(mean, names.join(', ')).toBeDefined();
    expect(title(p99)).toMatch(/p99 of runs of fewer than 100 msyncs \(as few as \d+\) is their largest msync or near it/);
    expect(title(mean)).not.toContain('fewer than 100 msyncs');
    // the figures drawn from one run of each configuration say so, and the bars of means say over how many
    for (const one of ['latency-cdf', 'latency-vs-pages', 'timeline']) expect(title(one), one).toContain("each configuration's lowest-seed run only, not all its seeds");
    expect(title('writeback-by-cause')).toContain('each bar the mean over n = 2 seeds (no CI drawn)');
  });
});
