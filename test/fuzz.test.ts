/**
 * Seeded fuzzing of every input path: the example traces and the importer
 * fixtures, mutated (byte flips, truncations, inserted, deleted, duplicated
 * fields and lines, gzip and broken gzip). Every case must end as the CLI
 * would in success or a clean input error (exit 2) whose message starts with
 * `FILE:LINE: `, never an internal error (exit 1).
 *
 * Most cases run in-process through the functions the commands use, each
 * error classified with the CLI's own `exitCodeOf`; a small sample spawns the
 * real CLI and checks that an existing `--out` directory is untouched by a
 * failed run. Set SYNCSIM_FUZZ_SEED to replay another seed and
 * SYNCSIM_FUZZ_CASES for more mutated traces than the suite's 1000 (importer
 * inputs: a third as many); a failure prints the seed, the case number and the input.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { exitCodeOf } from '../scripts/exit-code.ts';
import { replayTrace } from '../scripts/commands/run.ts';
import { convertCommand } from '../scripts/commands/convert.ts';
import { importCommand } from '../scripts/commands/import.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { readTrace } from '../traces/reader.ts';
import { readCache } from '../traces/cache.ts';
import { inspectTrace } from '../traces/inspect.ts';
import { formatHeader, formatRow } from '../traces/writer.ts';
import type { TraceRow } from '../traces/types.ts';
import { traceFormatExample } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const SEED = Number(process.env.SYNCSIM_FUZZ_SEED ?? 1207);
const TRACE_CASES = Number(process.env.SYNCSIM_FUZZ_CASES ?? 1000);
const IMPORT_CASES = Math.ceil(TRACE_CASES / 3);
const CLI_CASES = 8;

const dir = mkdtempSync(join(tmpdir(), 'syncsim-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '', '0', '1', '-1', '7.5', '4096', '8192', '0x10000001', '0x10000000', '0x1000', '0x', '0xg', '9007199254740993', '1e5',
  '18446744073709551616', 'NaN', 'map', 'unmap', 'write', 'read', 'msync', 'wire', 'unwire', 'SYNC', 'ASYNC|INVALIDATE',
  'SUBMAP', 'PRIVATE', 'PRECIOUS', 'USER|NOHOLES', '|', 'x_note', 't_us', 'object', '"', '""', '"a,b"', '"multi\nline"', '"cr\r\nlf"',
  'a\xff', 'a\xfe', '\u00e9', 'nul\0', '\x1b[31m', '#', 'data.db', 'db', 'log', 'shlib', 'reader', ' ', '\r',
].map((t) => Buffer.from(t, 'latin1'));
/** Bytes a flip writes: structure, bytes that are not UTF-8, controls, digits. */
const FLIP_BYTES = [0x00, 0xff, 0xfe, 0xc3, 0xe2, 0x80, 0x1b, 0x22, 0x2c, 0x0a, 0x0d, 0x23, 0x7c, 0x20, 0x2e, 0x78, 0x30, 0x31, 0x39, 0x61];

/** Values that keep a row well formed, by column index of the native header: replaying them reaches the model's corners. */
const VALID_BY_COLUMN: readonly (readonly string[])[] = [
  [],
  ['db', 'log', 'reader', 'shlib', 'x'],
  ['map', 'unmap', 'write', 'read', 'msync', 'wire', 'unwire'],
  ['0x0', '0x10000000', '0x10001000', '0x10000800', '0x10200000', '0x103ff000', '0x20000000', '0x30000000', '0x40000000', '0xfffffffff000'],
  ['0', '1', '512', '4096', '8192', '65536', '4194304', '0x100000000'],
  ['', 'SYNC', 'ASYNC', 'INVALIDATE', 'SYNC|INVALIDATE', 'ASYNC|SYNC', 'USER', 'USER|NOHOLES', 'NOHOLES', 'SUBMAP', 'PRIVATE', 'PRECIOUS'],
  ['', 'data.db', 'wal.log', 'shlib', 'db.conf'],
  ['', '0', '4096', '0x200000'],
];

/** One seeded mutator of byte strings. */
class Mutator {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  lines(b: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let from = 0;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, from)) {
      out.push(b.subarray(from, i + 1));
      from = i + 1;
    }
    if (from < b.length) out.push(b.subarray(from));
    return out;
  }
  randomLine(): Buffer {
    const n = 1 + this.int(10);
    const fields = Array.from({ length: n }, () => this.pick(TOKENS));
    return Buffer.concat([...fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from(','), f])), Buffer.from('\n')]);
  }
  /** One mutation of `b`; returns the result and its name. */
  once(b: Buffer): [Buffer, string] {
    const kind = this.int(12);
    const at = this.int(b.length + 1);
    const ls = this.lines(b);
    const li = this.int(Math.max(1, ls.length));
    switch (kind) {
      case 0: {
        if (b.length === 0) return [b, 'flip(empty)'];
        const c = Buffer.from(b);
        c[Math.min(at, b.length - 1)] = this.r() < 0.7 ? this.pick(FLIP_BYTES) : this.int(256);
        return [c, `flip@${at}`];
      }
      case 1: {
        if (b.length === 0) return [b, 'bit(empty)'];
        const c = Buffer.from(b);
        c[Math.min(at, b.length - 1)] ^= 1 << this.int(8);
        return [c, `bit@${at}`];
      }
      case 2:
        return [b.subarray(0, at), `truncate@${at}`];
      case 3: {
        // insert a field: before a comma of a line, or at its end
        const line = ls[li] ?? Buffer.alloc(0);
        const commas = [...line.keys()].filter((k) => line[k] === 0x2c);
        const pos = commas.length > 0 && this.r() < 0.8 ? this.pick(commas) : Math.max(0, line.length - 1);
        const tok = Buffer.concat([Buffer.from(','), this.pick(TOKENS)]);
        ls[li] = Buffer.concat([line.subarray(0, pos), tok, line.subarray(pos)]);
        return [Buffer.concat(ls), `field+@${li}`];
      }
      case 4: {
        // replace a field
        const line = ls[li] ?? Buffer.alloc(0);
        const parts = line.toString('latin1').replace(/\n$/, '').split(',');
        parts[this.int(parts.length)] = this.pick(TOKENS).toString('latin1');
        ls[li] = Buffer.from(parts.join(',') + (line.at(-1) === 10 ? '\n' : ''), 'latin1');
        return [Buffer.concat(ls), `field=@${li}`];
      }
      case 5:
        ls.splice(li, 0, this.r() < 0.5 && ls.length > 0 ? this.pick(ls) : this.randomLine());
        return [Buffer.concat(ls), `line+@${li}`];
      case 6:
        ls.splice(li, 1);
        return [Buffer.concat(ls), `line-@${li}`];
      case 7: {
        const lj = this.int(Math.max(1, ls.length));
        if (ls.length > 1) [ls[li], ls[lj]] = [ls[lj]!, ls[li]!];
        return [Buffer.concat(ls), `swap@${li},${lj}`];
      }
      case 9:
      case 10:
      case 11: {
        // a well-formed value in a well-formed place (rows stay valid more often than not)
        const line = ls[li] ?? Buffer.alloc(0);
        const parts = line.toString('latin1').replace(/\n$/, '').split(',');
        if (parts.length !== VALID_BY_COLUMN.length || line[0] === 0x23) return [b, 'valid(skip)'];
        const col = 1 + this.int(VALID_BY_COLUMN.length - 1);
        parts[col] = this.pick(VALID_BY_COLUMN[col]!);
        ls[li] = Buffer.from(parts.join(',') + '\n', 'latin1');
        return [Buffer.concat(ls), `valid@${li}:${col}`];
      }
      default: {
        // insert raw bytes anywhere
        const tok = this.pick(TOKENS);
        return [Buffer.concat([b.subarray(0, at), tok, b.subarray(at)]), `bytes@${at}`];
      }
    }
  }
  onceValid(b: Buffer): [Buffer, string] {
    for (;;) {
      const r = this.once(b);
      if (r[1].startsWith('valid@')) return r;
    }
  }
  /** 1 to 3 mutations (or, for native traces, 1 to 6 well-formed ones), sometimes gzipped (and sometimes the gzip broken). */
  mutate(b: Buffer, native = true): [Buffer, string] {
    let cur = b;
    const names: string[] = [];
    const valid = native && this.r() < 0.35;
    for (let k = 1 + this.int(valid ? 6 : 3); k > 0; k--) {
      const [next, name] = valid ? this.onceValid(cur) : this.once(cur);
      cur = next;
      names.push(name);
    }
    const g = this.r();
    if (g < 0.08) {
      cur = gzipSync(cur);
      names.push('gzip');
    } else if (g < 0.11) {
      const z = gzipSync(cur);
      cur = this.r() < 0.5 ? z.subarray(0, 2 + this.int(z.length - 2)) : Buffer.from(z.map((x, i) => (i === 10 + this.int(z.length - 10) ? x ^ 0x55 : x)));
      names.push('gzip-broken');
    }
    return [cur, names.join(' ')];
  }
}

const demo = readFileSync(join(ROOT, 'traces', 'examples', 'demo.csv'));
const demoLines = demo.toString('utf8').split('\n');
/** The seeds of the trace cases: the trace-format example, heads of the demo trace, and the whole demo trace. */
const TRACE_SEEDS: { name: string; bytes: Buffer; weight: number }[] = [
  { name: 'trace-format-example', bytes: Buffer.from(formatHeader() + traceFormatExample().map((r) => formatRow(r)).join('')), weight: 4 },
  { name: 'demo-head-40', bytes: Buffer.from(demoLines.slice(0, 40).join('\n') + '\n'), weight: 4 },
  { name: 'demo-head-200', bytes: Buffer.from(demoLines.slice(0, 200).join('\n') + '\n'), weight: 2 },
  { name: 'demo', bytes: demo, weight: 0.15 },
];
const IMPORT_SEEDS = [
  { from: 'msr', bytes: readFileSync(join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv')) },
  { from: 'blkparse', bytes: readFileSync(join(ROOT, 'test', 'fixtures', 'blkparse', 'two-disks.txt')) },
];

function pickSeed(m: Mutator): (typeof TRACE_SEEDS)[number] {
  const total = TRACE_SEEDS.reduce((s, x) => s + x.weight, 0);
  let u = m.r() * total;
  for (const s of TRACE_SEEDS) if ((u -= s.weight) < 0) return s;
  return TRACE_SEEDS[0]!;
}

/** CPU seconds (user + system) of this process since `from`, for the log. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return ((u.user + u.system) / 1e6).toFixed(1);
};

/** How a call ended, as the CLI would end: 0, or 2 with its message, or 1 with the stack. */
type Outcome = { code: 0 } | { code: 1 | 2; message: string };

async function outcome(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    await f();
    return { code: 0 };
  } catch (e) {
    const code = exitCodeOf(e);
    return { code, message: code === 2 ? (e as Error).message : ((e as Error).stack ?? String(e)) };
  }
}

const located = (file: string, message: string) => message.startsWith(`${file}:`) && /^\d+: /.test(message.slice(file.length + 1));

/** Problems of one case, empty when it behaved. */
function check(what: string, file: string, o: Outcome): string[] {
  if (o.code === 0) return [];
  if (o.code === 1) return [`${what}: internal error (exit 1): ${o.message}`];
  if (!located(file, o.message)) return [`${what}: exit 2 without FILE:LINE: ${o.message}`];
  if (/[\u0000-\u001f\u007f]/.test(o.message)) return [`${what}: raw control character in ${JSON.stringify(o.message)}`];
  return [];
}

async function readAll(path: string): Promise<TraceRow[]> {
  const rows: TraceRow[] = [];
  for await (const b of readTrace(path)) rows.push(...b);
  return rows;
}

function report(failures: string[], tried: number): void {
  if (failures.length > 0) {
    console.error(`fuzz seed ${SEED}: ${failures.length} failure(s) of ${tried} cases; first ones:\n${failures.slice(0, 5).join('\n\n')}`);
  }
}

describe(`fuzz (seed ${SEED})`, () => {
  const config = loadConfig(undefined, []);

  it(`${TRACE_CASES} mutated traces: run, inspect and convert end in success or FILE:LINE errors`, async () => {
    const cpu0 = process.cpuUsage();
    const m = new Mutator(rng(SEED));
    const failures: string[] = [];
    const ended = { 0: 0, 1: 0, 2: 0 };
    let passing = 0;
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (let i = 0; i < TRACE_CASES; i++) {
        const seed = pickSeed(m);
        const [bytes, how] = m.mutate(seed.bytes);
        const file = join(dir, `t${i}.csv`);
        writeFileSync(file, bytes);
        const problems: string[] = [];
        const read = await outcome(() => readAll(file));
        problems.push(...check('read', file, read));
        const run = await outcome(() => replayTrace({ trace: file, config }));
        problems.push(...check('run', file, run));
        ended[run.code]++;
        // inspect and convert read the trace alike: the same outcome as reading it
        const insp = await outcome(() => inspectTrace(file));
        problems.push(...check('inspect', file, insp));
        if (insp.code !== read.code) problems.push(`inspect ended ${insp.code}, reading ${read.code}`);
        if (i % 4 === 0) {
          const sst = join(dir, `t${i}.sst`);
          const conv = await outcome(() => convertCommand.run([file, '-o', sst]));
          problems.push(...check('convert', file, conv));
          if (conv.code !== read.code) problems.push(`convert ended ${conv.code}, reading ${read.code}`);
          else if (conv.code === 0) {
            const back: TraceRow[] = [];
            for await (const b of readCache(sst)) back.push(...b);
            if (JSON.stringify(back) !== JSON.stringify(await readAll(file))) problems.push('the .sst holds other rows than the CSV');
          }
          rmSync(sst, { force: true });
        }
        if (problems.length === 0) passing++;
        else failures.push(`case ${i} (${seed.name}: ${how}), input ${JSON.stringify(bytes.subarray(0, 600).toString('latin1'))}:\n  ${problems.join('\n  ')}`);
        rmSync(file, { force: true });
      }
    } finally {
      quiet.mockRestore();
    }
    console.log(`fuzz seed ${SEED}: traces ${passing}/${TRACE_CASES} passing (runs: ${ended[0]} exit 0, ${ended[2]} exit 2, ${ended[1]} exit 1; ${cpuSeconds(cpu0)} s of CPU)`);
    report(failures, TRACE_CASES);
    expect(failures).toEqual([]);
    expect(passing).toBe(TRACE_CASES);
  }, 240_000);

  it(`${IMPORT_CASES} mutated importer inputs: success (and a valid trace) or FILE:LINE errors`, async () => {
    const cpu0 = process.cpuUsage();
    const m = new Mutator(rng(SEED + 1));
    const failures: string[] = [];
    let passing = 0;
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (let i = 0; i < IMPORT_CASES; i++) {
        const seed = m.pick(IMPORT_SEEDS);
        const [bytes, how] = m.mutate(seed.bytes, false);
        const file = join(dir, `in${i}.txt`);
        const out = join(dir, `in${i}.csv`);
        writeFileSync(file, bytes);
        const args = ['--from', seed.from, file, '-o', out, ...(m.r() < 0.5 ? ['--sync-every-writes', '3'] : [])];
        const imp = await outcome(() => importCommand.run(args));
        const problems = check('import', file, imp);
        // what an importer writes is a valid trace
        if (imp.code === 0) problems.push(...check('read of the import', out, await outcome(() => readAll(out))));
        if (problems.length === 0) passing++;
        else failures.push(`case ${i} (${seed.from}: ${how}), input ${JSON.stringify(bytes.subarray(0, 600).toString('latin1'))}:\n  ${problems.join('\n  ')}`);
        rmSync(file, { force: true });
        rmSync(out, { force: true });
      }
    } finally {
      quiet.mockRestore();
    }
    console.log(`fuzz seed ${SEED}: importer inputs ${passing}/${IMPORT_CASES} passing (${cpuSeconds(cpu0)} s of CPU)`);
    report(failures, IMPORT_CASES);
    expect(failures).toEqual([]);
  }, 120_000);

  it(`${CLI_CASES} mutated traces through the real CLI: exit 0 or 2 with FILE:LINE, and a failed run leaves --out as it was`, async () => {
    const m = new Mutator(rng(SEED + 2));
    const out = join(dir, 'out');
    const hashDir = (d: string) => {
      const h = createHash('sha256');
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        h.update(name + '\0' + (statSync(p).isDirectory() ? hashDir(p) : readFileSync(p).toString('base64')) + '\0');
      }
      return h.digest('hex');
    };
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((res) => {
        const p = spawn(process.execPath, [BIN, ...args], { cwd: dir });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        p.on('close', (code) => res({ code, stderr }));
      });
    const good = join(dir, 'good.csv');
    writeFileSync(good, TRACE_SEEDS[0]!.bytes);
    expect((await cli(['run', good, '--out', out, '--no-cache'])).code).toBe(0);

    const cases = Array.from({ length: CLI_CASES }, (_, i) => {
      const [bytes, how] = m.mutate(pickSeed(m).bytes);
      const file = join(dir, `cli${i}.csv`);
      writeFileSync(file, bytes);
      return { i, file, how, bytes };
    });
    const failures: string[] = [];
    let passing = 0;
    let failedRuns = 0;
    // two at a time; each case runs into its own copy of the results directory
    for (let k = 0; k < cases.length; k += 2) {
      await Promise.all(cases.slice(k, k + 2).map(async (c) => {
        const o = join(dir, `out${c.i}`);
        mkdirSync(o);
        for (const name of readdirSync(out)) writeFileSync(join(o, name), readFileSync(join(out, name)));
        const before = hashDir(o);
        const r = await cli(['run', c.file, '--out', o, '--no-cache']);
        const problems: string[] = [];
        const line = r.stderr.replace(/\n$/, '');
        if (r.code === 2) {
          failedRuns++;
          if (!located(`syncsim: ${c.file}`, line) || line.includes('\n')) problems.push(`exit 2 without one FILE:LINE line: ${line}`);
          if (hashDir(o) !== before) problems.push('a failed run changed --out');
        } else if (r.code !== 0) problems.push(`exit ${r.code}: ${r.stderr}`);
        if (problems.length === 0) passing++;
        else failures.push(`cli case ${c.i} (${c.how}), input ${JSON.stringify(c.bytes.subarray(0, 400).toString('latin1'))}:\n  ${problems.join('\n  ')}`);
      }));
    }
    console.log(`fuzz seed ${SEED}: CLI ${passing}/${CLI_CASES} passing (${failedRuns} exit 2)`);
    report(failures, CLI_CASES);
    expect(failures).toEqual([]);
    expect(failedRuns).toBeGreaterThan(0);
  }, 240_000);
});
