/**
 * The fio-iolog, blkparse and msr importers and `syncsim import`: real fio logs
 * made here by fio, committed blkparse / MSR fixtures (test/fixtures/README.md),
 * malformed inputs, sync injection, and the command's output handling.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fioIologImporter } from '../traces/import/fio-iolog.ts';
import { blkparseImporter } from '../traces/import/blkparse.ts';
import { msrImporter } from '../traces/import/msr.ts';
import { IMPORTERS } from '../traces/import/index.ts';
import { syncsimHere, type CliResult } from './cli-here.ts';
import { importCommand } from '../scripts/commands/import.ts';
import { readTrace } from '../traces/reader.ts';
import { Flag, type TraceRow } from '../traces/types.ts';
import { simulate } from './helpers.ts';
import { importError, importRows } from './import-rows.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const BLKPARSE = join(FIXTURES, 'blkparse', 'two-disks.txt');
const MSR = join(FIXTURES, 'msr', 'two-volumes.csv');
const TIB = 2 ** 40;
const TIB16 = 2 ** 44;

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-import-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
/** Time allowed to tests that start processes (a few seconds on an idle machine; more on a loaded one). */
const SPAWN_TIMEOUT = 30_000;

async function readAll(path: string): Promise<TraceRow[]> {
  const rows: TraceRow[] = [];
  for await (const b of readTrace(path)) rows.push(...b);
  return rows;
}

const count = (rows: { op: string }[], op: string) => rows.filter((r) => r.op === op).length;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---------------------------------------------------------------------------------------------
// fio

/** One parsed line of a fio iolog, as the test reads it (independently of the importer). */
interface FioLine {
  ts: number;
  file: string;
  action: string;
  offset: number;
  len: number;
}

function parseV3(text: string): FioLine[] {
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('fio version 3 iolog');
  return lines.slice(1).map((l) => {
    const [ts, file, action, offset, len] = l.split(' ');
    return { ts: Number(ts), file: file!, action: action!, offset: Number(offset ?? 0), len: Number(len ?? 0) };
  });
}

describe('fio-iolog', () => {
  // The job: 2 files of 1 MiB, 4 KiB random writes through mmap, fsync every 8 writes;
  // and a sequential reader of a third file.
  const BS = 4096;
  const FILE_SIZE = 1 << 20;
  const NRFILES = 2;
  const FSYNC = 8;
  const WRITES = (NRFILES * FILE_SIZE) / BS;
  const READS = (256 * 1024) / BS;
  let dir = '';
  let wlog = '';
  let rlog = '';
  let wlines: FioLine[] = [];

  beforeAll(() => {
    dir = tmp();
    wlog = join(dir, 'w.iolog');
    rlog = join(dir, 'r.iolog');
    writeFileSync(join(dir, 'job.fio'), [
      '[global]', 'ioengine=mmap', `directory=${dir}`, `bs=${BS}`,
      '[w]', 'rw=randwrite', `nrfiles=${NRFILES}`, `filesize=${FILE_SIZE}`, `size=${NRFILES * FILE_SIZE}`, `fsync=${FSYNC}`, `write_iolog=${wlog}`,
      '[r]', 'stonewall', 'rw=read', 'size=256k', `write_iolog=${rlog}`, '',
    ].join('\n'));
    const r = spawnSync('fio', ['--output=' + join(dir, 'fio.out'), join(dir, 'job.fio')], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    wlines = parseV3(readFileSync(wlog, 'utf8'));
  }, SPAWN_TIMEOUT);

  it('fio wrote the job as expected (the reference for the other tests)', () => {
    // fsync=N: a sync after every N-th write, except after the last one (fio ends the job first).
    expect(wlines.filter((l) => l.action === 'write').length).toBe(WRITES);
    expect(wlines.filter((l) => l.action === 'write').every((l) => l.len === BS)).toBe(true);
    expect(wlines.filter((l) => l.action === 'sync').length).toBe(Math.floor((WRITES - 1) / FSYNC));
    expect(new Set(wlines.filter((l) => l.action === 'write').map((l) => l.file)).size).toBe(NRFILES);
  });

  it('imports a real version-3 log of an mmap job: one object per file, writes and whole-mapping msyncs, and it replays', async () => {
    const out = join(dir, 'w.csv');
    const r = await syncsimHere(['import', '--from', 'fio-iolog', wlog, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/trim 0, wait 0/);
    const rows = await readAll(out);
    const ios = wlines.filter((l) => l.action === 'write' || l.action === 'sync');
    expect(count(rows, 'map')).toBe(NRFILES);
    expect(count(rows, 'write')).toBe(WRITES);
    expect(count(rows, 'msync')).toBe(Math.floor((WRITES - 1) / FSYNC));
    expect(rows.length).toBe(NRFILES + ios.length);
    expect(rows.every((x) => x.task === 'fio')).toBe(true);

    // Every file mapped at its own aligned base, 1 TiB long, before its first use.
    const base = new Map<string, number>();
    for (const m of rows.filter((x) => x.op === 'map')) {
      expect(m.len).toBe(TIB);
      expect(m.addr % TIB).toBe(0);
      expect(m.offset).toBe(0);
      base.set(m.object, m.addr);
    }
    expect(new Set(base.values()).size).toBe(NRFILES);
    expect([...base.keys()].sort()).toEqual([...new Set(ios.map((l) => l.file))].sort());

    // Row by row against the log: time from the first I/O, address = base + offset.
    const data = rows.filter((x) => x.op !== 'map');
    const t0 = ios[0]!.ts;
    ios.forEach((l, i) => {
      const row = data[i]!;
      expect(row.tNs).toBe((l.ts - t0) * 1000);
      if (l.action === 'write') {
        expect(row).toMatchObject({ op: 'write', addr: base.get(l.file)! + l.offset, len: l.len });
      } else {
        expect(row).toMatchObject({ op: 'msync', addr: base.get(l.file)!, len: TIB, flags: Flag.SYNC });
      }
    });
    expect(rows[0]!.tNs).toBe(0);

    const run = await syncsimHere(['run', out, '--out', join(dir, 'res-w'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(s.ops.write).toBe(WRITES);
    expect(s.ops.msync).toBe(Math.floor((WRITES - 1) / FSYNC));
    expect(s.sync.ok).toBe(s.ops.msync);
    expect(s.faults.unmapped_write).toBe(0);
    expect(s.writeback.dirtied_bytes).toBe(WRITES * BS);
  });

  it('imports the reader job: reads, no msync', async () => {
    const { rows, stats } = await importRows(fioIologImporter, rlog);
    expect(count(rows, 'read')).toBe(READS);
    expect(count(rows, 'map')).toBe(1);
    expect(count(rows, 'write') + count(rows, 'msync')).toBe(0);
    const reads = rows.filter((r) => r.op === 'read');
    // rw=read is sequential: offsets 0, BS, 2·BS, ...
    expect(reads.map((r) => r.addr - rows[0]!.addr)).toEqual(Array.from({ length: READS }, (_, i) => i * BS));
    expect(stats).toMatchObject({ trim: 0, wait: 0 });
  });

  it('a version-2 log that fio replays gives the same rows as the version-3 log, its waits giving the times', async () => {
    // The v3 log rewritten as v2: no timestamps, a `wait` of the gap before each line.
    let prev = wlines[0]!.ts;
    const v2: string[] = ['fio version 2 iolog'];
    let waits = 0;
    for (const l of wlines) {
      if (l.ts > prev) {
        v2.push(`${l.file} wait ${l.ts - prev} 0`);
        waits++;
      }
      prev = l.ts;
      v2.push(['add', 'open', 'close'].includes(l.action) ? `${l.file} ${l.action}` : `${l.file} ${l.action} ${l.offset} ${l.len}`);
    }
    const v2log = join(dir, 'w.v2.iolog');
    writeFileSync(v2log, v2.join('\n') + '\n');

    // fio itself accepts and replays it (fio 3.33 writes only version 3; mmap replay is broken in fio, so psync).
    const json = join(dir, 'replay.json');
    const r = spawnSync('fio', ['--name=replay', '--ioengine=psync', `--read_iolog=${v2log}`, '--replay_no_stall=1', '--output-format=json', `--output=${json}`], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const job = JSON.parse(readFileSync(json, 'utf8')).jobs[0];
    expect(job.error).toBe(0);
    expect(job.write.total_ios).toBe(WRITES);
    expect(job.sync.total_ios).toBe(Math.floor((WRITES - 1) / FSYNC));

    const a = await importRows(fioIologImporter, v2log);
    const b = await importRows(fioIologImporter, wlog);
    expect(a.rows).toEqual(b.rows);
    expect(a.stats.wait).toBe(waits);
    expect(waits).toBeGreaterThan(100);
  }, SPAWN_TIMEOUT);

  it('trim and wait are counted; datasync and sync_file_range become msyncs; v3 wait is ignored like fio does', async () => {
    const d = tmp();
    const log = join(d, 'mixed.iolog');
    writeFileSync(log, [
      'fio version 3 iolog',
      '5 /data/a add',
      '6 /data/a open',
      '10 /data/a write 0 8192',
      '12 /data/a trim 8192 4096',
      '13 /data/a wait 500 0',
      '20 /data/a datasync 0 0',
      '25 /data/a sync_file_range 4096 8192',
      '26 /data/a sync_file_range 4096 0',
      '27 /data/a sync_file_range 100 200',
      '28 /data/a sync_file_range 4000 200',
      '30 /data/a read 4096 100',
      '40 /data/a close',
      '',
    ].join('\n'));
    const { rows, stats } = await importRows(fioIologImporter, log, { syncFlags: Flag.ASYNC });
    expect(stats).toMatchObject({ trim: 1, wait: 1 });
    expect(rows.map((r) => [r.tNs, r.op, r.addr - TIB, r.len, r.flags ?? 0])).toEqual([
      [0, 'map', 0, TIB, 0],
      [0, 'write', 0, 8192, 0],
      [10_000, 'msync', 0, TIB, Flag.ASYNC],
      [15_000, 'msync', 4096, 8192, Flag.ASYNC],
      [16_000, 'msync', 4096, TIB - 4096, Flag.ASYNC],
      // a byte range syncs the pages it touches: msync would refuse an unaligned address (EINVAL)
      [17_000, 'msync', 0, 4096, Flag.ASYNC],
      [18_000, 'msync', 0, 8192, Flag.ASYNC],
      [20_000, 'read', 4096, 100, 0],
    ]);
  });

  it('with the file size given each mapping covers the file (page-rounded), whole-mapping msyncs too, and an I/O past it is an error', async () => {
    const d = tmp();
    const log = join(d, 'sized.iolog');
    writeFileSync(log, ['fio version 3 iolog', '5 /data/a add', '10 /data/a write 0 8192', '20 /data/a datasync 0 0', '26 /data/a sync_file_range 4096 0', '30 /data/a read 20000 100', ''].join('\n'));
    const { rows } = await importRows(fioIologImporter, log, { fileBytes: 20_481 });
    // 20,481 bytes: six 4 KiB pages, 24,576 bytes mapped
    expect(rows.map((r) => [r.op, r.addr - TIB, r.len])).toEqual([
      ['map', 0, 24_576], ['write', 0, 8192], ['msync', 0, 24_576], ['msync', 4096, 24_576 - 4096], ['read', 20_000, 100],
    ]);
    // the size given bounds the I/O, not its page: 20,481 bytes is the last one a write may reach
    writeFileSync(log, ['fio version 3 iolog', '5 /data/a add', '10 /data/a write 20000 481', '12 /data/a write 20000 482', ''].join('\n'));
    const e = await importError(fioIologImporter, log, { fileBytes: 20_481 });
    expect([e.line, e.column]).toEqual([4, 'offset']);
    expect(e.message).toMatch(/offset \+ length must be at most 20481 \(the size given for \/data\/a\)/);
    // a sync_file_range to the end that starts past the file
    writeFileSync(log, ['fio version 3 iolog', '5 /data/a add', '10 /data/a sync_file_range 20481 0', ''].join('\n'));
    const r = await importError(fioIologImporter, log, { fileBytes: 20_481 });
    expect([r.line, r.column, r.message.replace(/^.*column offset: /, '')]).toEqual([3, 'offset', "offset must be below 20481 (the size given for /data/a) (got '20481 0')"]);
  });

  it('sizes by file (version 2): each maps its own, a file without one its whole region', async () => {
    const d = tmp();
    const log = join(d, 'two.iolog');
    writeFileSync(log, ['fio version 2 iolog', '/a add', '/b add', '/c add', '/a write 0 4096', '/b write 0 4096', '/c write 0 4096', '/b sync 0 0', ''].join('\n'));
    const { rows } = await importRows(fioIologImporter, log, { fileBytes: (name) => new Map([['/a', 8192], ['/b', 5000]]).get(name) });
    expect(rows.filter((r) => r.op === 'map' || r.op === 'msync').map((r) => [r.op, r.object ?? '', r.len])).toEqual([
      ['map', '/a', 8192], ['map', '/b', 8192], ['map', '/c', TIB], ['msync', '', 8192],
    ]);
  });

  it('syncsim import --file-size: fio sizes (16m) map the file, not its region; other formats and bad sizes exit 2', async () => {
    const d = tmp();
    const log = join(d, 'f.iolog');
    writeFileSync(log, ['fio version 3 iolog', '1 /f add', '2 /f write 0 4096', '3 /f sync 0 0', ''].join('\n'));
    const out = join(d, 'f.csv');
    // through the CLI's main in this process: what is tested is the option, not the process
    const r = await syncsimHere(['import', '--from', 'fio-iolog', log, '--file-size', '16m', '-o', out]);
    expect(r.code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv).toMatch(/,fio,map,0x10000000000,16777216,/);
    expect(csv).toMatch(/,fio,msync,0x10000000000,16777216,SYNC/);
    for (const bad of ['0', 'x', '2t', '-4k']) {
      const b = await syncsimHere(['import', '--from', 'fio-iolog', log, `--file-size=${bad}`, '-o', join(d, 'bad.csv')]);
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(/--file-size expects a size from 1 byte to 1t, as fio writes it/);
      expect(existsSync(join(d, 'bad.csv'))).toBe(false);
    }
    // an I/O past the size: FILE:LINE, exit 2, nothing written
    const past = join(d, 'past.iolog');
    writeFileSync(past, ['fio version 3 iolog', '1 /f add', '2 /f write 0 4096', '3 /f write 16773120 8192', ''].join('\n'));
    const p = await syncsimHere(['import', '--from', 'fio-iolog', past, '--file-size', '16m', '-o', join(d, 'past.csv')]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(new RegExp(`${escape(past)}:4: column offset: offset \\+ length must be at most 16777216 \\(the size given for /f\\)`));
    expect(existsSync(join(d, 'past.csv'))).toBe(false);
    const m = await syncsimHere(['import', '--from', 'msr', MSR, '--file-size', '16m']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--file-size is for fio-iolog, whose log names files but not their sizes \(got --from msr\)/);
  });

  it('version 2: waits advance the clock; a second header (an appended run) continues at the last time', async () => {
    const d = tmp();
    const log = join(d, 'v2.iolog');
    writeFileSync(log, [
      'fio version 2 iolog', '/f add', '/f open', '/f wait 40 0',
      '/f write 0 4096', '/f wait 250 0', '/f write 4096 4096', '/f sync 0 0', '/f close',
      'fio version 3 iolog', '1000 /g add', '1000 /g open', '1007 /g write 0 10', '1010 /g write 10 10',
    ].join('\n'));
    const { rows, stats } = await importRows(fioIologImporter, log);
    expect(rows.map((r) => [r.tNs, r.op, r.object ?? ''])).toEqual([
      [0, 'map', '/f'], [0, 'write', ''], [250_000, 'write', ''], [250_000, 'msync', ''],
      [250_000, 'map', '/g'], [250_000, 'write', ''], [253_000, 'write', ''],
    ]);
    expect(rows.find((r) => r.object === '/g')!.addr).toBe(2 * TIB);
    expect(stats.wait).toBe(2);
  });

  it.each([
    ['no header', '1 /f add\n', 1, '-', /expected the header line 'fio version 2 iolog' or 'fio version 3 iolog'/],
    ['bad timestamp', 'fio version 3 iolog\n1 /f add\nx /f write 0 1\n', 3, 'timestamp', /bad timestamp: expected a non-negative integer/],
    ['wrong field count', 'fio version 3 iolog\n1 /f add\n2 /f write 0\n', 3, '-', /expected 'TIMESTAMP FILE ACTION' or 'TIMESTAMP FILE ACTION OFFSET LENGTH'/],
    ['unknown action', 'fio version 2 iolog\n/f add\n/f scribble 0 1\n', 3, 'action', /unknown I\/O action \(expected one of read, write, sync/],
    ['bad offset', 'fio version 2 iolog\n/f add\n\n/f write -5 1\n', 4, 'offset', /bad offset: expected a non-negative integer/],
    ['file not added', 'fio version 3 iolog\n1 /f add\n2 /g write 0 1\n', 3, 'file', /file not added: expected a '\/g add' line/],
    ['beyond the region', `fio version 3 iolog\n1 /f add\n2 /f write ${TIB - 10} 11\n`, 3, 'offset', /at most 1099511627776/],
    ['empty', '', 1, '-', /empty input/],
  ])('malformed: %s', async (_name, text, line, column, what) => {
    const d = tmp();
    const f = join(d, 'bad.iolog');
    writeFileSync(f, text);
    const e = await importError(fioIologImporter, f);
    expect(e.line).toBe(line);
    expect(e.column).toBe(column);
    expect(e.message).toMatch(new RegExp(`^${escape(f)}:${line}: ${column === "-" ? "" : `column ${escape(column)}: `}`));
    expect(e.message).toMatch(what);
  });
});

// ---------------------------------------------------------------------------------------------
// blkparse

describe('blkparse', () => {
  const B0 = TIB16; // dev8_0, the first device met
  const B1 = 2 * TIB16; // dev8_16

  it('imports the fixture: Q events only, flush before and FUA after the I/O, discard counted, summary skipped', async () => {
    const { rows, stats } = await importRows(blkparseImporter, BLKPARSE);
    const S = Flag.SYNC;
    expect(rows.map((r) => [r.tNs / 1000, r.task, r.op, r.addr, r.len, r.flags ?? 0])).toEqual([
      [0, 'dev8_0', 'map', B0, TIB16, 0],
      [0, 'dev8_0', 'write', B0 + 2048 * 512, 8 * 512, 0],
      [200, 'dev8_0', 'write', B0 + 2056 * 512, 16 * 512, 0],
      [300, 'dev8_0', 'read', B0 + 40960 * 512, 64 * 512, 0],
      [500, 'dev8_0', 'msync', B0, TIB16, S], // FWS without data
      [600, 'dev8_0', 'write', B0 + 8192 * 512, 8 * 512, 0], // WFS: FUA write
      [600, 'dev8_0', 'msync', B0, TIB16, S],
      [800, 'dev8_16', 'map', B1, TIB16, 0],
      [800, 'dev8_16', 'write', B1, 8 * 512, 0],
      [1000, 'dev8_0', 'msync', B0, TIB16, S], // FWFS: pre-flush, write, FUA
      [1000, 'dev8_0', 'write', B0 + 16384 * 512, 8 * 512, 0],
      [1000, 'dev8_0', 'msync', B0, TIB16, S],
      [1100, 'dev8_16', 'write', B1 + 8 * 512, 8 * 512, 0],
      [1200, 'dev8_0', 'read', B0 + 512 * 512, 8 * 512, 0],
    ]);
    expect(rows.filter((r) => r.op === 'map').map((r) => r.object)).toEqual(['dev8_0', 'dev8_16']);
    expect(stats).toMatchObject({ discard: 1, passthrough: 0, no_data: 0, msync_injected: 0, time_clamped: 0 });
  });

  it('imported through the CLI to standard output, the fixture replays under every personality', async () => {
    const r = await syncsimHere(['import', '--from', 'blkparse', BLKPARSE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/blkparse .* -> stdout: 14 rows \(map 2, write 6, read 2, msync 4\); discard 1/);
    const lines = r.stdout.trim().split('\n');
    // the source's name and SHA-256 in a header comment
    const sha = createHash('sha256').update(readFileSync(BLKPARSE)).digest('hex');
    expect(lines.slice(0, 4)).toEqual(['# syncsim-trace v1', `# imported by syncsim import --from blkparse from ${basename(BLKPARSE)} (sha256 ${sha})`, expect.stringMatching(/^# stamped: /), 't_us,task,op,addr,len,flags,object,offset']);
    // the 14 rows, then the stamp
    expect(lines.length).toBe(4 + 14 + 1);
    expect(lines.at(-1)).toMatch(/^# syncsim stamp sha256:[0-9a-f]{64}$/);
    const out = join(tmp(), 'blk.csv');
    writeFileSync(out, r.stdout);
    const rows = await readAll(out);
    for (const personality of ['freebsd', 'linux', 'xnu', 'mach']) {
      const { result } = simulate(rows, { personality });
      expect(result.ops).toMatchObject({ map: 2, write: 6, read: 2, msync: 4 });
      expect(result.sync.count).toBe(4);
      expect(result.faults).toEqual({ unmapped_write: 0, unmapped_read: 0 });
      // 6 writes of whole pages: 1 + 2 + 1 + 1 pages on sda, 1 + 1 on sdb
      expect(result.writeback.dirtied_bytes).toBe(7 * 4096);
    }
  });

  it('a line going back in time is clamped and counted', async () => {
    const d = tmp();
    const f = join(d, 'back.txt');
    writeFileSync(f, [
      '  8,0    0        1     5.000000000  1234  Q  WS 0 + 8 [a]',
      '  8,0    1        1     5.000300000  1234  Q  WS 8 + 8 [a]',
      '  8,0    0        2     5.000100000  1234  Q  WS 16 + 8 [a]',
      '  8,0    0        3     5.000400000  1234  Q   W 24 + 8 [a]',
    ].join('\n'));
    const { rows, stats } = await importRows(blkparseImporter, f);
    expect(rows.filter((r) => r.op === 'write').map((r) => r.tNs)).toEqual([0, 300_000, 300_000, 400_000]);
    expect(stats).toMatchObject({ time_clamped: 1, time_clamped_max_us: 200 });
  });

  it.each([
    ['not an event line', 'hello world\n', 1, '-', /expected a blkparse event line 'MAJOR,MINOR CPU SEQUENCE SECONDS.NANOSECONDS PID ACTION RWBS/],
    ['bad device', '  8:0    0        1     0.000000000  1  Q  WS 0 + 8 [a]\n', 1, 'device', /bad device: expected MAJOR,MINOR/],
    ['bad time', '  8,0    0        1     0,000000000  1  Q  WS 0 + 8 [a]\n', 1, 'time', /bad time: expected SECONDS.NANOSECONDS/],
    ['bad RWBS', '  8,0    0        1     0.000000000  1  Q  XS 0 + 8 [a]\n', 1, 'rwbs', /bad RWBS: expected \[F\]\{D\|W\|R\|N\}/],
    ['bad sector count', '  8,0    0        1     0.000000000  1  Q  WS 0 + x [a]\n', 1, 'sectors', /bad sector count/],
    ['no sector', 'Input file sda.blktrace.0 added\n  8,0    0        1     0.000000000  1  Q  WS zzz\n', 2, 'sector', /expected 'SECTOR \+ COUNT \[PROCESS\]' or '\[PROCESS\]'/],
  ])('malformed: %s', async (_name, text, line, column, what) => {
    const d = tmp();
    const f = join(d, 'bad.txt');
    writeFileSync(f, text);
    const e = await importError(blkparseImporter, f);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toMatch(new RegExp(`^${escape(f)}:${line}: ${column === "-" ? "" : `column ${escape(column)}: `}`));
    expect(e.message).toMatch(what);
  });
});

// ---------------------------------------------------------------------------------------------
// msr

describe('msr', () => {
  const U = TIB16; // usr_0, met first
  const S = 2 * TIB16; // src1_2

  it('imports the fixture: one object and task per host+disk, times from the filetime, response time kept', async () => {
    const { rows } = await importRows(msrImporter, MSR);
    expect(rows.map((r) => [r.tNs / 1000, r.task, r.op, r.addr, r.len, r.extra?.x_response_us ?? ''])).toEqual([
      [0, 'usr_0', 'map', U, TIB16, ''],
      [0, 'usr_0', 'read', U + 7014609920, 24576, '4128.6'],
      [50_000, 'usr_0', 'write', U + 1317441536, 8192, '196.3'],
      [100_000, 'usr_0', 'write', U + 1317449728, 4096, '201.1'],
      [150_000, 'src1_2', 'map', S, TIB16, ''],
      [150_000, 'src1_2', 'write', S + 393216, 65536, '1200'],
      [200_000, 'usr_0', 'write', U + 4096, 512, '150'],
      [200_000, 'usr_0', 'read', U + 4096, 4096, '90'],
      [300_000, 'src1_2', 'write', S + 458752, 4096, '182'],
      [400_000, 'usr_0', 'write', U + 1317441536, 8192, '223'],
      [500_000, 'src1_2', 'read', S + 393216, 65536, '3012.5'],
      [600_000, 'usr_0', 'write', U + 8192, 4096, '177.5'],
    ]);
    expect(rows.filter((r) => r.op === 'map').map((r) => r.object)).toEqual(['usr_0', 'src1_2']);
  });

  it('two disks\' files joined end to end: the events that go back in time are clamped, and import warns with a sort command (a user trial)', async () => {
    const d = tmp();
    const f = join(d, 'usr_cat.csv');
    // usr_0 over 0.3 s, then usr_1 from the same start: its three events go back by up to 300 ms
    const t0 = 128166372003061629n;
    const line = (dt: bigint, disk: number) => `${t0 + dt},usr,${disk},Write,8192,4096,1331`;
    writeFileSync(f, [line(0n, 0), line(1_000_000n, 0), line(3_000_000n, 0), line(0n, 1), line(1_000_000n, 1), line(2_000_000n, 1)].join('\n') + '\n');
    const r = await syncsimHere(['import', '--from', 'msr', f, '--sync-every-writes', '2', '-o', join(d, 'out.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/time_clamped 3, time_clamped_max_us 300000/);
    expect(r.stderr).toContain('syncsim import: warning: 3 events of the input come earlier than the event before them (by up to 300 ms) and were moved forward to their time (time_clamped)');
    expect(r.stderr).toContain('sort -t, -k1,1n FILE');
    // in time order: no warning
    writeFileSync(f, [line(0n, 0), line(1_000_000n, 1), line(3_000_000n, 0)].join('\n') + '\n');
    const ok = await syncsimHere(['import', '--from', 'msr', f, '--sync-every-writes', '2', '-o', join(d, 'out2.csv')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toContain('earlier than the event before');
  });

  it('host names that make the same token are still separate tasks: one task per host+disk', async () => {
    const d = tmp();
    const f = join(d, 'hosts.csv');
    writeFileSync(f, ['usr', 'us r', 'us_r'].map((h) => `128166372003061629,${h},0,Write,8192,4096,1331`).join('\n') + '\n');
    const { rows } = await importRows(msrImporter, f);
    const maps = rows.filter((r) => r.op === 'map');
    expect(maps.map((r) => [r.task, r.object])).toEqual([['usr_0', 'usr_0'], ['us_r_0', 'us r_0'], ['us_r_0-2', 'us_r_0']]);
  });

  it('a disk number is its digits as written, leading zeros aside: disks past 2^53 stay apart (a Number merged them)', async () => {
    const d = tmp();
    const f = join(d, 'disks.csv');
    writeFileSync(f, ['99999999999999999999', '100000000000000000000', '1000000000000000000000', '007', '7'].map((n) => `128166372003061629,usr,${n},Write,8192,4096,1`).join('\n') + '\n');
    const { rows } = await importRows(msrImporter, f);
    expect(rows.filter((r) => r.op === 'map').map((r) => r.object)).toEqual(['usr_99999999999999999999', 'usr_100000000000000000000', 'usr_1000000000000000000000', 'usr_7']);
  });

  it('reads gzip input (by magic bytes, whatever the name) and skips a header line', async () => {
    const d = tmp();
    const gz = join(d, 'trace.csv');
    writeFileSync(gz, gzipSync(readFileSync(MSR)));
    const withHeader = join(d, 'header.csv');
    writeFileSync(withHeader, 'Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime\r\n' + readFileSync(MSR, 'utf8').replace(/\n/g, '\r\n'));
    const plain = await importRows(msrImporter, MSR);
    expect((await importRows(msrImporter, gz)).rows).toEqual(plain.rows);
    expect((await importRows(msrImporter, withHeader)).rows).toEqual(plain.rows);
  });

  it('a corrupt gzip input is an error naming the file and the line reached', async () => {
    const d = tmp();
    const f = join(d, 'cut.csv.gz');
    const whole = gzipSync(Buffer.from(readFileSync(MSR, 'utf8').repeat(200)));
    writeFileSync(f, whole.subarray(0, whole.length >> 1));
    const e = await importError(msrImporter, f);
    expect(e.message).toMatch(new RegExp(`^${escape(f)}:\\d+: corrupt gzip data`));
    expect(e.line).toBeGreaterThan(1);
  });

  it.each([
    ['too few fields', '128166372003061629,usr,0,Read,0,512\n', 1, '-', /expected 7 comma-separated fields \(Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime\), found 6/],
    ['bad timestamp', '128166372003061629,usr,0,Read,0,512,1\n12816637200306162x,usr,0,Read,0,512,1\n', 2, 'Timestamp', /bad timestamp: expected a Windows filetime \(a non-negative integer of 100 ns ticks\) \(got/],
    ['timestamp in seconds', '0.000500,src1,0,Write,1084166656,16384,3913\n', 1, 'Timestamp', /bad timestamp: expected a Windows filetime \(a non-negative integer of 100 ns ticks\): a time in seconds is 10,000,000 ticks a second \(got '0\.000500'\)/],
    ['bad type', '128166372003061629,usr,0,Erase,0,512,1\n', 1, 'Type', /bad type: expected 'Read' or 'Write'/],
    ['bad size', '128166372003061629,usr,0,Write,0,-512,1\n', 1, 'Size', /bad size: expected a non-negative integer of bytes/],
    ['missing host', '128166372003061629,,0,Write,0,512,1\n', 1, 'Hostname', /missing host name/],
    ['offset beyond the region', `128166372003061629,usr,0,Write,${TIB16},512,1\n`, 1, 'Offset, Size', /at most 17592186044416 .*\(got '17592186044416, 512'\)/],
    ['size beyond the region', '128166372003061629,usr,0,Write,0,99999999999999999999,1\n', 1, 'Offset, Size', /at most 17592186044416 .*\(got '0, 99999999999999999999'\)/],
    // a user trial: a header alone was said to be empty at line 1, the header's own line
    ['a header alone', 'Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime\n', 2, '-', /empty input: expected MSR Cambridge I\/O lines .* after the header \(line 1\)/],
    ['nothing at all', '', 1, '-', /empty input: expected MSR Cambridge I\/O lines Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime \(got ''\)/],
  ])('malformed: %s', async (_name, text, line, column, what) => {
    const d = tmp();
    const f = join(d, 'bad.csv');
    writeFileSync(f, text);
    const e = await importError(msrImporter, f);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toMatch(new RegExp(`^${escape(f)}:${line}: ${column === "-" ? "" : `column ${escape(column)}: `}`));
    expect(e.message).toMatch(what);
  });
});

// ---------------------------------------------------------------------------------------------
// sync injection

describe('sync injection', () => {
  const U = TIB16;
  const S = 2 * TIB16;

  it('--sync-every-writes N: an msync of the whole mapping after every N-th write to an object', async () => {
    const { rows, stats } = await importRows(msrImporter, MSR, { syncEveryWrites: 2 });
    // usr_0 writes: lines 2, 3, 5, 8, 10 -> msync after lines 3 and 8; src1_2 writes: lines 4, 7 -> after line 7.
    const msyncs = rows.filter((r) => r.op === 'msync').map((r) => [r.tNs / 1000, r.task, r.addr, r.len, r.flags]);
    expect(msyncs).toEqual([
      [100_000, 'usr_0', U, TIB16, Flag.SYNC],
      [300_000, 'src1_2', S, TIB16, Flag.SYNC],
      [400_000, 'usr_0', U, TIB16, Flag.SYNC],
    ]);
    // right after the write that triggered it
    const i = rows.findIndex((r) => r.op === 'msync');
    expect(rows[i - 1]).toMatchObject({ op: 'write', tNs: 100_000_000, task: 'usr_0' });
    expect(stats.msync_injected).toBe(3);
  });

  it('--sync-every-us T: at each multiple of T, an msync of every object written since its last one', async () => {
    const { rows, stats } = await importRows(msrImporter, MSR, { syncEveryUs: 120_000, syncFlags: Flag.ASYNC | Flag.INVALIDATE });
    // Writes: usr_0 at 50k, 100k, 200k, 400k, 600k; src1_2 at 150k, 300k (µs).
    // Boundaries 120k: usr_0; 240k: src1_2 (written at 150k), usr_0 (200k); 360k: src1_2 (300k);
    // 480k: usr_0 (400k); 600k: nothing dirty (the write at 600k comes after it); none after the end.
    const msyncs = rows.filter((r) => r.op === 'msync').map((r) => [r.tNs / 1000, r.task, r.flags]);
    const F = Flag.ASYNC | Flag.INVALIDATE;
    expect(msyncs).toEqual([[120_000, 'usr_0', F], [240_000, 'src1_2', F], [240_000, 'usr_0', F], [360_000, 'src1_2', F], [480_000, 'usr_0', F]]);
    expect(stats.msync_injected).toBe(5);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.tNs).toBeGreaterThanOrEqual(rows[i - 1]!.tNs);
  });

  it('a native whole-mapping msync restarts the count (blkparse flushes); one right after an injected msync is merged into it', async () => {
    const { rows, stats } = await importRows(blkparseImporter, BLKPARSE, { syncEveryWrites: 2 });
    // dev8_0 writes: 0 us, 200 us (-> injected msync at 200), a read at 300, flush at 500 (no write
    // since the injected msync: merged into it, no row), FUA write at 600 (+ its msync), FWFS at 1000
    // (its pre-flush after the FUA's msync is the input's own, kept): count restarts after each
    // native msync, so nothing more is injected on dev8_0; dev8_16 writes at 800 and 1100 -> injected msync at 1100.
    const msyncs = rows.filter((r) => r.op === 'msync').map((r) => [r.tNs / 1000, r.task]);
    expect(msyncs).toEqual([[200, 'dev8_0'], [600, 'dev8_0'], [1000, 'dev8_0'], [1000, 'dev8_0'], [1100, 'dev8_16']]);
    // the input's 4 syncs (500, 600, 1000, 1000) and 1 added (1100); the one at 200 stands for the flush at 500
    expect(stats).toMatchObject({ msync_injected: 1, msync_merged: 1 });
  });

  it('through the CLI, to a gzip-compressed trace that replays', async () => {
    const d = tmp();
    const out = join(d, 'msr.csv.gz');
    const r = await syncsimHere(['import', '--from', 'msr', MSR, '-o', out, '--sync-every-writes', '2', '--sync-flags', 'MS_SYNC']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/15 rows \(map 2, write 7, read 3, msync 3\)/);
    expect(r.stderr).toMatch(/msync_injected 3/);
    expect(readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const rows = await readAll(out);
    expect(rows.length).toBe(15);
    expect(rows[0]!.extra).toEqual({ x_response_us: '' });
    expect(simulate(rows).result.sync).toMatchObject({ count: 3, ok: 3 });
  });
});

// ---------------------------------------------------------------------------------------------
// the command

describe('syncsim import', () => {
  it('--help lists every registered importer', async () => {
    const help = importCommand.help;
    expect(help).toMatch(/^Usage: syncsim import --from FORMAT FILE/);
    for (const flag of ['--page-size', '--sync-every-writes', '--sync-every-us', '--sync-flags', '--assume-dirty', '-o, --out']) expect(help).toContain(flag);
    expect(IMPORTERS.map((i) => i.format)).toEqual(expect.arrayContaining(['fio-iolog', 'blkparse', 'msr']));
    // a description wraps onto lines of its own, under its first word
    for (const imp of IMPORTERS) expect(help).toMatch(new RegExp(`^  ${escape(imp.format)} +${imp.description.split(' ').map(escape).join('(?: |\\n +)')}$`, 'm'));
  });

  it('dispatches every registered format (strace included once registered)', async () => {
    for (const imp of IMPORTERS) {
      await expect(importCommand.run(['--from', imp.format, '/nonexistent/input'])).rejects.toThrow(/input file not found: \/nonexistent\/input/);
    }
  });

  it.each([
    [['--from', 'nope', MSR], /unknown import format 'nope' \(expected one of fio-iolog, blkparse, msr, strace\)$/],
    // a format misspelt or in capitals: the closest (a new user's --from MSR and --from msrr)
    [['--from', 'MSR', MSR], /^unknown import format 'MSR' \(expected one of fio-iolog, blkparse, msr, strace\); did you mean msr\?$/],
    [['--from', 'msrr', MSR], /; did you mean msr\?$/],
    // a long option with one dash is read as short ones: the word it was is what is suggested for
    [['--from', 'msr', MSR, '-sync-every-writes', '4'], /^unknown option '-s' \(try 'syncsim import --help'\); did you mean --sync-every-writes\?$/],
    [[MSR], /import needs --from FORMAT/],
    [['--from', 'msr'], /import expects one FILE argument/],
    [['--from', 'msr', MSR, '--sync-every-writes', '2', '--sync-every-us', '5'], /exclusive/],
    [['--from', 'msr', MSR, '--sync-every-writes', '0'], /--sync-every-writes expects a positive integer/],
    [['--from', 'msr', MSR, '--sync-every-us', 'soon'], /--sync-every-us expects a positive number/],
    // a user trial: 1e9 was refused and 99999999999999999999999 taken as 1e+23
    [['--from', 'msr', MSR, '--sync-every-us', '99999999999999999999999'], /^--sync-every-us expects a positive number of microseconds, from 0\.001 to 9,007,199,254,740 \(got '99999999999999999999999'\)$/],
    [['--from', 'msr', MSR, '--sync-every-us', '1e13'], /from 0\.001 to 9,007,199,254,740 \(got '1e13'\)$/],
    // blktrace's own name: what to run instead
    [['--from', 'blktrace', MSR], /^unknown import format 'blktrace' \(expected one of fio-iolog, blkparse, msr, strace\): blktrace's binary files are read as blkparse's text \(blkparse -i DEVICE -o trace\.txt\), then --from blkparse$/],
    [['--from', 'msr', MSR, '--sync-flags', 'SYNC|USER'], /unknown msync flag 'USER'/],
    [['--from', 'msr', MSR, '--page-size', '3000'], /--page-size expects a power of two/],
    // the configuration's rule for page_size: a power of two from 512 bytes, as inspect takes it
    [['--from', 'msr', MSR, '--page-size', '256'], /^--page-size expects a power of two from 512 to 1073741824 bytes, as page_size \(got '256'\)$/],
    [['--from', 'msr', MSR, '--page-size', '1'], /--page-size expects a power of two from 512/],
    [['--from', 'msr', MSR, '--page-size', '4k'], /--page-size expects a power of two from 512/],
    [['--from', 'msr', MSR, '--bogus'], /^unknown option '--bogus' \(an argument that starts with '-' goes after '--', as in: syncsim import -- --bogus; try 'syncsim import --help'\)$/],
    [['--from', 'msr', MSR, '-o', '/nonexistent-dir-of-syncsim/x.csv'], /^cannot write \/nonexistent-dir-of-syncsim\/x\.csv: its directory does not exist$/],
  ])('usage error %j', async (args, what) => {
    await expect(importCommand.run(args)).rejects.toThrow(what);
  });

  it('malformed input through the CLI: exit 2, FILE:LINE: column, nothing written (every importer)', async () => {
    const d = tmp();
    const cases: [string, string, string, string][] = [
      ['fio-iolog', 'bad.iolog', 'fio version 3 iolog\n1 /f add\n2 /f write 0 zz\n', ':3: column length: bad length: expected a non-negative integer'],
      ['blkparse', 'bad.txt', '  8,0    0        1     0.000000000  1  Q  WS 0 + 8 [a]\n  8,0    0        2     0.000000001  1  Q  W? 0 + 8 [a]\n', ':2: column rwbs: bad RWBS'],
      ['msr', 'bad.csv', '128166372003061629,usr,0,Write,0,512,1\n128166372003061629,usr,0,Write,0,512\n', ':2: expected 7 comma-separated fields'],
    ];
    const results: CliResult[] = [];
    for (const [format, name, text] of cases) {
      const f = join(d, name);
      writeFileSync(f, text);
      results.push(await syncsimHere(['import', '--from', format, f, '-o', join(d, `${name}.out.csv`)]));
    }
    cases.forEach(([, name, , where], i) => {
      const r = results[i]!;
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`syncsim: ${join(d, name)}${where}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(d, `${name}.out.csv`))).toBe(false);
    });
    expect(readdirSync(d).filter((n) => n.includes('.out.csv'))).toEqual([]);
  });
});

describe('an import to standard output that fails part-way', () => {
  it('ends what it wrote with a line that is no row, so that the rows before it are not taken for a whole trace', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-import-cut-'));
    const lines = Array.from({ length: 30 }, (_, i) => `128166372003061629,usr,0,Write,${i * 4096},4096,1`);
    lines[20] = '128166372003061629,usr,0,Write,0,512';
    writeFileSync(join(d, 'cut.msr'), lines.join('\n') + '\n');
    const r = await syncsimHere(['import', '--from', 'msr', 'cut.msr', '--sync-every-writes', '10'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^syncsim: cut\.msr:21: expected 7 comma-separated fields/);
    const out = r.stdout.trimEnd().split('\n');
    expect(out[0]).toBe("# syncsim-trace v1");
    expect(out.at(-1)).toMatch(/^INCOMPLETE: syncsim import failed: cut\.msr:21: expected 7 comma-separated fields .*; this trace is cut short$/);
    // what was written, kept by a shell's redirection, is refused at that line
    writeFileSync(join(d, 'half.csv'), r.stdout);
    const run = await syncsimHere(['run', 'half.csv', '--out', 'o'], d);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`half.csv:${out.length}: wrong number of fields`);
    expect(run.stderr).toContain("(got 'INCOMPLETE: syncsim import failed");
    expect(existsSync(join(d, 'o'))).toBe(false);
  });
});

describe('import of a pipe', () => {
  it('is refused, saying why and what to do', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-import-pipe-'));
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'syncsim.mjs'), 'import', '--from', 'msr', '/dev/stdin'], { cwd: d, input: '128166372003061629,usr,0,Write,0,4096,1\n', encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('syncsim: input is not a file: /dev/stdin (import reads its input twice, to hash it and to convert it, so a pipe will not do: write it to a file first; gzip-compressed input is read as it is)\n');
  });
});

describe('an import to standard output that is interrupted', () => {
  it('ends what it wrote with the INCOMPLETE line, and says so', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-import-int-'));
    const line = (i: number) => `128166372003061629,usr,0,Write,${(i % 100000) * 4096},4096,1\n`;
    writeFileSync(join(d, 'big.msr'), Array.from({ length: 600_000 }, (_, i) => line(i)).join(''));
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'syncsim.mjs'), 'import', '--from', 'msr', 'big.msr', '--sync-every-writes', '10'], { cwd: d });
    let out = '', err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await new Promise<void>((started) => {
      child.stdout.on('data', (c: Buffer) => {
        // stopped once rows flow (a prompt import of all 600,000 before then would fail the test: the rows would have no INCOMPLETE line)
        if (out === '') setTimeout(() => child.kill('SIGTERM'), 50);
        out += c.toString();
        started();
      });
    });
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect(code).toBe(143);
    const lines = out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('INCOMPLETE: syncsim import was interrupted; this trace is cut short');
    expect(err).toContain('syncsim: interrupted (SIGTERM); the rows written to standard output end with an INCOMPLETE line');
  });
});

describe('--sync-every-us with an exponent (a user trial: 1e9 was refused)', () => {
  it('1e5 is 100,000 µs, as 100000 is', async () => {
    const d = tmp();
    const a = await syncsimHere(['import', '--from', 'msr', MSR, '--sync-every-us', '1e5', '-o', join(d, 'a.csv')]);
    const b = await syncsimHere(['import', '--from', 'msr', MSR, '--sync-every-us', '100000', '-o', join(d, 'b.csv')]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(a.stderr).toContain('msync_injected 6');
    const body = (f: string) => readFileSync(join(d, f), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(body('a.csv')).toBe(body('b.csv'));
  });
});
