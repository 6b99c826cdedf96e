/**
 * The built-in writeback policies (`writeback.policy`), written against the
 * plugin interface of sim/pager/writeback-policy.ts:
 * - `none`: no background writeback.
 * - `syncer` (FreeBSD-style): every `interval_ms`, the dirty pages of every
 *   object dirty for longer than `delay_ms` are written (asynchronous
 *   clusters, like vfs_msync's vm_object_page_clean with OBJPC_NOSYNC).
 * - `flusher` (Linux-style): every `interval_ms`, objects dirtied longer ago
 *   than `expire_ms` are written (kupdate); with a finite memory, background
 *   writeback starts when dirty pages exceed `background_ratio` % of
 *   `memory.pages`, and writers are throttled (balance_dirty_pages) above the
 *   freerun ceiling, with pauses growing to `max_pause_ms` as dirty pages
 *   approach `dirty_ratio` %, and held there until they fall below it.
 * An object still dirty after a pass starts ageing again from that pass.
 */
import type { ObjectView, WritebackContext, WritebackPolicy, WritebackPolicyPlugin, WritebackSetup } from './writeback-policy.ts';
import type { LoadedPlugin } from '../plugin/plugin.ts';
import { ConfigError } from '../config-error.ts';

/** Writes every dirty page of `obj` not under writeback; a still-dirty object ages again from now. Returns the pages queued. */
export function writeWholeObject(ctx: WritebackContext, obj: ObjectView): number {
  const issued = ctx.write(obj, 0, Math.max(obj.sizePages, 1));
  ctx.restartAge(obj);
  return issued;
}

/** Writes every object dirty for at least `ageNs` (a kupdate / syncer pass). */
export function writeExpired(ctx: WritebackContext, ageNs: number): number {
  let issued = 0;
  for (const obj of ctx.objects()) {
    if (obj.dirtyPages > 0 && obj.dirtySince >= 0 && ctx.now - obj.dirtySince >= ageNs) issued += writeWholeObject(ctx, obj);
  }
  return issued;
}

/** Above `threshold` dirty pages: writes the longest-dirty file objects whole until at or below it. */
export function writeOldestUntil(ctx: WritebackContext, threshold: number): number {
  const m = ctx.memory;
  if (m.dirty <= threshold) return 0;
  const objs = ctx.objects().filter((o) => o.dirtyPages > 0 && o.kind === 'vnode');
  objs.sort((a, b) => a.dirtySince - b.dirtySince || a.id - b.id);
  let issued = 0;
  for (const o of objs) {
    if (m.dirty <= threshold) break;
    issued += writeWholeObject(ctx, o);
  }
  return issued;
}

/** `none`: no background writeback. */
export const NONE: WritebackPolicyPlugin = { name: 'none', create: () => ({}) };

/** `syncer`: writes objects dirty for longer than `delay_ms`, every `interval_ms`. */
export const SYNCER: WritebackPolicyPlugin = {
  name: 'syncer',
  create(_params, setup: WritebackSetup): WritebackPolicy {
    const ageNs = Math.round((setup.keys.delay_ms as number) * 1e6);
    return { wake: (ctx) => void writeExpired(ctx, ageNs) };
  },
};

/** `flusher`: kupdate every `interval_ms`; background writeback and writer throttling with a finite memory. */
export const FLUSHER: WritebackPolicyPlugin = {
  name: 'flusher',
  create(_params, setup: WritebackSetup): WritebackPolicy {
    const k = setup.keys as Record<string, number>;
    const ageNs = Math.round(k.expire_ms * 1e6);
    const throttled = setup.memoryPages > 0;
    const bgThresh = throttled ? (k.background_ratio / 100) * setup.memoryPages : Infinity;
    const limit = throttled ? (k.dirty_ratio / 100) * setup.memoryPages : Infinity;
    const freerun = (bgThresh + limit) / 2;
    const maxPauseNs = Math.round(k.max_pause_ms * 1e6);
    const wake = (ctx: WritebackContext) => {
      writeExpired(ctx, ageNs);
      writeOldestUntil(ctx, bgThresh);
    };
    /**
     * balance_dirty_pages. Dirty memory here is dirty plus under-writeback pages, as in
     * Linux. Above the freerun ceiling the writer pauses in proportion to how
     * close dirty memory is to the limit; at or above the limit it pauses
     * `max_pause_ms` at a time until below it (or until no writeback can make
     * progress). Whenever dirty (reclaimable) pages exceed the background
     * threshold, background writeback is started.
     */
    function* balance(ctx: WritebackContext): Generator<number, void, void> {
      const c = ctx.memory;
      for (;;) {
        const dirty = c.dirty + c.writeback;
        if (dirty <= freerun) break;
        const issued = writeOldestUntil(ctx, bgThresh);
        if (issued === 0 && c.writeback === 0) break; // nothing can clean pages: do not stall forever
        const pos = Math.min(1, (dirty - freerun) / (limit - freerun));
        yield Math.max(1, Math.round(maxPauseNs * pos));
        if (dirty < limit && c.dirty + c.writeback < limit) break;
      }
      writeOldestUntil(ctx, bgThresh);
    }
    return throttled ? { wake, balance } : { wake };
  },
};

/** The built-in policies by name. */
export const BUILTIN_POLICIES: Readonly<Record<string, WritebackPolicyPlugin>> = { none: NONE, syncer: SYNCER, flusher: FLUSHER };

/** The `writeback.*` keys each built-in policy reads (the others have no effect under it); test/policy-keys.test.ts checks them against what each reads. */
export const POLICY_KEYS: Readonly<Record<string, readonly string[]>> = {
  none: [],
  syncer: ['interval_ms', 'delay_ms'],
  flusher: ['interval_ms', 'expire_ms', 'background_ratio', 'dirty_ratio', 'max_pause_ms'],
};

/** Every timing key of a built-in policy (`writeback.*`, not `policy` or `params`). */
export const WRITEBACK_TIMING_KEYS: readonly string[] = ['interval_ms', 'delay_ms', 'expire_ms', 'background_ratio', 'dirty_ratio', 'max_pause_ms'];

/** The built-in policy named `policy`; throws for a name that is not built in. */
export function builtinPolicy(policy: string): LoadedPlugin<WritebackPolicyPlugin> {
  const plugin = BUILTIN_POLICIES[policy];
  if (!plugin) throw new ConfigError('writeback.policy', `'${policy}' is a plugin file, and this command does not load plugins (run and sweep do)`);
  return { name: policy, plugin, params: {} };
}
