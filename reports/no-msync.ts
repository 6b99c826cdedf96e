/**
 * Why a latency chart has nothing to draw: no msync of the runs succeeded
 * after the warm-up. A run of a wired buffer pool whose 40 msyncs all
 * returned EBUSY drew only its timeline, with no word of the latency CDF,
 * percentiles and scatter left out; `--chart latency-cdf` said the chart
 * "does not apply". This says what happened: `no successful msync (40
 * msyncs, all returned EBUSY)`, in the report's notes and for `--chart`.
 */
import { count } from './chart.ts';
import type { Configuration, RunRef } from './data.ts';

/** What the msyncs of `runs` (of one configuration) did, in words: `40 msyncs, all returned EBUSY`; `40 msyncs: 30 returned EBUSY, 10 ENOMEM`. */
export function msyncOutcome(runs: readonly RunRef[]): string {
  let calls = 0, ok = 0;
  const errors = new Map<string, number>();
  for (const r of runs) {
    calls += r.summary.sync.count;
    ok += r.summary.sync.ok;
    for (const [code, n] of Object.entries(r.summary.sync.errors ?? {})) errors.set(code, (errors.get(code) ?? 0) + n);
  }
  const over = runs.length > 1 ? ` over ${count(runs.length)} runs` : '';
  if (calls === 0) return `the trace${runs.length > 1 ? 's have' : ' has'} no msync`;
  const failed = [...errors].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  if (ok === 0 && failed.length === 1 && failed[0]![1] === calls) return `${count(calls)} msync${calls === 1 ? '' : 's'}${over}, ${calls === 1 ? 'which' : 'all'} returned ${failed[0]![0]}`;
  const warmup = Math.max(...runs.map((r) => r.summary.config.stats.warmup_us));
  // successful msyncs, every one issued before the warm-up ended: left out of the latency statistics
  if (ok > 0) return `${count(ok)} successful msync${ok === 1 ? '' : 's'}${over}, all issued before the warm-up's end (stats.warmup_us ${count(warmup)})`;
  return `${count(calls)} msyncs${over}: ${failed.map(([code, n], i) => `${count(n)} ${i === 0 ? 'returned ' : ''}${code}`).join(', ')}`;
}

/**
 * The report's note on latency chart `chart` left out because no configuration of `configs` (each with its
 * runs drawn) had a successful msync after the warm-up: `latency-cdf: no successful msync (40 msyncs, all
 * returned EBUSY); not drawn.`; with several configurations, each's: `(freebsd: ...; linux: ...)`.
 */
export function noMsyncNote(chart: string, configs: readonly { config: Configuration; runs: readonly RunRef[] }[]): string {
  const why = configs.length === 1
    ? msyncOutcome(configs[0]!.runs)
    : configs.map(({ config, runs }) => `${config.label}: ${msyncOutcome(runs)}`).join('; ');
  return `${chart}: no successful msync${configs.length > 1 ? ' in any configuration' : ''} (${why}); not drawn.`;
}
