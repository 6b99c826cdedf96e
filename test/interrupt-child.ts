/**
 * A CLI interrupted end to end, for test/merge-interrupt.test.ts and test/tables-interrupt.test.ts:
 * `syncsim ARGS` spawned with a preload that slows what it does (test/workers/slow-*.cjs), so
 * that a real signal finds it half-way on any machine.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './out-fixtures.ts';

const BIN = join(ROOT, 'scripts', 'syncsim.mjs');

/** How an interrupted child ended: its exit code, what it printed, and whether the signal was sent before it ended. */
export interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
  sent: boolean;
}

/**
 * Spawns `syncsim ARGS` in `cwd` with the preload `test/workers/<preload>` slowing each of its
 * steps by `slowMs` (SYNCSIM_TEST_SLOW_MS); sends `signal` once `ready()` holds (polled every
 * 10 ms, for at most 30 s).
 */
export async function interruptWhen(args: string[], cwd: string, preload: string, slowMs: number, ready: () => boolean, signal: NodeJS.Signals): Promise<Interrupted> {
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${join(ROOT, 'test', 'workers', preload)}"`, SYNCSIM_TEST_SLOW_MS: String(slowMs) };
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let sent = false;
  for (let i = 0; i < 3000 && child.exitCode === null; i++) {
    if (ready()) {
      sent = child.kill(signal);
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { code: await exited, stdout, stderr, sent };
}
