/**
 * A wire row wider than a run takes (MAX_OP_PAGES pages, README "Limits of
 * a run"), as rows the run replays. A lock the kernel made becomes rows of
 * at most that many pages, one after the other at the same time. One it
 * failed (`mlock` of a huge length over a hole: ENOMEM) is cut one page past
 * the first hole of its range, so that the replay meets the hole and fails
 * it too, having wired the mappings before it, as Linux's mlock leaves them;
 * when no hole is near enough for that, it is left out.
 */
import { MAX_OP_PAGES, pagesOf } from '../../types.ts';
import type { MappingTable, Range } from './address-space.ts';

/** What became of a wire row: `whole` (within the bound), `split`, `cut` or `left-out`, and the ranges of its rows. */
export interface WireFit {
  how: 'whole' | 'split' | 'cut' | 'left-out';
  rows: Range[];
}

/** The rows of a wire of [addr, addr+len) in `maps` (pages of `ps` bytes) by a call that `succeeded` or not. */
export function fitWire(maps: MappingTable, addr: number, len: number, ps: number, succeeded: boolean): WireFit {
  if (pagesOf(addr, len, ps) <= MAX_OP_PAGES) return { how: 'whole', rows: [[addr, len]] };
  const end = addr + len;
  if (succeeded) {
    const rows: Range[] = [];
    for (let at = addr; at < end;) {
      const next = Math.min(end, (Math.floor(at / ps) + MAX_OP_PAGES) * ps);
      rows.push([at, next - at]);
      at = next;
    }
    return { how: 'split', rows };
  }
  const hole = maps.firstHole(Math.floor(addr / ps) * ps, Math.ceil(end / ps) * ps);
  if (hole !== undefined) {
    const cut = hole + ps - addr;
    if (pagesOf(addr, cut, ps) <= MAX_OP_PAGES) return { how: 'cut', rows: [[addr, cut]] };
  }
  return { how: 'left-out', rows: [] };
}
