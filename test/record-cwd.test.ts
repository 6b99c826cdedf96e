/**
 * syncsim record writes the directory the program ran in (`# recorded-cwd`),
 * and validate --trace --repeat runs the program again there, whatever
 * directory validate runs from: a program named by a relative path, with a
 * relative data file, recorded in one directory and validated from another.
 * A directory that no longer exists is refused before anything runs; a
 * trace without the header (recorded before it existed) runs in the current
 * directory with a warning, and a failure there says why it may have failed.
 * Needs cc (scripts/ensure-tools.sh installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentDirectory, cwdOfHeader, recordedCwd } from '../scripts/record/record.ts';
import { rerunDirectory, unknownDirectoryHint } from '../scripts/validate/trace-validation.ts';
import { InputError } from '../scripts/errors.ts';
import { syncsimHere } from './cli-here.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-record-cwd-'));
const TIMEOUT = 120_000;

describe('the recorded-cwd header', () => {
  it('is read back as an absolute path; a trace without it (or with a malformed one) names none', () => {
    expect(cwdOfHeader(['recorded by syncsim record 0.1.0', 'recorded-command: ["./bin/p"]', 'recorded-cwd: "/home/u/db"', 'recorded-exit-status: 0'])).toBe('/home/u/db');
    // a name with a quote, a newline and an é survives JSON
    expect(cwdOfHeader(['recorded-cwd: "/tmp/a\\"b\\nc é"'])).toBe('/tmp/a"b\nc é');
    expect(cwdOfHeader(['recorded-command: ["./bin/p"]', 'recorded-exit-status: 0'])).toBeUndefined();
    expect(cwdOfHeader(['recorded-cwd: relative/dir'])).toBeUndefined();
    expect(cwdOfHeader(['recorded-cwd: "relative/dir"'])).toBeUndefined();
    const f = join(dir, 'head.csv');
    writeFileSync(f, '# syncsim-trace v1\n# recorded-command: ["x"]\n# recorded-cwd: "/srv/app"\nt_us,task,op,addr,len,flags,object,offset\n');
    expect(recordedCwd(f)).toBe('/srv/app');
  });

  it('is the current directory when a path names it: not when it was removed, nor when its name is not UTF-8 (Node\'s path of it names another)', () => {
    const at = (ino: Record<string, number>) => (p: string) => {
      if (!(p in ino)) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return { dev: 1, ino: ino[p]! };
    };
    expect(currentDirectory(() => '/srv/app', at({ '/srv/app': 7, '.': 7 }))).toBe('/srv/app');
    // removed: process.cwd() throws (uv_cwd ENOENT)
    expect(currentDirectory(() => { throw new Error('ENOENT: uv_cwd'); }, at({ '.': 7 }))).toBeUndefined();
    // a name with a byte that is not UTF-8: the path Node gives (U+FFFD for the byte) is no directory, or another one
    expect(currentDirectory(() => '/tmp/bad\uFFFDdir', at({ '.': 7 }))).toBeUndefined();
    expect(currentDirectory(() => '/tmp/bad\uFFFDdir', at({ '/tmp/bad\uFFFDdir': 8, '.': 7 }))).toBeUndefined();
    // the real one, here
    expect(currentDirectory()).toBe(process.cwd());
  });

  it('validate runs the program again in the recorded directory; a missing one is an error; none: the current one, with a hint for failures', () => {
    const isDir = (d: string) => d === '/srv/app';
    expect(rerunDirectory('t.csv', '/srv/app', 2, '/elsewhere', isDir)).toEqual({ cwd: '/srv/app', known: true });
    expect(rerunDirectory('t.csv', undefined, 2, '/elsewhere', isDir)).toEqual({ cwd: '/elsewhere', known: false });
    expect(() => rerunDirectory('t.csv', '/srv/gone', 3, '/elsewhere', isDir)).toThrow(InputError);
    expect(() => rerunDirectory('t.csv', '/srv/gone', 3, '/elsewhere', isDir)).toThrow(/^--repeat 3 records the program of t\.csv again in the directory it was recorded in, \/srv\/gone \(its 'recorded-cwd' header comment\), which does not exist now/);
    expect(unknownDirectoryHint('t.csv', { cwd: '/srv/app', known: true })).toBe('');
    expect(unknownDirectoryHint('t.csv', { cwd: '/elsewhere', known: false })).toMatch(/t\.csv does not say which directory its program was recorded in .* so it ran in the current directory, \/elsewhere: run validate from the directory the program was recorded in/);
  });
});

const PROGRAM = `
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, 4 * 4096) != 0) return 3;
  char *p = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 4;
  for (int k = 0; k < 3; k++) { p[k * 4096] = 1; msync(p, 4 * 4096, MS_SYNC); }
  munmap(p, 4 * 4096);
  return 0;
}
`;

describe('validate --trace --repeat from another directory', () => {
  const app = join(dir, 'app'), other = join(dir, 'other');
  const cacheBefore = process.env.SYNCSIM_CACHE_DIR;
  beforeAll(() => {
    process.env.SYNCSIM_CACHE_DIR = join(dir, 'cache');
    mkdirSync(join(app, 'bin'), { recursive: true });
    mkdirSync(other);
    writeFileSync(join(dir, 'msyncs.c'), PROGRAM);
    const r = spawnSync('cc', ['-O1', '-o', join(app, 'bin', 'msyncs'), join(dir, 'msyncs.c')], { encoding: 'utf8' });
    expect(r.status, `cc is needed (scripts/ensure-tools.sh installs it): ${r.stderr ?? r.error}`).toBe(0);
  });
  afterAll(() => {
    if (cacheBefore === undefined) delete process.env.SYNCSIM_CACHE_DIR;
    else process.env.SYNCSIM_CACHE_DIR = cacheBefore;
  });

  it('records the directory, and runs the program again there: its relative program and data paths lead to the same files', async () => {
    const rec = await syncsimHere(['record', '-o', join(dir, 't.csv'), '--', './bin/msyncs', 'data'], app);
    expect(rec.code, rec.stderr).toBe(0);
    expect(readFileSync(join(dir, 't.csv'), 'utf8')).toContain(`# recorded-cwd: ${JSON.stringify(app)}\n`);
    expect(existsSync(join(app, 'data'))).toBe(true);
    const v = await syncsimHere(['validate', '--trace', join(dir, 't.csv'), '--repeat', '2', '--sim-seeds', '1', '--out', join(dir, 'v')], other);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).not.toContain('does not say which directory');
    // run 2 ran in app/: its own trace says so, and nothing was made in other/
    expect(readFileSync(join(dir, 'v', 'repeat-2', 'trace.csv'), 'utf8')).toContain(`# recorded-cwd: ${JSON.stringify(app)}\n`);
    expect(existsSync(join(other, 'data'))).toBe(false);
    const j = JSON.parse(readFileSync(join(dir, 'v', 'validation.json'), 'utf8'));
    expect(j.repeat).toBe(2);
    expect(j.measured.runs.map((r: { syncs: number }) => r.syncs)).toEqual([3, 3]);
  }, TIMEOUT);

  it('a recorded directory that is gone: exit 2 naming it, before the program runs or anything is written', async () => {
    const gone = join(dir, 'gone-app');
    writeFileSync(join(dir, 'gone.csv'), readFileSync(join(dir, 't.csv'), 'utf8').replace(`# recorded-cwd: ${JSON.stringify(app)}`, `# recorded-cwd: ${JSON.stringify(gone)}`));
    const v = await syncsimHere(['validate', '--trace', join(dir, 'gone.csv'), '--repeat', '2', '--sim-seeds', '1', '--out', join(dir, 'v-gone')], other);
    expect(v.code).toBe(2);
    expect(v.stderr).toBe(`syncsim: --repeat 2 records the program of ${join(dir, 'gone.csv')} again in the directory it was recorded in, ${gone} (its 'recorded-cwd' header comment), which does not exist now: make that directory again with what the program uses there (its relative paths are resolved in it), or record the trace anew with syncsim record where the program runs\n`);
    expect(existsSync(join(dir, 'v-gone', 'validation.json'))).toBe(false);
    expect(existsSync(join(dir, 'v-gone', 'repeat-2'))).toBe(false);
  }, TIMEOUT);

  it('warns when the program, recorded again, makes other msyncs than the trace (another program in its place)', async () => {
    const app2 = join(dir, 'app2');
    mkdirSync(join(app2, 'bin'), { recursive: true });
    spawnSync('cp', [join(app, 'bin', 'msyncs'), join(app2, 'bin', 'msyncs')]);
    const rec = await syncsimHere(['record', '-o', join(dir, 't2.csv'), '--', './bin/msyncs', 'data'], app2);
    expect(rec.code, rec.stderr).toBe(0);
    // the program replaced by one that makes 4 msyncs, not 3
    writeFileSync(join(dir, 'msyncs5.c'), PROGRAM.replace('k < 3', 'k < 4'));
    expect(spawnSync('cc', ['-O1', '-o', join(app2, 'bin', 'msyncs'), join(dir, 'msyncs5.c')]).status).toBe(0);
    const v = await syncsimHere(['validate', '--trace', join(dir, 't2.csv'), '--repeat', '2', '--sim-seeds', '1', '--out', join(dir, 'v2')], other);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toMatch(new RegExp(`syncsim: warning: the program made other msyncs when recorded again \\(run 2, in ${app2.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S+ 4; the trace: \\S+ 3, msyncs by task\\): is it, and its input, the one recorded\\?`));
  }, TIMEOUT);

  it('a trace recorded before the header: a warning, the current directory, and a failure there says to run validate where the program was recorded', async () => {
    const old = readFileSync(join(dir, 't.csv'), 'utf8').replace(`# recorded-cwd: ${JSON.stringify(app)}\n`, '');
    expect(old).not.toContain('recorded-cwd');
    writeFileSync(join(dir, 'old.csv'), old);
    const v = await syncsimHere(['validate', '--trace', join(dir, 'old.csv'), '--repeat', '2', '--sim-seeds', '1', '--out', join(dir, 'v-old')], other);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain(`syncsim: warning: ${join(dir, 'old.csv')} does not say which directory its program was recorded in (no readable 'recorded-cwd' header comment: recorded before syncsim wrote one, from a directory it could not name, or a header since edited): recording it again in the current directory, ${other}\n`);
    expect(v.stderr).toContain(`syncsim: program not found: ./bin/msyncs when recorded again (run 2); ${join(dir, 'old.csv')} does not say which directory its program was recorded in (no readable 'recorded-cwd' header comment: recorded before syncsim wrote one, from a directory it could not name, or a header since edited), so it ran in the current directory, ${other}: run validate from the directory the program was recorded in (where its relative paths lead), or record the trace again\n`);
    expect(existsSync(join(dir, 'v-old', 'validation.json'))).toBe(false);
    // from the directory it was recorded in, the old trace validates as before
    const ok = await syncsimHere(['validate', '--trace', join(dir, 'old.csv'), '--repeat', '2', '--sim-seeds', '1', '--out', join(dir, 'v-old')], app);
    expect(ok.code, ok.stderr).toBe(0);
  }, TIMEOUT);
});
