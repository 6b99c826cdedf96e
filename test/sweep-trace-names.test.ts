/**
 * How sweep messages name a trace file given as `trace.path`: as the experiment file writes it,
 * whatever the working directory. A malformed one stopped the sweep naming it by its absolute
 * path (the cache of the trace is made in the sweep's thread, whose error was passed on as it
 * was), where --dry-run and the error each run records name it as the experiment does.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

const GOOD = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n1,a,write,0x10000,100,,,\n';

describe('a malformed trace file of a sweep', () => {
  it('is named as the experiment names it (relative to the experiment file) by the sweep, as by --dry-run', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-trace-names-'));
    mkdirSync(join(d, 'exp'));
    writeFileSync(join(d, 'exp', 'bad.csv'), `${GOOD}2,a,msync,0x10000\n`);
    writeFileSync(join(d, 'exp', 'e.yaml'), 'name: e\ntrace: { path: bad.csv }\ngrid:\n  pager.cluster_pages: [4, 8]\nseeds: 1\n');
    const message = "syncsim: bad.csv:5: wrong number of fields: expected 8, found 4 (got '2,a,msync,0x10000')\n";
    const args = ['sweep', 'exp/e.yaml', '--out', 'out', '--cache-dir', join(d, 'cache'), '-q'];
    const dry = await syncsimHere([...args, '--dry-run'], d);
    expect(dry).toEqual({ code: 2, stdout: '', stderr: message });
    // it said syncsim: /tmp/.../exp/bad.csv:5: ...
    const real = await syncsimHere([...args, '--jobs', '1'], d);
    expect(real).toEqual({ code: 2, stdout: '', stderr: message });
    expect(readdirSync(d).sort()).toEqual(['exp']);
  }, 60_000);
});
