/**
 * An injected msync and the input's own msync of the same object that follows it with no write
 * to that object between are one sync (sync-injector.ts, README "Importing traces"): the injected
 * msync stays at its time and stands for the input's, which makes no row (`msync_merged`);
 * `msync_injected` counts only the msyncs added to the input's own. Each case is a small input
 * written by hand, with the rows it must give worked out by hand.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blkparseImporter } from '../traces/import/blkparse.ts';
import { fioIologImporter } from '../traces/import/fio-iolog.ts';
import { ImportedTrace } from '../traces/import/sync-injector.ts';
import type { ImportStats } from '../traces/import/importer.ts';
import { Flag } from '../traces/types.ts';
import type { RowInput } from '../traces/writer.ts';
import { syncsimHere } from './cli-here.ts';
import { importRows } from './import-rows.ts';

const TIB = 2 ** 40;
const T16 = 2 ** 44;
/** dev8_0 and dev8_16, the first and second device met: their 16 TiB regions. */
const A = T16;
const B = 2 * T16;
const S = Flag.SYNC;

const dir = mkdtempSync(join(tmpdir(), 'syncsim-sync-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A new file of these lines in the test's directory. */
function input(lines: string[]): string {
  const f = join(dir, `in${files++}.txt`);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

/** Rows as [t µs, task, op, addr, len, flags]. */
const brief = (rows: RowInput[]) => rows.map((r) => [r.tNs / 1000, r.task, r.op, r.addr, r.len, r.flags ?? 0]);

/** The input's syncs plus the added ones are the msync rows. */
function expectCounted(rows: RowInput[], stats: ImportStats, inputSyncs: number): void {
  expect(rows.filter((r) => r.op === 'msync').length).toBe(inputSyncs + stats.msync_injected!);
}

describe('blkparse --sync-every-writes: a flush after an injected msync, with no write to the device between, is merged into it', () => {
  it('a flush right after the N-th write (the request\'s G, D and C events between make no row)', async () => {
    const f = input([
      '  8,0    0        1     0.000000000   100  Q  WS 0 + 8 [db]',
      '  8,0    0        2     0.000001000   100  G  WS 0 + 8 [db]',
      '  8,0    0        3     0.000010000   100  Q  WS 8 + 16 [db]',
      '  8,0    0        4     0.000011000   100  D  WS 8 + 16 [db]',
      '  8,0    0        5     0.000015000     0  C  WS 0 + 8 [0]',
      '  8,0    0        6     0.000020000   100  Q  FN [db]',
      '  8,0    0        7     0.000030000   100  Q  WS 24 + 8 [db]',
    ]);
    const { rows, stats } = await importRows(blkparseImporter, f, { syncEveryWrites: 2 });
    expect(brief(rows)).toEqual([
      [0, 'dev8_0', 'map', A, T16, 0],
      [0, 'dev8_0', 'write', A, 4096, 0],
      [10, 'dev8_0', 'write', A + 4096, 8192, 0],
      [10, 'dev8_0', 'msync', A, T16, S], // injected after the 2nd write; stands for the flush at 20
      [30, 'dev8_0', 'write', A + 12288, 4096, 0],
    ]);
    expect(stats).toMatchObject({ msync_injected: 0, msync_merged: 1 });
    expectCounted(rows, stats, 1);
  });

  it('a read of the device and another device\'s I/O between; the flush a pre-flush (FWS), whose write stays', async () => {
    const f = input([
      '  8,0    0        1     0.000000000   100  Q  WS 0 + 8 [db]',
      '  8,0    0        2     0.000010000   100  Q  WS 8 + 8 [db]',
      '  8,0    1        1     0.000020000   200  Q   R 800 + 8 [cat]',
      '  8,16   1        2     0.000030000   300  Q  WS 0 + 8 [dd]',
      '  8,0    0        3     0.000040000   100  Q FWS 16 + 8 [jbd2/sda1-8]',
      '  8,0    0        4     0.000050000   100  Q  WS 24 + 8 [db]',
    ]);
    const { rows, stats } = await importRows(blkparseImporter, f, { syncEveryWrites: 2 });
    expect(brief(rows)).toEqual([
      [0, 'dev8_0', 'map', A, T16, 0],
      [0, 'dev8_0', 'write', A, 4096, 0],
      [10, 'dev8_0', 'write', A + 4096, 4096, 0],
      [10, 'dev8_0', 'msync', A, T16, S], // injected; stands for the pre-flush at 40
      [20, 'dev8_0', 'read', A + 409600, 4096, 0],
      [30, 'dev8_16', 'map', B, T16, 0],
      [30, 'dev8_16', 'write', B, 4096, 0],
      [40, 'dev8_0', 'write', A + 8192, 4096, 0], // the FWS's write, the first since the count restarted
      [50, 'dev8_0', 'write', A + 12288, 4096, 0],
      [50, 'dev8_0', 'msync', A, T16, S], // injected after the 2nd
    ]);
    expect(stats).toMatchObject({ msync_injected: 1, msync_merged: 1 });
    expectCounted(rows, stats, 1);
  });

  it('a write between: both kept (the flush has that write to sync)', async () => {
    const f = input([
      '  8,0    0        1     0.000000000   100  Q  WS 0 + 8 [db]',
      '  8,0    0        2     0.000010000   100  Q  WS 8 + 8 [db]',
      '  8,0    0        3     0.000020000   100  Q  WS 16 + 8 [db]',
      '  8,0    0        4     0.000030000   100  Q  FN [db]',
    ]);
    const { rows, stats } = await importRows(blkparseImporter, f, { syncEveryWrites: 2 });
    expect(brief(rows)).toEqual([
      [0, 'dev8_0', 'map', A, T16, 0],
      [0, 'dev8_0', 'write', A, 4096, 0],
      [10, 'dev8_0', 'write', A + 4096, 4096, 0],
      [10, 'dev8_0', 'msync', A, T16, S], // injected
      [20, 'dev8_0', 'write', A + 8192, 4096, 0],
      [30, 'dev8_0', 'msync', A, T16, S], // the flush
    ]);
    expect(stats).toMatchObject({ msync_injected: 1, msync_merged: 0 });
    expectCounted(rows, stats, 1);
  });

  it('the input\'s own flushes back to back: only the first is merged, the second stays as the input has it', async () => {
    const f = input([
      '  8,0    0        1     0.000000000   100  Q  WS 0 + 8 [db]',
      '  8,0    0        2     0.000010000   100  Q  FN [db]',
      '  8,0    0        3     0.000020000   100  Q  FN [db]',
      '  8,0    0        4     0.000030000   100  Q  WS 8 + 8 [db]',
    ]);
    const { rows, stats } = await importRows(blkparseImporter, f, { syncEveryWrites: 1 });
    expect(brief(rows)).toEqual([
      [0, 'dev8_0', 'map', A, T16, 0],
      [0, 'dev8_0', 'write', A, 4096, 0],
      [0, 'dev8_0', 'msync', A, T16, S], // injected; stands for the flush at 10
      [20, 'dev8_0', 'msync', A, T16, S], // the second flush
      [30, 'dev8_0', 'write', A + 4096, 4096, 0],
      [30, 'dev8_0', 'msync', A, T16, S], // injected
    ]);
    expect(stats).toMatchObject({ msync_injected: 1, msync_merged: 1 });
    expectCounted(rows, stats, 2);
  });

  it('through the CLI: the counter is printed with the others', async () => {
    input(['  8,0    0  1  0.000000000  100  Q  WS 0 + 8 [db]', '  8,0    0  2  0.000010000  100  Q  FN [db]']);
    const name = `in${files - 1}.txt`;
    const r = await syncsimHere(['import', '--from', 'blkparse', name, '-o', 'merged.csv', '--sync-every-writes', '1'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 rows \(map 1, write 1, msync 1\)/);
    expect(r.stderr).toMatch(/msync_injected 0, msync_merged 1/);
    expect(readFileSync(join(dir, 'merged.csv'), 'utf8').trim().split('\n').filter((l) => /^\d/.test(l))).toEqual([
      `0,dev8_0,map,0x100000000000,${T16},,dev8_0,0`,
      `0,dev8_0,write,0x100000000000,4096,,,`,
      `0,dev8_0,msync,0x100000000000,${T16},SYNC,,`,
    ]);
  });
});

describe('blkparse --sync-every-us: a flush after a boundary\'s injected msync, with no write to the device between, is merged into it', () => {
  it('the flush that crosses the boundary, one after a read; another device\'s injected msync and a flush after a write stay', async () => {
    const f = input([
      '  8,0    0        1     0.000000000   100  Q  WS 0 + 8 [db]',
      '  8,16   1        1     0.000050000   300  Q  WS 0 + 8 [dd]',
      '  8,0    0        2     0.000150000   100  Q  FN [db]',
      '  8,0    0        3     0.000160000   100  Q  WS 8 + 8 [db]',
      '  8,0    1        2     0.000210000   200  Q   R 800 + 8 [cat]',
      '  8,0    0        4     0.000220000   100  Q  FN [db]',
      '  8,16   1        3     0.000230000   300  Q  WS 8 + 8 [dd]',
      '  8,16   1        4     0.000310000   300  Q  WS 16 + 8 [dd]',
      '  8,16   1        5     0.000320000   300  Q  FN [dd]',
    ]);
    const { rows, stats } = await importRows(blkparseImporter, f, { syncEveryUs: 100 });
    expect(brief(rows)).toEqual([
      [0, 'dev8_0', 'map', A, T16, 0],
      [0, 'dev8_0', 'write', A, 4096, 0],
      [50, 'dev8_16', 'map', B, T16, 0],
      [50, 'dev8_16', 'write', B, 4096, 0],
      [100, 'dev8_0', 'msync', A, T16, S], // boundary 100; stands for the flush at 150
      [100, 'dev8_16', 'msync', B, T16, S], // boundary 100
      [160, 'dev8_0', 'write', A + 4096, 4096, 0],
      [200, 'dev8_0', 'msync', A, T16, S], // boundary 200; stands for the flush at 220
      [210, 'dev8_0', 'read', A + 409600, 4096, 0],
      [230, 'dev8_16', 'write', B + 4096, 4096, 0],
      [300, 'dev8_16', 'msync', B, T16, S], // boundary 300
      [310, 'dev8_16', 'write', B + 8192, 4096, 0],
      [320, 'dev8_16', 'msync', B, T16, S], // the flush: a write since the boundary's msync
    ]);
    expect(stats).toMatchObject({ msync_injected: 2, msync_merged: 2 });
    expectCounted(rows, stats, 3);
  });
});

describe('fio-iolog: the same for its syncs', () => {
  it('sync and sync_file_range after an injected msync with a read between are merged; a datasync after a write stays', async () => {
    const f = input([
      'fio version 3 iolog',
      '0 /d/f add',
      '10 /d/f write 0 4096',
      '20 /d/f write 4096 4096',
      '30 /d/f read 0 4096',
      '40 /d/f sync 0 0',
      '50 /d/f write 8192 4096',
      '60 /d/f write 12288 4096',
      '70 /d/f sync_file_range 0 8192',
      '80 /d/f write 0 4096',
      '90 /d/f datasync 0 0',
    ]);
    const { rows, stats } = await importRows(fioIologImporter, f, { syncEveryWrites: 2 });
    expect(brief(rows)).toEqual([
      [0, 'fio', 'map', TIB, TIB, 0],
      [0, 'fio', 'write', TIB, 4096, 0],
      [10, 'fio', 'write', TIB + 4096, 4096, 0],
      [10, 'fio', 'msync', TIB, TIB, S], // injected; stands for the sync at 30
      [20, 'fio', 'read', TIB, 4096, 0],
      [40, 'fio', 'write', TIB + 8192, 4096, 0],
      [50, 'fio', 'write', TIB + 12288, 4096, 0],
      [50, 'fio', 'msync', TIB, TIB, S], // injected; stands for the sync_file_range at 60
      [70, 'fio', 'write', TIB, 4096, 0],
      [80, 'fio', 'msync', TIB, TIB, S], // the datasync
    ]);
    expect(stats).toMatchObject({ msync_injected: 0, msync_merged: 2 });
    expectCounted(rows, stats, 3);
  });
});

describe('ImportedTrace', () => {
  it('an input msync with other flags than the injected ones is kept: it does more than write', () => {
    const stats: ImportStats = {};
    const t = new ImportedTrace('x', { pageSize: 4096, syncFlags: S, syncEveryWrites: 1 }, stats, TIB);
    const place = { line: 1, column: '-', text: '' };
    t.write('f', 'p', 0, 0, 4096, place);
    t.syncAll('f', 'p', 10_000, S | Flag.INVALIDATE, place);
    t.syncAll('f', 'p', 20_000, S, place);
    expect(brief(t.take())).toEqual([
      [0, 'p', 'map', TIB, TIB, 0],
      [0, 'p', 'write', TIB, 4096, 0],
      [0, 'p', 'msync', TIB, TIB, S], // injected
      [10, 'p', 'msync', TIB, TIB, S | Flag.INVALIDATE],
      [20, 'p', 'msync', TIB, TIB, S], // after the input's own: kept
    ]);
    expect(stats).toMatchObject({ msync_injected: 1, msync_merged: 0 });
  });
});
