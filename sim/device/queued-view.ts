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

/** A read-only view of one queued command: getters over the command, its object as a frozen `{ id, name }`. */
class QueuedCommand implements QueuedIo {
  readonly #io: Shown;
  readonly #object: QueuedIo['object'];

  constructor(io: Shown, object: QueuedIo['object']) {
    this.#io = io;
    this.#object = object;
  }

  get id(): number {
    return this.#io.id;
  }

  get kind(): QueuedIo['kind'] {
    return this.#io.kind;
  }

  get object(): QueuedIo['object'] {
    return this.#object;
  }

  get first(): number {
    return this.#io.first;
  }

  get pages(): number {
    return this.#io.pages;
  }

  get cause(): string {
    return this.#io.cause;
  }

  get urgent(): boolean {
    return this.#io.urgent;
  }

  get fua(): boolean {
    return this.#io.fua;
  }

  get preflush(): boolean {
    return this.#io.preflush;
  }

  get tSubmit(): number {
    return this.#io.tSubmit;
  }

  get tStart(): number {
    return this.#io.tStart;
  }
}

/** The views a scheduler plugin is shown of the commands of one queue, and the commands they stand for. */
export class QueuedViews<Io extends Shown> {
  /** The view of each queued command (the same one for `add` and `expedite`), until it starts. */
  private readonly views = new Map<Io, QueuedCommand>();
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
      v = new QueuedCommand(io, o);
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

/** A read-only view of `device` (its fields read when asked). */
export function deviceView(device: DeviceView): DeviceView {
  return Object.freeze({
    get channels() {
      return device.channels;
    },
    get busy() {
      return device.busy;
    },
    get queued() {
      return device.queued;
    },
  });
}
