/**
 * Direct tests of the discrete-event engine (sim/engine/queue.ts, daemon
 * events included), its FIFO and wait queues (sim/engine/fifo.ts,
 * sim/vm/process.ts), and of the seeded random streams and service-time
 * samplers (sim/engine/random.ts, sim/device/service.ts).
 */
import { describe, expect, it } from 'vitest';
import { Engine, type EventTarget, nsToUs, roundNs, usToNs } from '../sim/engine/queue.ts';
import { RandomStream, RandomStreams, seedWords } from '../sim/engine/random.ts';
import { makeSampler, serviceMean } from '../sim/device/service.ts';
import { Fifo } from '../sim/engine/fifo.ts';
import { WaitQueue } from '../sim/vm/process.ts';
import fc from 'fast-check';
import type { ServiceDist } from '../sim/config.ts';

/** Records (time, arg) of every event it receives. */
class Recorder implements EventTarget {
  readonly log: [number, unknown][] = [];
  fire(arg: unknown, engine: Engine): void {
    this.log.push([engine.now, arg]);
  }
}

/** Mean and coefficient of variation of `n` draws. */
function moments(n: number, draw: () => number): { mean: number; cv: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  return { mean, cv: Math.sqrt(variance) / mean };
}

describe('Engine', () => {
  it('fires events in time order whatever the scheduling order', () => {
    const eng = new Engine();
    const r = new Recorder();
    const rng = new RandomStream(3, 'test.engine.order');
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = rng.int(10_000);
      times.push(t);
      eng.at(t, r, i);
    }
    expect(eng.pending).toBe(2000);
    eng.run();
    expect(eng.pending).toBe(0);
    expect(eng.fired).toBe(2000);
    const fired = r.log.map(([t]) => t);
    expect(fired).toEqual([...times].sort((a, b) => a - b));
    // each event fires at the time it was scheduled for
    for (const [t, i] of r.log) expect(t).toBe(times[i as number]);
    expect(eng.now).toBe(Math.max(...times));
  });

  it('keeps (time, scheduling order) order while its arrays grow inside a run, at times past 2^32 ns', () => {
    const eng = new Engine();
    const rng = new RandomStream(5, 'test.engine.grow');
    // every event scheduled, in scheduling order: [time, id]; each fired event schedules up to 3 more
    const scheduled: [number, number][] = [];
    const fired: number[] = [];
    const base = 2 ** 33;
    const spawner: EventTarget = {
      fire: (arg, e) => {
        fired.push(arg as number);
        if (scheduled.length >= 6000) return;
        for (let k = 0; k < 3; k++) {
          const t = e.now + rng.int(4) * 1000; // ties at now and later
          scheduled.push([t, scheduled.length]);
          e.at(t, spawner, scheduled.length - 1);
        }
      },
    };
    for (let i = 0; i < 10; i++) {
      scheduled.push([base + i * 500, i]);
      eng.at(base + i * 500, spawner, i);
    }
    eng.run();
    expect(fired.length).toBe(scheduled.length);
    // the order an ideal queue gives: by time, ties by scheduling order (each event is scheduled before it fires)
    const times = fired.map((id) => scheduled[id][0]);
    for (let i = 1; i < fired.length; i++) {
      expect(times[i] > times[i - 1] || (times[i] === times[i - 1] && fired[i] > fired[i - 1]), `event ${i}`).toBe(true);
    }
  });

  it('fires ties in the order they were scheduled, also when scheduled during the run', () => {
    const eng = new Engine();
    const r = new Recorder();
    // interleave times so the heap has to reorder; ties at 5 and 7 keep scheduling order
    const plan: [number, string][] = [[7, 'a'], [5, 'b'], [7, 'c'], [5, 'd'], [1, 'e'], [5, 'f'], [7, 'g']];
    for (const [t, name] of plan) eng.at(t, r, name);
    // at time 5 the first tie schedules two more events at 5 (after the pending ones) and one at 7
    const spawner: EventTarget = {
      fire: (_arg, e) => {
        e.after(0, r, 'h');
        e.at(5, r, 'i');
        e.at(7, r, 'j');
      },
    };
    eng.at(5, spawner);
    eng.run();
    expect(r.log.map(([, a]) => a)).toEqual(['e', 'b', 'd', 'f', 'h', 'i', 'a', 'c', 'g', 'j']);
    expect(r.log.map(([t]) => t)).toEqual([1, 5, 5, 5, 5, 5, 7, 7, 7, 7]);
  });

  it('keeps FIFO order among many ties mixed with other times', () => {
    const eng = new Engine();
    const r = new Recorder();
    for (let i = 0; i < 500; i++) eng.at(i % 3 === 0 ? 100 : 50 + (i % 7), r, i);
    eng.run();
    const at100 = r.log.filter(([t]) => t === 100).map(([, a]) => a as number);
    expect(at100).toEqual([...at100].sort((a, b) => a - b));
    const at53 = r.log.filter(([t]) => t === 53).map(([, a]) => a as number);
    expect(at53.length).toBeGreaterThan(0);
    expect(at53).toEqual([...at53].sort((a, b) => a - b));
  });

  it('refuses an event in the past (and NaN), but accepts now', () => {
    const eng = new Engine();
    const r = new Recorder();
    eng.at(10, r, 'x');
    eng.run();
    expect(eng.now).toBe(10);
    expect(() => eng.at(9, r)).toThrow(RangeError);
    expect(() => eng.at(Number.NaN, r)).toThrow(RangeError);
    expect(() => eng.after(-1, r)).toThrow(RangeError);
    expect(eng.pending).toBe(0);
    eng.at(10, r, 'now');
    eng.after(0, r, 'now2');
    eng.run();
    expect(r.log).toEqual([[10, 'x'], [10, 'now'], [10, 'now2']]);
  });

  it('passes arg and the engine to the target', () => {
    const eng = new Engine();
    const seen: [unknown, Engine][] = [];
    const obj = { k: 1 };
    eng.at(3, { fire: (arg, e) => seen.push([arg, e]) }, obj);
    eng.run();
    expect(seen).toEqual([[obj, eng]]);
    expect(seen[0][0]).toBe(obj);
  });

  it('run(until) stops before later events and resumes where it left off', () => {
    const eng = new Engine();
    const r = new Recorder();
    for (const t of [10, 20, 30, 40]) eng.at(t, r, t);
    eng.run(20);
    expect(r.log.map(([t]) => t)).toEqual([10, 20]); // inclusive of `until`
    expect(eng.now).toBe(20);
    expect(eng.peekTime()).toBe(30);
    eng.run(35);
    expect(r.log.map(([t]) => t)).toEqual([10, 20, 30]);
    expect(eng.now).toBe(30); // the clock does not move past the last fired event
    eng.run();
    expect(r.log.map(([t]) => t)).toEqual([10, 20, 30, 40]);
    expect(eng.peekTime()).toBe(Infinity);
  });

  it('stop() makes run return after the current event; the next run continues', () => {
    const eng = new Engine();
    const r = new Recorder();
    const stopper: EventTarget = { fire: (_a, e) => { r.log.push([e.now, 'stop']); e.stop(); } };
    eng.at(1, r, 1);
    eng.at(2, stopper);
    eng.at(2, r, 2); // same time, scheduled after the stopper: must not fire in this run
    eng.at(3, r, 3);
    eng.run();
    expect(r.log).toEqual([[1, 1], [2, 'stop']]);
    expect(eng.pending).toBe(2);
    eng.run();
    expect(r.log).toEqual([[1, 1], [2, 'stop'], [2, 2], [3, 3]]);
  });

  it('a stop() outside run does not prevent the next run', () => {
    const eng = new Engine();
    const r = new Recorder();
    eng.at(1, r, 1);
    eng.stop();
    eng.run();
    expect(r.log).toEqual([[1, 1]]);
  });

  it('calls onAdvance(t) before each advance of the clock, with the old time still in force', () => {
    const eng = new Engine();
    const calls: [number, number][] = []; // [t passed, engine.now at the call]
    const fires: [number, string][] = [];
    const r: EventTarget = { fire: (a, e) => { fires.push([e.now, a as string]); } };
    eng.at(0, r, 'zero'); // at the current time: no advance
    eng.at(5, r, 'a');
    eng.at(5, r, 'b'); // tie: no second call
    eng.at(9, r, 'c');
    eng.run(Infinity, (t) => {
      calls.push([t, eng.now]);
      // every event up to the old time has fired, none at t yet
      expect(fires.every(([ft]) => ft < t)).toBe(true);
    });
    expect(calls).toEqual([[5, 0], [9, 5]]);
    expect(fires).toEqual([[0, 'zero'], [5, 'a'], [5, 'b'], [9, 'c']]);
  });

  it('quietUntil: onAdvance is not called for advances to times at or before it, in run and in claim, and is again after', () => {
    const eng = new Engine();
    const calls: number[] = [];
    const r = new Recorder();
    for (const t of [3, 5, 8, 12]) eng.at(t, r);
    // a target claiming its own next event (at now + 1) once, at 12
    let claimedAt = -1;
    eng.at(10, { fire: (_a, e) => { const seq = e.reserve(); if (e.claim(e.now + 1, seq)) claimedAt = e.now; else e.atReserved(e.now + 1, seq, r); } });
    eng.quietUntil = 8; // an observer with nothing to do up to 8
    eng.run(Infinity, (t) => {
      calls.push(t);
      eng.quietUntil = t >= 10 ? Infinity : -Infinity;
    });
    expect(calls).toEqual([10]); // 3, 5, 8: quiet; 10: called (then quiet for ever: 11 by claim, 12 not called)
    expect([claimedAt, eng.now]).toEqual([11, 12]);
  });

  it('does not call onAdvance for events beyond until', () => {
    const eng = new Engine();
    const calls: number[] = [];
    const r = new Recorder();
    eng.at(5, r);
    eng.at(50, r);
    eng.run(10, (t) => calls.push(t));
    expect(calls).toEqual([5]);
  });

  it('converts µs and ns', () => {
    expect(usToNs(1.5)).toBe(1500);
    expect(usToNs(0.0004)).toBe(0);
    expect(usToNs(100)).toBe(100_000);
    expect(nsToUs(2500)).toBe(2.5);
  });

  it('roundNs rounds to the nearest ns, halves up, like Math.round on times', () => {
    expect(roundNs(0)).toBe(0);
    expect(roundNs(2.5)).toBe(3);
    expect(roundNs(2.4999)).toBe(2);
    expect(roundNs(1e15 + 0.5)).toBe(1e15 + 1);
    const rng = new RandomStream(8, 'test.roundNs');
    for (let i = 0; i < 10_000; i++) {
      const x = rng.exponential(10 ** (i % 13)); // 1 ns to 10^12 ns (about 17 minutes)
      expect(roundNs(x)).toBe(Math.round(x));
    }
    expect(usToNs(0.0005)).toBe(1);
  });

  it('daemon events fire in order but do not keep a run going', () => {
    const eng = new Engine();
    const r = new Recorder();
    /** Re-arms itself every 10 ns as a daemon, like the writeback daemon. */
    const tick: EventTarget = { fire: (_arg, e) => { r.log.push([e.now, 'tick']); e.afterDaemon(10, tick); } };
    eng.atDaemon(10, tick);
    eng.at(10, r, 'a'); // tie with the daemon event: scheduling order
    eng.at(25, r, 'b');
    expect(eng.pending).toBe(3);
    expect(eng.peekTime()).toBe(10);
    eng.run();
    expect(r.log).toEqual([[10, 'tick'], [10, 'a'], [20, 'tick'], [25, 'b']]);
    expect(eng.now).toBe(25);
    expect(eng.pending).toBe(1); // the daemon's next tick, left pending
    // a run with only daemon events does nothing
    eng.run();
    expect(eng.fired).toBe(4);
    // an ordinary event later than the daemon's lets it fire in between, ties after it
    eng.at(30, r, 'c');
    eng.at(45, r, 'd');
    eng.run();
    expect(r.log.slice(4)).toEqual([[30, 'tick'], [30, 'c'], [40, 'tick'], [45, 'd']]);
  });

  it('a daemon event can schedule ordinary events, which keep the run going', () => {
    const eng = new Engine();
    const r = new Recorder();
    const starter: EventTarget = { fire: (_arg, e) => e.after(5, r, 'work') };
    eng.afterDaemon(7, starter);
    eng.run();
    expect(r.log).toEqual([]); // nothing but a daemon event: the run ends at once
    eng.at(1, r, 'first'); // after it only the daemon event is left: the run ends
    eng.run();
    expect(r.log).toEqual([[1, 'first']]);
    eng.at(20, r, 'late'); // the daemon fires at 7 on the way and adds work at 12
    eng.run();
    expect(r.log).toEqual([[1, 'first'], [12, 'work'], [20, 'late']]);
    expect(eng.pending).toBe(0);
  });

  it('ties between many daemon and ordinary events keep scheduling order', () => {
    const eng = new Engine();
    const r = new Recorder();
    const d: EventTarget = { fire: (arg, e) => r.log.push([e.now, arg]) };
    const want: string[] = [];
    for (let i = 0; i < 50; i++) {
      if (i % 3 === 0) eng.atDaemon(100, d, `d${i}`);
      else eng.at(100, r, `o${i}`);
      want.push(i % 3 === 0 ? `d${i}` : `o${i}`);
    }
    eng.at(101, r, 'end');
    eng.run();
    expect(r.log.map(([, a]) => a)).toEqual([...want, 'end']);
  });
});

describe('Fifo', () => {
  it('behaves as an array queue under any mix of pushes and shifts, through wrap-around and growth', () => {
    // Each run pushes with its own probability (50..90 %), so queues both hover near empty and
    // grow well past the initial 16 slots. Counted below: the ring wrapped before growing (more
    // than 16 pushes while never holding more than 16), grew with a wrapped head (items shifted
    // before the 17th was held) and grew at least twice (past 32).
    let wrapped = 0, grewWrapped = 0, grewTwice = 0;
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 90 }), fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 2000 }), (pushPct, draws) => {
        const q = new Fifo<number>();
        const model: number[] = [];
        let pushes = 0, maxLen = 0, didWrap = false, didGrowWrapped = false;
        for (const [i, d] of draws.entries()) {
          if (d >= pushPct) {
            const got = q.shift(), want = model.shift();
            if (got !== want) expect.fail(`op ${i}: shift gave ${got}, want ${want}`);
          } else {
            q.push(i);
            model.push(i);
            pushes++;
            // the 17th item held while the head is not at slot 0: growth must unwrap the ring
            if (model.length > 16 && maxLen <= 16 && (pushes - model.length) % 16 !== 0) didGrowWrapped = true;
            maxLen = Math.max(maxLen, model.length);
            if (pushes > 16 && maxLen <= 16) didWrap = true;
          }
          if (q.length !== model.length || q.peek() !== model[0]) expect.fail(`op ${i}: length ${q.length} head ${q.peek()}, want ${model.length} ${model[0]}`);
        }
        while (model.length > 0) expect(q.shift()).toBe(model.shift());
        expect(q.shift()).toBeUndefined();
        if (didWrap) wrapped++;
        if (didGrowWrapped) grewWrapped++;
        if (maxLen > 32) grewTwice++;
      }),
      { numRuns: 200 },
    );
    expect(wrapped).toBeGreaterThanOrEqual(40);
    expect(grewWrapped).toBeGreaterThanOrEqual(40);
    expect(grewTwice).toBeGreaterThanOrEqual(40);
  });
});

describe('WaitQueue', () => {
  it('wakes every sleeper at the current time in sleep order, again and again', () => {
    const eng = new Engine();
    const r = new Recorder();
    const q = new WaitQueue(eng);
    const sleeper = (name: string): EventTarget => ({ fire: (_a, e) => r.log.push([e.now, name]) });
    const ss = Array.from({ length: 40 }, (_, i) => sleeper(`s${i}`));
    for (let round = 0; round < 3; round++) {
      const n = 10 + 15 * round; // more sleepers each round than the last
      for (let i = 0; i < n; i++) q.add(ss[i]);
      expect(q.size).toBe(n);
      const waker: EventTarget = { fire: () => q.wakeAll() };
      eng.after(5, waker);
      r.log.length = 0;
      eng.run();
      expect(q.size).toBe(0);
      expect(r.log).toEqual(ss.slice(0, n).map((_, i) => [eng.now, `s${i}`]));
    }
    q.wakeAll(); // empty: nothing
    eng.run();
    expect(r.log).toHaveLength(40);
  });
});

describe('RandomStreams', () => {
  it('same seed and name give the same sequence', () => {
    const a = new RandomStream(42, 'device.service');
    const b = new RandomStreams(42).get('device.service');
    for (let i = 0; i < 1000; i++) expect(a.nextU32()).toBe(b.nextU32());
    const c = new RandomStream(42, 'x'), d = new RandomStream(42, 'x');
    for (let i = 0; i < 100; i++) {
      expect(c.exponential(3)).toBe(d.exponential(3));
      expect(c.normal()).toBe(d.normal());
      expect(c.int(17)).toBe(d.int(17));
    }
  });

  it('is sfc32 (PractRand; state in an Int32Array): 200,000 outputs per stream match the reference recurrence over plain numbers', () => {
    for (const [seed, name] of [[1, 'device.service'], [4294967295, 'bench.arrivals'], [0, ''], [77, 'device.flush']] as const) {
      let [a, b, c, d] = seedWords(seed, name);
      const ref = () => {
        const t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        return t >>> 0;
      };
      for (let i = 0; i < 15; i++) ref(); // the stream discards its first 15
      const s = new RandomStream(seed, name);
      let same = 0;
      for (let i = 0; i < 200_000; i++) if (s.nextU32() === ref()) same++;
      expect(same, `${seed} ${name}`).toBe(200_000);
    }
  });

  it('draws what the code of f47aa55 drew (its sfc32 state in four object fields)', () => {
    const s = new RandomStream(1, 'device.service');
    expect([s.nextU32(), s.nextU32(), s.nextU32(), s.nextU32()]).toEqual([4043480410, 2185652016, 745073813, 2844085262]);
    expect([s.exponential(100), s.normal(), s.uniform()]).toEqual([7.997056061929267, 0.9292069597586685, 0.06712421671008617]);
    const t = new RandomStream(4294967295, 'bench.arrivals');
    expect([t.nextU32(), t.nextU32(), t.exponential(1)]).toEqual([3620934116, 2559883010, 1.916557118147242]);
  });

  it('exponential draws what it drew through two nextU32 calls (bf7fc8e): 200,000 draws of three streams, sum, samples and the state after', () => {
    const expected = [
      [1, 'a', 9980680205.241272, [32836.00536806575, 0.12311633448444434, 63403.68848649236, 2.12129140855656, 80353.13868930787], 4013547253],
      [7, 'bench.service', 9999677824.299078, [29240.721674763598, 1.3250762249929122, 183168.7832804239, 0.5830272600088406, 110676.00037064702], 1227423641],
      [99, 'x.y', 9968824136.529161, [65089.90842498485, 2.6145380225482513, 74601.22061437341, 0.5771792037131069, 182872.07514834288], 4100921515],
    ] as const;
    for (const [seed, name, sum, picks, next] of expected) {
      const s = new RandomStream(seed, name);
      let total = 0;
      const got: number[] = [];
      for (let i = 0; i < 200_000; i++) {
        const x = s.exponential(i % 2 ? 1 : 1e5);
        total += x;
        if (i % 40_009 === 0) got.push(x);
      }
      expect([total, got, s.nextU32()], `${seed} ${name}`).toEqual([sum, picks, next]);
    }
  });

  it('different names or seeds give different sequences', () => {
    const seq = (seed: number, name: string) => {
      const s = new RandomStream(seed, name);
      return Array.from({ length: 8 }, () => s.nextU32());
    };
    expect(seq(1, 'a')).not.toEqual(seq(1, 'b'));
    expect(seq(1, 'a')).not.toEqual(seq(2, 'a'));
    expect(seq(1, 'device.service')).not.toEqual(seq(1, 'device.errors'));
  });

  it('returns the same stream object for a name', () => {
    const rs = new RandomStreams(5);
    expect(rs.get('a')).toBe(rs.get('a'));
    expect(rs.get('a')).not.toBe(rs.get('b'));
  });

  it('adding a consumer of one stream does not change the numbers of another', () => {
    const draw = (extraConsumer: boolean) => {
      const rs = new RandomStreams(9);
      const out: number[] = [];
      for (let i = 0; i < 200; i++) {
        if (extraConsumer) {
          rs.get('noise').uniform();
          if (i % 3 === 0) rs.get('noise').exponential(5);
        }
        out.push(rs.get('device.service').uniform());
      }
      return out;
    };
    expect(draw(true)).toEqual(draw(false));
    // order of creation does not matter either
    const rs1 = new RandomStreams(9), rs2 = new RandomStreams(9);
    rs2.get('late');
    rs1.get('device.service');
    const x = rs1.get('late').uniform();
    expect(rs2.get('late').uniform()).toBe(x);
  });

  it('uniform is in [0, 1) with mean 1/2 and int is in range', () => {
    const s = new RandomStream(1, 'test.uniform');
    let sum = 0;
    const n = 200_000;
    const counts = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = s.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      counts[s.int(10)]++;
    }
    expect(outside).toBe(0);
    // sd of the mean of U(0,1) is 0.2887/sqrt(n) ≈ 0.00065
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.004);
    for (const c of counts) expect(Math.abs(c / n - 0.1)).toBeLessThan(0.005);
  });

  it('exponential has the configured mean and cv 1', () => {
    const s = new RandomStream(2, 'test.exponential');
    const n = 200_000;
    const m = moments(n, () => s.exponential(125));
    // relative sd of the mean is 1/sqrt(n) ≈ 0.22%
    expect(Math.abs(m.mean / 125 - 1)).toBeLessThan(0.015);
    expect(Math.abs(m.cv - 1)).toBeLessThan(0.03);
  });

  it('exponential follows the exponential law (Kolmogorov–Smirnov, tail beyond the ziggurat base)', () => {
    const s = new RandomStream(12, 'test.exponential.ks');
    const n = 400_000;
    const x = Float64Array.from({ length: n }, () => s.exponential(1)).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = 1 - Math.exp(-x[i]);
      d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
    }
    // KS critical value at α = 0.001 is 1.95/sqrt(n)
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    expect(x[0]).toBeGreaterThanOrEqual(0);
    // the tail beyond R = 7.6971 (the base layer's edge) has probability e^-R ≈ 4.5e-4
    // and, being memoryless, a conditional mean of R + 1
    const R = 7.697117470131487;
    const tail = x.filter((v) => v > R);
    const expected = n * Math.exp(-R);
    expect(Math.abs(tail.length - expected)).toBeLessThan(4 * Math.sqrt(expected));
    const tailMean = tail.reduce((a, b) => a + b, 0) / tail.length;
    expect(Math.abs(tailMean - (R + 1))).toBeLessThan(4 / Math.sqrt(tail.length));
    expect(x[n - 1]).toBeGreaterThan(R + 2);
  });

  it('normal has mean 0 and variance 1', () => {
    const s = new RandomStream(4, 'test.normal');
    const n = 200_000;
    let s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = s.normal();
      s1 += x;
      s2 += x * x;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.015);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });
});

describe('service-time samplers (makeSampler)', () => {
  const n = 400_000;
  const cases: { d: ServiceDist; cv: number; meanTol: number; cvTol: number }[] = [
    { d: { dist: 'constant', mean_us: 100 }, cv: 0, meanTol: 1e-12, cvTol: 1e-6 },
    { d: { dist: 'exponential', mean_us: 100 }, cv: 1, meanTol: 0.015, cvTol: 0.03 },
    { d: { dist: 'uniform', min_us: 50, max_us: 150 }, cv: 50 / Math.sqrt(3) / 100, meanTol: 0.01, cvTol: 0.03 },
    { d: { dist: 'lognormal', mean_us: 100, cv: 0.5 }, cv: 0.5, meanTol: 0.01, cvTol: 0.04 },
    // heavy right tail: the sample cv converges slowly, so a looser tolerance
    { d: { dist: 'lognormal', mean_us: 200, cv: 2 }, cv: 2, meanTol: 0.02, cvTol: 0.15 },
    // mean 50, population sd sqrt((40² + 30² + 20² + 90²) / 4) = sqrt(2750)
    { d: { dist: 'empirical', samples_us: [10, 20, 30, 140] }, cv: Math.sqrt(2750) / 50, meanTol: 0.01, cvTol: 0.03 },
  ];
  for (const c of cases) {
    it(`${c.d.dist} ${JSON.stringify(c.d)}: mean and cv as configured`, () => {
      const sample = makeSampler(c.d, new RandomStream(11, 'device.service'));
      const m = moments(n, sample);
      const mean = serviceMean(c.d);
      expect(Math.abs(m.mean / mean - 1)).toBeLessThanOrEqual(c.meanTol);
      if (c.cv === 0) expect(m.cv).toBeLessThan(c.cvTol);
      else expect(Math.abs(m.cv / c.cv - 1)).toBeLessThanOrEqual(c.cvTol);
    });
  }

  it('lognormal draws are positive and their log is normal with the derived parameters', () => {
    const cv = 0.8, mean = 100;
    const sample = makeSampler({ dist: 'lognormal', mean_us: mean, cv }, new RandomStream(12, 'device.service'));
    const sigma2 = Math.log(1 + cv * cv), mu = Math.log(mean) - sigma2 / 2;
    let s1 = 0, s2 = 0;
    const k = 100_000;
    let nonPositive = 0;
    for (let i = 0; i < k; i++) {
      const x = sample();
      if (!(x > 0)) nonPositive++;
      const l = Math.log(x);
      s1 += l;
      s2 += l * l;
    }
    expect(nonPositive).toBe(0);
    const lm = s1 / k, lv = s2 / k - lm * lm;
    expect(Math.abs(lm - mu)).toBeLessThan(0.01);
    expect(Math.abs(lv / sigma2 - 1)).toBeLessThan(0.02);
  });

  it('the same seed gives the same service times', () => {
    const d: ServiceDist = { dist: 'lognormal', mean_us: 100, cv: 1 };
    const a = makeSampler(d, new RandomStreams(7).get('device.service'));
    const b = makeSampler(d, new RandomStreams(7).get('device.service'));
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
  });
});
