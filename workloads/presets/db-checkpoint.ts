/**
 * db-checkpoint: the database without a write-ahead log (LMDB-like): writer tasks update random
 * pages of one shared data file in place, and every checkpoint interval task db0 msyncs the
 * whole mapping synchronously.
 */
import { RandomStream } from '../../sim/engine/random.ts';
import type { RowInput } from '../../traces/writer.ts';
import type { Params } from '../params.ts';
import { arrivals } from './arrivals.ts';
import {
  ARRIVAL, DURATION_S, MAP_BASE, PAGE_SIZE, checkFootprintWrites, durationNs, tasksByTime, footprintSpec, rateSpec,
  tasksSpec, writeSizeSpec, type Preset,
} from './preset.ts';
import { popularitySpecs, randomWrites } from './random-writer.ts';
import { writerRows } from './writer-task.ts';

const NAME = 'db-checkpoint';

/** The shared data file. */
const OBJECT = 'db.data';

const SCHEMA = {
  duration_s: DURATION_S,
  tasks: tasksSpec(1, 'writer tasks db0..; all map the one data file db.data, db0 also checkpoints'),
  footprint: footprintSpec('64M', 'size of the data file, mapped whole by every task'),
  rate: rateSpec(2000, 'page updates'),
  arrival: ARRIVAL,
  write_size: writeSizeSpec(4096),
  ...popularitySpecs('zipf'),
  checkpoint_interval_us: { kind: 'number', default: 1e6, min: 0, exclusiveMin: true, max: 1e12, doc: 'a checkpoint (msync of the whole map) every T µs, at T, 2T, ...' },
  sync_flags: { kind: 'msync-flags', default: 'SYNC', doc: "flags of the checkpoint msync, joined by '|'" },
  page_size: PAGE_SIZE,
} as const;

function* taskRows(p: Params<typeof SCHEMA>, seed: number, i: number): Generator<RowInput> {
  const task = `db${i}`;
  const region = { addr: MAP_BASE, len: p.footprint };
  yield { tNs: 0, task, op: 'map', addr: region.addr, len: region.len, object: OBJECT, offset: 0 };
  yield* writerRows({
    task, region, pageSize: p.page_size, endNs: durationNs(p.duration_s), txn: true,
    arrivals: arrivals(p.arrival, p.rate, new RandomStream(seed, `workload.${NAME}.${task}.arrivals`)),
    nextWrite: randomWrites(region.addr, region.len, p.write_size, p.page_size, p.dist, p.theta, new RandomStream(seed, `workload.${NAME}.${task}.pages`)),
    sync: i === 0
      ? { every: 0, intervalUs: p.checkpoint_interval_us, flags: p.sync_flags, range: 'map' }
      : { every: 0, intervalUs: 0, flags: 0, range: 'map' },
  });
}

/** The db-checkpoint preset. */
export const dbCheckpoint: Preset<typeof SCHEMA> = {
  name: NAME,
  summary: 'random page updates of a shared data file, a full-map msync SYNC every checkpoint interval (LMDB / WAL-less database)',
  schema: SCHEMA,
  extraCols: ['x_txn'],
  check(p) {
    checkFootprintWrites(NAME, p);
  },
  rows(p, seed) {
    return tasksByTime(p.tasks, (i) => taskRows(p, seed, i));
  },
};
