/**
 * A new user's `latency-vs-pages` of a {personality × group_commit} sweep
 * (2026-12-07): with more than 2,000 msyncs a run the chart draws density
 * bins, and `linux, 1`, `linux, 4` and `linux, 16` were identical vermillion
 * circles in the legend and the plot. A kernel's configurations are told
 * apart by shape (README "Reports": circle, triangle, cross, right triangle)
 * in the bins as in every other chart; the scatter keeps a hollow shape each.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCATTER_LIMIT } from '../reports/reduce.ts';
import { chartNamed, chartsOf, writeRun, type SyncIn } from './report-fixtures.ts';

type Enc = { scale: { domain: string[]; range: unknown[] }; legend?: unknown };
const LINUX = '#D55E00', FREEBSD = '#0072B2';

/** A directory of runs `kernel-gc` (linux and freebsd × group commits 1, 4, 16) of `n` msyncs each. */
function walRuns(n: number): string {
  const root = join(mkdtempSync(join(tmpdir(), 'syncsim-bins-')), 'runs');
  for (const kernel of ['linux', 'freebsd']) {
    for (const gc of [1, 4, 16]) {
      const syncs: SyncIn[] = Array.from({ length: n }, (_, i) => ({ t: i * 100, lat: 50 + ((i * 7) % 90) + gc * (kernel === 'linux' ? 3 : 1), pages: gc + (i % 4) }));
      writeRun(join(root, `${kernel}-${gc}`), { syncs, config: { personality: kernel } });
    }
  }
  return root;
}

/** Label → [colour, shape] of a chart's color and shape encodings. */
function looks(spec: Record<string, unknown>): Record<string, [string, string]> {
  const enc = spec.encoding as { color: Enc; shape?: Enc };
  return Object.fromEntries(enc.color.scale.domain.map((d, i) => [d, [enc.color.scale.range[i] as string, (enc.shape?.scale.range[enc.shape.scale.domain.indexOf(d)] as string) ?? 'none']]));
}

describe('latency-vs-pages of several configurations of one kernel', () => {
  it("density bins (over 2,000 msyncs a run): each configuration in its kernel's colour and its look's shape, filled, in one legend", async () => {
    const chart = chartNamed(await chartsOf(walRuns(SCATTER_LIMIT + 50)), 'latency-vs-pages');
    const spec = chart.spec(200, 150);
    expect(spec.mark).toMatchObject({ type: 'point', filled: true });
    expect(looks(spec)).toEqual({
      'freebsd-1': [FREEBSD, 'circle'], 'freebsd-4': [FREEBSD, 'triangle-up'], 'freebsd-16': [FREEBSD, 'cross'],
      'linux-1': [LINUX, 'circle'], 'linux-4': [LINUX, 'triangle-up'], 'linux-16': [LINUX, 'cross'],
    });
    const enc = spec.encoding as { color: Enc; shape: Enc };
    expect(enc.shape.legend).toEqual(enc.color.legend);
    expect(chart.caption).toContain('configurations of one colour (one kernel) are told apart by the shape of their bins');
  });

  it('every configuration drawn has a look (colour and shape) of its own, in the bins and in the scatter', async () => {
    for (const n of [SCATTER_LIMIT + 50, 300]) {
      const l = Object.values(looks(chartNamed(await chartsOf(walRuns(n)), 'latency-vs-pages').spec(200, 150)));
      expect(l).toHaveLength(6);
      expect(new Set(l.map((x) => x.join(' '))).size).toBe(6);
    }
  });

  it('bins of configurations of colours of their own stay circles, as before', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'syncsim-bins-')), 'runs');
    for (const gc of [1, 4]) writeRun(join(root, `linux-${gc}`), { syncs: Array.from({ length: SCATTER_LIMIT + 10 }, (_, i) => ({ t: i * 100, lat: 60 + (i % 50) * gc, pages: gc })), config: { personality: 'linux' } });
    const spec = chartNamed(await chartsOf(root), 'latency-vs-pages').spec(200, 150);
    expect(spec.mark).toMatchObject({ type: 'circle' });
    expect((spec.encoding as { shape?: unknown }).shape).toBeUndefined();
  });
});
