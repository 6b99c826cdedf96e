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
};

/** Keys only these filesystems (`fs.kind`) read. */
export const FS_KIND_KEYS: Readonly<Record<string, readonly string[]>> = {
  // UFS soft updates (sim/fs/ufs.ts)
  'fs.soft_updates': ['ufs'],
};
