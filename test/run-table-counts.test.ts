/** The run's table counts calls in the number they take: `1 call`, not `1 calls` (a new user's note). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

describe("run's table", () => {
  it('one msync and one wire are `1 call`; two msyncs are `2 calls`', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-calls-'));
    const head = 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000000,8192,,f,0\n1,a,write,0x10000000,4096,,,\n';
    writeFileSync(join(d, 'one.csv'), head + '2,a,wire,0x10000000,4096,,,\n3,a,msync,0x10000000,4096,SYNC,,\n');
    const one = await syncsimHere(['run', 'one.csv', '--out', 'o', '-q'], d);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^msync {2,}1 call, 1 OK$/m);
    expect(one.stdout).toMatch(/^wire\/unwire {2,}1 call\b/m);
    writeFileSync(join(d, 'two.csv'), head + '3,a,msync,0x10000000,4096,SYNC,,\n4,a,msync,0x10000000,4096,ASYNC,,\n');
    const two = await syncsimHere(['run', 'two.csv', '--out', 't', '-q'], d);
    expect(two.stdout).toMatch(/^msync {2,}2 calls, 2 OK$/m);
  });
});
