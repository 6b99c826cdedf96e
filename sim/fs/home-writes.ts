/**
 * Journalled metadata reaching its home location: after a jbd2 commit the
 * transaction's metadata buffers are dirty buffers of the block device,
 * written back like any dirty page by background writeback (the flusher's
 * kupdate pass after `writeback.expire_ms`, or the syncer after
 * `writeback.delay_ms`), once per block however many commits dirtied it in
 * between. With `writeback.policy: none` nothing writes them back (the
 * journal is large enough for a run; jbd2's checkpointing on a full journal
 * is not modelled).
 */
import type { EventTarget } from '../engine/queue.ts';
import type { Kernel } from '../kernel.ts';
import type { VmObject } from '../vm/object.ts';

/** Delayed home-location writes of metadata blocks (cause `metadata`). */
export class HomeWrites implements EventTarget {
  private readonly pending = new Set<number>();
  private readonly delayNs: number;

  constructor(
    private readonly k: Kernel,
    /** The filesystem's metadata blocks, block `i` at page `i`. */
    readonly obj: VmObject,
  ) {
    const wb = k.config.writeback;
    this.delayNs = wb.policy === 'none' ? -1 : Math.round((wb.policy === 'flusher' ? wb.expire_ms : wb.delay_ms) * 1e6);
  }

  /** Block `block` became dirty now. */
  dirty(block: number): void {
    if (this.delayNs < 0 || this.pending.has(block)) return;
    this.pending.add(block);
    this.k.engine.afterDaemon(this.delayNs, this, block);
  }

  /** Background writeback writes the block. */
  fire(arg: unknown): void {
    const block = arg as number;
    this.pending.delete(block);
    this.k.pager.writeFs(this.obj, block, 1, 'metadata');
  }
}
