/**
 * Stores the strace import writes itself (`--assume-dirty`, `syncsim_dirty`) wider than a run
 * takes (2^22 pages an op, 2^26 resident: README "Limits of a run"): the import makes rows the
 * run replays. One that meets a hole is cut one page past it (the replay stops at the hole as
 * the whole row would), one still too wide is split, and pages past the resident bound are left
 * out, each counted.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { opRows } from './import-rows.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-wide-store-'));
const OP = 2 ** 22 * 4096; // the widest op at 4 KiB pages: 16 GiB
const TIB = 2 ** 40;

/** The write rows of an imported trace: addr, len, x_syscall. */
const writeRows = (csv: string) => opRows(csv, 'write', 10);

describe('strace import: stores wider than a run takes', () => {
  it('whole-range-before-msync of a failed 1 TiB msync over an 8 KiB mapping is cut one page past the hole, and the run replays it', async () => {
    const d = tmp();
    writeFileSync(join(d, 't.strace'), [
      '100 1700000000.000000 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000 <0.000010>',
      `100 1700000000.000100 msync(0x7f0000000000, ${TIB}, MS_SYNC) = -1 ENOMEM (Cannot allocate memory) <0.000010>`,
      '',
    ].join('\n'));
    const i = await syncsimHere(['import', '--from', 'strace', join(d, 't.strace'), '--assume-dirty', 'whole-range-before-msync', '-o', join(d, 't.csv')]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toMatch(/, wide_store_cut 1\n/);
    // the two mapped pages and the first unmapped one (before: one write of 1 TiB)
    expect(writeRows(join(d, 't.csv'))).toEqual([['0x7f0000000000', 3 * 4096, 'assume-dirty']]);
    // before, the run stopped at the write: 'a write may cover at most 4194304 pages ...', exit 2
    const r = await syncsimHere(['run', join(d, 't.csv'), '--out', join(d, 'r'), '--set', 'personality=linux', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    // the store stops at the hole, as the whole row did; the msync fails as the kernel's did
    expect([j.faults.unmapped_write, j.sync.errors]).toEqual([1, { ENOMEM: 1 }]);
  });

  it('mapped-before-msync of a 1 TiB writable mapping is split within 2^22 pages a row, and what passes 2^26 resident pages is left out', async () => {
    const d = tmp();
    writeFileSync(join(d, 't.strace'), [
      `1700000000.000000 mmap(NULL, ${TIB}, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0) = 0x100000000000 <0.000010>`,
      `1700000000.000100 msync(0x100000000000, ${TIB}, MS_SYNC) = 0 <0.000010>`,
      '',
    ].join('\n'));
    const i = await syncsimHere(['import', '--from', 'strace', join(d, 't.strace'), '--assume-dirty', 'mapped-before-msync', '-o', join(d, 't.csv')]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toMatch(/, wide_store_split 1, wide_store_left_out 1\n/);
    const rows = writeRows(join(d, 't.csv'));
    // 16 rows of 2^22 pages from the mapping's start, back to back: 2^26 pages
    expect(rows.length).toBe(16);
    rows.forEach(([addr, len], k) => expect([Number(addr), len]).toEqual([0x100000000000 + k * OP, OP]));
  });

  it('a syncsim_dirty run of pages wider than 2^22 pages is split into rows within it', async () => {
    const d = tmp();
    const len = OP + 8192;
    writeFileSync(join(d, 't.strace'), [
      `1700000000.000000 mmap(NULL, ${len}, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = 0x100000000000 <0.000010>`,
      `1700000000.000100 syncsim_dirty(0x100000000000, ${len}) = 0`,
      `1700000000.000200 msync(0x100000000000, ${len}, MS_SYNC) = 0 <0.000010>`,
      '',
    ].join('\n'));
    const i = await syncsimHere(['import', '--from', 'strace', join(d, 't.strace'), '-o', join(d, 't.csv')]);
    expect(i.code, i.stderr).toBe(0);
    // and the msync's line 100 µs after its dirty pages' (syncsim record's scan of the range)
    expect(i.stderr).toMatch(/, wide_store_split 1, dirty_scan_msyncs 1, dirty_scan_us 100\n/);
    expect(writeRows(join(d, 't.csv'))).toEqual([['0x100000000000', OP, 'syncsim_dirty'], ['0x100400000000', 8192, 'syncsim_dirty']]);
  });
});
