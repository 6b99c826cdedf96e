/**
 * The unit of a summary.json metric as `syncsim compare` prints it: its raw number, so a
 * fraction that the report's figures draw as a percentage (`device.utilization`) is a fraction
 * here. A count (msyncs, I/Os, calls) or a ratio of two like quantities (`writeback.amplification`)
 * has none.
 */
import { metricLabel } from '../../reports/labels.ts';

/** The unit of `metric`'s value in summary.json (`µs`, `bytes`, `pages`, `per s`, `fraction`), or null when it is a count or a ratio. */
export function metricUnit(metric: string): string | null {
  const last = metric.slice(metric.lastIndexOf('.') + 1);
  // byte counts the figures write in KiB, MiB, ... (their labels name no unit): writeback.bytes, fs.journal_bytes, writeback.by_cause.*
  if (last === 'bytes' || last.endsWith('_bytes') || metric.startsWith('writeback.by_cause.')) return 'bytes';
  const l = metricLabel(metric);
  if (l.scale === undefined) return l.unit ?? null;
  // drawn as a percentage (× 100), stored as a fraction
  return l.unit === '%' && l.scale === 100 ? 'fraction' : null;
}
