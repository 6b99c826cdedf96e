/**
 * syncsim record: a small C program compiled here stores to known pages
 * between msyncs (and in a forked child); the recorded trace must hold
 * exactly those pages before each msync. The LMDB client must show two
 * msyncs per commit with dirty sets far smaller than its map. Without root
 * (setpriv to nobody) the recording falls back to --assume-dirty and says so.
 * Needs cc (installed by scripts/ensure-tools.sh) and, for the dirty pages,
 * root: the test says which cases it cannot run and why, never silently.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { logUnreadable } from '../scripts/record/record.ts';
import { TraceError } from '../traces/trace-error.ts';
import { dirtyPagesUnavailable } from '../scripts/record/record.ts';
import { syncsimHere, useCacheDir } from './cli-here.ts';

/** syncsim in this process (the recorded program still runs as a child). */
const syncsim = (args: string[]) => syncsimHere(args, dir);

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const TIMEOUT = 120_000;

const dir = mkdtempSync(join(tmpdir(), 'syncsim-record-test-'));
chmodSync(dir, 0o777);
const cache = join(dir, 'cache');

// this file's in-process runs use its own cache directory
useCacheDir(cache);

/** syncsim in a new process (as another user with `prefix`, e.g. setpriv). */
function syncsimSpawned(args: string[], prefix: string[] = []) {
  const cmd = [...prefix, process.execPath, BIN, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: dir, encoding: 'utf8', env: { ...process.env, SYNCSIM_CACHE_DIR: cache } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Data rows of a trace as objects (header names as keys). */
function rowsOf(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter((l) => !l.startsWith('#'));
  const head = lines[0]!.split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i]!, v])));
}

const PROGRAM = `
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, 16 * 4096) != 0) return 3;
  char *p = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 4;
  for (int i = 0; i < 16; i++) p[i * 4096] = 1;    /* every page */
  msync(p, 16 * 4096, MS_SYNC);
  p[2 * 4096] = 2; p[5 * 4096] = 2; p[6 * 4096] = 2; /* pages 2, 5, 6 */
  msync(p, 16 * 4096, MS_SYNC);
  msync(p, 16 * 4096, MS_SYNC);                      /* nothing dirty */
  pid_t c = fork();
  if (c == 0) { p[9 * 4096] = 3; msync(p, 16 * 4096, MS_SYNC); _exit(0); }
  waitpid(c, 0, 0);
  p[15 * 4096] = 4;
  msync(p + 8 * 4096, 8 * 4096, MS_ASYNC);          /* page 15 only, of the upper half */
  mlock(p, 4096); munlock(p, 4096);
  munmap(p, 16 * 4096);
  return 0;
}
`;

const cc = spawnSync('cc', ['--version']).status === 0;
const rootWhy = dirtyPagesUnavailable();

describe('syncsim record', () => {
  const prog = join(dir, 'dirty');
  beforeAll(() => {
    // cc is installed by scripts/ensure-tools.sh (npm test's pretest): without it this fails loudly
    expect(cc, 'cc is needed: scripts/ensure-tools.sh installs it').toBe(true);
    writeFileSync(join(dir, 'dirty.c'), PROGRAM);
    const r = spawnSync('cc', ['-O1', '-o', prog, join(dir, 'dirty.c')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it("says one dirty page in the singular (user trial h202: '1 dirty pages read from the kernel')", async () => {
    if (rootWhy) throw new Error(`this test needs root to read dirty pages: ${rootWhy}`);
    const one = join(dir, 'one');
    writeFileSync(join(dir, 'one.c'), '#include <sys/mman.h>\n#include <fcntl.h>\n#include <unistd.h>\nint main(int c, char **v) { int fd = open(v[1], O_RDWR | O_CREAT | O_TRUNC, 0644); ftruncate(fd, 65536); char *p = mmap(0, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0); p[0] = 1; return msync(p, 65536, MS_SYNC) != 0; }\n');
    const cc1 = spawnSync('cc', ['-O1', '-o', one, join(dir, 'one.c')], { encoding: 'utf8' });
    expect(cc1.status, cc1.stderr).toBe(0);
    const r = await syncsim(['record', '-o', join(dir, 'one.csv'), '--', one, join(dir, 'one.data')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/msync 1; 1 dirty page read from the kernel/);
  }, TIMEOUT);

  it('records exactly the pages the program dirtied before each msync, in the parent and in a forked child', async () => {
    if (rootWhy) throw new Error(`this test needs root to read dirty pages: ${rootWhy}`);
    const out = join(dir, 'exact.csv');
    const r = await syncsim(['record', '-o', out, '--', prog, join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 process\(es\).*msync 5.*; 21 dirty pages read from the kernel/);
    const rows = rowsOf(out);
    // the scans' time, as the trace holds it: each msync row's gap to the first write row before it, task by task
    const gaps: number[] = [];
    const firstWrite = new Map<string, number>();
    for (const x of rows) {
      if (x.op === 'write' && !firstWrite.has(x.task!)) firstWrite.set(x.task!, Number(x.t_us));
      if (x.op === 'msync' && firstWrite.has(x.task!)) {
        gaps.push(Number(x.t_us) - firstWrite.get(x.task!)!);
        firstWrite.delete(x.task!);
      }
    }
    const said = /; the scans for dirty pages held the program ([\d.]+) (?:µs|ms|s) in all, a mean of ([\d.]+) µs before each of the (\d+) msyncs with dirty pages \(the msync row comes that long after its stores: a closed replay keeps it as think time\)\n/.exec(r.stderr);
    expect(said, r.stderr).not.toBeNull();
    const total = gaps.reduce((a, b) => a + b, 0);
    expect(Number(said![3])).toBe(gaps.length);
    expect(Math.abs(Number(said![2]) - total / gaps.length)).toBeLessThan(0.06);
    const map = rows.find((x) => x.op === 'map' && x.object === join(dir, 'data'))!;
    expect(map).toBeDefined();
    const base = Number(map.addr);
    // each msync's preceding writes, as page runs relative to the mapping
    const parent = map.task;
    const seen: { task: string; pages: number[]; len: number; flags: string; measured: boolean }[] = [];
    let pending: number[] = [];
    for (const x of rows) {
      if (x.op === 'write') {
        const first = (Number(x.addr) - base) / 4096;
        for (let i = 0; i < Number(x.len) / 4096; i++) pending.push(first + i);
      } else if (x.op === 'msync') {
        seen.push({ task: x.task!, pages: pending, len: Number(x.len), flags: x.flags!, measured: Number(x.x_measured_us) > 0 && x.x_result === 'OK' });
        pending = [];
      }
    }
    const child = seen.find((s) => s.task !== parent)!.task;
    expect(seen).toEqual([
      { task: parent, pages: [...Array(16).keys()], len: 65536, flags: 'SYNC', measured: true },
      { task: parent, pages: [2, 5, 6], len: 65536, flags: 'SYNC', measured: true },
      { task: parent, pages: [], len: 65536, flags: 'SYNC', measured: true },
      { task: child, pages: [9], len: 65536, flags: 'SYNC', measured: true },
      { task: parent, pages: [15], len: 32768, flags: 'ASYNC', measured: true },
    ]);
    // the child starts with its parent's mapping (fork), the parent wires and unmaps
    expect(rows.filter((x) => x.task === child && x.op === 'map').map((x) => x.object)).toContain(join(dir, 'data'));
    expect(rows.filter((x) => x.task === parent).map((x) => x.op).slice(-3)).toEqual(['wire', 'unwire', 'unmap']);
    // the trace replays
    const run = await syncsim(['run', out, '--out', join(dir, 'exact-run'), '--set', 'personality=linux']);
    expect(run.code, run.stderr).toBe(0);
  }, TIMEOUT);

  it('without root, falls back to --assume-dirty and says so', async () => {
    const setpriv = spawnSync('setpriv', ['--version']).status === 0;
    if (!setpriv) throw new Error('setpriv (util-linux) is needed to run the recording as an unprivileged user');
    if (process.getuid?.() !== 0) throw new Error('this case drops root with setpriv, so it needs root to start from');
    await syncsim(['record', '-o', join(dir, 'warm.csv'), '--', 'true']); // builds the shim into the cache first, as root
    chmodSync(cache, 0o777);
    const out = join(dir, 'fallback.csv');
    const r = syncsimSpawned(['record', '-o', out, '--', prog, join(dir, 'data2')], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    expect(r.stderr).toMatch(/\/proc\/kpageflags is not readable .*: dirty pages need root; falling back to --assume-dirty mapped-before-msync/);
    expect(r.code, r.stderr).toBe(0);
    const writes = rowsOf(out).filter((x) => x.op === 'write');
    // one synthesised store of the mapping's part of each msync range: 4 whole-map msyncs + the upper half
    expect(writes.map((x) => [x.len, x.x_syscall])).toEqual([
      ['65536', 'assume-dirty'], ['65536', 'assume-dirty'], ['65536', 'assume-dirty'], ['65536', 'assume-dirty'], ['32768', 'assume-dirty'],
    ]);
    // pages=N, as import --from strace takes it: N pages before each msync (it was refused as an unknown mode)
    const two = join(dir, 'fallback-pages.csv');
    const p = syncsimSpawned(['record', '-o', two, '--assume-dirty', 'pages=2', '--', prog, join(dir, 'data3')], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toMatch(/falling back to --assume-dirty pages=2/);
    const msyncs = rowsOf(two).filter((x) => x.op === 'msync').length;
    const pages = rowsOf(two).filter((x) => x.op === 'write').reduce((n, x) => n + Number(x.len) / 4096, 0);
    expect([msyncs, pages]).toEqual([5, 10]);
  }, TIMEOUT);

  it('shows the progress of making the trace once the program has run, off a terminal as lines on stderr; none with -q', async () => {
    const tty = process.stderr.isTTY;
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true, writable: true });
    // the progress timers and clock are fake, 10 s a turn of the event loop; the program and I/O are real
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      for (const quiet of [false, true]) {
        const out = join(dir, `progress-${quiet}.csv`);
        let done = false;
        const job = syncsim(['record', '-o', out, ...(quiet ? ['-q'] : []), '--', prog, join(dir, 'data-progress')]).finally(() => (done = true));
        while (!done) {
          await new Promise((r) => setImmediate(r));
          vi.advanceTimersByTime(10_000);
        }
        const r = await job;
        expect(r.code, r.stderr).toBe(0);
        const rows = rowsOf(out).length;
        const lines = r.stderr.split('\n').filter((l) => l.startsWith('record: '));
        if (quiet) expect(lines).toEqual([]);
        else {
          expect(lines.length).toBeGreaterThan(1);
          expect(lines.at(-1)).toMatch(new RegExp(`^record: ${rows} rows in \\d+`));
          expect(lines.slice(0, -1).every((l) => /^record: [\d,]+ rows(, \d+% of the log)?, /.test(l))).toBe(true);
        }
      }
    } finally {
      vi.useRealTimers();
      Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true, writable: true });
    }
  }, TIMEOUT);

  it('says which calls the trace does not hold as the program made them: an msync past its address range, one with an unknown flag', async () => {
    writeFileSync(join(dir, 'odd.c'), `
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, 4096) != 0) return 3;
  char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 4;
  msync(p, (size_t)-4096, MS_SYNC);  /* EINVAL: its end is past any address the trace takes */
  msync(p, 4096, 0x40);              /* EINVAL: a flag bit that has no name */
  msync(p, 4096, MS_SYNC);
  return 0;
}
`);
    const c = spawnSync('cc', ['-O1', '-o', join(dir, 'odd'), join(dir, 'odd.c')], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    const r = await syncsim(['record', '-o', join(dir, 'odd.csv'), '--', join(dir, 'odd'), join(dir, 'odd-data')]);
    expect(r.code, r.stderr).toBe(0);
    expect(rowsOf(join(dir, 'odd.csv')).filter((x) => x.op === 'msync').map((x) => [x.flags, x.x_result])).toEqual([['', 'EINVAL'], ['SYNC', 'OK']]);
    // before, the line said 'msync 2' and nothing of the third call
    expect(r.stderr).toMatch(/msync 2; .*; not as the program made them: 1 call past the trace's address range, left out \(out_of_range\), 1 msync with flags the trace has no name for, the flags left off \(msync_unknown_flags\)\n/);
  }, TIMEOUT);

  it('checks --assume-dirty before the program runs: pages=N is taken, measured (no --calibration here) and a bad N refused', async () => {
    const marker = join(dir, 'mode-marker');
    const ok = await syncsim(['record', '-o', join(dir, 'mode-ok.csv'), '--assume-dirty', 'pages=3', '--', 'sh', '-c', 'true']);
    expect(ok.code, ok.stderr).toBe(0);
    for (const [mode, message] of [
      ['measured', /--assume-dirty measured needs a calibration, which record does not take \(nothing was run\): .*--keep-log FILE and import it with 'syncsim import --from strace FILE --assume-dirty measured --calibration CAL'/],
      ['pages=N', /--assume-dirty pages=N expects N a whole number of pages, at least 1 \(got 'pages=N'\)/],
      ['pages=0', /--assume-dirty pages=N expects N a whole number of pages, at least 1 \(got 'pages=0'\)/],
      ['bogus', /unknown mode 'bogus' \(expected one of none, whole-range-before-msync, mapped-before-msync, pages=N\)/],
    ] as const) {
      const r = await syncsim(['record', '-o', join(dir, 'mode.csv'), '--assume-dirty', mode, '--', 'sh', '-c', `touch ${marker}`]);
      expect([r.code, r.stderr]).toMatchObject([2, expect.stringMatching(message)]);
      // refused before the program ran: before, the program ran and its recording was lost
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(dir, 'mode.csv'))).toBe(false);
    }
  }, TIMEOUT);

  it('records the LMDB client: two msyncs per commit, dirty sets far smaller than the map', async () => {
    if (rootWhy) throw new Error(`this test needs root to read dirty pages: ${rootWhy}`);
    if (spawnSync('/usr/bin/python3', ['-c', 'import lmdb']).status !== 0) throw new Error('python3-lmdb is needed: scripts/ensure-tools.sh installs it');
    const out = join(dir, 'lmdb.csv');
    const r = await syncsim(['record', '-o', out, '--', '/usr/bin/python3', join(ROOT, 'workloads', 'apps', 'lmdb-commits.py'), '--txns', '20', '--dir', join(dir, 'db')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = rowsOf(out);
    const data = rows.find((x) => x.op === 'map' && x.object!.endsWith('data.mdb'))!;
    expect(Number(data.len)).toBe(64 << 20);
    const msyncs = rows.filter((x) => x.op === 'msync');
    expect(msyncs.length).toBe(2 * 20);
    // per commit: the data map whole, then one meta page
    for (let i = 0; i < msyncs.length; i += 2) {
      expect([msyncs[i]!.len, msyncs[i + 1]!.len]).toEqual([String(64 << 20), '4096']);
      expect(msyncs[i]!.x_measured_us !== '' && msyncs[i + 1]!.x_measured_us !== '').toBe(true);
    }
    // dirty pages per data msync: a handful, never the 16,384 pages of the map
    let pages = 0, max = 0;
    for (const x of rows) {
      if (x.op === 'write') pages += Number(x.len) / 4096;
      if (x.op === 'msync') {
        max = Math.max(max, pages);
        pages = 0;
      }
    }
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThan(64);
  }, TIMEOUT);

  it('validate --trace replays a recorded trace against its measured msyncs and, with --repeat 2, records the program again', async () => {
    if (rootWhy) throw new Error(`this test needs root to read dirty pages: ${rootWhy}`);
    const trace = join(dir, 'exact.csv'); // from the first test
    expect(existsSync(trace)).toBe(true);
    const out = join(dir, 'val-trace');
    const r = await syncsim(['validate', '--trace', trace, '--out', out, '--repeat', '2', '--set', 'device.channels=2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/recorded from: .*dirty/);
    const v = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8'));
    expect(v.job).toMatchObject({ file: trace, name: 'exact', jobs: 2, fio_version: null, command: [prog, join(dir, 'data')], advice: null });
    expect(v.repeat).toBe(2);
    expect(v.matched_syncs).toBe(5);
    // both recordings pooled: 5 + 5 measured msyncs; the replay's 5 simulated, for each of the 8 seeds (1..8) pooled
    expect(v.measured.count).toBe(10);
    expect(v.simulated.seeds).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(v.simulated.count).toBe(8 * 5);
    expect(v.noise_floor_pct).toBeGreaterThan(0);
    expect(v.noise_ratio).toBeCloseTo(v.demerit_pct / v.noise_floor_pct, 9);
    // the measured side of run 1 is the trace's own x_measured_us, task by task
    const measured = rowsOf(trace).filter((x) => x.op === 'msync').map((x) => Number(x.x_measured_us)).sort((a, b) => a - b);
    const pairs = readFileSync(join(out, 'pairs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(pairs.map((f) => Number(f[3])).sort((a, b) => a - b)).toEqual(measured);
    expect(existsSync(join(out, 'repeat-2', 'trace.csv'))).toBe(true);
  }, TIMEOUT);

  it('validate --trace refuses a trace without measured msyncs, and --repeat without a recorded program', async () => {
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,4096,,f,0\n1,a,msync,0x10000,4096,SYNC,,\n');
    const a = await syncsim(['validate', '--trace', plain, '--out', join(dir, 'v-plain')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/plain\.csv:4: column x_measured_us: an msync without a measured latency/);
    const measured = join(dir, 'measured.csv');
    writeFileSync(measured, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset,x_measured_us\n0,a,map,0x10000,4096,,f,0,\n1,a,msync,0x10000,4096,SYNC,,,120\n');
    const b = await syncsim(['validate', '--trace', measured, '--out', join(dir, 'v-rep'), '--repeat', '2']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--repeat 2 records the program again, but .*measured\.csv does not name one/);
    expect(existsSync(join(dir, 'v-rep', 'validation.json'))).toBe(false);
    const c = await syncsim(['validate', '--trace', measured, '--fio-job', 'x.fio']);
    expect(c.stderr).toMatch(/--fio-job and --trace are exclusive/);
  });

  it('usage errors exit 2 with a message', async () => {
    expect((await syncsim(['record'])).stderr).toMatch(/record needs a program to run/);
    expect((await syncsim(['record'])).code).toBe(2);
    expect((await syncsim(['record', 'prog'])).stderr).toMatch(/put the program after '--'/);
    // an empty program name (an unset shell variable) is said as such, not a stack trace
    const empty = await syncsim(['record', '-o', join(dir, 'empty.csv'), '--', '', 'data']);
    expect([empty.code, empty.stderr]).toEqual([2, "syncsim: record: the program's name after '--' is empty (an unset shell variable?): syncsim record [-o TRACE.csv] -- PROGRAM [ARGS...]\n"]);
    expect(existsSync(join(dir, 'empty.csv'))).toBe(false);
    expect((await syncsim(['record', '--assume-dirty', 'bogus', '--', 'true'])).stderr).toMatch(/unknown mode 'bogus'/);
    expect((await syncsim(['record', '--page-size', '1000', '--', 'true'])).stderr).toMatch(/--page-size expects a power of two/);
    const nf = await syncsim(['record', '-o', join(dir, 'nf.csv'), '--', join(dir, 'no-such-program')]);
    expect(nf.code).toBe(2);
    expect(nf.stderr).toMatch(/program not found/);
    expect(existsSync(join(dir, 'nf.csv'))).toBe(false);
  });

  it('refuses -o into a missing directory before the program runs; a failing run keeps an earlier recording', async () => {
    const marker = join(dir, 'ran-marker');
    const nd = await syncsim(['record', '-o', join(dir, 'nodir', 'r.csv'), '--', 'sh', '-c', `touch ${marker}`]);
    expect([nd.code, nd.stderr]).toEqual([2, `syncsim: cannot write ${join(dir, 'nodir', 'r.csv')}: its directory does not exist (nothing was run)\n`]);
    expect(existsSync(marker)).toBe(false);
    // a recording, then another into the same file: refused before the program runs, unless --replace
    const out = join(dir, 'keep.csv');
    expect((await syncsim(['record', '-o', out, '--', 'true'])).code).toBe(0);
    const before = readFileSync(out);
    const at = /^# recorded by syncsim record .* at (\S+) \(page size \d+\)$/m.exec(before.toString('utf8'))![1];
    const refused = await syncsim(['record', '-o', out, '--', 'sh', '-c', `touch ${marker}`]);
    expect([refused.code, refused.stderr]).toEqual([2, `syncsim: --out ${out}: holds an earlier recording of true (recorded at ${at}, exit status 0); a recording is measured data that cannot be made again, so record writes over one only with --replace: give a new --out FILE, or add --replace (nothing was run)\n`]);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(out)).toEqual(before);
    // with --replace, a run of a program that fails into the same file: the recording of the one that succeeded stays, byte for byte
    const f = await syncsim(['record', '-o', out, '--replace', '--', 'sh', '-c', 'exit 3']);
    expect(f.code).toBe(3);
    expect(f.stderr).toContain(`exited with 3: ${out}, the recording of an earlier run that succeeded, is kept; this run's trace was not written`);
    expect(readFileSync(out)).toEqual(before);
    expect(readFileSync(out, 'utf8')).toContain('# recorded-exit-status: 0\n');
    // with no earlier file, a failing run's recording is written, as before; and a program that always fails can be recorded again
    const fresh = join(dir, 'failing.csv');
    expect((await syncsim(['record', '-o', fresh, '--', 'sh', '-c', 'exit 3'])).code).toBe(3);
    expect(readFileSync(fresh, 'utf8')).toContain('# recorded-exit-status: 3\n');
    const again = await syncsim(['record', '-o', fresh, '--replace', '--', 'sh', '-c', 'exit 4']);
    expect(again.code).toBe(4);
    expect(readFileSync(fresh, 'utf8')).toContain('# recorded-exit-status: 4\n');
    // and a succeeding run replaces an earlier recording with --replace
    expect((await syncsim(['record', '-o', out, '--replace', '--', 'sh', '-c', 'exit 0'])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('"sh","-c","exit 0"');
  }, TIMEOUT);

  it('never replaces a file the program made at -o while it ran: exit 2, the file left as the program wrote it', async () => {
    const out = join(dir, 'made-by-program.csv');
    const r = await syncsim(['record', '-q', '-o', out, '--', 'sh', '-c', `echo 'program output' > ${out}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('it was made there while syncsim record ran; it is left as it is, and the trace was not written');
    expect(readFileSync(out, 'utf8')).toBe('program output\n');
    expect(readdirSync(dir).filter((n) => n.startsWith('made-by-program.csv') || n.startsWith('.made-by-program.csv'))).toEqual(['made-by-program.csv']);
  });

  it('names each mapped file by its bytes, whatever they are (a comma, a quote, a >, a ), an é), as strace -y would', async () => {
    const names = ['a,b', 'q"uote', 'gt>lt<', 'par)en', 'café'].map((n) => join(dir, n));
    for (const [i, name] of names.entries()) {
      const out = join(dir, `names${i}.csv`);
      const rec = await syncsim(['record', '-o', out, '--', prog, name]);
      expect(rec.code, rec.stderr).toBe(0);
      const maps = readFileSync(out, 'utf8').split('\n').filter((l) => l.includes(',map,'));
      // the CSV quotes a name with a comma or a quote
      const shown = /[,"]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
      expect(maps.some((l) => l.includes(`,${shown},`)), maps.join('\n')).toBe(true);
    }
  }, TIMEOUT);

  it('refuses, before the program runs, a --page-size other than this system\'s and (from the command line) an argument that is not UTF-8', async () => {
    const marker = join(dir, 'ran-page-size');
    const ps = await syncsim(['record', '-o', join(dir, 'ps.csv'), '--page-size', '8192', '--', 'sh', '-c', `touch ${marker}`]);
    expect([ps.code, ps.stderr]).toEqual([2, 'syncsim: --page-size 8192: the program runs on this system, whose pages are 4096 bytes, and its mappings are aligned to those; leave --page-size out\n']);
    expect(existsSync(marker)).toBe(false);
    // a byte that is not UTF-8, given on the command line (Node would pass it on as U+FFFD)
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" record -o "${join(dir, 'u.csv')}" -- "${prog}" "$(printf '${dir}/f\\377')"`], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`syncsim: record: argument 1 of the program ('${dir}/f\\xff') is not UTF-8, and Node would pass it on altered (each bad byte as U+FFFD); give the program a name it can be passed (a symbolic link, a script)\n`);
    expect(existsSync(join(dir, 'u.csv'))).toBe(false);
  }, TIMEOUT);

  it('a log it cannot read is said as such, kept with --keep-log (the trace not written), not named by its temporary path', () => {
    const log = join(dir, 'tmp-record.strace');
    writeFileSync(log, '1 1.000000000 mmap(0, 8192) = 0x1000 <0.000001>\n');
    const e = new TraceError(log, 1, 'mmap', 'expected 6 arguments (addr, length, prot, flags, fd, offset)', '0, 8192');
    const kept = join(dir, 'kept-on-error.log');
    const told = logUnreadable(e, log, kept, 'out.csv') as Error;
    expect(told.message).toBe(`record: the program ran, but its log cannot be read: line 1, column mmap: expected 6 arguments (addr, length, prot, flags, fd, offset) (got '0, 8192'); out.csv was not written; the log is kept in ${kept}`);
    expect(readFileSync(kept, 'utf8')).toBe(readFileSync(log, 'utf8'));
    expect((logUnreadable(e, log, undefined, 'out.csv') as Error).message).toMatch(/; out\.csv was not written; give --keep-log FILE to keep the log$/);
    // an error of another file goes through as it is
    const other = new TraceError('elsewhere', 1, '-', 'x', '');
    expect(logUnreadable(other, log, undefined, 'out.csv')).toBe(other);
  });

  it('--keep-log writes only a new file, checked before the program runs; the log is the shim\'s strace-format log', async () => {
    const mine = join(dir, 'mine.log');
    writeFileSync(mine, 'my own strace output\n');
    const marker = join(dir, 'ran-keep-log');
    const touch = ['--', 'sh', '-c', `touch ${marker}`];
    for (const [log, why] of [
      [mine, /--keep-log .*mine\.log: exists; the shim log is only written to a new file/],
      [dir, /--keep-log .*: is a directory/],
      [join(dir, 'no-dir', 'x.log'), /--keep-log .*x\.log: its directory .*no-dir does not exist/],
      [join(dir, 'kl.csv'), /--keep-log .*kl\.csv: is the trace's --out as well/],
    ] as const) {
      const r = await syncsim(['record', '-o', join(dir, 'kl.csv'), '--keep-log', log, ...touch]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    expect(readFileSync(mine, 'utf8')).toBe('my own strace output\n');
    expect(existsSync(marker)).toBe(false); // refused before the program ran
    expect(existsSync(join(dir, 'kl.csv'))).toBe(false);
    const ok = await syncsim(['record', '-o', join(dir, 'kl.csv'), '--keep-log', join(dir, 'kept.log'), '--', prog, join(dir, 'kl.bin')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'kept.log'), 'utf8')).toMatch(/^\d+ \d+\.\d+ \w+\(/);
    expect(readdirSync(dir).filter((n) => n.startsWith('.kept.log'))).toEqual([]);
    // a log file the program itself makes is never replaced; the trace is kept
    const made = join(dir, 'made-by-program.log');
    const race = await syncsim(['record', '-o', join(dir, 'race.csv'), '--keep-log', made, '--', 'sh', '-c', `echo precious > ${made}`]);
    expect(race.code).toBe(2);
    expect(race.stderr).toMatch(/--keep-log .*made-by-program\.log: .* appeared while the program ran, and is left as it is; the trace .*race\.csv was written/);
    expect(readFileSync(made, 'utf8')).toBe('precious\n');
    expect(existsSync(join(dir, 'race.csv'))).toBe(true);
    // a directory where no file can be made: refused before the program runs
    const proc = await syncsim(['record', '-o', join(dir, 'proc.csv'), '--keep-log', '/proc/syncsim-k.log', ...touch]);
    expect([proc.code, proc.stderr]).toEqual([2, 'syncsim: --keep-log /proc/syncsim-k.log: no file can be made in /proc (ENOENT); choose another directory\n']);
    expect(existsSync(marker)).toBe(false);
  }, TIMEOUT);

  it('a program that makes no call the shim sees is reported: one that maps nothing, and a statically linked one', async () => {
    const r = await syncsim(['record', '-o', join(dir, 'true.csv'), '--', 'true']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/true made no call the shim sees .*: the trace is empty/);
    const s = spawnSync('cc', ['-O1', '-static', '-o', `${prog}-static`, join(dir, 'dirty.c')], { encoding: 'utf8' });
    expect(s.status, `cc -static (libc6-dev's libc.a): ${s.stderr}`).toBe(0);
    const st = await syncsim(['record', '-o', join(dir, 'static.csv'), '--', `${prog}-static`, join(dir, 'data3')]);
    expect(st.code).toBe(0);
    expect(st.stderr).toMatch(/made no call the shim sees \(is it statically linked/);
    expect(rowsOf(join(dir, 'static.csv'))).toEqual([]);
  });

  it('records madvise and posix_madvise: the access advice reaches the trace as map flags (POSIX_MADV_DONTNEED, a no-op in glibc, does not)', async () => {
    const src = join(dir, 'advise.c'), bin = join(dir, 'advise');
    writeFileSync(src, `
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, 16 * 4096) != 0) return 3;
  char *p = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 4;
  if (madvise(p, 16 * 4096, MADV_RANDOM) != 0) return 5;
  if (posix_madvise(p + 8 * 4096, 8 * 4096, POSIX_MADV_SEQUENTIAL) != 0) return 6;
  if (posix_madvise(p, 4096, POSIX_MADV_DONTNEED) != 0) return 7;
  p[0] = 1;
  msync(p, 16 * 4096, MS_SYNC);
  return 0;
}
`);
    const c = spawnSync('cc', ['-O1', '-o', bin, src], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    const out = join(dir, 'advise.csv');
    const r = await syncsim(['record', '-o', out, '--', bin, join(dir, 'data4')]);
    expect(r.code, r.stderr).toBe(0);
    const all = rowsOf(out);
    const rows = all.slice(0, all.findIndex((x) => x.op === 'msync')).filter((x) => x.object === join(dir, 'data4') || x.op === 'unmap');
    const base = Number(rows.find((x) => x.op === 'map')!.addr);
    expect(rows.filter((x) => x.op === 'map' || x.op === 'unmap').map((x) => [x.op, (Number(x.addr) - base) / 4096, Number(x.len) / 4096, x.flags])).toEqual([
      ['map', 0, 16, ''],
      ['unmap', 0, 16, ''], ['map', 0, 16, 'RANDOM'],
      ['unmap', 8, 8, ''], ['map', 8, 8, 'SEQUENTIAL'],
    ]);
    expect(all.find((x) => x.op === 'msync')!.x_result).toBe('OK');
  });
});
