/**
 * Re-measuring a calibration step that a slow moment of the machine spoiled.
 *
 * The steps fitted by a line (latency vs size per direction, page-cache
 * writeback time vs size, batch latency vs batch size) each lie on it within
 * a few per cent when the machine is quiet. Under a virtual machine the
 * host now and then slows every I/O for seconds; a step measured then lies
 * far above the robust line of its group (one calibration here measured
 * 166.7 µs for 16 KiB writes between 76.6 µs at 4 KiB and 93.0 µs at 64 KiB,
 * and fitted a write latency of 125.6 µs against 65.7 µs two hours before).
 * Such a step is run again and the faster of its two runs kept: noise only
 * adds time. Pure, but for the `measure` callback.
 */
import { median } from './fit.ts';

/** What a step's figures look like here (calibration.ts StepReport). */
export interface LineStep {
  name: string;
  bytes: number;
  depth: number;
  latency: { mean_us: number } | null;
  sync: { mean_us: number } | null;
  /** A batch step's mean completion latency (µs), which its fit uses. */
  clat_us?: number;
}

/** A group of steps fitted by one line: its name prefix, the x and the y (µs) of a step. */
interface Group {
  prefix: string;
  x: (s: LineStep) => number;
  y: (s: LineStep) => number | null;
}

const GROUPS: readonly Group[] = [
  { prefix: 'lat-read-', x: (s) => s.bytes, y: (s) => s.latency?.mean_us ?? null },
  { prefix: 'lat-write-', x: (s) => s.bytes, y: (s) => s.latency?.mean_us ?? null },
  { prefix: 'wb-', x: (s) => s.bytes, y: (s) => s.sync?.mean_us ?? null },
  { prefix: 'qb-write-', x: (s) => s.depth, y: (s) => s.clat_us ?? s.latency?.mean_us ?? null },
];

/** How far above its group's line a step may lie before it is run again (relative). */
export const RERUN_DEVIATION = 0.15;
/** Re-runs in one calibration, at most; and of one step. */
export const MAX_RERUNS = 4;
export const MAX_RERUNS_PER_STEP = 2;

/** A step above the line of its group. */
export interface SlowStep {
  name: string;
  /** Its figure, and the line's value at its x (µs). */
  measured_us: number;
  line_us: number;
  /** measured / line − 1. */
  deviation: number;
}

/**
 * The Theil–Sen line through `pts`: the median of the slopes between every
 * two points of distinct x, and the median of y − slope · x as intercept.
 * A point or two far off (of five) does not move it, where least squares
 * would follow them.
 */
export function theilSen(pts: readonly { x: number; y: number }[]): { intercept: number; slope: number } {
  const slopes: number[] = [];
  for (let i = 0; i < pts.length; i++) for (let j = i + 1; j < pts.length; j++) if (pts[j].x !== pts[i].x) slopes.push((pts[j].y - pts[i].y) / (pts[j].x - pts[i].x));
  const slope = median(slopes);
  return { slope, intercept: median(pts.map((p) => p.y - slope * p.x)) };
}

/**
 * The step furthest above its group's robust line ({@link theilSen}), when
 * that is more than `threshold` above it; null when none is. A group needs
 * three steps of distinct x with figures; points below the line are left
 * alone (noise only adds time).
 */
export function slowestStep(steps: readonly LineStep[], threshold = RERUN_DEVIATION): SlowStep | null {
  let worst: SlowStep | null = null;
  for (const g of GROUPS) {
    const pts = steps.filter((s) => s.name.startsWith(g.prefix) && g.y(s) !== null).map((s) => ({ name: s.name, x: g.x(s), y: g.y(s) as number }));
    if (new Set(pts.map((p) => p.x)).size < 3) continue;
    const line = theilSen(pts);
    for (const p of pts) {
      const at = line.intercept + line.slope * p.x;
      if (!(at > 0)) continue;
      const deviation = p.y / at - 1;
      if (deviation > threshold && (!worst || deviation > worst.deviation)) worst = { name: p.name, measured_us: p.y, line_us: at, deviation };
    }
  }
  return worst;
}

/** One re-run, as the calibration report keeps it. */
export interface Rerun extends SlowStep {
  /** The figure of the second run (µs), and whether it replaced the first. */
  again_us: number;
  kept: 'first' | 'second';
}

/**
 * Runs the slowest step again (`measure`) while one lies above its line,
 * keeping the faster run, within {@link MAX_RERUNS} and
 * {@link MAX_RERUNS_PER_STEP}; `steps` is updated in place. The re-runs, in order.
 */
export async function rerunSlowSteps<S extends LineStep>(steps: S[], measure: (name: string) => Promise<S>, log: (line: string) => void = () => {}): Promise<Rerun[]> {
  const done: Rerun[] = [];
  const y = (s: LineStep) => GROUPS.find((g) => s.name.startsWith(g.prefix))!.y(s) ?? Infinity;
  while (done.length < MAX_RERUNS) {
    const slow = slowestStep(steps);
    if (!slow || done.filter((r) => r.name === slow.name).length >= MAX_RERUNS_PER_STEP) break;
    log(`calibrate: ${slow.name} again: ${slow.measured_us.toFixed(1)} µs lies ${(slow.deviation * 100).toFixed(0)} % above the line of its group (${slow.line_us.toFixed(1)} µs there) ...`);
    const again = await measure(slow.name);
    const i = steps.findIndex((s) => s.name === slow.name);
    const second = y(again) < y(steps[i]);
    if (second) steps[i] = again;
    done.push({ ...slow, again_us: y(again), kept: second ? 'second' : 'first' });
  }
  return done;
}
