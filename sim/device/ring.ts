/**
 * The descriptor ring of a virtual disk's request queue (`device.ring_descriptors`):
 * a virtio-blk request takes one descriptor per scatter-gather segment of
 * its data plus two (its header and its status byte), unless the device
 * offers indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC), in which case
 * each request takes one. When the ring has too few free descriptors for
 * the next request, the driver leaves it queued (virtio_queue_rq returns
 * BLK_STS_DEV_RESOURCE) and blk-mq dispatches it again when a completion
 * frees room (drivers/block/virtio_blk.c, block/blk-mq.c). So requests of
 * many small segments — read-ahead into 4 KiB folios, 254 segments a
 * request on a ring of 256 — go to the device one at a time, while
 * requests of large folios overlap.
 */
import type { Io } from './device.ts';

/** Descriptors of a request beside its data segments: the request header and the status byte (virtio_blk.c virtblk_add_req). */
export const RING_OVERHEAD = 2;

/**
 * Descriptors `io` takes in a ring of `size` (with `group`, the commands
 * merged with it): its segments plus {@link RING_OVERHEAD}, at most the whole
 * ring. A read has a segment per folio; a write a segment per page (the
 * model does not know the folios of written pages); a FLUSH none.
 */
export function descriptorsOf(io: Io, group: readonly Io[] | undefined, size: number): number {
  if (io.kind === 'flush') return Math.min(size, RING_OVERHEAD);
  let segments = 0;
  if (group) for (const m of group) segments += Math.ceil(m.pages / m.folioPages);
  else segments = Math.ceil(io.pages / io.folioPages);
  return Math.min(size, segments + RING_OVERHEAD);
}

/** The free descriptors of a ring of `size` descriptors (0: no ring, every request fits). */
export class DescriptorRing {
  private free: number;

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Takes the `n` descriptors of a request if the ring has them; false (nothing taken) when it does not. */
  take(n: number): boolean {
    if (this.size === 0) return true;
    if (n > this.free) return false;
    this.free -= n;
    return true;
  }

  /** Gives back the `n` descriptors of a completed request. */
  release(n: number): void {
    if (this.size > 0) this.free += n;
  }

  /** Takes the descriptors of `io` (merged with `group`) if the ring has them; without a ring, at once and without counting. */
  admit(io: Io, group: readonly Io[] | undefined): boolean {
    return this.size === 0 || this.take(descriptorsOf(io, group, this.size));
  }

  /** Gives back the descriptors of `io` (merged with `group`), which completed. */
  complete(io: Io, group: readonly Io[] | undefined): void {
    if (this.size > 0) this.release(descriptorsOf(io, group, this.size));
  }
}
