/**
 * Fault read policies: which pages a fault on a non-resident file page reads
 * (the faulting page plus read-around / read-ahead), and when a later fault on
 * a page already in memory starts the next read-ahead window. One policy per
 * kernel, as a table of figures with their sources (here) plus the small
 * state machine each kernel keeps (Linux per open file: readahead-linux.ts,
 * FreeBSD per map entry: readahead-freebsd.ts, XNU per VM object:
 * readahead-xnu.ts; Mach: readahead-mach.ts); read-policies.ts picks a
 * personality's.
 */
import type { Personality } from '../config-types.ts';
import type { FaultSite } from '../vm/fault-site.ts';

export type { FaultSite };

/** Figures of the fault read policies, with their sources. */
export const READAHEAD = {
  linux: {
    /** VM_READAHEAD_PAGES = SZ_128K / PAGE_SIZE (include/linux/pagemap.h): the default ra_pages (read_ahead_kb 128). */
    defaultPages: 32,
    /** MMAP_LOTSAMISS (mm/filemap.c): more misses than this without hits and mmap faults stop reading around. */
    lotsamiss: 100,
    /** do_sync_mmap_readahead caps mmap_miss at MMAP_LOTSAMISS * 10. */
    missCap: 1000,
    /**
     * HPAGE_PMD_ORDER with 4 KiB pages (x86-64, arm64 4K): MAX_PAGECACHE_ORDER, the largest folio
     * read-ahead allocates (mapping_max_folio_order of ext4, xfs); page_cache_async_ra raises
     * ra->order by 2 per window from 0 (mm/readahead.c), so the fifth asynchronous window is the first of
     * PMD-sized folios, which a fault maps with one PMD (filemap_map_pmd). Block traces of this kernel
     * agree: cleaning pages of windows 0-4 costs ~5.6 µs a page, from the fifth on ~0.3 µs.
     */
    pmdOrder: 9,
  },
  freebsd: {
    /** VM_FAULT_READ_DEFAULT = 1 + VM_FAULT_READ_AHEAD_INIT (sys/vm/vm_fault.c): the aligned cluster of a non-sequential fault. */
    defaultPages: 16,
    /** VM_FAULT_READ_AHEAD_MIN (sys/vm/vm_map.h): pages added per sequential fault, minus one. */
    aheadMin: 7,
    /** VM_FAULT_READ_AHEAD_INIT (sys/vm/vm_map.h): vm_map_insert's initial entry->read_ahead. */
    aheadInit: 15,
    /** MAXPHYS (sys/sys/param.h, 1 MiB on 64-bit since 13.0): VM_FAULT_READ_AHEAD_MAX = min(atop(MAXPHYS) - 1, UINT8_MAX). */
    maxphysBytes: 1 << 20,
    uint8Max: 255,
  },
  xnu: {
    /**
     * preheat_max_bytes = MAX_UPL_TRANSFER_BYTES (1 MiB), divided by 8 on an
     * SSD (osfmk/vm/vm_object.c vm_object_cluster_size, macOS): 128 KiB.
     */
    defaultPages: 32,
    /** preheat_min_bytes (32 KiB) halved on an SSD: the cluster while the object primes the pump. */
    minBytes: 16 << 10,
    /** An object is primed after 20 × min_ph_size pages were created. */
    primeFactor: 20,
    /** A sequential run of at least 3 pages streams (look-ahead only, sequential_run + 1 page). */
    streamRun: 3,
    /**
     * vm_fault_wire's faults (osfmk/vm/vm_fault.c) pass VM_BEHAVIOR_SEQUENTIAL and the rest of the entry as the
     * cluster size; vm_object_cluster_size then skips the SSD cut ("an explicit cluster size ... e.g. wiring") and
     * caps the cluster at preheat_max_bytes = MAX_UPL_TRANSFER_BYTES: 1 MiB, ahead of the fault only.
     */
    wireMaxBytes: 1 << 20,
  },
  mach: {
    /** Mach 3.0 vm_fault_page asks the memory manager for the faulting page only (memory_object_data_request of PAGE_SIZE); not verified against a source in the library. */
    defaultPages: 1,
  },
} as const;

/** Default `readahead.pages` of a personality. */
export function defaultReadaheadPages(p: Personality): number {
  return READAHEAD[p].defaultPages;
}

/**
 * The window a fault reads: pages [start, start+size) of the object, the
 * faulting page inside. `bridge`: read every absent page of the window,
 * resident ones split it into several I/Os (Linux page_cache_ra_unbounded);
 * otherwise the read is one run grown from the faulting page that stops at the
 * first page already in memory (FreeBSD vnode pager, XNU "don't bridge
 * resident pages"). `mark`: page to flag RA_MARK (-1: none).
 */
export interface ReadWindow {
  start: number;
  size: number;
  bridge: boolean;
  mark: number;
  /** Folio order of its reads (Linux page_cache_ra_order; absent: 0); PMD-sized, mapped by one PMD, at READAHEAD.linux.pmdOrder. */
  order?: number;
}


/** The per-kernel policy: a major fault's window, a hit's asynchronous window, and what a completed read tells it. */
export interface ReadPolicy {
  /** A fault on a page neither resident nor being read: the window to read. */
  major(site: FaultSite, obj: object): ReadWindow;
  /**
   * A fault on a page in memory (resident or being read) that was brought in
   * by read-ahead (first use) or carries RA_MARK: possibly the next
   * asynchronous window.
   */
  hit(site: FaultSite, obj: object, firstUse: boolean, marked: boolean, nextAbsent: (from: number, max: number) => number): ReadWindow | undefined;
  /** A read issued for a major fault at `site` read pages [first, first+count) around it. */
  issued(site: FaultSite, obj: object, first: number, count: number): void;
}


/** The window of the faulting page alone: no read-around, no read-ahead. */
export const faultPageOnly = (idx: number): ReadWindow => ({ start: idx, size: 1, bridge: false, mark: -1 });
