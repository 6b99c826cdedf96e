/**
 * Linux's fault read policy (mm/filemap.c filemap_fault, mm/readahead.c):
 * read-around on a major fault and asynchronous read-ahead windows on
 * PG_readahead hits, with the read-ahead state kept per open file.
 */
import { Flag } from '../../traces/types.ts';
import { MAX_FOLIO_ORDER } from '../vm/folios.ts';
import { faultPageOnly, READAHEAD, type ReadPolicy } from './readahead.ts';

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
      if (raPages <= 1 || site.advice === Flag.RANDOM) return faultPageOnly(site.idx);
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
      if (s.mmapMiss > T.lotsamiss) return faultPageOnly(site.idx);
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
