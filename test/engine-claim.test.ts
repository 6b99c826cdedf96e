/**
 * The engine's reserved events (sim/engine/queue.ts: reserve, claim,
 * atReserved), by which the replay's pump and tasks deliver and issue rows
 * without an event in the queue: a handler that reserves its next event and
 * then fires it at once (claim) or schedules it with the reserved number
 * (atReserved) gives the same firing order, clock advances and fired count
 * as one that schedules it plainly, whatever else is pending, stopped or
 * past `until`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine, type EventTarget } from '../sim/engine/queue.ts';

/** What one run of the random model did: fired events, clock advances, and the engine's fired count. */
interface Trace {
  fires: string[];
  advances: number[];
  fired: number;
}

/**
 * A model of `actors` targets driven by one random stream consumed in firing
 * order: each event logs itself, schedules a few side events (ordinary or
 * daemon, often at the current time), may stop the run, and may chain a next
 * event of its own target — plainly with `at`, or reserved before more side
 * events are scheduled and then claimed or scheduled with its number.
 */
function runModel(seed: number, useClaim: boolean, untilAt: number): Trace {
  let s = seed >>> 0;
  const rnd = () => {
    // xorshift32: the same decisions in both runs as long as they fire the same events
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const eng = new Engine();
  const trace: Trace = { fires: [], advances: [], fired: 0 };
  const delays = [0, 0, 0, 1, 2, 5];
  const delay = () => delays[Math.floor(rnd() * delays.length)];
  let nextId = 0;
  let budget = 400;
  const actors: EventTarget[] = [];
  const side = (n: number) => {
    for (let i = 0; i < n && budget > 0; i++, budget--) {
      const a = actors[Math.floor(rnd() * actors.length)], at = eng.now + delay(), id = nextId++;
      if (rnd() < 0.15) eng.atDaemon(at, a, id);
      else eng.at(at, a, id);
    }
  };
  for (let k = 0; k < 4; k++) {
    actors.push({
      fire(arg: unknown): void {
        let id = arg as number;
        for (;;) {
          trace.fires.push(`${eng.now}:${k}:${id}`);
          side(Math.floor(rnd() * 3));
          if (rnd() < 0.05) eng.stop();
          if (budget-- <= 0 || rnd() < 0.3) return;
          const at = eng.now + delay();
          id = nextId++;
          if (!useClaim) {
            eng.at(at, this, id);
            side(Math.floor(rnd() * 2));
            return;
          }
          const seq = eng.reserve();
          side(Math.floor(rnd() * 2)); // scheduled after the reservation: later in ties
          if (!eng.claim(at, seq)) {
            eng.atReserved(at, seq, this, id);
            return;
          }
        }
      },
    });
  }
  for (let i = 0; i < 3; i++) eng.at(delay(), actors[i], nextId++);
  const onAdvance = (t: number) => trace.advances.push(t);
  eng.run(untilAt, onAdvance);
  for (let guard = 0; eng.pending > 0 && guard < 10_000; guard++) eng.run(Infinity, onAdvance);
  trace.fired = eng.fired;
  return trace;
}

describe('Engine reserved events', () => {
  it('claim / atReserved fire what plain scheduling fires, in the same order, with the same clock advances and count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 40 }), (seed, untilAt) => {
        const plain = runModel(seed, false, untilAt);
        const claimed = runModel(seed, true, untilAt);
        expect(claimed).toEqual(plain);
        expect(plain.fires.length).toBeGreaterThan(3);
      }),
      { numRuns: 300 },
    );
  });

  it('claim refuses when a pending event comes first (an earlier time, or the same time scheduled before the reservation), when stopped, past until, and outside run', () => {
    const eng = new Engine();
    const results: Record<string, boolean> = {};
    const other: EventTarget = { fire() {} };
    const probe: EventTarget = {
      fire(arg: unknown): void {
        const name = arg as string;
        if (name === 'ties') {
          eng.at(10, other); // before the reservation: fires first at 10
          const seq = eng.reserve();
          results.tieAfterPending = eng.claim(10, seq);
          eng.atReserved(10, seq, other);
          const seq2 = eng.reserve();
          results.earlierThanPending = eng.claim(10, seq2) === false && eng.now === 10; // refused: the clock did not move
          eng.atReserved(10, seq2, other);
        } else if (name === 'stopped') {
          eng.stop();
          results.stopped = eng.claim(eng.now + 1, eng.reserve());
        } else if (name === 'until') {
          results.pastUntil = eng.claim(500, eng.reserve());
          results.withinUntil = eng.claim(eng.now, eng.reserve());
        }
      },
    };
    eng.at(10, probe, 'ties');
    eng.run();
    expect([results.tieAfterPending, results.earlierThanPending]).toEqual([false, true]);
    eng.at(20, probe, 'stopped');
    eng.run();
    expect(results.stopped).toBe(false);
    eng.at(30, probe, 'until');
    eng.run(100);
    expect([results.pastUntil, results.withinUntil]).toEqual([false, true]);
    expect(eng.claim(eng.now, eng.reserve())).toBe(false); // outside run
  });
});
