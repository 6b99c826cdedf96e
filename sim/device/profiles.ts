/**
 * Named device profiles (`device.profile`): each a table of device keys with
 * the source of every figure. A run's device keys resolve as
 * defaults ← the chosen profile ← the user's keys (config.ts).
 *
 * `queue` is the abstract queueing model of earlier versions (`device.service`,
 * `channels`, `per_page_us`); the four others are the storage model
 * (per-command latency + bytes / shared bandwidth, a volatile write cache,
 * FLUSH and FUA, and for `hdd` seek + rotation): see media.ts.
 */

/** A service-time distribution for the device, in microseconds. */
export type ServiceDist =
  | { dist: 'constant'; mean_us: number }
  | { dist: 'exponential'; mean_us: number }
  | { dist: 'uniform'; min_us: number; max_us: number }
  | { dist: 'lognormal'; mean_us: number; cv: number; floor?: number }
  | { dist: 'empirical'; samples_us?: number[]; file?: string };

/** How a FLUSH's fixed cost grows with the time since the previous FLUSH (`device.flush_gap`; flush-gap.ts reads it): `factor[i]` multiplies the fixed cost of a FLUSH that starts `gap_us[i]` µs after the previous FLUSH completed. */
export interface FlushGap {
  /** Times since the previous FLUSH (µs), ascending. */
  gap_us: number[];
  /** The factor at each time (same length as gap_us). */
  factor: number[];
}

/** No growth: every FLUSH costs its fixed cost (the named profiles). */
export const NO_FLUSH_GAP: FlushGap = { gap_us: [], factor: [] };

/** The device profiles. */
export const DEVICE_PROFILES = ['nvme', 'sata-ssd', 'hdd', 'ram', 'queue'] as const;
/** When a write cache destages (`device.destage`): write-cache.ts. */
export type DestageMode = 'continuous' | 'on_flush';

/** Where `device.flush_cv` applies (`device.flush_cv_scope`): each FLUSH's fixed cost, or the host's speed during each msync (host-speed.ts). */
export type FlushCvScope = 'flush' | 'host';

/** When a command's turn in the submission stage lets it go on: `each` at the end of its own turn; `drained` when the stage has no command left (media.ts). */
export type SubmitCompletion = 'each' | 'drained';

/** A device profile name. */
export type DeviceProfile = (typeof DEVICE_PROFILES)[number];

/** The keys of the storage model (every profile but `queue` gives each). */
export interface MediaKeys {
  /** Commands the device works on at once (internal parallelism; NCQ / NVMe queue slots it serves). */
  channels: number;
  /** Per-command time of a read (µs), before its data transfer. */
  read_latency: ServiceDist;
  /** Per-command time of a write (µs), before its data transfer. */
  write_latency: ServiceDist;
  /** Write data transfer rate (MB/s, 10^6 bytes/s), shared by all channels. */
  bandwidth_mbps: number;
  /** Read data transfer rate (MB/s), shared by all channels. */
  read_bandwidth_mbps: number;
  /**
   * Transfer time of each scatter-gather segment of a read (µs), on top of
   * its bytes at `read_bandwidth_mbps`: one segment per folio of the page
   * cache, so a read of large folios costs less per byte than one of 4 KiB
   * pages (0: the rate alone).
   */
  segment_us: number;
  /**
   * The rate of one read alone (MB/s): a read's data takes at least its
   * bytes at this rate, from the end of its latency, even when the shared
   * pipe (`read_bandwidth_mbps`) is free; on a virtual disk one request
   * moves slower than several together (0: no such bound).
   */
  read_request_mbps: number;
  /** Most scatter-gather segments of one request (the queue's `max_segments`): a page-cache read of more folios is split into requests of at most this many (0: no limit). */
  max_segments: number;
  /**
   * Descriptors of the request queue's ring (ring.ts): a command takes its
   * segments plus two, and waits while the ring lacks them (a virtio disk
   * without indirect descriptors; 0: no ring, as a drive's queue).
   */
  ring_descriptors: number;
  /** A volatile write cache is present and enabled: writes complete once in it. */
  write_cache: boolean;
  /** Capacity of the write cache (MiB). */
  cache_mb: number;
  /** Rate at which the media absorbs writes: the cache's destage rate and the rate of uncached / FUA writes (MB/s). */
  media_mbps: number;
  /** Fixed cost of a FLUSH (cache flush) command on top of draining the cache (µs): its mean when `flush_cv` > 0. */
  flush_us: number;
  /** Fixed cost of a FLUSH that finds the write cache empty (nothing to destage) (µs); a user `flush_us` without it sets both. */
  flush_empty_us: number;
  /** How the fixed cost grows with the time since the previous FLUSH (flush-gap.ts); empty tables: it does not. */
  flush_gap: FlushGap;
  /** Coefficient of variation of the fixed cost: each FLUSH draws it from a lognormal of mean `flush_us` (or `flush_empty_us`) (0: no variation). */
  flush_cv: number;
  /** Share of the FLUSH's fixed cost that never varies (0 ≤ floor < 1): its spread `flush_cv` is carried by the rest, a tight body and a long tail (service.ts, shiftedLognormal). */
  flush_floor: number;
  /**
   * The spread of the FLUSH's fixed cost as measured: a factor's quantiles at
   * (i + ½) / n, ascending (n of them); each FLUSH draws its factor from them
   * (interpolated) instead of from `flush_cv` and `flush_floor`, so that a
   * tight body and rare stalls keep the shape they were measured with. Empty
   * (the default): the lognormal of `flush_cv` and `flush_floor`. Only under
   * `flush_cv_scope: flush`.
   */
  flush_quantiles: readonly number[];
  /** What `flush_cv` varies: `flush`, each FLUSH's fixed cost; `host`, a speed of the host drawn per msync that every CPU and device time follows (host-speed.ts). */
  flush_cv_scope: FlushCvScope;
  /**
   * Coefficient of variation of the host's speed (host-speed.ts): a
   * lognormal factor of mean 1 drawn per msync that every device time
   * starting meanwhile follows (not CPU times), on top of each time's own spread, so
   * that the times of one msync are slow or fast together (0: none; must
   * stay 0 with `flush_cv_scope: host`, where that factor's spread is
   * `flush_cv`).
   */
  host_cv: number;
  /** Share of the host's speed factor that never varies (0 ≤ floor < 1), as `flush_floor` is the FLUSH's. */
  host_floor: number;
  /**
   * Share of the host factor's log-variance that drifts with the clock within an msync instead of
   * being held through it (host-drift.ts; 0: the whole factor is held, as before the key).
   */
  host_drift_share: number;
  /** Correlation time of the drifting share (µs): two device times Δt apart share e^(−Δt/τ) of it. */
  host_drift_us: number;
  /** Slow spells of the host beginning a second, on average (host-spells.ts; 0: none). */
  host_spell_rate_hz: number;
  /** A slow spell's mean length (ms). */
  host_spell_ms: number;
  /** What a slow spell multiplies every device time starting in it by (1: no effect). */
  host_spell_factor: number;
  /**
   * Added to a read's or write's latency (µs) when another task was running
   * on another CPU as it was submitted: under a hypervisor a device's round
   * trip is slower beside a busy vCPU (0: no such cost).
   */
  busy_latency_us: number;
  /** Added to a FLUSH's fixed cost (µs) when another task was running on another CPU as it was submitted (0: none). */
  busy_flush_us: number;
  /** When the write cache destages: `continuous` (a drive) or `on_flush` (a host page cache under a virtual disk). */
  destage: DestageMode;
  /** Per-command media time of each write, destaged or written through (µs), on top of its transfer at `media_mbps`. */
  media_write_us: number;
  /** Serial cost of one submission (a doorbell write, a virtqueue kick) that hands the device the commands dispatched together (µs). */
  submit_us: number;
  /** Serial cost of handing over each read or write command of a submission (µs): the device takes one command at a time. */
  submit_command_us: number;
  /** Whether a command's latency runs from its dispatch, beside the submission stage (it completes when both are done), instead of after its turn in the stage. */
  submit_overlap: boolean;
  /**
   * When the commands of the submission stage go on: `each` at the end of
   * its own turn; `drained` all together once the stage has no command
   * left, as a virtual disk's backend that drains its queue before it
   * raises one interrupt (e.g. Firecracker's virtio-blk `process_queue`),
   * so that another task's commands taken in meanwhile delay them; a FLUSH
   * then takes its turn in the stage too (the backend runs it inline).
   */
  submit_completion: SubmitCompletion;
  /** Spindle speed; 0 = no moving parts (no seek, no rotation). */
  rpm: number;
  /** Seek of one track (ms): the short-seek end of the seek curve. */
  seek_track_ms: number;
  /** Average seek (ms), taken as the seek over one third of the stroke. */
  seek_avg_ms: number;
  /** Full-stroke seek (ms). */
  seek_full_ms: number;
  /** Capacity (GB, 10^9 bytes): the LBA span of a full stroke. */
  capacity_gb: number;
  /** Disk region given to each object (GB): object k starts at k × region_gb (mod capacity_gb). */
  region_gb: number;
}

const constant = (mean_us: number): ServiceDist => ({ dist: 'constant', mean_us });

/** No moving parts: the mechanical keys of a solid-state or RAM device. */
/** No per-request read rate, segment limit or descriptor ring (every named profile: a drive's queue has none, and its rates are its own). */
const NO_RING = { read_request_mbps: 0, max_segments: 0, ring_descriptors: 0 };
/** No slow spells of the host (host-spells.ts). */
const NO_SPELLS = { host_spell_rate_hz: 0, host_spell_ms: 0, host_spell_factor: 1 };
const SOLID = { rpm: 0, seek_track_ms: 0, seek_avg_ms: 0, seek_full_ms: 0, capacity_gb: 1000, region_gb: 16 };

/**
 * The profile tables. Sources:
 *
 * nvme — a current datacenter NVMe SSD with power-loss protection (Intel D7-P5500 class):
 * - bandwidth_mbps 4300, read_bandwidth_mbps 7000: D7-P5500 sequential write / read
 *   (Intel launch figures, PCIe 4.0 x4; ilsoftware.it "Intel presenta ... D7-P5500 e D7-P5600").
 * - read_latency 85 µs, write_latency 20 µs: "read access latency random 85 µs, write access
 *   latency random 20 µs" of the Intel P4500 (Lenovo product guide 4XB7A08539, table 2); the
 *   D7-P5500 brief gives no latency, we take its predecessor's.
 * - channels 85: 1,000,000 random-read IOPS (D7-P5500) × 85 µs (Little's law: commands in flight
 *   to reach the rated IOPS).
 * - write_cache false: PLP drives report no volatile write cache (NVMe Identify VWC bit clear),
 *   so Linux completes a FLUSH at once and strips PREFLUSH/FUA (block/blk-flush.c,
 *   blk_flush_policy: nothing to do without QUEUE_FLAG_WC). flush_us 0 follows.
 * - media_mbps 4300 = bandwidth_mbps (writes land in PLP-protected buffers at the interface rate).
 * - cache_mb 0 (no volatile cache).
 *
 * sata-ssd — Samsung 870 EVO 1 TB (SATA 6 Gb/s, DRAM cache, no power-loss protection):
 * - read_bandwidth_mbps 560, bandwidth_mbps 530: 870 EVO sequential read / write
 *   (Samsung launch specs, tomshardware.com "Samsung announces 870 EVO", 2021).
 * - read_latency 100 µs, write_latency 25 µs: QD1 4 KB random read 10,000 IOPS and write 40,000
 *   IOPS of the 850 EVO 1 TB datasheet (1/IOPS; the 870 EVO's QD1 figures are not published).
 * - channels 10: 98,000 random-read IOPS at QD32 (870 EVO) × 100 µs (Little's law).
 * - write_cache true: no PLP, the drive reports a volatile write cache (ATA IDENTIFY word 85 bit 5).
 * - cache_mb 64: our assumption (the 1 GB LPDDR4 holds mostly the mapping table; the share that
 *   buffers writes is not published).
 * - media_mbps 530: TurboWrite SLC absorbs writes at the interface rate (870 EVO spec above).
 * - flush_us 100: our assumption for the fixed FLUSH CACHE EXT cost (to be calibrated).
 *
 * hdd — 7200 rpm SATA disk (Hitachi Deskstar 7K1000.C class):
 * - seek_avg_ms 8.5: 7K1000.C (2-disk) average read seek (Hitachi spec §4.5.2.1, table 9).
 * - seek_track_ms 1.0, seek_full_ms 20: single-track and full-stroke read seek of the Hitachi
 *   Travelstar 7K320 (7200 rpm) spec §4.4.2.2–3 (the 7K1000.C tables were not at hand).
 * - rpm 7200: one revolution 8.33 ms (IBM Ultrastar DDRS spec fig. 8; Travelstar 7K320 table 8).
 * - media_mbps 150: our assumption for a current 1 TB 7200 rpm platter's sustained rate
 *   (the 2005 Deskstar 7K500 gives 64.8 MB/s zone 0; densities have risen since).
 * - bandwidth_mbps 600 = read_bandwidth_mbps: the SATA 6 Gb/s link after 8b/10b coding.
 * - read_latency = write_latency 100 µs: our assumption for command overhead.
 * - channels 1: one actuator.
 * - write_cache true, cache_mb 32: SATA disks ship with the write cache on; 32 MB buffer of the
 *   Deskstar 7K1000 (absurdwizard.blogspot.com review, 2007).
 * - flush_us 100: our assumption (the drain itself is modelled).
 * - capacity_gb 1000 (7K1000.C 1 TB model); region_gb 16: our choice, each object gets its own
 *   16 GB region (a far-apart file), wrapping after 62 objects.
 *
 * Every profile: segment_us 0 (a drive's transfer time is in its rates; `syncsim calibrate` fits it
 * where a virtual disk's host handles each segment of a command on its own), flush_cv 0 with flush_cv_scope flush (a drive's FLUSH does not vary with a host), flush_gap empty (no growth with the time since the previous FLUSH: a drive's
 * FLUSH is measured back to back), destage continuous (a drive destages its cache on its own) and media_write_us 0
 * (a drive's per-command cost is in write_latency); submit_us and submit_command_us 0, submit_overlap false (a drive's
 * command fetch is in its latencies, and its IOPS limit in `channels`). `syncsim calibrate` fits both on a virtual
 * disk whose cache is the host's page cache (destage on_flush: the FLUSH is an fsync of the
 * backing file, e.g. Firecracker's virtio-blk in Writeback mode, docs/api_requests/block-caching.md).
 *
 * ram — no cost at all (semantic studies): zero latency, unbounded rates, no cache.
 */
export const PROFILE_TABLE: Record<Exclude<DeviceProfile, 'queue'>, MediaKeys> = {
  nvme: {
    channels: 85, read_latency: constant(85), write_latency: constant(20),
    bandwidth_mbps: 4300, read_bandwidth_mbps: 7000, segment_us: 0, ...NO_RING,
    write_cache: false, cache_mb: 0, media_mbps: 4300, flush_us: 0, flush_empty_us: 0, flush_cv: 0, flush_floor: 0, flush_quantiles: [], flush_cv_scope: 'flush', host_cv: 0, host_floor: 0, host_drift_share: 0, host_drift_us: 100, ...NO_SPELLS, busy_latency_us: 0, busy_flush_us: 0, flush_gap: NO_FLUSH_GAP, destage: 'continuous', media_write_us: 0, submit_us: 0, submit_command_us: 0, submit_overlap: false, submit_completion: 'each', ...SOLID,
  },
  'sata-ssd': {
    channels: 10, read_latency: constant(100), write_latency: constant(25),
    bandwidth_mbps: 530, read_bandwidth_mbps: 560, segment_us: 0, ...NO_RING,
    write_cache: true, cache_mb: 64, media_mbps: 530, flush_us: 100, flush_empty_us: 100, flush_cv: 0, flush_floor: 0, flush_quantiles: [], flush_cv_scope: 'flush', host_cv: 0, host_floor: 0, host_drift_share: 0, host_drift_us: 100, ...NO_SPELLS, busy_latency_us: 0, busy_flush_us: 0, flush_gap: NO_FLUSH_GAP, destage: 'continuous', media_write_us: 0, submit_us: 0, submit_command_us: 0, submit_overlap: false, submit_completion: 'each', ...SOLID,
  },
  hdd: {
    channels: 1, read_latency: constant(100), write_latency: constant(100),
    bandwidth_mbps: 600, read_bandwidth_mbps: 600, segment_us: 0, ...NO_RING,
    write_cache: true, cache_mb: 32, media_mbps: 150, flush_us: 100, flush_empty_us: 100, flush_cv: 0, flush_floor: 0, flush_quantiles: [], flush_cv_scope: 'flush', host_cv: 0, host_floor: 0, host_drift_share: 0, host_drift_us: 100, ...NO_SPELLS, busy_latency_us: 0, busy_flush_us: 0, flush_gap: NO_FLUSH_GAP, destage: 'continuous', media_write_us: 0, submit_us: 0, submit_command_us: 0, submit_overlap: false, submit_completion: 'each',
    rpm: 7200, seek_track_ms: 1.0, seek_avg_ms: 8.5, seek_full_ms: 20, capacity_gb: 1000, region_gb: 16,
  },
  ram: {
    channels: 4096, read_latency: constant(0), write_latency: constant(0),
    bandwidth_mbps: 0, read_bandwidth_mbps: 0, segment_us: 0, ...NO_RING,
    write_cache: false, cache_mb: 0, media_mbps: 0, flush_us: 0, flush_empty_us: 0, flush_cv: 0, flush_floor: 0, flush_quantiles: [], flush_cv_scope: 'flush', host_cv: 0, host_floor: 0, host_drift_share: 0, host_drift_us: 100, ...NO_SPELLS, busy_latency_us: 0, busy_flush_us: 0, flush_gap: NO_FLUSH_GAP, destage: 'continuous', media_write_us: 0, submit_us: 0, submit_command_us: 0, submit_overlap: false, submit_completion: 'each', ...SOLID,
  },
};

/** The storage-model keys (device.* keys that apply to every profile but `queue`). */
export const MEDIA_KEYS = Object.keys(PROFILE_TABLE.nvme).filter((k) => k !== 'channels');

/** The keys that apply only to `device.profile: queue`. */
export const QUEUE_KEYS = ['service', 'per_page_us'];

/**
 * The keys of the storage model whose value in `device` (a resolved configuration's) is not
 * its profile's table's, in table order; none under `queue`. What a profile file or the user's
 * keys changed, which the profile's name alone does not say.
 */
export function changedFigures(device: { profile: string } & Record<string, unknown>): string[] {
  const table = (PROFILE_TABLE as Record<string, MediaKeys | undefined>)[device.profile];
  if (!table) return [];
  return (Object.keys(table) as (keyof MediaKeys)[]).filter((k) => sameValue(device[k], table[k]) === false);
}

/** Whether two values of configuration keys are the same, whatever the order of their objects' keys. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
