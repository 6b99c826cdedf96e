/**
 * What a scheduler plugin is shown of the device queue: read-only views of
 * its commands (their object as its id and name alone) and of the device, so
 * that a plugin setting a field fails with a TypeError at that line instead of
 * changing the run's own state (a changed `first` would leave pages unwritten;
 * a command marked urgent by the scheduler would miscount the urgent ones).
 * The built-in disciplines are shown the commands themselves.
 */
import type { DeviceView, QueuedIo } from './scheduler.ts';

/** The fields of a command that a view shows (sim/device/dispatch.ts Command has them all). */
type Shown = Omit<QueuedIo, 'object'> & { readonly object: object & { readonly id: number; readonly name: string } };

/** The fields of a command a view reads from it when asked (its `object` is a view's own, fixed). */
const FIELDS = ['id', 'kind', 'first', 'pages', 'cause', 'urgent', 'fua', 'preflush', 'tSubmit', 'tStart'] as const satisfies readonly (keyof QueuedIo)[];

/**
 * A read-only view of one queued command: an own, enumerable getter for each of {@link FIELDS}
 * (so that `{ ...io }` copies what a command is, as it did the command itself), its object as a
 * frozen `{ id, name }`; setting any of them throws. A plugin may still add fields of its own.
 */
function viewOf(io: Shown, object: QueuedIo['object']): QueuedIo {
  const fields: PropertyDescriptorMap = { object: { value: object, enumerable: true } };
  for (const k of FIELDS) fields[k] = { get: () => io[k], enumerable: true };
  return Object.defineProperties(Object.create(QueuedCommand.prototype) as object, fields) as QueuedIo;
}

/** The class of the views (a name in messages: `Cannot set property first of #<QueuedCommand>`). */
class QueuedCommand {}

/** The views a scheduler plugin is shown of the commands of one queue, and the commands they stand for. */
export class QueuedViews<Io extends Shown> {
  /** The view of each queued command (the same one for `add` and `expedite`), until it starts. */
  private readonly views = new Map<Io, QueuedIo>();
  /** The command of each view given out, until it starts. */
  private readonly ios = new Map<QueuedIo, Io>();
  /** Each object's `{ id, name }`, one per object, so that a plugin may compare them. */
  private readonly objects = new Map<object, QueuedIo['object']>();

  /** The view of queued command `io` (made when it is first shown). */
  of(io: Io): QueuedIo {
    let v = this.views.get(io);
    if (v === undefined) {
      let o = this.objects.get(io.object);
      if (o === undefined) this.objects.set(io.object, (o = Object.freeze({ id: io.object.id, name: io.object.name })));
      v = viewOf(io, o);
      this.views.set(io, v);
      this.ios.set(v, io);
    }
    return v;
  }

  /** The queued command `view` stands for; undefined for anything else (an object of the plugin's, a view of a command started). */
  io(view: unknown): Io | undefined {
    return this.ios.get(view as QueuedIo);
  }

  /** Command `io` started (or left the queue): its view stands for nothing any more. */
  forget(io: Io): void {
    const v = this.views.get(io);
    if (v === undefined) return;
    this.views.delete(io);
    this.ios.delete(v);
  }
}

/** The fields of the device a scheduler's `pick` reads. */
const DEVICE_FIELDS = ['channels', 'busy', 'queued'] as const satisfies readonly (keyof DeviceView)[];

/** A read-only view of `device` (its fields read when asked). */
export function deviceView(device: DeviceView): DeviceView {
  const getters = Object.fromEntries(DEVICE_FIELDS.map((k) => [k, { get: () => device[k], enumerable: true }]));
  return Object.freeze(Object.defineProperties({}, getters)) as DeviceView;
}
