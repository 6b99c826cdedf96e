/**
 * The msyncs that did not succeed, counted per grid point of a sweep or per side of a comparison:
 * where one configuration rejects calls another accepts (Linux and XNU return EINVAL for an msync
 * address that is not page-aligned, which FreeBSD and Mach round down), their latency figures
 * cover different calls, and a rejected msync writes nothing back, so the two measure different
 * work. `sweep`, `merge` and `compare` say so.
 */

/** The msyncs of a set of runs (a grid point's successful runs, a comparison's side), summed from their summary.json `sync`. */
export interface SyncCounts {
  /** What the set is called in a message: `personality=linux`, or `A`. */
  label: string;
  /** The runs counted. */
  runs: number;
  count: number;
  ok: number;
  /** Result code → calls, for the calls that did not return OK. */
  errors: Record<string, number>;
}

/** No msync counted yet, for {@link addSyncs}. */
export const noSyncs = (label: string): SyncCounts => ({ label, runs: 0, count: 0, ok: 0, errors: {} });

/** Adds one run's summary.json `sync` counts to `into`. */
export function addSyncs(into: SyncCounts, summary: unknown): void {
  const sync = (summary as { sync?: { count?: number; ok?: number; errors?: Record<string, number> } }).sync;
  into.runs++;
  into.count += sync?.count ?? 0;
  into.ok += sync?.ok ?? 0;
  for (const [code, n] of Object.entries(sync?.errors ?? {})) into.errors[code] = (into.errors[code] ?? 0) + n;
}

/**
 * How much smaller one set's share of msyncs that returned OK may be than another's before it is
 * said: 0.9, a tenth fewer (the few calls a trace makes to fail on purpose, as the demo's EBUSY
 * and ENOMEM, differ by far less).
 */
export const OK_SHARE_RATIO = 0.9;

/** The share of `s`'s msyncs that returned OK (1 without msyncs). */
const okShare = (s: SyncCounts) => (s.count > 0 ? s.ok / s.count : 1);

/** `n` as a share of `of`, in % with one decimal. */
const pct = (n: number, of: number) => `${of > 0 ? ((100 * n) / of).toFixed(1) : '0.0'} %`;

/** A set's msyncs in words: `220 of 3230 OK in 5 runs (6.8 %; EINVAL 3000, EBUSY 5)`. */
export function syncsText(s: SyncCounts): string {
  const codes = Object.entries(s.errors).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return `${s.ok} of ${s.count} OK in ${s.runs} run${s.runs === 1 ? '' : 's'} (${pct(s.ok, s.count)}${codes.length ? `; ${codes.map(([c, n]) => `${c} ${n}`).join(', ')}` : ''})`;
}

/**
 * Among sets with msyncs, the one with the largest share of OK msyncs, and those whose share is
 * under {@link OK_SHARE_RATIO} of it (lowest first); undefined when there are none such.
 */
export function okShareGap(sets: readonly SyncCounts[]): { best: SyncCounts; low: SyncCounts[] } | undefined {
  const withSyncs = sets.filter((s) => s.count > 0);
  if (withSyncs.length < 2) return undefined;
  const best = withSyncs.reduce((a, b) => (okShare(b) > okShare(a) ? b : a));
  const low = withSyncs.filter((s) => okShare(s) < OK_SHARE_RATIO * okShare(best)).sort((a, b) => okShare(a) - okShare(b));
  return low.length ? { best, low } : undefined;
}

/** What a gap of {@link okShareGap} means for the figures, and where to look: the end of the warning or note. */
export const FAILED_SYNCS_MEANING =
  "a failed msync takes no time in the latency metrics and writes nothing back, so these measure different calls (see a run's syncs.csv, column result; Linux and XNU return EINVAL for an msync address that is not page-aligned, which FreeBSD and Mach round down)";
