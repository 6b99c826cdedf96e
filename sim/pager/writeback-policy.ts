/**
 * The writeback policy plugin interface (`writeback.policy`): what the
 * background writeback daemon (Linux's flusher threads, FreeBSD's syncer)
 * decides. The daemon wakes the policy on its timer (`wake`, every
 * `writeback.interval_ms` unless the policy asks for another delay) and, when
 * the policy throttles writers, each time a writer has dirtied
 * RATELIMIT_PAGES (32) more pages (`balance`, Linux balance_dirty_pages).
 * The policy sees read-only views (the objects with their dirty pages and
 * since when they are dirty, the device queue, the memory counters) and asks
 * the pager to write page ranges back (`ctx.write`); those writes carry cause
 * `syncer` in writeback.csv. The built-in policies `none`, `syncer` and
 * `flusher` are written against this interface (sim/pager/writeback-policies.ts);
 * so are the examples in plugins/.
 *
 * Times are simulated nanoseconds. A policy keeps whatever state it likes in
 * the object `create` returns; it must not change the views.
 */
import type { ParamsSchema } from '../plugin/plugin.ts';

/** What a policy sees of one memory object (a mapped file). */
export interface ObjectView {
  /** Unique per run, in creation order. */
  readonly id: number;
  readonly name: string;
  /** `vnode`: a file with a pager; `anon`: anonymous memory (not written back). */
  readonly kind: 'vnode' | 'anon';
  /** Size in pages (the largest extent any mapping gave it). */
  readonly sizePages: number;
  /** Dirty pages (under writeback or not). */
  readonly dirtyPages: number;
  /** Pages under writeback now. */
  readonly writebackPages: number;
  /** When the object went from clean to dirty (ns; Linux inode dirtied_when), or when a pass last restarted its age; -1 while clean. */
  readonly dirtySince: number;
  /** The first dirty page in [from, to) (to: default the object's end), or -1. */
  nextDirty(from: number, to?: number): number;
  /** Whether page `idx` is under writeback now. */
  underWriteback(idx: number): boolean;
}

/** The memory counters (pages). */
export interface MemoryView {
  /** `memory.pages` (0: unlimited memory). */
  readonly pages: number;
  readonly resident: number;
  /** Dirty pages not under writeback. */
  readonly dirty: number;
  /** Pages under writeback. */
  readonly writeback: number;
  readonly wired: number;
}

/** What a policy sees of the device. */
export interface DeviceQueueView {
  /** Command slots (`device.channels`). */
  readonly channels: number;
  /** Slots in use. */
  readonly busy: number;
  /** Commands queued, not started. */
  readonly queued: number;
  /** Queued commands a synchronous waiter (an msync, a fault) depends on. */
  readonly urgentQueued: number;
  /** Commands submitted and not completed. */
  readonly outstanding: number;
}

/** The policy's window on the kernel during one call. */
export interface WritebackContext {
  /** Simulated time now (ns). */
  readonly now: number;
  readonly memory: MemoryView;
  readonly device: DeviceQueueView;
  /** Largest write cluster (`pager.cluster_pages`). */
  readonly clusterPages: number;
  /** Every file object, in creation order. */
  objects(): readonly ObjectView[];
  /**
   * Writes back the dirty pages of `obj` in [first, first+count) that are not
   * under writeback already, in clusters of up to `clusterPages` (a cluster
   * may extend past the range to adjacent dirty pages, as FreeBSD's
   * clustering does). Returns the pages it queued. The range must lie inside
   * the object.
   */
  write(obj: ObjectView, first: number, count: number): number;
  /** An object still dirty starts ageing again now (its `dirtySince` becomes `now`). */
  restartAge(obj: ObjectView): void;
}

/** One run's writeback policy. Both methods are optional: a policy with neither is `none`. */
export interface WritebackPolicy {
  /** A timer wake-up; returns the delay (ns) to the next one, or nothing for `writeback.interval_ms`. */
  wake?(ctx: WritebackContext): number | void;
  /**
   * A writer dirtied RATELIMIT_PAGES more pages: yield throttle pauses (ns,
   * > 0) for as long as the writer must wait; the context is current again
   * after each pause. Defining it makes writers call it.
   */
  balance?(ctx: WritebackContext): Iterator<number, void, void>;
}

/** What a policy is made from. */
export interface WritebackSetup {
  /** `memory.pages` (0: unlimited). */
  readonly memoryPages: number;
  /** `writeback.interval_ms` in ns: the daemon's default period. */
  readonly intervalNs: number;
  /** `pager.cluster_pages`. */
  readonly clusterPages: number;
  /** The `writeback.*` keys of the run (delay_ms, expire_ms, ratios, ...). */
  readonly keys: Readonly<Record<string, unknown>>;
}

/** A writeback policy as a plugin module exports it (default export, or `policy`). */
export interface WritebackPolicyPlugin<P = Record<string, unknown>> {
  /** Short name, used in messages. */
  readonly name: string;
  /** JSON schema of `writeback.params` (validated before the run; defaults are filled in). */
  readonly paramsSchema?: ParamsSchema;
  /** A new policy for one run. */
  create(params: P, setup: WritebackSetup): WritebackPolicy;
}

/** Identity helper giving a plugin module its type: `export default definePolicy({ ... })`. */
export function definePolicy<P>(plugin: WritebackPolicyPlugin<P>): WritebackPolicyPlugin<P> {
  return plugin;
}
