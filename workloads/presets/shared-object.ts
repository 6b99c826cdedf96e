/**
 * shared-object: N tasks map one object and each owns a window of it that overlaps its
 * neighbours' windows; each writes random pages of its window and, at the same instants as
 * every other task, msyncs its whole window. Concurrent msyncs of overlapping ranges of one
 * object exercise Mach's rule that overlapping memory_object_synchronize requests are served
 * one after the other.
 */
import { RandomStream } from '../../sim/engine/random.ts';
import type { RowInput } from '../../traces/writer.ts';
import { ParamError, type Params } from '../params.ts';
import { arrivals } from './arrivals.ts';
import {
  ARRIVAL, DURATION_S, MAP_BASE, PAGE_SIZE, checkPageMultiple, durationNs, tasksByTime, footprintSpec, rateSpec, tasksSpec, writeSizeSpec,
  type Preset,
} from './preset.ts';
import { randomWrites } from './random-writer.ts';
import { writerRows } from './writer-task.ts';

const NAME = 'shared-object';

/** The object every task maps. */
const OBJECT = 'shared.obj';

const SCHEMA = {
  duration_s: DURATION_S,
  tasks: tasksSpec(4, 'tasks s0.., all mapping the one object shared.obj', 2),
  footprint: footprintSpec('16M', 'size of the object, mapped whole by every task'),
  overlap: { kind: 'number', default: 0.5, min: 0, max: 1, doc: "fraction of a task's window shared with the next task's (0 = disjoint, 1 = all the same)" },
  rate: rateSpec(2000),
  arrival: ARRIVAL,
  write_size: writeSizeSpec(4096),
  sync_interval_us: { kind: 'number', default: 50000, min: 0, exclusiveMin: true, max: 1e12, doc: 'every task msyncs its window at T, 2T, ... µs, all at the same instants' },
  sync_flags: { kind: 'msync-flags', default: 'SYNC', doc: "msync flags, joined by '|'" },
  page_size: PAGE_SIZE,
} as const;

type SharedParams = Params<typeof SCHEMA>;

/** Each task's window: `pages` pages starting `stride` pages after the previous task's. */
export function windows(p: SharedParams): { pages: number; stride: number } {
  const total = p.footprint / p.page_size;
  const pages = Math.floor(total / (1 + (p.tasks - 1) * (1 - p.overlap)));
  return { pages, stride: Math.floor(pages * (1 - p.overlap)) };
}

function* taskRows(p: SharedParams, seed: number, i: number): Generator<RowInput> {
  const task = `s${i}`;
  const { pages, stride } = windows(p);
  const region = { addr: MAP_BASE + i * stride * p.page_size, len: pages * p.page_size };
  yield { tNs: 0, task, op: 'map', addr: MAP_BASE, len: p.footprint, object: OBJECT, offset: 0 };
  yield* writerRows({
    task, region, pageSize: p.page_size, endNs: durationNs(p.duration_s),
    arrivals: arrivals(p.arrival, p.rate, new RandomStream(seed, `workload.${NAME}.${task}.arrivals`)),
    nextWrite: randomWrites(region.addr, region.len, p.write_size, p.page_size, 'uniform', 0, new RandomStream(seed, `workload.${NAME}.${task}.pages`)),
    sync: { every: 0, intervalUs: p.sync_interval_us, flags: p.sync_flags, range: 'map' },
  });
}

/** The shared-object preset. */
export const sharedObject: Preset<typeof SCHEMA> = {
  name: NAME,
  summary: "N tasks map one object and msync overlapping windows of it at the same instants (Mach's non-overlapping synchronize rule)",
  schema: SCHEMA,
  check(p) {
    checkPageMultiple(NAME, 'footprint', p.footprint, p.page_size);
    const { pages } = windows(p);
    if (pages < 1) throw new ParamError(NAME, 'footprint', `must give each of the ${p.tasks} tasks a window of at least one page`, String(p.footprint));
    if (p.write_size > pages * p.page_size) {
      throw new ParamError(NAME, 'write_size', `must not exceed a task's window (${pages * p.page_size} bytes)`, String(p.write_size));
    }
  },
  rows(p, seed) {
    return tasksByTime(p.tasks, (i) => taskRows(p, seed, i));
  },
};
