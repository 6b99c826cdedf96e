/**
 * Ctrl-C and kill during a replay from a binary trace cache: a named .sst, or the cache an
 * earlier run of a CSV made. The cache is read synchronously; until 2026-12-06 the replay never
 * let the event loop turn, so the signal's handler never ran and the run ended with exit 0 and
 * full results. And the message of an interrupted run says when --out keeps an earlier run's
 * results.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = join(resolve(import.meta.dirname, '..'), 'scripts', 'syncsim.mjs');
const syncsim = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

/** Whether the staging directory of results `out` (in `dir`) holds a result file with something in it: the replay is under way. */
function replaying(dir: string, out: string): boolean {
  for (const n of readdirSync(dir)) {
    if (!n.startsWith(`.${out}.tmp-`)) continue;
    try {
      if (readdirSync(join(dir, n)).some((f) => f.endsWith('.csv') && statSync(join(dir, n, f)).size > 0)) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

/** Runs `syncsim run ARGS` in `dir`, sends `signal` once the replay into `out` is under way; its exit code and standard error. */
async function interruptRun(args: string[], dir: string, out: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; sent: boolean }> {
  const child = spawn(process.execPath, [BIN, 'run', ...args, '--out', out], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let sent = false;
  while (child.exitCode === null) {
    if (replaying(dir, out)) {
      child.kill(signal);
      sent = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { code: await exited, stderr, sent };
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
    const r = await interruptRun(['t.sst'], dir, out, 'SIGINT');
    expect(r.sent, 'the run ended before its replay was under way').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`syncsim: interrupted (SIGINT); no results written, the earlier results in ${out} are kept\n`);
    expect(readFileSync(join(dir, out, 'summary.json'), 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.startsWith(`.${out}`))).toEqual([]);
  }, 120_000);

  it('SIGTERM of a run of a CSV whose cache an earlier run made: exit 143, no results, and no word of earlier ones', async () => {
    const first = syncsim(['run', 't.csv', '--out', 'first'], dir);
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(join(dir, '.trace-cache')).filter((n) => n.endsWith('.sst'))).toHaveLength(1);
    const r = await interruptRun(['t.csv'], dir, 'second', 'SIGTERM');
    expect(r.sent, 'the run ended before its replay was under way').toBe(true);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('syncsim: interrupted (SIGTERM); no results written\n');
    expect(readdirSync(dir).filter((n) => n.includes('second'))).toEqual([]);
  }, 120_000);
});
