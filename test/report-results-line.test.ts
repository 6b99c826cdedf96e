/**
 * `syncsim report`'s `report: DIR (...)` line names the report directory as run, sweep,
 * merge and compare name theirs (showPath, scripts/sweep/store.ts): relative to the
 * working directory when it lies inside it, absolute otherwise.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { writeRun } from './report-fixtures.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'syncsim-report-line-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report: the report line', () => {
  it('names the default directory and --out alike: relative inside the working directory, absolute outside it', async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    writeRun(join(work, 'run'), { syncs: [{ t: 1, lat: 100, pages: 1 }, { t: 2, lat: 200, pages: 2 }] });
    const shown = async (args: string[]) => {
      const r = await syncsimHere(['report', 'run', '--format', 'svg', '--chart', 'latency-cdf', '-q', ...args], work);
      expect(r.code, r.stderr).toBe(0);
      const line = r.stdout.split('\n').find((l) => l.startsWith('report: '));
      return line?.match(/^report: (.*) \(1 chart, \d+\.\d s\)$/)?.[1];
    };
    expect(await shown([])).toBe('run/report');
    expect(await shown(['--out', './mine/'])).toBe('mine');
    expect(await shown(['--out', join(work, 'abs')])).toBe('abs');
    // outside the working directory it was named relative all the same (`report: ../beside`)
    expect(await shown(['--out', '../beside'])).toBe(join(dir, 'beside'));
    expect(await shown(['--out', join(dir, 'outside')])).toBe(join(dir, 'outside'));
  });
});
