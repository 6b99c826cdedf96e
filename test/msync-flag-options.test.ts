/**
 * msync flag names given on the command line follow one rule in `import --sync-flags` and in
 * gen's `--set sync_flags=`: names or aliases joined by |, in any case (traces/types.ts,
 * msyncFlagOption). Before, gen took `sync` and import refused it. A trace file's flags field
 * still takes capitals only.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-flag-options-'));
const MSR = join(dir, 'm.csv');
writeFileSync(MSR, '128166372003061629,usr,0,Write,0,4096,100\n128166372003071629,usr,0,Write,4096,4096,100\n');

/** The flags import --sync-flags `text` gave its msyncs (from its counters line), or its refusal. */
async function importFlags(text: string): Promise<string> {
  const r = await syncsimHere(['import', '--from', 'msr', MSR, '--sync-every-writes', '1', '--sync-flags', text, '-o', join(dir, 'i.csv')]);
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim()}`;
  return /msync flags ([A-Z|]+);/.exec(r.stderr)?.[1] ?? 'SYNC';
}

/** The flags gen's sync_flags=`text` resolved to (from the trace's header), or its refusal. */
async function genFlags(text: string): Promise<string> {
  const r = await syncsimHere(['gen', 'seq-writer', '--set', `sync_flags=${text}`, '--set', 'duration_s=0.001']);
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim()}`;
  return /"sync_flags":"([^"]*)"/.exec(r.stdout)![1]!;
}

describe('msync flag names on the command line: one rule for import --sync-flags and gen sync_flags', () => {
  it.each([
    ['sync', 'SYNC'],
    ['Async', 'ASYNC'],
    ['sync|invalidate', 'SYNC|INVALIDATE'],
    ['ms_sync | MS_invalidate', 'SYNC|INVALIDATE'],
    ['vm_sync_asynchronous', 'ASYNC'],
  ])('%s is taken by both, as %s', async (text, flags) => {
    expect(await importFlags(text)).toBe(flags);
    expect(await genFlags(text)).toBe(flags);
  });

  it.each(['bogus', 'SYNC|user', 'constructor', 'SYNC|'])('%s is refused by both, exit 2', async (text) => {
    expect(await importFlags(text)).toMatch(/^exit 2: syncsim: --sync-flags: unknown msync flag '[^']*' \(expected names like SYNC, ASYNC, INVALIDATE joined by \|, in any case\)$/);
    expect(await genFlags(text)).toMatch(/^exit 2: syncsim: parameter 'sync_flags' of preset 'seq-writer': must be msync flag names/);
  });

  it("a trace file's flags field takes capitals only", async () => {
    const t = join(dir, 'lower.csv');
    writeFileSync(t, 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,4096,,f,0\n1,a,msync,0x1000,4096,sync,,\n');
    const r = await syncsimHere(['inspect', t]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${t}:3: column flags: unknown flag`);
  });
});
