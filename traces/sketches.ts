/**
 * Fixed-memory summaries of a stream, for `syncsim inspect` (traces/inspect.ts): a HyperLogLog
 * and a distinct-page counter (exact chunked bitmaps, then a HyperLogLog), a top-k heap, and
 * write-rate buckets that merge pairwise as a trace outgrows them. Their memory never grows with
 * the number of rows.
 */
import type { OpName } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Hashing

/** murmur3's 32-bit finaliser: a bijection that mixes every input bit into every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two independent 32-bit hashes of the pair (a, b), b < 2^53; written to `out`. */
function hashPair(a: number, b: number, out: Uint32Array): void {
  const lo = b >>> 0, hi = Math.floor(b / 4294967296) >>> 0;
  const k = fmix32(Math.imul(a, 0x9e3779b1) ^ hi ^ 0x5bd1e995);
  out[0] = fmix32(lo ^ k);
  out[1] = fmix32(Math.imul(lo, 0xcc9e2d51) ^ fmix32(k ^ 0x27d4eb2f));
}

/** Two 32-bit FNV-1a-based hashes of a string; written to `out`. */
export function hashString(s: string, out: Uint32Array): void {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  hashPair(h >>> 0, s.length, out);
}

// ---------------------------------------------------------------------------------------------
// HyperLogLog

/** Registers of a {@link HyperLogLog}: 2^14. */
export const HLL_PRECISION = 14;

/** A HyperLogLog distinct counter (2^p registers; relative standard error 1.04/√2^p). */
export class HyperLogLog {
  private readonly m: number;
  private readonly reg: Uint8Array;

  constructor(readonly p = HLL_PRECISION) {
    this.m = 1 << p;
    this.reg = new Uint8Array(this.m);
  }

  /** Relative standard error of the estimate. */
  get relativeStandardError(): number {
    return 1.04 / Math.sqrt(this.m);
  }

  /** Adds an element given as two independent 32-bit hashes. */
  add(h1: number, h2: number): void {
    const j = h1 >>> (32 - this.p);
    const rank = Math.clz32(h2) + 1;
    if (rank > this.reg[j]!) this.reg[j] = rank;
  }

  /** The estimated number of distinct elements added. */
  estimate(): number {
    const m = this.m;
    let sum = 0, zeros = 0;
    for (let j = 0; j < m; j++) {
      const r = this.reg[j]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const e = (alpha * m * m) / sum;
    if (e <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros); // linear counting for small counts
    return e;
  }
}

// ---------------------------------------------------------------------------------------------
// Distinct pages

/** Pages per bitmap chunk of a {@link DistinctPageCounter}. */
export const CHUNK_PAGES = 4096;
const CHUNK_WORDS = CHUNK_PAGES / 32;

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * The number of distinct (task, page) pairs added: exact while they fall into at most
 * `exactChunks` chunks of {@link CHUNK_PAGES} pages (at least `exactChunks` distinct pages, up to
 * `exactChunks` × 4096 when clustered; 512 bytes each), then estimated by a {@link HyperLogLog}.
 */
export class DistinctPageCounter {
  private chunks: Map<number, Map<number, Uint32Array>> | null = new Map();
  private nChunks = 0;
  private exactCount = 0;
  private hll: HyperLogLog | null = null;
  private readonly h = new Uint32Array(2);

  constructor(private readonly exactChunks = 16384) {}

  /** Whether the count is still exact. */
  get exact(): boolean {
    return this.hll === null;
  }

  /** Relative standard error of {@link count} (0 while exact). */
  get relativeStandardError(): number {
    return this.hll === null ? 0 : this.hll.relativeStandardError;
  }

  /** The number of distinct pages (rounded estimate once not exact). */
  count(): number {
    return this.hll === null ? this.exactCount : Math.round(this.hll.estimate());
  }

  /** Adds the pages [first, end) of task `task` (a small non-negative integer). */
  addRange(task: number, first: number, end: number): void {
    if (end <= first) return;
    if (this.hll !== null) {
      for (let pg = first; pg < end; pg++) this.hashIn(task, pg);
      return;
    }
    let perTask = this.chunks!.get(task);
    if (!perTask) {
      perTask = new Map();
      this.chunks!.set(task, perTask);
    }
    let pg = first;
    while (pg < end) {
      const ci = Math.floor(pg / CHUNK_PAGES);
      const base = ci * CHUNK_PAGES;
      const stop = Math.min(end, base + CHUNK_PAGES);
      let bits = perTask.get(ci);
      if (!bits) {
        if (this.nChunks >= this.exactChunks) {
          this.toHll();
          for (; pg < end; pg++) this.hashIn(task, pg);
          return;
        }
        bits = new Uint32Array(CHUNK_WORDS);
        perTask.set(ci, bits);
        this.nChunks++;
      }
      // set bits [pg - base, stop - base) word by word
      let i = pg - base;
      const j = stop - base;
      while (i < j) {
        const w = i >>> 5, lo = i & 31;
        const hi = Math.min(32, lo + (j - i));
        const mask = hi - lo === 32 ? 0xffffffff : (((1 << (hi - lo)) - 1) << lo) >>> 0;
        const old = bits[w]!;
        const nw = (old | mask) >>> 0;
        if (nw !== old) {
          this.exactCount += popcount32(nw) - popcount32(old);
          bits[w] = nw;
        }
        i += hi - lo;
      }
      pg = stop;
    }
  }

  private hashIn(task: number, page: number): void {
    hashPair(task, page, this.h);
    this.hll!.add(this.h[0]!, this.h[1]!);
  }

  /** Moves every page counted so far into a HyperLogLog and frees the bitmaps. */
  private toHll(): void {
    this.hll = new HyperLogLog();
    for (const [task, perTask] of this.chunks!) {
      for (const [ci, bits] of perTask) {
        for (let w = 0; w < CHUNK_WORDS; w++) {
          let x = bits[w]!;
          while (x !== 0) {
            const b = 31 - Math.clz32(x & -x);
            this.hashIn(task, ci * CHUNK_PAGES + w * 32 + b);
            x &= x - 1;
          }
        }
      }
    }
    this.chunks = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Top K

/** The `k` best items seen, by `better(a, b)` (a strict total order), in a bounded heap. */
export class TopK<T> {
  /** Min-heap by `better`: the root is the worst item kept. */
  private readonly heap: T[] = [];

  constructor(private readonly k: number, private readonly better: (a: T, b: T) => boolean) {}

  push(x: T): void {
    const h = this.heap;
    if (this.k <= 0) return;
    if (h.length < this.k) {
      h.push(x);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.better(h[parent]!, h[i]!)) break;
        [h[parent], h[i]] = [h[i]!, h[parent]!];
        i = parent;
      }
      return;
    }
    if (!this.better(x, h[0]!)) return;
    h[0] = x;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let worst = i;
      if (l < h.length && this.better(h[worst]!, h[l]!)) worst = l;
      if (r < h.length && this.better(h[worst]!, h[r]!)) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i]!, h[worst]!];
      i = worst;
    }
  }

  /** The items kept, best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
  }
}

// ---------------------------------------------------------------------------------------------
// Rate over time

/**
 * The most buckets a {@link RateBuckets} takes (`syncsim inspect --buckets`): three arrays of
 * 8-byte counts, 24 MB at this many. `--json` lists each bucket filled: the 781,250 of a 200-s
 * trace at a million are 126 MB of text, 0.75 GB of memory at the peak (2026-12-08), within a
 * string's limit; 10^11 was an array too long to make, and 2^32 an allocation that failed.
 */
export const MAX_RATE_BUCKETS = 1_000_000;

/** Writes, bytes written and msyncs per fixed-width time bucket, at most `maxBuckets` buckets. */
export class RateBuckets {
  private widthNs: number;
  private startNs = -1;
  private used = 0;
  private readonly writes: Float64Array;
  private readonly bytes: Float64Array;
  private readonly msyncs: Float64Array;

  /** `maxBuckets`: even, 2 to {@link MAX_RATE_BUCKETS}; `initialWidthNs`: the width while the trace is shorter than `maxBuckets` of it (doubled as needed). */
  constructor(private readonly maxBuckets = 1024, initialWidthNs = 1000) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2 || maxBuckets % 2 !== 0 || maxBuckets > MAX_RATE_BUCKETS) {
      throw new RangeError(`maxBuckets must be an even integer from 2 to ${MAX_RATE_BUCKETS}, got ${maxBuckets}`);
    }
    this.widthNs = initialWidthNs;
    this.writes = new Float64Array(maxBuckets);
    this.bytes = new Float64Array(maxBuckets);
    this.msyncs = new Float64Array(maxBuckets);
  }

  /** Counts a row at time `tNs` (non-decreasing): `bytes` written by a write, or an msync. */
  add(tNs: number, op: OpName, len: number): void {
    if (this.startNs < 0) this.startNs = tNs;
    let i = Math.floor((tNs - this.startNs) / this.widthNs);
    while (i >= this.maxBuckets) {
      this.merge();
      i = Math.floor((tNs - this.startNs) / this.widthNs);
    }
    if (i + 1 > this.used) this.used = i + 1;
    if (op === 'write') {
      this.writes[i]! += 1;
      this.bytes[i]! += len;
    } else if (op === 'msync') this.msyncs[i]! += 1;
  }

  /** Merges buckets pairwise: the width doubles. */
  private merge(): void {
    const half = this.maxBuckets / 2;
    for (const a of [this.writes, this.bytes, this.msyncs]) {
      for (let j = 0; j < half; j++) a[j] = a[2 * j]! + a[2 * j + 1]!;
      a.fill(0, half);
    }
    this.used = Math.ceil(this.used / 2);
    this.widthNs *= 2;
  }

  /** The bucket width in ns. */
  get bucketNs(): number {
    return this.widthNs;
  }

  /** The time of the first bucket's start (the first row's time), -1 before any row. */
  get firstNs(): number {
    return this.startNs;
  }

  /** The buckets from the first row to the last. */
  buckets(): { startNs: number; writes: number; bytes: number; msyncs: number }[] {
    const out = [];
    for (let i = 0; i < this.used; i++) {
      out.push({ startNs: this.startNs + i * this.widthNs, writes: this.writes[i]!, bytes: this.bytes[i]!, msyncs: this.msyncs[i]! });
    }
    return out;
  }
}
