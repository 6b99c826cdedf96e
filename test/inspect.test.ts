/**
 * `syncsim inspect` and its streaming statistics: every figure against a trace built here,
 * the bounded counters on their own (exact bitmap → HyperLogLog, top-K heap), the CLI table and
 * --json (the CLI's main in this process), and memory that stays flat on a 2-million-row trace
 * (in a child process whose heap is capped).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { BLOCK_HEADER_BYTES, HEADER_BYTES } from '../traces/cache.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TraceStats, inspectTrace } from '../traces/inspect.ts';
import { DistinctPageCounter, TopK } from '../traces/sketches.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { TraceWriter, type RowInput } from '../traces/writer.ts';
import { Flag } from '../traces/types.ts';
import { syncsimHere } from './cli-here.ts';
import { chooseEntry } from '../scripts/launch.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-inspect-'));

const F = Flag;
const us = (t: number) => t * 1000;
/** The trace every figure below is derived from (times in µs; lines 3.. in this order). */
const ROWS: RowInput[] = [
  { tNs: us(0), task: 'a', op: 'map', addr: 0x100000, len: 0x100000, object: 'f' },
  { tNs: us(0), task: 'b', op: 'map', addr: 0x100000, len: 0x10000, object: 'g', flags: F.PRIVATE },
  { tNs: us(5), task: 'a', op: 'write', addr: 0x100000, len: 4096 }, // a: page 256
  { tNs: us(7), task: 'a', op: 'write', addr: 0x100800, len: 4096 }, // a: pages 256, 257
  { tNs: us(12), task: 'b', op: 'write', addr: 0x100000, len: 100 }, // b: page 256
  { tNs: us(15), task: 'a', op: 'read', addr: 0x104000, len: 8192 }, // a: pages 260, 261
  { tNs: us(20), task: 'a', op: 'msync', addr: 0x100000, len: 0x100000, flags: F.SYNC }, // line 10
  { tNs: us(25), task: 'a', op: 'write', addr: 0x101000, len: 0 }, // no page
  { tNs: us(30), task: 'b', op: 'msync', addr: 0x100000, len: 0x10000, flags: F.ASYNC }, // line 12
  { tNs: us(31), task: 'a', op: 'msync', addr: 0x100000, len: 0x2000, flags: F.SYNC | F.INVALIDATE }, // line 13
  { tNs: us(40), task: 'a', op: 'wire', addr: 0x100000, len: 4096, flags: F.USER | F.NOHOLES },
  { tNs: us(45), task: 'a', op: 'write', addr: 0x110000, len: 0x20000 }, // a: pages 272..303
  { tNs: us(50), task: 'b', op: 'msync', addr: 0x100000, len: 0x10000, flags: F.ASYNC }, // line 16
  { tNs: us(60), task: 'a', op: 'unwire', addr: 0x100000, len: 4096, flags: F.USER | F.NOHOLES },
  { tNs: us(70), task: 'a', op: 'unmap', addr: 0x100000, len: 0x100000 },
];
// footprint: a {256, 257, 260, 261, 272..303} = 36 pages, b {256} = 1; written: a 34, b 1
const PAGES = 37, WRITTEN_PAGES = 35;
const WRITTEN_BYTES = 4096 + 4096 + 100 + 0 + 0x20000;

async function writeTrace(rows: RowInput[]): Promise<string> {
  const path = join(tmp(), 'trace.csv');
  const w = await TraceWriter.open(path);
  for (const r of rows) await w.write(r);
  await w.close();
  return path;
}

const EXPECTED_OPS = {
  map: { count: 2, bytes: 0x110000, flags: { '': 1, PRIVATE: 1 } },
  unmap: { count: 1, bytes: 0x100000, flags: { '': 1 } },
  write: { count: 5, bytes: WRITTEN_BYTES, flags: { '': 5 } },
  read: { count: 1, bytes: 8192, flags: { '': 1 } },
  msync: { count: 4, bytes: 0x100000 + 0x10000 + 0x2000 + 0x10000, flags: { SYNC: 1, ASYNC: 2, 'SYNC|INVALIDATE': 1 } },
  wire: { count: 1, bytes: 4096, flags: { 'USER|NOHOLES': 1 } },
  unwire: { count: 1, bytes: 4096, flags: { 'USER|NOHOLES': 1 } },
};

describe('inspect figures against a constructed trace', () => {
  it('rows, duration, tasks, ops by kind and flags, footprint, bytes written, top-K msyncs, rate buckets', async () => {
    const path = await writeTrace(ROWS);
    const r = await inspectTrace(path, { topK: 3, maxBuckets: 4, initialBucketUs: 10 });
    expect(r.trace).toBe(path);
    expect(r.rows).toBe(15);
    expect(r.time_us).toEqual({ first: 0, last: 70, duration: 70 });
    expect(r.tasks).toEqual({ count: 2, exact: true, rows: { a: 11, b: 4 }, other_rows: 0 });
    expect(r.ops).toEqual(EXPECTED_OPS);
    expect(r.footprint).toEqual({
      page_size: 4096, pages: PAGES, bytes: PAGES * 4096, written_pages: WRITTEN_PAGES, written_bytes: WRITTEN_PAGES * 4096,
      exact: true, method: 'bitmap', relative_standard_error: 0,
    });
    expect(r.written).toEqual({ writes: 5, bytes: WRITTEN_BYTES });
    // largest first; equal lengths in file order
    expect(r.largest_msyncs).toEqual([
      { t_us: 20, task: 'a', addr: '0x100000', len: 0x100000, flags: 'SYNC', line: 10 },
      { t_us: 30, task: 'b', addr: '0x100000', len: 0x10000, flags: 'ASYNC', line: 12 },
      { t_us: 50, task: 'b', addr: '0x100000', len: 0x10000, flags: 'ASYNC', line: 16 },
    ]);
    // 4 buckets of 10 µs cannot hold 70 µs: merged pairwise once into buckets of 20 µs
    expect(r.write_rate).toEqual({
      start_us: 0,
      bucket_us: 20,
      buckets: [
        { t_us: 0, span_us: 20, writes: 3, bytes: 8292, bytes_per_s: 414_600_000, msyncs: 0 },
        { t_us: 20, span_us: 20, writes: 1, bytes: 0, bytes_per_s: 0, msyncs: 3 },
        { t_us: 40, span_us: 20, writes: 1, bytes: 0x20000, bytes_per_s: 6_553_600_000, msyncs: 1 },
        // the trace ends at 70 µs: the last bucket covers 10 of its 20
        { t_us: 60, span_us: 10, writes: 0, bytes: 0, bytes_per_s: 0, msyncs: 0 },
      ],
    });
  });

  it('the last bucket\'s rate is over the part of it the trace covers, not its whole width (a steady writer shows no drop at the end)', () => {
    const s = new TraceStats({ maxBuckets: 4, initialBucketUs: 100 });
    // 1000 bytes every 10 µs from 0 to 250 µs: buckets of 100 µs, the last covering 50 µs
    for (let t = 0; t <= 250; t += 10) s.add({ line: 3, tNs: us(t), task: 'w', op: 'write', addr: 0, len: 1000, flags: 0, object: '', offset: 0 });
    const b = s.report('x').write_rate.buckets;
    expect(b.map((x) => [x.t_us, x.span_us, x.bytes])).toEqual([[0, 100, 10_000], [100, 100, 10_000], [200, 50, 6000]]);
    expect(b.map((x) => x.bytes_per_s)).toEqual([1e8, 1e8, 1.2e8]);
  });

  it('buckets start at the first row, and merge again as the trace grows', () => {
    const s = new TraceStats({ maxBuckets: 2, initialBucketUs: 1 });
    // first row at 1000 µs; the last at 1000 + 13: 2 buckets must cover 14 µs -> width 8 µs
    for (const [t, len] of [[1000, 10], [1003, 20], [1009, 40], [1013, 80]] as const) {
      s.add({ line: 3, tNs: us(t), task: 'w', op: 'write', addr: 0, len, flags: 0, object: '', offset: 0 });
    }
    const r = s.report('x');
    expect(r.write_rate.start_us).toBe(1000);
    expect(r.write_rate.bucket_us).toBe(8);
    expect(r.write_rate.buckets.map((b) => [b.t_us, b.writes, b.bytes])).toEqual([[1000, 2, 30], [1008, 2, 120]]);
  });

  it('a page size other than 4096', async () => {
    const r = await inspectTrace(await writeTrace(ROWS), { pageSize: 65536 });
    // a: 0x100000..0x101800 -> page 16; 0x104000..0x106000 -> page 16; 0x110000..0x130000 -> 17, 18; b: 16
    expect([r.footprint.pages, r.footprint.written_pages]).toEqual([4, 4]);
    expect(r.footprint.bytes).toBe(4 * 65536);
  });
});

describe('bounded counters', () => {
  it('DistinctPageCounter is exact below its bound, across word and chunk edges and tasks', () => {
    const c = new DistinctPageCounter(4);
    c.addRange(0, 30, 70); // 40 pages
    c.addRange(0, 60, 100); // 30 new
    c.addRange(0, 31, 33); // none new
    c.addRange(0, 5, 5); // empty
    c.addRange(1, 0, 4096 * 2 + 5); // another task: 8197 pages over 3 chunks
    expect(c.count()).toBe(70 + 8197);
    expect(c.exact).toBe(true);
    // a fifth chunk passes the bound: HyperLogLog from then on, seeded with every page so far
    c.addRange(2, 1e9, 1e9 + 1);
    expect(c.exact).toBe(false);
    expect(c.relativeStandardError).toBeCloseTo(1.04 / 128, 6);
    expect(Math.abs(c.count() - 8268) / 8268).toBeLessThan(0.03);
  });

  it('past the bound the estimate stays within 3 % (about 4 standard errors) of the truth', () => {
    const c = new DistinctPageCounter(16);
    // 50,000 distinct pages, each in its own chunk, every one added twice
    for (let rep = 0; rep < 2; rep++) for (let i = 0; i < 50_000; i++) c.addRange(i % 3, i * 5000, i * 5000 + 1);
    expect(c.exact).toBe(false);
    expect(Math.abs(c.count() - 50_000) / 50_000).toBeLessThan(0.03);
  });

  it('TopK keeps the k best of a stream', () => {
    const rng = new RandomStream(7, 'test.topk');
    const xs = Array.from({ length: 5000 }, () => rng.nextU32() % 1000);
    const top = new TopK<number>(25, (a, b) => a > b);
    for (const v of xs) top.push(v);
    expect(top.sorted()).toEqual([...xs].sort((a, b) => b - a).slice(0, 25));
    const none = new TopK<number>(0, (a, b) => a > b);
    none.push(1);
    expect(none.sorted()).toEqual([]);
  });

  it('tasks past maxTasks: rows counted as other, the count estimated', () => {
    const s = new TraceStats({ maxTasks: 2 });
    for (const task of ['t1', 't2', 't3', 't4', 't1']) s.add({ line: 3, tNs: 0, task, op: 'read', addr: 0, len: 1, flags: 0, object: '', offset: 0 });
    const r = s.report('x');
    expect(r.tasks.rows).toEqual({ t1: 2, t2: 1 });
    expect(r.tasks.other_rows).toBe(2);
    expect(r.tasks.exact).toBe(false);
    expect(r.tasks.count).toBe(4); // HyperLogLog is exact-ish (linear counting) for so few
    expect(r.footprint.exact).toBe(false); // t3 and t4 share hashed ids
  });
});

describe('syncsim inspect', () => {
  it('--json prints exactly one JSON object with the figures', async () => {
    const path = await writeTrace(ROWS);
    const r = await syncsimHere(['inspect', path, '--json', '--top', '2'], ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['trace', 'rows', 'time_us', 'tasks', 'ops', 'footprint', 'written', 'write_rate', 'largest_msyncs']);
    expect(j.rows).toBe(15);
    expect(j.ops).toEqual(EXPECTED_OPS);
    expect([j.footprint.pages, j.footprint.written_pages]).toEqual([PAGES, WRITTEN_PAGES]);
    expect(j.largest_msyncs.map((m: { line: number }) => m.line)).toEqual([10, 12]);
    // default buckets: 1 µs wide from the first row, 71 of them for 70 µs
    expect(j.write_rate.bucket_us).toBe(1);
    expect(j.write_rate.buckets.length).toBe(71);
    expect(j.write_rate.buckets.reduce((a: number, b: { bytes: number }) => a + b.bytes, 0)).toBe(WRITTEN_BYTES);
    expect(j.write_rate.buckets[45]).toMatchObject({ t_us: 45, writes: 1, bytes: 0x20000 });
  }, 30_000);

  it('prints a readable table by default; --help; bad input exits 2 with a message', async () => {
    const path = await writeTrace(ROWS);
    const r = await syncsimHere(['inspect', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`trace      ${path} (15 rows)`);
    expect(r.stdout).toMatch(/^tasks\s+2: a 11, b 4$/m);
    expect(r.stdout).toMatch(/^ {2}msync\s+4 rows, .*flags: SYNC 1, ASYNC 2, SYNC\|INVALIDATE 1$/m);
    expect(r.stdout).toMatch(/^footprint\s+37 pages \(148\.0 KiB\) written or read, 35 pages \(140\.0 KiB\) written, counted per task \(a page two tasks touch counts twice\); 4096-byte pages, exact$/m);
    expect(r.stdout).toMatch(/^largest msyncs$/m);
    expect(r.stdout).toMatch(/^ +1048576 +0x100000 +SYNC +a +20 +10$/m);

    const h = await syncsimHere(['inspect', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: syncsim inspect TRACE/);
    expect(h.stdout).toContain('HyperLogLog');

    const bad = join(tmp(), 'bad.csv');
    writeFileSync(bad, '# syncsim-trace v1\nt_us,op,addr,len\n0,write,0x1000,4096\n5,scribble,0x1000,4096\n');
    const b = await syncsimHere(['inspect', bad, '--json']);
    expect(b.code).toBe(2);
    expect(b.stdout).toBe('');
    expect(b.stderr).toBe(`syncsim: ${bad}:4: column op: unknown op (expected one of map, unmap, write, read, msync, wire, unwire) (got 'scribble')\n`);
    expect((await syncsimHere(['inspect', join(tmp(), 'missing.csv')])).code).toBe(2);
    expect((await syncsimHere(['inspect', path, '--buckets', '3'])).stderr).toMatch(/--buckets expects an even integer from 2 to 1,000,000 \(got '3'\)/);
    expect((await syncsimHere(['inspect'])).stderr).toMatch(/inspect expects one TRACE argument/);
  });
});

describe('syncsim inspect --buckets: the lines of the write-rate table', () => {
  /** A write of 4 KiB every 16 µs from 0 to 8,176 µs (512 writes): 8,177 µs, which 2^k buckets of 8192 / 2^k µs cover. */
  const steady = () => writeTrace([
    { tNs: 0, task: 'a', op: 'map', addr: 0x100000, len: 0x100000, object: 'f' },
    ...Array.from({ length: 512 }, (_, i): RowInput => ({ tNs: us(16 * i), task: 'a', op: 'write', addr: 0x100000 + (i % 256) * 4096, len: 4096 })),
  ]);
  /** The write-rate section of a table: its title and its data lines. */
  const rateOf = (stdout: string) => {
    const lines = stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('write rate ('));
    const end = lines.indexOf('', at);
    const rows = lines.slice(at + 2, end).map((l) => l.trim().split(/\s+/).map(Number));
    return { title: lines[at], rows };
  };

  it('gives the table a line per bucket: 8 and 16 asked, 8 and 16 lines, 1,024 and 512 µs wide (the reviewer saw 12 lines whatever was asked)', async () => {
    const path = await steady();
    for (const [n, width] of [[8, 1024], [16, 512]]) {
      const r = await syncsimHere(['inspect', path, '-q', '--buckets', String(n)]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const { title, rows } = rateOf(r.stdout);
      expect(title).toBe(`write rate (${n} buckets of ${width} µs)`);
      expect(rows.map((x) => x[0])).toEqual(Array.from({ length: n }, (_, i) => i * width));
      // a write every 16 µs: width / 16 writes a bucket, the last one too (8,176 µs is a bucket's last write)
      expect(rows.map((x) => x[1])).toEqual(Array(n).fill(width / 16));
    }
  });

  it('without --buckets groups the 1,024 buckets into at most 12 lines, as before', async () => {
    const r = await syncsimHere(['inspect', await steady(), '-q']);
    const { title, rows } = rateOf(r.stdout);
    // 8,177 µs in buckets of 8 µs: 1,023 of them, 86 to a line
    expect(title).toBe('write rate (12 buckets of 688 µs)');
    expect(rows.length).toBe(12);
    expect(rows.reduce((a, x) => a + x[1]!, 0)).toBe(512);
  });

  it('caps the table at 256 lines, grouping the buckets to fit, and says so on stderr (--json lists each)', async () => {
    const path = await steady();
    const r = await syncsimHere(['inspect', path, '-q', '--buckets', '600']);
    expect(r.code).toBe(0);
    const { title, rows } = rateOf(r.stdout);
    // 600 buckets: 16 µs wide, 512 of them filled, 2 to a line
    expect(title).toBe('write rate (256 buckets of 32 µs)');
    expect(rows.length).toBe(256);
    expect(rows.every((x) => x[1] === 2)).toBe(true);
    expect(r.stderr).toBe('syncsim: note: --buckets 600: the trace filled 512 buckets of 16 µs; the table shows them 2 to a line, in 256 lines (it has at most 256; --json lists every bucket)\n');
    const j = await syncsimHere(['inspect', path, '-q', '--buckets', '600', '--json']);
    expect(j.stderr).toBe('');
    expect(JSON.parse(j.stdout).write_rate.buckets.length).toBe(512);
  });
});

describe('syncsim inspect of a binary trace cache', () => {
  it('gives the figures of the trace it was made from; a damaged cache exits 2 naming the file', async () => {
    const path = await writeTrace(ROWS);
    const sst = join(tmp(), 'trace.sst');
    const conv = await syncsimHere(['convert', path, '-o', sst]);
    expect(conv.code, conv.stderr).toBe(0);
    const fromCsv = JSON.parse((await syncsimHere(['inspect', path, '--json'])).stdout);
    const r = await syncsimHere(['inspect', sst, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fromCache = JSON.parse(r.stdout);
    expect(fromCache.trace).toBe(sst);
    expect({ ...fromCache, trace: path }).toEqual(fromCsv);

    // one byte of the first block's payload changed: its checksum no longer matches
    const bytes = readFileSync(sst);
    bytes[HEADER_BYTES + BLOCK_HEADER_BYTES + 5] ^= 0xff;
    const bad = join(tmp(), 'damaged.sst');
    writeFileSync(bad, bytes);
    const b = await syncsimHere(['inspect', bad, '--json']);
    expect(b.code).toBe(2);
    expect(b.stdout).toBe('');
    expect(b.stderr).toContain(bad);
    expect(b.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('inspect memory', () => {
  /** Streams a trace of `n` rows straight to a file: 2 tasks, sparse one-page writes, an msync every 100 rows. */
  function generate(path: string, n: number): { truth: number; maxMsync: number } {
    const d = n / 4;
    const fd = openSync(path, 'w');
    let buf = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n';
    // the distinct (task, page) pairs written: page k·4097 of task t is bit t·d + k (k < d), counted
    // exactly without a set of a million numbers (which took seconds of the test)
    const seen = new Uint8Array(2 * d);
    let truth = 0;
    let maxMsync = 0;
    for (let i = 0; i < n; i++) {
      const task = i % 2;
      if (i % 100 === 99) {
        const len = (((i * 7919) % 1000003) + 1) * 4096;
        maxMsync = Math.max(maxMsync, len);
        buf += `${i},t${task},msync,0x10000000,${len},SYNC,,\n`;
      } else {
        const k = (i >> 1) % d, page = k * 4097;
        if (seen[task * d + k] === 0) {
          seen[task * d + k] = 1;
          truth++;
        }
        buf += `${i},t${task},write,0x${(page * 4096).toString(16)},4096,,,\n`;
      }
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf);
    closeSync(fd);
    return { truth, maxMsync };
  }

  /**
   * The code the probe runs: the compiled dist/ when it is up to date with the sources (as the syncsim
   * command chooses, scripts/launch.mjs), else the sources through tsx (whose loading cost the probe
   * about half a second of CPU more, twice in the test).
   */
  const compiled = chooseEntry(ROOT).compiled;
  const PROBE = `
import { inspectTrace } from ${JSON.stringify(compiled ? join(ROOT, 'dist', 'traces', 'inspect.js') : join(ROOT, 'traces', 'inspect.ts'))};
const gc = globalThis.gc; // plain JavaScript, run as .mjs or through tsx as .mts
gc();
const base = process.memoryUsage();
let peak = base.rss;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
const r = await inspectTrace(process.argv[2]);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
gc();
const after = process.memoryUsage();
console.log(JSON.stringify({ rows: r.rows, pages: r.footprint.pages, exact: r.footprint.exact, top: r.largest_msyncs[0].len,
  writes: r.ops.write.count, growth: (peak - base.rss) / 2 ** 20, retained: (after.heapUsed - base.heapUsed) / 2 ** 20 }));
`;

  /** Runs inspect on `trace` in a child whose old generation is capped at `heapMiB`. */
  function probe(dir: string, trace: string, heapMiB: number) {
    const script = join(dir, compiled ? 'probe.mjs' : 'probe.mts');
    writeFileSync(script, PROBE);
    const r = spawnSync(process.execPath, ['--expose-gc', `--max-old-space-size=${heapMiB}`, ...(compiled ? [] : ['--import', 'tsx']), script, trace], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { rows: number; pages: number; exact: boolean; top: number; writes: number; growth: number; retained: number };
  }

  it('2,000,000 rows: memory does not grow with the trace, figures still right', () => {
    const dir = tmp();
    const small = join(dir, 'small.csv'), big = join(dir, 'big.csv');
    const gs = generate(small, 200_000);
    const gb = generate(big, 2_000_000);
    // The old generation is capped at 24 MiB for both runs. An exact set of the big trace's
    // ~990,000 pages, kept as well, does not fit under a 32 MiB cap (V8 aborts), so passing the cap is the proof
    // that inspect's memory does not grow with the trace. Peak RSS is only bounded loosely:
    // it depends on when V8 collects, and varied by 40 MiB between runs of the same code.
    const s = probe(dir, small, 24);
    const b = probe(dir, big, 24);
    expect(b.rows).toBe(2_000_000);
    expect(b.writes).toBe(2_000_000 - 20_000);
    expect(b.top).toBe(gb.maxMsync);
    // ~990,000 distinct pages spread one per chunk: past the exact bound, HyperLogLog
    expect(b.exact).toBe(false);
    expect(Math.abs(b.pages - gb.truth) / gb.truth).toBeLessThan(0.03);
    expect(Math.abs(s.pages - gs.truth) / gs.truth).toBeLessThan(0.03);
    // ten times the rows, the same memory: the state kept at the end (heap after GC) is a few MiB
    expect(b.growth).toBeLessThan(160);
    expect(s.growth).toBeLessThan(160);
    expect(b.retained).toBeLessThan(8);
  }, 90_000);
});

describe('syncsim inspect --page-size', () => {
  it('takes a page size as page_size does (a power of two from 512 bytes), not 3-byte pages', async () => {
    const demo = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
    for (const v of ['3', '1000', '256']) {
      const r = await syncsimHere(['inspect', demo, '--page-size', v]);
      expect(r.code, v).toBe(2);
      expect(r.stderr).toBe(`syncsim: --page-size expects a power of two from 512 to 1073741824 bytes, as page_size (got '${v}')\n`);
    }
    expect((await syncsimHere(['inspect', demo, '--page-size', '16384', '--json'])).code).toBe(0);
  });
});
