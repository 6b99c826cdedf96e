/**
 * An example writeback policy plugin (`writeback.policy: ./adaptive-flusher.ts`),
 * written only against the public interface (sim/pager/writeback-policy.ts):
 * a flusher that adapts how much it writes to what the device is doing.
 *
 * Every `writeback.interval_ms` it looks at the device queue:
 * - commands a synchronous waiter depends on are queued (msyncs wait): it
 *   writes nothing but objects dirty for longer than `expire_ms`, and
 *   looks again after `backoff_ms`;
 * - the device is idle (nothing queued or in service): it writes up to
 *   `idle_pages` dirty pages, oldest objects first, however young;
 * - otherwise: objects dirty for longer than `expire_ms`, at most
 *   `busy_pages` pages.
 * It does not throttle writers.
 */
import { definePolicy, type ObjectView, type WritebackContext, type WritebackPolicy } from '../../sim/pager/writeback-policy.ts';

/** The parameters (`writeback.params`). */
export interface AdaptiveFlusherParams {
  backoff_ms: number;
  expire_ms: number;
  idle_pages: number;
  busy_pages: number;
}

/** Writes up to `budget` dirty pages of `obj` not under writeback, in clusters; returns pages queued. */
function writeSome(ctx: WritebackContext, obj: ObjectView, budget: number): number {
  const end = Math.max(obj.sizePages, 1);
  let written = 0;
  for (let idx = obj.nextDirty(0); idx >= 0 && idx < end && written < budget; idx = obj.nextDirty(idx)) {
    if (obj.underWriteback(idx)) {
      idx++;
      if (idx >= end) break;
      continue;
    }
    const n = Math.min(ctx.clusterPages, budget - written, end - idx);
    written += ctx.write(obj, idx, n);
    idx += n;
    if (idx >= end) break;
  }
  if (obj.dirtyPages > 0) ctx.restartAge(obj);
  return written;
}

/** File objects with dirty pages, longest-dirty first. */
function oldestFirst(ctx: WritebackContext, minAgeNs: number): ObjectView[] {
  return ctx.objects()
    .filter((o) => o.kind === 'vnode' && o.dirtyPages > 0 && o.dirtySince >= 0 && ctx.now - o.dirtySince >= minAgeNs)
    .sort((a, b) => a.dirtySince - b.dirtySince || a.id - b.id);
}

export default definePolicy<AdaptiveFlusherParams>({
  name: 'adaptive-flusher',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      backoff_ms: { type: 'number', exclusiveMinimum: 0, maximum: 86400e3, default: 20 },
      expire_ms: { type: 'number', minimum: 0, maximum: 86400e3, default: 5000 },
      idle_pages: { type: 'integer', minimum: 0, maximum: 2 ** 30, default: 4096 },
      busy_pages: { type: 'integer', minimum: 0, maximum: 2 ** 30, default: 256 },
    },
  },
  create(p, setup): WritebackPolicy {
    const expireNs = p.expire_ms * 1e6;
    const backoffNs = p.backoff_ms * 1e6;
    return {
      wake(ctx) {
        const d = ctx.device;
        let budget: number, minAge: number, next = setup.intervalNs;
        if (d.urgentQueued > 0) {
          budget = Infinity; // only expired objects, however many
          minAge = expireNs;
          next = backoffNs;
        } else if (d.queued === 0 && d.busy === 0) {
          budget = p.idle_pages;
          minAge = 0;
        } else {
          budget = p.busy_pages;
          minAge = expireNs;
        }
        for (const obj of oldestFirst(ctx, minAge)) {
          if (budget <= 0) break;
          budget -= writeSome(ctx, obj, budget);
        }
        return next;
      },
    };
  },
});
