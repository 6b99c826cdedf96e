/**
 * Where progress learns how far a job is, each told without a cost per row: the rows of a
 * replay and the trace's row count when a cache's header says it, the bytes of a CSV read (with
 * or without its cache being written), of an input imported, and the rows and trace time of a
 * generated trace. And the commands' progress never changes what they print on standard
 * output or write to their results.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureCache, openTrace } from '../traces/open.ts';
import { gzipSync } from 'node:zlib';
import { BytesRead } from '../traces/byte-tap.ts';
import type { RowBlock } from '../traces/types.ts';
import { readLines } from '../traces/import/lines.ts';
import { generateToFile, PROGRESS_ROWS, traceDurationNs } from '../workloads/presets/index.ts';
import { runTrace } from '../scripts/run.ts';
import { resolveConfig } from '../sim/config.ts';
import { syncsimHere } from './cli-here.ts';
import { dataRowsOf } from './helpers.ts';
import { inspectTrace } from '../traces/inspect.ts';

const DEMO = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-progress-src-'));

describe('a replay tells its progress', () => {
  it('the rows after each batch, up to all of them, and the row count of an .sst from its header', async () => {
    const d = tmp();
    expect((await syncsimHere(['convert', DEMO, '-o', join(d, 'demo.sst')])).code).toBe(0);
    const told: number[] = [];
    const sources: [string, number | undefined][] = [];
    const s = await runTrace({
      trace: join(d, 'demo.sst'), config: resolveConfig({}), handleSignals: false,
      onSource: (kind, rows) => sources.push([kind, rows]),
      progress: (rows) => told.push(rows),
    });
    expect(sources).toEqual([['cache', dataRowsOf(DEMO)]]);
    expect(told.length).toBeGreaterThan(0);
    expect(told.at(-1)).toBe(s.trace.rows);
    for (let i = 1; i < told.length; i++) expect(told[i]!).toBeGreaterThanOrEqual(told[i - 1]!);
  });

  it('reading a CSV while its cache is written, the tap sees the whole file; the next read, from the cache, knows the row count', async () => {
    const d = tmp();
    const cacheDir = join(d, 'cache');
    const tap = new BytesRead();
    const first = await openTrace(DEMO, { cacheDir, progressTap: tap });
    expect([first.kind, first.rowCount]).toEqual(['csv+cache', undefined]);
    for await (const b of first.batches) if (!Array.isArray(b)) (b as RowBlock).release();
    first.finish(true);
    expect(tap.at).toBe(statSync(DEMO).size);
    const again = await openTrace(DEMO, { cacheDir, progressTap: new BytesRead() });
    expect([again.kind, again.rowCount]).toEqual(['cache', dataRowsOf(DEMO)]);
    again.finish(true);
  });
});

describe('a gzip trace cached before its replay tells its progress', () => {
  it('the tap sees every byte of the compressed file as the cache is made', async () => {
    const d = tmp();
    const gz = join(d, 'demo.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(DEMO)));
    const tap = new BytesRead();
    expect(await ensureCache(gz, join(d, 'cache'), tap)).toBe('csv+cache');
    expect(tap.at).toBe(statSync(gz).size);
  });
});

describe('inspect tells its progress', () => {
  it('the rows read after each batch, up to all of them, and the tap sees every byte, of a CSV and of its .sst', async () => {
    const d = tmp();
    expect((await syncsimHere(['convert', DEMO, '-o', join(d, 'demo.sst')])).code).toBe(0);
    for (const trace of [DEMO, join(d, 'demo.sst')]) {
      const told: number[] = [];
      const tap = new BytesRead();
      const r = await inspectTrace(trace, {}, { tap, rows: (n) => told.push(n) });
      expect(told.length, trace).toBeGreaterThan(0);
      expect(told.at(-1), trace).toBe(r.rows);
      for (let i = 1; i < told.length; i++) expect(told[i]!).toBeGreaterThan(told[i - 1]!);
      expect(tap.at, trace).toBe(statSync(trace).size);
    }
  });
});

describe('an import tells its progress', () => {
  it('the line reader of the importers shows its tap every byte of the input', async () => {
    const d = tmp();
    const f = join(d, 'in.txt');
    writeFileSync(f, Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const tap = new BytesRead();
    let lines = 0;
    for await (const b of readLines(f, { tap })) lines += b.lines.length;
    expect(lines).toBe(20_000);
    expect(tap.at).toBe(statSync(f).size);
  });
});

describe('gen tells its progress', () => {
  it('every PROGRESS_ROWS rows: the rows written and the time of the last, within the preset\'s duration_s', async () => {
    const d = tmp();
    const told: [number, number][] = [];
    const n = await generateToFile(join(d, 'g.csv'), 'random-writer', { duration_s: '2' }, 1, { progress: (rows, tNs) => told.push([rows, tNs]) });
    const end = traceDurationNs('random-writer', { duration_s: '2' });
    expect(end).toBe(2e9);
    expect(told.length).toBe(Math.floor(n / PROGRESS_ROWS));
    told.forEach(([rows, tNs], i) => {
      expect(rows).toBe((i + 1) * PROGRESS_ROWS);
      expect(tNs).toBeLessThanOrEqual(end!);
      if (i > 0) expect(tNs).toBeGreaterThanOrEqual(told[i - 1]![1]);
    });
  });
});

describe('progress changes no output', () => {
  it('run with and without --quiet: the same table on stdout, the same result files, nothing on stderr for a short run', async () => {
    const d = tmp();
    // open replay: the demo's closed replay is stretched, which a warning on stderr says
    const a = await syncsimHere(['run', DEMO, '--replay', 'open', '--out', join(d, 'a')]);
    const b = await syncsimHere(['run', DEMO, '--replay', 'open', '--out', join(d, 'b'), '--quiet']);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([a.stderr, b.stderr]).toEqual(['', '']);
    expect(b.stdout.replace(join(d, 'b'), 'OUT')).toBe(a.stdout.replace(join(d, 'a'), 'OUT'));
    for (const f of ['syncs.csv', 'timeline.csv', 'writeback.csv']) expect(readFileSync(join(d, 'b', f), 'utf8')).toBe(readFileSync(join(d, 'a', f), 'utf8'));
  });

  it('gen, convert and import with --quiet write what they write without it', async () => {
    const d = tmp();
    for (const q of [[], ['--quiet']]) {
      const tag = q.length ? 'q' : 'n';
      const g = await syncsimHere(['gen', 'seq-writer', '--set', 'duration_s=1', '-o', join(d, `g-${tag}.csv`), ...q]);
      const c = await syncsimHere(['convert', join(d, `g-${tag}.csv`), '-o', join(d, `g-${tag}.sst`), ...q]);
      expect([g.code, c.code, g.stderr, c.stderr]).toEqual([0, 0, '', '']);
    }
    expect(readFileSync(join(d, 'g-q.csv'), 'utf8')).toBe(readFileSync(join(d, 'g-n.csv'), 'utf8'));
    const msr = join(d, 'in.msr');
    writeFileSync(msr, '128166372003061629,usr,0,Write,4096,4096,100\n128166372003071629,usr,0,Write,8192,4096,100\n');
    const i1 = await syncsimHere(['import', '--from', 'msr', msr, '-o', join(d, 'i1.csv')]);
    const i2 = await syncsimHere(['import', '--from', 'msr', msr, '-o', join(d, 'i2.csv'), '-q']);
    expect([i1.code, i2.code]).toEqual([0, 0]);
    expect(i2.stderr.replace('i2.csv', 'OUT')).toBe(i1.stderr.replace('i1.csv', 'OUT'));
    expect(readFileSync(join(d, 'i2.csv'), 'utf8')).toBe(readFileSync(join(d, 'i1.csv'), 'utf8'));
  });

  it('every command that shows progress says so in its --help, with --quiet', async () => {
    for (const c of ['run', 'gen', 'import', 'convert', 'inspect', 'report', 'compare', 'sweep']) {
      const h = await syncsimHere([c, '--help']);
      expect(h.stdout, c).toMatch(/-q, --quiet +no progress on stderr/);
    }
  });
});
