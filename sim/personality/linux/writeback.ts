/**
 * Linux data-integrity writeback of a file range (semantics.md 4.1 "MS_SYNC =
 * fdatasync of the file byte range", 4.3): `file_write_and_wait_range`, i.e.
 * `__filemap_fdatawrite_range(WB_SYNC_ALL)` (write_cache_pages over pages
 * tagged for writeback) followed by `__filemap_fdatawait_range`.
 */
import { peerRunning, type Kernel, type SyncAccount } from '../../kernel.ts';
import type { IoList } from '../../pager/pager.ts';
import type { Run } from '../../pager/cluster.ts';
import { cpu } from '../../vm/entries.ts';
import { Page, type VmObject } from '../../vm/object.ts';
import type { KernelPath } from '../../vm/process.ts';

/**
 * tag_pages_for_writeback: the dirty pages of [first, end) at the start of
 * the sync, in index order (PAGECACHE_TAG_TOWRITE). Pages dirtied later are
 * not this sync's business (livelock avoidance).
 */
export function tagToWrite(obj: VmObject, first: number, end: number): number[] {
  const tagged: number[] = [];
  for (let i = obj.next(first, end, Page.DIRTY); i >= 0; i = obj.next(i + 1, end, Page.DIRTY)) tagged.push(i);
  return tagged;
}

/**
 * The run of one writeback I/O starting at `tagged[at]`: the following
 * tagged pages that are contiguous in the file and still dirty and idle, at
 * most `max` pages. Forward only and never outside the tagged range (Linux
 * writes the range in index order; unlike FreeBSD's cluster it does not
 * reach back nor past the range).
 */
export function towriteRun(obj: VmObject, tagged: readonly number[], at: number, max: number): Run {
  const first = tagged[at];
  let count = 1;
  while (count < max && at + count < tagged.length && tagged[at + count] === first + count &&
    (obj.state(first + count) & (Page.DIRTY | Page.WB)) === Page.DIRTY) count++;
  return { first, count };
}

/**
 * CPU time of cleaning run `run` (ns): `cpu.clean_pmd_page_us` per page of a
 * PMD-sized folio, and per page dirty only because its folio was (no page
 * table entry of its own was written: ../../vm/folios.ts); `cpu.clean_page_us` per other page, or
 * `cpu.clean_page_busy_us` while another task runs ({@link Kernel.running}):
 * write-protecting a PTE costs more when another vCPU is running guest code;
 * and `cpu.clean_io_us` for the run's write I/O.
 */
function cleanCpuNs(k: Kernel, obj: VmObject, run: Run): number {
  let large = 0;
  const folios = obj.folios;
  for (let i = run.first; i < run.first + run.count; i++) if (obj.state(i) & Page.PMD_FOLIO || folios?.isUnstored(i)) large++;
  return large * k.cleanPmdPageNs + (run.count - large) * (peerRunning(k) ? k.cleanPageBusyNs : k.cleanPageNs) + k.cleanIoNs;
}

/**
 * write_cache_pages(WB_SYNC_ALL) over the pages tagged at the start: a
 * tagged page no longer dirty is skipped ("someone wrote it for us"); a
 * tagged page under writeback (WBD: redirtied while being written) is waited
 * for and then written if still dirty; the others are written in runs of
 * {@link towriteRun}. ext4_do_writepages holds a block plug throughout, so
 * the I/Os reach the device after the page work (or early, by the plug's
 * rule: ../../pager/plug.ts), and always before the task sleeps; none is
 * awaited here. A range with tagged pages first costs `cpu.writeback_call_us`
 * (the writeback's set-up, and its sleep and wake-up, charged up front).
 * Returns the I/Os issued, in a list of the pager's (give it back: Pager.releaseList).
 */
export function* fdatawrite(k: Kernel, acct: SyncAccount, obj: VmObject, first: number, end: number): KernelPath<IoList> {
  const tagged = tagToWrite(obj, first, end);
  if (tagged.length > 0 && k.writebackCallNs > 0) yield* cpu(k, k.writebackCallNs);
  const ios = k.pager.ioList();
  const plug = k.pager.plug();
  let at = 0;
  while (at < tagged.length) {
    const idx = tagged[at];
    if (!(obj.state(idx) & Page.DIRTY)) {
      at++;
      continue;
    }
    if (obj.state(idx) & Page.WB) {
      // folio_wait_writeback, then look at the page again; a task going to sleep flushes its plug (blk_flush_plug in schedule)
      plug.finish();
      while (obj.state(idx) & Page.WB) yield obj.waitQueue;
      continue;
    }
    const run = towriteRun(obj, tagged, at, k.clusterPages);
    const cpuNs = cleanCpuNs(k, obj, run); // priced as the pages are before they go under writeback
    ios.push(k.pager.write(obj, run.first, run.count, 'msync', true, plug));
    acct.pages += run.count;
    yield* cpu(k, cpuNs);
    at += run.count;
  }
  plug.finish();
  return ios;
}

/**
 * __filemap_fdatawait_range: waits, in index order, for every page of
 * [first, end) under writeback when the scan reaches it, whoever started the
 * I/O. A page that goes under writeback behind the scan is not waited for.
 */
export function* fdatawait(obj: VmObject, first: number, end: number): KernelPath<void> {
  for (let i = obj.next(first, end, Page.WB); i >= 0; i = obj.next(i + 1, end, Page.WB)) {
    while (obj.state(i) & Page.WB) yield obj.waitQueue;
  }
}

/**
 * file_write_and_wait_range over pages [first, end) of `obj`: write, then
 * wait. Returns false when an I/O this call issued failed (the errseq_t
 * error of writeback started by others is not modelled).
 */
export function* writeAndWaitRange(k: Kernel, acct: SyncAccount, obj: VmObject, first: number, end: number): KernelPath<boolean> {
  // the range's folios are written and waited for whole (tag_pages_for_writeback and the wait go by folio)
  if (obj.folios !== undefined) ({ first, end } = obj.folios.wholeFolios(first, end));
  const ios = yield* fdatawrite(k, acct, obj, first, end);
  yield* fdatawait(obj, first, end);
  let ok = true;
  for (let i = 0; i < ios.length; i++) if (!ios.at(i).ok) ok = false;
  k.pager.releaseList(ios); // completed: the wait saw each of their pages leave writeback
  return ok;
}
