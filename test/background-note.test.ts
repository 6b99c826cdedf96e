/**
 * The default `writeback.policy: none` must not pass unsaid where it shapes a
 * run: when a stored page waited longer for its msync than the age at which
 * the personality's kernel daemon writes a dirty page (30 s: FreeBSD's
 * syncer, Linux's flusher threads), `run` notes it and names the policy that
 * models the daemon; not when the user chose the policy, nor when no page
 * waited that long.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backgroundWritebackNote, policyGiven } from '../scripts/background-note.ts';
import { experimentNamesPolicy } from '../scripts/sweep/background.ts';
import { givenKeys } from '../scripts/idle-keys.ts';
import type { Summary } from '../sim/stats/summary.ts';
import { syncsimHere } from './cli-here.ts';

/** A summary with only what the note reads. */
function summaryOf(o: { personality?: string; policy?: string; maxLagUs: number | null; pageout?: number; delayMs?: number; expireMs?: number }): Summary {
  return {
    config: { personality: o.personality ?? 'freebsd', writeback: { policy: o.policy ?? 'none', delay_ms: o.delayMs ?? 30000, expire_ms: o.expireMs ?? 30000 } },
    durability: { lag_us: { max: o.maxLagUs } },
    writeback: { by_cause: { pageout: o.pageout ?? 0 } },
  } as unknown as Summary;
}

/** Two stores, then an msync of them `gapS` seconds later. */
function lateSyncTrace(dir: string, gapS: number): string {
  const file = join(dir, `late-${gapS}.csv`);
  writeFileSync(file, [
    '# syncsim-trace v1',
    't_us,task,op,addr,len,flags,object,offset',
    '0,a,map,0x10000000,65536,,f.db,0',
    '10,a,write,0x10000000,4096,,,',
    '20,a,write,0x10001000,4096,,,',
    `${gapS * 1e6},a,msync,0x10000000,65536,SYNC,,`,
    '',
  ].join('\n'));
  return file;
}

describe('the note on the default writeback.policy none', () => {
  it('names the kernel daemon of the personality, its age and the policy that models it, once a page waited past that age', () => {
    expect(backgroundWritebackNote(summaryOf({ maxLagUs: 40e6 }), false)).toBe(
      'writeback.policy is none (the default): only msyncs wrote the stored pages, and a page waited up to 40.0 s for its write (summary.json durability.lag_us.max); '
      + 'the freebsd kernel\'s syncer writes pages once they have been dirty for 30 s, which leaves later msyncs less to write: --set writeback.policy=syncer models it');
    expect(backgroundWritebackNote(summaryOf({ personality: 'linux', maxLagUs: 31e6, pageout: 3, expireMs: 20000 }), false)).toBe(
      'writeback.policy is none (the default): only msyncs and pageout wrote the stored pages, and a page waited up to 31.0 s for its write (summary.json durability.lag_us.max); '
      + 'the linux kernel\'s flusher threads write pages once they have been dirty for 20 s, which leaves later msyncs less to write: --set writeback.policy=flusher models it');
    expect(backgroundWritebackNote(summaryOf({ personality: 'xnu', maxLagUs: 45e6 }), false)).toMatch(/a kernel's background writeback writes pages once they have been dirty for about 30 s.*--set writeback\.policy=syncer \(FreeBSD's\) or flusher \(Linux's\) models one$/);
  });

  it('says nothing when no page waited past the age, when the policy was chosen, or under another policy', () => {
    expect(backgroundWritebackNote(summaryOf({ maxLagUs: 30e6 }), false)).toBeUndefined(); // exactly the age: the daemon would not have written it yet
    expect(backgroundWritebackNote(summaryOf({ maxLagUs: null }), false)).toBeUndefined(); // nothing made durable
    expect(backgroundWritebackNote(summaryOf({ maxLagUs: 40e6 }), true)).toBeUndefined();
    expect(backgroundWritebackNote(summaryOf({ maxLagUs: 40e6, policy: 'syncer' }), false)).toBeUndefined();
    expect(backgroundWritebackNote(summaryOf({ personality: 'linux', maxLagUs: 25e6, expireMs: 30000, delayMs: 10000 }), false)).toBeUndefined(); // linux ages by expire_ms
  });

  it('takes the policy as chosen when a config or --set gives it, alone or in its group', () => {
    expect(policyGiven(new Set(['writeback.policy']))).toBe(true);
    expect(policyGiven(new Set(['writeback.delay_ms', 'personality']))).toBe(false);
    // a --set of the group gives the keys it holds, as the group in a config file does (the group's name alone silenced the note)
    expect(policyGiven(givenKeys(undefined, ['writeback={policy: none}']))).toBe(true);
    expect(policyGiven(givenKeys(undefined, ['writeback={interval_ms: 5}']))).toBe(false);
    expect([...givenKeys(undefined, ['writeback={interval_ms: 5, delay_ms: 7}', 'seed=3'])].sort()).toEqual(['seed', 'writeback.delay_ms', 'writeback.interval_ms']);
  });

  it('run prints it on stderr for an msync 40 s after its stores, and not with the policy given or the msync sooner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-bgnote-'));
    const late = lateSyncTrace(dir, 40);
    const byDefault = await syncsimHere(['run', late, '--out', join(dir, 'a'), '-q']);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stderr).toContain('syncsim: note: writeback.policy is none (the default): only msyncs wrote the stored pages, and a page waited up to 40.0 s');
    expect(byDefault.stdout).not.toContain('writeback.policy is none'); // the table on stdout stays as it was
    const chosen = await syncsimHere(['run', late, '--out', join(dir, 'b'), '-q', '--set', 'writeback.policy=none']);
    expect(chosen.code).toBe(0);
    expect(chosen.stderr).not.toContain('writeback.policy is none');
    const group = await syncsimHere(['run', late, '--out', join(dir, 'g'), '-q', '--set', 'writeback={interval_ms: 5}']);
    expect(group.code).toBe(0);
    expect(group.stderr).toContain('syncsim: note: writeback.policy is none (the default)');
    expect(group.stderr).toContain('syncsim: warning: writeback.interval_ms has no effect under writeback.policy none'); // as from a config file's group
    const soon = await syncsimHere(['run', lateSyncTrace(dir, 20), '--out', join(dir, 'c'), '-q']);
    expect(soon.code).toBe(0);
    expect(soon.stderr).not.toContain('writeback.policy is none');
    // what the note says the syncer changes: with it, the pages are written before the msync, which then writes none
    const syncer = await syncsimHere(['run', late, '--out', join(dir, 'd'), '-q', '--set', 'writeback.policy=syncer', '--json']);
    expect(JSON.parse(syncer.stdout).writeback.by_cause.msync).toBe(0);
    expect(JSON.parse((await syncsimHere(['run', late, '--out', join(dir, 'e'), '-q', '--json'])).stdout).writeback.by_cause.msync).toBe(8192);
  });

  it('an experiment names the policy in its base or grid, dotted or nested; one that does not, or gives other writeback keys only, does not', () => {
    const exp = (rest: string) => `name: e\ntrace: { path: t.csv }\n${rest}`;
    expect(experimentNamesPolicy(exp('base: { writeback.policy: none }\n'))).toBe(true);
    expect(experimentNamesPolicy(exp('base:\n  writeback:\n    policy: syncer\n'))).toBe(true);
    expect(experimentNamesPolicy(exp('grid:\n  writeback.policy: [none, syncer]\n'))).toBe(true);
    expect(experimentNamesPolicy(exp('grid:\n  writeback: [{ policy: flusher }, { policy: syncer }]\n'))).toBe(true);
    expect(experimentNamesPolicy(exp('base: { writeback: { interval_ms: 20 } }\ngrid:\n  pager.cluster_pages: [8, 32]\n'))).toBe(false);
    expect(experimentNamesPolicy(exp(''))).toBe(false);
    // the group nested, then the policy dotted (the experiment takes both): the first key ended the look, and the sweep said the policy was not named
    expect(experimentNamesPolicy(exp('base:\n  writeback: { interval_ms: 20 }\n  writeback.policy: none\n'))).toBe(true);
    expect(experimentNamesPolicy(exp('grid:\n  writeback: [{ interval_ms: 10 }, { interval_ms: 20 }]\n'))).toBe(false);
  });

  it('sweep says it once for the runs the default shaped, and not when the experiment names the policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-bgnote-sweep-'));
    lateSyncTrace(dir, 40);
    const exp = (name: string, base: string) => `name: ${name}\ntrace: { path: late-40.csv }\n${base}grid:\n  pager.cluster_pages: [8, 32]\nseeds: 1\nmetrics: [sync.latency_us.p99]\n`;
    writeFileSync(join(dir, 'default.yaml'), exp('default', ''));
    writeFileSync(join(dir, 'named.yaml'), exp('named', 'base: { writeback.policy: none }\n'));
    const byDefault = await syncsimHere(['sweep', 'default.yaml', '--out', 'd', '-q', '--no-cache'], dir);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(byDefault.stderr).toContain("syncsim: note: writeback.policy is none (the default) in 2 runs in which a page waited up to 40.0 s for its write (summary.json durability.lag_us.max): "
      + "a kernel's background writeback writes pages once they have been dirty for about 30 s, which leaves later msyncs less to write; freebsd's syncer (writeback.policy: syncer) in the experiment's base models it");
    const named = await syncsimHere(['sweep', 'named.yaml', '--out', 'n', '-q', '--no-cache'], dir);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).not.toContain('writeback.policy is none');
    // a run of a syncsim before the durability lag (no durability in its summary.json) is not counted: merge stopped on it with a TypeError
    const [old] = readdirSync(join(dir, 'd', 'runs')).sort().map((id) => join(dir, 'd', 'runs', id, 'summary.json'));
    const summary = JSON.parse(readFileSync(old!, 'utf8'));
    delete summary.durability;
    writeFileSync(old!, JSON.stringify(summary));
    const merged = await syncsimHere(['merge', 'd', '--out', 'm'], dir);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toContain('syncsim: note: writeback.policy is none (the default) in 1 run in which a page waited up to 40.0 s');
  });
});
