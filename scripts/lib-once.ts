/**
 * Rows given to the library's `replay` as an iterator (a generator's object),
 * which can be read once: a second replay of it would read no rows and
 * replay an empty trace without a word, so it is refused, naming it.
 */
import type { RowSource } from '../traces/rows.ts';

/** Iterators a replay has begun to read. */
const begun = new WeakSet<object>();

/** Whether `x` is an iterator that is its own iterable (a generator's object), not an iterable that makes a new one each time. */
function isIterator(x: object): x is Iterator<unknown> | AsyncIterator<unknown> {
  const it = x as { next?: unknown; [Symbol.iterator]?: () => unknown; [Symbol.asyncIterator]?: () => unknown };
  if (typeof it.next !== 'function') return false;
  const self = it[Symbol.asyncIterator] ?? it[Symbol.iterator];
  return typeof self === 'function' && self.call(x) === x;
}

/**
 * `rows` as `replay` (`fn`) reads them, named `name`: unchanged, unless an iterator an earlier
 * replay began to read, which is a TypeError naming it. (An iterator read to its end elsewhere
 * cannot be told from one that has no rows: it replays as an empty trace, `trace.rows` 0.)
 */
export function onceRows(rows: RowSource, name: string, fn = 'replay'): RowSource {
  if (!isIterator(rows)) return rows;
  if (begun.has(rows)) throw new TypeError(`${fn}: ${name} is an iterator an earlier ${fn} already read (its rows can be read once): pass a new one (call the generator again), or an array`);
  begun.add(rows);
  return rows;
}
