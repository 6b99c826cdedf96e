/**
 * A grid value that is an array or a group holding arrays (`device: [{ flush_quantiles: [...] }]`,
 * `device.flush_quantiles: [[...], ...]`) is laid into the configuration of every grid point that
 * has it (scripts/sweep/plan.ts, layGridValue). The resolved configurations of different points
 * must not share it, nor share it with the experiment's own grid values (which the plan's hash
 * and run ids are computed from): a change made later to one run's configuration (a further layer
 * laid over it, a default filled in) must leave every other point's and the experiment as they were.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseExperiment } from '../scripts/sweep/experiment.ts';
import { makePlan } from '../scripts/sweep/plan.ts';

const DEMO = resolve(import.meta.dirname, '..', 'traces', 'examples', 'demo.csv');
const dir = mkdtempSync(join(tmpdir(), 'syncsim-plan-alias-'));

/** Writes an experiment whose first grid line is `grid` (two values), then pager.cluster_pages 8 and 16 (each value in two points), and parses it. */
function experiment(name: string, grid: string) {
  const text = `name: ${name}
trace: { path: ${DEMO} }
base: { device: { profile: sata-ssd, channels: 3 } }
grid:
  ${grid}
  pager.cluster_pages: [8, 16]
seeds: [1, 2]
metrics: [sync.latency_us.mean]
`;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return parseExperiment(text, file);
}

/** The arrays of a grid value (itself, or those a group holds at any depth). */
function arraysOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return [v];
  return typeof v === 'object' && v !== null ? Object.values(v).flatMap(arraysOf) : [];
}

describe('sweep plan: grid values that are arrays or groups are not shared between grid points', () => {
  for (const [name, grid] of [
    ['group', 'device: [{ flush_quantiles: [0.9, 1.1], flush_gap: { gap_us: [1000, 8000], factor: [1, 1.5] } }, { flush_quantiles: [0.8, 1.2] }]'],
    ['array', 'device.flush_quantiles: [[0.9, 1.1], [0.8, 1.2]]'],
  ] as const) {
    it(`${name}: each point's configuration has its own copy; changing one run's leaves the other points and the experiment as they were`, async () => {
      const exp = experiment(name, grid);
      const gridBefore = structuredClone(exp.axes[0]!.values);
      const plan = await makePlan(exp);
      expect(exp.axes[0]!.values).toEqual(gridBefore);
      expect(plan.runs.map((r) => [r.point, r.config.device.flush_quantiles])).toEqual([
        [1, [0.9, 1.1]], [1, [0.9, 1.1]], [2, [0.9, 1.1]], [2, [0.9, 1.1]], [3, [0.8, 1.2]], [3, [0.8, 1.2]], [4, [0.8, 1.2]], [4, [0.8, 1.2]],
      ]);
      const gridArrays = exp.axes[0]!.values.flatMap(arraysOf);
      expect(gridArrays.length).toBeGreaterThanOrEqual(2);
      for (const a of plan.runs) {
        for (const g of gridArrays) {
          expect(a.config.device.flush_quantiles).not.toBe(g);
          expect(a.config.device.flush_gap.gap_us).not.toBe(g);
          expect(a.config.device.flush_gap.factor).not.toBe(g);
        }
        for (const b of plan.runs) {
          if (a.point === b.point) continue;
          expect(a.config.device).not.toBe(b.config.device);
          expect(a.config.device.flush_quantiles).not.toBe(b.config.device.flush_quantiles);
          expect(a.config.device.flush_gap).not.toBe(b.config.device.flush_gap);
        }
      }
      const others = structuredClone(plan.runs.filter((r) => r.point !== 1).map((r) => r.config));
      // a later change to the first point's configuration, in place
      const first = plan.runs[0]!.config;
      (first.device.flush_quantiles as number[]).push(1.3);
      (first.device.flush_gap.gap_us as number[]).push(64000);
      (first.device.flush_gap.factor as number[]).push(2);
      first.device.channels = 7;
      expect(plan.runs.filter((r) => r.point !== 1).map((r) => r.config)).toEqual(others);
      expect(exp.axes[0]!.values).toEqual(gridBefore);
      expect(plan.points.map((p) => p.values[0])).toEqual([gridBefore[0], gridBefore[0], gridBefore[1], gridBefore[1]]);
    });
  }
});
