/**
 * The binary trace cache: exact round trip, stale and corrupted caches
 * detected and rebuilt, results identical from CSV and from cache. The CLI
 * runs in this process (`here`) but where a real process is the point: a
 * cache written by one process and read by the next, and the runs under
 * /proc (each spawned with a deadline: a regression there loops for ever).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CACHE_VERSION, CacheError, cacheHeader, cacheMatches, cacheTempPath, hashBytes, parseCacheTemp, readCache, readCacheBlocks, sourceIdentity, verifyCache, BLOCK_ROWS, HEADER_BYTES } from '../traces/cache.ts';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import { FLAGS_BY_OP, OP_NAMES, type TraceRow } from '../traces/types.ts';
import { cachePathFor, ensureCache, openTrace } from '../traces/open.ts';
import { dataRowsOf } from './helpers.ts';
import { syncsimHere } from './cli-here.ts';
import { SMALL_TRACE } from './out-fixtures.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-cache-'));
/** A small trace (out-fixtures.ts), in a directory of its own, for the runs about directories rather than results. */
const small = () => {
  const f = join(tmp(), 'small.csv');
  writeFileSync(f, SMALL_TRACE);
  return f;
};
/** `syncsim ARGS...` spawned: the real CLI, each call its own process. */
const syncsim = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
/**
 * `syncsim ARGS...` through the CLI's main in this process (test/cli-here.ts), in `cwd` when given: the
 * same code, exit code and output without a process's start-up, for the cases about the cache, not the CLI.
 */
const here = async (args: string[], cwd?: string) => {
  const r = await syncsimHere(args, cwd);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

const rowArb = (withExtra: boolean): fc.Arbitrary<TraceRow> => fc.record({
  line: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  tNs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  task: fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/),
  op: fc.constantFrom(...OP_NAMES),
  addr: fc.integer({ min: 0, max: 2 ** 52 }),
  len: fc.integer({ min: 0, max: 2 ** 52 }),
  flags: fc.integer({ min: 0, max: 2 ** 13 - 1 }),
  object: fc.string({ maxLength: 6 }),
  offset: fc.integer({ min: 0, max: 2 ** 52 }),
}).chain((r) => withExtra
  ? fc.record({ x_a: fc.string(), x_b: fc.string() }).map((extra) => ({ ...r, flags: r.flags & (FLAGS_BY_OP[r.op] | 0x1fff), extra }))
  : fc.constant(r));

async function roundTrip(rows: TraceRow[]): Promise<TraceRow[]> {
  const d = tmp();
  const src = join(d, 'src.csv');
  writeFileSync(src, 'x');
  const w = new TraceCacheWriter(join(d, 'c.sst'), sourceIdentity(src));
  for (let i = 0; i < rows.length; i += 1000) w.add(rows.slice(i, i + 1000));
  w.close();
  const out: TraceRow[] = [];
  for await (const b of readCache(join(d, 'c.sst'))) out.push(...b);
  return out;
}

describe('binary trace cache', () => {
  it('round-trips every row exactly (property, with and without x_ columns)', async () => {
    await fc.assert(fc.asyncProperty(fc.boolean().chain((x) => fc.array(rowArb(x), { maxLength: 300 })), async (rows) => {
      expect(await roundTrip(rows)).toEqual(rows);
    }), { numRuns: 60 });
  });

  it('round-trips across block boundaries', async () => {
    const rows: TraceRow[] = [];
    for (let i = 0; i < BLOCK_ROWS * 2 + 17; i++) rows.push({ line: i + 3, tNs: i * 1500, task: `t${i % 3}`, op: OP_NAMES[i % 7], addr: i * 4096, len: 4096, flags: 0, object: i % 7 === 0 ? 'f' : '', offset: 0 });
    expect(await roundTrip(rows)).toEqual(rows);
  });

  /** A cache file of one row (a write of 8 bytes at 4096 by task 'a') for a one-byte source, in a new directory. */
  function oneRowCache(): string {
    const d = tmp();
    const src = join(d, 's.csv');
    writeFileSync(src, 'x');
    const p = join(d, 'c.sst');
    const w = new TraceCacheWriter(p, sourceIdentity(src));
    w.add([{ line: 3, tNs: 0, task: 'a', op: 'write', addr: 4096, len: 8, flags: 0, object: '', offset: 0 }]);
    w.close();
    return p;
  }

  it('a block is checked before it is yielded: a corrupted second block stops the read after the first', async () => {
    const d = tmp();
    const src = join(d, 's.csv');
    writeFileSync(src, 'x');
    const p = join(d, 'c.sst');
    const w = new TraceCacheWriter(p, sourceIdentity(src));
    const rows: TraceRow[] = [];
    for (let i = 0; i < BLOCK_ROWS + 10; i++) rows.push({ line: i + 3, tNs: i * 1000, task: 'a', op: 'write', addr: 4096 * (i % 64), len: 8, flags: 0, object: '', offset: 0 });
    w.add(rows);
    w.close();
    const bytes = readFileSync(p);
    // the second block's payload starts after the header, the first block and the second's 16-byte header
    const firstPayload = bytes.readUInt32LE(HEADER_BYTES + 4);
    bytes[HEADER_BYTES + 16 + firstPayload + 16 + 5] ^= 0x10;
    writeFileSync(p, bytes);
    const seen: number[] = [];
    await expect((async () => {
      for await (const b of readCacheBlocks(p)) seen.push(b.length);
    })()).rejects.toThrow(/block 1: corrupted \(checksum\)/);
    expect(seen).toEqual([BLOCK_ROWS]);
  });

  it('the checksum changes with any one bit or any one word of a block (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }), (buf, at, bit, word) => {
      const i = at % buf.length;
      const flipped = Uint8Array.from(buf);
      flipped[i] ^= 1 << bit;
      expect(hashBytes(flipped)).not.toBe(hashBytes(buf));
      if (buf.length >= 4) {
        // one aligned word replaced by another value (a word xor a non-zero value)
        const w = Uint8Array.from(buf);
        const j = 4 * (at % Math.floor(buf.length / 4));
        const dv = new DataView(w.buffer);
        dv.setUint32(j, (dv.getUint32(j, true) ^ word) >>> 0, true);
        expect(hashBytes(w)).not.toBe(hashBytes(buf));
      }
    }), { numRuns: 500 });
  });

  it('detects a corrupted block, a truncated file and a file that is not a cache', async () => {
    const p = oneRowCache();
    await verifyCache(p);
    const good = readFileSync(p);
    const bad = Buffer.from(good);
    bad[HEADER_BYTES + 16 + 3] ^= 0xff; // inside the first block's payload
    writeFileSync(p, bad);
    await expect(verifyCache(p)).rejects.toThrow(/block 0: corrupted \(checksum\)/);
    writeFileSync(p, good.subarray(0, good.length - 3));
    await expect(verifyCache(p)).rejects.toBeInstanceOf(CacheError);
    writeFileSync(p, 'hello, world, this is not a cache at all, not even close, no no no no no');
    await expect(verifyCache(p)).rejects.toThrow(/not a syncsim trace cache/);
  });

  it('a cache of another version is refused with what to do', async () => {
    const p = oneRowCache();
    const bytes = readFileSync(p);
    bytes.writeUInt32LE(CACHE_VERSION - 1, 8);
    writeFileSync(p, bytes);
    await expect(verifyCache(p)).rejects.toThrow(`${p}: cache version ${CACHE_VERSION - 1}, this syncsim reads version ${CACHE_VERSION}: make it again from its CSV (syncsim convert)`);
  });

  it('a changed source makes the cache stale', () => {
    const d = tmp();
    const src = join(d, 's.csv');
    writeFileSync(src, 't_us,op,addr,len\n0,write,0,8\n');
    const p = join(d, 'c.sst');
    const w = new TraceCacheWriter(p, sourceIdentity(src));
    w.close(createHash('sha256').update(readFileSync(src)).digest('hex'));
    expect(cacheMatches(p, sourceIdentity(src))).toBe(true);
    const st = statSync(src);
    utimesSync(src, st.atime, new Date(st.mtimeMs + 5000));
    expect(cacheMatches(p, sourceIdentity(src))).toBe(false);
  });

  it('syncsim run: the first replay writes the cache, the second reads it, results are byte-identical', async () => {
    const d = tmp();
    const cacheDir = join(d, 'cache');
    const outs = ['a', 'b', 'c'].map((n) => join(d, n));
    expect(syncsim(['run', DEMO, '--out', outs[0], '--cache-dir', cacheDir]).status).toBe(0);
    const cachePath = cachePathFor(DEMO, cacheDir);
    expect(existsSync(cachePath)).toBe(true);
    const before = statSync(cachePath).mtimeMs;
    expect(syncsim(['run', DEMO, '--out', outs[1], '--cache-dir', cacheDir]).status).toBe(0);
    expect(statSync(cachePath).mtimeMs).toBe(before); // read, not rewritten
    // (the cache written in one process and read in the next; the run without it, to compare, in this one)
    expect((await here(['run', DEMO, '--out', outs[2], '--no-cache'])).status).toBe(0);
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv']) {
      expect(readFileSync(join(outs[1], f), 'utf8')).toBe(readFileSync(join(outs[0], f), 'utf8'));
      expect(readFileSync(join(outs[2], f), 'utf8')).toBe(readFileSync(join(outs[0], f), 'utf8'));
    }
    // summaries: the same but for the provenance (time, wall seconds, command line)
    const summary = (o: string) => {
      const { provenance, ...rest } = JSON.parse(readFileSync(join(o, 'summary.json'), 'utf8'));
      expect(provenance.trace_sha256).toMatch(/^[0-9a-f]{64}$/);
      return rest;
    };
    expect(summary(outs[1])).toEqual(summary(outs[0]));
    expect(summary(outs[2])).toEqual(summary(outs[0]));
  });

  it('a stale or corrupted cache is rebuilt and the results stay the same', async () => {
    const d = tmp();
    const trace = join(d, 't.csv');
    writeFileSync(trace, readFileSync(DEMO));
    const cacheDir = join(d, 'cache');
    expect((await here(['run', trace, '--out', join(d, 'a'), '--cache-dir', cacheDir])).status).toBe(0);
    const cachePath = cachePathFor(trace, cacheDir);
    const bytes = readFileSync(cachePath);
    bytes[200] ^= 0x55;
    writeFileSync(cachePath, bytes);
    expect((await here(['run', trace, '--out', join(d, 'b'), '--cache-dir', cacheDir])).status).toBe(0);
    expect(readFileSync(join(d, 'b', 'syncs.csv'), 'utf8')).toBe(readFileSync(join(d, 'a', 'syncs.csv'), 'utf8'));
    expect(readFileSync(cachePath).equals(bytes)).toBe(false); // rebuilt
    // change the source: the cache no longer matches and is rebuilt from the new CSV
    writeFileSync(trace, readFileSync(DEMO, 'utf8').replace(/\n$/, '\n999999,db,write,0x10000000,8,,,\n'));
    const r = await here(['run', trace, '--out', join(d, 'c'), '--cache-dir', cacheDir, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).trace.rows).toBe(dataRowsOf(DEMO) + 1);
    expect(cacheMatches(cachePath, sourceIdentity(trace))).toBe(true);
  });

  it('a cache found corrupted part way through a run is made again, the rest of the rows read from the CSV: the same results', async () => {
    const d = tmp();
    const trace = join(d, 'big.csv');
    const lines = ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset', '0,db,map,0x10000000,1048576,,data.db,0'];
    for (let i = 0; i < BLOCK_ROWS + 5000; i++) {
      const t = (i + 1) * 10;
      lines.push(i % 50 === 49 ? `${t},db,msync,0x10000000,1048576,SYNC,,` : `${t},db,write,0x${(0x10000000 + 4096 * ((i * 37) % 256)).toString(16)},8,,,`);
    }
    writeFileSync(trace, lines.join('\n') + '\n');
    const cacheDir = join(d, 'cache');
    expect((await here(['run', trace, '--out', join(d, 'a'), '--cache-dir', cacheDir])).status).toBe(0);
    const cachePath = cachePathFor(trace, cacheDir);
    const bytes = readFileSync(cachePath);
    const firstPayload = bytes.readUInt32LE(HEADER_BYTES + 4);
    bytes[HEADER_BYTES + 16 + firstPayload + 16 + 9] ^= 0x04; // in the second block
    writeFileSync(cachePath, bytes);
    const r = await here(['run', trace, '--out', join(d, 'b'), '--cache-dir', cacheDir]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`syncsim: warning: the trace cache ${cachePath}: block 1: corrupted (checksum): rows ${BLOCK_ROWS + 1} on are read from ${trace}, and the cache is made again from it`);
    const again = readFileSync(cachePath);
    expect(again.equals(bytes)).toBe(false);
    await verifyCache(cachePath);
    expect(readdirSync(cacheDir)).toEqual([basename(cachePath)]);
    expect((await here(['run', trace, '--out', join(d, 'c'), '--no-cache'])).status).toBe(0);
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv', 'tasks.csv']) {
      expect(readFileSync(join(d, 'b', f), 'utf8')).toBe(readFileSync(join(d, 'c', f), 'utf8'));
    }
    const summary = (o: string) => {
      const { provenance: _, ...rest } = JSON.parse(readFileSync(join(d, o, 'summary.json'), 'utf8'));
      return rest;
    };
    expect(summary('b')).toEqual(summary('c'));
    expect(summary('b').trace.rows).toBe(BLOCK_ROWS + 5001);
  });

  it('temporary cache files are named by process, thread and host; only this host\'s dead writers\' are removed', async () => {
    expect(parseCacheTemp(basename(cacheTempPath('/x/t-0123.sst')))).toEqual({ pid: process.pid, host: hostname() });
    expect(parseCacheTemp('t.sst.tmp-42')).toEqual({ pid: 42, host: undefined }); // the older form
    expect(parseCacheTemp('t.sst')).toBeUndefined();
    // a worker thread of this process writes under another name than the main thread
    const inWorker = await new Promise<string>((res, rej) => {
      const boot = join(ROOT, 'scripts', 'sweep', 'worker-boot.mjs'); // loads TypeScript in the thread, as a sweep's workers do
      const w = new Worker(boot, { workerData: { entry: pathToFileURL(join(ROOT, 'test', 'workers', 'cache-temp-name.ts')).href } });
      w.once('message', (m: string) => void w.terminate().then(() => res(m)));
      w.once('error', rej);
    });
    expect(inWorker).not.toBe(cacheTempPath('/x/t.sst'));
    expect(parseCacheTemp(basename(inWorker))).toEqual({ pid: process.pid, host: hostname() });

    const d = tmp();
    const cacheDir = join(d, 'cache');
    mkdirSync(cacheDir);
    const dead = String(spawnSync('true').pid); // a process that has ended (no Node start-up for it)
    const names = {
      deadHere: `a.sst.tmp-${dead}-0@${hostname()}`,
      deadOld: `b.sst.tmp-${dead}`,
      otherHost: `c.sst.tmp-${dead}-0@elsewhere.example`,
      siblingThread: `d.sst.tmp-${process.pid}-3@${hostname()}`,
    };
    for (const n of Object.values(names)) writeFileSync(join(cacheDir, n), 'SYNCSST1partial');
    // a killed writer's file may still be empty; a file of the user's that only has such a name is not syncsim's to remove
    const emptyDead = `e.sst.tmp-${dead}-0@${hostname()}`, usersFile = `f.sst.tmp-${dead}-0@${hostname()}`, usersDir = `g.sst.tmp-${dead}`;
    writeFileSync(join(cacheDir, emptyDead), '');
    writeFileSync(join(cacheDir, usersFile), 'my notes');
    mkdirSync(join(cacheDir, usersDir));
    const trace = join(d, 't.csv');
    writeFileSync(trace, readFileSync(DEMO));
    expect(await ensureCache(trace, cacheDir)).toBe('csv+cache');
    expect(readdirSync(cacheDir).sort()).toEqual([basename(cachePathFor(trace, cacheDir)), names.otherHost, names.siblingThread, usersFile, usersDir].sort());
    expect(readFileSync(join(cacheDir, usersFile), 'utf8')).toBe('my notes');
    expect(await ensureCache(trace, cacheDir)).toBe('cache');
    expect(await ensureCache(cachePathFor(trace, cacheDir), cacheDir)).toBe('direct');
  });

  it('a cache being written starts with the magic, so a killed writer\'s file is removed by the next run that reads the cache', async () => {
    const d = tmp();
    const cacheDir = join(d, 'cache');
    const trace = join(d, 't.csv');
    writeFileSync(trace, readFileSync(DEMO));
    expect(await ensureCache(trace, cacheDir)).toBe('csv+cache');
    // a writer stopped part way (as by SIGKILL): its file, under a dead process's name, holds a block but no header yet
    const w = new TraceCacheWriter(join(cacheDir, 'other.sst'), sourceIdentity(trace));
    for await (const rows of readCache(cachePathFor(trace, cacheDir))) w.add(rows);
    const dead = String(spawnSync('true').pid); // a process that has ended (no Node start-up for it)
    const killed = join(cacheDir, `other.sst.tmp-${dead}-0@${hostname()}`);
    writeFileSync(killed, readFileSync(cacheTempPath(join(cacheDir, 'other.sst'))));
    w.abort();
    expect(readFileSync(killed).subarray(0, 8).toString('latin1')).toBe('SYNCSST1');
    expect(() => cacheHeader(killed)).toThrow(CacheError); // never taken for a whole cache
    // the next run of the trace reads its cache, writes none, and clears the dead writer's file
    const opened = await openTrace(trace, { cacheDir });
    expect(opened.kind).toBe('cache');
    opened.finish(true);
    expect(readdirSync(cacheDir)).toEqual([basename(cachePathFor(trace, cacheDir))]);
  });

  it('ensureCache reports a bad trace with its own error and leaves no cache', async () => {
    const d = tmp();
    const trace = join(d, 'bad.csv');
    writeFileSync(trace, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,4096,,f,0\n1,a,frobnicate,0x1000,1,,,\n');
    await expect(ensureCache(trace, join(d, 'cache'))).rejects.toThrow(/bad\.csv:4: column op/);
    expect(existsSync(join(d, 'cache'))).toBe(false);
  });

  it('syncsim convert to a name not ending in .sst: written, with a note that it is binary, not CSV (user trial 195)', async () => {
    const d = tmp();
    const c = await here(['convert', DEMO, '-o', join(d, 'demo.csv'), '-q']);
    expect(c.status).toBe(0);
    expect(c.stderr).toBe(`syncsim convert: note: ${join(d, 'demo.csv')} is a binary trace cache, not CSV text, whatever its name (syncsim run and inspect read it as one); name it .sst so that it is not taken for a CSV trace\n`);
    expect(readFileSync(join(d, 'demo.csv')).subarray(0, 8).toString('latin1')).toBe('SYNCSST1');
    // from a .csv.gz: how to decompress it instead
    writeFileSync(join(d, 't.csv.gz'), gzipSync(readFileSync(DEMO)));
    const z = await here(['convert', join(d, 't.csv.gz'), '-o', join(d, 't.csv'), '-q']);
    expect(z.status).toBe(0);
    expect(z.stderr).toContain(`name it .sst so that it is not taken for a CSV trace; to decompress ${join(d, 't.csv.gz')}, gunzip -k it\n`);
    expect((await here(['convert', DEMO, '-o', join(d, 'ok.sst'), '-q'])).stderr).toBe('');
    expect((await here(['convert', DEMO, '-o', join(d, 'OK.SST'), '-q'])).stderr).toBe('');
    // a convert that fails says nothing of a file it never wrote (review 196)
    writeFileSync(join(d, 'bad.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,4096,,f,0\n1,a,scribble,0x1000,1,,,\n');
    const bad = await here(['convert', join(d, 'bad.csv'), '-o', join(d, 'bad.out'), '-q']);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/^syncsim: \S*bad\.csv:4: column op: unknown op [^\n]*\n$/)]);
    expect(existsSync(join(d, 'bad.out'))).toBe(false);
  });

  it('syncsim convert makes an .sst that replays to the same results; a corrupted one is refused', async () => {
    const d = tmp();
    const sst = join(d, 'demo.sst');
    const c = await here(['convert', DEMO, '-o', sst]);
    expect(c.status).toBe(0);
    expect(c.stdout).toBe(`${sst}: ${dataRowsOf(DEMO)} rows\n`);
    expect((await here(['run', sst, '--out', join(d, 'x')])).status).toBe(0);
    expect((await here(['run', DEMO, '--out', join(d, 'y'), '--no-cache'])).status).toBe(0);
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv']) {
      expect(readFileSync(join(d, 'x', f), 'utf8')).toBe(readFileSync(join(d, 'y', f), 'utf8'));
    }
    const bytes = readFileSync(sst);
    bytes[HEADER_BYTES + 16 + 4] ^= 1; // in the first block's payload
    writeFileSync(sst, bytes);
    const r = await here(['run', sst, '--out', join(d, 'z')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/demo\.sst: block 0: corrupted \(checksum\)/);
    expect(existsSync(join(d, 'z'))).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['demo.sst', 'x', 'y']);
  });
});

describe('directories that refuse new entries (procfs)', () => {
  // Node's recursive mkdir loops forever where mkdir fails with ENOENT under an existing parent (/proc/x):
  // each call has a deadline, so a regression fails here instead of hanging
  const bounded = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  it('a cache directory under /proc: a warning, and the run reads the CSV; --out under /proc: exit 2', () => {
    const d = tmp();
    const r = bounded(['run', small(), '--out', join(d, 'a'), '--cache-dir', '/proc/syncsim-nope']);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('cannot write the trace cache /proc/syncsim-nope/');
    expect(existsSync(join(d, 'a', 'summary.json'))).toBe(true);
    const o = bounded(['run', small(), '--out', '/proc/syncsim-nope/x', '--no-cache']);
    expect(o.signal).toBeNull();
    expect(o.status).toBe(2);
    expect(o.stderr).toContain('--out /proc/syncsim-nope/x: cannot make /proc/syncsim-nope (ENOENT)');
  });
});

describe('a cache directory inside the results directory', () => {
  it('run refuses --cache-dir at or inside --out before any work (the results directory is replaced whole): exit 2, nothing made', async () => {
    const d = tmp();
    for (const cache of ['out', join('out', 'c')]) {
      const r = await here(['run', DEMO, '--out', 'out', '--cache-dir', cache], d);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`syncsim: --cache-dir ${cache}: is ${cache === 'out' ? '' : 'inside '}the results directory out, which a run replaces whole; choose a directory outside it\n`);
      expect(readdirSync(d)).toEqual([]);
    }
    // a name that starts with two dots is inside too; $SYNCSIM_CACHE_DIR is held to the same rule
    const dots = await here(['run', DEMO, '--out', 'out', '--cache-dir', join('out', '..c')], d);
    expect([dots.status, dots.stderr]).toEqual([2, `syncsim: --cache-dir ${join('out', '..c')}: is inside the results directory out, which a run replaces whole; choose a directory outside it\n`]);
    // (run reads $SYNCSIM_CACHE_DIR when it runs, not at start-up: set for this call, then as it was)
    const before = process.env.SYNCSIM_CACHE_DIR;
    process.env.SYNCSIM_CACHE_DIR = join('out', 'cache');
    const env = await here(['run', DEMO, '--out', 'out'], d).finally(() => {
      if (before === undefined) delete process.env.SYNCSIM_CACHE_DIR;
      else process.env.SYNCSIM_CACHE_DIR = before;
    });
    expect([env.status, env.stderr]).toEqual([2, `syncsim: $SYNCSIM_CACHE_DIR ${join('out', 'cache')}: is inside the results directory out, which a run replaces whole; choose a directory outside it\n`]);
    expect(readdirSync(d)).toEqual([]);
    const ok = await here(['run', small(), '--out', 'out', '--cache-dir', 'out-cache'], d);
    expect(ok.status).toBe(0);
    expect(readdirSync(d).sort()).toEqual(['out', 'out-cache']);
  });

  it('through symbolic links too: a --cache-dir whose link leads into --out, or an --out whose link holds the cache, is refused before any work', async () => {
    const d = tmp();
    mkdirSync(join(d, 'res'));
    writeFileSync(join(d, 'res', 'mine.txt'), 'the user\'s file\n');
    symlinkSync(join(d, 'res'), join(d, 'link'));
    // the cache through the link, inside the results directory as written
    const a = await here(['run', DEMO, '--out', 'res', '--cache-dir', join('link', 'cache')], d);
    expect([a.status, a.stderr]).toEqual([2, `syncsim: --cache-dir ${join('link', 'cache')}: is inside the results directory res, which a run replaces whole; choose a directory outside it\n`]);
    // the results through the link, the cache as written
    const b = await here(['run', DEMO, '--out', 'link', '--cache-dir', join('res', 'c', 'd')], d);
    expect([b.status, b.stderr]).toEqual([2, `syncsim: --cache-dir ${join('res', 'c', 'd')}: is inside the results directory link, which a run replaces whole; choose a directory outside it\n`]);
    expect(readdirSync(d).sort()).toEqual(['link', 'res']);
    expect(readdirSync(join(d, 'res'))).toEqual(['mine.txt']);
  });
});

describe('cache options that contradict each other', () => {
  it('run and sweep refuse --cache-dir with --no-cache, and an empty --cache-dir: exit 2', async () => {
    const d = tmp();
    const a = await here(['run', DEMO, '--out', join(d, 'a'), '--no-cache', '--cache-dir', join(d, 'c')]);
    expect([a.status, a.stderr]).toEqual([2, 'syncsim: --cache-dir and --no-cache: give one of them\n']);
    const b = await here(['run', DEMO, '--out', join(d, 'b'), '--cache-dir', '']);
    expect([b.status, b.stderr]).toEqual([2, 'syncsim: --cache-dir expects a directory (got an empty path)\n']);
    const exp = join(d, 'e.yaml');
    writeFileSync(exp, `name: e\ntrace: { path: ${DEMO} }\ngrid:\n  device.channels: [1, 2]\n`);
    const s = await here(['sweep', exp, '--out', join(d, 's'), '--no-cache', '--cache-dir', join(d, 'c')]);
    expect([s.status, s.stderr]).toEqual([2, 'syncsim: --cache-dir and --no-cache: give one of them\n']);
    expect(readdirSync(d)).toEqual(['e.yaml']);
  });
});
