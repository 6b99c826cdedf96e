import type { Config } from './config-types.ts';

/**
 * Configuration keys that only some kernels or filesystems read: given under
 * another, they are accepted (one configuration may serve several) and have no
 * effect, which the command line says. Data for that warning, from where each
 * key is read in sim/.
 */

/** Keys only these personalities read. */
export const PERSONALITY_KEYS: Readonly<Record<string, readonly string[]>> = {
  // Mach's memory-manager messages (sim/personality/mach/manager.ts)
  'pager.ipc_us': ['mach'],
  // Linux's page cleaning beside a busy CPU (sim/personality/linux/writeback.ts)
  'cpu.clean_page_busy_us': ['linux'],
  // the cleaning of a page of a PMD-sized folio, which only Linux's read-ahead makes (sim/personality/linux/writeback.ts)
  'cpu.clean_pmd_page_us': ['linux'],
  // the set-up of a data-integrity writeback an msync starts, charged by Linux's msync only (sim/personality/linux/writeback.ts)
  'cpu.writeback_call_us': ['linux'],
  // RLIMIT_MEMLOCK (sim/personality/linux/mlock.ts)
  'memory.memlock_limit_bytes': ['linux'],
  // the user wire limit: FreeBSD vm.max_user_wired (sim/personality/freebsd.ts), XNU's
  // (sim/personality/xnu/wire.ts), Mach's (sim/simulator.ts maxUserWiredPages, mach/wiring.ts);
  // Linux's mlock reads RLIMIT_MEMLOCK instead (sim/personality/linux/mlock.ts)
  'memory.max_user_wired_pages': ['freebsd', 'xnu', 'mach'],
  // Linux's read-ahead folios (sim/pager/readahead-linux.ts linuxPolicy)
  'readahead.max_folio_order': ['linux'],
  // stable pages make a store wait for the page's writeback (sim/simulator.ts storesBlock), which
  // freebsd's and mach's stores do anyway (their personalities' writeBlocksOnWriteback)
  'fs.stable_pages': ['linux', 'xnu'],
};

/** Why a key of {@link PERSONALITY_KEYS} has no effect elsewhere, when not because no code there reads it. */
export const PERSONALITY_KEY_WHY: Readonly<Record<string, string>> = {
  'fs.stable_pages': 'its stores to a page under writeback wait for the write anyway',
  'memory.max_user_wired_pages': 'its mlock limit is memory.memlock_limit_bytes, RLIMIT_MEMLOCK; only freebsd, xnu and mach read it',
};

/** Keys only these filesystems (`fs.kind`) read. */
export const FS_KIND_KEYS: Readonly<Record<string, readonly string[]>> = {
  // UFS soft updates (sim/fs/ufs.ts)
  'fs.soft_updates': ['ufs'],
  // jbd2's commit timer (sim/fs/jbd2.ts, ext4's journal)
  'fs.commit_interval_ms': ['ext4-ordered'],
  // the ext4 kinds' block maps (sim/fs/ext4.ts, ext4-nojournal.ts: BlockMap)
  'fs.preallocated': ['ext4-ordered', 'ext4-nojournal'],
  // the extent tree block an allocation dirties (sim/fs/fs.ts dirtiesExtentLeaf)
  'fs.extent_leaf': ['ext4-ordered', 'ext4-nojournal'],
  // the mtime tick that makes an fsync write the inode (sim/fs/ext4-nojournal.ts)
  'fs.timestamp_tick_us': ['ext4-nojournal'],
};

/**
 * Keys that have no effect while other keys hold some values: `keys` are idle when `idle(config)`,
 * for the reason `why`.
 */
export const VALUE_SCOPES: readonly { keys: readonly string[]; idle: (c: Config) => boolean; why: string }[] = [
  // the flusher's dirty limits are fractions of memory.pages; 0 is unlimited memory, no limit (sim/pager/writeback-policies.ts FLUSHER)
  {
    keys: ['writeback.background_ratio', 'writeback.dirty_ratio', 'writeback.max_pause_ms'],
    idle: (c) => c.writeback.policy === 'flusher' && c.memory.pages === 0,
    why: 'with memory.pages 0 (unlimited memory: the flusher sets no dirty limit and throttles no writer)',
  },
  // seeks and rotation are a disk's (sim/device/media.ts mediaNs, hdd.ts)
  {
    keys: ['device.seek_track_ms', 'device.seek_avg_ms', 'device.seek_full_ms', 'device.capacity_gb', 'device.region_gb'],
    idle: (c) => c.device.rpm === 0,
    why: 'on a device that does not rotate (device.rpm 0)',
  },
  // only allocations dirty an extent tree block (sim/fs/fs.ts dirtiesExtentLeaf), and a laid-out file makes none
  {
    keys: ['fs.extent_leaf'],
    idle: (c) => c.fs.preallocated,
    why: 'with fs.preallocated true (the files are laid out: no writeback allocates a block)',
  },
];
