/**
 * msyncs and stores of a task outside every mapping the strace capture shows it making (most
 * often a thread or a child whose clone or fork was not traced: `%process` missing from
 * `-e trace=`): counted (`unmapped_calls`, `unmapped_tasks`), and warned of by `syncsim import`
 * and `importTrace`, naming the pids and how to capture them; a hand-written capture, and a real
 * one of the Python workload without `%process`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importTrace } from '../scripts/lib.ts';
import { straceImporter } from '../traces/import/strace.ts';
import type { ImportNames, ImportStats } from '../traces/import/importer.ts';
import { Flag } from '../traces/types.ts';
import type { RowInput } from '../traces/writer.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const WORKLOAD = join(ROOT, 'test', 'fixtures', 'strace', 'msync_workload.py');
const dir = mkdtempSync(join(tmpdir(), 'syncsim-strace-unmapped-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function put(lines: string[]): string {
  const p = join(dir, `t${n++}.strace`);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

async function importFile(path: string, assumeDirty = 'whole-range-before-msync'): Promise<{ rows: RowInput[]; stats: ImportStats; names: ImportNames }> {
  const stats: ImportStats = {};
  const names: ImportNames = {};
  const rows: RowInput[] = [];
  for await (const b of straceImporter!.rows(path, { pageSize: 4096, syncFlags: Flag.SYNC, assumeDirty }, stats, names)) rows.push(...b);
  return { rows, stats, names };
}

const OPEN = '1000  1700000000.000100 openat(AT_FDCWD, "/tmp/db", O_RDWR) = 3 <0.000020>';
const MMAP = '1000  1700000000.000200 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000 <0.000010>';
/** The trial's capture: a thread (1001) whose clone strace did not show (no `%process` in `-e trace=`). */
const RESUMED = [
  OPEN, MMAP,
  '1000  1700000000.000300 msync(0x7f0000000000, 65536, MS_SYNC <unfinished ...>',
  '1001  1700000000.000350 msync(0x7f0000000000, 4096, MS_SYNC) = 0 <0.000010>',
  '1000  1700000000.000800 <... msync resumed>) = 0 <0.000500>',
];
const CLONE = '1000  1700000000.000250 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f0, exit_signal=0} => {parent_tid=[1001]}, 88) = 1001 <0.000040>';
const HOW = 'most often a thread or child whose clone or fork was not traced. Capture with strace -f and %process in -e trace= (README, "Importing strace output"), ' +
  "or record the program with 'syncsim record'";

describe('msyncs and stores outside the mappings the trace shows their task making', () => {
  it('a thread whose clone the capture lacks: its msync is counted and the import warns, naming its pid and how to capture it', async () => {
    const f = put(RESUMED);
    const r = await syncsimHere(['import', '--from', 'strace', f, '-o', join(dir, 'resumed.csv'), '--assume-dirty', 'whole-range-before-msync']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/; .*tasks 2, unmapped_calls 1, unmapped_tasks 1$/);
    expect(lines.slice(1)).toEqual([
      'syncsim import: warning: 1 msync or store of pid 1001 (task pid1001) falls outside every mapping the trace shows that task making, ' +
      "so the replay fails such calls (ENOMEM, unmapped writes) where the program's succeeded: the trace does not show how it got its mappings, " + HOW,
    ]);
    // the library says the same
    const t = importTrace('strace', f, { assumeDirty: 'whole-range-before-msync' });
    for await (const _ of t) { /* one pass */ }
    expect(t.warnings).toEqual([lines[1]!.replace('syncsim import: warning: ', '')]);
    expect(t.tally.names).toEqual({ unmapped_calls: ['pid1001'] });
  });

  it('none when the capture shows the clone (%process): the thread shares its creator\'s task and mappings', async () => {
    const f = put([OPEN, MMAP, CLONE, ...RESUMED.slice(2)]);
    const { rows, stats, names } = await importFile(f);
    expect(new Set(rows.map((r) => r.task))).toEqual(new Set(['pid1000']));
    expect([stats.unmapped_calls, stats.unmapped_tasks, names]).toEqual([undefined, undefined, {}]);
    const r = await syncsimHere(['import', '--from', 'strace', f, '-o', join(dir, 'cloned.csv'), '--assume-dirty', 'whole-range-before-msync']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
  });

  it('counts what the kernel would not have done: a successful msync over a hole, a recorded store outside; not a failed msync', async () => {
    const f = put([
      OPEN, MMAP,
      // ENOMEM: the kernel said the range was not mapped, as the replay will
      '1000  1700000000.000300 msync(0x7f0000100000, 4096, MS_SYNC) = -1 ENOMEM (Cannot allocate memory) <0.000003>',
      // within the mapping, its length rounded up to a page: fine
      '1000  1700000000.000400 msync(0x7f0000000000, 65535, MS_SYNC) = 0 <0.000100>',
      // one page past the mapping's end: the kernel would have failed it
      '1000  1700000000.000500 msync(0x7f0000000000, 69632, MS_ASYNC) = 0 <0.000010>',
      // syncsim record's dirty pages: inside, then outside
      '1000  1700000000.000600 syncsim_dirty(0x7f0000001000, 8192) = 0',
      '1000  1700000000.000700 syncsim_dirty(0x7f0000200000, 4096) = 0',
      // an msync of 0 bytes covers nothing
      '1000  1700000000.000800 msync(0x7f0000300000, 0, MS_SYNC) = 0 <0.000001>',
    ]);
    const { stats, names } = await importFile(f, 'none');
    expect([stats.unmapped_calls, stats.unmapped_tasks, names]).toEqual([2, 1, { unmapped_calls: ['pid1000'] }]);
  });

  it('names the first five tasks in the order met and says how many more, and the process of lines without a pid as task main', async () => {
    const pids = [21, 22, 23, 24, 25, 26, 27];
    const f = put([OPEN, MMAP, ...pids.flatMap((p, i) => [
      `${p}  1700000000.00${100 + i} msync(0x7f0000000000, 4096, MS_SYNC) = 0 <0.000010>`,
      `${p}  1700000000.00${200 + i} msync(0x7f0000001000, 4096, MS_SYNC) = 0 <0.000010>`,
    ])]);
    const r = await syncsimHere(['import', '--from', 'strace', f, '-o', join(dir, 'many.csv'), '--assume-dirty', 'whole-range-before-msync']);
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n').slice(1)).toEqual([
      'syncsim import: warning: 14 msyncs or stores of pid 21 (task pid21), pid 22 (task pid22), pid 23 (task pid23), pid 24 (task pid24), pid 25 (task pid25) and 2 more tasks ' +
      'fall outside every mapping the trace shows those tasks making, ' +
      "so the replay fails such calls (ENOMEM, unmapped writes) where the program's succeeded: the trace does not show how they got their mappings, " + HOW,
    ]);
    const g = put(['1700000000.000100 msync(0x7f0000000000, 4096, MS_SYNC) = 0 <0.000010>']);
    const t = importTrace('strace', g);
    for await (const _ of t) { /* one pass */ }
    expect(t.warnings.filter((w) => /outside every mapping/.test(w))).toEqual([
      '1 msync or store of task main (the process of lines without a pid) falls outside every mapping the trace shows that task making, ' +
      "so the replay fails such calls (ENOMEM, unmapped writes) where the program's succeeded: the trace does not show how it got its mappings, " + HOW,
    ]);
  });

  it('a real capture without %process: the thread and the forked child are the tasks named', async () => {
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    const d = mkdtempSync(join(dir, 'real-'));
    const trace = join(d, 'trace.txt');
    const s = spawnSync('strace', ['-f', '-ttt', '-T', '-o', trace, '-e', 'trace=openat,close,mmap,munmap,msync,mlock,munlock', python, WORKLOAD, d], { encoding: 'utf8' });
    expect(s.status, s.stderr).toBe(0);
    const did = JSON.parse(readFileSync(join(d, 'did.json'), 'utf8'));
    // the thread's msync of one page is on a line of its own tid (the program does not know it)
    const text = readFileSync(trace, 'utf8');
    const threadLine = text.split('\n').find((l) => l.includes(`msync(0x${did.addr.toString(16)}, ${did.page}, MS_SYNC) = 0`))!;
    const tid = Number(/^(\d+) /.exec(threadLine)![1]);
    expect([tid, did.child]).not.toContain(did.pid);
    const { stats, names } = await importFile(trace);
    expect([stats.unmapped_calls, stats.unmapped_tasks]).toEqual([2, 2]);
    expect(names).toEqual({ unmapped_calls: [`pid${tid}`, `pid${did.child}`] });
    const r = await syncsimHere(['import', '--from', 'strace', trace, '-o', join(d, 'o.csv'), '--assume-dirty', 'whole-range-before-msync']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: 2 msyncs or stores of pid ${tid} (task pid${tid}), pid ${did.child} (task pid${did.child}) fall outside every mapping`);
  }, 30_000);
});
