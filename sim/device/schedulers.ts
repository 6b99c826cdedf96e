/**
 * The built-in I/O schedulers (`device.discipline`), written against the
 * plugin interface of sim/device/scheduler.ts:
 * - `fifo`: commands start in arrival order;
 * - `sync_first`: commands a synchronous waiter depends on (queued urgent, or
 *   expedited while queued) start before all others, each class in arrival order.
 */
import { IoFifo } from './io-fifo.ts';
import type { IoScheduler, IoSchedulerPlugin, QueuedIo } from './scheduler.ts';
import type { LoadedPlugin } from '../plugin/plugin.ts';
import { ConfigError } from '../config-error.ts';

/**
 * `fifo`'s scheduler: arrival order. A class, not an object of closures: a new
 * run's scheduler then has the methods the last run's had, and the code V8
 * optimised for those stays valid (closures made per run are new call targets).
 */
class FifoScheduler implements IoScheduler {
  private readonly q = new IoFifo<QueuedIo>();

  add(io: QueuedIo): void {
    this.q.push(io);
  }

  pick(): QueuedIo | undefined {
    return this.q.shift();
  }
}

/** `sync_first`'s scheduler: urgent commands first, each class in arrival order (a class for the reason {@link FifoScheduler} gives). */
class SyncFirstScheduler implements IoScheduler {
  private readonly urgent = new IoFifo<QueuedIo>();
  private readonly normal = new IoFifo<QueuedIo>();

  add(io: QueuedIo): void {
    (io.urgent ? this.urgent : this.normal).push(io);
  }

  expedite(io: QueuedIo): void {
    this.urgent.push(io);
  }

  pick(): QueuedIo | undefined {
    return this.urgent.shift() ?? this.normal.shift();
  }
}

/** `fifo`: arrival order. */
export const FIFO: IoSchedulerPlugin = {
  name: 'fifo',
  create: (): IoScheduler => new FifoScheduler(),
};

/** `sync_first`: urgent commands first (an expedited command is taken from the urgent queue; its old place is skipped). */
export const SYNC_FIRST: IoSchedulerPlugin = {
  name: 'sync_first',
  create: (): IoScheduler => new SyncFirstScheduler(),
};

/** The built-in disciplines by name. */
export const BUILTIN_SCHEDULERS: Readonly<Record<string, IoSchedulerPlugin>> = { fifo: FIFO, sync_first: SYNC_FIRST };

/** The built-in scheduler named `discipline`; throws for a name that is not built in. */
export function builtinScheduler(discipline: string): LoadedPlugin<IoSchedulerPlugin> {
  const plugin = BUILTIN_SCHEDULERS[discipline];
  if (!plugin) throw new ConfigError('device.discipline', `'${discipline}' is a plugin file, and this command does not load plugins (run and sweep do)`);
  return { name: discipline, plugin, params: {} };
}
