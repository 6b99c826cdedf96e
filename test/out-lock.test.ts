/**
 * One writer per output directory: a command that writes a directory takes a
 * lock beside it before it reads anything, so that a second writer of the
 * same output exits 2 naming the first; a lock of a dead process of this host
 * is taken over, and a lock is gone when its holder ends (normally, on a
 * signal, or by exiting with locks held), or when it could not be written.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { lockFileOf, lockOut, liveWriter } from '../traces/out-lock.ts';
import { BAD_TRACE, DEMO, SMALL_TRACE, experiment, ROOT, snapshot, workdir } from './out-fixtures.ts';
import { cliCases } from './cli-cases.ts';

const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const here = syncsimHere;
/** The pid of a process that has ended (`true`: no Node start-up for it). */
const deadPid = () => spawnSync('true').pid!;

describe('one writer per output directory', () => {
  /** Writes a lock file for `out` as process `pid` on `host` would. */
  const fakeLock = (out: string, pid: number, host: string) =>
    writeFileSync(lockFileOf(out), JSON.stringify({ pid, host, command: 'run', since: '2026-01-01T00:00:00.000Z' }) + '\n');

  it('report refuses results a live run is replacing (its report would be of the old results, and its lock in them in the way of the new), before taking any lock; a dead run\'s lock is no obstacle', async () => {
    const d = workdir();
    writeFileSync(join(d, 'small.csv'), SMALL_TRACE);
    expect((await here(['run', 'small.csv', '--out', 'out', '-q'], d)).code).toBe(0);
    const live = process.ppid; // the test runner: alive
    fakeLock(join(d, 'out'), live, hostname());
    const before = snapshot(d);
    const r = await here(['report', 'out'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: out: 'syncsim run' is writing these results now (pid ${live} on host ${hostname()}, since 2026-01-01T00:00:00.000Z): draw the report once it has finished\n`);
    expect(snapshot(d)).toEqual(before);
    fakeLock(join(d, 'out'), deadPid(), hostname());
    const ok = await here(['report', 'out', '--format', 'svg', '--chart', 'latency-cdf', '-q'], d);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('a live holder (this host, or any other host) refuses the second writer, naming it; a dead one of this host is taken over', async () => {
    const d = workdir();
    writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
    writeFileSync(join(d, 'small.csv'), SMALL_TRACE);
    writeFileSync(join(d, 'exp.yaml'), experiment('exp', 'bad.csv'));
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
    expect((await here(['run', 'small.csv', '--out', 'out'], d)).code).toBe(0);
    expect(existsSync(join(d, 'out', 'summary.json'))).toBe(true);
    expect(existsSync(lockFileOf(join(d, 'out')))).toBe(false);
  });

  it('two real runs, and two real sweeps, into one --out: the second exits 2 naming the first, which releases its lock on SIGINT / SIGTERM', async () => {
    const d = workdir();
    const lines = ['t_us,task,op,addr,len,flags,object,offset', '0,a,map,0x10000000,0x1000000,,f,0'];
    for (let i = 1; i <= 600_000; i++) lines.push(i % 50 === 0 ? `${i},a,msync,0x10000000,0x1000000,SYNC,,` : `${i},a,write,${0x10000000 + ((i * 7919) % 4096) * 4096},64,,,`);
    writeFileSync(join(d, 'big.csv'), lines.join('\n') + '\n');
    writeFileSync(join(d, 'big.yaml'), experiment('exp', 'big.csv'));
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

  it('liveWriter judges a holder as lockOut does: a lock naming this process that it does not hold is no live writer; one it holds, or a live one of another pid, is', () => {
    const d = workdir();
    const out = join(d, 'shard');
    const lock = (pid: number) => writeFileSync(lockFileOf(out), JSON.stringify({ pid, host: hostname(), command: 'sweep', since: 'then' }));
    // what a dead sweep whose pid came back to this process left: merge must not say a sweep is writing it now
    lock(process.pid);
    expect(liveWriter(out, 'sweep')).toBeUndefined();
    lock(process.ppid);
    expect(liveWriter(out, 'sweep')).toMatchObject({ pid: process.ppid, command: 'sweep' });
    expect(liveWriter(out, 'run')).toBeUndefined();
    rmSync(lockFileOf(out));
    const held = lockOut(out, 'sweep');
    try {
      expect(liveWriter(out, 'sweep')).toMatchObject({ pid: process.pid, since: held.holder.since });
    } finally {
      held.release();
    }
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

describe('a lock file that cannot be written', () => {
  it('under a file size limit of 0 (a full disk): every command that locks an output exits 2 naming the lock file, leaves none, and the next writer is not locked out', async () => {
    const d = workdir();
    // (about locks, not results: the runs replay a small trace)
    writeFileSync(join(d, 'small.csv'), SMALL_TRACE);
    writeFileSync(join(d, 'exp.yaml'), experiment('exp', 'small.csv'));
    expect((await here(['run', 'small.csv', '--out', 'R', '--no-cache'], d)).code).toBe(0);
    expect((await here(['sweep', 'exp.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d)).code).toBe(0);
    const before = snapshot(d);
    const cases = [
      [['run', 'small.csv', '--out', 'new/O', '--no-cache'], 'new/O', 'new'],
      [['report', 'R', '--format', 'svg'], 'R/report', 'R'],
      [['compare', 'R', 'R', '--out', 'C', '--reps', '100'], 'C', '.'],
      [['sweep', 'exp.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], 'S', '.'],
      [['merge', 'S', '--out', 'M'], 'M', '.'],
    ] as const;
    // RLIMIT_FSIZE 0: creating the lock file succeeds, writing its holder fails (EFBIG; node ignores SIGXFSZ), as on a full disk.
    // The cases one after the other in one such process (test/workers/cli-cases.mjs), each with what d holds right after it
    const ended = cliCases(cases.map(([args]) => ({ args, cwd: '.', list: '.' })), { cwd: d, fileLimitKiB: 0 });
    expect(ended).toHaveLength(cases.length);
    for (const [k, [args, out, lockDir]] of cases.entries()) {
      const e = ended[k]!;
      const lock = join(dirname(out), `.${basename(out)}.lock`).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect([e.code, e.stdout], args.join(' ')).toEqual([2, '']);
      expect(e.stderr, args.join(' ')).toMatch(new RegExp(`^syncsim: --out \\S+: cannot write the lock file ${lock} \\(EFBIG: [^)]*\\); choose another directory\\n$`));
      expect(e.listing!.includes(join(lockDir, `.${out.split('/').pop()}.lock`)), args.join(' ')).toBe(false);
      // nothing else either: not the directory made to hold the lock (no file can be given any content under the limit:
      // what d holds after each case, then the whole of it, files' content too, after the last)
      expect(e.listing, args.join(' ')).toEqual(Object.keys(before).sort());
    }
    expect(snapshot(d)).toEqual(before);
    // the next writer of each is not refused as locked
    expect((await here(['run', 'small.csv', '--out', 'new/O', '--no-cache'], d)).code).toBe(0);
    expect((await here(['sweep', 'exp.yaml', '--out', 'S', '--no-cache', '--jobs', '1'], d)).code).toBe(0);
  }, 120_000);
});
