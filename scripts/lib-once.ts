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
 * `rows` as `replay` (`fn`) reads them, named `name`: unchanged unless an iterator, which must
 * not have been read by an earlier replay and must give a first row (read here, given again
 * first); else a TypeError naming it.
 */
export async function onceRows(rows: RowSource, name: string, fn = 'replay'): Promise<RowSource> {
  if (!isIterator(rows)) return rows;
  const fresh = 'pass a new one (call the generator again), or an array';
  if (begun.has(rows)) throw new TypeError(`${fn}: ${name} is an iterator an earlier ${fn} already read (its rows can be read once): ${fresh}`);
  begun.add(rows);
  const it = rows;
  const first = await it.next();
  if (first.done) throw new TypeError(`${fn}: ${name} is an iterator with no rows left (read to its end before: its rows can be read once): ${fresh}`);
  async function* again(): AsyncGenerator<unknown> {
    yield first.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return Object.assign(again(), { extraCols: rows.extraCols }) as RowSource;
}
