/**
 * Ctrl-C and kill during a replay from a binary trace cache: a named .sst, or the cache an
 * earlier run of a CSV made. The cache is read synchronously; until 2026-12-06 the replay never
 * let the event loop turn, so the signal's handler never ran and the run ended with exit 0 and
 * full results. And the message of an interrupted run says when --out keeps an earlier run's
 * results.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHeldRun } from './run-gate.ts';

const BIN = join(resolve(import.meta.dirname, '..'), 'scripts', 'syncsim.mjs');
const syncsim = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

/**
 * Runs `syncsim run TRACE --out OUT` in `dir`, held in its replay by the gate plugin (test/run-gate.ts),
 * sends `signal`, then lets the replay go on: the rest of the trace is many cache blocks, between
 * which the reader lets the event loop turn, so the handler runs before the replay can end, however
 * fast or slow the machine. Its exit code and standard error.
 */
async function interruptRun(trace: string, dir: string, out: string, signal: NodeJS.Signals): Promise<{ code: number | string | null; stderr: string }> {
  const conf = mkdtempSync(join(tmpdir(), 'syncsim-interrupt-gate-'));
  const { child, exited, stderr, release } = await startHeldRun(BIN, trace, out, conf, dir);
  child.kill(signal);
  release();
  return { code: await exited, stderr: stderr() };
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncsim-interrupt-cache-'));
  // about 1 M rows: a replay of seconds, time enough to be interrupted
  const gen = syncsim(['gen', 'random-writer', '--set', 'duration_s=200', '-o', 't.csv'], dir);
  expect(gen.status, gen.stderr).toBe(0);
  const convert = syncsim(['convert', 't.csv', '-o', 't.sst'], dir);
  expect(convert.status, convert.stderr).toBe(0);
}, 120_000);

describe('a replay from a binary trace cache answers signals', () => {
  it('SIGINT of a run of an .sst: exit 130, no results, the earlier results in --out kept and said to be', async () => {
    const out = 'earlier';
    mkdirSync(join(dir, out));
    writeFileSync(join(dir, out, '.syncsim'), '{"command":"run","version":"0.1.0"}\n'); // an earlier run's
    writeFileSync(join(dir, out, 'summary.json'), 'old');
    const r = await interruptRun('t.sst', dir, out, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`syncsim: interrupted (SIGINT); no results written, the earlier results in ${out} are kept\n`);
    expect(readFileSync(join(dir, out, 'summary.json'), 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.startsWith(`.${out}`))).toEqual([]);
  }, 120_000);

  it('SIGTERM of a run of a CSV whose cache an earlier run made: exit 143, no results, and no word of earlier ones', async () => {
    const first = syncsim(['run', 't.csv', '--out', 'first'], dir);
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(join(dir, '.trace-cache')).filter((n) => n.endsWith('.sst'))).toHaveLength(1);
    const r = await interruptRun('t.csv', dir, 'second', 'SIGTERM');
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('syncsim: interrupted (SIGTERM); no results written\n');
    expect(readdirSync(dir).filter((n) => n.includes('second'))).toEqual([]);
  }, 120_000);
});
