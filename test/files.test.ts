/**
 * The shared atomic-writing helpers (traces/files.ts): a file or directory
 * appears whole under its name or not at all, what was there stays until
 * replaced, and leftovers of dead processes are cleared.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs, processAlive, StagingDir, tempBeside, TempFile, writeFileAtomic } from '../traces/files.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-files-'));
/** The pid of a process that has exited (and been reaped). */
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('atomic files', () => {
  it('makeDirs: makes the missing directories and returns the first made, as mkdirSync recursive does', () => {
    const d = tmp();
    expect(makeDirs(join(d, 'a', 'b', 'c'))).toBe(join(d, 'a'));
    expect(existsSync(join(d, 'a', 'b', 'c'))).toBe(true);
    expect(makeDirs(join(d, 'a', 'b'))).toBeUndefined();
    expect(makeDirs(join(d, 'a', 'b', 'd'))).toBe(join(d, 'a', 'b', 'd'));
    writeFileSync(join(d, 'f'), 'x');
    expect(() => makeDirs(join(d, 'f'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => makeDirs(join(d, 'f', 'g'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('makeDirs under /proc throws ENOENT (Node\'s recursive mkdir loops there forever)', () => {
    // run in a child with a deadline, so that a regression fails the test instead of hanging the suite
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import('${join(process.cwd(), 'traces', 'files.ts').replace(/\\/g, '/')}').then((m) => { try { m.makeDirs('/proc/syncsim-nope/x'); console.log('made'); } catch (e) { console.log(e.code); } })`], { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe('ENOENT');
  });

  it('processAlive: this process and its parent run, an exited one does not', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(process.ppid)).toBe(true);
    expect(processAlive(deadPid())).toBe(false);
  });

  it('writeFileAtomic replaces a file whole, makes its directory, and leaves it untouched on failure', () => {
    const d = tmp();
    const f = join(d, 'sub', 'a.json');
    writeFileAtomic(f, 'one');
    expect(readFileSync(f, 'utf8')).toBe('one');
    writeFileAtomic(f, Buffer.from('two'));
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(() => writeFileAtomic(f, 'three', join(d, 'no-such-dir', 'x.tmp'))).toThrow(/ENOENT/);
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(join(d, 'sub'))).toEqual(['a.json']);
  });

  it('TempFile: nothing under the name until commit; abort leaves the old file', () => {
    const d = tmp();
    const path = join(d, 'x.bin');
    writeFileSync(path, 'old');
    const a = new TempFile(path);
    expect(a.tmp).toBe(tempBeside(path));
    writeSync(a.fd, 'half');
    a.abort();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['x.bin']);
    const b = new TempFile(path, join(d, 'custom.tmp'));
    writeSync(b.fd, 'new');
    expect(readFileSync(path, 'utf8')).toBe('old');
    b.commit(true);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['x.bin']);
  });

  it('TempFile: abort after a commit does not close the descriptor again (by then another file\'s); writeAt writes every byte at its offset', () => {
    const d = tmp();
    const a = new TempFile(join(d, 'a.bin'));
    a.writeAt(Buffer.from('world'), 6);
    a.writeAt(Buffer.from('hello '), 0);
    a.commit();
    expect(readFileSync(join(d, 'a.bin'), 'utf8')).toBe('hello world');
    // the next file opened gets the descriptor number just closed
    const b = new TempFile(join(d, 'b.bin'));
    expect(b.fd).toBe(a.fd);
    a.abort();
    writeSync(b.fd, 'still open');
    b.commit();
    expect(readFileSync(join(d, 'b.bin'), 'utf8')).toBe('still open');
  });

  it('StagingDir: replaces a directory on commit only, keeps it on abort, clears dead processes\' leftovers', () => {
    const d = tmp();
    const out = join(d, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'old.txt'), 'old');
    const dead = deadPid();
    mkdirSync(join(d, `.out.tmp-${dead}`)); // a killed writer's
    mkdirSync(join(d, `.out.old-${dead}`));
    mkdirSync(join(d, `.out.tmp-${process.ppid}`)); // a live one's
    const a = new StagingDir(out);
    expect(readdirSync(d).sort()).toEqual(['.out.tmp-' + process.ppid, '.out.tmp-' + process.pid, 'out'].sort());
    writeFileSync(join(a.path, 'new.txt'), 'new');
    a.abort();
    expect(readdirSync(out)).toEqual(['old.txt']);
    const b = new StagingDir(out);
    writeFileSync(join(b.path, 'new.txt'), 'new');
    expect(readdirSync(out)).toEqual(['old.txt']);
    b.commit();
    expect(readdirSync(out)).toEqual(['new.txt']);
    expect(readdirSync(d).sort()).toEqual(['.out.tmp-' + process.ppid, 'out'].sort());
    // a fresh target
    const c = new StagingDir(join(d, 'fresh'));
    c.commit();
    expect(existsSync(join(d, 'fresh'))).toBe(true);
  });

  it('StagingDir: a directory of the user\'s made at out while the command ran is refused on commit, named as out was given, and kept', () => {
    const d = tmp();
    const back = process.cwd();
    process.chdir(d);
    try {
      for (const [command, given] of [['compare', 'cmp'], ['report', 'r/report']] as const) {
        const stage = new StagingDir(given, command);
        writeFileSync(join(stage.path, 'table.txt'), 'new');
        mkdirSync(given, { recursive: true });
        writeFileSync(join(given, 'NOTES'), 'mine');
        expect(() => stage.commit()).toThrow(`--out ${given}: is not empty and was not made by 'syncsim ${command}' (no .syncsim file in it); choose a new directory`);
        stage.abort();
        expect(readdirSync(given)).toEqual(['NOTES']);
      }
    } finally {
      process.chdir(back);
    }
  });

  it('writeFileAtomic with mayReplace: a file made at the path meanwhile is refused by it and kept, no temporary file left; a missing path is written', () => {
    const d = tmp();
    const refuse = (): void => {
      throw new Error('made meanwhile');
    };
    writeFileSync(join(d, 'device.yaml'), 'mine');
    expect(() => writeFileAtomic(join(d, 'device.yaml'), 'profile', undefined, refuse)).toThrow('made meanwhile');
    expect(readFileSync(join(d, 'device.yaml'), 'utf8')).toBe('mine');
    writeFileAtomic(join(d, 'new.yaml'), 'profile', undefined, refuse);
    expect(readFileSync(join(d, 'new.yaml'), 'utf8')).toBe('profile');
    expect(readdirSync(d).sort()).toEqual(['device.yaml', 'new.yaml']);
  });

  it('StagingDir removes only leftovers of its own (empty, or holding syncsim\'s marker), never a user\'s file or folder of such a name', () => {
    const d = tmp();
    const out = join(d, 'run');
    const dead = deadPid();
    // a killed run's stage (its marker written when it was made) and an earlier output renamed aside: syncsim's
    mkdirSync(join(d, `.run.tmp-${dead}`));
    writeFileSync(join(d, `.run.tmp-${dead}`, '.syncsim'), JSON.stringify({ command: 'run', version: '0' }) + '\n');
    writeFileSync(join(d, `.run.tmp-${dead}`, 'syncs.csv'), 'partial');
    // a user's: a backup folder and a scratch file that happen to be named so
    mkdirSync(join(d, `.run.old-${dead}`));
    writeFileSync(join(d, `.run.old-${dead}`, 'notes.txt'), 'my backup');
    writeFileSync(join(d, `.run.tmp-${dead + 1}`), 'my scratch');
    const a = new StagingDir(out, 'run');
    a.commit();
    expect(readdirSync(d).sort()).toEqual([`.run.old-${dead}`, `.run.tmp-${dead + 1}`, 'run'].sort());
    expect(readFileSync(join(d, `.run.old-${dead}`, 'notes.txt'), 'utf8')).toBe('my backup');
    expect(readFileSync(join(d, `.run.tmp-${dead + 1}`), 'utf8')).toBe('my scratch');
    // a user's file where this process would stage: refused, kept
    writeFileSync(join(d, `.again.tmp-${process.pid}`), 'mine');
    expect(() => new StagingDir(join(d, 'again'), 'run')).toThrow(/is in the way \(not a staging directory of syncsim's: move it\)/);
    expect(readFileSync(join(d, `.again.tmp-${process.pid}`), 'utf8')).toBe('mine');
  });

  it('StagingDir whose marker cannot be written (a full disk) leaves no staging directory behind', () => {
    const d = tmp();
    const real = fs.writeFileSync;
    // the marker file is made, then its write fails, as on a full disk
    fs.writeFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (typeof file === 'string' && file.startsWith(d) && file.endsWith('.syncsim')) {
        real(file, '');
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      }
      return (real as (...a: unknown[]) => void)(file, ...rest);
    }) as typeof fs.writeFileSync;
    syncBuiltinESMExports();
    try {
      expect(() => new StagingDir(join(d, 'run'), 'run')).toThrow('ENOSPC');
    } finally {
      fs.writeFileSync = real;
      syncBuiltinESMExports();
    }
    expect(readdirSync(d)).toEqual([]);
  });
});
