/**
 * blkparse of kernels before 2.6.37 (no flush or FUA flag) prints a barrier request as `B` in
 * its RWBS (`WBS`, after `A`, before `S`); such traces were refused (user trial h202: `bad RWBS:
 * expected [F]{D|W|R|N}[F][A][S][M] (got 'WBS')`). A barrier is ordered and durable as a flush
 * before and a FUA after the I/O: it imports as an msync before the write and one after it.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blkparseImporter } from '../traces/import/blkparse.ts';
import { importError, importRows } from './import-rows.ts';

const write = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'syncsim-blkparse-b-')), 'b.txt');
  writeFileSync(path, text);
  return path;
};

const BASE = 0x100000000000; // the first device's region (16 TiB)
const WHOLE = 2 ** 44;

describe('blkparse barriers (B)', () => {
  it('a barrier write: msync, write, msync; a barrier without data: one msync; other requests as before', async () => {
    const { rows, stats } = await importRows(blkparseImporter, write([
      '  8,0    0        1     0.000000000  2041  Q   W 1000 + 8 [kjournald]',
      '  8,0    0        2     0.000100000  2041  Q  WBS 2000 + 8 [kjournald]',
      '  8,0    0        3     0.000200000  2041  Q   R 3000 + 8 [cat]',
      '  8,0    0        4     0.000300000  2041  Q  WB [kjournald]',
      '',
    ].join('\n')));
    expect(rows.map((r) => [r.tNs / 1000, r.op, r.addr - BASE, r.len])).toEqual([
      [0, 'map', 0, WHOLE],
      [0, 'write', 1000 * 512, 4096],
      [100, 'msync', 0, WHOLE],
      [100, 'write', 2000 * 512, 4096],
      [100, 'msync', 0, WHOLE],
      [200, 'read', 3000 * 512, 4096],
      [300, 'msync', 0, WHOLE],
    ]);
    expect(stats.no_data).toBe(0);
  });

  it('a B out of its place is still a bad RWBS, naming the B', async () => {
    const e = await importError(blkparseImporter, write('  8,0    0        1     0.000000000  2041  Q  WSB 2000 + 8 [kjournald]\n'));
    expect(e.column).toBe('rwbs');
    expect(e.problem).toBe('bad RWBS: expected [F]{D|W|R|N}[F][A][B][S][M]');
    expect(e.text).toBe('WSB');
  });
});
