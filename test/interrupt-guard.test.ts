/**
 * Ctrl-C or kill that finds none of a command's own handlers in place (scripts/interrupt.ts,
 * guardStopSignals): while the code loads, and all through `inspect`, it is said, exit 130 (143 for
 * SIGTERM), nothing written. Each child sends itself the signal at a named point
 * (test/workers/signal-self.cjs), so these do not hang on when a timer fires.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
function signalledAt(args: string[], cwd: string, at: 'start' | 'read', path?: string, signal: NodeJS.Signals = 'SIGINT'): Promise<Ended> {
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
