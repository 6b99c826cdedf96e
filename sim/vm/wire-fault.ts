/**
 * Wiring faults pages in the way a fault does (FreeBSD vm_fault_wire → vm_fault,
 * Linux populate_vma_page_range → handle_mm_fault, XNU and Mach vm_fault_wire):
 * page by page in address order, a page of a file object that is neither
 * resident nor being read is read from the device through the page-in path
 * (`pagein: true`, ../pager/pagein.ts) with the kernel's read-ahead, and the
 * wiring task waits for it; a page of an anonymous (copy-on-write) object is
 * zero-filled. Each page is wired as soon as it is in memory, so memory
 * pressure never takes it back before the wiring is done. With a finite
 * memory, room for a page that comes in without a read is made first, as for
 * a store's fault.
 */
import { ADVICE_FLAGS } from '../../traces/types.ts';
import type { Kernel } from '../kernel.ts';
import type { FaultSite } from './fault-site.ts';
import type { VmMap } from './map.ts';
import { Page, type VmObject } from './object.ts';
import type { PageInWait } from './ops.ts';
import { RA_BITS } from './page-store.ts';
import type { KernelPath } from './process.ts';

/** How a wiring's fault-in goes. */
export interface WireFaultOptions {
  /** What a page-in of a file page waits for first (FreeBSD: the vnode lock an msync holds). */
  pageIn?: PageInWait;
  /**
   * On a failed read, unwire the pages this call wired (FreeBSD, XNU and Mach
   * roll the whole wiring back); false leaves them wired (Linux keeps what
   * populate locked). Default true.
   */
  rollback?: boolean;
}

/** Pages of one object this call wired: [first, first+count). */
interface Piece {
  obj: VmObject;
  first: number;
  count: number;
}

/**
 * Faults in and wires (+1) every page behind [start, end) of `map`, the pages
 * a store reaches (a private mapping's copy-on-write object), descending one
 * level of sub-map and skipping its holes, as {@link Vm.forEachPiece} does.
 * A page the wiring had to fault in (neither resident nor read by an earlier
 * read-ahead when reached) costs `cpu.fault_page_us`, as a load's fault does,
 * charged at the end. Returns false when a read failed: the wiring stops
 * there (and, with `rollback`, the pages it wired are unwired again).
 */
export function* faultWire(k: Kernel, map: VmMap, start: number, end: number, opts: WireFaultOptions = {}): KernelPath<boolean> {
  return (yield* faultWireTo(k, map, start, end, opts)) >= end;
}

/**
 * {@link faultWire}, returning where the wiring stopped: `end` when every
 * page is wired, else the address of the page whose read failed (the pages
 * from there on are not wired by this call).
 */
export function* faultWireTo(k: Kernel, map: VmMap, start: number, end: number, opts: WireFaultOptions = {}): KernelPath<number> {
  const vm = k.vm, ps = vm.pageSize;
  const done: Piece[] = [];
  let faulted = 0;
  let ok = true;
  let a = start;
  while (a < end && ok) {
    const r = vm.resolve(map, a, true);
    if (!r) {
      a = Math.min(end, vm.nextMapped(map, a));
      continue;
    }
    const obj = r.obj, entry = r.entry, firstIdx = r.idx, pieceStart = a, rEnd = r.end;
    const pieceEnd = Math.min(r.end, end);
    const pin = obj.kind === 'vnode' ? k.pagein : undefined;
    const piece: Piece = { obj, first: r.idx, count: 0 };
    done.push(piece);
    for (let idx = r.idx; a < pieceEnd; a += ps, idx++) {
      let s = obj.state(idx);
      if (pin && (!(s & Page.RESIDENT) || s & RA_BITS)) {
        const site: FaultSite = {
          idx, addr: a, entry, entryStart: entry.start, advice: entry.flags & ADVICE_FLAGS, wire: true,
          lo: Math.max(0, firstIdx - (pieceStart - entry.start) / ps),
          hi: Math.min(Math.max(obj.sizePages, idx + 1), firstIdx + (rEnd - pieceStart) / ps),
        };
        if (s & Page.RESIDENT) pin.touched(obj, site);
        else {
          if (opts.pageIn) yield* opts.pageIn(k, obj);
          if (!(yield* pin.fault(obj, site))) {
            ok = false;
            break;
          }
          faulted++;
        }
        s = obj.state(idx);
      }
      if (!(s & Page.RESIDENT) && opts.pageIn && obj.kind === 'vnode') {
        // page-in without a device read (`pagein: false`): the fault still takes the vnode lock
        yield* opts.pageIn(k, obj);
        s = obj.state(idx);
      }
      if (!(s & Page.RESIDENT) && k.pageout) yield* k.pageout.reserve();
      obj.wire(idx, +1);
      piece.count++;
    }
  }
  if (!ok && opts.rollback !== false) {
    for (const p of done) for (let i = p.first; i < p.first + p.count; i++) p.obj.wire(i, -1);
  }
  k.pageout?.trim();
  if (faulted > 0 && k.faultPageNs > 0) yield faulted * k.faultPageNs;
  return ok ? end : a;
}

