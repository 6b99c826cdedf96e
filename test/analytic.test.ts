/**
 * Analytic checks of the device queue, through the whole simulator (trace rows
 * → open replay → write + msync → pager → device), against queueing theory.
 *
 * Workload: one task maps one big object once (pages are stored sparsely);
 * customers arrive as a Poisson process; customer i is a one-page `write` of
 * page 2i mod N followed, at the same trace time, by `msync(SYNC)` of exactly
 * that page. Pages of different customers are never adjacent (no clustering
 * merges two customers into one I/O) and a page is never rewritten while under
 * writeback, so each msync issues exactly one one-page I/O and waits for it
 * alone: the msync latency is the sojourn time of that I/O in the device
 * queue. With no CPU costs (the defaults) the device is an M/G/c queue.
 *
 * Each case is checked in two parts that together say that the simulator's
 * mean msync latency is within 3% of theory over the case's run length:
 *
 * 1. The sample path, exactly. The test computes the queue itself (FIFO over
 *    c servers, Kiefer–Wolfowitz) from the arrivals it feeds and the draws of
 *    the device's own service stream, and the simulator, replaying the first
 *    SIM_CUSTOMERS of those customers, must give every customer's msync that
 *    sojourn time to the nanosecond (and its I/Os those service times). This
 *    catches any wait, cost, reordering or lost customer, however small;
 *    a 3% bound on a mean only catches large ones.
 * 2. The mean, statistically. The same path, continued for the case's whole
 *    run length (up to a million customers: at ρ = 0.8 the sojourns are
 *    strongly autocorrelated), must be within 3% of theory, with a relative
 *    standard error (batch means) under 1% so that 3% is over three of them.
 *
 * Until 2026-12-07 the simulator replayed all the customers of every case
 * (2.9 M, about 15 µs each: 40–46 s, the suite's longest file) and only the
 * mean was checked. Part 1 on the first customers and the path computed here
 * for the rest check the same mean, now made of the very latencies the
 * simulator gives: the simulator's part of a customer is the same code
 * whether it is the 80,000th or the millionth (the object's pages come back
 * every 32,768 customers, its msync log is compacted many times over, within
 * the simulated prefix).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../sim/config.ts';
import { usToNs } from '../sim/engine/queue.ts';
import { RandomStream, RandomStreams } from '../sim/engine/random.ts';
import { makeSampler } from '../sim/device/service.ts';
import { Simulator } from '../sim/simulator.ts';
import type { RunResult } from '../sim/stats/summary.ts';
import { Flag, type TraceRow } from '../traces/types.ts';

// ---------------------------------------------------------------- theory

/**
 * Erlang C: the probability that an arrival waits in an M/M/c queue with
 * offered load a = λS (< c), via the stable Erlang B recursion.
 */
function erlangC(c: number, a: number): number {
  if (!(a >= 0 && a < c)) throw new RangeError(`offered load ${a} must be in [0, ${c})`);
  let b = 1; // Erlang B with 0 servers
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

/** Mean sojourn time of M/M/c with mean service S and arrival rate λ: S + C(c, a)·S/(c − a). */
function mmcSojourn(c: number, S: number, lambda: number): number {
  const a = lambda * S;
  return S + (erlangC(c, a) * S) / (c - a);
}

/** Mean sojourn time of M/M/1: S/(1 − ρ). */
function mm1Sojourn(S: number, lambda: number): number {
  const rho = lambda * S;
  return S / (1 - rho);
}

/** Pollaczek–Khinchine mean sojourn time of M/G/1 with service mean S and second moment ES2: S + λ·ES2/(2(1 − ρ)). */
function mg1Sojourn(S: number, ES2: number, lambda: number): number {
  const rho = lambda * S;
  return S + (lambda * ES2) / (2 * (1 - rho));
}

/** M/D/1: P–K with ES2 = S², i.e. S + ρS/(2(1 − ρ)). */
function md1Sojourn(S: number, lambda: number): number {
  return mg1Sojourn(S, S * S, lambda);
}

describe('queueing formulas', () => {
  it('agree with each other and with known values', () => {
    for (const rho of [0.1, 0.5, 0.8, 0.95]) {
      expect(erlangC(1, rho)).toBeCloseTo(rho, 12); // M/M/1 waits with probability ρ
      expect(mmcSojourn(1, 100, rho / 100)).toBeCloseTo(mm1Sojourn(100, rho / 100), 9);
      expect(mg1Sojourn(100, 2 * 100 * 100, rho / 100)).toBeCloseTo(mm1Sojourn(100, rho / 100), 9); // exponential: ES2 = 2S²
      const a = 2 * rho;
      expect(erlangC(2, a)).toBeCloseTo((a * a) / (2 + a), 12); // closed form for c = 2
    }
    expect(md1Sojourn(100, 0.005)).toBeCloseTo(150, 9);
    expect(mmcSojourn(2, 100, 0.016)).toBeCloseTo(100 * (1 + 2.56 / 3.6 / 0.4), 9);
  });
});

// ---------------------------------------------------------------- the queue's sample path

const PAGE = 4096;
const BASE = 0x10000000;
/**
 * Pages of the object; customer i uses page 2i mod OBJECT_PAGES, so a page comes back every 32,768
 * customers: at ρ ≤ 0.8 that is seconds of simulated time after its I/O (queues of thousands never
 * form), so it is clean again when stored, and the simulator keeps 32,768 pages instead of one per
 * customer (the file took 49.4 s with 2^22 pages, 42.1 s with 2^16, alone on 2026-12-06).
 */
const OBJECT_PAGES = 1 << 16;
/** Customers per batch fed to the simulator (rows are generated batch by batch). */
const BATCH = 2000;
/** Batches for the batch-means standard error. */
const SE_BATCHES = 40;
/**
 * Customers replayed through the simulator in each case: every page of the object stored and
 * msynced twice or more (a page comes back every 32,768 customers), the msync log of the object
 * compacted many times over, and 40 batches of rows fed. That the simulator's msync latencies are
 * the queue's sojourn times is checked exactly, customer by customer, on these; the mean against
 * theory needs the case's longer run of the same queue (`customers`), computed here (see the file).
 */
const SIM_CUSTOMERS = 80_000;

/** One case's queue: seed, arrival rate λ (per µs), mean service S (µs), distribution and servers. */
interface QueueParams {
  seed: number;
  lambda: number;
  S: number;
  dist: 'exponential' | 'constant';
  channels: number;
}

/** The simulator configuration of a case: the device as an M/G/c queue and nothing else costing time. */
function queueConfig(p: QueueParams) {
  return resolveConfig({
    // linux: its MS_SYNC of one page issues that page's I/O and waits for it alone. (On freebsd the
    // msyncs of one file are serialized by the vnode lock, semantics section 10 F1: no M/G/c queue there.)
    personality: 'linux',
    replay: 'open',
    // the queueing model has write I/Os only: no page-in reads
    pagein: false,
    seed: p.seed,
    device: { profile: 'queue', channels: p.channels, service: { dist: p.dist, mean_us: p.S } },
    stats: { warmup_us: 2000 * p.S, sample_us: 1e6 },
    cpu: { syscall_us: 0, fault_page_us: 0, clean_page_us: 0, wire_page_us: 0 }, // the M/G/c queue alone: no CPU time
    fs: { kind: 'none' }, // the queue model alone: no journal commits or FLUSHes among the customers
  });
}

/** `n` customers of a FIFO queue with c servers, times in integer ns. */
interface QueuePath {
  /** Arrival (= msync issue) time of each customer: the trace time of its rows. */
  arrivalNs: Float64Array;
  /** Service time of each customer's I/O. */
  serviceNs: Float64Array;
  /** Sojourn time (= msync latency) of each customer. */
  sojournNs: Float64Array;
}

/**
 * The sample path of a case's queue for `n` customers, computed here without the simulator: the
 * arrivals the test feeds it (exponential gaps from the test's own stream, rounded to the ns as trace
 * times are), the i-th customer's service the i-th draw of the device's `device.service` stream (the
 * device draws one per I/O as it starts it, in the order they start), and FIFO over c servers
 * (Kiefer–Wolfowitz: a customer starts at its arrival or when the first server frees, the later).
 */
function queuePath(p: QueueParams, n: number): QueuePath {
  const device = queueConfig(p).device;
  if (device.profile !== 'queue') throw new Error('not the queueing device');
  const draw = makeSampler(device.service, new RandomStreams(p.seed).get('device.service'));
  const arrivals = new RandomStream(p.seed, 'test.analytic.arrivals');
  const meanGapNs = 1000 / p.lambda;
  const arrivalNs = new Float64Array(n), serviceNs = new Float64Array(n), sojournNs = new Float64Array(n);
  const free = new Float64Array(p.channels); // when each server is next free
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += arrivals.exponential(meanGapNs);
    const a = Math.round(t);
    const s = usToNs(draw() + device.per_page_us); // one page an I/O
    let k = 0;
    for (let j = 1; j < free.length; j++) if (free[j] < free[k]) k = j;
    const start = Math.max(a, free[k]);
    free[k] = start + s;
    arrivalNs[i] = a;
    serviceNs[i] = s;
    sojournNs[i] = start + s - a;
  }
  return { arrivalNs, serviceNs, sojournNs };
}

/** Mean (µs) and relative standard error (batch means) of the sojourn times of customers arriving at or after `fromNs`. */
function meanAfter(path: QueuePath, fromNs: number): { mean: number; relSE: number; counted: number } {
  let first = 0;
  while (first < path.arrivalNs.length && path.arrivalNs[first] < fromNs) first++;
  const lat = path.sojournNs.subarray(first);
  const counted = lat.length;
  let sum = 0;
  for (let k = 0; k < counted; k++) sum += lat[k];
  const mean = sum / counted;
  const bs = Math.floor(counted / SE_BATCHES);
  let ss = 0;
  for (let b = 0; b < SE_BATCHES; b++) {
    let s = 0;
    for (let k = b * bs; k < (b + 1) * bs; k++) s += lat[k];
    ss += (s / bs - mean) ** 2;
  }
  const se = Math.sqrt(ss / (SE_BATCHES - 1) / SE_BATCHES);
  return { mean: mean / 1000, relSE: se / mean, counted };
}

/** What the simulator did with the first customers of a path. */
interface SimOut {
  /** msync latency (ns) of each customer, from its op record (NaN: no record). */
  latencyNs: Float64Array;
  /** Sum of the writeback I/Os' service times (start to done), ns. */
  serviceSumNs: number;
  /** Sync records at or after the warm-up, and the sum of their latencies (ns). */
  counted: number;
  countedSumNs: number;
  /** msyncs that did not return OK or did not write exactly one page. */
  odd: number;
  result: RunResult;
}

/**
 * Replays the customers of `path` (all of them) through the simulator, feeding it batch by batch:
 * customer i is a one-page write of page 2i mod OBJECT_PAGES and an msync(SYNC) of it at its arrival.
 */
function simulateQueue(p: QueueParams, path: QueuePath): SimOut {
  const n = path.arrivalNs.length;
  const config = queueConfig(p);
  const warmupNs = config.stats.warmup_us * 1000;
  const latencyNs = new Float64Array(n).fill(NaN);
  let counted = 0, countedSumNs = 0, odd = 0, serviceSumNs = 0;
  // the first row (the map) is trace line 3; customer i's write is line 4 + 2i, its msync 5 + 2i
  const sim = new Simulator(config, {
    sync: (r) => {
      if (r.result !== 'OK' || r.pagesWritten !== 1) odd++;
      if (r.tIssueNs >= warmupNs) {
        counted++;
        countedSumNs += r.tDoneNs - r.tIssueNs;
      }
    },
    op: (r) => {
      if (r.row.op === 'msync') latencyNs[(r.row.line - 5) / 2] = r.tDoneNs - r.tIssueNs;
    },
    writeback: (r) => {
      serviceSumNs += r.tDoneNs - r.tStartNs;
    },
    timeline: () => {},
  });
  let line = 3;
  sim.feed([{ line: line++, tNs: 0, task: 'q', op: 'map', addr: BASE, len: OBJECT_PAGES * PAGE, flags: 0, object: 'disk', offset: 0 }]);
  sim.run();
  for (let i = 0; i < n;) {
    const rows: TraceRow[] = [];
    for (let j = 0; j < BATCH && i < n; j++, i++) {
      const tNs = path.arrivalNs[i];
      const addr = BASE + ((2 * i) % OBJECT_PAGES) * PAGE;
      rows.push({ line: line++, tNs, task: 'q', op: 'write', addr, len: PAGE, flags: 0, object: '', offset: 0 });
      rows.push({ line: line++, tNs, task: 'q', op: 'msync', addr, len: PAGE, flags: Flag.SYNC, object: '', offset: 0 });
    }
    sim.feed(rows);
    expect(sim.run()).toBe('starved');
  }
  sim.end();
  expect(sim.run()).toBe('done');
  return { latencyNs, serviceSumNs, counted, countedSumNs, odd, result: sim.result() };
}

/** The first `n` customers of `path`. */
function prefix(path: QueuePath, n: number): QueuePath {
  return { arrivalNs: path.arrivalNs.subarray(0, n), serviceNs: path.serviceNs.subarray(0, n), sojournNs: path.sojournNs.subarray(0, n) };
}

interface Case {
  name: string;
  dist: 'exponential' | 'constant';
  channels: number;
  /** Utilisation per server. */
  rho: number;
  customers: number;
  theory: (S: number, lambda: number) => number;
}

const S = 100;
/**
 * Customers per case, for the mean against theory: enough for a relative SE under 1 % (asserted),
 * with the warm-up (2000 S of simulated time: λ·2000 S customers, 1000 at ρ = 0.5 on one server,
 * 2000 on two) under 1 % of them. The relative SE falls as 1/√n; with 400,000 customers on
 * 2026-12-07 it was 0.44 % (M/M/1 at ρ = 0.5), 0.19 % (M/D/1 at 0.5) and 0.37 % (M/M/2 at 0.5), so
 * the ρ = 0.5 cases run fewer: 160,000, 120,000 and 240,000 (expected 0.70 %, 0.35 % and 0.48 %; the
 * 3 % bound still over four standard errors). At ρ = 0.8 the sojourn varies most: 1 M customers give
 * M/M/1 and M/M/2 0.79 % and 0.83 %, and M/D/1 0.76 % with 400,000 (0.37 % with 1 M). Control
 * variates (the mean gap between arrivals, the mean service time) cut the M/M/1 ρ = 0.8 SE by a
 * tenth at most, in batch means: not enough to run it shorter.
 */
const CASES: Case[] = [
  { name: 'M/M/1', dist: 'exponential', channels: 1, rho: 0.5, customers: 160_000, theory: mm1Sojourn },
  { name: 'M/M/1', dist: 'exponential', channels: 1, rho: 0.8, customers: 1_000_000, theory: mm1Sojourn },
  { name: 'M/D/1', dist: 'constant', channels: 1, rho: 0.5, customers: 120_000, theory: md1Sojourn },
  { name: 'M/D/1', dist: 'constant', channels: 1, rho: 0.8, customers: 400_000, theory: md1Sojourn },
  { name: 'M/M/2', dist: 'exponential', channels: 2, rho: 0.5, customers: 240_000, theory: (s, l) => mmcSojourn(2, s, l) },
  { name: 'M/M/2', dist: 'exponential', channels: 2, rho: 0.8, customers: 1_000_000, theory: (s, l) => mmcSojourn(2, s, l) },
];
/**
 * One seed per case (each run's relative standard error is checked below 1 %, so one seed already
 * makes the 3 % bound a test): seed 1, and seed 2 for M/M/2 at ρ = 0.8. A second seed at ρ = 0.5
 * (relative SEs 0.18–0.46 % on 2026-12-07) cost 13 s of the file's 63 s on that day's machine.
 */
const seedsOf = (c: Case) => [c.channels === 2 && c.rho >= 0.8 ? 2 : 1];

describe('device queue through the simulator: msync latency = sojourn time (open replay, Poisson arrivals)', () => {
  for (const c of CASES) {
    for (const seed of seedsOf(c)) {
      it(`${c.name} ρ=${c.rho} (${SIM_CUSTOMERS} customers simulated, ${c.customers} for the mean, seed ${seed}) within 3% of theory`, { timeout: 120_000 }, () => {
        const t0 = performance.now();
        const lambda = (c.rho * c.channels) / S; // per µs
        const W = c.theory(S, lambda);
        const p: QueueParams = { seed, lambda, S, dist: c.dist, channels: c.channels };
        const warmupNs = 2000 * S * 1000;
        const path = queuePath(p, c.customers);
        const head = prefix(path, SIM_CUSTOMERS);
        const r = simulateQueue(p, head);
        const q = meanAfter(path, warmupNs);
        const err = q.mean / W - 1;
        console.log(
          `${c.name} rho=${c.rho} seed=${seed}: n=${q.counted} mean sojourn ${q.mean.toFixed(2)} us, ` +
          `theory ${W.toFixed(2)} us, error ${(err * 100).toFixed(2)}%, rel SE ${(q.relSE * 100).toFixed(2)}%, ` +
          `simulated ${SIM_CUSTOMERS}: utilization ${r.result.device.utilization.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
        // every customer is one OK msync that wrote one page in one I/O
        expect(r.odd).toBe(0);
        expect(r.result.sync.count).toBe(SIM_CUSTOMERS);
        expect(r.result.sync.ok).toBe(SIM_CUSTOMERS);
        expect(r.result.writeback.ios).toBe(SIM_CUSTOMERS);
        expect(r.result.writeback.pages).toBe(SIM_CUSTOMERS);
        expect(r.result.faults).toEqual({ unmapped_write: 0, unmapped_read: 0 });
        // the device's service times are the draws the path took from its stream (in sum: the records come in completion order)
        expect(r.serviceSumNs).toBe(head.serviceNs.reduce((a, b) => a + b, 0));
        // the msync latency of every customer is its sojourn time in the FIFO queue, to the ns
        let mismatches = 0, firstMismatch = -1;
        for (let i = 0; i < SIM_CUSTOMERS; i++) {
          if (r.latencyNs[i] !== head.sojournNs[i] && mismatches++ === 0) firstMismatch = i;
        }
        expect({ mismatches, firstMismatch }).toEqual({ mismatches: 0, firstMismatch: -1 });
        // the warm-up dropped exactly the customers arriving before its end, and the summary's mean
        // (µs rounded to the ns) is the mean of the others
        const simulated = meanAfter(head, warmupNs);
        expect(r.counted).toBe(simulated.counted);
        expect(r.countedSumNs / r.counted / 1000).toBeCloseTo(simulated.mean, 9);
        expect(r.result.sync.latency_us.mean).not.toBeNull();
        expect(Math.abs((r.result.sync.latency_us.mean as number) - simulated.mean)).toBeLessThanOrEqual(0.001);
        // the device ran at the offered utilisation: over 80,000 customers the busy time (a sum of
        // services, cv ≤ 1) and the span (a sum of exponential gaps) each have a relative SE of at most
        // 1/√80,000 = 0.35 %, their ratio about 0.5 %: 2 % is four standard errors
        expect(Math.abs(r.result.device.utilization / c.rho - 1)).toBeLessThan(0.02);
        // the longer run: the warm-up dropped only the first few thousand customers, the estimate is
        // precise enough for the 3% bound to mean something (3% > 3 standard errors), and it holds
        expect(q.counted).toBeGreaterThan(c.customers * 0.99);
        expect(q.counted).toBeLessThan(c.customers);
        expect(q.relSE).toBeLessThan(0.01);
        expect(Math.abs(err)).toBeLessThan(0.03);
      });
    }
  }
});
