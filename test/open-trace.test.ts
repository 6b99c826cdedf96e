/**
 * traces/open.ts, the one door to a trace's rows: which source it picks
 * (CSV, CSV while writing the cache, cache) and what finish() keeps.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachePathFor, openTrace } from '../traces/open.ts';
import type { TraceRow } from '../traces/types.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-open-'));
const CSV = 't_us,op,addr,len\n0,write,0,4096\n5,msync,0,4096\n';

async function all(rows: AsyncGenerator<TraceRow[]>): Promise<TraceRow[]> {
  const out: TraceRow[] = [];
  for await (const b of rows) out.push(...b);
  return out;
}

/** A new trace read once with a cache directory (the cache kept): its path, the directory, that open and its rows. */
async function cachedOnce() {
  const d = tmp();
  const trace = join(d, 't.csv');
  writeFileSync(trace, CSV);
  const cacheDir = join(d, 'cache');
  const first = await openTrace(trace, { cacheDir });
  const rows = await all(first.rows);
  first.finish(true);
  return { trace, cacheDir, first, rows };
}

describe('openTrace', () => {
  it('reads the CSV itself when no cache directory is given', async () => {
    const d = tmp();
    const trace = join(d, 't.csv');
    writeFileSync(trace, CSV);
    const src = await openTrace(trace);
    expect(src.kind).toBe('csv');
    expect(src.cachePath).toBeUndefined();
    expect((await all(src.rows)).map((r) => r.op)).toEqual(['write', 'msync']);
    src.finish(true);
    expect(readdirSync(d)).toEqual(['t.csv']);
  });

  it('writes the cache while reading, keeps it on finish(true), and reads it the next time', async () => {
    const { trace, cacheDir, first, rows } = await cachedOnce();
    expect(first.kind).toBe('csv+cache');
    expect(first.cachePath).toBe(cachePathFor(trace, cacheDir));
    const second = await openTrace(trace, { cacheDir });
    expect(second.kind).toBe('cache');
    expect(await all(second.rows)).toEqual(rows);
    // the .sst named directly is a cache too
    const direct = await openTrace(first.cachePath!);
    expect(direct.kind).toBe('cache');
    expect(direct.cachePath).toBe(first.cachePath);
  });

  it('a cache removed between the open and the read (another run replacing it): the rows come from the CSV and the cache is made again', async () => {
    const { trace, cacheDir, rows } = await cachedOnce();
    const problems: string[] = [];
    const second = await openTrace(trace, { cacheDir, onCacheProblem: (m) => problems.push(m) });
    expect(second.kind).toBe('cache');
    rmSync(second.cachePath!);
    expect(await all(second.rows)).toEqual(rows);
    second.finish(true);
    expect(problems).toEqual([`the trace cache ${second.cachePath} could not be read (not found): the trace is read from ${trace}, and the cache is made again from it`]);
    expect(existsSync(second.cachePath!)).toBe(true);
    const third = await openTrace(trace, { cacheDir });
    expect(third.kind).toBe('cache');
    expect(await all(third.rows)).toEqual(rows);
  });

  it('on finish(false) drops the half-written cache and the directory it created', async () => {
    const d = tmp();
    const trace = join(d, 't.csv');
    writeFileSync(trace, CSV);
    const cacheDir = join(d, 'cache');
    const src = await openTrace(trace, { cacheDir });
    await all(src.rows);
    src.finish(false);
    expect(existsSync(cacheDir)).toBe(false);
  });
});
