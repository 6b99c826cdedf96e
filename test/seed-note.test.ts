/**
 * A seed that changes nothing is said: the random streams count their draws
 * (sfc32's counter word), summary.json's `random_draws` holds the run's, and
 * `syncsim run` with a seed notes a run that drew none.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { RandomStream, RandomStreams } from '../sim/engine/random.ts';
import { seedNote } from '../scripts/commands/run.ts';
import { syncsimHere } from './cli-here.ts';
import { DEMO, ROOT } from './out-fixtures.ts';

const CONSTANT = 'device={profile: queue, service: {dist: constant, mean_us: 50}}';
const LOGNORMAL = 'device={profile: queue, service: {dist: lognormal, mean_us: 50, cv: 0.5}}';

describe('RandomStream.draws', () => {
  it('is 0 for a new stream and counts one a 32-bit word drawn', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4294967295 }), fc.nat(5000), (seed, n) => {
      const s = new RandomStream(seed, 'test.draws');
      expect(s.draws).toBe(0);
      for (let i = 0; i < n; i++) s.nextU32();
      expect(s.draws).toBe(n);
    }), { numRuns: 50 });
  });

  it('RandomStreams.draws sums the streams, a stream made and never drawn from counting 0', () => {
    const r = new RandomStreams(9);
    expect(r.draws()).toBe(0);
    r.get('a');
    expect(r.draws()).toBe(0);
    for (let i = 0; i < 7; i++) r.get('a').nextU32();
    for (let i = 0; i < 5; i++) r.get('b').nextU32();
    expect(r.draws()).toBe(12);
  });
});

describe('seedNote', () => {
  const config = { seed: 7 } as never;
  it('says nothing when no seed was given, or when the run drew', () => {
    expect(seedNote({ random_draws: 0, config }, false)).toBeUndefined();
    expect(seedNote({ random_draws: 1, config }, true)).toBeUndefined();
  });
  it('names the seed that changed nothing', () => {
    expect(seedNote({ random_draws: 0, config }, true)).toMatch(/drew no random number .*its seed \(7\) changed nothing/);
  });
});

describe('syncsim run --seed', () => {
  const run = async (set: string, seed: string | undefined) => {
    const out = join(mkdtempSync(join(tmpdir(), 'syncsim-seed-note-')), 'out');
    const r = await syncsimHere(['run', DEMO, '--out', out, '-q', '--set', set, ...(seed === undefined ? [] : ['--seed', seed])], ROOT);
    expect(r.code, r.stderr).toBe(0);
    return { ...r, summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), syncs: readFileSync(join(out, 'syncs.csv'), 'utf8') };
  };

  it('with constant times: random_draws 0, two seeds the same msyncs, and the note names the seed', async () => {
    const a = await run(CONSTANT, '3'), b = await run(CONSTANT, '4');
    expect(a.summary.random_draws).toBe(0);
    expect(a.syncs).toBe(b.syncs);
    expect(a.stderr).toContain('syncsim: note: the run drew no random number');
    expect(a.stderr).toContain('its seed (3) changed nothing');
  });

  it('without --seed there is no note, even when nothing was drawn', async () => {
    const r = await run(CONSTANT, undefined);
    expect(r.summary.random_draws).toBe(0);
    expect(r.stderr).not.toContain('drew no random number');
  });

  it('with a lognormal service time: draws counted, seeds differ, no note', async () => {
    const a = await run(LOGNORMAL, '3'), b = await run(LOGNORMAL, '4');
    expect(a.summary.random_draws).toBeGreaterThan(0);
    expect(a.syncs).not.toBe(b.syncs);
    expect(a.stderr).not.toContain('drew no random number');
  });
});
