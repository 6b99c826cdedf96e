/**
 * Metrics of a sweep: dotted paths into a run's summary.json (`sync.latency_us.p99`,
 * `writeback.bytes`, `sync.errors.EIO`, ...), which paths exist, and reading a metric's value.
 */
import { defaultConfig } from '../../sim/config.ts';
import { Simulator } from '../../sim/simulator.ts';
import { NULL_SINK } from '../../sim/stats/records.ts';
import type { RunResult } from '../../sim/stats/summary.ts';
import { RESULT_CODES } from '../../sim/personality/kern.ts';
import { didYouMean } from '../../sim/closest-name.ts';

/** The metrics a sweep records when its experiment names none. */
export const DEFAULT_METRICS: readonly string[] = [
  'sync.latency_us.mean', 'sync.latency_us.p99', 'writeback.bytes', 'device.utilization', 'throttle.total_us',
];

/** Groups of summary.json whose keys are result codes: a code a run never returned counts 0. */
const CODE_MAPS: readonly string[] = ['sync.errors', 'wire.errors', 'wire.by_op.wire.errors', 'wire.by_op.unwire.errors'];

/** Whether `metric` names a result code of a group of {@link CODE_MAPS} that some personality can return. */
function isCodeMetric(metric: string): boolean {
  const dot = metric.lastIndexOf('.');
  return dot > 0 && CODE_MAPS.includes(metric.slice(0, dot)) && RESULT_CODES.includes(metric.slice(dot + 1));
}

let known: ReadonlySet<string> | undefined;

function leaves(prefix: string, v: unknown, out: Set<string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(prefix ? `${prefix}.${k}` : k, x, out);
  } else if (v === null || typeof v === 'number') out.add(prefix);
}

/** The numeric (or null) fields of a parsed summary.json, dotted (`sync.latency_us.p99`): what a metric of that run may name. */
export function numericFields(summary: unknown): ReadonlySet<string> {
  const out = new Set<string>();
  leaves('', summary, out);
  return out;
}

/** Every numeric field of summary.json a metric may name (besides per-code counts), from an empty replay. */
export function knownMetrics(): ReadonlySet<string> {
  if (known) return known;
  const sim = new Simulator(defaultConfig(), NULL_SINK);
  sim.end();
  sim.run();
  const r: RunResult = sim.result();
  const out = new Set<string>(['trace.rows']);
  leaves('', r, out);
  known = out;
  return out;
}

/**
 * Why `metric`, a key of a group of result codes (`sync.errors.EIOO`), names no code a personality
 * can return, with the list of those that can; undefined for any other metric (sweep and compare).
 */
export function resultCodeProblem(metric: string): string | undefined {
  const dot = metric.lastIndexOf('.');
  if (dot > 0 && CODE_MAPS.includes(metric.slice(0, dot)) && !isCodeMetric(metric)) return `unknown result code '${metric.slice(dot + 1)}' (a run can return ${RESULT_CODES.join(', ')})`;
  return undefined;
}

/** Why `metric` is not a metric, or undefined when it is one. */
export function metricProblem(metric: string): string | undefined {
  if (knownMetrics().has(metric) || isCodeMetric(metric)) return undefined;
  const code = resultCodeProblem(metric);
  if (code) return code;
  return `unknown metric (a numeric field of summary.json such as ${DEFAULT_METRICS.slice(0, 3).join(', ')}, or sync.errors.CODE)${didYouMean(metric, knownMetrics())}`;
}

/** The value of `metric` in a parsed summary.json: a number, or null when the run has none (no msync, no write). */
export function metricValue(summary: unknown, metric: string): number | null {
  let v: unknown = summary;
  for (const part of metric.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[part];
  }
  if (typeof v === 'number') return v;
  if (v === undefined && isCodeMetric(metric)) return 0;
  return null;
}
