/**
 * FreeBSD's fault read policy (sys/vm/vm_fault.c vm_fault_readahead,
 * vm_fault_getpages): sequential detection and read-ahead per map entry.
 */
import { Flag } from '../../traces/types.ts';
import { faultPageOnly, READAHEAD, type FaultSite, type ReadPolicy } from './readahead.ts';

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
        return faultPageOnly(site.idx);
      }
      if (site.advice === Flag.SEQUENTIAL) {
        // MAP_ENTRY_BEHAV_SEQUENTIAL: nera = VM_FAULT_READ_AHEAD_MAX on every hard fault, nothing behind
        s.readAhead = aheadMax;
        return { start: site.idx, size: 1 + Math.max(0, Math.min(aheadMax, site.hi - site.idx - 1)), bridge: false, mark: -1 };
      }
      if (raPages <= 1) return faultPageOnly(site.idx);
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
