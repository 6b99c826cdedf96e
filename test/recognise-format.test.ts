/**
 * A trace in another tool's format given to a command that reads native
 * traces: the error of its first line names the importer to use
 * (traces/import/recognise.ts, scripts/errors.ts importHint); given to `import --from` another
 * format, the one it looks like (importFromHint).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recogniseFormat } from '../traces/import/recognise.ts';
import { syncsimHere } from './cli-here.ts';

/** First lines as each tool writes them (fio's write_iolog, the MSR Cambridge CSVs, blkparse's default format, strace -f -tt -T and -ttt). */
const FIRST_LINES: readonly [string, string | undefined][] = [
  ['fio version 2 iolog', 'fio-iolog'],
  ['fio version 3 iolog', 'fio-iolog'],
  ['128166372003061629,usr,0,Write,3221225472,4096,1000', 'msr'],
  ['128166372003061629,src1,1,read,8192,16384,2000', 'msr'],
  ['  8,0    3        1     0.000000000  1234  Q   W 2048 + 8 [dd]', 'blkparse'],
  ['259,0    1       17     0.000213451  4501  D  WS 123456 + 8 [fio]', 'blkparse'],
  ['1000  1700000000.000100 openat(AT_FDCWD, "/tmp/db", O_RDWR|O_CREAT, 0644) = 3 <0.000020>', 'strace'],
  ['[pid  4242] 12:00:01.123456 msync(0x7f0000000000, 65536, MS_SYNC) = 0', 'strace'],
  ['mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000', 'strace'],
  ['4242  12:00:01.123456 msync(0x7f0000000000, 65536, MS_SYNC <unfinished ...>', 'strace'],
  // native traces and other CSVs look like none of them
  ['# syncsim-trace v1', undefined],
  ['t_us,task,op,addr,len,flags,object,offset', undefined],
  ['0,w,map,0x10000000,16777216,,file.dat,0', undefined],
  ['Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime', undefined],
  ['', undefined],
];

describe('recogniseFormat', () => {
  it.each(FIRST_LINES)('%j → %s', (line, from) => {
    expect(recogniseFormat(line)?.from).toBe(from);
  });
});

describe('a foreign trace given to run', () => {
  it('its first line\'s error names the importer, exit 2; a native trace\'s own errors get no hint', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-recognise-'));
    writeFileSync(join(d, 'm.csv'), '128166372003061629,usr,0,Write,3221225472,4096,1000\n128166372003071629,usr,0,Read,3221225472,4096,800\n');
    const r = await syncsimHere(['run', 'm.csv', '--out', 'o'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: m.csv:1: column 128166372003061629: unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own) (got '128166372003061629'); m.csv looks like an MSR Cambridge trace: convert it first with syncsim import --from msr m.csv -o trace.csv\n");
    // import itself reads the foreign format: its own errors get no hint
    writeFileSync(join(d, 'bad.msr'), '128166372003061629,usr,0,Write,3221225472,4096\n');
    const i = await syncsimHere(['import', '--from', 'msr', 'bad.msr', '-o', 'x.csv'], d);
    expect(i.code).toBe(2);
    expect(i.stderr).toMatch(/^syncsim: bad\.msr:1: /);
    expect(i.stderr).not.toContain('looks like');
    writeFileSync(join(d, 'n.csv'), 't_us,task,op,addr,len,flags,object,offset,bogus\n');
    const n = await syncsimHere(['run', 'n.csv', '--out', 'o'], d);
    expect(n.code).toBe(2);
    expect(n.stderr).not.toContain('looks like');
  });
});

describe('a trace of another format given to import --from', () => {
  it('the error of its first line names the --from it looks like (an MSR trace as blkparse, gzip-compressed too), or says a syncsim trace needs no import; exit 2, nothing written', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-recognise-import-'));
    const msr = '128166372003061629,usr,0,Write,3221225472,4096,1000\n128166372003071629,usr,0,Read,3221225472,4096,800\n';
    writeFileSync(join(d, 'm.csv'), msr);
    writeFileSync(join(d, 'm.csv.gz'), gzipSync(msr));
    const b = await syncsimHere(['import', '--from', 'blkparse', 'm.csv', '-o', 'x.csv'], d);
    expect([b.code, b.stderr]).toEqual([2, "syncsim: m.csv:1: expected a blkparse event line 'MAJOR,MINOR CPU SEQUENCE SECONDS.NANOSECONDS PID ACTION RWBS ...', found 1 fields (got '128166372003061629,usr,0,Write,3221225472,4096,1000'); m.csv looks like an MSR Cambridge trace: import it with --from msr\n"]);
    const f = await syncsimHere(['import', '--from', 'fio-iolog', 'm.csv.gz', '-o', 'x.csv'], d);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/^syncsim: m\.csv\.gz:1: .*; m\.csv\.gz looks like an MSR Cambridge trace: import it with --from msr\n$/);
    writeFileSync(join(d, 'n.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n');
    const n = await syncsimHere(['import', '--from', 'msr', 'n.csv', '-o', 'x.csv'], d);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/^syncsim: n\.csv:1: .*; n\.csv is a syncsim trace already: syncsim run replays it as it is, no import needed\n$/);
    expect(existsSync(join(d, 'x.csv'))).toBe(false);
  });
});
