/**
 * One of a thing is said in the singular in the tables `run` and `inspect` print (a user trial:
 * `read 1 rows`, `1 page versions made durable`, `1 I/Os, 1 pages`), and in import's counters line
 * (user trial h202: `strace m.strace -> m.csv: 1 rows (map 1)`).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

/** A trace of one mapping, one store and one msync(MS_SYNC) of its page. */
const ONE = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,4096,,f,0\n10,a,write,0x10000,4096,,,\n20,a,msync,0x10000,4096,SYNC,,\n';

describe('one of a thing, in the singular', () => {
  it('run: one I/O, one page, one page version; three rows stay plural', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-one-'));
    writeFileSync(join(d, 'one.csv'), ONE);
    const r = await syncsimHere(['run', 'one.csv', '--out', 'r', '--no-cache', '-q', '--set', 'personality=linux'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^trace +one\.csv \(3 rows\)$/m);
    expect(r.stdout).toMatch(/^writeback +1 I\/O, 1 page, 4096 bytes \(/m);
    expect(r.stdout).toMatch(/^durability +1 page version made durable, 0 never/m);
  });

  it('inspect: one row, one write, one page', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-one-'));
    writeFileSync(join(d, 'one.csv'), ONE);
    const r = await syncsimHere(['inspect', 'one.csv', '-q'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^trace +one\.csv \(3 rows\)$/m);
    expect(r.stdout).toMatch(/^ {2}write +1 row, 4.0 KiB; flags: \(none\) 1$/m);
    expect(r.stdout).toMatch(/^footprint +1 page \(4.0 KiB\) written or read, 1 page \(4.0 KiB\) written,/m);
    expect(r.stdout).toMatch(/^written +4.0 KiB in 1 write$/m);
  });

  it("import's counters line: one row; two rows stay plural", async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-one-'));
    // one anonymous mapping and nothing else: one map row
    writeFileSync(join(d, 'one.strace'), '1796700598.983962 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = 0x7f06fdf3e000 <0.000018>\n');
    const one = await syncsimHere(['import', '--from', 'strace', 'one.strace', '-o', 'one.csv', '-q'], d);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toMatch(/^syncsim import: strace one\.strace -> one\.csv: 1 row \(map 1\); /m);
    writeFileSync(join(d, 'm.csv'), '128166372003061629,hm,1,Write,4096,4096,1331\n');
    const two = await syncsimHere(['import', '--from', 'msr', 'm.csv', '-o', 'm.out.csv', '-q'], d);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toMatch(/^syncsim import: msr m\.csv -> m\.out\.csv: 2 rows \(map 1, write 1\); /m);
  });

  it("import's warning of an strace capture with msyncs and no stores: '1 msync', '2 msyncs'", async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-one-'));
    const map = '1796700598.983962 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = 0x7f06fdf3e000 <0.000018>\n';
    const msync = '1796700598.984553 msync(0x7f06fdf3e000, 65536, MS_SYNC) = 0 <0.002660>\n';
    writeFileSync(join(d, 'one.strace'), map + msync);
    const one = await syncsimHere(['import', '--from', 'strace', 'one.strace', '-o', 'one.csv', '-q'], d);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toContain('syncsim import: warning: 1 msync but no stores: strace cannot see stores');
    writeFileSync(join(d, 'two.strace'), map + msync + msync);
    const two = await syncsimHere(['import', '--from', 'strace', 'two.strace', '-o', 'two.csv', '-q'], d);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toContain('syncsim import: warning: 2 msyncs but no stores: strace cannot see stores');
  });
});
