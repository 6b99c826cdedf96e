/**
 * Charts a paper can use unedited (issue 17): human axis titles from the
 * labels table and an experiment's `labels:`, error bars or a band by the
 * number of x values with n and the CI level inside the figure, identical
 * configurations merged in the legend, 0 µs configurations drawn at the axis
 * floor, no NaN tick on an all-zero timeline panel, file names with one dot.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseExperiment, readExperiment } from '../scripts/sweep/experiment.ts';
import { PRESETS } from '../workloads/presets/index.ts';
import { gridNames, pluginNames } from '../reports/grid-names.ts';
import { CONFIG_LABELS, fallbackLabel, fileWords, keyTitle, METRIC_LABELS, metricTitle, PARAM_LABELS } from '../reports/labels.ts';
import { loadResults, valueLabel } from '../reports/data.ts';
import { buildCharts, chartContext, makeReport } from '../reports/report.ts';
import { reportHtml } from '../reports/html.ts';
import { vlToSvg } from '../reports/render.ts';
import { THEMES } from '../reports/theme.ts';
import type { Chart, VlSpec } from '../reports/chart.ts';
import { chartsOf, timelineLine, writeRun } from './report-fixtures.ts';

const ROOT = resolve(import.meta.dirname, '..');
const paper = THEMES.paper;
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-labels-'));

const byName = (charts: Chart[], name: string) => {
  const c = charts.find((x) => x.name === name);
  if (!c) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c.spec(200, 150);
};
const layers = (spec: VlSpec) => spec.layer as VlSpec[];
const titleText = (spec: VlSpec) => ((spec.title as { text: string[] } | undefined)?.text ?? []).join(' ');

/**
 * A sweep directory written by hand: grid personality × trace.set.group_commit (`xs`),
 * seeds 1..3, metric sync.latency_us.p99; each run has two msyncs of L/2 and L µs with
 * L = 100·x + 10·seed (+ 1000 for xnu), so linux and mach have identical results.
 */
function writeSweep(xs: number[], kernels: string[], labels?: Record<string, string>, failed: (kernel: string, x: number) => boolean = () => false): string {
  const dir = join(tmp(), 'sweep');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  let results = 'run_id,point,personality,trace.set.group_commit,seed,status,sync.latency_us.p99,error\n';
  let point = 0;
  for (const k of kernels) {
    for (const x of xs) {
      point++;
      for (const seed of [1, 2, 3]) {
        const id = `p${point}s${seed}`;
        if (failed(k, x)) {
          results += `${id},${point},${k},${x},${seed},failed,,boom\n`;
          continue;
        }
        const L = 100 * x + 10 * seed + (k === 'xnu' ? 1000 : 0);
        const s = writeRun(join(dir, 'runs', id), { seed, syncs: [{ t: 1, lat: L / 2, pages: 1 }, { t: 2, lat: L, pages: 2 }], writeback: [{ cause: 'msync', bytes: 4096 }], dirtied: 4096 });
        results += `${id},${point},${k},${x},${seed},ok,${s.sync.latency_us.p99},\n`;
      }
    }
  }
  writeFileSync(join(dir, 'results.csv'), results);
  writeFileSync(join(dir, 'experiment.json'), JSON.stringify({
    syncsim_sweep: 1, name: 'gc', keys: ['personality', 'trace.set.group_commit'], metrics: ['sync.latency_us.p99'], seeds: [1, 2, 3],
    trace: { gen: 'wal-append' }, ...(labels ? { labels } : {}),
  }));
  return dir;
}

describe('the labels table', () => {
  it('has a title for every generator parameter of every preset', () => {
    const params = new Set(PRESETS.flatMap((p) => Object.keys(p.schema)));
    expect(params.size).toBeGreaterThan(10);
    for (const k of params) expect(PARAM_LABELS[k]?.title, k).toBeTruthy();
  });

  it('has a title for every grid key, base key and metric of workloads/experiments', () => {
    const dir = join(ROOT, 'workloads', 'experiments');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const exp = readExperiment(join(dir, f));
      for (const key of [...exp.axes.map((a) => a.key), ...exp.base.map((b) => b.key)]) {
        const known = key.startsWith('trace.set.') ? PARAM_LABELS[key.slice(10)] : CONFIG_LABELS[key];
        expect(known, `${f}: ${key}`).toBeDefined();
      }
      for (const m of exp.metrics) expect(METRIC_LABELS[m] !== undefined || /^sync\.errors\.[A-Z]+$/.test(m), `${f}: ${m}`).toBe(true);
      for (const set of Object.keys(exp.trace.kind === 'gen' ? exp.trace.set : {})) expect(PARAM_LABELS[set], set).toBeDefined();
    }
  });

  it('titles a key with its unit, and an override replaces it', () => {
    expect(keyTitle('trace.set.group_commit')).toBe('group commit (transactions)');
    expect(keyTitle('pager.cluster_pages')).toBe('write cluster (pages)');
    expect(keyTitle('trace.set.group_commit', { 'trace.set.group_commit': 'commit group size' })).toBe('commit group size');
    expect(metricTitle('sync.latency_us.p99')).toBe('msync latency p99 (µs)');
    expect(metricTitle('sync.errors.EBUSY')).toBe('msyncs failing with EBUSY');
    expect(metricTitle('sync.latency_us.p99', { 'sync.latency_us.p99': 'commit p99 (µs)' })).toBe('commit p99 (µs)');
  });

  it('falls back to a readable last segment, never the dotted key', () => {
    expect(keyTitle('device.seek_avg_ms')).toBe('seek avg (ms)');
    expect(keyTitle('fs.journal_blocks')).toBe('journal blocks');
    expect(keyTitle('trace.set.new_param_us')).toBe('new param (µs)');
    expect(fallbackLabel('a.b.c_d')).toEqual({ title: 'c d' });
  });

  it('makes file words without dots, unique among their siblings', () => {
    expect(fileWords(['sync.latency_us.p99', 'writeback.bytes'])).toEqual(['p99', 'bytes']);
    expect(fileWords(['trace.set.group_commit', 'personality'])).toEqual(['group-commit', 'personality']);
    expect(fileWords(['writeback.bytes', 'pagein.bytes'])).toEqual(['writeback-bytes', 'pagein-bytes']);
  });
});

describe("an experiment's labels:", () => {
  const yaml = (labels: string) => `name: x\ntrace: { gen: wal-append }\ngrid:\n  trace.set.group_commit: [1, 8]\nmetrics: [sync.latency_us.p99]\n${labels}`;

  it('parses key → title', () => {
    const e = parseExperiment(yaml('labels: { trace.set.group_commit: "commit group size" }\n'), 'e.yaml');
    expect(e.labels).toEqual({ 'trace.set.group_commit': 'commit group size' });
    expect(parseExperiment(yaml(''), 'e.yaml').labels).toEqual({});
  });

  it('rejects a title that is not text, naming the key and line', () => {
    expect(() => parseExperiment(yaml('labels:\n  trace.set.group_commit: [1]\n'), 'e.yaml')).toThrow(/^e\.yaml:7: label of 'trace\.set\.group_commit' must be a non-empty text/);
    expect(() => parseExperiment(yaml('labels: [a]\n'), 'e.yaml')).toThrow(/^e\.yaml:6: 'labels' must be a mapping/);
  });

  it('rejects a label for a key the experiment does not have, ending with the closest grid key or metric', () => {
    expect(() => parseExperiment(yaml('labels:\n  trace.set.group_comit: "x"\n'), 'e.yaml'))
      .toThrow("e.yaml:7: label of 'trace.set.group_comit': not a grid key or metric of this experiment (grid keys: trace.set.group_commit; metrics: sync.latency_us.p99); did you mean trace.set.group_commit?");
    expect(() => parseExperiment(yaml('labels:\n  sync.latency_us.p90: "x"\n'), 'e.yaml')).toThrow(/\(grid keys: trace\.set\.group_commit; metrics: sync\.latency_us\.p99\); did you mean sync\.latency_us\.p99\?$/);
    // nothing close: the message as it was
    expect(() => parseExperiment(yaml('labels:\n  device.channels: "x"\n'), 'e.yaml')).toThrow(/^e\.yaml:7: label of 'device\.channels': not a grid key or metric of this experiment \(grid keys: trace\.set\.group_commit; metrics: sync\.latency_us\.p99\)$/);
  });
});

describe('sweep charts', () => {
  it('title the axes from the table or the override, name files with one dot', async () => {
    const plain = await chartsOf(writeSweep([1, 4, 16], ['linux', 'xnu']));
    const spec = byName(plain, 'sweep-p99-vs-group-commit');
    expect((spec.encoding as { x: { title: string } }).x.title).toBe('group commit (transactions, log scale)');
    const over = await chartsOf(writeSweep([1, 4, 16], ['linux', 'xnu'], { 'trace.set.group_commit': 'commit group size', 'sync.latency_us.p99': 'commit p99 (µs)' }));
    const o = byName(over, 'sweep-p99-vs-group-commit');
    expect((o.encoding as { x: { title: string } }).x.title).toBe('commit group size (log scale)');
    // its means span 24× (over 20): a log y axis, whose title keeps the override and says so
    expect(JSON.stringify(o)).toContain('"title":"commit p99 (µs, log scale)"');
    for (const c of [...plain, ...over]) expect(c.name, c.name).not.toContain('.');
    // the old dotted name still selects the chart
    const ctx = chartContext(await loadResults(writeSweep([1, 4, 16], ['linux', 'xnu'])), paper, 238);
    expect((await buildCharts(ctx, ['sweep-sync.latency_us.p99-vs-trace.set.group_commit'])).map((c) => c.name)).toEqual(['sweep-p99-vs-group-commit']);
  });

  it('draw error bars for up to 6 x values and a band above, stating n and the CI level', async () => {
    const few = byName(await chartsOf(writeSweep([1, 2, 3, 4, 5, 6], ['linux', 'xnu'])), 'sweep-p99-vs-group-commit');
    // one rule per series (linux, xnu), side by side, then each series' line shifted as its rule is (a bar stands on its point)
    expect(layers(few).map((l) => (l.mark as { type: string }).type)).toEqual(['rule', 'rule', 'line', 'line']);
    const offsets = layers(few).map((l) => (l.mark as { xOffset: number }).xOffset);
    expect(offsets[0]).toBeLessThan(0);
    expect([offsets[2], offsets[3]]).toEqual([offsets[0], offsets[1]]);
    expect(layers(few).slice(2).map((l) => (l.mark as { point: { xOffset: number } }).point.xOffset)).toEqual([offsets[0], offsets[1]]);
    expect(titleText(few)).toContain('n = 3 seeds per point');
    expect(titleText(few)).toContain('95 % CI');
    const many = byName(await chartsOf(writeSweep([1, 2, 3, 4, 5, 6, 7], ['linux', 'xnu'])), 'sweep-p99-vs-group-commit');
    expect(layers(many).map((l) => (l.mark as { type: string }).type)).toEqual(['area', 'line', 'line']);
    expect(titleText(many)).toMatch(/n = 3 seeds per point; band: 95 % CI/);
  });

  it('leave out x values and series whose runs all failed, keeping the key of the series left', async () => {
    const dir = writeSweep([1, 4, 16], ['linux', 'xnu'], undefined, (k, x) => k === 'xnu' || x === 16);
    const line = byName(await chartsOf(dir), 'sweep-p99-vs-group-commit');
    const enc = line.encoding as { x: { axis: { values: number[] } }; color: { scale: { domain: string[] }; legend: unknown } };
    expect(enc.x.axis.values).toEqual([1, 4]);
    expect(enc.color.scale.domain).toEqual(['linux']);
    expect(enc.color.legend).not.toBeNull();
  });

  it('draw identical configurations once, named together in the legend', async () => {
    const charts = await chartsOf(writeSweep([1, 4], ['linux', 'mach', 'xnu']));
    const line = byName(charts, 'sweep-p99-vs-group-commit');
    const scale = (line.encoding as { color: { scale: { domain: string[] } } }).color.scale;
    expect(scale.domain).toEqual(['linux = mach', 'xnu']);
    expect(new Set((line.data as { values: { series: string }[] }).values.map((r) => r.series))).toEqual(new Set(['linux = mach', 'xnu']));
    // one line of two configurations joined still has its key: it says which they are
    const joined = byName(await chartsOf(writeSweep([1, 4], ['linux', 'mach'])), 'sweep-p99-vs-group-commit');
    expect((joined.encoding as { color: { scale: { domain: string[] }; legend: unknown } }).color.scale.domain).toEqual(['linux = mach']);
    expect((joined.encoding as { color: { legend: unknown } }).color.legend).not.toBeNull();
    const pct = byName(charts, 'latency-percentiles');
    expect(JSON.stringify(pct)).toContain('"domain":["linux, 1 = mach, 1","linux, 4 = mach, 4","xnu, 1","xnu, 4"]');
  });
});

describe('run charts', () => {
  it('draw a configuration whose msyncs took 0 µs at the axis floor, with a note', async () => {
    const base = tmp();
    writeRun(join(base, 'instant'), { syncs: [{ t: 1, lat: 0, pages: 0 }, { t: 2, lat: 0, pages: 0 }] });
    writeRun(join(base, 'slow'), { syncs: [{ t: 1, lat: 100, pages: 1 }, { t: 2, lat: 300, pages: 3 }] });
    const charts = await chartsOf(base);
    const pct = byName(charts, 'latency-percentiles');
    const dots = (pct.data as { values: { config: string; latency_us: number; clamped: number }[] }).values;
    const y = (layers(pct).find((l) => (l.mark as { type: string }).type === 'point')!.encoding as { y: { scale: { domain: number[] } } }).y;
    // slow's p50 is 200, its lowest value: logDomain(200 × 0.7 = 140, 300) starts at 100
    expect(y.scale.domain[0]).toBe(100);
    expect(dots.filter((d) => d.config === 'instant').map((d) => [d.latency_us, d.clamped])).toEqual([[100, 1], [100, 1], [100, 1]]);
    expect(titleText(pct)).toContain('0 µs, drawn at the axis floor');
    const cdf = byName(charts, 'latency-cdf');
    const curve = (layers(cdf)[0].data as { values: { config: string; latency_us: number; fraction: number }[] }).values;
    expect(curve.filter((p) => p.config === 'instant').map((p) => p.fraction)).toEqual([1, 1]);
    expect(JSON.stringify(cdf)).toContain('"domain":["instant","slow"]');
    // the scatter: slow's 100 and 300 µs; instant's two 0-page msyncs at the floor, 0.1 decade below 100 (the span, 0.48 decade, is short)
    const scatter = byName(charts, 'latency-vs-pages');
    const pts = (scatter.data as { values: { config: string; pages: number; latency_us: number }[] }).values;
    expect(pts.map((p) => [p.config, p.pages, p.latency_us])).toEqual([['slow', 1, 100], ['slow', 3, 300], ['instant', 0, 100 / 10 ** 0.1]]);
    expect(titleText(scatter)).toContain('2 msyncs of 0 µs drawn at the axis floor');
  });

  it('leave out the wired-pages panel when nothing is wired (no empty panel, no NaN tick)', async () => {
    const dir = join(tmp(), 'r');
    writeRun(dir, { syncs: [{ t: 1, lat: 10, pages: 1 }], timeline: [[0, 0, 0, 0], [3, 1, 0, 1], [2, 0, 0, 2]] });
    const chart = (await chartsOf(dir)).find((c) => c.name === 'timeline')!;
    const spec = chart.spec(200, 40);
    const fields = (spec.concat as VlSpec[]).map((p) => timelineLine<{ y: { field: string } }>(p).y.field);
    expect(fields).toEqual(['dirty_pages_mean', 'writeback_pages_mean', 'queue_depth_mean']);
    expect(chart.caption).toContain('wired pages was 0 at every sample and is not drawn');
    expect((await vlToSvg(spec)).svg).not.toContain('NaN');
  });
});

describe('report files', () => {
  it('have one dot before the extension of every SVG, PNG and PDF, and the index names them whole', async () => {
    const dir = writeSweep([1, 4], ['linux', 'xnu']);
    const out = join(tmp(), 'rep');
    const o = await makeReport({ dir, out, formats: ['svg', 'png', 'pdf'], theme: paper, width: 238 });
    const files = readdirSync(out).filter((f) => /\.(svg|png|pdf)$/.test(f));
    expect(files).toContain('sweep-p99-vs-group-commit.pdf');
    for (const f of files) expect(f.split('.').length, f).toBe(2);
    const html = reportHtml({
      title: 't', meta: [], tables: [], notes: [], theme: paper,
      figures: o.charts.map((c) => ({ name: c.name, title: c.title, caption: c.caption, spec: {}, files: c.files, width: c.width })),
    });
    expect(html).toContain('<a href="sweep-p99-vs-group-commit.vl.json">vl.json</a>');
  });
});

describe('a grid value that is a whole group (its cell is JSON) in a legend', () => {
  it('shows its text values bare and its other values as name=value, not the JSON', () => {
    expect(valueLabel('{"policy":"flusher"}')).toBe('flusher');
    // the cell's keys are sorted (params before policy): the text value still comes first
    expect(valueLabel('{"params":{"age_ms":100},"policy":"./old.ts"}')).toBe('./old.ts, age_ms=100');
    expect(valueLabel('{"params":{"idle_pages":64,"lazy":true},"policy":"./p.ts"}')).toBe('./p.ts, idle_pages=64, lazy=true');
    // anything else stays as it is
    expect(valueLabel('linux')).toBe('linux');
    expect(valueLabel('32')).toBe('32');
    expect(valueLabel('{not json')).toBe('{not json');
    expect(valueLabel('{}')).toBe('{}');
  });

  it('names the lines of a sweep chart by their values too, not the JSON', async () => {
    // the cells as results.csv quotes them: {"policy":"flusher"}
    const dir = writeSweep([1, 4], ['"{""policy"":""flusher""}"', '"{""policy"":""syncer""}"']);
    const line = (await chartsOf(dir)).find((c) => c.name === 'sweep-p99-vs-group-commit')!;
    const series = new Set(((line.spec(200, 120).data as { values: { series: string }[] }).values).map((r) => r.series));
    // (their results are the same here, so they share one line named for both)
    expect([...series]).toEqual(['flusher = syncer']);
  });
});

describe('a plugin file on the grid, in a legend', () => {
  it('is named by its file name, not its path from the experiment file (helper 197, stop 87)', () => {
    const names = pluginNames(['flusher', '../plugins/adaptive-flusher.ts', './deadline.mjs']);
    expect(names.get('../plugins/adaptive-flusher.ts')).toBe('adaptive-flusher.ts');
    expect(names.get('./deadline.mjs')).toBe('deadline.mjs');
    expect(names.has('flusher')).toBe(false);
    const g = gridNames(['writeback.policy', 'device.discipline'], [['flusher', 'fifo'], ['../plugins/adaptive-flusher.ts', '../plugins/deadline.ts']]);
    expect(g.name(['../plugins/adaptive-flusher.ts', '../plugins/deadline.ts'])).toBe('adaptive-flusher.ts, deadline.ts');
    expect(g.name(['flusher', 'fifo'])).toBe('flusher, fifo');
    // --configs still takes the values as written
    expect(g.asWritten(['../plugins/adaptive-flusher.ts', '../plugins/deadline.ts'])).toBe('../plugins/adaptive-flusher.ts, ../plugins/deadline.ts');
  });

  it('keeps the path where two files share a name, or a file name is another value of the key', () => {
    const names = pluginNames(['a/policy.ts', 'b/policy.ts', 'c/other.ts', 'other.ts']);
    expect(names.has('a/policy.ts')).toBe(false);
    expect(names.has('b/policy.ts')).toBe(false);
    expect(names.has('c/other.ts')).toBe(false);
    expect(pluginNames(['a/policy.ts', 'b/mine.ts']).get('a/policy.ts')).toBe('policy.ts');
  });
});
