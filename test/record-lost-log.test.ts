/**
 * syncsim record when the shim cannot write its log (a full disk, a quota, a
 * file size limit in its scratch directory): the recording is incomplete, so
 * no trace may be written and record must say why, exit 2 — until it did,
 * the lines the shim could not write were dropped in silence and the trace,
 * missing every call after them, was written with exit 0. A full disk is
 * stood in for by a file size limit of 0 that the program sets itself part
 * way (SIGXFSZ ignored): every later line of its log fails whole, as on a
 * disk with no block left. Needs cc, as test/record.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere, useCacheDir } from './cli-here.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-record-lost-'));
const cache = join(dir, 'cache');
const syncsim = (args: string[]) => syncsimHere(args, dir);

// this file's in-process runs use its own cache directory
useCacheDir(cache);

/**
 * Maps and msyncs a page, then (with an argument) forbids its files to grow, or closes every descriptor, and maps and
 * msyncs another; or (`nofile`) allows itself no descriptor beyond 0, 1 and 2 and forks a child that maps and msyncs it.
 */
const PROGRAM = `
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 3;
  msync(p, 4096, MS_SYNC);
  if (argc > 1 && argv[1][0] == 'n') {
    struct rlimit three = { 3, 3 };
    if (setrlimit(RLIMIT_NOFILE, &three) != 0) return 6;
    pid_t c = fork(); /* the shim opens the child's own log: no descriptor left for it (EMFILE) */
    if (c == 0) {
      char *r = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      _exit(r == MAP_FAILED || msync(r, 8192, MS_SYNC) != 0);
    }
    int status;
    return c < 0 || waitpid(c, &status, 0) != c || status != 0 ? 7 : 0;
  } else if (argc > 1 && argv[1][0] == 'c') {
    for (int fd = 3; fd < 4096; fd++) close(fd); /* as a daemon does: the shim's log too */
  } else if (argc > 1) {
    struct rlimit none = { 0, 0 };
    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &none) != 0) return 4;
  }
  char *q = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (q == MAP_FAILED) return 5;
  msync(q, 8192, MS_SYNC);
  return 0;
}
`;

describe('syncsim record, its log not written whole', () => {
  const prog = join(dir, 'limited');
  beforeAll(() => {
    expect(spawnSync('cc', ['--version']).status, 'cc is needed: scripts/ensure-tools.sh installs it').toBe(0);
    writeFileSync(join(dir, 'limited.c'), PROGRAM);
    const r = spawnSync('cc', ['-O1', '-o', prog, join(dir, 'limited.c')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('records both msyncs when the log can be written', async () => {
    const out = join(dir, 'whole.csv');
    const r = await syncsim(['record', '-q', '-o', out, '--', prog]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').filter((l) => l.includes(',msync,')).map((l) => l.split(',')[4])).toEqual(['4096', '8192']);
  }, 120_000);

  it('opens its log again when the program closed every descriptor, and loses nothing', async () => {
    const out = join(dir, 'closed.csv');
    const r = await syncsim(['record', '-q', '-o', out, '--', prog, 'close']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').filter((l) => l.includes(',msync,')).map((l) => l.split(',')[4])).toEqual(['4096', '8192']);
  }, 120_000);

  it('writes no trace, keeps an earlier one, and exits 2 naming the error when a line of the log was lost', async () => {
    const out = join(dir, 'kept.csv');
    expect((await syncsim(['record', '-q', '-o', out, '--', prog])).code).toBe(0);
    const before = readFileSync(out);
    // --replace: the earlier recording may be written over, but not by a recording that is incomplete
    const r = await syncsim(['record', '-q', '-o', out, '--replace', '--', prog, 'limit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: record: the program ran, but the shim could not write all of its log to its scratch directory in ${tmpdir()} (EFBIG: a full disk, a quota or a file size limit): the recording is incomplete, and no trace was written; make room there, or set TMPDIR to another directory, and record again\n`);
    expect(readFileSync(out)).toEqual(before);
    // and no new file either, nor anything left beside it
    const fresh = join(dir, 'fresh.csv');
    expect((await syncsim(['record', '-q', '-o', fresh, '--', prog, 'limit'])).code).toBe(2);
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('fresh') || n.includes('kept.csv.'))).toEqual([]);
  }, 120_000);

  it('names the limit of open files, not a full disk, when a process of the program had no descriptor left for its log', async () => {
    const out = join(dir, 'nofile.csv');
    const r = await syncsim(['record', '-q', '-o', out, '--', prog, 'nofile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: record: the program ran, but the shim could not write all of its log to its scratch directory in ${tmpdir()} (EMFILE: a process of the program had as many files open as its limit allows, RLIMIT_NOFILE, and the shim opens a log in each process): the recording is incomplete, and no trace was written; raise that limit (ulimit -n, or where the program sets it), and record again\n`);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
