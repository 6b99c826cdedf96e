/**
 * Ctrl-C or kill during `convert`, `import -o` and `report` leaves nothing
 * half-written (scripts/interrupt.ts): the temporary file or staging
 * directory goes, the exit code is 130 (SIGINT) or 143 (SIGTERM), and the
 * next command into the same place is not refused for syncsim's own
 * leftovers; what a convert killed outright (SIGKILL) left, the next one removes. A full disk or a file size limit while `gen -o` or `import -o`
 * writes is the user's to fix: exit 2 naming the file, not an internal error.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { snapshot } from './out-fixtures.ts';

const BIN = join(resolve(import.meta.dirname, '..'), 'scripts', 'syncsim.mjs');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-interrupt-test-'));
/**
 * `syncsim ARGS` in `cwd` through the CLI's main in this process (test/cli-here.ts), for the steps around
 * an interrupted command (its input before, the next command after): only the interrupted one needs a process.
 */
const here = syncsimHere;

/** A native trace long enough to take a second or more to convert. */
function bigTrace(dir: string): string {
  const lines = ['t_us,task,op,addr,len,flags,object,offset', '0,a,map,0x10000000,0x1000000,,f,0'];
  for (let i = 1; i <= 600_000; i++) lines.push(i % 50 === 0 ? `${i},a,msync,0x10000000,0x1000000,SYNC,,` : `${i},a,write,${0x10000000 + ((i * 7919) % 4096) * 4096},64,,,`);
  const p = join(dir, 'big.csv');
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/** An MSR Cambridge trace of 600,000 writes. */
function bigMsr(dir: string): string {
  const lines: string[] = [];
  let t = 128166372000000000;
  for (let i = 0; i < 600_000; i++) {
    t += 1000 + (i % 7) * 100;
    lines.push(`${t},usr,0,Write,${((i * 7919) % 262144) * 4096},4096,100`);
  }
  const p = join(dir, 'big.msr');
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/**
 * Starts `syncsim ARGS` in `cwd`, waits until `started(entries of watched)` says its output is being written, then sends `signal`
 * (and calls `onSent`); its exit code and standard error.
 */
async function interrupt(args: string[], cwd: string, watched: string, started: (names: string[]) => boolean, signal: NodeJS.Signals, onSent?: () => void): Promise<{ code: number | null; stderr: string; sent: boolean }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code, sig) => res(code ?? (sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : null))));
  let sent = false;
  for (let i = 0; i < 1200 && child.exitCode === null; i++) {
    if (started(readdirSync(watched))) {
      child.kill(signal);
      sent = true;
      onSent?.();
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { code: await exited, stderr, sent };
}

describe('interrupted while writing', () => {
  it.each([
    { what: 'convert: SIGINT removes the temporary file and writes no OUT.sst', input: bigTrace, args: ['convert', 'big.csv', '-o', 'big.sst'], temp: (n: string) => n !== 'big.csv' && n !== '.big.sst.lock', signal: 'SIGINT' as const, code: 130 },
    { what: 'import -o: SIGTERM removes OUT.tmp-PID and writes no OUT', input: bigMsr, args: ['import', '--from', 'msr', 'big.msr', '-o', 'imp.csv'], temp: (n: string) => n.startsWith('imp.csv.tmp-'), signal: 'SIGTERM' as const, code: 143 },
  ])('$what', async ({ input, args, temp, signal, code }) => {
    const d = tmp();
    const given = basename(input(d));
    const r = await interrupt(args, d, d, (names) => names.some(temp), signal);
    expect(r.sent, 'the command ended before its output appeared').toBe(true);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toContain(`interrupted (${signal}); nothing written`);
    expect(readdirSync(d)).toEqual([given]);
  }, 60_000);

  it('report: SIGINT removes its staging directory and lock from the results directory, which the next run may then replace', async () => {
    const d = tmp();
    const demo = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
    expect((await here(['run', demo, '--out', 'R'], d)).code).toBe(0);
    const before = readdirSync(join(d, 'R')).sort();
    const r = await interrupt(['report', 'R'], d, join(d, 'R'), (names) => names.some((n) => n.startsWith('.report.tmp-')), 'SIGINT');
    expect(r.sent, 'the report ended before its staging directory appeared').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(readdirSync(join(d, 'R')).sort()).toEqual(before);
    const again = await here(['run', demo, '--out', 'R'], d);
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);
});

describe('interrupted between taking the lock and replaying', () => {
  it('run: SIGINT while a plugin loads (before the replay) releases the lock and says so (exit 130)', async () => {
    const d = tmp();
    const demo = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
    // a writeback policy whose module takes 30 s to load, after saying it has started: the run holds its --out lock meanwhile
    writeFileSync(join(d, 'slow.mjs'), "import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./loading', import.meta.url), '');\nawait new Promise((r) => setTimeout(r, 30000));\nexport default {};\n");
    const r = await interrupt(['run', demo, '--out', 'R', '--set', 'writeback.policy=./slow.mjs'], d, d, (names) => names.includes('loading'), 'SIGINT');
    expect(r.sent, 'the run ended before its plugin began to load').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    // until 2026-12-06 the process ended by the signal itself, silently, its lock file .R.lock left behind
    expect(r.stderr).toBe('\nsyncsim: interrupted (SIGINT); no results written\n');
    expect(readdirSync(d).sort()).toEqual(['loading', 'slow.mjs']);
  }, 60_000);

  /**
   * A plugin whose module, while a file `hold` is beside it, keeps the thread busy at its top level (as
   * compiling a TypeScript plugin does) until the test has sent its signal: the signal waits to be answered
   * until the plugin is loaded, by then the command's own handlers may have taken over from the lock's.
   */
  const BUSY = "import { existsSync, writeFileSync } from 'node:fs';\nconst at = (n) => new URL(`./${n}`, import.meta.url);\n"
    + "if (existsSync(at('hold'))) {\n  writeFileSync(at('loading'), '');\n  while (!existsSync(at('signalled'))) {}\n}\n"
    + "export default { name: 'busy', create: () => ({ wake() {} }) };\n";

  /** Starts `syncsim ARGS` in `d` with `hold` there, sends SIGINT once its plugin is loading and says so (`signalled`); what `interrupt` tells. */
  async function interruptBusyLoad(args: string[], d: string) {
    writeFileSync(join(d, 'hold'), '');
    const r = await interrupt(args, d, d, (names) => names.includes('loading'), 'SIGINT', () => writeFileSync(join(d, 'signalled'), ''));
    for (const n of ['hold', 'loading', 'signalled']) rmSync(join(d, n), { force: true });
    return r;
  }

  /** The arguments of a sweep of the demo trace in `d` into S under the busy plugin, `seeds` runs, made once (the plugin not busy then). */
  async function busySweep(d: string, seeds: number): Promise<string[]> {
    const demo = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
    writeFileSync(join(d, 'busy.mjs'), BUSY);
    writeFileSync(join(d, 'exp.yaml'), `name: busy\ntrace: { path: ${JSON.stringify(demo)} }\nbase: { writeback: { policy: ./busy.mjs } }\nseeds: ${seeds}\n`);
    const args = ['sweep', 'exp.yaml', '--out', 'S', '--no-cache', '--jobs', '1', '-q'];
    expect((await here(args, d)).code).toBe(0);
    return args;
  }

  it('run: SIGINT while a plugin keeps the thread busy loading is answered, not lost as the replay takes over (exit 130, earlier results kept)', async () => {
    const d = tmp();
    const demo = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
    writeFileSync(join(d, 'busy.mjs'), BUSY);
    expect((await here(['run', demo, '--out', 'R', '--no-cache'], d)).code).toBe(0);
    const before = snapshot(join(d, 'R'));
    const r = await interruptBusyLoad(['run', demo, '--out', 'R', '--no-cache', '--set', 'writeback.policy=./busy.mjs'], d);
    expect(r.sent, 'the run ended before its plugin began to load').toBe(true);
    // until 2026-12-06 (later that day) the signal was lost as the replay's handler replaced the lock's: the run went on to its end, exit 0, its results replacing R's
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toBe('\nsyncsim: interrupted (SIGINT); no results written, the earlier results in R are kept\n');
    expect(readdirSync(d).sort()).toEqual(['R', 'busy.mjs']);
    expect(snapshot(join(d, 'R'))).toEqual(before);
  }, 60_000);

  it('sweep: SIGINT while a plugin keeps the thread busy loading (before any run) releases the lock and says so (exit 130, finished runs kept)', async () => {
    const d = tmp();
    const args = await busySweep(d, 2);
    // one run to do again: the sweep has work left when interrupted
    rmSync(join(d, 'S', 'runs', readdirSync(join(d, 'S', 'runs'))[0]!), { recursive: true });
    const before = snapshot(join(d, 'S'));
    const r = await interruptBusyLoad(args, d);
    expect(r.sent, 'the sweep ended before its plugin began to load').toBe(true);
    // until 2026-12-06 (late) the sweep ended by the signal itself (which `interrupt` counts as 130 too), silently, leaving .S.lock behind
    expect(r.code, r.stderr).toBe(130);
    // answered by the lock's guard or, taken over by then, the runs' own handler
    expect(r.stderr).toMatch(/^\n?syncsim: (sweep )?interrupted \(SIGINT\); (no run started, )?finished runs are kept in S: run the same command again to resume\n$/);
    expect(readdirSync(d).sort()).toEqual(['S', 'busy.mjs', 'exp.yaml']);
    expect(snapshot(join(d, 'S'))).toEqual(before);
  }, 60_000);

  it('sweep: SIGINT while its trace is generated, before any run finished, says so (exit 130), not that finished runs are kept', async () => {
    const d = tmp();
    // hours of rows to generate: interrupted long before the first run
    writeFileSync(join(d, 'exp.yaml'), 'name: big\ntrace: { gen: random-writer, set: { duration_s: 100000 } }\n');
    // the runs' own handler is in place before the staging directory is made
    const r = await interrupt(['sweep', 'exp.yaml', '--out', 'S', '--jobs', '1', '-q'], d, d, () => existsSync(join(d, 'S', '.staging')), 'SIGINT');
    expect(r.sent, 'the sweep ended before it began to generate its trace').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    // until 2026-12-06 (late) it said `finished runs are kept in S: run the same command again to resume`, of none
    expect(r.stderr).toBe('syncsim: sweep interrupted (SIGINT); no run finished\n');
    expect(readdirSync(join(d, 'S', 'runs'))).toEqual([]);
    expect(existsSync(join(d, 'S', '.staging'))).toBe(false);
  }, 60_000);

  it('sweep: SIGINT while a plugin loads, every run removed by hand but a .DS_Store left in runs/, says no run is kept (exit 130)', async () => {
    const d = tmp();
    const args = await busySweep(d, 1);
    const runs = join(d, 'S', 'runs');
    for (const id of readdirSync(runs)) rmSync(join(runs, id), { recursive: true });
    writeFileSync(join(runs, '.DS_Store'), '');
    const r = await interruptBusyLoad(args, d);
    expect(r.sent, 'the sweep ended before its plugin began to load').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    // answered by the lock's guard or, taken over by then, the runs' own handler; until 2026-12-06 (late) either said
    // `finished runs are kept in S: run the same command again to resume`, runs/ holding an entry
    expect(r.stderr).toMatch(/^\n?syncsim: (interrupted \(SIGINT\); no run started|sweep interrupted \(SIGINT\); no run finished)\n$/);
    expect(readdirSync(runs)).toEqual(['.DS_Store']);
  }, 60_000);
});

describe('killed while writing (SIGKILL: no cleanup runs)', () => {
  it('convert: the next convert of OUT removes the temporary file a killed one left; a live writer\'s, another host\'s and a file of the user\'s with such a name stay', async () => {
    const d = tmp();
    bigTrace(d);
    const r = await interrupt(['convert', 'big.csv', '-o', 'big.sst'], d, d, (names) => names.some((n) => n.startsWith('big.sst.tmp-')), 'SIGKILL');
    expect(r.sent, 'convert ended before its temporary file appeared').toBe(true);
    const killed = readdirSync(d).filter((n) => n.startsWith('big.sst.tmp-'));
    expect(killed).toHaveLength(1);
    // beside it: a live process's (this one), another host's, and a file of the user's named like one
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const live = `big.sst.tmp-${process.pid}-0@${hostname()}`, elsewhere = `big.sst.tmp-${dead}-0@elsewhere.example`, users = `big.sst.tmp-${dead}-0@${hostname()}`;
    for (const n of [live, elsewhere]) writeFileSync(join(d, n), 'SYNCSST1');
    writeFileSync(join(d, users), 'notes\n');
    // in a process of its own: in this one, the live writer's file would be its own temporary file
    const again = spawnSync(process.execPath, [BIN, 'convert', 'big.csv', '-o', 'big.sst'], { cwd: d, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    // it used to stay, as big as the cache written so far, until removed by hand
    expect(readdirSync(d).sort()).toEqual(['big.csv', 'big.sst', live, elsewhere, users].sort());
  }, 60_000);
});

describe('interrupted while computing bootstrap CIs', () => {
  it('run --ci bootstrap: SIGINT during the bootstrap (a million resamples, minutes of work) ends the run (exit 130) with no results', async () => {
    const d = tmp();
    const demo = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
    // the replay is over once its staging directory holds tasks.csv, written just before the CIs; the test's timeout fails it if the signal waits for them
    const replayed = (names: string[]) => names.filter((n) => n.startsWith('.R.tmp-')).some((n) => {
      try {
        return readdirSync(join(d, n)).includes('tasks.csv');
      } catch {
        return false;
      }
    });
    const r = await interrupt(['run', demo, '--out', 'R', '--ci', 'bootstrap', '--ci-reps', '1000000'], d, d, replayed, 'SIGINT');
    expect(r.sent, 'the run ended before its replay was over').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted (SIGINT); no results written');
    expect(readdirSync(d).filter((n) => n.startsWith('.R') || n === 'R')).toEqual([]);
  }, 60_000);

  it('compare: SIGINT during its bootstrap (a million resamples a metric) ends it (exit 130), its lock and staging directory gone', async () => {
    const d = tmp();
    const demo = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');
    for (const [out, mean] of [['A', '100'], ['B', '200']]) {
      expect((await here(['run', demo, '--out', out!, '--set', 'device.profile=queue', '--set', `device.service.mean_us=${mean}`], d)).code).toBe(0);
    }
    // the lock is taken before the runs are read; a second after it appears the bootstrap of the first metric is under way
    let seen = 0;
    const inBootstrap = (names: string[]) => names.includes('.C.lock') && (seen ||= Date.now()) + 1000 < Date.now();
    const r = await interrupt(['compare', 'A', 'B', '--out', 'C', '--reps', '1000000'], d, d, inBootstrap, 'SIGINT');
    expect(r.sent, 'compare ended before its bootstrap was under way').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted (SIGINT); nothing written');
    expect(readdirSync(d).filter((n) => n !== '.trace-cache').sort()).toEqual(['A', 'B']);
    const again = await here(['compare', 'A', 'B', '--out', 'C', '--reps', '100'], d);
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);
});

describe('a file size limit while writing a trace', () => {
  /** `syncsim ARGS` in `cwd` under `ulimit -f 200` (100 KiB). */
  const limited = (args: string[], cwd: string) =>
    spawnSync('bash', ['-c', `ulimit -f 200; exec "${process.execPath}" "${BIN}" "$@"`, 'bash', ...args], { cwd, encoding: 'utf8' });

  it('gen -o and import -o exit 2 naming the file, and leave nothing', () => {
    const d = tmp();
    bigMsr(d);
    const g = limited(['gen', 'random-writer', '--set', 'duration_s=20', '-o', 'g.csv'], d);
    expect(g.status, g.stderr).toBe(2);
    expect(g.stderr).toMatch(/^syncsim: cannot write g\.csv: EFBIG: file too large/);
    expect(g.stderr).not.toMatch(/internal error|\n\s+at /);
    const i = limited(['import', '--from', 'msr', 'big.msr', '-o', 'i.csv'], d);
    expect(i.status, i.stderr).toBe(2);
    expect(i.stderr).toMatch(/^syncsim: cannot write i\.csv: EFBIG: file too large/);
    expect(i.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(d)).toEqual(['big.msr']);
  }, 60_000);
});
