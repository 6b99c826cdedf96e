/**
 * Interleaving per-task streams into one trace: a k-way merge by time.
 */

interface Head<T> {
  item: T;
  source: number;
  it: Iterator<T>;
}

function before<T extends { tNs: number }>(a: Head<T>, b: Head<T>): boolean {
  return a.item.tNs < b.item.tNs || (a.item.tNs === b.item.tNs && a.source < b.source);
}

/**
 * The items of every source in non-decreasing `tNs`; each source must itself be in
 * non-decreasing time. Equal times come in source order, and a source's own order is kept.
 * Holds one item per source (a binary heap): O(log k) per item.
 */
export function* mergeByTime<T extends { tNs: number }>(sources: readonly Iterable<T>[]): Generator<T> {
  const heap: Head<T>[] = [];
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i], heap[p])) return;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l], heap[m])) m = l;
      if (r < heap.length && before(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  sources.forEach((s, source) => {
    const it = s[Symbol.iterator]();
    const r = it.next();
    if (!r.done) {
      heap.push({ item: r.value, source, it });
      up(heap.length - 1);
    }
  });
  while (heap.length > 0) {
    const top = heap[0];
    yield top.item;
    const r = top.it.next();
    if (!r.done) {
      top.item = r.value;
      down(0);
    } else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    }
  }
}
