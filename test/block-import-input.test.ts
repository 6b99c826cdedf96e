/**
 * What the block-trace importers refuse, and how a FUA write meets the injected msyncs, from a
 * new-user trial (2026-12-06): an MSR header naming the columns in another order than the one
 * they are read in; a blkparse `Q` line cut short or malformed (a genuine passthrough request
 * still counted, no row); an input with nothing in it, refused by every importer with one
 * message; a FUA write under `--sync-every-writes`, whose own msync takes the injected one's place,
 * and a flush after an injected msync with no write between, merged into it (more cases, each
 * by hand, in import-sync-merge.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { blkparseImporter } from '../traces/import/blkparse.ts';
import { msrImporter } from '../traces/import/msr.ts';
import { fioIologImporter } from '../traces/import/fio-iolog.ts';
import { IMPORTERS } from '../traces/import/index.ts';
import { Flag } from '../traces/types.ts';
import type { RowInput } from '../traces/writer.ts';
import { syncsimHere } from './cli-here.ts';
import { importError, importRows } from './import-rows.ts';

const TIB16 = 2 ** 44;
const COLUMNS = ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Offset', 'Size', 'ResponseTime'];
const ORDER = 'the msr importer reads the columns by their place, in the order Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime (put the data in that order)';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-block-input-'));
let files = 0;
/** A new file of `text` (or bytes) in the test's directory. */
function input(text: string | Buffer, name = `in${files++}.txt`): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** Rows as [t µs, task, op, addr, len, flags]. */
const brief = (rows: RowInput[]) =>
  rows.map((r) => [r.tNs / 1000, r.task, r.op, r.addr, r.len, r.flags ?? 0]);

// ---------------------------------------------------------------------------------------------
// msr: the header

/** Four MSR lines (the trial's swaphdr.msr), each field given by column name. */
const MSR_LINES: Record<string, string>[] = [
  { Timestamp: '128166372003061629', Hostname: 'usr', DiskNumber: '0', Type: 'Write', Offset: '3221225472', Size: '4096', ResponseTime: '1000' },
  { Timestamp: '128166372003071629', Hostname: 'usr', DiskNumber: '0', Type: 'Read', Offset: '3221225472', Size: '4096', ResponseTime: '800' },
  { Timestamp: '128166372003081629', Hostname: 'usr', DiskNumber: '0', Type: 'Write', Offset: '8192', Size: '16384', ResponseTime: '2000' },
  { Timestamp: '128166372003091629', Hostname: 'src', DiskNumber: '1', Type: 'Write', Offset: '0', Size: '4096', ResponseTime: '500' },
];
/** The MSR file of MSR_LINES with its columns in `order` (names), under `header` when given. */
const msrText = (order: readonly string[], header?: string) =>
  (header !== undefined ? `${header}\n` : '') + MSR_LINES.map((l) => order.map((c) => l[c]).join(',')).join('\n') + '\n';
/** What MSR_LINES make, by hand: usr_0 at 16 TiB, src_1 at 32 TiB, 1 ms apart. */
const MSR_ROWS = [
  [0, 'usr_0', 'map', TIB16, TIB16, 0],
  [0, 'usr_0', 'write', TIB16 + 3221225472, 4096, 0],
  [1000, 'usr_0', 'read', TIB16 + 3221225472, 4096, 0],
  [2000, 'usr_0', 'write', TIB16 + 8192, 16384, 0],
  [3000, 'src_1', 'map', 2 * TIB16, TIB16, 0],
  [3000, 'src_1', 'write', 2 * TIB16, 4096, 0],
];

describe('msr: a header line', () => {
  it.each([
    ['as in the README', COLUMNS.join(',')],
    ['lower case', COLUMNS.join(',').toLowerCase()],
    ['blanks around the names', COLUMNS.map((c) => ` ${c} `).join(',')],
    ['quoted names', COLUMNS.map((c) => `"${c}"`).join(',')],
  ])('naming the columns in their order is skipped: %s', async (_name, header) => {
    const { rows } = await importRows(msrImporter, input(msrText(COLUMNS, header)));
    expect(brief(rows)).toEqual(MSR_ROWS);
  });

  it.each([
    ['Offset and Size swapped (the data too)', ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Size', 'Offset', 'ResponseTime'], "header column 5 is 'Size', expected 'Offset'"],
    ['Hostname first', ['Hostname', 'Timestamp', 'DiskNumber', 'Type', 'Offset', 'Size', 'ResponseTime'], "header column 1 is 'Hostname', expected 'Timestamp'"],
    ['a column missing', ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Offset', 'Size'], 'header names 6 columns, expected 7'],
    ['a column more', [...COLUMNS, 'Latency'], 'header names 8 columns, expected 7'],
  ])('naming them otherwise is refused at line 1, saying what differs and the order expected: %s', async (_name, order, what) => {
    const header = order.join(',');
    const f = input(order.length === COLUMNS.length ? msrText(order, header) : `${header}\n${msrText(COLUMNS)}`);
    const e = await importError(msrImporter, f);
    expect([e.line, e.column]).toEqual([1, '-']);
    expect(e.message).toBe(`${f}:1: ${what}: ${ORDER} (got '${header}')`);
  });

  it('any order of the columns, header and data alike: imported when it is the MSR order, else refused naming the first column out of place', async () => {
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7, maxLength: 7 }), async (perm) => {
        const order = perm.map((k) => COLUMNS[k]!);
        const f = input(msrText(order, order.join(',')));
        const at = perm.findIndex((k, i) => k !== i);
        if (at === -1) expect(brief((await importRows(msrImporter, f)).rows)).toEqual(MSR_ROWS);
        else expect((await importError(msrImporter, f)).message).toContain(`:1: header column ${at + 1} is '${order[at]}', expected '${COLUMNS[at]}': `);
        rmSync(f);
      }),
      { numRuns: 60 },
    );
  });

  it('a first line that names no column is data, read as such (a host name first is a bad timestamp)', async () => {
    const e = await importError(msrImporter, input(msrText(['Hostname', 'Timestamp', 'DiskNumber', 'Type', 'Offset', 'Size', 'ResponseTime'])));
    expect([e.line, e.column, e.text]).toEqual([1, 'Timestamp', 'usr']);
  });

  it('through the CLI: exit 2, one line naming the file and line 1, nothing written', async () => {
    const order = ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Size', 'Offset', 'ResponseTime'];
    input(msrText(order, order.join(',')), 'swaphdr.msr');
    const r = await syncsimHere(['import', '--from', 'msr', 'swaphdr.msr', '-o', 'swaphdr.csv'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: swaphdr.msr:1: header column 5 is 'Size', expected 'Offset': ${ORDER} (got '${order.join(',')}')\n`);
    expect(existsSync(join(dir, 'swaphdr.csv'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// blkparse: Q lines

const Q1 = '  8,0    3        1     0.000000000  1234  Q   W 2048 + 8 [dd]';

describe('blkparse: a Q line cut short or malformed', () => {
  it.each([
    ['cut after the +', '  8,0    3        3     0.000100000  1234  Q  WS 4096 +', 'sectors', "missing sector count after 'SECTOR +' (is the line cut short?) (got '4096 +')"],
    ['cut after the sector', '  8,0    3        3     0.000100000  1234  Q  WS 4096', 'sector', "expected 'SECTOR + COUNT [PROCESS]' or '[PROCESS]' (or, for a passthrough request, 'BYTES (CDB) [PROCESS]') after the RWBS of a Q event (got '4096')"],
    ['- for +', '  8,0    3        3     0.000100000  1234  Q  WS 4096 - 16 [dd]', 'sector', "expected 'SECTOR + COUNT [PROCESS]' or '[PROCESS]' (or, for a passthrough request, 'BYTES (CDB) [PROCESS]') after the RWBS of a Q event (got '4096 - 16 [dd]')"],
    ['cut inside the count', '  8,0    3        3     0.000100000  1234  Q  WS 4096 + 1', 'process', "expected '[PROCESS]' after 'SECTOR + COUNT' (is the line cut short?) (got '4096 + 1')"],
    ['cut after the RWBS', '  8,0    3        3     0.000100000  1234  Q  WS', 'sector', "expected 'SECTOR + COUNT [PROCESS]' or '[PROCESS]' (or, for a passthrough request, 'BYTES (CDB) [PROCESS]') after the RWBS of a Q event (got '')"],
    ['a sector that is no number', '  8,0    3        3     0.000100000  1234  Q  WS 4k + 16 [dd]', 'sector', "bad sector: expected a non-negative integer (got '4k')"],
  ])('%s: refused at its line, naming the field', async (_name, line, column, what) => {
    for (const end of ['', '\n']) {
      const f = input(`${Q1}\n${line}${end}`);
      const e = await importError(blkparseImporter, f);
      expect([e.line, e.column]).toEqual([2, column]);
      expect(e.message).toBe(`${f}:2: column ${column}: ${what}`);
    }
  });

  it('passthrough (SCSI) requests, BYTES (CDB) [PROCESS] or BYTES [PROCESS], are counted, no row; messages, plugs, unplugs and the summary are skipped', async () => {
    const f = input([
      'Input file sda.blktrace.0 added',
      Q1,
      '  8,0    3        2     0.000050000   777  Q   R 36 (12 00 00 00 24 00) [sg_inq]',
      '  8,0    3        3     0.000060000   777  Q   N 0 [sg_turs]',
      '  8,0    3        4     0.000070000   778  Q   W 4096 (2a 00 00 00 10 00 00 00 08 00) [sg_dd]',
      '  8,0    3        5     0.000080000   567  m   N cfq567S / insert_request',
      '  8,0    3        6     0.000090000  1234  P   N [dd]',
      '  8,0    3        7     0.000095000  1234 UT   N [dd] 1',
      '  8,0    3        8     0.000100000  1234  Q  WS 4096 + 16 [dd with space]',
      'CPU3 (sda):',
      ' Reads Queued:           1,        4KiB\t Writes Queued:           3,       16KiB',
    ].join('\n'));
    const { rows, stats } = await importRows(blkparseImporter, f);
    expect(brief(rows)).toEqual([
      [0, 'dev8_0', 'map', TIB16, TIB16, 0],
      [0, 'dev8_0', 'write', TIB16 + 2048 * 512, 8 * 512, 0],
      [100, 'dev8_0', 'write', TIB16 + 4096 * 512, 16 * 512, 0],
    ]);
    expect(stats).toMatchObject({ passthrough: 3, discard: 0, no_data: 0 });
  });

  it('through the CLI: exit 2, one line naming the file, line and field, nothing written', async () => {
    input(`${Q1}\n  8,0    3        3     0.000100000  1234  Q  WS 4096 +`, 'cut.blk');
    const r = await syncsimHere(['import', '--from', 'blkparse', 'cut.blk', '-o', 'cut.csv'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: cut.blk:2: column sectors: missing sector count after 'SECTOR +' (is the line cut short?) (got '4096 +')\n");
    expect(existsSync(join(dir, 'cut.csv'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// empty input, every importer

/** What each importer says it expected of an empty input. */
const EXPECTED: Record<string, string> = {
  'fio-iolog': "the header line 'fio version 2 iolog' or 'fio version 3 iolog'",
  blkparse: "blkparse event lines 'MAJOR,MINOR CPU SEQUENCE SECONDS.NANOSECONDS PID ACTION RWBS ...'",
  msr: 'MSR Cambridge I/O lines Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime',
  strace: 'strace -f -ttt -T output',
};

describe('an input with nothing to import', () => {
  it('covers every importer', () => {
    expect(IMPORTERS.map((i) => i.format).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(IMPORTERS.map((i) => [i.format, i] as const))('%s: no bytes, blank lines only, or gzip of nothing: FILE:1: empty input', async (format, imp) => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('\n   \n\r\n\t\n'), gzipSync(Buffer.alloc(0))]) {
      const f = input(bytes);
      const e = await importError(imp, f);
      expect(e.message).toBe(`${f}:1: empty input: expected ${EXPECTED[format]} (got '')`);
    }
  });

  it('blkparse with no event line (only its Input file lines and a summary), msr with only a header: empty input too', async () => {
    const blk = input('Input file sda.blktrace.0 added\nCPU0 (sda):\n Reads Queued:           0,        0KiB\n');
    expect((await importError(blkparseImporter, blk)).message).toBe(`${blk}:1: empty input: expected ${EXPECTED.blkparse} (got '')`);
    const msr = input(`${COLUMNS.join(',')}\n\n`);
    // since 2026-12-08 said at the line after the header, not at the header's own line
    expect((await importError(msrImporter, msr)).message).toBe(`${msr}:2: empty input: expected ${EXPECTED.msr} after the header (line 1) (got '')`);
  });

  it('blkparse whose event lines hold no Q (parsed with -a complete, say): refused at its first event, not a trace of 0 rows', async () => {
    const blk = input('Input file sda.blktrace.0 added\n  8,0    1        1     0.000000000  4162  D  WS 2048 + 8 [dd]\n  8,0    1        2     0.000100000     0  C  WS 2048 + 8 [0]\n');
    expect((await importError(blkparseImporter, blk)).message).toBe(`${blk}:2: column action: no Q (queue) event in 2 event lines: ` +
      "the import reads Q events only (was the trace parsed with a blkparse -a mask that leaves out queue?) (got 'D')");
    input('  8,0    1        1     0.000000000     0  C  WS 2048 + 8 [0]\n', 'complete.blk');
    const r = await syncsimHere(['import', '--from', 'blkparse', 'complete.blk', '-o', 'complete.csv'], dir);
    expect([r.code, r.stderr]).toEqual([2, "syncsim: complete.blk:1: column action: no Q (queue) event in 1 event line: the import reads Q events only (was the trace parsed with a blkparse -a mask that leaves out queue?) (got 'C')\n"]);
    expect(existsSync(join(dir, 'complete.csv'))).toBe(false);
  });

  it('fio-iolog with only its header, or only add, open and close lines: empty input, not a trace of 0 rows', async () => {
    const actions = 'ACTION one of read, write, sync, datasync, sync_file_range, trim, wait';
    const v3 = input('fio version 3 iolog\n');
    expect((await importError(fioIologImporter, v3)).message).toBe(`${v3}:1: empty input: expected I/O lines after the header 'TIMESTAMP FILE ACTION OFFSET LENGTH' (${actions}) (got '')`);
    const v2 = input('fio version 2 iolog\n/d add\n/d open\n/d close\n');
    expect((await importError(fioIologImporter, v2)).message).toBe(`${v2}:1: empty input: expected I/O lines after the header 'FILE ACTION OFFSET LENGTH' (${actions}) (got '')`);
    input('fio version 3 iolog\n0 /d add\n', 'header.log');
    const r = await syncsimHere(['import', '--from', 'fio-iolog', 'header.log', '-o', 'header.csv'], dir);
    expect([r.code, r.stderr]).toEqual([2, `syncsim: header.log:1: empty input: expected I/O lines after the header 'TIMESTAMP FILE ACTION OFFSET LENGTH' (${actions}) (got '')\n`]);
    expect(existsSync(join(dir, 'header.csv'))).toBe(false);
  });

  it('through the CLI, every format: exit 2, one line, nothing written', async () => {
    input('', 'empty.in');
    for (const { format } of IMPORTERS) {
      const r = await syncsimHere(['import', '--from', format, 'empty.in', '-o', `empty-${format}.csv`], dir);
      expect([r.code, r.stderr]).toEqual([2, `syncsim: empty.in:1: empty input: expected ${EXPECTED[format]} (got '')\n`]);
      expect(existsSync(join(dir, `empty-${format}.csv`))).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// blkparse: FUA and --sync-every-writes

/** The trial's b.txt: writes, a FUA write with a pre-flush (FWFS), a read, a discard, a second disk, the summary. */
const B_TXT = [
  '  8,0    3        1     0.000000000  1234  Q   W 2048 + 8 [dd]',
  '  8,0    3        2     0.000001000  1234  G   W 2048 + 8 [dd]',
  '  8,0    3        3     0.000100000  1234  Q  WS 4096 + 16 [dd]',
  '  8,0    3        4     0.000200000  1234  Q FWFS 8192 + 8 [jbd2/sda1-8]',
  '  8,0    3        5     0.000300000  1234  Q   R 2048 + 8 [cat]',
  '  8,0    3        6     0.000400000  1234  Q   D 0 + 2048 [fstrim]',
  '  8,16   1        1     0.000500000  1235  Q   W 0 + 8 [dd]',
  '  8,0    3        7     0.000600000  1234  C   W 2048 + 8 [0]',
  '',
  'CPU3 (8,0):',
  ' Reads Queued:           1,        4KiB\t Writes Queued:           3,       16KiB',
].join('\n');

describe('blkparse: a FUA write under --sync-every-writes', () => {
  const A = TIB16; // dev8_0
  const B = 2 * TIB16; // dev8_16
  const S = Flag.SYNC;

  it('its own msync stands for the injected one: FWFS is msync, write, msync (not a third msync that writes nothing); its pre-flush, right after an injected msync, is merged into it', async () => {
    const { rows, stats } = await importRows(blkparseImporter, input(B_TXT), { syncEveryWrites: 1 });
    expect(brief(rows)).toEqual([
      [0, 'dev8_0', 'map', A, TIB16, 0],
      [0, 'dev8_0', 'write', A + 2048 * 512, 4096, 0],
      [0, 'dev8_0', 'msync', A, TIB16, S], // injected
      [100, 'dev8_0', 'write', A + 4096 * 512, 8192, 0],
      [100, 'dev8_0', 'msync', A, TIB16, S], // injected, and stands for the pre-flush at 200 (no write between)
      [200, 'dev8_0', 'write', A + 8192 * 512, 4096, 0],
      [200, 'dev8_0', 'msync', A, TIB16, S], // the FUA
      [300, 'dev8_0', 'read', A + 2048 * 512, 4096, 0],
      [500, 'dev8_16', 'map', B, TIB16, 0],
      [500, 'dev8_16', 'write', B, 4096, 0],
      [500, 'dev8_16', 'msync', B, TIB16, S], // injected
    ]);
    // 4 injected, one of them the pre-flush's: 3 added to the input's 2 syncs (the pre-flush, the FUA)
    expect(stats).toMatchObject({ msync_injected: 2, msync_merged: 1, discard: 1 });
  });

  /** One generated Q event: its RWBS, whether it writes (W), reads (R), neither (N: a flush when it has one) or is a discard (-), and its flushes. */
  const KINDS = [
    { rwbs: 'W', io: 'W', pre: false, fua: false },
    { rwbs: 'WS', io: 'W', pre: false, fua: false },
    { rwbs: 'WM', io: 'W', pre: false, fua: false },
    { rwbs: 'WFS', io: 'W', pre: false, fua: true },
    { rwbs: 'FWFS', io: 'W', pre: true, fua: true },
    { rwbs: 'FWS', io: 'W', pre: true, fua: false },
    { rwbs: 'R', io: 'R', pre: false, fua: false },
    { rwbs: 'FR', io: 'R', pre: true, fua: false },
    { rwbs: 'FN', io: 'N', pre: true, fua: false },
    { rwbs: 'DS', io: '-', pre: false, fua: false },
  ] as const;
  const event = fc.record({ kind: fc.integer({ min: 0, max: KINDS.length - 1 }), dev: fc.integer({ min: 0, max: 1 }), data: fc.boolean() });

  it('any run of writes, reads, flushes and FUA writes: msyncs are the input\'s flushes plus msync_injected, and the only ones that write nothing are the input\'s own back to back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3 }), async (events, n) => {
        const lines = events.map((e, i) => {
          const k = KINDS[e.kind]!;
          const payload = e.data || k.io === '-' ? `${8 * i} + 8 [p]` : '[p]'; // a flush may come without data
          return `  8,${16 * e.dev}    0 ${i + 1} 0.${String((i + 1) * 1000).padStart(9, '0')}  1  Q ${k.rwbs} ${payload}`;
        });
        // the model: a flush or FUA msync (the input's own) restarts the device's count; a write
        // without FUA counts, the N-th is synced by an injected msync; the input's next sync of the
        // device with no write to it since that injected msync is merged into it
        const count = [0, 0];
        const injectedLast = [false, false];
        const wroteSinceOwn = [false, false];
        let own = 0; // the input's syncs
        let ownAfterOwn = 0; // ... with no write to the device since its previous one (or the start)
        let injected = 0;
        let merged = 0;
        const sync = (d: number) => {
          own++;
          if (!wroteSinceOwn[d]) ownAfterOwn++;
          wroteSinceOwn[d] = false;
          count[d] = 0;
          if (injectedLast[d]) merged++;
          injectedLast[d] = false;
        };
        for (const e of events) {
          const k = KINDS[e.kind]!;
          const d = e.dev;
          if (k.io === '-') continue;
          const data = e.data && k.io !== 'N';
          if (!data && (k.pre || k.fua)) {
            sync(d);
            continue;
          }
          if (!data) continue;
          if (k.pre) sync(d);
          if (k.io !== 'W') continue;
          wroteSinceOwn[d] = true;
          injectedLast[d] = false;
          if (k.fua) sync(d);
          else if (++count[d]! >= n) {
            injected++;
            count[d] = 0;
            injectedLast[d] = true;
          }
        }
        const f = input(lines.join('\n'));
        const { rows, stats } = await importRows(blkparseImporter, f, { syncEveryWrites: n });
        rmSync(f);
        expect(stats.msync_merged).toBe(merged);
        expect(stats.msync_injected).toBe(injected - merged);
        expect(rows.filter((r) => r.op === 'msync').length).toBe(own + stats.msync_injected!);
        // an msync that writes nothing (no write to its device since the device's last msync) is
        // one of the input's back to back, never one after an injected msync
        const wrote = new Map<string, boolean>();
        let empty = 0;
        for (const { op, task = '' } of rows) {
          if (op === 'write') wrote.set(task, true);
          if (op !== 'msync') continue;
          if (!wrote.get(task)) empty++;
          wrote.set(task, false);
        }
        expect(empty).toBe(ownAfterOwn);
      }),
      { numRuns: 150 },
    );
  });
});
