/**
 * `report --out` and a report of another results directory (a new user's
 * finding, 2026-12-07): `syncsim report sw1 --out sw2/report` replaced sw2's
 * report with sw1's, exit 0, no word. A report's marker records the
 * directory it was drawn from; one drawn from another directory is refused
 * (exit 2, naming both) unless --out is the results directory's own
 * `report/`. syncsim still replaces nothing it did not write.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { writeRun } from './report-fixtures.ts';

const ARGS = ['--format', 'html', '--chart', 'latency-percentiles', '-q'];

/** A working directory with runs `a` and `b`, each with its own report. */
async function twoRuns(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'syncsim-out-source-'));
  for (const [name, lat] of [['a', 100], ['b', 300]] as const) {
    writeRun(join(work, name), { syncs: Array.from({ length: 20 }, (_, i) => ({ t: i * 1000, lat: lat + i, pages: 2 })) });
    expect((await syncsimHere(['report', name, ...ARGS], work)).code).toBe(0);
  }
  return work;
}

const sourceOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { source: string }).source;

describe('report --out over the report of another results directory', () => {
  it('is refused, exit 2, naming both directories; the earlier report stays as it was', async () => {
    const work = await twoRuns();
    const before = readFileSync(join(work, 'b/report/index.html'), 'utf8');
    const r = await syncsimHere(['report', 'a', '--out', 'b/report', ...ARGS], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: --out b/report: holds the report of another results directory, b, not of a: replacing it would delete that report (remove it yourself first if it is to go); choose a new directory\n");
    expect(readFileSync(join(work, 'b/report/index.html'), 'utf8')).toBe(before);
    expect(sourceOf(join(work, 'b/report'))).toBe('b');
  });

  it('a report elsewhere drawn from one directory is replaced by a report of it, refused to another', async () => {
    const work = await twoRuns();
    expect((await syncsimHere(['report', 'a', '--out', 'figs', ...ARGS], work)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'figs/.syncsim'), 'utf8')).source).toBe(join(work, 'a'));
    expect((await syncsimHere(['report', 'a', '--out', 'figs', ...ARGS], work)).code).toBe(0);
    const r = await syncsimHere(['report', 'b', '--out', 'figs', ...ARGS], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out figs: holds the report of another results directory, a, not of b');
    expect(sourceOf(join(work, 'figs'))).toBe('a');
  });

  it("a results directory's own report/ is its to replace, whatever was drawn into it", async () => {
    const work = mkdtempSync(join(tmpdir(), 'syncsim-out-source-'));
    writeRun(join(work, 'a'), { syncs: [{ t: 0, lat: 100, pages: 1 }, { t: 10, lat: 120, pages: 1 }] });
    writeRun(join(work, 'c'), { syncs: [{ t: 0, lat: 200, pages: 1 }, { t: 10, lat: 220, pages: 1 }] });
    // a new directory: nothing to lose
    expect((await syncsimHere(['report', 'a', '--out', 'c/report', ...ARGS], work)).code).toBe(0);
    const own = await syncsimHere(['report', 'c', ...ARGS], work);
    expect(own.code).toBe(0);
    expect(sourceOf(join(work, 'c/report'))).toBe('c');
  });

  it('a report written before markers named their source is judged by the results directory it is the report/ of', async () => {
    const work = await twoRuns();
    const marker = join(work, 'b/report/.syncsim');
    const { source: _, ...old } = JSON.parse(readFileSync(marker, 'utf8')) as Record<string, unknown>;
    writeFileSync(marker, JSON.stringify(old) + '\n');
    const r = await syncsimHere(['report', join(work, 'a'), '--out', join(work, 'b/report'), ...ARGS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`holds the report of another results directory, ${join(work, 'b')}, not of ${join(work, 'a')}`);
    expect(existsSync(join(work, 'b/report/index.html'))).toBe(true);
  });
});
