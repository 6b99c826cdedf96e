/**
 * `syncsim help COMMAND` and the arguments of the global `--help` / `--version`, through the
 * CLI's `main` in this process (test/cli-here.ts); the installed command is spawned for
 * `help run`, `help nosuch` (exit 2) and `--version`, each compared with what `main` prints.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { syncsimHere } from './cli-here.ts';

const BIN = join(resolve(import.meta.dirname, '..'), 'scripts', 'syncsim.cjs');
/** The installed command, spawned. */
const spawned = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

const COMMANDS = ['run', 'gen', 'import', 'inspect', 'convert', 'sweep', 'merge', 'report', 'calibrate', 'validate', 'record', 'compare'];

describe('syncsim help COMMAND', () => {
  it("prints each command's own help, the same as 'syncsim COMMAND --help'", async () => {
    const overview = await syncsimHere(['--help']);
    for (const c of COMMANDS) {
      const own = await syncsimHere([c, '--help']);
      expect(own.code, c).toBe(0);
      for (const word of ['help', '--help', '-h']) {
        const viaHelp = await syncsimHere([word, c]);
        expect(viaHelp, `${word} ${c}`).toEqual(own);
        expect(viaHelp.stdout).not.toBe(overview.stdout);
      }
    }
  });

  it("no line of a command's help is wider than 80 columns (a path of this install, one word, may be), and the texts wrapped to fit keep every word", async () => {
    const words = (text: string) => text.split(/\s+/).filter((w) => w !== '').join(' ');
    const helps = new Map<string, string>();
    for (const c of COMMANDS) {
      const h = await syncsimHere([c, '--help']);
      expect(h.code, c).toBe(0);
      const wide = h.stdout.split('\n').filter((l) => l.length > 80 && /\s/.test(l.trim()));
      expect(wide, c).toEqual([]);
      helps.set(c, words(h.stdout));
    }
    // some of the texts that were wider, whole
    for (const [c, said] of [
      ['compare', 'Usage: syncsim compare A B [--metric KEY]... [--out DIR] [--json] [--reps N] [--seed N]'],
      ['gen', "--set KEY=VALUE set one parameter of the preset (repeatable), e.g. --set rate=500 --set footprint=256M --set sync_flags='SYNC|INVALIDATE'"],
      ['gen', 'Presets: seq-writer, random-writer, db-checkpoint, wal-append, wired-pool, shared-object.'],
      ['import', '--calibration FILE strace --assume-dirty measured: the configuration (e.g. from \'syncsim calibrate\') whose device turns each msync\'s measured duration into a page count'],
      ['report', "(a sweep's grid values in their units, 'linux, 2,xnu, 2', or as results.csv writes them, 'linux, 2000'; a run directory's name), or a sweep's grid point as @N (results.csv's point: @1,@4);"],
      ['sweep', '# trace.set.rate: [1000, 2000] # generator parameters too seeds: 10 # seeds 1..10, or a list'],
      ['validate', "--calibrate-size SIZE, --calibrate-runtime S, --calibrate-max-depth N, --calibrate-quick 'syncsim calibrate' options when no --calibration is given"],
      ['validate', 'repeat-2/ ... repeat-N/ (job.fio, fio.iolog, fio.json and logs of each further run),'],
    ] as const) expect(helps.get(c), c).toContain(said);
  });

  it('nor of the overview, nor of gen --list (all presets, or one), which keep every word', async () => {
    const wideLines = (text: string) => text.split('\n').filter((l) => l.length > 80);
    const words = (text: string) => text.split(/\s+/).filter((w) => w !== '').join(' ');
    const overview = await syncsimHere(['--help']);
    expect(overview.code).toBe(0);
    expect(wideLines(overview.stdout)).toEqual([]);
    // the texts the overview wrapped, whole
    for (const said of [
      'syncsim calibrate [--dir PATH] [--quick] [options] -o device.yaml fit the device model to a real device with fio microbenchmarks and write its profile',
      "Run 'syncsim COMMAND --help' (or 'syncsim help COMMAND') for a command's options.",
      'Exit codes: 0 success, 2 bad input (trace, config, usage) or results that cannot be written, 1 internal error.',
    ]) expect(words(overview.stdout)).toContain(said);
    for (const args of [['gen', '--list'], ['gen', 'random-writer', '--list']]) {
      const list = await syncsimHere(args);
      expect(list.code, args.join(' ')).toBe(0);
      expect(wideLines(list.stdout), args.join(' ')).toEqual([]);
      expect(words(list.stdout)).toContain('random-writer: writes to uniform or Zipf(θ)-popular random pages of a mapping, msync every N writes or every T µs');
      expect(words(list.stdout)).toContain('dist=uniform page popularity: uniform, or zipf (rank k written with probability ∝ k^-theta, hot pages spread over the mapping)');
    }
  });

  it('the installed command does the same', async () => {
    const viaHelp = spawned(['help', 'run']);
    const own = await syncsimHere(['run', '--help']);
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: syncsim run TRACE/);
    expect(viaHelp.stdout).toBe(own.stdout);
    const bad = spawned(['help', 'nosuch']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown command 'nosuch'");
  });

  it('an unknown command or extra words: one clear message, exit 2', async () => {
    const r = await syncsimHere(['help', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^syncsim: help: unknown command 'nosuch' \(the commands: run, gen, .*compare\)\n$/);
    // a misspelt command ends with the closest, here and as the command itself
    expect((await syncsimHere(['help', 'compar'])).stderr).toMatch(/^syncsim: help: unknown command 'compar' \(the commands: run, .*compare\); did you mean compare\?\n$/);
    expect(await syncsimHere(['compar', 'a', 'b'])).toEqual({ code: 2, stdout: '', stderr: "syncsim: unknown command 'compar' (try 'syncsim --help'); did you mean compare?\n" });
    expect((await syncsimHere(['hlep'])).stderr).toBe("syncsim: unknown command 'hlep' (try 'syncsim --help'); did you mean help?\n");
    expect((await syncsimHere(['frobnicate'])).stderr).toBe("syncsim: unknown command 'frobnicate' (try 'syncsim --help')\n");
    // run's and convert's usage errors point at their own help, as every other command's do
    expect((await syncsimHere(['run'])).stderr).toBe("syncsim: run expects one TRACE argument (got 0; try 'syncsim run --help')\n");
    expect((await syncsimHere(['convert'])).stderr).toBe("syncsim: convert expects one TRACE argument (got 0; try 'syncsim convert --help')\n");
    const x = await syncsimHere(['help', 'run', 'gen']);
    expect(x.code).toBe(2);
    expect(x.stderr).toBe("syncsim: help takes at most one COMMAND (got 2: 'run' 'gen'; try 'syncsim help COMMAND')\n");
  });

  it('help alone is still the overview', async () => {
    const r = await syncsimHere(['help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("syncsim help COMMAND");
    expect(r.stdout).toBe((await syncsimHere(['--help'])).stdout);
  });

  it('no command at all: the overview on standard error (a usage error), exit 2; every line of it says what it is', async () => {
    const r = await syncsimHere([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe((await syncsimHere(['--help'])).stdout);
    // its summary after the usage, or (a usage too long for that) on the next line, in the summaries' column
    const lines = r.stderr.split('\n');
    const usage = lines.flatMap((l, i) => (l.startsWith('  syncsim ') ? [[l, lines[i + 1]!]] : []));
    expect(usage).toHaveLength(13);
    for (const [l, next] of usage) expect(/\S {3,}\S.*\S$/.test(l) || /^ {30,}\S.*\S$/.test(next), l).toBe(true);
  });
});

describe('syncsim --version', () => {
  it('alone prints the version', async () => {
    const r = await syncsimHere(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(spawned(['--version']).stdout).toBe(r.stdout);
  });

  it('with extra arguments: refused, one clear message, exit 2', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await syncsimHere([flag, 'extra']);
      expect(r.code, flag).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`syncsim: ${flag} takes no arguments (got 'extra'; try 'syncsim ${flag}' alone)\n`);
    }
    const s = await syncsimHere(['--version', 'extra', 'more']);
    expect(s.code).toBe(2);
    expect(s.stdout).toBe('');
    expect(s.stderr).toBe("syncsim: --version takes no arguments (got 'extra' 'more'; try 'syncsim --version' alone)\n");
  });
});

describe('an option that takes one value, given twice', () => {
  it('is refused naming both values, exit 2 (the last would silently win: a second --config replacing the first); --set, which takes several, is not', async () => {
    const r = await syncsimHere(['run', 'traces/examples/demo.csv', '--config', 'a.yaml', '--config', 'b.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: --config given twice ('a.yaml' and 'b.yaml'): it takes one value (try 'syncsim run --help')\n");
    const s = await syncsimHere(['gen', 'random-writer', '--seed', '1', '--seed=2']);
    expect(s.code).toBe(2);
    expect(s.stderr).toBe("syncsim: --seed given twice ('1' and '2'): it takes one value (try 'syncsim gen --help')\n");
    const out = join(mkdtempSync(join(tmpdir(), 'syncsim-twice-')), 'r');
    const ok = await syncsimHere(['run', 'traces/examples/demo.csv', '--set', 'device.channels=4', '--set', 'device.cache_mb=8', '--out', out]);
    expect(ok.stderr).not.toMatch(/given twice/);
    expect(ok.code).toBe(0);
  });
});
