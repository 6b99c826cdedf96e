/**
 * One of a thing is said in the singular in the tables `run` and `inspect` print (a user trial:
 * `read 1 rows`, `1 page versions made durable`, `1 I/Os, 1 pages`).
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
});
