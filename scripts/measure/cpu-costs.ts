/**
 * `npm run measure:cpu -- [--reps N] [--dir PATH] [-o FILE] [--json]`: measures
 * this machine's CPU costs that syncsim's `cpu.*` keys model, with the probe
 * cpu-costs.c (compiled with the system `cc`), and prints them (median and
 * interquartile range over the repetitions, µs of the calling thread's CPU
 * time). `-o FILE` writes them as a configuration fragment for `--config`.
 *
 * Where: as root, by default, on a fresh ext4 filesystem on a RAM-backed loop
 * device (an image file in /dev/shm, `mount -o loop` on a temporary
 * directory), so writeback never waits for a real device and no device
 * interrupt lands on the measuring thread; all of it is removed afterwards
 * (also on SIGINT/SIGTERM). `--dir PATH` (or not root) measures on the
 * filesystem of PATH instead. Thread CPU time excludes time asleep, i.e. the
 * device time of msync(MS_SYNC), in either case.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuFigures, parseSamples, type CpuFigures, type Spread } from './cpu-fit.ts';
import { compileProbe, runProbe } from './cpu-probe.ts';
import { cleanIo, cpuCvOf, writebackCall } from '../validate/cpu-calibration.ts';
import { endBySignal, onStopSignal } from '../interrupt.ts';

/** First line of a fragment this command wrote (so `-o` replaces only those). */
const MARKER = '# syncsim measure:cpu';
const USAGE = 'usage: npm run measure:cpu -- [--reps N] [--dir PATH] [-o FILE] [--json]';

interface Options { reps: number; dir?: string; out?: string; json: boolean }

function parseArgs(argv: string[]): Options {
  const o: Options = { reps: 40, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--reps') {
      o.reps = Number(value());
      if (!Number.isInteger(o.reps) || o.reps < 3 || o.reps > 10000) throw new Error('--reps: an integer from 3 to 10000');
    } else if (a === '--dir') o.dir = value();
    else if (a === '-o') o.out = value();
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown argument '${a}'\n${USAGE}`);
  }
  return o;
}

const sh = (cmd: string, args: string[]): string => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  return r.stdout;
};

/** Undo steps of what was created, run in reverse order once. */
const undo: (() => void)[] = [];
function cleanUp(): void {
  while (undo.length > 0) {
    try {
      undo.pop()!();
    } catch (e) {
      process.stderr.write(`measure:cpu: cleanup: ${(e as Error).message}\n`);
    }
  }
}

/** A fresh ext4 on a loop device over an image in /dev/shm, mounted on a temporary directory; returns the mount point. */
function ramExt4(): string {
  const img = mkdtempSync('/dev/shm/syncsim-cpu-');
  undo.push(() => rmSync(img, { recursive: true, force: true }));
  const file = join(img, 'fs.img');
  sh('truncate', ['-s', '64M', file]);
  sh('mkfs.ext4', ['-q', '-F', file]);
  const mnt = mkdtempSync(join(tmpdir(), 'syncsim-cpu-mnt-'));
  undo.push(() => rmSync(mnt, { recursive: true, force: true }));
  sh('mount', ['-o', 'loop', file, mnt]); // the loop device is autocleared at umount
  undo.push(() => sh('umount', [mnt]));
  return mnt;
}

/** Runs the probe; resolves with its output. A stop signal while it runs stops it, cleans up and exits 128 + the signal's number (130 for SIGINT). */
function probe(bin: string, dir: string, reps: number): Promise<string> {
  let release = () => {};
  return runProbe(bin, dir, reps, (child) => {
    release = onStopSignal((sig) => {
      child.kill('SIGTERM');
      child.on('close', () => {
        cleanUp();
        endBySignal(sig);
      });
    });
  }).finally(() => release());
}

/** Where and when: the machine, `uname -r`, the date (UTC). */
function machine(): { cpu: string; kernel: string; arch: string; date: string } {
  return { cpu: cpus()[0]?.model ?? 'unknown', kernel: sh('uname', ['-r']).trim(), arch: process.arch, date: new Date().toISOString().slice(0, 10) };
}

const r2 = (v: number) => Math.round(v * 100) / 100;
const show = (s: Spread) => `${r2(s.median_us)}`.padStart(9) + `   ${r2(s.q1_us)} .. ${r2(s.q3_us)}`.padEnd(20);

function table(f: CpuFigures, m: ReturnType<typeof machine>, where: string, reps: number): string {
  const rows: [string, Spread, string][] = [
    ['cpu.syscall_us', f.syscall_us, 'msync(1 page, MS_ASYNC) of a clean page, per call'],
    ['cpu.fault_page_us', f.fault_page_us, 'first store to a cached, clean page of a MAP_SHARED file mapping (slope)'],
    ['cpu.clean_page_us', f.clean_page_us, 'msync(MS_SYNC) per dirty page written, CPU of the caller (slope)'],
    ...(f.clean_page_busy_us ? [['cpu.clean_page_busy_us', f.clean_page_busy_us, 'the same, 16 .. 256 pages, while another CPU runs a busy loop (slope)'] as [string, Spread, string]] : []),
    ['cpu.wire_page_us', f.wire_page_us, 'mlock of cached pages not yet mapped: populate + lock (slope)'],
    ['(mlock/munlock)', f.mlock_munlock_us, 'mlock or munlock of 1 resident mapped page, per call'],
    ['(msync range)', f.msync_async_range_us, `msync(MS_ASYNC) of 4096 clean pages, per call`],
    ['(fault, wall)', f.wall.fault_page_us, 'the fault slope in wall-clock time'],
    ['(clean, wall)', f.wall.clean_page_us, 'the clean slope in wall-clock time (includes waiting)'],
    ['(wire, wall)', f.wall.wire_page_us, 'the wire slope in wall-clock time'],
    ...(f.clean_scattered_page_us ? [['(clean, scattered)', f.clean_scattered_page_us, 'msync(MS_SYNC) per dirty page, no two adjacent (one write each), 1 .. 32 pages (slope); cpu.clean_io_us is this less cpu.clean_page_us'] as [string, Spread, string]] : []),
    ...(f.writeback ? [
      ['(writeback)', f.writeback.cpu_page_us, 'sync_file_range of scattered pages written by pwrite, per page (slope, 1 .. 32)'],
      ['(writeback, off)', f.writeback.off_cpu_page_us, 'the same, wall less CPU time: the device\'s time each more write adds (slope; reported by calibrate as fits.writeback_stage)'],
    ] as [string, Spread, string][] : []),
  ];
  const b = f.device_busy;
  const busyLines = b
    ? [`device beside a busy CPU (wall less CPU time, medians; the probe and the loop pinned each way round): a page written back ${r2(b.write_us)} µs alone, ${b.placements.map((p) => r2(p.write_us)).join(' / ')} beside; its fdatasync ${r2(b.flush_us)} alone, ${b.placements.map((p) => r2(p.flush_us)).join(' / ')} beside (calibrate: device.busy_latency_us, busy_flush_us)`]
    : [];
  return [
    `CPU costs: Linux ${m.kernel} ${m.arch}, ${m.cpu}, page ${f.page_size} B, ${m.date}`,
    `on ${where}; ${reps} repetitions; µs of the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID)`,
    `${'key'.padEnd(24)}${'median'.padStart(9)}   ${'IQR (q1 .. q3)'.padEnd(20)}what`,
    ...rows.map(([k, s, what]) => `${k.padEnd(24)}${show(s)}${what}`),
    ...busyLines,
  ].join('\n');
}

function fragment(f: CpuFigures, m: ReturnType<typeof machine>, where: string, reps: number): string {
  const line = (k: string, s: Spread) => `  ${k}: ${r2(s.median_us)}   # IQR ${r2(s.q1_us)} .. ${r2(s.q3_us)}`;
  const io = cleanIo(f), call = writebackCall(f, r2(f.syscall_us.median_us)), cv = cpuCvOf(f), c = f.clean_call;
  return [
    `${MARKER} — Linux ${m.kernel} ${m.arch}, ${m.cpu}, ${m.date}`,
    `# medians of ${reps} repetitions on ${where}, µs of the calling thread's CPU time`,
    'cpu:',
    line('syscall_us', f.syscall_us),
    line('fault_page_us', f.fault_page_us),
    line('clean_page_us', f.clean_page_us),
    ...(f.clean_page_busy_us ? [line('clean_page_busy_us', f.clean_page_busy_us)] : []),
    ...(io !== null ? [`  clean_io_us: ${io}   # the scattered clean slope less clean_page_us`] : []),
    ...(call !== null ? [`  writeback_call_us: ${call}   # sync_file_range of one scattered page, less its page and syscall_us`] : []),
    line('wire_page_us', f.wire_page_us),
    ...(cv !== null && c ? [`  cv: ${cv}   # msync(MS_SYNC) of ${c.pages} scattered pages, ${c.count} calls: median ${r2(c.p50_us)}, p90 ${r2(c.p90_us)} µs`] : []),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux') throw new Error('measures a Linux kernel; this is ' + process.platform);
  if (o.out && existsSync(o.out) && !readFileSync(o.out, 'utf8').startsWith(MARKER)) {
    throw new Error(`-o ${o.out}: exists and was not written by measure:cpu; choose a new file`);
  }
  const work = mkdtempSync(join(tmpdir(), 'syncsim-cpu-'));
  undo.push(() => rmSync(work, { recursive: true, force: true }));
  const bin = compileProbe(work);
  let dir: string, where: string;
  if (o.dir !== undefined) {
    dir = mkdtempSync(join(o.dir, 'syncsim-cpu-'));
    undo.push(() => rmSync(dir, { recursive: true, force: true }));
    where = `the filesystem of ${o.dir}`;
  } else if (process.getuid?.() === 0) {
    dir = ramExt4();
    where = 'a fresh ext4 on a loop device over /dev/shm (RAM)';
  } else {
    dir = work;
    where = `the filesystem of ${tmpdir()} (not root: no RAM-backed ext4)`;
  }
  process.stderr.write(`measure:cpu: ${o.reps} repetitions on ${where}...\n`);
  const f = cpuFigures(parseSamples(await probe(bin, dir, o.reps)));
  const m = machine();
  const busy = (['fault_page_us', 'wire_page_us'] as const).filter((k) => f.wall[k].median_us > 1.25 * f[k].median_us);
  if (busy.length > 0) {
    process.stderr.write(`measure:cpu: warning: the wall-clock slope of ${busy.join(', ')} exceeds its CPU-time slope by more than 25 %: the machine was busy (under a hypervisor, time its vCPU is preempted counts as CPU time too); re-run on an idle machine\n`);
  }
  if (o.json) process.stdout.write(JSON.stringify({ machine: m, where, reps: o.reps, figures: f }, null, 2) + '\n');
  else process.stdout.write(table(f, m, where, o.reps) + '\n');
  if (o.out) {
    writeFileSync(o.out, fragment(f, m, where, o.reps));
    process.stderr.write(`measure:cpu: wrote ${o.out} (use it with syncsim run TRACE --config ${o.out})\n`);
  }
}

main().then(cleanUp, (e: Error) => {
  cleanUp();
  process.stderr.write(`measure:cpu: ${e.message}\n`);
  process.exit(2);
});
