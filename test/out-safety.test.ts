/**
 * Output safety: every command that writes a directory replaces only a
 * missing, empty or marked (`.syncsim`) directory of its own, refuses
 * anything else before doing any work (exit 2, one line, nothing touched),
 * and takes a lock so that two writers never share one output.
 *
 * Each case runs in a fresh temporary working directory. The data-loss cases
 * of `run` spawn the real CLI; the others call the CLI's `main` in this
 * process (same code path, same exit code and message, no start-up cost).
 * Every refused trace is malformed, so a refusal that came after parsing
 * started would show the trace's error instead.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { checkOutDir, OutDirError } from '../traces/out-dir.ts';
import { lockFileOf, lockOut } from '../traces/out-lock.ts';
import { syncsimCli } from './helpers.ts';
import { isOurTraceHead } from '../traces/out-trace.ts';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
/** A trace whose first row is malformed: replaying it fails at once with `FILE:3: column op`. */
const BAD_TRACE = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,fly,0x1000,1,,,\n';
const MARK = (command: string) => JSON.stringify({ command, version: '0.1.0' }) + '\n';

/** A fresh working directory holding a user's file `user.txt`. */
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-out-'));
  writeFileSync(join(d, 'user.txt'), 'precious\n');
  return d;
}

/** Every path under `dir` (links not followed) with its content, to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(join(dir, r))}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else out[r] = readFileSync(join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

const here = syncsimHere;

/** Expects a refusal of `--out shown` for `why`, with nothing in `cwd` changed. */
function expectRefused(r: { code: number | null; stderr: string; stdout: string }, shown: string, why: RegExp | string, noun = 'directory') {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(r.stderr).toMatch(new RegExp(`^syncsim: --out ${esc(shown)}: .+; choose a new ${noun}\\n$`));
  if (typeof why === 'string') expect(r.stderr).toContain(why);
  else expect(r.stderr).toMatch(why);
}

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('syncsim run never deletes what it did not write', () => {
  // `spawn`: the cases that lost data or crashed, in a real process; the others through `main`
  const cases: { name: string; setup: (d: string) => string[]; shown: string; why: string; spawn?: boolean }[] = [
    { name: '--out . (the working directory)', setup: () => ['bad.csv', '--out', '.'], shown: '.', why: 'is the working directory', spawn: true },
    { name: '--out .. (an ancestor of the working directory)', setup: () => ['bad.csv', '--out', '..'], shown: '..', why: 'is an ancestor of the working directory' },
    { name: "--out ''", setup: () => ['bad.csv', '--out', ''], shown: "''", why: 'the path is empty' },
    { name: '--out FILE', setup: () => ['bad.csv', '--out', 'user.txt'], shown: 'user.txt', why: 'is a file' },
    { name: '--out LINK to a directory', setup: (d) => (mkdirSync(join(d, 'data')), writeFileSync(join(d, 'data', 'x'), 'x'), symlinkSync('data', join(d, 'link')), ['bad.csv', '--out', 'link']), shown: 'link', why: 'is a symbolic link (to a directory)' },
    { name: '--out LINK dangling', setup: (d) => (symlinkSync('nowhere', join(d, 'dangling')), ['bad.csv', '--out', 'dangling']), shown: 'dangling', why: 'is a symbolic link (dangling)', spawn: true },
    { name: 'trace named ...csv (default results/..)', setup: (d) => (writeFileSync(join(d, '...csv'), BAD_TRACE), ['...csv']), shown: 'results/..', why: 'not a directory inside results/', spawn: true },
    { name: 'trace named ..csv (default results/.)', setup: (d) => (writeFileSync(join(d, '..csv'), BAD_TRACE), ['..csv']), shown: 'results/.', why: 'not a directory inside results/' },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} before reading the trace, leaving everything as it was`, async () => {
      const d = workdir();
      writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
      mkdirSync(join(d, 'results'));
      writeFileSync(join(d, 'results', 'mine.txt'), 'also precious\n');
      const args = c.setup(d);
      const before = snapshot(d);
      const r = c.spawn ? syncsimCli(['run', ...args], d) : await here(['run', ...args], d);
      expectRefused(r, c.shown, c.why);
      expect(snapshot(d)).toEqual(before);
    });
  }
});

describe('which directories a command may replace', () => {
  it('run: a new, an empty or its own marked directory (reruns work); not a non-empty unmarked one, nor another command\'s', async () => {
    const d = workdir();
    const r1 = await here(['run', DEMO, '--out', 'fresh'], d);
    expect(r1.code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'fresh', '.syncsim'), 'utf8'))).toMatchObject({ command: 'run' });
    const r2 = await here(['run', DEMO, '--out', 'fresh', '--seed', '2'], d);
    expect(r2.code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'fresh', 'summary.json'), 'utf8')).config.seed).toBe(2);
    mkdirSync(join(d, 'empty'));
    expect((await here(['run', DEMO, '--out', 'empty'], d)).code).toBe(0);
    expect(existsSync(join(d, 'empty', 'summary.json'))).toBe(true);
    expect(readdirSync(d).filter((n) => n.endsWith('.lock'))).toEqual([]);

    writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
    mkdirSync(join(d, 'papers'));
    writeFileSync(join(d, 'papers', 'draft.tex'), 'text');
    mkdirSync(join(d, 'rep'));
    writeFileSync(join(d, 'rep', '.syncsim'), MARK('report'));
    writeFileSync(join(d, 'rep', 'index.html'), 'x');
    const before = snapshot(d);
    expectRefused(await here(['run', 'bad.csv', '--out', 'papers'], d), 'papers', "is not empty and was not made by 'syncsim run' (no .syncsim file in it)");
    expectRefused(await here(['run', 'bad.csv', '--out', 'rep'], d), 'rep', "holds the output of 'syncsim report', not of 'syncsim run'");
    expect(snapshot(d)).toEqual(before);
  });

  it('run and report: a results directory of an older syncsim (no marker, only its own files) is recognised and replaced; extra files are not', async () => {
    const d = workdir();
    // what syncsim 0.1.0 before markers left: the four result files and the demo's report/
    const old = join(d, 'results', 'demo');
    mkdirSync(join(old, 'report'), { recursive: true });
    writeFileSync(join(old, 'summary.json'), JSON.stringify({ syncsim_version: '0.1.0' }));
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv']) writeFileSync(join(old, f), 'header\n');
    writeFileSync(join(old, 'report', 'report.json'), JSON.stringify({ syncsim_report: 1, charts: [{ name: 'timeline', files: ['timeline.vl.json', 'timeline.svg'] }] }));
    for (const f of ['index.html', 'timeline.vl.json', 'timeline.svg']) writeFileSync(join(old, 'report', f), 'x');
    expect(checkOutDir(join(old, 'report'), { command: 'report' })).toBe(join(old, 'report'));
    writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
    writeFileSync(join(old, 'notes.txt'), 'mine');
    expectRefused(await here(['run', 'bad.csv', '--out', 'results/demo'], d), 'results/demo', 'was not made by');
    expect(readFileSync(join(old, 'notes.txt'), 'utf8')).toBe('mine');
    rmSync(join(old, 'notes.txt'));
    const r = await here(['run', DEMO, '--out', 'results/demo'], d);
    expect(r.code).toBe(0);
    expect(readdirSync(old).sort()).toEqual(['.syncsim', 'durability.csv', 'reads.csv', 'summary.json', 'syncs.csv', 'tasks.csv', 'timeline.csv', 'writeback.csv']);
  });

  it('report: refuses ., a file, a link, \'\' and a non-empty unmarked directory before loading anything; its default DIR/report is replaced run after run', async () => {
    const d = workdir();
    mkdirSync(join(d, 'notresults')); // not a results directory: loading it would fail
    mkdirSync(join(d, 'mine'));
    writeFileSync(join(d, 'mine', 'a.txt'), 'a');
    symlinkSync('mine', join(d, 'link'));
    const before = snapshot(d);
    expectRefused(await here(['report', 'notresults', '--out', '.'], d), '.', 'would replace the results directory notresults');
    expectRefused(await here(['report', 'notresults', '--out', join('..', basename(d))], d), join('..', basename(d)), 'would replace the results directory notresults');
    expectRefused(await here(['report', 'notresults', '--out', 'user.txt'], d), 'user.txt', 'is a file');
    expectRefused(await here(['report', 'notresults', '--out', 'link'], d), 'link', 'is a symbolic link');
    expectRefused(await here(['report', 'notresults', '--out', ''], d), "''", 'the path is empty');
    expectRefused(await here(['report', 'notresults', '--out', 'mine'], d), 'mine', "was not made by 'syncsim report'");
    expect(snapshot(d)).toEqual(before);

    expect((await here(['run', DEMO, '--out', 'r'], d)).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(readdirSync(join(d, 'r', 'report')).sort()).toEqual(['.syncsim', 'latency-cdf.svg', 'latency-cdf.vl.json', 'report.json']);
    expect(JSON.parse(readFileSync(join(d, 'r', 'report', '.syncsim'), 'utf8'))).toMatchObject({ command: 'report' });
  }, 120_000);
});

describe('sweep, merge, validate and calibrate', () => {
  /** An experiment of one run on trace `trace` (a path relative to the working directory). */
  const experiment = (name: string, trace: string) => `name: ${name}\ntrace: { path: ${trace} }\nseeds: 1\nmetrics: [sync.count]\n`;

  it('sweep: refuses ., a file, a non-empty unmarked or another command\'s directory and a default outside results/ before planning; writes a marked directory it resumes', async () => {
    const d = workdir();
    writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
    writeFileSync(join(d, 'exp.yaml'), experiment('exp', 'bad.csv'));
    writeFileSync(join(d, 'dots.yaml'), experiment('..', 'bad.csv'));
    mkdirSync(join(d, 'mine'));
    writeFileSync(join(d, 'mine', 'a.txt'), 'a');
    mkdirSync(join(d, 'arun'));
    writeFileSync(join(d, 'arun', '.syncsim'), MARK('run'));
    writeFileSync(join(d, 'arun', 'summary.json'), '{}');
    const before = snapshot(d);
    expectRefused(await here(['sweep', 'exp.yaml', '--out', '.'], d), '.', 'is the working directory');
    expectRefused(await here(['sweep', 'exp.yaml', '--out', 'user.txt'], d), 'user.txt', 'is a file');
    expectRefused(await here(['sweep', 'exp.yaml', '--out', 'mine'], d), 'mine', "was not made by 'syncsim sweep'");
    expectRefused(await here(['sweep', 'exp.yaml', '--out', 'arun'], d), 'arun', "holds the output of 'syncsim run', not of 'syncsim sweep'");
    expectRefused(await here(['sweep', 'dots.yaml'], d), 'results/..', 'not a directory inside results/');
    expect(snapshot(d)).toEqual(before); // no trace cache, no run, no results/

    writeFileSync(join(d, 'ok.yaml'), experiment('ok', DEMO));
    mkdirSync(join(d, 'empty'));
    for (let i = 0; i < 2; i++) expect((await here(['sweep', 'ok.yaml', '--out', 'empty', '--jobs', '1', '--no-cache'], d)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'empty', '.syncsim'), 'utf8'))).toMatchObject({ command: 'sweep' });
    expect(existsSync(join(d, 'empty', 'results.csv'))).toBe(true);
    expect(existsSync(lockFileOf(join(d, 'empty')))).toBe(false);

    // merge: the output is checked before any input is read (these do not exist)
    expectRefused(await here(['merge', 'nosuch1', 'nosuch2', '--out', '.'], d), '.', 'is the working directory');
    expectRefused(await here(['merge', 'nosuch1', 'nosuch2', '--out', 'mine'], d), 'mine', "was not made by 'syncsim merge'");
    expectRefused(await here(['merge', 'nosuch1', '--out', ''], d), "''", 'the path is empty');
    for (let i = 0; i < 2; i++) expect((await here(['merge', 'empty', '--out', 'merged'], d)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'merged', '.syncsim'), 'utf8'))).toMatchObject({ command: 'merge' });
    expect(readFileSync(join(d, 'merged', 'results.csv'), 'utf8')).toBe(readFileSync(join(d, 'empty', 'results.csv'), 'utf8'));
  }, 120_000);

  it('validate and calibrate: refused before the job is read or fio runs', async () => {
    const d = workdir();
    writeFileSync(join(d, 'bad.fio'), '[b]\nioengine=psync\nrw=write\nfsync=4\n'); // refused by validate's job check, had it run
    writeFileSync(join(d, '...fio'), '[b]\nioengine=psync\nrw=write\nfsync=4\n');
    mkdirSync(join(d, 'mine'));
    writeFileSync(join(d, 'mine', 'a.txt'), 'a');
    writeFileSync(join(d, 'dev.calibration.json'), '{}\n'); // the user's, beside dev.yaml
    symlinkSync('user.txt', join(d, 'link.yaml'));
    const before = snapshot(d);
    expectRefused(await here(['validate', '--fio-job', 'bad.fio', '--out', '.'], d), '.', 'is the working directory');
    expectRefused(await here(['validate', '--fio-job', 'bad.fio', '--out', 'mine'], d), 'mine', "was not made by 'syncsim validate'");
    expectRefused(await here(['validate', '--fio-job', '...fio'], d), 'results/validation/..', 'not a directory inside results/validation/');
    expectRefused(await here(['calibrate', '-o', 'user.txt'], d), 'user.txt', 'it exists and syncsim did not write it', 'file');
    expectRefused(await here(['calibrate', '-o', '.'], d), '.', 'it is a directory', 'file');
    expectRefused(await here(['calibrate', '-o', ''], d), "''", 'the path is empty', 'file');
    expectRefused(await here(['calibrate', '-o', 'link.yaml'], d), 'link.yaml', 'it is a symbolic link', 'file');
    expectRefused(await here(['calibrate', '-o', 'dev.yaml'], d), 'dev.yaml', `${join(d, 'dev.calibration.json')} exists and syncsim did not write it`, 'file');
    expect(snapshot(d)).toEqual(before);
    // an earlier validation output (marked) is accepted: what fails next is not --out, and the directory is untouched
    mkdirSync(join(d, 'val'));
    writeFileSync(join(d, 'val', '.syncsim'), MARK('validate'));
    writeFileSync(join(d, 'val', 'validation.json'), '{}');
    const v = await here(['validate', '--fio-job', 'bad.fio', '--out', 'val'], d);
    expect(v.code).toBe(2);
    // (the job's own error, or, on a machine without fio, that fio is missing)
    expect(v.stderr).toMatch(/^syncsim: (bad\.fio:2: column ioengine: |fio not found)/);
    expect(readdirSync(join(d, 'val')).sort()).toEqual(['.syncsim', 'validation.json']);
  });
});

describe('one writer per output directory', () => {
  /** Writes a lock file for `out` as process `pid` on `host` would. */
  const fakeLock = (out: string, pid: number, host: string) =>
    writeFileSync(lockFileOf(out), JSON.stringify({ pid, host, command: 'run', since: '2026-01-01T00:00:00.000Z' }) + '\n');

  it('a live holder (this host, or any other host) refuses the second writer, naming it; a dead one of this host is taken over', async () => {
    const d = workdir();
    writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
    writeFileSync(join(d, 'exp.yaml'), experiment1('bad.csv'));
    const live = process.ppid; // the test runner: alive
    fakeLock(join(d, 'out'), live, hostname());
    const before = snapshot(d);
    const r = await here(['run', 'bad.csv', '--out', 'out'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: --out out: locked by pid ${live} on host ${hostname()} (syncsim run, running since 2026-01-01T00:00:00.000Z); wait for it or choose another directory\n`);
    const s = await here(['sweep', 'exp.yaml', '--out', 'out'], d);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(new RegExp(`^syncsim: --out out: locked by pid ${live} on host `));
    const m = await here(['merge', 'nosuch', '--out', 'out'], d);
    expect(m.stderr).toMatch(/^syncsim: --out out: locked by pid /);
    expect(snapshot(d)).toEqual(before);

    const dead = deadPid();
    fakeLock(join(d, 'out'), dead, 'another-host');
    const o = await here(['run', DEMO, '--out', 'out'], d);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain(`locked by pid ${dead} on host another-host`);
    fakeLock(join(d, 'out'), dead, hostname());
    expect((await here(['run', DEMO, '--out', 'out'], d)).code).toBe(0);
    expect(existsSync(join(d, 'out', 'summary.json'))).toBe(true);
    expect(existsSync(lockFileOf(join(d, 'out')))).toBe(false);
  });

  it('two real runs, and two real sweeps, into one --out: the second exits 2 naming the first, which releases its lock on SIGINT / SIGTERM', async () => {
    const d = workdir();
    const lines = ['t_us,task,op,addr,len,flags,object,offset', '0,a,map,0x10000000,0x1000000,,f,0'];
    for (let i = 1; i <= 600_000; i++) lines.push(i % 50 === 0 ? `${i},a,msync,0x10000000,0x1000000,SYNC,,` : `${i},a,write,${0x10000000 + ((i * 7919) % 4096) * 4096},64,,,`);
    writeFileSync(join(d, 'big.csv'), lines.join('\n') + '\n');
    writeFileSync(join(d, 'big.yaml'), experiment1('big.csv'));
    const start = (args: string[]) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: d, stdio: 'ignore' });
      return { child, exited: new Promise<number | null>((res) => child.on('exit', (code, sig) => res(code ?? (sig === 'SIGTERM' ? 143 : -1)))) };
    };
    const run = start(['run', 'big.csv', '--out', 'out', '--no-cache']);
    const sweep = start(['sweep', 'big.yaml', '--out', 'swp', '--no-cache', '--jobs', '1']);
    // each holds its lock from before it reads anything; wait until both are replaying
    for (let i = 0; i < 2400 && !(readdirSync(d).some((n) => n.startsWith('.out.tmp-')) && existsSync(join(d, 'swp', '.staging'))); i++) await new Promise((r) => setTimeout(r, 25));
    const host = hostname().replace(/[.]/g, '\\.');
    for (const [args, child, name] of [[['run', DEMO, '--out', 'out'], run.child, 'run'], [['sweep', 'big.yaml', '--out', 'swp'], sweep.child, 'sweep']] as const) {
      expect(JSON.parse(readFileSync(lockFileOf(join(d, args[3])), 'utf8'))).toMatchObject({ pid: child.pid, host: hostname(), command: name });
      const second = await here([...args], d);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`^syncsim: --out ${args[3]}: locked by pid ${child.pid} on host ${host} \\(syncsim ${name}, running since [0-9T:.Z-]+\\); wait for it or choose another directory\\n$`));
    }
    run.child.kill('SIGINT');
    sweep.child.kill('SIGTERM');
    expect(await run.exited).toBe(130);
    expect(await sweep.exited).toBe(143);
    expect(existsSync(lockFileOf(join(d, 'out')))).toBe(false);
    expect(existsSync(lockFileOf(join(d, 'swp')))).toBe(false);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });
});

/** An experiment named exp of one run on `trace`. */
function experiment1(trace: string): string {
  return `name: exp\ntrace: { path: ${trace} }\nseeds: 1\nmetrics: [sync.count]\n`;
}

describe('checkOutDir', () => {
  it('recognises a validation output of an older syncsim by its files, and refuses OutDirError otherwise', () => {
    const d = workdir();
    const v = join(d, 'v');
    mkdirSync(join(v, 'sim'), { recursive: true });
    writeFileSync(join(v, 'validation.json'), JSON.stringify({ syncsim_version: '0.1.0' }));
    for (const f of ['job.fio', 'fio.iolog', 'fio.json', 'fio_lat.1.log', 'trace.csv', 'pairs.csv', 'validation-cdf.svg']) writeFileSync(join(v, f), 'x');
    expect(checkOutDir(v, { command: 'validate' })).toBe(v);
    expect(() => checkOutDir(v, { command: 'run' })).toThrow(OutDirError);
    writeFileSync(join(v, 'thesis.pdf'), 'x');
    expect(() => checkOutDir(v, { command: 'validate' })).toThrow(/was not made by 'syncsim validate'/);
  });
});

describe('lockOut', () => {
  it('takes over a lock naming this process that it does not hold (a dead process whose pid came back), refuses an unreadable one, and releases only its own', () => {
    const d = workdir();
    const out = join(d, 'o');
    writeFileSync(lockFileOf(out), JSON.stringify({ pid: process.pid, host: hostname(), command: 'run', since: 'then' }));
    const a = lockOut(out, 'run');
    expect(JSON.parse(readFileSync(lockFileOf(out), 'utf8'))).toMatchObject({ pid: process.pid, command: 'run', since: a.holder.since });
    expect(() => lockOut(out, 'run')).toThrow(new RegExp(`^--out ${out.replace(/[.]/g, '\\.')}: locked by pid ${process.pid} on host `));
    a.release();
    expect(existsSync(lockFileOf(out))).toBe(false);
    writeFileSync(lockFileOf(out), 'garbage');
    expect(() => lockOut(out, 'run')).toThrow(/locked \(the lock file .* is unreadable; delete it if no syncsim writes there\)/);
    // a lock replaced under a holder (another writer took it over) is not removed by the holder's release
    rmSync(lockFileOf(out));
    const b = lockOut(out, 'run');
    writeFileSync(lockFileOf(out), JSON.stringify({ pid: process.ppid, host: hostname(), command: 'sweep', since: 'now' }));
    b.release();
    expect(existsSync(lockFileOf(out))).toBe(true);
  });

  it('twelve locks held at once (npm run validate: one per job) share one exit handler, gone when the last is released', () => {
    const d = workdir();
    const before = process.listenerCount('exit');
    const locks = Array.from({ length: 12 }, (_, i) => lockOut(join(d, `o${i}`), 'validate'));
    expect(process.listenerCount('exit')).toBe(before + 1);
    for (const l of locks.slice(0, 11)) l.release();
    expect(process.listenerCount('exit')).toBe(before + 1);
    locks[11]!.release();
    expect(process.listenerCount('exit')).toBe(before);
    expect(locks.map((l) => existsSync(l.path))).toEqual(Array(12).fill(false));
  });

  it('a process that exits with locks held leaves no lock file', () => {
    const d = workdir();
    const mod = resolve(import.meta.dirname, '..', 'traces', 'out-lock.ts');
    const code = `import { lockOut } from ${JSON.stringify(mod)}; for (let i = 0; i < 12; i++) lockOut(${JSON.stringify(d)} + '/o' + i, 'validate'); setTimeout(() => process.exit(0), 20);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // node warns a tick after the 11th listener: the timeout lets it (one listener per lock, as before, would print it)
    expect(r.stderr).not.toMatch(/MaxListenersExceeded/);
    expect(Array.from({ length: 12 }, (_, i) => existsSync(lockFileOf(join(d, `o${i}`))))).toEqual(Array(12).fill(false));
    expect(readdirSync(d)).toEqual(['user.txt']);
  });
});

describe('trace outputs (gen -o, import -o, convert -o, record -o)', () => {
  const MSR = join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv');
  /** The refusal of an existing file that is not a trace syncsim wrote. */
  const NOT_OURS = "it exists and is not recognisable as a trace syncsim wrote (a CSV trace whose second line is '# generated|imported|recorded by syncsim ...', or a .sst trace cache)";
  /** Expects a refusal naming `flag shown`, with nothing in `d` changed since `before`. */
  const refused = (r: { code: number | null; stderr: string; stdout: string }, d: string, before: Record<string, string>, flag: string, shown: string, why: string) => {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`syncsim: ${flag} ${shown}: ${why}; choose a new file${why === NOT_OURS ? ', or move it away first' : ''}\n`);
    expect(snapshot(d)).toEqual(before);
  };

  it('refuse a file syncsim did not write, a hand-written trace, a link and the command\'s own input; replace their own earlier output', async () => {
    const d = workdir();
    writeFileSync(join(d, 'hand.csv'), readFileSync(DEMO)); // a trace in the format, not written by a syncsim command
    writeFileSync(join(d, 'm.csv'), readFileSync(MSR));
    symlinkSync('user.txt', join(d, 'link.csv'));
    const before = snapshot(d);
    const gen = ['gen', 'wal-append', '--set', 'duration_s=0.01'];
    refused(await here([...gen, '-o', 'user.txt'], d), d, before, '--output', 'user.txt', NOT_OURS);
    refused(await here([...gen, '-o', 'hand.csv'], d), d, before, '--output', 'hand.csv', NOT_OURS);
    refused(await here([...gen, '-o', 'link.csv'], d), d, before, '--output', 'link.csv', 'it is a symbolic link');
    refused(await here(['import', '--from', 'msr', 'm.csv', '-o', 'm.csv'], d), d, before, '--out', 'm.csv', 'is the input m.csv');
    refused(await here(['import', '--from', 'msr', 'm.csv', '-o', 'user.txt'], d), d, before, '--out', 'user.txt', NOT_OURS);
    refused(await here(['convert', 'hand.csv', '-o', 'user.txt'], d), d, before, '--out', 'user.txt', NOT_OURS);
    refused(await here(['convert', 'hand.csv', '-o', 'hand.csv'], d), d, before, '--out', 'hand.csv', 'is the input hand.csv');
    refused(await here(['record', '-o', 'user.txt', '--', 'true'], d), d, before, '--out', 'user.txt', NOT_OURS);
    // their own output, plain, gzip-compressed and binary, is replaced by the next run
    for (const out of ['g.csv', 'g.csv.gz']) {
      for (let i = 0; i < 2; i++) expect((await here([...gen, '-o', out], d)).code).toBe(0);
    }
    for (let i = 0; i < 2; i++) expect((await here(['import', '--from', 'msr', 'm.csv', '-o', 'i.csv'], d)).code).toBe(0);
    // an imported trace is the input of the next import: refused as the input, though syncsim wrote it
    refused(await here(['import', '--from', 'msr', 'i.csv', '-o', 'i.csv'], d), d, snapshot(d), '--out', 'i.csv', 'is the input i.csv');
    for (let i = 0; i < 2; i++) expect((await here(['convert', 'g.csv', '-o', 'g.sst'], d)).code).toBe(0);
    expect(readFileSync(join(d, 'user.txt'), 'utf8')).toBe('precious\n');
  });

  it('recognise a trace by the comment syncsim\'s writers put after the magic line, plain or gzip-compressed', () => {
    const head = (s: string) => Buffer.from(s);
    expect(isOurTraceHead(head('# syncsim-trace v1\n# generated by syncsim gen wal-append --seed 1\nt_us,task'))).toBe(true);
    expect(isOurTraceHead(head('# syncsim-trace v1\n# imported by syncsim import --from msr from m.csv\n'))).toBe(true);
    expect(isOurTraceHead(head('# syncsim-trace v1\n# recorded by syncsim record 0.1.0 on h at t\n'))).toBe(true);
    expect(isOurTraceHead(head('# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n'))).toBe(false);
    expect(isOurTraceHead(head('# syncsim-trace v1\n# my notes, generated by syncsim gen long ago\n'))).toBe(false);
    expect(isOurTraceHead(head('precious\n'))).toBe(false);
    // the first 4 KiB of a longer stream (what checkOutFile reads): inflated as far as it goes
    const rows = Array.from({ length: 20000 }, (_, i) => `${i * 7919},t${i % 13},write,0x${(i * 4096).toString(16)},4096,,,\n`).join('');
    const gz = gzipSync(head('# syncsim-trace v1\n# generated by syncsim gen x\n' + rows));
    expect(gz.length).toBeGreaterThan(4096);
    expect(isOurTraceHead(gz.subarray(0, 4096))).toBe(true);
    expect(isOurTraceHead(gzipSync(head('precious\n')))).toBe(false);
    expect(isOurTraceHead(Buffer.from([0x1f, 0x8b, 0, 1, 2]))).toBe(false);
  });
});

describe('files a user added inside syncsim\'s own output', () => {
  it('run and report list what they wrote in .syncsim; a rerun refuses a directory holding anything else, and replaces its own (a run\'s report/ included)', async () => {
    const d = workdir();
    writeFileSync(join(d, 'demo.csv'), readFileSync(DEMO));
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    const marker = JSON.parse(readFileSync(join(d, 'r', '.syncsim'), 'utf8'));
    expect(marker.files).toEqual(readdirSync(join(d, 'r')).filter((n) => n !== '.syncsim').sort());
    expect((await here(['report', 'r'], d)).code).toBe(0);
    // the report is syncsim's too: the run is replaced with it
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    expect(existsSync(join(d, 'r', 'report'))).toBe(false);
    writeFileSync(join(d, 'r', 'NOTES.md'), 'mine\n');
    let before = snapshot(d);
    const r1 = await here(['run', 'demo.csv', '--out', 'r'], d);
    expectRefused(r1, 'r', 'holds what syncsim did not write there ("NOTES.md"), which replacing it would delete');
    expect(snapshot(d)).toEqual(before);
    rmSync(join(d, 'r', 'NOTES.md'));
    expect((await here(['report', 'r'], d)).code).toBe(0);
    mkdirSync(join(d, 'r', 'report', 'plots'));
    writeFileSync(join(d, 'r', 'report', 'plots', 'fig.pdf'), 'mine\n');
    before = snapshot(d);
    expectRefused(await here(['report', 'r'], d), 'r/report', 'holds what syncsim did not write there ("plots/")');
    expectRefused(await here(['run', 'demo.csv', '--out', 'r'], d), 'r', 'holds what syncsim did not write there ("report/plots/")');
    expect(snapshot(d)).toEqual(before);
    // a marker of an older syncsim, with no list: replaced whole, as before
    rmSync(join(d, 'r', 'report'), { recursive: true });
    writeFileSync(join(d, 'r', '.syncsim'), MARK('run'));
    writeFileSync(join(d, 'r', 'NOTES.md'), 'mine\n');
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    expect(existsSync(join(d, 'r', 'NOTES.md'))).toBe(false);
  });

  it('run and report refuse to replace a directory holding another command\'s output (a sweep, a run) put in it later, whose files they cannot tell from a user\'s', async () => {
    const d = workdir();
    writeFileSync(join(d, 'demo.csv'), readFileSync(DEMO));
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { path: demo.csv }\ngrid:\n  device.channels: [1, 2]\n');
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    expect((await here(['sweep', 'e.yaml', '--out', join('r', 'sw'), '--cache-dir', 'c'], d)).code).toBe(0);
    writeFileSync(join(d, 'r', 'sw', 'NOTES.md'), 'my analysis\n');
    let before = snapshot(d);
    expectRefused(await here(['run', 'demo.csv', '--out', 'r'], d), 'r', 'holds what syncsim did not write there ("sw/ (the output of \'syncsim sweep\')"), which replacing it would delete');
    expect(snapshot(d)).toEqual(before);
    // the same inside a report directory, and for another run put inside a run
    expect((await here(['report', 'r'], d)).code).toBe(0);
    expect((await here(['sweep', 'e.yaml', '--out', join('r', 'report', 'sw'), '--cache-dir', 'c'], d)).code).toBe(0);
    before = snapshot(d);
    expectRefused(await here(['report', 'r'], d), 'r/report', 'holds what syncsim did not write there ("sw/ (the output of \'syncsim sweep\')")');
    expect(snapshot(d)).toEqual(before);
    expect((await here(['run', 'demo.csv', '--out', 'r2'], d)).code).toBe(0);
    expect((await here(['run', 'demo.csv', '--out', join('r2', 'sub'), '--no-cache'], d)).code).toBe(0);
    expectRefused(await here(['run', 'demo.csv', '--out', 'r2'], d), 'r2', 'holds what syncsim did not write there ("sub/ (the output of \'syncsim run\')")');
    expect(existsSync(join(d, 'r2', 'sub', 'summary.json'))).toBe(true);
  });
});
