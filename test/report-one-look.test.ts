/**
 * One configuration, one look, in every figure of a report (a new user's
 * sweep of kernel × msync flags × interval, 2026-12-07): `freebsd, ASYNC`
 * was xnu's green circle in the mean latency's chart, where it was joined
 * with xnu's and mach's, a pink cross in the bytes' and a blue cross in the
 * lag's. A series now has its first configuration's colour and shape
 * wherever it is drawn; and a figure whose colours follow the order, not the
 * kernel, says so in the figure.
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { aggSweep, chartNamed, chartsOf, type AggPoint } from './report-fixtures.ts';

const KERNELS = ['freebsd', 'linux', 'xnu', 'mach'];
const FLAGS = ['SYNC', 'ASYNC', 'INVALIDATE'];
const INTERVALS = [1000, 10000, 100000];

/** label → `colour shape` of every series scale of a spec (colour and shape scales on one field). */
function looks(spec: unknown): Map<string, string> {
  const colour = new Map<string, string>(), shape = new Map<string, string>();
  const walk = (x: unknown) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, { scale?: { domain?: unknown[]; range?: unknown[] } }>;
    for (const [ch, out] of [['color', colour], ['shape', shape]] as const) {
      const sc = o[ch]?.scale;
      if (sc?.domain && sc.range) sc.domain.forEach((l, i) => out.set(String(l), String(sc.range![i])));
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(spec);
  return new Map([...colour].map(([l, c]) => [l, `${c} ${shape.get(l) ?? 'circle'}`]));
}

/** The trial's grid: the metrics join different series (ASYNC of freebsd, xnu and mach alike in one, not in another). */
function trial(): string {
  const points: AggPoint[] = [];
  KERNELS.forEach((k, ki) => FLAGS.forEach((f, fi) => INTERVALS.forEach((x) => {
    const asyncAlike = f === 'ASYNC' && k !== 'linux';
    points.push({
      values: [k, f, x],
      stats: {
        'sync.latency_us.mean': [asyncAlike ? x / 20 : (ki + 1) * (fi + 2) * x / 37, 0.1, 3],
        'writeback.bytes': [f === 'ASYNC' || (k === 'mach' && f === 'SYNC') ? 20e6 + x : (ki + 2) * (fi + 3) * 1e6 + x, 1e3, 3],
        'durability.lag_us.p99': [k === 'freebsd' && f !== 'INVALIDATE' ? 2 * x : (ki + 3) * (fi + 1) * x / 5, 10, 3],
        'sync.latency_us.p50': [(ki + 1) * x / 30, 0.1, 3], 'sync.latency_us.p99': [(ki + 1) * x / 20, 0.1, 3], 'sync.latency_us.p999': [(ki + 1) * x / 10, 0.1, 3],
      },
    });
  })));
  return aggSweep(['personality', 'trace.set.sync_flags', 'trace.set.sync_interval_us'], ['sync.latency_us.mean', 'writeback.bytes', 'durability.lag_us.p99', 'sync.latency_us.p50', 'sync.latency_us.p99', 'sync.latency_us.p999'], points);
}

describe('one configuration, one look, in every figure of a report', () => {
  it('a series leading or alone has the same colour and shape in every sweep chart', async () => {
    const charts = (await chartsOf(trial())).filter((c) => c.family === 'sweep-line');
    expect(charts.length).toBe(6);
    const seen = new Map<string, { look: string; chart: string }>();
    let joined = 0;
    for (const c of charts) {
      for (const [label, look] of looks(c.spec(200, 150))) {
        // a joined series is drawn as the configuration it names first
        const first = label.split(' = ')[0]!;
        if (label.includes(' = ')) joined++;
        const before = seen.get(first);
        if (before) expect(look, `${first}: ${c.name} and ${before.chart}`).toBe(before.look);
        else seen.set(first, { look, chart: c.name });
      }
    }
    // the fixture joins series in some charts, and 'freebsd, ASYNC' leads a group somewhere and stands alone elsewhere
    expect(joined).toBeGreaterThan(0);
    expect(seen.get('freebsd, ASYNC')!.look.startsWith('#0072B2')).toBe(true);
  });

  it("a figure coloured by the configurations' order, though of several kernels, says so in the figure", async () => {
    const spec = chartNamed(await chartsOf(trial()), 'latency-percentiles').spec(200, 150) as VlSpec;
    const note = ((spec.title as { text?: string[] } | undefined)?.text ?? []).join(' ');
    expect(note).toContain("colours and shapes follow the order of the configurations, not their kernel (freebsd, linux, xnu and mach have 9 each, more than a kernel's 4 looks)");
  });
});
