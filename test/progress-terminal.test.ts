/**
 * Progress of the commands as a terminal shows it, standard output and standard error made
 * terminals or not (their `isTTY` flags) and the progress timers driven by fake time: a trace
 * `gen` or `import` writes to standard output on the terminal standard error is shows no
 * progress, redirected it does, and with -o too; `inspect` shows its rows read on standard error,
 * never in its table or --json on standard output.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syncsimHere, type CliResult } from './cli-here.ts';
import { quietBesideTrace } from '../scripts/stdout-trace.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-progress-tty-'));

/** What a progress line on a terminal begins with (`\r`, erase the line, the command). */
const drawn = (command: string) => `\r\x1b[K${command} `;

/** Sets the `isTTY` flags of standard output and error for one test; undone after it. */
function terminals(stdout: boolean, stderr: boolean): void {
  Object.defineProperty(process.stdout, 'isTTY', { value: stdout, configurable: true, writable: true });
  Object.defineProperty(process.stderr, 'isTTY', { value: stderr, configurable: true, writable: true });
}

const saved = { stdout: process.stdout.isTTY, stderr: process.stderr.isTTY };

beforeEach(() => {
  // the progress timers and clock are fake; the event loop (I/O, setImmediate) is real
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  terminals(saved.stdout, saved.stderr);
});

/**
 * Runs `syncsim ARGS` in this process, the fake clock moved on by `stepMs` at every turn of the
 * event loop while it runs: a progress line that is on is drawn (a second) or written (10 s)
 * every turn.
 */
async function withTicks(args: string[], stepMs = 1000): Promise<CliResult> {
  let done = false;
  const job = syncsimHere(args).finally(() => (done = true));
  while (!done) {
    await new Promise((r) => setImmediate(r));
    vi.advanceTimersByTime(stepMs);
  }
  return job;
}

describe('a trace written to standard output shows progress only off the terminal it goes to', () => {
  it('quietBesideTrace: --quiet, or both standard output and error terminals', () => {
    const t = (stdout: boolean, stderr: boolean) => ({ stdout: { isTTY: stdout }, stderr: { isTTY: stderr } });
    expect(quietBesideTrace(undefined, t(true, true))).toBe(true);
    expect(quietBesideTrace(undefined, t(false, true))).toBe(false);
    expect(quietBesideTrace(undefined, t(true, false))).toBe(false);
    expect(quietBesideTrace(undefined, t(false, false))).toBe(false);
    expect(quietBesideTrace(true, t(false, true))).toBe(true);
    // a stream that says nothing of a terminal is not one
    expect(quietBesideTrace(undefined, { stdout: {}, stderr: { isTTY: true } })).toBe(false);
  });

  it('gen to standard output on the terminal: the trace alone, no progress; redirected: progress on stderr, the same trace', async () => {
    const args = ['gen', 'seq-writer', '--set', 'duration_s=1'];
    terminals(true, true);
    const onTerminal = await withTicks(args);
    terminals(false, true);
    const redirected = await withTicks(args);
    expect([onTerminal.code, redirected.code]).toEqual([0, 0]);
    expect(onTerminal.stderr).toBe('');
    expect(redirected.stderr).toContain(drawn('gen'));
    expect(redirected.stdout).toBe(onTerminal.stdout);
    expect(onTerminal.stdout).not.toContain('\x1b[K');
    expect(onTerminal.stdout.split('\n').filter((l) => l.startsWith('gen'))).toEqual([]);
  });

  it('gen -o FILE with standard output a terminal still shows progress', async () => {
    const d = tmp();
    terminals(true, true);
    const r = await withTicks(['gen', 'seq-writer', '--set', 'duration_s=1', '-o', join(d, 'g.csv')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(drawn('gen'));
    expect(r.stdout).toMatch(/g\.csv: \d+ rows \(preset seq-writer, seed 1\)\n$/);
  });

  it('import to standard output on the terminal: no progress; redirected or to -o FILE: progress', async () => {
    const d = tmp();
    const msr = join(d, 'in.msr');
    writeFileSync(msr, Array.from({ length: 20_000 }, (_, i) => `${128166372003061629 + i * 1000},usr,0,Write,${4096 * (i % 64)},4096,100`).join('\n') + '\n');
    const args = ['import', '--from', 'msr', msr];
    terminals(true, true);
    const onTerminal = await withTicks(args);
    terminals(false, true);
    const redirected = await withTicks(args);
    terminals(true, true);
    const toFile = await withTicks([...args, '-o', join(d, 'i.csv')]);
    expect([onTerminal.code, redirected.code, toFile.code]).toEqual([0, 0, 0]);
    expect(onTerminal.stderr).not.toContain(drawn('import'));
    expect(onTerminal.stderr).toMatch(/^syncsim import: msr .* -> stdout: \d+ rows \(map 1, write 20000\)/);
    expect(redirected.stderr).toContain(drawn('import'));
    expect(toFile.stderr).toContain(drawn('import'));
    expect(redirected.stdout).toBe(onTerminal.stdout);
    expect(readFileSync(join(d, 'i.csv'), 'utf8')).toBe(onTerminal.stdout);
  });
});

describe('inspect shows its progress', () => {
  it('on a terminal: the rows read and the share of the trace, on stderr; stdout the same JSON as with --quiet', async () => {
    terminals(false, true);
    const shown = await withTicks(['inspect', DEMO, '--json']);
    const quiet = await withTicks(['inspect', DEMO, '--json', '--quiet']);
    expect([shown.code, quiet.code]).toEqual([0, 0]);
    expect(shown.stderr).toMatch(/\r\x1b\[Kinspect [\d,]+ rows, \d+% of the trace, /);
    expect(quiet.stderr).toBe('');
    expect(shown.stdout).toBe(quiet.stdout);
    expect(JSON.parse(shown.stdout).rows).toBeGreaterThan(0);
  });

  it('of a .sst cache: the rows read of the rows its header says', async () => {
    const d = tmp();
    expect((await syncsimHere(['convert', DEMO, '-o', join(d, 'demo.sst')])).code).toBe(0);
    terminals(true, true);
    const r = await withTicks(['inspect', join(d, 'demo.sst')]);
    expect(r.code).toBe(0);
    const rows = /\((\d+) rows\)/.exec(r.stdout)![1]!;
    expect(r.stderr).toMatch(new RegExp(`\\r\\x1b\\[Kinspect [\\d,]+ of ${Number(rows).toLocaleString('en-US')} rows \\d+%`));
    expect(r.stdout).not.toContain('\x1b[K');
  });

  it('off a terminal: a plain line every 10 s and one at the end, none with -q', async () => {
    terminals(false, false);
    const r = await withTicks(['inspect', DEMO], 10_000);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^inspect: [\d,]+ rows, \d+% of the trace, /);
    expect(r.stderr).toMatch(/\ninspect: [\d,]+ rows in [\dhms]+ \([^)]*rows\/s\)\n$/);
    expect(r.stdout).not.toContain('inspect:');
  });
});
