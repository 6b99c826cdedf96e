/**
 * The device's side of the I/O scheduler contract: it hands queued commands to
 * the scheduler, asks it what to start when a channel is free, and checks the
 * answers. A scheduler that throws, picks a command that is not queued, merges
 * commands that are not adjacent, asks for a nonsense hold-back, or leaves
 * commands queued on an idle device with no timer fails the run with a
 * {@link PluginError} naming the scheduler and the call.
 */
import type { Engine, EventTarget } from '../engine/queue.ts';
import type { DeviceView, Dispatch, IoScheduler, IoSchedulerPlugin, QueuedIo } from './scheduler.ts';
import { checkDelay, guarded, PluginError, pluginFailure, type LoadedPlugin } from '../plugin/plugin.ts';
import { BUILTIN_SCHEDULERS } from './schedulers.ts';
import { deviceView, QueuedViews } from './queued-view.ts';

/** Consecutive hold-backs with every channel idle and nothing started after which a scheduler is taken to make no progress. */
export const MAX_IDLE_HOLDS = 100_000;

/** What the queue needs of a device command (sim/device/device.ts Io). */
export interface Command extends QueuedIo {
  urgent: boolean;
  /** Writes a copy of the pages (no page state): merges only with copies. */
  readonly copy: boolean;
  readonly object: { readonly id: number; readonly name: string };
  /** @internal its slot in the queue that holds it, -1 when in none (kept by {@link DispatchQueue}). */
  qslot: number;
}

/**
 * The commands queued, as slots: a command knows its slot and the slot holds
 * the command itself, so membership is one comparison (a copy of a command
 * is not a member) and queueing allocates nothing once the slots have grown.
 */
class Slots<T extends Command> {
  private readonly items: (T | undefined)[] = [];
  private readonly free: number[] = [];
  size = 0;

  add(x: T): void {
    const k = this.free.length > 0 ? (this.free.pop() as number) : this.items.length;
    this.items[k] = x;
    x.qslot = k;
    this.size++;
  }

  has(x: T): boolean {
    const k = x.qslot;
    return typeof k === 'number' && k >= 0 && this.items[k] === x;
  }

  delete(x: T): void {
    if (!this.has(x)) return;
    const k = x.qslot;
    this.items[k] = undefined;
    x.qslot = -1;
    this.free.push(k);
    this.size--;
  }
}

/** The queue of a device: the commands waiting for a channel, ordered by a scheduler. */
export class DispatchQueue<Io extends Command> implements EventTarget, DeviceView {
  private readonly scheduler: IoScheduler;
  private readonly name: string;
  private readonly waiting = new Slots<Io>();
  /** Commands started as one with their leader (only merged commands are here). */
  private readonly groups = new Map<Io, Io[]>();
  /** When a hold-back timer is pending (ns), -1 if none. */
  private holdAt = -1;
  private idleHolds = 0;
  /** A plugin's read-only views of the commands and of the device; none for a built-in discipline, shown the commands themselves. */
  private readonly views: QueuedViews<Io> | undefined;
  private readonly shownDevice: DeviceView;
  /** Slots in use, kept by the device. */
  busy = 0;
  /** Queued urgent commands (a synchronous waiter depends on them). */
  urgentQueued = 0;

  constructor(
    private readonly engine: Engine,
    readonly channels: number,
    profile: string,
    loaded: LoadedPlugin<IoSchedulerPlugin>,
    /** Called when a hold-back timer expires: the device dispatches again. */
    private readonly onTimer: () => void,
  ) {
    this.name = loaded.name;
    const builtin = Object.values(BUILTIN_SCHEDULERS).includes(loaded.plugin);
    this.views = builtin ? undefined : new QueuedViews<Io>();
    this.shownDevice = builtin ? this : deviceView(this);
    this.scheduler = guarded(this.name, 'create()', () => loaded.plugin.create(loaded.params, { channels, profile }));
    if (!this.scheduler || typeof this.scheduler.add !== 'function' || typeof this.scheduler.pick !== 'function') {
      throw new PluginError(this.name, 'create()', 'must return an object with add() and pick()');
    }
  }

  /** Commands queued, not started. */
  get queued(): number {
    return this.waiting.size;
  }

  /** Queues `io`. */
  add(io: Io): void {
    this.waiting.add(io);
    if (io.urgent) this.urgentQueued++;
    try {
      this.scheduler.add(this.shown(io), this.engine.now);
    } catch (e) {
      throw pluginFailure(this.name, 'add()', e);
    }
  }

  /** `io` (queued or started) is now waited for synchronously: marks it urgent and tells the scheduler if it is queued. */
  expedite(io: Io): void {
    if (io.urgent || io.tStart >= 0) return;
    io.urgent = true;
    if (!this.waiting.has(io)) return;
    this.urgentQueued++;
    if (!this.scheduler.expedite) return;
    try {
      this.scheduler.expedite(this.shown(io), this.engine.now);
    } catch (e) {
      throw pluginFailure(this.name, 'expedite()', e);
    }
  }

  /** The commands started with leader `io` when it was a merge, else undefined. */
  group(io: Io): Io[] | undefined {
    return this.groups.size === 0 ? undefined : this.groups.get(io);
  }

  /** Forgets the merge led by `io` (it completed). */
  endGroup(io: Io): void {
    if (this.groups.size > 0) this.groups.delete(io);
  }

  /** The command to start on a free channel (the leader of a merge), or undefined. */
  take(): Io | undefined {
    if (this.waiting.size === 0) return undefined;
    let d: Dispatch;
    try {
      d = this.scheduler.pick(this.engine.now, this.shownDevice);
    } catch (e) {
      throw pluginFailure(this.name, 'pick()', e);
    }
    if (d === undefined || d === null) {
      if (this.busy === 0 && this.holdAt < 0) {
        throw new PluginError(this.name, 'pick()', `returned nothing while ${this.waiting.size} command(s) are queued and every channel is idle: they would never start (return { holdNs } to hold them back)`);
      }
      return undefined;
    }
    if (Array.isArray(d)) return this.takeGroup(d as QueuedIo[]);
    if (typeof d === 'object' && 'holdNs' in d && !('kind' in d)) return this.hold(d.holdNs);
    return this.takeOne(d as QueuedIo);
  }

  /** What the scheduler is shown of queued command `io`. */
  private shown(io: Io): QueuedIo {
    return this.views === undefined ? io : this.views.of(io);
  }

  /** The queued command the scheduler named with `q` (one it was shown, not started); undefined when `q` names none. A plugin's views are forgotten as their commands start, so a view it names is of a queued command. */
  private command(q: unknown): Io | undefined {
    if (this.views !== undefined) return this.views.io(q);
    const io = q as Io | null | undefined;
    return io !== null && typeof io === 'object' && this.waiting.has(io) ? io : undefined;
  }

  private takeOne(q: QueuedIo): Io {
    const io = this.command(q);
    if (io === undefined) throw new PluginError(this.name, 'pick()', `returned ${describe(q)}, which is not a queued command`);
    this.started(io);
    return io;
  }

  private takeGroup(list: readonly QueuedIo[]): Io {
    if (list.length === 0) throw new PluginError(this.name, 'pick()', 'returned an empty merge');
    const ios: Io[] = [];
    const seen = new Set<Io>();
    for (let i = 0; i < list.length; i++) {
      const io = this.command(list[i]);
      if (io === undefined || seen.has(io)) throw new PluginError(this.name, 'pick()', `merged ${describe(list[i])}, which is not a queued command (or is listed twice)`);
      ios.push(io);
      const lead = ios[0]!;
      seen.add(io);
      if (i === 0) {
        if (io.kind === 'flush' && list.length > 1) throw new PluginError(this.name, 'pick()', 'merged a flush: only reads or writes merge');
        continue;
      }
      const prev = ios[i - 1];
      if (io.object !== lead.object || io.kind !== lead.kind || io.fua !== lead.fua || io.preflush || io.copy !== lead.copy) {
        throw new PluginError(this.name, 'pick()', `merged ${describe(io)} with ${describe(lead)}: merged commands must be of one object and kind, with the same flags`);
      }
      if (io.first !== prev.first + prev.pages) {
        throw new PluginError(this.name, 'pick()', `merged ${describe(io)} after ${describe(prev)}: merged commands must be adjacent, in page order`);
      }
    }
    for (const io of ios) this.started(io);
    if (ios.length > 1) this.groups.set(ios[0], ios.slice());
    return ios[0];
  }

  private started(io: Io): void {
    this.waiting.delete(io);
    this.views?.forget(io);
    if (io.urgent) this.urgentQueued--;
    this.idleHolds = 0;
  }

  private hold(ns: unknown): undefined {
    const delay = checkDelay(this.name, 'pick()', 'holdNs', ns);
    if (this.busy === 0 && ++this.idleHolds > MAX_IDLE_HOLDS) {
      throw new PluginError(this.name, 'pick()', `held commands back ${MAX_IDLE_HOLDS} times in a row on an idle device without starting any (no progress)`);
    }
    const at = this.engine.now + delay;
    if (this.holdAt < 0 || at < this.holdAt) {
      this.holdAt = at;
      this.engine.at(at, this);
    }
    return undefined;
  }

  /** A hold-back timer expired. */
  fire(): void {
    if (this.engine.now < this.holdAt) return; // superseded by an earlier timer that already fired
    this.holdAt = -1;
    this.onTimer();
  }
}

/** A command as messages name it. */
function describe(q: unknown): string {
  if (typeof q !== 'object' || q === null) return String(q);
  const io = q as Partial<QueuedIo>;
  // a queued command has all of these; an object the plugin made up is shown as it is
  if (typeof io.id !== 'number' || typeof io.kind !== 'string' || typeof io.object?.name !== 'string' || typeof io.first !== 'number' || typeof io.pages !== 'number') {
    return `${JSON.stringify(q)?.slice(0, 80) ?? String(q)} (not a command the queue gave it)`;
  }
  return `I/O ${io.id} (${io.kind} of ${io.object.name} pages ${io.first}+${io.pages})`;
}
