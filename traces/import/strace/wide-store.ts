/**
 * Stores the importer synthesises (`--assume-dirty`) or reads (`syncsim_dirty`)
 * before one msync, as rows the run replays (README "Limits of a run"): a store
 * wider than MAX_OP_PAGES pages that meets a hole is cut one page past it (the
 * replay meets the hole and stops there, one `unmapped_write`, as the whole row
 * would: a store cannot reach unmapped memory); what is still wider is split
 * into rows of at most MAX_OP_PAGES pages; and pages past MAX_RESIDENT_PAGES,
 * more than a run may hold, are left out.
 */
import { MAX_OP_PAGES, MAX_RESIDENT_PAGES, pagesOf } from '../../types.ts';
import type { MappingTable, Range } from './address-space.ts';

/** The rows of some stores, and how many of them were `split`, `cut` at a hole, or (partly) `left_out`. */
export interface StoreFit {
  rows: Range[];
  split: number;
  cut: number;
  left_out: number;
}

/** The rows of `stores` (ranges in `maps`, pages of `ps` bytes), all before one msync, within the run's bounds. */
export function fitStores(maps: MappingTable, stores: readonly Range[], ps: number): StoreFit {
  const fit: StoreFit = { rows: [], split: 0, cut: 0, left_out: 0 };
  let budget = MAX_RESIDENT_PAGES;
  for (const [addr, len0] of stores) {
    let len = len0;
    if (pagesOf(addr, len, ps) > MAX_OP_PAGES) {
      const hole = maps.firstHole(Math.floor(addr / ps) * ps, Math.ceil((addr + len) / ps) * ps);
      if (hole !== undefined && hole + ps - addr < len) {
        len = hole + ps - addr;
        fit.cut++;
      }
      if (pagesOf(addr, len, ps) > MAX_OP_PAGES) fit.split++;
    }
    const end = addr + len;
    for (let at = addr; at < end;) {
      const next = Math.min(end, (Math.floor(at / ps) + Math.min(MAX_OP_PAGES, budget)) * ps);
      if (next <= at) {
        fit.left_out++;
        break;
      }
      fit.rows.push([at, next - at]);
      budget -= pagesOf(at, next - at, ps);
      at = next;
    }
  }
  return fit;
}
