/**
 * Lines without a pid after every process on a line exited (user trial h202). strace writing to
 * stderr prefixes no line while it traces one process: a child that outlives its parent and
 * makes its first call after the parent's exit writes unprefixed lines, which are that child's
 * (they were taken for the exited parent's: the child's msyncs fell outside every mapping of
 * that task, and the replay failed them with ENOMEM). A `cat` of the files of `strace -ff` (one
 * process each, without a pid column) has such lines too, from no process left: refused, exit 2
 * (they were read as the exited process's, at its exit's time).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { straceImporter } from '../traces/import/strace.ts';
import { importError, importRows } from './import-rows.ts';

const write = (name: string, text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'syncsim-strace-after-exit-')), name);
  writeFileSync(path, text);
  return path;
};

/** The parent maps a file, forks and exits; the child, attached only then, msyncs twice (strace -f -ttt -T 2> FILE, trimmed). */
const ORPHAN = `1796701148.458612 execve("./orph", ["./orph"], 0x7fff9c10a0b8 /* 39 vars */) = 0 <0.001106>
1796701148.463132 openat(AT_FDCWD, "/tmp/orph.bin", O_RDWR|O_CREAT|O_TRUNC, 0644) = 3 <0.000099>
1796701148.463334 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f5c8b225000 <0.000016>
1796701148.463398 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f5c8b235a10) = 19978 <0.000399>
1796701148.464263 exit_group(0)         = ?
1796701148.464695 +++ exited with 0 +++
strace: Process 19978 attached
1796701148.521211 msync(0x7f5c8b225000, 4096, MS_SYNC) = 0 <0.002546>
1796701148.525099 msync(0x7f5c8b225000, 4096, MS_SYNC) = 0 <0.000134>
1796701148.525359 exit_group(0)         = ?
1796701148.525957 +++ exited with 0 +++
`;

/** `strace -ff -ttt -T -o ff` of a parent that forks a child and waits for it: the parent's file, then the child's. */
const PARENT = `1796701101.879959 execve("./fk", ["./fk"], 0x7ffdbd600668 /* 39 vars */) = 0 <0.000842>
1796701101.884232 openat(AT_FDCWD, "/tmp/fk.bin", O_RDWR|O_CREAT|O_TRUNC, 0644) = 3 <0.000080>
1796701101.884335 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f143f450000 <0.000023>
1796701101.884413 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f143f64ba10) = 19410 <0.000320>
1796701101.885864 msync(0x7f143f450000, 8192, MS_SYNC) = 0 <0.023291>
1796701101.909620 exit_group(0)         = ?
1796701101.909874 +++ exited with 0 +++
`;
const CHILD = `1796701101.906291 msync(0x7f143f450000, 4096, MS_SYNC) = 0 <0.003002>
1796701101.909400 exit_group(0)         = ?
1796701101.909500 +++ exited with 0 +++
`;

describe('strace lines without a pid after every process exited', () => {
  it("are the one child left's, announced as attached: its msyncs are in its own task, within the mapping it inherited", async () => {
    const { rows, stats } = await importRows(straceImporter!, write('orph.strace', ORPHAN));
    const msyncs = rows.filter((r) => r.op === 'msync');
    expect(msyncs.map((r) => [r.task, r.addr, r.len])).toEqual([['pid19978', 0x7f5c8b225000, 4096], ['pid19978', 0x7f5c8b225000, 4096]]);
    // the child's copy of the parent's mapping, made at the clone
    expect(rows.filter((r) => r.op === 'map' && r.task === 'pid19978').map((r) => [r.addr, r.len, r.object])).toEqual([[0x7f5c8b225000, 65536, '/tmp/orph.bin']]);
    expect(stats.unmapped_calls ?? 0).toBe(0);
    expect(stats.tasks).toBe(2);
  });

  it('are the child the trace shows created when strace announced none (-q)', async () => {
    const { rows } = await importRows(straceImporter!, write('orph-q.strace', ORPHAN.replace('strace: Process 19978 attached\n', '')));
    expect(rows.filter((r) => r.op === 'msync').map((r) => r.task)).toEqual(['pid19978', 'pid19978']);
  });

  it('are refused, naming the line, in a cat of strace -ff files: timed before the exit, or with no process left', async () => {
    const joined = await importError(straceImporter!, write('ff.strace', PARENT + CHILD));
    expect(joined.line).toBe(8);
    expect(joined.message).toContain('ff.strace:8: a line without a pid after every process on a line exited (the last at line 7), and it is timed before that exit');
    expect(joined.message).toContain('a cat of the files of strace -ff');
    expect(joined.message).toContain("(got '1796701101.906291 msync(0x7f143f450000, 4096, MS_SYNC) = 0 <0.003002>')");

    const reversed = await importError(straceImporter!, write('ffrev.strace', CHILD + PARENT));
    expect(reversed.line).toBe(4);
    expect(reversed.message).toContain('ffrev.strace:4: a line without a pid after every process on a line exited (the last at line 3), and no process created before is left to write it');
  });

  it('a single capture of one process, or each -ff file alone, imports as before', async () => {
    const parent = await importRows(straceImporter!, write('ff.19409', PARENT));
    expect(parent.rows.filter((r) => r.op === 'msync').map((r) => [r.task, r.len])).toEqual([['main', 8192]]);
    const child = await importRows(straceImporter!, write('ff.19410', CHILD));
    expect(child.rows.filter((r) => r.op === 'msync').map((r) => [r.task, r.len])).toEqual([['main', 4096]]);
  });
});
