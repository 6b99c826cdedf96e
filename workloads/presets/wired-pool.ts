/**
 * wired-pool: a database buffer pool locked in memory. Each task maps its pool file, wires it
 * whole with `wire USER|NOHOLES` (mlock), writes random pages of it, msyncs it periodically and
 * unwires it at the end. With sync_flags=SYNC|INVALIDATE the msyncs meet wired pages, which
 * FreeBSD and Linux refuse with EBUSY.
 */
import { RandomStream } from '../../sim/engine/random.ts';
import { Flag } from '../../traces/types.ts';
import type { RowInput } from '../../traces/writer.ts';
import type { Params } from '../params.ts';
import { arrivals } from './arrivals.ts';
import {
  ARRIVAL, DURATION_S, MAP_BASE, PAGE_SIZE, checkFootprintWrites, durationNs, tasksByTime, footprintSpec, rateSpec,
  syncPolicySpecs, tasksSpec, writeSizeSpec, type Preset,
} from './preset.ts';
import { randomWrites } from './random-writer.ts';
import { writerRows } from './writer-task.ts';

const NAME = 'wired-pool';

/** mlock / munlock. */
const WIRE_FLAGS = Flag.USER | Flag.NOHOLES;

const SCHEMA = {
  duration_s: DURATION_S,
  tasks: tasksSpec(1, 'tasks pool0.., each wiring its own pool file pool.<i>'),
  footprint: footprintSpec('4M', 'bytes of each buffer pool, all wired (Linux RLIMIT_MEMLOCK is 8 MiB by default)'),
  rate: rateSpec(5000),
  arrival: ARRIVAL,
  write_size: writeSizeSpec(4096),
  ...syncPolicySpecs({ every: 0, intervalUs: 100000, flags: 'SYNC', range: 'map' }),
  page_size: PAGE_SIZE,
} as const;

function* taskRows(p: Params<typeof SCHEMA>, seed: number, i: number): Generator<RowInput> {
  const task = `pool${i}`;
  const region = { addr: MAP_BASE, len: p.footprint };
  const endNs = durationNs(p.duration_s);
  yield { tNs: 0, task, op: 'map', addr: region.addr, len: region.len, object: `pool.${i}`, offset: 0 };
  yield { tNs: 0, task, op: 'wire', addr: region.addr, len: region.len, flags: WIRE_FLAGS };
  yield* writerRows({
    task, region, pageSize: p.page_size, endNs,
    arrivals: arrivals(p.arrival, p.rate, new RandomStream(seed, `workload.${NAME}.${task}.arrivals`)),
    nextWrite: randomWrites(region.addr, region.len, p.write_size, p.page_size, 'uniform', 0, new RandomStream(seed, `workload.${NAME}.${task}.pages`)),
    sync: { every: p.sync_every, intervalUs: p.sync_interval_us, flags: p.sync_flags, range: p.sync_range },
  });
  yield { tNs: endNs, task, op: 'unwire', addr: region.addr, len: region.len, flags: WIRE_FLAGS };
}

/** The wired-pool preset. */
export const wiredPool: Preset<typeof SCHEMA> = {
  name: NAME,
  summary: 'a buffer pool wired with wire USER|NOHOLES, random writes into it, periodic msync (sync_flags=SYNC|INVALIDATE: EBUSY on freebsd/linux), unwire at the end',
  schema: SCHEMA,
  check(p) {
    checkFootprintWrites(NAME, p);
  },
  rows(p, seed) {
    return tasksByTime(p.tasks, (i) => taskRows(p, seed, i));
  },
};
