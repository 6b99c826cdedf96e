/**
 * random-writer: each task maps its own file and stores to random pages of it, uniform or with
 * Zipf(θ) popularity, msyncing every N writes and/or every T µs: a key-value store or cache
 * updating records in place.
 */
import { RandomStream } from '../../sim/engine/random.ts';
import type { RowInput } from '../../traces/writer.ts';
import type { Params } from '../params.ts';
import { arrivals } from './arrivals.ts';
import {
  ARRIVAL, DURATION_S, MAP_BASE, PAGE_SIZE, checkFootprintWrites, durationNs, tasksByTime, footprintSpec, rateSpec,
  syncPolicySpecs, tasksSpec, writeSizeSpec, type Preset,
} from './preset.ts';
import { writerRows } from './writer-task.ts';
import { PAGE_DISTRIBUTIONS } from './zipf.ts';

const NAME = 'random-writer';

/** Page popularity parameters, shared with db-checkpoint. */
export function popularitySpecs(dist: 'uniform' | 'zipf') {
  return {
    dist: { kind: 'choice', default: dist, choices: ['uniform', 'zipf'], doc: 'page popularity: uniform, or zipf (rank k written with probability ∝ k^-theta, hot pages spread over the mapping)' },
    theta: { kind: 'number', default: 0.99, min: 0, max: 10, doc: 'Zipf exponent (dist=zipf)' },
  } as const;
}

const SCHEMA = {
  duration_s: DURATION_S,
  tasks: tasksSpec(1, 'writer tasks, each with its own file rand.<i>.dat'),
  footprint: footprintSpec('16M', 'bytes mapped per task'),
  rate: rateSpec(5000),
  arrival: ARRIVAL,
  write_size: writeSizeSpec(4096),
  ...popularitySpecs('uniform'),
  ...syncPolicySpecs({ every: 100, intervalUs: 0, flags: 'SYNC', range: 'map' }),
  page_size: PAGE_SIZE,
} as const;

/**
 * Where random writes of `writeSize` bytes go in a region of `len` bytes at `base`: each starts
 * at a page boundary, the page drawn by `dist`, and stays inside the region.
 */
export function randomWrites(
  base: number, len: number, writeSize: number, pageSize: number, dist: string, theta: number, rng: RandomStream,
): () => { addr: number; len: number } {
  const starts = len / pageSize - Math.ceil(writeSize / pageSize) + 1;
  const pick = PAGE_DISTRIBUTIONS[dist](starts, theta, rng);
  return () => ({ addr: base + pick.next() * pageSize, len: writeSize });
}

function* taskRows(p: Params<typeof SCHEMA>, seed: number, i: number): Generator<RowInput> {
  const task = `w${i}`;
  const region = { addr: MAP_BASE, len: p.footprint };
  yield { tNs: 0, task, op: 'map', addr: region.addr, len: region.len, object: `rand.${i}.dat`, offset: 0 };
  yield* writerRows({
    task, region, pageSize: p.page_size, endNs: durationNs(p.duration_s),
    arrivals: arrivals(p.arrival, p.rate, new RandomStream(seed, `workload.${NAME}.${task}.arrivals`)),
    nextWrite: randomWrites(region.addr, region.len, p.write_size, p.page_size, p.dist, p.theta, new RandomStream(seed, `workload.${NAME}.${task}.pages`)),
    sync: { every: p.sync_every, intervalUs: p.sync_interval_us, flags: p.sync_flags, range: p.sync_range },
  });
}

/** The random-writer preset. */
export const randomWriterPreset: Preset<typeof SCHEMA> = {
  name: NAME,
  summary: 'writes to uniform or Zipf(θ)-popular random pages of a mapping, msync every N writes or every T µs',
  schema: SCHEMA,
  check(p) {
    checkFootprintWrites(NAME, p);
  },
  rows(p, seed) {
    return tasksByTime(p.tasks, (i) => taskRows(p, seed, i));
  },
};
