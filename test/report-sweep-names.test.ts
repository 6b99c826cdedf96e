/**
 * Sweep chart names: README's examples are the names the report writes (a
 * new user took `sweep-latency-us-p99-vs-cluster-pages` beside
 * `sweep-mean-vs-cluster-pages` and README's `sweep-p99-vs-group-commit`
 * for three rules; it is one: the last segment of each dotted name, or as
 * many as tell it from the experiment's other metrics or keys), and
 * report.json gives each sweep chart's metric and key as the experiment
 * names them, so that a script finds a chart whatever else was measured.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepChartName } from '../reports/charts/sweep-line.ts';
import { makeReport } from '../reports/report.ts';
import { THEMES } from '../reports/theme.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
const TRIAL_METRICS = ['sync.latency_us.p99', 'sync.latency_us.mean', 'writeback.bytes', 'durability.lag_us.p99'];

describe("README's sweep chart names", () => {
  it("are those of the new user's experiment: two p99s take two segments each, the others one", () => {
    const keys = ['personality', 'pager.cluster_pages'];
    const names = TRIAL_METRICS.map((m) => sweepChartName(m, 'pager.cluster_pages', TRIAL_METRICS, keys));
    expect(names).toEqual(['sweep-latency-us-p99-vs-cluster-pages', 'sweep-mean-vs-cluster-pages', 'sweep-bytes-vs-cluster-pages', 'sweep-lag-us-p99-vs-cluster-pages']);
    for (const n of names) expect(README).toContain(`\`${n}\``);
  });

  it('and of an experiment of one p99 over a generator parameter', () => {
    expect(sweepChartName('sync.latency_us.p99', 'trace.set.group_commit', ['sync.latency_us.p99'], ['trace.set.group_commit'])).toBe('sweep-p99-vs-group-commit');
    expect(README).toContain('`metrics: [sync.latency_us.p99]` over `trace.set.group_commit` writes `sweep-p99-vs-group-commit`');
  });
});

describe("report.json's sweep charts", () => {
  it('give their metric and key as the experiment names them; other charts have neither', async () => {
    const { syncsimHere } = await import('./cli-here.ts');
    const d = mkdtempSync(join(tmpdir(), 'syncsim-names-'));
    writeFileSync(join(d, 'e.yaml'), `name: s\ntrace: { gen: seq-writer, set: { duration_s: 0.01 } }\ngrid:\n  personality: [freebsd, linux]\n  pager.cluster_pages: [8, 32]\nmetrics: [${TRIAL_METRICS.join(', ')}]\n`);
    expect((await syncsimHere(['sweep', 'e.yaml', '--out', 'sw'], d)).code).toBe(0);
    const out = join(d, 'report');
    await makeReport({ dir: join(d, 'sw'), out, formats: [], theme: THEMES.paper, width: 238 });
    const charts = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { charts: { name: string; metric?: string; key?: string }[] }).charts;
    expect(charts.find((c) => c.name === 'sweep-lag-us-p99-vs-cluster-pages')).toMatchObject({ metric: 'durability.lag_us.p99', key: 'pager.cluster_pages' });
    expect(charts.find((c) => c.name === 'sweep-mean-vs-cluster-pages')).toMatchObject({ metric: 'sync.latency_us.mean', key: 'pager.cluster_pages' });
    const others = charts.filter((c) => !c.name.startsWith('sweep-'));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((c) => c.metric === undefined && c.key === undefined)).toBe(true);
  });
});
