/**
 * Whether two runs replayed one trace, from their summaries: the SHA-256 of the file each read
 * (`provenance.trace_sha256`), and for a run of a `.sst` cache the SHA-256 of the CSV it was made
 * from (`provenance.trace_source_sha256`), so that a run of `t.csv` and one of `syncsim convert
 * t.csv -o t.sst` are known to replay the same rows.
 */
import type { SideRun } from './sides.ts';

/** The SHA-256s that name what a run replayed: its file's, and its cache's source CSV's when it read a cache; empty when its summary records none. */
export function traceIds(r: Pick<SideRun, 'summary'>): string[] {
  const p = r.summary.provenance as { trace_sha256?: unknown; trace_source_sha256?: unknown } | undefined;
  return [p?.trace_sha256, p?.trace_source_sha256].filter((h): h is string => typeof h === 'string');
}

/** Whether runs `a` and `b` replayed the same trace: a SHA-256 in common (a file, or the CSV a cache was made from). */
export function sameTrace(a: Pick<SideRun, 'summary'>, b: Pick<SideRun, 'summary'>): boolean {
  const ib = traceIds(b);
  return traceIds(a).some((h) => ib.includes(h));
}
