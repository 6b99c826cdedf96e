/**
 * The types of a run configuration (what every part of the model reads) and
 * the per-personality filesystem table. A leaf: it imports only the device
 * key types (device/profiles.ts, itself a leaf), so that any module may use it
 * without reaching the schema, the defaults or the personality registry
 * (config.ts, which sits above them).
 */
import type { DeviceProfile, MediaKeys, ServiceDist } from './device/profiles.ts';

/** Kernel personalities; only those in IMPLEMENTED_PERSONALITIES (config.ts) run today. */
export type Personality = 'freebsd' | 'xnu' | 'linux' | 'mach';

/** A fully resolved run configuration (every key present). */
export interface Config {
  personality: Personality;
  page_size: number;
  replay: 'closed' | 'open';
  seed: number;
  /**
   * The device: `profile` picks the model and its parameter table (device/profiles.ts).
   * `service` and `per_page_us` apply to `profile: queue` only; the {@link MediaKeys} to the others.
   */
  device: MediaKeys & {
    profile: DeviceProfile;
    /** A built-in discipline, or a plugin file (sim/plugin/config-keys.ts). */
    discipline: 'fifo' | 'sync_first' | (string & {});
    /** The plugin's parameters (only with a plugin file). */
    discipline_params?: Record<string, unknown>;
    service: ServiceDist;
    per_page_us: number;
    /** Probability that one I/O fails (EIO); 0 by default. */
    error_rate: number;
  };
  pager: { cluster_pages: number; ipc_us: number };
  cpu: {
    /** CPU time of each msync, wire, unwire, map and unmap call. */
    syscall_us: number;
    /** CPU time per page faulted in by a store or read. */
    fault_page_us: number;
    /** CPU time per dirty page an msync (or the Mach memory_object_sync) writes. */
    clean_page_us: number;
    /**
     * Linux: CPU time per dirty page an msync writes while another task of the
     * trace runs (not asleep in the kernel) on another CPU; a user clean_page_us
     * without it sets both.
     */
    clean_page_busy_us: number;
    /** Linux: CPU time per dirty page of a PMD-sized folio (read ahead at order 9) an msync writes; other pages cost clean_page_us. */
    clean_pmd_page_us: number;
    /**
     * CPU time per write I/O an msync issues (a run of contiguous dirty
     * pages: the bio, the request, the device's descriptor), on top of its
     * pages' clean_page_us (linux, freebsd, xnu); 0 by default.
     */
    clean_io_us: number;
    /**
     * Linux: CPU time of each data-integrity writeback an msync(MS_SYNC)
     * starts over a file range with dirty pages (its set-up, the sleep and
     * the wake-up), on top of the per-page and per-write costs; 0 by default.
     */
    writeback_call_us: number;
    /** CPU time per page wired (faulted in and locked) by wire / mlock. */
    wire_page_us: number;
    /** When given: sets fault_page_us, clean_page_us, clean_page_busy_us, clean_pmd_page_us and wire_page_us (no default). */
    per_page_us?: number;
    /**
     * The spread of an msync call's CPU time: one factor of mean 1, drawn
     * from a lognormal of this cv when the call begins, multiplies every CPU
     * time of that call (the system call, its page work, its writeback's);
     * 0 (the default): no spread, nothing drawn.
     */
    cv: number;
    /** Share of that factor that never varies (0 ≤ floor < 1, default 0), as `device.flush_floor` is the FLUSH's. */
    floor: number;
  };
  writeback: {
    /** A built-in policy, or a plugin file (sim/plugin/config-keys.ts). */
    policy: 'none' | 'syncer' | 'flusher' | (string & {});
    /** The plugin's parameters (only with a plugin file). */
    params?: Record<string, unknown>;
    /** Wake-up period; default 1000 for syncer, 5000 for flusher. */
    interval_ms: number;
    /** syncer: write objects dirty for longer than this. */
    delay_ms: number;
    /** flusher: write objects dirtied longer ago than this. */
    expire_ms: number;
    /** flusher: background writeback above this % of memory.pages dirty. */
    background_ratio: number;
    /** flusher: writers are throttled approaching this % of memory.pages dirty. */
    dirty_ratio: number;
    /** flusher: longest single throttle pause. */
    max_pause_ms: number;
  };
  memory: {
    pages: number;
    /** FreeBSD vm.max_user_wired (0 = no limit). */
    max_user_wired_pages: number;
    /** Linux RLIMIT_MEMLOCK in bytes. */
    memlock_limit_bytes: number;
  };
  stats: { sample_us: number; warmup_us: number };
  /** Faults on non-resident file pages read them from the device (default true). */
  pagein: boolean;
  /**
   * Fault read-ahead: `pages` is the read window / cluster in pages (default per personality; 0 or 1: the
   * faulting page only); `request_pages` the largest read request it goes to the device in (0: one request);
   * `max_folio_order` the largest folio order Linux read-ahead reads into (default 9; 0: order-0 pages only).
   */
  readahead: { pages: number; request_pages: number; max_folio_order: number };
  /** The filesystem under the mapped files (sim/fs). */
  fs: {
    /** Default per personality ({@link FS_DEFAULT_KIND}); `none` under `device.profile: queue`. */
    kind: FsKind;
    /** jbd2 j_commit_interval: a running transaction is committed this long after it started. */
    commit_interval_ms: number;
    /** UFS soft updates: the inode update of an fsync is deferred to the syncer. */
    soft_updates: boolean;
    /** Linux stable pages: a store to a page under writeback waits for the write. */
    stable_pages: boolean;
    /** The files' blocks exist (laid out); false: the first writeback of a page allocates its block. */
    preallocated: boolean;
    /**
     * The files' extents are in a tree block outside the inode (ext4: a file of more than four
     * extents on disk, `filefrag FILE`): every writeback that allocates also dirties that block.
     * Files whose allocated pages form four or more separate runs have one whatever this says.
     */
    extent_leaf: boolean;
    /**
     * Granularity of file timestamps (µs): a store to a clean page changes mtime only when the
     * clock has ticked since the last change (Linux current_time: one jiffy; 4000 = CONFIG_HZ=250,
     * Debian's kernels and this project's CI machine). Used by `ext4-nojournal`.
     */
    timestamp_tick_us: number;
  };
}

/** Filesystems the `fs.kind` key names. */
export type FsKind = 'ext4-ordered' | 'ext4-nojournal' | 'ufs' | 'apfs' | 'none';

/** The filesystem each personality runs on unless `fs.kind` says otherwise (README, "Kernel personalities"). */
export const FS_DEFAULT_KIND: Readonly<Record<Personality, FsKind>> = {
  linux: 'ext4-ordered', // ext4 is the default of mainstream distributions; data=ordered is its default mode
  freebsd: 'ufs', // UFS2 (FFS), newfs's filesystem
  xnu: 'apfs', // the macOS default since 10.13
  mach: 'none', // the memory manager writes pages directly: no filesystem in between
};
