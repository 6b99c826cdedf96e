/**
 * The I/O scheduler plugin interface (`device.discipline`): the elevator of
 * the block layer. The device tells the scheduler of every command queued
 * (`add`) and of a command a synchronous waiter now depends on (`expedite`);
 * whenever a channel is free it asks which queued command to start (`pick`).
 * The scheduler may reorder freely, start adjacent commands of one object as
 * one (a merge: an array of them), or hold commands back for a while
 * (`{ holdNs }`: asked again after that delay). The built-in disciplines
 * `fifo` and `sync_first` are written against this interface
 * (sim/device/schedulers.ts); so are the examples in workloads/plugins/.
 *
 * Everything a scheduler receives is a read-only view: changing it is an
 * error of the plugin. Times are simulated nanoseconds.
 */
import type { ParamsSchema } from '../plugin/plugin.ts';

/** What a scheduler sees of one queued device command. */
export interface QueuedIo {
  /** Unique per run, increasing in submission order. */
  readonly id: number;
  /** What the command does (sim/device/device.ts IoKind). */
  readonly kind: 'read' | 'write' | 'flush';
  /** The object whose pages move (`id` also places it on a disk). */
  readonly object: { readonly id: number; readonly name: string };
  /** First page index in the object. */
  readonly first: number;
  /** Pages moved (0 for a flush). */
  readonly pages: number;
  /** Why it was issued: `pagein`/`readahead` for reads; `msync`, `syncer`, `pageout`, `journal`, `metadata` for writes. */
  readonly cause: string;
  /** A synchronous waiter (an msync, a fault, a journal commit) waits for it. */
  readonly urgent: boolean;
  /** Forced unit access (REQ_FUA). */
  readonly fua: boolean;
  /** The write cache is drained before it (REQ_PREFLUSH). */
  readonly preflush: boolean;
  /** When it was queued (ns). */
  readonly tSubmit: number;
  /** When it started, -1 while queued. */
  readonly tStart: number;
}

/** What a scheduler sees of the device when it is asked to pick. */
export interface DeviceView {
  /** Command slots (`device.channels`). */
  readonly channels: number;
  /** Slots in use now (a free one is being filled when `pick` is called). */
  readonly busy: number;
  /** Commands queued, not started. */
  readonly queued: number;
}

/**
 * A scheduler's answer to `pick`: a queued command to start now; several
 * queued commands to start as one (same object and kind, contiguous, in page
 * order: a merge); `{ holdNs }` to start nothing now and be asked again after
 * that many ns (> 0); or nothing (null/undefined) when no command is queued or
 * channels are busy and the scheduler waits for a completion.
 */
export type Dispatch = QueuedIo | readonly QueuedIo[] | { readonly holdNs: number } | null | undefined | void;

/** One run's I/O scheduler. */
export interface IoScheduler {
  /** Command `io` was queued at `now`. */
  add(io: QueuedIo, now: number): void;
  /** A synchronous waiter now depends on queued `io` (its `urgent` flag has just been set). */
  expedite?(io: QueuedIo, now: number): void;
  /** A channel is free at `now`: which command(s) to start. */
  pick(now: number, device: DeviceView): Dispatch;
}

/** What a scheduler is made from. */
export interface SchedulerSetup {
  /** `device.channels`. */
  readonly channels: number;
  /** `device.profile`. */
  readonly profile: string;
}

/** An I/O scheduler as a plugin module exports it (default export, or `scheduler`). */
export interface IoSchedulerPlugin<P = Record<string, unknown>> {
  /** Short name, used in messages. */
  readonly name: string;
  /** JSON schema of `device.discipline_params` (validated before the run; defaults are filled in). */
  readonly paramsSchema?: ParamsSchema;
  /** A new scheduler for one run. */
  create(params: P, setup: SchedulerSetup): IoScheduler;
}

/** Identity helper giving a plugin module its type: `export default defineScheduler({ ... })`. */
export function defineScheduler<P>(plugin: IoSchedulerPlugin<P>): IoSchedulerPlugin<P> {
  return plugin;
}
