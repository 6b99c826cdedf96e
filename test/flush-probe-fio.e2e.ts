/**
 * The validation session's FLUSH probe with the real fio (scripts/validate/flush-level.ts
 * FlushLevelProbes): `npm run test:fio`, beside test/validate-fio.e2e.ts (not part of `npm test`:
 * about 6 s of fio; .ci/run runs it after the suite). The session's fits from the probes are tested
 * in flush-level.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlushLevelProbes } from '../scripts/validate/flush-probes.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-flush-probe-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the probe (real fio)', () => {
  it('times fdatasyncs after 4k O_DIRECT overwrites of a laid-out file, and removes its scratch directory', async () => {
    const dir = tmp();
    const probes = new FlushLevelProbes({ dir, sizeBytes: 4 << 20, probeMs: 400 });
    const a = await probes.probe('first');
    const b = await probes.probe('second');
    expect(readdirSync(dir).filter((n) => n.startsWith('syncsim-flush-level-'))).toHaveLength(1);
    probes.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect([...a, ...b].every((x) => x > 0 && Number.isFinite(x))).toBe(true);
    expect(probes.probes.map((p) => [p.label, p.us.length])).toEqual([['first', a.length], ['second', b.length]]);
    // each probe also timed fdatasync after 32 writes (its destage part), beside the median of its own 1-write fdatasyncs
    for (const p of probes.probes) {
      expect(p.destage).toMatchObject({ writes: 32 });
      expect(p.destage!.n_us).toBeGreaterThan(0);
      const sorted = [...p.us].sort((x, y) => x - y), mid = sorted.length >> 1;
      expect(p.destage!.one_us).toBeCloseTo(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, 9);
      // and the CPU probe's writeback samples (the test machine has cc: scripts/ensure-tools.sh): one page off the CPU, its CPU time, the slope
      expect(p.writeback!.one_us).toBeGreaterThan(0);
      expect(p.writeback!.cpu_one_us).toBeGreaterThan(0);
      expect(Number.isFinite(p.writeback!.slope_us)).toBe(true);
      // and its buffered part: fdatasync after one buffered write and after 32, the 32 pages' writeback the dearer
      expect(p.buffered).toMatchObject({ writes: 32 });
      expect(p.buffered!.one_us).toBeGreaterThan(0);
      expect(p.buffered!.n_us).toBeGreaterThan(p.buffered!.one_us);
    }
  }, 60_000);
});

