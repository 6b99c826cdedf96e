/**
 * Workload presets (workloads/presets): determinism, parameter validation, and statistical
 * checks that each generator's output follows its parameters (rates, Zipf slope, msync periods,
 * group commit, wiring, overlapping windows); plus the traces are valid and replay.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearRegression } from 'simple-statistics';
import { PRESETS, ParamError, PresetError, findPreset, generate, generateToFile } from '../workloads/presets/index.ts';
import { ZipfSampler, zipfPages } from '../workloads/presets/zipf.ts';
import { mergeByTime } from '../workloads/presets/merge.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { Flag, type TraceRow } from '../traces/types.ts';
import { formatRow, type RowInput } from '../traces/writer.ts';
import { readTrace } from '../traces/reader.ts';
import { simulate } from './helpers.ts';

const A = 0x10000000;
const MiB = 1 << 20;
const ALL = ['seq-writer', 'random-writer', 'db-checkpoint', 'wal-append', 'wired-pool', 'shared-object'];

const rowsOf = (preset: string, params: Record<string, unknown> = {}, seed = 1): RowInput[] => [...generate(preset, params, seed)];
const csv = (rows: RowInput[]): string => rows.map((r) => formatRow(r)).join('');
const short = { duration_s: 0.2 };
const writes = (rows: RowInput[]) => rows.filter((r) => r.op === 'write');
const msyncs = (rows: RowInput[]) => rows.filter((r) => r.op === 'msync');

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** A value each kind of parameter rejects, and the text it shows as 'got'. */
const BAD_VALUE: Record<string, string> = { number: 'abc', integer: '1.5', size: '12Q', 'msync-flags': 'SYNC|NOPE', choice: 'nope' };

describe('preset registry', () => {
  it('has every preset of the issue, each with duration_s, and their defaults are valid', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(ALL);
    for (const p of PRESETS) {
      expect(Object.keys(p.schema)).toContain('duration_s');
      expect(Object.keys(p.schema)).toContain('tasks');
      expect(p.summary.length).toBeGreaterThan(10);
      expect(() => generate(p.name)).not.toThrow();
    }
  });

  it('an unknown preset is a PresetError listing the presets', () => {
    const e = thrown(() => generate('nope'));
    expect(e).toBeInstanceOf(PresetError);
    expect(e.message).toBe(`unknown preset 'nope' (presets: ${ALL.join(', ')})`);
    // a misspelt name gets the closest one (a new user typed seq-write for seq-writer)
    expect(() => findPreset('seq-write')).toThrow(`unknown preset 'seq-write'; did you mean seq-writer? (presets: ${ALL.join(', ')})`);
  });

  it('streams: the first rows of a 10^6-second trace come without making the rest', () => {
    // 5 * 10^8 writes: under the row limit of a generated trace (MAX_GEN_ROWS). A generator that made its
    // rows up front would not return them before the test's time limit (nor fit in memory): no clock is read
    const it = generate('random-writer', { duration_s: 1e6, rate: 500, dist: 'zipf', footprint: '1T' });
    let last = -1;
    for (let i = 0; i < 1000; i++) {
      const r = it.next();
      expect(r.done).toBe(false);
      expect(r.value.tNs).toBeGreaterThanOrEqual(last); // in time order, from the trace's start
      last = r.value.tNs;
    }
    expect(last).toBeLessThan(10e9); // 1000 rows at 500 a second: the first two seconds or so
  });
});

describe.each(ALL)('%s', (name) => {
  const schema = PRESETS.find((p) => p.name === name)!.schema;

  it('same seed gives identical rows, another seed different rows', () => {
    const a = csv(rowsOf(name, short, 7));
    expect(csv(rowsOf(name, short, 7))).toBe(a);
    expect(csv(rowsOf(name, short, 8))).not.toBe(a);
    expect(a.split('\n').length).toBeGreaterThan(50);
  });

  it('rows are valid and in time order; the trace reads back and replays without errors of the trace', async () => {
    const rows = rowsOf(name, short, 3);
    // the rows earlier than the row before them: none (one assertion over the rows, not an expect each)
    expect(rows.flatMap((r, i) => (i > 0 && !(r.tNs >= rows[i - 1].tNs) ? [`row ${i}: ${r.tNs} after ${rows[i - 1].tNs}`] : []))).toEqual([]);
    const path = join(mkdtempSync(join(tmpdir(), 'syncsim-gen-')), `${name}.csv.gz`);
    expect(await generateToFile(path, name, short, 3)).toBe(rows.length);
    const read: TraceRow[] = [];
    for await (const batch of readTrace(path)) read.push(...batch);
    expect(read.map((r) => formatRow(r)).join('')).toBe(csv(rows));
    const o = simulate(read, { personality: 'freebsd' });
    const ops = o.result.ops as Record<string, number>;
    expect(ops.write).toBe(writes(rows).length);
    expect(ops.msync).toBe(msyncs(rows).length);
    expect(o.result.faults.unmapped_write).toBe(0);
  });

  it('every parameter rejects a bad value with a message naming the key', () => {
    for (const [key, spec] of Object.entries(schema)) {
      const bad = BAD_VALUE[spec.kind];
      const e = thrown(() => generate(name, { [key]: bad }));
      expect(e).toBeInstanceOf(ParamError);
      expect((e as ParamError).key).toBe(key);
      expect(e.message).toMatch(new RegExp(`^parameter '${key}' of preset '${name}': must .* \\(got '${bad.replace('|', '\\|')}'\\)$`));
    }
    const e = thrown(() => generate(name, { duration_s: 0 }));
    expect(e.message).toBe(`parameter 'duration_s' of preset '${name}': must be a positive number of at most 1000000 (got '0')`);
    const u = thrown(() => generate(name, { sync_evry: 3 }));
    expect(u).toBeInstanceOf(ParamError);
    expect(u.message).toMatch(new RegExp(`^preset '${name}' has no parameter 'sync_evry' \\(its parameters: duration_s, tasks, `));
    // the parameter it is closest to ends the message, for every caller of the presets (gen, a sweep's trace.set, the library)
    expect(thrown(() => generate(name, { duraton_s: 3 })).message).toMatch(/\(its parameters: duration_s, .*\); did you mean duration_s\?$/);
    // nothing close: the message ends with the list
    expect(thrown(() => generate(name, { zzzzzzzz: 3 })).message).toMatch(/\)$/);
  });

  it(`write rate is within 5% of rate × tasks`, () => {
    // 2 tasks × 2000/s × 5 s = 20000 writes: Poisson sd 0.7%
    const p = { duration_s: 5, rate: 2000, tasks: 2 };
    const n = writes(rowsOf(name, p, 11)).length;
    expect(Math.abs(n / (5 * 2000 * 2) - 1)).toBeLessThan(0.05);
    // fixed arrivals: exactly floor-ish of rate × duration per task
    const f = writes(rowsOf(name, { ...p, arrival: 'fixed' }, 11)).length;
    expect(Math.abs(f - 2 * 2000 * 5)).toBeLessThanOrEqual(2);
  });
});

describe('parameter values', () => {
  it('the issue example: rate=abc on seq-writer', () => {
    expect(thrown(() => generate('seq-writer', { rate: 'abc' })).message).toBe("parameter 'rate' of preset 'seq-writer': must be a positive number (got 'abc')");
  });

  it('sizes take K/M/G suffixes, flags take aliases, numbers come as strings or numbers', () => {
    const rows = rowsOf('seq-writer', { footprint: '2M', write_size: '8k', sync_flags: 'MS_SYNC|MS_INVALIDATE', sync_interval_us: '1e4', duration_s: 0.05 });
    expect(rows[0]).toMatchObject({ op: 'map', len: 2 * MiB });
    expect(writes(rows)[0].len).toBe(8192);
    expect(msyncs(rows)[0].flags).toBe(Flag.SYNC | Flag.INVALIDATE);
    expect(rowsOf('seq-writer', { duration_s: '0.05' })).toEqual(rowsOf('seq-writer', { duration_s: 0.05 }));
    expect(msyncs(rowsOf('seq-writer', { sync_flags: '', duration_s: 0.05 }))[0].flags).toBe(0);
  });

  it('checks between parameters name the key', () => {
    expect(thrown(() => generate('seq-writer', { footprint: 5000 })).message).toBe("parameter 'footprint' of preset 'seq-writer': must be a multiple of page_size 4096 (got '5000')");
    expect(thrown(() => generate('random-writer', { footprint: '64K', write_size: '1M' })).message).toBe("parameter 'write_size' of preset 'random-writer': must not exceed footprint (65536 bytes) (got '1048576')");
    expect(thrown(() => generate('wal-append', { record_min: 1000, record_max: 100 })).message).toBe("parameter 'record_max' of preset 'wal-append': must be at least record_min (1000) (got '100')");
    expect((thrown(() => generate('wal-append', { footprint: '16K', group_commit: 8, record_max: 2048 })) as ParamError).key).toBe('footprint');
    expect((thrown(() => generate('shared-object', { tasks: 1 })) as ParamError).key).toBe('tasks');
    expect((thrown(() => generate('wired-pool', { page_size: 3000 })) as ParamError).key).toBe('page_size');
    expect(thrown(() => generate('seq-writer', {}, -1))).toBeInstanceOf(PresetError);
  });
});

describe('seq-writer', () => {
  it('writes sequentially through its mapping and wraps at the end', () => {
    const rows = rowsOf('seq-writer', { footprint: '64K', write_size: '16K', rate: 1000, arrival: 'fixed', duration_s: 0.0105, sync_interval_us: 0 });
    expect(rows[0]).toMatchObject({ tNs: 0, task: 'w0', op: 'map', addr: A, len: 65536, object: 'seq.0.dat' });
    // fixed arrivals at 1, 2, ... 10 ms: offsets 0, 16K, 32K, 48K, 0, ...
    expect(writes(rows).map((r) => [r.tNs, r.addr - A])).toEqual(Array.from({ length: 10 }, (_, i) => [(i + 1) * 1e6, (i % 4) * 16384]));
  });

  it('msync every T µs: at T, 2T, ... of the whole mapping (range map) or of what was written since (range written)', () => {
    const T = 2500;
    const map = rowsOf('seq-writer', { sync_interval_us: T, sync_range: 'map', duration_s: 1, sync_flags: 'ASYNC' });
    expect(msyncs(map).map((r) => r.tNs)).toEqual(Array.from({ length: 400 }, (_, k) => (k + 1) * T * 1000));
    expect(msyncs(map).every((r) => r.addr === A && r.len === 64 * MiB && r.flags === Flag.ASYNC)).toBe(true);

    const rows = rowsOf('seq-writer', { sync_interval_us: T, duration_s: 1, footprint: '1G' });
    let pending: RowInput[] = [];
    let checked = 0;
    for (const r of rows) {
      if (r.op === 'write') pending.push(r);
      if (r.op !== 'msync') continue;
      expect(r.tNs % (T * 1000)).toBe(0);
      const lo = pending[0].addr, hi = pending[pending.length - 1].addr + pending[pending.length - 1].len;
      expect(r.addr).toBe(lo - (lo % 4096));
      expect(r.addr + r.len).toBe(hi);
      pending = [];
      checked++;
    }
    expect(checked).toBeGreaterThan(390); // ~5 writes per 2.5 ms at 2000/s: almost every tick has some
  });

  it('msync every N writes, at the time of the N-th, per task', () => {
    const rows = rowsOf('seq-writer', { sync_every: 7, sync_interval_us: 0, tasks: 3, duration_s: 1 });
    for (const task of ['w0', 'w1', 'w2']) {
      const mine = rows.filter((r) => r.task === task);
      let n = 0;
      for (let i = 0; i < mine.length; i++) {
        if (mine[i].op === 'write') n++;
        if (mine[i].op === 'msync') {
          expect(n).toBe(7);
          expect(mine[i - 1].op).toBe('write');
          expect(mine[i].tNs).toBe(mine[i - 1].tNs);
          n = 0;
        }
      }
      expect(n).toBeLessThan(7);
      expect(mine[0]).toMatchObject({ op: 'map', object: `seq.${task.slice(1)}.dat` });
    }
  });
});

/** Slope of log(count) on log(rank) over the `top` most written pages. */
function rankFrequencySlope(rows: RowInput[], top: number): number {
  const counts = new Map<number, number>();
  for (const r of writes(rows)) counts.set(r.addr, (counts.get(r.addr) ?? 0) + 1);
  const sorted = [...counts.values()].sort((a, b) => b - a).slice(0, top);
  return linearRegression(sorted.map((c, i) => [Math.log(i + 1), Math.log(c)])).m;
}

describe('random-writer and db-checkpoint page popularity', () => {
  it.each([0.7, 1.0, 1.3])('Zipf(%f): rank-frequency slope ≈ −θ over the top 50 ranks', (theta) => {
    // 300,000 writes over 16384 pages
    const rows = rowsOf('random-writer', { dist: 'zipf', theta, rate: 100000, duration_s: 3, sync_every: 0 }, 5);
    expect(rankFrequencySlope(rows, 50)).toBeCloseTo(-theta, 1);
  });

  it('db-checkpoint Zipf(0.99) by default', () => {
    const rows = rowsOf('db-checkpoint', { rate: 100000, duration_s: 3 }, 5);
    expect(rankFrequencySlope(rows, 50)).toBeCloseTo(-0.99, 1);
  });

  it('uniform: every page about equally often, all writes page aligned inside the mapping', () => {
    const rows = rowsOf('random-writer', { footprint: '256K', rate: 64000, duration_s: 1, sync_every: 0 });
    const counts = new Array<number>(64).fill(0);
    for (const r of writes(rows)) counts[(r.addr - A) / 4096]++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(writes(rows).length); // every write on one of the 64 page starts
    // 1000 expected per page, sd ≈ 32
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1150);
  });

  it('multi-page writes stay inside the mapping', () => {
    const rows = rowsOf('random-writer', { footprint: '64K', write_size: 10000, dist: 'zipf', theta: 0.5, duration_s: 0.5 });
    expect(writes(rows).filter((r) => r.addr + r.len > A + 65536)).toEqual([]);
    expect(new Set(writes(rows).map((r) => r.addr)).size).toBe(14); // start pages 0..13: 10000 bytes span 3 pages
  });

  it('random-writer msyncs the whole mapping every sync_every writes', () => {
    const rows = rowsOf('random-writer', { sync_every: 100, duration_s: 1 });
    const gaps: number[] = [];
    let n = 0;
    for (const r of rows) {
      if (r.op === 'write') n++;
      if (r.op === 'msync') {
        gaps.push(n);
        n = 0;
      }
    }
    expect(gaps).toEqual(new Array(Math.floor(writes(rows).length / 100)).fill(100));
    expect(msyncs(rows).every((r) => r.addr === A && r.len === 16 * MiB && r.flags === Flag.SYNC)).toBe(true);
  });

  it('db-checkpoint: db0 msyncs the whole shared file every checkpoint interval; the other tasks only write', () => {
    const rows = rowsOf('db-checkpoint', { tasks: 3, checkpoint_interval_us: 250000, duration_s: 2 });
    expect(rows.filter((r) => r.op === 'map').map((r) => [r.task, r.object])).toEqual([['db0', 'db.data'], ['db1', 'db.data'], ['db2', 'db.data']]);
    expect(msyncs(rows).map((r) => [r.task, r.tNs, r.addr, r.len, r.flags])).toEqual(
      Array.from({ length: 8 }, (_, k) => ['db0', (k + 1) * 250e6, A, 64 * MiB, Flag.SYNC]));
    expect(new Set(writes(rows).map((r) => r.task))).toEqual(new Set(['db0', 'db1', 'db2']));
  });
});

describe('wal-append', () => {
  it('group commit: one msync per K transactions, over the tail they wrote, page aligned, by the last writer', () => {
    const K = 5;
    const rows = rowsOf('wal-append', { group_commit: K, duration_s: 2 });
    let group: RowInput[] = [];
    let commits = 0;
    let tail = A;
    for (const r of rows.slice(4)) {
      if (r.op === 'write') {
        expect(r.addr).toBe(tail); // appends
        expect(r.len).toBeGreaterThanOrEqual(256);
        expect(r.len).toBeLessThanOrEqual(2048);
        tail += r.len;
        group.push(r);
        continue;
      }
      expect(r.op).toBe('msync');
      expect(group.length).toBe(K);
      const lo = group[0].addr, last = group[K - 1];
      expect(r).toMatchObject({ tNs: last.tNs, task: last.task, addr: lo - (lo % 4096), len: last.addr + last.len - (lo - (lo % 4096)), flags: Flag.SYNC });
      group = [];
      commits++;
    }
    expect(group.length).toBeLessThan(K);
    expect(commits).toBe(Math.floor(writes(rows).length / K));
    expect(new Set(writes(rows).map((r) => r.task))).toEqual(new Set(['txn0', 'txn1', 'txn2', 'txn3']));
    expect(rows.slice(0, 4).every((r) => r.op === 'map' && r.object === 'wal.log')).toBe(true);
  });

  it('the log wraps: a commit across the end msyncs both pieces at once', () => {
    const rows = rowsOf('wal-append', { footprint: '64K', record_min: 1000, record_max: 1000, group_commit: 4, tasks: 1, duration_s: 0.2 });
    // 65 records fit before the end (65,000 bytes), the 66th goes to offset 0; records 64..67 (from 0) form one group
    const w = writes(rows);
    expect(w[64].addr).toBe(A + 64000);
    expect(w[65].addr).toBe(A);
    const commit = msyncs(rows).filter((r) => r.tNs === w[67].tNs);
    expect(commit.map((r) => [r.addr, r.len])).toEqual([[A + 61440, 65000 - 61440], [A, 3000]]);
  });
});

describe('wired-pool', () => {
  it('wires the pool USER|NOHOLES first, writes inside it, msyncs it periodically and unwires it at the end', () => {
    const rows = rowsOf('wired-pool', { tasks: 2, duration_s: 1, sync_interval_us: 200000 });
    for (const task of ['pool0', 'pool1']) {
      const mine = rows.filter((r) => r.task === task);
      expect(mine[0]).toMatchObject({ tNs: 0, op: 'map', addr: A, len: 4 * MiB });
      expect(mine[1]).toMatchObject({ tNs: 0, op: 'wire', addr: A, len: 4 * MiB, flags: Flag.USER | Flag.NOHOLES });
      expect(mine[mine.length - 1]).toMatchObject({ tNs: 1e9, op: 'unwire', addr: A, len: 4 * MiB, flags: Flag.USER | Flag.NOHOLES });
      expect(msyncs(mine).map((r) => r.tNs)).toEqual([200e6, 400e6, 600e6, 800e6, 1000e6]);
      expect(writes(mine).filter((r) => r.addr < A || r.addr + r.len > A + 4 * MiB)).toEqual([]);
    }
  });

  it('the INVALIDATE variant gets EBUSY on freebsd and linux; every msync succeeds with plain SYNC', () => {
    const toRows = (rows: RowInput[]): TraceRow[] => rows.map((r, i) => ({
      line: i + 3, tNs: r.tNs, task: r.task ?? '0', op: r.op, addr: r.addr, len: r.len, flags: r.flags ?? 0, object: r.object ?? '', offset: r.offset ?? 0,
    }));
    const inv = toRows(rowsOf('wired-pool', { duration_s: 0.3, rate: 500, sync_flags: 'SYNC|INVALIDATE' }));
    const plain = toRows(rowsOf('wired-pool', { duration_s: 0.3, rate: 500 }));
    for (const personality of ['freebsd', 'linux']) {
      expect(simulate(inv, { personality }).result.sync.errors).toEqual({ EBUSY: 3 });
      expect(simulate(plain, { personality }).result.sync.ok).toBe(3);
    }
  });
});

describe('shared-object', () => {
  it('N tasks map one object and msync overlapping windows at the same instants', () => {
    const N = 5;
    const rows = rowsOf('shared-object', { tasks: N, footprint: '12M', overlap: 0.5, sync_interval_us: 100000, duration_s: 1 });
    const tasks = Array.from({ length: N }, (_, i) => `s${i}`);
    expect(rows.slice(0, N).map((r) => [r.task, r.op, r.object, r.addr, r.len])).toEqual(tasks.map((t) => [t, 'map', 'shared.obj', A, 12 * MiB]));
    const byTime = new Map<number, RowInput[]>();
    for (const r of msyncs(rows)) byTime.set(r.tNs, [...(byTime.get(r.tNs) ?? []), r]);
    expect([...byTime.keys()]).toEqual(Array.from({ length: 10 }, (_, k) => (k + 1) * 100e6));
    for (const group of byTime.values()) {
      expect(group.map((r) => r.task)).toEqual(tasks);
      for (let i = 0; i + 1 < N; i++) {
        const a = group[i], b = group[i + 1];
        const shared = a.addr + a.len - b.addr;
        // windows of 12M / (1 + 4 × 0.5) = 4M, each starting 2M after the previous one
        expect(a.len).toBe(4 * MiB);
        expect(shared).toBe(2 * MiB);
      }
      expect(group[N - 1].addr + group[N - 1].len).toBeLessThanOrEqual(A + 12 * MiB);
    }
    // each task writes inside its own window
    const win = new Map(msyncs(rows).map((r) => [r.task, r]));
    const outside = writes(rows).filter((r) => {
      const w = win.get(r.task!)!;
      return r.addr < w.addr || r.addr + r.len > w.addr + w.len;
    });
    expect(outside).toEqual([]);
    expect(writes(rows).length).toBeGreaterThan(9000);
  });
});

describe('Zipf sampler', () => {
  it('matches the exact probabilities for a small n', () => {
    const n = 8, theta = 1.5, draws = 200000;
    const z = new ZipfSampler(n, theta);
    const rng = new RandomStream(1, 'test.zipf');
    const counts = new Array<number>(n + 1).fill(0);
    for (let i = 0; i < draws; i++) counts[z.sample(rng)]++;
    const norm = Array.from({ length: n }, (_, k) => (k + 1) ** -theta).reduce((a, b) => a + b, 0);
    for (let k = 1; k <= n; k++) {
      const p = k ** -theta / norm;
      const sd = Math.sqrt(draws * p * (1 - p));
      expect(Math.abs(counts[k] - draws * p)).toBeLessThan(5 * sd);
    }
    expect(counts[0]).toBe(0);
  });

  it('θ = 0 is uniform; huge n needs no table and stays in range', () => {
    const rng = new RandomStream(2, 'test.zipf');
    const z0 = new ZipfSampler(4, 0);
    const c = [0, 0, 0, 0, 0];
    for (let i = 0; i < 40000; i++) c[z0.sample(rng)]++;
    for (let k = 1; k <= 4; k++) expect(Math.abs(c[k] - 10000)).toBeLessThan(500);
    const pick = zipfPages(2 ** 31 - 1, 0.99, rng);
    // the picks outside the pages: none (one assertion over the 10,000 picks, not an expect each)
    expect(Array.from({ length: 10000 }, () => pick.next()).filter((p) => !(Number.isInteger(p) && p >= 0 && p < 2 ** 31 - 1))).toEqual([]);
  });

  it('scatters ranks over distinct pages (a bijection of the region)', () => {
    const n = 1000;
    const pick = zipfPages(n, 0.2, new RandomStream(3, 'test.zipf'));
    const seen = new Set<number>();
    for (let i = 0; i < 200000; i++) seen.add(pick.next());
    expect(seen.size).toBe(n);
  });
});

describe('mergeByTime', () => {
  it('interleaves sources by time, equal times in source order, each source in its own order', () => {
    const s = (tag: string, ts: number[]) => ts.map((tNs, i) => ({ tNs, id: `${tag}${i}` }));
    const out = [...mergeByTime([s('a', [0, 5, 5, 9]), s('b', [0, 1, 5]), s('c', []), s('d', [2])])].map((x) => x.id);
    expect(out).toEqual(['a0', 'b0', 'b1', 'd0', 'a1', 'a2', 'b2', 'a3']);
  });
});
