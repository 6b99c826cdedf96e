/**
 * Which output directories a command may replace: every command that writes
 * a directory replaces only a missing, empty or marked (`.syncsim`) directory
 * of its own, and refuses anything else before doing any work (exit 2, one
 * line, nothing touched). (test/out-lock.test.ts has the lock that keeps two
 * writers apart; test/trace-out-refusals.test.ts the trace files.)
 *
 * Each case runs in a fresh temporary working directory. The data-loss cases
 * of `run` spawn the real CLI; the others call the CLI's `main` in this
 * process (same code path, same exit code and message, no start-up cost).
 * Every refused trace is malformed, so a refusal that came after parsing
 * started would show the trace's error instead.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { syncsimHere } from './cli-here.ts';
import { checkOutDir, foreignPaths, OutDirError } from '../traces/out-dir.ts';
import { HASHED_BYTES, readMarker, writeMarker } from '../traces/out-marker.ts';
import { lockFileOf } from '../traces/out-lock.ts';
import { tempBeside } from '../traces/files.ts';
import { hostname } from 'node:os';
import { syncsimCli } from './helpers.ts';
import { BAD_TRACE, DEMO, SMALL_TRACE, experiment, expectRefused, MARK, ROOT, snapshot, workdir, writeFiles } from './out-fixtures.ts';

const here = syncsimHere;

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
    writeFiles(d, { 's.csv': SMALL_TRACE });
    const r1 = await here(['run', 's.csv', '--out', 'fresh'], d);
    expect(r1.code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'fresh', '.syncsim'), 'utf8'))).toMatchObject({ command: 'run' });
    const r2 = await here(['run', 's.csv', '--out', 'fresh', '--seed', '2'], d);
    expect(r2.code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'fresh', 'summary.json'), 'utf8')).config.seed).toBe(2);
    mkdirSync(join(d, 'empty'));
    expect((await here(['run', 's.csv', '--out', 'empty'], d)).code).toBe(0);
    expect(existsSync(join(d, 'empty', 'summary.json'))).toBe(true);
    expect(readdirSync(d).filter((n) => n.endsWith('.lock'))).toEqual([]);

    writeFiles(d, { 'bad.csv': BAD_TRACE, 'papers/draft.tex': 'text', 'rep/.syncsim': MARK('report'), 'rep/index.html': 'x', 'junk/.syncsim': 'garbage!!\n', 'junk/data.txt': 'mine' });
    const before = snapshot(d);
    expectRefused(await here(['run', 'bad.csv', '--out', 'papers'], d), 'papers', "is not empty and was not made by 'syncsim run' (no .syncsim file in it)");
    expectRefused(await here(['run', 'bad.csv', '--out', 'rep'], d), 'rep', "holds the output of 'syncsim report', not of 'syncsim run'");
    // a marker there that syncsim cannot read is not 'no marker' (before: 'no .syncsim file in it'); still refused, left as it was
    expectRefused(await here(['run', 'bad.csv', '--out', 'junk'], d), 'junk', "is not empty and was not made by 'syncsim run' (its .syncsim is not a marker syncsim wrote: unreadable, not a file, or not JSON naming a command)");
    expect(snapshot(d)).toEqual(before);
  });

  it('run: the default results/NAME of another trace of that file name is refused; the same trace, its cache beside it, or --out replace it', async () => {
    const d = workdir();
    writeFiles(d, { 'A/t.csv': SMALL_TRACE, 'B/t.csv': SMALL_TRACE });
    expect((await here(['run', 'A/t.csv'], d)).code).toBe(0);
    const before = snapshot(d);
    const r = await here(['run', 'B/t.csv'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('syncsim: results/t holds the results of another trace of that name, A/t.csv (its summary.json); give --out DIR for the results of B/t.csv, or --out results/t to replace them\n');
    expect(snapshot(d)).toEqual(before);
    // the same trace again, and its binary cache beside it, replace them as before
    expect((await here(['run', 'A/t.csv', '--seed', '2'], d)).code).toBe(0);
    expect((await here(['convert', 'A/t.csv', '-o', 'A/t.sst'], d)).code).toBe(0);
    expect((await here(['run', 'A/t.sst'], d)).code).toBe(0);
    // files of one name stem beside each other are other traces, unless one is the cache made from the other
    writeFileSync(join(d, 'A', 't.csv.gz'), gzipSync(SMALL_TRACE));
    writeFiles(d, { 'A/t': SMALL_TRACE });
    for (const other of ['A/t.csv.gz', 'A/t']) {
      const before2 = snapshot(d);
      const o = await here(['run', other], d);
      expect(o.code, other).toBe(2);
      expect(o.stderr).toBe(`syncsim: results/t holds the results of another trace of that name, A/t.sst (its summary.json); give --out DIR for the results of ${other}, or --out results/t to replace them\n`);
      expect(snapshot(d)).toEqual(before2);
    }
    // asked for by name, the other trace's run replaces them
    expect((await here(['run', 'B/t.csv', '--out', 'results/t'], d)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'results', 't', 'summary.json'), 'utf8')).trace.path).toBe('B/t.csv');
  });

  it('run: replacing an earlier run\'s results (the default results/NAME, or an --out), with --json or without, says so on stderr, naming that run; a new or empty directory says nothing', async () => {
    const d = workdir();
    writeFiles(d, { 't.csv': SMALL_TRACE });
    // the notes of replacing (a run with --seed on the default device, which draws nothing at random, also notes that the seed changed nothing: seed-note.test.ts)
    const notes = (r: { stderr: string }) => r.stderr.split('\n').filter((l) => l.startsWith('syncsim: note:') && !l.includes('drew no random number'));
    const first = await here(['run', 't.csv', '--set', 'personality=linux', '--json'], d);
    expect(first.code, first.stderr).toBe(0);
    expect(notes(first)).toEqual([]);
    const second = await here(['run', 't.csv', '--set', 'personality=freebsd', '--json'], d);
    expect(second.code, second.stderr).toBe(0);
    expect(notes(second)).toEqual(['syncsim: note: results/t: replaced the results of an earlier run (trace t.csv, personality linux, seed 1); give each run its own --out DIR to keep both']);
    expect(JSON.parse(second.stdout).config.personality).toBe('freebsd');
    expect(JSON.parse(readFileSync(join(d, 'results', 't', 'summary.json'), 'utf8')).config.personality).toBe('freebsd');
    // the table ends naming the directory it wrote, and the note says what it replaced
    const table = await here(['run', 't.csv', '--set', 'personality=xnu'], d);
    expect(table.code).toBe(0);
    expect(notes(table)).toEqual(['syncsim: note: results/t: replaced the results of an earlier run (trace t.csv, personality freebsd, seed 1); give each run its own --out DIR to keep both']);
    expect(table.stdout).toMatch(/\nresults: .*results\/t\n$/);
    mkdirSync(join(d, 'empty'));
    expect(notes(await here(['run', 't.csv', '--json', '--out', 'empty'], d))).toEqual([]);
    const again = await here(['run', 't.csv', '--json', '--out', 'empty', '--seed', '7'], d);
    expect(again.stderr).toMatch(/syncsim: note: the run drew no random number .*its seed \(7\) changed nothing/);
    expect(notes(again)).toEqual(['syncsim: note: empty: replaced the results of an earlier run (trace t.csv, personality freebsd, seed 1); give each run its own --out DIR to keep both']);
    // the report drawn from the results replaced goes with them, and the note says so, with how many files it had
    expect((await here(['report', 'empty', '--format', 'svg', '--chart', 'latency-cdf'], d)).code).toBe(0);
    const figures = readdirSync(join(d, 'empty', 'report')).filter((n) => !n.startsWith('.')).length;
    expect(figures).toBeGreaterThan(0);
    const withReport = await here(['run', 't.csv', '--json', '--out', 'empty', '--seed', '8'], d);
    expect(notes(withReport)).toEqual([`syncsim: note: empty: replaced the results of an earlier run (trace t.csv, personality freebsd, seed 7), and the report/ drawn from them (${figures} files; 'syncsim report empty' draws it from these); give each run its own --out DIR to keep both`]);
    expect(existsSync(join(d, 'empty', 'report'))).toBe(false);
    // a directory holding anything syncsim did not write is still refused, --json or not
    writeFiles(d, { 'results/t/NOTES.md': 'mine' });
    expect((await here(['run', 't.csv', '--json'], d)).code).toBe(2);
    expect(readFileSync(join(d, 'results', 't', 'NOTES.md'), 'utf8')).toBe('mine');
  });

  it('run and report: a directory of result files without a marker (an older syncsim\'s, or the user\'s copies, maybe edited) is refused, not replaced, and says why', async () => {
    const d = workdir();
    // what syncsim 0.1.0 before markers left, and what `cp summary.json syncs.csv ...` into a directory of one's own looks like: the result files and a report/
    const old = join(d, 'results', 'demo');
    mkdirSync(join(old, 'report'), { recursive: true });
    writeFileSync(join(old, 'summary.json'), JSON.stringify({ syncsim_version: '0.1.0' }));
    for (const f of ['syncs.csv', 'writeback.csv', 'timeline.csv']) writeFileSync(join(old, f), 'header\n# my notes\n');
    writeFileSync(join(old, 'report', 'report.json'), JSON.stringify({ syncsim_report: 1, charts: [{ name: 'timeline', files: ['timeline.vl.json', 'timeline.svg'] }] }));
    for (const f of ['index.html', 'timeline.vl.json', 'timeline.svg']) writeFileSync(join(old, 'report', f), 'x');
    const before = snapshot(d);
    expect(() => checkOutDir(join(old, 'report'), { command: 'report' })).toThrow(/no \.syncsim file in it: it holds a report's files without the marker syncsim writes with them/);
    const run = await here(['run', DEMO, '--out', 'results/demo'], d);
    expectRefused(run, 'results/demo', "was not made by 'syncsim run' (no .syncsim file in it: it holds a run's result files without the marker syncsim writes with them — copied there, or written by a syncsim of before 2026-12-02 — "
      + 'and syncsim replaces only output it marked, since what is in such a directory may have been edited; move what you keep out of it or delete it yourself)');
    expectRefused(await here(['report', 'results/demo'], d), join('results', 'demo', 'report'), "it holds a report's files without the marker");
    expect(snapshot(d)).toEqual(before);
    // an unmarked directory of anything else says only that it has no marker
    writeFileSync(join(old, 'notes.txt'), 'mine');
    expectRefused(await here(['run', DEMO, '--out', 'results/demo'], d), 'results/demo', "was not made by 'syncsim run' (no .syncsim file in it)");
    expect(readFileSync(join(old, 'notes.txt'), 'utf8')).toBe('mine');
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

    writeFiles(d, { 's.csv': SMALL_TRACE });
    expect((await here(['run', 's.csv', '--out', 'r'], d)).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // an SVG alone: no PNG size said
      expect(r.stdout).toMatch(/^latency-cdf  \d+×\d+ px  2 files  \d+ ms$/m);
    }
    expect(readdirSync(join(d, 'r', 'report')).sort()).toEqual(['.syncsim', 'latency-cdf.svg', 'latency-cdf.vl.json', 'report.json']);
    expect(JSON.parse(readFileSync(join(d, 'r', 'report', '.syncsim'), 'utf8'))).toMatchObject({ command: 'report' });
  }, 120_000);
});

describe('sweep, merge, validate and calibrate', () => {
  it('sweep: refuses ., a file, a non-empty unmarked or another command\'s directory and a default outside results/ before planning; writes a marked directory it resumes', async () => {
    const d = workdir();
    writeFiles(d, {
      'bad.csv': BAD_TRACE, 'exp.yaml': experiment('exp', 'bad.csv'), 'dots.yaml': experiment('..', 'bad.csv'),
      'mine/a.txt': 'a', 'arun/.syncsim': MARK('run'), 'arun/summary.json': '{}',
    });
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
    expect(v.stderr).toMatch(/^syncsim: (bad\.fio:2: option ioengine: |fio not found)/);
    expect(readdirSync(join(d, 'val')).sort()).toEqual(['.syncsim', 'validation.json']);
  });
});

describe('checkOutDir', () => {
  it('refuses a validation output without a marker (an older syncsim\'s, or copied), saying what it looks like, and refuses OutDirError otherwise', () => {
    const d = workdir();
    const v = join(d, 'v');
    mkdirSync(join(v, 'sim'), { recursive: true });
    writeFileSync(join(v, 'validation.json'), JSON.stringify({ syncsim_version: '0.1.0' }));
    for (const f of ['job.fio', 'fio.iolog', 'fio.json', 'fio_lat.1.log', 'trace.csv', 'pairs.csv', 'validation-cdf.svg']) writeFileSync(join(v, f), 'x');
    expect(() => checkOutDir(v, { command: 'validate' })).toThrow(/no \.syncsim file in it: it holds a validation's files without the marker syncsim writes with them/);
    expect(() => checkOutDir(v, { command: 'run' })).toThrow(OutDirError);
    writeFileSync(join(v, 'thesis.pdf'), 'x');
    expect(() => checkOutDir(v, { command: 'validate' })).toThrow(/was not made by 'syncsim validate'/);
  });
});

describe('files a user added inside syncsim\'s own output', () => {
  it('a marker hashes files up to 16 MiB (a report\'s index.html, over 1 MiB, among them) and judges larger ones by size', () => {
    const d = workdir();
    writeFileSync(join(d, 'index.html'), Buffer.alloc(2 << 20, 120));
    writeFileSync(join(d, 'big.csv'), Buffer.alloc(HASHED_BYTES + 1, 48));
    writeMarker(d, 'report', ['big.csv', 'index.html']);
    const stamps = readMarker(d)!.stamps!;
    expect(stamps['index.html']![0]).toBe(2 << 20);
    expect(stamps['index.html']![1]).toMatch(/^[0-9a-f]{32}$/);
    expect(stamps['big.csv']).toEqual([HASHED_BYTES + 1, null]);
    expect(HASHED_BYTES).toBe(16 << 20);
    // one byte changed in place, the size kept: seen in the hashed file
    writeFileSync(join(d, 'index.html'), Buffer.concat([Buffer.from('y'), Buffer.alloc((2 << 20) - 1, 120)]));
    expect(foreignPaths(d, ['big.csv', 'index.html'], undefined, stamps)).toContain('index.html (changed since syncsim wrote it)');
    expect(foreignPaths(d, ['big.csv', 'index.html'], undefined, stamps)).not.toContain('big.csv (changed since syncsim wrote it)');
  });

  it('a hashed file\'s stamp is the SHA-256 of all its bytes (read in pieces of 1 MiB): a change in its last byte is seen', () => {
    const d = workdir();
    // 2.5 MiB of bytes that never repeat a piece (a xorshift stream: bytes periodic in 1 MiB would
    // hide a piece read twice, or pieces hashed after the one buffer was overwritten): the read ends
    // in the middle of its third piece; then a smaller file, read through the buffer the first left
    let x = 0x9e3779b9;
    const bytes = Buffer.from(Array.from({ length: (5 << 20) / 2 }, () => {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      return x & 0xff;
    }));
    const small = Buffer.from(bytes.subarray(1 << 20, (1 << 20) + 12345)).reverse();
    writeFileSync(join(d, 'a.csv'), bytes);
    writeFileSync(join(d, 'b.csv'), small);
    writeFileSync(join(d, 'empty.csv'), '');
    writeMarker(d, 'run', ['a.csv', 'b.csv', 'empty.csv']);
    const stamps = readMarker(d)!.stamps!;
    expect(stamps['a.csv']).toEqual([bytes.length, createHash('sha256').update(bytes).digest('hex').slice(0, 32)]);
    expect(stamps['b.csv']).toEqual([small.length, createHash('sha256').update(small).digest('hex').slice(0, 32)]);
    expect(stamps['empty.csv']).toEqual([0, createHash('sha256').digest('hex').slice(0, 32)]);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(join(d, 'a.csv'), bytes);
    // (workdir() holds a user.txt of its own, not in the marker)
    expect(foreignPaths(d, ['a.csv', 'b.csv', 'empty.csv'], undefined, stamps)).toEqual(['a.csv (changed since syncsim wrote it)', 'user.txt']);
  });

  it('a file syncsim wrote and someone changed since (a hand-tuned chart spec, a note appended to a CSV) is refused as theirs; a copy of the directory (other mtimes, same bytes) is still syncsim\'s', async () => {
    const d = workdir();
    writeFileSync(join(d, 'demo.csv'), SMALL_TRACE);
    expect((await here(['run', 'demo.csv', '--out', 'r', '-q'], d)).code).toBe(0);
    expect((await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf', '-q'], d)).code).toBe(0);
    const marker = JSON.parse(readFileSync(join(d, 'r', '.syncsim'), 'utf8')) as { stamps: Record<string, [number, string | null]> };
    expect(marker.stamps['summary.json']![0]).toBe(statSync(join(d, 'r', 'summary.json')).size);
    expect(marker.stamps['summary.json']![1]).toMatch(/^[0-9a-f]{32}$/);
    // a copy made without keeping times: its files are as written, and it is replaced
    cpSync(join(d, 'r'), join(d, 'copy'), { recursive: true });
    expect((await here(['run', 'demo.csv', '--out', 'copy', '-q'], d)).code).toBe(0);
    // the same size, other bytes: a digit changed in place
    const spec = join(d, 'r', 'report', 'latency-cdf.vl.json');
    const text = readFileSync(spec, 'utf8');
    writeFileSync(spec, text.replace(/\d/, (c) => String((Number(c) + 1) % 10)));
    expect(readFileSync(spec, 'utf8')).not.toBe(text);
    // a note appended to a result file
    writeFileSync(join(d, 'copy', 'syncs.csv'), '# my note\n', { flag: 'a' });
    const before = snapshot(d);
    expectRefused(await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d), join('r', 'report'), 'holds what syncsim did not write there ("latency-cdf.vl.json (changed since syncsim wrote it)")');
    expectRefused(await here(['run', 'demo.csv', '--out', 'r'], d), 'r', '("report/latency-cdf.vl.json (changed since syncsim wrote it)")');
    expectRefused(await here(['run', 'demo.csv', '--out', 'copy'], d), 'copy', '("syncs.csv (changed since syncsim wrote it)")');
    expect(snapshot(d)).toEqual(before);
  });

  it('run and report list what they wrote in .syncsim; a rerun refuses a directory holding anything else, and replaces its own (a run\'s report/ included)', async () => {
    const d = workdir();
    writeFileSync(join(d, 'demo.csv'), SMALL_TRACE);
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    const marker = JSON.parse(readFileSync(join(d, 'r', '.syncsim'), 'utf8'));
    expect(marker.files).toEqual(readdirSync(join(d, 'r')).filter((n) => n !== '.syncsim').sort());
    expect((await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d)).code).toBe(0);
    // the report is syncsim's too: the run is replaced with it
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    expect(existsSync(join(d, 'r', 'report'))).toBe(false);
    writeFileSync(join(d, 'r', 'NOTES.md'), 'mine\n');
    let before = snapshot(d);
    const r1 = await here(['run', 'demo.csv', '--out', 'r'], d);
    expectRefused(r1, 'r', 'holds what syncsim did not write there ("NOTES.md"), which replacing it would delete');
    expect(snapshot(d)).toEqual(before);
    rmSync(join(d, 'r', 'NOTES.md'));
    expect((await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d)).code).toBe(0);
    mkdirSync(join(d, 'r', 'report', 'plots'));
    writeFileSync(join(d, 'r', 'report', 'plots', 'fig.pdf'), 'mine\n');
    before = snapshot(d);
    expectRefused(await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d), 'r/report', 'holds what syncsim did not write there ("plots/")');
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
    writeFileSync(join(d, 'demo.csv'), SMALL_TRACE);
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { path: demo.csv }\ngrid:\n  device.channels: [1, 2]\n');
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    expect((await here(['sweep', 'e.yaml', '--out', join('r', 'sw'), '--cache-dir', 'c'], d)).code).toBe(0);
    writeFileSync(join(d, 'r', 'sw', 'NOTES.md'), 'my analysis\n');
    let before = snapshot(d);
    expectRefused(await here(['run', 'demo.csv', '--out', 'r'], d), 'r', 'holds what syncsim did not write there ("sw/ (the output of \'syncsim sweep\')"), which replacing it would delete');
    expect(snapshot(d)).toEqual(before);
    // the same inside a report directory, and for another run put inside a run
    expect((await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d)).code).toBe(0);
    expect((await here(['sweep', 'e.yaml', '--out', join('r', 'report', 'sw'), '--cache-dir', 'c'], d)).code).toBe(0);
    before = snapshot(d);
    expectRefused(await here(['report', 'r', '--format', 'svg', '--chart', 'latency-cdf'], d), 'r/report', 'holds what syncsim did not write there ("sw/ (the output of \'syncsim sweep\')")');
    expect(snapshot(d)).toEqual(before);
    expect((await here(['run', 'demo.csv', '--out', 'r2'], d)).code).toBe(0);
    expect((await here(['run', 'demo.csv', '--out', join('r2', 'sub'), '--no-cache'], d)).code).toBe(0);
    expectRefused(await here(['run', 'demo.csv', '--out', 'r2'], d), 'r2', 'holds what syncsim did not write there ("sub/ (the output of \'syncsim run\')")');
    expect(existsSync(join(d, 'r2', 'sub', 'summary.json'))).toBe(true);
  });

  it('what a report of the run, or a run inside it, left when killed (its lock, its staging directory) is syncsim\'s; a live one\'s lock is not', async () => {
    const d = workdir();
    writeFiles(d, { 's.csv': SMALL_TRACE });
    expect((await here(['run', 's.csv', '--out', 'r', '--no-cache'], d)).code).toBe(0);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const holder = (pid: number, command: string) => JSON.stringify({ pid, host: hostname(), command, since: '2026-12-06T00:00:00.000Z' }) + '\n';
    // as a report killed mid-way (SIGKILL, the OOM killer) leaves them in r, and a run killed while writing r/sub
    writeFileSync(lockFileOf(join(d, 'r', 'report')), holder(dead, 'report'));
    writeFiles(d, { [`r/${basename(tempBeside(join(d, 'r', 'report'), dead))}/.syncsim`]: MARK('report'), [`r/${basename(tempBeside(join(d, 'r', 'report'), dead))}/latency-cdf.svg`]: '<svg/>' });
    writeFileSync(lockFileOf(join(d, 'r', 'sub')), holder(dead, 'run'));
    writeFiles(d, { [`r/${basename(tempBeside(join(d, 'r', 'sub'), dead))}/.syncsim`]: MARK('run') });
    // they used to make r 'hold what syncsim did not write there (".report.lock")' until removed by hand
    const r = await here(['run', 's.csv', '--out', 'r', '--no-cache'], d);
    expect([r.code, r.stderr]).toEqual([0, expect.not.stringContaining('did not write')]);
    expect(readdirSync(join(d, 'r')).filter((n) => n.startsWith('.') && n !== '.syncsim')).toEqual([]);
    // a report running now (its holder alive), or another host's lock: not replaced under it
    writeFileSync(lockFileOf(join(d, 'r', 'report')), holder(process.pid, 'report'));
    writeFileSync(join(d, 'bad.csv'), BAD_TRACE);
    const before = snapshot(d);
    expectRefused(await here(['run', 'bad.csv', '--out', 'r'], d), 'r', 'holds what syncsim did not write there (".report.lock")');
    writeFileSync(lockFileOf(join(d, 'r', 'report')), JSON.stringify({ pid: dead, host: 'elsewhere.example', command: 'report', since: 'then' }));
    expectRefused(await here(['run', 'bad.csv', '--out', 'r'], d), 'r', 'holds what syncsim did not write there (".report.lock")');
    writeFileSync(lockFileOf(join(d, 'r', 'report')), holder(process.pid, 'report'));
    expect(snapshot(d)).toEqual(before);
  });

  it('the trace cache a run inside a run left there (.trace-cache/, beside its --out) is syncsim\'s; a file of the user\'s in it is not', async () => {
    const d = workdir();
    writeFileSync(join(d, 'demo.csv'), SMALL_TRACE);
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    expect((await here(['run', 'demo.csv', '--out', join('r', 'sub')], d)).code).toBe(0);
    expect(readdirSync(join(d, 'r', '.trace-cache')).some((n) => n.endsWith('.sst'))).toBe(true);
    rmSync(join(d, 'r', 'sub'), { recursive: true });
    // the run is replaced, its cache with it
    expect((await here(['run', 'demo.csv', '--out', 'r'], d)).code).toBe(0);
    expect(existsSync(join(d, 'r', '.trace-cache'))).toBe(false);
    // a file of the user's among the caches: refused, nothing touched
    expect((await here(['run', 'demo.csv', '--out', join('r', 'sub')], d)).code).toBe(0);
    rmSync(join(d, 'r', 'sub'), { recursive: true });
    writeFileSync(join(d, 'r', '.trace-cache', 'mine.sst'), 'not a cache\n');
    const before = snapshot(d);
    expectRefused(await here(['run', 'demo.csv', '--out', 'r'], d), 'r', 'holds what syncsim did not write there (".trace-cache/")');
    expect(snapshot(d)).toEqual(before);
  });
});

describe('an output directory that cannot be removed', () => {
  /** Runs each argument list through the CLI's main in one process in `cwd`, without root's power to write anything (as a user): `{ code, stderr }` of each. */
  const asUser = (cases: string[][], cwd: string): { code: number; stderr: string }[] => {
    const asRoot = process.getuid?.() === 0;
    const cmd = asRoot ? 'setpriv' : process.execPath;
    const pre = asRoot ? ['--bounding-set=-dac_override,-dac_read_search', process.execPath] : [];
    const r = spawnSync(cmd, [...pre, join(ROOT, 'test', 'workers', 'cli-cases.mjs'), JSON.stringify(cases)], { encoding: 'utf8', cwd });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { code: number; stderr: string }[];
  };
  const refusal = (out: string, what: string) => ({ code: 2, stderr: `syncsim: --out ${out}: cannot be replaced: syncsim cannot remove what is in ${what} (EACCES); choose a new directory\n` });

  it('run, report and compare refuse, before any work, to replace one they could not remove (not writable: another user\'s, chmod -w), leaving it and nothing else; a leftover beside it that cannot be removed is left alone', async () => {
    const d = workdir();
    writeFiles(d, { 's.csv': SMALL_TRACE });
    expect((await here(['run', 's.csv', '--out', 'R', '--no-cache'], d)).code).toBe(0);
    expect((await here(['report', 'R', '--format', 'svg', '--chart', 'latency-cdf'], d)).code).toBe(0);
    expect((await here(['compare', 'R', 'R', '--out', 'C', '--reps', '100'], d)).code).toBe(0);
    const run = ['run', 's.csv', '--out', 'R', '--no-cache'];
    try {
      chmodSync(join(d, 'R'), 0o555);
      chmodSync(join(d, 'C'), 0o555);
      let before = snapshot(d);
      // they used to swap the new output in, fail to remove the old one (an internal error, exit 1) and leave it in .R.old-PID
      expect(asUser([run, ['compare', 'R', 'R', '--out', 'C', '--reps', '100']], d)).toEqual([refusal('R', 'R'), refusal('C', 'C')]);
      expect(snapshot(d)).toEqual(before);
      chmodSync(join(d, 'R'), 0o755);
      chmodSync(join(d, 'R', 'report'), 0o555);
      before = snapshot(d);
      expect(asUser([run, ['report', 'R', '--format', 'svg', '--chart', 'latency-cdf']], d)).toEqual([refusal('R', 'R/report'), refusal('R/report', 'R/report')]);
      expect(snapshot(d)).toEqual(before);
      // a killed run's old output that cannot be removed (it used to stop every later run with an internal error): left, and the run goes on
      chmodSync(join(d, 'R', 'report'), 0o755);
      const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
      writeFiles(d, { [`.R.old-${dead}/.syncsim`]: MARK('run'), [`.R.old-${dead}/summary.json`]: '{}' });
      chmodSync(join(d, `.R.old-${dead}`), 0o555);
      const [again] = asUser([run], d);
      expect(again!.code, again!.stderr).toBe(0);
      expect(readdirSync(d).sort()).toEqual([`.R.old-${dead}`, 'C', 'R', 's.csv', 'user.txt']);
      expect(existsSync(join(d, 'R', 'report'))).toBe(false);
    } finally {
      for (const p of readdirSync(d)) if (!p.endsWith('.txt')) chmodSync(join(d, p), 0o755);
      if (existsSync(join(d, 'R', 'report'))) chmodSync(join(d, 'R', 'report'), 0o755);
    }
  }, 120_000);
});
