/**
 * seq-writer: each task maps its own file and stores to it sequentially (wrapping around at the
 * end, a circular buffer), msyncing every N writes and/or every T µs with chosen flags: a log,
 * an append-mostly data file, a streaming writer.
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

const NAME = 'seq-writer';

const SCHEMA = {
  duration_s: DURATION_S,
  tasks: tasksSpec(1, 'writer tasks, each with its own file seq.<i>.dat'),
  footprint: footprintSpec('64M', 'bytes mapped per task; writes wrap around at the end'),
  rate: rateSpec(2000),
  arrival: ARRIVAL,
  write_size: writeSizeSpec('16K'),
  ...syncPolicySpecs({ every: 0, intervalUs: 10000, flags: 'SYNC', range: 'written' }),
  page_size: PAGE_SIZE,
} as const;

type SeqWriterParams = Params<typeof SCHEMA>;

function* taskRows(p: SeqWriterParams, seed: number, i: number): Generator<RowInput> {
  const task = `w${i}`;
  const region = { addr: MAP_BASE, len: p.footprint };
  yield { tNs: 0, task, op: 'map', addr: region.addr, len: region.len, object: `seq.${i}.dat`, offset: 0 };
  let cursor = 0;
  yield* writerRows({
    task, region, pageSize: p.page_size, endNs: durationNs(p.duration_s),
    arrivals: arrivals(p.arrival, p.rate, new RandomStream(seed, `workload.${NAME}.${task}.arrivals`)),
    nextWrite: () => {
      if (cursor + p.write_size > p.footprint) cursor = 0;
      const addr = region.addr + cursor;
      cursor += p.write_size;
      return { addr, len: p.write_size };
    },
    sync: { every: p.sync_every, intervalUs: p.sync_interval_us, flags: p.sync_flags, range: p.sync_range },
  });
}

/** The seq-writer preset. */
export const seqWriter: Preset<typeof SCHEMA> = {
  name: NAME,
  summary: 'sequential writes through a mapping (wrapping at its end), msync every N writes or every T µs with chosen flags',
  schema: SCHEMA,
  check(p) {
    checkFootprintWrites(NAME, p);
  },
  rows(p, seed) {
    return tasksByTime(p.tasks, (i) => taskRows(p, seed, i));
  },
};
