/**
 * A sweep warns of the base or grid keys that have no effect in any of its
 * grid points (scripts/config-file.ts idleInEvery), as `run` does for one
 * configuration; a key that has an effect in one point is not named.
 */
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../scripts/sweep/experiment.ts';
import { makePlan } from '../scripts/sweep/plan.ts';

const plan = (body: string) => makePlan(parseExperiment(`name: x\ntrace: { gen: seq-writer, set: { duration_s: 0.01 } }\n${body}`, 'e.yaml'));

describe('a sweep\'s keys that have no effect', () => {
  it('are named once when idle in every grid point, with each reason', async () => {
    const p = await plan('base:\n  pager.ipc_us: 100\n  writeback: { policy: flusher, delay_ms: 5 }\ngrid:\n  personality: [linux, freebsd]\n');
    expect(p.idleKeys).toEqual([
      'writeback.delay_ms has no effect in any run of the sweep: under writeback.policy flusher (it reads writeback.interval_ms, writeback.expire_ms, writeback.background_ratio, writeback.dirty_ratio, writeback.max_pause_ms)',
      'pager.ipc_us has no effect in any run of the sweep: under the linux personality (only mach reads it); under the freebsd personality (only mach reads it)',
    ]);
  });

  it('are not named when one grid point reads them, nor for grid keys that do', async () => {
    expect((await plan('base:\n  pager.ipc_us: 100\ngrid:\n  personality: [linux, mach]\n')).idleKeys).toEqual([]);
    expect((await plan('grid:\n  writeback.policy: [flusher, syncer]\n  writeback.delay_ms: [5, 50]\n')).idleKeys).toEqual([]);
    // a grid key no point reads
    expect((await plan('base: { personality: linux }\ngrid:\n  fs.soft_updates: [false, true]\n')).idleKeys).toEqual([
      'fs.soft_updates has no effect in any run of the sweep: with fs.kind ext4-ordered (only ufs reads it)',
    ]);
  });
});
