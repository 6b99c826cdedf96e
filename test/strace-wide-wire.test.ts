/**
 * strace's mlock of a range wider than a run takes (2^22 pages an op, README "Limits of a run"):
 * the import makes rows the run replays. A failed one (ENOMEM over a hole) is cut one page past
 * its first hole, so the replay fails it too; one with no hole near enough is left out, counted;
 * a lock the kernel made is split into rows within the bound.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { opRows } from './import-rows.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-wide-wire-'));
const GIB16 = 2 ** 34; // 2^22 pages of 4 KiB

/** The wire rows of an imported trace: addr, len, x_result. */
const wireRows = (csv: string) => opRows(csv, 'wire', 9);

describe('strace import: an mlock wider than a run takes', () => {
  it('a failed one (ENOMEM: a 1 TiB range over an 8 KiB mapping) is cut one page past the hole, and the run fails it as the kernel did', async () => {
    const d = tmp();
    writeFileSync(join(d, 't.strace'), [
      '100 1700000000.000000 openat(AT_FDCWD, "/tmp/d", O_RDWR) = 3 <0.000010>',
      '100 1700000000.000100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000 <0.000010>',
      '100 1700000000.000200 msync(0x7f0000000000, 8192, MS_SYNC) = 0 <0.000100>',
      '100 1700000000.000300 mlock(0x7f0000000000, 1099511627776) = -1 ENOMEM (Cannot allocate memory) <0.000010>',
      '',
    ].join('\n'));
    const i = await syncsimHere(['import', '--from', 'strace', join(d, 't.strace'), '--assume-dirty', 'whole-range-before-msync', '-o', join(d, 't.csv')]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toMatch(/, wide_wire_cut 1\n/);
    // the two mapped pages and the first unmapped one
    expect(wireRows(join(d, 't.csv'))).toEqual([['0x7f0000000000', 3 * 4096, 'ENOMEM']]);
    // before, the run stopped at this row: 'a wire may cover at most 4194304 pages ...', exit 2
    for (const personality of ['linux', 'freebsd']) {
      const r = await syncsimHere(['run', join(d, 't.csv'), '--out', join(d, personality), '--set', `personality=${personality}`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const wire = JSON.parse(r.stdout).wire;
      expect([wire.count, wire.errors], personality).toEqual([1, { ENOMEM: 1 }]);
      // the two mapped pages before the hole were wired on the way (Linux keeps them; FreeBSD undoes them)
      expect(wire.peak_wired_pages, personality).toBe(2);
    }
  });

  it('a failed one whose mapped part before the hole is itself too wide is left out, counted; one the kernel made is split within the bound', async () => {
    const d = tmp();
    const len = GIB16 + 8192;
    writeFileSync(join(d, 't.strace'), [
      `1700000000.000000 mmap(NULL, ${len}, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = 0x100000000000 <0.000010>`,
      '1700000000.000100 mlock(0x100000000000, 1099511627776) = -1 ENOMEM (Cannot allocate memory) <0.000010>',
      `1700000000.000200 mlock(0x100000000000, ${len}) = 0 <0.000010>`,
      '',
    ].join('\n'));
    const i = await syncsimHere(['import', '--from', 'strace', join(d, 't.strace'), '-o', join(d, 't.csv')]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toMatch(/, wide_wire_left_out 1, wide_wire_split 1\n/);
    // 0x100000000000 + 2^34 = 0x100400000000
    expect(wireRows(join(d, 't.csv'))).toEqual([['0x100000000000', GIB16, 'OK'], ['0x100400000000', 8192, '']]);
  });
});
