/**
 * Exact summaries of a large store of integer latencies without a
 * comparison sort or a copy of the store: the samples (read where they are,
 * in chunks) are counted into buckets that follow their order; then only the
 * few buckets holding the wanted ranks are gathered and searched, or, when
 * the mean depends on the order of summation, the samples are placed bucket
 * by bucket and each bucket sorted. The figures are the very ones a full
 * sort and `quantileSorted` (simple-statistics, numpy type 7) give.
 */
import { quantileSorted } from 'simple-statistics';

/** Chunks of samples as {@link LatencyStats} keeps them: the first `n` values, chunk after chunk. */
export type SampleChunks = readonly (Uint32Array | Float64Array)[];

/** Buckets of the counting pass: the samples of a bucket are at most this fraction of the spread apart. */
const BUCKETS = 1 << 16;

/**
 * The mean, the quantiles `ps` (ascending) and the max of the first `n`
 * samples of `chunks`, exactly as sorting them ascending, summing them in
 * that order and `quantileSorted` give them, for non-negative integers;
 * undefined when a sample is anything else (the caller sorts). Leaves the
 * samples as they are. When the sum is at most 2^53 (exact in any order)
 * only the buckets holding the wanted ranks are gathered; past it the sum
 * depends on the order, and the samples are sorted by their buckets.
 */
export function integerQuantiles(chunks: SampleChunks, n: number, ps: readonly number[]): { mean: number; q: number[]; max: number } | undefined {
  if (n === 0) return undefined;
  let min = Infinity, max = 0, sum = 0;
  for (let c = 0, off = 0; off < n; c++) {
    const a = chunks[c], k = Math.min(a.length, n - off);
    for (let i = 0; i < k; i++) {
      const x = a[i];
      if (!(x >= 0 && Math.floor(x) === x)) return undefined;
      sum += x;
      if (x > max) max = x;
      if (x < min) min = x;
    }
    off += k;
  }
  // the bucket of x: floor((x - min) * scale), which never decreases as x grows (x - min is exact below 2^53,
  // and rounding a product never reverses an order), so every sample of a bucket is at most every one of the next
  const scale = max > min && max <= Number.MAX_SAFE_INTEGER ? (BUCKETS - 1) / (max - min) : 0;
  const count = new Uint32Array(BUCKETS);
  for (let c = 0, off = 0; off < n; c++) {
    const a = chunks[c], k = Math.min(a.length, n - off);
    for (let i = 0; i < k; i++) count[Math.min(BUCKETS - 1, Math.floor((a[i] - min) * scale))]++;
    off += k;
  }
  // up to 2^53, every partial sum of non-negative integers is exact: the sorted order would give the same sum
  if (sum <= Number.MAX_SAFE_INTEGER) return { mean: sum / n, q: selectRanks(chunks, n, ps, count, min, scale), max };
  const v = bucketSort(chunks, n, count, min, scale);
  let sorted = 0;
  for (let i = 0; i < n; i++) sorted += v[i];
  // quantileSorted only indexes its argument: the typed array serves as it is
  const arr = v as unknown as number[];
  return { mean: sorted / n, q: ps.map((p) => quantileSorted(arr, p)), max: v[n - 1] };
}

/** The quantiles `ps` of the samples counted into buckets `count`: only the buckets of the wanted ranks are gathered. */
function selectRanks(chunks: SampleChunks, n: number, ps: readonly number[], count: Uint32Array, min: number, scale: number): number[] {
  // the ranks wanted: for each quantile, between ranks floor and ceil of (n − 1)p (quantileSorted, numpy type 7)
  const ranks: number[] = [];
  for (const p of ps) {
    const idx = (n - 1) * p, lo = Math.floor(idx);
    ranks.push(lo);
    if (idx % 1 !== 0) ranks.push(lo + 1);
  }
  // each rank's bucket and its rank within the bucket; the buckets to gather get a slot each
  const slotOf = new Int32Array(BUCKETS).fill(-1);
  const gathered: Float64Array[] = [];
  const where: { slot: number; k: number }[] = [];
  let b = 0, before = 0;
  for (const r of ranks) {
    // the ranks ascend: the search goes on from the last one's bucket
    while (before + count[b] <= r) before += count[b++];
    if (slotOf[b] < 0) {
      slotOf[b] = gathered.length;
      gathered.push(new Float64Array(count[b]));
    }
    where.push({ slot: slotOf[b], k: r - before });
  }
  const fill = new Uint32Array(gathered.length);
  for (let c = 0, off = 0; off < n; c++) {
    const a = chunks[c], k = Math.min(a.length, n - off);
    for (let i = 0; i < k; i++) {
      const x = a[i];
      const s = slotOf[Math.min(BUCKETS - 1, Math.floor((x - min) * scale))];
      if (s >= 0) gathered[s][fill[s]++] = x;
    }
    off += k;
  }
  const valueOf = (i: number) => {
    const g = gathered[where[i].slot];
    select(g, where[i].k, 0, g.length - 1);
    return g[where[i].k];
  };
  const q: number[] = [];
  let w = 0;
  for (const p of ps) {
    const idx = (n - 1) * p, lo = Math.floor(idx);
    const xl = valueOf(w++);
    if (idx % 1 === 0) {
      q.push(xl);
      continue;
    }
    const xu = valueOf(w++);
    q.push(xl + (idx - lo) * (xu - xl));
  }
  return q;
}

/** The samples counted into buckets `count`, sorted ascending: placed bucket by bucket, then each bucket sorted. */
function bucketSort(chunks: SampleChunks, n: number, count: Uint32Array, min: number, scale: number): Float64Array {
  const at = new Uint32Array(BUCKETS);
  for (let b = 0, s = 0; b < BUCKETS; b++) {
    at[b] = s;
    s += count[b];
  }
  const v = new Float64Array(n);
  for (let c = 0, off = 0; off < n; c++) {
    const a = chunks[c], k = Math.min(a.length, n - off);
    for (let i = 0; i < k; i++) {
      const x = a[i];
      v[at[Math.min(BUCKETS - 1, Math.floor((x - min) * scale))]++] = x;
    }
    off += k;
  }
  // at[b] is now the end of bucket b
  for (let b = 0, s = 0; b < BUCKETS; b++) {
    const e = at[b];
    if (e - s > 32) v.subarray(s, e).sort();
    else {
      for (let i = s + 1; i < e; i++) {
        const x = v[i];
        let j = i - 1;
        for (; j >= s && v[j] > x; j--) v[j + 1] = v[j];
        v[j + 1] = x;
      }
    }
    s = e;
  }
  return v;
}

/**
 * Rearranges a[left..right] so that a[k] holds the value of rank k, smaller
 * values before it and larger after (Floyd–Rivest selection).
 */
export function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      // recurse on a sample to bring a good pivot to k
      const n = right - left + 1, m = k - left + 1, z = Math.log(n), s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      select(a, k, Math.max(left, Math.floor(k - (m * s) / n + sd)), Math.min(right, Math.floor(k + ((n - m) * s) / n + sd)));
    }
    const t = a[k];
    let i = left, j = right;
    swap(a, left, k);
    if (a[right] > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
