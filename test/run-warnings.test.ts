/**
 * What a run's summary.json supports of the warnings `syncsim run` printed when it ended (a
 * closed replay stretched, a warm-up past every msync, no rows, nothing durable, wired pages past
 * memory.pages) is said again by `syncsim report` under its charts: before, a report drawn later
 * said nothing of them (stop 80's open lead).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResults, type Results } from '../reports/data.ts';
import { makeReport } from '../reports/report.ts';
import { runWarningNotes, runWarnings, stretchedWarning } from '../reports/run-warnings.ts';
import { THEMES } from '../reports/theme.ts';
import type { Summary } from '../sim/stats/summary.ts';
import { writeRun } from './report-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-runwarn-'));
const syncs = (n: number) => Array.from({ length: n }, (_, i) => ({ t: 10 * (i + 1), lat: 50, pages: 1 }));

/** A fixture run's summary with `replay` (and `durability`) as given, rewritten in place. */
function withParts(dir: string, parts: Record<string, unknown>): void {
  const path = join(dir, 'summary.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), ...parts }, null, 2) + '\n');
}

const STRETCHED = { replay: { tasks: 4, trace_end_us: 244965.195, max_lag_end_us: 34976.322, stretched_tasks: 2 } };
const NONE_DURABLE = {
  durability: {
    durable_pages: 0, never_durable_pages: 12,
    never_durable_by: { no_msync: 0, after_last_msync: 0, replay_order: 0, msync_wired: 0, msync_failed: 0, msync_async: 12, msync_unwritten: 0, no_flush: 0, dropped: 0, held_by_manager: 0 },
  },
};

describe("a run's warnings in its report", () => {
  it('one run: report.json and index.html repeat each warning its summary supports, in the order run prints them', async () => {
    const dir = join(tmp(), 'run');
    writeRun(dir, { syncs: syncs(5), warmup: 1000, timeline: [[0, 0, 0, 0], [3, 0, 5, 0]] });
    withParts(dir, STRETCHED);
    writeFileSync(join(dir, 'tasks.csv'), 'task\n');
    const out = join(tmp(), 'report');
    await makeReport({ dir, out, formats: ['html'], theme: THEMES.paper, width: 238 });
    const notes = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { notes: string[] }).notes;
    const said = notes.filter((n) => n.startsWith("The run's warning: "));
    expect(said).toEqual([
      "The run's warning: closed replay stretched 2 of 4 task(s) (summary.json replay.stretched_tasks): their ops took longer than the trace's gaps, so later ops ran late, "
        + "the furthest ending 34.976 ms behind (14.3 % of the trace); tasks.csv lists them, and replay: open keeps the trace's timing.",
      "The run's warning: stats.warmup_us 1000 µs leaves out all 5 successful msyncs (the run simulated 1000 µs): no latency figure; lower it.",
    ]);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('closed replay stretched 2 of 4 task(s)');
    expect(html).toContain('stats.warmup_us 1000 µs leaves out all 5 successful msyncs');
  });

  it('several runs: one note per kind, naming the runs that gave it and quoting the first', async () => {
    const base = tmp();
    writeRun(join(base, 'a'), { syncs: syncs(3), warmup: 500 });
    writeRun(join(base, 'b'), { syncs: syncs(4), warmup: 800 });
    writeRun(join(base, 'c'), { syncs: syncs(4) });
    withParts(join(base, 'c'), NONE_DURABLE);
    const notes = runWarningNotes(await loadResults(base));
    expect(notes).toEqual([
      'Warning of 2 of 3 runs (a; b), the first: a: stats.warmup_us 500 µs leaves out all 3 successful msyncs (the run simulated 0 µs): no latency figure; lower it.',
      expect.stringMatching(/^Warning of run c: none of the 12 page versions stored became durable by the run's end \(summary\.json durability\), so these msyncs' latencies are not what making the data durable costs: 12 left unwritten by MS_ASYNC msyncs/),
    ]);
  });

  it('a sweep: its warnings file already names stretched replays and undurable points; the others are said per run with the point and seed', () => {
    const summary = (warmup: number, extra: Record<string, unknown>) => ({
      trace: { rows: 9 }, config: { stats: { warmup_us: warmup }, memory: { pages: 0 } }, sim_time_us: 90,
      sync: { ok: 2, count: 2, latency_us: { mean: warmup > 0 ? null : 5 } }, wire: { peak_wired_pages: 0 }, writeback: { by_cause: { msync: 0 } }, ...extra,
    }) as unknown as Summary;
    const results = {
      kind: 'sweep', dir: '/x', name: 'x', labels: {}, configTitle: 'kernel',
      configurations: [
        { label: 'linux', settings: [], runs: [{ dir: '/x/1', seed: 1, summary: summary(100, { ...STRETCHED, ...NONE_DURABLE }) }, { dir: '/x/2', seed: 2, summary: summary(0, STRETCHED) }] },
        { label: 'freebsd', settings: [], runs: [{ dir: '/x/3', seed: 1, summary: summary(0, {}) }] },
      ],
    } as unknown as Results;
    expect(runWarningNotes(results)).toEqual(['Warning of run kernel = linux, seed 1: stats.warmup_us 100 µs leaves out all 2 successful msyncs (the run simulated 90 µs): no latency figure; lower it.']);
  });

  it('a run without tasks.csv (--results left it out): the stretched replay\'s warning does not send the reader to it (user trial 195)', async () => {
    const dir = join(tmp(), 'run');
    writeRun(dir, { syncs: syncs(5), timeline: [[0, 0, 0, 0], [3, 0, 5, 0]] });
    withParts(dir, STRETCHED);
    const out = join(tmp(), 'report');
    await makeReport({ dir, out, formats: [], theme: THEMES.paper, width: 238 });
    const notes = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { notes: string[] }).notes;
    expect(notes.filter((n) => n.includes('closed replay stretched'))).toEqual([expect.stringContaining("behind (14.3 % of the trace); tasks.csv, not in the run's directory (--results tasks writes it), would list them, and replay: open keeps the trace's timing.")]);
    expect(stretchedWarning({ ...STRETCHED } as unknown as Summary, false)).toContain("tasks.csv, not in the run's directory (--results tasks writes it), would list them");
  });

  it('a summary.json of an older syncsim (no replay, no durability, no wire) warns of nothing it lacks, and throws nothing', () => {
    const old = { trace: { rows: 3 }, config: { stats: { warmup_us: 0 } }, sync: { ok: 1, count: 1, latency_us: { mean: 4 } } } as unknown as Summary;
    expect(runWarnings(old)).toEqual([]);
    expect(stretchedWarning(old)).toBeUndefined();
    const empty = { ...old, trace: { rows: 0 }, sync: { ok: 0, count: 0, latency_us: { mean: null } } } as unknown as Summary;
    expect(runWarnings(empty).map((w) => w.kind)).toEqual(['empty']);
  });

  it('wired pages past memory.pages: the warning names both figures', () => {
    const s = { trace: { rows: 3 }, config: { stats: { warmup_us: 0 }, memory: { pages: 100 } }, sync: { ok: 1, count: 1, latency_us: { mean: 4 } }, wire: { peak_wired_pages: 150 }, memory: { peak_resident_pages: 160 } } as unknown as Summary;
    expect(runWarnings(s)).toEqual([{ kind: 'wired', text: expect.stringMatching(/^150 pages were wired at the peak \(summary\.json wire\.peak_wired_pages\), more than memory\.pages 100: .*\(peak_resident_pages 160\)/) }]);
    expect(runWarnings({ ...s, wire: { peak_wired_pages: 100 } } as unknown as Summary)).toEqual([]);
  });
});
