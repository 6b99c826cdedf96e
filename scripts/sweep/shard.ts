/**
 * Shards of a sweep: `--shard I/N` takes the I-th of N contiguous blocks of the runs, the runs
 * ordered by their trace first (so the runs replaying one generated trace mostly fall in one
 * shard, which then generates it alone), then by their place in the plan. The N shards
 * partition the runs (each run in exactly one shard) and their sizes differ by at most one.
 */
import { InputError } from '../errors.ts';
import type { RunSpec } from './plan.ts';

/** Shard I of N (1 <= I <= N). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `I/N`; an InputError when it is not two integers with 1 <= I <= N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1) || index > count) {
    throw new InputError(`--shard expects I/N with 1 <= I <= N (got '${text}')`);
  }
  return { index, count };
}

/**
 * The items of `items` (in plan order) that belong to `shard`, in plan order; `group` names
 * what items should share a shard (their trace). Without a shard, all of them.
 */
export function shardOf<T>(items: readonly T[], shard: Shard | undefined, group: (item: T) => string = () => ''): T[] {
  if (!shard) return [...items];
  const order = items.map((item, pos) => ({ key: group(item), pos }));
  order.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.pos - b.pos));
  const n = items.length;
  const from = Math.floor(((shard.index - 1) * n) / shard.count);
  const to = Math.floor((shard.index * n) / shard.count);
  return order.slice(from, to).map((o) => o.pos).sort((a, b) => a - b).map((pos) => items[pos]);
}

/** The runs of a sweep's `shard` (all of them without one), those replaying one generated trace kept together. */
export function shareOfRuns(runs: readonly RunSpec[], shard: Shard | undefined): RunSpec[] {
  return shardOf(runs, shard, (r) => (r.trace.kind === 'gen' ? r.trace.file : ''));
}
