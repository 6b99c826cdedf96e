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
  // RLIMIT_MEMLOCK (sim/personality/linux/mlock.ts)
  'memory.memlock_limit_bytes': ['linux'],
  // Linux's read-ahead folios (sim/pager/readahead.ts linuxPolicy)
  'readahead.max_folio_order': ['linux'],
  // stable pages make a store wait for the page's writeback (sim/simulator.ts storesBlock), which
  // freebsd's and mach's stores do anyway (their personalities' writeBlocksOnWriteback)
  'fs.stable_pages': ['linux', 'xnu'],
};

/** Why a key of {@link PERSONALITY_KEYS} has no effect elsewhere, when not because no code there reads it. */
export const PERSONALITY_KEY_WHY: Readonly<Record<string, string>> = {
  'fs.stable_pages': 'its stores to a page under writeback wait for the write anyway',
};

/** Keys only these filesystems (`fs.kind`) read. */
export const FS_KIND_KEYS: Readonly<Record<string, readonly string[]>> = {
  // UFS soft updates (sim/fs/ufs.ts)
  'fs.soft_updates': ['ufs'],
  // jbd2's commit timer (sim/fs/jbd2.ts, ext4's journal)
  'fs.commit_interval_ms': ['ext4-ordered'],
  // the ext4 kinds' block maps (sim/fs/ext4.ts, ext4-nojournal.ts: BlockMap)
  'fs.preallocated': ['ext4-ordered', 'ext4-nojournal'],
  // the mtime tick that makes an fsync write the inode (sim/fs/ext4-nojournal.ts)
  'fs.timestamp_tick_us': ['ext4-nojournal'],
};
