/**
 * The shape of summary.json: the result fields users and scripts depend on.
 */
import type { Config } from '../config-types.ts';
import type { OpName } from '../../traces/types.ts';
import type { LatencySummary } from './latency.ts';
import type { ReplaySummary } from './tasks.ts';
import type { TxnSummary } from './txn.ts';
import type { DurabilitySummary } from './durability.ts';
import type { DeviceStats } from '../device/device.ts';
import type { WireSummary } from './calls.ts';

/** What a run measured (everything in summary.json but the version and the trace path). */
export interface RunResult {
  sim_time_us: number;
  ops: Record<OpName, number>;
  /** Ops (all kinds) and successful msyncs per second of simulated time. */
  throughput: { ops_per_s: number; msyncs_per_s: number };
  /** Closed replay's effect on the tasks (tasks.csv has each task). */
  replay: ReplaySummary;
  /** Transactions (traces with an `x_txn` column): commit latency from first store to the end of the msync that makes it durable. */
  txn: TxnSummary;
  /** Time from each file page version's first store to the moment it is on stable storage (durability.csv has the runs). */
  durability: DurabilitySummary;
  faults: { unmapped_write: number; unmapped_read: number };
  sync: {
    count: number;
    ok: number;
    errors: Record<string, number>;
    latency_us: LatencySummary;
    /**
     * With `run --ci bootstrap`: percentile-bootstrap CIs of the latency statistics over the run's
     * msyncs, resampled in circular blocks of `block` msyncs in completion order (1: one by one).
     */
    latency_ci_us?: { level: number; reps: number; seed: number; block: number } & Record<'mean' | 'p50' | 'p90' | 'p99', [number, number] | null>;
  };
  writeback: {
    ios: number;
    pages: number;
    bytes: number;
    /** Bytes by cause; `journal` and `metadata` only when `fs.kind` is not `none`. */
    by_cause: { msync: number; syncer: number; pageout: number; journal?: number; metadata?: number };
    /** Bytes written back / bytes stored by write ops (null when nothing was written). */
    amplification: number | null;
    /** Bytes stored by write ops to mapped memory. */
    dirtied_bytes: number;
  };
  /** Wire and unwire calls (wires.csv has each). */
  wire: WireSummary;
  device: DeviceStats;
  /** Memory: pages freed by the pageout daemon, pages brought in (first touches included), peak resident pages. */
  memory: { evictions: number; pageins: number; peak_resident_pages: number };
  /** Page-in reads (`pagein: true`): read I/Os, pages and bytes read, total time faulting tasks waited for reads. */
  pagein: { ios: number; pages: number; bytes: number; wait_us: number };
  /** Writer throttling by the `flusher` policy: pauses, their total and longest stall. */
  throttle: { count: number; total_us: number; max_us: number };
  /** The filesystem: journal commits, FLUSH commands it issued, bytes of journal and metadata blocks written. */
  fs: { kind: string; commits: number; flushes: number; journal_bytes: number; metadata_bytes: number };
  /**
   * Random numbers (32-bit words) the model drew: 0 when nothing in the run was random (constant
   * times, no random choice), so that the seed changed nothing and every seed gives these results.
   */
  random_draws: number;
}

/** summary.json. */
export interface Summary extends RunResult {
  syncsim_version: string;
  trace: { path: string; rows: number };
  config: Config;
  /** Where, when and how the run was made (added by the CLI: the model knows no clock or file). */
  provenance?: {
    /** SHA-256 of the trace file as read (compressed bytes for a .gz, the .sst for a cache file). */
    trace_sha256: string;
    /** For a `.sst` cache named as the trace: the SHA-256 of the CSV it was made from (its header's), so that runs of the cache and of that CSV are known to replay one trace. */
    trace_source_sha256?: string;
    /** The command line (`syncsim run ...`), or how a library or sweep call was made. */
    command: string[];
    /** Start time (ISO 8601, UTC). */
    started_at: string;
    /** Wall-clock seconds of the run. */
    wall_s: number;
    host: string;
    node: string;
    syncsim_version: string;
    /** SHA-256 of each plugin file the configuration names (`writeback.policy`, `device.discipline`), when any. */
    plugin_sha256?: Record<string, string>;
  };
}

/** summary.json of a replay (`syncsim run`, the library's `replay`, a sweep's run): its provenance is always there. */
export interface RunSummary extends Summary {
  provenance: NonNullable<Summary['provenance']>;
}

/** Builds summary.json with its keys in the documented order. */
export function makeSummary(version: string, tracePath: string, rows: number, config: Config, r: RunResult): Summary {
  return {
    syncsim_version: version,
    trace: { path: tracePath, rows },
    config,
    sim_time_us: r.sim_time_us,
    ops: r.ops,
    throughput: r.throughput,
    replay: r.replay,
    txn: r.txn,
    durability: r.durability,
    faults: r.faults,
    sync: r.sync,
    writeback: r.writeback,
    wire: r.wire,
    device: r.device,
    memory: r.memory,
    pagein: r.pagein,
    throttle: r.throttle,
    fs: r.fs,
    random_draws: r.random_draws,
  };
}
