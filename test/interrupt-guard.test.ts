/**
 * Ctrl-C or kill that finds none of a command's own handlers in place (scripts/interrupt.ts,
 * guardStopSignals): while the code loads, and all through `inspect`, it is said, exit 130 (143 for
 * SIGTERM), nothing written; once the output of convert, run, gen or import is in place, the command
 * has succeeded: a note, exit 0, the output kept. Each child sends itself the signal at a named point
 * (test/workers/signal-self.cjs), so these do not hang on when a timer fires.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './out-fixtures.ts';

const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-interrupt-guard-'));

/** How the child ended: its exit code (null when a signal ended it, then `signal`) and what it printed. */
interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `syncsim ARGS` in `cwd`, sending itself `signal` at `at` (of `path`, relative to `cwd`): signal-self.cjs. */
function signalledAt(args: string[], cwd: string, at: 'start' | 'read' | 'placed' | 'closing' | 'exiting', path?: string, signal: NodeJS.Signals = 'SIGINT'): Promise<Ended> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${join(ROOT, 'test', 'workers', 'signal-self.cjs')}"`,
    SYNCSIM_TEST_SIGNAL_AT: at,
    SYNCSIM_TEST_SIGNAL: signal,
    ...(path === undefined ? {} : { SYNCSIM_TEST_SIGNAL_PATH: join(cwd, path) }),
  };
  // the launcher's choice is what `start` waits for: made whatever the environment
  delete env.SYNCSIM_TSX;
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  return new Promise((res) => child.on('close', (code, sig) => res({ code, signal: sig, stdout, stderr })));
}

/** A native trace of `rows` writes (about 30 bytes a row) in `dir`, as big.csv. */
function trace(dir: string, rows: number): string {
  const lines = ['t_us,task,op,addr,len,flags,object,offset', '0,a,map,0x10000000,0x1000000,,f,0'];
  for (let i = 1; i <= rows; i++) lines.push(i % 50 === 0 ? `${i},a,msync,0x10000000,0x1000000,SYNC,,` : `${i},a,write,${0x10000000 + ((i * 7919) % 4096) * 4096},64,,,`);
  writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
  return 'big.csv';
}

/** An MSR Cambridge trace of `rows` writes in `dir`, as in.msr. */
function msr(dir: string, rows: number): string {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) lines.push(`${128166372000000000 + i * 1000},usr,0,Write,${(i % 4096) * 4096},4096,100`);
  writeFileSync(join(dir, 'in.msr'), lines.join('\n') + '\n');
  return 'in.msr';
}

describe('interrupted with no handler of the command\'s in place', () => {
  it.each([
    { what: 'convert', args: ['convert', 'big.csv', '-o', 'big.sst'] },
    { what: 'run', args: ['run', 'big.csv', '--out', 'R'] },
  ])('$what: SIGINT as the code loads is said, exit 130, nothing written', async ({ args }) => {
    const d = tmp();
    trace(d, 1000);
    const r = await signalledAt(args, d, 'start');
    // until 2026-12-08 the signal's default action ended it, silently (user trial 200)
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toBe('\nsyncsim: interrupted (SIGINT); nothing written\n');
    expect(r.stdout).toBe('');
    expect(readdirSync(d)).toEqual(['big.csv']);
  }, 60_000);

  it('inspect: SIGINT or SIGTERM as the trace is read is said, exit 130 or 143, no table', async () => {
    const d = tmp();
    // some 2 MB: read in dozens of turns of the event loop, the signal answered at the first
    trace(d, 70_000);
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const r = await signalledAt(['inspect', 'big.csv', '-q'], d, 'read', 'big.csv', signal);
      // until 2026-12-08 it ended by the signal itself, saying nothing
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toBe(`\nsyncsim: interrupted (${signal}); nothing written\n`);
      expect(r.stdout).toBe('');
    }
  }, 60_000);
});

describe('interrupted once the output is in place: the command has succeeded (exit 0)', () => {
  it.each([
    { what: 'convert', input: (d: string) => trace(d, 1000), args: ['convert', 'big.csv', '-o', 'big.sst'], out: 'big.sst', said: /^big\.sst: 1,?001 rows\n$/ },
    { what: 'run', input: (d: string) => trace(d, 1000), args: ['run', 'big.csv', '--out', 'R', '-q'], out: 'R', said: /\nresults: R\n$/ },
    { what: 'gen -o', input: () => '', args: ['gen', 'random-writer', '--set', 'duration_s=1', '-o', 'g.csv', '-q'], out: 'g.csv', said: /^g\.csv: \d+ rows \(preset random-writer, seed 1\)\n$/ },
    { what: 'import -o', input: (d: string) => msr(d, 1000), args: ['import', '--from', 'msr', 'in.msr', '-o', 'i.csv', '-q'], out: 'i.csv', said: /^$/ },
  ])('$what: SIGINT just after the output took its name is a note, exit 0, the output whole', async ({ what, input, args, out, said }) => {
    const d = tmp();
    input(d);
    const r = await signalledAt(args, d, 'placed', out);
    // until 2026-12-08 the signal came after the command's handlers were gone: its default action ended the process, exit 130, silently (user trial 200)
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`\\nsyncsim: note: SIGINT came after syncsim ${what.split(' ')[0]} had finished: ${out.replace('.', '\\.')} is complete \\(exit 0\\)\\n$`));
    expect(r.stderr).not.toMatch(/interrupted/);
    // what it says of its output is said in full
    expect(r.stdout).toMatch(said);
    expect(existsSync(join(d, out))).toBe(true);
    expect(readdirSync(d).filter((n) => n.includes('.tmp-') || n.endsWith('.lock'))).toEqual([]);
    if (out.endsWith('.csv')) expect(readFileSync(join(d, out), 'utf8')).toMatch(/\n# syncsim stamp sha256:[0-9a-f]{64}\n$/);
  }, 60_000);

  it('gen -o: SIGINT after the last row, as the file is completed, does not stop it, and is said (exit 0)', async () => {
    const d = tmp();
    const r = await signalledAt(['gen', 'random-writer', '--set', 'duration_s=1', '-o', 'g.csv', '-q'], d, 'closing', 'g.csv');
    expect(r.code, r.stderr).toBe(0);
    // until 2026-12-08 the signal was passed over: gen went on to exit 0, saying nothing of it
    expect(r.stderr).toBe('syncsim: note: SIGINT came as g.csv was being completed, after its last row: it is complete (exit 0)\n');
    expect(r.stdout).toMatch(/^g\.csv: \d+ rows/);
    expect(readdirSync(d)).toEqual(['g.csv']);
    expect(readFileSync(join(d, 'g.csv'), 'utf8')).toMatch(/\n# syncsim stamp sha256:[0-9a-f]{64}\n$/);
  }, 60_000);

  it.each([
    { what: 'convert', input: (d: string) => trace(d, 1000), args: ['convert', 'big.csv', '-o', 'big.sst', '-q'], out: 'big.sst' },
    { what: 'gen -o', input: () => '', args: ['gen', 'random-writer', '--set', 'duration_s=1', '-o', 'g.csv', '-q'], out: 'g.csv' },
  ])('$what: SIGINT without end from the process\'s exit on leaves the exit code 0', async ({ input, args, out }) => {
    const d = tmp();
    input(d);
    const r = await signalledAt(args, d, 'exiting');
    // until 2026-12-08 Node's own end gave the signal back its default action before the process was gone: killed by it, exit 130 (user trial 200)
    expect(r.signal).toBe(null);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(existsSync(join(d, out))).toBe(true);
  }, 60_000);
});
