/**
 * The random-writer workload: one task maps one file and stores to uniformly
 * random pages of it at Poisson times, calling `msync(MS_SYNC)` on the whole
 * mapping every `syncEvery` writes, until a given number of rows. Used by the
 * benchmark (bench/run.ts), whose stored traces depend on its exact output; the
 * parametric, duration-based form is the `random-writer` preset of `syncsim gen`
 * (workloads/presets/random-writer.ts). Deterministic for a given seed.
 *
 * Load on the queueing device (`device.profile: queue`: constant 100 µs per I/O, one channel): between
 * two msyncs `syncEvery` writes dirty about P·(1 − e^(−syncEvery/P)) distinct
 * pages of the P mapped, almost all non-adjacent when that is small next to P,
 * so each costs one I/O. With the defaults (4096 pages, an msync every 100
 * writes, one write every 200 µs on average) that is ≈ 99 pages, ≈ 95 I/Os or
 * ≈ 9.5 ms of device time per 20 ms of trace: utilisation ≈ 0.48 in open
 * replay, lower in closed replay (the task waits for each msync). A mean
 * interval of 20 µs would offer ≈ 4.8 times what the device can serve.
 */
import { RandomStream } from '../sim/engine/random.ts';
import { Flag, type TraceRow } from '../traces/types.ts';

/** Parameters of {@link randomWriter}; everything but the first four has a default. */
export interface RandomWriterParams {
  /** Seed of the stream `workload.random-writer` that draws times and pages. */
  seed: number;
  /** Rows to produce in all: the `map` row, the writes and the msyncs. */
  rows: number;
  /** Pages in the mapping (of `pageSize` bytes). */
  pages: number;
  /** An `msync SYNC` of the whole mapping follows every `syncEvery` writes (0 = never). */
  syncEvery: number;
  /** Mean interval between writes in µs (exponential, i.e. Poisson writes). Default 200. */
  writeRateUs?: number;
  /** Issuing task. Default `w`. */
  task?: string;
  /** Backing object. Default `file.dat`. */
  object?: string;
  /** Start address of the mapping (page aligned). Default 0x10000000. */
  base?: number;
  /** Page size in bytes; each write stores one page. Default 4096. */
  pageSize?: number;
}

/** The defaults of the optional parameters, and suggested values of the others. */
export const RANDOM_WRITER_DEFAULTS = {
  seed: 1,
  pages: 4096,
  syncEvery: 100,
  writeRateUs: 200,
  task: 'w',
  object: 'file.dat',
  base: 0x10000000,
  pageSize: 4096,
} as const;

/**
 * The rows of a random-writer trace, in time order (times are integer ns;
 * line numbers count from 3, as after a `# syncsim-trace v1` line and the header):
 * a `map` at time 0 of `pages` pages of `object` at `base`, then one-page
 * `write`s of uniformly random pages at exponential intervals, each
 * `syncEvery`-th write followed at the same time by an `msync SYNC` of the
 * whole mapping, until `rows` rows have been produced.
 */
export function* randomWriter(p: RandomWriterParams): Generator<TraceRow> {
  const d = RANDOM_WRITER_DEFAULTS;
  const meanUs = p.writeRateUs ?? d.writeRateUs;
  const task = p.task ?? d.task;
  const object = p.object ?? d.object;
  const base = p.base ?? d.base;
  const ps = p.pageSize ?? d.pageSize;
  if (!Number.isInteger(p.rows) || p.rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${p.rows}`);
  if (!Number.isInteger(p.pages) || p.pages < 1) throw new RangeError(`pages must be a positive integer, got ${p.pages}`);
  if (!Number.isInteger(p.syncEvery) || p.syncEvery < 0) throw new RangeError(`syncEvery must be a non-negative integer, got ${p.syncEvery}`);
  if (!(meanUs > 0)) throw new RangeError(`writeRateUs must be positive, got ${meanUs}`);
  if (!Number.isInteger(ps) || ps <= 0 || base % ps !== 0) throw new RangeError(`base 0x${base.toString(16)} must be aligned to pageSize ${ps}`);

  const rng = new RandomStream(p.seed, 'workload.random-writer');
  const len = p.pages * ps;
  const meanNs = meanUs * 1000;
  let line = 3;
  let produced = 0;
  if (produced++ >= p.rows) return;
  yield { line: line++, tNs: 0, task, op: 'map', addr: base, len, flags: 0, object, offset: 0 };
  let t = 0;
  let writes = 0;
  while (produced < p.rows) {
    t += rng.exponential(meanNs);
    const tNs = Math.round(t);
    const page = rng.int(p.pages);
    produced++;
    yield { line: line++, tNs, task, op: 'write', addr: base + page * ps, len: ps, flags: 0, object: '', offset: 0 };
    writes++;
    if (p.syncEvery > 0 && writes % p.syncEvery === 0 && produced < p.rows) {
      produced++;
      yield { line: line++, tNs, task, op: 'msync', addr: base, len, flags: Flag.SYNC, object: '', offset: 0 };
    }
  }
}
