/**
 * Latency charts left out because no msync succeeded say why: a new user's
 * run whose 40 msyncs all returned EBUSY drew only its timeline, report.json
 * noted nothing of the latency charts, and `--chart latency-cdf` said it
 * "does not apply to ... (a run directory)".
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResults } from '../reports/data.ts';
import { msyncOutcome } from '../reports/no-msync.ts';
import { buildCharts, chartContext, makeReport } from '../reports/report.ts';
import { THEMES } from '../reports/theme.ts';
import { syncsimHere } from './cli-here.ts';
import { chartNamed, chartsOf, writeRun } from './report-fixtures.ts';

const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-nomsync-'));
const ebusy = (n: number) => Array.from({ length: n }, (_, i) => ({ t: i + 1, lat: 0, pages: 0, result: 'EBUSY' }));
const LATENCY_CHARTS = ['latency-cdf', 'latency-percentiles', 'latency-vs-pages'];

describe('no successful msync', () => {
  it('a run whose 40 msyncs all returned EBUSY: report.json and index.html say why each latency chart is left out', async () => {
    const dir = join(tmp(), 'run');
    writeRun(dir, { syncs: ebusy(40), timeline: [[0, 0, 0, 0], [3, 0, 5, 0], [4, 0, 5, 0]] });
    const out = join(tmp(), 'report');
    const r = await makeReport({ dir, out, formats: ['html'], theme: paper, width: 238 });
    for (const c of LATENCY_CHARTS) expect(r.charts.map((x) => x.name)).not.toContain(c);
    const notes = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).notes as string[];
    for (const c of LATENCY_CHARTS) expect(notes).toContain(`${c}: no successful msync (40 msyncs, all returned EBUSY); not drawn.`);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('latency-cdf: no successful msync (40 msyncs, all returned EBUSY); not drawn.');
  });

  it('--chart latency-cdf says the reason, not that the chart does not apply (exit 2)', async () => {
    const dir = join(tmp(), 'run');
    writeRun(dir, { syncs: ebusy(40) });
    const ctx = chartContext(await loadResults(dir), paper, 238);
    for (const c of LATENCY_CHARTS) await expect(buildCharts(ctx, [c])).rejects.toThrow(`chart '${c}' not drawn: no successful msync (40 msyncs, all returned EBUSY)`);
    const cli = await syncsimHere(['report', dir, '--chart', 'latency-cdf', '--out', join(tmp(), 'x')]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toBe("syncsim: chart 'latency-cdf' not drawn: no successful msync (40 msyncs, all returned EBUSY)\n");
  });

  it('several configurations: each one\'s outcome; a configuration without percentiles beside others is named in the figure', async () => {
    const base = tmp();
    writeRun(join(base, 'busy'), { syncs: ebusy(40) });
    writeRun(join(base, 'mixed'), { syncs: [...ebusy(30), ...Array.from({ length: 10 }, (_, i) => ({ t: 100 + i, lat: 0, pages: 0, result: 'ENOMEM' }))] });
    const ctx = chartContext(await loadResults(base), paper, 238);
    await expect(buildCharts(ctx, ['latency-cdf'])).rejects.toThrow("chart 'latency-cdf' not drawn: no successful msync in any configuration (busy: 40 msyncs, all returned EBUSY; mixed: 40 msyncs: 30 returned EBUSY, 10 ENOMEM)");
    writeRun(join(base, 'ok'), { syncs: [{ t: 1, lat: 100, pages: 1 }, { t: 2, lat: 200, pages: 2 }] });
    const pct = chartNamed(await chartsOf(base), 'latency-percentiles').spec(200, 150);
    const note = (pct.title as { text: string[] }).text.join(' ');
    expect(note).toContain('no percentiles of busy (no successful msync: 40 msyncs, all returned EBUSY); mixed (no successful msync: 40 msyncs: 30 returned EBUSY, 10 ENOMEM)');
  });

  it('msyncOutcome: none in the trace; all before the warm-up', async () => {
    const none = join(tmp(), 'none');
    writeRun(none, { syncs: [] });
    expect(msyncOutcome((await loadResults(none)).configurations[0]!.runs)).toBe('the trace has no msync');
    const early = join(tmp(), 'early');
    writeRun(early, { syncs: [{ t: 1, lat: 50, pages: 1 }, { t: 2, lat: 60, pages: 1 }], warmup: 1000 });
    expect(msyncOutcome((await loadResults(early)).configurations[0]!.runs)).toBe("2 successful msyncs, all issued before the warm-up's end (stats.warmup_us 1,000)");
    const ctx = chartContext(await loadResults(early), paper, 238);
    await expect(buildCharts(ctx, ['latency-cdf'])).rejects.toThrow("chart 'latency-cdf' not drawn: no successful msync (2 successful msyncs, all issued before the warm-up's end (stats.warmup_us 1,000))");
  });
});
