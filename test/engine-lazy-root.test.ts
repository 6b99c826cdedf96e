/**
 * The engine frees the slot of the event being fired lazily (sim/engine/queue.ts:
 * the first event its handler schedules takes the root's place). Whatever
 * handlers do — schedule none, one or several events, at the current time or
 * later, daemon or not, read `pending` and `peekTime`, stop the run, throw —
 * events must fire exactly as a plain sorted list of (time, scheduling order)
 * fires them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine, type EventTarget } from '../sim/engine/queue.ts';

/** What a handler does when its event fires: schedule events after these delays (ns), read the queue, maybe stop or throw. */
interface Script {
  delays: number[];
  daemon: boolean[];
  stop: boolean;
  throws: boolean;
}

/** The log of a run: fired ids with their times, and what handlers read of the queue. */
type Log = (string | number)[];

/** How one `run` ended: only daemon events (or none) left, a handler stopped it, or a handler threw. */
type End = 'done' | 'stopped' | 'threw';

/** Calls `runOnce` until a run ends with only daemon events left, logging how each ended and what was pending. */
function drive(log: Log, runOnce: () => End, pending: () => number): Log {
  for (let guard = 0; guard < 1000; guard++) {
    const end = runOnce();
    log.push(end, pending());
    if (end === 'done') break;
  }
  return log;
}

/** Drives `scripts` (event i runs scripts[i % length]) through the engine. */
function runEngine(initial: number[], scripts: Script[], maxEvents: number): Log {
  const eng = new Engine();
  const log: Log = [];
  let nextId = 0;
  let stopped = false;
  const target: EventTarget = {
    fire(arg) {
      const id = arg as number;
      log.push(`fire ${id}@${eng.now}`, eng.pending, eng.peekTime());
      const s = scripts[id % scripts.length];
      if (nextId < maxEvents) {
        s.delays.forEach((d, k) => {
          const newId = nextId++;
          if (s.daemon[k]) eng.afterDaemon(d, target, newId);
          else eng.after(d, target, newId);
        });
      }
      log.push(eng.pending, eng.peekTime());
      if (s.stop) {
        stopped = true;
        eng.stop();
      }
      if (s.throws) throw new Error(`handler ${id}`);
    },
  };
  for (const t of initial) eng.at(t, target, nextId++);
  const runOnce = (): End => {
    stopped = false;
    try {
      eng.run();
    } catch {
      return 'threw';
    }
    return stopped ? 'stopped' : 'done';
  };
  return drive(log, runOnce, () => eng.pending);
}

/** The same scripts over a list kept sorted by (time, scheduling order): the order the engine must keep. */
function runReference(initial: number[], scripts: Script[], maxEvents: number): Log {
  interface Ev { t: number; seq: number; id: number; daemon: boolean }
  const queue: Ev[] = [];
  let seq = 0, nextId = 0;
  const log: Log = [];
  const push = (t: number, id: number, daemon: boolean) => {
    queue.push({ t, seq: seq++, id, daemon });
    queue.sort((a, b) => a.t - b.t || a.seq - b.seq);
  };
  const peek = () => (queue.length > 0 ? queue[0].t : Infinity);
  for (const t of initial) push(t, nextId++, false);
  const runOnce = (): End => {
    for (;;) {
      if (queue.every((e) => e.daemon)) return 'done';
      const ev = queue.shift() as Ev;
      const now = ev.t;
      log.push(`fire ${ev.id}@${now}`, queue.length, peek());
      const s = scripts[ev.id % scripts.length];
      if (nextId < maxEvents) s.delays.forEach((d, k) => push(now + d, nextId++, s.daemon[k]));
      log.push(queue.length, peek());
      if (s.throws) return 'threw';
      if (s.stop) return 'stopped';
    }
  };
  return drive(log, runOnce, () => queue.length);
}

const script = fc.record({
  delays: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 3 }),
  daemon: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }).map((a) => a.map((d, i) => d && i === 2)),
  stop: fc.boolean(),
  throws: fc.constantFrom(false, false, false, false, false, false, true),
});

describe('Engine: the fired event\'s slot freed lazily', () => {
  it('fires in (time, scheduling order) whatever handlers schedule, read, stop or throw', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 12 }), fc.array(script, { minLength: 1, maxLength: 6 }), (initial, scripts) => {
        const a = runEngine(initial, scripts, 300);
        const b = runReference(initial, scripts, 300);
        expect(a).toEqual(b);
      }),
      { numRuns: 400 },
    );
  });

  it('a handler that schedules nothing leaves pending and peekTime right for code that reads them after it', () => {
    const eng = new Engine();
    const seen: number[] = [];
    const quiet: EventTarget = { fire: () => undefined };
    const reader: EventTarget = {
      fire: () => {
        seen.push(eng.pending, eng.peekTime());
      },
    };
    eng.at(5, quiet);
    eng.at(7, reader);
    eng.at(9, quiet);
    eng.run(6); // fires the event at 5 only; its slot is freed when the queue is next read
    expect(eng.pending).toBe(2);
    expect(eng.peekTime()).toBe(7);
    eng.run();
    expect(seen).toEqual([1, 9]);
    expect(eng.pending).toBe(0);
    expect(eng.peekTime()).toBe(Infinity);
  });
});
