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

/** `fifo`: arrival order. */
export const FIFO: IoSchedulerPlugin = {
  name: 'fifo',
  create(): IoScheduler {
    const q = new IoFifo<QueuedIo>();
    return { add: (io) => q.push(io), pick: () => q.shift() };
  },
};

/** `sync_first`: urgent commands first (an expedited command is taken from the urgent queue; its old place is skipped). */
export const SYNC_FIRST: IoSchedulerPlugin = {
  name: 'sync_first',
  create(): IoScheduler {
    const urgent = new IoFifo<QueuedIo>();
    const normal = new IoFifo<QueuedIo>();
    return {
      add: (io) => (io.urgent ? urgent : normal).push(io),
      expedite: (io) => urgent.push(io),
      pick: () => urgent.shift() ?? normal.shift(),
    };
  },
};

/** The built-in disciplines by name. */
export const BUILTIN_SCHEDULERS: Readonly<Record<string, IoSchedulerPlugin>> = { fifo: FIFO, sync_first: SYNC_FIRST };

/** The built-in scheduler named `discipline`; throws for a name that is not built in. */
export function builtinScheduler(discipline: string): LoadedPlugin<IoSchedulerPlugin> {
  const plugin = BUILTIN_SCHEDULERS[discipline];
  if (!plugin) throw new ConfigError('device.discipline', `'${discipline}' is a plugin file, and this command does not load plugins (run and sweep do)`);
  return { name: discipline, plugin, params: {} };
}
