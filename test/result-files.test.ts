/**
 * Which result files a run writes (`run --results`, `sweep --results`, the library's `results`):
 * a new user's 15 M-row run wrote 1.1 GB (writeback.csv 1.08 GB) and a sweep 117 MB a run, with
 * no way to write less. summary.json is the same byte for byte whatever is chosen, the files
 * written are those of a run that writes them all, a sweep's runs write syncs, timeline and tasks
 * by default, and report and compare say which file a run did not write.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseResults, resultsText } from '../scripts/result-files.ts';
import { replay } from '../scripts/lib.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = join(ROOT, 'traces/examples/demo.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-results-'));
const ALL_CSVS = ['durability.csv', 'reads.csv', 'syncs.csv', 'tasks.csv', 'timeline.csv', 'wires.csv', 'writeback.csv'];

/** summary.json of `dir` without its provenance (when and how the run was made), as text. */
const summaryText = (dir: string) => {
  const { provenance: _p, ...rest } = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  return JSON.stringify(rest, null, 2);
};
/** The files of `dir`, its marker left out. */
const filesOf = (dir: string) => readdirSync(dir).filter((f) => f !== '.syncsim').sort();

describe('--results: the words and lists it takes', () => {
  it('all, summary and report stand for sets of files; a list names files with or without .csv', () => {
    expect([...parseResults('all')]).toEqual(['syncs', 'wires', 'writeback', 'reads', 'timeline', 'durability', 'tasks']);
    expect([...parseResults('summary')]).toEqual([]);
    expect([...parseResults('report')]).toEqual(['syncs', 'timeline']);
    expect([...parseResults('writeback.csv, syncs')]).toEqual(['writeback', 'syncs']);
  });

  it('refuses an unknown file, an empty name and a word mixed into a list, saying what it takes', () => {
    expect(() => parseResults('syncs,writebak')).toThrow("--results: 'writebak' is not a result file; it expects all, summary, report, or a comma-separated list of syncs, wires, writeback, reads, timeline, durability, tasks (got 'syncs,writebak'); did you mean writeback?");
    expect(() => parseResults('syncs,')).toThrow("--results expects all, summary, report, or a comma-separated list of syncs, wires, writeback, reads, timeline, durability, tasks (got 'syncs,': an empty name)");
    expect(() => parseResults('summary,syncs', 'results')).toThrow("results: 'summary' stands alone, it is not a file to list with others (got 'summary,syncs')");
  });

  it('says a choice in words', () => {
    expect(resultsText(parseResults('all'))).toBe('every result file');
    expect(resultsText(parseResults('summary'))).toBe('summary.json alone');
    expect(resultsText(parseResults('timeline,syncs'))).toBe('summary.json, syncs.csv, timeline.csv');
  });
});

describe('run --results', () => {
  it('writes summary.json and the files chosen, each the bytes a run of every file writes; summary.json the same whatever is chosen', async () => {
    const d = tmp();
    const all = await syncsimHere(['run', DEMO, '--out', join(d, 'all'), '--no-cache']);
    expect(all.code).toBe(0);
    expect(filesOf(join(d, 'all'))).toEqual([...ALL_CSVS, 'summary.json'].sort());
    const cases: [string, string[]][] = [['summary', []], ['report', ['syncs.csv', 'timeline.csv']], ['writeback,tasks,durability', ['durability.csv', 'tasks.csv', 'writeback.csv']]];
    for (const [choice, csvs] of cases) {
      const out = join(d, choice);
      const r = await syncsimHere(['run', DEMO, '--out', out, '--no-cache', '--results', choice]);
      expect(r.code).toBe(0);
      expect(filesOf(out)).toEqual([...csvs, 'summary.json'].sort());
      expect(JSON.parse(readFileSync(join(out, '.syncsim'), 'utf8')).files).toEqual(['summary.json', ...csvs].sort());
      expect(summaryText(out)).toBe(summaryText(join(d, 'all')));
      // what is printed is computed as before
      expect(r.stdout.replace(/results: .*/, '')).toBe(all.stdout.replace(/results: .*/, ''));
      for (const f of csvs) expect(readFileSync(join(out, f)).equals(readFileSync(join(d, 'all', f)))).toBe(true);
    }
  });

  it('a run large enough to print in the writer thread: the files chosen are those of every file, summary.json the same', async () => {
    const d = tmp();
    expect((await syncsimHere(['gen', 'random-writer', '--set', 'duration_s=4', '-o', join(d, 'rw.csv')])).code).toBe(0);
    const a = await replay(join(d, 'rw.csv'), { out: join(d, 'all') });
    const b = await replay(join(d, 'rw.csv'), { out: join(d, 'some'), results: 'timeline,syncs,reads' });
    expect(a.writeback.ios).toBeGreaterThan(8192 * 2); // past one batch: the thread prints
    expect(filesOf(join(d, 'some'))).toEqual(['reads.csv', 'summary.json', 'syncs.csv', 'timeline.csv']);
    for (const f of ['reads.csv', 'syncs.csv', 'timeline.csv']) expect(readFileSync(join(d, 'some', f)).equals(readFileSync(join(d, 'all', f)))).toBe(true);
    expect(summaryText(join(d, 'some'))).toBe(summaryText(join(d, 'all')));
    expect(JSON.stringify({ ...b, provenance: 0 })).toBe(JSON.stringify({ ...a, provenance: 0 }));
  });

  it('a misspelt name ends with the closest file (or word, given alone), as a misspelt option does; nothing close, no suggestion', async () => {
    const accepts = 'it expects all, summary, report, or a comma-separated list of syncs, wires, writeback, reads, timeline, durability, tasks';
    const d = tmp();
    for (const [given, bad, hint] of [
      ['sync', 'sync', '; did you mean syncs?'],
      ['summry', 'summry', '; did you mean summary?'],
      ['syncs,timelin.csv', 'timelin.csv', '; did you mean timeline?'],
      ['syncs,summry', 'summry', ''], // summary stands alone: not suggested in a list
    ]) {
      const r = await syncsimHere(['run', DEMO, '--out', join(d, 'r'), '--results', given!]);
      expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: --results: '${bad}' is not a result file; ${accepts} (got '${given}')${hint}\n` });
    }
    const s = await syncsimHere(['sweep', join(ROOT, 'workloads', 'experiments', 'demo-personalities.yaml'), '--out', join(d, 's'), '--dry-run', '--results', 'sync']);
    expect([s.code, s.stderr]).toEqual([2, `syncsim: --results: 'sync' is not a result file; ${accepts} (got 'sync'); did you mean syncs?\n`]);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a bad --results exits 2 before anything is read or written', async () => {
    const d = tmp();
    const r = await syncsimHere(['run', DEMO, '--out', join(d, 'r'), '--results', 'syncs,everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: --results: 'everything' is not a result file; it expects all, summary, report, or a comma-separated list of syncs, wires, writeback, reads, timeline, durability, tasks (got 'syncs,everything')\n");
    expect(readdirSync(d)).toEqual([]);
  });

  it('the stretched-task warning names tasks.csv as left out when --results left it out', async () => {
    const d = tmp();
    const r = await syncsimHere(['run', DEMO, '--out', join(d, 'r'), '--no-cache', '--results', 'summary']);
    expect(r.stderr).toContain("tasks.csv (which --results left out) lists every task, or replay: open\n");
  });
});

describe('report and compare on a run that did not write a file', () => {
  it('report leaves the chart out and says which run did not write which file; --chart says it too; compare names the file', async () => {
    const d = tmp();
    expect((await syncsimHere(['run', DEMO, '--out', join(d, 'r'), '--no-cache', '--results', 'summary'])).code).toBe(0);
    const rep = await syncsimHere(['report', join(d, 'r'), '--out', join(d, 'rep'), '--format', 'html']);
    expect(rep.code).toBe(0);
    const notes = JSON.parse(readFileSync(join(d, 'rep', 'report.json'), 'utf8')).notes as string[];
    const unwritten = (chart: string, file: string, word: string) =>
      `${chart}: the run of r did not write ${file} (--results left it out; --results all, report, or a list naming ${word} writes it); not drawn.`;
    expect(notes).toEqual(expect.arrayContaining([unwritten('latency-cdf', 'syncs.csv', 'syncs'), unwritten('latency-vs-pages', 'syncs.csv', 'syncs'), unwritten('timeline', 'timeline.csv', 'timeline')]));
    const one = await syncsimHere(['report', join(d, 'r'), '--out', join(d, 'x'), '--chart', 'timeline']);
    expect(one.code).toBe(2);
    expect(one.stderr).toBe("syncsim: chart 'timeline' not drawn: the run of r did not write timeline.csv (--results left it out; --results all, report, or a list naming timeline writes it)\n");
    expect(existsSync(join(d, 'x'))).toBe(false);
    expect((await syncsimHere(['run', DEMO, '--out', join(d, 'full'), '--no-cache'])).code).toBe(0);
    const cmp = await syncsimHere(['compare', join(d, 'r'), join(d, 'full'), '--out', join(d, 'cmp')]);
    expect(cmp.code).toBe(2);
    expect(cmp.stderr).toContain(`${join(d, 'r', 'syncs.csv')}: not written: the run's --results left it out; compare reads the msync latencies of every run from its syncs.csv`);
    expect(existsSync(join(d, 'cmp'))).toBe(false);
  });

  it('a directory of runs, one without syncs.csv: the latency charts are drawn without it, saying so', async () => {
    const d = tmp();
    expect((await syncsimHere(['run', DEMO, '--out', join(d, 'runs', 'a'), '--no-cache'])).code).toBe(0);
    expect((await syncsimHere(['run', DEMO, '--out', join(d, 'runs', 'b'), '--no-cache', '--results', 'timeline', '--seed', '2'])).code).toBe(0);
    const rep = await syncsimHere(['report', join(d, 'runs'), '--out', join(d, 'rep'), '--format', 'html']);
    expect(rep.code).toBe(0);
    const r = JSON.parse(readFileSync(join(d, 'rep', 'report.json'), 'utf8')) as { notes: string[]; charts: { name: string }[] };
    expect(r.charts.map((c) => c.name)).toEqual(expect.arrayContaining(['latency-cdf', 'timeline']));
    expect(r.notes).toContain('latency-cdf: the run of b did not write syncs.csv (--results left it out; --results all, report, or a list naming syncs writes it); drawn without it.');
  });
});

describe('sweep --results', () => {
  it('by default each run writes summary.json, syncs.csv, timeline.csv and tasks.csv; --results all every file; the tables and summaries the same', async () => {
    const d = tmp();
    writeFileSync(join(d, 'e.yaml'), `name: e\ntrace: { path: ${DEMO} }\ngrid: { personality: [freebsd, linux] }\nseeds: 1\n`);
    const light = await syncsimHere(['sweep', 'e.yaml', '--out', 'L', '--jobs', '1', '--no-cache'], d);
    expect(light.code).toBe(0);
    expect(light.stdout).toContain('runs wrote summary.json, syncs.csv, timeline.csv, tasks.csv (--results all writes every file)\n');
    const full = await syncsimHere(['sweep', 'e.yaml', '--out', 'F', '--jobs', '1', '--no-cache', '--results', 'all'], d);
    expect(full.code).toBe(0);
    expect(full.stdout).not.toContain('runs wrote');
    // every run failed (its time limit): no run wrote anything, and the closing lines do not say they did (user trial 195)
    const failed = await syncsimHere(['sweep', 'e.yaml', '--out', 'X', '--jobs', '1', '--no-cache', '--run-timeout', '0.001'], d);
    expect([failed.code, failed.stdout]).toEqual([1, expect.stringContaining('2 runs (0 already done, 2 run now), 2 failed')]);
    expect(failed.stdout).not.toContain('runs wrote');
    for (const f of ['results.csv', 'aggregate.csv']) expect(readFileSync(join(d, 'L', f), 'utf8')).toBe(readFileSync(join(d, 'F', f), 'utf8'));
    const ids = readdirSync(join(d, 'L', 'runs')).sort();
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(filesOf(join(d, 'L', 'runs', id))).toEqual(['run.json', 'summary.json', 'syncs.csv', 'tasks.csv', 'timeline.csv']);
      expect(filesOf(join(d, 'F', 'runs', id))).toEqual([...ALL_CSVS, 'run.json', 'summary.json'].sort());
      // the path of each run's trace and the provenance aside, the same summary
      expect(summaryText(join(d, 'L', 'runs', id))).toBe(summaryText(join(d, 'F', 'runs', id)));
    }
    // the report of the light sweep draws the per-run charts it reads
    const rep = await syncsimHere(['report', 'L', '--format', 'html'], d);
    expect(rep.code).toBe(0);
    const charts = (JSON.parse(readFileSync(join(d, 'L', 'report', 'report.json'), 'utf8')) as { charts: { name: string }[] }).charts.map((c) => c.name);
    expect(charts).toEqual(expect.arrayContaining(['latency-cdf', 'timeline', 'latency-vs-pages']));
  });

  it('a bad --results exits 2 with nothing written', async () => {
    const d = tmp();
    writeFileSync(join(d, 'e.yaml'), `name: e\ntrace: { path: ${DEMO} }\nseeds: 1\n`);
    const r = await syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--results', 'summary,syncs'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: --results: 'summary' stands alone, it is not a file to list with others (got 'summary,syncs')\n");
    expect(readdirSync(d)).toEqual(['e.yaml']);
  });
});
