/**
 * A task's block-layer plug (Linux blk_plug, block/blk-mq.c): requests a
 * task builds between blk_start_plug and blk_finish_plug wait on its plug
 * list instead of going to the device one by one, so that they reach the
 * device together. ext4_do_writepages plugs around the whole writeback of a
 * range, so an msync's writes are dispatched after the CPU work of cleaning
 * its pages, as block traces of this kernel show (an msync of 8 scattered
 * pages: all 8 writes issued within 4 µs, after the page work).
 *
 * blk_add_rq_to_plug dispatches the list early, before adding a request,
 * when it already holds BLK_MAX_REQUEST_COUNT (32) requests or its last
 * request is at least BLK_PLUG_FLUSH_SIZE (128 KiB).
 */
import type { BlockDevice, Io } from '../device/device.ts';

/** BLK_MAX_REQUEST_COUNT: requests a plug holds before it is flushed (include/linux/blkdev.h). */
export const BLK_MAX_REQUEST_COUNT = 32;
/** BLK_PLUG_FLUSH_SIZE: a plugged request this large flushes the plug when the next one comes (bytes). */
export const BLK_PLUG_FLUSH_SIZE = 128 * 1024;

/** One plug: I/Os held back until {@link finish} or the early-dispatch rule. */
export class BlkPlug {
  private list: Io[] = [];

  constructor(private readonly device: BlockDevice, private readonly pageSize: number) {}

  /** Adds `io` to the plug list, first dispatching the list when blk_add_rq_to_plug would. */
  add(io: Io): void {
    const last = this.list[this.list.length - 1];
    if (last && (this.list.length >= BLK_MAX_REQUEST_COUNT || last.pages * this.pageSize >= BLK_PLUG_FLUSH_SIZE)) this.finish();
    this.list.push(io);
  }

  /** blk_finish_plug: dispatches what the list holds, in order, as one submission (blk_mq_flush_plug_list → queue_rqs: one kick). */
  finish(): void {
    const list = this.list;
    if (list.length === 0) return;
    this.list = [];
    this.device.submitAll(list);
  }
}
