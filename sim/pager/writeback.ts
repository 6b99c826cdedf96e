/**
 * The background writeback daemon (`writeback.policy`): it wakes its policy
 * on a timer and, when the policy throttles writers, on every writer's
 * RATELIMIT_PAGES dirtied pages; it gives the policy its context (read-only
 * views and the pager's write) and checks what the policy answers. What to
 * write is the policy's (sim/pager/writeback-policy.ts; the built-ins in
 * writeback-policies.ts). All these writes carry cause `syncer`.
 *
 * A policy that throws, writes outside an object, asks for a nonsense delay
 * or makes no progress fails the run with a {@link PluginError} naming the
 * policy and the call.
 */
import type { EventTarget } from '../engine/queue.ts';
import type { Kernel, ThrottleTotals } from '../kernel.ts';
import { Page, type VmObject } from '../vm/object.ts';
import type { VmMap } from '../vm/map.ts';
import type { KernelPath } from '../vm/process.ts';
import { collectCluster } from './cluster.ts';
import type { DeviceQueueView, MemoryView, ObjectView, WritebackContext, WritebackPolicy, WritebackPolicyPlugin } from './writeback-policy.ts';
import { checkDelay, guarded, PluginError, type LoadedPlugin } from '../plugin/plugin.ts';
import { BUILTIN_POLICIES } from './writeback-policies.ts';

/** Context calls (write, restartAge, objects) one policy call may make before it is taken to loop without progress. */
export const MAX_CALLS_PER_WAKE = 1_000_000;
/** Longest a writer may be stalled by one balance call: an hour of simulated time (ns). */
export const MAX_STALL_NS = 3_600e9;
/** Consecutive wake-ups under a microsecond apart that write nothing after which a policy is taken to make no progress. */
export const MAX_IDLE_WAKES = 10_000;

/** A read-only view of one object. */
class ObjectViewOf implements ObjectView {
  constructor(readonly o: VmObject) {}
  get id(): number { return this.o.id; }
  get name(): string { return this.o.name; }
  get kind(): 'vnode' | 'anon' { return this.o.kind; }
  get sizePages(): number { return this.o.sizePages; }
  get dirtyPages(): number { return this.o.dirtyPages; }
  get writebackPages(): number { return this.o.wbPages; }
  get dirtySince(): number { return this.o.dirtySince; }
  nextDirty(from: number, to = Math.max(this.o.sizePages, 1)): number {
    return this.o.next(from, to, Page.DIRTY);
  }
  underWriteback(idx: number): boolean {
    return (this.o.state(idx) & Page.WB) !== 0;
  }
}

/** The background writeback daemon of one run. */
export class BackgroundWriteback implements EventTarget, WritebackContext {
  readonly throttle: ThrottleTotals = { count: 0, totalNs: 0, maxNs: 0 };
  private readonly name: string;
  private readonly policy: WritebackPolicy;
  private readonly intervalNs: number;
  private armed = false;
  private readonly views = new Map<VmObject, ObjectViewOf>();
  private calls = 0;
  private call = 'wake()';
  private idleWakes = 0;
  private issued = 0;
  readonly memory: MemoryView;
  readonly device: DeviceQueueView;
  readonly clusterPages: number;

  constructor(private readonly k: Kernel, loaded: LoadedPlugin<WritebackPolicyPlugin>, memoryPages: number) {
    const cfg = k.config.writeback;
    this.name = loaded.name;
    this.intervalNs = Math.round(cfg.interval_ms * 1e6);
    this.clusterPages = k.clusterPages;
    const keys: Record<string, unknown> = { ...cfg };
    delete keys.params;
    this.policy = guarded(this.name, 'create()', () => loaded.plugin.create(loaded.params, { memoryPages, intervalNs: this.intervalNs, clusterPages: k.clusterPages, keys }));
    if (typeof this.policy !== 'object' || this.policy === null) throw new PluginError(this.name, 'create()', 'must return an object (with wake() and/or balance())');
    // only the built-in `none` does nothing; a plugin's policy that would never be called is a mistake (a scheduler's file, a misspelt method)
    if (!Object.hasOwn(BUILTIN_POLICIES, this.name) && typeof this.policy.wake !== 'function' && typeof this.policy.balance !== 'function') {
      const scheduler = ['add', 'pick'].every((m) => typeof (this.policy as Record<string, unknown>)[m] === 'function');
      throw new PluginError(this.name, 'create()', `returned an object with neither wake() nor balance(), so the policy would never run${scheduler ? ': its add() and pick() are an I/O scheduler\'s, which device.discipline names' : ''} (writeback.policy: none writes nothing in the background)`);
    }
    const c = k.vm.counters;
    this.memory = {
      get pages() { return memoryPages; },
      get resident() { return c.resident; },
      get dirty() { return c.dirty; },
      get writeback() { return c.wb; },
      get wired() { return c.wired; },
    };
    const dev = k.device;
    this.device = {
      get channels() { return dev.queue.channels; },
      get busy() { return dev.queue.busy; },
      get queued() { return dev.queue.queued; },
      get urgentQueued() { return dev.queue.urgentQueued; },
      get outstanding() { return dev.outstanding; },
    };
  }

  /** Whether the policy has anything to do (a timer or throttling): else no daemon runs (`none`). */
  get active(): boolean {
    return typeof this.policy.wake === 'function' || this.throttles;
  }

  /** Whether writers are throttled (the policy has `balance`; the built-in flusher with a finite memory). */
  get throttles(): boolean {
    return typeof this.policy.balance === 'function';
  }

  /** Simulated time now (ns). */
  get now(): number {
    return this.k.engine.now;
  }

  /** Schedules the next wake-up after `delayNs` (no-op when one is pending, or without `wake`); as a daemon event it does not keep a finished replay going. */
  arm(delayNs = this.intervalNs): void {
    if (this.armed || typeof this.policy.wake !== 'function') return;
    this.armed = true;
    this.k.engine.afterDaemon(delayNs, this);
  }

  /** A timer wake-up. */
  fire(): void {
    this.armed = false;
    this.begin('wake()');
    const before = this.issued;
    const d = guarded(this.name, 'wake()', () => this.policy.wake!(this));
    const delay = d === undefined ? this.intervalNs : checkDelay(this.name, 'wake()', 'the delay to the next wake-up', d);
    if (delay < 1000 && this.issued === before) {
      if (++this.idleWakes > MAX_IDLE_WAKES) throw new PluginError(this.name, 'wake()', `woke ${MAX_IDLE_WAKES} times in a row less than 1 µs apart without writing anything (no progress)`);
    } else this.idleWakes = 0;
    this.arm(delay);
  }

  private begin(call: string): void {
    this.call = call;
    this.calls = 0;
  }

  private step(what: string): void {
    if (++this.calls > MAX_CALLS_PER_WAKE) {
      throw new PluginError(this.name, this.call, `made more than ${MAX_CALLS_PER_WAKE} ${what} calls in one call (no progress)`);
    }
  }

  /** Every file object, in creation order. */
  objects(): readonly ObjectView[] {
    this.step('ctx.objects()');
    const out: ObjectView[] = [];
    for (const o of this.k.vm.objects.values()) out.push(this.viewOf(o));
    return out;
  }

  private viewOf(o: VmObject): ObjectViewOf {
    let v = this.views.get(o);
    if (!v) this.views.set(o, (v = new ObjectViewOf(o)));
    return v;
  }

  private objectOf(view: ObjectView, call: string): VmObject {
    if (!(view instanceof ObjectViewOf)) throw new PluginError(this.name, `${this.call} ${call}`, `its object is not one of ctx.objects() (got ${typeof view === 'object' ? JSON.stringify(view)?.slice(0, 60) : String(view)})`);
    return view.o;
  }

  /** Writes back the dirty, idle pages of [first, first+count) of `view` in clusters; returns pages queued. */
  write(view: ObjectView, first: number, count: number): number {
    this.step('ctx.write()');
    const obj = this.objectOf(view, 'ctx.write()');
    const size = Math.max(obj.sizePages, 1);
    const wrong = notInteger('first', 'page index', first) ?? notInteger('count', 'number of pages', count) ?? (count < 1 ? `count must be at least 1 page (got ${count})` : undefined);
    if (wrong !== undefined) throw new PluginError(this.name, `${this.call} ctx.write()`, wrong);
    if (first < 0 || first + count > size) {
      throw new PluginError(this.name, `${this.call} ctx.write()`, `pages [${first}, ${first} + ${count}) are not a range inside object '${obj.name}' (pages 0 to ${size - 1})`);
    }
    let idx = first, issued = 0;
    const end = first + count;
    for (;;) {
      idx = obj.next(idx, end, Page.DIRTY);
      if (idx < 0) break;
      if (obj.state(idx) & Page.WB) {
        idx++; // re-dirtied during writeback (Linux WBD): wait for the next pass
        continue;
      }
      const run = collectCluster(obj, idx, this.k.clusterPages);
      this.k.pager.write(obj, run.first, run.count, 'syncer', false);
      issued += run.count;
      idx = run.first + run.count;
    }
    this.issued += issued;
    return issued;
  }

  /** A still-dirty object ages again from now. */
  restartAge(view: ObjectView): void {
    this.step('ctx.restartAge()');
    const obj = this.objectOf(view, 'ctx.restartAge()');
    if (obj.dirtyPages > 0) obj.dirtySince = this.k.engine.now;
  }

  /**
   * The writer of `map` dirtied RATELIMIT_PAGES (vm/ratelimit.ts) more pages:
   * it pauses for as long as the policy's `balance` says (throttle totals).
   */
  *balance(map: VmMap): KernelPath<void> {
    map.dirtiedSinceCheck = 0;
    this.begin('balance()');
    const it = guarded(this.name, 'balance()', () => this.policy.balance!(this));
    if (typeof it !== 'object' || it === null || typeof it.next !== 'function') throw new PluginError(this.name, 'balance()', 'must return an iterator of pauses (a generator function: function* balance(ctx) { ... })');
    let stalled = 0;
    for (;;) {
      this.begin('balance()');
      const r = guarded(this.name, 'balance()', () => it.next());
      if (r.done) break;
      const pause = checkDelay(this.name, 'balance()', 'a throttle pause', r.value);
      stalled += pause;
      if (stalled > MAX_STALL_NS) throw new PluginError(this.name, 'balance()', `stalled a writer for more than an hour of simulated time in one call (no progress)`);
      yield pause;
    }
    if (stalled > 0) {
      this.throttle.count++;
      this.throttle.totalNs += stalled;
      if (stalled > this.throttle.maxNs) this.throttle.maxNs = stalled;
    }
  }
}

/** What is wrong with `value`, the argument `name` of a context call that takes an integer (`what`), or undefined when it is one. */
function notInteger(name: string, what: string, value: unknown): string | undefined {
  if (Number.isInteger(value)) return undefined;
  const got = typeof value === 'number' ? String(value) : typeof value === 'string' ? `the string '${value.slice(0, 40)}'` : `${value === null ? 'null' : typeof value}`;
  return `${name} must be an integer ${what} (got ${got})`;
}
