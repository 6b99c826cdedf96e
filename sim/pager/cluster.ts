/**
 * Write clustering (FreeBSD vm_object_page_collect_flush): around a dirty
 * page, gather the following and then the preceding resident, dirty pages
 * that are not under writeback, contiguous in the object, up to a maximum.
 * The cluster is not bounded by the range being synced.
 */
import { Page, type VmObject } from '../vm/object.ts';

/** A contiguous run of pages of one object. */
export interface Run {
  first: number;
  count: number;
}

const MASK = Page.RESIDENT | Page.DIRTY | Page.WB;
const WANT = Page.RESIDENT | Page.DIRTY;

/** The cluster around dirty page `idx`, at most `max` pages: forward first, then backward (written into `out` when given). */
export function collectCluster(obj: VmObject, idx: number, max: number, out?: Run): Run {
  let count = 1;
  let t = idx + 1;
  while (count < max && (obj.state(t) & MASK) === WANT) {
    count++;
    t++;
  }
  let first = idx;
  while (count < max && first > 0 && (obj.state(first - 1) & MASK) === WANT) {
    first--;
    count++;
  }
  if (out === undefined) return { first, count };
  out.first = first;
  out.count = count;
  return out;
}
