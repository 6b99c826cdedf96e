/**
 * The access advice of fio's mmap engine as validation and `syncsim import`
 * carry it: fio advises MADV_RANDOM for random jobs and MADV_SEQUENTIAL for
 * the others (engines/mmap.c, fio_mmap_file); validation derives it from the
 * job's `rw` and writes it on the trace's map rows, and gives every store the
 * time to the next I/O log entry as its recorded duration.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mmapAdvice, parseJobFile, prepareJob } from '../scripts/validate/jobfile.ts';
import { fileSizeFrom, importWithMeasured } from '../scripts/validate/sim-side.ts';
import { withFioReadahead } from '../scripts/validate/validation.ts';
import { readTrace } from '../traces/reader.ts';
import { Flag, type TraceRow } from '../traces/types.ts';
import { simulate } from './helpers.ts';
import { syncsimHere } from './cli-here.ts';

const BIN = join(resolve(import.meta.dirname, '..'), 'scripts', 'syncsim.mjs');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-advice-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const syncsim = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
async function rowsOf(file: string): Promise<TraceRow[]> {
  const rows: TraceRow[] = [];
  for await (const b of readTrace(file)) rows.push(...b);
  return rows;
}

/** A version-3 I/O log: 3 writes (the second 80 µs long), a sync, a last write with no entry after it. */
const IOLOG = [
  'fio version 3 iolog', '0 /d/f add', '0 /d/f open',
  '10 /d/f write 8192 4096', '15 /d/f write 0 4096', '95 /d/f write 4096 4096', '100 /d/f sync 0 0',
  '400 /d/f write 12288 4096', '',
].join('\n');

describe('the advice of a fio job', () => {
  it('random rw values advise RANDOM, every other (and the default, read) SEQUENTIAL; a :N suffix is ignored', () => {
    for (const rw of ['randwrite', 'randread', 'randrw', 'randtrim', 'randtrimwrite', 'randwrite:8']) expect(mmapAdvice(rw)).toBe('random');
    for (const rw of ['write', 'read', 'rw', 'readwrite', 'trim', 'trimwrite', 'write:4k', undefined]) expect(mmapAdvice(rw)).toBe('sequential');
  });

  it('fadvise_hint: 0 gives no advice, random or sequential force one, 1 (the default) goes by rw', () => {
    expect(mmapAdvice('randwrite', '0')).toBeNull();
    expect(mmapAdvice('write', 'random')).toBe('random');
    expect(mmapAdvice('randwrite', 'sequential')).toBe('sequential');
    expect(mmapAdvice('randwrite', '1')).toBe('random');
    expect(mmapAdvice('randwrite', '')).toBe('random');
  });

  it('prepareJob takes it from the last rw or readwrite (aliases) of the job, else of [global], and fadvise_hint', () => {
    const outs = { iolog: '/o/fio.iolog', latLog: '/o/fio', dataDir: '/data' };
    const prep = (text: string) => prepareJob(parseJobFile(text, 'job.fio'), outs).advice;
    expect(prep('[j]\nioengine=mmap\nrw=randwrite\nfsync=8\n')).toBe('random');
    expect(prep('[global]\nreadwrite=randrw\n[j]\nioengine=mmap\nfsync=8\n')).toBe('random');
    expect(prep('[global]\nrw=randwrite\n[j]\nioengine=mmap\nreadwrite=write\nfsync=8\n')).toBe('sequential');
    expect(prep('[j]\nioengine=mmap\nrw=randwrite\nreadwrite=write\nfsync=8\n')).toBe('sequential');
    expect(prep('[j]\nioengine=mmap\nrw=write\nfsync=8\n')).toBe('sequential');
    expect(prep('[j]\nioengine=mmap\nfsync=8\n')).toBe('sequential');
    expect(prep('[j]\nioengine=mmap\nrw=randwrite\nfadvise_hint=0\nfsync=8\n')).toBeNull();
  });

  it('a sequential job replays with twice readahead.pages (POSIX_FADV_SEQUENTIAL), the others as they are', () => {
    expect(withFioReadahead(['personality=linux'], 'sequential', 2048)).toEqual(['personality=linux', 'readahead.pages=4096']);
    expect(withFioReadahead(['personality=linux'], 'sequential', 40000)).toEqual(['personality=linux', 'readahead.pages=65536']);
    expect(withFioReadahead(['personality=linux'], 'random', 2048)).toEqual(['personality=linux']);
    expect(withFioReadahead(['personality=linux'], null, 2048)).toEqual(['personality=linux']);
  });
});

describe('a job validation cannot replay', () => {
  it('direct=1 (or buffered=0) with the mmap engine is refused, naming the line: fio msyncs each block it writes, unlogged', () => {
    const outs = { iolog: '/o/fio.iolog', latLog: '/o/fio', dataDir: '/data' };
    const prep = (text: string) => () => prepareJob(parseJobFile(text, 'job.fio'), outs);
    expect(prep('[j]\nioengine=mmap\nrw=randwrite\nfsync=8\ndirect=1\n')).toThrow(/^job\.fio:5: option direct: with ioengine=mmap, direct I\/O makes fio msync every block/);
    expect(prep('[global]\nbuffered=0\n[j]\nioengine=mmap\nfsync=8\n')).toThrow(/^job\.fio:2: option buffered: /);
    expect(prep('[j]\nioengine=mmap\nfsync=8\ndirect\n')).toThrow(/option direct/);
    expect(prep('[j]\nioengine=mmap\nfsync=8\ndirect=0\nbuffered=1\n')).not.toThrow();
  });

  it('an option that places the job\'s files (filename, directory, filename_format, opendir) is refused, in [global] or the job, naming the line and saying to use --dir', () => {
    const outs = { iolog: '/o/fio.iolog', latLog: '/o/fio', dataDir: '/data' };
    const message = (text: string) => {
      try {
        prepareJob(parseJobFile(text, 'job.fio'), outs);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    const place = 'validate runs it in a scratch directory that it makes, and removes, on the filesystem it measures: remove the option, and choose that filesystem with --dir PATH (not tmpfs)';
    const job = '[global]\nioengine=mmap\nrw=randwrite\nbs=8k\nsize=24m\nfsync=4\n[j]\n';
    expect(message(`${job}filename=/dev/shm/x.dat\n`)).toBe(`job.fio:8: option filename: the job names its own files, but ${place} (got 'filename=/dev/shm/x.dat')`);
    expect(message(`${job}filename=rw8k.dat\n`)).toBe(`job.fio:8: option filename: the job names its own files, but ${place} (got 'filename=rw8k.dat')`);
    expect(message('[global]\ndirectory=/tmp/d\n[two]\nioengine=mmap\nfsync=4\nnumjobs=2\n')).toBe(
      `job.fio:2: option directory: the job puts its files in a directory it chooses, but ${place} (got 'directory=/tmp/d')`);
    expect(message(`${job}filename_format=../up.$jobname\n`)).toBe(`job.fio:8: option filename_format: the job names its own files, but ${place} (got 'filename_format=../up.$jobname')`);
    expect(message(`${job}opendir=/dev/shm\n`)).toBe(`job.fio:8: option opendir: the job takes the files under a directory it chooses, but ${place} (got 'opendir=/dev/shm')`);
    // the job's own setting is the one named; a bare option too
    expect(message('[global]\ndirectory=/a\n[j]\nioengine=mmap\nfsync=4\ndirectory=/b\n')).toMatch(/^job\.fio:6: option directory: .* \(got 'directory=\/b'\)$/);
    expect(message(`${job}filename\n`)).toMatch(/^job\.fio:8: option filename: .* \(got 'filename'\)$/);
    // the rewritten job puts every job's files in the scratch directory
    expect(prepareJob(parseJobFile(`${job}numjobs=2\n`, 'job.fio'), outs).text.match(/^directory=.*$/gm)).toEqual(['directory=/data', 'directory=/data']);
  });

  it('pre_read=1 (or a bare pre_read) is accepted with a warning naming the line: the replay does not see the read; pre_read=0 and other jobs have none', () => {
    const outs = { iolog: '/o/fio.iolog', latLog: '/o/fio', dataDir: '/data' };
    const notes = (text: string) => prepareJob(parseJobFile(text, 'job.fio'), outs).unmodelled;
    expect(notes('[j]\nioengine=mmap\nfsync=8\npre_read=1\n')).toEqual([expect.stringMatching(/^job\.fio:4: pre_read=1: fio reads the job's files with read\(\) before the job starts/)]);
    expect(notes('[global]\npre_read\n[j]\nioengine=mmap\nfsync=8\n')).toEqual([expect.stringMatching(/^job\.fio:2: pre_read: /)]);
    expect(notes('[j]\nioengine=mmap\nfsync=8\npre_read=0\n')).toEqual([]);
    expect(notes('[j]\nioengine=mmap\nfsync=8\n')).toEqual([]);
  });
});

describe('importing a validation run', () => {
  it('map rows carry the advice; stores their time to the next entry, msyncs their measured latency', async () => {
    const d = tmp();
    writeFileSync(join(d, 'fio.iolog'), IOLOG);
    const out = join(d, 'trace.csv');
    await importWithMeasured([{ iolog: join(d, 'fio.iolog'), task: 'fio', measured: Float64Array.from([300]) }], out, 4096, Flag.RANDOM);
    const rows = await rowsOf(out);
    expect(rows.map((r) => [r.op, r.flags, r.extra?.x_measured_us ?? ''])).toEqual([
      ['map', Flag.RANDOM, ''], ['write', 0, '5'], ['write', 0, '80'], ['write', 0, '5'], ['msync', Flag.SYNC, '300'], ['write', 0, ''],
    ]);
  });

  it('closed replay puts a store\'s simulated fault in place of its recorded time, not after it', async () => {
    const d = tmp();
    writeFileSync(join(d, 'fio.iolog'), IOLOG);
    const out = join(d, 'trace.csv');
    await importWithMeasured([{ iolog: join(d, 'fio.iolog'), task: 'fio', measured: Float64Array.from([300]) }], out, 4096, Flag.RANDOM);
    const withTimes = await rowsOf(out);
    const without = withTimes.map((r) => (r.op === 'write' ? { ...r, extra: undefined } : r));
    // each store faults its page in (one 100 µs read): the three recorded times (5 + 80 + 5 µs) are
    // replaced by the simulated ones, so the msync is issued 90 µs earlier than when they are added to them
    const cfg = { personality: 'linux', pagein: true };
    const a = simulate(withTimes, cfg), b = simulate(without, cfg);
    expect(a.reads.length).toBe(4);
    expect(b.syncs[0]!.tIssueNs - a.syncs[0]!.tIssueNs).toBe(90_000);
  });
});

describe('importing a validation run: the mapping covers the file', () => {
  /** A log of four sequential stores and an msync to the file at `path`. */
  const seqLog = (path: string) => ['fio version 3 iolog', `0 ${path} add`, `0 ${path} open`, `10 ${path} write 0 4096`, `20 ${path} write 4096 4096`,
    `30 ${path} write 8192 4096`, `40 ${path} write 12288 4096`, `50 ${path} sync 0 0`, ''].join('\n');

  it('maps the size of the file the log adds (page-rounded), so that read-ahead stops at its end; a file that is gone maps the whole region', async () => {
    const d = tmp();
    const data = join(d, 'seq.0.0');
    writeFileSync(data, Buffer.alloc(64 * 4096 - 100)); // 63 pages and most of a 64th
    writeLog(d, 'a.iolog', seqLog(data));
    expect(fileSizeFrom('/')(data)).toBe(64 * 4096 - 100);
    const out = join(d, 'a.csv');
    await importWithMeasured([{ iolog: join(d, 'a.iolog'), task: 'fio', measured: Float64Array.from([300]) }], out, 4096, Flag.SEQUENTIAL);
    const rows = await rowsOf(out);
    expect(rows.filter((r) => r.op === 'map' || r.op === 'msync').map((r) => r.len)).toEqual([64 * 4096, 64 * 4096]);
    // a sequential reader's read-ahead (256 pages a window) reads the 64 pages and nothing past them
    const cfg = { personality: 'linux', pagein: true, readahead: { pages: 256 } };
    const reads = simulate(rows, cfg).reads;
    expect(Math.max(...reads.map((r) => r.offset + r.bytes))).toBe(64 * 4096);
    // without the file (gone, or a log from elsewhere): the whole 1 TiB region, and the window runs past the file's end
    writeLog(d, 'b.iolog', seqLog(join(d, 'gone.0.0')));
    expect(fileSizeFrom('/')(join(d, 'gone.0.0'))).toBeUndefined();
    const outB = join(d, 'b.csv');
    await importWithMeasured([{ iolog: join(d, 'b.iolog'), task: 'fio', measured: Float64Array.from([300]) }], outB, 4096, Flag.SEQUENTIAL);
    const rowsB = await rowsOf(outB);
    expect(rowsB.find((r) => r.op === 'map')!.len).toBe(2 ** 40);
    expect(Math.max(...simulate(rowsB, cfg).reads.map((r) => r.offset + r.bytes))).toBeGreaterThan(64 * 4096);
  });
});

describe('fileSizeFrom: the size of a file, by the name the log gives it, from the file itself', () => {
  it('a relative name is read from where fio ran; files of different sizes each keep their own; a missing one has none', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.0.0'), Buffer.alloc(8192));
    writeFileSync(join(d, 'b.0.0'), Buffer.alloc(3 * 4096));
    const size = fileSizeFrom(d);
    expect(['a.0.0', 'b.0.0', 'c.0.0'].map(size)).toEqual([8192, 12_288, undefined]);
    // from elsewhere the relative names find nothing
    expect(fileSizeFrom('/')('a.0.0')).toBeUndefined();
  });
});

/** Writes `text` to `name` in `dir`; returns its path. */
function writeLog(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

describe('syncsim import --advice', () => {
  it('writes the advice on every map row of a fio-iolog import, and says so', async () => {
    const d = tmp();
    writeFileSync(join(d, 'fio.iolog'), IOLOG);
    for (const [advice, bit] of [['random', Flag.RANDOM], ['sequential', Flag.SEQUENTIAL]] as const) {
      const out = join(d, `${advice}.csv`);
      const r = syncsim(['import', '--from', 'fio-iolog', join(d, 'fio.iolog'), '-o', out, '--advice', advice]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`mappings ${advice.toUpperCase()}`));
      expect((await rowsOf(out)).filter((x) => x.op === 'map').map((x) => x.flags)).toEqual([bit]);
    }
    // without --advice: through the CLI's main in this process (the spawned imports above are the option end to end)
    const plain = join(d, 'plain.csv');
    expect((await syncsimHere(['import', '--from', 'fio-iolog', join(d, 'fio.iolog'), '-o', plain])).code).toBe(0);
    expect((await rowsOf(plain)).filter((x) => x.op === 'map').map((x) => x.flags)).toEqual([0]);
  });

  // the refusals through the CLI's main in this process: the same code, exit code and message without a process each
  it('refuses an unknown advice, and any advice on an strace trace (its mappings are the program\'s), writing nothing', async () => {
    const d = tmp();
    writeFileSync(join(d, 'fio.iolog'), IOLOG);
    const out = join(d, 'x.csv');
    for (const bad of ['normal', 'constructor', '']) {
      const r = await syncsimHere(['import', '--from', 'fio-iolog', join(d, 'fio.iolog'), '-o', out, '--advice', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--advice expects random or sequential/);
    }
    writeFileSync(join(d, 's.txt'), '');
    const s = await syncsimHere(['import', '--from', 'strace', join(d, 's.txt'), '-o', out, '--advice', 'random']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/--advice is for formats whose mappings syncsim lays out/);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});
