/**
 * XNU's fault read policy (osfmk/vm/vm_fault.c vm_fault_page,
 * osfmk/vm/vm_object.c vm_object_cluster_size): the cluster read around a
 * fault, from the sequential run and the speculative pages used, per VM object.
 */
import { Flag } from '../../traces/types.ts';
import { faultPageOnly, READAHEAD, type ReadPolicy } from './readahead.ts';

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
        if (max <= 1) return faultPageOnly(site.idx);
        const size = Math.min(site.hi - site.idx, Math.max(1, Math.floor(T.wireMaxBytes / pageSize)));
        return { start: site.idx, size: Math.max(1, size), bridge: false, mark: -1 };
      }
      if (site.advice === Flag.RANDOM) {
        // VM_BEHAVIOR_RANDOM: vm_fault_is_sequential resets the run, and the cluster is the faulting page
        resetRun(s, site.idx);
        return faultPageOnly(site.idx);
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
        return faultPageOnly(site.idx);
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
