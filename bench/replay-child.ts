/**
 * Child process of the replay benchmark: replays one trace through the real
 * replay path (`runTrace`, no result files) and prints one JSON line with its
 * timing and the peak RSS of this process.
 *
 * Usage: node --import tsx bench/replay-child.ts TRACE [CONFIG_JSON]
 */
import { resolveConfig } from '../sim/config.ts';
import { runTrace } from '../scripts/run.ts';

/** What the child reports on stdout. */
export interface ReplayChildReport {
  trace: string;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  /** Peak resident set size of the child, MiB. */
  maxRssMiB: number;
  /** RSS just before the replay started (runtime and modules loaded), MiB. */
  rssBeforeMiB: number;
  replay: string;
  simTimeUs: number;
  syncs: number;
  syncLatencyMeanUs: number | null;
  writebackIos: number;
  deviceUtilization: number;
}

const [trace, configJson] = process.argv.slice(2);
if (!trace) {
  process.stderr.write('usage: replay-child.ts TRACE [CONFIG_JSON]\n');
  process.exit(2);
}
const config = resolveConfig(configJson ? (JSON.parse(configJson) as Record<string, unknown>) : {});
const rssBefore = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
const s = await runTrace({ trace, config, out: undefined });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const report: ReplayChildReport = {
  trace,
  rows: s.trace.rows,
  seconds,
  rowsPerSec: s.trace.rows / seconds,
  maxRssMiB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20, // maxRSS is in KiB
  rssBeforeMiB: rssBefore / 2 ** 20,
  replay: config.replay,
  simTimeUs: s.sim_time_us,
  syncs: s.sync.count,
  syncLatencyMeanUs: s.sync.latency_us.mean,
  writebackIos: s.writeback.ios,
  deviceUtilization: s.device.utilization,
};
process.stdout.write(JSON.stringify(report) + '\n');
