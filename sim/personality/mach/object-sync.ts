/**
 * memory_object_sync: the kernel returns the pages of an object range to its
 * memory manager (OSF MK6.1 src/mach_kernel/vm/memory_object.c :
 * memory_object_sync, memory_object_lock_page, PAGEOUT_PAGES; GNU Mach
 * vm/memory_object.c; semantics.md 5 and 3.4).
 *
 * Each resident page of the range is judged by {@link LOCK_PAGE} (the order
 * of memory_object_lock_page). Pages to return accumulate into runs of
 * contiguous pages of at most `pager.cluster_pages` (DATA_WRITE_MAX = 32);
 * dirty runs (MUST_CLEAN) and clean precious runs (MUST_RETURN) are never
 * mixed, nor runs the kernel keeps a copy of and runs it gives up. A run
 * ends at a gap, at a page not returned, at a page it must wait for, at the
 * cap, or at the end of the range; it then goes to the manager as one
 * memory_object_data_return message.
 * - Clean without flush (vm_pageout_setup): the page is marked clean when it
 *   joins the run (a copy goes in the message) and stays precious
 *   (kernel_copy = TRUE); a store while the message is sent just re-dirties it.
 * - Flush: the page is moved into the message; a busy holding page (W) takes
 *   its slot until the message is sent, then the slot is freed (the page is
 *   no longer precious: the kernel kept nothing). Stores and cleaners meet
 *   the holding page and wait; a later fault brings the page back.
 */
import type { Kernel, SyncAccount } from '../../kernel.ts';
import { Page, type VmObject } from '../../vm/object.ts';
import type { KernelPath } from '../../vm/process.ts';
import { ipcNs, type MachObject } from './manager.ts';

/** Which pages memory_object_sync returns: `all` = dirty or precious (RETURN_ALL), `precious` = precious only. */
export type ReturnPolicy = 'all' | 'precious';

/** The arguments of one memory_object_sync. */
export interface SyncPolicy {
  returns: ReturnPolicy;
  /** should_flush (VM_SYNC_INVALIDATE). */
  flush: boolean;
  /** A synchronous msync waits for the writes (their I/Os are urgent). */
  urgent: boolean;
}

/** What memory_object_lock_page decides for one page. */
export type LockResult =
  /** Nothing to do (absent page, or nothing asked of it). */
  | { result: 'done' }
  /** Busy (a holding page or a write in flight): sleep on the object and look again. */
  | { result: 'block' }
  /** Return the data: dirty → MUST_CLEAN run, clean precious → MUST_RETURN run; `keep` = kernel_copy. */
  | { result: 'return'; dirty: boolean; keep: boolean }
  /** Flush a page not returned: freed; dirty data is discarded. */
  | { result: 'free'; discard: boolean };

/** One page as {@link LOCK_PAGE} sees it. */
export interface PageView {
  state: number;
  wired: boolean;
  policy: SyncPolicy;
}

/** memory_object_should_return_page: dirty or precious with RETURN_ALL; precious only otherwise. */
export function shouldReturn(p: PageView): boolean {
  const s = p.state;
  return (s & Page.PRECIOUS) !== 0 || (p.policy.returns === 'all' && (s & Page.DIRTY) !== 0);
}

/** A row of {@link LOCK_PAGE}: when `applies`, the page gets `decide`. */
export interface LockRow {
  what: string;
  applies: (p: PageView) => boolean;
  decide: (p: PageView) => LockResult;
}

const ret = (p: PageView, keep: boolean): LockResult => ({ result: 'return', dirty: (p.state & Page.DIRTY) !== 0, keep });

/**
 * memory_object_lock_page, in its order. Wired pages follow xnu-3789
 * (returned as a copy, never freed); MK6.1 and GNU Mach instead block until
 * the page is unwired (see the personality's header comment).
 */
export const LOCK_PAGE: readonly LockRow[] = [
  { what: 'not resident', applies: (p) => !(p.state & Page.RESIDENT), decide: () => ({ result: 'done' }) },
  { what: 'busy (holding page / write in flight)', applies: (p) => (p.state & Page.WB) !== 0, decide: () => ({ result: 'block' }) },
  { what: 'wired, data to return', applies: (p) => p.wired && shouldReturn(p), decide: (p) => ret(p, true) },
  { what: 'wired, nothing to return', applies: (p) => p.wired, decide: () => ({ result: 'done' }) },
  { what: 'data to return', applies: shouldReturn, decide: (p) => ret(p, !p.policy.flush) },
  { what: 'flush', applies: (p) => p.policy.flush, decide: (p) => ({ result: 'free', discard: (p.state & Page.DIRTY) !== 0 }) },
  { what: 'otherwise', applies: () => true, decide: () => ({ result: 'done' }) },
];

/** The decision of {@link LOCK_PAGE} for a page. */
export function lockPage(p: PageView): LockResult {
  return (LOCK_PAGE.find((r) => r.applies(p)) as LockRow).decide(p);
}

/** A run being accumulated for one data_return. */
interface Run {
  first: number;
  count: number;
  dirty: boolean;
  keep: boolean;
}

/**
 * memory_object_sync over pages [start, end) of `obj`: returns the data the
 * policy asks for as data_return messages, frees flushed pages. Returns
 * whether any data was returned.
 */
export function* memoryObjectSync(k: Kernel, acct: SyncAccount, mo: MachObject, obj: VmObject, start: number, end: number, policy: SyncPolicy): KernelPath<boolean> {
  let run: Run | undefined;
  let returned = false;
  /** PAGEOUT_PAGES: sends the accumulated run. */
  const ipc = ipcNs(k);
  const send = function* (r: Run): KernelPath<void> {
    // cpu(): the cleaning, then sendMessage(): memory_object_data_return, inline (one generator per run, not three)
    const cleanNs = r.count * k.cleanPageNs;
    if (cleanNs > 0) yield cleanNs;
    if (ipc > 0) yield ipc;
    if (!r.keep) {
      for (let i = r.first; i < r.first + r.count; i++) {
        obj.endWriteback(i, true, true); // the data is in the message: durable when the manager writes it
        obj.clearPrecious(i);
        if (obj.wireCount(i) === 0) obj.free(i); // wired meanwhile: the page stays, clean
      }
      obj.waitQueue.wakeAll();
      obj.wakeDrained();
    }
    mo.manager.post({ kind: 'data_return', first: r.first, count: r.count, dirty: r.dirty, kernelCopy: r.keep, urgent: policy.urgent });
    acct.pages += r.count;
    returned = true;
  };
  /** The state bits without which a resident page's verdict is 'done' when the sync does not flush: busy, or data to return. */
  const judged = Page.WB | Page.PRECIOUS | (policy.returns === 'all' ? Page.DIRTY : 0);
  let idx = start;
  while (idx < end) {
    const n = obj.next(idx, end, Page.RESIDENT);
    if (n < 0) break;
    if (n !== idx && run) {
      yield* send(run);
      run = undefined;
    }
    idx = n;
    if (!run && !policy.flush && k.skipIdlePages && !(obj.state(idx) & judged)) {
      // not busy, nothing to return, no flush: 'done' with no run to end; so is every page up to the next one with a judged bit
      const m = obj.next(idx, end, judged);
      idx = m < 0 ? end : m;
      continue;
    }
    const d = lockPage({ state: obj.state(idx), wired: obj.wireCount(idx) > 0, policy });
    if (d.result === 'block') {
      // "since it is necessary to block, clean any dirty pages now", then sleep and look again
      if (run) {
        yield* send(run);
        run = undefined;
      } else yield obj.waitQueue;
      continue;
    }
    if (d.result !== 'return') {
      if (d.result === 'free') {
        if (d.discard) obj.discard(idx);
        obj.free(idx);
      }
      if (run) {
        yield* send(run);
        run = undefined;
      }
      idx++;
      continue;
    }
    if (run && (run.first + run.count !== idx || run.dirty !== d.dirty || run.keep !== d.keep || run.count >= k.clusterPages)) {
      yield* send(run);
      run = undefined;
      continue; // the page may have changed while the message was sent
    }
    if (d.keep) {
      // vm_pageout_setup without flush: a copy goes out, the page is clean at once
      if (d.dirty) {
        obj.startWriteback(idx);
        obj.endWriteback(idx, true, true);
      }
    } else obj.startWriteback(idx); // the page moves into the message; a busy holding page takes its slot
    if (run) run.count++;
    else run = { first: idx, count: 1, dirty: d.dirty, keep: d.keep };
    idx++;
  }
  if (run) yield* send(run);
  return returned;
}
