/**
 * Where a page fault happens, as the fault read policies (sim/pager/readahead.ts)
 * see it: the page, the part of the object its mapping covers, and the map
 * entry (whose read-ahead state FreeBSD keeps in the entry).
 */
/** Where a fault happens. */
export interface FaultSite {
  /** Page index in the object. */
  idx: number;
  /** First object page the mapping covers (the fault may read behind down to it). */
  lo: number;
  /** End (exclusive) of the object pages the mapping covers, within the file. */
  hi: number;
  /** Virtual address of the faulting page. */
  addr: number;
  /** Per-map-entry state key (FreeBSD keeps read-ahead state in the map entry). */
  entry: object;
  /** Start address of the map entry. */
  entryStart: number;
  /** The entry's access advice: its `Flag.RANDOM` or `Flag.SEQUENTIAL` bit, 0 for none (madvise MADV_RANDOM / MADV_SEQUENTIAL). */
  advice: number;
  /**
   * The fault is a wiring's (vm_fault_wire, mlock's populate): XNU reads it with
   * VM_BEHAVIOR_SEQUENTIAL and the rest of the entry as the cluster size; the other
   * kernels' policies take it as any fault.
   */
  wire?: boolean;
}
