/**
 * The discrete-event engine: a simulated clock in integer nanoseconds and a
 * priority queue of pending events. Ties at equal times fire in the order they
 * were scheduled, so a run is a pure function of its inputs.
 *
 * The engine knows nothing of VMs or devices: models implement {@link EventTarget}
 * and schedule themselves.
 */

/** Something that can receive an event. `arg` is whatever was passed to `schedule`. */
export interface EventTarget {
  fire(arg: unknown, engine: Engine): void;
}

/** Nanoseconds per microsecond: times are integer ns inside, µs at the edges. */
export const NS_PER_US = 1000;

/**
 * The nearest integer nanosecond to a non-negative time in ns, halves rounding
 * up: `Math.round` for every time below 2^52 ns save the one double just under
 * 0.5, at a fraction of its cost in V8 on hot paths.
 */
export function roundNs(ns: number): number {
  return Math.floor(ns + 0.5);
}

/** Converts microseconds (possibly fractional) to integer nanoseconds. */
export function usToNs(us: number): number {
  return roundNs(us * NS_PER_US);
}

/**
 * The first value of a number field that will outgrow 31-bit integers (a time in ns, a byte
 * count), set to its real start value right after. V8 stores a field first given a small
 * integer as one, and when a value passes 2^31 it changes the object's hidden class, which
 * discards the optimized code built on it mid-run (deoptimization, then compilation again);
 * a field first given a fraction is stored as a double from the start. Values and results do
 * not depend on it.
 */
export const DOUBLE_FIELD = 0.5;

/** Converts integer nanoseconds to microseconds. */
export function nsToUs(ns: number): number {
  return ns / NS_PER_US;
}

/**
 * Event queue and clock. A binary heap over two parallel arrays (time and sequence side by
 * side; target and argument side by side) so the hot path allocates no per-event objects.
 *
 * The root's slot is freed lazily: while its event's handler runs, the first event the handler
 * schedules takes the root's place and sifts down (one pass instead of a removal and an
 * insertion, as a handler usually schedules its own next event); if it schedules none, the
 * last event is moved up when the queue is next read. Times and sequence numbers are unique
 * keys, so the order events fire in does not depend on the heap's shape.
 */
export class Engine {
  /** Current simulated time in ns. */
  now = DOUBLE_FIELD;
  /** Number of events fired so far. */
  fired = 0;
  /**
   * The `onAdvance` of {@link run} is not called when the clock moves to a time at or before this
   * (ns): an observer with nothing to do until a later time says so here, and is not called for
   * every advance before it (default -Infinity: called for every one).
   */
  quietUntil = -Infinity;

  /**
   * Each pending event's time and sequence number side by side (slot i: `key[2i]`, `key[2i+1]`):
   * one typed array (grown by doubling), so they stay unboxed doubles whatever the values and a
   * comparison reads one cache line.
   */
  private key = new Float64Array(128);
  /** Each pending event's target and argument side by side (slot i: `ta[2i]`, `ta[2i+1]`). */
  private ta: unknown[] = [];
  private size = 0;
  private nextSeq = 0;
  private stopped = false;
  /** Pending events of daemon targets. */
  private daemons = 0;
  /** The root's event has fired and its slot is free: the next push takes it, else {@link settle} removes it. */
  private hole = false;

  constructor() {
    this.now = 0; // see DOUBLE_FIELD
  }

  /** Number of pending events (daemon events included). */
  get pending(): number {
    return this.hole ? this.size - 1 : this.size;
  }

  /** Time of the earliest pending event, or Infinity when none. */
  peekTime(): number {
    if (this.hole) this.settle();
    return this.size > 0 ? this.key[0] : Infinity;
  }

  /** Schedules `target.fire(arg)` at absolute time `at` (ns, >= now). */
  at(at: number, target: EventTarget, arg?: unknown): void {
    this.push(at, target, arg);
  }

  /** Schedules `target.fire(arg)` after `delay` ns (integer, >= 0). */
  after(delay: number, target: EventTarget, arg?: unknown): void {
    this.push(this.now + delay, target, arg);
  }

  /**
   * Schedules a daemon event (periodic housekeeping) at absolute time `at`:
   * it fires in order like any other, but does not keep a run going — `run`
   * ends when only daemon events are left.
   */
  atDaemon(at: number, target: EventTarget, arg?: unknown): void {
    this.nextSeq++; // odd: the daemon mark
    this.push(at, target, arg);
    this.nextSeq--;
    this.daemons++;
  }

  /** {@link atDaemon} after `delay` ns. */
  afterDaemon(delay: number, target: EventTarget, arg?: unknown): void {
    this.atDaemon(this.now + delay, target, arg);
  }

  /**
   * Reserves the sequence number an event scheduled now would get, for an
   * event whose time is known now but which may never need to enter the
   * queue: its owner later either fires it at once ({@link claim}) or
   * schedules it with this number ({@link atReserved}); either way it fires
   * in the place it would have had if scheduled now.
   */
  reserve(): number {
    const s = this.nextSeq;
    this.nextSeq = s + 2;
    return s;
  }

  /** Schedules `target.fire(arg)` at `at` (ns, >= now) with sequence number `seq` from {@link reserve}. */
  atReserved(at: number, seq: number, target: EventTarget, arg?: unknown): void {
    const s = this.nextSeq;
    this.nextSeq = seq;
    this.push(at, target, arg);
    this.nextSeq = s;
  }

  /**
   * From inside a handler, as the last thing it does: whether the event at
   * `at` with the sequence number `seq` (from {@link reserve}) would be the
   * next one `run` fires, i.e. precedes every pending event and `run` would
   * go on (not stopped, `at` within its `until`). If so the clock moves to
   * `at` (`onAdvance` called as `run` would), the event counts as fired,
   * and the caller does its work at once instead of scheduling it.
   */
  claim(at: number, seq: number): boolean {
    if (!this.running || this.stopped || at > this.until) return false;
    if (this.hole) this.settle();
    if (this.size > 0) {
      const t0 = this.key[0];
      if (t0 < at || (t0 === at && this.key[1] < seq)) return false;
    }
    if (at !== this.now) {
      if (this.advance && at > this.quietUntil) this.advance.advanced(at);
      this.now = at;
    }
    this.fired++;
    return true;
  }

  /**
   * Inserts an event with the next sequence number. Sequence numbers step by
   * two; a daemon event's is odd (see {@link atDaemon}), so the flag costs
   * ordinary events nothing and ties still break in scheduling order.
   */
  private push(at: number, target: EventTarget, arg: unknown): void {
    if (!(at >= this.now)) throw new RangeError(`event scheduled in the past: ${at} < ${this.now}`);
    const s = this.nextSeq;
    this.nextSeq = s + 2;
    if (this.hole) {
      this.hole = false;
      this.siftDown(at, s, target, arg, this.size);
      return;
    }
    // sift up
    let i = this.size++;
    if (2 * i === this.key.length) this.grow();
    const key = this.key, ta = this.ta;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = key[2 * p];
      if (pt < at || (pt === at && key[2 * p + 1] < s)) break;
      key[2 * i] = pt; key[2 * i + 1] = key[2 * p + 1]; ta[2 * i] = ta[2 * p]; ta[2 * i + 1] = ta[2 * p + 1];
      i = p;
    }
    key[2 * i] = at; key[2 * i + 1] = s; ta[2 * i] = target; ta[2 * i + 1] = arg;
  }

  /** The root's event has fired and nothing took its slot: removes it (the last event sifted down from the root). */
  private settle(): void {
    this.hole = false;
    const n = this.size - 1;
    this.size = n;
    const ta = this.ta;
    if (n === 0) {
      ta[0] = undefined; ta[1] = undefined;
      return;
    }
    const key = this.key;
    const lt = key[2 * n], ls = key[2 * n + 1], ltg = ta[2 * n] as EventTarget, lag = ta[2 * n + 1];
    ta[2 * n] = undefined; ta[2 * n + 1] = undefined;
    this.siftDown(lt, ls, ltg, lag, n);
  }

  /** Places an event (time, sequence, target, argument) at the root of a heap of `n` slots and sifts it down. */
  private siftDown(lt: number, ls: number, ltg: EventTarget, lag: unknown, n: number): void {
    const key = this.key, ta = this.ta;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (key[2 * r] < key[2 * c] || (key[2 * r] === key[2 * c] && key[2 * r + 1] < key[2 * c + 1]))) c = r;
      const ct = key[2 * c];
      if (lt < ct || (lt === ct && ls < key[2 * c + 1])) break;
      key[2 * i] = ct; key[2 * i + 1] = key[2 * c + 1]; ta[2 * i] = ta[2 * c]; ta[2 * i + 1] = ta[2 * c + 1];
      i = c;
    }
    key[2 * i] = lt; key[2 * i + 1] = ls; ta[2 * i] = ltg; ta[2 * i + 1] = lag;
  }

  /** Doubles the capacity of the key array. */
  private grow(): void {
    const key = new Float64Array(this.key.length * 2);
    key.set(this.key);
    this.key = key;
  }

  /** Makes the current `run` return after the event being fired. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Fires events in time order until none but daemon events is left, `stop()`
   * is called, or the next event is later than `until` (ns). `onAdvance(t)` is called before the
   * clock moves to a later time t (after {@link quietUntil}), so observers can sample the state in
   * force up to t.
   */
  run(until = Infinity, onAdvance?: ((t: number) => void) | AdvanceListener): void {
    // (a handler that throws leaves `running` set: only handlers, inside the next run, call claim)
    this.running = true;
    this.until = until;
    const advance = typeof onAdvance === 'function' ? new AdvanceCall(onAdvance) : onAdvance;
    this.advance = advance;
    this.stopped = false;
    const ta = this.ta;
    for (;;) {
      if (this.hole) this.settle();
      const n1 = this.size;
      if (n1 <= this.daemons || this.stopped) break;
      const key = this.key;
      const t = key[0];
      if (t > until) break;
      const target = ta[0] as EventTarget;
      const arg = ta[1];
      if (this.daemons !== 0 && (key[1] & 1) === 1) this.daemons--;
      this.hole = true;
      if (t !== this.now) {
        if (advance && t > this.quietUntil) advance.advanced(t);
        this.now = t;
      }
      this.fired++;
      target.fire(arg, this);
    }
    this.running = false;
    this.advance = undefined;
  }

  /** Inside {@link run}: {@link claim} may fire events at once. */
  private running = false;
  /** The `until` and `onAdvance` of the current {@link run}. */
  private until = Infinity;
  private advance: AdvanceListener | undefined = undefined;
}

/**
 * What {@link Engine.run} tells before the clock moves to a later time t: an
 * object whose method is called (a simulator passes itself), so that a new
 * run's listener is the same call target as the last one's and code V8
 * optimised for it stays valid (a closure made per run is a new target).
 */
export interface AdvanceListener {
  advanced(t: number): void;
}

/** A function passed to {@link Engine.run} as its {@link AdvanceListener}. */
class AdvanceCall implements AdvanceListener {
  constructor(private readonly fn: (t: number) => void) {}

  advanced(t: number): void {
    this.fn(t);
  }
}

/**
 * The next event of one target, scheduled from inside the target's own
 * handler: while {@link inside} it only reserves its place
 * ({@link Engine.reserve}); the handler, when its work is done, asks
 * {@link claimed} whether that event fires now — it precedes everything
 * pending ({@link Engine.claim}), so the handler does its work at once —
 * or schedules it with the reserved number ({@link Engine.atReserved}).
 * Either way it fires in the place an ordinary event would have had.
 */
export class NextEvent {
  /** The target's handler is running: {@link at} reserves instead of scheduling. */
  inside = false;
  private ns = DOUBLE_FIELD;
  /** The reserved event's sequence number (-1: none). */
  private seq = -1;

  constructor(private readonly engine: Engine, private readonly target: EventTarget) {
    this.ns = 0; // see DOUBLE_FIELD
  }

  /** The target's next event at `at` (ns): reserved while {@link inside} and `inline`, else scheduled. */
  at(at: number, inline: boolean): void {
    if (this.inside && inline) {
      this.ns = at;
      this.seq = this.engine.reserve();
    } else this.engine.at(at, this.target);
  }

  /** After the handler's work: whether the reserved event fires now (its work is to be done at once); false when none was reserved or it was scheduled. */
  claimed(): boolean {
    const seq = this.seq;
    if (seq < 0) return false;
    this.seq = -1;
    if (this.engine.claim(this.ns, seq)) return true;
    this.engine.atReserved(this.ns, seq, this.target);
    return false;
  }
}
