/**
 * Fault read policies: which pages a fault on a non-resident file page reads
 * (the faulting page plus read-around / read-ahead), and when a later fault on
 * a page already in memory starts the next read-ahead window. One policy per
 * kernel, as a table of figures with their sources plus the small state
 * machine each kernel keeps (Linux per open file, FreeBSD per map entry, XNU
 * per VM object).
 */
import type { Personality } from '../config-types.ts';
import type { FaultSite } from '../vm/fault-site.ts';
import { Flag } from '../../traces/types.ts';
import { MAX_FOLIO_ORDER } from '../vm/folios.ts';

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

const one = (idx: number): ReadWindow => ({ start: idx, size: 1, bridge: false, mark: -1 });

/** Linux get_next_ra_size (mm/readahead.c): 4× below max/16, 2× up to max/2, else max. */
export function nextRaSize(cur: number, max: number): number {
  if (cur < max / 16) return 4 * cur;
  if (cur <= max / 2) return 2 * cur;
  return max;
}

/** Linux struct file_ra_state (the parts mmap faults use). */
interface LinuxRa {
  start: number;
  size: number;
  asyncSize: number;
  mmapMiss: number;
  /** ra->order: 0 after a read-around, 2 more for each asynchronous window. */
  order: number;
}

/**
 * Linux filemap_fault: a major fault counts a miss (do_sync_mmap_readahead)
 * and, unless mmap_miss exceeds MMAP_LOTSAMISS, reads around the fault:
 * ra_pages pages from pgoff - ra_pages/2, with PG_readahead on the page
 * ra_pages/4 from the end. A fault on a page in the cache takes a miss back
 * (do_async_mmap_readahead; first use of read-ahead pages, as
 * filemap_map_pages does) and, on PG_readahead, reads the next window
 * asynchronously (page_cache_async_ra: the window after the current one,
 * size get_next_ra_size, all of it async, so its first page is marked).
 * A mapping advised MADV_RANDOM (VM_RAND_READ) reads the faulting page only
 * and neither counts misses nor reads ahead on hits; one advised
 * MADV_SEQUENTIAL (VM_SEQ_READ) reads ra_pages from the fault
 * (page_cache_sync_ra), with an asynchronous half only at page 0 (elsewhere
 * a standalone read that leaves the read-ahead state alone).
 */
export function linuxPolicy(raPages: number, maxFolioOrder: number = MAX_FOLIO_ORDER): ReadPolicy {
  const ra = new Map<object, LinuxRa>();
  const T = READAHEAD.linux;
  const state = (obj: object): LinuxRa => {
    let s = ra.get(obj);
    if (!s) ra.set(obj, (s = { start: 0, size: 0, asyncSize: 0, mmapMiss: 0, order: 0 }));
    return s;
  };
  return {
    major(site, obj) {
      // VM_RAND_READ: no read-around, and mmap_miss left as it is
      if (raPages <= 1 || site.advice === Flag.RANDOM) return one(site.idx);
      const s = state(obj);
      if (site.advice === Flag.SEQUENTIAL) {
        // VM_SEQ_READ: page_cache_sync_ra(ra_pages) from the fault. At the file's start it opens a window with an
        // asynchronous half; elsewhere a fault leaves no prev_pos, so it is a standalone read that leaves the
        // read-ahead state as it was
        if (site.idx !== 0) return { start: site.idx, size: raPages, bridge: true, mark: -1 };
        s.start = 0;
        s.size = raPages;
        s.asyncSize = Math.floor(raPages / 2);
        s.order = 0;
        return { start: 0, size: raPages, bridge: true, mark: raPages - s.asyncSize };
      }
      if (s.mmapMiss < T.missCap) s.mmapMiss++;
      if (s.mmapMiss > T.lotsamiss) return one(site.idx);
      s.start = Math.max(0, site.idx - Math.floor(raPages / 2));
      s.size = raPages;
      s.asyncSize = Math.floor(raPages / 4);
      s.order = 0;
      return { start: s.start, size: s.size, bridge: true, mark: s.start + s.size - s.asyncSize };
    },
    hit(site, obj, firstUse, marked, nextAbsent) {
      if (raPages <= 1 || site.advice === Flag.RANDOM) return undefined; // do_async_mmap_readahead returns at once on VM_RAND_READ
      const s = state(obj);
      if (firstUse && s.mmapMiss > 0) s.mmapMiss--;
      if (!marked) return undefined;
      if (site.idx === s.start + s.size - s.asyncSize) {
        s.start += s.size;
        s.size = Math.max(s.size, nextRaSize(s.size, raPages));
      } else {
        // context readahead: from the first page not in the cache after the hit
        const start = nextAbsent(site.idx + 1, raPages);
        s.size = nextRaSize(start - site.idx + raPages, raPages);
        s.start = start;
      }
      s.asyncSize = s.size;
      s.order += 2;
      // page_cache_ra_order: the folio order, capped by the mapping's largest (`readahead.max_folio_order`, PMD by default) and the window;
      // a window under 4 pages is read in 4 KiB folios
      const order = s.size < 4 ? 0 : Math.min(s.order, maxFolioOrder, Math.floor(Math.log2(s.size)));
      return { start: s.start, size: s.size, bridge: true, mark: s.start, order };
    },
    issued() {},
  };
}

/** FreeBSD per-map-entry read-ahead state (vm_map_entry read_ahead, next_read). */
interface BsdEntryRa {
  readAhead: number;
  nextRead: number;
}

/**
 * FreeBSD vm_fault_readahead / vm_fault_getpages: a hard fault at the entry's
 * next_read is sequential and reads behind nothing and ahead nera pages, nera
 * growing by VM_FAULT_READ_AHEAD_MIN + 1 per sequential fault from the
 * entry's read_ahead (initially VM_FAULT_READ_AHEAD_INIT) up to
 * VM_FAULT_READ_AHEAD_MAX; any other hard fault reads the
 * VM_FAULT_READ_DEFAULT-page cluster aligned in the object (behind and ahead
 * clipped to the map entry). The vnode pager stops a run at a page already in
 * memory. next_read becomes the page after the last one read. An entry
 * advised MADV_RANDOM reads the faulting page only; one advised
 * MADV_SEQUENTIAL reads VM_FAULT_READ_AHEAD_MAX pages ahead on every hard
 * fault (vm_fault_readahead), whatever `readahead.pages`. Drop-behind (vm_fault_dontneed) is not modelled.
 */
export function freebsdPolicy(raPages: number, pageSize: number): ReadPolicy {
  const T = READAHEAD.freebsd;
  const aheadMax = Math.min(Math.floor(T.maxphysBytes / pageSize) - 1, T.uint8Max);
  const entries = new WeakMap<object, BsdEntryRa>();
  const state = (site: FaultSite): BsdEntryRa => {
    let s = entries.get(site.entry);
    if (!s) entries.set(site.entry, (s = { readAhead: T.aheadInit, nextRead: site.entryStart }));
    return s;
  };
  return {
    major(site) {
      const s = state(site);
      // the advice comes first: vm_fault_readahead reads by the entry's behaviour whatever the default cluster
      if (site.advice === Flag.RANDOM) {
        // MAP_ENTRY_BEHAV_RANDOM: nera 0, and vm_fault_getpages asks for no page behind or ahead
        s.readAhead = 0;
        return one(site.idx);
      }
      if (site.advice === Flag.SEQUENTIAL) {
        // MAP_ENTRY_BEHAV_SEQUENTIAL: nera = VM_FAULT_READ_AHEAD_MAX on every hard fault, nothing behind
        s.readAhead = aheadMax;
        return { start: site.idx, size: 1 + Math.max(0, Math.min(aheadMax, site.hi - site.idx - 1)), bridge: false, mark: -1 };
      }
      if (raPages <= 1) return one(site.idx);
      const era = s.readAhead;
      let behind: number, ahead: number, nera: number;
      if (site.addr === s.nextRead) {
        nera = T.aheadMin;
        if (era > 0) nera = Math.min(nera + era + 1, aheadMax);
        behind = 0;
        ahead = nera;
      } else {
        nera = 0;
        const off = site.idx % raPages;
        behind = Math.min(off, site.idx - site.lo);
        ahead = raPages - 1 - off;
      }
      ahead = Math.max(0, Math.min(ahead, site.hi - site.idx - 1));
      s.readAhead = nera;
      return { start: site.idx - behind, size: behind + 1 + ahead, bridge: false, mark: -1 };
    },
    hit() {
      return undefined;
    },
    issued(site, _obj, first, count) {
      if (raPages <= 1) return;
      const ahead = first + count - 1 - site.idx;
      state(site).nextRead = site.addr + (ahead + 1) * pageSize;
    },
  };
}

/** XNU per-object sequential detection and speculative-page accounting. */
interface XnuObjRa {
  /** object->sequential, in pages (negative: reverse). */
  sequential: number;
  /** object->last_alloc, a page index (-1: none). */
  lastAlloc: number;
  /** object->pages_created / pages_used: speculative pages read, and those later used. */
  created: number;
  used: number;
}

/**
 * XNU vm_fault_page → vm_object_cluster_size (VM_BEHAVIOR_DEFAULT): a run of
 * at least 3 sequential faults (vm_fault_is_sequential) streams: the cluster
 * is the run + 1 page, ahead only (behind only when reverse). Otherwise the
 * cluster is min_ph_size while the object primes the pump, then grows
 * linearly with the share of speculative pages used (max × used / created);
 * it is centred on the fault, clipped to the object and the map entry, never
 * bridges a resident page, and is at most `readahead.pages`. The free-memory
 * reductions (/4, /16 when free pages are short) are not modelled. An
 * entry advised MADV_RANDOM (VM_BEHAVIOR_RANDOM) resets the run and reads
 * the faulting page only; one advised MADV_SEQUENTIAL reads the forward run
 * + 1 page ahead, with no priming. A wiring's fault (vm_fault_wire) reads the
 * rest of the entry ahead of the fault, up to 1 MiB (READAHEAD.xnu.wireMaxBytes),
 * whatever the advice; `readahead.pages` ≤ 1 reads the faulting page only.
 */
export function xnuPolicy(raPages: number, pageSize: number): ReadPolicy {
  const T = READAHEAD.xnu;
  const minPh = Math.max(1, Math.floor(T.minBytes / pageSize));
  const objs = new Map<object, XnuObjRa>();
  const state = (obj: object): XnuObjRa => {
    let s = objs.get(obj);
    if (!s) objs.set(obj, (s = { sequential: 0, lastAlloc: -1, created: 0, used: 0 }));
    return s;
  };
  /** vm_fault_is_sequential, VM_BEHAVIOR_DEFAULT. */
  const isSequential = (s: XnuObjRa, idx: number): void => {
    if (idx === s.lastAlloc) return;
    if (idx > 0 && s.lastAlloc === idx - 1) s.sequential = Math.max(s.sequential, 0) + 1;
    else if (s.lastAlloc >= 0 && s.lastAlloc === idx + 1) s.sequential = Math.min(s.sequential, 0) - 1;
    else s.sequential = 0;
    s.lastAlloc = idx;
  };
  /** vm_fault_is_sequential, VM_BEHAVIOR_RANDOM: no run. */
  const resetRun = (s: XnuObjRa, idx: number): void => {
    s.sequential = 0;
    s.lastAlloc = idx;
  };
  /** vm_fault_is_sequential, VM_BEHAVIOR_SEQUENTIAL: the run counts forward faults only. */
  const forwardRun = (s: XnuObjRa, idx: number): void => {
    if (idx === s.lastAlloc) return;
    s.sequential = idx > 0 && s.lastAlloc === idx - 1 ? Math.max(0, s.sequential) + 1 : 0;
    s.lastAlloc = idx;
  };
  return {
    major(site, obj) {
      const s = state(obj);
      const max = raPages;
      if (site.wire) {
        // vm_fault_wire: VM_BEHAVIOR_SEQUENTIAL, cluster size the rest of the entry, up to 1 MiB ahead, whatever the advice
        forwardRun(s, site.idx);
        if (max <= 1) return one(site.idx);
        const size = Math.min(site.hi - site.idx, Math.max(1, Math.floor(T.wireMaxBytes / pageSize)));
        return { start: site.idx, size: Math.max(1, size), bridge: false, mark: -1 };
      }
      if (site.advice === Flag.RANDOM) {
        // VM_BEHAVIOR_RANDOM: vm_fault_is_sequential resets the run, and the cluster is the faulting page
        resetRun(s, site.idx);
        return one(site.idx);
      }
      if (site.advice === Flag.SEQUENTIAL && max > 1) {
        // VM_BEHAVIOR_SEQUENTIAL: the run + 1 page ahead, without priming (a user fault's cluster_size is 0); the run
        // counts forward faults only
        const size = Math.max(1, Math.min(Math.max(0, s.sequential) + 1, max, site.hi - site.idx));
        forwardRun(s, site.idx);
        return { start: site.idx, size, bridge: false, mark: -1 };
      }
      if (max <= 1) {
        isSequential(s, site.idx);
        return one(site.idx);
      }
      const run = Math.abs(s.sequential);
      let ahead = true, behind = true, preHeat: number;
      if (run >= T.streamRun) {
        preHeat = run + 1;
        if (s.sequential > 0) behind = false;
        else ahead = false;
      } else if (s.created < T.primeFactor * minPh) {
        preHeat = minPh;
      } else {
        preHeat = Math.max(minPh, Math.ceil((max * s.used) / s.created));
      }
      preHeat = Math.min(preHeat, max);
      let start = site.idx, size = 1;
      if (ahead) {
        let target = site.idx;
        if (behind) target = Math.max(0, site.idx - Math.floor(preHeat / 2));
        preHeat = Math.min(preHeat, site.hi - target);
        const tail = Math.max(0, preHeat - (site.idx - target) - 1);
        const head = behind ? Math.max(0, preHeat - tail - 1) : 0;
        start = Math.max(site.lo, site.idx - head);
        size = Math.min(site.idx + 1 + tail, site.hi) - start;
      } else {
        preHeat = Math.min(preHeat, site.idx);
        start = Math.max(site.lo, site.idx - Math.max(0, preHeat - 1));
        size = site.idx + 1 - start;
      }
      isSequential(s, site.idx);
      return { start, size: Math.max(1, Math.min(size, max)), bridge: false, mark: -1 };
    },
    hit(site, obj, firstUse) {
      if (!firstUse) return undefined;
      const s = state(obj);
      s.used++;
      if (site.advice === Flag.RANDOM) resetRun(s, site.idx);
      else isSequential(s, site.idx);
      return undefined;
    },
    issued(_site, obj, _first, count) {
      state(obj).created += count - 1;
    },
  };
}

/**
 * Mach: the faulting page, or with `readahead.pages` > 1 the cluster of that
 * many pages aligned in the object (the OSF/1 object cluster size); no
 * sequential detection; classic Mach has no access advice, so RANDOM and
 * SEQUENTIAL change nothing.
 */
export function machPolicy(raPages: number): ReadPolicy {
  return {
    major(site) {
      if (raPages <= 1) return one(site.idx);
      const off = site.idx % raPages;
      const start = Math.max(site.lo, site.idx - off);
      const end = Math.min(site.hi, site.idx - off + raPages);
      return { start, size: Math.max(1, end - start), bridge: false, mark: -1 };
    },
    hit() {
      return undefined;
    },
    issued() {},
  };
}

/** The fault read policy of personality `p` with `readahead.pages` = `raPages` (Linux: folios up to order `maxFolioOrder`). */
export function readPolicy(p: Personality, raPages: number, pageSize: number, maxFolioOrder: number = MAX_FOLIO_ORDER): ReadPolicy {
  switch (p) {
    case 'linux':
      return linuxPolicy(raPages, maxFolioOrder);
    case 'freebsd':
      return freebsdPolicy(raPages, pageSize);
    case 'xnu':
      return xnuPolicy(raPages, pageSize);
    case 'mach':
      return machPolicy(raPages);
  }
}
