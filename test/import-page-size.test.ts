/**
 * `syncsim import --page-size N` (N not the default 4096) writes N in the trace's header, and
 * `syncsim run` at another page_size warns as it does of a `gen` or `record` trace made for
 * another (user trial h202: an import said nothing of it, and the run replayed it silently with
 * 4096-byte pages).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declaredPageSize } from '../traces/out-trace.ts';
import { syncsimHere } from './cli-here.ts';

const MSR = '128166372003061629,hm,1,Write,0,16384,1331\n128166372003161629,hm,1,Write,16384,16384,1331\n';

describe('import --page-size in the trace header', () => {
  it('is written when not 4096, read by declaredPageSize, and run at another page_size warns', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-import-page-'));
    writeFileSync(join(d, 'm.csv'), MSR);
    const imp = await syncsimHere(['import', '--from', 'msr', 'm.csv', '--page-size', '16384', '--sync-every-writes', '1', '-o', 'm16.csv', '-q'], d);
    expect(imp.code, imp.stderr).toBe(0);
    const text = readFileSync(join(d, 'm16.csv'), 'utf8');
    expect(text.split('\n')[2]).toBe('# laid out for page size 16384 (syncsim import --page-size): replay it with --set page_size=16384');
    expect(declaredPageSize(Buffer.from(text))).toBe(16384);

    const at4k = await syncsimHere(['run', 'm16.csv', '--out', 'r1', '--no-cache', '-q'], d);
    expect(at4k.code, at4k.stderr).toBe(0);
    expect(at4k.stderr).toContain("syncsim: warning: m16.csv was made for page_size 16384 (its header), and this run's page_size is 4096: its ranges stay aligned, but page counts, faults and writeback come in 4096-byte pages");
    const at16k = await syncsimHere(['run', 'm16.csv', '--out', 'r2', '--no-cache', '-q', '--set', 'page_size=16384'], d);
    expect(at16k.code, at16k.stderr).toBe(0);
    expect(at16k.stderr).not.toContain('was made for page_size');
  });

  it('is not written at the default 4096: the header is as before', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-import-page-'));
    writeFileSync(join(d, 'm.csv'), MSR);
    expect((await syncsimHere(['import', '--from', 'msr', 'm.csv', '-o', 'm4.csv', '-q'], d)).code).toBe(0);
    const text = readFileSync(join(d, 'm4.csv'), 'utf8');
    expect(text.split('\n')[2]).toMatch(/^# stamped: /);
    expect(declaredPageSize(Buffer.from(text))).toBeUndefined();
  });
});
