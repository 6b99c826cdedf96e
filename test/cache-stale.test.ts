/**
 * A trace cache made from another version of its CSV: the CSV edited in the middle, its size kept
 * and its modification time put back (`touch -r`, `cp -p`, `rsync -t`, a checkout), so that its
 * identity (size, mtime, hash of the first and last MiB) still matches the old cache. Until cache
 * version 4 a run replayed the old rows from the cache while its summary recorded the SHA-256 of
 * the new file. The cache now records the CSV's SHA-256; a run compares it with its provenance's
 * hash of the CSV, and on a mismatch drops the cache, says so, and replays the CSV (the results
 * are those of a fresh run of the new file); a sweep, which hashes its trace first, remakes such a
 * cache before its runs.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CACHE_VERSION, cacheHeader, cacheMatches, encodeHeader, HEADER_BYTES, hashBytes, shaBytes, sourceIdentity, type CacheHeader } from '../traces/cache.ts';
import { cachePathFor, ensureCache, openTrace } from '../traces/open.ts';
import type { RowBlock } from '../traces/types.ts';
import { runTrace } from '../scripts/run.ts';
import { defaultConfig } from '../sim/config.ts';
import { syncsimHere } from './cli-here.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-cache-stale-'));
const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** The modification time every version of the test's trace is given (seconds), as `touch -r` would put it back. */
const MTIME = 1_700_000_000;

/** A trace of about 2.6 MB (more than its first and last MiB) whose writes touch pages 0..127 of a 256-page mapping, an msync of it every 1,000 rows (every 50 made each replay write back 90,000 pages). */
function bigTrace(path: string): void {
  const lines = ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset', '0,db,map,0x10000000,1048576,,data.db,0'];
  for (let i = 0; i < 90_000; i++) {
    const t = (i + 1) * 10;
    lines.push(i % 1000 === 999 ? `${t},db,msync,0x10000000,1048576,SYNC,,` : `${t},db,write,0x${(0x10000000 + 4096 * ((i * 37) % 128)).toString(16)},8,,,`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
  utimesSync(path, MTIME, MTIME);
}

/**
 * Edits `path` in its middle, far from its first and last MiB: one write moved to page 200, which
 * no other row touches (so the results change), the size the same and the mtime put back.
 */
function editMiddle(path: string): void {
  const before = statSync(path);
  const text = readFileSync(path, 'latin1');
  const at = text.indexOf(',db,write,0x', text.length >> 1) + ',db,write,'.length;
  const edited = text.slice(0, at) + '0x100c8000' + text.slice(at + 10);
  expect(edited.length).toBe(text.length);
  writeFileSync(path, edited, 'latin1');
  utimesSync(path, MTIME, MTIME);
  const after = statSync(path);
  expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
}

/** summary.json of results directory `out`, without its provenance, and that provenance's trace hash. */
function summaryOf(out: string): { rest: object; sha: string } {
  const { provenance, ...rest } = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  return { rest, sha: provenance.trace_sha256 };
}

describe('the cache header (version 4)', () => {
  it('round-trips every field, the source SHA-256 included; zeros read as no SHA-256', () => {
    const d = tmp();
    const h: CacheHeader = {
      rows: 123_456_789, blocks: 1884, source: { size: 4_094_551, mtimeMs: 1_796_627_685_123.25, fingerprint: 0xdeadbeef },
      stringsOffset: 6_049_000_000, stringsLength: 77, stringsSum: 0x12345678, sourceSha256: 'ab'.repeat(32),
    };
    const bytes = encodeHeader(h);
    expect(bytes.length).toBe(HEADER_BYTES);
    expect(HEADER_BYTES).toBe(96);
    expect(CACHE_VERSION).toBe(4);
    expect(bytes.readUInt32LE(92)).toBe(hashBytes(bytes.subarray(0, 92)));
    // a file of that header and as many bytes as it says (readHeader checks the length)
    const p = join(d, 'h.sst');
    writeFileSync(p, Buffer.concat([bytes, Buffer.alloc(200 - HEADER_BYTES)]));
    const small = { ...h, stringsOffset: 150, stringsLength: 50 };
    writeFileSync(p, Buffer.concat([encodeHeader(small), Buffer.alloc(200 - HEADER_BYTES)]));
    expect(cacheHeader(p)).toEqual(small);
    const { sourceSha256: _, ...none } = small;
    writeFileSync(p, Buffer.concat([encodeHeader(none), Buffer.alloc(200 - HEADER_BYTES)]));
    expect(cacheHeader(p)).toEqual(none);
    expect(cacheHeader(p).sourceSha256).toBeUndefined();
    // any byte of the SHA-256 changed: the header's checksum no longer holds
    const bad = Buffer.concat([encodeHeader(small), Buffer.alloc(200 - HEADER_BYTES)]);
    bad[70] ^= 1;
    writeFileSync(p, bad);
    expect(() => cacheHeader(p)).toThrow(/corrupted header \(checksum\)/);
    expect(() => shaBytes('not a hash')).toThrow(RangeError);
  });

  it('a cache that records no SHA-256 of its CSV never matches it; one that does matches only that SHA-256 when it is given', async () => {
    const d = tmp();
    const src = join(d, 't.csv');
    writeFileSync(src, 't_us,op,addr,len\n0,write,0,8\n');
    const cacheDir = join(d, 'c');
    expect(await ensureCache(src, cacheDir)).toBe('csv+cache');
    const p = cachePathFor(src, cacheDir);
    expect(cacheHeader(p).sourceSha256).toBe(sha256Of(src));
    expect(cacheMatches(p, sourceIdentity(src))).toBe(true);
    expect(cacheMatches(p, sourceIdentity(src), sha256Of(src))).toBe(true);
    expect(cacheMatches(p, sourceIdentity(src), '0'.repeat(64))).toBe(false);
  });
});

describe('a CSV changed in the middle, its size and mtime kept', () => {
  it('syncsim run: the stale cache is dropped with one warning, the CSV replayed: the results of a fresh run, the summary the new file\'s SHA-256', async () => {
    const d = tmp();
    const trace = join(d, 'big.csv');
    bigTrace(trace);
    const cacheDir = join(d, 'cache');
    expect((await syncsimHere(['run', trace, '--out', join(d, 'old'), '--cache-dir', cacheDir, '-q'])).code).toBe(0);
    const cachePath = cachePathFor(trace, cacheDir);
    const oldSha = sha256Of(trace);
    expect(cacheHeader(cachePath).sourceSha256).toBe(oldSha);
    editMiddle(trace);
    const newSha = sha256Of(trace);
    expect(newSha).not.toBe(oldSha);
    expect(cacheMatches(cachePath, sourceIdentity(trace))).toBe(true); // the identity alone cannot tell

    const r = await syncsimHere(['run', trace, '--out', join(d, 'new'), '--cache-dir', cacheDir, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const said = r.stderr.split('\n').filter((l) => l.includes('another version'));
    expect(said).toEqual([
      `syncsim: warning: the trace cache ${cachePath} was made from another version of ${trace} (SHA-256 ${oldSha}; the file's is now ${newSha}, ` +
        'with the same size and modification time): it is deleted, and the trace is replayed again from its CSV, whose results are kept',
    ]);
    expect((await syncsimHere(['run', trace, '--out', join(d, 'fresh'), '--no-cache', '-q'])).code).toBe(0);
    const [old, now, fresh] = ['old', 'new', 'fresh'].map((o) => summaryOf(join(d, o)));
    expect(now.rest).toEqual(fresh.rest);
    expect(now.rest).not.toEqual(old.rest); // the edit changes the results: the old rows were not replayed
    expect([now.sha, fresh.sha]).toEqual([newSha, newSha]);
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv', 'tasks.csv']) expect(readFileSync(join(d, 'new', f), 'utf8')).toBe(readFileSync(join(d, 'fresh', f), 'utf8'));
    // nothing half-written: the results directories and the cache directory alone, the cache remade from the new CSV
    expect(readdirSync(d).sort()).toEqual(['big.csv', 'cache', 'fresh', 'new', 'old']);
    expect(readdirSync(cacheDir)).toEqual([basename(cachePath)]);
    expect(cacheHeader(cachePath).sourceSha256).toBe(newSha);

    // the next run reads the remade cache, with no warning and the same results
    const again = await syncsimHere(['run', trace, '--out', join(d, 'again'), '--cache-dir', cacheDir, '-q']);
    expect(again.stderr).not.toContain('another version');
    expect(summaryOf(join(d, 'again'))).toEqual(now);
  }, 60_000);

  it('runTrace: the replay from the stale cache is dropped, the CSV replayed, onStaleCache told once', async () => {
    const d = tmp();
    const trace = join(d, 'big.csv');
    bigTrace(trace);
    const cacheDir = join(d, 'cache');
    const config = defaultConfig();
    await runTrace({ trace, config, cacheDir, handleSignals: false });
    editMiddle(trace);
    const sources: string[] = [], stale: string[] = [], problems: string[] = [];
    const s = await runTrace({
      trace, config, cacheDir, out: join(d, 'out'), handleSignals: false, resultThread: false,
      onSource: (k) => sources.push(k), onStaleCache: (m) => stale.push(m), onCacheProblem: (m) => problems.push(m),
    });
    expect(sources).toEqual(['cache', 'csv+cache']);
    expect(stale).toHaveLength(1);
    expect(problems).toEqual([]);
    expect(s.provenance?.trace_sha256).toBe(sha256Of(trace));
    const fresh = await runTrace({ trace, config, handleSignals: false });
    const { provenance: _a, ...a } = s;
    const { provenance: _b, ...b } = fresh;
    expect(a).toEqual(b);
    expect(cacheHeader(cachePathFor(trace, cacheDir)).sourceSha256).toBe(sha256Of(trace));
  }, 60_000);

  it('openTrace and ensureCache told the CSV\'s SHA-256 take a cache of another as stale, and say so', async () => {
    const d = tmp();
    const trace = join(d, 'big.csv');
    bigTrace(trace);
    const cacheDir = join(d, 'cache');
    expect(await ensureCache(trace, cacheDir)).toBe('csv+cache');
    const oldSha = sha256Of(trace);
    editMiddle(trace);
    const newSha = sha256Of(trace);
    const told: string[] = [];
    const o = await openTrace(trace, { cacheDir, sha256: newSha, onCacheProblem: (m) => told.push(m) });
    expect(o.kind).toBe('csv+cache');
    for await (const b of o.batches) if (!Array.isArray(b)) (b as RowBlock).release();
    o.finish(true);
    expect(o.readSha256?.()).toBe(newSha);
    expect(told).toEqual([expect.stringContaining(`was made from another version of ${trace} (SHA-256 ${oldSha}; the file's is now ${newSha}`)]);
    expect(cacheHeader(cachePathFor(trace, cacheDir)).sourceSha256).toBe(newSha);
    // and back: ensureCache with the old version's hash known remakes it, and tells the hash it read
    const stale: string[] = [];
    let built: string | undefined;
    expect(await ensureCache(trace, cacheDir, undefined, { sha256: oldSha, onStale: (m) => stale.push(m), onBuilt: (s) => (built = s) })).toBe('csv+cache');
    expect(stale).toEqual([expect.stringContaining('it is deleted, and it is made again from the CSV')]);
    expect(built).toBe(newSha);
    expect(await ensureCache(trace, cacheDir, undefined, { sha256: newSha, onStale: (m) => stale.push(m) })).toBe('cache');
    expect(stale).toHaveLength(1);
  }, 60_000);

  it('syncsim sweep: the stale cache is remade before the runs, with one warning; every run replays the new file, as a sweep without a cache does', async () => {
    const d = tmp();
    const trace = join(d, 'big.csv');
    bigTrace(trace);
    writeFileSync(join(d, 'e.yaml'), 'name: stale\ntrace: { path: big.csv }\ngrid:\n  pager.cluster_pages: [8, 16]\nseeds: [1]\nmetrics: [writeback.pages, sync.count]\n');
    const cacheDir = join(d, 'cache');
    const sweep = (out: string, ...more: string[]) => syncsimHere(['sweep', 'e.yaml', '--out', out, '--jobs', '2', '--quiet', ...more], d);
    expect((await sweep('s1', '--cache-dir', 'cache')).code).toBe(0);
    const cachePath = cachePathFor(trace, cacheDir);
    const oldSha = sha256Of(trace);
    expect(cacheHeader(cachePath).sourceSha256).toBe(oldSha);
    editMiddle(trace);
    const newSha = sha256Of(trace);

    const r = await sweep('s2', '--cache-dir', 'cache');
    expect(r.code, r.stderr).toBe(0);
    const said = r.stderr.split('\n').filter((l) => l.includes('another version'));
    // named as the sweep names them: the trace as the experiment gives it, the cache as --cache-dir does
    expect(said).toEqual([`syncsim: warning: the trace cache cache/${basename(cachePath)} was made from another version of big.csv (SHA-256 ${oldSha}; the file's is now ${newSha}, with the same size and modification time): it is deleted, and it is made again from the CSV`]);
    expect(cacheHeader(cachePath).sourceSha256).toBe(newSha);
    expect((await sweep('s3', '--no-cache')).code).toBe(0);
    const runs = (out: string) => readdirSync(join(d, out, 'runs')).sort().map((id) => ({ id, ...summaryOf(join(d, out, 'runs', id)) }));
    const [s1, s2, s3] = ['s1', 's2', 's3'].map(runs);
    expect(s2.map((x) => x.sha)).toEqual([newSha, newSha]);
    expect(s2.map(({ id, rest }) => ({ id, rest }))).toEqual(s3.map(({ id, rest }) => ({ id, rest })));
    expect(s2.map((x) => x.rest)).not.toEqual(s1.map((x) => x.rest));
    expect(readFileSync(join(d, 's2', 'results.csv'), 'utf8')).toBe(readFileSync(join(d, 's3', 'results.csv'), 'utf8'));
  }, 120_000);

  it('a sweep whose trace\'s hash it does not know (a generated trace without its record): the runs find the stale cache, replay the CSV, and the sweep says so once', async () => {
    const d = tmp();
    writeFileSync(join(d, 'g.yaml'), 'name: gen\ntrace: { gen: random-writer, set: { duration_s: 0.1 } }\ngrid:\n  pager.cluster_pages: [8, 16]\nseeds: [1]\nmetrics: [writeback.pages]\n');
    /** The sweep into `s`, reading the trace's cache in `cache`, or, with `--no-cache`, none. */
    const sweep = (cache = ['--cache-dir', 'cache']) => syncsimHere(['sweep', 'g.yaml', '--out', 's', '--jobs', '2', '--quiet', ...cache], d);
    /** The runs of `s` made again (their directories removed first). */
    const rerun = async (cache?: string[]) => {
      rmSync(join(d, 's', 'runs'), { recursive: true });
      return sweep(cache);
    };
    expect((await sweep()).code).toBe(0);
    const file = readdirSync(join(d, 's', 'traces')).find((f) => !f.endsWith('.sha256'))!;
    const trace = join(d, 's', 'traces', file);
    // in its place a plain CSV of 2.6 MB (a generated trace is gzipped, whose middle cannot change alone), and no
    // record of its hash, as a trace generated before syncsim recorded them: the sweep cannot check its cache before the runs
    bigTrace(trace);
    rmSync(join(d, 's', 'traces', `${file}.sha256`));
    expect((await rerun()).code).toBe(0);
    const cachePath = cachePathFor(trace, join(d, 'cache'));
    const oldSha = sha256Of(trace);
    expect(cacheHeader(cachePath).sourceSha256).toBe(oldSha);
    editMiddle(trace);
    const newSha = sha256Of(trace);
    expect(cacheMatches(cachePath, sourceIdentity(trace))).toBe(true);
    const r = await rerun();
    expect(r.code, r.stderr).toBe(0);
    // said once, though both runs found it; the trace named as the sweep names it
    expect(r.stderr.split('\n').filter((l) => l.includes('another version'))).toEqual([
      `syncsim: warning: the trace cache cache/${basename(cachePath)} was made from another version of traces/${file} (SHA-256 ${oldSha}; the file's is now ${newSha}, ` +
        'with the same size and modification time): it is deleted, and the trace is replayed again from its CSV, whose results are kept',
    ]);
    const runs = () => readdirSync(join(d, 's', 'runs')).sort().map((id) => ({ id, ...summaryOf(join(d, 's', 'runs', id)) }));
    const stale = runs();
    expect(stale.map((x) => x.sha)).toEqual([newSha, newSha]);
    expect(cacheHeader(cachePath).sourceSha256).toBe(newSha);
    expect((await rerun(['--no-cache'])).code).toBe(0);
    expect(stale.map(({ id, rest }) => ({ id, rest }))).toEqual(runs().map(({ id, rest }) => ({ id, rest })));
  }, 120_000);

  it('a cache of an older version (3) is made again, with no warning, and the results stay the same', async () => {
    const d = tmp();
    const trace = join(d, 'big.csv');
    bigTrace(trace);
    const cacheDir = join(d, 'cache');
    expect((await syncsimHere(['run', trace, '--out', join(d, 'a'), '--cache-dir', cacheDir, '-q'])).code).toBe(0);
    const cachePath = cachePathFor(trace, cacheDir);
    const bytes = readFileSync(cachePath);
    bytes.writeUInt32LE(3, 8); // what an earlier syncsim reads as its own version's
    writeFileSync(cachePath, bytes);
    expect(cacheMatches(cachePath, sourceIdentity(trace))).toBe(false);
    const r = await syncsimHere(['run', trace, '--out', join(d, 'b'), '--cache-dir', cacheDir, '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/trace cache/);
    expect(readFileSync(cachePath).readUInt32LE(8)).toBe(CACHE_VERSION);
    expect(cacheHeader(cachePath).sourceSha256).toBe(sha256Of(trace));
    expect(summaryOf(join(d, 'b'))).toEqual(summaryOf(join(d, 'a')));
    expect(existsSync(join(d, 'b', 'summary.json'))).toBe(true);
  }, 60_000);
});
