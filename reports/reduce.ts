/**
 * Streaming reductions of a run's large result files into the few hundred
 * points a chart draws: the msync latency distribution and latency-vs-pages
 * points or bins (one pass over syncs.csv), and a downsampled timeline
 * (one pass over timeline.csv). Memory is bounded whatever the file length.
 */
import { openCsv, numberField } from './csv.ts';
import { FineBuckets, fineRows, type FineTimeline } from './timeline-band.ts';
import { TIMELINE_SERIES, type TimelineSeries } from './timeline-series.ts';

/** Result codes of a successful msync (errno and Mach spellings). */
const OK_RESULTS = new Set(['OK', 'KERN_SUCCESS']);

/** Most scatter points kept per run; above this the chart draws density bins instead. */
export const SCATTER_LIMIT = 2000;
/** Most distinct latency values kept exactly; above this values are rounded to 4 significant digits. */
const EXACT_VALUES_LIMIT = 100_000;
/** Latency bins per decade of the density view. */
export const LATENCY_BINS_PER_DECADE = 10;
/** Bins along the pages axis of the density view (at most). */
const PAGE_BINS = 30;

/** One step of an empirical CDF: the fraction of msyncs whose latency is <= `latency_us`. */
export interface CdfPoint {
  latency_us: number;
  fraction: number;
}

/** One plotted msync. */
export interface ScatterPoint {
  pages: number;
  latency_us: number;
}

/**
 * A density bin: msyncs with pages in [pages_lo, pages_hi] and latency in
 * [latency_lo, latency_hi). It is drawn where its msyncs are, not at the
 * bin's centre (bins 5 pages wide over msyncs of 94-100 pages put a mark at
 * 102): `pages` is their mean pages written and `latency_us` their
 * geometric-mean latency, each within the observed `*_min`..`*_max`. Latencies
 * in µs here; latency-vs-pages divides them all into the unit it draws in.
 */
export interface DensityBin {
  pages: number;
  pages_lo: number;
  pages_hi: number;
  /** Fewest and most pages written by an msync of the bin. */
  pages_min: number;
  pages_max: number;
  latency_us: number;
  latency_lo: number;
  latency_hi: number;
  /** Shortest and longest latency of an msync of the bin. */
  latency_min: number;
  latency_max: number;
  count: number;
}

/** msyncs of one pages value and latency bin, as the pass over syncs.csv gathers them. */
interface BinAcc {
  count: number;
  /** Sum of the natural logarithms of their latencies (their geometric mean). */
  logSum: number;
  min: number;
  max: number;
}

/** What the charts need from one run's syncs.csv. */
export interface SyncStats {
  /** Successful msyncs issued at or after `stats.warmup_us` (the population of summary.json's latency statistics). */
  n: number;
  /** Of those, msyncs that took 0 µs (not drawable on a log axis). */
  zero: number;
  /** Smallest and largest latency of the population (null when n = 0). */
  min: number | null;
  max: number | null;
  /** The ECDF at the positive latencies, thinned to a few hundred steps; the last point is (max, 1). */
  cdf: CdfPoint[];
  /** Every msync with a positive latency, or null when there are more than {@link SCATTER_LIMIT}. */
  points: ScatterPoint[] | null;
  /** msyncs with a positive latency, binned (log latency × pages). */
  bins: DensityBin[];
  /** Largest pages_written of the population. */
  maxPages: number;
  /** msyncs that took 0 µs, counted per pages written (ascending pages), for charts that draw them at the axis floor. */
  zeroPages: { pages: number; count: number }[];
}

/** Rounds to 4 significant digits (relative error <= 0.05 %). */
function round4(v: number): number {
  return Number(v.toPrecision(4));
}

/** A nice bin width (1, 2 or 5 × 10^k) of at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/**
 * Reads `file` (syncs.csv) once and reduces the successful msyncs issued at
 * or after `warmupUs` to a CDF, scatter points and density bins.
 */
export async function reduceSyncs(file: string, warmupUs: number): Promise<SyncStats> {
  const f = await openCsv(file, ['t_issue_us', 'latency_us', 'pages_written', 'result']);
  let counts = new Map<number, number>();
  let exact = true;
  let n = 0, zero = 0, maxPages = 0;
  let min = Infinity, max = -Infinity;
  let points: ScatterPoint[] | null = [];
  const bins = new Map<string, BinAcc>();
  const zeroPages = new Map<number, number>();
  const iResult = f.col.result;
  for await (const row of f.rows) {
    if (!OK_RESULTS.has(row.fields[iResult])) continue;
    if (numberField(f, row, 't_issue_us', 0) < warmupUs) continue;
    const lat = numberField(f, row, 'latency_us', 0);
    const pages = numberField(f, row, 'pages_written', 0);
    n++;
    if (lat < min) min = lat;
    if (lat > max) max = lat;
    if (pages > maxPages) maxPages = pages;
    if (lat === 0) {
      zero++;
      zeroPages.set(pages, (zeroPages.get(pages) ?? 0) + 1);
      continue;
    }
    const key = exact ? lat : round4(lat);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (exact && counts.size > EXACT_VALUES_LIMIT) {
      exact = false;
      const q = new Map<number, number>();
      for (const [v, c] of counts) q.set(round4(v), (q.get(round4(v)) ?? 0) + c);
      counts = q;
    }
    if (points) {
      if (points.length < SCATTER_LIMIT) points.push({ pages, latency_us: lat });
      else points = null;
    }
    const b = Math.floor(Math.log10(lat) * LATENCY_BINS_PER_DECADE + 1e-9);
    const bk = `${pages}|${b}`;
    const acc = bins.get(bk);
    if (acc) {
      acc.count++;
      acc.logSum += Math.log(lat);
      if (lat < acc.min) acc.min = lat;
      if (lat > acc.max) acc.max = lat;
    } else bins.set(bk, { count: 1, logSum: Math.log(lat), min: lat, max: lat });
  }
  return {
    n, zero,
    min: n ? min : null,
    max: n ? max : null,
    cdf: n ? thinCdf(counts, n, zero, max) : [],
    points,
    bins: coarsenBins(bins, maxPages),
    maxPages,
    zeroPages: [...zeroPages].sort((a, b) => a[0] - b[0]).map(([pages, count]) => ({ pages, count })),
  };
}

/**
 * The ECDF at each distinct positive value, thinned: a step is kept when the
 * fraction grew by >= 0.1 % or the latency by >= 1 % since the last kept one;
 * the last point is always (max, 1).
 */
function thinCdf(counts: Map<number, number>, n: number, zero: number, max: number): CdfPoint[] {
  const values = [...counts.keys()].sort((a, b) => a - b);
  // the curve starts at the smallest positive latency, at the share of the msyncs below it (those that took 0 µs)
  const out: CdfPoint[] = values.length ? [{ latency_us: values[0], fraction: zero / n }] : [];
  let cum = zero;
  let lastF = -1, lastX = 0;
  for (let i = 0; i < values.length; i++) {
    cum += counts.get(values[i])!;
    const F = cum / n;
    const last = i === values.length - 1;
    if (last || F - lastF >= 1e-3 || values[i] >= lastX * 1.01) {
      out.push({ latency_us: last ? max : values[i], fraction: last ? 1 : F });
      lastF = F;
      lastX = values[i];
    }
  }
  return out;
}

/**
 * Merges exact-pages bins into at most {@link PAGE_BINS} bins along pages,
 * each placed at its msyncs' mean pages and geometric-mean latency (clamped
 * to their observed extent against rounding).
 */
function coarsenBins(bins: Map<string, BinAcc>, maxPages: number): DensityBin[] {
  const width = maxPages < PAGE_BINS ? 1 : niceStep((maxPages + 1) / PAGE_BINS);
  const merged = new Map<string, { p: number; b: number; count: number; pageSum: number; pMin: number; pMax: number; logSum: number; lMin: number; lMax: number }>();
  for (const [k, acc] of bins) {
    const [pages, b] = k.split('|').map(Number);
    const p = Math.floor(pages / width);
    const mk = `${p}|${b}`;
    const m = merged.get(mk);
    if (m) {
      m.count += acc.count;
      m.pageSum += pages * acc.count;
      m.pMin = Math.min(m.pMin, pages);
      m.pMax = Math.max(m.pMax, pages);
      m.logSum += acc.logSum;
      m.lMin = Math.min(m.lMin, acc.min);
      m.lMax = Math.max(m.lMax, acc.max);
    } else merged.set(mk, { p, b, count: acc.count, pageSum: pages * acc.count, pMin: pages, pMax: pages, logSum: acc.logSum, lMin: acc.min, lMax: acc.max });
  }
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return [...merged.values()]
    .sort((x, y) => x.p - y.p || x.b - y.b)
    .map(({ p, b, count, pageSum, pMin, pMax, logSum, lMin, lMax }) => {
      const lo = 10 ** (b / LATENCY_BINS_PER_DECADE), hi = 10 ** ((b + 1) / LATENCY_BINS_PER_DECADE);
      const pagesLo = p * width, pagesHi = p * width + width - 1;
      return {
        pages: clamp(pageSum / count, pMin, pMax), pages_lo: pagesLo, pages_hi: pagesHi, pages_min: pMin, pages_max: pMax,
        latency_us: clamp(Math.exp(logSum / count), lMin, lMax), latency_lo: lo, latency_hi: hi, latency_min: lMin, latency_max: lMax, count,
      };
    });
}

/** The timeline columns charted and their type (timeline-series.ts), beside the reduction that reads them. */
export { TIMELINE_SERIES, type TimelineSeries };

/** One drawn timeline sample: time in ms and, per series, the largest value of its bucket. */
export type TimelinePoint = { t_ms: number } & Record<TimelineSeries, number>;

/** A run's timeline, downsampled. */
export interface TimelineData {
  points: TimelinePoint[];
  /** Samples of timeline.csv per drawn point (1 = every sample). */
  bucket: number;
  /** Samples read. */
  rows: number;
  /** Whether the values are the most over each row's interval (its `*_max` columns, since 2026-12-06), not the samples at its time. */
  peaks: boolean;
  /** The rows in buckets finer than the points' ({@link FineTimeline}), with each series' least sample, most and mean: what a band is drawn from. */
  fine: FineTimeline;
}

/** Most points drawn per timeline. */
export const TIMELINE_POINTS = 500;

/** The rows timeline.csv has (about) for a run of `simTimeUs` sampled every `sampleUs`: one at 0 and one per period. */
export function timelineRows(simTimeUs: number, sampleUs: number): number {
  return Math.floor(simTimeUs / sampleUs) + 1;
}

/** Rows of timeline.csv per drawn point for a timeline of `rows` rows: as few as leave at most {@link TIMELINE_POINTS} points. */
export function timelineBucket(rows: number): number {
  return Math.max(1, Math.ceil(rows / TIMELINE_POINTS));
}

/**
 * Reads `file` (timeline.csv) once. `expectedRows` (from the run's simulated
 * time and sample period) sets the bucket size so that about
 * {@link TIMELINE_POINTS} points remain, unless `bucket` (rows per point) is
 * given: one bucket for runs drawn on one time axis; each point keeps its
 * first time and the largest value of each series over its rows: of the
 * `*_max` columns (the most over each row's interval) when the file has them,
 * so peaks between samples are drawn too, else of the samples. The file's last
 * row, the state at the run's end, is a point of its own, so that a line ends
 * where the run left it (no page wired once a pool is unwired), not at the
 * most of its last bucket.
 */
export async function reduceTimeline(file: string, expectedRows: number, bucket = timelineBucket(expectedRows)): Promise<TimelineData> {
  const f = await openCsv(file, ['t_us', ...TIMELINE_SERIES]);
  const peaks = TIMELINE_SERIES.every((s) => f.col[`${s}_max`] !== undefined);
  const fields = TIMELINE_SERIES.map((s) => (peaks ? `${s}_max` : s));
  const fine = new FineBuckets(fineRows(bucket));
  const points: TimelinePoint[] = [];
  const point = (t: number, v: number[]): TimelinePoint => ({ t_ms: t / 1000, dirty_pages: v[0], writeback_pages: v[1], wired_pages: v[2], queue_depth: v[3] });
  let cur: TimelinePoint | undefined;
  let inBucket = 0, rows = 0;
  // the latest row, and its bucket's values before it joined them (`folded`: it did not begin its bucket)
  let lastT = 0, lastV: number[] = [];
  const bucketBefore = TIMELINE_SERIES.map(() => 0);
  let folded = false;
  for await (const row of f.rows) {
    rows++;
    const t = numberField(f, row, 't_us', 0);
    const v = fields.map((s) => numberField(f, row, s, 0));
    fine.add(t, peaks ? TIMELINE_SERIES.map((s) => numberField(f, row, s, 0)) : v, v);
    if (!cur || inBucket === bucket) {
      cur = point(t, v);
      points.push(cur);
      inBucket = 0;
      folded = false;
    } else {
      TIMELINE_SERIES.forEach((s, i) => {
        bucketBefore[i] = cur![s];
        if (v[i] > cur![s]) cur![s] = v[i];
      });
      folded = true;
    }
    lastT = t;
    lastV = v;
    inBucket++;
  }
  // the end row taken back out of its bucket and drawn alone
  if (cur && folded) {
    TIMELINE_SERIES.forEach((s, i) => (cur![s] = bucketBefore[i]));
    points.push(point(lastT, lastV));
  }
  return { points, bucket, rows, peaks, fine: fine.done() };
}
