/**
 * The search and scan loops of the page store (sim/vm/page-store.ts): the
 * sorted arrays of a sparse chunk, and the state bytes and DIRTY/WB bits of a
 * dense one. They know nothing of what the state bits mean.
 */
/** Index in the sorted `keys` of `i`, or `-(insertion point) - 1`. */
export function search(keys: number[], i: number): number {
  let lo = 0, hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid];
    if (k < i) lo = mid + 1;
    else if (k > i) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Inserts `v` at position `at` of `a` (no garbage, unlike splice). */
export function insertAt(a: number[], at: number, v: number): void {
  let j = a.length;
  a.push(v);
  for (; j > at; j--) a[j] = a[j - 1];
  a[at] = v;
}

/**
 * The first offset in [from, to) of dense state `st` (`st32`: its words)
 * whose state has a bit of `mask`, or -1: four pages per test where the
 * range allows.
 */
export function scanDense(st: Uint8Array, st32: Uint32Array, from: number, to: number, mask: number): number {
  mask &= 0xff; // a state is one byte: a higher bit would spill into the next page's byte of a word
  let i = from;
  for (; i < to && (i & 3) !== 0; i++) if (st[i] & mask) return i;
  const m4 = Math.imul(mask, 0x01010101) | 0;
  for (let w = i >> 2, wEnd = to >> 2; w < wEnd; w++) {
    if ((st32[w] & m4) !== 0) {
      for (let j = w << 2; ; j++) if (st[j] & mask) return j;
    }
  }
  for (i = Math.max(i, to & ~3); i < to; i++) if (st[i] & mask) return i;
  return -1;
}

/**
 * The first offset in [from, to) whose bit is set in `dw` (a bit per page:
 * PageChunk.dw) and whose state in `st` has a bit of `mask`, or -1: 32
 * pages a test. Right for a mask of bits whose pages all have their bit set.
 */
export function scanBits(st: Uint8Array, dw: Int32Array, from: number, to: number, mask: number): number {
  if (from >= to) return -1;
  let w = from >> 5;
  const wLast = (to - 1) >> 5;
  let bits = dw[w] & (-1 << (from & 31)); // the bits at or after `from`
  for (;;) {
    if (w === wLast && (to & 31) !== 0) bits &= (1 << (to & 31)) - 1; // and before `to`
    while (bits !== 0) {
      const low = bits & -bits;
      const j = (w << 5) + 31 - Math.clz32(low);
      if (st[j] & mask) return j;
      bits ^= low;
    }
    if (++w > wLast) return -1;
    bits = dw[w];
  }
}
