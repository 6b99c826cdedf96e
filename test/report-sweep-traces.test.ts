/**
 * A sweep report's settings table names every trace the sweep replayed. A new user's sweep of
 * 3 grid points × 3 seeds over a generator parameter made 9 traces (one per point and seed),
 * and index.html listed 3: the table read each point's first run only.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResults } from '../reports/data.ts';
import { makeReport, settingsTables } from '../reports/report.ts';
import { configColorScale, THEMES } from '../reports/theme.ts';
import { syncsimHere } from './cli-here.ts';

describe("a sweep report's settings table", () => {
  it('lists every trace of a sweep that generates one per grid point and seed (9 of 3 × 3), in the table and in index.html', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-sweep-traces-'));
    writeFileSync(join(d, 'e.yaml'), 'name: s\ntrace: { gen: random-writer, set: { duration_s: 0.01 } }\ngrid:\n  trace.set.sync_every: [10, 50, 100]\nseeds: 3\n');
    expect((await syncsimHere(['sweep', 'e.yaml', '--out', 'sw', '--jobs', '1'], d)).code).toBe(0);
    const sw = join(d, 'sw');
    // what the runs replayed, from their own summary.json files: 9 traces, each a file the sweep generated
    const runDirs = readdirSync(join(sw, 'runs'));
    expect(runDirs).toHaveLength(9);
    const replayed = runDirs.map((r) => JSON.parse(readFileSync(join(sw, 'runs', r, 'summary.json'), 'utf8')).trace as { path: string; rows: number });
    expect(new Set(replayed.map((t) => t.path)).size).toBe(9);
    expect(readdirSync(join(sw, 'traces')).filter((f) => f.endsWith('.csv.gz'))).toHaveLength(9);

    const results = await loadResults(sw);
    const tables = settingsTables(results, configColorScale(results.configurations.map((c) => c.label)));
    const row = tables.find((t) => t.caption.startsWith('Key settings of the grid points'))!.rows.find((r) => r[0] === 'trace')!;
    const listed = String(row[1]).replace(/^varies: /, '').split(' | ');
    expect(listed.sort()).toEqual(replayed.map((t) => `${t.path} (${t.rows} rows)`).sort());

    await makeReport({ dir: sw, out: join(d, 'report'), formats: ['html'], theme: THEMES.paper, width: 238 });
    const html = readFileSync(join(d, 'report', 'index.html'), 'utf8');
    for (const t of replayed) expect(html).toContain(t.path);
  });
});
