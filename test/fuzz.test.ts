/**
 * Seeded fuzzing of the native trace inputs: the example traces, mutated (byte
 * flips, truncations, inserted, deleted, duplicated fields and lines, gzip and
 * broken gzip). Every case must end as the CLI would in success or a clean
 * input error (exit 2) whose message starts with `FILE:LINE: `, never an
 * internal error (exit 1). The importers' inputs are fuzzed alike in
 * test/import-fuzz.test.ts; the mutator and the judging are test/fuzz-kit.ts.
 *
 * Most cases run in-process through the functions the commands use, each
 * error classified with the CLI's own `exitCodeOf`; a small sample spawns the
 * real CLI and checks that an existing `--out` directory is untouched by a
 * failed run. Set SYNCSIM_FUZZ_SEED to replay another seed and
 * SYNCSIM_FUZZ_CASES for more mutated traces than the suite's 600; a failure
 * prints the seed, the case number and the input.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { replayTrace } from '../scripts/commands/run.ts';
import { convertCommand } from '../scripts/commands/convert.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { readCache } from '../traces/cache.ts';
import { inspectTrace } from '../traces/inspect.ts';
import { formatHeader, formatRow } from '../traces/writer.ts';
import type { TraceRow } from '../traces/types.ts';
import { traceFormatExample } from './helpers.ts';
import { check, cpuSeconds, located, Mutator, outcome, readAll, report, rng, SEED, TRACE_CASES } from './fuzz-kit.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const CLI_CASES = 8;

const dir = mkdtempSync(join(tmpdir(), 'syncsim-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const demo = readFileSync(join(ROOT, 'traces', 'examples', 'demo.csv'));
const demoLines = demo.toString('utf8').split('\n');
/** The seeds of the trace cases: the trace-format example, heads of the demo trace, and the whole demo trace. */
const TRACE_SEEDS: { name: string; bytes: Buffer; weight: number }[] = [
  { name: 'trace-format-example', bytes: Buffer.from(formatHeader() + traceFormatExample().map((r) => formatRow(r)).join('')), weight: 4 },
  { name: 'demo-head-40', bytes: Buffer.from(demoLines.slice(0, 40).join('\n') + '\n'), weight: 4 },
  { name: 'demo-head-200', bytes: Buffer.from(demoLines.slice(0, 200).join('\n') + '\n'), weight: 2 },
  { name: 'demo', bytes: demo, weight: 0.15 },
];
function pickSeed(m: Mutator): (typeof TRACE_SEEDS)[number] {
  const total = TRACE_SEEDS.reduce((s, x) => s + x.weight, 0);
  let u = m.r() * total;
  for (const s of TRACE_SEEDS) if ((u -= s.weight) < 0) return s;
  return TRACE_SEEDS[0]!;
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
