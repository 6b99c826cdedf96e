/**
 * Engine micro-benchmark: an M/M/1 queue built directly on {@link Engine},
 * with one long-lived {@link EventTarget} per role (arrival source, server)
 * and no closure or object allocated per event. Customers wait in a ring
 * buffer of arrival times.
 */
import { Engine, roundNs, type EventTarget } from '../sim/engine/queue.ts';
import { RandomStream } from '../sim/engine/random.ts';

/** Parameters of one M/M/1 run. */
export interface Mm1Params {
  customers: number;
  /** Utilisation λS. */
  rho: number;
  /** Mean service time, µs. */
  serviceUs: number;
  seed: number;
}

/** Figures of one M/M/1 run. */
export interface Mm1Result {
  customers: number;
  events: number;
  seconds: number;
  eventsPerSec: number;
  customersPerSec: number;
  /** Mean sojourn time, µs (theory S/(1 − ρ)). */
  meanSojournUs: number;
  theorySojournUs: number;
}

/**
 * A FIFO of arrival times (ns) in a growable ring buffer (capacity a power of two): the
 * shape of sim/engine/fifo.ts, but over a Float64Array so the times stay unboxed doubles.
 */
class TimeRing {
  private buf = new Float64Array(1024);
  private mask = 1023;
  private head = 0;
  private n = 0;
  get length(): number {
    return this.n;
  }
  push(t: number): void {
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      for (let i = 0; i < this.n; i++) b[i] = this.buf[(this.head + i) & this.mask];
      this.buf = b;
      this.mask = b.length - 1;
      this.head = 0;
    }
    this.buf[(this.head + this.n) & this.mask] = t;
    this.n++;
  }
  shift(): number {
    const t = this.buf[this.head];
    this.head = (this.head + 1) & this.mask;
    this.n--;
    return t;
  }
  peek(): number {
    return this.buf[this.head];
  }
}

/** The single server: a departure event ends the service of the head customer. */
class Server implements EventTarget {
  readonly queue = new TimeRing();
  busy = false;
  served = 0;
  sojournNs = 0;
  private readonly meanNs: number;
  constructor(private readonly engine: Engine, private readonly rng: RandomStream, serviceUs: number) {
    this.meanNs = serviceUs * 1000;
  }
  /** A customer arrived at the current time. */
  arrive(): void {
    this.queue.push(this.engine.now);
    if (!this.busy) this.start();
  }
  private start(): void {
    this.busy = true;
    this.engine.after(roundNs(this.rng.exponential(this.meanNs)), this);
  }
  /** Departure of the customer in service (the head of the queue). */
  fire(): void {
    this.sojournNs += this.engine.now - this.queue.shift();
    this.served++;
    this.busy = false;
    if (this.queue.length > 0) this.start();
  }
}

/** Poisson arrivals: each arrival event schedules the next until `customers` have arrived. */
class Source implements EventTarget {
  private arrived = 0;
  private readonly meanNs: number;
  constructor(private readonly engine: Engine, private readonly rng: RandomStream, private readonly server: Server, private readonly customers: number, meanGapUs: number) {
    this.meanNs = meanGapUs * 1000;
  }
  /** Schedules the first arrival. */
  begin(): void {
    this.engine.after(roundNs(this.rng.exponential(this.meanNs)), this);
  }
  fire(): void {
    this.arrived++;
    this.server.arrive();
    if (this.arrived < this.customers) this.engine.after(roundNs(this.rng.exponential(this.meanNs)), this);
  }
}

/** Runs one M/M/1 simulation to completion and times it. */
export function runMm1(p: Mm1Params): Mm1Result {
  const t0 = process.hrtime.bigint();
  const engine = new Engine();
  const server = new Server(engine, new RandomStream(p.seed, 'bench.service'), p.serviceUs);
  const source = new Source(engine, new RandomStream(p.seed, 'bench.arrivals'), server, p.customers, p.serviceUs / p.rho);
  source.begin();
  engine.run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (server.served !== p.customers) throw new Error(`M/M/1: served ${server.served} of ${p.customers}`);
  return {
    customers: p.customers,
    events: engine.fired,
    seconds,
    eventsPerSec: engine.fired / seconds,
    customersPerSec: p.customers / seconds,
    meanSojournUs: server.sojournNs / p.customers / 1000,
    theorySojournUs: p.serviceUs / (1 - p.rho),
  };
}

/**
 * The same M/M/1 run without an event queue: its two pending events (the
 * next arrival, the departure in service) held in two variables and the
 * earlier fired, ties in scheduling order as the engine breaks them. The
 * same streams give the same draws in the same order, so the same customers
 * and sojourn times as {@link runMm1}: what is left is the model's own work
 * (the draws, the FIFO, the branch on which event comes next), the floor
 * under which no event queue can bring the engine's figure.
 */
export function runMm1Floor(p: Mm1Params): Mm1Result {
  const t0 = process.hrtime.bigint();
  const arrivals = new RandomStream(p.seed, 'bench.arrivals'), service = new RandomStream(p.seed, 'bench.service');
  const gapNs = (p.serviceUs / p.rho) * 1000, serviceNs = p.serviceUs * 1000;
  const queue = new TimeRing();
  let seq = 0;
  // the next arrival and the departure in service: time (Infinity: none) and when each was scheduled
  let arriveAt = roundNs(arrivals.exponential(gapNs)), arriveSeq = seq++;
  let departAt = Infinity, departSeq = 0;
  let arrived = 0, served = 0, sojournNs = 0, events = 0;
  while (served < p.customers) {
    events++;
    if (arriveAt < departAt || (arriveAt === departAt && arriveSeq < departSeq)) {
      const now = arriveAt;
      arrived++;
      queue.push(now);
      // the server starts at once when idle (Server.arrive), then the source schedules the next arrival (Source.fire)
      if (departAt === Infinity) {
        departAt = now + roundNs(service.exponential(serviceNs));
        departSeq = seq++;
      }
      if (arrived < p.customers) {
        arriveAt = now + roundNs(arrivals.exponential(gapNs));
        arriveSeq = seq++;
      } else arriveAt = Infinity;
    } else {
      const now = departAt;
      sojournNs += now - queue.shift();
      served++;
      if (queue.length > 0) {
        departAt = now + roundNs(service.exponential(serviceNs));
        departSeq = seq++;
      } else departAt = Infinity;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    customers: p.customers,
    events,
    seconds,
    eventsPerSec: events / seconds,
    customersPerSec: p.customers / seconds,
    meanSojournUs: sojournNs / p.customers / 1000,
    theorySojournUs: p.serviceUs / (1 - p.rho),
  };
}
