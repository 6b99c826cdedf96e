/**
 * The I/O scheduler plugin interface (sim/device/scheduler.ts): the built-in
 * disciplines on it, what a plugin may do (reorder, merge, hold back) and the
 * errors of a plugin that breaks the contract (sim/device/dispatch.ts).
 */
import { describe, expect, it } from 'vitest';
import { Device, Io } from '../sim/device/device.ts';
import { FIFO, SYNC_FIRST } from '../sim/device/schedulers.ts';
import type { IoScheduler, IoSchedulerPlugin, QueuedIo } from '../sim/device/scheduler.ts';
import { MAX_IDLE_HOLDS } from '../sim/device/dispatch.ts';
import { Engine } from '../sim/engine/queue.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { PluginError } from '../sim/plugin/plugin.ts';
import type { VmObject } from '../sim/vm/object.ts';

const US = 1000;
const OBJ = { id: 1, name: 'f' } as VmObject;

/** A queued command as a scheduler sees it. */
const q = (id: number, urgent = false): QueuedIo =>
  ({ id, kind: 'write', object: OBJ, first: id, pages: 1, cause: 'syncer', urgent, fua: false, preflush: false, tSubmit: 0, tStart: -1 });

/** Picks until nothing is left: the ids in order. */
function drain(s: IoScheduler): number[] {
  const out: number[] = [];
  for (let d = s.pick(0, { channels: 1, busy: 0, queued: 0 }); d; d = s.pick(0, { channels: 1, busy: 0, queued: 0 })) {
    const io = d as QueuedIo & { tStart: number };
    out.push(io.id);
    io.tStart = 0;
  }
  return out;
}

describe('built-in disciplines on the scheduler interface', () => {
  it('fifo: arrival order', () => {
    const s = FIFO.create({}, { channels: 1, profile: 'queue' });
    for (const io of [q(0), q(1, true), q(2)]) s.add(io, 0);
    expect(drain(s)).toEqual([0, 1, 2]);
  });

  it('sync_first: urgent commands first, each class in arrival order; an expedited one joins the urgent class', () => {
    const s = SYNC_FIRST.create({}, { channels: 1, profile: 'queue' });
    const ios = [q(0), q(1, true), q(2), q(3)];
    for (const io of ios) s.add(io, 0);
    (ios[3] as { urgent: boolean }).urgent = true;
    s.expedite!(ios[3], 0);
    expect(drain(s)).toEqual([1, 3, 0, 2]);
  });
});

/** One channel, 100 µs per command plus 10 µs per page; `n` one-page I/Os of pages 0..n-1 submitted at 0. Completion order and times (µs). */
function device(plugin: IoSchedulerPlugin, n = 3, name = 'test') {
  const eng = new Engine();
  const done: Io[] = [];
  const dev = new Device(eng, { channels: 1, discipline: 'fifo', per_page_us: 10, error_rate: 0 }, () => 100, new RandomStream(1, 'errors'),
    { complete: (io) => done.push(io) }, { name, plugin, params: {} });
  const ios = Array.from({ length: n }, (_, id) => new Io(id, OBJ, id, 1, 'syncer', false));
  for (const io of ios) dev.submit(io);
  eng.run();
  return { done: done.map((io) => [io.id, io.tStart / US, io.tDone / US]), dev };
}

/** A scheduler from a pick function over its own arrival-order list. */
function withPick(pick: (queue: QueuedIo[], now: number) => ReturnType<IoScheduler['pick']>): IoSchedulerPlugin {
  return {
    name: 'test',
    create: () => {
      const queue: QueuedIo[] = [];
      return { add: (io) => void queue.push(io), pick: (now) => pick(queue, now) };
    },
  };
}

describe('what a scheduler plugin may do', () => {
  it('reorder: last in, first out', () => {
    // I/O 0 starts at once (alone in the queue); then 2 before 1, 110 µs each
    expect(device(withPick((queue) => queue.pop())).done).toEqual([[0, 0, 110], [2, 110, 220], [1, 220, 330]]);
  });

  it('merge adjacent commands: one service time for their pages together, all complete together', () => {
    // I/O 0 alone 0..110; 1 and 2 (pages 1, 2) as one command: 100 + 2 x 10 µs, 110..230
    const merged = withPick((queue) => (queue.length > 1 ? queue.splice(0) : queue.shift()));
    expect(device(merged).done).toEqual([[0, 0, 110], [1, 110, 230], [2, 110, 230]]);
  });

  it('hold back: nothing starts before the timer the scheduler asked for', () => {
    const holdTill50 = withPick((queue, now) => (now < 50 * US ? { holdNs: 50 * US - now } : queue.shift()));
    expect(device(holdTill50, 1).done).toEqual([[0, 50, 160]]);
  });
});

/** The PluginError of a device run under `plugin`. */
function errorOf(plugin: IoSchedulerPlugin, n = 3): PluginError {
  try {
    device(plugin, n, './bad.ts');
  } catch (e) {
    if (e instanceof PluginError) return e;
    throw e;
  }
  throw new Error('the run did not fail');
}

describe('a scheduler that breaks the contract fails the run, naming the plugin and the call', () => {
  it('throws', () => {
    const p: IoSchedulerPlugin = { name: 'x', create: () => ({ add: () => { throw new Error('boom'); }, pick: () => undefined }) };
    expect(errorOf(p).message).toBe("plugin './bad.ts': add(): threw Error: boom");
  });

  it('picks a command that is not queued', () => {
    expect(errorOf(withPick(() => ({ ...q(7) }))).message).toMatch(/^plugin '.\/bad.ts': pick\(\): returned I\/O 7 \(write of f pages 7\+1\), which is not a queued command$/);
    // an object of the plugin's own making is shown as it is, not as a command of undefined fields
    expect(errorOf(withPick(() => ({ id: 42 }) as never)).message).toBe("plugin './bad.ts': pick(): returned {\"id\":42} (not a command the queue gave it), which is not a queued command");
  });

  it('merges commands that are not adjacent', () => {
    // I/O 0 starts alone; then 1 and 3 (pages 1 and 3) are merged
    const gap = withPick((queue) => (queue.length === 1 ? queue.shift() : [queue[0], queue[2]]));
    expect(errorOf(gap, 4).message).toMatch(/pick\(\): merged I\/O 3 .* after I\/O 1 .*: merged commands must be adjacent, in page order/);
  });

  it('asks for a negative hold-back', () => {
    expect(errorOf(withPick(() => ({ holdNs: -5 }))).message).toBe("plugin './bad.ts': pick(): holdNs is negative (-5 ns)");
  });

  it('leaves commands queued on an idle device with no timer', () => {
    expect(errorOf(withPick(() => undefined)).message).toMatch(/pick\(\): returned nothing while 1 command\(s\) are queued and every channel is idle/);
  });

  it("changes a queued command, its object or the device it is shown (read-only views: the run's own state stays whole)", () => {
    // setting a field threw nothing before: a changed `first` left the pages' writes unfinished, and the run failed
    // later blaming the trace; a scheduler marking its own commands urgent miscounted the queue's urgent commands
    const meddle = (change: (io: QueuedIo) => void): IoSchedulerPlugin => ({
      name: 'x',
      create: () => {
        const queue: QueuedIo[] = [];
        return { add: (io) => { change(io); queue.push(io); }, pick: () => queue.shift() };
      },
    });
    const set = (key: string, v: unknown) => meddle((io) => { (io as unknown as Record<string, unknown>)[key] = v; });
    expect(errorOf(set('first', 3)).message).toMatch(/^plugin '\.\/bad\.ts': add\(\): threw TypeError: .*first/);
    expect(errorOf(set('urgent', true)).message).toMatch(/^plugin '\.\/bad\.ts': add\(\): threw TypeError: .*urgent/);
    expect(errorOf(meddle((io) => { (io.object as { name: string }).name = 'g'; })).message).toMatch(/^plugin '\.\/bad\.ts': add\(\): threw TypeError: .*name/);
    // the object is its id and name, not the kernel's object with its pages
    let seen: object | undefined;
    device(meddle((io) => { seen = io.object; }));
    expect(seen).toEqual({ id: 1, name: 'f' });
    // what a plugin may still do: copy a command's fields, tag it with its own
    let copy: Record<string, unknown> = {};
    const tagged = meddle((io) => { copy = { ...io }; (io as unknown as { mine: number }).mine = 1; });
    expect(device(tagged).done.map((x) => x[0])).toEqual([0, 1, 2]);
    expect(copy).toEqual({ id: 2, kind: 'write', object: { id: 1, name: 'f' }, first: 2, pages: 1, cause: 'syncer', urgent: false, fua: false, preflush: false, tSubmit: 0, tStart: -1 });
    const busy: IoSchedulerPlugin = { name: 'x', create: () => { const queue: QueuedIo[] = []; return { add: (io) => void queue.push(io), pick: (_n, d) => { (d as { busy: number }).busy = 0; return queue.shift(); } }; } };
    expect(errorOf(busy).message).toMatch(/^plugin '\.\/bad\.ts': pick\(\): threw TypeError: .*busy/);
  });

  it('holds back for ever on an idle device (no progress)', () => {
    expect(errorOf(withPick(() => ({ holdNs: 1 }))).message).toBe(`plugin './bad.ts': pick(): held commands back ${MAX_IDLE_HOLDS} times in a row on an idle device without starting any (no progress)`);
  });
});
